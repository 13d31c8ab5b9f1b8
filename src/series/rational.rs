//! Truncated power series with rational coefficients over one common denominator: the fast path
//! of [`super::power::Series`] at high order.
//!
//! The series of tanh, sin, atan and exp composed at 0 have rational coefficients of hundreds to
//! thousands of bits. The recurrences of `power.rs` cost O(n²) products of such rationals, each
//! with its gcds. Here a series is integer numerators over one denominator, so a product of two
//! series is one product of two big integers (Kronecker substitution: the coefficients are packed
//! into the slots of one integer, multiplied by malachite's fast multiplication, and unpacked), and
//! the functions are computed by Newton iteration, which costs a few products at doubling
//! precision. The denominator is reduced after every operation, so a series is canonical
//! (gcd of the numerators and the denominator is 1), and its coefficients convert back to the same
//! reduced rationals as the recurrences give.

use crate::algebra::{Q, Scalar};
use malachite_base::num::arithmetic::traits::{
    DivExact, DivisibleBy, Gcd, Lcm, PowerOf2, Square, UnsignedAbs,
};
use malachite_base::num::basic::traits::{One, Zero};
use malachite_base::num::logic::traits::SignificantBits;
use malachite_nz::integer::Integer;
use malachite_nz::natural::Natural;
use malachite_nz::platform::Limb;

/// Below this many coefficients in the shorter factor a product is formed term by term: packing
/// and unpacking cost more than they save.
const KRONECKER_MIN_LEN: usize = 6;

/// The first `len` coefficients of `a·b` over the integers (missing coefficients are zero).
///
/// Leading zero coefficients are shifted out first, and when both factors are even or odd
/// functions (every other coefficient zero, as for tanh and sin composed) the product is formed
/// in t², on half the coefficients.
pub fn mul_truncated(a: &[Integer], b: &[Integer], len: usize) -> Vec<Integer> {
    let mut out = vec![Integer::ZERO; len];
    let (Some(va), Some(vb)) = (
        a.iter().position(|c| *c != 0u32),
        b.iter().position(|c| *c != 0u32),
    ) else {
        return out;
    };
    if va + vb >= len {
        return out;
    }
    let room = len - va - vb;
    let a = trim_end(&a[va..a.len().min(va + room)]);
    let b = trim_end(&b[vb..b.len().min(vb + room)]);
    let square = std::ptr::eq(a, b);
    let even = |x: &[Integer]| x.iter().skip(1).step_by(2).all(|c| *c == 0u32);
    let step = if even(a) && (square || even(b)) { 2 } else { 1 };
    let xa: Vec<&Integer> = a.iter().step_by(step).collect();
    let xb: Vec<&Integer> = b.iter().step_by(step).collect();
    let product = product(&xa, &xb, room.div_ceil(step), square);
    for (i, c) in product.into_iter().enumerate() {
        out[va + vb + i * step] = c;
    }
    out
}

fn trim_end(a: &[Integer]) -> &[Integer] {
    let end = a.iter().rposition(|c| *c != 0u32).map_or(0, |i| i + 1);
    &a[..end]
}

/// The first `count` coefficients of `a·b` (both non-empty).
fn product(a: &[&Integer], b: &[&Integer], count: usize, square: bool) -> Vec<Integer> {
    let count = count.min(a.len() + b.len() - 1);
    if a.len().min(b.len()) < KRONECKER_MIN_LEN {
        return (0..count)
            .map(|k| {
                let mut s = Integer::ZERO;
                for i in k.saturating_sub(b.len() - 1)..=k.min(a.len() - 1) {
                    if *a[i] != 0u32 && *b[k - i] != 0u32 {
                        s += a[i] * b[k - i];
                    }
                }
                s
            })
            .collect();
    }
    // |c_k| ≤ min(len)·max|a|·max|b| < 2^(bits − 1): every coefficient fits a slot as a
    // balanced digit.
    let max_bits = |x: &[&Integer]| {
        x.iter()
            .map(|c| c.unsigned_abs_ref().significant_bits())
            .max()
            .unwrap_or(0)
    };
    let shorter = a.len().min(b.len()) as u64;
    let bits = max_bits(a) + max_bits(b) + shorter.significant_bits() + 1;
    let slot = bits.div_ceil(u64::from(Limb::BITS)) as usize;
    let x = pack(a, slot);
    let p = if square {
        (&x).square()
    } else {
        x * pack(b, slot)
    };
    unpack(p, slot, count)
}

