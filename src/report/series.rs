//! The report of `:series`: a function's Taylor series at a point, its class and value.

use super::*;
use crate::series::{PointSeries, SeriesResult, Smoothness};
use serde_json::{Value, json};

pub(super) fn value_text(s: &Scalar) -> String {
    match s.to_shown(&|_| None) {
        Some(v) => fmt_shown(v),
        None if s.params().is_empty() => "no value".into(),
        None => "symbolic".into(),
    }
}

fn class_text(r: &SeriesResult, names: &tree::ConstantNames) -> String {
    let scalar_unicode =
        |s: &Scalar| crate::print::text::scalar(s, names, crate::print::Style::Unicode);
    let number = |s: &Scalar| named_number(s, names);
    match &r.series {
        PointSeries::Analytic(s) if s.is_exact() => "a polynomial (the series is finite)".into(),
        PointSeries::Analytic(_) => "analytic".into(),
        PointSeries::OneSided { left, right, class } => match class {
            Smoothness::Jump if left.coeff(0) == right.coeff(0) => format!(
                "discontinuous: both one-sided limits are {}, but the value at the point differs",
                scalar_unicode(&left.coeff(0))
            ),
            Smoothness::Jump => format!(
                "a jump: the one-sided values are {} and {}{}",
                scalar_unicode(&left.coeff(0)),
                scalar_unicode(&right.coeff(0)),
                unless_equal(&left.coeff(0), &right.coeff(0))
            ),
            Smoothness::Kink => format!(
                "a kink: one-sided slopes {} (left) and {} (right){}",
                number(&left.coeff(1)),
                number(&right.coeff(1)),
                unless_equal(&left.coeff(1), &right.coeff(1))
            ),
            Smoothness::C(m) => {
                let k = *m as usize + 1;
                let fact: crate::algebra::Q = (1..=k as u64)
                    .fold(crate::algebra::Q::from(1), |a, i| {
                        a * crate::algebra::Q::from(i)
                    });
                format!(
                    "C{} but not C{}: one-sided {} derivatives {} (left) and {} (right){}",
                    sup(*m),
                    sup(*m + 1),
                    ordinal(k),
                    number(&left.coeff(k).scale(&fact)),
                    number(&right.coeff(k).scale(&fact)),
                    unless_equal(&left.coeff(k), &right.coeff(k))
                )
            }
        },
    }
}

/// The two sides differ for generic values of the parameters they hold; where a value makes
/// them equal (elu's slopes α and 1 at α = 1), the class is not the one named, and the line
/// says so: ` (for generic α; equal iff α = 1)`. Empty when the sides hold no parameter.
fn unless_equal(left: &Scalar, right: &Scalar) -> String {
    let difference = left.sub(right);
    let params = difference.params();
    if params.is_empty() {
        return String::new();
    }
    let names = (params.iter())
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    for p in &params {
        if let Some((v, only)) = crate::analysis::solve_linear(&difference, p) {
            let how = if only { "iff" } else { "at" };
            let v = crate::print::scalar_unicode(&v);
            return format!(" (for generic {}; equal {how} {p} = {v})", names);
        }
    }
    format!(" (for generic {})", names)
}

fn ordinal(k: usize) -> String {
    match k {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        k => format!("{k}th"),
    }
}

