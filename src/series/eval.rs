//! Series of a scalar function at a point: evaluates the function's body on series.
//!
//! Composition is evaluation: `mish(t) = t·tanh(softplus(t))` is expanded by
//! evaluating its body with `t = a + δ`, each call feeding its series to the
//! next. At a breakpoint of an `if` (or `abs`) the two sides are expanded
//! separately; the first coefficient where they differ gives the class (a jump,
//! a kink, or C^m).

use super::power::{Series, SeriesError};
use crate::algebra::{Q, Scalar};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::{Callee, Ir, IrKind, Prim};
use crate::limits::{Budget, Limits};
use crate::syntax::{CmpOp, Name};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Which side of the point, for one-sided expansions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Both sides at once: a breakpoint at the point is an error (each side is then
    /// expanded apart).
    Both,
    /// The side below the point.
    Left,
    /// The side above the point.
    Right,
    /// At the point itself: a condition that compares equal there is decided as equal
    /// (the value of `if t > 0 then 1 else 0` at 0 is 0, whatever the sides say).
    Exact,
}

/// How smooth a function is at a point where its two sides are expanded apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Smoothness {
    /// The values differ.
    Jump,
    /// Continuous, with different one-sided slopes.
    Kink,
    /// C^m but not C^(m+1): the one-sided (m+1)-th derivatives differ.
    C(u32),
}

/// The expansion of a function at a point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PointSeries {
    /// One Taylor series.
    Analytic(Series),
    /// Two one-sided series at a breakpoint.
    OneSided {
        /// The series below the point.
        left: Series,
        /// The series above the point.
        right: Series,
        /// How the two sides meet.
        class: Smoothness,
    },
}

impl PointSeries {
    /// The series on one side (both sides agree for an analytic point).
    pub fn side(&self, side: Side) -> &Series {
        match self {
            PointSeries::Analytic(s) => s,
            PointSeries::OneSided { left, right, .. } => {
                if side == Side::Left {
                    left
                } else {
                    right
                }
            }
        }
    }
}

/// Internal outcome: a breakpoint asks the caller to expand each side.
enum Fail {
    Breakpoint,
    /// A condition whose sign the point does not decide (a symbolic point, a parameter).
    Undecided(Diagnostic),
    /// A condition on a side whose difference vanishes to the order computed: a higher order
    /// may decide it.
    Vanishing(Diagnostic),
    /// Exploring pieces: the next undecided condition has no choice recorded yet.
    Branch,
    Diag(Diagnostic),
}

/// The choices made at undecided conditions, when a function is explored piece by piece.
#[derive(Default)]
struct Branching {
    choices: Vec<bool>,
    cursor: usize,
    /// The conditions the choices answered, in order: `d op 0` with `d` the difference's
    /// value at the symbolic point.
    asked: Vec<(Scalar, CmpOp)>,
}

impl From<Diagnostic> for Fail {
    fn from(d: Diagnostic) -> Fail {
        Fail::Diag(d)
    }
}

type R<T> = Result<T, Fail>;

struct Frame {
    var: Series,
    params: BTreeMap<Name, Scalar>,
}

struct Evaluator<'l> {
    order: usize,
    side: Side,
    limits: &'l Limits,
    budget: &'l Budget,
    frames: Vec<Frame>,
    /// Set when exploring the pieces of a function at a symbolic point: an undecided
    /// condition takes the recorded choice instead of failing.
    pieces: Option<std::rc::Rc<std::cell::RefCell<Branching>>>,
}

fn series_err(e: SeriesError, span: Span) -> Fail {
    // A test cut short by the budget (a sign left undecided) reads as a property of the
    // function; the budget is the reason (from a CI run under load: "8192-bit floats cannot
    // tell from 0" for sigmoid∘5 past a 0.3 s budget).
    if let Some(why) = crate::limits::exhausted_reason() {
        return Fail::Diag(Diagnostic::at(Phase::Limit, span, why));
    }
    // A root of a number too large to factor is the engine's limit, not the function's.
    let phase = if matches!(
        e,
        SeriesError::Limit(_)
            | SeriesError::Scalar(crate::algebra::scalar::ScalarError::TooLarge(_))
    ) {
        Phase::Limit
    } else {
        Phase::Series
    };
    Fail::Diag(Diagnostic::at(phase, span, e.to_string()))
}

