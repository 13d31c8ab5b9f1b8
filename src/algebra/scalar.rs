//! Exact scalars: sums of rational multiples of monomials in parameters and constants.
//!
//! A [`Scalar`] is the coefficient ring of everything else: Laurent polynomials
//! with rational coefficients in symbolic parameters (`λ`, `α`) and exact
//! constants (`π`, `e`, `√p`), with rational exponents. Invariants, kept by
//! every constructor: no zero coefficient; no zero exponent; a prime's exponent
//! lies in (0, 1) (its integer part lives in the coefficient, so `√2·√2 = 2`);
//! a [`Atom::Group`] holds a sum of at least two terms whose first coefficient
//! is 1. Two equal scalars are therefore structurally equal, and `is_zero` is
//! an exact test whenever the atoms are algebraically independent (parameters,
//! π, e, square roots of distinct primes); for opaque values such as `tanh(1/2)`
//! it is a structural test, and results say so.

use super::sorted_map::SortedMap;
use crate::syntax::Name;
use malachite_base::num::arithmetic::traits::{Floor, Pow};
use malachite_base::num::basic::traits::{One, Zero};
use malachite_nz::natural::Natural;
use malachite_q::Rational;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

mod packed;

/// Exact rationals (malachite), the coefficients of every scalar.
pub type Q = Rational;

/// An indivisible factor of a scalar monomial.
///
/// Opaque values and groups share their argument (`Rc`): a coefficient of a composed series
/// holds the same `tanh(1 + tanh(1))` in thousands of monomials, and comparing two of them is
/// then one pointer test instead of a walk down the nested scalar. The order is structural
/// either way (see the `Ord` impl), so printing stays independent of how atoms were shared.
// The derived hash is of the contents, and equality is structural (a shared pointer only
// answers early), so equal atoms hash alike.
#[allow(clippy::derived_hash_with_manual_eq)]
#[derive(Clone, Hash, Debug)]
pub enum Atom {
    /// A prime number under a fractional exponent: `√2` is `Prime(2)^(1/2)`.
    Prime(u64),
    Pi,
    /// Euler's number, so `exp(q)` for rational `q` is `E^q`.
    E,
    /// A symbolic parameter such as `λ`.
    Param(Name),
    /// An opaque value `f(arg)` such as `tanh(1/2)` or `exp(λ)`.
    Func(Rc<str>, Rc<Scalar>),
    /// A sum that has no simpler form, under a power: `(1 + e)⁻¹`.
    Group(Rc<Scalar>),
}

/// Where an atom's shared argument lives, with its kind and name: equal addresses mean equal
/// atoms. Valid only while the atom is alive (a freed argument's address can be reused), so a
/// table keyed by it must borrow or keep the atoms it was built from.
pub(crate) type AtomAddress = (u8, usize, usize);

/// A hash map keyed by atom addresses, with a hasher that mixes a word at a time (SipHash,
/// the default, costs more than the lookup it serves in the inner loops that use these maps).
pub(crate) type AddressMap<V> = std::collections::HashMap<AtomAddress, V, WordHasher>;

/// The hasher of [`AddressMap`], for other maps keyed by a few words.
pub(crate) type WordHasher = std::hash::BuildHasherDefault<packed::KeyHasher>;

/// `e` as a small fraction `(numerator, denominator)`, when it is one (every exponent but freak
/// ones): a key for memos of powers, and a cheaper test than comparing rationals.
pub(crate) fn small_fraction(e: &Q) -> Option<(i64, u64)> {
    use malachite_base::num::arithmetic::traits::Sign;
    let n = i64::try_from(u64::try_from(e.numerator_ref()).ok()?).ok()?;
    let d = u64::try_from(e.denominator_ref()).ok()?;
    Some(match e.sign() {
        std::cmp::Ordering::Less => (-n, d),
        _ => (n, d),
    })
}

impl Atom {
    /// The address of an opaque value's or a group's shared argument; other atoms have none
    /// (they compare cheaply by value).
    pub(crate) fn address(&self) -> Option<AtomAddress> {
        match self {
            Atom::Func(f, arg) => Some((
                0,
                Rc::as_ptr(f) as *const u8 as usize,
                Rc::as_ptr(arg) as usize,
            )),
            Atom::Group(g) => Some((1, 0, Rc::as_ptr(g) as usize)),
            _ => None,
        }
    }

    /// The rank of the variant, in declaration order (the order a derived `Ord` would give).
    fn rank(&self) -> u8 {
        match self {
            Atom::Prime(_) => 0,
            Atom::Pi => 1,
            Atom::E => 2,
            Atom::Param(_) => 3,
            Atom::Func(..) => 4,
            Atom::Group(_) => 5,
        }
    }
}

