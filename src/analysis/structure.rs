//! Whether a network is affine in its input by its form alone: the input occurs in no
//! activation's argument or parameter, no power and no comparison, and no product or Hadamard
//! product holds it in two factors (`W·x + tanh(b₁)`, `tanh(b₁)∘x + W₂·x`, a network that does
//! not read its input). Such a network is affine at every order, which no expansion to a
//! finite order can show: the search for a first non-affine term would run to its limit
//! (unless the network is a polynomial, whose expansion ends and is then decided exactly).

use crate::algebra::Symbol;
use crate::ir::visit::{Step, Visitor, visit, walk};
use crate::ir::{Callee, FunDef, Ir, IrKind, lower::children};
use std::collections::HashMap;
use std::convert::Infallible;
use std::rc::Rc;

/// How a sub-expression depends on the input.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Degree {
    /// Not at all.
    Free,
    /// Affinely: a constant plus a linear function of it.
    Affine,
    /// Otherwise, or not known to be affine (`tanh(x)`, `xᵀ·x`, `x∘x`).
    Other,
}

/// What the form of a network says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Form {
    /// Affine in the input by its form (see the module).
    pub affine: bool,
    /// A polynomial in its symbols: no function, comparison or power other than a whole
    /// number, so its expansion ends at some order (where it is decided exactly).
    pub polynomial: bool,
}

/// What the form of `ir` says of its dependence on `input`. Linear in the size of the
/// expression: a binding used many times is walked once.
pub(crate) fn form(ir: &Ir, input: &Symbol) -> Form {
    let w = Walk {
        input,
        values: Vec::new(),
        bound: HashMap::new(),
        polynomial: true,
        definitions: HashMap::new(),
    };
    match visit(ir, w) {
        Ok((d, polynomial)) => Form {
            affine: d <= Degree::Affine,
            polynomial,
        },
        Err(never) => match never {},
    }
}

struct Walk<'a> {
    input: &'a Symbol,
    /// The degrees of the children seen and not yet taken by their parent.
    values: Vec<Degree>,
    /// The degree of each binding's value already walked.
    bound: HashMap<*const Ir, Degree>,
    /// No function, comparison or power other than a whole number met so far.
    polynomial: bool,
    /// Whether each definition met is a polynomial in its variable.
    definitions: HashMap<*const FunDef, bool>,
}

/// Whether a definition's body is a polynomial in its variable (`square(t) = t^2`,
/// `linear(t; λ) = λ·t`), the definitions it calls too: its series ends, so a network of it
/// is decided exactly by expanding far enough.
fn polynomial_definition(d: &Rc<FunDef>, seen: &mut HashMap<*const FunDef, bool>) -> bool {
    if let Some(p) = seen.get(&Rc::as_ptr(d)) {
        return *p;
    }
    let mut polynomial = true;
    walk(&d.body, |ir| {
        let ok = match ir.kind() {
            IrKind::Apply {
                callee: Callee::Def(inner),
                ..
            } => polynomial_definition(inner, seen),
            IrKind::Apply { .. } | IrKind::If { .. } => false,
            IrKind::Pow(_, q) => *q >= 0u32 && q.denominator_ref() == &1u32,
            _ => true,
        };
        polynomial &= ok;
        if ok { Step::Descend } else { Step::Stop }
    });
    seen.insert(Rc::as_ptr(d), polynomial);
    polynomial
}

impl Walk<'_> {
    /// The degrees of the last `n` children, in order.
    fn take(&mut self, n: usize) -> Vec<Degree> {
        let at = self.values.len().saturating_sub(n);
        self.values.split_off(at)
    }
}

/// A product (ordered or Hadamard) is affine when at most one factor holds the input, affinely.
fn product(factors: &[Degree]) -> Degree {
    let holding = factors.iter().filter(|d| **d != Degree::Free).count();
    match factors.iter().max() {
        Some(Degree::Other) => Degree::Other,
        _ if holding >= 2 => Degree::Other,
        Some(d) => *d,
        None => Degree::Free,
    }
}

