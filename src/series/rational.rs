//! Truncated power series with rational coefficients over one common denominator: the fast path
//! of [`super::power::Series`] at high order.
//!
//! The series of tanh, sin, atan and exp composed at 0 have rational coefficients of hundreds to
//! thousands of bits. The recurrences of `power.rs` cost O(n²) products of such rationals, each
//! with its gcds. Here a series is integer numerators over one denominator, so a product of two
//! series is one product of two big integers (Kronecker substitution: the coefficients are packed
//! into the slots of one integer, multiplied by malachite's fast multiplication, and unpacked), and
//! the functions are computed by Newton iteration, which costs a few products at doubling
//! precision. The denominator is reduced after every operation, so a series is canonical
//! (gcd of the numerators and the denominator is 1), and its coefficients convert back to the same
//! reduced rationals as the recurrences give.
//!
//! Below a few hundred coefficients the recurrences themselves are faster than Newton iteration,
//! when they run over integers too: `exp_basecase`, `tan_like_basecase`, `sin_cos_basecase` and
//! `recip_basecase` keep each series over one denominator that grows as coefficients are added
//! ([`Online`]), so a coefficient costs a dot product of integers and two gcds, where the same
//! recurrence over reduced rationals costs gcds in every term.

use crate::algebra::scalar::{Atom, Mono};
use crate::algebra::{Q, Scalar};
use malachite_base::num::arithmetic::traits::{
    AddMulAssign, DivExact, DivRem, DivisibleBy, Gcd, Lcm, Pow, PowerOf2, Square, UnsignedAbs,
};
use malachite_base::num::basic::traits::{One, Zero};
use malachite_base::num::logic::traits::SignificantBits;
use malachite_nz::integer::Integer;
use malachite_nz::natural::Natural;
use malachite_nz::platform::Limb;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Below this many coefficients in the shorter factor a product is formed term by term: packing
/// and unpacking cost more than they save.
const KRONECKER_MIN_LEN: usize = 6;

/// The first `len` coefficients of `a·b` over the integers (missing coefficients are zero).
///
/// Leading zero coefficients are shifted out first, and when both factors are even or odd
/// functions (every other coefficient zero, as for tanh and sin composed) the product is formed
/// in t², on half the coefficients.
pub fn mul_truncated(a: &[Integer], b: &[Integer], len: usize) -> Vec<Integer> {
    let square = std::ptr::eq(a, b);
    let a: Vec<&Integer> = a.iter().collect();
    if square {
        return mul_truncated_refs(&a, &a, len);
    }
    mul_truncated_refs(&a, &b.iter().collect::<Vec<_>>(), len)
}

/// [`mul_truncated`] on references (a square when `a` and `b` are one slice), so that boxes of
/// exponents are packed without copying their integers.
fn mul_truncated_refs(a: &[&Integer], b: &[&Integer], len: usize) -> Vec<Integer> {
    let square = std::ptr::eq(a, b);
    let mut out = vec![Integer::ZERO; len];
    let (Some(va), Some(vb)) = (
        a.iter().position(|c| **c != 0u32),
        b.iter().position(|c| **c != 0u32),
    ) else {
        return out;
    };
    if va + vb >= len {
        return out;
    }
    let room = len - va - vb;
    let a = trim_end(&a[va..a.len().min(va + room)]);
    let b = if square {
        a
    } else {
        trim_end(&b[vb..b.len().min(vb + room)])
    };
    let even = |x: &[&Integer]| x.iter().skip(1).step_by(2).all(|c| **c == 0u32);
    let step = if even(a) && (square || even(b)) { 2 } else { 1 };
    let xa: Vec<&Integer> = a.iter().step_by(step).copied().collect();
    let xb: Vec<&Integer> = b.iter().step_by(step).copied().collect();
    let product = product(&xa, &xb, room.div_ceil(step), square);
    for (i, c) in product.into_iter().enumerate() {
        out[va + vb + i * step] = c;
    }
    out
}

fn trim_end<'a>(a: &'a [&'a Integer]) -> &'a [&'a Integer] {
    let end = a.iter().rposition(|c| **c != 0u32).map_or(0, |i| i + 1);
    &a[..end]
}

/// The first `count` coefficients of `a·b` (both non-empty).
fn product(a: &[&Integer], b: &[&Integer], count: usize, square: bool) -> Vec<Integer> {
    let count = count.min(a.len() + b.len() - 1);
    if a.len().min(b.len()) < KRONECKER_MIN_LEN {
        return (0..count)
            .map(|k| {
                let mut s = Integer::ZERO;
                for i in k.saturating_sub(b.len() - 1)..=k.min(a.len() - 1) {
                    if *a[i] != 0u32 && *b[k - i] != 0u32 {
                        s.add_mul_assign(a[i], b[k - i]);
                    }
                }
                s
            })
            .collect();
    }
    // |c_k| ≤ min(len)·max|a|·max|b| < 2^(bits − 1): every coefficient fits a slot as a
    // balanced digit.
    let max_bits = |x: &[&Integer]| {
        x.iter()
            .map(|c| c.unsigned_abs_ref().significant_bits())
            .max()
            .unwrap_or(0)
    };
    let shorter = a.len().min(b.len()) as u64;
    let bits = max_bits(a) + max_bits(b) + shorter.significant_bits() + 1;
    let slot = bits.div_ceil(u64::from(Limb::BITS)) as usize;
    let x = pack(a, slot);
    let p = if square {
        (&x).square()
    } else {
        x * pack(b, slot)
    };
    unpack(p, slot, count)
}

/// Σ x_i·2^(i·slot·64), the positive and the negative coefficients packed apart and subtracted.
fn pack(xs: &[&Integer], slot: usize) -> Integer {
    let mut pos: Vec<Limb> = vec![0; xs.len() * slot];
    let mut neg: Option<Vec<Limb>> = None;
    for (i, x) in xs.iter().enumerate() {
        let dst = if **x < 0u32 {
            neg.get_or_insert_with(|| vec![0; xs.len() * slot])
        } else {
            &mut pos
        };
        for (j, l) in x.unsigned_abs_ref().limbs().enumerate() {
            dst[i * slot + j] = l;
        }
    }
    let p = Integer::from(Natural::from_owned_limbs_asc(pos));
    match neg {
        Some(n) => p - Integer::from(Natural::from_owned_limbs_asc(n)),
        None => p,
    }
}

/// The balanced digits of `p` in base 2^(slot·64): each slot read as r, and r ≥ 2^(w−1) taken
/// as r − 2^w with a borrow into the next slot.
fn unpack(p: Integer, slot: usize, count: usize) -> Vec<Integer> {
    let negative = p < 0u32;
    let limbs = p.unsigned_abs().into_limbs_asc();
    let width = u64::from(Limb::BITS) * slot as u64;
    let mut carry = false;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let lo = (k * slot).min(limbs.len());
        let hi = ((k + 1) * slot).min(limbs.len());
        let mut r = Natural::from_limbs_asc(&limbs[lo..hi]);
        if carry {
            r += Natural::ONE;
        }
        carry = r.significant_bits() >= width;
        let c = if carry {
            Integer::from(r) - Integer::power_of_2(width)
        } else {
            Integer::from(r)
        };
        out.push(if negative { -c } else { c });
    }
    out
}

/// A generator of a series' coefficient ring: an atom whose exponents are the multiples
/// `d·step` (d ≥ 0) of one step. A prime's root `p^(1/q)` folds its q-th power back into the
/// rational p, as a scalar does (`√2·√2 = 2`); every other atom (π, e, a parameter, an opaque
/// value such as `tanh(½)`) is free, as it is in a scalar.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Gen {
    atom: Atom,
    step: Q,
    fold: Option<(Integer, usize)>,
    /// Prime roots whose exponent follows this generator's degree in every monomial.
    riders: Vec<Rider>,
}

/// A root `p^(1/q)` riding on a free generator: in the monomial of degree d its exponent is
/// `((d·r) mod q)/q`, so the generator is `atom^step·p^(r/q)` and its d-th power carries the
/// rational factor `p^⌊d·r/q⌋`. gelu's `1/√(2π)` is one generator this way, where a prime of its
/// own would double the box of exponents (and triple a product's).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Rider {
    atom: Atom,
    p: Integer,
    q: usize,
    r: usize,
}

impl Rider {
    /// The rider's exponent and rational factor at degree d of its generator, in a series whose
    /// every monomial carries `p^(shift/q)` more (`t/√2` is `√2·(t/2)`).
    fn at(&self, d: usize, shift: usize) -> (Q, Integer) {
        let dr = d * self.r + shift;
        let e = Q::from_unsigneds((dr % self.q) as u64, self.q as u64);
        (e, (&self.p).pow((dr / self.q) as u64))
    }
}

/// The exponent of `a` in `m` (0 when it does not occur).
fn exponent(m: &Mono, a: &Atom) -> Q {
    (m.factors().iter())
        .find(|(b, _)| b == a)
        .map_or(Q::ZERO, |(_, e)| e.clone())
}

/// The generators shared by the series of one computation. Empty for rational series.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Gens(Vec<Gen>);

