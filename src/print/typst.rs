//! Typst math, from the same display tree as LaTeX: `W_1 x + b_1`, `frac(1, 48) u_1^(∘ 3)`,
//! `op("sigmoid")'(c_2)`, `cal(O)(ε^4)`.

use super::latex::{Notation, width};
use super::tree::Node;
use crate::algebra::scalar::Q;

const SUM: u8 = 1;
const HAD: u8 = 2;
const PROD: u8 = 3;
const POW: u8 = 5;
const ATOM: u8 = 6;

/// Functions Typst's math mode knows as operators; any other name is quoted: `op("sigmoid")`.
const OPERATORS: &[&str] = &[
    "tanh", "sin", "cos", "tan", "exp", "log", "ln", "sinh", "cosh", "arctan", "max", "min",
];

/// One line of Typst math.
pub fn render(n: &Node, notation: &Notation) -> String {
    r(n, notation).0
}

/// `n` broken into lines at the `+`/`−` of its outermost sum, each at most about `limit`
/// points wide (measured as its LaTeX form would be).
pub fn render_lines(n: &Node, notation: &Notation, first: f64, rest: f64) -> Vec<String> {
    let Node::Sum(terms) = n.view() else {
        return vec![render(n, notation)];
    };
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_width = 0.0;
    for (i, (neg, t)) in terms.iter().enumerate() {
        let body = wrap(r(t, notation), SUM + 1);
        let piece = match (i, neg) {
            (0, false) => body,
            (0, true) => format!("-{body}"),
            (_, false) => format!(" + {body}"),
            (_, true) => format!(" - {body}"),
        };
        let w = width(&super::latex::render_with(t, notation)) + 14.0;
        let limit = if lines.is_empty() { first } else { rest };
        if !cur.is_empty() && cur_width + w > limit {
            lines.push(std::mem::take(&mut cur));
            cur_width = 0.0;
        }
        cur.push_str(&piece);
        cur_width += w;
    }
    lines.push(cur);
    lines
        .into_iter()
        .map(|l| l.trim_start().to_string())
        .collect()
}

fn wrap(s: (String, u8), min: u8) -> String {
    if s.1 < min { format!("({})", s.0) } else { s.0 }
}

/// A name: `W_1`, `σ`, `"relu"`, `b_("out")`.
pub fn name(n: &crate::syntax::Name) -> String {
    let base: String = if n.base.chars().count() > 1 {
        format!("\"{}\"", n.base)
    } else {
        n.base.to_string()
    };
    if n.sub.is_empty() {
        base
    } else if n.sub.chars().all(|c| c.is_ascii_digit()) {
        if n.sub.len() == 1 {
            format!("{base}_{}", n.sub)
        } else {
            format!("{base}_({})", n.sub)
        }
    } else {
        format!("{base}_(\"{}\")", n.sub)
    }
}

fn r(n: &Node, notation: &Notation) -> (String, u8) {
    let had = notation.hadamard.unicode();
    match n {
        Node::Shared(x) => r(x.node(), notation),
        Node::Rat(q) => rational(q),
        Node::Pi => ("pi".into(), ATOM),
        Node::E => ("e".into(), ATOM),
        Node::Name { name: nm, .. } => {
            let shown = if &*nm.base == "ε" && nm.sub.is_empty() {
                &notation.small
            } else {
                nm
            };
            (name(shown), ATOM)
        }
        Node::Ones => ("bb(1)".into(), ATOM),
        Node::Eye => ("I".into(), ATOM),
        Node::Sum(terms) => {
            let mut s = String::new();
            for (i, (neg, t)) in terms.iter().enumerate() {
                let body = wrap(r(t, notation), SUM + 1);
                match (i, neg) {
                    (0, false) => s.push_str(&body),
                    (0, true) => s.push_str(&format!("-{body}")),
                    (_, false) => s.push_str(&format!(" + {body}")),
                    (_, true) => s.push_str(&format!(" - {body}")),
                }
            }
            (s, SUM)
        }
        Node::Neg(x) => (format!("-{}", wrap(r(x, notation), PROD)), SUM),
        Node::Prod(fs) => {
            let parts: Vec<String> = fs.iter().map(|f| wrap(r(f, notation), PROD + 1)).collect();
            (parts.join(" "), PROD)
        }
        Node::Frac(a, b) => (
            format!("frac({}, {})", r(a, notation).0, r(b, notation).0),
            ATOM,
        ),
        Node::Sqrt(x) => (format!("sqrt({})", r(x, notation).0), ATOM),
        Node::Pow(b, e) => (
            format!("{}^({})", wrap(r(b, notation), ATOM), exponent(e)),
            POW,
        ),
        Node::Had(fs) => {
            let parts: Vec<String> = fs.iter().map(|f| wrap(r(f, notation), PROD + 1)).collect();
            (parts.join(&format!(" {had} ")), HAD)
        }
        Node::HadPow(b, k) => (format!("{}^({had} {k})", wrap(r(b, notation), ATOM)), POW),
        Node::Call { func, deriv, args } => {
            let inner: Vec<String> = args.iter().map(|a| r(a, notation).0).collect();
            let inner = inner.join(", ");
            if func == "abs" && *deriv == 0 {
                return (format!("abs({inner})"), ATOM);
            }
            if func == "≈" {
                return (format!("≈ {inner}"), ATOM);
            }
            let f = if func == "atan" {
                "arctan"
            } else {
                func.as_str()
            };
            let name = if OPERATORS.contains(&f) {
                f.to_string()
            } else if f == "𝓛" {
                // The linear map of a matrix input, 𝓛(X).
                "cal(L)".to_string()
            } else {
                format!("op(\"{f}\")")
            };
            let primes = match deriv {
                0 => String::new(),
                1 => "'".into(),
                2 => "''".into(),
                3 => "'''".into(),
                k => format!("^(({k}))"),
            };
            (format!("{name}{primes}({inner})"), ATOM)
        }
        Node::BigO(x) => (format!("cal(O)({})", r(x, notation).0), ATOM),
        Node::Diag(x) => (format!("op(\"diag\")({})", r(x, notation).0), ATOM),
        Node::Transpose(x) => (format!("{}^top", wrap(r(x, notation), ATOM)), POW),
        Node::Group(x) => (format!("({})", r(x, notation).0), ATOM),
    }
}

fn exponent(e: &Q) -> String {
    if e.to_denominator() == 1u32 {
        e.to_string()
    } else {
        let sign = if *e < 0u32 { "-" } else { "" };
        format!("{sign}{}/{}", e.to_numerator(), e.to_denominator())
    }
}

/// The short form [`super::latex`] typesets, in Typst: `frac(1, 48)`, `1.05070098735…`.
fn rational(q: &Q) -> (String, u8) {
    let tex = super::latex::rational_latex(q);
    if let Some(rest) = tex.strip_prefix("\\tfrac{") {
        let (num, den) = rest
            .trim_end_matches('}')
            .split_once("}{")
            .unwrap_or((rest, "1"));
        return (format!("frac({num}, {den})"), ATOM);
    }
    let s = tex
        .replace("\\ldots", "…")
        .replace(" \\times 10^{", " times 10^(")
        .replace('}', ")");
    (s, ATOM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_calls() {
        let n = Node::Call {
            func: "sigmoid".into(),
            deriv: 1,
            args: vec![Node::Name {
                name: crate::syntax::Name::new("c", "2"),
                kind: super::super::tree::NameKind::OpPoint,
            }],
        };
        assert_eq!(render(&n, &Notation::default()), "op(\"sigmoid\")'(c_2)");
    }
}
