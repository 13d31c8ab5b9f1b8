//! LaTeX math (`\circ` or `\odot` for Hadamard, `\operatorname{diag}`, `\tfrac`), valid for KaTeX
//! and pdflatex, on one line or broken across lines at `+`/`−` by measured width.
//!
//! Brackets are `(`…`)` or `\bigl(`…`\bigr)`, never `\left`…`\right`: fixed-size brackets may open
//! on one line of an `align*` and close on the next, so a long sum can break inside them.
//! Coefficients are `\tfrac`s so that such brackets are tall enough.

use super::SharedTexts;
use super::tree::Node;
use crate::algebra::scalar::Q;
use malachite_nz::natural::Natural;
use std::borrow::Cow;

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

impl Notation {
    /// The notation a derivation of `source` asks for: the Hadamard symbol `hadamard` (`circ`,
    /// `odot`) and the small parameter `epsilon`, which must be a name as the language writes
    /// one (`σ`, `delta`; from a review, `}` and the empty name were taken and broke the
    /// LaTeX) and, unless it is `ε`, not a name `source` uses, which the derivation would then
    /// write for two things (with `σ`, a parameter σ read as the scale in O(σ⁴)). `Err` says
    /// what is wrong, starting with the option's name (`epsilon …`).
    pub fn for_source(hadamard: &str, epsilon: &str, source: &str) -> Result<Notation, String> {
        use crate::syntax::Name;
        let hadamard = Hadamard::parse(hadamard)
            .ok_or_else(|| format!("hadamard `{hadamard}`: it is `circ` (∘) or `odot` (⊙)"))?;
        if !Name::is_written_name(epsilon) {
            return Err(format!(
                "epsilon `{epsilon}` is not a name (a letter, then letters, digits, `_` or subscript digits)"
            ));
        }
        let small = Name::parse(epsilon).map_err(|e| format!("epsilon: {e}"))?;
        // The names the derivation itself writes: the layer variables u₁ … and operating points
        // c₁ …, the named constants κ₁ …, the series variable t, the order k, y = W·x + b
        // (from a review: `--epsilon u_1` wrote O(u₁⁴) beside the layer's u₁).
        let written = small.unicode();
        let mut letters = written.chars();
        let first = letters.next().unwrap_or(' ');
        let numbered = letters.all(|c| ('\u{2080}'..='\u{2089}').contains(&c));
        if (numbered && matches!(first, 'u' | 'c' | 'κ'))
            || matches!(written.as_str(), "t" | "k" | "y" | "W" | "b" | "Y" | "B")
        {
            return Err(format!(
                "epsilon {written}: the derivation writes that name for one of its own (the layers' u₁ …, operating points c₁ …, constants κ₁ …, the series variable t, the order k, y = W·x + b)"
            ));
        }
        if written != "ε" {
            let is_name_char = |c: char| c.is_alphanumeric() || c == '_';
            let clash = source
                .split(|c: char| !is_name_char(c))
                .filter(|w| !w.is_empty())
                .any(|w| Name::parse(w).is_ok_and(|n| n == small));
            if clash {
                return Err(format!(
                    "epsilon {written}: the source uses that name, which the derivation would then write for two things"
                ));
            }
        }
        Ok(Notation { hadamard, small })
    }
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
    match render_into(n, notation, Sink::Flat(String::new())) {
        Sink::Flat(text) => text,
        Sink::Tokens(_) => String::new(),
    }
}

/// `n` written into `out` by a renderer of its own (with its own memory of shared subtrees).
fn render_into(n: &Node, notation: &Notation, out: Sink) -> Sink {
    let shared = SharedTexts::default();
    let mut r = Renderer {
        notation,
        depth: 0,
        out,
        shared: &shared,
    };
    r.node(n);
    r.out
}

/// A piece of rendered math: text, or a place where the line may break (before a `+`/`−`),
/// with the bracket depth there.
///
/// Fixed text (`\pi`, ` + `, brackets) is borrowed, not allocated: a long coefficient has
/// tens of thousands of tokens.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    S(Cow<'static, str>),
    Break(usize),
}

fn tokens(n: &Node, notation: &Notation) -> Vec<Tok> {
    match render_into(n, notation, Sink::Tokens(Vec::new())) {
        Sink::Tokens(toks) => toks,
        Sink::Flat(_) => Vec::new(),
    }
}

