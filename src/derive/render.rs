//! Laying out derivations: indented Unicode text, or LaTeX `align*` blocks with `\intertext` notes.

use super::Step;
use crate::algebra::{Expr, Scalar};
use crate::analysis::Verdict;
use crate::print::tree::{self, NameKind, Node};
use crate::print::{Style, latex, text};
use crate::series::{PointSeries, Smoothness};
use crate::syntax::Name;
use serde_json::{Value, json};

/// A piece of a sentence: words, or inline mathematics.
#[derive(Clone, Debug)]
pub enum Piece {
    Text(String),
    Math(Node),
    /// A shape annotation such as `2×2 · 2×4 = 2×4`.
    Shape(String),
}

/// One line of a derivation document.
#[derive(Clone, Debug)]
pub enum Line {
    Heading(String),
    /// A heading that is a formula: the analysed expression, `y = tanh(W₂·tanh(W₁·x + b₁) + b₂)`.
    Section(Node),
    /// A paragraph of prose (from a script's comments).
    Prose(String),
    /// A remark on the next equation: what is done and why.
    Note(Vec<Piece>),
    /// `lhs = rhs`, with an optional annotation such as a shape.
    Eq {
        lhs: Node,
        rhs: Node,
        tag: Option<String>,
    },
    /// A table: a header row, then rows.
    Table(Vec<Vec<Piece>>),
}

