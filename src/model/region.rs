//! The exact affine region of a piecewise-linear network around a data point x₀.
//!
//! Every value is carried exactly as its value at x₀ and its gradient in x (rational weights
//! give rational pre-activations). Each activation entry's piece is decided by exact
//! comparisons; the piece holds while every comparison on its path keeps its side, i.e. while
//! the pre-activation z moves less than its distance d to the nearest breakpoint. Inside the
//! ball where no entry reaches its breakpoint the activation pattern is constant, every later
//! pre-activation stays the same affine function of x, and the network is exactly affine:
//! r∞ = min d/‖∇z‖₁ and r₂ = min d/‖∇z‖₂ (the dual norms), r₂ kept exact as √(d²/‖∇z‖₂²).

use crate::algebra::{Q, Scalar};
pub(crate) use crate::analysis::instance::{BreakpointEffect, Neuron, Region, Sides};
use crate::analysis::instance::{Mat, Num};
use crate::ir::{Callee, Dim, Env, FunDef, Ir, IrKind, Lowered, Prim};
use crate::syntax::Name;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Why the network is not handled here (a smooth activation, a symbolic parameter, …).
pub(crate) type Why = String;

#[derive(Clone, Debug)]
struct Aff {
    rows: usize,
    cols: usize,
    scalar: bool,
    v: Vec<Q>,
    /// The gradient of each entry (None: constant).
    g: Option<Vec<Vec<Q>>>,
    /// The entries whose value at x₀ is not rational (softplus(0) = log 2), for the germ and
    /// values only: such a value is held as 0 and may reach the output, or be multiplied by an
    /// exact 0, but not an activation's comparison nor a gradient. None: every value is exact.
    unknown: Option<Vec<bool>>,
    /// The gradient coordinates with a part that is not rational (the germ only: a slope at x₀
    /// that is not rational, tanh′(3), or a value that is not rational times a gradient), entry
    /// by entry: that part as an exact constant where it is carried (see [`Part`]), else its
    /// sign when it is known (tanh′(3) > 0), `g` holding the rational rest. A bar's coefficient
    /// that is exactly 0 stays so through them, and one of known sign keeps it, so the bars
    /// still decide. None: every coordinate is exact.
    gu: Option<Vec<Vec<Option<Part>>>>,
    /// Values only: the exact value, as a constant, of each entry whose value is not rational
    /// (σ(1), tanh(3) − 2·tanh(1)), when it is small enough to carry (see [`SHADOW_WEIGHT`]).
    /// An exact value that turns out rational (σ(1) − σ(1) = 0) makes its entry known again,
    /// and an activation of one is decided by the exact sign of its comparisons.
    ex: Option<Vec<Option<Scalar>>>,
}

/// The largest exact value carried for an entry that is not rational (terms, counted through
/// nested function values): past it, the value is unknown only.
const SHADOW_WEIGHT: usize = 4096;

/// The size of an exact constant, counted up to `cap` (terms and the arguments of its atoms).
fn weight(s: &Scalar, cap: usize) -> usize {
    use crate::algebra::scalar::Atom;
    let mut w = 0;
    for (m, _) in s.terms() {
        w += 1;
        for (atom, _) in m.factors() {
            if w > cap {
                return w;
            }
            if let Atom::Func(_, inner) | Atom::Group(inner) = atom {
                w += weight(inner, cap - w.min(cap));
            }
        }
    }
    w
}

/// The sign of a part of a gradient coordinate that is not rational (see [`Aff::gu`]); `None`
/// where such a sign stands for a part that is exactly 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sign {
    Positive,
    Negative,
    Any,
}

impl Sign {
    fn of(q: &Q) -> Option<Sign> {
        match q.partial_cmp(&0u32) {
            Some(std::cmp::Ordering::Greater) => Some(Sign::Positive),
            Some(std::cmp::Ordering::Less) => Some(Sign::Negative),
            _ => None,
        }
    }
    fn times(self, o: Sign) -> Sign {
        match (self, o) {
            (Sign::Any, _) | (_, Sign::Any) => Sign::Any,
            (a, b) if a == b => Sign::Positive,
            _ => Sign::Negative,
        }
    }
    /// Times an exact q (None: q = 0, the product is exactly 0).
    fn times_q(self, q: &Q) -> Option<Sign> {
        Sign::of(q).map(|o| self.times(o))
    }
    /// The sign of a sum of two parts, each of its sign or exactly 0 (None).
    fn plus(a: Option<Sign>, b: Option<Sign>) -> Option<Sign> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(x), Some(y)) if x == y => Some(x),
            _ => Some(Sign::Any),
        }
    }
}

/// The part of a gradient coordinate that is not rational (see [`Aff::gu`]), never 0 by its
/// form: the exact constant while it is small enough to carry ([`SHADOW_WEIGHT`]), so that
/// parts of opposite signs are added exactly (tanh′(1) − tanh′(2) = tanh(2)² − tanh(1)², whose
/// sign `algebra::sign` decides, or σ′(1) − σ′(1), which cancels by its form); past that, or
/// after a factor that is not carried, its sign only.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Exact(Scalar),
    Signed(Sign),
}

impl Part {
    /// The part `x`, None when it is 0 by its form.
    fn of(x: Scalar) -> Option<Part> {
        if x.is_zero() {
            None
        } else if weight(&x, SHADOW_WEIGHT) <= SHADOW_WEIGHT {
            Some(Part::Exact(x))
        } else {
            Some(Part::Signed(sign_of(&x)))
        }
    }
    /// A factor that is not rational, from its exact value where that is carried (else, or
    /// where it is 0 by its form though held unknown, of any sign).
    fn factor(x: Option<Scalar>) -> Part {
        x.and_then(Part::of).unwrap_or(Part::Signed(Sign::Any))
    }
    /// The part's sign (of an exact part, as `algebra::sign` decides it).
    fn sign(&self) -> Sign {
        match self {
            Part::Exact(x) => sign_of(x),
            Part::Signed(s) => *s,
        }
    }
    /// The part with `q` added (the exact value of a whole coordinate), None when that is 0 by
    /// its form.
    fn plus_q(&self, q: &Q) -> Option<Part> {
        match self {
            Part::Exact(x) => Part::of(x.add(&Scalar::from_q(q.clone()))),
            Part::Signed(s) => Sign::plus(Sign::of(q), Some(*s)).map(Part::Signed),
        }
    }
    fn times(&self, o: &Part) -> Part {
        match (self, o) {
            (Part::Exact(x), Part::Exact(y))
                if weight(x, SHADOW_WEIGHT) * weight(y, SHADOW_WEIGHT) <= SHADOW_WEIGHT =>
            {
                Part::of(x.mul(y)).unwrap_or(Part::Signed(Sign::Any))
            }
            _ => Part::Signed(self.sign().times(o.sign())),
        }
    }
    /// Times an exact q (None: q = 0, the product is exactly 0).
    fn times_q(&self, q: &Q) -> Option<Part> {
        match self {
            Part::Exact(x) => Part::of(x.scale(q)),
            Part::Signed(s) => s.times_q(q).map(Part::Signed),
        }
    }
    /// A sum of two parts, each of its value or exactly 0 (None): exact while both are.
    fn plus(a: Option<Part>, b: Option<Part>) -> Option<Part> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(Part::Exact(x)), Some(Part::Exact(y))) => Part::of(x.add(&y)),
            (Some(x), Some(y)) => Sign::plus(Some(x.sign()), Some(y.sign())).map(Part::Signed),
        }
    }
}

/// A coordinate of an output's gradient at x₀: exact, or with a part that is not rational (the
/// germ only), of the sign of the whole when that is known.
#[derive(Clone, Debug)]
enum Coordinate {
    Exact(Q),
    Unknown(Sign),
}

impl Coordinate {
    fn exact(self) -> Option<Q> {
        match self {
            Coordinate::Exact(q) => Some(q),
            Coordinate::Unknown(_) => None,
        }
    }
}

fn zero() -> Q {
    Q::from(0u32)
}

/// Whether a comparison in `callee`'s body reads one of its parameters (or calls a
/// definition, which may): if not, where it changes piece does not depend on their values.
fn comparisons_read_parameters(callee: &Callee) -> bool {
    use crate::ir::visit::{Step, walk};
    let Callee::Def(d) = callee else {
        return false;
    };
    let reads = |ir: &Ir| {
        let mut found = false;
        walk(ir, |n| {
            if matches!(n.kind(), IrKind::Param(_))
                || matches!(
                    n.kind(),
                    IrKind::Apply {
                        callee: Callee::Def(_),
                        ..
                    }
                )
            {
                found = true;
                return Step::Stop;
            }
            Step::Descend
        });
        found
    };
    let mut found = false;
    walk(&d.body, |n| {
        if let IrKind::If { lhs, rhs, .. } = n.kind()
            && (reads(lhs) || reads(rhs))
        {
            found = true;
            return Step::Stop;
        }
        Step::Descend
    });
    found
}

/// A mask of unknown values, None when it marks none.
fn mask(unknown: Vec<bool>) -> Option<Vec<bool>> {
    unknown.contains(&true).then_some(unknown)
}

/// The sign of an exact constant, when it is decided (see `algebra::sign`).
fn sign_of(s: &Scalar) -> Sign {
    sign_from(s.sign())
}

/// [`Sign`] of a decided comparison with 0 (`Any` where it is not decided, or is 0).
fn sign_from(o: Option<std::cmp::Ordering>) -> Sign {
    match o {
        Some(std::cmp::Ordering::Greater) => Sign::Positive,
        Some(std::cmp::Ordering::Less) => Sign::Negative,
        _ => Sign::Any,
    }
}

/// A mask of gradient coordinates with an unknown part, None when it marks none.
fn grad_mask(unknown: Vec<Vec<Option<Part>>>) -> Option<Vec<Vec<Option<Part>>>> {
    (unknown.iter().flatten().any(Option::is_some)).then_some(unknown)
}

const NOT_RATIONAL: &str =
    "a value at x₀ that is not rational would be compared with a breakpoint or multiply a slope";

const SLOPE_NOT_RATIONAL: &str = "a slope at x₀ that is not rational reaches an entry on its breakpoint, or whether the kinks cancel depends on one";

