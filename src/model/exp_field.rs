//! Exact values in the field Q(E), E = e^(1/D), as a [`Real`]: the values of exp, tanh, sinh,
//! cosh and their quotients at rational points (a softmax, a sigmoid, a tanh at rational
//! biases), where [`Exact`] has none.
//!
//! e is transcendental (Hermite), so E is too, and a rational function of E is 0 exactly when
//! its numerator is the zero polynomial: a zero test in this field is exact. From a review: a
//! softmax whose input moves only along 𝟙 (equal rows of W₁) is constant, but at biases
//! b₁ = [0.5, −1, 0] its first non-affine term, (1/(2κ₁))·(exp(c₁)∘u₁^∘2) − …, with
//! κ₁ = e^0.5 + e^−1 + 1, was 0 only in floats and the verdict `undecided`.
//!
//! D is fixed for one evaluation ([`ExpField::with_denominator`]); an exponent q with q·D not
//! an integer leaves the value without one here and records the denominator it needed
//! ([`ExpField::wanted`]), so the caller can evaluate again with a D that holds it. A value that
//! is not rational taints a comparison, as [`Exact`]'s do: no branch or sign is chosen by it.

use super::exact::Exact;
use crate::algebra::Q;
use crate::numeric::Real;
use malachite_base::num::arithmetic::traits::{DivRound, Lcm, PowerOf2};
use malachite_nz::integer::Integer;
use malachite_nz::natural::Natural;
use std::cell::{Cell, RefCell};

thread_local! {
    static DENOMINATOR: Cell<u64> = const { Cell::new(1) };
    static WANTED: RefCell<Natural> = RefCell::new(Natural::from(1u32));
}

/// Most terms a numerator or denominator may hold, and the largest exponent of E: past them a
/// value is left without one here (the floats decide what they can, and say so).
const MAX_TERMS: usize = 512;
const MAX_EXPONENT: i64 = 1 << 16;
/// The largest D tried.
pub(crate) const MAX_DENOMINATOR: u64 = 1 << 12;

/// A Laurent polynomial in E: (exponent, coefficient) pairs, exponents increasing, no zero
/// coefficient.
type Poly = Vec<(i64, Q)>;

/// num/den, den with lowest exponent 0 and leading coefficient 1.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Frac {
    num: Poly,
    den: Poly,
}

/// A value of Q(E), or `None` where it has none here.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExpField(pub(crate) Option<Frac>);

fn add_polys(a: &Poly, b: &Poly, sign: i32) -> Poly {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i].0 < b[j].0);
        let take_b = i >= a.len() || (j < b.len() && b[j].0 < a[i].0);
        if take_a {
            out.push(a[i].clone());
            i += 1;
        } else if take_b {
            let c = if sign < 0 { -&b[j].1 } else { b[j].1.clone() };
            out.push((b[j].0, c));
            j += 1;
        } else {
            let c = if sign < 0 {
                &a[i].1 - &b[j].1
            } else {
                &a[i].1 + &b[j].1
            };
            if c != 0u32 {
                out.push((a[i].0, c));
            }
            i += 1;
            j += 1;
        }
    }
    out
}

fn mul_polys(a: &Poly, b: &Poly) -> Option<Poly> {
    if a.len().saturating_mul(b.len()) > MAX_TERMS * MAX_TERMS {
        return None;
    }
    let mut terms: std::collections::BTreeMap<i64, Q> = std::collections::BTreeMap::new();
    for (ea, ca) in a {
        if crate::limits::interrupted() {
            return None;
        }
        for (eb, cb) in b {
            let e = ea.checked_add(*eb)?;
            let slot = terms.entry(e).or_insert_with(|| Q::from(0u32));
            *slot += ca * cb;
        }
    }
    let out: Poly = terms.into_iter().filter(|(_, c)| *c != 0u32).collect();
    fits(&out).then_some(out)
}

