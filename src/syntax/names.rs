//! Canonical names: `W1` = `W_1` = `W₁`, `lambda` = `λ`.

use std::fmt;
use std::rc::Rc;

/// A name as the user meant it: a base (`W`, `λ`, `relu`) and a subscript (`1`, `out`, or empty).
///
/// Names order by base, then by subscript with numbers in numeric order (`W₂` before `W₁₀`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Name {
    /// The base in canonical form (`W`, `λ`, `relu`).
    pub base: Rc<str>,
    /// The subscript (`1`, `out`), empty when there is none.
    pub sub: Rc<str>,
}

/// Greek letters by name, in the order of the alphabet.
pub const GREEK: &[(&str, char)] = &[
    ("alpha", 'α'),
    ("beta", 'β'),
    ("gamma", 'γ'),
    ("delta", 'δ'),
    ("epsilon", 'ε'),
    ("zeta", 'ζ'),
    ("eta", 'η'),
    ("theta", 'θ'),
    ("iota", 'ι'),
    ("kappa", 'κ'),
    ("lambda", 'λ'),
    ("mu", 'μ'),
    ("nu", 'ν'),
    ("xi", 'ξ'),
    ("pi", 'π'),
    ("rho", 'ρ'),
    ("sigma", 'σ'),
    ("tau", 'τ'),
    ("upsilon", 'υ'),
    ("phi", 'φ'),
    ("chi", 'χ'),
    ("psi", 'ψ'),
    ("omega", 'ω'),
];

pub fn greek_name(c: char) -> Option<&'static str> {
    let c = match c {
        'ϵ' => 'ε',
        'ϕ' => 'φ',
        c => c,
    };
    GREEK.iter().find(|(_, g)| *g == c).map(|(n, _)| *n)
}

fn greek_letter(name: &str) -> Option<char> {
    GREEK.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

thread_local! {
    /// Every base and subscript string made on this thread, once (names are `Rc`, so per thread).
    static INTERNED: std::cell::RefCell<std::collections::HashSet<Rc<str>>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// The shared copy of `s` (hash-consing: equal strings become one allocation).
fn intern(s: &str) -> Rc<str> {
    INTERNED.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(r) = t.get(s) {
            return r.clone();
        }
        let r: Rc<str> = Rc::from(s);
        t.insert(r.clone());
        r
    })
}

