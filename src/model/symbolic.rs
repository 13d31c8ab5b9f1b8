//! The network at its bound values written out exactly, entry by entry, in the input's
//! entries: a [`Real`] whose values are exact constants with the input's entries as symbols
//! (x₀ + ξ with ξ₁, …, ξₙ parameters of a [`Scalar`]).
//!
//! What the expansion does not see, an identity of the values, the written-out form can: two
//! equal rows of W₁ give one atom tanh(ξ₁ + 2·ξ₂) twice, which W₂ = [1, −1] takes from
//! itself; a zero matrix leaves nothing of the layer before it. When every output entry is an
//! affine function of ξ by its form (no ξ under a function or a group, degree at most 1), the
//! network is exactly affine there: a scalar reaches its canonical form by identities alone
//! (the algebra's, which hold for a parameter of any real value), so an affine form is a
//! proof. The converse is not claimed: a form that is not affine decides nothing.
//!
//! A comparison (a piecewise activation's branch) is decided only between constants, by their
//! exact sign; one that reads the input, or a sign the exact test leaves open, taints the
//! evaluation ([`Exact::untainted`]) and the route gives up: piecewise-linear networks have
//! their own exact route (`region`).

use super::exact::Exact;
use crate::algebra::scalar::Atom;
use crate::algebra::{Kind, Q, Scalar, ScalarError};
use crate::analysis::instance::AffineWrittenOut;
use crate::float::Real;
use crate::ir::{Callee, Env, Lowered};
use crate::numeric::Val;
use crate::syntax::Name;
use std::collections::{BTreeMap, BTreeSet};

/// The most terms a value may have: past it the value is dropped and the route gives up.
const MAX_TERMS: usize = 4096;

/// The most products of terms one multiplication may form.
const MAX_PAIRS: usize = 1 << 20;

/// The longest input written out entry by entry (each entry of a first layer is a sum of this
/// many terms).
pub(crate) const MAX_INPUTS: usize = 64;

/// An exact value in the input's entries, or none (too large, or not defined by its form).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Symbolic(pub Option<Scalar>);

impl Symbolic {
    fn of(s: Result<Scalar, ScalarError>) -> Symbolic {
        Symbolic(
            s.ok()
                .filter(|s| s.len() <= MAX_TERMS && !crate::limits::interrupted()),
        )
    }
    fn lift2(
        &self,
        o: &Symbolic,
        f: impl FnOnce(&Scalar, &Scalar) -> Result<Scalar, ScalarError>,
    ) -> Symbolic {
        match (&self.0, &o.0) {
            (Some(a), Some(b)) => Symbolic::of(f(a, b)),
            _ => Symbolic(None),
        }
    }
    /// The value when it holds no parameter (no entry of the input).
    fn constant(&self) -> Option<&Scalar> {
        self.0.as_ref().filter(|s| s.params().is_empty())
    }
}

