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
    json!({ "ascii": render(n, Style::Ascii), "unicode": render(n, Style::Unicode), "tree": written_tree(n) })
}

/// Marks a string value that holds JSON text already written (an expression's tree): the
/// writers below copy it as it is. A tree written straight to text costs its length; built as a
/// `Value` first, every node became a map, and a result with a 50 MB tree took gigabytes and
/// most of a minute to build, write and free. No text of the language holds a NUL, so the mark
/// cannot meet a user's string.
const WRITTEN: &str = "\u{0}json:";

/// The tree of a node as written JSON (see [`WRITTEN`]); `null` when the budget ran out.
fn written_tree(n: &Node) -> Value {
    let mut out = String::from(WRITTEN);
    if write_tree(&mut out, n) {
        Value::String(out)
    } else {
        Value::Null
    }
}

/// Writes the tree of a node on one line, its keys in the sorted order serde_json gives a map:
/// `{"args":[…],"op":"add"}`. False when the budget ran out (the caller reports the limit).
fn write_tree(out: &mut String, n: &Node) -> bool {
    if crate::limits::tick() {
        return false;
    }
    let args = |out: &mut String, items: &mut dyn Iterator<Item = &Node>| -> bool {
        out.push_str("{\"args\":[");
        for (i, t) in items.enumerate() {
            if i > 0 {
                out.push(',');
            }
            if !write_tree(out, t) {
                return false;
            }
        }
        out.push(']');
        true
    };
    let op = |out: &mut String, op: &str| {
        out.push_str(",\"op\":\"");
        out.push_str(op);
        out.push_str("\"}");
    };
    match n {
        Node::Shared(x) => return write_tree(out, x.node()),
        Node::Rat(q) => {
            if super::text::out_of_budget_for(q) {
                return false;
            }
            out.push_str("{\"op\":\"num\",\"value\":");
            push_string(out, &q.to_string());
            out.push('}');
        }
        Node::Pi => out.push_str("{\"name\":\"pi\",\"op\":\"const\"}"),
        Node::E => out.push_str("{\"name\":\"e\",\"op\":\"const\"}"),
        Node::Name { name, kind } => {
            out.push_str("{\"kind\":");
            push_string(out, kind.label());
            out.push_str(",\"name\":");
            push_string(out, &name.ascii());
            out.push_str(",\"op\":\"sym\"}");
        }
        Node::Ones => out.push_str("{\"op\":\"ones\"}"),
        Node::Eye => out.push_str("{\"op\":\"identity\"}"),
        Node::Sum(terms) => {
            out.push_str("{\"args\":[");
            for (i, (neg, t)) in terms.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if *neg {
                    out.push_str("{\"args\":[");
                }
                if !write_tree(out, t) {
                    return false;
                }
                if *neg {
                    out.push_str("],\"op\":\"neg\"}");
                }
            }
            out.push(']');
            op(out, "add");
        }
        Node::Neg(x) => {
            if !args(out, &mut std::iter::once(&**x)) {
                return false;
            }
            op(out, "neg");
        }
        Node::Prod(fs) => {
            if !args(out, &mut fs.iter()) {
                return false;
            }
            op(out, "mul");
        }
        Node::Frac(a, b) => {
            if !args(out, &mut [&**a, &**b].into_iter()) {
                return false;
            }
            op(out, "div");
        }
        Node::Sqrt(x) => {
            if !args(out, &mut std::iter::once(&**x)) {
                return false;
            }
            out.push_str(",\"exp\":\"1/2\"");
            op(out, "pow");
        }
        Node::Pow(b, e) => {
            if !args(out, &mut std::iter::once(&**b)) {
                return false;
            }
            out.push_str(",\"exp\":");
            push_string(out, &e.to_string());
            op(out, "pow");
        }
        Node::Had(fs) => {
            if !args(out, &mut fs.iter()) {
                return false;
            }
            op(out, "had");
        }
        Node::HadPow(b, k) => {
            if !args(out, &mut std::iter::once(&**b)) {
                return false;
            }
            out.push_str(",\"exp\":");
            out.push_str(&k.to_string());
            op(out, "hpow");
        }
        Node::Call {
            func,
            deriv,
            args: xs,
        } => {
            if !args(out, &mut xs.iter()) {
                return false;
            }
            if func == "abs" && *deriv == 0 {
                op(out, "abs");
            } else {
                out.push_str(",\"deriv\":");
                out.push_str(&deriv.to_string());
                out.push_str(",\"fn\":");
                push_string(out, func);
                op(out, "call");
            }
        }
        Node::Diag(x) => {
            if !args(out, &mut std::iter::once(&**x)) {
                return false;
            }
            op(out, "diag");
        }
        Node::Transpose(x) => {
            if !args(out, &mut std::iter::once(&**x)) {
                return false;
            }
            op(out, "transpose");
        }
        // A bracket only for the text forms: the tree shows it by nesting already.
        Node::Group(x) => return write_tree(out, x),
        Node::BigO(x) => {
            if !args(out, &mut std::iter::once(&**x)) {
                return false;
            }
            op(out, "order");
        }
    }
    true
}

