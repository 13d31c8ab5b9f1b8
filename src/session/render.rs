//! The outcome dispatch: what a script produced, in the session's format.
//!
//! Each result kind has its renderers in `crate::report`; this is the one place
//! that knows every kind of [`Outcome`] and how a format combines them (LaTeX
//! output stays LaTeX, JSON is one array).

use super::Outcome;
use crate::report::{
    Format, classify_json, classify_text, json, latex, series_json, series_text, source_latex,
    text, verify_json, verify_text,
};
use serde_json::Value;

/// Lines of a document as the LaTeX fragment the subcommands write (no preamble).
fn latex_lines(title: &str, lines: Vec<crate::render::Line>) -> String {
    let doc = crate::Document {
        title: title.into(),
        lines,
        results: Vec::new(),
    };
    crate::render::write(
        &doc,
        crate::render::DocFormat::Latex,
        false,
        &Default::default(),
    )
}

fn latex_comment(text: &str) -> String {
    text.lines().map(|l| format!("% {l}\n")).collect()
}

/// Renders what a script produced. JSON gives one document: an array of results.
pub fn render_outcomes(
    outcomes: &[Outcome],
    format: Format,
    limits: &crate::limits::Limits,
) -> String {
    render(outcomes, format, limits, false)
}

/// Renders one result as [`render_outcomes`] does, except that JSON gives the result
/// itself rather than an array of one (the command line's `analyze`).
pub fn render_single(
    outcomes: &[Outcome],
    format: Format,
    limits: &crate::limits::Limits,
) -> String {
    render(outcomes, format, limits, true)
}

fn render(
    outcomes: &[Outcome],
    format: Format,
    limits: &crate::limits::Limits,
    single: bool,
) -> String {
    let mut out = String::new();
    let mut items = Vec::new();
    collect(outcomes, format, limits, &mut out, &mut items);
    if format == Format::Json {
        let v = match items.len() {
            1 if single && out.is_empty() => items.remove(0),
            _ => Value::Array(items),
        };
        out.push_str(&crate::print::json::to_text(&v));
        out.push('\n');
    }
    out
}

/// Text and LaTeX go to `out`; JSON results are gathered in `items`.
fn collect(
    outcomes: &[Outcome],
    format: Format,
    limits: &crate::limits::Limits,
    out: &mut String,
    items: &mut Vec<Value>,
) {
    for o in outcomes {
        match (o, format) {
            (Outcome::Analysis { source, report, .. }, Format::Text) => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&text(source, report));
            }
            (Outcome::Analysis { expr, report, .. }, Format::Latex) => {
                out.push_str(&latex(&source_latex(expr), report))
            }
            (Outcome::Analysis { source, report, .. }, Format::Json) => {
                items.push(json(source, report))
            }
            (Outcome::Series(r), Format::Json) => items.push(series_json(r)),
            // LaTeX output stays LaTeX: a series is written as `taylornet series --format latex`
            // writes it, a numeric check becomes comments.
            (Outcome::Series(r), Format::Latex) => {
                out.push_str(&latex_lines("Series", crate::render::series_lines(r)))
            }
            // The table is a table, as `taylornet classify --format latex` writes it.
            (Outcome::Classify { rows, order, depth }, Format::Latex) => {
                out.push_str(&latex_lines(
                    "Classification",
                    crate::render::classify_lines(rows, *order, *depth),
                ))
            }
            (Outcome::Verify { source, checks }, Format::Latex) => {
                out.push_str(&latex_comment(&verify_text(source, checks)))
            }
            (Outcome::Series(r), _) => out.push_str(&series_text(r)),
            (Outcome::Classify { rows, order, depth }, Format::Json) => {
                items.push(classify_json(rows, *order, *depth))
            }
            (Outcome::Classify { rows, order, depth }, _) => {
                out.push_str(&classify_text(rows, *order, *depth))
            }
            (Outcome::Verify { source, checks }, Format::Json) => {
                items.push(verify_json(source, checks))
            }
            (Outcome::Verify { source, checks }, _) => out.push_str(&verify_text(source, checks)),
            (Outcome::Loaded(path, inner), _) => {
                out.push_str(&render_outcomes(inner, format, limits));
                if format == Format::Text {
                    out.push_str(&format!("loaded {path}\n"));
                }
            }
            (Outcome::Message(m), Format::Text) => {
                out.push_str(m);
                out.push('\n');
            }
            _ => {}
        }
    }
}
