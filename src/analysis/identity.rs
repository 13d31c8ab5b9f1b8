//! The probabilistic identity test: does an expression with element-wise atoms vanish?
//!
//! Exact rules decide most zeros (known values, derivatives of pieces, one name per operating
//! point, |·| identities). What they cannot see — `relu′(2·c) − relu′(c)` for `c` a symbolic
//! operating point, or two forms of one function of `c` — is decided here the way a
//! polynomial identity test does: the expression is evaluated at three independent random
//! draws of every symbol and parameter (operating points evaluated from their definitions),
//! in 256-bit floats. It counts as zero when every draw is below `2⁻²⁰⁰` of the size of its
//! terms. A non-zero analytic function vanishes at a random point with probability 0, so a
//! false "zero" needs all three draws to hit its zero set; the report says when this test
//! decided something. A piecewise function is not analytic: `relu′(c)` vanishes on a whole
//! half-line, so a draw of c there would make `relu′(c)·|W·x|` look zero. The expansion takes
//! such a value at an operating point to be non-zero (its stated assumption), so a draw where
//! one is exactly 0 is outside what the claim is about: it is set aside, and another drawn
//! (at most [`MAX_DRAWS`]; without three that count, nothing is shown to vanish).
//! A piecewise term can also be 0 on a whole region of the input (½·(u + |u|) for u < 0, a
//! thin cone, an octant): where bars are about, six zeros are asked for, each at its
//! mirrored draw too, the later draws spread over scales ([`IdentityTest::zero_at`]).

use super::expand::Layer;
use crate::algebra::{Expr, Scalar, Symbol};
use crate::ir::{Callee, Ir, IrKind, Shape};
use crate::numeric::{Big, DEFAULT_WIDTH, Instance, Real, Val, eval_expr, eval_expr_shaped};
use crate::syntax::Name;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;

type B = Big<256>;

/// What the test needs to draw values: shapes, which symbols are small, the operating points.
pub(crate) struct IdentityTest<'a> {
    pub symbols: &'a BTreeMap<Symbol, Shape>,
    pub small: &'a BTreeSet<Name>,
    pub layers: &'a [Layer],
    /// The operating-point constants the layers and the tested terms may use.
    pub constants: &'a [super::expand::OpConstant],
    /// The length of the tested terms (the output's), which a lone `𝟙` in them takes.
    pub rows: usize,
    /// Whether that length is free (`rows` is then the stand-in width).
    pub rows_free: bool,
    /// The output's number of columns, `None` when it is free (drawn at the width then): a
    /// trailing `𝟙ᵀ` takes its length from them (`X·W·Xᵀ·𝟙·𝟙ᵀ`, 1×1 for one token).
    pub cols: Option<usize>,
    pub functions: BTreeMap<String, Callee>,
    /// The symbols the operating points read ([`IdentityTest::at_operating_points`]), found
    /// at the first spread draw.
    pub operating_point_symbols: std::cell::OnceCell<BTreeSet<Symbol>>,
}

/// True when a term holds `𝟙` or a 1×1 product (`𝟙ᵀ·x`): such terms obey identities of
/// their length that the normal form, exact for every length, does not apply.
pub(crate) fn has_ones_products(e: &Expr) -> bool {
    e.terms().any(|(c, _)| {
        c.factors().iter().any(|f| {
            matches!(
                f,
                crate::algebra::Factor::Dot(_) | crate::algebra::Factor::Ones
            )
        })
    })
}

/// Most matrix and vector entries one random draw of the identity test may hold.
pub(crate) const MAX_DRAWN_ENTRIES: u64 = 1 << 20;