/// Below this many coefficients a reciprocal of a rational series is computed by its recurrence
/// over integers ([`RatSeries::recip_basecase`]), which beats Newton iteration there.
const RECIP_RECURRENCE_MAX_LEN: usize = 48;
/// Below this length atan and atanh of a rational series without constant term are computed by
/// their recurrence over integers ([`RatSeries::atan_like_basecase`]), from it on as the integral
/// of a quotient: the two take as many instructions at about order 88 on atan composed 5 and 20
/// deep (docs/performance.md, round seven).
const ATAN_RECURRENCE_MAX_LEN: usize = 88;

/// From this many coefficients on a quotient takes the reciprocal to half its length and one
/// Karp–Markstein step ([`RatSeries::quotient`]).
const QUOTIENT_MIN_LEN: usize = 64;

/// The length to which [`RatSeries::sin_cos_newton`] computes sin and cos by their recurrences
/// before its first step.
const SIN_COS_NEWTON_BASE: usize = 32;

/// At most this many generators: a coefficient is a dense box of exponents, whose size is the
/// product of the generators' degrees.
const MAX_GENS: usize = 3;

/// At most this many integers in a product's packed operands (powers of t times the box of
/// exponents); past it the product declines and the caller computes term by term.
const MAX_PACKED: usize = 1 << 18;

/// At most this many bits in one packed operand of a product over generators (32 MB).
const MAX_PACKED_BITS: u64 = 1 << 28;

/// A series packs only when at least one slot in this many holds a term: the sparse
/// coefficients of `sin(λ·t)` (one monomial λᵏ each) cost the recurrences almost nothing and a
/// dense box of exponents many times more.
const MIN_DENSITY: usize = 8;

impl Gens {
    /// The generators of every monomial in `lists`, when each atom's exponents are non-negative
    /// multiples of one step (or all non-positive: the step is then negative), and there are at
    /// most [`MAX_GENS`] of them once prime roots ride on a free generator where they can.
    pub fn of(lists: &[&[Scalar]]) -> Option<Rc<Gens>> {
        let mut exponents: BTreeMap<&Atom, Vec<&Q>> = BTreeMap::new();
        let mut monos: Vec<Vec<&Mono>> = Vec::new();
        for list in lists {
            let mut ms = Vec::new();
            for (m, _) in list.iter().flat_map(|c| c.terms()) {
                ms.push(m);
                for (a, e) in m.factors() {
                    exponents.entry(a).or_default().push(e);
                }
            }
            monos.push(ms);
        }
        let mut gens: Vec<Gen> = Vec::with_capacity(exponents.len());
        for (atom, es) in exponents {
            let den = es
                .iter()
                .fold(Natural::ONE, |l, e| l.lcm(e.denominator_ref()));
            if let Atom::Prime(p) = atom {
                // A reduced scalar keeps a prime's exponent in (0, 1).
                let q = usize::try_from(&den).ok()?;
                gens.push(Gen {
                    atom: atom.clone(),
                    step: Q::from_naturals(Natural::ONE, den),
                    fold: Some((Integer::from(*p), q)),
                    riders: Vec::new(),
                });
                continue;
            }
            let positive = *es[0] > 0u32;
            if es.iter().any(|e| (**e > 0u32) != positive) {
                return None; // a Laurent polynomial: left to the scalar recurrences
            }
            // A root of a product kept whole (√(λ·μ)) is a power of its term once its exponent
            // is an integer, which the scalar product writes out and a generator would not
            // (from a review: √(−λ)² stayed (−λ), and ½·λ + ½·(−λ) was not 0).
            if let Atom::Group(g) = atom
                && g.len() == 1
            {
                return None;
            }
            let num = es
                .iter()
                .fold(Natural::ZERO, |g, e| g.gcd(e.numerator_ref()));
            let step = Q::from_naturals(num, den);
            gens.push(Gen {
                atom: atom.clone(),
                step: if positive { step } else { -step },
                fold: None,
                riders: Vec::new(),
            });
        }
        // The first free generator, by atom: removing the primes that ride on it moves its index.
        if let Some((free, step)) = (gens.iter())
            .find(|g| g.fold.is_none())
            .map(|g| (g.atom.clone(), g.step.clone()))
        {
            let degree = |m: &Mono| exponent(m, &free) / &step;
            let mut i = 0;
            while i < gens.len() {
                let rider = match &gens[i].fold {
                    Some((p, q)) => (1..*q)
                        .map(|r| Rider {
                            atom: gens[i].atom.clone(),
                            p: p.clone(),
                            q: *q,
                            r,
                        })
                        .find(|rider| {
                            // Each list with a shift of its own.
                            monos.iter().all(|ms| {
                                let fits = |m: &Mono, shift: usize| {
                                    let d = degree(m);
                                    usize::try_from(&d).is_ok_and(|d| {
                                        rider.at(d, shift).0 == exponent(m, &rider.atom)
                                    })
                                };
                                (0..rider.q).any(|shift| ms.iter().all(|m| fits(m, shift)))
                            })
                        }),
                    None => None,
                };
                match rider {
                    Some(rider) => {
                        gens.remove(i);
                        let at = gens.iter().position(|g| g.atom == free)?;
                        gens[at].riders.push(rider);
                    }
                    None => i += 1,
                }
            }
        }
        (gens.len() <= MAX_GENS).then(|| Rc::new(Gens(gens)))
    }

    /// The riders, in order.
    fn riders(&self) -> impl Iterator<Item = &Rider> {
        self.0.iter().flat_map(|g| g.riders.iter())
    }

    /// The shift of each rider that makes `m` a monomial of the generators (see
    /// [`Rider::at`]), or `None`.
    fn shift_of(&self, m: &Mono) -> Option<Vec<usize>> {
        let shift: Vec<usize> = (self.0.iter())
            .flat_map(|g| g.riders.iter().map(move |r| (g, r)))
            .map(|(g, r)| {
                let d = usize::try_from(&(exponent(m, &g.atom) / &g.step)).ok()?;
                let k = usize::try_from(&(exponent(m, &r.atom) * Q::from(r.q as u64))).ok()?;
                Some((k + r.q - (d * r.r) % r.q) % r.q)
            })
            .collect::<Option<_>>()?;
        self.degrees(m, &shift).map(|_| shift)
    }

    /// The degree of each generator in `m`, and the rational factor its riders carry; `None`
    /// when `m` is not a monomial of the generators (with the riders shifted by `shift`).
    fn degrees(&self, m: &Mono, shift: &[usize]) -> Option<(Vec<usize>, Integer)> {
        let mut d = vec![0; self.0.len()];
        for (a, e) in m.factors() {
            let Some(i) = self.0.iter().position(|g| g.atom == *a) else {
                if self.0.iter().any(|g| g.riders.iter().any(|r| r.atom == *a)) {
                    continue; // checked below
                }
                return None;
            };
            let k = e / &self.0[i].step;
            if k < 0u32 || *k.denominator_ref() != 1u32 {
                return None;
            }
            d[i] = usize::try_from(k.numerator_ref()).ok()?;
        }
        let mut factor = Integer::ONE;
        let mut shifts = shift.iter();
        for (g, d) in self.0.iter().zip(&d) {
            for r in &g.riders {
                let (e, f) = r.at(*d, *shifts.next()?);
                if exponent(m, &r.atom) != e {
                    return None;
                }
                factor *= f;
            }
        }
        Some((d, factor))
    }

    /// The monomial of these degrees, and the rational factor its riders carry.
    fn monomial(&self, d: &[usize], shift: &[usize]) -> (Mono, Integer) {
        let mut factors = Vec::new();
        let mut factor = Integer::ONE;
        let mut shifts = shift.iter();
        for (g, d) in self.0.iter().zip(d) {
            if *d > 0 {
                factors.push((g.atom.clone(), &g.step * Q::from(*d as u64)));
            }
            for r in &g.riders {
                let (e, f) = r.at(*d, shifts.next().copied().unwrap_or(0));
                if e != 0u32 {
                    factors.push((r.atom.clone(), e));
                }
                factor *= f;
            }
        }
        factors.sort_by(|a, b| a.0.cmp(&b.0));
        (Mono::from_sorted_factors(factors), factor)
    }
}

/// The cells of a box of exponents, in their order in memory (the last generator fastest), each
/// with its degrees.
fn cells_of(ext: &[usize]) -> impl Iterator<Item = Vec<usize>> + '_ {
    let total: usize = ext.iter().product();
    let mut d = vec![0; ext.len()];
    (0..total).map(move |i| {
        if i > 0 {
            for k in (0..ext.len()).rev() {
                d[k] += 1;
                if d[k] < ext[k] {
                    break;
                }
                d[k] = 0;
            }
        }
        d.clone()
    })
}

/// The index of the cell of degrees `d` in a box of extents `ext`.
fn cell_index(d: &[usize], ext: &[usize]) -> usize {
    d.iter().zip(ext).fold(0, |i, (d, e)| i * e + d)
}

/// `Σ num_k/den·t^k`, truncated after `len` powers of t, with gcd(num…, den) = 1.
///
/// Each power of t holds a dense box of exponents of the generators (one integer per cell,
/// `Π ext` cells, the last generator fastest); for rational series there are no generators and
/// one cell. A product packs the powers of t and the cells together into one integer
/// (Kronecker substitution in every variable at once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatSeries {
    num: Vec<Integer>,
    den: Natural,
    gens: Rc<Gens>,
    ext: Vec<usize>,
    /// The shift of each rider ([`Rider::at`]): the series is `p^(shift/q)` times a series in
    /// the generators. Only products take shifted factors; every other operation needs 0.
    shift: Vec<usize>,
}

