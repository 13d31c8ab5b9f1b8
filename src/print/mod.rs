//! Printers: Unicode text, ASCII (the input syntax), LaTeX and JSON, all from one display tree.

pub mod json;
pub mod latex;
pub mod prose;
pub mod report;
pub mod source;
pub mod text;
pub mod tree;
pub mod typst;

use crate::algebra::{Expr, Scalar};
pub use text::Style;
pub use tree::Node;

/// `12` → `₁₂`.
pub fn subscript(n: u64) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + 0x2080).unwrap_or(c))
        .collect()
}

/// `12` → `¹²`, `-1` → `⁻¹`.
pub fn superscript(n: i64) -> String {
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        s.push(digits[(c as u8 - b'0') as usize]);
    }
    s
}

/// An expression in Unicode text.
pub fn unicode(e: &Expr) -> String {
    text::render(&tree::expr(e), Style::Unicode)
}

/// An expression in the input syntax; parsing it gives the same normal form.
pub fn ascii(e: &Expr) -> String {
    text::render(&tree::expr(e), Style::Ascii)
}

/// An expression as LaTeX math.
pub fn latex(e: &Expr) -> String {
    latex::render(&tree::expr(e))
}

pub fn scalar_unicode(s: &Scalar) -> String {
    text::render(&tree::scalar(s), Style::Unicode)
}

pub fn scalar_ascii(s: &Scalar) -> String {
    text::render(&tree::scalar(s), Style::Ascii)
}

pub fn scalar_latex(s: &Scalar) -> String {
    latex::render(&tree::scalar(s))
}