impl Default for Name {
    /// The default network input, `x`.
    fn default() -> Name {
        Name::new("x", "")
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        // Names are interned (see `Name::new`): equal strings share one allocation, so
        // pointer equality decides equality and only different strings are compared.
        // Normal forms compare names constantly (chains are sorted by their factors).
        if !Rc::ptr_eq(&self.base, &other.base) {
            let c = self.base.cmp(&other.base);
            if c != Ordering::Equal {
                return c;
            }
        }
        if Rc::ptr_eq(&self.sub, &other.sub) {
            return Ordering::Equal;
        }
        let key = |n: &Name| {
            let numeric = !n.sub.is_empty() && n.sub.chars().all(|c| c.is_ascii_digit());
            (
                !numeric,
                if numeric {
                    n.sub.trim_start_matches('0').len()
                } else {
                    0
                },
            )
        };
        key(self)
            .cmp(&key(other))
            .then_with(|| self.sub.cmp(&other.sub))
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Name {
    /// The name with this base and subscript, as given (no canonicalisation).
    pub fn new(base: &str, sub: &str) -> Name {
        Name {
            base: intern(base),
            sub: intern(sub),
        }
    }

    /// Whether `raw` is a name as the grammar reads one (`ident` in grammar/taylornet.pest): a
    /// Latin or Greek letter, then letters, digits, `_` or subscript digits. Names from outside
    /// the language (a tensor in a weights file) are held to it: `Name::parse` alone would
    /// take `W 1`, an empty name or `../W1` (from a review).
    pub fn is_written_name(raw: &str) -> bool {
        let letter = |c: char| {
            c.is_ascii_alphabetic()
                || ('\u{0391}'..='\u{03A9}').contains(&c)
                || ('\u{03B1}'..='\u{03C9}').contains(&c)
                || c == 'ϵ'
                || c == 'ϕ'
        };
        let mut chars = raw.chars();
        chars.next().is_some_and(letter)
            && chars.all(|c| {
                letter(c)
                    || c.is_ascii_digit()
                    || c == '_'
                    || ('\u{2080}'..='\u{2089}').contains(&c)
            })
    }

    /// Reads an identifier as written; `Err` explains why it is not one name.
    pub fn parse(raw: &str) -> Result<Name, String> {
        use std::borrow::Cow;
        let is_subscript_digit = |c: char| ('\u{2080}'..='\u{2089}').contains(&c);
        // The base is the letters up to the first other character; the rest is the subscript.
        // Borrowed where nothing is rewritten (plain ASCII names, the common case).
        let split = raw
            .char_indices()
            .find(|&(_, c)| !c.is_alphabetic() || is_subscript_digit(c))
            .map_or(raw.len(), |(i, _)| i);
        let (base, rest) = raw.split_at(split);
        let sub: Cow<str> = if rest.chars().any(is_subscript_digit) {
            rest.chars()
                .map(|c| match c {
                    '\u{2080}'..='\u{2089}' => {
                        char::from_u32(c as u32 - 0x2080 + '0' as u32).unwrap_or(c)
                    }
                    c => c,
                })
                .collect::<String>()
                .into()
        } else {
            rest.into()
        };
        let sub = sub.strip_prefix('_').unwrap_or(&sub);
        if sub.starts_with(|c: char| c.is_ascii_digit()) && sub.chars().any(|c| c.is_alphabetic()) {
            return Err(format!(
                "`{raw}` looks like several names written together; separate them with spaces or `·`"
            ));
        }
        if sub.contains('_') && sub.chars().all(|c| c == '_') {
            return Err(format!("`{raw}` has an empty subscript"));
        }
        let base: Cow<str> = match greek_letter(base) {
            Some(g) => g.to_string().into(),
            None if base.contains(['ϵ', 'ϕ']) => base
                .chars()
                .map(|c| match c {
                    'ϵ' => 'ε',
                    'ϕ' => 'φ',
                    c => c,
                })
                .collect::<String>()
                .into(),
            None => base.into(),
        };
        Ok(Name::new(&base, sub))
    }

    /// One Greek letter (by letter or name), such as `λ`.
    pub fn is_greek(&self) -> bool {
        let mut cs = self.base.chars();
        matches!((cs.next(), cs.next()), (Some(c), None) if greek_name(c).is_some())
    }

    /// Whether the base starts with an upper-case Latin letter (a matrix by convention).
    pub fn starts_upper_latin(&self) -> bool {
        self.base
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
    }

    /// The name in the input syntax, ASCII only: `W1`, `lambda_1`, `W_out`.
    pub fn ascii(&self) -> String {
        let base: String = if self.is_greek() {
            self.base
                .chars()
                .next()
                .and_then(greek_name)
                .unwrap_or("x")
                .to_string()
        } else {
            self.base.to_string()
        };
        if self.sub.is_empty() {
            base
        } else if !self.is_greek() && self.sub.chars().all(|c| c.is_ascii_digit()) {
            format!("{base}{}", self.sub)
        } else {
            format!("{base}_{}", self.sub)
        }
    }

    /// The name for a terminal: `W₁`, `λ`, `W_out`.
    pub fn unicode(&self) -> String {
        if self.sub.is_empty() {
            self.base.to_string()
        } else if self.sub.chars().all(|c| c.is_ascii_digit()) {
            let digits: String = self
                .sub
                .chars()
                .map(|c| char::from_u32(c as u32 - '0' as u32 + 0x2080).unwrap_or(c))
                .collect();
            format!("{}{digits}", self.base)
        } else {
            format!("{}_{}", self.base, self.sub)
        }
    }

    /// A function name as written (`leaky_relu`, `tanh`).
    pub fn ascii_or_unicode(&self) -> String {
        self.ascii()
    }

    /// The name in LaTeX math: `W_{1}`, `\\lambda`, `\\mathrm{relu}`, `W_{\\mathrm{out}}`,
    /// `x_{i}`, `W_{\\alpha}`. Every letter outside ASCII is written as a command: pdflatex
    /// stops at a raw `α` in math (from a review: `W_α` was `W_{\\mathrm{α}}`).
    pub fn latex(&self) -> String {
        let mut cs = self.base.chars();
        let base = match (cs.next(), cs.next()) {
            (Some(c), None) => greek_latex(c).unwrap_or_else(|| c.to_string()),
            _ => latex_letters(&self.base),
        };
        if self.sub.is_empty() {
            return base;
        }
        let mut cs = self.sub.chars();
        let sub = match (cs.next(), cs.next()) {
            // An index (`x_i`) is italic, as a variable; a label (`W_Q`, `W_out`) upright.
            (Some(c), None) if c.is_ascii_lowercase() => c.to_string(),
            _ if self.sub.chars().all(|c| c.is_ascii_digit()) => self.sub.to_string(),
            _ => latex_letters(&self.sub),
        };
        format!("{base}_{{{sub}}}")
    }
}

/// A Greek letter as LaTeX math: `\\alpha`, `\\varepsilon`, `\\Gamma`; the capitals that look
/// Latin (`Α`, `Β`, …) upright Latin, as LaTeX has no command for them.
fn greek_latex(c: char) -> Option<String> {
    match c {
        'ς' => return Some("\\varsigma".into()),
        // LaTeX has no omicron: it is the Latin o.
        'ο' => return Some("o".into()),
        'Ο' => return Some("\\mathrm{O}".into()),
        _ => {}
    }
    if let Some(n) = greek_name(c) {
        return Some(match n {
            // The curly ε and φ, as in most papers.
            "epsilon" => "\\varepsilon".into(),
            "phi" => "\\varphi".into(),
            n => format!("\\{n}"),
        });
    }
    if !('\u{0391}'..='\u{03A9}').contains(&c) {
        return None;
    }
    let n = char::from_u32(c as u32 + 0x20).and_then(greek_name)?;
    let latin = match n {
        "alpha" => "A",
        "beta" => "B",
        "epsilon" => "E",
        "zeta" => "Z",
        "eta" => "H",
        "iota" => "I",
        "kappa" => "K",
        "mu" => "M",
        "nu" => "N",
        "rho" => "P",
        "tau" => "T",
        "chi" => "X",
        _ => {
            let mut cap = n.to_string();
            cap[..1].make_ascii_uppercase();
            return Some(format!("\\{cap}"));
        }
    };
    Some(format!("\\mathrm{{{latin}}}"))
}

/// Several letters as an upright LaTeX word: runs of ASCII in `\\mathrm{…}` (`_` escaped),
/// Greek letters as commands between them.
fn latex_letters(s: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if !run.is_empty() {
            out.push_str(&format!("\\mathrm{{{}}}", run.replace('_', "\\_")));
            run.clear();
        }
    };
    for c in s.chars() {
        match greek_latex(c) {
            Some(g) => {
                flush(&mut run, &mut out);
                out.push_str(&g);
                // `\\alpha` before a letter would read as another command.
                out.push(' ');
            }
            None if c.is_ascii() => run.push(c),
            // Outside the grammar's letters (a name from elsewhere): kept out of math mode.
            None => {
                flush(&mut run, &mut out);
                out.push_str(&format!("\\text{{{c}}}"));
            }
        }
    }
    flush(&mut run, &mut out);
    out.trim_end().to_string()
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.unicode())
    }
}

