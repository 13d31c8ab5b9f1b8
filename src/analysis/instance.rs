//! The numeric instance of a result: plain data that the model stage (`src/model/`) computes
//! when weights have values, and the report renders beside the symbolic result.

use crate::algebra::Q;
use crate::syntax::Name;

/// One entry: exact, or a float rounded from a 256-bit evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    /// An exact rational.
    Exact(Q),
    /// A float: the value was computed in 256-bit floats and rounded to f64.
    Float(f64),
    /// A float beyond f64's normal range (the slope of a saturated unit, 10⁻³⁴⁷), computed in
    /// wide floats: `mantissa·10^exp10`, 1 ≤ |mantissa| < 10.
    Wide {
        /// The significand, 1 ≤ |mantissa| < 10.
        mantissa: f64,
        /// The power of ten.
        exp10: i64,
    },
}

impl Num {
    /// The value as an f64 (an exact value rounded).
    pub fn to_f64(&self) -> f64 {
        match self {
            Num::Exact(q) => crate::float::q_to_f64(q),
            Num::Float(x) => *x,
            // Parsing the decimal rounds it once: to a subnormal, or to 0 or ±∞ past them.
            Num::Wide { mantissa, exp10 } => {
                format!("{mantissa}e{exp10}").parse().unwrap_or(f64::NAN)
            }
        }
    }

    /// log₂ |value| (−∞ for 0), whatever the exponent.
    pub fn log2_abs(&self) -> f64 {
        match self {
            Num::Exact(q) => {
                let f = crate::float::q_to_f64(q).abs();
                if *q == 0u32 || (f.is_finite() && f >= f64::MIN_POSITIVE) {
                    return libm::log2(f);
                }
                // Beyond f64's range (10⁴⁰⁰, 10⁻⁴⁰⁰): from its decimal exponent, found exactly.
                let (mantissa, exp10) = crate::float::decimal_parts(q);
                (libm::log10(mantissa.abs()) + exp10 as f64) * std::f64::consts::LOG2_10
            }
            Num::Float(x) => libm::log2(x.abs()),
            Num::Wide { mantissa, exp10 } => {
                (libm::log10(mantissa.abs()) + *exp10 as f64) * std::f64::consts::LOG2_10
            }
        }
    }

    /// The sign of the value: −1, 0 or 1.
    pub fn signum(&self) -> i32 {
        let x = match self {
            // Exactly: 10⁻⁴⁰⁰ rounds to the f64 0 but is positive.
            Num::Exact(q) => return i32::from(*q > 0u32) - i32::from(*q < 0u32),
            Num::Float(x) => *x,
            Num::Wide { mantissa, .. } => *mantissa,
        };
        if x > 0.0 {
            1
        } else if x < 0.0 {
            -1
        } else {
            0
        }
    }

    /// The exact value, when the entry has one.
    pub fn exact(&self) -> Option<&Q> {
        match self {
            Num::Exact(q) => Some(q),
            Num::Float(_) | Num::Wide { .. } => None,
        }
    }
}

/// A numeric matrix, row-major (a vector has one column).
#[derive(Clone, Debug, PartialEq)]
pub struct Mat {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns (1 for a vector).
    pub cols: usize,
    /// `rows × cols` entries, row by row.
    pub entries: Vec<Num>,
}

impl Mat {
    /// The entry at row `i`, column `j` (0-based).
    pub fn at(&self, i: usize, j: usize) -> &Num {
        &self.entries[i * self.cols + j]
    }
    /// True when every entry is exact.
    pub fn is_exact(&self) -> bool {
        self.entries.iter().all(|e| matches!(e, Num::Exact(_)))
    }
}

