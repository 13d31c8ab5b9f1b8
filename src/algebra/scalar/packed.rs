//! Sums of products of scalars with each monomial packed into one machine word.
//!
//! [`Scalar::sum_of_products`] is the inner loop of every series recurrence. Term by term,
//! each product of two monomials merges two sorted lists of atoms (comparing atoms and their
//! rational exponents), allocates the result and finds its place in a sorted map: in the
//! series of composed activations at a point (`sigmoid∘sigmoid∘…`, `tanh(1 + tanh(…))`),
//! whose coefficients are polynomials in several opaque constants, that was most of the time.
//! Here each atom of the operands gets a bit field of one `u64`, an exponent is stored as an
//! offset integer in its field, and the product of two monomials is the sum of their keys.
//! Products are summed in a hash map by key, as integers over one common denominator, and
//! only the distinct monomials of the result are unpacked, reduced and sorted. The result is the same reduced scalar as the term-by-term loop
//! (a property test in `scalar.rs` compares them); the path declines, and that loop runs,
//! when the fields do not fit in 64 bits or there are too few products to pay for packing.

use super::{AddressMap, Atom, Mono, Q, Scalar, SortedMap, folds_at_powers, normalize_primes};
use malachite_base::num::arithmetic::traits::{AddMulAssign, DivExact, DivisibleBy};
use malachite_base::num::arithmetic::traits::{Gcd, Lcm};
use malachite_base::num::basic::traits::One;
use malachite_nz::integer::Integer;
use malachite_nz::natural::Natural;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Below this many products of terms, packing costs more than it saves.
const MIN_PRODUCTS: usize = 48;
/// The largest common denominator of one atom's exponents that is packed.
const MAX_STEP: u64 = 1 << 16;
/// Fields up to this many bits keep a table of their exponents as rationals.
const EXPONENT_TABLE_BITS: u32 = 12;
/// The sides [`layout`] measures exponents on: a product's two, a recurrence's three.
const SIDES: usize = 3;

/// One atom's field: its exponents are multiples of `1/step`; the field holds
/// `exponent·step − low` of the product, in `bits` bits from `shift`.
struct Field {
    atom: Atom,
    step: u64,
    /// The offsets of each side: a monomial of side s stores `exponent·step − low[s]`, and the
    /// sum of two keys `exponent·step − low[0] − low[1]`. In a product these are each side's
    /// lowest scaled exponent (never above 0: a monomial may lack the atom); in a recurrence
    /// `low[0]` is the lowest of any term and `low[1]` is 0 ([`linear_recurrence`]).
    low: [i64; 2],
    shift: u32,
    bits: u32,
}

/// The fields of the operands' atoms, and where each atom's field is.
///
/// Opaque values and groups are found by the address of their shared argument, so an atom
/// that nests others is compared structurally only once per call, when the distinct atoms are
/// sorted; other atoms (primes, π, e, parameters) compare cheaply and are looked up by value.
struct Fields {
    fields: Vec<Field>,
    by_address: AddressMap<usize>,
    by_value: Vec<(Atom, usize)>,
}

impl Fields {
    fn index(&self, a: &Atom) -> Option<usize> {
        match a.address() {
            Some(k) => self.by_address.get(&k).copied(),
            None => self.by_value.iter().find(|(x, _)| x == a).map(|(_, i)| *i),
        }
    }
}

/// The least common multiple of the denominators of a scalar's coefficients.
fn denominator_lcm(s: &Scalar) -> Natural {
    s.terms()
        .fold(Natural::ONE, |l, (_, c)| lcm(l, c.denominator_ref()))
}

fn lcm(l: Natural, d: &Natural) -> Natural {
    if (&l).divisible_by(d) {
        l
    } else {
        Lcm::lcm(l, d)
    }
}

/// The numerator of `c` over the denominator `d` (a multiple of c's own), as a signed integer.
fn over(c: &Q, d: &Natural) -> Integer {
    let n = c.numerator_ref() * d.div_exact(c.denominator_ref());
    Integer::from_sign_and_abs(*c >= 0u32, n)
}

