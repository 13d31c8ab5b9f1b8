//! Unicode text for terminals (`W₂·W₁·x`, `⅓`, `∘`) and ASCII in the input syntax.

use super::joined;
use super::tree::{self, ConstantNames, MonomialParts, Node};
use crate::algebra::Scalar;
use crate::algebra::scalar::{Mono, Q};
use crate::series::Series;
use crate::syntax::names::greek_name;

/// Unicode for people, or ASCII that parses back to the same normal form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Unicode,
    Ascii,
}

// Binding strength, loosest first.
const SUM: u8 = 1;
const HAD: u8 = 2;
const PROD: u8 = 3;
const POW: u8 = 5;
const ATOM: u8 = 6;

/// Renders a node.
pub fn render(n: &Node, style: Style) -> String {
    let mut out = String::new();
    write(n, style, &mut out);
    out
}

/// A scalar's text, as [`render`] writes the tree [`tree::scalar_named`] builds of it, but
/// written straight from its terms. A coefficient of a composed activation has thousands of
/// terms: building a tree for each and dropping it again cost twice what writing it costs
/// (sigmoid composed four deep, order 10).
pub fn scalar(s: &Scalar, names: &ConstantNames, st: Style) -> String {
    let mut texts = [(st, String::new())];
    scalar_into(s, names, &mut texts);
    let [(_, text)] = texts;
    text
}

/// [`scalar`] in ASCII and in Unicode, each term's factors sorted once for both.
pub fn scalar_ascii_and_unicode(s: &Scalar, names: &ConstantNames) -> (String, String) {
    let mut texts = [
        (Style::Ascii, String::new()),
        (Style::Unicode, String::new()),
    ];
    scalar_into(s, names, &mut texts);
    let [(_, ascii), (_, unicode)] = texts;
    (ascii, unicode)
}

/// [`scalar`] at the end of each text, in its style.
fn scalar_into(s: &Scalar, names: &ConstantNames, texts: &mut [(Style, String)]) {
    if s.is_zero() {
        for (st, out) in texts.iter_mut() {
            write(&Node::Rat(Q::from(0u32)), *st, out);
        }
        return;
    }
    // One set of lists for every term.
    let mut parts = MonomialParts::default();
    let mut term = |c: &Q, m: &Mono, texts: &mut [(Style, String)], min: u8| {
        parts.fill(c, m, names);
        for (st, out) in texts.iter_mut() {
            let start = out.len();
            let strength = match parts.den.as_slice() {
                [] => match Factors::of(&parts.num) {
                    Factors::One(n) => write(n, *st, out),
                    Factors::Many(fs) => product(fs, *st, out),
                },
                den => fraction(Factors::of(&parts.num), Factors::of(den), *st, out),
            };
            if strength < min {
                out.insert(start, '(');
                out.push(')');
            }
        }
    };
    let single = s.len() == 1;
    // The order of the tree, the rational term first (1 − α), is the scalar's own: the empty
    // monomial is the least.
    for (i, (m, c)) in s.terms().enumerate() {
        // A scalar too long to write within the budget is cut short, as `write` cuts a tree;
        // the caller reports the limit.
        if crate::limits::tick() {
            break;
        }
        let negative = *c < 0u32;
        for (st, out) in texts.iter_mut() {
            out.push_str(sign_before(i, negative, *st));
        }
        // As `write` writes a term alone (a negative one as `Neg`), or in a sum.
        let min = match (single, negative) {
            (true, false) => 0,
            (true, true) => PROD,
            (false, _) => SUM + 1,
        };
        term(c, m, texts, min);
    }
}

