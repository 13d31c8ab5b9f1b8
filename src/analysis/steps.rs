//! The derivation record: the steps the stages append as they compute.
//!
//! It belongs to the analysis, which writes it; `crate::derive` only lays it
//! out, so the record sits below its renderers and no stage imports a printer.

use super::Verdict;
use crate::algebra::{Expr, Scalar, Symbol};
use crate::series::PointSeries;
use crate::syntax::Name;

/// The small symbols, so expressions can be printed lowest ε-order first.
pub type Small = std::collections::BTreeSet<Name>;

/// One step of a derivation.
#[derive(Clone, Debug)]
pub enum Step {
    /// A binding the expression uses, substituted: `z₁ = W₁·x + b₁`.
    Binding { name: Name, value: Expr },
    /// A layer's pre-activation split at its operating point: `u₁ = W₁·x + b₁`, `c₂ = ½·W₂·𝟙`.
    Layer {
        index: usize,
        activation: String,
        /// The pre-activation, written with earlier layers' variables.
        pre: Expr,
        op_point: Expr,
        op_symbol: Option<Symbol>,
        /// The layer variable and what it stands for.
        var: Option<(Symbol, Expr)>,
        /// At a kink, `δᵢ`: all of the small part, which `|δᵢ|` holds.
        whole: Option<(Symbol, Expr)>,
        compensated: bool,
        /// The bias that could absorb a non-zero operating point, and the value it would need.
        bias: Option<(String, Expr)>,
    },
    /// The activation's Taylor series used there (at 0 or a multiple of 𝟙).
    Series {
        index: usize,
        activation: String,
        at: Scalar,
        series: PointSeries,
    },
    /// At a symbolic operating point the coefficients are element-wise derivatives `s⁽ᵏ⁾(c)/k!`.
    Derivatives {
        index: usize,
        activation: String,
        point: Symbol,
        kept: usize,
    },
    /// The layer's output, element-wise, kept to the order: `tanh(u₁) = u₁ − ⅓·u₁^∘3 + O(ε⁴)`.
    Output {
        index: usize,
        activation: String,
        arg: Expr,
        output: Expr,
        order: u32,
        truncated: bool,
        small: Small,
    },
    /// The whole expansion, written by layer.
    Expansion {
        y: Expr,
        order: u32,
        truncated: bool,
        small: Small,
    },
    /// The layer variables substituted and the terms collected by degree in the input:
    /// `y = W·x + b + (the first non-affine order, by layer) + O(…)`.
    Collected {
        w: Expr,
        b: Expr,
        first: Expr,
        k: Option<u32>,
        order: u32,
        truncated: bool,
    },
    /// `W` and `b`, with the lecture's shape annotations.
    Identified {
        w: Expr,
        b: Expr,
        w_shape: Option<String>,
        b_shape: Option<String>,
    },
    /// The verdict and its reason: the first non-affine terms (by layer), or the kinks' slopes.
    Verdict {
        verdict: Verdict,
        first: Expr,
        kinks: Vec<super::KinkInfo>,
    },
}

/// The steps the analysis driver adds after the expansion.
pub fn conclude(a: &super::Analysis) -> Vec<Step> {
    let d = &a.decision;
    let e = &a.expansion;
    // The order-k terms not already in W·x + b (at a kink W and b hold its ε¹ affine part).
    let first = match d.k {
        Some(_) => d.leading_layered.clone(),
        None => Expr::zero(),
    };
    vec![
        Step::Expansion {
            y: e.layered.clone(),
            order: a.order,
            truncated: e.truncated,
            small: a.small.clone(),
        },
        Step::Collected {
            w: d.w.clone(),
            b: d.b.clone(),
            first: first.clone(),
            k: d.k,
            order: a.order,
            truncated: e.truncated,
        },
        Step::Identified {
            w: d.w.clone(),
            b: d.b.clone(),
            w_shape: super::shapes::equation(&d.w, &a.symbols, 4),
            b_shape: super::shapes::equation(&d.b, &a.symbols, 4),
        },
        Step::Verdict {
            verdict: d.verdict.clone(),
            first: if d.leading_layered.is_zero() {
                d.leading_full.clone()
            } else {
                d.leading_layered.clone()
            },
            kinks: d.kinks.clone(),
        },
    ]
}