impl Visitor for Walk<'_> {
    type Output = (Degree, bool);
    type Err = Infallible;

    fn visit_pre(&mut self, ir: &Ir) -> Result<Step, Infallible> {
        Ok(match ir.kind() {
            IrKind::Bound { value, .. } if self.bound.contains_key(&Rc::as_ptr(value)) => {
                Step::Skip
            }
            _ => Step::Descend,
        })
    }

    fn visit_post(&mut self, ir: &Ir) -> Result<(), Infallible> {
        let kind = ir.kind();
        if let IrKind::Bound { value, .. } = kind
            && let Some(d) = self.bound.get(&Rc::as_ptr(value))
        {
            // Skipped: its children pushed nothing.
            let d = *d;
            self.values.push(d);
            return Ok(());
        }
        match kind {
            IrKind::Apply {
                callee: Callee::Def(d),
                ..
            } if polynomial_definition(d, &mut self.definitions) => {}
            IrKind::Apply { .. } | IrKind::If { .. } | IrKind::Var => self.polynomial = false,
            IrKind::Pow(_, q) if !(*q >= 0u32 && q.denominator_ref() == &1u32) => {
                self.polynomial = false
            }
            _ => {}
        }
        let parts = self.take(children(kind).len());
        let all_free = parts.iter().all(|d| *d == Degree::Free);
        let first = parts.first().copied().unwrap_or(Degree::Free);
        let d = match kind {
            IrKind::Sym(s) if s == self.input => Degree::Affine,
            IrKind::Sym(_)
            | IrKind::Num(_)
            | IrKind::Pi
            | IrKind::E
            | IrKind::Param(_)
            | IrKind::Len
            | IrKind::Ones => Degree::Free,
            // A function's variable: only in bodies, which are not walked here.
            IrKind::Var => Degree::Other,
            IrKind::Sum(_) => parts.iter().copied().max().unwrap_or(Degree::Free),
            IrKind::Neg(_) | IrKind::Diag(_) | IrKind::Transpose(_) => first,
            IrKind::Mul(_) | IrKind::Had(_) => product(&parts),
            IrKind::Pow(_, q) if first == Degree::Free || *q == 1u32 => first,
            IrKind::HadPow(_, n) if first == Degree::Free || *n == 1 => first,
            IrKind::Pow(..) | IrKind::HadPow(..) => Degree::Other,
            IrKind::Apply { .. } | IrKind::If { .. } if all_free => Degree::Free,
            IrKind::Apply { .. } | IrKind::If { .. } => Degree::Other,
            IrKind::Bound { value, .. } => {
                self.bound.insert(Rc::as_ptr(value), first);
                first
            }
        };
        self.values.push(d);
        Ok(())
    }

    fn finish(mut self) -> Result<(Degree, bool), Infallible> {
        Ok((self.values.pop().unwrap_or(Degree::Other), self.polynomial))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_of(src: &str) -> Form {
        let session = crate::session::Session::new();
        let e = crate::syntax::parse_expr(src, &session.options.limits).expect("parses");
        let l = crate::ir::lower_expr(&e, &session.env).expect("lowers");
        let x = crate::algebra::Symbol {
            role: crate::algebra::nf::Role::User,
            name: crate::syntax::Name::new("x", ""),
            kind: crate::algebra::Kind::Vector,
        };
        form(&l.ir, &x)
    }

    fn affine(src: &str) -> bool {
        form_of(src).affine
    }

    #[test]
    fn the_input_outside_every_activation_and_linear_is_affine() {
        for src in [
            "W·x + tanh(b1)",
            "tanh(b1)∘x + W2·x",
            "tanh(a + v0) + tanh(a + v1)",
            "diag(tanh(b1))·(W·x)ᵀᵀ",
            "2·x - x",
        ] {
            assert!(affine(src), "{src}");
        }
        for src in ["tanh(W·x)", "x∘x", "xᵀ·x", "(W·x)^∘2", "W·x + relu(x)"] {
            assert!(!affine(src), "{src}");
        }
    }

    #[test]
    fn a_polynomial_has_no_function_and_whole_powers_only() {
        let polynomial = |src: &str| form_of(src).polynomial;
        assert!(polynomial("a∘(W1·x) + b"));
        assert!(polynomial("(xᵀ·x)^2·b + W·x"));
        assert!(!polynomial("W·x + tanh(b1)"));
        assert!(polynomial("W·x + square(b1) + linear(b2; λ = 2)"));
        assert!(!polynomial("W·x + softplus(b1)"));
        assert!(!polynomial("(bᵀ·b)^(-1)·x"));
    }
}