/// The line `c₀ + c₁·t + … + O(tⁿ⁺¹)` of a series, as [`render`] writes
/// [`tree::series_of_coefficients`] of it, with the text of each coefficient written already
/// (`texts`, by [`scalar`] with these `names`): a coefficient of more than one term goes in as
/// written, bracketed; the tree of a coefficient of one term is built, for its sign and form.
pub fn series_line(
    s: &Series,
    var: &Node,
    texts: &[String],
    names: &ConstantNames,
    st: Style,
) -> String {
    enum Term<'a> {
        Tree(bool, Node),
        /// The k-th coefficient, of more than one term, as written.
        Written(usize, &'a str),
    }
    let mut terms: Vec<Term> = s
        .coeffs()
        .iter()
        .zip(texts)
        .enumerate()
        .filter(|(_, (c, _))| !c.is_zero())
        .map(|(k, (c, text))| {
            if c.len() > 1 {
                Term::Written(k, text)
            } else {
                let (negative, node) = tree::series_term(k, &tree::scalar_named(c, names), var);
                Term::Tree(negative, node)
            }
        })
        .collect();
    terms.extend(tree::series_remainder(s, var).map(|o| Term::Tree(false, o)));
    // `(c)·tᵏ`: a sum times the power is a product, the sum bracketed in it.
    let written = |k: usize, text: &str, out: &mut String| {
        out.extend(["(", text, ")"]);
        if let Some(power) = tree::series_power(k, var) {
            out.push_str(if st == Style::Unicode { "·" } else { "*" });
            wrapped(&power, st, PROD + 1, out);
        }
    };
    // What `write` makes of the sum of these terms (or of the one term).
    let mut out = String::new();
    match terms.as_slice() {
        [] => {
            write(&Node::Rat(Q::from(0u32)), st, &mut out);
        }
        [Term::Tree(false, n)] => {
            write(n, st, &mut out);
        }
        [Term::Tree(true, n)] => {
            out.push_str(sign_before(0, true, st));
            wrapped(n, st, PROD, &mut out);
        }
        // A sum alone is not bracketed.
        [Term::Written(0, text)] => out.push_str(text),
        [Term::Written(k, text)] => written(*k, text, &mut out),
        terms => {
            for (i, t) in terms.iter().enumerate() {
                out.push_str(sign_before(i, matches!(t, Term::Tree(true, _)), st));
                match t {
                    Term::Tree(_, n) => wrapped(n, st, SUM + 1, &mut out),
                    Term::Written(k, text) => written(*k, text, &mut out),
                }
            }
        }
    }
    out
}

/// What goes before the `i`-th term of a sum: its sign, and the spaces around it.
fn sign_before(i: usize, negative: bool, st: Style) -> &'static str {
    match (i, negative, st) {
        (0, false, _) => "",
        (0, true, Style::Unicode) => "−",
        (0, true, Style::Ascii) => "-",
        (_, false, _) => " + ",
        (_, true, Style::Unicode) => " − ",
        (_, true, Style::Ascii) => " - ",
    }
}

/// The text of a node with its binding strength (what a shared node keeps).
fn r(n: &Node, st: Style) -> (String, u8) {
    let mut out = String::new();
    let strength = write(n, st, &mut out);
    (out, strength)
}

/// Writes a node, bracketed when it binds more loosely than `min`. The bracket goes in after
/// the node is written (its strength is known then): the node's text moves by one character.
fn wrapped(n: &Node, st: Style, min: u8, out: &mut String) {
    let start = out.len();
    if write(n, st, out) < min {
        out.insert(start, '(');
        out.push(')');
    }
}

/// Writes `open`, the node and `close`: an atom.
fn enclosed(open: &str, n: &Node, close: &str, st: Style, out: &mut String) -> u8 {
    out.push_str(open);
    write(n, st, out);
    out.push_str(close);
    ATOM
}

