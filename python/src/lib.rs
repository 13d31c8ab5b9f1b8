//! `taylornet._taylornet`: the compiled half of the Python package.
//!
//! Thin on purpose: every call goes through the library's high-level entry points (a
//! [`Session`] and its statements, series, derivations, numeric verification) and hands back
//! the library's own JSON, text, LaTeX, HTML or SVG as strings. The Python half
//! (`taylornet/__init__.py`) builds result objects, notebook renderings, exceptions and the
//! SymPy conversion from them.
//!
//! A session's state is `Rc`-based and its names are interned per thread, so each [`Engine`]
//! lives on one worker thread (of a pool, [`MAX_WORKERS`]) that holds its session for its whole
//! life, and frees it there when the engine is dropped. A call sends a job there
//! and waits with the GIL released, polling for signals: Ctrl-C (`KeyboardInterrupt`) sets
//! the job's cancel flag, which the library's budget observes, and the interrupt is raised
//! once the worker has stopped. Nothing here prints.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc;
use std::time::Duration;
// Every name this module takes from the library, in one place: the library's facade.
use taylornet::render::report;
use taylornet::render::{
    DocFormat, Line, Notation, classify_lines, plot_svg, series_lines, tree_latex, write,
};
use taylornet::trained::{Tensor, Valued, bind_values, value_name_problem};
use taylornet::{
    ClassifyRow, Diagnostic, Document, Limits, Name, Outcome, Phase, Q, Report, SeriesResult,
    Session, VerifyOptions, derive_source_for,
};

create_exception!(
    _taylornet,
    Error,
    PyException,
    "A failure reported by the engine: args are (phase, message, rendered, line, column, hint)."
);

/// What the worker thread holds.
struct State {
    session: Session,
    /// The cancel flag of the job running now.
    cancel: Arc<AtomicBool>,
    /// The analyses handed out, by id: the session before and after the entry that made them.
    stored: HashMap<u64, Stored>,
    /// The series handed out, by id (sharing the analyses' numbering): their text, LaTeX and
    /// HTML are written when asked for, not with the series.
    series: HashMap<u64, SeriesResult>,
    next_id: u64,
}

struct Stored {
    before: Session,
    after: Session,
    entry: String,
    /// A digest of each analysis's JSON, in the order the entry ran them (a loaded file's
    /// included): a derivation made later must be of the same analysis (a loaded file may have
    /// changed since).
    digests: Vec<u64>,
}

type Job = Box<dyn FnOnce(&mut State) + Send>;

/// A job for a worker thread, which holds the states of several engines by id.
type WorkerJob = Box<dyn FnOnce(&mut HashMap<u64, State>) + Send>;

/// A worker thread and how many live engines it holds.
struct Worker {
    jobs: mpsc::Sender<WorkerJob>,
    engines: Arc<std::sync::atomic::AtomicUsize>,
}

/// The worker threads of this process (`pid`), started as engines need them. An engine lives
/// on one of them for its whole life, on one of its own while fewer than [`MAX_WORKERS`] are
/// in use: a thread per engine pinned a 256 MiB stack (its address space) and a few hundred
/// KiB for every result kept alive in Python (from a review: 3 000 analyses held 3 000
/// threads and 957 MB).
struct Pool {
    pid: u32,
    workers: Vec<Worker>,
}

static POOL: std::sync::Mutex<Pool> = std::sync::Mutex::new(Pool {
    pid: 0,
    workers: Vec::new(),
});

