//! Calls: functions applied element-wise with their keyword parameters, `diag`, and
//! `net(…)`, which builds a whole network from its activations.

use super::shapes::{kind_name, row_elementwise};
use super::{Cx, R, VShape};
use crate::algebra::{Kind, Q};
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
        if plain && matches!(&*name.base, "sum" | "mean") && primes == 0 {
            return self.reduction(&name.base, args, kwargs, span);
        }
        if plain
            && matches!(
                &*name.base,
                "softmax" | "layernorm" | "rmsnorm" | "logsumexp"
            )
            && primes == 0
        {
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
                // A number the body reads that was bound after the definition (`s(t) =
                // sigmoid(β·t)`, then `β = 2`) takes its value here, as a parameter of the call
                // (from a review: β stayed symbolic, and W and b had no value). The binding is
                // the session's, never a parameter of a definition being written around this
                // call; a name a definition called in the body also reads is left symbolic
                // for all of them, as that call cannot be given it (one name, one meaning).
                let (direct, nested) = free_params(&d.body);
                for p in direct {
                    let number = (self.env.bindings.get(&p)).is_some_and(|b| {
                        b.value.shape.kind == Kind::Scalar && b.symbols.is_empty()
                    });
                    if number && !nested.contains(&p) && !params.iter().any(|(q, _)| *q == p) {
                        let around = self.fun.take();
                        let v = self.name(&p, name_span);
                        self.fun = around;
                        params.push((p, v?));
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

    /// `softmax`, `logsumexp`, `layernorm` and `rmsnorm`, written with the language's own
    /// operators so the expansion and the numeric evaluator need nothing new (n is the length
    /// of v):
    ///
    /// * `softmax(v) = exp(v) / 𝟙ᵀ·exp(v)`: the expansion finds the O(1) part n of the
    ///   denominator (`𝟙ᵀ·𝟙 = n`), so its power is a binomial series;
    /// * `logsumexp(v) = log(𝟙ᵀ·exp(v))`, a scalar: the series of log at that O(1) part;
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
        if !matches!(s.kind, Kind::Vector | Kind::Matrix) {
            return Err(Diagnostic::at(
                Phase::Shape,
                v.span,
                format!(
                    "`{which}` takes a column vector or a matrix of rows, not {}",
                    self.shape_text(s)
                ),
            )
            .hint("for one token written as a row r, normalise the column `rᵀ`; a token matrix has one token per row"));
        }
        let rowwise = s.kind == Kind::Matrix;
        // The length each vector is normalised over: the column vector's, or a row's (d).
        let n = if rowwise { s.c } else { s.r };
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
                        "softmax" | "logsumexp" => "it has no parameters",
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
        if rowwise {
            return Ok(self.rowwise_function(which, v, s, eps, gamma, beta, span));
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
        let inv_len = self.mk(IrKind::Pow(Box::new(len), Q::from(-1)), span, sc);
        // 𝟙ᵀ·w/n, a scalar.
        let mean_of = |cx: &Self, w: Ir| {
            cx.mk(
                IrKind::Mul(vec![inv_len.clone(), ones_t.clone(), w]),
                span,
                sc,
            )
        };
        if which == "softmax" || which == "logsumexp" {
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
            let total = self.mk(IrKind::Mul(vec![ones_t.clone(), e.clone()]), span, sc);
            if which == "logsumexp" {
                return Ok(self.mk(
                    IrKind::Apply {
                        callee: Callee::Prim(Prim::Log),
                        deriv: 0,
                        arg: Box::new(total),
                        params: Vec::new(),
                    },
                    span,
                    sc,
                ));
            }
            let inv = self.mk(IrKind::Pow(Box::new(total), Q::from(-1)), span, sc);
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

    /// `softmax`, `layernorm` and `rmsnorm` of an n×d matrix, row by row (each row a token
    /// of d features), written like the vector forms with the row sums as a column vector:
    ///
    /// * `softmax(V) = diag(r^∘(−1))·exp(V)`, `r = d·𝟙 + (exp(V) − 𝟙·𝟙ᵀ)·𝟙` the row sums
    ///   with their O(1) part d·𝟙 apart, so the entry-wise inverse is a binomial series;
    /// * `layernorm(V) = diag((V^∘2·𝟙/d − m^∘2 + η·𝟙)^∘(−½))·(V − m·𝟙ᵀ)·diag(γ) + 𝟙·βᵀ`,
    ///   `m = V·𝟙/d` the row means;
    /// * `rmsnorm(V) = diag((V^∘2·𝟙/d + η·𝟙)^∘(−½))·V·diag(γ)`.
    #[allow(clippy::too_many_arguments)]
    fn rowwise_function(
        &mut self,
        which: &str,
        v: Ir,
        s: VShape,
        eps: Option<Ir>,
        gamma: Option<Ir>,
        beta: Option<Ir>,
        span: Span,
    ) -> Ir {
        let sc = self.scalar_shape();
        let (rows, d) = (s.r, s.c);
        let col = |len| VShape {
            kind: Kind::Vector,
            r: len,
            c: self.one,
        };
        let row_of = |len| VShape {
            kind: Kind::Row,
            r: self.one,
            c: len,
        };
        let (col_n, col_d) = (col(rows), col(d));
        let mat = s;
        let ones_n = self.mk(IrKind::Ones, span, col_n);
        let ones_d = self.mk(IrKind::Ones, span, col_d);
        let ones_d_t = self.mk(IrKind::Transpose(Box::new(ones_d.clone())), span, row_of(d));
        let len = self.mk(
            IrKind::Len,
            span,
            VShape {
                kind: Kind::Scalar,
                r: d,
                c: self.one,
            },
        );
        // Each row's sum as a column: w·𝟙.
        let row_sums = |cx: &Self, w: Ir| cx.mk(IrKind::Mul(vec![w, ones_d.clone()]), span, col_n);
        // diag(p^∘q)·w: every row of w scaled by its entry of p^∘q.
        let scale_rows = |cx: &Self, p: Ir, q: Q, w: Ir| {
            let pow = cx.mk(IrKind::Pow(Box::new(p), q), span, col_n);
            let dg = cx.mk(
                IrKind::Diag(Box::new(pow)),
                span,
                VShape {
                    kind: Kind::Matrix,
                    r: rows,
                    c: rows,
                },
            );
            cx.mk(IrKind::Mul(vec![dg, w]), span, mat)
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
                mat,
            );
            let all_ones = self.mk(IrKind::Mul(vec![ones_n.clone(), ones_d_t]), span, mat);
            let minus = self.mk(IrKind::Neg(Box::new(all_ones)), span, mat);
            let excess = self.mk(IrKind::Sum(vec![e.clone(), minus]), span, mat);
            let base = self.mk(IrKind::Mul(vec![len, ones_n]), span, col_n);
            let sums = self.mk(IrKind::Sum(vec![base, row_sums(self, excess)]), span, col_n);
            return scale_rows(self, sums, Q::from(-1), e);
        }
        let inv_len = self.mk(IrKind::Pow(Box::new(len), Q::from(-1)), span, sc);
        let row_means = |cx: &Self, w: Ir| {
            let total = row_sums(cx, w);
            cx.mk(IrKind::Mul(vec![inv_len.clone(), total]), span, col_n)
        };
        let sq = self.mk(IrKind::HadPow(Box::new(v.clone()), 2), span, mat);
        let mut var = row_means(self, sq);
        let centred = if which == "layernorm" {
            let m = row_means(self, v.clone());
            let m2 = self.mk(IrKind::HadPow(Box::new(m.clone()), 2), span, col_n);
            let neg_m2 = self.mk(IrKind::Neg(Box::new(m2)), span, col_n);
            var = self.mk(IrKind::Sum(vec![var, neg_m2]), span, col_n);
            let shift = self.mk(IrKind::Mul(vec![m, ones_d_t.clone()]), span, mat);
            let neg = self.mk(IrKind::Neg(Box::new(shift)), span, mat);
            self.mk(IrKind::Sum(vec![v, neg]), span, mat)
        } else {
            v
        };
        let eps = eps
            .unwrap_or_else(|| self.mk(IrKind::Num(Q::from_unsigneds(1u32, 100_000u32)), span, sc));
        let eps_col = self.mk(IrKind::Mul(vec![eps, ones_n.clone()]), span, col_n);
        let total = self.mk(IrKind::Sum(vec![var, eps_col]), span, col_n);
        let mut out = scale_rows(self, total, Q::from_signeds(-1, 2), centred);
        if let Some(g) = gamma {
            let dg = self.mk(
                IrKind::Diag(Box::new(g)),
                span,
                VShape {
                    kind: Kind::Matrix,
                    r: d,
                    c: d,
                },
            );
            out = self.mk(IrKind::Mul(vec![out, dg]), span, mat);
        }
        if let Some(b) = beta {
            let bt = self.mk(IrKind::Transpose(Box::new(b)), span, row_of(d));
            let offset = self.mk(IrKind::Mul(vec![ones_n, bt]), span, mat);
            out = self.mk(IrKind::Sum(vec![out, offset]), span, mat);
        }
        out
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

/// The scalar parameters a function body reads that are not its own (its own are `Param`s too,
/// and the caller skips those already given), in order of first use; and those that a
/// definition it calls reads without being given them (through its own calls too).
fn free_params(body: &Ir) -> (Vec<Name>, std::collections::BTreeSet<Name>) {
    let mut direct: Vec<Name> = Vec::new();
    let mut nested = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut pending: Vec<std::rc::Rc<crate::ir::FunDef>> = Vec::new();
    let mut read =
        |ir: &Ir, top: bool, pending: &mut Vec<std::rc::Rc<crate::ir::FunDef>>, own: &[Name]| {
            crate::ir::visit::walk(ir, |n| {
                match n.kind() {
                    IrKind::Param(p) if !own.contains(p) => {
                        if top {
                            if !direct.contains(p) {
                                direct.push(p.clone());
                            }
                        } else {
                            nested.insert(p.clone());
                        }
                    }
                    IrKind::Apply {
                        callee: Callee::Def(d),
                        ..
                    } if seen.insert(std::rc::Rc::as_ptr(d)) => pending.push(d.clone()),
                    _ => {}
                }
                crate::ir::visit::Step::Descend
            });
        };
    read(body, true, &mut pending, &[]);
    while let Some(d) = pending.pop() {
        let own: Vec<Name> = d.params.iter().map(|(n, _)| n.clone()).collect();
        read(&d.body, false, &mut pending, &own);
    }
    (direct, nested)
}
