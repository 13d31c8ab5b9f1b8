//! LaTeX math (`\circ` or `\odot` for Hadamard, `\operatorname{diag}`, `\tfrac`), valid for KaTeX
//! and pdflatex, on one line or broken across lines at `+`/`−` by measured width.
//!
//! Brackets are `(`…`)` or `\bigl(`…`\bigr)`, never `\left`…`\right`: fixed-size brackets may open
//! on one line of an `align*` and close on the next, so a long sum can break inside them.
//! Coefficients are `\tfrac`s so that such brackets are tall enough.

use super::tree::Node;
use crate::algebra::scalar::Q;
use malachite_nz::natural::Natural;

const SUM: u8 = 1;
const HAD: u8 = 2;
const PROD: u8 = 3;
const POW: u8 = 5;
const ATOM: u8 = 6;

/// The most significant digits a number is typeset with; longer exact values are cut to
/// [`SHORT_DIGITS`] digits and an ellipsis.
pub const MAX_DIGITS: usize = 15;
/// The significant digits kept when a number longer than [`MAX_DIGITS`] is cut.
pub const SHORT_DIGITS: usize = 12;

/// The symbol of the Hadamard (element-wise) product.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Hadamard {
    /// `∘` (`\circ`), the default.
    #[default]
    Circ,
    /// `⊙` (`\odot`).
    Odot,
}

impl Hadamard {
    /// The symbol a name denotes: `circ` or `∘`, `odot` or `⊙`.
    pub fn parse(s: &str) -> Option<Hadamard> {
        match s.trim() {
            "circ" | "∘" => Some(Hadamard::Circ),
            "odot" | "⊙" => Some(Hadamard::Odot),
            _ => None,
        }
    }
    /// The LaTeX command.
    pub fn latex(self) -> &'static str {
        match self {
            Hadamard::Circ => "\\circ",
            Hadamard::Odot => "\\odot",
        }
    }
    /// The Unicode character.
    pub fn unicode(self) -> char {
        match self {
            Hadamard::Circ => '∘',
            Hadamard::Odot => '⊙',
        }
    }
}

/// Notation choices a paper makes: the Hadamard symbol and the name of the small parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notation {
    /// The Hadamard product's symbol.
    pub hadamard: Hadamard,
    /// The small parameter in `O(εᵏ)`, as a name (`ε`, `σ`, `delta`).
    pub small: crate::syntax::Name,
}

impl Default for Notation {
    fn default() -> Self {
        Notation {
            hadamard: Hadamard::Circ,
            small: crate::syntax::Name::new("ε", ""),
        }
    }
}

/// One line of LaTeX math.
pub fn render(n: &Node) -> String {
    render_with(n, &Notation::default())
}

/// One line of LaTeX math in the given notation.
pub fn render_with(n: &Node, notation: &Notation) -> String {
    let mut out = String::new();
    for t in tokens(n, notation) {
        if let Tok::S(s) = t {
            out.push_str(&s)
        }
    }
    out
}

/// A piece of rendered math: text, or a place where the line may break (before a `+`/`−`),
/// with the bracket depth there.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    S(String),
    Break(usize),
}

fn tokens(n: &Node, notation: &Notation) -> Vec<Tok> {
    let mut r = Renderer {
        notation,
        depth: 0,
        out: Vec::new(),
    };
    r.node(n);
    r.out
}

