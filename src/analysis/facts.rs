//! The facts an analysis states besides its verdict, as data: what it assumed and what a
//! condition makes vanish. The report layer writes them (`report::analysis`), so their
//! wording lives in one place and a caller can match on them instead of on sentences.

use crate::algebra::Expr;
use crate::syntax::Name;

/// Something the analysis took for granted; each report lists them.
#[derive(Clone, Debug, PartialEq)]
pub enum Assumption {
    /// The input does not occur, so the expression is constant in it.
    InputAbsent {
        /// The input the analysis expanded in.
        input: Name,
    },
    /// Two layers would need one bias at two values to cancel their O(1) parts, so no
    /// compensated result is given.
    NoCompensation {
        /// The bias both layers need.
        bias: String,
        /// The value the first layer needs.
        first: Expr,
        /// The value the second layer needs.
        second: Expr,
    },
    /// No compensated result: a bias that cancels a layer's O(1) part also enters a constant
    /// layer (nothing small in its argument), which no bias cancels, so its one value would
    /// be taken away in one place and kept in the other.
    BiasInAConstantLayer {
        /// The bias.
        bias: Name,
        /// The constant layer's index, innermost first.
        layer: usize,
        /// Its activation.
        activation: String,
    },
    /// No compensated result: a bias that cancels a layer's O(1) part also occurs outside that
    /// layer's argument (`|W₁·x + b₁|∘(W₁·x + b₁)` at a data point), where setting it to the
    /// cancelling value would change the network too; cancelling it inside alone is no network.
    BiasOutsideItsLayer {
        /// The bias.
        bias: Name,
        /// The layer whose O(1) part it cancels, innermost first.
        layer: usize,
        /// Its activation.
        activation: String,
    },
    /// An entry of a piecewise layer's symbolic operating point sits exactly on a breakpoint
    /// at a random draw of the symbols, with the small signal passing through: the
    /// expansion's assumption that none does fails on a set of positive measure, and the
    /// verdict is not decided.
    BreakpointReached {
        /// The layer's index, innermost first.
        layer: usize,
        /// Its activation.
        activation: String,
        /// The entry (from 0).
        entry: usize,
        /// The operating point.
        op_point: Expr,
    },
    /// A layer's O(1) part is assumed cancelled by its bias (the compensated analysis).
    Compensated {
        /// The layer's index, innermost first.
        layer: usize,
        /// The layer's activation.
        activation: String,
        /// The O(1) part that was cancelled.
        op_point: Expr,
    },
    /// A layer was expanded around a symbolic operating point taken to be generic.
    GenericOperatingPoint {
        /// The layer's index, innermost first.
        layer: usize,
        /// The layer's activation.
        activation: String,
        /// The symbol that names the operating point.
        symbol: Name,
        /// The operating point.
        op_point: Expr,
    },
    /// A piecewise activation's derivatives at the operating point are those of one piece.
    NoBreakpointAtOperatingPoint {
        /// The layer's index, innermost first.
        layer: usize,
        /// The layer's activation.
        activation: String,
    },
    /// A piecewise activation's symbolic operating point lies on one piece in every entry,
    /// certified by the signs of the conditions that select the piece (`−b^∘2 ≤ 0`): the
    /// derivatives there are that piece's.
    PieceCertified {
        /// The layer's index, innermost first.
        layer: usize,
        /// The layer's activation.
        activation: String,
        /// Each condition's value at the operating point, with its certified sign.
        signs: Vec<(Expr, std::cmp::Ordering)>,
    },
    /// The pre-activation's leading part does not involve the input, so no entry crosses
    /// the kink at small ε.
    SideFixed {
        /// The layer's index, innermost first.
        layer: usize,
        /// The layer's activation.
        activation: String,
        /// The leading part of the pre-activation.
        lead: Expr,
    },
    /// Non-affine terms of these orders cancel by the probabilistic identity test.
    IdentityTest {
        /// The ε-orders whose terms the test found zero.
        orders: Vec<u32>,
    },
    /// The non-affine terms of this order may cancel where the expansion's assumptions hold,
    /// which the identity test could not decide: too few of its random draws had the values
    /// the expansion takes to be non-zero (`relu′(c)`) non-zero. They are kept.
    IdentityTestStarved {
        /// The ε-order of the kept terms.
        order: u32,
    },
    /// The non-affine terms of this order hold a constant that is not 0 but closer to it than
    /// the identity test's draws resolve (tanh(1000) − 1 ≈ −2⁻²⁸⁸⁴): they are kept, though an
    /// identity the test would have found might cancel them.
    IdentityTestUnresolved {
        /// The ε-order of the kept terms.
        order: u32,
    },
    /// The non-affine terms of this order vanish at some random values of the parameters and
    /// not at others (|λ·u| − λ·|u|, zero for λ > 0): kept, so the verdict is the one where
    /// they do not vanish.
    IdentityTestPartial {
        /// The ε-order of the kept terms.
        order: u32,
    },
    /// The linear part W, as the expansion writes it, is 0 by the probabilistic identity test
    /// (`3·((𝟙ᵀ·b)² − 𝟙ᵀ·b^∘2)²·u·uᵀ` with b of length 1): the verdict is read with W = 0.
    IdentityTestLinearPart,
    /// The non-affine terms of this order are affine once each bar of mixed orders in them is
    /// read at its leading part, which has one sign ([`super::decide::Decision::mixed_bar`]):
    /// the network is affine to this order, and where its non-affine part starts is not
    /// decided.
    BarsOfMixedOrders {
        /// The ε-order the terms were graded at.
        order: u32,
    },
    /// Leading coefficients with opaque constants were found zero numerically.
    NumericZeros {
        /// How many coefficients.
        count: usize,
    },
    /// Derivatives of a layer's activation at its generic operating point that no exact rule
    /// reduced were found 0 at three fixed points and taken to vanish everywhere.
    DerivativesZeroAtPoints {
        /// The layer.
        layer: usize,
        /// Its activation.
        activation: String,
        /// The orders of the derivatives.
        orders: Vec<usize>,
    },
    /// Opaque constants (`tanh(½)`) are compared in their canonical exact form.
    OpaqueConstants,
    /// The values of these parameters at which the first non-affine terms (or the linear part)
    /// vanish were not sought: `shown` values were found already, the limit.
    ConditionsCapped {
        /// What would vanish.
        what: Vanishing,
        /// How many values are given.
        shown: usize,
        /// The parameters not looked at.
        params: Vec<Name>,
    },
    /// No value of these parameters was found where the first non-affine terms (or the linear
    /// part) vanish, and their coefficients' zeros in them were not all worked out: a
    /// parameter inside a function or under a root (`sin(λ)`, `√λ − 2`), or a polynomial the
    /// solver leaves. The verdict is the one where they do not vanish.
    ZerosNotSought {
        /// What would vanish: the first non-affine terms, the linear part (sought when no
        /// value makes the terms vanish), or both.
        what: Vec<Vanishing>,
        /// The parameters.
        params: Vec<Name>,
    },
    /// Terms the identity test cancelled hold `sign` or |·| of these parameters, whose values
    /// on a breakpoint (where the cancellation may fail) were not all examined: a zero the
    /// exact solver does not reach or that holds another parameter, past the most examined,
    /// or a value where the network could not be analysed again.
    BreakpointValuesNotSought {
        /// The parameters.
        params: Vec<Name>,
    },
    /// A scalar's O(1) part that is not a number (`𝟙ᵀ·exp(c₁)`) was named and the scalar
    /// expanded around it, taken to be non-zero (positive under a root or a logarithm).
    ScalarOperatingPoint {
        /// The parameter that names it (`κ₁`).
        symbol: Name,
        /// What it stands for.
        value: Expr,
    },
    /// A scalar `s₀ + r` was expanded in powers of `r/s₀` with a symbolic `s₀` (`η`) and `r`
    /// of order σᵐ: the result holds for σ ≪ s₀^(1/m).
    ScaleBelow {
        /// `s₀`.
        constant: crate::algebra::Scalar,
        /// `m`.
        degree: u32,
        /// `s₀^(1/m)` (`√η`).
        bound: crate::algebra::Scalar,
    },
    /// Quantities that hold parameters stand under a fractional power (a root) or a logarithm
    /// in the result (`λ^(2/3)` of `(λ + t)^(1/3)`): their principal values are real, and have
    /// Taylor series, only where each is > 0.
    PositiveBases {
        /// Each such quantity (`λ`, `λ + 1`), once.
        bases: Vec<crate::algebra::Scalar>,
    },
}

