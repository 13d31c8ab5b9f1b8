//! Names: the kind convention, declarations, bindings, the function's variable and
//! parameters, and "did you mean" for unknown functions.

use super::{Cx, R, VShape};
use crate::algebra::{Kind, Q, Symbol};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::shape::DimVar;
use crate::ir::{Ir, IrKind, Prim, Shape};
use crate::syntax::{Name, ShapeSpec};
use std::collections::BTreeMap;
use std::rc::Rc;

impl Cx<'_> {
    /// The kind and dimension variables of a matrix or vector symbol, shared across the statement.
    pub(super) fn symbol(&mut self, name: &Name, kind: Kind) -> (Kind, DimVar, DimVar) {
        if let Some(e) = self.symtab.get(name) {
            return *e;
        }
        let entry = match self.env.decls.get(name) {
            Some(ShapeSpec::Vector(d)) => {
                let r = self.fixed_dim(d);
                (Kind::Vector, r, self.one)
            }
            Some(ShapeSpec::Matrix(r, c)) => {
                let r = self.fixed_dim(r);
                let c = self.fixed_dim(c);
                (Kind::Matrix, r, c)
            }
            _ => {
                let r = self.u.fresh();
                let c = if kind == Kind::Vector {
                    self.one
                } else {
                    self.u.fresh()
                };
                (kind, r, c)
            }
        };
        self.symtab.insert(name.clone(), entry);
        entry
    }

    pub(super) fn name(&mut self, name: &Name, span: Span) -> R<Ir> {
        if let Some(f) = &self.fun {
            if *name == f.var {
                return Ok(self.mk(IrKind::Var, span, self.scalar_shape()));
            }
            if f.params.contains(name) {
                return Ok(self.mk(IrKind::Param(name.clone()), span, self.scalar_shape()));
            }
            if *name == f.name {
                return Err(Diagnostic::at(
                    Phase::Name,
                    span,
                    format!("`{name}` is used in its own definition"),
                )
                .hint("definitions cannot be recursive"));
            }
        }
        if let Some(b) = self.env.bindings.get(name).cloned() {
            if b.copy_on_use {
                let value = self.instantiate(&b.value)?;
                let s = self.vs(&value);
                return Ok(self.mk(
                    IrKind::Bound {
                        name: name.clone(),
                        value: Rc::new(value),
                    },
                    span,
                    s,
                ));
            }
            // Shared: the binding's dimensions get fresh variables, tied to this statement's
            // symbols; the value itself is not copied or walked.
            let mut map: BTreeMap<u32, DimVar> = BTreeMap::new();
            let use_site = |shape: &Shape| Ir {
                kind: IrKind::Num(Q::from(0)),
                span,
                shape: shape.clone(),
            };
            for (sym, shape) in &b.symbols {
                let r = self.inst_dim(&shape.rows, &mut map);
                let c = self.inst_dim(&shape.cols, &mut map);
                let (_, sr, sc) = self.symbol(&sym.name, sym.kind);
                let here = use_site(shape);
                let what = format!("`{name}` uses {} with another shape here", sym.name);
                self.unify(r, sr, &here, &here, &what)?;
                self.unify(c, sc, &here, &here, &what)?;
            }
            let r = self.inst_dim(&b.value.shape.rows, &mut map);
            let c = self.inst_dim(&b.value.shape.cols, &mut map);
            let s = VShape {
                kind: b.value.shape.kind,
                r,
                c,
            };
            return Ok(self.mk(
                IrKind::Bound {
                    name: name.clone(),
                    value: b.value.clone(),
                },
                span,
                s,
            ));
        }
        let decl = self.env.decls.get(name).cloned();
        match decl {
            Some(ShapeSpec::Scalar) => {
                return Ok(self.mk(IrKind::Param(name.clone()), span, self.scalar_shape()));
            }
            Some(ShapeSpec::Dim) => {
                return Err(Diagnostic::at(
                    Phase::Name,
                    span,
                    format!("`{name}` is declared as a dimension, not a value"),
                ));
            }
            Some(_) => {
                let (k, r, c) = self.symbol(name, Kind::Vector);
                return self.sym_ir(name, k, r, c, span);
            }
            None => {}
        }
        if name.sub.is_empty() && (&*name.base == "π") {
            return Ok(self.mk(IrKind::Pi, span, self.scalar_shape()));
        }
        if name.sub.is_empty() && &*name.base == "e" {
            return Ok(self.mk(IrKind::E, span, self.scalar_shape()));
        }
        if self.env.functions.contains_key(name) || Prim::from_name(&name.ascii()).is_some() {
            return Err(Diagnostic::at(
                Phase::Name,
                span,
                format!("`{name}` is a function; call it as `{name}(…)`"),
            ));
        }
        if name.is_greek() {
            // Every report writes the expansion's small parameter as ε (O(ε³), "not affine at
            // any ε"): a parameter of that name would read as it (from a review, "a kink at any
            // ε" beside "exact-affine iff ε = 1").
            if name.sub.is_empty() && &*name.base == "ε" {
                return Err(Diagnostic::at(
                    Phase::Name,
                    span,
                    "`ε` is the expansion's small parameter in every report (O(ε³), \"not affine at any ε\"); a parameter of that name would read as it",
                )
                .hint("choose another letter for the parameter (`δ`, `η`, or `ε₁` with a subscript)"));
            }
            return Ok(self.mk(IrKind::Param(name.clone()), span, self.scalar_shape()));
        }
        let kind = if name.starts_upper_latin() {
            Kind::Matrix
        } else if name
            .base
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
        {
            Kind::Vector
        } else {
            return Err(
                Diagnostic::at(Phase::Name, span, format!("cannot tell what `{name}` is"))
                    .hint(format!("declare it, e.g. `{} : scalar`", name.ascii())),
            );
        };
        if self.fun.is_some() {
            return Err(Diagnostic::at(Phase::Name, span, format!("`{name}` is not the function's variable or a parameter")).hint("a function body is a scalar expression of its variable; parameters are Greek names or declared scalars"));
        }
        let (k, r, c) = self.symbol(name, kind);
        self.sym_ir(name, k, r, c, span)
    }

    fn sym_ir(&mut self, name: &Name, kind: Kind, r: DimVar, c: DimVar, span: Span) -> R<Ir> {
        // Every report writes the identity matrix as I: a matrix of that name would read as it
        // (from a review, `x + I·x` gave `W = I + I`).
        if kind == Kind::Matrix && name.sub.is_empty() && &*name.base == "I" {
            return Err(Diagnostic::at(
                Phase::Name,
                span,
                "`I` is the identity matrix in every report; a matrix of that name would read as it",
            )
            .hint("choose another name (`M`, or `I₁` with a subscript)"));
        }
        if self.fun.is_some() {
            return Err(Diagnostic::at(
                Phase::Name,
                span,
                format!(
                    "`{name}` is a {} but function bodies are scalar",
                    if kind == Kind::Matrix {
                        "matrix"
                    } else {
                        "vector"
                    }
                ),
            ));
        }
        Ok(self.mk(
            IrKind::Sym(Symbol::user(name.clone(), kind)),
            span,
            VShape { kind, r, c },
        ))
    }

    pub(super) fn suggest(&self, name: &Name) -> Option<String> {
        let names: Vec<String> = self
            .env
            .functions
            .keys()
            .map(|n| n.ascii())
            .chain(Prim::ALL.iter().map(|p| p.name().to_string()))
            .chain(
                [
                    "diag",
                    "net",
                    "sum",
                    "mean",
                    "softmax",
                    "layernorm",
                    "rmsnorm",
                    "logsumexp",
                ]
                .map(str::to_string),
            )
            .collect();
        crate::diagnostic::nearest(&name.ascii(), names.iter().map(String::as_str))
            .map(str::to_string)
    }
}
