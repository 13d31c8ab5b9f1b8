//! The interactive prompt: line editing, history, completion, multi-line entries, Ctrl-C.
//!
//! Every entry runs through [`Session::run`], which commits a statement only if it
//! succeeds, so an error never changes the session. When standard input is not a
//! terminal, entries are read line by line and results printed without prompts.

use crate::ExitCode;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use taylornet::{Command, Outcome, Session};
use taylornet::{bracket_balance, needs_more_input};

/// Completion of commands, catalog activations and the session's names; multi-line entry.
struct TnHelper {
    words: Vec<String>,
}

impl TnHelper {
    fn refresh(&mut self, s: &Session) {
        let mut w: Vec<String> = s.env.functions.keys().map(|n| n.ascii()).collect();
        w.extend(
            [
                "exp", "log", "sin", "cos", "tan", "tanh", "atan", "arctan", "erf", "sqrt", "abs",
                "diag", "net",
            ]
            .iter()
            .map(|x| x.to_string()),
        );
        w.extend(s.env.bindings.keys().map(|n| n.ascii()));
        w.extend(s.env.decls.keys().map(|n| n.ascii()));
        w.sort();
        w.dedup();
        self.words = w;
    }
}

impl Completer for TnHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = &line[..pos];
        let start = head
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map(|i| i + head[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1))
            .unwrap_or(0);
        let word = &head[start..];
        let pairs: Vec<Pair> = if let Some(cmd) = word.strip_prefix(':') {
            Command::ALL
                .iter()
                .map(|c| c.name())
                .filter(|c| c.starts_with(cmd))
                .map(|c| Pair {
                    display: format!(":{c}"),
                    replacement: format!(":{c} "),
                })
                .collect()
        } else if word.is_empty() {
            Vec::new()
        } else {
            self.words
                .iter()
                .filter(|w| w.starts_with(word))
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w.clone(),
                })
                .collect()
        };
        Ok((start, pairs))
    }
}

impl Validator for TnHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        // An open bracket continues on the next line; an empty line ends the entry
        // (the parser then points at the bracket that was never closed).
        if needs_more_input(input) && !input.ends_with('\n') {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Hinter for TnHelper {
    type Hint = String;
}

impl Highlighter for TnHelper {}

impl Helper for TnHelper {}

/// Colours for a terminal that wants them.
#[derive(Clone, Copy)]
pub struct Paint(pub bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Colours `error:` red and `verdict:` lines by their verdict.
    fn text(self, s: &str) -> String {
        if !self.0 {
            return s.to_string();
        }
        s.lines()
            .map(|l| {
                let t = l.trim_start();
                if t.starts_with("error:") {
                    self.wrap("1;31", l)
                } else if t.starts_with("warning:") {
                    self.wrap("33", l)
                } else if t.starts_with("verdict:") {
                    let code = if t.contains("kink") || t.contains("not affine") {
                        "1;31"
                    } else if t.contains("degenerate") || t.contains("conditional") {
                        "1;33"
                    } else {
                        "1;32"
                    };
                    self.wrap(code, l)
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + if s.ends_with('\n') { "\n" } else { "" }
    }
}

/// What an entry printed, for the REPL (declarations and bindings are echoed).
fn render(outcomes: &[Outcome], s: &Session) -> String {
    let mut out = String::new();
    for o in outcomes {
        match o {
            Outcome::Declared(names, what) => {
                let names: Vec<String> = names.iter().map(|n| n.unicode()).collect();
                out.push_str(&format!("{} : {what}\n", names.join(", ")));
            }
            Outcome::Defined(n, text) => out.push_str(&format!("defined {n}: {text}\n")),
            Outcome::Bound(n, text) => out.push_str(&format!("{n} = {text}\n")),
            Outcome::Quit => {}
            Outcome::Message(m) => {
                out.push_str(m);
                out.push('\n');
            }
            o => match s.render(std::slice::from_ref(o), s.options.format) {
                Ok(text) => out.push_str(&text),
                Err(e) => out.push_str(&format!("error: {}\n", e.message)),
            },
        }
    }
    out
}

/// Runs one entry; prints results to stdout and errors to stderr. Returns (ok, quit).
fn run_entry(session: &mut Session, entry: &str, paint: Paint, progress: bool) -> (bool, bool) {
    session.cancel.store(false, Ordering::Relaxed);
    let done = Arc::new(AtomicBool::new(false));
    if progress {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            if !done.load(Ordering::Relaxed) {
                eprintln!("… computing (Ctrl-C cancels)");
            }
        });
    }
    // An entry is all or nothing: `W1 : 2x4; x : 3; W1·x` keeps neither declaration.
    let result = session.run_entry(entry);
    done.store(true, Ordering::Relaxed);
    match result {
        Ok(outcomes) => {
            let quit = outcomes.iter().any(|o| matches!(o, Outcome::Quit));
            print!("{}", paint.text(&render(&outcomes, session)));
            let _ = std::io::stdout().flush();
            (true, quit)
        }
        Err(d) => {
            eprint!("{}", paint.text(&d.render(entry, "")));
            eprintln!("{}", paint.wrap("2", "(the session is unchanged)"));
            (false, false)
        }
    }
}

fn history_path() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("TAYLORNET_HISTORY") {
        return Some(p.into());
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })?;
    Some(base.join("taylornet").join("history"))
}