fn t(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

fn m(n: Node) -> Piece {
    Piece::Math(n)
}

fn name_node(n: &str, kind: NameKind) -> Node {
    Node::Name {
        name: Name::parse(n).unwrap_or_else(|_| Name::new(n, "")),
        kind,
    }
}

fn sym(n: &Name, kind: NameKind) -> Node {
    Node::Name {
        name: n.clone(),
        kind,
    }
}

fn with_o(e: &Expr, o: Option<u32>, small: &super::Small) -> Node {
    let base = tree::graded(e, small);
    match o {
        None => base,
        Some(k) => {
            let mut terms = match base {
                Node::Sum(v) => v,
                Node::Rat(q) if q == 0u32 => vec![],
                Node::Neg(x) => vec![(true, *x)],
                n => vec![(false, n)],
            };
            terms.push((false, tree::big_o_eps(k)));
            Node::Sum(terms)
        }
    }
}

fn call(f: &str, arg: Node) -> Node {
    Node::Call {
        func: f.to_string(),
        deriv: 0,
        args: vec![arg],
    }
}

fn scalar_plus_t(at: &Scalar) -> Node {
    let var = name_node("t", NameKind::Param);
    if at.is_zero() {
        var
    } else {
        Node::Sum(vec![(false, tree::scalar(at)), (false, var)])
    }
}

/// The lines of a list of steps.
pub fn lines(steps: &[Step]) -> Vec<Line> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Binding { name, value } => {
                out.push(Line::Note(vec![t("substitute the binding")]));
                out.push(Line::Eq {
                    lhs: sym(name, NameKind::Vector),
                    rhs: tree::expr(value),
                    tag: None,
                });
            }
            Step::Layer {
                index,
                activation,
                op_point,
                op_symbol,
                var,
                compensated,
                bias,
                ..
            } => {
                if !op_point.is_zero() {
                    let c = op_symbol
                        .as_ref()
                        .map(|s| sym(&s.name, NameKind::OpPoint))
                        .unwrap_or_else(|| name_node(&format!("c{index}"), NameKind::OpPoint));
                    out.push(Line::Note(vec![t(format!("layer {index} ({activation}): the pre-activation has an O(1) part, so the small-signal assumption fails here"))]));
                    out.push(Line::Eq {
                        lhs: c.clone(),
                        rhs: tree::expr(op_point),
                        tag: None,
                    });
                    let (b, need) = bias
                        .clone()
                        .unwrap_or_else(|| ("its bias".into(), op_point.neg()));
                    let minus_c = tree::expr(&need);
                    // `b = −c + O(ε)`, or just `b = O(ε)` when the bias is the whole O(1) part.
                    let mut p = vec![t(if *compensated {
                        "assume it is cancelled by the bias, "
                    } else {
                        "unless "
                    })];
                    p.push(t(format!("{b} = ")));
                    if !need.is_zero() {
                        p.push(m(minus_c));
                        p.push(t(" + "));
                    }
                    p.push(t("O(ε)"));
                    p.push(t(if *compensated {
                        ", and expand at 0"
                    } else {
                        "; as it stands, expand around the operating point"
                    }));
                    out.push(Line::Note(p));
                }
                if let Some((u, def)) = var {
                    out.push(Line::Note(vec![t(format!(
                        "layer {index} ({activation}): name the deviation of its pre-activation"
                    ))]));
                    out.push(Line::Eq {
                        lhs: sym(&u.name, NameKind::Layer),
                        rhs: tree::expr(def),
                        tag: None,
                    });
                }
            }
            Step::Series {
                activation,
                at,
                series,
                ..
            } => {
                let lhs = call(activation, scalar_plus_t(at));
                match series {
                    PointSeries::Analytic(s) => {
                        out.push(Line::Note(vec![
                            t(format!("the Taylor series of {activation} at ")),
                            m(tree::scalar(at)),
                            t(", exact coefficients"),
                        ]));
                        out.push(Line::Eq {
                            lhs,
                            rhs: tree::series(s, &name_node("t", NameKind::Param)),
                            tag: None,
                        });
                    }
                    PointSeries::OneSided { left, right, class } => {
                        let what = match class {
                            Smoothness::Kink => format!(
                                "{activation} has a kink at this point: one-sided series for t < 0 and t > 0"
                            ),
                            Smoothness::C(m) => format!(
                                "{activation} is C{} but not C{} here: one-sided series for t < 0 and t > 0",
                                crate::print::superscript(*m as i64),
                                crate::print::superscript(*m as i64 + 1)
                            ),
                            Smoothness::Jump => format!("{activation} jumps here"),
                        };
                        out.push(Line::Note(vec![t(what)]));
                        out.push(Line::Eq {
                            lhs: lhs.clone(),
                            rhs: tree::series(left, &name_node("t", NameKind::Param)),
                            tag: None,
                        });
                        out.push(Line::Note(vec![t("and")]));
                        out.push(Line::Eq {
                            lhs,
                            rhs: tree::series(right, &name_node("t", NameKind::Param)),
                            tag: None,
                        });
                        out.push(Line::Note(vec![t("combined exactly as s(δ) = Σ ½(c⁺ₖ + c⁻ₖ)·δ^∘k + ½(c⁺ₖ − c⁻ₖ)·|δ|∘δ^∘(k−1)")]));
                    }
                }
            }
            Step::Derivatives {
                activation,
                point,
                kept,
                ..
            } => {
                out.push(Line::Note(vec![t(format!("around the operating point {}: the coefficient of the k-th power is the k-th element-wise derivative of {activation} at {}, divided by k!, for k up to {kept}", point.name, point.name))]));
            }
            Step::Output {
                activation,
                arg,
                output,
                order,
                truncated,
                small,
                ..
            } => {
                out.push(Line::Note(vec![t(format!(
                    "element-wise, keeping terms up to order ε{}",
                    crate::print::superscript(*order as i64)
                ))]));
                out.push(Line::Eq {
                    lhs: call(activation, tree::graded(arg, small)),
                    rhs: with_o(output, truncated.then_some(order + 1), small),
                    tag: None,
                });
            }
            Step::Expansion {
                y,
                order,
                truncated,
                small,
            } => {
                out.push(Line::Note(vec![t("the network, written by layer")]));
                out.push(Line::Eq {
                    lhs: name_node("y", NameKind::Vector),
                    rhs: with_o(y, truncated.then_some(order + 1), small),
                    tag: None,
                });
            }
            Step::Collected {
                w,
                b,
                first,
                k,
                order,
                truncated,
            } => {
                out.push(Line::Note(vec![t(
                    "substitute the layer variables and collect by degree in the input",
                )]));
                let x = name_node("x", NameKind::Vector);
                let mut terms: Vec<(bool, Node)> = Vec::new();
                if !w.is_zero() {
                    let wx = match tree::expr(w) {
                        Node::Prod(mut fs) => {
                            fs.push(x);
                            Node::Prod(fs)
                        }
                        w => Node::Prod(vec![w, x]),
                    };
                    terms.push((false, wx));
                }
                if !b.is_zero() {
                    terms.push((false, tree::expr(b)));
                }
                if !first.is_zero() {
                    terms.push((false, tree::expr(first)));
                }
                let rest = match k {
                    Some(k) if *truncated || order > k => Some(k + 1),
                    Some(_) => None,
                    None if *truncated => Some(order + 1),
                    None => None,
                };
                if let Some(r) = rest {
                    terms.push((false, tree::big_o_eps(r)));
                }
                if terms.is_empty() {
                    terms.push((false, Node::Rat(crate::algebra::Q::from(0))));
                }
                out.push(Line::Eq {
                    lhs: name_node("y", NameKind::Vector),
                    rhs: Node::Sum(terms),
                    tag: None,
                });
            }
            Step::Identified {
                w,
                b,
                w_shape,
                b_shape,
            } => {
                out.push(Line::Note(vec![t(
                    "so the network is the single layer y = W·x + b with",
                )]));
                out.push(Line::Eq {
                    lhs: name_node("W", NameKind::Matrix),
                    rhs: tree::expr(w),
                    tag: w_shape.clone(),
                });
                out.push(Line::Eq {
                    lhs: name_node("b", NameKind::Vector),
                    rhs: tree::expr(b),
                    tag: b_shape.clone(),
                });
            }
            Step::Verdict {
                verdict,
                first,
                kinks,
            } => {
                let pieces = match verdict {
                    Verdict::ExactAffine => vec![t(
                        "verdict: exactly affine — every series used is finite, so y = W·x + b holds exactly",
                    )],
                    Verdict::Affine { k: Some(k) } => vec![
                        t("verdict: affine up to "),
                        m(tree::big_o_eps(*k)),
                        t("; the first non-affine term is "),
                        m(tree::expr(first)),
                    ],
                    Verdict::Affine { k: None } => vec![t(
                        "verdict: affine, with no non-affine term up to the search order",
                    )],
                    Verdict::Degenerate { k } => vec![
                        t(format!(
                            "verdict: degenerate — the linear part vanishes; the leading term, of order ε{}, is ",
                            crate::print::superscript(*k as i64)
                        )),
                        m(tree::expr(first)),
                    ],
                    Verdict::Kink => {
                        let mut p = vec![t("verdict: a kink, not affine at any σ")];
                        for k in kinks {
                            p.push(t(format!(
                                "; layer {} ({}) has one-sided slopes ",
                                k.layer, k.activation
                            )));
                            p.push(m(short_scalar(&k.left)));
                            p.push(t(" and "));
                            p.push(m(short_scalar(&k.right)));
                        }
                        p
                    }
                };
                out.push(Line::Note(pieces));
            }
        }
    }
    out
}