/// Writes a node at the end of `out` and returns its binding strength. Every node writes into
/// the one buffer: a long coefficient has tens of thousands of nodes, and a string per node
/// (joined by its parent) was most of the cost of writing it.
fn write(n: &Node, st: Style, out: &mut String) -> u8 {
    // A node too large to write within the budget is cut short; the caller reports the limit.
    if crate::limits::tick() {
        return ATOM;
    }
    let uni = st == Style::Unicode;
    match n {
        Node::Shared(x) => {
            let (text, strength) = x.text(usize::from(!uni), |n| r(n, st));
            out.push_str(text);
            *strength
        }
        Node::Rat(q) => rational_into(q, st, out),
        Node::Pi => {
            out.push_str(if uni { "π" } else { "pi" });
            ATOM
        }
        Node::E => {
            out.push('e');
            ATOM
        }
        Node::Name { name, .. } => {
            out.push_str(&if uni { name.unicode() } else { name.ascii() });
            ATOM
        }
        Node::Ones => {
            out.push_str(if uni { "𝟙" } else { "ones" });
            ATOM
        }
        Node::Eye => {
            out.push('I');
            ATOM
        }
        Node::Sum(terms) => {
            for (i, (neg, t)) in terms.iter().enumerate() {
                out.push_str(sign_before(i, *neg, st));
                wrapped(t, st, SUM + 1, out);
            }
            SUM
        }
        Node::Neg(x) => {
            out.push_str(sign_before(0, true, st));
            wrapped(x, st, PROD, out);
            SUM
        }
        Node::Prod(fs) => product(fs, st, out),
        Node::Frac(a, b) => fraction(Factors::One(a), Factors::One(b), st, out),
        Node::Sqrt(x) => {
            if uni {
                out.push('√');
                match x.view() {
                    // Inside a radical, constants read best side by side: √(2π).
                    Node::Prod(fs) => {
                        out.push('(');
                        juxtaposed(fs, st, out);
                        out.push(')');
                    }
                    _ => wrapped(x, st, ATOM, out),
                }
                ATOM
            } else {
                enclosed("sqrt(", x, ")", st, out)
            }
        }
        Node::Pow(b, e) => {
            wrapped(b, st, ATOM, out);
            let is_int = *e.denominator_ref() == 1u32;
            if uni && is_int {
                match i64::try_from(e.numerator_ref()) {
                    Ok(n) => crate::syntax::names::write_superscript(
                        n * if *e < 0u32 { -1 } else { 1 },
                        out,
                    ),
                    // Past i64 (e^(10²⁰); from a review, written e⁰): digit by digit.
                    Err(_) => {
                        const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
                        if *e < 0u32 {
                            out.push('⁻');
                        }
                        out.extend(
                            (e.numerator_ref().to_string().bytes())
                                .map(|d| SUP[usize::from(d - b'0')]),
                        );
                    }
                }
            } else if is_int {
                // An integer exponent is written as its digits, without formatting a rational:
                // a long ASCII coefficient has a power in almost every factor.
                out.push_str(match () {
                    _ if *e > 0u32 => "^",
                    _ if *e < 0u32 => "^(-",
                    _ => "^(",
                });
                match u64::try_from(e.numerator_ref()) {
                    Ok(n) => out.push_str(&n.to_string()),
                    Err(_) => out.push_str(&e.numerator_ref().to_string()),
                }
                if *e <= 0u32 {
                    out.push(')');
                }
            } else {
                out.push_str(&format!("^({e})"));
            }
            POW
        }
        Node::Had(fs) => {
            joined(
                fs.iter(),
                if uni { "∘" } else { " .* " },
                out,
                |f, out| wrapped(f, st, PROD + 1, out),
            );
            HAD
        }
        Node::HadPow(b, k) => {
            wrapped(b, st, ATOM, out);
            out.push_str(if uni { "^∘" } else { ".^" });
            out.push_str(&k.to_string());
            POW
        }
        Node::Call { func, args, .. } if func == "=" && args.len() == 2 => {
            write(&args[0], st, out);
            out.push_str(" = ");
            write(&args[1], st, out);
            ATOM
        }
        Node::Call { func, deriv, args } => {
            let bars = uni && func == "abs" && *deriv == 0;
            if bars {
                out.push('|');
            } else {
                out.push_str(&func_name(func, st));
                out.push_str(&primes(*deriv, st));
                out.push('(');
            }
            // Keyword parameters follow the arguments after `;`: `swish(x; β = 2)`.
            let is_kw = |a: &&Node| a.is_keyword();
            let write_arg = |a: &Node, out: &mut String| {
                write(a, st, out);
            };
            joined(args.iter().filter(|a| !is_kw(a)), ", ", out, write_arg);
            if args.iter().any(|a| is_kw(&a)) {
                out.push_str("; ");
                joined(args.iter().filter(is_kw), ", ", out, write_arg);
            }
            out.push(if bars { '|' } else { ')' });
            ATOM
        }
        Node::Diag(x) => enclosed("diag(", x, ")", st, out),
        Node::Transpose(x) => {
            wrapped(x, st, ATOM, out);
            out.push_str(if uni { "ᵀ" } else { "^T" });
            POW
        }
        Node::Group(x) => enclosed("(", x, ")", st, out),
        Node::BigO(x) => enclosed("O(", x, ")", st, out),
    }
}