/// a/b where b, with lowest exponent 0 and leading coefficient 1 (a denominator), divides a
/// exactly (a with no negative exponent); None where it does not, or past `MAX_TERMS` terms of
/// the quotient. Long division from the top: each step cancels the remainder's leading term.
fn quotient(a: &Poly, b: &Poly) -> Option<Poly> {
    let (&(b_low, _), &(b_high, _)) = (b.first()?, b.last()?);
    if b_low != 0 || a.first().is_some_and(|(low, _)| *low < 0) {
        return None;
    }
    let mut rem = a.clone();
    let mut q: Poly = Vec::new();
    while let Some((top, c)) = rem.last().cloned() {
        let shift = top - b_high;
        if shift < 0 || q.len() >= MAX_TERMS || crate::limits::interrupted() {
            return None;
        }
        rem = add_polys(&rem, &scaled(b, shift, &c), -1);
        q.push((shift, c));
    }
    q.reverse();
    Some(q)
}

/// (d, k) and the bounds of e^(1/d) at k bits ([`e_bounds`]).
type KeptBounds = ((u64, u64), (Integer, Integer));
/// (D, a value) and its sign ([`Frac::sign`]).
type KeptSign = ((u64, Frac), Option<std::cmp::Ordering>);

/// Bounds of E = e^(1/d) in fixed point: lo·2⁻ᵏ ≤ E ≤ hi·2⁻ᵏ, exactly. The partial sum of the
/// exponential series is below E (every term is positive), and the rest of the series below
/// twice its first term (1/d ≤ 1: each term at most half the one before). Each term is bounded
/// below and above in fixed point with 32 guard bits (xⁱ/i! from the one before, divided by
/// d·i rounded down and up), so the sums bound the partial sum, and kept per thread: every
/// comparison at one precision asks for the same bounds.
fn e_bounds(d: u64, k: u64) -> (Integer, Integer) {
    use malachite_base::rounding_modes::RoundingMode::{Ceiling, Floor};
    thread_local! {
        static KEPT: RefCell<Vec<KeptBounds>> = const { RefCell::new(Vec::new()) };
    }
    if let Some(kept) = KEPT.with(|kept| {
        (kept.borrow().iter())
            .find(|(key, _)| *key == (d, k))
            .map(|(_, v)| v.clone())
    }) {
        return kept;
    }
    let key = (d, k);
    let d = Integer::from(d.max(1));
    let one = Integer::power_of_2(k + 32);
    let (mut term_lo, mut term_hi) = (one.clone(), one.clone());
    let (mut sum_lo, mut sum_hi) = (Integer::from(0u32), Integer::from(0u32));
    let mut i = 1u64;
    // Terms below 2⁻ᵏ⁻³ of the scale no longer matter to the bounds.
    let tiny = Integer::power_of_2(29);
    while term_hi >= tiny {
        sum_lo += &term_lo;
        sum_hi += &term_hi;
        let by = &d * Integer::from(i);
        term_lo = term_lo.div_round(&by, Floor).0;
        term_hi = term_hi.div_round(&by, Ceiling).0;
        i += 1;
    }
    sum_hi += Integer::from(2u32) * term_hi;
    let guard = Integer::power_of_2(32);
    let bounds = (
        sum_lo.div_round(&guard, Floor).0,
        sum_hi.div_round(&guard, Ceiling).0,
    );
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        if kept.len() >= 64 {
            kept.clear();
        }
        kept.push((key, bounds.clone()));
    });
    bounds
}