impl Aff {
    fn constant(rows: usize, cols: usize, scalar: bool, v: Vec<Q>) -> Aff {
        Aff {
            rows,
            cols,
            scalar,
            v,
            g: None,
            unknown: None,
            gu: None,
            ex: None,
        }
    }
    /// A scalar whose value is not rational (values only).
    fn unknown_scalar() -> Aff {
        Aff {
            unknown: Some(vec![true]),
            ..Aff::constant(1, 1, true, vec![zero()])
        }
    }
    fn unknown_at(&self, k: usize) -> bool {
        self.unknown.as_ref().is_some_and(|u| u[k])
    }
    fn any_unknown(&self) -> bool {
        self.unknown.as_ref().is_some_and(|u| u.contains(&true))
    }
    /// Entry k is exactly 0 (an unknown value is not).
    fn known_zero(&self, k: usize) -> bool {
        !self.unknown_at(k) && self.v[k] == 0u32
    }
    fn grad(&self, k: usize, n: usize) -> Vec<Q> {
        match &self.g {
            Some(g) => g[k].clone(),
            None => vec![zero(); n],
        }
    }
    /// A 1×1 value repeated in the shape of `like`, gradient, unknowns and all.
    fn repeated(&self, like: &Aff) -> Aff {
        let len = like.v.len();
        Aff {
            rows: like.rows,
            cols: like.cols,
            scalar: false,
            v: vec![self.v[0].clone(); len],
            g: self.g.as_ref().map(|g| vec![g[0].clone(); len]),
            unknown: self.unknown.as_ref().map(|u| vec![u[0]; len]),
            gu: self.gu.as_ref().map(|u| vec![u[0].clone(); len]),
            ex: self.ex.as_ref().map(|e| vec![e[0].clone(); len]),
        }
    }
    /// The exact value of entry k: rational, or carried as a constant (values only).
    fn exact_value(&self, k: usize) -> Option<Scalar> {
        if self.unknown_at(k) {
            self.ex.as_ref().and_then(|e| e[k].clone())
        } else {
            Some(Scalar::from_q(self.v[k].clone()))
        }
    }
    /// The size of entry k's exact value (1 when rational; past [`SHADOW_WEIGHT`] when it is
    /// not carried), to skip a result too large to carry before computing it.
    fn exact_weight(&self, k: usize) -> usize {
        if !self.unknown_at(k) {
            return 1;
        }
        match self.ex.as_ref().and_then(|e| e[k].as_ref()) {
            Some(x) => weight(x, SHADOW_WEIGHT),
            None => SHADOW_WEIGHT + 1,
        }
    }
    /// Values only: the exact values of the unknown entries from `value(k)`, those that are
    /// rational made known again (a value that is not carried stays unknown).
    fn shadow(&mut self, value: impl Fn(usize) -> Option<Scalar>) {
        let Some(unknown) = self.unknown.take() else {
            self.ex = None;
            return;
        };
        let mut ex = vec![None; self.v.len()];
        let mut still = unknown.clone();
        for (k, u) in unknown.iter().enumerate() {
            let Some(x) = u.then(|| value(k)).flatten() else {
                continue;
            };
            if let Some(q) = x.to_q() {
                self.v[k] = q;
                still[k] = false;
            } else if weight(&x, SHADOW_WEIGHT) <= SHADOW_WEIGHT {
                ex[k] = Some(x);
            }
        }
        self.unknown = mask(still);
        self.ex = (self.unknown.is_some() && ex.iter().any(Option::is_some)).then_some(ex);
    }
    /// Values only and the germ: the entries whose exact value is 0 though not by its form
    /// (σ(1) + σ(−1) − 1, decided by the exact zero test of `algebra::sign`) made known, so that
    /// an activation decides their piece, or finds them on a breakpoint, and a product or a power
    /// takes them, as for a rational 0. Asked where they are needed, not after every operation:
    /// the test evaluates the constant.
    fn exact_zeros_known(mut self) -> Aff {
        let (Some(unknown), Some(ex)) = (self.unknown.as_mut(), self.ex.as_mut()) else {
            return self;
        };
        for k in 0..unknown.len() {
            if unknown[k] && ex[k].as_ref().is_some_and(Scalar::is_constant_zero) {
                unknown[k] = false;
                ex[k] = None;
                self.v[k] = zero();
            }
        }
        let still = self.unknown.take().unwrap_or_default();
        self.unknown = mask(still);
        if self.unknown.is_none()
            || self
                .ex
                .as_ref()
                .is_some_and(|e| e.iter().all(Option::is_none))
        {
            self.ex = None;
        }
        self
    }
    /// The part of coordinate d of entry k's gradient that is not rational.
    fn g_unknown(&self, k: usize, d: usize) -> Option<&Part> {
        self.gu.as_ref().and_then(|u| u[k][d].as_ref())
    }
    /// Some coordinate of entry k's gradient is not rational.
    fn grad_unknown(&self, k: usize) -> bool {
        self.gu
            .as_ref()
            .is_some_and(|u| u[k].iter().any(Option::is_some))
    }
    /// Coordinate d of entry k's gradient, its rational part and the rest together, as a part
    /// (None: exactly 0).
    fn g_whole(&self, k: usize, d: usize) -> Option<Part> {
        let exact = self.g.as_ref().map_or_else(zero, |g| g[k][d].clone());
        match self.g_unknown(k, d) {
            Some(part) => part.plus_q(&exact),
            None => Sign::of(&exact).map(|_| Part::Exact(Scalar::from_q(exact))),
        }
    }
    /// The sign of coordinate d of entry k's gradient, rational part and the rest together
    /// (None: exactly 0).
    fn g_sign(&self, k: usize, d: usize) -> Option<Sign> {
        self.g_whole(k, d).map(|p| p.sign())
    }
    /// The unknown parts of entry k's gradient, or a row of `None`.
    fn grad_mask_row(&self, k: usize, n: usize) -> Vec<Option<Part>> {
        match &self.gu {
            Some(u) => u[k].clone(),
            None => vec![None; n],
        }
    }
    /// Entry k's gradient times a factor that is not rational (exact, or of a sign): every
    /// coordinate not exactly 0 becomes unknown, the exact product while both are exact, else
    /// of the sign of the product when both signs are known.
    fn grad_times_unknown(&mut self, k: usize, factor: &Part) {
        let n = match &self.g {
            Some(g) => g[k].len(),
            None => return,
        };
        let signs: Vec<Option<Part>> = (0..n)
            .map(|d| self.g_whole(k, d).map(|p| p.times(factor)))
            .collect();
        let rows = self.v.len();
        let mut gu = self.gu.take().unwrap_or_else(|| vec![vec![None; n]; rows]);
        gu[k] = signs;
        if let Some(g) = &mut self.g {
            g[k].iter_mut().for_each(|e| *e = zero());
        }
        self.gu = grad_mask(gu);
    }
    /// Entry k's gradient times an exact q.
    fn grad_times_q(&mut self, k: usize, q: &Q) {
        if let Some(g) = &mut self.g {
            g[k].iter_mut().for_each(|e| *e = &*e * q);
        }
        if let Some(gu) = &mut self.gu {
            gu[k]
                .iter_mut()
                .for_each(|u| *u = u.as_ref().and_then(|p| p.times_q(q)));
        }
    }
}

/// Work counter: every exact operation on an entry costs one unit.
struct Ctx<'a> {
    env: &'a Env,
    dims: BTreeMap<Dim, usize>,
    input: &'a Name,
    x0: &'a [Q],
    neurons: Vec<Neuron>,
    patterns: Vec<(usize, String, String)>,
    /// The activation of each layer, in the expansion's numbering (see `eval`).
    layers: Vec<String>,
    layer: usize,
    work: u64,
    /// When the germ of the network at x₀ is asked for (see [`germ`]): the room for bars.
    germ: Option<Bars>,
    /// Values only, no gradients (see [`entries_on_breakpoints`]).
    values_only: bool,
    /// A smooth function or a product of two terms in the input was taken to first order:
    /// the germ is then the network's first order only, not an affine map on a ball.
    curved: bool,
    /// Values only: the entries (layer, activation, index) whose input at x₀ is not rational,
    /// so that whether they sit on a breakpoint is not decided.
    undetermined: Vec<(usize, String, usize)>,
    /// Values only: the entries whose input at x₀ is not rational and sits exactly on a
    /// breakpoint, decided by exact signs (σ(1) + σ(−1) at hard_tanh's 1).
    on_exact: Vec<(usize, String, usize)>,
    /// Values only: the undetermined entries whose input is too close to a tie to tell.
    ties: Vec<(usize, String, usize)>,
}

/// An activation at an exact value that is not rational (see [`Ctx::jet_at`]).
enum Jet {
    /// Off every breakpoint: the value and the slope there.
    At(Scalar, Scalar),
    /// Exactly on a breakpoint, decided.
    OnBreakpoint,
    /// A comparison there too close to its tie for 2048-bit floats and not decided exactly
    /// (an identity beyond powers of e): whether it sits on a breakpoint is not known.
    Tie,
    /// Not decided, or too large to carry.
    Unknown,
}

/// The bars met so far, each a gradient coordinate after the input's own: an entry on its
/// breakpoint, z = z₀ + t, adds c·|t| to the linear part of its value. Its argument t is a
/// linear form in x − x₀ (a plain bar |v·(x − x₀)|) or also holds earlier bars (a bar inside a
/// bar, when a kink reaches an entry on its own breakpoint).
struct Bars {
    /// At most this many (one per entry on its breakpoint at x₀).
    room: usize,
    /// Each bar's argument over (x − x₀, earlier bars), scaled so that its first non-zero
    /// entry is 1: two bars are the same when their arguments are proportional.
    arguments: Vec<Vec<Q>>,
}

impl Bars {
    /// Whether some bar holds another.
    fn nested(&self, inputs: usize) -> bool {
        (self.arguments.iter()).any(|a| a[inputs..].iter().any(|c| *c != 0u32))
    }
}

const MAX_WORK: u64 = 50_000_000;

fn not_pl(what: &str) -> Why {
    format!(
        "not piecewise linear ({what}): the affine region is for ReLU-like networks; a smooth network has the radius of affinity σ* instead"
    )
}