/// An exponent as an integer numerator over a denominator, when both are small.
fn small(e: &Q) -> Option<(i64, u64)> {
    let d = u64::try_from(e.denominator_ref())
        .ok()
        .filter(|d| *d <= MAX_STEP)?;
    let n = i64::try_from(e.numerator_ref()).ok()?;
    Some((if *e < 0u32 { -n } else { n }, d))
}

/// The hasher of packed keys and atom addresses: a multiplicative mix per word (the keys are
/// not chosen by an adversary who could make them collide; a collision costs time, never a
/// wrong sum).
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = ((self.0.rotate_left(5) ^ k) ^ (k >> 29))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(23);
    }
    // An atom's address is a tuple of words: one mix per word, not one per byte.
    fn write_usize(&mut self, k: usize) {
        self.write_u64(k as u64);
    }
    fn write_u8(&mut self, k: u8) {
        self.write_u64(u64::from(k));
    }
}

/// Σ aᵢ·bᵢ with packed monomials, or `None` when they do not pack (or would not pay).
pub(super) fn sum_of_products(pairs: &[(&Scalar, &Scalar)]) -> Option<Scalar> {
    let products: usize = pairs.iter().map(|(a, b)| a.len() * b.len()).sum();
    // Rationals alone (no atom to pack) sum faster term by term: each product is one
    // multiplication, and the running denominator of `RationalSum` stays the lcm of those met.
    if products < MIN_PRODUCTS
        || pairs
            .iter()
            .all(|(a, b)| a.as_q().is_some() && b.as_q().is_some())
    {
        return None;
    }
    sum_of_products_at_any_size(pairs)
}

/// [`sum_of_products`] without the size threshold (the tests compare it on small scalars).
pub(super) fn sum_of_products_at_any_size(pairs: &[(&Scalar, &Scalar)]) -> Option<Scalar> {
    let fields = fields_of(pairs)?;
    // Every product is summed as an integer over one common denominator D, the lcm over the
    // pairs of (the lcm of a's denominators)·(the lcm of b's): one integer product and sum per
    // pair of terms, and one gcd per term of the result, where a sum of reduced rationals
    // costs gcds and exact divisions whenever two denominators differ.
    let dens: Vec<(Natural, Natural)> = pairs
        .iter()
        .map(|(a, b)| (denominator_lcm(a), denominator_lcm(b)))
        .collect();
    let common = dens
        .iter()
        .fold(Natural::ONE, |d, (da, db)| lcm(d, &(da * db)));
    let mut acc: Sums = HashMap::default();
    let base = [0, 1].map(|side| {
        fields
            .fields
            .iter()
            .map(|f| ((-f.low[side]) as u64) << f.shift)
            .sum::<u64>()
    });
    let mut right: Vec<(u64, Integer, Option<i64>)> = Vec::new();
    for ((a, b), (da, db)) in pairs.iter().zip(&dens) {
        right.clear();
        for (m, c) in b.terms() {
            let n = over(c, db);
            let small = i64::try_from(&n).ok();
            right.push((key_of(&fields, base[1], m, 1)?, n, small));
        }
        let scale = Integer::from((&common).div_exact(&(da * db)));
        for (ma, ca) in a.terms() {
            // The caller that entered the budget reports it; see `limits::interrupted`.
            if crate::limits::interrupted() {
                break;
            }
            let ka = key_of(&fields, base[0], ma, 0)?;
            let na = over(ca, da) * &scale;
            let na_small = i64::try_from(&na).ok();
            for (kb, nb, nb_small) in &right {
                accumulate(&mut acc, ka + kb, (&na, na_small), (nb, *nb_small));
            }
        }
    }
    let sums = drain_nonzero(&mut acc);
    Some(unpack_sum(&fields, sums.into_iter(), &common))
}

/// Sums of products by packed key.
type Sums = HashMap<u64, Acc, BuildHasherDefault<KeyHasher>>;

