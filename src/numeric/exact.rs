//! Exact values in floating point: what numeric checks and reports need of a [`Scalar`].
//!
//! The evaluation itself is `algebra::sign::approx`, shared with the exact sign
//! decisions; these methods are its numeric face, kept out of the algebra's API.

use crate::algebra::Scalar;
use crate::float::Real;
use crate::syntax::Name;

impl Scalar {
    /// A floating-point value, for display and numeric checks only. `param` gives parameter values.
    pub fn to_f64(&self, param: &dyn Fn(&Name) -> Option<f64>) -> Option<f64> {
        self.to_real::<f64>(param)
    }

    /// The numeric value in any [`Real`] type (`None` when a parameter has no value).
    pub fn to_real<R: Real>(&self, param: &dyn Fn(&Name) -> Option<R>) -> Option<R> {
        crate::algebra::sign::approx(self, param)
    }
}
