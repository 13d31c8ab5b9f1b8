//! Numeric verification: does `y − (W·x + b)` shrink like σᵏ, as the symbolic result says?
//!
//! Symbols are drawn from a seeded generator (weights N(0, 1/fan_in); small
//! vectors σ·N(0, 1)), σ runs over a geometric grid, and the log–log slope of
//! the residual is fitted by least squares. Rows whose residual is at the level
//! of f64 rounding (below 1e-13 of the output's size) are shown but left out of
//! the fit: an exact result is confirmed when every row is at rounding level.

use crate::algebra::nf::Role;
use crate::algebra::{Kind, Symbol};
use crate::analysis::{Analysis, Verdict};
use crate::ir::{Callee, Lowered};
use crate::numeric::{Instance, Val, eval_expr, eval_ir};
use crate::syntax::Name;
use std::collections::BTreeMap;

/// How the check is run.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The σ grid, largest first.
    pub sigmas: Vec<f64>,
    pub seed: u64,
    /// Random draws averaged per σ.
    pub draws: u64,
    /// Values of symbolic parameters (default 0.7).
    pub params: BTreeMap<Name, f64>,
    /// How far the fitted slope may stray from the prediction.
    pub tolerance: f64,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            sigmas: geometric(1e-1, 1e-4, 7),
            seed: 1,
            draws: 4,
            params: BTreeMap::new(),
            tolerance: 0.3,
        }
    }
}

