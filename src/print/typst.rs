//! Typst math, from the same display tree as LaTeX: `W_1 x + b_1`, `frac(1, 48) u_1^(∘ 3)`,
//! `op("sigmoid")'(c_2)`, `cal(O)(ε^4)`.

use super::latex::{Notation, width};
use super::tree::Node;
use super::{SharedTexts, joined};
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
    let mut out = String::new();
    let shared = SharedTexts::default();
    write(
        n,
        &Ctx {
            notation,
            shared: &shared,
        },
        &mut out,
    );
    out
}

/// What a rendering keeps fixed: the notation, and the text of each shared subtree
/// ([`Node::Shared`]) written so far, by the address of what it holds (the tree, and so every
/// address, outlives the rendering): a named constant sits in thousands of terms of a long
/// coefficient, and is written once.
struct Ctx<'a> {
    notation: &'a Notation,
    shared: &'a SharedTexts,
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
    let mut piece = String::new();
    let shared = SharedTexts::default();
    let cx = Ctx {
        notation,
        shared: &shared,
    };
    for (i, (neg, t)) in terms.iter().enumerate() {
        piece.clear();
        piece.push_str(match (i, neg) {
            (0, false) => "",
            (0, true) => "-",
            (_, false) => " + ",
            (_, true) => " - ",
        });
        wrapped(t, &cx, SUM + 1, &mut piece);
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

/// Writes `n`, bracketed when it binds more loosely than `min` (the bracket goes in after
/// `n` is written, when its strength is known).
fn wrapped(n: &Node, cx: &Ctx, min: u8, out: &mut String) {
    let start = out.len();
    if write(n, cx, out) < min {
        out.insert(start, '(');
        out.push(')');
    }
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

/// Writes `open`, the node and `close`: an atom.
fn enclosed(open: &str, n: &Node, close: &str, cx: &Ctx, out: &mut String) -> u8 {
    out.push_str(open);
    write(n, cx, out);
    out.push_str(close);
    ATOM
}

/// Writes a node at the end of `out` and returns its binding strength: every node writes into
/// the one buffer (a string per node, joined by its parent, was most of the cost of a long
/// coefficient).
fn write(n: &Node, cx: &Ctx, out: &mut String) -> u8 {
    // A tree too large to write within the budget is cut short; the caller reports it.
    if crate::limits::tick() {
        return ATOM;
    }
    let notation = cx.notation;
    let had = notation.hadamard.unicode();
    match n {
        Node::Shared(x) => {
            let address = std::rc::Rc::as_ptr(x) as usize;
            if let Some((text, strength)) = cx.shared.borrow().get(&address) {
                out.push_str(text);
                return *strength;
            }
            let start = out.len();
            let strength = write(x.node(), cx, out);
            let text = out[start..].to_string();
            cx.shared.borrow_mut().insert(address, (text, strength));
            strength
        }
        Node::Rat(q) => {
            out.push_str(&rational(q));
            ATOM
        }
        Node::Pi => {
            out.push_str("pi");
            ATOM
        }
        Node::E => {
            out.push('e');
            ATOM
        }
        Node::Name { name: nm, .. } => {
            let shown = if &*nm.base == "ε" && nm.sub.is_empty() {
                &notation.small
            } else {
                nm
            };
            out.push_str(&name(shown));
            ATOM
        }
        Node::Ones => {
            out.push_str("bb(1)");
            ATOM
        }
        Node::Eye => {
            out.push('I');
            ATOM
        }
        Node::Sum(terms) => {
            for (i, (neg, t)) in terms.iter().enumerate() {
                out.push_str(match (i, neg) {
                    (0, false) => "",
                    (0, true) => "-",
                    (_, false) => " + ",
                    (_, true) => " - ",
                });
                wrapped(t, cx, SUM + 1, out);
            }
            SUM
        }
        Node::Neg(x) => {
            out.push('-');
            wrapped(x, cx, PROD, out);
            SUM
        }
        Node::Prod(fs) => {
            joined(fs.iter(), " ", out, |f, out| wrapped(f, cx, PROD + 1, out));
            PROD
        }
        Node::Frac(a, b) => {
            out.push_str("frac(");
            write(a, cx, out);
            out.push_str(", ");
            write(b, cx, out);
            out.push(')');
            ATOM
        }
        Node::Sqrt(x) => enclosed("sqrt(", x, ")", cx, out),
        Node::Pow(b, e) => {
            wrapped(b, cx, ATOM, out);
            out.push_str("^(");
            out.push_str(&exponent(e));
            out.push(')');
            POW
        }
        Node::Had(fs) => {
            let sep = format!(" {had} ");
            joined(fs.iter(), &sep, out, |f, out| wrapped(f, cx, PROD + 1, out));
            HAD
        }
        Node::HadPow(b, k) => {
            wrapped(b, cx, ATOM, out);
            out.push_str(&format!("^({had} {k})"));
            POW
        }
        Node::Call { func, args, .. } if func == "=" && args.len() == 2 => {
            // A keyword parameter, `α = 2`, after the arguments' `;`.
            write(&args[0], cx, out);
            out.push_str(" = ");
            write(&args[1], cx, out);
            ATOM
        }
        Node::Call { func, deriv, args } => {
            let is_kw = |a: &&Node| a.is_keyword();
            let arguments = |out: &mut String| {
                joined(args.iter().filter(|a| !is_kw(a)), ", ", out, |a, out| {
                    write(a, cx, out);
                });
                if args.iter().any(|a| is_kw(&a)) {
                    out.push_str("; ");
                    joined(args.iter().filter(is_kw), ", ", out, |a, out| {
                        write(a, cx, out);
                    });
                }
            };
            if func == "abs" && *deriv == 0 {
                out.push_str("abs(");
                arguments(out);
                out.push(')');
                return ATOM;
            }
            if func == "≈" {
                out.push_str("≈ ");
                arguments(out);
                return ATOM;
            }
            let f = if func == "atan" {
                "arctan"
            } else {
                func.as_str()
            };
            if OPERATORS.contains(&f) {
                out.push_str(f);
            } else if f == "𝓛" {
                // The linear map of a matrix input, 𝓛(X).
                out.push_str("cal(L)");
            } else {
                out.extend(["op(\"", f, "\")"]);
            }
            match deriv {
                0 => {}
                1 => out.push('\''),
                2 => out.push_str("''"),
                3 => out.push_str("'''"),
                k => out.push_str(&format!("^(({k}))")),
            }
            out.push('(');
            arguments(out);
            out.push(')');
            ATOM
        }
        Node::BigO(x) => enclosed("cal(O)(", x, ")", cx, out),
        Node::Diag(x) => enclosed("op(\"diag\")(", x, ")", cx, out),
        Node::Transpose(x) => {
            wrapped(x, cx, ATOM, out);
            out.push_str("^top");
            POW
        }
        Node::Group(x) => enclosed("(", x, ")", cx, out),
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
fn rational(q: &Q) -> String {
    let tex = super::latex::rational_latex(q);
    if let Some(rest) = tex.strip_prefix("\\tfrac{") {
        let (num, den) = rest
            .trim_end_matches('}')
            .split_once("}{")
            .unwrap_or((rest, "1"));
        return format!("frac({num}, {den})");
    }
    tex.replace("\\ldots", "…")
        .replace(" \\times 10^{", " times 10^(")
        .replace('}', ")")
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
