//! The tree structure of the IR: a node's children, and constant folding of exponents.

use crate::algebra::Q;
use crate::ir::{Ir, IrKind};
use std::rc::Rc;

/// The direct sub-expressions of a node.
pub fn children(k: &IrKind) -> Vec<&Ir> {
    match k {
        IrKind::Num(_)
        | IrKind::Pi
        | IrKind::E
        | IrKind::Param(_)
        | IrKind::Var
        | IrKind::Sym(_)
        | IrKind::Len
        | IrKind::Ones => vec![],
        IrKind::Sum(v) | IrKind::Mul(v) | IrKind::Had(v) => v.iter().collect(),
        IrKind::Neg(x)
        | IrKind::Pow(x, _)
        | IrKind::HadPow(x, _)
        | IrKind::Diag(x)
        | IrKind::Transpose(x) => vec![x],
        IrKind::Apply { arg, params, .. } => std::iter::once(&**arg)
            .chain(params.iter().map(|(_, v)| v))
            .collect(),
        IrKind::If {
            lhs,
            rhs,
            then,
            otherwise,
            ..
        } => vec![lhs, rhs, then, otherwise],
        IrKind::Bound { value, .. } => vec![value],
    }
}

pub(super) fn children_mut<'a>(k: &'a mut IrKind, out: &mut Vec<&'a mut Ir>) {
    match k {
        IrKind::Num(_)
        | IrKind::Pi
        | IrKind::E
        | IrKind::Param(_)
        | IrKind::Var
        | IrKind::Sym(_)
        | IrKind::Len
        | IrKind::Ones => {}
        IrKind::Sum(v) | IrKind::Mul(v) | IrKind::Had(v) => out.extend(v.iter_mut()),
        IrKind::Neg(x)
        | IrKind::Pow(x, _)
        | IrKind::HadPow(x, _)
        | IrKind::Diag(x)
        | IrKind::Transpose(x) => out.push(x),
        IrKind::Apply { arg, params, .. } => {
            out.push(arg);
            out.extend(params.iter_mut().map(|(_, v)| v));
        }
        IrKind::If {
            lhs,
            rhs,
            then,
            otherwise,
            ..
        } => out.extend([&mut **lhs, &mut **rhs, &mut **then, &mut **otherwise]),
        IrKind::Bound { value, .. } => out.push(Rc::make_mut(value)),
    }
}

/// The value of a constant rational expression (`2`, `-1/2`, `(1/3)^2`).
/// Whether a constant expression holds a whole power past the limit of 64 that [`const_q`]
/// does not evaluate (`2^(2^70)`: its exponent is such a power).
pub fn holds_power_past_limit(ir: &Ir) -> bool {
    match &ir.kind {
        IrKind::Pow(x, e) => {
            (e.to_denominator() == 1u32
                && i64::try_from(&e.to_numerator()).map_or(true, |n| n.abs() > 64))
                || holds_power_past_limit(x)
        }
        IrKind::Neg(x) => holds_power_past_limit(x),
        IrKind::Bound { value, .. } => holds_power_past_limit(value),
        IrKind::Sum(v) | IrKind::Mul(v) => v.iter().any(holds_power_past_limit),
        _ => false,
    }
}

pub fn const_q(ir: &Ir) -> Option<Q> {
    use malachite_base::num::arithmetic::traits::Pow;
    match &ir.kind {
        IrKind::Num(q) => Some(q.clone()),
        IrKind::Neg(x) => const_q(x).map(|q| -q),
        IrKind::Sum(v) => v
            .iter()
            .try_fold(Q::from(0), |acc, x| Some(acc + const_q(x)?)),
        IrKind::Mul(v) => v
            .iter()
            .try_fold(Q::from(1), |acc, x| Some(acc * const_q(x)?)),
        IrKind::Pow(x, e) if e.to_denominator() == 1u32 => {
            let b = const_q(x)?;
            let n = i64::try_from(&e.to_numerator()).ok()?;
            let n = if *e < 0u32 { -n } else { n };
            if b == 0u32 && n < 0 || n.abs() > 64 {
                return None;
            }
            Some(b.pow(n))
        }
        IrKind::Bound { value, .. } => const_q(value),
        _ => None,
    }
}