/// A sum of integer products: those of two machine words are added in an `i128` (exact; the
/// rare sum that would overflow it moves into the big part), the others as big integers. Most
/// products of a composed activation's coefficients over their common denominator are small,
/// and a big integer's product and sum cost several times a machine word's.
#[derive(Default)]
struct Acc {
    small: i128,
    big: Integer,
}

impl Acc {
    fn add_small(&mut self, p: i128) {
        match self.small.checked_add(p) {
            Some(sum) => self.small = sum,
            None => {
                self.big += Integer::from(self.small);
                self.small = p;
            }
        }
    }

    fn value(self) -> Integer {
        self.big + Integer::from(self.small)
    }
}

/// Adds the product `x·y` to the sum at `key`: in an `i128` when both factors are machine words
/// (`x_small`, `y_small`: their values as such, when they are).
fn accumulate(
    acc: &mut Sums,
    key: u64,
    (x, x_small): (&Integer, Option<i64>),
    (y, y_small): (&Integer, Option<i64>),
) {
    let sum = acc.entry(key).or_default();
    match (x_small, y_small) {
        (Some(a), Some(b)) => sum.add_small(i128::from(a) * i128::from(b)),
        _ => sum.big.add_mul_assign(x, y),
    }
}

/// The sums of `acc` that are not zero, emptying it.
fn drain_nonzero(acc: &mut Sums) -> Vec<(u64, Integer)> {
    acc.drain()
        .map(|(k, a)| (k, a.value()))
        .filter(|(_, v)| *v != 0u32)
        .collect()
}

/// A scalar as integers over one denominator, each with its monomial's key, and each
/// integer's value as a machine word when it is one.
struct Packed {
    den: Natural,
    terms: Vec<(u64, Integer)>,
    small: Vec<Option<i64>>,
}

impl Packed {
    fn new(den: Natural, terms: Vec<(u64, Integer)>) -> Packed {
        let small = terms.iter().map(|(_, v)| i64::try_from(v).ok()).collect();
        Packed { den, terms, small }
    }

    /// Each term with its machine-word value.
    fn iter(&self) -> impl Iterator<Item = (u64, (&Integer, Option<i64>))> {
        (self.terms.iter().zip(&self.small)).map(|((k, v), s)| (*k, (v, *s)))
    }
}