/// The precisions of a Newton iteration that ends at `len`: each about twice the one before,
/// the first at most `base`.
pub fn newton_steps(len: usize, base: usize) -> Vec<usize> {
    let mut steps = vec![len];
    let mut m = len;
    while m > base.max(1) {
        m = m.div_ceil(2);
        steps.push(m);
    }
    steps.reverse();
    steps
}

impl RatSeries {
    /// The series of `coeffs`, with coefficients in the ring of `gens` (which must hold every
    /// atom of them: [`Gens::of`]); `None` when its box of exponents is too large.
    pub fn from_scalars(coeffs: &[Scalar], gens: &Rc<Gens>) -> Option<RatSeries> {
        let mut ext = vec![1; gens.0.len()];
        let mut den = Natural::ONE;
        let mut placed = Vec::new();
        let shift = match coeffs.iter().flat_map(|c| c.terms()).next() {
            Some((m, _)) => gens.shift_of(m)?,
            None => vec![0; gens.riders().count()],
        };
        for (k, c) in coeffs.iter().enumerate() {
            for (m, q) in c.terms() {
                let (d, factor) = gens.degrees(m, &shift)?;
                for (e, d) in ext.iter_mut().zip(&d) {
                    *e = (*e).max(d + 1);
                }
                // c·m = (c/factor)·(the generators' monomial)
                let q = if factor == 1u32 {
                    q.clone()
                } else {
                    q / Q::from(factor)
                };
                let qd = q.denominator_ref();
                if *qd != 1u32 && *qd != den {
                    den = (&den).lcm(qd);
                }
                placed.push((k, d, q));
            }
        }
        let cells = (ext.iter()).try_fold(1usize, |n, e| n.checked_mul(*e))?;
        let slots = cells.checked_mul(coeffs.len().max(1))?;
        if slots > MAX_PACKED || cells > 1 && placed.len() * MIN_DENSITY < slots {
            return None;
        }
        let mut num = vec![Integer::ZERO; coeffs.len().max(1) * cells];
        for (k, d, q) in placed {
            let scaled = q.numerator_ref() * (&den).div_exact(q.denominator_ref());
            num[k * cells + cell_index(&d, &ext)] = Integer::from_sign_and_abs(q >= 0u32, scaled);
        }
        Some(RatSeries {
            num,
            den,
            gens: gens.clone(),
            ext,
            shift,
        })
    }

    /// The coefficients, each a sum of monomials in lowest terms.
    pub fn to_scalars(&self) -> Vec<Scalar> {
        let den = Integer::from(&self.den);
        let cells = self.cells();
        if cells == 1 && self.unshifted() {
            return (self.num.iter())
                .map(|c| Scalar::from_q(Q::from_integers_ref(c, &den)))
                .collect();
        }
        // Each cell's monomial once, for every power of t.
        let monomials: Vec<(Mono, Integer)> = cells_of(&self.ext)
            .map(|d| self.gens.monomial(&d, &self.shift))
            .collect();
        self.num
            .chunks(cells)
            .map(|row| {
                Scalar::from_distinct_terms(
                    (row.iter().zip(&monomials))
                        .filter(|(c, _)| **c != 0u32)
                        .map(|(c, (m, factor))| {
                            (m.clone(), Q::from_integers(c * factor, den.clone()))
                        })
                        .collect(),
                )
            })
            .collect()
    }

    /// True for a series over the rationals (no generators).
    pub fn is_rational(&self) -> bool {
        self.ext.is_empty()
    }

    /// True when every coefficient is rational: over the rationals, or over generators with
    /// only their degree 0 and no rider shifted.
    pub fn is_rational_valued(&self) -> bool {
        self.cells() == 1 && self.unshifted()
    }

    /// The coefficient of t^k of a rational series in lowest terms (`None` past its length or
    /// over generators).
    pub fn coefficient(&self, k: usize) -> Option<Q> {
        let c = self.num.get(k).filter(|_| self.is_rational())?;
        Some(Q::from_integers_ref(c, &Integer::from(&self.den)))
    }

    /// The powers of t with a non-zero coefficient (of a rational series: one cell each).
    pub fn nonzero_powers(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        let cells = self.cells();
        (0..self.len()).filter(move |k| {
            self.num[k * cells..(k + 1) * cells]
                .iter()
                .any(|c| *c != 0u32)
        })
    }

    /// A bound on the bits of the coefficients' terms in lowest terms (numerator and denominator
    /// together, as [`Scalar::max_bits`] counts them): each is at most its numerator times the
    /// largest rational factor the riders carry, over the common denominator.
    pub fn max_bits_bound(&self) -> u64 {
        let Some(num) = (self.num.iter().filter(|c| **c != 0u32))
            .map(|c| c.unsigned_abs_ref().significant_bits())
            .max()
        else {
            return 0;
        };
        let mut shifts = self.shift.iter();
        let riders: u64 = (self.gens.0.iter().zip(&self.ext))
            .flat_map(|(g, e)| g.riders.iter().map(move |r| (r, e - 1)))
            .map(|(r, top)| {
                let power = (top * r.r + shifts.next().copied().unwrap_or(0)) / r.q;
                power as u64 * r.p.unsigned_abs_ref().significant_bits()
            })
            .sum();
        num + riders + self.den.significant_bits()
    }

    /// The number of non-zero terms (monomials of the generators) in all coefficients.
    pub fn term_count(&self) -> usize {
        self.num.iter().filter(|c| **c != 0u32).count()
    }

    /// The coefficient of t^k, a sum of monomials in lowest terms (zero past the end).
    pub fn coefficient_scalar(&self, k: usize) -> Scalar {
        if k >= self.len() {
            return Scalar::zero();
        }
        if let Some(q) = self.coefficient(k).filter(|_| self.unshifted()) {
            return Scalar::from_q(q);
        }
        let cells = self.cells();
        let row = self.with_num(
            self.num[k * cells..(k + 1) * cells].to_vec(),
            self.den.clone(),
        );
        row.to_scalars().pop().unwrap_or_default()
    }

    /// True when `o` has this series' generators, so that the two add and multiply packed.
    pub fn same_ring(&self, o: &RatSeries) -> bool {
        Rc::ptr_eq(&self.gens, &o.gens) || self.gens == o.gens
    }

    /// The generators of this series' coefficient ring.
    pub fn gens(&self) -> &Rc<Gens> {
        &self.gens
    }

    /// `−self`.
    pub fn neg(&self) -> RatSeries {
        self.with_num(self.num.iter().map(|x| -x).collect(), self.den.clone())
    }

    /// The derivative, in lowest terms.
    pub fn derivative_reduced(&self) -> RatSeries {
        self.derivative().reduced()
    }

    /// The antiderivative with constant term 0 of the first `n ≥ 1` powers of t (of all of them
    /// when there are fewer): one power more.
    pub fn integral_of_head(&self, n: usize) -> RatSeries {
        debug_assert!(n >= 1);
        if self.len() > n {
            self.truncated(n).integral()
        } else {
            self.integral()
        }
    }

    /// True when no rider is shifted: the series lies in the ring of the generators, as every
    /// operation but the product needs.
    pub fn unshifted(&self) -> bool {
        self.shift.iter().all(|s| *s == 0)
    }

    /// The number of cells per power of t.
    fn cells(&self) -> usize {
        self.ext.iter().product()
    }

    /// The number of powers of t.
    pub fn len(&self) -> usize {
        self.num.len() / self.cells()
    }

    /// Other numerators over `den`, in the ring, box and shift of `self` (not reduced).
    fn with_num(&self, num: Vec<Integer>, den: Natural) -> RatSeries {
        RatSeries {
            num,
            den,
            gens: self.gens.clone(),
            ext: self.ext.clone(),
            shift: self.shift.clone(),
        }
    }

    /// The constant `c`, in the ring of `self`, to `len` powers of t.
    fn constant_like(&self, c: i64, len: usize) -> RatSeries {
        let mut num = vec![Integer::ZERO; len.max(1)];
        num[0] = Integer::from(c);
        RatSeries {
            num,
            den: Natural::ONE,
            gens: self.gens.clone(),
            ext: vec![1; self.ext.len()],
            shift: vec![0; self.shift.len()],
        }
    }

    /// The numerators laid out in the box `ext`, by reference (zeros where the series has no
    /// cell); the cells of the series outside `ext` must be zero.
    fn relaid_refs(&self, ext: &[usize]) -> Vec<&Integer> {
        static ZERO: Integer = Integer::ZERO;
        let (from, to): (usize, usize) = (self.cells(), ext.iter().product());
        let mut out = vec![&ZERO; self.len() * to];
        for (i, d) in cells_of(&self.ext).enumerate() {
            if d.iter().zip(ext).any(|(d, e)| d >= e) {
                continue;
            }
            let j = cell_index(&d, ext);
            for k in 0..self.len() {
                out[k * to + j] = &self.num[k * from + i];
            }
        }
        out
    }

    /// [`RatSeries::relaid_refs`], owned.
    fn relaid(&self, ext: &[usize]) -> Vec<Integer> {
        if ext == self.ext.as_slice() {
            return self.num.clone();
        }
        self.relaid_refs(ext).into_iter().cloned().collect()
    }

