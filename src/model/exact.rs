//! Exact rationals as a [`Real`], so the numeric evaluator computes W and b exactly when it can.
//!
//! A value that has no exact rational (π, tanh(1/10), √2) is *inexact*; it poisons every result
//! it enters, and a comparison that reads one marks the evaluation as tainted, so a branch is
//! never chosen by a value that is not exact. The caller then falls back to a multi-precision
//! float and says so.

use crate::algebra::Q;
use crate::numeric::Real;
use malachite_base::num::arithmetic::traits::Pow;
use std::cell::Cell;

thread_local! {
    static TAINTED: Cell<bool> = const { Cell::new(false) };
}

/// An exact rational, or `None` when the value has no exact rational form here.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Exact(pub Option<Q>);

impl Exact {
    /// Runs `f` and reports whether some comparison in it read an inexact value.
    pub(crate) fn untainted<T>(f: impl FnOnce() -> T) -> (T, bool) {
        TAINTED.with(|t| t.set(false));
        let out = f();
        (out, !TAINTED.with(|t| t.get()))
    }
    /// Marks the evaluation that [`Exact::untainted`] runs as having read a value that is not
    /// exact (for the other exact types of this module's siblings).
    pub(crate) fn taint() {
        TAINTED.with(|t| t.set(true));
    }
    fn lift2(&self, o: &Exact, f: impl FnOnce(&Q, &Q) -> Option<Q>) -> Exact {
        match (&self.0, &o.0) {
            (Some(a), Some(b)) => Exact(f(a, b)),
            _ => Exact(None),
        }
    }
}

/// `a^e` for `e = p/q` where `a ≥ 0` is a rational whose q-th root is rational (the variance 1
/// of a layer norm at its operating point under `^(−1/2)`: from a review, W and b were said
/// to hold values that are not rational). None otherwise, a negative `a` included (its
/// principal root is not real).
fn exact_root_power(a: Option<&Q>, e: &Q) -> Option<Q> {
    use malachite_base::num::arithmetic::traits::CheckedRoot;
    let a = a?;
    let q = u64::try_from(e.denominator_ref())
        .ok()
        .filter(|q| *q <= 64)?;
    let p = i32::try_from(&(e * Q::from(q)))
        .ok()
        .filter(|p| p.unsigned_abs() <= 64)?;
    if *a < 0u32 {
        return None;
    }
    let root = Q::from_naturals(
        a.numerator_ref().checked_root(q)?,
        a.denominator_ref().checked_root(q)?,
    );
    Exact(Some(root)).powi(p).0
}

impl Real for Exact {
    const NAME: &'static str = "exact";
    const SIGNIFICAND_BITS: u32 = u32::MAX;
    fn of_f64(x: f64) -> Exact {
        Exact(Q::try_from(x).ok())
    }
    fn of_q(q: &Q) -> Exact {
        Exact(Some(q.clone()))
    }
    fn to_f64(&self) -> f64 {
        self.0.as_ref().map_or(f64::NAN, crate::float::q_to_f64)
    }
    fn to_q(&self) -> Option<Q> {
        self.0.clone()
    }
    fn add(&self, o: &Exact) -> Exact {
        self.lift2(o, |a, b| Some(a + b))
    }
    fn sub(&self, o: &Exact) -> Exact {
        self.lift2(o, |a, b| Some(a - b))
    }
    fn mul(&self, o: &Exact) -> Exact {
        self.lift2(o, |a, b| Some(a * b))
    }
    fn div(&self, o: &Exact) -> Exact {
        self.lift2(o, |a, b| (*b != 0u32).then(|| a / b))
    }
    fn neg(&self) -> Exact {
        Exact(self.0.as_ref().map(|a| -a))
    }
    fn abs(&self) -> Exact {
        Exact(
            self.0
                .as_ref()
                .map(|a| if *a < 0u32 { -a } else { a.clone() }),
        )
    }
    fn lt(&self, o: &Exact) -> bool {
        match (&self.0, &o.0) {
            (Some(a), Some(b)) => a < b,
            _ => {
                TAINTED.with(|t| t.set(true));
                false
            }
        }
    }
    fn powi(&self, k: i32) -> Exact {
        match &self.0 {
            Some(a) if k >= 0 => Exact(Some(a.pow(k as u64))),
            Some(a) if *a != 0u32 => Exact(Some(Q::from(1u32) / a.pow(k.unsigned_abs() as u64))),
            _ => Exact(None),
        }
    }
    fn powq(&self, e: &Q) -> Exact {
        match i32::try_from(e) {
            Ok(k) if k.unsigned_abs() <= 64 => self.powi(k),
            _ => Exact(exact_root_power(self.0.as_ref(), e)),
        }
    }
    fn pi() -> Exact {
        Exact(None)
    }
    fn e() -> Exact {
        Exact(None)
    }
    fn func(name: &str, x: &Exact) -> Option<Exact> {
        let a = x.0.as_ref()?;
        Some(match name {
            "abs" => x.abs(),
            "sign" => Exact(Some(Q::from(match a.partial_cmp(&Q::from(0u32)) {
                Some(std::cmp::Ordering::Less) => -1i32,
                Some(std::cmp::Ordering::Greater) => 1,
                _ => 0,
            }))),
            // The odd functions vanish at 0; exp and cos are 1 there.
            "tanh" | "sin" | "tan" | "atan" | "arctan" | "erf" if *a == 0u32 => {
                Exact(Some(Q::from(0u32)))
            }
            "exp" | "cos" if *a == 0u32 => Exact(Some(Q::from(1u32))),
            _ => Exact(None),
        })
    }
}

