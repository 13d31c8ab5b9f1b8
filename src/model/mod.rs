//! Real networks: numeric weights (literals, `.npz`, `.safetensors`, ONNX), their numeric
//! instance of the symbolic result, the affine region of a piecewise-linear network around a
//! data point, and the radius of affinity σ* of a smooth one.
//!
//! The symbolic analysis always runs with the weight *names*; this module substitutes the
//! bound values afterwards. W and b are exact rationals when the substitution is (rational
//! weights, operating points where every derivative is exact); otherwise they are evaluated
//! in 256-bit floats and the report says so.

pub(crate) mod cells;
mod drawn;
pub(crate) mod exact;
pub(crate) mod exp_field;
pub mod files;
pub(crate) mod instance;
pub(crate) mod onnx;
pub(crate) mod radius;
pub(crate) mod region;
pub(crate) mod render;
pub(crate) mod symbolic;

use crate::ir::Env;
use crate::syntax::ast::TensorLit;
use crate::syntax::{DimSpec, Name, ShapeSpec};
use std::collections::BTreeSet;
use std::rc::Rc;

pub(crate) use instance::Numeric;

/// A numeric vector or matrix (the literal's type: exact entries, row-major).
pub type Tensor = TensorLit;

/// A name with a numeric value, and the declaration its shape makes.
#[derive(Clone, Debug)]
pub struct Valued {
    /// The bound name.
    pub name: Name,
    /// The declaration the value's shape implies: `n×m` for a matrix, `n` for a vector.
    pub decl: ShapeSpec,
    /// The value, shared with the session's other bindings.
    pub value: Rc<Tensor>,
}

impl Valued {
    /// Binds `value` to `name`, declaring the name with the tensor's shape.
    pub fn new(name: Name, value: Rc<Tensor>) -> Valued {
        let decl = match value.cols {
            Some(c) => {
                ShapeSpec::Matrix(DimSpec::Known(value.rows as u64), DimSpec::Known(c as u64))
            }
            None => ShapeSpec::Vector(DimSpec::Known(value.rows as u64)),
        };
        Valued { name, decl, value }
    }

    /// `2×2 numeric matrix`, `3-vector of numbers`: what the echo of a binding shows.
    pub fn describe(&self) -> String {
        let t = &self.value;
        let shown = render::tensor_inline(t, 6);
        match t.cols {
            Some(c) => format!("{shown}   (numeric {}×{c})", t.rows),
            None => format!("{shown}   (numeric {}×1)", t.rows),
        }
    }
}

/// Err when a tensor's name cannot take values (a function's or a constant's name), saying
/// to map it to another.
pub fn check_value_names(env: &Env, values: &[Valued]) -> Result<(), String> {
    for v in values {
        if let Some(why) = crate::ir::lower::value_name_problem(&v.name, env) {
            return Err(format!(
                "the tensor named {} cannot be bound: {why}; map it to another name (`--map {}=W1`, or `{}=W1` after the file in `:weights`)",
                v.name, v.name, v.name
            ));
        }
    }
    Ok(())
}

/// Declares each name with its shape and records its value (a binding of the name is replaced).
pub fn bind_values(env: &mut Env, values: Vec<Valued>) {
    for v in values {
        env.bindings.remove(&v.name);
        env.decls.insert(v.name.clone(), v.decl);
        env.values.insert(v.name, v.value);
    }
}

/// The small symbols when weights have values: the input and every vector without a value
/// (a trained bias is an O(1) constant, not a small quantity).
fn default_small(l: &crate::ir::Lowered, env: &Env, input: &Name) -> BTreeSet<Name> {
    let mut s: BTreeSet<Name> = l
        .symbols
        .keys()
        .filter(|s| s.kind == crate::algebra::Kind::Vector && !env.values.contains_key(&s.name))
        .map(|s| s.name.clone())
        .collect();
    s.insert(input.clone());
    s
}

/// `fc1.weight=W1 fc1.bias=b1`: how tensors in a file are renamed.
pub type Mapping = Vec<(String, Name)>;

/// Reads `FILE [from=NAME …]` (the `:weights` command's arguments).
pub fn weights_args(args: &str) -> Result<(String, Mapping), String> {
    let mut words = args.split_whitespace();
    let file = words
        .next()
        .ok_or("`:weights` needs a file: `:weights model.safetensors [fc1.weight=W1 …]`")?;
    let mut map = Vec::new();
    for w in words {
        let (from, to) = w.split_once('=').ok_or_else(|| {
            format!("`{w}`: a mapping is written `tensor=NAME`, e.g. `fc1.weight=W1`")
        })?;
        if !Name::is_written_name(to) {
            return Err(format!(
                "`{}`: `{}` is not a name (a letter, then letters, digits, `_` or subscript digits)",
                w.escape_debug(),
                to.escape_debug()
            ));
        }
        map.push((from.to_string(), Name::parse(to)?));
    }
    Ok((file.to_string(), map))
}

/// Loads a weights file's tensors as values: names from the mapping, else the tensor's own name.
pub fn load_weights(
    path: &str,
    map: &Mapping,
    limits: &crate::limits::Limits,
) -> Result<Vec<Valued>, String> {
    let tensors = files::read_weights(std::path::Path::new(path), limits)?;
    name_tensors(tensors, map, path)
}

/// Gives each tensor its taylornet name; a mapping entry missing from the file is an error.
pub fn name_tensors(
    tensors: Vec<(String, Tensor)>,
    map: &Mapping,
    path: &str,
) -> Result<Vec<Valued>, String> {
    // A tensor under two names, or two tensors under one: one of them would be dropped
    // without a word (from a review: `--map W1=W2 --map W1=W3` bound W₂ only).
    for (i, (from, to)) in map.iter().enumerate() {
        for (other_from, other_to) in &map[..i] {
            if other_from == from {
                return Err(format!(
                    "{path}: the tensor `{from}` is mapped twice (to {} and to {}); give it one name",
                    other_to.unicode(),
                    to.unicode()
                ));
            }
            if other_to == to {
                return Err(format!(
                    "{path}: the tensors `{other_from}` and `{from}` are both mapped to {}; give each its own name",
                    to.unicode()
                ));
            }
        }
    }
    for (from, _) in map {
        if !tensors.iter().any(|(n, _)| n == from) {
            let have: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
            return Err(format!(
                "{path}: no tensor `{from}` (the file has {})",
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            ));
        }
    }
    let mut out = Vec::new();
    for (n, t) in tensors {
        let name = match map.iter().find(|(from, _)| *from == n) {
            Some((_, to)) => to.clone(),
            None if !map.is_empty() => continue,
            None => match Name::parse(&n) {
                Ok(name) if !name.is_greek() && Name::is_written_name(&n) => name,
                // `pi`, `lambda`: a name, but a Greek one, which the language keeps for scalars
                // (from a review: "not a taylornet name" of the constant π's own name).
                Ok(greek) if greek.is_greek() => {
                    let to = if t.cols.is_none() { "b1" } else { "W1" };
                    return Err(format!(
                        "{path}: the tensor `{}` would be named {}, a Greek letter, which names scalars (parameters and constants such as π), not tensors; map it to another name (`--map {0}={to}`, or `{0}={to}` after the file in `:weights`)",
                        n.escape_debug(),
                        greek.unicode()
                    ));
                }
                _ => {
                    // Escaped: a name from a file may hold control or bidi characters.
                    let n = n.escape_debug();
                    // A name of its kind: a vector is a bias, a matrix a weight.
                    let to = if t.cols.is_none() { "b1" } else { "W1" };
                    return Err(format!(
                        "{path}: the tensor `{n}` is not a taylornet name; map it to one (`--map {n}={to}`, or `{n}={to}` after the file in `:weights`)"
                    ));
                }
            },
        };
        // Two tensors of one name (`W₁` and `W1`, or one mapped onto another): which one
        // the network reads would be an accident of their order (from a review).
        if out.iter().any(|v: &Valued| v.name == name) {
            return Err(format!(
                "{path}: two tensors are named {} (`{}` and another); map one to another name",
                name.unicode(),
                n.escape_debug()
            ));
        }
        out.push(Valued::new(name, Rc::new(t)));
    }
    Ok(out)
}

