//! Bindings: copying a binding's IR into a statement with fresh dimensions, and the sizes a
//! binding records so that later statements need not walk it again.

use super::tree::{children, children_mut};
use super::{Cx, R, VShape};
use crate::ir::shape::{DimVar, Fixed};
use crate::ir::{Dim, Env, Ir, IrKind, Shape};
use std::collections::BTreeMap;
use std::rc::Rc;

impl Cx<'_> {
    /// Copies a binding's IR into this statement, giving its dimensions fresh variables
    /// tied to this statement's symbols.
    pub(super) fn instantiate(&mut self, ir: &Ir) -> R<Ir> {
        let mut map: BTreeMap<u32, DimVar> = BTreeMap::new();
        self.inst(ir, &mut map)
    }

    pub(super) fn inst_dim(&mut self, d: &Dim, map: &mut BTreeMap<u32, DimVar>) -> DimVar {
        match d {
            Dim::Known(1) => self.one,
            Dim::Known(n) => self.u.fixed(Fixed::Known(*n)),
            Dim::Named(n) => self.u.fixed(Fixed::Named(n.clone())),
            Dim::Free(i) => *map.entry(*i).or_insert_with(|| self.u.fresh()),
        }
    }

    fn inst(&mut self, ir: &Ir, map: &mut BTreeMap<u32, DimVar>) -> R<Ir> {
        let r = self.inst_dim(&ir.shape.rows, map);
        let c = self.inst_dim(&ir.shape.cols, map);
        let s = VShape {
            kind: ir.shape.kind,
            r,
            c,
        };
        let mut out = ir.clone();
        out.shape = Shape {
            kind: s.kind,
            rows: Dim::Free(r),
            cols: Dim::Free(c),
        };
        if let IrKind::Sym(sym) = &ir.kind {
            let (_, sr, sc) = self.symbol(&sym.name, sym.kind);
            let here = out.clone();
            self.unify(
                r,
                sr,
                &here,
                &here,
                "this binding uses a symbol with another shape",
            )?;
            self.unify(
                c,
                sc,
                &here,
                &here,
                "this binding uses a symbol with another shape",
            )?;
        }
        let mut kids: Vec<&mut Ir> = Vec::new();
        children_mut(&mut out.kind, &mut kids);
        for k in kids {
            *k = self.inst(k, map)?;
        }
        Ok(out)
    }
}

/// How many nodes `ir` has once every binding it uses is written out (saturating). Shared
/// bindings contribute their recorded size, so this walks only what the statement itself wrote.
pub fn expanded_size(ir: &Ir, env: &Env) -> u64 {
    if let IrKind::Bound { name, value } = &ir.kind
        && let Some(b) = env.bindings.get(name)
        && Rc::ptr_eq(&b.value, value)
    {
        return b.expanded_size.saturating_add(1);
    }
    children(&ir.kind)
        .into_iter()
        .fold(1u64, |acc, c| acc.saturating_add(expanded_size(c, env)))
}

/// How deeply `ir` nests once every binding it uses is written out (saturating).
pub fn expanded_depth(ir: &Ir, env: &Env) -> u32 {
    if let IrKind::Bound { name, value } = &ir.kind
        && let Some(b) = env.bindings.get(name)
        && Rc::ptr_eq(&b.value, value)
    {
        return b.expanded_depth.saturating_add(1);
    }
    children(&ir.kind)
        .into_iter()
        .map(|c| expanded_depth(c, env))
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

/// Whether a binding's value holds a `𝟙` whose size its context must fix (a free dimension),
/// outside the shared bindings it uses (those have none, or were copied in).
pub(super) fn has_unsized_ones(ir: &Ir, env: &Env) -> bool {
    match &ir.kind {
        IrKind::Ones => matches!(ir.shape.rows, Dim::Free(_)),
        IrKind::Bound { name, .. } if env.bindings.get(name).is_some_and(|b| !b.copy_on_use) => {
            false
        }
        k => children(k).into_iter().any(|c| has_unsized_ones(c, env)),
    }
}
