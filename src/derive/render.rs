//! Laying out derivations: indented Unicode text, or LaTeX `align*` blocks with `\intertext` notes.

use super::Step;
use crate::algebra::{Expr, Scalar};
use crate::analysis::{AffineForm, Verdict};
use crate::print::latex::Notation;
use crate::print::tree::{self, NameKind, Node};
use crate::print::{Style, latex, prose, text};
use crate::series::{PointSeries, Smoothness};
use crate::syntax::Name;
use serde_json::{Value, json};

/// A piece of a sentence: words, or inline mathematics.
#[derive(Clone, Debug)]
pub enum Piece {
    Text(String),
    Math(Node),
    /// A formula written in Unicode (`t < 0`, `y = W·x + b`), typeset as mathematics.
    Formula(String),
    /// Pieces typeset as one formula: `b₂ = −½·W₂·𝟙 + O(ε)`.
    Inline(Vec<Piece>),
    /// A number: exact when short, else its leading digits and an ellipsis.
    Number(Scalar),
    /// A shape annotation such as `2×2 · 2×4 = 2×4`.
    Shape(String),
}

/// One line of a derivation document.
#[derive(Clone, Debug)]
pub enum Line {
    /// A heading in words (a statement that is not a formula).
    Heading(String),
    /// A heading that is a formula: the analysed expression, `y = tanh(W₂·tanh(W₁·x + b₁) + b₂)`,
    /// with the output's name (`Y` for a matrix, as with a token-matrix input).
    Section(&'static str, Node),
    /// A paragraph of prose (from a script's comments).
    Prose(String),
    /// What follows is read from this file (a script's `:load`), its name written as it is.
    File(String),
    /// A remark on the next equation: what is done and why.
    Note(Vec<Piece>),
    /// `lhs = rhs`, with an optional annotation such as a shape.
    Eq {
        /// The left-hand side.
        lhs: Node,
        /// The right-hand side.
        rhs: Node,
        /// The annotation shown beside the equation.
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

fn f(s: impl Into<String>) -> Piece {
    Piece::Formula(s.into())
}

/// ` ≥ 0` or ` ≤ 0` (or ` = 0`): how a value at an operating point compares with 0.
/// A step's keyword parameters as a JSON object, name to value (ASCII): `{"alpha": "2"}`.
fn params_json(params: &[(Name, Scalar)]) -> Value {
    (params.iter())
        .map(|(n, v)| (n.ascii(), Value::from(crate::print::scalar_ascii(v))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn piece_sign(sign: std::cmp::Ordering) -> &'static str {
    match sign {
        std::cmp::Ordering::Greater => " ≥ 0",
        std::cmp::Ordering::Less => " ≤ 0",
        std::cmp::Ordering::Equal => " = 0",
    }
}

/// `ε` (the small parameter), or `εᵏ`.
fn eps_pow(k: u32) -> Node {
    let eps = name_node("ε", NameKind::Param);
    if k == 1 {
        eps
    } else {
        Node::Pow(Box::new(eps), crate::algebra::Q::from(k))
    }
}

fn name_node(n: &str, kind: NameKind) -> Node {
    Node::Name {
        name: Name::parse(n).unwrap_or_else(|_| Name::new(n, "")),
        kind,
    }
}

/// The names of the affine form in a derivation: `y`, `W`, `b`, `W·x + b`; for a matrix input
/// `X`, `Y`, `𝓛(X)` (the linear map, whose terms hold X), `B`, `𝓛(X) + B`.
struct AffineNodes {
    y: Node,
    w: Node,
    b: Node,
    /// The affine approximation as a node (`W·x + b`).
    affine: Node,
    /// `y = W·x + b`, as a formula in prose.
    affine_text: String,
}

impl AffineNodes {
    fn of(form: &AffineForm) -> AffineNodes {
        let x = &form.input;
        if form.map {
            let w = call("𝓛", &[], sym(x, NameKind::Matrix));
            let b = sym(&form.b, NameKind::Matrix);
            AffineNodes {
                y: sym(&form.y, NameKind::Matrix),
                affine: Node::Sum(vec![(false, w.clone()), (false, b.clone())]),
                affine_text: format!("{} = {}", form.y.unicode(), form.affine_unicode()),
                w,
                b,
            }
        } else {
            let (w, b) = (
                sym(&form.w, NameKind::Matrix),
                sym(&form.b, NameKind::Vector),
            );
            AffineNodes {
                y: sym(&form.y, NameKind::Vector),
                affine: Node::Sum(vec![
                    (false, Node::Prod(vec![w.clone(), sym(x, NameKind::Vector)])),
                    (false, b.clone()),
                ]),
                affine_text: format!("{} = {}", form.y.unicode(), form.affine_unicode()),
                w,
                b,
            }
        }
    }
}

fn sym(n: &Name, kind: NameKind) -> Node {
    Node::Name {
        name: n.clone(),
        kind,
    }
}

fn with_o(e: &Expr, o: Option<u32>, small: &super::Small) -> Node {
    plus_o(tree::graded(e, small), o)
}

/// `base + O(εᵏ)`, or `base` when nothing was cut.
fn plus_o(base: Node, o: Option<u32>) -> Node {
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

/// `f(arg; α = 2)`: the call with its keyword parameters that differ from their defaults.
fn call(f: &str, params: &[(Name, Scalar)], arg: Node) -> Node {
    let mut args = vec![arg];
    args.extend(
        params
            .iter()
            .map(|(n, v)| tree::keyword(n, tree::scalar(v))),
    );
    Node::Call {
        func: f.to_string(),
        deriv: 0,
        args,
    }
}

/// `; α = 2` for a formula written as text: the keyword parameters after the argument.
fn params_text(params: &[(Name, Scalar)]) -> String {
    params
        .iter()
        .map(|(n, v)| format!("; {} = {}", n.unicode(), crate::print::scalar_unicode(v)))
        .collect()
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
            Step::Binding { name, value, cut } => {
                out.push(Line::Note(vec![t("substitute the binding")]));
                out.push(Line::Eq {
                    lhs: sym(name, NameKind::Vector),
                    rhs: plus_o(tree::expr(value), *cut),
                    tag: None,
                });
            }
            Step::Constant { name, value } => {
                out.push(Line::Note(vec![t(
                    "name the O(1) part of a scalar under a power or a function, a constant of the operating point",
                )]));
                out.push(Line::Eq {
                    lhs: sym(name, NameKind::OpPoint),
                    rhs: tree::expr(value),
                    tag: None,
                });
            }
            Step::Layer {
                index,
                activation,
                pre,
                op_point,
                op_symbol,
                var,
                whole,
                compensated,
                bias,
                bias_small,
                ..
            } => {
                if !op_point.is_zero() {
                    let c = op_symbol
                        .as_ref()
                        .map(|s| sym(&s.name, NameKind::OpPoint))
                        .unwrap_or_else(|| name_node(&format!("c{index}"), NameKind::OpPoint));
                    out.push(Line::Note(vec![
                        t(format!(
                            "layer {index} ({activation}): the pre-activation has an "
                        )),
                        f("O(1)"),
                        t(" part, so the small-signal assumption fails here"),
                    ]));
                    out.push(Line::Eq {
                        lhs: c.clone(),
                        rhs: tree::expr(op_point),
                        tag: None,
                    });
                    let (b, need) = match bias {
                        Some((b, need)) => (Some(b.clone()), need.clone()),
                        None => (None, op_point.neg()),
                    };
                    let minus_c = tree::expr(&need);
                    // `b = −c + O(ε)`, or just `b = O(ε)` when the bias is the whole O(1) part.
                    // No bias in the layer: the compensation is what a bias would do, not what
                    // this network does (from a review: "cancelled by the bias" of a layer
                    // without one, then `y = W₁·x` of hard_tanh(W₁·x + 𝟙)).
                    let absent = *compensated && b.is_none();
                    let row = absent.then(|| crate::analysis::bias_row(pre)).flatten();
                    let mut p = vec![t(match (&row, absent, compensated) {
                        (Some(row), ..) => format!(
                            "layer {index}'s bias is a row 𝟙·{}ᵀ, which the compensation does not shift: assume its O(1) part cancelled as a bias matrix ",
                            row.name.unicode()
                        ),
                        (None, true, _) => format!(
                            "layer {index} has no bias: assume its O(1) part cancelled as a bias "
                        ),
                        (None, false, true) => "assume it is cancelled by the bias, ".into(),
                        (None, false, false) => "unless ".into(),
                    })];
                    let mut eq = match &b {
                        Some(b) => vec![f(format!("{b} = "))],
                        None => {
                            if !absent {
                                p.push(t("its bias is "));
                            }
                            vec![]
                        }
                    };
                    // A bias that is not small has no O(ε) part in the expansion: the
                    // compensation takes it to cancel the O(1) part exactly (from a review: "b₁
                    // stands for its O(ε) part", then b₁ dropped).
                    let exactly = *compensated && !*bias_small && b.is_some();
                    if !need.is_zero() {
                        eq.push(m(minus_c));
                        if !exactly {
                            eq.push(f(" + "));
                        }
                    } else if exactly {
                        eq.push(f("0"));
                    }
                    if !exactly {
                        eq.push(m(Node::BigO(Box::new(eps_pow(1)))));
                    }
                    p.push(Piece::Inline(eq));
                    if absent {
                        p.push(t(
                            " added to the layer would cancel it, which this network does not have; from here on the network is taken with it, and expanded at 0",
                        ));
                    } else if exactly {
                        p.push(t(" exactly (it is not a small symbol, so no "));
                        p.push(m(Node::BigO(Box::new(eps_pow(1)))));
                        p.push(t(" part of it is kept), and expand at 0"));
                    } else if *compensated {
                        // The symbol keeps its name: say what it means from here on.
                        p.push(t("; from here on "));
                        p.push(match &b {
                            Some(b) => f(b.clone()),
                            None => t("the bias"),
                        });
                        p.push(t(" stands for its "));
                        p.push(m(Node::BigO(Box::new(eps_pow(1)))));
                        p.push(t(" part, and expand at 0"));
                    } else {
                        p.push(t("; as it stands, expand around the operating point"));
                    }
                    out.push(Line::Note(p));
                }
                if var.is_none() && op_point.is_zero() {
                    // Its pre-activation is written with what is already named (`relu(−W₁·x)`
                    // after `relu(W₁·x)`): the layer is introduced, as the verdict names it
                    // (from a review). Not written out: it may hold a truncated series.
                    out.push(Line::Note(vec![t(format!(
                        "layer {index} ({activation}): its pre-activation needs no new name (it is written in the input and the variables above)"
                    ))]));
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
                if let Some((w, def)) = whole {
                    out.push(Line::Note(vec![t(
                        "and all of its small part, which the absolute value at the kink holds",
                    )]));
                    out.push(Line::Eq {
                        lhs: sym(&w.name, NameKind::Layer),
                        rhs: tree::expr(def),
                        tag: None,
                    });
                }
            }
            Step::Series {
                activation,
                params,
                at,
                series,
                ..
            } => {
                let lhs = call(activation, params, scalar_plus_t(at));
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
                        let sides = [t(": one-sided series, each on its side of 0")];
                        let what = match class {
                            Smoothness::Kink => {
                                let mut p =
                                    vec![t(format!("{activation} has a kink at this point"))];
                                p.extend(sides);
                                p
                            }
                            Smoothness::C(m) => {
                                let mut p = vec![
                                    t(format!("{activation} is ")),
                                    f(format!("C{}", crate::print::superscript(*m as i64))),
                                    t(" but not "),
                                    f(format!("C{}", crate::print::superscript(*m as i64 + 1))),
                                    t(" here"),
                                ];
                                p.extend(sides);
                                p
                            }
                            Smoothness::Jump => vec![t(format!("{activation} jumps here"))],
                        };
                        out.push(Line::Note(what));
                        // Each side's series under its condition: two equations with one left
                        // side and no condition read as a contradiction (from a review).
                        out.push(Line::Note(vec![t("for "), f("t < 0")]));
                        out.push(Line::Eq {
                            lhs: lhs.clone(),
                            rhs: tree::series(left, &name_node("t", NameKind::Param)),
                            tag: None,
                        });
                        out.push(Line::Note(vec![t("for "), f("t > 0")]));
                        out.push(Line::Eq {
                            lhs,
                            rhs: tree::series(right, &name_node("t", NameKind::Param)),
                            tag: None,
                        });
                        out.push(Line::Note(vec![
                            t("combined exactly as "),
                            f("s(δ) = Σₖ ½(c⁺ₖ + c⁻ₖ)·δ^∘k + ½(c⁺ₖ − c⁻ₖ)·|δ|∘δ^∘(k−1)"),
                        ]));
                    }
                }
            }
            Step::Derivatives {
                activation,
                params,
                point,
                kept,
                piece,
                ..
            } => {
                let c = point.name.unicode();
                out.push(Line::Note(vec![
                    t("around the operating point "),
                    f(c.clone()),
                    t(", the coefficient of the "),
                    f("k"),
                    t("-th power is the element-wise derivative "),
                    f(format!("{activation}⁽ᵏ⁾({c}{})/k!", params_text(params))),
                    t(", for "),
                    f(format!("k ≤ {kept}")),
                ]));
                if let Some(signs) = piece {
                    let mut line = vec![
                        t("every entry of "),
                        f(c.clone()),
                        t(format!(" lies on one piece of {activation}, certified: ")),
                    ];
                    for (i, (value, sign)) in signs.iter().enumerate() {
                        if i > 0 {
                            line.push(t(", "));
                        }
                        line.push(m(tree::expr(value)));
                        line.push(f(piece_sign(*sign)));
                    }
                    line.push(t(
                        " (not 0: no entry sits on a breakpoint), so the derivatives are that piece's",
                    ));
                    out.push(Line::Note(line));
                }
            }
            Step::Output {
                activation,
                params,
                arg,
                output,
                order,
                truncated,
                small,
                ..
            } => {
                out.push(Line::Note(vec![
                    t("element-wise, keeping terms up to order "),
                    m(eps_pow(*order)),
                ]));
                out.push(Line::Eq {
                    lhs: call(activation, params, tree::graded(arg, small)),
                    rhs: with_o(output, truncated.then_some(order + 1), small),
                    tag: None,
                });
            }
            Step::Expansion {
                y,
                order,
                requested,
                truncated,
                small,
                form,
            } => {
                // As the analysis says it: the order asked was raised (`-n 1`) to reach the
                // first non-affine term (from a review, a derivation raised it silently).
                if order > requested {
                    out.push(Line::Note(vec![t(format!(
                        "expanded to order {order} to find the first non-affine term (order {requested} was asked)"
                    ))]));
                }
                out.push(Line::Note(vec![t("the network, written by layer")]));
                out.push(Line::Eq {
                    lhs: AffineNodes::of(form).y,
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
                form,
            } => {
                out.push(Line::Note(vec![t(
                    "substitute the layer variables and collect by degree in the input",
                )]));
                let names = AffineNodes::of(form);
                let mut terms: Vec<(bool, Node)> = Vec::new();
                if !w.is_zero() && form.map {
                    // The linear map's terms hold X already.
                    terms.push((false, tree::expr(w)));
                } else if !w.is_zero() {
                    let x = sym(&form.input, NameKind::Vector);
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
                    lhs: names.y,
                    rhs: Node::Sum(terms),
                    tag: None,
                });
            }
            Step::Identified {
                w,
                b,
                w_shape,
                b_shape,
                up_to,
                form,
            } => {
                let names = AffineNodes::of(form);
                // What W·x + b leaves out, said where it is not exact.
                let mut note = match up_to {
                    Some(r) => vec![t("so, up to "), m(tree::big_o_eps(*r)), t(", ")],
                    None => vec![t("so ")],
                };
                note.extend(if form.map {
                    vec![
                        t("the network is affine, "),
                        f(names.affine_text.clone()),
                        t(", with the linear map and the constant"),
                    ]
                } else {
                    vec![
                        t("the network is the single layer "),
                        f(names.affine_text.clone()),
                        t(" with"),
                    ]
                });
                out.push(Line::Note(note));
                out.push(Line::Eq {
                    lhs: names.w,
                    rhs: tree::expr(w),
                    tag: w_shape.clone(),
                });
                out.push(Line::Eq {
                    lhs: names.b,
                    rhs: tree::expr(b),
                    tag: b_shape.clone(),
                });
            }
            Step::Verdict {
                verdict,
                first,
                kinks,
                form,
                by_form,
                cut_cancels,
                mixed_bar,
                breakpoint_reached,
                piecewise,
            } => {
                if let Some((layer, entry)) = breakpoint_reached {
                    out.push(Line::Note(vec![t(format!(
                        "verdict: not decided — at a random draw of the symbols, entry {} of layer {layer}'s operating point sits exactly on a breakpoint, with the small signal passing through, where the expansion assumes no entry does",
                        entry + 1
                    ))]));
                    continue;
                }
                if let Some(k) = mixed_bar {
                    out.push(Line::Note(vec![
                        t("verdict: not decided — the terms of order "),
                        m(eps_pow(*k)),
                        t(" are affine once each bar in them is read at its leading part, which has one sign, and what follows is no polynomial"),
                    ]));
                    continue;
                }
                let names = AffineNodes::of(form);
                let residual = |out: &mut Vec<Line>, k: u32| {
                    if first.is_zero() {
                        return;
                    }
                    let affine = names.affine.clone();
                    let mut rhs = match tree::expr(first) {
                        Node::Sum(v) => v,
                        Node::Neg(x) => vec![(true, *x)],
                        n => vec![(false, n)],
                    };
                    rhs.push((false, Node::BigO(Box::new(eps_pow(k + 1)))));
                    out.push(Line::Eq {
                        lhs: Node::Sum(vec![(false, names.y.clone()), (true, affine)]),
                        rhs: Node::Sum(rhs),
                        tag: None,
                    });
                };
                match verdict {
                    Verdict::ExactAffine if *by_form => out.push(Line::Note(vec![
                        t("verdict: exactly affine — the input enters only linearly, outside every activation and power, and no other symbol is small, so "),
                        f(names.affine_text.clone()),
                        t(" holds exactly"),
                    ])),
                    Verdict::ExactAffine if *cut_cancels => out.push(Line::Note(vec![
                        t("verdict: exactly affine — what the series left out cancels (the exact normal form, activations kept whole, is affine and equals the expansion), so "),
                        f(names.affine_text.clone()),
                        t(" holds exactly"),
                    ])),
                    Verdict::ExactAffine => out.push(Line::Note(vec![
                        t("verdict: exactly affine — every series used is finite, so "),
                        f(names.affine_text.clone()),
                        // On a piece of a piecewise activation, not beyond (from a review:
                        // hard_tanh's exactness was stated with no region).
                        t(if *piecewise {
                            " holds exactly while no pre-activation reaches a breakpoint"
                        } else {
                            " holds exactly"
                        }),
                    ])),
                    Verdict::Affine { k: Some(k) } => {
                        out.push(Line::Note(vec![
                            t("verdict: affine up to "),
                            m(Node::BigO(Box::new(eps_pow(*k)))),
                            t("; the first non-affine terms are"),
                        ]));
                        residual(&mut out, *k);
                    }
                    Verdict::Affine { k: None } if *by_form => {
                        out.push(Line::Note(vec![t(
                            "verdict: affine at every order — the input, where it occurs, enters only linearly, outside every activation and power",
                        )]))
                    }
                    Verdict::Affine { k: None } => out.push(Line::Note(vec![t(
                        "verdict: affine, with no non-affine term up to the search order",
                    )])),
                    Verdict::Degenerate { k } => {
                        out.push(Line::Note(vec![
                            t("verdict: degenerate — the linear part vanishes; the leading terms, of order "),
                            m(eps_pow(*k)),
                            t(", are"),
                        ]));
                        residual(&mut out, *k);
                    }
                    Verdict::Kink => {
                        let mut p = vec![t("verdict: a kink, not affine at any "), m(eps_pow(1))];
                        for k in kinks {
                            p.push(t(format!(
                                "; layer {} ({}) has one-sided slopes ",
                                k.layer, k.activation
                            )));
                            p.push(Piece::Number(k.left.clone()));
                            p.push(t(" and "));
                            p.push(Piece::Number(k.right.clone()));
                        }
                        out.push(Line::Note(p));
                    }
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------------ text

/// A number for text: exact when short, else its leading digits, cut (not rounded), and `…`.
fn text_number(s: &Scalar) -> String {
    let exact = crate::print::scalar_unicode(s);
    if !exact.contains('…') {
        return exact;
    }
    match s.as_q() {
        Some(q) => {
            let sign = if *q < 0u32 { "−" } else { "" };
            let abs = if *q < 0u32 { -q.clone() } else { q.clone() };
            format!("{sign}{}", short_decimal(&abs, 7).replace("\\ldots", "…"))
        }
        None => exact,
    }
}

/// The leading `digits` digits of a positive rational in LaTeX, with `\ldots` when cut.
fn short_decimal(q: &crate::algebra::Q, digits: usize) -> String {
    let (d, e, exact) = latex::leading_digits(q, digits);
    let body = latex::positional(&d, e).unwrap_or_else(|| format!("{}.{}e{e}", &d[..1], &d[1..]));
    if exact {
        body
    } else {
        format!("{body}\\ldots")
    }
}

fn text_piece(p: &Piece) -> String {
    match p {
        Piece::Text(s) | Piece::Formula(s) => s.clone(),
        Piece::Math(n) => text_node(n),
        Piece::Inline(ps) => ps.iter().map(text_piece).collect(),
        Piece::Number(s) => text_number(s),
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
            Line::Section(y, n) => {
                let h = format!("{y} = {}", text_node(n));
                out.push_str(&format!(
                    "\n{h}\n{}\n",
                    "─".repeat(h.chars().count().min(78))
                ));
            }
            Line::Prose(p) => out.push_str(&format!("{p}\n")),
            Line::File(path) => out.push_str(&format!("From {path}:\n")),
            Line::Note(ps) => out.push_str(&format!(
                "  {}\n",
                ps.iter().map(text_piece).collect::<String>()
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

/// The widest a displayed line may be, in points as [`latex::width`] estimates them: the text
/// width of an A4 page with 2 cm margins in 11 pt type is 481 pt, and estimates run high.
pub const LINE_WIDTH: f64 = 400.0;

/// The widest a displayed line may be in a fragment (`--format latex` without `--standalone`),
/// which is pasted into someone's document: the text width of a default `article` in 10 pt
/// type is 345 pt, and a review measured lines up to 40 pt past it at [`LINE_WIDTH`].
pub const FRAGMENT_WIDTH: f64 = 330.0;
/// The indentation of a continued line (`\qquad`).
const INDENT: f64 = 22.0;

/// Prose for LaTeX: specials escaped, quotes curled, formulas in math mode.
pub fn latex_text(s: &str) -> String {
    latex_prose(s, &Notation::default())
}

fn latex_prose(s: &str, notation: &Notation) -> String {
    let mut out = String::new();
    let mut open_quote = true;
    for span in prose::split(s) {
        match span {
            prose::Span::Math(m) => out.push_str(&format!(
                "${}$",
                prose::to_latex(&m, notation.hadamard.latex())
            )),
            prose::Span::Text(t) => out.push_str(&escape_text(&t, &mut open_quote)),
        }
    }
    out
}

/// Text with LaTeX's special characters escaped; straight quotes become curly ones.
fn escape_text(s: &str, open_quote: &mut bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let piece: String = match c {
            '\\' => "\\textbackslash{}".into(),
            '#' | '$' | '%' | '&' | '_' | '{' | '}' => format!("\\{c}"),
            '~' => "\\textasciitilde{}".into(),
            '^' => "\\textasciicircum{}".into(),
            '"' => {
                *open_quote = !*open_quote;
                if *open_quote { "''" } else { "``" }.into()
            }
            '<' | '>' | '|' => format!("${c}$"),
            c if c.is_ascii() => c.to_string(),
            '−' | '–' => "--".into(),
            '—' => "---".into(),
            '…' => "\\dots{}".into(),
            '’' => "'".into(),
            '‘' => "`".into(),
            '“' => "``".into(),
            '”' => "''".into(),
            '①' => "(1)".into(),
            '②' => "(2)".into(),
            '③' => "(3)".into(),
            '④' => "(4)".into(),
            c => format!("${}$", prose::to_latex(&c.to_string(), "\\circ")),
        };
        out.push_str(&piece);
    }
    out
}

fn latex_piece(p: &Piece, notation: &Notation) -> String {
    match p {
        Piece::Text(s) => escape_text(s, &mut true),
        Piece::Shape(s) => format!("$[{}]$", shape_latex(s)),
        p => format!("${}$", latex_math_piece(p, notation)),
    }
}

/// A piece as it stands in a LaTeX note (text, or `$…$`).
pub fn latex_piece_pub(p: &Piece, notation: &Notation) -> String {
    latex_piece(p, notation)
}

/// The math of a piece, without `$`.
pub fn latex_math(p: &Piece, notation: &Notation) -> String {
    latex_math_piece(p, notation)
}

/// The math of a piece, without `$`.
fn latex_math_piece(p: &Piece, notation: &Notation) -> String {
    match p {
        Piece::Math(n) => latex::render_with(n, notation),
        Piece::Formula(s) | Piece::Text(s) => prose::to_latex(s, notation.hadamard.latex()),
        Piece::Inline(ps) => ps
            .iter()
            .map(|p| latex_math_piece(p, notation))
            .collect::<Vec<_>>()
            .join(" "),
        Piece::Number(s) => latex_number(s, notation),
        Piece::Shape(s) => format!("[{}]", shape_latex(s)),
    }
}

fn latex_number(s: &Scalar, notation: &Notation) -> String {
    latex::render_with(&tree::scalar(s), notation)
}

fn shape_latex(s: &str) -> String {
    s.replace('×', "\\times ")
        .replace('·', "\\cdot ")
        .replace('…', "\\dots ")
}

/// Every formula a LaTeX rendering contains, one string each (for validation).
pub fn formulas(lines: &[Line]) -> Vec<String> {
    formulas_with(lines, &Notation::default())
}

/// Every formula of [`to_latex_with`], one string each: inline formulas and displayed rows.
pub fn formulas_with(lines: &[Line], notation: &Notation) -> Vec<String> {
    let body = to_latex_with(lines, notation);
    let mut out = Vec::new();
    // Inline formulas: between `$`s that are not escaped.
    let mut inline = String::new();
    let mut in_math = false;
    let mut prev = ' ';
    let mut display = String::new();
    let mut in_display = false;
    for line in body.lines() {
        if line.starts_with("\\begin{align*}") {
            in_display = true;
            continue;
        }
        if line.starts_with("\\end{align*}") {
            in_display = false;
            continue;
        }
        if in_display && !line.starts_with("\\intertext") {
            display.push_str(line);
            if line.ends_with("\\\\") {
                out.push(
                    display
                        .trim_end_matches("\\\\")
                        .replace('&', "")
                        .trim()
                        .to_string(),
                );
                display.clear();
            }
            continue;
        }
        if !display.is_empty() {
            out.push(display.replace('&', "").trim().to_string());
            display.clear();
        }
        for c in line.chars() {
            if c == '$' && prev != '\\' {
                if in_math {
                    out.push(std::mem::take(&mut inline));
                }
                in_math = !in_math;
            } else if in_math {
                inline.push(c);
            }
            prev = c;
        }
        if in_math {
            inline.push(' ');
        }
    }
    if !display.is_empty() {
        out.push(display.replace('&', "").trim().to_string());
    }
    out.retain(|f| !f.trim().is_empty());
    out
}

/// `lhs = rhs` as rows of an `align*` (one left-aligned column), broken to fit the line.
fn latex_equation(
    lhs: &Node,
    rhs: &Node,
    tag: Option<&String>,
    notation: &Notation,
    width: f64,
) -> String {
    latex_equation_rows(lhs, rhs, tag, notation, width)
        .iter()
        .map(|r| format!("{r} \\\\\n"))
        .collect()
}

/// The rows of [`latex_equation`], each starting with `&`.
pub fn latex_equation_rows(
    lhs: &Node,
    rhs: &Node,
    tag: Option<&String>,
    notation: &Notation,
    width: f64,
) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let lhs_lines = latex::render_lines(lhs, notation, width, width - INDENT);
    let last_lhs = lhs_lines.last().cloned().unwrap_or_default();
    let lead = latex::width(&last_lhs) + 16.0 + if lhs_lines.len() > 1 { INDENT } else { 0.0 };
    let rhs_first_room = width - lead;
    // A long left side: the right side starts on a line of its own, and so it does after a
    // left side of several lines (an `=` inside a continuation row is hard to find).
    let (rhs_first, own_line) = if rhs_first_room < 160.0 || lhs_lines.len() > 1 {
        (width - INDENT - 16.0, true)
    } else {
        (rhs_first_room, false)
    };
    let rhs_lines = latex::render_lines(rhs, notation, rhs_first, width - INDENT);
    for (i, l) in lhs_lines.iter().enumerate() {
        let indent = if i == 0 { "" } else { "\\qquad " };
        if i + 1 < lhs_lines.len() || own_line {
            rows.push(format!("&{indent}{l}"));
        }
    }
    for (i, r) in rhs_lines.iter().enumerate() {
        if i == 0 {
            if own_line {
                rows.push(format!("&\\qquad = {r}"));
            } else {
                let indent = if lhs_lines.len() > 1 { "\\qquad " } else { "" };
                rows.push(format!("&{indent}{last_lhs} = {r}"));
            }
        } else {
            rows.push(format!("&\\qquad {r}"));
        }
    }
    if let Some(t) = tag {
        let tag = format!("[{}]", shape_latex(t));
        let last = rows.last().cloned().unwrap_or_default();
        if latex::width(&last) + latex::width(&tag) + 22.0 <= width {
            if let Some(l) = rows.last_mut() {
                l.push_str(&format!(" \\qquad {tag}"));
            }
        } else {
            rows.push(format!("&\\qquad {tag}"));
        }
    }
    rows
}

/// A derivation as LaTeX: one `align*` per network, notes as `\intertext`.
pub fn to_latex(lines: &[Line]) -> String {
    to_latex_with(lines, &Notation::default())
}

/// A derivation as LaTeX in the given notation.
pub fn to_latex_with(lines: &[Line], notation: &Notation) -> String {
    to_latex_within(lines, notation, LINE_WIDTH)
}

/// A derivation as LaTeX, its displayed lines broken to `width` points.
pub fn to_latex_within(lines: &[Line], notation: &Notation, width: f64) -> String {
    let mut doc = LatexDoc::default();
    for l in lines {
        match l {
            Line::Heading(h) => {
                doc.close();
                doc.out.push_str(&format!(
                    "\n\\subsection*{{{}}}\n",
                    latex_prose(h, notation)
                ));
            }
            Line::Section(y_name, n) => {
                doc.close();
                let kind = if *y_name == "Y" {
                    NameKind::Matrix
                } else {
                    NameKind::Vector
                };
                let y = name_node(y_name, kind);
                let one_line = latex::render_with(n, notation);
                // A heading holds the network when it fits on one line (headings are larger).
                if latex::width(&one_line) * 1.25 + 20.0 < width {
                    doc.out
                        .push_str(&format!("\n\\subsection*{{${y_name} = {one_line}$}}\n"));
                } else {
                    doc.out.push_str("\n\\subsection*{The network}\n");
                    doc.equation(&latex_equation(&y, n, None, notation, width));
                }
            }
            Line::File(path) => {
                doc.close();
                doc.out.push_str(&format!(
                    "\n\\noindent From \\texttt{{{}}}:\n\n",
                    escape_text(path, &mut true)
                ));
            }
            Line::Prose(p) => {
                doc.close();
                // A blank line: each piece of prose is its own paragraph.
                doc.out
                    .push_str(&format!("\n{}\n\n", latex_prose(p, notation)));
            }
            Line::Table(rows) => {
                doc.close();
                let n = rows.iter().map(|r| r.len()).max().unwrap_or(1);
                // Taller rows, so that fractions in neighbouring rows do not touch.
                doc.out.push_str(&format!(
                    "\n\\begin{{center}}\\small\\renewcommand{{\\arraystretch}}{{1.35}}\n\\begin{{tabular}}{{{}}}\n",
                    "l".repeat(n)
                ));
                for (i, r) in rows.iter().enumerate() {
                    let cells: Vec<String> = r.iter().map(|p| latex_piece(p, notation)).collect();
                    doc.out.push_str(&format!("{} \\\\\n", cells.join(" & ")));
                    if i == 0 {
                        doc.out.push_str("\\hline\n");
                    }
                }
                doc.out.push_str("\\end{tabular}\n\\end{center}\n");
            }
            Line::Note(ps) => doc.notes.push(
                ps.iter()
                    .map(|p| latex_piece(p, notation))
                    .collect::<String>(),
            ),
            Line::Eq { lhs, rhs, tag } => {
                doc.equation(&latex_equation(lhs, rhs, tag.as_ref(), notation, width));
            }
        }
    }
    doc.close();
    doc.out
}

/// A LaTeX document being written: notes wait until it is known whether an equation follows
/// them in the same display (`\intertext`) or they stand between displays (paragraphs).
#[derive(Default)]
struct LatexDoc {
    out: String,
    open: bool,
    notes: Vec<String>,
}

impl LatexDoc {
    /// The waiting notes as paragraphs; `before_display` when a display follows at once (a blank
    /// line there would open an empty paragraph above it).
    fn paragraphs(&mut self, before_display: bool) {
        for n in std::mem::take(&mut self.notes) {
            self.out.push_str(&format!("\n{n}\n"));
        }
        if !before_display {
            self.out.push('\n');
        }
    }

    fn equation(&mut self, rows: &str) {
        if self.open {
            let notes = std::mem::take(&mut self.notes);
            if !notes.is_empty() {
                // One `\intertext` for consecutive notes (two in a row add two skips between them);
                // `\endgraf` ends a paragraph where `\par` may not stand.
                self.out
                    .push_str(&format!("\\intertext{{{}}}\n", notes.join("\\endgraf ")));
            }
        } else {
            self.paragraphs(true);
            self.out.push_str("\\begin{align*}\n");
            self.open = true;
        }
        self.out.push_str(rows);
    }

    fn close(&mut self) {
        if self.open {
            // Drop the trailing `\\` of the last row.
            if self.out.ends_with(" \\\\\n") {
                self.out.truncate(self.out.len() - 4);
                self.out.push('\n');
            }
            self.out.push_str("\\end{align*}\n");
            self.open = false;
        }
        self.paragraphs(false);
    }
}

/// A complete document that compiles with pdflatex.
pub fn standalone(title: &str, body: &str) -> String {
    format!(
        "\\documentclass[11pt,a4paper]{{article}}\n\\usepackage[margin=2cm]{{geometry}}\n\\usepackage{{amsmath,amssymb}}\n\\allowdisplaybreaks\n\\setlength{{\\emergencystretch}}{{3em}}\n\\setlength{{\\parindent}}{{0pt}}\n\\setlength{{\\parskip}}{{4pt}}\n\\begin{{document}}\n\\section*{{{}}}\n{body}\\end{{document}}\n",
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
            Step::Binding { name, value, cut } => json!({ "step": "binding", "name": name.ascii(), "value": ej(value), "cut_at": cut }),
            Step::Constant { name, value } => json!({ "step": "constant", "name": name.ascii(), "value": ej(value) }),
            Step::Layer { index, activation, pre, op_point, var, whole, compensated, .. } => json!({
                "step": "layer", "layer": index, "activation": activation, "pre_activation": ej(pre), "operating_point": ej(op_point),
                "compensated": compensated, "variable": var.as_ref().map(|(u, d)| json!({ "name": u.name.ascii(), "value": ej(d) })),
                "whole": whole.as_ref().map(|(w, d)| json!({ "name": w.name.ascii(), "value": ej(d) })),
            }),
            Step::Series { index, activation, params, at, series } => {
                let (left, right) = (series.side(crate::series::Side::Left), series.side(crate::series::Side::Right));
                let coeffs = |s: &crate::series::Series| s.coeffs().iter().map(crate::print::scalar_ascii).collect::<Vec<_>>();
                json!({ "step": "series", "layer": index, "activation": activation, "params": params_json(params), "at": crate::print::json::scalar(at), "left": coeffs(left), "right": coeffs(right), "exact": right.is_exact() && left.is_exact() })
            }
            Step::Derivatives { index, activation, params, point, kept, piece } => {
                let mut step = json!({ "step": "derivatives", "layer": index, "activation": activation, "params": params_json(params), "point": point.name.ascii(), "kept": kept });
                if let Some(signs) = piece {
                    step["piece"] = signs.iter().map(|(value, sign)| json!({ "value": ej(value), "sign": piece_sign(*sign).trim() })).collect();
                }
                step
            }
            Step::Output { index, activation, params, arg, output, order, truncated, .. } => json!({ "step": "output", "layer": index, "activation": activation, "params": params_json(params), "argument": ej(arg), "output": ej(output), "order": order, "truncated": truncated }),
            Step::Expansion { y, order, requested, truncated, .. } => json!({ "step": "expansion", "y": ej(y), "order": order, "requested_order": requested, "truncated": truncated }),
            Step::Collected { w, b, first, k, order, truncated, form } => with_map_input(json!({ "step": "collected", "W": ej(w), "b": ej(b), "first_nonaffine": ej(first), "k": k, "order": order, "truncated": truncated }), form),
            Step::Identified { w, b, w_shape, b_shape, up_to, form } => with_map_input(json!({ "step": "identified", "W": ej(w), "b": ej(b), "W_shape": w_shape, "b_shape": b_shape, "up_to": up_to }), form),
            Step::Verdict { verdict, first, kinks, by_form, mixed_bar, breakpoint_reached, .. } => {
                let undecided = mixed_bar.is_some() || breakpoint_reached.is_some();
                let mut v = json!({
                    "step": "verdict", "verdict": if undecided { "undecided" } else { verdict.label() }, "k": if undecided { None } else { verdict.k() }, "affine_by_form": by_form, "first_nonaffine": ej(first),
                    "kinks": kinks.iter().map(|k| json!({ "layer": k.layer, "activation": k.activation, "left": crate::print::json::scalar(&k.left), "right": crate::print::json::scalar(&k.right) })).collect::<Vec<_>>(),
                });
                // Present only when the verdict is not decided for it.
                if let (Some(k), Value::Object(m)) = (mixed_bar, &mut v) {
                    m.insert("bars_of_mixed_orders".into(), json!(k));
                }
                if let (Some((layer, entry)), Value::Object(m)) = (breakpoint_reached, &mut v) {
                    m.insert("breakpoint_reached".into(), json!({ "layer": layer, "entry": entry + 1 }));
                }
                v
            }
        })
        .collect();
    Value::Array(v)
}

/// A step's JSON with `"W_map": "X"` when its `W` is the linear map 𝓛(X) of a matrix input
/// (the key is absent for a vector input, whose `W` is a matrix).
fn with_map_input(mut v: Value, form: &AffineForm) -> Value {
    if let (true, Value::Object(m)) = (form.map, &mut v) {
        m.insert("W_map".into(), json!(form.input.ascii()));
    }
    v
}
