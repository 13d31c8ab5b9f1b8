//! The `taylornet` command line: a thin layer over the library.

mod repl;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use taylornet::print::report;
use taylornet::session::{Format, Outcome, Session};
use taylornet::syntax::Name;

#[derive(Parser)]
#[command(
    name = "taylornet",
    version,
    about = "When is a deep network equivalent to one affine layer? Exact Taylor expansions of neural-network expressions."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "latex", "json"])]
    format: String,
    /// The network input.
    #[arg(long, default_value = "x")]
    input: String,
    /// Expand to O(ε^N).
    #[arg(long, short = 'n')]
    order: Option<u32>,
    /// The small symbols (default: the input and every vector symbol), comma- or space-separated.
    #[arg(long)]
    small: Option<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Analyse SOURCE: statements separated by `;` or newlines; the last expression is analysed.
    Analyze {
        source: String,
        #[command(flatten)]
        common: Common,
    },
    /// Run a script: every expression statement is analysed in turn.
    Run {
        file: String,
        #[command(flatten)]
        common: Common,
    },
    /// The exact Taylor series of an activation: a catalog name, a definition `f(t) = …`, or an expression in one variable.
    Series {
        spec: String,
        /// The point of expansion (a number, `1/2`, `π`, or a parameter such as `λ`).
        #[arg(long)]
        at: Option<String>,
        /// The highest power.
        #[arg(long, short = 'n', default_value_t = 9)]
        order: usize,
        #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// The interactive prompt (also what `taylornet` alone starts).
    Repl,
    /// For every catalog activation: is a deep network of it affine for small inputs?
    Classify {
        /// Expand to O(ε^N).
        #[arg(long, short = 'n', default_value_t = 3)]
        order: u32,
        /// Layers in each network.
        #[arg(long, short = 'L', default_value_t = 2)]
        depth: u32,
        #[arg(long, short = 'f', default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
}

fn main() -> ExitCode {
    // Deep but legal input recurses; a large stack keeps that from becoming a crash.
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(real_main);
    match child.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal failure (please report it with the input that caused it)");
            ExitCode::from(3)
        }
    }
}

fn real_main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Cmd::Analyze { source, common }) => run_source(&source, "", &common, true),
        Some(Cmd::Run { file, common }) => {
            let text = match read_file(&file) {
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
        }) => {
            let session = Session::new();
            match session.series(&spec, at.as_deref(), order) {
                Ok(r) => {
                    if format == "json" {
                        println!(
                            "{}",
                            serde_json::to_string_pretty(&report::series_json(&r))
                                .unwrap_or_default()
                        );
                    } else {
                        print!("{}", report::series_text(&r));
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprint!("{}", d.render(&spec, ""));
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Classify {
            order,
            depth,
            format,
        }) => {
            let mut session = Session::new();
            if order == 0 || order > session.options.limits.max_order || depth == 0 || depth > 16 {
                eprintln!(
                    "error: --order must be 1..={} and --depth 1..=16",
                    session.options.limits.max_order
                );
                return ExitCode::from(2);
            }
            session.options.order = order;
            match taylornet::analysis::classify::classify(&session, depth) {
                Ok(rows) => {
                    if format == "json" {
                        println!(
                            "{}",
                            serde_json::to_string_pretty(&report::classify_json(
                                &rows, order, depth
                            ))
                            .unwrap_or_default()
                        );
                    } else {
                        print!("{}", report::classify_text(&rows, order, depth));
                    }
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    eprintln!("error: {d}");
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Repl) | None => repl::run(Session::new()),
    }
}

fn read_file(path: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{path} is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn configure(session: &mut Session, c: &Common) -> Result<(), String> {
    session.options.format = Format::parse(&c.format).unwrap_or_default();
    let input = Name::parse(&c.input).map_err(|e| format!("--input: {e}"))?;
    session.options.input = input.clone();
    session.env.input = input;
    if let Some(n) = c.order {
        if n == 0 || n > session.options.limits.max_order {
            return Err(format!(
                "--order must be between 1 and {}",
                session.options.limits.max_order
            ));
        }
        session.options.order = n;
    }
    if let Some(s) = &c.small {
        let mut set = std::collections::BTreeSet::new();
        for a in s.split([' ', ',']).filter(|a| !a.is_empty()) {
            set.insert(Name::parse(a).map_err(|e| format!("--small: {e}"))?);
        }
        session.options.small = Some(set);
    }
    Ok(())
}

/// Runs statements; with `last_only`, prints only the last analysis (and every message).
fn run_source(source: &str, origin: &str, common: &Common, last_only: bool) -> ExitCode {
    let mut session = Session::new();
    if let Err(e) = configure(&mut session, common) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let source = source.replace("\r\n", "\n");
    let outcomes = match session.run(&source) {
        Ok(o) => o,
        Err(d) => {
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
    let text = report::render_outcomes(&shown, session.options.format, &session.options.limits);
    if last_only && session.options.format == Format::Json {
        // A single result, not an array of one.
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Array(mut a)) if a.len() == 1 => println!(
                "{}",
                serde_json::to_string_pretty(&a.remove(0)).unwrap_or_default()
            ),
            _ => print!("{text}"),
        }
    } else {
        print!("{text}");
    }
    ExitCode::SUCCESS
}