/// The recurrence b_k = f_k·c·Σ_{j=1…k} s_j·b_{k−j} for k = 1…n (n = `s.len()` − 1; s₀ is
/// not used; c is 1 when `common_factor` is `None`), from b₀, with every monomial packed once
/// for the whole recurrence: the reciprocal's b_k = −(1/a₀)·Σ a_j·b_{k−j} and exp's
/// k·g_k = Σ j·a_j·g_{k−j}. Sum by sum,
/// [`sum_of_products`] packed every b_j again for each later k and unpacked each new b_k into
/// scalars. `None` when every operand is rational (their loop is faster), when the fields do
/// not fit a word, or when the statement's budget ran out: the caller's loop then runs.
///
/// The exponents of b_k lie between k times the lowest exponent of the s_j and c (each never
/// above 0) plus b₀'s lowest, and likewise for the highest: every b_k, and every sum before
/// it is multiplied by c, stores exponents from one offset L = n·(low_s + low_c) + low₀, and a
/// sum of two keys (at most H − 2L, H the highest) fits its field before one L is taken back
/// off. The result is the same reduced scalars as the loop's (a property test in `scalar.rs`
/// compares them).
pub(super) fn linear_recurrence(
    s: &[Scalar],
    common_factor: Option<&Scalar>,
    b0: &Scalar,
    factor: &dyn Fn(usize) -> Q,
) -> Option<Vec<Scalar>> {
    let n = s.len().checked_sub(1).filter(|n| *n > 0)?;
    if (std::iter::once(b0).chain(common_factor).chain(&s[1..])).all(|x| x.as_q().is_some()) {
        return None;
    }
    let steps = i64::try_from(n).ok()?;
    let sides = (s[1..].iter().map(|x| (0usize, x)))
        .chain(std::iter::once((1usize, b0)))
        .chain(common_factor.map(|c| (2usize, c)));
    let fields = layout(sides, |low, high| {
        let step_low = low[0].checked_add(low[2])?;
        let step_high = high[0].checked_add(high[2])?;
        let bottom = steps.checked_mul(step_low)?.checked_add(low[1])?;
        let top = steps.checked_mul(step_high)?.checked_add(high[1])?;
        Some(([bottom, 0], top.checked_sub(bottom.checked_mul(2)?)?))
    })?;
    // The key of the monomial 1; two keys added hold one offset too many, taken off by it.
    let one: u64 = (fields.fields.iter())
        .map(|f| ((-f.low[0]) as u64) << f.shift)
        .sum();
    let pack = |x: &Scalar| -> Option<Packed> {
        let den = denominator_lcm(x);
        let terms = (x.terms())
            .map(|(m, c)| Some((key_of(&fields, one, m, 0)?, over(c, &den))))
            .collect::<Option<Vec<_>>>()?;
        Some(Packed::new(den, terms))
    };
    let packed_s: Vec<(usize, Packed)> = (1..=n)
        .filter(|j| !s[*j].is_zero())
        .map(|j| Some((j, pack(&s[j])?)))
        .collect::<Option<_>>()?;
    let c = match common_factor {
        Some(c) => Some(pack(c)?),
        None => None,
    };
    let mut b: Vec<Packed> = Vec::with_capacity(n + 1);
    b.push(pack(b0)?);
    let mut acc: Sums = HashMap::default();
    for k in 1..=n {
        let pairs: Vec<(&Packed, &Packed)> = (packed_s.iter())
            .take_while(|(j, _)| *j <= k)
            .map(|(j, sj)| (sj, &b[k - j]))
            .filter(|(_, bj)| !bj.terms.is_empty())
            .collect();
        let common = (pairs.iter()).fold(Natural::ONE, |d, (x, y)| lcm(d, &(&x.den * &y.den)));
        for (x, y) in &pairs {
            let scale = Integer::from((&common).div_exact(&(&x.den * &y.den)));
            for (kx, nx) in &x.terms {
                // The caller that entered the budget reports it; see `limits::interrupted`.
                if crate::limits::interrupted() {
                    return None;
                }
                let nx = nx * &scale;
                let nx_small = i64::try_from(&nx).ok();
                for (ky, ny) in y.iter() {
                    accumulate(&mut acc, kx + ky - one, (&nx, nx_small), ny);
                }
            }
        }
        // b_k = f_k·c·Σ over common·den(c)·den(f_k), then over the least denominator of its
        // terms.
        let (mut terms, common): (Vec<(u64, Integer)>, Natural) = match &c {
            None => (drain_nonzero(&mut acc), common),
            Some(c) => {
                for (ks, vs) in drain_nonzero(&mut acc) {
                    let vs_small = i64::try_from(&vs).ok();
                    for (kc, vc) in c.iter() {
                        accumulate(&mut acc, ks + kc - one, (&vs, vs_small), vc);
                    }
                }
                (drain_nonzero(&mut acc), common * &c.den)
            }
        };
        let f = factor(k);
        let f_num = Integer::from_sign_and_abs(f >= 0u32, f.numerator_ref().clone());
        if f_num != 1u32 {
            for (_, v) in &mut terms {
                *v *= &f_num;
            }
            terms.retain(|(_, v)| *v != 0u32);
        }
        let mut den = common * f.denominator_ref();
        let mut g = den.clone();
        for (_, v) in &terms {
            if g == 1u32 {
                break;
            }
            g = g.gcd(v.unsigned_abs_ref());
        }
        if terms.is_empty() {
            den = Natural::ONE;
        } else if g != 1u32 {
            den = den.div_exact(&g);
            let g = Integer::from(g);
            for (_, v) in &mut terms {
                *v = (&*v).div_exact(&g);
            }
        }
        b.push(Packed::new(den, terms));
    }
    let mut out = Vec::with_capacity(n + 1);
    out.push(b0.clone());
    for bk in b.into_iter().skip(1) {
        out.push(unpack_sum(&fields, bk.terms.into_iter(), &bk.den));
    }
    Some(out)
}

