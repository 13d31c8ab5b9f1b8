//! Deciding: is the expansion affine in the input, and if not, from which order on?

use super::expand::{Coefficients, Expansion};
use crate::algebra::nf::{Chain, Factor};
pub(crate) use crate::algebra::nf::{InputDegree, input_degree};
use crate::algebra::{Expr, Kind, Scalar, Symbol, Trunc};
use crate::series::{PointSeries, Smoothness};
use std::collections::{BTreeMap, HashMap};

/// `L` with `L·x = chain`, for a chain linear in `x`: `a∘(W·x)` gives `diag(a)·W`.
pub(crate) fn linear_part(c: &Chain, x: &Symbol) -> Option<Chain> {
    let fs = c.factors();
    // In a 1×1 factor: (aᵀ·x)·v = v·aᵀ·x, so L is the rest times the factor's (row) L.
    if let Some(i) = fs
        .iter()
        .position(|f| matches!(f, Factor::Dot(d) if input_degree(d, x) == InputDegree::Poly(1)))
    {
        let Factor::Dot(d) = &fs[i] else {
            return None;
        };
        let mut rest = fs.to_vec();
        rest.remove(i);
        let rest = Chain::from_factors(rest);
        if !matches!(rest.kind(), Kind::Scalar | Kind::Vector) {
            return None;
        }
        return Some(rest.concat(&linear_part(d, x)?));
    }
    // A row xᵀ·M·v (1×1, written with x first): L = (M·v)ᵀ.
    if let Some((Factor::Tr(t), rest)) = fs.split_first()
        && matches!(t.factors(), [Factor::Sym(s)] if s == x)
        && !rest.is_empty()
    {
        return Some(Chain::from_factors(rest.to_vec()).transpose());
    }
    let (last, prefix) = fs.split_last()?;
    let head = Chain::from_factors(prefix.to_vec());
    match last {
        // A scalar prefix (1×1 factors only) scales the identity: (aᵀ·b)·x = (aᵀ·b)·I·x.
        Factor::Sym(s) if s == x => Some(if head.kind() == Kind::Scalar {
            head.concat(&Chain::from_factors(vec![Factor::Eye]))
        } else {
            head
        }),
        Factor::Had(h) => {
            let els = h.elements();
            let i = els
                .iter()
                .position(|(e, _)| input_degree(e, x) == InputDegree::Poly(1))?;
            if els[i].1 != 1 {
                return None;
            }
            let rest: Vec<(Chain, u32)> = els
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, e)| e.clone())
                .collect();
            let others = crate::algebra::nf::had_of(rest);
            let inner = linear_part(&els[i].0, x)?;
            let d = Chain::from_factors(vec![Factor::Diag(std::rc::Rc::new(others))]);
            Some(head.concat(&d).concat(&inner))
        }
        _ => None,
    }
}

/// The verdict: how far the network is affine in its input.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every series was finite and every term has input degree ≤ 1.
    ExactAffine,
    /// Affine up to `O(ε^k)`; `k = None` when no non-affine term was found up to the search order.
    Affine {
        /// The ε-order of the first non-affine term, if one was found.
        k: Option<u32>,
    },
    /// Not differentiable at an operating point: not affine at any σ.
    Kink,
    /// The linear part vanishes at leading order.
    Degenerate {
        /// The ε-order of the first non-affine term (`W` is zero).
        k: u32,
    },
}

impl Verdict {
    /// The verdict's fixed name in reports and JSON (`exact-affine`, `affine`, `kink`, `degenerate`).
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::ExactAffine => "exact-affine",
            Verdict::Affine { .. } => "affine",
            Verdict::Kink => "kink",
            Verdict::Degenerate { .. } => "degenerate",
        }
    }
    /// The order of the first non-affine term, when the verdict has one (`Affine`, `Degenerate`).
    pub fn k(&self) -> Option<u32> {
        match self {
            Verdict::ExactAffine | Verdict::Kink => None,
            Verdict::Affine { k } => *k,
            Verdict::Degenerate { k } => Some(*k),
        }
    }
}

