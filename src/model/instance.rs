//! The numeric instance of a symbolic result: W and b with the bound values substituted.

use super::exact::{Exact, Forced};
use super::exp_field::ExpField;
use crate::algebra::nf::Role;
use crate::algebra::{Expr, Q, Symbol};
use crate::analysis::Analysis;
pub(crate) use crate::analysis::instance::{Mat, Num, Numeric};
use crate::ir::visit::{Step, walk};
use crate::ir::{Callee, Env, Ir, IrKind, Lowered};
use crate::numeric::{Big, Instance, Real, Val, eval_expr, eval_ir};
use crate::syntax::Name;
use std::collections::{BTreeMap, BTreeSet};

/// The scalar parameters written in the network (`λ`, `a` of a leaky_relu left symbolic),
/// which a drawn value can be written into.
/// Inside a definition's body too (`s(t) = λ·t + t²`), less the names it binds itself.
pub(crate) fn drawable_params(l: &Lowered) -> Vec<Name> {
    let mut params = BTreeSet::new();
    params_read(&l.ir, &mut BTreeSet::new(), &mut params);
    params.into_iter().collect()
}

/// The scalar parameters `ir` reads, inside the definitions it calls too (`seen`: those read).
fn params_read(ir: &Ir, seen: &mut BTreeSet<*const crate::ir::FunDef>, out: &mut BTreeSet<Name>) {
    walk(ir, |n| {
        match n.kind() {
            IrKind::Param(p) => {
                out.insert(p.clone());
            }
            IrKind::Apply {
                callee: Callee::Def(d),
                params,
                ..
            } if seen.insert(std::rc::Rc::as_ptr(d)) => {
                out.extend(params_a_definition_reads(d, params, seen));
            }
            _ => {}
        }
        Step::Descend
    });
}

/// The parameters the definition `d` reads, less its own and the scalars a call binds after
/// it (`given`).
fn params_a_definition_reads(
    d: &crate::ir::FunDef,
    given: &[(Name, Ir)],
    seen: &mut BTreeSet<*const crate::ir::FunDef>,
) -> BTreeSet<Name> {
    let mut inner = BTreeSet::new();
    params_read(&d.body, seen, &mut inner);
    for (_, default) in &d.params {
        params_read(default, seen, &mut inner);
    }
    inner.retain(|p| (d.params.iter().chain(given)).all(|(n, _)| n != p));
    inner
}

/// The values of the bound symbols of `a`, and the sizes of the dimensions they fix.
pub(crate) fn instance<R: Real>(
    symbols: &BTreeMap<Symbol, crate::ir::Shape>,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Instance<R> {
    let mut inst = Instance::<R> {
        functions: functions.clone(),
        ..Default::default()
    };
    for (s, sh) in symbols {
        if let Some(t) = env.values.get(&s.name) {
            inst.bind(s, sh, t);
        }
    }
    inst
}

/// The user symbols of `a` without a value in `env` (the input among them).
pub(crate) fn unbound_symbols<'a>(
    a: &'a Analysis,
    env: &'a Env,
) -> impl Iterator<Item = (&'a Symbol, &'a crate::ir::Shape)> {
    (a.symbols.iter()).filter(|(s, _)| s.role == Role::User && !env.values.contains_key(&s.name))
}

/// The user symbols an expression reads (operating points are computed, not bound).
fn user_symbols(e: &Expr, out: &mut BTreeSet<Symbol>) {
    out.extend(e.symbols().into_iter().filter(|s| s.role == Role::User));
}

/// The report's names for W and b in the numeric notes: `W_eff`, `b_eff` beside a user's own
/// `W` or `b` (from a review: "W and b are evaluated in 256-bit floats" of a user's W with
/// rational entries), the usual letters for a token matrix's map.
pub(crate) fn form_names(form: &crate::analysis::AffineForm) -> (String, String) {
    if form.map {
        ("W".into(), "b".into())
    } else {
        (form.w.unicode(), form.b.unicode())
    }
}

