//! Cuts a script into statements: at `;` and newlines outside brackets.
//!
//! Doing this before the grammar (rather than inside it) lets newlines be plain
//! whitespace in `grammar/taylornet.pest`, so an expression continues naturally
//! inside brackets, and gives the REPL its "is this entry complete?" test.

use crate::diagnostic::{Diagnostic, Phase, Span};

/// The statements of a script, as spans of the source (comments and blank statements dropped).
pub fn split_statements(source: &str) -> Result<Vec<Span>, Diagnostic> {
    let mut out = Vec::new();
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut start = 0;
    let mut chars = source.char_indices().peekable();
    let mut content = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                // A comment runs to the end of the line.
                while let Some(&(_, d)) = chars.peek() {
                    if d == '\n' {
                        break;
                    }
                    chars.next();
                }
            }
            '(' | '[' => {
                stack.push((c, i));
                content = true;
            }
            ')' | ']' => {
                let want = if c == ')' { '(' } else { '[' };
                match stack.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, at)) => {
                        return Err(Diagnostic::at(
                            Phase::Parse,
                            Span::new(i, i + c.len_utf8()),
                            format!("`{c}` does not match the `{open}` it closes"),
                        )
                        .label(Span::new(at, at + 1), "opened here"));
                    }
                    None => {
                        return Err(Diagnostic::at(
                            Phase::Parse,
                            Span::new(i, i + c.len_utf8()),
                            format!("unmatched closing `{c}`"),
                        ));
                    }
                }
                content = true;
            }
            ';' | '\n' if stack.is_empty() => {
                if content {
                    out.push(Span::new(start, i));
                }
                start = i + 1;
                content = false;
            }
            c if c.is_whitespace() || c == '\u{FEFF}' => {}
            _ => content = true,
        }
    }
    if let Some(&(open, at)) = stack.last() {
        return Err(Diagnostic::at(
            Phase::Parse,
            Span::new(at, at + open.len_utf8()),
            format!("this `{open}` is never closed"),
        )
        .hint(format!(
            "add the missing `{}`",
            if open == '(' { ')' } else { ']' }
        )));
    }
    if content {
        out.push(Span::new(start, source.len()));
    }
    Ok(out)
}

/// True when `source` ends inside an open bracket: the REPL then reads another line.
pub fn needs_more_input(source: &str) -> bool {
    bracket_balance(source) > 0
}

/// Brackets opened less brackets closed in `source`, outside comments. A comment ends at a
/// newline, so the balance of lines that each end with one adds up: a reader of many lines
/// keeps a running sum instead of scanning the whole entry again at each line.
pub fn bracket_balance(source: &str) -> i64 {
    let mut depth: i64 = 0;
    let mut in_comment = false;
    for c in source.chars() {
        match c {
            '\n' => in_comment = false,
            '#' => in_comment = true,
            '(' | '[' if !in_comment => depth += 1,
            ')' | ']' if !in_comment => depth -= 1,
            _ => {}
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(s: &str) -> Vec<&str> {
        split_statements(s)
            .unwrap()
            .into_iter()
            .map(|sp| &s[sp.start..sp.end])
            .collect()
    }

    #[test]
    fn splits_on_semicolons_and_newlines_outside_brackets() {
        assert_eq!(pieces("a; b\nc"), vec!["a", " b", "c"]);
        assert_eq!(
            pieces("f(x;\n a=1)\n# only a comment\n\ng"),
            vec!["f(x;\n a=1)", "g"]
        );
    }

    #[test]
    fn the_balance_of_lines_adds_up_to_the_entry_s() {
        let lines = ["W1 = [[1, # a comment (", "2],", "[3, 4]]  # ) closed"];
        let each: i64 = lines.iter().map(|l| bracket_balance(l)).sum();
        assert_eq!(each, bracket_balance(&lines.join("\n")));
        assert_eq!(bracket_balance(lines[0]), 2);
        assert_eq!(each, 0);
        assert!(!needs_more_input(&lines.join("\n")));
    }

    #[test]
    fn reports_unclosed_bracket_at_the_opening() {
        let e = split_statements("tanh(W·x").unwrap_err();
        assert_eq!(e.labels[0].span, Span::new(4, 5));
        assert!(needs_more_input("tanh(W·x"));
        assert!(!needs_more_input("tanh(W·x)"));
    }
}
