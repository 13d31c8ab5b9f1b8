//! Values of a parameter where a cancellation the identity test found may fail.
//!
//! The probabilistic identity test draws parameters at random, so it decides what holds for
//! almost every value. `sign` or |·| of the parameters alone (`sign(λ)`, `|λ − 2|`) makes a
//! term that is 0 for almost every value non-zero on a null set the draws never meet:
//! `(sign(λ)² − 1)·(W₁·x)^∘2` vanishes for every λ but 0, and `|sign(λ)·W₁·x| − |W₁·x|` is a
//! kink there. The candidates are the zeros of such an argument, each worked out exactly; the
//! caller re-analyses the network at each and keeps those where the verdict changes, as
//! conditions, and says which parameters' values were not all examined.

use super::expand::{Layer, OpConstant};
use super::{Analysis, roots, solve_linear};
use crate::algebra::scalar::Atom;
use crate::algebra::{Expr, Scalar};
use crate::syntax::Name;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;

/// Past 2⁵² an f64 holds no point between two integers: breakpoints there are not drawn apart.
const F64_INTEGERS: f64 = 4_503_599_627_370_496.0;

/// At most this many values are re-analysed: each costs a whole analysis.
const MAX_CANDIDATES: usize = 8;

/// The values of a parameter where `sign` or |·| of the parameters alone sits on its
/// breakpoint, and the parameters whose such values were not all found (a zero the exact
/// solver does not reach, one that holds another parameter, past [`MAX_CANDIDATES`]); only
/// when the identity test cancelled some terms (an exact cancellation holds at every value).
pub(super) fn candidates(a: &Analysis) -> (Vec<(Name, Scalar)>, BTreeSet<Name>) {
    let mut unsought = BTreeSet::new();
    if a.decision.identity_zeros.is_empty() {
        return (Vec::new(), unsought);
    }
    let ex = &a.expansion;
    let arguments = arguments_in(&ex.layered, &ex.layers, &ex.constants);
    let fixed = |p: &Name| ex.constants.iter().any(|k| k.name == *p) || ex.dims.contains(p);
    let mut out: Vec<(Name, Scalar)> = Vec::new();
    for (p, values, complete) in breakpoints(&arguments, &fixed) {
        // Where the exact solver did not find every breakpoint, or one lies past where f64
        // places points apart ([`interval_points`] draws between them), the intervals the
        // draws meet are not all of them.
        let far = |v: &Scalar| {
            v.to_f64(&|_| None)
                .is_none_or(|x| !x.is_finite() || x.abs() > F64_INTEGERS)
        };
        if !complete || values.iter().any(far) {
            unsought.insert(p.clone());
        }
        for v in values {
            if out.iter().any(|(q, w)| *q == p && *w == v) {
                continue;
            }
            if out.len() == MAX_CANDIDATES {
                unsought.insert(p.clone());
                break;
            }
            out.push((p.clone(), v));
        }
    }
    (out, unsought)
}

/// The breakpoints of each parameter, worked out once for [`interval_points`]: the zeros of
/// the arguments of [`candidates`] and of the parameters' coefficients in the arguments of
/// bars and of piecewise layers, a factor in the other parameters set aside ((5 − λ)·(5 − μ)
/// at λ = 5); a value may hold the other parameters (10 − λ − μ at λ = 10 − μ).
pub(super) fn breakpoint_values(
    e: &Expr,
    layers: &[Layer],
    constants: &[OpConstant],
) -> Vec<(Name, Scalar)> {
    let fixed = |p: &Name| constants.iter().any(|k| k.name == *p);
    let mut arguments = arguments_in(e, layers, constants);
    // A sign changes across a pole too: 1 + λ⁻¹ is negative on (−1, 0) only (from a review:
    // |(1 + λ⁻¹)·u| − (1 + λ⁻¹)·|u| was exact-affine, its draws never in (−1, 0)).
    let poles: Vec<Scalar> = arguments.iter().flat_map(poles_of).collect();
    for pole in poles {
        if !arguments.contains(&pole) {
            arguments.push(pole);
        }
    }
    let mut out = Vec::new();
    for argument in &arguments {
        for p in argument.params().into_iter().filter(|p| !fixed(p)) {
            let primitive = roots::content_free(argument, &p).map_or(argument.clone(), |(_, f)| f);
            let values = match solve_linear(&primitive, &p) {
                Some((v, _)) => vec![v],
                None => zeros(&primitive, &p).0,
            };
            out.extend(values.into_iter().map(|v| (p.clone(), v)));
        }
    }
    out
}