    /// Folds the q-th powers of prime roots back into rationals, and shrinks the box to the
    /// degrees that occur.
    fn normalized_box(mut self) -> RatSeries {
        if self.ext.is_empty() {
            return self;
        }
        let from = self.cells();
        let mut ext: Vec<usize> = (self.gens.0.iter().zip(&self.ext))
            .map(|(g, e)| g.fold.as_ref().map_or(*e, |(_, q)| (*e).min(*q)))
            .collect();
        if ext != self.ext {
            let to: usize = ext.iter().product();
            let mut out = vec![Integer::ZERO; self.len() * to];
            for (i, d) in cells_of(&self.ext).enumerate() {
                let mut factor = Integer::ONE;
                let folded: Vec<usize> = (self.gens.0.iter().zip(&d))
                    .map(|(g, d)| match &g.fold {
                        Some((p, q)) if d >= q => {
                            factor *= p.pow((d / q) as u64);
                            d % q
                        }
                        _ => *d,
                    })
                    .collect();
                let j = cell_index(&folded, &ext);
                for k in 0..self.len() {
                    let c = &self.num[k * from + i];
                    if *c != 0u32 {
                        out[k * to + j] += c * &factor;
                    }
                }
            }
            self.num = out;
            self.ext.clone_from(&ext);
        }
        // The degrees that occur.
        let mut used = vec![1; ext.len()];
        let cells = self.cells();
        for (i, d) in cells_of(&self.ext).enumerate() {
            if (0..self.len()).any(|k| self.num[k * cells + i] != 0u32) {
                for (u, d) in used.iter_mut().zip(&d) {
                    *u = (*u).max(d + 1);
                }
            }
        }
        if used != ext {
            self.num = self.relaid(&used);
            ext = used;
            self.ext = ext;
        }
        self
    }

    /// Divides the numerators and the denominator by their gcd.
    fn reduced(mut self) -> RatSeries {
        if self.den == 1u32 {
            return self;
        }
        if self.num.iter().all(|c| *c == 0u32) {
            self.den = Natural::ONE;
            return self;
        }
        // The gcd of the denominator and one combination Σ (k + 1)·num_k is a multiple of the
        // content's gcd, and almost always equal to it: one big gcd, then a divisibility test
        // per numerator, where a gcd per numerator costs several times more. A numerator the
        // candidate does not divide lowers it by a gcd, so the result is exact either way.
        let combination = (self.num.iter().enumerate())
            .filter(|(_, c)| **c != 0u32)
            .fold(Integer::ZERO, |acc, (k, c)| {
                acc + c * Integer::from(k as u64 + 1)
            });
        let mut g = (&self.den).gcd(combination.unsigned_abs_ref());
        for c in &self.num {
            if g == 1u32 {
                return self;
            }
            if *c != 0u32 && !c.unsigned_abs_ref().divisible_by(&g) {
                g = g.gcd(c.unsigned_abs_ref());
            }
        }
        if g == 1u32 {
            return self;
        }
        let gi = Integer::from(&g);
        for c in &mut self.num {
            if *c != 0u32 {
                *c = (&*c).div_exact(&gi);
            }
        }
        self.den = self.den.div_exact(&g);
        self
    }

    /// The first `len` powers of t (zeros past the end).
    ///
    /// Cut short, a series is reduced: its first powers have far smaller denominators than the
    /// whole series (sin∘sin∘sin∘sin at order 500 is over 3 700 bits, its first 63 coefficients
    /// over about 230), and the products of a Newton iteration's early steps take such heads.
    pub fn truncated(&self, len: usize) -> RatSeries {
        let cells = self.cells();
        let cut = self.num[(len * cells).min(self.num.len())..]
            .iter()
            .any(|c| *c != 0u32);
        let mut num: Vec<Integer> = self.num.iter().take(len * cells).cloned().collect();
        num.resize(len.max(1) * cells, Integer::ZERO);
        let head = self.with_num(num, self.den.clone());
        if cut { head.reduced() } else { head }
    }

    /// The product to `len` powers of t; `None` when the packed operands would pass
    /// [`MAX_PACKED`] integers.
    pub fn mul(&self, o: &RatSeries, len: usize) -> Option<RatSeries> {
        let square = std::ptr::eq(self, o);
        if self.ext.is_empty() && o.ext.is_empty() {
            return Some(self.mul_unreduced(o, len).reduced());
        }
        // Extents that hold every product of two cells, so that packed cells never overlap.
        let mut ext: Vec<usize> = (self.ext.iter().zip(&o.ext))
            .map(|(a, b)| a + b - 1)
            .collect();
        // Two factors whose every term t^k·g^d has one parity of k + Σd (gelu composed: odd in
        // t and c = 1/√(2π) together) pack with odd extents, where a slot's parity is that of
        // k + Σd: every other slot is then zero and the product is formed on half of them.
        if self.joint_parity().is_some() && (square || o.joint_parity().is_some()) {
            ext.iter_mut().for_each(|e| *e |= 1);
        }
        let cells: usize = ext.iter().product();
        let slots = cells.checked_mul(self.len().max(o.len()).max(len))?;
        let bits = |s: &RatSeries| {
            (s.num.iter())
                .map(|c| c.unsigned_abs_ref().significant_bits())
                .max()
                .unwrap_or(0)
        };
        // The packed product holds every slot at the width of the largest coefficient; past
        // MAX_PACKED_BITS the recurrences (which check the budget as they go) take over.
        let width = bits(self) + bits(o) + 64;
        if slots > MAX_PACKED || (slots as u64).checked_mul(width)? > MAX_PACKED_BITS {
            return None;
        }
        let a = self.relaid_refs(&ext);
        let num = if square {
            mul_truncated_refs(&a, &a, len * cells)
        } else {
            mul_truncated_refs(&a, &o.relaid_refs(&ext), len * cells)
        };
        // The shifts add; a whole q-th power of a rider is its rational p.
        let mut num = num;
        let mut shift = Vec::with_capacity(self.shift.len());
        for ((a, b), r) in self.shift.iter().zip(&o.shift).zip(self.gens.riders()) {
            shift.push((a + b) % r.q);
            if a + b >= r.q {
                num.iter_mut().for_each(|c| *c *= &r.p);
            }
        }
        Some(
            RatSeries {
                num,
                den: &self.den * &o.den,
                gens: self.gens.clone(),
                ext,
                shift,
            }
            .normalized_box()
            .reduced(),
        )
    }

    /// The parity of k + Σd shared by every non-zero term t^k·g^d, if one is.
    pub(super) fn joint_parity(&self) -> Option<usize> {
        let cells = self.cells();
        let mut parity = None;
        for (i, d) in cells_of(&self.ext).enumerate() {
            let cell_parity = d.iter().sum::<usize>();
            for (k, c) in self.num.iter().skip(i).step_by(cells).enumerate() {
                if *c != 0u32 {
                    let p = (k + cell_parity) % 2;
                    if *parity.get_or_insert(p) != p {
                        return None;
                    }
                }
            }
        }
        parity
    }

    /// The product of two rational series to `len` powers of t, not reduced: for products that a
    /// sum reduces next (one reduction of the sum instead of one per product).
    fn mul_unreduced(&self, o: &RatSeries, len: usize) -> RatSeries {
        debug_assert!(self.ext.is_empty() && o.ext.is_empty());
        let num = if std::ptr::eq(self, o) {
            mul_truncated(&self.num, &self.num, len)
        } else {
            mul_truncated(&self.num, &o.num, len)
        };
        self.with_num(num, &self.den * &o.den)
    }

    /// `self + sign·o`, as long as the longer of the two.
    fn add_signed(&self, o: &RatSeries, negate: bool) -> RatSeries {
        let g = (&self.den).gcd(&o.den);
        let fa = Integer::from((&o.den).div_exact(&g));
        let fb = Integer::from((&self.den).div_exact(&g));
        let ext: Vec<usize> = (self.ext.iter().zip(&o.ext))
            .map(|(a, b)| *a.max(b))
            .collect();
        let (a, b) = (self.relaid(&ext), o.relaid(&ext));
        let zero = Integer::ZERO;
        let num = (0..a.len().max(b.len()))
            .map(|k| {
                let bb = b.get(k).unwrap_or(&zero) * &fb;
                let aa = a.get(k).unwrap_or(&zero) * &fa;
                if negate { aa - bb } else { aa + bb }
            })
            .collect();
        debug_assert_eq!(self.shift, o.shift);
        RatSeries {
            num,
            den: &self.den * (&o.den).div_exact(&g),
            gens: self.gens.clone(),
            ext,
            shift: self.shift.clone(),
        }
        .normalized_box()
        .reduced()
    }

    pub fn add(&self, o: &RatSeries) -> RatSeries {
        self.add_signed(o, false)
    }

    pub fn sub(&self, o: &RatSeries) -> RatSeries {
        self.add_signed(o, true)
    }

    /// `c + s·self` for integers c and s.
    fn affine(&self, s: i64, c: i64) -> RatSeries {
        let s = Integer::from(s);
        let mut num: Vec<Integer> = self.num.iter().map(|x| x * &s).collect();
        // Cell 0 of the first power of t is the constant.
        num[0] += Integer::from(c) * Integer::from(&self.den);
        // Not reduced: the next product or sum reduces.
        self.with_num(num, self.den.clone())
    }

    /// The series times the rational `q`.
    pub fn scale(&self, q: &Q) -> RatSeries {
        let n = Integer::from_sign_and_abs(*q >= 0u32, q.numerator_ref().clone());
        self.with_num(
            self.num.iter().map(|x| x * &n).collect(),
            &self.den * q.denominator_ref(),
        )
        .reduced()
    }

