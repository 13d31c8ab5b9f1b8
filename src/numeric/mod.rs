//! Floating-point evaluation, for numeric verification only (the exact path never uses floats).
//!
//! [`eval_ir`] evaluates the true network (activations from their definitions,
//! `if` branches included); [`eval_expr`] evaluates a normal form such as the
//! symbolic `W` and `b`. [`Instance`] draws seeded random values: weights
//! N(0, 1/fan_in), small vectors scaled by σ.

use crate::algebra::nf::{Chain, Factor};
use crate::algebra::{Expr, Kind, Symbol};
use crate::ir::{Callee, Dim, Ir, IrKind, Prim, Shape};
use crate::syntax::Name;
use std::collections::{BTreeMap, BTreeSet};

mod exact;
pub use crate::float::{Big, Real};

/// A numeric value: scalar, vector or matrix (rows of entries).
#[derive(Clone, Debug, PartialEq)]
pub enum Val<R = f64> {
    /// A scalar.
    S(R),
    /// A column vector's entries.
    V(Vec<R>),
    /// A matrix, row by row.
    M(Vec<Vec<R>>),
}

impl<R: Real> Val<R> {
    /// The entries of a vector (`None` for a scalar or a matrix).
    pub fn as_vec(&self) -> Option<&[R]> {
        match self {
            Val::V(v) => Some(v),
            _ => None,
        }
    }
    /// Every entry, row by row (a scalar's one).
    pub(crate) fn entries(&self) -> Vec<&R> {
        match self {
            Val::S(x) => vec![x],
            Val::V(v) => v.iter().collect(),
            Val::M(m) => m.iter().flatten().collect(),
        }
    }
    /// The number of rows (1 for a scalar).
    pub fn rows(&self) -> usize {
        match self {
            Val::S(_) => 1,
            Val::V(v) => v.len(),
            Val::M(m) => m.len(),
        }
    }
    pub(crate) fn map(&self, f: &dyn Fn(&R) -> R) -> Val<R> {
        match self {
            Val::S(x) => Val::S(f(x)),
            Val::V(v) => Val::V(v.iter().map(f).collect()),
            Val::M(m) => Val::M(m.iter().map(|r| r.iter().map(f).collect()).collect()),
        }
    }
    fn zip(&self, o: &Val<R>, f: &dyn Fn(&R, &R) -> R) -> Result<Val<R>, String> {
        Ok(match (self, o) {
            (Val::S(a), Val::S(b)) => Val::S(f(a, b)),
            (Val::S(a), v) => v.map(&|x| f(a, x)),
            (v, Val::S(b)) => v.map(&|x| f(x, b)),
            (Val::V(a), Val::V(b)) if a.len() == b.len() => {
                Val::V(a.iter().zip(b).map(|(x, y)| f(x, y)).collect())
            }
            (Val::M(a), Val::M(b)) if a.len() == b.len() => Val::M(
                a.iter()
                    .zip(b)
                    .map(|(r, s)| r.iter().zip(s).map(|(x, y)| f(x, y)).collect())
                    .collect(),
            ),
            _ => return Err("shape mismatch in numeric evaluation".into()),
        })
    }
    /// The product of a matrix (or scalar) with a matrix, vector or scalar.
    pub fn matmul(&self, o: &Val<R>) -> Result<Val<R>, String> {
        let dot = |r: &[R], col: &dyn Fn(usize) -> R| {
            r.iter()
                .enumerate()
                .fold(R::zero(), |acc, (k, x)| acc.add(&x.mul(&col(k))))
        };
        match (self, o) {
            (Val::S(_), _) | (_, Val::S(_)) => self.zip(o, &|x, y| x.mul(y)),
            (Val::M(a), Val::V(v)) => Ok(Val::V(
                a.iter().map(|r| dot(r, &|k| v[k].clone())).collect(),
            )),
            (Val::M(a), Val::M(b)) => {
                let cols = b.first().map(|r| r.len()).unwrap_or(0);
                check_dense(a.len(), cols)?;
                Ok(Val::M(
                    a.iter()
                        .map(|r| (0..cols).map(|j| dot(r, &|k| b[k][j].clone())).collect())
                        .collect(),
                ))
            }
            // A column times a row: the outer product.
            (Val::V(a), Val::M(b)) if b.len() == 1 => check_dense(a.len(), b[0].len()).map(|()| {
                Val::M(
                    a.iter()
                        .map(|x| b[0].iter().map(|y| x.mul(y)).collect())
                        .collect(),
                )
            }),
            _ => Err("a vector times a vector".into()),
        }
    }
    /// A 1×1 value (a row times a column) as a scalar.
    pub fn one_by_one(self) -> Result<Val<R>, String> {
        match self {
            Val::S(_) => Ok(self),
            Val::V(mut v) if v.len() == 1 => Ok(Val::S(v.remove(0))),
            Val::M(mut m) if m.len() == 1 && m[0].len() == 1 => Ok(Val::S(m.remove(0).remove(0))),
            _ => Err("a 1×1 product is not 1×1".into()),
        }
    }

    /// The transpose, given the kind of the result: a row is a matrix of one row.
    pub fn transpose(self, to: Kind) -> Result<Val<R>, String> {
        Ok(match (self, to) {
            (Val::S(x), _) => Val::S(x),
            (Val::V(v), _) => Val::M(vec![v]),
            (Val::M(mut m), Kind::Vector) if m.len() == 1 => Val::V(m.remove(0)),
            (Val::M(m), _) => {
                let cols = m.first().map(|r| r.len()).unwrap_or(0);
                Val::M(
                    (0..cols)
                        .map(|j| m.iter().map(|r| r[j].clone()).collect())
                        .collect(),
                )
            }
        })
    }

    /// Whether some entry is exactly 0 (or not a number).
    pub(crate) fn any_zero(&self) -> bool {
        let zero = R::zero();
        let is_zero = |x: &R| !(x.lt(&zero) || zero.lt(x));
        match self {
            Val::S(x) => is_zero(x),
            Val::V(v) => v.iter().any(is_zero),
            Val::M(m) => m.iter().flatten().any(is_zero),
        }
    }

