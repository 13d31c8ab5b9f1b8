//! The report of an analysis: text for terminals, an `align*` block, and JSON (docs/json.md).

use super::*;
use crate::analysis::{Analysis, Assumption, Coefficients, Report, Verdict, shapes};
use crate::series::PointSeries;
use serde_json::{Value, json};

fn verdict_text(a: &Analysis) -> String {
    if let Some((layer, entry)) = a.decision.breakpoint_reached {
        return format!(
            "not decided: at a random draw of the symbols, entry {} of layer {layer}'s operating point sits exactly on a breakpoint, with the small signal passing through (see the assumption); what follows holds where no entry does",
            entry + 1
        );
    }
    if let Some(k) = a.decision.mixed_bar {
        return format!(
            "not decided: the terms of order ε{} below are affine once each bar in them is read at its leading part, and what follows is no polynomial (see the assumption)",
            sup(k)
        );
    }
    match &a.decision.verdict {
        Verdict::ExactAffine if a.affine_by_form && a.expansion.truncated => format!(
            "exactly affine: the input {} enters only linearly, outside every activation and power, and no other symbol is small",
            a.input.name.unicode()
        ),
        Verdict::ExactAffine if a.expansion.cut_cancels => {
            "exactly affine (what the series left out cancels: the exact normal form, activations kept whole, is affine and equals the expansion)".into()
        }
        Verdict::ExactAffine if (a.expansion.layers.iter()).any(|l| l.callee.has_breakpoints()) => {
            "exactly affine (every series used is finite: nothing was truncated), while no pre-activation reaches a breakpoint".into()
        }
        Verdict::ExactAffine => {
            "exactly affine (every series used is finite: nothing was truncated)".into()
        }
        Verdict::Affine { k: Some(k) } => format!("affine up to O(ε{})", sup(*k)),
        Verdict::Affine { k: None } if a.affine_by_form && input_absent(a) => format!(
            "affine at every order: the input {} does not occur ({} = 0; {}, a series in the other symbols, is given to order {})",
            a.input.name.unicode(),
            a.form.w.unicode(),
            a.form.b.unicode(),
            a.order
        ),
        Verdict::Affine { k: None } if a.affine_by_form => format!(
            "affine at every order: the input {} enters only linearly, outside every activation and power ({} and {}, series in the other symbols, are given to order {}{})",
            a.input.name.unicode(),
            a.form.w.unicode(),
            a.form.b.unicode(),
            a.order,
            // W past the search order (`tanh(bᵀ·b)⁵·x`), or the input cancelled (`0·x`):
            // not a claim that the network is constant in x (from a review).
            if a.decision.w.is_zero() {
                format!("; {} has no term up to that order", a.form.w.unicode())
            } else {
                String::new()
            }
        ),
        Verdict::Affine { k: None } => format!(
            "affine to at least O(ε{}): no non-affine term up to order {} (search limit)",
            sup(a.order + 1),
            a.order
        ),
        Verdict::Kink => {
            "kink: not affine at any σ (the non-affine part is as large as the linear part)".into()
        }
        Verdict::Degenerate { k } => format!(
            "degenerate: the linear part vanishes; the leading term is of order ε{}",
            sup(*k)
        ),
    }
}

/// Whether the analysis said that its input does not occur.
fn input_absent(a: &Analysis) -> bool {
    (a.assumptions.iter()).any(|x| matches!(x, Assumption::InputAbsent { .. }))
}

/// How the affine part is written: `W`, `b`, `y = W·x + b` for a vector input; for a matrix
/// input `X` a linear map, `𝓛(X)`, `B`, `Y = 𝓛(X) + B`.
pub(crate) struct AffineNames {
    /// The linear part's left side: `W`, or `𝓛(X)`.
    pub w: String,
    /// The constant part: `b`, or `B`.
    pub b: String,
    /// The output: `y`, or `Y`.
    pub y: String,
    /// The affine approximation: `W·x + b`, or `𝓛(X) + B`.
    pub affine: String,
}

pub(crate) fn affine_names(a: &Analysis) -> AffineNames {
    let f = &a.form;
    AffineNames {
        w: if f.map {
            f.linear_unicode()
        } else {
            f.w.unicode()
        },
        b: f.b.unicode(),
        y: f.y.unicode(),
        affine: f.affine_unicode(),
    }
}

fn shape_note(e: &Expr, a: &Analysis) -> String {
    match shapes::equation(e, &a.symbols, 4) {
        Some(eq) => format!("   [{eq}]"),
        None => String::new(),
    }
}

