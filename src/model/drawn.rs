//! A partly bound network checked at drawn values of its other weights.
//!
//! The verdict of a network some of whose weights have values is the generic one: it holds
//! for generic values of every weight, and the bound values need not be generic (W₂ = [1, −1]
//! after two equal entries cancels them; a bound entry −1 sends relu to its flat piece). What
//! the bound values force alone is checked exactly ([`super::instance`]); what they do
//! together with the others is checked here, by binding the others to seeded random
//! rationals and taking the numeric instance of the whole network, whose region, breakpoints
//! and first non-affine term are decided at those values. A verdict that differs at some draw,
//! or an assumption that fails there, leaves the partly bound network `undecided`: a
//! probabilistic check, said to be one. A draw that decides nothing is no evidence.

use super::Model;
use super::instance::Numeric;
use crate::algebra::Q;
use crate::algebra::nf::{Kind, Role};
use crate::analysis::Report;
use crate::ir::{Callee, Env};
use crate::syntax::Name;
use crate::syntax::ast::TensorLit;
use std::collections::BTreeMap;
use std::rc::Rc;

/// How many sets of values are drawn.
pub(super) const DRAWS: usize = 3;
/// Entries are ±k/2¹⁰ with 1 ≤ k ≤ 2²⁰: a coincidence (an entry on a breakpoint, two paths
/// that cancel) has probability near 2⁻²⁰ per draw.
const SPREAD: u64 = 1 << 20;
const SCALE: u64 = 1 << 10;

