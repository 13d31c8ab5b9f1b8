//! Random networks for the self-check, one family (a [`Class`]) at a time.
//!
//! Every case is a function of its class and seed alone ([`generate`]), so a
//! disagreement found in a long run is reproduced by its seed. The classes are
//! kept apart because they stress different parts of the engine (series at 0,
//! symbolic operating points, kinks, …): a class that the engine gets right is
//! checked in CI, one that it gets wrong today waits behind an `#[ignore]`.

use crate::numeric::Rng;

/// A family of generated networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Smooth catalog activations with `s(0) = 0`, small biases: every operating point is 0.
    Smooth,
    /// Activations with `s(0) ≠ 0` (sigmoid, softplus, cos, exp) feeding deeper layers:
    /// symbolic operating points `cₗ`.
    Offset,
    /// O(1) biases such as `+ 2·𝟙` or `+ π·𝟙`: series at a non-zero scalar point.
    Bias,
    /// `--small x`: the biases are O(1) symbols, so every operating point is symbolic.
    SmallInput,
    /// User-defined smooth activations with symbolic parameters (`t + β·t²`, `λ·tanh(t)`).
    Params,
    /// Sums, Hadamard products, scalings and residual connections of smooth branches.
    Branches,
    /// Kinks at the operating point 0: relu, leaky_relu, hard_tanh, elu, selu, celu,
    /// softsign and user-defined piecewise activations.
    Kink,
    /// Piecewise activations whose breakpoints lie away from the operating point 0.
    PiecewiseAway,
    /// Piecewise and polynomial activations at a symbolic operating point (`--small x`).
    PiecewiseSymbolic,
    /// A kink after a smooth layer with `s(0) ≠ 0`: `relu(W2·sigmoid(W1·x + b1) + b2)`.
    KinkAfterOffset,
    /// Known values at multiples of π: `sin(W1·x + b1 + π·𝟙)`, `cos(… + ½π·𝟙)`.
    KnownValues,
    /// Operating points that are 0 or π only through an identity inside a function's
    /// argument (`sin(4·atan(½) + 4·atan(⅓))`, `tanh(log 6 − log 2 − log 3)`), before a kink or
    /// a smooth activation, and odd functions of ±λ that cancel for every λ.
    HiddenZeros,
    /// A branch minus itself or a rescaled copy: identically zero or exactly related; or an
    /// identity of bars that cover their argument (`relu(relu(v)) − relu(v)`, `relu(v − relu(v))`).
    Repeated,
    /// Vector functions and reductions: transposes, `sum`/`mean`, softmax, logsumexp,
    /// layernorm and rmsnorm (numeric η), at 0 or, with `--small x`, around O(1) operating
    /// points, alone or under another layer.
    VectorFunctions,
    /// Token matrices (`:input X`, `X : n×d` with n, d in 2..4): single-head attention with or
    /// without the 1/√d scale, row-wise softmax, layernorm and rmsnorm of `X·W` (with a bias
    /// row `𝟙·bᵀ`, numeric η), element-wise activations of `X·W`, residual connections, pre-LN
    /// blocks and products such as `X·W1·tanh(X·W2)ᵀ·X`.
    TokenMatrices,
    /// The input only linearly, outside every activation (`W2·x + tanh(W1·v1 + b1)`,
    /// `sigmoid(W1·v1 + b1)∘(W2·x)`): affine at every order by the network's form.
    InputLinear,
}

impl Class {
    /// Every class, in declaration order.
    pub const ALL: [Class; 16] = [
        Class::Smooth,
        Class::Offset,
        Class::Bias,
        Class::SmallInput,
        Class::Params,
        Class::Branches,
        Class::Kink,
        Class::PiecewiseAway,
        Class::PiecewiseSymbolic,
        Class::KinkAfterOffset,
        Class::KnownValues,
        Class::HiddenZeros,
        Class::Repeated,
        Class::VectorFunctions,
        Class::TokenMatrices,
        Class::InputLinear,
    ];

