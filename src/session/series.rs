//! `:series` resolution: a name, a definition or an expression in one variable, and its series at a point.

use super::Session;
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::Env;
use crate::series::SeriesResult;
use crate::syntax::{Name, Stmt};
use std::collections::BTreeSet;

/// The arguments of `:series`.
pub(super) struct SeriesArgs {
    /// The function: a name, a definition or an expression.
    pub spec: String,
    /// The point's text and its byte offset in the arguments.
    pub at: Option<(String, usize)>,
    /// The order, when given.
    pub order: Option<usize>,
}

/// Splits `:series` arguments: `SPEC [order N] [at A]` (keywords may come in either order,
/// each once: from a review, `at 1 at 2` took the last). An error comes with the byte range,
/// in `args`, of the word it is about.
pub(super) fn series_args(args: &str) -> Result<SeriesArgs, (String, std::ops::Range<usize>)> {
    // Each word with its byte offset in `args` (an error in the point points into it).
    let words: Vec<(usize, &str)> = args
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - args.as_ptr() as usize, w))
        .collect();
    let word = |i: usize| words[i].0..words[i].0 + words[i].1.len();
    let mut spec = Vec::new();
    let (mut at, mut order) = (None, None);
    let mut i = 0;
    while i < words.len() {
        match (words[i].1, words.get(i + 1).copied()) {
            ("order" | "--order", Some((_, n))) if n.parse::<usize>().is_ok() => {
                if order.is_some() {
                    return Err(("`order` is given twice".into(), word(i)));
                }
                order = n.parse().ok();
                i += 2;
            }
            // `order -3`, `order 1e3`, `order 2.5`: an order that is no whole number, not a
            // variable named `order` (`:series order - 3` still reads as an expression).
            ("order" | "--order", Some((offset, n)))
                if n.trim_start_matches(['+', '-', '−'])
                    .starts_with(|c: char| {
                        c.is_ascii_digit() || "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒".contains(c)
                    }) =>
            {
                let message = if n
                    .trim_start_matches('+')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                {
                    format!("the order {n} is too large")
                } else {
                    format!(
                        "the order must be a whole number from 0 up, not `{n}`: `:series tanh order 9`"
                    )
                };
                return Err((message, offset..offset + n.len()));
            }
            ("at" | "--at", Some((offset, a))) => {
                if at.is_some() {
                    return Err(("`at` is given twice".into(), word(i)));
                }
                at = Some((a.to_string(), offset));
                i += 2;
            }
            (w, _) => {
                spec.push(w);
                i += 1;
            }
        }
    }
    Ok(SeriesArgs {
        spec: spec.join(" "),
        at,
        order,
    })
}

impl Session {
    /// The point of a series, `at`'s text evaluated: an error points into that text.
    pub fn series_point(&self, at: &str) -> Result<crate::algebra::Scalar, Diagnostic> {
        let limits = &self.options.limits;
        let e = crate::syntax::parse_expr(at, limits)?;
        let l = crate::ir::lower_expr(&e, &self.env)?;
        if l.ir.kind_of() != crate::algebra::Kind::Scalar {
            // From a review: `--at foo` (a vector by its name) said only this.
            return Err(Diagnostic::at(Phase::Shape, e.span, "the point must be a scalar")
                .hint(
                    "a number (`0.5`, `1/3`, `pi/4`) or a scalar parameter: a Greek letter, or a name declared `: scalar`",
                ));
        }
        crate::series::scalar_value(&l.ir, limits)
    }

    /// The series of a function at a point: `spec` is a function name, a definition
    /// (`swish(t) = t·sigmoid(t)`) or an expression in one variable (`tanh(tanh(t))`).
    pub fn series(
        &self,
        spec: &str,
        at: Option<&str>,
        order: usize,
    ) -> Result<SeriesResult, Diagnostic> {
        let point = || match at {
            None => Ok(crate::algebra::Scalar::zero()),
            Some(a) => self.series_point(a),
        };
        self.series_with(spec, point, order)
    }

    /// [`Session::series`] at a point already evaluated ([`Session::series_point`]), whose
    /// errors the caller placed in the point's own text.
    pub fn series_at(
        &self,
        spec: &str,
        at: crate::algebra::Scalar,
        order: usize,
    ) -> Result<SeriesResult, Diagnostic> {
        self.series_with(spec, || Ok(at), order)
    }