fn layer_lines(a: &Analysis, out: &mut String) {
    let t = a.trunc();
    if a.expansion.layers.is_empty() {
        return;
    }
    out.push_str("layers (innermost first):\n");
    for l in &a.expansion.layers {
        let var = match &l.var {
            Some((s, def)) => format!("{} = {}", s.name, graded(def, &t)),
            None => format!("pre-activation {}", graded(&l.pre.sub(&l.op_point), &t)),
        };
        let how = match &l.coefficients {
            Coefficients::Series { at, series } => {
                let at_txt = crate::print::scalar_unicode(at);
                match series {
                    PointSeries::Analytic(s) => format!(
                        "{}(c + t) at c = {at_txt}: {}",
                        l.activation,
                        series_line(s, "t")
                    ),
                    PointSeries::OneSided { left, right, .. } => format!(
                        "{} at {at_txt}: t < 0: {}; t > 0: {}",
                        l.activation,
                        series_line(left, "t"),
                        series_line(right, "t")
                    ),
                }
            }
            Coefficients::Atoms { .. } => format!(
                "{} around its operating point {} = {}",
                l.activation,
                l.op_symbol
                    .as_ref()
                    .map(|s| s.name.unicode())
                    .unwrap_or_default(),
                u(&l.op_point)
            ),
        };
        out.push_str(&format!("  layer {}: {var}\n           {how}\n", l.index));
        if let Some((w, def)) = &l.whole {
            out.push_str(&format!(
                "           {} = {} (all of the small part, inside |·|)\n",
                w.name,
                graded(def, &t)
            ));
        }
    }
}

/// The verdict of `a` as a phrase after "the network is" (a derivation's condition: from a
/// review, "there the network is affine." of a network affine up to O(ε³), and "is kink").
pub(crate) fn verdict_phrase(a: &Analysis, w: &str) -> String {
    let zero = match a.decision.verdict {
        Verdict::ExactAffine | Verdict::Affine { .. } if a.decision.w.is_zero() => {
            format!(", with {w} = 0")
        }
        _ => String::new(),
    };
    let phrase: String = match &a.decision.verdict {
        Verdict::ExactAffine => "exactly affine".into(),
        Verdict::Affine { k: Some(k) } => format!("affine up to O(ε{})", sup(*k)),
        Verdict::Affine { k: None } if a.affine_by_form => "affine at every order".into(),
        Verdict::Affine { k: None } => format!("affine to at least O(ε{})", sup(a.order + 1)),
        Verdict::Kink => "not affine at any σ (a kink)".into(),
        Verdict::Degenerate { k } => {
            format!("degenerate ({w} = 0, led by a term of order ε{})", sup(*k))
        }
    };
    phrase + &zero
}

/// `condition: … iff p = v; there …`, then the conditions under it, indented.
fn condition_text(c: &crate::analysis::Condition, w: &str, indent: &str, out: &mut String) {
    out.push_str(&format!(
        "{indent}condition: {}",
        super::facts::condition_clause(c, w)
    ));
    if let Some(then) = &c.then {
        let k = then
            .decision
            .k
            .map(|k| format!(" (k = {k})"))
            .unwrap_or_default();
        let zero = if then.decision.w.is_zero() && then.decision.verdict != Verdict::Kink {
            format!(", with {w} = 0")
        } else {
            String::new()
        };
        // Where the analysis there kept terms that vanish for some values of the other
        // parameters, its verdict holds where they do not (from a review: `there the network
        // is kink` of a network that is 0 for every μ < 5 at λ = 0).
        let partial = (then.assumptions.iter())
            .any(|a| matches!(a, crate::analysis::Assumption::IdentityTestPartial { .. }));
        let partial = if partial {
            " where its first non-affine terms do not vanish (they do for some values of the other parameters)"
        } else {
            ""
        };
        out.push_str(&format!(
            "; there the network is {}{k}{zero}{partial}",
            then.decision.verdict.label()
        ));
    } else if let Some(why) = &c.not_analysed {
        out.push_str(&format!("; the network there was not analysed: {why}"));
    }
    out.push('\n');
    let deeper = format!("{indent}  ");
    for f in &c.further {
        out.push_str(&format!(
            "{deeper}with {} = {}:\n",
            c.param,
            crate::print::scalar_unicode(&c.value)
        ));
        condition_text(f, w, &deeper, out);
    }
}