impl Ord for Atom {
    fn cmp(&self, other: &Atom) -> std::cmp::Ordering {
        use std::cmp::Ordering::Equal;
        match (self, other) {
            (Atom::Prime(a), Atom::Prime(b)) => a.cmp(b),
            (Atom::Param(a), Atom::Param(b)) => a.cmp(b),
            (Atom::Func(f, a), Atom::Func(g, b)) => f
                .cmp(g)
                .then_with(|| if Rc::ptr_eq(a, b) { Equal } else { a.cmp(b) }),
            (Atom::Group(a), Atom::Group(b)) => {
                if Rc::ptr_eq(a, b) {
                    Equal
                } else {
                    a.cmp(b)
                }
            }
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Atom) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Atom {}

/// A product of atoms with non-zero rational exponents, sorted by atom.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Mono(Vec<(Atom, Q)>);

impl Mono {
    pub fn one() -> Mono {
        Mono(Vec::new())
    }
    pub fn factors(&self) -> &[(Atom, Q)] {
        &self.0
    }
    pub fn is_one(&self) -> bool {
        self.0.is_empty()
    }
    /// The monomial of these factors: distinct atoms in increasing order, non-zero exponents,
    /// a prime's in (0, 1), as every constructor keeps them.
    pub(crate) fn from_sorted_factors(factors: Vec<(Atom, Q)>) -> Mono {
        debug_assert!(factors.windows(2).all(|w| w[0].0 < w[1].0));
        debug_assert!(
            factors
                .iter()
                .all(|(a, e)| *e != 0u32
                    && (!matches!(a, Atom::Prime(_)) || (*e > 0u32 && *e < 1u32)))
        );
        Mono(factors)
    }

    /// The product, as a rational factor (from primes reaching integer powers) and a monomial.
    fn mul(&self, other: &Mono) -> (Q, Mono) {
        let mut out: Vec<(Atom, Q)> = Vec::with_capacity(self.0.len() + other.0.len());
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() || j < other.0.len() {
            let take_left = j >= other.0.len() || (i < self.0.len() && self.0[i].0 <= other.0[j].0);
            let take_right =
                i >= self.0.len() || (j < other.0.len() && other.0[j].0 <= self.0[i].0);
            if take_left && take_right {
                out.push((self.0[i].0.clone(), &self.0[i].1 + &other.0[j].1));
                i += 1;
                j += 1;
            } else if take_left {
                out.push(self.0[i].clone());
                i += 1;
            } else {
                out.push(other.0[j].clone());
                j += 1;
            }
        }
        normalize_primes(out)
    }

    fn pow(&self, q: &Q) -> (Q, Mono) {
        normalize_primes(self.0.iter().map(|(a, e)| (a.clone(), e * q)).collect())
    }

    /// How many factors `a^e` may be negative, or not real: those whose atom is not known
    /// positive, unless e is an even integer.
    fn maybe_negative_factors(&self) -> usize {
        (self.0.iter())
            .filter(|(a, e)| !is_even_integer(e) && !atom_known_positive(a))
            .count()
    }
}

/// Whether `x` is an even integer (a power that no sign survives).
fn is_even_integer(x: &Q) -> bool {
    x.to_denominator() == 1u32 && (x / Q::from(2u32)).to_denominator() == 1u32
}

/// Whether the first term of `s` (in its canonical order) has a negative coefficient: of `s`
/// and `−s`, exactly one does (a non-zero scalar), which picks the argument that an odd or
/// even function is written with.
fn leads_negative(s: &Scalar) -> bool {
    s.terms().next().is_some_and(|(_, c)| *c < 0u32)
}

/// Whether an odd or even function of `s` is written through `−s`: with a parameter in `s`,
/// where the form decides (a constant's zero is the sign test's, and −tanh(π − 1) would make
/// √tanh(π − 1) a root of a negative coefficient; from a review of this change).
fn by_parity(s: &Scalar) -> bool {
    !s.params().is_empty() && leads_negative(s)
}

/// `(a^e)^q = a^(e·q)` for a non-integer q needs a ≥ 0 unless the principal values agree.
/// Where e is even, the left side is |a|^(e·q) (`√(c²) = |c|`, not c, for an operating point c
/// that may be negative): [`Scalar::pow`] writes it so before this check, unless e·q is an
/// even integer.
/// Otherwise, for a negative a, the left side is exp(q·Log(a^e)) with Log(a^e) = e·log|a| +
/// iπ·(e − 2k), e − 2k in (−1, 1], that is |a|^(e·q)·e^(iπ·(e·q − 2k·q)), and the right side
/// |a|^(e·q)·e^(iπ·e·q): the same only where k·q is an integer. So `(λ³)^(⅓)` is λ for λ ≥ 0
/// only (from a review: it became λ, and a condition λ = −2 was then found on a network that
/// is not real there), and neither `(λ^(3/2))^(2/3)` nor `(λ³)^(1/6)` (whose square was then
/// λ) nor `(1/λ)^(1/2)` (times √λ, −1 for a negative λ) is rewritten; `(λ⁶)^(⅓)` is λ²
/// (k·q = 1) and `(λ^(1/3))^(3/2)` is √λ (k = 0). An error unless every such atom is known
/// positive.
fn root_of_power(m: &Mono, q: &Q) -> Result<(), ScalarError> {
    let is_integer = |x: &Q| x.to_denominator() == 1u32;
    let is_even = is_even_integer;
    for (a, e) in &m.0 {
        let eq = e * q;
        // k with e − 2k in (−1, 1]: the turns the principal logarithm of a^e takes off.
        let k = Q::from(malachite_base::num::arithmetic::traits::Ceiling::ceiling(
            (e - Q::ONE) / Q::from(2u32),
        ));
        let why = if is_even(e) && !is_even(&eq) {
            "a root of an even power of a value whose sign is not known is a power of its absolute value, which an exact scalar does not hold"
        } else if !is_integer(&(&k * q)) {
            "a fractional power of a power of a value whose sign is not known is the value's power only where the value is not negative (a negative number's fractional power is its principal, complex, root), which an exact scalar does not hold"
        } else {
            continue;
        };
        if !atom_known_positive(a) {
            return Err(ScalarError::NotReal(why.into()));
        }
    }
    Ok(())
}

/// Whether an atom's value is known to be positive: primes, π, e, and a function value or group
/// whose sign the exact test decides. (Not exp of anything: exp(π·√λ) is −1 at λ = −1.)
pub(crate) fn atom_known_positive(a: &Atom) -> bool {
    match a {
        Atom::Prime(_) | Atom::Pi | Atom::E => true,
        Atom::Param(_) => false,
        Atom::Func(..) | Atom::Group(_) => {
            let single = Scalar {
                terms: SortedMap::single(Mono(vec![(a.clone(), Q::ONE)]), Q::ONE),
            };
            single.sign() == Some(std::cmp::Ordering::Greater)
        }
    }
}

/// Whether `s` is real for every real value of its parameters by its form: whole powers of
/// parameters, of sums and of functions that are real on the reals, with such arguments
/// (√λ, log(λ), (1 + λ)^(1/2) may not be).
fn real_by_form(s: &Scalar) -> bool {
    s.terms().all(|(m, _)| {
        m.factors().iter().all(|(a, e)| {
            let whole = e.denominator_ref() == &1u32;
            match a {
                Atom::Prime(_) | Atom::Pi | Atom::E => true,
                Atom::Param(_) => whole,
                Atom::Group(g) => (whole || g.params().is_empty()) && real_by_form(g),
                Atom::Func(f, arg) => {
                    (arg.params().is_empty() && atom_known_positive(a))
                        || (whole
                            && matches!(
                                &**f,
                                "abs" | "sign" | "exp" | "sin" | "cos" | "tanh" | "atan" | "erf"
                            )
                            && real_by_form(arg))
                }
            }
        })
    })
}

/// The term `c·m` of an atom `|c·m|`.
fn bar_of_a_term(a: &Atom) -> Option<(&Q, &Mono)> {
    match a {
        Atom::Func(f, arg) if &**f == "abs" => arg.as_monomial(),
        _ => None,
    }
}

/// Whether an integer power of the atom may be no power of it ([`normalize_primes`]): a
/// prime's whole powers, a group of one term, the bar of one term past its first power.
pub(crate) fn folds_at_powers(a: &Atom) -> bool {
    match a {
        Atom::Prime(_) => true,
        Atom::Group(g) => g.len() == 1,
        _ => bar_of_a_term(a).is_some(),
    }
}

/// An exponent that is a whole number, as one.
fn whole_exponent(e: &Q) -> Option<i64> {
    if e.to_denominator() != 1u32 {
        return None;
    }
    let n = i64::try_from(&e.to_numerator()).ok()?;
    Some(if *e < 0u32 { -n } else { n })
}

/// `(c·m)^n`: its rational factor and its monomial.
fn power_of_term(c: &Q, m: &Mono, n: i64) -> (Q, Mono) {
    let (f, power) = m.pow(&Q::from(n));
    (c.clone().pow(n) * f, power)
}

/// Drops zero exponents and moves integer powers of primes into a rational factor.
fn normalize_primes(factors: Vec<(Atom, Q)>) -> (Q, Mono) {
    let mut c = Q::ONE;
    let mut out = Vec::with_capacity(factors.len());
    let mut pending: Vec<Mono> = Vec::new();
    for (a, e) in factors {
        if e == 0u32 {
            continue;
        }
        if let Atom::Prime(p) = a {
            let whole = (&e).floor();
            let frac = &e - Q::from(whole.clone());
            if whole != 0u32 {
                c *= Q::from(p).pow(i64::try_from(&whole).unwrap_or(0));
            }
            if frac != 0u32 {
                out.push((Atom::Prime(p), frac));
            }
        } else if let Atom::Group(g) = &a
            && g.len() == 1
            && let Some(n) = whole_exponent(&e)
            && let Some((gc, gm)) = g.as_monomial()
        {
            // A group of one term (a root of a product kept whole, √(λ·μ)) that reaches an
            // integer power is that term's power: √(λ·μ)² is λ·μ, by its form (from a review,
            // `√(λ·μ)² − λ·μ` did not cancel).
            let (f, m) = power_of_term(gc, gm, n);
            c *= f;
            pending.push(m);
        } else if let Some((bc, bm)) = bar_of_a_term(&a)
            && e != 1u32
            && let Some(n) = whole_exponent(&e)
        {
            // A power of the bar of one term: its even part is the term's power, |λ|² = λ²,
            // and the bar stays to the first power at most, |λ|³ = λ²·|λ| (as `Scalar::abs`
            // writes |λ³|), by its form (√(λ²)² − λ² did not cancel).
            let even = n - n.rem_euclid(2);
            if even != 0 {
                let (f, m) = power_of_term(bc, bm, even);
                c *= f;
                pending.push(m);
            }
            if n != even {
                out.push((a, Q::ONE));
            }
        } else {
            out.push((a, e));
        }
    }
    let mut m = Mono(out);
    for p in pending {
        let (f, product) = m.mul(&p);
        c *= f;
        m = product;
    }
    (c, m)
}

/// A sum of rational multiples of products of prime powers, term by term: the coefficient and
/// each prime with its exponent ([`Scalar::as_radicals`]).
pub type Radicals = Vec<(Q, Vec<(u64, Q)>)>;

/// An exact scalar: a sum of rational multiples of monomials.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Scalar {
    terms: SortedMap<Mono, Q>,
}

/// A sum of rational products kept over a running common denominator, reduced once at the end.
///
/// Adding reduced products costs about four gcds per term (two in the product, one or two in the
/// sum); here a term costs one gcd of denominators, and none when it shares the running
/// denominator. Gcds dominate the series of composed activations, whose coefficients run to
/// hundreds of bits.
#[derive(Clone, Debug)]
pub(crate) struct RationalSum {
    num: malachite_nz::integer::Integer,
    den: Natural,
}

impl Default for RationalSum {
    fn default() -> RationalSum {
        use malachite_base::num::basic::traits::{One, Zero};
        RationalSum {
            num: malachite_nz::integer::Integer::ZERO,
            den: Natural::ONE,
        }
    }
}

impl RationalSum {
    /// Adds x·y.
    pub(crate) fn add_product(&mut self, x: &Q, y: &Q) {
        use malachite_base::num::arithmetic::traits::{DivExact, Gcd};
        use malachite_nz::integer::Integer;
        if *x == 0u32 || *y == 0u32 {
            return;
        }
        let n = x.numerator_ref() * y.numerator_ref();
        let pn = Integer::from_sign_and_abs((*x > 0u32) == (*y > 0u32), n);
        let pd = x.denominator_ref() * y.denominator_ref();
        if pd == self.den {
            self.num += pn;
        } else {
            let g = (&self.den).gcd(&pd);
            let to_den = (&pd).div_exact(&g); // the new denominator is lcm = den·(pd/g)
            let to_pd = (&self.den).div_exact(&g);
            let num = std::mem::take(&mut self.num);
            self.num = num * Integer::from(&to_den) + pn * Integer::from(to_pd);
            self.den *= to_den;
        }
    }
    /// The reduced sum.
    pub(crate) fn finish(self) -> Q {
        Q::from_integers(self.num, malachite_nz::integer::Integer::from(self.den))
    }
}

/// Why a scalar operation has no exact answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScalarError {
    DivisionByZero,
    /// A fractional power of a negative number.
    NotReal(String),
    /// A root of a number too large to factor.
    TooLarge(String),
    /// A pole or a singular point of a function (`tan(π/2)`, `log(0)`).
    Singular(String),
}

impl std::fmt::Display for ScalarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScalarError::DivisionByZero => write!(f, "division by zero"),
            ScalarError::NotReal(s) | ScalarError::TooLarge(s) | ScalarError::Singular(s) => {
                write!(f, "{s}")
            }
        }
    }
}

impl Scalar {
    /// Zero: the empty sum of monomials.
    pub fn zero() -> Scalar {
        Scalar::default()
    }
    /// One: the empty monomial with coefficient 1.
    pub fn one() -> Scalar {
        Scalar::from_q(Q::ONE)
    }
    /// A rational constant.
    pub fn from_q(q: Q) -> Scalar {
        let mut s = Scalar::zero();
        if q != 0u32 {
            s.terms.insert(Mono::one(), q);
        }
        s
    }
    /// An integer constant.
    pub fn from_int(n: i64) -> Scalar {
        Scalar::from_q(Q::from(n))
    }
    /// The rational `n/d`, reduced; `d` must not be zero.
    pub fn ratio(n: i64, d: i64) -> Scalar {
        Scalar::from_q(Q::from_signeds(n, d))
    }
    fn atom(a: Atom, e: Q) -> Scalar {
        let (c, m) = Mono(vec![(a, e)]).pow(&Q::ONE);
        let mut s = Scalar::zero();
        s.terms.insert(m, c);
        s
    }
    /// A parameter (`λ`, `α`) as a symbol: exact, with no value attached.
    pub fn param(n: Name) -> Scalar {
        Scalar::atom(Atom::Param(n), Q::ONE)
    }
    /// The constant π.
    pub fn pi() -> Scalar {
        Scalar::atom(Atom::Pi, Q::ONE)
    }
    /// `e^q`, exactly.
    pub fn e_pow(q: Q) -> Scalar {
        if q == 0u32 {
            Scalar::one()
        } else {
            Scalar::atom(Atom::E, q)
        }
    }