impl<'a> Ctx<'a> {
    /// A context at `x0`, before any layer.
    fn new(
        env: &'a Env,
        dims: BTreeMap<Dim, usize>,
        input: &'a Name,
        x0: &'a [Q],
        germ: Option<Bars>,
        values_only: bool,
    ) -> Ctx<'a> {
        Ctx {
            env,
            dims,
            input,
            x0,
            neurons: Vec::new(),
            patterns: Vec::new(),
            layers: Vec::new(),
            layer: 0,
            work: 0,
            germ,
            values_only,
            curved: false,
            undetermined: Vec::new(),
            on_exact: Vec::new(),
            ties: Vec::new(),
        }
    }

    /// The length of a gradient: the input's entries, then the bars' coordinates.
    fn n(&self) -> usize {
        if self.values_only {
            return 0;
        }
        self.x0.len() + self.germ.as_ref().map_or(0, |b| b.room)
    }
    /// Smooth functions are taken to first order: for the germ and for values, never for the
    /// region (which claims exact affinity on a ball).
    fn smooth(&self) -> Smooth {
        if self.germ.is_some() {
            Smooth::FirstOrder
        } else if self.values_only {
            Smooth::Values
        } else {
            Smooth::Off
        }
    }
    fn spend(&mut self, units: u64) -> Result<(), Why> {
        self.work = self.work.saturating_add(units);
        if self.work > MAX_WORK || crate::limits::interrupted() {
            return Err("the affine region needs too much exact arithmetic for this network (or the time budget ran out)".into());
        }
        Ok(())
    }
    fn dim(&self, d: &Dim) -> Result<usize, Why> {
        match d {
            Dim::Known(n) => Ok(*n as usize),
            d => self
                .dims
                .get(d)
                .copied()
                .ok_or_else(|| "a dimension no value fixes".to_string()),
        }
    }

    fn eval(&mut self, ir: &Ir) -> Result<Aff, Why> {
        self.spend(1)?;
        let n = self.n();
        Ok(match ir.kind() {
            IrKind::Num(q) => Aff::constant(1, 1, true, vec![q.clone()]),
            // Values only: a constant that is not rational is held unknown, with its value.
            IrKind::Pi | IrKind::E if self.exact_values() => {
                let value = match ir.kind() {
                    IrKind::Pi => Scalar::pi(),
                    _ => Scalar::e_pow(Q::from(1u32)),
                };
                Aff {
                    ex: Some(vec![Some(value)]),
                    ..Aff::unknown_scalar()
                }
            }
            IrKind::Pi | IrKind::E => return Err("π and e are not rational".into()),
            IrKind::Param(p) => return Err(format!("the parameter {p} is symbolic")),
            IrKind::Var | IrKind::If { .. } => {
                return Err("a function body outside its function".into());
            }
            IrKind::Sym(s) => {
                if &s.name == self.input && self.values_only {
                    // Gradients of length 0: they only mark what moves with x.
                    Aff {
                        g: Some(vec![Vec::new(); self.x0.len()]),
                        ..Aff::constant(self.x0.len(), 1, false, self.x0.to_vec())
                    }
                } else if &s.name == self.input {
                    // Every entry carries its gradient: n² exact values, whose loops do not
                    // stop for the memory ceiling (from a review: a 4 000-vector input took
                    // 1.8 GB here past `--max-memory 256`).
                    if self.x0.len().saturating_mul(n) > crate::numeric::MAX_DENSE_ENTRIES {
                        return Err(format!(
                            "the input's {} entries would carry gradients of {n} entries each, more than the {} the exact evaluation holds",
                            self.x0.len(),
                            crate::numeric::MAX_DENSE_ENTRIES
                        ));
                    }
                    let g = (0..self.x0.len())
                        .map(|i| (0..n).map(|j| Q::from(u32::from(i == j))).collect())
                        .collect();
                    Aff {
                        rows: self.x0.len(),
                        cols: 1,
                        scalar: false,
                        v: self.x0.to_vec(),
                        g: Some(g),
                        unknown: None,
                        gu: None,
                        ex: None,
                    }
                } else {
                    let t = self
                        .env
                        .values
                        .get(&s.name)
                        .ok_or_else(|| format!("{} has no value", s.name))?;
                    Aff::constant(t.rows, t.cols.unwrap_or(1), false, t.data.clone())
                }
            }
            IrKind::Ones => {
                let r = self.dim(&ir.shape().rows)?;
                Aff::constant(r, 1, false, vec![Q::from(1u32); r])
            }
            IrKind::Bound { value, .. } => self.eval(value)?,
            IrKind::Neg(x) => {
                let mut a = self.eval(x)?;
                a.v.iter_mut().for_each(|e| *e = -&*e);
                let minus_one = Q::from(-1i32);
                for k in 0..a.v.len() {
                    a.grad_times_q(k, &minus_one);
                }
                if let Some(ex) = &mut a.ex {
                    ex.iter_mut().flatten().for_each(|x| *x = x.neg());
                }
                a
            }
            IrKind::Sum(v) => self.fold(v, Ctx::add)?,
            IrKind::Mul(v) => self.fold(v, Ctx::mul)?,
            IrKind::Had(v) => self.fold(v, Ctx::had)?,
            IrKind::Pow(x, e) => {
                let a = self.eval(x)?;
                let k = match i32::try_from(e) {
                    Ok(k) => k,
                    // √2 as a constant, values only: held unknown, with its value.
                    Err(_)
                        if a.v.len() == 1
                            && (self.values_only || (self.germ.is_some() && a.g.is_none())) =>
                    {
                        let mut out = Aff::unknown_scalar();
                        out.shadow(|_| a.exact_value(0)?.pow(e).ok());
                        return Ok(out);
                    }
                    Err(_) if a.g.is_some() => {
                        return Err(not_pl("a fractional power of the input"));
                    }
                    Err(_) => return Err("a fractional power of a constant is not rational".into()),
                };
                if a.g.is_some() && a.v.len() == 1 {
                    self.power_of_varying(a, k)?
                } else if a.g.is_some() {
                    return Err(not_pl("a power of the input"));
                } else {
                    self.powi(a, k)?
                }
            }
            IrKind::HadPow(x, k) => {
                let a = self.eval(x)?;
                let k = i32::try_from(*k).map_err(|_| "a power beyond 64".to_string())?;
                if k == 1 {
                    a
                } else if a.g.is_some() {
                    self.power_of_varying(a, k)?
                } else {
                    self.powi(a, k)?
                }
            }
            IrKind::Transpose(x) => {
                let a = self.eval(x)?;
                if a.scalar {
                    a
                } else {
                    // Entry (i, j) of the result is entry (j, i) of a, gradient and all.
                    let (r, c) = (a.rows, a.cols);
                    let at = |k: usize| (k % r) * c + k / r;
                    Aff {
                        rows: c,
                        cols: r,
                        scalar: false,
                        v: (0..r * c).map(|k| a.v[at(k)].clone()).collect(),
                        g: a.g
                            .as_ref()
                            .map(|g| (0..r * c).map(|k| g[at(k)].clone()).collect()),
                        unknown: (a.unknown.as_ref())
                            .map(|u| (0..r * c).map(|k| u[at(k)]).collect()),
                        gu: (a.gu.as_ref()).map(|u| (0..r * c).map(|k| u[at(k)].clone()).collect()),
                        ex: (a.ex.as_ref()).map(|e| (0..r * c).map(|k| e[at(k)].clone()).collect()),
                    }
                }
            }
            // `mean(v)` divides by v's length, a whole number the dimensions fix.
            IrKind::Len => {
                let len = self.dim(&ir.shape().rows)?;
                Aff::constant(1, 1, true, vec![Q::from(len)])
            }
            IrKind::Diag(x) => {
                let a = self.eval(x)?;
                let r = a.v.len();
                let mut v = vec![zero(); r * r];
                let mut g = a.g.as_ref().map(|_| vec![vec![zero(); n]; r * r]);
                for i in 0..r {
                    v[i * r + i] = a.v[i].clone();
                    if let (Some(g), Some(ag)) = (&mut g, &a.g) {
                        g[i * r + i] = ag[i].clone();
                    }
                }
                Aff {
                    rows: r,
                    cols: r,
                    scalar: false,
                    v,
                    g,
                    unknown: (a.unknown.as_ref()).and_then(|u| {
                        mask(
                            (0..r * r)
                                .map(|k| k % (r + 1) == 0 && u[k / (r + 1)])
                                .collect(),
                        )
                    }),
                    gu: (a.gu.as_ref()).map(|u| {
                        (0..r * r)
                            .map(|k| match k % (r + 1) == 0 {
                                true => u[k / (r + 1)].clone(),
                                false => vec![None; n],
                            })
                            .collect()
                    }),
                    ex: (a.ex.as_ref()).map(|e| {
                        (0..r * r)
                            .map(|k| match k % (r + 1) == 0 {
                                true => e[k / (r + 1)].clone(),
                                false => None,
                            })
                            .collect()
                    }),
                }
            }
            IrKind::Apply {
                callee,
                deriv,
                arg,
                params,
            } => {
                if *deriv > 0 {
                    return Err(not_pl(&callee.primed_name(*deriv)));
                }
                let a = self.eval(arg)?;
                // An entry whose input is not rational is taken at its exact value, when it is
                // carried (values only and the germ; see [`Aff::ex`]).
                if a.any_unknown() && !self.exact_values() {
                    return Err(NOT_RATIONAL.into());
                }
                let mut pv = Vec::new();
                // Values only: a parameter that is not rational (α = √2) leaves the entries
                // undetermined.
                let mut params_known = true;
                for (name, v) in params {
                    let p = self.eval(v)?;
                    if p.g.is_some() || !p.scalar {
                        return Err(format!("the parameter {name} must be a number"));
                    }
                    if p.any_unknown() {
                        if !self.values_only {
                            return Err(NOT_RATIONAL.into());
                        }
                        params_known = false;
                        // A stand-in, read by no comparison (see below).
                        pv.push((name.clone(), Q::from(1u32)));
                        continue;
                    }
                    pv.push((name.clone(), p.v[0].clone()));
                }
                // A function of a constant (√2 in `elu(…; α = √2)`) is a constant, not a layer:
                // the layers are numbered as the expansion numbers them.
                // The expansion makes a layer of every activation of a vector or a matrix, a
                // function of a 1×1 value being a scalar function, not a layer: the numbering
                // follows it, so that an entry's layer is the one the expansion's assumptions
                // name (a scalar function's entries have layer 0).
                let layer = if arg.kind_of() != crate::algebra::Kind::Scalar {
                    self.layer += 1;
                    self.layers.push(callee.name());
                    self.layer
                } else {
                    0
                };
                let a = if self.exact_values() {
                    a.exact_zeros_known()
                } else {
                    a
                };
                if a.g.is_none() {
                    return self.constant_apply(callee, params, &pv, a, params_known);
                }
                let mut out = a.clone();
                let mut unknown = vec![false; a.v.len()];
                let mut pattern = String::new();
                let mut exact: Vec<Option<Scalar>> = vec![None; a.v.len()];
                for k in 0..a.v.len() {
                    self.spend(n as u64 + 1)?;
                    // A parameter that is not rational (a = √2 in leaky_relu) leaves the pieces
                    // decided when no comparison reads a parameter: the value is unknown.
                    let blind = !params_known && comparisons_read_parameters(callee);
                    if a.unknown_at(k) || blind {
                        unknown[k] = true;
                        if self.germ.is_some() {
                            // The germ: the tangent at the exact value, off every breakpoint
                            // (decided by exact signs), its slope exact or of a known sign.
                            let at = a.exact_value(k).ok_or(NOT_RATIONAL)?;
                            let Jet::At(value, slope) = self.jet_at(callee, params, &at)? else {
                                return Err(NOT_RATIONAL.into());
                            };
                            exact[k] = Some(value);
                            self.curved = true;
                            match slope.to_q() {
                                Some(q) => out.grad_times_q(k, &q),
                                None => out.grad_times_unknown(k, &Part::Exact(slope)),
                            }
                            pattern.push('·');
                            continue;
                        }
                        exact[k] =
                            self.value_or_undetermined(callee, params, a.exact_value(k), layer, k)?;
                        pattern.push(if exact[k].is_some() { '·' } else { '?' });
                        continue;
                    }
                    let piece = match scalar_piece(callee, &pv, &a.v[k], 0, self.smooth()) {
                        Ok(piece) => piece,
                        Err(_) if !params_known => {
                            unknown[k] = true;
                            let at = Some(Scalar::from_q(a.v[k].clone()));
                            exact[k] = self.value_or_undetermined(callee, params, at, layer, k)?;
                            pattern.push(if exact[k].is_some() { '·' } else { '?' });
                            continue;
                        }
                        Err(why) if self.smooth() != Smooth::Off => {
                            tangent(callee, params, &a.v[k], !self.values_only).ok_or(why)?
                        }
                        Err(why) => return Err(why),
                    };
                    self.curved |= piece.curved;
                    out.v[k] = piece.value.clone();
                    unknown[k] = piece.irrational || !params_known;
                    exact[k] = piece.exact.clone().filter(|_| params_known);
                    if self.germ.is_some() && piece.on_breakpoint() {
                        if a.grad_unknown(k) {
                            // z moves along one input coordinate only, by a slope that is not
                            // rational but of a known sign (2·σ′(1)·h): the bar is |h_d|, and
                            // the entry's gradient that of ±h_d times that slope's size.
                            let moving: Vec<usize> =
                                (0..n).filter(|&d| a.g_sign(k, d).is_some()).collect();
                            let (&[d], Some(sign)) =
                                (&moving[..], moving.first().and_then(|&d| a.g_sign(k, d)))
                            else {
                                return Err(SLOPE_NOT_RATIONAL.into());
                            };
                            if d >= self.x0.len() || sign == Sign::Any {
                                return Err(SLOPE_NOT_RATIONAL.into());
                            }
                            let mut unit = vec![zero(); n];
                            unit[d] = Q::from(if sign == Sign::Positive { 1i32 } else { -1 });
                            // The slope's size: the coordinate times its sign, exact while
                            // it is carried.
                            let size = match a.g_whole(k, d) {
                                Some(p @ Part::Exact(_)) => p.times_q(&unit[d]),
                                _ => None,
                            }
                            .unwrap_or(Part::Signed(Sign::Positive));
                            let kinked = self.kink(callee, &pv, &a.v[k], &piece, unit)?;
                            if let Some(g) = &mut out.g {
                                g[k] = kinked;
                            }
                            if let Some(gu) = &mut out.gu {
                                gu[k].fill(None);
                            }
                            out.grad_times_unknown(k, &size);
                            pattern.push_str(&piece.label());
                            continue;
                        }
                        let g = a.grad(k, n);
                        let kinked = self.kink(callee, &pv, &a.v[k], &piece, g)?;
                        if let Some(g) = &mut out.g {
                            g[k] = kinked;
                        }
                        pattern.push_str(&piece.label());
                        continue;
                    }
                    match &piece.slope_irrational {
                        Some(slope) => out.grad_times_unknown(k, slope),
                        None => out.grad_times_q(k, &piece.slope),
                    }
                    pattern.push_str(&piece.label());
                    if let Some((distance, step)) = piece.nearest() {
                        self.neurons.push(Neuron {
                            layer,
                            activation: callee.name(),
                            index: k,
                            pre: a.v[k].clone(),
                            distance,
                            step,
                            grad: a.grad(k, n),
                        });
                    }
                }
                out.gu = out.gu.and_then(grad_mask);
                out.unknown = mask(unknown);
                if self.exact_values() {
                    out.shadow(|k| exact[k].clone());
                }
                if layer > 0 {
                    self.patterns.push((layer, callee.name(), pattern));
                }
                out
            }
        })
    }

    /// `callee` of a constant, entry by entry: exact where rational, unknown (values only)
    /// where not.
    fn constant_apply(
        &mut self,
        callee: &Callee,
        params: &[(Name, Ir)],
        pv: &[(Name, Q)],
        mut a: Aff,
        params_known: bool,
    ) -> Result<Aff, Why> {
        let mut unknown: Vec<bool> = (0..a.v.len())
            .map(|k| a.unknown_at(k) || !params_known)
            .collect();
        let mut exact: Vec<Option<Scalar>> = vec![None; a.v.len()];
        for (k, unknown) in unknown.iter_mut().enumerate() {
            self.spend(1)?;
            if *unknown {
                // Values only: at its exact value, decided by exact signs.
                if let Some(at) = a.exact_value(k).filter(|_| self.exact_values()) {
                    if let Jet::At(value, _) = self.jet_at(callee, params, &at)? {
                        exact[k] = Some(value);
                    }
                }
                continue;
            }
            let piece = match scalar_piece(callee, pv, &a.v[k], 0, self.smooth()) {
                Ok(piece) => piece,
                Err(why) if self.smooth() != Smooth::Off => {
                    tangent(callee, params, &a.v[k], false).ok_or(why)?
                }
                Err(why) => return Err(why),
            };
            a.v[k] = piece.value;
            *unknown = piece.irrational;
            exact[k] = piece.exact;
        }
        a.unknown = mask(unknown);
        if self.exact_values() {
            a.shadow(|k| exact[k].clone());
        }
        Ok(a)
    }

    /// The gradient of `callee(z)` for an entry z on its breakpoint, z = z₀ + t with
    /// t = ∇z·(x − x₀): from the slopes l just left and r just right of z₀,
    /// callee(z) = callee(z₀) + (l + r)/2·t + (r − l)/2·|t|, the bar a coordinate of its own.
    fn kink(
        &mut self,
        callee: &Callee,
        params: &[(Name, Q)],
        at: &Q,
        piece: &Piece,
        grad: Vec<Q>,
    ) -> Result<Vec<Q>, Why> {
        let inputs = self.x0.len();
        let lead = grad.iter().find(|e| **e != 0u32).cloned();
        if lead.is_none() && !self.curved {
            return Ok(grad); // z does not move with x: the entry is the constant callee(z₀)
        }
        // z may move at a higher order (z = x² when something is curved): its sides must meet
        // with finite slopes (no step, no √t) for callee(z₀ + O(h²)) to be callee(z₀) + O(h²).
        let left = scalar_piece(callee, params, at, -1, self.smooth())?;
        let right = scalar_piece(callee, params, at, 1, self.smooth())?;
        // softsign's sides, t/(1 ± t), are curved though its tie, t/1, is not.
        self.curved |= left.curved || right.curved;
        if left.value != piece.value || right.value != piece.value {
            return Err(format!("{} jumps at its breakpoint", callee.name()));
        }
        let Some(lead) = lead else {
            return Ok(grad);
        };
        let argument: Vec<Q> = grad.iter().map(|e| e / &lead).collect();
        let bars = self.germ.as_mut().ok_or("no room for bars")?;
        let index = match bars.arguments.iter().position(|d| *d == argument) {
            Some(i) => i,
            None if bars.arguments.len() < bars.room => {
                bars.arguments.push(argument);
                bars.arguments.len() - 1
            }
            None => return Err("more bars than entries on their breakpoints".into()),
        };
        let half = Q::from_unsigneds(1u32, 2u32);
        let mean = (&left.slope + &right.slope) * &half;
        let jump = (&right.slope - &left.slope) * &half;
        let mut out: Vec<Q> = grad.iter().map(|e| e * &mean).collect();
        // |t| = |lead|·|argument|.
        out[inputs + index] = jump * if lead < 0u32 { -lead } else { lead };
        Ok(out)
    }

    /// The operands evaluated in order and combined left to right.
    fn fold(
        &mut self,
        v: &[Ir],
        op: fn(&mut Self, Aff, Aff) -> Result<Aff, Why>,
    ) -> Result<Aff, Why> {
        let (first, rest) = v.split_first().ok_or("an empty operation")?;
        let mut acc = self.eval(first)?;
        for x in rest {
            let b = self.eval(x)?;
            acc = op(self, acc, b)?;
        }
        Ok(acc)
    }

    fn add(&mut self, a: Aff, b: Aff) -> Result<Aff, Why> {
        self.spend(a.v.len() as u64 * (self.n() as u64 + 1))?;
        let (mut a, b) = if a.scalar && !b.scalar {
            (b, a)
        } else {
            (a, b)
        };
        if b.scalar && !a.scalar && a.v.len() != 1 {
            return Err("a scalar added to a vector".into());
        }
        if a.v.len() != b.v.len() {
            return Err("mismatched shapes in a sum".into());
        }
        let before = self.shadows(&a, &b).then(|| (a.clone(), b.clone()));
        for (x, y) in a.v.iter_mut().zip(&b.v) {
            *x = &*x + y;
        }
        a.g = match (a.g, b.g) {
            (Some(mut g), Some(h)) => {
                for (r, s) in g.iter_mut().zip(&h) {
                    for (x, y) in r.iter_mut().zip(s) {
                        *x = &*x + y;
                    }
                }
                Some(g)
            }
            (g, None) | (None, g) => g,
        };
        if let Some(u) = b.unknown {
            let mine = a.unknown.take().unwrap_or_else(|| vec![false; u.len()]);
            a.unknown = mask(mine.into_iter().zip(u).map(|(x, y)| x || y).collect());
        }
        a.gu = sum_masks(a.gu.take(), b.gu);
        if let Some((a0, b0)) = before {
            a.shadow(|k| {
                (a0.exact_weight(k) + b0.exact_weight(k) <= SHADOW_WEIGHT)
                    .then(|| Some(a0.exact_value(k)?.add(&b0.exact_value(k)?)))?
            });
        }
        Ok(a)
    }

    /// `c·a` for a constant scalar c: an unknown c leaves a's exact zeros and makes the rest
    /// unknown (a must not move with x).
    fn scale(&mut self, c: &Aff, mut a: Aff) -> Result<Aff, Why> {
        if c.unknown_at(0) {
            let moves = (a.g.iter().flatten().flatten()).any(|e| *e != 0u32) || a.gu.is_some();
            if moves && self.germ.is_none() {
                return Err(NOT_RATIONAL.into());
            }
            // The germ: a gradient times the unknown c is unknown where it is not exactly 0.
            let factor = Part::factor(c.exact_value(0));
            for k in 0..a.v.len() {
                a.grad_times_unknown(k, &factor);
            }
            let before = self.exact_values().then(|| a.clone());
            a.unknown = mask((0..a.v.len()).map(|k| !a.known_zero(k)).collect());
            a.v.iter_mut().for_each(|e| *e = zero());
            if let Some(a0) = before {
                a.shadow(|k| {
                    (c.exact_weight(0) * a0.exact_weight(k) <= SHADOW_WEIGHT)
                        .then(|| Some(c.exact_value(0)?.mul(&a0.exact_value(k)?)))?
                });
            }
            return Ok(a);
        }
        let c = &c.v[0];
        a.v.iter_mut().for_each(|e| *e = &*e * c);
        for k in 0..a.v.len() {
            a.grad_times_q(k, c);
        }
        if let Some(ex) = &mut a.ex {
            ex.iter_mut().flatten().for_each(|x| *x = x.scale(c));
        }
        if *c == 0u32 {
            a.unknown = None;
            a.ex = None;
        }
        a.gu = a.gu.and_then(grad_mask);
        Ok(a)
    }

    /// Values only: entry k of `layer` at its exact value `at`, decided by exact signs (see
    /// [`Ctx::jet_at`]): its value; else the entry is recorded as sitting exactly on a
    /// breakpoint, or (no value carried, or not decided) as undetermined.
    fn value_or_undetermined(
        &mut self,
        callee: &Callee,
        params: &[(Name, Ir)],
        at: Option<Scalar>,
        layer: usize,
        k: usize,
    ) -> Result<Option<Scalar>, Why> {
        let jet = match at {
            Some(at) => self.jet_at(callee, params, &at)?,
            None => Jet::Unknown,
        };
        match jet {
            Jet::At(value, _) => return Ok(Some(value)),
            Jet::OnBreakpoint => self.on_exact.push((layer, callee.name(), k)),
            Jet::Tie => {
                self.ties.push((layer, callee.name(), k));
                self.undetermined.push((layer, callee.name(), k));
            }
            Jet::Unknown => self.undetermined.push((layer, callee.name(), k)),
        }
        Ok(None)
    }

    /// Whether exact values that are not rational are carried (see [`Aff::ex`]): for values
    /// only and the germ, not for the region (whose slopes must all be rational).
    fn exact_values(&self) -> bool {
        self.values_only || self.germ.is_some()
    }

    /// `callee` at the exact value `at` (a constant that is not rational, or a value where a
    /// parameter is not rational), its comparisons decided there by their exact signs: its
    /// value and slope where it has a Taylor series at `at` (off every breakpoint), or that
    /// `at` sits exactly on a breakpoint (the sides of the series there decided different);
    /// unknown where neither is decided, or `at` is too large to carry.
    fn jet_at(&mut self, callee: &Callee, params: &[(Name, Ir)], at: &Scalar) -> Result<Jet, Why> {
        let w = weight(at, SHADOW_WEIGHT);
        if w > SHADOW_WEIGHT {
            return Ok(Jet::Unknown);
        }
        self.spend(16 * w as u64)?;
        Ok(match series_to_first_order_at(callee, params, at) {
            Ok(crate::series::PointSeries::Analytic(s)) => Jet::At(s.coeff(0), s.coeff(1)),
            Ok(crate::series::PointSeries::OneSided { .. }) => Jet::OnBreakpoint,
            // The series engine's word for a comparison (or the sides of a breakpoint) whose
            // sign no float of 2048 bits and no exact test decides; where the point reads a
            // parameter without a value (sin(β)), no float was tried: unknown, not a tie (from
            // a review, "closer to a breakpoint than 2048-bit floats resolve" was said of it).
            Err(d) if d.message.starts_with("cannot decide") && at.params().is_empty() => Jet::Tie,
            _ => Jet::Unknown,
        })
    }

    /// Values only: whether an operation on `a` and `b` has unknown values whose exact values
    /// are worth carrying (see [`Aff::ex`]).
    fn shadows(&self, a: &Aff, b: &Aff) -> bool {
        self.exact_values() && (a.unknown.is_some() || b.unknown.is_some())
    }

    /// Whether a product of a constant with unknown values and a factor that moves with x
    /// would need those values in a gradient (values only have none).
    fn unknown_meets_input(&self, a: &Aff, b: &Aff) -> bool {
        !self.values_only
            && self.germ.is_none()
            && ((a.any_unknown() && b.g.is_some()) || (b.any_unknown() && a.g.is_some()))
    }

    fn mul(&mut self, a: Aff, b: Aff) -> Result<Aff, Why> {
        if a.g.is_some() && b.g.is_some() {
            return self.product_rule(a, b, false);
        }
        if a.scalar && a.g.is_none() {
            return self.scale(&a, b);
        }
        if b.scalar && b.g.is_none() {
            return self.scale(&b, a);
        }
        // A 1×1 value times a vector or a matrix (`relu(uᵀ·x)·v`): entry by entry, the 1×1
        // value repeated.
        if a.cols != b.rows && a.v.len() == 1 && b.v.len() > 1 {
            let a = a.repeated(&b);
            return self.had(a, b);
        }
        if a.cols != b.rows && b.v.len() == 1 && a.v.len() > 1 {
            let b = b.repeated(&a);
            return self.had(a, b);
        }
        if self.unknown_meets_input(&a, &b) {
            return Err(NOT_RATIONAL.into());
        }
        if a.scalar || b.scalar {
            return Err(not_pl("a scalar depending on the input"));
        }
        if a.cols != b.rows {
            return Err("mismatched shapes in a product".into());
        }
        let n = self.n();
        let (r, k, c) = (a.rows, a.cols, b.cols);
        self.spend((r * k * c) as u64 * (n as u64 + 1))?;
        let mut v = vec![zero(); r * c];
        for i in 0..r {
            for j in 0..c {
                let mut s = zero();
                for m in 0..k {
                    s += &a.v[i * k + m] * &b.v[m * c + j];
                }
                v[i * c + j] = s;
            }
        }
        // Only one factor depends on x: the gradient of (A·B)ᵢⱼ is Σₘ (constant)·∇(varying).
        let g = match (&a.g, &b.g) {
            (None, Some(bg)) => Some(grad_product(r, c, k, n, |i, j, m| {
                (&a.v[i * k + m], &bg[m * c + j])
            })),
            (Some(ag), None) => Some(grad_product(r, c, k, n, |i, j, m| {
                (&b.v[m * c + j], &ag[i * k + m])
            })),
            _ => None,
        };
        let gu = match (&a.g, &b.g) {
            (None, Some(_)) => grad_product_mask(r * c, n, &a, &b, |ij| {
                let (i, j) = (ij / c, ij % c);
                (0..k).map(move |m| (i * k + m, m * c + j))
            }),
            (Some(_), None) => grad_product_mask(r * c, n, &b, &a, |ij| {
                let (i, j) = (ij / c, ij % c);
                (0..k).map(move |m| (m * c + j, i * k + m))
            }),
            _ => None,
        };
        // (A·B)ᵢⱼ is unknown when a term holds an unknown factor and the other is not exactly 0.
        let unknown = (a.unknown.is_some() || b.unknown.is_some()).then(|| {
            (0..r * c)
                .map(|ij| {
                    let (i, j) = (ij / c, ij % c);
                    (0..k).any(|m| {
                        let (x, y) = (i * k + m, m * c + j);
                        (a.unknown_at(x) && !b.known_zero(y))
                            || (b.unknown_at(y) && !a.known_zero(x))
                    })
                })
                .collect()
        });
        let mut out = Aff {
            rows: r,
            cols: c,
            scalar: false,
            v,
            g,
            unknown: unknown.and_then(mask),
            gu,
            ex: None,
        };
        if self.shadows(&a, &b) {
            out.shadow(|ij| {
                let (i, j) = (ij / c, ij % c);
                // A product's size is at most the product of its factors' sizes.
                let size: usize = (0..k)
                    .filter(|&m| !a.known_zero(i * k + m))
                    .map(|m| a.exact_weight(i * k + m) * b.exact_weight(m * c + j))
                    .sum();
                if size > SHADOW_WEIGHT {
                    return None;
                }
                let mut sum = Scalar::zero();
                for m in 0..k {
                    let x = a.exact_value(i * k + m)?;
                    if !x.is_zero() {
                        sum.add_assign(&x.mul(&b.exact_value(m * c + j)?));
                    }
                }
                Some(sum)
            });
        }
        Ok(out)
    }

    fn had(&mut self, a: Aff, b: Aff) -> Result<Aff, Why> {
        if a.v.len() != b.v.len() {
            return self.mul(a, b);
        }
        if a.g.is_some() && b.g.is_some() {
            return self.product_rule(a, b, true);
        }
        if self.unknown_meets_input(&a, &b) {
            return Err(NOT_RATIONAL.into());
        }
        let unknown = (a.unknown.is_some() || b.unknown.is_some()).then(|| {
            (0..a.v.len())
                .map(|k| {
                    (a.unknown_at(k) && !b.known_zero(k)) || (b.unknown_at(k) && !a.known_zero(k))
                })
                .collect()
        });
        let (c, mut x) = if a.g.is_none() { (a, b) } else { (b, a) };
        let before = self.shadows(&c, &x).then(|| x.clone());
        x.unknown = unknown.and_then(mask);
        if x.g.is_some() {
            x.gu = grad_product_mask(x.v.len(), self.n(), &c, &x, |k| std::iter::once((k, k)));
        }
        self.spend(x.v.len() as u64 * (self.n() as u64 + 1))?;
        for (k, e) in x.v.iter_mut().enumerate() {
            *e = &*e * &c.v[k];
        }
        if let Some(g) = &mut x.g {
            for (k, r) in g.iter_mut().enumerate() {
                r.iter_mut().for_each(|e| *e = &*e * &c.v[k]);
            }
        }
        if let Some(x0) = before {
            x.shadow(|k| {
                (c.exact_weight(k) * x0.exact_weight(k) <= SHADOW_WEIGHT)
                    .then(|| Some(c.exact_value(k)?.mul(&x0.exact_value(k)?)))?
            });
        }
        Ok(x)
    }

    /// A product of two factors that both move with x, to first order (the germ only):
    /// ∇(a·b) = a₀·∇b + ∇a·b₀, entry by entry (`elementwise`, or a scalar factor) or as a
    /// matrix product.
    fn product_rule(&mut self, a: Aff, b: Aff, elementwise: bool) -> Result<Aff, Why> {
        if self.smooth() == Smooth::Off {
            return Err(not_pl("a product of two terms in the input"));
        }
        let (a, b) = if self.exact_values() {
            (a.exact_zeros_known(), b.exact_zeros_known())
        } else {
            (a, b)
        };
        if a.any_unknown() || b.any_unknown() {
            if !self.values_only {
                return Err(NOT_RATIONAL.into());
            }
            // Values only: the product's values, with their unknowns, as if b were constant.
            let b = Aff { g: None, ..b };
            return if elementwise {
                self.had(a, b)
            } else {
                self.mul(a, b)
            };
        }
        self.curved = true;
        let n = self.n();
        let (ag, bg) = match (&a.g, &b.g) {
            (Some(ag), Some(bg)) => (ag, bg),
            _ => return Err("a product rule with a constant factor".into()),
        };
        let entry = |x: &Q, gy: &[Q], y: &Q, gx: &[Q]| -> Vec<Q> {
            gy.iter().zip(gx).map(|(p, q)| x * p + y * q).collect()
        };
        if elementwise || a.v.len() == 1 || b.v.len() == 1 {
            // Entry k of each factor (a scalar factor's one entry for every k).
            let (rows, cols, scalar) = if a.v.len() >= b.v.len() {
                (a.rows, a.cols, a.scalar && b.scalar)
            } else {
                (b.rows, b.cols, false)
            };
            let len = a.v.len().max(b.v.len());
            self.spend(len as u64 * (n as u64 + 1))?;
            let at = |v: &[Q], k: usize| if v.len() == 1 { 0 } else { k };
            let v = (0..len)
                .map(|k| &a.v[at(&a.v, k)] * &b.v[at(&b.v, k)])
                .collect();
            let g = (0..len)
                .map(|k| {
                    let (i, j) = (at(&a.v, k), at(&b.v, k));
                    entry(&a.v[i], &bg[j], &b.v[j], &ag[i])
                })
                .collect();
            // Unknown coordinates of a₀·∇b and of b₀·∇a.
            let gu = sum_masks(
                grad_product_mask(len, n, &a, &b, |k| {
                    std::iter::once((at(&a.v, k), at(&b.v, k)))
                }),
                grad_product_mask(len, n, &b, &a, |k| {
                    std::iter::once((at(&b.v, k), at(&a.v, k)))
                }),
            );
            return Ok(Aff {
                rows,
                cols,
                scalar,
                v,
                g: Some(g),
                unknown: None,
                gu,
                ex: None,
            });
        }
        if a.cols != b.rows {
            return Err("mismatched shapes in a product".into());
        }
        let (r, k, c) = (a.rows, a.cols, b.cols);
        self.spend((r * k * c) as u64 * (2 * n as u64 + 1))?;
        let left = grad_product(r, c, k, n, |i, j, m| (&a.v[i * k + m], &bg[m * c + j]));
        let right = grad_product(r, c, k, n, |i, j, m| (&b.v[m * c + j], &ag[i * k + m]));
        let mut v = vec![zero(); r * c];
        for i in 0..r {
            for j in 0..c {
                v[i * c + j] = (0..k).map(|m| &a.v[i * k + m] * &b.v[m * c + j]).sum();
            }
        }
        let g = (left.into_iter().zip(right))
            .map(|(x, y)| x.into_iter().zip(y).map(|(p, q)| p + q).collect())
            .collect();
        let gu = sum_masks(
            grad_product_mask(r * c, n, &a, &b, |ij| {
                let (i, j) = (ij / c, ij % c);
                (0..k).map(move |m| (i * k + m, m * c + j))
            }),
            grad_product_mask(r * c, n, &b, &a, |ij| {
                let (i, j) = (ij / c, ij % c);
                (0..k).map(move |m| (m * c + j, i * k + m))
            }),
        );
        Ok(Aff {
            rows: r,
            cols: c,
            scalar: false,
            v,
            g: Some(g),
            unknown: None,
            gu,
            ex: None,
        })
    }

    /// `a^k` entry by entry, to first order where a moves with x (the germ only).
    fn power_of_varying(&mut self, a: Aff, k: i32) -> Result<Aff, Why> {
        if self.smooth() == Smooth::Off {
            return Err(not_pl("a power of the input"));
        }
        let a = if self.exact_values() {
            a.exact_zeros_known()
        } else {
            a
        };
        if a.any_unknown() && !self.values_only {
            return Err(NOT_RATIONAL.into());
        }
        self.curved = true;
        let grads = a.g.clone().unwrap_or_default();
        let n = self.n();
        self.spend(a.v.len() as u64 * (n as u64 + 1))?;
        let unknown = a.unknown.clone();
        let mut out = Aff { g: None, ..a };
        let mut g = Vec::with_capacity(grads.len());
        let mut slopes = Vec::new();
        for (i, (e, ge)) in out.v.iter_mut().zip(grads).enumerate() {
            if unknown.as_ref().is_some_and(|u| u[i]) {
                g.push(ge); // values only: an unknown value to a power is unknown
                continue;
            }
            let jet = power(
                SV {
                    v: e.clone(),
                    d: Q::from(1u32),
                    curved: false,
                },
                k,
            )
            .ok_or("a division by zero")?;
            *e = jet.v;
            slopes.push((i, jet.d));
            g.push(ge);
        }
        out.g = Some(g);
        for (i, d) in slopes {
            out.grad_times_q(i, &d);
        }
        out.gu = out.gu.and_then(grad_mask);
        if let Some(ex) = out.ex.take() {
            out.shadow(|i| ex[i].as_ref()?.pow(&Q::from(k)).ok());
        }
        Ok(out)
    }

    fn powi(&mut self, mut a: Aff, k: i32) -> Result<Aff, Why> {
        use malachite_base::num::arithmetic::traits::Pow;
        if k.unsigned_abs() > 64 {
            return Err("a power beyond 64".into());
        }
        if k == 0 {
            a.unknown = None;
            a.ex = None;
        }
        let ex = a.ex.take();
        for (i, e) in a.v.iter_mut().enumerate() {
            if a.unknown.as_ref().is_some_and(|u| u[i]) {
                continue; // an unknown value to a power is unknown
            }
            *e = if k >= 0 {
                (&*e).pow(k as u64)
            } else if *e == 0u32 {
                return Err("a division by zero".into());
            } else {
                Q::from(1u32) / (&*e).pow(k.unsigned_abs() as u64)
            };
        }
        if let Some(ex) = ex {
            // Raised after the known entries, so that one made known is not raised twice.
            a.shadow(|i| ex[i].as_ref()?.pow(&Q::from(k)).ok());
        }
        Ok(a)
    }
}

