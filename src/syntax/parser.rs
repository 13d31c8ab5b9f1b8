//! The pest parser for `grammar/taylornet.pest`, with a Pratt parser for operator precedence.
//!
//! Precedence, loosest first: `+ −`; unary `−`; `∘ ⊙ .*`; `· * @ /` and
//! juxtaposition; powers `^ ² ^∘k`. So `a∘W·x` is `a∘(W·x)` (a matrix applied
//! to a vector binds first, as in `σ′(z)∘W·x`) and `−a·b` is `−(a·b)`.

use super::ast::*;
use super::names::Name;
use super::split::split_statements;
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::limits::Limits;
use malachite_base::num::arithmetic::traits::Pow;
use malachite_q::Rational;
use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::str::FromStr;
use std::sync::OnceLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/taylornet.pest"]
struct Grammar;

type Result<T> = std::result::Result<T, Diagnostic>;

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::prefix(Rule::neg) | Op::prefix(Rule::pos))
            .op(Op::infix(Rule::hadamard, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left)
                | Op::infix(Rule::div, Assoc::Left)
                | Op::infix(Rule::implicit, Assoc::Left))
            .op(Op::postfix(Rule::pow)
                | Op::postfix(Rule::hpow)
                | Op::postfix(Rule::sup_pow)
                | Op::postfix(Rule::tpose))
    })
}

/// Parses a whole script: statements separated by `;` or newlines.
pub fn parse_script(source: &str, limits: &Limits) -> Result<Vec<Stmt>> {
    check_size(source, limits)?;
    let mut out = Vec::new();
    for span in split_statements(source)? {
        out.push(parse_statement_at(source, span, limits)?);
    }
    Ok(out)
}

/// The statements of a script one by one, each parsed when it is reached: a syntax error
/// ends the list there, after the statements before it (a script run keeps their results).
pub fn parse_script_lazily(
    source: &str,
    limits: &Limits,
) -> Result<impl Iterator<Item = Result<Stmt>>> {
    check_size(source, limits)?;
    let spans = split_statements(source)?;
    Ok(spans
        .into_iter()
        .map(move |span| parse_statement_at(source, span, limits)))
}

/// Parses one statement (`source` must not contain a top-level `;`).
pub fn parse_statement(source: &str, limits: &Limits) -> Result<Stmt> {
    check_size(source, limits)?;
    parse_statement_at(source, Span::new(0, source.len()), limits)
}

/// Parses a single expression.
pub fn parse_expr(source: &str, limits: &Limits) -> Result<Expr> {
    match parse_statement(source, limits)? {
        Stmt::Expr(e) => Ok(e),
        other => Err(Diagnostic::at(
            Phase::Parse,
            other.span(),
            "expected an expression, found a statement",
        )),
    }
}

/// Parses the statement at `span` of a larger script (spans stay relative to the script).
pub fn parse_statement_in(source: &str, span: Span, limits: &Limits) -> Result<Stmt> {
    check_size(source, limits)?;
    parse_statement_at(source, span, limits)
}

fn check_size(source: &str, limits: &Limits) -> Result<()> {
    if source.len() > limits.max_input_bytes {
        return Err(Diagnostic::at(
            Phase::Limit,
            Span::new(0, 1),
            format!(
                "input is {} bytes; the limit is {} bytes",
                source.len(),
                limits.max_input_bytes
            ),
        ));
    }
    Ok(())
}

/// Rejects nesting deeper than the limit before the recursive-descent parser sees it.
fn check_nesting(text: &str, offset: usize, limits: &Limits) -> Result<()> {
    let mut depth = 0u32;
    let mut signs = 0u32;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if matches!(c, '-' | '−' | '+') {
            signs += 1;
        } else if !c.is_whitespace() {
            signs = 0;
        }
        if depth > limits.max_depth || signs > limits.max_depth {
            return Err(Diagnostic::at(
                Phase::Limit,
                Span::new(offset + i, offset + i + c.len_utf8()),
                format!("nesting deeper than {} levels", limits.max_depth),
            )
            .hint("the limit is `max_depth` in the engine's limits (docs/robustness.md)"));
        }
    }
    Ok(())
}