    /// The largest absolute entry.
    /// The largest magnitude; NaN if any entry is NaN (a plain `max` would skip it, and a
    /// network that is not a number somewhere would look like a small residual).
    pub fn norm_inf(&self) -> R {
        let worst = |m: R, x: &R| {
            let a = x.abs();
            if m.to_f64().is_nan() {
                m
            } else if a.to_f64().is_nan() {
                a
            } else {
                m.max(&a)
            }
        };
        match self {
            Val::S(x) => x.abs(),
            Val::V(v) => v.iter().fold(R::zero(), worst),
            Val::M(m) => m.iter().flatten().fold(R::zero(), worst),
        }
    }
    /// The entry-wise difference; an error when the shapes differ.
    pub fn sub(&self, o: &Val<R>) -> Result<Val<R>, String> {
        self.zip(o, &|x, y| x.sub(y))
    }
    /// The entry-wise sum; an error when the shapes differ.
    pub fn add(&self, o: &Val<R>) -> Result<Val<R>, String> {
        self.zip(o, &|x, y| x.add(y))
    }
    /// The same value in another number type.
    pub fn lift<T: Real>(&self) -> Val<T> {
        let f = |x: &R| {
            x.to_q()
                .map_or_else(|| T::of_f64(x.to_f64()), |q| T::of_q(&q))
        };
        match self {
            Val::S(x) => Val::S(f(x)),
            Val::V(v) => Val::V(v.iter().map(f).collect()),
            Val::M(m) => Val::M(m.iter().map(|r| r.iter().map(f).collect()).collect()),
        }
    }
}

/// Values of every symbol, parameter and free dimension.
#[derive(Clone, Debug)]
pub struct Instance<R = f64> {
    /// The value of each matrix and vector symbol.
    pub symbols: BTreeMap<Symbol, Val<R>>,
    /// The value of each scalar parameter.
    pub params: BTreeMap<Name, f64>,
    /// The size of each dimension the symbols' shapes name.
    pub dims: BTreeMap<Dim, usize>,
    /// Functions by name, to evaluate element-wise atoms such as `sigmoid′(c₂)`.
    pub functions: BTreeMap<String, Callee>,
}

impl<R> Default for Instance<R> {
    fn default() -> Instance<R> {
        Instance {
            symbols: BTreeMap::new(),
            params: BTreeMap::new(),
            dims: BTreeMap::new(),
            functions: BTreeMap::new(),
        }
    }
}

/// A small seeded generator (SplitMix64), so runs are reproducible without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * libm::log(u)).sqrt() * libm::cos(2.0 * std::f64::consts::PI * v)
    }
}

/// The width used for dimensions no declaration fixes.
pub const DEFAULT_WIDTH: usize = 3;

impl Instance<f64> {
    /// Random values for the symbols of a statement: weights N(0, 1/fan_in); small vectors and
    /// small matrices (a token matrix input) σ·N(0, 1); other vectors N(0, 1); parameters from
    /// `params` (default 0.7).
    pub fn random(
        symbols: &BTreeMap<Symbol, Shape>,
        small: &BTreeSet<Name>,
        sigma: f64,
        seed: u64,
        params: &BTreeMap<Name, f64>,
    ) -> Instance {
        Instance::random_around(symbols, small, sigma, seed, params, &BTreeMap::new())
    }

    /// [`Instance::random`] with every dimension no declaration fixes at `width` (not
    /// [`DEFAULT_WIDTH`]): a second width tells an identity of one width from one of every width.
    pub(crate) fn random_with_width(
        symbols: &BTreeMap<Symbol, Shape>,
        small: &BTreeSet<Name>,
        sigma: f64,
        seed: u64,
        params: &BTreeMap<Name, f64>,
        width: usize,
    ) -> Instance {
        let dims = (symbols.values())
            .flat_map(|sh| [&sh.rows, &sh.cols])
            .filter(|d| !matches!(d, Dim::Known(_)))
            .map(|d| (d.clone(), width))
            .collect();
        let unset = Instance {
            params: params.clone(),
            dims,
            ..Instance::default()
        };
        unset.drawn(symbols, small, sigma, seed, &BTreeMap::new())
    }

    /// [`Instance::random`] with the symbols of `values` at those values (bound weights), the
    /// dimensions they fix taken from them, and only the others drawn.
    pub fn random_around(
        symbols: &BTreeMap<Symbol, Shape>,
        small: &BTreeSet<Name>,
        sigma: f64,
        seed: u64,
        params: &BTreeMap<Name, f64>,
        values: &BTreeMap<Name, std::rc::Rc<crate::syntax::ast::TensorLit>>,
    ) -> Instance {
        let unset = Instance {
            params: params.clone(),
            ..Instance::default()
        };
        unset.drawn(symbols, small, sigma, seed, values)
    }

    /// This instance (its parameters and any dimensions already set) with the symbols bound
    /// to `values` and the others drawn, as [`Instance::random_around`] describes.
    fn drawn(
        self,
        symbols: &BTreeMap<Symbol, Shape>,
        small: &BTreeSet<Name>,
        sigma: f64,
        seed: u64,
        values: &BTreeMap<Name, std::rc::Rc<crate::syntax::ast::TensorLit>>,
    ) -> Instance {
        let mut rng = Rng::new(seed);
        let mut inst = self;
        for (s, sh) in symbols {
            if let Some(t) = values.get(&s.name) {
                inst.bind(s, sh, t);
            }
        }
        for (s, sh) in symbols {
            if values.contains_key(&s.name) {
                continue;
            }
            let r = inst.dim(&sh.rows);
            let c = inst.dim(&sh.cols);
            let v = match s.kind {
                Kind::Matrix => {
                    let scale = if small.contains(&s.name) {
                        sigma
                    } else {
                        1.0 / (c as f64).sqrt()
                    };
                    Val::M(
                        (0..r)
                            .map(|_| (0..c).map(|_| scale * rng.normal()).collect())
                            .collect(),
                    )
                }
                _ => {
                    let scale = if small.contains(&s.name) { sigma } else { 1.0 };
                    Val::V((0..r).map(|_| scale * rng.normal()).collect())
                }
            };
            inst.symbols.insert(s.clone(), v);
        }
        inst
    }
}