/// The engines made so far: the next engine's id.
static ENGINES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Most worker threads: past them, engines share the workers with the fewest engines (their
/// statements then wait for each other's).
const MAX_WORKERS: usize = 64;

/// A worker for a new engine: an idle one, else a new one, else the one with the fewest
/// engines; its count of engines taken. A forked child starts its own: the parent's threads
/// do not exist in it (from a review: a session made in the child waited forever).
fn worker_for_new_engine()
-> PyResult<(mpsc::Sender<WorkerJob>, Arc<std::sync::atomic::AtomicUsize>)> {
    let mut pool = POOL
        .lock()
        .map_err(|_| PyRuntimeError::new_err("the taylornet workers have stopped"))?;
    let pid = std::process::id();
    if pool.pid != pid {
        pool.pid = pid;
        // Left, not dropped: dropping a sender may take its channel's lock, which a thread of
        // the parent may have held at the fork.
        std::mem::forget(std::mem::take(&mut pool.workers));
    }
    let load = |w: &Worker| w.engines.load(Ordering::Relaxed);
    let idle = pool.workers.iter().position(|w| load(w) == 0);
    let k = match idle {
        Some(k) => k,
        None if pool.workers.len() < MAX_WORKERS => {
            let (tx, rx) = mpsc::channel::<WorkerJob>();
            std::thread::Builder::new()
                .name(format!("taylornet-{}", pool.workers.len()))
                .stack_size(STACK)
                .spawn(move || {
                    let mut states = HashMap::new();
                    for job in rx {
                        // A failure inside a job reaches its caller (see `Engine::call`); one
                        // outside it must not stop the thread other engines live on.
                        let _ = catch_unwind(AssertUnwindSafe(|| job(&mut states)));
                    }
                })
                .map_err(|e| {
                    PyRuntimeError::new_err(format!("cannot start a worker thread: {e}"))
                })?;
            pool.workers.push(Worker {
                jobs: tx,
                engines: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            });
            pool.workers.len() - 1
        }
        None => (0..pool.workers.len())
            .min_by_key(|&k| load(&pool.workers[k]))
            .unwrap_or(0),
    };
    let w = &pool.workers[k];
    w.engines.fetch_add(1, Ordering::Relaxed);
    Ok((w.jobs.clone(), w.engines.clone()))
}

/// A failure: a diagnostic against its source text, or a plain message.
enum Failure {
    Diagnostic(Diagnostic, String),
    Message(String),
}

impl From<String> for Failure {
    fn from(m: String) -> Failure {
        Failure::Message(m)
    }
}

impl Failure {
    fn at(d: Diagnostic, source: &str) -> Failure {
        Failure::Diagnostic(d, source.to_string())
    }

    fn into_py(self) -> PyErr {
        match self {
            Failure::Diagnostic(d, source) => {
                let (line, column) = d.position(&source).unzip();
                Error::new_err((
                    d.phase.name(),
                    d.message.clone(),
                    d.render(&source, ""),
                    line,
                    column,
                    d.hint.clone(),
                ))
            }
            Failure::Message(m) => {
                let rendered = format!("error: {m}\n");
                Error::new_err((
                    "",
                    m,
                    rendered,
                    None::<usize>,
                    None::<usize>,
                    None::<String>,
                ))
            }
        }
    }
}

type Outcome2<T> = Result<T, Failure>;

/// A session, on the worker thread that holds it.
#[pyclass(module = "taylornet._taylornet")]
struct Engine {
    id: u64,
    worker: mpsc::Sender<WorkerJob>,
    /// The count of live engines on its worker, which this one is part of.
    engines: Arc<std::sync::atomic::AtomicUsize>,
    /// The process that made it: in a forked child its worker thread does not exist.
    pid: u32,
}

impl Engine {
    /// Sends `job` to this engine's state on its worker (dropped unrun when the state is gone).
    fn send(&self, job: Job) -> Result<(), ()> {
        let id = self.id;
        self.worker
            .send(Box::new(move |states: &mut HashMap<u64, State>| {
                if let Some(st) = states.get_mut(&id) {
                    job(st);
                }
            }))
            .map_err(|_| ())
    }
}

impl Drop for Engine {
    /// Frees the session and everything it kept, on the thread that holds them.
    fn drop(&mut self) {
        let id = self.id;
        self.engines.fetch_sub(1, Ordering::Relaxed);
        let _ = self
            .worker
            .send(Box::new(move |states: &mut HashMap<u64, State>| {
                states.remove(&id);
            }));
    }
}

// Counts the bytes the engine holds from the C allocator, so that a statement that grows past
// its memory ceiling (the limit `max_memory`) stops with an error instead of the system
// killing the Python process. Python's own objects do not go through it.
#[global_allocator]
static ALLOCATOR: taylornet::CountingAllocator = taylornet::CountingAllocator;

/// A job's state: waiting on its worker, running, or called off before it started.
const QUEUED: u8 = 0;
const RUNNING: u8 = 1;
const CALLED_OFF: u8 = 2;

/// Stack of the worker thread: deep but legal input recurses (the CLI uses the same).
const STACK: usize = 256 << 20;

/// The most nesting `max_depth` and `max_expanded_depth` may allow: 10 000 brackets and
/// 10 000 nested calls are analysed within [`STACK`], with room to spare.
const MAX_NESTING: u32 = 10_000;

impl Engine {
    /// Runs `f` on the worker with the GIL released; Ctrl-C cancels it.
    fn call<R: Send + 'static>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut State) -> Outcome2<R> + Send + 'static,
    ) -> PyResult<R> {
        if std::process::id() != self.pid {
            return Err(PyRuntimeError::new_err(
                "this session was made in another process (before a fork): make a new Session in this one",
            ));
        }
        let cancel = Arc::new(AtomicBool::new(false));
        // Whether the job has started (or been called off before it did): a job queued behind
        // another engine's on the same worker is called off by Ctrl-C without waiting.
        let started = Arc::new(AtomicU8::new(QUEUED));
        let (tx, mut rx) = mpsc::channel();
        let flag = cancel.clone();
        let state = started.clone();
        let job: Job = Box::new(move |st: &mut State| {
            if state
                .compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                return;
            }
            st.cancel = flag;
            st.session.cancel = st.cancel.clone();
            let r = catch_unwind(AssertUnwindSafe(|| f(st)));
            let _ = tx.send(r);
        });
        self.send(job)
            .map_err(|_| PyRuntimeError::new_err("the taylornet worker has stopped"))?;
        loop {
            let (r, back) = py.detach(move || {
                let r = rx.recv_timeout(Duration::from_millis(40));
                (r, rx)
            });
            rx = back;
            match r {
                Ok(Ok(Ok(v))) => return Ok(v),
                Ok(Ok(Err(e))) => return Err(e.into_py()),
                Ok(Err(_)) => {
                    return Err(PyRuntimeError::new_err(
                        "internal failure in taylornet (please report it with the input that caused it)",
                    ));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        cancel.store(true, Ordering::Relaxed);
                        if started
                            .compare_exchange(
                                QUEUED,
                                CALLED_OFF,
                                Ordering::AcqRel,
                                Ordering::Acquire,
                            )
                            .is_ok()
                        {
                            // Not started: it never will, and the session is as it was.
                            return Err(interrupt);
                        }
                        // The worker stops at its next budget check; wait for it, so the
                        // session is free again when the exception reaches the caller.
                        let _ = py.detach(move || rx.recv());
                        return Err(interrupt);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err("the taylornet worker has stopped"));
                }
            }
        }
    }
}

