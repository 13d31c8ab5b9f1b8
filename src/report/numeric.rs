//! The numeric instance of a result (weights with values): W and b, the affine region, σ*,
//! as text, JSON and LaTeX rows.

use crate::algebra::Q;
use crate::analysis::AffineForm;
use crate::analysis::instance::{
    AffineWrittenOut, BeyondBy, FirstOrderKink, Mat, Neuron, Num, Numeric, Region, SigmaStar,
};
use crate::model::render::{
    eq_text, q_f64, q_text, short_exact, sig6, sig6_q, sqrt_text, sqrt6_q, tensor_inline, wide_text,
};
use serde_json::{Value, json};

/// Every entry exact and short: printed exactly; otherwise all rounded (and said so).
fn entries(m: &Mat) -> (Vec<String>, bool) {
    let exact: Option<Vec<String>> = m
        .entries
        .iter()
        .map(|e| match e {
            Num::Exact(q) => short_exact(q),
            Num::Float(_) | Num::Wide { .. } => None,
        })
        .collect();
    match exact {
        Some(v) => (v, true),
        None => (m.entries.iter().map(float_text).collect(), false),
    }
}

/// An entry rounded to six significant digits (beyond f64's range too: `1.23233e-347`).
fn float_text(e: &Num) -> String {
    match e {
        Num::Wide { mantissa, exp10 } => wide_text(*mantissa, *exp10),
        Num::Exact(q) => sig6_q(q),
        Num::Float(x) => sig6(*x),
    }
}

/// A matrix in rows (`[a, b; c, d]` lines), at most 8 rows and 8 columns shown.
fn mat_lines(name: &str, m: &Mat, indent: &str) -> String {
    let (cells, exact) = entries(m);
    let how = match (exact, m.is_exact()) {
        (true, _) => "exact",
        (false, true) => "exact, shown rounded to 6 significant digits",
        (false, false) => "rounded to 6 significant digits",
    };
    let shown_cols = m.cols.min(8);
    let width = cells.iter().map(|c| c.chars().count()).max().unwrap_or(1);
    let mut out = format!("{indent}{name} ({}×{}, {how}):\n", m.rows, m.cols);
    for i in 0..m.rows.min(8) {
        let row: Vec<String> = (0..shown_cols)
            .map(|j| format!("{:>width$}", cells[i * m.cols + j]))
            .collect();
        let more = if m.cols > 8 { "  …" } else { "" };
        out.push_str(&format!("{indent}  [{}{more}]\n", row.join("  ")));
    }
    if m.rows > 8 {
        out.push_str(&format!("{indent}  … ({} more rows)\n", m.rows - 8));
    }
    out
}

fn vec_inline(v: &[Q]) -> String {
    tensor_inline(
        &crate::model::Tensor {
            rows: v.len(),
            cols: None,
            data: v.to_vec(),
        },
        8,
    )
}

fn neuron_text(n: &Neuron) -> String {
    format!(
        "layer {} ({}), entry {}: {}, at distance {} from its breakpoint",
        n.layer,
        n.activation,
        n.index + 1,
        eq_text("z", &n.pre),
        q_text(&n.distance).trim_start_matches("≈ ")
    )
}

/// The two outcomes of the exact decision at a breakpoint (`model::region::germ`).
fn cancel_exact(f: &AffineForm) -> String {
    format!(
        "  but the kinks cancel in the output (decided exactly: near x₀ each output is an affine map plus multiples of |t| for the entries on their breakpoints, z = z₀ + t, and these add up to one affine map on every side), so near x₀ the network is exactly {} = {} with\n",
        f.y.unicode(),
        f.affine_unicode()
    )
}
const REACH_EXACT: &str = "the kink reaches the output (decided exactly: near x₀ an output is an affine map plus multiples of |t| for the entries on their breakpoints, z = z₀ + t, which bend it)";