/// `n` broken into lines: the first at most `first` points wide, the others at most `rest`
/// (as estimated by [`width`]). Lines after the first start with the sign of their first term.
pub fn render_lines(n: &Node, notation: &Notation, first: f64, rest: f64) -> Vec<String> {
    let toks = tokens(n, notation);
    let mut lines = Vec::new();
    let mut line: Vec<Tok> = Vec::new();
    let mut line_width = 0.0;
    let flush_upto = |line: &mut Vec<Tok>, at: usize| -> String {
        let rest_toks = line.split_off(at);
        let s: String = line
            .iter()
            .filter_map(|t| match t {
                Tok::S(s) => Some(s.as_str()),
                Tok::Break(_) => None,
            })
            .collect();
        *line = rest_toks;
        s
    };
    for tok in toks {
        let w = match &tok {
            Tok::S(s) => width(s),
            Tok::Break(_) => 0.0,
        };
        let limit = if lines.is_empty() { first } else { rest };
        if line_width + w > limit {
            // Break at the shallowest break point in the second half of the line, else at the last one.
            let breaks: Vec<(usize, usize)> = line
                .iter()
                .enumerate()
                .filter_map(|(i, t)| match t {
                    Tok::Break(d) if i > 0 => Some((i, *d)),
                    _ => None,
                })
                .collect();
            let mut acc = 0.0;
            let mut pos_width = Vec::new();
            for t in &line {
                pos_width.push(acc);
                if let Tok::S(s) = t {
                    acc += width(s);
                }
            }
            let half: Vec<&(usize, usize)> = breaks
                .iter()
                .filter(|(i, _)| pos_width[*i] >= limit * 0.5)
                .collect();
            let choice = half
                .iter()
                .min_by_key(|(i, d)| (*d, usize::MAX - i))
                .map(|(i, _)| *i)
                .or_else(|| breaks.last().map(|(i, _)| *i));
            if let Some(at) = choice {
                lines.push(flush_upto(&mut line, at));
                line_width = line
                    .iter()
                    .map(|t| match t {
                        Tok::S(s) => width(s),
                        Tok::Break(_) => 0.0,
                    })
                    .sum();
            }
        }
        line_width += w;
        line.push(tok);
    }
    let last = flush_upto(&mut line, 0);
    let last = line_rest(&line, last);
    lines.push(last);
    // A continued line starts with a binary sign: `{}` keeps its spacing binary.
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l
            } else {
                format!("{{}}{}", l.trim_start())
            }
        })
        .collect()
}

fn line_rest(rest: &[Tok], head: String) -> String {
    let mut s = head;
    for t in rest {
        if let Tok::S(x) = t {
            s.push_str(x);
        }
    }
    s
}

struct Renderer<'a> {
    notation: &'a Notation,
    depth: usize,
    out: Vec<Tok>,
}