/// One-sided slopes of an activation at a kink.
#[derive(Clone, Debug, PartialEq)]
pub struct KinkInfo {
    pub layer: usize,
    pub activation: String,
    pub left: Scalar,
    pub right: Scalar,
    pub class: Smoothness,
}

/// The decision on one expansion.
#[derive(Clone, Debug)]
pub struct Decision {
    pub verdict: Verdict,
    /// ε-order of the first non-affine term.
    pub k: Option<u32>,
    /// The linear part: `W·x` collects the terms linear in the input (below order k). For a
    /// matrix input `X` it is the linear map itself, `𝓛(X)`: the sum of those terms, X in them.
    pub w: Expr,
    /// The constant part (below order k).
    pub b: Expr,
    /// The first non-affine terms in the user's symbols.
    pub leading_full: Expr,
    /// The same, written by layer.
    pub leading_layered: Expr,
    /// Everything of order above k, by layer.
    pub remainder: Expr,
    pub kinks: Vec<KinkInfo>,
    /// Activations expanded one-sidedly but smoothly enough (C¹ or better).
    pub one_sided: Vec<KinkInfo>,
    /// Leading coefficients found zero only numerically (see [`crate::algebra::sign`]).
    pub numeric_zeros: usize,
    /// Orders whose non-affine terms the probabilistic identity test found to vanish.
    pub identity_zeros: Vec<u32>,
    /// The order whose non-affine terms the identity test could not decide (too few of its
    /// draws where the expansion's assumptions hold): kept, and said to be kept.
    pub identity_starved: Option<u32>,
    /// The order whose non-affine terms hold a constant closer to 0 than the identity test's
    /// draws resolve (tanh(1000) − 1): kept, and said to be kept.
    pub identity_unresolved: Option<u32>,
    /// The order whose non-affine terms the identity test found zero at some draws of the
    /// parameters and not at others (they vanish for some parameter values only): kept, and
    /// said so.
    pub identity_partial: Option<u32>,
    /// The order whose non-affine terms are no such terms once each bar of mixed orders is
    /// read at its leading part (`−½·u + ½·|u|` with `u = −c^∘2 + 2·a^∘2∘c`: |u| = −u up to
    /// order 3, so the order-2 part is 0): what they hold past that order is no polynomial, so
    /// the order of the first non-affine term is not decided by these terms.
    pub mixed_bar: Option<u32>,
    /// A piecewise layer, and an entry of its symbolic operating point, that sits exactly on
    /// a breakpoint at a random draw of the symbols, with the small signal passing through
    /// ([`super::identity::IdentityTest::breakpoint_reached`]): the expansion assumed no
    /// entry does, which fails on a set of positive measure, so the verdict is not decided.
    pub breakpoint_reached: Option<(usize, usize)>,
    /// A term linear in the input that [`linear_part`] does not write as a matrix times x
    /// (`(A∘(x·𝟙ᵀ))·v`, which is diag(A·v)·x): W would be written without it, so the caller
    /// gives no verdict (from a review: it was dropped, and W = 0 was printed).
    pub unwritten: Option<Expr>,
    /// W as collected is 0 by the probabilistic identity test, and is written 0.
    pub w_identity_zero: bool,
}

