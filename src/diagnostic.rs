//! Errors with spans, and the one renderer that shows them (line, column, caret).

use std::fmt;

/// A byte range in the source text of one script or REPL entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// The byte offset of the first byte.
    pub start: usize,
    /// The byte offset just past the last byte (`start` for an empty span).
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`; an `end` before `start` gives an empty span at `start`.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// The same span `by` bytes later (a statement's span inside its whole script).
    pub fn shift(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

/// Which stage of the pipeline rejected the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The text does not follow the grammar.
    Parse,
    /// A name is unknown, misused or defined twice.
    Name,
    /// Kinds or dimensions do not fit.
    Shape,
    /// An activation has no series at the point asked for.
    Series,
    /// The ε-expansion or the decision failed.
    Expand,
    /// A `:command` or its arguments are wrong.
    Command,
    /// A limit or the statement's budget was reached.
    Limit,
}

impl Phase {
    /// The phase in one word: `parse`, `name`, `shape`, `series`, `expand`, `command`, `limit`
    /// (what bindings map to their error types).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Parse => "parse",
            Phase::Name => "name",
            Phase::Shape => "shape",
            Phase::Series => "series",
            Phase::Expand => "expand",
            Phase::Command => "command",
            Phase::Limit => "limit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Phase::Parse => "syntax error",
            Phase::Name => "name error",
            Phase::Shape => "shape error",
            Phase::Series => "series error",
            Phase::Expand => "expansion error",
            Phase::Command => "command error",
            Phase::Limit => "limit reached",
        }
    }
}

/// A labelled span inside a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// What the caret points at.
    pub span: Span,
    /// The words under the caret (may be empty).
    pub text: String,
}

/// An error of any stage: a message, the spans it points at, and an optional hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stage that rejected the input.
    pub phase: Phase,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The places it concerns; the first is the main one.
    pub labels: Vec<Label>,
    /// How to fix it, when there is a likely fix.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error without a place (add one with [`Diagnostic::label`]).
    pub fn new(phase: Phase, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            phase,
            message: message.into(),
            labels: Vec::new(),
            hint: None,
        }
    }
    /// An error pointing at `span` with `text` under the caret.
    pub fn at(phase: Phase, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(phase, message).label(span, "")
    }
    /// Adds a place the error concerns, with `text` under the caret.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }
    /// Sets the hint shown after the error.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
    /// Points the diagnostic at `span` instead (an error inside a function's body is
    /// reported at the call, since the body's text is not the text being shown).
    pub fn relabel(mut self, span: Span, note: &str) -> Diagnostic {
        self.labels = vec![Label {
            span,
            text: note.to_string(),
        }];
        self
    }

    /// Moves every span by `offset` bytes (a statement parsed out of a larger script).
    pub fn shifted(mut self, offset: usize) -> Diagnostic {
        for l in &mut self.labels {
            l.span = l.span.shift(offset);
        }
        self
    }

    /// Where the first label points in `source`: line and column (both from 1, the column in
    /// characters), as [`Diagnostic::render`] shows them; `None` without a label.
    ///
    /// ```
    /// let src = "W1 : 2x4\nW1·W1";
    /// let d = taylornet::analyze(src).unwrap_err();
    /// assert_eq!(d.phase.name(), "shape");
    /// assert_eq!(d.position(src).map(|p| p.0), Some(2));
    /// ```
    pub fn position(&self, source: &str) -> Option<(usize, usize)> {
        let label = self.labels.first()?;
        let (line, col, _) = locate(source, label.span.start);
        Some((line, col))
    }

    /// Renders the diagnostic against the source it refers to:
    ///
    /// ```text
    /// error: shape error: …
    ///  --> line 1, column 5
    ///   |
    /// 1 | W1·x
    ///   | ^^ 2×4
    /// ```
    pub fn render(&self, source: &str, origin: &str) -> String {
        let mut out = format!(
            "error: {}: {}\n",
            self.phase.label(),
            shorten(&self.message, MAX_SHOWN_MESSAGE)
        );
        for label in &self.labels {
            let (line_no, column, line) = locate(source, label.span.start);
            // A long line is shown as a window around the caret, never whole; the header
            // gives the column in the whole line (from a review, the window's).
            let (line, col, clipped_left) = window(line, column);
            let origin = if origin.is_empty() {
                String::new()
            } else {
                format!("{origin}:")
            };
            out.push_str(&format!(" --> {origin}line {line_no}, column {column}\n"));
            let gutter = line_no.to_string().len();
            let pad = " ".repeat(gutter);
            let shown = printable(&line);
            let ellipsis = if clipped_left { "…" } else { "" };
            out.push_str(&format!("{pad} |\n{line_no} | {ellipsis}{shown}\n"));
            let lead = printable_width(&line[..(col_byte(&line, col))]) + ellipsis.len().min(1);
            let width = {
                let end = label.span.end.min(
                    line_start(source, label.span.start)
                        + source[line_start(source, label.span.start)..]
                            .find('\n')
                            .unwrap_or(source.len() - line_start(source, label.span.start)),
                );
                let s = clamp_to_char(source, label.span.start.min(end));
                let end = clamp_to_char(source, end);
                printable_width(source.get(s..end).unwrap_or(""))
                    .clamp(1, printable_width(&line).saturating_sub(lead).max(1))
            };
            let text = if label.text.is_empty() {
                String::new()
            } else {
                format!(" {}", label.text)
            };
            out.push_str(&format!(
                "{pad} | {}{}{}\n",
                " ".repeat(lead),
                "^".repeat(width),
                text
            ));
        }
        if let Some(h) = &self.hint {
            out.push_str(&format!("  = hint: {}\n", shorten(h, MAX_SHOWN_HINT)));
        }
        out
    }
}

