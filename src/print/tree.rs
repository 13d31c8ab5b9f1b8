//! The display tree: what every printer renders. Built from scalars and normal forms.
//!
//! Building one tree and rendering it four ways keeps the printers in step:
//! the ASCII form re-parses to the same normal form, and the JSON tree has the
//! same structure the text shows. (The text of a long scalar skips the tree of each
//! term, not its rules: `text::scalar` sorts a term's factors with [`MonomialParts`]
//! and writes them by the rules of the nodes they would make.)

use crate::algebra::nf::{Chain, ElemAtom, Expr, Factor, Role};
use crate::algebra::scalar::{
    AddressMap, Atom, AtomAddress, Mono, Q, Scalar, WordHasher, small_fraction,
};
use crate::syntax::Name;
use malachite_base::num::arithmetic::traits::Abs;

/// A node of the display tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A non-negative rational (signs live in sums and `Neg`).
    Rat(Q),
    Pi,
    E,
    /// A scalar parameter or a matrix/vector symbol.
    Name {
        name: Name,
        kind: NameKind,
    },
    Ones,
    Eye,
    /// Terms with their signs (`true` = subtracted).
    Sum(Vec<(bool, Node)>),
    Neg(Box<Node>),
    /// An ordered product.
    Prod(Vec<Node>),
    Frac(Box<Node>, Box<Node>),
    /// `√(…)`.
    Sqrt(Box<Node>),
    Pow(Box<Node>, Q),
    Had(Vec<Node>),
    HadPow(Box<Node>, u32),
    /// `f⁽ᵈ⁾(args)`; `abs` renders as bars in text and LaTeX.
    Call {
        func: String,
        deriv: u32,
        args: Vec<Node>,
    },
    Diag(Box<Node>),
    /// `Xᵀ`.
    Transpose(Box<Node>),
    /// A 1×1 product inside a longer one, bracketed: `(𝟙ᵀ·x)·v`.
    Group(Box<Node>),
    /// `O(…)`: the order of what was dropped.
    BigO(Box<Node>),
    /// A subtree held in many places: a constant in every term of a coefficient. It is cloned
    /// by reference and written in text once per style. A printer treats it as the node it
    /// holds ([`Node::view`]).
    Shared(std::rc::Rc<Shared>),
}

/// The node of [`Node::Shared`], with its text in each style once it has been written.
pub struct Shared {
    node: Node,
    /// `(text, binding strength)` in the Unicode and the ASCII style.
    text: [std::cell::OnceCell<(String, u8)>; 2],
}

impl Shared {
    /// The node it holds.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The text of the node in one style, written the first time it is asked for.
    pub(crate) fn text(
        &self,
        style: usize,
        write: impl FnOnce(&Node) -> (String, u8),
    ) -> &(String, u8) {
        self.text[style].get_or_init(|| write(&self.node))
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        self.node == other.node
    }
}

impl Node {
    /// A node to be held in many places.
    pub fn shared(node: Node) -> Node {
        Node::Shared(std::rc::Rc::new(Shared {
            node,
            text: Default::default(),
        }))
    }

    /// Whether this is a keyword parameter of a call (`α = 2`, written after the arguments'
    /// `;` in every notation).
    pub fn is_keyword(&self) -> bool {
        matches!(self.view(), Node::Call { func, args, .. } if func == "=" && args.len() == 2)
    }

    /// The node itself, seen through [`Node::Shared`]: what a printer looks at when the form of
    /// a child decides how its parent is written.
    pub fn view(&self) -> &Node {
        match self {
            Node::Shared(s) => s.node.view(),
            n => n,
        }
    }

    /// The node with a shared node at its top replaced by a copy of what it holds, so that a
    /// caller that takes a tree apart at the top sees the same forms as without sharing.
    fn unshared(self) -> Node {
        match self {
            Node::Shared(s) => s.node.clone().unshared(),
            n => n,
        }
    }
}

/// What a name stands for (JSON says it; text does not need to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Param,
    Matrix,
    Vector,
    Layer,
    OpPoint,
}