/// The unknown parts of a sum of two gradients, coordinate by coordinate.
fn sum_masks(
    a: Option<Vec<Vec<Option<Part>>>>,
    b: Option<Vec<Vec<Option<Part>>>>,
) -> Option<Vec<Vec<Option<Part>>>> {
    match (a, b) {
        (Some(a), Some(b)) => grad_mask(
            (a.into_iter().zip(b))
                .map(|(x, y)| {
                    x.into_iter()
                        .zip(y)
                        .map(|(p, q)| Part::plus(p, q))
                        .collect()
                })
                .collect(),
        ),
        (a, None) | (None, a) => a,
    }
}

/// The unknown parts of the gradients of the `len` entries of a product of a constant `cst`
/// and a factor `var` that moves with x, `terms(e)` giving the pairs (entry of cst, entry of
/// var) whose products sum to entry e (their exact parts are summed by [`grad_product`], with
/// unknown values held as 0): a term is unknown when it pairs an unknown constant with a
/// coordinate not exactly 0 (of any sign), or an exact constant with a coordinate's unknown
/// part (of that part's sign times the constant's).
fn grad_product_mask<I: Iterator<Item = (usize, usize)>>(
    len: usize,
    n: usize,
    cst: &Aff,
    var: &Aff,
    terms: impl Fn(usize) -> I,
) -> Option<Vec<Vec<Option<Part>>>> {
    if cst.unknown.is_none() && var.gu.is_none() {
        return None;
    }
    let term = |x: usize, y: usize, d: usize| -> Option<Part> {
        if cst.unknown_at(x) {
            var.g_whole(y, d)
                .map(|p| p.times(&Part::factor(cst.exact_value(x))))
        } else {
            var.g_unknown(y, d).and_then(|p| p.times_q(&cst.v[x]))
        }
    };
    let rows = (0..len)
        .map(|e| {
            (0..n)
                .map(|d| terms(e).fold(None, |acc, (x, y)| Part::plus(acc, term(x, y, d))))
                .collect()
        })
        .collect();
    grad_mask(rows)
}

