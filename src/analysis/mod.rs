//! Analysis: expand a network in ε, decide whether it is affine, find conditions on parameters.

pub(crate) mod classify;
pub(crate) mod decide;
mod exceptions;
pub(crate) mod expand;
pub(crate) mod facts;
pub(crate) mod identity;
pub(crate) mod instance;
pub(crate) mod names;
pub(crate) mod roots;
pub(crate) mod shapes;
pub(crate) mod steps;
pub(crate) mod structure;

use crate::algebra::nf::Stop;
use crate::algebra::scalar::Atom;
use crate::algebra::{Expr, Kind, Q, Scalar, Symbol, Trunc};
use crate::diagnostic::{Diagnostic, Phase};
use crate::ir::{Callee, FunDef, Ir, IrKind, Lowered, Shape};
use crate::limits::Limits;
use crate::syntax::Name;
pub use decide::Verdict;
pub(crate) use decide::{Decision, KinkInfo};
pub(crate) use expand::set_constants_before;
pub(crate) use expand::{Coefficients, ConstantUse, ExpandSettings, Expansion, Layer, normal_form};
pub use facts::{Assumption, Unexpanded, Vanishing};
pub use names::AffineForm;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// What to analyse and how far.
#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    /// Expand to terms of ε-degree ≤ this order; the driver searches further when no
    /// non-affine term appears up to it ([`Analysis::order`]).
    pub order: u32,
    /// The input variable (`x` unless the user says otherwise); its degree in each term
    /// decides what is linear, constant or non-affine.
    pub input: Name,
    /// The small symbols; `None` means the input and every vector symbol.
    pub small: Option<BTreeSet<Name>>,
    /// Term, time and size limits of the computation.
    pub limits: Limits,
    /// The time, memory and Ctrl-C budget the analysis runs under.
    pub budget: crate::limits::Budget,
    /// Form the expansion by layer to `order` to show it (within `max_shown_terms`), not only
    /// as far as the decision needs (the catalog table shows no expansion).
    pub show_expansion: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> AnalyzeOptions {
        AnalyzeOptions {
            order: 3,
            input: Name::new("x", ""),
            small: None,
            limits: Limits::default(),
            budget: Default::default(),
            show_expansion: true,
        }
    }
}

/// One expansion and its decision.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The order the caller asked for ([`AnalyzeOptions::order`]).
    pub requested_order: u32,
    /// The order actually expanded (higher when the first non-affine term lay beyond the request).
    pub order: u32,
    /// The input variable's symbol.
    pub input: Symbol,
    /// The small symbols (ε-degree 1) the expansion used.
    pub small: BTreeSet<Name>,
    /// The expansion in ε: layers, their series and the truncated output.
    pub expansion: Expansion,
    /// The verdict, `W`, `b` and the first non-affine term read off the expansion.
    pub decision: Decision,
    /// The shape of every symbol of the expression, for the shape annotations.
    pub symbols: BTreeMap<Symbol, Shape>,
    /// Notes on what was assumed (compensated operating points, generic atoms).
    pub assumptions: Vec<Assumption>,
    /// The derivation: the expansion's steps, then collection, identification and verdict.
    pub steps: Vec<crate::analysis::steps::Step>,
    /// What the report leaves unexpanded (the expansion past the order that decides, the
    /// first non-affine term in the input's terms), and why.
    pub unexpanded: Vec<Unexpanded>,
    /// The input occurs in no activation, power or comparison and in no product twice
    /// (`W·x + tanh(b₁)`, or not at all): the network is affine at every order, shown by its
    /// form ([`structure::form`]); with series left in W or b the verdict is then `affine`
    /// with no k, and no higher order is searched.
    pub affine_by_form: bool,
    /// The names the affine form is written with (`y = W·x + b`, or others beside the user's).
    pub form: AffineForm,
}

impl Analysis {
    /// The whole expansion in the user's symbols, to the order expanded. It is formed on
    /// request, within the default `max_terms`: it grows with depth far faster than the
    /// expansion by layer the analysis keeps.
    pub fn expansion_in_input_terms(&self) -> Result<Expr, String> {
        let mut t = self.trunc();
        t.max_terms = Limits::default().max_terms;
        self.expansion.full(&t).map_err(|e| e.to_string())
    }

    /// The truncation context this analysis used (for degree queries).
    pub fn trunc(&self) -> Trunc {
        let mut t = Trunc::exact();
        t.order = Some(self.order);
        t.small = self.small.clone();
        t
    }
}

/// A condition on a parameter that changes the result, with the result under it.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The parameter (`λ`, `α`) whose value changes the result.
    pub param: Name,
    /// The value of the parameter at which the result changes.
    pub value: Scalar,
    /// What vanishes there: the first non-affine terms or the linear part.
    pub what: Vanishing,
    /// Whether `value` is the only value of `param` where it vanishes, whatever the other
    /// parameters are (`iff`). Solving λ·μ = 0 for λ finds λ = 0, but μ = 0 is a zero too: such
    /// a value is a sufficient condition only. Also true for each of several values that are
    /// together all the zeros (λ² − 2 at ±√2): then `others` holds the rest.
    pub only: bool,
    /// When `only`, the other values of `param` where it vanishes (empty for a sole value).
    pub others: Vec<Scalar>,
    /// The analysis with `param` set to `value`, when it could be redone.
    pub then: Option<Box<Analysis>>,
    /// Why there is no analysis at the value (`then` is None): the value holds other
    /// parameters, or the network is not defined there (softplus(λ·x)/λ at λ = 0).
    pub not_analysed: Option<String>,
    /// Conditions of the result under this one (`α = 0`, then `β = 0` too).
    pub further: Vec<Condition>,
}

impl Condition {
    /// True when this value of the parameter (or a further one) changes the verdict or k.
    fn changes(&self, main: &Verdict) -> bool {
        self.then.as_ref().is_some_and(|a| {
            a.decision.verdict != *main
                || self.further.iter().any(|c| c.changes(&a.decision.verdict))
        })
    }
}

/// The full answer for one expression.
#[derive(Clone, Debug)]
pub struct Report {
    /// The analysis of the expression as written.
    pub main: Analysis,
    /// When some pre-activation has an O(1) part: the result assuming each bias cancels it.
    pub compensated: Option<Analysis>,
    /// Values of parameters at which the result changes, with the result there (nested).
    pub conditions: Vec<Condition>,
    /// The same for the compensated result (from a review: its first non-affine term
    /// `(tanh(λ) − tanh(λ)³)·u₁^∘2` vanishes at λ = 0, which nothing said).
    pub compensated_conditions: Vec<Condition>,
    /// With numeric weights: W and b for those values, the affine region, σ* (see [`crate::model`]).
    pub numeric: Option<Box<instance::Numeric>>,
}

impl Report {
    /// Whether the numeric instance puts an activation entry exactly on its breakpoint at the
    /// data point (its affine region has radius 0) and its kink reaches the output (or the
    /// network jumps there): then it is not affine on any ball around the point.
    pub fn on_breakpoint(&self) -> bool {
        self.breakpoint_effect().is_some_and(|e| {
            matches!(
                e,
                instance::BreakpointEffect::Reaches | instance::BreakpointEffect::Jumps
            )
        })
    }

    /// When an entry sits exactly on its breakpoint at the data point: what its kink does (from
    /// the affine region, or from the first order of a network that is not piecewise linear).
    fn breakpoint_effect(&self) -> Option<&instance::BreakpointEffect> {
        breakpoint_effect(self.numeric.as_deref()?)
    }

    /// A parameter value changes the verdict (its kind or its k).
    pub fn is_conditional(&self) -> bool {
        let main = &self.main.decision.verdict;
        self.conditions.iter().any(|c| c.changes(main))
    }

    /// The order of the first non-affine term at the bound values, when it is past the one the
    /// verdict names (that term is 0 there) and decided.
    pub fn order_at_values(&self) -> Option<u32> {
        let n = self.numeric.as_deref()?;
        n.leading_vanishes.as_ref()?;
        n.beyond.as_ref().map(|b| b.k)
    }

