//! A derivation document in every format: text, LaTeX, Typst, HTML with MathML, and JSON.

use super::Document;
use super::render::{self, LINE_WIDTH, Line, Piece};
use crate::print::latex::{self, Notation};
use crate::print::tree::{NameKind, Node};
use crate::print::{prose, typst};
use serde_json::{Value, json};

/// The formats a derivation is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    /// Unicode text.
    Text,
    /// LaTeX (`align*` environments; a whole document when standalone).
    Latex,
    /// Typst markup.
    Typst,
    /// An HTML fragment (a whole page when standalone) with MathML that browsers render.
    Html,
    /// The steps and results as JSON.
    Json,
}

impl DocFormat {
    /// The format a name denotes: `text`, `latex`/`tex`, `typst`/`typ`, `html`/`mathml`, `json`.
    pub fn parse(s: &str) -> Option<DocFormat> {
        match s {
            "text" => Some(DocFormat::Text),
            "latex" | "tex" => Some(DocFormat::Latex),
            "typst" | "typ" => Some(DocFormat::Typst),
            "html" | "mathml" => Some(DocFormat::Html),
            "json" => Some(DocFormat::Json),
            _ => None,
        }
    }
}

/// `doc` in `format`; `standalone` makes a whole document (LaTeX, Typst, HTML).
pub fn write(doc: &Document, format: DocFormat, standalone: bool, notation: &Notation) -> String {
    match format {
        DocFormat::Text => format!("{}\n{}", doc.title, render::to_text(&doc.lines)),
        DocFormat::Latex => {
            if standalone {
                let body = render::to_latex_with(&doc.lines, notation);
                render::standalone(&doc.title, &body)
            } else {
                render::to_latex_within(&doc.lines, notation, render::FRAGMENT_WIDTH)
            }
        }
        DocFormat::Typst => {
            let body = to_typst(&doc.lines, notation);
            if standalone {
                typst_standalone(&doc.title, &body, notation)
            } else {
                body
            }
        }
        DocFormat::Html => {
            let body = to_html(&doc.lines, notation);
            if standalone {
                html_standalone(&doc.title, &body)
            } else {
                body
            }
        }
        DocFormat::Json => crate::print::json::to_text(&to_json(doc, notation)) + "\n",
    }
}

// ----------------------------------------------------------------- Typst