/// Σ x_i·2^(i·slot·64), the positive and the negative coefficients packed apart and subtracted.
fn pack(xs: &[&Integer], slot: usize) -> Integer {
    let mut pos: Vec<Limb> = vec![0; xs.len() * slot];
    let mut neg: Option<Vec<Limb>> = None;
    for (i, x) in xs.iter().enumerate() {
        let dst = if **x < 0u32 {
            neg.get_or_insert_with(|| vec![0; xs.len() * slot])
        } else {
            &mut pos
        };
        for (j, l) in x.unsigned_abs_ref().limbs().enumerate() {
            dst[i * slot + j] = l;
        }
    }
    let p = Integer::from(Natural::from_owned_limbs_asc(pos));
    match neg {
        Some(n) => p - Integer::from(Natural::from_owned_limbs_asc(n)),
        None => p,
    }
}

/// The balanced digits of `p` in base 2^(slot·64): each slot read as r, and r ≥ 2^(w−1) taken
/// as r − 2^w with a borrow into the next slot.
fn unpack(p: Integer, slot: usize, count: usize) -> Vec<Integer> {
    let negative = p < 0u32;
    let limbs = p.unsigned_abs().into_limbs_asc();
    let width = u64::from(Limb::BITS) * slot as u64;
    let mut carry = false;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let lo = (k * slot).min(limbs.len());
        let hi = ((k + 1) * slot).min(limbs.len());
        let mut r = Natural::from_limbs_asc(&limbs[lo..hi]);
        if carry {
            r += Natural::ONE;
        }
        carry = r.significant_bits() >= width;
        let c = if carry {
            Integer::from(r) - Integer::power_of_2(width)
        } else {
            Integer::from(r)
        };
        out.push(if negative { -c } else { c });
    }
    out
}

/// `Σ num_k/den·t^k`, truncated after `num.len()` coefficients, with gcd(num…, den) = 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatSeries {
    num: Vec<Integer>,
    den: Natural,
}

/// The precisions of a Newton iteration that ends at `len`: each about twice the one before,
/// the first at most `base`.
pub fn newton_steps(len: usize, base: usize) -> Vec<usize> {
    let mut steps = vec![len];
    let mut m = len;
    while m > base.max(1) {
        m = m.div_ceil(2);
        steps.push(m);
    }
    steps.reverse();
    steps
}

impl RatSeries {
    /// The series, when every coefficient is a plain rational.
    pub fn from_scalars(coeffs: &[Scalar]) -> Option<RatSeries> {
        let qs: Vec<&Q> = coeffs.iter().map(|c| c.as_q()).collect::<Option<_>>()?;
        let mut den = Natural::ONE;
        for q in &qs {
            let d = q.denominator_ref();
            if *d != 1u32 && *d != den {
                den = (&den).lcm(d);
            }
        }
        let num = qs
            .iter()
            .map(|q| {
                let scaled = q.numerator_ref() * (&den).div_exact(q.denominator_ref());
                Integer::from_sign_and_abs(**q >= 0u32, scaled)
            })
            .collect();
        Some(RatSeries { num, den })
    }

    /// The coefficients, each in lowest terms.
    pub fn to_scalars(&self) -> Vec<Scalar> {
        let den = Integer::from(&self.den);
        self.num
            .iter()
            .map(|c| Scalar::from_q(Q::from_integers_ref(c, &den)))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.num.len()
    }

    fn constant(c: i64, len: usize) -> RatSeries {
        let mut num = vec![Integer::ZERO; len.max(1)];
        num[0] = Integer::from(c);
        RatSeries {
            num,
            den: Natural::ONE,
        }
    }

    /// Divides the numerators and the denominator by their gcd.
    fn reduced(mut self) -> RatSeries {
        if self.den == 1u32 {
            return self;
        }
        if self.num.iter().all(|c| *c == 0u32) {
            self.den = Natural::ONE;
            return self;
        }
        // The gcd of the denominator and one combination Σ (k + 1)·num_k is a multiple of the
        // content's gcd, and almost always equal to it: one big gcd, then a divisibility test
        // per numerator, where a gcd per numerator costs several times more. A numerator the
        // candidate does not divide lowers it by a gcd, so the result is exact either way.
        let combination = (self.num.iter().enumerate())
            .filter(|(_, c)| **c != 0u32)
            .fold(Integer::ZERO, |acc, (k, c)| {
                acc + c * Integer::from(k as u64 + 1)
            });
        let mut g = (&self.den).gcd(combination.unsigned_abs_ref());
        for c in &self.num {
            if g == 1u32 {
                return self;
            }
            if *c != 0u32 && !c.unsigned_abs_ref().divisible_by(&g) {
                g = g.gcd(c.unsigned_abs_ref());
            }
        }
        if g == 1u32 {
            return self;
        }
        let gi = Integer::from(&g);
        for c in &mut self.num {
            if *c != 0u32 {
                *c = (&*c).div_exact(&gi);
            }
        }
        self.den = self.den.div_exact(&g);
        self
    }