/// `3×2` or `3×1`: a tensor's shape.
pub(crate) fn shape_text(t: &Tensor) -> String {
    format!("{}×{}", t.rows, t.cols.unwrap_or(1))
}

/// `:at x0` (a name with a value) or `:at x0 = [1, 2]` (a new value): the point's name, and
/// the value to bind when one is given.
pub fn at_args(
    args: &str,
    env: &Env,
    limits: &crate::limits::Limits,
) -> Result<(Name, Option<Valued>), String> {
    if args.contains('=') {
        // Brackets first, as a script's statements are read (from a review: `x0=[1,2` said
        // "expected an expression, found `1`").
        crate::syntax::split::split_statements(args).map_err(|d| match &d.hint {
            Some(h) => format!("{} ({h})", d.message),
            None => d.message.clone(),
        })?;
        let stmt = crate::syntax::parse_statement(args, limits).map_err(|d| d.message)?;
        let crate::syntax::Stmt::Value { name, value, .. } = stmt else {
            return Err("`:at` takes a name with a value, or `NAME = [1, 2, …]`".into());
        };
        // The input takes no values: the point is another vector (from a review, `:at x =
        // [1, 2]` bound the input, and no expression could be expanded after it).
        if name == env.input {
            return Err(format!(
                "`{name}` is the input: the data point is another vector, `x0 = [1, 2, …]`"
            ));
        }
        if value.cols.is_some() {
            return Err(format!("the point {name} must be a vector, not a matrix"));
        }
        return Ok((name.clone(), Some(Valued::new(name, Rc::new(value)))));
    }
    let name = Name::parse(args)?;
    match env.values.get(&name) {
        Some(t) if t.cols.is_none() => Ok((name, None)),
        Some(_) => Err(format!("the point {name} must be a vector, not a matrix")),
        None => Err(format!(
            "{name} has no value: give one with `{} = [1, 2, …]` or `:at {} = [1, 2, …]`",
            name.ascii(),
            name.ascii()
        )),
    }
}

/// A network ready for the numeric stages: the lowered form the analysis expands (with the
/// input shifted to x₀ + x when there is a data point) and the network as written.
#[derive(Clone)]
pub(crate) struct Model {
    pub lowered: crate::ir::Lowered,
    pub original: crate::ir::Lowered,
    pub input: Name,
    /// The data point, when there is one.
    pub x0: Option<(Name, Vec<crate::algebra::Q>)>,
}

/// Sets the small symbols for numeric weights and shifts the input to x₀ + x for `:at x0`.
pub(crate) fn prepare(
    l: crate::ir::Lowered,
    env: &Env,
    at: Option<&Name>,
    opts: &mut crate::analysis::AnalyzeOptions,
) -> Result<Model, String> {
    let input = opts.input.clone();
    // A symbol declared small stands for an O(ε) quantity; a bound value is an O(1) one. Both
    // at once gave an expansion for a small b₁ and W and b evaluated at its value, labelled
    // exact (from a review: `:small x b1` with b₁ = [2, −1] under tanh printed b = b₁).
    if let Some(small) = &opts.small {
        let bound: Vec<String> = (small.iter())
            .filter(|n| **n != input && Some(*n) != at && env.values.contains_key(*n))
            .filter(|n| l.symbols.iter().any(|(s, _)| s.name == **n))
            .map(|n| n.unicode())
            .collect();
        if !bound.is_empty() {
            let (has, is) = if bound.len() == 1 {
                ("has", "is")
            } else {
                ("have", "are")
            };
            return Err(format!(
                "{} {has} a value and {is} declared small: a small symbol stands for an O(ε) quantity, a value for an O(1) one; leave it out of the small symbols (`:small default` makes the input and the vectors without a value small) or remove its value",
                bound.join(", ")
            ));
        }
    }
    if opts.small.is_none() {
        opts.small = Some(default_small(&l, env, &input));
    }
    let Some(at) = at else {
        return Ok(Model {
            lowered: l.clone(),
            original: l,
            input,
            x0: None,
        });
    };
    let t = env
        .values
        .get(at)
        .ok_or_else(|| format!("the point {at} has no value"))?;
    // Bound after `:at` named it (from a review: a matrix made the input one).
    if t.cols.is_some() {
        return Err(format!("the point {at} must be a vector, not a matrix"));
    }
    let x0sym = crate::algebra::Symbol::user(at.clone(), crate::algebra::Kind::Vector);
    let Some((xsym, xshape)) = l
        .symbols
        .iter()
        .find(|(s, _)| s.name == input)
        .map(|(s, sh)| (s.clone(), sh.clone()))
    else {
        return Err(format!(
            "the input {input} does not occur, so there is nothing to expand around {at}"
        ));
    };
    if let crate::ir::Dim::Known(n) = xshape.rows
        && n as usize != t.rows
    {
        return Err(format!(
            "the point {at} has {} entries, the input {input} has {n}",
            t.rows
        ));
    }
    let mut lowered = l.clone();
    lowered.ir = shift(&l.ir, &xsym, &x0sym);
    lowered.symbols.insert(x0sym, xshape);
    if let Some(s) = &mut opts.small {
        s.remove(at);
    }
    Ok(Model {
        lowered,
        original: l,
        input,
        x0: Some((at.clone(), t.data.clone())),
    })
}