    /// The class's name on the command line and in reports (`small-input`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Smooth => "smooth",
            Class::Offset => "offset",
            Class::Bias => "bias",
            Class::SmallInput => "small-input",
            Class::Params => "params",
            Class::Branches => "branches",
            Class::Kink => "kink",
            Class::PiecewiseAway => "piecewise-away",
            Class::PiecewiseSymbolic => "piecewise-symbolic",
            Class::KinkAfterOffset => "kink-after-offset",
            Class::KnownValues => "known-values",
            Class::HiddenZeros => "hidden-zeros",
            Class::Repeated => "repeated",
            Class::VectorFunctions => "vector-functions",
            Class::TokenMatrices => "token-matrices",
            Class::InputLinear => "input-linear",
        }
    }

    /// The class [`name`](Class::name) names.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One generated network: the statements to run and the small symbols.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The family the network was drawn from.
    pub class: Class,
    /// The seed that, with the class, determines the case.
    pub seed: u64,
    /// Definitions then the expression, separated by `; `.
    pub source: String,
    /// `Some(names)`: the `--small` choice; `None`: the default (the input and every vector).
    pub small: Option<Vec<String>>,
    /// Values of the symbolic parameters the source uses (drawn with the case).
    pub params: Vec<(String, f64)>,
}

impl Case {
    /// The command a user runs to see the same analysis.
    pub fn command(&self) -> String {
        let small = match &self.small {
            Some(s) => format!("--small {} ", s.join(",")),
            None => String::new(),
        };
        format!("taylornet analyze {small}'{}'", self.source)
    }
}

/// Smooth catalog activations with `s(0) = 0`.
const SMOOTH_ZERO: [&str; 9] = [
    "tanh",
    "sin",
    "arctan",
    "erf",
    "gelu",
    "silu",
    "mish",
    "gelu_tanh",
    "identity",
];
/// Smooth catalog activations with `s(0) ≠ 0`.
const SMOOTH_OFFSET: [&str; 4] = ["sigmoid", "softplus", "cos", "exp"];
/// Catalog activations with a kink at 0, some with keyword parameters away from their defaults.
const KEYWORD_KINKS: [(&str, &str); 6] = [
    ("elu", "; α = 2"),
    ("elu", ""),
    ("leaky_relu", "; a = 1/5"),
    ("celu", "; α = 1/2"),
    ("selu", "; λ = 2, α = 3/2"),
    ("swish", "; β = 2"),
];
/// Catalog activations with a kink (or a C¹ seam) at 0.
const KINKS: [&str; 7] = [
    "relu",
    "leaky_relu",
    "hard_tanh",
    "elu",
    "selu",
    "celu",
    "softsign",
];
/// User-defined piecewise activations with a breakpoint at 0.
const PIECEWISE_AT_ZERO: [(&str, &str); 3] = [
    ("pw", "pw(t) = if t > 0 then t else t/3"),
    ("vee", "vee(t) = if t < 0 then -t else 2·t"),
    ("seam", "seam(t) = if t > 0 then tanh(t) else t"),
];
/// User-defined piecewise activations with breakpoints away from 0.
const PIECEWISE_AWAY: [(&str, &str); 3] = [
    (
        "clip",
        "clip(t) = if t > 1 then 1 else if t < -1 then -1 else t",
    ),
    ("bend", "bend(t) = if t > 2 then t^2 else t - t^3/3"),
    ("ramp", "ramp(t) = if t < -3 then 0 else tanh(t)"),
];
/// User-defined smooth activations with symbolic parameters (the Greek names are global).
const PARAMETRIC: [(&str, &str, &[&str]); 8] = [
    ("quad", "quad(t) = t + β·t^2", &["β"]),
    ("lin", "lin(t) = λ·t", &["λ"]),
    ("stanh", "stanh(t) = λ·tanh(t)", &["λ"]),
    ("cub", "cub(t) = t + β·t^2 + μ·t^3", &["β", "μ"]),
    // Coefficients under a root: conditions at β = 1 (and 4), where √β is rational.
    ("rquad", "rquad(t) = t + (sqrt(β) − 1)·t^2", &["β"]),
    (
        "rcub",
        "rcub(t) = t + (β − 3·sqrt(β) + 2)·t^2 + μ·t^3",
        &["β", "μ"],
    ),
    // A coefficient in a function of the parameter: the simple zero β = 0.
    ("ssin", "ssin(t) = t + sin(β)·t^2", &["β"]),
    // A zero under a root that denests: β = 3 + 2·√2, where √β = 1 + √2.
    ("rnest", "rnest(t) = t + (β − 2·sqrt(β) − 1)·t^2", &["β"]),
];