/// A value that holds for every value of the symbols left without one, as a [`Real`]: the
/// operating points that bound values force whatever the other weights are
/// (`W₂·tanh(b₁)` is 0 for every W₂ when b₁ = 0).
///
/// A symbol without a value is [`Forced::Free`]: some finite real. Only a product with an
/// exact 0 turns a free value into an exact one, so an exact result depends on no free
/// symbol; a division by what may be 0, a free value under a function with poles, or one
/// compared with another (which taints the evaluation, as [`Exact`] does) gives up. e, π and
/// their powers are [`Forced::Positive`], so that 1/(1 + e) stays finite.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Forced {
    /// The same rational for every value of the free symbols.
    Value(Q),
    /// A positive finite real (e, π, e^q, a sum and product of such, without an exact value).
    Positive,
    /// A finite real that the free symbols may move (or one without an exact rational form).
    Free,
    /// Possibly not a finite number (a division by 0, or by what may be 0).
    Undefined,
}

impl Forced {
    fn of_exact(x: Exact) -> Forced {
        x.0.map_or(Forced::Free, Forced::Value)
    }
    fn is_zero(&self) -> bool {
        matches!(self, Forced::Value(q) if *q == 0u32)
    }
    /// Certainly positive.
    fn is_positive(&self) -> bool {
        match self {
            Forced::Value(q) => *q > 0u32,
            Forced::Positive => true,
            _ => false,
        }
    }
    /// Certainly ≥ 0.
    fn is_nonnegative(&self) -> bool {
        self.is_positive() || self.is_zero()
    }
    /// Defined and finite at every finite real.
    fn total(name: &str) -> bool {
        matches!(
            name,
            "abs" | "sign" | "tanh" | "sin" | "cos" | "atan" | "arctan" | "erf" | "exp"
        )
    }
    fn finite(&self) -> bool {
        !matches!(self, Forced::Undefined)
    }
}