/// Decides the expansion (all arithmetic is exact: zero tests are structural on the normal form).
///
/// `full` is the expansion in the user's symbols up to some order m ([`Expansion::in_input_terms`]):
/// when it holds a non-affine term, its first order k ≤ m, `W` and `b` (the terms below k) and
/// the first non-affine term are those of the whole expansion, so the caller forms the user's
/// symbols only as far as the first non-affine order. `t` is the expansion's own truncation.
pub(crate) fn decide(
    ex: &Expansion,
    full: &Expr,
    x: &Symbol,
    t: &Trunc,
    vanishes: &dyn Fn(&Expr) -> super::identity::Vanishing,
) -> Decision {
    let mut na = Expr::zero();
    for (c, s) in full.terms() {
        if !input_degree(c, x).is_affine() {
            na.add_term(c.clone(), s.clone());
        }
    }
    // Coefficients made of opaque constants (tanh(½), …) compare exactly in canonical form,
    // but two forms of one number can differ: the leading ones are also evaluated at 2048
    // bits, and a term whose coefficient is zero there does not count as non-affine.
    let mut numeric_zeros = 0;
    let mut identity_zeros = Vec::new();
    let mut identity_starved = None;
    let mut identity_unresolved = None;
    let mut identity_partial = None;
    while let Some(k) = t.min_degree(&na) {
        let lead = na.degree_part(k, t);
        // Zero coefficients that do not read as 0: exactly, as a rational function of their
        // parameters (λ·(1 − λ)⁻¹ − (1 − λ)⁻¹ + 1), or numerically (`true`, counted).
        let zeros: Vec<(Chain, bool)> = (lead.terms())
            .filter_map(|(c, s)| {
                if crate::algebra::fraction::is_zero(s) {
                    Some((c.clone(), false))
                } else if s.has_opaque() && crate::algebra::sign::numerically_zero(s) {
                    Some((c.clone(), true))
                } else {
                    None
                }
            })
            .collect();
        if !zeros.is_empty() {
            numeric_zeros += zeros.iter().filter(|(_, numeric)| *numeric).count();
            na = na.filter(|c, _| !zeros.iter().any(|(z, _)| z == c));
            continue;
        }
        // Terms with derivative atoms at operating points can cancel in ways no exact rule
        // sees (relu′(2·c) = relu′(c)): the probabilistic identity test decides.
        // So can products with 𝟙 at a fixed small length: at n = 2 the ε² term of softmax
        // vanishes (it is a sigmoid of x₁ − x₂), though no exact rule of the normal form,
        // which holds for every n, cancels it.
        // And so can bars whose arguments hold parameters: |λ·u + λ·v| − λ·|u + v| is 0 for
        // λ > 0 (from a review, relu(λ·(W1·x + W2·x)) − λ·relu(W1·x + W2·x) was a kink for
        // every λ: the bar of a sum keeps λ inside).
        if super::identity::has_function_atoms(&lead)
            || super::identity::has_ones_products(&lead)
            || super::identity::has_parametric_bars(&lead)
        {
            match vanishes(&lead) {
                super::identity::Vanishing::Yes => {
                    identity_zeros.push(k);
                    na = na.filter(|c, _| t.degree(c) != k);
                    continue;
                }
                super::identity::Vanishing::Starved => identity_starved = Some(k),
                super::identity::Vanishing::Unresolved => identity_unresolved = Some(k),
                super::identity::Vanishing::ForSomeParameters => identity_partial = Some(k),
                super::identity::Vanishing::No => {}
            }
        }
        break;
    }
    let k = t.min_degree(&na);
    let nonsmooth_first = k.is_some_and(|k| {
        na.degree_part(k, t)
            .terms()
            .any(|(c, _)| input_degree(c, x) == InputDegree::NonSmooth)
    });
    let kink = k == Some(1) && nonsmooth_first;
    let mixed_bar = k.filter(|&k| bars_graded_past_their_lead(&na.degree_part(k, t), x, t));
    // W and b: the affine terms below order k; at a kink, the order-ε¹ affine part (the mean slope).
    let limit = if kink { Some(2) } else { k };
    let below = |c: &Chain| limit.is_none_or(|k| t.degree(c) < k);
    let mut w = Expr::zero();
    let mut b = Expr::zero();
    let mut unwritten: Option<Expr> = None;
    for (c, s) in full.terms() {
        match input_degree(c, x) {
            InputDegree::Poly(0) if below(c) => b.add_term(c.clone(), s.clone()),
            // A matrix input keeps its terms whole: W is the linear map 𝓛(X) = Σ Aᵢ·X·Bᵢ
            // (X may sit anywhere in a chain), which no single matrix times X writes.
            InputDegree::Poly(1) if below(c) && x.kind == Kind::Matrix => {
                w.add_term(c.clone(), s.clone());
            }
            InputDegree::Poly(1) if below(c) => match linear_part(c, x) {
                Some(l) => w.add_term(l, s.clone()),
                None => unwritten
                    .get_or_insert_with(Expr::zero)
                    .add_term(c.clone(), s.clone()),
            },
            _ => {}
        }
    }
    // W may be 0 through an identity no exact rule sees (a length-1 variance, squared): the
    // identity test decides, as for the non-affine terms (from a review: `affine` with such a
    // W, where the network is degenerate).
    // Not with a parameter of the user's: a draw where a root of it has no real value is set
    // aside, and √(λ·tanh λ) − √λ·√tanh λ, real and not 0 for λ < 0, would read as 0.
    let user_params = (w.params().iter())
        .any(|p| !ex.dims.contains(p) && !ex.constants.iter().any(|k| k.name == *p));
    // Nor with function atoms: a draw where an atom the expansion takes to be non-zero is 0
    // (relu′(c) at c < 0) is set aside, and relu(W₁·x + b₁) − W₁·x, whose W is 0 only where
    // c > 0, read as 0 (from a review); and a free length is drawn at two widths only without
    // them. Products with 𝟙 at a fixed length are what no exact rule sees.
    let w_identity_zero = !w.is_zero()
        && !user_params
        && !super::identity::has_function_atoms(&w)
        && super::identity::has_ones_products(&w)
        && vanishes(&w) == super::identity::Vanishing::Yes;
    if w_identity_zero {
        w = Expr::zero();
    }
    let leading_full = match k {
        Some(k) => na.degree_part(k, t),
        None => Expr::zero(),
    };
    // The layered form of the leading order, keeping only terms that carry something non-affine.
    let mut leading_layered = Expr::zero();
    let mut remainder = Expr::zero();
    if let Some(k) = k {
        let defs = &ex.layer_values;
        let layered_defs: BTreeMap<Symbol, Expr> = ex
            .layers
            .iter()
            .flat_map(|l| l.var.iter().chain(l.whole.iter()).cloned())
            .collect();
        let mut parts = HashMap::new();
        for (c, s) in ex.layered.terms() {
            let d = t.degree(c);
            if d == k {
                // W and b hold the terms below order k, so the first non-affine order holds
                // every term of order k: y = W·x + b + (order k) + O(ε^(k+1)) is an identity.
                // At a kink W and b also take the ε¹ affine part, so only the rest is kept.
                let one = Expr::term(s.clone(), c.clone());
                if kink {
                    let depth = ex.layers.len();
                    let part =
                        non_affine_part(&one, x, t, (defs, &layered_defs), depth, &mut parts);
                    leading_layered.add_assign(&part);
                } else {
                    leading_layered.add_assign(&one);
                }
            } else if d > k {
                remainder.add_term(c.clone(), s.clone());
            }
        }
        // Terms below order k whose bars hold an order-k part: at order 1 `½·u₃ + ½·|δ₃|`
        // cancels (δ₃ ≤ 0 always, so |δ₃| = −δ₃), and what is left of it is of order k (the
        // order-k terms inside δ₃). W and b hold none of it (they hold the user's symbols' terms
        // below k); without it `y = W·x + b + (order k) + O(ε^(k+1))` would be false. That part
        // is written in the user's symbols, as the order-k terms by layer are, affine ones too.
        let bars = |e: &Expr| e.terms().any(|(c, _)| c.factors().iter().any(holds_a_bar));
        if !kink && (bars(&ex.layered) || defs.values().any(bars)) {
            let mut low = Expr::zero();
            for (c, s) in ex.layered.terms() {
                if t.degree(c) < k {
                    low.add_term(c.clone(), s.clone());
                }
            }
            if !low.is_zero()
                && let Ok(low) = low.substitute(&|sym| defs.get(sym).cloned(), t)
            {
                leading_layered.add_assign(&low.degree_part(k, t));
            }
        }
    }
    let mut kinks = Vec::new();
    let mut one_sided = Vec::new();
    for l in &ex.layers {
        if let Coefficients::Series {
            series: PointSeries::OneSided { left, right, class },
            ..
        } = &l.coefficients
        {
            // A kink whose side is fixed by a bias is never crossed: nothing to report.
            if ex.fixed_sides.iter().any(|(i, _)| *i == l.index) {
                continue;
            }
            let info = KinkInfo {
                layer: l.index,
                activation: l.activation.clone(),
                left: left.coeff(1),
                right: right.coeff(1),
                class: class.clone(),
            };
            if *class == Smoothness::Kink {
                kinks.push(info);
            } else {
                one_sided.push(info);
            }
        }
    }
    let verdict = match k {
        None if !ex.truncated => Verdict::ExactAffine,
        None => Verdict::Affine { k: None },
        Some(_) if kink => Verdict::Kink,
        Some(k) if w.is_zero() => Verdict::Degenerate { k },
        Some(k) => Verdict::Affine { k: Some(k) },
    };
    Decision {
        verdict,
        k,
        w,
        b,
        leading_full,
        leading_layered,
        remainder,
        kinks,
        one_sided,
        numeric_zeros,
        identity_zeros,
        identity_starved,
        identity_unresolved,
        identity_partial,
        mixed_bar,
        breakpoint_reached: None,
        unwritten,
        w_identity_zero,
    }
}