/// Builds layers with fresh indices (`W3`, `b3`, …) so branches never share weights by accident.
struct Builder {
    rng: Rng,
    next: usize,
    defs: Vec<String>,
    params: Vec<String>,
}

impl Builder {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.rng.next_u64() % items.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n
    }
    fn define(&mut self, def: &str) {
        if !self.defs.iter().any(|d| d == def) {
            self.defs.push(def.to_string());
        }
    }
    fn param(&mut self, p: &str) {
        if !self.params.iter().any(|q| q == p) {
            self.params.push(p.to_string());
        }
    }
    /// `act(Wₗ·inner + bₗ extra)` with a fresh index l.
    fn layer(&mut self, act: &str, inner: &str, extra: &str) -> String {
        self.next += 1;
        let l = self.next;
        format!("{act}(W{l}·{inner} + b{l}{extra})")
    }
    /// A chain of `depth` layers over `inner`, activations from `acts`.
    fn chain(&mut self, acts: &[&str], depth: usize, inner: &str) -> String {
        let mut s = inner.to_string();
        for _ in 0..depth {
            let act = *self.pick(acts);
            s = self.layer(act, &s, "");
        }
        s
    }
    fn depth(&mut self) -> usize {
        1 + self.below(4) as usize
    }
}

/// The case of a class with a seed.
pub fn generate(class: Class, seed: u64) -> Case {
    let mut b = Builder {
        rng: Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ class as u64),
        next: 0,
        defs: Vec::new(),
        params: Vec::new(),
    };
    let mut small = None;
    let expr = match class {
        Class::Smooth => {
            let d = b.depth();
            b.chain(&SMOOTH_ZERO, d, "x")
        }
        Class::Offset => {
            // An offset activation below at least one more layer, so an operating point appears;
            // at most 4 layers in all.
            let d = 1 + b.below(2) as usize;
            let below = b.below(2) as usize;
            let inner = b.chain(&SMOOTH_ZERO, below, "x");
            let off = *b.pick(&SMOOTH_OFFSET);
            let mid = b.layer(off, &inner, "");
            let mut all: Vec<&str> = SMOOTH_ZERO.to_vec();
            all.extend(SMOOTH_OFFSET);
            b.chain(&all, d, &mid)
        }
        Class::Bias => {
            let acts = ["tanh", "sigmoid", "arctan", "softplus", "gelu", "silu"];
            let offsets = [" + 2·𝟙", " + 0.5·𝟙", " − 𝟙", " + (3/2)·𝟙"];
            let d = 1 + b.below(3) as usize;
            let which = b.below(d as u64) as usize;
            let mut s = "x".to_string();
            for i in 0..d {
                let act = *b.pick(&acts);
                let extra = if i == which { *b.pick(&offsets) } else { "" };
                s = b.layer(act, &s, extra);
            }
            s
        }
        Class::SmallInput => {
            small = Some(vec!["x".to_string()]);
            let mut all: Vec<&str> = SMOOTH_ZERO.to_vec();
            all.retain(|a| *a != "identity");
            all.extend(["sigmoid", "softplus"]);
            let d = 1 + b.below(2) as usize;
            b.chain(&all, d, "x")
        }
        Class::Params => {
            let (name, def, ps) = *b.pick(&PARAMETRIC);
            b.define(def);
            ps.iter().for_each(|p| b.param(p));
            let d = 1 + b.below(3) as usize;
            let mut acts = vec![name, "tanh", "sin"];
            if b.below(2) == 0 {
                acts = vec![name];
            }
            b.chain(&acts, d, "x")
        }
        Class::Branches => {
            let d1 = 1 + b.below(2) as usize;
            let d2 = 1 + b.below(2) as usize;
            let left = b.chain(&SMOOTH_ZERO, d1, "x");
            match b.below(4) {
                0 => {
                    let right = b.chain(&SMOOTH_ZERO, d2, "x");
                    format!("{left} + {right}")
                }
                1 => {
                    let right = b.chain(&SMOOTH_ZERO, d2, "x");
                    format!("({left}) ∘ ({right})")
                }
                2 => {
                    let act = *b.pick(&SMOOTH_ZERO);
                    let outer = b.layer(act, &left, "");
                    format!("{left} + {outer}")
                }
                _ => {
                    let act = *b.pick(&SMOOTH_ZERO);
                    let res = b.layer(act, "x", "");
                    format!("x + {res}")
                }
            }
        }
        Class::Kink => {
            let mut acts: Vec<&str> = KINKS.to_vec();
            if b.below(3) == 0 {
                let (name, def) = *b.pick(&PIECEWISE_AT_ZERO);
                b.define(def);
                acts = vec![name];
            }
            let d = 1 + b.below(2) as usize;
            if b.below(4) == 0 {
                // Keyword parameters away from their defaults, in some layers: each equation of
                // the derivation must hold for the function with them (`elu(t; α = 2)` was
                // written `elu(t)`, beside the default's series).
                let mut s = "x".to_string();
                for _ in 0..d {
                    let (act, keyword) = *b.pick(&KEYWORD_KINKS);
                    s = b.layer(act, &s, keyword);
                }
                s
            } else {
                b.chain(&acts, d, "x")
            }
        }
        Class::PiecewiseAway => {
            let (name, def) = *b.pick(&PIECEWISE_AWAY);
            b.define(def);
            let d = 1 + b.below(3) as usize;
            b.chain(&[name, "tanh"], d, "x")
        }
        Class::PiecewiseSymbolic => {
            small = Some(vec!["x".to_string()]);
            let mut acts: Vec<&str> = vec!["relu", "leaky_relu", "hard_tanh", "square"];
            if b.below(3) == 0 {
                let (name, def) = *b.pick(&PIECEWISE_AT_ZERO[..2]);
                b.define(def);
                acts = vec![name];
            }
            let d = 1 + b.below(2) as usize;
            let first = b.next + 1;
            let mut net = b.chain(&acts, d, "x");
            if b.below(3) == 0 {
                // Operating points of a certified sign (`−a₁^∘2 ≤ 0`, `|a₁| ≥ 0`): every entry
                // on one piece, whose derivatives alone the expansion takes. The biases stay,
                // small, so the compensated claim is checked too (a bias cancels the point).
                let mut names = vec!["x".to_string()];
                for l in first..=b.next {
                    let signed = *b.pick(&["+ A^∘2", "− A^∘2", "+ abs(A)", "− abs(A) − A^∘2"]);
                    let signed = signed.replace('A', &format!("a{l}"));
                    net = net.replace(&format!("+ b{l})"), &format!("+ b{l} {signed})"));
                    names.push(format!("b{l}"));
                }
                small = Some(names);
            }
            net
        }
        Class::KinkAfterOffset => {
            let off = *b.pick(&["sigmoid", "softplus", "cos"]);
            let kink = *b.pick(&["relu", "leaky_relu", "hard_tanh"]);
            let inner = b.layer(off, "x", "");
            b.layer(kink, &inner, "")
        }
        Class::KnownValues => {
            let act = *b.pick(&["sin", "cos", "tanh", "arctan"]);
            let shift = *b.pick(&[" + π·𝟙", " + (1/2)·π·𝟙", " − π·𝟙", " + 2·π·𝟙"]);
            let inner = if b.below(2) == 0 {
                "x".to_string()
            } else {
                b.layer("tanh", "x", "")
            };
            b.layer(act, &inner, shift)
        }
        Class::HiddenZeros => {
            // Each is exactly 0 (4·atan(½) + 4·atan(⅓) = π; log 6 = log 2 + log 3), or π.
            const ZEROS: [&str; 5] = [
                "sin(4·atan(1/2) + 4·atan(1/3))",
                "tanh(log(6) − log(2) − log(3))",
                "cos(2·atan(1/2) + 2·atan(1/3))",
                "(4·atan(1/2) + 4·atan(1/3) − π)",
                "tan(4·atan(1/2) + 4·atan(1/3))",
            ];
            let inner = if b.below(2) == 0 {
                "x".to_string()
            } else {
                b.layer("tanh", "x", "")
            };
            match b.below(3) {
                0 => {
                    let act = *b.pick(&["relu", "leaky_relu", "abs", "tanh", "sin", "sigmoid"]);
                    let zero = *b.pick(&ZEROS);
                    b.layer(act, &inner, &format!(" + {zero}·𝟙"))
                }
                1 => {
                    // sin and cos at π written as 4·atan(½) + 4·atan(⅓).
                    let act = *b.pick(&["sin", "cos"]);
                    b.layer(act, &inner, " + (4·atan(1/2) + 4·atan(1/3))·𝟙")
                }
                _ => {
                    // tanh(v + c) + tanh(−(v − c)) with c = tanh(½): odd in c's sign.
                    let l = b.next + 1;
                    b.next = l;
                    let v = format!("W{l}·{inner} + b{l}");
                    let act = *b.pick(&["tanh", "sin", "atan"]);
                    format!(
                        "{act}({v} + tanh(1/2)·𝟙) + {act}({v} − tanh(1/2)·𝟙) + {act}(tanh(−1/2)·𝟙)"
                    )
                }
            }
        }
        Class::Repeated => {
            let offset: Vec<&str> = vec!["sigmoid", "softplus"];
            let inner = if b.below(2) == 0 {
                b.chain(&["tanh"], 1, "x")
            } else {
                b.chain(&offset, 1, "x")
            };
            let act = *b.pick(&["tanh", "relu", "sin"]);
            let l = b.next + 1;
            let branch = format!("{act}(W{l}·{inner} + b{l})");
            match b.below(4) {
                0 => format!("{branch} − {branch}"),
                1 => format!("2·{branch} − {branch}"),
                2 => {
                    // Identities of bars that cover their argument (|v| ≥ ±v), each a kink
                    // or identically 0 (+ W·inner, to keep a linear part: without the bias,
                    // which a compensated analysis moves inside the layer only).
                    let v = format!("W{l}·{inner} + b{l}");
                    let relu = format!("relu({v})");
                    let linear = format!("W{l}·{inner}");
                    match b.below(5) {
                        0 => format!("relu({relu}) − {relu}"),
                        1 => format!("relu(−{relu}) + {linear}"),
                        2 => format!("abs({relu}) − {relu} + {linear}"),
                        3 => format!("relu({v} − {relu})"),
                        _ => format!("leaky_relu({relu}) + relu(2·{relu})"),
                    }
                }
                _ => {
                    let doubled = format!("{act}(2·(W{l}·{inner} + b{l}))");
                    if act == "relu" {
                        format!("{doubled} − 2·{branch}")
                    } else {
                        format!("{doubled} + {branch}")
                    }
                }
            }
        }
        Class::VectorFunctions => {
            if b.below(3) == 0 {
                small = Some(vec!["x".to_string()]);
            }
            let inner = match b.below(3) {
                0 => "x".to_string(),
                1 => b.layer("tanh", "x", ""),
                _ => {
                    let l = b.next + 1;
                    b.next += 1;
                    format!("(x − mean(x)·𝟙 + (a{l}ᵀ·x)·v{l})")
                }
            };
            let eps = *b.pick(&["1/2", "1", "2", "1/10"]);
            let f = match b.below(7) {
                0 => b.layer("softmax", &inner, ""),
                1 => b.layer("logsumexp", &inner, ""),
                2 => b.layer("layernorm", &inner, &format!("; eps = {eps}")),
                3 => {
                    let l = b.next + 1;
                    b.layer(
                        "layernorm",
                        &inner,
                        &format!("; eps = {eps}, γ = g{l}, β = h{l}"),
                    )
                }
                4 => b.layer("rmsnorm", &inner, &format!("; eps = {eps}")),
                5 => {
                    let sm = b.layer("softmax", &inner, "");
                    format!("sum({sm})·{inner} + W{}ᵀ·{sm}", b.next + 1)
                }
                _ => {
                    let ls = b.layer("logsumexp", &inner, "");
                    format!("{ls}·mean({inner})")
                }
            };
            // Vector results sometimes feed one more layer.
            let vector = !f.starts_with("logsumexp") && !f.contains("·mean(");
            if vector && b.below(2) == 0 {
                let act = *b.pick(&["tanh", "sigmoid", "sin"]);
                b.layer(act, &f, "")
            } else {
                f
            }
        }
        Class::TokenMatrices => token_matrix(&mut b),
        Class::InputLinear => {
            let mut acts: Vec<&str> = SMOOTH_ZERO.to_vec();
            acts.extend(SMOOTH_OFFSET);
            let v = format!("v{}", b.next + 1);
            let d = 1 + b.below(2) as usize;
            let free = b.chain(&acts, d, &v);
            b.next += 1;
            let m = b.next;
            match b.below(4) {
                0 => format!("W{m}·x + {free}"),
                1 => format!("{free} ∘ (W{m}·x)"),
                2 => {
                    let other = b.chain(&acts, 1, &v);
                    format!("W{m}·x + ({free}) ∘ ({other}) + {other}∘(W{m}·x)")
                }
                // A polynomial of an activation that is 0 at 0 (a square of an O(1) part has
                // no bias to absorb it in the compensated analysis).
                _ => {
                    let zero = b.chain(&SMOOTH_ZERO, 1, &v);
                    format!("W{m}·x + square({zero})")
                }
            }
        }
    };
    let params = b
        .params
        .iter()
        .map(|p| {
            // Parameters away from the special values 0 and 1.
            let v = 0.35 + 0.9 * b.rng.uniform();
            (p.clone(), (v * 1000.0).round() / 1000.0)
        })
        .collect();
    let mut source = b.defs.join("; ");
    if !source.is_empty() {
        source.push_str("; ");
    }
    source.push_str(&expr);
    Case {
        class,
        seed,
        source,
        small,
        params,
    }
}