fn analysis_text(a: &Analysis, out: &mut String, indent: &str) {
    let t = a.trunc();
    let d = &a.decision;
    out.push_str(&format!("{indent}verdict: {}\n", verdict_text(a)));
    if a.order > a.requested_order {
        out.push_str(&format!(
            "{indent}  (expanded to order {} to find the first non-affine term)\n",
            a.order
        ));
    }
    match &d.verdict {
        Verdict::Kink => {
            for k in &d.kinks {
                out.push_str(&format!(
                    "{indent}  layer {} ({}): one-sided slopes {} (left) and {} (right) at the operating point\n",
                    k.layer,
                    k.activation,
                    number(&k.left),
                    number(&k.right)
                ));
            }
            if !d.leading_layered.is_zero() {
                out.push_str(&format!(
                    "{indent}  non-affine at order ε¹, by layer: {}\n",
                    u(&d.leading_layered)
                ));
            }
            out.push_str(&format!(
                "{indent}  non-affine at order ε¹, in the input's terms: {}\n",
                bounded(&d.leading_full)
            ));
        }
        _ => {
            let exact = d.verdict == Verdict::ExactAffine;
            let names = affine_names(a);
            out.push_str(&format!(
                "{indent}  {} = {}{}\n",
                names.w,
                if d.w.is_zero() {
                    "0".to_string()
                } else {
                    u(&d.w)
                },
                shape_note(&d.w, a)
            ));
            out.push_str(&format!(
                "{indent}  {} = {}{}\n",
                names.b,
                if d.b.is_zero() {
                    "0".to_string()
                } else {
                    graded(&d.b, &t)
                },
                shape_note(&d.b, a)
            ));
            match d.k {
                Some(k) => {
                    out.push_str(&format!(
                        "{indent}  {} = {} + O(ε{})\n",
                        names.y,
                        names.affine,
                        sup(k)
                    ));
                    let lead = if d.leading_layered.is_zero() {
                        &d.leading_full
                    } else {
                        &d.leading_layered
                    };
                    out.push_str(&format!(
                        "{indent}  first non-affine term (ε{}): {}\n",
                        sup(k),
                        u(lead)
                    ));
                    if !d.leading_layered.is_zero() && !input_terms_unexpanded(a) {
                        out.push_str(&format!(
                            "{indent}    in the input's terms: {}\n",
                            bounded(&d.leading_full)
                        ));
                    }
                    if !d.remainder.is_zero() {
                        for (deg, part) in by_degree(&d.remainder, &t) {
                            let txt = if part.len() <= 12 {
                                u(&part)
                            } else {
                                format!("{} terms", part.len())
                            };
                            out.push_str(&format!("{indent}  left at O(ε{}): {txt}\n", sup(deg)));
                        }
                    }
                    if !a.expansion.truncated {
                        out.push_str(&format!(
                            "{indent}  (nothing beyond: every series used is finite)\n"
                        ));
                    } else if a.order > k || !d.remainder.is_zero() {
                        out.push_str(&format!(
                            "{indent}  (+ O(ε{}) beyond the expansion order)\n",
                            sup(a.order + 1)
                        ));
                    }
                }
                None if exact => out.push_str(&format!(
                    "{indent}  {} = {} exactly\n",
                    names.y, names.affine
                )),
                // No non-affine term up to the search order: W and b are that order's, and
                // so is the equation (from a review, b was a truncated series written alone).
                None if a.expansion.truncated => out.push_str(&format!(
                    "{indent}  {} = {} + O(ε{})\n",
                    names.y,
                    names.affine,
                    sup(a.order + 1)
                )),
                None => {}
            }
            for k in &d.one_sided {
                out.push_str(&format!("{indent}  layer {} ({}): one-sided series differ first at order {} (C^{} but not smoother)\n", k.layer, k.activation, class_order(&k.class), class_order(&k.class) - 1));
            }
        }
    }
    for x in &a.unexpanded {
        out.push_str(&format!(
            "{indent}  left unexpanded: {}\n",
            super::facts::unexpanded_text(x)
        ));
    }
}

/// The first non-affine term was left unexpanded in the input's terms (past `max_terms`).
fn input_terms_unexpanded(a: &Analysis) -> bool {
    a.unexpanded
        .iter()
        .any(|x| matches!(x, crate::analysis::Unexpanded::InputTerms { .. }))
}

fn class_order(c: &crate::series::Smoothness) -> u32 {
    match c {
        crate::series::Smoothness::Jump => 0,
        crate::series::Smoothness::Kink => 1,
        crate::series::Smoothness::C(m) => m + 1,
    }
}

