//! The lowered form: names resolved, kinds and shapes known, functions linked.
//!
//! Like regex-syntax's HIR, the IR is separate from the AST: it says what an
//! expression means (`W1` is a 2×4 matrix, `z1` is bound to `W1·x + b1`,
//! `sigmoid` is the prelude's definition) while keeping spans for errors.

pub mod env;
pub mod lower;
pub mod shape;
pub mod visit;

use crate::algebra::{Kind, Q, Symbol};
use crate::diagnostic::Span;
use crate::syntax::{CmpOp, Name};
use std::rc::Rc;

pub use env::{Binding, Decl, Env, FunDef};
pub use lower::{Lowered, lower_expr, lower_function, lower_statement};
pub use shape::{Dim, Shape};

/// An element-wise primitive of the series engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Prim {
    /// `exp`.
    Exp,
    /// The natural logarithm, `log` (also `ln`).
    Log,
    /// `sin`.
    Sin,
    /// `cos`.
    Cos,
    /// `tan`.
    Tan,
    /// `tanh`.
    Tanh,
    /// `atan` (also `arctan`).
    Atan,
    /// The error function, `erf`.
    Erf,
    /// The square root, `sqrt`.
    Sqrt,
    /// The absolute value, `abs`: a kink at 0.
    Abs,
    /// −1, 0 or 1: the side of a kink an entry keeps when the kink is never crossed.
    Sign,
}

impl Prim {
    /// Every primitive, in the order of the enum.
    pub const ALL: [Prim; 11] = [
        Prim::Exp,
        Prim::Log,
        Prim::Sin,
        Prim::Cos,
        Prim::Tan,
        Prim::Tanh,
        Prim::Atan,
        Prim::Erf,
        Prim::Sqrt,
        Prim::Abs,
        Prim::Sign,
    ];

    /// The primitive's name in the language (`exp`, `log`, …).
    pub fn name(self) -> &'static str {
        match self {
            Prim::Exp => "exp",
            Prim::Log => "log",
            Prim::Sin => "sin",
            Prim::Cos => "cos",
            Prim::Tan => "tan",
            Prim::Tanh => "tanh",
            Prim::Atan => "atan",
            Prim::Erf => "erf",
            Prim::Sqrt => "sqrt",
            Prim::Abs => "abs",
            Prim::Sign => "sign",
        }
    }

    /// The primitive a name denotes, aliases (`ln`, `arctan`) included.
    pub fn from_name(n: &str) -> Option<Prim> {
        Some(match n {
            "exp" => Prim::Exp,
            "log" | "ln" => Prim::Log,
            "sin" => Prim::Sin,
            "cos" => Prim::Cos,
            "tan" => Prim::Tan,
            "tanh" => Prim::Tanh,
            "atan" | "arctan" => Prim::Atan,
            "erf" => Prim::Erf,
            "sqrt" => Prim::Sqrt,
            "abs" => Prim::Abs,
            "sign" => Prim::Sign,
            _ => return None,
        })
    }
}

/// A function applied element-wise: a primitive or a definition.
#[derive(Clone, Debug)]
pub enum Callee {
    /// A primitive of the series engine.
    Prim(Prim),
    /// A definition, from the catalog or the session.
    Def(Rc<FunDef>),
}

/// True when `ir` has an `if` or `abs` anywhere (directly or through calls): a function with
/// breakpoints.
pub fn has_breakpoints(ir: &Ir) -> bool {
    match ir.kind() {
        IrKind::If { .. } => true,
        IrKind::Apply { callee, arg, .. } => callee.has_breakpoints() || has_breakpoints(arg),
        k => lower::children(k).into_iter().any(has_breakpoints),
    }
}

impl Callee {
    /// Whether the function has a comparison or |·| anywhere (relu, abs; not tanh).
    pub fn has_breakpoints(&self) -> bool {
        match self {
            Callee::Prim(p) => matches!(p, Prim::Abs | Prim::Sign),
            Callee::Def(d) => has_breakpoints(&d.body),
        }
    }

    /// The function's name in ASCII (`tanh`, `leaky_relu`).
    pub fn name(&self) -> String {
        match self {
            Callee::Prim(p) => p.name().to_string(),
            Callee::Def(d) => d.name.ascii(),
        }
    }

    /// The name with `deriv` primes: `tanh′`.
    pub fn primed_name(&self, deriv: u32) -> String {
        format!("{}{}", self.name(), "′".repeat(deriv as usize))
    }
}

/// A lowered expression node. Only lowering builds nodes from scratch (it computes their
/// shapes); later stages read them through the accessors and rewrite a node with
/// [`Ir::with_kind`], which keeps its span and shape.
#[derive(Clone, Debug)]
pub struct Ir {
    kind: IrKind,
    span: Span,
    shape: Shape,
}

#[derive(Clone, Debug)]
pub enum IrKind {
    Num(Q),
    Pi,
    /// Euler's number.
    E,
    /// A scalar parameter (`λ`), including a function's keyword parameters inside its body.
    Param(Name),
    /// The variable of the function whose body this is.
    Var,
    /// A matrix or vector symbol.
    Sym(Symbol),
    Ones,
    Sum(Vec<Ir>),
    Neg(Box<Ir>),
    /// An ordered product, left to right (scalars anywhere).
    Mul(Vec<Ir>),
    Had(Vec<Ir>),
    /// A power of a scalar, with a rational exponent.
    Pow(Box<Ir>, Q),
    HadPow(Box<Ir>, u32),
    Diag(Box<Ir>),
    /// The length of a vector: the dimension in this node's `shape.rows` (a scalar; only
    /// ever under a `Pow`, so no sum or product unifies that dimension with 1).
    Len,
    /// The transpose `Xᵀ` of a vector, row or matrix (a scalar is its own and gets no node).
    Transpose(Box<Ir>),
    /// `f⁽ᵈᵉʳⁱᵛ⁾(arg)` applied element-wise, with keyword parameters bound to scalars.
    Apply {
        callee: Callee,
        deriv: u32,
        arg: Box<Ir>,
        params: Vec<(Name, Ir)>,
    },
    /// `if lhs op rhs then … else …` (function bodies only).
    If {
        lhs: Box<Ir>,
        op: CmpOp,
        rhs: Box<Ir>,
        then: Box<Ir>,
        otherwise: Box<Ir>,
    },
    /// A use of a binding (`z1`), kept so derivations can show the substitution.
    Bound {
        name: Name,
        value: Rc<Ir>,
    },
}

impl Ir {
    /// What the node is.
    pub fn kind(&self) -> &IrKind {
        &self.kind
    }

    /// Where the node was written.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The node's shape, with dimensions as lowering resolved them.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Whether the node is a scalar, a vector or a matrix.
    pub fn kind_of(&self) -> Kind {
        self.shape.kind
    }

    /// The node rewritten to `kind`, with the same span and shape: for rewrites that keep
    /// the shape (a parameter replaced by its value, the input shifted by a point).
    pub fn with_kind(&self, kind: IrKind) -> Ir {
        Ir {
            kind,
            span: self.span,
            shape: self.shape.clone(),
        }
    }
}
