//! Lowering: AST → IR. Resolves names, applies the kind convention, unifies shapes.
//!
//! Kinds by convention (declarations override): an upper-case Latin name is a
//! matrix, a lower-case Latin name a column vector, a Greek name a scalar
//! parameter; `π` and `e` are constants. Dimensions are unified across the
//! whole statement; a mismatch points at both operands.

use super::shape::{DimVar, Fixed, Unifier};
use super::{Binding, Callee, Dim, Env, FunDef, Ir, IrKind, Prim, Shape};
use crate::algebra::{Kind, Q, Symbol};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::syntax::{self, DimSpec, ExprKind, Name, ProdOp, ShapeSpec, Stmt};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

type R<T> = Result<T, Diagnostic>;

/// A lowered expression and the shapes of its symbols.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub ir: Ir,
    pub symbols: BTreeMap<Symbol, Shape>,
}

/// A lowered statement, ready to be committed to the session.
#[derive(Clone, Debug)]
pub enum LoweredStmt {
    Decl(Vec<Name>, ShapeSpec),
    Def(Rc<FunDef>),
    Bind(Rc<Binding>),
    /// `W1 = [[…]]`: a symbol with a numeric value (and the shape it fixes).
    Value(Name, Rc<crate::syntax::ast::TensorLit>),
    Expr(Lowered),
    Command {
        name: String,
        args: String,
        span: Span,
    },
}

/// Only matrix and vector names take numeric values, and never a function's name.
fn check_value_name(name: &Name, span: Span, env: &Env) -> Result<(), Diagnostic> {
    if env.functions.contains_key(name) || Prim::from_name(&name.ascii()).is_some() {
        return Err(Diagnostic::at(
            Phase::Name,
            span,
            format!("`{name}` is a function; choose another name for the values"),
        ));
    }
    if name.is_greek() {
        return Err(Diagnostic::at(
            Phase::Name,
            span,
            format!(
                "`{name}` is a scalar parameter; only matrices and vectors take literal values"
            ),
        )
        .hint("a scalar is bound as an expression: `α = 0.5`"));
    }
    Ok(())
}

/// Lowers one statement against the environment (which it does not change).
pub fn lower_statement(stmt: &Stmt, env: &Env, source: &str) -> R<LoweredStmt> {
    match stmt {
        Stmt::Command { name, args, span } => Ok(LoweredStmt::Command {
            name: name.clone(),
            args: args.clone(),
            span: *span,
        }),
        Stmt::Decl { names, shape, .. } => {
            for (n, sp) in names {
                if env.functions.contains_key(n) || Prim::from_name(&n.ascii()).is_some() {
                    return Err(Diagnostic::at(
                        Phase::Name,
                        *sp,
                        format!("`{n}` is a function and cannot be declared"),
                    ));
                }
            }
            Ok(LoweredStmt::Decl(
                names.iter().map(|(n, _)| n.clone()).collect(),
                shape.clone(),
            ))
        }
        Stmt::Def { .. } => lower_function(stmt, env, source, false).map(LoweredStmt::Def),
        Stmt::Value {
            name,
            name_span,
            value,
            ..
        } => check_value_name(name, *name_span, env)
            .map(|()| LoweredStmt::Value(name.clone(), Rc::new(value.clone()))),
        Stmt::Bind {
            name,
            name_span,
            value,
            ..
        } => {
            if env.functions.contains_key(name) {
                return Err(Diagnostic::at(
                    Phase::Name,
                    *name_span,
                    format!("`{name}` is a function; choose another name for the binding"),
                ));
            }
            let l = lower_expr(value, env)?;
            let text = source
                .get(value.span.start..value.span.end)
                .unwrap_or("")
                .to_string();
            let copy_on_use = has_unsized_ones(&l.ir, env);
            let expanded_size = expanded_size(&l.ir, env);
            let expanded_depth = expanded_depth(&l.ir, env);
            Ok(LoweredStmt::Bind(Rc::new(Binding {
                name: name.clone(),
                value: Rc::new(l.ir),
                text,
                symbols: l.symbols.into_iter().collect(),
                copy_on_use,
                expanded_size,
                expanded_depth,
            })))
        }
        Stmt::Expr(e) => lower_expr(e, env).map(LoweredStmt::Expr),
    }
}

/// Lowers a function definition `s(t; a = 1) = body`.
pub fn lower_function(stmt: &Stmt, env: &Env, source: &str, builtin: bool) -> R<Rc<FunDef>> {
    let Stmt::Def {
        name,
        name_span,
        var,
        var_span,
        params,
        body,
        span,
    } = stmt
    else {
        return Err(Diagnostic::at(
            Phase::Name,
            stmt.span(),
            "not a function definition",
        ));
    };
    if Prim::from_name(&name.ascii()).is_some()
        || matches!(&*name.base, "diag" | "net") && name.sub.is_empty()
    {
        return Err(Diagnostic::at(
            Phase::Name,
            *name_span,
            format!("`{name}` is built in and cannot be redefined"),
        ));
    }
    if !var.is_greek() && var.base.chars().next().is_some_and(|c| c.is_uppercase()) {
        return Err(Diagnostic::at(
            Phase::Name,
            *var_span,
            "a function's variable must be a scalar name such as `t`",
        ));
    }
    let mut cx = Cx::new(env);
    let mut defaults = Vec::new();
    let mut seen = BTreeSet::new();
    for p in params {
        if !seen.insert(p.name.clone()) || p.name == *var {
            return Err(Diagnostic::at(
                Phase::Name,
                p.span,
                format!("parameter `{}` is named twice", p.name),
            ));
        }
        let value = match &p.default {
            Some(d) => {
                let v = cx.expr(d)?;
                if v.kind_of() != Kind::Scalar {
                    return Err(Diagnostic::at(
                        Phase::Shape,
                        d.span,
                        "a parameter's value must be a scalar",
                    ));
                }
                v
            }
            None => Ir {
                kind: IrKind::Param(p.name.clone()),
                span: p.span,
                shape: Shape::scalar(),
            },
        };
        defaults.push((p.name.clone(), value));
    }
    cx.fun = Some(FunCx {
        name: name.clone(),
        var: var.clone(),
        params: seen,
    });
    let body_ir = cx.expr(body)?;
    if body_ir.kind_of() != Kind::Scalar {
        return Err(Diagnostic::at(
            Phase::Shape,
            body.span,
            "a function body must be a scalar expression of its variable",
        ));
    }
    let body_ir = cx.finish(body_ir).ir;
    let text = source.get(span.start..span.end).unwrap_or("").to_string();
    Ok(Rc::new(FunDef {
        name: name.clone(),
        var: var.clone(),
        params: defaults,
        body: body_ir,
        text,
        builtin,
    }))
}