/// What `s` divides by that holds a parameter: λ of λ⁻¹, 1 + λ of (1 + λ)⁻¹.
fn poles_of(s: &Scalar) -> Vec<Scalar> {
    let mut out = Vec::new();
    for (m, _) in s.terms() {
        for (atom, e) in m.factors() {
            if *e >= 0u32 {
                continue;
            }
            let pole = match atom {
                Atom::Param(n) => Scalar::param(n.clone()),
                Atom::Group(g) if !g.params().is_empty() => (**g).clone(),
                _ => continue,
            };
            if !out.contains(&pole) {
                out.push(pole);
            }
        }
    }
    out
}

/// For each parameter, values to draw it at: one in each interval its breakpoints
/// ([`breakpoint_values`], with the other parameters at their drawn values `drawn`) cut the
/// line into (below the least, between two, above the greatest), so that a cancellation that
/// holds on part of its range only is met where it fails, however narrow the part or far
/// from the random draws: `relu((5 − λ)·u) − (5 − λ)·relu(u)` is 0 for λ ≤ 5 and
/// (λ − 5)·|u| past 5, `relu((λ − 2)·(λ − 3)·u) − …` a kink on (2, 3) only. As floats: they
/// only choose where to draw.
pub(super) fn interval_points(
    breakpoints: &[(Name, Scalar)],
    drawn: &BTreeMap<Name, f64>,
) -> Vec<(Name, f64)> {
    let mut by_param: BTreeMap<Name, Vec<f64>> = BTreeMap::new();
    let at = |n: &Name| drawn.get(n).copied();
    for (p, v) in breakpoints {
        if let Some(x) = v.to_f64(&at).filter(|x| x.is_finite()) {
            by_param.entry(p.clone()).or_default().push(x);
        }
    }
    let mut out = Vec::new();
    for (p, mut xs) in by_param {
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let (Some(&least), Some(&greatest)) = (xs.first(), xs.last()) else {
            continue;
        };
        // A step past the extreme ones, as short as f64 keeps apart from them (10¹⁶ + 1 is
        // 10¹⁶): near, so that what decays past a breakpoint (1 − tanh(λ)) is still seen.
        let step = |x: f64| (x.abs() * 1e-9).max(1.0);
        let mut points = vec![least - step(least), greatest + step(greatest)];
        points.extend(xs.windows(2).map(|w| w[0] + (w[1] - w[0]) / 2.0));
        out.extend(points.into_iter().map(|x| (p.clone(), x)));
    }
    out
}

/// The arguments with parameters of `sign` and |·| in `e`, the layers and the constants, and
/// the coefficients with parameters in the arguments of bars and of piecewise layers, where
/// the small part's sign changes with a parameter's (|(5 − λ)·u|).
fn arguments_in(e: &Expr, layers: &[Layer], constants: &[OpConstant]) -> Vec<Scalar> {
    let mut arguments = Vec::new();
    let mut seen = HashSet::new();
    let mut walk = |e: &Expr, arguments: &mut Vec<Scalar>| kink_arguments(e, arguments, &mut seen);
    walk(e, &mut arguments);
    for ly in layers {
        walk(&ly.pre, &mut arguments);
        walk(&ly.op_point, &mut arguments);
        for (_, def) in ly.var.iter().chain(ly.whole.iter()) {
            walk(def, &mut arguments);
        }
        // A piecewise layer's small part changes sides where a coefficient of it does.
        if !ly.breakpoints.is_empty() || ly.callee.has_breakpoints() {
            coefficient_arguments(&ly.pre.sub(&ly.op_point), &mut arguments);
        }
    }
    for k in constants {
        walk(&k.value, &mut arguments);
    }
    arguments
}