/// What one draw says of the generic verdict.
enum Draw {
    Agrees,
    /// The verdict at the drawn values, another one.
    Differs(&'static str),
    /// The first non-affine term the generic verdict names is 0 there.
    TermVanishes,
    /// That term, with |·| of the input, is 0 at every random point tried there.
    TermZeroAtPoints,
    /// An assumption of the expansion fails there: an entry on a breakpoint (true), or a
    /// derivative taken to be non-zero 0 at every entry of a layer (false).
    AssumptionFails(bool),
    /// An operating point closer to a breakpoint than 8192-bit floats resolve: which piece
    /// holds there, and so the verdict, is not known (evidence, not proof, against it).
    PieceUnresolved,
    /// Nothing decided at the drawn values.
    NoEvidence,
}

/// What the draws say of the generic verdict.
pub(super) enum Drawn {
    /// Why the partly bound network is not decided: some draw contradicts the verdict.
    Contradicts(String),
    /// Why it is not decided: with small symbols without values at 0, the first non-affine
    /// term, which does not read them, is 0 (or 0 at every point tried) at every draw.
    LeadingTermZero(String),
    /// Every draw decided, each as the verdict says (its label).
    AllAgree(&'static str),
    /// No draw, or some decided nothing and none contradicted.
    Nothing,
}

/// The generic verdict against the network at drawn values of `missing`, and of the scalar
/// parameters `params` without values: a parameter left symbolic would be read as a stand-in
/// number, or leave the numeric instance without a verdict, taken to agree (from a review:
/// `relu(W1·x + λ·b1)` with b₁ = 0, a kink for every λ, passed as exact-affine).
pub(super) fn against_drawn_values(
    model: &Model,
    report: &Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    missing: &[Name],
    params: &[Name],
    opts: &crate::analysis::AnalyzeOptions,
) -> Drawn {
    // A small symbol without a value (a bias) is O(ε) like the input: no value drawn for it
    // is faithful (0 is a special point, relu(W₁·x + b₁) − relu(W₁·x) is 0 only there, and an
    // O(1) value moves the breakpoints away). Where every weight has a value and neither the
    // first non-affine term (in the input's terms) nor an operating point it reads holds one,
    // it is set to 0, and only what those decide counts: that term 0, or an assumption at the
    // operating points failing (b₂ of relu(W₂·sigmoid(W₁·x + b₁) + b₂) with W₁, W₂, b₁ bound:
    // relu′ is 0 at c₂ = −σ(2), and "affine up to O(ε²)" stood beside a network that is 0
    // near x = 0). Else not drawn: with weights drawn too (entries up to 2¹⁰), hard_tanh
    // saturated at every draw, and a true verdict was made undecided (from a review).
    let a = &report.main;
    let small: Vec<Name> = (missing.iter())
        .filter(|n| **n != a.input.name && a.small.contains(n))
        .cloned()
        .collect();
    let weights_free = (missing.iter()).any(|n| *n != a.input.name && !small.contains(n));
    if !small.is_empty() {
        if weights_free || !params.is_empty() {
            return Drawn::Nothing;
        }
        if reads_through_points(a, &a.decision.leading_full, &small) {
            return kink_with_bars_reading_small_biases(model, report, env, functions, &small);
        }
        return with_small_biases_at_zero(model, report, env, functions, &small);
    }
    let generic = report.main.decision.verdict.label();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut param_state = 0x2545_F491_4F6C_DD1Du64;
    let mut draws = Vec::with_capacity(DRAWS);
    for _ in 0..DRAWS {
        if crate::limits::interrupted() {
            return Drawn::Nothing;
        }
        let Some(drawn) = drawn_env(report, env, functions, missing, &mut state) else {
            return Drawn::Nothing;
        };
        if params.is_empty() {
            let n = super::numeric_at(model, report, &drawn, functions, None);
            draws.push(judge(report, &n, generic));
            continue;
        }
        let Some((at, at_functions)) = at_drawn_params(model, functions, params, &mut param_state)
        else {
            return Drawn::Nothing;
        };
        let Ok(there) = crate::analysis::analyze(&at.lowered, opts) else {
            draws.push(Draw::NoEvidence);
            continue;
        };
        let n = super::numeric_at(&at, &there, &drawn, &at_functions, None);
        draws.push(judge_there(report, &there, &n, generic));
    }
    let mut names = missing.to_vec();
    names.extend(params.iter().cloned());
    let drew = if params.is_empty() {
        Drew::WeightEntries
    } else {
        Drew::ParameterValues
    };
    conclude(&draws, generic, &names, drew)
}

/// The network with every weight bound and the small symbols `small` (unbound, read neither
/// by the first non-affine term nor by an operating point it reads) at 0: one look, in which
/// only what that term and the operating points decide counts ([`about_the_leading_term`]).
fn with_small_biases_at_zero(
    model: &Model,
    report: &Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    small: &[Name],
) -> Drawn {
    let a = &report.main;
    if crate::limits::interrupted() {
        return Drawn::Nothing;
    }
    let Some(env) = bound_to(report, env, functions, small, || Q::from(0u32)) else {
        return Drawn::Nothing;
    };
    let generic = a.decision.verdict.label();
    let n = super::numeric_at(model, report, &env, functions, None);
    // An operating point exactly on its breakpoint, decided exactly, does not read the biases:
    // the expansion's assumption fails there for every value of them (relu at tanh(−1) −
    // tanh(−1) + b₂ is a kink at x = −b₂/… inside the ball; from a review, it was `affine`).
    let draw = if n.breakpoint.is_some() && generic != crate::analysis::Verdict::Kink.label() {
        Draw::AssumptionFails(true)
    } else {
        about_the_leading_term(judge(report, &n, generic), generic)
    };
    if matches!(draw, Draw::Agrees | Draw::NoEvidence) {
        return Drawn::Nothing;
    }
    let names: Vec<String> = small.iter().map(Name::unicode).collect();
    let names = names.join(", ");
    let why = format!(
        "with {names} at 0 (O(ε), and read neither by the first non-affine term in the input's terms nor by an operating point it reads), the network with every weight bound is {}, where the verdict above is {generic} for generic values: at these bound values it {} hold, for every small value of {names}",
        describe(&draw),
        if matches!(draw, Draw::TermZeroAtPoints | Draw::PieceUnresolved) {
            "may not"
        } else {
            "does not"
        }
    );
    // W and b at the zeroed biases are W and b: a residual there is the next order's.
    let term_zero = matches!(draw, Draw::TermVanishes | Draw::TermZeroAtPoints);
    if term_zero
        && !reads_through_points(a, &a.decision.w, small)
        && !reads_through_points(a, &a.decision.b, small)
    {
        Drawn::LeadingTermZero(why)
    } else {
        Drawn::Contradicts(why)
    }
}

/// A kink whose bars read the small biases without values, every weight bound: where each
/// bar's argument is 0 for every input with those biases at 0, it is a function of the biases
/// alone to leading order, of one sign for every small input, and no kink in the input
/// ([`instance::bars_free_of_the_input`]); where the first non-affine term is 0 at random
/// inputs with the biases at random values too, its bars cancel for every value of them. Either
/// way the verdict is contradicted.
fn kink_with_bars_reading_small_biases(
    model: &Model,
    report: &Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    small: &[Name],
) -> Drawn {
    let a = &report.main;
    if a.decision.verdict != crate::analysis::Verdict::Kink {
        return Drawn::Nothing;
    }
    let names: Vec<String> = small.iter().map(Name::unicode).collect();
    let names = names.join(", ");
    let Some(at_zero) = bound_to(report, env, functions, small, || Q::from(0u32)) else {
        return Drawn::Nothing;
    };
    if !super::instance::bars_free_of_the_input(&model.lowered, a, &at_zero, functions) {
        // Bars that cancel for every value of the biases (|x + b| − |x + b|, 2·relu(x + b) −
        // relu(2x + 2b); from a review, each was `kink`): the term is 0 at random inputs with
        // the biases at random values too.
        // The biases at nine scales about the random inputs' (integers up to 2¹⁶): a term
        // non-zero only where |x| is below the biases' size (the tent relu(x + b) + relu(x −
        // b) − 2·relu(x); from a review of this check, it was said to cancel) is met at one,
        // and one constant only where |x| is below a multiple of it (relu(|x|/1000 − |b|);
        // from a review, with the biases at 2⁰ to 2¹⁸ times a draw, it was said to be affine)
        // at another: down to 2⁻²⁰⁰⁰, below which the bias is lost beside the input in the
        // floats and the term read at bias 0, where such a plateau is gone (relu(b − 10⁻⁸⁰·x)
        // is a kink in x there). Else the term may be affine in the input (a bar that reads
        // it only where its weight is 0: V·relu(W₁·x + b₁) with W₁ = [0; 1], V = [1, 0] is
        // relu(b₁₁); bars that sum to a linear form: relu(−2·relu(u)) is 0; from reviews, both
        // were `kink`): a part of W and b, no kink.
        use super::instance::InputTest;
        for test in [InputTest::Zero, InputTest::Affine] {
            let mut state = 0x6A09_E667_F3BC_C909u64;
            let mut every_scale = true;
            for log2_scale in [6i64, 0, 12, 18, -20, -60, -200, -600, -2000] {
                let scale =
                    <Q as malachite_base::num::arithmetic::traits::PowerOf2<i64>>::power_of_2(
                        log2_scale,
                    );
                let Some(drawn) =
                    bound_to(report, env, functions, small, || draw(&mut state) * &scale)
                else {
                    return Drawn::Nothing;
                };
                if !super::instance::leading_term_passes_at_random_inputs(
                    &model.lowered,
                    a,
                    &drawn,
                    functions,
                    test,
                ) {
                    every_scale = false;
                    break;
                }
            }
            if !every_scale {
                continue;
            }
            let points = super::instance::FLOAT_POINTS;
            let drawn = format!(
                "with {names} given random values (9 seeded draws of rational entries at scales 2⁻²⁰⁰⁰ to 2¹⁸, a probabilistic check)"
            );
            return Drawn::Contradicts(match test {
                InputTest::Zero => format!(
                    "{drawn}, the first non-affine term in the input's terms is 0 at every random input tried (to within 8192-bit floats at {points} random inputs and their negatives each): its bars appear to cancel, and the kink above is not decided at these bound values (one farther out than the draws reach, where weights are more than about 2¹⁹⁰⁰ apart, is not excluded); the order at these values is not decided"
                ),
                InputTest::Affine => format!(
                    "{drawn}, the first non-affine term in the input's terms is affine in the input at every pair of random inputs tried (T(p + q) − T(p) − T(q) + T(0) is 0 to within 8192-bit floats, at {points} random inputs and their negatives each): it appears to be a part of W and b, and the kink above is not decided at these bound values (one farther out than the draws reach, where weights are more than about 2¹⁹⁰⁰ apart, is not excluded); the order at these values is not decided"
                ),
            });
        }
        return Drawn::Nothing;
    }
    Drawn::Contradicts(format!(
        "with {names} at 0, the argument u of every bar |u| of the first non-affine term in the input's terms is 0 for every input (to within 8192-bit floats at {} random inputs and their negatives): at these bound values u is a function of {names} alone to leading order, of one sign for every small input, and |u| no kink in the input; the order at these values is not decided",
        super::instance::FLOAT_POINTS
    ))
}

/// What a draw with some small symbols at 0 says: only what the first non-affine term and the
/// operating points decide, which do not read them. For a kink that term is its bars, which
/// alone make it one: a network that is no kink there has them cancel, for every value of the
/// small symbols (`V·relu(W1·x) + b2` with V = [1, −1], W₁ = [1; −1] is x + b₂; from a review,
/// it was `kink`).
fn about_the_leading_term(d: Draw, generic: &str) -> Draw {
    match d {
        Draw::TermVanishes
        | Draw::TermZeroAtPoints
        | Draw::AssumptionFails(_)
        | Draw::PieceUnresolved => d,
        Draw::Differs(_) if generic == crate::analysis::Verdict::Kink.label() => d,
        Draw::Agrees | Draw::Differs(_) | Draw::NoEvidence => Draw::NoEvidence,
    }
}

/// Whether `e` reads any of `names`, itself or through the operating points and the named
/// constants it holds (c₂ = W₂·sigmoid(c₁) reads b₁ through c₁ = b₁).
fn reads_through_points(
    a: &crate::analysis::Analysis,
    e: &crate::algebra::Expr,
    names: &[Name],
) -> bool {
    let mut todo = vec![e.clone()];
    let mut seen_points = std::collections::BTreeSet::new();
    let mut seen_constants = std::collections::BTreeSet::new();
    while let Some(x) = todo.pop() {
        for s in x.symbols() {
            match s.role {
                Role::User if names.contains(&s.name) => return true,
                Role::OpPoint if seen_points.insert(s.clone()) => {
                    let layer =
                        (a.expansion.layers.iter()).find(|ly| ly.op_symbol.as_ref() == Some(&s));
                    match layer {
                        Some(ly) => todo.push(ly.op_point.clone()),
                        // An operating point that is not a layer's: not followed, so read.
                        None => return true,
                    }
                }
                // A layer variable (u₂ = W₂·u₁ + b₂): its definition.
                Role::Layer if seen_points.insert(s.clone()) => {
                    let def = (a.expansion.layers.iter())
                        .flat_map(|ly| ly.var.iter().chain(ly.whole.iter()))
                        .find(|(u, _)| *u == s);
                    match def {
                        Some((_, def)) => todo.push(def.clone()),
                        None => return true,
                    }
                }
                _ => {}
            }
        }
        for p in x.params() {
            if let Some(c) = (a.expansion.constants.iter()).find(|c| c.name == p)
                && seen_constants.insert(p)
            {
                todo.push(c.value.clone());
            }
        }
    }
    false
}

/// The model with each of `params` replaced by a drawn rational; None where one cannot be
/// written back into the network.
fn at_drawn_params(
    model: &Model,
    functions: &BTreeMap<String, Callee>,
    params: &[Name],
    state: &mut u64,
) -> Option<(Model, BTreeMap<String, Callee>)> {
    let mut at = model.clone();
    // The numeric evaluation reads the definitions from here: with the parameter left in them,
    // it read a stand-in number, the same at every draw (from a review, relu(exp(β·(x + 1)) −
    // 1) was "affine at every draw" though 0 near x = 0 for β < 0).
    let mut at_functions = functions.clone();
    for p in params {
        // A parameter scales what it enters (exp(β·t), a slope): drawn within ±4, not the ±2¹⁰
        // of a weight's entries, which saturated tanh(e^β) and underflowed its derivatives
        // (from a review, a true `affine` was made undecided).
        let value = draw(state) / Q::from(256u32);
        let v = crate::analysis::param_value(&crate::algebra::Scalar::from_q(value))?;
        at.lowered.ir = crate::analysis::substitute_param(&at.lowered.ir, p, &v);
        at.original.ir = crate::analysis::substitute_param(&at.original.ir, p, &v);
        for callee in at_functions.values_mut() {
            *callee = crate::analysis::substitute_param_in_callee(callee, p, &v);
        }
    }
    Some((at, at_functions))
}

/// A draw of the network analysed again at drawn parameter values (`there`) against the
/// generic verdict of `report`.
fn judge_there(report: &Report, there: &Report, n: &Numeric, generic: &'static str) -> Draw {
    let at_values = verdict_at_values(n, &there.main.decision.verdict);
    match judge(there, n, generic) {
        // The analysis at the drawn values has its own verdict (a value that happens to
        // be a condition's), and its own first non-affine order: compared as any other
        // (from a review, a k of 3 where the values give 4 was let through).
        Draw::Agrees if at_values != generic => Draw::Differs(at_values),
        Draw::Agrees if there.main.decision.k != report.main.decision.k => {
            Draw::Differs("of another first non-affine order")
        }
        d => d,
    }
}

/// What was drawn: the entries of weights without values, or the values of scalar parameters.
#[derive(Clone, Copy)]
enum Drew {
    WeightEntries,
    ParameterValues,
}

/// What the draws say, in words: `missing` the names given random values.
fn conclude(draws: &[Draw], generic: &'static str, missing: &[Name], drew: Drew) -> Drawn {
    if draws.iter().all(|d| matches!(d, Draw::Agrees)) {
        return Drawn::AllAgree(generic);
    }
    if draws
        .iter()
        .all(|d| matches!(d, Draw::Agrees | Draw::NoEvidence))
    {
        return Drawn::Nothing;
    }
    let said: Vec<&str> = draws.iter().map(describe).collect();
    let said = if said.iter().all(|d| *d == said[0]) {
        format!("{} at every draw", said[0])
    } else {
        let each: Vec<String> = (said.iter().enumerate())
            .map(|(k, d)| format!("{d} at draw {}", k + 1))
            .collect();
        each.join("; ")
    };
    let names: Vec<String> = missing.iter().map(Name::unicode).collect();
    let names = names.join(", ");
    // Every draw against the verdict: the bound values make it false; some only: it holds
    // or not by the values of the others (a sign pattern of theirs, on a set of some size).
    let all_against = draws
        .iter()
        .all(|d| !matches!(d, Draw::Agrees | Draw::NoEvidence));
    // A term 0 at the points tried is evidence, not proof, that the verdict fails.
    let evidence_only = draws.iter().all(|d| {
        matches!(
            d,
            Draw::TermZeroAtPoints | Draw::PieceUnresolved | Draw::Agrees | Draw::NoEvidence
        )
    });
    // Drawn parameters fall on one side of a sign condition or the other (elu's c + μ): what
    // the draws show holds at the values drawn (from a review, "does not hold" was said where
    // it holds for μ < −2 000).
    let (what, drawn) = match drew {
        Drew::WeightEntries => ("entries", ""),
        Drew::ParameterValues => ("values", " at the values drawn"),
    };
    let conclusion = if all_against && evidence_only {
        format!("at these bound values it may not hold{drawn}")
    } else if all_against {
        format!("at these bound values it does not hold{drawn}")
    } else {
        format!("at these bound values it holds or not by the values of {names}")
    };
    Drawn::Contradicts(format!(
        "with {names} given random values ({DRAWS} seeded draws of rational {what}, a probabilistic check), the network with every weight bound is {said}, where the verdict above is {generic} for generic values: {conclusion}, and with {names} symbolic nothing is decided"
    ))
}

/// The generic verdict against the network at drawn values of its scalar parameters
/// `params`, every weight bound: the conditions on a parameter (`iff λ = 1`) and the verdict
/// are found for generic weights, and bound values may make the first non-affine term or W
/// vanish for every value of it (W₂·leaky_relu(W₁·x; a = λ) with W₁ = [1; −1], W₂ = [1, −1]
/// is (1 + λ)·x). Each draw writes the drawn values into the network and analyses it again.
pub(super) fn against_drawn_params(
    model: &Model,
    report: &Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    opts: &crate::analysis::AnalyzeOptions,
    params: &[Name],
    generic: &'static str,
) -> Drawn {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut draws = Vec::with_capacity(DRAWS);
    for _ in 0..DRAWS {
        if crate::limits::interrupted() {
            return Drawn::Nothing;
        }
        let Some((at, at_functions)) = at_drawn_params(model, functions, params, &mut state) else {
            return Drawn::Nothing;
        };
        let Ok(there) = crate::analysis::analyze(&at.lowered, opts) else {
            draws.push(Draw::NoEvidence);
            continue;
        };
        let n = super::numeric_at(&at, &there, env, &at_functions, None);
        draws.push(judge_there(report, &there, &n, generic));
    }
    conclude(&draws, generic, params, Drew::ParameterValues)
}

/// The verdict `v` at the values of `n`: degenerate where they make W 0 exactly (an
/// `affine` verdict's W), else `v`.
pub(super) fn verdict_at_values(n: &Numeric, v: &crate::analysis::Verdict) -> &'static str {
    use crate::analysis::Verdict;
    match (&n.w_vanishes, v) {
        (Some(_), Verdict::Affine { k: Some(k) }) => Verdict::Degenerate { k: *k }.label(),
        (_, v) => v.label(),
    }
}

/// The outcome of a draw in words.
fn describe(d: &Draw) -> &'static str {
    match d {
        Draw::Differs(label) => label,
        Draw::TermVanishes => "one whose first non-affine term above is 0",
        Draw::TermZeroAtPoints => {
            "one whose first non-affine term above is 0 at every random point tried"
        }
        Draw::AssumptionFails(true) => "one with an entry exactly on a breakpoint",
        Draw::AssumptionFails(false) => {
            "one where a derivative the expansion takes to be non-zero is 0 at every entry of a layer"
        }
        Draw::PieceUnresolved => {
            "one with an operating point closer to a breakpoint than 8192-bit floats resolve"
        }
        Draw::Agrees => "as the verdict says",
        Draw::NoEvidence => "not decided",
    }
}