impl Renderer<'_> {
    fn s(&mut self, s: impl Into<String>) {
        self.out.push(Tok::S(s.into()));
    }

    /// Renders `n` in a sub-renderer and returns its tokens and precedence.
    fn sub(&mut self, n: &Node) -> (Vec<Tok>, u8) {
        let mut r = Renderer {
            notation: self.notation,
            depth: self.depth,
            out: Vec::new(),
        };
        let p = r.node(n);
        (r.out, p)
    }

    /// `n` as one unbreakable string.
    fn flat(&mut self, n: &Node) -> String {
        render_with(n, self.notation)
    }

    /// Emits `n`, bracketed when its precedence is below `min`.
    fn wrapped(&mut self, n: &Node, min: u8) {
        self.depth += 1;
        let (toks, p) = self.sub(n);
        self.depth -= 1;
        if p < min {
            self.bracket(toks);
        } else {
            self.out.extend(toks);
        }
    }

    /// `(`…`)`, or `\bigl(`…`\bigr)` around a bracket or a fraction, so nested brackets differ.
    fn bracket(&mut self, toks: Vec<Tok>) {
        let tall = toks.iter().any(|t| match t {
            Tok::S(s) => s.contains('(') || s.contains("frac") || s.contains("\\sqrt"),
            Tok::Break(_) => false,
        });
        let (open, close) = if tall {
            ("\\bigl(", "\\bigr)")
        } else {
            ("(", ")")
        };
        self.s(open);
        self.out.extend(toks);
        self.s(close);
    }

    fn node(&mut self, n: &Node) -> u8 {
        match n {
            Node::Shared(x) => self.node(x.node()),
            Node::Rat(q) => {
                self.s(rational(q));
                ATOM
            }
            Node::Pi => {
                self.s("\\pi");
                ATOM
            }
            Node::E => {
                self.s("e");
                ATOM
            }
            Node::Name { name, .. } => {
                let shown = if &*name.base == "ε" && name.sub.is_empty() {
                    &self.notation.small
                } else {
                    name
                };
                self.s(shown.latex());
                ATOM
            }
            Node::Ones => {
                self.s("\\mathbf{1}");
                ATOM
            }
            Node::Eye => {
                self.s("I");
                ATOM
            }
            Node::Sum(terms) => {
                for (i, (neg, t)) in terms.iter().enumerate() {
                    if i > 0 {
                        self.out.push(Tok::Break(self.depth));
                        self.s(if *neg { " - " } else { " + " });
                    } else if *neg {
                        self.s("-");
                    }
                    self.wrapped(t, SUM + 1);
                }
                SUM
            }
            Node::Neg(x) => {
                self.s("-");
                self.wrapped(x, PROD);
                SUM
            }
            Node::Prod(fs) => {
                for (i, f) in fs.iter().enumerate() {
                    if i > 0 {
                        self.s(" ");
                    }
                    self.wrapped(f, PROD + 1);
                }
                PROD
            }
            Node::Frac(a, b) => {
                let (a, b) = (self.flat(a), self.flat(b));
                self.s(format!("\\tfrac{{{a}}}{{{b}}}"));
                ATOM
            }
            Node::Sqrt(x) => {
                let x = self.flat(x);
                self.s(format!("\\sqrt{{{x}}}"));
                ATOM
            }
            Node::Pow(b, e) => {
                self.wrapped(b, ATOM);
                self.s(format!("^{{{}}}", exponent(e)));
                POW
            }
            Node::Had(fs) => {
                let op = format!(" {} ", self.notation.hadamard.latex());
                for (i, f) in fs.iter().enumerate() {
                    if i > 0 {
                        self.s(op.clone());
                    }
                    self.wrapped(f, PROD + 1);
                }
                HAD
            }
            Node::HadPow(b, k) => {
                self.wrapped(b, ATOM);
                self.s(format!("^{{{} {k}}}", self.notation.hadamard.latex()));
                POW
            }
            Node::Call { func, deriv, args } => {
                if func == "abs" && *deriv == 0 {
                    let inner: Vec<String> = args.iter().map(|a| self.flat(a)).collect();
                    self.s(format!("\\lvert {} \\rvert", inner.join(", ")));
                    return ATOM;
                }
                if func == "≈" {
                    let inner: Vec<String> = args.iter().map(|a| self.flat(a)).collect();
                    self.s(format!("\\approx {}", inner.join(", ")));
                    return ATOM;
                }
                let name = function_name(func);
                let primes = match deriv {
                    0 => String::new(),
                    1 => "'".into(),
                    2 => "''".into(),
                    3 => "'''".into(),
                    k => format!("^{{({k})}}"),
                };
                self.s(format!("{name}{primes}"));
                self.args(args);
                ATOM
            }
            Node::BigO(x) => {
                let x = self.flat(x);
                self.s(format!("\\mathcal{{O}}({x})"));
                ATOM
            }
            Node::Transpose(x) => {
                self.wrapped(x, ATOM);
                self.s("^{\\top}");
                POW
            }
            Node::Group(x) => {
                self.wrapped(x, ATOM);
                ATOM
            }
            Node::Diag(x) => {
                self.s("\\operatorname{diag}");
                self.args(std::slice::from_ref(x));
                ATOM
            }
        }
    }

    /// A function's arguments in brackets that a long argument may break inside.
    fn args(&mut self, args: &[Node]) {
        self.depth += 1;
        let mut toks = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                toks.push(Tok::S(", ".into()));
            }
            toks.extend(self.sub(a).0);
        }
        self.depth -= 1;
        self.bracket(toks);
    }
}

/// `\tanh`, `\exp`, or `\operatorname{sigmoid}`.
pub fn function_name(func: &str) -> String {
    match func {
        "tanh" | "sin" | "cos" | "tan" | "exp" | "log" | "sinh" | "cosh" => format!("\\{func}"),
        "atan" | "arctan" => "\\arctan".into(),
        // The linear map of a matrix input, 𝓛(X).
        "𝓛" => "\\mathcal{L}".into(),
        f => format!("\\operatorname{{{}}}", f.replace('_', "\\_")),
    }
}

