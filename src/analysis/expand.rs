//! The ε-graded expansion of a network.
//!
//! Each activation `s(u)` is split at its pre-activation `u = c + δ` (`c` the
//! ε⁰ part). The ε¹ part of `δ` gets a layer variable `uᵢ`, so the expansion is
//! first written by layer (`−⅓·W₂·u₁^∘3 − ⅓·u₂^∘3`), then the layer variables
//! are substituted to give the expansion in the user's symbols. Coefficients
//! come from the series engine at `c` when `c` is `0` or a multiple of `𝟙`, and
//! are element-wise derivative atoms `s⁽ᵏ⁾(cᵢ)` otherwise. At a kink the two
//! one-sided series combine exactly with `|δ|`.

use crate::algebra::nf::{Chain, Role, Stop};
use crate::algebra::{Expr, Factor, Kind, Q, Scalar, Symbol, Trunc};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::ir::{Callee, Dim, Ir, IrKind, Prim};
use crate::limits::{Budget, Limits};
use crate::series::eval::{GenericDerivative, generic_derivatives, series_at_if_decided};
use crate::series::{PointSeries, Smoothness, series_at};
use crate::syntax::Name;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The values at an operating point of the conditions that select one piece of a function,
/// each with its certified sign.
pub type CertifiedSigns = Vec<(Expr, Ordering)>;

/// How one activation was expanded.
#[derive(Clone, Debug)]
pub enum Coefficients {
    /// From the series of the activation at a scalar point (`c = a·𝟙`, usually `a = 0`).
    Series { at: Scalar, series: PointSeries },
    /// At a symbolic operating point: element-wise derivative atoms `s⁽ᵏ⁾(c)/k!`.
    Atoms { piecewise: bool },
}

/// One activation of the network, as the expansion met it (innermost first).
#[derive(Clone, Debug)]
pub struct Layer {
    /// 1-based, in order of evaluation (inner layers first).
    pub index: usize,
    pub activation: String,
    /// The pre-activation, written with earlier layers' variables.
    pub pre: Expr,
    /// Its ε⁰ part (the operating point), before any compensation.
    pub op_point: Expr,
    /// The symbol standing for a symbolic operating point (`c₂`).
    pub op_symbol: Option<Symbol>,
    /// The operating point was assumed cancelled by the bias.
    pub compensated: bool,
    /// Nothing small in the argument, cut or kept (`abs(a₁)` with a₁ not small): a constant
    /// of the network, its value at the point, not a pre-activation of its signal.
    pub constant: bool,
    /// A piecewise layer at a symbolic point whose piece is not certified: the conditions
    /// that select its pieces, read at a point by [`crate::series::eval::on_breakpoint`].
    pub breakpoints: Vec<Scalar>,
    /// The layer variable `uᵢ` and what it stands for (the ε¹ part of δ).
    pub var: Option<(Symbol, Expr)>,
    /// At a kink: `δᵢ`, all of the small part of the pre-activation (`uᵢ` plus its
    /// higher-order parts), which `|δᵢ|` and the powers δᵢ^∘k are written in.
    pub whole: Option<(Symbol, Expr)>,
    pub coefficients: Coefficients,
    /// The activation's expansion, written with layer variables.
    pub output: Expr,
    /// The orders of the series used.
    pub series_order: usize,
    /// The function applied (its `deriv`-th derivative) and its parameters: what the values
    /// check the layer's assumptions with where its operating point is known.
    pub callee: Callee,
    pub deriv: u32,
    pub params: Vec<(Name, Ir)>,
    /// The network's input, which is never a layer's bias (`softmax(x + 2·𝟙)` has none: x
    /// was read as one, "unless x = −2·𝟙 + O(ε)").
    pub input: Option<Name>,
}

/// Settings of one expansion.
#[derive(Clone, Debug)]
pub(crate) struct ExpandSettings {
    pub order: u32,
    pub small: std::collections::BTreeSet<Name>,
    /// Assume each O(1) pre-activation is cancelled by its bias.
    pub compensate: bool,
    /// With `compensate`: the biases that cancel the O(1) parts of layers with something
    /// small in their argument. A constant layer (nothing small) is cancelled only by one of
    /// these, so the one value the compensation gives a bias holds everywhere it occurs.
    pub signal_biases: std::collections::BTreeSet<Symbol>,
    pub limits: Limits,
    pub budget: Budget,
    /// Keep activations as element-wise atoms and truncate nothing: the plain normal form.
    pub normalize_only: bool,
    /// The input, when known: a kink whose leading pre-activation does not depend on it is
    /// never crossed at small ε (each entry stays on the side its bias puts it).
    pub input: Option<Name>,
    /// Most products of two terms the expansion may take ([`Trunc::max_work`]).
    pub max_products: u64,
}

/// A binding is shown in the input's terms when that takes at most this many products of
/// terms ([`substituted_terms`]); else in the layer variables, which the layers define.
const BINDING_TERMS: usize = 200;

/// An upper bound on the terms of `e` with the layer variables replaced by `values`, before
/// any truncation or cancellation: each term multiplies out its variables' values (a Hadamard
/// power `u^∘3` of a value of n terms is up to n³ of them).
fn substituted_terms(e: &Expr, values: &BTreeMap<Symbol, Expr>) -> usize {
    fn chain(c: &Chain, values: &BTreeMap<Symbol, Expr>) -> usize {
        c.factors().iter().fold(1usize, |acc, f| {
            acc.saturating_mul(match f {
                Factor::Sym(s) => values.get(s).map_or(1, |v| v.len().max(1)),
                Factor::Had(h) => h.elements().iter().fold(1usize, |a, (e, k)| {
                    a.saturating_mul(chain(e, values).saturating_pow(*k))
                }),
                Factor::Diag(c) | Factor::Tr(c) | Factor::Dot(c) => chain(c, values),
                Factor::Atom(a) => substituted_terms(&a.arg, values),
                Factor::Ones | Factor::Eye => 1,
            })
        })
    }
    e.terms()
        .fold(0usize, |acc, (c, _)| acc.saturating_add(chain(c, values)))
}

/// The expansion: layered, with each layer variable in the user's symbols. The whole
/// expansion in the user's symbols grows with depth far faster than the layered form (every
/// `u₁^∘3` of a 20-layer network opens into hundreds of terms), so it is formed only on
/// request and only to the order asked ([`Expansion::in_input_terms`]).
#[derive(Clone, Debug)]
pub struct Expansion {
    pub layers: Vec<Layer>,
    pub layered: Expr,
    /// Each layer variable (`uᵢ`, and `δᵢ` at a kink) in the user's symbols, to the order.
    pub layer_values: BTreeMap<Symbol, Expr>,
    /// The order expanded to (`None` for the plain normal form).
    pub order: Option<u32>,
    /// A series or product was cut at the order (so "no non-affine term" is not yet "exactly affine").
    pub truncated: bool,
    /// What was cut cancels: the exact normal form (activations kept whole) is affine and
    /// equals the expansion (`tanh(v) − tanh(v)`), so `truncated` was cleared.
    pub cut_cancels: bool,
    /// Bindings used, in order, with their values (for derivations).
    pub bindings: Vec<(Name, Expr)>,
    /// The derivation steps the expansion performed, in order.
    pub steps: Vec<crate::analysis::steps::Step>,
    /// Kinks never crossed at small ε, with the input-free leading part that fixes each
    /// entry's side (`relu(W₂·(W₁·x)^∘2 + b₂)`: the sign of b₂).
    pub fixed_sides: Vec<(usize, Expr)>,
    /// Piecewise layers whose symbolic operating point lies on one piece in every entry,
    /// certified: (layer, each condition's value at the point with its sign).
    pub decided_pieces: Vec<(usize, CertifiedSigns)>,
    /// Scalar constants of the operating points (`κ₁ = 𝟙ᵀ·exp(c₁)`), in the order they were named.
    pub constants: Vec<OpConstant>,
    /// The symbolic points 1×1 expressions were expanded around, with what they are under.
    pub points: Vec<SymbolicPoint>,
    /// Series of 1×1 expressions around a symbolic constant part, which hold only while the
    /// small part is smaller than it (`σ ≪ √η` inside a norm).
    pub scale_bounds: Vec<ScaleBound>,
    /// The length of each layer variable that is a vector of a known length: a value holding
    /// `𝟙` put into `𝟙ᵀ·uᵢ` makes a `𝟙ᵀ·𝟙`, which is that length.
    pub var_len: BTreeMap<Symbol, Scalar>,
    /// Terms of operating points made of opaque constants that were found zero numerically
    /// (`(tan(⅛π) − √2 + 1)·𝟙`) and dropped.
    pub numeric_zeros: usize,
    /// Parameters that stand for lengths (`n`, `d₁`): no condition sets one to a value.
    pub dims: std::collections::BTreeSet<Name>,
    /// Each layer (its index and activation) expanded around a generic operating point with
    /// derivatives taken as 0 by the probabilistic identity test (their orders; see
    /// [`crate::series::eval::IDENTITY_POINTS`]).
    pub zero_at_points: Vec<(usize, String, Vec<usize>)>,
}

/// A scalar constant of the operating point: the O(1) part of a 1×1 expression under a power
/// or a function when it is not a number (`𝟙ᵀ·exp(c₁)`, the normaliser of a softmax around an
/// O(1) offset). It is named, as a parameter, so its powers and its logarithm stay exact; its
/// value is kept for the numeric checks and the report.
#[derive(Clone, Debug)]
pub struct OpConstant {
    /// The parameter that names it (`κ₁`).
    pub name: Name,
    /// What it stands for, in operating-point symbols and earlier constants.
    pub value: Expr,
    /// How many layers the expansion had met when the constant was named: its value uses
    /// only their operating points, and later layers' operating points may use it.
    pub after_layer: usize,
}

/// A point a 1×1 expression was expanded around that holds symbols (`κ₁`, `sin(κ₁)`, `λ`):
/// the expansion holds where what it is the O(1) part of is analytic at the point's value.
#[derive(Clone, Debug)]
pub struct SymbolicPoint {
    /// The point, an exact scalar in parameters and operating-point constants.
    pub at: Scalar,
    /// What it is the O(1) part of.
    pub under: ConstantUse,
}