fn region_text(r: &Region, f: &AffineForm, out: &mut String) {
    // The point's own name throughout (x₁ for `:at x1`), where the text below says x₀.
    let start = out.len();
    out.push_str(&format!(
        "affine region around {} = {}:\n",
        r.at_name.as_deref().unwrap_or("x₀"),
        vec_inline(&r.at)
    ));
    for (layer, act, p) in &r.patterns {
        out.push_str(&format!("  layer {layer} ({act}) pieces: {p}\n"));
    }
    match (&r.radius_inf, &r.limit_inf) {
        (Some(q), Some(n)) if *q == 0u32 => {
            use crate::analysis::instance::BreakpointEffect as Effect;
            let at = neuron_text(n);
            let fails = format!(
                "  x₀ sits on a breakpoint ({at}), so the assumption that no entry sits on a breakpoint fails at x₀;\n"
            );
            match r.sides.as_ref().map(|s| (&s.effect, s.directions)) {
                Some((Effect::Cancels, _)) => {
                    out.push_str(&fails);
                    out.push_str(&cancel_exact(f));
                }
                Some((Effect::Undecided(why), directions)) => {
                    out.push_str(&fails);
                    out.push_str(&format!(
                        "  whether its kink reaches the output is not decided ({why}){}\n",
                        if directions > 0 { "; the map on every side tried is" } else { "" }
                    ));
                }
                effect => {
                    let sides = match effect {
                        Some((Effect::Jumps, _)) => {
                            "; the network jumps at x₀: the affine map on a side of x₀ does not pass through its value there".to_string()
                        }
                        Some((_, 0)) => format!("; {REACH_EXACT}"),
                        Some((_, directions)) => format!(
                            "; two of the {directions} directions tried from x₀ meet different affine maps"
                        ),
                        None => String::new(),
                    };
                    out.push_str(&format!(
                        "  radius 0: x₀ sits on a breakpoint ({at}){sides}; the network is not affine on any ball around it\n"
                    ));
                    out.push_str(
                        "  so the assumption that no entry sits on a breakpoint fails at x₀: the expansion above does not hold there, and the verdict is a kink\n",
                    );
                }
            }
        }
        (Some(q), Some(n)) => {
            out.push_str(&format!(
                "  ∞-norm ball ‖x − x₀‖∞ ≤ r∞: {}, limited by {}\n",
                eq_text("r∞", q),
                neuron_text(n)
            ));
            if let (Some(q2), Some(n2)) = (&r.radius2_sq, &r.limit_2) {
                let t = sqrt_text(q2);
                let r2 = if t.starts_with('≈') { format!("r₂ {t}") } else { format!("r₂ = {t}") };
                out.push_str(&format!(
                    "  2-norm ball ‖x − x₀‖₂ ≤ r₂: {r2}, limited by {}\n",
                    neuron_text(n2)
                ));
            }
            out.push_str(&format!(
                "  inside, every entry stays on its piece, so the network is exactly {} = {} ({} the input itself, not its deviation from x₀) with\n",
                f.y.unicode(),
                f.affine_unicode(),
                f.input.unicode()
            ));
        }
        _ => out.push_str(&format!(
            "  no entry's pre-activation moves with {x} toward a breakpoint: the network is {} = {} everywhere ({x} the input itself), with\n",
            f.y.unicode(),
            f.affine_unicode(),
            x = f.input.unicode()
        )),
    }
    let shown = r.sides.as_ref().is_some_and(|s| {
        s.cancels()
            || matches!(
                s.effect,
                crate::analysis::instance::BreakpointEffect::Undecided(_)
            ) && s.directions > 0
    });
    if r.radius_inf.as_ref().is_none_or(|q| *q != 0u32) || shown {
        out.push_str(&mat_lines(&f.w.unicode(), &r.w, "    "));
        out.push_str(&mat_lines(&f.b.unicode(), &r.b, "    "));
    }
    if let Some(name) = r.at_name.as_deref().filter(|n| *n != "x₀") {
        let tail = out.split_off(start);
        out.push_str(&tail.replace("x₀", name));
    }
}

