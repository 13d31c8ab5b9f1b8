//! The floating-point kernel: the number types numeric verification runs in, `f64`, and [`Big`] when f64 is not enough.
//!
//! Verification must tell a residual of 1e-20 from rounding noise; an f64 cannot
//! (its rounding level is about 1e-16 of the output). [`Real`] is what the
//! evaluator needs of a number; [`Big`] implements it with `astro-float`'s
//! pure-Rust binary floats at a fixed number of bits, so the same code runs at
//! 53, 256 or 1024 bits and the verifier can switch up when it has to.

use astro_float_num::{BigFloat, Consts, RoundingMode, Sign};
use malachite_nz::integer::Integer;
use malachite_nz::natural::Natural;
use malachite_q::Rational as Q;
use std::cell::RefCell;
use std::fmt::Debug;

/// A real number type the numeric evaluator computes in.
pub trait Real: Clone + Debug + 'static {
    /// A short name for reports ("f64", "multi-precision float").
    const NAME: &'static str;
    /// Bits of significand: the rounding level is about 2^−BITS of a value.
    const SIGNIFICAND_BITS: u32;
    /// Whether `lt` decides the order of values that are not rational exactly (or taints the
    /// evaluation where it cannot), so that a piece of a function can be chosen at such a value.
    const DECIDES_ORDER_EXACTLY: bool = false;
    /// The value of `x` at this type's precision (exact when it has at least 53 bits).
    fn of_f64(x: f64) -> Self;
    /// The rational `q`, rounded once to nearest.
    fn of_q(q: &Q) -> Self;
    /// The nearest f64 (NaN when there is no finite value).
    fn to_f64(&self) -> f64;
    /// The exact rational value (`None` for infinities and NaN).
    fn to_q(&self) -> Option<Q>;
    /// `self + o`, rounded to nearest.
    fn add(&self, o: &Self) -> Self;
    /// `self − o`, rounded to nearest.
    fn sub(&self, o: &Self) -> Self;
    /// `self · o`, rounded to nearest.
    fn mul(&self, o: &Self) -> Self;
    /// `self / o`, rounded to nearest.
    fn div(&self, o: &Self) -> Self;
    /// `−self` (exact).
    fn neg(&self) -> Self;
    /// `|self|` (exact).
    fn abs(&self) -> Self;
    /// `self < o`; false whenever either side is NaN.
    fn lt(&self, o: &Self) -> bool;
    /// `self^k` for an integer exponent (a negative `k` is the reciprocal of `self^|k|`).
    fn powi(&self, k: i32) -> Self;
    /// `self^e` for a rational exponent (real branch; NaN where there is none).
    fn powq(&self, e: &Q) -> Self;
    /// `e^q` (Euler's number). By default the power of [`Real::e`]; a type whose general power
    /// goes through a logarithm computes it as `exp(q)` instead.
    fn exp_q(q: &Q) -> Self {
        Self::e().powq(q)
    }
    /// A function's value at a point `x` that has no exact rational value (the function
    /// being finite everywhere when `total` says so): `None` for the types whose values are
    /// numbers, where the caller reports that it has no value.
    fn at_unknown_point(x: &Self, total: &dyn Fn() -> bool) -> Option<Self> {
        let _ = (x, total);
        None
    }
    /// π at this type's precision.
    fn pi() -> Self;
    /// Euler's number e at this type's precision.
    fn e() -> Self;
    /// An elementary function by its catalog name (`None` for names without a numeric value).
    fn func(name: &str, x: &Self) -> Option<Self>;

    /// The binary exponent e of a finite non-zero value, |v| in [2^(e−1), 2^e), where the type
    /// has one (None: 0, not finite, or no exponent, as for exact values): what its exact
    /// rational would cost, without forming it (e^(−10⁹) has 1.4·10⁹ bits).
    fn binary_exponent(&self) -> Option<i64> {
        None
    }

    /// The additive identity 0.
    fn zero() -> Self {
        Self::of_f64(0.0)
    }
    /// The multiplicative identity 1.
    fn one() -> Self {
        Self::of_f64(1.0)
    }
    /// How `self` compares with `o` (NaN compares equal, as neither is less).
    fn order(&self, o: &Self) -> std::cmp::Ordering {
        order_by_lt(self, o)
    }
    /// The larger of `self` and `o` (`self` when they compare equal or either is NaN).
    fn max(&self, o: &Self) -> Self {
        if self.lt(o) { o.clone() } else { self.clone() }
    }
}

