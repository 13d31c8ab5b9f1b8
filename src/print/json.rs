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
    // A tree too large to write within the budget stops here; the caller reports the limit.
    if crate::limits::tick() {
        return Value::Null;
    }
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
        Node::Transpose(x) => json!({ "op": "transpose", "args": [tree(x)] }),
        Node::Group(x) => tree(x),
        Node::BigO(x) => json!({ "op": "order", "args": [tree(x)] }),
    }
}

/// A JSON document as text: indented two spaces like `serde_json::to_string_pretty`, except
/// that an expression's `tree` is written on one line. Trees nest as deep as the expression,
/// and indenting every level made large results hundreds of times longer than their text form.
pub fn to_text(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out
}

fn write_value(out: &mut String, v: &Value, indent: usize) {
    if crate::limits::tick() {
        return;
    }
    match v {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                push_indent(out, indent + 1);
                write_value(out, item, indent + 1);
            }
            out.push('\n');
            push_indent(out, indent);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                push_indent(out, indent + 1);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                if key == "tree" {
                    out.push_str(&item.to_string());
                } else {
                    write_value(out, item, indent + 1);
                }
            }
            out.push('\n');
            push_indent(out, indent);
            out.push('}');
        }
        // Scalars and empty containers: `[]`, `{}`, numbers and strings as serde_json writes them.
        _ => out.push_str(&v.to_string()),
    }
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_indented_and_trees_are_one_line() {
        let v = json!({
            "b": { "ascii": "x", "tree": { "op": "add", "args": [{ "op": "sym" }] } },
            "k": 3,
            "rows": [],
            "s": ["a\"b"]
        });
        let text = to_text(&v);
        assert_eq!(
            text,
            "{\n  \"b\": {\n    \"ascii\": \"x\",\n    \"tree\": {\"args\":[{\"op\":\"sym\"}],\"op\":\"add\"}\n  },\n  \"k\": 3,\n  \"rows\": [],\n  \"s\": [\n    \"a\\\"b\"\n  ]\n}"
        );
        // The same document, whatever the layout.
        let back: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, v);
        // Without trees it is exactly serde_json's pretty form.
        let plain = json!({ "a": [1, { "b": null }], "c": {} });
        assert_eq!(to_text(&plain), crate::print::json::to_text(&plain));
    }
}