    /// The derivative (one power of t fewer, at least one).
    fn derivative(&self) -> RatSeries {
        let cells = self.cells();
        let mut num: Vec<Integer> = (cells..self.num.len())
            .map(|i| &self.num[i] * Integer::from((i / cells) as u64))
            .collect();
        if num.is_empty() {
            num.resize(cells, Integer::ZERO);
        }
        // Not reduced: the next product reduces.
        self.with_num(num, self.den.clone())
    }

    /// The antiderivative with constant term 0 (one power of t more).
    fn integral(&self) -> RatSeries {
        let (len, cells) = (self.len() as u64, self.cells());
        let l = (2..=len).fold(Natural::ONE, |l, k| l.lcm(Natural::from(k)));
        let mut num = vec![Integer::ZERO; cells];
        for (i, c) in self.num.iter().enumerate() {
            let k = (i / cells) as u64;
            num.push(c * Integer::from((&l).div_exact(Natural::from(k + 1))));
        }
        self.with_num(num, &self.den * l).reduced()
    }

    /// Powers of t `from..to` of a rational series, as a series from t⁰ (zeros past the end;
    /// not reduced: the next product reduces).
    fn part(&self, from: usize, to: usize) -> RatSeries {
        debug_assert!(self.ext.is_empty() && from < to);
        let mut num: Vec<Integer> = self
            .num
            .iter()
            .skip(from)
            .take(to - from)
            .cloned()
            .collect();
        num.resize(to - from, Integer::ZERO);
        self.with_num(num, self.den.clone())
    }

    /// The antiderivative of a part of a derivative: coefficient j of a rational `self` is that
    /// of t^(offset − 1 + j) in a series' derivative, so the series' coefficient of
    /// t^(offset + j) is num_j/(offset + j) (`offset` ≥ 1).
    fn integral_part(&self, offset: usize) -> RatSeries {
        debug_assert!(self.ext.is_empty() && offset >= 1);
        let ks = (offset as u64)..(offset + self.num.len()) as u64;
        let l = ks
            .clone()
            .fold(Natural::ONE, |l, k| l.lcm(Natural::from(k)));
        let num = (self.num.iter().zip(ks))
            .map(|(c, k)| c * Integer::from((&l).div_exact(Natural::from(k))))
            .collect();
        self.with_num(num, &self.den * l).reduced()
    }

    /// A rational `self` (in lowest terms) followed by `high` (in lowest terms, the powers of t
    /// from `self.len()` on), over one denominator. The lcm of two reduced denominators keeps
    /// each prime to the power of one of them, whose numerators it does not scale, so the
    /// result is in lowest terms without a gcd.
    fn followed_by(&self, high: &RatSeries) -> RatSeries {
        debug_assert!(self.ext.is_empty() && high.ext.is_empty());
        let g = (&self.den).gcd(&high.den);
        let high_over_g = (&high.den).div_exact(&g);
        let (fa, fb) = (
            Integer::from(&high_over_g),
            Integer::from((&self.den).div_exact(&g)),
        );
        let scaled = |c: &Integer, f: &Integer| if *f == 1u32 { c.clone() } else { c * f };
        let num = (self.num.iter().map(|c| scaled(c, &fa)))
            .chain(high.num.iter().map(|c| scaled(c, &fb)))
            .collect();
        self.with_num(num, &self.den * high_over_g)
    }

    /// (sin, cos) of a rational series h without constant term by Newton iteration on
    /// E = cos + i·sin = exp(i·h), cos left out with `sine_only` (`None` for a series over
    /// generators or with a constant term, and when the budget runs out).
    ///
    /// From E to m coefficients, a step to n ≤ 2m: E_n = E + E·D with D = i·h − log E, which
    /// vanishes below t^m. Its derivative D′ = (i·h′·E − E′)/E: E′ stops below t^(m−1), so the
    /// numerator's part from t^(m−1) is −B + i·A with A and B the parts of h′·cos and h′·sin
    /// from t^(m−1), and 1/E = cos − i·sin below t^m (|E| = 1). Then D′ = (A·sin − B·cos) +
    /// i·(A·cos + B·sin) from t^(m−1), D its integral, and the new coefficients of E from t^m
    /// are E·D: cos·D_re − sin·D_im and sin·D_re + cos·D_im. Every product is of half-length
    /// series but the two with h′, one product of full length each.
    pub fn sin_cos_newton(&self, sine_only: bool) -> Option<(RatSeries, Option<RatSeries>)> {
        if !self.ext.is_empty() || self.num[0] != 0u32 {
            return None;
        }
        let steps = newton_steps(self.len(), SIN_COS_NEWTON_BASE);
        let (mut s, mut c) = self.truncated(steps[0]).sin_cos_basecase()?;
        let h1 = self.derivative();
        for (i, &n) in steps.iter().enumerate().skip(1) {
            if crate::limits::interrupted() {
                return None;
            }
            let m = s.len();
            let nm = n - m;
            let h1n = h1.truncated(n - 1);
            let a = h1n.mul(&c, n - 1)?.part(m - 1, n - 1);
            let b = h1n.mul(&s, n - 1)?.part(m - 1, n - 1);
            let (sl, cl) = (s.truncated(nm), c.truncated(nm));
            let re = a.mul_unreduced(&sl, nm).sub(&b.mul_unreduced(&cl, nm));
            let im = a.mul_unreduced(&cl, nm).add(&b.mul_unreduced(&sl, nm));
            let (dr, di) = (re.integral_part(m), im.integral_part(m));
            s = s.followed_by(&sl.mul_unreduced(&dr, nm).add(&cl.mul_unreduced(&di, nm)));
            if !sine_only || i + 1 < steps.len() {
                c = c.followed_by(&cl.mul_unreduced(&dr, nm).sub(&sl.mul_unreduced(&di, nm)));
            }
        }
        Some((s, (!sine_only).then_some(c)))
    }

    /// The constant term, when it is a non-zero rational (a unit of the ring).
    fn rational_unit(&self) -> Option<&Integer> {
        let a0 = &self.num[0];
        (*a0 != 0u32 && self.num[1..self.cells()].iter().all(|c| *c == 0u32)).then_some(a0)
    }

    /// 1/self to `len` coefficients, when the constant term is a non-zero rational (Newton:
    /// r ← r + r·(1 − self·r), doubling the precision). `None` when the budget runs out.
    pub fn recip(&self, len: usize) -> Option<RatSeries> {
        if len < RECIP_RECURRENCE_MAX_LEN && self.ext.is_empty() {
            return self.truncated(len).recip_basecase();
        }
        // Newton iteration from the first coefficients by the recurrence.
        let base = newton_steps(len, RECIP_RECURRENCE_MAX_LEN / 4)[0];
        let r = if self.ext.is_empty() {
            self.truncated(base).recip_basecase()?
        } else {
            let a0 = self.rational_unit()?;
            let mut r = self.constant_like(0, 1);
            r.num[0] = Integer::from_sign_and_abs(*a0 > 0u32, self.den.clone());
            r.den = a0.unsigned_abs();
            r.reduced()
        };
        self.recip_from(r, len)
    }

    /// 1/self to `len` coefficients from `r`, its first coefficients.
    fn recip_from(&self, mut r: RatSeries, len: usize) -> Option<RatSeries> {
        for m in newton_steps(len, 1) {
            if m <= r.len() {
                continue;
            }
            if crate::limits::interrupted() {
                return None;
            }
            let e = self.truncated(m).mul(&r, m)?.affine(-1, 1);
            r = r.truncated(m).add(&r.mul(&e, m)?);
        }
        Some(r.truncated(len))
    }

    /// ∫ self′/(1 + s·self²) with constant term 0: atan (s = 1) or atanh (s = −1) of a series
    /// without constant term, to the series' length; by the recurrence below
    /// [`ATAN_RECURRENCE_MAX_LEN`] (a rational series), else as the integral of a quotient.
    fn atan_like(&self, s: i64) -> Option<RatSeries> {
        if self.len() < ATAN_RECURRENCE_MAX_LEN
            && let Some(g) = self.atan_like_basecase(s)
        {
            return Some(g);
        }
        self.atan_like_by_quotient(s)
    }

    /// [`RatSeries::atan_like`] as ∫ self′/(1 + s·self²), one quotient and an integral.
    fn atan_like_by_quotient(&self, s: i64) -> Option<RatSeries> {
        let len = self.len();
        if len < 2 {
            return Some(self.constant_like(0, len));
        }
        let m = len - 1;
        let short = self.truncated(m);
        let w = short.mul(&short, m)?.affine(s, 1);
        Some(self.derivative().quotient(&w, m)?.integral())
    }

    /// self/d to `len` coefficients, when d's constant term is a non-zero rational. From
    /// [`QUOTIENT_MIN_LEN`] on, 1/d only to half the length and one Karp–Markstein step:
    /// q₀ = self·r to h, q = q₀ + r·(self − d·q₀), whose error is O(t^2h); one product fewer
    /// than the reciprocal to full length and a product.
    fn quotient(&self, d: &RatSeries, len: usize) -> Option<RatSeries> {
        if len < QUOTIENT_MIN_LEN {
            return self.mul(&d.recip(len)?, len);
        }
        let h = len.div_ceil(2);
        self.quotient_from(d, d.truncated(h).recip(h)?, len)
    }