    /// The terms `monomial ↦ rational coefficient`, in monomial order.
    pub fn terms(&self) -> impl Iterator<Item = (&Mono, &Q)> {
        self.terms.iter()
    }
    /// The number of terms (monomials with non-zero coefficient).
    pub fn len(&self) -> usize {
        self.terms.len()
    }
    /// True for zero (the same as [`Scalar::is_zero`]; for `len`'s companion lint).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
    /// True for zero: no term has a zero coefficient, so zero is the empty sum.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }
    /// True when the scalar is exactly the rational 1.
    pub fn is_one(&self) -> bool {
        self.as_q().is_some_and(|q| *q == 1u32)
    }
    /// The value when it is a plain rational (zero included).
    pub fn as_q(&self) -> Option<&Q> {
        static ZERO: Q = Q::ZERO;
        match self.terms.len() {
            0 => Some(&ZERO),
            1 => self.terms.get(&Mono::one()),
            _ => None,
        }
    }
    /// [`Scalar::as_q`], owned.
    pub fn to_q(&self) -> Option<Q> {
        self.as_q().cloned()
    }
    /// `Some((c, m))` when the scalar is the single term `c·m`.
    pub fn as_monomial(&self) -> Option<(&Q, &Mono)> {
        if self.terms.len() == 1 {
            self.terms.iter().next().map(|(m, c)| (c, m))
        } else {
            None
        }
    }

    /// The sum, merging like monomials and dropping cancelled ones.
    pub fn add(&self, other: &Scalar) -> Scalar {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }
    /// Adds `other` in place.
    pub fn add_assign(&mut self, other: &Scalar) {
        // A few terms go in by binary search; more, in one merge of the two sorted lists.
        if other.len() <= 4 {
            for (m, c) in &other.terms {
                self.add_term(m.clone(), c.clone());
            }
        } else {
            self.terms
                .merge_all(other.terms.iter(), |a, b| *a += b, |x| *x != 0u32);
        }
    }
    fn add_term(&mut self, m: Mono, c: Q) {
        self.terms.merge(m, c, |a, b| *a += b, |x| *x != 0u32);
    }
    /// The negation.
    pub fn neg(&self) -> Scalar {
        Scalar {
            terms: self.terms.iter().map(|(m, c)| (m.clone(), -c)).collect(),
        }
    }
    /// The difference.
    pub fn sub(&self, other: &Scalar) -> Scalar {
        self.add(&other.neg())
    }
    /// Every coefficient times `q` (zero for `q` = 0).
    pub fn scale(&self, q: &Q) -> Scalar {
        if *q == 0u32 {
            return Scalar::zero();
        }
        Scalar {
            terms: self.terms.iter().map(|(m, c)| (m.clone(), c * q)).collect(),
        }
    }
    /// The product: a rational factor scales, otherwise monomials multiply pairwise
    /// (exponents of one atom add, radicals of primes reduce) through [`Scalar::sum_of_products`].
    pub fn mul(&self, other: &Scalar) -> Scalar {
        if let Some(q) = other.as_q() {
            return self.scale(q);
        }
        if let Some(q) = self.as_q() {
            return other.scale(q);
        }
        Scalar::sum_of_products(std::iter::once((self, other)))
    }