/// `n` broken into lines: the first at most `first` points wide, the others at most `rest`
/// (as estimated by [`width`]). Lines after the first start with the sign of their first term.
pub fn render_lines(n: &Node, notation: &Notation, first: f64, rest: f64) -> Vec<String> {
    let toks = tokens(n, notation);
    let mut lines = Vec::new();
    // The tokens of the current line, each with its width (measured once).
    let mut line: Vec<(Tok, f64)> = Vec::new();
    let mut line_width = 0.0;
    let flush_upto = |line: &mut Vec<(Tok, f64)>, at: usize| -> String {
        let rest_toks = line.split_off(at);
        let s: String = line
            .iter()
            .filter_map(|(t, _)| match t {
                Tok::S(s) => Some(&**s),
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
            // Break at the shallowest break point in the second half of the line, else at the
            // last one; before a sum's sign where there is one, else inside a product.
            let pick = |products: bool| {
                let mut choice: Option<(usize, usize)> = None;
                let mut last_break = None;
                let mut acc = 0.0;
                for (i, (t, tw)) in line.iter().enumerate() {
                    if let Tok::Break(d) = t
                        && i > 0
                        && (*d >= PRODUCT_BREAK_RANK) == products
                    {
                        last_break = Some(i);
                        // The shallowest, and the last among equally shallow ones.
                        if acc >= limit * 0.5 && choice.is_none_or(|(_, cd)| *d <= cd) {
                            choice = Some((i, *d));
                        }
                    }
                    acc += tw;
                }
                choice.map(|(i, _)| i).or(last_break)
            };
            if let Some(at) = pick(false).or_else(|| pick(true)) {
                lines.push(flush_upto(&mut line, at));
                line_width = line.iter().map(|(_, tw)| tw).sum();
            }
        }
        line_width += w;
        line.push((tok, w));
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

fn line_rest(rest: &[(Tok, f64)], head: String) -> String {
    let mut s = head;
    for (t, _) in rest {
        if let Tok::S(x) = t {
            s.push_str(x);
        }
    }
    s
}

/// Added to the depth of a break inside a product, which marks it: [`render_lines`] takes one
/// only where a line has no break at a sum.
const PRODUCT_BREAK_RANK: usize = 1 << 16;

struct Renderer<'a> {
    notation: &'a Notation,
    depth: usize,
    out: Sink,
    /// The text of each shared subtree written so far as one string, with its precedence.
    shared: &'a SharedTexts,
}

/// Where a renderer writes: tokens that a line may break between, or one unbreakable string
/// (a fraction's parts, a radicand, and whole lines), written in place.
enum Sink {
    Tokens(Vec<Tok>),
    Flat(String),
}

impl Renderer<'_> {
    fn s(&mut self, s: impl Into<Cow<'static, str>>) {
        match &mut self.out {
            Sink::Tokens(toks) => toks.push(Tok::S(s.into())),
            Sink::Flat(text) => text.push_str(&s.into()),
        }
    }

    /// A place where the line may break, at the current bracket depth.
    fn line_break(&mut self) {
        if let Sink::Tokens(toks) = &mut self.out {
            toks.push(Tok::Break(self.depth));
        }
    }

    /// A place where the line may break inside a product, taken only where a line holds no
    /// break before a `+`/`−`.
    fn product_break(&mut self) {
        if let Sink::Tokens(toks) = &mut self.out {
            toks.push(Tok::Break(self.depth + PRODUCT_BREAK_RANK));
        }
    }

    /// Where the next output goes: a token's index or a byte offset.
    fn mark(&self) -> usize {
        match &self.out {
            Sink::Tokens(toks) => toks.len(),
            Sink::Flat(text) => text.len(),
        }
    }

    /// One unbreakable piece written by `write`: in place when this renderer writes one string,
    /// else as one token.
    fn atomic(&mut self, write: impl FnOnce(&mut Renderer)) {
        if let Sink::Flat(_) = self.out {
            write(self);
            return;
        }
        let (text, _) = self.flat(|r| {
            write(r);
            ATOM
        });
        self.s(text);
    }

    /// What `write` writes as one string, by a renderer sharing this one's notation and memory
    /// of shared subtrees, with the precedence `write` gives.
    fn flat(&self, write: impl FnOnce(&mut Renderer) -> u8) -> (String, u8) {
        let mut flat = Renderer {
            notation: self.notation,
            depth: self.depth,
            out: Sink::Flat(String::new()),
            shared: self.shared,
        };
        let p = write(&mut flat);
        match flat.out {
            Sink::Flat(text) => (text, p),
            Sink::Tokens(_) => (String::new(), p),
        }
    }

    /// Emits `n`, bracketed when its precedence is below `min`. The brackets go in after `n`
    /// is written, when its precedence is known.
    fn wrapped(&mut self, n: &Node, min: u8) {
        self.depth += 1;
        let start = self.mark();
        let p = self.node(n);
        self.depth -= 1;
        if p < min {
            self.bracket(start);
        }
    }

    /// `(`…`)` around what was written from `start` on, or `\bigl(`…`\bigr)` around a
    /// bracket or a fraction, so nested brackets differ.
    fn bracket(&mut self, start: usize) {
        let tall_text = |s: &str| s.contains('(') || s.contains("frac") || s.contains("\\sqrt");
        let tall = match &self.out {
            Sink::Tokens(toks) => toks[start..].iter().any(|t| match t {
                Tok::S(s) => tall_text(s),
                Tok::Break(_) => false,
            }),
            // No token ends inside `frac` or `\sqrt`, so the written text has one where a
            // token has.
            Sink::Flat(text) => tall_text(&text[start..]),
        };
        let (open, close) = if tall {
            ("\\bigl(", "\\bigr)")
        } else {
            ("(", ")")
        };
        match &mut self.out {
            Sink::Tokens(toks) => toks.insert(start, Tok::S(Cow::Borrowed(open))),
            Sink::Flat(text) => text.insert_str(start, open),
        }
        self.s(close);
    }

    /// The nodes written one after another with `sep` between them.
    fn list(&mut self, nodes: &[Node], sep: &'static str) {
        for (i, a) in nodes.iter().enumerate() {
            if i > 0 {
                self.s(sep);
            }
            self.node(a);
        }
    }

    fn node(&mut self, n: &Node) -> u8 {
        // A tree too large to write within the budget is cut short; the caller reports it.
        if crate::limits::tick() {
            return ATOM;
        }
        match n {
            // Where the line cannot break, a shared subtree's text is the same everywhere.
            Node::Shared(x) if matches!(self.out, Sink::Flat(_)) => {
                let address = std::rc::Rc::as_ptr(x) as usize;
                let cached = self.shared.borrow().get(&address).cloned();
                let (text, p) = match cached {
                    Some(written) => written,
                    None => {
                        let (text, p) = self.flat(|r| r.node(x.node()));
                        self.shared.borrow_mut().insert(address, (text.clone(), p));
                        (text, p)
                    }
                };
                self.s(text);
                p
            }
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
                        self.line_break();
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
                self.atomic(|r| {
                    r.s("\\tfrac{");
                    r.node(a);
                    r.s("}{");
                    r.node(b);
                    r.s("}");
                });
                ATOM
            }
            Node::Sqrt(x) => {
                self.atomic(|r| {
                    r.s("\\sqrt{");
                    r.node(x);
                    r.s("}");
                });
                ATOM
            }
            Node::Pow(b, e) => {
                self.wrapped(b, ATOM);
                self.s(format!("^{{{}}}", exponent(e)));
                POW
            }
            Node::Had(fs) => {
                let op = match self.notation.hadamard {
                    Hadamard::Circ => " \\circ ",
                    Hadamard::Odot => " \\odot ",
                };
                for (i, f) in fs.iter().enumerate() {
                    if i > 0 {
                        // A line may break before a factor too, where no sum allows it (from a
                        // review: one long Hadamard term ran 20–100 pt past the text width).
                        self.product_break();
                        self.s(op);
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
                    self.atomic(|r| {
                        r.s("\\lvert ");
                        r.list(args, ", ");
                        r.s(" \\rvert");
                    });
                    return ATOM;
                }
                if func == "≈" {
                    self.atomic(|r| {
                        r.s("\\approx ");
                        r.list(args, ", ");
                    });
                    return ATOM;
                }
                // A keyword parameter, `α = 2` after the arguments' `;` (from a review: it was
                // written as a function named `=`).
                if n.is_keyword() {
                    self.node(&args[0]);
                    self.s(" = ");
                    self.node(&args[1]);
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
                self.atomic(|r| {
                    r.s("\\mathcal{O}(");
                    r.node(x);
                    r.s(")");
                });
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
        let start = self.mark();
        // Keyword parameters follow the arguments after `;`, as in the text: `elu(x; α = 2)`.
        for (i, a) in args.iter().filter(|a| !a.is_keyword()).enumerate() {
            if i > 0 {
                self.s(", ");
            }
            self.node(a);
        }
        for (i, a) in args.iter().filter(|a| a.is_keyword()).enumerate() {
            self.s(if i == 0 { ";\\ " } else { ", " });
            self.node(a);
        }
        self.depth -= 1;
        self.bracket(start);
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
        // A decimal where the text writes one (a denominator past 1000, the decimal the
        // shorter): 101/200 is a fraction there, and was 0.505 here beside 99/200 (a review).
        if *q.denominator_ref() > 1000u32
            && let Some(d) = super::text::exact_decimal(q)
            && significant_digits(&d) <= MAX_DIGITS
            && d.len() < num.len() + den.len() + 1
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
    let mut i = 0;
    // Most tokens are ASCII and are measured in place; the others as a list of characters.
    if tex.is_ascii() {
        measure(tex.as_bytes(), &mut i, 1.0, false)
    } else {
        let chars: Vec<char> = tex.chars().collect();
        measure(&chars, &mut i, 1.0, false)
    }
}

/// A character of a token being measured: a byte of an ASCII token, or a `char`.
trait Glyph: Copy {
    fn char(self) -> char;
}

impl Glyph for u8 {
    fn char(self) -> char {
        char::from(self)
    }
}

impl Glyph for char {
    fn char(self) -> char {
        self
    }
}

/// Measures until the end, or until the `}` closing the current group when `group` is set.
fn measure<C: Glyph>(c: &[C], i: &mut usize, scale: f64, group: bool) -> f64 {
    let mut w = 0.0;
    while *i < c.len() {
        let ch = c[*i].char();
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
fn argument<C: Glyph>(c: &[C], i: &mut usize, scale: f64) -> f64 {
    while *i < c.len() && c[*i].char() == ' ' {
        *i += 1;
    }
    if *i >= c.len() {
        return 0.0;
    }
    let ch = c[*i];
    *i += 1;
    match ch.char() {
        '{' => measure(c, i, scale, true),
        '\\' => command(c, i, scale),
        _ => {
            let mut j = 0;
            let one = [ch];
            measure(&one, &mut j, scale, false)
        }
    }
}

fn command<C: Glyph>(c: &[C], i: &mut usize, scale: f64) -> f64 {
    let start = *i;
    while *i < c.len() && c[*i].char().is_ascii_alphabetic() {
        *i += 1;
    }
    if *i == start && *i < c.len() {
        // A control symbol: `\,`, `\{`, `\_`.
        let ch = c[*i].char();
        *i += 1;
        return match ch {
            ',' => 1.9,
            ';' => 3.1,
            ':' => 2.5,
            '!' => -1.9,
            _ => 5.5,
        } * scale;
    }
    // A command's name is ASCII letters; the known ones fit a small buffer.
    let mut buffer = [0u8; 16];
    let letters = &c[start..*i];
    if letters.len() <= buffer.len() {
        for (b, l) in buffer.iter_mut().zip(letters) {
            *b = l.char() as u8;
        }
    }
    let name = std::str::from_utf8(&buffer[..letters.len().min(buffer.len())]).unwrap_or("");
    let name = if letters.len() <= buffer.len() {
        name
    } else {
        ""
    };
    match name {
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

    /// A Hadamard product too long for a line breaks before a `\circ` (from a review, one
    /// term ran past the text width), where the line has no sum to break at.
    #[test]
    fn long_hadamard_products_break_before_a_factor() {
        let x = |i: usize| Node::Name {
            name: crate::syntax::Name::new("x", &i.to_string()),
            kind: super::super::tree::NameKind::Vector,
        };
        let n = Node::Had((1..40).map(x).collect());
        let lines = render_lines(&n, &Notation::default(), 200.0, 200.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines[1..] {
            assert!(l.starts_with("{}\\circ"), "{l}");
        }
        for l in &lines {
            assert!(width(l) <= 200.0 + 30.0, "{l}");
        }
        assert_eq!(
            lines.concat().replace("{}", "").replace(' ', ""),
            render(&n).replace(' ', "")
        );
        let sum = Node::Sum(vec![(false, n.clone()), (false, x(0))]);
        let lines = render_lines(&sum, &Notation::default(), 200.0, 200.0);
        assert!(
            lines.iter().skip(1).any(|l| l.starts_with("{}\\circ")),
            "{lines:?}"
        );
    }
}
