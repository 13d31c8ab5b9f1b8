//! A session: declarations, bindings, definitions and options, changed only by statements that succeed.
//!
//! Scripts and the CLI go through [`Session::run`], the REPL through
//! [`Session::run_entry`]. Each statement is lowered and executed against the
//! state without changing it, and returns the change it makes; the change is
//! applied only if the statement succeeds within its budget, so an error never
//! leaves a half-made binding behind and no statement copies the session. A
//! REPL entry keeps the undo of each change, so a failure anywhere in the
//! entry restores the session as it was before it.

pub mod command;
pub(crate) mod options;
mod render;
pub mod script;
mod series;

pub use crate::report::Format;
pub use crate::series::SeriesResult;
pub use command::Command;
pub use options::Options;
pub use render::render_outcomes;

use crate::analysis::{self, AnalyzeOptions, Report};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::lower::LoweredStmt;
use crate::ir::{Env, lower_statement};
use crate::limits::Limits;
use crate::syntax::{Name, Stmt, parse_script};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What one statement produced.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// `W1, W2 : 2x2`: the names declared and their shape in words (`2×2`, `scalar`).
    Declared(Vec<Name>, String),
    /// `f(t) = …`: the function's name and its definition as written.
    Defined(Name, String),
    /// `z1 = …` or `W1 = [[…]]`: the name and what it is now bound to, as shown.
    Bound(Name, String),
    /// An analysed expression: its source text, the expression as parsed (rendered as
    /// written in LaTeX reports) and its report.
    Analysis {
        /// The statement's text, whitespace collapsed.
        source: String,
        /// The expression as parsed.
        expr: Rc<crate::syntax::Expr>,
        /// What the analysis found (shared with the session's last analysis).
        report: Rc<Report>,
    },
    /// A command's message (`:order 5` → "order set to 5").
    Message(String),
    /// `:series NAME [at A] [order N]`.
    Series(Box<SeriesResult>),
    /// `:classify [depth L]`.
    Classify {
        /// One row per activation of the catalog.
        rows: Vec<crate::analysis::classify::Row>,
        /// The expansion order the table was computed to.
        order: u32,
        /// The number of layers of the network classified.
        depth: u32,
    },
    /// `:verify`: numeric checks of the last result (as it stands, and compensated).
    Verify {
        /// The checked expression's text.
        source: String,
        /// One check per form of the result (as it stands, compensated).
        checks: Vec<crate::verify::Verification>,
    },
    /// `:load FILE`: what the file's statements produced.
    Loaded(String, Vec<Outcome>),
    /// `:quit`.
    Quit,
}

/// The last analysed expression: its text, its lowered form and the report.
#[derive(Clone, Debug)]
pub struct Last {
    /// The statement's text, whitespace collapsed.
    pub source: String,
    /// The expression as parsed.
    pub expr: Rc<crate::syntax::Expr>,
    /// The expression lowered against the session's environment.
    pub lowered: crate::ir::Lowered,
    /// What the analysis found.
    pub report: Rc<Report>,
}

/// Declarations, bindings, functions and options.
#[derive(Clone, Debug)]
pub struct Session {
    /// What the statements so far declared, bound and defined.
    pub env: Env,
    /// The options the commands set.
    pub options: Options,
    /// Set from another thread (Ctrl-C) to stop a long computation.
    pub cancel: Arc<AtomicBool>,
    /// The last analysis, for `:latex`, `:json`, `:shapes` and `:verify`.
    pub last: Option<Last>,
    /// The files being loaded (`:load`), outermost first, to refuse cycles and deep chains.
    loading: Vec<std::path::PathBuf>,
}

/// Bindings up to this many nodes (written out) are echoed in normal form, larger ones as written.
const BINDING_ECHO_NODES: u64 = 200;

/// How a failure inside `:load` names the files it happened in: `cause (loading a.tn → b.tn)`.
const LOADING: &str = " (loading ";

/// Most files open in a chain of `:load`s (a file loading a file loading …).
pub const MAX_LOAD_DEPTH: usize = 16;

/// A failure inside the file `path` (its text `text`) that `:load` at `span` read: the cause
/// first and the chain of files after it; a failure inside a nested `:load` keeps the
/// innermost rendering, so the error stays short.
pub(crate) fn loading_failure(d: Diagnostic, path: &str, text: &str, span: Span) -> Diagnostic {
    let (message, hint) = match d.message.split_once(LOADING) {
        Some((cause, chain)) if d.phase == Phase::Command => (
            format!("{cause}{LOADING}{path} → {chain}"),
            d.hint.clone().unwrap_or_default(),
        ),
        _ => (
            format!("{}{LOADING}{path})", d.message),
            d.render(text, path).trim_end().to_string(),
        ),
    };
    Diagnostic::new(Phase::Command, message)
        .label(span, "")
        .hint(hint)
}

/// What a successful statement changes; applied only once the statement has succeeded.
enum Change {
    Nothing,
    Declare(Vec<Name>, crate::ir::Decl),
    Define(Rc<crate::ir::FunDef>),
    Bind(Rc<crate::ir::Binding>),
    /// Numeric values: each name's declaration and value (replacing a binding of the name).
    Values(Vec<crate::model::Valued>),
    Last(Box<Last>),
    Options(Box<Options>),
    Replace(Box<Session>),
    /// Several changes, applied in order.
    Many(Vec<Change>),
}

/// How to take a change back: the values it replaced.
enum Undo {
    Nothing,
    Decls(Vec<(Name, Option<crate::ir::Decl>)>),
    Function(Name, Option<Rc<crate::ir::FunDef>>),
    Binding(Name, Option<Rc<crate::ir::Binding>>),
    Values(Box<Env>),
    Last(Option<Last>),
    Options(Box<Options>),
    Session(Box<Session>),
    Many(Vec<Undo>),
}

