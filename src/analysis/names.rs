//! The names the affine form is written with: `y = W·x + b`, or `Y = 𝓛(X) + B` for a matrix
//! input. They are chosen here, once, so that none is a name of the user's: in
//! `tanh(W·x + b)` the report's `W = W` and, at an operating point, `b = tanh(c₁)` beside
//! `c₁ = b` read as equations between the user's symbols, which they are not.

use crate::ir::{Ir, IrKind};
use crate::syntax::Name;
use std::collections::BTreeSet;

/// The affine form's names, as every report and derivation writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffineForm {
    /// The input, `x` (or whatever the analysis was asked to take as input).
    pub input: Name,
    /// The input is a matrix `X`: the linear part is a map `𝓛(X)`, whose terms hold `X`.
    pub map: bool,
    /// The linear part: `W`, or `W_eff` when the user has a `W`.
    pub w: Name,
    /// The constant part: `b` (`B` for a matrix input), or `b_eff`.
    pub b: Name,
    /// The output: `y` (`Y`), or `y_out`.
    pub y: Name,
}

impl AffineForm {
    /// The names for `input` beside the user's names in `ir`.
    pub(crate) fn new(input: &Name, map: bool, ir: &Ir) -> AffineForm {
        let mut used = BTreeSet::new();
        used.insert(input.clone());
        crate::ir::visit::walk(ir, |n| {
            match n.kind() {
                IrKind::Sym(s) => used.insert(s.name.clone()),
                IrKind::Param(p) => used.insert(p.clone()),
                IrKind::Bound { name, .. } => used.insert(name.clone()),
                _ => false,
            };
            crate::ir::visit::Step::Descend
        });
        AffineForm::beside(input, map, &used)
    }

    /// The names for `input` beside the names in `used`.
    pub(crate) fn beside(input: &Name, map: bool, used: &BTreeSet<Name>) -> AffineForm {
        // The first of these subscripts the user does not use, then `eff2`, `eff3`, …: some
        // name is always free (from a review, `W_aff` was taken once the others were).
        let pick = |base: &str, subs: &[&str]| {
            let numbered = (2u32..).map(|k| format!("eff{k}"));
            (subs.iter().map(|s| s.to_string()).chain(numbered))
                .map(|s| Name::new(base, &s))
                .find(|n| !used.contains(n))
                .unwrap_or_else(|| Name::new(base, "eff"))
        };
        let (w, b, y) = if map {
            ("𝓛", "B", "Y")
        } else {
            ("W", "b", "y")
        };
        AffineForm {
            input: input.clone(),
            map,
            w: pick(w, &["", "eff", "net"]),
            b: pick(b, &["", "eff", "net"]),
            y: pick(y, &["", "out", "net"]),
        }
    }

    /// The linear part applied to the input, in Unicode: `W·x`, `𝓛(X)`.
    pub fn linear_unicode(&self) -> String {
        if self.map {
            format!("{}({})", self.w.unicode(), self.input.unicode())
        } else {
            format!("{}·{}", self.w.unicode(), self.input.unicode())
        }
    }

    /// The affine approximation in Unicode: `W·x + b`.
    pub fn affine_unicode(&self) -> String {
        format!("{} + {}", self.linear_unicode(), self.b.unicode())
    }

    /// The linear part alone in LaTeX: `W`, `W_{\mathrm{eff}}`, `\mathcal{L}`.
    pub fn w_latex(&self) -> String {
        if self.map {
            "\\mathcal{L}".into()
        } else {
            self.w.latex()
        }
    }

    /// The linear part applied to the input, in LaTeX: `W x`, `\mathcal{L}(X)`.
    pub fn linear_latex(&self) -> String {
        if self.map {
            format!("\\mathcal{{L}}({})", self.input.latex())
        } else {
            format!("{} {}", self.w.latex(), self.input.latex())
        }
    }

    /// The affine approximation in LaTeX: `W x + b`.
    pub fn affine_latex(&self) -> String {
        format!("{} + {}", self.linear_latex(), self.b.latex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<Name> {
        list.iter().filter_map(|n| Name::parse(n).ok()).collect()
    }

    #[test]
    fn the_usual_names_when_free_and_others_beside_the_users() {
        let x = Name::new("x", "");
        let free = AffineForm::beside(&x, false, &names(&["x", "W1", "b1"]));
        assert_eq!(free.affine_unicode(), "W·x + b");
        assert_eq!(free.y.unicode(), "y");
        let clash = AffineForm::beside(&x, false, &names(&["x", "W", "b", "y", "W_eff"]));
        assert_eq!(clash.affine_unicode(), "W_net·x + b_eff");
        assert_eq!(clash.y.unicode(), "y_out");
        let taken = names(&["x", "W", "W_eff", "W_net", "W_aff", "W_eff2"]);
        assert_eq!(AffineForm::beside(&x, false, &taken).w.unicode(), "W_eff3");
        let z = Name::new("z", "");
        assert_eq!(
            AffineForm::beside(&z, false, &names(&["z"])).affine_latex(),
            "W z + b"
        );
        let map = AffineForm::beside(&Name::new("X", ""), true, &names(&["X", "B"]));
        assert_eq!(map.affine_unicode(), "𝓛(X) + B_eff");
        assert_eq!(map.y.unicode(), "Y");
    }
}
