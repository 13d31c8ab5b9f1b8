//! The exact power-series engine and the activation catalog.

pub mod eval;
pub mod power;
mod rational;

pub use eval::{PointSeries, Side, Smoothness, scalar_value, series_at};
pub use power::Series;

use crate::algebra::Scalar;

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
}