/// The scalar Σ (sum/common)·monomial(key) over the sums of `acc`, each term reduced and the
/// monomials sorted as [`Mono`] sorts them (roots of primes folded: √2·√2 = 2).
fn unpack_sum(
    fields: &Fields,
    acc: impl ExactSizeIterator<Item = (u64, Integer)>,
    common: &Natural,
) -> Scalar {
    let list = &fields.fields;
    // Roots of primes fold (√2·√2 = 2), and so does a root of a product kept whole
    // (√(λ·μ)² = λ·μ, `normalize_primes`).
    let folds = list.iter().any(|f| folds_at_powers(&f.atom));
    let mut found: Vec<(u64, Q)> = Vec::with_capacity(acc.len());
    for (key, sum) in acc {
        if sum != 0u32 {
            found.push((key, Q::from_integers(sum, Integer::from(common))));
        }
    }
    // Each field's exponents as rationals, built once per value met: the thousands of
    // monomials of a result share a few exponents, and a reduced rational costs a gcd.
    let mut exponent_table: Vec<Vec<Option<Q>>> = list
        .iter()
        .map(|f| {
            let size = if f.bits <= EXPONENT_TABLE_BITS {
                1usize << f.bits
            } else {
                0
            };
            vec![None; size]
        })
        .collect();
    let mut mono = |key: u64| -> Vec<(Atom, Q)> {
        // Sized once: collected through a filter, the list grew by reallocation.
        let present = (list.iter()).filter(|f| exponent(f, key) != 0).count();
        let mut factors = Vec::with_capacity(present);
        for (f, table) in list.iter().zip(&mut exponent_table) {
            let e = exponent(f, key);
            if e == 0 {
                continue;
            }
            let slot = usize::try_from(e - f.low[0] - f.low[1])
                .ok()
                .and_then(|i| table.get_mut(i));
            let q = match slot {
                Some(Some(q)) => q.clone(),
                Some(slot) => slot.insert(Q::from_signeds(e, f.step as i64)).clone(),
                None => Q::from_signeds(e, f.step as i64),
            };
            factors.push((f.atom.clone(), q));
        }
        factors
    };
    let terms: Vec<(Mono, Q)> = if folds {
        // √2·√2 = 2: a prime's exponent may reach 1, and two keys may then meet.
        let terms: Vec<(Mono, Q)> = found
            .iter()
            .map(|(key, c)| {
                let (f, m) = normalize_primes(mono(*key));
                (m, c * f)
            })
            .collect();
        super::summed(terms)
    } else {
        // Keys are distinct, so every sort gives this one order; the unstable one moves less.
        match OrderKeys::of(list) {
            Some(order) => {
                let mut keyed: Vec<(u128, u64, Q)> = (found.into_iter())
                    .map(|(key, c)| (order.key(list, key), key, c))
                    .collect();
                keyed.sort_unstable_by_key(|(order, _, _)| *order);
                (keyed.into_iter())
                    .map(|(_, key, c)| (Mono(mono(key)), c))
                    .collect()
            }
            None => {
                found.sort_unstable_by(|x, y| mono_order(list, x.0, y.0));
                (found.into_iter())
                    .map(|(key, c)| (Mono(mono(key)), c))
                    .collect()
            }
        }
    };
    Scalar {
        terms: SortedMap::from_sorted(terms),
    }
}

/// The fields of every atom of the operands, sorted by atom; `None` past 64 bits.
fn fields_of(pairs: &[(&Scalar, &Scalar)]) -> Option<Fields> {
    let sides = pairs.iter().flat_map(|(a, b)| [(0usize, *a), (1, *b)]);
    // A product's exponent is the sum of one from each side.
    layout(sides, |low, high| {
        let width = (high[0].checked_add(high[1])?).checked_sub(low[0].checked_add(low[1])?)?;
        Some(([low[0], low[1]], width))
    })
}