/// The whole report in Unicode text.
pub fn text(source: &str, r: &Report) -> String {
    let a = &r.main;
    let mut out = String::new();
    let small: Vec<String> = a.small.iter().map(|n| n.unicode()).collect();
    out.push_str(&format!("{source}\n"));
    out.push_str(&format!(
        "input {} · order {} · small (ε¹): {}\n",
        a.input.name,
        a.requested_order,
        small.join(", ")
    ));
    let shown: Vec<String> = a
        .symbols
        .iter()
        .filter(|(_, s)| s.is_known())
        .map(|(sym, s)| format!("{} {}", sym.name, s.text()))
        .collect();
    if !shown.is_empty() {
        out.push_str(&format!("shapes: {}\n", shown.join(", ")));
    }
    for (n, v) in dedup_bindings(a) {
        out.push_str(&format!("with {n} = {}\n", u(&v)));
    }
    layer_lines(a, &mut out);
    let t = a.trunc();
    let offsets: Vec<_> = a
        .expansion
        .layers
        .iter()
        .filter(|l| !l.op_point.is_zero())
        .collect();
    for l in &offsets {
        let (bias, need) =
            required_bias(l).unwrap_or_else(|| ("its bias".into(), l.op_point.neg()));
        out.push_str(&format!(
            "warning: layer {} ({}): the pre-activation has an O(1) part {}, so the small-signal assumption fails there unless {bias} = {}O(ε)\n",
            l.index,
            l.activation,
            u(&l.op_point),
            if need.is_zero() { String::new() } else { format!("{} + ", u(&need)) }
        ));
    }
    out.push_str(&format!(
        "expansion by layer: {} = {}{}\n",
        affine_names(a).y,
        graded(&a.expansion.layered, &t),
        if a.expansion.truncated {
            format!(" + O(ε{})", sup(a.order + 1))
        } else {
            String::new()
        }
    ));
    if r.compensated.is_some() {
        out.push_str("as it stands (expanded around the operating points):\n");
        analysis_text(a, &mut out, "  ");
    } else {
        analysis_text(a, &mut out, "");
    }
    if let Some(c) = &r.compensated {
        let ct = c.trunc();
        out.push_str("with the compensation (each O(1) part cancelled by its bias):\n");
        for l in c.expansion.layers.iter().filter(|l| l.compensated) {
            let small =
                crate::analysis::layer_bias(l).is_some_and(|b| c.small.contains(&b.symbol.name));
            match required_bias(l) {
                // A bias that is not a small symbol has no O(ε) part in the expansion: it is
                // taken to cancel the O(1) part exactly (from a review).
                Some((bias, need)) if !small => out.push_str(&format!(
                    "  here layer {}'s bias is taken to be {} exactly ({bias} is not a small symbol, so no O(ε) part of it is kept)\n",
                    l.index,
                    if need.is_zero() { "0".to_string() } else { u(&need) }
                )),
                Some((bias, need)) if !need.is_zero() => out.push_str(&format!(
                    "  here {bias} is the O(ε) part of layer {}'s bias: the whole bias is {} + {bias}\n",
                    l.index,
                    u(&need)
                )),
                Some(_) => {}
                // No bias in the layer: the compensation is what one would do, not this network
                // (from a review, which read "cancelled by its bias" of a layer without one).
                None => match crate::analysis::bias_row(&l.pre) {
                    Some(b) => out.push_str(&format!(
                        "  layer {}'s bias is a row 𝟙·{}ᵀ, which the compensation does not shift: its O(1) part is cancelled as a bias matrix added to the layer would cancel it\n",
                        l.index,
                        b.name.unicode()
                    )),
                    None => out.push_str(&format!(
                        "  layer {} has no bias: its O(1) part is cancelled as a bias added to it would cancel it, which this network does not have\n",
                        l.index
                    )),
                },
            }
        }
        for l in &c.expansion.layers {
            if let Some((w, def)) = &l.whole {
                out.push_str(&format!(
                    "  layer {}: {} = {} (all of the small part, inside |·|)\n",
                    l.index,
                    w.name,
                    graded(def, &ct)
                ));
            }
        }
        out.push_str(&format!(
            "  expansion by layer: {} = {}{}\n",
            affine_names(c).y,
            graded(&c.expansion.layered, &ct),
            if c.expansion.truncated {
                format!(" + O(ε{})", sup(c.order + 1))
            } else {
                String::new()
            }
        ));
        analysis_text(c, &mut out, "  ");
        if let Some(how) = r
            .numeric
            .as_ref()
            .and_then(|n| n.compensated_vanishes.as_ref())
        {
            out.push_str(&format!(
                "  at these values this first non-affine term is 0 ({how}): the verdict above, for generic weights, does not hold there, and what does is not computed\n"
            ));
        }
        for cc in &r.compensated_conditions {
            condition_text(cc, &c.form.w.unicode(), "  ", &mut out);
        }
    }
    for c in &r.conditions {
        condition_text(c, &r.main.form.w.unicode(), "", &mut out);
    }
    for line in assumption_lines(r, true) {
        out.push_str(&format!("assumption: {line}\n"));
    }
    if let Some(n) = &r.numeric {
        out.push_str(&super::numeric::text(n, &r.main.form));
    }
    out.push_str(&format!("verdict: {}\n", r.verdict_label()));
    out
}