/// A token-matrix network: the declarations `:input X; X : n×d` go first among the definitions.
///
/// Every weight is a fresh symbol whose shape the product fixes; O(1) offsets inside a softmax
/// (an O(1) `β` before attention) are not drawn: the analysis refuses them by design.
fn token_matrix(b: &mut Builder) -> String {
    let n = 2 + b.below(3);
    let d = 2 + b.below(3);
    b.define(":input X");
    b.define(&format!("X : {n}×{d}"));
    let eps = *b.pick(&["1/2", "1", "2", "1/10"]);
    let scale = match b.below(3) {
        0 => String::new(),
        1 => format!("/√{d}"),
        _ => format!("/{d}"),
    };
    let l = b.next + 1;
    b.next += 1;
    // Attention over the tokens `z`, its value weights square so a residual can be added.
    let attention = |z: &str| format!("softmax({z}·Q{l}·({z}·K{l})ᵀ{scale})·{z}·V{l}");
    let bias = if b.below(2) == 0 {
        format!(" + 𝟙·b{l}ᵀ")
    } else {
        String::new()
    };
    match b.below(11) {
        0 => attention("X"),
        1 => format!("X + {}", attention("X")),
        2 => {
            let norm = *b.pick(&["layernorm", "rmsnorm"]);
            b.define(&format!("Z{l} = {norm}(X; eps = {eps})"));
            format!("X + {}", attention(&format!("Z{l}")))
        }
        3 => format!("softmax(X·W{l}{bias})"),
        4 if b.below(2) == 0 => {
            // γ and β O(1) (only X is small), so 𝓛 and B are O(1) too; a bias row would put
            // the norm at an O(1) operating point that is not a number times 𝟙·𝟙ᵀ, which is
            // refused by design, so there is none.
            b.define(":small X");
            format!("layernorm(X·W{l}; eps = {eps}, γ = g{l}, β = h{l})")
        }
        4 => format!("layernorm(X·W{l}{bias}; eps = {eps})"),
        5 => format!("rmsnorm(X·W{l}{bias}; eps = {eps})"),
        6 => {
            let mut acts: Vec<&str> = SMOOTH_ZERO.to_vec();
            acts.extend(["sigmoid", "softplus"]);
            let act = *b.pick(&acts);
            if b.below(2) == 0 {
                format!("{act}(X·W{l}{bias})·U{l}")
            } else {
                format!("X + {act}(X·W{l}{bias})·U{l}")
            }
        }
        7 => {
            let act = *b.pick(&["tanh", "sin", "gelu"]);
            format!("X·W{l}·{act}(X·U{l})ᵀ·X")
        }
        8 => {
            // Attention over features an element-wise layer made, with its residual.
            let act = *b.pick(&["tanh", "sin", "gelu", "silu"]);
            b.define(&format!("T{l} = {act}(X·W{l})"));
            format!("T{l} + {}", attention(&format!("T{l}")))
        }
        9 => {
            // A transformer block: attention with its residual, then an MLP with its own.
            let act = *b.pick(&["tanh", "gelu", "silu", "sigmoid"]);
            b.define(&format!("Z{l} = X + {}", attention("X")));
            format!("Z{l} + {act}(Z{l}·W{l}{bias})·U{l}")
        }
        _ => {
            let inner = format!("softmax(X·W{l}·Xᵀ{scale})·X");
            let norm = *b.pick(&["layernorm", "rmsnorm"]);
            format!("{norm}({inner}; eps = {eps})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_case_and_seeds_differ() {
        for class in Class::ALL {
            assert_eq!(generate(class, 7), generate(class, 7));
            let distinct: std::collections::BTreeSet<String> =
                (0..20).map(|s| generate(class, s).source).collect();
            assert!(distinct.len() > 1, "{}", class.name());
        }
    }

    #[test]
    fn every_generated_case_parses_and_analyses() {
        for class in Class::ALL {
            for seed in 0..10 {
                let case = generate(class, seed);
                let mut s = crate::Session::new();
                if let Some(small) = &case.small {
                    s.options.small = Some(
                        small
                            .iter()
                            .map(|n| crate::syntax::Name::parse(n).expect("a name"))
                            .collect(),
                    );
                }
                let out = s.run(&case.source);
                assert!(out.is_ok(), "{}: {:?}", case.command(), out.err());
            }
        }
    }

    #[test]
    fn class_names_round_trip() {
        for class in Class::ALL {
            assert_eq!(Class::from_name(class.name()), Some(class));
        }
    }
}
