//! The lecture's question for every catalog activation: is a deep network of it affine for small inputs?
//!
//! Nothing here looks a verdict up by name: each row is the full analysis of
//! `net(f, L)`, and s(0) and the slopes come from the series engine.

use super::{AnalyzeOptions, Report, Verdict, analyze};
use crate::algebra::{Expr, Scalar};
use crate::diagnostic::{Diagnostic, Span};
use crate::ir::{Callee, Env, Lowered, lower_expr};
use crate::series::{PointSeries, series_at};
use crate::syntax::{Name, parse_expr};

/// One row of the classification table.
#[derive(Clone, Debug)]
pub struct Row {
    /// The catalog activation `f` of this row.
    pub activation: Name,
    /// The verdict of the analysis the row uses (the compensated one when offsets appear).
    pub verdict: Verdict,
    /// A parameter value changes the verdict (only when no compensation was needed).
    pub conditional: bool,
    /// The order `k` of the first non-affine term (`None`: affine to the searched order, or exactly).
    pub k: Option<u32>,
    /// s(0), the activation's value at the origin: non-zero makes the operating points O(1).
    pub s0: Scalar,
    /// The slope of s at 0 from the left (the derivative, where s is smooth).
    pub slope_left: Scalar,
    /// The slope of s at 0 from the right; differing from the left one means a kink.
    pub slope_right: Scalar,
    /// Written by layer.
    pub first_nonaffine: Expr,
    /// Set when the O(1) offsets between layers were compensated (the lecture's regime):
    /// the verdict as the network stands, without that compensation.
    pub as_it_stands: Option<Verdict>,
    /// The full analysis behind the row.
    pub report: Report,
    /// The network `net(f, depth)` as analysed, so a numeric check needs no re-parse.
    pub network: Lowered,
    /// The session's own definition of a catalog name (`sigmoid(t) = t`): not the
    /// activation the lecture's claims are about.
    pub redefined: bool,
}

impl Row {
    /// The verdict's label, or `conditional` when a parameter value changes it.
    pub fn label(&self) -> &'static str {
        if self.conditional {
            "conditional"
        } else {
            self.verdict.label()
        }
    }

    /// The first condition on a parameter, if any.
    pub fn condition(&self) -> Option<&super::Condition> {
        self.report.conditions.first()
    }

    /// The verdict is affine (exactly or up to some order), as the lecture's claims are judged.
    pub fn is_affine(&self) -> bool {
        !self.conditional && matches!(self.verdict, Verdict::Affine { .. } | Verdict::ExactAffine)
    }
}

/// What the lecture notes claim, for the four activations they discuss.
pub(crate) const LECTURE_CLAIMS: &[(&str, &str, bool)] = &[
    ("sigmoid", "1/(1+e^(−x)) ≈ 1/(2−x): not linear", false),
    ("tanh", "tanh x ≈ x: linear", true),
    ("relu", "linear only for positive inputs", false),
    ("selu", "linear for all x", true),
];

/// The row a lecture claim about `name` is checked against: none where the session defines
/// that name itself (from a review, `sigmoid(t) = t` made the lecture's sigmoid claim "✗").
pub(crate) fn lecture_row<'a>(rows: &'a [Row], name: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.activation.ascii() == name && !r.redefined)
}

/// Classifies every catalog activation of `env` with networks of depth `depth`.
///
/// `opts` gives the order, the input, the limits and the budget; the small
/// symbols are always the defaults (the input and every vector), as the lecture has them.
pub(crate) fn classify(
    env: &Env,
    opts: &AnalyzeOptions,
    depth: u32,
) -> Result<Vec<Row>, Diagnostic> {
    let mut rows = Vec::new();
    for name in env.functions.catalog_order() {
        rows.push(classify_one(env, opts, name, depth)?);
    }
    Ok(rows)
}

/// Classifies one activation (a catalog entry or any defined function).
pub(crate) fn classify_one(
    env: &Env,
    opts: &AnalyzeOptions,
    name: &Name,
    depth: u32,
) -> Result<Row, Diagnostic> {
    let limits = &opts.limits;
    let src = format!("net({}, {depth})", name.ascii());
    let e = parse_expr(&src, limits)?;
    let l = lower_expr(&e, env)?;
    // The table shows the decision only: no expansion past the order that decides.
    let opts = AnalyzeOptions {
        small: None,
        show_expansion: false,
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
    let (used, as_it_stands) = match &report.compensated {
        Some(c) => (c, Some(report.main.decision.verdict.clone())),
        None => (&report.main, None),
    };
    let conditional = report.compensated.is_none() && report.is_conditional();
    let first = if used.decision.leading_layered.is_zero() {
        used.decision.leading_full.clone()
    } else {
        used.decision.leading_layered.clone()
    };
    Ok(Row {
        activation: name.clone(),
        verdict: used.decision.verdict.clone(),
        conditional,
        k: used.decision.k,
        s0,
        slope_left: sl,
        slope_right: sr,
        first_nonaffine: first,
        as_it_stands,
        report,
        network: l,
        redefined: env.functions.defined().any(|d| d.name == *name),
    })
}