impl Evaluator<'_> {
    fn check(&self, s: &Series, span: Span) -> R<()> {
        if let Some(why) = self.budget.exhausted() {
            return Err(Fail::Diag(Diagnostic::at(Phase::Limit, span, why)));
        }
        if s.term_count() > self.limits.max_terms {
            return Err(Fail::Diag(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "the series coefficients grew past {} terms (limit `max_terms`); lower the order",
                    self.limits.max_terms
                ),
            )));
        }
        if !s.bits_within(self.limits.max_coefficient_bits) {
            return Err(Fail::Diag(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "a coefficient grew past {} bits (limit `max_coefficient_bits`)",
                    self.limits.max_coefficient_bits
                ),
            )));
        }
        Ok(())
    }

    fn frame(&self) -> Option<&Frame> {
        self.frames.last()
    }

    fn eval(&mut self, ir: &Ir) -> R<Series> {
        let n = self.order;
        let out = match ir.kind() {
            IrKind::Num(q) => Series::constant(Scalar::from_q(q.clone()), n),
            IrKind::Pi => Series::constant(Scalar::pi(), n),
            IrKind::E => Series::constant(Scalar::e_pow(Q::from(1)), n),
            IrKind::Param(p) => {
                let v = self
                    .frame()
                    .and_then(|f| f.params.get(p).cloned())
                    .unwrap_or_else(|| Scalar::param(p.clone()));
                Series::constant(v, n)
            }
            IrKind::Var => match self.frame() {
                Some(f) => f.var.clone(),
                None => {
                    return Err(Fail::Diag(Diagnostic::at(
                        Phase::Series,
                        ir.span(),
                        "a function's variable outside its body",
                    )));
                }
            },
            IrKind::Sum(v) => {
                let mut acc = Series::constant(Scalar::zero(), n);
                for x in v {
                    acc = acc.add(&self.eval(x)?);
                }
                acc
            }
            IrKind::Neg(x) => self.eval(x)?.neg(),
            IrKind::Mul(v) => {
                let mut acc: Option<Series> = None;
                for x in v {
                    let factor = self.eval(x)?;
                    let product = match acc {
                        None => factor.times_one(n),
                        Some(a) => a.mul_owned(factor),
                    };
                    self.check(&product, ir.span())?;
                    acc = Some(product);
                }
                acc.unwrap_or_else(|| Series::constant(Scalar::one(), n))
            }
            IrKind::Pow(x, q) => {
                let b = self.eval(x)?;
                b.powq(q).map_err(|e| series_err(e, ir.span()))?
            }
            IrKind::Bound { value, .. } => self.eval(value)?,
            IrKind::If {
                lhs,
                op,
                rhs,
                then,
                otherwise,
            } => {
                let d = self.eval(lhs)?.sub(&self.eval(rhs)?);
                if self.holds(&d, *op, ir.span())? {
                    self.eval(then)?
                } else {
                    self.eval(otherwise)?
                }
            }
            IrKind::Apply {
                callee,
                deriv,
                arg,
                params,
            } => {
                let s = self.eval(arg)?;
                let mut values = BTreeMap::new();
                for (p, v) in params {
                    values.insert(p.clone(), self.constant(v)?);
                }
                self.apply(callee, *deriv, s, values, ir.span())?
            }
            IrKind::Sym(_)
            | IrKind::Ones
            | IrKind::Had(_)
            | IrKind::HadPow(..)
            | IrKind::Diag(_)
            | IrKind::Len
            | IrKind::Transpose(_) => {
                return Err(Fail::Diag(Diagnostic::at(
                    Phase::Series,
                    ir.span(),
                    "a scalar series cannot contain vectors or matrices",
                )));
            }
        };
        self.check(&out, ir.span())?;
        Ok(out)
    }

    /// A parameter value: must not depend on the variable.
    fn constant(&mut self, ir: &Ir) -> R<Scalar> {
        let s = self.eval(ir)?;
        if !s.is_constant() {
            return Err(Fail::Diag(Diagnostic::at(
                Phase::Series,
                ir.span(),
                "a parameter's value cannot depend on the function's variable",
            )));
        }
        Ok(s.coeff(0))
    }

    fn apply(
        &mut self,
        callee: &Callee,
        deriv: u32,
        s: Series,
        params: BTreeMap<Name, Scalar>,
        span: Span,
    ) -> R<Series> {
        if deriv > 0 {
            // f⁽ᵏ⁾(s): expand f at s₀ to order n + k in h, differentiate k times, then put h = s − s₀.
            let k = deriv as usize;
            let s0 = s.coeff(0);
            let mut inner = Evaluator {
                order: self.order + k,
                side: self.side,
                limits: self.limits,
                budget: self.budget,
                frames: Vec::new(),
                pieces: self.pieces.clone(),
            };
            let var = Series::variable(s0.clone(), self.order + k);
            let mut g = inner.apply(callee, 0, var, params, span)?;
            for _ in 0..k {
                g = g.derivative();
            }
            let h = s.sub(&Series::constant(s0, self.order));
            return Series::compose(&g, &h).map_err(|e| series_err(e, span));
        }
        match callee {
            Callee::Def(d) => {
                if self.frames.len() as u32 > self.limits.max_depth {
                    return Err(Fail::Diag(Diagnostic::at(
                        Phase::Limit,
                        span,
                        "functions nested too deeply",
                    )));
                }
                self.frames.push(Frame { var: s, params });
                let r = self.eval(&d.body);
                self.frames.pop();
                r
            }
            Callee::Prim(p) => {
                let r = match p {
                    Prim::Exp => Ok(s.exp()),
                    Prim::Log => s.log(),
                    Prim::Sin => Ok(s.sin()),
                    Prim::Cos => Ok(s.cos()),
                    Prim::Tan => s.tan_like(1, "tan"),
                    Prim::Tanh => s.tan_like(-1, "tanh"),
                    Prim::Atan => s.atan(),
                    Prim::Erf => s.erf(),
                    Prim::Sqrt => s.powq(&Q::from_signeds(1, 2)),
                    // An argument that is an exact constant without parameters (no t in it)
                    // has a constant sign and absolute value, which the scalar algebra writes:
                    // exactly where decided, else as the values sign(c), |c| of a constant too
                    // close to 0 for 8192 bits, which the numeric zero test then looks at (the
                    // comparisons below refused it). A parameter's stays refused: sign(β) and
                    // |sign(β)| are piecewise constant in β, and 1 − |sign(β)|, 0 for every
                    // β ≠ 0, was taken for a non-zero constant under a reciprocal (a review).
                    Prim::Sign | Prim::Abs
                        if s.is_exact() && s.is_constant() && s.coeff(0).params().is_empty() =>
                    {
                        let c = s.coeff(0);
                        let v = match p {
                            Prim::Sign => Scalar::func("sign", &c).map_err(|e| {
                                Fail::Diag(Diagnostic::at(Phase::Series, span, e.to_string()))
                            })?,
                            _ => c.abs(),
                        };
                        return Ok(Series::constant(v, self.order));
                    }
                    Prim::Sign => {
                        let n = self.order;
                        let v = if self.holds(&s, CmpOp::Gt, span)? {
                            1
                        } else if self.holds(&s, CmpOp::Lt, span)? {
                            -1
                        } else {
                            0
                        };
                        return Ok(Series::constant(Scalar::from_int(v), n));
                    }
                    Prim::Abs => {
                        return Ok(if self.holds(&s, CmpOp::Ge, span)? {
                            s
                        } else {
                            s.neg()
                        });
                    }
                };
                r.map_err(|e| series_err(e, span))
            }
        }
    }

    /// Decides `d op 0` near the point, on the current side.
    fn holds(&self, d: &Series, op: CmpOp, span: Span) -> R<bool> {
        let diagnostic = |what: &str| {
            Diagnostic::at(
                Phase::Series,
                span,
                format!("cannot decide the sign of {what} at this point"),
            )
            .hint("give the parameters numeric values, or expand at another point")
        };
        let undecided = |what: &str| Fail::Undecided(diagnostic(what));
        let sign = match crate::algebra::sign::sign(&d.coeff(0)) {
            Some(Ordering::Equal) if self.side == Side::Exact || self.pieces.is_some() => {
                // At the point itself (or for every point, when the difference vanishes
                // identically as a function of a symbolic point) the comparison is exact.
                Ordering::Equal
            }
            Some(Ordering::Equal) => {
                if self.side == Side::Both {
                    return Err(Fail::Breakpoint);
                }
                // The first coefficient that is not 0: a constant can be 0 without being so by
                // its form (σ(1) + σ(−1) − 1, decided exactly by `sign`), and is skipped too.
                let mut leading = None;
                if let Some(first) = d.valuation() {
                    for m in first..d.coeffs().len() {
                        let c = d.coeff(m);
                        if c.is_zero() {
                            continue;
                        }
                        match crate::algebra::sign::sign(&c) {
                            Some(Ordering::Equal) => continue,
                            Some(o) => {
                                leading = Some((m, o));
                                break;
                            }
                            None => return Err(undecided("the leading coefficient")),
                        }
                    }
                }
                match leading {
                    None if d.is_exact() => Ordering::Equal,
                    None => {
                        // No parameter to give a value to: the quantity is 0 to every order
                        // computed (`tanh(t) − tanh(t)`), which no series can sign.
                        return Err(Fail::Vanishing(
                            Diagnostic::at(
                                Phase::Series,
                                span,
                                "cannot decide the sign of a quantity that vanishes to every computed order at this point",
                            )
                            .hint("if it is identically zero, write the expression without it"),
                        ));
                    }
                    Some((m, sm)) => {
                        if self.side == Side::Left && m % 2 == 1 {
                            sm.reverse()
                        } else {
                            sm
                        }
                    }
                }
            }
            Some(o) => o,
            None => {
                if let Some(b) = &self.pieces {
                    let mut b = b.borrow_mut();
                    let i = b.cursor;
                    return match b.choices.get(i).copied() {
                        Some(choice) => {
                            b.cursor += 1;
                            b.asked.push((d.coeff(0), op));
                            Ok(choice)
                        }
                        None => Err(Fail::Branch),
                    };
                }
                return Err(undecided("a condition"));
            }
        };
        Ok(op.holds(sign))
    }
}