/// `12` → `₁₂`.
pub fn subscript(n: u64) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + 0x2080).unwrap_or(c))
        .collect()
}

/// `12` → `¹²`, `-1` → `⁻¹`.
pub fn superscript(n: i64) -> String {
    let mut s = String::new();
    write_superscript(n, &mut s);
    s
}

/// Writes `n` in superscript digits at the end of `out`.
pub fn write_superscript(n: i64, out: &mut String) {
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    // Digits from the last, without formatting the number first: a long coefficient writes a
    // power in almost every factor of its terms.
    let mut reversed = [0u8; 20];
    let mut len = 0;
    let mut m = n.unsigned_abs();
    loop {
        reversed[len] = (m % 10) as u8;
        len += 1;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    out.reserve(3 * (len + 1));
    if n < 0 {
        out.push('⁻');
    }
    for d in reversed[..len].iter().rev() {
        out.push(digits[usize::from(*d)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superscripts_write_every_digit_and_the_sign() {
        assert_eq!(superscript(0), "⁰");
        assert_eq!(superscript(7), "⁷");
        assert_eq!(superscript(-12), "⁻¹²");
        assert_eq!(superscript(1_234_567_890), "¹²³⁴⁵⁶⁷⁸⁹⁰");
        assert_eq!(superscript(i64::MIN), "⁻⁹²²³³⁷²⁰³⁶⁸⁵⁴⁷⁷⁵⁸⁰⁸");
    }

    /// pdflatex stops at a raw Greek letter in math: every one is a command, in a base or a
    /// subscript; an index is italic, a label upright.
    #[test]
    fn latex_names_hold_no_letter_outside_ascii() {
        let tex = |n: &str| Name::parse(n).map(|n| n.latex()).unwrap_or_default();
        assert_eq!(tex("W_α"), "W_{\\alpha}");
        assert_eq!(tex("W_αβ"), "W_{\\alpha \\beta}");
        assert_eq!(tex("W_Γ"), "W_{\\Gamma}");
        assert_eq!(tex("Γ"), "\\Gamma");
        assert_eq!(tex("Α"), "\\mathrm{A}");
        assert_eq!(tex("W_i"), "W_{i}");
        assert_eq!(tex("W_Q"), "W_{\\mathrm{Q}}");
        assert_eq!(tex("W_out"), "W_{\\mathrm{out}}");
        assert_eq!(tex("W_in_2"), "W_{\\mathrm{in\\_2}}");
        assert_eq!(tex("λ₂"), "\\lambda_{2}");
        for n in ["W_ο", "Ο", "ς", "W_ωx", "relu", "φ_k"] {
            assert!(tex(n).is_ascii(), "{n}: {}", tex(n));
        }
    }

    #[test]
    fn spellings_of_one_name_agree() {
        let a = Name::parse("W1").unwrap();
        assert_eq!(a, Name::parse("W_1").unwrap());
        assert_eq!(a, Name::parse("W₁").unwrap());
        assert_eq!(Name::parse("lambda").unwrap(), Name::parse("λ").unwrap());
        assert_eq!(Name::parse("lambda_2").unwrap().unicode(), "λ₂");
        assert_eq!(Name::parse("λ₂").unwrap().ascii(), "lambda_2");
        assert!(Name::parse("W2W1x").is_err());
        assert_eq!(Name::parse("W_out").unwrap().ascii(), "W_out");
    }

    #[test]
    fn a_name_is_read_as_base_and_subscript() {
        let read = |raw: &str| Name::parse(raw).map(|n| (n.base.to_string(), n.sub.to_string()));
        let ok = |base: &str, sub: &str| Ok((base.to_string(), sub.to_string()));
        assert_eq!(read("W"), ok("W", ""));
        assert_eq!(read("W_"), ok("W", ""));
        assert_eq!(read("W₁₂"), ok("W", "12"));
        assert_eq!(read("W1₂"), ok("W", "12"));
        assert_eq!(read("b_out"), ok("b", "out"));
        assert_eq!(read("x_1_2"), ok("x", "1_2"));
        assert_eq!(read("ϵ"), ok("ε", ""));
        assert_eq!(read("ϕ₃"), ok("φ", "3"));
        assert_eq!(read("aϕ"), ok("aφ", ""));
        assert_eq!(read("alpha"), ok("α", ""));
        assert_eq!(read("αβ"), ok("αβ", ""));
        assert_eq!(read("Wx1"), ok("Wx", "1"));
        assert!(read("W__").is_err(), "an empty subscript");
        assert!(read("x_1a").is_err(), "two names written together");
        assert!(read("x1a").is_err(), "two names written together");
    }
}
