//! Prose with mathematics in it (a script's comments, the notes of a derivation): which runs of
//! words are mathematics, and how a Unicode formula such as `σ(x) = ½ + x/4 − x³/48` reads in
//! LaTeX and Typst math. Typeset documents set those runs in math mode, never upright.

/// A run of prose: words, or a formula written in Unicode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Math(String),
}

/// Characters that only occur in mathematics.
fn math_char(c: char) -> bool {
    "=+−·/^≈≪≫<>∘⊙~½⅓¼…×→⇒≤≥≠∈ℝ𝟙√∞′″‴ₖₙᵢⱼᵏˣ⁺⁻⁽⁾_|Σ".contains(c)
        || ('₀'..='₉').contains(&c)
        || "⁰¹²³⁴⁵⁶⁷⁸⁹".contains(c)
        || crate::syntax::names::greek_name(c).is_some()
        || crate::syntax::parser::vulgar_fraction(c.encode_utf8(&mut [0; 4])).is_some()
}

/// Function names that read as mathematics when a formula follows: `tanh x = …`.
const FUNCTIONS: &[&str] = &[
    "tanh", "sin", "cos", "exp", "log", "sigmoid", "relu", "selu",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Math,
    /// Numbers and lone brackets: mathematics only between other mathematics.
    Neutral,
    Text,
}

fn kind(word: &str) -> Kind {
    let core = word.trim_matches(|c: char| ".,;:!?\"“”(){}".contains(c));
    if core.is_empty() {
        return Kind::Neutral;
    }
    let letters = core.chars().filter(|c| c.is_alphabetic()).count();
    if core.chars().any(math_char) {
        return Kind::Math;
    }
    // `s(x)`, `N(0`: a letter and a bracket.
    if word.contains('(') && letters <= 2 && letters > 0 && !word.starts_with('(') {
        return Kind::Math;
    }
    if core.chars().count() == 1 && core.chars().all(|c| c.is_ascii_alphabetic()) {
        // A lone letter is a variable, except the words `a`, `A` and `I`.
        return if matches!(core, "a" | "A" | "I") {
            Kind::Text
        } else {
            Kind::Math
        };
    }
    if core
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Kind::Neutral;
    }
    Kind::Text
}

fn is_operator(word: &str) -> bool {
    matches!(
        word,
        "=" | "+"
            | "−"
            | "-"
            | "≈"
            | "≪"
            | "<"
            | ">"
            | "≤"
            | "≥"
            | "≠"
            | "→"
            | "~"
            | "·"
            | "×"
            | "∘"
    )
}

/// The word whose first letter is `c[*i − 1]`, moving `i` past it: a run of letters, and runs
/// joined to it by `_` when both sides have at least two letters (`hard_tanh`, `leaky_relu`:
/// one function's name, where `W_Q` is W with a subscript).
fn read_word(c: &[char], i: &mut usize) -> String {
    let start = *i - 1;
    while *i < c.len() && c[*i].is_ascii_alphabetic() {
        *i += 1;
    }
    let letters = |from: usize| {
        c[from..]
            .iter()
            .take_while(|x| x.is_ascii_alphabetic())
            .count()
    };
    while *i - start >= 2 && c.get(*i) == Some(&'_') && letters(*i + 1) >= 2 {
        *i += 1 + letters(*i + 1);
    }
    c[start..*i].iter().collect()
}