/// What an operating-point constant κ is the O(1) part of.
#[derive(Clone, Debug)]
pub enum ConstantUse {
    /// A power with this exponent, not a natural number: singular at κ = 0, and not real at
    /// κ < 0 where its denominator is even.
    Power(Q),
    /// A function of a scalar, expanded in its series at κ: it holds where the function is
    /// analytic at κ's value (tanh everywhere, log and √ off 0).
    Function(Callee, Vec<(Name, Ir)>),
}

/// A 1×1 expression `s₀ + r` was expanded in powers of `r/s₀`, with `s₀` holding a symbolic
/// parameter and `r` of order σᵐ: the series, and the verdict read from it, hold for σ ≪ s₀^(1/m).
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleBound {
    /// The constant part `s₀` (`η` in a norm).
    pub constant: Scalar,
    /// The ε-degree `m` of the small part.
    pub degree: u32,
    /// `s₀^(1/m)`: the scale σ must be small against (`√η`).
    pub bound: Scalar,
}

/// The value of each operating-point constant named before layer `layer` (all of them for
/// `usize::MAX`) that `inst` does not have yet: the numeric checks set them in layer order,
/// interleaved with the layers' operating points, since each may use the other.
pub(crate) fn set_constants_before<R: crate::float::Real>(
    constants: &[OpConstant],
    layer: usize,
    inst: &mut crate::numeric::Instance<R>,
) -> Result<(), String> {
    for k in constants.iter().filter(|k| k.after_layer < layer) {
        let sym = constant_symbol(&k.name);
        if inst.symbols.contains_key(&sym) {
            continue;
        }
        let v = crate::numeric::eval_expr(&k.value, inst, crate::numeric::DEFAULT_WIDTH)?;
        inst.symbols.insert(sym, v);
    }
    Ok(())
}

/// The key under which a numeric instance holds an operating-point constant's value.
pub(crate) fn constant_symbol(name: &Name) -> Symbol {
    Symbol {
        role: Role::OpPoint,
        name: name.clone(),
        kind: Kind::Scalar,
    }
}

/// True for the factor `𝟙ᵀ·𝟙`.
fn is_ones_dot(f: &Factor) -> bool {
    matches!(f, Factor::Dot(d) if matches!(d.factors(), [Factor::Tr(t), Factor::Ones] if matches!(t.factors(), [Factor::Ones])))
}

/// `𝟙ᵀ·𝟙 = n`: the normal form has no lengths, so a product that pairs two `𝟙`s of length n
/// (known where the IR multiplies them) gets n in its coefficient.
fn ones_dot_to_len(e: Expr, n: &Scalar) -> Expr {
    if !e.terms().any(|(c, _)| c.factors().iter().any(is_ones_dot)) {
        return e;
    }
    let mut out = Expr::zero();
    for (c, s) in e.terms() {
        let mut coef = s.clone();
        let mut rest = Vec::with_capacity(c.factors().len());
        for f in c.factors() {
            if is_ones_dot(f) {
                coef = coef.mul(n);
            } else {
                rest.push(f.clone());
            }
        }
        out.add_term(crate::algebra::Chain::from_factors(rest), coef);
    }
    out
}

/// Whether a value holds a `𝟙ᵀ·𝟙` of its own (formed inside it: `x·𝟙ᵀ·𝟙` of a vector of x's
/// length 3 whose 𝟙ᵀ·𝟙 pairs 5 columns; from a review, it was given 3): put into a product,
/// its length is not the variable's, and every `𝟙ᵀ·𝟙` of the product is left as it is (the
/// report then says it cannot decide).
fn holds_ones_row(e: &Expr) -> bool {
    e.terms().any(|(c, _)| super::holds_ones_length(c))
}

/// `e` with the layer variables replaced by their values in the user's symbols. A value
/// holding `𝟙` put into `𝟙ᵀ·uᵢ` makes a `𝟙ᵀ·𝟙` of uᵢ's length: then the variables go in one
/// at a time, each followed by its length (the common case, no such product, is one pass).
fn substitute_vars(
    e: &Expr,
    values: &BTreeMap<Symbol, Expr>,
    lengths: &BTreeMap<Symbol, Scalar>,
    t: &Trunc,
) -> Result<Expr, Stop> {
    let once = e.substitute(&|s| values.get(s).cloned(), t)?;
    let has_ones_dot = |x: &Expr| x.terms().any(|(c, _)| c.factors().iter().any(is_ones_dot));
    if !has_ones_dot(&once) || has_ones_dot(e) {
        return Ok(once);
    }
    let mut out = e.clone();
    for (u, value) in values {
        if !out.symbols().contains(u) {
            continue;
        }
        out = out.substitute(&|s| (s == u).then(|| value.clone()), t)?;
        if let Some(n) = lengths.get(u).filter(|_| !holds_ones_row(value)) {
            out = ones_dot_to_len(out, n);
        }
    }
    Ok(out)
}

/// An activation already expanded: its name with primes, its parameters' values, its argument.
type MemoKey = (String, Vec<(Name, Scalar)>, Expr);

struct Expander<'s> {
    s: &'s ExpandSettings,
    t: Trunc,
    layers: Vec<Layer>,
    /// The earliest layer with a variable, by its definition's monic form ([`monic`]).
    layers_by_form: BTreeMap<Expr, usize>,
    bindings: Vec<(Name, Expr)>,
    /// Letters for layer variables, operating points, kinks' δ and scalar constants.
    layer_letter: (String, String, String, String),
    truncated: bool,
    steps: Vec<crate::analysis::steps::Step>,
    /// The small symbols, one copy shared by every layer's output step.
    small: crate::analysis::steps::Small,
    /// Layer variables whose definitions involve the input.
    input_vars: std::collections::BTreeSet<Symbol>,
    /// Kinks whose side is fixed by an input-free leading part: (layer, that part).
    fixed_sides: Vec<(usize, Expr)>,
    /// Piecewise layers whose operating point's piece is certified.
    decided_pieces: Vec<(usize, CertifiedSigns)>,
    /// Activations met before, by function, parameters and argument, with their expansions:
    /// `softmax(v)` uses `exp(v)` twice, and the second use is the first one's layer, not a
    /// new one (a map: a list searched once per layer was n² in the layers).
    memo: BTreeMap<MemoKey, Expr>,
    constants: Vec<OpConstant>,
    points: Vec<SymbolicPoint>,
    scale_bounds: Vec<ScaleBound>,
    /// Parameters that stand for lengths (`n`, `d₁`): never a scale bound's parameter.
    dims: std::collections::BTreeSet<Name>,
    /// The length of each layer variable (uᵢ, δᵢ), for the `𝟙ᵀ·𝟙` its substitution can make.
    var_len: BTreeMap<Symbol, Scalar>,
    /// See [`Expansion::numeric_zeros`].
    numeric_zeros: usize,
    /// See [`Expansion::zero_at_points`].
    zero_at_points: Vec<(usize, String, Vec<usize>)>,
}

/// `e` over its first coefficient, with that coefficient, when it is a non-zero rational: two
/// expressions are rational multiples of each other exactly when their monic forms are equal,
/// and the ratio is that of their first coefficients.
fn monic(e: &Expr) -> Option<(Expr, Q)> {
    let (_, lead) = e.terms().next()?;
    let lead = lead.as_q().filter(|q| **q != 0u32)?.clone();
    Some((e.scale_q(&(Q::from(1) / lead.clone())), lead))
}