/// The expression with every use of the input `x` replaced by `x₀ + x`.
fn shift(
    ir: &crate::ir::Ir,
    x: &crate::algebra::Symbol,
    x0: &crate::algebra::Symbol,
) -> crate::ir::Ir {
    use crate::ir::IrKind;
    let kind = match ir.kind() {
        IrKind::Sym(s) if s == x => {
            IrKind::Sum(vec![ir.with_kind(IrKind::Sym(x0.clone())), ir.clone()])
        }
        IrKind::Bound { name, value } => IrKind::Bound {
            name: name.clone(),
            value: Rc::new(shift(value, x, x0)),
        },
        IrKind::Sum(v) => IrKind::Sum(v.iter().map(|e| shift(e, x, x0)).collect()),
        IrKind::Mul(v) => IrKind::Mul(v.iter().map(|e| shift(e, x, x0)).collect()),
        IrKind::Had(v) => IrKind::Had(v.iter().map(|e| shift(e, x, x0)).collect()),
        IrKind::Neg(e) => IrKind::Neg(Box::new(shift(e, x, x0))),
        IrKind::Pow(e, q) => IrKind::Pow(Box::new(shift(e, x, x0)), q.clone()),
        IrKind::HadPow(e, k) => IrKind::HadPow(Box::new(shift(e, x, x0)), *k),
        IrKind::Diag(e) => IrKind::Diag(Box::new(shift(e, x, x0))),
        IrKind::Transpose(e) => IrKind::Transpose(Box::new(shift(e, x, x0))),
        IrKind::Apply {
            callee,
            deriv,
            arg,
            params,
        } => IrKind::Apply {
            callee: callee.clone(),
            deriv: *deriv,
            arg: Box::new(shift(arg, x, x0)),
            params: params.clone(),
        },
        k => k.clone(),
    };
    ir.with_kind(kind)
}

/// When x₀ sits on a breakpoint: what its kink does to the output, and the
/// affine map to show. Decided exactly from the bars of the entries on their breakpoints
/// (`region::germ`); where that does not apply (an activation that jumps, too many cones), the
/// affine maps on the sides of x₀ along 2n + 4 directions: two different maps, or a map that
/// misses y(x₀), prove the output bends or jumps; one continuous map everywhere is evidence
/// only, and the effect is undecided (with that map shown).
///
/// An undecided effect is kept only where the expansion assumed that no entry of that layer
/// sits on a breakpoint (a symbolic operating point, taken to be generic); where the expansion
/// took the breakpoint as it is (an operating point 0), the region gives way to it: `Err`.
fn at_breakpoint(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    x0: &[crate::algebra::Q],
) -> Result<(Option<region::SideMap>, region::Sides), String> {
    use region::{BreakpointEffect as Effect, Sides};
    let decided = |effect, directions| Sides {
        directions,
        exact: true,
        effect,
    };
    let why_germ = match region::germ(&model.original, env, &model.input, x0) {
        Ok(region::Germ {
            map:
                Some(region::GermMap {
                    w: Some(w),
                    b: Some(b),
                }),
            first_order: false,
        }) => return Ok((Some(region::SideMap { w, b }), decided(Effect::Cancels, 0))),
        Ok(region::Germ { map: None, .. }) => return Ok((None, decided(Effect::Reaches, 0))),
        Ok(region::Germ { map: Some(_), .. }) => {
            "the kinks cancel at first order only, or y(x₀) is not rational".into()
        }
        Err(why) => why,
    };
    let undecided = |why: String| {
        on_assumed_breakpoint(model, report, env, x0)
            .map(|_| Effect::Undecided(why.clone()))
            .ok_or(why)
    };
    let maps = match region::one_sided_maps(&model.original, env, &model.input, x0) {
        Ok(maps) => maps,
        Err(why) => {
            let effect = undecided(format!("{why_germ}; {why}"))?;
            let sides = Sides {
                directions: 0,
                exact: false,
                effect,
            };
            return Ok((None, sides));
        }
    };
    let directions = maps.len();
    let y0 = region::value_at(&model.original, env, &model.input, x0)?;
    let at = |m: &region::SideMap| -> Vec<crate::algebra::Q> {
        (m.w.iter().zip(&m.b))
            .map(|(row, c)| {
                row.iter()
                    .zip(x0)
                    .map(|(a, x)| a * x)
                    .sum::<crate::algebra::Q>()
                    + c
            })
            .collect()
    };
    if maps.iter().any(|m| at(m) != y0) {
        return Ok((None, decided(Effect::Jumps, directions)));
    }
    if maps.windows(2).any(|w| w[0] != w[1]) {
        return Ok((None, decided(Effect::Reaches, directions)));
    }
    let effect = undecided(format!(
        "{why_germ}; one affine map on every side of x₀ tried ({directions} directions), which is evidence, not proof: a side no direction enters would be missed"
    ))?;
    let sides = Sides {
        directions,
        exact: false,
        effect,
    };
    Ok((maps.into_iter().next(), sides))
}

/// What the first order of a network that is not piecewise linear says of an entry on its
/// breakpoint at x₀.
enum FirstOrder {
    /// Decided (a kink that reaches the output), or undecided with the derivative at x₀ when
    /// the kinks cancel at first order.
    Decided(
        Box<crate::analysis::instance::FirstOrderKink>,
        Option<region::GermMap>,
    ),
    /// The expansion assumed the breakpoint away and nothing decides it: why, and the layer
    /// whose assumption fails (None where the layers cannot be matched).
    Undecided(String, Option<usize>),
}

