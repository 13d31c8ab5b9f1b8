//! Exact algebra: the scalar ring and the canonical normal form of matrix expressions.

pub(crate) mod fraction;
pub(crate) mod nf;
pub(crate) mod scalar;
pub(crate) mod sign;
pub(crate) mod sorted_map;

pub(crate) use nf::{Chain, ElemAtom, Factor};
pub use nf::{Expr, Kind, Symbol, Trunc};
pub(crate) use scalar::ScalarError;
pub use scalar::{Q, Scalar};