/// The symbols `keep` accepts at the start of `operands`: a run that joins a product in one
/// canonical step ([`Expr::product_of_symbols`]).
fn symbol_run(operands: &[Ir], keep: impl Fn(&Symbol) -> bool) -> Vec<Symbol> {
    (operands.iter())
        .map_while(|x| match x.kind() {
            IrKind::Sym(s) if keep(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The product of `parts` (an associative operation `mul`) as a balanced tree: neighbours
/// first, then their products, so each part takes part in about log₂ n products instead of a
/// growing prefix taking part in n. `None` for no parts.
fn balanced_product(
    mut parts: Vec<Expr>,
    mut mul: impl FnMut(&Expr, &Expr) -> Result<Expr, Diagnostic>,
) -> Result<Option<Expr>, Diagnostic> {
    // A zero part makes the product zero before the others are multiplied (from a review:
    // `(x − x)∘(a₁ + b₁ + c₁)∘…` built the other factors' product past `max_terms`, where the
    // product in order was 0 from its second factor on).
    if parts.iter().any(Expr::is_zero) {
        return Ok(Some(Expr::zero()));
    }
    while parts.len() > 1 {
        let mut next = Vec::with_capacity(parts.len().div_ceil(2));
        let mut pairs = parts.chunks_exact(2);
        for pair in &mut pairs {
            next.push(mul(&pair[0], &pair[1])?);
        }
        next.extend(pairs.remainder().iter().cloned());
        parts = next;
    }
    Ok(parts.pop())
}

fn stop(e: Stop, span: Span) -> Diagnostic {
    Diagnostic::at(Phase::Limit, span, e.to_string())
}

/// The canonical normal form of an expression, activations kept as element-wise atoms.
pub(crate) fn normal_form(ir: &Ir, limits: &Limits) -> Result<Expr, Diagnostic> {
    // The plain normal form has no layers: its layered form is already in the user's symbols.
    Ok(expand(
        ir,
        &ExpandSettings::normal_form(limits.clone(), Budget::default()),
    )?
    .layered)
}

impl Expansion {
    /// The expansion in the user's symbols up to ε-degree `upto` (at most the order it was
    /// made to), with the limits and budget of `t`: every term of degree ≤ `upto` is exact,
    /// and the arguments of |δ| keep all of δ to the expansion's order.
    /// With `affine_top` (the input), the terms of degree `upto` itself that are affine in it
    /// are left out ([`Trunc::affine_top`]).
    pub(crate) fn in_input_terms(
        &self,
        upto: u32,
        t: &Trunc,
        affine_top: Option<&Symbol>,
    ) -> Result<Expr, Stop> {
        let upto = self.order.map_or(upto, |n| upto.min(n));
        let mut cut = t.with_order(Some(upto));
        cut.affine_top = affine_top.cloned();
        let atoms = t.with_order(self.order);
        // A layer variable stands for a sum of terms of degree ≥ 1, so a term never comes out
        // of the substitution with a lower degree than it went in: terms above `upto` are
        // skipped unopened.
        let kept = self.layered.filter(|c, _| cut.degree(c) <= upto);
        let full = self.substitute_values(&kept, &self.layer_values, &|_| None, &cut, &atoms)?;
        // Bars formed again in the input's terms may be read by identities that hold for small
        // ε only (`Expr::abs_factored`), which mark `atoms`: never exact on their account (from
        // a review: |u∘v + ½·|u|∘|v| + u∘v∘z| − … was "exactly affine"; it is affine while
        // 1 + z ≥ ½). A cut of `atoms` at the expansion's own order is one of the expansion.
        if atoms.truncated.get() {
            t.truncated.set(true);
        }
        Ok(self.flag_truncated(full, upto, &cut, t))
    }

    /// [`Expansion::in_input_terms`] with every small user symbol but `keep` (the input) set to
    /// 0: a specialisation, far smaller than the whole (a deep layer's `u^∘3` keeps only
    /// `(W·x)^∘3`), whose non-zero non-affine terms prove those of the whole non-zero (setting
    /// symbols to 0 maps the normal form of zero to zero and keeps each term's input degree).
    pub(crate) fn in_input_terms_at_zero(
        &self,
        upto: u32,
        t: &Trunc,
        keep: &Symbol,
    ) -> Result<Expr, Stop> {
        let upto = self.order.map_or(upto, |n| upto.min(n));
        let mut cut = t.with_order(Some(upto));
        cut.affine_top = Some(keep.clone());
        let atoms = t.with_order(self.order);
        let zero = |s: &Symbol| {
            (s.role == Role::User && s != keep && t.symbol_degree(s) > 0).then(Expr::zero)
        };
        let mut values: BTreeMap<Symbol, Expr> = BTreeMap::new();
        for (u, v) in &self.layer_values {
            values.insert(u.clone(), v.substitute_within(&zero, &atoms, &atoms)?);
        }
        let kept = self.layered.filter(|c, _| cut.degree(c) <= upto);
        let out = self.substitute_values(&kept, &values, &zero, &cut, &atoms)?;
        // As in `in_input_terms`: small-ε identities of the bars are never exact.
        if atoms.truncated.get() {
            t.truncated.set(true);
        }
        Ok(out)
    }

    /// `e` with the symbols `first` maps and the layer variables `values` maps replaced, under
    /// `cut`. As in [`substitute_vars`], a value holding `𝟙` put into `𝟙ᵀ·uᵢ` makes a `𝟙ᵀ·𝟙`
    /// of uᵢ's length: then the variables go in one at a time, each followed by its length (the
    /// common case, no such product, is one pass).
    fn substitute_values(
        &self,
        e: &Expr,
        values: &BTreeMap<Symbol, Expr>,
        first: &dyn Fn(&Symbol) -> Option<Expr>,
        cut: &Trunc,
        atoms: &Trunc,
    ) -> Result<Expr, Stop> {
        let once =
            e.substitute_within(&|s| first(s).or_else(|| values.get(s).cloned()), cut, atoms)?;
        let has_ones_dot = |x: &Expr| x.terms().any(|(c, _)| c.factors().iter().any(is_ones_dot));
        if !has_ones_dot(&once) || has_ones_dot(e) {
            return Ok(once);
        }
        // Nothing of the top order is left out on the way (`affine_top`): a term affine in the
        // input before a variable goes in may not be after it. Keeping them is only slower.
        let step = atoms.with_order(cut.order);
        let mut out = e.substitute_within(first, &step, atoms)?;
        for (u, value) in values {
            if !out.symbols().contains(u) {
                continue;
            }
            out = out.substitute_within(&|s| (s == u).then(|| value.clone()), &step, atoms)?;
            if let Some(n) = self.var_len.get(u).filter(|_| !holds_ones_row(value)) {
                out = ones_dot_to_len(out, n);
            }
        }
        if step.truncated.get() {
            cut.truncated.set(true);
        }
        Ok(out)
    }

    /// Passes a cut at the expansion's own order on to `t` (below it, nothing was cut).
    fn flag_truncated(&self, full: Expr, upto: u32, cut: &Trunc, t: &Trunc) -> Expr {
        // Cut below the expansion's own order, a dropped term is not a truncation of it.
        if cut.truncated.get() && Some(upto) == self.order {
            t.truncated.set(true);
        }
        full
    }

    /// The whole expansion in the user's symbols, to the order it was made to.
    pub(crate) fn full(&self, t: &Trunc) -> Result<Expr, Stop> {
        match self.order {
            Some(n) => self.in_input_terms(n, t, None),
            None => self.substitute_values(
                &self.layered,
                &self.layer_values,
                &|_| None,
                &t.with_order(None),
                &t.with_order(None),
            ),
        }
    }
}

impl ExpandSettings {
    /// The truncation at this order, under these limits and this budget.
    pub(crate) fn trunc(&self) -> Trunc {
        let mut t = Trunc::exact().with_order((!self.normalize_only).then_some(self.order));
        t.small = self.small.clone();
        t.max_terms = self.limits.max_terms;
        t.max_bits = self.limits.max_coefficient_bits;
        t.deadline = self.budget.deadline;
        t.cancel = self.budget.cancel.clone();
        t.max_work = self.max_products;
        t
    }

    /// Activations kept as element-wise atoms, nothing truncated: the plain normal form.
    pub(crate) fn normal_form(limits: Limits, budget: Budget) -> ExpandSettings {
        ExpandSettings {
            order: 0,
            small: Default::default(),
            compensate: false,
            signal_biases: Default::default(),
            limits,
            budget,
            normalize_only: true,
            input: None,
            max_products: u64::MAX,
        }
    }
}

/// Expands a lowered network expression to order `settings.order` in ε.
pub(crate) fn expand(ir: &Ir, settings: &ExpandSettings) -> Result<Expansion, Diagnostic> {
    if settings.order > settings.limits.max_order && !settings.normalize_only {
        return Err(Diagnostic::at(
            Phase::Limit,
            ir.span(),
            format!(
                "order {} exceeds the limit {} (`max_order`)",
                settings.order, settings.limits.max_order
            ),
        ));
    }
    let order = if settings.normalize_only {
        None
    } else {
        Some(settings.order)
    };
    let t = settings.trunc();
    let letters = layer_letters(ir);
    let mut ex = Expander {
        s: settings,
        t,
        layers: Vec::new(),
        layers_by_form: BTreeMap::new(),
        bindings: Vec::new(),
        layer_letter: letters,
        truncated: false,
        steps: Vec::new(),
        small: crate::analysis::steps::Small::new(settings.small.clone()),
        input_vars: Default::default(),
        fixed_sides: Vec::new(),
        decided_pieces: Vec::new(),
        memo: BTreeMap::new(),
        constants: Vec::new(),
        points: Vec::new(),
        scale_bounds: Vec::new(),
        dims: Default::default(),
        var_len: BTreeMap::new(),
        numeric_zeros: 0,
        zero_at_points: Vec::new(),
    };
    let layered = ex.eval(ir)?;
    // Substitute the layer variables, innermost first.
    let mut full_vars: BTreeMap<Symbol, Expr> = BTreeMap::new();
    for l in &ex.layers {
        for (u, def) in l.var.iter().chain(l.whole.iter()) {
            let f = substitute_vars(def, &full_vars, &ex.var_len, &ex.t)
                .map_err(|e| stop(e, ir.span()))?;
            full_vars.insert(u.clone(), f);
        }
    }
    let truncated = ex.truncated || ex.t.truncated.get();
    // Bindings are shown in the user's symbols: z₁ = W₁·x + b₁, not z₁ = u₁; a binding whose
    // layer variables stand for long sums stays in them (from a review: a chain of 28
    // bindings `zᵢ₊₁ = tanh(Wᵢ·zᵢ + bᵢ)` wrote each one's whole expansion in the input's
    // terms, 67 MB of report in 7 s, where the network itself took 0.14 s).
    let mut bindings = Vec::new();
    for (n, v) in &ex.bindings {
        let shown = if substituted_terms(v, &full_vars) <= BINDING_TERMS {
            substitute_vars(v, &full_vars, &ex.var_len, &ex.t).map_err(|e| stop(e, ir.span()))?
        } else {
            v.clone()
        };
        bindings.push((n.clone(), shown));
    }
    // Bindings in the derivation are shown in the user's symbols too.
    let mut steps = ex.steps;
    for st in &mut steps {
        if let crate::analysis::steps::Step::Binding { name, value, .. } = st {
            if let Some((_, v)) = bindings.iter().find(|(n, _)| n == name) {
                *value = v.clone();
            }
        }
    }
    Ok(Expansion {
        layers: ex.layers,
        layered,
        layer_values: full_vars,
        order,
        truncated,
        cut_cancels: false,
        bindings,
        steps,
        fixed_sides: ex.fixed_sides,
        decided_pieces: ex.decided_pieces,
        constants: ex.constants,
        points: ex.points,
        scale_bounds: ex.scale_bounds,
        var_len: ex.var_len,
        numeric_zeros: ex.numeric_zeros,
        dims: ex.dims,
        zero_at_points: ex.zero_at_points,
    })
}

/// Letters for layer variables and operating points that the user's names do not use.
fn layer_letters(ir: &Ir) -> (String, String, String, String) {
    let mut used = std::collections::BTreeSet::new();
    collect_bases(ir, &mut used);
    let pick = |cands: &[&str]| {
        cands
            .iter()
            .find(|c| !used.contains(**c))
            .map(|c| c.to_string())
            .unwrap_or_else(|| "ζ".to_string())
    };
    (
        pick(&["u", "v", "ζ"]),
        pick(&["c", "κ", "ξ"]),
        pick(&["δ", "η", "ϑ"]),
        pick(&["κ", "ν", "ϖ"]),
    )
}

fn collect_bases(ir: &Ir, out: &mut std::collections::BTreeSet<String>) {
    crate::ir::visit::walk(ir, |n| {
        match n.kind() {
            IrKind::Sym(s) => out.insert(s.name.base.to_string()),
            IrKind::Param(p) => out.insert(p.base.to_string()),
            // A binding's name is printed too (`u₁ = W₁·x` substituted): from a review, a
            // layer's u₁ was then written beside it with another value.
            IrKind::Bound { name, .. } => out.insert(name.base.to_string()),
            _ => false,
        };
        crate::ir::visit::Step::Descend
    });
}

impl Expander<'_> {
    /// The values of a call's parameters that differ from the definition's defaults, exact
    /// (`β = 2`, `a = α`): what makes `swish(·; β = 2)` another function than `swish`.
    fn param_values(
        &self,
        callee: &Callee,
        params: &[(Name, Ir)],
    ) -> Result<Vec<(Name, Scalar)>, Diagnostic> {
        let defaults: &[(Name, Ir)] = match callee {
            Callee::Def(d) => &d.params,
            Callee::Prim(_) => &[],
        };
        let mut out = Vec::new();
        for (n, v) in params {
            let value = crate::series::scalar_value(v, &self.s.limits)?;
            let default = defaults
                .iter()
                .find(|(m, _)| m == n)
                .map(|(_, d)| crate::series::scalar_value(d, &self.s.limits))
                .transpose()?;
            if default.as_ref() != Some(&value) {
                out.push((n.clone(), value));
            }
        }
        Ok(out)
    }

    /// True when `e` involves the input, directly or through a layer variable.
    fn depends_on_input(&self, e: &Expr) -> bool {
        let Some(x) = &self.s.input else {
            return true;
        };
        e.symbols()
            .iter()
            .any(|s| (s.role == Role::User && &s.name == x) || self.input_vars.contains(s))
    }

    /// Appends the derivation steps of one layer: its split, the series used, its output.
    fn record(&mut self, l: &Layer, delta: &Expr, c_used: Expr, truncated_before: bool) {
        use crate::analysis::steps::Step;
        let here = self.truncated;
        self.truncated |= truncated_before;
        let bias = if l.op_point.is_zero() {
            None
        } else {
            super::required_bias(l)
        };
        let bias_small =
            super::layer_bias(l).is_some_and(|b| self.s.small.contains(&b.symbol.name));
        self.steps.push(Step::Layer {
            index: l.index,
            activation: l.activation.clone(),
            pre: l.pre.clone(),
            op_point: l.op_point.clone(),
            op_symbol: l.op_symbol.clone(),
            var: l.var.clone(),
            whole: l.whole.clone(),
            compensated: l.compensated,
            bias,
            bias_small,
        });
        // A keyword parameter belongs to the function written (from a review: `elu(t) = 2·t + …`
        // for elu with α = 2, beside `elu(t) = t + …` of the default in the next layer).
        let params = self.param_values(&l.callee, &l.params).unwrap_or_default();
        match (&l.coefficients, &l.op_symbol) {
            (Coefficients::Series { at, series }, _) => self.steps.push(Step::Series {
                index: l.index,
                activation: l.activation.clone(),
                params: params.clone(),
                at: at.clone(),
                series: series.clone(),
            }),
            (Coefficients::Atoms { .. }, Some(c)) => self.steps.push(Step::Derivatives {
                index: l.index,
                activation: l.activation.clone(),
                params: params.clone(),
                point: c.clone(),
                kept: l.series_order,
                piece: (self.decided_pieces.iter())
                    .find(|(i, _)| *i == l.index)
                    .map(|(_, signs)| signs.clone()),
            }),
            _ => {}
        }
        let point = match &l.op_symbol {
            Some(c) => Expr::symbol(c.clone()),
            None => c_used,
        };
        self.steps.push(Step::Output {
            index: l.index,
            activation: l.activation.clone(),
            params,
            arg: point.add(delta),
            output: l.output.clone(),
            order: self.s.order,
            truncated: here,
            small: self.small.clone(),
        });
    }

    /// The next factor of a product: `run` joined by `join` when it holds two symbols or more
    /// (one canonical step), else the next operand evaluated; `rest` moves past it.
    fn next_operand(
        &mut self,
        rest: &mut &[Ir],
        run: Vec<Symbol>,
        join: fn(Vec<Symbol>) -> Expr,
    ) -> Result<Expr, Diagnostic> {
        let operands: &[Ir] = rest;
        if run.len() >= 2 {
            *rest = &operands[run.len()..];
            return Ok(join(run));
        }
        let Some((first, after)) = operands.split_first() else {
            return Ok(Expr::scalar(Scalar::one()));
        };
        *rest = after;
        self.eval(first)
    }

    /// The Hadamard product of `parts` (0 for none). Without truncation, as a balanced tree:
    /// one at a time, every prefix's elements were sorted again (2 000 factors of `tanh(wᵢ)`
    /// took 17 s). With an order, intermediate degrees decide what is dropped, so the factors
    /// go one at a time, in order.
    fn hadamard_product(&self, parts: Vec<Expr>, span: Span) -> Result<Expr, Diagnostic> {
        let had = |a: &Expr, b: &Expr| a.had(b, &self.t).map_err(|e| stop(e, span));
        let product = if self.t.order.is_none() {
            balanced_product(parts, had)?
        } else {
            let mut parts = parts.into_iter();
            let first = parts.next();
            match first {
                Some(first) => Some(parts.try_fold(first, |a, b| had(&a, &b))?),
                None => None,
            }
        };
        Ok(product.unwrap_or_else(Expr::zero))
    }

    fn eval(&mut self, ir: &Ir) -> Result<Expr, Diagnostic> {
        let span = ir.span();
        Ok(match ir.kind() {
            IrKind::Num(q) => Expr::scalar(Scalar::from_q(q.clone())),
            IrKind::Pi => Expr::scalar(Scalar::pi()),
            IrKind::E => Expr::scalar(Scalar::e_pow(Q::from(1))),
            IrKind::Param(p) => Expr::scalar(Scalar::param(p.clone())),
            IrKind::Var => {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    "a function variable outside a function",
                ));
            }
            IrKind::Sym(s) => Expr::symbol(s.clone()),
            IrKind::Ones => Expr::ones(),
            IrKind::Sum(v) => {
                let mut acc = Expr::zero();
                for x in v {
                    acc.add_assign(&self.eval(x)?);
                }
                acc
            }
            IrKind::Neg(x) => self.eval(x)?.neg(),
            IrKind::Mul(v) => {
                let mut acc = Expr::scalar(Scalar::one());
                let mut rest = v.as_slice();
                while let Some(x) = rest.first() {
                    // A run of diagonal matrices is the diagonal of their arguments' Hadamard
                    // product, `diag(a)·diag(b) = diag(a∘b)` (degrees and truncation alike):
                    // merged one at a time, the growing diagonal was sorted again at each
                    // factor (from a review: 2 000 factors `diag(tanh(wᵢ))` took 18 s).
                    let diagonals = (rest.iter())
                        .map_while(|x| match x.kind() {
                            IrKind::Diag(a) => Some(a),
                            _ => None,
                        })
                        .collect::<Vec<_>>();
                    let e = if diagonals.len() >= 2 {
                        rest = &rest[diagonals.len()..];
                        let mut args = Vec::with_capacity(diagonals.len());
                        for a in diagonals {
                            args.push(self.eval(a)?);
                        }
                        self.hadamard_product(args, span)?.diag()
                    } else {
                        // A run of matrix symbols of degree 0 multiplies as one canonical
                        // product (it truncates nothing, and no `𝟙ᵀ·𝟙` forms inside it).
                        let run = symbol_run(rest, |s| {
                            s.kind == Kind::Matrix && !self.s.small.contains(&s.name)
                        });
                        self.next_operand(&mut rest, run, Expr::product_of_symbols)?
                    };
                    acc = acc.mul(&e, &self.t).map_err(|e| stop(e, span))?;
                    // A `𝟙ᵀ·𝟙` this product formed pairs two 𝟙s of x's row length. The plain
                    // normal form keeps it when that length is free: `d₁` would not read back.
                    let free = matches!(x.shape().rows, Dim::Free(_));
                    if matches!(x.kind_of(), Kind::Vector | Kind::Matrix)
                        && !(self.s.normalize_only && free)
                    {
                        let n = self.dim_scalar(&x.shape().rows);
                        acc = ones_dot_to_len(acc, &n);
                    }
                }
                acc
            }
            IrKind::Had(v) => {
                // Without truncation, a run of vector symbols joins in one canonical step (one
                // at a time, every prefix's elements were sorted again: 2 000 factors took 6 s).
                let untruncated = self.t.order.is_none();
                let mut parts = Vec::with_capacity(v.len());
                let mut rest = v.as_slice();
                while !rest.is_empty() {
                    let run = symbol_run(rest, |s| untruncated && s.kind == Kind::Vector);
                    parts.push(self.next_operand(&mut rest, run, Expr::hadamard_of_symbols)?);
                }
                self.hadamard_product(parts, span)?
            }
            IrKind::Pow(x, q) => {
                let b = self.eval(x)?;
                let Some(s) = b.as_scalar() else {
                    if x.kind_of() == Kind::Scalar {
                        return self.scalar_power(&b, q, x.span(), false);
                    }
                    // Only lowering writes a power of a vector: the per-row normalisers of a
                    // row-wise softmax or norm, taken entry by entry.
                    if x.kind_of() == Kind::Vector {
                        return self.scalar_power(&b, q, x.span(), true);
                    }
                    return Err(Diagnostic::at(
                        Phase::Expand,
                        x.span(),
                        "a power of a non-scalar",
                    ));
                };
                Expr::scalar(
                    s.pow(q)
                        .map_err(|e| Diagnostic::at(Phase::Expand, span, e.to_string()))?,
                )
            }
            IrKind::HadPow(x, k) => {
                let b = self.eval(x)?;
                b.had_pow(*k, &self.t).map_err(|e| stop(e, span))?
            }
            IrKind::Diag(x) => self.eval(x)?.diag(),
            IrKind::Transpose(x) => self.eval(x)?.transpose(),
            IrKind::Len => Expr::scalar(self.dim_scalar(&ir.shape().rows)),
            IrKind::Bound { name, value } => {
                // Whether the binding's own value lost terms to the order (the derivation
                // writes `h = … + O(ε⁵)`; from a review, it was written as an equation).
                let truncated_before = std::mem::replace(&mut self.truncated, false);
                let cut_before = self.t.truncated.replace(false);
                let v = self.eval(value);
                let cut_here = self.truncated || self.t.truncated.get();
                self.t.truncated.set(cut_before || self.t.truncated.get());
                self.truncated |= truncated_before;
                let v = v?;
                if !self.bindings.iter().any(|(n, _)| n == name) {
                    self.steps.push(crate::analysis::steps::Step::Binding {
                        name: name.clone(),
                        value: v.clone(),
                        cut: cut_here.then_some(self.s.order + 1),
                    });
                }
                self.bindings.push((name.clone(), v.clone()));
                v
            }
            IrKind::If { .. } => {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    "`if` outside a function definition",
                ));
            }
            IrKind::Apply {
                callee,
                deriv,
                arg,
                params,
            } => {
                // Whether the argument's own terms were cut at the order, apart from what was
                // cut before it.
                let cut_before = self.t.truncated.replace(false);
                let a = self.eval(arg)?;
                let arg_cut = self.t.truncated.get();
                self.t.truncated.set(cut_before || arg_cut);
                if self.s.normalize_only {
                    if matches!(callee, Callee::Prim(crate::ir::Prim::Abs)) && *deriv == 0 {
                        return Ok(a.abs());
                    }
                    if a.is_zero() && arg.kind_of() != Kind::Scalar {
                        // f(0·𝟙) = f(0)·𝟙, with f(0) exact where the series engine knows it.
                        let v = self.apply_scalar(callee, *deriv, params, Expr::zero(), span)?;
                        return Ok(
                            Expr::ones_of(arg.kind_of()).scale(&v.as_scalar().unwrap_or_default())
                        );
                    }
                    if arg.kind_of() == Kind::Scalar
                        && let Some(s) = a.as_scalar()
                    {
                        let name = callee.primed_name(*deriv);
                        let v = Scalar::func(&name, &s)
                            .map_err(|e| Diagnostic::at(Phase::Expand, span, e.to_string()))?;
                        return Ok(Expr::scalar(v));
                    }
                    let values = self.param_values(callee, params)?;
                    return Ok(Expr::call_atom(&callee.name(), *deriv, a, values));
                }
                if arg.kind_of() == Kind::Scalar {
                    if a.as_scalar().is_none() {
                        return self.scalar_function(callee, *deriv, params, a, span);
                    }
                    return self.apply_scalar(callee, *deriv, params, a, span);
                }
                let key = (
                    callee.primed_name(*deriv),
                    self.param_values(callee, params)?,
                    a,
                );
                if let Some(out) = self.memo.get(&key) {
                    return Ok(out.clone());
                }
                let before = self.layers.len();
                let out = self.activation(callee, *deriv, params, key.2.clone(), arg_cut, span)?;
                // A vector's 𝟙ᵀ·𝟙 pairs its rows. A matrix variable's may pair its rows
                // (𝟙ᵀ·uᵢ of uᵢ = 𝟙·bᵀ) or its columns (uᵢ·𝟙 of uᵢ = x·𝟙ᵀ): only a square one
                // has one length for both; otherwise none is set, and the 𝟙ᵀ·𝟙 stays (from a
                // review: x·𝟙ᵀ·𝟙 was 2·x, x's length, for d₁·x).
                let n = self.dim_scalar(&arg.shape().rows);
                if arg.kind_of() == Kind::Vector || n == self.dim_scalar(&arg.shape().cols) {
                    for l in &self.layers[before..] {
                        for (u, _) in l.var.iter().chain(l.whole.iter()) {
                            self.var_len.insert(u.clone(), n.clone());
                        }
                    }
                }
                self.memo.insert(key, out.clone());
                out
            }
        })
    }

    /// `s^q` for a 1×1 expression `s = s₀ + r` that is not a constant (`(xᵀ·x + 1)⁻¹`, the
    /// normaliser of a softmax): a whole power is a product; otherwise the binomial series
    /// `s₀^q·Σ C(q, k)·(r/s₀)^k`, exact, which needs a constant, non-zero `s₀` and a small `r`.
    ///
    /// `elementwise`: `s` is a column vector `s₀·𝟙 + r` (the row sums of a row-wise softmax)
    /// and the power is taken entry by entry, `r^∘k` in place of `r^k`.
    fn scalar_power(
        &mut self,
        b: &Expr,
        q: &Q,
        span: Span,
        elementwise: bool,
    ) -> Result<Expr, Diagnostic> {
        let unit = if elementwise {
            Expr::ones()
        } else {
            Expr::scalar(Scalar::one())
        };
        let product = |a: &Expr, c: &Expr, t: &Trunc| {
            if elementwise {
                a.had(c, t)
            } else {
                a.mul(c, t)
            }
        };
        let is_unit = |c: &crate::algebra::nf::Chain| {
            if elementwise {
                c.factors() == [Factor::Ones]
            } else {
                c.is_scalar()
            }
        };
        if q.to_denominator() == 1u32 && *q >= 0u32 {
            let Ok(k) = u32::try_from(&q.to_numerator()) else {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    "this power is too large",
                ));
            };
            if k > 64 {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    format!(
                        "the power {k} of a non-constant scalar is above 64, the most taylornet multiplies out"
                    ),
                ));
            }
            let mut acc = unit.clone();
            for _ in 0..k {
                acc = product(&acc, b, &self.t).map_err(|e| stop(e, span))?;
            }
            return Ok(acc);
        }
        // A row-wise power (a token matrix's softmax sums or norm variances) needs its O(1)
        // part to be a number times 𝟙; a scalar's O(1) part may also be named as a constant.
        let (s0, r) = if elementwise {
            let s0 = b
                .terms()
                .find(|(c, _)| is_unit(c))
                .map(|(_, s)| s.clone())
                .unwrap_or_else(Scalar::zero);
            let r = b.filter(|c, _| !is_unit(c));
            let r0 = r.filter(|c, _| self.t.degree(c) == 0);
            // Only products of 𝟙 (`𝟙·𝟙`, the row sums of exp(0) when every score lies past the
            // order): the row length times 𝟙, which this form does not reduce; nothing of the
            // weights or an offset (from a review, the error said it held them).
            if !r0.is_zero()
                && r0
                    .terms()
                    .all(|(c, _)| c.factors().iter().all(|f| matches!(f, Factor::Ones)))
            {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    format!(
                        "the O(1) part of these per-row values (a row-wise softmax's sums) is {}, the row length times 𝟙, which is not reduced to a number here: every score of the softmax is 0 to the expansion order (exactly 0, or of a higher order)",
                        crate::print::unicode(&r0)
                    ),
                )
                .hint("scores of a higher order enter at a higher order (`:order`, `--order`); scores that are exactly 0 make each row uniform: softmax(0·X) is 𝟙·𝟙ᵀ/d"));
            }
            if !r0.is_zero() {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    "the O(1) part of these per-row values (a row-wise softmax's sums, a norm's variances) is not a number times 𝟙 (it holds weights, operating points or an offset), so their power has no exact series here: it is analytic where that part is non-zero, but is expanded only around a number",
                )
                .hint("an offset that is not small (a norm's β, a bias) puts a row-wise softmax or norm at an O(1) operating point: make it small too (`:small`), or leave it out"));
            }
            (s0, r)
        } else {
            self.split_scalar(b, ConstantUse::Power(q.clone()))
        };
        if s0.is_zero() {
            return Err(Diagnostic::at(
                Phase::Expand,
                span,
                format!(
                    "not analytic at 0: this scalar has no constant part, so its power {q} has no Taylor series in the small inputs (it does not shrink with them: scaling the inputs leaves it unchanged or unbounded)"
                ),
            )
            .hint("a constant added to it (`eps` > 0 inside a norm, or an O(1) offset in the input) makes it analytic again"));
        }
        let Some(order) = self.t.order else {
            return Err(Diagnostic::at(
                Phase::Expand,
                span,
                "a fractional or negative power of a non-constant scalar is an infinite series: it needs an expansion order",
            ));
        };
        let err = |e: crate::algebra::scalar::ScalarError| {
            Diagnostic::at(Phase::Expand, span, e.to_string())
        };
        let base = s0.pow(q).map_err(err)?;
        let inv = s0.pow(&Q::from(-1)).map_err(err)?;
        let ratio = r.scale(&inv);
        let mut acc = unit.scale(&base);
        let mut power = unit.clone();
        let mut coef = Q::from(1);
        for k in 1..=order.saturating_add(1) {
            power = product(&power, &ratio, &self.t).map_err(|e| stop(e, span))?;
            if power.is_zero() {
                break;
            }
            coef = coef * (q.clone() - Q::from(k - 1)) / Q::from(k);
            acc.add_assign(&power.scale(&base.mul(&Scalar::from_q(coef.clone()))));
        }
        self.note_scale(&s0, &r);
        Ok(acc)
    }

    /// The scalar a dimension stands for: its size, or its name as an exact parameter.
    fn dim_scalar(&mut self, d: &Dim) -> Scalar {
        match d {
            Dim::Known(n) => Scalar::from_q(Q::from(*n)),
            Dim::Named(n) => {
                self.dims.insert(n.clone());
                Scalar::param(n.clone())
            }
            // A dimension nothing fixes is named as the shapes print it (d₁).
            Dim::Free(k) => {
                let n = Name::new("d", &k.to_string());
                self.dims.insert(n.clone());
                Scalar::param(n)
            }
        }
    }

    /// A 1×1 expression split into its constant part `s₀` and the small rest. An O(1) part
    /// that is not a number (`𝟙ᵀ·exp(c₁)`, `(𝟙ᵀ·b₁^∘2)/n`) becomes an operating-point
    /// constant `κᵢ`, so `s₀` is always an exact scalar.
    fn split_scalar(&mut self, b: &Expr, under: ConstantUse) -> (Scalar, Expr) {
        let (s0, r) = self.split_scalar_part(b);
        if !s0.params().is_empty() {
            self.points.push(SymbolicPoint {
                at: s0.clone(),
                under,
            });
        }
        (s0, r)
    }

    fn split_scalar_part(&mut self, b: &Expr) -> (Scalar, Expr) {
        let s0 = b
            .terms()
            .find(|(c, _)| c.is_scalar())
            .map(|(_, s)| s.clone())
            .unwrap_or_else(Scalar::zero);
        let r = b.filter(|c, _| !c.is_scalar());
        let t = &self.t;
        let o1 = r.filter(|c, _| t.degree(c) == 0);
        if o1.is_zero() {
            return (s0, r);
        }
        let value = o1.add(&Expr::scalar(s0));
        let name = match self.constants.iter().find(|k| k.value == value) {
            Some(k) => k.name.clone(),
            None => {
                let name = Name::new(
                    &self.layer_letter.3,
                    &(self.constants.len() + 1).to_string(),
                );
                self.steps.push(crate::analysis::steps::Step::Constant {
                    name: name.clone(),
                    value: value.clone(),
                });
                self.constants.push(OpConstant {
                    name: name.clone(),
                    value,
                    after_layer: self.layers.len(),
                });
                name
            }
        };
        (Scalar::param(name), r.sub(&o1))
    }

    /// Records that a series in `r/s₀` holds for σ ≪ s₀^(1/m) when `s₀` holds a parameter
    /// of the user's (`η`), not only numbers, lengths and operating-point constants.
    fn note_scale(&mut self, s0: &Scalar, r: &Expr) {
        let params = s0.params();
        let symbolic = params
            .iter()
            .any(|p| !self.dims.contains(p) && !self.constants.iter().any(|k| k.name == *p));
        let Some(m) = self.t.min_degree(r).filter(|m| *m > 0) else {
            return;
        };
        if !symbolic {
            return;
        }
        let Ok(bound) = s0.pow(&Q::from_unsigneds(1u32, m)) else {
            return;
        };
        let sb = ScaleBound {
            constant: s0.clone(),
            degree: m,
            bound,
        };
        if !self.scale_bounds.contains(&sb) {
            self.scale_bounds.push(sb);
        }
    }

    /// `f(s)` for a 1×1 expression `s = s₀ + r` that is not a constant (`log(𝟙ᵀ·exp(v))`):
    /// the series of `f` at `s₀` (a number, a parameter or an operating-point constant) in
    /// powers of `r`, exact, as an activation's series is in powers of δ.
    fn scalar_function(
        &mut self,
        callee: &Callee,
        deriv: u32,
        params: &[(Name, Ir)],
        a: Expr,
        span: Span,
    ) -> Result<Expr, Diagnostic> {
        let Some(order) = self.t.order else {
            return Err(Diagnostic::at(
                Phase::Expand,
                span,
                "a function of a non-constant scalar is an infinite series: it needs an expansion order",
            ));
        };
        let (at, r) = self.split_scalar(&a, ConstantUse::Function(callee.clone(), params.to_vec()));
        let min_deg = self.t.min_degree(&r).unwrap_or(order + 1).max(1);
        let kmax = (order / min_deg) as usize;
        let mut ps = series_at(
            callee,
            params,
            &at,
            (kmax + deriv as usize).max(1),
            &self.s.limits,
            &self.s.budget,
            span,
        )
        .map_err(|d| d.relabel(span, "in this call"))?;
        if deriv > 0 {
            ps = differentiate(ps, deriv as usize);
        }
        let PointSeries::Analytic(s) = ps else {
            return Err(Diagnostic::at(
                Phase::Expand,
                span,
                format!(
                    "`{}` has a breakpoint at this scalar's constant part, so it has no Taylor series there",
                    callee.name()
                ),
            ));
        };
        let mut out = Expr::zero();
        let mut power = Expr::scalar(Scalar::one());
        for k in 0..=kmax {
            if k > 0 {
                power = power.mul(&r, &self.t).map_err(|e| stop(e, span))?;
                if power.is_zero() {
                    break;
                }
            }
            let ck = s.coeff(k);
            if !ck.is_zero() {
                out.add_assign(&power.scale(&ck));
            }
        }
        if !(s.is_exact() && s.degree().unwrap_or(0) <= kmax) {
            self.truncated = true;
        }
        self.note_scale(&at, &r);
        Ok(out)
    }

    /// `s(λ)` for a scalar argument: the value, exactly when the series engine knows it.
    fn apply_scalar(
        &mut self,
        callee: &Callee,
        deriv: u32,
        params: &[(Name, Ir)],
        a: Expr,
        span: Span,
    ) -> Result<Expr, Diagnostic> {
        let Some(at) = a.as_scalar() else {
            return Err(Diagnostic::at(
                Phase::Expand,
                span,
                "a scalar function of a non-scalar",
            ));
        };
        let ps = series_at_if_decided(
            callee,
            params,
            &at,
            deriv as usize,
            &self.s.limits,
            &self.s.budget,
            span,
        )
        // The value alone exists where the series does not (from a review: `sqrt(0)` was
        // refused, a power of 0 with no series at 0, where `0^(1/2)` is 0).
        .or_else(|d| match deriv {
            0 => crate::series::eval::value_at(
                callee,
                params,
                &at,
                (&self.s.limits, &self.s.budget),
                span,
            )
            .map(|v| Some(PointSeries::Analytic(crate::series::Series::constant(v, 0))))
            .map_err(|_| d),
            _ => Err(d),
        })
        .map_err(|d| d.relabel(span, "in this call"))?;
        let value = match ps {
            Some(PointSeries::Analytic(s)) => {
                Some(s.coeff(deriv as usize).scale(&factorial(deriv as usize)))
            }
            // At a breakpoint the value is defined when both sides agree on it.
            Some(PointSeries::OneSided { left, right, .. })
                if deriv == 0 && left.coeff(0) == right.coeff(0) =>
            {
                Some(left.coeff(0))
            }
            // Where the sides disagree the value is the function's at the point itself
            // (`sign(0)` is 0; it was refused as "not differentiable").
            Some(PointSeries::OneSided { .. }) if deriv == 0 => {
                Some(crate::series::eval::value_at(
                    callee,
                    params,
                    &at,
                    (&self.s.limits, &self.s.budget),
                    span,
                )?)
            }
            Some(PointSeries::OneSided { .. }) => {
                return Err(Diagnostic::at(
                    Phase::Expand,
                    span,
                    format!("`{}` is not differentiable at this point", callee.name()),
                ));
            }
            None => None,
        };
        Ok(Expr::scalar(match value {
            Some(v) => v,
            // A primitive's value keeps the scalar algebra's rules for it (sign(−λ) is
            // −sign(λ), so sign(λ) + sign(−λ) is 0 by its form).
            None if deriv == 0 && matches!(callee, Callee::Prim(_)) => {
                Scalar::func(&callee.name(), &at)
                    .map_err(|e| Diagnostic::at(Phase::Expand, span, e.to_string()))?
            }
            None => Scalar::opaque(&callee.primed_name(deriv), &at),
        }))
    }

    /// `a` without the O(1) terms whose coefficients, made of opaque constants, are zero at
    /// 2048 bits. No exact rule reduces `tan(⅛π) − √2 + 1` to 0, and an operating point that
    /// is 0 taken as non-zero expands the layer at the wrong point: a tanh layer would get
    /// k = 2 (its curvature at a point that is not 0) instead of 3. The report says how many
    /// such terms were dropped.
    fn without_numeric_zeros(&mut self, a: Expr) -> Expr {
        let zeros: Vec<Chain> = a
            .degree_part(0, &self.t)
            .terms()
            .filter(|(_, s)| s.has_opaque() && crate::algebra::sign::numerically_zero(s))
            .map(|(c, _)| c.clone())
            .collect();
        if zeros.is_empty() {
            return a;
        }
        self.numeric_zeros += zeros.len();
        a.filter(|c, _| !zeros.contains(c))
    }

    /// `arg_cut`: terms of the argument were cut at the order (its small part may be past
    /// it: `tanh(b + (W·x)^∘4)` at order 3).
    fn activation(
        &mut self,
        callee: &Callee,
        deriv: u32,
        params: &[(Name, Ir)],
        a: Expr,
        arg_cut: bool,
        span: Span,
    ) -> Result<Expr, Diagnostic> {
        // Whether this layer truncated anything is recorded for its derivation step.
        let truncated_before = std::mem::replace(&mut self.truncated, false);
        // Products cut at the order while this layer's powers are built count too: the
        // layer's output equation then ends in O(εⁿ⁺¹).
        let cut_before = self.t.truncated.replace(false);
        let order = self.s.order;
        let index = self.layers.len() + 1;
        let a = self.without_numeric_zeros(a);
        let c = a.degree_part(0, &self.t);
        let delta = a.sub(&c);
        // A layer with nothing small in its argument (`abs(a₁)` with a₁ not small), cut or
        // kept, is a constant of the network, not a pre-activation of its signal. Its O(1)
        // part is cancelled only by a bias that cancels a signal layer's too (`sigmoid(b₁)` in
        // `sigmoid(b₁)∘tanh(W₁·x + b₁)`): cancelling `a₁` would set it to 0 there and keep it
        // elsewhere (`a₁^∘2` in the next layer's point), a network that is none of the user's.
        let constant = delta.is_zero() && !arg_cut;
        let compensated = !c.is_zero()
            && self.s.compensate
            && (!constant
                || crate::analysis::bias_term(&a, self.s.input.as_ref())
                    .is_some_and(|(_, sym, _)| self.s.signal_biases.contains(&sym)));
        let c_used = if compensated { Expr::zero() } else { c.clone() };
        let mut scalar_point = if c_used.is_zero() {
            Some(Scalar::zero())
        } else {
            match c_used.terms().collect::<Vec<_>>().as_slice() {
                [(ch, s)] if ch.is_ones() => Some((*s).clone()),
                _ => None,
            }
        };
        let min_deg = self.t.min_degree(&delta).unwrap_or(order + 1).max(1);
        let kmax = if delta.is_zero() {
            0
        } else {
            (order / min_deg) as usize
        };
        let point_series = match &scalar_point {
            Some(at) => {
                let n = (kmax + deriv as usize).max(1);
                let (limits, budget) = (&self.s.limits, &self.s.budget);
                // A point with a parameter whose side of a breakpoint the parameter decides
                // (relu at λ): expanded around it as around a vector operating point, opaque
                // and taken to be generic, which the assumptions say, as for relu(W₁·x + b₁).
                if at.params().is_empty() {
                    series_at(callee, params, at, n, limits, budget, span).map(Some)
                } else {
                    series_at_if_decided(callee, params, at, n, limits, budget, span)
                }
                .map_err(|d| d.relabel(span, "in this call"))?
            }
            None => None,
        }
        .map(|ps| {
            if deriv > 0 {
                differentiate(ps, deriv as usize)
            } else {
                ps
            }
        });
        if point_series.is_none() {
            scalar_point = None;
        }
        // The layer variable is always δ's ε¹ part (u₂ = W₂·u₁ + b₂); a kink writes |δ| with
        // all of δ inside, u₂ plus its higher-order parts.
        let named = delta.degree_part(1, &self.t);
        // A rational multiple of a layer variable needs no name of its own: −u₁ stays −u₁, so
        // |−u₁ + ⅓·u₁^∘3| is factored on u₁ by layer (|tanh(v)| − |−tanh(v)| with v = W₁·x + b₁
        // was a kink: in the input's terms the bar's lead is a sum, which no factoring reads).
        let single_symbol = named.len() == 1
            && named
                .terms()
                .next()
                .is_some_and(|(ch, s)| match ch.factors() {
                    [Factor::Sym(u)] => s.is_one() || (u.role == Role::Layer && s.to_q().is_some()),
                    _ => false,
                });
        // A δ that an earlier layer already named (or a rational multiple of it) reuses that
        // variable, so equal pre-activations cancel: relu(2·v) − 2·relu(v) = 0.
        // A rational multiple of an earlier layer's definition has the same monic form (the
        // definition over its first coefficient): one lookup, where a search of every earlier
        // layer was n² in the layers (from a review, 4 000 layers `tanh(W·x + vᵢ)` took 12 s).
        let known = monic(&named).and_then(|(form, lead)| {
            let i = *self.layers_by_form.get(&form)?;
            let (u, def) = self.layers[i].var.as_ref()?;
            let ratio = lead / monic(def)?.1;
            Some(Expr::symbol(u.clone()).scale_q(&ratio))
        });
        let (var, delta_l) = if let Some(u) = known.filter(|_| !named.is_zero()) {
            (None, u.add(&delta.sub(&named)))
        } else if named.is_zero() || single_symbol {
            (None, delta.clone())
        } else {
            let kind = a.kind().unwrap_or(Kind::Vector);
            let u = Symbol {
                role: Role::Layer,
                name: Name::new(&self.layer_letter.0, &index.to_string()),
                kind,
            };
            let dl = Expr::symbol(u.clone()).add(&delta.sub(&named));
            if self.depends_on_input(&named) {
                self.input_vars.insert(u.clone());
            }
            (Some((u, named.clone())), dl)
        };
        // Powers δ^∘k, k = 1..kmax, each truncated as it is built.
        // The unit of the element-wise product: 𝟙, or 𝟙·𝟙ᵀ for a function of a matrix.
        let unit = Expr::ones_of(a.kind().unwrap_or(Kind::Vector));
        let mut powers: Vec<Expr> = vec![unit.clone()];
        for k in 1..=kmax {
            let p = if k == 1 {
                delta_l.clone()
            } else {
                powers[k - 1]
                    .had(&delta_l, &self.t)
                    .map_err(|e| stop(e, span))?
            };
            powers.push(p);
        }
        let mut out = Expr::zero();
        let mut op_symbol = None;
        let mut whole = None;
        let mut breakpoints = Vec::new();
        let coefficients;
        if let (Some(at), Some(ps)) = (scalar_point, point_series) {
            let coeff = |s: &crate::series::Series, k: usize| s.coeff(k);
            match &ps {
                PointSeries::Analytic(s) => {
                    for (k, p) in powers.iter().enumerate() {
                        let ck = coeff(s, k);
                        if !ck.is_zero() {
                            let term = if k == 0 {
                                unit.scale(&ck)
                            } else {
                                p.scale(&ck)
                            };
                            out.add_assign(&term);
                        }
                    }
                    // A constant layer is its value at the point: nothing past it left out.
                    let finite = s.is_exact() && s.degree().unwrap_or(0) <= kmax;
                    if !(constant || finite) {
                        self.truncated = true;
                    }
                }
                PointSeries::OneSided { left, right, class } => {
                    if *class == Smoothness::Jump {
                        // Equal one-sided limits: the value at the point alone differs (a
                        // removable discontinuity, `sign(t)^2`), not a jump.
                        let what = if left.coeff(0) == right.coeff(0) {
                            "is discontinuous at the operating point: its one-sided limits are equal, but its value there differs"
                        } else {
                            "jumps at the operating point: its two sides have different values"
                        };
                        return Err(Diagnostic::at(
                            Phase::Expand,
                            span,
                            format!("`{}` {what}", callee.name()),
                        )
                        .hint("a discontinuous activation has no Taylor expansion there"));
                    }
                    let half = Q::from_signeds(1, 2);
                    // When δ's leading part does not involve the input (a bias, `b₂`), every
                    // entry keeps the sign of that part for small ε: |δ| = sign(lead)∘δ, and the
                    // kink is never crossed.
                    let lead = delta_l.degree_part(min_deg, &self.t);
                    let side_fixed = !lead.is_zero() && !self.depends_on_input(&lead);
                    // |u − ⅙·u^∘3| = |u|∘(𝟙 − ⅙·u^∘2): with u's own bars, kinks of the same u
                    // in other layers cancel by layer too (`relu(sin(u)) − relu(u)`).
                    // Also on δ before its ε¹ part got a name: u₁ + ½·|u₁| − … is a pair led by
                    // u₁, which u₃ + … hides (from a review: |v + ½·|v|| − |v| with v =
                    // tanh(W₁·x + b₁) was a kink; it is ½·v).
                    let factored = (!side_fixed)
                        .then(|| {
                            delta_l
                                .abs_factored(&self.t)
                                .or_else(|| delta.abs_factored(&self.t))
                        })
                        .flatten();
                    let abs = if side_fixed {
                        Expr::atom("sign", 0, lead.clone())
                            .had(&delta_l, &self.t)
                            .map_err(|e| stop(e, span))?
                    } else {
                        factored
                            .clone()
                            .unwrap_or_else(|| delta_l.abs_graded(&self.t))
                    };
                    if side_fixed {
                        self.fixed_sides.push((index, lead));
                    }
                    // A kink's |δ| holds all of δ; when δ is more than one term it gets a name,
                    // δᵢ = uᵢ + (its higher-order parts), so the by-layer form stays short. Its
                    // linear term stays written out, so every ε-order there is exact.
                    let mut abs = abs;
                    let mut powers = powers.clone();
                    if !side_fixed && factored.is_none() && delta_l.len() > 1 && min_deg == 1 {
                        let w = Symbol {
                            role: Role::Layer,
                            name: Name::new(&self.layer_letter.2, &index.to_string()),
                            kind: a.kind().unwrap_or(Kind::Vector),
                        };
                        let ws = Expr::symbol(w.clone());
                        abs = Expr::atom("abs", 0, ws.clone());
                        for (k, p) in powers.iter_mut().enumerate().skip(2) {
                            *p = ws.had_pow(k as u32, &self.t).map_err(|e| stop(e, span))?;
                        }
                        if self.depends_on_input(&delta_l) {
                            self.input_vars.insert(w.clone());
                        }
                        whole = Some((w, delta_l.clone()));
                    }
                    for (k, p) in powers.iter().enumerate() {
                        let (l, r) = (coeff(left, k), coeff(right, k));
                        let even = l.add(&r).scale(&half);
                        let odd = r.sub(&l).scale(&half);
                        if !even.is_zero() {
                            out.add_assign(&if k == 0 {
                                unit.scale(&even)
                            } else {
                                p.scale(&even)
                            });
                        }
                        if k >= 1 && !odd.is_zero() {
                            let t = abs
                                .had(&powers[k - 1], &self.t)
                                .map_err(|e| stop(e, span))?;
                            out.add_assign(&t.scale(&odd));
                        }
                    }
                    let finite = left.is_exact()
                        && right.is_exact()
                        && left.degree().unwrap_or(0) <= kmax
                        && right.degree().unwrap_or(0) <= kmax;
                    if !(constant || finite) {
                        self.truncated = true;
                    }
                }
            }
            coefficients = Coefficients::Series { at, series: ps };
        } else {
            // One name per distinct operating point: equal points share their symbol, so
            // `tanh′(c₂) − tanh′(c₂)` cancels (a new point gets this layer's index).
            let cs = self
                .layers
                .iter()
                .filter(|l| !l.compensated && l.op_point == c)
                .find_map(|l| l.op_symbol.clone())
                .unwrap_or_else(|| Symbol {
                    role: Role::OpPoint,
                    name: Name::new(&self.layer_letter.1, &index.to_string()),
                    kind: a.kind().unwrap_or(Kind::Vector),
                });
            let n = deriv as usize + kmax;
            // Derivatives that vanish, or are one constant, on every piece of the function
            // are exact: relu″ = 0, identity′ = 1; only the others stay element-wise atoms.
            let mut generic =
                generic_derivatives(callee, params, n, &self.s.limits, &self.s.budget, span);
            let piecewise = match &generic {
                Some(g) => g.piecewise,
                None => callee.has_breakpoints(),
            };
            breakpoints = generic
                .as_ref()
                .filter(|g| g.piecewise)
                .map(|g| g.breakpoints())
                .unwrap_or_default();
            // A point certified to lie on one piece in every entry (relu at −b^∘2) takes that
            // piece's derivatives: relu′(−b^∘2) is 0, not an unknown of either piece.
            if let Some(g) = generic.as_mut().filter(|g| g.piecewise)
                && let Some((piece, signs)) = self.piece_of_point(g, &c, &unit, span)?
                && let Some((derivatives, zero_at_points, finite)) = g.on_piece(piece)
            {
                g.derivatives = derivatives;
                g.zero_at_points = zero_at_points;
                g.finite = finite;
                self.decided_pieces.push((index, signs));
                breakpoints.clear();
            }
            let name = callee.name();
            if let Some(g) = generic.as_ref().filter(|g| !g.zero_at_points.is_empty()) {
                // Only the orders this layer uses.
                let used: Vec<usize> = (g.zero_at_points.iter())
                    .filter(|j| **j >= deriv as usize && **j - (deriv as usize) < powers.len())
                    .copied()
                    .collect();
                if !used.is_empty() {
                    self.zero_at_points.push((index, name.clone(), used));
                }
            }
            let values = self.param_values(callee, params)?;
            for (k, p) in powers.iter().enumerate() {
                let j = deriv as usize + k;
                let kind = generic
                    .as_ref()
                    .and_then(|g| g.derivatives.get(j).cloned())
                    .unwrap_or(GenericDerivative::Varies);
                let value = match kind {
                    GenericDerivative::Zero => continue,
                    GenericDerivative::Constant(v) => unit.scale(&v),
                    GenericDerivative::Polynomial(coeffs) => {
                        // A constant layer's value is written in its point itself, so it
                        // cancels with what it equals: square(b) − b^∘2 is 0, not c₁^∘2 − b^∘2.
                        let c_sym = if constant {
                            c.clone()
                        } else {
                            Expr::symbol(cs.clone())
                        };
                        let mut v = Expr::zero();
                        for (m, a) in coeffs.iter().enumerate() {
                            let power = c_sym
                                .had_pow(m as u32, &self.t)
                                .map_err(|e| stop(e, span))?;
                            v.add_assign(&power.scale(a));
                        }
                        v
                    }
                    // exp is its own derivative: exp(c), not exp′(c), so softmax's Jacobian
                    // reads diag(p) − p·pᵀ with p = exp(c)/𝟙ᵀ·exp(c).
                    GenericDerivative::Varies if matches!(callee, Callee::Prim(Prim::Exp)) => {
                        Expr::call_atom(&name, 0, Expr::symbol(cs.clone()), values.clone())
                    }
                    GenericDerivative::Varies => {
                        Expr::call_atom(&name, j as u32, Expr::symbol(cs.clone()), values.clone())
                    }
                };
                let term = if k == 0 {
                    value
                } else {
                    value.had(p, &self.t).map_err(|e| stop(e, span))?
                };
                out.add_assign(&term.scale(&Scalar::from_q(Q::from(1) / factorial(k))));
            }
            // A constant layer (nothing small in its argument) is its value there:
            // nothing past it was left out.
            if !constant && !generic.as_ref().is_some_and(|g| g.finite) {
                self.truncated = true;
            }
            op_symbol = Some(cs);
            coefficients = Coefficients::Atoms { piecewise };
        }
        let layer = Layer {
            index,
            activation: callee.name(),
            pre: a,
            op_point: c,
            op_symbol,
            compensated,
            constant,
            breakpoints,
            var,
            whole,
            coefficients,
            output: out.clone(),
            series_order: kmax,
            callee: callee.clone(),
            deriv,
            params: params.to_vec(),
            input: self.s.input.clone(),
        };
        let cut_here = self.t.truncated.get();
        self.t.truncated.set(cut_before || cut_here);
        self.truncated |= cut_here;
        self.record(&layer, &delta_l, c_used, truncated_before);
        if let Some((_, def)) = &layer.var
            && let Some((form, _)) = monic(def)
        {
            // The earliest layer of a form is the one a later multiple names.
            self.layers_by_form.entry(form).or_insert(self.layers.len());
        }
        self.layers.push(layer);
        Ok(out)
    }
}