impl NameKind {
    pub fn label(self) -> &'static str {
        match self {
            NameKind::Param => "scalar",
            NameKind::Matrix => "matrix",
            NameKind::Vector => "vector",
            NameKind::Layer => "layer",
            NameKind::OpPoint => "operating-point",
        }
    }
}

fn sum_or_single(mut terms: Vec<(bool, Node)>) -> Node {
    match terms.len() {
        0 => Node::Rat(Q::from(0)),
        1 if !terms[0].0 => terms.remove(0).1,
        1 => Node::Neg(Box::new(terms.remove(0).1)),
        _ => Node::Sum(terms),
    }
}

/// A scalar as a display tree.
pub fn scalar(s: &Scalar) -> Node {
    scalar_named(s, &ConstantNames::default())
}

/// A scalar as a display tree, with the named constants written by their names.
pub fn scalar_named(s: &Scalar, names: &ConstantNames) -> Node {
    sum_or_single(scalar_terms_named(s, names))
}

/// The signed terms of a scalar.
pub fn scalar_terms(s: &Scalar) -> Vec<(bool, Node)> {
    scalar_terms_named(s, &ConstantNames::default())
}

fn scalar_terms_named(s: &Scalar, names: &ConstantNames) -> Vec<(bool, Node)> {
    // Plain rationals first: 1 − α.
    let mut terms: Vec<(&Mono, &Q)> = s.terms().collect();
    terms.sort_by_key(|(m, _)| !m.is_one());
    terms
        .into_iter()
        .map(|(m, c)| (*c < 0u32, monomial(&c.clone().abs(), m, names).unshared()))
        .collect()
}

/// A power of a nested constant: the constant's address and the exponent, a small fraction.
type PowerKey = (AtomAddress, (i64, u64));

/// Names for the constants of a report that nest other constants, such as the value of each
/// layer of a composed sigmoid (`κ₂ = exp(−(1 + 1/√e)⁻¹)`, `κ₃ = 1 + κ₂`): written out, each
/// holds the previous ones, so a coefficient of a deep composition repeats them in every term
/// and its text grows with the depth. A constant is named when its argument holds an opaque
/// value or a group; the others (`π`, `√2`, `tanh(½)`, `(1 + 1/√e)⁻¹`) stay as they are.
#[derive(Default)]
pub struct ConstantNames {
    /// The named atoms with their names and the names' shared trees, sorted by atom for lookup.
    by_atom: Vec<(Atom, Name, Node)>,
    /// The named atoms in the order they are defined: each after those it holds.
    order: Vec<Atom>,
    /// The trees of the opaque values and groups written so far (their names, when named), by
    /// the address of their shared argument: a coefficient of a composed activation holds the
    /// same nested constant in thousands of terms, looked up by value and built once here and
    /// shared by them ([`Node::Shared`]). Each entry keeps its atom (and so the address) alive,
    /// so an address is never reused for another constant while it is remembered.
    written: std::cell::RefCell<AddressMap<(Atom, Node)>>,
    /// The powers of those constants written so far (`κ₂²`, `(1 + 1/√e)³`), by the address of
    /// the constant (kept alive by `written`) and the exponent written: the same power sits in
    /// thousands of terms, and is built, written and dropped once.
    powers: std::cell::RefCell<std::collections::HashMap<PowerKey, Node, WordHasher>>,
}