impl State {
    /// A stored session, with the running job's cancel flag.
    fn stored(&mut self, id: u64) -> Outcome2<&mut Stored> {
        let cancel = self.cancel.clone();
        let s = self
            .stored
            .get_mut(&id)
            .ok_or_else(|| Failure::Message(format!("no stored result {id}")))?;
        s.before.cancel = cancel.clone();
        s.after.cancel = cancel;
        Ok(s)
    }
}

/// Where [`outcome_values`] keeps the series it hands out: the worker's table and numbering.
struct Kept<'a> {
    series: &'a mut HashMap<u64, SeriesResult>,
    next_id: &'a mut u64,
}

impl Kept<'_> {
    /// Keeps `r` under a new id; its JSON object (`kind`, `json`, `id`).
    fn series(&mut self, r: SeriesResult) -> Value {
        *self.next_id += 1;
        let v = json!({"kind": "series", "json": report::series_json(&r), "id": *self.next_id});
        self.series.insert(*self.next_id, r);
        v
    }
}

/// The names a session defined itself (not the catalog's) before an entry, at its end, or in
/// it: what a call of that name meant at one of the entry's analyses (`sigmoid(t) = tanh(t);
/// sigmoid(W·x); :reset`) is not known from either end alone, so none of them is taken for
/// the catalog's function.
fn defined_functions(before: &Session, after: &Session, outcomes: &[Outcome]) -> Vec<String> {
    fn defined_in(outcomes: &[Outcome], names: &mut std::collections::BTreeSet<String>) {
        for o in outcomes {
            match o {
                Outcome::Defined(n, _) => {
                    names.insert(n.ascii());
                }
                Outcome::Loaded(_, inner) => defined_in(inner, names),
                _ => {}
            }
        }
    }
    let mut names: std::collections::BTreeSet<String> = [before, after]
        .iter()
        .flat_map(|s| s.env.functions.defined().map(|d| d.name.ascii()))
        .collect();
    defined_in(outcomes, &mut names);
    names.into_iter().collect()
}

/// Whether an outcome is an analysis or a loaded file's outcomes hold one.
fn holds_analysis(o: &Outcome) -> bool {
    match o {
        Outcome::Analysis { .. } => true,
        Outcome::Loaded(_, inner) => inner.iter().any(holds_analysis),
        _ => false,
    }
}

/// The digests of the analyses among `values` (as [`outcome_values`] writes them), in order,
/// a loaded file's in its place.
fn analysis_digests(values: &[Value], out: &mut Vec<u64>) {
    for v in values {
        match v["kind"].as_str() {
            Some("analysis") => out.push(digest(&v["json"])),
            Some("loaded") => analysis_digests(v["outcomes"].as_array().map_or(&[], |a| a), out),
            _ => {}
        }
    }
}

/// A digest of a JSON value's text (the same value written twice has the same text).
fn digest(v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}