impl Expander<'_> {
    /// The piece of a piecewise function that every entry of the operating point `c` lies on,
    /// when each condition selecting it has its sign at `c` certified (`−b^∘2 ≤ 0`), with
    /// those conditions' values and signs. A value certified ≥ 0 is taken as > 0: it is 0
    /// only where an entry sits on a breakpoint, which the analysis assumes none does; so
    /// the certificate admits only values that are 0 on a set of measure zero
    /// ([`zero_on_a_null_set`]), never `c₁ + |c₁|`, which is ≥ 0 and 0 wherever c₁ < 0.
    fn piece_of_point(
        &self,
        g: &crate::series::eval::GenericDerivatives,
        c: &Expr,
        unit: &Expr,
        span: Span,
    ) -> Result<Option<(usize, CertifiedSigns)>, Diagnostic> {
        for (index, piece) in g.pieces.iter().enumerate() {
            // A condition that is no polynomial in the point cannot be read off its signs.
            let Some(conditions) = (piece.conditions.iter())
                .map(|cond| Some((cond, cond.polynomial()?)))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            let mut signs = Vec::with_capacity(conditions.len());
            for (cond, polynomial) in &conditions {
                let mut value = Expr::zero();
                for (m, a) in polynomial.iter().enumerate() {
                    if a.is_zero() {
                        continue;
                    }
                    let power = if m == 0 {
                        unit.clone()
                    } else {
                        c.had_pow(m as u32, &self.t).map_err(|e| stop(e, span))?
                    };
                    value.add_assign(&power.scale(a));
                }
                let sign = if value.is_zero() {
                    Ordering::Equal
                } else if zero_on_a_null_set(&value) {
                    Ordering::Greater
                } else if zero_on_a_null_set(&value.neg()) {
                    Ordering::Less
                } else {
                    break;
                };
                if cond.op.holds(sign) != cond.holds {
                    break;
                }
                signs.push((value, sign));
            }
            if signs.len() == conditions.len() {
                return Ok(Some((index, signs)));
            }
        }
        Ok(None)
    }
}