/// The REPL (or, without a terminal, a line-by-line reader of statements).
pub fn run(mut session: Session) -> ExitCode {
    let cancel = session.cancel.clone();
    // Ctrl-C during a computation sets the flag; the computation stops at its next check.
    let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::Relaxed));
    if !std::io::stdin().is_terminal() {
        return run_piped(session);
    }
    let paint = Paint(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let mut rl: Editor<TnHelper, FileHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(2);
        }
    };
    let mut helper = TnHelper { words: Vec::new() };
    helper.refresh(&session);
    rl.set_helper(Some(helper));
    let hist = history_path();
    if let Some(h) = &hist
        && rl.load_history(h).is_err()
    {
        load_damaged_history(&mut rl, h);
    }
    println!(
        "taylornet {} — :help for commands, :quit or Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match rl.readline("» ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(line.as_str());
                let (_, quit) = run_entry(&mut session, &line, paint, true);
                if quit {
                    break;
                }
                crate::return_freed_memory();
                if let Some(h) = rl.helper_mut() {
                    h.refresh(&session);
                }
            }
            Err(ReadlineError::Interrupted) => println!("(Ctrl-D or :quit to leave)"),
            Err(ReadlineError::Eof) => break,
            // A byte that is not UTF-8 loses that line, not the session (from a review, the
            // prompt ended there).
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                eprintln!(
                    "error: the line is not valid UTF-8; it was not run, and the session is unchanged"
                );
            }
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(h) = &hist {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.save_history(h);
    }
    ExitCode::SUCCESS
}

/// Loads a history file that the editor refused (a bad byte stops its reader at that line):
/// invalid bytes become `�` and every other entry is kept.
fn load_damaged_history(rl: &mut Editor<TnHelper, FileHistory>, path: &std::path::Path) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let cleaned = String::from_utf8_lossy(&bytes).into_owned();
    let copy = std::env::temp_dir().join(format!("taylornet-history-{}", std::process::id()));
    if std::fs::write(&copy, cleaned).is_ok() {
        let _ = rl.clear_history();
        let _ = rl.load_history(&copy);
        let _ = std::fs::remove_file(&copy);
    }
}

/// Statements from a pipe: an entry ends at a line that closes every bracket (or at an empty line).
fn run_piped(mut session: Session) -> ExitCode {
    let paint = Paint(false);
    let mut ok = true;
    let mut any = false;
    let mut entry = String::new();
    let mut depth = 0i64;
    let stdin = std::io::stdin();
    let mut reader = stdin.lock();
    let limit = session.options.limits.max_input_bytes;
    let mut line_number = 0usize;
    loop {
        // A line is read at most to the input limit, so an endless line (`< /dev/zero`) is refused.
        let mut raw = Vec::new();
        match (&mut reader)
            .take(limit as u64 + 1)
            .read_until(b'\n', &mut raw)
        {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
        }
        if raw.len() > limit && !raw.ends_with(b"\n") {
            eprintln!(
                "error: a line of standard input is longer than the limit of {limit} bytes (`max_input_bytes`)"
            );
            return ExitCode::from(2);
        }
        if raw.ends_with(b"\n") {
            raw.pop();
        }
        line_number += 1;
        // A line that is not UTF-8 is refused with the entry it belongs to; the session and the
        // lines after it go on (from a review, the rest of the input was dropped).
        let line = match String::from_utf8(raw) {
            Ok(l) => l,
            Err(e) => {
                eprintln!(
                    "error: line {line_number} of standard input is not valid UTF-8 (byte {}); its entry was not run",
                    e.utf8_error().valid_up_to() + 1
                );
                ok = false;
                entry.clear();
                depth = 0;
                continue;
            }
        };
        if entry.len() + line.len() > limit {
            eprintln!(
                "error: an entry on standard input is longer than the limit of {limit} bytes (`max_input_bytes`)"
            );
            return ExitCode::from(2);
        }
        let line = line.trim_end_matches('\r');
        entry.push_str(line);
        entry.push('\n');
        // The entry's balance, line by line (rescanning the entry at each line was quadratic
        // in its lines; from a review, 40 000 lines of one matrix took 2.3 s).
        depth += bracket_balance(line);
        if depth > 0 && !line.trim().is_empty() {
            continue;
        }
        if !entry.trim().is_empty() {
            any = true;
            let (good, quit) = run_entry(&mut session, &entry, paint, false);
            ok &= good;
            if quit {
                entry.clear();
                break;
            }
        }
        entry.clear();
        depth = 0;
    }
    if !entry.trim().is_empty() {
        any = true;
        ok &= run_entry(&mut session, &entry, paint, false).0;
    }
    if !any {
        eprintln!("note: no expression to analyse");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