impl Real for f64 {
    const NAME: &'static str = "f64";
    const SIGNIFICAND_BITS: u32 = 53;
    fn of_f64(x: f64) -> f64 {
        x
    }
    fn of_q(q: &Q) -> f64 {
        q_to_f64(q)
    }
    fn to_f64(&self) -> f64 {
        *self
    }
    fn to_q(&self) -> Option<Q> {
        Q::try_from(*self).ok()
    }
    fn add(&self, o: &f64) -> f64 {
        self + o
    }
    fn sub(&self, o: &f64) -> f64 {
        self - o
    }
    fn mul(&self, o: &f64) -> f64 {
        self * o
    }
    fn div(&self, o: &f64) -> f64 {
        self / o
    }
    fn neg(&self) -> f64 {
        -self
    }
    fn abs(&self) -> f64 {
        f64::abs(*self)
    }
    fn lt(&self, o: &f64) -> bool {
        self < o
    }
    fn powi(&self, k: i32) -> f64 {
        f64::powi(*self, k)
    }
    fn powq(&self, e: &Q) -> f64 {
        libm::pow(*self, q_to_f64(e))
    }
    fn pi() -> f64 {
        std::f64::consts::PI
    }
    fn e() -> f64 {
        std::f64::consts::E
    }
    fn func(name: &str, x: &f64) -> Option<f64> {
        eval_func(name, *x)
    }
}

/// A binary float with `BITS` bits of significand, rounded to nearest even after every operation.
#[derive(Clone, Debug)]
pub struct Big<const BITS: usize>(BigFloat);

const RM: RoundingMode = RoundingMode::ToEven;

impl<const BITS: usize> Big<BITS> {
    /// The same value rounded to `M` bits, without writing it out as a rational (a value near
    /// 2^(10⁹) would take a gigabyte as one).
    /// Whether the value is ±∞ (past the floats' range), NaN not included.
    pub(crate) fn is_infinite(&self) -> bool {
        self.0.is_inf()
    }

    pub(crate) fn to_bits<const M: usize>(&self) -> Big<M> {
        let mut x = self.0.clone();
        let _ = x.set_precision(M, RM);
        Big(x)
    }
}

