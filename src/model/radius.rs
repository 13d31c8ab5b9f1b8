//! The radius of affinity σ*(τ) of a smooth network with numeric weights.
//!
//! With x = σ·ξ, the relative deviation ρ(σ) = ‖y − (W·x + b)‖₂ / ‖W·x‖₂ is, for small σ,
//! σ^(k−1)·‖N(ξ)‖₂/‖W·ξ‖₂ with N the first non-affine term (of order k). σ*(τ) is the scale
//! where ρ reaches τ: estimated from N, then measured on the true network (256-bit floats) by
//! bisection on a σ grid. Directions ξ are seeded draws; the worst one counts.

use super::instance::evaluate;
use crate::numeric::{Big, Instance, Real, Rng, Val, eval_expr, eval_ir};

pub(crate) use crate::analysis::instance::SigmaStar;

type B = Big<256>;

/// Seeded directions ξ (standard normal entries).
const DIRECTIONS: usize = 8;
const GRID: usize = 41;

fn norm2<R: Real>(v: &Val<R>) -> f64 {
    match v {
        Val::S(x) => x.to_f64().abs(),
        Val::V(x) => x.iter().map(|e| e.to_f64().powi(2)).sum::<f64>().sqrt(),
        Val::M(m) => m
            .iter()
            .flatten()
            .map(|e| e.to_f64().powi(2))
            .sum::<f64>()
            .sqrt(),
    }
}

/// σ* for a smooth network whose W, b and leading term have numeric values.
pub(crate) fn sigma_star(
    model: &super::Model,
    report: &crate::analysis::Report,
    env: &crate::ir::Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    tau: f64,
) -> Option<Result<SigmaStar, String>> {
    let a = &report.main;
    let k = match a.decision.verdict {
        crate::analysis::Verdict::Affine { k: Some(k) } if k >= 2 => k,
        _ => return None,
    };
    Some(measure(model, a, env, functions, tau, k))
}

