//! The facts of an analysis in words: its assumptions, what a condition makes vanish, and
//! the notes of a classification row. Analysis states them as data (`analysis::facts`);
//! this is the one place they are worded, for text and JSON alike.

use super::*;
use crate::analysis::classify::Row;
use crate::analysis::{Assumption, Condition, Unexpanded, Vanishing};

/// What the report left unexpanded, as the sentence printed after `left unexpanded:`.
pub fn unexpanded_text(x: &Unexpanded) -> String {
    match x {
        Unexpanded::Expansion {
            shown,
            asked,
            limit: Some(limit),
            limit_name,
        } => format!(
            "the expansion by layer is shown to O(ε{}), not to order {asked}: order {} holds a sum of more than {limit} terms or takes more than {} products of terms (limit `{limit_name}`); the verdict, W, b and the first non-affine term come from the lower orders",
            sup(*shown),
            shown + 1,
            crate::limits::shown_products(*limit)
        ),
        Unexpanded::Expansion {
            shown,
            asked,
            limit: None,
            ..
        } => format!(
            "the expansion by layer is formed to O(ε{}), the order that decides, not to order {asked}",
            sup(*shown)
        ),
        Unexpanded::InputTerms { limit } => format!(
            "the first non-affine term in the input's terms has more than {limit} terms (limit `max_terms`): it is given by layer only"
        ),
    }
}