    /// self/d to `len` coefficients from r, 1/d to h ≥ len/2 coefficients, by one
    /// Karp–Markstein step (and from r extended to full length when h is shorter).
    fn quotient_from(&self, d: &RatSeries, r: RatSeries, len: usize) -> Option<RatSeries> {
        let h = r.len();
        if 2 * h < len {
            return self.mul(&d.recip_from(r, len)?, len);
        }
        let q0 = self.truncated(h).mul(&r, h)?;
        let e = self.truncated(len).sub(&d.truncated(len).mul(&q0, len)?);
        Some(q0.truncated(len).add(&r.mul(&e, len)?))
    }

    /// atan of a series without constant term.
    pub fn atan(&self) -> Option<RatSeries> {
        self.atan_like(1)
    }

    /// log(self) − log(self₀): ∫ self′/self.
    fn log_tail(&self) -> Option<RatSeries> {
        let len = self.len();
        if len < 2 {
            return Some(self.constant_like(0, len));
        }
        let m = len - 1;
        Some(
            self.derivative()
                .quotient(&self.truncated(m), m)?
                .integral(),
        )
    }

    /// exp of a series without constant term, from `base` (exp to its own length, computed by
    /// the caller's recurrence): g ← g + g·(self − log g).
    pub fn exp(&self, base: RatSeries) -> Option<RatSeries> {
        let mut g = base;
        for &m in &newton_steps(self.len(), g.len())[1..] {
            if crate::limits::interrupted() {
                return None;
            }
            g = g.truncated(m);
            let d = self.truncated(m).sub(&g.log_tail()?);
            g = g.add(&g.mul(&d, m)?);
        }
        Some(g)
    }

    /// tan (s = 1) or tanh (s = −1) of a series without constant term, from `base` (the
    /// function to its own length): g ← g − (atan_s(g) − self)·(1 + s·g²).
    pub fn tan_like(&self, s: i64, base: RatSeries) -> Option<RatSeries> {
        Some(self.tan_like_with_recip(s, base)?.0)
    }

    /// [`RatSeries::tan_like`], and the first coefficients of 1/(1 + s·g²). The reciprocal is
    /// carried from one Newton step to the next: a step computes it from g known to p
    /// coefficients, so it holds to p + 1 coefficients (g has no constant term) and is the
    /// start of the next step's reciprocal.
    fn tan_like_with_recip(&self, s: i64, base: RatSeries) -> Option<(RatSeries, RatSeries)> {
        let mut g = base;
        let len = g.len();
        let w = g.mul(&g, len)?.affine(s, 1);
        let mut r = w.truncated(len.max(2) - 1).recip(len.max(2) - 1)?;
        let mut valid = r.len();
        for &m in &newton_steps(self.len(), g.len())[1..] {
            if crate::limits::interrupted() {
                return None;
            }
            let known = g.len();
            g = g.truncated(m);
            let w = g.mul(&g, m)?.affine(s, 1);
            r = w.truncated(m - 1).recip_from(r.truncated(valid), m - 1)?;
            valid = (known + 1).min(r.len());
            let atan_g = g.derivative().mul(&r, m - 1)?.integral();
            let d = atan_g.sub(&self.truncated(m));
            g = g.sub(&d.mul(&w, m)?);
        }
        Some((g, r.truncated(valid)))
    }

    /// (sin, cos) of a series without constant term, from t = tan(self/2):
    /// sin = 2t/(1 + t²), cos = 2/(1 + t²) − 1.
    pub fn sin_cos(&self, base: RatSeries) -> Option<(RatSeries, RatSeries)> {
        let (t, u, r) = self.half_angle_tangent(base)?;
        let len = t.len();
        let r = u.recip_from(r, len)?;
        let sin = t.mul(&r, len)?.scale(&Q::from(2));
        let cos = r.affine(2, -1).reduced();
        Some((sin, cos))
    }

    /// t = tan(self/2) from `base` (t to its own length), 1 + t², and the first coefficients
    /// of 1/(1 + t²) that the tangent's Newton iteration leaves (at least half of them).
    fn half_angle_tangent(&self, base: RatSeries) -> Option<(RatSeries, RatSeries, RatSeries)> {
        let half = self.scale(&Q::from_signeds(1, 2));
        let (t, r) = half.tan_like_with_recip(1, base)?;
        let u = t.mul(&t, t.len())?.affine(1, 1);
        Some((t, u, r))
    }

    /// (sin, cos) of a rational series without constant term by the recurrences of s′ = c·a′
    /// and c′ = −s·a′: k·s_k = Σ j·a_j·c_{k−j}, k·c_k = −Σ j·a_j·s_{k−j}. Each of s and c is
    /// kept over one denominator as it grows ([`Online`]), so a coefficient costs a dot product
    /// of integers and two gcds, where a sum of rationals costs gcds per term. `None` for a
    /// series over generators or with a constant term, and when the budget runs out.
    pub fn sin_cos_basecase(&self) -> Option<(RatSeries, RatSeries)> {
        let ja = self.recurrence_input()?;
        let len = self.len();
        let (mut s, mut c) = (Online::new(len, 0), Online::new(len, 1));
        for k in 1..len {
            if crate::limits::interrupted() {
                return None;
            }
            let ds = &self.den * &c.den * Natural::from(k as u64);
            let dc = &self.den * &s.den * Natural::from(k as u64);
            let (sum_s, sum_c) = (c.dot(&ja, k), -s.dot(&ja, k));
            s.push(sum_s, ds);
            c.push(sum_c, dc);
        }
        Some((s.finish(self), c.finish(self)))
    }

    /// exp of a rational series without constant term by the recurrence of g′ = g·a′:
    /// k·g_k = Σ j·a_j·g_{k−j}, over one growing denominator as in
    /// [`RatSeries::sin_cos_basecase`].
    pub fn exp_basecase(&self) -> Option<RatSeries> {
        let ja = self.recurrence_input()?;
        let len = self.len();
        let mut g = Online::new(len, 1);
        for k in 1..len {
            if crate::limits::interrupted() {
                return None;
            }
            let d = &self.den * &g.den * Natural::from(k as u64);
            let sum = g.dot(&ja, k);
            g.push(sum, d);
        }
        Some(g.finish(self))
    }

    /// tan (s = 1) or tanh (s = −1) of a rational series without constant term by the
    /// recurrence of g′ = (1 + s·g²)·a′: k·g_k = Σ j·a_j·w_{k−j}, where w = 1 + s·g² and
    /// w_m needs g₁ … g_{m−1} only.
    pub fn tan_like_basecase(&self, s: i64) -> Option<RatSeries> {
        let ja = self.recurrence_input()?;
        let len = self.len();
        let mut g = Online::new(len, 0);
        // w's numerators over g's denominator squared, scaled as it grows: no gcds.
        let mut w = vec![Integer::ONE];
        for k in 1..len {
            if crate::limits::interrupted() {
                return None;
            }
            if k >= 2 {
                w.push(g.square_coefficient(k - 1) * Integer::from(s));
            }
            let d = &self.den * (&g.den).square() * Natural::from(k as u64);
            let growth = g.push(dot(&ja, &w, k), d);
            if growth != 1u32 {
                let factor = Integer::from(growth.square());
                w.iter_mut().for_each(|c| *c *= &factor);
            }
        }
        Some(g.finish(self))
    }

    /// atan (s = 1) or atanh (s = −1) of a rational series without constant term, to its
    /// length, by the recurrence of w·g′ = a′ with w = 1 + s·a²: k·g_k = k·a_k −
    /// Σ_{i ≥ 2} w_i·(k − i)·g_{k−i} (w₀ = 1 and w₁ = 0, a having no constant term), over one
    /// growing denominator as in [`RatSeries::sin_cos_basecase`]. `None` for a series over
    /// generators or with a constant term, and when the budget runs out.
    fn atan_like_basecase(&self, s: i64) -> Option<RatSeries> {
        if !self.ext.is_empty() || self.num[0] != 0u32 {
            return None;
        }
        let len = self.len();
        // w − 1 = s·a² over den², from t² on.
        let square = mul_truncated(&self.num, &self.num, len);
        let w: Vec<(usize, Integer)> = (2..len)
            .filter(|i| square[*i] != 0u32)
            .map(|i| (i, &square[i] * Integer::from(s)))
            .collect();
        let den_w = Integer::from((&self.den).square());
        let den_a = Integer::from(&self.den);
        let mut g = Online::new(len, 0);
        // m·G_m for g's numerators G_m over g's denominator, scaled as it grows.
        let mut dg = vec![Integer::ZERO];
        for k in 1..len {
            if crate::limits::interrupted() {
                return None;
            }
            // g_k = (k·A_k·den_w·G − den_a·Σ_{i ≥ 2} W_i·(k − i)·G_{k−i}) / (k·den_a·den_w·G).
            let kk = Integer::from(k as u64);
            let mut n = &kk * &self.num[k] * &den_w * Integer::from(&g.den);
            n -= &den_a * dot(&w, &dg, k);
            let d = Natural::from(k as u64) * &self.den * den_w.unsigned_abs_ref() * &g.den;
            let growth = g.push(n, d);
            if growth != 1u32 {
                let factor = Integer::from(growth);
                dg.iter_mut().for_each(|c| *c *= &factor);
            }
            dg.push(kk * &g.num[k]);
        }
        Some(g.finish(self))
    }