fn judge(report: &Report, n: &Numeric, generic: &str) -> Draw {
    let label = report.label_with(Some(n));
    // An entry on its breakpoint whose kink cancels at first order (decided exactly): the
    // network is differentiable at x₀ there, which a kink is not.
    let smooth_at_breakpoint = n.breakpoint.as_ref().is_some_and(|first| {
        matches!(
            first.effect,
            crate::analysis::instance::BreakpointEffect::Undecided(_)
        )
    });
    if smooth_at_breakpoint && generic == crate::analysis::Verdict::Kink.label() {
        return Draw::Differs("differentiable at x₀ (the kinks cancel at first order)");
    }
    if n.leading_vanishes.is_some() {
        return Draw::TermVanishes;
    }
    if n.leading_zero_at_points {
        return Draw::TermZeroAtPoints;
    }
    // A token matrix input's network is not evaluated at the draw (no numeric 𝓛 and B): only
    // a term forced to 0, above, is evidence (it was taken to agree, a check that could not fail).
    if report.main.input.kind == Kind::Matrix {
        return Draw::NoEvidence;
    }
    if label == "undecided" {
        return if n.piece_unresolved {
            Draw::PieceUnresolved
        } else if n.failing_layer.is_some() || !n.on_breakpoint_layers.is_empty() {
            Draw::AssumptionFails(true)
        } else if n.generic_failing_layer.is_some() {
            Draw::AssumptionFails(false)
        } else {
            Draw::NoEvidence
        };
    }
    if label != generic {
        return Draw::Differs(label);
    }
    Draw::Agrees
}

