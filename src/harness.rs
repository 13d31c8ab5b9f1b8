//! Entry points for fuzzing: arbitrary bytes through the parser, or through the whole pipeline.
//!
//! `fuzz/` drives these with libFuzzer (`cargo fuzz run pipeline`); `tests/fuzz_corpus.rs`
//! replays the corpus in the ordinary test suite. Neither may panic, whatever the input.

use crate::limits::Limits;
use crate::session::{Format, Session};
use std::time::Duration;

/// Limits small enough that one fuzz input finishes in milliseconds (a script of many
/// statements can take a few budgets: campaigns here ran 40–110 inputs a second per core), and
/// far inside libFuzzer's own memory and time limits; each is still large enough to reach every
/// stage.
pub fn fuzz_limits() -> Limits {
    Limits {
        max_input_bytes: 16 << 10,
        max_order: 4,
        search_order: 5,
        max_terms: 5_000,
        max_series_order: 24,
        time_budget: Duration::from_millis(200),
        max_nodes: 20_000,
        max_memory: 256 << 20,
        ..Limits::default()
    }
}

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