/// Runs one evaluation of `callee` at `at` to `order` in the given mode.
#[allow(clippy::too_many_arguments)]
fn run_once(
    callee: &Callee,
    params: &[(Name, Ir)],
    at: &Scalar,
    order: usize,
    (limits, budget): (&Limits, &Budget),
    side: Side,
    pieces: Option<std::rc::Rc<std::cell::RefCell<Branching>>>,
    span: Span,
) -> R<Series> {
    let mut ev = Evaluator {
        order,
        side,
        limits,
        budget,
        frames: Vec::new(),
        pieces,
    };
    let mut values = BTreeMap::new();
    for (p, v) in params {
        values.insert(p.clone(), ev.constant(v)?);
    }
    let s = ev.apply(callee, 0, Series::variable(at.clone(), order), values, span)?;
    // An operation interrupted by the budget returns early; this reports it.
    ev.check(&s, span)?;
    Ok(s)
}

/// The value of `callee` at the constant `at`, exactly: what a scalar function of a constant
/// needs, where the function need not have a series (`sqrt` at 0 is 0, though it is not
/// analytic there). An error where the value is not exact.
pub fn value_at(
    callee: &Callee,
    params: &[(Name, Ir)],
    at: &Scalar,
    (limits, budget): (&Limits, &Budget),
    span: Span,
) -> Result<Scalar, Diagnostic> {
    // At the point itself: `sign(0)` is 0 and `if t > 0 then 1 else -1` at 0 is −1, whatever
    // the sides' limits are.
    let mut ev = Evaluator {
        order: 0,
        side: Side::Exact,
        limits,
        budget,
        frames: Vec::new(),
        pieces: None,
    };
    let _active = budget.enter();
    let mut value = || {
        let mut values = BTreeMap::new();
        for (p, v) in params {
            values.insert(p.clone(), ev.constant(v)?);
        }
        let s = ev.apply(callee, 0, Series::constant(at.clone(), 0), values, span)?;
        ev.check(&s, span)?;
        Ok(s)
    };
    let value = value().map_err(|f| into_diagnostic(f, span))?;
    if !value.is_exact() {
        return Err(Diagnostic::at(
            Phase::Series,
            span,
            "the value at the point is not exact",
        ));
    }
    Ok(value.coeff(0))
}