/// The sign of p(E) at E = e^(1/d), by interval arithmetic in k-bit fixed point rounded outward
/// at every step: Some where the interval excludes 0, None where k bits do not resolve it (or
/// the degree is past 4096). p(E) = E^low·q(E) with E^low > 0, so q, with exponents from 0,
/// is what is bounded, each power of E by the powers of the bounds of E (E > 1).
fn sign_at(p: &Poly, d: u64, k: u64) -> Option<std::cmp::Ordering> {
    use malachite_base::rounding_modes::RoundingMode::{Ceiling, Floor};
    let (&(low, _), &(high, _)) = (p.first()?, p.last()?);
    if high - low > 4096 {
        return None;
    }
    let (e_lo, e_hi) = e_bounds(d, k);
    let one = Integer::power_of_2(k);
    let (mut pow_lo, mut pow_hi, mut at) = (one.clone(), one.clone(), low);
    let (mut sum_lo, mut sum_hi) = (Integer::from(0u32), Integer::from(0u32));
    for (m, c) in p {
        while at < *m {
            pow_lo = (pow_lo * &e_lo).div_round(&one, Floor).0;
            pow_hi = (pow_hi * &e_hi).div_round(&one, Ceiling).0;
            at += 1;
        }
        // |c| (a rational's numerator is its absolute value)·[lo, hi], negated for a negative c.
        let num = Integer::from(c.numerator_ref());
        let den = Integer::from(c.denominator_ref());
        let negative = *c < 0u32;
        let lo = (&num * &pow_lo).div_round(&den, Floor).0;
        let hi = (&num * &pow_hi).div_round(&den, Ceiling).0;
        if negative {
            sum_lo -= hi;
            sum_hi -= lo;
        } else {
            sum_lo += lo;
            sum_hi += hi;
        }
    }
    if sum_lo > 0u32 {
        Some(std::cmp::Ordering::Greater)
    } else if sum_hi < 0u32 {
        Some(std::cmp::Ordering::Less)
    } else {
        None
    }
}

fn fits(p: &Poly) -> bool {
    p.len() <= MAX_TERMS
        && p.first()
            .zip(p.last())
            .is_none_or(|(lo, hi)| lo.0.abs() <= MAX_EXPONENT && hi.0.abs() <= MAX_EXPONENT)
}

fn constant(q: Q) -> Poly {
    if q == 0u32 { Vec::new() } else { vec![(0, q)] }
}

fn scaled(p: &Poly, shift: i64, by: &Q) -> Poly {
    p.iter().map(|(e, c)| (e + shift, c * by)).collect()
}