/// Text for Typst markup: markup characters escaped; a line never starts a list or heading.
fn typst_escape(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let escape = match c {
            '*' | '_' | '#' | '$' | '\\' | '@' | '<' | '>' | '[' | ']' | '`' | '~' => true,
            // `//` and `/*` begin comments.
            '/' => next == '/' || next == '*',
            // At the start of a paragraph `-`, `+` and `=` begin lists and headings.
            '-' | '+' | '=' => i == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    // `1.` at the start of a paragraph would begin a numbered list.
    if let Some(first_word) = out.split(' ').next()
        && first_word.len() > 1
        && first_word.ends_with('.')
        && first_word[..first_word.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        out = format!(
            "{}\\.{}",
            &first_word[..first_word.len() - 1],
            &out[first_word.len()..]
        );
    }
    out
}

fn typst_prose(s: &str, notation: &Notation) -> String {
    prose::split(s)
        .into_iter()
        .map(|span| match span {
            prose::Span::Math(m) => {
                format!("${}$", prose::to_typst(&m, notation.hadamard.unicode()))
            }
            prose::Span::Text(t) => typst_escape(&t),
        })
        .collect()
}

fn typst_math_piece(p: &Piece, notation: &Notation) -> String {
    match p {
        Piece::Math(n) => typst::render(n, notation),
        Piece::Formula(s) | Piece::Text(s) => prose::to_typst(s, notation.hadamard.unicode()),
        Piece::Inline(ps) => ps
            .iter()
            .map(|p| typst_math_piece(p, notation))
            .collect::<Vec<_>>()
            .join(" "),
        Piece::Number(s) => typst::render(&crate::print::tree::scalar(s), notation),
        Piece::Shape(s) => format!(
            "[{}]",
            s.replace('×', " times ")
                .replace('·', " dot ")
                .replace('…', " … ")
        ),
    }
}

fn typst_piece(p: &Piece, notation: &Notation) -> String {
    match p {
        Piece::Text(s) => typst_escape(s),
        p => format!("${}$", typst_math_piece(p, notation).trim()),
    }
}

/// `lhs = rhs` as a display equation, broken like the LaTeX one.
fn typst_equation(lhs: &Node, rhs: &Node, tag: Option<&String>, notation: &Notation) -> String {
    let l = typst::render(lhs, notation);
    let lw = latex::width(&latex::render_with(lhs, notation)) + 16.0;
    let (first, own_line) = if LINE_WIDTH - lw < 160.0 {
        (LINE_WIDTH - 40.0, true)
    } else {
        (LINE_WIDTH - lw, false)
    };
    let rows = typst::render_lines(rhs, notation, first, LINE_WIDTH - 22.0);
    let mut out: Vec<String> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        out.push(match (i, own_line) {
            (0, false) => format!("& {l} = {r}"),
            (0, true) => format!("& {l} \\\n  & quad = {r}"),
            _ => format!("& quad {r}"),
        });
    }
    if let Some(t) = tag {
        let shape = typst_math_piece(&Piece::Shape(t.clone()), notation);
        if let Some(last) = out.last_mut() {
            last.push_str(&format!(" quad {shape}"));
        }
    }
    format!("$ {} $\n", out.join(" \\\n  "))
}

