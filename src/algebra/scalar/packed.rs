//! Sums of products of scalars with each monomial packed into one machine word.
//!
//! [`Scalar::sum_of_products`] is the inner loop of every series recurrence. Term by term,
//! each product of two monomials merges two sorted lists of atoms (comparing atoms and their
//! rational exponents), allocates the result and finds its place in a sorted map: in the
//! series of composed activations at a point (`sigmoid∘sigmoid∘…`, `tanh(1 + tanh(…))`),
//! whose coefficients are polynomials in several opaque constants, that was most of the time.
//! Here each atom of the operands gets a bit field of one `u64`, an exponent is stored as an
//! offset integer in its field, and the product of two monomials is the sum of their keys.
//! Products are summed in a hash map by key, and only the distinct monomials of the result
//! are unpacked and sorted. The result is the same reduced scalar as the term-by-term loop
//! (a property test in `scalar.rs` compares them); the path declines, and that loop runs,
//! when the fields do not fit in 64 bits or there are too few products to pay for packing.

use super::{Atom, Mono, Q, RationalSum, Scalar, SortedMap, normalize_primes};
use malachite_base::num::arithmetic::traits::Lcm;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Below this many products of terms, packing costs more than it saves.
const MIN_PRODUCTS: usize = 48;
/// The largest common denominator of one atom's exponents that is packed.
const MAX_STEP: u64 = 1 << 16;

/// One atom's field: its exponents are multiples of `1/step`; the field holds
/// `exponent·step − low` of the product, in `bits` bits from `shift`.
struct Field {
    atom: Atom,
    step: u64,
    /// The lowest scaled exponent on each side (never above 0: a monomial may lack the atom).
    low: [i64; 2],
    high: [i64; 2],
    shift: u32,
    bits: u32,
}

/// The hasher of packed keys: a multiplicative mix of one `u64` (the keys are not chosen by an
/// adversary who could make them collide; a collision costs time, never a wrong sum).
#[derive(Default)]
struct KeyHasher(u64);

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
        self.0 = (k ^ (k >> 29))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(23);
    }
}

/// Σ aᵢ·bᵢ with packed monomials, or `None` when they do not pack (or would not pay).
pub(super) fn sum_of_products(pairs: &[(&Scalar, &Scalar)]) -> Option<Scalar> {
    let products: usize = pairs.iter().map(|(a, b)| a.len() * b.len()).sum();
    if products < MIN_PRODUCTS {
        return None;
    }
    sum_of_products_at_any_size(pairs)
}

/// [`sum_of_products`] without the size threshold (the tests compare it on small scalars).
pub(super) fn sum_of_products_at_any_size(pairs: &[(&Scalar, &Scalar)]) -> Option<Scalar> {
    let fields = fields_of(pairs)?;
    let mut acc: HashMap<u64, RationalSum, BuildHasherDefault<KeyHasher>> = HashMap::default();
    let base = [0, 1].map(|side| {
        fields
            .iter()
            .map(|f| ((-f.low[side]) as u64) << f.shift)
            .sum::<u64>()
    });
    let mut right: Vec<(u64, &Q)> = Vec::new();
    for (a, b) in pairs {
        right.clear();
        for (m, c) in b.terms() {
            right.push((key_of(&fields, base[1], m, 1)?, c));
        }
        for (ma, ca) in a.terms() {
            // The caller that entered the budget reports it; see `limits::interrupted`.
            if crate::limits::interrupted() {
                break;
            }
            let ka = key_of(&fields, base[0], ma, 0)?;
            for (kb, cb) in &right {
                acc.entry(ka + kb).or_default().add_product(ca, cb);
            }
        }
    }
    let folds = fields.iter().any(|f| matches!(f.atom, Atom::Prime(_)));
    let mut terms: Vec<(Mono, Q)> = Vec::with_capacity(acc.len());
    for (key, sum) in acc {
        let c = sum.finish();
        if c == 0u32 {
            continue;
        }
        let factors = unpack(&fields, key);
        if folds {
            // √2·√2 = 2: a prime's exponent may reach 1, and two keys may then meet.
            let (f, m) = normalize_primes(factors);
            terms.push((m, c * f));
        } else {
            terms.push((Mono(factors), c));
        }
    }
    terms.sort_by(|x, y| x.0.cmp(&y.0));
    if folds {
        let mut merged: Vec<(Mono, Q)> = Vec::with_capacity(terms.len());
        for (m, c) in terms {
            match merged.last_mut() {
                Some(last) if last.0 == m => last.1 += c,
                _ => merged.push((m, c)),
            }
        }
        merged.retain(|(_, c)| *c != 0u32);
        terms = merged;
    }
    Some(Scalar {
        terms: terms.into_iter().collect::<SortedMap<Mono, Q>>(),
    })
}