impl Frac {
    /// num/den with the shift of den moved into num and den made monic.
    fn new(num: Poly, den: Poly) -> Option<Frac> {
        let (&(low, _), (_, lead)) = (den.first()?, den.last()?);
        let inv = Q::from(1u32) / lead;
        let frac = Frac {
            num: scaled(&num, -low, &inv),
            den: scaled(&den, -low, &inv),
        };
        (fits(&frac.num) && fits(&frac.den)).then(|| frac.reduced())
    }
    fn of_q(q: Q) -> Frac {
        Frac {
            num: constant(q),
            den: constant(Q::from(1u32)),
        }
    }
    /// c·E^m.
    fn monomial(m: i64, c: Q) -> Frac {
        Frac {
            num: vec![(m, c)],
            den: constant(Q::from(1u32)),
        }
    }
    /// A rational num/den (num = c·den as polynomials) becomes c/1.
    fn reduced(self) -> Frac {
        match self.rational() {
            Some(q) if self.den.len() > 1 => Frac::of_q(q),
            _ => self,
        }
    }
    fn is_zero(&self) -> bool {
        self.num.is_empty()
    }
    /// The value, where it is rational: num a rational multiple of den.
    fn rational(&self) -> Option<Q> {
        if self.num.is_empty() {
            return Some(Q::from(0u32));
        }
        if self.num.len() != self.den.len() {
            return None;
        }
        let ratio = &self.num[0].1 / &self.den[0].1;
        (self.num.iter().zip(&self.den))
            .all(|((en, cn), (ed, cd))| en == ed && *cn == cd * &ratio)
            .then_some(ratio)
    }
    /// The sign of the value, decided exactly: a numerator that is not the zero polynomial is not
    /// 0 at E (e is transcendental), so bounds of E tight enough exclude 0 from the interval of
    /// num(E)/den(E); fixed point of 192, 1024 and 4096 bits is tried, and past that the sign is
    /// not decided (None).
    fn sign(&self) -> Option<std::cmp::Ordering> {
        if self.num.is_empty() {
            return Some(std::cmp::Ordering::Equal);
        }
        // An evaluation compares the same values again and again (an operating point, at each
        // order and each point of a term's test): their signs are kept, with the E they are of.
        thread_local! {
            static KEPT: RefCell<Vec<KeptSign>> = const { RefCell::new(Vec::new()) };
        }
        let d = DENOMINATOR.with(Cell::get);
        let kept = KEPT.with(|kept| {
            (kept.borrow().iter())
                .find(|((e, f), _)| *e == d && f == self)
                .map(|(_, sign)| *sign)
        });
        if let Some(sign) = kept {
            return sign;
        }
        let sign = self.sign_afresh(d);
        // One the budget cut short is not the value's: not kept.
        if crate::limits::interrupted() {
            return sign;
        }
        KEPT.with(|kept| {
            let mut kept = kept.borrow_mut();
            if kept.len() >= 32 {
                kept.remove(0);
            }
            kept.push(((d, self.clone()), sign));
        });
        sign
    }
    /// [`Frac::sign`], computed.
    fn sign_afresh(&self, d: u64) -> Option<std::cmp::Ordering> {
        [192u64, 1024, 4096].into_iter().find_map(|k| {
            if crate::limits::interrupted() {
                return None;
            }
            let (num, den) = (sign_at(&self.num, d, k)?, sign_at(&self.den, d, k)?);
            Some(if num == den {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Less
            })
        })
    }
    /// The value as c·E^m, where it is one.
    fn as_monomial(&self) -> Option<(i64, &Q)> {
        match (self.num.as_slice(), self.den.as_slice()) {
            ([(m, c)], [(0, _)]) => Some((*m, c)),
            _ => None,
        }
    }
    fn add(&self, o: &Frac, sign: i32) -> Option<Frac> {
        if self.den == o.den {
            return Frac::new(add_polys(&self.num, &o.num, sign), self.den.clone());
        }
        // One denominator a multiple of the other (powers of one sum, as a softmax's
        // derivatives have): the larger is the common one. Their product would double the
        // degree at each sum, and a softmax's term of order 7 ran past `MAX_TERMS`.
        if let Some(q) = quotient(&self.den, &o.den) {
            let right = mul_polys(&o.num, &q)?;
            return Frac::new(add_polys(&self.num, &right, sign), self.den.clone());
        }
        if let Some(q) = quotient(&o.den, &self.den) {
            let left = mul_polys(&self.num, &q)?;
            return Frac::new(add_polys(&left, &o.num, sign), o.den.clone());
        }
        let left = mul_polys(&self.num, &o.den)?;
        let right = mul_polys(&o.num, &self.den)?;
        Frac::new(
            add_polys(&left, &right, sign),
            mul_polys(&self.den, &o.den)?,
        )
    }
    fn mul(&self, o: &Frac) -> Option<Frac> {
        Frac::new(mul_polys(&self.num, &o.num)?, mul_polys(&self.den, &o.den)?)
    }
    fn recip(&self) -> Option<Frac> {
        if self.is_zero() {
            return None;
        }
        Frac::new(self.den.clone(), self.num.clone())
    }
    fn powi(&self, k: i32) -> Option<Frac> {
        let base = if k < 0 { self.recip()? } else { self.clone() };
        let mut out = Frac::of_q(Q::from(1u32));
        for _ in 0..k.unsigned_abs() {
            out = out.mul(&base)?;
        }
        Some(out)
    }
    /// The value at E = e^(1/D) in f64 (for display; nothing is decided by it).
    fn to_f64(&self) -> f64 {
        let e = (1.0 / DENOMINATOR.with(Cell::get) as f64).exp();
        let at = |p: &Poly| -> f64 {
            p.iter()
                .map(|(m, c)| crate::float::q_to_f64(c) * e.powf(*m as f64))
                .sum()
        };
        at(&self.num) / at(&self.den)
    }
}

