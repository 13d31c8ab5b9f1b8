//! The numeric checks: each claim of an analysis against the true network.
//!
//! The true network is [`eval_ir`] of the lowered IR: activations from their
//! definitions, `if` branches taken numerically, nothing from the series
//! engine or the normal form. The claims (`W`, `b`, the first non-affine term,
//! each derivation equation) are evaluated with [`eval_expr`]. A check runs in
//! f64 where its tolerance is far above f64 rounding and in 128-bit floats
//! where it is not (a residual of 10⁻²⁰ must be measured, not rounded); the
//! verdict and k reuse [`crate::verify`], which fits the residual slope and
//! raises the precision itself.
//!
//! Each check takes the claim as an argument, so the tests can hand it a wrong
//! one and see it fail.

use crate::algebra::Expr;
use crate::analysis::{Analysis, Verdict, set_constants_before};
use crate::derive::Step;
use crate::ir::{Callee, Lowered};
use crate::numeric::{
    Big, DEFAULT_WIDTH, Instance, Real, Val, apply, eval_expr, eval_expr_shaped, eval_ir,
};
use crate::syntax::Name;
use std::collections::BTreeMap;

/// The number type of the checks when f64 cannot resolve the residual.
pub(crate) type B = Big<128>;

/// Which claim a disagreement is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckKind {
    /// The verdict and k, by the residual slope of `y − (W·x + b)` against σ.
    Verdict,
    /// The same, for the compensated analysis.
    CompensatedVerdict,
    /// The verdict a condition states (`there the network is exact-affine`), at the parameter's value.
    Condition,
    /// `W` against the numerical Jacobian of the true network at `x = 0`.
    Jacobian,
    /// `b` against the true network's value at `x = 0`.
    Value,
    /// The first non-affine term against the affine defect `y(x+x′) − y(x) − y(x′) + y(0)`.
    FirstTerm,
    /// A derivation equation `lhs = rhs + O(εⁿ)` at random points.
    Step,
    /// The analysis panicked or failed on a well-formed network.
    Analysis,
}

impl CheckKind {
    /// The check's name in reports (`first non-affine term`).
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Verdict => "verdict",
            CheckKind::CompensatedVerdict => "compensated verdict",
            CheckKind::Condition => "condition",
            CheckKind::Jacobian => "W",
            CheckKind::Value => "b",
            CheckKind::FirstTerm => "first non-affine term",
            CheckKind::Step => "derivation step",
            CheckKind::Analysis => "analysis",
        }
    }
}

/// A claim the measurement contradicts (or that could not be measured: `unchecked`).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Which check failed.
    pub kind: CheckKind,
    /// What the analysis says.
    pub claim: String,
    /// What the true network does.
    pub measurement: String,
    /// The claim has no numeric value (an opaque atom, an evaluation error): not a measured contradiction.
    pub unchecked: bool,
}

impl Finding {
    fn wrong(kind: CheckKind, claim: impl Into<String>, measurement: impl Into<String>) -> Finding {
        Finding {
            kind,
            claim: claim.into(),
            measurement: measurement.into(),
            unchecked: false,
        }
    }
    fn unchecked(kind: CheckKind, claim: impl Into<String>, why: impl Into<String>) -> Finding {
        Finding {
            kind,
            claim: claim.into(),
            measurement: format!("could not be evaluated: {}", why.into()),
            unchecked: true,
        }
    }
}

/// What the checks need besides the claim: the network, the analysis, values of functions and parameters.
pub(crate) struct Context<'a> {
    pub lowered: &'a Lowered,
    pub analysis: &'a Analysis,
    pub functions: &'a BTreeMap<String, Callee>,
    pub params: BTreeMap<Name, f64>,
    /// Seeds of the random draws (one per draw).
    pub seeds: Vec<u64>,
}

impl Context<'_> {
    /// Random values at scale σ, with each symbolic operating point `cₗ` set to its value and,
    /// when `layers` is set, each layer variable `uₗ` to the value of what it stands for.
    fn instance<R: Real>(
        &self,
        sigma: f64,
        seed: u64,
        layers: bool,
    ) -> Result<Instance<R>, String> {
        let a = self.analysis;
        let drawn = Instance::random(&self.lowered.symbols, &a.small, sigma, seed, &self.params);
        let mut inst: Instance<R> = drawn.lift();
        inst.functions = self.functions.clone();
        for ly in &a.expansion.layers {
            set_constants_before(&a.expansion.constants, ly.index, &mut inst)?;
            if let Some(sym) = &ly.op_symbol
                && !ly.op_point.is_zero()
            {
                let rows = rows_of(&ly.op_point, &inst);
                let c = eval_expr(&ly.op_point, &mut inst, rows)?;
                inst.symbols.insert(sym.clone(), c);
            }
        }
        set_constants_before(&a.expansion.constants, usize::MAX, &mut inst)?;
        if layers {
            for ly in &a.expansion.layers {
                // uₗ first, then δₗ (at a kink), which is written with uₗ.
                for (sym, value) in ly.var.iter().chain(ly.whole.iter()) {
                    let rows = rows_of(value, &inst);
                    let v = eval_expr(value, &mut inst, rows)?;
                    inst.symbols.insert(sym.clone(), v);
                }
            }
        }
        Ok(inst)
    }

    /// The input's drawn value: a vector, or a token matrix (`:input X`).
    fn input<R: Real>(&self, inst: &Instance<R>) -> Result<Val<R>, String> {
        match inst.symbols.get(&self.analysis.input) {
            Some(v @ (Val::V(_) | Val::M(_))) => Ok(v.clone()),
            _ => Err("the input has no vector or matrix value".into()),
        }
    }

    /// The true network with the input set to `x`.
    fn truth<R: Real>(&self, inst: &Instance<R>, x: &Val<R>) -> Result<Val<R>, String> {
        let mut i = inst.clone();
        i.symbols.insert(self.analysis.input.clone(), x.clone());
        eval_ir(&self.lowered.ir, &mut i)
    }

    /// A normal form with the input set to `x`, in the shape of `like` (the true network's
    /// value it is compared with): a zero claim is zero of that shape, and a trailing row `𝟙ᵀ`
    /// is as long as `like` is wide.
    fn claim<R: Real>(
        &self,
        e: &Expr,
        inst: &Instance<R>,
        x: &Val<R>,
        like: &Val<R>,
    ) -> Result<Val<R>, String> {
        if e.is_zero() {
            return Ok(zero_like(like));
        }
        let cols = match like {
            Val::M(m) => m.first().map(Vec::len),
            _ => None,
        };
        let mut i = inst.clone();
        i.symbols.insert(self.analysis.input.clone(), x.clone());
        eval_expr_shaped(e, &mut i, like.rows(), cols)
    }

    /// Whether the input is a token matrix, whose linear part is the map `𝓛(X)` itself.
    fn matrix_input(&self) -> bool {
        self.analysis.input.kind == crate::algebra::Kind::Matrix
    }
}

/// The height of an expression's value: that of its first symbol (the default width otherwise).
fn rows_of<R: Real>(e: &Expr, inst: &Instance<R>) -> usize {
    e.terms()
        .find_map(|(c, _)| {
            c.factors().first().and_then(|f| match f {
                crate::algebra::Factor::Sym(s) => inst.symbols.get(s).map(Val::rows),
                _ => None,
            })
        })
        .unwrap_or(DEFAULT_WIDTH)
}

