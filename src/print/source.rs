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
        ExprKind::Pow { base, exp } => match &exp.kind {
            ExprKind::Num(q) => Node::Pow(Box::new(node(base)), q.clone()),
            _ => Node::Pow(Box::new(node(base)), Q::from(1)),
        },
        ExprKind::HadPow { base, exp, .. } => Node::HadPow(Box::new(node(base)), *exp),
        ExprKind::If { .. } => Node::Call {
            func: "if".into(),
            deriv: 0,
            args: vec![],
        },
    }
}