/// Splits prose into text and formulas.
pub fn split(s: &str) -> Vec<Span> {
    let words: Vec<&str> = s.split(' ').collect();
    let mut kinds: Vec<Kind> = words.iter().map(|w| kind(w)).collect();
    // `tanh x = …`: a function name before a formula is part of it.
    for i in 0..words.len() {
        if kinds[i] == Kind::Text
            && FUNCTIONS.contains(&words[i].trim_start_matches(['"', '“']))
            && kinds.get(i + 1) == Some(&Kind::Math)
        {
            kinds[i] = Kind::Math;
        }
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < words.len() {
        if i > 0 {
            text.push(' ');
        }
        if kinds[i] != Kind::Math {
            text.push_str(words[i]);
            i += 1;
            continue;
        }
        // A run: math words, and numbers after an operator or between math words.
        let mut j = i;
        while j + 1 < words.len() {
            let w = words[j];
            let run = words[i..=j].join(" ");
            let open = run.matches(['(', '{']).count() > run.matches([')', '}']).count();
            if w.ends_with([':', ';', '.']) || (w.ends_with(',') && !open) {
                break;
            }
            // A bracket that opens a parenthesis of prose after a whole formula (`E = e^(1/D)
            // (e is transcendental`) is not the formula's.
            let after = words[j + 1];
            if !open
                && after.starts_with('(')
                && after.matches('(').count() > after.matches(')').count()
                && kinds.get(j + 2) != Some(&Kind::Math)
            {
                break;
            }
            let next = kinds[j + 1];
            let joins = next == Kind::Math
                || (next == Kind::Neutral
                    && (is_operator(w) || open || kinds.get(j + 2) == Some(&Kind::Math)));
            if !joins {
                break;
            }
            j += 1;
        }
        let run = words[i..=j].join(" ");
        let (lead, formula, trail) = trim_run(&run);
        text.push_str(&lead);
        if formula.is_empty() {
            text.push_str(&trail);
        } else {
            if !text.is_empty() {
                spans.push(Span::Text(std::mem::take(&mut text)));
            }
            spans.push(Span::Math(formula));
            text.push_str(&trail);
        }
        i = j + 1;
    }
    if !text.is_empty() {
        spans.push(Span::Text(text));
    }
    spans
}

/// Splits off what stays prose around a formula: opening brackets and quotes that do not close
/// inside it, and final punctuation.
fn trim_run(run: &str) -> (String, String, String) {
    let mut s: Vec<char> = run.chars().collect();
    let mut trail = String::new();
    let mut lead = String::new();
    while let Some(&last) = s.last() {
        let opens = s.iter().filter(|&&c| c == '(').count();
        let closes = s.iter().filter(|&&c| c == ')').count();
        let braces =
            s.iter().filter(|&&c| c == '{').count() < s.iter().filter(|&&c| c == '}').count();
        if ".,;:!?\"” ".contains(last) || (last == ')' && closes > opens) || (last == '}' && braces)
        {
            trail.insert(0, last);
            s.pop();
        } else {
            break;
        }
    }
    while let Some(&first) = s.first() {
        let opens = s.iter().filter(|&&c| c == '(').count();
        let closes = s.iter().filter(|&&c| c == ')').count();
        let braces =
            s.iter().filter(|&&c| c == '{').count() > s.iter().filter(|&&c| c == '}').count();
        if "\"“".contains(first) || (first == '(' && opens > closes) || (first == '{' && braces) {
            lead.push(first);
            s.remove(0);
        } else {
            break;
        }
    }
    let formula: String = s.into_iter().collect();
    (lead, formula, trail)
}

/// A Unicode formula as LaTeX math: `σ(x) = ½ + x³/48` → `\sigma(x) = \tfrac{1}{2} + x^{3}/48`.
pub fn to_latex(s: &str, hadamard: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        // Runs of sub- and superscript characters become one script.
        if let Some(d) = sub_char(ch) {
            let sub = script_run(d, &c, &mut i, sub_char);
            out.push_str(&format!("_{{{sub}}}"));
            continue;
        }
        if let Some(d) = sup_char(ch) {
            let sup = script_run(d, &c, &mut i, sup_char);
            out.push_str(&format!("^{{{sup}}}"));
            continue;
        }
        if ch == '^' {
            // `^∘k`, `^(−x)`, `^2`: the exponent is a bracket or a run of letters, digits and ∘.
            let exp = read_exponent(&c, &mut i, &|ch| ch.to_string());
            out.push_str(&format!("^{{{}}}", to_latex(&exp, hadamard)));
            continue;
        }
        let in_subscript =
            |n: &char| n.is_ascii_alphanumeric() || crate::syntax::names::greek_name(*n).is_some();
        let braced = c.get(i) == Some(&'{') && c.get(i + 1).is_some_and(in_subscript);
        if ch == '_' && (braced || c.get(i).is_some_and(in_subscript)) {
            // `W_Q`, `b_12`, `W_α`, `W_{αβ}`: a subscript, as the formula printer writes it
            // (from a review, `W_α` was `W\_\alpha`, a literal underscore).
            if braced {
                i += 1;
            }
            let start = i;
            // `x_a_b`: one subscript `a_b`, as the name is (from a review, `x_{a}_{b}`, a
            // double subscript, stopped pdflatex).
            while i < c.len()
                && (in_subscript(&c[i]) || (c[i] == '_' && c.get(i + 1).is_some_and(in_subscript)))
            {
                i += 1;
            }
            if braced && c.get(i) == Some(&'}') {
                i += 1;
            }
            let sub: String = c[start..i].iter().filter(|ch| **ch != '}').collect();
            let named = crate::syntax::Name::new("x", &sub).latex();
            let written = named
                .strip_prefix("x_{")
                .and_then(|r| r.strip_suffix('}'))
                .unwrap_or(&sub);
            out.push_str(&format!("_{{{written}}}"));
            continue;
        }
        if ch == '√' {
            // `√15`, `√(2π)`: the radicand in braces (`\sqrt15` is √1 followed by 5).
            let radicand = if c.get(i) == Some(&'(') {
                read_exponent(&c, &mut i, &|ch| ch.to_string())
            } else {
                let start = i;
                while i < c.len() && c[i].is_ascii_digit() {
                    i += 1;
                }
                c[start..i].iter().collect()
            };
            if radicand.is_empty() {
                out.push_str("\\sqrt");
            } else {
                out.push_str(&format!("\\sqrt{{{}}}", to_latex(&radicand, hadamard)));
            }
            continue;
        }
        if let Some((a, b)) = crate::syntax::parser::vulgar_fraction(&ch.to_string()) {
            // Every vulgar fraction the Unicode output writes (`⅔`, `⅕`), not only ½ ⅓ ¼.
            out.push_str(&format!("\\tfrac{{{a}}}{{{b}}}"));
            continue;
        }
        if ch.is_ascii_alphabetic() {
            // A word: a function name or single letters.
            let word = read_word(&c, &mut i);
            if word == "O" {
                out.push_str("\\mathcal{O}");
            } else if word.len() == 1 {
                out.push_str(&word);
            } else {
                out.push_str(&super::latex::function_name(&word));
            }
            continue;
        }
        let piece: String = match ch {
            '·' => "\\cdot ".into(),
            '−' | '–' => "-".into(),
            '≈' => "\\approx ".into(),
            '≪' => "\\ll ".into(),
            '≫' => "\\gg ".into(),
            '~' => "\\sim ".into(),
            '∘' | '⊙' => format!("{hadamard} "),
            '…' => "\\dots".into(),
            '×' => "\\times ".into(),
            '→' => "\\to ".into(),
            '⇒' => "\\Rightarrow ".into(),
            '≤' => "\\le ".into(),
            '≥' => "\\ge ".into(),
            '≠' => "\\neq ".into(),
            '∈' => "\\in ".into(),
            'ℝ' => "\\mathbb{R}".into(),
            '𝟙' => "\\mathbf{1}".into(),
            '𝓛' => "\\mathcal{L}".into(),
            'ᵀ' => "^{\\top}".into(),
            '∞' => "\\infty ".into(),
            '′' => "'".into(),
            // s″(0) in a comment (it was written `s?`).
            '″' => "''".into(),
            '‴' => "'''".into(),
            'Σ' | '∑' => "\\sum ".into(),
            '|' => "\\lvert ".into(),
            '{' | '}' | '%' | '#' | '&' | '$' => format!("\\{ch}"),
            '_' => "\\_".into(),
            '\\' => "\\backslash ".into(),
            c => match crate::syntax::names::greek_name(c) {
                Some("epsilon") => "\\varepsilon ".into(),
                Some("phi") => "\\varphi ".into(),
                Some(n) => format!("\\{n} "),
                None if c.is_ascii() => c.to_string(),
                None => other_symbol(c),
            },
        };
        out.push_str(&piece);
    }
    // `|x|`: bars alternate between opening and closing.
    let mut fixed = String::new();
    for (n, part) in out.split("\\lvert ").enumerate() {
        if n > 0 {
            fixed.push_str(if n % 2 == 1 { "\\lvert " } else { "\\rvert " });
        }
        fixed.push_str(part);
    }
    tidy(fixed.trim())
}