    /// 1/self of a rational series with a non-zero constant term, to its length, by the
    /// recurrence b_k = −(Σ_{j ≥ 1} a_j·b_{k−j})/a₀ over one growing denominator.
    fn recip_basecase(&self) -> Option<RatSeries> {
        let a0 = self.rational_unit()?;
        let len = self.len();
        let terms = self.nonzero_terms(|_| Integer::from(-1));
        // b₀ = den/A₀, over a positive denominator.
        let mut b = Online::empty(len);
        b.push_ratio(Integer::from(&self.den), a0);
        for k in 1..len {
            if crate::limits::interrupted() {
                return None;
            }
            let sum = b.dot(&terms, k);
            b.push_ratio(sum, &(a0 * Integer::from(&b.den)));
        }
        Some(b.finish(self))
    }

    /// The non-zero j·A_j (a_j = A_j/den) for j ≥ 1, with their j: the right sides of the
    /// recurrences k·g_k = Σ j·a_j·h_{k−j}. `None` for a series over generators or with a
    /// constant term.
    fn recurrence_input(&self) -> Option<Vec<(usize, Integer)>> {
        if !self.ext.is_empty() || self.num[0] != 0u32 {
            return None;
        }
        Some(self.nonzero_terms(|j| Integer::from(j as u64)))
    }

    /// The non-zero numerators past the constant term, each times `factor(j)`, with their j.
    fn nonzero_terms(&self, factor: impl Fn(usize) -> Integer) -> Vec<(usize, Integer)> {
        (1..self.len())
            .filter(|j| self.num[*j] != 0u32)
            .map(|j| (j, &self.num[j] * factor(j)))
            .collect()
    }

    /// sin of a series without constant term, from `base` (tan of half of it, to its own
    /// length): t = tan(self/2) and sin = 2t/(1 + t²), the quotient by one Karp–Markstein step
    /// ([`RatSeries::quotient_from`]) from r = 1/(1 + t²) to the precision the tangent's
    /// iteration leaves. [`RatSeries::sin_cos`] extends r to full length instead, which cos
    /// needs and costs one product more.
    pub fn sin(&self, base: RatSeries) -> Option<RatSeries> {
        let (t, u, r) = self.half_angle_tangent(base)?;
        Some(t.quotient_from(&u, r, t.len())?.scale(&Q::from(2)))
    }

    /// `outer(self)` by Horner's rule, when `self` has no constant term.
    pub fn compose(outer: &RatSeries, inner: &RatSeries) -> Option<RatSeries> {
        let len = inner.len();
        let mut out = inner.constant_like(0, len);
        let cells = outer.cells();
        for k in (0..outer.len()).rev() {
            if crate::limits::interrupted() {
                return None;
            }
            out = out.mul(inner, len)?;
            // The coefficient of h^k, as a constant series.
            let mut c = outer.constant_like(0, len);
            c.ext.clone_from(&outer.ext);
            c.num = vec![Integer::ZERO; len.max(1) * cells];
            c.num[..cells].clone_from_slice(&outer.num[k * cells..(k + 1) * cells]);
            c.den = outer.den.clone();
            out = out.add(&c.reduced());
        }
        Some(out)
    }
}

/// Σ_{(j, x) in xs, j ≤ k} x·ys_{k−j}: the k-th coefficient of the product of the series of
/// `xs` (sorted by j) and `ys`.
fn dot(xs: &[(usize, Integer)], ys: &[Integer], k: usize) -> Integer {
    let mut sum = Integer::ZERO;
    for (j, x) in xs.iter().take_while(|(j, _)| *j <= k) {
        let y = &ys[k - j];
        if *y != 0u32 {
            sum.add_mul_assign(x, y);
        }
    }
    sum
}

/// A rational series built one coefficient at a time over one denominator, the lcm of the
/// reduced coefficients' denominators: a new coefficient whose denominator does not divide it
/// scales the ones before. It stays in lowest terms (some coefficient's denominator holds each
/// prime of the denominator to its full power, and its numerator is prime to it).
struct Online {
    num: Vec<Integer>,
    den: Natural,
}

impl Online {
    /// No coefficients yet, with room for `len`.
    fn empty(len: usize) -> Online {
        Online {
            num: Vec::with_capacity(len.max(1)),
            den: Natural::ONE,
        }
    }

    /// The series with constant term `c0`, with room for `len` coefficients.
    fn new(len: usize, c0: i64) -> Online {
        let mut online = Online::empty(len);
        online.num.push(Integer::from(c0));
        online
    }

    /// [`dot`] with the numerators: over `den`.
    fn dot(&self, xs: &[(usize, Integer)], k: usize) -> Integer {
        dot(xs, &self.num, k)
    }

    /// Σ_{i+j=m} num_i·num_j, the m-th coefficient of the square over `den²` (by symmetry, half
    /// the products).
    fn square_coefficient(&self, m: usize) -> Integer {
        let mut sum = Integer::ZERO;
        for i in 0..m.div_ceil(2) {
            let (x, y) = (&self.num[i], &self.num[m - i]);
            if *x != 0u32 && *y != 0u32 {
                sum.add_mul_assign(x, y);
            }
        }
        sum <<= 1u32;
        if m % 2 == 0 {
            sum += (&self.num[m / 2]).square();
        }
        sum
    }

    /// Appends the coefficient `n/d` (`d` ≠ 0, of either sign).
    fn push_ratio(&mut self, n: Integer, d: &Integer) {
        let n = if *d < 0u32 { -n } else { n };
        self.push(n, d.unsigned_abs_ref().clone());
    }

    /// Appends the coefficient `n/d` (`d` > 0); the factor by which the denominator grew.
    ///
    /// With h = gcd(den, d) and e = d/h, the new denominator is den·e/g for g = gcd(n·den/h, e),
    /// which is lcm(den, d/gcd(n, d)): for a prime p with exponents a, b, c in den, d and n, it
    /// holds p to a when b ≤ a, else to a + (b − a) − min(c, b − a) = max(a, b − c). The
    /// numerator over it is n·(den/h)/g. When den divides d (a recurrence's d is usually a
    /// multiple of the denominators before it) h is den, found by one division; and e, the
    /// part of d that is new, is usually small, so the one gcd left is cheap.
    fn push(&mut self, n: Integer, d: Natural) -> Natural {
        if n == 0u32 {
            self.num.push(Integer::ZERO);
            return Natural::ONE;
        }
        let (e, scaled) = match (&d).div_rem(&self.den) {
            (q, r) if r == 0u32 => (q, n),
            _ => {
                let h = (&self.den).gcd(&d);
                let scaled = n * Integer::from((&self.den).div_exact(&h));
                (d.div_exact(&h), scaled)
            }
        };
        let g = if e == 1u32 {
            Natural::ONE
        } else {
            scaled.unsigned_abs_ref().gcd(&e)
        };
        let (grow, n) = if g == 1u32 {
            (e, scaled)
        } else {
            (e.div_exact(&g), scaled.div_exact(Integer::from(&g)))
        };
        if grow != 1u32 {
            let factor = Integer::from(&grow);
            for c in self.num.iter_mut().filter(|c| **c != 0u32) {
                *c *= &factor;
            }
            self.den *= &grow;
        }
        self.num.push(n);
        grow
    }

