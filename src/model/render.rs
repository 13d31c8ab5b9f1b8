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
        let decimals = (5 - libm::log10(a).floor() as i32).max(0) as usize;
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

/// `mantissa·10^exp10` to six significant digits (`1.23233e-347`, `-1.97007e434`): a value
/// beyond f64's range, 1 ≤ |mantissa| < 10.
pub(crate) fn wide_text(mantissa: f64, exp10: i64) -> String {
    let m = format!("{mantissa:.5}");
    // 9.999996 rounds to 10.00000: one more power of ten.
    let (m, exp10) = match m.trim_start_matches('-').starts_with("10") {
        true => (format!("{:.5}", mantissa / 10.0), exp10 + 1),
        false => (m, exp10),
    };
    let m = m.trim_end_matches('0').trim_end_matches('.');
    format!("{m}e{exp10}")
}

/// A rational to six significant digits at any magnitude: its f64 inside f64's normal range,
/// beyond it the power of ten found exactly (`10^400` is `1e400`, not `inf`; `10^-400` is
/// `1e-400`, not `0`).
pub(crate) fn sig6_q(q: &Q) -> String {
    let f = q_f64(q);
    if *q == 0u32 || (f.is_finite() && f.abs() >= f64::MIN_POSITIVE) {
        return sig6(f);
    }
    let (mantissa, exp10) = crate::float::decimal_parts(q);
    wide_text(mantissa, exp10)
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
    let cell = |q: &Q| short_exact(q).unwrap_or_else(|| sig6_q(q));
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
        Some(s) if s.contains('/') => format!("{s} ≈ {}", sig6_q(q)),
        Some(s) => s,
        None => format!("≈ {}", sig6_q(q)),
    }
}

/// `√(9/800) ≈ 0.106`: a square root of an exact rational.
pub(crate) fn sqrt_text(q: &Q) -> String {
    use malachite_base::num::arithmetic::traits::CheckedSqrt;
    let v = sqrt6_q(q);
    if let (Some(n), Some(d)) = (
        q.numerator_ref().checked_sqrt(),
        q.denominator_ref().checked_sqrt(),
    ) {
        return q_text(&Q::from_naturals(n, d));
    }
    match short_exact(q) {
        Some(s) => format!("√({s}) ≈ {v}"),
        None => format!("≈ {v} (the square root of an exact rational)"),
    }
}

/// √q (q ≥ 0) to six significant digits at any magnitude, as `sig6_q`.
pub(crate) fn sqrt6_q(q: &Q) -> String {
    let f = q_f64(q);
    if *q == 0u32 || (f.is_finite() && f >= f64::MIN_POSITIVE) {
        return sig6(f.sqrt());
    }
    let (mantissa, exp10) = crate::float::decimal_parts(q);
    // √(m·10^e) with e even: √m in [1, √10) or, for e odd, √(10m) in [√10, 10).
    let (m, e) = match exp10.rem_euclid(2) {
        0 => (mantissa, exp10),
        _ => (mantissa * 10.0, exp10 - 1),
    };
    wide_text(m.sqrt(), e / 2)
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

#[cfg(test)]
mod tests {
    use super::*;
    use malachite_base::num::arithmetic::traits::Pow;

    fn ten(k: i64) -> Q {
        match k >= 0 {
            true => Q::from(10u32).pow(k as u64),
            false => Q::from(10u32).pow(k.unsigned_abs()).pow(-1i64),
        }
    }

    #[test]
    fn six_digits_beyond_f64_range_are_written_not_rounded_to_inf_or_0() {
        assert_eq!(sig6_q(&ten(400)), "1e400");
        assert_eq!(sig6_q(&-ten(400)), "-1e400");
        assert_eq!(sig6_q(&ten(-400)), "1e-400");
        assert_eq!(sig6_q(&(ten(400) / Q::from(3u32))), "3.33333e399");
        assert_eq!(sig6_q(&(ten(-330) * Q::from(7u32))), "7e-330");
        // Just below a power of ten: the mantissa rounds up to the next one.
        assert_eq!(sig6_q(&(ten(400) - ten(393))), "1e400");
        // Inside the range, as sig6 of the f64.
        assert_eq!(sig6_q(&Q::from(12345678u32)), sig6(12345678.0));
        assert_eq!(sig6_q(&Q::from(0u32)), "0");
        assert_eq!(sqrt6_q(&ten(700)), "1e350");
        assert_eq!(sqrt6_q(&ten(701)), "3.16228e350");
        assert_eq!(sqrt6_q(&ten(-701)), "3.16228e-351");
        assert_eq!(sqrt6_q(&Q::from(4u32)), "2");
    }

    #[test]
    fn decimal_parts_hold_the_value() {
        for k in [-700i64, -309, -308, -1, 0, 1, 308, 309, 700] {
            for m in [1u32, 9, 10, 99, 12345] {
                let q = ten(k) * Q::from(m);
                let (mantissa, exp10) = crate::float::decimal_parts(&q);
                assert!((1.0..10.0).contains(&mantissa), "{m}e{k}: {mantissa}");
                let digits = libm::log10(m as f64).floor() as i64;
                assert_eq!(exp10, k + digits, "{m}e{k}");
            }
        }
    }

    #[test]
    fn an_exact_entry_beyond_f64_range_keeps_its_sign_and_size() {
        use crate::analysis::instance::Num;
        let tiny = Num::Exact(ten(-400));
        assert_eq!(tiny.signum(), 1);
        assert_eq!(Num::Exact(-ten(-400)).signum(), -1);
        assert!((tiny.log2_abs() + 400.0 * std::f64::consts::LOG2_10).abs() < 1e-9);
        assert!((Num::Exact(ten(400)).log2_abs() - 400.0 * std::f64::consts::LOG2_10).abs() < 1e-9);
    }
}
