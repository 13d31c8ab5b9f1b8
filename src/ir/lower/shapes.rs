//! Shapes during lowering: the dimension variables of a statement, their unification with
//! errors that point at both operands, and the final pass that resolves them.

use super::tree::children_mut;
use super::{Cx, Lowered, R, VShape};
use crate::algebra::{Kind, Q, Symbol};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::shape::{DimVar, Fixed};
use crate::ir::{Dim, Ir, IrKind, Shape};
use crate::syntax::DimSpec;
use std::collections::BTreeMap;

impl Cx<'_> {
    pub(super) fn vs(&self, ir: &Ir) -> VShape {
        let var = |d: &Dim| match d {
            Dim::Free(v) => *v,
            _ => self.one,
        };
        VShape {
            kind: ir.shape.kind,
            r: var(&ir.shape.rows),
            c: var(&ir.shape.cols),
        }
    }

    pub(super) fn mk(&self, kind: IrKind, span: Span, s: VShape) -> Ir {
        Ir {
            kind,
            span,
            shape: Shape {
                kind: s.kind,
                rows: Dim::Free(s.r),
                cols: Dim::Free(s.c),
            },
        }
    }

    pub(super) fn scalar_shape(&self) -> VShape {
        VShape {
            kind: Kind::Scalar,
            r: self.one,
            c: self.one,
        }
    }

    pub(super) fn shape_text(&self, s: VShape) -> String {
        let (r, c) = (self.dim_text(s.r), self.dim_text(s.c));
        match s.kind {
            Kind::Scalar => "a scalar".to_string(),
            Kind::Vector if r == "?" => "a vector".to_string(),
            Kind::Vector => format!("a {r}×1 vector"),
            Kind::Matrix if r == "?" && c == "?" => "a matrix".to_string(),
            Kind::Matrix => format!("a {r}×{c} matrix"),
        }
    }

    fn dim_text(&self, v: DimVar) -> String {
        match self.u.resolve(v) {
            Dim::Known(n) => n.to_string(),
            Dim::Named(n) => n.unicode(),
            Dim::Free(_) => "?".to_string(),
        }
    }

    pub(super) fn unify(&mut self, a: DimVar, b: DimVar, la: &Ir, lb: &Ir, what: &str) -> R<()> {
        let (sa, sb) = (self.vs(la), self.vs(lb));
        self.u.unify(a, b).map_err(|_| {
            Diagnostic::new(
                Phase::Shape,
                format!(
                    "{what}: the dimensions {} and {} differ",
                    self.dim_text(a),
                    self.dim_text(b)
                ),
            )
            .label(la.span, self.shape_text(sa))
            .label(lb.span, self.shape_text(sb))
        })
    }

    pub(super) fn fixed_dim(&mut self, d: &DimSpec) -> DimVar {
        match d {
            DimSpec::Known(n) => self.u.fixed(Fixed::Known(*n)),
            DimSpec::Named(n) => self.u.fixed(Fixed::Named(n.clone())),
        }
    }

    /// Replaces dimension variables by their resolved dimensions, numbering free ones in order of use.
    pub(super) fn finish(self, mut ir: Ir) -> Lowered {
        let mut numbering: BTreeMap<u32, u32> = BTreeMap::new();
        let mut symbols = BTreeMap::new();
        self.resolve(&mut ir, &mut numbering, &mut symbols);
        Lowered { ir, symbols }
    }

    /// Replaces dimension variables by what they resolved to, numbering the free ones in
    /// order of appearance, and collects the symbols with their shapes. A shared binding's
    /// value keeps its own numbering; its symbols are taken from this statement's table.
    fn resolve(
        &self,
        ir: &mut Ir,
        numbering: &mut BTreeMap<u32, u32>,
        symbols: &mut BTreeMap<Symbol, Shape>,
    ) {
        let mut fix = |d: &mut Dim| {
            if let Dim::Free(v) = d {
                *d = match self.u.resolve(*v) {
                    Dim::Free(r) => {
                        let n = numbering.len() as u32 + 1;
                        Dim::Free(*numbering.entry(r).or_insert(n))
                    }
                    other => other,
                };
            }
        };
        fix(&mut ir.shape.rows);
        fix(&mut ir.shape.cols);
        if let IrKind::Sym(s) = &ir.kind {
            symbols.entry(s.clone()).or_insert_with(|| ir.shape.clone());
        }
        if let IrKind::Bound { name, .. } = &ir.kind
            && let Some(b) = self.env.bindings.get(name)
            && !b.copy_on_use
        {
            for (sym, _) in &b.symbols {
                if let Some((kind, r, c)) = self.symtab.get(&sym.name) {
                    let mut shape = Shape {
                        kind: *kind,
                        rows: Dim::Free(*r),
                        cols: Dim::Free(*c),
                    };
                    fix(&mut shape.rows);
                    fix(&mut shape.cols);
                    symbols.entry(sym.clone()).or_insert(shape);
                }
            }
            return;
        }
        let mut kids: Vec<&mut Ir> = Vec::new();
        children_mut(&mut ir.kind, &mut kids);
        for k in kids {
            self.resolve(k, numbering, symbols);
        }
    }
}

/// A leaf with the span and shape of `ir`: enough to label a shape error, and cheap to make.
pub(super) fn shape_stub(ir: &Ir) -> Ir {
    Ir {
        kind: IrKind::Num(Q::from(0)),
        span: ir.span,
        shape: ir.shape.clone(),
    }
}

pub(super) fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Scalar => "a scalar",
        Kind::Vector => "a vector",
        Kind::Matrix => "a matrix",
    }
}