fn dedup_bindings(a: &Analysis) -> Vec<(String, Expr)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (n, v) in &a.expansion.bindings {
        if seen.insert(n.clone()) {
            out.push((n.unicode(), v.clone()));
        }
    }
    out
}

use crate::analysis::required_bias;

// ------------------------------------------------------------------ LaTeX

/// The result as an `align*` block: the expansion, `W`, `b` and the verdict, and, when an
/// operating point is not small, the same with each O(1) part cancelled by its bias.
pub fn latex(source_tex: &str, r: &Report) -> String {
    let mut rows: Vec<String> = vec![format!("{} &= {source_tex}", r.main.form.y.latex())];
    latex_analysis_rows(&r.main, &mut rows);
    if let Some(c) = &r.compensated {
        rows.push(
            "\\intertext{with each $\\mathcal{O}(1)$ part cancelled by its bias (every pre-activation small):}"
                .into(),
        );
        latex_analysis_rows(c, &mut rows);
    }
    // The conditions and assumptions, as the text report states them (from a review: the block
    // said "affine" where the text said "conditional", and left out what the verdict assumes).
    let mut conditions = String::new();
    for c in &r.conditions {
        condition_text(c, &r.main.form.w.unicode(), "", &mut conditions);
    }
    if let Some(c) = &r.compensated {
        let mut theirs = String::new();
        for cc in &r.compensated_conditions {
            condition_text(cc, &c.form.w.unicode(), "", &mut theirs);
        }
        for line in theirs.lines() {
            conditions.push_str(&format!("with the compensation, {}\n", line.trim()));
        }
    }
    let prose = conditions.lines().map(|l| l.trim().to_string());
    let assumed = assumption_lines(r, false)
        .into_iter()
        .map(|l| format!("assumption: {l}"));
    for line in prose.chain(assumed) {
        rows.push(format!(
            "\\intertext{{{}}}",
            crate::derive::render::latex_text(&line)
        ));
    }
    if let Some(n) = &r.numeric {
        rows.extend(super::numeric::latex_rows(n, &r.main.form));
    }
    if let Some(bound) = super::numeric::bound_verdict(r) {
        rows.push(format!(
            "\\intertext{{{}}}",
            crate::derive::render::latex_text(&bound)
        ));
    }
    // Notes after the last equation are paragraphs after the display: an `\intertext` last in
    // an `align*` leaves an empty row and a gap below it (from a review).
    let mut after = Vec::new();
    while let Some(note) = (rows.last())
        .and_then(|r| r.strip_prefix("\\intertext{"))
        .and_then(|r| r.strip_suffix('}'))
    {
        after.push(format!("\n{note}\n"));
        rows.pop();
    }
    after.reverse();
    let mut body = String::new();
    for (i, row) in rows.iter().enumerate() {
        body.push_str(row);
        // `\\` ends every row of equations but the last; `\intertext` must follow a `\\`.
        if i + 1 < rows.len() && !row.starts_with("\\intertext") {
            body.push_str(" \\\\");
        }
        body.push('\n');
    }
    let display = if rows.is_empty() {
        String::new()
    } else {
        format!("\\begin{{align*}}\n{body}\\end{{align*}}\n")
    };
    format!("{display}{}", after.concat())
}

/// `lhs = e` as `align*` rows aligned at `=` (the left sides are short), long sums broken
/// across lines.
fn latex_rows(lhs: &str, e: &crate::print::tree::Node, rows: &mut Vec<String>) {
    let notation = crate::print::latex::Notation::default();
    // A fragment, pasted into a document of the user's (a default article's text is 345 pt).
    let width = crate::derive::render::FRAGMENT_WIDTH;
    let room = width - crate::print::latex::width(lhs) - 16.0;
    let lines = crate::print::latex::render_lines(e, &notation, room.max(160.0), width - 22.0);
    for (i, l) in lines.iter().enumerate() {
        rows.push(if i == 0 {
            format!("{lhs} &= {l}")
        } else {
            format!("&\\qquad {l}")
        });
    }
}