/// A scalar, or its value to 6 digits when the exact form is long (SELU's constants).
fn short_scalar(s: &Scalar) -> Node {
    let txt = crate::print::scalar_unicode(s);
    if txt.contains('…') {
        if let Some(v) = s.to_f64(&|_| None) {
            let approx = crate::algebra::Q::try_from((v * 1e6).round() / 1e6).unwrap_or_default();
            return Node::Call {
                func: "≈".into(),
                deriv: 0,
                args: vec![tree::scalar(&Scalar::from_q(approx))],
            };
        }
    }
    tree::scalar(s)
}

// ------------------------------------------------------------------ text

fn text_piece(p: &Piece) -> String {
    match p {
        Piece::Text(s) => s.clone(),
        Piece::Math(n) => text::render(n, Style::Unicode),
        Piece::Shape(s) => format!("[{s}]"),
    }
}

fn text_node(n: &Node) -> String {
    match n {
        Node::Call { func, args, .. } if func == "≈" => {
            format!("≈ {}", args.iter().map(text_node).collect::<String>())
        }
        n => text::render(n, Style::Unicode),
    }
}

/// A derivation as indented Unicode text.
pub fn to_text(lines: &[Line]) -> String {
    let mut out = String::new();
    for l in lines {
        match l {
            Line::Heading(h) => out.push_str(&format!(
                "\n{h}\n{}\n",
                "─".repeat(h.chars().count().min(78))
            )),
            Line::Section(n) => {
                let h = format!("y = {}", text_node(n));
                out.push_str(&format!(
                    "\n{h}\n{}\n",
                    "─".repeat(h.chars().count().min(78))
                ));
            }
            Line::Prose(p) => out.push_str(&format!("{p}\n")),
            Line::Note(ps) => out.push_str(&format!(
                "  {}\n",
                ps.iter()
                    .map(|p| if let Piece::Math(n) = p {
                        text_node(n)
                    } else {
                        text_piece(p)
                    })
                    .collect::<String>()
            )),
            Line::Eq { lhs, rhs, tag } => {
                let tag = tag
                    .as_ref()
                    .map(|t| format!("   [{t}]"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "      {} = {}{tag}\n",
                    text_node(lhs),
                    text_node(rhs)
                ));
            }
            Line::Table(rows) => {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| r.iter().map(text_piece).collect())
                    .collect();
                let n = cells.iter().map(|r| r.len()).max().unwrap_or(0);
                let widths: Vec<usize> = (0..n)
                    .map(|i| {
                        cells
                            .iter()
                            .map(|r| r.get(i).map(|c| c.chars().count()).unwrap_or(0))
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                for r in &cells {
                    let line: Vec<String> = r
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - c.chars().count())))
                        .collect();
                    out.push_str(&format!("  {}\n", line.join("  ").trim_end()));
                }
            }
        }
    }
    out
}