impl ConstantNames {
    /// Names for the nested constants of these scalars, in a letter their parameters do not use.
    pub fn for_scalars<'a>(scalars: impl IntoIterator<Item = &'a Scalar>) -> ConstantNames {
        let mut seen = Seen::default();
        let mut order: Vec<Atom> = Vec::new();
        let mut params: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for s in scalars {
            collect_nested(s, &mut seen, &mut order, &mut params);
        }
        let base = ["κ", "ξ", "ϖ", "ζ"]
            .into_iter()
            .find(|b| !params.contains(*b))
            .unwrap_or("ζ");
        let mut by_atom: Vec<(Atom, Name, Node)> = order
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let name = Name::new(base, &(i + 1).to_string());
                let node = Node::shared(Node::Name {
                    name: name.clone(),
                    kind: NameKind::Param,
                });
                (a.clone(), name, node)
            })
            .collect();
        by_atom.sort_by(|x, y| x.0.cmp(&y.0));
        ConstantNames {
            by_atom,
            order,
            written: Default::default(),
            powers: Default::default(),
        }
    }

    /// The tree of an opaque value or a group (its name, when it is named), built once per
    /// address.
    fn written(&self, a: &Atom, build: impl FnOnce() -> Node) -> Node {
        let Some(address) = a.address() else {
            return build();
        };
        if let Some((_, node)) = self.written.borrow().get(&address) {
            return node.clone();
        }
        let node = match self.named(a) {
            Some((_, _, name)) => name.clone(),
            None => Node::shared(build()),
        };
        self.written
            .borrow_mut()
            .insert(address, (a.clone(), node.clone()));
        node
    }

    /// `base^e` for the atom `a` written as `base`: shared among terms when `a` is a nested
    /// constant and `e` a small fraction (`small`, the key; other atoms cost no more to build
    /// afresh). The base and the exponent are made only when the power is built.
    fn power(
        &self,
        a: &Atom,
        small: Option<(i64, u64)>,
        e: impl FnOnce() -> Q,
        base: impl FnOnce() -> Node,
    ) -> Node {
        let Some(key) = a.address().zip(small) else {
            return Node::Pow(Box::new(base()), e());
        };
        if let Some(node) = self.powers.borrow().get(&key) {
            return node.clone();
        }
        let node = Node::shared(Node::Pow(Box::new(base()), e()));
        self.powers.borrow_mut().insert(key, node.clone());
        node
    }

    fn named(&self, a: &Atom) -> Option<&(Atom, Name, Node)> {
        self.by_atom
            .binary_search_by(|(x, _, _)| x.cmp(a))
            .ok()
            .map(|i| &self.by_atom[i])
    }

    /// Each named constant as (its name, what it stands for written with the earlier names,
    /// the constant itself as a scalar), in the order of definition.
    ///
    pub fn definitions(&self) -> Vec<(Node, Node, Scalar)> {
        // A constant's argument holds only constants defined before it (they are collected
        // inner ones first), so writing it with all the names uses only earlier ones.
        self.order
            .iter()
            .filter_map(|a| {
                let name = self.named(a)?.1.clone();
                let (body, value) = match a {
                    Atom::Func(f, arg) => (
                        Node::Call {
                            func: f.to_string(),
                            deriv: 0,
                            args: vec![scalar_named(arg, self)],
                        },
                        Scalar::opaque(f, arg),
                    ),
                    Atom::Group(inner) => (scalar_named(inner, self), (**inner).clone()),
                    _ => return None,
                };
                let name = Node::Name {
                    name,
                    kind: NameKind::Param,
                };
                Some((name, body, value))
            })
            .collect()
    }
}

/// The atoms met by [`collect_nested`]: by address first (an atom of a composed activation
/// occurs in thousands of terms, and comparing nested constants by value walks them), then by
/// value, so that equal atoms at two addresses are one.
#[derive(Default)]
struct Seen {
    by_value: std::collections::BTreeSet<Atom>,
    /// Each entry keeps its atom alive, so that its address is not reused.
    by_address: AddressMap<Atom>,
}

impl Seen {
    /// Records `a`; false when it (or an equal atom) was met before.
    fn insert(&mut self, a: &Atom) -> bool {
        let address = a.address();
        if let Some(k) = address
            && self.by_address.contains_key(&k)
        {
            return false;
        }
        if let Some(k) = address {
            self.by_address.insert(k, a.clone());
        }
        self.by_value.insert(a.clone())
    }
}