fn parse_statement_at(source: &str, span: Span, limits: &Limits) -> Result<Stmt> {
    let text = &source[span.start..span.end];
    check_nesting(text, span.start, limits)?;
    let mut pairs = Grammar::parse(Rule::statement, text)
        .map_err(|e| syntax_error(e, text).shifted(span.start))?;
    let stmt = pairs.next().and_then(|p| p.into_inner().next());
    let Some(stmt) = stmt else {
        return Err(Diagnostic::at(Phase::Parse, span, "empty statement"));
    };
    let b = Builder {
        offset: span.start,
        limits,
    };
    b.statement(stmt)
}

/// Turns pest's "expected rule X" into words a user reads.
fn syntax_error(e: pest::error::Error<Rule>, text: &str) -> Diagnostic {
    let (start, end) = match e.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span((a, b)) => (a, b),
    };
    let found = text[start.min(text.len())..].chars().next();
    let end = end.max(start + found.map(|c| c.len_utf8()).unwrap_or(0));
    let mut wanted: Vec<&str> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().map(|r| describe(*r)).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => vec![],
    };
    if wanted.contains(&"an expression") {
        // Every primary is an expression; naming them all only adds noise.
        wanted.retain(|w| !matches!(*w, "a name" | "a number" | "`(`" | "a function call"));
    }
    wanted.sort();
    wanted.dedup();
    let found_text = match found {
        None => "the end of the input".to_string(),
        Some(c) if crate::diagnostic::is_invisible(c) => {
            format!("the invisible character U+{:04X}", c as u32)
        }
        Some(c) => format!("`{c}`"),
    };
    let message = if wanted.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&wanted))
    };
    let d = Diagnostic::at(Phase::Parse, Span::new(start, end), message);
    // A file with old Mac line ends (a lone CR) reads as one line, its statements run
    // together: say why (from a review, the error showed only a `�`).
    // A CR that ends the statement is a CR LF's first half (the library is given text as it
    // was written, the LF split off with the statement).
    let lone_cr = (text.match_indices('\r'))
        .any(|(i, _)| i + 1 < text.len() && !text[i + 1..].starts_with('\n'));
    if lone_cr {
        return d.hint("a lone carriage return (U+000D, shown as `�`) does not end a line: end lines with a newline (LF or CR LF)");
    }
    // A vector or matrix written inside an expression: literals are bound to a name (from a
    // review, `tanh(W1·x + [1, 2])` said only "found `[`").
    if found == Some('[') {
        return d.hint("a vector or matrix literal is given a name first, then used: `b1 = [1, 2]`, then `tanh(W1·x + b1)`");
    }
    d
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [a] => a.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the statement",
        Rule::expr => "an expression",
        Rule::name | Rule::ident => "a name",
        Rule::number | Rule::signed_number | Rule::tensor_entry => "a number",
        Rule::integer => "a whole number",
        Rule::add | Rule::sub | Rule::mul | Rule::div | Rule::hadamard | Rule::implicit => {
            "an operator"
        }
        Rule::hpow | Rule::pow | Rule::sup_pow | Rule::tpose => "an operator",
        Rule::paren | Rule::if_paren => "`(`",
        Rule::call | Rule::callee => "a function call",
        Rule::ones | Rule::root => "an expression",
        Rule::neg | Rule::pos => "an expression",
        Rule::shape | Rule::dims | Rule::dim | Rule::kw_scalar | Rule::kw_dim => {
            "a shape (`4`, `2x4`, `scalar` or `dim`)"
        }
        Rule::times => "`x` or `×`",
        Rule::cmp_op => "a comparison (`>`, `<`, `>=`, `<=`)",
        Rule::condition => "a condition such as `t > 0`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_if | Rule::if_expr => "`if`",
        Rule::body => "an expression",
        Rule::kwarg | Rule::param => "a parameter such as `a = 1/2`",
        Rule::command_name => "a command name",
        Rule::primes => "an operator",
        Rule::pow_arg => "an exponent",
        _ => "an expression",
    }
}

/// Builds AST nodes from pest pairs; spans are shifted to the whole source.
struct Builder<'l> {
    offset: usize,
    limits: &'l Limits,
}

