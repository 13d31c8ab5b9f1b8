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
    Both,
    Left,
    Right,
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
        left: Series,
        right: Series,
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
    Diag(Diagnostic),
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
}

fn series_err(e: SeriesError, span: Span) -> Fail {
    let phase = if matches!(e, SeriesError::Limit(_)) {
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
        let terms: usize = s.coeffs().iter().map(|c| c.len()).sum();
        if terms > self.limits.max_terms {
            return Err(Fail::Diag(Diagnostic::at(
                Phase::Limit,
                span,
                format!(
                    "the series coefficients grew past {} terms (limit `max_terms`); lower the order",
                    self.limits.max_terms
                ),
            )));
        }
        let bits = s.coeffs().iter().map(|c| c.max_bits()).max().unwrap_or(0);
        if bits > self.limits.max_coefficient_bits {
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
        let out = match &ir.kind {
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
                        ir.span,
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
                let mut acc = Series::constant(Scalar::one(), n);
                for x in v {
                    acc = acc.mul(&self.eval(x)?);
                    self.check(&acc, ir.span)?;
                }
                acc
            }
            IrKind::Pow(x, q) => {
                let b = self.eval(x)?;
                b.powq(q).map_err(|e| series_err(e, ir.span))?
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
                if self.holds(&d, *op, ir.span)? {
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
                self.apply(callee, *deriv, s, values, ir.span)?
            }
            IrKind::Sym(_)
            | IrKind::Ones
            | IrKind::Had(_)
            | IrKind::HadPow(..)
            | IrKind::Diag(_) => {
                return Err(Fail::Diag(Diagnostic::at(
                    Phase::Series,
                    ir.span,
                    "a scalar series cannot contain vectors or matrices",
                )));
            }
        };
        self.check(&out, ir.span)?;
        Ok(out)
    }

    /// A parameter value: must not depend on the variable.
    fn constant(&mut self, ir: &Ir) -> R<Scalar> {
        let s = self.eval(ir)?;
        if !s.is_constant() {
            return Err(Fail::Diag(Diagnostic::at(
                Phase::Series,
                ir.span,
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
                    Prim::Sin => Ok(s.sin_cos().0),
                    Prim::Cos => Ok(s.sin_cos().1),
                    Prim::Tan => Ok(s.tan_like(1, "tan")),
                    Prim::Tanh => Ok(s.tan_like(-1, "tanh")),
                    Prim::Atan => s.atan(),
                    Prim::Erf => s.erf(),
                    Prim::Sqrt => s.powq(&Q::from_signeds(1, 2)),
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
        let undecided = |what: String| {
            Fail::Diag(
                Diagnostic::at(
                    Phase::Series,
                    span,
                    format!("cannot decide the sign of {what} at this point"),
                )
                .hint("give the parameters numeric values, or expand at another point"),
            )
        };
        let sign = match d.coeff(0).sign() {
            Some(Ordering::Equal) => {
                if self.side == Side::Both {
                    return Err(Fail::Breakpoint);
                }
                match d.valuation() {
                    None if d.is_exact() => Ordering::Equal,
                    None => {
                        return Err(undecided(
                            "a difference that vanishes to every computed order".into(),
                        ));
                    }
                    Some(m) => {
                        let sm = d
                            .coeff(m)
                            .sign()
                            .ok_or_else(|| undecided("the leading coefficient".into()))?;
                        if self.side == Side::Left && m % 2 == 1 {
                            sm.reverse()
                        } else {
                            sm
                        }
                    }
                }
            }
            Some(o) => o,
            None => return Err(undecided("a condition".into())),
        };
        Ok(op.holds(sign))
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
    if order > limits.max_series_order as usize {
        return Err(Diagnostic::at(
            Phase::Limit,
            span,
            format!(
                "order {order} exceeds the limit {} (`max_series_order`)",
                limits.max_series_order
            ),
        ));
    }
    let run = |side: Side| -> R<Series> {
        let mut ev = Evaluator {
            order,
            side,
            limits,
            budget,
            frames: Vec::new(),
        };
        let mut values = BTreeMap::new();
        for (p, v) in params {
            values.insert(p.clone(), ev.constant(v)?);
        }
        let s = ev.apply(callee, 0, Series::variable(at.clone(), order), values, span)?;
        // An operation interrupted by the budget returns early; this reports it.
        ev.check(&s, span)?;
        Ok(s)
    };
    let _active = budget.enter();
    match run(Side::Both) {
        Ok(s) => Ok(PointSeries::Analytic(s)),
        Err(Fail::Diag(d)) => Err(d),
        Err(Fail::Breakpoint) => {
            let unwrap = |r: R<Series>| match r {
                Ok(s) => Ok(s),
                Err(Fail::Diag(d)) => Err(d),
                Err(Fail::Breakpoint) => Err(Diagnostic::at(
                    Phase::Series,
                    span,
                    "cannot resolve a breakpoint",
                )),
            };
            let left = unwrap(run(Side::Left))?;
            let right = unwrap(run(Side::Right))?;
            let first_diff = (0..=order).find(|&k| left.coeff(k) != right.coeff(k));
            Ok(match first_diff {
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
    }
}

/// The value of a scalar expression without a variable (parameter defaults, `--at` points).
pub fn scalar_value(ir: &Ir, limits: &Limits) -> Result<Scalar, Diagnostic> {
    let budget = Budget::default();
    let mut ev = Evaluator {
        order: 0,
        side: Side::Both,
        limits,
        budget: &budget,
        frames: Vec::new(),
    };
    match ev.eval(ir) {
        Ok(s) => Ok(s.coeff(0)),
        Err(Fail::Diag(d)) => Err(d),
        Err(Fail::Breakpoint) => Err(Diagnostic::at(
            Phase::Series,
            ir.span,
            "this value sits on a breakpoint of a piecewise function",
        )),
    }
}