/// Outcomes as JSON objects: `kind`, the library's JSON as `json`, its text as `text` (a
/// series: its `id`, by which [`Engine::render_series`] writes the rest). `analyses`: how many
/// analyses the entry ran before these, a loaded file's included (an analysis's place among
/// them is its `index`, whose derivation is of that one); `loaded`: these are a loaded file's
/// outcomes; `followed`: an analysis comes after them in the entry.
#[allow(clippy::too_many_arguments)]
fn outcome_values(
    outcomes: &[Outcome],
    session: &Session,
    defined: &[String],
    id: Option<u64>,
    kept: &mut Kept,
    analyses: &mut usize,
    loaded: bool,
    followed: bool,
) -> Vec<Value> {
    let last_source = session.last.as_ref().map(|l| l.source.as_str());
    // Whether an analysis comes after each outcome, in one pass from the end (a run of many
    // statements asked it of every one; from a review, 80 000 took 3 s).
    let mut after = vec![followed; outcomes.len()];
    for i in (1..outcomes.len()).rev() {
        after[i - 1] = after[i] || holds_analysis(&outcomes[i]);
    }
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let followed = after[i];
            match o {
                Outcome::Analysis {
                    source,
                    expr,
                    report,
                } => {
                    let index = *analyses;
                    *analyses += 1;
                    json!({
                        "kind": "analysis",
                        "source": source,
                        "id": id,
                        "index": index,
                        "loaded": loaded,
                        // The session's last analysis, which `verify` checks, is the entry's last.
                        "last": !followed && last_source == Some(source.as_str()),
                        "json": report::json(source, report),
                        "text": report::text(source, report),
                        "latex": report::latex(&report::source_latex(expr), report),
                    // The session's own definitions, for the SymPy form of a call: a catalog
                    // name defined again (`sigmoid(t) = tanh(t)`) is not the catalog's function.
                    "defined_functions": defined,
                        "exact_numeric": exact_numeric(report),
                        })
                }
                // Echoed as the REPL echoes them.
                Outcome::Declared(names, what) => {
                    let names: Vec<String> = names.iter().map(|n| n.unicode()).collect();
                    json!({"kind": "declared", "text": format!("{} : {what}", names.join(", "))})
                }
                Outcome::Defined(n, text) => {
                    json!({"kind": "defined", "text": format!("defined {n}: {text}")})
                }
                Outcome::Bound(n, text) => {
                    json!({"kind": "bound", "text": format!("{n} = {text}")})
                }
                Outcome::Message(text) => json!({"kind": "message", "text": text}),
                Outcome::Series(r) => kept.series((**r).clone()),
                Outcome::Classify { rows, order, depth } => classify_value(rows, *order, *depth),
                Outcome::Verify { source, checks } => json!({
                    "kind": "verify",
                    "json": report::verify_json(source, checks),
                    "text": report::verify_text(source, checks),
                }),
                Outcome::Loaded(path, inner) => json!({
                    "kind": "loaded",
                    "path": path,
                    "outcomes": outcome_values(inner, session, defined, id, kept, analyses, true, followed),
                }),
                Outcome::Quit => json!({"kind": "quit"}),
            }
        })
        .collect()
}

/// The entries of a numeric matrix (rows) as exact rationals (`"p/q"` strings), or null when
/// it is absent or not every entry is exact.
macro_rules! exact_rows {
    ($m:expr) => {
        match $m {
            Some(m) => {
                let cells: Option<Vec<String>> = m
                    .entries
                    .iter()
                    .map(|e| e.exact().map(|q| q.to_string()))
                    .collect();
                match cells {
                    Some(c) => json!(c.chunks(m.cols.max(1)).collect::<Vec<_>>()),
                    None => Value::Null,
                }
            }
            None => Value::Null,
        }
    };
}

/// The numeric instance's W and b in full: the JSON report abbreviates long exact values, and
/// Python callers want all of them (`Analysis.numeric.W_exact`).
fn exact_numeric(report: &Report) -> Value {
    let Some(n) = report.numeric.as_ref() else {
        return Value::Null;
    };
    // A piecewise-linear network has its W and b as the affine map of its region, unless the
    // data point sits on a breakpoint.
    let region = match &n.region {
        Some(Ok(r)) if r.radius_inf.as_ref().is_none_or(|q| *q != 0u32) => Some(r),
        _ => None,
    };
    let w = n.w.as_ref().or(region.map(|r| &r.w));
    let b = n.b.as_ref().or(region.map(|r| &r.b));
    json!({ "w": exact_rows!(w), "b": exact_rows!(b) })
}

fn document(title: &str, lines: Vec<Line>, format: DocFormat) -> String {
    let doc = Document {
        title: title.to_string(),
        lines,
        results: Vec::new(),
    };
    write(&doc, format, false, &Notation::default())
}

/// A series written as `text`, `latex` or `html` (a document, as the CLI writes it).
fn series_rendering(r: &SeriesResult, format: &str) -> Outcome2<String> {
    match format {
        "text" => Ok(report::series_text(r)),
        "latex" => Ok(document("Series", series_lines(r), DocFormat::Latex)),
        "html" => Ok(document("Series", series_lines(r), DocFormat::Html)),
        _ => Err(Failure::Message(format!(
            "unknown format `{format}` (text, latex, html)"
        ))),
    }
}

