//! The classification table over the catalog, with the lecture's claims checked.

use super::series::value_text;
use super::*;
use crate::analysis::classify::{LECTURE_CLAIMS, Row};
use crate::verify::Verification;
use serde_json::{Value, json};

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
            crate::print::unicode(&r.first_nonaffine)
        };
        let lead = if lead.chars().count() > 60 {
            format!("{}…", lead.chars().take(59).collect::<String>())
        } else {
            lead
        };
        table.push(vec![
            r.activation.unicode(),
            r.label().to_string(),
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
        .filter_map(|r| super::facts::row_notes(r).map(|n| format!("  {}: {n}", r.activation)))
        .collect();
    if !notes.is_empty() {
        out.push_str("\nnotes:\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out.push_str("\nthe lecture notes, checked:\n");
    for (name, claim, says_linear) in LECTURE_CLAIMS {
        if let Some(r) = crate::analysis::classify::lecture_row(rows, name) {
            let ok = r.is_affine() == *says_linear;
            let truth = match (r.label(), r.k) {
                ("kink", _) => format!(
                    "a kink at 0 (slopes {} and {}): not affine at any σ",
                    short(&r.slope_left),
                    short(&r.slope_right)
                ),
                (v, Some(k)) if r.as_it_stands.is_some() => format!(
                    "{v} up to O(σ{}){}",
                    sup(k),
                    super::facts::offset_clause(r, &short(&r.s0))
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
    let t = crate::print::scalar_unicode(s);
    if t.chars().count() > 12 {
        format!("≈{}", value_text(s))
    } else {
        t
    }
}

/// The classification table as JSON: `{"order", "depth", "rows": [...]}`.
pub fn classify_json(rows: &[Row], order: u32, depth: u32) -> Value {
    let table: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "activation": r.activation.ascii(),
                "verdict": r.label(),
                "k": r.k,
                "s0": crate::print::json::scalar(&r.s0),
                "slope_left": crate::print::json::scalar(&r.slope_left),
                "slope_right": crate::print::json::scalar(&r.slope_right),
                "first_nonaffine": crate::print::json::expr(&r.first_nonaffine),
                "condition": super::facts::row_condition(r),
                "compensated": super::facts::row_compensated(r),
            })
        })
        .collect();
    // The lecture's claims checked, as the text report has them: the claim, whether the
    // expansion agrees (the activation's row says the rest).
    let lecture: Vec<Value> = (LECTURE_CLAIMS.iter())
        .filter_map(|(name, claim, says_linear)| {
            let r = crate::analysis::classify::lecture_row(rows, name)?;
            Some(json!({
                "activation": name,
                "claim": claim,
                "claims_affine": says_linear,
                "affine": r.is_affine(),
                "right": r.is_affine() == *says_linear,
            }))
        })
        .collect();
    json!({ "order": order, "depth": depth, "rows": table, "lecture": lecture })
}

/// The classification table with a numeric check per row (`classify --verify`): one line
/// per activation with the predicted order, the fitted slope and PASS/FAIL.
pub fn classify_verified_text(rows: &[Row], checks: &[Option<Verification>]) -> String {
    let mut out = format!(
        "{:<11} {:<13} {:>2}  {:>8}  {:>9}  check\n",
        "activation", "verdict", "k", "predicted", "slope"
    );
    for (row, c) in rows.iter().zip(checks) {
        let k = row.k.map(|k| k.to_string()).unwrap_or_else(|| "—".into());
        out.push_str(&match c {
            Some(c) => format!(
                "{:<11} {:<13} {:>2}  {:>8}  {:>9}  {}\n",
                row.activation.ascii(),
                row.label(),
                k,
                c.predicted.label(),
                c.slope
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
                if c.pass { "PASS" } else { "FAIL" }
            ),
            None => format!(
                "{:<11} {:<13} {:>2}  {:>8}  {:>9}  not checked\n",
                row.activation.ascii(),
                row.label(),
                k,
                "",
                ""
            ),
        });
    }
    out
}

/// The classification table as JSON with each row's numeric check under `verification`
/// (rows that could not be checked have none).
pub fn classify_verified_json(
    rows: &[Row],
    checks: &[Option<Verification>],
    order: u32,
    depth: u32,
) -> Value {
    let mut v = classify_json(rows, order, depth);
    if let Some(Value::Array(rs)) = v.get_mut("rows") {
        for (r, c) in rs.iter_mut().zip(checks) {
            if let (Value::Object(m), Some(c)) = (r, c) {
                m.insert(
                    "verification".into(),
                    super::verify::verify_json("", std::slice::from_ref(c))["checks"][0].clone(),
                );
            }
        }
    }
    v
}
