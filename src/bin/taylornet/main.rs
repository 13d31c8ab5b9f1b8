//! The `taylornet` command line: a thin layer over the library.
// On Linux with the GNU C library the process starts at the C `main` below, not at Rust's: Rust's
// start reads /proc/self/maps for the main thread's stack (to report an overflow of it), about
// 5 % of a short command's time, and the work runs on a stack of its own (`WORK_STACK`).
#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

mod math;
mod repl;

use taylornet::render::{plot_file, plot_sigma};

use clap::{Parser, Subcommand};
use std::io::Write;
use taylornet::Name;
use taylornet::render::report;
use taylornet::{Format, Outcome, Session};

#[derive(Parser)]
#[command(
    name = "taylornet",
    version,
    about = "When is a deep network equivalent to one affine layer? Exact Taylor expansions of neural-network expressions."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Most memory one statement may add, in MiB (default 2048).
    #[arg(long, global = true, value_name = "MIB")]
    max_memory: Option<usize>,
    /// Time budget of one statement, in seconds (default 20).
    #[arg(long, global = true, value_name = "SECONDS")]
    time_budget: Option<f64>,
}

// Counts the bytes it holds from the C allocator, so a statement that grows past its memory
// ceiling stops with an error (`max_memory`) instead of the system killing the process; the
// working thread keeps the small blocks it frees for its next allocations.
#[global_allocator]
static ALLOCATOR: taylornet::CountingAllocator = taylornet::CountingAllocator;

/// The limits every session of this run starts with (the defaults, or the global options).
static LIMITS: std::sync::OnceLock<taylornet::Limits> = std::sync::OnceLock::new();

/// A session with this run's limits.
fn new_session() -> Session {
    let mut s = Session::new();
    if let Some(l) = LIMITS.get() {
        s.options.limits = l.clone();
    }
    s
}

#[derive(clap::Args, Clone)]
struct Common {
    /// Output format (`typst` and `html`/`mathml`: `derive`, `series` and `classify` only;
    /// `verify`: `text` or `json`).
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "latex", "json", "typst", "html", "mathml"])]
    format: String,
    /// The network input.
    #[arg(long, default_value = "x")]
    input: String,
    /// Keep the terms up to ε^N, dropping O(ε^(N+1)).
    #[arg(long, short = 'n')]
    order: Option<u32>,
    /// The small symbols (default: the input and every vector symbol), comma- or space-separated.
    #[arg(long)]
    small: Option<String>,
    /// Numeric weights from a `.npz`, `.npy` or `.safetensors` file (repeatable).
    #[arg(long, value_name = "FILE")]
    weights: Vec<String>,
    /// Rename a tensor of the weights files: `--map fc1.weight=W1` (repeatable).
    #[arg(long, value_name = "TENSOR=NAME")]
    map: Vec<String>,
    /// Expand around a data point: `--at x0=[0.5, -1]`, `--at x0=point.npz`, or a name with a value.
    #[arg(long, value_name = "NAME=POINT", allow_hyphen_values = true)]
    at: Option<String>,
    /// Analyse an ONNX model (its network and weights, as `taylornet import` writes them).
    #[arg(long, value_name = "FILE")]
    onnx: Option<String>,
    /// The tolerance τ of the radius of affinity σ*: ‖y − (W·x + b)‖ ≤ τ·‖W·x‖.
    #[arg(long, default_value_t = 0.01)]
    tau: f64,
    /// Write the plot of the relative deviation against σ, marking σ* (`.svg` or `.png`).
    #[arg(long, value_name = "FILE")]
    sigma_plot: Option<String>,
}

