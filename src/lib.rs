//! taylornet: a symbolic algebra engine for neural-network expressions.
pub mod algebra;
pub mod diagnostic;
pub mod ir;
pub mod limits;
pub mod print;
pub mod series;
pub mod syntax;