impl Real for Forced {
    const NAME: &'static str = "exact for every value of the free symbols";
    const SIGNIFICAND_BITS: u32 = u32::MAX;
    fn of_f64(x: f64) -> Forced {
        Q::try_from(x).map_or(Forced::Undefined, Forced::Value)
    }
    fn of_q(q: &Q) -> Forced {
        Forced::Value(q.clone())
    }
    fn to_f64(&self) -> f64 {
        match self {
            Forced::Value(q) => crate::float::q_to_f64(q),
            _ => f64::NAN,
        }
    }
    fn to_q(&self) -> Option<Q> {
        match self {
            Forced::Value(q) => Some(q.clone()),
            _ => None,
        }
    }
    fn add(&self, o: &Forced) -> Forced {
        match (self, o) {
            (Forced::Value(a), Forced::Value(b)) => Forced::Value(a + b),
            (a, b) if !a.finite() || !b.finite() => Forced::Undefined,
            (a, b) if a.is_nonnegative() && b.is_nonnegative() => Forced::Positive,
            _ => Forced::Free,
        }
    }
    fn sub(&self, o: &Forced) -> Forced {
        self.add(&o.neg())
    }
    fn mul(&self, o: &Forced) -> Forced {
        match (self, o) {
            (a, b) if !a.finite() || !b.finite() => Forced::Undefined,
            (a, b) if a.is_zero() || b.is_zero() => Forced::Value(Q::from(0u32)),
            (Forced::Value(a), Forced::Value(b)) => Forced::Value(a * b),
            (a, b) if a.is_positive() && b.is_positive() => Forced::Positive,
            _ => Forced::Free,
        }
    }
    fn div(&self, o: &Forced) -> Forced {
        match (self, o) {
            (_, b) if !b.finite() || b.is_zero() || *b == Forced::Free => Forced::Undefined,
            (a, _) if !a.finite() => Forced::Undefined,
            (Forced::Value(a), Forced::Value(b)) => Forced::Value(a / b),
            (a, _) if a.is_zero() => Forced::Value(Q::from(0u32)),
            (a, b) if a.is_positive() && b.is_positive() => Forced::Positive,
            _ => Forced::Free,
        }
    }
    fn neg(&self) -> Forced {
        match self {
            Forced::Value(q) => Forced::Value(-q),
            Forced::Positive => Forced::Free,
            x => x.clone(),
        }
    }
    fn abs(&self) -> Forced {
        match self {
            Forced::Value(q) => Forced::of_exact(Exact(Some(q.clone())).abs()),
            x => x.clone(),
        }
    }
    fn lt(&self, o: &Forced) -> bool {
        match (self, o) {
            (Forced::Value(a), Forced::Value(b)) => a < b,
            _ => {
                TAINTED.with(|t| t.set(true));
                false
            }
        }
    }
    fn powi(&self, k: i32) -> Forced {
        match self {
            Forced::Value(q) => match Exact(Some(q.clone())).powi(k) {
                Exact(Some(v)) => Forced::Value(v),
                Exact(None) => Forced::Undefined,
            },
            Forced::Positive => Forced::Positive,
            Forced::Free if k == 0 => Forced::Value(Q::from(1u32)),
            Forced::Free if k > 0 => Forced::Free,
            _ => Forced::Undefined,
        }
    }
    fn powq(&self, e: &Q) -> Forced {
        match (self, i32::try_from(e)) {
            (_, Ok(k)) if k.unsigned_abs() <= 64 => self.powi(k),
            (x, _) if x.is_positive() => Forced::Positive,
            (x, _) if x.is_zero() && *e > 0u32 => Forced::Value(Q::from(0u32)),
            _ => Forced::Undefined,
        }
    }
    fn exp_q(q: &Q) -> Forced {
        if *q == 0u32 {
            Forced::Value(Q::from(1u32))
        } else {
            Forced::Positive
        }
    }
    fn at_unknown_point(x: &Forced, total: &dyn Fn() -> bool) -> Option<Forced> {
        Some(if x.finite() && total() {
            Forced::Free
        } else {
            Forced::Undefined
        })
    }
    fn pi() -> Forced {
        Forced::Positive
    }
    fn e() -> Forced {
        Forced::Positive
    }
    fn func(name: &str, x: &Forced) -> Option<Forced> {
        Some(match x {
            Forced::Value(q) => match Exact::func(name, &Exact(Some(q.clone())))? {
                Exact(Some(v)) => Forced::Value(v),
                Exact(None) if name == "exp" => Forced::Positive,
                Exact(None) if Forced::total(name) => Forced::Free,
                Exact(None) if name == "sqrt" && *q > 0u32 => Forced::Positive,
                Exact(None) if name == "log" && *q > 0u32 => Forced::Free,
                Exact(None) => Forced::Undefined,
            },
            Forced::Positive | Forced::Free if name == "exp" => Forced::Positive,
            Forced::Positive if name == "sqrt" => Forced::Positive,
            Forced::Positive if name == "log" => Forced::Free,
            Forced::Positive | Forced::Free if Forced::total(name) => Forced::Free,
            _ => Forced::Undefined,
        })
    }
}