/// Whether `lead`, the terms of the first non-affine order k, holds a bar `|u|` whose argument
/// has terms past its own lowest order and whose lowest-order part `u_k` has one sign (never
/// negative, or never positive), and is affine once each such bar is read as ±u_k. Then
/// |u| = ±u_k + O(ε^(k+1)), the order-k part of the terms is affine, and the terms' own
/// order k is an artefact of grading the bar whole: `x + relu(−|W·x| − x^∘3)` is x + O(ε³),
/// not a kink; `relu(−(a − c)^∘2)` with the square cut at order 3 is O(ε³), not non-affine
/// at ε². What follows |u_k| is not polynomial (|c^∘2 + a^∘3| − c^∘2 − a^∘3 is non-zero only
/// near c = 0), so the order where the non-affine part starts is not decided here.
fn bars_graded_past_their_lead(lead: &Expr, x: &Symbol, t: &Trunc) -> bool {
    let mut read = Expr::zero();
    let mut any = false;
    for (c, s) in lead.terms() {
        match read_bars(c, t) {
            Some(e) => {
                read.add_assign(&e.scale(s));
                any = true;
            }
            None => read.add_term(c.clone(), s.clone()),
        }
    }
    any && read
        .terms()
        .all(|(c, s)| crate::algebra::fraction::is_zero(s) || input_degree(c, x).is_affine())
}

