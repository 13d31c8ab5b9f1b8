//! What a session knows: declarations, bindings, function definitions.

use super::Ir;
use crate::syntax::{Name, ShapeSpec};
use std::collections::BTreeMap;
use std::rc::Rc;

/// What a declaration says: `λ : scalar`, `n : dim`, `x : 4`, `W1 : 2×4`.
pub type Decl = ShapeSpec;

/// `z1 = W1·x + b1`: the meaning at the time of the binding.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: Name,
    pub value: Rc<Ir>,
    /// The right-hand side as written.
    pub text: String,
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

/// Declarations, bindings and functions in scope. Cloning is cheap enough to
/// let the REPL try a statement on a copy and keep it only if it succeeds.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub decls: BTreeMap<Name, Decl>,
    pub bindings: BTreeMap<Name, Rc<Binding>>,
    pub functions: BTreeMap<Name, Rc<FunDef>>,
    /// The catalog's activations, in the prelude's order.
    pub catalog: Vec<Name>,
    /// The network input (`:input`), used by `net(…)`.
    pub input: Name,
}

impl Env {
    pub fn function(&self, name: &Name) -> Option<&Rc<FunDef>> {
        self.functions.get(name)
    }
}
