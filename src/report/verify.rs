//! The report of numeric verification: the residual per σ, the fitted slope, PASS or FAIL.

use crate::verify::Verification;
use serde_json::{Value, json};

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
            format!("‖{} − ({})‖", v.output, v.approximation)
        } else {
            format!("‖{} − {}‖", v.output, v.approximation)
        };
        out.push_str(&format!(
            "  {:>9}  {:>16}  {:>10}  {:>10}\n",
            "σ",
            residual,
            format!("‖{} − {}‖", v.output, v.baseline),
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
                    _ if r.unreadable =>
                        "  (the output varies below f64's range: not read)".to_string(),
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
                "rows": v.rows.iter().map(|r| json!({ "sigma": r.sigma, "residual": r.residual, "signal": r.signal, "rounding": r.rounding, "bits": r.bits, "unreadable": r.unreadable })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pass = checks.iter().all(|c| c["pass"] == Value::Bool(true));
    json!({ "expression": source, "pass": pass, "checks": checks })
}
