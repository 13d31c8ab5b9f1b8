//! Bindings: copying a binding's IR into a statement with fresh dimensions, and the sizes a
//! binding records so that later statements need not walk it again.

use super::tree::children_mut;
use super::{Cx, R, VShape};
use crate::ir::shape::{DimVar, Fixed};
use crate::ir::visit::{Step, Visitor, visit, walk};
use crate::ir::{Binding, Dim, Env, Ir, IrKind, Shape};
use std::collections::BTreeMap;
use std::convert::Infallible;
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
    let mut size = 0u64;
    walk(ir, |n| match shared(n, env) {
        Some(b) => {
            size = size.saturating_add(b.expanded_size.saturating_add(1));
            Step::Skip
        }
        None => {
            size = size.saturating_add(1);
            Step::Descend
        }
    });
    size
}

/// How deeply `ir` nests once every binding it uses is written out (saturating).
pub fn expanded_depth(ir: &Ir, env: &Env) -> u32 {
    /// `level` is the depth of the node being visited (the root is 1).
    struct Depth<'e> {
        env: &'e Env,
        level: u32,
        deepest: u32,
    }
    impl Visitor for Depth<'_> {
        type Output = u32;
        type Err = Infallible;
        fn visit_pre(&mut self, ir: &Ir) -> Result<Step, Infallible> {
            self.level += 1;
            let (depth, step) = match shared(ir, self.env) {
                Some(b) => (
                    (self.level - 1).saturating_add(b.expanded_depth.saturating_add(1)),
                    Step::Skip,
                ),
                None => (self.level, Step::Descend),
            };
            self.deepest = self.deepest.max(depth);
            Ok(step)
        }
        fn visit_post(&mut self, _: &Ir) -> Result<(), Infallible> {
            self.level -= 1;
            Ok(())
        }
        fn finish(self) -> Result<u32, Infallible> {
            Ok(self.deepest)
        }
    }
    let depth = Depth {
        env,
        level: 0,
        deepest: 0,
    };
    match visit(ir, depth) {
        Ok(d) => d,
        Err(never) => match never {},
    }
}

/// The binding `ir` uses, when it is a use of a shared binding of `env` (its value not copied).
fn shared<'e>(ir: &Ir, env: &'e Env) -> Option<&'e Binding> {
    let IrKind::Bound { name, value } = &ir.kind else {
        return None;
    };
    env.bindings
        .get(name)
        .filter(|b| Rc::ptr_eq(&b.value, value))
        .map(|b| &**b)
}

/// Whether a binding's value holds a `𝟙` whose size its context must fix (a free dimension),
/// outside the shared bindings it uses (those have none, or were copied in).
pub(super) fn has_unsized_ones(ir: &Ir, env: &Env) -> bool {
    let mut found = false;
    walk(ir, |n| match &n.kind {
        IrKind::Ones if matches!(n.shape.rows, Dim::Free(_)) => {
            found = true;
            Step::Stop
        }
        IrKind::Bound { name, .. } if env.bindings.get(name).is_some_and(|b| !b.copy_on_use) => {
            Step::Skip
        }
        _ => Step::Descend,
    });
    found
}