/// A product's factors: one node (a product when it is a [`Node::Prod`]), or a list of them,
/// which [`scalar`] has without building the node around it.
#[derive(Clone, Copy)]
enum Factors<'a> {
    One(&'a Node),
    Many(&'a [Node]),
}

impl<'a> Factors<'a> {
    /// The factors of a list, as the tree makes it a node: one factor stands alone.
    fn of(fs: &'a [Node]) -> Factors<'a> {
        match fs {
            [f] => Factors::One(f),
            fs => Factors::Many(fs),
        }
    }

    /// The factors when they make a product.
    fn product(self) -> Option<&'a [Node]> {
        match self {
            Factors::Many(fs) => Some(fs),
            Factors::One(n) => match n.view() {
                Node::Prod(fs) => Some(fs),
                _ => None,
            },
        }
    }

    /// Writes them, bracketed when they bind more loosely than `min`.
    fn wrapped(self, st: Style, min: u8, out: &mut String) {
        match self {
            Factors::One(n) => wrapped(n, st, min, out),
            Factors::Many(fs) => {
                let start = out.len();
                if product(fs, st, out) < min {
                    out.insert(start, '(');
                    out.push(')');
                }
            }
        }
    }
}

/// `a·b·c`.
fn product(fs: &[Node], st: Style, out: &mut String) -> u8 {
    let uni = st == Style::Unicode;
    joined(fs.iter(), if uni { "·" } else { "*" }, out, |f, out| {
        match f.view() {
            // A fraction coefficient in a product is bracketed, unless it has a glyph: ⅓·W.
            Node::Rat(q) => {
                let start = out.len();
                if rational_into(q, st, out) < ATOM {
                    out.insert(start, '(');
                    out.push(')');
                }
            }
            Node::Frac(..) => {
                out.push('(');
                write(f, st, out);
                out.push(')');
            }
            _ => wrapped(f, st, PROD + 1, out),
        }
    });
    PROD
}

/// `a/b`.
fn fraction(a: Factors, b: Factors, st: Style, out: &mut String) -> u8 {
    a.wrapped(st, PROD, out);
    out.push('/');
    match b.product() {
        // A denominator of constants reads best side by side: 1/(2√(2π)).
        Some(fs) if st == Style::Unicode && fs.iter().all(is_constant) => {
            out.push('(');
            juxtaposed(fs, st, out);
            out.push(')');
        }
        _ => b.wrapped(st, POW, out),
    }
    PROD
}

fn is_constant(n: &Node) -> bool {
    match n.view() {
        Node::Rat(_) | Node::Pi | Node::E => true,
        Node::Sqrt(x) => is_constant(x),
        Node::Pow(b, _) => is_constant(b),
        Node::Prod(fs) => fs.iter().all(is_constant),
        _ => false,
    }
}

fn juxtaposed(fs: &[Node], st: Style, out: &mut String) {
    // A function value does not read side by side with its neighbour: √(λ·tanh(λ)), not
    // √(λtanh(λ)) (constants, names and roots do: √(2π), √(2λ), 6√(2π)).
    let call = |n: &Node| match n.view() {
        Node::Pow(b, _) => matches!(b.view(), Node::Call { .. }),
        other => matches!(other, Node::Call { .. }),
    };
    for (i, f) in fs.iter().enumerate() {
        // Two numbers side by side would read as one (2·5 is not 25).
        let numbers = i > 0 && matches!((fs[i - 1].view(), f.view()), (Node::Rat(_), Node::Rat(_)));
        if numbers || (i > 0 && (call(&fs[i - 1]) || call(f))) {
            out.push('·');
        }
        wrapped(f, st, POW, out);
    }
}

fn func_name(f: &str, st: Style) -> String {
    if st == Style::Unicode {
        return f.to_string();
    }
    // The linear map of a matrix input, 𝓛(X).
    if f == "𝓛" {
        return "L".to_string();
    }
    // Greek in a function name (rare) is spelled out.
    f.chars()
        .map(|c| {
            greek_name(c)
                .map(str::to_string)
                .unwrap_or_else(|| c.to_string())
        })
        .collect()
}

/// `k` primes as a derivative's name writes them: `′`, `″`, `‴`, `⁽⁴⁾` (ASCII `'`…).
pub(crate) fn primes(k: u32, st: Style) -> String {
    match (k, st) {
        (0, _) => String::new(),
        (1, Style::Unicode) => "′".into(),
        (2, Style::Unicode) => "″".into(),
        (3, Style::Unicode) => "‴".into(),
        (k, Style::Unicode) => format!("⁽{}⁾", super::superscript(k as i64)),
        (k, Style::Ascii) => "'".repeat(k as usize),
    }
}

fn vulgar(q: &Q) -> Option<&'static str> {
    let n = i64::try_from(&q.to_numerator()).ok()?;
    let d = i64::try_from(&q.to_denominator()).ok()?;
    Some(match (n, d) {
        (1, 2) => "½",
        (1, 3) => "⅓",
        (2, 3) => "⅔",
        (1, 4) => "¼",
        (3, 4) => "¾",
        (1, 5) => "⅕",
        (2, 5) => "⅖",
        (3, 5) => "⅗",
        (4, 5) => "⅘",
        (1, 6) => "⅙",
        (5, 6) => "⅚",
        (1, 7) => "⅐",
        (1, 8) => "⅛",
        (3, 8) => "⅜",
        (5, 8) => "⅝",
        (7, 8) => "⅞",
        (1, 9) => "⅑",
        (1, 10) => "⅒",
        _ => return None,
    })
}