/// The gradients of the r×c entries of a product whose inner dimension is k, from
/// `pick(i, j, m)` = (the constant factor, the gradient of the varying one).
fn grad_product<'a>(
    r: usize,
    c: usize,
    k: usize,
    n: usize,
    pick: impl Fn(usize, usize, usize) -> (&'a Q, &'a Vec<Q>),
) -> Vec<Vec<Q>> {
    (0..r * c)
        .map(|ij| {
            let (i, j) = (ij / c, ij % c);
            (0..n)
                .map(|d| {
                    let mut s = zero();
                    for m in 0..k {
                        let (w, g) = pick(i, j, m);
                        if *w != 0u32 {
                            s += w * &g[d];
                        }
                    }
                    s
                })
                .collect()
        })
        .collect()
}

/// A scalar function at an exact point: its value, its slope there, and the comparisons its
/// piece depends on (each: the value and the slope of lhs − rhs in t).
#[derive(Debug)]
struct Piece {
    value: Q,
    slope: Q,
    conds: Vec<(Q, Q)>,
    /// The function is not affine on its piece (first order only; see [`Scope::smooth`]).
    curved: bool,
    /// The value is not rational (held as 0; see [`Aff::unknown`]).
    irrational: bool,
    /// That value, exactly, when it is not rational (values only carry it, see [`Aff::ex`]).
    exact: Option<Scalar>,
    /// The slope when it is not rational (held as 0; see [`Aff::gu`]), exactly: the germ only.
    slope_irrational: Option<Part>,
}

impl Piece {
    /// The distance |Δt| to the nearest breakpoint and the signed Δt reaching it.
    fn nearest(&self) -> Option<(Q, Q)> {
        let mut best: Option<(Q, Q)> = None;
        for (g0, g1) in &self.conds {
            if *g1 == 0u32 {
                continue;
            }
            let step = -(g0 / g1);
            let d = if step < 0u32 { -&step } else { step.clone() };
            if best.as_ref().is_none_or(|(b, _)| d < *b) {
                best = Some((d, step));
            }
        }
        best
    }
    /// Whether the point sits on a breakpoint: a comparison tied there that moves with t.
    fn on_breakpoint(&self) -> bool {
        self.conds.iter().any(|(g0, g1)| *g0 == 0u32 && *g1 != 0u32)
    }
    /// `+` where the slope is 1, `0` where it is 0, `·` otherwise; `!` at a breakpoint.
    fn label(&self) -> String {
        if self.on_breakpoint() {
            "!".into()
        } else if self.slope == 1u32 {
            "+".into()
        } else if self.slope == 0u32 {
            "0".into()
        } else {
            "·".into()
        }
    }
}

/// A scalar and its derivative in t at the point (a first-order jet). `curved`: the value is
/// not affine in t (a smooth function or a product of the variable with itself was applied),
/// so the jet is its first order only.
#[derive(Clone, Debug)]
struct SV {
    v: Q,
    d: Q,
    curved: bool,
}