/// What the bound values make of a result.
#[derive(Clone, Debug, Default)]
pub struct Numeric {
    /// W and b (of the result as it stands), when every weight they involve has a value.
    pub w: Option<Mat>,
    /// The bias b, as a one-column matrix, under the same condition as `w`.
    pub b: Option<Mat>,
    /// Weights the symbolic W or b involves that have no value.
    pub missing: Vec<Name>,
    /// Why there is no numeric W or b, or how it was computed.
    pub notes: Vec<String>,
    /// The affine region of a piecewise-linear network around its data point.
    pub region: Option<Result<Region, String>>,
    /// The radius of affinity σ* of a smooth network.
    pub sigma: Option<Result<SigmaStar, String>>,
    /// A named constant of the operating point (`κ₁`) that the expansion took to be non-zero
    /// and that is exactly 0 at these values: nothing the expansion says holds here.
    pub vanishing_constant: Option<String>,
    /// Why nothing is decided at these values: an entry sits exactly on its breakpoint at the
    /// data point (which the expansion assumed away) and the region could not be computed.
    pub undecided: Option<String>,
    /// `undecided` comes from what the bound values force with other weights symbolic (an
    /// operating point, a first non-affine term): drawn values of those may settle it.
    pub undecided_forced: bool,
    /// With `undecided`: an operating point is closer to a breakpoint than 8192-bit floats
    /// resolve, so which piece holds there, and the verdict at these values, is not known.
    pub piece_unresolved: bool,
    /// With `undecided`: the first non-affine term is 0 at every random point tried at these
    /// values (evidence, not proof): evaluated exactly where it is not a polynomial in the
    /// input (it holds |·| of it), or to within 2048-bit floats where its constants are not
    /// rational.
    pub leading_zero_at_points: bool,
    /// With `undecided`: the layer whose assumption that no entry sits on a breakpoint fails at
    /// these values (its assumption line says so).
    pub failing_layer: Option<usize>,
    /// With `undecided`: the layer expanded around a generic operating point where a first
    /// derivative the expansion took to be non-zero is 0 at these values (relu′ at a negative
    /// entry); its assumption line says so.
    pub generic_failing_layer: Option<usize>,
    /// Every layer the expansion assumed off its breakpoints that has an entry exactly on one
    /// at the data point (their assumption lines say that it fails).
    pub on_breakpoint_layers: Vec<usize>,
    /// Why the assumptions of `unchecked_layers` are not checked (None: a value or a parameter
    /// there is not rational).
    pub unchecked_reason: Option<String>,
    /// An entry exactly on its breakpoint at the data point of a network that is not piecewise
    /// linear (so it has no affine region): what its kink does, from the network's first order.
    pub breakpoint: Option<FirstOrderKink>,
    /// The first non-affine term of the symbolic result is identically 0 at these values, and
    /// how that was decided (exactly on a grid, or by a stated probabilistic test).
    pub leading_vanishes: Option<String>,
    /// The linear part W of an `affine` verdict is 0 at these values, decided exactly, and
    /// how: the network is degenerate there (cos∘cos with b₁ = 0).
    pub w_vanishes: Option<String>,
    /// Layers the expansion assumed off every breakpoint with an entry whose input at the data
    /// point is not rational: the assumption is not checked at these values there.
    pub unchecked_layers: Vec<usize>,
    /// With `leading_vanishes`: the network's first non-affine order at these values, when it
    /// is decided there.
    pub beyond: Option<Beyond>,
    /// With `leading_vanishes` and no `beyond`: every part of the expansion past the vanishing
    /// term, up to this order (the search limit), is 0 at these values, each decided exactly, so
    /// the network is affine to at least O(ε^(n+1)) there, as the symbolic search says of a
    /// network with no non-affine term up to its limit.
    pub affine_through: Option<u32>,
    /// The parts past the vanishing term up to the order the analysis was carried to are each 0
    /// at these values (decided exactly), where the search may go on (`affine_through`).
    pub(crate) zero_through: Option<u32>,
    /// The compensated analysis's first non-affine term is 0 at these values, and how that was
    /// decided: its verdict, found for generic weights, does not hold there.
    pub compensated_vanishes: Option<String>,
    /// Where nothing else decides at these values: the network is exactly affine there, by the
    /// form of its outputs written out in the input's entries.
    pub affine_written_out: Option<AffineWrittenOut>,
    /// Every weight is bound and a parameter symbolic: the conditions on it, found for generic
    /// weights, are not stated (a note says so).
    pub conditions_withdrawn: bool,
}