impl ExpField {
    /// The value in `P`-bit floats, num(E)/den(E) with E = e^(1/D) (inside
    /// [`ExpField::with_denominator`]): no subtraction of the value's own parts, so a value far
    /// below its terms (sech²(5000) = 4E¹⁰⁰⁰⁰/(E¹⁰⁰⁰⁰ + 1)², where 1 − tanh²(5000) loses every
    /// digit) keeps its digits.
    pub(crate) fn in_floats<const P: usize>(&self) -> Option<crate::numeric::Big<P>> {
        use crate::numeric::Big;
        let f = self.0.as_ref()?;
        let d = Q::from(DENOMINATOR.with(Cell::get));
        let e = Big::<P>::func("exp", &Big::<P>::of_q(&(Q::from(1u32) / d)))?;
        let at = |p: &Poly| -> Option<Big<P>> {
            let mut sum = Big::<P>::zero();
            for (m, c) in p {
                let k = i32::try_from(*m).ok()?;
                sum = sum.add(&Big::<P>::of_q(c).mul(&e.powi(k)));
            }
            Some(sum)
        };
        Some(at(&f.num)?.div(&at(&f.den)?))
    }
    /// Runs `f` with E = e^(1/`d`), the denominators wanted reset; both are restored after, so
    /// a call inside `f` leaves the outer evaluation's E as it was. A value means E of the
    /// evaluation that made it: none leaves `f` (its answers are bools and points).
    pub(crate) fn with_denominator<T>(d: u64, f: impl FnOnce() -> T) -> T {
        let outer_d = DENOMINATOR.with(|c| c.replace(d.max(1)));
        let outer_wanted = WANTED.with(|w| w.replace(Natural::from(1u32)));
        let out = f();
        DENOMINATOR.with(|c| c.set(outer_d));
        WANTED.with(|w| *w.borrow_mut() = outer_wanted);
        out
    }
    /// The least common multiple of D and of the denominators the last evaluation wanted for
    /// its exponents (D itself when it wanted none).
    pub(crate) fn wanted() -> Natural {
        let d = Natural::from(DENOMINATOR.with(Cell::get));
        WANTED.with(|w| w.borrow().clone().lcm(d))
    }
    /// Whether the value is exactly 0 (None: it has no value here).
    pub(crate) fn is_zero(&self) -> Option<bool> {
        self.0.as_ref().map(Frac::is_zero)
    }
    /// e^q, E^(q·D), where q·D is an integer; else none, the denominator wanted recorded.
    fn exp_of(q: &Q) -> ExpField {
        let d = DENOMINATOR.with(Cell::get);
        let scaled = q * Q::from(d);
        match i64::try_from(&scaled) {
            Ok(m) if m.abs() <= MAX_EXPONENT => ExpField(Some(Frac::monomial(m, Q::from(1u32)))),
            Ok(_) => ExpField(None),
            Err(_) => {
                let den = scaled.denominator_ref().clone();
                WANTED.with(|w| {
                    let mut w = w.borrow_mut();
                    *w = std::mem::replace(&mut *w, Natural::from(1u32)).lcm(den);
                });
                ExpField(None)
            }
        }
    }
    fn lift(&self, o: &ExpField, f: impl FnOnce(&Frac, &Frac) -> Option<Frac>) -> ExpField {
        match (&self.0, &o.0) {
            (Some(a), Some(b)) => ExpField(f(a, b)),
            _ => ExpField(None),
        }
    }
    fn rational(&self) -> Option<Q> {
        self.0.as_ref()?.rational()
    }
    fn of_exact(x: Exact) -> ExpField {
        ExpField(x.0.map(Frac::of_q))
    }
}

