//! Entry points for fuzzing: arbitrary bytes through the parser, or through the whole pipeline.
//!
//! `fuzz/` drives these with libFuzzer (`cargo fuzz run pipeline`); `tests/fuzz_corpus.rs`
//! replays the corpus in the ordinary test suite. Neither may panic, whatever the input.

use crate::limits::{Budget, Limits};
use crate::session::{Format, Session};
use std::time::{Duration, Instant};

/// Limits small enough that one fuzz input finishes in milliseconds, and far inside libFuzzer's
/// own memory and time limits; each is still large enough to reach every stage.
pub fn fuzz_limits() -> Limits {
    Limits {
        max_input_bytes: 16 << 10,
        max_order: 4,
        search_order: 5,
        max_terms: 5_000,
        max_series_order: 24,
        time_budget: STATEMENT_BUDGET,
        max_nodes: 20_000,
        max_memory: 256 << 20,
        ..Limits::default()
    }
}

/// One statement's time budget. The lecture's 2-layer networks at order 4 take 1–15 ms here
/// under the fuzzer's instrumentation; a statement that needs more is cut short, which is a
/// path worth fuzzing too.
const STATEMENT_BUDGET: Duration = Duration::from_millis(20);

/// The time budget of a whole input: running its script and deriving it, every statement
/// included. Without it a script of many slow statements took seconds, and a tenth of the
/// corpus took nine tenths of a campaign's time (70 ms an input on average, 2 ms the median).
/// A statement that overruns it is a budget hole, reported by `-report_slow_units`.
const INPUT_BUDGET: Duration = Duration::from_millis(40);

/// Parses the bytes as a script.
pub fn parse(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(d) = crate::syntax::parse_script(text, &fuzz_limits()) {
            let _ = d.render(text, "fuzz");
        }
    }
}

/// Parses, lowers, analyses, derives and prints the bytes as a script, in every format.
pub fn pipeline(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input_budget = Budget {
        deadline: Some(Instant::now() + INPUT_BUDGET),
        ..Budget::default()
    };
    let _input = input_budget.enter();
    let mut s = Session::new();
    s.options.limits = fuzz_limits();
    match s.run(text) {
        Ok(out) => {
            for f in [Format::Text, Format::Latex, Format::Json] {
                let _ = s.render(&out, f);
            }
        }
        Err(d) => {
            let _ = d.render(text, "fuzz");
        }
    }
    let mut s = Session::new();
    s.options.limits = fuzz_limits();
    if let Ok(doc) = crate::session::script::derive_source(&mut s, text, "fuzz") {
        let budget = s.budget();
        let _active = budget.enter();
        let _ = crate::derive::render::to_text(&doc.lines);
        let _ = crate::derive::render::to_latex(&doc.lines);
    }
}