fn into_diagnostic(f: Fail, span: Span) -> Diagnostic {
    match f {
        Fail::Diag(d) | Fail::Undecided(d) | Fail::Vanishing(d) => d,
        Fail::Breakpoint | Fail::Branch => {
            Diagnostic::at(Phase::Series, span, "cannot resolve a breakpoint")
        }
    }
}

/// The expansion of `callee` (with its parameters) at `at`, to `order`.
pub fn series_at(
    callee: &Callee,
    params: &[(Name, Ir)],
    at: &Scalar,
    order: usize,
    limits: &Limits,
    budget: &Budget,
    span: Span,
) -> Result<PointSeries, Diagnostic> {
    match point_series(callee, params, at, order, limits, budget, span) {
        Ok(ps) => Ok(ps),
        Err(f) => Err(into_diagnostic(f, span)),
    }
}

/// Like [`series_at`], but `Ok(None)` when the point does not decide a condition of the
/// function (a symbolic point or parameter): the value is then opaque, not an error.
pub fn series_at_if_decided(
    callee: &Callee,
    params: &[(Name, Ir)],
    at: &Scalar,
    order: usize,
    limits: &Limits,
    budget: &Budget,
    span: Span,
) -> Result<Option<PointSeries>, Diagnostic> {
    match point_series(callee, params, at, order, limits, budget, span) {
        Ok(ps) => Ok(Some(ps)),
        Err(Fail::Undecided(_) | Fail::Vanishing(_)) => Ok(None),
        Err(f) => Err(into_diagnostic(f, span)),
    }
}