impl Real for ExpField {
    const NAME: &'static str = "exact in Q(e^(1/D))";
    const SIGNIFICAND_BITS: u32 = u32::MAX;
    const DECIDES_ORDER_EXACTLY: bool = true;
    fn of_f64(x: f64) -> ExpField {
        ExpField(Q::try_from(x).ok().map(Frac::of_q))
    }
    fn of_q(q: &Q) -> ExpField {
        ExpField(Some(Frac::of_q(q.clone())))
    }
    fn to_f64(&self) -> f64 {
        self.0.as_ref().map_or(f64::NAN, Frac::to_f64)
    }
    fn to_q(&self) -> Option<Q> {
        self.rational()
    }
    fn add(&self, o: &ExpField) -> ExpField {
        self.lift(o, |a, b| a.add(b, 1))
    }
    fn sub(&self, o: &ExpField) -> ExpField {
        self.lift(o, |a, b| a.add(b, -1))
    }
    fn mul(&self, o: &ExpField) -> ExpField {
        self.lift(o, Frac::mul)
    }
    fn div(&self, o: &ExpField) -> ExpField {
        self.lift(o, |a, b| a.mul(&b.recip()?))
    }
    fn neg(&self) -> ExpField {
        ExpField(self.0.as_ref().map(|f| Frac {
            num: scaled(&f.num, 0, &Q::from(-1i32)),
            den: f.den.clone(),
        }))
    }
    /// |x| by the sign of x, decided exactly ([`Frac::sign`]); none where it is not: no sign is
    /// taken from a float.
    fn abs(&self) -> ExpField {
        match self.0.as_ref().map(Frac::sign) {
            Some(Some(std::cmp::Ordering::Less)) => self.neg(),
            Some(Some(_)) => self.clone(),
            _ => ExpField(None),
        }
    }
    /// x < y by the sign of y − x, decided exactly; where it is not, the evaluation is tainted
    /// (no branch is chosen by a float).
    fn lt(&self, o: &ExpField) -> bool {
        if let (Some(a), Some(b)) = (self.rational(), o.rational()) {
            return a < b;
        }
        match o.sub(self).0.as_ref().and_then(Frac::sign) {
            Some(sign) => sign == std::cmp::Ordering::Greater,
            None => {
                Exact::taint();
                false
            }
        }
    }
    fn powi(&self, k: i32) -> ExpField {
        match &self.0 {
            Some(f) if k.unsigned_abs() <= 64 => ExpField(f.powi(k)),
            _ => ExpField(None),
        }
    }
    fn powq(&self, e: &Q) -> ExpField {
        match i32::try_from(e) {
            Ok(k) => self.powi(k),
            Err(_) => match (self.rational(), self.0.as_ref().and_then(Frac::as_monomial)) {
                // (E^m)^e = E^(m·e) where that is a power of E.
                (_, Some((m, c))) if *c == 1u32 => {
                    let d = Q::from(DENOMINATOR.with(Cell::get));
                    ExpField::exp_of(&(Q::from(m) * e / d))
                }
                (Some(q), _) => ExpField::of_exact(Exact(Some(q)).powq(e)),
                _ => ExpField(None),
            },
        }
    }
    fn exp_q(q: &Q) -> ExpField {
        ExpField::exp_of(q)
    }
    fn pi() -> ExpField {
        ExpField(None)
    }
    fn e() -> ExpField {
        ExpField::exp_of(&Q::from(1u32))
    }
    fn func(name: &str, x: &ExpField) -> Option<ExpField> {
        let one = || ExpField::of_q(&Q::from(1u32));
        let Some(q) = x.rational() else {
            // log(E^m) = m/D; every other function of a value that is not rational has none.
            return Some(match (name, x.0.as_ref().and_then(Frac::as_monomial)) {
                ("log", Some((m, c))) if *c == 1u32 => {
                    ExpField::of_q(&(Q::from(m) / Q::from(DENOMINATOR.with(Cell::get))))
                }
                _ => ExpField(None),
            });
        };
        Some(match name {
            "exp" => ExpField::exp_of(&q),
            "tanh" => {
                let e2 = ExpField::exp_of(&(Q::from(2u32) * &q));
                e2.sub(&one()).div(&e2.add(&one()))
            }
            "sinh" | "cosh" => {
                let (up, down) = (ExpField::exp_of(&q), ExpField::exp_of(&-&q));
                let two = ExpField::of_q(&Q::from(2u32));
                if name == "sinh" {
                    up.sub(&down).div(&two)
                } else {
                    up.add(&down).div(&two)
                }
            }
            "log" if q == 1u32 => ExpField::of_q(&Q::from(0u32)),
            _ => ExpField::of_exact(Exact::func(name, &Exact(Some(q)))?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachite_base::num::arithmetic::traits::Pow;
    use std::str::FromStr;

    fn q(n: i64, d: u64) -> Q {
        Q::from(n) / Q::from(d)
    }

    #[test]
    fn a_softmax_of_a_shifted_input_is_the_softmax_of_its_biases() {
        // softmax(u·𝟙 + b)₁ − softmax(b)₁ = 0 for u = 3/2, b = (1/2, −1, 0), with D = 2.
        ExpField::with_denominator(2, || {
            let b = [q(1, 2), q(-1, 1), q(0, 1)];
            let soft = |shift: &Q| {
                let e: Vec<ExpField> = (b.iter())
                    .map(|bi| ExpField::func("exp", &ExpField::of_q(&(bi + shift))).unwrap())
                    .collect();
                let sum = e[0].add(&e[1]).add(&e[2]);
                e[0].div(&sum)
            };
            let diff = soft(&q(3, 2)).sub(&soft(&q(0, 1)));
            assert_eq!(diff.is_zero(), Some(true));
            assert_eq!(soft(&q(0, 1)).is_zero(), Some(false));
        });
    }

    #[test]
    fn a_denominator_that_divides_another_is_divided_out_exactly() {
        // (1 + E)³ / (1 + E) = 1 + 2E + E²; E² + 1 does not divide (1 + E)³.
        let one_plus_e: Poly = vec![(0, q(1, 1)), (1, q(1, 1))];
        let cube = mul_polys(&mul_polys(&one_plus_e, &one_plus_e).unwrap(), &one_plus_e).unwrap();
        assert_eq!(
            quotient(&cube, &one_plus_e),
            Some(vec![(0, q(1, 1)), (1, q(2, 1)), (2, q(1, 1))])
        );
        assert_eq!(quotient(&cube, &vec![(0, q(1, 1)), (2, q(1, 1))]), None);
        // A sum over powers of one denominator keeps the larger, not their product:
        // 1/(1 + E) + 1/(1 + E)² = (2 + E)/(1 + E)².
        let a = Frac::new(vec![(0, q(1, 1))], one_plus_e.clone()).unwrap();
        let b = Frac::new(
            vec![(0, q(1, 1))],
            mul_polys(&one_plus_e, &one_plus_e).unwrap(),
        )
        .unwrap();
        let sum = a.add(&b, 1).unwrap();
        assert_eq!(sum.num, vec![(0, q(2, 1)), (1, q(1, 1))]);
        assert_eq!(sum.den, mul_polys(&one_plus_e, &one_plus_e).unwrap());
        // Its value, checked against the sum of the two in floats at E = e.
        let e = std::f64::consts::E;
        ExpField::with_denominator(1, || {
            let v = sum.to_f64();
            assert!((v - (1.0 / (1.0 + e) + 1.0 / ((1.0 + e) * (1.0 + e)))).abs() < 1e-12);
        });
    }

    #[test]
    fn the_bounds_of_e_hold_it_tightly() {
        // e = 2.718281828459045235360287471352662497757…, e^(1/2) = 1.648721270700128146848…
        for (d, digits) in [
            (1u64, "2718281828459045235360287471352662497757"),
            (2, "1648721270700128146848650787814163571653"),
        ] {
            let (lo, hi) = e_bounds(d, 128);
            let scale = Q::from(Integer::power_of_2(128u64));
            let truth = Q::from(Integer::from_str(digits).unwrap())
                / Q::from(Integer::from(10u32).pow(39u64));
            let (lo, hi) = (Q::from(lo) / &scale, Q::from(hi) / &scale);
            // The 40 digits are within 10⁻³⁹ of the value: the bounds hold it, and are tight.
            let ulp = Q::from(1u32) / Q::from(Integer::from(10u32).pow(39u64));
            assert!(lo <= &truth + &ulp && truth <= &hi + &ulp, "{d}");
            assert!(
                &hi - &lo < Q::from(1u32) / Q::from(Integer::power_of_2(120u64)),
                "{d}"
            );
        }
    }

    #[test]
    fn a_sign_that_is_not_rational_is_decided_exactly() {
        let one = || ExpField::of_q(&Q::from(1u32));
        ExpField::with_denominator(2, || {
            // 1 − 2σ(½) = 1 − 2/(1 + e^(−½)) ≈ −0.2449: negative, |·| its negation.
            let sigma =
                one().div(&one().add(&ExpField::func("exp", &ExpField::of_q(&q(-1, 2))).unwrap()));
            let v = one().sub(&ExpField::of_q(&q(2, 1)).mul(&sigma));
            assert!(v.lt(&ExpField::of_q(&q(0, 1))));
            assert!(!ExpField::of_q(&q(0, 1)).lt(&v));
            assert_eq!(v.abs(), v.neg());
            assert!((v.to_f64() + 0.244918662403709).abs() < 1e-12);
        });
        ExpField::with_denominator(1, || {
            // 1 − tanh(200) = 2/(e⁴⁰⁰ + 1) ≈ 3.8·10⁻¹⁷⁴: past 192 bits, decided in 1024.
            let t = ExpField::func("tanh", &ExpField::of_q(&q(200, 1))).unwrap();
            let (less, clean) = Exact::untainted(|| t.lt(&one()) && !one().lt(&t));
            assert!(less && clean);
            // A sign the fixed point cannot resolve is not guessed: 1 − tanh(5000) is below
            // 2⁻⁴⁰⁹⁶ (about e⁻¹⁰⁰⁰⁰), so the comparison taints the evaluation.
            let far = ExpField::func("tanh", &ExpField::of_q(&q(5000, 1))).unwrap();
            let (_, clean) = Exact::untainted(|| far.lt(&one()));
            assert!(!clean);
        });
    }

    #[test]
    fn tanh_is_odd_and_its_square_is_one_less_its_derivative() {
        ExpField::with_denominator(10, || {
            let t = |x: Q| ExpField::func("tanh", &ExpField::of_q(&x)).unwrap();
            assert_eq!(t(q(3, 10)).add(&t(q(-3, 10))).is_zero(), Some(true));
            let c = ExpField::func("cosh", &ExpField::of_q(&q(3, 10))).unwrap();
            // 1 − tanh² = 1/cosh².
            let lhs = ExpField::of_q(&q(1, 1)).sub(&t(q(3, 10)).powi(2));
            assert_eq!(lhs.sub(&c.powi(-2)).is_zero(), Some(true));
            assert_eq!(t(q(3, 10)).to_q(), None);
            assert!((t(q(3, 10)).to_f64() - 0.3f64.tanh()).abs() < 1e-14);
        });
    }

    #[test]
    fn an_exponent_off_the_grid_is_asked_for_and_none_is_guessed() {
        let (value, wanted) = ExpField::with_denominator(2, || {
            (
                ExpField::func("exp", &ExpField::of_q(&q(1, 3))).unwrap(),
                ExpField::wanted(),
            )
        });
        assert_eq!(value, ExpField(None));
        assert_eq!(wanted, Natural::from(6u32));
        ExpField::with_denominator(6, || {
            let e = ExpField::func("exp", &ExpField::of_q(&q(1, 3))).unwrap();
            let log = ExpField::func("log", &e).unwrap();
            assert_eq!(log.to_q(), Some(q(1, 3)));
            // A comparison of a value that is not rational is decided exactly: e^(1/3) > 1.
            let (less, clean) = Exact::untainted(|| e.lt(&ExpField::of_q(&q(1, 1))));
            assert!(!less && clean);
        });
    }
}