/// Lowers an expression against the environment.
pub fn lower_expr(e: &syntax::Expr, env: &Env) -> R<Lowered> {
    let mut cx = Cx::new(env);
    let ir = cx.expr(e)?;
    Ok(cx.finish(ir))
}

struct FunCx {
    name: Name,
    var: Name,
    params: BTreeSet<Name>,
}

#[derive(Clone, Copy)]
struct VShape {
    kind: Kind,
    r: DimVar,
    c: DimVar,
}

struct Cx<'e> {
    env: &'e Env,
    u: Unifier,
    one: DimVar,
    symtab: BTreeMap<Name, (Kind, DimVar, DimVar)>,
    fun: Option<FunCx>,
}

impl<'e> Cx<'e> {
    fn new(env: &'e Env) -> Cx<'e> {
        let mut u = Unifier::default();
        let one = u.fixed(Fixed::Known(1));
        Cx {
            env,
            u,
            one,
            symtab: BTreeMap::new(),
            fun: None,
        }
    }

    fn vs(&self, ir: &Ir) -> VShape {
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

    fn mk(&self, kind: IrKind, span: Span, s: VShape) -> Ir {
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

    fn scalar_shape(&self) -> VShape {
        VShape {
            kind: Kind::Scalar,
            r: self.one,
            c: self.one,
        }
    }

    fn shape_text(&self, s: VShape) -> String {
        let (r, c) = (self.dim_text(s.r), self.dim_text(s.c));
        match s.kind {
            Kind::Scalar => "a scalar".to_string(),
            Kind::Vector if r == "?" => "a vector".to_string(),
            Kind::Vector => format!("a {r}×1 vector"),
            Kind::Matrix if r == "?" && c == "?" => "a matrix".to_string(),
            Kind::Matrix => format!("a {r}×{c} matrix"),
            Kind::Row if c == "?" => "a row vector".to_string(),
            Kind::Row => format!("a 1×{c} row vector"),
        }
    }

    fn dim_text(&self, v: DimVar) -> String {
        match self.u.resolve(v) {
            Dim::Known(n) => n.to_string(),
            Dim::Named(n) => n.unicode(),
            Dim::Free(_) => "?".to_string(),
        }
    }

    fn unify(&mut self, a: DimVar, b: DimVar, la: &Ir, lb: &Ir, what: &str) -> R<()> {
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

    fn fixed_dim(&mut self, d: &DimSpec) -> DimVar {
        match d {
            DimSpec::Known(n) => self.u.fixed(Fixed::Known(*n)),
            DimSpec::Named(n) => self.u.fixed(Fixed::Named(n.clone())),
        }
    }

    /// The kind and dimension variables of a matrix or vector symbol, shared across the statement.
    fn symbol(&mut self, name: &Name, kind: Kind) -> (Kind, DimVar, DimVar) {
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

    fn name(&mut self, name: &Name, span: Span) -> R<Ir> {
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

    /// Copies a binding's IR into this statement, giving its dimensions fresh variables
    /// tied to this statement's symbols.
    fn instantiate(&mut self, ir: &Ir) -> R<Ir> {
        let mut map: BTreeMap<u32, DimVar> = BTreeMap::new();
        self.inst(ir, &mut map)
    }

    fn inst_dim(&mut self, d: &Dim, map: &mut BTreeMap<u32, DimVar>) -> DimVar {
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

    fn expr(&mut self, e: &syntax::Expr) -> R<Ir> {
        // Lowering observes the statement's budget too (the session reports which limit).
        if crate::limits::tick() {
            return Err(Diagnostic::at(
                Phase::Limit,
                e.span,
                "the statement's budget ran out while lowering",
            ));
        }
        match &e.kind {
            ExprKind::Num(q) => Ok(self.mk(IrKind::Num(q.clone()), e.span, self.scalar_shape())),
            ExprKind::Ones => {
                if self.fun.is_some() {
                    return Err(Diagnostic::at(
                        Phase::Shape,
                        e.span,
                        "𝟙 is a vector but function bodies are scalar",
                    ));
                }
                let r = self.u.fresh();
                Ok(self.mk(
                    IrKind::Ones,
                    e.span,
                    VShape {
                        kind: Kind::Vector,
                        r,
                        c: self.one,
                    },
                ))
            }
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Transpose(x) => {
                let x = self.expr(x)?;
                let s = self.vs(&x);
                let t = match s.kind {
                    // A scalar is its own transpose.
                    Kind::Scalar => return Ok(x),
                    Kind::Vector => Kind::Row,
                    Kind::Row => Kind::Vector,
                    Kind::Matrix => Kind::Matrix,
                };
                let shape = VShape {
                    kind: t,
                    r: s.c,
                    c: s.r,
                };
                Ok(self.mk(IrKind::Transpose(Box::new(x)), e.span, shape))
            }
            ExprKind::Neg(x) => {
                let x = self.expr(x)?;
                let s = self.vs(&x);
                Ok(self.mk(IrKind::Neg(Box::new(x)), e.span, s))
            }
            ExprKind::Sum(terms) => {
                let mut out: Vec<Ir> = Vec::with_capacity(terms.len());
                for (neg, t) in terms {
                    let mut x = self.expr(t)?;
                    if let Some(first) = out.first() {
                        let (a, b) = (self.vs(first), self.vs(&x));
                        if a.kind != b.kind {
                            return Err(Diagnostic::new(
                                Phase::Shape,
                                format!(
                                    "cannot add {} and {}",
                                    kind_name(a.kind),
                                    kind_name(b.kind)
                                ),
                            )
                            .label(first.span, self.shape_text(a))
                            .label(x.span, self.shape_text(b))
                            .hint(
                                if a.kind == Kind::Scalar || b.kind == Kind::Scalar {
                                    "to add a scalar to every entry, multiply it by 𝟙: `λ·𝟙`"
                                } else {
                                    "both sides of `+` must have the same shape"
                                },
                            ));
                        }
                        // Only the span and the shape label an error: no copy of the operand.
                        let first = shape_stub(first);
                        self.unify(a.r, b.r, &first, &x, "cannot add these")?;
                        self.unify(a.c, b.c, &first, &x, "cannot add these")?;
                    }
                    if *neg {
                        let s = self.vs(&x);
                        let span = x.span;
                        x = self.mk(IrKind::Neg(Box::new(x)), span, s);
                    }
                    out.push(x);
                }
                let s = self.vs(&out[0]);
                Ok(self.mk(IrKind::Sum(out), e.span, s))
            }
            ExprKind::Product(fs) => {
                let mut out: Vec<Ir> = Vec::with_capacity(fs.len());
                let mut acc: Option<(VShape, Span)> = None;
                for (op, f) in fs {
                    let mut x = self.expr(f)?;
                    if *op == ProdOp::Div {
                        if x.kind_of() != Kind::Scalar {
                            return Err(Diagnostic::at(
                                Phase::Shape,
                                x.span,
                                format!("cannot divide by {}", self.shape_text(self.vs(&x))),
                            )
                            .hint("division is only by scalars"));
                        }
                        let span = x.span;
                        x = self.mk(
                            IrKind::Pow(Box::new(x), Q::from(-1)),
                            span,
                            self.scalar_shape(),
                        );
                    }
                    let b = self.vs(&x);
                    acc = Some(match acc {
                        None => (b, x.span),
                        Some((a, aspan)) => {
                            let left = Ir {
                                kind: IrKind::Num(Q::from(0)),
                                span: aspan,
                                shape: Shape {
                                    kind: a.kind,
                                    rows: Dim::Free(a.r),
                                    cols: Dim::Free(a.c),
                                },
                            };
                            let s = match (a.kind, b.kind) {
                                (Kind::Scalar, _) => b,
                                (_, Kind::Scalar) => a,
                                (Kind::Matrix | Kind::Row, Kind::Row) => {
                                    return Err(Diagnostic::new(Phase::Shape, "a row vector can only be multiplied on the left by a column vector or a scalar")
                                        .label(aspan, self.shape_text(a))
                                        .label(x.span, self.shape_text(b))
                                        .hint("`x·yᵀ` is an outer product, `xᵀ·y` an inner product"));
                                }
                                (Kind::Matrix, _) => {
                                    self.unify(a.c, b.r, &left, &x, "cannot multiply these")?;
                                    VShape {
                                        kind: b.kind,
                                        r: a.r,
                                        c: b.c,
                                    }
                                }
                                (Kind::Row, _) => {
                                    // 1×n · n×m is a row; 1×n · n×1 is a scalar.
                                    self.unify(a.c, b.r, &left, &x, "cannot multiply these")?;
                                    VShape {
                                        kind: if b.kind == Kind::Vector {
                                            Kind::Scalar
                                        } else {
                                            Kind::Row
                                        },
                                        r: self.one,
                                        c: b.c,
                                    }
                                }
                                (Kind::Vector, Kind::Row) => VShape {
                                    kind: Kind::Matrix,
                                    r: a.r,
                                    c: b.c,
                                },
                                (Kind::Vector, _) => {
                                    return Err(Diagnostic::new(Phase::Shape, "a column vector cannot be multiplied on the right by a column vector or matrix")
                                        .label(aspan, self.shape_text(a))
                                        .label(x.span, self.shape_text(b))
                                        .hint("did you mean the Hadamard product `∘`, or the inner product `xᵀ·y`?"));
                                }
                            };
                            (s, aspan.join(x.span))
                        }
                    });
                    out.push(x);
                }
                let s = acc.map(|a| a.0).unwrap_or_else(|| self.scalar_shape());
                Ok(self.mk(IrKind::Mul(out), e.span, s))
            }
            ExprKind::Hadamard(fs) => {
                let mut out: Vec<Ir> = Vec::with_capacity(fs.len());
                for f in fs {
                    let x = self.expr(f)?;
                    if x.kind_of() == Kind::Scalar {
                        return Err(Diagnostic::at(Phase::Shape, x.span, "`∘` multiplies two vectors or two matrices entry by entry, not a scalar").hint("scale with `·` instead"));
                    }
                    if x.kind_of() == Kind::Row {
                        return Err(row_elementwise(x.span, "`∘`"));
                    }
                    if let Some(first) = out.first() {
                        let (a, b) = (self.vs(first), self.vs(&x));
                        if a.kind != b.kind {
                            return Err(Diagnostic::new(
                                Phase::Shape,
                                "`∘` needs operands of the same shape",
                            )
                            .label(first.span, self.shape_text(a))
                            .label(x.span, self.shape_text(b)));
                        }
                        let first = shape_stub(first);
                        self.unify(a.r, b.r, &first, &x, "`∘` needs operands of the same shape")?;
                        self.unify(a.c, b.c, &first, &x, "`∘` needs operands of the same shape")?;
                    }
                    out.push(x);
                }
                let s = self.vs(&out[0]);
                Ok(self.mk(IrKind::Had(out), e.span, s))
            }
            ExprKind::Pow { base, exp } => {
                let b = self.expr(base)?;
                let x = self.expr(exp)?;
                let Some(q) = const_q(&x) else {
                    return Err(Diagnostic::at(
                        Phase::Shape,
                        x.span,
                        "an exponent must be a rational number such as `2` or `1/2`",
                    ));
                };
                if b.kind_of() != Kind::Scalar {
                    return Err(Diagnostic::at(
                        Phase::Shape,
                        b.span,
                        format!(
                            "`^` raises a scalar to a power, but this is {}",
                            self.shape_text(self.vs(&b))
                        ),
                    )
                    .hint(format!(
                        "for an element-wise power write `^∘{q}` (or `.^{q}`)"
                    )));
                }
                Ok(self.mk(IrKind::Pow(Box::new(b), q), e.span, self.scalar_shape()))
            }
            ExprKind::HadPow { base, exp, .. } => {
                let b = self.expr(base)?;
                let s = self.vs(&b);
                if s.kind == Kind::Scalar {
                    return Ok(self.mk(IrKind::Pow(Box::new(b), Q::from(*exp)), e.span, s));
                }
                if s.kind == Kind::Row {
                    return Err(row_elementwise(b.span, "an element-wise power"));
                }
                Ok(self.mk(IrKind::HadPow(Box::new(b), *exp), e.span, s))
            }
            ExprKind::If {
                lhs,
                op,
                rhs,
                then,
                otherwise,
            } => {
                if self.fun.is_none() {
                    return Err(Diagnostic::at(Phase::Shape, e.span, "`if … then … else …` is only allowed in a function definition").hint("define an activation, e.g. `hinge(t) = if t > 0 then t else 0`, and apply it"));
                }
                let parts = [
                    self.expr(lhs)?,
                    self.expr(rhs)?,
                    self.expr(then)?,
                    self.expr(otherwise)?,
                ];
                for p in &parts {
                    if p.kind_of() != Kind::Scalar {
                        return Err(Diagnostic::at(Phase::Shape, p.span, "must be a scalar"));
                    }
                }
                let [l, r, t, o] = parts;
                Ok(self.mk(
                    IrKind::If {
                        lhs: Box::new(l),
                        op: *op,
                        rhs: Box::new(r),
                        then: Box::new(t),
                        otherwise: Box::new(o),
                    },
                    e.span,
                    self.scalar_shape(),
                ))
            }
            ExprKind::Call {
                name,
                name_span,
                primes,
                args,
                kwargs,
            } => self.call(name, *name_span, *primes, args, kwargs, e.span),
        }
    }

    fn call(
        &mut self,
        name: &Name,
        name_span: Span,
        primes: u32,
        args: &[syntax::Expr],
        kwargs: &[(Name, Span, syntax::Expr)],
        span: Span,
    ) -> R<Ir> {
        let plain = name.sub.is_empty();
        if plain && &*name.base == "net" && primes == 0 {
            return self.net(args, span);
        }
        if plain && matches!(&*name.base, "sum" | "mean") && primes == 0 {
            return self.reduction(&name.base, args, kwargs, span);
        }
        if plain && matches!(&*name.base, "softmax" | "layernorm" | "rmsnorm") && primes == 0 {
            return self.vector_function(&name.base, args, kwargs, span);
        }
        if plain && &*name.base == "diag" && primes == 0 {
            let [a] = args else {
                return Err(Diagnostic::at(
                    Phase::Shape,
                    span,
                    "`diag` takes one vector",
                ));
            };
            let x = self.expr(a)?;
            let s = self.vs(&x);
            if s.kind != Kind::Vector {
                return Err(Diagnostic::at(
                    Phase::Shape,
                    x.span,
                    format!("`diag` takes a vector, not {}", self.shape_text(s)),
                ));
            }
            return Ok(self.mk(
                IrKind::Diag(Box::new(x)),
                span,
                VShape {
                    kind: Kind::Matrix,
                    r: s.r,
                    c: s.r,
                },
            ));
        }
        let callee = if let Some(d) = self.env.functions.get(name) {
            Callee::Def(d.clone())
        } else if let Some(p) = Prim::from_name(&name.ascii()) {
            Callee::Prim(p)
        } else if self.fun.as_ref().is_some_and(|f| f.name == *name) {
            return Err(Diagnostic::at(
                Phase::Name,
                name_span,
                format!("`{name}` is used in its own definition"),
            )
            .hint("definitions cannot be recursive"));
        } else {
            let mut d =
                Diagnostic::at(Phase::Name, name_span, format!("unknown function `{name}`"));
            if let Some(s) = self.suggest(name) {
                d = d.hint(format!("did you mean `{s}`?"));
            }
            return Err(d);
        };
        let [a] = args else {
            return Err(Diagnostic::at(
                Phase::Shape,
                span,
                format!(
                    "`{name}` takes one argument{}",
                    if args.is_empty() {
                        ""
                    } else {
                        "; parameters go after `;`, as in `leaky_relu(z; a = 0.2)`"
                    }
                ),
            ));
        };
        let x = self.expr(a)?;
        let s = self.vs(&x);
        if s.kind == Kind::Row {
            return Err(row_elementwise(x.span, &format!("`{name}`")));
        }
        let mut params = Vec::new();
        match &callee {
            Callee::Prim(_) => {
                if let Some((_, ks, _)) = kwargs.first() {
                    return Err(Diagnostic::at(
                        Phase::Name,
                        *ks,
                        format!("`{name}` has no parameters"),
                    ));
                }
            }
            Callee::Def(d) => {
                for (k, ks, v) in kwargs {
                    if !d.params.iter().any(|(p, _)| p == k) {
                        let known: Vec<String> =
                            d.params.iter().map(|(p, _)| format!("`{p}`")).collect();
                        return Err(Diagnostic::at(
                            Phase::Name,
                            *ks,
                            format!("`{name}` has no parameter `{k}`"),
                        )
                        .hint(if known.is_empty() {
                            "it has no parameters".to_string()
                        } else {
                            format!("its parameters: {}", known.join(", "))
                        }));
                    }
                    if params.iter().any(|(p, _): &(Name, Ir)| p == k) {
                        return Err(Diagnostic::at(
                            Phase::Name,
                            *ks,
                            format!("parameter `{k}` given twice"),
                        ));
                    }
                    let val = self.expr(v)?;
                    if val.kind_of() != Kind::Scalar {
                        return Err(Diagnostic::at(
                            Phase::Shape,
                            val.span,
                            "a parameter's value must be a scalar",
                        ));
                    }
                    params.push((k.clone(), val));
                }
                for (p, default) in &d.params {
                    if !params.iter().any(|(q, _)| q == p) {
                        params.push((p.clone(), default.clone()));
                    }
                }
            }
        }
        Ok(self.mk(
            IrKind::Apply {
                callee,
                deriv: primes,
                arg: Box::new(x),
                params,
            },
            span,
            s,
        ))
    }

    /// `sum(v) = 𝟙ᵀ·v` and `mean(v) = 𝟙ᵀ·v / n`, with n the length of v (a number, or the
    /// dimension symbol as an exact parameter); a row sums as `v·𝟙`.
    fn reduction(
        &mut self,
        which: &str,
        args: &[syntax::Expr],
        kwargs: &[(Name, Span, syntax::Expr)],
        span: Span,
    ) -> R<Ir> {
        let [a] = args else {
            return Err(Diagnostic::at(
                Phase::Shape,
                span,
                format!("`{which}` takes one vector"),
            ));
        };
        if let Some((_, ks, _)) = kwargs.first() {
            return Err(Diagnostic::at(
                Phase::Name,
                *ks,
                format!("`{which}` has no parameters"),
            ));
        }
        let x = self.expr(a)?;
        let s = self.vs(&x);
        let n = match s.kind {
            Kind::Vector => s.r,
            Kind::Row => s.c,
            _ => {
                return Err(Diagnostic::at(
                    Phase::Shape,
                    x.span,
                    format!("`{which}` takes a vector, not {}", self.shape_text(s)),
                )
                .hint("for the sum of a matrix's entries write `𝟙ᵀ·M·𝟙`"));
            }
        };
        let ones = self.mk(
            IrKind::Ones,
            span,
            VShape {
                kind: Kind::Vector,
                r: n,
                c: self.one,
            },
        );
        let mut factors = if s.kind == Kind::Vector {
            let row = VShape {
                kind: Kind::Row,
                r: self.one,
                c: n,
            };
            vec![self.mk(IrKind::Transpose(Box::new(ones)), span, row), x]
        } else {
            vec![x, ones]
        };
        if which == "mean" {
            let len = self.mk(
                IrKind::Len,
                span,
                VShape {
                    kind: Kind::Scalar,
                    r: n,
                    c: self.one,
                },
            );
            let inv = self.mk(
                IrKind::Pow(Box::new(len), Q::from(-1)),
                span,
                self.scalar_shape(),
            );
            factors.insert(0, inv);
        }
        Ok(self.mk(IrKind::Mul(factors), span, self.scalar_shape()))
    }

    /// `softmax`, `layernorm` and `rmsnorm`, written with the language's own operators so the
    /// expansion and the numeric evaluator need nothing new (n is the length of v):
    ///
    /// * `softmax(v) = exp(v) / (n + 𝟙ᵀ·(exp(v) − 𝟙))`, the denominator `𝟙ᵀ·exp(v)` written
    ///   with its O(1) part n apart, so its power is a binomial series;
    /// * `layernorm(v; eps = η) = c / (𝟙ᵀ·v^∘2/n − (𝟙ᵀ·v/n)² + η)^½ ∘ γ + β`, `c = v − (𝟙ᵀ·v/n)·𝟙`
    ///   (the variance written without `𝟙ᵀ·𝟙`, whose value n a normal form does not keep);
    /// * `rmsnorm(v; eps = η) = v / (𝟙ᵀ·v^∘2/n + η)^½ ∘ γ`;
    ///
    /// η is 1/100000 unless given (exactly 1e-5, the common default); γ and β are optional.
    fn vector_function(
        &mut self,
        which: &str,
        args: &[syntax::Expr],
        kwargs: &[(Name, Span, syntax::Expr)],
        span: Span,
    ) -> R<Ir> {
        let [a] = args else {
            return Err(Diagnostic::at(
                Phase::Shape,
                span,
                format!("`{which}` takes one vector; parameters go after `;`"),
            ));
        };
        let v = self.expr(a)?;
        let s = self.vs(&v);
        if s.kind != Kind::Vector {
            return Err(Diagnostic::at(
                Phase::Shape,
                v.span,
                format!(
                    "`{which}` takes a column vector, not {}",
                    self.shape_text(s)
                ),
            ));
        }
        let n = s.r;
        let mut eps = None;
        let mut gamma = None;
        let mut beta = None;
        for (k, ks, val) in kwargs {
            let key = k.ascii();
            let slot = match (which, key.as_str()) {
                ("layernorm" | "rmsnorm", "eps") => &mut eps,
                ("layernorm" | "rmsnorm", "gamma") => &mut gamma,
                ("layernorm", "beta") => &mut beta,
                _ => {
                    return Err(Diagnostic::at(
                        Phase::Name,
                        *ks,
                        format!("`{which}` has no parameter `{k}`"),
                    )
                    .hint(match which {
                        "softmax" => "it has no parameters",
                        "rmsnorm" => "its parameters: `eps`, `γ`",
                        _ => "its parameters: `eps`, `γ`, `β`",
                    }));
                }
            };
            if slot.is_some() {
                return Err(Diagnostic::at(
                    Phase::Name,
                    *ks,
                    format!("parameter `{k}` given twice"),
                ));
            }
            let x = self.expr(val)?;
            let xs = self.vs(&x);
            let want = if key == "eps" {
                Kind::Scalar
            } else {
                Kind::Vector
            };
            if xs.kind != want {
                return Err(Diagnostic::at(
                    Phase::Shape,
                    x.span,
                    format!(
                        "`{k}` must be {}, not {}",
                        kind_name(want),
                        self.shape_text(xs)
                    ),
                ));
            }
            if want == Kind::Vector {
                self.unify(
                    n,
                    xs.r,
                    &v,
                    &x,
                    "the parameter and the vector differ in length",
                )?;
            }
            *slot = Some(x);
        }
        let sc = self.scalar_shape();
        let col = VShape {
            kind: Kind::Vector,
            r: n,
            c: self.one,
        };
        let row = VShape {
            kind: Kind::Row,
            r: self.one,
            c: n,
        };
        let ones = self.mk(IrKind::Ones, span, col);
        let ones_t = self.mk(IrKind::Transpose(Box::new(ones.clone())), span, row);
        let len = self.mk(
            IrKind::Len,
            span,
            VShape {
                kind: Kind::Scalar,
                r: n,
                c: self.one,
            },
        );
        let inv_len = self.mk(IrKind::Pow(Box::new(len.clone()), Q::from(-1)), span, sc);
        // 𝟙ᵀ·w/n, a scalar.
        let mean_of = |cx: &Self, w: Ir| {
            cx.mk(
                IrKind::Mul(vec![inv_len.clone(), ones_t.clone(), w]),
                span,
                sc,
            )
        };
        if which == "softmax" {
            let e = self.mk(
                IrKind::Apply {
                    callee: Callee::Prim(Prim::Exp),
                    deriv: 0,
                    arg: Box::new(v),
                    params: Vec::new(),
                },
                span,
                col,
            );
            let minus_ones = self.mk(IrKind::Neg(Box::new(ones.clone())), span, col);
            let excess = self.mk(IrKind::Sum(vec![e.clone(), minus_ones]), span, col);
            let total = self.mk(IrKind::Mul(vec![ones_t.clone(), excess]), span, sc);
            let den = self.mk(IrKind::Sum(vec![len, total]), span, sc);
            let inv = self.mk(IrKind::Pow(Box::new(den), Q::from(-1)), span, sc);
            return Ok(self.mk(IrKind::Mul(vec![inv, e]), span, col));
        }
        let sq = self.mk(IrKind::HadPow(Box::new(v.clone()), 2), span, col);
        let mut var = mean_of(self, sq);
        let centred = if which == "layernorm" {
            let m = mean_of(self, v.clone());
            let m2 = self.mk(IrKind::Pow(Box::new(m.clone()), Q::from(2)), span, sc);
            let neg_m2 = self.mk(IrKind::Neg(Box::new(m2)), span, sc);
            var = self.mk(IrKind::Sum(vec![var, neg_m2]), span, sc);
            let shift = self.mk(IrKind::Mul(vec![m, ones.clone()]), span, col);
            let neg = self.mk(IrKind::Neg(Box::new(shift)), span, col);
            self.mk(IrKind::Sum(vec![v, neg]), span, col)
        } else {
            v
        };
        let eps = eps
            .unwrap_or_else(|| self.mk(IrKind::Num(Q::from_unsigneds(1u32, 100_000u32)), span, sc));
        let total = self.mk(IrKind::Sum(vec![var, eps]), span, sc);
        let inv_sd = self.mk(
            IrKind::Pow(Box::new(total), Q::from_signeds(-1, 2)),
            span,
            sc,
        );
        let mut out = self.mk(IrKind::Mul(vec![inv_sd, centred]), span, col);
        if let Some(g) = gamma {
            out = self.mk(IrKind::Had(vec![out, g]), span, col);
        }
        if let Some(b) = beta {
            out = self.mk(IrKind::Sum(vec![out, b]), span, col);
        }
        Ok(out)
    }

    /// `net(tanh, 3)` or `net(tanh, sigmoid, relu)`: f_L(W_L·…f_1(W_1·x + b_1)… + b_L).
    fn net(&mut self, args: &[syntax::Expr], span: Span) -> R<Ir> {
        let usage = "write `net(tanh, 3)` for three tanh layers, or `net(tanh, sigmoid)` for one activation per layer";
        let mut acts: Vec<(Name, Span)> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            match &a.kind {
                ExprKind::Name(n) => acts.push((n.clone(), a.span)),
                ExprKind::Num(q) if i == 1 && args.len() == 2 => {
                    let depth = u32::try_from(&q.to_numerator())
                        .ok()
                        .filter(|d| q.to_denominator() == 1u32 && (1..=64).contains(d));
                    let Some(depth) = depth else {
                        return Err(Diagnostic::at(
                            Phase::Shape,
                            a.span,
                            "the depth must be a whole number from 1 to 64",
                        ));
                    };
                    let first = acts[0].clone();
                    acts = vec![first; depth as usize];
                }
                _ => {
                    return Err(Diagnostic::at(
                        Phase::Parse,
                        a.span,
                        "expected an activation name or a depth",
                    )
                    .hint(usage));
                }
            }
        }
        if acts.is_empty() {
            return Err(
                Diagnostic::at(Phase::Parse, span, "`net` needs at least one activation")
                    .hint(usage),
            );
        }
        let mut prev = self.name(&self.env.input.clone(), span)?;
        for (i, (act, aspan)) in acts.iter().enumerate() {
            let k = (i + 1).to_string();
            let w = self.name(&Name::new("W", &k), span)?;
            let b = self.name(&Name::new("b", &k), span)?;
            let (sw, sp) = (self.vs(&w), self.vs(&prev));
            if sw.kind != Kind::Matrix || sp.kind != Kind::Vector {
                return Err(Diagnostic::at(
                    Phase::Shape,
                    span,
                    "`net` needs matrices W₁, W₂, … and vectors x, b₁, b₂, …",
                ));
            }
            self.unify(sw.c, sp.r, &w, &prev, "the layers of `net` do not fit")?;
            let prod = self.mk(
                IrKind::Mul(vec![w, prev]),
                span,
                VShape {
                    kind: Kind::Vector,
                    r: sw.r,
                    c: self.one,
                },
            );
            let sb = self.vs(&b);
            let pre_shape = self.vs(&prod);
            self.unify(
                pre_shape.r,
                sb.r,
                &prod,
                &b,
                "the layers of `net` do not fit",
            )?;
            let pre = self.mk(IrKind::Sum(vec![prod, b]), span, pre_shape);
            let callee = match self.env.functions.get(act) {
                Some(d) => Callee::Def(d.clone()),
                None => match Prim::from_name(&act.ascii()) {
                    Some(p) => Callee::Prim(p),
                    None => {
                        let mut d = Diagnostic::at(
                            Phase::Name,
                            *aspan,
                            format!("unknown activation `{act}`"),
                        );
                        if let Some(s) = self.suggest(act) {
                            d = d.hint(format!("did you mean `{s}`?"));
                        }
                        return Err(d);
                    }
                },
            };
            let params = match &callee {
                Callee::Def(d) => d.params.clone(),
                Callee::Prim(_) => vec![],
            };
            prev = self.mk(
                IrKind::Apply {
                    callee,
                    deriv: 0,
                    arg: Box::new(pre),
                    params,
                },
                span,
                pre_shape,
            );
        }
        Ok(prev)
    }

    fn suggest(&self, name: &Name) -> Option<String> {
        let names: Vec<String> = self
            .env
            .functions
            .keys()
            .map(|n| n.ascii())
            .chain(Prim::ALL.iter().map(|p| p.name().to_string()))
            .chain(["diag".to_string(), "net".to_string()])
            .collect();
        crate::diagnostic::nearest(&name.ascii(), names.iter().map(String::as_str))
            .map(str::to_string)
    }

    /// Replaces dimension variables by their resolved dimensions, numbering free ones in order of use.
    fn finish(self, mut ir: Ir) -> Lowered {
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
fn has_unsized_ones(ir: &Ir, env: &Env) -> bool {
    match &ir.kind {
        IrKind::Ones => matches!(ir.shape.rows, Dim::Free(_)),
        IrKind::Bound { name, .. } if env.bindings.get(name).is_some_and(|b| !b.copy_on_use) => {
            false
        }
        k => children(k).into_iter().any(|c| has_unsized_ones(c, env)),
    }
}

/// The direct sub-expressions of a node.
pub fn children(k: &IrKind) -> Vec<&Ir> {
    match k {
        IrKind::Num(_)
        | IrKind::Pi
        | IrKind::E
        | IrKind::Param(_)
        | IrKind::Var
        | IrKind::Sym(_)
        | IrKind::Len
        | IrKind::Ones => vec![],
        IrKind::Sum(v) | IrKind::Mul(v) | IrKind::Had(v) => v.iter().collect(),
        IrKind::Neg(x)
        | IrKind::Pow(x, _)
        | IrKind::HadPow(x, _)
        | IrKind::Diag(x)
        | IrKind::Transpose(x) => vec![x],
        IrKind::Apply { arg, params, .. } => std::iter::once(&**arg)
            .chain(params.iter().map(|(_, v)| v))
            .collect(),
        IrKind::If {
            lhs,
            rhs,
            then,
            otherwise,
            ..
        } => vec![lhs, rhs, then, otherwise],
        IrKind::Bound { value, .. } => vec![value],
    }
}

fn children_mut<'a>(k: &'a mut IrKind, out: &mut Vec<&'a mut Ir>) {
    match k {
        IrKind::Num(_)
        | IrKind::Pi
        | IrKind::E
        | IrKind::Param(_)
        | IrKind::Var
        | IrKind::Sym(_)
        | IrKind::Len
        | IrKind::Ones => {}
        IrKind::Sum(v) | IrKind::Mul(v) | IrKind::Had(v) => out.extend(v.iter_mut()),
        IrKind::Neg(x)
        | IrKind::Pow(x, _)
        | IrKind::HadPow(x, _)
        | IrKind::Diag(x)
        | IrKind::Transpose(x) => out.push(x),
        IrKind::Apply { arg, params, .. } => {
            out.push(arg);
            out.extend(params.iter_mut().map(|(_, v)| v));
        }
        IrKind::If {
            lhs,
            rhs,
            then,
            otherwise,
            ..
        } => out.extend([&mut **lhs, &mut **rhs, &mut **then, &mut **otherwise]),
        IrKind::Bound { value, .. } => out.push(Rc::make_mut(value)),
    }
}

/// The value of a constant rational expression (`2`, `-1/2`, `(1/3)^2`).
pub fn const_q(ir: &Ir) -> Option<Q> {
    use malachite_base::num::arithmetic::traits::Pow;
    match &ir.kind {
        IrKind::Num(q) => Some(q.clone()),
        IrKind::Neg(x) => const_q(x).map(|q| -q),
        IrKind::Sum(v) => v
            .iter()
            .try_fold(Q::from(0), |acc, x| Some(acc + const_q(x)?)),
        IrKind::Mul(v) => v
            .iter()
            .try_fold(Q::from(1), |acc, x| Some(acc * const_q(x)?)),
        IrKind::Pow(x, e) if e.to_denominator() == 1u32 => {
            let b = const_q(x)?;
            let n = i64::try_from(&e.to_numerator()).ok()?;
            let n = if *e < 0u32 { -n } else { n };
            if b == 0u32 && n < 0 || n.abs() > 64 {
                return None;
            }
            Some(b.pow(n))
        }
        IrKind::Bound { value, .. } => const_q(value),
        _ => None,
    }
}

/// A leaf with the span and shape of `ir`: enough to label a shape error, and cheap to make.
fn shape_stub(ir: &Ir) -> Ir {
    Ir {
        kind: IrKind::Num(Q::from(0)),
        span: ir.span,
        shape: ir.shape.clone(),
    }
}

/// Element-wise operations act on columns; a row is the transpose of one.
fn row_elementwise(span: Span, what: &str) -> Diagnostic {
    Diagnostic::at(
        Phase::Shape,
        span,
        format!("{what} acts on column vectors and matrices, not on a row vector"),
    )
    .hint("apply it to the column and transpose the result: `tanh(x)ᵀ`, `(x∘y)ᵀ`")
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Scalar => "a scalar",
        Kind::Vector => "a vector",
        Kind::Matrix => "a matrix",
        Kind::Row => "a row vector",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::syntax::parse_script;

    fn env_after(src: &str) -> (Env, Vec<Stmt>) {
        let mut env = Env {
            input: Name::new("x", ""),
            ..Env::default()
        };
        let stmts = parse_script(src, &Limits::default()).unwrap();
        for s in &stmts {
            if let Stmt::Decl { names, shape, .. } = s {
                for (n, _) in names {
                    env.decls.insert(n.clone(), shape.clone());
                }
            }
        }
        (env, stmts)
    }

    #[test]
    fn shape_mismatch_points_at_both_operands() {
        let src = "W1 : 2x4; x : 3; W1·x";
        let (env, stmts) = env_after(src);
        let Stmt::Expr(e) = &stmts[2] else { panic!() };
        let err = lower_expr(e, &env).unwrap_err();
        assert_eq!(err.phase, Phase::Shape);
        assert_eq!(err.labels.len(), 2);
        assert_eq!(&src[err.labels[0].span.start..err.labels[0].span.end], "W1");
        assert_eq!(&src[err.labels[1].span.start..err.labels[1].span.end], "x");
        assert!(err.labels[0].text.contains("2×4"), "{:?}", err.labels);
    }

    #[test]
    fn dimensions_unify_across_the_statement() {
        let src = "W1 : 2x4; W2·W1·x + b";
        let (env, stmts) = env_after(src);
        let Stmt::Expr(e) = &stmts[1] else { panic!() };
        let l = lower_expr(e, &env).unwrap();
        let x = l
            .symbols
            .iter()
            .find(|(s, _)| &*s.name.base == "x")
            .map(|(_, sh)| sh.clone())
            .unwrap();
        assert_eq!(x.rows, Dim::Known(4));
        let b = l
            .symbols
            .iter()
            .find(|(s, _)| &*s.name.base == "b")
            .map(|(_, sh)| sh.clone())
            .unwrap();
        assert_eq!(
            b.rows,
            l.symbols
                .iter()
                .find(|(s, _)| s.name.sub.as_ref() == "2")
                .map(|(_, sh)| sh.rows.clone())
                .unwrap()
        );
    }
}