/// Walks the atoms of `s`, inner ones first, and records those that nest other constants.
fn collect_nested(
    s: &Scalar,
    seen: &mut Seen,
    order: &mut Vec<Atom>,
    params: &mut std::collections::BTreeSet<String>,
) {
    for (m, _) in s.terms() {
        for (a, _) in m.factors() {
            match a {
                // Numbers nest nothing, and stand in every term of a long scalar.
                Atom::Prime(_) | Atom::Pi | Atom::E => continue,
                Atom::Param(n) if params.contains(&*n.base) => continue,
                _ => {}
            }
            if !seen.insert(a) {
                continue;
            }
            match a {
                Atom::Param(n) => {
                    params.insert(n.base.to_string());
                }
                Atom::Func(_, inner) | Atom::Group(inner) => {
                    collect_nested(inner, seen, order, params);
                    let nests = inner.terms().any(|(m, _)| {
                        m.factors()
                            .iter()
                            .any(|(x, _)| matches!(x, Atom::Func(..) | Atom::Group(_)))
                    });
                    if nests {
                        order.push(a.clone());
                    }
                }
                _ => {}
            }
        }
    }
}

/// `c·m` for a positive rational `c`, written with radicals and a denominator where that reads better.
fn monomial(c: &Q, m: &Mono, names: &ConstantNames) -> Node {
    let mut parts = MonomialParts::default();
    parts.fill(c, m, names);
    if parts.den.is_empty() {
        return prod_or_single(parts.num);
    }
    Node::Frac(
        Box::new(prod_or_single(parts.num)),
        Box::new(prod_or_single(parts.den)),
    )
}

/// The factors of a monomial's display: `num` alone for a product, `num/den` for a fraction
/// (`den` not empty), each a list of one or more factors, as [`monomial`] makes them into a
/// tree and [`crate::print::text::scalar`] writes them without one. Reused from term to term, so
/// its lists are allocated once for a whole scalar.
#[derive(Default)]
pub(crate) struct MonomialParts {
    pub(crate) num: Vec<Node>,
    pub(crate) den: Vec<Node>,
    num_rad: Vec<Node>,
    den_rad: Vec<Node>,
    /// Each factor's exponent as a small fraction, when it is one.
    exponents: Vec<Option<(i64, u64)>>,
}

impl MonomialParts {
    /// Sorts the factors of `|c|·m` into numerator and denominator (the sign of `c` is the
    /// caller's to write).
    pub(crate) fn fill(&mut self, c: &Q, m: &Mono, names: &ConstantNames) {
        let MonomialParts {
            num,
            den,
            num_rad,
            den_rad,
            exponents,
        } = self;
        // The sign of an exponent, from its small form when it has one.
        let negative = |small: Option<(i64, u64)>, e: &Q| match small {
            Some((n, _)) => n < 0,
            None => *e < 0u32,
        };
        num.clear();
        den.clear();
        num_rad.clear();
        den_rad.clear();
        // Sized once: a coefficient of a composed activation has thousands of terms of up to a
        // dozen factors each, and growing the lists was a sixth of building them.
        num.reserve(m.factors().len() + 2);
        // Copied only if a prime moves under the radical below (rare): a coefficient of a long
        // scalar can be many words long.
        let mut c = std::borrow::Cow::Borrowed(c);
        // Each exponent as a small fraction when it is one (all but freak ones), read once:
        // comparing rationals was a tenth of writing a term.
        const HALF: Option<(i64, u64)> = Some((1, 2));
        const MINUS_HALF: Option<(i64, u64)> = Some((-1, 2));
        exponents.clear();
        exponents.extend(m.factors().iter().map(|(_, e)| small_fraction(e)));
        let any_neg_half = exponents.contains(&MINUS_HALF);
        // One radical holds the roots of positive factors and of one factor that may be
        // negative: √λ·√μ is not √(λ·μ) where both are negative (−1 against 1 at λ = μ = −1).
        let (mut num_signed, mut den_signed) = (false, false);
        for ((a, e), &small) in m.factors().iter().zip(exponents.iter()) {
            let signed = (small == HALF || small == MINUS_HALF)
                && !crate::algebra::scalar::atom_known_positive(a);
            if signed && small == HALF && std::mem::replace(&mut num_signed, true) {
                num.push(Node::Sqrt(Box::new(atom(a, names))));
                continue;
            }
            if signed && small == MINUS_HALF && std::mem::replace(&mut den_signed, true) {
                den.push(Node::Sqrt(Box::new(atom(a, names))));
                continue;
            }
            if small == HALF {
                let base = atom(a, names);
                // √p/p → 1/√p when the denominator has the factor and another radical sits below:
                // 1/√(2π).
                if let Atom::Prime(p) = a
                    && any_neg_half
                    && (c.denominator_ref() % malachite_nz::natural::Natural::from(*p)) == 0u32
                {
                    *c.to_mut() *= Q::from(*p);
                    den_rad.push(base);
                } else {
                    num_rad.push(base);
                }
            } else if small == MINUS_HALF {
                den_rad.push(atom(a, names));
            } else if small == Some((1, 1)) {
                num.push(atom(a, names));
            } else if small == Some((-1, 1)) && !matches!(a, Atom::Group(_)) {
                den.push(atom(a, names));
            } else if negative(small, e) && !matches!(a, Atom::Group(_)) {
                let reciprocal = small.map(|(n, d)| (-n, d));
                den.push(names.power(a, reciprocal, || -e, || atom(a, names)));
            } else {
                num.push(names.power(a, small, || e.clone(), || atom(a, names)));
            }
        }
        if !num_rad.is_empty() {
            num.push(radical(num_rad));
        }
        if !den_rad.is_empty() {
            den.push(radical(den_rad));
        }
        if den.is_empty() {
            // A rational coefficient stays one fraction: ⅓·λ.
            let one = *c.numerator_ref() == 1u32 && *c.denominator_ref() == 1u32;
            if !one || num.is_empty() {
                num.insert(0, Node::Rat(c.into_owned().abs()));
            }
            return;
        }
        if *c.numerator_ref() != 1u32 || num.is_empty() {
            num.insert(0, Node::Rat(Q::from(c.numerator_ref())));
        }
        if *c.denominator_ref() != 1u32 {
            den.insert(0, Node::Rat(Q::from(c.denominator_ref())));
        }
    }
}

