//! Shapes of normal-form terms, for the `[2×2 · 2×4 = 2×4]` annotations the lecture uses.

use crate::algebra::nf::{Chain, Factor, Role};
use crate::algebra::{Expr, Symbol};
use crate::ir::{Dim, Shape};
use std::collections::BTreeMap;

type Dims = (Dim, Dim);

fn known(s: &Shape) -> Option<Dims> {
    let ok = |d: &Dim| !matches!(d, Dim::Free(_));
    (ok(&s.rows) && ok(&s.cols)).then(|| (s.rows.clone(), s.cols.clone()))
}

fn factor_shape(f: &Factor, table: &BTreeMap<Symbol, Shape>) -> Option<Dims> {
    match f {
        Factor::Sym(s) if s.role == Role::User => known(table.get(s)?),
        Factor::Sym(_) | Factor::Ones | Factor::Eye => None,
        Factor::Diag(c) => {
            let (r, _) = chain_shape(c, table)?;
            Some((r.clone(), r))
        }
        Factor::Had(h) => chain_shape(&h.elements().first()?.0, table),
        Factor::Atom(a) => chain_shape(a.arg.terms().next()?.0, table),
        Factor::Tr(c) => chain_shape(c, table).map(|(r, c)| (c, r)),
        Factor::Dot(_) => Some((Dim::Known(1), Dim::Known(1))),
    }
}

/// The shape of a chain, when every factor's shape is known.
pub(crate) fn chain_shape(c: &Chain, table: &BTreeMap<Symbol, Shape>) -> Option<Dims> {
    let fs = c.factors();
    // Leading 1×1 factors scale; the rows are those of the first other factor.
    let lead = fs
        .iter()
        .find(|f| !matches!(f, Factor::Dot(_)))
        .or(fs.first())?;
    let first = factor_shape(lead, table)?;
    let last = factor_shape(fs.last()?, table)?;
    Some((first.0, last.1))
}

fn dims_text(d: &Dims) -> String {
    format!("{}×{}", d.0, d.1)
}

/// `2×2 · 2×4 + 2×1 = 2×4`: every term's factors, then the result (`None` when a shape is unknown).
pub fn equation(e: &Expr, table: &BTreeMap<Symbol, Shape>, max_terms: usize) -> Option<String> {
    let mut parts = Vec::new();
    let mut result = None;
    for (i, (c, _)) in e.terms().enumerate() {
        let shapes: Option<Vec<String>> = c
            .factors()
            .iter()
            .map(|f| factor_shape(f, table).map(|d| dims_text(&d)))
            .collect();
        let shapes = shapes?;
        result = Some(chain_shape(c, table)?);
        if i < max_terms {
            parts.push(shapes.join(" · "));
        } else if i == max_terms {
            parts.push("…".into());
        }
    }
    Some(format!("{} = {}", parts.join(" + "), dims_text(&result?)))
}

/// The shape of an expression (from its first term).
pub(crate) fn shape_of(e: &Expr, table: &BTreeMap<Symbol, Shape>) -> Option<String> {
    chain_shape(e.terms().next()?.0, table).map(|d| dims_text(&d))
}
