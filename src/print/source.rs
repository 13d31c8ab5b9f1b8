//! The expression as written (from the AST), for headers and derivations.

use super::tree::{NameKind, Node};
use crate::algebra::scalar::Q;
use crate::syntax::{Expr, ExprKind, ProdOp};

/// The display tree of an expression as written (no simplification).
pub fn node(e: &Expr) -> Node {
    match &e.kind {
        ExprKind::Num(q) => {
            if *q < 0u32 {
                Node::Neg(Box::new(Node::Rat(-q.clone())))
            } else {
                Node::Rat(q.clone())
            }
        }
        ExprKind::Name(n) => {
            if n.sub.is_empty() && &*n.base == "π" {
                Node::Pi
            } else {
                let kind = if n.is_greek() {
                    NameKind::Param
                } else if n.starts_upper_latin() {
                    NameKind::Matrix
                } else {
                    NameKind::Vector
                };
                Node::Name {
                    name: n.clone(),
                    kind,
                }
            }
        }
        ExprKind::Ones => Node::Ones,
        ExprKind::Call {
            name,
            primes,
            args,
            kwargs,
            ..
        } => {
            let mut a: Vec<Node> = args.iter().map(node).collect();
            // Keyword parameters are shown as `a = v` after the argument, as written.
            for (k, _, v) in kwargs {
                a.push(Node::Call {
                    func: "=".into(),
                    deriv: 0,
                    args: vec![
                        Node::Name {
                            name: k.clone(),
                            kind: NameKind::Param,
                        },
                        node(v),
                    ],
                });
            }
            if name.sub.is_empty() && *primes == 0 && a.len() == 1 && kwargs.is_empty() {
                match &*name.base {
                    "diag" => return Node::Diag(Box::new(a.remove(0))),
                    // `sqrt(d)` and `√d` are one function; a report shows it as a root.
                    "sqrt" => return Node::Sqrt(Box::new(a.remove(0))),
                    _ => {}
                }
            }
            Node::Call {
                func: name.ascii_or_unicode(),
                deriv: *primes,
                args: a,
            }
        }
        ExprKind::Neg(x) => Node::Neg(Box::new(node(x))),
        ExprKind::Transpose(x) => Node::Transpose(Box::new(node(x))),
        ExprKind::Sum(ts) => Node::Sum(ts.iter().map(|(neg, t)| (*neg, node(t))).collect()),
        ExprKind::Product(fs) => {
            let mut out: Vec<Node> = Vec::new();
            for (op, f) in fs {
                match op {
                    ProdOp::Mul => out.push(node(f)),
                    ProdOp::Div => {
                        let num = if out.len() == 1 {
                            out.remove(0)
                        } else {
                            Node::Prod(std::mem::take(&mut out))
                        };
                        out = vec![Node::Frac(Box::new(num), Box::new(node(f)))];
                    }
                }
            }
            if out.len() == 1 {
                out.remove(0)
            } else {
                Node::Prod(out)
            }
        }
        ExprKind::Hadamard(fs) => Node::Had(fs.iter().map(node).collect()),
        // The exponent as the rational it stands for (`3^(−2)`, `t^(3/2)`); one written with a
        // name (a binding) stays as written, in `pow(base, exponent)` (from a review, every
        // exponent but a plain number was shown as 1).
        ExprKind::Pow { base, exp } => match exponent_value(exp) {
            Some(q) => Node::Pow(Box::new(node(base)), q),
            None => Node::Call {
                func: "pow".into(),
                deriv: 0,
                args: vec![node(base), node(exp)],
            },
        },
        ExprKind::HadPow { base, exp, .. } => Node::HadPow(Box::new(node(base)), *exp),
        ExprKind::If { .. } => Node::Call {
            func: "if".into(),
            deriv: 0,
            args: vec![],
        },
    }
}

/// The value of an exponent written with numbers only: `−2`, `3/2`, `1/2·2`, `2^2`; `None`
/// when it holds a name or a power past 64.
fn exponent_value(e: &Expr) -> Option<Q> {
    use malachite_base::num::arithmetic::traits::Pow;
    match &e.kind {
        ExprKind::Num(q) => Some(q.clone()),
        ExprKind::Neg(x) => exponent_value(x).map(|q| -q),
        ExprKind::Sum(ts) => ts.iter().try_fold(Q::from(0), |acc, (neg, t)| {
            let v = exponent_value(t)?;
            Some(if *neg { acc - v } else { acc + v })
        }),
        ExprKind::Product(fs) => fs.iter().try_fold(Q::from(1), |acc, (op, f)| {
            let v = exponent_value(f)?;
            match op {
                ProdOp::Mul => Some(acc * v),
                ProdOp::Div if v != 0u32 => Some(acc / v),
                ProdOp::Div => None,
            }
        }),
        ExprKind::Pow { base, exp } => {
            let (b, n) = (exponent_value(base)?, exponent_value(exp)?);
            let n = i64::try_from(&n).ok().filter(|n| n.abs() <= 64)?;
            (b != 0u32 || n >= 0).then(|| b.pow(n))
        }
        _ => None,
    }
}
