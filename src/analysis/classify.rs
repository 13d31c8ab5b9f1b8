//! The lecture's question for every catalog activation: is a deep network of it affine for small inputs?
//!
//! Nothing here looks a verdict up by name: each row is the full analysis of
//! `net(f, L)`, and s(0) and the slopes come from the series engine.

use super::{AnalyzeOptions, Report, analyze};
use crate::algebra::{Expr, Scalar};
use crate::diagnostic::{Diagnostic, Span};
use crate::ir::{Callee, Env, lower_expr};
use crate::series::{PointSeries, series_at};
use crate::syntax::{Name, parse_expr};

/// One row of the classification table.
#[derive(Clone, Debug)]
pub struct Row {
    pub activation: Name,
    pub verdict: String,
    pub k: Option<u32>,
    pub s0: Scalar,
    pub slope_left: Scalar,
    pub slope_right: Scalar,
    /// Written by layer.
    pub first_nonaffine: Expr,
    pub condition: Option<String>,
    /// Set when the O(1) offsets between layers were compensated (the lecture's regime).
    pub compensated: Option<String>,
    pub report: Report,
}

/// What the lecture notes claim, for the four activations they discuss.
pub const LECTURE_CLAIMS: &[(&str, &str, bool)] = &[
    ("sigmoid", "1/(1+e^(−x)) ≈ 1/(2−x): not linear", false),
    ("tanh", "tanh x ≈ x: linear", true),
    ("relu", "linear only for positive inputs", false),
    ("selu", "linear for all x", true),
];

/// Classifies every catalog activation of `env` with networks of depth `depth`.
///
/// `opts` gives the order, the input, the limits and the budget; the small
/// symbols are always the defaults (the input and every vector), as the lecture has them.
pub fn classify(env: &Env, opts: &AnalyzeOptions, depth: u32) -> Result<Vec<Row>, Diagnostic> {
    let mut rows = Vec::new();
    for name in &env.catalog {
        rows.push(classify_one(env, opts, name, depth)?);
    }
    Ok(rows)
}

/// Classifies one activation (a catalog entry or any defined function).
pub fn classify_one(
    env: &Env,
    opts: &AnalyzeOptions,
    name: &Name,
    depth: u32,
) -> Result<Row, Diagnostic> {
    let limits = &opts.limits;
    let src = format!("net({}, {depth})", name.ascii());
    let e = parse_expr(&src, limits)?;
    let l = lower_expr(&e, env)?;
    let opts = AnalyzeOptions {
        small: None,
        ..opts.clone()
    };
    let report = analyze(&l, &opts)?;
    let callee = match env.function(name) {
        Some(d) => Callee::Def(d.clone()),
        None => Callee::Prim(crate::ir::Prim::from_name(&name.ascii()).ok_or_else(|| {
            Diagnostic::new(
                crate::diagnostic::Phase::Name,
                format!("unknown activation `{name}`"),
            )
        })?),
    };
    let params = match &callee {
        Callee::Def(d) => d.params.clone(),
        Callee::Prim(_) => vec![],
    };
    let ps = series_at(
        &callee,
        &params,
        &Scalar::zero(),
        1,
        limits,
        &crate::limits::Budget::default(),
        Span::default(),
    )?;
    let (s0, sl, sr) = match &ps {
        PointSeries::Analytic(s) => (s.coeff(0), s.coeff(1), s.coeff(1)),
        PointSeries::OneSided { left, right, .. } => {
            (right.coeff(0), left.coeff(1), right.coeff(1))
        }
    };
    // The lecture's regime has every pre-activation small: use the compensated analysis when offsets appear.
    let (used, compensated) = match &report.compensated {
        Some(c) => {
            let as_is = match report.main.decision.verdict.k() {
                Some(k) => format!("{} k={k}", report.main.decision.verdict.label()),
                None => report.main.decision.verdict.label().to_string(),
            };
            (
                c,
                Some(format!(
                    "O(1) offsets between layers cancelled by the biases; as it stands: {as_is}"
                )),
            )
        }
        None => (&report.main, None),
    };
    let verdict = if report.compensated.is_some() {
        used.decision.verdict.label().to_string()
    } else {
        report.verdict_label().to_string()
    };
    let condition = report.conditions.first().map(|c| {
        let then = c
            .then
            .as_ref()
            .map(|a| format!(" ({} there)", a.decision.verdict.label()))
            .unwrap_or_default();
        format!(
            "{} iff {} = {}{then}",
            c.what,
            c.param,
            crate::print::scalar_unicode(&c.value)
        )
    });
    let first = if used.decision.leading_layered.is_zero() {
        used.decision.leading_full.clone()
    } else {
        used.decision.leading_layered.clone()
    };
    Ok(Row {
        activation: name.clone(),
        verdict,
        k: used.decision.k,
        s0,
        slope_left: sl,
        slope_right: sr,
        first_nonaffine: first,
        condition,
        compensated,
        report,
    })
}