    /// Σ aᵢ·bᵢ, with each monomial's coefficient summed unreduced ([`RationalSum`]) and
    /// reduced once: the inner loop of every series recurrence and Cauchy product.
    pub fn sum_of_products<'a>(pairs: impl Iterator<Item = (&'a Scalar, &'a Scalar)>) -> Scalar {
        let pairs: Vec<(&Scalar, &Scalar)> = pairs.collect();
        if let Some(s) = packed::sum_of_products(&pairs) {
            return s;
        }
        Scalar::sum_of_products_termwise(&pairs)
    }

    /// b_k = f_k·c·Σ_{j=1…k} s_j·b_{k−j} for k = 1…n (n = `s.len()` − 1; c = 1 when
    /// `common_factor` is `None`), from b₀, with the monomials packed once for the whole
    /// recurrence (the reciprocal's and exp's recurrences of a series); `None` when that does
    /// not apply or pay, or the budget ran out, and the caller's loop of
    /// [`Scalar::sum_of_products`] runs instead.
    pub fn linear_recurrence(
        s: &[Scalar],
        common_factor: Option<&Scalar>,
        b0: &Scalar,
        factor: &dyn Fn(usize) -> Q,
    ) -> Option<Vec<Scalar>> {
        packed::linear_recurrence(s, common_factor, b0, factor)
    }

    /// [`Scalar::sum_of_products`] term by term: each product of monomials merged and placed.
    fn sum_of_products_termwise(pairs: &[(&Scalar, &Scalar)]) -> Scalar {
        let mut acc: SortedMap<Mono, RationalSum> = SortedMap::default();
        for (a, b) in pairs {
            for (ma, ca) in &a.terms {
                // Products of large sums can be long: stop when the active budget runs out
                // (the caller that entered the budget reports it; see `limits::interrupted`).
                if crate::limits::interrupted() {
                    break;
                }
                for (mb, cb) in &b.terms {
                    if ma.0.is_empty() {
                        acc.get_or_insert_with(mb.clone(), RationalSum::default)
                            .add_product(ca, cb);
                    } else if mb.0.is_empty() {
                        acc.get_or_insert_with(ma.clone(), RationalSum::default)
                            .add_product(ca, cb);
                    } else {
                        let (f, m) = ma.mul(mb);
                        acc.get_or_insert_with(m, RationalSum::default)
                            .add_product(&(f * ca), cb);
                    }
                }
            }
        }
        Scalar {
            terms: acc
                .into_entries()
                .map(|(m, s)| (m, s.finish()))
                .filter(|(_, c)| *c != 0u32)
                .collect(),
        }
    }

    /// The reciprocal: exact for a monomial, a [`Atom::Group`] for a sum.
    pub fn inverse(&self) -> Result<Scalar, ScalarError> {
        self.pow(&Q::from(-1))
    }

    /// The quotient `self · other⁻¹`; fails when [`Scalar::inverse`] of `other` does.
    pub fn div(&self, other: &Scalar) -> Result<Scalar, ScalarError> {
        Ok(self.mul(&other.inverse()?))
    }

    /// The size checks of [`Scalar::pow`] for the power `self^n`, `n` ≥ 0, without computing it,
    /// for a product that builds it another way (a series' power by squaring holds `self^n` as
    /// its constant term): a coefficient beyond [`MAX_POWER_BITS`] bits or a sum expanding to
    /// more than [`MAX_POWER_TERMS`] monomials is an error. Unlike `pow` no exponent is too
    /// large in itself: a monomial's coefficient grows by about log₂|numerator| + log₂
    /// denominator bits a power (nothing for ±1, so `(1 + t)^(10¹⁴)` stays cheap), and a
    /// prime's whole powers move into it.
    pub(crate) fn check_integer_power(&self, n: u64) -> Result<(), ScalarError> {
        use malachite_base::num::logic::traits::SignificantBits;
        if self.is_zero() || n <= 1 {
            return Ok(());
        }
        if let Some((c, m)) = self.as_monomial() {
            let per_power = (c.numerator_ref().significant_bits() - 1)
                + (c.denominator_ref().significant_bits() - 1);
            let bits = n.saturating_mul(per_power);
            return check_bits(bits.saturating_add(prime_bits(m, &Q::from(n))), "power");
        }
        self.check_sum_power(n)
    }

    /// A sum to the power `n`: (a₁ + … + a_t)^n has at most C(n + t − 1, t − 1) monomials,
    /// each coefficient at most n·(bits + log₂ t) bits.
    fn check_sum_power(&self, n: u64) -> Result<(), ScalarError> {
        let t = self.len() as u64;
        if monomials_of_power(t, n) > MAX_POWER_TERMS {
            return Err(ScalarError::TooLarge(format!(
                "a sum of {t} terms to the power {n} has too many terms to expand (more than {MAX_POWER_TERMS})"
            )));
        }
        check_bits(
            n.saturating_mul(self.max_bits().saturating_add(bits_u64(t))),
            "power",
        )
    }

    /// `self^q` for a rational `q`. Integer powers of sums expand; other powers of sums become groups.
    ///
    /// The size of the result is estimated before anything is computed: an exponent beyond
    /// [`MAX_EXPONENT`], a coefficient beyond [`MAX_POWER_BITS`] bits or a sum expanding to more
    /// than [`MAX_POWER_TERMS`] monomials is an error, not an allocation that never ends.
    pub fn pow(&self, q: &Q) -> Result<Scalar, ScalarError> {
        check_exponent(q)?;
        if self.is_zero() {
            return if *q > 0u32 {
                Ok(Scalar::zero())
            } else if *q == 0u32 {
                Ok(Scalar::one())
            } else {
                Err(ScalarError::DivisionByZero)
            };
        }
        if *q == 0u32 {
            return Ok(Scalar::one());
        }
        if let Some((c, m)) = self.as_monomial() {
            check_bits(prime_bits(m, q), "power")?;
            // A fractional power of a product of two factors that may both be negative is not
            // the product of their powers: √(λ·μ) is 1 at λ = μ = −1, √λ·√μ is −1 (from a
            // review: √(λ·tanh(λ)) − √λ·√tanh(λ) was 0). It is kept whole, as a group.
            if q.to_denominator() != 1u32
                && m.maybe_negative_factors() + usize::from(*c < 0u32) >= 2
            {
                let lead = malachite_base::num::arithmetic::traits::Abs::abs(c.clone());
                let inner = self.scale(&(Q::ONE / &lead));
                return Ok(rational_power(&lead, q)?
                    .mul(&Scalar::atom(Atom::Group(Rc::new(inner)), q.clone())));
            }
            // A root of an even power is one of the absolute value: √(λ²) = |λ|, (λ²)^(3/2) =
            // |λ|³, √(λ²·μ) = |λ|·√μ (it was refused, though |λ| is a value a scalar holds).
            let absolute = |(a, e): &(Atom, Q)| {
                is_even_integer(e) && !is_even_integer(&(e * q)) && !atom_known_positive(a)
            };
            if q.to_denominator() != 1u32 && m.0.iter().any(absolute) {
                let mut out = rational_power(c, q)?;
                for (a, e) in &m.0 {
                    let part = if absolute(&(a.clone(), e.clone())) {
                        Scalar::atom(a.clone(), Q::ONE).abs().pow(&(e * q))?
                    } else {
                        Scalar::atom(a.clone(), e.clone()).pow(q)?
                    };
                    out = out.mul(&part);
                }
                return Ok(out);
            }
            if q.to_denominator() != 1u32 {
                root_of_power(m, q)?;
            }
            let mut out = rational_power(c, q)?;
            let (f, m) = m.pow(q);
            out = out.scale(&f);
            return Ok(out.mul(&Scalar {
                terms: SortedMap::single(m, Q::ONE),
            }));
        }
        let integer = q.to_denominator() == 1u32;
        if integer && *q > 0u32 {
            let n = u64::try_from(&q.to_numerator())
                .map_err(|_| ScalarError::TooLarge("power too large".into()))?;
            self.check_sum_power(n)?;
            let t = self.len() as u64;
            // The last squaring multiplies two halves term by term.
            let half = monomials_of_power(t, n / 2);
            if half.saturating_mul(monomials_of_power(t, n - n / 2)) > MAX_POWER_PAIRS {
                return Err(ScalarError::TooLarge(format!(
                    "expanding a sum of {t} terms to the power {n} takes more than {MAX_POWER_PAIRS} products of terms"
                )));
            }
            let mut out = Scalar::one();
            let mut base = self.clone();
            let mut n = n;
            while n > 0 {
                if crate::limits::interrupted() {
                    // The caller that entered the budget reports it; see `limits::interrupted`.
                    break;
                }
                if n & 1 == 1 {
                    out = out.mul(&base);
                }
                n >>= 1;
                if n > 0 {
                    base = base.mul(&base);
                }
            }
            return Ok(out);
        }
        if q.to_denominator() == 2u32
            && let Some(root) = self.denested_square_root()
        {
            return root.pow(&(q * Q::from(2u32)));
        }
        if !integer && self.sign() == Some(std::cmp::Ordering::Less) {
            return Err(ScalarError::NotReal(
                "a fractional power of a negative number is not real".into(),
            ));
        }
        // A sum under a negative or fractional power: factor out the first coefficient, keep a group.
        let lead = self.terms.values().next().cloned().unwrap_or(Q::ONE);
        let lead = if integer {
            lead
        } else {
            malachite_base::num::arithmetic::traits::Abs::abs(lead)
        };
        let inner = self.scale(&(Q::ONE / &lead));
        if let Some((Atom::Group(g), e)) = inner
            .as_monomial()
            .and_then(|(_, m)| m.0.first().cloned().filter(|_| m.0.len() == 1))
        {
            return Ok(rational_power(&lead, q)?.mul(&Scalar::atom(Atom::Group(g), e * q)));
        }
        Ok(rational_power(&lead, q)?.mul(&Scalar::atom(Atom::Group(Rc::new(inner)), q.clone())))
    }

    /// √(a + b·√d) without the nested root, when there is one: √x + sgn(b)·√y with
    /// x, y = (a ± k)/2, where a² − b²·d = k² for a rational k ≥ 0 (a, b rational, a > 0, d a
    /// product of primes): (√x ± √y)² = a ± 2·√(x·y) = a ± |b|·√d. `√(3 + 2·√2) = 1 + √2`,
    /// which a root of a parameter substituted at a condition's value needs to be seen to be
    /// one (√λ at λ = 3 + 2·√2, a zero of λ − 2·√λ − 1). `None` for any other sum.
    fn denested_square_root(&self) -> Option<Scalar> {
        let half = Q::from_signeds(1, 2);
        let terms = self.as_radicals()?;
        let [(c0, p0), (c1, p1)] = terms.as_slice() else {
            return None;
        };
        let (a, b, primes) = match (p0.is_empty(), p1.is_empty()) {
            (true, false) => (c0, c1, p1),
            (false, true) => (c1, c0, p0),
            _ => return None,
        };
        if *a <= 0u32 || !primes.iter().all(|(_, e)| *e == half) {
            return None;
        }
        let d = (primes.iter()).fold(Q::ONE, |d, (p, _)| d * Q::from(*p));
        let disc = a * a - b * b * d;
        if disc < 0u32 {
            return None;
        }
        let k = rational_power(&disc, &half).ok()?.as_q()?.clone();
        let x = rational_power(&((a + &k) / Q::from(2u32)), &half).ok()?;
        let y = rational_power(&((a - &k) / Q::from(2u32)), &half).ok()?;
        Some(if *b > 0u32 { x.add(&y) } else { x.sub(&y) })
    }

    /// An opaque function value `f(arg)`, with no simplification.
    pub fn opaque(name: &str, arg: &Scalar) -> Scalar {
        Scalar::atom(Atom::Func(Rc::from(name), Rc::new(arg.clone())), Q::ONE)
    }

    /// A function value, exact at the points where it is known (`sin(π) = 0`,
    /// `cos(π/3) = ½`, `tan(π/4) = 1`, `exp(log 2) = 2`, `log(e²) = 2`), opaque elsewhere;
    /// an error at a pole or outside the real domain (`tan(π/2)`, `log(0)`, `log(−1)`).
    pub fn func(name: &str, arg: &Scalar) -> Result<Scalar, ScalarError> {
        // exp and tanh of c·log(q) are algebraic in q: exp(log 2) = 2, tanh(log 2) = 3/5.
        if let Some(p) = arg
            .as_rational_log()
            .and_then(|(c, q)| rational_power(&q, &c).ok())
        {
            match name {
                "exp" => return Ok(p),
                "tanh" => {
                    if let Some(e2) = p.mul(&p).as_q().cloned() {
                        return Ok(Scalar::from_q((&e2 - Q::ONE) / (e2 + Q::ONE)));
                    }
                }
                _ => {}
            }
        }
        // 0 by its form, or a constant decided 0 exactly (σ(1) + σ(−1) − 1): tanh of it is 0,
        // not an opaque value that later comparisons cannot tell from 0.
        let z = arg.is_zero() || arg.is_constant_zero();
        if z && name == "exp" {
            return Ok(Scalar::one());
        }
        let one = arg.is_one();
        if let Some(r) = arg.as_pi_multiple() {
            match name {
                "sin" => {
                    if let Some(v) = sin_pi(&r) {
                        return Ok(v);
                    }
                }
                "cos" => {
                    if let Some(v) = sin_pi(&(&r + Q::from_signeds(1, 2))) {
                        return Ok(v);
                    }
                }
                "tan" => {
                    let (sn, cs) = (sin_pi(&r), sin_pi(&(&r + Q::from_signeds(1, 2))));
                    if let Some(c) = &cs
                        && c.is_zero()
                    {
                        let (n, d) = (r.to_numerator(), r.to_denominator());
                        let sign = if r < 0u32 { "−" } else { "" };
                        let n = if n == 1u32 {
                            String::new()
                        } else {
                            n.to_string()
                        };
                        return Err(ScalarError::Singular(format!(
                            "tan has a pole at {sign}{n}π/{d}"
                        )));
                    }
                    if let (Some(sn), Some(cs)) = (sn, cs) {
                        return sn.div(&cs);
                    }
                }
                _ => {}
            }
        }
        match name {
            "sin" | "tan" | "tanh" | "atan" | "erf" | "sinh" | "asinh" if z => Ok(Scalar::zero()),
            "cos" | "cosh" if z => Ok(Scalar::one()),
            "atan" if one => Ok(Scalar::pi().scale(&Q::from_signeds(1, 4))),
            "atan" if arg.as_q().is_some_and(|q| *q == -1i32) => {
                Ok(Scalar::pi().scale(&Q::from_signeds(-1, 4)))
            }
            "log" if one => Ok(Scalar::zero()),
            "log" => {
                match arg.sign() {
                    Some(std::cmp::Ordering::Equal) => {
                        return Err(ScalarError::Singular("log is singular at 0".into()));
                    }
                    Some(std::cmp::Ordering::Less) => {
                        return Err(ScalarError::NotReal(
                            "log of a negative number is not real".into(),
                        ));
                    }
                    _ => {}
                }
                // log(e^q) = q.
                if let Some((c, m)) = arg.as_monomial()
                    && *c == 1u32
                    && let [(Atom::E, q)] = m.0.as_slice()
                {
                    return Ok(Scalar::from_q(q.clone()));
                }
                Ok(Scalar::opaque(name, arg))
            }
            "exp" => {
                // exp(q + r) = e^q · exp(r): the rational part becomes a power of e.
                let q = arg.terms.get(&Mono::one()).cloned().unwrap_or(Q::ZERO);
                let mut rest = arg.clone();
                rest.terms.remove(&Mono::one());
                let ep = Scalar::e_pow(q);
                Ok(if rest.is_zero() {
                    ep
                } else if !rest.params().is_empty() && leads_negative(&rest) {
                    // exp(−r) = exp(r)⁻¹: exp(λ)·exp(−λ) is 1 by its form. (Only with a
                    // parameter, where the form decides: a constant's zero is the sign test's,
                    // and a composed sigmoid keeps its e^(−κ) constants as they read.)
                    let atom = Atom::Func(Rc::from("exp"), Rc::new(rest.neg()));
                    ep.mul(&Scalar::atom(atom, Q::from(-1)))
                } else {
                    ep.mul(&Scalar::opaque("exp", &rest))
                })
            }
            "sqrt" => arg.pow(&Q::from_signeds(1, 2)),
            "abs" => Ok(arg.abs()),
            // sign(0) = 0, and ±1 where the sign is decided exactly: a parameter's `sign(λ)`
            // substituted at λ = 0 vanishes (it stayed the opaque `sign(0)`).
            // A constant whose sign the exact test does not decide, 0 to 8192 bits but not by
            // any exact rule (tan(π/8) − √2 + 1) or closer to 0 than 8192 bits tell
            // (tanh(2500) − 1): its sign, 0 or ±1, is not decided. Kept as a value it was
            // taken from the floats' last bits (1 for the first, 0 at the identity test's 256
            // bits for the second; from two reviews).
            "sign" => match arg.sign() {
                Some(o) => Ok(Scalar::from_int(o as i64)),
                None if arg.params().is_empty() => Err(ScalarError::Singular(
                    "sign jumps at 0, and its argument is a constant too close to 0 for its sign to be decided (undecided at 8192 bits, and not 0 by any exact rule)".into(),
                )),
                None if by_parity(arg) => Ok(Scalar::opaque(name, &arg.neg()).neg()),
                None => Ok(Scalar::opaque(name, arg)),
            },
            // An odd or even function of an argument with a parameter whose first term is
            // negative is written through the negated argument: f(−a) and f(a) are one atom, tanh(λ) +
            // tanh(−λ) is 0 by its form (from a review, a slope 1 + tanh(λ) + tanh(−λ) made
            // leaky_relu a kink "for generic λ").
            "sin" | "tan" | "tanh" | "atan" | "erf" | "sinh" | "asinh" if by_parity(arg) => {
                Ok(Scalar::opaque(name, &arg.neg()).neg())
            }
            "cos" | "cosh" if by_parity(arg) => Ok(Scalar::opaque(name, &arg.neg())),
            _ => Ok(Scalar::opaque(name, arg)),
        }
    }

    /// `|s|`: exact when the sign is known, else the opaque value `abs(s)`; a product factor by
    /// factor, so that `|λ²| = λ²`, `|−3·λ³·μ| = 3·λ²·|λ|·|μ|`.
    pub fn abs(&self) -> Scalar {
        match self.sign() {
            Some(std::cmp::Ordering::Less) => self.neg(),
            // 0 written as 0 (a constant can be 0 without being so by its form).
            Some(std::cmp::Ordering::Equal) => Scalar::zero(),
            Some(_) => self.clone(),
            None => match self.as_monomial() {
                Some((c, m)) => Scalar::abs_of_monomial(c, m),
                None if self.nonnegative_by_form() => self.clone(),
                // The rational content comes out, with the sign that makes the last term
                // positive: |½ + ½·λ| = ½·|1 + λ|, |4 − λ| = |λ − 4|.
                None => {
                    let mut content = self.content();
                    if self.terms().last().is_some_and(|(_, c)| *c < 0u32) {
                        content = -content;
                    }
                    if content == 1u32 {
                        Scalar::opaque("abs", self)
                    } else {
                        let size =
                            malachite_base::num::arithmetic::traits::Abs::abs(content.clone());
                        Scalar::opaque("abs", &self.scale(&(Q::ONE / &content))).scale(&size)
                    }
                }
            },
        }
    }

    /// A sum of positive multiples of products ≥ 0 by their forms (λ², ½·|λ|, 1 + exp(λ)).
    pub(crate) fn nonnegative_by_form(&self) -> bool {
        self.terms().all(|(m, c)| {
            let term = Scalar::monomial(c.clone(), m.clone());
            *c > 0u32 && (m.is_one() || term.abs() == term)
        })
    }

    /// The product of parameters' and functions' whole positive powers that every one of
    /// `scalars`, each one monomial, holds (λ of ½·λ² and ½·λ·|λ|); `None` when one is no
    /// monomial or they share none.
    pub(crate) fn common_monomial<'a>(scalars: impl Iterator<Item = &'a Scalar>) -> Option<Scalar> {
        let whole = |e: &Q| *e > 0u32 && e.denominator_ref() == &1u32;
        let mut common: Option<Vec<(Atom, Q)>> = None;
        for s in scalars {
            let (_, m) = s.as_monomial()?;
            let factors = m.factors().iter().filter(|(_, e)| whole(e));
            common = Some(match common {
                None => factors.cloned().collect(),
                Some(c) => c
                    .into_iter()
                    .filter_map(|(a, e)| {
                        let (_, f) = factors.clone().find(|(b, _)| *b == a)?;
                        Some((a, if *f < e { f.clone() } else { e }))
                    })
                    .collect(),
            });
        }
        let common = common.filter(|c| !c.is_empty())?;
        Some(Scalar::monomial(Q::ONE, Mono::from_sorted_factors(common)))
    }

    /// The gcd of the coefficients' numerators over the lcm of their denominators (> 0; 1 for 0).
    fn content(&self) -> Q {
        use malachite_base::num::arithmetic::traits::{Gcd, Lcm};
        let mut num = Natural::ZERO;
        let mut den = Natural::ONE;
        for (_, c) in self.terms() {
            num = (&num).gcd(c.numerator_ref());
            den = (&den).lcm(c.denominator_ref());
        }
        if num == 0u32 {
            return Q::ONE;
        }
        Q::from_naturals(num, den)
    }

    /// `|c·Π aᵢ^eᵢ| = |c|·Π |aᵢ^eᵢ|`: a factor of known sign keeps or loses it, an even power
    /// is its own size, and an odd one `a^k` is `a^(k−1)·|a|`.
    fn abs_of_monomial(c: &Q, m: &Mono) -> Scalar {
        use malachite_base::num::arithmetic::traits::{Abs, Parity};
        let mut out = Scalar::from_q(c.clone().abs());
        for (atom, e) in m.factors() {
            let power = |k: &Q| Scalar::monomial(Q::from(1), Mono(vec![(atom.clone(), k.clone())]));
            let factor = power(e);
            // Values ≥ 0, which the sign test (parameters generic, 0 not excluded) does not say:
            // a bar, and exp of an argument real for every real value of the parameters (not
            // exp(π·√λ), −1 at λ = −1; `atom_known_positive`).
            let nonnegative = match atom {
                Atom::Func(f, _) if &**f == "abs" => true,
                Atom::Func(f, arg) if &**f == "exp" => real_by_form(arg),
                _ => false,
            };
            let size = match factor.sign() {
                _ if nonnegative => factor,
                Some(std::cmp::Ordering::Less) => factor.neg(),
                Some(std::cmp::Ordering::Equal) => return Scalar::zero(),
                Some(_) => factor,
                None if e.denominator_ref() == &1u32 && e.numerator_ref().even() => factor,
                None if e.denominator_ref() == &1u32 => {
                    let bar = Scalar::opaque("abs", &power(&Q::from(1)));
                    let even = e.clone() - Q::from(1);
                    if even == 0u32 {
                        bar
                    } else {
                        power(&even).mul(&bar)
                    }
                }
                None => Scalar::opaque("abs", &factor),
            };
            out = out.mul(&size);
        }
        out
    }

    /// A constant, not 0 by its form, that the exact sign test decides is 0 (σ(1) + σ(−1) − 1);
    /// false for rationals and anything with a parameter (taken generic).
    pub fn is_constant_zero(&self) -> bool {
        super::sign::is_constant_zero(self)
    }

    /// `Some(r)` when the scalar is exactly `r·π` for a rational `r`.
    fn as_pi_multiple(&self) -> Option<Q> {
        let (c, m) = self.as_monomial()?;
        match m.0.as_slice() {
            [(Atom::Pi, e)] if *e == 1u32 => Some(c.clone()),
            _ => None,
        }
    }

    /// The scalar as a polynomial in one parameter: exponent ↦ coefficient (free of that parameter
    /// only where the parameter does not also hide inside a function value or group).
    pub fn coefficients_in(&self, p: &Name) -> BTreeMap<Q, Scalar> {
        let mut out: BTreeMap<Q, Scalar> = BTreeMap::new();
        for (m, c) in &self.terms {
            let mut e = Q::ZERO;
            let mut rest = Vec::new();
            for (a, x) in &m.0 {
                match a {
                    Atom::Param(n) if n == p => e = x.clone(),
                    a => rest.push((a.clone(), x.clone())),
                }
            }
            out.entry(e).or_default().add_term(Mono(rest), c.clone());
        }
        out.retain(|_, s| !s.is_zero());
        out
    }

    /// The scalar as a sum of rational multiples of products of prime powers, `½ + ½·√5` as
    /// `[(½, []), (½, [(5, ½)])]`: `None` when it holds anything else (π, a parameter, a
    /// function value).
    pub fn as_radicals(&self) -> Option<Radicals> {
        (self.terms.iter())
            .map(|(m, c)| {
                let primes = (m.0.iter())
                    .map(|(a, x)| match a {
                        Atom::Prime(p) => Some((*p, x.clone())),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some((c.clone(), primes))
            })
            .collect()
    }

    /// `Some((c, q))` when the scalar is `c·log(q)` for rationals `c` and `q > 0`.
    fn as_rational_log(&self) -> Option<(Q, Q)> {
        let (c, m) = self.as_monomial()?;
        match m.0.as_slice() {
            [(Atom::Func(f, a), e)] if &**f == "log" && *e == 1u32 => {
                let q = a.as_q()?;
                (*q > 0u32).then(|| (c.clone(), q.clone()))
            }
            _ => None,
        }
    }

    /// The symbolic parameters that occur.
    pub fn params(&self) -> BTreeSet<Name> {
        let mut out = BTreeSet::new();
        self.collect_params(&mut out);
        out
    }
    fn collect_params(&self, out: &mut BTreeSet<Name>) {
        for m in self.terms.keys() {
            for (a, _) in &m.0 {
                match a {
                    Atom::Param(n) => {
                        out.insert(n.clone());
                    }
                    Atom::Func(_, s) | Atom::Group(s) => s.collect_params(out),
                    _ => {}
                }
            }
        }
    }
    /// Each term as a scalar of its own, in canonical order.
    pub(crate) fn monomial_terms(&self) -> impl Iterator<Item = Scalar> + '_ {
        self.terms.iter().map(|(m, c)| Scalar {
            terms: SortedMap::single(m.clone(), c.clone()),
        })
    }
    /// True when an opaque value (`tanh(1/2)`) occurs, so zero tests are structural.
    pub fn has_opaque(&self) -> bool {
        self.terms.keys().any(|m| {
            m.0.iter()
                .any(|(a, _)| matches!(a, Atom::Func(..) | Atom::Group(_)))
        })
    }

    /// Replaces a parameter by a value.
    pub fn substitute(&self, name: &Name, value: &Scalar) -> Result<Scalar, ScalarError> {
        // Every term's product gathered, then sorted and summed once: added one at a time, a
        // term that cancels one already placed is removed from the middle of the sorted list,
        // and λ₀ + … + λₙ with λ₀ := −(λ₁ + … + λₙ) took time quadratic in n per substitution
        // (from a review: a sum of 4 000 terms λᵢ·μ·x ran into the time budget).
        let mut pieces: Vec<(Mono, Q)> = Vec::new();
        let mut kept: Vec<(Atom, Q)> = Vec::new();
        for (m, c) in &self.terms {
            // The factors the substitution leaves as they are stay one monomial (a subset of a
            // canonical monomial's factors is canonical): multiplying them back one by one cost
            // the square of its length, for each parameter (from a review, conditions on a
            // product of 400 parameters took 0.6 s, cubic).
            kept.clear();
            let mut t = Scalar::one();
            for (a, e) in &m.0 {
                let f = match a {
                    Atom::Param(n) if n == name => value.pow(e)?,
                    Atom::Func(f, s) => Scalar::func(f, &s.substitute(name, value)?)?.pow(e)?,
                    Atom::Group(s) => s.substitute(name, value)?.pow(e)?,
                    a => {
                        kept.push((a.clone(), e.clone()));
                        continue;
                    }
                };
                t = t.mul(&f);
            }
            let rest = Scalar::monomial(c.clone(), Mono::from_sorted_factors(kept.clone()));
            pieces.extend(rest.mul(&t).terms.into_entries());
        }
        Ok(Scalar::from_distinct_terms(summed(pieces)))
    }

    /// The sign, when it is certain (see [`super::sign`]: exact for rationals and positive
    /// constants, ball evaluation at growing precision for other constants, `None` otherwise).
    pub fn sign(&self) -> Option<std::cmp::Ordering> {
        super::sign::sign(self)
    }

    /// The sum of these terms: distinct monomials, non-zero coefficients.
    pub(crate) fn from_distinct_terms(terms: Vec<(Mono, Q)>) -> Scalar {
        debug_assert!(terms.iter().all(|(_, c)| *c != 0u32));
        Scalar {
            terms: terms.into_iter().collect(),
        }
    }

    /// The single term `c·m`.
    pub fn monomial(c: Q, m: Mono) -> Scalar {
        let mut s = Scalar::zero();
        if c != 0u32 {
            s.terms.insert(m, c);
        }
        s
    }

    /// The bit size of the largest coefficient (numerator plus denominator).
    pub fn max_bits(&self) -> u64 {
        use malachite_base::num::logic::traits::SignificantBits;
        self.terms
            .values()
            .map(|c| c.numerator_ref().significant_bits() + c.denominator_ref().significant_bits())
            .max()
            .unwrap_or(0)
    }
}