/// An assumption as the sentence the reports print after `assumption:` (and JSON lists).
pub fn assumption_text(a: &Assumption) -> String {
    match a {
        Assumption::InputAbsent { input } => {
            format!("the input {input} does not occur: the expression is constant in it")
        }
        Assumption::NoCompensation {
            bias,
            first,
            second,
        } => format!(
            "no choice of biases cancels every O(1) part: {bias} would have to be both {} and {} (up to O(ε)), so no compensated result is given",
            u(first),
            u(second)
        ),
        Assumption::BiasInAConstantLayer {
            bias,
            layer,
            activation,
        } => format!(
            "no compensated result: {bias}, which the compensation sets to cancel an O(1) part, also enters layer {layer} ({activation}), whose argument has nothing small, so no bias cancels it there; cancelling one and not the other would change {bias} in one place only"
        ),
        Assumption::BiasOutsideItsLayer {
            bias,
            layer,
            activation,
        } => format!(
            "no compensated result: {bias}, which the compensation sets to cancel layer {layer}'s ({activation}) O(1) part, also occurs outside that layer's argument, where the same value would change the network too; cancelling it inside the layer alone is no network"
        ),
        Assumption::BreakpointReached {
            layer,
            activation,
            entry,
            op_point,
        } => format!(
            "layer {layer} ({activation}): at a random draw of the symbols, entry {} of its operating point {} sits exactly on a breakpoint of {activation}, with the small signal passing through it: the expansion above assumes no entry does, which fails on a set of values of positive measure (a probabilistic test: 3 random draws at 256 bits), so the verdict is not decided",
            entry + 1,
            u(op_point)
        ),
        Assumption::Compensated {
            layer,
            activation,
            op_point,
        } => format!(
            "layer {layer} ({activation}): its O(1) part {} is assumed cancelled by the bias",
            u(op_point)
        ),
        Assumption::GenericOperatingPoint {
            layer,
            activation,
            symbol,
            op_point,
        } => format!(
            "layer {layer} ({activation}): expanded around its operating point {symbol} = {}, taken to be generic: a derivative of {activation} that vanishes on every piece is dropped exactly, the others are taken as non-zero there",
            u(op_point)
        ),
        Assumption::NoBreakpointAtOperatingPoint { layer, activation } => format!(
            "layer {layer} ({activation}): no entry of the operating point sits on a breakpoint; a derivative there is the one of the piece each entry lies on"
        ),
        Assumption::PieceCertified {
            layer,
            activation,
            signs,
        } => {
            let signs: Vec<String> = signs
                .iter()
                .map(|(value, sign)| {
                    let rel = match sign {
                        std::cmp::Ordering::Greater => "≥ 0",
                        std::cmp::Ordering::Less => "≤ 0",
                        std::cmp::Ordering::Equal => "= 0",
                    };
                    format!("{} {rel}", u(value))
                })
                .collect();
            format!(
                "layer {layer} ({activation}): every entry of the operating point lies on one piece of {activation}, certified ({}), so the derivatives there are that piece's",
                signs.join(", ")
            )
        }
        Assumption::SideFixed {
            layer,
            activation,
            lead,
        } => format!(
            "layer {layer} ({activation}): the leading part {} of the pre-activation does not involve the input, so at small ε no entry crosses the kink (no entry of {} is 0)",
            u(lead),
            u(lead)
        ),
        Assumption::IdentityTest { orders } => {
            let orders: Vec<String> = orders
                .iter()
                .map(|k| format!("ε{}", sup(*k)))
                .collect();
            format!(
                "the non-affine terms of order {} cancel by a probabilistic identity test (zero at 3 random draws of every symbol, at 256 bits; with parameters at 8 or more, of every pattern of their signs; where a bar |·| is about, at 6 (3 at least where fewer give a value), each with the small symbols negated too, those after the third with every entry that no operating point reads scaled by its own power of 2 from 2⁻⁸ to 2⁸), not by an exact rule",
                orders.join(", ")
            )
        }
        Assumption::IdentityTestStarved { order } => format!(
            "the non-affine terms of order ε{} are kept, though they may cancel: the probabilistic identity test found them zero at every random draw that counts, but too few counted (fewer than 3 of 64 draws had the values at the operating points that the expansion takes to be non-zero, such as relu′(c), non-zero)",
            sup(*order)
        ),
        Assumption::IdentityTestUnresolved { order } => format!(
            "the non-affine terms of order ε{} are kept: a constant in them is not 0 but closer to 0 than the probabilistic identity test's 256 bits resolve, so whether they cancel by an identity was not tested",
            sup(*order)
        ),
        Assumption::BarsOfMixedOrders { order } => format!(
            "the terms of order ε{} above hold |u| with u of several orders whose lowest-order part never changes sign, so |u| is u or −u to that order: read so, they are affine, and what |u| holds past it is no polynomial; the order where the non-affine part starts is not decided (the verdict is undecided)",
            sup(*order)
        ),
        Assumption::IdentityTestLinearPart => "the linear part W, as the expansion writes it, is 0 by a probabilistic identity test (zero at 3 random draws of every symbol, at 256 bits), not by an exact rule: it is taken to be 0".to_string(),
        Assumption::IdentityTestPartial { order } => format!(
            "the non-affine terms of order ε{} are kept, but they vanish for some values of the parameters: the probabilistic identity test found them zero at some draws of the parameters and not at others (random draws, and one in each interval that the parameters' breakpoints cut out; a sign condition, as |λ·u| − λ·|u| is 0 for λ > 0); the verdict holds where they do not vanish",
            sup(*order)
        ),
        Assumption::DerivativesZeroAtPoints {
            layer,
            activation,
            orders,
        } => {
            let names: Vec<String> = orders
                .iter()
                .map(|k| {
                    let primes = crate::print::text::primes(*k as u32, crate::print::text::Style::Unicode);
                    format!("{activation}{primes}")
                })
                .collect();
            let points: Vec<String> = crate::series::eval::IDENTITY_POINTS
                .iter()
                .map(|(n, d)| format!("{}{}/{d}", if *n < 0 { "−" } else { "" }, n.unsigned_abs()))
                .collect();
            format!(
                "layer {layer} ({activation}): {} vanish{} at {} (exactly, or below 2⁻⁴⁰⁰ of their terms at 512 bits) and {} taken to vanish everywhere: a probabilistic identity test (a function that is not identically 0 is rarely 0 at all three points)",
                names.join(", "),
                if names.len() == 1 { "es" } else { "" },
                points.join(", "),
                if names.len() == 1 { "is" } else { "are" }
            )
        }
        Assumption::NumericZeros { count } => format!(
            "{count} leading coefficient(s) or operating point(s) with opaque constants were found zero numerically (below 2⁻¹⁸⁰⁰ of their terms at 2048 bits and 2⁻⁷⁸⁰⁰ at 8192 bits)"
        ),
        Assumption::ScalarOperatingPoint { symbol, value } => format!(
            "{symbol} = {} is the O(1) part of a scalar under a power or a function; the scalar is expanded around it exactly, which holds where {symbol} ≠ 0, and {symbol} > 0 under a root or a logarithm, as it is at a generic operating point: there the expression is analytic even where it is not at 0",
            u(value)
        ),
        Assumption::ScaleBelow {
            constant,
            degree,
            bound,
        } => {
            let b = crate::print::scalar_unicode(bound);
            let c = crate::print::scalar_unicode(constant);
            let over = if constant.len() == 1 {
                c.clone()
            } else {
                format!("({c})")
            };
            format!(
                "the expansion, and the verdict, hold for σ ≪ {b}: a scalar {c} + r with r of order σ{} is expanded in powers of r/{over}, which converge only while r is smaller than {c} (where {c} = 0 there is no such series: not analytic at 0)",
                sup(*degree)
            )
        }
        Assumption::PositiveBases { bases } => {
            let each: Vec<String> = bases.iter().map(crate::print::scalar_unicode).collect();
            let (them, stand, are) = match each.len() {
                1 => (each[0].clone(), "stands", "it is"),
                _ => (each.join(", "), "stand, each", "each is"),
            };
            format!(
                "{them} {stand} under a fractional power or a logarithm, read as its principal real value: the result is stated where {are} > 0 (below 0 such a value is not real; 0 is a value of its own, analysed where a condition names it)"
            )
        }
        Assumption::OpaqueConstants => {
            "opaque constants (function values such as tanh(½)) are compared in their canonical exact form".into()
        }
        Assumption::BreakpointValuesNotSought { params } => {
            let names: Vec<String> = params.iter().map(|p| p.unicode()).collect();
            format!(
                "terms cancelled by the identity test hold {} in sign, |·| or a piecewise layer's argument, which changes form where the argument (or a coefficient of it) is 0; those values were not all examined (a zero the exact solver does not reach, one that holds another parameter or lies past 2⁵², or a value where the network could not be analysed again): at them, or between them, the terms may not cancel",
                names.join(", ")
            )
        }
        Assumption::ConditionsCapped {
            what,
            shown,
            params,
        } => {
            let names: Vec<String> = params.iter().map(|p| p.unicode()).collect();
            format!(
                "{shown} values at which {} are given, the limit; those of {} were not sought",
                vanishing_text(*what),
                names.join(", ")
            )
        }
        Assumption::ZerosNotSought { what, params } => {
            let names: Vec<String> = params.iter().map(|p| p.unicode()).collect();
            let names = names.join(", ");
            let lead = what.contains(&Vanishing::NonAffineTerms);
            let (terms, they) = match (lead, what.contains(&Vanishing::LinearPart)) {
                (true, true) => (
                    "the first non-affine terms or the linear part W vanish",
                    "neither vanishes",
                ),
                (true, false) => (
                    "the first non-affine terms vanish",
                    "they do not vanish",
                ),
                _ => ("the linear part W vanishes", "it does not vanish"),
            };
            format!(
                "the values of {names} where {terms} were not worked out: the coefficients hold {names} inside a function or under a root, or as a polynomial whose zeros the exact solver does not all find; the verdict is the one where {they}"
            )
        }
    }
}