#[cfg(test)]
mod forced_tests {
    use super::*;

    fn v(n: i32) -> Forced {
        Forced::Value(Q::from(n))
    }

    #[test]
    fn only_an_exact_zero_fixes_a_free_value() {
        assert_eq!(v(0).mul(&Forced::Free), v(0));
        assert_eq!(Forced::Free.mul(&v(0)), v(0));
        assert_eq!(Forced::Free.mul(&v(2)), Forced::Free);
        assert_eq!(Forced::Free.sub(&Forced::Free), Forced::Free);
        assert_eq!(Forced::Free.add(&v(0)), Forced::Free);
        assert_eq!(Forced::Free.powi(0), v(1));
    }

    #[test]
    fn what_may_not_be_finite_is_not_absorbed() {
        let undefined = v(1).div(&Forced::Free);
        assert_eq!(undefined, Forced::Undefined);
        assert_eq!(v(0).mul(&undefined), Forced::Undefined);
        assert_eq!(v(1).div(&v(0)), Forced::Undefined);
        assert_eq!(Forced::Free.powi(-1), Forced::Undefined);
        assert_eq!(Forced::func("log", &Forced::Free), Some(Forced::Undefined));
        assert_eq!(Forced::func("log", &v(0)), Some(Forced::Undefined));
        assert_eq!(Forced::func("tanh", &Forced::Free), Some(Forced::Free));
        assert_eq!(Forced::func("tanh", &v(0)), Some(v(0)));
        assert_eq!(Forced::of_f64(f64::NAN), Forced::Undefined);
        assert_eq!(Forced::Free.div(&Forced::Free), Forced::Undefined);
    }

    #[test]
    fn powers_of_e_stay_finite_and_positive() {
        // σ″(1) = e(e − 1)/(1 + e)³: finite, and 0 times it is 0.
        let e = Forced::e();
        let denominator = v(1).add(&e).powi(3);
        assert_eq!(denominator, Forced::Positive);
        let value = e.mul(&e.sub(&v(1))).div(&denominator);
        assert_eq!(value, Forced::Free);
        assert_eq!(v(0).mul(&value), v(0));
        assert_eq!(Forced::exp_q(&Q::from(-1)), Forced::Positive);
        assert_eq!(v(1).div(&e.neg()), Forced::Undefined);
        assert_eq!(Forced::func("log", &e), Some(Forced::Free));
    }

    #[test]
    fn a_comparison_of_a_free_value_taints() {
        let (_, clean) = Exact::untainted(|| Forced::Free.lt(&v(0)));
        assert!(!clean);
        let (less, clean) = Exact::untainted(|| v(-1).lt(&v(0)));
        assert!(less && clean);
    }
}

#[cfg(test)]
mod root_tests {
    use super::*;

    #[test]
    fn a_rational_root_is_exact_and_others_are_not() {
        let q = |n: i64, d: u64| Q::from_signeds(n, d as i64);
        let root = |a: Q, e: Q| exact_root_power(Some(&a), &e);
        assert_eq!(root(q(1, 1), q(-1, 2)), Some(q(1, 1)));
        assert_eq!(root(q(9, 4), q(-3, 2)), Some(q(8, 27)));
        assert_eq!(root(q(8, 27), q(2, 3)), Some(q(4, 9)));
        assert_eq!(root(q(0, 1), q(1, 2)), Some(q(0, 1)));
        assert_eq!(root(q(0, 1), q(-1, 2)), None);
        assert_eq!(root(q(2, 1), q(1, 2)), None);
        // The principal root of a negative number is not real, an odd one included.
        assert_eq!(root(q(-8, 1), q(1, 3)), None);
        // Through the trait: the layer norm's variance 1 under ^(−1/2).
        assert_eq!(Exact(Some(q(1, 4))).powq(&q(-1, 2)).0, Some(q(2, 1)));
    }
}
