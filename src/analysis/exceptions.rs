//! Values of a parameter where a cancellation the identity test found may fail.
//!
//! The probabilistic identity test draws parameters at random, so it decides what holds for
//! almost every value. A function with a jump or a kink applied to the parameters alone
//! (`sign(λ)`, `|λ − 2|`, `relu(λ)`) makes a term that is 0 for almost every value non-zero
//! on a null set the draws never meet: `(sign(λ)² − 1)·(W₁·x)^∘2` vanishes for every λ but 0,
//! and `|sign(λ)·W₁·x| − |W₁·x|` is a kink there. The candidates are the zeros of such a
//! function's argument (and of the argument ∓ 1, hard_tanh's breakpoints, for functions
//! defined by pieces), each worked out exactly; the caller re-analyses the network at each
//! and keeps those where the verdict changes, as conditions.

use super::{Analysis, roots, solve_linear};
use crate::algebra::scalar::Atom;
use crate::algebra::{Expr, Q, Scalar};
use crate::ir::visit::{Step, Visitor, visit};
use crate::ir::{Ir, IrKind, Lowered};
use crate::syntax::Name;
use std::collections::{BTreeSet, HashSet};
use std::convert::Infallible;
use std::rc::Rc;

/// At most this many values are re-analysed: each costs a whole analysis.
const MAX_CANDIDATES: usize = 6;

/// The values of a parameter where a function with a breakpoint, applied to the parameters
/// alone, sits on a breakpoint; only when the identity test cancelled some terms (an exact
/// cancellation holds at every value).
pub(super) fn candidates(l: &Lowered, a: &Analysis) -> Vec<(Name, Scalar)> {
    if a.decision.identity_zeros.is_empty() {
        return Vec::new();
    }
    let defined = defined_with_breakpoints(&l.ir);
    let mut arguments = Vec::new();
    let mut seen = HashSet::new();
    let ex = &a.expansion;
    let mut walk = |e: &Expr| kink_arguments(e, &defined, &mut arguments, &mut seen);
    walk(&ex.layered);
    for ly in &ex.layers {
        walk(&ly.pre);
        walk(&ly.op_point);
        for (_, def) in ly.var.iter().chain(ly.whole.iter()) {
            walk(def);
        }
    }
    for k in &ex.constants {
        walk(&k.value);
    }
    let fixed = |p: &Name| ex.constants.iter().any(|k| k.name == *p) || ex.dims.contains(p);
    let mut out: Vec<(Name, Scalar)> = Vec::new();
    for (argument, offsets) in arguments {
        for p in argument.params().into_iter().filter(|p| !fixed(p)) {
            for d in offsets.iter() {
                let g = argument.sub(&Scalar::from_q(d.clone()));
                for v in zeros(&g, &p) {
                    if out.len() == MAX_CANDIDATES {
                        return out;
                    }
                    if !out.iter().any(|(q, w)| *q == p && *w == v) {
                        out.push((p.clone(), v));
                    }
                }
            }
        }
    }
    out
}

/// The real zeros of `g` in `p` that hold no other parameter: the one value of a linear `g`,
/// or the rational and radical zeros of a polynomial.
fn zeros(g: &Scalar, p: &Name) -> Vec<Scalar> {
    let free = |v: &Scalar| v.params().is_empty();
    if let Some((v, _)) = solve_linear(g, p) {
        return [v].into_iter().filter(free).collect();
    }
    if g.params().len() != 1 {
        return Vec::new();
    }
    let found = roots::radical_zeros(g, p);
    let mut out: Vec<Scalar> = found.rational.into_iter().map(Scalar::from_q).collect();
    out.extend(found.values.into_iter().filter(free));
    out
}

/// The names of the functions in `ir` that are defined by pieces (an `if`, or |·| or sign
/// inside): their scalar values jump or kink where their argument crosses a breakpoint.
fn defined_with_breakpoints(ir: &Ir) -> BTreeSet<String> {
    struct Names(BTreeSet<String>);
    impl Visitor for Names {
        type Output = BTreeSet<String>;
        type Err = Infallible;
        fn visit_pre(&mut self, ir: &Ir) -> Result<Step, Infallible> {
            if let IrKind::Apply { callee, .. } = ir.kind()
                && callee.has_breakpoints()
            {
                self.0.insert(callee.name());
            }
            Ok(Step::Descend)
        }
        fn finish(self) -> Result<BTreeSet<String>, Infallible> {
            Ok(self.0)
        }
    }
    visit(ir, Names(BTreeSet::new())).unwrap_or_default()
}

/// The arguments with parameters of the functions with breakpoints in `e`'s coefficients and
/// in its atoms' arguments, each with the offsets where its function has them: 0 for sign
/// and |·|; 0 and ±1 for a function defined by pieces (relu at 0, hard_tanh at ±1).
fn kink_arguments(
    e: &Expr,
    defined: &BTreeSet<String>,
    out: &mut Vec<(Scalar, Vec<Q>)>,
    seen: &mut HashSet<*const ()>,
) {
    for (c, s) in e.terms() {
        scalar_kink_arguments(s, defined, out);
        for f in c.factors() {
            if let crate::algebra::Factor::Atom(atom) = f
                && seen.insert(Rc::as_ptr(atom).cast())
            {
                for (_, p) in &atom.params {
                    scalar_kink_arguments(p, defined, out);
                }
                kink_arguments(&atom.arg, defined, out, seen);
            }
        }
    }
}

fn scalar_kink_arguments(s: &Scalar, defined: &BTreeSet<String>, out: &mut Vec<(Scalar, Vec<Q>)>) {
    for (m, _) in s.terms() {
        for (atom, _) in m.factors() {
            let (Atom::Func(_, arg) | Atom::Group(arg)) = atom else {
                continue;
            };
            scalar_kink_arguments(arg, defined, out);
            let Atom::Func(name, arg) = atom else {
                continue;
            };
            let offsets: Vec<Q> = match &**name {
                "sign" | "abs" => vec![Q::from(0)],
                n if defined.contains(n) => vec![Q::from(0), Q::from(1), Q::from(-1)],
                _ => continue,
            };
            if !arg.params().is_empty() && !out.iter().any(|(g, _)| g == &**arg) {
                out.push(((**arg).clone(), offsets));
            }
        }
    }
}