fn exponent(e: &Q) -> String {
    if e.to_denominator() == 1u32 {
        e.to_string()
    } else {
        let sign = if *e < 0u32 { "-" } else { "" };
        let a = if *e < 0u32 { -e.clone() } else { e.clone() };
        format!("{sign}{}/{}", a.to_numerator(), a.to_denominator())
    }
}

/// A non-negative rational, short: an integer, a decimal or a fraction when that is at most
/// [`MAX_DIGITS`] significant digits, else its first [`SHORT_DIGITS`] digits and `\ldots`.
pub fn rational_latex(q: &Q) -> String {
    rational(q)
}

fn rational(q: &Q) -> String {
    // A long number has more than MAX_DIGITS digits whichever way it is written; its full
    // digits (tens of thousands, perhaps) are never converted.
    if !super::text::is_long(q) {
        let num = q.to_numerator().to_string();
        let den = q.to_denominator().to_string();
        if den == "1" && num.len() <= MAX_DIGITS {
            return num;
        }
        if let Some(d) = super::text::exact_decimal(q)
            && significant_digits(&d) <= MAX_DIGITS
            && (den.len() > 3 || d.len() < num.len() + den.len())
        {
            return d;
        }
        if num.len() + den.len() <= MAX_DIGITS + 1 {
            return format!("\\tfrac{{{num}}}{{{den}}}");
        }
    }
    let (digits, exp10, exact) = leading_digits(q, SHORT_DIGITS);
    let mantissa = place_point(&digits, exp10);
    if exact {
        mantissa
    } else {
        format!("{mantissa}\\ldots")
    }
}

/// The significant digits in a decimal numeral.
pub fn significant_digits(numeral: &str) -> usize {
    numeral
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .trim_start_matches('0')
        .len()
}

/// The first `n` digits of a positive `q` (truncated, never rounded, so they are true), the
/// power of ten of the first digit, and whether they are all of `q`.
pub fn leading_digits(q: &Q, n: usize) -> (String, i64, bool) {
    let num = q.to_numerator();
    let den = q.to_denominator();
    if num == 0u32 {
        return ("0".into(), 0, true);
    }
    // The power of ten of the first digit: 10^e ≤ q < 10^(e+1). The bit lengths bound it
    // within one or two; exact comparisons settle it, so no float decides a digit, and no
    // step costs more than one product (the numbers may have tens of thousands of digits).
    let mut e = decimal_exponent_estimate(&num, &den);
    while !ten_power_at_most(e, &num, &den) {
        e -= 1;
    }
    while ten_power_at_most(e + 1, &num, &den) {
        e += 1;
    }
    let shift = n as i64 - 1 - e;
    let (top, bottom) = if shift >= 0 {
        (
            &num * Natural::from(10u32).pow_u64(shift as u64),
            den.clone(),
        )
    } else {
        (
            num.clone(),
            &den * Natural::from(10u32).pow_u64((-shift) as u64),
        )
    };
    let digits = &top / &bottom;
    let exact = &digits * &bottom == top;
    let mut s = digits.to_string();
    if s.len() > n {
        // Not reached for a correct `e`, but a wrong digit count must not be printed.
        s.truncate(n);
        e += 1;
    }
    let trimmed = if exact {
        s.trim_end_matches('0').to_string()
    } else {
        s
    };
    let trimmed = if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed
    };
    (trimmed, e, exact)
}

trait PowU64 {
    fn pow_u64(self, k: u64) -> Natural;
}

impl PowU64 for Natural {
    fn pow_u64(self, k: u64) -> Natural {
        use malachite_base::num::arithmetic::traits::Pow;
        self.pow(k)
    }
}

/// ⌊log₁₀(num/den)⌋ to within about one, from the bit lengths alone.
fn decimal_exponent_estimate(num: &Natural, den: &Natural) -> i64 {
    use malachite_base::num::logic::traits::SignificantBits;
    let bits = num.significant_bits() as f64 - den.significant_bits() as f64;
    (bits * std::f64::consts::LOG10_2).floor() as i64
}