impl<R: Real> Instance<R> {
    /// Binds `s` (of shape `sh`) to the values of `t`, and the dimensions of `sh` to its sizes.
    pub fn bind(&mut self, s: &Symbol, sh: &Shape, t: &crate::syntax::ast::TensorLit) {
        let v = match t.cols {
            Some(c) => Val::M(
                (t.data.chunks(c.max(1)))
                    .map(|r| r.iter().map(R::of_q).collect())
                    .collect(),
            ),
            None => Val::V(t.data.iter().map(R::of_q).collect()),
        };
        self.symbols.insert(s.clone(), v);
        self.dims.insert(sh.rows.clone(), t.rows);
        if let Some(c) = t.cols {
            self.dims.insert(sh.cols.clone(), c);
        }
    }

    /// The same instance in another number type (values are converted exactly).
    pub fn lift<T: Real>(&self) -> Instance<T> {
        Instance {
            symbols: self
                .symbols
                .iter()
                .map(|(s, v)| (s.clone(), v.lift()))
                .collect(),
            params: self.params.clone(),
            dims: self.dims.clone(),
            functions: self.functions.clone(),
        }
    }

    /// The size of a dimension (free and named ones get [`DEFAULT_WIDTH`]).
    pub fn dim(&mut self, d: &Dim) -> usize {
        match d {
            Dim::Known(n) => *n as usize,
            d => *self.dims.entry(d.clone()).or_insert(DEFAULT_WIDTH),
        }
    }

    pub(crate) fn param(&self, n: &Name) -> R {
        // An operating-point constant (`κ₁ = 𝟙ᵀ·exp(c₁)`) is held as a scalar symbol, at
        // the instance's precision, by the check that set the operating points.
        let constant = Symbol {
            role: crate::algebra::nf::Role::OpPoint,
            name: n.clone(),
            kind: Kind::Scalar,
        };
        if let Some(Val::S(v)) = self.symbols.get(&constant) {
            return v.clone();
        }
        // A dimension symbol in a coefficient (`mean(x) = 𝟙ᵀ·x/n`) is the drawn length.
        if let Some(d) = self.dims.get(&Dim::Named(n.clone())) {
            return R::of_f64(*d as f64);
        }
        // A dimension nothing fixed, named as shapes print it (d₁).
        if &*n.base == "d"
            && let Ok(k) = n.sub.parse::<u32>()
            && let Some(d) = self.dims.get(&Dim::Free(k))
        {
            return R::of_f64(*d as f64);
        }
        R::of_f64(self.params.get(n).copied().unwrap_or(0.7))
    }
}

/// The diagonal matrix with `v` on its diagonal.
/// The kind of a product from the kinds of its factors (as lowering infers it).
fn product_kind(a: Kind, b: Kind) -> Kind {
    match (a, b) {
        (Kind::Scalar, k) | (k, Kind::Scalar) => k,
        (Kind::Row, Kind::Vector) => Kind::Scalar,
        (Kind::Vector, Kind::Row) => Kind::Matrix,
        (Kind::Row, _) => Kind::Row,
        (_, k) => k,
    }
}

/// The most entries a dense matrix of the numeric evaluation may have (512 × 512): an
/// identity or a product of n×n matrices is n² values of up to a few hundred bytes each, and
/// the loops that fill one do not stop for the time budget or the memory ceiling (from a
/// review: `x + b1` with a bound 4 000-vector built a 4 000 × 4 000 identity, 1.8 GB, past
/// `--max-memory 256`).
pub const MAX_DENSE_ENTRIES: usize = 1 << 18;

/// Err when a `rows`×`cols` matrix is past [`MAX_DENSE_ENTRIES`].
fn check_dense(rows: usize, cols: usize) -> Result<(), String> {
    if rows.saturating_mul(cols) > MAX_DENSE_ENTRIES {
        return Err(format!(
            "a {rows}×{cols} matrix is more than the {MAX_DENSE_ENTRIES} entries the numeric evaluation holds"
        ));
    }
    Ok(())
}

fn diagonal<R: Real>(v: &[R]) -> Result<Val<R>, String> {
    check_dense(v.len(), v.len())?;
    Ok(Val::M(
        (0..v.len())
            .map(|i| {
                (0..v.len())
                    .map(|j| if i == j { v[i].clone() } else { R::zero() })
                    .collect()
            })
            .collect(),
    ))
}

/// Evaluates the true expression.
pub fn eval_ir<R: Real>(ir: &Ir, inst: &mut Instance<R>) -> Result<Val<R>, String> {
    eval(ir, inst, &[])
}