/// An entry exactly on its breakpoint at x₀ in a network that is not piecewise linear, where
/// the expansion's verdict depends on it: the expansion assumed no entry of that layer sits on
/// a breakpoint (a symbolic operating point), or it found a kink at order ε¹ from the
/// symbolic weights, which particular values may cancel (`W₂·relu(W₁·x)` with W₁ = [1; −1],
/// W₂ = [1, −1] is x). The network's first order at x₀ ([`region::germ`]) decides whether a
/// kink reaches the output; where it cancels, the terms of higher order are not decided.
/// None: no entry sits on its breakpoint, or the expansion's verdict does not depend on it.
fn first_order_at_breakpoint(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    x0: &[crate::algebra::Q],
    scan: &region::Scan,
) -> Option<FirstOrder> {
    use crate::analysis::instance::{BreakpointEffect as Effect, FirstOrderKink};
    let first = scan.on.first().cloned()?;
    let assumed = first_assumed(report, scan.on.clone());
    let kink = matches!(report.main.decision.verdict, crate::analysis::Verdict::Kink);
    if assumed.is_none() && !kink {
        return None;
    }
    let entry = assumed.clone().unwrap_or(first);
    let why_assumed = if assumed.is_some() {
        "the expansion assumed that no entry of this layer sits on a breakpoint"
    } else {
        "the expansion's kink, found for symbolic weights, cancels at these values"
    };
    let decided = |effect| {
        Box::new(FirstOrderKink {
            at: x0.to_vec(),
            at_name: model.x0.as_ref().map(|(n, _)| n.unicode()),
            entry: entry.clone(),
            assumed: assumed.is_some(),
            effect,
        })
    };
    Some(match region::germ(&model.original, env, &model.input, x0) {
        Ok(region::Germ { map: None, .. }) => FirstOrder::Decided(decided(Effect::Reaches), None),
        Ok(region::Germ {
            map: Some(map),
            first_order: false,
        }) => FirstOrder::Decided(decided(Effect::Cancels), Some(map)),
        Ok(region::Germ { map: Some(map), .. }) => FirstOrder::Decided(
            decided(Effect::Undecided(format!(
                "{why_assumed}; the network is differentiable at x₀, but whether it is affine to a higher order there is not decided"
            ))),
            Some(map),
        ),
        Err(why) if assumed.is_some() => FirstOrder::Undecided(
            format!(
                "layer {} ({}), entry {} sits exactly on its breakpoint at x₀, which the expansion assumes away, and the network's first order there, which would decide whether its kink reaches the output, was not computed ({why})",
                entry.layer,
                entry.activation,
                entry.index + 1
            ),
            Some(entry.layer),
        ),
        // The kink found for symbolic weights may cancel at these values through slopes that
        // are not rational (tanh′(1) against tanh′(−1)): from a review, a network that is 0
        // everywhere was called a kink. Not decided.
        Err(why) => FirstOrder::Undecided(
            format!(
                "layer {} ({}), entry {} sits exactly on its breakpoint at x₀: whether the kink found for symbolic weights reaches the output at these values is not decided, as the network's first order there was not computed ({why})",
                entry.layer,
                entry.activation,
                entry.index + 1
            ),
            None,
        ),
    })
}

/// An entry exactly on its breakpoint at x₀ in a layer whose operating point the expansion
/// took to be off every breakpoint (its stated assumption): then the expansion does not hold
/// at x₀. Evaluated exactly from the values at x₀ alone.
fn on_assumed_breakpoint(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    x0: &[crate::algebra::Q],
) -> Option<region::Neuron> {
    let entries = region::entries_on_breakpoints(&model.original, env, &model.input, x0).ok()?;
    if !numbering_agrees(report, &entries.layers) {
        // The entry's layer cannot be matched to the expansion's: taken as assumed away.
        return entries.on.into_iter().next();
    }
    first_assumed(report, entries.on)
}

/// Why assumptions are not checked where the values' layers are not the expansion's.
const UNMATCHED: &str = "the layers of the values at x₀ cannot be matched to the expansion's (an activation of one value written twice is one layer of the expansion)";

/// The layers the expansion assumed off every breakpoint.
fn every_assumed_layer(report: &crate::analysis::Report) -> Vec<usize> {
    (1..=report.main.expansion.layers.len())
        .filter(|layer| assumed_off(report, *layer))
        .collect()
}

/// Whether the layers of the values at x₀ are the expansion's, one by one (the same activation
/// at each index), so that an entry's layer names the expansion's assumption about it. An
/// activation of one value written twice (`tanh(c) − tanh(c)`) is one layer of the expansion,
/// which expands it once, and two of the values.
fn numbering_agrees(report: &crate::analysis::Report, layers: &[String]) -> bool {
    let expansion = &report.main.expansion.layers;
    expansion.len() == layers.len()
        && (expansion.iter().zip(layers)).all(|(l, name)| l.activation == *name)
}

/// The first of `entries` in a layer the expansion assumed off every breakpoint.
fn first_assumed(
    report: &crate::analysis::Report,
    entries: Vec<region::Neuron>,
) -> Option<region::Neuron> {
    entries
        .into_iter()
        .find(|entry| assumed_off(report, entry.layer))
}

/// Whether the expansion assumed that no entry of `layer` sits on a breakpoint.
fn assumed_off(report: &crate::analysis::Report, layer: usize) -> bool {
    use crate::analysis::Assumption;
    report.main.assumptions.iter().any(
        |a| matches!(a, Assumption::NoBreakpointAtOperatingPoint { layer: l, .. } if *l == layer),
    )
}

/// The layers the expansion assumed off every breakpoint that have an entry whose input at
/// x₀ is not rational, so that the assumption is not checked there.
fn unchecked_layers(report: &crate::analysis::Report, scan: &region::Scan) -> Vec<usize> {
    if !numbering_agrees(report, &scan.layers) {
        // No entry can be matched to its layer: every assumption is unchecked.
        return every_assumed_layer(report);
    }
    let mut layers: Vec<usize> = (scan.undetermined.iter())
        .map(|(layer, _, _)| *layer)
        .filter(|layer| assumed_off(report, *layer))
        .collect();
    layers.dedup();
    layers
}

/// An entry whose input at x₀ is not rational but sits exactly on a breakpoint, decided by
/// exact signs (σ(1) + σ(−1) at hard_tanh's 1), in a layer the expansion assumed off its
/// breakpoints: the network's first order there is not computed (its slopes would need the
/// value), so nothing is decided at these values.
fn on_exact_breakpoint(
    report: &crate::analysis::Report,
    scan: &region::Scan,
) -> Option<FirstOrder> {
    if !numbering_agrees(report, &scan.layers) {
        return None;
    }
    let assumed = |(layer, _, _): &&(usize, String, usize)| assumed_off(report, *layer);
    if let Some((layer, activation, k)) = scan.on_exact.iter().find(assumed) {
        return Some(FirstOrder::Undecided(
            format!(
                "layer {layer} ({activation}), entry {}, sits exactly on its breakpoint at x₀ (its input there is not rational; equal to the breakpoint by the exact sign test), which the expansion assumes away, and the network's first order there, which would decide whether its kink reaches the output, was not computed",
                k + 1
            ),
            Some(*layer),
        ));
    }
    // Too close to a tie to tell: it may sit on its breakpoint, which is no ground for the
    // expansion's verdict either (its assumption line says it is not checked).
    let (layer, activation, k) = scan.ties.iter().find(assumed)?;
    Some(FirstOrder::Undecided(
        format!(
            "layer {layer} ({activation}), entry {}: its input at x₀ is closer to a breakpoint than 2048-bit floats resolve, and no exact test decides whether it is on it (an identity beyond powers of e, or past degree 512 in them); the expansion assumes it is not",
            k + 1
        ),
        None,
    ))
}

/// The input's length, as its declaration or a value of the same dimension fixes it.
fn input_len(l: &crate::ir::Lowered, env: &Env, input: &Name) -> Option<usize> {
    let sh = l.symbols.iter().find(|(s, _)| &s.name == input)?.1;
    if let crate::ir::Dim::Known(n) = sh.rows {
        return Some(n as usize);
    }
    for (s, other) in &l.symbols {
        if let Some(t) = env.values.get(&s.name) {
            if other.rows == sh.rows {
                return Some(t.rows);
            }
            if let Some(c) = t.cols
                && other.cols == sh.rows
            {
                return Some(c);
            }
        }
    }
    None
}

