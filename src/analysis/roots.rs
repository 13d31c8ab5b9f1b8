//! Real zeros of a coefficient that is a polynomial in one parameter, written with radicals:
//! what a condition (`the first non-affine terms vanish at λ = √2`) may name beyond the
//! rational zeros ([`rational_zeros`]). Each value is exact, and the caller confirms it
//! by substituting it into every coefficient.

use crate::algebra::scalar::{Atom, Mono};
use crate::algebra::{Q, Scalar};
use crate::syntax::Name;
use malachite_base::num::arithmetic::traits::Sign;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Highest degree read; a coefficient past it gives no zeros here.
const MAX_DEGREE: u64 = 64;

/// A polynomial with rational coefficients, lowest power first, without trailing zeros.
type Poly = Vec<Q>;

/// The real zeros of `s` as a polynomial in `p` (rational coefficients, degree ≤ 64) that are
/// left once its repeated factors, the factor pˡ and its rational zeros (those
/// [`rational_zeros`] finds) are divided out, when what is left is linear, a quadratic
/// with a positive discriminant (`(−b ± √Δ)/(2a)`) or a binomial `a·pⁿ + c` (`(−c/a)^(1/n)`, both
/// signs for an even n): `(λ² − 2)³` and `λ·(λ² − 2)` give ±√2. Ascending where there are two.
/// Rational values are among them when the rational root theorem was not tried (coefficients
/// past its bounds), and 0 when pˡ divides `s` but that theorem's list lacks it; the caller
/// skips values it has.
pub(crate) struct RadicalZeros {
    /// The rational zeros ([`rational_zeros`]), found first.
    pub rational: Vec<Q>,
    /// The zeros found, as above.
    pub values: Vec<Scalar>,
    /// Whether these and [`rational_zeros`] are every real zero of `s` in `p`: what
    /// was left was solved (or a number), so no real zero is missing. Then a coefficient
    /// vanishes at these values and at no other (λ² − 2 at ±√2 only; λ² + 1 nowhere).
    pub complete: bool,
}

impl RadicalZeros {
    /// The zeros of a product with another factor: both lists, each value once; complete when
    /// both are.
    fn absorb(&mut self, other: RadicalZeros) {
        self.complete &= other.complete;
        for r in other.rational {
            if !self.rational.contains(&r) {
                self.rational.push(r);
            }
        }
        for v in other.values {
            if !self.values.contains(&v) {
                self.values.push(v);
            }
        }
    }
}

pub(crate) fn radical_zeros(s: &Scalar, p: &Name) -> RadicalZeros {
    let Some(poly) = dense(s, p) else {
        return (zeros_under_roots(s, p).or_else(|| factor_zeros(s, p))).unwrap_or(RadicalZeros {
            rational: Vec::new(),
            values: Vec::new(),
            complete: false,
        });
    };
    let rational = rational_zeros(&poly);
    let mut poly = square_free(poly);
    // The factor pˡ: its zero is rational.
    let low = poly.iter().take_while(|c| **c == 0u32).count();
    poly.drain(..low);
    for r in &rational {
        if *r != 0u32
            && let Some(q) = divide_by_root(&poly, r)
        {
            poly = q;
        }
    }
    let (mut values, complete) = match solved(&poly) {
        Some(found) => found,
        None => in_a_power(poly),
    };
    if low > 0 && !rational.iter().any(|r| *r == 0u32) {
        values.insert(0, Scalar::zero());
    }
    RadicalZeros {
        rational,
        values,
        complete,
    }
}

/// The real zeros of a linear polynomial, a quadratic or a binomial (or none of a number), and
/// whether they are all of them; `None` for any other form.
fn solved(poly: &Poly) -> Option<(Vec<Scalar>, bool)> {
    Some(match poly.as_slice() {
        [_] => (Vec::new(), true),
        [c, a] => (vec![Scalar::from_q(-(c / a))], true),
        [c, b, a] => quadratic(c, b, a),
        [c, rest @ ..] if rest.len() >= 2 && rest[..rest.len() - 1].iter().all(|x| *x == 0u32) => {
            binomial(c, &rest[rest.len() - 1], rest.len() as u64)
        }
        _ => return None,
    })
}