/// The display tree of an expression's JSON `tree` (docs/json.md), as [`expr`] writes it: its
/// texts and LaTeX are the ones the report writes, where re-reading the input form could not
/// serve (`I`, or a dimension `d₁` written as a number, are no names the language reads). What
/// the tree does not record comes back as it was written: a shared subtree written out, the
/// bracket of a 1×1 product as a product nested in a product. `None` for a value that is no
/// such tree, or one nested deeper than [`TREE_DEPTH_MAX`].
pub fn node_from_tree(v: &Value) -> Option<Node> {
    node_in(v, false, 0)
}

/// How deep a tree [`node_from_tree`] reads: far past any expression the engine writes (its
/// own depth limit is lower), and a bound on the reader's stack.
pub const TREE_DEPTH_MAX: usize = 100_000;

fn node_in(v: &Value, in_product: bool, depth: usize) -> Option<Node> {
    use super::tree::NameKind;
    use crate::algebra::Q;
    if depth > TREE_DEPTH_MAX {
        return None;
    }
    let o = v.as_object()?;
    let args = || -> Option<Vec<Node>> {
        o.get("args")?
            .as_array()?
            .iter()
            .map(|a| node_in(a, false, depth + 1))
            .collect()
    };
    let one = || -> Option<Box<Node>> {
        let [a] = <[Node; 1]>::try_from(args()?).ok()?;
        Some(Box::new(a))
    };
    let exponent = || -> Option<Q> { o.get("exp")?.as_str()?.parse().ok() };
    Some(match o.get("op")?.as_str()? {
        "num" => {
            let q: Q = o.get("value")?.as_str()?.parse().ok()?;
            if q < 0u32 {
                return None;
            }
            Node::Rat(q)
        }
        "const" => match o.get("name")?.as_str()? {
            "pi" => Node::Pi,
            "e" => Node::E,
            _ => return None,
        },
        "sym" => Node::Name {
            name: crate::syntax::names::Name::parse(o.get("name")?.as_str()?).ok()?,
            kind: match o.get("kind")?.as_str()? {
                "scalar" => NameKind::Param,
                "matrix" => NameKind::Matrix,
                "vector" => NameKind::Vector,
                "layer" => NameKind::Layer,
                "operating-point" => NameKind::OpPoint,
                _ => return None,
            },
        },
        "ones" => Node::Ones,
        "identity" => Node::Eye,
        // A subtracted term is written as a `neg` among the sum's terms.
        "add" => Node::Sum(
            o.get("args")?
                .as_array()?
                .iter()
                .map(|a| {
                    let t = a.as_object()?;
                    if t.get("op")?.as_str()? == "neg" {
                        let [x] = <[&Value; 1]>::try_from(
                            t.get("args")?.as_array()?.iter().collect::<Vec<_>>(),
                        )
                        .ok()?;
                        Some((true, node_in(x, false, depth + 2)?))
                    } else {
                        Some((false, node_in(a, false, depth + 1)?))
                    }
                })
                .collect::<Option<_>>()?,
        ),
        "neg" => Node::Neg(one()?),
        "mul" => {
            let factors = o
                .get("args")?
                .as_array()?
                .iter()
                .map(|a| node_in(a, true, depth + 1))
                .collect::<Option<_>>()?;
            // A product among a product's factors is a bracketed 1×1 product (`Group`).
            if in_product {
                Node::Group(Box::new(Node::Prod(factors)))
            } else {
                Node::Prod(factors)
            }
        }
        "div" => {
            let [a, b] = <[Node; 2]>::try_from(args()?).ok()?;
            Node::Frac(Box::new(a), Box::new(b))
        }
        "pow" => match exponent()? {
            e if e == Q::from_unsigneds(1u32, 2u32) => Node::Sqrt(one()?),
            e => Node::Pow(one()?, e),
        },
        "had" => Node::Had(args()?),
        "hpow" => Node::HadPow(one()?, u32::try_from(o.get("exp")?.as_u64()?).ok()?),
        "abs" => Node::Call {
            func: "abs".into(),
            deriv: 0,
            args: args()?,
        },
        "call" => Node::Call {
            func: o.get("fn")?.as_str()?.to_string(),
            deriv: u32::try_from(o.get("deriv")?.as_u64()?).ok()?,
            args: args()?,
        },
        "diag" => Node::Diag(one()?),
        "transpose" => Node::Transpose(one()?),
        "order" => Node::BigO(one()?),
        _ => return None,
    })
}

