//! Number formatting the model stage and its reports share: six significant digits, short
//! exact forms, square roots of rationals.

use crate::algebra::Q;

/// Exact forms up to this many characters are printed as they are; longer ones are rounded.
const SHORT: usize = 12;

/// A float to six significant digits, without trailing zeros.
pub(crate) fn sig6(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if (1e-3..1e6).contains(&a) {
        let decimals = (5 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        if s == "-0" { "0".into() } else { s }
    } else {
        let s = format!("{x:.5e}");
        match s.split_once('e') {
            Some((m, e)) => {
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                format!("{m}e{e}")
            }
            None => s,
        }
    }
}

/// The exact form of a rational when short (`-3/4`), else `None`.
pub(crate) fn short_exact(q: &Q) -> Option<String> {
    let s = q.to_string();
    (s.len() <= SHORT).then_some(s)
}

/// The f64 nearest to `q`, for six-digit text and JSON numbers.
pub(crate) fn q_f64(q: &Q) -> f64 {
    crate::float::q_to_f64(q)
}

/// A vector or matrix literal on one line (at most `most` entries).
pub(crate) fn tensor_inline(t: &super::Tensor, most: usize) -> String {
    let cell = |q: &Q| short_exact(q).unwrap_or_else(|| sig6(q_f64(q)));
    let row = |r: &[Q]| {
        let mut v: Vec<String> = r.iter().take(most).map(cell).collect();
        if r.len() > most {
            v.push("…".into());
        }
        format!("[{}]", v.join(", "))
    };
    match t.cols {
        None => row(&t.data),
        Some(c) => {
            let mut rows: Vec<String> = t.data.chunks(c.max(1)).take(most).map(row).collect();
            if t.rows > most {
                rows.push("…".into());
            }
            format!("[{}]", rows.join(", "))
        }
    }
}

/// `7/40 ≈ 0.175`, or the rounded value alone when the exact form is long.
pub(crate) fn q_text(q: &Q) -> String {
    match short_exact(q) {
        Some(s) if s.contains('/') => format!("{s} ≈ {}", sig6(q_f64(q))),
        Some(s) => s,
        None => format!("≈ {}", sig6(q_f64(q))),
    }
}

/// `√(9/800) ≈ 0.106`: a square root of an exact rational.
pub(crate) fn sqrt_text(q: &Q) -> String {
    use malachite_base::num::arithmetic::traits::CheckedSqrt;
    let v = q_f64(q).sqrt();
    if let (Some(n), Some(d)) = (
        q.numerator_ref().checked_sqrt(),
        q.denominator_ref().checked_sqrt(),
    ) {
        return q_text(&Q::from_naturals(n, d));
    }
    match short_exact(q) {
        Some(s) => format!("√({s}) ≈ {}", sig6(v)),
        None => format!("≈ {} (the square root of an exact rational)", sig6(v)),
    }
}

/// `lhs = 7/40 ≈ 0.175`, `lhs = 3`, or `lhs ≈ 0.0250241` when the exact form is long.
pub(crate) fn eq_text(lhs: &str, q: &Q) -> String {
    let t = q_text(q);
    if t.starts_with('≈') {
        format!("{lhs} {t}")
    } else {
        format!("{lhs} = {t}")
    }
}
