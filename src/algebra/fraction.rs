//! An exact zero test for scalars as rational functions of their atoms.
//!
//! A scalar keeps a sum under a negative power as a group atom, `(1 + λ)⁻¹`, and its terms are
//! canonical as monomials in atoms, not as rational functions: `λ·(1 + λ)⁻¹ + (1 + λ)⁻¹` is 1,
//! and `(1 − λ)·(1 − λ)⁻¹ − 1` is 0, though neither reads so. Multiplied by a power of each
//! group high enough to clear its negative powers, every term becomes a polynomial, expanded
//! and summed canonically; a group is a sum that is not 0, so the scalar is 0 exactly when
//! that product is the zero polynomial. Groups nested in groups are cleared the same way, one
//! level at a time. Atoms other than groups (parameters, π, opaque values) are taken as
//! independent, as everywhere in the algebra.
//!
//! From a review: `celu(…; α = 1 + λ)` was called a kink, its one-sided slopes λ·(1 + λ)⁻¹ +
//! (1 + λ)⁻¹ and 1 being compared by their form.

use super::scalar::{Atom, Mono, Q, Scalar};
use std::rc::Rc;

/// Most terms the cleared product may reach; past it nothing is decided.
const MAX_TERMS: usize = 20_000;

/// Most levels of groups inside groups cleared.
const MAX_DEPTH: u32 = 4;

/// Whether `s`, a scalar that holds parameters, is 0 as a rational function of its atoms (see
/// the module's documentation): `true` only when that is proved; `false` when it is not 0,
/// when the product would pass [`MAX_TERMS`] or the groups nest deeper than [`MAX_DEPTH`], and
/// for constants, whose zeros the sign tests decide by value.
pub(crate) fn is_zero(s: &Scalar) -> bool {
    if s.is_zero() {
        return true;
    }
    !s.params().is_empty() && zero_at_depth(s, MAX_DEPTH)
}

fn zero_at_depth(s: &Scalar, depth: u32) -> bool {
    if s.is_zero() {
        return true;
    }
    if depth == 0 {
        return false;
    }
    // Each group under an integer power, with the highest power of it in a denominator.
    let mut groups: Vec<(Rc<Scalar>, u64)> = Vec::new();
    for (m, _) in s.terms() {
        for (a, e) in m.factors() {
            if let (Atom::Group(g), Some(e)) = (a, integer(e)) {
                let need = u64::try_from(-e.min(0)).unwrap_or(u64::MAX);
                match groups.iter_mut().find(|(h, _)| **h == **g) {
                    Some((_, k)) => *k = (*k).max(need),
                    None => groups.push((g.clone(), need)),
                }
            }
        }
    }
    // A group that is itself 0 would clear every term to 0: the scalar divides by 0 there,
    // and nothing is claimed.
    if groups.is_empty() || groups.iter().any(|(g, _)| zero_at_depth(g, depth - 1)) {
        return false;
    }
    let mut cleared = Scalar::zero();
    for (m, c) in s.terms() {
        if crate::limits::interrupted() {
            return false;
        }
        // The term without its groups, times each group to its power plus the cleared one.
        let mut rest = Vec::new();
        let mut powers: Vec<(&Rc<Scalar>, u64)> = Vec::new();
        for (a, e) in m.factors() {
            match (a, integer(e)) {
                (Atom::Group(g), Some(e)) => {
                    let Some((_, k)) = groups.iter().find(|(h, _)| **h == **g) else {
                        return false;
                    };
                    let Some(p) = i64::try_from(*k).ok().and_then(|k| k.checked_add(e)) else {
                        return false;
                    };
                    powers.push((g, u64::try_from(p).unwrap_or(0)));
                }
                _ => rest.push((a.clone(), e.clone())),
            }
        }
        // Groups this term does not hold are cleared to their full power too.
        for (g, k) in &groups {
            if !powers.iter().any(|(h, _)| ***h == **g) {
                powers.push((g, *k));
            }
        }
        let mut term = Scalar::monomial(c.clone(), Mono::from_sorted_factors(rest));
        for (g, p) in powers {
            let Ok(power) = g.pow(&Q::from(p)) else {
                return false;
            };
            term = term.mul(&power);
            if term.len() > MAX_TERMS {
                return false;
            }
        }
        cleared.add_assign(&term);
        if cleared.len() > MAX_TERMS {
            return false;
        }
    }
    zero_at_depth(&cleared, depth - 1)
}

/// `e` as a machine integer, when it is a whole number.
fn integer(e: &Q) -> Option<i64> {
    i64::try_from(e).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Name;

    fn lambda() -> Scalar {
        Scalar::param(Name::parse("λ").expect("a name"))
    }

    #[test]
    fn rational_functions_that_cancel_are_zero() {
        let l = lambda();
        let one = Scalar::one();
        let g = one.add(&l); // 1 + λ
        let inv = g.pow(&Q::from(-1)).expect("a group");
        // λ·(1 + λ)⁻¹ + (1 + λ)⁻¹ − 1 = 0, though it does not read so.
        let s = l.mul(&inv).add(&inv).sub(&one);
        assert!(!s.is_zero());
        assert!(is_zero(&s));
        // (1 − λ)·(1 − λ)⁻¹ − 1, the group normalized from λ − 1.
        let h = l.sub(&one);
        let s = h.mul(&h.pow(&Q::from(-1)).expect("a group")).sub(&one);
        assert!(is_zero(&s));
        // A group inside a group: (1 + (1 + λ)⁻¹)·(1 + (1 + λ)⁻¹)⁻¹ − 1.
        let outer = one.add(&inv);
        let s = outer
            .mul(&outer.pow(&Q::from(-1)).expect("a group"))
            .sub(&one);
        assert!(is_zero(&s));
    }

    #[test]
    fn rational_functions_that_do_not_cancel_are_not_zero() {
        let l = lambda();
        let one = Scalar::one();
        let inv = one.add(&l).pow(&Q::from(-1)).expect("a group");
        // λ·(1 + λ)⁻¹ − 1 = −(1 + λ)⁻¹ ≠ 0; λ alone has no group to clear.
        assert!(!is_zero(&l.mul(&inv).sub(&one)));
        assert!(!is_zero(&l));
        // (1 + λ)⁻² − (1 + λ)⁻¹ = −λ·(1 + λ)⁻² ≠ 0.
        let inv2 = inv.mul(&inv);
        assert!(!is_zero(&inv2.sub(&inv)));
    }
}
