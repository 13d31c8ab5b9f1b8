//! The exact power-series engine and the activation catalog.

pub mod eval;
pub mod power;

pub use eval::{PointSeries, Side, Smoothness, scalar_value, series_at};
pub use power::{Series, SeriesError};

/// The prelude that defines the catalog's activations.
pub const CATALOG: &str = include_str!("catalog.tn");