/// What vanishes at a condition, as the clause before `iff`.
pub fn vanishing_text(v: Vanishing) -> String {
    vanishing_named(v, "W")
}

/// What vanishes, with the linear part written `w` (`W_eff` beside a user's `W`).
pub(crate) fn vanishing_named(v: Vanishing, w: &str) -> String {
    match v {
        Vanishing::NonAffineTerms => "the first non-affine terms vanish".into(),
        Vanishing::LinearPart => format!("the linear part {w} vanishes"),
        Vanishing::Survives { order } => format!(
            "the non-affine terms of order ε{}, which cancel at almost every value of the parameters, do not cancel",
            sup(order)
        ),
    }
}

/// `what iff p = v`: a condition without its consequence; `what at p = v (also at p = w, and
/// at no other value)` when the values together are all there are; `what at p = v (…)` when
/// the value is sufficient but not known to be the only one.
pub(crate) fn condition_clause(c: &Condition, w: &str) -> String {
    let (what, p, v) = (
        vanishing_named(c.what, w),
        &c.param,
        crate::print::scalar_unicode(&c.value),
    );
    if c.only && c.others.is_empty() {
        format!("{what} iff {p} = {v}")
    } else if c.only {
        let others: Vec<String> = (c.others.iter())
            .map(|o| format!("{p} = {}", crate::print::scalar_unicode(o)))
            .collect();
        let others = match others.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        format!("{what} at {p} = {v} (also at {others}, and at no other value)")
    } else {
        format!("{what} at {p} = {v} (and perhaps at other values of the parameters too)")
    }
}

