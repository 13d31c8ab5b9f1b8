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
    fn lift2(&self, o: &Exact, f: impl FnOnce(&Q, &Q) -> Option<Q>) -> Exact {
        match (&self.0, &o.0) {
            (Some(a), Some(b)) => Exact(f(a, b)),
            _ => Exact(None),
        }
    }
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
            _ => Exact(None),
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