// Each subcommand's arguments are built only when it is the one run: a start builds one
// subcommand's, not all of them (about 0.2 M instructions of a 2.7 M-instruction analysis).
#[derive(Subcommand)]
#[command(defer = true)]
enum Cmd {
    /// Analyse SOURCE: statements separated by `;` or newlines; the last expression is analysed.
    Analyze {
        /// Statements, e.g. 'W1 : 2x4; tanh(W2·tanh(W1·x + b1) + b2)' (optional with `--onnx`).
        source: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Run a script: every expression statement is analysed in turn.
    Run {
        /// A script (`.tn`).
        file: String,
        #[command(flatten)]
        common: Common,
    },
    /// The exact Taylor series of an activation: a catalog name, a definition `f(t) = …`, or an expression in one variable.
    Series {
        /// `tanh`, `swish(t) = t·sigmoid(t)`, or `tanh(tanh(t))`.
        spec: String,
        /// The point of expansion (a number, `1/2`, `-2`, `π`, or a parameter such as `λ`).
        #[arg(long, allow_hyphen_values = true)]
        at: Option<String>,
        /// The highest power.
        #[arg(long, short = 'n', default_value_t = 9)]
        order: usize,
        #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json", "latex", "typst", "html", "mathml"])]
        format: String,
        /// With `--format latex`, `typst` or `html`: a whole document.
        #[arg(long)]
        standalone: bool,
    },
    /// A step-by-step derivation of a script or an expression, as text or LaTeX.
    Derive {
        /// A `.tn` file, or statements as text.
        source: String,
        #[command(flatten)]
        common: Common,
        /// With `--format latex`, `typst` or `html`: a whole document (pdflatex, typst, a browser).
        #[arg(long)]
        standalone: bool,
        /// The Hadamard product: `circ` (∘) or `odot` (⊙).
        #[arg(long, default_value = "circ", value_parser = ["circ", "odot"])]
        hadamard: String,
        /// The symbol of the small parameter in O(εᵏ), e.g. `sigma` or `δ` (typeset formats: LaTeX,
        /// Typst, HTML and MathML; the text format writes ε).
        #[arg(long, default_value = "ε")]
        epsilon: String,
    },
    /// Import an ONNX model: writes a taylornet script and a `.safetensors` weights file.
    Import {
        /// The `.onnx` file.
        model: String,
        /// The script to write (default: the model's name with `.tn`).
        #[arg(long, short = 'o')]
        output: Option<String>,
    },
    /// The interactive prompt (also what `taylornet` alone starts).
    Repl,
    /// Check a result numerically: the residual y − (W·x + b) against σ, its fitted slope, PASS or FAIL.
    Verify {
        /// Statements; the last expression is checked.
        source: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        check: Check,
    },
    /// For every catalog activation: is a deep network of it affine for small inputs?
    Classify {
        /// Keep the terms up to ε^N, dropping O(ε^(N+1)).
        #[arg(long, short = 'n', default_value_t = 3)]
        order: u32,
        /// Layers in each network.
        #[arg(long, short = 'L', default_value_t = 2)]
        depth: u32,
        #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json", "latex", "typst", "html", "mathml"])]
        format: String,
        /// With `--format latex`, `typst` or `html`: a whole document.
        #[arg(long)]
        standalone: bool,
        /// Verify every row numerically.
        #[arg(long)]
        verify: bool,
        #[command(flatten)]
        check: Check,
    },
}

#[derive(clap::Args, Clone)]
struct Check {
    /// Seed of the random weights and inputs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The σ grid: `HI:LO:N` (geometric) or a comma-separated list.
    #[arg(long, default_value = "1e-1:1e-4:7")]
    sigma: String,
    /// Random draws averaged per σ.
    #[arg(long, default_value_t = 4)]
    draws: u64,
    /// Write a log–log plot of the residual (`.svg` or `.png`).
    #[arg(long)]
    plot: Option<String>,
    /// Also check the full truncated expansion ŷₙ: ‖y − ŷₙ‖ must shrink at least like σⁿ⁺¹.
    #[arg(long)]
    expansion: bool,
}

impl Check {
    fn options(&self) -> Result<taylornet::VerifyOptions, String> {
        let sigmas: Vec<f64> =
            if let [hi, lo, n] = self.sigma.split(':').collect::<Vec<_>>().as_slice() {
                let (hi, lo, n): (f64, f64, usize) = (
                    hi.parse().map_err(|_| "bad --sigma")?,
                    lo.parse().map_err(|_| "bad --sigma")?,
                    n.parse().map_err(|_| "bad --sigma")?,
                );
                // Refused rather than clamped (from a review, `:0` and `:10⁶` were taken).
                if !(2..=64).contains(&n) {
                    return Err(format!("--sigma HI:LO:N needs N from 2 to 64, not {n}"));
                }
                taylornet::geometric(hi, lo, n)
            } else {
                self.sigma
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<f64>()
                            .map_err(|_| format!("bad --sigma value `{s}`"))
                    })
                    .collect::<Result<_, _>>()?
            };
        if sigmas.is_empty() || sigmas.iter().any(|s| !(*s > 0.0 && s.is_finite())) {
            return Err("--sigma values must be positive numbers".into());
        }
        // One fitted slope needs two scales at least, and the list is bounded like the grid.
        let mut distinct = sigmas.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        if distinct.len() < 2 || sigmas.len() > 64 {
            return Err(format!(
                "--sigma needs 2 to 64 values, at least two of them different (given {})",
                sigmas.len()
            ));
        }
        if !(1..=64).contains(&self.draws) {
            return Err("--draws must be 1 to 64".into());
        }
        Ok(taylornet::VerifyOptions {
            sigmas,
            seed: self.seed,
            draws: self.draws,
            expansion: self.expansion,
            ..Default::default()
        })
    }
}