/// The fields of the atoms of scalars on up to three sides (0, 1, 2), sorted by atom; `None`
/// past 64 bits. `span` takes an atom's lowest and highest scaled exponent on each side (0 on
/// a side without it) and gives the offsets its field stores exponents from (see
/// [`Field::low`]) and the largest value the field must hold.
fn layout<'a>(
    sides: impl Iterator<Item = (usize, &'a Scalar)>,
    span: impl Fn([i64; SIDES], [i64; SIDES]) -> Option<([i64; 2], i64)>,
) -> Option<Fields> {
    // Per distinct atom (by address or value): the step and each side's lowest and highest
    // exponent, as fractions n/d with d dividing the step; 0 is always in range.
    struct Seen {
        atom: Atom,
        step: u64,
        low: [(i64, u64); SIDES],
        high: [(i64, u64); SIDES],
    }
    let less = |x: (i64, u64), y: (i64, u64)| {
        i128::from(x.0) * i128::from(y.1) < i128::from(y.0) * i128::from(x.1)
    };
    let mut seen: Vec<Seen> = Vec::new();
    let mut by_address: AddressMap<usize> = HashMap::default();
    let mut by_value: BTreeMap<Atom, usize> = BTreeMap::new();
    for (side, s) in sides {
        for (m, _) in s.terms() {
            for (atom, e) in m.factors() {
                let i = match atom.address() {
                    Some(k) => *by_address.entry(k).or_insert(seen.len()),
                    None => *by_value.entry(atom.clone()).or_insert(seen.len()),
                };
                if i == seen.len() {
                    // Every atom's field takes a bit at least: past 64 atoms nothing packs
                    // (from a review: a sum of 8 000 parameters searched a list of them for
                    // each, 3 s, quadratic).
                    if seen.len() == 64 {
                        return None;
                    }
                    seen.push(Seen {
                        atom: atom.clone(),
                        step: 1,
                        low: [(0, 1); SIDES],
                        high: [(0, 1); SIDES],
                    });
                }
                let x = small(e)?;
                let entry = &mut seen[i];
                if side >= SIDES {
                    return None;
                }
                entry.step = entry.step.lcm(x.1);
                if entry.step > MAX_STEP {
                    return None;
                }
                if less(x, entry.low[side]) {
                    entry.low[side] = x;
                }
                if less(entry.high[side], x) {
                    entry.high[side] = x;
                }
            }
        }
    }
    // Atoms met at two addresses may be equal: sort the distinct ones, then merge equals.
    let mut sorted: Vec<usize> = (0..seen.len()).collect();
    sorted.sort_by(|&i, &j| seen[i].atom.cmp(&seen[j].atom));
    let mut field_of = vec![0usize; seen.len()];
    let mut merged: Vec<Seen> = Vec::with_capacity(seen.len());
    let mut taken: Vec<Option<Seen>> = seen.into_iter().map(Some).collect();
    for i in sorted {
        let Some(x) = taken[i].take() else { continue };
        match merged.last_mut() {
            Some(last) if last.atom == x.atom => {
                last.step = last.step.lcm(x.step);
                if last.step > MAX_STEP {
                    return None;
                }
                for side in 0..SIDES {
                    if less(x.low[side], last.low[side]) {
                        last.low[side] = x.low[side];
                    }
                    if less(last.high[side], x.high[side]) {
                        last.high[side] = x.high[side];
                    }
                }
            }
            _ => merged.push(x),
        }
        field_of[i] = merged.len() - 1;
    }
    let scaled = |x: (i64, u64), step: u64| -> Option<i64> {
        x.0.checked_mul(i64::try_from(step / x.1).ok()?)
    };
    let mut fields = Vec::with_capacity(merged.len());
    let mut shift = 0u32;
    for m in merged {
        let mut low = [0i64; SIDES];
        let mut high = [0i64; SIDES];
        for side in 0..SIDES {
            low[side] = scaled(m.low[side], m.step)?;
            high[side] = scaled(m.high[side], m.step)?;
        }
        let (low, width) = span(low, high)?;
        if width < 0 {
            return None;
        }
        let bits = 64 - (width as u64).leading_zeros();
        fields.push(Field {
            atom: m.atom,
            step: m.step,
            low,
            shift,
            bits,
        });
        shift = shift.checked_add(bits)?;
        if shift > 64 {
            return None;
        }
    }
    for i in by_address.values_mut() {
        *i = field_of[*i];
    }
    for (_, i) in by_value.iter_mut() {
        *i = field_of[*i];
    }
    Some(Fields {
        fields,
        by_address,
        by_value: by_value.into_iter().collect(),
    })
}

