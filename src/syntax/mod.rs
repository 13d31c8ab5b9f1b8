//! Parsing: text → statements with spans (`grammar/taylornet.pest`).

pub mod ast;
pub mod names;
pub mod parser;
pub mod split;

pub use ast::{CmpOp, DimSpec, Expr, ExprKind, ProdOp, ShapeSpec, Stmt};
pub use names::Name;
pub use parser::{parse_expr, parse_script, parse_statement};
