//! The canonical normal form of matrix/vector expressions.
//!
//! An [`Expr`] is a sum of terms `scalar × chain`. A [`Chain`] is an ordered
//! (non-commutative) product of [`Factor`]s: matrix and vector symbols, the
//! all-ones vector, `diag(v)`, Hadamard products ([`Had`], a sorted multiset,
//! so `∘` commutes) and element-wise atoms (`|u|`, `tanh′(c)`). Scalars commute
//! to the coefficient. The constructors keep the form canonical:
//!
//! * like terms merge and zero terms vanish (a `BTreeMap` from chain to coefficient);
//! * `diag(v)` followed by a vector becomes `v ∘ …` (so `diag(a)·W·x` and `a∘(W·x)` agree);
//!   adjacent `diag`s merge; `diag` only survives inside matrix-valued chains;
//! * a Hadamard product is flattened, sorted, with multiplicities, and drops `𝟙`;
//! * truncation by ε-degree happens inside [`Expr::mul`] and [`Expr::had`], so a product
//!   never builds a term it would throw away.

use super::scalar::{Q, Scalar};
use crate::syntax::Name;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;
use std::time::Instant;

/// Scalar, column vector or matrix.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Kind {
    /// A scalar (1×1) value.
    Scalar,
    /// A column vector (n×1), such as the input `x` or a bias `b`.
    Vector,
    /// A matrix (m×n), such as a weight `W`.
    Matrix,
    /// A row vector (1×n), such as `xᵀ` or `xᵀ·W`.
    Row,
}

/// Where a symbol comes from: the user, or the analysis (layer variables `u₁`, operating points `c₂`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Role {
    /// A symbol the user wrote; its ε-degree is 1 when it is small ([`Trunc::small`]), else 0.
    User,
    /// The ε¹ part of a layer's pre-activation; ε-degree 1.
    Layer,
    /// The ε⁰ part of a layer's pre-activation; ε-degree 0.
    OpPoint,
}

/// A matrix or vector symbol.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Symbol {
    /// Who introduced the symbol; part of the ordering, so `u₁` never merges with a user's `u₁`.
    pub role: Role,
    /// The canonical name (`W1` = `W₁`).
    pub name: Name,
    /// Scalar, vector or matrix; products check it, and it decides how the symbol prints.
    pub kind: Kind,
}

impl Symbol {
    /// A symbol the user wrote (not one the analysis introduced).
    pub fn user(name: Name, kind: Kind) -> Symbol {
        Symbol {
            role: Role::User,
            name,
            kind,
        }
    }
}

/// An element-wise function value: `|u|` (`func = "abs"`), `tanh(c)`, or a derivative `tanh′(c)`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ElemAtom {
    pub func: Rc<str>,
    pub deriv: u32,
    pub arg: Expr,
    /// The call's parameter values (`swish(c; β = 2)`): part of the atom's identity, so
    /// `swish′(c; β = 2)` and `swish′(c)` never cancel.
    pub params: Vec<(Name, Scalar)>,
    /// The symbols of `arg`, found once ([`ElemAtom::arg_symbols`]).
    arg_symbols: ArgSymbols,
    /// The kind of `arg`, found once when the atom is made: a chain's kind reads its first and
    /// last factors, one atom twice, so reading it through nested atoms doubled with each
    /// level (from a review: a binding of tanh nested 28 deep took 19 s).
    arg_kind: Option<Kind>,
}

impl ElemAtom {
    /// An atom with nothing computed about it yet.
    pub fn new(func: Rc<str>, deriv: u32, arg: Expr, params: Vec<(Name, Scalar)>) -> ElemAtom {
        let arg_kind = arg.kind();
        ElemAtom {
            func,
            deriv,
            arg,
            params,
            arg_symbols: ArgSymbols::default(),
            arg_kind,
        }
    }

    /// Whether the atom is `|arg|` itself, not a derivative of abs at an operating point
    /// (`abs′(c₂)`, the sign of c₂, has none of a bar's rules: it is not ≥ 0, its square is
    /// not `c₂^∘2`, and it is a value at the point, of degree 0).
    pub fn is_bar(&self) -> bool {
        &*self.func == "abs" && self.deriv == 0
    }

    /// Whether every entry is > 0 by the atom's form: exp (or a derivative of it, exp
    /// again) of an argument whose coefficients are rationals, so real: |exp(c₁)| = exp(c₁).
    pub fn is_positive_by_form(&self) -> bool {
        &*self.func == "exp"
            && self.params.is_empty()
            && self.arg.terms().all(|(_, s)| s.to_q().is_some())
    }

    /// Every symbol in the argument, nested atoms included, computed the first time it is
    /// asked for: the decision asks of every atom of every term whether it holds the input,
    /// and in a deep network each layer's atom holds all the layers below it, so a fresh walk
    /// per question made a 60-layer network take seconds.
    pub fn arg_symbols(&self) -> &BTreeSet<Symbol> {
        self.arg_symbols.0.get_or_init(|| {
            let mut out = BTreeSet::new();
            let mut seen = HashSet::new();
            expr_symbols(&self.arg, &mut out, &mut seen);
            out
        })
    }
}

/// A cache that takes no part in an atom's identity: every comparison, hash and order sees it
/// as equal.
#[derive(Clone, Default)]
struct ArgSymbols(std::cell::OnceCell<BTreeSet<Symbol>>);

impl PartialEq for ArgSymbols {
    fn eq(&self, _: &ArgSymbols) -> bool {
        true
    }
}

impl Eq for ArgSymbols {}

