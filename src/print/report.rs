//! Reports of an analysis: Unicode text for terminals, LaTeX, and JSON.

use super::tree;
use crate::algebra::{Expr, Scalar, Trunc};
use crate::analysis::{Analysis, Coefficients, Report, Verdict, shapes};
use crate::series::{PointSeries, Series};
use serde_json::{Value, json};

fn u(e: &Expr) -> String {
    super::unicode(e)
}

fn sup(n: u32) -> String {
    super::superscript(n as i64)
}

/// Terms by ε-degree, as `(degree, expr)`.
fn by_degree(e: &Expr, t: &Trunc) -> Vec<(u32, Expr)> {
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
    let v = tree::Node::Name {
        name: crate::syntax::Name::new(var, ""),
        kind: tree::NameKind::Param,
    };
    super::text::render(&tree::series(s, &v), super::Style::Unicode)
}

/// A number for people: exact when short, `exact ≈ value` for fractions, `≈ value` when the exact form is abbreviated.
fn number(s: &Scalar) -> String {
    let exact = super::scalar_unicode(s);
    match s.to_f64(&|_| None) {
        Some(v) if exact.contains('…') => format!("≈ {}", fmt_f64(v)),
        Some(v) if s.as_q().is_none_or(|q| q.to_denominator() != 1u32) => {
            format!("{exact} ≈ {}", fmt_f64(v))
        }
        _ => exact,
    }
}

