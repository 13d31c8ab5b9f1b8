//! Every catalog activation's series, checked against closed forms computed here,
//! independently of the engine, and numerically against an f64 evaluation.

use malachite_base::num::arithmetic::traits::Pow;
use malachite_q::Rational as Q;
use std::collections::BTreeMap;
use taylornet::Callee;
use taylornet::Name;
use taylornet::Scalar;
use taylornet::Session;
use taylornet::eval::{Instance, apply};
use taylornet::{PointSeries, Series, Smoothness};

const N: usize = 11;

fn q(n: i64, d: i64) -> Q {
    Q::from_signeds(n, d)
}

fn fact(n: u64) -> Q {
    (1..=n).fold(Q::from(1), |a, i| a * Q::from(i))
}

fn binom(n: u64, k: u64) -> Q {
    fact(n) / (fact(k) * fact(n - k))
}

/// Bernoulli numbers from Σ_{k≤m} C(m+1, k)·B_k = 0.
fn bernoulli(n: usize) -> Vec<Q> {
    let mut b = vec![Q::from(1)];
    for m in 1..=n as u64 {
        let s = (0..m).fold(Q::from(0), |a, k| a + binom(m + 1, k) * &b[k as usize]);
        b.push(-s / Q::from(m + 1));
    }
    b
}

/// tanh t = Σ 2^{2n}(2^{2n} − 1) B_{2n} t^{2n−1} / (2n)!
fn tanh_coeffs() -> Vec<Q> {
    let b = bernoulli(N + 1);
    let mut c = vec![Q::from(0); N + 1];
    for n in 1..=N.div_ceil(2) {
        let k = 2 * n;
        let p = Q::from(4u32).pow(n as u64);
        if k - 1 <= N {
            c[k - 1] = &p * (&p - Q::from(1)) * &b[k] / fact(k as u64);
        }
    }
    c
}

fn series(s: &Session, name: &str, at: Option<&str>) -> PointSeries {
    s.series(name, at, N)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .series
}

fn exact(s: &Series) -> Vec<Q> {
    s.coeffs()
        .iter()
        .map(|c| c.to_q().unwrap_or_else(|| panic!("not rational: {c:?}")))
        .collect()
}

fn analytic(p: &PointSeries) -> &Series {
    match p {
        PointSeries::Analytic(s) => s,
        other => panic!("expected an analytic point, got {other:?}"),
    }
}

#[test]
fn tanh_from_bernoulli_numbers() {
    let s = Session::new();
    assert_eq!(exact(analytic(&series(&s, "tanh", None))), tanh_coeffs());
}

#[test]
fn sigmoid_is_a_shifted_tanh() {
    // σ(t) = ½ + ½·tanh(t/2)
    let t = tanh_coeffs();
    let mut want: Vec<Q> = t
        .iter()
        .enumerate()
        .map(|(k, c)| c * q(1, 2) * q(1, 2).pow(k as u64))
        .collect();
    want[0] = q(1, 2);
    let s = Session::new();
    assert_eq!(exact(analytic(&series(&s, "sigmoid", None))), want);
    // The figures.
    assert_eq!(want[9], q(31, 1451520));
}

#[test]
fn exp_sin_cos_atan() {
    let s = Session::new();
    let want: Vec<Q> = (0..=N as u64).map(|k| Q::from(1) / fact(k)).collect();
    assert_eq!(exact(analytic(&series(&s, "exp", None))), want);
    let sin: Vec<Q> = (0..=N as u64)
        .map(|k| {
            if k % 2 == 1 {
                Q::from(if (k / 2) % 2 == 0 { 1 } else { -1 }) / fact(k)
            } else {
                Q::from(0)
            }
        })
        .collect();
    assert_eq!(exact(analytic(&series(&s, "sin", None))), sin);
    let cos: Vec<Q> = (0..=N as u64)
        .map(|k| {
            if k % 2 == 0 {
                Q::from(if (k / 2) % 2 == 0 { 1 } else { -1 }) / fact(k)
            } else {
                Q::from(0)
            }
        })
        .collect();
    assert_eq!(exact(analytic(&series(&s, "cos", None))), cos);
    let atan: Vec<Q> = (0..=N as i64)
        .map(|k| {
            if k % 2 == 1 {
                q(if (k / 2) % 2 == 0 { 1 } else { -1 }, k)
            } else {
                Q::from(0)
            }
        })
        .collect();
    assert_eq!(exact(analytic(&series(&s, "arctan", None))), atan);
}

