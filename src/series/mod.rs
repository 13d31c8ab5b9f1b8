//! The exact power-series engine and the activation catalog.

pub mod eval;
pub mod power;
mod rational;

pub use eval::{PointSeries, Side, Smoothness, scalar_value, series_at};
pub use power::Series;

use crate::algebra::Scalar;

/// A small deterministic generator (xorshift) for the series' property tests, which need no
/// dependency; each test module adds the draws it needs.
#[cfg(test)]
pub(crate) struct Rng(pub(crate) u64);

#[cfg(test)]
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The prelude that defines the catalog's activations.
pub const CATALOG: &str = include_str!("catalog.tn");

/// The result of `taylornet series`.
#[derive(Clone, Debug)]
pub struct SeriesResult {
    /// What was expanded, as the user named or wrote it.
    pub name: String,
    /// The point it was expanded at.
    pub at: Scalar,
    /// The order the series was computed to.
    pub order: usize,
    /// The expansion: one series, or two one-sided ones at a breakpoint.
    pub series: PointSeries,
    /// The expression and its variable, when what was expanded was written as an expression
    /// in one variable (`tanh(tanh(x))`) rather than named or defined.
    pub written: Option<(crate::syntax::Expr, crate::syntax::Name)>,
}