/// The network's first non-affine order at the bound values, past a first non-affine term that
/// is 0 there, and how it was found ([`BeyondBy`]).
#[derive(Clone, Debug)]
pub struct Beyond {
    /// The order of the first non-affine term at the values.
    pub k: u32,
    /// How the order was found.
    pub by: BeyondBy,
    /// That term, in the input's terms.
    pub term: crate::algebra::Expr,
    /// An input where the term is exactly non-zero at the values.
    pub at: Vec<Q>,
}

/// The network is exactly affine at the bound values, by the form of its outputs: each, written
/// out exactly in the input's entries (x₀ + ξ, every activation's value an exact atom), is an
/// affine function of ξ by the algebra's identities alone (`model::symbolic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffineWrittenOut {
    /// The input's length (the entries written out).
    pub inputs: usize,
    /// The output's length (the entries read).
    pub outputs: usize,
}

/// How [`Beyond`] was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeyondBy {
    /// Every operating point is exactly 0 at the values, which is what the compensated analysis
    /// (each O(1) part cancelled by its bias) assumes, so its expansion is this network's (with
    /// the same W and b, checked exactly), and its first non-affine term is not 0 there.
    Compensation,
    /// The input is the only small symbol (every other one has a value), so a term's order is
    /// its degree in the input: the expansion's part of this order in the input's terms (exact,
    /// below the order it was carried to) is not 0 at the values, and every part between the
    /// vanishing term and it is 0 there, each decided exactly on a grid.
    Expansion,
}

/// An entry on its breakpoint at x₀ in a network that is not piecewise linear. Near x₀ every
/// smooth function is its tangent to first order and the entry on its breakpoint adds a
/// multiple of |t|, so y(x₀ + h) = y(x₀) + g(h) + o(h) with g piecewise linear: the kink reaches
/// the output exactly when g is not linear. When it is, y is differentiable at x₀ with
/// derivative W = g, and what the terms of higher order do is not decided.
#[derive(Clone, Debug, PartialEq)]
pub struct FirstOrderKink {
    /// The data point x₀, exact.
    pub at: Vec<Q>,
    /// The point's name (`x₀`), when it has one.
    pub at_name: Option<String>,
    /// The (first) entry on its breakpoint.
    pub entry: Neuron,
    /// The expansion assumed that no entry of the entry's layer sits on a breakpoint (so it
    /// does not hold at x₀); otherwise it took the breakpoint as it is and found a kink.
    pub assumed: bool,
    /// `Reaches` (exact), `Cancels` (a piecewise-linear network whose region was not
    /// computed: exact), or `Undecided` with why (the kinks cancel at first order).
    pub effect: BreakpointEffect,
}

/// One activation entry: where it is, how far its pre-activation is from a breakpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Neuron {
    /// 1-based, innermost activation first (the analysis's layer numbering).
    pub layer: usize,
    /// The activation's name (`relu`, `hardtanh`).
    pub activation: String,
    /// 0-based entry of the layer.
    pub index: usize,
    /// The pre-activation z(x₀).
    pub pre: Q,
    /// How far z may move before a comparison of the activation changes side.
    pub distance: Q,
    /// The signed move of z that reaches that breakpoint.
    pub step: Q,
    /// ∇z at x₀ (constant inside the region).
    pub grad: Vec<Q>,
}