/// Multiplies by √π/2 (erf) or √(2π) (gelu) to get back to rationals.
fn times_root(s: &Series, factor: &Scalar) -> Vec<Q> {
    s.coeffs()
        .iter()
        .map(|c| {
            c.mul(factor)
                .to_q()
                .unwrap_or_else(|| panic!("not a rational multiple: {c:?}"))
        })
        .collect()
}

#[test]
fn erf_and_gelu_with_exact_constants() {
    let s = Session::new();
    // erf t = 2/√π · Σ (−1)ⁿ t^{2n+1} / (n!(2n+1))
    let root_pi_half = Scalar::pi().pow(&q(1, 2)).unwrap().scale(&q(1, 2));
    let want: Vec<Q> = (0..=N as u64)
        .map(|k| {
            if k % 2 == 1 {
                let n = k / 2;
                Q::from(if n % 2 == 0 { 1 } else { -1 }) / (fact(n) * Q::from(k))
            } else {
                Q::from(0)
            }
        })
        .collect();
    assert_eq!(
        times_root(analytic(&series(&s, "erf", None)), &root_pi_half),
        want
    );
    // gelu t = t/2 + (1/√(2π)) Σ (−1)ⁿ t^{2n+2} / (2ⁿ n! (2n+1))
    let gelu = analytic(&series(&s, "gelu", None)).clone();
    assert_eq!(gelu.coeff(1), Scalar::ratio(1, 2));
    let root_two_pi = Scalar::pi().scale(&q(2, 1)).pow(&q(1, 2)).unwrap();
    let scaled = times_root(
        &Series::from_coeffs(gelu.coeffs()[2..].to_vec(), false),
        &root_two_pi,
    );
    for (i, c) in scaled.iter().enumerate() {
        let k = i + 2;
        let want = if k % 2 == 0 {
            let n = (k - 2) / 2;
            Q::from(if n % 2 == 0 { 1 } else { -1 })
                / (Q::from(2u32).pow(n as u64) * fact(n as u64) * Q::from(2 * n as u64 + 1))
        } else {
            Q::from(0)
        };
        assert_eq!(*c, want, "gelu coefficient {k}");
    }
    assert_eq!(taylornet::render::scalar_unicode(&gelu.coeff(2)), "1/√(2π)");
}

#[test]
fn softplus_silu_are_integrals_and_products_of_sigmoid() {
    let s = Session::new();
    let sig = exact(analytic(&series(&s, "sigmoid", None)));
    let sp = analytic(&series(&s, "softplus", None)).clone();
    assert_eq!(sp.coeff(0), Scalar::opaque("log", &Scalar::from_int(2)));
    for k in 1..=N {
        assert_eq!(
            sp.coeff(k).to_q().unwrap(),
            &sig[k - 1] / Q::from(k as u64),
            "softplus {k}"
        );
    }
    for name in ["silu", "swish"] {
        let c = exact(analytic(&series(&s, name, None)));
        for k in 1..=N {
            assert_eq!(c[k], sig[k - 1], "{name} {k}");
        }
    }
}

#[test]
fn polynomials_are_exact() {
    let s = Session::new();
    for (name, want) in [
        ("identity", vec![0, 1]),
        ("square", vec![0, 0, 1]),
        ("hard_tanh", vec![0, 1]),
    ] {
        let ser = analytic(&series(&s, name, None)).clone();
        assert!(ser.is_exact(), "{name}");
        let mut w: Vec<Q> = want.into_iter().map(Q::from).collect();
        w.resize(N + 1, Q::from(0));
        assert_eq!(exact(&ser), w, "{name}");
    }
    let lin = analytic(&series(&s, "linear", None)).clone();
    assert_eq!(lin.coeff(1), Scalar::param(Name::new("λ", "")));
}

