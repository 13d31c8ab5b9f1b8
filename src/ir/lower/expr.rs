//! Expressions: the dispatch over the AST's forms and the operators (sums, ordered
//! products, Hadamard products, powers, conditionals) with their shape rules.

use super::shapes::{kind_name, row_elementwise, shape_stub};
use super::tree::const_q;
use super::{Cx, R, VShape};
use crate::algebra::{Kind, Q};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::{Dim, Ir, IrKind, Shape};
use crate::syntax::{self, ExprKind, ProdOp};

impl Cx<'_> {
    pub(super) fn expr(&mut self, e: &syntax::Expr) -> R<Ir> {
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
                    // A power inside the exponent past the limit is a limit, not a shape error
                    // (from a review: `2^(2^70)` was said not to be a rational number).
                    if super::tree::holds_power_past_limit(&x) {
                        return Err(Diagnostic::at(
                            Phase::Limit,
                            x.span,
                            "this exponent holds a whole power past the limit of 64, which is not evaluated",
                        )
                        .hint("write the exponent's value, or a smaller power"));
                    }
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
                    .hint(if q > 0u32 && q.to_denominator() == 1u32 {
                        format!("for an element-wise power write `^∘{q}` (or `.^{q}`)")
                    } else {
                        // `^∘` takes whole positive exponents only (from a review: the hint
                        // offered `^∘-1`, a syntax error).
                        format!(
                            "element-wise powers take whole positive exponents; for this one define a function, `p(t) = t^({q})`, and apply it: `p(…)`"
                        )
                    }));
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
}