/// W and b for the values, the affine region (piecewise-linear networks) and σ* (smooth ones).
pub(crate) fn numeric_report(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    tau: f64,
    opts: &crate::analysis::AnalyzeOptions,
) -> Numeric {
    let mut out = numeric_at(model, report, env, functions, Some(tau));
    search_past_the_vanishing_term(model, report, env, functions, opts, &mut out);
    // Some weights without values (those W and b name, or others): the verdict is the generic
    // one, checked so far against what the bound values force alone; the whole network at
    // drawn values checks the rest.
    let a = &report.main;
    let free: Vec<Name> = (instance::unbound_symbols(a, env))
        .filter(|(s, _)| s.name != a.input.name)
        .map(|(s, _)| s.name.clone())
        .collect();
    if !free.is_empty() && out.missing.is_empty() && out.undecided.is_none() {
        // W and b name none of them (a degenerate W = 0, a kink's): what the bound values
        // force is checked as where they do.
        let names: Vec<String> = free.iter().map(Name::unicode).collect();
        instance::check_forced(a, env, functions, &names.join(", "), &mut out);
    }
    // Terms of mixed-order bars leave the verdict undecided already: no draw checks a verdict
    // that is not given (one said "the verdict above is kink" of it).
    if a.decision.mixed_bar.is_some() {
        return out;
    }
    // Every weight bound, a scalar parameter symbolic: the verdict and the conditions on the
    // parameter are the generic weights' (no numeric W and b was computed); the network at
    // drawn values of the parameters checks them at these.
    let params = instance::drawable_params(&model.lowered);
    if free.is_empty() && out.missing.is_empty() && out.undecided.is_none() && !params.is_empty() {
        let names: Vec<String> = params.iter().map(Name::unicode).collect();
        let names = names.join(", ");
        // The verdict the draws are held to: the generic one, or degenerate where the bound
        // values make W 0 for every value of the parameters (decided exactly above).
        let expected = drawn::verdict_at_values(&out, &report.main.decision.verdict);
        match drawn::against_drawn_params(model, report, env, functions, opts, &params, expected) {
            drawn::Drawn::Contradicts(why) | drawn::Drawn::LeadingTermZero(why) => {
                out.undecided = Some(why)
            }
            drawn::Drawn::AllAgree(label) => out.notes.push(format!(
                "with {names} given random values ({} seeded draws of rational values, a probabilistic check), the network with every weight bound is {label} at every draw, as the verdict says",
                drawn::DRAWS
            )),
            drawn::Drawn::Nothing => {}
        }
        // The conditions on a parameter are found for generic weights: bound values may add
        // zeros (4·(λ − 1)·(λ + 2)) or change what holds there (k = 3 where the values give an
        // exact-affine network), which no draw sees (from a review). They are not stated here.
        if !report.conditions.is_empty() {
            out.conditions_withdrawn = true;
            out.notes.push(format!(
                "the conditions on {names} are found for generic weights and are not stated at these values; give {names} a value to analyse it there"
            ));
        }
    }
    if !free.is_empty() && !report.is_conditional() {
        match drawn::against_drawn_values(model, report, env, functions, &free, &params, opts) {
            drawn::Drawn::Contradicts(why) if out.undecided.is_none() => {
                out.undecided = Some(why);
            }
            // What a numeric check of the residual predicts from (`verify`).
            drawn::Drawn::LeadingTermZero(why) if out.undecided.is_none() => {
                out.undecided = Some(why);
                out.leading_zero_at_points = true;
            }
            // What the bound values force contradicts an assumption of the expansion, yet
            // the whole network at every draw is what the verdict says: the assumption did
            // not matter there (an entry on a breakpoint that does not move with x).
            drawn::Drawn::AllAgree(label) if out.undecided_forced => {
                if let Some(why) = out.undecided.take() {
                    let names: Vec<String> = free.iter().map(Name::unicode).collect();
                    out.notes.push(format!(
                        "{why}; but with {} given random values ({} seeded draws of rational entries, a probabilistic check) the network with every weight bound is {label} at every draw, as the verdict says",
                        names.join(", "),
                        drawn::DRAWS
                    ));
                }
                out.undecided_forced = false;
                out.failing_layer = None;
                out.generic_failing_layer = None;
            }
            _ => {}
        }
    }
    // Nothing decided at these values: the conditions, found for generic weights, say how
    // a verdict that does not hold here changes (from a review: "vanish iff λ = 0" beside a
    // term that the bound values make 0 for every λ). Not stated.
    if out.undecided.is_some() && !report.conditions.is_empty() && !out.conditions_withdrawn {
        let names: BTreeSet<String> = (report.conditions.iter())
            .map(|c| c.param.unicode())
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        out.conditions_withdrawn = true;
        out.notes.push(format!(
            "the conditions on {} are found for generic weights, and at these values the verdict is not decided: they are not stated here",
            names.join(", ")
        ));
    }
    out
}

/// The numeric instance at the values of `env`; σ* for tolerance `tau`, when given.
/// How W was decided 0 at the values: each entry rational.
const W_RATIONAL_ZERO: &str = "each entry is rational and 0";
/// How W was decided 0 at the values: each entry exact in Q(e^(1/D)).
const W_ZERO_IN_EXP_FIELD: &str = "each entry written exactly as a rational function of E = e^(1/D), which is transcendental, and 0";

/// W is 0 at the values, decided exactly as `how` says: the network is degenerate there.
fn w_vanishes_text(report: &crate::analysis::Report, how: &str) -> String {
    format!(
        "{} is 0 at these values, decided exactly ({how}): the network is degenerate there",
        report.main.form.w.unicode()
    )
}

