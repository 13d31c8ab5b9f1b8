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

/// The scalar parameters `ir` reads from outside (`λ` in `tanh(λ·x)`, `α` in
/// `leaky_relu(x; a = α)`), through the definitions it calls too; a definition's own keyword
/// parameters are its own, not these. Each definition is read once.
pub fn free_parameters(ir: &Ir) -> std::collections::BTreeSet<Name> {
    let mut out = std::collections::BTreeSet::new();
    let mut seen: std::collections::BTreeSet<*const FunDef> = Default::default();
    let mut defs: Vec<Rc<FunDef>> = Vec::new();
    let mut read = |root: &Ir, own: &[(Name, Ir)], defs: &mut Vec<Rc<FunDef>>| {
        visit::walk(root, |x| {
            match x.kind() {
                IrKind::Param(p) if !own.iter().any(|(n, _)| n == p) => {
                    out.insert(p.clone());
                }
                IrKind::Apply {
                    callee: Callee::Def(d),
                    ..
                } if seen.insert(Rc::as_ptr(d)) => defs.push(d.clone()),
                _ => {}
            }
            visit::Step::Descend
        });
    };
    read(ir, &[], &mut defs);
    while let Some(d) = defs.pop() {
        read(&d.body, &d.params, &mut defs);
        for (_, default) in &d.params {
            read(default, &d.params, &mut defs);
        }
    }
    out
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

/// True when `ir`, a function body, is finite at every real value of its variable (with finite
/// parameters), and so is each of its derivatives away from the breakpoints of a comparison
/// or |·|: what a value at an unknown point may be taken to be. Decided by the syntax alone
/// (`1/(1 + exp(−t))` is, its base being positive; `1/t`, `log(t)`, `tan(t)` are not).
pub fn is_total(ir: &Ir) -> bool {
    match ir.kind() {
        IrKind::Pow(base, e) => {
            is_total(base)
                && (e.denominator_ref() == &1u32 && *e >= 0u32
                    || !mentions_var(base)
                    || sign_class(base) == Some(SignClass::Positive))
        }
        IrKind::Apply {
            callee,
            arg,
            params,
            ..
        } => {
            is_total(arg)
                && params.iter().all(|(_, p)| is_total(p))
                && match callee {
                    Callee::Prim(Prim::Log | Prim::Sqrt) => {
                        sign_class(arg) == Some(SignClass::Positive)
                    }
                    Callee::Prim(Prim::Tan) => false,
                    callee => callee.is_total(),
                }
        }
        IrKind::Bound { value, .. } => is_total(value),
        k => lower::children(k).into_iter().all(is_total),
    }
}

fn mentions_var(ir: &Ir) -> bool {
    match ir.kind() {
        IrKind::Var => true,
        IrKind::Bound { value, .. } => mentions_var(value),
        k => lower::children(k).into_iter().any(mentions_var),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SignClass {
    Positive,
    NonNegative,
}

/// A sign every value of `ir` has (its totality checked by the caller), where its syntax
/// shows one (1 + exp(−t) > 0, 1 + |t| > 0, t² ≥ 0).
fn sign_class(ir: &Ir) -> Option<SignClass> {
    use SignClass::{NonNegative, Positive};
    // A sum is positive when one of its non-negative parts is, a product when all are.
    let parts_with = |parts: &[Ir], strong_if_any: bool| -> Option<SignClass> {
        let classes: Option<Vec<SignClass>> = parts.iter().map(sign_class).collect();
        classes.map(|c| {
            let any_positive = c.contains(&Positive);
            let all_positive = !c.contains(&NonNegative);
            if (strong_if_any && any_positive) || (!strong_if_any && all_positive) {
                Positive
            } else {
                NonNegative
            }
        })
    };
    match ir.kind() {
        IrKind::Num(q) if *q > 0u32 => Some(Positive),
        IrKind::Num(q) if *q == 0u32 => Some(NonNegative),
        IrKind::Pi | IrKind::E | IrKind::Len => Some(Positive),
        IrKind::Sum(parts) => parts_with(parts, true),
        IrKind::Mul(parts) | IrKind::Had(parts) => parts_with(parts, false),
        IrKind::Pow(base, e) => match sign_class(base) {
            Some(Positive) => Some(Positive),
            _ if (e.clone() / Q::from(2u32)).denominator_ref() == &1u32 && *e >= 0u32 => {
                Some(NonNegative)
            }
            class => class.filter(|_| *e >= 0u32),
        },
        IrKind::HadPow(base, k) => match sign_class(base) {
            Some(Positive) => Some(Positive),
            _ if k % 2 == 0 => Some(NonNegative),
            class => class,
        },
        IrKind::Apply {
            callee: Callee::Prim(Prim::Exp),
            deriv: 0,
            ..
        } => Some(Positive),
        IrKind::Apply {
            callee: Callee::Prim(Prim::Abs),
            deriv: 0,
            ..
        } => Some(NonNegative),
        IrKind::Apply {
            callee: Callee::Prim(Prim::Sqrt),
            deriv: 0,
            arg,
            ..
        } => sign_class(arg),
        IrKind::Bound { value, .. } => sign_class(value),
        _ => None,
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

    /// Whether the function and its derivatives are finite at every real point (away from
    /// breakpoints): see [`is_total`].
    pub fn is_total(&self) -> bool {
        match self {
            Callee::Prim(p) => !matches!(p, Prim::Log | Prim::Sqrt | Prim::Tan),
            Callee::Def(d) => is_total(&d.body) && d.params.iter().all(|(_, p)| is_total(p)),
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