impl Builder<'_> {
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(s.start() + self.offset, s.end() + self.offset)
    }

    fn node(&self, kind: ExprKind, span: Span) -> Result<Expr> {
        self.checked(Expr::new(kind, span))
    }

    /// `lhs` (an n-ary node of depth `old_depth`, or a first operand) extended by `rhs`.
    fn grown(&self, kind: ExprKind, span: Span, old_depth: u32, rhs_depth: u32) -> Result<Expr> {
        self.checked(Expr::grown(kind, span, old_depth, rhs_depth))
    }

    fn checked(&self, e: Expr) -> Result<Expr> {
        let span = e.span;
        if e.depth > self.limits.max_depth {
            return Err(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "expression nested deeper than {} levels",
                    self.limits.max_depth
                ),
            ));
        }
        Ok(e)
    }

    fn name(&self, p: Pair<Rule>) -> Result<(Name, Span)> {
        let span = self.span(&p);
        Name::parse(p.as_str())
            .map(|n| (n, span))
            .map_err(|m| Diagnostic::at(Phase::Parse, span, m))
    }

    fn statement(&self, p: Pair<Rule>) -> Result<Stmt> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::command => {
                let mut inner = p.into_inner();
                let name = inner
                    .next()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                let args = inner
                    .next()
                    .map(|a| a.as_str().trim().to_string())
                    .unwrap_or_default();
                Ok(Stmt::Command { name, args, span })
            }
            Rule::declaration => {
                let mut inner = p.into_inner();
                let mut names = Vec::new();
                if let Some(list) = inner.next() {
                    for n in list.into_inner() {
                        names.push(self.name(n)?);
                    }
                }
                let shape = match inner.next().and_then(|s| s.into_inner().next()) {
                    Some(s) => self.shape(s)?,
                    None => return Err(Diagnostic::at(Phase::Parse, span, "missing shape")),
                };
                Ok(Stmt::Decl { names, shape, span })
            }
            Rule::definition => {
                let mut inner = p.into_inner();
                let callee = inner
                    .next()
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, span, "missing name"))?;
                let (name, name_span) = self.callee(callee)?;
                let var = inner
                    .next()
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, span, "missing variable"))?;
                let (var, var_span) = self.name(var)?;
                let mut params = Vec::new();
                let mut body = None;
                for q in inner {
                    match q.as_rule() {
                        Rule::param => {
                            let pspan = self.span(&q);
                            let mut pi = q.into_inner();
                            let n = pi.next().ok_or_else(|| {
                                Diagnostic::at(Phase::Parse, pspan, "missing parameter")
                            })?;
                            let (pname, _) = self.name(n)?;
                            let default = match pi.next() {
                                Some(e) => Some(self.expr(e)?),
                                None => None,
                            };
                            params.push(Param {
                                name: pname,
                                span: pspan,
                                default,
                            });
                        }
                        Rule::body => body = Some(self.body(q)?),
                        _ => {}
                    }
                }
                let body =
                    body.ok_or_else(|| Diagnostic::at(Phase::Parse, span, "missing body"))?;
                Ok(Stmt::Def {
                    name,
                    name_span,
                    var,
                    var_span,
                    params,
                    body,
                    span,
                })
            }
            Rule::binding => {
                let mut inner = p.into_inner();
                let n = inner
                    .next()
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, span, "missing name"))?;
                let (name, name_span) = self.name(n)?;
                let e = inner
                    .next()
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, span, "missing value"))?;
                if e.as_rule() == Rule::tensor {
                    return Ok(Stmt::Value {
                        name,
                        name_span,
                        value: self.tensor(e)?,
                        span,
                    });
                }
                Ok(Stmt::Bind {
                    name,
                    name_span,
                    value: self.expr(e)?,
                    span,
                })
            }
            Rule::expr => Ok(Stmt::Expr(self.expr(p)?)),
            _ => Err(Diagnostic::at(Phase::Parse, span, "unexpected statement")),
        }
    }

    fn shape(&self, p: Pair<Rule>) -> Result<ShapeSpec> {
        match p.as_rule() {
            Rule::kw_scalar => Ok(ShapeSpec::Scalar),
            Rule::kw_dim => Ok(ShapeSpec::Dim),
            _ => {
                let dims: Vec<Pair<Rule>> = p
                    .into_inner()
                    .filter(|q| q.as_rule() == Rule::dim)
                    .collect();
                let mut ds = Vec::new();
                for d in dims {
                    ds.push(self.dim(d)?);
                }
                match ds.len() {
                    1 => Ok(ShapeSpec::Vector(ds.remove(0))),
                    _ => {
                        let c = ds.remove(1);
                        let r = ds.remove(0);
                        Ok(match c {
                            DimSpec::Known(1) => ShapeSpec::Vector(r),
                            c => ShapeSpec::Matrix(r, c),
                        })
                    }
                }
            }
        }
    }

    fn dim(&self, p: Pair<Rule>) -> Result<DimSpec> {
        let span = self.span(&p);
        let Some(q) = p.into_inner().next() else {
            return Err(Diagnostic::at(Phase::Parse, span, "missing dimension"));
        };
        match q.as_rule() {
            Rule::integer => {
                let n: u64 = q
                    .as_str()
                    .parse()
                    .map_err(|_| Diagnostic::at(Phase::Limit, span, "dimension too large"))?;
                if n == 0 {
                    return Err(Diagnostic::at(
                        Phase::Shape,
                        span,
                        "a dimension must be at least 1",
                    ));
                }
                Ok(DimSpec::Known(n))
            }
            _ => Ok(DimSpec::Named(self.name(q)?.0)),
        }
    }

    fn callee(&self, p: Pair<Rule>) -> Result<(Name, Span)> {
        let span = self.span(&p);
        let ident = p.into_inner().find(|q| q.as_rule() == Rule::ident);
        match ident {
            Some(i) => self.name(i),
            None => Err(Diagnostic::at(Phase::Parse, span, "missing function name")),
        }
    }

    fn body(&self, p: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&p);
        match p.into_inner().next() {
            Some(q) if q.as_rule() == Rule::if_expr => self.if_expr(q),
            Some(q) => self.expr(q),
            None => Err(Diagnostic::at(Phase::Parse, span, "missing expression")),
        }
    }

    fn if_expr(&self, p: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&p);
        let missing = || Diagnostic::at(Phase::Parse, span, "incomplete `if … then … else …`");
        let mut cond = None;
        let mut bodies = Vec::new();
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::condition => cond = Some(q),
                Rule::body => bodies.push(self.body(q)?),
                _ => {}
            }
        }
        let cond = cond.ok_or_else(missing)?;
        let mut ci = cond.into_inner();
        let lhs = self.expr(ci.next().ok_or_else(missing)?)?;
        let op = match ci.next().ok_or_else(missing)?.as_str() {
            ">" => CmpOp::Gt,
            ">=" | "≥" => CmpOp::Ge,
            "<" => CmpOp::Lt,
            _ => CmpOp::Le,
        };
        let rhs = self.expr(ci.next().ok_or_else(missing)?)?;
        if bodies.len() != 2 {
            return Err(missing());
        }
        let otherwise = bodies.pop().ok_or_else(missing)?;
        let then = bodies.pop().ok_or_else(missing)?;
        self.node(
            ExprKind::If {
                lhs: Box::new(lhs),
                op,
                rhs: Box::new(rhs),
                then: Box::new(then),
                otherwise: Box::new(otherwise),
            },
            span,
        )
    }

    fn expr(&self, p: Pair<Rule>) -> Result<Expr> {
        self.pratt(p.into_inner())
    }

    fn pratt(&self, pairs: Pairs<Rule>) -> Result<Expr> {
        pratt()
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = self.span(&op).join(rhs.span);
                match op.as_rule() {
                    Rule::pos => Ok(rhs),
                    _ => self.node(ExprKind::Neg(Box::new(rhs)), span),
                }
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let ospan = self.span(&op);
                let span = lhs.span.join(ospan);
                match op.as_rule() {
                    Rule::tpose => self.node(ExprKind::Transpose(Box::new(lhs)), span),
                    Rule::hpow => {
                        let digits = op
                            .into_inner()
                            .next()
                            .map(|d| d.as_str().to_string())
                            .unwrap_or_default();
                        let k = self.small_int(&digits, ospan)?;
                        if k < 0 {
                            return Err(Diagnostic::at(
                                Phase::Parse,
                                ospan,
                                "an element-wise power must be a whole number ≥ 0",
                            ));
                        }
                        self.node(
                            ExprKind::HadPow {
                                base: Box::new(lhs),
                                exp: k as u32,
                                exp_span: ospan,
                            },
                            span,
                        )
                    }
                    Rule::sup_pow => {
                        let k = self.small_int(op.as_str(), ospan)?;
                        let exp = self.node(ExprKind::Num(Rational::from(k)), ospan)?;
                        self.node(
                            ExprKind::Pow {
                                base: Box::new(lhs),
                                exp: Box::new(exp),
                            },
                            span,
                        )
                    }
                    _ => {
                        let arg = op.into_inner().next().and_then(|a| a.into_inner().next());
                        let Some(arg) = arg else {
                            return Err(Diagnostic::at(Phase::Parse, ospan, "missing exponent"));
                        };
                        let exp = match arg.as_rule() {
                            Rule::signed_number => {
                                let aspan = self.span(&arg);
                                let t = arg.as_str();
                                let (neg, t) =
                                    match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
                                        Some(rest) => (true, rest),
                                        None => (false, t),
                                    };
                                let n = self.number(t, aspan)?;
                                self.node(ExprKind::Num(if neg { -n } else { n }), aspan)?
                            }
                            Rule::name => {
                                let (n, s) = self.name(arg)?;
                                self.node(ExprKind::Name(n), s)?
                            }
                            _ => self.expr(arg)?,
                        };
                        self.node(
                            ExprKind::Pow {
                                base: Box::new(lhs),
                                exp: Box::new(exp),
                            },
                            span,
                        )
                    }
                }
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.join(rhs.span);
                match op.as_rule() {
                    Rule::add | Rule::sub => {
                        let neg = op.as_rule() == Rule::sub;
                        let rd = rhs.depth;
                        let (mut terms, old) = match lhs.kind {
                            ExprKind::Sum(v) => (v, lhs.depth),
                            _ => (vec![(false, lhs)], 0),
                        };
                        let old = old.max(terms[0].1.depth + 1);
                        terms.push((neg, rhs));
                        self.grown(ExprKind::Sum(terms), span, old, rd)
                    }
                    Rule::hadamard => {
                        let rd = rhs.depth;
                        let (mut fs, old) = match lhs.kind {
                            ExprKind::Hadamard(v) => (v, lhs.depth),
                            _ => (vec![lhs], 0),
                        };
                        let old = old.max(fs[0].depth + 1);
                        fs.push(rhs);
                        self.grown(ExprKind::Hadamard(fs), span, old, rd)
                    }
                    _ => {
                        let how = if op.as_rule() == Rule::div {
                            ProdOp::Div
                        } else {
                            ProdOp::Mul
                        };
                        let rd = rhs.depth;
                        let (mut fs, old) = match lhs.kind {
                            ExprKind::Product(v) => (v, lhs.depth),
                            _ => (vec![(ProdOp::Mul, lhs)], 0),
                        };
                        let old = old.max(fs[0].1.depth + 1);
                        fs.push((how, rhs));
                        self.grown(ExprKind::Product(fs), span, old, rd)
                    }
                }
            })
            .parse(pairs)
    }

    fn primary(&self, p: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::number => {
                let n = self.number(p.as_str(), span)?;
                self.node(ExprKind::Num(n), span)
            }
            Rule::ones => self.node(ExprKind::Ones, span),
            Rule::root => {
                let arg = p
                    .into_inner()
                    .next()
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, span, "`√` needs an argument"))?;
                let arg = self.primary(arg)?;
                let sign = Span::new(span.start, span.start + '√'.len_utf8());
                self.node(
                    ExprKind::Call {
                        name: Name::new("sqrt", ""),
                        name_span: sign,
                        primes: 0,
                        args: vec![arg],
                        kwargs: Vec::new(),
                    },
                    span,
                )
            }
            Rule::name => {
                let (n, s) = self.name(p)?;
                self.node(ExprKind::Name(n), s)
            }
            Rule::paren => match p.into_inner().next() {
                Some(e) => {
                    let mut e = self.expr(e)?;
                    e.span = span;
                    Ok(e)
                }
                None => Err(Diagnostic::at(Phase::Parse, span, "empty brackets")),
            },
            Rule::if_paren => match p.into_inner().next() {
                Some(e) => self.if_expr(e),
                None => Err(Diagnostic::at(Phase::Parse, span, "empty brackets")),
            },
            Rule::call => {
                let mut inner = p.into_inner();
                let callee = inner
                    .next()
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, span, "missing function"))?;
                let cspan = self.span(&callee);
                let mut primes = 0u32;
                let mut ident = None;
                for q in callee.into_inner() {
                    match q.as_rule() {
                        Rule::ident => ident = Some(q),
                        Rule::primes => primes = self.primes(q.as_str(), cspan)?,
                        _ => {}
                    }
                }
                let ident = ident
                    .ok_or_else(|| Diagnostic::at(Phase::Parse, cspan, "missing function name"))?;
                let (name, name_span) = self.name(ident)?;
                let mut args = Vec::new();
                let mut kwargs = Vec::new();
                for q in inner {
                    match q.as_rule() {
                        Rule::expr => args.push(self.expr(q)?),
                        Rule::kwarg => {
                            let kspan = self.span(&q);
                            let mut ki = q.into_inner();
                            let n = ki.next().ok_or_else(|| {
                                Diagnostic::at(Phase::Parse, kspan, "missing parameter name")
                            })?;
                            let (kn, ks) = self.name(n)?;
                            let v = ki.next().ok_or_else(|| {
                                Diagnostic::at(Phase::Parse, kspan, "missing parameter value")
                            })?;
                            kwargs.push((kn, ks, self.expr(v)?));
                        }
                        _ => {}
                    }
                }
                self.node(
                    ExprKind::Call {
                        name,
                        name_span,
                        primes,
                        args,
                        kwargs,
                    },
                    span,
                )
            }
            _ => Err(Diagnostic::at(Phase::Parse, span, "unexpected input")),
        }
    }

    fn primes(&self, s: &str, span: Span) -> Result<u32> {
        let n = match s {
            "″" => 2,
            "‴" => 3,
            _ if s.starts_with('⁽') => {
                let inner: String = s.chars().filter(|c| !matches!(c, '⁽' | '⁾')).collect();
                self.small_int(&inner, span)? as u32
            }
            _ => s.chars().count() as u32,
        };
        if n > self.limits.max_series_order {
            return Err(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "derivative order {n} exceeds the limit {}",
                    self.limits.max_series_order
                ),
            ));
        }
        Ok(n)
    }

    /// A small integer, in ASCII or superscript digits.
    fn small_int(&self, s: &str, span: Span) -> Result<i64> {
        let ascii: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '⁰' => '0',
                '¹' => '1',
                '²' => '2',
                '³' => '3',
                '⁴' => '4',
                '⁵' => '5',
                '⁶' => '6',
                '⁷' => '7',
                '⁸' => '8',
                '⁹' => '9',
                '⁻' => '-',
                c => c,
            })
            .collect();
        let n: i64 = ascii.parse().map_err(|_| {
            Diagnostic::at(Phase::Limit, span, format!("the power `{s}` is too large"))
        })?;
        if n.unsigned_abs() > self.limits.max_power as u64 {
            return Err(Diagnostic::at(
                Phase::Limit,
                span,
                format!("the power {n} exceeds the limit {}", self.limits.max_power),
            ));
        }
        Ok(n)
    }

    /// A vector or matrix literal: every row as long as the first, at most `max_tensor_entries`.
    fn tensor(&self, p: Pair<Rule>) -> Result<crate::syntax::ast::TensorLit> {
        let span = self.span(&p);
        let mut rows: Vec<Vec<Rational>> = Vec::new();
        let mut flat: Vec<Rational> = Vec::new();
        let mut entries = 0usize;
        let too_many = |n: usize| {
            Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "the literal has more than {n} entries (`max_tensor_entries`); load large weights from a file (`:weights FILE`)"
                ),
            )
        };
        for q in p.into_inner() {
            let qspan = self.span(&q);
            match q.as_rule() {
                Rule::tensor_row => {
                    let mut row = Vec::new();
                    for n in q.into_inner() {
                        row.push(self.entry(n)?);
                        entries += 1;
                        if entries > self.limits.max_tensor_entries {
                            return Err(too_many(self.limits.max_tensor_entries));
                        }
                    }
                    if let Some(first) = rows.first()
                        && first.len() != row.len()
                    {
                        return Err(Diagnostic::at(
                            Phase::Shape,
                            qspan,
                            format!(
                                "this row has {} {}, the first row {}: a matrix's rows have equal length",
                                row.len(),
                                if row.len() == 1 { "entry" } else { "entries" },
                                first.len()
                            ),
                        ));
                    }
                    rows.push(row);
                }
                _ => {
                    flat.push(self.entry(q)?);
                    entries += 1;
                    if entries > self.limits.max_tensor_entries {
                        return Err(too_many(self.limits.max_tensor_entries));
                    }
                }
            }
        }
        Ok(if rows.is_empty() {
            crate::syntax::ast::TensorLit {
                rows: flat.len(),
                cols: None,
                data: flat,
            }
        } else {
            crate::syntax::ast::TensorLit {
                rows: rows.len(),
                cols: Some(rows[0].len()),
                data: rows.into_iter().flatten().collect(),
            }
        })
    }

    /// A literal's entry: a signed number, or one over a number (`-3/4`), read exactly.
    fn entry(&self, p: Pair<Rule>) -> Result<Rational> {
        let span = self.span(&p);
        let mut parts = p.into_inner();
        let Some(top) = parts.next() else {
            return Err(Diagnostic::at(Phase::Parse, span, "an empty entry"));
        };
        let top = self.signed(top.as_str(), self.span(&top))?;
        match parts.next() {
            None => Ok(top),
            Some(bottom) => {
                let bottom = self.number(bottom.as_str(), self.span(&bottom))?;
                if bottom == 0u32 {
                    return Err(Diagnostic::at(
                        Phase::Parse,
                        span,
                        "division by zero in an entry",
                    ));
                }
                Ok(top / bottom)
            }
        }
    }

    /// A number with an optional leading minus, read exactly.
    fn signed(&self, s: &str, span: Span) -> Result<Rational> {
        match s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
            Some(rest) => Ok(-self.number(rest, span)?),
            None => self.number(s, span),
        }
    }

    /// Reads a literal exactly: `0.5` → 1/2, `1e-3` → 1/1000.
    fn number(&self, s: &str, span: Span) -> Result<Rational> {
        if let Some((n, d)) = vulgar_fraction(s) {
            return Ok(Rational::from_signeds(n, d));
        }
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, "0"),
        };
        let exp: i64 = exp
            .parse()
            .map_err(|_| Diagnostic::at(Phase::Limit, span, "exponent too large"))?;
        let digits = mantissa.len() as u64;
        if exp.unsigned_abs() > self.limits.max_literal_digits as u64
            || digits > self.limits.max_literal_digits as u64
        {
            return Err(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "the number `{}` is too large: at most {} digits and exponents up to ±{}",
                    short(s),
                    self.limits.max_literal_digits,
                    self.limits.max_literal_digits
                ),
            ));
        }
        let (int, frac) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all = format!("{int}{frac}");
        let n = Rational::from_str(&all)
            .map_err(|_| Diagnostic::at(Phase::Parse, span, "not a number"))?;
        let ten = Rational::from(10u32);
        let scale = exp - frac.len() as i64;
        Ok(n * (&ten).pow(scale))
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 20 {
        format!("{}…", s.chars().take(20).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The value of a Unicode vulgar fraction (`½` is 1/2), as the Unicode output writes them.
pub(crate) fn vulgar_fraction(s: &str) -> Option<(i64, i64)> {
    Some(match s {
        "½" => (1, 2),
        "⅓" => (1, 3),
        "⅔" => (2, 3),
        "¼" => (1, 4),
        "¾" => (3, 4),
        "⅕" => (1, 5),
        "⅖" => (2, 5),
        "⅗" => (3, 5),
        "⅘" => (4, 5),
        "⅙" => (1, 6),
        "⅚" => (5, 6),
        "⅐" => (1, 7),
        "⅛" => (1, 8),
        "⅜" => (3, 8),
        "⅝" => (5, 8),
        "⅞" => (7, 8),
        "⅑" => (1, 9),
        "⅒" => (1, 10),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        parse_expr(s, &Limits::default()).unwrap_or_else(|e| panic!("{}", e.render(s, "")))
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(p("0.5").kind, ExprKind::Num(Rational::from_signeds(1, 2)));
        assert_eq!(
            p("1e-3").kind,
            ExprKind::Num(Rational::from_signeds(1, 1000))
        );
    }

    /// A literal's entries are exact: decimals, exponents, vulgar fractions and fractions of
    /// two numbers (`-3/4`, with or without spaces); a zero denominator is an error at the entry.
    #[test]
    fn literal_entries_are_exact_fractions() {
        let value = |src: &str| match parse_statement(src, &Limits::default()) {
            Ok(Stmt::Value { value, .. }) => Ok(value),
            Ok(other) => panic!("{src}: not a value: {other:?}"),
            Err(e) => Err(e),
        };
        let q = Rational::from_signeds;
        let m = value("W = [[1/3, -2/3], [½, 0.25e1]]").unwrap();
        assert_eq!((m.rows, m.cols), (2, Some(2)));
        assert_eq!(m.data, vec![q(1, 3), q(-2, 3), q(1, 2), q(5, 2)]);
        let v = value("b = [1 / 2, −3/ 4, 6/4]").unwrap();
        assert_eq!((v.rows, v.cols), (3, None));
        assert_eq!(v.data, vec![q(1, 2), q(-3, 4), q(3, 2)]);
        let e = value("b = [1, 1/0]").unwrap_err();
        assert!(e.message.contains("division by zero"), "{}", e.message);
        assert_eq!(e.labels[0].span, Span::new(8, 11));
        // A fraction takes one number below it, not an expression.
        assert!(value("b = [1/(2)]").is_err());
        assert!(value("b = [1/2/3]").is_err());
    }

    #[test]
    fn a_root_sign_is_sqrt_of_the_operand_after_it() {
        let sqrt_of = |e: &Expr| match &e.kind {
            ExprKind::Call { name, args, .. } if &*name.base == "sqrt" && args.len() == 1 => {
                Some(args[0].kind.clone())
            }
            _ => None,
        };
        assert_eq!(sqrt_of(&p("√2")), Some(ExprKind::Num(Rational::from(2u32))));
        // `√2·x` is a product whose first factor is the root, not the root of a product.
        let ExprKind::Product(fs) = &p("√2·x").kind else {
            panic!()
        };
        assert!(sqrt_of(&fs[0].1).is_some());
        // Juxtaposed as printed: `2048√(2π)`.
        let ExprKind::Product(fs) = &p("2048√(2π)").kind else {
            panic!()
        };
        assert!(matches!(sqrt_of(&fs[1].1), Some(ExprKind::Product(_))));
        assert!(parse_expr("√", &Limits::default()).is_err());
    }

    #[test]
    fn implicit_products_and_precedence() {
        let e = p("λ² W2 W1 x + b");
        let ExprKind::Sum(terms) = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(terms.len(), 2);
        let ExprKind::Product(fs) = &terms[0].1.kind else {
            panic!()
        };
        assert_eq!(fs.len(), 4);
        let e = p("a∘W·x");
        let ExprKind::Hadamard(fs) = &e.kind else {
            panic!()
        };
        assert!(matches!(fs[1].kind, ExprKind::Product(_)));
    }

    #[test]
    fn statements() {
        let l = Limits::default();
        assert!(matches!(
            parse_statement("W1 : 2x4", &l),
            Ok(Stmt::Decl { .. })
        ));
        assert!(matches!(
            parse_statement("W1, W2 : 2×2", &l),
            Ok(Stmt::Decl { .. })
        ));
        assert!(matches!(
            parse_statement("s(t) = λ·t", &l),
            Ok(Stmt::Def { .. })
        ));
        assert!(matches!(
            parse_statement("h(t; a = 1) = if t > 0 then t else a·t", &l),
            Ok(Stmt::Def { .. })
        ));
        assert!(matches!(
            parse_statement("z1 = W1·x + b1", &l),
            Ok(Stmt::Bind { .. })
        ));
        assert!(matches!(
            parse_statement(":order 5", &l),
            Ok(Stmt::Command { .. })
        ));
        assert!(matches!(
            parse_statement("leaky_relu(W1·x; a = α)", &l),
            Ok(Stmt::Expr(_))
        ));
        assert!(matches!(
            parse_statement("z^∘3 + z.^2 + z∘³ + tanh′(b1)", &l),
            Ok(Stmt::Expr(_))
        ));
    }

    #[test]
    fn errors_say_what_was_expected() {
        let l = Limits::default();
        let e = parse_statement("tanh(W2··W1·x)", &l).unwrap_err();
        assert_eq!(e.labels[0].span.start, "tanh(W2·".len());
        assert!(
            e.message.contains("expected an expression"),
            "{}",
            e.message
        );
    }

    #[test]
    fn deep_input_is_refused_not_overflowed() {
        let l = Limits::default();
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse_statement(&deep, &l).unwrap_err().phase, Phase::Limit);
        let long = vec!["x"; 50_000].join("+");
        assert!(parse_statement(&long, &l).is_ok());
        let signs = format!("{}x", "-".repeat(100_000));
        assert_eq!(parse_statement(&signs, &l).unwrap_err().phase, Phase::Limit);
    }
}