/// A polynomial in pᵏ (k ≥ 2; `(λ² − 2)·(λ² − 3)` is y² − 5y + 6 in y = λ²): each rational zero
/// r of it in y gives the binomial pᵏ − r, whose real zeros are radicals; what is left once
/// those are divided out is solved as [`solved`] solves it. Complete when that is.
fn in_a_power(poly: Poly) -> (Vec<Scalar>, bool) {
    let exponents = (1..poly.len()).filter(|e| poly[*e] != 0u32);
    let k = exponents.fold(0, gcd_usize);
    if k < 2 {
        return (Vec::new(), false);
    }
    // q(y) = Σ c_{jk}·yʲ.
    let q: Poly = poly.iter().step_by(k).cloned().collect();
    let mut rest = poly;
    let mut values = Vec::new();
    for r in rational_zeros(&q) {
        // pᵏ − r divides what is left; its real zeros are r^(1/k), with both signs for an
        // even k (none for r < 0 then).
        let mut factor = vec![Q::from(0); k + 1];
        factor[0] = -r.clone();
        factor[k] = Q::from(1);
        let (quotient, remainder) = div_rem(&rest, &factor);
        if !remainder.is_empty() {
            return (Vec::new(), false);
        }
        rest = quotient;
        let (found, complete) = if r == 0u32 {
            (vec![Scalar::zero()], true)
        } else {
            binomial(&-r, &Q::from(1), k as u64)
        };
        if !complete {
            return (Vec::new(), false);
        }
        values.extend(found);
    }
    match solved(&rest) {
        Some((more, complete)) => {
            values.extend(more);
            (values, complete)
        }
        None => (values, false),
    }
}

fn gcd_usize(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd_usize(b, a % b) }
}

/// The rational zeros of a polynomial, ascending; empty (but for a zero at 0) when its
/// coefficients are too long or the candidates of the rational root theorem (± a divisor of
/// the lowest coefficient over one of the highest) too many to try.
fn rational_zeros(poly: &Poly) -> Vec<Q> {
    use malachite_base::num::arithmetic::traits::{Gcd, Lcm, Pow};
    use malachite_base::num::basic::traits::Zero;
    use malachite_nz::natural::Natural;
    const MAX_COEFFICIENT: u64 = 1 << 40;
    let by_power: BTreeMap<u64, &Q> = (poly.iter().enumerate())
        .filter(|(_, c)| **c != 0u32)
        .map(|(e, c)| (e as u64, c))
        .collect();
    let (Some((&low, _)), Some((&high, _))) =
        (by_power.first_key_value(), by_power.last_key_value())
    else {
        return Vec::new();
    };
    let mut zeros: Vec<Q> = if low > 0 { vec![Q::ZERO] } else { Vec::new() };
    if high == low {
        return zeros;
    }
    // The coefficients over one denominator and without their common factor, as whole
    // numbers: a zero a/b in lowest terms has a dividing the lowest and b the highest.
    let lcm = by_power
        .values()
        .fold(Natural::from(1u32), |l, c| l.lcm(c.denominator_ref()));
    let content = by_power.values().fold(Natural::ZERO, |g, c| {
        g.gcd((*c * Q::from(lcm.clone())).numerator_ref())
    });
    let scale = Q::from(lcm.clone()) / Q::from(content);
    let whole = |e: u64| -> Option<u64> {
        let c = *by_power.get(&e)? * &scale;
        u64::try_from(c.numerator_ref())
            .ok()
            .filter(|n| *n <= MAX_COEFFICIENT)
    };
    let (Some(a_low), Some(a_high)) = (whole(low), whole(high)) else {
        return Vec::new();
    };
    let divisors = |n: u64| -> Vec<u64> {
        let mut out = Vec::new();
        let mut i = 1u64;
        while i * i <= n {
            if n % i == 0 {
                out.push(i);
                if i != n / i {
                    out.push(n / i);
                }
            }
            i += 1;
        }
        out
    };
    let value_at = |x: &Q| -> Q {
        by_power
            .iter()
            .fold(Q::ZERO, |acc, (e, c)| acc + *c * x.clone().pow(*e))
    };
    // Candidates are pairs of divisors: past this many pairs (two highly composite ends),
    // none is tried rather than run past the budget.
    const MAX_CANDIDATES: usize = 20_000;
    let (nums, dens) = (divisors(a_low), divisors(a_high));
    if nums.len().saturating_mul(dens.len()) > MAX_CANDIDATES {
        return zeros;
    }
    for num in nums {
        if crate::limits::interrupted() {
            return zeros;
        }
        for den in &dens {
            let den = *den;
            for sign in [1i64, -1] {
                let x = Q::from(sign) * Q::from(num) / Q::from(den);
                if !zeros.contains(&x) && value_at(&x) == 0u32 {
                    zeros.push(x);
                }
            }
        }
    }
    zeros.sort();
    zeros
}