    /// The first `len` coefficients (zeros past the end).
    pub fn truncated(&self, len: usize) -> RatSeries {
        let mut num: Vec<Integer> = self.num.iter().take(len).cloned().collect();
        num.resize(len, Integer::ZERO);
        // Not reduced: the next product or sum reduces.
        RatSeries {
            num,
            den: self.den.clone(),
        }
    }

    pub fn mul(&self, o: &RatSeries, len: usize) -> RatSeries {
        let num = if std::ptr::eq(self, o) {
            mul_truncated(&self.num, &self.num, len)
        } else {
            mul_truncated(&self.num, &o.num, len)
        };
        RatSeries {
            num,
            den: &self.den * &o.den,
        }
        .reduced()
    }

    /// `self + sign·o`, as long as the longer of the two.
    fn add_signed(&self, o: &RatSeries, negate: bool) -> RatSeries {
        let g = (&self.den).gcd(&o.den);
        let fa = Integer::from((&o.den).div_exact(&g));
        let fb = Integer::from((&self.den).div_exact(&g));
        let len = self.len().max(o.len());
        let zero = Integer::ZERO;
        let num = (0..len)
            .map(|k| {
                let a = self.num.get(k).unwrap_or(&zero);
                let b = o.num.get(k).unwrap_or(&zero);
                let bb = b * &fb;
                let aa = a * &fa;
                if negate { aa - bb } else { aa + bb }
            })
            .collect();
        RatSeries {
            num,
            den: &self.den * (&o.den).div_exact(&g),
        }
        .reduced()
    }

    pub fn add(&self, o: &RatSeries) -> RatSeries {
        self.add_signed(o, false)
    }

    pub fn sub(&self, o: &RatSeries) -> RatSeries {
        self.add_signed(o, true)
    }

    /// `c + s·self` for integers c and s.
    fn affine(&self, s: i64, c: i64) -> RatSeries {
        let s = Integer::from(s);
        let mut num: Vec<Integer> = self.num.iter().map(|x| x * &s).collect();
        num[0] += Integer::from(c) * Integer::from(&self.den);
        // Not reduced: the next product or sum reduces.
        RatSeries {
            num,
            den: self.den.clone(),
        }
    }

    /// The series times the rational `q`.
    pub fn scale(&self, q: &Q) -> RatSeries {
        let n = Integer::from_sign_and_abs(*q >= 0u32, q.numerator_ref().clone());
        RatSeries {
            num: self.num.iter().map(|x| x * &n).collect(),
            den: &self.den * q.denominator_ref(),
        }
        .reduced()
    }

    /// The derivative (one coefficient fewer, at least one).
    fn derivative(&self) -> RatSeries {
        let mut num: Vec<Integer> = (1..self.len())
            .map(|k| &self.num[k] * Integer::from(k as u64))
            .collect();
        if num.is_empty() {
            num.push(Integer::ZERO);
        }
        // Not reduced: the next product reduces.
        RatSeries {
            num,
            den: self.den.clone(),
        }
    }

    /// The antiderivative with constant term 0 (one coefficient more).
    fn integral(&self) -> RatSeries {
        let len = self.len() as u64;
        let l = (2..=len).fold(Natural::ONE, |l, k| l.lcm(Natural::from(k)));
        let mut num = Vec::with_capacity(self.len() + 1);
        num.push(Integer::ZERO);
        for (k, c) in self.num.iter().enumerate() {
            num.push(c * Integer::from((&l).div_exact(Natural::from(k as u64 + 1))));
        }
        RatSeries {
            num,
            den: &self.den * l,
        }
        .reduced()
    }

    /// 1/self to `len` coefficients, when the constant term is not zero (Newton:
    /// r ← r + r·(1 − self·r), doubling the precision). `None` when the budget runs out.
    pub fn recip(&self, len: usize) -> Option<RatSeries> {
        let a0 = &self.num[0];
        if *a0 == 0u32 {
            return None;
        }
        let r = RatSeries {
            num: vec![Integer::from_sign_and_abs(*a0 > 0u32, self.den.clone())],
            den: a0.unsigned_abs(),
        }
        .reduced();
        self.recip_from(r, len)
    }