/// `sin(r·π)` where it is a known algebraic number (r a multiple of 1/6 or 1/4), else `None`.
fn sin_pi(r: &Q) -> Option<Scalar> {
    // Reduce to [0, 2), then to [0, ½] with the sign: sin((1 + r)π) = −sin(rπ), sin((1 − r)π) = sin(rπ).
    let two = Q::from(2);
    let mut r = r - Q::from((r / &two).floor()) * &two;
    let mut sign = Q::ONE;
    if r >= 1u32 {
        r -= Q::ONE;
        sign = -sign;
    }
    if r > Q::from_signeds(1, 2) {
        r = Q::ONE - r;
    }
    let half = Q::from_signeds(1, 2);
    let v = if r == 0u32 {
        Scalar::zero()
    } else if r == Q::from_signeds(1, 6) {
        Scalar::from_q(half)
    } else if r == Q::from_signeds(1, 4) {
        rational_power(&Q::from(2), &half).ok()?.scale(&half)
    } else if r == Q::from_signeds(1, 3) {
        rational_power(&Q::from(3), &half).ok()?.scale(&half)
    } else if r == half {
        Scalar::one()
    } else {
        return None;
    };
    Some(v.scale(&sign))
}

/// Largest numerator or denominator of an exponent of exact arithmetic.
pub(crate) const MAX_EXPONENT: u64 = 1 << 24;