/// The chain with each bar of mixed orders whose lowest-order part has one sign read as that
/// part, signed: the bar alone, beside other factors (`W₄·|u|`), or an element of a Hadamard
/// product (`|u|∘(W₂·x)`; from a review, which found these called non-affine at ε²). `None`
/// when the chain holds no such bar.
fn read_bars(c: &Chain, t: &Trunc) -> Option<Expr> {
    let mut any = false;
    let mut out = Expr::scalar(Scalar::one());
    for f in c.factors() {
        let e = match f {
            Factor::Atom(a) => match signed_lead(a, t) {
                Some(e) => {
                    any = true;
                    e
                }
                None => Expr::factor(f.clone()),
            },
            Factor::Had(h) => {
                let mut inner = false;
                let mut acc: Option<Expr> = None;
                for (el, m) in h.elements() {
                    let base = match el.factors() {
                        [Factor::Atom(a)] => signed_lead(a, t).inspect(|_| inner = true),
                        _ => None,
                    }
                    .unwrap_or_else(|| Expr::term(Scalar::one(), el.clone()));
                    let p = base.had_pow(*m, t).ok()?;
                    acc = Some(match acc {
                        None => p,
                        Some(x) => x.had(&p, t).ok()?,
                    });
                }
                match (inner, acc) {
                    (true, Some(e)) => {
                        any = true;
                        e
                    }
                    _ => Expr::factor(f.clone()),
                }
            }
            _ => Expr::factor(f.clone()),
        };
        out = out.mul(&e, t).ok()?;
    }
    any.then_some(out)
}