fn latex_analysis_rows(a: &Analysis, rows: &mut Vec<String>) {
    use crate::print::tree;
    let d = &a.decision;
    // Rows are separated by `\\`; a row is one line of an equation.
    let eq = |lhs: &str, e: tree::Node, rows: &mut Vec<String>| latex_rows(lhs, &e, rows);
    for l in &a.expansion.layers {
        // An operating point that is not small: the symbol the expansion uses for it.
        if let Some(c) = &l.op_symbol
            && !l.op_point.is_zero()
        {
            eq(&c.name.latex(), tree::expr(&l.op_point), rows);
        }
        for (s, def) in l.var.iter().chain(l.whole.iter()) {
            eq(&s.name.latex(), tree::expr(def), rows);
        }
    }
    // Scalar constants of the operating points (κ₁ = 𝟙ᵀ·exp(c₁)).
    for k in &a.expansion.constants {
        eq(&k.name.latex(), tree::expr(&k.value), rows);
    }
    let mut y = match tree::expr(&a.expansion.layered) {
        tree::Node::Sum(v) => v,
        tree::Node::Neg(x) => vec![(true, *x)],
        n => vec![(false, n)],
    };
    if a.expansion.truncated {
        y.push((false, tree::big_o_eps(a.order + 1)));
    }
    // A matrix input X: the linear map 𝓛(X) in place of W, and Y, B for y, b.
    // A matrix input X: the linear map 𝓛(X) in place of W, and Y, B for y, b; names beside
    // the user's own (`W_eff` where the user has a `W`).
    let f = &a.form;
    let w_tex = if f.map { f.linear_latex() } else { f.w.latex() };
    let (b_tex, y_tex, affine_tex) = (f.b.latex(), f.y.latex(), f.affine_latex());
    eq(&y_tex, tree::Node::Sum(y), rows);
    let big_o = |k: u32| format!("$\\mathcal{{O}}(\\varepsilon^{{{k}}})$");
    if let Some((layer, entry)) = d.breakpoint_reached {
        rows.push(format!("\\intertext{{verdict: not decided: at a random draw of the symbols, entry {} of layer {layer}'s operating point sits exactly on a breakpoint, with the small signal passing through}}", entry + 1));
        return;
    }
    if let Some(k) = d.mixed_bar {
        rows.push(format!("\\intertext{{verdict: not decided: the terms of order $\\varepsilon^{{{k}}}$ are affine once each bar in them is read at its leading part, which has one sign, and what follows is no polynomial}}"));
        return;
    }
    if matches!(d.verdict, Verdict::Kink) {
        rows.push("\\intertext{verdict: a kink, not affine at any $\\varepsilon$}".into());
        return;
    }
    let zero_or = |e: &Expr| {
        if e.is_zero() {
            tree::Node::Rat(crate::algebra::Q::from(0))
        } else {
            tree::expr(e)
        }
    };
    eq(&w_tex, zero_or(&d.w), rows);
    eq(&b_tex, zero_or(&d.b), rows);
    let verdict = match (&d.verdict, d.k) {
        (Verdict::ExactAffine, _) => format!("exactly affine: ${y_tex} = {affine_tex}$"),
        (Verdict::Degenerate { .. }, Some(k)) => {
            format!("degenerate (the linear part vanishes), up to {}", big_o(k))
        }
        (_, Some(k)) => format!(
            "affine, ${y_tex} = {affine_tex} + {}$",
            &big_o(k)[1..big_o(k).len() - 1]
        ),
        (_, None) if a.affine_by_form => {
            "affine at every order: the input, where it occurs, enters only linearly, outside every activation and power".to_string()
        }
        (_, None) => "affine, with no non-affine term up to the search order".to_string(),
    };
    rows.push(format!("\\intertext{{verdict: {verdict}}}"));
    for b in &a.expansion.scale_bounds {
        rows.push(format!(
            "\\intertext{{valid for $\\sigma \\ll {}$ (a series in $r/({})$ with $r = \\mathcal{{O}}(\\sigma^{{{}}})$)}}",
            crate::print::scalar_latex(&b.bound),
            crate::print::scalar_latex(&b.constant),
            b.degree
        ));
    }
    for x in &a.unexpanded {
        rows.push(format!(
            "\\intertext{{left unexpanded: {}}}",
            crate::derive::render::latex_text(&super::facts::unexpanded_text(x))
        ));
    }
}

// ------------------------------------------------------------------- JSON