/// `env` with each symbol of `missing` bound to drawn rationals of its shape (the dimensions
/// the bound values fix, the others at the numeric default).
fn drawn_env(
    report: &Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    missing: &[Name],
    state: &mut u64,
) -> Option<Env> {
    bound_to(report, env, functions, missing, || draw(state))
}

/// `env` with each symbol of `names` bound to entries from `entry`, in its shape (the
/// dimensions the bound values fix, the others at the numeric default); None for a scalar.
fn bound_to(
    report: &Report,
    env: &Env,
    functions: &BTreeMap<String, Callee>,
    names: &[Name],
    mut entry: impl FnMut() -> Q,
) -> Option<Env> {
    let a = &report.main;
    let mut inst: crate::numeric::Instance<super::exact::Exact> =
        super::instance::instance(&a.symbols, env, functions);
    let mut out = env.clone();
    for (s, sh) in &a.symbols {
        if s.role != Role::User || !names.contains(&s.name) {
            continue;
        }
        let rows = inst.dim(&sh.rows);
        let cols = match sh.kind {
            Kind::Vector => None,
            Kind::Matrix | Kind::Row => Some(inst.dim(&sh.cols)),
            Kind::Scalar => return None,
        };
        let data = (0..rows * cols.unwrap_or(1)).map(|_| entry()).collect();
        out.values
            .insert(s.name.clone(), Rc::new(TensorLit { rows, cols, data }));
    }
    Some(out)
}

/// ±k/2¹⁰, 1 ≤ k ≤ 2²⁰ (splitmix64).
fn draw(state: &mut u64) -> Q {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let k = 1 + (z >> 1) % SPREAD;
    let q = Q::from(k) / Q::from(SCALE);
    if z & 1 == 1 { -q } else { q }
}