fn classify_value(rows: &[ClassifyRow], order: u32, depth: u32) -> Value {
    let lines = classify_lines(rows, order, depth);
    json!({
        "kind": "classify",
        "json": report::classify_json(rows, order, depth),
        "text": report::classify_text(rows, order, depth),
        "html": document("Classification", lines, DocFormat::Html),
    })
}

fn to_string(v: &Value) -> String {
    taylornet::render::json_compact(v)
}

fn doc_format(format: &str) -> PyResult<DocFormat> {
    DocFormat::parse(format).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown format `{format}`: use text, latex, typst, html or json"
        ))
    })
}

/// The largest memory ceiling a session takes, in bytes (the CLI's `--max-memory` bound).
const MAX_MEMORY: u64 = 1 << 40;

/// Sets one limit by its name in [`Limits`].
fn set_limit(limits: &mut Limits, name: &str, value: f64) -> Result<(), String> {
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("the limit `{name}` must be a positive number"));
    }
    // 1e300 as written, not as its 301 digits (from a review).
    let shown = if value >= 1e16 {
        format!("{value:e}")
    } else {
        format!("{value}")
    };
    let whole = || -> Result<u64, String> {
        if value.fract() == 0.0 && value <= u32::MAX as f64 {
            Ok(value as u64)
        } else {
            Err(format!(
                "the limit `{name}` takes a whole number, not {shown}"
            ))
        }
    };
    let small = |v: u64| u32::try_from(v).map_err(|_| format!("the limit `{name}` is too large"));
    let whole_bytes = || -> Result<u64, String> {
        if value.fract() == 0.0 && value <= MAX_MEMORY as f64 {
            Ok(value as u64)
        } else {
            Err(format!(
                "the limit `{name}` takes a whole number of bytes up to {MAX_MEMORY}, not {shown}"
            ))
        }
    };
    match name {
        "time_budget" => {
            limits.time_budget = Duration::try_from_secs_f64(value)
                .map_err(|_| format!("the limit `{name}` is too large: {shown} seconds"))?
        }
        "max_memory" => {
            let bytes = whole_bytes()?;
            if bytes > MAX_MEMORY {
                return Err(format!(
                    "the limit `{name}` is at most {MAX_MEMORY} bytes (1 TiB), not {shown}"
                ));
            }
            limits.max_memory = bytes as usize;
        }
        "max_input_bytes" => limits.max_input_bytes = whole()? as usize,
        // Nesting is recursion on the worker's stack (`STACK`): past about 70 000 brackets
        // it overflowed and the interpreter died (from a review, with max_depth = 10⁹).
        "max_depth" | "max_expanded_depth" if whole()? > MAX_NESTING as u64 => {
            return Err(format!(
                "the limit `{name}` is at most {MAX_NESTING} (nesting is recursion on the engine's stack), not {shown}"
            ));
        }
        "max_depth" => limits.max_depth = small(whole()?)?,
        "max_order" => limits.max_order = small(whole()?)?,
        "max_series_order" => limits.max_series_order = small(whole()?)?,
        "search_order" => limits.search_order = small(whole()?)?,
        "max_terms" => limits.max_terms = whole()? as usize,
        "max_shown_terms" => limits.max_shown_terms = whole()? as usize,
        "max_power" => limits.max_power = small(whole()?)?,
        "max_literal_digits" => limits.max_literal_digits = small(whole()?)?,
        "max_tensor_entries" => limits.max_tensor_entries = whole()? as usize,
        "max_coefficient_bits" => limits.max_coefficient_bits = whole()?,
        "max_nodes" => limits.max_nodes = whole()?,
        "max_expanded_depth" => limits.max_expanded_depth = small(whole()?)?,
        _ => return Err(format!("unknown limit `{name}`")),
    }
    Ok(())
}

fn limits_value(l: &Limits) -> Value {
    json!({
        "time_budget": l.time_budget.as_secs_f64(),
        "max_memory": l.max_memory,
        "max_input_bytes": l.max_input_bytes,
        "max_depth": l.max_depth,
        "max_order": l.max_order,
        "max_series_order": l.max_series_order,
        "search_order": l.search_order,
        "max_terms": l.max_terms,
        "max_shown_terms": l.max_shown_terms,
        "max_power": l.max_power,
        "max_literal_digits": l.max_literal_digits,
        "max_tensor_entries": l.max_tensor_entries,
        "max_coefficient_bits": l.max_coefficient_bits,
        "max_nodes": l.max_nodes,
        "max_expanded_depth": l.max_expanded_depth,
    })
}