/// Whether 10^e ≤ num/den, exactly.
fn ten_power_at_most(e: i64, num: &Natural, den: &Natural) -> bool {
    let p = Natural::from(10u32).pow_u64(e.unsigned_abs());
    if e >= 0 {
        &p * den <= *num
    } else {
        *den <= num * &p
    }
}

/// Digits `d₁d₂…` with the first digit at 10^e: `1.23`, `0.00123`, or `1.23 \times 10^{20}`.
fn place_point(digits: &str, e: i64) -> String {
    positional(digits, e).unwrap_or_else(|| {
        let (head, tail) = digits.split_at(1);
        if tail.is_empty() {
            format!("{head} \\times 10^{{{e}}}")
        } else {
            format!("{head}.{tail} \\times 10^{{{e}}}")
        }
    })
}

/// Digits `d₁d₂…` with the first digit at 10^e written positionally (`1.23`, `0.00123`) when
/// 10⁻⁵ ≤ 10^e < 10^MAX_DIGITS; `None` when that would need more zeros than digits.
pub fn positional(digits: &str, e: i64) -> Option<String> {
    if (0..MAX_DIGITS as i64).contains(&e) {
        let e = e as usize;
        let padded = format!("{digits:0<width$}", width = e + 1);
        let (int, frac) = padded.split_at(e + 1);
        Some(if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        })
    } else if (-5..0).contains(&e) {
        Some(format!("0.{}{digits}", "0".repeat((-e - 1) as usize)))
    } else {
        None
    }
}

/// The estimated width in points of LaTeX math set in 11 pt type (generous, so that a line
/// estimated to fit does fit).
pub fn width(tex: &str) -> f64 {
    let chars: Vec<char> = tex.chars().collect();
    let mut i = 0;
    measure(&chars, &mut i, 1.0, false)
}

/// Measures until the end, or until the `}` closing the current group when `group` is set.
fn measure(c: &[char], i: &mut usize, scale: f64, group: bool) -> f64 {
    let mut w = 0.0;
    while *i < c.len() {
        let ch = c[*i];
        *i += 1;
        match ch {
            '}' if group => return w,
            '{' => w += measure(c, i, scale, true),
            '\\' => w += command(c, i, scale),
            '^' | '_' => w += argument(c, i, (scale * 0.7).max(0.5)),
            '+' | '-' | '*' => w += if scale < 1.0 { 7.0 } else { 13.5 } * scale,
            '=' | '<' | '>' => w += if scale < 1.0 { 8.0 } else { 14.7 } * scale,
            '(' | ')' | '[' | ']' | '|' => w += 4.5 * scale,
            ',' => w += 5.0 * scale,
            '\'' => w += 3.5 * scale,
            ' ' | '&' => {}
            c if c.is_ascii_digit() => w += 5.6 * scale,
            c if c.is_ascii_uppercase() => w += 9.5 * scale,
            _ => w += 6.2 * scale,
        }
    }
    w
}

/// One argument: a group or a single token.
fn argument(c: &[char], i: &mut usize, scale: f64) -> f64 {
    while *i < c.len() && c[*i] == ' ' {
        *i += 1;
    }
    if *i >= c.len() {
        return 0.0;
    }
    let ch = c[*i];
    *i += 1;
    match ch {
        '{' => measure(c, i, scale, true),
        '\\' => command(c, i, scale),
        _ => {
            let mut j = 0;
            let one = [ch];
            measure(&one, &mut j, scale, false)
        }
    }
}