fn norm<R: Real>(v: &Val<R>) -> f64 {
    v.norm_inf().to_f64()
}

/// The zero of an input's shape.
fn zero_like<R: Real>(x: &Val<R>) -> Val<R> {
    x.map(&|_| R::zero())
}

/// How many entries an input has (a vector's length, a matrix's n·d).
fn entry_count<R: Real>(x: &Val<R>) -> usize {
    match x {
        Val::S(_) => 1,
        Val::V(v) => v.len(),
        Val::M(m) => m.iter().map(Vec::len).sum(),
    }
}

/// `value` times the j-th basis element of an input's shape (`eⱼ`, or `E_ik` row by row).
fn basis<R: Real>(shape: &Val<R>, j: usize, value: R) -> Val<R> {
    let mut out = zero_like(shape);
    match &mut out {
        Val::S(s) => *s = value,
        Val::V(v) => v[j] = value,
        Val::M(m) => {
            let cols = m.first().map_or(1, Vec::len).max(1);
            m[j / cols][j % cols] = value;
        }
    }
    out
}

/// The verdict and k: the residual slope of `y − (W·x + b)` (a kink: a relative residual that does not shrink).
fn check_verdict(cx: &Context, a: &Analysis, kind: CheckKind) -> Option<Finding> {
    let claim = match &a.decision.verdict {
        Verdict::Affine { k: Some(k) } => format!("affine, k = {k}"),
        Verdict::Degenerate { k } => format!("degenerate, k = {k}"),
        v => v.label().to_string(),
    };
    let opts = crate::verify::VerifyOptions {
        seed: cx.seeds.first().copied().unwrap_or(1),
        params: cx.params.clone(),
        ..Default::default()
    };
    match crate::verify::verify(cx.lowered, a, cx.functions, &opts) {
        Ok(v) if v.pass => None,
        Ok(v) => {
            // The claim is asymptotic: a σ grid ten times smaller decides when the first did not
            // reach the asymptotic regime (an operating point near a breakpoint, a large next order).
            let smaller = crate::verify::VerifyOptions {
                sigmas: crate::verify::geometric(1e-2, 1e-5, 7),
                ..opts
            };
            match crate::verify::verify(cx.lowered, a, cx.functions, &smaller) {
                Ok(w) if w.pass => None,
                Ok(w) => Some(Finding::wrong(
                    kind,
                    claim,
                    format!("σ ∈ [1e-4, 1e-1]: {}; σ ∈ [1e-5, 1e-2]: {}", v.note, w.note),
                )),
                Err(e) => Some(Finding::unchecked(kind, claim, e)),
            }
        }
        Err(e) => Some(Finding::unchecked(kind, claim, e)),
    }
}

/// The scale of the input for the `W` and `b` checks: small enough that O(σ²) is far below the tolerance.
const SIGMA_AFFINE: f64 = 1e-8;
/// The central-difference step of the Jacobian in f64 (its error is O(h²), rounding adds 10⁻¹⁶/h).
const JACOBIAN_STEP: f64 = 1e-6;
/// The second scale and step, in 128-bit floats, for a draw whose constants are large.
const SIGMA_AFFINE_BIG: f64 = 1e-10;
const JACOBIAN_STEP_BIG: f64 = 1e-15;

/// What one draw of the `W`/`b` check measured.
struct AffineDraw {
    /// max |∂y/∂x − W| and max |∂y/∂x|.
    dw: f64,
    size: f64,
    /// ‖y(0) − b‖∞ and ‖y(0)‖∞.
    db: f64,
    y0: f64,
}

impl AffineDraw {
    fn bad_w(&self) -> bool {
        self.dw.is_nan() || self.dw > 1e-4 * self.size.max(1.0)
    }
    fn bad_b(&self, sigma: f64) -> bool {
        self.db.is_nan() || self.db > 1e-4 * sigma * self.y0.max(1.0)
    }
}

fn affine_draw<R: Real>(
    cx: &Context,
    w: &Expr,
    b: &Expr,
    seed: u64,
    sigma: f64,
    step: f64,
) -> Result<AffineDraw, String> {
    let inst = cx.instance::<R>(sigma, seed, false)?;
    let zero = zero_like(&cx.input(&inst)?);
    let y0 = cx.truth(&inst, &zero)?;
    let bv = cx.claim(b, &inst, &zero, &y0)?;
    // W's columns are W·eⱼ, evaluated as the product: a row `𝟙ᵀ` in W takes its length from
    // the input there, which W alone does not say. A token matrix's W is the map 𝓛(X) itself,
    // applied to each basis matrix E_ik and compared with ∂Y/∂X_ik as a whole.
    let wx = if cx.matrix_input() {
        w.clone()
    } else {
        w.mul(
            &Expr::symbol(cx.analysis.input.clone()),
            &crate::algebra::Trunc::exact(),
        )
        .map_err(|e| e.to_string())?
    };
    let (mut dw, mut size) = (0.0f64, 0.0f64);
    let two_h = R::of_f64(2.0 * step);
    for j in 0..entry_count(&zero) {
        let wcol = cx.claim(&wx, &inst, &basis(&zero, j, R::one()), &y0)?;
        let up = cx.truth(&inst, &basis(&zero, j, R::of_f64(step)))?;
        let down = cx.truth(&inst, &basis(&zero, j, R::of_f64(-step)))?;
        let derivative = up.sub(&down)?.map(&|d| d.div(&two_h));
        if cx.matrix_input() {
            let d = norm(&derivative.sub(&wcol)?);
            dw = if d.is_nan() { f64::NAN } else { dw.max(d) };
            size = size.max(norm(&derivative));
            continue;
        }
        let col: Vec<R> = match derivative {
            Val::V(v) => v,
            Val::S(s) => vec![s],
            Val::M(_) => return Err("a matrix-valued network".into()),
        };
        for (i, jij) in col.iter().enumerate() {
            let wij = match &wcol {
                Val::V(v) => v.get(i).cloned().unwrap_or_else(R::zero),
                other => entry(other, i, 0),
            };
            let d = jij.sub(&wij).abs().to_f64();
            dw = if d.is_nan() { f64::NAN } else { dw.max(d) };
            size = size.max(jij.abs().to_f64());
        }
    }
    Ok(AffineDraw {
        dw,
        size,
        db: norm(&y0.sub(&bv)?),
        y0: norm(&y0),
    })
}