/// When the bound values change the verdict of the symbolic result (an entry on its
/// breakpoint at x₀, a constant that vanishes there, nothing decided): the verdict at these
/// values and why, for the reports that show the symbolic derivation (LaTeX, `derive`).
pub fn bound_verdict(r: &crate::analysis::Report) -> Option<String> {
    use crate::analysis::instance::BreakpointEffect as Effect;
    let label = r.verdict_label();
    let n = r.numeric.as_ref()?;
    if let Some(written) = &n.affine_written_out {
        let clause = written_out_clause(written, &r.main.form);
        let clause = clause.trim_start_matches("exactly affine at these values: ");
        return Some(match &n.leading_vanishes {
            Some(how) => format!(
                "with the bound values the network is exactly affine: {}, and {clause}",
                vanishes_clause(how)
            ),
            None => format!("with the bound values the network is exactly affine: {clause}"),
        });
    }
    let effect = match (&n.breakpoint, &n.region) {
        (Some(first), _) => Some(&first.effect),
        (None, Some(Ok(region))) => region.sides.as_ref().map(|s| &s.effect),
        _ => None,
    };
    // The first non-affine term above is 0 at these values (the same label, another order,
    // or undecided): said, as the text report's numeric block does (from a review, a
    // derivation ended with the generic order).
    if let Some(how) = &n.leading_vanishes
        && effect.is_none()
        && n.undecided.is_none()
    {
        let vanishes = vanishes_clause(how);
        return Some(match &n.beyond {
            Some(beyond) if beyond.by == BeyondBy::Compensation => format!(
                "with the bound values the network is affine up to O(ε{k}): {vanishes}, and every operating point is exactly 0 there, where the analysis with the compensation holds as it is, and its first non-affine term, of order {}, is not 0",
                beyond.k,
                k = super::sup(beyond.k),
            ),
            Some(beyond) => format!(
                "with the bound values the network is affine up to O(ε{k}): {vanishes}, and the expansion's terms of order {} in the input's terms, exact, are not 0 there",
                beyond.k,
                k = super::sup(beyond.k),
            ),
            None => match n.affine_through {
                Some(limit) => format!(
                    "with the bound values the network is affine to at least O(ε{}): {vanishes}, and so are the expansion's terms of every order after it up to {limit} (the search limit), in the input's terms, exact",
                    super::sup(limit + 1)
                ),
                None => format!(
                    "with the bound values the verdict is undecided: {vanishes}; the network {NOT_COMPUTED}"
                ),
            },
        });
    }
    if label == r.main.decision.verdict.label() || label == "conditional" {
        return None;
    }
    let why = match (effect, &n.undecided, &n.vanishing_constant) {
        (Some(Effect::Cancels), ..) => format!(
            "an entry sits exactly on its breakpoint at x₀, and the kinks cancel in the output: near x₀ the network is exactly {} = {}",
            r.main.form.y.unicode(),
            r.main.form.affine_unicode()
        ),
        (Some(Effect::Reaches), ..) => {
            "an entry sits exactly on its breakpoint at x₀, and its kink reaches the output"
                .to_string()
        }
        (Some(Effect::Jumps), ..) => {
            "an entry sits exactly on its breakpoint at x₀, and the network jumps there".to_string()
        }
        (Some(Effect::Undecided(why)), ..) | (None, Some(why), _) => why.clone(),
        (None, None, Some(k)) => {
            format!("{k} is at a point where the expansion around it does not hold (see the note)")
        }
        (None, None, None) => match &n.w_vanishes {
            Some(how) => how.clone(),
            None => return None,
        },
    };
    Some(format!(
        "with the bound values the verdict is {label}: {why}"
    ))
}

/// An entry on its breakpoint at x₀ in a network that is not piecewise linear.
/// `shown`: which of W and b the block above shows (a slope or a value at x₀ that is not
/// rational leaves it out).
fn first_order_text(first: &FirstOrderKink, shown: (bool, bool), f: &AffineForm) -> String {
    let (w, b, y) = (f.w.unicode(), f.b.unicode(), f.y.unicode());
    let above = match shown {
        (true, true) => format!("the {w} and {b} above"),
        (true, false) => {
            format!("the {w} above ({b} is not shown: {y}(x₀) is not known to be rational)")
        }
        (false, _) => format!("{w} and {b} not shown (a slope at x₀ is not rational)"),
    };
    use crate::analysis::instance::BreakpointEffect as Effect;
    let mut out = format!(
        "kink at {} = {}: {}, so the network's first order there decides (each smooth function its tangent line, each entry on its breakpoint, z = z₀ + t, a multiple of |t|)\n",
        first.at_name.as_deref().unwrap_or("x₀"),
        vec_inline(&first.at),
        neuron_text(&first.entry).replace(
            ", at distance 0 from its breakpoint",
            " sits exactly on its breakpoint"
        )
    );
    out.push_str(&match &first.effect {
        Effect::Reaches | Effect::Jumps => format!(
            "  the kink reaches the output (decided exactly: these multiples of |t| bend it): the network is not affine on any ball around x₀{}, and the verdict is a kink\n",
            if first.assumed { ", the expansion above does not hold there" } else { ", as the expansion above found" }
        ),
        Effect::Cancels => cancel_exact(f)
            .trim_start_matches("  but ")
            .replace(" with\n", &format!(" with {above}\n"))
            .replace("the kinks", "  the kinks"),
        Effect::Undecided(why) => format!(
            "  the kinks cancel at first order (decided exactly), so {y}(x₀ + h) = {y}(x₀) + {w}·h + o(h) with {}; not decided at these values: {why}\n",
            if shown.0 { format!("the {w} above") } else { format!("{w} the derivative at x₀ (not shown: a slope there is not rational)") }
        ),
    });
    out
}