    /// `conditional` when a parameter value changes the verdict (its kind or its k): one rule
    /// for every verdict, so `swish(β)` at β = 0 and `leaky_relu(α)` at α = 1 are alike.
    pub fn verdict_label(&self) -> &'static str {
        self.label_with(self.numeric.as_deref())
    }

    /// The verdict's label with the numeric instance `numeric` (another instance's values).
    pub(crate) fn label_with(&self, numeric: Option<&instance::Numeric>) -> &'static str {
        // An entry on its breakpoint at the data point: the generic expansion assumed it away,
        // and what the kink does decides. Cancelled kinks leave the piecewise-linear network
        // y = W·x + b on a ball around x₀; one that is not decided is said to be.
        if let Some(effect) = numeric.and_then(breakpoint_effect) {
            return match effect {
                instance::BreakpointEffect::Cancels => Verdict::ExactAffine.label(),
                instance::BreakpointEffect::Reaches | instance::BreakpointEffect::Jumps => {
                    Verdict::Kink.label()
                }
                instance::BreakpointEffect::Undecided(_) => "undecided",
            };
        }
        // Written out in the input's entries at these values, every output is affine by its
        // form: exactly affine, decided exactly.
        if numeric.is_some_and(|n| n.affine_written_out.is_some()) {
            return Verdict::ExactAffine.label();
        }
        if numeric.is_some_and(|n| n.undecided.is_some()) {
            return "undecided";
        }
        // Terms of mixed-order bars, affine once read at their leading parts: where the
        // non-affine part starts is not decided (a region at the values may still decide it,
        // below, exactly).
        let mixed = self.main.decision.mixed_bar.is_some()
            || self.main.decision.breakpoint_reached.is_some();
        // The first non-affine term the verdict names is 0 at the bound values: the network
        // is affine beyond that order, how far decided only where every operating point is 0
        // (`beyond`, the compensated analysis's order).
        if let Some(n) = numeric.filter(|n| n.leading_vanishes.is_some()) {
            return match &n.beyond {
                // W 0 exactly at the values too: degenerate, led by the term found beyond.
                Some(beyond) if n.w_vanishes.is_some() => {
                    Verdict::Degenerate { k: beyond.k }.label()
                }
                Some(_) => Verdict::Affine { k: None }.label(),
                // Every part past it 0 there up to the search limit: affine to at least
                // O(ε^(limit+1)), as the symbolic search says at its limit.
                None if n.affine_through.is_some() => Verdict::Affine { k: None }.label(),
                None => "undecided",
            };
        }
        // W is 0 at the bound values, exactly: degenerate there, with the same first term.
        if numeric.is_some_and(|n| n.w_vanishes.is_some())
            && let Verdict::Affine { k: Some(k) } = self.main.decision.verdict
        {
            return Verdict::Degenerate { k }.label();
        }
        // A network whose data point is inside its affine region (every entry on a linear
        // piece: relu's, elu's for t > 0; none on a breakpoint, or none that moves with x):
        // exactly affine there, decided exactly, whatever the generic expansion said (of
        // weights that happen to be 0, of elu″(c) taken to be non-zero).
        if let Some(Some(Ok(region))) = numeric.map(|n| &n.region)
            && region.radius_inf.as_ref().is_none_or(|r| *r > 0u32)
            && self.main.decision.verdict != Verdict::ExactAffine
        {
            return Verdict::ExactAffine.label();
        }
        // A constant the expansion took to be non-zero is 0 at the bound values.
        if numeric.is_some_and(|n| n.vanishing_constant.is_some()) {
            return "not-analytic";
        }
        if mixed {
            return "undecided";
        }
        if self.is_conditional() {
            "conditional"
        } else {
            self.main.decision.verdict.label()
        }
    }
}

fn breakpoint_effect(n: &instance::Numeric) -> Option<&instance::BreakpointEffect> {
    if let Some(first) = &n.breakpoint {
        return Some(&first.effect);
    }
    match &n.region {
        Some(Ok(r)) if r.radius_inf.as_ref().is_some_and(|q| *q == 0u32) => {
            r.sides.as_ref().map(|s| &s.effect)
        }
        _ => None,
    }
}

/// Whether the bias `b` occurs in `ir` outside the arguments of the functions it is a summand
/// of (the layers it biases): `|W₁·x + b₁|∘(W₁·x + b₁)` holds b₁ outside `abs`'s argument.
fn bias_outside_its_layers(ir: &Ir, b: &Name) -> bool {
    // Without a sign, a number in front or a binding's name (`−(W₁·x + b₁)`, `2·b₁`): a bias
    // with its coefficient, as `layer_bias` reads it.
    fn unscaled(ir: &Ir) -> &Ir {
        match ir.kind() {
            IrKind::Bound { value, .. } => unscaled(value),
            IrKind::Neg(value) => unscaled(value),
            IrKind::Mul(factors) => match factors.split_last() {
                Some((last, numbers))
                    if numbers.iter().all(|f| matches!(f.kind(), IrKind::Num(_))) =>
                {
                    unscaled(last)
                }
                _ => ir,
            },
            _ => ir,
        }
    }
    let is_b = |ir: &Ir| matches!(unscaled(ir).kind(), IrKind::Sym(s) if s.name == *b);
    // A sum with `b` among its terms, or `b` itself (`sigmoid(b₁)`, a constant layer the same
    // bias cancels).
    let biased_by = |arg: &Ir| {
        is_b(arg) || matches!(unscaled(arg).kind(), IrKind::Sum(terms) if terms.iter().any(&is_b))
    };
    let mut outside = false;
    crate::ir::visit::walk(ir, |node| match node.kind() {
        IrKind::Apply { arg, .. } if biased_by(arg) => crate::ir::visit::Step::Skip,
        IrKind::Sym(s) if s.name == *b => {
            outside = true;
            crate::ir::visit::Step::Stop
        }
        _ => crate::ir::visit::Step::Descend,
    });
    outside
}

/// Analyses a lowered expression: expansion, decision, operating points, conditions.
pub fn analyze(l: &Lowered, opts: &AnalyzeOptions) -> Result<Report, Diagnostic> {
    let mut main = analyze_once(l, opts, None)?;
    vanishing_constants(l, &main)?;
    let offsets = main
        .expansion
        .layers
        .iter()
        .any(|ly| !ly.op_point.is_zero());
    let conflict = conflicting_bias(&main.expansion.layers);
    if let Some((bias, first, second)) = &conflict {
        main.assumptions.push(Assumption::NoCompensation {
            bias: bias.clone(),
            first: first.clone(),
            second: second.clone(),
        });
    }
    // The compensated analysis expands every layer at 0, where an activation need not be
    // analytic (`log(𝟙 + W₁·x)`: log at 0): then there is no compensated result, and the
    // analysis as written still stands. A budget that ran out meanwhile is seen by the caller.
    // The biases of the signal's layers: what the compensation sets. A constant layer (nothing
    // small in it) is cancelled by one of them or not at all; one that is not, but holds one
    // of them (`sigmoid(b₁^∘2)∘tanh(W₁·x + b₁)`), would keep the value the compensation took
    // away from it: then there is no compensated result.
    let signal_biases: BTreeSet<Symbol> = (main.expansion.layers.iter())
        .filter(|ly| !ly.constant && !ly.op_point.is_zero())
        .filter_map(|ly| layer_bias(ly).map(|b| b.symbol))
        .collect();
    let kept_bias = (main.expansion.layers.iter())
        .filter(|ly| ly.constant && !ly.op_point.is_zero())
        .filter(|ly| !layer_bias(ly).is_some_and(|b| signal_biases.contains(&b.symbol)))
        .find_map(|ly| {
            let bias = (ly.op_point.symbols().into_iter()).find(|s| signal_biases.contains(s))?;
            Some((bias, ly))
        });
    if conflict.is_none()
        && let Some((bias, ly)) = &kept_bias
    {
        main.assumptions.push(Assumption::BiasInAConstantLayer {
            bias: bias.name.clone(),
            layer: ly.index,
            activation: ly.activation.clone(),
        });
    }
    // A signal bias that also occurs outside its layer's argument (in the output, or in another
    // layer's small part): the compensation sets it inside the layer only, and the rest of the
    // network keeps it as it was (from a review: |u₁|∘(W₁·x + b₁) at a data point was called a
    // kink, its ε¹ part (W₁·x₀ + b₁)∘|u₁| kept though the compensation makes it 0).
    let outside_bias = (signal_biases.iter()).find_map(|b| {
        let ly = (main.expansion.layers.iter())
            .find(|ly| layer_bias(ly).is_some_and(|own| own.symbol == *b))?;
        bias_outside_its_layers(&l.ir, &b.name)
            .then(|| (b.name.clone(), ly.index, ly.activation.clone()))
    });
    if conflict.is_none()
        && kept_bias.is_none()
        && let Some((bias, layer, activation)) = &outside_bias
    {
        main.assumptions.push(Assumption::BiasOutsideItsLayer {
            bias: bias.clone(),
            layer: *layer,
            activation: activation.clone(),
        });
    }
    let mut compensated =
        if offsets && conflict.is_none() && kept_bias.is_none() && outside_bias.is_none() {
            analyze_once(l, opts, Some(&signal_biases))
                .ok()
                // Every O(1) part in a constant layer, none cancelled: the same analysis again.
                .filter(|a| a.expansion.layers.iter().any(|ly| ly.compensated))
        } else {
            None
        };
    let conditions = conditions_of(l, &mut main, opts, 3, None);
    let compensated_conditions = match &mut compensated {
        Some(c) => conditions_of(l, c, opts, 3, Some(&signal_biases)),
        None => Vec::new(),
    };
    Ok(Report {
        main,
        compensated,
        conditions,
        compensated_conditions,
        numeric: None,
    })
}

/// The analysis as written (no compensation) carried to `order`, its expansion formed to that
/// order: the search past a first non-affine term that vanishes at bound values reads the
/// parts of higher orders from it.
pub(crate) fn analyze_main_at(
    l: &Lowered,
    opts: &AnalyzeOptions,
    order: u32,
) -> Result<Analysis, Diagnostic> {
    let opts = AnalyzeOptions {
        order,
        show_expansion: true,
        ..opts.clone()
    };
    analyze_once(l, &opts, None)
}