thread_local! {
    /// While `eval_ir_sized` runs: the largest finite summand of any sum the evaluation met.
    static LARGEST_SUMMAND: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Evaluates the true expression, and the size of the largest summand of any sum in it: what
/// a cancellation inside (`relu(λ·W₁·x) − λ·relu(W₁·x)`, whose output is only rounding noise)
/// is rounding noise of.
pub fn eval_ir_sized<R: Real>(ir: &Ir, inst: &mut Instance<R>) -> Result<(Val<R>, f64), String> {
    let outer = LARGEST_SUMMAND.replace(Some(0.0));
    let value = eval(ir, inst, &[]);
    let largest = LARGEST_SUMMAND.replace(outer).unwrap_or(0.0);
    Ok((value?, largest))
}

struct Frame<R> {
    var: R,
    params: BTreeMap<Name, R>,
}

fn eval<R: Real>(ir: &Ir, inst: &mut Instance<R>, frames: &[Frame<R>]) -> Result<Val<R>, String> {
    Ok(match ir.kind() {
        IrKind::Num(x) => Val::S(R::of_q(x)),
        IrKind::Pi => Val::S(R::pi()),
        IrKind::E => Val::S(R::e()),
        IrKind::Param(p) => Val::S(
            frames
                .last()
                .and_then(|f| f.params.get(p).cloned())
                .unwrap_or_else(|| inst.param(p)),
        ),
        IrKind::Var => Val::S(
            frames
                .last()
                .map(|f| f.var.clone())
                .ok_or("variable outside a function")?,
        ),
        IrKind::Sym(s) => inst
            .symbols
            .get(s)
            .cloned()
            .ok_or_else(|| format!("no value for {}", s.name))?,
        IrKind::Ones => {
            let n = inst.dim(&ir.shape().rows);
            Val::V(vec![R::one(); n])
        }
        IrKind::Sum(v) => {
            let sized = LARGEST_SUMMAND.get().is_some();
            let size = |t: &Val<R>| {
                if !sized {
                    return 0.0;
                }
                let s = t.norm_inf().to_f64();
                if s.is_finite() { s } else { 0.0 }
            };
            let mut acc = eval(&v[0], inst, frames)?;
            let mut largest = size(&acc);
            for x in &v[1..] {
                let t = eval(x, inst, frames)?;
                largest = largest.max(size(&t));
                acc = acc.add(&t)?;
            }
            if let Some(before) = LARGEST_SUMMAND.get() {
                LARGEST_SUMMAND.set(Some(before.max(largest)));
            }
            acc
        }
        IrKind::Neg(x) => eval(x, inst, frames)?.map(&|a| a.neg()),
        IrKind::Mul(v) => {
            let mut acc = eval(&v[0], inst, frames)?;
            let mut kind = v[0].kind_of();
            for x in &v[1..] {
                let right = eval(x, inst, frames)?;
                // A matrix product sums products: its largest is at most the product of the
                // largest entries, the size its rounding is at (from a review: weights of 10²¹
                // that cancel to W = 5·10¹⁴ left f64 noise of 10³ read as the network's).
                if let (Some(before), Val::M(m)) = (LARGEST_SUMMAND.get(), &acc)
                    && m.first().is_some_and(|row| row.len() > 1)
                {
                    let s = acc.norm_inf().to_f64() * right.norm_inf().to_f64();
                    if s.is_finite() {
                        LARGEST_SUMMAND.set(Some(before.max(s)));
                    }
                }
                acc = acc.matmul(&right)?;
                kind = product_kind(kind, x.kind_of());
                if kind == Kind::Scalar {
                    acc = acc.one_by_one()?;
                }
            }
            acc
        }
        IrKind::Transpose(x) => eval(x, inst, frames)?.transpose(ir.kind_of())?,
        IrKind::Len => Val::S(R::of_f64(inst.dim(&ir.shape().rows) as f64)),
        IrKind::Had(v) => {
            let mut acc = eval(&v[0], inst, frames)?;
            for x in &v[1..] {
                acc = acc.zip(&eval(x, inst, frames)?, &|a, b| a.mul(b))?;
            }
            acc
        }
        IrKind::Pow(x, e) => eval(x, inst, frames)?.map(&|a| a.powq(e)),
        IrKind::HadPow(x, k) => {
            let k = *k as i32;
            eval(x, inst, frames)?.map(&|a| a.powi(k))
        }
        IrKind::Diag(x) => match eval(x, inst, frames)? {
            Val::V(v) => diagonal(&v)?,
            _ => return Err("diag of a non-vector".into()),
        },
        IrKind::Bound { value, .. } => eval(value, inst, frames)?,
        IrKind::If {
            lhs,
            op,
            rhs,
            then,
            otherwise,
        } => {
            let (Val::S(a), Val::S(b)) = (eval(lhs, inst, frames)?, eval(rhs, inst, frames)?)
            else {
                return Err("a non-scalar condition".into());
            };
            if op.holds(a.order(&b)) {
                eval(then, inst, frames)?
            } else {
                eval(otherwise, inst, frames)?
            }
        }
        IrKind::Apply {
            callee,
            deriv,
            arg,
            params,
        } => {
            if *deriv > 0 {
                return Err("derivatives are not evaluated numerically".into());
            }
            // sign of the number 0 is 0 (`λ = 0; relu(sign(λ)·W1·x)`); a float that is 0 may
            // have rounded to it, and has no sign the floats know (`Real::func`).
            if matches!(callee, Callee::Prim(Prim::Sign)) && is_zero_literal(arg) {
                return Ok(Val::S(R::zero()));
            }
            let a = eval(arg, inst, frames)?;
            let mut pv = BTreeMap::new();
            for (n, v) in params {
                if let Val::S(x) = eval(v, inst, frames)? {
                    pv.insert(n.clone(), x);
                }
            }
            let f = |x: R, inst: &mut Instance<R>| apply(callee, x, &pv, inst);
            match a {
                Val::S(x) => Val::S(f(x, inst)?),
                Val::V(v) => Val::V(
                    v.into_iter()
                        .map(|x| f(x, inst))
                        .collect::<Result<_, _>>()?,
                ),
                Val::M(m) => Val::M(
                    m.into_iter()
                        .map(|r| r.into_iter().map(|x| f(x, inst)).collect::<Result<_, _>>())
                        .collect::<Result<_, _>>()?,
                ),
            }
        }
    })
}

/// A scalar function at a number.
pub fn apply<R: Real>(
    callee: &Callee,
    x: R,
    params: &BTreeMap<Name, R>,
    inst: &mut Instance<R>,
) -> Result<R, String> {
    match callee {
        Callee::Prim(p) => prim(*p, x),
        Callee::Def(d) => {
            // Parameters not given take the definition's defaults.
            let mut all = params.clone();
            for (n, default) in &d.params {
                if !all.contains_key(n)
                    && let Ok(Val::S(v)) = eval(default, inst, &[])
                {
                    all.insert(n.clone(), v);
                }
            }
            let frames = [Frame {
                var: x,
                params: all,
            }];
            match eval(&d.body, inst, &frames)? {
                Val::S(y) => Ok(y),
                _ => Err("a function body gave a non-scalar".into()),
            }
        }
    }
}

/// The number 0, or a name bound to it: exactly 0, read from the source (a float that is 0
/// may have rounded to it: 10⁻⁴⁰⁰ is 0 in f64; from a review).
fn is_zero_literal(ir: &Ir) -> bool {
    match ir.kind() {
        IrKind::Num(q) => *q == 0u32,
        IrKind::Bound { value, .. } => is_zero_literal(value),
        _ => false,
    }
}

fn prim<R: Real>(p: Prim, x: R) -> Result<R, String> {
    R::func(p.name(), &x).ok_or_else(|| format!("no numeric {}", p.name()))
}

/// Evaluates a normal form with `rows` the height of its result (for a bare `𝟙`).
pub fn eval_expr<R: Real>(e: &Expr, inst: &mut Instance<R>, rows: usize) -> Result<Val<R>, String> {
    eval_expr_shaped(e, inst, rows, None)
}

/// [`eval_expr`] of a value known to have `cols` columns: a trailing row `𝟙ᵀ`
/// (`(1/d)·𝟙·𝟙ᵀ`, the O(1) part of a row-wise softmax) takes its length from them, which
/// nothing inside the expression says.
pub fn eval_expr_shaped<R: Real>(
    e: &Expr,
    inst: &mut Instance<R>,
    rows: usize,
    cols: Option<usize>,
) -> Result<Val<R>, String> {
    let mut acc: Option<Val<R>> = None;
    for (c, s) in e.terms() {
        let coef = s
            .to_real::<R>(&|n| Some(inst.param(n)))
            .ok_or("a coefficient has no numeric value")?;
        let v = eval_chain(c, inst, rows, cols)?.map(&|x| coef.mul(x));
        acc = Some(match acc {
            None => v,
            Some(a) => a.add(&v)?,
        });
    }
    // Nothing to add: 0 in the shape asked for (a W that is 0 by its form has a column per
    // input entry; from a review, `layernorm(x; eps = 0)` at a point of two entries, W = 0,
    // had no numeric W: "the numeric value has an unexpected shape").
    Ok(acc.unwrap_or_else(|| match cols {
        Some(c) if c != 1 => Val::M(vec![vec![R::zero(); c]; rows]),
        _ => Val::V(vec![R::zero(); rows]),
    }))
}

fn eval_chain<R: Real>(
    c: &Chain,
    inst: &mut Instance<R>,
    rows: usize,
    cols: Option<usize>,
) -> Result<Val<R>, String> {
    if c.is_scalar() {
        return Ok(Val::S(R::one()));
    }
    let fs = c.factors();
    // A row 𝟙ᵀ is as long as the factor after it is high: those are evaluated first.
    let row_ones = |f: &Factor| matches!(f, Factor::Tr(t) if t.factors() == [Factor::Ones]);
    let mut vals: Vec<Option<Val<R>>> = Vec::with_capacity(fs.len());
    let mut want = Some(rows);
    for f in fs {
        if row_ones(f) {
            vals.push(None);
            want = None;
            continue;
        }
        let needs_size = matches!(f, Factor::Ones | Factor::Eye);
        let v = match (want, needs_size) {
            (None, true) => return Err("the length of 𝟙 is unknown here".into()),
            (w, _) => eval_factor(f, inst, w.unwrap_or(rows))?,
        };
        // A scalar (a 1×1 factor) leaves the height of what follows unchanged.
        want = match &v {
            Val::M(m) => m.first().map(|r| r.len()),
            Val::V(_) => Some(1),
            Val::S(_) => want,
        };
        vals.push(Some(v));
    }
    let mut acc: Option<Val<R>> = None;
    for i in 0..vals.len() {
        let v = match vals[i].take() {
            Some(v) => v,
            None => {
                let n = match (vals.get(i + 1), cols) {
                    (Some(Some(next)), _) => next.rows(),
                    (None, Some(n)) => n,
                    _ => return Err("the length of 𝟙ᵀ is unknown here".into()),
                };
                Val::M(vec![vec![R::one(); n]])
            }
        };
        acc = Some(match acc {
            None => v,
            Some(a) => a.matmul(&v)?,
        });
    }
    let out = acc.ok_or_else(|| "empty chain".to_string())?;
    if c.kind() == Kind::Scalar {
        return out.one_by_one();
    }
    Ok(out)
}

fn eval_factor<R: Real>(f: &Factor, inst: &mut Instance<R>, rows: usize) -> Result<Val<R>, String> {
    Ok(match f {
        Factor::Sym(s) => inst
            .symbols
            .get(s)
            .cloned()
            .ok_or_else(|| format!("no value for {}", s.name))?,
        Factor::Ones => Val::V(vec![R::one(); rows]),
        Factor::Eye => diagonal(&vec![R::one(); rows])?,
        Factor::Tr(c) => {
            let to = match c.kind() {
                Kind::Vector => Kind::Row,
                Kind::Row => Kind::Vector,
                k => k,
            };
            eval_chain(c, inst, rows, None)?.transpose(to)?
        }
        Factor::Dot(c) => eval_chain(c, inst, rows, None)?.one_by_one()?,
        Factor::Diag(c) => match eval_chain(c, inst, rows, None)? {
            Val::V(v) => diagonal(&v)?,
            _ => return Err("diag of a non-vector".into()),
        },
        Factor::Had(h) => {
            let mut acc: Option<Val<R>> = None;
            for (e, m) in h.elements() {
                let k = *m as i32;
                let v = eval_chain(e, inst, rows, None)?.map(&|x| x.powi(k));
                acc = Some(match acc {
                    None => v,
                    Some(a) => a.zip(&v, &|x, y| x.mul(y))?,
                });
            }
            acc.ok_or("empty Hadamard product")?
        }
        Factor::Atom(a) => {
            let arg = eval_expr(&a.arg, inst, rows)?;
            if a.is_bar() {
                arg.map(&|x| x.abs())
            } else {
                let callee = inst
                    .functions
                    .get(&*a.func)
                    .cloned()
                    .or_else(|| Prim::from_name(&a.func).map(Callee::Prim))
                    .ok_or_else(|| format!("no numeric value for the atom {}", a.func))?;
                let callee = with_parameters(callee, &a.params, inst)?;
                let k = a.deriv;
                // A parameter in the definition's body (`s(t) = sigmoid(β·t)`, β no keyword)
                // takes the instance's value, as everywhere else (from a review: "a
                // derivative without a numeric value").
                let inst: &Instance<R> = inst;
                let param = |p: &Name| Some(inst.param(p));
                let f = |x: R| derivative_at(&callee, k, &x, &param);
                match arg {
                    Val::S(x) => Val::S(f(x)?),
                    Val::V(v) => Val::V(v.into_iter().map(f).collect::<Result<_, _>>()?),
                    Val::M(m) => Val::M(
                        m.into_iter()
                            .map(|r| r.into_iter().map(f).collect::<Result<_, _>>())
                            .collect::<Result<_, _>>()?,
                    ),
                }
            }
        }
    })
}

/// A definition with the parameter values of a call (`swish(·; β = 2)`), each the rational
/// equal to its numeric value in this instance.
fn with_parameters<R: Real>(
    callee: Callee,
    values: &[(Name, crate::algebra::Scalar)],
    inst: &Instance<R>,
) -> Result<Callee, String> {
    let Callee::Def(d) = &callee else {
        return Ok(callee);
    };
    if values.is_empty() {
        return Ok(callee);
    }
    let mut def = (**d).clone();
    for (n, v) in values {
        let x = v
            .to_real::<R>(&|p| Some(inst.param(p)))
            .and_then(|x| x.to_q())
            .ok_or_else(|| format!("the parameter {n} has no numeric value"))?;
        match def.params.iter_mut().find(|(m, _)| m == n) {
            Some(slot) => slot.1 = slot.1.with_kind(crate::ir::IrKind::Num(x)),
            // A scalar of the body bound after the definition, which the call gives.
            None => {
                let ir = def.body.with_kind(crate::ir::IrKind::Num(x));
                def.params.push((n.clone(), ir));
            }
        }
    }
    Ok(Callee::Def(std::rc::Rc::new(def)))
}

/// `f⁽ᵏ⁾(x)`: the exact series of `f` at the rational equal to `x`, then its k-th coefficient times k!.
pub fn derivative_at<R: Real>(
    callee: &Callee,
    k: u32,
    x: &R,
    param: &dyn Fn(&Name) -> Option<R>,
) -> Result<R, String> {
    let Some(at) = x.to_q() else {
        if R::DECIDES_ORDER_EXACTLY
            && let Some(value) = on_its_piece(callee, k, x, param)
        {
            return Ok(value);
        }
        return R::at_unknown_point(x, &|| callee.is_total())
            .ok_or_else(|| format!("{} is not a finite number", x.to_f64()));
    };
    // The identity test evaluates the same derivatives at the same drawn points at every order
    // it searches, and each is an exact series at a 256-bit rational turned into a float: kept.
    let key = DerivativeKey::new(callee, k, &at, R::SIGNIFICAND_BITS);
    let hit = key
        .as_ref()
        .and_then(|key| DERIVATIVES.with(|d| d.borrow().get(key).cloned()));
    if let Some(hit) = hit {
        if hit.near_tie {
            crate::float::note_near_tie();
        }
        return match hit.value {
            Derivative::Value(v) => Ok(R::of_q(&v)),
            Derivative::Coefficient(c, fact) => c
                .to_real::<R>(param)
                .map(|c| c.mul(&R::of_q(&fact)))
                .ok_or_else(|| "a derivative without a numeric value".into()),
        };
    }
    let (value, near_tie) =
        crate::float::noting_near_ties(|| derivative_afresh(callee, k, x, at, param));
    let (value, kept) = value?;
    if let (Some(key), Some(kept)) = (key, kept) {
        keep_derivative(
            key,
            KeptDerivative {
                value: kept,
                near_tie,
            },
        );
    }
    Ok(value)
}

/// f⁽ᵏ⁾(x) at a point that is not rational, where `R` orders such values exactly (values in
/// Q(e^(1/D))): the function's pieces at a symbolic point τ, the one whose conditions all hold
/// at x (each decided by `R`), and that piece's k-th derivative at τ read at x (relu′ at
/// 1 − 2σ(½) < 0 is 0, softsign′ at 1 − σ(½) is 1/(1 + x)²). None where the function has no
/// such pieces, or a condition or the derivative has no value of `R` at x (exp(x) − 1 of elu).
fn on_its_piece<R: Real>(
    callee: &Callee,
    k: u32,
    x: &R,
    param: &dyn Fn(&Name) -> Option<R>,
) -> Option<R> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let params = match callee {
        Callee::Def(d) => d.params.clone(),
        Callee::Prim(_) => vec![],
    };
    let generic = crate::series::eval::generic_derivatives(
        callee,
        &params,
        k as usize,
        &crate::limits::Limits::default(),
        &Default::default(),
        Default::default(),
    )?;
    let tau = crate::series::eval::generic_point();
    let at = |n: &Name| if *n == tau { Some(x.clone()) } else { param(n) };
    let zero = R::of_q(&crate::algebra::Q::from(0u32));
    let piece = generic.pieces.iter().find(|piece| {
        piece.conditions.iter().all(|c| {
            let Some(v) = c.value.to_real::<R>(&at) else {
                return false;
            };
            // An order `lt` cannot decide taints the evaluation, whatever piece follows.
            let order = if v.lt(&zero) {
                Less
            } else if zero.lt(&v) {
                Greater
            } else {
                Equal
            };
            c.op.holds(order) == c.holds
        })
    })?;
    let fact = (1..=u64::from(k)).fold(crate::algebra::Q::from(1u32), |a, i| {
        a * crate::algebra::Q::from(i)
    });
    (piece.coefficient(k as usize).to_real::<R>(&at)).map(|c| c.mul(&R::of_q(&fact)))
}