/// W and b of `a` with the values of `env` substituted.
pub(crate) fn numeric(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Numeric {
    let mut out = Numeric::default();
    let (wn, bn) = form_names(&a.form);
    let mut needed = BTreeSet::new();
    user_symbols(&a.decision.w, &mut needed);
    user_symbols(&a.decision.b, &mut needed);
    for ly in &a.expansion.layers {
        user_symbols(&ly.op_point, &mut needed);
    }
    needed.remove(&a.input);
    out.missing = needed
        .iter()
        .filter(|s| !env.values.contains_key(&s.name))
        .map(|s| s.name.clone())
        .collect();
    if !out.missing.is_empty() {
        let names: Vec<String> = out.missing.iter().map(|n| n.unicode()).collect();
        let names = names.join(", ");
        out.notes.push(format!(
            "no numeric {wn} and {bn}: {names} {} no value",
            if out.missing.len() == 1 {
                "has"
            } else {
                "have"
            }
        ));
        check_forced(a, env, functions, &names, &mut out);
        return out;
    }
    // A symbolic point a scalar was expanded around (`κ₁ = ⅓·𝟙ᵀ·b₁^∘2` of a norm, sin(κ₁)) was
    // taken to be generic: non-zero under a power, a point where the function of it is
    // analytic. At a rational value where that fails, the expansion does not hold.
    let mut inst: Instance<Exact> = instance(&a.symbols, env, functions);
    let n = input_len(&a.symbols, &a.input, &mut inst);
    inst.symbols
        .insert(a.input.clone(), Val::V(vec![Exact::zero(); n]));
    let mut truth = inst.clone();
    // Points whose values are not rational: looked at in wide floats below.
    let mut irrational_points = Vec::new();
    let mut irrational_entries = Vec::new();
    let exact_points = crate::verify::set_operating_points(a, &mut inst, &mut truth).is_ok();
    if !exact_points {
        // The operating points have no exact values (an activation at one that is not
        // rational, three layers deep): every point and every entry is looked at in floats
        // (from a review: both checks were skipped, and log of −3.01 was `affine`).
        irrational_points.extend(a.expansion.points.iter());
        irrational_entries.extend(
            (a.expansion.layers.iter())
                .filter(|ly| ly.op_symbol.is_some() && !ly.callee.is_total())
                .map(|ly| (ly, None)),
        );
    }
    if exact_points {
        for p in &a.expansion.points {
            let value = match eval_expr(&Expr::scalar(p.at.clone()), &mut inst, 1) {
                Ok(Val::S(v)) => v.0,
                Ok(Val::V(v)) if v.len() == 1 => v.into_iter().next().and_then(|x| x.0),
                _ => None,
            };
            let Some(value) = value else {
                irrational_points.push(p);
                continue;
            };
            let why = match singular_use(&p.under, &value) {
                Ok(why) => why,
                // No exact series at this rational (its root too large to factor: a point
                // read from an f64, 0.1's 55 digits): the floats look at it, as at a point
                // that is not rational (from a review: √(1 + uᵀ·x₀) was called not analytic).
                Err(()) => {
                    irrational_points.push(p);
                    continue;
                }
            };
            if let Some(why) = why {
                let point = crate::print::scalar_unicode(&p.at);
                out.notes.push(format!(
                    "{point} = {} at these values, {why}: the expression is not analytic at this operating point, and the expansion above does not hold here",
                    crate::model::render::q_text(&value)
                ));
                out.vanishing_constant = Some(point);
                return out;
            }
        }
        // An element-wise layer's operating point, entry by entry, where its activation is not
        // defined everywhere (log, √): taken to be generic, so off where it has no series
        // (from a review: `log(W₁·x + b₁)` at b₁ = [0, 1] was `affine`).
        for ly in &a.expansion.layers {
            let Some(c) = ly.op_symbol.as_ref().and_then(|s| inst.symbols.get(s)) else {
                continue;
            };
            if ly.callee.is_total() {
                continue;
            }
            for (i, entry) in c.entries().into_iter().enumerate() {
                let Some(q) = &entry.0 else {
                    irrational_entries.push((ly, Some(i)));
                    continue;
                };
                let at = crate::algebra::Scalar::from_q(q.clone());
                match super::region::series_to_first_order_at(&ly.callee, &ly.params, &at) {
                    Ok(_) => {}
                    // The engine's limit, or a definition whose series the engine does not
                    // find though it may have one (sin(t)/t at 0: from a review, called not
                    // analytic): the floats look at it.
                    Err(e)
                        if e.phase == crate::diagnostic::Phase::Limit
                            || matches!(ly.callee, Callee::Def(_)) =>
                    {
                        irrational_entries.push((ly, Some(i)));
                    }
                    Err(e) => {
                        let point = layer_entry(ly, i);
                        out.notes.push(format!(
                            "{point} = {} at these values, a point where {} has no Taylor series ({}): the expression is not analytic at this operating point, and the expansion above does not hold here",
                            crate::model::render::q_text(q),
                            ly.callee.name(),
                            e.message
                        ));
                        out.vanishing_constant = Some(point);
                        return out;
                    }
                }
            }
        }
    }
    // Inside a definition's body too (`s(t) = sigmoid(β·t)`): its derivatives at the operating
    // points hold β (from a review: a stand-in value of β was used, and W printed).
    let mut params: BTreeSet<Name> = drawable_params(l).into_iter().collect();
    params.extend(a.decision.w.params());
    params.extend(a.decision.b.params());
    for ly in &a.expansion.layers {
        params.extend(ly.op_point.params());
    }
    // An operating point's constant (κ₁ = 𝟙ᵀ·exp(c₁) of a softmax) is no parameter: its value
    // follows from the bound ones, and the evaluation below computes it
    // (`set_operating_points`).
    for k in &a.expansion.constants {
        params.remove(&k.name);
    }
    // A dimension a bound value fixes (`x : n` at a point x₀ of length 3: n = 3, from a review:
    // "the parameter n is symbolic") is no parameter either.
    params.retain(|p| !is_fixed_param(p, &inst));
    if !params.is_empty() {
        let names: Vec<String> = params.iter().map(|n| n.unicode()).collect();
        out.notes.push(format!(
            "no numeric {wn} and {bn}: the parameter{} {} {} symbolic",
            if names.len() == 1 { "" } else { "s" },
            names.join(", "),
            if names.len() == 1 { "is" } else { "are" }
        ));
        // What the bound values force for every value of the parameters: W or the first
        // non-affine term 0 through a product with an exact 0.
        out.w_vanishes = w_forced_zero_at_values(a, env, functions);
        if out.w_vanishes.is_none() {
            out.leading_vanishes = leading_forced_zero_at_values(a, env, functions);
        }
        return out;
    }
    let found = points_in_floats(&irrational_points, a, env, functions)
        .or_else(|| entries_in_floats(&irrational_entries, a, env, functions));
    match found {
        Some(PointInFloats::Undecided(why)) => {
            out.notes.push(format!("no numeric {wn} and {bn}: {why}"));
            out.undecided = Some(why);
            return out;
        }
        Some(PointInFloats::NotAnalytic { point, why }) => {
            out.notes.push(format!(
                "{point} {why}: the expression is not analytic at this operating point, and the expansion above does not hold here"
            ));
            out.vanishing_constant = Some(point);
            return out;
        }
        None => {}
    }
    if a.decision.mixed_bar.is_some() {
        out.notes.push(format!(
            "no numeric {wn} and {bn}: the verdict is not decided"
        ));
        return out;
    }
    if !matches!(
        a.decision.verdict,
        crate::analysis::Verdict::Affine { .. } | crate::analysis::Verdict::ExactAffine
    ) {
        out.notes.push(format!(
            "no numeric {wn} and {bn}: the verdict is {}",
            a.decision.verdict.label()
        ));
        return out;
    }
    // The same bound on the work as a numeric check (about a second), before any arithmetic.
    let one = crate::verify::VerifyOptions {
        draws: 1,
        sigmas: vec![1.0],
        ..Default::default()
    };
    if let Err(why) = crate::verify::check_work(l, &one) {
        out.notes.push(format!("no numeric {wn} and {bn}: {why}"));
        return out;
    }
    let (exact, clean) = Exact::untainted(|| wb::<Exact>(l, a, env, functions));
    // Entries with exact values, where some have none (W and b then in floats below).
    let partial = exact.as_ref().ok().filter(|_| clean).cloned();
    // Whether W and b below are 2048 bits' (256 gave no finite value), and the precision
    // whose values were confirmed by the next (256, or more where a cancellation lost digits).
    let widened = std::cell::Cell::new(false);
    let confirmed_bits = std::cell::Cell::new(256u32);
    // The precision of W and b below where 256 bits left a piece undecided (0: they did not).
    let tie_bits = std::cell::Cell::new(0u32);
    // Whether 256 bits lost digits to a cancellation, so that W and b are 2048 bits' or none.
    let lost_digits = std::cell::Cell::new(false);
    match exact {
        Ok((w, b)) if clean && w.is_exact() && b.is_exact() => {
            out.w = Some(w);
            out.b = Some(b);
            out.notes.push(
                format!("{wn} and {bn} are exact: the weights are rational and every derivative used is exact"),
            );
        }
        _ => match resolving_a_near_tie(
            crate::float::without_near_ties(|| {
            widened.set(false);
            // What 256 bits round to 0 and then take the log of (1 − tanh(400), 10⁻³⁴⁸), or
            // divide by, 2048 bits may still resolve; W and b are read from the same values.
            let (narrow, cancelled) =
                noting_piece_cancellations(a, || wb::<Big<256>>(l, a, env, functions));
            match &narrow {
                Ok((w, b)) if has_non_finite(w) || has_non_finite(b) => {
                    match wb::<Big<2048>>(l, a, env, functions) {
                        Ok((w, b)) if !(has_non_finite(&w) || has_non_finite(&b)) => {
                            widened.set(true);
                            Ok((w, b))
                        }
                        _ => narrow,
                    }
                }
                // The digits shown must be the value's: 256 bits are confirmed by 512, and
                // where they differ (a cancellation: log(β + t) at t = −tanh(1) to 76 digits,
                // from a review, showed 2.8948e76 for 2.5985e76), 2048 by 8192. Where a sum
                // at 256 bits lost every digit, 512 may round it alike (tanh(200) − 1 is 0 in
                // both, and times 5·10¹⁷³ it is the −1.08 of a relu's input; from a review, b
                // was shown 3 for 1.08): 2048 by 8192.
                Ok(narrow_wb) => {
                    if !cancelled {
                        let finer = wb::<Big<512>>(l, a, env, functions);
                        if finer.as_ref().is_ok_and(|f| same_digits(narrow_wb, f)) {
                            return narrow;
                        }
                    }
                    lost_digits.set(true);
                    let wide = wb::<Big<2048>>(l, a, env, functions);
                    let widest = wb::<Big<8192>>(l, a, env, functions);
                    match (wide, widest) {
                        (Ok(w), Ok(w2)) if same_digits(&w, &w2) => {
                            confirmed_bits.set(2048);
                            Ok(w)
                        }
                        _ => Err(format!("{wn} and {bn} are not resolved by 8192-bit floats at these values (a cancellation)")),
                    }
                }
                Err(_) => narrow,
            }
        }),
            // A piece chosen at 256 bits by a comparison closer than they resolve (relu at
            // tanh(80) − 1 = −6.6·10⁻⁷⁰; from a review, kept `affine` where y ≡ 0): 2048 bits
            // choose it, else 8192 (1 − tanh(700) = 2⁻²⁰¹⁹, or σ(−1400) = 10⁻⁶⁰⁸, tiny but no
            // tie), and their values are W and b.
            || {
                tie_bits.set(2048);
                resolving_a_near_tie(
                    crate::float::without_near_ties(|| wb::<Big<2048>>(l, a, env, functions)),
                    || {
                        tie_bits.set(8192);
                        crate::float::without_near_ties(|| wb::<Big<8192>>(l, a, env, functions))
                    },
                )
            },
        ) {
            // The verdict rests on the piece only where the expansion assumed an operating
            // point off its breakpoints; one exactly on it (leaky_relu at 0) it expanded with
            // both slopes, and a tie there is the value's.
            (Ok(_), false) if assumes_off_breakpoints(a) => {
                let why = "a comparison at the operating point is closer to its tie than 8192-bit floats resolve, so which piece holds there, and the verdict at these values, is not known".to_string();
                out.notes.push(format!("no numeric {wn} and {bn}: {why}"));
                out.undecided = Some(why);
                out.piece_unresolved = true;
            }
            (Ok(_), false) => out.notes.push(
                format!("no numeric {wn} and {bn}: a comparison at the operating point is closer to its tie than 8192-bit floats resolve, so which piece holds there is not known"),
            ),
            // A value that is no real number (an odd root of a negative number, which the
            // floats do not take): no W and b, never its NaN written as a number.
            // Every symbol has a value, so whether W or the first non-affine term is 0 there,
            // and the verdict, is not known (from a review: σ(z) + σ(−z) at biases ±10²⁰, the
            // constant 1, kept the generic `affine`, k = 2).
            (Ok((w, b)), true) if has_non_finite(&w) || has_non_finite(&b) => {
                let e = "a value at these values is not a finite real number in the floats that evaluate it: a negative number under a fractional power, or a value beyond their range";
                out.notes.push(format!("no numeric {wn} and {bn}: {e}"));
                out.undecided = Some(no_value_in_floats(&wn, &bn, e));
            }
            (Ok((mut w, mut b)), true) => {
                // Entries below 2⁻²⁰⁰ of the scale are either residues of what cancels exactly
                // or genuinely tiny (a sigmoid at −160 has slope 10⁻⁷⁰; from a review, such a W
                // was written as 0 and called degenerate): 2048 bits tell them apart.
                // Where W and b are 2048 bits' already (a near tie at 256), 8192 tell them apart,
                // and nothing finer where they are 8192 bits'.
                let bits = tie_bits.get().max(256);
                let wide = if !(has_tiny(&w, bits) || has_tiny(&b, bits)) {
                    None
                } else {
                    match tie_bits.get() {
                        0 => wb::<Big<2048>>(l, a, env, functions).ok(),
                        2048 => match crate::float::without_near_ties(|| {
                            wb::<Big<8192>>(l, a, env, functions)
                        }) {
                            (Ok(wide), true) => Some(wide),
                            _ => None,
                        },
                        _ => None,
                    }
                };
                let exact_w = partial.as_ref().map(|(w, _)| w);
                let exact_b = partial.as_ref().map(|(_, b)| b);
                let unresolved_w =
                    flush_rounding(&mut w, wide.as_ref().map(|(w, _)| w), exact_w, bits);
                let unresolved_b =
                    flush_rounding(&mut b, wide.as_ref().map(|(_, b)| b), exact_b, bits);
                out.w = Some(w);
                out.b = Some(b);
                out.notes.push(match (wide.is_some(), unresolved_w || unresolved_b) {
                    (checked, zeros) if bits > 256 => format!(
                        "{wn} and {bn} are evaluated in {bits}-bit floats (the activations' values at the operating points are not rational, and an operating point is closer to a breakpoint than {}-bit floats resolve), {}shown rounded{}",
                        if bits == 2048 { 256 } else { 2048 },
                        if checked { "their entries below 2⁻²⁰⁰ of the largest checked in 8192-bit floats; " } else { "" },
                        if zeros { format!("; an entry shown as 0 is below {} of the largest entry (or of 1 where that is smaller), which does not decide whether it is exactly 0", if bits == 2048 { "2⁻¹⁵⁰⁰" } else { "2⁻⁷⁰⁰⁰" }) } else { String::new() },
                    ),
                    _ if widened.get() => format!("{wn} and {bn} are evaluated in 2048-bit floats (the activations' values at the operating points are not rational, and 256-bit floats gave no finite value), shown rounded"),
                    _ if confirmed_bits.get() > 256 => format!("{wn} and {bn} are evaluated in 2048-bit floats, confirmed by 8192-bit ones (the activations' values at the operating points are not rational, and 256-bit floats lost digits to a cancellation), shown rounded"),
                    (true, true) => format!("{wn} and {bn} are evaluated in 256-bit floats (the activations' values at the operating points are not rational), their entries below 2⁻²⁰⁰ of the largest checked in 2048-bit floats; shown rounded; an entry shown as 0 there is 0 to within what those floats resolve (below about 2⁻¹⁵⁰⁰ of the largest entry, or of 1 where that is smaller), which does not decide whether it is exactly 0"),
                    (true, false) => format!("{wn} and {bn} are evaluated in 256-bit floats (the activations' values at the operating points are not rational), their entries below 2⁻²⁰⁰ of the largest checked in 2048-bit floats; shown rounded"),
                    (false, true) => format!("{wn} and {bn} are evaluated in 256-bit floats (the activations' values at the operating points are not rational), shown rounded; an entry shown as 0 is below 2⁻²⁰⁰ of the largest entry, which does not decide whether it is exactly 0"),
                    (false, false) => format!("{wn} and {bn} are evaluated in 256-bit floats (the activations' values at the operating points are not rational), shown rounded"),
                });
            }
            // The values at the operating points are not known, nor the piece taken at one the
            // expansion assumed off its breakpoints.
            (Err(e), _) if lost_digits.get() && assumes_off_breakpoints(a) => {
                out.notes.push(format!("no numeric {wn} and {bn}: {e}"));
                out.undecided = Some(format!("{e}, so which piece holds at an operating point, and the verdict at these values, is not known"));
            }
            // As above: no W and b, so no verdict at these values.
            (Err(e), _) => {
                out.notes.push(format!("no numeric {wn} and {bn}: {e}"));
                out.undecided = Some(no_value_in_floats(&wn, &bn, &e));
            }
        },
    }
    out
}

/// Why the verdict at the values is not known where W and b have no value in the floats
/// (`why`): whether W or the first non-affine term is 0 there is not known either.
fn no_value_in_floats(wn: &str, bn: &str, why: &str) -> String {
    format!(
        "{wn} and {bn} have no value in the floats, so whether {wn} or the first non-affine term is 0 at these values, and the verdict there, is not known: {why}"
    )
}

/// `f()`, and whether a sum of multi-precision floats in it lost every digit where that may
/// have taken a piece: the expansion assumed some operating point off its breakpoints (a
/// cancellation elsewhere, tanh(3/10) − tanh(3/10) under a tanh, chooses nothing).
fn noting_piece_cancellations<T>(a: &Analysis, f: impl FnOnce() -> T) -> (T, bool) {
    let (out, cancelled) = crate::float::noting_cancellations(f);
    (out, cancelled && assumes_off_breakpoints(a))
}

/// Whether the expansion assumed some layer's operating point off its breakpoints.
pub(crate) fn assumes_off_breakpoints(a: &Analysis) -> bool {
    (a.assumptions.iter()).any(|x| {
        matches!(
            x,
            crate::analysis::Assumption::NoBreakpointAtOperatingPoint { .. }
        )
    })
}

/// `first`, or where it noted a near tie, `finer()`: a comparison closer than one precision
/// resolves is decided by the next, when that notes none.
fn resolving_a_near_tie<T>(first: (T, bool), finer: impl FnOnce() -> (T, bool)) -> (T, bool) {
    match first {
        (_, false) => finer(),
        clean => clean,
    }
}

/// Whether two floats agree to 2⁻⁴⁰ of the second, a non-zero one (compared as logarithms:
/// either may be beyond f64's range).
fn agree(x: &Num, v: &Num) -> bool {
    v.signum() != 0
        && x.signum() == v.signum()
        && (x.log2_abs() - v.log2_abs()).abs() * std::f64::consts::LN_2 <= 2f64.powi(-40)
}

/// Whether two evaluations of W and b at different precisions agree to 2⁻⁴⁰ in every entry
/// that matters: entries below 2⁻²⁰⁰ of the scale are [`flush_rounding`]'s to judge.
fn same_digits((w, b): &(Mat, Mat), (w2, b2): &(Mat, Mat)) -> bool {
    let agree = |m: &Mat, m2: &Mat| {
        let floor = rounding_floor_log2(m2);
        m.entries.len() == m2.entries.len()
            && (m.entries.iter().zip(&m2.entries))
                .all(|(x, y)| (x.log2_abs() < floor && y.log2_abs() < floor) || agree(x, y))
    };
    agree(w, w2) && agree(b, b2)
}

/// Whether an entry of `m` is a float that is no finite number (NaN, ∞).
fn has_non_finite(m: &Mat) -> bool {
    (m.entries.iter()).any(|e| matches!(e, Num::Float(f) if !f.is_finite()))
}

/// A symbolic point whose value is not rational (sin(π·uᵀ·x₀), exp(κ) − e, tanh(κ₁)), evaluated
/// in 2048-bit floats (and in 8192-bit ones, which must agree: [`resolved`]). Under a power: 0
/// to within 2⁻¹⁵⁰⁰ (a pole, or not: not decided exactly), or below −2⁻¹⁰⁰⁰ under a root of
/// even degree (not real; such a value is far beyond the rounding of the few operations that
/// form it). Under a function: [`function_point_in_floats`]. `Some(why)`: no W and b, and the
/// verdict at these values not said as it stands (from reviews: 1/(the rounding of sin π) was
/// printed as W, and log of tanh(−1) was called affine).
fn points_in_floats(
    points: &[&crate::analysis::expand::SymbolicPoint],
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<PointInFloats> {
    use crate::analysis::ConstantUse;
    type Wide = Big<2048>;
    if points.is_empty() {
        return None;
    }
    let (mut inst, _, _) = match at_operating_points::<Wide>(a, env, functions) {
        Ok(evaluated) => evaluated,
        Err(why) => return Some(not_evaluated(&why)),
    };
    let mut finer = at_operating_points::<Big<8192>>(a, env, functions)
        .ok()
        .map(|(i, _, _)| i);
    let two = Wide::of_q(&Q::from(2));
    for p in points {
        let Ok(Val::S(v)) = eval_expr(&Expr::scalar(p.at.clone()), &mut inst, 1) else {
            continue;
        };
        let point = crate::print::scalar_unicode(&p.at);
        let fine =
            finer
                .as_mut()
                .and_then(|f| match eval_expr(&Expr::scalar(p.at.clone()), f, 1) {
                    Ok(Val::S(x)) => Some(x),
                    _ => None,
                });
        if let Some(why) = resolved(&v, fine.as_ref(), &point) {
            return Some(why);
        }
        match &p.under {
            ConstantUse::Power(q) => {
                if v.abs().lt(&two.powi(-1500)) {
                    return Some(PointInFloats::Undecided(format!(
                        "{point}, under a power, is 0 at these values to within 2048-bit floats (its value is not rational, so this is not decided exactly); where it is 0 the expression is not analytic, and the expansion above does not hold"
                    )));
                }
                if fractional(q) && v.lt(&two.powi(-1000).neg()) {
                    return Some(PointInFloats::NotAnalytic {
                        point,
                        why: "is below 0 at these values (in 2048-bit floats, far beyond their rounding), under a fractional power (its principal root), where the expression is not real".into(),
                    });
                }
                // Below 0 by less than 2⁻¹⁰⁰⁰ (past 2⁻¹⁵⁰⁰): not far enough past the floats'
                // reach to call it, and not real if it is (from a review: a 350-digit point
                // where the base is −1.4·10⁻³⁵⁰ was `affine`).
                if fractional(q) && v.lt(&Wide::zero()) {
                    return Some(PointInFloats::Undecided(format!(
                        "{point}, under a fractional power, is below 0 at these values by less than 2⁻¹⁰⁰⁰ in 2048-bit floats (its value is not rational, so this is not decided exactly); below 0 the expression is not real, and the expansion above does not hold"
                    )));
                }
            }
            ConstantUse::Function(callee, params) => {
                if let Some(found) = function_point_in_floats(callee, params, &v, &point, &mut inst)
                {
                    return Some(found);
                }
            }
        }
    }
    None
}

/// Whether a point's 2048-bit value `v` holds: the same in 8192-bit floats (`fine`) to within
/// 2⁻¹⁴⁰⁰ of its size (or of 1). A cancellation 2048 bits lose (e¹⁰⁰⁰·(tanh(κ₁) − tanh(1)) of a
/// value near e⁻¹⁰⁰⁰) makes them differ, and the point is not decided (from a review: log of
/// it was called not analytic, where its argument is e⁻¹⁰⁰⁰). None: it holds, or no 8192-bit
/// value was had.
fn resolved(v: &Big<2048>, fine: Option<&Big<8192>>, point: &str) -> Option<PointInFloats> {
    // Compared in 2048-bit floats (a huge point has no rational worth writing out: from a
    // review, exp(10⁹·tanh(1)) took a gigabyte as one).
    let fine: Big<2048> = fine?.to_bits();
    let size = v.abs().max(&Big::<2048>::one());
    let two = Big::<2048>::of_q(&Q::from(2u32));
    size.mul(&two.powi(-1400)).lt(&fine.sub(v).abs()).then(|| {
        PointInFloats::Undecided(format!(
            "{point} has a value at these values that 2048-bit floats do not resolve (8192-bit ones differ from it: a cancellation; its value is not rational, so this is not decided exactly); there the expansion above may not hold"
        ))
    })
}

/// Points to look at whose values the floats did not give (sinc at 0 inside an operating point:
/// from a review, the checks were skipped and log of a negative entry was `affine`).
fn not_evaluated(why: &str) -> PointInFloats {
    PointInFloats::Undecided(format!(
        "the operating points were not evaluated in 2048-bit floats ({why}), so whether the functions of them are analytic there is not decided"
    ))
}

/// `entry 2 of c₁ (layer 1, log)`: an entry of a layer's operating point, as notes name it.
fn layer_entry(ly: &crate::analysis::Layer, i: usize) -> String {
    let c = (ly.op_symbol.as_ref()).map_or_else(|| "c".to_string(), |s| s.name.unicode());
    format!(
        "entry {} of {c} (layer {}, {})",
        i + 1,
        ly.index,
        ly.activation
    )
}

/// Entries of element-wise layers' operating points whose values are not rational (log of
/// tanh(W₁·x + b₁) at b₁ = [1, −1]), or every entry of a layer (None) where the exact values
/// were not had, looked at in 2048-bit floats as [`function_point_in_floats`] does.
fn entries_in_floats(
    entries: &[(&crate::analysis::Layer, Option<usize>)],
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<PointInFloats> {
    if entries.is_empty() {
        return None;
    }
    let (mut inst, _, _) = match at_operating_points::<Big<2048>>(a, env, functions) {
        Ok(evaluated) => evaluated,
        Err(why) => return Some(not_evaluated(&why)),
    };
    let finer = at_operating_points::<Big<8192>>(a, env, functions)
        .ok()
        .map(|(i, _, _)| i);
    for (ly, which) in entries {
        let Some(symbol) = &ly.op_symbol else {
            continue;
        };
        // Owned: the function's values below are evaluated in the same instance.
        let Some(c): Option<Vec<Big<2048>>> =
            (inst.symbols.get(symbol)).map(|c| c.entries().into_iter().cloned().collect())
        else {
            continue;
        };
        let fine = (finer.as_ref())
            .and_then(|f| f.symbols.get(symbol))
            .map(Val::entries)
            .unwrap_or_default();
        let indices: Vec<usize> = match which {
            Some(i) => vec![*i],
            None => (0..c.len()).collect(),
        };
        for i in indices {
            let Some(v) = c.get(i) else { continue };
            let point = layer_entry(ly, i);
            if let Some(why) = resolved(v, fine.get(i).copied(), &point) {
                return Some(why);
            }
            if let Some(found) =
                function_point_in_floats(&ly.callee, &ly.params, v, &point, &mut inst)
            {
                return Some(found);
            }
        }
    }
    None
}

/// A function at a point whose value `v` is not rational (or has no exact series there), in
/// 2048-bit floats: the function's value at v and at m = 2⁻¹⁵⁰⁰ of v's size (or of 1) to either
/// side, far beyond the rounding of the few operations that formed v (which [`resolved`] has
/// checked against 8192-bit floats). No real value at all three: not analytic there (log, √ of
/// tanh(−1)). Not decided: a real value at some only; an infinite one, or no real value at a
/// point past 2²⁰ (an overflow inside may be why); the three values differing by more than
/// 2⁻²⁰ of the smallest (across a simple pole, tan at π/2) or the middle one 2¹⁰⁰ times the
/// others (a double pole, 1/sin² at π); the slopes on either side differing by more than 2⁻²⁰⁰
/// of their size (a kink or a cusp, √(sin²) at π); the simplest rational within m where the
/// function has no series (0 for √(t² + t⁴) at sin(π)). The function's exact series is not
/// asked for at v itself: a root of its 2048-bit rational is too large to factor (from a
/// review: √ of tanh(1) was called not analytic).
fn function_point_in_floats(
    callee: &Callee,
    params: &[(Name, crate::ir::Ir)],
    v: &Big<2048>,
    point: &str,
    inst: &mut Instance<Big<2048>>,
) -> Option<PointInFloats> {
    use malachite_base::num::logic::traits::SignificantBits;
    use malachite_q::rational::arithmetic::traits::SimplestRationalInInterval;
    type Wide = Big<2048>;
    let name = callee.name();
    let undecided = |why: String| {
        Some(PointInFloats::Undecided(format!(
            "{point}, under {name}, {why} (not decided exactly); there the expansion above may not hold"
        )))
    };
    if v.to_f64().is_nan() || v.is_infinite() {
        return undecided("is beyond the range of 2048-bit floats at these values".into());
    }
    let two = Wide::of_q(&Q::from(2u32));
    let one = Wide::one();
    let size = v.abs().max(&one);
    let margin = size.mul(&two.powi(-1500));
    let mut values = BTreeMap::new();
    for (n, ir) in params {
        if let Ok(Val::S(x)) = eval_ir(ir, inst) {
            values.insert(n.clone(), x);
        }
    }
    let mut at_point = |x: Wide| crate::numeric::apply(callee, x, &values, inst).ok();
    let found = [
        at_point(v.sub(&margin)),
        at_point(v.clone()),
        at_point(v.add(&margin)),
    ];
    // A real value, or none (NaN, or an error), or an infinite one (past the floats' range).
    let is_real = |y: &Wide| !(y.to_f64().is_nan() || y.is_infinite());
    let infinite = (found.iter().flatten()).any(Wide::is_infinite);
    if infinite {
        return undecided(format!(
            "is at these values where {name} is past the range of 2048-bit floats"
        ));
    }
    let real: Vec<Option<&Wide>> = found
        .iter()
        .map(|y| y.as_ref().filter(|y| is_real(y)))
        .collect();
    match real.iter().flatten().count() {
        0 if v.abs().lt(&two.powi(20)) => {
            return Some(PointInFloats::NotAnalytic {
                point: point.to_string(),
                why: format!(
                    "is, at these values, where {name} has no real value (in 2048-bit floats, at it and 2⁻¹⁵⁰⁰ of its size to either side, far beyond their rounding)"
                ),
            });
        }
        0 => {
            return undecided(format!(
                "has no real value in 2048-bit floats at these values, at a point past 2²⁰ where an overflow inside {name} may be why"
            ));
        }
        3 => {}
        _ => {
            return undecided(format!(
                "is at these values within 2⁻¹⁵⁰⁰ of its size of where {name} has no real value in 2048-bit floats"
            ));
        }
    }
    if let [Some(lo), Some(mid), Some(hi)] = real[..] {
        let (alo, amid, ahi) = (lo.abs(), mid.abs(), hi.abs());
        let least = |a: &Wide, b: &Wide| if a.lt(b) { a.clone() } else { b.clone() };
        let smallest = least(&least(&alo, &amid), &ahi);
        let largest_side = alo.max(&ahi);
        let pole = smallest.add(&one).mul(&two.powi(-20)).lt(&hi.sub(lo).abs())
            || largest_side.add(&one).mul(&two.powi(100)).lt(&amid);
        if pole {
            return undecided(format!(
                "is at these values within reach of a singular point of {name} (a pole, a branch point) in 2048-bit floats (its values change by a large part of their size within 2⁻¹⁵⁰⁰ of the point)"
            ));
        }
        let right = hi.sub(mid).div(&margin);
        let left = mid.sub(lo).div(&margin);
        let kink = (right.abs().add(&left.abs()).add(&one))
            .mul(&two.powi(-200))
            .lt(&right.sub(&left).abs());
        if kink {
            return undecided(format!(
                "is at these values within reach of a kink or a cusp of {name} in 2048-bit floats (its slopes on either side of the point differ)"
            ));
        }
    }
    // A simple point within reach (0, 1, ½) where the function has no series: v may be it.
    if v.abs().lt(&two.powi(64)) {
        let (lo, hi) = (v.sub(&margin).to_q()?, v.add(&margin).to_q()?);
        let simple = Q::simplest_rational_in_closed_interval(&lo, &hi);
        let height = (simple.numerator_ref().significant_bits())
            .max(simple.denominator_ref().significant_bits());
        if height <= 64 {
            let simple_at = crate::algebra::Scalar::from_q(simple.clone());
            // (The engine's limit there, a root too large to factor, says nothing of the point.)
            let singular = match super::region::series_to_first_order_at(callee, params, &simple_at)
            {
                Ok(crate::series::PointSeries::Analytic(_)) => false,
                Err(e) => e.phase != crate::diagnostic::Phase::Limit,
                Ok(_) => true,
            };
            if singular {
                return undecided(format!(
                    "is at these values within 2⁻¹⁵⁰⁰ of its size of {}, where {name} has no Taylor series, in 2048-bit floats",
                    crate::model::render::q_text(&simple)
                ));
            }
        }
    }
    None
}

/// Whether the power `q` takes a root (its denominator is not 1): its principal value is not
/// real below 0, odd roots too, as everywhere in the language.
fn fractional(q: &Q) -> bool {
    *q.denominator_ref() != 1u32
}

/// What [`points_in_floats`] found of a symbolic point.
enum PointInFloats {
    /// At or within the floats' reach of where the expression stops being analytic: not decided.
    Undecided(String),
    /// Where the expression is not analytic (below 0 under an even root, log of a negative
    /// number): the point, and why.
    NotAnalytic { point: String, why: String },
}

/// log₂ of the floor below which a 256-bit entry may be a residue: 2⁻²⁰⁰ of the matrix's
/// scale (its largest entry, or 1), whatever the entries' exponents (from a review: a scale
/// past f64's range made the floor infinite, and an entry 3 beside e¹⁰⁰⁰ was written as 0).
fn rounding_floor_log2(m: &Mat) -> f64 {
    floor_below_scale(m, 200.0)
}

/// log₂ of 2^(−`depth`) of the matrix's scale (its largest entry, or 1).
fn floor_below_scale(m: &Mat, depth: f64) -> f64 {
    let scale = (m.entries.iter())
        .map(Num::log2_abs)
        .filter(|l| !l.is_nan())
        .fold(0.0f64, f64::max);
    scale - depth
}

/// How far below the scale a value in floats of `bits` may be a residue of their rounding:
/// 2⁻²⁰⁰ for 256 bits, 2⁻¹⁵⁰⁰ for 2048 and 2⁻⁷⁰⁰⁰ for 8192.
fn residue_depth(bits: u32) -> f64 {
    match bits {
        0..=256 => 200.0,
        257..=2048 => f64::from(-WIDE_GENUINE_LOG2),
        _ => 7000.0,
    }
}

/// Whether an entry of `m` is a float below [`rounding_floor_log2`], 0 included: 1 − tanh(100)²
/// is exactly 0 in 256 bits, where the slope is 6·10⁻⁸⁹ (from a review).
fn has_tiny(m: &Mat, bits: u32) -> bool {
    let floor = floor_below_scale(m, residue_depth(bits));
    (m.entries.iter()).any(|e| !matches!(e, Num::Exact(_)) && e.log2_abs() < floor)
}

/// Above this power of two of the scale, a value in 2048-bit floats is no residue of theirs
/// (about 2⁻²⁰⁴⁰ of the scale) but a genuine one.
pub(crate) const WIDE_GENUINE_LOG2: i32 = -1500;

/// Float entries below 2⁻²⁰⁰ of the matrix's scale (0 included) are taken from `wide` (the
/// same matrix evaluated in 2048-bit floats) where it confirms them to 2⁻⁴⁰ or holds a value
/// above its own residues, else written as 0: what cancels exactly in a 256-bit evaluation
/// (σ(1) + σ(−1) − 1) leaves a residue near 10⁻⁷⁸, which shown rounded reads as a value and
/// which 2048 bits take down to about 10⁻⁶¹⁶; a genuine value (1 − tanh(100)², 0 in 256
/// bits) is kept.
///
/// Returns whether an entry was written as 0 that no float showed to be 0: 0 only to within
/// what 2048-bit floats resolve (a softmax row at a bias of 2000 has slope e⁻²⁰⁰⁰ ≈ 10⁻⁸⁶⁹,
/// which they lose), so the report says that of its zeros.
///
/// `exact`: the same matrix evaluated exactly where its entries have exact values (NaN where
/// not): an entry that is exactly 0 there is 0, decided (tanh(0) beside tanh(1)).
fn flush_rounding(m: &mut Mat, wide: Option<&Mat>, exact: Option<&Mat>, bits: u32) -> bool {
    let floor = floor_below_scale(m, residue_depth(bits));
    let mut unresolved = false;
    for (i, e) in m.entries.iter_mut().enumerate() {
        if matches!(e, Num::Exact(_)) || e.log2_abs() >= floor {
            continue;
        }
        *e = match wide.and_then(|w| w.entries.get(i)) {
            // Confirmed: the two agree.
            Some(v) if agree(e, v) => e.clone(),
            // 0 (or a residue) in 256 bits, but in 2048 bits far above their own residues
            // (about 2⁻²⁰⁴⁰ of the scale): a genuine value that 256 bits lost.
            Some(v) if v.log2_abs() > floor + f64::from(WIDE_GENUINE_LOG2 + 200) => v.clone(),
            _ if exact
                .and_then(|x| x.entries.get(i))
                .is_some_and(|x| matches!(x, Num::Exact(q) if *q == 0u32)) =>
            {
                Num::Float(0.0)
            }
            _ => {
                unresolved = true;
                Num::Float(0.0)
            }
        };
    }
    unresolved
}

/// [`failing_at_known_points`] recorded in `out`: `undecided`, and the failing layer of the
/// kind it is (`unbound` names the symbols without values).
pub(crate) fn check_forced(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    unbound: &str,
    out: &mut Numeric,
) {
    if let Some((layer, why, on_breakpoint)) = failing_at_known_points(a, env, functions, unbound) {
        out.undecided = Some(why);
        out.undecided_forced = true;
        if on_breakpoint {
            out.failing_layer = layer;
        } else {
            out.generic_failing_layer = layer;
        }
    }
}

/// With some weights unbound, the operating points the bound values fix alone (`c₂ = −b₃`
/// with b₃ bound, W₁ not) still check the expansion's assumptions about a piecewise layer: an
/// entry exactly on a breakpoint, where the expansion took the derivatives of one piece, or a
/// first derivative the expansion took to be non-zero that is 0 at every entry (relu′(−1)),
/// which removes every term that passes through the layer, those the verdict rests on too.
/// Either way the verdict is not decided at these values (an exact-affine verdict stays: with
/// that derivative 0 the network is still exactly the affine map written). The layer, why, and whether it is a breakpoint, for the first such
/// layer; None where every known point agrees with the expansion, or none is known exactly.
fn failing_at_known_points(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    unbound: &str,
) -> Option<(Option<usize>, String, bool)> {
    use crate::series::PointSeries;
    let mut inst: Instance<Forced> = instance(&a.symbols, env, functions);
    // A symbol without a value is some finite real: an entry is known where it is the same
    // for every value of them (`W₂·tanh(b₁)` with b₁ = 0).
    let free: Vec<(&Symbol, &crate::ir::Shape)> = unbound_symbols(a, env).collect();
    for (s, sh) in &free {
        let val = free_val(sh, &mut inst);
        inst.symbols.insert((*s).clone(), val);
    }
    hold_params_free(a, &mut inst);
    for ly in &a.expansion.layers {
        if crate::analysis::set_constants_before(&a.expansion.constants, ly.index, &mut inst)
            .is_err()
        {
            return None;
        }
        if ly.op_point.is_zero() || ly.compensated {
            continue;
        }
        // A scalar parameter without a value would be read as a stand-in number, not a free one.
        if ly
            .op_point
            .params()
            .iter()
            .any(|n| !is_fixed_param(n, &inst))
        {
            continue;
        }
        let mut needed = BTreeSet::new();
        user_symbols(&ly.op_point, &mut needed);
        let rows = needed
            .iter()
            .find_map(|s| inst.symbols.get(s).map(Val::rows))
            .unwrap_or(crate::numeric::DEFAULT_WIDTH);
        let (c, clean) = Exact::untainted(|| eval_expr(&ly.op_point, &mut inst, rows));
        let Ok(c) = c else {
            continue;
        };
        if let Some(sym) = &ly.op_symbol {
            inst.symbols.insert(sym.clone(), c.clone());
        }
        let piecewise = matches!(
            ly.coefficients,
            crate::analysis::Coefficients::Atoms { piecewise: true }
        );
        if !clean || !piecewise || ly.deriv != 0 {
            continue;
        }
        let entries: Vec<Option<Q>> = c.entries().into_iter().map(Real::to_q).collect();
        let name = ly.callee.name();
        let value =
            |q: &Q| crate::print::scalar_unicode(&crate::algebra::Scalar::from_q(q.clone()));
        // What the known entries hold for: the bound values alone, or every value of the others.
        let reads_free: Vec<String> = (needed.iter())
            .filter(|s| !env.values.contains_key(&s.name))
            .map(|s| s.name.unicode())
            .collect();
        let whatever = if reads_free.is_empty() {
            String::new()
        } else {
            format!(" for every value of {}", reads_free.join(", "))
        };
        // Entries whose first derivative is 0 there; all of them, when every entry is known.
        let mut flat = Vec::new();
        for (k, q) in entries.iter().enumerate() {
            let Some(q) = q else { continue };
            match super::region::series_to_first_order(&ly.callee, &ly.params, q) {
                Some(PointSeries::Analytic(s)) if s.coeff(1).is_zero() => flat.push(k),
                Some(PointSeries::Analytic(_)) | None => {}
                Some(_) => {
                    return Some((
                        Some(ly.index),
                        format!(
                            "layer {} ({name}): entry {} of its operating point is {}{whatever}, exactly on a breakpoint, which the expansion above assumes away; with {unbound} symbolic the network is not evaluated there",
                            ly.index,
                            k + 1,
                            value(q)
                        ),
                        true,
                    ));
                }
            }
        }
        // One flat entry among others leaves the terms of the rest, which symbolic weights do
        // not cancel; every entry flat removes all that passes through the layer.
        if !flat.is_empty()
            && flat.len() == entries.len()
            && a.decision.verdict != crate::analysis::Verdict::ExactAffine
        {
            let values: Vec<String> = entries.iter().flatten().map(value).collect();
            return Some((
                Some(ly.index),
                format!(
                    "layer {} ({name}): its operating point is [{}]{whatever}, where {name}′ is 0 at every entry, which the expansion above takes to be non-zero; with {unbound} symbolic the network is not evaluated there",
                    ly.index,
                    values.join(", ")
                ),
                false,
            ));
        }
    }
    if leading_forced_zero(a, &mut inst) {
        return Some((
            None,
            format!(
                "the first non-affine term above is 0 at these values for every input and every value of {unbound}, where the verdict takes it to be non-zero; with {unbound} symbolic the network's first non-affine order is not computed"
            ),
            false,
        ));
    }
    None
}

/// Whether the term the verdict rests on (a kink's bars, the first non-affine order's terms)
/// is 0 for every input and every value of the free symbols, at the operating points `inst`
/// holds: bound weights downstream cancel what passes through (`W₄·(relu′(c₂)∘|W₁·x|)`,
/// W₄ = [1, 0] and relu′(c₂) = [0, 1]), whatever the values that are not rational are.
fn leading_forced_zero(a: &Analysis, inst: &mut Instance<Forced>) -> bool {
    use crate::analysis::Verdict;
    let rests_on_term = matches!(
        a.decision.verdict,
        Verdict::Affine { k: Some(_) } | Verdict::Kink | Verdict::Degenerate { .. }
    );
    let term = &a.decision.leading_full;
    if !rests_on_term || term.is_zero() {
        return false;
    }
    // A token matrix X is free entry by entry as a vector is (from a review: it was bound as a
    // vector, the evaluation failed, and W_Q = 0 left `affine up to O(ε³)` standing where the
    // attention is exactly ½·𝟙·𝟙ᵀ·X·W_V).
    let input = match a.symbols.get(&a.input) {
        Some(shape) if a.input.kind == crate::algebra::Kind::Matrix => free_val(shape, inst),
        _ => Val::V(vec![Forced::Free; input_len(&a.symbols, &a.input, inst)]),
    };
    inst.symbols.insert(a.input.clone(), input);
    forced_zero(term, a, inst)
}

/// Whether every entry of `e` is an exact 0 at the operating points `inst` holds, whatever
/// its free values are (the named constants set, every parameter of `e` fixed).
fn forced_zero(e: &Expr, a: &Analysis, inst: &mut Instance<Forced>) -> bool {
    if crate::analysis::set_constants_before(&a.expansion.constants, usize::MAX, inst).is_err()
        || e.params().iter().any(|n| !is_fixed_param(n, inst))
    {
        return false;
    }
    let rows = crate::numeric::DEFAULT_WIDTH;
    matches!(
        Exact::untainted(|| eval_expr(e, inst, rows)),
        (Ok(v), true) if all_entries(&v, |x| *x == Forced::Value(Q::from(0u32)))
    )
}

/// The forced values at the bound values' operating points, every weight bound.
fn forced_at_values(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<Instance<Forced>> {
    let mut inst: Instance<Forced> = instance(&a.symbols, env, functions);
    hold_params_free(a, &mut inst);
    // Parameters a definition reads (s(t) = exp(β·t) − exp(γ·t)) are free too: read as their
    // stand-in numbers, β and γ were one value, and s′(0) = β − γ an exact 0 (from a review,
    // "W is 0 at these values, decided exactly" was said of it).
    let mut read = BTreeSet::new();
    for callee in functions.values() {
        if let Callee::Def(d) = callee {
            read.extend(params_a_definition_reads(d, &[], &mut BTreeSet::new()));
        }
    }
    for n in read {
        hold_free(n, &mut inst);
    }
    let mut truth = inst.clone();
    crate::verify::set_operating_points(a, &mut inst, &mut truth).ok()?;
    Some(inst)
}

/// A scalar parameter without a value is some finite real too: `λ·b₁` with b₁ = 0 is 0 for
/// every λ (from a review: such a point was skipped, and the generic verdict stood where the
/// bound zero put an entry on its breakpoint; and W = √tanh(λ)·W₂·W₁ with W₂·W₁ = 0 was
/// `affine`). Held as a scalar constant, which the instance reads before its stand-in numbers.
fn hold_params_free(a: &Analysis, inst: &mut Instance<Forced>) {
    let mut params = BTreeSet::new();
    for ly in &a.expansion.layers {
        params.extend(ly.op_point.params());
    }
    for e in [
        &a.decision.w,
        &a.decision.b,
        &a.decision.leading_full,
        &a.decision.leading_layered,
    ] {
        params.extend(e.params());
    }
    for k in &a.expansion.constants {
        params.remove(&k.name);
    }
    for n in params {
        hold_free(n, inst);
    }
}

/// The parameter `n`, where the instance has no value of its own for it, held free.
fn hold_free(n: Name, inst: &mut Instance<Forced>) {
    if !is_fixed_param(&n, inst) {
        let constant = Symbol {
            role: Role::OpPoint,
            name: n,
            kind: crate::algebra::nf::Kind::Scalar,
        };
        inst.symbols.insert(constant, Val::S(Forced::Free));
    }
}

/// [`leading_forced_zero`] with every weight bound: a zero the exact test
/// ([`leading_vanishes`]) does not reach, its values not all rational (W₃ = 0 after tanh(1)).
pub(crate) fn leading_forced_zero_at_values(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    let mut inst = forced_at_values(a, env, functions)?;
    leading_forced_zero(a, &mut inst).then(|| {
        "decided exactly: 0 for every input, through a product with an exact 0 whatever the values that are not rational are".to_string()
    })
}

/// Whether the linear part W of an `affine` verdict is 0 at the bound values, exactly: every
/// entry a product with an exact 0 whatever the values that are not rational are (cos∘cos
/// with b₁ = 0: W = diag(cos′(c₂))·W₂·diag(cos′(0))·W₁, and cos′(0) = 0). The network is then
/// degenerate there, its first non-affine term leading (from a review: "affine" beside a
/// numeric W of zeros).
pub(crate) fn w_forced_zero_at_values(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    use crate::analysis::Verdict;
    let w = &a.decision.w;
    if !matches!(a.decision.verdict, Verdict::Affine { k: Some(_) }) || w.is_zero() {
        return None;
    }
    let mut inst = forced_at_values(a, env, functions)?;
    forced_zero(w, a, &mut inst).then(|| {
        format!("{} is 0 at these values, decided exactly (every entry a product with an exact 0, whatever the values that are not rational are): the network is degenerate there", a.form.w.unicode())
    })
}

fn all_entries<R>(v: &Val<R>, f: impl Fn(&R) -> bool) -> bool {
    match v {
        Val::S(x) => f(x),
        Val::V(v) => v.iter().all(f),
        Val::M(m) => m.iter().flatten().all(f),
    }
}

/// A value of `shape` every entry of which is free.
fn free_val(shape: &crate::ir::Shape, inst: &mut Instance<Forced>) -> Val<Forced> {
    use crate::algebra::nf::Kind;
    let rows = inst.dim(&shape.rows);
    let cols = inst.dim(&shape.cols);
    match shape.kind {
        Kind::Scalar => Val::S(Forced::Free),
        Kind::Vector => Val::V(vec![Forced::Free; rows]),
        Kind::Matrix | Kind::Row => Val::M(vec![vec![Forced::Free; cols]; rows]),
    }
}

/// Whether the instance reads `n` as a value it has: an operating-point constant or a
/// dimension's size (`n` of `mean`, `d₁`), not the stand-in of a parameter without a value.
fn is_fixed_param<R: Real>(n: &Name, inst: &Instance<R>) -> bool {
    use crate::ir::shape::Dim;
    let constant = Symbol {
        role: Role::OpPoint,
        name: n.clone(),
        kind: crate::algebra::nf::Kind::Scalar,
    };
    inst.symbols.contains_key(&constant)
        || inst.dims.contains_key(&Dim::Named(n.clone()))
        || (&*n.base == "d"
            && n.sub
                .parse::<u32>()
                .is_ok_and(|k| inst.dims.contains_key(&Dim::Free(k))))
        || inst.params.contains_key(n)
}

/// Why an operating-point constant's uses do not hold at its value: 0 under a power, or a
/// point where the function of it has no Taylor series (a breakpoint, √ or log at 0).
///
/// `Err(())`: not decided exactly (the function's series there runs into the engine's limits).
fn singular_use(under: &crate::analysis::ConstantUse, value: &Q) -> Result<Option<String>, ()> {
    use crate::analysis::ConstantUse;
    Ok(match under {
        ConstantUse::Power(_) if *value == 0u32 => {
            Some("where the expansion took it to be non-zero (under a power)".to_string())
        }
        // (−1)^(1/2): not a real number (from a review, its NaN was written as W = 0); nor is
        // (−3)^(1/3), the principal root the series engine takes (`(t − 8)^(1/3)` is refused
        // there), which this check had read as the real odd root: `affine` without W, where
        // the same power inside a definition was `not-analytic`.
        ConstantUse::Power(q) if *value < 0u32 && fractional(q) => Some(
            "a negative number under a fractional power (its principal root), where the expression is not real"
                .to_string(),
        ),
        ConstantUse::Power(_) => None,
        ConstantUse::Function(callee, params) => {
            let at = crate::algebra::Scalar::from_q(value.clone());
            match super::region::series_to_first_order_at(callee, params, &at) {
                Ok(crate::series::PointSeries::Analytic(_)) => None,
                Err(e)
                    if e.phase == crate::diagnostic::Phase::Limit
                        || matches!(callee, Callee::Def(_)) =>
                {
                    return Err(());
                }
                _ => Some(format!(
                    "a point where {} has no Taylor series",
                    callee.name()
                )),
            }
        }
    })
}

/// The input's length in an instance (its dimension as the values fix it).
pub(crate) fn input_len<R: Real>(
    a_symbols: &BTreeMap<Symbol, crate::ir::Shape>,
    input: &Symbol,
    inst: &mut Instance<R>,
) -> usize {
    a_symbols
        .get(input)
        .map(|sh| inst.dim(&sh.rows))
        .unwrap_or(crate::numeric::DEFAULT_WIDTH)
}

/// W and b as values in `R`, with the instance (operating points set) and the output and
/// input lengths.
pub(crate) struct Evaluated<R> {
    pub w: Val<R>,
    pub b: Val<R>,
    pub inst: Instance<R>,
    pub rows: usize,
    pub n: usize,
}

/// The instance of the bound values with the input at 0 and the operating points set (and
/// the true network's, whose compensated biases are moved), and the input's length.
pub(crate) fn at_operating_points<R: Real>(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Result<(Instance<R>, Instance<R>, usize), String> {
    let mut inst = instance::<R>(&a.symbols, env, functions);
    let n = input_len(&a.symbols, &a.input, &mut inst);
    inst.symbols
        .insert(a.input.clone(), Val::V(vec![R::zero(); n]));
    let mut truth = inst.clone();
    crate::verify::set_operating_points(a, &mut inst, &mut truth)?;
    Ok((inst, truth, n))
}

pub(crate) fn evaluate<R: Real>(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Result<Evaluated<R>, String> {
    let (mut inst, mut truth, n) = at_operating_points::<R>(a, env, functions)?;
    let rows = eval_ir(&l.ir, &mut truth)?.rows();
    // W has a column per input entry: a trailing row 𝟙ᵀ (the mean of the input) is that long.
    let w = crate::numeric::eval_expr_shaped(&a.decision.w, &mut inst, rows, Some(n))?;
    let b = eval_expr(&a.decision.b, &mut inst, rows)?;
    Ok(Evaluated {
        w,
        b,
        inst,
        rows,
        n,
    })
}

fn wb<R: Real>(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Result<(Mat, Mat), String> {
    let e = evaluate::<R>(l, a, env, functions)?;
    Ok((to_mat(&e.w, e.rows, e.n)?, to_mat(&e.b, e.rows, 1)?))
}

/// A wide float as an entry: an `f64`, or beyond its range a mantissa and a power of ten.
pub(crate) fn float_num<R: Real>(x: &R) -> Num {
    match crate::algebra::sign::shown(x) {
        Some(crate::algebra::sign::Approx::Beyond { mantissa, exp10 }) => {
            Num::Wide { mantissa, exp10 }
        }
        _ => Num::Float(x.to_f64()),
    }
}

/// A value as a matrix of `rows`×`cols` (a scalar `c` as c·I, or c·𝟙 for a vector).
pub(crate) fn to_mat<R: Real>(v: &Val<R>, rows: usize, cols: usize) -> Result<Mat, String> {
    let num = |x: &R| match x.to_q() {
        Some(q) if R::SIGNIFICAND_BITS == u32::MAX => Num::Exact(q),
        _ if R::SIGNIFICAND_BITS == u32::MAX => Num::Float(f64::NAN),
        _ => float_num(x),
    };
    to_mat_by(v, rows, cols, num)
}

/// [`to_mat`] with each entry written by `num`.
fn to_mat_by<R: Real>(
    v: &Val<R>,
    rows: usize,
    cols: usize,
    num: impl Fn(&R) -> Num,
) -> Result<Mat, String> {
    let entries: Vec<Num> = match v {
        Val::S(c) => (0..rows * cols)
            .map(|k| {
                if cols == 1 || k / cols == k % cols {
                    num(c)
                } else {
                    num(&R::zero())
                }
            })
            .collect(),
        Val::V(x) if cols == 1 && x.len() == rows => x.iter().map(num).collect(),
        Val::M(m) if m.len() == rows && m.iter().all(|r| r.len() == cols) => {
            m.iter().flatten().map(num).collect()
        }
        _ => return Err("the numeric value has an unexpected shape".into()),
    };
    Ok(Mat {
        rows,
        cols,
        entries,
    })
}

/// Whether a normal form is a polynomial in the input: no element-wise atom holds it (`|u₁|`
/// with u₁ = W₁·x is not; `tanh‴(c₂)` at an operating point is a constant).
fn polynomial_in(e: &Expr, input: &Symbol) -> bool {
    use crate::algebra::nf::{Chain, Factor};
    fn chain(c: &Chain, input: &Symbol) -> bool {
        c.factors().iter().all(|f| match f {
            Factor::Sym(_) | Factor::Ones | Factor::Eye => true,
            Factor::Diag(c) | Factor::Tr(c) | Factor::Dot(c) => chain(c, input),
            Factor::Had(h) => h.elements().iter().all(|(c, _)| chain(c, input)),
            Factor::Atom(a) => !a.arg_symbols().contains(input),
        })
    }
    e.terms().all(|(c, _)| chain(c, input))
}

/// Grids of at most this many points decide a polynomial's zero exactly; beyond, random points.
const MAX_GRID: usize = 4096;

/// What the first non-affine term N of an analysis is at the bound values, decided exactly.
pub(crate) enum LeadingAtValues {
    /// N is identically 0 there, and how that was decided.
    Zero(String),
    /// N is not 0 there: exactly non-zero at an input (`at`, the point's entries).
    NonZero { at: Vec<Q> },
}

/// Whether the first non-affine term N of `a` (of order k) is identically 0 at the bound
/// values: `Some(how)` when it is, decided exactly. None: N is not 0, or this is not decided
/// (see [`leading_at_values`]).
pub(crate) fn leading_vanishes(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    match leading_at_values(l, a, env, functions)? {
        LeadingAtValues::Zero(how) => Some(how),
        LeadingAtValues::NonZero { .. } => None,
    }
}

/// The first non-affine term N of `a` (of order k) at the bound values. N is a homogeneous
/// polynomial of degree k in the input's n entries (with exact coefficients: the values are
/// rational and every derivative used is exact), so it is 0 exactly when it is 0 on the grid
/// {0, …, k}ⁿ, each entry being of degree at most k (the combinatorial Nullstellensatz); past
/// 4 096 points, at four random points with entries drawn from 1 … 2³² (seeded by the term and
/// the values, [`content_seed`]), where a non-zero N
/// vanishes with probability at most (k/2³²)⁴ (Schwartz–Zippel), and the report says which. A
/// non-zero value at one point is proof either way. None: not decided (a term that is not a
/// polynomial in the input, a value that is not rational).
pub(crate) fn leading_at_values(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<LeadingAtValues> {
    let (term, k) = (&a.decision.leading_full, a.decision.k?);
    term_instance(l, a, env, functions)
        .and_then(|ev| term_at_values(&ev, a, term, k, false))
        .or_else(|| term_in_exp_field((l, a, env, functions), term, k, false))
}

/// [`leading_at_values`] for `n_term`, a polynomial of degree `k` in the input, in the instance
/// `ev`; with `exact_only`, None where the grid would be too large to decide it exactly.
fn term_at_values(
    ev: &TermInstance,
    a: &Analysis,
    n_term: &Expr,
    k: u32,
    exact_only: bool,
) -> Option<LeadingAtValues> {
    if n_term.is_zero() || !polynomial_in(n_term, &a.input) {
        return None;
    }
    let n = ev.n;
    let (grid, points) = grid_or_draws(n, k, exact_only, || {
        content_seed(0x243F_6A88_85A3_08D3, n_term, &ev.inst)
    })?;
    // N = Σ m·N_m over the products m of constants in its coefficients (1/√(2π) of a gelu),
    // each N_m with rational coefficients, so exact at rational values. A part that is not 0
    // at a point shows N is not 0 only where N has that one part, with m = 1: other products
    // of constants may be rational multiples of each other.
    // First N whole: where every constant in it has an exact value at these values (κ₁ =
    // 𝟙ᵀ·exp(0) = 3 of a softmax at 0), its value at a point is exact, and either answer is
    // proof (an exactly constant softmax was called degenerate: W = 0 by cancellation).
    match first_non_zero_point(n_term, ev, &a.input, &points) {
        Some(Some(at)) => return Some(LeadingAtValues::NonZero { at }),
        Some(None) => {
            return Some(LeadingAtValues::Zero(zero_on_points(grid, k, n, "")));
        }
        None => {}
    }
    let parts = rational_parts(n_term);
    let rational = n_term.terms().all(|(_, c)| c.as_q().is_some());
    for part in &parts {
        if let Some(at) = first_non_zero_point(part, ev, &a.input, &points)? {
            return rational.then_some(LeadingAtValues::NonZero { at });
        }
    }
    let each = match parts.len() {
        1 if rational => String::new(),
        1 => "its constants taken out, ".to_string(),
        p => format!("each of its {p} parts, one per product of its constants, "),
    };
    Some(LeadingAtValues::Zero(zero_on_points(grid, k, n, &each)))
}

/// A token matrix input's first non-affine term N at the bound values, exactly: 0 at four
/// random token matrices (entries from 1 … 2³², seeded by the term and the values) is read as
/// 0 for every input, a probabilistic identity test (N is a polynomial of degree k in X's
/// entries, which a non-zero one passes with probability at most (k/2³²)⁴); a non-zero value
/// at one is proof it is not. None: not 0 at a draw, or not decided (a value that is not
/// rational). From a review: two heads that cancel (W_P = −W_Q) left `affine up to O(ε³)`,
/// where the residual falls as σ⁵.
pub(crate) fn leading_zero_for_token_matrices(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    let k = a.decision.k?;
    let term = &a.decision.leading_full;
    if term.is_zero() || !polynomial_in(term, &a.input) {
        return None;
    }
    let shape = a.symbols.get(&a.input)?;
    let ev = term_instance(l, a, env, functions)?;
    let mut inst = ev.inst.clone();
    let (rows, cols) = (inst.dim(&shape.rows), inst.dim(&shape.cols));
    let mut state = content_seed(0x1319_8A2E_0370_7344, term, &ev.inst);
    for _ in 0..4 {
        if crate::limits::interrupted() {
            return None;
        }
        let mut draw = || Exact(Some(Q::from(1 + (next_random(&mut state) >> 32))));
        let x: Vec<Vec<Exact>> = (0..rows)
            .map(|_| (0..cols).map(|_| draw()).collect())
            .collect();
        inst.symbols.insert(a.input.clone(), Val::M(x));
        let (value, clean) = Exact::untainted(|| eval_expr(term, &mut inst, ev.rows));
        let value = value.ok().filter(|_| clean)?;
        let entries = value.entries();
        if entries.iter().any(|v| v.0.is_none()) {
            return None;
        }
        if entries
            .iter()
            .any(|v| v.0.as_ref().is_some_and(|q| *q != 0u32))
        {
            return None;
        }
    }
    Some(format!(
        "decided by a probabilistic identity test: 0 at 4 random token matrices with entries up to 2³², where a non-zero polynomial of degree {k} in their entries vanishes with probability at most ({k}/2³²)⁴"
    ))
}

/// [`leading_zero_for_token_matrices`] where the values are not rational (scores scaled by
/// 1/√d: from a review, two heads that cancel so were `affine up to O(ε³)`): the term at four
/// random token matrices on the [`Ladder`] of precisions, as [`leading_zero_in_floats`] looks
/// at a vector input's. Rounding error at each is 0 to within the floats, which does not
/// decide it exactly.
pub(crate) fn token_matrix_term_in_floats(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    let term = &a.decision.leading_full;
    if a.decision.k.is_none() || term.is_zero() || !polynomial_in(term, &a.input) {
        return None;
    }
    if unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name) {
        return None;
    }
    let shape = a.symbols.get(&a.input)?;
    let context = (l, a, env, functions);
    let first = Ladder::noted::<Big<256>>(context, Probe::Matrices(&[]));
    let ((ev, _), _) = &first;
    let (inst, _, _) = ev.as_ref().ok()?;
    let mut dims = inst.clone();
    let (rows, cols) = (dims.dim(&shape.rows), dims.dim(&shape.cols));
    let mut state = content_seed(0x0A40_9382_2299_F31D, term, inst);
    let mut draw = || Q::from(1 + (next_random(&mut state) >> 48));
    let points: Vec<Vec<Vec<Q>>> = (0..FLOAT_POINTS)
        .map(|_| {
            (0..rows)
                .map(|_| (0..cols).map(|_| draw()).collect())
                .collect()
        })
        .collect();
    let mut ladder = Ladder::new(context, term, Probe::Matrices(&points), first);
    leading_term_in_floats(ladder.judge()?, "random token matrices")
}

/// How a first non-affine term of order `k` in `n` inputs was found 0: on the grid of `grid`
/// points, or (None) at random points; `each` names the parts tested, if it was tested by parts.
/// The points at which a polynomial of degree `k` in `n` entries is tested: the grid
/// {0, …, k}ⁿ and its size, where it has at most [`MAX_GRID`] points; else four random points
/// (entries from 1 … 2³², seeded by `seed`), or none with `exact_only`.
fn grid_or_draws(
    n: usize,
    k: u32,
    exact_only: bool,
    seed: impl FnOnce() -> u64,
) -> Option<(Option<usize>, Vec<Vec<Q>>)> {
    let side = k as usize + 1;
    let grid = (0..n).try_fold(1usize, |acc, _| {
        acc.checked_mul(side).filter(|&p| p <= MAX_GRID)
    });
    if exact_only && grid.is_none() {
        return None;
    }
    let points: Vec<Vec<Q>> = match grid {
        Some(count) => (0..count)
            .map(|mut index| {
                (0..n)
                    .map(|_| {
                        let digit = index % side;
                        index /= side;
                        Q::from(digit as u64)
                    })
                    .collect()
            })
            .collect(),
        None => {
            let mut state = seed();
            let mut draw = || Q::from(1 + (next_random(&mut state) >> 32));
            (0..4).map(|_| (0..n).map(|_| draw()).collect()).collect()
        }
    };
    Some((grid, points))
}

/// E = e^(1/D) and why a rational function of it decides a zero exactly.
const IN_EXP_FIELD: &str = "its constants written exactly as rational functions of E = e^(1/D) (e is transcendental, so such a function is 0 only where its numerator is the zero polynomial), ";

/// Runs `f` with E = e^(1/D) for D = 1 and then, while it has no answer and asks for exponents
/// off the grid of 1/D, for the least D that holds them (up to
/// [`super::exp_field::MAX_DENOMINATOR`]); each run untainted. `f`'s answer and its D.
fn in_exp_field<T>(mut f: impl FnMut() -> Option<T>) -> Option<(T, u64)> {
    let mut d = 1u64;
    loop {
        let (answer, wanted) = ExpField::with_denominator(d, || {
            let (answer, clean) = Exact::untainted(&mut f);
            (answer.filter(|_| clean), ExpField::wanted())
        });
        if let Some(answer) = answer {
            return Some((answer, d));
        }
        match u64::try_from(&wanted) {
            Ok(w) if w > d && w <= super::exp_field::MAX_DENOMINATOR => d = w,
            _ => return None,
        }
    }
}

/// [`term_at_values`] where the values are not rational but lie in Q(e^(1/D)): exp, tanh and
/// their quotients at rational operating points (a softmax or a sigmoid at rational biases). N
/// is a polynomial of degree k in the input with coefficients in that field, so the grid
/// decides its zero exactly as it does over Q. None: a value outside the field (π, log 2, a
/// function of a value that is not rational), or not decided.
fn term_in_exp_field(
    context: Context,
    term: &Expr,
    k: u32,
    exact_only: bool,
) -> Option<LeadingAtValues> {
    let (l, a, env, functions) = context;
    // Every symbol but the input bound: the evaluator gives a parameter without a value a
    // stand-in, which would decide nothing of the network (from a review of this change).
    if term.is_zero()
        || !polynomial_in(term, &a.input)
        || unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name)
    {
        return None;
    }
    let ((grid, n, found), _) = in_exp_field(|| {
        let (mut inst, _, n) = at_operating_points::<ExpField>(a, env, functions).ok()?;
        let rows = inst.dim(&l.ir.shape().rows);
        let (grid, points) = match simplex_points(n, k) {
            Some(points) => (Some(points.len()), points),
            None => grid_or_draws(n, k, exact_only, || {
                content_seed(0x4528_21E6_38D0_1377, term, &inst)
            })?,
        };
        for p in &points {
            if crate::limits::interrupted() {
                return None;
            }
            let mut inst = inst.clone();
            let x = Val::V(p.iter().map(ExpField::of_q).collect());
            inst.symbols.insert(a.input.clone(), x);
            let value = eval_expr(term, &mut inst, rows).ok()?;
            let zero =
                (value.entries().iter().map(|v| v.is_zero())).collect::<Option<Vec<bool>>>()?;
            if zero.iter().any(|z| !z) {
                return Some((grid, n, Some(p.clone())));
            }
        }
        Some((grid, n, None))
    })?;
    Some(match found {
        Some(at) => LeadingAtValues::NonZero { at },
        None if grid.is_some_and(|count| Some(count) == simplex_size(n, k)) => {
            LeadingAtValues::Zero(format!(
                "decided exactly: {IN_EXP_FIELD}0 at the {} points of {{x ∈ {{0, …, {k}}}^{n} : x₁ + … + xₙ ≤ {k}}}, on which a non-zero polynomial of degree {k} cannot vanish",
                grid.unwrap_or(0)
            ))
        }
        None => LeadingAtValues::Zero(zero_on_points(grid, k, n, IN_EXP_FIELD)),
    })
}

/// C(n + k, k), the number of points x of {0, …, k}ⁿ with x₁ + … + xₙ ≤ k, where it is at
/// most [`MAX_GRID`].
fn simplex_size(n: usize, k: u32) -> Option<usize> {
    (1..=k as usize).try_fold(1usize, |acc, i| {
        acc.checked_mul(n + i)
            .map(|v| v / i)
            .filter(|&v| v <= MAX_GRID)
    })
}

/// The points x of {0, …, k}ⁿ with x₁ + … + xₙ ≤ k (None past [`MAX_GRID`]): a polynomial of
/// degree at most k in n variables that vanishes at all of them is 0 (they are unisolvent for
/// such polynomials, the principal lattice of the simplex), so they decide its zero with
/// C(n + k, k) evaluations, not (k + 1)ⁿ (from this round: 729 evaluations in Q(e^(1/D)) of
/// a 24-unit term in 6 inputs took 2 s).
fn simplex_points(n: usize, k: u32) -> Option<Vec<Vec<Q>>> {
    simplex_size(n, k)?;
    fn extend(prefix: &mut Vec<u32>, n: usize, left: u32, out: &mut Vec<Vec<Q>>) {
        if prefix.len() == n {
            out.push(prefix.iter().map(|&d| Q::from(d)).collect());
            return;
        }
        for d in 0..=left {
            prefix.push(d);
            extend(prefix, n, left - d, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    extend(&mut Vec::with_capacity(n), n, k, &mut out);
    Some(out)
}

/// W at the bound values in Q(e^(1/D)) (see [`term_in_exp_field`]): whether it is exactly 0,
/// and, with `entries` and where it is not, its entries from their exact forms, each exact (a
/// rational) or read in 256- and 2048-bit floats where they agree to 2⁻⁴⁰ (NaN where they do
/// not). One evaluation for both. None: an entry outside that field.
pub(crate) fn w_in_exp_field(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    entries: bool,
) -> Option<(bool, Option<Mat>)> {
    in_exp_field_evaluated((l, a, env, functions), |e| {
        let zero = (e.w.entries().iter().map(|v| v.is_zero())).collect::<Option<Vec<bool>>>()?;
        if zero.iter().all(|z| *z) || !entries {
            return Some((zero.iter().all(|z| *z), None));
        }
        let num = |x: &ExpField| match x.to_q() {
            Some(q) => Num::Exact(q),
            None => match (x.in_floats::<256>(), x.in_floats::<2048>()) {
                (Some(coarse), Some(fine)) => {
                    let (c, f) = (float_num(&coarse), float_num(&fine));
                    if same_shown(&c, &f) {
                        f
                    } else {
                        Num::Float(f64::NAN)
                    }
                }
                _ => Num::Float(f64::NAN),
            },
        };
        Some((false, to_mat_by(&e.w, e.rows, e.n, num).ok()))
    })
}

/// Each entry of `w` shown as 0 (a float) whose value from its exact form (`exact`, from
/// [`w_in_exp_field`]) is known and not 0 takes that value (from a review: 2·sech²(5000), whose
/// 1 − tanh² loses every digit, was shown as 0). How many did.
pub(crate) fn show_entries_the_floats_lost(w: &mut Mat, exact: Mat) -> usize {
    let shown_zero = |e: &Num| matches!(e, Num::Float(v) if *v == 0.0);
    if exact.entries.len() != w.entries.len() {
        return 0;
    }
    let mut shown = 0;
    for (entry, from_form) in w.entries.iter_mut().zip(exact.entries) {
        let known = match &from_form {
            Num::Float(v) => !v.is_nan() && *v != 0.0,
            Num::Exact(q) => *q != 0u32,
            Num::Wide { .. } => true,
        };
        if shown_zero(entry) && known {
            *entry = from_form;
            shown += 1;
        }
    }
    shown
}

/// `read` of W and b evaluated in Q(e^(1/D)) at the bound values ([`in_exp_field`]), where
/// every symbol but the input has a value (the evaluator gives one without a value a stand-in,
/// which would decide nothing of the network; from a review).
fn in_exp_field_evaluated<T>(
    context: Context,
    read: impl Fn(Evaluated<ExpField>) -> Option<T>,
) -> Option<T> {
    let (l, a, env, functions) = context;
    if unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name) {
        return None;
    }
    in_exp_field(|| read(evaluate::<ExpField>(l, a, env, functions).ok()?)).map(|(t, _)| t)
}

/// Two entries that agree to 2⁻⁴⁰.
fn same_shown(a: &Num, b: &Num) -> bool {
    match (a, b) {
        (Num::Float(x), Num::Float(y)) => {
            x.is_finite() && (x - y).abs() <= y.abs() * 2f64.powi(-40)
        }
        (
            Num::Wide {
                mantissa: m1,
                exp10: e1,
            },
            Num::Wide {
                mantissa: m2,
                exp10: e2,
            },
        ) => e1 == e2 && (m1 - m2).abs() <= m2.abs() * 2f64.powi(-40),
        _ => false,
    }
}

fn zero_on_points(grid: Option<usize>, k: u32, n: usize, each: &str) -> String {
    match grid {
        Some(count) => format!(
            "decided exactly: {each}0 at the {count} points of the grid {{0, …, {k}}}^{n}, which a non-zero polynomial of degree {k} cannot all be roots of"
        ),
        None => format!(
            "decided by a probabilistic identity test: {each}0 at 4 random points with entries up to 2³², where a non-zero polynomial of degree {k} vanishes with probability at most ({k}/2³²)⁴"
        ),
    }
}

/// A normal form N as Σ m·N_m over the products of constants m in its coefficients, the parts
/// N_m with rational coefficients, in the order of the m.
fn rational_parts(n: &Expr) -> Vec<Expr> {
    let mut parts: BTreeMap<crate::algebra::scalar::Mono, Expr> = BTreeMap::new();
    for (chain, coef) in n.terms() {
        for (m, q) in coef.terms() {
            let part = parts.entry(m.clone()).or_default();
            part.add_term(chain.clone(), crate::algebra::Scalar::from_q(q.clone()));
        }
    }
    parts.into_values().collect()
}

/// The instance in which a first non-affine term is evaluated exactly: the bound values, the
/// input's length, and the operating points, which must be rational. Unlike [`evaluate`], W
/// and b are not needed (their constants need not be rational: log 2 in b of a softplus).
fn term_instance(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<TermInstance> {
    let (ev, clean) = Exact::untainted(|| {
        let (mut inst, _, n) = at_operating_points::<Exact>(a, env, functions)?;
        let rows = inst.dim(&l.ir.shape().rows);
        Ok::<_, String>(TermInstance { inst, rows, n })
    });
    ev.ok().filter(|_| clean)
}

/// An exact instance for a term: the values, the output's and the input's lengths.
struct TermInstance {
    inst: Instance<Exact>,
    rows: usize,
    n: usize,
}

/// Past a first non-affine term that is 0 at the bound values (`leading_vanishes`): when every
/// operating point of the analysis as it stands is exactly 0 there, each layer is expanded
/// around 0, which is what the compensated analysis assumes of every layer (its O(1) part
/// cancelled), so the compensated expansion at these values is this network's. Its W and b
/// must be the same values, and its first non-affine term, not 0 here, gives the order. None
/// when any of this is not decided exactly (a weight without a value, a value that is not
/// rational, an operating point not 0).
pub(crate) fn beyond_at_zero_operating_points(
    l: &Lowered,
    report: &crate::analysis::Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<crate::analysis::instance::Beyond> {
    use crate::analysis::Verdict;
    let (main, comp) = (&report.main, report.compensated.as_ref()?);
    let (Some(k_main), Verdict::Affine { k: Some(k) }) = (main.decision.k, &comp.decision.verdict)
    else {
        return None;
    };
    let bound = |a: &Analysis| unbound_symbols(a, env).all(|(s, _)| s.name == a.input.name);
    if *k <= k_main || !bound(main) || !bound(comp) {
        return None;
    }
    let (zero, clean) = Exact::untainted(|| operating_points_zero(main, env, functions));
    if !(clean && zero == Some(true)) {
        return None;
    }
    let same = |a: &Evaluated<Exact>, b: &Evaluated<Exact>| {
        let exact = |v: &Val<Exact>| -> Vec<Option<Q>> {
            v.entries().into_iter().map(|e| e.0.clone()).collect()
        };
        let (wa, wb) = (exact(&a.w), exact(&b.w));
        let (ba, bb) = (exact(&a.b), exact(&b.b));
        (wa.iter().chain(&ba)).all(Option::is_some)
            && (a.w.rows(), a.b.rows()) == (b.w.rows(), b.b.rows())
            && wa == wb
            && ba == bb
    };
    let (ev_main, clean_main) = Exact::untainted(|| evaluate::<Exact>(l, main, env, functions));
    let (ev_comp, clean_comp) = Exact::untainted(|| evaluate::<Exact>(l, comp, env, functions));
    match (ev_main, ev_comp) {
        (Ok(m), Ok(c)) if clean_main && clean_comp && same(&m, &c) => {}
        _ => return None,
    }
    match leading_at_values(l, comp, env, functions)? {
        LeadingAtValues::NonZero { at } => Some(crate::analysis::instance::Beyond {
            k: *k,
            by: crate::analysis::instance::BeyondBy::Compensation,
            term: comp.decision.leading_full.clone(),
            at,
        }),
        LeadingAtValues::Zero(_) => None,
    }
}

/// Past a first non-affine term that is 0 at the bound values (`leading_vanishes`), where the
/// input is the only small symbol (every other has a value, so a term's order is its degree in
/// the input) and no activation has a breakpoint: the expansion's parts of the orders after
/// that term, up to the one it was carried to (each exact), in the input's terms at the values.
/// The first part that is not 0 there gives the order; each one before it must be 0, decided
/// exactly on a grid. From a review: q(W₂·p(W₁·x)) with p(t) = t + t², q(t) = t − t² and
/// W₁ = W₂ = 1 is x − 2x³ − x⁴, and was left undecided past its vanishing x² term. An
/// activation with breakpoints (softsign, elu) only where `off_breakpoints`: every entry of its
/// layer decided exactly off them at the values, where it is its piece's series. Only the parts
/// of orders above `past` are tested (those up to it are known to be 0 there).
pub(crate) fn parts_past(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    off_breakpoints: bool,
    past: u32,
) -> PartsPast {
    let Some(k_main) = a.decision.k else {
        return PartsPast::Undecided;
    };
    if k_main >= a.order
        || past >= a.order
        || unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name)
        || (!off_breakpoints && (a.expansion.layers.iter()).any(|ly| ly.callee.has_breakpoints()))
    {
        return PartsPast::Undecided;
    }
    let t = a.trunc();
    let Ok(full) = a.expansion.in_input_terms(a.order, &t, None) else {
        return PartsPast::Undecided;
    };
    let ev = term_instance(l, a, env, functions);
    // `by_degree` leaves out the degrees with no term: those parts are 0.
    for (degree, part) in full.by_degree(&t) {
        if degree <= k_main.max(past) || degree > a.order {
            continue;
        }
        let exact = (ev.as_ref()).and_then(|ev| term_at_values(ev, a, &part, degree, true));
        match exact.or_else(|| term_in_exp_field((l, a, env, functions), &part, degree, true)) {
            Some(LeadingAtValues::NonZero { at }) => {
                return PartsPast::NonZero(crate::analysis::instance::Beyond {
                    k: degree,
                    by: crate::analysis::instance::BeyondBy::Expansion,
                    term: part,
                    at,
                });
            }
            Some(LeadingAtValues::Zero(_)) => {}
            None => return PartsPast::Undecided,
        }
    }
    PartsPast::ZeroThrough(a.order)
}

/// What the expansion's parts past a first non-affine term that vanishes at the bound values
/// are there ([`parts_past`]).
pub(crate) enum PartsPast {
    /// The first part that is not 0 there: the network's first non-affine order at the values.
    NonZero(crate::analysis::instance::Beyond),
    /// Every part up to this order (the one the analysis was carried to) is 0 there, each
    /// decided exactly.
    ZeroThrough(u32),
    /// A part not decided exactly, or the parts' orders are not their degrees in the input.
    Undecided,
}

/// Whether every operating point of `a` is exactly 0 at the bound values (None: one is not
/// evaluated, or holds a value that is not rational).
fn operating_points_zero(
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<bool> {
    let mut inst = instance::<Exact>(&a.symbols, env, functions);
    let n = input_len(&a.symbols, &a.input, &mut inst);
    inst.symbols
        .insert(a.input.clone(), Val::V(vec![Exact(Some(Q::from(0u32))); n]));
    for ly in &a.expansion.layers {
        crate::analysis::set_constants_before(&a.expansion.constants, ly.index, &mut inst).ok()?;
        if ly.op_point.is_zero() {
            continue;
        }
        let c = crate::analysis::identity::operating_point(ly, &mut inst).ok()?;
        if !all_entries(&c, |v| v.0.is_some()) {
            return None;
        }
        if !all_entries(&c, |v| v.0.as_ref().is_some_and(|q| *q == 0u32)) {
            return Some(false);
        }
        if let Some(sym) = &ly.op_symbol {
            inst.symbols.insert(sym.clone(), c);
        }
    }
    Some(true)
}

/// `term` at each point (values of the input) in the instance `ev`, evaluated exactly:
/// `Some(Some(point))` for the first point where it is not 0, `Some(None)` when it is 0 at
/// every point; `None` when a value there is not rational, a float entered the evaluation, or
/// the budget runs out.
fn first_non_zero_point(
    term: &Expr,
    ev: &TermInstance,
    input: &Symbol,
    points: &[Vec<Q>],
) -> Option<Option<Vec<Q>>> {
    for p in points {
        if crate::limits::interrupted() {
            return None;
        }
        let mut inst = ev.inst.clone();
        inst.symbols.insert(
            input.clone(),
            Val::V(p.iter().map(|q| Exact(Some(q.clone()))).collect()),
        );
        let (value, clean) = Exact::untainted(|| eval_expr(term, &mut inst, ev.rows));
        let entries: Vec<Exact> = match value.ok().filter(|_| clean)? {
            Val::S(v) => vec![v],
            Val::V(v) => v,
            Val::M(m) => m.into_iter().flatten().collect(),
        };
        if entries
            .iter()
            .any(|v| v.0.as_ref().is_some_and(|q| *q != 0u32))
        {
            return Some(Some(p.clone()));
        }
        if entries.iter().any(|v| v.0.is_none()) {
            return None;
        }
    }
    Some(None)
}

/// A seed for the random points of a test of `term` at the values of `inst`: `base` mixed with
/// a hash (FNV-1a) of the term and of every value, so that the points follow from what is
/// tested, the same for the same input (determinism), and weights cannot be chosen to vanish
/// at them without knowing the points they themselves decide (from a review: with the points
/// fixed, a vector orthogonal to all four made (aᵀ·x)² "0 at these values").
fn content_seed<R: std::fmt::Debug>(base: u64, term: &Expr, inst: &Instance<R>) -> u64 {
    use std::fmt::Write;
    struct Fnv(u64);
    impl Write for Fnv {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
            }
            Ok(())
        }
    }
    let mut h = Fnv(0xCBF2_9CE4_8422_2325 ^ base);
    // The printed term, not its Debug form, which may show an atom's address.
    let _ = h.write_str(&crate::print::ascii(term));
    for (symbol, value) in &inst.symbols {
        let _ = write!(h, "{symbol:?}={value:?};");
    }
    h.0
}

/// The next state of the seeded generator the random points are drawn from (Knuth's MMIX
/// linear congruential step), returned.
fn next_random(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state
}

/// `count` seeded inputs of `n` entries, integers of either sign up to 2¹⁶ in size.
fn random_points(seed: u64, count: usize, n: usize) -> Vec<Vec<Q>> {
    let mut state = seed;
    let mut draw = || {
        let state = next_random(&mut state);
        let q = Q::from(1 + ((state >> 33) & 0xFFFF));
        if state >> 63 == 1 { -q } else { q }
    };
    (0..count)
        .map(|_| (0..n).map(|_| draw()).collect())
        .collect()
}

/// How many random inputs [`leading_zero_in_floats`] tries.
pub(crate) const FLOAT_POINTS: usize = 4;

/// Whether the first non-affine term N of `a` (of order k) is 0 at the bound values to within
/// what floats resolve, where the exact tests cannot see it: its constants are not rational
/// (tanh″(0.3) of two equal neurons with opposite output weights, cancelling). N is evaluated
/// at [`FLOAT_POINTS`] random inputs on the [`Ladder`] of precisions: where it is the same in
/// two of them at some input, it is not 0 (None: the verdict as it stands); where it is
/// rounding error at every input, or not resolved at all, that is not decided exactly, and the
/// caller says the order at these values is not decided (`Some(why)`), never that N is 0:
/// before this test, the generic order was said of a network that is 0 everywhere.
pub(crate) fn leading_zero_in_floats(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    a.decision.k?;
    let n_term = &a.decision.leading_full;
    if n_term.is_zero() || unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name) {
        return None;
    }
    // The inputs are drawn from the 256-bit instance, clean or not, so that every precision
    // looks at the same ones.
    let context = (l, a, env, functions);
    let first = Ladder::noted::<Big<256>>(context, Probe::Inputs(&[]));
    let ((ev, _), _) = &first;
    let (inst, _, n) = ev.as_ref().ok()?;
    let seed = content_seed(0x0A40_9382_2299_F31D, n_term, inst);
    let points = random_points(seed, FLOAT_POINTS, *n);
    let mut ladder = Ladder::new(context, n_term, Probe::Inputs(&points), first);
    leading_term_in_floats(ladder.judge()?, "random inputs")
}

/// Why the order at the values is not decided, where the ladder found the first non-affine
/// term at [`FLOAT_POINTS`] `inputs` not resolved or rounding error; None where it is not 0.
fn leading_term_in_floats(judged: InFloats, inputs: &str) -> Option<String> {
    let why = match judged {
        InFloats::NonZero => return None,
        InFloats::Rounding => format!(
            "the first non-affine term above is 0 at these values to within 8192-bit floats: at each of {FLOAT_POINTS} {inputs} its value is rounding error ({ROUNDING})"
        ),
        InFloats::Unresolved => format!(
            "the first non-affine term above is not resolved at these values by floats of up to 8192 bits: at each of {FLOAT_POINTS} {inputs} its value differs in each pair of precisions ({UNRESOLVED})"
        ),
    };
    Some(format!(
        "{why}; its constants are not rational, so whether it vanishes exactly, and the order at these values, is not decided"
    ))
}

/// What a value looks like that the ladder takes for rounding error, in words.
const ROUNDING: &str = "it is not the same in 256- and 512-, 2048- and 4096-, or 4096- and 8192-bit floats, as a value that is not 0 is once they resolve it, and in 8192 bits it is 0, below 2⁻⁷⁰⁰⁰ of its terms' size (or of 1), or below 2⁻²⁰⁰⁰ of its value in a coarser precision";

/// What a value looks like that the ladder does not resolve, in words.
const UNRESOLVED: &str = "256 and 512, 2048 and 4096, 4096 and 8192 bits; and the 8192-bit value is neither 0 nor small beside its terms, 1, or its value in a coarser precision";

/// The precisions, in pairs of a precision and a finer one, that a value the exact tests
/// cannot decide is looked at in: a value that is not 0 is the same in both of a pair once
/// they resolve it; rounding error is not, as it scales with the precision. Finer pairs
/// resolve what a coarser one loses (tanh″(1000) ≈ 2⁻²⁸⁸⁴ is 1 − tanh(1000)², which rounds to
/// 0 below 4096 bits).
const PRECISION_PAIRS: [(usize, usize); 3] = [(256, 512), (2048, 4096), (4096, 8192)];

/// What floats of rising precision say of a value whose constants are not rational.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFloats {
    /// The same in both precisions of a pair, at some input: not 0.
    NonZero,
    /// At every input, never the same in a pair, and at 8192 bits 0, below 2⁻⁷⁰⁰⁰ of its terms'
    /// size (or of 1), or fallen by 2²⁰⁰⁰ from a coarser precision: rounding error, 0 to within
    /// the floats.
    Rounding,
    /// Neither: not resolved by the floats.
    Unresolved,
}

/// A term looked at in floats of each precision of [`PRECISION_PAIRS`], each evaluated once
/// and only where a coarser pair did not decide. The term's size, its largest entry's
/// magnitude, is compared, not its terms' size: a term of one factor is its own size, so its
/// rounding residue is never small beside it (from a review: softplus″(0.5) − softplus″(−0.5),
/// one chain W₂·(softplus″(c₁)∘u₁²), was some 2⁻²³¹ in 256 bits and 0 at another input,
/// and read as genuine: `affine`, k = 2, of the network x + 0.5).
struct Ladder<'a> {
    context: Context<'a>,
    term: &'a Expr,
    probe: Probe<'a>,
    /// Each precision's (size, terms' size) at each input; None: not evaluated cleanly (a
    /// piece taken by a near tie, or a sum that lost every digit where that may take one).
    sizes: BTreeMap<usize, Option<Vec<(Size, Size)>>>,
}

/// A magnitude m·2^e with m in [½, 1), or 0, read from a float without its exact rational
/// (σ′ at 10⁹ is e^(−10⁹), whose rational has 1.4·10⁹ bits; from a review, forming it ran
/// past the time budget): enough to compare two values to 2⁻⁴⁰, whatever their exponent.
#[derive(Clone, Copy, Debug)]
struct Size {
    m: f64,
    e: i64,
}

impl Size {
    /// |v|; None where it is not a finite number.
    fn of<R: Real>(v: &R) -> Option<Size> {
        let v = v.abs();
        let f = v.to_f64();
        if f.is_nan() {
            return None;
        }
        if !R::zero().lt(&v) {
            return Some(Size { m: 0.0, e: 0 });
        }
        match v.binary_exponent() {
            Some(e) => {
                let two = R::of_q(&Q::from(2u32));
                let m = v.mul(&two.powi(i32::try_from(-e).ok()?)).to_f64();
                m.is_finite().then_some(Size { m, e })
            }
            None if f.is_finite() => {
                let (m, e) = libm::frexp(f);
                Some(Size { m, e: i64::from(e) })
            }
            None => None,
        }
    }
    /// log₂ of the size, −∞ for 0: for comparisons by thousands of bits.
    fn log2(&self) -> f64 {
        if self.m == 0.0 {
            f64::NEG_INFINITY
        } else {
            self.e as f64 + self.m.log2()
        }
    }
    /// The same as `fine`, a non-zero size, to 2⁻⁴⁰ of it.
    fn same_as(&self, fine: &Size) -> bool {
        if self.m == 0.0 || fine.m == 0.0 || (self.e - fine.e).abs() > 1 {
            return false;
        }
        let ratio = self.m / fine.m * 2f64.powi((self.e - fine.e) as i32);
        (ratio - 1.0).abs() <= 2f64.powi(-40)
    }
}

/// What a [`Ladder`] evaluates: the lowered network, its analysis, the bound values and the
/// definitions.
type Context<'a> = (
    &'a Lowered,
    &'a Analysis,
    &'a Env,
    &'a BTreeMap<String, Callee>,
);

/// Where a [`Ladder`] looks at its term.
#[derive(Clone, Copy)]
enum Probe<'a> {
    /// At these inputs (vectors).
    Inputs(&'a [Vec<Q>]),
    /// With the input at 0 (W).
    Origin,
    /// At these token matrices (a matrix input).
    Matrices(&'a [Vec<Vec<Q>>]),
}

/// The bound values' instance in floats, the output's rows and the input's length (0 for a
/// matrix input), whether it took no piece by a near tie, and whether a sum in it lost every
/// digit where that may have taken one.
type Noted<R> = ((Result<(Instance<R>, usize, usize), String>, bool), bool);

impl<'a> Ladder<'a> {
    /// The ladder of `term` at `probe`, with its 256-bit evaluation `first` (from
    /// [`Ladder::noted`]) already done.
    fn new(context: Context<'a>, term: &'a Expr, probe: Probe<'a>, first: Noted<Big<256>>) -> Self {
        let mut ladder = Ladder {
            context,
            term,
            probe,
            sizes: BTreeMap::new(),
        };
        let at_256 = ladder.sizes_of(256, first);
        ladder.sizes.insert(256, at_256);
        ladder
    }

    /// The instance in `R` for `probe`: the network's, with the operating points set, or for a
    /// matrix input the operating points' alone.
    fn noted<R: Real>((l, a, env, functions): Context<'_>, probe: Probe<'_>) -> Noted<R> {
        noting_piece_cancellations(a, || {
            crate::float::without_near_ties(|| match probe {
                Probe::Matrices(_) => {
                    at_operating_points::<R>(a, env, functions).map(|(mut i, _, _)| {
                        let rows = i.dim(&l.ir.shape().rows);
                        (i, rows, 0)
                    })
                }
                _ => evaluate::<R>(l, a, env, functions).map(|ev| (ev.inst, ev.rows, ev.n)),
            })
        })
    }

    /// (size, terms' size) at each input, from an evaluation where it is clean. A sum that
    /// lost every digit may have taken a piece below 4096 bits, where a weight past 2^(bits)
    /// makes its rounding an O(1) value; from 4096 bits on it is read as the 0 it is to within
    /// them (4·cos(½) − 4·cos(½) in W under a softsign loses every digit at every precision;
    /// from a hunt, W = 0 there was `affine`, and networks through a softsign whose W is not 0
    /// were left undecided when no pair below 4096 bits was used).
    fn sizes_of<R: Real>(
        &self,
        bits: usize,
        ((ev, clean), cancelled): Noted<R>,
    ) -> Option<Vec<(Size, Size)>> {
        let cancelled = cancelled && bits < 4096;
        let (inst, rows, n) = ev.ok().filter(|_| clean && !cancelled)?;
        let of = |p: &[Q]| p.iter().map(R::of_q).collect::<Vec<R>>();
        let inputs: Vec<Val<R>> = match self.probe {
            Probe::Inputs(points) => points.iter().map(|p| Val::V(of(p))).collect(),
            Probe::Origin => vec![Val::V(vec![R::zero(); n])],
            Probe::Matrices(points) => (points.iter())
                .map(|m| Val::M(m.iter().map(|r| of(r)).collect()))
                .collect(),
        };
        (inputs.into_iter())
            .map(|x| {
                let input_at = (&self.context.1.input, x);
                let (value, scale) = value_and_scale(self.term, &inst, rows, input_at)?;
                Some((Size::of(&largest(&value))?, Size::of(&scale)?))
            })
            .collect()
    }

    /// The sizes in `bits`-bit floats, evaluated on first use.
    fn at(&mut self, bits: usize) -> Option<&[(Size, Size)]> {
        if !self.sizes.contains_key(&bits) {
            let (context, probe) = (self.context, self.probe);
            let sizes = match bits {
                512 => self.sizes_of(512, Self::noted::<Big<512>>(context, probe)),
                2048 => self.sizes_of(2048, Self::noted::<Big<2048>>(context, probe)),
                4096 => self.sizes_of(4096, Self::noted::<Big<4096>>(context, probe)),
                8192 => self.sizes_of(8192, Self::noted::<Big<8192>>(context, probe)),
                _ => None,
            };
            self.sizes.insert(bits, sizes);
        }
        self.sizes.get(&bits)?.as_deref()
    }

    /// What the floats say of the term: None where it could not be evaluated at all.
    fn judge(&mut self) -> Option<InFloats> {
        let mut evaluated = false;
        for (coarse, fine) in PRECISION_PAIRS {
            let Some(at_coarse) = self.at(coarse).map(<[_]>::to_vec) else {
                continue;
            };
            let Some(at_fine) = self.at(fine) else {
                continue;
            };
            evaluated = true;
            if (at_coarse.iter().zip(at_fine)).any(|((c, _), (f, _))| c.same_as(f)) {
                return Some(InFloats::NonZero);
            }
        }
        // The largest size at each input in the coarser precisions evaluated cleanly, as log₂.
        let mut coarser: Vec<f64> = Vec::new();
        for sizes in self.sizes.range(..8192).filter_map(|(_, s)| s.as_ref()) {
            coarser.resize(sizes.len(), f64::NEG_INFINITY);
            for (c, (size, _)) in coarser.iter_mut().zip(sizes) {
                *c = c.max(size.log2());
            }
        }
        let at_8192 = self.at(8192);
        if !evaluated && at_8192.is_none() {
            return None;
        }
        let rounding = at_8192.is_some_and(|top| {
            top.iter().enumerate().all(|(i, (size, scale))| {
                let log2 = size.log2();
                log2 == f64::NEG_INFINITY
                    || log2 + 7000.0 <= scale.log2().max(0.0)
                    || coarser.get(i).is_some_and(|c| log2 + 2000.0 <= *c)
            })
        });
        Some(if rounding {
            InFloats::Rounding
        } else {
            InFloats::Unresolved
        })
    }
}

/// Whether every bar |u| of the first non-affine term (in the input's terms; the outermost
/// ones) has u below 2⁻²⁰⁰ of its terms' size at [`FLOAT_POINTS`] random inputs, in 256-bit
/// floats at the values of `env`: with the small biases at 0 there, u is then a function of
/// the biases alone to leading order, |u| has its sign for every small input, and the bar is
/// no kink in the input (`relu(W₁·x + b₁)` with W₁ = 0 is relu(b₁); from a review, it was
/// `kink`). Floats may take a tiny u for 0: that makes a kink undecided, never a verdict.
pub(crate) fn bars_free_of_the_input(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> bool {
    fn outermost_bars(e: &Expr, out: &mut Vec<Expr>) {
        for (chain, _) in e.terms() {
            chain.factors().iter().for_each(|f| in_factor(f, out));
        }
    }
    fn in_factor(f: &crate::algebra::nf::Factor, out: &mut Vec<Expr>) {
        use crate::algebra::nf::Factor;
        match f {
            Factor::Atom(a) if a.is_bar() => out.push(a.arg.clone()),
            Factor::Atom(a) => outermost_bars(&a.arg, out),
            Factor::Had(h) => (h.elements().iter())
                .for_each(|(e, _)| e.factors().iter().for_each(|f| in_factor(f, out))),
            Factor::Dot(d) | Factor::Tr(d) | Factor::Diag(d) => {
                d.factors().iter().for_each(|f| in_factor(f, out))
            }
            _ => {}
        }
    }
    let mut bars = Vec::new();
    outermost_bars(&a.decision.leading_full, &mut bars);
    if bars.is_empty() || unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name) {
        return false;
    }
    terms_pass_at_random_inputs(&bars, l, a, env, functions, InputTest::Zero)
}

/// What [`terms_pass_at_random_inputs`] tests a term for at random inputs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputTest {
    /// 0: the term vanishes there.
    Zero,
    /// An affine function of the input: T(p + q) − T(p) − T(q) + T(0) is 0 at pairs of the
    /// random inputs (p with the next, and with itself), so the term is a part of W and b
    /// there (`V·relu(W₁·x + b₁)` with W₁ = [0; 1], V = [1, 0] is relu(b₁₁) for every x, and
    /// relu(−2·relu(u)) is 0; from reviews, both were `kink`).
    Affine,
}

/// Whether each of `terms` is 0 at [`FLOAT_POINTS`] random inputs and their negatives (of
/// both signs in every entry, so that a term 0 on a half-space is met off it: from a review,
/// relu(−x) + ½·relu(−x/3) was taken for 0 at four inputs that were all positive) at the
/// values of `env`:
/// below 2⁻²⁰⁰ of its terms' size in 256-bit floats, then 2⁻¹⁵⁰⁰ in 2048 and 2⁻⁷⁰⁰⁰ in 8192 (a
/// rational 10⁻⁸⁰·x, of terms x and −(1 + 10⁻⁸⁰)·x, is no 0; from a review, it was taken for
/// one at 256 bits, and a kink made undecided). The network may sit on its kink at x₀ there,
/// a near tie in its evaluation that the terms, polynomials in the input and in |·| of such,
/// do not read; one at an operating point they read can only make them look non-zero, or 0
/// where they are not, and so a kink kept or made undecided, never another verdict.
fn terms_pass_at_random_inputs(
    terms: &[Expr],
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    test: InputTest,
) -> bool {
    let Ok(ev) = evaluate::<Big<256>>(l, a, env, functions) else {
        return false;
    };
    let seed = content_seed(0x5BD1_E995_6C07_2F3B, &a.decision.leading_full, &ev.inst);
    let mut points = random_points(seed, FLOAT_POINTS, ev.n);
    let negatives: Vec<Vec<Q>> = (points.iter())
        .map(|p| p.iter().map(|x| -x).collect())
        .collect();
    points.extend(negatives);
    fn all_at<R: Real>(
        terms: &[Expr],
        ev: &Evaluated<R>,
        a: &Analysis,
        points: &[Vec<Q>],
        floor: i32,
        test: InputTest,
    ) -> bool {
        (terms.iter()).all(|u| match test {
            InputTest::Zero => {
                (points.iter()).all(|p| small_beside_terms(u, ev, &a.input, p, floor) == Some(true))
            }
            InputTest::Affine => affine_at_points(u, ev, &a.input, points, floor) == Some(true),
        })
    }
    all_at(terms, &ev, a, &points, -200, test)
        && evaluate::<Big<2048>>(l, a, env, functions)
            .is_ok_and(|ev| all_at(terms, &ev, a, &points, WIDE_GENUINE_LOG2, test))
        && evaluate::<Big<8192>>(l, a, env, functions)
            .is_ok_and(|ev| all_at(terms, &ev, a, &points, -7000, test))
}

/// Whether the first non-affine term (in the input's terms) is 0 at random inputs (or, with
/// [`InputTest::Affine`], is affine in the input there), as [`terms_pass_at_random_inputs`]
/// decides it, at the values of `env`.
pub(crate) fn leading_term_passes_at_random_inputs(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    test: InputTest,
) -> bool {
    if unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name) {
        return false;
    }
    terms_pass_at_random_inputs(
        std::slice::from_ref(&a.decision.leading_full),
        l,
        a,
        env,
        functions,
        test,
    )
}

/// W at the bound values when its constants are not rational, against the verdict's W ≠ 0,
/// looked at on the [`Ladder`] of precisions as the first non-affine term is
/// ([`leading_zero_in_floats`]). `W₂·tanh(W₁·x + b₁)` with W₁ = [1; −1], b₁ = [1, 1],
/// W₂ = [1, 1] has W = tanh′(1) − tanh′(1) = 0, and tanh(1 + x) + tanh(1 − x) has
/// tanh′(1) − tanh′(−1); from a review, both were `affine` with W shown as a rounded 0; and
/// W₂·softplus(W₁·x + b₁) with b₁ = [0.3, −0.3, 0], W₂ = [1, 1, −2] has W = σ(0.3) + σ(−0.3) −
/// 2·σ(0) = 0, one chain, whose rounding residue its terms' size did not show. Not decided
/// exactly: `Some(why)` says the verdict is not decided, never that W is 0.
pub(crate) fn w_zero_in_floats(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> Option<String> {
    let w = &a.decision.w;
    if w.is_zero() || unbound_symbols(a, env).any(|(s, _)| s.name != a.input.name) {
        return None;
    }
    let context = (l, a, env, functions);
    let first = Ladder::noted::<Big<256>>(context, Probe::Origin);
    let mut ladder = Ladder::new(context, w, Probe::Origin, first);
    let why = match ladder.judge()? {
        InFloats::NonZero => return None,
        InFloats::Rounding => {
            format!("is 0 at these values to within 8192-bit floats ({ROUNDING})")
        }
        InFloats::Unresolved => format!(
            "is not resolved at these values by floats of up to 8192 bits: it differs in each pair of precisions ({UNRESOLVED})"
        ),
    };
    Some(format!(
        "{} {why}, where the verdict takes it to be non-zero; its constants are not rational, so whether it vanishes exactly (the network then degenerate, led by the first non-affine term above) is not decided",
        a.form.w.unicode()
    ))
}

/// Whether every entry of `term` at the input `p` is below 2^`log2_floor` of the largest
/// entry of its terms taken one by one (0 when every term is 0). None: not evaluated.
fn small_beside_terms<R: Real>(
    term: &Expr,
    ev: &Evaluated<R>,
    input: &Symbol,
    p: &[Q],
    log2_floor: i32,
) -> Option<bool> {
    let x = Val::V(p.iter().map(R::of_q).collect());
    small_at(term, &ev.inst, ev.rows, (input, x), log2_floor)
}

/// Whether T(p + q) − T(p) − T(q) + T(0), for `term` T, is below 2^`log2_floor` of the largest
/// of its terms at any of the four inputs, for each point p of `points` with q the next point
/// and with q = p: 0 for every p and q where T is affine in the input. T at 0 and at each point
/// is evaluated once.
fn affine_at_points<R: Real>(
    term: &Expr,
    ev: &Evaluated<R>,
    input: &Symbol,
    points: &[Vec<Q>],
    log2_floor: i32,
) -> Option<bool> {
    let at = |x: &[Q]| {
        let x = x.iter().map(R::of_q).collect();
        value_and_scale(term, &ev.inst, ev.rows, (input, Val::V(x)))
    };
    let n = points.first()?.len();
    let zero = at(&vec![Q::from(0u32); n])?;
    let values: Vec<(Vec<R>, R)> = points.iter().map(|p| at(p)).collect::<Option<_>>()?;
    for (i, (p, at_p)) in points.iter().zip(&values).enumerate() {
        let k = (i + 1) % points.len();
        for (q, at_q) in [(&points[k], &values[k]), (p, at_p)] {
            let sum: Vec<Q> = p.iter().zip(q).map(|(x, y)| x + y).collect();
            let at_sum = at(&sum)?;
            let m = at_sum.0.len();
            if at_p.0.len() != m || at_q.0.len() != m || zero.0.len() != m {
                return None;
            }
            let defect: Vec<R> = (0..m)
                .map(|e| at_sum.0[e].sub(&at_p.0[e]).sub(&at_q.0[e]).add(&zero.0[e]))
                .collect();
            let scale = [&at_p.1, &at_q.1, &zero.1]
                .into_iter()
                .fold(at_sum.1.clone(), |m, x| if m.lt(x) { x.clone() } else { m });
            let floor = scale.mul(&R::of_f64(0.5).powi(-log2_floor));
            if floor.lt(&largest(&defect)) {
                return Some(false);
            }
        }
    }
    Some(true)
}

/// The entries of a value, row by row.
fn entries<R: Real>(v: Val<R>) -> Vec<R> {
    match v {
        Val::S(v) => vec![v],
        Val::V(v) => v,
        Val::M(m) => m.into_iter().flatten().collect(),
    }
}

/// The largest magnitude among `xs` (0 for none).
fn largest<R: Real>(xs: &[R]) -> R {
    xs.iter()
        .map(R::abs)
        .fold(R::zero(), |m, x| if m.lt(&x) { x } else { m })
}

/// Whether `term`, with the input at `x`, is below 2^`log2_floor` of its largest term there.
fn small_at<R: Real>(
    term: &Expr,
    inst: &Instance<R>,
    rows: usize,
    input_at: (&Symbol, Val<R>),
    log2_floor: i32,
) -> Option<bool> {
    let (value, scale) = value_and_scale(term, inst, rows, input_at)?;
    let floor = scale.mul(&R::of_f64(0.5).powi(-log2_floor));
    Some(!floor.lt(&largest(&value)))
}

/// The entries of `term` with the input at `x`, and the largest magnitude of its terms' entries
/// there: the size a value of the term is small beside.
fn value_and_scale<R: Real>(
    term: &Expr,
    inst: &Instance<R>,
    rows: usize,
    (input, x): (&Symbol, Val<R>),
) -> Option<(Vec<R>, R)> {
    let mut inst = inst.clone();
    inst.symbols.insert(input.clone(), x);
    let value = entries(eval_expr(term, &mut inst, rows).ok()?);
    let mut scale = R::zero();
    for (chain, coef) in term.terms() {
        let one = Expr::term(coef.clone(), chain.clone());
        let size = largest(&entries(eval_expr(&one, &mut inst, rows).ok()?));
        if scale.lt(&size) {
            scale = size;
        }
    }
    Some((value, scale))
}

/// How many points [`leading_zero_at_random_points`] tries.
pub(crate) const RANDOM_POINTS: usize = 32;

/// Whether the first non-affine term N of `a`, at the bound values, is 0 at each of
/// [`RANDOM_POINTS`] random points of both signs, evaluated exactly, when N is not a
/// polynomial in the input (it holds |·| of it: ½·p + ½·|p| is 0 wherever p ≤ 0). No identity
/// test bounds the error here, as a piecewise polynomial can be 0 on a half-space and not
/// elsewhere: this is evidence that N may vanish, never proof, and the caller says the verdict
/// is undecided, never that N is 0.
pub(crate) fn leading_zero_at_random_points(
    l: &Lowered,
    a: &Analysis,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
) -> bool {
    let n_term = &a.decision.leading_full;
    if a.decision.k.is_none() || n_term.is_zero() || polynomial_in(n_term, &a.input) {
        return false;
    }
    let Some(ev) = term_instance(l, a, env, functions) else {
        return false;
    };
    let seed = content_seed(0x1319_8A2E_0370_7344, n_term, &ev.inst);
    let points = random_points(seed, RANDOM_POINTS, ev.n);
    first_non_zero_point(n_term, &ev, &a.input, &points) == Some(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The principal lattice of the simplex: C(n + k, k) points, each with entries summing to
    /// at most k, all distinct; and a polynomial of degree k that vanishes on the full grid's
    /// other points but not at all of these is told apart (x₁·x₂ − x₁·x₂ is 0; x₁·(x₁ − 1) is
    /// 0 at 0 and 1 but not at 2, which the lattice of degree 2 holds).
    #[test]
    fn the_simplex_lattice_has_its_binomial_count_and_decides_degree_k() {
        for (n, k, count) in [(1, 2, 3), (2, 2, 6), (6, 2, 28), (7, 3, 120), (3, 0, 1)] {
            let points = simplex_points(n, k).expect("small");
            assert_eq!((points.len(), simplex_size(n, k)), (count, Some(count)));
            let sums: Vec<Q> = (points.iter())
                .map(|p| p.iter().cloned().sum::<Q>())
                .collect();
            assert!(sums.iter().all(|s| *s <= k));
            let mut sorted = points.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), count);
        }
        let points = simplex_points(2, 2).expect("small");
        let p = |x: &[Q]| &x[0] * (&x[0] - Q::from(1u32));
        assert!(points.iter().any(|x| p(x) != 0u32));
        // Past the limit: none (the caller draws random points instead).
        assert_eq!(simplex_size(40, 4), None);
        assert!(simplex_points(40, 4).is_none());
    }
}
