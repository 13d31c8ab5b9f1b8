//! The radius of affinity σ*(τ) of a smooth network with numeric weights.
//!
//! With x = σ·ξ, the relative deviation ρ(σ) = ‖y − (W·x + b)‖₂ / ‖W·x‖₂ is, for small σ,
//! σ^(k−1)·‖N(ξ)‖₂/‖W·ξ‖₂ with N the first non-affine term (of order k). σ*(τ) is the scale
//! where ρ reaches τ: estimated from N, then measured on the true network (256-bit floats) by
//! bisection on a σ grid. Directions ξ are seeded draws; the worst one counts. σ* is a scale
//! read off those directions, not a bound for every input (none exists along W's null
//! directions), and the report says so.

use super::instance::{Evaluated, evaluate};
use crate::numeric::{Big, Real, Rng, Val, eval_expr, eval_ir};

pub(crate) use crate::analysis::instance::SigmaStar;

type B = Big<256>;

/// Seeded directions ξ (standard normal entries).
const DIRECTIONS: usize = 8;
const GRID: usize = 41;

/// log₂ ‖v‖₂, computed in `R` (−∞ for 0): in f64 the squares of entries below 2⁻⁵¹¹
/// underflow, and a saturated unit's slope is 10⁻¹⁷³ (from a review: such a network was said
/// to have no linear part).
fn log2_norm2<R: Real>(v: &Val<R>) -> f64 {
    let entries = v.entries();
    if entries.iter().any(|e| e.to_f64().is_nan()) {
        return f64::NAN;
    }
    let scale = (entries.iter()).fold(R::zero(), |m, e| m.max(&e.abs()));
    if !R::zero().lt(&scale) {
        return f64::NEG_INFINITY;
    }
    let sum = (entries.iter()).fold(R::zero(), |sum, e| {
        let r = e.div(&scale);
        sum.add(&r.mul(&r))
    });
    log2_abs(&scale) + 0.5 * libm::log2(sum.to_f64())
}