#[pymethods]
impl Engine {
    /// A new session (the activation catalog loaded), on one of the worker threads.
    #[new]
    fn new() -> PyResult<Engine> {
        let id = ENGINES.fetch_add(1, Ordering::Relaxed);
        let (worker, engines) = worker_for_new_engine()?;
        let engine = Engine {
            id,
            worker,
            engines,
            pid: std::process::id(),
        };
        engine
            .worker
            .send(Box::new(move |states: &mut HashMap<u64, State>| {
                states.insert(
                    id,
                    State {
                        session: Session::new(),
                        cancel: Arc::new(AtomicBool::new(false)),
                        stored: HashMap::new(),
                        series: HashMap::new(),
                        next_id: 0,
                    },
                );
            }))
            .map_err(|_| PyRuntimeError::new_err("the taylornet worker has stopped"))?;
        Ok(engine)
    }

    /// Binds `name` to exact values handed over as entries, not written as a literal (a large
    /// array of floats written exactly is past `max_input_bytes` as text): `rows` by `cols`
    /// (`None`: a vector), row by row, each an integer or `n/d`. At most `max_tensor_entries`
    /// of them, as for a weights file. Returns the echo `NAME = …` that the statement
    /// `NAME = [...]` gives; a refused binding changes nothing.
    #[pyo3(signature = (name, rows, cols, entries))]
    fn bind_values(
        &self,
        py: Python<'_>,
        name: String,
        rows: usize,
        cols: Option<usize>,
        entries: Vec<String>,
    ) -> PyResult<String> {
        self.call(py, move |st| {
            let fail = |phase: Phase, m: String| Failure::at(Diagnostic::new(phase, m), "");
            let parsed = Name::parse(&name).map_err(|m| fail(Phase::Name, m))?;
            let max = st.session.options.limits.max_tensor_entries;
            let count = rows.checked_mul(cols.unwrap_or(1));
            if count.is_none_or(|c| c > max) {
                return Err(fail(
                    Phase::Limit,
                    format!(
                        "{name} has {rows}×{} entries, more than {max} (`max_tensor_entries`)",
                        cols.unwrap_or(1)
                    ),
                ));
            }
            if count != Some(entries.len()) || rows == 0 || cols == Some(0) {
                return Err(fail(
                    Phase::Shape,
                    format!(
                        "{name}: {} entries for a {rows}×{} array",
                        entries.len(),
                        cols.unwrap_or(1)
                    ),
                ));
            }
            // The digits a literal may have, for each numerator and denominator.
            let max_digits = st.session.options.limits.max_literal_digits as usize;
            if let Some(long) = (entries.iter()).find(|e| {
                let (n, d) = e.split_once('/').unwrap_or((e, "1"));
                n.trim_start_matches('-').len() > max_digits || d.len() > max_digits
            }) {
                return Err(fail(
                    Phase::Limit,
                    format!(
                        "{name}: an entry of {} characters is past {max_digits} digits (`max_literal_digits`)",
                        long.len()
                    ),
                ));
            }
            let data = (entries.iter())
                .map(|e| {
                    e.parse::<Q>().map_err(|_| {
                        fail(
                            Phase::Parse,
                            format!("{name}: `{e}` is not an exact number"),
                        )
                    })
                })
                .collect::<Result<Vec<Q>, Failure>>()?;
            if let Some(why) = value_name_problem(&parsed, &st.session.env) {
                return Err(fail(
                    Phase::Name,
                    format!("{why}: choose another name for the values"),
                ));
            }
            let value = Valued::new(parsed, std::rc::Rc::new(Tensor { rows, cols, data }));
            let echo = format!("{} = {}", value.name, value.describe());
            bind_values(&mut st.session.env, vec![value]);
            Ok(echo)
        })
    }

    /// Runs statements. `atomic`: all or nothing (the REPL's entries); otherwise the
    /// statements before a failing one keep their effect and results. Returns
    /// `{"outcomes": [...], "error": null}` as JSON; a failure in an atomic entry raises.
    #[pyo3(signature = (source, atomic = true))]
    fn run(
        &self,
        py: Python<'_>,
        source: String,
        atomic: bool,
    ) -> PyResult<(String, Option<Py<pyo3::exceptions::PyBaseException>>)> {
        let (text, failure) = self.call(py, move |st| {
            let before = {
                let last = st.session.last.take();
                let before = st.session.clone();
                st.session.last = last;
                before
            };
            let (outcomes, error) = if atomic {
                match st.session.run_entry(&source) {
                    Ok(o) => (o, None),
                    Err(d) => return Err(Failure::at(d, &source)),
                }
            } else {
                st.session.run_partial(&source)
            };
            let analysed = outcomes.iter().any(holds_analysis);
            let defined = if analysed {
                defined_functions(&before, &st.session, &outcomes)
            } else {
                Vec::new()
            };
            let id = analysed.then(|| {
                st.next_id += 1;
                st.stored.insert(
                    st.next_id,
                    Stored {
                        before,
                        after: st.session.clone(),
                        entry: source.clone(),
                        digests: Vec::new(),
                    },
                );
                st.next_id
            });
            let mut kept = Kept {
                series: &mut st.series,
                next_id: &mut st.next_id,
            };
            let values = outcome_values(
                &outcomes,
                &st.session,
                &defined,
                id,
                &mut kept,
                &mut 0,
                false,
                false,
            );
            if let Some(stored) = id.and_then(|id| st.stored.get_mut(&id)) {
                analysis_digests(&values, &mut stored.digests);
            }
            Ok((
                to_string(&json!({ "outcomes": values })),
                error.map(|d| Failure::at(d, &source)),
            ))
        })?;
        Ok((text, failure.map(|f| f.into_py().into_value(py))))
    }