fn sides(p: &PointSeries) -> (&Series, &Series, &Smoothness) {
    match p {
        PointSeries::OneSided { left, right, class } => (left, right, class),
        other => panic!("expected one-sided series, got {other:?}"),
    }
}

#[test]
fn piecewise_activations_have_one_sided_series() {
    let s = Session::new();
    let ps = series(&s, "relu", None);
    let (l, r, c) = sides(&ps);
    assert_eq!(
        (l.coeff(1), r.coeff(1), c),
        (Scalar::zero(), Scalar::one(), &Smoothness::Kink)
    );
    let ps = series(&s, "leaky_relu", None);
    let (l, r, _) = sides(&ps);
    assert_eq!(
        (l.coeff(1), r.coeff(1)),
        (Scalar::ratio(1, 100), Scalar::one())
    );
    // elu (α = 1): eᵗ − 1 on the left, t on the right: C¹, not C².
    let ps = series(&s, "elu", None);
    let (l, r, c) = sides(&ps);
    assert_eq!(c, &Smoothness::C(1));
    for k in 1..=N {
        assert_eq!(l.coeff(k).to_q().unwrap(), Q::from(1) / fact(k as u64));
        assert_eq!(r.coeff(k).to_q().unwrap(), Q::from(u32::from(k == 1)));
    }
    // selu: λα(eᵗ − 1) and λt, λ and α to 32 digits.
    let decimal = |digits: &str| digits.parse::<Q>().unwrap() / Q::from(10u32).pow(31u64);
    let lam = decimal("10507009873554804934193349852946");
    let alpha = decimal("16732632423543772848170429916717");
    let ps = series(&s, "selu", None);
    let (l, r, c) = sides(&ps);
    assert_eq!(c, &Smoothness::Kink);
    for k in 1..=N {
        assert_eq!(l.coeff(k).to_q().unwrap(), &lam * &alpha / fact(k as u64));
    }
    assert_eq!(r.coeff(1).to_q().unwrap(), lam);
    // celu(α = 1) = elu; softsign: t/(1 − t) and t/(1 + t).
    let ps = series(&s, "softsign", None);
    let (l, r, c) = sides(&ps);
    assert_eq!(c, &Smoothness::C(1));
    for k in 1..=N {
        assert_eq!(l.coeff(k).to_q().unwrap(), Q::from(1));
        assert_eq!(
            r.coeff(k).to_q().unwrap(),
            Q::from(if k % 2 == 1 { 1 } else { -1 })
        );
    }
    // hard_tanh has its breakpoints at ±1.
    let ps = series(&s, "hard_tanh", Some("1"));
    let (l, r, c) = sides(&ps);
    assert_eq!(
        (l.coeff(1), r.coeff(1), c),
        (Scalar::one(), Scalar::zero(), &Smoothness::Kink)
    );
    let ps = series(&s, "hard_tanh", Some("-1"));
    let (l, r, _) = sides(&ps);
    assert_eq!((l.coeff(1), r.coeff(1)), (Scalar::zero(), Scalar::one()));
}

#[test]
fn user_definitions_and_expressions_work_like_the_catalog() {
    let s = Session::new();
    let a = s.series("swish(t) = t·sigmoid(t)", None, 6).unwrap();
    let b = s.series("silu", None, 6).unwrap();
    assert_eq!(a.series, b.series);
    let c = s.series("tanh(tanh(t))", None, 5).unwrap();
    // tanh(tanh t) = t − (2/3)t³ + (3/5)t⁵ − …
    let c = analytic(&c.series).clone();
    assert_eq!(
        (c.coeff(1), c.coeff(3), c.coeff(5)),
        (Scalar::one(), Scalar::ratio(-2, 3), Scalar::ratio(3, 5))
    );
    assert!(s.series("log(t)", None, 3).is_err());
    // Around a point: tanh′ = 1 − tanh².
    let at = s.series("tanh", Some("1/2"), 2).unwrap();
    let th = Scalar::opaque("tanh", &Scalar::ratio(1, 2));
    assert_eq!(
        analytic(&at.series).coeff(1),
        Scalar::one().sub(&th.mul(&th))
    );
}