// ----------------------------------------------------------------- LaTeX

/// Text for LaTeX: specials escaped, Unicode mathematics as inline math.
pub fn latex_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let piece: String = match c {
            '\\' => "\\textbackslash{}".into(),
            '#' | '$' | '%' | '&' | '_' | '{' | '}' => format!("\\{c}"),
            '~' => "\\textasciitilde{}".into(),
            '^' => "\\textasciicircum{}".into(),
            '<' => "$<$".into(),
            '>' => "$>$".into(),
            '|' => "$|$".into(),
            c if c.is_ascii() => c.to_string(),
            '−' | '–' => "--".into(),
            '—' => "---".into(),
            '…' => "\\dots{}".into(),
            '’' => "'".into(),
            '“' => "``".into(),
            '”' => "''".into(),
            '①' => "(1)".into(),
            '②' => "(2)".into(),
            '③' => "(3)".into(),
            '④' => "(4)".into(),
            '½' => "$\\frac{1}{2}$".into(),
            c => match math_char(c) {
                Some(m) => format!("${m}$"),
                None => "?".into(),
            },
        };
        out.push_str(&piece);
    }
    out.replace("$$", "")
}

/// LaTeX math for a Unicode character that text cannot hold.
fn math_char(c: char) -> Option<String> {
    if let Some(n) = crate::syntax::names::greek_name(c) {
        return Some(if n == "epsilon" {
            "\\varepsilon".into()
        } else {
            format!("\\{n}")
        });
    }
    let sub = "₀₁₂₃₄₅₆₇₈₉".chars().position(|d| d == c);
    if let Some(d) = sub {
        return Some(format!("_{d}"));
    }
    let sup = "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c);
    if let Some(d) = sup {
        return Some(format!("^{d}"));
    }
    Some(
        match c {
            '·' => "\\cdot",
            '∘' => "\\circ",
            '≈' => "\\approx",
            '≪' => "\\ll",
            '≠' => "\\neq",
            '≤' => "\\le",
            '≥' => "\\ge",
            '→' => "\\to",
            '⇒' => "\\Rightarrow",
            '∀' => "\\forall",
            '∈' => "\\in",
            'ℝ' => "\\mathbb{R}",
            '𝟙' => "\\mathbf{1}",
            '×' => "\\times",
            '′' => "'",
            '√' => "\\surd",
            '∞' => "\\infty",
            'ᵏ' => "^k",
            '⁺' => "^+",
            '⁻' => "^-",
            'ₖ' => "_k",
            '⁽' => "^(",
            '⁾' => "^)",
            '⅓' => "\\tfrac{1}{3}",
            '¼' => "\\tfrac{1}{4}",
            '∑' | 'Σ' => "\\Sigma",
            _ => return None,
        }
        .to_string(),
    )
}

