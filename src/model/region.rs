//! The exact affine region of a piecewise-linear network around a data point x₀.
//!
//! Every value is carried exactly as its value at x₀ and its gradient in x (rational weights
//! give rational pre-activations). Each activation entry's piece is decided by exact
//! comparisons; the piece holds while every comparison on its path keeps its side, i.e. while
//! the pre-activation z moves less than its distance d to the nearest breakpoint. Inside the
//! ball where no entry reaches its breakpoint the activation pattern is constant, every later
//! pre-activation stays the same affine function of x, and the network is exactly affine:
//! r∞ = min d/‖∇z‖₁ and r₂ = min d/‖∇z‖₂ (the dual norms), r₂ kept exact as √(d²/‖∇z‖₂²).

use crate::algebra::Q;
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
}

fn zero() -> Q {
    Q::from(0u32)
}

impl Aff {
    fn constant(rows: usize, cols: usize, scalar: bool, v: Vec<Q>) -> Aff {
        Aff {
            rows,
            cols,
            scalar,
            v,
            g: None,
        }
    }
    fn grad(&self, k: usize, n: usize) -> Vec<Q> {
        match &self.g {
            Some(g) => g[k].clone(),
            None => vec![zero(); n],
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
    layer: usize,
    work: u64,
    /// When the germ of the network at x₀ is asked for (see [`germ`]): the room for bars.
    germ: Option<Bars>,
    /// Values only, no gradients (see [`entries_on_breakpoints`]).
    values_only: bool,
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

impl Ctx<'_> {
    /// The length of a gradient: the input's entries, then the bars' coordinates.
    fn n(&self) -> usize {
        if self.values_only {
            return 0;
        }
        self.x0.len() + self.germ.as_ref().map_or(0, |b| b.room)
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
            IrKind::Pi | IrKind::E => return Err("π and e are not rational".into()),
            IrKind::Param(p) => return Err(format!("the parameter {p} is symbolic")),
            IrKind::Var | IrKind::If { .. } => {
                return Err("a function body outside its function".into());
            }
            IrKind::Sym(s) => {
                if &s.name == self.input && self.values_only {
                    Aff::constant(self.x0.len(), 1, false, self.x0.to_vec())
                } else if &s.name == self.input {
                    let g = (0..self.x0.len())
                        .map(|i| (0..n).map(|j| Q::from(u32::from(i == j))).collect())
                        .collect();
                    Aff {
                        rows: self.x0.len(),
                        cols: 1,
                        scalar: false,
                        v: self.x0.to_vec(),
                        g: Some(g),
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
                if let Some(g) = &mut a.g {
                    g.iter_mut().flatten().for_each(|e| *e = -&*e);
                }
                a
            }
            IrKind::Sum(v) => self.fold(v, Ctx::add)?,
            IrKind::Mul(v) => self.fold(v, Ctx::mul)?,
            IrKind::Had(v) => self.fold(v, Ctx::had)?,
            IrKind::Pow(x, e) => {
                let a = self.eval(x)?;
                if a.g.is_some() {
                    return Err(not_pl("a power of the input"));
                }
                let k = i32::try_from(e)
                    .map_err(|_| "a non-integer power is not rational".to_string())?;
                self.powi(a, k)?
            }
            IrKind::HadPow(x, k) => {
                let a = self.eval(x)?;
                if *k == 1 {
                    a
                } else if a.g.is_some() {
                    return Err(not_pl("an element-wise power of the input"));
                } else {
                    self.powi(a, *k as i32)?
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
                    }
                }
            }
            IrKind::Len => return Err("a vector's length".into()),
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
                let mut pv = Vec::new();
                for (name, v) in params {
                    let p = self.eval(v)?;
                    if p.g.is_some() || !p.scalar {
                        return Err(format!("the parameter {name} must be a number"));
                    }
                    pv.push((name.clone(), p.v[0].clone()));
                }
                self.layer += 1;
                let layer = self.layer;
                let mut out = a.clone();
                let mut pattern = String::new();
                let mut gout = a.g.clone();
                for k in 0..a.v.len() {
                    self.spend(n as u64 + 1)?;
                    let piece = scalar_piece(callee, &pv, &a.v[k], 0)?;
                    out.v[k] = piece.value.clone();
                    if self.germ.is_some() && piece.on_breakpoint() {
                        let g = a.grad(k, n);
                        let kinked = self.kink(callee, &pv, &a.v[k], &piece, g)?;
                        if let Some(g) = &mut gout {
                            g[k] = kinked;
                        }
                        pattern.push_str(&piece.label());
                        continue;
                    }
                    if let Some(g) = &mut gout {
                        for e in g[k].iter_mut() {
                            *e = &*e * &piece.slope;
                        }
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
                out.g = gout;
                self.patterns.push((layer, callee.name(), pattern));
                out
            }
        })
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
        let Some(lead) = grad.iter().find(|e| **e != 0u32).cloned() else {
            return Ok(grad); // z does not move with x: the entry is the constant callee(z₀)
        };
        let left = scalar_piece(callee, params, at, -1)?;
        let right = scalar_piece(callee, params, at, 1)?;
        if left.value != piece.value || right.value != piece.value {
            return Err(format!("{} jumps at its breakpoint", callee.name()));
        }
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
        if b.scalar && !a.scalar {
            return Err("a scalar added to a vector".into());
        }
        if a.v.len() != b.v.len() {
            return Err("mismatched shapes in a sum".into());
        }
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
        Ok(a)
    }

    fn scale(&mut self, c: &Q, mut a: Aff) -> Aff {
        a.v.iter_mut().for_each(|e| *e = &*e * c);
        if let Some(g) = &mut a.g {
            g.iter_mut().flatten().for_each(|e| *e = &*e * c);
        }
        a
    }

    fn mul(&mut self, a: Aff, b: Aff) -> Result<Aff, Why> {
        if a.g.is_some() && b.g.is_some() {
            return Err(not_pl("a product of two terms in the input"));
        }
        if a.scalar && a.g.is_none() {
            return Ok(self.scale(&a.v[0].clone(), b));
        }
        if b.scalar && b.g.is_none() {
            return Ok(self.scale(&b.v[0].clone(), a));
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
        Ok(Aff {
            rows: r,
            cols: c,
            scalar: false,
            v,
            g,
        })
    }

    fn had(&mut self, a: Aff, b: Aff) -> Result<Aff, Why> {
        if a.g.is_some() && b.g.is_some() {
            return Err(not_pl("a Hadamard product of two terms in the input"));
        }
        if a.v.len() != b.v.len() {
            return self.mul(a, b);
        }
        let (c, mut x) = if a.g.is_none() { (a, b) } else { (b, a) };
        self.spend(x.v.len() as u64 * (self.n() as u64 + 1))?;
        for (k, e) in x.v.iter_mut().enumerate() {
            *e = &*e * &c.v[k];
        }
        if let Some(g) = &mut x.g {
            for (k, r) in g.iter_mut().enumerate() {
                r.iter_mut().for_each(|e| *e = &*e * &c.v[k]);
            }
        }
        Ok(x)
    }

    fn powi(&mut self, mut a: Aff, k: i32) -> Result<Aff, Why> {
        use malachite_base::num::arithmetic::traits::Pow;
        if k.unsigned_abs() > 64 {
            return Err("a power beyond 64".into());
        }
        for e in a.v.iter_mut() {
            *e = if k >= 0 {
                (&*e).pow(k as u64)
            } else if *e == 0u32 {
                return Err("a division by zero".into());
            } else {
                Q::from(1u32) / (&*e).pow(k.unsigned_abs() as u64)
            };
        }
        Ok(a)
    }
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

#[derive(Clone, Debug)]
struct SV {
    v: Q,
    d: Q,
}

/// The piece of `callee` at `at`: on a breakpoint, the one a comparison's tie gives (`side` 0),
/// or the one just left (`side` −1) or just right (`side` 1) of `at`.
fn scalar_piece(callee: &Callee, params: &[(Name, Q)], at: &Q, side: i32) -> Result<Piece, Why> {
    let mut conds = Vec::new();
    let x = SV {
        v: at.clone(),
        d: Q::from(1u32),
    };
    let y = call(callee, params, x, &mut conds, Scope { depth: 0, side })?;
    Ok(Piece {
        value: y.v,
        slope: y.d,
        conds,
    })
}

/// How deep a scalar evaluation is, and the side of the point it takes at a tie (0: the tie
/// as written, ±1: the sign of the value's slope times `side`, i.e. the piece just beside).
#[derive(Clone, Copy)]
struct Scope {
    depth: u32,
    side: i32,
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
            conds.push((x.v.clone(), x.d.clone()));
            let s = sign(&x);
            Ok(SV {
                v: &x.v * &s,
                d: &x.d * &s,
            })
        }
        Prim::Sign => {
            conds.push((x.v.clone(), x.d.clone()));
            Ok(SV {
                v: sign(&x),
                d: zero(),
            })
        }
        _ if x.d == 0u32 => {
            use crate::numeric::Real;
            let v = super::exact::Exact::func(p.name(), &super::exact::Exact(Some(x.v.clone())))
                .and_then(|e| e.0)
                .ok_or_else(|| format!("{}({}) is not rational", p.name(), x.v))?;
            Ok(SV { v, d: zero() })
        }
        _ => Err(not_pl(p.name())),
    }
}

fn body(
    d: &Rc<FunDef>,
    ir: &Ir,
    x: &SV,
    frame: &[(Name, Q)],
    conds: &mut Vec<(Q, Q)>,
    scope: Scope,
) -> Result<SV, Why> {
    let c = |v: Q| SV { v, d: zero() };
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
            SV { v: -a.v, d: -a.d }
        }
        IrKind::Sum(v) => {
            let mut acc = c(zero());
            for a in v {
                let a = ev(a, conds)?;
                acc = SV {
                    v: acc.v + a.v,
                    d: acc.d + a.d,
                };
            }
            acc
        }
        IrKind::Mul(v) | IrKind::Had(v) => {
            let mut acc = c(Q::from(1u32));
            for a in v {
                let a = ev(a, conds)?;
                if acc.d != 0u32 && a.d != 0u32 {
                    return Err(not_pl(&format!(
                        "{} multiplies its variable by itself",
                        d.name
                    )));
                }
                acc = SV {
                    d: &acc.d * &a.v + &acc.v * &a.d,
                    v: acc.v * a.v,
                };
            }
            acc
        }
        IrKind::Pow(a, e) => {
            let a = ev(a, conds)?;
            let one = Q::from(1u32);
            if *e == one {
                a
            } else if a.d != 0u32 {
                return Err(not_pl(&format!(
                    "{} raises its variable to a power",
                    d.name
                )));
            } else {
                let k = i32::try_from(e)
                    .map_err(|_| format!("{} takes a non-integer power", d.name))?;
                let v = super::exact::Exact(Some(a.v));
                use crate::numeric::Real;
                c(v.powi(k)
                    .0
                    .ok_or_else(|| format!("{} divides by zero", d.name))?)
            }
        }
        IrKind::HadPow(a, k) => {
            let a = ev(a, conds)?;
            if *k == 1 {
                a
            } else if a.d != 0u32 {
                return Err(not_pl(&format!(
                    "{} raises its variable to a power",
                    d.name
                )));
            } else {
                use malachite_base::num::arithmetic::traits::Pow;
                c((&a.v).pow(u64::from(*k)))
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
type Evaluated<'a> = (Ctx<'a>, Vec<Vec<Q>>, Vec<Q>);

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
    let mut ctx = Ctx {
        env,
        dims,
        input,
        x0,
        neurons: Vec::new(),
        patterns: Vec::new(),
        layer: 0,
        work: 0,
        germ,
        values_only,
    };
    let y = ctx.eval(&l.ir)?;
    let grads = (0..y.v.len()).map(|i| y.grad(i, ctx.n())).collect();
    Ok((ctx, grads, y.v))
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
/// So: `Ok(Some(map))`, the affine map near x₀; `Ok(None)`, a kink that reaches the output;
/// `Err`, a case this does not decide (an activation that jumps, too many cells).
///
/// [`cells`]: super::cells
pub(crate) fn germ(l: &Lowered, env: &Env, input: &Name, x0: &[Q]) -> Result<Option<SideMap>, Why> {
    // One bar at most per entry on its breakpoint, counted from the values alone.
    let room = entries_on_breakpoints(l, env, input, x0)?.len();
    let dims = dims_of(l, env, input, x0)?;
    let bars = Bars {
        room,
        arguments: Vec::new(),
    };
    let (ctx, grads, values) = evaluate(l, env, input, x0, dims, Some(bars), false)?;
    let n = x0.len();
    let bars = ctx.germ.ok_or("no bars")?;
    let bent = grads.iter().any(|g| g[n..].iter().any(|c| *c != 0u32));
    let grads = match (bent, bars.nested(n)) {
        (false, _) => grads,
        (true, false) => return Ok(None),
        (true, true) => match super::cells::linear_map(n, &bars.arguments, &grads)? {
            Some(w) => w,
            None => return Ok(None),
        },
    };
    let w: Vec<Vec<Q>> = grads
        .into_iter()
        .map(|mut g| {
            g.truncate(n);
            g
        })
        .collect();
    let b = (values.iter().zip(&w))
        .map(|(y, g)| y - g.iter().zip(x0).map(|(a, x)| a * x).sum::<Q>())
        .collect();
    Ok(Some(SideMap { w, b }))
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
    Ok(evaluate(l, env, input, x0, dims, None, true)?.2)
}

/// The activation entries that sit exactly on a breakpoint at `x0`, found from the values
/// alone (no gradients: a network too large for its region is cheap to evaluate at one point).
pub(crate) fn entries_on_breakpoints(
    l: &Lowered,
    env: &Env,
    input: &Name,
    x0: &[Q],
) -> Result<Vec<Neuron>, Why> {
    let dims = dims_of(l, env, input, x0)?;
    let (ctx, _, _) = evaluate(l, env, input, x0, dims, None, true)?;
    Ok(ctx
        .neurons
        .into_iter()
        .filter(|nr| nr.distance == 0u32)
        .collect())
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