thread_local! {
    /// The catalog once per thread: a new session shares it (`Rc`); it is indexed when a
    /// session first looks up a name that is no primitive, and each definition is parsed and
    /// lowered the first time any session of the thread uses it.
    static CATALOG: Rc<crate::ir::env::Catalog> =
        Rc::new(crate::ir::env::Catalog::lazy(crate::series::CATALOG));
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

impl Session {
    /// A session with the activation catalog loaded.
    pub fn new() -> Session {
        let mut s = Session {
            env: Env::default(),
            options: Options::default(),
            cancel: Arc::new(AtomicBool::new(false)),
            last: None,
            loading: Vec::new(),
        };
        s.env.input = s.options.input.clone();
        s.env.functions = crate::ir::env::Functions::with_catalog(CATALOG.with(|c| c.clone()));
        s
    }

    /// Runs every statement of `source` in order; stops at the first error, keeping what succeeded before it.
    pub fn run(&mut self, source: &str) -> Result<Vec<Outcome>, Diagnostic> {
        let (out, error) = self.run_partial(source);
        match error {
            Some(d) => Err(d),
            None => Ok(out),
        }
    }

    /// Like [`Session::run`], but also returns what the statements before an error produced,
    /// so a script's results up to a failing statement can still be shown.
    pub fn run_partial(&mut self, source: &str) -> (Vec<Outcome>, Option<Diagnostic>) {
        let mut out = Vec::new();
        // Each statement is parsed when it is reached: the results before a syntax error are
        // kept, as before any other error (from a review).
        let limits = self.options.limits.clone();
        let stmts = match crate::syntax::parser::parse_script_lazily(source, &limits) {
            Ok(s) => s,
            Err(d) => return (out, Some(d)),
        };
        for stmt in stmts {
            let stmt = match stmt {
                Ok(s) => s,
                Err(d) => return (out, Some(d)),
            };
            match self.run_statement(&stmt, source) {
                Ok(o) => {
                    let quit = matches!(o, Outcome::Quit);
                    out.push(o);
                    if quit {
                        break;
                    }
                }
                Err(d) => return (out, Some(d)),
            }
        }
        (out, None)
    }

    /// Runs an entry all or nothing (a REPL line): if any statement fails, the session is as
    /// it was before the entry, including what earlier statements of the entry declared.
    pub fn run_entry(&mut self, source: &str) -> Result<Vec<Outcome>, Diagnostic> {
        let stmts = parse_script(source, &self.options.limits)?;
        let mut out = Vec::new();
        let mut undo = Vec::new();
        for stmt in &stmts {
            match self.statement_change(stmt, source) {
                Ok((o, change)) => {
                    undo.push(self.apply(change));
                    let quit = matches!(o, Outcome::Quit);
                    out.push(o);
                    if quit {
                        break;
                    }
                }
                Err(d) => {
                    for u in undo.into_iter().rev() {
                        self.undo(u);
                    }
                    return Err(d);
                }
            }
        }
        Ok(out)
    }

    /// The file `:load path` reads, checked as `:load` checks it: named, readable within the
    /// input limits, not already being loaded (a cycle) and not too deep a chain. Its canonical
    /// path (to push on [`Session::loading`] while it runs) and its text, newlines as `\n`.
    pub(crate) fn load_file(&self, path: &str) -> Result<(std::path::PathBuf, String), String> {
        if path.is_empty() {
            return Err("`:load` needs a file: `:load examples/lecture.tn`".into());
        }
        let canonical =
            std::fs::canonicalize(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        if self.loading.contains(&canonical) {
            return Err(format!(
                "{path} is already being loaded: a cycle of `:load`s"
            ));
        }
        if self.loading.len() >= MAX_LOAD_DEPTH {
            return Err(format!(
                "`:load` nested more than {MAX_LOAD_DEPTH} files deep"
            ));
        }
        // A named pipe with no writer blocks its reader's `open` until one comes, which no
        // interrupt ends: the session would hang. A file is what `:load` reads.
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            let kind = std::fs::metadata(&canonical)
                .map_err(|e| format!("cannot read {path}: {e}"))?
                .file_type();
            if kind.is_fifo() || kind.is_socket() {
                return Err(format!(
                    "{path} is a named pipe or a socket, not a file: `:load` reads files"
                ));
            }
        }
        let text = read_source(path, &self.options.limits)?;
        Ok((canonical, text.replace("\r\n", "\n")))
    }

    /// Runs `f` with `file` on the chain of files being loaded, taken off again after.
    pub(crate) fn while_loading<T>(
        &mut self,
        file: std::path::PathBuf,
        f: impl FnOnce(&mut Session) -> T,
    ) -> T {
        self.loading.push(file);
        let out = f(self);
        self.loading.pop();
        out
    }

    /// Runs one parsed statement; the session changes only if it succeeds.
    pub fn run_statement(&mut self, stmt: &Stmt, source: &str) -> Result<Outcome, Diagnostic> {
        let (o, change) = self.statement_change(stmt, source)?;
        self.apply(change);
        Ok(o)
    }

    /// Runs a statement without changing the session: its outcome, and the change to make.
    /// A statement costs what it adds: nothing here copies the session.
    fn statement_change(&self, stmt: &Stmt, source: &str) -> Result<(Outcome, Change), Diagnostic> {
        // One budget for the whole statement: operations deep inside scalar arithmetic stop
        // early when it runs out, and the result they leave is never shown (checked below).
        self.budget()
            .within(|| self.exec(stmt, source))
            .map_err(|why| Diagnostic::at(Phase::Limit, stmt.span(), why))?
    }

    fn apply(&mut self, change: Change) -> Undo {
        match change {
            Change::Nothing => Undo::Nothing,
            Change::Declare(names, decl) => Undo::Decls(
                names
                    .into_iter()
                    .map(|n| {
                        let before = self.env.decls.insert(n.clone(), decl.clone());
                        (n, before)
                    })
                    .collect(),
            ),
            Change::Define(d) => {
                let before = self.env.functions.insert(d.name.clone(), d.clone());
                Undo::Function(d.name.clone(), before)
            }
            Change::Bind(b) => {
                if self.env.values.contains_key(&b.name) {
                    let before = self.env.clone();
                    self.env.values.remove(&b.name);
                    self.env.bindings.insert(b.name.clone(), b);
                    return Undo::Values(Box::new(before));
                }
                let before = self.env.bindings.insert(b.name.clone(), b.clone());
                Undo::Binding(b.name.clone(), before)
            }
            Change::Values(values) => {
                let before = self.env.clone();
                crate::model::bind_values(&mut self.env, values);
                Undo::Values(Box::new(before))
            }
            Change::Last(l) => Undo::Last(self.last.replace(*l)),
            Change::Options(o) => {
                self.env.input = o.input.clone();
                Undo::Options(Box::new(std::mem::replace(&mut self.options, *o)))
            }
            Change::Replace(next) => Undo::Session(Box::new(std::mem::replace(self, *next))),
            Change::Many(v) => Undo::Many(v.into_iter().map(|c| self.apply(c)).collect()),
        }
    }

    fn undo(&mut self, undo: Undo) {
        fn restore<V>(
            map: &mut std::collections::BTreeMap<Name, V>,
            name: Name,
            before: Option<V>,
        ) {
            match before {
                Some(v) => map.insert(name, v),
                None => map.remove(&name),
            };
        }
        match undo {
            Undo::Nothing => {}
            Undo::Decls(v) => {
                for (n, before) in v.into_iter().rev() {
                    restore(&mut self.env.decls, n, before);
                }
            }
            Undo::Function(n, before) => {
                match before {
                    Some(d) => self.env.functions.insert(n, d),
                    None => self.env.functions.remove(&n),
                };
            }
            Undo::Binding(n, before) => restore(&mut self.env.bindings, n, before),
            Undo::Values(before) => self.env = *before,
            Undo::Last(before) => self.last = before,
            Undo::Options(before) => {
                self.env.input = before.input.clone();
                self.options = *before;
            }
            Undo::Session(before) => *self = *before,
            Undo::Many(v) => {
                for u in v.into_iter().rev() {
                    self.undo(u);
                }
            }
        }
    }

    /// Under `:at x0`, an expression whose input has no declared shape takes x₀'s: the input
    /// is x₀ plus a deviation, so its length is x₀'s (what `mean(x)` divides by). `None` where
    /// the session's own environment says all there is.
    fn env_with_input_of_point(&self, stmt: &Stmt) -> Option<Env> {
        let Stmt::Expr(_) = stmt else {
            return None;
        };
        let point =
            (self.env.values.get(self.options.at.as_ref()?)).filter(|t| t.cols.is_none())?;
        let input = &self.options.input;
        if self.env.decls.contains_key(input) || self.env.values.contains_key(input) {
            return None;
        }
        let mut env = self.env.clone();
        let decl = crate::model::Valued::new(input.clone(), point.clone()).decl;
        env.decls.insert(input.clone(), decl);
        Some(env)
    }

    fn analyze_options(&self) -> AnalyzeOptions {
        AnalyzeOptions {
            order: self.options.order,
            input: self.options.input.clone(),
            small: self.options.small.clone(),
            limits: self.options.limits.clone(),
            budget: self.budget(),
            show_expansion: true,
        }
    }

    fn exec(&self, stmt: &Stmt, source: &str) -> Result<(Outcome, Change), Diagnostic> {
        let at_point = self.env_with_input_of_point(stmt);
        match lower_statement(stmt, at_point.as_ref().unwrap_or(&self.env), source)? {
            LoweredStmt::Decl(names, shape) => {
                let what = shape_text(&shape);
                // A value fixes its name's shape: a declaration that says otherwise would leave
                // the value and the declaration disagreeing (from a review: the analysis then
                // used the value against the new shape).
                if let Stmt::Decl { names: spans, .. } = stmt {
                    for (n, sp) in spans {
                        let Some(value) = self.env.values.get(n) else {
                            continue;
                        };
                        let fixed = crate::model::Valued::new(n.clone(), value.clone()).decl;
                        // Compared as written: a 2-vector and a 2×1 matrix are one shape.
                        if shape_text(&fixed) != what {
                            return Err(Diagnostic::at(
                                Phase::Shape,
                                *sp,
                                format!(
                                    "`{}` has a numeric value of shape {}, which the declaration {what} contradicts",
                                    n.unicode(),
                                    shape_text(&fixed)
                                ),
                            )
                            .hint("bind a new value to change its shape"));
                        }
                    }
                }
                Ok((
                    Outcome::Declared(names.clone(), what),
                    Change::Declare(names, shape),
                ))
            }
            LoweredStmt::Def(d) => {
                let limit = self.options.limits.max_nodes;
                if d.expanded_size > limit {
                    return Err(Diagnostic::at(
                        Phase::Limit,
                        stmt.span(),
                        format!(
                            "the definition has {} nodes once the functions it calls are written out; the limit is {limit} (`max_nodes`)",
                            d.expanded_size
                        ),
                    )
                    .hint("a function called twice in a body doubles its size"));
                }
                Ok((
                    Outcome::Defined(d.name.clone(), d.text.clone()),
                    Change::Define(d),
                ))
            }
            LoweredStmt::Bind(b) => {
                self.check_size(b.expanded_size, b.expanded_depth, stmt.span())?;
                // The echo shows the normal form of small bindings; a long chain of bindings is
                // shown as written, so each binding costs what it adds.
                let shown = if b.expanded_size <= BINDING_ECHO_NODES {
                    crate::analysis::normal_form(&b.value, &self.options.limits)
                        .map(|e| crate::print::unicode(&e))
                        .unwrap_or_else(|_| b.text.clone())
                } else {
                    b.text.clone()
                };
                Ok((Outcome::Bound(b.name.clone(), shown), Change::Bind(b)))
            }
            LoweredStmt::Value(name, value) => {
                let v = crate::model::Valued::new(name, value);
                Ok((
                    Outcome::Bound(v.name.clone(), v.describe()),
                    Change::Values(vec![v]),
                ))
            }
            LoweredStmt::Expr(l, expr) => {
                self.check_size(
                    crate::ir::lower::expanded_size(&l.ir, &self.env),
                    crate::ir::lower::expanded_depth(&l.ir, &self.env),
                    stmt.span(),
                )?;
                self.check_input_is_a_vector(stmt.span())?;
                let (l, report) = self.analyze_lowered(l, stmt.span())?;
                // One report for the outcome and the session's last analysis: a deep copy of
                // its trees was 3 % of a short command's instructions.
                let report = Rc::new(report);
                let raw = source.get(stmt.span().start..stmt.span().end).unwrap_or("");
                let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                let last = Last {
                    source: text.clone(),
                    expr: expr.clone(),
                    lowered: l,
                    report: report.clone(),
                };
                Ok((
                    Outcome::Analysis {
                        source: text,
                        expr,
                        report,
                    },
                    Change::Last(Box::new(last)),
                ))
            }
            LoweredStmt::Command { name, args, span } => self.command(&name, &args, span),
        }
    }

    /// The analysis, and with numeric values the numeric instance (see [`crate::model`]).
    fn analyze_lowered(
        &self,
        l: crate::ir::Lowered,
        span: Span,
    ) -> Result<(crate::ir::Lowered, Report), Diagnostic> {
        if self.env.values.is_empty() && self.options.at.is_none() {
            return Ok((l.clone(), analysis::analyze(&l, &self.analyze_options())?));
        }
        let mut opts = self.analyze_options();
        let model = crate::model::prepare(l, &self.env, self.options.at.as_ref(), &mut opts)
            .map_err(|m| Diagnostic::at(Phase::Expand, span, m))?;
        let mut report = analysis::analyze(&model.lowered, &opts)?;
        let numeric = crate::model::numeric_report(
            &model,
            &report,
            &self.env,
            &self.numeric_functions(),
            self.options.tau,
            &opts,
        );
        if numeric.conditions_withdrawn {
            report.conditions.clear();
            report.compensated_conditions.clear();
        }
        report.numeric = Some(Box::new(numeric));
        Ok((model.lowered, report))
    }

    /// Refuses an expression too large to expand once its bindings are written out.
    fn check_size(&self, nodes: u64, depth: u32, span: Span) -> Result<(), Diagnostic> {
        let deepest = self.options.limits.max_expanded_depth;
        if depth > deepest {
            return Err(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "the expression nests {depth} levels deep once its bindings are written out; the limit is {deepest} (`max_expanded_depth`)"
                ),
            ));
        }
        let limit = self.options.limits.max_nodes;
        if nodes > limit {
            return Err(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "the expression has {nodes} nodes once its bindings are written out; the limit is {limit} (`max_nodes`)"
                ),
            )
            .hint("a binding used twice doubles the size: bind fewer copies"));
        }
        Ok(())
    }

    /// The input is the vector (or token matrix) the network reads; a scalar there has no
    /// Jacobian `W` to find.
    fn check_input_is_a_vector(&self, span: Span) -> Result<(), Diagnostic> {
        let input = &self.options.input;
        let why = match self.env.decls.get(input) {
            Some(crate::syntax::ShapeSpec::Scalar) => "is declared as a scalar",
            Some(crate::syntax::ShapeSpec::Dim) => "is declared as a dimension",
            Some(crate::syntax::ShapeSpec::Vector(_) | crate::syntax::ShapeSpec::Matrix(..)) => {
                return Ok(());
            }
            None if input.is_greek() => "is a Greek name, which is a scalar parameter",
            None => return Ok(()),
        };
        Err(Diagnostic::at(
            Phase::Name,
            span,
            format!("the input `{input}` {why}; the input must be a vector or a matrix"),
        )
        .hint("the input is a vector such as `x : 4` or a token matrix such as `X : 4×3`; choose it with `:input NAME` (or `--input NAME`)"))
    }

    fn command(&self, name: &str, args: &str, span: Span) -> Result<(Outcome, Change), Diagnostic> {
        let err = |m: String| Diagnostic::at(Phase::Command, span, m);
        let message = |m: String| Ok((Outcome::Message(m), Change::Nothing));
        let mut options = self.options.clone();
        match Command::parse(name) {
            Some(Command::Order) => {
                if args.is_empty() {
                    return message(format!("order {}", self.options.order));
                }
                let n: u32 = args
                    .parse()
                    .map_err(|_| err(format!("`:order` takes a whole number, not `{args}`")))?;
                options.order = self.options.valid_order(n).map_err(|max| {
                    err(format!(
                        "the order must be between 1 and {max} (`max_order`)"
                    ))
                })?;
                Ok((
                    Outcome::Message(format!("order set to {n}")),
                    Change::Options(Box::new(options)),
                ))
            }
            Some(Command::Input) => {
                if args.trim().is_empty() {
                    return message(format!("input {}", self.options.input));
                }
                let n = options::parse_input_name(args.trim(), &self.env).map_err(err)?;
                if options::scalar_input(&n, &self.env) {
                    return Err(err(format!(
                        "`{n}` is a scalar; the input must be a vector such as `x`"
                    )));
                }
                options.input = n.clone();
                Ok((
                    Outcome::Message(format!("input set to {n}")),
                    Change::Options(Box::new(options)),
                ))
            }
            Some(Command::Small) => {
                // Without arguments it shows the setting, as `:order` and `:input` do.
                if args.trim().is_empty() {
                    return message(match &self.options.small {
                        None => {
                            "small symbols: the input and every vector without a value (the default)".into()
                        }
                        Some(set) => {
                            let list: Vec<String> = set.iter().map(|n| n.unicode()).collect();
                            format!("small symbols: {}", list.join(", "))
                        }
                    });
                }
                if args.trim() == "default" {
                    options.small = None;
                    return Ok((
                        Outcome::Message(
                            "small symbols: the input and every vector without a value (the default)".into(),
                        ),
                        Change::Options(Box::new(options)),
                    ));
                }
                let set = options::parse_small(args).map_err(err)?;
                let list: Vec<String> = set.iter().map(|n| n.unicode()).collect();
                options.small = Some(set);
                Ok((
                    Outcome::Message(format!("small symbols: {}", list.join(", "))),
                    Change::Options(Box::new(options)),
                ))
            }
            Some(Command::Weights) => {
                let (file, map) = crate::model::weights_args(args).map_err(&err)?;
                let values =
                    crate::model::load_weights(&file, &map, &self.options.limits).map_err(&err)?;
                crate::model::check_value_names(&self.env, &values).map_err(&err)?;
                let names: Vec<String> = values
                    .iter()
                    .map(|v| format!("{} {}", v.name, crate::model::shape_text(&v.value)))
                    .collect();
                Ok((
                    Outcome::Message(format!("weights from {file}: {}", names.join(", "))),
                    Change::Values(values),
                ))
            }
            Some(Command::At) => {
                let a = args.trim();
                if a.is_empty() || a == "off" {
                    options.at = None;
                    return Ok((
                        Outcome::Message("expanding around x = 0".into()),
                        Change::Options(Box::new(options)),
                    ));
                }
                // A name without a value yet is taken as `--at NAME` takes it: the statements
                // after may bind it (`p = [0.1, 0.2]`), and an expression before that is refused.
                let unbound = (!a.contains('='))
                    .then(|| Name::parse(a).ok())
                    .flatten()
                    .filter(|n| !self.env.values.contains_key(n));
                // The input takes no values (a review: `:at x` was accepted, and then no
                // statement could give x one).
                if let Some(n) = &unbound
                    && *n == self.options.input
                {
                    return Err(err(format!(
                        "`{n}` is the input: the data point is another vector, `:at x0 = [1, 2, …]`"
                    )));
                }
                let (name, value) = match &unbound {
                    Some(n) => (n.clone(), None),
                    None => {
                        crate::model::at_args(a, &self.env, &self.options.limits).map_err(&err)?
                    }
                };
                options.at = Some(name.clone());
                let mut msg = format!("expanding around {} = {name}", self.options.input);
                if unbound.is_some() {
                    msg.push_str(&format!(
                        " ({name} has no value yet: give it one, `{} = [1, 2, …]`, before the next expression)",
                        name.ascii()
                    ));
                }
                match value {
                    Some(v) => Ok((
                        Outcome::Message(msg),
                        Change::Many(vec![
                            Change::Values(vec![v]),
                            Change::Options(Box::new(options)),
                        ]),
                    )),
                    None => Ok((Outcome::Message(msg), Change::Options(Box::new(options)))),
                }
            }
            Some(Command::Format) => {
                // Without an argument it says the format, as `:order` says the order (from a
                // review: "unknown format ``").
                if args.trim().is_empty() {
                    let name = match self.options.format {
                        Format::Text => "text",
                        Format::Latex => "latex",
                        Format::Json => "json",
                    };
                    return message(format!("format {name}"));
                }
                let f = Format::parse(args.trim()).ok_or_else(|| {
                    err(format!("unknown format `{args}`: use text, latex or json"))
                })?;
                options.format = f;
                Ok((
                    Outcome::Message(format!("format set to {}", args.trim())),
                    Change::Options(Box::new(options)),
                ))
            }
            // A command without arguments refuses one: `:reset all` is more likely a typo than a
            // wish (from reviews: the argument was ignored, by `:shapes now` and `:help me` too).
            Some(
                cmd @ (Command::Reset
                | Command::Quit
                | Command::Latex
                | Command::Json
                | Command::Shapes
                | Command::Env
                | Command::Help),
            ) if !args.trim().is_empty() => Err(err(format!(
                "`:{}` takes no argument, not `{}`",
                cmd.name(),
                args.trim()
            ))),
            Some(Command::Reset) => {
                let mut fresh = Session::new();
                // The limits are the program's (`--time-budget`, `--max-memory`, a Python
                // session's keywords), not what the session learned: they stay.
                fresh.options.limits = self.options.limits.clone();
                fresh.cancel = self.cancel.clone();
                fresh.loading = self.loading.clone();
                Ok((
                    Outcome::Message("session reset".into()),
                    Change::Replace(Box::new(fresh)),
                ))
            }
            Some(Command::Quit) => Ok((Outcome::Quit, Change::Nothing)),
            Some(cmd @ (Command::Latex | Command::Json | Command::Shapes)) => {
                let Some(Last {
                    source: src,
                    expr,
                    report,
                    ..
                }) = &self.last
                else {
                    return Err(err(format!(
                        "`:{name}` shows the last result, and there is none yet"
                    ))
                    .hint("analyse an expression first, e.g. `tanh(W1·x + b1)`"));
                };
                let text = match cmd {
                    Command::Latex => {
                        crate::report::latex(&crate::report::source_latex(expr), report)
                    }
                    Command::Json => crate::print::json::to_text(&crate::report::json(src, report)),
                    _ => {
                        let a = &report.main;
                        let mut lines: Vec<String> = a
                            .symbols
                            .iter()
                            .map(|(sym, sh)| format!("{} : {}", sym.name, sh.text()))
                            .collect();
                        let d = &a.decision;
                        if let Some(eq) = crate::analysis::shapes::equation(&d.w, &a.symbols, 8) {
                            lines.push(format!("W : [{eq}]"));
                        }
                        if let Some(eq) = crate::analysis::shapes::equation(&d.b, &a.symbols, 8) {
                            lines.push(format!("b : [{eq}]"));
                        }
                        lines.join("\n")
                    }
                };
                message(text.trim_end().to_string())
            }
            Some(Command::Verify) => {
                let mut opts = crate::verify::VerifyOptions::default();
                let words: Vec<&str> = args.split_whitespace().collect();
                let mut rest = words.as_slice();
                while !rest.is_empty() {
                    rest = match rest {
                        ["expansion", more @ ..] => {
                            opts.expansion = true;
                            more
                        }
                        ["seed", v, more @ ..] => {
                            opts.seed = v.parse().map_err(|_| {
                                err(format!("`seed` takes a whole number, not `{v}`"))
                            })?;
                            more
                        }
                        ["draws", v, more @ ..] => {
                            opts.draws = v
                                .parse()
                                .ok()
                                .filter(|d| (1..=64).contains(d))
                                .ok_or_else(|| err("`draws` takes 1 to 64".into()))?;
                            more
                        }
                        _ => {
                            return Err(err(
                                "usage: `:verify`, `:verify expansion` or `:verify seed 7 draws 8`"
                                    .into(),
                            ));
                        }
                    }
                }
                let checks = self.verify_last(&opts).map_err(&err)?;
                let source = self
                    .last
                    .as_ref()
                    .map(|l| l.source.clone())
                    .unwrap_or_default();
                Ok((Outcome::Verify { source, checks }, Change::Nothing))
            }
            Some(Command::Load) => {
                let path = args.trim();
                let (canonical, text) = self.load_file(path).map_err(err)?;
                // Loading is all or nothing: on an error the session stays as it was.
                let mut next = self.clone();
                let outcomes = next
                    .while_loading(canonical, |next| next.run(&text))
                    .map_err(|d| loading_failure(d, path, &text, span))?;
                Ok((
                    Outcome::Loaded(path.to_string(), outcomes),
                    Change::Replace(Box::new(next)),
                ))
            }
            Some(Command::Series) => {
                // `:series tanh`, `:series tanh order 5 at 1/2`, `:series f(t) = t·sigmoid(t) order 4`
                // The function's text is the start of the arguments, which end the statement:
                // an error in it points into the statement (else at the statement).
                let args_start = span.end.checked_sub(args.len()).filter(|s| *s > span.start);
                let series::SeriesArgs { spec, at, order } =
                    series::series_args(args).map_err(|(m, word)| match args_start {
                        Some(start) => Diagnostic::at(
                            Phase::Command,
                            Span::new(start + word.start, start + word.end),
                            m,
                        ),
                        None => err(m),
                    })?;
                if spec.is_empty() {
                    return Err(err(
                        "`:series` needs a function: `:series tanh order 9 at 0`".into(),
                    ));
                }
                // `:series tanh 5` would read as 5 times a variable named tanh (a product by
                // juxtaposition), to the default order: almost surely an order without its
                // keyword.
                if let Some((function, number)) = spec.rsplit_once(' ')
                    && number.bytes().all(|b| b.is_ascii_digit())
                    && !function.ends_with(['+', '-', '−', '*', '·', '/', '^', '(', ',', '=', '∘'])
                {
                    return Err(err(format!(
                        "`{spec}` ends in a bare number, which would multiply the function"
                    ))
                    .hint(format!(
                        "for the order, write `:series {function} order {number}`"
                    )));
                }
                // The point first: its errors point into its own text (from a review, they
                // were placed against the function's).
                let point = match &at {
                    None => crate::algebra::Scalar::zero(),
                    Some((a, offset)) => self.series_point(a).map_err(|d| match args_start {
                        Some(start) if d.labels.iter().all(|l| l.span.end <= a.len()) => {
                            d.shifted(start + offset)
                        }
                        _ => d.relabel(span, ""),
                    })?,
                };
                let r = self
                    .series_at(&spec, point, order.unwrap_or(9))
                    .map_err(|d| match (args_start, args.find(spec.as_str())) {
                        (Some(start), Some(p))
                            if d.labels.iter().all(|l| l.span.end <= spec.len()) =>
                        {
                            d.shifted(start + p)
                        }
                        _ => d.relabel(span, ""),
                    })?;
                Ok((Outcome::Series(Box::new(r)), Change::Nothing))
            }
            Some(Command::Classify) => {
                let depth = match args.split_whitespace().collect::<Vec<_>>().as_slice() {
                    [] => 2,
                    ["depth", d] | [d] => d
                        .parse()
                        .ok()
                        .filter(|d| (1..=16).contains(d))
                        .ok_or_else(|| err("the depth must be 1 to 16".into()))?,
                    _ => return Err(err("usage: `:classify` or `:classify depth 3`".into())),
                };
                let rows = self.classify(depth)?;
                Ok((
                    Outcome::Classify {
                        rows,
                        order: self.options.order,
                        depth,
                    },
                    Change::Nothing,
                ))
            }
            Some(Command::Env) => message(self.describe_env()),
            Some(Command::Help) => message(command::help()),
            None => {
                let near = crate::diagnostic::nearest(name, command::names());
                let mut d = err(format!("unknown command `:{name}`"));
                if let Some(k) = near {
                    d = d.hint(format!("did you mean `:{k}`?"));
                } else {
                    d = d.hint("`:help` lists the commands");
                }
                Err(d)
            }
        }
    }

    fn describe_env(&self) -> String {
        let mut s = String::new();
        // The point `:at` set, so that `:env` shows every setting a result depends on.
        let at = (self.options.at.as_ref())
            .map(|p| format!(" · expanding around {} = {p}", self.options.input))
            .unwrap_or_default();
        s.push_str(&format!(
            "order {} · input {}{at}\n",
            self.options.order, self.options.input
        ));
        for (n, d) in &self.env.decls {
            // A name with a value is shown with it (its shape is the value's).
            if let Some(value) = self.env.values.get(n) {
                let valued = crate::model::Valued::new(n.clone(), value.clone());
                s.push_str(&format!("{n} = {}\n", valued.describe()));
                continue;
            }
            let what = match d {
                crate::syntax::ShapeSpec::Scalar => "scalar".to_string(),
                crate::syntax::ShapeSpec::Dim => "dim".to_string(),
                crate::syntax::ShapeSpec::Vector(d) => dim_text(d),
                crate::syntax::ShapeSpec::Matrix(r, c) => {
                    format!("{}×{}", dim_text(r), dim_text(c))
                }
            };
            s.push_str(&format!("{n} : {what}\n"));
        }
        for (n, b) in &self.env.bindings {
            s.push_str(&format!("{n} = {}\n", b.text));
        }
        for d in self.env.functions.defined() {
            s.push_str(&format!("{}\n", d.text));
        }
        s.trim_end().to_string()
    }

    /// Renders outcomes under a statement's budget (time, memory, Ctrl-C): a result too large
    /// to print within it is an error naming the limit, never a partial text.
    pub fn render(&self, outcomes: &[Outcome], format: Format) -> Result<String, Diagnostic> {
        self.render_with(outcomes, format, render::render_outcomes)
    }

    /// Renders one result: in JSON the result itself, not an array of one.
    pub fn render_single(&self, outcome: &[Outcome], format: Format) -> Result<String, Diagnostic> {
        self.render_with(outcome, format, render::render_single)
    }

    /// Runs a renderer within the session's budget (a large result can take long to write).
    fn render_with(
        &self,
        outcomes: &[Outcome],
        format: Format,
        write: fn(&[Outcome], Format, &crate::limits::Limits) -> String,
    ) -> Result<String, Diagnostic> {
        self.budget()
            .within(|| write(outcomes, format, &self.options.limits))
            .map_err(|why| Diagnostic::new(Phase::Limit, format!("printing the result: {why}")))
    }

    /// The budget of one statement: the time and memory limits from now, and the session's
    /// cancel flag.
    pub fn budget(&self) -> crate::limits::Budget {
        crate::limits::Budget::new(&self.options.limits, Some(self.cancel.clone()))
    }

    /// Functions by name for numeric evaluation (definitions and primitives).
    pub fn numeric_functions(&self) -> std::collections::BTreeMap<String, crate::ir::Callee> {
        let mut m: std::collections::BTreeMap<String, crate::ir::Callee> = crate::ir::Prim::ALL
            .iter()
            .map(|p| (p.name().to_string(), crate::ir::Callee::Prim(*p)))
            .collect();
        for (n, d) in self.env.functions.iter() {
            m.insert(n.ascii(), crate::ir::Callee::Def(d.clone()));
        }
        m
    }

    /// Why values for `params` cannot be used to verify the last result: a name the analysed
    /// expression does not read (a value for it would be ignored, and a misspelt name would
    /// leave the real parameter at its default). `None` when every name is one it reads.
    pub fn verify_parameter_problem(
        &self,
        params: &std::collections::BTreeMap<Name, f64>,
    ) -> Option<String> {
        let last = self.last.as_ref()?;
        let used = crate::ir::free_parameters(&last.lowered.ir);
        let unknown = params.keys().find(|n| !used.contains(*n))?;
        let names: Vec<String> = used.iter().map(|n| format!("`{}`", n.unicode())).collect();
        Some(format!(
            "`{}` is not a parameter of the analysed expression ({})",
            unknown.unicode(),
            if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("its parameters: {}", names.join(", "))
            }
        ))
    }

    /// Verifies the last result numerically: as it stands, and with the compensation when there is one.
    pub fn verify_last(
        &self,
        opts: &crate::verify::VerifyOptions,
    ) -> Result<Vec<crate::verify::Verification>, String> {
        let last = self
            .last
            .as_ref()
            .ok_or("there is no result to verify yet: analyse an expression first")?;
        if let Some(why) = self.verify_parameter_problem(&opts.params) {
            return Err(why);
        }
        // The check observes the statement's budget and Ctrl-C like every other stage.
        let budget = self.budget();
        let _active = budget.enter();
        // Bound weights keep their values; only the others are drawn.
        let opts = crate::verify::VerifyOptions {
            values: self.env.values.clone(),
            ..opts.clone()
        };
        verify_report(
            &last.lowered,
            &last.report,
            &self.numeric_functions(),
            &opts,
        )
    }

    /// Verifies one row of the classification table numerically, like [`Session::verify_last`]
    /// (the row's network was kept, so nothing is parsed again).
    pub fn verify_row(
        &self,
        row: &crate::analysis::classify::Row,
        opts: &crate::verify::VerifyOptions,
    ) -> Result<Vec<crate::verify::Verification>, String> {
        // Each row's check observes a statement's budget and Ctrl-C, as `:verify` does.
        self.budget()
            .within(|| verify_report(&row.network, &row.report, &self.numeric_functions(), opts))
            .map_err(str::to_string)?
    }

    /// The classification table over the catalog, with networks of depth `depth`
    /// (the session's order, input, limits and budget; the default small symbols).
    pub fn classify(&self, depth: u32) -> Result<Vec<crate::analysis::classify::Row>, Diagnostic> {
        let opts = AnalyzeOptions {
            order: self.options.order,
            input: self.options.input.clone(),
            small: None,
            limits: self.options.limits.clone(),
            budget: self.budget(),
            show_expansion: false,
        };
        crate::analysis::classify::classify(&self.env, &opts, depth)
    }

    /// The catalog's function definitions.
    pub fn catalog(&self) -> Vec<Name> {
        self.env.functions.catalog_order().to_vec()
    }

    /// The definition of the function `n`, from the catalog or the session.
    pub fn function(&self, n: &Name) -> Option<Rc<crate::ir::FunDef>> {
        self.env.functions.get(n).cloned()
    }
}