/// The real zeros of `s` in `p` where `p` occurs under roots (`√λ − 2`, `λ^(3/2) − 8`): with `q`
/// the least common denominator of its exponents, `s` is a polynomial in `μ = p^(1/q)`, whose
/// zeros [`radical_zeros`] finds, and `p = μ^q` for each `μ ≥ 0` (a principal root is never
/// negative, so `μ < 0` is no value of `p^(1/q)`). Complete when that polynomial's zeros are
/// and `q` is even: for an odd `q` a negative `p` has a real root too, which is not read here.
/// `None` when `p` has whole exponents only, a negative one, or a coefficient that is not
/// rational.
fn zeros_under_roots(s: &Scalar, p: &Name) -> Option<RadicalZeros> {
    use malachite_base::num::arithmetic::traits::Lcm;
    let by = s.coefficients_in(p);
    let mut q = malachite_nz::natural::Natural::from(1u32);
    for e in by.keys() {
        if *e < 0u32 {
            return None;
        }
        q = q.lcm(e.denominator_ref());
    }
    let q = u64::try_from(&q)
        .ok()
        .filter(|q| *q > 1 && *q <= MAX_DEGREE)?;
    let root = Scalar::param(p.clone());
    let mut in_mu = Scalar::zero();
    for (e, c) in &by {
        let c = c.as_q()?;
        in_mu = in_mu.add(&root.pow(&(e * Q::from(q))).ok()?.scale(c));
    }
    let z = radical_zeros(&in_mu, p);
    let power = |mu: &Scalar| Scalar::pow(mu, &Q::from(q)).ok();
    let mut complete = z.complete && q % 2 == 0;
    let mut rational = Vec::new();
    for mu in z.rational.iter().filter(|mu| **mu >= 0u32) {
        rational.push(power(&Scalar::from_q(mu.clone()))?.as_q()?.clone());
    }
    let mut values = Vec::new();
    for mu in &z.values {
        match crate::algebra::sign::sign(mu) {
            Some(Ordering::Less) => {}
            Some(_) => values.push(power(mu)?),
            // A root whose sign is not decided exactly is left out, and so the list is not
            // known to be complete.
            None => complete = false,
        }
    }
    Some(RadicalZeros {
        rational,
        values,
        complete,
    })
}