/// What the rest of a network does past a first non-affine term that vanishes at the values,
/// when nothing more is decided.
const NOT_COMPUTED: &str = "is affine beyond that order, and how far is not computed";

/// The first non-affine term vanishes at the values, and how that was decided (`how`): the
/// text report's numeric block and the verdict at the bound values say it alike.
fn vanishes_clause(how: &str) -> String {
    format!("the first non-affine term above is 0 at these values ({how})")
}

/// The network is exactly affine at the values by the form of its outputs: the text report's
/// numeric block and the verdict at the bound values say it alike.
fn written_out_clause(written: &AffineWrittenOut, f: &AffineForm) -> String {
    let entries = |n: usize, what: &str| match n {
        1 => format!("its one {what}"),
        n => format!("each of its {n} {what}s"),
    };
    format!(
        "exactly affine at these values: written out exactly in the input's entries (x = x₀ + ξ, every activation's value an exact atom), {} is an affine function of ξ by its form, by the algebra's identities alone (equal atoms cancel, a zero weight leaves nothing), so {} = {} exactly (decided exactly; {} written out)",
        entries(written.outputs, "output"),
        f.y.unicode(),
        f.affine_unicode(),
        match written.inputs {
            1 => "one input entry".to_string(),
            n => format!("{n} input entries"),
        }
    )
}

/// An input point, exact, its first eight entries.
fn point_text(at: &[crate::algebra::Q]) -> String {
    let mut entries: Vec<String> = at.iter().take(8).map(|q| q.to_string()).collect();
    if at.len() > 8 {
        entries.push("…".into());
    }
    format!("[{}]", entries.join(", "))
}

/// The numeric block of a text report.
pub fn text(n: &Numeric, f: &AffineForm) -> String {
    let mut out = String::new();
    if n.w.is_some() || !n.notes.is_empty() {
        out.push_str("numeric instance (the bound values substituted):\n");
        if let Some(w) = &n.w {
            out.push_str(&mat_lines(&f.w.unicode(), w, "  "));
        }
        if let Some(b) = &n.b {
            out.push_str(&mat_lines(&f.b.unicode(), b, "  "));
        }
        for note in &n.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        if let Some(how) = &n.w_vanishes {
            let leading = if n.leading_vanishes.is_some() {
                "the first non-affine term at these values, below, is its leading term"
            } else {
                "the first non-affine term above is its leading term"
            };
            out.push_str(&format!("  {how}: {leading}\n"));
        }
        let vanishes = n.leading_vanishes.as_deref().map(vanishes_clause);
        // With W 0 there too, the network is its b plus that term: degenerate, not affine.
        let is = if n.w_vanishes.is_some() {
            "degenerate (W = 0) up to"
        } else {
            "affine up to"
        };
        match (&vanishes, &n.beyond) {
            (Some(vanishes), None) if n.affine_written_out.is_some() => {
                out.push_str(&format!("  {vanishes}, and so is every term after it (below)\n"))
            }
            (Some(vanishes), None) => match n.affine_through {
                Some(limit) => out.push_str(&format!(
                    "  {vanishes}; the input is the only small symbol here, so a term's order is its degree in the input, and the expansion's terms of every order after it up to {limit} (the search limit), exact, in the input's terms, are 0 at these values too, each decided exactly on a grid: at these values the network is affine to at least O(ε{}), and whether it is affine at every order is not decided\n",
                    super::sup(limit + 1)
                )),
                None => out.push_str(&format!(
                    "  {vanishes}: here the network {NOT_COMPUTED} (the verdict is undecided)\n"
                )),
            },
            (Some(vanishes), Some(beyond)) if beyond.by == BeyondBy::Expansion => out.push_str(&format!(
                "  {vanishes}; the input is the only small symbol here, so a term's order is its degree in the input, and the expansion's terms of order {k}, exact, in the input's terms, are not 0 at these values (any order between, 0 there too, decided exactly on a grid): at these values the network is {is} O(ε{sk}), with first non-affine term (ε{sk}) {term}, exactly non-zero at the input {at}\n",
                k = beyond.k,
                sk = super::sup(beyond.k),
                term = super::bounded(&beyond.term),
                at = point_text(&beyond.at),
            )),
            (Some(vanishes), Some(beyond)) => out.push_str(&format!(
                "  {vanishes}; every operating point is exactly 0 here, as the analysis with the compensation assumes, so its expansion is this network's, with the same {w} and {b}: at these values the network is {is} O(ε{k}), with first non-affine term (ε{k}) {term}, exactly non-zero at the input {at}\n",
                k = super::sup(beyond.k),
                term = super::bounded(&beyond.term),
                at = point_text(&beyond.at),
                w = f.w.unicode(),
                b = f.b.unicode(),
            )),
            (None, _) => {}
        }
    }
    if let Some(written) = &n.affine_written_out {
        out.push_str(&format!("{}\n", written_out_clause(written, f)));
    }
    match &n.region {
        Some(Ok(r)) => region_text(r, f, &mut out),
        Some(Err(e)) => out.push_str(&format!("affine region: {e}\n")),
        None => {}
    }
    if let Some(first) = &n.breakpoint {
        out.push_str(&first_order_text(first, (n.w.is_some(), n.b.is_some()), f));
    }
    if let Some(why) = &n.undecided {
        out.push_str(&format!("not decided at these values: {why}\n"));
    }
    match &n.sigma {
        Some(Ok(s)) => out.push_str(&sigma_text(s, f)),
        Some(Err(e)) => out.push_str(&format!("radius of affinity σ*: {e}\n")),
        None => {}
    }
    out
}