impl IdentityTest<'_> {
    /// Whether `e` is zero at three random draws (see the module's documentation).
    pub(crate) fn vanishes(&self, e: &Expr) -> Vanishing {
        if e.is_zero() {
            return Vanishing::Yes;
        }
        // Without function atoms, a term cancels only through an identity of one length
        // (products with 𝟙 at n = 2): drawn at a free length's stand-in width it could
        // cancel where the symbolic length does not. So where lengths are free, each draw is
        // made at two widths and must vanish at both: an identity of every width (a 𝟙 of a
        // declared length 1 in one-token attention, 𝟙·𝟙ᵀ = I₁, with the weights' own widths
        // free; from a review) is found, one of a single width is not.
        let widths: &[usize] = if !has_function_atoms(e) && !self.lengths_known() {
            &[DEFAULT_WIDTH, DEFAULT_WIDTH + 1]
        } else {
            &[DEFAULT_WIDTH]
        };
        // A constant coefficient closer to 0 than the draws' 256 bits resolve (tanh(1000) − 1)
        // would make its term look zero at every draw: such terms are not shown to vanish.
        if e.terms()
            .any(|(_, s)| crate::algebra::sign::below_256_bits(s))
        {
            return Vanishing::Unresolved;
        }
        let generic = self.generic_atoms(e);
        let params = e.params().len();
        let has_params = params > 0;
        // With parameters, a term may vanish on part of their range only (|λ·μ·u| − λ·μ·|u|
        // for λ·μ > 0; from a review, three draws all had λ·μ > 0): the first draws take
        // every pattern of their signs (up to four parameters), and eight at least must vanish.
        let bars = self.bars_about(e);
        let needed = if has_params {
            8.max(1usize << params.min(4))
        } else {
            3
        };
        // With parameters the draws are many already (and each zero is tried at other draws of
        // the symbols): the spread ones are among them.
        let needed = if bars && !has_params {
            BAR_DRAWS
        } else {
            needed
        };
        let mut zeros = 0;
        // After a non-zero draw, further draws look for a zero, through every pattern of the
        // parameters' signs: a term may vanish for some of their values only (|λ·u| − λ·|u|
        // for λ > 0).
        let mut nonzero_since: Option<u32> = None;
        'draws: for seed in (1..=MAX_DRAWS).map(|i| DRAW_SEED + i) {
            for &width in widths {
                match self.zero_at(e, seed, &generic, width, bars) {
                    // With parameters, a zero counts as theirs only if the same values of the
                    // parameters give zero at other draws of the symbols too: u² − u∘|u| is 0
                    // wherever the three entries of u share a sign (one draw in four), and
                    // elu(λ·W1·x) was said to vanish "for some values of the parameters".
                    Some(Draw::Zero)
                        if has_params
                            && !self.zero_for_these_parameters(
                                e,
                                (seed, &draw_params(e.params(), seed)),
                                &generic,
                                width,
                            ) =>
                    {
                        continue 'draws;
                    }
                    Some(Draw::Zero) => {}
                    Some(Draw::Degenerate) => continue 'draws,
                    // A parameter drawn negative under a root or a logarithm: no value there.
                    Some(Draw::Undefined) if has_params => continue 'draws,
                    Some(Draw::NonZero) if has_params => {
                        if zeros > 0 {
                            return Vanishing::ForSomeParameters;
                        }
                        let seen = nonzero_since.get_or_insert(0);
                        *seen += 1;
                        // Far enough to meet every pattern of the parameters' signs.
                        if *seen >= 1u32 << params.min(4) {
                            return match self.changes_past_the_draws(e, &generic, widths, false) {
                                true => Vanishing::ForSomeParameters,
                                false => Vanishing::No,
                            };
                        }
                        continue 'draws;
                    }
                    Some(Draw::NonZero | Draw::Undefined) | None => return Vanishing::No,
                }
            }
            if nonzero_since.is_some() {
                return Vanishing::ForSomeParameters;
            }
            zeros += 1;
            if zeros == needed {
                if has_params && self.changes_past_the_draws(e, &generic, widths, true) {
                    return Vanishing::ForSomeParameters;
                }
                return Vanishing::Yes;
            }
        }
        if nonzero_since.is_some() {
            return Vanishing::No;
        }
        // Bars about, and the draws that gave a value all zero, fewer than asked (the spread
        // ones set aside): as many as where no bar is, three, still show it to vanish.
        if bars && !has_params && zeros >= 3 {
            return Vanishing::Yes;
        }
        Vanishing::Starved
    }

    /// A piecewise layer the expansion took at a symbolic point assumed off its breakpoints,
    /// one of whose entries sits exactly on one at a random draw of the symbols, with the
    /// small signal passing through it: the layer and the entry (from 0). The assumption then
    /// fails on a set of positive measure (`relu(c₁)` is 0 wherever c₁ ≤ 0: relu after it sits
    /// at its kink there), which a point that is 0 only on a null set (`W₂·b₁ + b₂`) is not at
    /// a random draw. Three draws, evaluated at 256 bits: a probabilistic test, like
    /// [`IdentityTest::vanishes`], which can only withdraw a verdict, never make one.
    pub(crate) fn breakpoint_reached(&self) -> Option<(usize, usize)> {
        if !self.drawable()
            || !self
                .layers
                .iter()
                .any(|ly| !ly.breakpoints.is_empty() && !ly.op_point.is_zero() && !ly.compensated)
        {
            return None;
        }
        let mut names = BTreeSet::new();
        for ly in self.layers {
            names.extend(ly.op_point.params());
        }
        for seed in (1..=3).map(|i| DRAW_SEED + i) {
            let params = draw_params(names.iter().cloned(), seed);
            let mut inst = self.drawn(seed, &params, DEFAULT_WIDTH);
            for ly in self.layers {
                super::expand::set_constants_before(self.constants, ly.index, &mut inst).ok()?;
                let point = if ly.op_point.is_zero() {
                    None
                } else {
                    operating_point(ly, &mut inst).ok()
                };
                if let (Some(sym), Some(c)) = (&ly.op_symbol, &point)
                    && !inst.symbols.contains_key(sym)
                {
                    inst.symbols.insert(sym.clone(), c.clone());
                }
                // The layer's variables, for the pre-activations of the layers after it.
                for (u, def) in ly.var.iter().chain(ly.whole.iter()) {
                    if let Ok(v) = eval_expr(def, &mut inst, DEFAULT_WIDTH) {
                        inst.symbols.insert(u.clone(), v);
                    }
                }
                let Some(c) = point.filter(|_| !ly.breakpoints.is_empty() && !ly.compensated)
                else {
                    continue;
                };
                let on_breakpoint = |x: &B| {
                    x.to_q().is_some_and(|q| {
                        (ly.breakpoints.iter()).any(|d| crate::series::eval::on_breakpoint(d, &q))
                    })
                };
                let hits: Vec<usize> = (c.entries().into_iter().enumerate())
                    .filter(|(_, x)| on_breakpoint(x))
                    .map(|(k, _)| k)
                    .collect();
                if hits.is_empty() {
                    continue;
                }
                // Reached only where the small signal comes through (relu′(c₁) = 0 before it
                // stops it): the pre-activation's small part, at the drawn small symbols.
                let delta = ly.pre.sub(&ly.op_point);
                let Ok(d) = eval_expr(&delta, &mut inst, DEFAULT_WIDTH) else {
                    continue;
                };
                let d = d.entries();
                if let Some(k) = hits.into_iter().find(|&k| {
                    d.get(k)
                        .or(d.first().filter(|_| d.len() == 1))
                        .is_some_and(|x| x.to_q().is_none_or(|q| q != 0u32))
                }) {
                    return Some((ly.index, k));
                }
            }
        }
        None
    }

    /// The values at operating points in `e` that the expansion takes to be non-zero (a
    /// function or a derivative at a point made of symbols, none of them small: `relu′(c₃)`),
    /// each as a one-atom expression.
    fn generic_atoms(&self, e: &Expr) -> Vec<Expr> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (c, _) in e.terms() {
            chain_any_atom(c, &mut seen, &mut |a, _| {
                let symbols = a.arg_symbols();
                if !a.is_bar()
                    && !symbols.is_empty()
                    && symbols.iter().all(|s| !self.small.contains(&s.name))
                {
                    out.push(Expr::call_atom(
                        &a.func,
                        a.deriv,
                        a.arg.clone(),
                        a.params.clone(),
                    ));
                }
                false
            });
        }
        out
    }

    /// The symbols drawn at `seed` (the parameters at `params`, free dimensions at `width`), at
    /// 256 bits, with the session's functions.
    fn drawn(&self, seed: u64, params: &BTreeMap<Name, f64>, width: usize) -> Instance<B> {
        let drawn = Instance::random_with_width(self.symbols, self.small, 0.5, seed, params, width);
        let mut inst: Instance<B> = drawn.lift();
        inst.functions = self.functions.clone();
        inst
    }

    /// Whether every symbol's dimensions are known numbers.
    fn lengths_known(&self) -> bool {
        use crate::ir::Dim;
        self.symbols
            .values()
            .all(|sh| matches!(sh.rows, Dim::Known(_)) && matches!(sh.cols, Dim::Known(_)))
    }

    /// Whether the declared dimensions are small enough to draw an instance: a vector of
    /// 10¹⁸ entries is a legal declaration but not something to allocate. Past the bound no
    /// draw is made and nothing is shown to vanish (the term is kept).
    fn drawable(&self) -> bool {
        let side = |d: &crate::ir::Dim| match d {
            crate::ir::Dim::Known(n) => *n,
            _ => DEFAULT_WIDTH as u64,
        };
        let entries = self.symbols.values().fold(0u64, |acc, sh| {
            acc.saturating_add(side(&sh.rows).saturating_mul(side(&sh.cols)))
        });
        entries <= MAX_DRAWN_ENTRIES
    }

    /// One draw at `seed`, with the dimensions no declaration fixes at `width`.
    ///
    /// Where bars are about (`bars`: in `e` or in the layers' variables it reads), a term can
    /// vanish on a whole region of the input: ½·(u + |u|) is 0 for u < 0, so
    /// tanh″(c₂)·(½·u₁ + ½·|u₁|)^∘2 is 0 at every draw of a scalar u₁ = W₁·x < 0 (from a
    /// review, three such draws made tanh(relu(W1·x) + b2) − tanh(relu(W1·x) − b2) "affine to
    /// O(ε¹⁰)", with a one-sided x² term); relu(x₁ − 10·|x₂|) is 0 outside a thin cone, and
    /// relu(x₁)·relu(x₂)·relu(x₃) outside one octant (from a second review). So a zero must
    /// hold at the mirrored draw too, the small symbols negated (a bar's linear argument on its
    /// other side), and the draws after the first three ([`SPREAD_AFTER`]) spread every drawn
    /// entry that no operating point reads over scales from 2⁻⁸ to 2⁸ each, so that cones where
    /// one coordinate or weight dominates others (|Wa·x| > 10·|Wb·x|) are met; [`IdentityTest::vanishes`] asks for
    /// [`BAR_DRAWS`] zeros (without parameters; with them, its own count, the spread draws among
    /// them).
    fn zero_at(
        &self,
        e: &Expr,
        seed: u64,
        generic: &[Expr],
        width: usize,
        bars: bool,
    ) -> Option<Draw> {
        let params = draw_params(e.params(), seed);
        if !bars {
            return self.zero_with(e, seed, &params, generic, width);
        }
        let spread = seed.wrapping_sub(DRAW_SEED) > SPREAD_AFTER;
        // A spread or mirrored draw that gives no value (terms past the floats' room, a value
        // out of their range) says nothing either way: set aside, as a degenerate one is.
        let said = |d: Option<Draw>| match d {
            Some(Draw::Undefined) | None => Some(Draw::Degenerate),
            d => d,
        };
        let seed = if spread { seed | SPREAD } else { seed };
        let draw = self.zero_with(e, seed, &params, generic, width);
        let draw = if spread { said(draw) } else { draw };
        if !matches!(draw, Some(Draw::Zero)) {
            return draw;
        }
        said(self.zero_with(e, seed | MIRRORED, &params, generic, width))
    }

    /// The symbols the layers' operating points and their constants read.
    fn at_operating_points(&self) -> BTreeSet<Symbol> {
        let mut out = BTreeSet::new();
        for ly in self.layers {
            out.extend(ly.op_point.symbols());
        }
        for c in self.constants {
            out.extend(c.value.symbols());
        }
        out
    }

    /// Whether `e`, or a layer variable's definition, holds a bar.
    fn bars_about(&self, e: &Expr) -> bool {
        let bars = |e: &Expr| {
            let mut seen = HashSet::new();
            e.terms()
                .any(|(c, _)| chain_any_atom(c, &mut seen, &mut |a, _| a.is_bar()))
        };
        bars(e)
            || (self.layers.iter())
                .flat_map(|ly| ly.var.iter().chain(ly.whole.iter()))
                .any(|(_, def)| bars(def))
    }

    /// Whether `e`, found zero (`was_zero`) or non-zero at every random draw, is the other with
    /// one parameter drawn past their range, in an interval its breakpoints cut out
    /// ([`super::exceptions::interval_points`]): then it vanishes for some values only
    /// (`relu((5 − λ)·u) − (5 − λ)·relu(u)` is 0 for λ ≤ 5 and (λ − 5)·|u| past 5).
    fn changes_past_the_draws(
        &self,
        e: &Expr,
        generic: &[Expr],
        widths: &[usize],
        was_zero: bool,
    ) -> bool {
        // Two draws of the other symbols at each point, each at every width: non-zero at one
        // of them, or zero at all (a draw that says nothing, degenerate or undefined, counts
        // for neither). The points depend on the other parameters' drawn values where a
        // breakpoint does (λ = 10 − μ).
        let breakpoints = super::exceptions::breakpoint_values(e, self.layers, self.constants);
        (1..=2).map(|i| DRAW_SEED + i).any(|seed| {
            let drawn = draw_params(e.params(), seed);
            let points = super::exceptions::interval_points(&breakpoints, &drawn);
            points.iter().any(|(p, x)| {
                let mut params = drawn.clone();
                params.insert(p.clone(), *x);
                let draws: Vec<Option<Draw>> = (widths.iter())
                    .map(|&width| self.zero_with(e, seed, &params, generic, width))
                    .collect();
                if was_zero {
                    draws.iter().any(|d| matches!(d, Some(Draw::NonZero)))
                } else {
                    // Zero far from the draws is confirmed at 1024 bits: 1 − tanh(101) is 0 at
                    // 256 bits (from a review, a positive coefficient past λ = 100 was said to
                    // vanish there); one of 2⁻⁹⁰⁰ of the terms is taken for 0 still.
                    draws.iter().all(|d| matches!(d, Some(Draw::Zero)))
                        && (widths.iter()).all(|&width| {
                            self.zero_for_these_parameters(e, (seed, &params), generic, width)
                        })
                        && (widths.iter()).all(|&width| {
                            let mut spread = (false, false);
                            let wide = self.zero_in::<Big<1024>>(
                                e,
                                (seed, &params),
                                generic,
                                width,
                                -900,
                                &mut spread,
                            );
                            matches!(wide, Some(Draw::Zero)) && !spread.0
                        })
                }
            })
        })
    }

    /// Whether `e`, zero at the draw `seed`, is zero at six more draws of the symbols with the
    /// parameters as drawn at `seed` (a draw that says nothing counts for neither).
    fn zero_for_these_parameters(
        &self,
        e: &Expr,
        (seed, params): (u64, &BTreeMap<Name, f64>),
        generic: &[Expr],
        width: usize,
    ) -> bool {
        // Six zeros, none non-zero, in at most twelve draws: a one-entry output u with
        // u² − u·|u| is 0 at half the draws of u, and two confirmations let one draw in eight
        // through (from a review).
        let mut zeros = 0;
        for i in 1..=12u64 {
            let other = seed.wrapping_add(i.wrapping_mul(0x9e37_79b9));
            match self.zero_with(e, other, params, generic, width) {
                Some(Draw::NonZero) => return false,
                Some(Draw::Zero) => zeros += 1,
                _ => {}
            }
            if zeros == 6 {
                return true;
            }
        }
        false
    }

    /// One draw at `seed` with the parameters at `params`, at 256 bits.
    fn zero_with(
        &self,
        e: &Expr,
        seed: u64,
        params: &BTreeMap<Name, f64>,
        generic: &[Expr],
        width: usize,
    ) -> Option<Draw> {
        let mut wide = (false, false);
        let draw = self.zero_in::<B>(e, (seed, params), generic, width, -200, &mut wide);
        if wide == (false, false) || !matches!(draw, Some(Draw::Zero)) {
            return draw;
        }
        // Terms whose sizes span more than the cutoff leaves room for, or a coefficient that
        // cancels within itself past it: again at 2048 bits, and terms spread past that are
        // no value.
        let mut wider = (false, false);
        let draw = self.zero_in::<Big<2048>>(e, (seed, params), generic, width, -1800, &mut wider);
        if wider.0 && matches!(draw, Some(Draw::Zero)) {
            return Some(Draw::Undefined);
        }
        draw
    }

    /// One draw in `R` (at `seed`, the parameters at `params`), zero below `2^cutoff` of the
    /// size of the terms; `wide` says whether the terms' sizes spread past the cutoff's room
    /// and whether a coefficient cancels within itself past it.
    fn zero_in<R: Real>(
        &self,
        e: &Expr,
        (seed, params): (u64, &BTreeMap<Name, f64>),
        generic: &[Expr],
        width: usize,
        cutoff: i32,
        wide: &mut (bool, bool),
    ) -> Option<Draw> {
        if !self.drawable() {
            return None;
        }
        let base = seed & !(MIRRORED | SPREAD);
        let mut drawn =
            Instance::random_with_width(self.symbols, self.small, 0.5, base, params, width);
        let none = BTreeSet::new();
        let fixed = if seed & SPREAD != 0 {
            self.operating_point_symbols
                .get_or_init(|| self.at_operating_points())
        } else {
            &none
        };
        for (i, (sym, v)) in drawn.symbols.iter_mut().enumerate() {
            // A symbol an operating point reads keeps its scale: a point spread to 200 puts
            // σ(c)·(1 − σ(c)) below 256 bits' resolution of 1 − σ(c), and σ″(c) + σ″(−c), 0,
            // was read as non-zero (from a review of the spread draws).
            if seed & SPREAD != 0 && !fixed.contains(sym) {
                *v = spread(
                    v,
                    mix(base ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                );
            }
            if seed & MIRRORED != 0 && self.small.contains(&sym.name) {
                *v = v.map(&|x| -x);
            }
        }
        let mut inst: Instance<R> = drawn.lift();
        inst.functions = self.functions.clone();
        // A lone 𝟙 takes the output's length: a free one is drawn at the width too.
        let rows = if self.rows_free { width } else { self.rows };
        let cols = Some(self.cols.unwrap_or(width));
        for ly in self.layers {
            super::expand::set_constants_before(self.constants, ly.index, &mut inst).ok()?;
            if let Some(sym) = &ly.op_symbol
                && !ly.op_point.is_zero()
                && !inst.symbols.contains_key(sym)
            {
                let c = operating_point(ly, &mut inst).ok()?;
                inst.symbols.insert(sym.clone(), c);
            }
        }
        super::expand::set_constants_before(self.constants, usize::MAX, &mut inst).ok()?;
        for atom in generic {
            let v = eval_expr_shaped(atom, &mut inst, rows, cols).ok()?;
            if v.any_zero() {
                return Some(Draw::Degenerate);
            }
        }
        let value = eval_expr_shaped(e, &mut inst, rows, cols).ok()?;
        // Each term sized as its chain's value times the sum of its coefficient's monomials,
        // each in absolute value: a coefficient that is 0 without reading so
        // (sin(λ)² + cos(λ)² − 1) is then rounding noise against its monomials, not a value
        // of its own size (from a review, such a coefficient made relu(W1·x) a kink); a
        // cancellation inside a coefficient (½·|c| − ½·c) is seen as one; and where every
        // monomial is 0 at the draw (exp(−exp(25)) underflows, and a zero read against a zero
        // size made exp(−exp(25))·(W₂·x)^∘2 exact-affine) the draw is no value.
        let mut size = R::zero();
        let (mut least, mut most) = (None::<R>, None::<R>);
        let room = R::of_q(&malachite_base::num::arithmetic::traits::Pow::pow(
            crate::algebra::Q::from(2),
            i64::from(cutoff + 60),
        ));
        for (c, s) in e.terms() {
            let chain =
                eval_expr_shaped(&Expr::term(Scalar::one(), c.clone()), &mut inst, rows, cols)
                    .ok()?
                    .norm_inf();
            let mut coefficient = R::zero();
            let mut sum = R::zero();
            for m in s.monomial_terms() {
                let v = m.to_real::<R>(&|n| Some(inst.param(n)))?;
                coefficient = coefficient.add(&v.abs());
                sum = sum.add(&v);
            }
            // A coefficient that cancels within itself past the cutoff's room: 0 without
            // reading so (sin(λ)² + cos(λ)² − 1), or tiny and genuine (tanh(λ + 10⁻⁷⁰) −
            // tanh(λ)); the wider floats below tell them apart.
            // A sum exactly 0 of several monomials may be one that rounded to it (λ + 10⁻¹⁰⁰
            // is λ at 256 bits, tanh(λ + 100) is 1; from a review, these were exact-affine).
            if sum.abs().lt(&coefficient.mul(&room)) && s.len() > 1 {
                wide.1 = true;
            }
            let term = chain.mul(&coefficient);
            if R::zero().lt(&term) {
                least = Some(
                    least.map_or(term.clone(), |l| if term.lt(&l) { term.clone() } else { l }),
                );
                most =
                    Some(most.map_or(term.clone(), |m| if m.lt(&term) { term.clone() } else { m }));
            }
            size = size.add(&term);
        }
        let v = value.norm_inf();
        // Past the floats' range (exp(exp(45)) overflows) a value is no number: infinite
        // values compared as equal made −exp(exp(45))·(W₂·x)^∘2 look zero (from a review).
        let finite = |x: &R| !x.sub(x).to_f64().is_nan();
        if !finite(&v) || !finite(&size) || least.is_none() {
            return Some(Draw::Undefined);
        }
        // Terms of very different sizes: a small one that does not cancel sits below the
        // cutoff of the large ones that do (1e70·(pair that cancels) + relu(W3·x) was
        // exact-affine; exp(−150)·(W₂·x)^∘2 beside a cancelling pair; from a review).
        // Compared in `R`: 2¹⁷⁴⁰, the room at 2048 bits, is past f64 (from a review, the
        // comparison in f64 never held there).
        if let (Some(l), Some(m)) = (&least, &most)
            && l.div(&room).lt(m)
        {
            wide.0 = true;
        }
        let tiny = R::of_q(&malachite_base::num::arithmetic::traits::Pow::pow(
            crate::algebra::Q::from(2),
            i64::from(cutoff),
        ));
        Some(if size.mul(&tiny).lt(&v) {
            Draw::NonZero
        } else {
            Draw::Zero
        })
    }
}