/// The fields of every atom of the operands, sorted by atom; `None` past 64 bits.
fn fields_of(pairs: &[(&Scalar, &Scalar)]) -> Option<Vec<Field>> {
    // Each atom's exponents on each side, as (step, lowest, highest) in rationals first.
    let mut seen: std::collections::BTreeMap<&Atom, (u64, [Q; 2], [Q; 2])> = Default::default();
    for (a, b) in pairs {
        for (side, s) in [(0usize, *a), (1, *b)] {
            for (m, _) in s.terms() {
                for (atom, e) in m.factors() {
                    let zero = || {
                        (
                            1u64,
                            [Q::from(0u32), Q::from(0u32)],
                            [Q::from(0u32), Q::from(0u32)],
                        )
                    };
                    let entry = seen.entry(atom).or_insert_with(zero);
                    let den = u64::try_from(e.denominator_ref())
                        .ok()
                        .filter(|d| *d <= MAX_STEP)?;
                    entry.0 = entry.0.lcm(den);
                    if entry.0 > MAX_STEP {
                        return None;
                    }
                    if *e < entry.1[side] {
                        entry.1[side] = e.clone();
                    }
                    if *e > entry.2[side] {
                        entry.2[side] = e.clone();
                    }
                }
            }
        }
    }
    let scaled = |e: &Q, step: u64| -> Option<i64> {
        let x = e * Q::from(step);
        if x.denominator_ref() != &1u32 {
            return None;
        }
        i64::try_from(&x.to_numerator())
            .ok()
            .map(|n| if *e < 0u32 { -n } else { n })
    };
    let mut fields = Vec::with_capacity(seen.len());
    let mut shift = 0u32;
    for (atom, (step, low, high)) in seen {
        let low = [scaled(&low[0], step)?, scaled(&low[1], step)?];
        let high = [scaled(&high[0], step)?, scaled(&high[1], step)?];
        let width = (high[0].checked_add(high[1])?).checked_sub(low[0].checked_add(low[1])?)?;
        let bits = 64 - (width as u64).leading_zeros();
        fields.push(Field {
            atom: atom.clone(),
            step,
            low,
            high,
            shift,
            bits,
        });
        shift = shift.checked_add(bits)?;
        if shift > 64 {
            return None;
        }
    }
    Some(fields)
}

/// The key of a monomial of one side: each exponent, scaled and offset, in its field.
///
/// `base` is the key of the monomial 1 on that side: every atom at exponent 0, offset by −low.
fn key_of(fields: &[Field], base: u64, m: &Mono, side: usize) -> Option<u64> {
    let mut key = base;
    for (atom, e) in m.factors() {
        let i = fields.binary_search_by(|f| f.atom.cmp(atom)).ok()?;
        let f = &fields[i];
        let x = e * Q::from(f.step);
        let n = i64::try_from(&x.to_numerator()).ok()?;
        let n = if *e < 0u32 { -n } else { n };
        debug_assert!(n >= f.low[side] && n <= f.high[side]);
        // The field holds −low (exponent 0) in `base`; it now holds n − low.
        key -= ((-f.low[side]) as u64) << f.shift;
        key += ((n - f.low[side]) as u64) << f.shift;
    }
    Some(key)
}

/// The factors of a product's key, in atom order.
fn unpack(fields: &[Field], key: u64) -> Vec<(Atom, Q)> {
    let mut out = Vec::new();
    for f in fields {
        let mask = if f.bits == 64 {
            u64::MAX
        } else {
            (1u64 << f.bits) - 1
        };
        let v = ((key >> f.shift) & mask) as i64 + f.low[0] + f.low[1];
        if v != 0 {
            out.push((f.atom.clone(), Q::from_signeds(v, f.step as i64)));
        }
    }
    out
}