    /// The series of `spec` at `point()`, evaluated once the function is known (an error in
    /// the function is reported before one in the point).
    fn series_with(
        &self,
        spec: &str,
        point: impl FnOnce() -> Result<crate::algebra::Scalar, Diagnostic>,
        order: usize,
    ) -> Result<SeriesResult, Diagnostic> {
        use crate::ir::{Callee, Prim};
        use crate::syntax::{Expr, ExprKind};
        let limits = &self.options.limits;
        let stmt = crate::syntax::parse_statement(spec, limits)?;
        let mut written = None;
        let (name, callee, params) = match &stmt {
            Stmt::Def { name, .. } => {
                let d = crate::ir::lower_function(&stmt, &self.env, spec, false)?;
                let params = d.params.clone();
                (name.unicode(), Callee::Def(d), params)
            }
            Stmt::Expr(Expr {
                kind: ExprKind::Name(n),
                ..
            }) if self.env.functions.contains_key(n) || Prim::from_name(&n.ascii()).is_some() => {
                match self.env.functions.get(n) {
                    Some(d) => (n.unicode(), Callee::Def(d.clone()), d.params.clone()),
                    None => (
                        n.unicode(),
                        Callee::Prim(Prim::from_name(&n.ascii()).unwrap_or(Prim::Exp)),
                        vec![],
                    ),
                }
            }
            Stmt::Expr(Expr {
                kind: ExprKind::Name(n),
                span,
                ..
            }) => {
                // A bare name is a function to expand; expanding the variable itself (the
                // identity) is never what a misspelt `tahn` meant.
                let names: Vec<String> = self
                    .env
                    .functions
                    .keys()
                    .map(|f| f.ascii())
                    .chain(Prim::ALL.iter().map(|p| p.name().to_string()))
                    .collect();
                let typed = n.ascii();
                let mut d = Diagnostic::at(Phase::Name, *span, format!("unknown function `{n}`"));
                let near = crate::diagnostic::nearest(&typed, names.iter().map(|s| s.as_str()))
                    .or_else(|| {
                        let lower = typed.to_lowercase();
                        names.iter().map(|s| s.as_str()).find(|s| *s == lower)
                    });
                d = match near {
                    Some(k) if k.eq_ignore_ascii_case(&typed) => d.hint(format!(
                        "names are case-sensitive: did you mean `{k}`?"
                    )),
                    Some(k) => d.hint(format!("did you mean `{k}`?")),
                    None => d.hint(
                        "`taylornet classify` lists the catalog; an expression in one variable such as `tanh(t)` or a definition `f(t) = …` also works",
                    ),
                };
                return Err(d);
            }
            Stmt::Expr(e) => {
                let mut vars = std::collections::BTreeSet::new();
                free_variables(e, &self.env, &mut vars);
                let var = match vars.len() {
                    0 => Name::new("t", ""),
                    1 => vars
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Name::new("t", "")),
                    _ => {
                        let list: Vec<String> = vars.iter().map(|v| format!("`{v}`")).collect();
                        return Err(Diagnostic::at(Phase::Name, e.span, format!("the expression has several variables ({}); a series needs one", list.join(", "))).hint("declare parameters as scalars (`λ : scalar`) or write a definition `f(t) = …`"));
                    }
                };
                let def = Stmt::Def {
                    name: Name::new("f", ""),
                    name_span: e.span,
                    var: var.clone(),
                    var_span: e.span,
                    params: vec![],
                    body: e.clone(),
                    span: e.span,
                };
                let d = crate::ir::lower_function(&def, &self.env, spec, false)?;
                written = Some((e.clone(), var));
                (spec.trim().to_string(), Callee::Def(d), vec![])
            }
            other => {
                return Err(Diagnostic::at(
                    Phase::Parse,
                    other.span(),
                    "expected a function name, a definition or an expression in one variable",
                ));
            }
        };
        let at_value = point()?;
        let budget = self.budget();
        let series = crate::series::series_at(
            &callee,
            &params,
            &at_value,
            order,
            limits,
            &budget,
            stmt.span(),
        )
        .map_err(|d| d.relabel(Span::new(0, spec.len()), ""))?;
        Ok(SeriesResult {
            name,
            at: at_value,
            order,
            series,
            written,
        })
    }
}

/// Lower-case names that are not functions, constants or declared: the candidates for a series variable.
fn free_variables(e: &crate::syntax::Expr, env: &Env, out: &mut BTreeSet<Name>) {
    use crate::syntax::ExprKind;
    match &e.kind {
        ExprKind::Name(n) => {
            let declared_scalar =
                matches!(env.decls.get(n), Some(crate::syntax::ShapeSpec::Scalar));
            let constant = n.sub.is_empty() && matches!(&*n.base, "e" | "π");
            if !n.is_greek()
                && !declared_scalar
                && !constant
                && !env.bindings.contains_key(n)
                && !env.functions.contains_key(n)
                // A primitive's name (`tanh`) is a function too: `tanh + 1` was read as the
                // variable tanh plus 1 (from a review); lowering now says to call it.
                && crate::ir::Prim::from_name(&n.ascii()).is_none()
            {
                out.insert(n.clone());
            }
        }
        ExprKind::Num(_) | ExprKind::Ones => {}
        ExprKind::Call { args, kwargs, .. } => {
            for a in args {
                free_variables(a, env, out);
            }
            for (_, _, v) in kwargs {
                free_variables(v, env, out);
            }
        }
        ExprKind::Neg(x) | ExprKind::HadPow { base: x, .. } | ExprKind::Transpose(x) => {
            free_variables(x, env, out)
        }
        ExprKind::Pow { base, exp } => {
            free_variables(base, env, out);
            free_variables(exp, env, out);
        }
        ExprKind::Sum(v) => v.iter().for_each(|(_, x)| free_variables(x, env, out)),
        ExprKind::Product(v) => v.iter().for_each(|(_, x)| free_variables(x, env, out)),
        ExprKind::Hadamard(v) => v.iter().for_each(|x| free_variables(x, env, out)),
        ExprKind::If {
            lhs,
            rhs,
            then,
            otherwise,
            ..
        } => {
            for x in [lhs, rhs, then, otherwise] {
                free_variables(x, env, out);
            }
        }
    }
}