fn latex_node(n: &Node) -> String {
    match n {
        Node::Call { func, args, .. } if func == "≈" => format!(
            "\\approx {}",
            args.iter().map(latex_node).collect::<String>()
        ),
        n => latex::render(n),
    }
}

fn latex_piece(p: &Piece) -> String {
    match p {
        Piece::Text(s) => latex_text(s),
        Piece::Math(n) => format!("${}$", latex_node(n)),
        Piece::Shape(s) => format!("$[{}]$", shape_latex(s)),
    }
}

fn shape_latex(s: &str) -> String {
    s.replace('×', "\\times ")
        .replace('·', "\\cdot")
        .replace('…', "\\dots")
}

/// Every formula a LaTeX rendering contains, one string each (for validation).
pub fn formulas(lines: &[Line]) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = |p: &Piece| match p {
        Piece::Math(n) => out.push(latex_node(n)),
        Piece::Shape(s) => out.push(format!("[{}]", shape_latex(s))),
        Piece::Text(s) => {
            // Inline math produced from Unicode in prose.
            let t = latex_text(s);
            for (i, chunk) in t.split('$').enumerate() {
                if i % 2 == 1 {
                    out.push(chunk.to_string());
                }
            }
        }
    };
    let mut eqs = Vec::new();
    for l in lines {
        match l {
            Line::Note(ps) => ps.iter().for_each(&mut piece),
            Line::Table(rows) => rows.iter().flatten().for_each(&mut piece),
            Line::Prose(p) | Line::Heading(p) => piece(&Piece::Text(p.clone())),
            Line::Section(n) => eqs.push(format!("y = {}", latex_node(n))),
            Line::Eq { lhs, rhs, tag } => {
                eqs.push(format!("{} = {}", latex_node(lhs), latex_node(rhs)));
                if let Some(t) = tag {
                    eqs.push(format!("[{}]", shape_latex(t)));
                }
            }
        }
    }
    out.extend(eqs);
    out
}

/// A derivation as LaTeX: `align*` blocks, notes as `\intertext`, headings and prose between them.
pub fn to_latex(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut open = false;
    let close = |out: &mut String, open: &mut bool| {
        if *open {
            // Drop the trailing `\\` of the last row.
            if out.ends_with(" \\\\\n") {
                out.truncate(out.len() - 4);
                out.push('\n');
            }
            out.push_str("\\end{align*}\n");
            *open = false;
        }
    };
    for l in lines {
        match l {
            Line::Heading(h) => {
                close(&mut out, &mut open);
                out.push_str(&format!("\n\\subsection*{{{}}}\n", latex_text(h)));
            }
            Line::Section(n) => {
                close(&mut out, &mut open);
                out.push_str(&format!("\n\\subsection*{{$y = {}$}}\n", latex_node(n)));
            }
            Line::Prose(p) => {
                close(&mut out, &mut open);
                // A blank line: each piece of prose is its own paragraph.
                out.push_str(&format!("\n{}\n\n", latex_text(p)));
            }
            Line::Table(rows) => {
                close(&mut out, &mut open);
                let n = rows.iter().map(|r| r.len()).max().unwrap_or(1);
                out.push_str(&format!(
                    "\n\\begin{{center}}\\small\n\\begin{{tabular}}{{{}}}\n",
                    "l".repeat(n)
                ));
                for (i, r) in rows.iter().enumerate() {
                    let cells: Vec<String> = r.iter().map(latex_piece).collect();
                    out.push_str(&format!("{} \\\\\n", cells.join(" & ")));
                    if i == 0 {
                        out.push_str("\\hline\n");
                    }
                }
                out.push_str("\\end{tabular}\n\\end{center}\n");
            }
            Line::Note(ps) => {
                if !open {
                    out.push_str("\\begin{align*}\n");
                    open = true;
                }
                out.push_str(&format!(
                    "\\intertext{{{}}}\n",
                    ps.iter().map(latex_piece).collect::<String>()
                ));
            }
            Line::Eq { lhs, rhs, tag } => {
                if !open {
                    out.push_str("\\begin{align*}\n");
                    open = true;
                }
                let tag = tag
                    .as_ref()
                    .map(|t| format!(" \\qquad [{}]", shape_latex(t)))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{} &= {}{tag} \\\\\n",
                    latex_node(lhs),
                    latex_node(rhs)
                ));
            }
        }
    }
    close(&mut out, &mut open);
    out
}

