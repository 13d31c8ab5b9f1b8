//! taylornet: a symbolic algebra engine for neural-network expressions.
pub mod algebra;
pub mod analysis;
pub mod diagnostic;
pub mod ir;
pub mod limits;
pub mod print;
pub mod series;
pub mod session;
pub mod syntax;
