//! Truncated power series over the exact scalar ring, and the elementary functions on them.
//!
//! Every function is computed by the recurrence of its differential equation
//! (exp: g′ = a′g; tanh: g′ = (1 − g²)a′; powers: a·g′ = q·a′·g …), so each
//! coefficient costs O(n) ring operations and a series of order n costs O(n²).

use super::rational::{Gens, RatSeries, newton_steps};
use crate::algebra::{Q, Scalar, ScalarError};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::rc::Rc;

/// From this order on, a product of two rational series is formed over a common denominator by
/// Kronecker substitution ([`RatSeries`]); below it, coefficient by coefficient. The crossovers
/// here were measured on the series of tanh∘tanh∘tanh (`tests::crossover`): products break even
/// at order 24–32, reciprocals, exp and tanh by Newton iteration at 32–40, sin and cos (through
/// tan of the half angle) only at about 64.
const FAST_PRODUCT_MIN_ORDER: usize = 32;

/// From this order on, reciprocals, exp, tan/tanh and atan of rational series without constant
/// term are computed by Newton iteration; below it (and for the first Newton precision, at most
/// [`NEWTON_BASE`] coefficients) by the recurrences of their differential equations.
const NEWTON_MIN_ORDER: usize = 40;
/// The same for sin and cos of series over generators (through tan of the half angle).
const SIN_NEWTON_MIN_ORDER: usize = 64;
/// Below these orders exp, tan/tanh and sin/cos of a rational series without constant term are
/// computed by their recurrences over integers ([`RatSeries::exp_basecase`] …), which beat
/// Newton iteration there (`tests::crossover`; for sin, `tests::high_order_parts` on sin∘4,
/// where Newton iteration on exp(i·a) overtakes the recurrence between orders 120 and 160).
const EXP_RECURRENCE_MAX_ORDER: usize = 160;
const TAN_RECURRENCE_MAX_ORDER: usize = 128;
const SIN_RECURRENCE_MAX_ORDER: usize = 144;
const NEWTON_BASE: usize = 12;

/// Why a series cannot be formed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeriesError {
    /// The function is not analytic at the point (`log` or `sqrt` at 0, `1/t` at 0).
    NotAnalytic(String),
    Scalar(ScalarError),
    /// A coefficient grew past the size limit, or the time budget ran out.
    Limit(String),
}

impl fmt::Display for SeriesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeriesError::NotAnalytic(s) | SeriesError::Limit(s) => write!(f, "{s}"),
            SeriesError::Scalar(e) => write!(f, "{e}"),
        }
    }
}

impl From<ScalarError> for SeriesError {
    fn from(e: ScalarError) -> SeriesError {
        SeriesError::Scalar(e)
    }
}

type R<T> = Result<T, SeriesError>;

/// `c₀ + c₁δ + … + cₙδⁿ + O(δⁿ⁺¹)`. `exact` means the dropped remainder is zero (a polynomial).
#[derive(Clone)]
pub struct Series {
    /// The coefficients, c₀ first: given, or converted from `rational` when first asked for.
    scalars: OnceCell<Vec<Scalar>>,
    /// The series over one common denominator, as a fast path left it (rational coefficients
    /// only): the next function of a chain takes it as it is, where converting its coefficients
    /// to scalars (a gcd each) and packing them again cost a tenth of a composed sin.
    rational: Option<Rc<RatSeries>>,
    exact: bool,
}

impl PartialEq for Series {
    fn eq(&self, o: &Series) -> bool {
        self.exact == o.exact && self.coeffs() == o.coeffs()
    }
}

impl Eq for Series {}

impl fmt::Debug for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (f.debug_struct("Series"))
            .field("coeffs", &self.coeffs())
            .field("exact", &self.exact)
            .finish()
    }
}

impl Series {
    /// A constant, to order `n`.
    pub fn constant(c: Scalar, n: usize) -> Series {
        let mut coeffs = vec![Scalar::zero(); n + 1];
        coeffs[0] = c;
        Series::from_coeffs(coeffs, true)
    }
    /// The variable `a + δ`.
    pub fn variable(a: Scalar, n: usize) -> Series {
        let mut coeffs = vec![Scalar::zero(); n + 1];
        coeffs[0] = a;
        if n >= 1 {
            coeffs[1] = Scalar::one();
        }
        Series::from_coeffs(coeffs, n >= 1)
    }
    /// The series with these coefficients (`c₀` first), to order `coeffs.len() − 1`.
    pub fn from_coeffs(coeffs: Vec<Scalar>, exact: bool) -> Series {
        Series {
            scalars: OnceCell::from(coeffs),
            rational: None,
            exact,
        }
    }
    /// The series of a fast path's result, kept over its common denominator (and over its
    /// generators, when it has some) until its coefficients are asked for.
    fn from_rational(r: RatSeries, exact: bool) -> Series {
        Series {
            scalars: OnceCell::new(),
            rational: Some(Rc::new(r)),
            exact,
        }
    }
    /// The number of coefficients kept.
    fn len(&self) -> usize {
        match (self.scalars.get(), &self.rational) {
            (Some(c), _) => c.len(),
            (None, Some(r)) => r.len(),
            (None, None) => 1,
        }
    }
    /// The form over one denominator, while the coefficients have not been converted.
    fn unconverted(&self) -> Option<&RatSeries> {
        match self.scalars.get() {
            None => self.rational.as_deref(),
            Some(_) => None,
        }
    }
    /// The highest power kept: the remainder is O(δ^(order+1)).
    pub fn order(&self) -> usize {
        self.len().saturating_sub(1)
    }
    /// The coefficients, `c₀` first.
    pub fn coeffs(&self) -> &[Scalar] {
        self.scalars.get_or_init(|| {
            (self.rational.as_deref())
                .map(RatSeries::to_scalars)
                .unwrap_or_default()
        })
    }
    fn into_coeffs(self) -> Vec<Scalar> {
        self.coeffs();
        self.scalars.into_inner().unwrap_or_default()
    }
    /// The coefficient of δᵏ (zero past the order).
    pub fn coeff(&self, k: usize) -> Scalar {
        match self.unconverted() {
            Some(r) => r.coefficient_scalar(k),
            None => self.coeffs().get(k).cloned().unwrap_or_default(),
        }
    }
    /// Whether the dropped remainder is zero (the series is a polynomial).
    pub fn is_exact(&self) -> bool {
        self.exact
    }
    /// Highest index with a non-zero coefficient.
    pub fn degree(&self) -> Option<usize> {
        match self.unconverted() {
            Some(r) => r.nonzero_powers().next_back(),
            None => self.coeffs().iter().rposition(|c| !c.is_zero()),
        }
    }
    /// Whether no coefficient past `c₀` is non-zero.
    pub fn is_constant(&self) -> bool {
        self.degree().unwrap_or(0) == 0
    }
    /// Index of the first non-zero coefficient.
    pub fn valuation(&self) -> Option<usize> {
        match self.unconverted() {
            Some(r) => r.nonzero_powers().next(),
            None => self.coeffs().iter().position(|c| !c.is_zero()),
        }
    }
    /// The number of terms in the coefficients (a non-zero rational is one).
    pub fn term_count(&self) -> usize {
        match self.unconverted() {
            Some(r) => r.term_count(),
            None => self.coeffs().iter().map(|c| c.len()).sum(),
        }
    }
    /// Whether no term of a coefficient has more than `limit` bits in its numerator and
    /// denominator together ([`Scalar::max_bits`]). Over one denominator a bound decides when it
    /// stays within the limit; past it the coefficients are converted and measured.
    pub fn bits_within(&self, limit: u64) -> bool {
        if let Some(r) = self.unconverted()
            && r.max_bits_bound() <= limit
        {
            return true;
        }
        self.coeffs().iter().all(|c| c.max_bits() <= limit)
    }

    fn n(&self) -> usize {
        self.order()
    }

    /// The sum, to the lower of the two orders.
    pub fn add(&self, o: &Series) -> Series {
        if let Some((a, b)) = self.packed_pair(o) {
            let len = a.len().min(b.len());
            let cut = |r: &RatSeries| (r.len() > len).then(|| r.truncated(len));
            let (ca, cb) = (cut(&a), cut(&b));
            let sum = ca.as_ref().unwrap_or(&a).add(cb.as_ref().unwrap_or(&b));
            return Series::from_rational(sum, self.exact && o.exact);
        }
        let coeffs = (self.coeffs().iter())
            .zip(o.coeffs())
            .map(|(a, b)| a.add(b))
            .collect();
        Series::from_coeffs(coeffs, self.exact && o.exact)
    }
    /// The negation.
    pub fn neg(&self) -> Series {
        if let Some(r) = self.unconverted() {
            return Series::from_rational(r.neg(), self.exact);
        }
        Series::from_coeffs(self.coeffs().iter().map(|c| c.neg()).collect(), self.exact)
    }
    /// The difference, to the lower of the two orders.
    pub fn sub(&self, o: &Series) -> Series {
        self.add(&o.neg())
    }
    /// Every coefficient times `s`.
    pub fn scale(&self, s: &Scalar) -> Series {
        if let Some(r) = self.unconverted() {
            let scaled = match s.as_q() {
                Some(q) => Some(r.scale(q)),
                None => RatSeries::from_scalars(std::slice::from_ref(s), r.gens())
                    .and_then(|c| r.mul(&c, r.len())),
            };
            if let Some(scaled) = scaled {
                return Series::from_rational(scaled, self.exact);
            }
        }
        Series::from_coeffs(self.coeffs().iter().map(|c| c.mul(s)).collect(), self.exact)
    }