/// Each argument's zeros in each of its parameters that `fixed` leaves free, with whether
/// they are all its real zeros.
fn breakpoints(
    arguments: &[Scalar],
    fixed: &dyn Fn(&Name) -> bool,
) -> Vec<(Name, Vec<Scalar>, bool)> {
    let mut out = Vec::new();
    for argument in arguments {
        for p in argument.params().into_iter().filter(|p| !fixed(p)) {
            let (values, complete) = zeros(argument, &p);
            out.push((p, values, complete));
        }
    }
    out
}

/// The coefficients with parameters of `e`'s terms, each an argument whose zero is a
/// breakpoint (|(5 − λ)·u| changes its form at λ = 5).
fn coefficient_arguments(e: &Expr, out: &mut Vec<Scalar>) {
    for (_, s) in e.terms() {
        if !s.params().is_empty() && !out.contains(s) {
            out.push(s.clone());
        }
    }
}

/// The real zeros of `g` in `p` that hold no other parameter (the one value of a linear `g`,
/// the rational and radical zeros of a polynomial), with whether they are all of them; where
/// they may not be, the simple values 0, 1 and −1 are tried too (sin(λ) at 0).
fn zeros(g: &Scalar, p: &Name) -> (Vec<Scalar>, bool) {
    let free = |v: &Scalar| v.params().is_empty();
    if let Some((v, only)) = solve_linear(g, p) {
        let complete = only && free(&v);
        return (free(&v).then_some(v).into_iter().collect(), complete);
    }
    let (mut out, complete) = if g.params().len() == 1 {
        let found = roots::radical_zeros(g, p);
        let mut out: Vec<Scalar> = found.rational.into_iter().map(Scalar::from_q).collect();
        let all_free = found.values.iter().all(free);
        out.extend(found.values.into_iter().filter(free));
        (out, found.complete && all_free)
    } else {
        (Vec::new(), false)
    };
    if !complete {
        for k in [0i64, 1, -1] {
            let v = Scalar::from_int(k);
            if !out.contains(&v) && g.substitute(p, &v).is_ok_and(|z| z.is_zero()) {
                out.push(v);
            }
        }
    }
    (out, complete)
}

/// The arguments with parameters of `sign` and |·| in `e`'s coefficients and in its atoms'
/// arguments, and the coefficients with parameters of the bars' arguments.
fn kink_arguments(e: &Expr, out: &mut Vec<Scalar>, seen: &mut HashSet<*const ()>) {
    for (c, s) in e.terms() {
        scalar_kink_arguments(s, out);
        for f in c.factors() {
            if let crate::algebra::Factor::Atom(atom) = f
                && seen.insert(Rc::as_ptr(atom).cast())
            {
                for (_, p) in &atom.params {
                    scalar_kink_arguments(p, out);
                }
                if atom.is_bar() {
                    coefficient_arguments(&atom.arg, out);
                }
                kink_arguments(&atom.arg, out, seen);
            }
        }
    }
}

fn scalar_kink_arguments(s: &Scalar, out: &mut Vec<Scalar>) {
    for (m, _) in s.terms() {
        for (atom, _) in m.factors() {
            let (Atom::Func(_, arg) | Atom::Group(arg)) = atom else {
                continue;
            };
            scalar_kink_arguments(arg, out);
            if matches!(atom, Atom::Func(name, _) if matches!(&**name, "sign" | "abs"))
                && !arg.params().is_empty()
                && !out.iter().any(|g| g == &**arg)
            {
                out.push((**arg).clone());
            }
        }
    }
}