/// `taylornet series` as text.
pub fn series_text(r: &SeriesResult) -> String {
    let names = series_constant_names(r);
    let mut out = format!(
        "{} at {}, to order {}: {}\n",
        r.name,
        crate::print::scalar_unicode(&r.at),
        r.order,
        class_text(r, &names)
    );
    let text = |n: &tree::Node| crate::print::text::render(n, crate::print::Style::Unicode);
    // Each coefficient is written twice, in the table and in the line of the series: its text
    // is written once, straight from its terms.
    let coefficients = |s: &Series| coefficient_texts(s, &names);
    let rows = |s: &Series, texts: &[String]| -> String {
        s.coeffs()
            .iter()
            .zip(texts)
            .enumerate()
            .map(|(k, (c, written))| {
                format!(
                    "{:>4}  {:<28}  {}\n",
                    k,
                    written,
                    value_text(c).replace('-', "−")
                )
            })
            .collect()
    };
    let line = |s: &Series, texts: &[String]| written_series_line(s, "t", texts, &names);
    match &r.series {
        PointSeries::Analytic(s) => {
            out.push_str(&format!(
                "{:>4}  {:<28}  {}\n",
                "k", "cₖ = s⁽ᵏ⁾(a)/k!", "value"
            ));
            let texts = coefficients(s);
            out.push_str(&rows(s, &texts));
            out.push_str(&format!("s(a + t) = {}\n", line(s, &texts)));
        }
        PointSeries::OneSided { left, right, .. } => {
            for (label, s) in [("left (t < 0)", left), ("right (t > 0)", right)] {
                let texts = coefficients(s);
                out.push_str(&format!("{label}: s(a + t) = {}\n", line(s, &texts)));
                out.push_str(&rows(s, &texts));
            }
        }
    }
    let definitions = names.definitions();
    if !definitions.is_empty() {
        out.push_str("where\n");
        for (name, body, value) in definitions {
            let value = number_value(&value);
            let gap = if value.is_empty() { "" } else { "  " };
            out.push_str(&format!(
                "  {} = {}{gap}{value}\n",
                text(&name),
                text(&body)
            ));
        }
    }
    out
}

/// Names for the constants of a series that nest others (a composed sigmoid's layer values).
pub fn series_constant_names(r: &SeriesResult) -> tree::ConstantNames {
    let sides: Vec<&Series> = match &r.series {
        PointSeries::Analytic(s) => vec![s],
        PointSeries::OneSided { left, right, .. } => vec![left, right],
    };
    tree::ConstantNames::for_scalars(sides.into_iter().flat_map(|s| s.coeffs()))
}

/// `≈ value` of a constant, or nothing when it has no numeric value.
fn number_value(s: &Scalar) -> String {
    match s.to_shown(&|_| None) {
        Some(v) => format!("≈ {}", fmt_shown(v).replace('-', "−")),
        None => String::new(),
    }
}

fn coeffs_json(s: &Series) -> Value {
    // One set of (unnamed) constants for the whole series: a nested constant is built once and
    // its text written once in each style.
    let names = tree::ConstantNames::default();
    // Built as values directly: `json!` would copy each text (megabytes for a deep
    // composition) and then the whole array once more.
    let v: Vec<Value> = s
        .coeffs()
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let (ascii, unicode) = crate::print::text::scalar_ascii_and_unicode(c, &names);
            let mut m = serde_json::Map::new();
            m.insert("k".into(), Value::from(k));
            m.insert("exact".into(), Value::String(ascii));
            m.insert("unicode".into(), Value::String(unicode));
            m.insert("value".into(), Value::from(c.to_f64(&|_| None)));
            Value::Object(m)
        })
        .collect();
    Value::Array(v)
}

/// `taylornet series --format json`.
pub fn series_json(r: &SeriesResult) -> Value {
    let class = match &r.series {
        PointSeries::Analytic(s) if s.is_exact() => "polynomial".to_string(),
        PointSeries::Analytic(_) => "analytic".to_string(),
        PointSeries::OneSided {
            class: Smoothness::Jump,
            ..
        } => "jump".to_string(),
        PointSeries::OneSided {
            class: Smoothness::Kink,
            ..
        } => "kink".to_string(),
        PointSeries::OneSided {
            class: Smoothness::C(m),
            ..
        } => format!("C{m}"),
    };
    let mut v = json!({
        "name": r.name,
        "at": { "exact": crate::print::scalar_ascii(&r.at), "value": r.at.to_f64(&|_| None) },
        "order": r.order,
        "class": class,
        "description": class_text(r, &tree::ConstantNames::default()),
    });
    if let Value::Object(m) = &mut v {
        match &r.series {
            PointSeries::Analytic(s) => {
                m.insert("coefficients".into(), coeffs_json(s));
                m.insert("exact".into(), json!(s.is_exact()));
            }
            PointSeries::OneSided { left, right, .. } => {
                m.insert("left".into(), coeffs_json(left));
                m.insert("right".into(), coeffs_json(right));
            }
        }
    }
    v
}