fn point_series(
    callee: &Callee,
    params: &[(Name, Ir)],
    at: &Scalar,
    order: usize,
    limits: &Limits,
    budget: &Budget,
    span: Span,
) -> R<PointSeries> {
    if order > limits.max_series_order as usize {
        return Err(Fail::Diag(Diagnostic::at(
            Phase::Limit,
            span,
            format!(
                "order {order} exceeds the limit {} (`max_series_order`)",
                limits.max_series_order
            ),
        )));
    }
    let run = |side: Side, order: usize| {
        run_once(
            callee,
            params,
            at,
            order,
            (limits, budget),
            side,
            None,
            span,
        )
    };
    let _active = budget.enter();
    match run(Side::Both, order) {
        Ok(s) => Ok(PointSeries::Analytic(s)),
        Err(Fail::Breakpoint) => {
            let unwrap = |r: R<Series>| match r {
                Err(Fail::Breakpoint | Fail::Branch) => Err(Fail::Diag(Diagnostic::at(
                    Phase::Series,
                    span,
                    "cannot resolve a breakpoint",
                ))),
                r => r,
            };
            // The sides to order 1 at least: at order 0 the sign of t is not known on a side.
            // Sides that agree to the order asked need not be one function (elu at 0 to order
            // 1): expanded further, doubling the order up to the largest, the first order where
            // they differ gives the class, and the sides are reported to that order. Sides that
            // are equal polynomials, or agree to the largest order, are one analytic function.
            // A side whose condition vanishes to the order computed (relu(t³) to order 1) is
            // expanded further the same way.
            let cap = (limits.max_series_order as usize).max(order);
            let mut probe = order.max(1);
            let (mut left, mut right, first_diff) = loop {
                match (run(Side::Left, probe), run(Side::Right, probe)) {
                    (Err(Fail::Vanishing(_)), _) | (_, Err(Fail::Vanishing(_))) if probe < cap => {}
                    (l, r) => {
                        let (l, r) = (unwrap(l)?, unwrap(r)?);
                        let mut diff = None;
                        for k in 0..=probe {
                            match same_value(&l.coeff(k), &r.coeff(k)) {
                                Some(true) => {}
                                Some(false) => {
                                    diff = Some(k);
                                    break;
                                }
                                None => return Err(sides_undecided(span, k)),
                            }
                        }
                        if diff.is_some() || (l.is_exact() && r.is_exact()) || probe >= cap {
                            break (l, r, diff);
                        }
                    }
                }
                probe = (2 * probe + 2).min(cap);
            };
            // The value at the point itself: where it differs from both one-sided limits
            // (`if t^2 > 0 then t else 1` at 0) the function is discontinuous there.
            let at_point = unwrap(run(Side::Exact, 0))?.coeff(0);
            let shown = first_diff.map_or(order, |m| m.max(order));
            (left, right) = (
                zeros_written_as_zero(left.truncate(shown)),
                zeros_written_as_zero(right.truncate(shown)),
            );
            let removable = match (
                same_value(&at_point, &left.coeff(0)),
                same_value(&at_point, &right.coeff(0)),
            ) {
                (Some(l), Some(r)) => !(l && r),
                _ => return Err(sides_undecided(span, 0)),
            };
            Ok(match first_diff {
                _ if removable => PointSeries::OneSided {
                    left,
                    right,
                    class: Smoothness::Jump,
                },
                None => PointSeries::Analytic(Series::from_coeffs(
                    right.coeffs().to_vec(),
                    right.is_exact() && left.is_exact(),
                )),
                Some(0) => PointSeries::OneSided {
                    left,
                    right,
                    class: Smoothness::Jump,
                },
                Some(1) => PointSeries::OneSided {
                    left,
                    right,
                    class: Smoothness::Kink,
                },
                Some(m) => PointSeries::OneSided {
                    left,
                    right,
                    class: Smoothness::C(m as u32 - 1),
                },
            })
        }
        Err(f) => Err(f),
    }
}