/// The piece of `callee` at `at`: on a breakpoint, the one a comparison's tie gives (`side` 0),
/// or the one just left (`side` −1) or just right (`side` 1) of `at`. With `smooth`, smooth
/// functions are taken to first order (see [`Scope::smooth`]).
fn scalar_piece(
    callee: &Callee,
    params: &[(Name, Q)],
    at: &Q,
    side: i32,
    smooth: Smooth,
) -> Result<Piece, Why> {
    let mut conds = Vec::new();
    let x = SV {
        v: at.clone(),
        d: Q::from(1u32),
        curved: false,
    };
    let scope = Scope {
        depth: 0,
        side,
        smooth,
    };
    let y = call(callee, params, x, &mut conds, scope)?;
    Ok(Piece {
        value: y.v,
        slope: y.d,
        conds,
        curved: y.curved,
        irrational: false,
        exact: None,
        slope_irrational: None,
    })
}

/// A function smooth at `at` whose body the jets cannot follow (gelu's `erf(t/√2)` holds √2)
/// to first order: its exact series there, when the point is not a breakpoint (gelu(0) = 0,
/// gelu′(0) = ½; softplus′(0) = ½, its value log 2 held unknown; tanh′(3), not rational, held
/// unknown too). With values only (`slope` false), the slope is not asked for (held as 0).
fn tangent(callee: &Callee, params: &[(Name, Ir)], at: &Q, slope: bool) -> Option<Piece> {
    match series_to_first_order(callee, params, at)? {
        crate::series::PointSeries::Analytic(s) => {
            let value = s.coeff(0).to_q();
            let slope = slope.then(|| s.coeff(1).to_q());
            // A slope that is not rational is not 0; carried exactly, its sign (decided by
            // `algebra::sign`) lets a bar keep its own through it, and slopes of opposite
            // signs are added exactly.
            let slope_irrational = matches!(slope, Some(None)).then(|| Part::Exact(s.coeff(1)));
            Some(Piece {
                irrational: value.is_none(),
                exact: value.is_none().then(|| s.coeff(0)),
                value: value.unwrap_or_else(zero),
                slope_irrational,
                slope: slope.flatten().unwrap_or_else(zero),
                conds: Vec::new(),
                curved: true,
            })
        }
        crate::series::PointSeries::OneSided { .. } => None,
    }
}

/// The exact series of `callee` at the rational point `at` to order 1 (None: it failed).
pub(crate) fn series_to_first_order(
    callee: &Callee,
    params: &[(Name, Ir)],
    at: &Q,
) -> Option<crate::series::PointSeries> {
    series_to_first_order_at(callee, params, &Scalar::from_q(at.clone())).ok()
}

/// The exact series of `callee` at the constant `point` to order 1, or why it failed (as where
/// the sign of a comparison there is not decided).
pub(crate) fn series_to_first_order_at(
    callee: &Callee,
    params: &[(Name, Ir)],
    point: &Scalar,
) -> Result<crate::series::PointSeries, crate::diagnostic::Diagnostic> {
    let limits = crate::limits::Limits::default();
    let budget = crate::limits::Budget::default();
    let span = crate::diagnostic::Span::new(0, 0);
    crate::series::series_at(callee, params, point, 1, &limits, &budget, span)
}

/// How deep a scalar evaluation is, and the side of the point it takes at a tie (0: the tie
/// as written, ±1: the sign of the value's slope times `side`, i.e. the piece just beside).
#[derive(Clone, Copy)]
struct Scope {
    depth: u32,
    side: i32,
    /// Whether smooth functions are allowed, to first order (see [`Smooth`]).
    smooth: Smooth,
}

/// Smooth functions in a scalar evaluation: not allowed (the region, which claims exact
/// affinity on a ball), for values only, or to first order (the germ: only the network's first
/// order at x₀ is asked for, so tanh(z₀ + t) = tanh(z₀) + (1 − tanh²z₀)·t + O(t²) is as good
/// as a line, when both numbers are rational).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Smooth {
    Off,
    Values,
    FirstOrder,
}

impl Scope {
    /// The sign of a value g0 + g1·t for t just beside 0 on this scope's side.
    fn sign(self, g0: &Q, g1: &Q) -> std::cmp::Ordering {
        use std::cmp::Ordering::Equal;
        let at = g0.partial_cmp(&zero()).unwrap_or(Equal);
        if at == Equal && self.side != 0 {
            (g1 * Q::from(self.side))
                .partial_cmp(&zero())
                .unwrap_or(Equal)
        } else {
            at
        }
    }

    /// A comparison of a curved value tied at t = 0 to first order (g0 = g1 = 0): which side
    /// of it t just beside 0 lies on is up to the terms of higher order, which a jet lacks (at
    /// the point itself the tie as written holds: values only need no side).
    fn undecided_tie(self, x: &SV) -> Result<(), Why> {
        let beside = self.side != 0 || self.smooth == Smooth::FirstOrder;
        if beside && x.curved && x.v == 0u32 && x.d == 0u32 {
            return Err(
                "a comparison tied at the point to first order, which the terms of higher order decide"
                    .into(),
            );
        }
        Ok(())
    }
}

/// The derivative of a smooth primitive at `x`, from `x` and its value `y` there, when it is
/// rational.
fn prim_slope(p: Prim, x: &Q, y: &Q) -> Option<Q> {
    use crate::numeric::Real;
    let one = || Q::from(1u32);
    let exact =
        |name: &str| super::exact::Exact::func(name, &super::exact::Exact(Some(x.clone())))?.0;
    match p {
        Prim::Exp => Some(y.clone()),
        Prim::Tanh => Some(one() - y * y),
        Prim::Tan => Some(one() + y * y),
        Prim::Sin => exact("cos"),
        Prim::Cos => exact("sin").map(|s| -s),
        Prim::Atan => Some(one() / (one() + x * x)),
        Prim::Log if *x > 0u32 => Some(one() / x),
        Prim::Sqrt if *y > 0u32 => Some(one() / (Q::from(2u32) * y)),
        // erf′(x) = 2/√π·exp(−x²) is never rational.
        Prim::Log | Prim::Sqrt | Prim::Erf | Prim::Abs | Prim::Sign => None,
    }
}

fn call(
    callee: &Callee,
    params: &[(Name, Q)],
    x: SV,
    conds: &mut Vec<(Q, Q)>,
    scope: Scope,
) -> Result<SV, Why> {
    if scope.depth > 32 {
        return Err("functions nest too deeply".into());
    }
    match callee {
        Callee::Prim(p) => prim(*p, x, conds, scope),
        Callee::Def(d) => {
            let mut frame: Vec<(Name, Q)> = params.to_vec();
            for (n, default) in &d.params {
                if !frame.iter().any(|(m, _)| m == n) {
                    let v = body(d, default, &x, &frame, conds, scope)?;
                    if v.d != 0u32 {
                        return Err(format!("the default of {n} depends on the variable"));
                    }
                    frame.push((n.clone(), v.v));
                }
            }
            body(d, &d.body, &x, &frame, conds, scope)
        }
    }
}

fn prim(p: Prim, x: SV, conds: &mut Vec<(Q, Q)>, scope: Scope) -> Result<SV, Why> {
    let sign = |x: &SV| Q::from(scope.sign(&x.v, &x.d) as i32);
    match p {
        Prim::Abs => {
            scope.undecided_tie(&x)?;
            conds.push((x.v.clone(), x.d.clone()));
            let s = sign(&x);
            Ok(SV {
                v: &x.v * &s,
                d: &x.d * &s,
                curved: x.curved,
            })
        }
        Prim::Sign => {
            scope.undecided_tie(&x)?;
            conds.push((x.v.clone(), x.d.clone()));
            Ok(SV {
                v: sign(&x),
                d: zero(),
                curved: false,
            })
        }
        _ if x.d == 0u32 || scope.smooth != Smooth::Off => {
            use crate::numeric::Real;
            let v = super::exact::Exact::func(p.name(), &super::exact::Exact(Some(x.v.clone())))
                .and_then(|e| e.0)
                .ok_or_else(|| format!("{}({}) is not rational", p.name(), x.v))?;
            if x.d == 0u32 {
                return Ok(SV {
                    v,
                    d: zero(),
                    curved: x.curved,
                });
            }
            let slope = prim_slope(p, &x.v, &v)
                .ok_or_else(|| format!("the slope of {} at {} is not rational", p.name(), x.v))?;
            Ok(SV {
                d: slope * &x.d,
                v,
                curved: true,
            })
        }
        _ => Err(not_pl(p.name())),
    }
}

/// `a^k` as a jet: (a₀ + a′·t)^k = a₀^k + k·a₀^(k−1)·a′·t + O(t²) (None: 0 to a negative
/// power).
fn power(a: SV, k: i32) -> Option<SV> {
    use crate::numeric::Real;
    let pow = |k: i32| super::exact::Exact(Some(a.v.clone())).powi(k).0;
    if k == 0 {
        return Some(SV {
            v: Q::from(1u32),
            d: zero(),
            curved: false,
        });
    }
    let v = pow(k)?;
    if a.d == 0u32 {
        return Some(SV {
            v,
            d: zero(),
            curved: a.curved,
        });
    }
    let d = Q::from(k) * pow(k - 1)? * &a.d;
    Some(SV {
        v,
        d,
        curved: a.curved || k != 1,
    })
}

fn body(
    d: &Rc<FunDef>,
    ir: &Ir,
    x: &SV,
    frame: &[(Name, Q)],
    conds: &mut Vec<(Q, Q)>,
    scope: Scope,
) -> Result<SV, Why> {
    let c = |v: Q| SV {
        v,
        d: zero(),
        curved: false,
    };
    let ev = |ir: &Ir, conds: &mut Vec<(Q, Q)>| body(d, ir, x, frame, conds, scope);
    Ok(match ir.kind() {
        IrKind::Num(q) => c(q.clone()),
        IrKind::Var => x.clone(),
        IrKind::Param(p) => c(frame
            .iter()
            .find(|(n, _)| n == p)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("the parameter {p} of {} is symbolic", d.name))?),
        IrKind::Pi | IrKind::E => return Err(format!("{} uses π or e", d.name)),
        IrKind::Neg(a) => {
            let a = ev(a, conds)?;
            SV {
                v: -a.v,
                d: -a.d,
                curved: a.curved,
            }
        }
        IrKind::Sum(v) => {
            let mut acc = c(zero());
            for a in v {
                let a = ev(a, conds)?;
                acc = SV {
                    v: acc.v + a.v,
                    d: acc.d + a.d,
                    curved: acc.curved || a.curved,
                };
            }
            acc
        }
        IrKind::Mul(v) | IrKind::Had(v) => {
            let mut acc = c(Q::from(1u32));
            for a in v {
                let a = ev(a, conds)?;
                let both = acc.d != 0u32 && a.d != 0u32;
                if both && scope.smooth == Smooth::Off {
                    return Err(not_pl(&format!(
                        "{} multiplies its variable by itself",
                        d.name
                    )));
                }
                acc = SV {
                    d: &acc.d * &a.v + &acc.v * &a.d,
                    v: acc.v * a.v,
                    curved: both || acc.curved || a.curved,
                };
            }
            acc
        }
        IrKind::Pow(a, e) => {
            let a = ev(a, conds)?;
            let one = Q::from(1u32);
            if *e == one {
                a
            } else if a.d != 0u32 && scope.smooth == Smooth::Off {
                return Err(not_pl(&format!(
                    "{} raises its variable to a power",
                    d.name
                )));
            } else {
                let k = i32::try_from(e)
                    .map_err(|_| format!("{} takes a non-integer power", d.name))?;
                power(a, k).ok_or_else(|| format!("{} divides by zero", d.name))?
            }
        }
        IrKind::HadPow(a, k) => {
            let a = ev(a, conds)?;
            if *k == 1 {
                a
            } else if a.d != 0u32 && scope.smooth == Smooth::Off {
                return Err(not_pl(&format!(
                    "{} raises its variable to a power",
                    d.name
                )));
            } else {
                let k =
                    i32::try_from(*k).map_err(|_| format!("{} takes too high a power", d.name))?;
                power(a, k).ok_or_else(|| format!("{} divides by zero", d.name))?
            }
        }
        IrKind::If {
            lhs,
            op,
            rhs,
            then,
            otherwise,
        } => {
            let l = ev(lhs, conds)?;
            let r = ev(rhs, conds)?;
            let g0 = &l.v - &r.v;
            let g1 = &l.d - &r.d;
            scope.undecided_tie(&SV {
                v: g0.clone(),
                d: g1.clone(),
                curved: l.curved || r.curved,
            })?;
            let holds = op.holds(scope.sign(&g0, &g1));
            conds.push((g0, g1));
            if holds {
                ev(then, conds)?
            } else {
                ev(otherwise, conds)?
            }
        }
        IrKind::Apply {
            callee,
            deriv,
            arg,
            params,
        } => {
            if *deriv > 0 {
                return Err(not_pl(&callee.primed_name(*deriv)));
            }
            let a = ev(arg, conds)?;
            let mut pv = Vec::new();
            for (n, v) in params {
                let p = ev(v, conds)?;
                if p.d != 0u32 {
                    return Err(format!("the parameter {n} depends on the variable"));
                }
                pv.push((n.clone(), p.v));
            }
            let inner = Scope {
                depth: scope.depth + 1,
                ..scope
            };
            call(callee, &pv, a, conds, inner)?
        }
        IrKind::Bound { value, .. } => ev(value, conds)?,
        IrKind::Sym(_) | IrKind::Ones | IrKind::Diag(_) | IrKind::Transpose(_) | IrKind::Len => {
            return Err(format!("{} uses a vector inside a scalar function", d.name));
        }
    })
}