/// Largest coefficient a power may produce, in bits (numerator plus denominator); the same
/// default as the limit `max_coefficient_bits`.
pub(crate) const MAX_POWER_BITS: u64 = 1 << 20;

/// Most monomials an integer power of a sum may expand to; the default of `max_terms`.
pub(crate) const MAX_POWER_TERMS: u64 = 100_000;

/// Most products of terms in the last step of expanding a power of a sum (a few seconds).
pub(crate) const MAX_POWER_PAIRS: u64 = 4_000_000;

fn check_exponent(q: &Q) -> Result<(), ScalarError> {
    use malachite_base::num::logic::traits::SignificantBits;
    let (n, d) = (q.to_numerator(), q.to_denominator());
    let fits = |x: &Natural| {
        x.significant_bits() <= 64 && u64::try_from(x).is_ok_and(|v| v <= MAX_EXPONENT)
    };
    if fits(&n) && fits(&d) {
        Ok(())
    } else {
        Err(ScalarError::TooLarge(format!(
            "the exponent {q} is too large (at most {MAX_EXPONENT} in numerator and denominator)"
        )))
    }
}

fn check_bits(bits: u64, what: &str) -> Result<(), ScalarError> {
    if bits > MAX_POWER_BITS {
        Err(ScalarError::TooLarge(format!(
            "the {what} would have about {bits} bits; the limit is {MAX_POWER_BITS} bits (`max_coefficient_bits`)"
        )))
    } else {
        Ok(())
    }
}

/// The bits whole powers of primes add to the coefficient of `m^q` (`(√2)^(2k+1) = 2^k·√2`).
fn prime_bits(m: &Mono, q: &Q) -> u64 {
    let mut bits = 0u64;
    for (a, e) in m.factors() {
        if let Atom::Prime(p) = a {
            let whole = magnitude(&(e * q)).saturating_add(1);
            bits = bits.saturating_add(whole.saturating_mul(bits_u64(*p)));
        }
    }
    bits
}

/// ⌈|q|⌉, saturating: how many whole multiples an exponent stands for.
fn magnitude(q: &Q) -> u64 {
    use malachite_base::num::arithmetic::traits::Ceiling;
    let a = malachite_base::num::arithmetic::traits::Abs::abs(q.clone());
    u64::try_from(&Ceiling::ceiling(a)).unwrap_or(u64::MAX)
}

fn bits_u64(x: u64) -> u64 {
    u64::from(64 - x.leading_zeros())
}

fn bits_of(x: &Q) -> u64 {
    use malachite_base::num::logic::traits::SignificantBits;
    x.numerator_ref().significant_bits() + x.denominator_ref().significant_bits()
}

/// C(n + t − 1, t − 1), saturating: the number of monomials of degree n in t variables.
fn monomials_of_power(t: u64, n: u64) -> u64 {
    if t <= 1 {
        return 1;
    }
    let k = (t - 1).min(n);
    let top = n.saturating_add(t - 1);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c * u128::from(top - i) / u128::from(i + 1);
        if c > u128::from(u64::MAX) {
            return u64::MAX;
        }
    }
    c as u64
}

/// A rational to the power `q`, exact: `8^(1/2) = 2·√2`.
pub(crate) fn rational_power(base: &Q, q: &Q) -> Result<Scalar, ScalarError> {
    if *base == 0u32 {
        return Scalar::zero().pow(q);
    }
    check_exponent(q)?;
    check_bits(bits_of(base).saturating_mul(magnitude(q)), "power")?;
    let den = q.to_denominator();
    if den == 1u32 {
        let n = i64::try_from(&q.to_numerator())
            .map_err(|_| ScalarError::TooLarge("power too large".into()))?;
        let n = if *q < 0u32 { -n } else { n };
        return Ok(Scalar::from_q(base.clone().pow(n)));
    }
    if *base < 0u32 {
        return Err(ScalarError::NotReal(format!(
            "the power ({base})^({q}) is not real: a fractional power of a negative number is taken as the principal (complex) root; for the real root of an odd root write −(…)^({q}) of the positive number"
        )));
    }
    let mut factors: Vec<(Atom, Q)> = Vec::new();
    for (part, sign) in [(base.to_numerator(), 1i64), (base.to_denominator(), -1i64)] {
        for (p, e) in factorize(&part)? {
            factors.push((Atom::Prime(p), Q::from(e as i64 * sign) * q));
        }
    }
    factors.sort_by(|a, b| a.0.cmp(&b.0));
    let (c, m) = normalize_primes(factors);
    let mut s = Scalar::zero();
    s.terms.insert(m, c);
    Ok(s)
}