    /// `1·self` to order `n`, the first step of a product: `self` itself when it is no longer,
    /// moved where [`Series::mul`] would copy it (1/(1 + exp(−u)) copied the reciprocal, a
    /// thirtieth of sigmoid composed 5 deep). Longer, it is cut to the order as `mul` cuts it.
    pub fn times_one(self, n: usize) -> Series {
        if self.len() <= n + 1 {
            // As `mul` by the exact constant 1 finds it: exact when `self` is.
            self
        } else {
            Series::constant(Scalar::one(), n).mul(&self)
        }
    }

    /// The order of a product and whether it is exact: exact when a factor is exactly 0, or
    /// when both are exact and the product's degree fits the order.
    fn product_order(&self, o: &Series) -> (usize, bool) {
        let n = self.n().min(o.n());
        let (da, db) = (self.degree(), o.degree());
        let fits = match (da, db) {
            (Some(a), Some(b)) => a + b <= n,
            _ => true,
        };
        let zero = da.is_none() && self.exact || db.is_none() && o.exact;
        (n, zero || (self.exact && o.exact && fits))
    }

    /// [`Series::mul`] of factors the caller gives up: a factor that is the exact constant 1
    /// gives the other one moved, not copied (the 1 of `1/(1 + exp(−t))`, whose other factor
    /// is the whole series).
    pub fn mul_owned(self, o: Series) -> Series {
        let (n, exact) = self.product_order(&o);
        let is_one = |s: &Series| s.exact && s.is_constant() && s.coeff(0).is_one();
        if is_one(&self) && o.len() <= n + 1 {
            return Series { exact, ..o };
        }
        if is_one(&o) && self.len() <= n + 1 {
            return Series { exact, ..self };
        }
        self.mul(&o)
    }

    /// The Cauchy product, truncated.
    pub fn mul(&self, o: &Series) -> Series {
        let (n, exact) = self.product_order(o);
        // A constant factor (the 1 a product starts from, a −1, a scalar) scales the other
        // series: as a Cauchy product it cost a sum of products per coefficient, a sixth of
        // a composed sigmoid's time.
        if let Some(product) = self
            .times_constant(o, n, exact)
            .or_else(|| o.times_constant(self, n, exact))
        {
            return product;
        }
        // An interrupted product returns early (below); so does its fast path. Two series left
        // over one denominator are multiplied as they are; others are packed here.
        if n >= FAST_PRODUCT_MIN_ORDER && !crate::limits::interrupted() {
            let square = std::ptr::eq(self, o);
            let product = match (self.unconverted(), o.unconverted()) {
                (Some(a), _) if square => {
                    let a = a.truncated(n + 1);
                    a.mul(&a, n + 1)
                }
                (Some(a), Some(b)) if a.same_ring(b) => {
                    a.truncated(n + 1).mul(&b.truncated(n + 1), n + 1)
                }
                // A series over generators takes the other factor into its ring (when it fits;
                // else both are packed anew).
                (Some(a), None) if !a.is_rational() => {
                    RatSeries::from_scalars(o.head_to(n + 1), a.gens())
                        .and_then(|b| a.truncated(n + 1).mul(&b, n + 1))
                        .or_else(|| self.packed_product(o, n))
                }
                (None, Some(b)) if !b.is_rational() => {
                    RatSeries::from_scalars(self.head_to(n + 1), b.gens())
                        .and_then(|a| a.mul(&b.truncated(n + 1), n + 1))
                        .or_else(|| self.packed_product(o, n))
                }
                _ if square => {
                    packed_factors([self.head_to(n + 1)]).and_then(|[a]| a.mul(&a, n + 1))
                }
                _ => self.packed_product(o, n),
            };
            if let Some(product) = product {
                return Series::from_rational(product, exact);
            }
        }
        self.mul_schoolbook(o, n, exact)
    }

    /// The product to order `n`, both factors' coefficients packed into one ring anew.
    fn packed_product(&self, o: &Series, n: usize) -> Option<RatSeries> {
        packed_factors([self.head_to(n + 1), o.head_to(n + 1)]).and_then(|[a, b]| a.mul(&b, n + 1))
    }

    /// `o` to order `n` times this series, when this series is an exact constant: the
    /// coefficients of `o` as they are for 1, each times the constant otherwise (a series
    /// left over one denominator takes its own fast path, which keeps it so).
    fn times_constant(&self, o: &Series, n: usize, exact: bool) -> Option<Series> {
        if !self.exact || !self.is_constant() {
            return None;
        }
        let c = self.coeff(0);
        if c.is_one() && o.len() <= n + 1 {
            return Some(Series { exact, ..o.clone() });
        }
        if !c.is_one() && o.unconverted().is_some() {
            return None;
        }
        let coeffs = o.head_to(n + 1).iter().map(|a| {
            if c.is_one() || a.is_zero() {
                a.clone()
            } else {
                a.mul(&c)
            }
        });
        Some(Series::from_coeffs(coeffs.collect(), exact))
    }

    /// The first `len` coefficients (all of them when there are fewer).
    fn head_to(&self, len: usize) -> &[Scalar] {
        &self.coeffs()[..len.min(self.coeffs().len())]
    }

    /// The coefficients of a function without constant term, at an order where Newton
    /// iteration pays.
    fn newton_input(&self) -> Option<&[Scalar]> {
        if self.n() < NEWTON_MIN_ORDER || !self.coeff(0).is_zero() {
            return None;
        }
        Some(self.coeffs())
    }

    /// [`Series::newton_input`], for a series a fast path left over generators (unshifted).
    fn packed_newton_input(&self) -> Option<&RatSeries> {
        let r = self
            .unconverted()
            .filter(|r| r.unshifted() && !r.is_rational())?;
        (self.n() >= NEWTON_MIN_ORDER && r.coefficient_scalar(0).is_zero()).then_some(r)
    }

