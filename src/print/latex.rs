//! LaTeX math (`\circ` for Hadamard, `\operatorname{diag}`, `\frac`), valid for KaTeX and pdflatex.

use super::text::exact_decimal;
use super::tree::Node;
use crate::algebra::scalar::Q;

const SUM: u8 = 1;
const HAD: u8 = 2;
const PROD: u8 = 3;
const POW: u8 = 5;
const ATOM: u8 = 6;

pub fn render(n: &Node) -> String {
    r(n).0
}

fn wrap(s: (String, u8), min: u8) -> String {
    if s.1 < min {
        format!("\\left({}\\right)", s.0)
    } else {
        s.0
    }
}

fn r(n: &Node) -> (String, u8) {
    match n {
        Node::Rat(q) => rational(q),
        Node::Pi => ("\\pi".into(), ATOM),
        Node::E => ("e".into(), ATOM),
        Node::Name { name, .. } => (name.latex(), ATOM),
        Node::Ones => ("\\mathbf{1}".into(), ATOM),
        Node::Eye => ("I".into(), ATOM),
        Node::Sum(terms) => {
            let mut s = String::new();
            for (i, (neg, t)) in terms.iter().enumerate() {
                let body = wrap(r(t), SUM + 1);
                match (i, neg) {
                    (0, false) => s.push_str(&body),
                    (0, true) => s.push_str(&format!("-{body}")),
                    (_, false) => s.push_str(&format!(" + {body}")),
                    (_, true) => s.push_str(&format!(" - {body}")),
                }
            }
            (s, SUM)
        }
        Node::Neg(x) => (format!("-{}", wrap(r(x), PROD)), SUM),
        Node::Prod(fs) => {
            let parts: Vec<String> = fs.iter().map(|f| wrap(r(f), PROD + 1)).collect();
            (parts.join(" "), PROD)
        }
        Node::Frac(a, b) => (format!("\\frac{{{}}}{{{}}}", r(a).0, r(b).0), ATOM),
        Node::Sqrt(x) => (format!("\\sqrt{{{}}}", r(x).0), ATOM),
        Node::Pow(b, e) => {
            let base = wrap(r(b), ATOM);
            (format!("{base}^{{{e}}}"), POW)
        }
        Node::Had(fs) => {
            let parts: Vec<String> = fs.iter().map(|f| wrap(r(f), PROD + 1)).collect();
            (parts.join(" \\circ "), HAD)
        }
        Node::HadPow(b, k) => (format!("{}^{{\\circ {k}}}", wrap(r(b), ATOM)), POW),
        Node::Call { func, deriv, args } => {
            let inner: Vec<String> = args.iter().map(|a| r(a).0).collect();
            let inner = inner.join(", ");
            if func == "abs" && *deriv == 0 {
                return (format!("\\left\\lvert {inner} \\right\\rvert"), ATOM);
            }
            let name = match func.as_str() {
                "tanh" | "sin" | "cos" | "tan" | "exp" | "log" | "sinh" | "cosh" => {
                    format!("\\{func}")
                }
                "atan" | "arctan" => "\\arctan".into(),
                f => format!("\\operatorname{{{}}}", f.replace('_', "\\_")),
            };
            let primes = match deriv {
                0 => String::new(),
                1 => "'".into(),
                2 => "''".into(),
                3 => "'''".into(),
                k => format!("^{{({k})}}"),
            };
            (format!("{name}{primes}\\left({inner}\\right)"), ATOM)
        }
        Node::BigO(x) => (format!("\\mathcal{{O}}\\left({}\\right)", r(x).0), ATOM),
        Node::Diag(x) => (
            format!("\\operatorname{{diag}}\\left({}\\right)", r(x).0),
            ATOM,
        ),
    }
}

fn rational(q: &Q) -> (String, u8) {
    if q.to_denominator() == 1u32 {
        return (q.to_string(), ATOM);
    }
    if q.to_denominator() > 1000u32
        && let Some(d) = exact_decimal(q).filter(|d| d.len() < q.to_string().len())
    {
        return (d, ATOM);
    }
    (
        format!("\\frac{{{}}}{{{}}}", q.to_numerator(), q.to_denominator()),
        ATOM,
    )
}
