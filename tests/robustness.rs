//! Whatever is typed, the pipeline answers with a result or a diagnostic: never a panic.

use proptest::prelude::*;
use taylornet::Session;
use taylornet::print::report::render_outcomes;
use taylornet::session::Format;

const TOKENS: &[&str] = &[
    "x",
    "W1",
    "W2",
    "b1",
    "λ",
    "α",
    "t",
    "𝟙",
    "ones",
    "(",
    ")",
    "(",
    ")",
    "+",
    "-",
    "−",
    "·",
    "*",
    "@",
    "∘",
    ".*",
    "/",
    "^",
    "²",
    "^∘3",
    ".^2",
    "⁻¹",
    "0",
    "1",
    "0.5",
    "1e-3",
    "1/3",
    "tanh(",
    "relu(",
    "sigmoid(",
    "selu(",
    "leaky_relu(",
    "abs(",
    "diag(",
    "exp(",
    "log(",
    "sqrt(",
    "net(",
    "tanh'(",
    ";",
    "a=",
    ",",
    "=",
    ":",
    "2x4",
    "scalar",
    "if",
    "then",
    "else",
    ">",
    "<",
    "f(t)",
    "s(t) =",
    ":order",
    ":small",
    ":series",
    " ",
    "\n",
    "#",
    "\u{200B}",
    "é",
    "\r\n",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|v| v.concat())
}

fn exercise(src: &str) {
    let mut s = Session::new();
    s.options.limits.time_budget = std::time::Duration::from_secs(5);
    match s.run(src) {
        Ok(out) => {
            for f in [Format::Text, Format::Latex, Format::Json] {
                let _ = render_outcomes(&out, f, &s.options.limits);
            }
        }
        Err(d) => {
            let r = d.render(src, "");
            assert!(r.starts_with("error: "));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(src in soup()) {
        exercise(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,40}") {
        exercise(&src);
    }
}

#[test]
fn hostile_inputs_get_errors() {
    let cases = [
        format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000)),
        "x".repeat(2 << 20),
        "tanh(W·x)^∘999999".into(),
        "x·1e999999".into(),
        "x/0".into(),
        "W1·x/b".into(),
        "f(t) = f(t)".into(),
        ":order 100000".into(),
        "".into(),
        "\u{FEFF}tanh(x)".into(),
        "x\u{0301} + y".into(),
        "W·x/(λ-λ)".into(),
        "tanh(x\u{200B})".into(),
        "ε : scalar; :small ε; tanh(ε·x)".into(),
        ":small b1; tanh(W·x + b1)".into(),
    ];
    for c in &cases {
        exercise(c);
    }
    // Each of these is refused with a diagnostic, not answered.
    for c in &cases[2..] {
        if c.is_empty() || c.starts_with('\u{FEFF}') || c.starts_with("f(t)") {
            continue;
        }
        let mut s = Session::new();
        assert!(s.run(c).is_err(), "{c:?} should be an error");
    }
}

#[test]
fn a_series_past_its_time_budget_reports_the_limit() {
    // Composed sigmoids grow exponentially in exact form (each layer adds a new constant).
    let mut s = Session::new();
    s.options.limits.time_budget = std::time::Duration::from_millis(300);
    let spec = format!("{}t{}", "sigmoid(".repeat(5), ")".repeat(5));
    let err = match s.series(&spec, None, 20) {
        Ok(_) => panic!("sigmoid composed 5 deep at order 20 should exceed a 0.3 s budget"),
        Err(e) => e,
    };
    assert!(err.message.contains("time budget"), "{}", err.message);
}