/// Whether two coefficients are the same number: `Some(true)` when equal by their form or
/// when their difference is decided 0 by the exact sign test (σ(1) + σ(−1) − 1 against 0, at a
/// breakpoint an operating point reaches through such an identity), `Some(false)` when it is
/// decided not 0, or holds a parameter (taken generic, as everywhere in the expansion), and
/// `None` when a constant difference is not decided either way: two forms of one number
/// (`tanh(½) − 2·σ(1) + 1`, 0) must not be called two numbers.
fn same_value(a: &Scalar, b: &Scalar) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    let d = a.sub(b);
    if d.is_zero() {
        return Some(true);
    }
    if !d.params().is_empty() {
        // Equal as rational functions of the parameters (`α·(α)⁻¹` against 1, celu's slopes
        // at α = 1 + λ), else taken to differ: generic parameters.
        return Some(crate::algebra::fraction::is_zero(&d));
    }
    crate::algebra::sign::sign(&d).map(|o| o == Ordering::Equal)
}

/// The error where the sides of a breakpoint, or the value at it, are not decided equal or
/// different at the coefficient of t^k.
fn sides_undecided(span: Span, k: usize) -> Fail {
    Fail::Undecided(
        Diagnostic::at(
            Phase::Series,
            span,
            format!(
                "cannot decide whether the two sides of the breakpoint agree at the coefficient of t^{k}: a constant there is too close to 0 for 2048-bit floats and not a rational function of powers of e"
            ),
        )
        .hint("give the parameters numeric values, or expand at another point"),
    )
}

/// A side of a breakpoint with each coefficient that is 0 written as 0.
fn zeros_written_as_zero(s: Series) -> Series {
    if s.coeffs().iter().all(|c| c.is_zero() || c.as_q().is_some()) {
        return s;
    }
    let exact = s.is_exact();
    let coeffs = (s.coeffs().iter())
        .map(|c| {
            if !c.is_zero() && crate::algebra::sign::sign(c) == Some(Ordering::Equal) {
                Scalar::zero()
            } else {
                c.clone()
            }
        })
        .collect();
    Series::from_coeffs(coeffs, exact)
}

/// What a derivative of a function is off its breakpoints, at a generic (symbolic) point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenericDerivative {
    /// Zero on every piece: `relu″`, `square‴`.
    Zero,
    /// The same constant on every piece: `identity′ = 1`, `linear′ = a`.
    Constant(Scalar),
    /// One polynomial in the point on every piece: `square(c) = c²`, `linear(c) = a·c`
    /// (coefficients of c⁰, c¹, …).
    Polynomial(Vec<Scalar>),
    /// Depends on the point or on the piece: `tanh′(c)`, `relu′(c)` (0 or 1).
    Varies,
}

/// The derivatives `f⁽ᵏ⁾`, k = 0…n, of `callee` at a generic point, piece by piece.
///
/// The function is evaluated on series at a fresh symbolic point τ. Each condition the
/// point does not decide splits the evaluation into both branches, so every piece is
/// expanded exactly (infeasible combinations of branches only add pieces, which can
/// make an answer `Varies` but never a wrong `Zero` or `Constant`). `finite` is true
/// when every piece is a polynomial of degree ≤ n, so the expansion stops at n.
pub struct GenericDerivatives {
    pub derivatives: Vec<GenericDerivative>,
    pub finite: bool,
    pub piecewise: bool,
    /// The orders k whose derivative no exact rule reduced, taken as [`GenericDerivative::Zero`]
    /// because it vanishes at every one of [`IDENTITY_POINTS`] ([`vanishes_at_points`]).
    pub zero_at_points: Vec<usize>,
    /// Each piece with the conditions that select it, for a point whose piece is known
    /// otherwise ([`GenericDerivatives::on_piece`]).
    pub pieces: Vec<Piece>,
}

/// One piece of a piecewise function: where it holds, and its series at the symbolic point.
pub struct Piece {
    /// Each condition met on the way to this piece, in order.
    pub conditions: Vec<PieceCondition>,
    series: Series,
}

impl Piece {
    /// The coefficient of tᵏ of this piece's series at the symbolic point τ
    /// ([`generic_point`]): f⁽ᵏ⁾(τ)/k! on the piece.
    pub fn coefficient(&self, k: usize) -> Scalar {
        self.series.coeff(k)
    }
}