/// The real zeros in `p` of a coefficient that is one monomial, `c·∏ fᵢ^eᵢ`: the union of its
/// factors' zeros, read factor by factor. A power of `p` vanishes at 0; `|g|` and a group `g`
/// under a positive power and `sign(g)` where `g` does (its zeros by [`radical_zeros`]); `exp(g)` and a
/// negative power nowhere (½·|λ − 4| at λ = 4 only; from a review, which found "not worked
/// out" beside "W vanishes iff λ = 4"). Complete when every factor's zeros are, and no factor
/// free of `p` holds another parameter (μ·|λ − 4| vanishes at μ = 0 whatever λ). `None` for a
/// sum of monomials or a factor read no further (sin(λ)).
fn factor_zeros(s: &Scalar, p: &Name) -> Option<RadicalZeros> {
    let mut terms = s.terms();
    let (Some((mono, _)), None) = (terms.next(), terms.next()) else {
        return common_factor_zeros(s, p);
    };
    let mut out = RadicalZeros {
        rational: Vec::new(),
        values: Vec::new(),
        complete: true,
    };
    for (atom, e) in mono.factors() {
        let holds = match atom {
            Atom::Param(n) => n == p,
            Atom::Func(_, arg) | Atom::Group(arg) => arg.params().contains(p),
            _ => false,
        };
        if !holds {
            // A number is never 0; a factor in other parameters may be.
            if match atom {
                Atom::Param(_) => true,
                Atom::Func(_, arg) | Atom::Group(arg) => !arg.params().is_empty(),
                _ => false,
            } {
                out.complete = false;
            }
            continue;
        }
        if *e < 0u32 {
            continue;
        }
        let inner = match atom {
            Atom::Param(_) => {
                if !out.rational.iter().any(|r| *r == 0u32) {
                    out.rational.push(Q::from(0));
                }
                continue;
            }
            Atom::Func(f, _) if &**f == "exp" => continue,
            Atom::Func(f, arg) if matches!(&**f, "abs" | "sign") => arg,
            Atom::Group(arg) => arg,
            _ => return None,
        };
        out.absorb(radical_zeros(inner, p));
    }
    Some(out)
}

/// The real zeros in `p` of a sum whose terms share a factor holding `p` other than `p` itself
/// (the normal form writes `(λ − 1)²·|λ − 4|` as `λ²·|λ − 4| − 2·λ·|λ − 4| + |λ − 4|`): those
/// of the shared factor ([`factor_zeros`]) with those of what is left (from a review, λ = 4
/// was missed there, and both zeros of `(λ − 3)²·|λ − 4|`). `None` without such a factor.
fn common_factor_zeros(s: &Scalar, p: &Name) -> Option<RadicalZeros> {
    let holds = |a: &Atom| match a {
        Atom::Func(_, arg) | Atom::Group(arg) => arg.params().contains(p),
        _ => false,
    };
    let terms: Vec<&Mono> = s.terms().map(|(m, _)| m).collect();
    let (first, rest) = terms.split_first()?;
    let mut shared = Vec::new();
    for (atom, e) in first
        .factors()
        .iter()
        .filter(|(a, e)| holds(a) && *e > 0u32)
    {
        let mut least = e.clone();
        for m in rest {
            let f = m.factors().iter().find(|(b, f)| b == atom && *f > 0u32)?;
            least = least.min(f.1.clone());
        }
        shared.push((atom.clone(), least));
    }
    if shared.is_empty() {
        return None;
    }
    let factor = Scalar::monomial(Q::from(1), Mono::from_sorted_factors(shared));
    let left = s.div(&factor).ok()?;
    let mut out = factor_zeros(&factor, p)?;
    out.absorb(radical_zeros(&left, p));
    Some(out)
}

/// `s` without its content in `p`: the content `g` and the polynomial `f` with rational
/// coefficients such that `s = g·f`, `g` free of `p` and no number (`(λ − 1)·(μ − 4)` in λ is
/// `(μ − 4)·(λ − 1)`, `f = λ − 1`). `None` when the coefficients of the powers of `p` are not
/// all rational multiples of one of them, or are numbers already (`s` is then its own such
/// polynomial).
pub(crate) fn content_free(s: &Scalar, p: &Name) -> Option<(Scalar, Scalar)> {
    let by = s.coefficients_in(p);
    let (_, g) = by.iter().next()?;
    if by.len() < 2 || g.as_q().is_some() || g.params().contains(p) {
        return None;
    }
    let (_, lead) = g.terms().next()?;
    let mut f = Scalar::zero();
    for (e, c) in &by {
        let (_, first) = c.terms().next()?;
        let r = first / lead;
        if *c != g.scale(&r) {
            return None;
        }
        f = f.add(&Scalar::param(p.clone()).pow(e).ok()?.scale(&r));
    }
    Some((g.clone(), f))
}