/// Every formula of a Typst rendering (for validation), inline and displayed.
pub fn typst_formulas(lines: &[Line], notation: &Notation) -> Vec<String> {
    let body = to_typst(lines, notation);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_math = false;
    let mut prev = ' ';
    for c in body.chars() {
        if c == '$' && prev != '\\' {
            if in_math {
                out.push(std::mem::take(&mut cur));
            }
            in_math = !in_math;
        } else if in_math {
            cur.push(c);
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    out
}

/// A derivation as Typst: prose paragraphs, notes, and one display equation per step.
pub fn to_typst(lines: &[Line], notation: &Notation) -> String {
    let mut out = String::new();
    for l in lines {
        match l {
            Line::Heading(h) => out.push_str(&format!("\n== {}\n\n", typst_prose(h, notation))),
            Line::Section(y, n) => {
                let tex = latex::render_with(n, notation);
                if latex::width(&tex) * 1.25 + 20.0 < LINE_WIDTH {
                    out.push_str(&format!("\n== ${y} = {}$\n\n", typst::render(n, notation)));
                } else {
                    out.push_str("\n== The network\n\n");
                    let y = Node::Name {
                        name: crate::syntax::Name::new("y", ""),
                        kind: NameKind::Vector,
                    };
                    out.push_str(&typst_equation(&y, n, None, notation));
                }
            }
            Line::Prose(p) => out.push_str(&format!("\n{}\n\n", typst_prose(p, notation))),
            Line::File(path) => out.push_str(&format!("\nFrom {}:\n\n", typst_escape(path))),
            Line::Note(ps) => out.push_str(&format!(
                "{}\n",
                ps.iter()
                    .map(|p| typst_piece(p, notation))
                    .collect::<String>()
            )),
            Line::Eq { lhs, rhs, tag } => {
                out.push_str(&typst_equation(lhs, rhs, tag.as_ref(), notation))
            }
            Line::Table(rows) => {
                let n = rows.iter().map(|r| r.len()).max().unwrap_or(1);
                out.push_str(&format!(
                    "\n#align(center, table(columns: {n}, stroke: none, inset: 4pt,\n"
                ));
                for r in rows {
                    let cells: Vec<String> = r
                        .iter()
                        .map(|p| format!("[{}]", typst_piece(p, notation)))
                        .collect();
                    out.push_str(&format!("  {},\n", cells.join(", ")));
                }
                out.push_str("))\n");
            }
        }
    }
    out
}

/// A complete Typst document.
pub fn typst_standalone(title: &str, body: &str, notation: &Notation) -> String {
    format!(
        "#set page(paper: \"a4\", margin: 2cm)\n#set text(size: 11pt)\n#set par(justify: true)\n\n= {}\n{body}",
        typst_prose(title, notation)
    )
}

// ------------------------------------------------------------ HTML/MathML

/// LaTeX math as MathML (`display` for a block).
pub fn mathml(tex: &str, display: bool) -> String {
    let storage = pulldown_latex::Storage::new();
    let parser = pulldown_latex::Parser::new(tex, &storage);
    let config = pulldown_latex::RenderConfig {
        display_mode: if display {
            pulldown_latex::config::DisplayMode::Block
        } else {
            pulldown_latex::config::DisplayMode::Inline
        },
        ..Default::default()
    };
    let mut out = String::new();
    match pulldown_latex::push_mathml(&mut out, parser, config) {
        Ok(()) => well_formed(&out),
        Err(_) => format!("<code>{}</code>", html_escape(tex)),
    }
}

/// pulldown-latex's MathML made well-formed where the crate writes it otherwise (from a
/// review; browsers recover, XML readers do not): a stretched bracket's `minsize` written with
/// no space after `stretchy="…"`, and `<`, `>`, `&` written as an element's whole content
/// unescaped (`<mo><</mo>` for `a < b` in a comment).
fn well_formed(mathml: &str) -> String {
    let spaced = mathml
        .replace("\"true\"minsize=", "\"true\" minsize=")
        .replace("\"false\"minsize=", "\"false\" minsize=");
    let bytes = spaced.as_bytes();
    let mut out = String::with_capacity(spaced.len());
    for (i, ch) in spaced.char_indices() {
        let whole_content = matches!(ch, '<' | '>' | '&')
            && i > 0
            && bytes[i - 1] == b'>'
            && spaced[i + 1..].starts_with("</m");
        match (ch, whole_content) {
            ('<', true) => out.push_str("&lt;"),
            ('>', true) => out.push_str("&gt;"),
            ('&', true) => out.push_str("&amp;"),
            _ => out.push(ch),
        }
    }
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_prose(s: &str, notation: &Notation) -> String {
    prose::split(s)
        .into_iter()
        .map(|span| match span {
            prose::Span::Math(m) => mathml(&prose::to_latex(&m, notation.hadamard.latex()), false),
            prose::Span::Text(t) => html_escape(&t),
        })
        .collect()
}

fn html_piece(p: &Piece, notation: &Notation) -> String {
    match p {
        Piece::Text(s) => html_escape(s),
        p => {
            let tex = render::latex_math(p, notation);
            mathml(&tex, false)
        }
    }
}

/// A derivation as HTML with MathML: paragraphs, and one block formula per equation.
pub fn to_html(lines: &[Line], notation: &Notation) -> String {
    let mut out = String::new();
    for l in lines {
        match l {
            Line::Heading(h) => out.push_str(&format!("<h2>{}</h2>\n", html_prose(h, notation))),
            Line::Section(y, n) => out.push_str(&format!(
                "<h2>{}</h2>\n",
                mathml(&format!("{y} = {}", latex::render_with(n, notation)), false)
            )),
            Line::Prose(p) => out.push_str(&format!("<p>{}</p>\n", html_prose(p, notation))),
            Line::File(path) => out.push_str(&format!(
                "<p>From <code>{}</code>:</p>\n",
                html_escape(path)
            )),
            Line::Note(ps) => out.push_str(&format!(
                "<p class=\"note\">{}</p>\n",
                ps.iter()
                    .map(|p| html_piece(p, notation))
                    .collect::<String>()
            )),
            Line::Eq { lhs, rhs, tag } => {
                let rows =
                    render::latex_equation_rows(lhs, rhs, tag.as_ref(), notation, LINE_WIDTH);
                let tex = format!("\\begin{{aligned}}{}\\end{{aligned}}", rows.join(" \\\\ "));
                out.push_str(&format!("{}\n", mathml(&tex, true)));
            }
            Line::Table(rows) => {
                out.push_str("<table>\n");
                for (i, r) in rows.iter().enumerate() {
                    let cell = if i == 0 { "th" } else { "td" };
                    let cells: String = r
                        .iter()
                        .map(|p| format!("<{cell}>{}</{cell}>", html_piece(p, notation)))
                        .collect();
                    out.push_str(&format!("<tr>{cells}</tr>\n"));
                }
                out.push_str("</table>\n");
            }
        }
    }
    out
}

/// A complete HTML page.
pub fn html_standalone(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>body {{ max-width: 50em; margin: 2em auto; font-family: serif; line-height: 1.4; }} p.note {{ margin: 0.6em 0 0.2em; }} table {{ border-collapse: collapse; }} td, th {{ padding: 0.2em 0.8em; text-align: left; }}</style>\n</head>\n<body>\n<h1>{t}</h1>\n{body}</body>\n</html>\n",
        t = html_escape(title)
    )
}

// ------------------------------------------------------------------ JSON

/// The document as JSON: its lines (prose, notes and equations in Unicode and LaTeX) and,
/// for every analysis, its results with the recorded steps.
pub fn to_json(doc: &Document, notation: &Notation) -> Value {
    let text_of = |ps: &[Piece]| {
        render::to_text(&[Line::Note(ps.to_vec())])
            .trim()
            .to_string()
    };
    let lines: Vec<Value> = doc
        .lines
        .iter()
        .map(|l| match l {
            Line::Heading(h) => json!({ "line": "heading", "text": h }),
            Line::Section(y, n) => json!({
                "line": "section",
                "text": format!("{y} = {}", crate::print::text::render(n, crate::print::Style::Unicode)),
                "latex": format!("{y} = {}", latex::render_with(n, notation)),
            }),
            Line::Prose(p) => json!({ "line": "prose", "text": p }),
            Line::File(path) => json!({ "line": "file", "text": format!("From {path}:"), "path": path }),
            Line::Note(ps) => json!({
                "line": "note",
                "text": text_of(ps),
                "latex": ps.iter().map(|p| render::latex_piece_pub(p, notation)).collect::<String>(),
            }),
            Line::Eq { lhs, rhs, tag } => json!({
                "line": "equation",
                "text": render::to_text(std::slice::from_ref(l)).trim().to_string(),
                "lhs": crate::print::text::render(lhs, crate::print::Style::Unicode),
                "rhs": crate::print::text::render(rhs, crate::print::Style::Unicode),
                "latex": format!("{} = {}", latex::render_with(lhs, notation), latex::render_with(rhs, notation)),
                "shape": tag,
            }),
            Line::Table(_) => json!({
                "line": "table",
                "text": render::to_text(std::slice::from_ref(l)),
            }),
        })
        .collect();
    json!({ "title": doc.title, "lines": lines, "results": doc.results })
}

#[cfg(test)]
mod tests {
    /// MathML for brackets and comparisons is well-formed XML (from a review: `stretchy="true"minsize`,
    /// `<mo><</mo>`).
    #[test]
    fn mathml_is_well_formed() {
        let m = super::mathml("\\bigl(a < b > c\\bigr) \\& d", false);
        assert!(!m.contains("\"minsize") && m.contains("\" minsize"), "{m}");
        assert!(m.contains("&lt;") && m.contains("&gt;"), "{m}");
        assert!(!m.contains("><<") && !m.contains(">></"), "{m}");
        assert_eq!(
            super::well_formed("<mo>&</mo><mi>x</mi>"),
            "<mo>&amp;</mo><mi>x</mi>"
        );
    }
}