/// The affine region around x₀ and the affine map the network is on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// The data point x₀, exact.
    pub at: Vec<Q>,
    /// The point's name (`x₀`), when it has one.
    pub at_name: Option<String>,
    /// y = W·x + b on the region (exact).
    pub w: Mat,
    /// The bias of the affine map on the region (one column).
    pub b: Mat,
    /// r∞ (`None`: no entry ever reaches a breakpoint, the network is affine everywhere).
    pub radius_inf: Option<Q>,
    /// r₂² (exact; r₂ is its square root).
    pub radius2_sq: Option<Q>,
    /// The entry that limits r∞ (the nearest breakpoint in the ∞-norm).
    pub limit_inf: Option<Neuron>,
    /// The entry that limits r₂ (the nearest breakpoint in the 2-norm).
    pub limit_2: Option<Neuron>,
    /// How many activation entries were decided.
    pub entries: usize,
    /// Entries of each layer on each side, per layer: (layer, activation, on the identity-like
    /// piece `t` … as a pattern of piece numbers).
    pub patterns: Vec<(usize, String, String)>,
    /// When x₀ sits on a breakpoint: the affine maps on the sides of x₀ compared.
    pub sides: Option<Sides>,
}

/// What the kink of an entry on its breakpoint at x₀ does to the output of a piecewise-linear
/// network.
#[derive(Clone, Debug, PartialEq)]
pub struct Sides {
    /// How many directions from x₀ were tried (0 when decided from the bars).
    pub directions: usize,
    /// Decided exactly: from the bars of the entries on their breakpoints (see
    /// `model::region::germ`), or proven by the sides tried (two different maps, a jump).
    pub exact: bool,
    /// The outcome.
    pub effect: BreakpointEffect,
}

/// The outcome of [`Sides`].
#[derive(Clone, Debug, PartialEq)]
pub enum BreakpointEffect {
    /// The kinks cancel: near x₀ the network is one affine map (the region's W and b).
    Cancels,
    /// The kink reaches the output: the network is not affine on any ball around x₀.
    Reaches,
    /// The network jumps at x₀: a side's affine map does not pass through its value there.
    Jumps,
    /// Not decided, and why (e.g. one map on every side tried, which is evidence only; the
    /// region's W and b are then that map).
    Undecided(String),
}

impl Sides {
    /// The kinks cancel (decided exactly).
    pub fn cancels(&self) -> bool {
        self.effect == BreakpointEffect::Cancels
    }
    /// The network is not affine on any ball around x₀.
    pub fn bends(&self) -> bool {
        matches!(
            self.effect,
            BreakpointEffect::Reaches | BreakpointEffect::Jumps
        )
    }
}

/// σ*(τ): estimated from the leading term, measured on the true network.
#[derive(Clone, Debug, PartialEq)]
pub struct SigmaStar {
    /// The tolerance τ: σ* is the σ at which the relative deviation ρ from the affine map reaches τ.
    pub tau: f64,
    /// The order of the first non-affine term.
    pub k: u32,
    /// The precision of the measurement in bits: 256, or 2048 where W·ξ is too small for 256
    /// bits to resolve the deviation relative to it.
    pub bits: u32,
    /// (τ·‖W·ξ‖/‖N(ξ)‖)^(1/(k−1)), the smallest over the directions (None when the first
    /// non-affine term of the symbolic result vanishes at these values).
    pub estimate: Option<f64>,
    /// The order the measured deviation shows at small σ (1 + the fitted slope of ρ).
    pub measured_order: Option<f64>,
    /// Where the measured ρ first reaches τ (None: not within the grid).
    pub measured: Option<f64>,
    /// (σ, the largest ρ over the directions) on a geometric grid, for the plot.
    pub curve: Vec<(f64, f64)>,
    /// The directions ξ (x = σ·ξ around the expansion point).
    pub directions: Vec<Vec<f64>>,
    /// Remarks on how σ* was obtained (skipped directions, an estimate that does not apply).
    pub notes: Vec<String>,
}
