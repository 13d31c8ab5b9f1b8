//! JSON: every expression as `{"ascii": …, "tree": …}` (schema in docs/json.md).

use super::text::{Style, render};
use super::tree::Node;
use crate::algebra::{Expr, Scalar};
use serde_json::{Value, json};

/// An expression as `{"ascii", "unicode", "tree"}`.
pub fn expr(e: &Expr) -> Value {
    node_value(&super::tree::expr(e))
}

pub fn scalar(s: &Scalar) -> Value {
    node_value(&super::tree::scalar(s))
}

pub fn node_value(n: &Node) -> Value {
    json!({ "ascii": render(n, Style::Ascii), "unicode": render(n, Style::Unicode), "tree": tree(n) })
}

/// The tree of a node: `{"op": …, "args": […]}`.
pub fn tree(n: &Node) -> Value {
    match n {
        Node::Rat(q) => json!({ "op": "num", "value": q.to_string() }),
        Node::Pi => json!({ "op": "const", "name": "pi" }),
        Node::E => json!({ "op": "const", "name": "e" }),
        Node::Name { name, kind } => {
            json!({ "op": "sym", "name": name.ascii(), "kind": kind.label() })
        }
        Node::Ones => json!({ "op": "ones" }),
        Node::Eye => json!({ "op": "identity" }),
        Node::Sum(terms) => {
            json!({ "op": "add", "args": terms.iter().map(|(neg, t)| if *neg { json!({ "op": "neg", "args": [tree(t)] }) } else { tree(t) }).collect::<Vec<_>>() })
        }
        Node::Neg(x) => json!({ "op": "neg", "args": [tree(x)] }),
        Node::Prod(fs) => json!({ "op": "mul", "args": fs.iter().map(tree).collect::<Vec<_>>() }),
        Node::Frac(a, b) => json!({ "op": "div", "args": [tree(a), tree(b)] }),
        Node::Sqrt(x) => json!({ "op": "pow", "args": [tree(x)], "exp": "1/2" }),
        Node::Pow(b, e) => json!({ "op": "pow", "args": [tree(b)], "exp": e.to_string() }),
        Node::Had(fs) => json!({ "op": "had", "args": fs.iter().map(tree).collect::<Vec<_>>() }),
        Node::HadPow(b, k) => json!({ "op": "hpow", "args": [tree(b)], "exp": k }),
        Node::Call { func, deriv, args } => {
            if func == "abs" && *deriv == 0 {
                json!({ "op": "abs", "args": args.iter().map(tree).collect::<Vec<_>>() })
            } else {
                json!({ "op": "call", "fn": func, "deriv": deriv, "args": args.iter().map(tree).collect::<Vec<_>>() })
            }
        }
        Node::Diag(x) => json!({ "op": "diag", "args": [tree(x)] }),
        Node::BigO(x) => json!({ "op": "order", "args": [tree(x)] }),
    }
}