/// Values of the parameters for the draw at `seed`, of either sign: a term may vanish for
/// positive values only (|λ·u| − λ·|u|; from a review, parameters drawn positive only made
/// relu(λ·u) − λ·relu(u) exactly affine). Draw j (from 0) gives parameter i the sign of bit i
/// of j for the first 16 draws, so that the first 2^p draws take every pattern of signs;
/// random after. Magnitudes in (0.3, 2.5): past the special values 0 and 1 and past 2, where
/// a threshold such as 2 − λ² > 0 lies.
fn draw_params(names: impl IntoIterator<Item = Name>, seed: u64) -> BTreeMap<Name, f64> {
    let mut params = BTreeMap::new();
    for (i, p) in names.into_iter().enumerate() {
        let h = mix(seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(i as u64 * 1_442_695_040_888_963_407));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        let j = seed.wrapping_sub(DRAW_SEED + 1);
        let negative = if j < 16 {
            (j >> (i % 4)) & 1 == 1
        } else {
            h & 1 == 1
        };
        let sign = if negative { -1.0 } else { 1.0 };
        params.insert(p, sign * (0.3 + 2.2 * u));
    }
    params
}

/// A layer's operating point at the values of `inst` (the constants before it set), as long
/// as the first symbol it names (the output's length of `W₂·tanh(c₁) + b₂`).
pub(crate) fn operating_point<R: Real>(
    ly: &Layer,
    inst: &mut Instance<R>,
) -> Result<Val<R>, String> {
    // The rows of a term that starts with a symbol of known value, in the point or else in
    // the whole pre-activation: a lone `𝟙·b₁ᵀ` takes the token matrix's n from `X·W₁` beside
    // it (from a review: it took the stand-in width, and X of 4 rows did not match).
    // An element-wise factor leads with its argument's rows (tanh(c₁) + 2·𝟙: from a review,
    // c₁'s 2 rows were not found, and 𝟙 took the stand-in width).
    fn leading_rows<R: Real>(c: &crate::algebra::nf::Chain, inst: &Instance<R>) -> Option<usize> {
        use crate::algebra::Factor;
        match c.factors().first()? {
            Factor::Sym(s) => inst.symbols.get(s).map(Val::rows),
            Factor::Diag(inner) => leading_rows(inner, inst),
            Factor::Atom(a) => a.arg.terms().find_map(|(c, _)| leading_rows(c, inst)),
            Factor::Had(h) => h.elements().iter().find_map(|(c, _)| leading_rows(c, inst)),
            _ => None,
        }
    }
    let rows = (ly.op_point.terms().chain(ly.pre.terms())).find_map(|(c, _)| leading_rows(c, inst));
    let rows = rows.unwrap_or(crate::numeric::DEFAULT_WIDTH);
    eval_expr(&ly.op_point, inst, rows)
}