    /// Two series in one packed ring, when at least one of them is left packed and the other is
    /// packed or packs into its ring; neither shifted ([`RatSeries::unshifted`]).
    fn packed_pair<'a>(
        &'a self,
        o: &'a Series,
    ) -> Option<(Cow<'a, RatSeries>, Cow<'a, RatSeries>)> {
        let pair = match (self.unconverted(), o.unconverted()) {
            (Some(a), Some(b)) if a.same_ring(b) => (Cow::Borrowed(a), Cow::Borrowed(b)),
            (Some(a), None) => (
                Cow::Borrowed(a),
                Cow::Owned(RatSeries::from_scalars(o.coeffs(), a.gens())?),
            ),
            (None, Some(b)) => (
                Cow::Owned(RatSeries::from_scalars(self.coeffs(), b.gens())?),
                Cow::Borrowed(b),
            ),
            _ => return None,
        };
        (pair.0.unshifted() && pair.1.unshifted()).then_some(pair)
    }

    /// The series over one common denominator, when its coefficients are rational: as a fast
    /// path left it, or packed now.
    fn rational_form(&self) -> Option<Rc<RatSeries>> {
        if let Some(r) = self.rational.as_ref().filter(|r| r.is_rational()) {
            return Some(r.clone());
        }
        if self.unconverted().is_some_and(|r| !r.is_rational_valued()) {
            return None;
        }
        if self.coeffs().iter().any(|c| c.as_q().is_none()) {
            return None;
        }
        packed([self.coeffs()]).map(|[a]| Rc::new(a))
    }

    /// The series over one common denominator for the integer recurrences and Newton
    /// iterations of [`RatSeries`] (`exp_basecase` …), when its coefficients are rational and
    /// its constant term is 0.
    fn rational_recurrence_input(&self) -> Option<Rc<RatSeries>> {
        if !self.coeff(0).is_zero() {
            return None;
        }
        self.rational_form()
    }

    /// The first `len` coefficients, as a series for a base-case recurrence.
    fn head(&self, len: usize) -> Series {
        Series::from_coeffs(self.coeffs()[..len].to_vec(), false)
    }

    fn mul_schoolbook(&self, o: &Series, n: usize, exact: bool) -> Series {
        let (da, db) = (self.degree(), o.degree());
        let top_a = da.unwrap_or(0);
        let top_b = db.unwrap_or(0);
        let (a, b) = (self.coeffs(), o.coeffs());
        let mut coeffs = vec![Scalar::zero(); n + 1];
        for (k, c) in coeffs.iter_mut().enumerate() {
            if crate::limits::interrupted() {
                break;
            }
            let lo = k.saturating_sub(top_b);
            *c = Scalar::sum_of_products(
                (lo..=k.min(top_a))
                    .filter(|i| !a[*i].is_zero() && !b[k - i].is_zero())
                    .map(|i| (&a[i], &b[k - i])),
            );
        }
        Series::from_coeffs(coeffs, exact)
    }

    /// 1/a, when a₀ ≠ 0.
    pub fn recip(&self) -> R<Series> {
        let a0 = &self.coeff(0);
        if vanishes(a0) {
            return Err(SeriesError::NotAnalytic(
                "division by a quantity that vanishes at the point".into(),
            ));
        }
        if let Some(e) = undecided_zero(a0) {
            return Err(e);
        }
        let inv0 = a0.inverse()?;
        let n = self.n();
        let exact = self.exact && self.is_constant();
        // A rational series takes the fast path at every order (below NEWTON_MIN_ORDER its
        // recurrence over integers).
        let fast = match self.rational_form() {
            Some(a) => a.recip(n + 1),
            None if n >= NEWTON_MIN_ORDER => match self.unconverted().filter(|r| r.unshifted()) {
                Some(a) => a.recip(n + 1),
                None => packed([self.head_to(n + 1)]).and_then(|[a]| a.recip(n + 1)),
            },
            None => None,
        };
        if let Some(r) = fast {
            return Ok(Series::from_rational(r, exact));
        }
        Ok(self.recip_schoolbook(inv0, exact))
    }

    fn recip_schoolbook(&self, inv0: Scalar, exact: bool) -> Series {
        let n = self.n();
        // Over constants, packed for the whole recurrence, −1/a₀ its common factor.
        let minus_inv0 = inv0.neg();
        let one = |_| Q::from(1u32);
        if let Some(b) =
            Scalar::linear_recurrence(&self.coeffs()[..=n], Some(&minus_inv0), &inv0, &one)
        {
            return Series::from_coeffs(b, exact);
        }
        // b_k = −(1/a₀)·Σ a_j·b_{k−j}, with −a_j/a₀ formed once: the b_k of a composed
        // activation grow to thousands of terms, and each would be multiplied and negated.
        let scaled: Vec<Scalar> = self.coeffs()[..=n]
            .iter()
            .map(|a| {
                if a.is_zero() {
                    Scalar::zero()
                } else {
                    a.mul(&minus_inv0)
                }
            })
            .collect();
        let mut b = vec![Scalar::zero(); n + 1];
        b[0] = inv0;
        for k in 1..=n {
            if crate::limits::interrupted() {
                break;
            }
            b[k] = Scalar::sum_of_products(
                (1..=k)
                    .filter(|j| !scaled[*j].is_zero() && !b[k - j].is_zero())
                    .map(|j| (&scaled[j], &b[k - j])),
            );
        }
        Series::from_coeffs(b, exact)
    }

    /// The quotient; an error when `o` vanishes at the point.
    pub fn div(&self, o: &Series) -> R<Series> {
        if o.is_constant() && o.exact {
            let inv = o.coeffs()[0]
                .inverse()
                .map_err(|_| SeriesError::NotAnalytic("division by zero".into()))?;
            return Ok(self.scale(&inv));
        }
        Ok(self.mul(&o.recip()?))
    }

    /// The derivative in δ (order drops by one).
    pub fn derivative(&self) -> Series {
        if let Some(r) = self.unconverted() {
            return Series::from_rational(r.derivative_reduced(), self.exact);
        }
        let n = self.n();
        let mut coeffs: Vec<Scalar> = (1..=n)
            .map(|k| self.coeffs()[k].scale(&Q::from(k as u64)))
            .collect();
        if coeffs.is_empty() {
            coeffs.push(Scalar::zero());
        }
        Series::from_coeffs(coeffs, self.exact)
    }

    /// The antiderivative with constant term `c0`, to order `n`: the order rises by one, except
    /// from the zero that stands for the derivative of a series of order 0, whose
    /// antiderivative has order 0 (its t¹ coefficient is not known).
    pub fn integral(&self, c0: Scalar, n: usize) -> Series {
        if let Some(r) = self.unconverted().filter(|_| c0.is_zero() && n >= 1) {
            return Series::from_rational(r.integral_of_head(n), self.exact);
        }
        let mut coeffs = Vec::with_capacity(n + 1);
        coeffs.push(c0);
        for (k, c) in self.coeffs().iter().enumerate().take(n) {
            coeffs.push(c.scale(&Q::from_unsigneds(1u64, k as u64 + 1)));
        }
        Series::from_coeffs(coeffs, self.exact)
    }

    pub(crate) fn truncate(self, n: usize) -> Series {
        if self.len() <= n + 1 {
            return self;
        }
        if let Some(r) = self.unconverted() {
            let exact = self.exact && r.nonzero_powers().all(|k| k <= n);
            return Series::from_rational(r.truncated(n + 1), exact);
        }
        let exact = self.exact && self.coeffs()[n + 1..].iter().all(|c| c.is_zero());
        let mut coeffs = self.into_coeffs();
        coeffs.truncate(n + 1);
        Series::from_coeffs(coeffs, exact)
    }

    /// `a^k` for an integer `k` (negative powers need a₀ ≠ 0).
    pub fn powi(&self, k: i64) -> R<Series> {
        // The constant term of the result is a₀^|k| (or its inverse): too large a one is an
        // error before the first squaring, not a product that never ends (`12^(10¹⁴)`).
        self.coeffs()[0].check_integer_power(k.unsigned_abs())?;
        Ok(if k < 0 {
            self.recip()?.into_powi(k.unsigned_abs())
        } else {
            self.clone().into_powi(k.unsigned_abs())
        })
    }

    /// The `k`-th power by squaring, taking the series itself as the first factor (a power 1,
    /// the reciprocal of `1/a`, is the series as it is, neither copied nor multiplied by 1).
    fn into_powi(self, mut k: u64) -> Series {
        let n = self.n();
        let mut out: Option<Series> = None;
        let mut base = self;
        while k > 0 {
            if k & 1 == 1 {
                out = Some(match out {
                    Some(out) => out.mul(&base),
                    None if k == 1 => return base,
                    None => base.clone(),
                });
            }
            k >>= 1;
            if k > 0 {
                base = base.mul(&base);
            }
        }
        out.unwrap_or_else(|| Series::constant(Scalar::one(), n))
    }

    /// `a^q` for a rational `q` (J. C. P. Miller's recurrence), when a₀ ≠ 0.
    pub fn powq(&self, q: &Q) -> R<Series> {
        if q.to_denominator() == 1u32
            && let Ok(k) = i64::try_from(&q.to_numerator())
        {
            return self.powi(if *q < 0u32 { -k } else { k });
        }
        let a0 = &self.coeffs()[0];
        if vanishes(a0) {
            if self.degree().is_none() && *q > 0u32 {
                // Exactly 0: so is its power.
                if self.exact {
                    return Ok(Series::constant(Scalar::zero(), self.n()));
                }
                // 0 to order n only: the base is O(tⁿ⁺¹), its power O(|t|^((n+1)·q)), which is
                // O(tⁿ⁺¹) again when q ≥ 1. Below that the power's leading term may fall within
                // the order (from a review: (t⁴)^(1/4) = |t| at order 3 was taken as exactly 0).
                if *q >= 1u32 {
                    return Ok(Series::from_coeffs(
                        vec![Scalar::zero(); self.n() + 1],
                        false,
                    ));
                }
                return Err(SeriesError::NotAnalytic(format!(
                    "a power with exponent {q} of a quantity that vanishes at the point (it is 0 to the expansion order {})",
                    self.n()
                )));
            }
            return Err(SeriesError::NotAnalytic(format!(
                "a power with exponent {q} of a quantity that vanishes at the point"
            )));
        }
        if let Some(e) = undecided_zero(a0) {
            return Err(e);
        }
        let n = self.n();
        let mut g = vec![Scalar::zero(); n + 1];
        g[0] = a0.pow(q)?;
        let inv0 = a0.inverse()?;
        let a = self.coeffs();
        for k in 1..=n {
            if crate::limits::interrupted() {
                break;
            }
            let mut s = Scalar::zero();
            for j in 1..=k {
                if a[j].is_zero() {
                    continue;
                }
                // (q·j − (k − j)) a_j g_{k−j}
                let w = q * Q::from(j as u64) - Q::from((k - j) as u64);
                if w != 0u32 {
                    s.add_assign(&a[j].mul(&g[k - j]).scale(&w));
                }
            }
            g[k] = s.mul(&inv0).scale(&Q::from_unsigneds(1u64, k as u64));
        }
        Ok(Series::from_coeffs(g, self.exact && self.is_constant()))
    }

    /// exp(a): g₀ = exp(a₀), k·g_k = Σ j·a_j·g_{k−j}.
    pub fn exp(&self) -> Series {
        match self.exp_packed() {
            Some(g) => self.of_packed(g),
            None => self.exp_schoolbook(),
        }
    }

    /// exp of a rational series without constant term by the integer recurrence, or at high
    /// order by Newton iteration.
    fn exp_packed(&self) -> Option<RatSeries> {
        if let Some(a) = self.rational_recurrence_input() {
            if self.n() < EXP_RECURRENCE_MAX_ORDER {
                return a.exp_basecase();
            }
            let base = newton_steps(a.len(), NEWTON_BASE)[0];
            return a.exp(a.truncated(base).exp_basecase()?);
        }
        if let Some(a) = self.packed_newton_input() {
            let base = newton_steps(a.len(), NEWTON_BASE)[0];
            let head = Series::from_coeffs(a.truncated(base).to_scalars(), false);
            if let Some(b) = RatSeries::from_scalars(head.exp_schoolbook().coeffs(), a.gens())
                .filter(RatSeries::unshifted)
            {
                return a.exp(b);
            }
        }
        let a = self.newton_input()?;
        let base = newton_steps(a.len(), NEWTON_BASE)[0];
        packed([a, self.head(base).exp_schoolbook().coeffs()]).and_then(|[a, b]| a.exp(b))
    }

    fn exp_schoolbook(&self) -> Series {
        let n = self.n();
        let mut g = vec![Scalar::zero(); n + 1];
        g[0] = Scalar::func("exp", &self.coeffs()[0])
            .unwrap_or_else(|_| Scalar::opaque("exp", &self.coeffs()[0]));
        let ja = scaled_by_index(self.coeffs());
        let mut dense = vec![Scalar::zero(); n + 1];
        for (j, a) in &ja {
            dense[*j] = a.clone();
        }
        if let Some(g) =
            Scalar::linear_recurrence(&dense, None, &g[0], &|k| Q::from_unsigneds(1u64, k as u64))
        {
            return Series::from_coeffs(g, self.exact && self.is_constant());
        }
        for k in 1..=n {
            if crate::limits::interrupted() {
                break;
            }
            g[k] = convolve_derivative(&ja, &g, k).scale(&Q::from_unsigneds(1u64, k as u64));
        }
        Series::from_coeffs(g, self.exact && self.is_constant())
    }

    /// log(a), when a₀ ≠ 0.
    pub fn log(&self) -> R<Series> {
        if self.coeff(0).is_zero() {
            return Err(SeriesError::NotAnalytic(
                "log of a quantity that vanishes at the point".into(),
            ));
        }
        let d = self
            .derivative()
            .div(&self.truncate_to(self.n().saturating_sub(1)))?;
        Ok(Series {
            exact: self.exact && self.is_constant(),
            ..d.integral(Scalar::func("log", &self.coeffs()[0])?, self.n())
        })
    }

    fn truncate_to(&self, n: usize) -> Series {
        self.clone().truncate(n)
    }

    /// (sin a, cos a) together: s′ = c·a′, c′ = −s·a′.
    pub fn sin_cos(&self) -> (Series, Series) {
        match self.sin_cos_packed(false) {
            Some((s, Some(c))) => (self.of_packed(s), self.of_packed(c)),
            _ => self.sin_cos_schoolbook(),
        }
    }

    /// sin a (computing and converting only it on the fast paths).
    pub fn sin(&self) -> Series {
        match self.sin_cos_packed(true) {
            Some((s, _)) => self.of_packed(s),
            None => self.sin_cos_schoolbook().0,
        }
    }

    /// cos a.
    pub fn cos(&self) -> Series {
        match self.sin_cos_packed(false) {
            Some((_, Some(c))) => self.of_packed(c),
            _ => self.sin_cos_schoolbook().1,
        }
    }

    /// A function of `self` computed on the fast path, as a series: exact when `self` is a
    /// constant polynomial.
    fn of_packed(&self, g: RatSeries) -> Series {
        Series::from_rational(g, self.exact && self.is_constant())
    }

    /// sin and cos of a series without constant term: over the rationals by the integer
    /// recurrences, or at high order by Newton iteration on exp(i·a)
    /// ([`RatSeries::sin_cos_newton`]); over generators at high order through t = tan(a/2):
    /// sin a = 2t/(1 + t²), cos a = (1 − t²)/(1 + t²). With `sine_only`, cos may be left out
    /// where it costs more.
    fn sin_cos_packed(&self, sine_only: bool) -> Option<(RatSeries, Option<RatSeries>)> {
        if let Some(a) = self.rational_recurrence_input() {
            if self.n() < SIN_RECURRENCE_MAX_ORDER {
                return a.sin_cos_basecase().map(|(s, c)| (s, Some(c)));
            }
            return a.sin_cos_newton(sine_only);
        }
        let a = self
            .newton_input()
            .filter(|_| self.n() >= SIN_NEWTON_MIN_ORDER)?;
        let base = newton_steps(a.len(), NEWTON_BASE)[0];
        let half = Q::from_signeds(1, 2);
        let half_series =
            Series::from_coeffs(a[..base].iter().map(|c| c.scale(&half)).collect(), false);
        let b = half_series.tan_like_schoolbook(1, "tan").ok()?;
        let [a, b] = packed([a, b.coeffs()])?;
        if sine_only {
            return Some((a.sin(b)?, None));
        }
        a.sin_cos(b).map(|(s, c)| (s, Some(c)))
    }

    fn sin_cos_schoolbook(&self) -> (Series, Series) {
        let n = self.n();
        let mut s = vec![Scalar::zero(); n + 1];
        let mut c = vec![Scalar::zero(); n + 1];
        // sin and cos are total: their exact values never fail.
        let a0 = &self.coeffs()[0];
        s[0] = Scalar::func("sin", a0).unwrap_or_else(|_| Scalar::opaque("sin", a0));
        c[0] = Scalar::func("cos", a0).unwrap_or_else(|_| Scalar::opaque("cos", a0));
        let ja = scaled_by_index(self.coeffs());
        for k in 1..=n {
            if crate::limits::interrupted() {
                break;
            }
            let ss = convolve_derivative(&ja, &c, k);
            let cc = convolve_derivative(&ja, &s, k);
            let inv = Q::from_unsigneds(1u64, k as u64);
            s[k] = ss.scale(&inv);
            c[k] = cc.scale(&inv).neg();
        }
        let exact = self.exact && self.is_constant();
        (Series::from_coeffs(s, exact), Series::from_coeffs(c, exact))
    }

    /// tanh(a) (`sign = −1`) or tan(a) (`sign = +1`): g′ = (1 ± g²)·a′.
    ///
    /// k·g_k = k·a_k ± Σⱼ j·a_j·(g²)_{k−j}; the products j·a_j are formed once, zero
    /// coefficients are skipped (odd inputs have half of them), and (g²)_m uses the
    /// symmetry of the square, so a step costs about k/2 + k/4 multiplications.
    pub fn tan_like(&self, sign: i64, name: &str) -> R<Series> {
        if let Some(a) = self.rational_recurrence_input() {
            let g = if self.n() < TAN_RECURRENCE_MAX_ORDER {
                a.tan_like_basecase(sign)
            } else {
                let base = newton_steps(a.len(), NEWTON_BASE)[0];
                (a.truncated(base).tan_like_basecase(sign)).and_then(|b| a.tan_like(sign, b))
            };
            if let Some(g) = g {
                return Ok(self.of_packed(g));
            }
        }
        if let Some(a) = self.newton_input() {
            let base = newton_steps(a.len(), NEWTON_BASE)[0];
            if let Some(g) = packed([a, self.head(base).tan_like_schoolbook(sign, name)?.coeffs()])
                .and_then(|[a, b]| a.tan_like(sign, b))
            {
                return Ok(self.of_packed(g));
            }
        }
        self.tan_like_schoolbook(sign, name)
    }

    fn tan_like_schoolbook(&self, sign: i64, name: &str) -> R<Series> {
        let n = self.n();
        let mut g = vec![Scalar::zero(); n + 1];
        let mut sq = vec![Scalar::zero(); n + 1]; // (g²)_m, filled as g is known
        g[0] = Scalar::func(name, &self.coeffs()[0])?;
        sq[0] = g[0].mul(&g[0]);
        let ja = scaled_by_index(self.coeffs());
        let sgn = Q::from(sign);
        for k in 1..=n {
            if crate::limits::interrupted() {
                break;
            }
            let mut s = convolve_derivative(&ja, &sq, k).scale(&sgn);
            if let Some((_, a)) = ja.iter().find(|(j, _)| *j == k) {
                s.add_assign(a);
            }
            g[k] = s.scale(&Q::from_unsigneds(1u64, k as u64));
            sq[k] = square_coefficient(&g, k);
        }
        Ok(Series::from_coeffs(g, self.exact && self.is_constant()))
    }

    /// atan(a): g′ = a′/(1 + a²).
    pub fn atan(&self) -> R<Series> {
        let g = match self.rational_recurrence_input() {
            Some(a) => a.atan(),
            None => (self.newton_input().and_then(|a| packed([a]))).and_then(|[a]| a.atan()),
        };
        if let Some(g) = g {
            return Ok(self.of_packed(g));
        }
        let one = Series::constant(Scalar::one(), self.n());
        let d = self.derivative().div(
            &one.add(&self.mul(self))
                .truncate_to(self.n().saturating_sub(1)),
        )?;
        Ok(Series {
            exact: self.exact && self.is_constant(),
            ..d.integral(Scalar::func("atan", &self.coeffs()[0])?, self.n())
        })
    }

    /// erf(a): g′ = (2/√π)·exp(−a²)·a′.
    pub fn erf(&self) -> R<Series> {
        let m = self.n().saturating_sub(1);
        let e = self.mul(self).neg().truncate_to(m).exp();
        let two_over_root_pi = Scalar::pi()
            .pow(&Q::from_signeds(-1, 2))?
            .scale(&Q::from(2));
        let d = e.mul(&self.derivative()).scale(&two_over_root_pi);
        Ok(Series {
            exact: self.exact && self.is_constant(),
            ..d.integral(Scalar::func("erf", &self.coeffs()[0])?, self.n())
        })
    }

    /// `outer(inner)`, where `outer` is a series in h and `inner` has no constant term (Horner).
    pub fn compose(outer: &Series, inner: &Series) -> R<Series> {
        if !inner.coeff(0).is_zero() {
            return Err(SeriesError::NotAnalytic(
                "composition needs an inner series without constant term".into(),
            ));
        }
        let n = inner.n();
        let inner_deg = inner.degree().unwrap_or(0);
        let exact = outer.exact && inner.exact && outer.degree().unwrap_or(0) * inner_deg <= n;
        if n >= FAST_PRODUCT_MIN_ORDER
            && let Some(c) = packed([outer.coeffs(), inner.head_to(n + 1)])
                .and_then(|[o, i]| RatSeries::compose(&o, &i))
        {
            return Ok(Series::from_rational(c, exact));
        }
        let mut out = Series::constant(outer.coeff(outer.n()), n);
        for k in (0..outer.n()).rev() {
            if crate::limits::interrupted() {
                break;
            }
            out = out.mul(inner).add(&Series::constant(outer.coeff(k), n));
        }
        out.exact = exact;
        Ok(out)
    }
}