/// ±u_k for a bar |u| whose argument holds terms past its lowest order k, when u_k is
/// certified never negative (or never positive).
fn signed_lead(a: &crate::algebra::nf::ElemAtom, t: &Trunc) -> Option<Expr> {
    if !a.is_bar() || !a.params.is_empty() {
        return None;
    }
    let low = t.min_degree(&a.arg)?;
    if !a.arg.terms().any(|(e, _)| t.degree(e) > low) {
        return None;
    }
    let part = a.arg.degree_part(low, t);
    if part.is_nonnegative() {
        return Some(part);
    }
    let negated = part.neg();
    negated.is_nonnegative().then_some(negated)
}

/// Whether a factor holds `|·|` (a bar whose inside may hold more than its leading order).
fn holds_a_bar(f: &Factor) -> bool {
    match f {
        Factor::Atom(a) => {
            a.is_bar()
                || a.arg
                    .terms()
                    .any(|(c, _)| c.factors().iter().any(holds_a_bar))
        }
        Factor::Had(h) => h
            .elements()
            .iter()
            .any(|(e, _)| e.factors().iter().any(holds_a_bar)),
        Factor::Dot(d) | Factor::Tr(d) => d.factors().iter().any(holds_a_bar),
        Factor::Diag(d) => d.factors().iter().any(holds_a_bar),
        _ => false,
    }
}