/// Every part of the expansion past a first non-affine term that vanishes at the bound values
/// is 0 there up to the order the analysis was carried to (`zero_through`): the search goes on
/// as the symbolic one does, with the analysis carried to the search limit, until a part is not
/// 0 there (the network's first non-affine order at these values) or the limit is reached
/// (affine to at least O(ε^(limit+1)) there: softplus(z) − softplus(−z) = z at z = x + ½, left
/// undecided before). A part not decided exactly, or the analysis at the limit failing (a limit
/// on terms, the budget), leaves the verdict undecided, as before.
fn search_past_the_vanishing_term(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    opts: &crate::analysis::AnalyzeOptions,
    out: &mut Numeric,
) {
    let Some(through) = out.zero_through else {
        return;
    };
    if out.beyond.is_some() || out.undecided.is_some() || out.affine_written_out.is_some() {
        return;
    }
    let limit = opts.limits.search_order.min(opts.limits.max_order);
    let reached = if through >= limit {
        Some(through)
    } else {
        let Ok(higher) = crate::analysis::analyze_main_at(&model.lowered, opts, limit) else {
            return;
        };
        // The same first non-affine term for generic weights, and the expansion formed to the
        // limit (a limit on the terms shown may have cut it short).
        if higher.decision.k != report.main.decision.k
            || higher.decision.leading_full != report.main.decision.leading_full
            || higher.order < limit
        {
            return;
        }
        // Breakpoints: `zero_through` was set only where each entry of a layer with them is
        // decided off them at these values (the same network, the same values).
        match instance::parts_past(&model.lowered, &higher, env, functions, true, through) {
            instance::PartsPast::NonZero(beyond) => {
                out.beyond = Some(beyond);
                // W 0 exactly there too: degenerate, led by the term found (as in `numeric_at`).
                if out.w_vanishes.is_none() {
                    out.w_vanishes = w_zero_how_of(model, report, env, functions, out)
                        .map(|how| w_vanishes_text(report, how));
                }
                None
            }
            instance::PartsPast::ZeroThrough(order) => Some(order),
            instance::PartsPast::Undecided => None,
        }
    };
    out.affine_through = reached.filter(|order| *order >= limit);
    // W 0 exactly there, and no term past it up to the limit: constant to that order.
    if let Some(limit) = out.affine_through
        && let Some(how) = w_zero_how_of(model, report, env, functions, out)
    {
        out.notes.push(format!(
            "{} is 0 at these values, decided exactly ({how}): with no non-affine term up to order {limit} there, the network is constant up to O(ε{})",
            report.main.form.w.unicode(),
            crate::syntax::names::superscript(i64::from(limit) + 1)
        ));
    }
}

/// How W is decided exactly 0 at the values: each entry rational and 0, or W not rational and
/// 0 in Q(e^(1/D)) (`zero_in_exp_field`, asked only then); None when it is not, or not decided.
fn w_zero_how(
    w: Option<&crate::analysis::instance::Mat>,
    zero_in_exp_field: impl FnOnce() -> Option<bool>,
) -> Option<&'static str> {
    let w = w?;
    let rational_zero = (w.entries.iter())
        .all(|e| matches!(e, crate::analysis::instance::Num::Exact(q) if *q == 0u32));
    if rational_zero {
        Some(W_RATIONAL_ZERO)
    } else if !w.is_exact() && zero_in_exp_field() == Some(true) {
        Some(W_ZERO_IN_EXP_FIELD)
    } else {
        None
    }
}

/// [`w_zero_how`] of the result's W, evaluated in Q(e^(1/D)) where it is not rational.
fn w_zero_how_of(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    out: &Numeric,
) -> Option<&'static str> {
    w_zero_how(out.w.as_ref(), || {
        instance::w_in_exp_field(&model.lowered, &report.main, env, functions, false)
            .map(|(zero, _)| zero)
    })
}