fn measure(
    model: &super::Model,
    a: &crate::analysis::Analysis,
    env: &crate::ir::Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    tau: f64,
    k: u32,
) -> Result<SigmaStar, String> {
    let l = &model.lowered;
    let opts = crate::verify::VerifyOptions {
        draws: DIRECTIONS as u64,
        sigmas: vec![1.0; GRID + 40],
        ..Default::default()
    };
    crate::verify::check_work(l, &opts)?;
    let ev = evaluate::<B>(l, a, env, functions)?;
    let mut rng = Rng::new(0x5157);
    let xis: Vec<Vec<f64>> = (0..DIRECTIONS)
        .map(|_| (0..ev.n).map(|_| rng.normal()).collect())
        .collect();
    let at = |inst: &Instance<B>, xi: &[f64], sigma: f64| {
        let mut i = inst.clone();
        i.symbols.insert(
            a.input.clone(),
            Val::V(xi.iter().map(|v| B::of_f64(v * sigma)).collect()),
        );
        i
    };
    // The estimate: ρ ≈ σ^(k−1)·‖N(ξ)‖/‖W·ξ‖.
    let mut estimate = f64::INFINITY;
    let (mut linear_part, mut leading_part) = (false, false);
    for xi in &xis {
        let mut i = at(&ev.inst, xi, 1.0);
        let x = i
            .symbols
            .get(&a.input)
            .cloned()
            .unwrap_or(Val::V(Vec::new()));
        let wx = norm2(&ev.w.matmul(&x)?);
        // Likewise W·ξ where W cancels exactly (a network constant near x₀).
        let wx = if wx < 2f64.powi(-200) { 0.0 } else { wx };
        let nx = norm2(&eval_expr(&a.decision.leading_full, &mut i, ev.rows)?);
        // What cancels exactly (σ″(1) + σ″(−1)) leaves a 256-bit residue near 10⁻⁷⁸, which is
        // no term: an estimate from it would put σ* near 10⁷⁵.
        let nx = if nx < wx.max(1.0) * 2f64.powi(-200) {
            0.0
        } else {
            nx
        };
        linear_part |= wx > 0.0;
        leading_part |= nx > 0.0;
        if nx > 0.0 && wx > 0.0 {
            estimate = estimate.min((tau * wx / nx).powf(1.0 / f64::from(k - 1)));
        }
    }
    let mut notes = Vec::new();
    let unexpanded = a
        .unexpanded
        .iter()
        .any(|x| matches!(x, crate::analysis::Unexpanded::InputTerms { .. }));
    let estimate = if estimate.is_finite() {
        Some(estimate)
    } else if !linear_part {
        // Nothing to measure against: the deviation relative to ‖W·x‖ = 0 is no number.
        return Err(format!(
            "W·ξ is 0 in every direction drawn: the linear part vanishes at these values, so the network is degenerate here (its leading term is the one of order {k}{}), and σ* relative to ‖W·x‖ is not defined",
            if leading_part { "" } else { " or higher" }
        ));
    } else if unexpanded {
        notes.push(format!(
            "the first non-affine term of order {k} was not formed in the input's terms (limit `max_terms`); σ* is measured only"
        ));
        None
    } else {
        notes.push(format!(
            "the first non-affine term of order {k} is 0 in every direction drawn, in 256-bit floats (below 2⁻²⁰⁰ of ‖W·ξ‖: a special operating point, such as 0 for tanh″, or weights that cancel it); σ* is measured only"
        ));
        None
    };
    let center = estimate.unwrap_or(1e-1);
    // The measurement on the true network (the truth instance has the operating points' inputs).
    let rho = |sigma: f64| -> Result<f64, String> {
        if crate::limits::interrupted() {
            return Err("the time budget of the statement ran out".into());
        }
        let mut worst = 0.0f64;
        for xi in &xis {
            let mut i = at(&ev.inst, xi, sigma);
            let x = i
                .symbols
                .get(&a.input)
                .cloned()
                .unwrap_or(Val::V(Vec::new()));
            let y = eval_ir(&l.ir, &mut i)?;
            let wx = ev.w.matmul(&x)?;
            let lin = wx.add(&ev.b)?;
            let r = norm2(&y.sub(&lin)?) / norm2(&wx);
            worst = worst.max(r);
        }
        Ok(worst)
    };
    let (lo, hi) = (center * 1e-3, center * 1e2);
    let curve: Vec<(f64, f64)> = crate::verify::geometric(hi, lo, GRID)
        .into_iter()
        .rev()
        .map(|s| rho(s).map(|r| (s, r)))
        .collect::<Result<_, _>>()?;
    let mut measured = None;
    if let Some(i) = curve.iter().position(|(_, r)| *r >= tau)
        && i > 0
    {
        let (mut a_, mut b_) = (curve[i - 1].0, curve[i].0);
        for _ in 0..30 {
            let m = (a_ * b_).sqrt();
            if rho(m)? >= tau {
                b_ = m;
            } else {
                a_ = m;
            }
        }
        measured = Some((a_ * b_).sqrt());
    }
    // The order the deviation shows: the slope of log ρ over the smallest σ of the grid.
    let small: Vec<(f64, f64)> = curve
        .iter()
        .filter(|(_, r)| *r > 0.0 && *r < tau)
        .take(6)
        .map(|(s, r)| (s.ln(), r.ln()))
        .collect();
    let measured_order = (small.len() >= 2).then(|| {
        let (a0, b0) = small[0];
        let (a1, b1) = small[small.len() - 1];
        1.0 + (b1 - b0) / (a1 - a0)
    });
    match (measured, estimate) {
        (Some(m), Some(e)) if m / e > 2.0 || e / m > 2.0 => notes.push(format!(
            "the estimate and the measurement disagree by more than 2× ({:.2}×): at σ* the first non-affine term does not dominate the deviation",
            (m / e).max(e / m)
        )),
        (Some(_), _) => {}
        (None, _) if curve.first().is_some_and(|(_, r)| *r >= tau) => notes.push(format!(
            "the deviation is above τ already at σ = {}",
            super::render::sig6(lo)
        )),
        (None, _) => notes.push(format!(
            "the deviation stays below τ up to σ = {}",
            super::render::sig6(hi)
        )),
    }
    Ok(SigmaStar {
        tau,
        k,
        estimate,
        measured_order,
        measured,
        curve,
        directions: xis.clone(),
        notes,
    })
}
