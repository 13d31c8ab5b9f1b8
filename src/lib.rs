//! taylornet: a symbolic algebra engine for neural-network expressions.
//!
//! The pipeline, one private module per stage: `syntax` (parse) → `ir` (names,
//! kinds, shapes) → `series` and `algebra` (exact series and normal forms) →
//! `analysis` (expand in ε, decide) → `verify` (numeric checks) → `model` (numeric
//! weights, ONNX, affine regions, σ*) → `report`
//! (text, LaTeX, JSON) → `session` (statements, commands, options). The API is
//! the `pub use` block below: [`Session`] runs scripts and REPL entries,
//! [`analyze`] and [`normal_form`] are the one-call entry points, and [`render`]
//! holds every renderer. docs/architecture.md draws the layers.

#![warn(missing_docs)]

// The stages, in pipeline order (tests/architecture.rs checks that imports run down it).
// `missing_docs` holds for every public item of every stage.
mod algebra;
mod analysis;
mod derive;
mod diagnostic;
mod float;
mod harness;
mod ir;
mod limits;
mod model;
mod numeric;
#[cfg(feature = "plot")]
mod plot;
mod print;
mod report;
mod selfcheck;
mod series;
mod session;
mod syntax;
mod verify;

// The library API: everything a caller (the binary, tests, benches, fuzz targets,
// bindings) may name. The stages stay private, so their internals can move.
pub use algebra::{
    Expr, Kind, Q, Scalar, Symbol, Trunc,
    nf::{InputDegree, Role, input_degree},
};
pub use analysis::classify::Row as ClassifyRow;
pub use analysis::shapes::equation as shape_equation;
pub use analysis::{
    Analysis, AnalyzeOptions, Assumption, Condition, Report, Unexpanded, Vanishing, Verdict,
    analyze as analyze_lowered, bias_name,
};
pub use derive::{Document, Step};
pub use diagnostic::{Diagnostic, Phase, Span};
pub use ir::{Callee, Lowered, Prim, lower_expr};
pub use limits::{CountingAllocator, Limits};
pub use series::{PointSeries, Series, SeriesResult, Side, Smoothness};
pub use session::options::{parse_input_name, parse_small, scalar_input};
pub use session::script::{derive_source, derive_source_for};
pub use session::{
    Command, Format, Options, Outcome, Session, read_source, render_outcomes, verify_report,
};
pub use syntax::split::{bracket_balance, needs_more_input};
pub use syntax::{Name, Stmt, parse_expr, parse_script};
pub use verify::{Predicted, Verification, VerifyOptions, geometric, verify_with};

/// Renderers: expressions, result reports and derivation documents, as text, LaTeX, Typst, HTML and JSON.
pub mod render {
    pub use crate::derive::output::{DocFormat, to_typst, typst_formulas, write};
    pub use crate::derive::render::{Line, formulas, lines, standalone, to_latex, to_text};
    /// Plots (the `plot` feature): the residual of a numeric check as an SVG string or a
    /// file, and a trained network's radius of affinity σ*.
    #[cfg(feature = "plot")]
    pub use crate::plot::{sigma as plot_sigma, svg as plot_svg, write as plot_file};
    pub use crate::print::json::{to_compact as json_compact, to_text as json_text};
    pub use crate::print::latex::{Hadamard, Notation};
    pub use crate::print::{
        ascii, latex, scalar_ascii, scalar_latex, scalar_unicode, tree_latex, unicode,
    };
    pub use crate::session::script::{classify_lines, series_lines};

    /// Reports of results, one renderer per result kind and format.
    pub mod report {
        pub use crate::report::{
            assumption_text, classify_json, classify_text, classify_verified_json,
            classify_verified_text, json, latex, series_json, series_text, source_latex, text,
            unexpanded_text, vanishing_text, verify_json, verify_text,
        };
    }
}

/// Real networks: numeric weights, weights files, ONNX import, the affine region of a
/// piecewise-linear network around a data point, and σ* of a smooth one.
pub mod trained {
    pub use crate::analysis::instance::{
        AffineWrittenOut, Beyond, BeyondBy, BreakpointEffect, FirstOrderKink, Mat, Neuron, Num,
        Numeric, Region, Sides, SigmaStar,
    };
    pub use crate::ir::lower::value_name_problem;
    pub use crate::model::onnx::{
        AttributeProto, GraphProto, Imported, ModelProto, NodeProto, TensorProto, ValueInfoProto,
        import, import_file,
    };
    pub use crate::model::{
        Mapping, Tensor, Valued, at_args, bind_values, check_value_names, files, load_weights,
        name_tensors, weights_args,
    };
}

/// Floating-point evaluation of networks and normal forms, for numeric checks.
pub mod eval {
    pub use crate::numeric::{Big, Instance, Real, Val, apply, eval_expr, eval_ir};
}

/// The self-check: random networks whose every claim is checked against the true network.
pub mod check {
    pub use crate::selfcheck::{
        Case, CheckKind, Class, Disagreement, Finding, Summary, generate, run,
    };
}

/// Entry points for `cargo fuzz` (`fuzz/`), replayed by `tests/fuzz_corpus.rs`.
pub mod fuzz {
    pub use crate::harness::{parse, pipeline};
}

/// Parses, lowers and normalizes one expression in a session (activations stay as atoms).
///
/// ```
/// let s = taylornet::Session::new();
/// let a = taylornet::normal_form(&s, "W1·(x + b) - W1·b").unwrap();
/// assert_eq!(taylornet::render::unicode(&a), "W₁·x");
/// ```
pub fn normal_form(session: &Session, source: &str) -> Result<algebra::Expr, Diagnostic> {
    let e = syntax::parse_expr(source, &session.options.limits)?;
    let l = ir::lower_expr(&e, &session.env)?;
    analysis::normal_form(&l.ir, &session.options.limits)
}

/// Runs `source` (statements separated by `;` or newlines) and returns the last analysis.
///
/// ```
/// let r = taylornet::analyze("s(t) = λ·t; s(W2·s(W1·x + b1) + b2)").unwrap();
/// assert_eq!(r.main.decision.verdict, taylornet::Verdict::ExactAffine);
/// assert_eq!(taylornet::render::unicode(&r.main.decision.w), "λ²·W₂·W₁");
/// ```
pub fn analyze(source: &str) -> Result<Report, Diagnostic> {
    let mut s = Session::new();
    let out = s.run(source)?;
    // The session shares the last report; without it the outcome's is the only one.
    drop(s);
    out.into_iter()
        .rev()
        .find_map(|o| match o {
            Outcome::Analysis { report, .. } => {
                Some(std::rc::Rc::try_unwrap(report).unwrap_or_else(|r| (*r).clone()))
            }
            _ => None,
        })
        .ok_or_else(|| Diagnostic::new(Phase::Parse, "no expression to analyse"))
}

/// The README's Rust examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