/// Whether `e` is ≥ 0 in every entry and 0 only on a set of measure zero of its symbols'
/// values: a sum, with positive rational coefficients, of positive constants (`𝟙`), even
/// element-wise powers and bars of polynomials in the user's symbols (`b^∘2`, `|W·b|`),
/// each 0 only where a polynomial that is not 0 vanishes. A bar of a layer's value or an
/// operating point (`|c₁|`, `relu(c₁)^∘2`) may be 0 on a half-space, and is not admitted.
fn zero_on_a_null_set(e: &Expr) -> bool {
    fn polynomial(c: &Chain) -> bool {
        c.factors().iter().all(|f| match f {
            Factor::Sym(s) => s.role == Role::User,
            Factor::Ones => true,
            Factor::Had(h) => h.elements().iter().all(|(e, _)| polynomial(e)),
            Factor::Dot(d) | Factor::Tr(d) | Factor::Diag(d) => polynomial(d),
            _ => false,
        })
    }
    fn even_or_bar(c: &Chain) -> bool {
        match c.factors() {
            [Factor::Ones] => true,
            _ if c.is_ones_matrix() => true,
            [Factor::Atom(a)] => {
                a.is_bar()
                    && !a.arg.is_zero()
                    && a.arg
                        .terms()
                        .all(|(c, s)| s.as_q().is_some() && polynomial(c))
            }
            [Factor::Had(h)] => h
                .elements()
                .iter()
                .all(|(e, m)| (m % 2 == 0 && polynomial(e)) || even_or_bar(e)),
            _ => false,
        }
    }
    !e.is_zero()
        && e.terms()
            .all(|(c, s)| s.as_q().is_some_and(|q| *q > 0u32) && even_or_bar(c))
}