/// A JSON document on one line, as `serde_json::to_string` writes it, with written trees copied.
pub fn to_compact(v: &Value) -> String {
    let mut out = String::new();
    write_compact(&mut out, v);
    out
}

fn write_compact(out: &mut String, v: &Value) {
    if crate::limits::tick() {
        return;
    }
    match v {
        Value::String(s) if s.starts_with(WRITTEN) => out.push_str(&s[WRITTEN.len()..]),
        Value::String(s) => push_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_string(out, key);
                out.push(':');
                write_compact(out, item);
            }
            out.push('}');
        }
        _ => push_scalar(out, v),
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
                push_string(out, key);
                out.push_str(": ");
                if key == "tree" {
                    write_compact(out, item);
                } else {
                    write_value(out, item, indent + 1);
                }
            }
            out.push('\n');
            push_indent(out, indent);
            out.push('}');
        }
        Value::String(s) if s.starts_with(WRITTEN) => out.push_str(&s[WRITTEN.len()..]),
        Value::String(s) => push_string(out, s),
        _ => push_scalar(out, v),
    }
}

/// A number, `true`, `false`, `null`, `[]` or `{}` as serde_json writes it, straight into the
/// output (a short text of its own per number cost more than writing it).
fn push_scalar(out: &mut String, v: &Value) {
    use std::fmt::Write;
    let _ = write!(out, "{v}");
}