fn mat_json(m: &Mat) -> Value {
    let rows: Vec<Value> = (0..m.rows)
        .map(|i| json!((0..m.cols).map(|j| m.at(i, j).to_f64()).collect::<Vec<_>>()))
        .collect();
    let mut v = json!({ "rows": m.rows, "cols": m.cols, "values": rows, "exact": m.is_exact() });
    let (cells, short) = entries(m);
    if short && let Value::Object(o) = &mut v {
        let exact: Vec<Value> = cells.chunks(m.cols.max(1)).map(|r| json!(r)).collect();
        o.insert("exact_values".into(), Value::Array(exact));
    }
    v
}

fn neuron_json(n: &Neuron) -> Value {
    json!({
        "layer": n.layer,
        "activation": n.activation,
        "entry": n.index + 1,
        "pre_activation": q_f64(&n.pre),
        "pre_activation_exact": short_exact(&n.pre),
        "distance": q_f64(&n.distance),
    })
}

/// What the kink of an entry on its breakpoint does, as JSON: `agree` is true when the kinks
/// cancel, false when the output bends or jumps, null when that is not decided.
fn sides_json(s: &crate::analysis::instance::Sides) -> Value {
    use crate::analysis::instance::BreakpointEffect as Effect;
    let (effect, agree, why) = match &s.effect {
        Effect::Cancels => ("cancels", Some(true), None),
        Effect::Reaches => ("reaches", Some(false), None),
        Effect::Jumps => ("jumps", Some(false), None),
        Effect::Undecided(why) => ("undecided", None, Some(why.as_str())),
    };
    json!({"directions": s.directions, "exact": s.exact, "effect": effect, "agree": agree, "why": why})
}