/// Keeps memory that was freed for the next allocation instead of handing it back to the
/// system, and backs a large heap with huge pages. Long products multiply through malachite's
/// FFT, which takes a scratch buffer of megabytes per product; by default glibc maps such a
/// buffer fresh and unmaps it when freed (and trims freed memory at the top of the heap past
/// 128 kB), so every product paid a page fault per 4 kB page touched: gelu composed 5 deep at
/// order 50 took 8 800 page faults, 3 400 with this. The memory ceiling is unaffected: it
/// counts the bytes taken from the C allocator, not what the C allocator keeps.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        // Blocks up to 32 MB (glibc's largest threshold) come from the heap, and up to 512 MB
        // of freed memory stays with the process while it works (more than the heap's first
        // step below, which would otherwise be handed back at the first free; an interactive
        // session hands freed memory back between statements, `return_freed_memory`).
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
        // One arena for every thread (the work runs on the main thread; the interactive
        // session's Ctrl-C handler has one of its own): a thread's own arena grows by one
        // `mprotect` per allocation that reaches its end (11 000 system calls for sigmoid
        // composed 5 deep when the work had a thread of its own), the main arena by `brk` in
        // steps of the pad below.
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_TOP_PAD, HEAP_STEP as libc::c_int);
        huge_pages_past_the_first_megabytes();
    }
}

/// Hands freed memory back to the system, keeping 64 MB for what comes next: called between
/// the statements of an interactive session, which should not hold at its prompt what its last
/// statement freed (the binary keeps freed memory while it works, `keep_freed_memory`).
pub(crate) fn return_freed_memory() {
    taylornet::CountingAllocator::release_kept_blocks();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own heap.
    unsafe {
        libc::malloc_trim(64 << 20);
    }
}

/// How far the heap grows at a time (address space, not memory: a page costs only when touched).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HEAP_STEP: usize = 256 << 20;

/// Grows the heap by one step now and asks the kernel to back it with 2 MB pages, except its
/// first megabytes. A series of tens of megabytes of small terms (sigmoid composed 5 deep at
/// order 10 keeps 70 MB) otherwise takes a page fault per 4 kB, a third of its time; a huge page
/// costs one fault. Short commands stay in the first megabytes and never clear a huge page.
/// Nothing depends on this: where the kernel does not give huge pages, or the heap cannot grow,
/// memory is what it was.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe fn huge_pages_past_the_first_megabytes() {
    const HUGE_PAGE: usize = 2 << 20;
    const SMALL_PAGES_FIRST: usize = 4 << 20;
    // SAFETY: sbrk(0) only reads the break; malloc/free are paired; madvise is given a range
    // inside the heap's new step (checked against the break before and after the growth).
    unsafe {
        let before = libc::sbrk(0) as usize;
        // A block the heap's free end cannot hold makes malloc grow it by the block and the pad.
        // (black_box: the compiler may otherwise drop an allocation nobody reads.)
        let block = std::hint::black_box(libc::malloc(1 << 20));
        libc::free(block);
        let after = libc::sbrk(0) as usize;
        if before == usize::MAX || after == usize::MAX || after < before + HEAP_STEP {
            return;
        }
        let start = (before + SMALL_PAGES_FIRST).next_multiple_of(HUGE_PAGE);
        let end = after / HUGE_PAGE * HUGE_PAGE;
        if start < end {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

/// The stack the work runs on: deep but legal input recurses (nesting up to `max_depth`, bindings
/// written out up to `max_expanded_depth`). Address space, not memory: a page costs only when
/// touched.
const WORK_STACK: usize = 256 << 20;

/// Whether standard output was closed when the process started (`taylornet … >&-`): an error,
/// as for other Unix tools, where the answer would be lost with status 0. It is looked at by a
/// function the C library runs before any Rust code (`.init_array`), which then opens /dev/null
/// on a closed descriptor 0, 1 or 2, as Rust's start does (so that a file this process opens
/// never becomes its standard error).
#[cfg(target_os = "linux")]
static STDOUT_WAS_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static LOOK_AT_STDOUT: extern "C" fn() = look_at_stdout;

#[cfg(target_os = "linux")]
extern "C" fn look_at_stdout() {
    for fd in 0..3 {
        // SAFETY: F_GETFD only reads the descriptor's flags; open's path is a C string. The
        // lower descriptors are open by then, so /dev/null lands on `fd`.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1 {
                if fd == 1 {
                    STDOUT_WAS_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
    }
}

/// The exit status of the process: 0 answered, 1 the input's error, 2 a usage or I/O error, 3 an
/// internal failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitCode(u8);

impl ExitCode {
    pub const SUCCESS: ExitCode = ExitCode(0);
}

impl From<u8> for ExitCode {
    fn from(code: u8) -> Self {
        ExitCode(code)
    }
}

/// The process's start on Linux with the GNU C library (`no_main` above): the C library has run
/// the `.init_array` functions (Rust's own records the arguments there), so what Rust's start
/// would still do is done here: standard output flushed at the end.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    let code = start();
    let _ = std::io::stdout().flush();
    libc::c_int::from(code.0)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(start().0)
}

fn start() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (Rust ignores SIGPIPE, which would turn `taylornet … | head` into a failed write).
    #[cfg(unix)]
    // SAFETY: called before any other thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(target_os = "linux")]
    if STDOUT_WAS_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write to standard output: it is closed"
        );
        return ExitCode::from(2);
    }
    keep_freed_memory();
    // A failed write to standard output or error (a full disk, `> /dev/full`) is an I/O error
    // the user should see as one, not a crash: `print!` reports it by panicking, so the panic
    // of a failed write is recognised below and reported in one line (when stderr still works).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if write_failure(info.payload()).is_none() {
            default_hook(info);
        }
    }));
    // Deep but legal input recurses; a large stack keeps that from becoming a crash. It is a
    // stack of the main thread (`stacker` switches to it and back), not a thread's: starting a
    // thread and waiting for it took about 0.06 ms of a 1.7 ms command (docs/performance.md,
    // round twenty-three). A panic crosses the switch back and is caught here.
    let run = std::panic::catch_unwind(|| stacker::grow(WORK_STACK, real_main));
    match run {
        Ok(code) => code,
        Err(payload) if write_failure(payload.as_ref()).is_some() => {
            let why = write_failure(payload.as_ref()).unwrap_or_default();
            let _ = writeln!(std::io::stderr(), "error: {why}");
            ExitCode::from(2)
        }
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "error: internal failure (please report it with the input that caused it)"
            );
            ExitCode::from(3)
        }
    }
}

