//! Derivations: the steps the stages record as they compute, rendered for people and papers.
//!
//! Nothing here recomputes or reconstructs: the expander appends a step for each
//! binding it substitutes, each layer it splits and each series it uses; the
//! analysis driver appends the collection by degree, the identification of `W`
//! and `b` and the verdict. The printers in [`render`] only lay the steps out.

pub mod output;
pub mod render;

pub(crate) use crate::analysis::steps::Small;
pub use crate::analysis::steps::Step;

use render::Line;

/// A derivation document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document's title (a standalone document's heading).
    pub title: String,
    /// The derivation, line by line, in order.
    pub lines: Vec<Line>,
    /// Every analysis's results as JSON (with its recorded steps), in order.
    pub results: Vec<serde_json::Value>,
}