/// `√(…)` of these factors (not empty), which it empties: one factor moves out, more stay in
/// their list (a radical of one factor, the usual one, leaves the list for the next term).
fn radical(factors: &mut Vec<Node>) -> Node {
    whole_radicand(factors);
    let inner = if factors.len() == 1 {
        factors.pop()
    } else {
        None
    };
    Node::Sqrt(Box::new(
        inner.unwrap_or_else(|| Node::Prod(std::mem::take(factors))),
    ))
}

/// The primes under one radical multiplied out, ahead of the other factors: √10, not √(2·5).
fn whole_radicand(factors: &mut Vec<Node>) {
    let mut whole = Q::from(1u32);
    factors.retain(|f| match f {
        Node::Rat(p) => {
            whole *= p;
            false
        }
        _ => true,
    });
    if whole != 1u32 {
        factors.insert(0, Node::Rat(whole));
    }
}

fn prod_or_single(mut v: Vec<Node>) -> Node {
    if v.len() == 1 {
        v.remove(0)
    } else {
        Node::Prod(v)
    }
}

fn atom(a: &Atom, names: &ConstantNames) -> Node {
    // Only opaque values and groups are named (they are the constants that nest others).
    match a {
        Atom::Prime(p) => Node::Rat(Q::from(*p)),
        Atom::Pi => Node::Pi,
        Atom::E => Node::E,
        Atom::Param(n) => Node::Name {
            name: n.clone(),
            kind: NameKind::Param,
        },
        Atom::Func(f, arg) => names.written(a, || Node::Call {
            func: f.to_string(),
            deriv: 0,
            args: vec![scalar_named(arg, names)],
        }),
        Atom::Group(s) => names.written(a, || scalar_named(s, names)),
    }
}

/// A normal form as a display tree.
pub fn expr(e: &Expr) -> Node {
    terms_node(e.terms())
}