/// Prime factorization by trial division, for numbers that fit in 64 bits.
fn factorize(n: &Natural) -> Result<Vec<(u64, u32)>, ScalarError> {
    let mut n = u64::try_from(n).map_err(|_| {
        ScalarError::TooLarge(format!("cannot take a root of {n}: too large to factor"))
    })?;
    let mut out = Vec::new();
    let mut p = 2u64;
    while p.saturating_mul(p) <= n {
        if p > 1_000_000 {
            return Err(ScalarError::TooLarge(format!(
                "cannot take a root of {n}: too large to factor"
            )));
        }
        let mut e = 0;
        while n % p == 0 {
            n /= p;
            e += 1;
        }
        if e > 0 {
            out.push((p, e));
        }
        p += if p == 2 { 1 } else { 2 };
    }
    if n > 1 {
        out.push((n, 1));
    }
    Ok(out)
}

/// Terms with their equal monomials summed and the cancelled ones dropped, sorted: one sort,
/// where adding them one at a time into a sorted list is quadratic in their number.
fn summed(mut terms: Vec<(Mono, Q)>) -> Vec<(Mono, Q)> {
    // Equal monomials are summed next, in any order: an unstable sort does.
    terms.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    let mut merged: Vec<(Mono, Q)> = Vec::with_capacity(terms.len());
    for (m, c) in terms {
        match merged.last_mut() {
            Some(last) if last.0 == m => last.1 += c,
            _ => merged.push((m, c)),
        }
    }
    merged.retain(|(_, c)| *c != 0u32);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::from_signeds(n, d)
    }

    #[test]
    fn square_roots_multiply_exactly() {
        let r2 = rational_power(&q(2, 1), &q(1, 2)).unwrap();
        assert_eq!(r2.mul(&r2), Scalar::from_int(2));
        let r8 = rational_power(&q(8, 1), &q(1, 2)).unwrap();
        assert_eq!(r8, r2.scale(&q(2, 1)));
        let inv = rational_power(&q(2, 1), &q(-1, 2)).unwrap();
        assert_eq!(inv.mul(&r2), Scalar::one());
    }

    /// Nested square roots that denest do: √(3 + 2·√2) = 1 + √2, √(5 − 2·√6) = √3 − √2, and
    /// (3 + 2·√2)^(3/2) = (1 + √2)³; √(2 + √2) has no such form and stays a root of a sum.
    #[test]
    fn nested_square_roots_denest() {
        let r = |n: i64| rational_power(&q(n, 1), &q(1, 2)).unwrap();
        let sum = Scalar::from_int(3).add(&r(2).scale(&q(2, 1)));
        let one_plus = Scalar::one().add(&r(2));
        assert_eq!(sum.pow(&q(1, 2)).unwrap(), one_plus);
        let cube = one_plus.mul(&one_plus).mul(&one_plus);
        assert_eq!(sum.pow(&q(3, 2)).unwrap(), cube);
        let diff = Scalar::from_int(5).sub(&r(6).scale(&q(2, 1)));
        assert_eq!(diff.pow(&q(1, 2)).unwrap(), r(3).sub(&r(2)));
        let nested = Scalar::from_int(2).add(&r(2)).pow(&q(1, 2)).unwrap();
        assert!(nested.as_q().is_none() && nested.len() == 1, "{nested:?}");
    }

    /// `(a^e)^q = a^(e·q)` only where it holds for every real a: `(λ³)^(1/3)` is λ for λ ≥ 0
    /// but the principal (complex) root of a negative λ³, and `(λ²)^(1/2)` is |λ| (written so); roots of a
    /// root, `(λ^(1/3))³`, and powers whose square is taken first, `(λ⁶)^(1/3)`, are exact.
    #[test]
    fn a_root_of_a_power_is_the_power_only_where_every_sign_agrees() {
        let l = Scalar::param(Name::new("λ", ""));
        let refused = |base: &Scalar, e: Q| matches!(base.pow(&e), Err(ScalarError::NotReal(_)));
        for (p, e) in [(3, q(1, 3)), (3, q(2, 3)), (-3, q(1, 3)), (5, q(3, 5))] {
            let power = l.pow(&q(p, 1)).unwrap();
            assert!(refused(&power, e.clone()), "(λ^{p})^({e})");
        }
        // (λ³)^(1/6) is not √λ (its square was then λ), nor (1/λ)^(1/2) λ^(−1/2).
        assert!(refused(&l.pow(&q(3, 1)).unwrap(), q(1, 6)));
        assert!(refused(&l.pow(&q(-1, 1)).unwrap(), q(1, 2)));
        // (λ^(3/2))^(2/3) of a negative λ is |λ|·e^(−iπ/3), not λ (from a review).
        let three_halves = l.pow(&q(3, 2)).unwrap();
        assert!(refused(&three_halves, q(2, 3)));
        // (λ^(2/3))^(3/2) is λ for every λ: e^(iπ·(2/3)·(3/2)) = −1, and k = 0.
        let two_thirds = l.pow(&q(2, 3)).unwrap();
        assert_eq!(two_thirds.pow(&q(3, 2)).unwrap(), l);
        let cube_root = l.pow(&q(1, 3)).unwrap();
        assert_eq!(cube_root.pow(&q(3, 1)).unwrap(), l);
        assert_eq!(
            l.pow(&q(6, 1)).unwrap().pow(&q(1, 3)).unwrap(),
            l.pow(&q(2, 1)).unwrap()
        );
        // Both sides fractional powers of a negative λ, but different ones: refused too.
        assert!(refused(&l.pow(&q(3, 1)).unwrap(), q(1, 5)));
        // A root of an even power is a power of |λ|: √(λ²) = |λ|, (λ²)^(3/2) = |λ|³,
        // (λ⁴)^(1/4) = |λ|, √(λ²·μ) = |λ|·√μ (they were refused).
        let abs = l.abs();
        let square = l.pow(&q(2, 1)).unwrap();
        assert_eq!(square.pow(&q(1, 2)).unwrap(), abs);
        assert_eq!(square.pow(&q(3, 2)).unwrap(), abs.pow(&q(3, 1)).unwrap());
        assert_eq!(l.pow(&q(4, 1)).unwrap().pow(&q(1, 4)).unwrap(), abs);
        let mu = Scalar::param(Name::new("μ", ""));
        assert_eq!(
            square.mul(&mu).pow(&q(1, 2)).unwrap(),
            abs.mul(&mu.pow(&q(1, 2)).unwrap())
        );
        // A negative coefficient keeps the root not real: √(−λ²).
        assert!(refused(&square.neg(), q(1, 2)));
        // A positive atom's root of a power is the power: (e³)^(1/3) = e.
        let e = Scalar::e_pow(q(3, 1)).pow(&q(1, 3)).unwrap();
        assert_eq!(e, Scalar::e_pow(q(1, 1)));
    }

    #[test]
    fn abs_of_a_product_is_taken_factor_by_factor() {
        let l = Scalar::param(Name::new("λ", ""));
        let mu = Scalar::param(Name::new("μ", ""));
        let abs = l.abs();
        // |λ²| = λ² (it was the opaque |λ²|, so |λ²| − λ² was not 0), |−λ| = |λ|, |½·λ| = ½·|λ|.
        let square = l.pow(&q(2, 1)).unwrap();
        assert_eq!(square.abs(), square);
        assert_eq!(l.neg().abs(), abs);
        assert_eq!(l.scale(&q(1, 2)).abs(), abs.scale(&q(1, 2)));
        // |−3·λ³·μ| = 3·λ²·|λ|·|μ|, |λ⁻¹| = |λ|·λ⁻², and |λ|'s own bars go: ||λ|³| = |λ|³.
        let cube = l.pow(&q(3, 1)).unwrap();
        assert_eq!(
            cube.mul(&mu).scale(&q(-3, 1)).abs(),
            square.mul(&abs).mul(&mu.abs()).scale(&q(3, 1))
        );
        assert_eq!(
            l.inverse().unwrap().abs(),
            abs.mul(&l.pow(&q(-2, 1)).unwrap())
        );
        assert_eq!(abs.pow(&q(3, 1)).unwrap().abs(), abs.pow(&q(3, 1)).unwrap());
        // A bar of one term keeps its first power only: |λ|² = λ², |λ|³ = λ²·|λ| = |λ³|,
        // |2λ|² = 4λ² (√(λ²)² − λ² did not cancel).
        assert_eq!(abs.pow(&q(2, 1)).unwrap(), square);
        assert_eq!(abs.pow(&q(3, 1)).unwrap(), cube.abs());
        assert_eq!(abs.mul(&abs), square);
        let twice = l.scale(&q(2, 1)).abs();
        assert_eq!(twice.pow(&q(2, 1)).unwrap(), square.scale(&q(4, 1)));
        assert_eq!(square.pow(&q(1, 2)).unwrap().pow(&q(2, 1)).unwrap(), square);
        // exp of anything is positive: |λ·exp(λ)| = |λ|·exp(λ).
        let exp = Scalar::func("exp", &l).unwrap();
        assert_eq!(l.mul(&exp).abs(), abs.mul(&exp));
        // Not of an argument that may not be real: exp(π·√λ) is −1 at λ = −1.
        let root = Scalar::pi().mul(&l.pow(&q(1, 2)).unwrap());
        let complex = Scalar::func("exp", &root).unwrap();
        assert_ne!(complex.abs(), complex);
    }

    #[test]
    fn inverse_of_a_sum_is_a_group() {
        let s = Scalar::one().add(&Scalar::e_pow(q(1, 1)));
        let i = s.inverse().unwrap();
        assert_eq!(i.len(), 1);
        let two = s.scale(&q(2, 1)).inverse().unwrap();
        assert_eq!(two, i.scale(&q(1, 2)));
    }

    /// Substitution keeps the factors it does not touch as they are, and agrees with the
    /// product rebuilt factor by factor, with √2 and a function of a parameter among them.
    #[test]
    fn substitution_keeps_the_other_factors_of_a_monomial() {
        let p = |n: &str| Scalar::param(Name::new(n, ""));
        let r2 = rational_power(&q(2, 1), &q(1, 2)).unwrap();
        let t = Scalar::func("tanh", &p("μ")).unwrap();
        let s = p("α")
            .mul(&p("λ").mul(&p("λ")))
            .mul(&r2)
            .mul(&t)
            .add(&p("β").mul(&r2))
            .add(&Scalar::from_int(3));
        let lam = Name::new("λ", "");
        assert_eq!(
            s.substitute(&lam, &r2).unwrap(),
            p("α")
                .mul(&r2)
                .scale(&q(2, 1))
                .mul(&t)
                .add(&p("β").mul(&r2))
                .add(&Scalar::from_int(3))
        );
        assert_eq!(
            s.substitute(&lam, &Scalar::zero()).unwrap(),
            p("β").mul(&r2).add(&Scalar::from_int(3))
        );
        let mu = Name::new("μ", "");
        let at = s.substitute(&mu, &Scalar::zero()).unwrap();
        assert_eq!(at, p("β").mul(&r2).add(&Scalar::from_int(3)));
    }

    #[test]
    fn parameters_and_substitution() {
        let l = Scalar::param(Name::new("λ", ""));
        let s = l.mul(&l).add(&Scalar::from_int(-1));
        assert_eq!(
            s.substitute(&Name::new("λ", ""), &Scalar::one()).unwrap(),
            Scalar::zero()
        );
        assert!(Scalar::zero().inverse().is_err());
        assert!(rational_power(&q(-2, 1), &q(1, 2)).is_err());
    }

    /// A scalar of up to `terms.len()` terms over a small palette of atoms: roots of primes (whose
    /// products fold), π, e^(±½), parameters, opaque values (one nested in another) and groups
    /// under negative powers.
    fn palette_scalar(terms: &[(i64, [u8; 4])]) -> Scalar {
        let lam = Scalar::param(crate::syntax::Name::new("λ", ""));
        let t = Scalar::func("tanh", &Scalar::ratio(1, 2)).unwrap_or_default();
        let nested = Scalar::func("tanh", &Scalar::one().add(&t)).unwrap_or_default();
        let group = Scalar::one()
            .add(&Scalar::e_pow(q(-1, 2)))
            .inverse()
            .unwrap_or_default();
        let sqrt2 = Scalar::from_int(2).pow(&q(1, 2)).unwrap_or_default();
        let sqrt3 = Scalar::from_int(3).pow(&q(1, 2)).unwrap_or_default();
        let atoms = [
            sqrt2,
            sqrt3,
            Scalar::pi(),
            Scalar::e_pow(q(1, 2)),
            Scalar::e_pow(q(-1, 2)),
            lam.clone(),
            lam.inverse().unwrap_or_default(),
            t,
            nested,
            group,
        ];
        let mut out = Scalar::zero();
        for (c, picks) in terms {
            let mut m = Scalar::from_q(q(*c, 3));
            for p in picks {
                if let Some(a) = atoms.get(usize::from(*p)) {
                    m = m.mul(a);
                }
            }
            out = out.add(&m);
        }
        out
    }

    /// Terms for [`palette_scalar`]: numerators with up to four atoms of the palette each.
    fn palette_terms(
        count: std::ops::Range<usize>,
    ) -> impl proptest::strategy::Strategy<Value = Vec<(i64, [u8; 4])>> {
        // Mostly small numerators, and now and then one of any size: products past a machine
        // word, and sums past 128 bits, take the big path of the packed sums.
        let numerator = proptest::prop_oneof![4 => -9i64..9, 1 => proptest::num::i64::ANY];
        proptest::collection::vec((numerator, proptest::array::uniform4(0u8..14)), count)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Packed sums of products equal the term-by-term ones, primes folding included.
        #[test]
        fn packed_products_equal_the_termwise_ones(
            pairs in proptest::collection::vec(
                (
                    palette_terms(1..12),
                    palette_terms(1..12),
                ),
                1..6,
            )
        ) {
            let scalars: Vec<(Scalar, Scalar)> = pairs
                .iter()
                .map(|(a, b)| (palette_scalar(a), palette_scalar(b)))
                .collect();
            let refs: Vec<(&Scalar, &Scalar)> = scalars.iter().map(|(a, b)| (a, b)).collect();
            let slow = Scalar::sum_of_products_termwise(&refs);
            // Ten atoms of small exponents always fit in one word.
            let fast = packed::sum_of_products_at_any_size(&refs);
            proptest::prop_assert_eq!(fast, Some(slow));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(120))]
        /// The packed recurrence b_k = f_k·c·Σ s_j·b_{k−j} equals the loop of term-by-term sums,
        /// for factors 1, 1/k and −2/(k + 1), with and without a common factor c, with zero
        /// steps, primes folding and Laurent atoms.
        #[test]
        fn packed_recurrences_equal_the_termwise_loop(
            steps in proptest::collection::vec(
                palette_terms(0..5),
                2..7,
            ),
            start in palette_terms(1..4),
            which in 0usize..3,
            scale in proptest::option::of(
                palette_terms(1..3),
            ),
        ) {
            let s: Vec<Scalar> = steps.iter().map(|t| palette_scalar(t)).collect();
            let b0 = palette_scalar(&start);
            let c = scale.map(|t| palette_scalar(&t));
            let factor = |k: usize| match which {
                0 => Q::from(1u32),
                1 => Q::from_unsigneds(1u64, k as u64),
                _ => Q::from_signeds(-2i64, k as i64 + 1),
            };
            let mut slow = vec![b0.clone()];
            for k in 1..s.len() {
                let pairs: Vec<(&Scalar, &Scalar)> = (1..=k)
                    .filter(|j| !s[*j].is_zero() && !slow[k - j].is_zero())
                    .map(|j| (&s[j], &slow[k - j]))
                    .collect();
                let mut sum = Scalar::sum_of_products_termwise(&pairs);
                if let Some(c) = &c {
                    sum = Scalar::sum_of_products_termwise(&[(c, &sum)]);
                }
                slow.push(sum.scale(&factor(k)));
            }
            let fast = Scalar::linear_recurrence(&s, c.as_ref(), &b0, &factor);
            let all_rational =
                (s[1..].iter().chain([&b0]).chain(c.as_ref())).all(|x| x.as_q().is_some());
            if all_rational {
                proptest::prop_assert_eq!(fast, None);
            } else {
                proptest::prop_assert_eq!(fast, Some(slow));
            }
        }
    }

    #[test]
    fn atoms_compare_by_contents_whether_or_not_they_share_them() {
        // Equal constants built apart are equal, hash alike and sit in the same place in the
        // order as the shared one: the address only answers early.
        let t = |x: i64| Scalar::func("tanh", &Scalar::ratio(x, 2)).unwrap_or_default();
        let nested = |x: i64| Scalar::func("tanh", &Scalar::one().add(&t(x))).unwrap_or_default();
        let atom = |s: &Scalar| s.terms().next().map(|(m, _)| m.factors()[0].0.clone());
        let (a, a2, b) = (atom(&nested(1)), atom(&nested(1)), atom(&nested(3)));
        let (Some(a), Some(a2), Some(b)) = (a, a2, b) else {
            panic!("no atoms");
        };
        if let (Atom::Func(_, x), Atom::Func(_, y)) = (&a, &a2) {
            assert!(!Rc::ptr_eq(x, y), "built apart");
        }
        assert_eq!(a, a2);
        assert_eq!(a.cmp(&b), a2.cmp(&b));
        assert_eq!(b.cmp(&a), b.cmp(&a2));
        assert_ne!(a.cmp(&b), std::cmp::Ordering::Equal);
        use std::hash::{Hash, Hasher};
        let hash = |x: &Atom| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            x.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&a2));
        // Variants keep their declared order: a prime before π before e before a parameter
        // before an opaque value before a group.
        let lam = Scalar::param(crate::syntax::Name::new("λ", ""));
        let group = Scalar::one()
            .add(&Scalar::pi())
            .inverse()
            .unwrap_or_default();
        let order: Vec<Atom> = [
            Scalar::from_int(2).pow(&q(1, 2)).unwrap_or_default(),
            Scalar::pi(),
            Scalar::e_pow(q(1, 1)),
            lam,
            t(1),
            group,
        ]
        .iter()
        .filter_map(atom)
        .collect();
        assert_eq!(order.len(), 6);
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    }

    #[test]
    fn packed_products_fold_prime_roots() {
        // (√2 + √3 + π)² with every pair of terms: the squares fold into 2 and 3.
        let s = Scalar::from_int(2)
            .pow(&q(1, 2))
            .and_then(|a| Ok(a.add(&Scalar::from_int(3).pow(&q(1, 2))?)))
            .map(|a| a.add(&Scalar::pi()));
        let s = s.unwrap_or_default();
        let fast = packed::sum_of_products_at_any_size(&[(&s, &s)]);
        assert_eq!(fast, Some(Scalar::sum_of_products_termwise(&[(&s, &s)])));
        assert_eq!(
            fast.and_then(|f| f.terms().find(|(m, _)| m.is_one()).map(|(_, c)| c.clone())),
            Some(q(5, 1))
        );
    }
}
