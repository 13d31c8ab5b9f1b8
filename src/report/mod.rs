//! The report layer: every result kind rendered as Unicode text, LaTeX and JSON.
//!
//! One file per result kind ([`analysis`], [`series`], [`classify`], [`verify`]),
//! each with the same three renderers; this file holds the [`Format`] and the
//! small helpers they share. Reports read typed results (`analysis::Report`,
//! `verify::Verification`, …) and never compute: a new result kind is a new file
//! here and one arm in the session's outcome dispatch.

pub mod analysis;
pub mod classify;
pub mod facts;
pub mod numeric;
pub mod series;
pub mod verify;

pub use analysis::{json, latex, source_latex, text};
pub use classify::{classify_json, classify_text, classify_verified_json, classify_verified_text};
pub use facts::{assumption_text, unexpanded_text, vanishing_text};
pub use series::{series_constant_names, series_json, series_text};
pub use verify::{verify_json, verify_text};

use crate::algebra::{Expr, Scalar, Trunc};
use crate::print::tree;
use crate::series::Series;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Unicode text (the default).
    #[default]
    Text,
    /// LaTeX: an `align*` environment per result.
    Latex,
    /// JSON, as docs/json.md describes.
    Json,
}

impl Format {
    /// The format named on the command line or by `:format` (`text`, `unicode`, `latex`, `tex`, `json`).
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "text" | "unicode" => Some(Format::Text),
            "latex" | "tex" => Some(Format::Latex),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

pub(crate) fn u(e: &Expr) -> String {
    crate::print::unicode(e)
}

pub(crate) fn sup(n: u32) -> String {
    crate::print::superscript(n as i64)
}

/// Terms by ε-degree, as `(degree, expr)`.
pub(crate) fn by_degree(e: &Expr, t: &Trunc) -> Vec<(u32, Expr)> {
    e.by_degree(t).into_iter().collect()
}

/// A sum written lowest ε-degree first.
pub fn graded(e: &Expr, t: &Trunc) -> String {
    let parts: Vec<(u32, Expr)> = by_degree(e, t);
    if parts.is_empty() {
        return "0".into();
    }
    let mut s = String::new();
    for (i, (_, p)) in parts.iter().enumerate() {
        let txt = u(p);
        if i == 0 {
            s.push_str(&txt);
        } else if let Some(rest) = txt.strip_prefix('−') {
            s.push_str(&format!(" − {rest}"));
        } else {
            s.push_str(&format!(" + {txt}"));
        }
    }
    s
}

/// A one-line description of a series: `½ + ¼·t − (1/48)·t³ + O(t⁴)`.
pub fn series_line(s: &Series, var: &str) -> String {
    let names = tree::ConstantNames::default();
    written_series_line(s, var, &coefficient_texts(s, &names), &names)
}

/// The Unicode text of each coefficient of `s`, its nested constants written with `names`.
pub(crate) fn coefficient_texts(s: &Series, names: &tree::ConstantNames) -> Vec<String> {
    s.coeffs()
        .iter()
        .map(|c| crate::print::text::scalar(c, names, crate::print::Style::Unicode))
        .collect()
}

/// [`series_line`] in the variable `var`, from the texts of the coefficients
/// ([`coefficient_texts`] with the same `names`).
pub(crate) fn written_series_line(
    s: &Series,
    var: &str,
    texts: &[String],
    names: &tree::ConstantNames,
) -> String {
    let v = tree::Node::Name {
        name: crate::syntax::Name::new(var, ""),
        kind: tree::NameKind::Param,
    };
    crate::print::text::series_line(s, &v, texts, names, crate::print::Style::Unicode)
}

/// A number for people: exact when short, `exact ≈ value` for fractions, `≈ value` when the exact form is abbreviated.
pub(crate) fn number(s: &Scalar) -> String {
    named_number(s, &tree::ConstantNames::default())
}

/// [`number`], with the named constants written by their names.
pub(crate) fn named_number(s: &Scalar, names: &tree::ConstantNames) -> String {
    let exact = crate::print::text::scalar(s, names, crate::print::Style::Unicode);
    match s.to_shown(&|_| None) {
        Some(v) if exact.contains('…') => format!("≈ {}", fmt_shown(v)),
        Some(v) if s.as_q().is_none_or(|q| q.to_denominator() != 1u32) => {
            format!("{exact} ≈ {}", fmt_shown(v))
        }
        _ => exact,
    }
}

/// An expression for a one-line report, summarized when it is too long to read.
pub(crate) fn bounded(e: &Expr) -> String {
    // Written out, a deep kinked network's term doubles at every layer: measure before writing.
    if e.written_size(200).is_some() {
        let t = u(e);
        if t.chars().count() <= 200 {
            return t;
        }
    }
    if e.written_size(JSON_WRITTEN_SIZE).is_some() {
        format!("{} terms (in full with --format json)", e.len())
    } else {
        format!(
            "{} terms (more than {JSON_WRITTEN_SIZE} factors written out: not printed)",
            e.len()
        )
    }
}

/// The most factors an expression may have written out to be printed in full in JSON.
pub const JSON_WRITTEN_SIZE: usize = 200_000;

/// An expression in JSON, or `null` when written out it would have more than
/// [`JSON_WRITTEN_SIZE`] factors.
pub(crate) fn json_bounded(e: &Expr) -> serde_json::Value {
    if e.written_size(JSON_WRITTEN_SIZE).is_some() {
        crate::print::json::expr(e)
    } else {
        serde_json::Value::Null
    }
}

/// A float for people: six significant digits, plain or in scientific notation.
/// A value for display: [`fmt_f64`], or `m.mmmmmme−435` beyond `f64`'s range.
pub(crate) fn fmt_shown(a: crate::algebra::sign::Approx) -> String {
    match a {
        crate::algebra::sign::Approx::Float(v) => fmt_f64(v),
        crate::algebra::sign::Approx::Beyond { mantissa, exp10 } => {
            format!("{mantissa:.6}e{exp10}")
        }
    }
}

pub fn fmt_f64(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-4..1e6).contains(&a) {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        if s == "-0" { "0".into() } else { s }
    } else {
        format!("{v:.6e}")
    }
}