/// An exact decimal when the denominator is a power of ten's divisor and the fraction is long.
pub fn exact_decimal(q: &Q) -> Option<String> {
    use malachite_base::num::logic::traits::BitScan;
    let mut d = q.to_denominator();
    let twos = d.index_of_next_true_bit(0).unwrap_or(0);
    d >>= twos;
    let twos = u32::try_from(twos).unwrap_or(u32::MAX);
    // A power of five has no factor 3, 7, 11 or 13: one remainder by a limb rules out most
    // denominators (a series' are multiples of factorials) before dividing by powers of five.
    let small = u32::try_from(&(&d % malachite_nz::natural::Natural::from(3003u32))).unwrap_or(1);
    if d != 1u32 && [3, 7, 11, 13].iter().any(|p| small % p == 0) {
        return None;
    }
    // Fives a block at a time, so a denominator 10⁴⁰⁹⁶ costs a few hundred divisions, not 4096.
    let mut fives = 0u32;
    let five = malachite_nz::natural::Natural::from(5u32);
    let block = five.clone().pow_u(64);
    while (&d % &block) == 0u32 {
        d /= &block;
        fives += 64;
    }
    while (&d % &five) == 0u32 {
        d /= &five;
        fives += 1;
    }
    if d != 1u32 {
        return None;
    }
    let places = twos.max(fives);
    if places == 0 {
        return None;
    }
    let scaled = Q::from(q.to_numerator())
        * Q::from(malachite_nz::natural::Natural::from(10u32).pow_u(places))
        / Q::from(q.to_denominator());
    let digits = scaled.to_numerator().to_string();
    let places = places as usize;
    let digits = if digits.len() <= places {
        format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = digits.split_at(digits.len() - places);
    Some(format!("{int}.{frac}"))
}

trait PowU {
    fn pow_u(self, e: u32) -> Self;
}
impl PowU for malachite_nz::natural::Natural {
    fn pow_u(self, e: u32) -> Self {
        use malachite_base::num::arithmetic::traits::Pow;
        self.pow(e as u64)
    }
}

/// Whether a rational has more than 4096 bits (about 1200 digits) in numerator and denominator
/// together: far too long to show people in full, and too long to convert to decimal just to
/// measure it (a coefficient of `v/1e4096` has tens of thousands of digits).
pub fn is_long(q: &Q) -> bool {
    use malachite_base::num::logic::traits::SignificantBits;
    q.numerator_ref().significant_bits() + q.denominator_ref().significant_bits() > 4096
}

/// Whether a long number should not be written out: the budget has run out (converting tens
/// of thousands of digits takes milliseconds, past what `tick`'s one look in 1024 notices; the
/// caller reports the limit and drops what was written).
pub(crate) fn out_of_budget_for(q: &Q) -> bool {
    is_long(q) && crate::limits::interrupted()
}

/// A rational's text at the end of `out`, with its binding strength.
fn rational_into(q: &Q, st: Style, out: &mut String) -> u8 {
    // A whole number of one word, the usual one (the numerators and denominators of a long
    // coefficient's terms), is written digit by digit, without the formatting machinery.
    if *q.denominator_ref() == 1u32
        && malachite_base::num::arithmetic::traits::Sign::sign(q) != std::cmp::Ordering::Less
        && let Ok(n) = u64::try_from(q.numerator_ref())
    {
        push_digits(n, out);
        return ATOM;
    }
    let (text, strength) = rational_text(q, st);
    out.push_str(&text);
    strength
}

/// The decimal digits of `n`.
fn push_digits(n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut m = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

fn rational_text(q: &Q, st: Style) -> (String, u8) {
    if out_of_budget_for(q) {
        return (String::new(), ATOM);
    }
    if *q.denominator_ref() == 1u32 {
        return (q.to_string(), ATOM);
    }
    if st == Style::Unicode && is_long(q) {
        return (leading_decimal(q, 12), ATOM);
    }
    // Long decimal constants (SELU's) stay decimals: exact in ASCII, abbreviated for people.
    if *q.denominator_ref() > 1000u32 {
        // Whichever is shorter: 1/1024 stays a fraction, SELU's constants stay decimals.
        if let Some(d) = exact_decimal(q).filter(|d| d.len() < q.to_string().len()) {
            if st == Style::Unicode && d.len() > 14 {
                // A small one (10⁻¹⁵) cut positionally would show zeros only: its digits
                // with a power of ten instead.
                if malachite_base::num::arithmetic::traits::Abs::abs(q.clone())
                    < Q::from_unsigneds(1u32, 10_000u32)
                {
                    return (leading_decimal(q, 12), ATOM);
                }
                let cut: String = d.chars().take(13).collect();
                return (format!("{cut}…"), ATOM);
            }
            return (d, ATOM);
        }
    }
    if st == Style::Unicode
        && let Some(v) = vulgar(q)
    {
        return (v.to_string(), ATOM);
    }
    // A long fraction is shown to people as its first twelve digits (truncated, so they are
    // true) and an ellipsis; the ASCII form, which reads back, stays exact.
    if st == Style::Unicode && shortest_fraction_len(q) > 24 {
        // Longer than the test below allows, known from the sizes alone: the numbers are
        // not converted to decimal only to be cut (that was most of writing a long series).
        return (leading_decimal(q, 12), ATOM);
    }
    let fraction = format!("{}/{}", q.numerator_ref(), q.denominator_ref());
    if st == Style::Unicode && fraction.len() > 24 {
        return (leading_decimal(q, 12), ATOM);
    }
    (fraction, PROD)
}

/// A lower bound of the length of `n/d` written in decimal: a number of `b` bits is at least
/// 2^(b − 1), so it has at least ⌊(b − 1)·log₁₀ 2⌋ + 1 digits (0.30102 < log₁₀ 2).
fn shortest_fraction_len(q: &Q) -> u64 {
    use malachite_base::num::logic::traits::SignificantBits;
    let digits = |b: u64| b.saturating_sub(1).saturating_mul(30102) / 100_000 + 1;
    digits(q.numerator_ref().significant_bits())
        + 1
        + digits(q.denominator_ref().significant_bits())
}

/// `0.00244180463…` or `1.05070098735…·10⁻⁴⁰⁹⁶`: the first `n` significant digits of `q`,
/// positional when that is short, else with a power of ten.
fn leading_decimal(q: &Q, n: usize) -> String {
    truncated_decimal(q, n).unwrap_or_else(|| {
        let sign = if *q < 0u32 { "−" } else { "" };
        let abs = malachite_base::num::arithmetic::traits::Abs::abs(q.clone());
        let (digits, e, exact) = super::latex::leading_digits(&abs, n);
        let (head, tail) = digits.split_at(1);
        let point = if tail.is_empty() { "" } else { "." };
        let dots = if exact { "" } else { "…" };
        format!(
            "{sign}{head}{point}{tail}{dots}·10{}",
            super::superscript(e)
        )
    })
}

/// `0.00244180463…`: the first `n` significant digits of `q` with `…`, for 10⁻⁵ ≤ |q| < 10¹⁵.
fn truncated_decimal(q: &Q, n: usize) -> Option<String> {
    let sign = if *q < 0u32 { "−" } else { "" };
    let abs = malachite_base::num::arithmetic::traits::Abs::abs(q.clone());
    let (digits, e, exact) = super::latex::leading_digits(&abs, n);
    let body = super::latex::positional(&digits, e)?;
    Some(format!("{sign}{body}{}", if exact { "" } else { "…" }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Name;

    /// Scalars of every shape a monomial's display has: rational, radical (√p above and below,
    /// √p/p turned into 1/√p), π and e to whole, negative and fractional powers, parameters,
    /// opaque values and groups (`(1 + e)⁻¹`), with coefficients short, vulgar, long, negative
    /// and decimal, in sums of up to four terms. Deterministic (the tests' xorshift, fixed seed).
    fn scalars_of_every_shape(count: usize) -> Vec<Scalar> {
        let mut rng = crate::series::Rng(0x9e37_79b9_7f4a_7c15);
        let mut next = move |n: u64| rng.next() % n;
        let q = |n: i64, d: u64| Q::from(n) / Q::from(d);
        let half = q(1, 2);
        let group = Scalar::from_q(q(1, 1))
            .add(&Scalar::e_pow(q(-1, 2)))
            .inverse()
            .expect("1 + 1/√e is not zero");
        let opaque = Scalar::opaque("exp", &group.neg());
        let nested = Scalar::from_q(q(1, 1))
            .add(&opaque)
            .inverse()
            .expect("1 + κ is not zero");
        let atoms: Vec<Scalar> = vec![
            Scalar::from_q(q(2, 1)).pow(&half).expect("√2"),
            Scalar::from_q(q(3, 1)).pow(&half).expect("√3"),
            Scalar::from_q(q(6, 1)).pow(&half).expect("√6"),
            Scalar::pi(),
            Scalar::e_pow(q(1, 1)),
            Scalar::e_pow(q(-1, 2)),
            Scalar::param(Name::new("λ", "")),
            Scalar::param(Name::new("a", "1")),
            Scalar::opaque("tanh", &Scalar::from_q(q(1, 2))),
            group,
            opaque,
            nested,
        ];
        let exponents = [
            q(1, 1),
            q(2, 1),
            q(-1, 1),
            q(-2, 1),
            q(3, 1),
            q(1, 2),
            q(-1, 2),
            q(-3, 2),
            q(1, 3),
        ];
        let coefficients = [
            q(1, 1),
            q(-1, 1),
            q(1, 2),
            q(-1, 3),
            q(7, 1),
            q(3, 4),
            q(-5, 48),
            q(1, 1024),
            q(1_050_700_987_355_480, 1_000_000_000_000_000),
            q(123_456_789_012_345_678, 7),
            q(1, 6_402_373_705_728_000),
            q(-2_305_843_009_213_693_951, 3_628_800),
        ];
        let mut out = vec![Scalar::zero()];
        while out.len() < count {
            let mut s = Scalar::zero();
            for _ in 0..1 + next(4) {
                let c = &coefficients[next(coefficients.len() as u64) as usize];
                let mut term = Scalar::from_q(c.clone());
                for _ in 0..next(4) {
                    let a = &atoms[next(atoms.len() as u64) as usize];
                    let e = &exponents[next(exponents.len() as u64) as usize];
                    if let Ok(p) = a.pow(e) {
                        term = term.mul(&p);
                    }
                }
                s = s.add(&term);
            }
            out.push(s);
        }
        out
    }

    /// The text written straight from a scalar's terms is the text of its tree, in both styles,
    /// with and without names for its nested constants, alone or both styles at once.
    #[test]
    fn scalars_are_written_as_their_trees_are() {
        let scalars = scalars_of_every_shape(3000);
        let named = ConstantNames::for_scalars(scalars.iter());
        let unnamed = ConstantNames::default();
        let mut shapes = std::collections::BTreeSet::new();
        for s in &scalars {
            for names in [&named, &unnamed] {
                for st in [Style::Unicode, Style::Ascii] {
                    let tree = render(&tree::scalar_named(s, names), st);
                    assert_eq!(scalar(s, names, st), tree, "{s:?}");
                    shapes.insert(tree.chars().filter(|c| "/√(·^".contains(*c)).count().min(6));
                }
                let (ascii, unicode) = scalar_ascii_and_unicode(s, names);
                assert_eq!(ascii, render(&tree::scalar_named(s, names), Style::Ascii));
                assert_eq!(
                    unicode,
                    render(&tree::scalar_named(s, names), Style::Unicode)
                );
            }
        }
        // The family is not trivial: texts with none to many fractions, radicals and brackets.
        assert_eq!(shapes.len(), 7, "{shapes:?}");
    }

    /// The line of a series written from its coefficients' texts is the text of its tree: with
    /// coefficients of one term and of many, zero, negative, 1, exact series and truncated ones.
    #[test]
    fn series_lines_are_written_as_their_trees_are() {
        let scalars = scalars_of_every_shape(400);
        let t = Node::Name {
            name: Name::new("t", ""),
            kind: tree::NameKind::Param,
        };
        let one = Scalar::from_q(Q::from(1));
        let mut series: Vec<Series> = Vec::new();
        for (i, window) in scalars.windows(5).enumerate() {
            let mut coeffs: Vec<Scalar> = window.to_vec();
            coeffs.truncate(1 + i % 5);
            if i % 7 == 0 {
                coeffs[0] = one.clone();
            }
            if i % 11 == 0 {
                coeffs.insert(0, one.neg());
            }
            series.push(Series::from_coeffs(coeffs, i % 3 == 0));
        }
        let session = crate::session::Session::new();
        for spec in [
            "sigmoid(sigmoid(t))",
            "tanh(1 + tanh(t))",
            "1 - t",
            "2*t",
            "-t^2",
        ] {
            for order in 0..4 {
                let r = session.series(spec, None, order).expect("a series");
                series.push(r.series.side(crate::series::Side::Right).clone());
            }
        }
        for s in &series {
            let named = ConstantNames::for_scalars(s.coeffs());
            for names in [&named, &ConstantNames::default()] {
                for st in [Style::Unicode, Style::Ascii] {
                    let texts: Vec<String> =
                        s.coeffs().iter().map(|c| scalar(c, names, st)).collect();
                    let nodes: Vec<Node> = s
                        .coeffs()
                        .iter()
                        .map(|c| tree::scalar_named(c, names))
                        .collect();
                    let tree = render(&tree::series_of_coefficients(s, &t, &nodes), st);
                    assert_eq!(series_line(s, &t, &texts, names, st), tree);
                }
            }
        }
    }

    /// The length bound of a fraction never exceeds its length and is at most two short of it,
    /// over numerators and denominators from 1 to hundreds of digits, at the powers of ten where
    /// the digit count changes; and a long fraction is written the same way with the bound as
    /// by converting it (the leading digits when its text passes 24 characters).
    #[test]
    fn fraction_length_bounds_are_true_and_close() {
        use malachite_base::num::arithmetic::traits::Pow;
        use malachite_nz::natural::Natural;
        let mut sizes: Vec<Natural> = Vec::new();
        for e in 0..200u64 {
            let ten = Natural::from(10u32).pow(e);
            sizes.extend([
                ten.clone(),
                &ten - Natural::from(1u32),
                &ten + Natural::from(7u32),
            ]);
            sizes.push(Natural::from(2u32).pow(e));
            sizes.push(Natural::from(3u32).pow(e));
        }
        sizes.retain(|n| *n != 0u32);
        for (i, n) in sizes.iter().enumerate().step_by(3) {
            for d in sizes.iter().skip(i % 7).step_by(11) {
                let q = Q::from(n.clone()) / Q::from(d.clone());
                let text = format!("{}/{}", q.numerator_ref(), q.denominator_ref());
                let bound = shortest_fraction_len(&q);
                assert!(bound <= text.len() as u64, "{text}: bound {bound}");
                assert!(text.len() as u64 <= bound + 2, "{text}: bound {bound}");
                let plain = *q.denominator_ref() != 1u32 && !is_long(&q) && vulgar(&q).is_none();
                if plain && exact_decimal(&q).is_none() {
                    let expected = if text.len() > 24 {
                        leading_decimal(&q, 12)
                    } else {
                        text
                    };
                    let mut written = String::new();
                    rational_into(&q, Style::Unicode, &mut written);
                    assert_eq!(written, expected);
                }
            }
        }
    }

    /// A denominator that divides a power of ten gives its exact decimal, whatever its factors
    /// of 2 and 5; any other factor (3, 7, 11, 13, which the first test rules out, or 17) none.
    #[test]
    fn exact_decimals_only_for_powers_of_two_and_five() {
        use malachite_base::num::arithmetic::traits::Pow;
        use malachite_nz::natural::Natural;
        for (twos, fives) in [(0u64, 1u64), (3, 0), (2, 70), (0, 130), (9, 64), (1, 1)] {
            let d = Natural::from(2u32).pow(twos) * Natural::from(5u32).pow(fives);
            let q = Q::from(Natural::from(123_456_789u32)) / Q::from(d.clone());
            let text = exact_decimal(&q).expect("a decimal");
            let places = twos.max(fives) as usize;
            let digits: String = text.chars().filter(|c| *c != '.').collect();
            let back = Q::from(digits.parse::<Natural>().expect("digits"))
                / Q::from(Natural::from(10u32).pow(places as u64));
            assert_eq!(back, q, "{text}");
            for p in [3u32, 7, 11, 13, 17] {
                let other = Q::from(Natural::from(1u32)) / Q::from(&d * Natural::from(p));
                assert_eq!(exact_decimal(&other), None, "1/({d}·{p})");
            }
        }
    }

    /// Powers of a name and of a sum, with integer exponents of either sign (written without
    /// formatting a rational), zero, fractions and a large exponent, in both styles.
    #[test]
    fn powers_write_their_exponents() {
        let x = Node::Name {
            name: Name::new("x", ""),
            kind: super::super::tree::NameKind::Param,
        };
        let sum = Node::Sum(vec![(false, x.clone()), (false, Node::Rat(Q::from(1u32)))]);
        let cases: [(&Node, Q, &str, &str); 8] = [
            (&x, Q::from(3u32), "x³", "x^3"),
            (&x, Q::from(-2i32), "x⁻²", "x^(-2)"),
            (&x, Q::from(0u32), "x⁰", "x^(0)"),
            (&x, Q::from_signeds(1i32, 2), "x^(1/2)", "x^(1/2)"),
            (&x, Q::from_signeds(-3i32, 2), "x^(-3/2)", "x^(-3/2)"),
            (&x, Q::from(1_234_567_890u64), "x¹²³⁴⁵⁶⁷⁸⁹⁰", "x^1234567890"),
            (&sum, Q::from(12u32), "(x + 1)¹²", "(x + 1)^12"),
            (&sum, Q::from(-7i32), "(x + 1)⁻⁷", "(x + 1)^(-7)"),
        ];
        for (base, e, unicode, ascii) in cases {
            let pow = Node::Pow(Box::new(base.clone()), e);
            assert_eq!(render(&pow, Style::Unicode), unicode);
            assert_eq!(render(&pow, Style::Ascii), ascii);
        }
    }
}