/// The key of a monomial of one side: each exponent, scaled and offset, in its field.
///
/// `base` is the key of the monomial 1 on that side: every atom at exponent 0, offset by −low.
fn key_of(fields: &Fields, base: u64, m: &Mono, side: usize) -> Option<u64> {
    let mut key = base;
    for (atom, e) in m.factors() {
        let f = &fields.fields[fields.index(atom)?];
        let (n, d) = small(e)?;
        let n = n.checked_mul(i64::try_from(f.step / d).ok()?)?;
        // The field holds −low (exponent 0) in `base`; it now holds n − low.
        key -= ((-f.low[side]) as u64) << f.shift;
        key += ((n - f.low[side]) as u64) << f.shift;
    }
    Some(key)
}

/// The scaled exponent of a field in a product's key.
fn exponent(f: &Field, key: u64) -> i64 {
    let v = match f.bits {
        0 => 0,
        64 => key >> f.shift,
        bits => (key >> f.shift) & ((1u64 << bits) - 1),
    };
    v as i64 + f.low[0] + f.low[1]
}

/// The order of [`Mono`] on monomials over the same sorted atoms, read from their keys: the
/// lists of factors compare at the first field where they differ, where a present atom meets a
/// later atom of the other (an absent one sorts after it) or the other's end.
fn mono_order(fields: &[Field], x: u64, y: u64) -> std::cmp::Ordering {
    use std::cmp::Ordering::{Greater, Less};
    let any_after = |key: u64, j: usize| fields[j + 1..].iter().any(|f| exponent(f, key) != 0);
    for (j, f) in fields.iter().enumerate() {
        let (ex, ey) = (exponent(f, x), exponent(f, y));
        if ex == ey {
            continue;
        }
        return match (ex != 0, ey != 0) {
            (true, true) => ex.cmp(&ey),
            (true, false) => {
                if any_after(y, j) {
                    Less
                } else {
                    Greater
                }
            }
            _ => {
                if any_after(x, j) {
                    Greater
                } else {
                    Less
                }
            }
        };
    }
    std::cmp::Ordering::Equal
}

/// [`mono_order`] as one integer per key, where the fields' digits fit 128 bits: sorting a
/// result's thousands of monomials by it compares words, not fields. Field by field, first
/// field highest, a present atom's digit is its stored value plus 1; an absent atom's digit is
/// 0 when no later atom is present (the list ended: it sorts first) and above every value when
/// one is (that later atom meets this one and sorts after it).
struct OrderKeys {
    /// Where each field's digit sits in the integer.
    offsets: Vec<u32>,
}

impl OrderKeys {
    fn of(fields: &[Field]) -> Option<OrderKeys> {
        let mut offsets = vec![0u32; fields.len()];
        let mut offset = 0u32;
        for (f, at) in fields.iter().zip(&mut offsets).rev() {
            *at = offset;
            // Digits 0 ..= 2^bits + 1.
            offset += f.bits.max(1) + 1;
            if offset > 128 {
                return None;
            }
        }
        Some(OrderKeys { offsets })
    }