impl PartialOrd for ArgSymbols {
    fn partial_cmp(&self, other: &ArgSymbols) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ArgSymbols {
    fn cmp(&self, _: &ArgSymbols) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl std::hash::Hash for ArgSymbols {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl std::fmt::Debug for ArgSymbols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

/// A Hadamard product: a sorted multiset of chains (all vectors, or all matrices of one shape).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Had(Vec<(Chain, u32)>);

impl Had {
    pub fn elements(&self) -> &[(Chain, u32)] {
        &self.0
    }
}

/// One factor of an ordered product.
///
/// Ordered as declared (symbols, 𝟙, I, diag, ∘, atoms), then by contents; shared
/// parts compare by pointer first (see [`Factor::cmp`]).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Factor {
    Sym(Symbol),
    /// The all-ones vector 𝟙.
    Ones,
    /// The identity matrix (appears only in a linear part `W`, as in `y = x + b`).
    Eye,
    /// `diag(v)` for a vector chain `v`.
    Diag(Rc<Chain>),
    Had(Rc<Had>),
    Atom(Rc<ElemAtom>),
    /// The transpose of a single factor that is not its own transpose: a matrix or vector
    /// symbol, `𝟙`, a Hadamard product of vectors or an element-wise atom of a vector.
    /// Transposes of products are pushed to their factors (`(A·B)ᵀ = Bᵀ·Aᵀ`), so only
    /// these leaves carry one.
    Tr(Rc<Chain>),
    /// A 1×1 product (`xᵀ·W·y`, `𝟙ᵀ·(u∘v)`): a scalar that commutes with every factor. The
    /// chain holds these first, sorted, and each is the smaller of itself and its transpose.
    Dot(Rc<Chain>),
}

impl Factor {
    fn rank(&self) -> u8 {
        match self {
            Factor::Sym(_) => 0,
            Factor::Ones => 1,
            Factor::Eye => 2,
            Factor::Diag(_) => 3,
            Factor::Had(_) => 4,
            Factor::Atom(_) => 5,
            Factor::Tr(_) => 6,
            Factor::Dot(_) => 7,
        }
    }
}

/// Two `Rc`s: equal when they are one allocation, else by contents.
fn cmp_shared<T: Ord>(a: &Rc<T>, b: &Rc<T>) -> std::cmp::Ordering {
    if Rc::ptr_eq(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.as_ref().cmp(b.as_ref())
    }
}

impl Ord for Factor {
    /// Normal forms are sorted maps of chains, so factors are compared all the time, and the
    /// nested ones (diag, ∘, atoms) are deep. They sit behind `Rc`s that products and
    /// substitutions clone rather than rebuild, so equal ones are often one allocation and
    /// compare in O(1). (Hash-consing every new one was tried: hashing deep chains cost more
    /// than it saved.)
    fn cmp(&self, other: &Factor) -> std::cmp::Ordering {
        match (self, other) {
            (Factor::Sym(a), Factor::Sym(b)) => a.cmp(b),
            (Factor::Diag(a), Factor::Diag(b)) => cmp_shared(a, b),
            (Factor::Had(a), Factor::Had(b)) => cmp_shared(a, b),
            (Factor::Atom(a), Factor::Atom(b)) => cmp_shared(a, b),
            (Factor::Tr(a), Factor::Tr(b)) => cmp_shared(a, b),
            (Factor::Dot(a), Factor::Dot(b)) => cmp_shared(a, b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Factor {
    fn partial_cmp(&self, other: &Factor) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// An ordered product of factors; the empty chain is the scalar 1.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Chain(Vec<Factor>);

impl Chain {
    pub fn one() -> Chain {
        Chain(Vec::new())
    }
    pub fn factors(&self) -> &[Factor] {
        &self.0
    }
    pub fn is_scalar(&self) -> bool {
        self.0.is_empty()
    }
    pub fn single(f: Factor) -> Chain {
        canon(vec![f])
    }
    /// A chain from factors, canonicalized.
    pub fn from_factors(v: Vec<Factor>) -> Chain {
        canon(v)
    }
    /// `𝟙·𝟙ᵀ`, the all-ones matrix (canonical as written).
    pub fn ones_matrix() -> Chain {
        Chain(vec![
            Factor::Ones,
            Factor::Tr(Rc::new(Chain(vec![Factor::Ones]))),
        ])
    }
    /// True for `𝟙·𝟙ᵀ`.
    pub fn is_ones_matrix(&self) -> bool {
        matches!(self.0.as_slice(), [Factor::Ones, Factor::Tr(t)] if t.0.as_slice() == [Factor::Ones])
    }
    /// True for `𝟙` and `𝟙·𝟙ᵀ`, the units of the Hadamard product.
    pub fn is_ones(&self) -> bool {
        self.0.as_slice() == [Factor::Ones] || self.is_ones_matrix()
    }

    /// Scalar for the empty chain and for a product of 1×1 factors; otherwise the rows of
    /// the first factor that is not 1×1 and the columns of the last.
    pub fn kind(&self) -> Kind {
        let first = self.0.iter().find(|f| !matches!(f, Factor::Dot(_)));
        match (first, self.0.last()) {
            // One factor read once: a Hadamard product's kind is its first element's.
            (Some(a), Some(b)) if std::ptr::eq(a, b) => factor_kind(a),
            (Some(a), Some(b)) => kind_of_dims(factor_dims(a).0, factor_dims(b).1),
            _ => Kind::Scalar,
        }
    }

    /// Concatenation, canonicalized.
    pub fn concat(&self, other: &Chain) -> Chain {
        if self.0.is_empty() {
            return other.clone();
        }
        if other.0.is_empty() {
            return self.clone();
        }
        let mut v = Vec::with_capacity(self.0.len() + other.0.len());
        v.extend(self.0.iter().cloned());
        v.extend(other.0.iter().cloned());
        canon(v)
    }

    /// The elements of this chain seen as a Hadamard product.
    fn had_elements(&self) -> Vec<(Chain, u32)> {
        match self.0.as_slice() {
            [Factor::Had(h)] => h.0.clone(),
            _ => vec![(self.clone(), 1)],
        }
    }
}

fn factor_kind(f: &Factor) -> Kind {
    let (r, c) = factor_dims(f);
    kind_of_dims(r, c)
}

/// Whether a kind has one row, and whether it has one column.
fn dims_of_kind(k: Kind) -> (bool, bool) {
    match k {
        Kind::Scalar => (true, true),
        Kind::Vector => (false, true),
        Kind::Matrix => (false, false),
        Kind::Row => (true, false),
    }
}

fn kind_of_dims(one_row: bool, one_col: bool) -> Kind {
    match (one_row, one_col) {
        (true, true) => Kind::Scalar,
        (false, true) => Kind::Vector,
        (false, false) => Kind::Matrix,
        (true, false) => Kind::Row,
    }
}

/// Whether a factor has one row, and whether it has one column.
fn factor_dims(f: &Factor) -> (bool, bool) {
    match f {
        Factor::Sym(s) => dims_of_kind(s.kind),
        Factor::Ones => (false, true),
        Factor::Eye | Factor::Diag(_) => (false, false),
        Factor::Had(h) => dims_of_kind(h.0.first().map(|(c, _)| c.kind()).unwrap_or(Kind::Vector)),
        Factor::Atom(a) => dims_of_kind(a.arg_kind.unwrap_or(Kind::Vector)),
        Factor::Tr(c) => {
            let (r, k) = dims_of_kind(c.kind());
            (k, r)
        }
        Factor::Dot(_) => (true, true),
    }
}

/// The transpose of one factor, as factors (not yet canonical).
fn transpose_factor(f: &Factor) -> Vec<Factor> {
    if factor_dims(f) == (true, true) {
        return vec![f.clone()];
    }
    match f {
        Factor::Eye | Factor::Diag(_) | Factor::Dot(_) => vec![f.clone()],
        Factor::Tr(c) => c.0.clone(),
        Factor::Had(h) if factor_kind(f) == Kind::Matrix => {
            let els = h.0.iter().map(|(c, m)| (c.transpose(), *m)).collect();
            had_of(els).0
        }
        Factor::Atom(a) if a.arg_kind == Some(Kind::Matrix) => {
            vec![Factor::Atom(Rc::new(ElemAtom::new(
                a.func.clone(),
                a.deriv,
                a.arg.transpose(),
                a.params.clone(),
            )))]
        }
        Factor::Sym(s) if s.kind == Kind::Scalar => vec![f.clone()],
        _ => vec![Factor::Tr(Rc::new(Chain(vec![f.clone()])))],
    }
}

/// The factors of a product in reverse order, each transposed: `(A·B)ᵀ = Bᵀ·Aᵀ` (not canonical).
fn transpose_factors(v: &[Factor]) -> Vec<Factor> {
    v.iter().rev().flat_map(transpose_factor).collect()
}

impl Chain {
    /// The transpose, canonical.
    pub fn transpose(&self) -> Chain {
        if self.0.is_empty() {
            return Chain::one();
        }
        canon(transpose_factors(&self.0))
    }
}

/// Builds a Hadamard product from elements, canonically.
/// Largest exponent of an element-wise power (`z^∘k`) in a normal form; [`Expr::had`] and
/// [`Expr::had_pow`] refuse to go past it, so exponent arithmetic never overflows.
pub(crate) const MAX_HAD_EXPONENT: u32 = 1 << 24;

pub(crate) fn had_of(elements: Vec<(Chain, u32)>) -> Chain {
    let mut flat: BTreeMap<Chain, u32> = BTreeMap::new();
    let mut saw_ones = false;
    // `𝟙·𝟙ᵀ` is the unit of the Hadamard product of matrices, as `𝟙` is of vectors.
    let mut saw_ones_matrix = false;
    // The 1×1 factors of an element are scalars: (s·v)^∘k = sᵏ·v^∘k.
    let mut dots: Vec<Factor> = Vec::new();
    for (c, m) in elements {
        if m == 0 {
            continue;
        }
        let (d, rest) = split_dots(&c);
        for _ in 0..m {
            dots.extend(d.iter().cloned());
        }
        for (e, k) in rest.had_elements() {
            if e.0.as_slice() == [Factor::Ones] {
                saw_ones = true;
                continue;
            }
            if e.is_ones_matrix() {
                saw_ones_matrix = true;
                continue;
            }
            if e.0.is_empty() {
                continue;
            }
            *flat.entry(e).or_insert(0) += k * m;
        }
    }
    // |e|∘|e| = e∘e: an even power of |e| is one of e, so `|u|^∘3` and `|u^∘3|` (which `abs`
    // writes `u^∘2∘|u|`) are one canonical chain. Only for an e that is a chain of its own.
    let evens: Vec<(Chain, Chain, u32)> = flat
        .iter()
        .filter(|(_, m)| **m >= 2)
        .filter_map(|(e, m)| Some((e.clone(), abs_chain_argument(e)?, *m)))
        .collect();
    for (bars, arg, m) in evens {
        flat.insert(bars, m % 2);
        let m = m - m % 2;
        for (e, k) in arg.had_elements() {
            *flat.entry(e).or_insert(0) += k * m;
        }
    }
    flat.retain(|_, m| *m > 0);
    let v = merge_outer_products(flat.into_iter().collect());
    let core = match v.as_slice() {
        [] if saw_ones_matrix => Chain::ones_matrix(),
        [] if saw_ones => Chain(vec![Factor::Ones]),
        [] => Chain::one(),
        [(c, 1)] => c.clone(),
        _ => Chain(vec![Factor::Had(Rc::new(Had(v)))]),
    };
    if dots.is_empty() {
        return core;
    }
    dots.sort();
    dots.extend(core.0);
    Chain(dots)
}

/// `|k·w + b·|w||` where b = t·|k| for a rational |t| < 1 (k, b rationals, or b a rational
/// multiple of |k| by their forms): its sign is k·w's, so it is |k|·|w| + t·k·w (from a
/// review: `|W₁·x + ½·|W₁·x|| − |W₁·x|`, which is ½·W₁·x, was a kink, and so was
/// `|λ·W₁·x + ½·|λ|·|W₁·x|| − |λ|·|W₁·x|`, ½·λ·W₁·x). With |t| ≥ 1 the sum has b·|w|'s sign,
/// which `Expr::is_nonnegative` already reads.
fn abs_of_a_multiple_and_its_bar(inner: &Expr) -> Option<Expr> {
    use malachite_base::num::arithmetic::traits::Abs;
    for (c, b) in inner.terms() {
        let [Factor::Atom(a)] = c.0.as_slice() else {
            continue;
        };
        if !a.is_bar() || !a.params.is_empty() {
            continue;
        }
        let w = &a.arg;
        let mut rest = inner.clone();
        rest.add_term(c.clone(), b.neg());
        let (first, unit) = w.terms().next()?;
        let Some(k) = rest.terms.get(first).and_then(|r| r.div(unit).ok()) else {
            continue;
        };
        let size = k.abs();
        let Some(t) = ratio_to_size(b, &size) else {
            continue;
        };
        if rest != w.scale(&k) || t.clone().abs() >= 1u32 {
            continue;
        }
        let bar = Expr::term(size, c.clone());
        return Some(bar.add(&w.scale(&k.scale(&t))));
    }
    None
}

/// `|s·C + b·|C||` for one term C (a Hadamard product, `tanh(c₁)∘u`) whose bar is the one term
/// |C| (`|tanh(c₁)|∘|u|`), with b = t·|s|, t a rational, |t| < 1: entry by entry it has C's
/// sign times s's, so it is |s|·|C| + t·s·C (from a review: `v = tanh(b1)∘(W1·x); abs(v +
/// abs(v)/2) − abs(v)`, ½·v, was a kink). [`abs_of_a_multiple_and_its_bar`] reads the same
/// pair where C is a sum under one bar.
fn abs_of_a_term_and_its_bar(inner: &Expr) -> Option<Expr> {
    use malachite_base::num::arithmetic::traits::Abs;
    let terms: Vec<(&Chain, &Scalar)> = inner.terms().collect();
    let [a, b] = terms.as_slice() else {
        return None;
    };
    for ((c, s), (bar, sb)) in [(a, b), (b, a)] {
        let size = Expr::term(Scalar::one(), (*c).clone()).abs();
        let is_bar = size
            .terms()
            .next()
            .is_some_and(|(chain, one)| size.len() == 1 && one.is_one() && chain == *bar);
        if !is_bar {
            continue;
        }
        let magnitude = s.abs();
        let Some(t) = ratio_to_size(sb, &magnitude) else {
            continue;
        };
        if t.clone().abs() >= 1u32 {
            continue;
        }
        let mut out = Expr::term(magnitude, (*bar).clone());
        out.add_term((*c).clone(), s.scale(&t));
        return Some(out);
    }
    None
}

/// Outer products in a Hadamard product of matrices become one:
/// `(a·bᵀ)^∘m ∘ (c·dᵀ) = (a^∘m ∘ c)·(b^∘m ∘ d)ᵀ`, entry by entry `(a_j·b_k)^m·c_j·d_k`. So a
/// part of a token matrix that is constant along each row (`v·𝟙ᵀ`) stays an outer product
/// under element-wise powers, `(v·𝟙ᵀ)^∘2 = v^∘2·𝟙ᵀ`, and equal values get one form.
fn merge_outer_products(elements: Vec<(Chain, u32)>) -> Vec<(Chain, u32)> {
    // A canonical matrix chain is an outer product when a factor with one column (the end
    // of its column part) comes before its last factor.
    let split = |c: &Chain| -> Option<usize> {
        if c.kind() != Kind::Matrix {
            return None;
        }
        let i = c.0.iter().position(|f| factor_dims(f).1)?;
        (i + 1 < c.0.len()).then_some(i)
    };
    let outer = elements
        .iter()
        .filter(|(c, _)| split(c).is_some())
        .map(|(_, m)| *m)
        .sum::<u32>();
    if outer < 2 {
        return elements;
    }
    let mut cols: Vec<(Chain, u32)> = Vec::new();
    let mut rows: Vec<(Chain, u32)> = Vec::new();
    let mut rest: Vec<(Chain, u32)> = Vec::new();
    for (c, m) in elements {
        match split(&c) {
            Some(i) => {
                cols.push((Chain(c.0[..=i].to_vec()), m));
                rows.push((Chain(c.0[i + 1..].to_vec()).transpose(), m));
            }
            None => rest.push((c, m)),
        }
    }
    let col = had_of(cols);
    let row = had_of(rows);
    let mut fs = col.0;
    fs.extend(transpose_factors(&row.0));
    let merged = canon(fs);
    // The merged product may still be one element among others (a matrix that is not an
    // outer product); its own factors stay together.
    rest.push((merged, 1));
    let mut flat: BTreeMap<Chain, u32> = BTreeMap::new();
    for (c, m) in rest {
        *flat.entry(c).or_insert(0) += m;
    }
    flat.into_iter().collect()
}

/// `|∏ eᵢ^∘mᵢ|` of one Hadamard product with coefficient 1, as `∏ |eᵢ|^∘mᵢ`, which [`had_of`]
/// writes `eᵢ^∘mᵢ` for even mᵢ and `eᵢ^∘(mᵢ−1)∘|eᵢ|` for odd: `|u^∘3| = u^∘2∘|u|`.
fn abs_of_product(inner: &Expr) -> Option<Expr> {
    let (chain, s) = inner.terms().next().filter(|_| inner.len() == 1)?;
    if !s.is_one() {
        return None;
    }
    let [Factor::Had(h)] = chain.0.as_slice() else {
        return None;
    };
    let mut out: Option<Expr> = None;
    for (e, m) in &h.0 {
        // |e|^∘m: `had_of` writes an even power of |e| as one of e.
        let part = Expr::term(Scalar::one(), e.clone())
            .abs()
            .had_pow(*m, &Trunc::exact())
            .ok()?;
        out = Some(match out {
            None => part,
            Some(acc) => acc.had(&part, &Trunc::exact()).ok()?,
        });
    }
    out
}

/// `|p∘r| = p∘|r|` where p, positive by its form (exp(c₁)), is a Hadamard factor of every
/// term: `|exp(c₁)∘u + ½·exp(c₁)∘|u||` is exp(c₁)∘|u + ½·|u||, whose bar the pair rule reads
/// (from a review: `v = exp(b1)∘(W1·x); abs(v + abs(v)/2) − abs(v)`, ½·v, was a kink).
fn abs_of_a_positive_factor(inner: &Expr) -> Option<Expr> {
    let unit = Chain(match inner.kind()? {
        Kind::Vector => vec![Factor::Ones],
        Kind::Matrix => Chain::ones_matrix().0,
        _ => return None,
    });
    let (first, _) = inner.terms().next()?;
    let candidates = split_dots(first).1.had_elements();
    'candidate: for (p, _) in candidates {
        let [Factor::Atom(a)] = p.0.as_slice() else {
            continue;
        };
        if !a.is_positive_by_form() {
            continue;
        }
        let mut rest = Expr::zero();
        for (chain, s) in inner.terms() {
            let (dots, r) = split_dots(chain);
            let mut elements: BTreeMap<Chain, u32> = r.had_elements().into_iter().collect();
            match elements.get_mut(&p) {
                Some(m) if *m > 0 => *m -= 1,
                _ => continue 'candidate,
            }
            let mut elements: Vec<(Chain, u32)> =
                elements.into_iter().filter(|(_, m)| *m > 0).collect();
            elements.push((unit.clone(), 1));
            elements.push((Chain(dots), 1));
            rest.add_term(had_of(elements), s.clone());
        }
        return Expr::term(Scalar::one(), p.clone())
            .had(&rest.abs(), &Trunc::exact())
            .ok();
    }
    None
}

/// q where `s = q·g` for a rational q, read off g's first monomial and checked whole (a sum
/// g = λ² + 1 divides no better: (−⅓·λ² − ⅓)/(λ² + 1) is not written −⅓).
fn rational_ratio(s: &Scalar, g: &Scalar) -> Option<Q> {
    let (lead, unit) = g.terms().next()?;
    let (_, k) = s.terms().find(|(m, _)| *m == lead)?;
    let q = k / unit;
    (*s == g.scale(&q)).then_some(q)
}

/// [`rational_ratio`], or else the quotient `s / g` where it is a rational: how a pair's
/// b is read against |k| (`b = t·|k|`).
fn ratio_to_size(s: &Scalar, size: &Scalar) -> Option<Q> {
    rational_ratio(s, size).or_else(|| s.div(size).ok()?.to_q())
}

/// The bar of one chain when it is one chain with coefficient 1 (`|u|`, `|tanh(c₁)|∘|u|`).
fn bar_chain(c: &Chain) -> Option<Chain> {
    let bar = Expr::term(Scalar::one(), c.clone()).abs();
    let (chain, one) = bar.terms().next()?;
    (bar.len() == 1 && one.is_one()).then(|| chain.clone())
}

/// `Some(e)` when the chain is `|e|` for a chain `e` with no 1×1 factor (the argument one
/// term with coefficient 1), so that `|e|∘|e| = e∘e` stays a chain.
fn abs_chain_argument(c: &Chain) -> Option<Chain> {
    let [Factor::Atom(a)] = c.0.as_slice() else {
        return None;
    };
    if &*a.func != "abs" || a.deriv != 0 || !a.params.is_empty() || a.arg.len() != 1 {
        return None;
    }
    let (arg, s) = a.arg.terms().next()?;
    (s.is_one() && split_dots(arg).0.is_empty() && !arg.0.is_empty()).then(|| arg.clone())
}

/// The leading 1×1 factors of a canonical chain, and the rest.
fn split_dots(c: &Chain) -> (Vec<Factor>, Chain) {
    let n =
        c.0.iter()
            .take_while(|f| matches!(f, Factor::Dot(_)))
            .count();
    if n == 0 {
        return (Vec::new(), c.clone());
    }
    (c.0[..n].to_vec(), Chain(c.0[n..].to_vec()))
}

/// Restores the chain invariants after factors were put side by side.
///
/// The chain is cut where a factor has one column (after a column vector): the pieces
/// between two such cuts are 1×1 and commute with everything, so they leave as sorted
/// [`Factor::Dot`]s; what stays is a column part (n×·) and perhaps a row part (1×n)
/// after it, each canonical on its own.
fn canon(v: Vec<Factor>) -> Chain {
    let mut dots: Vec<Factor> = Vec::new();
    let mut saw_eye = false;
    let mut out: Vec<Factor> = Vec::with_capacity(v.len());
    for f in v {
        match f {
            Factor::Eye => saw_eye = true,
            Factor::Dot(_) => dots.push(f),
            Factor::Had(h) if h.0.len() == 1 && h.0[0].1 == 1 => {
                out.extend(h.0[0].0.0.iter().cloned())
            }
            Factor::Diag(d) if matches!(d.0.first(), Some(Factor::Dot(_))) => {
                let (ds, rest) = split_dots(&d);
                dots.extend(ds);
                if rest.0.as_slice() == [Factor::Ones] {
                    saw_eye = true;
                } else {
                    out.push(Factor::Diag(Rc::new(rest)));
                }
            }
            f => out.push(f),
        }
    }
    if out.is_empty() {
        if saw_eye {
            // Only identities (and scalars): the chain is the identity matrix.
            out.push(Factor::Eye);
        } else {
            dots.sort();
            return Chain(dots);
        }
    }
    // Cut after every factor with one column.
    let mut pieces: Vec<Vec<Factor>> = Vec::new();
    let mut cur: Vec<Factor> = Vec::new();
    for f in out {
        let one_col = factor_dims(&f).1;
        cur.push(f);
        if one_col {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    let mut main: Vec<Factor> = Vec::new();
    for p in pieces {
        let one_row = p.first().is_some_and(|f| factor_dims(f).0);
        let one_col = p.last().is_some_and(|f| factor_dims(f).1);
        match (one_row, one_col) {
            (true, true) => dots.push(make_dot(p)),
            (true, false) => {
                // A row part: canonical as the transpose of a column part.
                let col = canon_column(transpose_factors(&p));
                main.extend(transpose_factors(&col));
            }
            _ => main.extend(canon_column(p)),
        }
    }
    if dots.is_empty() {
        return Chain(main);
    }
    dots.sort();
    dots.extend(main);
    Chain(dots)
}

/// A 1×1 piece as one [`Factor::Dot`], canonical.
///
/// Every such product is a sum of entries `𝟙ᵀ·(e₁∘…∘e_k)` of a Hadamard product of column
/// chains (`aᵀ·M·b = 𝟙ᵀ·(a∘(M·b))`). Read as a tree (the Hadamard products are its nodes,
/// the matrices its edges), the same number has one such form for each node it is rooted
/// at: `𝟙ᵀ·(a∘(M·b)) = 𝟙ᵀ·(b∘(Mᵀ·a))`. The forms at every node are listed by moving the root
/// along the edges, and the smallest is the canonical one, so `xᵀ·W·y` and `yᵀ·Wᵀ·x`, or
/// `(a∘u)ᵀ·v` and `uᵀ·diag(a)·v`, are one factor.
fn make_dot(p: Vec<Factor>) -> Factor {
    /// Past this many roots the smallest form found so far is kept (still exact, perhaps
    /// not the same for every spelling of a very large product).
    const MAX_ROOTS: usize = 64;
    let v = canon_column(p);
    let Some(start) = root_elements(&v) else {
        let b = canon_column(transpose_factors(&v));
        return Factor::Dot(Rc::new(Chain(v.min(b))));
    };
    let mut seen: BTreeSet<Vec<(Chain, u32)>> = BTreeSet::new();
    let mut queue = vec![start];
    while let Some(els) = queue.pop() {
        if seen.len() >= MAX_ROOTS {
            break;
        }
        if seen.contains(&els) {
            continue;
        }
        for i in 0..els.len() {
            queue.push(reroot(&els, i));
        }
        seen.insert(els);
    }
    let best = seen.into_iter().next().unwrap_or_default();
    let mut out = vec![Factor::Tr(Rc::new(Chain(vec![Factor::Ones])))];
    let h = had_of(best);
    if h.0.is_empty() {
        out.push(Factor::Ones);
    } else {
        out.extend(h.0);
    }
    Factor::Dot(Rc::new(Chain(out)))
}

/// The Hadamard elements of `aᵀ·rest` seen as `𝟙ᵀ·(a∘rest)`; `None` unless the piece is a
/// transposed column factor followed by a column chain.
fn root_elements(v: &[Factor]) -> Option<Vec<(Chain, u32)>> {
    let (Factor::Tr(a), rest) = v.split_first()? else {
        return None;
    };
    if rest.is_empty() || factor_dims(&a.0[0]) != (false, true) || a.0.len() != 1 {
        return None;
    }
    Some(elements_of(had_of(vec![
        ((**a).clone(), 1),
        (Chain(rest.to_vec()), 1),
    ])))
}

/// The elements of a canonical Hadamard product (none for `𝟙`).
fn elements_of(c: Chain) -> Vec<(Chain, u32)> {
    match c.0.as_slice() {
        [Factor::Had(h)] => h.0.clone(),
        [Factor::Ones] | [] => Vec::new(),
        _ => vec![(c, 1)],
    }
}

/// The same sum of entries rooted at the far end of (one copy of) element `i`: for `eᵢ = M·L`,
/// `𝟙ᵀ·(eᵢ∘R) = 𝟙ᵀ·(L∘(Mᵀ·R))`, with `L`'s own elements if it is a Hadamard product.
fn reroot(els: &[(Chain, u32)], i: usize) -> Vec<(Chain, u32)> {
    let fs = &els[i].0.0;
    let Some((leaf, path)) = fs.split_last() else {
        return els.to_vec();
    };
    // One copy of a power `e^∘m` is the edge followed; the other m − 1 stay at the old root.
    let others: Vec<(Chain, u32)> = els
        .iter()
        .enumerate()
        .map(|(j, (e, m))| (e.clone(), if j == i { m - 1 } else { *m }))
        .filter(|(_, m)| *m > 0)
        .collect();
    let mut rest = had_of(others);
    if rest.0.is_empty() {
        rest = Chain(vec![Factor::Ones]);
    }
    let mut back = transpose_factors(path);
    back.extend(rest.0);
    let back = canon(back);
    let mut new = elements_of(Chain(vec![leaf.clone()]));
    new.push((back, 1));
    elements_of(had_of(new))
}

/// Merges adjacent diagonals and, when the piece ends in a column vector, takes every
/// `diag(v)·(vector tail)` into `v ∘ tail`.
fn canon_column(out: Vec<Factor>) -> Vec<Factor> {
    // Merge adjacent diags: diag(a)·diag(b) = diag(a∘b).
    let mut merged: Vec<Factor> = Vec::with_capacity(out.len());
    for f in out {
        if let (Some(Factor::Diag(a)), Factor::Diag(b)) = (merged.last(), &f) {
            let h = had_of(vec![((**a).clone(), 1), ((**b).clone(), 1)]);
            merged.pop();
            merged.push(Factor::Diag(Rc::new(h)));
            continue;
        }
        merged.push(f);
    }
    // diag(v)·(vector tail) = v ∘ tail, from the right.
    if merged.last().is_some_and(|f| factor_dims(f).1) {
        while let Some(i) = merged.iter().rposition(|f| matches!(f, Factor::Diag(_))) {
            let tail = Chain(merged.split_off(i + 1));
            let Some(Factor::Diag(d)) = merged.pop() else {
                break;
            };
            let h = had_of(vec![((*d).clone(), 1), (tail, 1)]);
            merged.extend(h.0);
        }
    }
    merged
}

/// How a term depends on the input (a symbol): what the decision sorts terms by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputDegree {
    /// A polynomial degree: 0 belongs to `b`, 1 to `W·x`, ≥ 2 is non-affine.
    Poly(u32),
    /// The input sits inside `|·|` or another element-wise atom: not affine.
    NonSmooth,
}

impl InputDegree {
    /// Degree 0 or 1: a term of `b` or of `W·x`.
    pub fn is_affine(self) -> bool {
        matches!(self, InputDegree::Poly(0 | 1))
    }
}

/// The input degree of a chain.
pub fn input_degree(c: &Chain, x: &Symbol) -> InputDegree {
    let mut d = 0u32;
    for f in c.factors() {
        match factor_input_degree(f, x) {
            InputDegree::NonSmooth => return InputDegree::NonSmooth,
            InputDegree::Poly(k) => d += k,
        }
    }
    InputDegree::Poly(d)
}

fn factor_input_degree(f: &Factor, x: &Symbol) -> InputDegree {
    match f {
        Factor::Sym(s) => InputDegree::Poly(u32::from(s == x)),
        Factor::Ones | Factor::Eye => InputDegree::Poly(0),
        Factor::Diag(c) | Factor::Tr(c) | Factor::Dot(c) => input_degree(c, x),
        Factor::Had(h) => {
            let mut d = 0;
            for (e, m) in h.elements() {
                match input_degree(e, x) {
                    InputDegree::NonSmooth => return InputDegree::NonSmooth,
                    InputDegree::Poly(k) => d += k * m,
                }
            }
            InputDegree::Poly(d)
        }
        Factor::Atom(a) => {
            if a.arg_symbols().contains(x) {
                InputDegree::NonSmooth
            } else {
                InputDegree::Poly(0)
            }
        }
    }
}

/// Work limits and ε-truncation for one computation.
#[derive(Debug)]
pub struct Trunc {
    /// Keep terms of ε-degree ≤ order; `None` keeps everything.
    pub order: Option<u32>,
    /// User symbols of ε-degree 1.
    pub small: BTreeSet<Name>,
    /// Raised when a sum would hold more terms than this ([`Stop::TooManyTerms`]).
    pub max_terms: usize,
    /// Past this instant the computation stops with [`Stop::OutOfTime`].
    pub deadline: Option<Instant>,
    /// Set when a term was dropped by truncation.
    pub truncated: Cell<bool>,
    /// Set from another thread (Ctrl-C) to stop the computation.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The ε-degree of each |δ| atom seen, by allocation: computing it scans δ's whole
    /// expression, and the same shared atom is met in term after term. The `Rc` kept
    /// with it holds the allocation, so its address is never reused for another atom.
    pub(crate) abs_degrees: AbsDegrees,
    /// At the order itself, keep only the terms that are not affine in this symbol (the
    /// input): a term of that degree can only be scaled by factors of degree 0, which hold no
    /// small symbol, so its input degree is final. The decision reads nothing else there.
    pub affine_top: Option<Symbol>,
    /// Products of two terms formed so far ([`Trunc::max_work`]).
    pub work: Cell<u64>,
    /// Raised when more products of two terms than this are formed ([`Stop::TooMuchWork`]).
    pub max_work: u64,
    /// Most bits a coefficient of a product may have (numerator and denominator, estimated
    /// from its factors' before they are multiplied): `max_coefficient_bits`. A chain of
    /// bindings `zᵢ₊₁ = zᵢ·zᵢ` doubled a literal's 664 000 bits eight times, and writing the
    /// 51-million-digit result took 42 s past a 20 s budget.
    pub max_bits: u64,
}

/// The cache behind [`Trunc::factor_degree`] for |δ| atoms (valid while `small` is unchanged).
#[derive(Debug, Default)]
pub(crate) struct AbsDegrees(RefCell<HashMap<*const ElemAtom, (Rc<ElemAtom>, u32)>>);

/// Why an algebra operation stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    TooManyTerms(usize),
    OutOfTime,
    Cancelled,
    /// An exponent or a coefficient beyond what exact arithmetic will build.
    TooLarge(String),
    /// More products of two terms than [`Trunc::max_work`] (an expansion formed only to be shown).
    TooMuchWork(u64),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::TooManyTerms(n) => write!(
                f,
                "the expansion has more than {n} terms (limit `max_terms`); lower the order"
            ),
            Stop::OutOfTime => write!(
                f,
                "the time budget of the statement ran out (limit `time_budget`)"
            ),
            Stop::Cancelled => write!(f, "cancelled"),
            Stop::TooLarge(why) => write!(f, "{why}"),
            Stop::TooMuchWork(n) => write!(
                f,
                "the expansion takes more than {n} products of terms (a hundred times the limit `max_shown_terms`)"
            ),
        }
    }
}

impl Trunc {
    /// No truncation and no ε: plain normalization.
    pub fn exact() -> Trunc {
        Trunc {
            order: None,
            small: BTreeSet::new(),
            max_terms: usize::MAX,
            max_bits: crate::algebra::scalar::MAX_POWER_BITS,
            deadline: None,
            truncated: Cell::new(false),
            cancel: None,
            abs_degrees: AbsDegrees::default(),
            affine_top: None,
            work: Cell::new(0),
            max_work: u64::MAX,
        }
    }

    /// The same limits, small symbols and budget, truncating at another order (`None`: none),
    /// keeping every term at it, with a new count of work.
    pub fn with_order(&self, order: Option<u32>) -> Trunc {
        Trunc {
            order,
            small: self.small.clone(),
            max_terms: self.max_terms,
            deadline: self.deadline,
            truncated: Cell::new(false),
            cancel: self.cancel.clone(),
            abs_degrees: AbsDegrees::default(),
            affine_top: None,
            work: Cell::new(0),
            max_work: self.max_work,
            max_bits: self.max_bits,
        }
    }

    /// The ε-degree of a symbol: 1 for a layer variable or a small user symbol, 0 for an
    /// operating point or any other user symbol.
    pub fn symbol_degree(&self, s: &Symbol) -> u32 {
        match s.role {
            Role::Layer => 1,
            Role::OpPoint => 0,
            Role::User => u32::from(self.small.contains(&s.name)),
        }
    }

    /// The ε-degree of one factor: a symbol's own, the sum over a chain or a Hadamard
    /// multiset (with multiplicities), |δ| that of δ's leading part, other element-wise atoms 0.
    pub fn factor_degree(&self, f: &Factor) -> u32 {
        match f {
            Factor::Sym(s) => self.symbol_degree(s),
            Factor::Ones | Factor::Eye => 0,
            Factor::Diag(c) | Factor::Tr(c) | Factor::Dot(c) => self.degree(c),
            // Saturating: a degree past u32::MAX is past every order, which is all that matters.
            Factor::Had(h) => h.0.iter().fold(0u32, |acc, (c, m)| {
                acc.saturating_add(m.saturating_mul(self.degree(c)))
            }),
            // |δ| has the degree of δ's leading part; other atoms sit at operating points.
            Factor::Atom(a) => {
                if a.is_bar() {
                    self.abs_degree(a)
                } else {
                    0
                }
            }
        }
    }

    /// The degree of |δ|, δ = `a.arg`: that of δ's leading part, computed once per atom.
    fn abs_degree(&self, a: &Rc<ElemAtom>) -> u32 {
        let key = Rc::as_ptr(a);
        if let Some((_, d)) = self.abs_degrees.0.borrow().get(&key) {
            return *d;
        }
        // Not borrowed while computing: δ may hold |·| atoms of its own.
        let d = self.min_degree(&a.arg).unwrap_or(0);
        self.abs_degrees
            .0
            .borrow_mut()
            .insert(key, (Rc::clone(a), d));
        d
    }

    /// The ε-degree of a chain.
    pub fn degree(&self, c: &Chain) -> u32 {
        c.0.iter()
            .fold(0u32, |acc, f| acc.saturating_add(self.factor_degree(f)))
    }

    /// The lowest ε-degree among the terms (`None` for zero).
    pub fn min_degree(&self, e: &Expr) -> Option<u32> {
        e.terms.keys().map(|c| self.degree(c)).min()
    }

    fn keeps(&self, degree: u32) -> bool {
        match self.order {
            Some(n) if degree > n => {
                self.truncated.set(true);
                false
            }
            _ => true,
        }
    }

    fn check(&self, e: &Expr) -> Result<(), Stop> {
        self.check_len(e.terms.len())
    }

    /// Like [`Trunc::check`], for a sum being built with `len` distinct terms so far.
    fn check_len(&self, len: usize) -> Result<(), Stop> {
        if len > self.max_terms {
            return Err(Stop::TooManyTerms(self.max_terms));
        }
        if let Some(d) = self.deadline
            && Instant::now() > d
        {
            return Err(Stop::OutOfTime);
        }
        if let Some(c) = &self.cancel
            && c.load(std::sync::atomic::Ordering::Relaxed)
        {
            return Err(Stop::Cancelled);
        }
        Ok(())
    }
}

/// A sum of terms `coefficient × chain`, canonical.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Expr {
    terms: BTreeMap<Chain, Scalar>,
}

impl Expr {
    /// The empty sum.
    pub fn zero() -> Expr {
        Expr::default()
    }
    /// A constant: `s` times the empty chain (zero gives the empty sum).
    pub fn scalar(s: Scalar) -> Expr {
        Expr::term(s, Chain::one())
    }
    /// One term `coef × chain` (nothing when `coef` is zero).
    pub fn term(coef: Scalar, chain: Chain) -> Expr {
        let mut e = Expr::zero();
        e.add_term(chain, coef);
        e
    }
    /// One factor with coefficient 1.
    pub fn factor(f: Factor) -> Expr {
        Expr::term(Scalar::one(), Chain::single(f))
    }
    /// A symbol with coefficient 1.
    pub fn symbol(s: Symbol) -> Expr {
        Expr::factor(Factor::Sym(s))
    }
    /// The Hadamard product of vector symbols `w₁∘w₂∘…`, in canonical form at once
    /// (untruncated; see [`Expr::product_of_symbols`]).
    pub fn hadamard_of_symbols(syms: Vec<Symbol>) -> Expr {
        let elements = syms
            .into_iter()
            .map(|s| (Chain::single(Factor::Sym(s)), 1))
            .collect();
        Expr::term(Scalar::one(), had_of(elements))
    }
    /// The product of symbols `W₁·W₂·…`, in canonical form at once: a left fold of
    /// [`Expr::mul`] puts every prefix in canonical form, quadratic in the length (from a
    /// review: 2 500 factors took 1.4 s, 20 000 the whole budget).
    pub fn product_of_symbols(syms: Vec<Symbol>) -> Expr {
        if syms.is_empty() {
            return Expr::scalar(Scalar::one());
        }
        Expr::term(
            Scalar::one(),
            canon(syms.into_iter().map(Factor::Sym).collect()),
        )
    }
    /// The all-ones vector `𝟙`.
    pub fn ones() -> Expr {
        Expr::factor(Factor::Ones)
    }
    /// The all-ones value of a kind: `𝟙·𝟙ᵀ` for a matrix (the unit of its Hadamard
    /// product, and `f(0)/f(0)` of an element-wise function of a matrix), else `𝟙`.
    pub fn ones_of(kind: Kind) -> Expr {
        if kind == Kind::Matrix {
            Expr::term(Scalar::one(), Chain::ones_matrix())
        } else {
            Expr::ones()
        }
    }

    /// The terms `chain ↦ coefficient`, in canonical chain order.
    pub fn terms(&self) -> impl DoubleEndedIterator<Item = (&Chain, &Scalar)> + ExactSizeIterator {
        self.terms.iter()
    }
    /// How many terms and factors the expression has written out, counting an element-wise
    /// atom's argument at every use (atoms are shared, so the written form of a deep kinked
    /// network grows exponentially while the expression stays small); `None` past `cap`.
    /// Costs at most `cap` steps, so a printer can ask before it writes.
    pub fn written_size(&self, cap: usize) -> Option<usize> {
        fn expr(e: &Expr, n: &mut usize, cap: usize) -> bool {
            e.terms.keys().all(|c| {
                *n += 1;
                *n <= cap && chain(c, n, cap)
            })
        }
        fn chain(c: &Chain, n: &mut usize, cap: usize) -> bool {
            c.0.iter().all(|f| {
                *n += 1;
                *n <= cap
                    && match f {
                        Factor::Diag(c) | Factor::Tr(c) | Factor::Dot(c) => chain(c, n, cap),
                        Factor::Had(h) => h.0.iter().all(|(c, _)| chain(c, n, cap)),
                        Factor::Atom(a) => expr(&a.arg, n, cap),
                        Factor::Sym(_) | Factor::Ones | Factor::Eye => true,
                    }
            })
        }
        let mut n = 0;
        expr(self, &mut n, cap).then_some(n)
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }
    /// True for the empty sum (the same as [`Expr::is_zero`]; for `len`'s companion lint).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
    /// True for zero: the canonical form has no zero terms, so zero is the empty sum.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }
    /// The kind of the terms (`None` for zero).
    pub fn kind(&self) -> Option<Kind> {
        self.terms.keys().next().map(|c| c.kind())
    }
    /// The value when the expression is a scalar (zero included).
    pub fn as_scalar(&self) -> Option<Scalar> {
        match self.terms.len() {
            0 => Some(Scalar::zero()),
            1 => self.terms.get(&Chain::one()).cloned(),
            _ => None,
        }
    }

    /// Adds `coef × chain`, merging with a like term and removing it when the sum cancels.
    pub fn add_term(&mut self, chain: Chain, coef: Scalar) {
        use std::collections::btree_map::Entry;
        if coef.is_zero() {
            return;
        }
        match self.terms.entry(chain) {
            Entry::Vacant(v) => {
                v.insert(coef);
            }
            Entry::Occupied(mut o) => {
                o.get_mut().add_assign(&coef);
                if o.get().is_zero() {
                    o.remove();
                }
            }
        }
    }

    /// The sum, merging like terms.
    pub fn add(&self, other: &Expr) -> Expr {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }
    /// Adds `other` in place.
    pub fn add_assign(&mut self, other: &Expr) {
        for (c, s) in &other.terms {
            self.add_term(c.clone(), s.clone());
        }
    }
    /// The negation (every coefficient times −1).
    pub fn neg(&self) -> Expr {
        self.scale(&Scalar::from_int(-1))
    }
    /// The difference.
    pub fn sub(&self, other: &Expr) -> Expr {
        self.add(&other.neg())
    }
    /// Every coefficient times the scalar `s` (terms whose product is zero vanish).
    pub fn scale(&self, s: &Scalar) -> Expr {
        let mut out = Expr::zero();
        for (c, k) in &self.terms {
            out.add_term(c.clone(), k.mul(s));
        }
        out
    }
    /// Every coefficient times the rational `q`.
    pub fn scale_q(&self, q: &Q) -> Expr {
        self.scale(&Scalar::from_q(q.clone()))
    }

    /// The matrix product (or scaling), truncated at the order of `t`.
    pub fn mul(&self, other: &Expr, t: &Trunc) -> Result<Expr, Stop> {
        self.pairwise(other, t, |a, b| a.concat(b))
    }

    /// The largest exponent of an element-wise power in any term (1 for a plain term).
    fn max_had_exponent(&self) -> u32 {
        self.terms
            .keys()
            .map(|c| match c.0.as_slice() {
                [Factor::Had(h)] => h.0.iter().map(|(_, m)| *m).max().unwrap_or(1),
                _ => 1,
            })
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// The Hadamard (element-wise) product, truncated at the order of `t`; fails when an
    /// element-wise exponent would pass `MAX_HAD_EXPONENT`.
    pub fn had(&self, other: &Expr, t: &Trunc) -> Result<Expr, Stop> {
        // Exponents add (`c^∘a ∘ c^∘b = c^∘(a+b)`): checked, so they never wrap around.
        let (a, b) = (self.max_had_exponent(), other.max_had_exponent());
        if a.checked_add(b).is_none_or(|e| e > MAX_HAD_EXPONENT) {
            return Err(Stop::TooLarge(format!(
                "the element-wise power {a}+{b} exceeds {MAX_HAD_EXPONENT}"
            )));
        }
        self.pairwise(other, t, |a, b| {
            // A 1×1 factor scales: (xᵀ·y)∘v is (xᵀ·y)·v.
            if a.kind() == Kind::Scalar || b.kind() == Kind::Scalar {
                a.concat(b)
            } else {
                had_of(vec![(a.clone(), 1), (b.clone(), 1)])
            }
        })?
        .reduce_abs_powers(t)
    }

    /// Multiplies every pair of terms whose degrees stay within the order; `join` combines the chains.
    fn pairwise(
        &self,
        other: &Expr,
        t: &Trunc,
        join: impl Fn(&Chain, &Chain) -> Chain,
    ) -> Result<Expr, Stop> {
        // Lowest degree first (stable: equal degrees keep their order), so the pairs within the
        // order are a prefix: a truncated product of two long sums (a deep layer's δ and its
        // powers) visits only the pairs it keeps instead of every pair.
        let mut right: Vec<(u32, &Chain, &Scalar)> = other
            .terms
            .iter()
            .map(|(c, s)| (t.degree(c), c, s))
            .collect();
        right.sort_by_key(|(d, _, _)| *d);
        // The coefficient pairs of each product chain, summed once at the end
        // (`Scalar::sum_of_products`: one reduction per monomial instead of one per term).
        let mut groups: BTreeMap<Chain, Vec<(&Scalar, &Scalar)>> = BTreeMap::new();
        // A coefficient's bits add up in a product: a pair is refused before it is multiplied
        // when the estimate passes the limit.
        let right_bits: Vec<u64> = right.iter().map(|(_, _, s)| s.max_bits()).collect();
        for (ca, sa) in &self.terms {
            let da = t.degree(ca);
            let bits_a = sa.max_bits();
            let kept = match t.order {
                Some(n) => right.partition_point(|(db, _, _)| da.saturating_add(*db) <= n),
                None => right.len(),
            };
            if kept < right.len() {
                t.truncated.set(true);
            }
            let work = t.work.get().saturating_add(kept as u64);
            t.work.set(work);
            if work > t.max_work {
                return Err(Stop::TooMuchWork(t.max_work));
            }
            for ((db, cb, sb), bits_b) in right[..kept].iter().zip(&right_bits) {
                let bits = bits_a.saturating_add(*bits_b);
                if bits > t.max_bits {
                    return Err(Stop::TooLarge(format!(
                        "a product of coefficients would have about {bits} bits; the limit is {} bits (`max_coefficient_bits`)",
                        t.max_bits
                    )));
                }
                let chain = join(ca, cb);
                if let Some(x) = &t.affine_top
                    && Some(da.saturating_add(*db)) == t.order
                    && input_degree(&chain, x).is_affine()
                {
                    continue;
                }
                groups.entry(chain).or_default().push((sa, *sb));
            }
            t.check_len(groups.len())?;
        }
        let terms = groups
            .into_iter()
            .map(|(c, pairs)| (c, Scalar::sum_of_products(pairs.into_iter())))
            .filter(|(_, s)| !s.is_zero())
            .collect();
        Ok(Expr { terms })
    }

    /// The element-wise power `self^∘k`, truncated (`k = 0` gives 𝟙).
    pub fn had_pow(&self, k: u32, t: &Trunc) -> Result<Expr, Stop> {
        if k == 0 {
            return Ok(Expr::ones());
        }
        // Exponents multiply (`(c^∘a)^∘k = c^∘(a·k)`): checked, so they never wrap around.
        let largest = self.max_had_exponent();
        if largest.checked_mul(k).is_none_or(|e| e > MAX_HAD_EXPONENT) {
            return Err(Stop::TooLarge(format!(
                "the element-wise power {largest}·{k} exceeds {MAX_HAD_EXPONENT}"
            )));
        }
        // 1×1 factors are repeated k times in the product (there is no power of a Dot).
        if k > 4096
            && self
                .terms
                .keys()
                .any(|c| matches!(c.0.first(), Some(Factor::Dot(_))))
        {
            return Err(Stop::TooLarge(format!(
                "the element-wise power {k} of a product with a 1×1 factor exceeds 4096"
            )));
        }
        // A single term: the power is one product.
        if self.terms.len() == 1
            && let Some((c, s)) = self.terms.iter().next()
        {
            if !t.keeps(k.saturating_mul(t.degree(c))) {
                return Ok(Expr::zero());
            }
            let coef = s
                .pow(&Q::from(k))
                .map_err(|e| Stop::TooLarge(e.to_string()))?;
            let chain = if c.is_scalar() {
                Chain::one()
            } else {
                had_of(vec![(c.clone(), k)])
            };
            return Expr::term(coef, chain).reduce_abs_powers(t);
        }
        let mut out = self.clone();
        for _ in 1..k {
            out = out.had(self, t)?;
        }
        Ok(out)
    }

    /// `diag(v)`, linear in `v`.
    pub fn diag(&self) -> Expr {
        let mut out = Expr::zero();
        for (c, s) in &self.terms {
            if c.0.as_slice() == [Factor::Ones] {
                out.add_term(Chain(vec![Factor::Eye]), s.clone());
            } else {
                out.add_term(canon(vec![Factor::Diag(Rc::new(c.clone()))]), s.clone());
            }
        }
        out
    }

    /// The transpose, term by term: `(A·B)ᵀ = Bᵀ·Aᵀ`, `(Aᵀ)ᵀ = A`, and a 1×1 term is its own.
    pub fn transpose(&self) -> Expr {
        let mut out = Expr::zero();
        for (c, s) in &self.terms {
            out.add_term(c.transpose(), s.clone());
        }
        out
    }

    /// An element-wise atom `func⁽ᵈᵉʳⁱᵛ⁾(self)` as a one-term expression.
    pub fn atom(func: &str, deriv: u32, arg: Expr) -> Expr {
        Expr::call_atom(func, deriv, arg, Vec::new())
    }

    /// An element-wise atom of a call with parameter values: `swish′(c; β = 2)`.
    pub fn call_atom(func: &str, deriv: u32, arg: Expr, params: Vec<(Name, Scalar)>) -> Expr {
        Expr::factor(Factor::Atom(Rc::new(ElemAtom::new(
            Rc::from(func),
            deriv,
            arg,
            params,
        ))))
    }

    /// `|self|`, canonical: `|λ·v| = |λ|·|v|` and `|−3u − 3v| = 3·|u + v|` (the content and sign
    /// of the first coefficient come out), and no bars at all on what is never negative
    /// (`|(W·x)^∘2| = (W·x)^∘2`, `|𝟙| = 𝟙`).
    pub fn abs(&self) -> Expr {
        self.abs_pivoted(self.terms.values().next())
    }

    /// `|self|` normalized on its leading (lowest ε-degree) part: `|u₂ − (1/48)·W₂·u₁^∘3|`
    /// rather than `48·|(1/48)·u₂ − …|`.
    pub fn abs_graded(&self, t: &Trunc) -> Expr {
        if let Some(factored) = self.abs_factored(t) {
            return factored;
        }
        let lowest = t.min_degree(self);
        let pivot = self
            .terms
            .iter()
            .find(|(c, _)| Some(t.degree(c)) == lowest)
            .map(|(_, s)| s);
        self.abs_pivoted(pivot)
    }

    fn abs_pivoted(&self, pivot: Option<&Scalar>) -> Expr {
        if self.is_zero() {
            return Expr::zero();
        }
        if let Some(s) = self.as_scalar() {
            return Expr::scalar(s.abs());
        }
        // Pull out the pivot coefficient's size: |q·(v + …)| = |q|·|v + …|.
        let Some(first) = pivot else {
            return Expr::zero();
        };
        let (outside, inner) = if self.terms.len() == 1 {
            (
                first.abs(),
                Expr::term(
                    Scalar::one(),
                    self.terms.keys().next().cloned().unwrap_or_default(),
                ),
            )
        } else {
            match first.as_q() {
                Some(q) => {
                    let q = q.clone();
                    let size = Scalar::from_q(malachite_base::num::arithmetic::traits::Abs::abs(
                        q.clone(),
                    ));
                    let inv = Q::from(1) / q;
                    (size, self.scale_q(&inv))
                }
                None => match self.rational_multiple_of(first) {
                    // Every coefficient a rational multiple of one product of parameters:
                    // |λ·u + λ·|u|| = |λ|·|u + |u||, and the rules below see u + |u| ≥ 0.
                    Some(inner) => (first.abs(), inner),
                    // A product of parameters every coefficient holds comes out: |½·λ²·u +
                    // ½·λ·|λ|·|u|| = |λ|·|½·λ·u + ½·|λ|·|u||, whose bars the rules below take off.
                    None if let Some(g) = Scalar::common_monomial(self.terms().map(|(_, s)| s))
                        && let Ok(inv) = g.inverse() =>
                    {
                        let mut inner = Expr::zero();
                        for (c, s) in self.terms() {
                            inner.add_term(c.clone(), s.mul(&inv));
                        }
                        return inner.abs().scale(&g.abs());
                    }
                    None => {
                        // A symbolic first coefficient: only make the leading rational positive.
                        let flip = first.terms().next().is_some_and(|(_, c)| *c < 0u32);
                        (Scalar::one(), if flip { self.neg() } else { self.clone() })
                    }
                },
            }
        };
        if inner.is_nonnegative() {
            return inner.scale(&outside);
        }
        let negated = inner.neg();
        if negated.is_nonnegative() {
            return negated.scale(&outside);
        }
        if let Some(split) = abs_of_product(&inner) {
            return split.scale(&outside);
        }
        if let Some(split) = abs_of_a_positive_factor(&inner) {
            return split.scale(&outside);
        }
        if let Some(split) = abs_of_a_multiple_and_its_bar(&inner) {
            return split.scale(&outside);
        }
        if let Some(split) = abs_of_a_term_and_its_bar(&inner) {
            return split.scale(&outside);
        }
        Expr::atom("abs", 0, inner).scale(&outside)
    }

    /// `self / g` when every coefficient of `self` is a rational multiple of `g` (so `self =
    /// g·(self / g)` for every value of the parameters, g = 0 included), read off by the
    /// coefficients of g's first monomial and checked term by term.
    fn rational_multiple_of(&self, g: &Scalar) -> Option<Expr> {
        let mut out = Expr::zero();
        for (c, s) in self.terms() {
            out.add_term(c.clone(), Scalar::from_q(rational_ratio(s, g)?));
        }
        Some(out)
    }

    /// `|L∘q| = |L|∘q` for `self = c·L∘q`, where `L` is the one term of the lowest ε-degree and
    /// `q = 𝟙 + (terms of higher degree)`, every other term holding `L` as a Hadamard factor:
    /// for small ε the entries of `q` are positive. So `|u − ⅙·u^∘3| = |u| − ⅙·u^∘2∘|u|`, and
    /// `relu(sin(u)) − relu(u)` is seen to start at ε³ rather than as two kinks at ε¹. The
    /// identity holds only for small ε, so the result is marked as cut (`Trunc::truncated`):
    /// never "exactly affine" on its account.
    pub(crate) fn abs_factored(&self, t: &Trunc) -> Option<Expr> {
        if self.len() < 2 {
            return None;
        }
        let lowest = t.min_degree(self)?;
        let lead = self.degree_part(lowest, t);
        // The lead's coefficient a rational or one product of parameters (|λ·u − ⅓·λ·u^∘3| =
        // |λ|·(|u| − ⅓·u^∘2∘|u|) for every λ, 0 included).
        let (l, c) = match lead.terms().collect::<Vec<_>>().as_slice() {
            [(l, c)] if c.as_monomial().is_some() => ((*l).clone(), (*c).clone()),
            // A sum (λ² + 1) that every coefficient is a rational multiple of comes out first:
            // |(λ² + 1)·(u − ⅓·u^∘3)| = |λ² + 1|·|u − ⅓·u^∘3| (from a review).
            [(_, c)] => {
                let inner = self.rational_multiple_of(c)?;
                return inner.abs_factored(t).map(|e| e.scale(&c.abs()));
            }
            // A scalar every coefficient is a rational multiple of comes out first, as above:
            // |λ·(w + ½·|w|) + …| = |λ|·|w + ½·|w| + …| (from a review: b = ½·λ beside k = λ
            // is no rational multiple of |k|).
            [(_, c), ..] if c.to_q().is_none() => {
                if let Some(inner) = self.rational_multiple_of(c) {
                    return inner.abs_factored(t).map(|e| e.scale(&c.abs()));
                }
                return self.abs_led_by_a_pair(&lead, t);
            }
            _ => return self.abs_led_by_a_pair(&lead, t),
        };
        if !split_dots(&l).0.is_empty() || l.0.is_empty() {
            return None;
        }
        let unit = Chain(match self.kind()? {
            Kind::Vector => vec![Factor::Ones],
            Kind::Matrix => Chain::ones_matrix().0,
            _ => return None,
        });
        let inv = c.inverse().ok()?;
        let mut q = Expr::zero();
        for (chain, s) in self.terms() {
            let (dots, rest) = split_dots(chain);
            let mut left: BTreeMap<Chain, u32> = rest.had_elements().into_iter().collect();
            for (e, k) in l.had_elements() {
                let have = left.get_mut(&e)?;
                *have = have.checked_sub(k)?;
            }
            let mut elements: Vec<(Chain, u32)> =
                left.into_iter().filter(|(_, k)| *k > 0).collect();
            elements.push((unit.clone(), 1));
            elements.push((Chain(dots), 1));
            q.add_term(had_of(elements), s.mul(&inv));
        }
        let out = Expr::term(c.abs(), l).abs().had(&q, &Trunc::exact()).ok()?;
        t.truncated.set(true);
        Some(out)
    }

    /// `|L + h|` for small ε where the lead is a pair `L = k·w + b·|w|` (b = t·|k|, t a
    /// rational, |t| < 1; w a chain whose bar is one chain: u, or tanh(c₁)∘u) and every term of h
    /// holds each element of w whose sign is not 1 by its form (or its bar) as a Hadamard
    /// factor: L has the sign of k·w and is at least (|k| − |b|)·|w| in size, h is |w| times
    /// terms of positive degree, so for small ε the whole has L's sign: `|L| +
    /// sign(k)·sign(w)∘h`, where sign(w) turns one factor e of a term into |e|, or one |e| into
    /// e, for each such element. So `|tanh(u) + ½·|tanh(u)|| − |tanh(u)|` is ½·tanh(u), affine
    /// to O(ε³), not a kink at ε¹ (from two reviews, also with tanh(c₁)∘tanh(u) for tanh(u)).
    /// Marked as cut, as [`Expr::abs_factored`] is.
    fn abs_led_by_a_pair(&self, lead: &Expr, t: &Trunc) -> Option<Expr> {
        use malachite_base::num::arithmetic::traits::Abs;
        let terms: Vec<(&Chain, &Scalar)> = lead.terms().collect();
        let [(c1, s1), (c2, s2)] = terms.as_slice() else {
            return None;
        };
        // Which of the two is the bar of the other (|u|, or |tanh(c₁)|∘|u| for tanh(c₁)∘u).
        let ((w, k), b) = if bar_chain(c1).as_ref() == Some(*c2) {
            ((*c1, *s1), *s2)
        } else if bar_chain(c2).as_ref() == Some(*c1) {
            ((*c2, *s2), *s1)
        } else {
            return None;
        };
        // b = t·|k| with t a rational, |t| < 1 (k a rational, or any scalar: λ·u + ½·|λ|·|u|).
        let size_of_k = k.abs();
        let t_ratio = ratio_to_size(b, &size_of_k)?;
        if k.is_zero() || t_ratio.abs() >= 1u32 || !split_dots(w).0.is_empty() {
            return None;
        }
        // sign(k)·s for a coefficient s of h: by k's sign where k is a rational; otherwise s
        // must be a rational multiple of k (then it is that multiple of |k|) or of |k| (then of
        // k), as where k's factor runs through the whole argument (λ·tanh(u)).
        let signed = |s: &Scalar| -> Option<Scalar> {
            if let Some(q) = k.to_q() {
                return Some(if q > 0u32 { s.clone() } else { s.neg() });
            }
            if let Some(q) = rational_ratio(s, k) {
                return Some(size_of_k.scale(&q));
            }
            let q = rational_ratio(s, &size_of_k)?;
            Some(k.scale(&q))
        };
        // sign(w): each element of odd power that is not ≥ 0 by its form, with its bar.
        let mut flips: Vec<(Chain, Chain)> = Vec::new();
        for (e, m) in w.had_elements() {
            let positive = match e.0.as_slice() {
                [Factor::Atom(a)] => a.is_bar() || a.is_positive_by_form(),
                _ => false,
            };
            if m % 2 == 1 && !positive {
                let bar = bar_chain(&e)?;
                flips.push((e, bar));
            }
        }
        let size =
            abs_of_a_term_and_its_bar(lead).or_else(|| abs_of_a_multiple_and_its_bar(lead))?;
        let mut out = size;
        for (chain, s) in self.terms() {
            if lead.terms.contains_key(chain) {
                if lead.terms.get(chain) != Some(s) {
                    return None;
                }
                continue;
            }
            let (dots, rest) = split_dots(chain);
            let mut elements: BTreeMap<Chain, u32> = rest.had_elements().into_iter().collect();
            for (e, bar) in &flips {
                let (from, to) = if elements.get(bar).is_some_and(|m| *m > 0) {
                    (bar, e)
                } else if elements.get(e).is_some_and(|m| *m > 0) {
                    (e, bar)
                } else {
                    return None;
                };
                if let Some(m) = elements.get_mut(from) {
                    *m -= 1;
                }
                *elements.entry(to.clone()).or_insert(0) += 1;
            }
            let mut elements: Vec<(Chain, u32)> =
                elements.into_iter().filter(|(_, m)| *m > 0).collect();
            elements.push((Chain(dots), 1));
            out.add_term(had_of(elements), signed(s)?);
            // With nothing past the lead the pair's identity is exact.
            t.truncated.set(true);
        }
        Some(out)
    }

    /// True when every entry is ≥ 0 whatever the symbols: a sum of positive rational multiples
    /// of even Hadamard powers, of `|·|` and of `𝟙`, where a bar `d·|v|` (d > 0) may also take
    /// along any `k·v` with `|k| ≤ d`, since `|v| ≥ ±v`: `x + |x|` (twice `relu(x)`) and
    /// `2·|x| − x` are never negative, so `relu(relu(x)) = relu(x)`. A certificate, not a
    /// decision: a sum it cannot split this way counts as not known to be ≥ 0.
    pub fn is_nonnegative(&self) -> bool {
        fn chain_nonneg(c: &Chain) -> bool {
            match c.0.as_slice() {
                [] | [Factor::Ones] => true,
                _ if c.is_ones_matrix() => true,
                [Factor::Atom(a)] => a.is_bar() || a.is_positive_by_form(),
                [Factor::Had(h)] => h.0.iter().all(|(e, m)| m % 2 == 0 || chain_nonneg(e)),
                _ => false,
            }
        }
        // A positive rational, or one product ≥ 0 by its form (½·|λ|, λ², exp(λ)).
        let positive = |s: &Scalar| s.as_monomial().is_some() && s.nonnegative_by_form();
        if self.terms.is_empty() {
            return false;
        }
        // The terms ≥ 0 on their own (bars among them), and the rest the bars must cover.
        let mut rest = Expr::zero();
        let mut bars: Vec<(&Expr, &Scalar)> = Vec::new();
        let has_bars = self.terms.keys().any(|c| {
            c.had_elements()
                .iter()
                .any(|(e, _)| matches!(e.0.as_slice(), [Factor::Atom(a)] if a.is_bar()))
        });
        for (c, s) in &self.terms {
            if positive(s) && chain_nonneg(c) {
                if let [Factor::Atom(a)] = c.0.as_slice()
                    && a.is_bar()
                    && a.params.is_empty()
                {
                    bars.push((&a.arg, s));
                }
            } else {
                rest.add_term(c.clone(), s.clone());
            }
        }
        if rest.is_zero() {
            return true;
        }
        // Each bar covers at most one multiple of its argument, found by the rest's
        // coefficient on the argument's first term: d·|v| + k·v ≥ 0 for |k| ≤ d, also where
        // d = t·|k| by their forms, t ≥ 1 rational (½·|λ|·|u| covers ½·λ·u, so relu(λ·u) ≥ 0).
        for (v, d) in bars {
            let Some((first, s)) = v.terms().next() else {
                continue;
            };
            let Some(r) = rest.terms.get(first) else {
                continue;
            };
            let Ok(k) = r.div(s) else {
                continue;
            };
            let covered = match (k.as_q(), d.as_q()) {
                (Some(k), Some(d)) => {
                    malachite_base::num::arithmetic::traits::Abs::abs(k.clone()) <= *d
                }
                _ => d
                    .div(&k.abs())
                    .ok()
                    .and_then(|t| t.to_q())
                    .is_some_and(|t| t >= 1u32),
            };
            if covered {
                rest = rest.sub(&v.scale(&k));
            }
        }
        rest.is_zero()
            || rest
                .terms
                .iter()
                .all(|(c, s)| positive(s) && chain_nonneg(c))
            || (!has_bars && self.is_gram_nonnegative())
    }

    /// True when `self`, read entry by entry as a polynomial in its Hadamard elements (each
    /// distinct element a real variable, `𝟙` the unit), is a sum of squares by a Gram
    /// matrix G ⪰ 0: self = Σ G_ij·h_i·h_j over the half monomials h (those whose squares
    /// are terms with positive coefficients), each term reached by one product h_i·h_j only,
    /// so that G is the only one over them, and G positive semidefinite by an exact LDLᵀ.
    /// `(W₁·x)^∘2 + 2·(W₁·x)∘b₁ + b₁^∘2` is `(W₁·x + b₁)^∘2` (from a review, which found
    /// `relu(−(W₁·x + b₁)^∘2)` called degenerate: it is 0). A certificate: treating elements
    /// as free variables only widens what must be ≥ 0. A term reached by several products
    /// (`(a + b)^∘4`) or a coefficient that is not a rational leaves it unknown.
    fn is_gram_nonnegative(&self) -> bool {
        /// Terms past this many have a Gram matrix too large to try.
        const MAX_TERMS: usize = 64;
        let n_terms = self.terms.len();
        if !(2..=MAX_TERMS).contains(&n_terms) {
            return false;
        }
        let mut poly: BTreeMap<ElementMono, Q> = BTreeMap::new();
        for (c, s) in &self.terms {
            let Some(q) = s.as_q() else {
                return false;
            };
            let mut m = ElementMono::new();
            for (e, k) in c.had_elements() {
                let unit = e.0.is_empty() || e.0 == [Factor::Ones] || e.is_ones_matrix();
                if !unit {
                    *m.entry(e).or_insert(0) += k;
                }
            }
            *poly.entry(m).or_insert_with(|| Q::from(0)) += q;
        }
        poly.retain(|_, q| *q != 0u32);
        poly_nonnegative(&poly, 2)
    }

    /// Rewrites `|a|^∘m` inside Hadamard products as `a^∘(m − m mod 2) ∘ |a|^∘(m mod 2)`:
    /// `|u|∘|u| = u^∘2`, so `relu(v)∘relu(−v)` is 0.
    fn reduce_abs_powers(self, t: &Trunc) -> Result<Expr, Stop> {
        let squared_abs = |c: &Chain| match c.0.as_slice() {
            [Factor::Had(h)] => h
                .0
                .iter()
                .any(|(e, m)| *m >= 2 && matches!(e.0.as_slice(), [Factor::Atom(a)] if a.is_bar())),
            _ => false,
        };
        if !self.terms.keys().any(squared_abs) {
            return Ok(self);
        }
        let mut out = Expr::zero();
        for (c, s) in self.terms {
            if !squared_abs(&c) {
                out.add_term(c, s);
                continue;
            }
            let [Factor::Had(h)] = c.0.as_slice() else {
                out.add_term(c, s);
                continue;
            };
            let mut rest: Vec<(Chain, u32)> = Vec::new();
            let mut acc = Expr::scalar(s);
            for (e, m) in &h.0 {
                match e.0.as_slice() {
                    [Factor::Atom(a)] if a.is_bar() && *m >= 2 => {
                        let even = a.arg.had_pow(m - m % 2, t)?;
                        acc = acc.had(&even, t)?;
                        if m % 2 == 1 {
                            rest.push((e.clone(), 1));
                        }
                    }
                    _ => rest.push((e.clone(), *m)),
                }
            }
            let others = Expr::term(Scalar::one(), had_of(rest));
            out.add_assign(&acc.had(&others, t)?);
        }
        Ok(out)
    }

    /// Terms grouped by ε-degree.
    pub fn by_degree(&self, t: &Trunc) -> BTreeMap<u32, Expr> {
        let mut out: BTreeMap<u32, Expr> = BTreeMap::new();
        for (c, s) in &self.terms {
            out.entry(t.degree(c))
                .or_default()
                .add_term(c.clone(), s.clone());
        }
        out
    }

    /// The terms of exactly this ε-degree.
    pub fn degree_part(&self, d: u32, t: &Trunc) -> Expr {
        self.filter(|c, _| t.degree(c) == d)
    }

    /// The terms for which `keep` holds, coefficients unchanged.
    pub fn filter(&self, keep: impl Fn(&Chain, &Scalar) -> bool) -> Expr {
        Expr {
            terms: self
                .terms
                .iter()
                .filter(|(c, s)| keep(c, s))
                .map(|(c, s)| (c.clone(), s.clone()))
                .collect(),
        }
    }

    /// Maps every coefficient (terms that become zero vanish).
    pub fn map_coefficients<E>(
        &self,
        mut f: impl FnMut(&Scalar) -> Result<Scalar, E>,
    ) -> Result<Expr, E> {
        let mut out = Expr::zero();
        for (c, s) in &self.terms {
            out.add_term(c.clone(), f(s)?);
        }
        Ok(out)
    }

    /// Replaces symbols (`u₁ ↦ W₁·x + b₁`) everywhere, truncating as it multiplies.
    pub fn substitute(&self, f: &dyn Fn(&Symbol) -> Option<Expr>, t: &Trunc) -> Result<Expr, Stop> {
        self.substitute_within(f, t, t)
    }

    /// Like [`Expr::substitute`], with the sums and products truncated by `t` but the
    /// arguments of element-wise atoms by `atoms`: cutting an expansion lower than it was
    /// made must not change what |δ| holds, which is all of δ to the expansion's order.
    pub fn substitute_within(
        &self,
        f: &dyn Fn(&Symbol) -> Option<Expr>,
        t: &Trunc,
        atoms: &Trunc,
    ) -> Result<Expr, Stop> {
        let mut out = Expr::zero();
        let mut powers = Powers::default();
        for (c, s) in &self.terms {
            let mut acc = Expr::scalar(s.clone());
            // Symbols left as they are join the product in one canonical step: one at a time,
            // each prefix of a chain of n factors is put in canonical form again, n² in all
            // (from a review: a product of 2 500 matrices took 1.4 s).
            let mut kept: Vec<Factor> = Vec::new();
            for factor in &c.0 {
                let piece = match factor {
                    Factor::Sym(sym) => match f(sym) {
                        None => {
                            kept.push(factor.clone());
                            continue;
                        }
                        Some(e) => e,
                    },
                    _ => substitute_factor(factor, f, (t, atoms), &mut powers)?,
                };
                if !kept.is_empty() {
                    let run = Expr::term(Scalar::one(), canon(std::mem::take(&mut kept)));
                    acc = acc.mul(&run, t)?;
                }
                acc = acc.mul(&piece, t)?;
                if acc.is_zero() {
                    kept.clear();
                    break;
                }
            }
            if !kept.is_empty() {
                acc = acc.mul(&Expr::term(Scalar::one(), canon(kept)), t)?;
            }
            out.add_assign(&acc);
            t.check(&out)?;
        }
        Ok(out)
    }

    /// Every symbol that occurs, atoms' arguments included.
    pub fn symbols(&self) -> BTreeSet<Symbol> {
        let mut out = BTreeSet::new();
        let mut seen = HashSet::new();
        expr_symbols(self, &mut out, &mut seen);
        out
    }

    /// Every scalar parameter in the coefficients, and in those of the atoms' arguments.
    pub fn params(&self) -> BTreeSet<Name> {
        let mut out = BTreeSet::new();
        expr_params(self, &mut out, &mut HashSet::new());
        out
    }
}

/// Each shared atom walked once (from a review: `net(relu, 28)` walked its atoms' arguments,
/// each holding the layer before it, as a tree, and took 18 s past a 1 s budget).
fn expr_params(e: &Expr, out: &mut BTreeSet<Name>, seen: &mut HashSet<*const ()>) {
    for (c, s) in &e.terms {
        out.extend(s.params());
        for f in &c.0 {
            if let Factor::Atom(a) = f
                && seen.insert(Rc::as_ptr(a).cast())
            {
                expr_params(&a.arg, out, seen);
            }
        }
    }
}

fn expr_symbols(e: &Expr, out: &mut BTreeSet<Symbol>, seen: &mut HashSet<*const ()>) {
    for c in e.terms.keys() {
        chain_symbols(c, out, seen);
    }
}

/// Walks a chain once per shared node: the layers of a deep network share their atoms and
/// diagonals (`Rc`), and the arguments of a piecewise layer's atoms hold the layer before it,
/// so a walk that revisits shared nodes doubles with every layer.
fn chain_symbols(c: &Chain, out: &mut BTreeSet<Symbol>, seen: &mut HashSet<*const ()>) {
    for f in &c.0 {
        match f {
            Factor::Sym(s) => {
                out.insert(s.clone());
            }
            Factor::Diag(d) | Factor::Tr(d) | Factor::Dot(d) => {
                if seen.insert(Rc::as_ptr(d).cast()) {
                    chain_symbols(d, out, seen);
                }
            }
            Factor::Had(h) => {
                if seen.insert(Rc::as_ptr(h).cast()) {
                    for (e, _) in &h.0 {
                        chain_symbols(e, out, seen);
                    }
                }
            }
            Factor::Atom(a) => {
                if seen.insert(Rc::as_ptr(a).cast()) {
                    out.extend(a.arg_symbols().iter().cloned());
                }
            }
            Factor::Ones | Factor::Eye => {}
        }
    }
}

fn substitute_chain(
    c: &Chain,
    f: &dyn Fn(&Symbol) -> Option<Expr>,
    (t, atoms): (&Trunc, &Trunc),
) -> Result<Expr, Stop> {
    Expr::term(Scalar::one(), c.clone()).substitute_within(f, t, atoms)
}

/// The element-wise powers of the substituted chains met in one substitution, shared by its
/// terms: the expansion of a layer holds `u^∘2`, `u^∘3`, … of one pre-activation `u` in term
/// after term, and each power is one product from the one below it (`powers[e][m − 1]` is
/// `substitute(e)^∘m`). The same products, in the same order, as [`Expr::had_pow`].
#[derive(Default)]
struct Powers(BTreeMap<Chain, Vec<Expr>>);

impl Powers {
    fn get(
        &mut self,
        e: &Chain,
        m: u32,
        f: &dyn Fn(&Symbol) -> Option<Expr>,
        (t, atoms): (&Trunc, &Trunc),
    ) -> Result<Expr, Stop> {
        let pows = match self.0.entry(e.clone()) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(vec![substitute_chain(e, f, (t, atoms))?])
            }
        };
        let base = &pows[0];
        // A single term has a closed form, and `k ≤ 1` needs no product.
        if m <= 1 || base.terms.len() <= 1 {
            return base.had_pow(m, t);
        }
        let largest = base.max_had_exponent();
        if largest.checked_mul(m).is_none_or(|e| e > MAX_HAD_EXPONENT) {
            return Err(Stop::TooLarge(format!(
                "the element-wise power {largest}·{m} exceeds {MAX_HAD_EXPONENT}"
            )));
        }
        let m = m as usize;
        while pows.len() < m {
            let next = pows[pows.len() - 1].had(&pows[0], t)?;
            pows.push(next);
        }
        Ok(pows[m - 1].clone())
    }
}

fn substitute_factor(
    factor: &Factor,
    f: &dyn Fn(&Symbol) -> Option<Expr>,
    (t, atoms): (&Trunc, &Trunc),
    powers: &mut Powers,
) -> Result<Expr, Stop> {
    Ok(match factor {
        Factor::Sym(s) => f(s).unwrap_or_else(|| Expr::symbol(s.clone())),
        Factor::Ones | Factor::Eye => Expr::term(Scalar::one(), Chain(vec![factor.clone()])),
        Factor::Diag(d) => substitute_chain(d, f, (t, atoms))?.diag(),
        Factor::Tr(c) => substitute_chain(c, f, (t, atoms))?.transpose(),
        Factor::Dot(c) => substitute_chain(c, f, (t, atoms))?,
        Factor::Had(h) => {
            let mut acc: Option<Expr> = None;
            for (e, m) in &h.0 {
                let p = powers.get(e, *m, f, (t, atoms))?;
                acc = Some(match acc {
                    None => p,
                    Some(a) => a.had(&p, t)?,
                });
            }
            acc.unwrap_or_else(Expr::ones)
        }
        Factor::Atom(a) => {
            let arg = a.arg.substitute_within(f, atoms, atoms)?;
            if a.is_bar() {
                arg.abs_graded(atoms)
            } else {
                Expr::call_atom(&a.func, a.deriv, arg, a.params.clone())
            }
        }
    })
}

/// Whether a polynomial in Hadamard elements is ≥ 0 for all real values, by one of three
/// certificates: its only Gram matrix over the half monomials is positive semidefinite; it is
/// a positive multiple of a perfect square; or its part of highest degree is one, and what is
/// left is ≥ 0 in turn (`(a + b)^∘4 + a^∘2`), at most `depth` times.
fn poly_nonnegative(poly: &BTreeMap<ElementMono, Q>, depth: u32) -> bool {
    if poly.is_empty() {
        return true;
    }
    if gram_nonnegative(poly) || square_root(poly).is_some() {
        return true;
    }
    if depth == 0 {
        return false;
    }
    let degree = |m: &ElementMono| m.values().map(|k| u64::from(*k)).sum::<u64>();
    let Some(top) = poly.keys().map(degree).max() else {
        return false;
    };
    let highest: BTreeMap<ElementMono, Q> = (poly.iter())
        .filter(|(m, _)| degree(m) == top)
        .map(|(m, q)| (m.clone(), q.clone()))
        .collect();
    if highest.len() == poly.len() {
        return false;
    }
    // The highest part is c·p² (c > 0) exactly, so what is left is the rest.
    if square_root(&highest).is_none() {
        return false;
    }
    let rest: BTreeMap<ElementMono, Q> = (poly.iter())
        .filter(|(m, _)| degree(m) != top)
        .map(|(m, q)| (m.clone(), q.clone()))
        .collect();
    poly_nonnegative(&rest, depth - 1)
}

/// The Gram certificate of [`poly_nonnegative`]: the only Gram matrix over the half monomials
/// (those whose squares are terms with positive coefficients), when each term is reached by one
/// product of two of them, positive semidefinite.
fn gram_nonnegative(poly: &BTreeMap<ElementMono, Q>) -> bool {
    let half: Vec<ElementMono> = poly
        .iter()
        .filter(|(m, q)| **q > 0u32 && m.values().all(|k| k % 2 == 0))
        .map(|(m, _)| m.iter().map(|(e, k)| (e.clone(), k / 2)).collect())
        .collect();
    let n = half.len();
    let mut reached: BTreeMap<ElementMono, Vec<(usize, usize)>> = BTreeMap::new();
    for i in 0..n {
        for j in i..n {
            reached
                .entry(mono_product(&half[i], &half[j]))
                .or_default()
                .push((i, j));
        }
    }
    let mut g = vec![vec![Q::from(0); n]; n];
    for (m, q) in poly {
        match reached.get(m).map(Vec::as_slice) {
            Some(&[(i, j)]) if i == j => g[i][i] = q.clone(),
            Some(&[(i, j)]) => {
                let h = q / Q::from(2);
                g[i][j] = h.clone();
                g[j][i] = h;
            }
            // Reached by no product (not a sum of squares over these halves), or by
            // several (G not unique, as in (a + b)^∘4): not decided here.
            _ => return false,
        }
    }
    positive_semidefinite(g)
}

/// A monomial in Hadamard elements: each element and its exponent.
type ElementMono = BTreeMap<Chain, u32>;

/// The product of two monomials: their exponents added.
fn mono_product(a: &ElementMono, b: &ElementMono) -> ElementMono {
    let mut out = a.clone();
    for (e, k) in b {
        *out.entry(e.clone()).or_insert(0) += k;
    }
    out
}

/// Graded lexicographic order of monomials (by degree, then by the exponents of the elements
/// in their order): a product's leading monomial is the product of the leading ones.
fn grlex(a: &ElementMono, b: &ElementMono) -> std::cmp::Ordering {
    let degree = |m: &ElementMono| m.values().map(|k| u64::from(*k)).sum::<u64>();
    degree(a).cmp(&degree(b)).then_with(|| {
        let keys: std::collections::BTreeSet<&Chain> = a.keys().chain(b.keys()).collect();
        keys.into_iter()
            .map(|e| a.get(e).unwrap_or(&0).cmp(b.get(e).unwrap_or(&0)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    })
}

/// `(c, p)` when `poly` is c·p² for a rational c > 0 and a polynomial p: the square root
/// taken term by term from the leading one (grlex), as a number's long square root.
fn square_root(poly: &BTreeMap<ElementMono, Q>) -> Option<(Q, Vec<(ElementMono, Q)>)> {
    let leading = |f: &BTreeMap<ElementMono, Q>| {
        f.iter()
            .filter(|(_, q)| **q != 0u32)
            .max_by(|a, b| grlex(a.0, b.0))
            .map(|(m, q)| (m.clone(), q.clone()))
    };
    let (lead, c) = leading(poly)?;
    if c <= 0u32 || lead.values().any(|k| k % 2 == 1) {
        return None;
    }
    let g: BTreeMap<ElementMono, Q> = poly.iter().map(|(m, q)| (m.clone(), q / &c)).collect();
    let root_lead: ElementMono = lead.iter().map(|(e, k)| (e.clone(), k / 2)).collect();
    let mut root: Vec<(ElementMono, Q)> = vec![(root_lead.clone(), Q::from(1))];
    for _ in 0..poly.len() {
        // g − root², and its leading term.
        let mut rest = g.clone();
        for (a, x) in &root {
            for (b, y) in &root {
                *rest.entry(mono_product(a, b)).or_insert_with(|| Q::from(0)) -= x * y;
            }
        }
        let Some((m, q)) = leading(&rest) else {
            return Some((c, root));
        };
        // The next term t of the root: 2·root_lead·t is that leading term, and t comes after
        // the root's terms so far (else g is no square).
        let mut t = m.clone();
        for (e, k) in &root_lead {
            match t.get_mut(e) {
                Some(have) if *have >= *k => *have -= k,
                _ => return None,
            }
        }
        t.retain(|_, k| *k > 0);
        if root.last().is_some_and(|(last, _)| grlex(&t, last).is_ge()) {
            return None;
        }
        root.push((t, q / Q::from(2)));
    }
    None
}

/// Whether the symmetric rational matrix `g` is positive semidefinite, exactly: symmetric
/// Gaussian elimination (LDLᵀ); a zero pivot needs its whole row to be zero.
fn positive_semidefinite(mut g: Vec<Vec<Q>>) -> bool {
    let n = g.len();
    for k in 0..n {
        let pivot = g[k][k].clone();
        if pivot < 0u32 {
            return false;
        }
        if pivot == 0u32 {
            if g[k][k + 1..].iter().any(|x| *x != 0u32) {
                return false;
            }
            continue;
        }
        let (done, below) = g.split_at_mut(k + 1);
        let row_k = &done[k];
        for row in below {
            if row[k] == 0u32 {
                continue;
            }
            let f = &row[k] / &pivot;
            for (x, y) in row[k + 1..].iter_mut().zip(&row_k[k + 1..]) {
                *x -= &f * y;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semidefinite_matrices_are_told_apart_exactly() {
        let m = |rows: &[&[i64]]| -> Vec<Vec<Q>> {
            rows.iter()
                .map(|r| r.iter().map(|x| Q::from(*x)).collect())
                .collect()
        };
        assert!(positive_semidefinite(m(&[&[1, 1], &[1, 1]])));
        assert!(positive_semidefinite(m(&[&[0, 0], &[0, 2]])));
        assert!(positive_semidefinite(m(&[
            &[2, -1, 0],
            &[-1, 2, -1],
            &[0, -1, 2]
        ])));
        assert!(!positive_semidefinite(m(&[&[1, 2], &[2, 1]])));
        assert!(!positive_semidefinite(m(&[&[0, 1], &[1, 0]])));
        assert!(!positive_semidefinite(m(&[
            &[1, 1, 1],
            &[1, 1, 1],
            &[1, 1, 0]
        ])));
    }

    #[test]
    fn a_square_root_is_found_only_for_squares() {
        let (a, b) = (
            Chain(vec![Factor::Ones, Factor::Ones]),
            Chain(vec![Factor::Eye]),
        );
        // a⁴ + 4a³b + 6a²b² + 4ab³ + b⁴ = ((a + b)²)², times 3.
        let poly = |cs: &[i64]| -> BTreeMap<ElementMono, Q> {
            (0..cs.len() as u32)
                .filter(|i| cs[*i as usize] != 0)
                .map(|i| {
                    let mut m = ElementMono::new();
                    if 4 - i > 0 {
                        m.insert(a.clone(), 4 - i);
                    }
                    if i > 0 {
                        m.insert(b.clone(), i);
                    }
                    (m, Q::from(cs[i as usize]))
                })
                .collect()
        };
        let (c, root) = square_root(&poly(&[3, 12, 18, 12, 3])).expect("a square");
        assert_eq!((c, root.len()), (Q::from(3), 3));
        assert!(square_root(&poly(&[1, 4, 7, 4, 1])).is_none());
        assert!(square_root(&poly(&[-1, 0, 0, 0, -1])).is_none());
        assert!(poly_nonnegative(&poly(&[3, 12, 18, 12, 3]), 2));
        // a⁴ − 3a²b² + b⁴ is −1 at a = b = 1: never certified.
        assert!(!poly_nonnegative(&poly(&[1, 0, -3, 0, 1]), 2));
    }

    fn sym(n: &str, k: Kind) -> Expr {
        Expr::symbol(Symbol::user(Name::parse(n).unwrap(), k))
    }

    #[test]
    fn matrix_products_do_not_commute_but_hadamard_does() {
        let t = Trunc::exact();
        let (a, b) = (sym("A", Kind::Matrix), sym("B", Kind::Matrix));
        assert_ne!(a.mul(&b, &t).unwrap(), b.mul(&a, &t).unwrap());
        let (u, v) = (sym("u", Kind::Vector), sym("v", Kind::Vector));
        assert_eq!(u.had(&v, &t).unwrap(), v.had(&u, &t).unwrap());
    }

    #[test]
    fn diag_times_vector_is_hadamard() {
        let t = Trunc::exact();
        let (w, x, a) = (
            sym("W", Kind::Matrix),
            sym("x", Kind::Vector),
            sym("a", Kind::Vector),
        );
        let lhs = a.diag().mul(&w, &t).unwrap().mul(&x, &t).unwrap();
        let rhs = a.had(&w.mul(&x, &t).unwrap(), &t).unwrap();
        assert_eq!(lhs, rhs);
    }

    #[test]
    fn outer_products_multiply_entry_by_entry() {
        let t = Trunc::exact();
        let (a, b, c, d) = (
            sym("a", Kind::Vector),
            sym("b", Kind::Vector),
            sym("c", Kind::Vector),
            sym("d", Kind::Vector),
        );
        let outer = |u: &Expr, v: &Expr| u.mul(&v.transpose(), &t).unwrap();
        // (a·bᵀ)∘(c·dᵀ) = (a∘c)·(b∘d)ᵀ, and (a·bᵀ)^∘3 = a^∘3·(b^∘3)ᵀ.
        let lhs = outer(&a, &b).had(&outer(&c, &d), &t).unwrap();
        let rhs = outer(&a.had(&c, &t).unwrap(), &b.had(&d, &t).unwrap());
        assert_eq!(lhs, rhs);
        assert_eq!(
            outer(&a, &b).had_pow(3, &t).unwrap(),
            outer(&a.had_pow(3, &t).unwrap(), &b.had_pow(3, &t).unwrap())
        );
        // A matrix that is no outer product stays a factor of its own.
        let w = sym("W", Kind::Matrix);
        let mixed = w
            .had(&outer(&a, &b), &t)
            .unwrap()
            .had(&outer(&c, &d), &t)
            .unwrap();
        assert_eq!(mixed, w.had(&rhs, &t).unwrap());
        // 𝟙·𝟙ᵀ is the unit of the Hadamard product of matrices.
        let ones = Expr::ones_of(Kind::Matrix);
        assert_eq!(ones, outer(&Expr::ones(), &Expr::ones()));
        assert_eq!(w.had(&ones, &t).unwrap(), w);
    }

    #[test]
    fn truncation_happens_in_the_product() {
        let mut t = Trunc::exact();
        t.order = Some(2);
        t.small.insert(Name::parse("x").unwrap());
        let x = sym("x", Kind::Vector);
        let p = x.add(&Expr::ones()).had_pow(3, &t).unwrap();
        // (x + 𝟙)^∘3 = 𝟙 + 3x + 3x^∘2 (+ x^∘3 dropped)
        assert_eq!(p.len(), 3);
        assert!(t.truncated.get());
    }

    /// The degree the cache in [`Trunc::factor_degree`] stands for, recomputed every time.
    fn degree_uncached(t: &Trunc, c: &Chain) -> u32 {
        c.factors().iter().fold(0u32, |acc, f| {
            acc.saturating_add(match f {
                Factor::Sym(s) => t.symbol_degree(s),
                Factor::Ones | Factor::Eye => 0,
                Factor::Diag(c) | Factor::Tr(c) | Factor::Dot(c) => degree_uncached(t, c),
                Factor::Had(h) => h.elements().iter().fold(0u32, |acc, (c, m)| {
                    acc.saturating_add(m.saturating_mul(degree_uncached(t, c)))
                }),
                Factor::Atom(a) if a.is_bar() => a
                    .arg
                    .terms()
                    .map(|(c, _)| degree_uncached(t, c))
                    .min()
                    .unwrap_or(0),
                Factor::Atom(_) => 0,
            })
        })
    }

    proptest::proptest! {
        /// Cached |δ| degrees equal the recomputed ones, on nested |·| of random sums,
        /// asked for repeatedly (the cache hit) and for atoms that are equal but not shared.
        #[test]
        fn cached_abs_degrees_equal_recomputed(
            picks in proptest::collection::vec((0usize..4, 0usize..4, 1u32..4, proptest::bool::ANY), 1..8)
        ) {
            let mut t = Trunc::exact();
            t.order = Some(12);
            t.small.insert(Name::parse("x").unwrap());
            t.small.insert(Name::parse("y").unwrap());
            let base = [
                sym("x", Kind::Vector),
                sym("y", Kind::Vector),
                sym("a", Kind::Vector),
                Expr::ones(),
            ];
            let mut made: Vec<Expr> = Vec::new();
            for (i, j, k, nest) in picks {
                let mut e = base[i].add(&base[j].had_pow(k, &t).unwrap());
                if nest && let Some(prev) = made.last() {
                    e = e.add(&Expr::atom("abs", 0, prev.clone()));
                }
                made.push(e.clone());
                let atom = Expr::atom("abs", 0, e.clone());
                let twin = Expr::atom("abs", 0, e);
                for x in [&atom, &twin, &atom] {
                    for (c, _) in x.terms() {
                        proptest::prop_assert_eq!(t.degree(c), degree_uncached(&t, c));
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// The powers shared by one substitution equal `had_pow` of the substituted chain,
        /// asked for in any order, truncated or not.
        #[test]
        fn shared_powers_equal_had_pow(
            ms in proptest::collection::vec(0u32..6, 1..8),
            order in proptest::option::of(2u32..8),
            extra in 0usize..3,
        ) {
            let mut t = Trunc::exact();
            t.order = order;
            t.small.insert(Name::parse("x").unwrap());
            let u = Symbol::user(Name::parse("u").unwrap(), Kind::Vector);
            let x = sym("x", Kind::Vector);
            let a = sym("a", Kind::Vector);
            let mut image = x.add(&Expr::ones());
            for _ in 0..extra {
                image = image.add(&x.had(&a, &t).unwrap());
            }
            let uname = u.name.clone();
            let f = move |s: &Symbol| (s.name == uname).then(|| image.clone());
            let e = Chain::single(Factor::Sym(u));
            let mut powers = Powers::default();
            for m in ms {
                let fast = powers.get(&e, m, &f, (&t, &t)).unwrap();
                let slow = substitute_chain(&e, &f, (&t, &t)).unwrap().had_pow(m, &t).unwrap();
                proptest::prop_assert_eq!(fast, slow);
            }
        }
    }
}