/// The numeric block of a JSON report.
pub fn json(n: &Numeric) -> Value {
    let region = match &n.region {
        Some(Ok(r)) => {
            // Where the kink of an entry on its breakpoint reaches the output (or a side jumps),
            // no one affine map holds near x₀: the map of the pieces chosen is not given (from
            // a review: relu at a zero bias gave W = [[0, 0]]). The text report gives none.
            use crate::analysis::instance::BreakpointEffect as Effect;
            let bends = r
                .sides
                .as_ref()
                .is_some_and(|s| matches!(s.effect, Effect::Reaches | Effect::Jumps));
            json!({
                "at": r.at.iter().map(q_f64).collect::<Vec<_>>(),
                "at_exact": r.at.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
                "radius_inf": r.radius_inf.as_ref().map(q_f64),
                "radius_inf_exact": r.radius_inf.as_ref().and_then(short_exact),
                "radius_2": r.radius2_sq.as_ref().map(|q| q_f64(q).sqrt()),
                "radius_2_squared_exact": r.radius2_sq.as_ref().and_then(short_exact),
                "limit_inf": r.limit_inf.as_ref().map(neuron_json),
                "limit_2": r.limit_2.as_ref().map(neuron_json),
                "sides": r.sides.as_ref().map(sides_json),
                "pieces": r.patterns.iter().map(|(l, a, p)| json!({"layer": l, "activation": a, "pieces": p})).collect::<Vec<_>>(),
                "w": (!bends).then(|| mat_json(&r.w)),
                "b": (!bends).then(|| mat_json(&r.b)),
            })
        }
        Some(Err(e)) => json!({ "error": e }),
        None => Value::Null,
    };
    json!({
        "w": n.w.as_ref().map(mat_json),
        "b": n.b.as_ref().map(mat_json),
        "missing": n.missing.iter().map(|m| m.ascii()).collect::<Vec<_>>(),
        "notes": n.notes,
        "region": region,
        "undecided": n.undecided,
        "failing_layer": n.failing_layer,
        "generic_failing_layer": n.generic_failing_layer,
        "on_breakpoint_layers": n.on_breakpoint_layers,
        "leading_vanishes": n.leading_vanishes,
        "w_vanishes": n.w_vanishes,
        "compensated_vanishes": n.compensated_vanishes,
        "affine_written_out": n.affine_written_out.as_ref().map(|written| json!({
            "inputs": written.inputs,
            "outputs": written.outputs,
        })),
        "affine_through": n.affine_through,
        "beyond": n.beyond.as_ref().map(|beyond| json!({
            "k": beyond.k,
            "by": match beyond.by {
                BeyondBy::Compensation => "compensation",
                BeyondBy::Expansion => "expansion",
            },
            "first_nonaffine": super::json_bounded(&beyond.term),
            "at": beyond.at.iter().map(q_f64).collect::<Vec<_>>(),
            "at_exact": beyond.at.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
        })),
        "unchecked_layers": n.unchecked_layers,
        "breakpoint": n.breakpoint.as_ref().map(|first| json!({
            "at": first.at.iter().map(q_f64).collect::<Vec<_>>(),
            "entry": neuron_json(&first.entry),
            "sides": sides_json(&crate::analysis::instance::Sides {
                directions: 0,
                exact: !matches!(first.effect, crate::analysis::instance::BreakpointEffect::Undecided(_)),
                effect: first.effect.clone(),
            }),
        })),
        "sigma_star": match &n.sigma {
            Some(Ok(s)) => sigma_json(s),
            Some(Err(e)) => json!({ "error": e }),
            None => Value::Null,
        },
    })
}

/// A matrix as a `bmatrix`: at most 8 rows, and as many of its first 8 columns as fit the
/// line of an A4 page beside the name (`\cdots` for the rest): eight columns of
/// six-digit entries ran 65 pt into the margin.
fn mat_latex(m: &Mat) -> String {
    let (cells, _) = entries(m);
    let shown_rows = m.rows.min(8);
    let cell = |i: usize, j: usize| latex_num(&cells[i * m.cols + j]);
    // Each column as wide as its widest shown entry, plus the space between columns.
    let mut cols = 0;
    let mut width = 0.0;
    while cols < m.cols.min(8) {
        let column = (0..shown_rows)
            .map(|i| latex_width(&cell(i, cols)))
            .fold(0.0, f64::max)
            + LATEX_COLUMN_SEP_PT;
        if cols > 0 && width + column > LATEX_MATRIX_WIDTH_PT {
            break;
        }
        width += column;
        cols += 1;
    }
    let rows: Vec<String> = (0..shown_rows)
        .map(|i| {
            let mut r: Vec<String> = (0..cols).map(|j| cell(i, j)).collect();
            if m.cols > cols {
                r.push("\\cdots".into());
            }
            r.join(" & ")
        })
        .collect();
    let mut body = rows.join(" \\\\ ");
    if m.rows > 8 {
        body.push_str(" \\\\ \\vdots");
    }
    format!("\\begin{{bmatrix}} {body} \\end{{bmatrix}}")
}

/// The room a matrix's entries may take on a line: an A4 page with 2 cm margins at 11 pt is
/// 483 pt wide; the name, `=`, the brackets and a `\cdots` column take the rest.
const LATEX_MATRIX_WIDTH_PT: f64 = 400.0;

/// The space between two columns of a `bmatrix` (twice `\arraycolsep`).
const LATEX_COLUMN_SEP_PT: f64 = 10.0;

/// About how wide `latex_num`'s output sets at 11 pt, in points: a digit or a point 5.5, a
/// minus sign 8.5 (with its spacing), `\tfrac` its wider part at the smaller size, a power of
/// ten its mantissa, `·10` and the exponent at the smaller size. An estimate: generous rather
/// than short, since a column too many runs into the margin.
fn latex_width(tex: &str) -> f64 {
    let chars = |s: &str| {
        s.chars()
            .map(|c| match c {
                '-' => 8.5,
                '{' | '}' | '\\' => 0.0,
                _ => 5.5,
            })
            .sum::<f64>()
    };
    if let Some(rest) = tex.split_once("\\tfrac") {
        let sign = if rest.0.contains('-') { 8.5 } else { 0.0 };
        let mut parts = rest.1.split('}');
        let p = parts.next().unwrap_or_default();
        let q = parts.next().unwrap_or_default();
        return sign + 0.75 * chars(p).max(chars(q)) + 2.0;
    }
    if let Some((mantissa, exponent)) = tex.split_once("\\cdot 10^") {
        return chars(mantissa) + 5.5 * 3.0 + 0.75 * chars(exponent);
    }
    chars(tex)
}