/// Whether a constant term is 0: by its form, or decided by the exact sign test (σ(1) + σ(−1)
/// − 1, which a reciprocal or a fractional power must not take for a non-zero a₀). A constant
/// with a parameter is taken generic, as everywhere.
fn vanishes(a0: &Scalar) -> bool {
    a0.is_zero() || a0.is_constant_zero()
}

/// The error where a reciprocal or a fractional power needs a₀ ≠ 0 and a₀ is a constant of
/// function values that 8192-bit floats cannot tell from 0 (sin(4·atan(½) + 4·atan(⅓)), which
/// is sin(π); from a review, 1/(t + it) was "analytic" with c₀ ≈ 10⁷⁶): None where a₀'s sign
/// is decided, or a₀ is generic (a parameter in it).
fn undecided_zero(a0: &Scalar) -> Option<SeriesError> {
    (a0.has_opaque() && a0.params().is_empty() && crate::algebra::sign::sign(a0).is_none()).then(
        || match crate::limits::exhausted_reason() {
            // The sign test was cut short by the budget: that is the reason, not the constant.
            Some(why) => SeriesError::Limit(why.into()),
            None => SeriesError::NotAnalytic(
                "the value at the point is a constant that 8192-bit floats cannot tell from 0 (it is below their resolution of its terms), and no exact rule decides it: whether the function is analytic there is not decided".into(),
            )
        },
    )
}