/// The letters outside ASCII that a comment's text keeps (see [`other_symbol`]).
const LATIN_TEXT_LETTERS: &str = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿßæÆøØœŒłŁ\
ĀāĂăĆćĈĉĊċČčĎďĒēĔĕĖėĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŴŵŶŷŸŹźŻżŽž";

/// A character of a comment the cases above do not write: a mathematical symbol as its
/// command, a Latin letter with an accent as text (pdflatex reads UTF-8 text), and only what
/// has neither as `?` (from a review: `Résumé`, `‖x‖`, `∂f` lost their letters).
fn other_symbol(c: char) -> String {
    let cmd = match c {
        '‖' => "\\|",
        '∂' => "\\partial ",
        '±' => "\\pm ",
        '∓' => "\\mp ",
        '✓' | '✔' => "\\checkmark ",
        '∀' => "\\forall ",
        '∃' => "\\exists ",
        '≡' => "\\equiv ",
        '∝' => "\\propto ",
        '∇' => "\\nabla ",
        '⟨' => "\\langle ",
        '⟩' => "\\rangle ",
        '⊤' => "\\top ",
        '←' => "\\leftarrow ",
        '↔' => "\\leftrightarrow ",
        '∏' => "\\prod ",
        '∫' => "\\int ",
        '°' => "^{\\circ}",
        '·' => "\\cdot ",
        'ᵢ' => "_{i}",
        'ⱼ' => "_{j}",
        'ₖ' => "_{k}",
        'ₙ' => "_{n}",
        // Letters that pdflatex's default encoding writes from UTF-8 (an accent on a Latin
        // letter, and ß æ ø œ ł): others (Ŋ, Þ, ą) stop a document without `fontenc` T1 (from a
        // review of this mapping).
        _ if LATIN_TEXT_LETTERS.contains(c) => return format!("\\text{{{c}}}"),
        _ => "?",
    };
    cmd.to_string()
}