    /// Sets limits by name (`time_budget` in seconds, the others as in `Limits`).
    fn set_limits(&self, py: Python<'_>, limits: BTreeMap<String, f64>) -> PyResult<()> {
        self.call(py, move |st| {
            let mut l = st.session.options.limits.clone();
            for (k, v) in &limits {
                set_limit(&mut l, k, *v)?;
            }
            st.session.options.limits = l;
            Ok(())
        })
    }

    /// The options: order, input, small symbols, limits (JSON).
    fn options(&self, py: Python<'_>) -> PyResult<String> {
        self.call(py, |st| {
            let o = &st.session.options;
            Ok(to_string(&json!({
                "order": o.order,
                "input": o.input.ascii(),
                "small": o.small.as_ref().map(|s| s.iter().map(|n| n.ascii()).collect::<Vec<_>>()),
                "limits": limits_value(&o.limits),
            })))
        })
    }

    /// An expression of a result as LaTeX, from its JSON `tree` (docs/json.md): the LaTeX the
    /// report writes for it. Not from its input form, which the language does not read back for
    /// every result (`I`, a dimension `d₁` as a number; from a review).
    fn tree_latex(&self, py: Python<'_>, tree: String) -> PyResult<String> {
        self.call(py, move |_| {
            let mut reader = serde_json::Deserializer::from_str(&tree);
            // Trees as deep as the engine writes them (serde_json stops at 128 levels); the
            // worker's stack is large, and the reader stops at its own depth limit.
            reader.disable_recursion_limit();
            let value: serde_json::Value = serde::Deserialize::deserialize(&mut reader)
                .map_err(|e| Failure::Message(format!("not an expression tree: {e}")))?;
            tree_latex(&value).ok_or_else(|| {
                Failure::Message("not an expression tree of taylornet (docs/json.md)".into())
            })
        })
    }

    /// A derivation document (`text`, `latex`, `typst`, `html` with MathML, or `json`): of
    /// `source`, run in a copy of this session (which stays as it is), or with `id`, of the
    /// entry that produced that result, run in the session as it was before it.
    /// With `analysis`, of that analysis of the entry alone (its place among the entry's
    /// analyses, from 0).
    #[pyo3(signature = (source, format, id = None, standalone = false, title = "Derivation".to_string(), hadamard = "circ", epsilon = "ε", analysis = None))]
    #[allow(clippy::too_many_arguments)]
    fn derive(
        &self,
        py: Python<'_>,
        source: String,
        format: &str,
        id: Option<u64>,
        standalone: bool,
        title: String,
        hadamard: &str,
        epsilon: &str,
        analysis: Option<usize>,
    ) -> PyResult<String> {
        let format = doc_format(format)?;
        // A bad keyword is a ValueError, as a bad format is (from a review: a bare
        // TaylornetError with no phase); with `id`, the source it is checked against is the
        // stored entry's, on the worker below.
        if let Err(why) = Notation::for_source(hadamard, epsilon, &source) {
            return Err(PyValueError::new_err(why));
        }
        let (hadamard, epsilon) = (hadamard.to_string(), epsilon.to_string());
        self.call(py, move |st| {
            let (mut session, source, digests) = match id {
                Some(id) => {
                    let stored = st.stored(id)?;
                    (stored.before.clone(), stored.entry.clone(), stored.digests.clone())
                }
                None => (st.session.clone(), source, Vec::new()),
            };
            let notation = Notation::for_source(&hadamard, &epsilon, &source)?;
            let doc = derive_source_for(&mut session, &source, &title, analysis)
                .map_err(|d| Failure::at(d, &source))?;
            // Run again, the entry must give the analysis it gave: a file it loads may have
            // changed since, and the steps would be another network's.
            if let Some(n) = analysis
                && let Some(&expected) = digests.get(n)
                && doc.results.last().map(digest) != Some(expected)
            {
                let d = Diagnostic::new(
                    Phase::Command,
                    "run again, the entry no longer gives this analysis (has a file it loads changed?): its derivation would be of another network".to_string(),
                );
                return Err(Failure::at(d, &source));
            }
            // Writing the document observes the budget (and Ctrl-C) like the statements did.
            let budget = session.budget();
            let active = budget.enter();
            let written = write(&doc, format, standalone, &notation);
            drop(active);
            match budget.exhausted() {
                Some(why) => {
                    let d = Diagnostic::new(Phase::Limit, format!("writing the derivation: {why}"));
                    Err(Failure::at(d, &source))
                }
                None => Ok(written),
            }
        })
    }