    /// 1/self to `len` coefficients from `r`, its first coefficients.
    fn recip_from(&self, mut r: RatSeries, len: usize) -> Option<RatSeries> {
        for m in newton_steps(len, 1) {
            if m <= r.len() {
                continue;
            }
            if crate::limits::interrupted() {
                return None;
            }
            let e = self.truncated(m).mul(&r, m).affine(-1, 1);
            r = r.truncated(m).add(&r.mul(&e, m));
        }
        Some(r.truncated(len))
    }

    /// ∫ self′/(1 + s·self²) with constant term 0: atan (s = 1) or atanh (s = −1) of a series
    /// without constant term, to the series' length.
    fn atan_like(&self, s: i64) -> Option<RatSeries> {
        let len = self.len();
        if len < 2 {
            return Some(RatSeries::constant(0, len));
        }
        let m = len - 1;
        let short = self.truncated(m);
        let w = short.mul(&short, m).affine(s, 1);
        Some(self.derivative().mul(&w.recip(m)?, m).integral())
    }

    /// atan of a series without constant term.
    pub fn atan(&self) -> Option<RatSeries> {
        self.atan_like(1)
    }

    /// log(self) − log(self₀): ∫ self′/self.
    fn log_tail(&self) -> Option<RatSeries> {
        let len = self.len();
        if len < 2 {
            return Some(RatSeries::constant(0, len));
        }
        let m = len - 1;
        Some(
            self.derivative()
                .mul(&self.truncated(m).recip(m)?, m)
                .integral(),
        )
    }

    /// exp of a series without constant term, from `base` (exp to its own length, computed by
    /// the caller's recurrence): g ← g + g·(self − log g).
    pub fn exp(&self, base: RatSeries) -> Option<RatSeries> {
        let mut g = base;
        for &m in &newton_steps(self.len(), g.len())[1..] {
            if crate::limits::interrupted() {
                return None;
            }
            g = g.truncated(m);
            let d = self.truncated(m).sub(&g.log_tail()?);
            g = g.add(&g.mul(&d, m));
        }
        Some(g)
    }

    /// tan (s = 1) or tanh (s = −1) of a series without constant term, from `base` (the
    /// function to its own length): g ← g − (atan_s(g) − self)·(1 + s·g²).
    pub fn tan_like(&self, s: i64, base: RatSeries) -> Option<RatSeries> {
        Some(self.tan_like_with_recip(s, base)?.0)
    }

    /// [`RatSeries::tan_like`], and the first coefficients of 1/(1 + s·g²). The reciprocal is
    /// carried from one Newton step to the next: a step computes it from g known to p
    /// coefficients, so it holds to p + 1 coefficients (g has no constant term) and is the
    /// start of the next step's reciprocal.
    fn tan_like_with_recip(&self, s: i64, base: RatSeries) -> Option<(RatSeries, RatSeries)> {
        let mut g = base;
        let len = g.len();
        let w = g.mul(&g, len).affine(s, 1);
        let mut r = w.truncated(len.max(2) - 1).recip(len.max(2) - 1)?;
        let mut valid = r.len();
        for &m in &newton_steps(self.len(), g.len())[1..] {
            if crate::limits::interrupted() {
                return None;
            }
            let known = g.len();
            g = g.truncated(m);
            let w = g.mul(&g, m).affine(s, 1);
            r = w.truncated(m - 1).recip_from(r.truncated(valid), m - 1)?;
            valid = (known + 1).min(r.len());
            let atan_g = g.derivative().mul(&r, m - 1).integral();
            let d = atan_g.sub(&self.truncated(m));
            g = g.sub(&d.mul(&w, m));
        }
        Some((g, r.truncated(valid)))
    }

    /// (sin, cos) of a series without constant term, from t = tan(self/2):
    /// sin = 2t/(1 + t²), cos = 2/(1 + t²) − 1.
    pub fn sin_cos(&self, base: RatSeries) -> Option<(RatSeries, RatSeries)> {
        let half = self.scale(&Q::from_signeds(1, 2));
        let (t, r) = half.tan_like_with_recip(1, base)?;
        let len = t.len();
        let r = t.mul(&t, len).affine(1, 1).recip_from(r, len)?;
        let sin = t.mul(&r, len).scale(&Q::from(2));
        let cos = r.affine(2, -1).reduced();
        Some((sin, cos))
    }