    fn key(&self, fields: &[Field], key: u64) -> u128 {
        let mut order = 0u128;
        let mut later = false;
        for (f, at) in fields.iter().zip(&self.offsets).rev() {
            let e = exponent(f, key);
            let digit = if e != 0 {
                later = true;
                (e - f.low[0] - f.low[1]) as u128 + 1
            } else if later {
                (1u128 << f.bits.max(1)) + 1
            } else {
                0
            };
            order |= digit << at;
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order integers of [`OrderKeys`] and the field-by-field [`mono_order`] sort every
    /// key of three small fields (exponents −2 … 3, −1 … 0, 0 … 1, steps 1 and 2) as [`Mono`]
    /// sorts the monomials they stand for.
    #[test]
    fn order_keys_sort_as_monomials_do() {
        let mut atoms = vec![Atom::E, Atom::Prime(2), Atom::Pi];
        atoms.sort();
        let spans = [(-2i64, 3i64, 1u64), (-1, 0, 2), (0, 1, 1)];
        let mut fields = Vec::new();
        let mut shift = 0;
        for (atom, (low, high, step)) in atoms.into_iter().zip(spans) {
            let bits = 64 - ((high - low) as u64).leading_zeros();
            fields.push(Field {
                atom,
                step,
                low: [low, 0],
                shift,
                bits,
            });
            shift += bits;
        }
        let key = |e: &[i64]| -> u64 {
            (fields.iter().zip(e))
                .map(|(f, e)| ((e - f.low[0]) as u64) << f.shift)
                .sum()
        };
        let mut keys = Vec::new();
        for a in -2..=3 {
            for b in -1..=0 {
                for c in 0..=1 {
                    keys.push(key(&[a, b, c]));
                }
            }
        }
        let mono = |k: u64| {
            Mono(
                (fields.iter())
                    .filter(|f| exponent(f, k) != 0)
                    .map(|f| {
                        (
                            f.atom.clone(),
                            Q::from_signeds(exponent(f, k), f.step as i64),
                        )
                    })
                    .collect(),
            )
        };
        let mut expected = keys.clone();
        expected.sort_by_key(|k| mono(*k));
        let order = OrderKeys::of(&fields).expect("a few bits");
        let mut by_integer = keys.clone();
        by_integer.sort_by_key(|k| order.key(&fields, *k));
        let mut by_fields = keys;
        by_fields.sort_by(|x, y| mono_order(&fields, *x, *y));
        assert_eq!(by_integer, expected);
        assert_eq!(by_fields, expected);
    }

    /// A sum of machine-word products equals the sum of big integers, through overflows of the
    /// `i128` in both directions.
    #[test]
    fn word_sums_equal_big_sums_past_overflow() {
        let edge = [i64::MAX, i64::MIN, i64::MIN + 1, -1, 0, 1, 3, i64::MAX - 7];
        let mut acc: Sums = HashMap::default();
        let mut expected = Integer::from(0);
        for (i, a) in edge.iter().enumerate() {
            for b in edge.iter().skip(i) {
                // The same-sign corners four times over: 4·2¹²⁶ passes i128::MAX.
                for _ in 0..4 {
                    let (x, y) = (Integer::from(*a), Integer::from(*b));
                    accumulate(&mut acc, 7, (&x, Some(*a)), (&y, Some(*b)));
                    // A product given as big integers takes the other path into the same sum.
                    accumulate(&mut acc, 7, (&x, None), (&y, Some(*b)));
                    expected += Integer::from(2) * &x * &y;
                }
            }
        }
        assert_eq!(drain_nonzero(&mut acc), vec![(7, expected)]);
        let mut acc: Sums = HashMap::default();
        let (x, y) = (Integer::from(i64::MAX), Integer::from(i64::MIN));
        for _ in 0..8 {
            accumulate(&mut acc, 1, (&x, Some(i64::MAX)), (&x, Some(i64::MAX)));
            accumulate(&mut acc, 1, (&x, Some(i64::MAX)), (&y, Some(i64::MIN)));
        }
        let expected = Integer::from(8) * (&x * &x + &x * &y);
        assert_eq!(drain_nonzero(&mut acc), vec![(1, expected)]);
    }
}