#[test]
fn high_orders_stay_exact() {
    let s = Session::new();
    let t = s.series("tanh", None, 60).unwrap();
    let b = bernoulli(60);
    let c = analytic(&t.series).coeff(59).to_q().unwrap();
    let p = Q::from(4u32).pow(30u64);
    assert_eq!(c, &p * (&p - Q::from(1)) * &b[60] / fact(60));
}

/// The truncated series matches an f64 evaluation with a residual of the predicted order.
#[test]
fn every_catalog_entry_matches_numerically() {
    let s = Session::new();
    let order = 5;
    for name in s.catalog() {
        let full = series(&s, &name.ascii(), None);
        let callee = match s.function(&name) {
            Some(d) => Callee::Def(d),
            None => Callee::Prim(taylornet::Prim::from_name(&name.ascii()).unwrap()),
        };
        let mut params = BTreeMap::new();
        params.insert(Name::new("λ", ""), 0.7);
        for (side, sign) in [(taylornet::Side::Right, 1.0), (taylornet::Side::Left, -1.0)] {
            let ser = full.side(side);
            // The predicted order of the residual: the first non-zero coefficient past `order`.
            let Some(next) = (order + 1..=N).find(|&k| !ser.coeff(k).is_zero()) else {
                continue;
            };
            let eval = |h: f64| {
                let t = sign * h;
                let approx: f64 = (0..=order)
                    .map(|k| ser.coeff(k).to_f64(&|_| Some(0.7)).unwrap() * t.powi(k as i32))
                    .sum();
                let mut inst = Instance {
                    params: params.clone(),
                    ..Instance::default()
                };
                let truth = apply(&callee, t, &BTreeMap::new(), &mut inst).unwrap();
                (truth - approx).abs()
            };
            let ratio = (eval(0.2) / eval(0.1)).log2();
            assert!(
                (ratio - next as f64).abs() < 0.5,
                "{name} ({side:?}): residual order {ratio}, predicted {next}"
            );
        }
    }
}

/// The exact coefficients `taylornet series EXPR --order N` prints (JSON), by power of t.
fn printed_coefficients(expr: &str, order: usize) -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_taylornet"))
        .args([
            "series",
            expr,
            "--order",
            &order.to_string(),
            "--format",
            "json",
        ])
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{expr} at order {order}: {out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut cs: Vec<(u64, String)> = (v["coefficients"].as_array().expect("coefficients"))
        .iter()
        .map(|c| (c["k"].as_u64().unwrap_or(0), c["exact"].to_string()))
        .collect();
    cs.sort();
    cs.into_iter().map(|(_, e)| e).collect()
}

#[test]
fn series_over_constants_agree_across_the_packed_threshold() {
    // From order 32 a series whose coefficients hold constants is packed over generators; to
    // order 31 the scalar recurrences run. The first 32 coefficients must be the same exact
    // scalars either way. The cases are those an independent review found failing: two roots
    // riding on one free generator (a crash), a shifted factor whose box shrinks to one cell
    // (√2 dropped), and a box whose size overflows (a crash).
    for expr in [
        "gelu(sqrt(3)*t)",
        "exp(sqrt(6*pi)*t)",
        "1/(1 + sqrt(5)*t + t^3/sqrt(2*pi))",
        "sqrt(2)*t^16/(1-t) * (1/(1-t) + sqrt(2/pi)*t^17/(1-t))",
        "(2^(1/3)*t/(1-t) + 4^(1/3)*pi*t^32)^2",
        "(1 + λ*t + λ^4194303*t^2 + α*t^3 + α^4194303*t^4 + β*t^5 + β^4194303*t^6)^2",
        "gelu(gelu(t))",
    ] {
        let low = printed_coefficients(expr, 31);
        for order in [32, 40] {
            let high = printed_coefficients(expr, order);
            assert_eq!(&high[..low.len()], &low[..], "{expr} at order {order}");
        }
    }
}
