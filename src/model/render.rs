//! The numeric instance as text, JSON and LaTeX rows.

use super::instance::{Mat, Num, Numeric};
use super::region::{Neuron, Region};
use crate::algebra::Q;
use serde_json::{Value, json};

/// Exact forms up to this many characters are printed as they are; longer ones are rounded.
const SHORT: usize = 12;

/// A float to six significant digits, without trailing zeros.
pub fn sig6(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if (1e-3..1e6).contains(&a) {
        let decimals = (5 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        if s == "-0" { "0".into() } else { s }
    } else {
        let s = format!("{x:.5e}");
        match s.split_once('e') {
            Some((m, e)) => {
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                format!("{m}e{e}")
            }
            None => s,
        }
    }
}

/// The exact form of a rational when short (`-3/4`), else `None`.
pub fn short_exact(q: &Q) -> Option<String> {
    let s = q.to_string();
    (s.len() <= SHORT).then_some(s)
}

fn q_f64(q: &Q) -> f64 {
    crate::algebra::scalar::q_to_f64(q)
}

/// Every entry exact and short: printed exactly; otherwise all rounded (and said so).
fn entries(m: &Mat) -> (Vec<String>, bool) {
    let exact: Option<Vec<String>> = m
        .entries
        .iter()
        .map(|e| match e {
            Num::Exact(q) => short_exact(q),
            Num::Float(_) => None,
        })
        .collect();
    match exact {
        Some(v) => (v, true),
        None => (m.entries.iter().map(|e| sig6(e.to_f64())).collect(), false),
    }
}

/// A matrix in rows (`[a, b; c, d]` lines), at most 8 rows and 8 columns shown.
fn mat_lines(name: &str, m: &Mat, indent: &str) -> String {
    let (cells, exact) = entries(m);
    let how = match (exact, m.is_exact()) {
        (true, _) => "exact",
        (false, true) => "exact, shown rounded to 6 significant digits",
        (false, false) => "rounded to 6 significant digits",
    };
    let shown_cols = m.cols.min(8);
    let width = cells.iter().map(|c| c.chars().count()).max().unwrap_or(1);
    let mut out = format!("{indent}{name} ({}×{}, {how}):\n", m.rows, m.cols);
    for i in 0..m.rows.min(8) {
        let row: Vec<String> = (0..shown_cols)
            .map(|j| format!("{:>width$}", cells[i * m.cols + j]))
            .collect();
        let more = if m.cols > 8 { "  …" } else { "" };
        out.push_str(&format!("{indent}  [{}{more}]\n", row.join("  ")));
    }
    if m.rows > 8 {
        out.push_str(&format!("{indent}  … ({} more rows)\n", m.rows - 8));
    }
    out
}

/// A vector or matrix literal on one line (at most `most` entries).
pub fn tensor_inline(t: &super::Tensor, most: usize) -> String {
    let cell = |q: &Q| short_exact(q).unwrap_or_else(|| sig6(q_f64(q)));
    let row = |r: &[Q]| {
        let mut v: Vec<String> = r.iter().take(most).map(cell).collect();
        if r.len() > most {
            v.push("…".into());
        }
        format!("[{}]", v.join(", "))
    };
    match t.cols {
        None => row(&t.data),
        Some(c) => {
            let mut rows: Vec<String> = t.data.chunks(c.max(1)).take(most).map(row).collect();
            if t.rows > most {
                rows.push("…".into());
            }
            format!("[{}]", rows.join(", "))
        }
    }
}

fn vec_inline(v: &[Q]) -> String {
    tensor_inline(
        &super::Tensor {
            rows: v.len(),
            cols: None,
            data: v.to_vec(),
        },
        8,
    )
}

/// `7/40 ≈ 0.175`, or the rounded value alone when the exact form is long.
pub fn q_text(q: &Q) -> String {
    match short_exact(q) {
        Some(s) if s.contains('/') => format!("{s} ≈ {}", sig6(q_f64(q))),
        Some(s) => s,
        None => format!("≈ {}", sig6(q_f64(q))),
    }
}

/// `√(9/800) ≈ 0.106`: a square root of an exact rational.
pub fn sqrt_text(q: &Q) -> String {
    use malachite_base::num::arithmetic::traits::CheckedSqrt;
    let v = q_f64(q).sqrt();
    if let (Some(n), Some(d)) = (
        q.numerator_ref().checked_sqrt(),
        q.denominator_ref().checked_sqrt(),
    ) {
        return q_text(&Q::from_naturals(n, d));
    }
    match short_exact(q) {
        Some(s) => format!("√({s}) ≈ {}", sig6(v)),
        None => format!("≈ {} (the square root of an exact rational)", sig6(v)),
    }
}

/// `lhs = 7/40 ≈ 0.175`, `lhs = 3`, or `lhs ≈ 0.0250241` when the exact form is long.
pub fn eq_text(lhs: &str, q: &Q) -> String {
    let t = q_text(q);
    if t.starts_with('≈') {
        format!("{lhs} {t}")
    } else {
        format!("{lhs} = {t}")
    }
}

fn neuron_text(n: &Neuron) -> String {
    format!(
        "layer {} ({}), entry {}: {}, at distance {} from its breakpoint",
        n.layer,
        n.activation,
        n.index + 1,
        eq_text("z", &n.pre),
        q_text(&n.distance).trim_start_matches("≈ ")
    )
}

fn region_text(r: &Region, out: &mut String) {
    out.push_str(&format!(
        "affine region around {} = {}:\n",
        r.at_name.as_deref().unwrap_or("x₀"),
        vec_inline(&r.at)
    ));
    for (layer, act, p) in &r.patterns {
        out.push_str(&format!("  layer {layer} ({act}) pieces: {p}\n"));
    }
    match (&r.radius_inf, &r.limit_inf) {
        (Some(q), Some(n)) if *q == 0u32 => {
            out.push_str(&format!(
                "  radius 0: x₀ sits on a breakpoint ({}); the network is not affine on any ball around it\n",
                neuron_text(n)
            ));
        }
        (Some(q), Some(n)) => {
            out.push_str(&format!(
                "  ∞-norm ball ‖x − x₀‖∞ ≤ r∞: {}, limited by {}\n",
                eq_text("r∞", q),
                neuron_text(n)
            ));
            if let (Some(q2), Some(n2)) = (&r.radius2_sq, &r.limit_2) {
                let t = sqrt_text(q2);
                let r2 = if t.starts_with('≈') { format!("r₂ {t}") } else { format!("r₂ = {t}") };
                out.push_str(&format!(
                    "  2-norm ball ‖x − x₀‖₂ ≤ r₂: {r2}, limited by {}\n",
                    neuron_text(n2)
                ));
            }
            out.push_str(
                "  inside, every entry stays on its piece, so the network is exactly y = W·x + b with\n",
            );
        }
        _ => out.push_str(
            "  no entry's pre-activation moves with x toward a breakpoint: the network is y = W·x + b everywhere, with\n",
        ),
    }
    if r.radius_inf.as_ref().is_none_or(|q| *q != 0u32) {
        out.push_str(&mat_lines("W", &r.w, "    "));
        out.push_str(&mat_lines("b", &r.b, "    "));
    }
}

/// The numeric block of a text report.
pub fn text(n: &Numeric) -> String {
    let mut out = String::new();
    if n.w.is_some() || !n.notes.is_empty() {
        out.push_str("numeric instance (the bound values substituted):\n");
        if let Some(w) = &n.w {
            out.push_str(&mat_lines("W", w, "  "));
        }
        if let Some(b) = &n.b {
            out.push_str(&mat_lines("b", b, "  "));
        }
        for note in &n.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
    }
    match &n.region {
        Some(Ok(r)) => region_text(r, &mut out),
        Some(Err(e)) => out.push_str(&format!("affine region: {e}\n")),
        None => {}
    }
    match &n.sigma {
        Some(Ok(s)) => out.push_str(&super::radius::text(s)),
        Some(Err(e)) => out.push_str(&format!("radius of affinity σ*: {e}\n")),
        None => {}
    }
    out
}

fn mat_json(m: &Mat) -> Value {
    let rows: Vec<Value> = (0..m.rows)
        .map(|i| json!((0..m.cols).map(|j| m.at(i, j).to_f64()).collect::<Vec<_>>()))
        .collect();
    let mut v = json!({ "rows": m.rows, "cols": m.cols, "values": rows, "exact": m.is_exact() });
    let (cells, short) = entries(m);
    if short && let Value::Object(o) = &mut v {
        let exact: Vec<Value> = cells.chunks(m.cols.max(1)).map(|r| json!(r)).collect();
        o.insert("exact_values".into(), json!(exact));
    }
    v
}

fn neuron_json(n: &Neuron) -> Value {
    json!({
        "layer": n.layer,
        "activation": n.activation,
        "entry": n.index + 1,
        "pre_activation": q_f64(&n.pre),
        "pre_activation_exact": short_exact(&n.pre),
        "distance": q_f64(&n.distance),
    })
}

/// The numeric block of a JSON report.
pub fn json(n: &Numeric) -> Value {
    let region = match &n.region {
        Some(Ok(r)) => json!({
            "at": r.at.iter().map(q_f64).collect::<Vec<_>>(),
            "radius_inf": r.radius_inf.as_ref().map(q_f64),
            "radius_inf_exact": r.radius_inf.as_ref().and_then(short_exact),
            "radius_2": r.radius2_sq.as_ref().map(|q| q_f64(q).sqrt()),
            "radius_2_squared_exact": r.radius2_sq.as_ref().and_then(short_exact),
            "limit_inf": r.limit_inf.as_ref().map(neuron_json),
            "limit_2": r.limit_2.as_ref().map(neuron_json),
            "pieces": r.patterns.iter().map(|(l, a, p)| json!({"layer": l, "activation": a, "pieces": p})).collect::<Vec<_>>(),
            "w": mat_json(&r.w),
            "b": mat_json(&r.b),
        }),
        Some(Err(e)) => json!({ "error": e }),
        None => Value::Null,
    };
    json!({
        "w": n.w.as_ref().map(mat_json),
        "b": n.b.as_ref().map(mat_json),
        "missing": n.missing.iter().map(|m| m.ascii()).collect::<Vec<_>>(),
        "notes": n.notes,
        "region": region,
        "sigma_star": match &n.sigma {
            Some(Ok(s)) => super::radius::json(s),
            Some(Err(e)) => json!({ "error": e }),
            None => Value::Null,
        },
    })
}

fn mat_latex(m: &Mat) -> String {
    let (cells, _) = entries(m);
    let rows: Vec<String> = (0..m.rows.min(8))
        .map(|i| {
            let mut r: Vec<String> = (0..m.cols.min(8))
                .map(|j| latex_num(&cells[i * m.cols + j]))
                .collect();
            if m.cols > 8 {
                r.push("\\cdots".into());
            }
            r.join(" & ")
        })
        .collect();
    let mut body = rows.join(" \\\\ ");
    if m.rows > 8 {
        body.push_str(" \\\\ \\vdots");
    }
    format!("\\begin{{bmatrix}} {body} \\end{{bmatrix}}")
}

fn latex_num(s: &str) -> String {
    match s.split_once('/') {
        Some((p, q)) => match p.strip_prefix('-') {
            Some(p) => format!("-\\tfrac{{{p}}}{{{q}}}"),
            None => format!("\\tfrac{{{p}}}{{{q}}}"),
        },
        None => match s.split_once('e') {
            Some((m, e)) => format!("{m}\\cdot 10^{{{e}}}"),
            None => s.to_string(),
        },
    }
}

/// `align*` rows for the LaTeX report.
pub fn latex_rows(n: &Numeric) -> Vec<String> {
    let mut rows = Vec::new();
    if let (Some(w), Some(b)) = (&n.w, &n.b) {
        let how = if w.is_exact() && b.is_exact() {
            "exact"
        } else {
            "rounded"
        };
        rows.push(format!("\\intertext{{with the bound values ({how}):}}"));
        rows.push(format!("W &= {}", mat_latex(w)));
        rows.push(format!("b &= {}", mat_latex(b)));
    }
    if let Some(Ok(r)) = &n.region
        && let (Some(ri), Some(r2)) = (&r.radius_inf, &r.radius2_sq)
    {
        rows.push("\\intertext{the affine region around $x_0$:}".into());
        rows.push(format!(
            "r_\\infty &= {}",
            latex_num(&short_exact(ri).unwrap_or_else(|| sig6(q_f64(ri))))
        ));
        rows.push(format!(
            "r_2 &= {}",
            match short_exact(r2) {
                Some(s) => format!("\\sqrt{{{}}}", latex_num(&s)),
                None => sig6(q_f64(r2).sqrt()),
            }
        ));
    }
    if let Some(Ok(s)) = &n.sigma {
        rows.extend(super::radius::latex_rows(s));
    }
    rows
}