thread_local! {
    static NEAR_TIES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Records a comparison closer than the precision resolves (see [`without_near_ties`]), for
/// a caller that decides a side without [`Real::order`] (the piece of |·| at a point).
pub(crate) fn note_near_tie() {
    NEAR_TIES.with(|t| t.set(true));
}

thread_local! {
    static CANCELLATIONS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Records a sum of two non-zero floats that kept none of their digits but the last 64 bits'
/// worth (0 included): what follows may be their rounding's, and a weight past 2^(bits)
/// makes that rounding an O(1) value, which a second precision of the same kind can share
/// (tanh(200) − 1 is 0 at 256 and at 512 bits; see [`noting_cancellations`]).
fn note_if_cancelled<const BITS: usize>(a: &BigFloat, b: &BigFloat, sum: &BigFloat) {
    if a.is_zero() || b.is_zero() {
        return;
    }
    let (Some(ea), Some(eb)) = (a.exponent(), b.exponent()) else {
        return;
    };
    let top = i64::from(ea.max(eb));
    let lost = sum.is_zero()
        || sum
            .exponent()
            .is_some_and(|es| i64::from(es) < top - (BITS as i64 - 64));
    if lost {
        CANCELLATIONS.with(|c| c.set(true));
    }
}

/// `f()`, and whether a sum in it of multi-precision floats lost every digit to a
/// cancellation (see [`note_if_cancelled`]); one noted before it stays noted.
pub(crate) fn noting_cancellations<T>(f: impl FnOnce() -> T) -> (T, bool) {
    let before = CANCELLATIONS.with(|t| t.replace(false));
    let out = f();
    let noted = CANCELLATIONS.with(|t| t.replace(before || t.get()));
    (out, noted)
}

/// `f()`, and whether it noted a near tie; one noted before it stays noted.
pub(crate) fn noting_near_ties<T>(f: impl FnOnce() -> T) -> (T, bool) {
    let before = NEAR_TIES.with(|t| t.replace(false));
    let out = f();
    let noted = NEAR_TIES.with(|t| t.replace(before || t.get()));
    (out, noted)
}

/// How `a` compares with `b` by [`Real::lt`] (NaN compares equal, as neither is less).
fn order_by_lt<R: Real>(a: &R, b: &R) -> std::cmp::Ordering {
    if a.lt(b) {
        std::cmp::Ordering::Less
    } else if b.lt(a) {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

/// Runs `f` and reports whether no comparison of multi-precision floats in it was closer than
/// their precision resolves (|a − b| below 2^(64 − bits)·(1 + |a| + |b|)): where one was, the
/// side it took may be the rounding's, not the value's (tanh(100) − 1 is −2.8·10⁻⁸⁷, which
/// 256 bits round to 0).
pub fn without_near_ties<T>(f: impl FnOnce() -> T) -> (T, bool) {
    NEAR_TIES.with(|t| t.set(false));
    let out = f();
    (out, !NEAR_TIES.with(|t| t.get()))
}

thread_local! {
    /// astro-float caches π, e and ln 2 here; one cache per thread.
    static CONSTS: RefCell<Option<Consts>> = const { RefCell::new(None) };
}

/// Runs `f` with the constants cache (a NaN when the cache cannot be made).
fn with_consts(f: impl FnOnce(&mut Consts) -> BigFloat) -> BigFloat {
    CONSTS.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Consts::new().ok();
        }
        match c.as_mut() {
            Some(cc) => f(cc),
            None => astro_float_num::NAN,
        }
    })
}

/// An integer as an exact float (its precision is its own length).
fn integer_float(n: &Natural, negative: bool) -> BigFloat {
    let limbs = n.to_limbs_asc();
    if limbs.is_empty() {
        return BigFloat::from_f64(0.0, 64);
    }
    let sign = if negative { Sign::Neg } else { Sign::Pos };
    let bits = limbs.len() as i64 * 64;
    match i32::try_from(bits) {
        Ok(e) => BigFloat::from_words(&limbs, sign, e),
        Err(_) => astro_float_num::NAN,
    }
}

impl<const BITS: usize> Big<BITS> {
    fn wrap(x: BigFloat) -> Self {
        Big(x)
    }
    /// erf by its Maclaurin series, with guard bits for the cancellation (e^{x²} of them);
    /// beyond the point where erfc(x) is below the rounding level it is ±1.
    fn erf(x: &Self) -> Self {
        let a = x.abs().to_f64();
        if a.is_nan() {
            return x.clone();
        }
        if a * a * std::f64::consts::LOG2_E > BITS as f64 + 16.0 {
            return if x.0.is_negative() {
                Self::one().neg()
            } else {
                Self::one()
            };
        }
        let wp = BITS + (a * a * std::f64::consts::LOG2_E) as usize + 64;
        let x2 = x.0.mul(&x.0, wp, RM);
        let mut term = x.0.clone(); // (−1)ⁿ x^(2n+1) / n!
        let mut sum = x.0.clone();
        let tiny = BITS as i64 + 40;
        for n in 1..100_000u32 {
            term = term
                .mul(&x2, wp, RM)
                .div(&BigFloat::from_f64(-(n as f64), 64), wp, RM);
            let add = term.div(&BigFloat::from_f64((2 * n + 1) as f64, 64), wp, RM);
            sum = sum.add(&add, wp, RM);
            let (Some(es), Some(ea)) = (sum.exponent(), add.exponent()) else {
                break;
            };
            if add.is_zero() || (es as i64 - ea as i64) > tiny {
                break;
            }
        }
        let two_over_sqrt_pi = with_consts(|cc| {
            let pi = cc.pi(wp, RM);
            BigFloat::from_f64(2.0, 64).div(&pi.sqrt(wp, RM), wp, RM)
        });
        Big(sum.mul(&two_over_sqrt_pi, BITS, RM))
    }
}

impl<const BITS: usize> Real for Big<BITS> {
    const NAME: &'static str = "multi-precision float";
    const SIGNIFICAND_BITS: u32 = BITS as u32;
    fn of_f64(x: f64) -> Self {
        Big(BigFloat::from_f64(x, BITS))
    }
    fn of_q(q: &Q) -> Self {
        let num = integer_float(q.numerator_ref(), *q < 0u32);
        let den = integer_float(q.denominator_ref(), false);
        Big(num.div(&den, BITS, RM))
    }
    fn to_f64(&self) -> f64 {
        if self.0.is_inf() {
            return if self.0.is_negative() {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        // From the leading word, rounded to nearest even once (the words below only decide a
        // tie), without the exact rational: the sign and zero tests read the values of 8192-bit
        // floats as f64s many times, and the rational's reduction cost more than the test.
        // Values near or below f64's subnormal range go the exact way; far past its range they
        // are 0 or ∞ at once (the rational of e^(−10⁹) has 1.4·10⁹ bits; from a review, forming
        // it for each draw of σ* ran past the time budget).
        if let Some(exp) = self.0.exponent()
            && !self.0.is_zero()
        {
            let negative = self.0.is_negative();
            if exp < -1200 {
                return if negative { -0.0 } else { 0.0 };
            }
            if exp > 1200 {
                return if negative {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
            }
        }
        match self.0.as_raw_parts() {
            Some((words, _, sign, exp, _))
                if !self.0.is_zero()
                    && !self.0.is_subnormal()
                    && (-1000..=1100).contains(&exp)
                    && words.last().is_some_and(|w| w >> 63 == 1) =>
            {
                let len = words.len();
                let top = words[len - 1];
                let below = words[..len - 1].iter().any(|w| *w != 0);
                let mut mantissa = top >> 11;
                let rest = top & 0x7ff;
                if rest > 0x400 || (rest == 0x400 && (below || mantissa & 1 == 1)) {
                    mantissa += 1;
                }
                // The value is 0.m × 2^exp: the leading word over 2^64, so mantissa·2^(exp − 53),
                // mantissa in [2^52, 2^53]; as an f64, the biased exponent exp + 1022.
                let mut biased = i64::from(exp) + 1022;
                if mantissa == 1 << 53 {
                    mantissa >>= 1;
                    biased += 1;
                }
                let negative = u64::from(sign == Sign::Neg) << 63;
                if biased > 2046 {
                    return f64::from_bits(negative | f64::INFINITY.to_bits());
                }
                f64::from_bits(negative | ((biased as u64) << 52) | (mantissa & ((1 << 52) - 1)))
            }
            _ => self.to_q().map(|q| q_to_f64(&q)).unwrap_or(f64::NAN),
        }
    }
    fn binary_exponent(&self) -> Option<i64> {
        if self.0.is_zero() || self.0.is_inf() || self.0.is_nan() {
            return None;
        }
        self.0.exponent().map(i64::from)
    }
    fn to_q(&self) -> Option<Q> {
        if self.0.is_zero() {
            return Some(Q::from(0u32));
        }
        let (words, _, sign, exp, _) = self.0.as_raw_parts()?;
        // The value is 0.m × 2^exp with m the words read as an integer over 2^(64·len).
        let m = Natural::from_limbs_asc(words);
        let shift = exp as i64 - 64 * words.len() as i64;
        // A shift by a power of 2 reduces by m's trailing zeros alone, with no gcd.
        let v = Q::from(Integer::from(m)) << shift;
        Some(if sign == Sign::Neg { -v } else { v })
    }
    fn add(&self, o: &Self) -> Self {
        let sum = self.0.add(&o.0, BITS, RM);
        note_if_cancelled::<BITS>(&self.0, &o.0, &sum);
        Big(sum)
    }
    fn sub(&self, o: &Self) -> Self {
        let sum = self.0.sub(&o.0, BITS, RM);
        note_if_cancelled::<BITS>(&self.0, &o.0, &sum);
        Big(sum)
    }
    fn mul(&self, o: &Self) -> Self {
        Big(self.0.mul(&o.0, BITS, RM))
    }
    fn div(&self, o: &Self) -> Self {
        Big(self.0.div(&o.0, BITS, RM))
    }
    fn neg(&self) -> Self {
        Big(self.0.neg())
    }
    fn abs(&self) -> Self {
        Big(self.0.abs())
    }
    fn lt(&self, o: &Self) -> bool {
        self.0.cmp(&o.0).is_some_and(|c| c < 0)
    }
    /// As the trait's, and a comparison closer than the precision resolves is recorded (see
    /// [`without_near_ties`]).
    fn order(&self, o: &Self) -> std::cmp::Ordering {
        let gap = self.sub(o).abs();
        let scale = Self::of_f64(1.0).add(&self.abs()).add(&o.abs());
        let margin = scale.mul(&Self::of_f64(2.0).powi(64 - BITS as i32));
        if gap.lt(&margin) {
            NEAR_TIES.with(|t| t.set(true));
        }
        order_by_lt(self, o)
    }
    fn powi(&self, k: i32) -> Self {
        let p = self.0.powi(k.unsigned_abs() as usize, BITS, RM);
        if k < 0 {
            Big(BigFloat::from_f64(1.0, 64).div(&p, BITS, RM))
        } else {
            Big(p)
        }
    }
    fn powq(&self, e: &Q) -> Self {
        if e.denominator_ref() == &Natural::from(1u32) {
            return match i32::try_from(&Integer::from(e.numerator_ref())) {
                Ok(k) => {
                    let k = if *e < 0u32 { -k } else { k };
                    self.powi(k)
                }
                Err(_) => Self::wrap(astro_float_num::NAN),
            };
        }
        if *e == Q::from_signeds(1i32, 2) {
            return Big(self.0.sqrt(BITS, RM));
        }
        // A half-integer power (layernorm's and rmsnorm's (v + η)^(−1/2)) is a root and an
        // integer power: exact to the last bit, and no logarithm, whose series at 256 bits ran
        // for minutes on some of the radius's points (from a review).
        if e.denominator_ref() == &Natural::from(2u32)
            && let Ok(k) = i32::try_from(&Integer::from(e.numerator_ref()))
        {
            let k = if *e < 0u32 { -k } else { k };
            return Big(self.0.sqrt(BITS, RM)).powi(k);
        }
        if self.0.is_zero() {
            return Self::zero();
        }
        let ex = Self::of_q(e);
        Big(with_consts(|cc| self.0.pow(&ex.0, BITS, RM, cc)))
    }
    fn exp_q(q: &Q) -> Self {
        // The general power is exp(q·ln e): ln e at this precision is work thrown away (a
        // derivative of sigmoid at a drawn point holds e to a long rational power).
        Big(with_consts(|cc| Self::of_q(q).0.exp(BITS, RM, cc)))
    }
    fn pi() -> Self {
        Big(with_consts(|cc| cc.pi(BITS, RM)))
    }
    fn e() -> Self {
        Big(with_consts(|cc| cc.e(BITS, RM)))
    }
    fn func(name: &str, x: &Self) -> Option<Self> {
        let v = &x.0;
        // A periodic function of an argument whose last bit is not well below its period: the
        // argument was rounded by as much (10³⁸⁰⁰ has 8 823 significant bits, more than 8192),
        // and its value is any (from a review: `series --at 10^3800 sin` printed −0.359617,
        // not 0.122951). No value at this precision, rather than a wrong one.
        if matches!(name, "sin" | "cos" | "tan")
            && x.binary_exponent().is_some_and(|e| e > BITS as i64 - 40)
        {
            return None;
        }
        let r = match name {
            "exp" => with_consts(|cc| v.exp(BITS, RM, cc)),
            "log" => with_consts(|cc| v.ln(BITS, RM, cc)),
            "sin" => with_consts(|cc| v.sin(BITS, RM, cc)),
            "cos" => with_consts(|cc| v.cos(BITS, RM, cc)),
            "tan" => with_consts(|cc| v.tan(BITS, RM, cc)),
            "tanh" => with_consts(|cc| v.tanh(BITS, RM, cc)),
            "atan" => with_consts(|cc| v.atan(BITS, RM, cc)),
            "sinh" => with_consts(|cc| v.sinh(BITS, RM, cc)),
            "cosh" => with_consts(|cc| v.cosh(BITS, RM, cc)),
            "sqrt" => v.sqrt(BITS, RM),
            "abs" => v.abs(),
            // An argument exactly 0 in the floats is one that rounded to 0 (an exact 0 is
            // decided before any float: sign(λ − λ) is 0 by its form): no sign the floats know
            // (tanh(100·λ) − 1 at λ = 2.5 is 0 at 256 bits, and its sign 0 made the identity
            // test find 1 + sign(tanh(100·λ) − 1), which is 0, non-zero; from a review).
            "sign" => {
                if v.is_zero() {
                    return None;
                } else {
                    BigFloat::from_i8(if v.is_negative() { -1 } else { 1 }, BITS)
                }
            }
            "erf" => return Some(Self::erf(x)),
            _ => return None,
        };
        Some(Big(r))
    }
}

/// The nearest f64 to an exact rational.
pub(crate) fn q_to_f64(q: &Q) -> f64 {
    use malachite_base::num::conversion::traits::RoundingFrom;
    use malachite_base::rounding_modes::RoundingMode;
    // Below 2⁵³ numerator and denominator are exact doubles, and IEEE division rounds their
    // quotient once, to nearest (ties to even): the value the general conversion gives, at a
    // tenth of its cost (the value column of a long coefficient converts every coefficient and
    // exponent of its terms).
    const EXACT: u64 = 1 << 53;
    if let (Ok(n), Ok(d)) = (
        u64::try_from(q.numerator_ref()),
        u64::try_from(q.denominator_ref()),
    ) && n < EXACT
        && d < EXACT
    {
        let v = n as f64 / d as f64;
        return if *q < 0u32 { -v } else { v };
    }
    f64::rounding_from(q, RoundingMode::Nearest).0
}

/// `q = mantissa·10^exp10` with 1 ≤ |mantissa| < 10 (the mantissa rounded to an f64), for
/// `q ≠ 0` at any magnitude: the exponent from the bit lengths, corrected exactly.
pub(crate) fn decimal_parts(q: &Q) -> (f64, i64) {
    use malachite_base::num::arithmetic::traits::{Abs, Pow};
    use malachite_base::num::logic::traits::SignificantBits;
    let bits =
        q.numerator_ref().significant_bits() as i64 - q.denominator_ref().significant_bits() as i64;
    let mut exp10 = (bits as f64 * std::f64::consts::LOG10_2).floor() as i64;
    let scaled = |e: i64| -> Q {
        let ten = Q::from(10u32);
        match e >= 0 {
            true => q / ten.pow(e as u64),
            false => q * ten.pow(e.unsigned_abs()),
        }
    };
    // The estimate is off by at most one either way; each step checks exactly.
    let mut m = scaled(exp10);
    for _ in 0..3 {
        let a = (&m).abs();
        if a >= 10u32 {
            exp10 += 1;
        } else if a < 1u32 {
            exp10 -= 1;
        } else {
            break;
        }
        m = scaled(exp10);
    }
    (q_to_f64(&m), exp10)
}

/// The numeric value of an elementary function (used for opaque values and numeric checks).
fn eval_func(name: &str, x: f64) -> Option<f64> {
    Some(match name {
        "exp" => libm::exp(x),
        "log" => libm::log(x),
        "sin" => libm::sin(x),
        "cos" => libm::cos(x),
        "tan" => libm::tan(x),
        "tanh" => libm::tanh(x),
        "atan" => libm::atan(x),
        "sinh" => libm::sinh(x),
        "cosh" => libm::cosh(x),
        "erf" => erf(x),
        "sqrt" => x.sqrt(),
        "abs" => x.abs(),
        "sign" => {
            if x == 0.0 {
                0.0
            } else {
                x.signum()
            }
        }
        _ => return None,
    })
}

/// erf to double precision (Abramowitz–Stegun 7.1.26 is too coarse; this uses the series and a continued fraction).
fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let r = if a < 2.5 {
        // Maclaurin series: 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)).
        let mut sum = 0.0;
        let mut term = a;
        let mut n = 0.0;
        loop {
            let add = term / (2.0 * n + 1.0);
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
            n += 1.0;
            term *= -a * a / n;
            if n > 200.0 {
                break;
            }
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // erfc by Lentz's continued fraction.
        let z = a;
        let mut f = z;
        let mut c = z;
        let mut d = 0.0;
        for k in 1..200 {
            let an = k as f64 / 2.0;
            d = z + an * d;
            d = 1.0 / d;
            c = z + an / c;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        1.0 - libm::exp(-z * z) / (f * std::f64::consts::PI.sqrt())
    };
    if x < 0.0 { -r } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    type B = Big<256>;

    /// The f64 read from the leading word is the exact rational's nearest f64: at ties (a 54th
    /// bit set and nothing below, or something far below), at a carry into the next power of 2,
    /// near the ends of f64's range, and at seeded random values.
    #[test]
    fn a_wide_float_reads_as_the_nearest_f64() {
        let exact = |x: &Big<8192>| x.to_q().map(|q| q_to_f64(&q)).unwrap_or(f64::NAN);
        let two = |k: i64| Q::from(1u32) << k;
        let mut cases: Vec<Q> = Vec::new();
        for k in [
            -1070i64, -1030, -1022, -1000, -60, -1, 0, 1, 60, 1000, 1023, 1024, 1100,
        ] {
            let base = Q::from((1u64 << 53) + 1) * two(k - 53);
            cases.push(base.clone());
            cases.push(&base + two(k - 4000));
            cases.push(&base - two(k - 4000));
            cases.push(Q::from((1u64 << 54) - 1) * two(k - 54));
            cases.push(Q::from((1u64 << 53) + 3) * two(k - 53) / Q::from(2u32));
            cases.push(-base);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let num = Q::from(state >> 1) * Q::from(state.rotate_left(17));
            let den = Q::from((state >> 40) | 1);
            cases.push(num / den * two((state % 2100) as i64 - 1050));
        }
        for q in &cases {
            let x = Big::<8192>::of_q(q);
            assert_eq!(x.to_f64().to_bits(), exact(&x).to_bits(), "{q}");
            let y = Big::<256>::of_q(q);
            let ye = y.to_q().map(|q| q_to_f64(&q)).unwrap_or(f64::NAN);
            assert_eq!(y.to_f64().to_bits(), ye.to_bits(), "{q}");
        }
    }

    /// The quotient of two doubles below 2⁵³ is the correctly rounded rational: the short path
    /// of `q_to_f64` gives what the general conversion gives, ties and the edge of 2⁵³ included.
    #[test]
    fn small_rationals_convert_as_the_general_conversion_does() {
        use malachite_base::num::conversion::traits::RoundingFrom;
        use malachite_base::rounding_modes::RoundingMode;
        let edge = 1u64 << 53;
        let mut values: Vec<u64> = vec![0, 1, 2, 3, 7, 10, 49, 1 << 30, edge - 1, edge, edge + 1];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 64));
        }
        for (i, &n) in values.iter().enumerate() {
            let d = values[(i * 7 + 3) % values.len()].max(1);
            for sign in [1i32, -1] {
                let q = Q::from_naturals(n.into(), d.into()) * Q::from(sign);
                let general = f64::rounding_from(&q, RoundingMode::Nearest).0;
                assert_eq!(q_to_f64(&q).to_bits(), general.to_bits(), "{q}");
            }
        }
    }

    #[test]
    fn rationals_round_trip_exactly() {
        for q in [
            Q::from_signeds(3i32, 2),
            Q::from_signeds(-7i32, 1024),
            Q::from(12345678901234567u64),
        ] {
            assert_eq!(B::of_q(&q).to_q(), Some(q));
        }
        assert_eq!(B::of_f64(0.1).to_f64(), 0.1);
    }

    #[test]
    fn functions_agree_with_f64_and_go_further() {
        for name in ["exp", "log", "sin", "cos", "tanh", "atan", "erf", "sqrt"] {
            for x in [0.3, 1.7, 2.9] {
                let big = B::func(name, &B::of_f64(x)).unwrap().to_f64();
                let small = f64::func(name, &x).unwrap();
                assert!((big - small).abs() <= 2e-15 * small.abs(), "{name}({x})");
            }
        }
        // x − tanh x = x³/3 − …: f64 loses it at x = 1e-9, 256 bits does not.
        let x = B::of_f64(1e-9);
        let d = x.sub(&B::func("tanh", &x).unwrap()).to_f64();
        assert!((d / (1e-27 / 3.0) - 1.0).abs() < 1e-12);
        assert!(B::func("erf", &B::of_f64(-40.0)).unwrap().to_f64() == -1.0);
        assert!(
            (B::of_f64(2.0).powq(&Q::from_signeds(3i32, 2)).to_f64() - 8f64.sqrt()).abs() < 1e-15
        );
    }

    #[test]
    fn e_to_a_rational_power_is_the_general_power_to_the_last_bits() {
        // The exponents of e a derivative at a drawn point holds: long fractions, both signs.
        for (n, d) in [
            (-31_573_079_039_964_773i64, 36_028_797_018_963_968u64),
            (31_071_946_010_097_413, 18_014_398_509_481_984),
            (-40_420_058_489_786_031, 18_014_398_509_481_984),
            (7, 3),
            (-1, 5),
            (123, 4),
        ] {
            let q = Q::from_signeds(n, d as i64);
            let direct = B::exp_q(&q);
            let general = B::e().powq(&q);
            let relative = direct.sub(&general).div(&general).abs().to_f64();
            assert!(relative < 1e-70, "e^({n}/{d}): {relative}");
            assert!(
                (direct.to_f64() - libm::exp(n as f64 / d as f64)).abs() < 1e-12 * direct.to_f64()
            );
            // f64 keeps the general power: its values, printed in reports, do not move.
            assert_eq!(
                f64::exp_q(&q).to_bits(),
                std::f64::consts::E.powq(&q).to_bits()
            );
        }
    }

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-15);
        assert!((erf(3.0) - 0.999_977_909_503_001_4).abs() < 1e-15);
    }
}
