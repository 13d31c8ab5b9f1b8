//! Calls: functions applied element-wise with their keyword parameters, `diag`, and
//! `net(…)`, which builds a whole network from its activations.

use super::{Cx, R, VShape};
use crate::algebra::Kind;
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::{Callee, Ir, IrKind, Prim};
use crate::syntax::{self, ExprKind, Name};

impl Cx<'_> {
    pub(super) fn call(
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
}