fn analyze_once(
    l: &Lowered,
    opts: &AnalyzeOptions,
    compensate: Option<&BTreeSet<Symbol>>,
) -> Result<Analysis, Diagnostic> {
    // A matrix input (a token matrix X) has a linear map 𝓛(X) in place of a matrix W.
    let input_kind = l
        .symbols
        .keys()
        .find(|s| s.name == opts.input)
        .map_or(Kind::Vector, |s| s.kind);
    if !matches!(input_kind, Kind::Vector | Kind::Matrix) {
        return Err(Diagnostic::at(
            Phase::Shape,
            l.ir.span(),
            format!(
                "the input `{}` must be a vector or a matrix, not a row",
                opts.input
            ),
        )
        .hint("choose another input with `--input` or `:input`"));
    }
    let input = Symbol::user(opts.input.clone(), input_kind);
    // W is a matrix acting on x: an output with more than one column has no such W. A matrix
    // input has a linear map instead, which gives any output shape.
    if input_kind == Kind::Vector && matches!(l.ir.kind_of(), Kind::Matrix | Kind::Row) {
        return Err(Diagnostic::at(
            Phase::Shape,
            l.ir.span(),
            format!(
                "the output is {}; an affine verdict y = W·x + b needs a vector or a scalar",
                if l.ir.kind_of() == Kind::Row {
                    "a row vector"
                } else {
                    "a matrix"
                }
            ),
        )
        .hint("analyse a column of it instead, e.g. its transpose `(…)ᵀ` or its product with a vector; or make a matrix the input (`:input X`), whose linear map can have any output"));
    }
    let small: BTreeSet<Name> = match &opts.small {
        Some(s) => s.clone(),
        None => {
            let mut s: BTreeSet<Name> = l
                .symbols
                .keys()
                .filter(|s| s.kind == Kind::Vector)
                .map(|s| s.name.clone())
                .collect();
            s.insert(opts.input.clone());
            s
        }
    };
    // The expansion is in powers of the small symbols; both rules below keep it meaningful.
    if let Some(s) = opts.small.as_ref() {
        let scalars: Vec<String> = s
            .iter()
            .filter(|n| !l.symbols.keys().any(|sym| &sym.name == *n))
            .filter(|n| n.is_greek())
            .map(|n| n.unicode())
            .collect();
        if !scalars.is_empty() {
            return Err(Diagnostic::at(Phase::Expand, l.ir.span(), format!("only vectors and matrices can be small, not the scalar {}", scalars.join(", ")))
                .hint("scalars are coefficients; make the input small (`:small x`) and keep parameters such as λ symbolic"));
        }
    }
    if l.symbols.contains_key(&input) && !small.contains(&opts.input) {
        return Err(Diagnostic::at(
            Phase::Expand,
            l.ir.span(),
            format!(
                "the input {} is not small, so there is nothing to expand in",
                opts.input
            ),
        )
        .hint(format!(
            "add it: `:small {} …` (or `--small`)",
            opts.input.ascii()
        )));
    }
    let mut assumptions = Vec::new();
    if !l.symbols.contains_key(&input) {
        assumptions.push(Assumption::InputAbsent {
            input: opts.input.clone(),
        });
    }
    // Decided by the form alone, where a search order by order could only reach its limit
    // (a polynomial's expansion ends: searched, it is found exact-affine).
    let form = structure::form(&l.ir, &input);
    let affine_by_form = form.affine;
    let mut order = opts.order;
    let search = opts
        .limits
        .search_order
        .max(opts.order)
        .min(opts.limits.max_order);
    // Orders below `first` are known to hold no non-affine term.
    let mut first = order.min(1);
    // A leading part is the same at every order that holds it: each is tested once.
    let tested: RefCell<Vec<(Expr, identity::Vanishing)>> = Default::default();
    let settings_at = |order: u32, max_products: u64| ExpandSettings {
        order,
        small: small.clone(),
        compensate: compensate.is_some(),
        signal_biases: compensate.cloned().unwrap_or_default(),
        limits: opts.limits.clone(),
        budget: opts.budget.clone(),
        normalize_only: false,
        input: Some(opts.input.clone()),
        max_products,
    };
    loop {
        // Decided order by order: the expansion by layer, and in the user's symbols, is
        // formed to order 1, 2, … and stops at the first order with a non-affine term. Every
        // term up to an order is exact in the expansion to that order, so the verdict, W, b
        // and the first non-affine term are those of any higher order; the terms above it
        // (which grow fastest with depth) are formed only to be shown, below. A small network
        // is expanded to the asked order at once and decided order by order on that, which
        // ends where this would (`decided_at_the_asked_order`).
        let mut at = first;
        let direct = if first < order && opts.show_expansion {
            decided_at_the_asked_order(l, opts, order, first, &settings_at, &input, &tested)
        } else {
            None
        };
        let (mut expansion, mut decision, mut full, mut unexpanded) = if let Some(found) = direct {
            at = order;
            found
        } else {
            loop {
                let settings = settings_at(at, u64::MAX);
                let mut expansion = match expand::expand(&l.ir, &settings) {
                    Ok(e) => e,
                    // A lower order can fail where the order asked would not, or fail otherwise
                    // (`(xᵀ·x)^(−½)` cut to order 1 is a power of 0): the order asked decides.
                    Err(_) if at < order => {
                        at = order;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let search = Search::at(at, order);
                let decided =
                    decide_upto(l, &mut expansion, at, &settings, &input, &tested, search)?;
                // Terms graded past what they hold (bars of mixed orders) decide nothing:
                // a higher order may hold the rest of the bar's argument.
                if (decided.0.k.is_some() && decided.0.mixed_bar.is_none()) || at >= order {
                    break (expansion, decided.0, decided.1, decided.2);
                }
                at += 1;
            }
        };
        // What was cut may cancel exactly: `tanh(v) − tanh(v)` truncates each term, yet the
        // network is 0. When the exact normal form (activations kept whole) has no activation
        // left, is affine in the input and equals the expansion, nothing is missing. (With a
        // non-affine term the expansion differs from every affine form: nothing to compare.)
        if decision.k.is_none()
            && expansion.truncated
            && let Ok(exact) = expand::expand(
                &l.ir,
                &ExpandSettings::normal_form(opts.limits.clone(), opts.budget.clone()),
            )
            && exact.layered.terms().all(|(c, _)| {
                !identity::chain_has_atom(c, &|_| true)
                    && decide::input_degree(c, &input).is_affine()
            })
            && exact.layered == full
        {
            expansion.truncated = false;
            expansion.cut_cancels = true;
            let settings = settings_at(at, u64::MAX);
            (decision, full, _) = decide_upto(
                l,
                &mut expansion,
                at,
                &settings,
                &input,
                &tested,
                Search::Whole,
            )?;
        }
        // Affine by its form, the search stops once W is there (`tanh(bᵀ·b)²·x` has W = 0 to
        // order 3: "W = 0" beside "affine at every order" read as constant in x, from a review).
        // Past terms of mixed-order bars, a higher order may hold the rest of a bar's
        // argument; where it is past a limit, the undecided terms stand (from a review, the
        // search ran into `max_terms` and the analysis ended in that error).
        let mixed_search = decision.mixed_bar.is_some() && order < search && {
            let next = settings_at(order + 1, u64::MAX);
            expand::expand(&l.ir, &next)
                .and_then(|mut ex| {
                    decide_upto(l, &mut ex, order + 1, &next, &input, &tested, Search::Whole)
                })
                .is_ok()
        };
        // A kink decided at the order asked, with no order above formed to show it: its bars
        // hold only their arguments' ε¹ parts, and the next order's may read what they could
        // not (from a review: at `--order 1`, |v + ½·|v|| − |v| with v = tanh(W₁·x + b₁) −
        // tanh(b₁) was a kink; it is ½·v). Formed within the limits of the orders shown; past
        // them the kink stands. `classify` forms no order above the decision: its kinks are
        // checked so too, and decided from the next order on where they dissolve.
        let kink_dissolves = decision.verdict == Verdict::Kink
            && (at == order || !opts.show_expansion)
            && at < search
            && {
                let (shown_limit, _) = shown_terms_limit(&opts.limits);
                let mut next = settings_at(at + 1, crate::limits::shown_products(shown_limit));
                next.limits.max_terms = shown_limit;
                expand::expand(&l.ir, &next)
                    .and_then(|mut ex| {
                        let next = settings_at(at + 1, u64::MAX);
                        decide_upto(l, &mut ex, 1, &next, &input, &tested, Search::Whole)
                    })
                    .is_ok_and(|(d, _, _)| d.k != decision.k || d.verdict != decision.verdict)
            };
        if kink_dissolves && at < order {
            first = at + 1;
            continue;
        }
        let searching = mixed_search
            || kink_dissolves
            || decision.verdict == (Verdict::Affine { k: None })
                && order < search
                && (form.polynomial
                    || !form.affine
                    || (decision.w.is_zero() && l.symbols.contains_key(&input)));
        // Affine by its form with no small symbol but the input (`:small x`, `W·x + tanh(b)`):
        // W and b hold no ε, so what the expansion gives of them is all of them, exactly
        // (from a review: "affine … + O(ε⁴)" where y − (W·x + b) is exactly 0).
        if form.affine
            && decision.verdict == (Verdict::Affine { k: None })
            && (l.symbols.keys()).all(|s| s.name == input.name || !small.contains(&s.name))
        {
            decision.verdict = Verdict::ExactAffine;
        }
        if searching {
            order += 1;
            first = order;
            continue;
        }
        // The orders above the decision, to be shown: formed one by one while each stays
        // within `max_shown_terms` (counts of terms and products, so the output never depends
        // on the machine), and the report says where it stopped.
        if at < order {
            let k = decision.k.unwrap_or(at);
            // Set where an order above decides differently up to k: each order decided whole.
            let mut whole = false;
            let (shown_limit, limit_name) = shown_terms_limit(&opts.limits);
            let products = crate::limits::shown_products(shown_limit);
            let stopped = [
                Stop::TooManyTerms(shown_limit).to_string(),
                Stop::TooMuchWork(products).to_string(),
            ];
            let mut shown = at;
            let mut limit = None;
            while opts.show_expansion && shown < order {
                let mut settings = settings_at(shown + 1, products);
                settings.limits.max_terms = shown_limit;
                match expand::expand(&l.ir, &settings) {
                    Ok(mut ex) => {
                        let settings = settings_at(shown + 1, u64::MAX);
                        let upto = if whole { shown + 1 } else { k };
                        let (mut d, mut f, mut u) = decide_upto(
                            l,
                            &mut ex,
                            upto,
                            &settings,
                            &input,
                            &tested,
                            Search::Whole,
                        )?;
                        // A bar at a higher order holds more of its argument, which can settle
                        // what the lower order's bars could not read (|v + ½·|v|| − |v|, v =
                        // exp(c₁)∘u + u^∘2: a kink at order 1, ½·v at order 2): the terms up
                        // to k then decide differently, and from this order on each order is
                        // decided whole (from two reviews: "no non-affine term up to order 2"
                        // where ½·u^∘2 is one, and then up to order 3 where ½·u^∘3 is one).
                        if !whole && (d.k != decision.k || d.verdict != decision.verdict) {
                            whole = true;
                            (d, f, u) = decide_upto(
                                l,
                                &mut ex,
                                shown + 1,
                                &settings,
                                &input,
                                &tested,
                                Search::Whole,
                            )?;
                        }
                        (expansion, decision, full, unexpanded) = (ex, d, f, u);
                        shown += 1;
                    }
                    Err(e) if e.phase == Phase::Limit && stopped.contains(&e.message) => {
                        limit = Some(shown_limit);
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            if shown < order {
                unexpanded.push(Unexpanded::Expansion {
                    shown,
                    asked: order,
                    limit,
                    limit_name,
                });
            }
            order = shown;
            // An order above that decided differently and found nothing non-affine up to the
            // order asked: the search goes on past it, as where nothing is found at first.
            if whole && decision.k.is_none() && limit.is_none() && order < search {
                order += 1;
                first = order;
                continue;
            }
        }
        for ly in &expansion.layers {
            if !ly.op_point.is_zero() {
                if ly.compensated {
                    assumptions.push(Assumption::Compensated {
                        layer: ly.index,
                        activation: ly.activation.clone(),
                        op_point: ly.op_point.clone(),
                    });
                } else if let Some(sym) = &ly.op_symbol
                    && !assumptions.iter().any(|a| {
                        matches!(a, Assumption::GenericOperatingPoint { symbol, .. } if *symbol == sym.name)
                    })
                {
                    assumptions.push(Assumption::GenericOperatingPoint {
                        layer: ly.index,
                        activation: ly.activation.clone(),
                        symbol: sym.name.clone(),
                        op_point: ly.op_point.clone(),
                    });
                }
            }
            if let Coefficients::Atoms { piecewise: true } = ly.coefficients {
                assumptions.push(Assumption::NoBreakpointAtOperatingPoint {
                    layer: ly.index,
                    activation: ly.activation.clone(),
                });
            }
        }
        let activation_of = |index: usize| {
            (expansion.layers.iter())
                .find(|ly| ly.index == index)
                .map(|ly| ly.activation.clone())
                .unwrap_or_default()
        };
        for (index, signs) in &expansion.decided_pieces {
            assumptions.push(Assumption::PieceCertified {
                layer: *index,
                activation: activation_of(*index),
                signs: signs.clone(),
            });
        }
        for (index, lead) in &expansion.fixed_sides {
            assumptions.push(Assumption::SideFixed {
                layer: *index,
                activation: activation_of(*index),
                lead: lead.clone(),
            });
        }
        if !decision.identity_zeros.is_empty() {
            assumptions.push(Assumption::IdentityTest {
                orders: decision.identity_zeros.clone(),
            });
        }
        if let Some(order) = decision.identity_starved {
            assumptions.push(Assumption::IdentityTestStarved { order });
        }
        if let Some(order) = decision.identity_unresolved {
            assumptions.push(Assumption::IdentityTestUnresolved { order });
        }
        if let Some(order) = decision.identity_partial {
            assumptions.push(Assumption::IdentityTestPartial { order });
        }
        if decision.w_identity_zero {
            assumptions.push(Assumption::IdentityTestLinearPart);
        }
        if let Some(order) = decision.mixed_bar {
            assumptions.push(Assumption::BarsOfMixedOrders { order });
        }
        decision.breakpoint_reached =
            identity_test(l, &settings_at(order, u64::MAX).small, &expansion).breakpoint_reached();
        if let Some((layer, entry)) = decision.breakpoint_reached
            && let Some(ly) = expansion.layers.iter().find(|ly| ly.index == layer)
        {
            assumptions.push(Assumption::BreakpointReached {
                layer,
                activation: ly.activation.clone(),
                entry,
                op_point: ly.op_point.clone(),
            });
        }
        for (layer, activation, orders) in &expansion.zero_at_points {
            assumptions.push(Assumption::DerivativesZeroAtPoints {
                layer: *layer,
                activation: activation.clone(),
                orders: orders.clone(),
            });
        }
        if decision.numeric_zeros + expansion.numeric_zeros > 0 {
            assumptions.push(Assumption::NumericZeros {
                count: decision.numeric_zeros + expansion.numeric_zeros,
            });
        }
        for k in &expansion.constants {
            assumptions.push(Assumption::ScalarOperatingPoint {
                symbol: k.name.clone(),
                value: k.value.clone(),
            });
        }
        for b in &expansion.scale_bounds {
            assumptions.push(Assumption::ScaleBelow {
                constant: b.constant.clone(),
                degree: b.degree,
                bound: b.bound.clone(),
            });
        }
        let bases = positive_bases(
            [
                &decision.w,
                &decision.b,
                &decision.leading_full,
                &decision.leading_layered,
            ]
            .into_iter()
            .chain([&expansion.layered]),
        );
        if !bases.is_empty() {
            assumptions.push(Assumption::PositiveBases { bases });
        }
        // Every coefficient of the user's form is a product of coefficients of the layered
        // form and of the layer variables, so an opaque constant shows in one of them.
        let opaque = |e: &Expr| e.terms().any(|(_, s)| s.has_opaque());
        if opaque(&full)
            || opaque(&expansion.layered)
            || expansion.layer_values.values().any(opaque)
        {
            assumptions.push(Assumption::OpaqueConstants);
        }
        // 𝟙ᵀ·𝟙 is a length, which the normal form does not keep (its 𝟙 has no length): terms
        // that hold it may cancel for the true length, so W and the first non-affine term
        // cannot be read off exactly. With a vector input the vector functions are written
        // so that it never appears; a token matrix meets it when a row-wise softmax's scores
        // have a part constant along each row.
        if input_kind == Kind::Matrix
            && [&decision.w, &decision.leading_full]
                .iter()
                .any(|e| e.terms().any(|(c, _)| holds_ones_length(c)))
        {
            return Err(Diagnostic::at(
                Phase::Expand,
                l.ir.span(),
                "the expansion holds 𝟙ᵀ·𝟙, the length of a vector, whose value the normal form does not keep: its terms may cancel, so the linear map and the first non-affine term cannot be decided exactly",
            )
            .hint("this comes from a part of a softmax's scores that is the same along each row (a row-wise softmax ignores it): leave that part out"));
        }
        let form = AffineForm::new(&input.name, input_kind == Kind::Matrix, &l.ir);
        let mut a = Analysis {
            requested_order: opts.order,
            order,
            input,
            small,
            expansion,
            decision,
            unexpanded,
            symbols: l.symbols.clone(),
            assumptions,
            steps: Vec::new(),
            affine_by_form,
            form,
        };
        let mut steps = a.expansion.steps.clone();
        steps.extend(steps::conclude(&a));
        a.steps = steps;
        return Ok(a);
    }
}

/// The terms an order formed only to be shown may hold, and the limit's name for the report:
/// the smaller of `max_terms` and `max_shown_terms`.
fn shown_terms_limit(limits: &Limits) -> (usize, &'static str) {
    if limits.max_terms < limits.max_shown_terms {
        (limits.max_terms, "max_terms")
    } else {
        (limits.max_shown_terms, "max_shown_terms")
    }
}

/// Activations a network may apply to be expanded to the asked order in one go. Deeper ones
/// are formed order by order (see `analyze_once`): an attempt at the asked order that fails
/// would be work thrown away before the first product (each layer's series to that order).
const DIRECT_CALLS: usize = 3;

/// Products an expansion to the asked order may take to be formed in one go; a network whose
/// expansion needs more is formed order by order.
const DIRECT_PRODUCTS: u64 = 2_000;

/// What forming the expansion order by order and then the orders above the decision, to be
/// shown, would end with, formed in one go when that is cheap: the expansion to `order` and its
/// decision at the first order from `first` with a non-affine term (at `order` when none has
/// one). Order by order, the decision is read off each order's expansion and the expansions
/// above it are formed one by one; every term up to an order is the same in every expansion
/// that holds it, so the decision at order k of the expansion to `order` is the same, and the
/// last step of the orders shown — the expansion to `order`, decided at k — is this. `None`
/// (and the caller goes order by order) when the expansion is not small, or anything fails:
/// a lower order can fail where the asked one does not.
#[allow(clippy::type_complexity)]
fn decided_at_the_asked_order(
    l: &Lowered,
    opts: &AnalyzeOptions,
    order: u32,
    first: u32,
    settings_at: &dyn Fn(u32, u64) -> ExpandSettings,
    input: &Symbol,
    tested: &RefCell<Vec<(Expr, identity::Vanishing)>>,
) -> Option<(Expansion, Decision, Expr, Vec<Unexpanded>)> {
    #[cfg(test)]
    if tests::ORDER_BY_ORDER.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let mut calls = 0;
    crate::ir::visit::walk(&l.ir, |n| {
        if matches!(n.kind(), IrKind::Apply { .. }) {
            calls += 1;
        }
        crate::ir::visit::Step::Descend
    });
    if calls > DIRECT_CALLS {
        return None;
    }
    // Within the limits the orders shown are formed under, and a small share of them.
    let (shown_limit, _) = shown_terms_limit(&opts.limits);
    let products = crate::limits::shown_products(shown_limit).min(DIRECT_PRODUCTS);
    let mut formed = settings_at(order, products);
    formed.limits.max_terms = shown_limit;
    let mut expansion = expand::expand(&l.ir, &formed).ok()?;
    let settings = settings_at(order, u64::MAX);
    // Deciding at an order may mark the expansion truncated; each order is decided on the
    // expansion as formed, as it would be order by order.
    let truncated = expansion.truncated;
    for at in first..=order {
        expansion.truncated = truncated;
        let search = Search::at(at, order);
        let (decision, full, unexpanded) =
            decide_upto(l, &mut expansion, at, &settings, input, tested, search).ok()?;
        if decision.k.is_some() || at == order {
            return Some((expansion, decision, full, unexpanded));
        }
    }
    None
}

/// Decides an expansion from its terms in the user's symbols up to ε-degree `upto`, with what
/// it leaves unexpanded. When those terms pass `max_terms` at the first order with a non-affine
/// term, the decision is read off a specialisation instead ([`decide::decide_specialised`]).
/// A constant of the operating point under a power that is 0 for every value of its symbols
/// (the variance κ₁ = 𝟙ᵀ·b₁^∘2 − (𝟙ᵀ·b₁)² of a layer norm of one entry, with no ε): the
/// expansion took it to be non-zero, as a generic point has it, and the expression has no
/// value there (0/0). Found by the probabilistic identity test (zero at every draw); an error,
/// as at bound values where the constant is 0 (from a review: `layernorm(W₁·x + b₁; eps = 0)`
/// with b₁ of length 1 was `affine`, its W built on 1/√κ₁).
fn vanishing_constants(l: &Lowered, a: &Analysis) -> Result<(), Diagnostic> {
    let test = identity_test(l, &a.small, &a.expansion);
    for p in &a.expansion.points {
        // Under a power, 0 is singular; under a function, where the function has no series at
        // 0 (√, log: from a review, √(κ₁ + uᵀ·x)·u with κ₁ ≡ 0 was affine too).
        let singular = match &p.under {
            ConstantUse::Power(_) => true,
            ConstantUse::Function(callee, params) => !matches!(
                crate::series::series_at(
                    callee,
                    params,
                    &Scalar::zero(),
                    1,
                    &crate::limits::Limits::default(),
                    &crate::limits::Budget::default(),
                    l.ir.span(),
                ),
                Ok(crate::series::PointSeries::Analytic(_))
            ),
        };
        // A named constant is tested by its value (its name alone would be drawn as a free
        // parameter); a point written without one, as it stands.
        let constant =
            (a.expansion.constants.iter()).find(|k| Scalar::param(k.name.clone()) == p.at);
        let tested = match constant {
            Some(k) => k.value.clone(),
            None => Expr::scalar(p.at.clone()),
        };
        if !singular || test.vanishes(&tested) != identity::Vanishing::Yes {
            continue;
        }
        // Written with the constant's value where it is one (κ₁ = 𝟙ᵀ·b₁^∘2 − (𝟙ᵀ·b₁)²).
        let value = constant
            .map(|k| format!(" = {}", crate::print::unicode(&k.value)))
            .unwrap_or_default();
        let under = match &p.under {
            ConstantUse::Power(_) => "under a power".to_string(),
            ConstantUse::Function(callee, _) => format!("under {}", callee.name()),
        };
        return Err(Diagnostic::at(
            Phase::Expand,
            l.ir.span(),
            format!(
                "{}{value}, {under}, is 0 for every value of its symbols (a probabilistic identity test: 0 at every random draw), where the expansion takes it to be non-zero: the expression has no Taylor series there",
                crate::print::scalar_unicode(&p.at),
            ),
        )
        .hint("a layer norm of one entry has variance 0: give it an eps > 0, or more entries"));
    }
    Ok(())
}

/// The probabilistic tests' view of an expansion: shapes, small symbols, layers, constants.
fn identity_test<'a>(
    l: &'a Lowered,
    small: &'a BTreeSet<Name>,
    expansion: &'a Expansion,
) -> identity::IdentityTest<'a> {
    identity::IdentityTest {
        symbols: &l.symbols,
        small,
        layers: &expansion.layers,
        constants: &expansion.constants,
        rows: match l.ir.shape().rows {
            crate::ir::Dim::Known(n) => usize::try_from(n).unwrap_or(usize::MAX),
            _ => crate::numeric::DEFAULT_WIDTH,
        },
        rows_free: !matches!(l.ir.shape().rows, crate::ir::Dim::Known(_)),
        cols: match l.ir.shape().cols {
            crate::ir::Dim::Known(n) => usize::try_from(n).ok(),
            _ => None,
        },
        functions: identity::functions_in(&l.ir),
        operating_point_symbols: Default::default(),
    }
}

/// What a decision at one order is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Search {
    /// Below the order asked: the first non-affine term, if this order holds one. Where it holds
    /// none, the decision is not used, so the terms affine in the input at this order (which
    /// only W and b need) are not formed.
    FirstNonAffine,
    /// The decision the analysis reports: W and b from every order.
    Whole,
}

impl Search {
    fn at(at: u32, order: u32) -> Search {
        if at < order {
            Search::FirstNonAffine
        } else {
            Search::Whole
        }
    }
}

fn decide_upto(
    l: &Lowered,
    expansion: &mut Expansion,
    upto: u32,
    settings: &ExpandSettings,
    input: &Symbol,
    tested: &RefCell<Vec<(Expr, identity::Vanishing)>>,
    search: Search,
) -> Result<(Decision, Expr, Vec<Unexpanded>), Diagnostic> {
    let limited = settings.trunc();
    let stop = |e: Stop| Diagnostic::at(Phase::Limit, l.ir.span(), e.to_string());
    // First without the affine terms of the top order, which only W and b below it need: a
    // deep layer's u^∘3 opens into thousands of such terms (b₁∘b₂∘b₃, …) and a few
    // non-affine ones. The whole is formed when the decision needs it: at a kink (W and b take
    // the ε¹ affine part) and when nothing non-affine is found (W and b take every order).
    let mut t = Trunc::exact();
    t.order = Some(settings.order);
    t.small = settings.small.clone();
    let decide_on = |expansion: &Expansion, full: &Expr| {
        let test = identity_test(l, &settings.small, expansion);
        let vanishes = |e: &Expr| {
            if let Some((_, v)) = tested.borrow().iter().find(|(f, _)| f == e) {
                return *v;
            }
            let v = test.vanishes(e);
            tested.borrow_mut().push((e.clone(), v));
            v
        };
        let decision = decide::decide(expansion, full, input, &t, &vanishes);
        match &decision.unwritten {
            Some(terms) => Err(Diagnostic::at(
                Phase::Expand,
                l.ir.span(),
                format!(
                    "the terms {} are linear in {}, but taylornet does not write them as a matrix times {1}: W cannot be given, and no verdict is",
                    crate::print::unicode(terms),
                    input.name.unicode()
                ),
            )
            .hint("write the product another way (A∘(x·bᵀ) is diag(x)·A·diag(b))")),
            None => Ok(decision),
        }
    };
    let pruned = match expansion.in_input_terms(upto, &limited, Some(input)) {
        Ok(pruned) => pruned,
        // Past `max_terms`, the verdict is read off the terms below `upto` (W and b) and the
        // specialisation with the other small symbols at 0 (whether order `upto` holds a
        // non-affine term); the first non-affine term is then given by layer only.
        Err(Stop::TooManyTerms(limit)) if upto > 0 => {
            let below = expansion
                .in_input_terms(upto - 1, &limited, None)
                .map_err(stop)?;
            let at_zero = expansion
                .in_input_terms_at_zero(upto, &limited, input)
                .map_err(stop)?;
            let top = at_zero.filter(|c, _| t.degree(c) == upto);
            let mut decision = decide_on(expansion, &below.add(&top))?;
            if decision.k != Some(upto) || decision.verdict == Verdict::Kink {
                return Err(stop(Stop::TooManyTerms(limit)));
            }
            decision.leading_full = Expr::zero();
            return Ok((decision, below, vec![Unexpanded::InputTerms { limit }]));
        }
        Err(e) => return Err(stop(e)),
    };
    let decision = decide_on(expansion, &pruned)?;
    if decision.k.is_some() && decision.verdict != Verdict::Kink {
        return Ok((decision, pruned, Vec::new()));
    }
    // No non-affine term up to `upto` (the pruned terms hold every one): an order below the
    // one asked only looks for the first, and the next order is tried.
    if search == Search::FirstNonAffine && decision.k.is_none() {
        return Ok((decision, pruned, Vec::new()));
    }
    let limited = settings.trunc();
    let full = expansion
        .in_input_terms(upto, &limited, None)
        .map_err(stop)?;
    // (Not where the exact normal form was found equal to the expansion: what was cut, or
    // read for small ε only, cancels.)
    if limited.truncated.get() && !expansion.cut_cancels {
        expansion.truncated = true;
    }
    let decision = decide_on(expansion, &full)?;
    Ok((decision, full, Vec::new()))
}

/// Whether a chain holds `𝟙ᵀ·𝟙` anywhere (inside ∘, diag, transposes and 1×1 factors).
fn holds_ones_length(c: &crate::algebra::Chain) -> bool {
    use crate::algebra::Factor;
    c.factors().iter().any(|f| match f {
        Factor::Dot(d) => {
            matches!(d.factors(), [Factor::Tr(t), Factor::Ones] if t.factors() == [Factor::Ones])
                || holds_ones_length(d)
        }
        Factor::Diag(d) | Factor::Tr(d) => holds_ones_length(d),
        Factor::Had(h) => h.elements().iter().any(|(e, _)| holds_ones_length(e)),
        Factor::Atom(a) => a.arg.terms().any(|(e, _)| holds_ones_length(e)),
        Factor::Sym(_) | Factor::Ones | Factor::Eye => false,
    })
}

/// The conditions of an analysis, each re-analysed at its value, and theirs in turn (to
/// `depth`); where some were not sought, the analysis says so in an assumption.
fn conditions_of(
    l: &Lowered,
    a: &mut Analysis,
    opts: &AnalyzeOptions,
    depth: u32,
    compensate: Option<&BTreeSet<Symbol>>,
) -> Vec<Condition> {
    let (mut conditions, notes) = find_condition(a);
    a.assumptions.extend(notes);
    // Values where a cancellation the identity test found for almost every value may fail
    // (sign(λ) at λ = 0): each re-analysed below, and kept only where the verdict changes.
    let found = conditions.len();
    let (candidates, mut unsought) = exceptions::candidates(a);
    for (param, value) in candidates {
        if !(conditions.iter()).any(|c| c.param == param && c.value == value) {
            conditions.push(Condition {
                param,
                value,
                what: Vanishing::Survives { order: 0 },
                only: false,
                others: Vec::new(),
                then: None,
                not_analysed: None,
                further: Vec::new(),
            });
        }
    }
    for c in &mut conditions {
        let Some(value) = param_value(&c.value) else {
            // Only rationals and radicals are written back into the network (from a review,
            // `λ = π` was said to hold other parameters).
            c.not_analysed = Some(if c.value.params().is_empty() {
                "the value is no rational number or radical (it holds π, e or a function value)"
                    .into()
            } else {
                "the value holds other parameters".into()
            });
            continue;
        };
        {
            let ir = substitute_param(&l.ir, &c.param, &value);
            let l2 = Lowered {
                ir,
                symbols: l.symbols.clone(),
            };
            match analyze_once(&l2, opts, compensate) {
                Ok(a) => c.then = Some(Box::new(a)),
                Err(e) => c.not_analysed = Some(e.message),
            }
            if depth > 1
                && let Some(then) = &mut c.then
            {
                c.further = conditions_of(&l2, then, opts, depth - 1, compensate);
            }
        }
    }
    let mut index = 0;
    conditions.retain_mut(|c| {
        index += 1;
        if index <= found {
            return true;
        }
        // A value the network could not be analysed at (not defined there, or no radical:
        // sign(λ − π)) is one where the cancellation was not examined.
        if c.then.is_none() {
            unsought.insert(c.param.clone());
        }
        exceptional(&a.decision, c)
    });
    if !unsought.is_empty() {
        a.assumptions.push(Assumption::BreakpointValuesNotSought {
            params: unsought.into_iter().collect(),
        });
    }
    conditions
}

/// Whether a value where the identity test's cancellation may fail changes the result, with
/// what changes there: a lower first order (the terms of that order do not cancel there), a
/// higher one (the first non-affine terms vanish), or W = 0.
fn exceptional(main: &Decision, c: &mut Condition) -> bool {
    let Some(then) = &c.then else {
        return false;
    };
    // The first non-affine order, `None` past every order expanded.
    let first = |d: &Decision| match d.verdict {
        Verdict::ExactAffine | Verdict::Affine { k: None } => None,
        Verdict::Affine { k: Some(k) } | Verdict::Degenerate { k } => Some(k),
        Verdict::Kink => Some(1),
    };
    let (generic, there) = (first(main), first(&then.decision));
    c.what = match (generic, there) {
        (None, Some(k)) => Vanishing::Survives { order: k },
        (Some(g), Some(k)) if k < g => Vanishing::Survives { order: k },
        (Some(g), Some(k)) if k > g => Vanishing::NonAffineTerms,
        (Some(_), None) => Vanishing::NonAffineTerms,
        _ if then.decision.w.is_zero() && !main.w.is_zero() => Vanishing::LinearPart,
        _ => return false,
    };
    true
}

/// Parameter values at which the leading non-affine terms (or the linear part) vanish: the
/// one value of a linear coefficient, or the rational zeros of a polynomial one; with an
/// assumption for each set of coefficients whose zeros were not worked out.
/// Most values of the parameters at which one set of coefficients vanishes that are sought.
const MAX_CONDITIONS: usize = 16;

fn find_condition(a: &Analysis) -> (Vec<Condition>, Vec<Assumption>) {
    let d = &a.decision;
    // A value that is the only zero of one coefficient is preferred: then every coefficient
    // vanishes iff the parameter takes it (all vanish there, and that one nowhere else).
    // A parameter inside the terms (an operating point c₁ = λ·b under tanh, an atom's
    // argument, a named constant) may make them vanish whatever the coefficients (tanh(0·b)
    // = 0): a coefficient's zeros are then sufficient only (from reviews, `(λ² − 2)·(tanh(λ·b)
    // ∘x∘x)` and `(λ² − 2)·(tanh(μ·b)∘x∘x)` were said to vanish at ±√2 "and at no other value",
    // and at λ = 0, or μ = 0, they do too).
    let in_terms = |expr: &Expr| {
        let mut chains = Expr::zero();
        for (c, _) in expr.terms() {
            chains.add_term(c.clone(), Scalar::one());
        }
        !chains.params().is_empty()
            || (a.expansion.layers.iter()).any(|ly| !ly.op_point.params().is_empty())
            || (a.expansion.constants.iter()).any(|k| !k.value.params().is_empty())
            || (a.expansion.points.iter()).any(|k| !k.at.params().is_empty())
    };
    // The conditions found, and the parameters of the coefficients whose zeros were not all
    // worked out (a parameter inside a function or under a root: sin(λ), √λ − 2; a polynomial
    // the solver leaves): where none was found, the report says so instead of nothing.
    let try_set = |coefs: Vec<&Scalar>,
                   terms: &Expr,
                   what: Vanishing|
     -> (Vec<Condition>, BTreeSet<Name>, BTreeSet<Name>) {
        let condition = |param: Name, value: Scalar, only: bool| Condition {
            param,
            value,
            what,
            only,
            others: Vec::new(),
            then: None,
            not_analysed: None,
            further: Vec::new(),
        };
        let vanish_at = |p: &Name, v: &Scalar| {
            coefs
                .iter()
                .all(|c| c.substitute(p, v).is_ok_and(|z| z.is_zero()))
        };
        // Some coefficient is shown not to vanish at `p = v`: its value there is not 0 in
        // a form whose zero test is exact (no nested radical such as √(3 + 2·√2), which
        // is 1 + √2, nor a function value), or `v` is outside its domain. A zero of one
        // coefficient that neither vanishes in all nor is shown not to is undecided (from
        // a review, λ − 2·√λ − 1 at 3 + 2·√2 was dropped and λ taken as settled).
        let refuted = |p: &Name, v: &Scalar| {
            coefs.iter().any(|c| match c.substitute(p, v) {
                Ok(z) => !z.is_zero() && !z.has_opaque(),
                Err(_) => true,
            })
        };
        let mut sufficient = Vec::new();
        let mut unsettled = BTreeSet::new();
        // Parameters not looked at once MAX_CONDITIONS values are found: each value of a
        // sum of n parameters holds the other n − 1, so n of them are quadratic in n to find
        // and to print (from a review: λ₀·μ·x + … + λ₃₉₉₉·μ·x ran into the time budget).
        let mut skipped = BTreeSet::new();
        let hidden = in_terms(terms);
        for s in &coefs {
            // An operating-point constant is no free parameter: its value is fixed; nor is a
            // length (`d₂` of `𝟙ᵀ·𝟙`), which is never 0 and which the re-analysis cannot set.
            let mut params: Vec<Name> = (s.params().into_iter())
                .filter(|p| {
                    !a.expansion.constants.iter().any(|k| k.name == *p)
                        && !a.expansion.dims.contains(p)
                })
                .collect();
            // Past the limit, the parameters that stand in the most terms first: a common
            // factor's value (μ = 0 of μ·(λ₀ + … + λₙ)) before each λᵢ's.
            if params.len() > MAX_CONDITIONS {
                let mut count: BTreeMap<&Name, usize> = BTreeMap::new();
                for (m, _) in s.terms() {
                    for (f, _) in m.factors() {
                        if let crate::algebra::scalar::Atom::Param(n) = f {
                            *count.entry(n).or_default() += 1;
                        }
                    }
                }
                let times = |p: &Name| count.get(p).copied().unwrap_or(0);
                params.sort_by_key(|p| std::cmp::Reverse(times(p)));
            }
            for p in params {
                // Each parameter costs a pass over the coefficient: a product of thousands
                // of them is quadratic, so the budget is checked (from a review, a 2 s budget
                // ran to 15 s here).
                if crate::limits::interrupted() {
                    return (sufficient, unsettled, skipped);
                }
                if sufficient.len() >= MAX_CONDITIONS {
                    skipped.insert(p);
                    continue;
                }
                // `a·p + b` or `a·pᵐ`: its one zero in `p` is known.
                let linear = solve_linear(s, &p);
                if let Some((v, only)) = linear.clone()
                    && vanish_at(&p, &v)
                {
                    let only = only && !hidden;
                    if only {
                        return (
                            vec![condition(p, v, true)],
                            BTreeSet::new(),
                            BTreeSet::new(),
                        );
                    }
                    // Each parameter's value is kept: of λ·μ, λ = 0 and μ = 0 (from a
                    // review, μ = 0, where W = λ·μ·W₁ vanishes, was dropped after λ = 0).
                    if !(sufficient.iter()).any(|c: &Condition| c.param == p && c.value == v) {
                        sufficient.push(condition(p, v, false));
                    }
                    continue;
                }
                // (λ² − 1)·t²: each rational zero is a value where the terms vanish (from a
                // review, which found no condition at λ = ±1); (λ² − 2)·t²: zeros that are
                // radicals (from a review, λ = ±√2 had none). Each is confirmed by
                // substituting it exactly. A factor in other parameters is set aside
                // ((λ − 1)·(μ − 4) is solved as λ − 1); its zeros make the values sufficient
                // only, as they are not the only ones.
                // A content that is never 0 (μ² + 1) hides no zero: the values stay the only
                // ones (a review found "perhaps" for (λ² − 2)·(μ² + 1)).
                let (poly, whole) = match roots::content_free(s, &p) {
                    Some((g, f)) => (f, roots::never_zero(&g)),
                    None => ((*s).clone(), true),
                };
                let radical = roots::radical_zeros(&poly, &p);
                let mut zeros: Vec<Scalar> = (radical.rational.iter().cloned())
                    .map(Scalar::from_q)
                    .collect();
                for v in radical.values {
                    if !zeros.contains(&v) {
                        zeros.push(v);
                    }
                }
                // Each zero substituted once: where all vanish, or else whether one is
                // shown not to.
                let mut vanishing = Vec::new();
                let mut undecided = false;
                for v in &zeros {
                    if vanish_at(&p, v) {
                        vanishing.push(v.clone());
                    } else if !refuted(&p, v) {
                        undecided = true;
                    }
                }
                // When these are every real zero of a coefficient in `p` alone and all the
                // coefficients vanish at each, they vanish there and nowhere else, whatever
                // the other parameters ("perhaps at other values too" was once said of
                // λ = ±√2, the only zeros of λ² − 2).
                if whole
                    && !hidden
                    && radical.complete
                    && !vanishing.is_empty()
                    && vanishing.len() == zeros.len()
                {
                    let all = (0..vanishing.len())
                        .map(|i| {
                            let mut c = condition(p.clone(), vanishing[i].clone(), true);
                            c.others = (vanishing.iter().enumerate())
                                .filter(|(j, _)| *j != i)
                                .map(|(_, v)| v.clone())
                                .collect();
                            c
                        })
                        .collect();
                    return (all, BTreeSet::new(), BTreeSet::new());
                }
                // Every zero of this coefficient in `p` is known (linear in `p`, or all its
                // radical zeros found, or it is never 0), and none makes all the coefficients
                // vanish, each shown not to: `p` is settled. Otherwise its zeros were not all
                // found or not all decided.
                if linear.is_none()
                    && !(whole && radical.complete && !undecided)
                    && vanishing.is_empty()
                    && !never_zero_in(s, &p)
                {
                    // A zero the solver does not reach may still be a simple value: 0 for
                    // sin(λ) or tanh(λ), 1 for log(λ), ±1 for log|λ|. Found, each is
                    // sufficient only.
                    let simple = [0i64, 1, -1].map(|k| Scalar::from_q(Q::from(k)));
                    vanishing.extend(simple.into_iter().filter(|v| vanish_at(&p, v)));
                    if vanishing.is_empty() {
                        unsettled.insert(p.clone());
                    }
                }
                for v in vanishing {
                    if !(sufficient.iter()).any(|c: &Condition| c.param == p && c.value == v) {
                        sufficient.push(condition(p.clone(), v, false));
                    }
                }
            }
        }
        skipped.retain(|p| !sufficient.iter().any(|c: &Condition| c.param == *p));
        (sufficient, unsettled, skipped)
    };
    // When the first non-affine term was left unexpanded in the input's terms (past
    // `max_terms`), its form by layer stands in: where all its coefficients vanish, so does the
    // term (a condition found this way is true; one that needs a cancellation is missed).
    let leading = if d.leading_full.is_zero() {
        &d.leading_layered
    } else {
        &d.leading_full
    };
    // A set of coefficients with no condition found, whose zeros in some parameter were not
    // all worked out, is said to be so (a found condition that is not the only one already
    // says "and perhaps at other values").
    let mut what = Vec::new();
    let mut params = BTreeSet::new();
    let mut note = |v: Vanishing, unsettled: BTreeSet<Name>| {
        if !unsettled.is_empty() {
            what.push(v);
            params.extend(unsettled);
        }
    };
    let mut found = Vec::new();
    let mut capped = Vec::new();
    let lead: Vec<&Scalar> = leading.terms().map(|(_, s)| s).collect();
    if !lead.is_empty() {
        let (conditions, unsettled, skipped) = try_set(lead, leading, Vanishing::NonAffineTerms);
        if !skipped.is_empty() {
            capped.push(Assumption::ConditionsCapped {
                what: Vanishing::NonAffineTerms,
                shown: conditions.len(),
                params: skipped.into_iter().collect(),
            });
        }
        match conditions.is_empty() {
            true => note(Vanishing::NonAffineTerms, unsettled),
            false => found = conditions,
        }
    }
    // The linear part too, where a value of its own changes the verdict (from a review,
    // `(λ − 3)·W₁·x + (λ − 2)·(tanh(W₂·x) − W₂·x)` said "iff λ = 2" and nothing of λ = 3, where
    // W = 0 and the network is degenerate); a value the terms' conditions have is not repeated.
    let w: Vec<&Scalar> = d.w.terms().map(|(_, s)| s).collect();
    if !w.is_empty() {
        let (conditions, unsettled, skipped) = try_set(w, &d.w, Vanishing::LinearPart);
        if !skipped.is_empty() {
            capped.push(Assumption::ConditionsCapped {
                what: Vanishing::LinearPart,
                shown: conditions.len(),
                params: skipped.into_iter().collect(),
            });
        }
        if conditions.is_empty() {
            note(Vanishing::LinearPart, unsettled);
        }
        for c in conditions {
            if !(found.iter()).any(|f: &Condition| f.param == c.param && f.value == c.value) {
                found.push(c);
            }
        }
    }
    let notes = (!what.is_empty())
        .then(|| Assumption::ZerosNotSought {
            what,
            params: params.into_iter().collect(),
        })
        .into_iter()
        .chain(capped)
        .collect();
    (found, notes)
}

/// The quantities holding parameters that stand under a fractional power or a logarithm in
/// the coefficients of `exprs` (from a review: `W = (1/(3·λ^(2/3)))·W₁` of `(λ + t)^(1/3)`
/// was stated with no word of λ < 0, where it is not real, or of λ = 0).
fn positive_bases<'a>(exprs: impl Iterator<Item = &'a Expr>) -> Vec<Scalar> {
    fn visit(s: &Scalar, out: &mut Vec<Scalar>) {
        if s.params().is_empty() {
            return;
        }
        for (mono, _) in s.terms() {
            for (atom, e) in mono.factors() {
                let fractional = *e.denominator_ref() != 1u32;
                match atom {
                    Atom::Param(p) if fractional => {
                        let base = Scalar::param(p.clone());
                        if !out.contains(&base) {
                            out.push(base);
                        }
                    }
                    Atom::Group(g) if fractional && !g.params().is_empty() => {
                        if !out.contains(g) {
                            out.push((**g).clone());
                        }
                        visit(g, out);
                    }
                    Atom::Group(g) => visit(g, out),
                    Atom::Func(f, arg) => {
                        // A function value of a parameter under a root: √tanh(λ) is real
                        // where tanh(λ) > 0, which λ > 0 alone does not say (from a review).
                        if fractional && !arg.params().is_empty() {
                            let value = Scalar::opaque(f, arg);
                            if !out.contains(&value) {
                                out.push(value);
                            }
                        }
                        if &**f == "log" && !arg.params().is_empty() && !out.contains(arg) {
                            out.push((**arg).clone());
                        }
                        visit(arg, out);
                    }
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    for e in exprs {
        for (_, s) in e.terms() {
            visit(s, &mut out);
        }
    }
    out
}

/// Whether `s` is one monomial in which every factor that holds `p` is never 0 (`exp(λ)`, a
/// negative power): no value of `p` makes it vanish.
fn never_zero_in(s: &Scalar, p: &Name) -> bool {
    let mut terms = s.terms();
    let (Some((mono, _)), None) = (terms.next(), terms.next()) else {
        return false;
    };
    mono.factors().iter().all(|(atom, e)| {
        let holds = match atom {
            Atom::Param(n) => n == p,
            Atom::Func(_, arg) | Atom::Group(arg) => arg.params().contains(p),
            _ => false,
        };
        !holds || *e < 0u32 || matches!(atom, Atom::Func(f, _) if &**f == "exp")
    })
}

/// Solves `s = 0` for `p` when `s` is `a·p + b` or `a·pᵐ` with `a`, `b` free of `p`; with
/// whether that value is the only zero whatever the other parameters: when `a` holds none (a
/// non-zero number). Where `a` holds one, `a = 0` may be a zero too (λ·μ at μ = 0).
pub(crate) fn solve_linear(s: &Scalar, p: &Name) -> Option<(Scalar, bool)> {
    let by = s.coefficients_in(p);
    let zero = Q::from(0);
    let one = Q::from(1);
    let free = |x: &Scalar| !x.params().contains(p);
    let only = |a: &Scalar| a.params().is_empty() && !a.is_zero();
    match by.len() {
        1 => {
            let (e, a) = by.iter().next()?;
            (*e > 0u32 && free(a)).then(|| (Scalar::zero(), only(a)))
        }
        2 => {
            let a = by.get(&one)?;
            let b = by.get(&zero)?;
            if !free(a) || !free(b) {
                return None;
            }
            Some((b.neg().div(a).ok()?, only(a)))
        }
        _ => None,
    }
}

/// Replaces a parameter by a rational everywhere, function bodies included.
/// A condition's value as a sum of rational multiples of prime powers: a rational `[(q, [])]`,
/// `½ + ½·√5` as `[(½, []), (½, [(5, ½)])]`; `None` for anything else (another parameter).
pub(crate) type ParamValue = crate::algebra::scalar::Radicals;

pub(crate) fn param_value(v: &Scalar) -> Option<ParamValue> {
    match v.as_q() {
        Some(q) => Some(vec![(q.clone(), Vec::new())]),
        None => v.as_radicals(),
    }
}

/// `v` as an expression in the place of `at` (a parameter's node: its span and scalar shape).
fn value_ir(v: &ParamValue, at: &Ir) -> Ir {
    let node = |kind: IrKind| at.with_kind(kind);
    let term = |(c, primes): &(Q, Vec<(u64, Q)>)| {
        let mut factors = vec![node(IrKind::Num(c.clone()))];
        for (p, e) in primes {
            let base = node(IrKind::Num(Q::from(*p)));
            factors.push(node(IrKind::Pow(Box::new(base), e.clone())));
        }
        match factors.len() {
            1 => factors.remove(0),
            _ => node(IrKind::Mul(factors)),
        }
    };
    match v.as_slice() {
        [t] => term(t),
        ts => node(IrKind::Sum(ts.iter().map(term).collect())),
    }
}

/// `callee` with the value `v` for the parameter `p` in its body and its parameters' defaults.
pub(crate) fn substitute_param_in_callee(callee: &Callee, p: &Name, v: &ParamValue) -> Callee {
    match callee {
        Callee::Def(d) => {
            // A parameter bound by the function shadows the outer one inside its body.
            let shadowed = d.params.iter().any(|(n, _)| n == p);
            let body = if shadowed {
                d.body.clone()
            } else {
                substitute_param(&d.body, p, v)
            };
            let params = (d.params.iter())
                .map(|(n, x)| {
                    let x = if n == p {
                        x.clone()
                    } else {
                        substitute_param(x, p, v)
                    };
                    (n.clone(), x)
                })
                .collect();
            Callee::Def(Rc::new(FunDef {
                body,
                params,
                ..(**d).clone()
            }))
        }
        c => c.clone(),
    }
}

pub(crate) fn substitute_param(ir: &Ir, p: &Name, v: &ParamValue) -> Ir {
    let kind = match ir.kind() {
        IrKind::Param(n) if n == p => return value_ir(v, ir),
        IrKind::Apply {
            callee,
            deriv,
            arg,
            params,
        } => IrKind::Apply {
            callee: substitute_param_in_callee(callee, p, v),
            deriv: *deriv,
            arg: Box::new(substitute_param(arg, p, v)),
            params: params
                .iter()
                .map(|(n, x)| (n.clone(), substitute_param(x, p, v)))
                .collect(),
        },
        IrKind::Sum(xs) => IrKind::Sum(xs.iter().map(|x| substitute_param(x, p, v)).collect()),
        IrKind::Mul(xs) => IrKind::Mul(xs.iter().map(|x| substitute_param(x, p, v)).collect()),
        IrKind::Had(xs) => IrKind::Had(xs.iter().map(|x| substitute_param(x, p, v)).collect()),
        IrKind::Neg(x) => IrKind::Neg(Box::new(substitute_param(x, p, v))),
        IrKind::Pow(x, q) => IrKind::Pow(Box::new(substitute_param(x, p, v)), q.clone()),
        IrKind::HadPow(x, k) => IrKind::HadPow(Box::new(substitute_param(x, p, v)), *k),
        IrKind::Diag(x) => IrKind::Diag(Box::new(substitute_param(x, p, v))),
        IrKind::Transpose(x) => IrKind::Transpose(Box::new(substitute_param(x, p, v))),
        IrKind::If {
            lhs,
            op,
            rhs,
            then,
            otherwise,
        } => IrKind::If {
            lhs: Box::new(substitute_param(lhs, p, v)),
            op: *op,
            rhs: Box::new(substitute_param(rhs, p, v)),
            then: Box::new(substitute_param(then, p, v)),
            otherwise: Box::new(substitute_param(otherwise, p, v)),
        },
        IrKind::Bound { name, value } => IrKind::Bound {
            name: name.clone(),
            value: Rc::new(substitute_param(value, p, v)),
        },
        k => k.clone(),
    };
    ir.with_kind(kind)
}

/// The bias that would cancel a layer's O(1) part: a lone vector symbol in its pre-activation.
pub fn bias_name(l: &Layer) -> Option<String> {
    required_bias(l).map(|(n, _)| n)
}

/// The bias that could absorb a layer's O(1) part, and the value it would need (up to O(ε)):
/// `b₂ = −½·W₂·𝟙`. When the bias is itself part of the O(1) part, its own term is left out.
pub(crate) fn required_bias(l: &Layer) -> Option<(String, Expr)> {
    layer_bias(l).map(|b| (b.symbol.name.unicode(), b.need))
}

/// The bias of a layer: a lone user vector `q·b` (or matrix, for a token matrix) in its
/// pre-activation.
pub(crate) struct LayerBias {
    pub symbol: Symbol,
    /// Its coefficient `q` in the pre-activation (`2` in `2·(W₂·σ + b₂)`).
    pub coefficient: Q,
    /// The value `b` needs to cancel the O(1) part, up to O(ε): `−(c − q·b)/q`.
    pub need: Expr,
}

/// The bias term of a pre-activation: a vector (or matrix) symbol standing alone with a
/// rational coefficient, with that coefficient.
pub(crate) fn bias_term(
    pre: &Expr,
    input: Option<&Name>,
) -> Option<(crate::algebra::nf::Chain, Symbol, Q)> {
    pre.terms().find_map(|(c, s)| match c.factors() {
        [crate::algebra::Factor::Sym(sym)]
            // A bias matrix (`B₀`, for a token matrix) only stands alone in a matrix
            // pre-activation, so it is a bias exactly where a vector is for a vector. The
            // input, standing alone, is the signal.
            if sym.role == crate::algebra::nf::Role::User
                && matches!(sym.kind, Kind::Vector | Kind::Matrix)
                && Some(&sym.name) != input =>
        {
            s.as_q()
                .filter(|q| **q != 0u32)
                .map(|q| (c.clone(), sym.clone(), q.clone()))
        }
        _ => None,
    })
}

/// A bias row `𝟙·bᵀ` of a token-matrix pre-activation (`X·W₁ + 𝟙·b₁ᵀ`): the vector `b`. The
/// compensation does not shift it (its O(1) part, a matrix, is cancelled as a bias matrix
/// added to the layer would cancel it), and the reports say so rather than "no bias".
pub(crate) fn bias_row(pre: &Expr) -> Option<Symbol> {
    use crate::algebra::Factor;
    pre.terms().find_map(|(c, _)| match c.factors() {
        [Factor::Ones, Factor::Tr(t)] => match t.factors() {
            [Factor::Sym(s)] if s.role == crate::algebra::nf::Role::User => Some(s.clone()),
            _ => None,
        },
        _ => None,
    })
}

/// The bias that could absorb a layer's O(1) part (see [`LayerBias`]).
pub(crate) fn layer_bias(l: &Layer) -> Option<LayerBias> {
    let (chain, sym, q) = bias_term(&l.pre, l.input.as_ref())?;
    let own = Expr::term(Scalar::from_q(q.clone()), chain.clone());
    let rest = if l.op_point.terms().any(|(c, _)| *c == chain) {
        l.op_point.sub(&own)
    } else {
        l.op_point.clone()
    };
    let need = rest.scale_q(&(Q::from(-1) / &q));
    Some(LayerBias {
        symbol: sym,
        coefficient: q,
        need,
    })
}

/// A bias that two layers would need to set to different values to cancel their O(1) parts
/// (`sin(2·(W₂·σ + b₂)) + sin(W₂·σ + b₂)`), with the two values.
fn conflicting_bias(layers: &[Layer]) -> Option<(String, Expr, Expr)> {
    let mut needs: BTreeMap<String, Expr> = BTreeMap::new();
    for l in layers.iter().filter(|l| !l.op_point.is_zero()) {
        let (bias, need) = required_bias(l)?;
        match needs.get(&bias) {
            Some(other) if *other != need => return Some((bias, other.clone(), need)),
            _ => {
                needs.insert(bias, need);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::session::{Outcome, Session};

    /// Set by the test below to form every expansion order by order. Process-wide, as a session
    /// may run its statements on a thread of its own; other tests running meanwhile see the
    /// same results either way (which is what the test checks).
    pub(super) static ORDER_BY_ORDER: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    fn report(source: &str, order: u32) -> String {
        let mut s = Session::new();
        s.options.order = order;
        match s.run(source) {
            Ok(out) => out
                .into_iter()
                .rev()
                .find_map(|o| match o {
                    Outcome::Analysis { report, .. } => Some(format!("{report:?}")),
                    _ => None,
                })
                .unwrap_or_default(),
            Err(e) => format!("error: {}", e.message),
        }
    }

    #[test]
    fn a_small_network_is_decided_alike_in_one_go_and_order_by_order() {
        let networks = [
            "tanh(W2·tanh(W1·x + b1) + b2)",
            "sigmoid(W2·sigmoid(W1·x + b1) + b2)",
            "gelu(W2·gelu(W1·x + b1) + b2)",
            "relu(W1·x + b1)",
            "leaky_relu(W1·x + b1; a = α)",
            "W1 : 2x4; W2 : 2x2; s(t) = λ·t; s(W2·s(W1·x + b1) + b2)",
            "s(t) = sin(t) + t^3/6; s(W2·s(W1·x + b1) + b2)",
            "tanh(v) - tanh(v)",
            "tanh(W1·x + 1)",
            "exp(W1·x) - 1",
            "(xᵀ·x)^(1/2)",
            "(xᵀ·x)^(-1/2)",
            "W1·x/(1 + (xᵀ·x)^(1/2))",
            "abs(W1·x)∘abs(W1·x) - (W1·x)∘(W1·x)",
            "selu(W2·selu(W1·x))",
            "sin(W2·cos(W1·x + c))",
            "n : dim; W1 : n×n; softmax(W1·x + b1)",
        ];
        for net in networks {
            for order in [1, 2, 3, 4, 5] {
                let in_one_go = report(net, order);
                ORDER_BY_ORDER.store(true, std::sync::atomic::Ordering::Relaxed);
                let order_by_order = report(net, order);
                ORDER_BY_ORDER.store(false, std::sync::atomic::Ordering::Relaxed);
                assert_eq!(in_one_go, order_by_order, "{net} at order {order}");
            }
        }
    }
}