/// A callee, a derivative's order, a point and a precision: what a kept derivative is read by.
/// A definition is held by its `Rc` (so its address is not reused while kept) and compared by
/// address: a definition made again (the REPL's, or one with a call's keyword values) is a
/// different key.
#[derive(Clone)]
struct DerivativeKey {
    callee: Callee,
    k: u32,
    at: crate::algebra::Q,
    bits: u32,
}

impl DerivativeKey {
    fn new(callee: &Callee, k: u32, at: &crate::algebra::Q, bits: u32) -> Option<DerivativeKey> {
        use malachite_base::num::logic::traits::SignificantBits;
        // Exact evaluators (`u32::MAX` bits) keep the exact coefficient, which each reads in its
        // own numbers (the exact test in Q(e^(1/D)) evaluates the same derivatives at every
        // point of its grid: from this round, 729 series of each took 3.4 s); a point far from 1
        // (its rational as long as its exponent) is not kept, as a value is not ([`float_as_q`]).
        let size = at.numerator_ref().significant_bits() + at.denominator_ref().significant_bits();
        (size <= 2 * u64::from(bits.min(1 << 20)) + 256).then(|| DerivativeKey {
            callee: callee.clone(),
            k,
            at: at.clone(),
            bits,
        })
    }
    fn callee_id(&self) -> (usize, Option<Prim>) {
        match &self.callee {
            Callee::Prim(p) => (0, Some(*p)),
            Callee::Def(d) => (std::rc::Rc::as_ptr(d) as usize, None),
        }
    }
}