/// log₂ |x|, whatever its exponent.
fn log2_abs<R: Real>(x: &R) -> f64 {
    super::instance::float_num(x).log2_abs()
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
        // Terms whose order is not decided (bars of mixed orders): no estimate is read off
        // them (from a review, one was given for a deviation that starts at a higher order).
        _ if a.decision.mixed_bar.is_some() => return None,
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
    // A piece taken by a comparison closer than these floats resolve may be the wrong one (W
    // and b are then evaluated in wider floats; from a review, "W·ξ is 0 in every direction"
    // stood below a W of −5.9·10⁻⁶¹⁶ they had found). Only where the expansion assumed a point
    // off its breakpoints: one exactly on it (selu at 0) is expanded with both slopes.
    // Likewise where a sum there lost every digit (its rounding, times a large weight, may
    // have taken the piece).
    let ((ev, clean), cancelled) = crate::float::noting_cancellations(|| {
        crate::float::without_near_ties(|| evaluate::<B>(l, a, env, functions))
    });
    if !clean && super::instance::assumes_off_breakpoints(a) {
        return Err("not measured: an operating point is closer to a breakpoint than 256-bit floats resolve, and σ* is measured in 256- and 2048-bit floats".into());
    }
    if cancelled && super::instance::assumes_off_breakpoints(a) {
        return Err("not measured: a sum at the operating points lost every digit to a cancellation in 256-bit floats, which may have taken a piece, and σ* is measured in 256- and 2048-bit floats".into());
    }
    let ev = ev?;
    let mut rng = Rng::new(0x5157);
    let xis: Vec<Vec<f64>> = (0..DIRECTIONS)
        .map(|_| (0..ev.n).map(|_| rng.normal()).collect())
        .collect();
    // The estimate: ρ ≈ σ^(k−1)·‖N(ξ)‖/‖W·ξ‖. Norms are kept as log₂ (−∞ for 0): a slope
    // may be far below f64's range.
    let mut estimate = f64::INFINITY;
    let mut linear_part = false;
    // Whether the first non-affine term is non-zero in some direction (its estimate may still
    // be past f64's range: a term of 10⁻³⁴⁷ beside a slope of 2).
    let mut term_seen = false;
    // Below 2⁻²⁰⁰ a 256-bit value may be the residue of what cancels exactly (σ″(1) + σ″(−1)
    // leaves one near 10⁻⁷⁸, which is no term: an estimate from it would put σ* near 10⁷⁵), or
    // genuinely tiny (the slope of a sigmoid at −160 is 10⁻⁷⁰; from a review, such a network
    // was called degenerate): the same values in 2048-bit floats tell them apart.
    let mut wide: Option<Result<Evaluated<Big<2048>>, String>> = None;
    // Whether a direction's W·ξ is genuinely below 2⁻²⁰⁰ (then the measurement needs more bits).
    let mut tiny_slope = false;
    // log₂ of the smallest such W·ξ: the measurement's precision follows it.
    let mut smallest_slope = f64::INFINITY;
    for xi in &xis {
        let (mut wx, mut nx) = parts(&ev, a, xi)?;
        // No finite value in 256 bits (the log of 1 − tanh(400), which they round to 0): the
        // 2048-bit one, as for a value below their residues.
        let lost = |v: f64| v.is_nan() || v == f64::INFINITY;
        if lost(wx) {
            wx = f64::NEG_INFINITY;
        }
        if lost(nx) {
            nx = f64::NEG_INFINITY;
        }
        if wx < -200.0 || nx < wx.max(0.0) - 200.0 {
            let w = wide.get_or_insert_with(|| evaluate::<Big<2048>>(l, a, env, functions));
            let (wx2, nx2) = match w {
                Ok(w) => parts(w, a, xi)?,
                Err(_) => (f64::NEG_INFINITY, f64::NEG_INFINITY),
            };
            // The 2048-bit value where the two agree, or where 256 bits lost it (1 − tanh(100)²
            // is 0 there) and 2048 bits hold it far above their own residues; else 0.
            let confirmed = |v: f64, v2: f64, scale: f64| {
                let agree = v2.is_finite() && (v - v2).abs() <= 2f64.powi(-40);
                if agree || v2 > scale + f64::from(super::instance::WIDE_GENUINE_LOG2) {
                    v2
                } else {
                    f64::NEG_INFINITY
                }
            };
            if wx < -200.0 {
                wx = confirmed(wx, wx2, 0.0);
                tiny_slope |= wx.is_finite();
                if wx.is_finite() {
                    smallest_slope = smallest_slope.min(wx);
                }
            }
            if nx < wx.max(0.0) - 200.0 {
                nx = confirmed(nx, nx2, wx.max(0.0));
            }
        }
        linear_part |= wx.is_finite();
        term_seen |= nx.is_finite() && wx.is_finite();
        if nx.is_finite() && wx.is_finite() {
            let log2 = (libm::log2(tau) + wx - nx) / f64::from(k - 1);
            estimate = estimate.min(libm::exp2(log2));
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
        // Not "degenerate": the network may be constant (neurons that cancel), or its slope
        // below what 2048-bit floats resolve (tanh at a bias of 1000; from a review).
        return Err(
            "W·ξ is 0 in every direction drawn (in 2048-bit floats where 256 bits gave 0): the linear part vanishes at these values, or is below what those floats resolve, and σ* relative to ‖W·x‖ is not defined".into(),
        );
    } else if unexpanded {
        notes.push(format!(
            "the first non-affine term of order {k} was not formed in the input's terms (limit `max_terms`); σ* is measured only"
        ));
        None
    } else if term_seen {
        notes.push(format!(
            "the first non-affine term of order {k} is so small beside {w}·ξ that the estimate from it is past f64's range (σ* above 10³⁰⁸); σ* is measured only",
            w = a.form.w.unicode()
        ));
        None
    } else {
        notes.push(format!(
            "the first non-affine term of order {k} is 0 in every direction drawn, in 256-bit floats (below 2⁻²⁰⁰ of ‖{w}·ξ‖: a special operating point, such as 0 for tanh″, or weights that cancel it); σ* is measured only",
            w = a.form.w.unicode()
        ));
        None
    };
    // σ* is taken over the drawn directions. Where W has fewer rows than columns, W·x = 0 on
    // a subspace of directions, along which the deviation is no fraction of ‖W·x‖ at any σ > 0
    // (from a review: a 2 → 1 network's σ* was read as a bound for every input).
    if let Val::M(m) = &ev.w
        && m.len() < m.first().map_or(0, Vec::len)
    {
        notes.push(format!(
            "{w} has {} row{} and {} columns, so {w}·{x} = 0 along a subspace of directions, where the deviation exceeds τ·‖{w}·{x}‖₂ at every σ > 0: σ* describes the drawn directions, not every input",
            m.len(),
            if m.len() == 1 { "" } else { "s" },
            m.first().map_or(0, Vec::len),
            w = a.form.w.unicode(),
            x = a.form.input.unicode(),
        ));
    }
    let center = estimate.unwrap_or(1e-1);
    // The measurement on the true network (the truth instance has the operating points' inputs).
    // As many bits as resolve the deviation, about τ·σ·‖W·ξ‖, next to an output of order 1:
    // 512 for W·ξ down to about 2⁻²⁸⁰, 1024 down to 2⁻⁷⁸⁰, else 2048 (which a 72×72 network
    // at a bias of −160 needed 22 s for; from a review). 256 where none is tiny, or where the
    // wider evaluation fails.
    let wider = if !tiny_slope {
        None
    } else if smallest_slope > -280.0 {
        evaluate::<Big<512>>(l, a, env, functions)
            .ok()
            .map(Wider::At512)
    } else if smallest_slope > -780.0 {
        evaluate::<Big<1024>>(l, a, env, functions)
            .ok()
            .map(Wider::At1024)
    } else {
        wide.and_then(Result::ok).map(Wider::At2048)
    };
    let bits = wider.as_ref().map_or(256, Wider::bits);
    let rho = |sigma: f64| -> Result<f64, String> {
        if crate::limits::interrupted() {
            return Err("the time budget of the statement ran out".into());
        }
        let mut worst = 0.0f64;
        for xi in &xis {
            let r = match &wider {
                Some(Wider::At512(w)) => deviation(l, w, a, xi, sigma)?,
                Some(Wider::At1024(w)) => deviation(l, w, a, xi, sigma)?,
                Some(Wider::At2048(w)) => deviation(l, w, a, xi, sigma)?,
                None => deviation(l, &ev, a, xi, sigma)?,
            };
            // A deviation that is no number (past the edge of a log's domain, or the log of
            // what these floats round to 0) is no measurement: f64's max would drop it (from a
            // review, "the deviation stays at the rounding … may be affine exactly" was said of
            // such a network). The grid stops before it.
            if r.is_nan() {
                return Ok(f64::NAN);
            }
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
    let full = curve.len();
    let curve: Vec<(f64, f64)> = curve.into_iter().take_while(|(_, r)| !r.is_nan()).collect();
    if curve.is_empty() {
        return Err(format!(
            "the network has no finite value in {bits}-bit floats on the σ grid from σ = {}, so the deviation is not measured",
            super::render::sig6(lo)
        ));
    }
    if curve.len() < full {
        let last = curve.last().map_or(lo, |(s, _)| *s);
        notes.push(format!(
            "the network has no finite value in {bits}-bit floats past σ = {} (the edge of its domain, or of the floats'): the grid stops there",
            super::render::sig6(last)
        ));
    }
    let mut measured = None;
    if let Some(i) = curve.iter().position(|(_, r)| *r >= tau)
        && i > 0
    {
        let (mut a_, mut b_) = (curve[i - 1].0, curve[i].0);
        for _ in 0..30 {
            // The geometric mean without the product, which leaves f64's range past 10^±154.
            let m = a_.sqrt() * b_.sqrt();
            // (No value there counts as past τ: the domain's edge is past the crossing.)
            let r = rho(m)?;
            if r.is_nan() || r >= tau {
                b_ = m;
            } else {
                a_ = m;
            }
        }
        measured = Some(a_.sqrt() * b_.sqrt());
    }
    // The order the deviation shows: the slope of log ρ over the smallest σ of the grid, from
    // deviations well above the floats' rounding (from a review: a network that is affine
    // exactly showed "σ^0.07", the slope of its rounding errors).
    let rounding = libm::exp2(-(f64::from(bits)) / 2.0);
    let small: Vec<(f64, f64)> = curve
        .iter()
        .filter(|(_, r)| *r > rounding && *r < tau)
        .take(6)
        .map(|(s, r)| (libm::log(*s), libm::log(*r)))
        .collect();
    if curve.iter().all(|(_, r)| *r <= rounding) {
        notes.push(format!(
            "the deviation stays at the rounding of {bits}-bit floats (below 2{}) on the whole σ grid: the network may be affine exactly there, and no order is read from it",
            crate::syntax::names::superscript(-i64::from(bits / 2))
        ));
    }
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
            super::render::sig6(curve.last().map_or(hi, |(s, _)| *s))
        )),
    }
    Ok(SigmaStar {
        tau,
        k,
        bits,
        estimate,
        measured_order,
        measured,
        curve,
        directions: xis.clone(),
        notes,
    })
}

