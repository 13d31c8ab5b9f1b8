//! The session's options and their one validator, shared by the REPL's commands and the CLI's flags.
//!
//! The front ends word their errors differently (`:order` vs `--order`), so the
//! checks return what is wrong and each front end says it in its own terms.

use crate::ir::Env;
use crate::limits::Limits;
use crate::report::Format;
use crate::syntax::{Name, ShapeSpec};
use std::collections::BTreeSet;

/// Options a session carries (`:order`, `:input`, `:small`, `:format`).
#[derive(Clone, Debug)]
pub struct Options {
    /// `:order N`: expand to O(ε^N) (default 3).
    pub order: u32,
    /// `:input x`: the network's input (default `x`).
    pub input: Name,
    /// `:small x b1 …`: the symbols of order ε; `None` means the input and every vector.
    pub small: Option<BTreeSet<Name>>,
    /// `:format`: how results are printed.
    pub format: Format,
    /// Every size and time limit a statement runs under.
    pub limits: Limits,
    /// `:at x0`: expand around this data point of the input (a name with a value).
    pub at: Option<Name>,
    /// The tolerance τ of the radius of affinity σ* (0.01 is 1 %).
    pub tau: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            order: 3,
            input: Name::new("x", ""),
            small: None,
            format: Format::Text,
            limits: Limits::default(),
            at: None,
            tau: 0.01,
        }
    }
}

impl Options {
    /// `n` as an expansion order: `Err(max)` unless `1 ≤ n ≤ max_order`.
    pub fn valid_order(&self, n: u32) -> Result<u32, u32> {
        if n == 0 || n > self.limits.max_order {
            Err(self.limits.max_order)
        } else {
            Ok(n)
        }
    }
}

/// True when `n` cannot be the network input: a Greek name or a declared scalar or dimension.
pub fn scalar_input(n: &Name, env: &Env) -> bool {
    n.is_greek() || matches!(env.decls.get(n), Some(ShapeSpec::Scalar | ShapeSpec::Dim))
}

/// The input named by `:input NAME`: one name as the grammar reads it (a letter, then letters,
/// digits, `_` or subscript digits), not a keyword, a function, or the constant e or π unless
/// declared (from a review: `:input 3` and `:input x y` were taken, as `₃` and `x_ y`).
pub fn parse_input_name(text: &str, env: &Env) -> Result<Name, String> {
    if !is_one_name(text) {
        return Err(format!(
            "`{text}` is not a name: the input is one name, such as `x` or `X`"
        ));
    }
    if matches!(text, "if" | "then" | "else") {
        return Err(format!(
            "`{text}` is a keyword; the input must be a vector such as `x`"
        ));
    }
    let n = Name::parse(text)?;
    if env.functions.contains_key(&n) || crate::ir::Prim::from_name(&n.ascii()).is_some() {
        return Err(format!(
            "`{n}` is a function; the input must be a vector such as `x`"
        ));
    }
    if matches!(text, "e" | "π" | "pi") && !env.decls.contains_key(&n) {
        return Err(format!(
            "`{n}` is a constant; the input must be a vector such as `x`"
        ));
    }
    Ok(n)
}

/// Whether `text` is one name as the grammar reads it: a letter, then letters, digits, `_` or
/// subscript digits.
fn is_one_name(text: &str) -> bool {
    let greek = |c: char| ('Α'..='Ω').contains(&c) || ('α'..='ω').contains(&c) || "ϵϕ".contains(c);
    let letter = |c: char| c.is_ascii_alphabetic() || greek(c);
    let rest = |c: char| letter(c) || c.is_ascii_digit() || c == '_' || ('₀'..='₉').contains(&c);
    let mut chars = text.chars();
    chars.next().is_some_and(letter) && chars.all(rest)
}

/// The small symbols in `text` (separated by spaces or commas): names, at least one (from a
/// review, `--small 3` and `:small ,` were taken and the next analysis blamed).
pub fn parse_small(text: &str) -> Result<BTreeSet<Name>, String> {
    let mut set = BTreeSet::new();
    for a in text.split([' ', ',']).filter(|a| !a.is_empty()) {
        if !is_one_name(a) || matches!(a, "if" | "then" | "else") {
            return Err(format!(
                "`{a}` is not a name: the small symbols are names, such as `x` or `b1`"
            ));
        }
        let name = Name::parse(a)?;
        // A Greek name is always a scalar parameter (docs/language.md): refused here, where
        // it is written, rather than at the next analysis.
        if name.is_greek() {
            return Err(format!(
                "only vectors and matrices can be small, not the scalar {}; make the input \
                 small (`x`) and keep parameters such as λ symbolic",
                name.unicode()
            ));
        }
        set.insert(name);
    }
    if set.is_empty() {
        return Err("no small symbols given: name at least the input, such as `x`".into());
    }
    Ok(set)
}