/// One space at most, and after a control word only where a letter follows: `\sigma^{2}`,
/// `\lambda \alpha`.
fn tidy(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut after_word = false;
    while i < c.len() {
        if c[i] == ' ' {
            let mut j = i;
            while j < c.len() && c[j] == ' ' {
                j += 1;
            }
            let next_letter = j < c.len() && c[j].is_ascii_alphanumeric();
            if !after_word || next_letter {
                out.push(' ');
            }
            i = j;
            after_word = false;
            continue;
        }
        if c[i] == '\\' {
            out.push('\\');
            i += 1;
            let start = i;
            while i < c.len() && c[i].is_ascii_alphabetic() {
                out.push(c[i]);
                i += 1;
            }
            if i == start && i < c.len() {
                out.push(c[i]);
                i += 1;
                after_word = false;
            } else {
                after_word = true;
            }
            continue;
        }
        out.push(c[i]);
        after_word = false;
        i += 1;
    }
    out
}

/// Names Typst's math mode knows; other words of several letters are quoted.
const TYPST_WORDS: &[&str] = &[
    "tanh", "sin", "cos", "tan", "exp", "log", "ln", "sinh", "cosh", "arctan",
];

/// A Unicode formula as Typst math: `σ(x) = ½ + x³/48` → `σ(x) = frac(1, 2) + x^(3)/48`.
pub fn to_typst(s: &str, hadamard: char) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        if let Some(d) = sub_char(ch) {
            let sub = script_run(d, &c, &mut i, sub_char);
            out.push_str(&format!("_({sub})"));
            continue;
        }
        if let Some(d) = sup_char(ch) {
            let sup = script_run(d, &c, &mut i, sup_char);
            out.push_str(&format!("^({sup})"));
            continue;
        }
        if ch == '^' {
            let exp = read_exponent(&c, &mut i, &|_| format!("{hadamard} "));
            out.push_str(&format!("^({})", to_typst(&exp, hadamard)));
            continue;
        }
        if ch.is_ascii_alphabetic() {
            let word = read_word(&c, &mut i);
            if word.len() == 1 || TYPST_WORDS.contains(&word.as_str()) {
                out.push_str(&word);
            } else {
                out.push_str(&format!("op(\"{word}\")"));
            }
            // Single letters side by side are a product: `λα` is `λ α`, `xy` is `x y`.
            if i < c.len() && c[i].is_alphabetic() && word.len() == 1 {
                out.push(' ');
            }
            continue;
        }
        if let Some((a, b)) = crate::syntax::parser::vulgar_fraction(&ch.to_string()) {
            out.push_str(&format!("frac({a}, {b})"));
            continue;
        }
        let piece: String = match ch {
            '·' => " dot ".into(),
            '∘' | '⊙' => format!(" {hadamard} "),
            '~' => " ∼ ".into(),
            '𝟙' => "bb(1)".into(),
            'ℝ' => "RR".into(),
            '√' => "√".into(),
            '′' => "'".into(),
            '″' => "''".into(),
            '‴' => "'''".into(),
            '"' => "\\\"".into(),
            '#' | '$' | '\\' | '_' | '@' | '`' => format!("\\{ch}"),
            g if crate::syntax::names::greek_name(g).is_some() => {
                // A Greek letter followed by a letter: keep them apart (`λα` is `λ α`).
                if i < c.len() && c[i].is_alphabetic() {
                    format!("{g} ")
                } else {
                    g.to_string()
                }
            }
            c => c.to_string(),
        };
        out.push_str(&piece);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sub_char(c: char) -> Option<char> {
    match c {
        '₀'..='₉' => char::from_digit(c as u32 - '₀' as u32, 10),
        'ₖ' => Some('k'),
        _ => None,
    }
}