/// `W` against the numerical Jacobian and `b` against the value, at `x = 0` with the small symbols at σ = 10⁻⁸.
///
/// Below order k the true network is `b + W·x + O(εᵏ)` with k ≥ 2, so the Jacobian differs from `W`
/// by O(σ) and the value from `b` by O(σ²); a wrong `W` or `b` differs by O(1) or O(σ). When the
/// constants are large (`exp(W3·exp(…))`) the O(σ) part can exceed the tolerance: then σ = 10⁻¹⁰ in
/// 128-bit floats decides, where a right claim's discrepancy has shrunk with σ and a wrong one's has not.
fn check_affine_part(cx: &Context, w: &Expr, b: &Expr) -> Vec<Finding> {
    let mut out = Vec::new();
    if matches!(cx.analysis.decision.verdict, Verdict::Kink) {
        return out;
    }
    let wclaim = format!("W = {}", crate::print::unicode(w));
    let bclaim = format!("b = {}", crate::print::unicode(b));
    let (s1, s2) = (SIGMA_AFFINE, SIGMA_AFFINE_BIG);
    for &seed in &cx.seeds {
        let r = (|| -> Result<(Option<String>, Option<String>), String> {
            let first = affine_draw::<f64>(cx, w, b, seed, s1, JACOBIAN_STEP)?;
            if !first.bad_w() && !first.bad_b(s1) {
                return Ok((None, None));
            }
            let second = affine_draw::<B>(cx, w, b, seed, s2, JACOBIAN_STEP_BIG)?;
            // W: a right claim's discrepancy is O(σ), 100 times smaller at the second σ.
            let bad_w = first.bad_w() && second.bad_w() && second.dw > 0.1 * first.dw;
            // b: a right claim's discrepancy is O(σ²); a wrong one's is O(σ) or O(1).
            let bad_b = first.bad_b(s1) && second.bad_b(s2) && second.db / s2 > 0.1 * first.db / s1;
            Ok((
                bad_w.then(|| {
                    format!(
                        "max |∂y/∂x − W| = {:.3e} at x = 0, σ = {s1:.0e}, and {:.3e} at σ = {s2:.0e} (max |∂y/∂x| = {:.3e})",
                        first.dw, second.dw, first.size
                    )
                }),
                bad_b.then(|| {
                    format!(
                        "‖y(0) − b‖∞ = {:.3e} at σ = {s1:.0e}, {:.3e} at σ = {s2:.0e} (expected O(σ²), ‖y(0)‖∞ = {:.3e})",
                        first.db, second.db, first.y0
                    )
                }),
            ))
        })();
        match r {
            Ok((bad_w, bad_b)) => {
                if let Some(m) = bad_w {
                    out.push(Finding::wrong(CheckKind::Jacobian, wclaim.clone(), m));
                }
                if let Some(m) = bad_b {
                    out.push(Finding::wrong(CheckKind::Value, bclaim.clone(), m));
                }
            }
            Err(e) => out.push(Finding::unchecked(
                CheckKind::Jacobian,
                format!("{wclaim}; {bclaim}"),
                e,
            )),
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// The scales of the check of the parts of `W` and `b` that carry small parameters, and the
/// step of its Jacobian (about the cube root of 128-bit rounding, where the central
/// difference's O(h²) error and the rounding's O(1/h) meet, near 10⁻²⁵).
const SIGMA_PARTS: [f64; 2] = [1e-4, 1e-5];
const PARTS_STEP: f64 = 1e-13;
/// Below this (relative to the value's size) a discrepancy is the measurement's own noise.
const PARTS_FLOOR: f64 = 1e-21;

/// The parts of `W` and `b` that carry small parameters (a small `γ`, a small matrix `V`
/// beside the input), which [`check_affine_part`] cannot see: they are O(σ) or smaller, as is
/// the distance by which a right claim misses the truth, so its tolerance hides a wrong factor
/// on them. What separates the two is how fast they shrink. Below order k the truth is
/// `b + W·x + O(εᵏ)`: with the small parameters at σ (and `x` at 0), a right `W` misses the
/// Jacobian by O(σᵏ⁻¹) and a right `b` the value by O(σᵏ), while a wrong part of ε-degree p
/// (p ≤ k − 2 in `W`, p ≤ k − 1 in `b`) misses it by σᵖ. Over a decade of σ a right claim's
/// discrepancy shrinks at least 10ᵏ⁻¹ (10ᵏ) times, a wrong one's at most 10ᵏ⁻² (10ᵏ⁻¹): the
/// check asks for more than √10 beyond the latter. An exactly affine network's truth is
/// `b + W·x` itself, so there any discrepancy above the noise is wrong.
///
/// Not decided here: a verdict with no k (nothing non-affine up to the search order) and a kink.
fn check_small_parts(cx: &Context, w: &Expr, b: &Expr) -> Vec<Finding> {
    let k = match cx.analysis.decision.verdict {
        Verdict::ExactAffine => None,
        Verdict::Affine { k: Some(k) } | Verdict::Degenerate { k } => Some(k),
        Verdict::Affine { k: None } | Verdict::Kink => return vec![],
    };
    let mut degrees = crate::algebra::Trunc::exact();
    degrees.small = cx.analysis.small.clone();
    let carries_small = |e: &Expr| e.terms().any(|(c, _)| degrees.degree(c) > 0);
    let (check_w, check_b) = (carries_small(w), carries_small(b));
    if !check_w && !check_b {
        return vec![];
    }
    // A right claim's discrepancy shrinks 10^(shrink) times over the decade at least.
    let wrong = |first: f64, second: f64, size: f64, shrink: Option<u32>| {
        let floor = PARTS_FLOOR * size.max(1.0);
        if first.is_nan() || second.is_nan() {
            return true;
        }
        match shrink {
            None => first > floor && second > floor,
            Some(e) => {
                let at_least = 10f64.powi(i32::try_from(e).unwrap_or(i32::MAX).min(300));
                first > floor && second > floor && second * at_least > first * 10f64.sqrt()
            }
        }
    };
    let mut out = Vec::new();
    for &seed in &cx.seeds {
        let draws = SIGMA_PARTS
            .iter()
            .map(|&sigma| affine_draw::<B>(cx, w, b, seed, sigma, PARTS_STEP))
            .collect::<Result<Vec<_>, String>>();
        let (first, second) = match draws.as_deref() {
            Ok([first, second]) => (first, second),
            Ok(_) => return out,
            Err(e) => {
                out.push(Finding::unchecked(
                    CheckKind::Jacobian,
                    "the parts of W and b that carry small parameters",
                    e.clone(),
                ));
                return out;
            }
        };
        // One claim, its two discrepancies, the size they are measured against, the shrink a
        // right claim shows (`None`: exactly affine) and how the discrepancy is written.
        let parts = [
            (
                check_w,
                CheckKind::Jacobian,
                "W",
                w,
                first.dw,
                second.dw,
                first.size,
                k.map(|k| k.saturating_sub(1)),
                "max |∂y/∂x − W|",
            ),
            (
                check_b,
                CheckKind::Value,
                "b",
                b,
                first.db,
                second.db,
                first.y0,
                k,
                "‖y(0) − b‖∞",
            ),
        ];
        let [s1, s2] = SIGMA_PARTS;
        for (asked, kind, name, claim, d1, d2, size, shrink, what) in parts {
            if asked && wrong(d1, d2, size, shrink) {
                let order = shrink.map_or("^∞".into(), |e| crate::print::superscript(e.into()));
                out.push(Finding::wrong(
                    kind,
                    format!("{name} = {}", crate::print::unicode(claim)),
                    format!(
                        "{what} = {d1:.3e} with the small parameters at σ = {s1:.0e} and {d2:.3e} at σ = {s2:.0e}: it shrinks like a wrong part of {name}, not like O(σ{order})"
                    ),
                ));
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// Entry (i, j) of a claimed `W`: a matrix, a scalar times the identity, or zero.
fn entry<R: Real>(w: &Val<R>, i: usize, j: usize) -> R {
    match w {
        Val::M(m) => m
            .get(i)
            .and_then(|r| r.get(j))
            .cloned()
            .unwrap_or_else(R::zero),
        Val::S(s) if i == j => s.clone(),
        _ => R::zero(),
    }
}

/// The scale of the first-term check: the next order is O(σ) of the first non-affine term.
const SIGMA_FIRST: f64 = 1e-3;
/// How far the defects may differ, relative to the claimed term's size.
const FIRST_TOLERANCE: f64 = 0.05;

/// The first non-affine term `L` (in the input's terms) against the true network, through the affine defect
/// `D(x, x′) = y(x+x′) − y(x) − y(x′) + y(0)`: affine parts cancel in it, so `D_y − D_L = O(σᵏ⁺¹)` while
/// `D_L` is of order σᵏ. Up to k = 3 the defect (σᵏ ≥ 10⁻⁹) is resolved by f64; beyond, by 128-bit floats.
fn check_first_term(cx: &Context, first: &Expr) -> Vec<Finding> {
    let Some(k) = cx.analysis.decision.k else {
        return vec![];
    };
    if first.is_zero() {
        return vec![];
    }
    let claim = format!(
        "first non-affine term (ε{}): {}",
        crate::print::superscript(k.into()),
        crate::print::unicode(first)
    );
    for (i, &seed) in cx.seeds.iter().enumerate() {
        let other = cx.seeds[(i + 1) % cx.seeds.len()].wrapping_add(0x5eed);
        let r = if k <= 3 {
            first_term_draw::<f64>(cx, first, seed, other, SIGMA_FIRST, 1e-14)
        } else {
            first_term_draw::<B>(cx, first, seed, other, SIGMA_FIRST, ROUNDING)
        };
        let r = match r {
            // The next order is O(σ) of the term, with a constant that can be large: at a ten times
            // smaller σ a right term's discrepancy shrinks about tenfold, a wrong one's does not.
            Ok(Some(first_try)) => {
                first_term_draw::<B>(cx, first, seed, other, SIGMA_FIRST / 10.0, ROUNDING).map(
                    |second| {
                        second
                            .filter(|s| s.relative > FIRST_SHRINK * first_try.relative)
                            .map(|s| format!("{}; {}", first_try.text, s.text))
                    },
                )
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match r {
            Ok(None) => {}
            Ok(Some(m)) => return vec![Finding::wrong(CheckKind::FirstTerm, claim, m)],
            Err(e) => return vec![Finding::unchecked(CheckKind::FirstTerm, claim, e)],
        }
    }
    vec![]
}

/// The claim "affine at every order" ([`Analysis::affine_by_form`]: the input enters only
/// linearly, outside every activation and power) is exact, at any size of the input: the
/// affine defect `y(x+x′) − y(x) − y(x′) + y(0)` of the true network, with every symbol drawn
/// at σ = ½ (far from the small regime, where a non-affine part would show at its full size),
/// must be at 128-bit rounding level.
fn check_affine_by_form(cx: &Context, a: &Analysis) -> Vec<Finding> {
    if !a.affine_by_form {
        return vec![];
    }
    let claim = "affine at every order: the input enters only linearly".to_string();
    for (i, &seed) in cx.seeds.iter().enumerate() {
        let other = cx.seeds[(i + 1) % cx.seeds.len()].wrapping_add(0x5eed);
        match truth_defect::<B>(cx, seed, other, 0.5) {
            Ok(d) if d.defect <= BY_FORM_ROUNDING * d.size => {}
            Ok(d) => {
                return vec![Finding::wrong(
                    CheckKind::Verdict,
                    claim,
                    format!(
                        "at σ = 0.5: affine defect of y {:.3e} against values of {:.3e}",
                        d.defect, d.size
                    ),
                )];
            }
            Err(e) => return vec![Finding::unchecked(CheckKind::Verdict, claim, e)],
        }
    }
    vec![]
}

/// A defect below this fraction of the values is 128-bit rounding (a few operations' worth).
const BY_FORM_ROUNDING: f64 = 1e-30;

/// The true network's affine defect at two inputs drawn at σ, and the size of its values.
struct TruthDefect<R: Real> {
    defect: f64,
    size: f64,
    points: [Val<R>; 4],
    value: Val<R>,
}

/// `y(x+x′) − y(x) − y(x′) + y(0)` for inputs x, x′ of draws `seed` and `other` at σ, with the
/// points `[x + x′, x, x′, 0]`.
fn truth_defect<R: Real>(
    cx: &Context,
    seed: u64,
    other: u64,
    sigma: f64,
) -> Result<TruthDefect<R>, String> {
    let inst = cx.instance::<R>(sigma, seed, false)?;
    let x = cx.input(&inst)?;
    let x2 = cx.input(&cx.instance::<R>(sigma, other, false)?)?;
    let x0 = zero_like(&x);
    let xs = x.add(&x2)?;
    let y = |v: &Val<R>| cx.truth(&inst, v);
    let (yxs, yx) = (y(&xs)?, y(&x)?);
    let value = yxs.sub(&yx)?.sub(&y(&x2)?)?.add(&y(&x0)?)?;
    Ok(TruthDefect {
        defect: norm(&value),
        size: norm(&yxs).max(norm(&yx)).max(1e-300),
        points: [xs, x, x2, x0],
        value,
    })
}

/// How much the relative discrepancy must shrink when σ shrinks tenfold (a right term: about 0.1).
const FIRST_SHRINK: f64 = 0.3;

/// A discrepancy of the first-term check at one σ.
struct Discrepancy {
    /// The difference of the defects relative to the term's size.
    relative: f64,
    text: String,
}

/// One draw of the first-term check at one σ: `Some` when the defects disagree beyond the tolerance.
fn first_term_draw<R: Real>(
    cx: &Context,
    first: &Expr,
    seed: u64,
    other: u64,
    sigma: f64,
    rounding: f64,
) -> Result<Option<Discrepancy>, String> {
    let TruthDefect {
        defect: ny,
        size,
        points: [xs, x, x2, x0],
        value: dy,
    } = truth_defect::<R>(cx, seed, other, sigma)?;
    let inst = cx.instance::<R>(sigma, seed, false)?;
    let l = |v: &Val<R>| cx.claim(first, &inst, v, &dy);
    let (lxs, lx) = (l(&xs)?, l(&x)?);
    let dl = lxs.sub(&lx)?.sub(&l(&x2)?)?.add(&l(&x0)?)?;
    let (nl, nd) = (norm(&dl), norm(&dy.sub(&dl)?));
    // Both defects at rounding level (every point on one piece of a kink): this draw says nothing.
    let silent = ny <= rounding * size && nl <= rounding * size;
    // The term's own size sets the scale: a draw where every point lies on one piece of a
    // kink has a defect of the next order only, which the claim need not match.
    let scale = nl.max(norm(&lxs)).max(norm(&lx)).max(1e-300);
    let ok = silent || nd <= FIRST_TOLERANCE * scale;
    Ok((!ok).then(|| Discrepancy {
        relative: nd / scale,
        text: format!(
            "at σ = {sigma:.0e}: affine defect of y {ny:.3e}, of the term {nl:.3e}, their difference {nd:.3e}"
        ),
    }))
}

/// The scales of the step checks in f64, a decade apart and small enough to be in the asymptotic
/// regime (at σ = 0.05 the σⁿ⁺¹ term can still outweigh the σⁿ one).
const STEP_SIGMAS_F64: [f64; 2] = [1e-2, 1e-3];
/// The scales in 128-bit floats, two decades apart, when f64 cannot resolve the residual.
const STEP_SIGMAS_BIG: [f64; 2] = [1e-3, 1e-5];
/// A residual below this fraction of the values is 128-bit rounding.
const ROUNDING: f64 = 1e-32;
/// A residual below this fraction of the values is too close to f64 rounding (10⁻¹⁶) to fit a
/// slope on: it is measured again in 128 bits.
const ROUNDING_F64: f64 = 1e-9;

/// An equation a derivation prints: `lhs = rhs + O(εⁿ)` (`n = None`: exactly).
#[derive(Clone, Debug)]
struct Equation {
    pub text: String,
    pub lhs: Side,
    pub rhs: Expr,
    pub big_o: Option<u32>,
}

/// The left side of an equation.
#[derive(Clone, Debug)]
enum Side {
    /// The true network `y`.
    Network,
    /// An activation applied element-wise to an expression, with its keyword parameters that
    /// differ from their defaults: `tanh(c₂ + u₂)`, `elu(u₁; α = 2)`.
    Activation(
        String,
        Vec<(crate::syntax::Name, crate::algebra::Scalar)>,
        Expr,
    ),
}

/// The equations of a derivation that state a value: each layer's output, the expansion, the collection.
fn equations(steps: &[Step], input: &crate::algebra::Symbol) -> Vec<Equation> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Output {
                activation,
                params,
                arg,
                output,
                order,
                truncated,
                ..
            } => out.push(Equation {
                text: format!(
                    "{activation}({}{}) = {}",
                    crate::print::unicode(arg),
                    params
                        .iter()
                        .map(|(n, v)| format!(
                            "; {} = {}",
                            n.unicode(),
                            crate::print::scalar_unicode(v)
                        ))
                        .collect::<String>(),
                    crate::print::unicode(output)
                ),
                lhs: Side::Activation(activation.clone(), params.clone(), arg.clone()),
                rhs: output.clone(),
                big_o: truncated.then_some(order + 1),
            }),
            Step::Expansion {
                y,
                order,
                truncated,
                ..
            } => out.push(Equation {
                text: format!("y = {}", crate::print::unicode(y)),
                lhs: Side::Network,
                rhs: y.clone(),
                big_o: truncated.then_some(order + 1),
            }),
            Step::Collected {
                w,
                b,
                first,
                k,
                order,
                truncated,
                ..
            } => {
                // A matrix input's linear part is the map 𝓛(X) itself, X in its terms.
                let wx = if input.kind == crate::algebra::Kind::Matrix {
                    w.clone()
                } else {
                    let x = Expr::symbol(input.clone());
                    w.mul(&x, &crate::algebra::Trunc::exact())
                        .unwrap_or_else(|_| Expr::zero())
                };
                let rhs = wx.add(b).add(first);
                // The same rule as the printed derivation (src/derive/render.rs).
                let big_o = match k {
                    Some(k) if *truncated || order > k => Some(k + 1),
                    Some(_) => None,
                    None if *truncated => Some(order + 1),
                    None => None,
                };
                out.push(Equation {
                    text: format!(
                        "y = ({})·x + {} + {}",
                        crate::print::unicode(w),
                        crate::print::unicode(b),
                        crate::print::unicode(first)
                    ),
                    lhs: Side::Network,
                    rhs,
                    big_o,
                });
            }
            _ => {}
        }
    }
    out
}

/// The residual `‖lhs − rhs‖∞` of an equation at one σ, and the size of its sides.
fn residual<R: Real>(cx: &Context, eq: &Equation, sigma: f64) -> Result<(f64, f64), String> {
    let seed = cx.seeds.first().copied().unwrap_or(1);
    let inst = cx.instance::<R>(sigma, seed, true)?;
    let x = cx.input(&inst)?;
    let lhs = match &eq.lhs {
        Side::Network => cx.truth(&inst, &x)?,
        Side::Activation(name, params, arg) => {
            let rows = rows_of(arg, &inst);
            let mut i = inst.clone();
            i.symbols.insert(cx.analysis.input.clone(), x.clone());
            let v = eval_expr(arg, &mut i, rows)?;
            let callee = cx
                .functions
                .get(name)
                .ok_or_else(|| format!("no function {name}"))?;
            let mut i = inst.clone();
            // The parameters as the derivation writes them (from a review: `elu(t)` with α = 2
            // was written without it, and this check took the default too).
            let mut values = BTreeMap::new();
            for (n, value) in params {
                match eval_expr(&Expr::scalar(value.clone()), &mut i, 1)? {
                    Val::S(r) => values.insert(n.clone(), r),
                    _ => return Err(format!("the parameter {} is not a number", n.unicode())),
                };
            }
            let ap = |t: &R, i: &mut Instance<R>| apply(callee, t.clone(), &values, i);
            match v {
                Val::V(v) => Val::V(v.iter().map(|t| ap(t, &mut i)).collect::<Result<_, _>>()?),
                Val::S(t) => Val::S(ap(&t, &mut i)?),
                // An element-wise activation of a token matrix (`tanh(X·W₁)`), entry by entry.
                Val::M(m) => Val::M(
                    m.iter()
                        .map(|r| r.iter().map(|t| ap(t, &mut i)).collect())
                        .collect::<Result<_, _>>()?,
                ),
            }
        }
    };
    let rhs = cx.claim(&eq.rhs, &inst, &x, &lhs)?;
    Ok((norm(&lhs.sub(&rhs)?), norm(&lhs).max(norm(&rhs)).max(1.0)))
}

/// The scales used, the residual and size of the sides at each, and the rounding level.
type Measured = ([f64; 2], [(f64, f64); 2], f64);

/// One equation at random points: the residual is at rounding level (exact) or shrinks like σⁿ.
///
/// It is measured in f64 at two scales; when the smaller residual is near f64 rounding, both
/// are measured again in 128-bit floats at smaller scales.
fn check_equation(cx: &Context, eq: &Equation) -> Option<Finding> {
    let claim = match eq.big_o {
        Some(n) => format!("{} + O(ε{})", eq.text, crate::print::superscript(n.into())),
        None => format!("{} (exactly)", eq.text),
    };
    let big = || -> Result<Measured, String> {
        let [s1, s2] = STEP_SIGMAS_BIG;
        let (a, b) = (residual::<B>(cx, eq, s1)?, residual::<B>(cx, eq, s2)?);
        Ok((STEP_SIGMAS_BIG, [a, b], ROUNDING))
    };
    let measure = || -> Result<Measured, String> {
        let [s1, s2] = STEP_SIGMAS_F64;
        let (a, b) = (residual::<f64>(cx, eq, s1)?, residual::<f64>(cx, eq, s2)?);
        if b.0 > ROUNDING_F64 * b.1 && (eq.big_o.is_some() || a.0 > ROUNDING_F64 * a.1) {
            return Ok((STEP_SIGMAS_F64, [a, b], ROUNDING_F64));
        }
        big()
    };
    let judged = measure().map(|m| judge_equation(eq, m));
    let judged = match judged {
        // A remainder claim that fails in f64 is measured again at smaller σ in 128 bits: the claim
        // is asymptotic, and σ = 10⁻² may not yet be in the asymptotic regime.
        Ok(Some(_)) if eq.big_o.is_some() => big().map(|m| judge_equation(eq, m)),
        other => other,
    };
    match judged {
        Ok(None) => None,
        Ok(Some(m)) => Some(Finding::wrong(CheckKind::Step, claim, m)),
        Err(e) => Some(Finding::unchecked(CheckKind::Step, claim, e)),
    }
}

/// The measurement against the equation's claim: `Some(what was measured)` when it contradicts it.
fn judge_equation(eq: &Equation, measured: Measured) -> Option<String> {
    let (sigmas, [(r1, s1), (r2, s2)], rounding) = measured;
    let at_rounding = |r: f64, s: f64| r <= rounding * s;
    let shown = format!(
        "residual {r1:.3e} at σ = {:.0e}, {r2:.3e} at σ = {:.0e}",
        sigmas[0], sigmas[1]
    );
    match eq.big_o {
        None if at_rounding(r1, s1) && at_rounding(r2, s2) => None,
        None => Some(format!("{shown}: not an identity")),
        Some(_) if at_rounding(r2, s2) => None,
        Some(n) => {
            let slope = libm::log(r1 / r2) / libm::log(sigmas[0] / sigmas[1]);
            (slope.is_nan() || slope < f64::from(n) - 0.5)
                .then(|| format!("{shown}: slope {slope:.2}, claimed at least {n}"))
        }
    }
}

/// A condition's analysis (the parameter set to its value) against the network with that value.
fn check_condition(cx: &Context, c: &crate::analysis::Condition) -> Option<Finding> {
    let then = c.then.as_ref()?;
    let mut params = cx.params.clone();
    // A rational value is given to the parameter; a radical (`√2`) is written into the network
    // in its place, so the evaluator computes it at its own precision (rounded to an f64, the
    // network there is no longer exact-affine at 256 bits).
    let (lowered, shown) = match c.value.as_q() {
        Some(q) => {
            let value = crate::float::q_to_f64(q);
            params.insert(c.param.clone(), value);
            (None, value.to_string())
        }
        None => {
            let value = crate::analysis::param_value(&c.value)?;
            let l = Lowered {
                ir: crate::analysis::substitute_param(&cx.lowered.ir, &c.param, &value),
                symbols: cx.lowered.symbols.clone(),
            };
            (Some(l), crate::print::scalar_unicode(&c.value))
        }
    };
    let at = Context {
        lowered: lowered.as_ref().unwrap_or(cx.lowered),
        analysis: then,
        functions: cx.functions,
        params,
        seeds: cx.seeds.clone(),
    };
    check_verdict(&at, then, CheckKind::Condition).map(|mut f| {
        f.claim = format!("at {} = {}: {}", c.param, shown, f.claim);
        f
    })
}

/// Every check of one report's analyses, each with its own claims.
pub(crate) fn check_report(cx: &Context, report: &crate::analysis::Report) -> Vec<Finding> {
    let mut out = check_analysis(cx, report.compensated.as_ref());
    for c in &report.conditions {
        out.extend(check_condition(cx, c));
    }
    out
}

/// Every check of one analysis, with its own claims.
fn check_analysis(cx: &Context, compensated: Option<&Analysis>) -> Vec<Finding> {
    let a = cx.analysis;
    let mut out = Vec::new();
    // An analysis whose operating point sits on a breakpoint on a set of positive measure
    // claims no verdict, W or first term for every value (the report says it is not
    // decided): only its compensated analysis has claims to check.
    if a.decision.breakpoint_reached.is_some() {
        if let Some(c) = compensated {
            out.extend(check_verdict(cx, c, CheckKind::CompensatedVerdict));
        }
        return out;
    }
    out.extend(check_verdict(cx, a, CheckKind::Verdict));
    out.extend(check_affine_by_form(cx, a));
    if let Some(c) = compensated {
        out.extend(check_verdict(cx, c, CheckKind::CompensatedVerdict));
    }
    out.extend(check_affine_part(cx, &a.decision.w, &a.decision.b));
    out.extend(check_small_parts(cx, &a.decision.w, &a.decision.b));
    out.extend(check_first_term(cx, &a.decision.leading_full));
    for eq in equations(&a.steps, &a.input) {
        out.extend(check_equation(cx, &eq));
    }
    out
}

#[cfg(test)]
mod tests {
    //! Each check must be able to fail: it is handed a wrong claim and must say so.
    use super::*;
    use crate::algebra::Scalar;

    /// The check found exactly one measured disagreement, of this kind.
    fn caught(found: Vec<Finding>, kind: CheckKind) {
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, kind);
        assert!(!found[0].unchecked, "{found:?}");
    }

    fn session(source: &str, small: Option<&str>) -> crate::Session {
        let mut s = crate::Session::new();
        if let Some(n) = small {
            s.options.small = Some([Name::parse(n).expect("a name")].into());
        }
        s.run(source).expect("the network is analysed");
        s
    }

    fn context<'a>(s: &'a crate::Session, functions: &'a BTreeMap<String, Callee>) -> Context<'a> {
        let last = s.last.as_ref().expect("an analysis");
        Context {
            lowered: &last.lowered,
            analysis: &last.report.main,
            functions,
            params: BTreeMap::new(),
            seeds: vec![11, 12],
        }
    }

    const TANH2: &str = "tanh(W2·tanh(W1·x + b1) + b2)";

    #[test]
    fn the_true_claims_of_a_tanh_network_pass_every_check() {
        let s = session(TANH2, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let findings = check_analysis(&cx, None);
        assert!(findings.is_empty(), "{findings:?}");
        // Every kind of derivation equation was there to be checked.
        assert!(equations(&cx.analysis.steps, &cx.analysis.input).len() >= 4);
    }

    #[test]
    fn a_network_affine_by_its_form_passes_and_a_false_claim_of_it_is_found() {
        let s = session("W·x + tanh(b1)∘x + sigmoid(b2)", None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        assert!(cx.analysis.affine_by_form);
        assert!(check_analysis(&cx, None).is_empty());
        // Said of a tanh network, the claim is found false: its defect is of the values' size.
        let s = session(TANH2, None);
        let cx = context(&s, &functions);
        let mut wrong = cx.analysis.clone();
        wrong.affine_by_form = true;
        caught(check_affine_by_form(&cx, &wrong), CheckKind::Verdict);
    }

    #[test]
    fn a_wrong_w_or_b_is_found() {
        let s = session(TANH2, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let d = &cx.analysis.decision;
        assert!(check_affine_part(&cx, &d.w, &d.b).is_empty());
        let doubled = d.w.scale(&Scalar::from_q(2.into()));
        caught(check_affine_part(&cx, &doubled, &d.b), CheckKind::Jacobian);
        // b without b₂: off by O(σ), far above the O(σ²) the check allows.
        let b2 = crate::normal_form(&s, "W2·b1").expect("a normal form");
        caught(check_affine_part(&cx, &d.w, &b2), CheckKind::Value);
    }

    /// A session whose small symbols are these (the input among them).
    fn session_with_small(source: &str, small: &[&str]) -> crate::Session {
        let mut s = crate::Session::new();
        s.options.small = Some(
            small
                .iter()
                .map(|n| Name::parse(n).expect("a name"))
                .collect(),
        );
        s.run(source).expect("the network is analysed");
        s
    }

    #[test]
    fn a_wrong_factor_on_a_small_part_of_w_or_b_is_found() {
        // W = V + W₂·W₁ with V small: a wrong V is O(σ) off, as close as a right W is.
        let s = session_with_small("tanh(W2·tanh(W1·x) + V·x)", &["x", "V"]);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let d = &cx.analysis.decision;
        assert!(check_analysis(&cx, None).is_empty());
        let wrong = crate::normal_form(&s, "2·V + W2·W1").expect("a normal form");
        assert!(
            check_affine_part(&cx, &wrong, &d.b).is_empty(),
            "the blind spot"
        );
        caught(check_small_parts(&cx, &wrong, &d.b), CheckKind::Jacobian);
        // W = diag(g)·W₁, all of it O(σ).
        let s = session_with_small("g ∘ tanh(W1·x)", &["x", "g"]);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let d = &cx.analysis.decision;
        assert!(check_analysis(&cx, None).is_empty());
        let doubled = d.w.scale(&Scalar::from_q(2.into()));
        caught(check_small_parts(&cx, &doubled, &d.b), CheckKind::Jacobian);
        // b = c∘c, O(σ²): the other check allows O(σ²) for the truth's own distance.
        let s = session_with_small("tanh(tanh(c)∘tanh(c) + W1·x)", &["x", "c"]);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let d = &cx.analysis.decision;
        assert_eq!(d.verdict, Verdict::Affine { k: Some(3) });
        assert!(check_analysis(&cx, None).is_empty());
        let doubled_b = d.b.scale(&Scalar::from_q(2.into()));
        assert!(
            check_affine_part(&cx, &d.w, &doubled_b).is_empty(),
            "the blind spot"
        );
        caught(check_small_parts(&cx, &d.w, &doubled_b), CheckKind::Value);
    }

    #[test]
    fn a_wrong_verdict_or_k_is_found() {
        let s = session(TANH2, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        assert_eq!(cx.analysis.decision.verdict, Verdict::Affine { k: Some(3) });
        assert!(check_verdict(&cx, cx.analysis, CheckKind::Verdict).is_none());
        for wrong in [
            Verdict::Affine { k: Some(2) },
            Verdict::Affine { k: Some(4) },
            Verdict::ExactAffine,
            Verdict::Kink,
        ] {
            let mut a = cx.analysis.clone();
            a.decision.verdict = wrong.clone();
            let found = check_verdict(&cx, &a, CheckKind::Verdict);
            assert!(
                found.as_ref().is_some_and(|f| !f.unchecked),
                "{wrong:?}: {found:?}"
            );
        }
    }

    #[test]
    fn a_kink_is_confirmed_and_a_smooth_claim_for_it_is_found() {
        let s = session("relu(W1·x + b1)", None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        assert_eq!(cx.analysis.decision.verdict, Verdict::Kink);
        assert!(check_verdict(&cx, cx.analysis, CheckKind::Verdict).is_none());
        assert!(check_first_term(&cx, &cx.analysis.decision.leading_full).is_empty());
        let mut a = cx.analysis.clone();
        a.decision.verdict = Verdict::Affine { k: Some(2) };
        assert!(check_verdict(&cx, &a, CheckKind::Verdict).is_some());
        // A kink of the wrong size (|·| with twice its coefficient).
        let wrong = cx
            .analysis
            .decision
            .leading_full
            .scale(&Scalar::from_q(2.into()));
        caught(check_first_term(&cx, &wrong), CheckKind::FirstTerm);
    }

    #[test]
    fn a_wrong_first_non_affine_term_is_found() {
        let s = session(TANH2, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let first = &cx.analysis.decision.leading_full;
        assert!(check_first_term(&cx, first).is_empty());
        let half = first.scale(&Scalar::from_q(crate::algebra::Q::from_signeds(1, 2)));
        let found = check_first_term(&cx, &half);
        assert_eq!(found.len(), 1, "{found:?}");
        // A term that is right up to an affine part is still right: the defect ignores affine parts.
        let x = crate::normal_form(&s, "W1·x + b2").expect("a normal form");
        assert!(check_first_term(&cx, &first.add(&x)).is_empty());
    }

    #[test]
    fn a_false_derivation_equation_is_found() {
        let s = session(TANH2, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let eqs = equations(&cx.analysis.steps, &cx.analysis.input);
        for eq in &eqs {
            assert!(check_equation(&cx, eq).is_none(), "{}", eq.text);
            // A wrong right-hand side.
            let mut wrong = eq.clone();
            wrong.rhs = eq
                .rhs
                .scale(&Scalar::from_q(crate::algebra::Q::from_signeds(9, 10)));
            assert!(check_equation(&cx, &wrong).is_some(), "{}", eq.text);
            // A remainder claimed smaller than it is.
            if let Some(n) = eq.big_o {
                let mut wrong = eq.clone();
                wrong.big_o = Some(n + 2);
                assert!(check_equation(&cx, &wrong).is_some(), "{}", eq.text);
                wrong.big_o = None;
                assert!(check_equation(&cx, &wrong).is_some(), "{}", eq.text);
            }
        }
    }

    #[test]
    fn a_condition_is_checked_at_its_parameter_value() {
        let s = session("quad(t) = t + β·t^2; quad(W1·x + b1)", None);
        let functions = s.numeric_functions();
        let mut cx = context(&s, &functions);
        cx.params.insert(Name::parse("β").expect("a name"), 0.8);
        let report = &s.last.as_ref().expect("an analysis").report;
        let c = report.conditions.first().expect("the condition β = 0");
        assert!(check_condition(&cx, c).is_none());
        // The claim at β = 0 is exact-affine; claimed with k = 2 instead, it is found.
        let mut wrong = c.clone();
        if let Some(a) = wrong.then.as_mut() {
            a.decision.verdict = Verdict::Affine { k: Some(2) };
        }
        let found = check_condition(&cx, &wrong).expect("a finding");
        assert_eq!(found.kind, CheckKind::Condition);
        assert!(found.claim.starts_with("at β = 0"), "{}", found.claim);
    }

    #[test]
    fn a_condition_at_a_radical_is_checked_at_its_value() {
        let s = session("quad(t) = t + (β² − 2)·t^2; quad(W1·x + b1)", None);
        let functions = s.numeric_functions();
        let mut cx = context(&s, &functions);
        cx.params.insert(Name::parse("β").expect("a name"), 0.8);
        let report = &s.last.as_ref().expect("an analysis").report;
        assert_eq!(report.conditions.len(), 2, "β = ±√2");
        for c in &report.conditions {
            assert!(c.value.as_q().is_none() && c.then.is_some());
            let found = check_condition(&cx, c);
            assert!(found.is_none(), "{found:?}");
            let mut wrong = c.clone();
            if let Some(a) = wrong.then.as_mut() {
                a.decision.verdict = Verdict::Affine { k: Some(2) };
            }
            assert!(check_condition(&cx, &wrong).is_some(), "{c:?}");
        }
    }

    #[test]
    fn an_operating_point_is_given_its_value() {
        // sigmoid's ½ feeds the second layer: c₂ = ½·W₂·𝟙 must be evaluated, not left without a value.
        let s = session("tanh(W2·sigmoid(W1·x + b1) + b2)", None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        assert!(
            cx.analysis
                .expansion
                .layers
                .iter()
                .any(|l| l.op_symbol.is_some())
        );
        let findings = check_analysis(&cx, None);
        assert!(findings.is_empty(), "{findings:?}");
        let d = &cx.analysis.decision;
        let found = check_affine_part(&cx, &d.w.scale(&Scalar::from_q(3.into())), &d.b);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    const ATTENTION: &str = ":input X; X : 4×3; softmax(X·W_Q·(X·W_K)ᵀ/√3)·X·W_V";

    #[test]
    fn the_true_claims_of_attention_pass_every_check() {
        let s = session(ATTENTION, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        assert!(cx.matrix_input());
        let findings = check_analysis(&cx, None);
        assert!(findings.is_empty(), "{findings:?}");
        assert!(!equations(&cx.analysis.steps, &cx.analysis.input).is_empty());
    }

    #[test]
    fn a_wrong_linear_map_or_b_of_a_token_matrix_is_found() {
        let s = session(ATTENTION, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let d = &cx.analysis.decision;
        assert!(check_affine_part(&cx, &d.w, &d.b).is_empty());
        // 𝓛 doubled, and 𝓛 with the mean taken over the features instead of the tokens.
        let doubled = d.w.scale(&Scalar::from_q(2.into()));
        let transposed = crate::normal_form(&s, "(1/3)·X·𝟙·𝟙ᵀ·W_V").expect("a normal form");
        for wrong in [doubled, transposed] {
            caught(check_affine_part(&cx, &wrong, &d.b), CheckKind::Jacobian);
        }
        // B = 0 claimed as the mean of the value weights' rows: off by O(1).
        let b = crate::normal_form(&s, "𝟙·𝟙ᵀ·W_V").expect("a normal form");
        caught(check_affine_part(&cx, &d.w, &b), CheckKind::Value);
    }

    #[test]
    fn a_wrong_first_non_affine_term_of_a_token_matrix_is_found() {
        let s = session(ATTENTION, None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let first = &cx.analysis.decision.leading_full;
        assert!(check_first_term(&cx, first).is_empty());
        let half = first.scale(&Scalar::from_q(crate::algebra::Q::from_signeds(1, 2)));
        caught(check_first_term(&cx, &half), CheckKind::FirstTerm);
        // Each derivation equation fails with a scaled right-hand side.
        for eq in equations(&cx.analysis.steps, &cx.analysis.input) {
            assert!(check_equation(&cx, &eq).is_none(), "{}", eq.text);
            let mut wrong = eq.clone();
            wrong.rhs = eq
                .rhs
                .scale(&Scalar::from_q(crate::algebra::Q::from_signeds(9, 10)));
            assert!(check_equation(&cx, &wrong).is_some(), "{}", eq.text);
        }
    }

    #[test]
    fn an_element_wise_activation_of_a_token_matrix_is_checked_entry_by_entry() {
        let s = session(":input X; X : 3×2; tanh(X·W1 + 𝟙·b1ᵀ)·W2", None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let eqs = equations(&cx.analysis.steps, &cx.analysis.input);
        assert!(eqs.iter().any(|e| matches!(e.lhs, Side::Activation(..))));
        let findings = check_analysis(&cx, None);
        assert!(findings.is_empty(), "{findings:?}");
        let mut a = cx.analysis.clone();
        a.decision.verdict = Verdict::Affine { k: Some(2) };
        assert!(check_verdict(&cx, &a, CheckKind::Verdict).is_some());
    }

    #[test]
    fn a_row_wise_softmax_whose_constant_part_ends_in_a_row_of_ones_is_checked() {
        // B = ¼·𝟙·𝟙ᵀ: the row 𝟙ᵀ is as long as the output is wide, which B alone does not say.
        let s = session(":input X; X : 3×4; softmax(X·W1 + 𝟙·b1ᵀ)", None);
        let functions = s.numeric_functions();
        let cx = context(&s, &functions);
        let findings = check_analysis(&cx, None);
        assert!(findings.is_empty(), "{findings:?}");
        let d = &cx.analysis.decision;
        let doubled_b = d.b.scale(&Scalar::from_q(2.into()));
        caught(check_affine_part(&cx, &d.w, &doubled_b), CheckKind::Value);
        let doubled_w = d.w.scale(&Scalar::from_q(2.into()));
        caught(
            check_affine_part(&cx, &doubled_w, &d.b),
            CheckKind::Jacobian,
        );
    }

    #[test]
    fn every_check_bites_on_generated_token_matrix_networks() {
        // On every drawn token-matrix network, a doubled 𝓛, a B off by 𝟙·𝟙ᵀ, a halved first
        // non-affine term and a k one too high are each found: the class's clean run is not
        // a run of checks that said nothing.
        let (mut maps, mut terms) = (0, 0);
        for seed in 1..=25 {
            let case = crate::selfcheck::generate(crate::selfcheck::Class::TokenMatrices, seed);
            let s = session(&case.source, None);
            let functions = s.numeric_functions();
            let cx = context(&s, &functions);
            let d = &cx.analysis.decision;
            let doubled = d.w.scale(&Scalar::from_q(2.into()));
            if !d.w.is_zero() {
                let found = check_affine_part(&cx, &doubled, &d.b);
                assert!(
                    found
                        .iter()
                        .any(|f| f.kind == CheckKind::Jacobian && !f.unchecked),
                    "{}: {found:?}",
                    case.source
                );
                maps += 1;
            }
            let shifted =
                d.b.add(&crate::normal_form(&s, "𝟙·𝟙ᵀ").expect("a normal form"));
            let found = check_affine_part(&cx, &d.w, &shifted);
            assert!(
                found
                    .iter()
                    .any(|f| f.kind == CheckKind::Value && !f.unchecked),
                "{}: {found:?}",
                case.source
            );
            let first = &d.leading_full;
            if !first.is_zero() {
                let half = first.scale(&Scalar::from_q(crate::algebra::Q::from_signeds(1, 2)));
                let found = check_first_term(&cx, &half);
                assert!(
                    found
                        .iter()
                        .any(|f| f.kind == CheckKind::FirstTerm && !f.unchecked),
                    "{}: {found:?}",
                    case.source
                );
                terms += 1;
            }
            if let Verdict::Affine { k: Some(k) } = d.verdict {
                let mut a = cx.analysis.clone();
                a.decision.verdict = Verdict::Affine { k: Some(k + 1) };
                let found = check_verdict(&cx, &a, CheckKind::Verdict);
                assert!(found.is_some_and(|f| !f.unchecked), "{}", case.source);
            }
        }
        assert!(maps >= 20 && terms >= 20, "{maps} maps, {terms} terms");
    }
}