fn analysis_json(a: &Analysis) -> Value {
    let d = &a.decision;
    let t = a.trunc();
    let expansion: serde_json::Map<String, Value> = by_degree(&a.expansion.layered, &t)
        .into_iter()
        .map(|(k, e)| (k.to_string(), crate::print::json::expr(&e)))
        .collect();
    let layers: Vec<Value> = a
        .expansion
        .layers
        .iter()
        .map(|l| {
            json!({
                "index": l.index,
                "activation": l.activation,
                "pre_activation": crate::print::json::expr(&l.pre),
                "operating_point": crate::print::json::expr(&l.op_point),
                "compensated": l.compensated,
                "variable": l.var.as_ref().map(|(s, def)| json!({ "name": s.name.ascii(), "value": crate::print::json::expr(def) })),
                "whole": l.whole.as_ref().map(|(s, def)| json!({ "name": s.name.ascii(), "value": crate::print::json::expr(def) })),
            })
        })
        .collect();
    let kinks: Vec<Value> = d.kinks.iter().map(|k| json!({ "layer": k.layer, "activation": k.activation, "left": crate::print::json::scalar(&k.left), "right": crate::print::json::scalar(&k.right) })).collect();
    let symbols: serde_json::Map<String, Value> = a
        .symbols
        .iter()
        .map(|(s, sh)| (s.name.ascii(), json!(sh.text())))
        .collect();
    // Terms of mixed-order bars decide nothing: not decided, with no k (the compensated
    // block too; from a review).
    let (verdict, k) = match d.mixed_bar {
        _ if d.breakpoint_reached.is_some() => ("undecided", None),
        Some(_) => ("undecided", None),
        None => (d.verdict.label(), d.k),
    };
    let mut v = json!({
        "verdict": verdict,
        "k": k,
        "affine_by_form": a.affine_by_form,
        "order": a.order,
        "requested_order": a.requested_order,
        "input": a.input.name.ascii(),
        "small": a.small.iter().map(|n| n.ascii()).collect::<Vec<_>>(),
        "W": crate::print::json::expr(&d.w),
        "b": crate::print::json::expr(&d.b),
        "first_nonaffine": {
            "layered": crate::print::json::expr(&d.leading_layered),
            "expanded": if input_terms_unexpanded(a) { Value::Null } else { json_bounded(&d.leading_full) },
        },
        "remainder": crate::print::json::expr(&d.remainder),
        "expansion": expansion,
        "truncated": a.expansion.truncated,
        "layers": layers,
        "kinks": kinks,
        "shapes": {
            "W": shapes::shape_of(&d.w, &a.symbols),
            "b": shapes::shape_of(&d.b, &a.symbols),
            "W_equation": shapes::equation(&d.w, &a.symbols, usize::MAX),
            "b_equation": shapes::equation(&d.b, &a.symbols, usize::MAX),
            "symbols": symbols,
        },
        "assumptions": a.assumptions.iter().map(super::assumption_text).collect::<Vec<_>>(),
        "unexpanded": a.unexpanded.iter().map(unexpanded_json).collect::<Vec<_>>(),
        "derivation": crate::derive::render::steps_json(&a.steps),
    });
    // A matrix input: `W` holds the linear map 𝓛(X), its terms written with X (docs/json.md).
    if a.input.kind == crate::algebra::Kind::Matrix
        && let Value::Object(m) = &mut v
    {
        m.insert("W_map".into(), json!(a.input.name.ascii()));
    }
    v
}

/// What was left unexpanded, with its numbers and its sentence.
fn unexpanded_json(x: &crate::analysis::Unexpanded) -> Value {
    use crate::analysis::Unexpanded;
    let text = super::facts::unexpanded_text(x);
    match x {
        Unexpanded::Expansion {
            shown,
            asked,
            limit,
            limit_name,
        } => {
            json!({ "what": "expansion", "shown_order": shown, "asked_order": asked, "limit": limit, "limit_name": limit.map(|_| *limit_name), "text": text })
        }
        Unexpanded::InputTerms { limit } => {
            json!({ "what": "input_terms", "limit": limit, "text": text })
        }
    }
}