fn numeric_at(
    model: &Model,
    report: &crate::analysis::Report,
    env: &Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    tau: Option<f64>,
) -> Numeric {
    // A token matrix input has a linear map 𝓛(X), not a matrix W to fill with numbers.
    if report.main.input.kind == crate::algebra::Kind::Matrix {
        let mut out = Numeric::default();
        out.notes.push(format!(
            "no numeric W and b: the input {} is a matrix, whose linear part is the map 𝓛({}) written symbolically above (numeric instances cover vector inputs)",
            report.main.input.name, report.main.input.name
        ));
        // What the values force of the first non-affine term is checked all the same (from a
        // review: W_Q = 0 left `affine up to O(ε³)` where the attention is exactly linear).
        out.leading_vanishes =
            instance::leading_forced_zero_at_values(&report.main, env, functions).or_else(|| {
                instance::leading_zero_for_token_matrices(
                    &model.lowered,
                    &report.main,
                    env,
                    functions,
                )
            });
        // Values that are not rational (scores scaled by 1/√d): what floats say of it.
        if out.leading_vanishes.is_none() {
            out.undecided =
                instance::token_matrix_term_in_floats(&model.lowered, &report.main, env, functions);
            out.leading_zero_at_points = out.undecided.is_some();
        }
        return out;
    }
    let mut out = instance::numeric(&model.lowered, &report.main, env, functions);
    if !out.missing.is_empty() {
        return out;
    }
    let x0 = match &model.x0 {
        Some((_, v)) => Some(v.clone()),
        None => input_len(&model.original, env, &model.input)
            .map(|n| vec![crate::algebra::Q::from(0u32); n]),
    };
    if let Some(x0) = x0 {
        let region = region::region(&model.original, env, &model.input, &x0).and_then(|mut r| {
            if r.radius_inf.as_ref().is_some_and(|q| *q == 0u32) {
                // On a breakpoint: the kink may not reach the output (weights that zero the
                // entry, identities), and a network that is not piecewise linear away from x₀
                // (softsign's t/(1 + |t|) has slope 0 in |t| at 0 only) has no region at all.
                let (map, sides) = at_breakpoint(model, report, env, &x0)?;
                if let Some(side) = map {
                    use crate::analysis::instance::Num;
                    r.w.entries = side.w.iter().flatten().cloned().map(Num::Exact).collect();
                    r.b.entries = side.b.iter().cloned().map(Num::Exact).collect();
                }
                r.sides = Some(sides);
            }
            Ok(r)
        });
        match region {
            Ok(mut r) => {
                r.at_name = model.x0.as_ref().map(|(n, _)| n.unicode());
                // A piecewise-linear network: W and b are the affine map of the region (exact),
                // or there is none when x₀ sits on a breakpoint.
                out.w = None;
                out.b = None;
                out.notes.clear();
                if r.radius_inf.as_ref().is_some_and(|q| *q == 0u32)
                    && !r.sides.as_ref().is_some_and(|s| s.cancels())
                {
                    let (w, b) = instance::form_names(&report.main.form);
                    out.notes.push(format!(
                        "no numeric {w} and {b}: an activation entry sits exactly on its breakpoint (see the affine region)"
                    ));
                }
                out.region = Some(Ok(r));
            }
            // No region (a network that is not piecewise linear, or too large): the values at
            // x₀ alone, found once, say which entries sit on their breakpoints.
            Err(why) => {
                let scan = region::entries_on_breakpoints(&model.original, env, &model.input, &x0);
                let (scan, scan_error) = match scan {
                    Ok(scan) => (Some(scan), None),
                    Err(why) => (None, Some(why)),
                };
                // The values' layers not matched to the expansion's: an entry on its breakpoint
                // decides nothing, and no assumption is checked.
                let assumes = !every_assumed_layer(report).is_empty();
                let unmatched = scan
                    .as_ref()
                    .filter(|scan| assumes && !numbering_agrees(report, &scan.layers));
                // An entry on its breakpoint where the verdict depends on it: the network's
                // first order at x₀ decides whether the kink reaches the output.
                let first = match unmatched {
                    Some(scan) => scan.on.first().map(|entry| {
                        FirstOrder::Undecided(
                            format!(
                                "layer {} ({}) of the values at x₀, entry {}, sits exactly on its breakpoint, and the values' layers cannot be matched to the expansion's (an activation of one value written twice is one layer of the expansion): whether its kink reaches the output is not decided",
                                entry.layer,
                                entry.activation,
                                entry.index + 1
                            ),
                            None,
                        )
                    }),
                    None => (scan.as_ref())
                        .and_then(|scan| first_order_at_breakpoint(model, report, env, &x0, scan))
                        .or_else(|| scan.as_ref().and_then(|scan| on_exact_breakpoint(report, scan))),
                };
                if let Some(first) = first {
                    out.notes.clear();
                    out.w = None;
                    out.b = None;
                    match first {
                        FirstOrder::Decided(kink, map) => {
                            if let Some(region::GermMap { w: Some(w), b }) = map {
                                use crate::analysis::instance::{Mat, Num};
                                let exact =
                                    |v: Vec<crate::algebra::Q>| v.into_iter().map(Num::Exact);
                                let (rows, cols) = (w.len(), x0.len());
                                out.w = Some(Mat {
                                    rows,
                                    cols,
                                    entries: exact(w.into_iter().flatten().collect()).collect(),
                                });
                                out.b = b.map(|b| Mat {
                                    rows,
                                    cols: 1,
                                    entries: exact(b).collect(),
                                });
                                let f = &report.main.form;
                                let (w, b, y) = (f.w.unicode(), f.b.unicode(), f.y.unicode());
                                out.notes.push(if out.b.is_some() {
                                    format!("{w} is the network's derivative at x₀ and {b} = {y}(x₀) − {w}·x₀, both exact: the kinks of the entries on their breakpoints cancel at first order")
                                } else {
                                    format!("{w} is the network's derivative at x₀, exact: the kinks of the entries on their breakpoints cancel at first order ({b} = {y}(x₀) − {w}·x₀ is not shown: {y}(x₀) is not known to be rational)")
                                });
                            } else if map.is_some() {
                                out.notes.push(
                                    "the kinks of the entries on their breakpoints cancel at first order (decided exactly: their coefficients are exactly 0); the affine form is not shown: the derivative at x₀ holds a slope that is not rational".into(),
                                );
                            }
                            out.breakpoint = Some(*kink);
                            // The near tie the floats met is this breakpoint, decided exactly.
                            if out.piece_unresolved {
                                out.undecided = None;
                                out.piece_unresolved = false;
                            }
                        }
                        FirstOrder::Undecided(why, layer) => {
                            out.undecided = Some(why);
                            out.failing_layer = layer;
                        }
                    }
                    if unmatched.is_some() {
                        out.unchecked_layers = every_assumed_layer(report);
                        out.unchecked_reason = Some(UNMATCHED.into());
                    } else if out.undecided.is_some()
                        && out.failing_layer.is_none()
                        && let Some(scan) = &scan
                    {
                        // Nothing decided and no layer found failing: the layers with entries
                        // the values did not determine are not checked.
                        out.unchecked_layers = unchecked_layers(report, scan);
                    }
                    out.region = Some(Err(why));
                } else {
                    // Without the values at x₀ (their evaluation failed), no assumption is
                    // checked.
                    out.unchecked_layers = (scan.as_ref())
                        .map(|scan| unchecked_layers(report, scan))
                        .unwrap_or_else(|| every_assumed_layer(report));
                    out.unchecked_reason = match (&scan, &scan_error) {
                        (_, Some(why)) => {
                            Some(format!("the values at x₀ were not evaluated: {why}"))
                        }
                        (Some(scan), _) if !numbering_agrees(report, &scan.layers) => {
                            Some(UNMATCHED.into())
                        }
                        _ => None,
                    };
                    if out.w.is_some() {
                        // Every entry of every layer with breakpoints decided exactly off them at
                        // x₀: there each activation is its smooth piece's series.
                        let off_breakpoints = scan.as_ref().is_some_and(|scan| {
                            scan.on.is_empty()
                                && scan.undetermined.is_empty()
                                && numbering_agrees(report, &scan.layers)
                        });
                        // A smooth network (or one with irrational constants): σ* instead.
                        // Decided exactly where the operating points are rational, whatever
                        // W's constants are (`leading_at_values`).
                        out.leading_vanishes = instance::leading_vanishes(
                            &model.lowered,
                            &report.main,
                            env,
                            functions,
                        );
                        if out.leading_vanishes.is_none() {
                            out.leading_vanishes = instance::leading_forced_zero_at_values(
                                &report.main,
                                env,
                                functions,
                            );
                        }
                        // Not rational, so not decided exactly: what floats say of it.
                        if out.leading_vanishes.is_none()
                            && out.undecided.is_none()
                            && out.w.as_ref().is_some_and(|w| !w.is_exact())
                        {
                            out.undecided = instance::leading_zero_in_floats(
                                &model.lowered,
                                &report.main,
                                env,
                                functions,
                            );
                            out.leading_zero_at_points = out.undecided.is_some();
                        }
                        if out.leading_vanishes.is_none() && out.undecided.is_none() {
                            out.w_vanishes =
                                instance::w_forced_zero_at_values(&report.main, env, functions);
                        }
                        // W not rational: exact in Q(e^(1/D)) where it lies there, else what
                        // floats say of it, as of the term above.
                        let w_irrational = out.w.as_ref().is_some_and(|w| !w.is_exact());
                        let shown_zero = out.w.as_ref().is_some_and(|w| {
                            (w.entries.iter()).any(|e| {
                                matches!(e, crate::analysis::instance::Num::Float(v) if *v == 0.0)
                            })
                        });
                        let w_in_field = if w_irrational {
                            instance::w_in_exp_field(
                                &model.lowered,
                                &report.main,
                                env,
                                functions,
                                shown_zero,
                            )
                        } else {
                            None
                        };
                        let w_zero_in_exp_field = w_in_field.as_ref().map(|(zero, _)| *zero);
                        // An entry the floats show as 0 that is not 0 in Q(e^(1/D)): its value
                        // from the exact form.
                        if let (Some((false, Some(exact))), Some(w)) = (w_in_field, out.w.as_mut())
                        {
                            let shown = instance::show_entries_the_floats_lost(w, exact);
                            if shown > 0 {
                                out.notes.push(format!(
                                    "{shown} {} of {} that the floats gave as 0 {} not 0 (decided exactly, in Q(e^(1/D))): shown from {} exact form, evaluated in 256- and 2048-bit floats that agree",
                                    if shown == 1 { "entry" } else { "entries" },
                                    report.main.form.w.unicode(),
                                    if shown == 1 { "is" } else { "are" },
                                    if shown == 1 { "its" } else { "their" },
                                ));
                            }
                        }
                        if out.w_vanishes.is_none()
                            && out.leading_vanishes.is_none()
                            && out.undecided.is_none()
                            && w_irrational
                            && w_zero_in_exp_field.is_none()
                            && matches!(
                                report.main.decision.verdict,
                                crate::analysis::Verdict::Affine { .. }
                            )
                        {
                            out.undecided = instance::w_zero_in_floats(
                                &model.lowered,
                                &report.main,
                                env,
                                functions,
                            );
                        }
                        if out.leading_vanishes.is_some() {
                            out.beyond = instance::beyond_at_zero_operating_points(
                                &model.lowered,
                                report,
                                env,
                                functions,
                            );
                            if out.beyond.is_none() {
                                let a = &report.main;
                                match instance::parts_past(
                                    &model.lowered,
                                    a,
                                    env,
                                    functions,
                                    off_breakpoints,
                                    0,
                                ) {
                                    instance::PartsPast::NonZero(beyond) => {
                                        out.beyond = Some(beyond)
                                    }
                                    instance::PartsPast::ZeroThrough(order) => {
                                        out.zero_through = Some(order)
                                    }
                                    instance::PartsPast::Undecided => {}
                                }
                            }
                        }
                        // W exact and 0 (W₂·diag(tanh′(0))·W₁ with W₂·W₁ = 0): degenerate at
                        // these values, also past a term the verdict names that vanishes, where
                        // a term beyond it was found (from a review: tanh(2x) − 2·tanh(x) at
                        // b₁ = 0 was `affine`, k = 3, beside W = 0); not where nothing beyond is
                        // known (a constant softmax, exactly affine written out).
                        if out.w_vanishes.is_none()
                            && out.undecided.is_none()
                            && (out.leading_vanishes.is_none() || out.beyond.is_some())
                            && matches!(
                                report.main.decision.verdict,
                                crate::analysis::Verdict::Affine { k: Some(_) }
                            )
                        {
                            out.w_vanishes = w_zero_how(out.w.as_ref(), || w_zero_in_exp_field)
                                .map(|how| w_vanishes_text(report, how));
                        }
                        check_leading_at_points(model, &report.main, env, functions, &mut out);
                        if let Some(tau) = tau {
                            out.sigma = radius::sigma_star(model, report, env, functions, tau);
                        }
                    } else {
                        out.region = Some(Err(why));
                    }
                }
            }
        }
        // Every layer assumed off its breakpoints with an entry on one at x₀ (the report points
        // at the first; the others' assumption lines say so too).
        if let Ok(scan) = region::entries_on_breakpoints(&model.original, env, &model.input, &x0)
            && numbering_agrees(report, &scan.layers)
        {
            let mut layers: Vec<usize> = (scan.on.iter())
                .map(|entry| entry.layer)
                .filter(|layer| assumed_off(report, *layer))
                .collect();
            layers.dedup();
            out.on_breakpoint_layers = layers;
        }
    }
    // A degenerate verdict (W = 0 for generic weights) has no numeric W and b to find it
    // with; its first non-affine term is checked at the values all the same.
    let a = &report.main;
    if out.missing.is_empty()
        && out.leading_vanishes.is_none()
        && out.undecided.is_none()
        && out.breakpoint.is_none()
        && !matches!(out.region, Some(Ok(_)))
        && matches!(
            a.decision.verdict,
            crate::analysis::Verdict::Degenerate { .. }
        )
    {
        out.leading_vanishes = instance::leading_vanishes(&model.lowered, a, env, functions)
            .or_else(|| instance::leading_forced_zero_at_values(a, env, functions));
        check_leading_at_points(model, a, env, functions, &mut out);
    }
    // The compensated analysis's claims are for generic weights too: where its first
    // non-affine term is 0 at these values (W₂ = 0 before a kink's |·|), they do not hold.
    if let Some(c) = &report.compensated
        && out.missing.is_empty()
        && instance::unbound_symbols(c, env).all(|(s, _)| s.name == c.input.name)
        && c.decision.k.is_some()
    {
        out.compensated_vanishes = instance::leading_vanishes(&model.lowered, c, env, functions)
            .or_else(|| instance::leading_forced_zero_at_values(c, env, functions))
            .or_else(|| {
                let term = &c.decision.leading_full;
                symbolic::term_zero_written_out(&model.lowered, c, env, functions, term)
                    .then(|| symbolic::WRITTEN_OUT_ZERO.to_string())
            });
    }
    // Nothing decided at these values (a first non-affine term that is 0 there, weights whose
    // identities the expansion cannot see), or no non-affine term up to the search limit (affine
    // to at least O(ε¹⁰), not exactly): the network written out in the input's entries may be
    // affine by its form, which decides it exactly.
    let label = report.label_with(Some(&out));
    let to_the_limit = label == crate::analysis::Verdict::Affine { k: None }.label()
        && report.main.decision.verdict == (crate::analysis::Verdict::Affine { k: None })
        && !report.main.affine_by_form
        && out.leading_vanishes.is_none();
    if label == "undecided" || to_the_limit {
        let x0 = match &model.x0 {
            Some((_, v)) => Some(v.clone()),
            None => input_len(&model.original, env, &model.input)
                .map(|n| vec![crate::algebra::Q::from(0u32); n]),
        };
        out.affine_written_out = x0.and_then(|x0| {
            symbolic::affine_written_out(&model.original, env, functions, &model.input, &x0)
        });
        if out.affine_written_out.is_some() {
            out.undecided = None;
        }
    }
    out
}