/// A part of the answer the report leaves unexpanded, and why. The verdict, `W`, `b` and the
/// first non-affine term by layer never depend on it: they come from the lowest orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unexpanded {
    /// The expansion by layer is formed to a lower order than the one asked for.
    Expansion {
        /// The order the expansion shown is exact to.
        shown: u32,
        /// The order asked for.
        asked: u32,
        /// Why: the next order holds a sum of more terms than this, or takes more than a
        /// hundred times as many products of terms (the limit `max_shown_terms`); `None` when
        /// only the decision was asked for (the catalog table).
        limit: Option<usize>,
        /// The option that set `limit`: `max_shown_terms`, or `max_terms` when it is smaller.
        limit_name: &'static str,
    },
    /// The first non-affine term in the input's terms has more terms than the limit
    /// `max_terms`: it is given by layer only.
    InputTerms {
        /// The limit it passed.
        limit: usize,
    },
}

/// What vanishes at a condition's parameter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vanishing {
    /// The leading non-affine terms.
    NonAffineTerms,
    /// The linear part `W`.
    LinearPart,
    /// Nothing vanishes: the non-affine terms of this order, which cancel at almost every
    /// value of the parameters (by the identity test), do not cancel at this one.
    Survives {
        /// Their ε-order.
        order: u32,
    },
}