/// The assumptions of the analysis as it stands, each with what the bound values say of it
/// (the text report's `assumption:` lines, and the derivation's): `see_below` points at the
/// text report's blocks that say more.
pub(crate) fn assumption_lines(r: &Report, see_below: bool) -> Vec<String> {
    let a = &r.main;
    let mut out = Vec::new();
    // With values bound, the region below may show an entry of the operating point exactly on a
    // breakpoint: the generic assumption is then said to fail there, where it is stated.
    let on_breakpoint = r
        .numeric
        .as_ref()
        .and_then(|n| match (&n.region, &n.breakpoint) {
            (_, Some(first)) if first.assumed => Some((first.entry.layer, "the kink at x₀")),
            _ if n.failing_layer.is_some() => n
                .failing_layer
                .map(|layer| (layer, "\"not decided at these values\"")),
            (Some(Ok(region)), _) if region.radius_inf.as_ref().is_some_and(|q| *q == 0u32) => {
                region
                    .limit_inf
                    .as_ref()
                    .map(|n| (n.layer, "the affine region"))
            }
            _ => None,
        });
    for s in &a.assumptions {
        let unchecked = |layer: &usize| {
            (r.numeric.as_ref()).is_some_and(|n| n.unchecked_layers.contains(layer))
        };
        let generic_fails = |layer: &usize| {
            (r.numeric.as_ref()).is_some_and(|n| n.generic_failing_layer == Some(*layer))
        };
        let fails = match (s, on_breakpoint) {
            (Assumption::GenericOperatingPoint { layer, .. }, _) if generic_fails(layer) => {
                if see_below {
                    " (it fails at the bound values: see \"not decided at these values\" below)"
                        .to_string()
                } else {
                    " (it fails at the bound values)".to_string()
                }
            }
            (Assumption::NoBreakpointAtOperatingPoint { layer, .. }, Some((at, below)))
                if *layer == at =>
            {
                if see_below {
                    format!(" (it fails at the bound values: see {below} below)")
                } else {
                    " (it fails at the bound values: an entry of this layer sits exactly on its breakpoint)".to_string()
                }
            }
            (Assumption::NoBreakpointAtOperatingPoint { layer, .. }, _)
                if (r.numeric.as_ref()).is_some_and(|n| n.on_breakpoint_layers.contains(layer)) =>
            {
                " (it fails at the bound values: an entry of this layer sits exactly on its breakpoint at x₀)".to_string()
            }
            (Assumption::NoBreakpointAtOperatingPoint { layer, .. }, _) if unchecked(layer) => {
                let why = (r.numeric.as_ref()).and_then(|n| n.unchecked_reason.as_deref());
                format!(
                    " (not checked at the bound values: {})",
                    why.unwrap_or("a value or a parameter there is not rational")
                )
            }
            _ => String::new(),
        };
        out.push(format!("{}{fails}", super::assumption_text(s)));
    }
    out
}

/// The report as JSON (schema: docs/json.md).
pub fn json(source: &str, r: &Report) -> Value {
    let mut v = analysis_json(&r.main);
    if let Value::Object(m) = &mut v {
        m.insert("expression".into(), json!(source));
        m.insert("verdict".into(), json!(r.verdict_label()));
        // With values bound the verdict may not be the generic one (an entry on its kink at the
        // data point): `k` follows the verdict, and the generic order stays in `generic_k`
        // (from a review: `"verdict": "kink"` beside the generic `"k": 2`).
        m.insert("generic_k".into(), json!(r.main.decision.k));
        if let Some(k) = r.order_at_values() {
            m.insert("k".into(), json!(k));
        } else if r
            .numeric
            .as_deref()
            .is_some_and(|n| n.affine_through.is_some())
        {
            // No non-affine term at these values up to the search limit: no k, as the symbolic
            // search at its limit has none.
            m.insert("k".into(), Value::Null);
        } else if r.verdict_label() != r.main.decision.verdict.label() {
            let k = match r.verdict_label() {
                "kink" => Some(1),
                "exact-affine" | "undecided" | "not-analytic" => None,
                // `conditional` (a parameter value changes the result) keeps the generic k.
                _ => r.main.decision.k,
            };
            m.insert("k".into(), json!(k));
        }
        m.insert(
            "generic_verdict".into(),
            json!(r.main.decision.verdict.label()),
        );
        m.insert(
            "compensated".into(),
            r.compensated
                .as_ref()
                .map(analysis_json)
                .unwrap_or(Value::Null),
        );
        let w = r.main.form.w.unicode();
        let conds: Vec<Value> = (r.conditions.iter())
            .map(|c| condition_json(c, &w))
            .collect();
        m.insert("conditions".into(), Value::Array(conds));
        let theirs: Vec<Value> = (r.compensated.iter())
            .flat_map(|c| {
                let w = c.form.w.unicode();
                (r.compensated_conditions.iter()).map(move |cc| condition_json(cc, &w))
            })
            .collect();
        m.insert("compensated_conditions".into(), Value::Array(theirs));
        if let Some(n) = &r.numeric {
            m.insert("numeric".into(), super::numeric::json(n));
        }
    }
    v
}

fn condition_json(c: &crate::analysis::Condition, w: &str) -> Value {
    json!({
        "param": c.param.ascii(),
        "value": crate::print::json::scalar(&c.value),
        "what": super::facts::vanishing_named(c.what, w),
        "iff": c.only,
        "or": c.others.iter().map(crate::print::json::scalar).collect::<Vec<_>>(),
        "not_analysed": c.not_analysed,
        "then": c.then.as_ref().map(|a| analysis_json(a)),
        "further": (c.further.iter())
            .map(|f| condition_json(f, w))
            .collect::<Vec<_>>(),
    })
}

/// The analysed expression as LaTeX, as written.
pub fn source_latex(expr: &crate::syntax::Expr) -> String {
    crate::print::latex::render(&crate::print::source::node(expr))
}