impl Real for Symbolic {
    const NAME: &'static str = "exact, in the input's entries";
    const SIGNIFICAND_BITS: u32 = u32::MAX;
    fn of_f64(x: f64) -> Symbolic {
        Symbolic(Q::try_from(x).ok().map(Scalar::from_q))
    }
    fn of_q(q: &Q) -> Symbolic {
        Symbolic(Some(Scalar::from_q(q.clone())))
    }
    fn to_f64(&self) -> f64 {
        (self.constant())
            .and_then(|s| s.to_f64(&|_| None))
            .unwrap_or(f64::NAN)
    }
    fn to_q(&self) -> Option<Q> {
        self.0.as_ref().and_then(Scalar::to_q)
    }
    fn add(&self, o: &Symbolic) -> Symbolic {
        self.lift2(o, |a, b| Ok(a.add(b)))
    }
    fn sub(&self, o: &Symbolic) -> Symbolic {
        self.lift2(o, |a, b| Ok(a.sub(b)))
    }
    fn mul(&self, o: &Symbolic) -> Symbolic {
        self.lift2(o, |a, b| {
            if a.len().saturating_mul(b.len()) > MAX_PAIRS {
                return Err(ScalarError::TooLarge("too many products".into()));
            }
            Ok(a.mul(b))
        })
    }
    fn div(&self, o: &Symbolic) -> Symbolic {
        self.lift2(o, |a, b| a.div(b))
    }
    fn neg(&self) -> Symbolic {
        Symbolic(self.0.as_ref().map(Scalar::neg))
    }
    fn abs(&self) -> Symbolic {
        Symbolic(self.0.as_ref().map(Scalar::abs))
    }
    fn lt(&self, o: &Symbolic) -> bool {
        match (self.constant(), o.constant()) {
            (Some(a), Some(b)) => match a.sub(b).sign() {
                Some(order) => order == std::cmp::Ordering::Less,
                None => {
                    Exact::taint();
                    false
                }
            },
            _ => {
                Exact::taint();
                false
            }
        }
    }
    fn powi(&self, k: i32) -> Symbolic {
        Symbolic::of(
            self.0
                .as_ref()
                .map_or(Err(ScalarError::DivisionByZero), |a| a.pow(&Q::from(k))),
        )
    }
    fn powq(&self, e: &Q) -> Symbolic {
        Symbolic::of((self.0.as_ref()).map_or(Err(ScalarError::DivisionByZero), |a| a.pow(e)))
    }
    fn exp_q(q: &Q) -> Symbolic {
        Symbolic(Some(Scalar::e_pow(q.clone())))
    }
    fn pi() -> Symbolic {
        Symbolic(Some(Scalar::pi()))
    }
    fn e() -> Symbolic {
        Symbolic(Some(Scalar::e_pow(Q::from(1u32))))
    }
    fn func(name: &str, x: &Symbolic) -> Option<Symbolic> {
        let arg = x.0.as_ref()?;
        Some(Symbolic::of(Scalar::func(name, arg)))
    }
}

/// Whether `l` (the network as written, its input `input` of length `x0.len()`) is exactly
/// affine near `x0` at the values `env` binds, by the form of its outputs. None: some symbol
/// other than the input or a scalar parameter has no value, the input is too long
/// ([`MAX_INPUTS`]), an output is not affine by its form, or the evaluation gives up.
pub(crate) fn affine_written_out(
    l: &Lowered,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    input: &Name,
    x0: &[Q],
) -> Option<AffineWrittenOut> {
    let n = x0.len();
    if n == 0 || n > MAX_INPUTS || !super::instance::drawable_params(l).is_empty() {
        return None;
    }
    let (symbol, shape) = l.symbols.iter().find(|(s, _)| &s.name == input)?;
    let others_bound =
        (l.symbols.keys()).all(|s| &s.name == input || env.values.contains_key(&s.name));
    if !others_bound || !matches!(symbol.kind, Kind::Vector | Kind::Scalar) {
        return None;
    }
    let xi: Vec<Name> = (1..=n).map(|i| Name::new("ξ#", &i.to_string())).collect();
    let entries: Vec<Symbolic> = (x0.iter().zip(&xi))
        .map(|(c, p)| {
            Symbolic(Some(
                Scalar::from_q(c.clone()).add(&Scalar::param(p.clone())),
            ))
        })
        .collect();
    let mut inst = super::instance::instance::<Symbolic>(&l.symbols, env, functions);
    let value = match symbol.kind {
        Kind::Scalar if n == 1 => Val::S(entries[0].clone()),
        Kind::Vector => {
            inst.dims.insert(shape.rows.clone(), n);
            Val::V(entries)
        }
        _ => return None,
    };
    inst.symbols.insert(symbol.clone(), value);
    let (y, clean) = Exact::untainted(|| crate::numeric::eval_ir(&l.ir, &mut inst));
    let y = y.ok().filter(|_| clean)?;
    let outputs = y.entries();
    let inputs: BTreeSet<Name> = xi.into_iter().collect();
    (outputs.iter())
        .all(|v| v.0.as_ref().is_some_and(|s| affine_in(s, &inputs)))
        .then_some(AffineWrittenOut {
            inputs: n,
            outputs: outputs.len(),
        })
}

/// How [`term_zero_written_out`] decides a term is 0, as the reports say it.
pub(crate) const WRITTEN_OUT_ZERO: &str = "decided exactly: written out in the input's entries at these values, it is 0 by its form, by the algebra's identities alone";