fn command(c: &[char], i: &mut usize, scale: f64) -> f64 {
    let start = *i;
    while *i < c.len() && c[*i].is_ascii_alphabetic() {
        *i += 1;
    }
    if *i == start && *i < c.len() {
        // A control symbol: `\,`, `\{`, `\_`.
        let ch = c[*i];
        *i += 1;
        return match ch {
            ',' => 1.9,
            ';' => 3.1,
            ':' => 2.5,
            '!' => -1.9,
            _ => 5.5,
        } * scale;
    }
    let name: String = c[start..*i].iter().collect();
    match name.as_str() {
        "frac" | "dfrac" => {
            let a = argument(c, i, scale);
            let b = argument(c, i, scale);
            a.max(b) + 2.5 * scale
        }
        "tfrac" => {
            let s = (scale * 0.7).max(0.5);
            let a = argument(c, i, s);
            let b = argument(c, i, s);
            a.max(b) + 2.0 * scale
        }
        "sqrt" => argument(c, i, scale) + 9.0 * scale,
        "operatorname" | "mathrm" | "text" | "textrm" | "mathit" => {
            argument(c, i, scale) * 0.92 + 1.7 * scale
        }
        "mathbf" | "boldsymbol" => argument(c, i, scale) * 1.1,
        "mathcal" => argument(c, i, scale) * 1.2,
        "left" | "right" | "bigl" | "bigr" | "big" | "Bigl" | "Bigr" => {
            argument(c, i, scale);
            5.5 * scale
        }
        "quad" => 11.0,
        "qquad" => 22.0,
        "circ" | "odot" | "cdot" | "times" => {
            if scale < 1.0 {
                7.5 * scale
            } else {
                13.5
            }
        }
        "approx" | "ll" | "le" | "ge" | "leq" | "geq" | "to" | "neq" | "sim" | "in"
        | "Rightarrow" | "mapsto" => {
            if scale < 1.0 {
                10.0 * scale
            } else {
                16.0
            }
        }
        "dots" | "ldots" | "cdots" => 14.0 * scale,
        "lvert" | "rvert" => 3.5 * scale,
        "tanh" | "sinh" | "cosh" => 22.0 * scale,
        "exp" | "log" | "sin" | "cos" | "tan" => 17.0 * scale,
        "arctan" => 33.0 * scale,
        "mathopen" | "mathclose" => argument(c, i, scale),
        _ => 7.5 * scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::from_signeds(n, d)
    }

    #[test]
    fn short_rationals_stay_exact() {
        assert_eq!(rational(&q(1, 48)), "\\tfrac{1}{48}");
        assert_eq!(rational(&q(17, 1)), "17");
        assert_eq!(rational(&q(1, 1000000)), "0.000001");
    }

    #[test]
    fn long_rationals_are_cut_not_rounded() {
        // 2/3 = 0.666…: twelve digits, truncated, with an ellipsis.
        let big = Q::from_signeds(2i64, 3) + Q::from_signeds(1i64, 1_000_000_007_000_000_009);
        let s = rational(&big);
        assert_eq!(s, "0.666666666666\\ldots");
        let (d, e, exact) = leading_digits(&q(1234, 10), 12);
        assert_eq!((d.as_str(), e, exact), ("1234", 2, true));
    }

    #[test]
    fn huge_integers_use_a_power_of_ten() {
        let n = Q::from(10u32).pow_q(20) + Q::from(7u32);
        let s = rational(&n);
        assert!(
            s.starts_with("1.00000000000") && s.contains("10^{20}"),
            "{s}"
        );
    }

    trait PowQ {
        fn pow_q(self, k: u64) -> Q;
    }
    impl PowQ for Q {
        fn pow_q(self, k: u64) -> Q {
            use malachite_base::num::arithmetic::traits::Pow;
            self.pow(k)
        }
    }

    #[test]
    fn sums_break_at_signs() {
        let x = |i: usize| Node::Name {
            name: crate::syntax::Name::new("x", &i.to_string()),
            kind: super::super::tree::NameKind::Vector,
        };
        let n = Node::Sum((1..40).map(|i| (i % 2 == 0, x(i))).collect());
        let lines = render_lines(&n, &Notation::default(), 200.0, 200.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines[1..] {
            assert!(l.starts_with("{}+") || l.starts_with("{}-"), "{l}");
        }
        for l in &lines {
            assert!(width(l) <= 200.0 + 30.0, "{l}");
        }
        assert_eq!(
            lines.concat().replace("{}", "").replace(' ', ""),
            render(&n).replace(' ', "")
        );
    }
}