/// The network at `x0`, exactly: the entries it decided, each output's gradient, its value.
/// A value that is not rational (see [`Aff::unknown`]) is None, a gradient coordinate that is
/// not rational (the germ only, see [`Aff::gu`]) is None.
type Evaluated<'a> = (Ctx<'a>, Vec<Vec<Coordinate>>, Vec<Option<Q>>);

/// Values that must all be exact (a piecewise-linear network's always are).
fn exact(values: Vec<Option<Q>>) -> Result<Vec<Q>, Why> {
    values
        .into_iter()
        .collect::<Option<Vec<Q>>>()
        .ok_or_else(|| "a value at x₀ that is not rational".into())
}

/// Evaluates the network at `x0`; with `germ`, an entry on its breakpoint adds a bar to the
/// gradients (their length is then the input's plus `germ.room`).
fn evaluate<'a>(
    l: &Lowered,
    env: &'a Env,
    input: &'a Name,
    x0: &'a [Q],
    dims: BTreeMap<Dim, usize>,
    germ: Option<Bars>,
    values_only: bool,
) -> Result<Evaluated<'a>, Why> {
    let mut ctx = Ctx::new(env, dims, input, x0, germ, values_only);
    let y = ctx.eval(&l.ir)?;
    let n = ctx.n();
    let grads = (0..y.v.len())
        .map(|i| {
            let unknown = y.grad_mask_row(i, n);
            (y.grad(i, n).into_iter().zip(unknown))
                .map(|(e, u)| match u {
                    None => Coordinate::Exact(e),
                    Some(part) => whole_coordinate(part.plus_q(&e)),
                })
                .collect()
        })
        .collect();
    let values = (0..y.v.len())
        .map(|i| (!y.unknown_at(i)).then(|| y.v[i].clone()))
        .collect();
    Ok((ctx, grads, values))
}

/// A gradient coordinate with a part that is not rational, from the whole of it (None: 0 by
/// its form): exact when it is rational after all (the parts cancelled, or the exact test of
/// `algebra::sign` finds it 0), else unknown, of its sign when that is decided.
fn whole_coordinate(whole: Option<Part>) -> Coordinate {
    match whole {
        None => Coordinate::Exact(zero()),
        Some(Part::Exact(x)) => match x.to_q() {
            Some(q) => Coordinate::Exact(q),
            None => match x.sign() {
                Some(std::cmp::Ordering::Equal) => Coordinate::Exact(zero()),
                o => Coordinate::Unknown(sign_from(o)),
            },
        },
        Some(Part::Signed(s)) => Coordinate::Unknown(s),
    }
}

/// When x₀ sits on a breakpoint, decides exactly whether the kink reaches the output.
///
/// Near x₀ an entry off its breakpoint keeps its piece, so it is affine in x; an entry on it,
/// z = z₀ + t with t = ∇z·(x − x₀) (and the bars z holds), is
/// callee(z₀) + (l + r)/2·t + (r − l)/2·|t| for its one-sided slopes l and r. Each output is
/// then `y(x₀) + a·(x − x₀) + Σₖ cₖ·barₖ`. When no bar holds another (the kinks sit in one
/// layer, or cancel before the next), the bars are |vₖ·(x − x₀)| with the vₖ pairwise not
/// proportional, and the sum is affine exactly when every cₖ is 0: a bar with cₖ ≠ 0 bends
/// the output along the hyperplane vₖ·(x − x₀) = 0, which no other bar's hyperplane contains.
/// With bars inside bars, the cells where every bar keeps its sign are walked ([`cells`]).
/// So: a map, the affine map near x₀; none, a kink that reaches the output; `Err`, a case this
/// does not decide (an activation that jumps, too many cells, a value that is not rational).
/// A smooth function is taken to first order (its value and slope at its point, when both
/// are rational): the bars and the cells are then those of the network's first order.
///
/// [`cells`]: super::cells
pub(crate) fn germ(l: &Lowered, env: &Env, input: &Name, x0: &[Q]) -> Result<Germ, Why> {
    // One bar at most per entry on its breakpoint, counted from the values alone.
    let room = entries_on_breakpoints(l, env, input, x0)?.on.len();
    let dims = dims_of(l, env, input, x0)?;
    let bars = Bars {
        room,
        arguments: Vec::new(),
    };
    let (ctx, grads, values) = evaluate(l, env, input, x0, dims, Some(bars), false)?;
    let n = x0.len();
    let first_order = ctx.curved;
    let bars = ctx.germ.ok_or("no bars")?;
    // A bar whose coefficient is not 0 bends the output: an exact one, or one that is not
    // rational (an irrational slope after the kink) but of a known sign. One of unknown sign
    // might be 0, and decides nothing.
    let nonzero = |c: &Coordinate| match c {
        Coordinate::Exact(q) => *q != 0u32,
        Coordinate::Unknown(s) => *s != Sign::Any,
    };
    let bent = grads.iter().any(|g| g[n..].iter().any(nonzero));
    let unsure = (grads.iter())
        .any(|g| (g[n..].iter()).any(|c| matches!(c, Coordinate::Unknown(Sign::Any))));
    let kink = Germ {
        map: None,
        first_order,
    };
    let w: Vec<Vec<Coordinate>> = match (bent, bars.nested(n)) {
        (true, false) => return Ok(kink),
        (false, _) if unsure => return Err(SLOPE_NOT_RATIONAL.into()),
        (false, _) => grads,
        (true, true) => {
            let grads = exact_grads(grads).map_err(|_| SLOPE_NOT_RATIONAL.to_string())?;
            match super::cells::linear_map(n, &bars.arguments, &grads)? {
                Some(w) => (w.into_iter())
                    .map(|g| g.into_iter().map(Coordinate::Exact).collect())
                    .collect(),
                None => return Ok(kink),
            }
        }
    };
    // W, when every slope is rational; b = y(x₀) − W·x₀, when y(x₀) is rational too.
    let w: Option<Vec<Vec<Q>>> = (w.into_iter())
        .map(|g| g.into_iter().take(n).map(Coordinate::exact).collect())
        .collect();
    let b = w.as_ref().map(|w| {
        (values.iter().zip(w))
            .map(|(y, g)| Some(y.as_ref()? - g.iter().zip(x0).map(|(a, x)| a * x).sum::<Q>()))
            .collect()
    });
    Ok(Germ {
        map: Some(GermMap { w, b: b.flatten() }),
        first_order,
    })
}