/// The series of `lists` over one ring of generators ([`Gens::of`]), when their monomials pack
/// into it (unshifted: [`RatSeries::unshifted`]).
fn packed<const N: usize>(lists: [&[Scalar]; N]) -> Option<[RatSeries; N]> {
    packed_factors(lists).filter(|s| s.iter().all(RatSeries::unshifted))
}

/// [`packed`], with shifted series allowed: the factors of a product (`t/√2` is `√2·(t/2)`).
fn packed_factors<const N: usize>(lists: [&[Scalar]; N]) -> Option<[RatSeries; N]> {
    let gens = Gens::of(&lists)?;
    let series: Vec<RatSeries> = (lists.iter())
        .map(|l| RatSeries::from_scalars(l, &gens))
        .collect::<Option<_>>()?;
    series.try_into().ok()
}

/// The non-zero j·a_j for j ≥ 1, with their j (the derivative's coefficients, shifted).
fn scaled_by_index(a: &[Scalar]) -> Vec<(usize, Scalar)> {
    (1..a.len())
        .filter(|j| !a[*j].is_zero())
        .map(|j| (j, a[j].scale(&Q::from(j as u64))))
        .collect()
}

/// Σⱼ j·a_j·h_{k−j} over the known h₀…h_{k−1}: the right side of k·g_k in the ODE
/// recurrences g′ = a′·h (exp, sin/cos, tan/tanh).
fn convolve_derivative(ja: &[(usize, Scalar)], h: &[Scalar], k: usize) -> Scalar {
    Scalar::sum_of_products(
        ja.iter()
            .take_while(|(j, _)| *j <= k)
            .filter(|(j, _)| !h[k - j].is_zero())
            .map(|(j, a)| (a, &h[k - j])),
    )
}

