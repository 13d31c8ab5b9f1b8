//! taylornet: a symbolic algebra engine for neural-network expressions.
//!
//! The pipeline, one module per stage: [`syntax`] (parse) → [`ir`] (names,
//! kinds, shapes) → [`analysis`] (expand in ε with [`series`], normalize with
//! [`algebra`], decide) → [`print`] (Unicode, ASCII, LaTeX, JSON). A
//! [`Session`] holds declarations, bindings and options for scripts and the
//! REPL; [`numeric`] evaluates results in floating point for checks only.
pub mod algebra;
pub mod analysis;
pub mod derive;
pub mod diagnostic;
pub mod harness;
pub mod ir;
pub mod limits;
pub mod model;
pub mod numeric;
pub mod print;
pub mod selfcheck;
pub mod series;
pub mod session;
pub mod syntax;
pub mod verify;

pub use analysis::{Report, Verdict};

/// Real networks: numeric weights, weights files, ONNX import, the affine region of a
/// piecewise-linear network around a data point, and σ* of a smooth one.
pub mod trained {
    pub use crate::analysis::instance::{Mat, Neuron, Num, Numeric, Region, SigmaStar};
    pub use crate::model::onnx::{
        AttributeProto, GraphProto, Imported, ModelProto, NodeProto, TensorProto, ValueInfoProto,
        import, import_file,
    };
    pub use crate::model::{
        Mapping, Tensor, Valued, at_args, bind_values, files, load_weights, name_tensors,
        weights_args,
    };
}
pub use diagnostic::Diagnostic;
pub use session::Session;

/// Parses, lowers and normalizes one expression in a session (activations stay as atoms).
///
/// ```
/// let s = taylornet::Session::new();
/// let a = taylornet::normal_form(&s, "W1·(x + b) - W1·b").unwrap();
/// assert_eq!(taylornet::print::unicode(&a), "W₁·x");
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
/// assert_eq!(taylornet::print::unicode(&r.main.decision.w), "λ²·W₂·W₁");
/// ```
pub fn analyze(source: &str) -> Result<Report, Diagnostic> {
    let mut s = Session::new();
    let out = s.run(source)?;
    out.into_iter()
        .rev()
        .find_map(|o| match o {
            session::Outcome::Analysis { report, .. } => Some(*report),
            _ => None,
        })
        .ok_or_else(|| Diagnostic::new(diagnostic::Phase::Parse, "no expression to analyse"))
}

/// The README's Rust examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
