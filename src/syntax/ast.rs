//! The syntax tree: what was written, with spans, before any name is resolved.

use super::names::Name;
use crate::diagnostic::Span;
use malachite_q::Rational;

/// An expression as written.
///
/// Left-associative chains (`a + b − c`, `a·b/c`, `a∘b∘c`) are kept flat, so the
/// tree's depth grows only with brackets and prefix operators; `depth` is
/// computed as the tree is built, which lets the parser refuse over-deep input
/// before anything recursive (lowering, even `Drop`) can overflow the stack.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    pub depth: u32,
}

/// How a factor joins a product chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProdOp {
    /// `·`, `*`, `@`, or juxtaposition (the first factor of a chain too).
    Mul,
    /// `/` (by a scalar).
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    /// Whether `lhs op rhs` holds, given how `lhs` compares with `rhs`.
    pub fn holds(self, lhs_vs_rhs: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Greater, Less};
        match self {
            CmpOp::Gt => lhs_vs_rhs == Greater,
            CmpOp::Ge => lhs_vs_rhs != Less,
            CmpOp::Lt => lhs_vs_rhs == Less,
            CmpOp::Le => lhs_vs_rhs != Greater,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An exact number (`0.5` is read as 1/2).
    Num(Rational),
    Name(Name),
    /// The all-ones vector `𝟙`.
    Ones,
    /// `f(args; key = value)`, or `f′(args)`: the derivative of order `primes`.
    Call {
        name: Name,
        name_span: Span,
        primes: u32,
        args: Vec<Expr>,
        kwargs: Vec<(Name, Span, Expr)>,
    },
    Neg(Box<Expr>),
    /// `a + b − c`: each term with `true` when it is subtracted.
    Sum(Vec<(bool, Expr)>),
    /// `a·b/c`, in order.
    Product(Vec<(ProdOp, Expr)>),
    /// `a∘b∘c`.
    Hadamard(Vec<Expr>),
    /// A power of a scalar: `λ²`, `α^(1/2)`.
    Pow {
        base: Box<Expr>,
        exp: Box<Expr>,
    },
    /// The transpose `Wᵀ` (also `W^T`, `W'`).
    Transpose(Box<Expr>),
    /// An element-wise power `z^∘k`.
    HadPow {
        base: Box<Expr>,
        exp: u32,
        exp_span: Span,
    },
    /// `if lhs op rhs then a else b` (function bodies only).
    If {
        lhs: Box<Expr>,
        op: CmpOp,
        rhs: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
}

/// A dimension in a shape declaration: a number or a symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DimSpec {
    Known(u64),
    Named(Name),
}

/// What a declaration says a name is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeSpec {
    Scalar,
    Dim,
    Vector(DimSpec),
    Matrix(DimSpec, DimSpec),
}

/// A keyword parameter of a function definition, with its default.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Name,
    pub span: Span,
    pub default: Option<Expr>,
}

/// A numeric vector or matrix literal, entries exact and row-major (`cols` is `None` for a vector).
#[derive(Clone, Debug, PartialEq)]
pub struct TensorLit {
    pub rows: usize,
    pub cols: Option<usize>,
    pub data: Vec<malachite_q::Rational>,
}

/// One statement of a script or REPL entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `W1 = [[0.5, -1], [2, 0.1]]`: a name bound to numeric values.
    Value {
        /// The symbol that takes the values.
        name: Name,
        /// Where the name was written.
        name_span: Span,
        /// The values, row by row.
        value: TensorLit,
        /// The whole statement.
        span: Span,
    },
    /// `:order 5`: the arguments are the raw text after the command name.
    Command {
        /// The command's name without the colon (`order`).
        name: String,
        /// The text after the name (`5`).
        args: String,
        /// The whole statement.
        span: Span,
    },
    /// `W1, W2 : 2×2`.
    Decl {
        /// The names declared, each with where it was written.
        names: Vec<(Name, Span)>,
        /// The shape they all get.
        shape: ShapeSpec,
        /// The whole statement.
        span: Span,
    },
    /// `s(t; a = 1) = body`.
    Def {
        /// The function's name (`s`).
        name: Name,
        /// Where the name was written.
        name_span: Span,
        /// The function's variable (`t`).
        var: Name,
        /// Where the variable was written.
        var_span: Span,
        /// The keyword parameters after `;`, with their defaults.
        params: Vec<Param>,
        /// The body: a scalar expression of the variable.
        body: Expr,
        /// The whole statement.
        span: Span,
    },
    /// `z1 = W1·x + b1`.
    Bind {
        /// The name bound (`z1`).
        name: Name,
        /// Where the name was written.
        name_span: Span,
        /// The expression it stands for.
        value: Expr,
        /// The whole statement.
        span: Span,
    },
    /// An expression to analyse.
    Expr(Expr),
}

impl Expr {
    /// Builds a node; its depth is one more than its deepest child.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        let child = |e: &Expr| e.depth;
        let d = match &kind {
            ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::Ones => 0,
            ExprKind::Call { args, kwargs, .. } => args
                .iter()
                .map(child)
                .chain(kwargs.iter().map(|k| k.2.depth))
                .max()
                .unwrap_or(0),
            ExprKind::Neg(e) | ExprKind::Transpose(e) => e.depth,
            ExprKind::Sum(v) => v.iter().map(|(_, e)| e.depth).max().unwrap_or(0),
            ExprKind::Product(v) => v.iter().map(|(_, e)| e.depth).max().unwrap_or(0),
            ExprKind::Hadamard(v) => v.iter().map(child).max().unwrap_or(0),
            ExprKind::Pow { base, exp } => base.depth.max(exp.depth),
            ExprKind::HadPow { base, .. } => base.depth,
            ExprKind::If {
                lhs,
                rhs,
                then,
                otherwise,
                ..
            } => lhs
                .depth
                .max(rhs.depth)
                .max(then.depth)
                .max(otherwise.depth),
        };
        Expr {
            kind,
            span,
            depth: d + 1,
        }
    }
}

impl Expr {
    /// An n-ary node (`Sum`, `Product`, `Hadamard`) grown by one operand: its depth follows
    /// from the old depth and the new operand, so building a sum of n terms costs O(n), not O(n²).
    pub fn grown(kind: ExprKind, span: Span, old_depth: u32, added: u32) -> Expr {
        Expr {
            kind,
            span,
            depth: old_depth.max(added + 1),
        }
    }
}

impl Stmt {
    /// Where the whole statement was written.
    pub fn span(&self) -> Span {
        match self {
            Stmt::Command { span, .. }
            | Stmt::Decl { span, .. }
            | Stmt::Def { span, .. }
            | Stmt::Bind { span, .. }
            | Stmt::Value { span, .. } => *span,
            Stmt::Expr(e) => e.span,
        }
    }
}