/// (g²)_k = Σᵢ gᵢ·g_{k−i} from the known g₀…g_k, with each pair counted once.
fn square_coefficient(g: &[Scalar], k: usize) -> Scalar {
    let mut m = Scalar::sum_of_products(
        (0..k.div_ceil(2))
            .filter(|i| !g[*i].is_zero() && !g[k - i].is_zero())
            .map(|i| (&g[i], &g[k - i])),
    )
    .scale(&Q::from(2u32));
    if k % 2 == 0 && !g[k / 2].is_zero() {
        m.add_assign(&g[k / 2].mul(&g[k / 2]));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sin and cos of `a` by the fast path equal those of the recurrences.
    fn assert_sin_cos_agree(a: &Series, label: &str) {
        let (s, c) = a.sin_cos();
        let (s0, c0) = a.sin_cos_schoolbook();
        assert_eq!(
            (s.coeffs(), c.coeffs()),
            (s0.coeffs(), c0.coeffs()),
            "{label}"
        );
        // sin alone takes its own path at high order.
        assert_eq!(a.sin().coeffs(), s0.coeffs(), "sin alone, {label}");
        assert_eq!(a.cos().coeffs(), c0.coeffs(), "cos alone, {label}");
    }

    fn q(n: i64, d: i64) -> Scalar {
        Scalar::ratio(n, d)
    }

    fn t(n: usize) -> Series {
        Series::variable(Scalar::zero(), n)
    }

    /// A series to order 0 says nothing about t¹: log, atan and erf, computed as
    /// antiderivatives, once had a coefficient of t¹ (zero, and false) there.
    #[test]
    fn antiderivatives_to_order_0_stop_at_order_0() {
        let one = Series::constant(Scalar::one(), 0);
        let two = Series::constant(Scalar::from_q(Q::from(2)), 0);
        let cases = [
            t(0).add(&one).log().unwrap(),
            t(0).atan().unwrap(),
            t(0).add(&two).atan().unwrap(),
            t(0).erf().unwrap(),
        ];
        for s in &cases {
            assert_eq!(s.order(), 0, "{s:?}");
        }
        assert_eq!(cases[2].coeff(0), Scalar::func("atan", &q(2, 1)).unwrap());
        // At order 1 the t¹ coefficients are there: 1, 1, 1/5, 2/√π.
        let one = Series::constant(Scalar::one(), 1);
        assert_eq!(t(1).add(&one).log().unwrap().coeff(1), q(1, 1));
        assert_eq!(t(1).atan().unwrap().coeff(1), q(1, 1));
        let two = Series::constant(Scalar::from_q(Q::from(2)), 1);
        assert_eq!(t(1).add(&two).atan().unwrap().coeff(1), q(1, 5));
        assert_eq!(t(1).erf().unwrap().order(), 1);
    }

    /// A power whose constant term would pass the coefficient limit is an error at once, of
    /// either sign (12^(10¹⁴) squared on for ever before); one whose constant term is ±1 or zero
    /// stays exact whatever the exponent ((1 + t)^k = 1 + k·t + k(k − 1)/2·t² + …), and one
    /// just under the limit is computed ((t + ½)^300000: 2^−300000 at t⁰).
    #[test]
    fn huge_powers_are_refused_by_their_constant_term() {
        let huge = 345_678_901_234_567i64;
        let plus = |c: Scalar| t(3).add(&Series::constant(c, 3));
        let sqrt2 = Scalar::from_q(Q::from(2))
            .pow(&Q::from_signeds(1, 2))
            .unwrap();
        for base in [
            Series::constant(Scalar::from_q(Q::from(12)), 3),
            plus(Scalar::from_q(Q::from_signeds(1, 3))),
            plus(sqrt2.clone()),
            plus(Scalar::one().add(&sqrt2)),
        ] {
            for k in [huge, -huge, 1 << 21] {
                assert!(
                    matches!(base.powi(k), Err(SeriesError::Scalar(_))),
                    "{base:?}^{k}"
                );
            }
        }
        let k = Q::from(huge);
        let binomial = plus(Scalar::one()).powi(huge).unwrap();
        assert_eq!(binomial.coeff(1), Scalar::from_q(k.clone()));
        assert_eq!(
            binomial.coeff(2),
            Scalar::from_q(&k * (&k - Q::from(1)) / Q::from(2))
        );
        assert_eq!(t(3).powi(huge).unwrap().coeff(3), Scalar::zero());
        let half = plus(Scalar::from_q(Q::from_signeds(1, 2)))
            .powi(300_000)
            .unwrap();
        assert_eq!(
            half.coeff(0),
            Scalar::from_q(malachite_base::num::arithmetic::traits::Pow::pow(
                Q::from_signeds(1, 2),
                300_000u64
            ))
        );
    }

    /// A constant factor scales the other series (`times_constant`): its coefficients and its
    /// exactness are those of the Cauchy product, whichever side the constant is on, and a
    /// power by squaring equals the repeated product.
    #[test]
    fn constant_factors_and_powers_equal_the_cauchy_products() {
        let lambda = Scalar::param(crate::syntax::Name::new("λ", ""));
        let general = Series::from_coeffs(
            vec![
                Scalar::one(),
                Scalar::pi(),
                Scalar::zero(),
                lambda.clone(),
                q(-3, 7),
            ],
            false,
        );
        let polynomial = Series::from_coeffs(vec![q(1, 2), lambda.clone(), Scalar::zero()], true);
        let constants = [
            Scalar::one(),
            q(-1, 1),
            q(1, 2),
            Scalar::zero(),
            lambda.mul(&Scalar::pi()),
        ];
        for a in [&general, &polynomial] {
            for c in &constants {
                for (order, exact) in [(6, true), (2, true), (4, false)] {
                    let k = Series::from_coeffs(
                        std::iter::once(c.clone())
                            .chain(std::iter::repeat_n(Scalar::zero(), order))
                            .collect(),
                        exact,
                    );
                    let n = k.n().min(a.n());
                    let expected = k.mul_schoolbook(a, n, k.mul(a).exact);
                    let exact_by_hand = exact && (c.is_zero() || a.exact);
                    for product in [k.mul(a), a.mul(&k)] {
                        assert_eq!(product, expected, "{c:?}·{a:?}, order {order}");
                        assert_eq!(product.exact, exact_by_hand, "{c:?}·{a:?}, {exact}");
                    }
                }
            }
            // A product's first step moves its factor where `1·a` would copy it: the same series
            // (`==` compares exactness too), whether the order cuts it or not; a series left over
            // one denominator (exp t at order 40) too.
            for subject in [
                a.clone(),
                a.mul(&Series::constant(q(1, 3), a.n())),
                t(40).exp(),
            ] {
                for order in [0, 1, 2, 4, 6, 9, 39, 40, 41] {
                    let expected = Series::constant(Scalar::one(), order).mul(&subject);
                    let moved = subject.clone().times_one(order);
                    assert_eq!(moved, expected, "1·{subject:?} to order {order}");
                }
            }
            let square = a.mul(a);
            assert_eq!(a.powi(0).unwrap(), Series::constant(Scalar::one(), a.n()));
            assert_eq!(a.powi(1).unwrap(), *a);
            assert_eq!(a.powi(2).unwrap(), square);
            assert_eq!(a.powi(5).unwrap(), square.mul(&square).mul(a));
            assert_eq!(a.powi(-1).unwrap(), a.recip().unwrap());
            assert_eq!(a.powi(-3).unwrap(), a.recip().unwrap().powi(3).unwrap());
        }
    }

    #[test]
    fn exp_is_one_over_factorial() {
        let e = t(6).exp();
        let mut f = 1i64;
        for k in 0..=6 {
            if k > 0 {
                f *= k as i64;
            }
            assert_eq!(e.coeff(k), q(1, f));
        }
    }

    #[test]
    fn tanh_matches_its_known_series() {
        // tanh t = t − t³/3 + 2t⁵/15 − 17t⁷/315 (independent closed form, Bernoulli numbers)
        let th = t(7).tan_like(-1, "tanh").unwrap();
        assert_eq!(
            th.coeffs(),
            &[
                q(0, 1),
                q(1, 1),
                q(0, 1),
                q(-1, 3),
                q(0, 1),
                q(2, 15),
                q(0, 1),
                q(-17, 315)
            ]
        );
    }

    #[test]
    fn sqrt_of_one_plus_t() {
        let s = t(3)
            .add(&Series::constant(Scalar::one(), 3))
            .powq(&Q::from_signeds(1, 2))
            .unwrap();
        assert_eq!(s.coeffs(), &[q(1, 1), q(1, 2), q(-1, 8), q(1, 16)]);
        assert!(t(3).powq(&Q::from_signeds(1, 2)).is_err());
    }

    #[test]
    fn polynomials_are_exact_and_transcendentals_are_not() {
        let p = t(3).mul(&t(3)).add(&t(3));
        assert!(p.is_exact());
        assert!(!t(3).exp().is_exact());
        assert!(!t(2).mul(&t(2)).mul(&t(2)).is_exact());
    }

    #[test]
    fn log_inverts_exp() {
        let one_plus = t(5).add(&Series::constant(Scalar::one(), 5));
        let l = one_plus.log().unwrap();
        assert_eq!(
            l.coeffs(),
            &[q(0, 1), q(1, 1), q(-1, 2), q(1, 3), q(-1, 4), q(1, 5)]
        );
        assert_eq!(
            l.exp(),
            Series::from_coeffs(one_plus.coeffs().to_vec(), false)
        );
    }

    use crate::series::Rng;

    impl Rng {
        /// A rational series to order n: zero, odd, or dense; signs mixed; constant term `c0`.
        fn series(&mut self, n: usize, c0: Scalar) -> Series {
            let shape = self.next() % 4;
            let mut coeffs = vec![c0];
            for k in 1..=n {
                let skip = match shape {
                    0 => true,
                    1 => k % 2 == 0,
                    _ => self.next() % 5 == 0,
                };
                coeffs.push(if skip {
                    Scalar::zero()
                } else {
                    let num = (self.next() % 2001) as i64 - 1000;
                    let den = 1 + (self.next() % 97) as i64;
                    q(num, den)
                });
            }
            Series::from_coeffs(coeffs, false)
        }
    }

    /// Orders around the crossovers and well past them.
    const ORDERS: [usize; 10] = [12, 31, 32, 33, 39, 40, 41, 63, 64, 101];

    #[test]
    fn fast_products_equal_schoolbook_products() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for (i, &n) in ORDERS.iter().cycle().take(40).enumerate() {
            let a = rng.series(n, q(i as i64 % 3 - 1, 1 + i as i64 % 4));
            let b = rng.series(n + i % 3, q(i as i64 % 2, 3));
            let slow = a.mul_schoolbook(&b, n, false);
            assert_eq!(a.mul(&b).coeffs(), slow.coeffs(), "order {n}");
            assert_eq!(a.mul(&a).coeffs(), a.mul_schoolbook(&a, n, false).coeffs());
            // Composition against Horner's rule on schoolbook products.
            let inner = rng.series(n, Scalar::zero());
            let mut horner = Series::constant(Scalar::zero(), n);
            for k in (0..=a.order()).rev() {
                horner = horner
                    .mul_schoolbook(&inner, n, false)
                    .add(&Series::constant(a.coeff(k), n));
            }
            let fast = Series::compose(&a, &inner).unwrap();
            assert_eq!(fast.coeffs(), horner.coeffs(), "compose, order {n}");
        }
    }

    #[test]
    fn newton_iterations_equal_the_recurrences() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for (i, &n) in ORDERS.iter().cycle().take(30).enumerate() {
            let a = rng.series(n, Scalar::zero());
            assert_eq!(
                a.exp().coeffs(),
                a.exp_schoolbook().coeffs(),
                "exp, order {n}"
            );
            for (sign, name) in [(-1, "tanh"), (1, "tan")] {
                assert_eq!(
                    a.tan_like(sign, name).unwrap().coeffs(),
                    a.tan_like_schoolbook(sign, name).unwrap().coeffs(),
                    "{name}, order {n}"
                );
            }
            assert_sin_cos_agree(&a, &format!("order {n}"));
            // Short series, by the basecase (`series` makes some of them odd, as sin composed is).
            let short = rng.series(i % 12, Scalar::zero());
            assert_sin_cos_agree(&short, &format!("order {}", i % 12));
            // atan inverts tan (computed by its recurrence).
            let at = a.atan().unwrap();
            assert_eq!(
                at.tan_like_schoolbook(1, "tan").unwrap().coeffs(),
                a.coeffs()
            );
            let b = rng.series(n, q(1 + i as i64 % 5, 2 - i as i64 % 3 * 3));
            let inv0 = b.coeff(0).inverse().unwrap();
            assert_eq!(
                b.recip().unwrap().coeffs(),
                b.recip_schoolbook(inv0, false).coeffs(),
                "recip, order {n}"
            );
        }
    }

    /// Past the integer recurrences' orders, Newton iteration (started from them for
    /// reciprocals) against the recurrences on the scalar ring.
    #[test]
    fn newton_iterations_past_the_integer_recurrences_equal_them() {
        let mut rng = Rng(0xd1b5_4a32_d192_ed03);
        for n in [SIN_RECURRENCE_MAX_ORDER, 200] {
            let a = loop {
                let a = rng.series(n, Scalar::zero());
                if !a.coeff(1).is_zero() {
                    break a;
                }
            };
            assert_eq!(a.exp().coeffs(), a.exp_schoolbook().coeffs(), "exp {n}");
            assert_eq!(
                a.tan_like(-1, "tanh").unwrap().coeffs(),
                a.tan_like_schoolbook(-1, "tanh").unwrap().coeffs(),
                "tanh {n}"
            );
            assert_sin_cos_agree(&a, &format!("order {n}"));
            // atan and log divide by a reciprocal to half length and one more step: their
            // derivatives times the divisors are the numerators, by schoolbook products.
            let one = Series::constant(Scalar::one(), n);
            let w = one.add(&a.mul_schoolbook(&a, n, false));
            let d_atan = a.atan().unwrap().derivative();
            let da = a.derivative();
            assert_eq!(d_atan.mul_schoolbook(&w, n - 1, false), da, "atan {n}");
            let one_plus = one.add(&a);
            let d_log = one_plus.log().unwrap().derivative();
            assert_eq!(d_log.mul_schoolbook(&one_plus, n - 1, false), da, "log {n}");
            let b = rng.series(n, q(3, 2));
            let inv0 = b.coeff(0).inverse().unwrap();
            assert_eq!(
                b.recip().unwrap().coeffs(),
                b.recip_schoolbook(inv0, false).coeffs(),
                "recip {n}"
            );
        }
    }

    /// Monomials for series whose coefficients are polynomials in constants.
    fn palettes() -> Vec<Vec<Scalar>> {
        let half = Q::from_signeds(1, 2);
        let root = |p: i64| Scalar::from_int(p).pow(&half).unwrap();
        // gelu's c = 1/√(2π) and its powers; the same times √2 (a shifted rider).
        let c = Scalar::pi()
            .scale(&Q::from(2))
            .pow(&Q::from_signeds(-1, 2))
            .unwrap();
        let powers = |base: &Scalar| {
            (0..4)
                .scan(Scalar::one(), |p, _| {
                    let out = p.clone();
                    *p = p.mul(base);
                    Some(out)
                })
                .collect::<Vec<_>>()
        };
        let gelu = powers(&c);
        let shifted = gelu.iter().map(|m| m.mul(&root(2))).collect();
        let free = vec![
            Scalar::one(),
            Scalar::pi(),
            Scalar::param(crate::syntax::Name::new("λ", "")),
            Scalar::func("tanh", &Scalar::ratio(1, 2))
                .unwrap()
                .mul(&Scalar::pi()),
        ];
        // √3 rides on π (its exponent follows π's degree); √2 is a generator of its own.
        let primes = vec![Scalar::one(), root(2), root(3).mul(&Scalar::pi())];
        let laurent = vec![Scalar::one(), Scalar::pi(), Scalar::pi().inverse().unwrap()];
        // ∛2 rides on π with cubes folding (∛2³ = 2); times ∛4 the series is shifted by two
        // thirds, and a product of two such shifts past a whole power.
        let cube = Scalar::from_int(2).pow(&Q::from_signeds(1, 3)).unwrap();
        let cubic: Vec<Scalar> = powers(&cube.mul(&Scalar::pi()))
            .into_iter()
            .map(|m| m.mul(&cube).mul(&cube))
            .collect();
        vec![gelu, shifted, free, primes, laurent, cubic]
    }

    impl Rng {
        /// A series to order n whose coefficients are sums of one or two rational multiples of
        /// the palette's monomials.
        fn symbolic(&mut self, n: usize, c0: Scalar, palette: &[Scalar]) -> Series {
            let rational = self.series(n, c0);
            let coeffs = (rational.coeffs().iter().enumerate())
                .map(|(k, r)| {
                    if k == 0 || r.is_zero() {
                        return r.clone();
                    }
                    let mut c = r.mul(&palette[self.next() as usize % palette.len()]);
                    if self.next() % 3 == 0 {
                        c.add_assign(&palette[self.next() as usize % palette.len()]);
                    }
                    c
                })
                .collect();
            Series::from_coeffs(coeffs, false)
        }
    }

    #[test]
    fn series_over_constants_equal_the_recurrences() {
        // Coefficients in Q[c] (c = 1/√(2π)), √2·Q[c], Q[π, λ, tanh(½)], Q(√2)[√3·π],
        // Laurent polynomials in π (which the packed ring declines) and ∛4·Q[∛2·π]: every fast
        // path against the recurrences on the scalar ring.
        let mut rng = Rng(0x5851_f42d_4c95_7f2d);
        let palettes = palettes();
        for (i, &n) in [33, 41, 64].iter().cycle().take(6).enumerate() {
            let palette = &palettes[i % palettes.len()];
            let a = rng.symbolic(n, Scalar::zero(), palette);
            let b = rng.symbolic(n, q(1 + i as i64 % 3, 2), palette);
            // The fast paths are taken for all but the Laurent palette (b's rational constant
            // and √2·Q[c] do not share a shift: b alone does not pack there).
            if i % palettes.len() != 4 {
                assert!(packed_factors([a.coeffs()]).is_some(), "{i}");
            }
            assert_eq!(
                a.mul(&b).coeffs(),
                a.mul_schoolbook(&b, n, false).coeffs(),
                "mul {i}"
            );
            assert_eq!(
                a.mul(&a).coeffs(),
                a.mul_schoolbook(&a, n, false).coeffs(),
                "square {i}"
            );
            assert_eq!(a.exp().coeffs(), a.exp_schoolbook().coeffs(), "exp {i}");
            assert_eq!(
                a.tan_like(-1, "tanh").unwrap().coeffs(),
                a.tan_like_schoolbook(-1, "tanh").unwrap().coeffs(),
                "tanh {i}"
            );
            let inv0 = b.coeff(0).inverse().unwrap();
            assert_eq!(
                b.recip().unwrap().coeffs(),
                b.recip_schoolbook(inv0, false).coeffs(),
                "recip {i}"
            );
            assert_sin_cos_agree(&a, &format!("sin {i}"));
            let short = rng.symbolic(n / 4, Scalar::one(), palette);
            let mut horner = Series::constant(Scalar::zero(), n);
            for k in (0..=short.order()).rev() {
                horner = horner
                    .mul_schoolbook(&a, n, false)
                    .add(&Series::constant(short.coeff(k), n));
            }
            assert_eq!(
                Series::compose(&short, &a).unwrap().coeffs(),
                horner.coeffs(),
                "compose {i}"
            );
        }
    }

    #[test]
    fn constants_pack_into_generators() {
        // gelu's coefficients: one generator c = 1/√(2π), the prime riding on π.
        let p = palettes();
        let gens = Gens::of(&[&p[0], &p[1]]).unwrap();
        let [a, b] = packed_factors([&p[0], &p[1]]).unwrap();
        assert_eq!(Gens::of(&[&p[0]]), Some(gens.clone()));
        assert!(a.unshifted() && !b.unshifted());
        assert_eq!(a.to_scalars(), p[0]);
        assert_eq!(b.to_scalars(), p[1]);
        // The product of two shifted series is unshifted: √2·√2 = 2.
        let bb = b.mul(&b, 4).unwrap();
        assert!(bb.unshifted());
        assert_eq!(
            bb.to_scalars(),
            Series::from_coeffs(p[1].clone(), false)
                .mul_schoolbook(&Series::from_coeffs(p[1].clone(), false), 3, false)
                .coeffs()
        );
        // Laurent polynomials and more than three free atoms decline.
        assert!(Gens::of(&[&p[4]]).is_none());
        let four: Vec<Scalar> = ["α", "β", "γ", "δ"]
            .iter()
            .map(|n| Scalar::param(crate::syntax::Name::new(n, "")))
            .collect();
        assert!(Gens::of(&[&four]).is_none());
    }

    /// A fast path's rational result stays over its common denominator until its coefficients
    /// are asked for: the queries on it answer as on the coefficients, and the next function
    /// of a chain, taking it as it is, gives what it gives on the converted coefficients.
    /// The series with the same coefficients, converted to scalars.
    fn converted(s: &Series) -> Series {
        Series::from_coeffs(s.clone().coeffs().to_vec(), s.exact)
    }

    /// The queries on a series left packed answer as on its converted coefficients, and convert
    /// nothing (a bound on the bits decides where it can; [`Series::bits_within`]).
    fn assert_queries_agree(lazy: &Series, label: &str) {
        assert!(lazy.unconverted().is_some(), "{label}");
        let eager = converted(lazy);
        let n = eager.n();
        let queries = |s: &Series| {
            (
                (0..=n + 1).map(|k| s.coeff(k)).collect::<Vec<_>>(),
                (s.degree(), s.valuation(), s.is_constant(), s.term_count()),
            )
        };
        assert_eq!(queries(lazy), queries(&eager), "{label}");
        assert!(
            lazy.unconverted().is_some(),
            "{label}: the queries convert nothing"
        );
        let bits = (eager.coeffs().iter().map(|c| c.max_bits()).max()).unwrap_or(0);
        for limit in [0, bits.saturating_sub(1), bits, bits + 1] {
            assert_eq!(
                lazy.bits_within(limit),
                bits <= limit,
                "{label}, {limit} bits"
            );
        }
    }

    #[test]
    fn series_left_over_one_denominator_answer_as_their_coefficients() {
        for n in [9, 50, 150, 200] {
            // An odd series (zero at every even power) and one without symmetry.
            let odd = t(n).sin().tan_like(-1, "tanh").unwrap();
            let general = (converted(&odd).add(&t(n).mul(&t(n)))).atan().unwrap();
            for (s, name) in [(&odd, "odd"), (&general, "general")] {
                let label = format!("{name}, order {n}");
                assert_queries_agree(s, &label);
                let chain = |s: &Series| {
                    let e = s.atan().unwrap().sin().exp();
                    e.mul(&e).recip().unwrap()
                };
                let lazy = chain(s);
                assert_queries_agree(&lazy, &label);
                assert_eq!(lazy, converted(&chain(&converted(s))), "{label}");
            }
        }
    }

    /// A product over generators stays packed; every operation on it (sums, negation, scaling,
    /// derivative, antiderivative, truncation, products with packed and unpacked factors, exp,
    /// the reciprocal) gives what it gives on the converted coefficients.
    #[test]
    fn series_left_over_generators_compute_as_their_coefficients() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let palettes = palettes();
        for (i, &n) in [33, 41, 64].iter().cycle().take(10).enumerate() {
            let palette = &palettes[i % palettes.len()];
            if i % palettes.len() == 4 {
                continue; // Laurent polynomials do not pack
            }
            let a = rng.symbolic(n, Scalar::zero(), palette);
            let b = rng.symbolic(n, q(1 + i as i64 % 3, 2), palette);
            let label = format!("palette {}, order {n}", i % palettes.len());
            let lazy = a.mul(&b);
            let square = a.mul(&a);
            if lazy.unconverted().is_none() || square.unconverted().is_none() {
                continue; // b's constant does not share a's shift (√2·Q[c])
            }
            let constant = palette[1 + i % (palette.len() - 1)].clone();
            // Operations on packed series leave them packed, and their results answer as their
            // coefficients (before the checks below, some of which convert `lazy`).
            let combined = lazy.add(&lazy.neg().scale(&constant)).derivative();
            assert_queries_agree(&combined, &label);
            assert_queries_agree(&lazy, &label);
            let (eager, eager_square) = (converted(&lazy), converted(&square));
            // Fresh packed operands for every operation: `lazy` itself was converted above.
            let packed_pair = || {
                let (x, y) = (a.mul(&b), a.mul(&a));
                assert!(x.unconverted().is_some() && y.unconverted().is_some());
                (x, y)
            };
            type Op = fn(&Series, &Series, &Series, &Scalar) -> Series;
            let ops: [(&str, Op); 14] = [
                ("neg", |x, _, _, _| x.neg()),
                ("sum", |x, y, _, _| x.add(y)),
                ("sum with unpacked", |x, _, b, _| x.add(b)),
                ("unpacked sum", |x, _, b, _| b.add(x)),
                ("scaled by ⅔", |x, _, _, _| x.scale(&Scalar::ratio(2, 3))),
                ("scaled by a constant", |x, _, _, c| x.scale(c)),
                ("derivative", |x, _, _, _| x.derivative()),
                ("antiderivative", |x, _, _, _| {
                    x.integral(Scalar::zero(), x.n())
                }),
                ("short antiderivative", |x, _, _, _| {
                    x.integral(Scalar::zero(), 5)
                }),
                ("truncated", |x, _, _, _| x.clone().truncate(x.n() / 2)),
                ("product", |x, y, _, _| x.mul(y)),
                ("product with unpacked", |x, _, b, _| {
                    x.mul(b).add(&b.mul(x))
                }),
                ("exp", |_, y, _, _| y.exp()),
                ("reciprocal", |x, _, b, _| b.add(x).recip().unwrap()),
            ];
            for (name, op) in ops {
                let (x, y) = packed_pair();
                assert_eq!(
                    op(&x, &y, &b, &constant),
                    op(&eager, &eager_square, &b, &constant),
                    "{name}, {label}"
                );
            }
            if n >= NEWTON_MIN_ORDER {
                assert_queries_agree(&packed_pair().1.exp(), &label);
            }
        }
        // A rider's rational factor counts in the bound on the bits: (√3·π)⁶ = 27·π⁶ is packed
        // as the numerator 1 over 1.
        let root3_pi = palettes[3][2].clone();
        let powers: Vec<Scalar> = (0..7)
            .scan(Scalar::one(), |p, _| {
                let out = p.clone();
                *p = p.mul(&root3_pi);
                Some(out)
            })
            .collect();
        let [riding] = packed([&powers]).unwrap();
        let riding = Series::from_rational(riding, false);
        assert!(riding.bits_within(6) && !riding.bits_within(5));
    }

    /// Series whose terms t^k·c^d all have one parity of k + d (gelu composed, c = 1/√(2π)) are
    /// multiplied on half the slots; the products equal the term-by-term ones, for factors of
    /// either parity and for factors without one.
    #[test]
    fn jointly_odd_and_even_series_multiply_as_term_by_term() {
        let c = palettes()[0][1].clone();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut jointly = |n: usize, parity: usize, broken: bool| {
            let coeffs = (0..=n)
                .map(|k| {
                    let mut sum = Scalar::zero();
                    let mut power = Scalar::one();
                    for d in 0..=k.min(6) {
                        let r = rng.next() % 7;
                        if (k + d) % 2 == parity && r > 1 || broken && k == 7 && d == 2 {
                            let coefficient = Scalar::ratio(r as i64 + 1, 1 + (k as i64) % 5);
                            sum.add_assign(&coefficient.mul(&power));
                        }
                        power = power.mul(&c);
                    }
                    sum
                })
                .collect();
            Series::from_coeffs(coeffs, false)
        };
        for n in [32, 41, 64] {
            let odd = jointly(n, 1, false);
            let even = jointly(n, 0, false);
            let neither = jointly(n, 0, true);
            let [po, pe, pn] = packed([odd.coeffs(), even.coeffs(), neither.coeffs()]).unwrap();
            assert_eq!((po.joint_parity(), pe.joint_parity()), (Some(1), Some(0)));
            assert_eq!(pn.joint_parity(), None);
            for (x, y, label) in [
                (&odd, &odd, "odd·odd"),
                (&odd, &even, "odd·even"),
                (&even, &even, "even·even"),
                (&odd, &neither, "odd·neither"),
            ] {
                assert_eq!(
                    x.mul(y).coeffs(),
                    x.mul_schoolbook(y, n, false).coeffs(),
                    "{label}, order {n}"
                );
            }
            assert_eq!(
                odd.mul(&odd).coeffs(),
                odd.mul_schoolbook(&odd, n, false).coeffs()
            );
        }
    }

    #[test]
    fn fast_paths_keep_the_closed_forms() {
        // tanh at order 40 against the Bernoulli numbers: coefficient 2k−1 is
        // 2^(2k)(2^(2k) − 1)B_(2k)/(2k)!; B₂₀ = −174611/330, so t¹⁹ has −(2^20(2^20−1)·174611/330)/20!.
        let th = t(40).tan_like(-1, "tanh").unwrap();
        assert_eq!(th.coeff(19), q(-443_861_162, 1_856_156_927_625));
        assert_eq!(th.coeff(20), q(0, 1));
        // exp at order 60: 1/k!.
        let e = t(60).exp();
        let f20: i64 = (1..=20).product();
        assert_eq!(e.coeff(20), q(1, f20));
        // sin and cos at order 70.
        let (s, c) = t(70).sin_cos();
        let f13: i64 = (1..=13).product();
        assert_eq!(s.coeff(13), q(1, f13));
        assert_eq!(c.coeff(14), q(-1, f13 * 14));
    }

    /// The mean time of `runs` calls of `f`, for the ignored benchmarks below.
    fn mean_seconds(runs: u32, f: &dyn Fn()) -> f64 {
        let start = std::time::Instant::now();
        for _ in 0..runs {
            f();
        }
        start.elapsed().as_secs_f64() / f64::from(runs)
    }

    /// The crossovers of FAST_PRODUCT_MIN_ORDER, NEWTON_MIN_ORDER and the integer recurrences
    /// (`*_RECURRENCE_MAX_ORDER`): the paths against each other on the
    /// series of tanh∘tanh∘tanh (odd, rational, coefficients of realistic size).
    /// `cargo test --release --lib crossover -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn crossover() {
        let time = |f: &dyn Fn()| mean_seconds(20, f) * 1e6;
        for n in [8, 12, 16, 20, 24, 32, 48, 64, 96, 128, 192] {
            let a = t(n).tan_like_schoolbook(-1, "tanh").unwrap();
            let a = a.tan_like_schoolbook(-1, "tanh").unwrap();
            let a = a.tan_like_schoolbook(-1, "tanh").unwrap();
            let b = a.add(&Series::constant(Scalar::one(), n));
            let inv0 = Scalar::one();
            println!(
                "order {n}: mul {:.0}/{:.0} µs, recip {:.0}/{:.0}, tanh {:.0}/{:.0}, exp {:.0}/{:.0}, sin {:.0}/{:.0} (schoolbook/fast)",
                time(&|| drop(b.mul_schoolbook(&b, n, false))),
                time(&|| {
                    let [r] = packed([b.coeffs()]).unwrap();
                    drop(r.mul(&r, n + 1).unwrap().to_scalars())
                }),
                time(&|| drop(b.recip_schoolbook(inv0.clone(), false))),
                time(&|| drop(
                    packed([b.coeffs()]).unwrap()[0]
                        .recip(n + 1)
                        .unwrap()
                        .to_scalars()
                )),
                time(&|| drop(a.tan_like_schoolbook(-1, "tanh"))),
                time(&|| drop(a.tan_like(-1, "tanh"))),
                time(&|| drop(a.exp_schoolbook())),
                time(&|| drop(a.exp())),
                time(&|| drop(a.sin_cos_schoolbook())),
                time(&|| drop(a.sin_cos())),
            );
            let [r] = packed([a.coeffs()]).unwrap();
            println!(
                "    by the integer recurrences: tanh {:.0} µs, exp {:.0}, sin {:.0}",
                time(&|| drop(r.tan_like_basecase(-1).unwrap().to_scalars())),
                time(&|| drop(r.exp_basecase().unwrap().to_scalars())),
                time(&|| {
                    let (s, c) = r.sin_cos_basecase().unwrap();
                    drop((s.to_scalars(), c.to_scalars()))
                })
            );
        }
    }

    /// The parts of sin at high order, on sin∘4 at order 500 (or `PARTS_ORDER`), to set against
    /// FLINT's (`fmpq_series` at order 500: sin 34 ms, atan 28, tan 30, a product 5.8,
    /// 1/(1 + a) 14.5, exp 17 on the same input; at order 200: 4.0, 2.9, 3.5, 0.6, 1.4, 2.0).
    /// `PARTS_ORDER=200 cargo test --release --lib high_order_parts -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn high_order_parts() {
        let time = |f: &dyn Fn()| (0..5).map(|_| mean_seconds(3, f)).fold(f64::MAX, f64::min) * 1e3;
        let n: usize = (std::env::var("PARTS_ORDER").ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(500);
        let mut a = t(n);
        for _ in 0..4 {
            a = a.sin();
        }
        let [r, one_plus] = packed([
            a.coeffs(),
            a.add(&Series::constant(Scalar::one(), n)).coeffs(),
        ])
        .unwrap();
        println!(
            "order {n}: sin {:.2} ms, atan {:.2}, tan {:.2}, product {:.2}, 1/(1 + a) {:.2}, exp {:.2}",
            time(&|| drop(a.sin())),
            time(&|| drop(a.atan())),
            time(&|| drop(a.tan_like(1, "tan"))),
            time(&|| drop(r.mul(&r, n + 1))),
            time(&|| drop(one_plus.recip(n + 1))),
            time(&|| drop(a.exp())),
        );
    }

    #[test]
    fn operations_stop_when_the_active_budget_is_spent() {
        // A deadline already past: products and recurrences return early (the caller that
        // entered the budget reports the limit), instead of running to the end.
        let a = t(12).add(&Series::constant(Scalar::one(), 12));
        let full = a.mul(&a);
        assert!(!full.coeff(2).is_zero());
        let spent = crate::limits::Budget {
            deadline: Some(std::time::Instant::now()),
            ..Default::default()
        };
        let _active = spent.enter();
        assert!(crate::limits::interrupted());
        assert!(a.mul(&a).coeffs().iter().all(|c| c.is_zero()));
        assert!(t(12).tan_like(-1, "tanh").unwrap().coeff(1).is_zero());
    }
}