/// The non-affine part of one by-layer term of degree k, still written by layer: a term whose
/// layer variables are all affine or all non-affine in the input stays as it is; a term whose
/// variable mixes both (`½·u₂` with `u₂ = ½·W₂·u₁ + ½·W₂·|u₁| + b₂`) is opened one layer
/// down, so the printed first non-affine term never repeats part of `W·x + b`.
/// `memo` holds the parts of chains already found (by chain and depth).
fn non_affine_part(
    term: &Expr,
    x: &Symbol,
    t: &Trunc,
    (full_defs, layered_defs): (&BTreeMap<Symbol, Expr>, &BTreeMap<Symbol, Expr>),
    depth: usize,
    memo: &mut HashMap<(Chain, usize), Expr>,
) -> Expr {
    let full = term
        .substitute(&|sym| full_defs.get(sym).cloned(), t)
        .unwrap_or_default();
    let affine = full
        .terms()
        .filter(|(c, _)| input_degree(c, x).is_affine())
        .count();
    if affine == 0 {
        return term.clone();
    }
    if affine == full.len() {
        return Expr::zero();
    }
    let Some(k) = t.min_degree(term) else {
        return Expr::zero();
    };
    if depth == 0 {
        return full.filter(|c, _| !input_degree(c, x).is_affine() && t.degree(c) == k);
    }
    let opened = term
        .substitute(&|sym| layered_defs.get(sym).cloned(), t)
        .unwrap_or_default();
    if opened == *term {
        return full.filter(|c, _| !input_degree(c, x).is_affine() && t.degree(c) == k);
    }
    let mut out = Expr::zero();
    for (c, s) in opened.terms() {
        if t.degree(c) == k {
            // The part of a term is its coefficient times the part of its chain. Layers open
            // into the same chains by several paths (`relu(relu(u))`: ½·u and ½·|u| both open
            // into u and |u| one layer down), so each chain's part is found once per depth:
            // without this the walk doubled with each layer (from a review: 16 nested relu
            // took 3.3 s).
            let key = (c.clone(), depth - 1);
            let part = match memo.get(&key) {
                Some(part) => part.clone(),
                None => {
                    let one = Expr::term(Scalar::one(), c.clone());
                    let part =
                        non_affine_part(&one, x, t, (full_defs, layered_defs), depth - 1, memo);
                    memo.insert(key, part.clone());
                    part
                }
            };
            out.add_assign(&part.scale(s));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algebra::{Kind, Q};
    use crate::syntax::Name;

    fn sym(name: &str, kind: Kind) -> Expr {
        Expr::symbol(Symbol::user(Name::new(name, ""), kind))
    }

    fn x() -> Symbol {
        Symbol::user(Name::new("x", ""), Kind::Vector)
    }

    /// Order `order` in the small input `x`.
    fn trunc(order: u32) -> Trunc {
        let mut t = Trunc::exact();
        t.order = Some(order);
        t.small = [Name::new("x", "")].into_iter().collect();
        t
    }

    /// An expansion with no layers: only its normal form matters to the decision.
    fn expansion(full: Expr, truncated: bool) -> Expansion {
        Expansion {
            layers: Vec::new(),
            layered: full,
            layer_values: BTreeMap::new(),
            order: None,
            truncated,
            cut_cancels: false,
            bindings: Vec::new(),
            steps: Vec::new(),
            fixed_sides: Vec::new(),
            decided_pieces: Vec::new(),
            constants: Vec::new(),
            points: Vec::new(),
            scale_bounds: Vec::new(),
            var_len: BTreeMap::new(),
            numeric_zeros: 0,
            dims: Default::default(),
            zero_at_points: Vec::new(),
        }
    }

    fn decide_nf(full: Expr, truncated: bool, order: u32) -> Decision {
        decide(
            &expansion(full.clone(), truncated),
            &full,
            &x(),
            &trunc(order),
            &|_| crate::analysis::identity::Vanishing::No,
        )
    }

    #[test]
    fn a_finite_affine_form_is_exactly_affine_with_its_w_and_b() {
        let t = trunc(3);
        let wx = sym("W", Kind::Matrix)
            .mul(&sym("x", Kind::Vector), &t)
            .unwrap();
        let b = sym("b", Kind::Vector);
        let d = decide_nf(wx.scale_q(&Q::from(2)).add(&b), false, 3);
        assert_eq!(d.verdict, Verdict::ExactAffine);
        assert_eq!(d.k, None);
        assert_eq!(crate::print::unicode(&d.w), "2·W");
        assert_eq!(d.b, b);
        assert!(d.leading_full.is_zero());
    }

    #[test]
    fn a_quadratic_term_sets_k() {
        let t = trunc(3);
        let xv = sym("x", Kind::Vector);
        let wx = sym("W", Kind::Matrix).mul(&xv, &t).unwrap();
        let square = xv.had(&xv, &t).unwrap();
        let d = decide_nf(wx.add(&square), true, 3);
        assert_eq!(d.verdict, Verdict::Affine { k: Some(2) });
        assert_eq!(d.k, Some(2));
        assert_eq!(crate::print::unicode(&d.w), "W");
        assert!(d.b.is_zero());
        assert_eq!(d.leading_full, square);
    }

    #[test]
    fn no_linear_part_is_degenerate() {
        let t = trunc(3);
        let xv = sym("x", Kind::Vector);
        let d = decide_nf(xv.had(&xv, &t).unwrap(), true, 3);
        assert_eq!(d.verdict, Verdict::Degenerate { k: 2 });
        assert!(d.w.is_zero());
    }

    #[test]
    fn nothing_non_affine_up_to_the_order_leaves_k_open() {
        let t = trunc(3);
        let wx = sym("W", Kind::Matrix)
            .mul(&sym("x", Kind::Vector), &t)
            .unwrap();
        let d = decide_nf(wx, true, 3);
        assert_eq!(d.verdict, Verdict::Affine { k: None });
    }
}