/// Writes a JSON string as serde_json writes it (`"`, `\` and control characters escaped,
/// `\u00xx` in lower case for those without a short form), copying each run of characters that
/// need no escape in one piece: a coefficient's exact forms are megabytes long, so the scan
/// looks at eight bytes at a time.
fn push_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !any_byte_escaped(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        // Escapes are ASCII, so `run..i - 1` ends on a character boundary.
        out.push_str(&s[run..i - 1]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Whether one of eight bytes is `"`, `\` or below 0x20 (exact: the classic tests for a zero
/// byte and for a byte below n ≤ 128 have no false positives when asked about any byte).
fn any_byte_escaped(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    (below_space | zero(quote) | zero(backslash)) & HIGH != 0
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings are escaped as serde_json escapes them: every ASCII character, one past it,
    /// and runs of Unicode between escapes.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut cases: Vec<String> = (0u32..0x80)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b{c}"))
            .collect();
        cases.extend((0u32..0x80).filter_map(char::from_u32).map(|c| {
            // The escape at every offset of a long run, past the eight-byte scan.
            (0..20)
                .map(|k| format!("{}{c}", "xκ".repeat(k)))
                .collect::<String>()
        }));
        cases.extend(
            [
                "",
                "\"",
                "κ₁·e^(−½)\n\u{7f}\u{1f}",
                "√(2π)\\\t⅓",
                "\u{2028}x\u{0}",
            ]
            .map(String::from),
        );
        for s in cases {
            let mut out = String::new();
            push_string(&mut out, &s);
            assert_eq!(out, Value::String(s.clone()).to_string(), "{s:?}");
        }
    }

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

#[cfg(test)]
mod written_tree_tests {
    use super::*;

    /// Expressions whose trees the tests below write and read.
    const SOURCES: [&str; 4] = [
        "tanh(W2·tanh(W1·x + b1) + b2)",
        "leaky_relu(W·x + b; a = 1/3) − (2^(1/2))·x∘x",
        "softplus(-x)·π + e·x",
        "abs(x) − diag(b)·x + x∘x∘x",
    ];

    /// Written trees are what serde_json writes for the same tree as a value: keys sorted,
    /// strings escaped the same way, one line; and they parse back.
    #[test]
    fn written_trees_read_back_as_serde_writes_them() {
        let s = crate::Session::new();
        for src in SOURCES {
            let e = crate::normal_form(&s, src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
            let v = expr(&e);
            let compact = to_compact(&v);
            let back: Value = serde_json::from_str(&compact).unwrap_or_default();
            assert!(back["tree"]["op"].is_string(), "{src}: {compact}");
            assert_eq!(
                serde_json::to_string(&back).unwrap_or_default(),
                compact,
                "{src}"
            );
            let pretty: Value = serde_json::from_str(&to_text(&v)).unwrap_or_default();
            assert_eq!(pretty, back, "{src}");
        }
    }

    /// A tree read back gives the texts and LaTeX of the expression it was written from, the
    /// results' forms the input syntax does not read included (`I`, a dimension `d₁` as a
    /// number, a bracketed 1×1 product, `√`, subtracted terms, derivatives).
    #[test]
    fn trees_read_back_give_the_same_texts_and_latex() {
        let mut exprs = Vec::new();
        let s = crate::Session::new();
        for src in SOURCES.into_iter().chain(["(𝟙ᵀ·x)·W·x − λ^(-3/2)·x"]) {
            exprs.push(crate::normal_form(&s, src).unwrap_or_else(|d| panic!("{src}: {d:?}")));
        }
        for src in [
            "tanh(x)",
            "x + W·x",
            "softmax(W1·x + b1)",
            "logsumexp(W·x)",
            "n : dim; x : n; tanh(x − mean(x)·𝟙)",
            "tanh(W2·gelu(W1·x + b1) + b2)",
        ] {
            let r = crate::analyze(src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
            let d = &r.main.decision;
            exprs.extend([d.w.clone(), d.b.clone()]);
        }
        for e in &exprs {
            let written = super::super::tree::expr(e);
            let tree = expr(e)["tree"].clone();
            let tree: Value = serde_json::from_str(&to_compact(&tree)).unwrap_or_default();
            let read = node_from_tree(&tree)
                .unwrap_or_else(|| panic!("{} did not read back", render(&written, Style::Ascii)));
            for style in [Style::Unicode, Style::Ascii] {
                assert_eq!(render(&read, style), render(&written, style));
            }
            assert_eq!(
                super::super::latex::render(&read),
                super::super::latex::render(&written)
            );
        }
        for bad in [
            json!(null),
            json!({"op": "num", "value": "-1"}),
            json!({"op": "sym", "name": "x", "kind": "tensor"}),
            json!({"op": "div", "args": [{"op": "ones"}]}),
            json!({"op": "what"}),
        ] {
            assert!(node_from_tree(&bad).is_none(), "{bad}");
        }
    }
}