/// What the identity test says of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Vanishing {
    /// Zero at three draws.
    Yes,
    /// Not zero at a draw (or not drawable): not shown to vanish.
    No,
    /// Zero at every draw that counts, but fewer than three counted: most made a value the
    /// expansion takes to be non-zero 0. Not shown to vanish either, and said so.
    Starved,
    /// A constant coefficient is certainly not 0 but closer to 0 than the draws resolve: not
    /// drawn, not shown to vanish, and said so.
    Unresolved,
    /// Zero at some draws of the parameters and not at others: it vanishes for some of their
    /// values only (a sign condition, λ > 0 in |λ·u| − λ·|u|). Not shown to vanish, and said so.
    ForSomeParameters,
}

/// SplitMix64's finalizer: every bit of the result depends on every bit of `x`.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The seeds of the draws are this plus 1, 2, ….
const DRAW_SEED: u64 = 0x5eed_0000;

/// Set in a draw's seed: the draw at the seed without it, its small symbols negated
/// ([`IdentityTest::zero_at`]).
const MIRRORED: u64 = 1 << 63;

/// Set in a draw's seed: the draw at the seed without it, each entry of the symbols that no
/// operating point reads scaled by its own power of 2 from 2⁻⁸ to 2⁸ ([`IdentityTest::zero_at`]).
const SPREAD: u64 = 1 << 62;