/// `n` points from `hi` down to `lo`, evenly spaced in log.
pub fn geometric(hi: f64, lo: f64, n: usize) -> Vec<f64> {
    if n < 2 {
        return vec![hi];
    }
    let (a, b) = (hi.ln(), lo.ln());
    (0..n)
        .map(|i| (a + (b - a) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

/// What the symbolic result predicts for the residual.
#[derive(Clone, Debug, PartialEq)]
pub enum Predicted {
    /// Residual ∝ σᵏ.
    Order(u32),
    /// A kink: the residual is as large as the signal (∝ σ).
    Kink,
    /// Exactly affine: the residual is rounding noise.
    Exact,
    /// No non-affine term up to this order: the residual shrinks at least this fast.
    AtLeast(u32),
}

impl Predicted {
    pub fn label(&self) -> String {
        match self {
            Predicted::Order(k) => k.to_string(),
            Predicted::Kink => "kink".into(),
            Predicted::Exact => "exact".into(),
            Predicted::AtLeast(k) => format!("≥{k}"),
        }
    }
}

/// One σ of the grid.
#[derive(Clone, Debug)]
pub struct Row {
    pub sigma: f64,
    /// Mean over draws of ‖y − (W·x + b)‖∞.
    pub residual: f64,
    /// Mean over draws of ‖y − b‖∞, the size of the signal.
    pub signal: f64,
    /// At the level of floating-point rounding: left out of the fit.
    pub rounding: bool,
}

/// The outcome of a verification.
#[derive(Clone, Debug)]
pub struct Verification {
    /// Which analysis was checked ("as it stands", "compensated").
    pub label: String,
    pub verdict: String,
    pub predicted: Predicted,
    pub rows: Vec<Row>,
    /// The fitted log–log slope (`None` when fewer than two rows are above rounding).
    pub slope: Option<f64>,
    pub pass: bool,
    pub note: String,
}

/// What the analysis predicts.
pub fn prediction(a: &Analysis) -> Predicted {
    match &a.decision.verdict {
        Verdict::ExactAffine => Predicted::Exact,
        Verdict::Kink => Predicted::Kink,
        Verdict::Affine { k: Some(k) } | Verdict::Degenerate { k } => Predicted::Order(*k),
        Verdict::Affine { k: None } => Predicted::AtLeast(a.order + 1),
    }
}

/// Checks one analysis of a lowered expression numerically.
pub fn verify(
    l: &Lowered,
    a: &Analysis,
    functions: &BTreeMap<String, Callee>,
    opts: &VerifyOptions,
) -> Result<Verification, String> {
    verify_with(l, a, &a.decision.w, &a.decision.b, functions, opts)
}

/// Like [`verify`], with the affine part given (tests use a wrong one to see the check fail).
pub fn verify_with(
    l: &Lowered,
    a: &Analysis,
    w: &crate::algebra::Expr,
    b: &crate::algebra::Expr,
    functions: &BTreeMap<String, Callee>,
    opts: &VerifyOptions,
) -> Result<Verification, String> {
    let x_sym = a.input.clone();
    let mut rows = Vec::new();
    for &sigma in &opts.sigmas {
        let (mut res, mut sig, mut size) = (0.0, 0.0, 0.0f64);
        for draw in 0..opts.draws {
            let seed = opts.seed.wrapping_mul(1_000_003).wrapping_add(draw);
            let mut inst = Instance::random(&l.symbols, &a.small, sigma, seed, &opts.params);
            inst.functions = functions.clone();
            let mut truth = inst.clone();
            set_operating_points(a, &mut inst, &mut truth)?;
            let y = eval_ir(&l.ir, &mut truth)?;
            let rows_out = match &y {
                Val::V(v) => v.len(),
                Val::S(_) => 1,
                Val::M(m) => m.len(),
            };
            let x = inst
                .symbols
                .get(&x_sym)
                .cloned()
                .unwrap_or(Val::V(vec![0.0; 1]));
            let wx = apply_linear(&eval_expr(w, &mut inst, rows_out)?, &x, rows_out)?;
            let bv = eval_expr(b, &mut inst, rows_out)?;
            let approx = add(&wx, &bv)?;
            res += y.sub(&approx)?.norm_inf();
            sig += y.sub(&bv)?.norm_inf();
            size = size.max(y.norm_inf());
        }
        let n = opts.draws as f64;
        let residual = res / n;
        rows.push(Row {
            sigma,
            residual,
            signal: sig / n,
            rounding: residual <= 1e-13 * size.max(1e-300) || residual == 0.0,
        });
    }
    let fit: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| !r.rounding && r.residual > 0.0)
        .map(|r| (r.sigma.ln(), r.residual.ln()))
        .collect();
    let slope = least_squares_slope(&fit);
    let predicted = prediction(a);
    let tol = opts.tolerance;
    let all_rounding = rows.iter().all(|r| r.rounding);
    let (pass, note) = match (&predicted, slope) {
        (Predicted::Exact, _) if all_rounding => (
            true,
            "every residual is at rounding level: exact".to_string(),
        ),
        (Predicted::Exact, Some(s)) => (false, format!("a residual above rounding, slope {s:.2}")),
        (Predicted::Order(k), Some(s)) => (
            (s - *k as f64).abs() <= tol,
            format!("fitted slope {s:.2}, predicted {k}"),
        ),
        (Predicted::Kink, Some(s)) => {
            let rel: Vec<f64> = rows
                .iter()
                .filter(|r| r.signal > 0.0)
                .map(|r| r.residual / r.signal)
                .collect();
            let (lo, hi) = rel
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
            let constant = lo > 1e-3 && hi / lo < 10.0;
            (
                (s - 1.0).abs() <= tol && constant,
                format!(
                    "relative error {lo:.3}…{hi:.3}, constant in σ (slope {s:.2}): kink confirmed"
                ),
            )
        }
        (Predicted::AtLeast(k), Some(s)) => (
            s >= *k as f64 - tol,
            format!("fitted slope {s:.2}, predicted at least {k}"),
        ),
        (Predicted::AtLeast(_), None) => (true, "every residual is at rounding level".to_string()),
        (_, None) => (
            false,
            "too few residuals above rounding to fit a slope; try larger σ".to_string(),
        ),
    };
    // Say when f64 was not enough for some σ (those rows are not in the fit).
    let rounding = rows.iter().filter(|r| r.rounding).count();
    let note = if rounding > 0 && !all_rounding {
        format!(
            "{note} ({rounding} of {} rows at f64 rounding level, left out of the fit)",
            rows.len()
        )
    } else {
        note
    };
    Ok(Verification {
        label: String::new(),
        verdict: a.decision.verdict.label().to_string(),
        predicted,
        rows,
        slope,
        pass,
        note,
    })
}

/// Operating-point symbols `cᵢ` get their values; a compensated layer's bias is shifted in the true network.
fn set_operating_points(
    a: &Analysis,
    inst: &mut Instance,
    truth: &mut Instance,
) -> Result<(), String> {
    for ly in &a.expansion.layers {
        if ly.op_point.is_zero() {
            continue;
        }
        let rows = ly.op_point.terms().next().and_then(|(c, _)| {
            c.factors().first().and_then(|f| match f {
                crate::algebra::Factor::Sym(s) => inst.symbols.get(s).map(|v| match v {
                    Val::M(m) => m.len(),
                    Val::V(v) => v.len(),
                    Val::S(_) => 1,
                }),
                _ => None,
            })
        });
        let rows = rows.unwrap_or(crate::numeric::DEFAULT_WIDTH);
        let c = eval_expr(&ly.op_point, inst, rows)?;
        if let Some(sym) = &ly.op_symbol {
            inst.symbols.insert(sym.clone(), c.clone());
        }
        if ly.compensated {
            let bias =
                crate::print::report::bias_name(ly).ok_or("no bias can absorb the O(1) part")?;
            let key = inst
                .symbols
                .keys()
                .find(|s| s.role == Role::User && s.name.unicode() == bias)
                .cloned()
                .ok_or("bias not found")?;
            let shifted = inst.symbols[&key].sub(&c)?;
            truth.symbols.insert(key, shifted);
        }
    }
    Ok(())
}

fn apply_linear(w: &Val, x: &Val, rows: usize) -> Result<Val, String> {
    Ok(match (w, x) {
        (Val::M(m), Val::V(v)) => Val::V(
            m.iter()
                .map(|r| r.iter().zip(v).map(|(a, b)| a * b).sum())
                .collect(),
        ),
        (Val::S(s), Val::V(v)) => Val::V(v.iter().map(|e| s * e).collect()),
        (Val::V(z), _) if z.iter().all(|e| *e == 0.0) => Val::V(vec![0.0; rows]),
        _ => return Err("W·x has mismatched shapes".into()),
    })
}

fn add(a: &Val, b: &Val) -> Result<Val, String> {
    match (a, b) {
        (Val::V(x), Val::V(y)) if x.len() == y.len() => {
            Ok(Val::V(x.iter().zip(y).map(|(p, q)| p + q).collect()))
        }
        (Val::V(x), Val::S(s)) | (Val::S(s), Val::V(x)) => {
            Ok(Val::V(x.iter().map(|p| p + s).collect()))
        }
        _ => Err("W·x + b has mismatched shapes".into()),
    }
}

fn least_squares_slope(pts: &[(f64, f64)]) -> Option<f64> {
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
    });
    (den > 0.0).then(|| num / den)
}

/// The input as a symbol.
pub fn input_symbol(name: &Name) -> Symbol {
    Symbol::user(name.clone(), Kind::Vector)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_power_law() {
        let pts: Vec<(f64, f64)> = [1e-1, 1e-2, 1e-3]
            .iter()
            .map(|s: &f64| (s.ln(), (2.0 * s.powi(3)).ln()))
            .collect();
        assert!((least_squares_slope(&pts).unwrap() - 3.0).abs() < 1e-9);
        assert_eq!(geometric(1e-1, 1e-4, 4).len(), 4);
    }
}