impl Ord for DerivativeKey {
    fn cmp(&self, o: &DerivativeKey) -> std::cmp::Ordering {
        (self.callee_id(), self.k, self.bits)
            .cmp(&(o.callee_id(), o.k, o.bits))
            .then_with(|| self.at.cmp(&o.at))
    }
}

impl PartialOrd for DerivativeKey {
    fn partial_cmp(&self, o: &DerivativeKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq for DerivativeKey {
    fn eq(&self, o: &DerivativeKey) -> bool {
        self.cmp(o).is_eq()
    }
}

impl Eq for DerivativeKey {}

/// A kept derivative: its value where no parameter enters it, else its exact coefficient
/// (read at each call's parameters) and the factorial it is multiplied by.
#[derive(Clone)]
enum Derivative {
    Value(crate::algebra::Q),
    Coefficient(crate::algebra::Scalar, crate::algebra::Q),
}

#[derive(Clone)]
struct KeptDerivative {
    value: Derivative,
    /// Whether computing it noted a near tie (`float::note_near_tie`), noted again when read.
    near_tie: bool,
}

/// Most derivatives kept; past it they are dropped, all at once.
const MAX_KEPT_DERIVATIVES: usize = 1 << 12;

thread_local! {
    // Ordered, not hashed: a hashed map would draw its keys from the system at its first use,
    // and every short command that evaluates a derivative would pay for it.
    static DERIVATIVES: std::cell::RefCell<BTreeMap<DerivativeKey, KeptDerivative>> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

fn keep_derivative(key: DerivativeKey, kept: KeptDerivative) {
    DERIVATIVES.with(|d| {
        let mut d = d.borrow_mut();
        if d.len() >= MAX_KEPT_DERIVATIVES {
            d.clear();
        }
        d.insert(key, kept);
    });
}

/// The rational a float is, where the float made from it is the same float again: what a kept
/// value is read back by, bit for bit. Not for a float far from 1 (e^(−10⁵)): its rational's
/// numerator or denominator has as many bits as its exponent, and making the float again from
/// it is a division of that size, slower than the derivative (a network with exp of exp at a
/// drawn point took 8 s and 400 MB where it took 0.8 s).
fn float_as_q<R: Real>(v: &R) -> Option<crate::algebra::Q> {
    use malachite_base::num::logic::traits::SignificantBits;
    // Its exponent alone says when the rational is too large, before it is formed (σ′ at 10⁹,
    // e^(−10⁹), has 1.4·10⁹ bits; from a review, forming it ran 11 s past the time budget).
    if v.binary_exponent()
        .is_some_and(|e| e.unsigned_abs() > 2 * u64::from(R::SIGNIFICAND_BITS) + 256)
    {
        return None;
    }
    let q = v.to_q()?;
    let size = q.numerator_ref().significant_bits() + q.denominator_ref().significant_bits();
    if size > 2 * u64::from(R::SIGNIFICAND_BITS) + 256 {
        return None;
    }
    (R::of_q(&q).to_q().as_ref() == Some(&q)).then_some(q)
}

/// Whether `callee` has a breakpoint at 0: its series there is one-sided.
fn breakpoint_at_zero(
    callee: &Callee,
    params: &[(Name, crate::ir::Ir)],
    limits: &crate::limits::Limits,
) -> bool {
    let at_zero = crate::series::series_at(
        callee,
        params,
        &crate::algebra::Scalar::zero(),
        0,
        limits,
        &Default::default(),
        Default::default(),
    );
    !matches!(at_zero, Ok(crate::series::PointSeries::Analytic(_)))
}

/// `f⁽ᵏ⁾(x)` computed (see [`derivative_at`]), and what may be kept of it: its value where no
/// parameter enters it, else its coefficient.
fn derivative_afresh<R: Real>(
    callee: &Callee,
    k: u32,
    x: &R,
    at: crate::algebra::Q,
    param: &dyn Fn(&Name) -> Option<R>,
) -> Result<(R, Option<Derivative>), String> {
    let bits = R::SIGNIFICAND_BITS;
    let near_zero = (128..u32::MAX).contains(&bits)
        && x.abs().lt(&R::of_f64(2.0).powi(64 - bits.min(1 << 20) as i32))
        // A function without a comparison or |·| (tanh) has no side of a point to get wrong.
        && callee.has_breakpoints();
    let params = match callee {
        Callee::Def(d) => d.params.clone(),
        Callee::Prim(_) => vec![],
    };
    let limits = crate::limits::Limits::default();
    let ps = crate::series::series_at(
        callee,
        &params,
        &crate::algebra::Scalar::from_q(at),
        k as usize,
        &limits,
        &Default::default(),
        Default::default(),
    );
    // The exact series at the float's rational ran into the engine's limits (a root of a
    // 78-digit rational, too large to factor: √ of tanh(W₁·x + b₁)): the series at a symbolic
    // point p, taken to be generic, with p then set to the float (from a review: "no numeric W
    // and b: cannot take a root of …"). A function whose series there asks for a side of p
    // (a breakpoint) keeps the first error.
    let ps = match ps {
        Err(e) if e.phase == crate::diagnostic::Phase::Limit => {
            let p = Name::parse("p__at").map_err(|_| e.message.clone())?;
            let symbolic = crate::series::series_at(
                callee,
                &params,
                &crate::algebra::Scalar::param(p.clone()),
                k as usize,
                &limits,
                &Default::default(),
                Default::default(),
            );
            match symbolic {
                Ok(crate::series::PointSeries::Analytic(s)) => {
                    let fact = (1..=k).fold(R::one(), |a, i| a.mul(&R::of_f64(f64::from(i))));
                    let at_p = |n: &Name| if *n == p { Some(x.clone()) } else { param(n) };
                    return s
                        .coeff(k as usize)
                        .to_real::<R>(&at_p)
                        .map(|c| (c.mul(&fact), None))
                        .ok_or_else(|| "a derivative without a numeric value".into());
                }
                _ => return Err(e.message),
            }
        }
        other => other.map_err(|e| e.message)?,
    };
    let s = match &ps {
        // A point off 0 but closer to it than the precision resolves (1 − tanh(709), 2⁻²⁰⁴⁶,
        // in 2048 bits: a few units of rounding) may lie on 0's other side, where a breakpoint
        // at 0 (|·|, relu) changes the piece: recorded as below (from a review, such rounding
        // was shown as W = −6.19·10⁻⁶¹⁶ for −5.92·10⁻⁶¹⁶).
        crate::series::PointSeries::Analytic(s) => {
            if near_zero && breakpoint_at_zero(callee, &params, &limits) {
                crate::float::note_near_tie();
            }
            s
        }
        crate::series::PointSeries::OneSided { right, .. } => {
            // A multi-precision point closer to 0 than its precision resolves (tanh(100) − 1
            // rounds to 0) may lie on either side of a breakpoint at 0 (|·|, relu): recorded,
            // so that a float W read from this derivative is not shown
            // (`float::without_near_ties`). Where 0 is no breakpoint (hard_tanh's are ±1),
            // such a point lies on 0's piece: from a review, an entry exactly 0 beside a
            // saturated one was taken for a tie.
            if near_zero {
                crate::float::note_near_tie();
            }
            right
        }
    };
    let fact = (1..=k).fold(R::one(), |a, i| a.mul(&R::of_f64(f64::from(i))));
    let coefficient = s.coeff(k as usize);
    let value = coefficient
        .to_real::<R>(param)
        .map(|c| c.mul(&fact))
        .ok_or_else(|| "a derivative without a numeric value".to_string())?;
    let kept = if bits == u32::MAX {
        let fact = (1..=k).fold(crate::algebra::Q::from(1u32), |a, i| {
            a * crate::algebra::Q::from(i)
        });
        Some(Derivative::Coefficient(coefficient.clone(), fact))
    } else if coefficient.params().is_empty() {
        float_as_q(&value).map(Derivative::Value)
    } else {
        float_as_q(&fact).map(|fact| Derivative::Coefficient(coefficient.clone(), fact))
    };
    Ok((value, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float::Big;

    fn defined(body: &str) -> Callee {
        let mut s = crate::session::Session::new();
        s.run(&format!("f(t) = {body}"))
            .expect("the definition runs");
        s.numeric_functions().remove("f").expect("f is defined")
    }

    #[test]
    fn a_kept_derivative_is_the_one_computed_bit_for_bit() {
        let x = Big::<256>::of_f64(0.37);
        let none = |_: &Name| None;
        let tanh = Callee::Prim(Prim::Tanh);
        let first = derivative_at(&tanh, 3, &x, &none).expect("a value");
        let again = derivative_at(&tanh, 3, &x, &none).expect("a value");
        assert_eq!(first.to_q(), again.to_q());
        // tanh‴ = (1 − t²)(6t² − 2) for t = tanh(x), in f64 from the closed form.
        let t = 0.37f64.tanh();
        let closed = (1.0 - t * t) * (6.0 * t * t - 2.0);
        assert!((first.to_f64() - closed).abs() < 1e-12);
    }

    #[test]
    fn a_definition_made_again_is_not_read_from_the_kept_derivatives() {
        let x = Big::<256>::of_f64(0.5);
        let none = |_: &Name| None;
        let tanh = defined("tanh(t)");
        let sin = defined("sin(t)");
        let a = derivative_at(&tanh, 1, &x, &none)
            .expect("a value")
            .to_f64();
        let b = derivative_at(&sin, 1, &x, &none).expect("a value").to_f64();
        assert!((a - (1.0 - 0.5f64.tanh().powi(2))).abs() < 1e-12);
        assert!((b - 0.5f64.cos()).abs() < 1e-12);
    }

    #[test]
    fn a_kept_derivative_with_a_parameter_is_read_at_each_value() {
        let x = Big::<256>::of_f64(0.5);
        let scaled = defined("tanh(β·t)");
        let at = |v: f64| {
            let p = move |_: &Name| Some(Big::<256>::of_f64(v));
            derivative_at(&scaled, 1, &x, &p).expect("a value").to_f64()
        };
        let (one, two) = (at(1.0), at(2.0));
        assert!((one - (1.0 - 0.5f64.tanh().powi(2))).abs() < 1e-12);
        assert!((two - 2.0 * (1.0 - 1.0f64.tanh().powi(2))).abs() < 1e-12);
    }

    #[test]
    fn a_near_tie_noted_by_a_derivative_is_noted_again_when_it_is_read_back() {
        // A float exactly 0 may be a value below its resolution, on either side of relu's kink:
        // a near tie.
        let x = Big::<256>::of_f64(0.0);
        let none = |_: &Name| None;
        let relu = defined("if t > 0 then t else 0");
        for _ in 0..2 {
            let ((), clean) = crate::float::without_near_ties(|| {
                derivative_at(&relu, 1, &x, &none).expect("a value");
            });
            assert!(!clean);
        }
    }
}