/// Whether the first non-affine term of `a` (or `term`) is 0 at the bound values by its form,
/// written out in the input's entries: `Wo·|W₁·x|` with two equal rows of W₁ and Wo = [1, −1]
/// is |ξ₁ − ξ₂| − |ξ₁ − ξ₂| = 0, which no polynomial test reads (it holds |·| of the input).
/// A term of order k is homogeneous of degree k in the input, so 0 by its form is 0. False
/// where it is not 0 by its form, or is not written out (a symbol without a value, a value that
/// is not exact, an input longer than [`MAX_INPUTS`]).
pub(crate) fn term_zero_written_out(
    l: &Lowered,
    a: &crate::analysis::Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    term: &crate::algebra::Expr,
) -> bool {
    let bound = super::instance::unbound_symbols(a, env).all(|(s, _)| s.name == a.input.name);
    if term.is_zero() || !bound || !super::instance::drawable_params(l).is_empty() {
        return false;
    }
    let (zero, clean) = Exact::untainted(|| {
        let (mut inst, _, n) = super::instance::at_operating_points::<Symbolic>(a, env, functions)
            .ok()
            .filter(|(_, _, n)| (1..=MAX_INPUTS).contains(n))?;
        let rows = inst.dim(&l.ir.shape().rows);
        let xi: Vec<Symbolic> = (1..=n)
            .map(|i| Symbolic(Some(Scalar::param(Name::new("ξ#", &i.to_string())))))
            .collect();
        let value = match a.input.kind {
            Kind::Vector => Val::V(xi),
            Kind::Scalar if n == 1 => Val::S(xi[0].clone()),
            _ => return None,
        };
        inst.symbols.insert(a.input.clone(), value);
        let v = crate::numeric::eval_expr(term, &mut inst, rows).ok()?;
        Some((v.entries().iter()).all(|e| e.0.as_ref().is_some_and(Scalar::is_zero)))
    });
    clean && zero == Some(true)
}

/// Whether `s` is affine in the parameters `inputs` by its form: each term holds at most one of
/// them, to the power 1, and none under a function or a group.
fn affine_in(s: &Scalar, inputs: &BTreeSet<Name>) -> bool {
    s.terms().all(|(m, _)| {
        let mut linear = 0;
        let factors_ok = m.factors().iter().all(|(atom, e)| match atom {
            Atom::Param(p) if inputs.contains(p) => {
                linear += 1;
                *e == 1u32
            }
            Atom::Func(_, arg) | Atom::Group(arg) => arg.params().is_disjoint(inputs),
            _ => true,
        });
        factors_ok && linear <= 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(i: usize) -> Scalar {
        Scalar::param(Name::new("ξ#", &i.to_string()))
    }

    fn inputs(n: usize) -> BTreeSet<Name> {
        (1..=n).map(|i| Name::new("ξ#", &i.to_string())).collect()
    }

    #[test]
    fn affine_forms_are_read_and_others_are_not() {
        let two = Scalar::from_int(2);
        let t = Scalar::func("tanh", &x(1).add(&x(2).mul(&two))).unwrap();
        // tanh(ξ₁ + 2ξ₂) − tanh(ξ₁ + 2ξ₂) + 3ξ₁ + tanh(1): affine.
        let cancels = t
            .sub(&t)
            .add(&x(1).scale(&Q::from(3)))
            .add(&Scalar::func("tanh", &Scalar::one()).unwrap());
        assert!(affine_in(&cancels, &inputs(2)));
        assert!(!affine_in(&t, &inputs(2)));
        assert!(!affine_in(&x(1).mul(&x(2)), &inputs(2)));
        assert!(!affine_in(&x(1).mul(&x(1)), &inputs(2)));
        let root = x(1).pow(&Q::from_signeds(1, 2)).unwrap();
        assert!(!affine_in(
            &root.mul(&root.clone()).sub(&x(1)).add(&root),
            &inputs(2)
        ));
        // A sum of the input under a power is a group: not affine by its form.
        let group = x(1).add(&Scalar::one()).inverse().unwrap();
        assert!(!affine_in(&group, &inputs(2)));
    }

    #[test]
    fn comparisons_read_only_constants() {
        let (less, clean) = Exact::untainted(|| {
            Symbolic(Some(Scalar::from_int(-1))).lt(&Symbolic(Some(Scalar::pi())))
        });
        assert!(less && clean);
        let (_, clean) =
            Exact::untainted(|| Symbolic(Some(x(1))).lt(&Symbolic(Some(Scalar::zero()))));
        assert!(!clean);
    }
}