/// Whether `g` is non-zero for every real value of its parameters: a polynomial in one
/// parameter with rational coefficients and no real zero (μ² + 1, 2·μ⁴ + 3), which the
/// solver shows by finding every real zero and none.
pub(crate) fn never_zero(g: &Scalar) -> bool {
    let params = g.params();
    let mut it = params.iter();
    let (Some(mu), None) = (it.next(), it.next()) else {
        return false;
    };
    if dense(g, mu).is_none_or(|poly| poly.first().is_some_and(|c| *c == 0u32)) {
        return false;
    }
    let z = radical_zeros(g, mu);
    z.rational.is_empty() && z.complete && z.values.is_empty()
}

/// `s` as a dense polynomial in `p`, when every coefficient is rational and every power a whole
/// number up to [`MAX_DEGREE`] (`None` for 0). Also what [`rational_zeros`] reads.
pub(super) fn dense(s: &Scalar, p: &Name) -> Option<Poly> {
    let mut poly: Poly = Vec::new();
    for (e, c) in s.coefficients_in(p) {
        let e = u64::try_from(&e).ok().filter(|e| *e <= MAX_DEGREE)? as usize;
        let c = c.as_q()?.clone();
        if poly.len() <= e {
            poly.resize(e + 1, Q::from(0));
        }
        poly[e] = c;
    }
    trim(&mut poly);
    (!poly.is_empty()).then_some(poly)
}

fn trim(p: &mut Poly) {
    while p.last().is_some_and(|c| *c == 0u32) {
        p.pop();
    }
}

fn derivative(p: &Poly) -> Poly {
    let mut d: Poly = (p.iter().enumerate().skip(1))
        .map(|(k, c)| c * Q::from(k as u64))
        .collect();
    trim(&mut d);
    d
}

/// Quotient and remainder of `a` by `b` (`b` non-zero).
fn div_rem(a: &Poly, b: &Poly) -> (Poly, Poly) {
    let mut rem = a.clone();
    let Some(lead) = b.last() else {
        return (Vec::new(), rem);
    };
    if a.len() < b.len() {
        return (Vec::new(), rem);
    }
    let mut quot = vec![Q::from(0); a.len() - b.len() + 1];
    for k in (0..quot.len()).rev() {
        let c = &rem[k + b.len() - 1] / lead;
        if c != 0u32 {
            for (j, bj) in b.iter().enumerate() {
                rem[k + j] -= &c * bj;
            }
        }
        quot[k] = c;
    }
    trim(&mut rem);
    trim(&mut quot);
    (quot, rem)
}

fn gcd(a: &Poly, b: &Poly) -> Poly {
    let (mut a, mut b) = (a.clone(), b.clone());
    while !b.is_empty() {
        let (_, r) = div_rem(&a, &b);
        a = std::mem::replace(&mut b, r);
    }
    a
}

/// `p` without repeated factors, monic: `p / gcd(p, p′)`.
fn square_free(p: Poly) -> Poly {
    let g = gcd(&p, &derivative(&p));
    let mut out = if g.len() <= 1 { p } else { div_rem(&p, &g).0 };
    if let Some(lead) = out.last().cloned() {
        out.iter_mut().for_each(|c| *c /= &lead);
    }
    out
}

/// `p / (x − r)` when `r` is a zero of `p`.
fn divide_by_root(p: &Poly, r: &Q) -> Option<Poly> {
    let (q, rem) = div_rem(p, &vec![-r.clone(), Q::from(1)]);
    rem.is_empty().then_some(q)
}

/// The real zeros of `a·x² + b·x + c` whose discriminant is positive, ascending, and whether
/// they are all its real zeros (none when the discriminant is negative; a square-free quadratic
/// has no zero discriminant, and one is not claimed solved).
fn quadratic(c: &Q, b: &Q, a: &Q) -> (Vec<Scalar>, bool) {
    let disc = b * b - Q::from(4) * a * c;
    match disc.sign() {
        Ordering::Less => return (Vec::new(), true),
        Ordering::Equal => return (Vec::new(), false),
        Ordering::Greater => {}
    }
    let Some(root) = nth_root(disc, 2) else {
        return (Vec::new(), false);
    };
    let two_a = Q::from(2) * a;
    let mid = Scalar::from_q(-(b / &two_a));
    // ±√Δ/(2a): the smaller value takes the sign that makes the offset negative.
    let offset = root.scale(&(Q::from(1) / two_a.clone()));
    let (low, high) = if two_a > 0u32 {
        (mid.sub(&offset), mid.add(&offset))
    } else {
        (mid.add(&offset), mid.sub(&offset))
    };
    (vec![low, high], true)
}