/// A first non-affine term with |·| of the input, which the exact tests above do not decide:
/// when it is 0 at every random point tried, the verdict that names it is not said
/// (`relu(W₂·square(W₁·x))` with W₂ = −1 is 0 everywhere, not degenerate of order 2).
fn check_leading_at_points(
    model: &Model,
    a: &crate::analysis::Analysis,
    env: &Env,
    functions: &std::collections::BTreeMap<String, crate::ir::Callee>,
    out: &mut Numeric,
) {
    let term = &a.decision.leading_full;
    if out.leading_vanishes.is_none()
        && out.undecided.is_none()
        && a.decision.k.is_some()
        && symbolic::term_zero_written_out(&model.lowered, a, env, functions, term)
    {
        out.leading_vanishes = Some(symbolic::WRITTEN_OUT_ZERO.to_string());
        return;
    }
    if out.leading_vanishes.is_none()
        && out.undecided.is_none()
        && instance::leading_zero_at_random_points(&model.lowered, a, env, functions)
    {
        out.leading_zero_at_points = true;
        out.undecided = Some(format!(
            "the first non-affine term above holds |·| of the input, and at these values it is 0 at each of {} random points, evaluated exactly: it may be 0 for every input (as ½·p + ½·|p| is where p ≤ 0), which the exact identity test, for polynomials, does not decide",
            instance::RANDOM_POINTS
        ));
    }
}