/// An expression for a one-line report, summarized when it is too long to read.
fn bounded(e: &Expr) -> String {
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
fn json_bounded(e: &Expr) -> Value {
    if e.written_size(JSON_WRITTEN_SIZE).is_some() {
        super::json::expr(e)
    } else {
        Value::Null
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

fn verdict_text(a: &Analysis) -> String {
    match &a.decision.verdict {
        Verdict::ExactAffine => {
            "exactly affine (every series used is finite: nothing was truncated)".into()
        }
        Verdict::Affine { k: Some(k) } => format!("affine up to O(ε{})", sup(*k)),
        Verdict::Affine { k: None } => format!(
            "affine to at least O(ε{}): no non-affine term up to order {} (search limit)",
            sup(a.order + 1),
            a.order
        ),
        Verdict::Kink => {
            "kink: not affine at any σ (the non-affine part is as large as the linear part)".into()
        }
        Verdict::Degenerate { k } => format!(
            "degenerate: the linear part vanishes; the leading term is of order ε{}",
            sup(*k)
        ),
    }
}

fn shape_note(e: &Expr, a: &Analysis) -> String {
    match shapes::equation(e, &a.symbols, 4) {
        Some(eq) => format!("   [{eq}]"),
        None => String::new(),
    }
}

fn layer_lines(a: &Analysis, out: &mut String) {
    let t = a.trunc();
    if a.expansion.layers.is_empty() {
        return;
    }
    out.push_str("layers (innermost first):\n");
    for l in &a.expansion.layers {
        let var = match &l.var {
            Some((s, def)) => format!("{} = {}", s.name, graded(def, &t)),
            None => format!("pre-activation {}", graded(&l.pre.sub(&l.op_point), &t)),
        };
        let how = match &l.coefficients {
            Coefficients::Series { at, series } => {
                let at_txt = super::scalar_unicode(at);
                match series {
                    PointSeries::Analytic(s) => format!(
                        "{}(c + t) at c = {at_txt}: {}",
                        l.activation,
                        series_line(s, "t")
                    ),
                    PointSeries::OneSided { left, right, .. } => format!(
                        "{} at {at_txt}: t < 0: {}; t > 0: {}",
                        l.activation,
                        series_line(left, "t"),
                        series_line(right, "t")
                    ),
                }
            }
            Coefficients::Atoms { .. } => format!(
                "{} around its operating point {} = {}",
                l.activation,
                l.op_symbol
                    .as_ref()
                    .map(|s| s.name.unicode())
                    .unwrap_or_default(),
                u(&l.op_point)
            ),
        };
        out.push_str(&format!("  layer {}: {var}\n           {how}\n", l.index));
        if let Some((w, def)) = &l.whole {
            out.push_str(&format!(
                "           {} = {} (all of the small part, inside |·|)\n",
                w.name,
                graded(def, &t)
            ));
        }
    }
}

/// `condition: … iff p = v; there …`, then the conditions under it, indented.
fn condition_text(c: &crate::analysis::Condition, indent: &str, out: &mut String) {
    out.push_str(&format!(
        "{indent}condition: {} iff {} = {}",
        c.what,
        c.param,
        super::scalar_unicode(&c.value)
    ));
    if let Some(then) = &c.then {
        let k = then
            .decision
            .k
            .map(|k| format!(" (k = {k})"))
            .unwrap_or_default();
        let w = if then.decision.w.is_zero() && then.decision.verdict != Verdict::Kink {
            ", with W = 0"
        } else {
            ""
        };
        out.push_str(&format!(
            "; there the network is {}{k}{w}",
            then.decision.verdict.label()
        ));
    }
    out.push('\n');
    let deeper = format!("{indent}  ");
    for f in &c.further {
        out.push_str(&format!(
            "{deeper}with {} = {}:\n",
            c.param,
            super::scalar_unicode(&c.value)
        ));
        condition_text(f, &deeper, out);
    }
}

fn analysis_text(a: &Analysis, out: &mut String, indent: &str) {
    let t = a.trunc();
    let d = &a.decision;
    out.push_str(&format!("{indent}verdict: {}\n", verdict_text(a)));
    if a.order != a.requested_order {
        out.push_str(&format!(
            "{indent}  (expanded to order {} to find the first non-affine term)\n",
            a.order
        ));
    }
    match &d.verdict {
        Verdict::Kink => {
            for k in &d.kinks {
                out.push_str(&format!(
                    "{indent}  layer {} ({}): one-sided slopes {} (left) and {} (right) at the operating point\n",
                    k.layer,
                    k.activation,
                    number(&k.left),
                    number(&k.right)
                ));
            }
            if !d.leading_layered.is_zero() {
                out.push_str(&format!(
                    "{indent}  non-affine at order ε¹, by layer: {}\n",
                    u(&d.leading_layered)
                ));
            }
            out.push_str(&format!(
                "{indent}  non-affine at order ε¹, in the input's terms: {}\n",
                bounded(&d.leading_full)
            ));
        }
        _ => {
            let exact = d.verdict == Verdict::ExactAffine;
            out.push_str(&format!(
                "{indent}  W = {}{}\n",
                if d.w.is_zero() {
                    "0".to_string()
                } else {
                    u(&d.w)
                },
                shape_note(&d.w, a)
            ));
            out.push_str(&format!(
                "{indent}  b = {}{}\n",
                if d.b.is_zero() {
                    "0".to_string()
                } else {
                    graded(&d.b, &t)
                },
                shape_note(&d.b, a)
            ));
            match d.k {
                Some(k) => {
                    out.push_str(&format!("{indent}  y = W·x + b + O(ε{})\n", sup(k)));
                    let lead = if d.leading_layered.is_zero() {
                        &d.leading_full
                    } else {
                        &d.leading_layered
                    };
                    out.push_str(&format!(
                        "{indent}  first non-affine term (ε{}): {}\n",
                        sup(k),
                        u(lead)
                    ));
                    if !d.leading_layered.is_zero() {
                        out.push_str(&format!(
                            "{indent}    in the input's terms: {}\n",
                            bounded(&d.leading_full)
                        ));
                    }
                    if !d.remainder.is_zero() {
                        for (deg, part) in by_degree(&d.remainder, &t) {
                            let txt = if part.len() <= 12 {
                                u(&part)
                            } else {
                                format!("{} terms", part.len())
                            };
                            out.push_str(&format!("{indent}  left at O(ε{}): {txt}\n", sup(deg)));
                        }
                    }
                    if !a.expansion.truncated {
                        out.push_str(&format!(
                            "{indent}  (nothing beyond: every series used is finite)\n"
                        ));
                    } else if a.order > k || !d.remainder.is_zero() {
                        out.push_str(&format!(
                            "{indent}  (+ O(ε{}) beyond the expansion order)\n",
                            sup(a.order + 1)
                        ));
                    }
                }
                None if exact => out.push_str(&format!("{indent}  y = W·x + b exactly\n")),
                None => {}
            }
            for k in &d.one_sided {
                out.push_str(&format!("{indent}  layer {} ({}): one-sided series differ first at order {} (C^{} but not smoother)\n", k.layer, k.activation, class_order(&k.class), class_order(&k.class) - 1));
            }
        }
    }
}

fn class_order(c: &crate::series::Smoothness) -> u32 {
    match c {
        crate::series::Smoothness::Jump => 0,
        crate::series::Smoothness::Kink => 1,
        crate::series::Smoothness::C(m) => m + 1,
    }
}

/// The whole report in Unicode text.
pub fn text(source: &str, r: &Report) -> String {
    let a = &r.main;
    let mut out = String::new();
    let small: Vec<String> = a.small.iter().map(|n| n.unicode()).collect();
    out.push_str(&format!("{source}\n"));
    out.push_str(&format!(
        "input {} · order {} · small (ε¹): {}\n",
        a.input.name,
        a.requested_order,
        small.join(", ")
    ));
    let shown: Vec<String> = a
        .symbols
        .iter()
        .filter(|(_, s)| s.is_known())
        .map(|(sym, s)| format!("{} {}", sym.name, s.text()))
        .collect();
    if !shown.is_empty() {
        out.push_str(&format!("shapes: {}\n", shown.join(", ")));
    }
    for (n, v) in dedup_bindings(a) {
        out.push_str(&format!("with {n} = {}\n", u(&v)));
    }
    layer_lines(a, &mut out);
    let t = a.trunc();
    let offsets: Vec<_> = a
        .expansion
        .layers
        .iter()
        .filter(|l| !l.op_point.is_zero())
        .collect();
    for l in &offsets {
        let (bias, need) =
            required_bias(l).unwrap_or_else(|| ("its bias".into(), l.op_point.neg()));
        out.push_str(&format!(
            "warning: layer {} ({}): the pre-activation has an O(1) part {}, so the small-signal assumption fails there unless {bias} = {}O(ε)\n",
            l.index,
            l.activation,
            u(&l.op_point),
            if need.is_zero() { String::new() } else { format!("{} + ", u(&need)) }
        ));
    }
    out.push_str(&format!(
        "expansion by layer: y = {}{}\n",
        graded(&a.expansion.layered, &t),
        if a.expansion.truncated {
            format!(" + O(ε{})", sup(a.order + 1))
        } else {
            String::new()
        }
    ));
    if r.compensated.is_some() {
        out.push_str("as it stands (expanded around the operating points):\n");
        analysis_text(a, &mut out, "  ");
    } else {
        analysis_text(a, &mut out, "");
    }
    if let Some(c) = &r.compensated {
        let ct = c.trunc();
        out.push_str("with the compensation (each O(1) part cancelled by its bias):\n");
        for l in c.expansion.layers.iter().filter(|l| l.compensated) {
            if let Some((bias, need)) = required_bias(l)
                && !need.is_zero()
            {
                out.push_str(&format!(
                    "  here {bias} is the O(ε) part of layer {}'s bias: the whole bias is {} + {bias}\n",
                    l.index,
                    u(&need)
                ));
            }
        }
        for l in &c.expansion.layers {
            if let Some((w, def)) = &l.whole {
                out.push_str(&format!(
                    "  layer {}: {} = {} (all of the small part, inside |·|)\n",
                    l.index,
                    w.name,
                    graded(def, &ct)
                ));
            }
        }
        out.push_str(&format!(
            "  expansion by layer: y = {}{}\n",
            graded(&c.expansion.layered, &ct),
            if c.expansion.truncated {
                format!(" + O(ε{})", sup(c.order + 1))
            } else {
                String::new()
            }
        ));
        analysis_text(c, &mut out, "  ");
    }
    for c in &r.conditions {
        condition_text(c, "", &mut out);
    }
    for s in &a.assumptions {
        out.push_str(&format!("assumption: {s}\n"));
    }
    if let Some(n) = &r.numeric {
        out.push_str(&crate::model::render::text(n));
    }
    out.push_str(&format!("verdict: {}\n", r.verdict_label()));
    out
}

fn dedup_bindings(a: &Analysis) -> Vec<(String, Expr)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (n, v) in &a.expansion.bindings {
        if seen.insert(n.clone()) {
            out.push((n.unicode(), v.clone()));
        }
    }
    out
}

pub use crate::analysis::{bias_name, required_bias};

// ------------------------------------------------------------------ LaTeX

/// The result as an `align*` block: the expansion, `W`, `b` and the verdict, and, when an
/// operating point is not small, the same with each O(1) part cancelled by its bias.
pub fn latex(source_tex: &str, r: &Report) -> String {
    let mut rows: Vec<String> = vec![format!("y &= {source_tex}")];
    latex_analysis_rows(&r.main, &mut rows);
    if let Some(c) = &r.compensated {
        rows.push(
            "\\intertext{with each $\\mathcal{O}(1)$ part cancelled by its bias (every pre-activation small):}"
                .into(),
        );
        latex_analysis_rows(c, &mut rows);
    }
    if let Some(n) = &r.numeric {
        rows.extend(crate::model::render::latex_rows(n));
    }
    let mut body = String::new();
    for (i, row) in rows.iter().enumerate() {
        body.push_str(row);
        // `\\` ends every row of equations but the last; `\intertext` must follow a `\\`.
        if i + 1 < rows.len() && !row.starts_with("\\intertext") {
            body.push_str(" \\\\");
        }
        body.push('\n');
    }
    format!("\\begin{{align*}}\n{body}\\end{{align*}}\n")
}

/// `lhs = e` as `align*` rows aligned at `=` (the left sides are short), long sums broken
/// across lines.
fn latex_rows(lhs: &str, e: &super::tree::Node, rows: &mut Vec<String>) {
    let notation = super::latex::Notation::default();
    let room = 400.0 - super::latex::width(lhs) - 16.0;
    let lines = super::latex::render_lines(e, &notation, room.max(160.0), 378.0);
    for (i, l) in lines.iter().enumerate() {
        rows.push(if i == 0 {
            format!("{lhs} &= {l}")
        } else {
            format!("&\\qquad {l}")
        });
    }
}

fn latex_analysis_rows(a: &Analysis, rows: &mut Vec<String>) {
    use super::tree;
    let d = &a.decision;
    // Rows are separated by `\\`; a row is one line of an equation.
    let eq = |lhs: &str, e: tree::Node, rows: &mut Vec<String>| latex_rows(lhs, &e, rows);
    for l in &a.expansion.layers {
        // An operating point that is not small: the symbol the expansion uses for it.
        if let Some(c) = &l.op_symbol
            && !l.op_point.is_zero()
        {
            eq(&c.name.latex(), tree::expr(&l.op_point), rows);
        }
        for (s, def) in l.var.iter().chain(l.whole.iter()) {
            eq(&s.name.latex(), tree::expr(def), rows);
        }
    }
    let mut y = match tree::expr(&a.expansion.layered) {
        tree::Node::Sum(v) => v,
        tree::Node::Neg(x) => vec![(true, *x)],
        n => vec![(false, n)],
    };
    if a.expansion.truncated {
        y.push((false, tree::big_o_eps(a.order + 1)));
    }
    eq("y", tree::Node::Sum(y), rows);
    let big_o = |k: u32| format!("$\\mathcal{{O}}(\\varepsilon^{{{k}}})$");
    if matches!(d.verdict, Verdict::Kink) {
        rows.push("\\intertext{verdict: a kink, not affine at any $\\varepsilon$}".into());
        return;
    }
    let zero_or = |e: &Expr| {
        if e.is_zero() {
            tree::Node::Rat(crate::algebra::Q::from(0))
        } else {
            tree::expr(e)
        }
    };
    eq("W", zero_or(&d.w), rows);
    eq("b", zero_or(&d.b), rows);
    let verdict = match (&d.verdict, d.k) {
        (Verdict::ExactAffine, _) => "exactly affine: $y = W x + b$".to_string(),
        (Verdict::Degenerate { .. }, Some(k)) => {
            format!("degenerate (the linear part vanishes), up to {}", big_o(k))
        }
        (_, Some(k)) => format!(
            "affine, $y = W x + b + {}$",
            &big_o(k)[1..big_o(k).len() - 1]
        ),
        (_, None) => "affine, with no non-affine term up to the search order".to_string(),
    };
    rows.push(format!("\\intertext{{verdict: {verdict}}}"));
}

// ------------------------------------------------------------------- JSON

fn analysis_json(a: &Analysis) -> Value {
    let d = &a.decision;
    let t = a.trunc();
    let expansion: serde_json::Map<String, Value> = by_degree(&a.expansion.layered, &t)
        .into_iter()
        .map(|(k, e)| (k.to_string(), super::json::expr(&e)))
        .collect();
    let layers: Vec<Value> = a
        .expansion
        .layers
        .iter()
        .map(|l| {
            json!({
                "index": l.index,
                "activation": l.activation,
                "pre_activation": super::json::expr(&l.pre),
                "operating_point": super::json::expr(&l.op_point),
                "compensated": l.compensated,
                "variable": l.var.as_ref().map(|(s, def)| json!({ "name": s.name.ascii(), "value": super::json::expr(def) })),
                "whole": l.whole.as_ref().map(|(s, def)| json!({ "name": s.name.ascii(), "value": super::json::expr(def) })),
            })
        })
        .collect();
    let kinks: Vec<Value> = d.kinks.iter().map(|k| json!({ "layer": k.layer, "activation": k.activation, "left": super::json::scalar(&k.left), "right": super::json::scalar(&k.right) })).collect();
    let symbols: serde_json::Map<String, Value> = a
        .symbols
        .iter()
        .map(|(s, sh)| (s.name.ascii(), json!(sh.text())))
        .collect();
    json!({
        "verdict": d.verdict.label(),
        "k": d.k,
        "order": a.order,
        "requested_order": a.requested_order,
        "input": a.input.name.ascii(),
        "small": a.small.iter().map(|n| n.ascii()).collect::<Vec<_>>(),
        "W": super::json::expr(&d.w),
        "b": super::json::expr(&d.b),
        "first_nonaffine": {
            "layered": super::json::expr(&d.leading_layered),
            "expanded": json_bounded(&d.leading_full),
        },
        "remainder": super::json::expr(&d.remainder),
        "expansion": expansion,
        "truncated": a.expansion.truncated,
        "layers": layers,
        "kinks": kinks,
        "shapes": {
            "W": shapes::shape_of(&d.w, &a.symbols),
            "b": shapes::shape_of(&d.b, &a.symbols),
            "W_equation": shapes::equation(&d.w, &a.symbols, usize::MAX),
            "b_equation": shapes::equation(&d.b, &a.symbols, usize::MAX),
            "symbols": symbols,
        },
        "assumptions": a.assumptions,
        "derivation": crate::derive::render::steps_json(&a.steps),
    })
}

/// The report as JSON (schema: docs/json.md).
pub fn json(source: &str, r: &Report) -> Value {
    let mut v = analysis_json(&r.main);
    if let Value::Object(m) = &mut v {
        m.insert("expression".into(), json!(source));
        m.insert("verdict".into(), json!(r.verdict_label()));
        m.insert(
            "generic_verdict".into(),
            json!(r.main.decision.verdict.label()),
        );
        m.insert(
            "compensated".into(),
            r.compensated
                .as_ref()
                .map(analysis_json)
                .unwrap_or(Value::Null),
        );
        let conds: Vec<Value> = r.conditions.iter().map(condition_json).collect();
        m.insert("conditions".into(), json!(conds));
        if let Some(n) = &r.numeric {
            m.insert("numeric".into(), crate::model::render::json(n));
        }
    }
    v
}

// ------------------------------------------------------------- series

use crate::analysis::classify::{LECTURE_CLAIMS, Row};
use crate::series::Smoothness;
use crate::session::SeriesResult;

fn value_text(s: &Scalar) -> String {
    match s.to_f64(&|_| None) {
        Some(v) => fmt_f64(v),
        None => "symbolic".into(),
    }
}

fn class_text(r: &SeriesResult) -> String {
    match &r.series {
        PointSeries::Analytic(s) if s.is_exact() => "a polynomial (the series is finite)".into(),
        PointSeries::Analytic(_) => "analytic".into(),
        PointSeries::OneSided { left, right, class } => match class {
            Smoothness::Jump if left.coeff(0) == right.coeff(0) => format!(
                "discontinuous: both one-sided limits are {}, but the value at the point differs",
                super::scalar_unicode(&left.coeff(0))
            ),
            Smoothness::Jump => format!(
                "a jump: the one-sided values are {} and {}",
                super::scalar_unicode(&left.coeff(0)),
                super::scalar_unicode(&right.coeff(0))
            ),
            Smoothness::Kink => format!(
                "a kink: one-sided slopes {} (left) and {} (right)",
                number(&left.coeff(1)),
                number(&right.coeff(1))
            ),
            Smoothness::C(m) => {
                let k = *m as usize + 1;
                let fact: crate::algebra::Q = (1..=k as u64)
                    .fold(crate::algebra::Q::from(1), |a, i| {
                        a * crate::algebra::Q::from(i)
                    });
                format!(
                    "C{} but not C{}: one-sided {} derivatives {} (left) and {} (right)",
                    sup(*m),
                    sup(*m + 1),
                    ordinal(k),
                    number(&left.coeff(k).scale(&fact)),
                    number(&right.coeff(k).scale(&fact))
                )
            }
        },
    }
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
    let mut out = format!(
        "{} at {}, to order {}: {}\n",
        r.name,
        super::scalar_unicode(&r.at),
        r.order,
        class_text(r)
    );
    let row = |k: usize, c: &Scalar| {
        format!(
            "{:>4}  {:<28}  {}\n",
            k,
            super::scalar_unicode(c),
            value_text(c).replace('-', "−")
        )
    };
    match &r.series {
        PointSeries::Analytic(s) => {
            out.push_str(&format!(
                "{:>4}  {:<28}  {}\n",
                "k", "cₖ = s⁽ᵏ⁾(a)/k!", "value"
            ));
            for (k, c) in s.coeffs().iter().enumerate() {
                out.push_str(&row(k, c));
            }
            out.push_str(&format!("s(a + t) = {}\n", series_line(s, "t")));
        }
        PointSeries::OneSided { left, right, .. } => {
            for (label, s) in [("left (t < 0)", left), ("right (t > 0)", right)] {
                out.push_str(&format!("{label}: s(a + t) = {}\n", series_line(s, "t")));
                for (k, c) in s.coeffs().iter().enumerate() {
                    out.push_str(&row(k, c));
                }
            }
        }
    }
    out
}

fn coeffs_json(s: &Series) -> Value {
    let v: Vec<Value> = s
        .coeffs()
        .iter()
        .enumerate()
        .map(|(k, c)| json!({ "k": k, "exact": super::scalar_ascii(c), "unicode": super::scalar_unicode(c), "value": c.to_f64(&|_| None) }))
        .collect();
    json!(v)
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
        "at": { "exact": super::scalar_ascii(&r.at), "value": r.at.to_f64(&|_| None) },
        "order": r.order,
        "class": class,
        "description": class_text(r),
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

// ------------------------------------------------------------ classify

/// The classification table as text, with what the lecture notes got right and wrong.
pub fn classify_text(rows: &[Row], order: u32, depth: u32) -> String {
    let mut out = format!(
        "Is a depth-{depth} network of s affine for small inputs? (expansion to order {order}; k: first non-affine order in ε)\n\n"
    );
    let header = [
        "activation",
        "verdict",
        "k",
        "s(0)",
        "slope −",
        "slope +",
        "first non-affine term (by layer)",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let k = r.k.map(|k| k.to_string()).unwrap_or_else(|| "—".into());
        let lead = if r.first_nonaffine.is_zero() {
            "—".into()
        } else {
            super::unicode(&r.first_nonaffine)
        };
        let lead = if lead.chars().count() > 60 {
            format!("{}…", lead.chars().take(59).collect::<String>())
        } else {
            lead
        };
        table.push(vec![
            r.activation.unicode(),
            r.verdict.clone(),
            k,
            short(&r.s0),
            short(&r.slope_left),
            short(&r.slope_right),
            lead,
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            table
                .iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (j, row) in table.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - c.chars().count())))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if j == 0 {
            out.push_str(
                &widths
                    .iter()
                    .map(|w| "─".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  "),
            );
            out.push('\n');
        }
    }
    let notes: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let mut n = Vec::new();
            if let Some(c) = &r.compensated {
                n.push(c.clone());
            }
            if let Some(c) = &r.condition {
                n.push(c.clone());
            }
            (!n.is_empty()).then(|| format!("  {}: {}", r.activation, n.join("; ")))
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("\nnotes:\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out.push_str("\nthe lecture notes, checked:\n");
    for (name, claim, says_linear) in LECTURE_CLAIMS {
        if let Some(r) = rows.iter().find(|r| r.activation.ascii() == *name) {
            let affine = matches!(r.verdict.as_str(), "affine" | "exact-affine");
            let ok = affine == *says_linear;
            let truth = match (r.verdict.as_str(), r.k) {
                ("kink", _) => format!(
                    "a kink at 0 (slopes {} and {}): not affine at any σ",
                    short(&r.slope_left),
                    short(&r.slope_right)
                ),
                (v, Some(k)) => format!("{v} up to O(σ{}), s(0) = {}", sup(k), short(&r.s0)),
                (v, None) => v.to_string(),
            };
            out.push_str(&format!(
                "  {} {:<8} notes: {claim}. taylornet: {truth}\n",
                if ok { "✓" } else { "✗" },
                name
            ));
        }
    }
    out
}

fn short(s: &Scalar) -> String {
    let t = super::scalar_unicode(s);
    if t.chars().count() > 12 {
        format!("≈{}", value_text(s))
    } else {
        t
    }
}

/// The classification table as JSON: `{"order", "depth", "rows": [...]}`.
pub fn classify_json(rows: &[Row], order: u32, depth: u32) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "activation": r.activation.ascii(),
                "verdict": r.verdict,
                "k": r.k,
                "s0": super::json::scalar(&r.s0),
                "slope_left": super::json::scalar(&r.slope_left),
                "slope_right": super::json::scalar(&r.slope_right),
                "first_nonaffine": super::json::expr(&r.first_nonaffine),
                "condition": r.condition,
                "compensated": r.compensated,
            })
        })
        .collect();
    json!({ "order": order, "depth": depth, "rows": rows })
}