/// Terms in the given order (callers may sort, e.g. by ε-degree).
pub fn terms_node<'a>(terms: impl Iterator<Item = (&'a Chain, &'a Scalar)>) -> Node {
    let mut out = Vec::new();
    for (chain, coef) in terms {
        // Printing observes the statement's budget: a result too large to print in time stops
        // here, and the caller reports the limit instead of the partial text.
        if crate::limits::tick() {
            break;
        }
        let cterms = scalar_terms(coef);
        if chain.is_scalar() {
            out.extend(cterms);
            continue;
        }
        let factors: Vec<Node> = match chain.factors() {
            // A lone 1×1 product needs no brackets: 𝟙ᵀ·x, not (𝟙ᵀ·x).
            [Factor::Dot(c)] => vec![dot(c)],
            fs => fs.iter().map(factor).collect(),
        };
        let (neg, coef_node) = match cterms.as_slice() {
            [(neg, Node::Rat(q))] if *q == 1u32 => (*neg, None),
            [(neg, n)] => (*neg, Some(n.clone())),
            _ => (false, Some(Node::Sum(cterms))),
        };
        let mut fs = Vec::new();
        if let Some(c) = coef_node {
            match c {
                Node::Prod(v) => fs.extend(v),
                c => fs.push(c),
            }
        }
        fs.extend(factors);
        out.push((neg, prod_or_single(fs)));
    }
    sum_or_single(out)
}

fn chain(c: &Chain) -> Node {
    if c.is_scalar() {
        return Node::Rat(Q::from(1));
    }
    prod_or_single(c.factors().iter().map(factor).collect())
}

fn factor(f: &Factor) -> Node {
    match f {
        Factor::Sym(s) => Node::Name {
            name: s.name.clone(),
            kind: match s.role {
                Role::Layer => NameKind::Layer,
                Role::OpPoint => NameKind::OpPoint,
                Role::User => {
                    if s.kind == crate::algebra::Kind::Matrix {
                        NameKind::Matrix
                    } else {
                        NameKind::Vector
                    }
                }
            },
        },
        Factor::Ones => Node::Ones,
        Factor::Eye => Node::Eye,
        Factor::Diag(c) => Node::Diag(Box::new(chain(c))),
        Factor::Had(h) => {
            // Operating-point atoms read first: sigmoid′(c₂)∘u₂.
            let mut els: Vec<&(Chain, u32)> = h.elements().iter().collect();
            els.sort_by_key(|(c, _)| !matches!(c.factors(), [Factor::Atom(a)] if !a.is_bar()));
            let mut nodes: Vec<Node> = els
                .into_iter()
                .map(|(c, m)| {
                    if *m == 1 {
                        chain(c)
                    } else {
                        Node::HadPow(Box::new(chain(c)), *m)
                    }
                })
                .collect();
            if nodes.len() == 1 {
                nodes.remove(0)
            } else {
                Node::Had(nodes)
            }
        }
        Factor::Atom(a) => elem_atom(a),
        Factor::Tr(c) => Node::Transpose(Box::new(chain(c))),
        Factor::Dot(c) => Node::Group(Box::new(dot(c))),
    }
}

/// A 1×1 product `𝟙ᵀ·(a∘b)` written as the inner product it is, `aᵀ·b` (a plain vector
/// transposed when there is one: `xᵀ·W·y`); parsed again it gives the same normal form.
fn dot(c: &Chain) -> Node {
    if let [Factor::Tr(o), Factor::Had(h)] = c.factors()
        && o.factors() == [Factor::Ones]
        && let [(a, 1), (b, 1)] = h.elements()
    {
        let single = |e: &Chain| e.factors().len() == 1;
        let (row, col) = if !single(a) && single(b) {
            (b, a)
        } else {
            (a, b)
        };
        let mut v = vec![Node::Transpose(Box::new(chain(row)))];
        v.extend(col.factors().iter().map(factor));
        return prod_or_single(v);
    }
    chain(c)
}

fn elem_atom(a: &ElemAtom) -> Node {
    let mut args = vec![expr(&a.arg)];
    // Parameters as written in a call, `swish′(c₂; β = 2)` (see `keyword`).
    for (n, v) in &a.params {
        args.push(keyword(n, scalar(v)));
    }
    Node::Call {
        func: a.func.to_string(),
        deriv: a.deriv,
        args,
    }
}

/// A call's keyword parameter `name = value`, as an argument node (func `=`).
pub fn keyword(name: &crate::syntax::Name, value: Node) -> Node {
    Node::Call {
        func: "=".into(),
        deriv: 0,
        args: vec![
            Node::Name {
                name: name.clone(),
                kind: NameKind::Param,
            },
            value,
        ],
    }
}