/// The network evaluated wider than 256 bits for the measurement, where W·ξ is tiny.
enum Wider {
    At512(Evaluated<Big<512>>),
    At1024(Evaluated<Big<1024>>),
    At2048(Evaluated<Big<2048>>),
}

impl Wider {
    fn bits(&self) -> u32 {
        match self {
            Wider::At512(_) => 512,
            Wider::At1024(_) => 1024,
            Wider::At2048(_) => 2048,
        }
    }
}

/// log₂ of ‖W·ξ‖₂ and ‖N(ξ)‖₂ (N the first non-affine term), evaluated in `R`, for one
/// direction ξ.
fn parts<R: Real>(
    ev: &Evaluated<R>,
    a: &crate::analysis::Analysis,
    xi: &[f64],
) -> Result<(f64, f64), String> {
    let mut i = ev.inst.clone();
    let x = Val::V(xi.iter().map(|v| R::of_f64(*v)).collect());
    i.symbols.insert(a.input.clone(), x.clone());
    let wx = log2_norm2(&ev.w.matmul(&x)?);
    let nx = log2_norm2(&eval_expr(&a.decision.leading_full, &mut i, ev.rows)?);
    Ok((wx, nx))
}

/// ρ = ‖y − (W·x + b)‖₂/‖W·x‖₂ at x = σ·ξ, evaluated in `R`.
fn deviation<R: Real>(
    l: &crate::ir::Lowered,
    ev: &Evaluated<R>,
    a: &crate::analysis::Analysis,
    xi: &[f64],
    sigma: f64,
) -> Result<f64, String> {
    let mut i = ev.inst.clone();
    let x = Val::V(xi.iter().map(|v| R::of_f64(v * sigma)).collect());
    i.symbols.insert(a.input.clone(), x.clone());
    let y = eval_ir(&l.ir, &mut i)?;
    let wx = ev.w.matmul(&x)?;
    let lin = wx.add(&ev.b)?;
    Ok(libm::exp2(log2_norm2(&y.sub(&lin)?) - log2_norm2(&wx)))
}