/// A condition `d op 0` met at the symbolic point τ (`d` the compared value there: `τ`,
/// `τ − 1`, `exp(τ) − 1`), and whether this piece has it hold.
pub struct PieceCondition {
    pub value: Scalar,
    pub op: CmpOp,
    pub holds: bool,
}

impl PieceCondition {
    /// The value as a polynomial in the point (coefficients of c⁰, c¹, …), when it is one.
    pub fn polynomial(&self) -> Option<Vec<Scalar>> {
        polynomial_in(&self.value, &generic_point())
    }
}

impl GenericDerivatives {
    /// The derivatives as [`GenericDerivatives::derivatives`] has them, but of piece `index`
    /// alone: for a point known to lie inside that piece (its conditions certified), the
    /// derivatives of the other pieces say nothing. With the orders found zero only at
    /// [`IDENTITY_POINTS`].
    pub fn on_piece(&self, index: usize) -> Option<(Vec<GenericDerivative>, Vec<usize>, bool)> {
        let piece = self.pieces.get(index)?;
        let n = self.derivatives.len().checked_sub(1)?;
        let point = generic_point();
        let series = std::slice::from_ref(&piece.series);
        let (derivatives, zero_at_points) = classify(series, n, &point);
        let finite = piece.series.is_exact() && piece.series.degree().is_none_or(|d| d <= n);
        Some((derivatives, zero_at_points, finite))
    }

    /// The distinct conditions of the pieces, each the value at the symbolic point τ of
    /// what is compared with 0 (`τ`, `τ − 1`, `exp(τ) − 1`): their zeros are the breakpoints
    /// ([`on_breakpoint`] reads them at a value).
    pub fn breakpoints(&self) -> Vec<Scalar> {
        let mut out: Vec<Scalar> = Vec::new();
        for cond in self.pieces.iter().flat_map(|p| &p.conditions) {
            if cond.value.params().contains(&generic_point()) && !out.contains(&cond.value) {
                out.push(cond.value.clone());
            }
        }
        out
    }
}

/// Whether `condition`, one of [`GenericDerivatives::breakpoints`], is exactly 0 at the point
/// `x`: the point is on a breakpoint there (decided exactly; undecided reads as no).
pub fn on_breakpoint(condition: &Scalar, x: &Q) -> bool {
    let Ok(v) = condition.substitute(&generic_point(), &Scalar::from_q(x.clone())) else {
        return false;
    };
    v.is_zero()
        || (v.params().is_empty() && crate::algebra::sign::sign(&v) == Some(Ordering::Equal))
}

/// The fresh symbolic point the pieces are expanded at.
pub fn generic_point() -> Name {
    Name::new("τ\u{2063}", "")
}

/// The derivatives `f⁽ᵏ⁾`, k = 0…n, as far as the series of `pieces` (one per piece, at the
/// symbolic `point`) tell them apart, with the orders taken as zero by the identity test.
fn classify(pieces: &[Series], n: usize, point: &Name) -> (Vec<GenericDerivative>, Vec<usize>) {
    let mut derivatives = Vec::with_capacity(n + 1);
    let mut zero_at_points = Vec::new();
    for k in 0..=n {
        let coeffs: Vec<Scalar> = pieces.iter().map(|s| s.coeff(k)).collect();
        let fact = (1..=k as u64).fold(Q::from(1), |a, i| a * Q::from(i));
        let same = coeffs.windows(2).all(|w| w[0] == w[1]);
        let d = if coeffs.iter().all(|c| c.is_zero()) {
            GenericDerivative::Zero
        } else if same && coeffs.iter().all(|c| !c.params().contains(point)) {
            GenericDerivative::Constant(coeffs[0].scale(&fact))
        } else if let Some(p) = same
            .then(|| polynomial_in(&coeffs[0].scale(&fact), point))
            .flatten()
        {
            GenericDerivative::Polynomial(p)
        } else if k >= 1 && vanishes_at_points(&coeffs, point) {
            zero_at_points.push(k);
            GenericDerivative::Zero
        } else {
            GenericDerivative::Varies
        };
        derivatives.push(d);
    }
    (derivatives, zero_at_points)
}

/// The points at which a derivative that the exact rules leave as a formula in the point is
/// tested for vanishing identically: fixed, so that the answer is the same on every run, and
/// none of the special points of the catalog (0, ±1, ±½, multiples of π).
pub const IDENTITY_POINTS: [(i64, u64); 3] = [(37, 97), (-125, 101), (211, 103)];