fn latex_num(s: &str) -> String {
    match s.split_once('/') {
        Some((p, q)) => match p.strip_prefix('-') {
            Some(p) => format!("-\\tfrac{{{p}}}{{{q}}}"),
            None => format!("\\tfrac{{{p}}}{{{q}}}"),
        },
        None => match s.split_once('e') {
            Some((m, e)) => format!("{m}\\cdot 10^{{{e}}}"),
            None => s.to_string(),
        },
    }
}

/// `align*` rows for the LaTeX report.
pub fn latex_rows(n: &Numeric, f: &AffineForm) -> Vec<String> {
    let (w_tex, b_tex, y_tex) = (f.w_latex(), f.b.latex(), f.y.latex());
    let mut rows = Vec::new();
    if let (Some(w), Some(b)) = (&n.w, &n.b) {
        let how = if w.is_exact() && b.is_exact() {
            "exact"
        } else {
            "rounded"
        };
        if n.breakpoint.is_some() {
            rows.push(format!(
                "\\intertext{{with the bound values, the derivative at $x_0$ and ${b_tex} = {y_tex}(x_0) - {w_tex} x_0$ ({how}):}}"
            ));
        } else {
            rows.push(format!("\\intertext{{with the bound values ({how}):}}"));
        }
        rows.push(format!("{w_tex} &= {}", mat_latex(w)));
        rows.push(format!("{b_tex} &= {}", mat_latex(b)));
    }
    if let Some(Ok(r)) = &n.region
        && let (Some(ri), Some(r2)) = (&r.radius_inf, &r.radius2_sq)
    {
        rows.push("\\intertext{the affine region around $x_0$:}".into());
        // Exact where the exact form is short, else rounded and written `≈` (from a review:
        // a rounded irrational radius was written as an equality, and in raw e-notation).
        rows.push(match short_exact(ri) {
            Some(s) => format!("r_\\infty &= {}", latex_num(&s)),
            None => format!("r_\\infty &\\approx {}", latex_num(&sig6_q(ri))),
        });
        rows.push(match short_exact(r2) {
            Some(s) => format!("r_2 &= \\sqrt{{{}}}", latex_num(&s)),
            None => format!("r_2 &\\approx {}", latex_num(&sqrt6_q(r2))),
        });
    }
    if let Some(Ok(s)) = &n.sigma {
        rows.extend(sigma_latex_rows(s));
    }
    rows
}