/// `scalar`, `dimension`, `3×1`, `n×n`: a declared shape as the session's echo writes it.
fn shape_text(shape: &crate::syntax::ShapeSpec) -> String {
    match shape {
        crate::syntax::ShapeSpec::Scalar => "scalar".to_string(),
        crate::syntax::ShapeSpec::Dim => "dimension".to_string(),
        crate::syntax::ShapeSpec::Vector(d) => format!("{}×1", dim_text(d)),
        crate::syntax::ShapeSpec::Matrix(r, c) => format!("{}×{}", dim_text(r), dim_text(c)),
    }
}

fn dim_text(d: &crate::syntax::DimSpec) -> String {
    match d {
        crate::syntax::DimSpec::Known(n) => n.to_string(),
        crate::syntax::DimSpec::Named(n) => n.unicode(),
    }
}

/// Reads a script, at most the input limit plus one byte (so `/dev/zero` is refused, not read),
/// and checks that it is UTF-8.
pub fn read_source(path: &str, limits: &Limits) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limits.max_input_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() > limits.max_input_bytes {
        return Err(format!(
            "{path} is larger than the limit of {} bytes (`max_input_bytes`)",
            limits.max_input_bytes
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{path} is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Verifies a report: the main analysis, and the compensated one when it exists.
pub fn verify_report(
    l: &crate::ir::Lowered,
    r: &Report,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    opts: &crate::verify::VerifyOptions,
) -> Result<Vec<crate::verify::Verification>, String> {
    let mut out = Vec::new();
    // The first non-affine term is 0 at the bound values (the numeric instance says so): the
    // residual is of a higher order, the one found there or at least the next. Where it is 0
    // only at every point tried (evidence: the verdict there is undecided), the residual is
    // checked against that evidence.
    let vanishing = r.numeric.as_deref().and_then(|n| {
        if n.leading_vanishes.is_some() {
            let found = match (&n.beyond, n.affine_through) {
                (Some(b), _) => Found::Order(b.k),
                (None, Some(limit)) => Found::NoneThrough(limit),
                (None, None) => Found::Nothing,
            };
            Some((found, " (the numeric instance)"))
        } else if n.leading_zero_at_points {
            Some((
                Found::Nothing,
                " at every point the numeric instance tried, not decided exactly",
            ))
        } else {
            None
        }
    });
    // Parameters given values at which the result changes (`α = 1` of a leaky ReLU, where it
    // is exactly affine): the result there is what is checked (from a review, the generic
    // kink was checked at α = 1, and failed).
    let (checked, at) = conditioned(&r.main, &r.conditions, &opts.params);
    // A point where the expansion is singular at the bound values (log of tanh(−1), a pole):
    // the verdict there is not-analytic, and what is checked is that the network or its
    // expansion is not finite there (from a review: it failed as "predicted 2").
    let singular = (r.numeric.as_deref()).and_then(|n| n.vanishing_constant.as_deref());
    // Exactly affine at these values by the form of its outputs (the numeric instance): every
    // residual is rounding.
    let written_out = (r.numeric.as_deref()).is_some_and(|n| n.affine_written_out.is_some());
    // What the values decide where the expansion's own assumption fails (an entry on its
    // breakpoint at x₀) or that a region settles (a data point inside an affine region): that
    // is the claim checked, not the generic one (from a review: `relu(z) − relu(−z)` at a point
    // where z = 0 is exactly z, and the generic W, with relu′(0) = 0, failed; a point 10⁻³
    // from a breakpoint failed where the grid left the region).
    let label = r.verdict_label();
    let generic = r.main.decision.verdict.label();
    let region_map = (r.numeric.as_deref())
        .and_then(|n| n.region.as_ref()?.as_ref().ok())
        .filter(|_| label == crate::analysis::Verdict::ExactAffine.label())
        .and_then(|region| {
            let w: Option<Vec<Vec<crate::algebra::Q>>> = (0..region.w.rows)
                .map(|i| {
                    (0..region.w.cols)
                        .map(|j| match region.w.at(i, j) {
                            crate::analysis::instance::Num::Exact(q) => Some(q.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .collect();
            let radius = (region.radius_inf.as_ref())
                .filter(|q| **q > 0u32)
                .map(crate::float::q_to_f64);
            Some((w?, radius))
        });
    let region_checked = match (&region_map, at.is_empty(), singular, vanishing) {
        (Some((w, radius)), true, None, None) => {
            let why = match radius {
                Some(r) => format!(
                    "near x₀ the network is exactly affine, its W the affine region's (the numeric instance): checked at the σ whose draws stay inside it (r∞ = {r:.3e})"
                ),
                None => "near x₀ the network is exactly affine, its W the affine region's (the numeric instance)".to_string(),
            };
            let mut v =
                crate::verify::verify_linear(l, &r.main, w, *radius, &why, functions, opts)?;
            v.verdict = label.into();
            Some(v)
        }
        _ => None,
    };
    let main_check = |region_checked: Option<crate::verify::Verification>| -> Result<_, String> {
        if let Some(v) = region_checked {
            return Ok(v);
        }
        if !at.is_empty() {
            return crate::verify::verify(l, checked, functions, opts);
        }
        use crate::verify::Predicted;
        // What the values decide, where it is not the verdict's own prediction: what is
        // predicted, why, and the verdict the check is of.
        let decided: Option<(Predicted, String, &str)> = match singular {
            None if label == crate::analysis::Verdict::Kink.label()
                && generic != label
                && vanishing.is_none() =>
            {
                Some((
                    Predicted::KinkOnBreakpoint,
                    "an entry sits exactly on its breakpoint at x₀ and its kink reaches the output (the numeric instance)".into(),
                    label,
                ))
            }
            None if written_out => Some((
                Predicted::Exact,
                "the network is exactly affine at these values, by the form of its outputs written out in the input's entries (the numeric instance)".into(),
                crate::analysis::Verdict::ExactAffine.label(),
            )),
            Some(point) => Some((
                Predicted::NotAnalytic,
                format!("{point} is a point where the expansion is singular at these values"),
                "not-analytic",
            )),
            None => None,
        };
        match decided {
            Some((predicted, why, verdict)) => {
                let mut v =
                    crate::verify::verify_predicting(l, &r.main, predicted, &why, functions, opts)?;
                v.verdict = verdict.into();
                Ok(v)
            }
            None => verify_at_values(l, &r.main, vanishing, functions, opts),
        }
    };
    let mut main = main_check(region_checked)?;
    // W 0 exactly at the values, its first non-affine term past the generic one: the check is
    // of a degenerate network (from a review, it was labelled `affine`).
    let degenerate = crate::analysis::Verdict::Degenerate { k: 0 }.label();
    let affine = crate::analysis::Verdict::Affine { k: None }.label();
    if at.is_empty() && label == degenerate && main.verdict == affine {
        main.verdict = degenerate.into();
    }
    // A verdict the numeric instance leaves undecided at these values, with nothing it
    // predicts instead, claims nothing there (from a review: `b1 = [0, 0]; tanh(W1·x + b1)`,
    // whose first non-affine term is 0 for every W₁, was checked against "predicted 2").
    let undecided = (r.numeric.as_deref()).and_then(|n| n.undecided.as_deref());
    // Undecided at the values another way (an entry on its breakpoint whose kink is not
    // decided): nothing is claimed there either.
    let undecided = undecided.or_else(|| {
        (label == "undecided" && r.numeric.is_some())
            .then_some("the numeric instance leaves the verdict at these values undecided")
    });
    if let (Some(why), None, None, true) = (undecided, vanishing, singular, at.is_empty()) {
        main.verdict = "undecided".into();
        main.pass = true;
        main.note = format!(
            "nothing checked: the verdict is not decided at these values ({why}); the rows are what these values give"
        );
    }
    main.label = if r.compensated.is_some() {
        "as it stands".into()
    } else {
        "result".into()
    };
    if !at.is_empty() {
        main.label = format!("{} at {}", main.label, at.join(", "));
    }
    // The conditions found are those of the analysis as it stands; the compensated one's are
    // not computed, so at given values of its parameters (α = 1 of a leaky ReLU, where its
    // kink is gone) its generic result is no claim to check (from a review: it failed there).
    let given = !opts.params.is_empty();
    if given && r.compensated.is_some() {
        main.note.push_str(
            "; the compensated analysis is not checked at given values of the parameters (the values where its result changes are not computed)",
        );
    }
    out.push(main);
    if opts.expansion {
        out.push(crate::verify::verify_expansion(
            l, checked, functions, opts,
        )?);
    }
    if given {
        return Ok(out);
    }
    if let Some(c) = &r.compensated {
        // The compensated claim's first non-affine term may be 0 at the bound values too
        // (neurons that cancel: from a review, y ≡ 0 failed as "predicted 3").
        let env = crate::ir::Env {
            values: opts.values.clone(),
            ..Default::default()
        };
        // Or forced to 0 by an exact 0 in front of it (W₂ = 0 before a kink's |·|, which no
        // polynomial test reads; from a review, the compensated kink then failed).
        let vanishes = !opts.values.is_empty()
            && (matches!(
                crate::model::instance::leading_at_values(l, c, &env, functions),
                Some(crate::model::instance::LeadingAtValues::Zero(_))
            ) || crate::model::instance::leading_forced_zero_at_values(c, &env, functions)
                .is_some()
                || crate::model::symbolic::term_zero_written_out(
                    l,
                    c,
                    &env,
                    functions,
                    &c.decision.leading_full,
                ));
        // A compensated analysis of a layer without a bias (`sigmoid(W2·sigmoid(W1·x))`) is
        // what a bias would do, which no value of this network realizes: the claim as it
        // stands is still checked, and the note says why the other is not (from a review,
        // the whole check failed with the reason alone).
        let mut v = match verify_at_values(
            l,
            c,
            vanishes.then_some((Found::Nothing, "")),
            functions,
            opts,
        ) {
            Ok(v) => v,
            Err(why) => {
                if let Some(main) = out.first_mut() {
                    main.note = format!(
                        "{}; the compensated analysis is not checked: {why}",
                        main.note
                    );
                }
                return Ok(out);
            }
        };
        v.label = "compensated".into();
        out.push(v);
        if opts.expansion {
            let mut v = crate::verify::verify_expansion(l, c, functions, opts)?;
            v.label = format!("{}, compensated", v.label);
            out.push(v);
        }
    }
    Ok(out)
}

/// The analysis at the values of `params`: where a parameter's value is exactly one at which
/// the result changes (a condition with its analysis redone there), that analysis, and so on
/// through the conditions under it; with the conditions met, written `α = 1`.
fn conditioned<'a>(
    main: &'a crate::analysis::Analysis,
    conditions: &'a [crate::analysis::Condition],
    params: &std::collections::BTreeMap<Name, f64>,
) -> (&'a crate::analysis::Analysis, Vec<String>) {
    // A value given as a float is the condition's when it is the float nearest to it (⅓ is
    // no float; from a review, β = 1/3 could never be checked).
    let nearest = |q: &crate::algebra::Q| {
        use malachite_base::num::conversion::traits::RoundingFrom;
        f64::rounding_from(q, malachite_base::rounding_modes::RoundingMode::Nearest).0
    };
    let met = conditions.iter().find(|c| {
        let value = params.get(&c.param);
        c.then.is_some() && value.is_some_and(|v| c.value.as_q().is_some_and(|q| nearest(q) == *v))
    });
    let Some(c) = met else {
        return (main, Vec::new());
    };
    let Some(then) = c.then.as_deref() else {
        return (main, Vec::new());
    };
    let (a, mut at) = conditioned(then, &c.further, params);
    at.insert(
        0,
        format!(
            "{} = {}",
            c.param.unicode(),
            crate::print::scalar_unicode(&c.value)
        ),
    );
    (a, at)
}

/// Verifies one analysis; with `vanishing = Some((found, source))` its first non-affine term
/// is 0 at the bound values (`source` says who found it), so the residual's order is the one
/// `found` there where that is decided, above the search limit where every term up to it is 0
/// there, and above the verdict's k otherwise.
fn verify_at_values(
    l: &crate::ir::Lowered,
    a: &crate::analysis::Analysis,
    vanishing: Option<(Found, &str)>,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    opts: &crate::verify::VerifyOptions,
) -> Result<crate::verify::Verification, String> {
    let Some(((found, source), k)) = vanishing.zip(a.decision.k) else {
        return crate::verify::verify(l, a, functions, opts);
    };
    let term = format!(
        "the first non-affine term (ε{}) is 0 at these values",
        crate::report::sup(k)
    );
    let (predicted, why) = match found {
        Found::Order(order) => (
            crate::verify::Predicted::Order(order),
            format!("{term}, and the order there is {order}{source}"),
        ),
        Found::NoneThrough(limit) => (
            crate::verify::Predicted::AtLeast(limit + 1),
            format!("{term}, and so is every term after it up to order {limit}{source}"),
        ),
        Found::Nothing => (
            crate::verify::Predicted::AtLeast(k + 1),
            format!("{term}{source}"),
        ),
    };
    let mut v = crate::verify::verify_predicting(l, a, predicted, &why, functions, opts)?;
    // Without an order found there, or the search's limit reached, the verdict at these values
    // is `undecided`, as the analysis's numeric instance says (from a review: the check was
    // labelled "affine").
    if found == Found::Nothing {
        v.verdict = "undecided".into();
    }
    Ok(v)
}

/// What the numeric instance found past a first non-affine term that vanishes at the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    /// The network's first non-affine order there.
    Order(u32),
    /// No non-affine term there up to this order (the search limit).
    NoneThrough(u32),
    /// Nothing decided past the term.
    Nothing,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_definition_lowers_under_its_indexed_name() {
        let s = Session::new();
        assert!(s.env.functions.catalog_order().len() > 15);
        let names: Vec<Name> = s.env.functions.keys().cloned().collect();
        assert!(names.len() > 15);
        for n in &names {
            assert_eq!(s.function(n).map(|d| d.name.clone()).as_ref(), Some(n));
        }
        for n in s.env.functions.catalog_order() {
            assert!(
                s.function(n).is_some() || crate::ir::Prim::from_name(&n.ascii()).is_some(),
                "`{n}` is in the catalog's order but neither defined nor a primitive"
            );
        }
    }

    #[test]
    fn a_reset_forgets_the_session_but_keeps_its_limits() {
        let mut s = Session::new();
        s.options.limits.time_budget = std::time::Duration::from_secs(3);
        s.options.limits.max_terms = 1234;
        assert!(s.run_entry("W1 : 2x4; :order 5; s(t) = 2·t").is_ok());
        assert!(s.run_entry(":reset").is_ok());
        assert_eq!(s.options.limits.time_budget.as_secs(), 3);
        assert_eq!(s.options.limits.max_terms, 1234);
        assert_eq!(s.options.order, Session::new().options.order);
        assert!(s.function(&Name::new("s", "")).is_none());
    }

    #[test]
    fn an_error_in_a_series_command_points_into_its_function() {
        for (src, at) in [
            (":series sigmod", (1, 9)),
            ("x : 3\n  :series   tanh(tanhh(t)) order 5", (2, 18)),
        ] {
            let mut s = Session::new();
            let d = s.run(src).err().unwrap_or_else(|| panic!("`{src}` ran"));
            assert_eq!(d.position(src), Some(at), "{}", d.render(src, "t"));
        }
    }

    #[test]
    fn redefining_a_catalog_function_is_undone_with_the_failed_entry() {
        let mut s = Session::new();
        let before = s.function(&Name::new("silu", "")).map(|d| d.text.clone());
        assert!(s.run_entry("silu(t) = t; tanhh(x)").is_err());
        assert_eq!(
            s.function(&Name::new("silu", "")).map(|d| d.text.clone()),
            before
        );
        assert!(s.run("silu(t) = t").is_ok());
        assert_eq!(
            s.function(&Name::new("silu", ""))
                .map(|d| d.text.clone())
                .as_deref(),
            Some("silu(t) = t")
        );
    }

    /// Printing runs under the statement's budget: a result too large to write within it is an
    /// error naming the limit and the printing, never a partial text. (The JSON of this result
    /// is tens of megabytes: hundreds of milliseconds to write, against a budget of one.)
    #[test]
    fn printing_past_the_time_budget_is_an_error_naming_the_printing() {
        let mut s = Session::new();
        s.options.order = 9;
        let out = s
            .run("b - gelu_tanh(silu(y - ones))")
            .unwrap_or_else(|d| panic!("{}", d.message));
        s.options.limits.time_budget = std::time::Duration::from_millis(1);
        for format in [Format::Json, Format::Text] {
            match s.render(&out, format) {
                Ok(text) => panic!("written within 1 ms: {} bytes", text.len()),
                Err(d) => {
                    assert!(d.message.contains("printing the result"), "{}", d.message);
                    assert!(d.message.contains("limit `time_budget`"), "{}", d.message);
                }
            }
        }
    }

    /// Runs `source` in a fresh session and checks that its text output contains `expected`.
    fn expect_output(source: &str, expected: &str) {
        let mut s = Session::new();
        let out = s
            .run(source)
            .unwrap_or_else(|d| panic!("`{source}` failed: {}", d.message));
        let text = s.render(&out, Format::Text).unwrap_or_default();
        assert!(
            text.contains(expected),
            "`{source}` printed\n{text}\nwithout `{expected}`"
        );
    }

    /// Runs `source` in a fresh session and checks that it fails with a message containing `expected`.
    fn fail(source: &str, expected: &str) {
        match Session::new().run(source) {
            Ok(_) => panic!("`{source}` succeeded"),
            Err(d) => assert!(
                d.message.contains(expected),
                "`{source}` failed with `{}`, not `{expected}`",
                d.message
            ),
        }
    }

    #[test]
    fn commands_print_their_results() {
        expect_output("W2·(W1·x + b1) + b2", "verdict: exact-affine");
        expect_output(":order 2; tanh(W1·x + b1)", "verdict: affine");
        expect_output(":series tanh", "tanh");
        expect_output("tanh(W1·x)\n:latex", "\\begin{align*}");
        expect_output(":help", ":series");
        expect_output(":format", "format text");
        expect_output(":format json\n:format", "format json");
    }

    /// `:classify` after `:format latex` writes the table and the lecture's claims in LaTeX, as
    /// `taylornet classify --format latex` does (it wrote the text table as comments).
    #[test]
    fn classify_under_latex_is_a_table() {
        let mut s = Session::new();
        let out = s.run(":classify").unwrap_or_default();
        let latex = s.render(&out, Format::Latex).unwrap_or_default();
        assert!(latex.contains("\\begin{tabular}"), "{latex}");
        assert!(!latex.lines().any(|l| l.starts_with('%')), "{latex}");
        assert!(latex.contains("selu: the notes say"), "{latex}");
    }

    #[test]
    fn bad_commands_fail_with_a_reason() {
        fail(":order 0", "order");
        fail(":latex", "there is none yet");
        fail(":nosuchcommand", "nosuchcommand");
        fail(":small x λ\nW1·x", "can be small");
        // Refused where it is written: the next query is not blamed for it.
        fail(":small λ", "not the scalar λ");
        fail(":series tanh 5", "bare number");
        fail(":series sigmoid(sigmoid(t)) 3", "bare number");
    }

    /// From a review: a declaration that contradicts a bound value's shape was accepted and
    /// left the two disagreeing; `:env` did not show values; `:small` alone reset the setting
    /// where `:order` and `:input` alone show theirs; `:series` under `:format latex` wrote the
    /// text report as comments.
    #[test]
    fn values_declarations_and_settings_agree() {
        fail(
            "W1 = [[1, 2]]\nW1 : 3x3",
            "has a numeric value of shape 1×2",
        );
        fail(
            "b1 = [1, 2]\nb1 : 3",
            "which the declaration 3×1 contradicts",
        );
        let mut s = Session::new();
        assert!(
            s.run("W1 = [[1, 2]]\nW1 : 1x2\nb1 = [1, 2]\nb1 : 2x1")
                .is_ok()
        );
        let mut s = Session::new();
        assert!(s.run("W1 = [[1, 2]]\nW1 : 3x3").is_err());
        let out = s.run(":env").unwrap_or_default();
        let env = s.render(&out, Format::Text).unwrap_or_default();
        assert!(env.contains("W₁ = [[1, 2]]   (numeric 1×2)"), "{env}");
        expect_output(":small x\n:small", "small symbols: x");
        let mut s = Session::new();
        let out = s
            .run(":small x\n:small\ntanh(W1·x + b1)")
            .unwrap_or_default();
        let text = s.render(&out, Format::Text).unwrap_or_default();
        assert!(text.contains("small (ε¹): x\n"), "{text}");
        expect_output(":small x\n:small default\n:small", "(the default)");
        // `:at p` before p has a value, as `taylornet analyze --at p` takes it: an expression
        // in between is refused, one after p is bound is expanded there.
        expect_output(":at p", "p has no value yet");
        expect_output(
            "p = [1, 2]\n:at p\n:env",
            "order 3 · input x · expanding around x = p",
        );
        fail(":at p\ntanh(W1·x)", "the point p has no value");
        expect_output(
            ":at p\np = [0.1, 0.2]\nW1 = [[1, 0], [0, 1]]\ntanh(W1·x)",
            "W (2×2, rounded",
        );
        fail(":at x", "is the input");
        fail(":at x = [1, 2]", "is the input");
        fail(":at q\nq = [[1, 2]]\ntanh(W1·x)", "must be a vector");
        let out = s.run(":series tanh order 3").unwrap_or_default();
        let latex = s.render(&out, Format::Latex).unwrap_or_default();
        assert!(
            latex.contains("\\tanh(t) = t - \\tfrac{1}{3} t^{3}"),
            "{latex}"
        );
        assert!(!latex.lines().any(|l| l.starts_with('%')), "{latex}");
    }

    /// From a review: a parameter given the value at which the result changes (α = 1 of a
    /// leaky ReLU: exactly affine; β = 0 of t + β·t²) was checked against the generic verdict,
    /// and failed; the result at that value is checked, and the label says where.
    #[test]
    fn a_parameter_at_a_condition_checks_the_result_there() {
        for (src, name, value, verdict) in [
            ("leaky_relu(W1·x + b1; a = α)", "α", 1.0, "exact-affine"),
            (
                "s(t) = t + β·t^2; s(W2·s(W1·x + b1) + b2)",
                "β",
                0.0,
                "exact-affine",
            ),
            ("leaky_relu(W1·x + b1; a = α)", "α", 0.5, "kink"),
            // A condition that is no float, given as the nearest one.
            (
                "f(t) = tanh(t) + β·t^3; W2·f(W1·x)",
                "β",
                1.0 / 3.0,
                "affine",
            ),
            // With a compensated analysis too, which is not checked at the condition.
            (
                "leaky_relu(W2·sigmoid(W1·x + b1) + b2; a = α)",
                "α",
                1.0,
                "affine",
            ),
        ] {
            let mut s = Session::new();
            s.run(src)
                .unwrap_or_else(|d| panic!("{src}: {}", d.message));
            let param = Name::parse(name).unwrap_or_else(|_| panic!("{name}"));
            let opts = crate::verify::VerifyOptions {
                params: [(param, value)].into_iter().collect(),
                ..Default::default()
            };
            let checks = s
                .verify_last(&opts)
                .unwrap_or_else(|e| panic!("{src}: {e}"));
            let first = &checks[0];
            assert!(first.pass, "{src} at {name} = {value}: {}", first.note);
            assert_eq!(
                checks.len(),
                1,
                "{src}: the compensated analysis is not checked"
            );
            assert_eq!(first.verdict, verdict, "{src} at {name} = {value}");
            let at = format!("at {name} = {value}");
            assert_eq!(
                first.label.ends_with(&at),
                verdict == "exact-affine",
                "{}",
                first.label
            );
        }
    }

    #[test]
    fn a_number_after_an_operator_ends_a_series_spec() {
        expect_output(":series t^2 + 3 order 2", "3 + t²");
        expect_output(":series tanh order 5", "O(t⁶)");
    }
}