fn factorial(k: usize) -> Q {
    (1..=k as u64).fold(Q::from(1), |a, i| a * Q::from(i))
}

/// The k-th derivative of an expansion (the series of `f⁽ᵏ⁾` at the same point).
fn differentiate(ps: PointSeries, k: usize) -> PointSeries {
    let d = |s: &crate::series::Series| {
        let mut s = s.clone();
        for _ in 0..k {
            s = s.derivative();
        }
        s
    };
    match ps {
        PointSeries::Analytic(s) => PointSeries::Analytic(d(&s)),
        PointSeries::OneSided { left, right, class } => {
            let (l, r) = (d(&left), d(&right));
            let first = (0..=l.order()).find(|&i| l.coeff(i) != r.coeff(i));
            match first {
                None => PointSeries::Analytic(r),
                Some(0) => PointSeries::OneSided {
                    left: l,
                    right: r,
                    class: Smoothness::Jump,
                },
                Some(1) => PointSeries::OneSided {
                    left: l,
                    right: r,
                    class: Smoothness::Kink,
                },
                Some(m) => PointSeries::OneSided {
                    left: l,
                    right: r,
                    class: if matches!(class, Smoothness::Jump) {
                        Smoothness::Jump
                    } else {
                        Smoothness::C(m as u32 - 1)
                    },
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(name: &str) -> Expr {
        Expr::symbol(Symbol {
            role: Role::User,
            name: Name::new(name, ""),
            kind: Kind::Vector,
        })
    }

    /// The balanced tree multiplies out to the left-to-right product, whatever the count of
    /// parts (odd ones carried up a level), with sums and repeated factors among them.
    #[test]
    fn balanced_product_is_the_product_in_order() {
        let t = Trunc::exact();
        let part = |i: usize| {
            let atom = Expr::atom("tanh", 0, vector(&format!("w{}", i % 4)));
            if i % 3 == 0 {
                atom.add(&vector("v"))
            } else {
                atom
            }
        };
        for n in 1..=9 {
            let parts: Vec<Expr> = (0..n).map(part).collect();
            let folded = (parts[1..].iter())
                .try_fold(parts[0].clone(), |a, b| a.had(b, &t))
                .expect("a small product");
            let tree = balanced_product(parts, |a, b| {
                a.had(b, &t).map_err(|e| stop(e, Span::default()))
            })
            .expect("a small product");
            assert_eq!(tree, Some(folded), "{n} parts");
        }
        assert_eq!(
            balanced_product(Vec::new(), |a, _| Ok(a.clone())).ok(),
            Some(None)
        );
        // A zero part is the product, the others never multiplied.
        let parts = vec![part(1), Expr::zero(), part(2)];
        let product = balanced_product(parts, |_, _| panic!("no product is formed"));
        assert_eq!(product.ok(), Some(Some(Expr::zero())));
    }
}