/// A command that has written its whole answer ends the process here, successfully, without
/// taking apart what it built: the system frees the memory at once, where dropping a report's
/// trees and the working thread's caches one block at a time was about 7 % of a short command's
/// instructions. A failed write is reported as the panic of `print!` would be.
fn answered() -> ! {
    if let Err(e) = std::io::stdout().flush() {
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write to standard output: {e}"
        );
        std::process::exit(2);
    }
    std::process::exit(0)
}

/// The message of a panic raised by `print!`/`eprint!` when the write failed, if it is one.
fn write_failure(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    let text = payload
        .downcast_ref::<String>()
        .map(|s| s.as_str())
        .or_else(|| payload.downcast_ref::<&str>().copied())?;
    let rest = text
        .strip_prefix("failed printing to stdout: ")
        .map(|r| ("standard output", r))
        .or_else(|| {
            text.strip_prefix("failed printing to stderr: ")
                .map(|r| ("standard error", r))
        })?;
    Some(format!("cannot write to {}: {}", rest.0, rest.1))
}

fn real_main() -> ExitCode {
    taylornet::CountingAllocator::keep_freed_blocks_on_this_thread();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help, the version and usage errors, written by clap; a failed write of help or the
        // version is an I/O error like any answer's (from a review: `--help > /dev/full` ended
        // with 0 and printed nothing).
        Err(e) => {
            let written = e.print().and_then(|()| std::io::stdout().flush());
            if let Err(io) = written {
                let _ = writeln!(
                    std::io::stderr(),
                    "error: cannot write to standard output: {io}"
                );
                return ExitCode::from(2);
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let mut limits = taylornet::Limits::default();
    if let Some(mib) = cli.max_memory {
        if mib == 0 || mib > 1 << 30 {
            eprintln!(
                "error: --max-memory must be between 1 and {} MiB",
                1u64 << 30
            );
            return ExitCode::from(2);
        }
        limits.max_memory = mib << 20;
    }
    if let Some(secs) = cli.time_budget {
        match std::time::Duration::try_from_secs_f64(secs) {
            Ok(d) if secs > 0.0 => limits.time_budget = d,
            // From a review: 1e20 was called "not positive"; it is past what a duration holds.
            Err(_) if secs.is_finite() && secs > 0.0 => {
                eprintln!(
                    "error: --time-budget {secs} is too large (at most about 1.8e19 seconds)"
                );
                return ExitCode::from(2);
            }
            _ => {
                eprintln!("error: --time-budget must be a positive number of seconds");
                return ExitCode::from(2);
            }
        }
    }
    let _ = LIMITS.set(limits);
    match cli.command {
        Some(Cmd::Analyze { source, common }) => {
            if source.is_none() && common.onnx.is_none() {
                eprintln!("error: `analyze` needs SOURCE (or `--onnx MODEL`)");
                return ExitCode::from(2);
            }
            if let Some(e) = source
                .as_deref()
                .and_then(|s| file_for_statements(s, "analyze"))
            {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            run_source(source.as_deref().unwrap_or(""), "", &common, true)
        }
        Some(Cmd::Import { model, output }) => import(&model, output.as_deref()),
        Some(Cmd::Run { file, common }) => {
            let text = match read_file(&file, &new_session().options.limits) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            run_source(&text, &file, &common, false)
        }
        Some(Cmd::Series {
            spec,
            at,
            order,
            format,
            standalone,
        }) => {
            let session = new_session();
            // An error in the point is shown against `--at`'s text (from a review, against the
            // function's).
            let point = match at.as_deref().map(|a| (a, session.series_point(a))) {
                None => taylornet::Scalar::zero(),
                Some((_, Ok(p))) => p,
                Some((a, Err(d))) => {
                    eprint!("{}", d.render(a, "--at"));
                    return ExitCode::from(1);
                }
            };
            match session.series_at(&spec, point, order) {
                Ok(r) => {
                    // Writing the report observes the budget like the expansion did: a report
                    // too large to write within it is an error naming the limit, never a part.
                    let written = session.budget().within(|| {
                        if let Some(doc) = document_format(&format) {
                            let lines = taylornet::render::series_lines(&r);
                            write_document("Series", lines, doc, standalone)
                        } else if format == "json" {
                            taylornet::render::json_text(&report::series_json(&r)) + "\n"
                        } else {
                            report::series_text(&r)
                        }
                    });
                    match written {
                        Ok(text) => print!("{text}"),
                        Err(why) => {
                            eprintln!("error: limit reached: printing the series: {why}");
                            return ExitCode::from(1);
                        }
                    }
                    answered()
                }
                Err(d) => {
                    eprint!("{}", d.render(&spec, ""));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Verify {
            source,
            common,
            check,
        }) => match file_for_statements(&source, "verify") {
            Some(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
            None => verify(&source, &common, &check),
        },
        Some(Cmd::Derive {
            source,
            common,
            standalone,
            hadamard,
            epsilon,
        }) => derive(&source, &common, standalone, &hadamard, &epsilon),
        Some(Cmd::Classify {
            order,
            depth,
            format,
            standalone,
            verify: check_rows,
            check,
        }) => {
            let mut session = new_session();
            // Each option named as `analyze` names it (from a review: both in one message).
            let max = session.options.limits.max_order;
            if order == 0 || order > max {
                eprintln!("error: --order must be between 1 and {max}, not {order}");
                return ExitCode::from(2);
            }
            if depth == 0 || depth > 16 {
                eprintln!("error: --depth must be between 1 and 16, not {depth}");
                return ExitCode::from(2);
            }
            session.options.order = order;
            if check.plot.is_some() && !check_rows {
                eprintln!(
                    "error: --plot draws the residuals of the numeric check: add --verify (`taylornet classify --verify --plot FILE.svg`)"
                );
                return ExitCode::from(2);
            }
            // The table observes the same budget as a statement (and stops early past it).
            let rows = match session.budget().within(|| session.classify(depth)) {
                Ok(rows) => rows,
                Err(why) => {
                    eprintln!("error: {why}");
                    return ExitCode::from(1);
                }
            };
            match rows {
                Ok(rows) => {
                    if check_rows {
                        return classify_verified(&session, &rows, order, depth, &check, &format);
                    }
                    if let Some(doc) = document_format(&format) {
                        let lines = taylornet::render::classify_lines(&rows, order, depth);
                        print!(
                            "{}",
                            write_document("Classification", lines, doc, standalone)
                        );
                    } else if format == "json" {
                        println!(
                            "{}",
                            taylornet::render::json_text(&report::classify_json(
                                &rows, order, depth
                            ))
                        );
                    } else {
                        print!("{}", report::classify_text(&rows, order, depth));
                    }
                    answered()
                }
                Err(d) => {
                    eprintln!("error: {d}");
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Repl) | None => repl::run(new_session()),
    }
}

/// Whether an argument that may be a file or statements names a file: one word ending in
/// `.tn` (no statement does), or a path with `/` that exists (a division of two names would
/// have to be a file's path too).
fn names_a_file(arg: &str) -> bool {
    !arg.contains(char::is_whitespace)
        && (arg.ends_with(".tn") || (arg.contains('/') && std::path::Path::new(arg).exists()))
}

/// Why `command`, which takes statements, cannot take `arg` where it names a file (from a
/// review: `analyze examples/x.tn` was a syntax error at `/`).
fn file_for_statements(arg: &str, command: &str) -> Option<String> {
    names_a_file(arg).then(|| {
        format!(
            "`{arg}` names a file, and `{command}` takes statements: run a file with `taylornet run {arg}`, or derive it with `taylornet derive {arg}`"
        )
    })
}

fn read_file(path: &str, limits: &taylornet::Limits) -> Result<String, String> {
    taylornet::read_source(path, limits)
}

/// The document formats (`latex`, `typst`, `html`), which write through the derivation renderers.
fn document_format(format: &str) -> Option<taylornet::render::DocFormat> {
    use taylornet::render::DocFormat;
    match DocFormat::parse(format)? {
        DocFormat::Text | DocFormat::Json => None,
        f => Some(f),
    }
}

fn write_document(
    title: &str,
    lines: Vec<taylornet::render::Line>,
    format: taylornet::render::DocFormat,
    standalone: bool,
) -> String {
    let doc = taylornet::Document {
        title: title.to_string(),
        lines,
        results: Vec::new(),
    };
    taylornet::render::write(&doc, format, standalone, &Default::default())
}

fn configure(session: &mut Session, c: &Common) -> Result<(), String> {
    configure_model(session, c)?;
    if matches!(c.format.as_str(), "typst" | "html" | "mathml") {
        return Err(format!(
            "--format {} is for `derive`, `series` and `classify`",
            c.format
        ));
    }
    session.options.format = Format::parse(&c.format).unwrap_or_default();
    if c.input.trim().is_empty() {
        return Err("--input needs a name, such as `--input x`".into());
    }
    let input =
        taylornet::parse_input_name(&c.input, &session.env).map_err(|e| format!("--input: {e}"))?;
    if taylornet::scalar_input(&input, &session.env) {
        return Err(format!(
            "--input {input}: a Greek name is a scalar parameter; the input must be a vector such as `x`"
        ));
    }
    session.options.input = input.clone();
    session.env.input = input;
    if let Some(n) = c.order {
        session.options.order = session
            .options
            .valid_order(n)
            .map_err(|max| format!("--order must be between 1 and {max}"))?;
    }
    if let Some(s) = &c.small {
        let set = taylornet::parse_small(s).map_err(|e| format!("--small: {e}"))?;
        session.options.small = Some(set);
    }
    Ok(())
}

/// Runs statements; with `last_only`, prints only the last analysis (and every message).
fn run_source(source: &str, origin: &str, common: &Common, last_only: bool) -> ExitCode {
    let mut session = new_session();
    if let Err(e) = configure(&mut session, common) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let mut source = source.replace("\r\n", "\n");
    if let Some(path) = &common.onnx {
        match taylornet::trained::import_file(path.as_ref(), &session.options.limits) {
            Ok(m) => {
                let tensors = m.tensors.clone();
                match taylornet::trained::name_tensors(tensors, &Vec::new(), path) {
                    Ok(v) => taylornet::trained::bind_values(&mut session.env, v),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
                let mut pre: String = m.definitions.iter().map(|d| format!("{d}\n")).collect();
                pre.push_str(&m.expression);
                source = if source.trim().is_empty() {
                    pre
                } else {
                    format!("{pre}\n{source}")
                };
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let source = source;
    let outcomes = match session.run_partial(&source) {
        (o, None) => o,
        (done, Some(d)) => {
            // A script keeps the results of the statements before the one that failed.
            if !last_only {
                match session.render(&done, session.options.format) {
                    Ok(text) => print!("{text}"),
                    Err(e) => eprint!("{}", e.render(&source, origin)),
                }
            }
            eprint!("{}", d.render(&source, origin));
            return ExitCode::from(1);
        }
    };
    let shown: Vec<Outcome> = if last_only {
        // `analyze` prints the last analysis (or the last result of a command).
        outcomes
            .into_iter()
            .rev()
            .find(|o| {
                !matches!(
                    o,
                    Outcome::Declared(..)
                        | Outcome::Defined(..)
                        | Outcome::Bound(..)
                        | Outcome::Message(_)
                )
            })
            .into_iter()
            .collect()
    } else {
        outcomes
    };
    if !shown.iter().any(|o| {
        matches!(
            o,
            Outcome::Analysis { .. } | Outcome::Series(_) | Outcome::Classify { .. }
        )
    }) {
        eprintln!("note: no expression to analyse");
    }
    if let Some(path) = &common.sigma_plot {
        let sigma = shown.iter().rev().find_map(|o| match o {
            Outcome::Analysis { source, report, .. } => report
                .numeric
                .as_ref()
                .and_then(|n| n.sigma.as_ref())
                .and_then(|s| s.as_ref().ok())
                .map(|s| (source.clone(), s.clone())),
            _ => None,
        });
        match sigma {
            Some((src, s)) => {
                if let Err(e) = plot_sigma(path, &format!("radius of affinity of {src}"), &s) {
                    eprintln!("error: cannot write the plot to {path}: {e}");
                    return ExitCode::from(2);
                }
                eprintln!("plot written to {path}");
            }
            None => {
                eprintln!("note: no σ* to plot (it needs a smooth network with numeric weights)")
            }
        }
    }
    let rendered = if last_only {
        session.render_single(&shown, session.options.format)
    } else {
        session.render(&shown, session.options.format)
    };
    let text = match rendered {
        Ok(t) => t,
        Err(e) => {
            eprint!("{}", e.render(&source, origin));
            return ExitCode::from(1);
        }
    };
    print!("{text}");
    answered()
}

/// `--weights`, `--map`, `--at`, `--tau`, `--sigma-plot`: numeric values for the session.
fn configure_model(session: &mut Session, c: &Common) -> Result<(), String> {
    let mut map = Vec::new();
    for m in &c.map {
        let (from, to) = m.split_once('=').ok_or_else(|| {
            format!("--map {m}: write `--map TENSOR=NAME`, e.g. `--map fc1.weight=W1`")
        })?;
        map.push((
            from.to_string(),
            Name::parse(to).map_err(|e| format!("--map {m}: {e}"))?,
        ));
    }
    if !map.is_empty() && c.weights.is_empty() {
        return Err("--map renames tensors of a weights file: add `--weights FILE`".into());
    }
    for f in &c.weights {
        let v = taylornet::trained::load_weights(f, &map, &session.options.limits)?;
        taylornet::trained::check_value_names(&session.env, &v)?;
        taylornet::trained::bind_values(&mut session.env, v);
    }
    if !(c.tau > 0.0 && c.tau < 1.0) {
        return Err("--tau must be between 0 and 1 (0.01 is 1 %)".into());
    }
    session.options.tau = c.tau;
    if let Some(at) = &c.at {
        let (name, value) = match at.split_once('=') {
            Some((n, spec)) if !spec.trim_start().starts_with('[') => {
                let name = Name::parse(n.trim()).map_err(|e| format!("--at: {e}"))?;
                let tensors = taylornet::trained::files::read_weights(
                    std::path::Path::new(spec.trim()),
                    &session.options.limits,
                )?;
                let pick = tensors
                    .iter()
                    .find(|(t, _)| Name::parse(t).ok().as_ref() == Some(&name))
                    .or(if tensors.len() == 1 {
                        tensors.first()
                    } else {
                        None
                    })
                    .ok_or_else(|| format!("--at: {spec} has no tensor `{n}`"))?;
                if pick.1.cols.is_some() {
                    return Err(format!("--at: the point `{}` must be a vector", pick.0));
                }
                let v =
                    taylornet::trained::Valued::new(name.clone(), std::rc::Rc::new(pick.1.clone()));
                (name, Some(v))
            }
            _ => taylornet::trained::at_args(at, &session.env, &session.options.limits)
                .or_else(|e| {
                    // A bare name may be bound later by the script.
                    match Name::parse(at.trim()) {
                        Ok(n) if !at.contains('=') => Ok((n, None)),
                        _ => Err(e),
                    }
                })
                .map_err(|e| format!("--at: {e}"))?,
        };
        if let Some(v) = value {
            taylornet::trained::bind_values(&mut session.env, vec![v]);
        }
        session.options.at = Some(name);
    }
    Ok(())
}

/// `taylornet import model.onnx`: the script and its weights file beside it.
fn import(model: &str, output: Option<&str>) -> ExitCode {
    let limits = taylornet::Limits::default();
    let m = match taylornet::trained::import_file(model.as_ref(), &limits) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let path = std::path::Path::new(model);
    let script = output
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| path.with_extension("tn"));
    let weights = script.with_extension("weights.safetensors");
    if script == path || weights == path {
        eprintln!("error: the output would overwrite the model; choose another with -o");
        return ExitCode::from(2);
    }
    if let Err(e) = taylornet::trained::files::write_safetensors(&m.tensors, &weights) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    // The script names its weights file relative to where it is run from, as given.
    let text = m.script(model, &weights.display().to_string());
    if let Err(e) = std::fs::write(&script, text) {
        eprintln!("error: cannot write {}: {e}", script.display());
        return ExitCode::from(1);
    }
    println!("{}", m.expression);
    println!(
        "wrote {} and {} ({} tensors)",
        script.display(),
        weights.display(),
        m.tensors.len()
    );
    ExitCode::SUCCESS
}

fn verify(source: &str, common: &Common, check: &Check) -> ExitCode {
    let mut session = new_session();
    // A numeric check is a table: text or JSON (from a review: LaTeX printed the text).
    let text_or_json = || {
        if common.format == "latex" {
            Err("--format latex is for `analyze`, `derive`, `run`, `series` and `classify`; `verify` writes text or json".to_string())
        } else {
            Ok(())
        }
    };
    let opts = match text_or_json()
        .and_then(|_| configure(&mut session, common))
        .and_then(|_| check.options())
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(d) = session.run(source) {
        eprint!("{}", d.render(source, ""));
        return ExitCode::from(1);
    }
    let checks = match session.verify_last(&opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let src = session
        .last
        .as_ref()
        .map(|l| l.source.clone())
        .unwrap_or_default();
    // The report first: a plot that cannot be written does not lose it (from a review).
    if common.format == "json" {
        println!(
            "{}",
            taylornet::render::json_text(&report::verify_json(&src, &checks))
        );
    } else {
        print!("{}", report::verify_text(&src, &checks));
    }
    if let Some(path) = &check.plot {
        if let Err(e) = plot_file(path, &format!("residual of {src}"), &checks) {
            eprintln!("error: cannot write the plot to {path}: {e}");
            return ExitCode::from(2);
        }
        if common.format != "json" {
            println!("plot written to {path}");
        }
    }
    if checks.iter().all(|c| c.pass) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The classification table with a numeric check per row.
fn classify_verified(
    session: &Session,
    rows: &[taylornet::ClassifyRow],
    order: u32,
    depth: u32,
    check: &Check,
    format: &str,
) -> ExitCode {
    let opts = match check.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut all_pass = true;
    let mut results = Vec::new();
    for row in rows {
        let checks = session.verify_row(row, &opts).unwrap_or_default();
        // The row's verdict is the compensated one when offsets exist; check that one.
        let used = checks.last().cloned();
        all_pass &= used.as_ref().is_some_and(|c| c.pass);
        results.push((row, used));
    }
    if let Some(path) = &check.plot {
        // One curve per activation, named after it.
        let curves: Vec<taylornet::Verification> = results
            .iter()
            .filter_map(|(row, c)| {
                c.clone().map(|mut c| {
                    c.label = row.activation.ascii();
                    c
                })
            })
            .collect();
        let title = format!("residuals of net(σ, {depth}) per activation");
        if let Err(e) = plot_file(path, &title, &curves) {
            eprintln!("error: cannot write the plot to {path}: {e}");
            return ExitCode::from(2);
        }
        if format != "json" {
            println!("plot written to {path}");
        }
    }
    let checks: Vec<Option<taylornet::Verification>> =
        results.into_iter().map(|(_, c)| c).collect();
    if format == "json" {
        let v = report::classify_verified_json(rows, &checks, order, depth);
        println!("{}", taylornet::render::json_text(&v));
    } else {
        print!("{}", report::classify_verified_text(rows, &checks));
    }
    if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn derive(arg: &str, common: &Common, standalone: bool, hadamard: &str, epsilon: &str) -> ExitCode {
    use taylornet::render::Notation;
    use taylornet::render::{DocFormat, write};
    // A path that names no readable file is that error, not statements (from a review:
    // `derive nothere.tn` was a syntax error at `.`).
    let is_file = std::path::Path::new(arg).is_file() || names_a_file(arg);
    let (text, origin) = if is_file {
        match read_file(arg, &new_session().options.limits) {
            Ok(t) => (t.replace("\r\n", "\n"), arg.to_string()),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        (arg.to_string(), String::new())
    };
    let format = DocFormat::parse(&common.format).unwrap_or(DocFormat::Text);
    let notation = match Notation::for_source(hadamard, epsilon, &text) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: --{e}");
            return ExitCode::from(2);
        }
    };
    let mut session = new_session();
    let session_options = Common {
        format: "text".into(),
        ..common.clone()
    };
    if let Err(e) = configure(&mut session, &session_options) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let title = if is_file {
        format!(
            "Derivation: {}",
            std::path::Path::new(arg)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default()
        )
    } else {
        "Derivation".to_string()
    };
    let doc = match taylornet::derive_source(&mut session, &text, &title) {
        Ok(d) => d,
        Err(d) => {
            eprint!("{}", d.render(&text, &origin));
            return ExitCode::from(1);
        }
    };
    // Writing the document observes the budget like the statements did.
    let written = match session
        .budget()
        .within(|| write(&doc, format, standalone, &notation))
    {
        Ok(w) => w,
        Err(why) => {
            eprintln!("error: limit reached: writing the derivation: {why}");
            return ExitCode::from(1);
        }
    };
    print!("{written}");
    answered()
}
