//! Exact algebra: the scalar ring and the canonical normal form of matrix expressions.

pub mod nf;
pub mod scalar;
pub mod sign;
pub mod sorted_map;

pub use nf::{Chain, ElemAtom, Expr, Factor, Kind, Symbol, Trunc};
pub use scalar::{Q, Scalar, ScalarError};