    /// `outer(self)` by Horner's rule, when `self` has no constant term.
    pub fn compose(outer: &RatSeries, inner: &RatSeries) -> Option<RatSeries> {
        let len = inner.len();
        let mut out = RatSeries::constant(0, len);
        for k in (0..outer.len()).rev() {
            if crate::limits::interrupted() {
                return None;
            }
            out = out.mul(inner, len);
            let mut c = RatSeries::constant(0, len);
            c.num[0] = outer.num[k].clone();
            c.den = outer.den.clone();
            out = out.add(&c.reduced());
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Vec<Integer> {
        v.iter().map(|x| Integer::from(*x)).collect()
    }

    fn schoolbook(a: &[Integer], b: &[Integer], len: usize) -> Vec<Integer> {
        (0..len)
            .map(|k| {
                let mut s = Integer::ZERO;
                for i in 0..=k {
                    if let (Some(x), Some(y)) = (a.get(i), b.get(k - i)) {
                        s += x * y;
                    }
                }
                s
            })
            .collect()
    }

    use crate::series::Rng;

    impl Rng {
        fn integer(&mut self, bits: u32) -> Integer {
            let limbs = (bits as usize).div_ceil(64).max(1);
            let v: Vec<Limb> = (0..limbs).map(|_| self.next()).collect();
            let n = Natural::from_owned_limbs_asc(v) >> (limbs as u64 * 64 - u64::from(bits));
            match self.next() % 4 {
                0 => Integer::ZERO,
                1 => -Integer::from(n),
                _ => Integer::from(n),
            }
        }
    }

    #[test]
    fn kronecker_products_equal_schoolbook_products() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..300 {
            let la = (rng.next() % 70) as usize;
            let lb = (rng.next() % 70) as usize;
            let bits = 1 + (rng.next() % 300) as u32;
            let mut a: Vec<Integer> = (0..la).map(|_| rng.integer(bits)).collect();
            let mut b: Vec<Integer> = (0..lb).map(|_| rng.integer(1 + bits / 2)).collect();
            // Some factors odd or even functions, some with leading zeros, some all zero.
            if case % 3 == 0 {
                a.iter_mut().step_by(2).for_each(|c| *c = Integer::ZERO);
            }
            if case % 5 == 0 {
                b.iter_mut()
                    .skip(1)
                    .step_by(2)
                    .for_each(|c| *c = Integer::ZERO);
            }
            if case % 7 == 0 {
                a.iter_mut().take(3).for_each(|c| *c = Integer::ZERO);
            }
            if case % 11 == 0 {
                b.iter_mut().for_each(|c| *c = Integer::ZERO);
            }
            let len = (rng.next() % 140) as usize;
            assert_eq!(
                mul_truncated(&a, &b, len),
                schoolbook(&a, &b, len),
                "case {case}"
            );
            assert_eq!(
                mul_truncated(&a, &a, len),
                schoolbook(&a, &a, len),
                "square {case}"
            );
        }
    }

    #[test]
    fn balanced_digits_carry_across_slots() {
        // (2^64 − 1 − t)² and friends: coefficients at the edge of a slot.
        let big = Integer::from(u64::MAX);
        let a = vec![
            big.clone(),
            -big.clone(),
            big.clone(),
            -Integer::ONE,
            big.clone(),
            -big,
        ];
        let b: Vec<Integer> = a.iter().rev().cloned().collect();
        assert_eq!(mul_truncated(&a, &b, 11), schoolbook(&a, &b, 11));
        assert_eq!(mul_truncated(&a, &a, 11), schoolbook(&a, &a, 11));
        assert_eq!(mul_truncated(&ints(&[]), &a, 4), ints(&[0, 0, 0, 0]));
    }

    #[test]
    fn a_series_is_kept_in_lowest_terms() {
        let s = RatSeries::from_scalars(&[
            Scalar::ratio(1, 2),
            Scalar::ratio(-1, 6),
            Scalar::zero(),
            Scalar::ratio(3, 4),
        ])
        .unwrap();
        assert_eq!(s.den, Natural::from(12u32));
        assert_eq!(s.num, ints(&[6, -2, 0, 9]));
        let twice = s.add(&s);
        assert_eq!(twice.den, Natural::from(6u32));
        assert_eq!(
            twice.to_scalars(),
            vec![
                Scalar::one(),
                Scalar::ratio(-1, 3),
                Scalar::zero(),
                Scalar::ratio(3, 2)
            ]
        );
        let r = s.recip(6).unwrap();
        let one = s.mul(&r, 6);
        assert_eq!(one.to_scalars()[0], Scalar::one());
        assert!(one.to_scalars()[1..].iter().all(|c| c.is_zero()));
        assert_eq!(one.den, Natural::ONE);
    }
}
