//! Printers: Unicode text, ASCII (the input syntax), LaTeX and JSON, all from one display tree.

pub mod json;
pub mod latex;
pub mod prose;
pub mod source;
pub mod text;
pub mod tree;
pub mod typst;

use crate::algebra::{Expr, Scalar};
pub use text::Style;

pub use crate::syntax::names::{subscript, superscript};

/// An expression in Unicode text.
pub fn unicode(e: &Expr) -> String {
    text::render(&tree::expr(e), Style::Unicode)
}

/// An expression in the input syntax; parsing it gives the same normal form, but where it
/// writes what the input does not read (the identity `I`, a dimension as a number, `1/d1`).
pub fn ascii(e: &Expr) -> String {
    text::render(&tree::expr(e), Style::Ascii)
}

/// An expression as LaTeX math.
pub fn latex(e: &Expr) -> String {
    latex::render(&tree::expr(e))
}

/// The LaTeX of an expression's JSON tree (docs/json.md), as the report writes it for the
/// expression the tree was written from; `None` for a value that is no such tree.
pub fn tree_latex(tree: &serde_json::Value) -> Option<String> {
    json::node_from_tree(tree).map(|n| latex::render(&n))
}

/// An exact scalar as Unicode text.
pub fn scalar_unicode(s: &Scalar) -> String {
    text::scalar(s, &tree::ConstantNames::default(), Style::Unicode)
}

/// An exact scalar as ASCII text.
pub fn scalar_ascii(s: &Scalar) -> String {
    text::scalar(s, &tree::ConstantNames::default(), Style::Ascii)
}

/// An exact scalar as LaTeX math.
pub fn scalar_latex(s: &Scalar) -> String {
    latex::render(&tree::scalar(s))
}

/// Texts of shared subtrees ([`tree::Node::Shared`]) by the address of what they hold, for one
/// rendering (the tree, and so every address, outlives it), with their binding strengths: a
/// named or nested constant sits in thousands of terms of a long coefficient, and the LaTeX and
/// Typst printers write it once.
pub(crate) type SharedTexts = std::cell::RefCell<std::collections::HashMap<usize, (String, u8)>>;

/// Writes `items` with `sep` between them, each by `item`.
pub(crate) fn joined<T>(
    items: impl Iterator<Item = T>,
    sep: &str,
    out: &mut String,
    mut item: impl FnMut(T, &mut String),
) {
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        item(x, out);
    }
}