/// `c₀ + c₁·t + … + O(tⁿ⁺¹)` for a truncated series in the variable `var`.
pub fn series(s: &crate::series::Series, var: &Node) -> Node {
    series_named(s, var, &ConstantNames::default())
}

/// [`series`], with the named constants written by their names.
pub fn series_named(s: &crate::series::Series, var: &Node, names: &ConstantNames) -> Node {
    let coefficients: Vec<Node> = s.coeffs().iter().map(|c| scalar_named(c, names)).collect();
    series_of_coefficients(s, var, &coefficients)
}

/// [`series_named`] with the tree of each coefficient built already (by [`scalar_named`],
/// perhaps [`Node::shared`] with a table that prints the same coefficients).
pub fn series_of_coefficients(
    s: &crate::series::Series,
    var: &Node,
    coefficients: &[Node],
) -> Node {
    let mut terms: Vec<(bool, Node)> = s
        .coeffs()
        .iter()
        .zip(coefficients)
        .enumerate()
        .filter(|(_, (c, _))| !c.is_zero())
        .map(|(k, (_, node))| series_term(k, node, var))
        .collect();
    terms.extend(series_remainder(s, var).map(|o| (false, o)));
    sum_or_single(terms)
}

/// `tᵏ` (nothing for k = 0): the power of the variable in the k-th term of a series.
pub(crate) fn series_power(k: usize, var: &Node) -> Option<Node> {
    match k {
        0 => None,
        1 => Some(var.clone()),
        k => Some(Node::Pow(Box::new(var.clone()), Q::from(k as u64))),
    }
}

/// The signed term `cₖ·tᵏ` of the line of a series, for a non-zero coefficient of tree `node`:
/// a coefficient of one term puts its sign in front and is left out when it is 1.
pub(crate) fn series_term(k: usize, node: &Node, var: &Node) -> (bool, Node) {
    // The coefficient's one signed term, when it has one (what `sum_or_single` made of it).
    let single = match node.view() {
        Node::Sum(_) => None,
        Node::Neg(x) => Some((true, (**x).clone())),
        n => Some((false, n.clone())),
    };
    match (single, series_power(k, var)) {
        (Some(term), None) => term,
        (None, None) => (false, node.clone()),
        (Some((neg, Node::Rat(q))), Some(p)) if q == 1u32 => (neg, p),
        (Some((neg, n)), Some(p)) => (neg, Node::Prod(vec![n, p])),
        (None, Some(p)) => (false, Node::Prod(vec![node.clone(), p])),
    }
}

/// `O(tⁿ⁺¹)` closing a truncated series (`O(t)`, not `O(t¹)`); nothing for an exact one.
pub(crate) fn series_remainder(s: &crate::series::Series, var: &Node) -> Option<Node> {
    if s.is_exact() {
        return None;
    }
    let next = match s.order() {
        0 => var.clone(),
        n => Node::Pow(Box::new(var.clone()), Q::from(n as u64 + 1)),
    };
    Some(Node::BigO(Box::new(next)))
}

/// `O(εᵏ)`.
pub fn big_o_eps(k: u32) -> Node {
    let eps = Node::Name {
        name: Name::new("ε", ""),
        kind: NameKind::Param,
    };
    Node::BigO(Box::new(if k == 1 {
        eps
    } else {
        Node::Pow(Box::new(eps), Q::from(k))
    }))
}