/// A complete document that compiles with pdflatex.
pub fn standalone(title: &str, body: &str) -> String {
    format!(
        "\\documentclass[11pt]{{article}}\n\\usepackage[margin=2cm]{{geometry}}\n\\usepackage{{amsmath,amssymb}}\n\\allowdisplaybreaks\n\\setlength{{\\parindent}}{{0pt}}\n\\setlength{{\\parskip}}{{4pt}}\n\\begin{{document}}\n\\section*{{{}}}\n{body}\\end{{document}}\n",
        latex_text(title)
    )
}

// ------------------------------------------------------------------ JSON

fn ej(e: &Expr) -> Value {
    crate::print::json::expr(e)
}

/// The steps as JSON objects (`{"step": …}`).
pub fn steps_json(steps: &[Step]) -> Value {
    let v: Vec<Value> = steps
        .iter()
        .map(|s| match s {
            Step::Binding { name, value } => json!({ "step": "binding", "name": name.ascii(), "value": ej(value) }),
            Step::Layer { index, activation, pre, op_point, var, compensated, .. } => json!({
                "step": "layer", "layer": index, "activation": activation, "pre_activation": ej(pre), "operating_point": ej(op_point),
                "compensated": compensated, "variable": var.as_ref().map(|(u, d)| json!({ "name": u.name.ascii(), "value": ej(d) })),
            }),
            Step::Series { index, activation, at, series } => {
                let (left, right) = (series.side(crate::series::Side::Left), series.side(crate::series::Side::Right));
                let coeffs = |s: &crate::series::Series| s.coeffs().iter().map(crate::print::scalar_ascii).collect::<Vec<_>>();
                json!({ "step": "series", "layer": index, "activation": activation, "at": crate::print::json::scalar(at), "left": coeffs(left), "right": coeffs(right), "exact": right.is_exact() && left.is_exact() })
            }
            Step::Derivatives { index, activation, point, kept } => json!({ "step": "derivatives", "layer": index, "activation": activation, "point": point.name.ascii(), "kept": kept }),
            Step::Output { index, activation, arg, output, order, truncated, .. } => json!({ "step": "output", "layer": index, "activation": activation, "argument": ej(arg), "output": ej(output), "order": order, "truncated": truncated }),
            Step::Expansion { y, order, truncated, .. } => json!({ "step": "expansion", "y": ej(y), "order": order, "truncated": truncated }),
            Step::Collected { w, b, first, k, order, truncated } => json!({ "step": "collected", "W": ej(w), "b": ej(b), "first_nonaffine": ej(first), "k": k, "order": order, "truncated": truncated }),
            Step::Identified { w, b, w_shape, b_shape } => json!({ "step": "identified", "W": ej(w), "b": ej(b), "W_shape": w_shape, "b_shape": b_shape }),
            Step::Verdict { verdict, first, kinks } => json!({
                "step": "verdict", "verdict": verdict.label(), "k": verdict.k(), "first_nonaffine": ej(first),
                "kinks": kinks.iter().map(|k| json!({ "layer": k.layer, "activation": k.activation, "left": crate::print::json::scalar(&k.left), "right": crate::print::json::scalar(&k.right) })).collect::<Vec<_>>(),
            }),
        })
        .collect();
    Value::Array(v)
}