/// The real zeros of `a·xⁿ + c` (c ≠ 0), ascending, and whether they are all of them.
fn binomial(c: &Q, a: &Q, n: u64) -> (Vec<Scalar>, bool) {
    let x = -(c / a);
    match x.sign() {
        Ordering::Greater => match nth_root(x, n) {
            Some(r) if n % 2 == 0 => (vec![r.neg(), r], true),
            Some(r) => (vec![r], true),
            None => (Vec::new(), false),
        },
        // An odd root of a negative number is minus that of its absolute value.
        Ordering::Less if n % 2 == 1 => match nth_root(-x, n) {
            Some(r) => (vec![r.neg()], true),
            None => (Vec::new(), false),
        },
        // An even power is never negative: no real zero.
        Ordering::Less => (Vec::new(), true),
        Ordering::Equal => (Vec::new(), false),
    }
}

/// The positive n-th root of a positive rational, exact.
fn nth_root(x: Q, n: u64) -> Option<Scalar> {
    Scalar::from_q(x).pow(&Q::from_unsigneds(1u64, n)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Q {
        Q::from(n)
    }

    fn ascii(v: &[Scalar]) -> Vec<String> {
        v.iter().map(crate::print::scalar_ascii).collect()
    }

    fn zeros(coefficients: &[i64]) -> RadicalZeros {
        let lambda = Name::new("λ", "");
        let s = (coefficients.iter().enumerate()).fold(Scalar::zero(), |acc, (k, c)| {
            let power = Scalar::param(lambda.clone())
                .pow(&q(k as i64))
                .expect("a small power");
            acc.add(&power.scale(&q(*c)))
        });
        radical_zeros(&s, &lambda)
    }

    fn zeros_of(coefficients: &[i64]) -> Vec<String> {
        ascii(&zeros(coefficients).values)
    }

    /// `Σ cₖ·λ^(k/q)`.
    fn zeros_in_root(coefficients: &[i64], q: i64) -> RadicalZeros {
        let lambda = Name::new("λ", "");
        let s = (coefficients.iter().enumerate()).fold(Scalar::zero(), |acc, (k, c)| {
            let power = Scalar::param(lambda.clone())
                .pow(&(Q::from(k as i64) / Q::from(q)))
                .expect("a small power");
            acc.add(&power.scale(&Q::from(*c)))
        });
        radical_zeros(&s, &lambda)
    }

    #[test]
    fn zeros_under_a_root_are_those_of_the_root_that_is_not_negative() {
        // √λ − 2 = 0 at λ = 4 only; λ − 3·√λ + 2 = (√λ − 1)·(√λ − 2) at 1 and 4.
        let z = zeros_in_root(&[-2, 1], 2);
        assert_eq!((z.rational, z.complete), (vec![q(4)], true));
        let z = zeros_in_root(&[2, -3, 1], 2);
        assert_eq!((z.rational, z.complete), (vec![q(1), q(4)], true));
        // √λ + 2 and λ + √λ + 1 have no zero (√λ = −2 is no principal root): complete, empty.
        for c in [&[2, 1][..], &[1, 1, 1]] {
            let z = zeros_in_root(c, 2);
            assert!(
                z.rational.is_empty() && z.values.is_empty() && z.complete,
                "{c:?}"
            );
        }
        // λ − 2·√λ − 1: √λ = 1 + √2 (1 − √2 < 0 is dropped), so λ = 3 + 2·√2.
        let z = zeros_in_root(&[-1, -2, 1], 2);
        assert_eq!(ascii(&z.values), ["3 + 2*sqrt(2)"]);
        assert!(z.rational.is_empty() && z.complete);
        // λ^(1/3) − 2 at 8; a negative λ has a real cube root too, which is not read here.
        let z = zeros_in_root(&[-2, 1], 3);
        assert_eq!((z.rational, z.complete), (vec![q(8)], false));
    }

    #[test]
    fn complete_when_what_is_left_is_solved() {
        // λ² − 2, (λ − 1)·(λ² − 2), λ·(λ² − 2)³, λ³ + 2, −λ² + λ + 1; λ² + 1 and λ⁴ + 3 have
        // no real zero (nothing is missing); λ − 3 and λ·(λ − 1) only rational ones.
        for c in [
            &[-2, 0, 1][..],
            &[2, -2, -1, 1],
            &[0, -8, 0, 12, 0, -6, 0, 1],
            &[2, 0, 0, 1],
            &[1, 1, -1],
            &[1, 0, 1],
            &[3, 0, 0, 0, 1],
            &[-3, 1],
            &[0, -1, 1],
        ] {
            assert!(zeros(c).complete, "{c:?}");
        }
        // Polynomials in λ²: (λ² − 2)·(λ² − 3), (λ² − 2)·(λ² + 2) and (λ² − 2)·(λ² − 3)·(λ² − 5).
        assert_eq!(
            zeros_of(&[6, 0, -5, 0, 1]),
            ["-sqrt(2)", "sqrt(2)", "-sqrt(3)", "sqrt(3)"]
        );
        assert!(zeros(&[6, 0, -5, 0, 1]).complete);
        assert_eq!(zeros_of(&[-4, 0, 0, 0, 1]), ["-sqrt(2)", "sqrt(2)"]);
        assert!(zeros(&[-4, 0, 0, 0, 1]).complete);
        assert_eq!(zeros(&[-30, 0, 31, 0, -10, 0, 1]).values.len(), 6);
        assert!(zeros(&[-30, 0, 31, 0, -10, 0, 1]).complete);
        // λ⁴ − 10λ² + 1 (zeros ±√2 ± √3, nested radicals here): not solved.
        assert!(!zeros(&[1, 0, -10, 0, 1]).complete);
        // λ⁵ − λ − 1 and λ³ − 3λ + 1 (three real zeros, no radical form here): not solved.
        assert!(!zeros(&[-1, -1, 0, 0, 0, 1]).complete);
        assert!(!zeros(&[1, -3, 0, 1]).complete);
    }

    #[test]
    fn square_free_parts_and_rational_factors_are_divided_out() {
        // λ² − 2, (λ² − 2)³, λ·(λ² − 2), (λ − 1)·(λ² − 2): ±√2 each time.
        assert_eq!(zeros_of(&[-2, 0, 1]), ["-sqrt(2)", "sqrt(2)"]);
        assert_eq!(zeros_of(&[-8, 0, 12, 0, -6, 0, 1]), ["-sqrt(2)", "sqrt(2)"]);
        assert_eq!(zeros_of(&[0, -2, 0, 1]), ["-sqrt(2)", "sqrt(2)"]);
        assert_eq!(zeros_of(&[2, -2, -1, 1]), ["-sqrt(2)", "sqrt(2)"]);
        // A negative leading coefficient keeps the order ascending: −λ² + λ + 1.
        assert_eq!(
            zeros_of(&[1, 1, -1]),
            ["1/2 - (1/2)*sqrt(5)", "1/2 + (1/2)*sqrt(5)"]
        );
        // λ³ + 2, and λ² + 1 (no real zero), λ⁵ − λ − 1 (neither form).
        assert_eq!(zeros_of(&[2, 0, 0, 1]), ["-2^(1/3)"]);
        assert!(zeros_of(&[1, 0, 1]).is_empty());
        assert!(zeros_of(&[-1, -1, 0, 0, 0, 1]).is_empty());
    }

    #[test]
    fn polynomial_arithmetic_is_exact() {
        let p: Poly = vec![q(-2), q(0), q(1)];
        let cube = div_rem(&vec![q(-8), q(0), q(12), q(0), q(-6), q(0), q(1)], &p).0;
        assert_eq!(cube, vec![q(4), q(0), q(-4), q(0), q(1)]);
        assert_eq!(square_free(cube), p);
        assert_eq!(
            divide_by_root(&vec![q(-1), q(1), q(-2), q(2)], &q(1)),
            Some(vec![q(1), q(0), q(2)])
        );
        assert_eq!(divide_by_root(&p, &q(1)), None);
    }
}