/// Whether every formula in `coeffs` (one per piece), a function of `point`, is 0 at each of
/// [`IDENTITY_POINTS`]: exactly, or within 2⁻⁴⁰⁰ of the size of its terms at 512 bits
/// ([`crate::algebra::sign::zero_at_512_bits`]). A probabilistic identity
/// test: an analytic function that is not identically 0 has isolated zeros, which three
/// fixed points are unlikely to hit; softplus(t) − softplus(−t) is t, and its second
/// derivative σ′(t) − σ′(−t), which no rule rewrites, is 0 everywhere (from a review, such
/// a derivative was taken as non-zero).
fn vanishes_at_points(coeffs: &[Scalar], point: &Name) -> bool {
    coeffs.iter().all(|c| {
        IDENTITY_POINTS.iter().all(|&(n, d)| {
            let at = Scalar::from_q(Q::from(n) / Q::from(d));
            let Ok(v) = c.substitute(point, &at) else {
                return false;
            };
            if v.is_zero() {
                return true;
            }
            // A clear non-zero in f64 ends the test cheaply; the rest is decided wide.
            if v.to_real::<f64>(&|_| None).is_some_and(|x| x.abs() > 1e-9) {
                return false;
            }
            crate::algebra::sign::zero_at_512_bits(&v)
        })
    })
}

/// At most this many pieces are explored (2⁶ combinations of undecided conditions).
const MAX_PIECES: usize = 64;

pub fn generic_derivatives(
    callee: &Callee,
    params: &[(Name, Ir)],
    n: usize,
    limits: &Limits,
    budget: &Budget,
    span: Span,
) -> Option<GenericDerivatives> {
    let point = generic_point();
    let at = Scalar::param(point.clone());
    let mut pending: Vec<Vec<bool>> = vec![Vec::new()];
    let mut pieces: Vec<Piece> = Vec::new();
    let _active = budget.enter();
    while let Some(choices) = pending.pop() {
        if pieces.len() + pending.len() >= MAX_PIECES {
            return None;
        }
        let state = std::rc::Rc::new(std::cell::RefCell::new(Branching {
            choices: choices.clone(),
            cursor: 0,
            asked: Vec::new(),
        }));
        match run_once(
            callee,
            params,
            &at,
            n,
            (limits, budget),
            Side::Both,
            Some(state.clone()),
            span,
        ) {
            Ok(series) => {
                let asked = std::mem::take(&mut state.borrow_mut().asked);
                let conditions = (asked.into_iter())
                    .zip(&choices)
                    .map(|((value, op), &holds)| PieceCondition { value, op, holds })
                    .collect();
                pieces.push(Piece { conditions, series });
            }
            Err(Fail::Branch) => {
                for c in [false, true] {
                    let mut next = choices.clone();
                    next.push(c);
                    pending.push(next);
                }
            }
            Err(_) => return None,
        }
    }
    let piecewise = pieces.len() > 1;
    let finite = pieces
        .iter()
        .all(|p| p.series.is_exact() && p.series.degree().is_none_or(|d| d <= n));
    let series: Vec<Series> = pieces.iter().map(|p| p.series.clone()).collect();
    let (derivatives, zero_at_points) = classify(&series, n, &point);
    Some(GenericDerivatives {
        derivatives,
        finite,
        piecewise,
        zero_at_points,
        pieces,
    })
}

/// `s` as a polynomial in `p` with coefficients free of it (`None` when it is not one).
fn polynomial_in(s: &Scalar, p: &Name) -> Option<Vec<Scalar>> {
    let by = s.coefficients_in(p);
    let mut out: Vec<Scalar> = Vec::new();
    for (e, c) in by {
        if e < 0u32 || e.denominator_ref() != &malachite_nz::natural::Natural::from(1u32) {
            return None;
        }
        if c.params().contains(p) {
            return None;
        }
        let i = usize::try_from(&e.to_numerator())
            .ok()
            .filter(|i| *i <= 64)?;
        if out.len() <= i {
            out.resize(i + 1, Scalar::zero());
        }
        out[i] = c;
    }
    Some(out)
}

/// The value of a scalar expression without a variable (parameter defaults, `--at` points).
pub fn scalar_value(ir: &Ir, limits: &Limits) -> Result<Scalar, Diagnostic> {
    let budget = Budget::default();
    let mut ev = Evaluator {
        order: 0,
        side: Side::Exact,
        limits,
        budget: &budget,
        frames: Vec::new(),
        pieces: None,
    };
    match ev.eval(ir) {
        Ok(s) => Ok(s.coeff(0)),
        Err(f) => Err(into_diagnostic(f, ir.span())),
    }
}