    /// The exact series of an activation (a name, a definition, or an expression in one variable).
    #[pyo3(signature = (spec, order, at = None))]
    fn series(
        &self,
        py: Python<'_>,
        spec: String,
        order: usize,
        at: Option<String>,
    ) -> PyResult<String> {
        self.call(py, move |st| {
            // An error in the point is shown against the point's text, as the CLI's `--at`
            // (from a review, the caret stood in the function).
            let point = match at.as_deref() {
                None => taylornet::Scalar::zero(),
                Some(a) => (st.session.series_point(a)).map_err(|d| Failure::at(d, a))?,
            };
            let r = st
                .session
                .series_at(&spec, point, order)
                .map_err(|d| Failure::at(d, &spec))?;
            let mut kept = Kept {
                series: &mut st.series,
                next_id: &mut st.next_id,
            };
            Ok(to_string(&kept.series(r)))
        })
    }

    /// Series `id` (from `series` or `run`) as `text`, `latex` or `html`, written now: a deep
    /// composition's report is megabytes, and most callers read the coefficients only.
    fn render_series(&self, py: Python<'_>, id: u64, format: String) -> PyResult<String> {
        self.call(py, move |st| {
            let r = st
                .series
                .get(&id)
                .ok_or_else(|| Failure::Message(format!("no stored series {id}")))?;
            series_rendering(r, &format)
        })
    }

    /// Checks result `id` numerically (it must be the last analysis of its entry); with
    /// `plot`, also the log–log residual plot as SVG.
    #[pyo3(signature = (id, sigmas, seed = 1, draws = 4, expansion = false, params = BTreeMap::new(), plot = false))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        py: Python<'_>,
        id: u64,
        sigmas: Option<Vec<f64>>,
        seed: u64,
        draws: u64,
        expansion: bool,
        params: BTreeMap<String, f64>,
        plot: bool,
    ) -> PyResult<(String, Option<String>)> {
        // None: the CLI's grid, the same floats (from a review: Python's own exp and log gave
        // another last bit, and the JSON differed from `taylornet verify --format json`).
        let sigmas = sigmas.unwrap_or_else(|| VerifyOptions::default().sigmas);
        if sigmas.is_empty() || sigmas.iter().any(|s| !(*s > 0.0 && s.is_finite())) {
            return Err(PyValueError::new_err("sigmas must be positive numbers"));
        }
        // One fitted slope needs two scales at least, and the list is bounded (as the CLI's).
        let mut distinct = sigmas.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        if distinct.len() < 2 || sigmas.len() > 64 {
            return Err(PyValueError::new_err(format!(
                "sigmas: 2 to 64 values, at least two of them different, to fit a slope (given {})",
                sigmas.len()
            )));
        }
        if !(1..=64).contains(&draws) {
            return Err(PyValueError::new_err("draws must be 1 to 64"));
        }
        self.call(py, move |st| {
            let mut named = BTreeMap::new();
            for (k, v) in params {
                let n = Name::parse(&k).map_err(|e| format!("params: `{k}`: {e}"))?;
                named.insert(n, v);
            }
            let opts = VerifyOptions {
                sigmas,
                seed,
                draws,
                expansion,
                params: named,
                ..Default::default()
            };
            let s = &st.stored(id)?.after;
            // A bad argument, as a bad `draws` is: a ValueError (CommandError), not a failure.
            if let Some(why) = s.verify_parameter_problem(&opts.params) {
                return Err(Failure::at(Diagnostic::new(Phase::Command, why), ""));
            }
            let checks = s.verify_last(&opts)?;
            let src = s
                .last
                .as_ref()
                .map(|l| l.source.clone())
                .unwrap_or_default();
            let svg = if plot {
                Some(plot_svg(&format!("residual of {src}"), &checks)?)
            } else {
                None
            };
            let v = json!({
                "json": report::verify_json(&src, &checks),
                "text": report::verify_text(&src, &checks),
            });
            Ok((to_string(&v), svg))
        })
    }

    /// Forgets result `id` (its Python object was collected); does not wait.
    fn release(&self, id: u64) {
        let job: Job = Box::new(move |st: &mut State| {
            st.stored.remove(&id);
            st.series.remove(&id);
        });
        // A stopped worker has nothing left to forget.
        let _ = self.send(job);
    }
}

/// The notation of a derivation (names are made on the worker thread, which owns them).
#[pymodule]
fn _taylornet(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("Error", m.py().get_type::<Error>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