fn sigma_text(s: &SigmaStar, f: &AffineForm) -> String {
    let mut out = format!(
        "radius of affinity σ*(τ = {}): where ‖{} − ({})‖₂ first reaches τ·‖{}‖₂ as {x} = σ·ξ grows, in the worst of {} seeded directions ξ (standard normal entries); a scale read off these directions, not a bound for every {x}\n",
        sig6(s.tau),
        f.y.unicode(),
        f.affine_unicode(),
        f.linear_unicode(),
        s.directions.len(),
        x = f.input.unicode(),
    );
    if let Some(e) = s.estimate {
        out.push_str(&format!(
            "  estimate from the first non-affine term (order {}): σ* ≈ {}\n",
            s.k,
            sig6(e)
        ));
    }
    match s.measured {
        Some(m) => out.push_str(&format!(
            "  measured on the network ({}-bit floats, worst of {} seeded directions ξ): σ* ≈ {}\n",
            s.bits,
            s.directions.len(),
            sig6(m)
        )),
        // Not crossed: above τ already at the grid's smallest σ, or below it at its largest (a note
        // below says which).
        None => out.push_str("  measured on the network: τ is not crossed on the σ grid\n"),
    }
    if let Some(o) = s.measured_order {
        // Both exponents, named (from a review: the text gave ρ's as "the deviation's", which
        // JSON's `measured_order`, the deviation's own, contradicted).
        // What the first non-affine term predicts, where it is not 0 at these values.
        let predicted = match s.estimate {
            Some(_) => format!(
                " (where the first non-affine term dominates, σ^{} and σ^{})",
                s.k.saturating_sub(1),
                s.k
            ),
            None => String::new(),
        };
        out.push_str(&format!(
            "  measured at small σ: the relative deviation ρ grows like σ^{:.2}, the deviation itself like σ^{:.2}{predicted}\n",
            o - 1.0,
            o,
        ));
    }
    for n in &s.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

fn sigma_json(s: &SigmaStar) -> Value {
    json!({
        "tau": s.tau,
        "k": s.k,
        "bits": s.bits,
        "estimate": s.estimate,
        "measured_order": s.measured_order,
        "measured": s.measured,
        "directions": s.directions.len(),
        "curve": s.curve.iter().map(|(a, b)| json!([a, b])).collect::<Vec<_>>(),
        "notes": s.notes,
    })
}

fn sigma_latex_rows(s: &SigmaStar) -> Vec<String> {
    // In math, a number in e-notation reads as a product with e (σ* was written
    // `1.16052e-4`, set as 1.16052e − 4).
    let mut rows = vec![format!(
        "\\intertext{{radius of affinity ($\\tau = {}$):}}",
        latex_num(&sig6(s.tau))
    )];
    if let Some(e) = s.estimate {
        rows.push(format!(
            "\\sigma^*_{{\\text{{estimate}}}} &\\approx {}",
            latex_num(&sig6(e))
        ));
    }
    if let Some(m) = s.measured {
        rows.push(format!(
            "\\sigma^*_{{\\text{{measured}}}} &\\approx {}",
            latex_num(&sig6(m))
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Mat {
        Mat {
            rows,
            cols,
            entries: (0..rows * cols)
                .map(|k| Num::Float(f(k / cols, k % cols)))
                .collect(),
        }
    }

    /// The columns a `bmatrix` row shows, `\cdots` counted as one.
    fn shown_columns(tex: &str) -> usize {
        let body = tex
            .trim_start_matches("\\begin{bmatrix}")
            .trim_end_matches("\\end{bmatrix}");
        body.split(" \\\\ ")
            .next()
            .map_or(0, |r| r.split(" & ").count())
    }

    #[test]
    fn a_wide_matrix_shows_the_columns_that_fit_a_line() {
        // Ten columns of six-digit entries, some negative: eight ran into the margin.
        let wide = floats(2, 10, |i, j| {
            (j as f64 + 1.0) * if i == 0 { -0.585575 } else { 0.448656 }
        });
        let tex = mat_latex(&wide);
        let shown = shown_columns(&tex);
        assert!(tex.contains("\\cdots"));
        // Fewer than the eight columns shown before (`\cdots` is one of `shown`).
        assert!((4..9).contains(&shown), "{shown} columns: {tex}");
        // What is shown fits the room, by the same measure.
        let row = tex.split(" \\\\ ").next().unwrap_or_default();
        let width: f64 = (row.split(" & ").filter(|c| !c.contains("cdots")))
            .map(|c| latex_width(c.trim_start_matches("\\begin{bmatrix} ")) + LATEX_COLUMN_SEP_PT)
            .sum();
        assert!(width <= LATEX_MATRIX_WIDTH_PT, "{width}");
        // Short entries keep all eight columns, and a narrow matrix every column.
        let short = floats(2, 10, |_, j| j as f64);
        assert_eq!(shown_columns(&mat_latex(&short)), 9);
        let narrow = floats(3, 3, |i, j| -((i * 3 + j) as f64) * 0.123456);
        assert!(!mat_latex(&narrow).contains("cdots"));
        assert_eq!(shown_columns(&mat_latex(&narrow)), 3);
    }

    #[test]
    fn a_number_in_e_notation_is_a_power_of_ten_in_latex() {
        assert_eq!(latex_num("1.16052e-4"), "1.16052\\cdot 10^{-4}");
        assert_eq!(latex_num("-1/3"), "-\\tfrac{1}{3}");
        let s = SigmaStar {
            tau: 1e-5,
            k: 3,
            bits: 256,
            estimate: Some(1.16052e-4),
            measured_order: Some(3.0),
            measured: Some(0.25),
            curve: vec![],
            directions: vec![],
            notes: vec![],
        };
        let rows = sigma_latex_rows(&s).join("\n");
        assert!(rows.contains("\\tau = 1\\cdot 10^{-5}"), "{rows}");
        assert!(rows.contains("\\approx 1.16052\\cdot 10^{-4}"), "{rows}");
        assert!(!rows.contains("e-"), "{rows}");
    }
}