/// A classification row's notes (the compensation, a condition), joined; `None` without any.
pub fn row_notes(r: &Row) -> Option<String> {
    let mut n = Vec::new();
    n.extend(row_compensated(r));
    n.extend(row_condition(r));
    (!n.is_empty()).then(|| n.join("; "))
}

/// A classification row's condition note: `what iff p = v (verdict there)`.
pub fn row_condition(r: &Row) -> Option<String> {
    r.condition().map(|c| {
        let then = c
            .then
            .as_ref()
            .map(|a| format!(" ({} there)", a.decision.verdict.label()))
            .unwrap_or_default();
        format!("{}{then}", condition_clause(c, "W"))
    })
}

/// ` once each layer's bias absorbs the offset s(0) = ½ (as it stands, biases O(σ): affine up
/// to O(σ²))` when a row's k holds only with the offsets cancelled (sigmoid; from a review:
/// the lecture's claim read as unconditional, where its own regime, biases O(σ), gives
/// O(σ²)); else nothing. `s0` is the offset as written.
pub fn offset_clause(r: &Row, s0: &str) -> String {
    r.as_it_stands
        .as_ref()
        .map(|v| {
            format!(
                " once each layer's bias absorbs the offset s(0) = {s0} (as it stands, biases O(σ): {}{})",
                v.label(),
                v.k()
                    .map(|k| format!(" up to O(σ{})", crate::print::superscript(i64::from(k))))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// A classification row's note when the biases cancelled the O(1) offsets, with the
/// verdict without that compensation.
pub fn row_compensated(r: &Row) -> Option<String> {
    r.as_it_stands.as_ref().map(|v| {
        let as_is = match v.k() {
            Some(k) => format!("{} k={k}", v.label()),
            None => v.label().to_string(),
        };
        format!("O(1) offsets between layers cancelled by the biases; as it stands: {as_is}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Name;

    #[test]
    fn each_fact_has_its_sentence() {
        let x = Name::new("x", "");
        assert_eq!(
            assumption_text(&Assumption::InputAbsent { input: x }),
            "the input x does not occur: the expression is constant in it"
        );
        assert!(
            assumption_text(&Assumption::IdentityTest { orders: vec![3, 5] })
                .starts_with("the non-affine terms of order ε³, ε⁵ cancel")
        );
        assert!(assumption_text(&Assumption::NumericZeros { count: 2 }).starts_with("2 leading"));
        assert_eq!(
            vanishing_text(Vanishing::LinearPart),
            "the linear part W vanishes"
        );
    }

    /// The same fact in the text report and in JSON, from one analysis.
    #[test]
    fn a_fact_reads_the_same_in_text_and_json() {
        let mut s = crate::session::Session::new();
        let out = s.run("W1·b1").unwrap();
        let text = s.render(&out, Format::Text).unwrap();
        let json = s.render(&out, Format::Json).unwrap();
        let sentence = "the input x does not occur: the expression is constant in it";
        assert!(
            text.contains(&format!("assumption: {sentence}\n")),
            "{text}"
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v[0]["assumptions"][0], sentence);
    }

    #[test]
    fn a_condition_in_text_json_and_the_row_note() {
        let mut s = crate::session::Session::new();
        let out = s.run("leaky_relu(W1·x + b1; a = α)").unwrap();
        let text = s.render(&out, Format::Text).unwrap();
        let json = s.render(&out, Format::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let what = v[0]["conditions"][0]["what"].as_str().unwrap_or_default();
        assert!(!what.is_empty(), "{json}");
        assert!(
            text.contains(&format!("condition: {what} iff α = ")),
            "{text}"
        );
    }
}