// ------------------------------------------------------------- outcomes

use crate::session::{Format, Outcome};

/// The analysed expression as LaTeX, as written.
pub fn source_latex(src: &str, limits: &crate::limits::Limits) -> String {
    crate::syntax::parse_expr(src, limits)
        .map(|e| super::latex::render(&super::source::node(&e)))
        .unwrap_or_else(|_| "y".into())
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
    let mut out = String::new();
    let mut items = Vec::new();
    for o in outcomes {
        match (o, format) {
            (Outcome::Analysis { source, report }, Format::Text) => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&text(source, report));
            }
            (Outcome::Analysis { source, report }, Format::Latex) => {
                out.push_str(&latex(&source_latex(source, limits), report))
            }
            (Outcome::Analysis { source, report }, Format::Json) => {
                items.push(json(source, report))
            }
            (Outcome::Series(r), Format::Json) => items.push(series_json(r)),
            // LaTeX output stays LaTeX: other results become comments.
            (Outcome::Series(r), Format::Latex) => out.push_str(&latex_comment(&series_text(r))),
            (Outcome::Classify { rows, order, depth }, Format::Latex) => {
                out.push_str(&latex_comment(&classify_text(rows, *order, *depth)))
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
    if format == Format::Json {
        out.push_str(&crate::print::json::to_text(&Value::Array(items)));
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- verify

use crate::verify::Verification;

fn sci(v: f64) -> String {
    format!("{v:.2e}")
}

/// Numeric verification as text: the residual per σ, the fitted slope, PASS or FAIL.
pub fn verify_text(source: &str, checks: &[Verification]) -> String {
    let mut out = format!("verify {source}\n");
    for v in checks {
        if !v.label.is_empty() && checks.len() > 1 {
            out.push_str(&format!("{}:\n", v.label));
        }
        let residual = if v.approximation.contains(' ') {
            format!("‖y − ({})‖", v.approximation)
        } else {
            format!("‖y − {}‖", v.approximation)
        };
        out.push_str(&format!(
            "  {:>9}  {:>16}  {:>10}  {:>10}\n",
            "σ",
            residual,
            format!("‖y − {}‖", v.baseline),
            "ratio"
        ));
        for r in &v.rows {
            let ratio = if r.signal > 0.0 {
                sci(r.residual / r.signal)
            } else {
                "—".into()
            };
            out.push_str(&format!(
                "  {:>9}  {:>16}  {:>10}  {:>10}{}\n",
                sci(r.sigma),
                sci(r.residual),
                sci(r.signal),
                ratio,
                match (r.rounding, r.bits) {
                    (true, b) => format!("  (rounding level at {b} bits)"),
                    (false, 53) => String::new(),
                    (false, b) => format!("  ({b}-bit floats)"),
                }
            ));
        }
        out.push_str(&format!(
            "  verdict {}, predicted {}: {}: {}\n",
            v.verdict,
            v.predicted.label(),
            v.note,
            if v.pass { "PASS" } else { "FAIL" }
        ));
    }
    out
}

/// Numeric verification as JSON.
pub fn verify_json(source: &str, checks: &[Verification]) -> Value {
    let checks: Vec<Value> = checks
        .iter()
        .map(|v| {
            json!({
                "label": v.label,
                "verdict": v.verdict,
                "approximation": v.approximation,
                "predicted": v.predicted.label(),
                "slope": v.slope,
                "pass": v.pass,
                "note": v.note,
                "rows": v.rows.iter().map(|r| json!({ "sigma": r.sigma, "residual": r.residual, "signal": r.signal, "rounding": r.rounding, "bits": r.bits })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pass = checks.iter().all(|c| c["pass"] == Value::Bool(true));
    json!({ "expression": source, "pass": pass, "checks": checks })
}

fn condition_json(c: &crate::analysis::Condition) -> Value {
    json!({
        "param": c.param.ascii(),
        "value": super::json::scalar(&c.value),
        "what": c.what,
        "then": c.then.as_ref().map(|a| analysis_json(a)),
        "further": c.further.iter().map(condition_json).collect::<Vec<_>>(),
    })
}