/// Most characters of a source line shown under an error; longer lines are cut around the caret.
const MAX_SHOWN_LINE: usize = 120;
/// Most characters of a message shown (a message may quote the input).
const MAX_SHOWN_MESSAGE: usize = 400;
/// Most characters of a hint (a failed `:load` carries the file's rendered error).
const MAX_SHOWN_HINT: usize = 4000;

/// At most `max` characters of `s`, with `…` where it was cut.
pub fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// The part of `line` shown around column `col`: (text, the column in it, whether the left was cut).
fn window(line: &str, col: usize) -> (String, usize, bool) {
    let count = line.chars().count();
    if count <= MAX_SHOWN_LINE {
        return (line.to_string(), col, false);
    }
    let first = col.saturating_sub(MAX_SHOWN_LINE / 2).max(1);
    let text: String = line.chars().skip(first - 1).take(MAX_SHOWN_LINE).collect();
    let cut_right = first - 1 + MAX_SHOWN_LINE < count;
    let text = if cut_right {
        format!("{text}…")
    } else {
        text
    };
    (text, col - first + 1, first > 1)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.phase.label(), self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// The candidate closest to `name` (at most two edits away), for "did you mean …?" hints.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            let d = edit_distance(name, c);
            // On a tie, the candidate of the same length: `tahn` is `tanh` swapped, not `tan`.
            let len = name.chars().count().abs_diff(c.chars().count());
            (d, len, c)
        })
        .filter(|(d, _, c)| *d <= 2 && *d < name.chars().count() && *c != name)
        .min()
        .map(|(_, _, c)| c)
}

/// Edit distance by characters, a swap of two neighbours counting as one edit
/// (optimal string alignment): the typo `tahn` is one edit from `tanh`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j]; three rows suffice.
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

fn line_start(source: &str, at: usize) -> usize {
    let at = clamp_to_char(source, at);
    source[..at].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

fn clamp_to_char(source: &str, mut at: usize) -> usize {
    at = at.min(source.len());
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// (1-based line, 1-based column in characters, the line's text).
fn locate(source: &str, at: usize) -> (usize, usize, &str) {
    let at = clamp_to_char(source, at);
    let start = line_start(source, at);
    let line_no = source[..start].matches('\n').count() + 1;
    let end = source[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(source.len());
    let line = source[start..end].trim_end_matches('\r');
    let col = source[start..at].chars().count() + 1;
    (line_no, col, line)
}

fn col_byte(line: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col - 1)
        .map(|(i, _)| i)
        .unwrap_or(line.len())
}

/// Control and zero-width characters are shown as `�` so the caret stays aligned.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\t' {
                ' '
            } else if is_invisible(c) {
                '�'
            } else {
                c
            }
        })
        .collect()
}

fn printable_width(s: &str) -> usize {
    s.chars().filter(|c| !is_combining(*c)).count()
}

/// Characters that show nothing, or change how the rest of the line is shown (the
/// bidirectional controls, from a review: U+202E reversed the caret row), or have no glyph
/// (private use): shown as `�` and named by code point.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{E000}'..='\u{F8FF}'
        )
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{20D0}'..='\u{20FF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_count_a_swap_as_one_edit() {
        assert_eq!(edit_distance("tahn", "tanh"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(nearest("tahn", ["tan", "tanh", "sin"]), Some("tanh"));
        assert_eq!(nearest("sigmod", ["sigmoid", "sin"]), Some("sigmoid"));
    }

    #[test]
    fn caret_under_span_on_second_line() {
        let src = "x : 4\nW1·y";
        let d = Diagnostic::at(Phase::Name, Span::new(10, 11), "unknown");
        let r = d.render(src, "");
        assert!(r.contains("line 2, column 4"), "{r}");
        assert!(r.contains("2 | W1·y\n  |    ^"), "{r}");
    }
}