/// Gradients that must all be exact (outside the germ they always are).
fn exact_grads(grads: Vec<Vec<Coordinate>>) -> Result<Vec<Vec<Q>>, Why> {
    (grads.into_iter())
        .map(|g| {
            g.into_iter()
                .map(Coordinate::exact)
                .collect::<Option<Vec<Q>>>()
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| SLOPE_NOT_RATIONAL.into())
}

/// What [`germ`] decides: `map`, the affine map near x₀ (None: a kink reaches the output).
/// With `first_order`, the network is not piecewise linear near x₀ (a smooth function or a
/// product of terms in the input was taken to first order): the germ is then its first order,
/// y(x₀ + h) = y(x₀) + g(h) + o(h), a kink reaches the output still exactly when g bends, but a
/// map only says that y is differentiable at x₀ with that derivative.
pub(crate) struct Germ {
    pub map: Option<GermMap>,
    pub first_order: bool,
}

/// The map of a germ: W exact (None: a slope at x₀ is not rational), b = y(x₀) − W·x₀ (None:
/// W or y(x₀) is not rational).
pub(crate) struct GermMap {
    pub w: Option<Vec<Vec<Q>>>,
    pub b: Option<Vec<Q>>,
}

/// The affine map `y = W·x + b` of one side of x₀: each output's gradient (a row of W) and
/// its constant (an entry of b).
#[derive(PartialEq)]
pub(crate) struct SideMap {
    pub w: Vec<Vec<Q>>,
    pub b: Vec<Q>,
}

/// When x₀ sits on a breakpoint: the affine maps of the network on the sides of x₀ along
/// `2n + 4` directions (±eⱼ and four fixed others), each exact. Along a direction v the map is
/// that of the region at x₀ + h·v, for an h halved until no entry changes its piece between
/// x₀ and x₀ + h·v (so the map holds on that segment up to x₀). Two different maps prove that
/// the kink reaches the output; one map on every side tried is evidence, not proof, that it
/// does not (a side no direction enters would be missed): the report says which.
pub(crate) fn one_sided_maps(
    l: &Lowered,
    env: &Env,
    input: &Name,
    x0: &[Q],
) -> Result<Vec<SideMap>, Why> {
    let n = x0.len();
    let mut directions: Vec<Vec<Q>> = Vec::new();
    for j in 0..n {
        for s in [1i32, -1] {
            let mut v = vec![zero(); n];
            v[j] = Q::from(s);
            directions.push(v);
        }
    }
    // Fixed, deterministic directions with no zero entry: (1, −2, 3, …) and its turns.
    for turn in 0..4usize {
        directions.push(
            (0..n)
                .map(|j| {
                    let k = (j + turn) % 5;
                    Q::from([1i32, -2, 3, -1, 2][k] * if turn % 2 == 0 { 1 } else { -1 })
                })
                .collect(),
        );
    }
    let mut out = Vec::new();
    for v in directions {
        let mut h = Q::from_unsigneds(1u32, 1024u32);
        let mut found = None;
        for _ in 0..48 {
            if crate::limits::interrupted() {
                return Err(
                    "the time budget ran out while trying the sides of the breakpoint".into(),
                );
            }
            let p: Vec<Q> = x0.iter().zip(&v).map(|(a, d)| a + &h * d).collect();
            let dims = dims_of(l, env, input, &p)?;
            let (ctx, grads, values) = evaluate(l, env, input, &p, dims, None, false)?;
            let (grads, values) = (exact_grads(grads)?, exact(values)?);
            // Between x₀ and p, z moves by −h·∇z·v: within its distance to the nearest
            // breakpoint, it keeps its piece (x₀ itself may sit on the breakpoint).
            let holds = ctx.neurons.iter().all(|nr| {
                let dz: Q = nr.grad.iter().zip(&v).map(|(g, d)| g * d).sum::<Q>() * &h;
                let dz = if dz < 0u32 { -dz } else { dz };
                dz <= nr.distance
            });
            if holds {
                // The map holds at p: b = y(p) − W·p.
                let b = (values.iter().zip(&grads))
                    .map(|(y, g)| y - g.iter().zip(&p).map(|(a, x)| a * x).sum::<Q>())
                    .collect();
                found = Some(SideMap { w: grads, b });
                break;
            }
            h /= Q::from(2u32);
        }
        out.push(found.ok_or("no side of the breakpoint small enough was found")?);
    }
    Ok(out)
}

/// The sizes of the dimensions, from the values and the point.
fn dims_of(l: &Lowered, env: &Env, input: &Name, x0: &[Q]) -> Result<BTreeMap<Dim, usize>, Why> {
    let mut dims = BTreeMap::new();
    for (s, sh) in &l.symbols {
        if let Some(t) = env.values.get(&s.name) {
            dims.insert(sh.rows.clone(), t.rows);
            if let Some(c) = t.cols {
                dims.insert(sh.cols.clone(), c);
            }
        } else if &s.name == input {
            dims.insert(sh.rows.clone(), x0.len());
        } else {
            return Err(format!("{} has no value", s.name));
        }
    }
    Ok(dims)
}

/// The network's value at `x0`, exactly (values only).
pub(crate) fn value_at(l: &Lowered, env: &Env, input: &Name, x0: &[Q]) -> Result<Vec<Q>, Why> {
    let dims = dims_of(l, env, input, x0)?;
    exact(evaluate(l, env, input, x0, dims, None, true)?.2)
}

/// The activation entries that sit exactly on a breakpoint at `x0`, found from the values
/// alone (no gradients: a network too large for its region is cheap to evaluate at one point).
pub(crate) fn entries_on_breakpoints(
    l: &Lowered,
    env: &Env,
    input: &Name,
    x0: &[Q],
) -> Result<Scan, Why> {
    let dims = dims_of(l, env, input, x0)?;
    let (ctx, _, _) = evaluate(l, env, input, x0, dims, None, true)?;
    Ok(Scan {
        on: (ctx.neurons.into_iter())
            .filter(|nr| nr.distance == 0u32)
            .collect(),
        undetermined: ctx.undetermined,
        on_exact: ctx.on_exact,
        ties: ctx.ties,
        layers: ctx.layers,
    })
}

/// The entries exactly on a breakpoint at x₀ (`on`), and those whose input there is not
/// rational, for which that is not decided (`undetermined`: layer, activation, index).
pub(crate) struct Scan {
    pub on: Vec<Neuron>,
    pub undetermined: Vec<(usize, String, usize)>,
    /// Those of them found exactly on a breakpoint (their input decided equal to it).
    pub on_exact: Vec<(usize, String, usize)>,
    /// Those of them whose input is closer to a tie than 2048-bit floats resolve, with no exact
    /// test to decide it: each may sit on its breakpoint.
    pub ties: Vec<(usize, String, usize)>,
    /// The activation of each layer, in the numbering of `on` and `undetermined`.
    pub layers: Vec<String>,
}

/// The affine region of the network `l` around `x0` (the input's value), with `env`'s values.
pub(crate) fn region(l: &Lowered, env: &Env, input: &Name, x0: &[Q]) -> Result<Region, Why> {
    if let Some(sh_in) = l
        .symbols
        .iter()
        .find(|(s, _)| &s.name == input)
        .map(|(_, sh)| sh)
        && let Dim::Known(k) = sh_in.rows
        && k as usize != x0.len()
    {
        return Err(format!(
            "the point has {} entries, the input {input} has {k}",
            x0.len()
        ));
    }
    let dims = dims_of(l, env, input, x0)?;
    let (ctx, grads, values) = evaluate(l, env, input, x0, dims, None, false)?;
    let (grads, values) = (exact_grads(grads)?, exact(values)?);
    let n = x0.len();
    let rows = values.len();
    // y = W·x + b on the region: W the Jacobian, b = y(x₀) − W·x₀.
    let w: Vec<Num> = grads.iter().flatten().cloned().map(Num::Exact).collect();
    let b: Vec<Num> = (0..rows)
        .map(|i| {
            let wx: Q = grads[i].iter().zip(x0).map(|(a, b)| a * b).sum();
            Num::Exact(&values[i] - wx)
        })
        .collect();
    let mut radius_inf: Option<(Q, Neuron)> = None;
    let mut radius2: Option<(Q, Neuron)> = None;
    for nr in &ctx.neurons {
        let l1: Q = nr
            .grad
            .iter()
            .map(|g| if *g < 0u32 { -g } else { g.clone() })
            .sum();
        if l1 == 0u32 {
            continue; // z does not move with x: this entry never changes piece
        }
        let l2sq: Q = nr.grad.iter().map(|g| g * g).sum();
        let ri = &nr.distance / &l1;
        let r2 = (&nr.distance * &nr.distance) / &l2sq;
        if radius_inf.as_ref().is_none_or(|(r, _)| ri < *r) {
            radius_inf = Some((ri, nr.clone()));
        }
        if radius2.as_ref().is_none_or(|(r, _)| r2 < *r) {
            radius2 = Some((r2, nr.clone()));
        }
    }
    let (radius_inf, limit_inf) = radius_inf.map_or((None, None), |(r, n)| (Some(r), Some(n)));
    let (radius2_sq, limit_2) = radius2.map_or((None, None), |(r, n)| (Some(r), Some(n)));
    Ok(Region {
        at: x0.to_vec(),
        at_name: None,
        w: Mat {
            rows,
            cols: n,
            entries: w,
        },
        b: Mat {
            rows,
            cols: 1,
            entries: b,
        },
        radius_inf,
        radius2_sq,
        limit_inf,
        limit_2,
        entries: ctx.neurons.len(),
        patterns: ctx.patterns,
        sides: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: u64) -> Q {
        Q::from_signeds(n, d as i64)
    }

    /// A context at `x0`: values only without `germ`, the germ with it.
    fn test_ctx<'a>(env: &'a Env, input: &'a Name, x0: &'a [Q], germ: Option<Bars>) -> Ctx<'a> {
        let values_only = germ.is_none();
        Ctx::new(env, BTreeMap::new(), input, x0, germ, values_only)
    }

    /// A function the session defines from `def` (`f(t) = …`).
    fn defined(def: &str) -> Callee {
        let mut s = crate::session::Session::new();
        s.run(def).expect("the definition runs");
        s.numeric_functions().remove("f").expect("f is defined")
    }

    #[test]
    fn smooth_functions_are_taken_to_first_order_only_when_asked() {
        let tanh = Callee::Prim(Prim::Tanh);
        // The region (exact affinity on a ball) refuses tanh of the variable.
        assert!(scalar_piece(&tanh, &[], &q(0, 1), 0, Smooth::Off).is_err());
        // The germ takes it as its tangent at 0: tanh(t) = t + O(t³), curved.
        let p = scalar_piece(&tanh, &[], &q(0, 1), 0, Smooth::FirstOrder).expect("a tangent");
        assert_eq!((p.value, p.slope, p.curved), (q(0, 1), q(1, 1), true));
        // tanh(½) is not rational: no jet.
        assert!(scalar_piece(&tanh, &[], &q(1, 2), 0, Smooth::FirstOrder).is_err());
        // sigmoid by its body 1/(1 + exp(−t)): ½ and ¼ at 0, by the chain and power rules.
        let sigmoid = defined("f(t) = 1/(1 + exp(-t))");
        let p = scalar_piece(&sigmoid, &[], &q(0, 1), 0, Smooth::FirstOrder).expect("a jet");
        assert_eq!((p.value, p.slope), (q(1, 2), q(1, 4)));
        // A product of the variable with itself: (t·t)′ = 2t, 6 at 3.
        let square = defined("f(t) = t·t");
        let p = scalar_piece(&square, &[], &q(3, 1), 0, Smooth::FirstOrder).expect("a jet");
        assert_eq!((p.value, p.slope, p.curved), (q(9, 1), q(6, 1), true));
        assert!(scalar_piece(&square, &[], &q(3, 1), 0, Smooth::Off).is_err());
    }

    #[test]
    fn a_curved_comparison_tied_to_first_order_is_not_decided_by_a_jet() {
        // t² > 0 ties at 0 with slope 0: which side holds beside 0 is up to t², which a jet
        // does not have (f is t everywhere but at 0, where it is 0).
        let f = defined("f(t) = if t^2 > 0 then t else 0");
        assert!(scalar_piece(&f, &[], &q(0, 1), 0, Smooth::FirstOrder).is_err());
        assert!(scalar_piece(&f, &[], &q(0, 1), 1, Smooth::FirstOrder).is_err());
        // Its value at the point is the tie as written.
        let p = scalar_piece(&f, &[], &q(0, 1), 0, Smooth::Values).expect("a value");
        assert_eq!(p.value, q(0, 1));
        // The exact series does decide it: f is t near 0.
        let p = tangent(&f, &[], &q(0, 1), true).expect("a tangent");
        assert_eq!((p.value, p.slope), (q(0, 1), q(1, 1)));
        // A tie that moves with t is a breakpoint, decided by its side: relu beside 0.
        let relu = defined("f(t) = if t > 0 then t else 0");
        let left = scalar_piece(&relu, &[], &q(0, 1), -1, Smooth::FirstOrder).expect("left");
        let right = scalar_piece(&relu, &[], &q(0, 1), 1, Smooth::FirstOrder).expect("right");
        assert_eq!((left.slope, right.slope), (q(0, 1), q(1, 1)));
    }

    #[test]
    fn a_value_that_is_not_rational_is_held_unknown() {
        // softplus(0) = log 2: the tangent has the slope ½ and an unknown value.
        let softplus = defined("f(t) = log(1 + exp(t))");
        let p = tangent(&softplus, &[], &q(0, 1), true).expect("a tangent");
        assert!(p.irrational);
        assert_eq!(p.slope, q(1, 2));
        // An unknown entry times an exact 0 is 0; times anything else it stays unknown.
        let a = Aff {
            rows: 1,
            cols: 2,
            scalar: false,
            v: vec![q(0, 1), q(1, 1)],
            g: None,
            unknown: Some(vec![true, false]),
            gu: None,
            ex: None,
        };
        assert!(a.unknown_at(0) && !a.known_zero(0) && !a.unknown_at(1));
        let column = |top: i64| Aff::constant(2, 1, false, vec![q(top, 1), q(1, 1)]);
        let (env, input) = (Env::default(), Name::new("x", ""));
        let mut ctx = test_ctx(&env, &input, &[], None);
        let zeroed = ctx.mul(a.clone(), column(0)).expect("a product");
        assert_eq!(
            (zeroed.v.clone(), zeroed.any_unknown()),
            (vec![q(1, 1)], false)
        );
        let kept = ctx.mul(a, column(2)).expect("a product");
        assert!(kept.any_unknown());
    }

    #[test]
    fn a_slope_that_is_not_rational_keeps_exact_zeros_and_known_signs() {
        use Sign::{Any, Negative, Positive};
        assert_eq!(Sign::plus(Some(Positive), Some(Positive)), Some(Positive));
        assert_eq!(Sign::plus(Some(Positive), Some(Negative)), Some(Any));
        assert_eq!(Sign::plus(None, Some(Negative)), Some(Negative));
        assert_eq!(Sign::plus(None, None), None);
        assert_eq!(
            (Negative.times(Negative), Negative.times(Any)),
            (Positive, Any)
        );
        assert_eq!(Positive.times_q(&q(0, 1)), None);
        assert_eq!(Positive.times_q(&q(-2, 1)), Some(Negative));
        // tanh′(3) = 1 − tanh(3)² is not rational, and positive; −tanh′(3) negative; both
        // carried exactly.
        let tanh = Callee::Prim(Prim::Tanh);
        let slope = |f: &Callee, at: i64| {
            let p = tangent(f, &[], &q(at, 1), true).expect("a tangent");
            p.slope_irrational.expect("a slope that is not rational")
        };
        let (up, up2) = (slope(&tanh, 1), slope(&tanh, 2));
        assert!(matches!(&up, Part::Exact(x) if x.to_q().is_none()));
        assert_eq!(up.sign(), Positive);
        let minus = defined("f(t) = -tanh(t)");
        assert_eq!(slope(&minus, 3).sign(), Negative);
        // tanh′(1) − tanh′(2) = tanh(2)² − tanh(1)² > 0, decided from the exact sum (as signs
        // alone, a positive part and a negative one, it was of any sign); tanh′(1) − tanh′(1)
        // is 0 by its form.
        let down2 = up2.times_q(&q(-1, 1));
        assert_eq!(
            Part::plus(Some(up.clone()), down2.clone()).map(|p| p.sign()),
            Some(Positive)
        );
        assert_eq!(Part::plus(Some(up.clone()), up.times_q(&q(-1, 1))), None);
        assert_eq!(
            Part::plus(Some(Part::Signed(Positive)), down2).map(|p| p.sign()),
            Some(Any)
        );
        // Values only: no slope asked for, none held unknown.
        let p = tangent(&tanh, &[], &q(3, 1), false).expect("a value");
        assert_eq!(p.slope_irrational, None);
        // A gradient (x, bar₁, bar₂) = (1, 2, 0) times a positive unknown: x and bar₁ become
        // positive unknowns, bar₂ stays exactly 0; then −1 flips them, and adding an exact
        // (0, 3, 0) leaves bar₁ of unknown sign (a positive exact part, a negative unknown one).
        let mut a = Aff {
            g: Some(vec![vec![q(1, 1), q(2, 1), q(0, 1)]]),
            ..Aff::constant(1, 1, true, vec![q(0, 1)])
        };
        a.grad_times_unknown(0, &Part::Signed(Positive));
        let signs = |a: &Aff| {
            (a.grad_mask_row(0, 3).iter())
                .map(|p| p.as_ref().map(Part::sign))
                .collect::<Vec<_>>()
        };
        assert_eq!(signs(&a), vec![Some(Positive), Some(Positive), None]);
        a.grad_times_q(0, &q(-1, 1));
        assert_eq!(signs(&a), vec![Some(Negative), Some(Negative), None]);
        let b = Aff {
            g: Some(vec![vec![q(0, 1), q(3, 1), q(0, 1)]]),
            ..Aff::constant(1, 1, true, vec![q(0, 1)])
        };
        let (env, input) = (Env::default(), Name::new("x", ""));
        let x0 = [q(0, 1)];
        let bars = Bars {
            room: 2,
            arguments: Vec::new(),
        };
        let mut ctx = test_ctx(&env, &input, &x0, Some(bars));
        let sum = ctx.add(a, b).expect("a sum");
        assert_eq!(
            (0..3).map(|d| sum.g_sign(0, d)).collect::<Vec<_>>(),
            vec![Some(Negative), Some(Any), None]
        );
    }
}
