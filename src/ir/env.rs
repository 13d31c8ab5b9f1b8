//! What a session knows: declarations, bindings, function definitions.

use super::Ir;
use crate::syntax::{Name, ShapeSpec};
use std::collections::BTreeMap;
use std::rc::Rc;

/// What a declaration says: `λ : scalar`, `n : dim`, `x : 4`, `W1 : 2×4`.
pub type Decl = ShapeSpec;

/// `z1 = W1·x + b1`: the meaning at the time of the binding.
///
/// A use of the binding shares `value` (an `Rc`, never a copy), so a chain of bindings costs
/// what each one adds. The value's shapes are numbered within the binding; a use ties them to
/// the statement through `symbols` alone.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: Name,
    pub value: Rc<Ir>,
    /// The right-hand side as written.
    pub text: String,
    /// Every matrix and vector symbol of the value (through nested bindings too), with its
    /// shape in the binding's numbering, in order of first appearance.
    pub symbols: Vec<(crate::algebra::Symbol, super::Shape)>,
    /// The value has a node whose size only its context fixes (`𝟙` of a free dimension), so a
    /// use copies the value to give that node the statement's dimension.
    pub copy_on_use: bool,
    /// How many nodes the value has with every binding it uses written out (saturating): the
    /// work of expanding it, known before any expansion starts.
    pub expanded_size: u64,
    /// How deeply the value nests with every binding it uses written out: the recursion depth
    /// of the stages that walk it.
    pub expanded_depth: u32,
}

/// A scalar function applied element-wise: `s(t; a = 1) = body`.
#[derive(Clone, Debug)]
pub struct FunDef {
    pub name: Name,
    pub var: Name,
    /// Keyword parameters and their default values (scalars).
    pub params: Vec<(Name, Ir)>,
    pub body: Ir,
    /// The definition as written.
    pub text: String,
    /// Defined by the prelude (the activation catalog).
    pub builtin: bool,
}

/// Declarations, bindings and functions in scope. A statement reads it and returns the change
/// it makes (see `session.rs`); values are shared through `Rc`, so nothing here is copied per
/// statement.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub decls: BTreeMap<Name, Decl>,
    pub bindings: BTreeMap<Name, Rc<Binding>>,
    pub functions: BTreeMap<Name, Rc<FunDef>>,
    /// The catalog's activations, in the prelude's order.
    pub catalog: Vec<Name>,
    /// The network input (`:input`), used by `net(…)`.
    pub input: Name,
    /// Numeric values of matrix and vector symbols (`W1 = [[…]]`, `:weights FILE`); the
    /// analysis keeps the names, and the numeric instance substitutes these.
    pub values: BTreeMap<Name, Rc<crate::syntax::ast::TensorLit>>,
}

impl Env {
    pub fn function(&self, name: &Name) -> Option<&Rc<FunDef>> {
        self.functions.get(name)
    }
}
