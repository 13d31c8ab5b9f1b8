//! Exact values in floating point: what numeric checks and reports need of a [`Scalar`].
//!
//! The evaluation itself is `algebra::sign::approx`, shared with the exact sign
//! decisions; these methods are its numeric face, kept out of the algebra's API.

use crate::algebra::Scalar;
use crate::float::Real;
use crate::syntax::Name;

impl Scalar {
    /// A floating-point value, for display and numeric checks only. `param` gives parameter
    /// values. Its leading digits are right however far the terms cancel: wider floats take
    /// over where `f64` alone could not tell them (`algebra::sign::approx_display`).
    pub fn to_f64(&self, param: &dyn Fn(&Name) -> Option<f64>) -> Option<f64> {
        crate::algebra::sign::approx_display(self, param)
    }

    /// The value for display: an `f64`, or a mantissa and a power of ten beyond its range
    /// (`algebra::sign::approx_shown`).
    pub(crate) fn to_shown(
        &self,
        param: &dyn Fn(&Name) -> Option<f64>,
    ) -> Option<crate::algebra::sign::Approx> {
        crate::algebra::sign::approx_shown(self, param)
    }

    /// The numeric value in any [`Real`] type (`None` when a parameter has no value).
    pub fn to_real<R: Real>(&self, param: &dyn Fn(&Name) -> Option<R>) -> Option<R> {
        crate::algebra::sign::approx(self, param)
    }
}