/// A normal form printed lowest ε-degree first (then in canonical order).
pub fn graded(e: &Expr, small: &std::collections::BTreeSet<Name>) -> Node {
    let mut t = crate::algebra::Trunc::exact();
    t.small = small.clone();
    let mut terms: Vec<(u32, &Chain, &Scalar)> =
        e.terms().map(|(c, s)| (t.degree(c), c, s)).collect();
    terms.sort_by_key(|(d, _, _)| *d);
    terms_node(terms.into_iter().map(|(_, c, s)| (c, s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::{Style, json, latex, text, typst};

    /// The tree rebuilt with every node wrapped in [`Node::shared`] (`share`), or with none.
    fn rebuild(n: &Node, share: bool) -> Node {
        let s = |x: &Node| rebuild(x, share);
        let b = |x: &Node| Box::new(s(x));
        let inner = match n {
            Node::Sum(ts) => Node::Sum(ts.iter().map(|(neg, t)| (*neg, s(t))).collect()),
            Node::Neg(x) => Node::Neg(b(x)),
            Node::Prod(fs) => Node::Prod(fs.iter().map(s).collect()),
            Node::Frac(x, y) => Node::Frac(b(x), b(y)),
            Node::Sqrt(x) => Node::Sqrt(b(x)),
            Node::Pow(x, e) => Node::Pow(b(x), e.clone()),
            Node::Had(fs) => Node::Had(fs.iter().map(s).collect()),
            Node::HadPow(x, k) => Node::HadPow(b(x), *k),
            Node::Call { func, deriv, args } => Node::Call {
                func: func.clone(),
                deriv: *deriv,
                args: args.iter().map(s).collect(),
            },
            Node::Diag(x) => Node::Diag(b(x)),
            Node::Transpose(x) => Node::Transpose(b(x)),
            Node::Group(x) => Node::Group(b(x)),
            Node::BigO(x) => Node::BigO(b(x)),
            Node::Shared(x) => return rebuild(x.node(), share),
            leaf => leaf.clone(),
        };
        if share { Node::shared(inner) } else { inner }
    }

    /// Every printer writes a tree the same with its subtrees shared as without: the sharing
    /// of nested constants and of a report's coefficients changes the cost, never the text.
    #[test]
    fn shared_subtrees_print_as_the_trees_they_hold() {
        let session = crate::session::Session::new();
        let t = Node::Name {
            name: Name::new("t", ""),
            kind: NameKind::Param,
        };
        let mut checked = 0;
        for (spec, at) in [
            ("sigmoid(sigmoid(sigmoid(t)))", None),
            ("tanh(1 + tanh(1 + tanh(t)))", None),
            ("gelu(gelu(t))", None),
            ("tanh(λ*t + sqrt(2)*tanh(π*t + 1/3))", None),
            ("exp(sin(1 + t))/(1 + t^2)", Some("1/2")),
            ("sqrt(2)*atan(t/sqrt(3) + 1/sqrt(5))", None),
        ] {
            let r = session.series(spec, at, 4).expect("a series");
            let s = r.series.side(crate::series::Side::Right);
            let names = ConstantNames::for_scalars(s.coeffs());
            let mut trees: Vec<Node> = s.coeffs().iter().map(scalar).collect();
            trees.push(series(s, &t));
            trees.push(series_named(s, &t, &names));
            let notation = latex::Notation::default();
            for tree in trees {
                let (plain, shared) = (rebuild(&tree, false), rebuild(&tree, true));
                assert!(!format!("{plain:?}").contains("Shared"));
                // The tree as built shares a named or nested constant among its terms (a
                // printer that remembers a shared subtree's text writes it from memory); the
                // rebuilt one shares every subtree once.
                for shared in [&tree, &shared] {
                    for style in [Style::Unicode, Style::Ascii] {
                        assert_eq!(text::render(shared, style), text::render(&plain, style));
                    }
                    assert_eq!(latex::render(shared), latex::render(&plain));
                    assert_eq!(
                        typst::render(shared, &notation),
                        typst::render(&plain, &notation)
                    );
                    // Broken into narrow lines: the line breaks fall inside shared subtrees.
                    assert_eq!(
                        latex::render_lines(shared, &notation, 120.0, 150.0),
                        latex::render_lines(&plain, &notation, 120.0, 150.0)
                    );
                    assert_eq!(
                        typst::render_lines(shared, &notation, 120.0, 150.0),
                        typst::render_lines(&plain, &notation, 120.0, 150.0)
                    );
                    assert_eq!(
                        json::to_compact(&json::node_value(shared)),
                        json::to_compact(&json::node_value(&plain))
                    );
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 6 * 7);
    }
}