/// Draws before the spread ones, where bars are about.
const SPREAD_AFTER: u64 = 3;

/// Zero draws (each with its mirror) the identity test asks for where bars are about: a term
/// non-zero on a region of the draws' measure p is missed with probability (1 − p)^6 or less
/// (each draw is paid at every order searched: where the terms cancel at every order, a
/// network of two nested relus took 3.7 s with three draws, 14 s with six, over 20 s with sixteen).
const BAR_DRAWS: usize = 6;

/// `v` with each entry scaled by 2^k, k from −8 to 8 drawn from `state` entry by entry.
fn spread(v: &Val<f64>, state: u64) -> Val<f64> {
    scaled(v, state, -8, 8)
}

/// `v` with each entry scaled by its own power of 2 in [2⁻ᵐᵃˣ, 1] (`verify`'s spread draws: an
/// input no larger than σ).
pub(crate) fn scaled_down(v: &Val<f64>, state: u64, max: i32) -> Val<f64> {
    scaled(v, state, -max, 0)
}

/// `v` with each entry scaled by its own power of 2 in [2ˡᵒ, 2ʰⁱ], drawn from `state`.
fn scaled(v: &Val<f64>, mut state: u64, lo: i32, hi: i32) -> Val<f64> {
    let span = (hi - lo + 1).max(1) as u64;
    let mut scale = |x: &f64| {
        state = mix(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
        x * 2f64.powi((state % span) as i32 + lo)
    };
    match v {
        Val::S(x) => Val::S(scale(x)),
        Val::V(e) => Val::V(e.iter().map(&mut scale).collect()),
        Val::M(m) => Val::M(
            m.iter()
                .map(|r| r.iter().map(&mut scale).collect())
                .collect(),
        ),
    }
}

/// Most draws the test makes, those set aside included.
const MAX_DRAWS: u64 = 64;

/// What one draw says of the tested expression.
enum Draw {
    Zero,
    NonZero,
    /// A value the expansion takes to be non-zero is 0 at this draw: set aside.
    Degenerate,
    /// The expression has no value at this draw (NaN: a root or logarithm of a negative
    /// parameter): set aside where parameters were drawn, else not shown to vanish.
    Undefined,
}

/// Every function a lowered expression calls, by name (for evaluating its atoms).
pub(crate) fn functions_in(ir: &Ir) -> BTreeMap<String, Callee> {
    let mut out: BTreeMap<String, Callee> = crate::ir::Prim::ALL
        .iter()
        .map(|p| (p.name().to_string(), Callee::Prim(*p)))
        .collect();
    collect(ir, &mut out);
    out
}

/// Adds the definitions `ir` calls, and those their bodies call, each once.
fn collect(ir: &Ir, out: &mut BTreeMap<String, Callee>) {
    crate::ir::visit::walk(ir, |n| {
        if let IrKind::Apply {
            callee: Callee::Def(d),
            ..
        } = n.kind()
            && !out.contains_key(&d.name.ascii())
        {
            out.insert(d.name.ascii(), Callee::Def(d.clone()));
            collect(&d.body, out);
        }
        crate::ir::visit::Step::Descend
    });
}

/// True when an element-wise atom other than |·| occurs (the exact rules may miss a zero).
pub(crate) fn has_function_atoms(e: &Expr) -> bool {
    has_function_atoms_in(e, &mut HashSet::new())
}

fn has_function_atoms_in(e: &Expr, seen: &mut HashSet<*const ()>) -> bool {
    e.terms().any(|(c, s)| {
        s.has_opaque()
            || chain_any_atom(c, seen, &mut |a, seen| {
                !a.is_bar() || has_function_atoms_in(&a.arg, seen)
            })
    })
}

/// True when a bar's argument holds a parameter: whether |λ·u + λ·v| − λ·|u + v| vanishes
/// depends on λ's sign, which no exact rule of the normal form reads.
/// True when a bar's argument holds a parameter, and every atom is such a bar of plain terms
/// (no atom inside): whether |λ·u + λ·v| − λ·|u + v| vanishes depends on λ's sign, which no
/// exact rule of the normal form reads. Bars that hold other atoms (the layers of a deep
/// network) are left out: each draw evaluates them all in 256-bit floats, and a four-layer
/// elu network with a parameter in its bars took seconds where it took milliseconds (from a
/// review); such terms are kept, as before.
pub(crate) fn has_parametric_bars(e: &Expr) -> bool {
    let flat = |a: &crate::algebra::ElemAtom| {
        a.is_bar()
            && a.arg.terms().all(|(c, _)| {
                !c.factors()
                    .iter()
                    .any(|f| matches!(f, crate::algebra::Factor::Atom(_)))
            })
    };
    let mut parametric = false;
    for (c, _) in e.terms() {
        for f in c.factors() {
            if let crate::algebra::Factor::Atom(a) = f {
                if !flat(a) {
                    return false;
                }
                parametric |= !a.arg.params().is_empty();
            }
        }
    }
    parametric
}

/// True when a factor of the chain (nested ones included) is an atom `keep` accepts.
pub(crate) fn chain_has_atom(
    c: &crate::algebra::Chain,
    keep: &dyn Fn(&crate::algebra::ElemAtom) -> bool,
) -> bool {
    chain_any_atom(c, &mut HashSet::new(), &mut |a, _| keep(a))
}

/// The search behind [`chain_has_atom`], visiting each shared node (`Rc`) once: the layers of a
/// deep network share their diagonals and atoms, and a piecewise layer's atoms hold the layer
/// before it, so a search that revisits shared nodes doubles with every layer. A node seen
/// before has already answered no (a yes ends the search).
fn chain_any_atom(
    c: &crate::algebra::Chain,
    seen: &mut HashSet<*const ()>,
    keep: &mut dyn FnMut(&crate::algebra::ElemAtom, &mut HashSet<*const ()>) -> bool,
) -> bool {
    use crate::algebra::Factor;
    c.factors().iter().any(|f| match f {
        Factor::Atom(a) => seen.insert(Rc::as_ptr(a).cast()) && keep(a, seen),
        Factor::Diag(d) => seen.insert(Rc::as_ptr(d).cast()) && chain_any_atom(d, seen, keep),
        Factor::Had(h) => {
            seen.insert(Rc::as_ptr(h).cast())
                && h.elements()
                    .iter()
                    .any(|(e, _)| chain_any_atom(e, seen, keep))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use crate::algebra::{Kind, Q};
    use crate::ir::Dim;

    /// The test over one user vector `c` of `n` entries, drawn (not small).
    fn over_c<'a>(
        n: u64,
        symbols: &'a BTreeMap<Symbol, Shape>,
        small: &'a BTreeSet<Name>,
    ) -> IdentityTest<'a> {
        IdentityTest {
            symbols,
            small,
            layers: &[],
            constants: &[],
            rows: n as usize,
            rows_free: false,
            cols: Some(1),
            functions: BTreeMap::from([("r".to_string(), relu())]),
            operating_point_symbols: Default::default(),
        }
    }

    /// `r(t) = if t > 0 then t else 0`, as the session defines it.
    fn relu() -> Callee {
        let mut s = crate::session::Session::new();
        s.run("r(t) = if t > 0 then t else 0")
            .expect("the definition runs");
        s.numeric_functions().remove("r").expect("r is defined")
    }

    #[test]
    fn a_piecewise_value_drawn_where_it_is_zero_decides_nothing() {
        let vector = |n: u64| {
            let c = Symbol {
                role: Role::User,
                name: Name::new("c", ""),
                kind: Kind::Vector,
            };
            let shape = Shape {
                kind: Kind::Vector,
                rows: Dim::Known(n),
                cols: Dim::Known(1),
            };
            (c.clone(), BTreeMap::from([(c, shape)]))
        };
        // r′(2c) = r′(c) entry by entry (r is relu) wherever both are non-zero (c > 0): zero, at
        // draws where every entry of c is positive (one in eight for three entries).
        let (c, symbols) = vector(3);
        let two_c = Expr::symbol(c.clone()).scale_q(&Q::from(2u32));
        let identity = Expr::atom("r", 1, two_c).sub(&Expr::atom("r", 1, Expr::symbol(c.clone())));
        let small = BTreeSet::new();
        let t = over_c(3, &symbols, &small);
        assert_eq!(t.vanishes(&identity), Vanishing::Yes);
        // r′(c) is not zero where the expansion takes it to be non-zero: draws where it is 0
        // do not make it vanish. With 40 entries no draw has them all positive: nothing decided.
        let (c, symbols) = vector(40);
        let alone = Expr::atom("r", 1, Expr::symbol(c));
        assert_eq!(
            over_c(40, &symbols, &small).vanishes(&alone),
            Vanishing::Starved
        );
        let (c, symbols) = vector(3);
        let alone = Expr::atom("r", 1, Expr::symbol(c));
        assert_eq!(over_c(3, &symbols, &small).vanishes(&alone), Vanishing::No);
    }
}