    /// The series, in the ring of `like`.
    fn finish(self, like: &RatSeries) -> RatSeries {
        like.with_num(self.num, self.den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Vec<Integer> {
        v.iter().map(|x| Integer::from(*x)).collect()
    }

    fn schoolbook(a: &[Integer], b: &[Integer], len: usize) -> Vec<Integer> {
        (0..len)
            .map(|k| {
                let mut s = Integer::ZERO;
                for i in 0..=k {
                    if let (Some(x), Some(y)) = (a.get(i), b.get(k - i)) {
                        s += x * y;
                    }
                }
                s
            })
            .collect()
    }

    use crate::series::Rng;

    impl Rng {
        fn integer(&mut self, bits: u32) -> Integer {
            let limbs = (bits as usize).div_ceil(64).max(1);
            let v: Vec<Limb> = (0..limbs).map(|_| self.next()).collect();
            let n = Natural::from_owned_limbs_asc(v) >> (limbs as u64 * 64 - u64::from(bits));
            match self.next() % 4 {
                0 => Integer::ZERO,
                1 => -Integer::from(n),
                _ => Integer::from(n),
            }
        }
    }

    #[test]
    fn kronecker_products_equal_schoolbook_products() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..300 {
            let la = (rng.next() % 70) as usize;
            let lb = (rng.next() % 70) as usize;
            let bits = 1 + (rng.next() % 300) as u32;
            let mut a: Vec<Integer> = (0..la).map(|_| rng.integer(bits)).collect();
            let mut b: Vec<Integer> = (0..lb).map(|_| rng.integer(1 + bits / 2)).collect();
            // Some factors odd or even functions, some with leading zeros, some all zero.
            if case % 3 == 0 {
                a.iter_mut().step_by(2).for_each(|c| *c = Integer::ZERO);
            }
            if case % 5 == 0 {
                b.iter_mut()
                    .skip(1)
                    .step_by(2)
                    .for_each(|c| *c = Integer::ZERO);
            }
            if case % 7 == 0 {
                a.iter_mut().take(3).for_each(|c| *c = Integer::ZERO);
            }
            if case % 11 == 0 {
                b.iter_mut().for_each(|c| *c = Integer::ZERO);
            }
            let len = (rng.next() % 140) as usize;
            assert_eq!(
                mul_truncated(&a, &b, len),
                schoolbook(&a, &b, len),
                "case {case}"
            );
            assert_eq!(
                mul_truncated(&a, &a, len),
                schoolbook(&a, &a, len),
                "square {case}"
            );
        }
    }

    #[test]
    fn balanced_digits_carry_across_slots() {
        // (2^64 − 1 − t)² and friends: coefficients at the edge of a slot.
        let big = Integer::from(u64::MAX);
        let a = vec![
            big.clone(),
            -big.clone(),
            big.clone(),
            -Integer::ONE,
            big.clone(),
            -big,
        ];
        let b: Vec<Integer> = a.iter().rev().cloned().collect();
        assert_eq!(mul_truncated(&a, &b, 11), schoolbook(&a, &b, 11));
        assert_eq!(mul_truncated(&a, &a, 11), schoolbook(&a, &a, 11));
        assert_eq!(mul_truncated(&ints(&[]), &a, 4), ints(&[0, 0, 0, 0]));
    }

    #[test]
    fn a_series_is_kept_in_lowest_terms() {
        let coeffs = [
            Scalar::ratio(1, 2),
            Scalar::ratio(-1, 6),
            Scalar::zero(),
            Scalar::ratio(3, 4),
        ];
        let s = RatSeries::from_scalars(&coeffs, &Gens::of(&[&coeffs]).unwrap()).unwrap();
        assert_eq!(s.den, Natural::from(12u32));
        assert_eq!(s.num, ints(&[6, -2, 0, 9]));
        let twice = s.add(&s);
        assert_eq!(twice.den, Natural::from(6u32));
        assert_eq!(
            twice.to_scalars(),
            vec![
                Scalar::one(),
                Scalar::ratio(-1, 3),
                Scalar::zero(),
                Scalar::ratio(3, 2)
            ]
        );
        let r = s.recip(6).unwrap();
        let one = s.mul(&r, 6).unwrap();
        assert_eq!(one.to_scalars()[0], Scalar::one());
        assert!(one.to_scalars()[1..].iter().all(|c| c.is_zero()));
        assert_eq!(one.den, Natural::ONE);
    }

    /// The integer recurrences keep their results canonical (gcd of the numerators and the
    /// denominator 1, as every other operation does), and give the known series.
    #[test]
    fn integer_recurrences_are_canonical() {
        let canonical = assert_lowest_terms;
        let t: Vec<Scalar> = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
            .iter()
            .map(|c| Scalar::ratio(*c, 1))
            .collect();
        let t = RatSeries::from_scalars(&t, &Gens::of(&[&t]).unwrap()).unwrap();
        let exp = t.exp_basecase().unwrap();
        let (sin, cos) = t.sin_cos_basecase().unwrap();
        let tanh = t.tan_like_basecase(-1).unwrap();
        let recip = t.affine(1, 1).recip_basecase().unwrap(); // 1/(1 + t)
        for s in [&exp, &sin, &cos, &tanh, &recip] {
            canonical(s);
        }
        // exp: 1/k!, over 9! = 362880.
        assert_eq!(exp.den, Natural::from(362_880u32));
        assert_eq!(exp.to_scalars()[9], Scalar::ratio(1, 362_880));
        assert_eq!(sin.to_scalars()[7], Scalar::ratio(-1, 5040));
        assert_eq!(cos.to_scalars()[8], Scalar::ratio(1, 40320));
        // tanh: t − t³/3 + 2t⁵/15 − 17t⁷/315 + 62t⁹/2835.
        assert_eq!(tanh.to_scalars()[9], Scalar::ratio(62, 2835));
        assert_eq!(recip.to_scalars()[9], Scalar::ratio(-1, 1));
        assert_eq!(recip.den, Natural::ONE);
        // A negative constant term: 1/(−2 + t) = −½ − t/4 − ….
        let neg = t.affine(1, -2).recip_basecase().unwrap();
        canonical(&neg);
        assert_eq!(neg.to_scalars()[2], Scalar::ratio(-1, 8));
    }

    /// A random rational series without constant term of `len` coefficients (numerators of
    /// up to 40 bits over a denominator up to 1000): by `case`, every other coefficient zero,
    /// the first four zero, or neither.
    fn random_series_without_constant_term(rng: &mut Rng, case: usize, len: usize) -> RatSeries {
        let den = Natural::from(1 + rng.next() % 1000);
        let mut num: Vec<Integer> = (0..len).map(|_| rng.integer(40)).collect();
        num[0] = Integer::ZERO;
        match case % 3 {
            0 => num.iter_mut().step_by(2).for_each(|c| *c = Integer::ZERO),
            1 => num.iter_mut().take(4).for_each(|c| *c = Integer::ZERO),
            _ => {}
        }
        RatSeries {
            num,
            den,
            gens: Rc::new(Gens(Vec::new())),
            ext: Vec::new(),
            shift: Vec::new(),
        }
        .reduced()
    }

    /// Online keeps each pushed n/d exactly, over the lcm of the reduced denominators (so the
    /// whole series is in lowest terms), whether or not its denominator divides d, with the
    /// growth it reports: random numerators (zero too) over denominators built from a few
    /// small primes, so that divisibility goes both ways.
    #[test]
    fn online_pushes_keep_values_over_the_lcm() {
        let mut rng = Rng(0x5151_2323_7777_0001);
        for case in 0..400 {
            let mut online = Online::empty(12);
            let mut want: Vec<Q> = Vec::new();
            for _ in 0..(1 + case % 12) {
                let bits = 1 + (rng.next() % 90) as u32;
                let n = rng.integer(bits);
                let mut d = Natural::ONE;
                for p in [2u32, 3, 5, 7, 11] {
                    d *= Natural::from(p).pow(rng.next() % 4);
                }
                d *= Natural::from(1 + rng.next() % 3);
                let before = online.den.clone();
                let grow = online.push(n.clone(), d.clone());
                assert_eq!(online.den, &before * &grow);
                want.push(Q::from_integers(n, Integer::from(d)));
            }
            let lcm = want
                .iter()
                .fold(Natural::ONE, |l, q| l.lcm(q.denominator_ref()));
            assert_eq!(online.den, lcm);
            for (c, q) in online.num.iter().zip(&want) {
                assert_eq!(Q::from_integers(c.clone(), Integer::from(&online.den)), *q);
            }
        }
    }

    fn assert_lowest_terms(s: &RatSeries) {
        let g = (s.num.iter()).fold(s.den.clone(), |g, c| g.gcd(c.unsigned_abs_ref()));
        assert_eq!(g, 1u32, "{s:?}");
    }

    /// atan and atanh by their recurrence equal the integrals of the quotients, in lowest terms,
    /// on series with and without gaps and leading zeros, around the crossover; and atan t and
    /// atanh t are Σ (∓1)^j·t^(2j+1)/(2j + 1).
    #[test]
    fn atan_recurrence_equals_the_integral_of_the_quotient() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let lengths = [1, 2, 3, 5, 20, 47, 87, 88, 89, 120];
        for (case, len) in lengths.iter().cycle().take(3 * lengths.len()).enumerate() {
            let a = random_series_without_constant_term(&mut rng, case, *len);
            for s in [1, -1] {
                let by_recurrence = a.atan_like_basecase(s).unwrap();
                assert_lowest_terms(&by_recurrence);
                assert_eq!(
                    by_recurrence.to_scalars(),
                    a.atan_like_by_quotient(s).unwrap().to_scalars(),
                    "{case}, s = {s}"
                );
            }
        }
        let t = RatSeries {
            num: ints(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            den: Natural::ONE,
            gens: Rc::new(Gens(Vec::new())),
            ext: Vec::new(),
            shift: Vec::new(),
        };
        for s in [1, -1] {
            let g = t.atan_like_basecase(s).unwrap().to_scalars();
            for (k, c) in g.iter().enumerate() {
                let expected = if k % 2 == 1 {
                    let sign = if s == 1 && k % 4 == 3 { -1 } else { 1 };
                    Scalar::ratio(sign, k as i64)
                } else {
                    Scalar::zero()
                };
                assert_eq!(*c, expected, "t^{k}, s = {s}");
            }
        }
    }

    /// sin and cos by Newton iteration on exp(i·h) equal those of the integer recurrences, in
    /// lowest terms, with and without cos, for lengths below, at and past the first steps', on
    /// odd series, series with leading zeros and general ones.
    #[test]
    fn sin_cos_newton_equals_the_recurrences() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let lengths = [1, 2, 5, 31, 32, 33, 34, 63, 64, 65, 66, 97, 130];
        for (case, len) in lengths.iter().cycle().take(3 * lengths.len()).enumerate() {
            let h = random_series_without_constant_term(&mut rng, case, *len);
            let (s0, c0) = h.sin_cos_basecase().unwrap();
            let (s, c) = h.sin_cos_newton(false).unwrap();
            let c = c.unwrap();
            let (sine, none) = h.sin_cos_newton(true).unwrap();
            assert!(none.is_none());
            for x in [&s, &c, &sine] {
                assert_lowest_terms(x);
            }
            assert_eq!(
                (s.to_scalars(), c.to_scalars()),
                (s0.to_scalars(), c0.to_scalars()),
                "{case}"
            );
            assert_eq!(sine.to_scalars(), s0.to_scalars(), "sine only, {case}");
        }
    }
}