fn sup_char(c: char) -> Option<char> {
    let digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    if let Some(p) = digits.chars().position(|d| d == c) {
        return char::from_digit(p as u32, 10);
    }
    match c {
        'ˣ' => Some('x'),
        'ᵏ' => Some('k'),
        '⁺' => Some('+'),
        '⁻' => Some('-'),
        '⁽' => Some('('),
        '⁾' => Some(')'),
        _ => None,
    }
}

/// A run of sub- or superscript characters from `first` on, as plain characters: `₁₂` → `12`.
fn script_run(first: char, c: &[char], i: &mut usize, plain: fn(char) -> Option<char>) -> String {
    let mut run = first.to_string();
    while *i < c.len()
        && let Some(d) = plain(c[*i])
    {
        run.push(d);
        *i += 1;
    }
    run
}

/// The exponent after a `^` at `c[*i]`: Hadamard marks (written by `mark`), then a bracket or a
/// run of letters and digits (`^∘k`, `^(−x)`, `^2`). `e^(−x)` drops its brackets; `δ^∘(k−1)`
/// keeps them.
fn read_exponent(c: &[char], i: &mut usize, mark: &dyn Fn(char) -> String) -> String {
    let mut exp = String::new();
    while *i < c.len() && (c[*i] == '∘' || c[*i] == '⊙') {
        exp.push_str(&mark(c[*i]));
        *i += 1;
    }
    // `10^{x}` in a comment: a group in braces is read as a bracket (from a review, it was
    // `e^{}\{x\}`).
    let (open, close) = match c.get(*i) {
        Some('{') => ('{', '}'),
        _ => ('(', ')'),
    };
    if *i < c.len() && c[*i] == open {
        let mut depth = 0;
        let start = *i;
        while *i < c.len() {
            if c[*i] == open {
                depth += 1;
            } else if c[*i] == close {
                depth -= 1;
                if depth == 0 {
                    *i += 1;
                    break;
                }
            }
            *i += 1;
        }
        let inner: String = c[start..*i].iter().collect();
        let inner = if exp.is_empty() {
            inner
                .strip_prefix(open)
                .and_then(|x| x.strip_suffix(close))
                .unwrap_or(&inner)
                .to_string()
        } else if open == '{' {
            // Braces written as a bracket (a Hadamard mark keeps its brackets).
            format!(
                "({})",
                inner
                    .strip_prefix(open)
                    .and_then(|x| x.strip_suffix(close))
                    .unwrap_or(&inner)
            )
        } else {
            inner
        };
        exp.push_str(&inner);
    } else {
        // `10^-3`, `x^−k`: a sign before the run is the exponent's (from a review, `10^-3`
        // was `10^{}-3`).
        if matches!(c.get(*i), Some('-' | '−' | '+'))
            && c.get(*i + 1).is_some_and(|d| d.is_alphanumeric())
        {
            exp.push(c[*i]);
            *i += 1;
        }
        while *i < c.len() && c[*i].is_alphanumeric() {
            exp.push(c[*i]);
            *i += 1;
        }
    }
    exp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maths(s: &str) -> Vec<String> {
        split(s)
            .into_iter()
            .filter_map(|s| match s {
                Span::Math(m) => Some(m),
                Span::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn formulas_in_prose_are_found() {
        assert_eq!(
            maths("1. s(x) = x: the network is the single layer y = W·x + b."),
            ["s(x) = x", "y = W·x + b"]
        );
        assert_eq!(
            maths("Inputs z ~ N(0, σ²) with σ ≪ 1: for which"),
            ["z ~ N(0, σ²)", "σ ≪ 1"]
        );
        assert_eq!(
            maths("slopes λα ≈ 1.7581 and λ ≈ 1.0507, a kink"),
            ["λα ≈ 1.7581", "λ ≈ 1.0507"]
        );
        assert_eq!(
            maths("tanh x = x − x³/3 + …, affine"),
            ["tanh x = x − x³/3 + …"]
        );
        assert_eq!(maths("(up to O(σ³)); ReLU"), ["O(σ³)"]);
        assert_eq!(maths("a kink, not affine at any σ"), ["σ"]);
        // A parenthesis of prose opened after a whole formula is not the formula's, and a set
        // in braces is one formula with its subscripts (from the typeset notes of the exact
        // zero tests: `$E = e^{1/D} (e$ is transcendental`, `x$_{n}$`).
        assert_eq!(
            maths("functions of E = e^(1/D) (e is transcendental, so"),
            ["E = e^(1/D)", "e"]
        );
        assert_eq!(
            maths("the 3 points of {x ∈ {0, …, 2}^1 : x₁ + … + xₙ ≤ 2}, on which"),
            ["x ∈ {0, …, 2}^1", "x₁ + … + xₙ ≤ 2"]
        );
    }

    #[test]
    fn the_prose_around_is_kept() {
        let s = "Correct: λα(eˣ − 1) on the left (up to O(σ³)).";
        let joined: String = split(s)
            .into_iter()
            .map(|s| match s {
                Span::Math(m) => m,
                Span::Text(t) => t,
            })
            .collect();
        assert_eq!(joined, s);
    }

    #[test]
    fn unicode_math_becomes_latex() {
        assert_eq!(to_latex("eˣ − 1", "\\circ"), "e^{x} - 1");
        assert_eq!(to_latex("1/(1+e^(−x))", "\\circ"), "1/(1+e^{-x})");
        assert_eq!(to_latex("δ^∘k", "\\circ"), "\\delta^{\\circ k}");
        assert_eq!(to_latex("W₂·b₁", "\\circ"), "W_{2}\\cdot b_{1}");
        assert_eq!(to_latex("|δ|", "\\circ"), "\\lvert\\delta\\rvert");
        assert_eq!(
            to_latex("X·W_Q·W_Kᵀ·Xᵀ", "\\circ"),
            "X\\cdot W_{\\mathrm{Q}}\\cdot W_{\\mathrm{K}}^{\\top}\\cdot X^{\\top}"
        );
        assert_eq!(to_latex("b_12", "\\circ"), "b_{12}");
        // From a review: a signed exponent, one in braces, and a subscript with an underscore.
        assert_eq!(to_latex("10^-3", "\\circ"), "10^{-3}");
        assert_eq!(to_latex("e^{x}", "\\circ"), "e^{x}");
        assert_eq!(to_latex("x_a_b", "\\circ"), "x_{\\mathrm{a\\_b}}");
        // A name with an underscore is one function's, not a subscript (from a review: the
        // heading of `series hard_tanh` read hard with the subscript tanh).
        assert_eq!(
            to_latex("hard_tanh", "\\circ"),
            crate::print::latex::function_name("hard_tanh")
        );
        assert_eq!(to_typst("leaky_relu", '⊙'), "op(\"leaky_relu\")");
        assert_eq!(to_latex("W_Qx", "\\circ"), "W_{\\mathrm{Qx}}");
    }
}
