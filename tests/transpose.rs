//! Transposes, row vectors and 1×1 products: the laws of the normal form as property tests,
//! checked exactly (equal normal forms) and numerically (the normal form against the network).

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use taylornet::eval::{Instance, Val, eval_expr, eval_ir};
use taylornet::{Expr, Session, Trunc, normal_form};

/// Random column vectors over W1, W2 (matrices), u, v, w (vectors), with transposes inside:
/// inner products, outer products and transposed matrices.
fn vector_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("u".to_string()),
        Just("v".to_string()),
        Just("w".to_string()),
        Just("ones".to_string()),
    ];
    leaf.prop_recursive(3, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} ∘ {b})")),
            inner.clone().prop_map(|a| format!("W1·({a})")),
            inner.clone().prop_map(|a| format!("W1ᵀ·({a})")),
            inner.clone().prop_map(|a| format!("(W1·W2)'·({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(({a})ᵀ·({b}))·u")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("v·({a})^T·({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})·(uᵀ·W2·({b}))")),
            inner.clone().prop_map(|a| format!("diag({a})·W1ᵀ·u")),
            inner.clone().prop_map(|a| format!("tanh({a})")),
        ]
    })
}

fn nf(s: &str) -> Expr {
    normal_form(&Session::new(), s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `aᵀ·b = bᵀ·a`: a 1×1 product is its own transpose, and both spellings get one form.
    #[test]
    fn inner_products_are_symmetric(a in vector_expr(), b in vector_expr()) {
        prop_assert_eq!(nf(&format!("({a})ᵀ·({b})")), nf(&format!("({b})ᵀ·({a})")));
    }

    /// `(A·B)ᵀ = Bᵀ·Aᵀ` and `(Xᵀ)ᵀ = X`, on matrix-vector products and outer products.
    #[test]
    fn transposes_reverse_products(a in vector_expr(), b in vector_expr()) {
        let t = Trunc::exact();
        let (ea, eb) = (nf(&a), nf(&b));
        prop_assert_eq!(ea.transpose().transpose(), ea.clone());
        prop_assert_eq!(nf(&format!("(W1·{a})ᵀ·u")), nf(&format!("({a})ᵀ·W1ᵀ·u")));
        let outer = ea.mul(&eb.transpose(), &t).unwrap();
        prop_assert_eq!(outer.transpose(), eb.mul(&ea.transpose(), &t).unwrap());
    }

    /// 1×1 products commute with every factor: `(aᵀ·b)·W1·c = W1·c·(aᵀ·b)`.
    #[test]
    fn one_by_one_products_commute(a in vector_expr(), b in vector_expr(), c in vector_expr()) {
        prop_assert_eq!(
            nf(&format!("(({a})ᵀ·({b}))·W1·({c})")),
            nf(&format!("W1·({c})·(({b})ᵀ·({a}))"))
        );
        prop_assert_eq!(
            nf(&format!("(({a})ᵀ·({b}))·(({c})ᵀ·u)·v")),
            nf(&format!("(uᵀ·({c}))·v·(({a})ᵀ·({b}))"))
        );
    }

    /// Printing in ASCII (`^T`) and parsing again gives the same normal form.
    #[test]
    fn ascii_round_trip(a in vector_expr()) {
        let e = nf(&a);
        let printed = taylornet::render::ascii(&e);
        prop_assert_eq!(&nf(&printed), &e, "printed: {}", printed);
    }

    /// The normal form has the value of the expression it came from, evaluated directly.
    #[test]
    fn normal_form_has_the_networks_value(a in vector_expr(), seed in 0u64..1000) {
        let src = format!("u, v, w : 3\nW1, W2 : 3x3\n{a}");
        let mut s = Session::new();
        s.run(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let last = s.last.as_ref().unwrap();
        let mut inst = Instance::random(&last.lowered.symbols, &BTreeSet::new(), 1.0, seed, &BTreeMap::new());
        inst.functions = s.numeric_functions();
        let truth = eval_ir(&last.lowered.ir, &mut inst.clone()).unwrap();
        let e = normal_form(&s, &a).unwrap();
        // `𝟙ᵀ·𝟙` is the length of 𝟙, which a normal form does not record.
        let value = match eval_expr(&e, &mut inst, 3) {
            Err(why) if why.contains("length of 𝟙") => return Ok(()),
            v => v.unwrap(),
        };
        let (Val::V(t), Val::V(v)) = (&truth, &value) else {
            panic!("{a}: {truth:?} vs {value:?}");
        };
        for (x, y) in t.iter().zip(v) {
            prop_assert!((x - y).abs() <= 1e-9 * (1.0 + x.abs()), "{a}: {t:?} vs {v:?}");
        }
    }
}

#[test]
fn transposes_are_spelled_three_ways() {
    assert_eq!(nf("W1ᵀ·x"), nf("W1'·x"));
    assert_eq!(nf("W1ᵀ·x"), nf("W1^T·x"));
    assert_eq!(nf("(W1ᵀ)ᵀ·x"), nf("W1·x"));
    // `^` followed by a longer name is still a power.
    let e = normal_form(&Session::new(), "λ^Tx·x")
        .unwrap_err()
        .to_string();
    assert!(e.contains("exponent"), "{e}");
}

#[test]
fn inner_and_outer_products() {
    assert_eq!(taylornet::render::unicode(&nf("xᵀ·y")), "xᵀ·y");
    assert_eq!(
        taylornet::render::unicode(&nf("yᵀ·Wᵀ·x")),
        taylornet::render::unicode(&nf("xᵀ·W·y"))
    );
    assert_eq!(nf("(a∘u)ᵀ·v"), nf("uᵀ·diag(a)·v"));
    assert_eq!(nf("(a∘u)ᵀ·W·v"), nf("vᵀ·Wᵀ·diag(a)·u"));
    assert_eq!(nf("xᵀ·y"), nf("yᵀ·x"));
    assert_eq!(nf("xᵀ·W·y"), nf("yᵀ·Wᵀ·x"));
    assert_ne!(nf("xᵀ·W·y"), nf("yᵀ·W·x"));
    assert_eq!(nf("xᵀ·diag(a)·y"), nf("aᵀ·(x∘y)"));
    assert_eq!(nf("x·yᵀ·z"), nf("(yᵀ·z)·x"));
    assert_eq!(nf("(x·yᵀ)ᵀ·z"), nf("(xᵀ·z)·y"));
    assert_eq!(taylornet::render::unicode(&nf("x·yᵀ·W")), "x·yᵀ·W");
    assert_eq!(nf("𝟙ᵀ·x"), nf("xᵀ·𝟙"));
    assert_eq!(nf("(xᵀ·W·x)·a - a·(xᵀ·Wᵀ·x)"), Expr::zero());
}

#[test]
fn shapes_of_transposes() {
    let err = |src: &str| {
        let mut s = Session::new();
        s.run(src).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(err("x : 3; y : 4; xᵀ·y").contains("differ"));
    assert!(err("tanh(xᵀ)").contains("not on a row vector"));
    assert!(err("xᵀ ∘ yᵀ").contains("not on a row vector"));
    assert!(err("xᵀ·yᵀ").contains("row vector can only be multiplied"));
    assert!(err("x·W").contains("cannot be multiplied on the right"));
    assert!(err("xᵀ").contains("the output is a row vector"));
    assert!(err("x·yᵀ").contains("the output is a matrix"));
    assert!(err("diag(x)").contains("the output is a matrix"));
}

#[test]
fn linear_parts_through_inner_products() {
    let w = |src: &str| {
        let r = taylornet::analyze(src).unwrap();
        taylornet::render::unicode(&r.main.decision.w)
    };
    assert_eq!(w("aᵀ·x"), "aᵀ");
    assert_eq!(w("xᵀ·a"), "aᵀ");
    assert_eq!(w("𝟙ᵀ·x"), "𝟙ᵀ");
    assert_eq!(w("v·(aᵀ·W·x)"), "v·aᵀ·W");
    assert_eq!(w("(aᵀ·b)·x"), "(aᵀ·b)·I");
    assert_eq!(w("xᵀ·A·c"), "cᵀ·Aᵀ");
}

/// Every check of `verify` on the last analysis of `src` passes.
fn verifies(src: &str) -> String {
    let mut s = Session::new();
    s.run(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let checks = s
        .verify_last(&taylornet::VerifyOptions::default())
        .unwrap_or_else(|e| panic!("{src}: {e}"));
    for c in &checks {
        assert!(c.pass, "{src} ({}): {} — {:?}", c.label, c.note, c.rows);
    }
    let r = &s.last.as_ref().unwrap().report.main;
    format!(
        "{} k={:?} W={}",
        r.decision.verdict.label(),
        r.decision.k,
        taylornet::render::unicode(&r.decision.w)
    )
}

#[test]
fn sums_and_means_are_inner_products_with_ones() {
    assert_eq!(nf("sum(x)"), nf("𝟙ᵀ·x"));
    assert_eq!(nf("sum(xᵀ)"), nf("𝟙ᵀ·x"));
    let mut s = Session::new();
    s.run("x : 4").unwrap();
    assert_eq!(normal_form(&s, "mean(x)").unwrap(), nf("¼·𝟙ᵀ·x"));
    s.run("n : dim; y : n").unwrap();
    assert_eq!(
        taylornet::render::unicode(&normal_form(&s, "mean(y)").unwrap()),
        "(1/n)·(𝟙ᵀ·y)"
    );
    // A length nothing fixes is named as the shapes print it.
    assert_eq!(
        taylornet::render::unicode(&normal_form(&Session::new(), "mean(x)").unwrap()),
        "(1/d₁)·(𝟙ᵀ·x)"
    );
}

#[test]
fn verdicts_with_transposes_and_reductions_verify() {
    assert_eq!(verifies("x : 3; mean(x)"), "exact-affine k=None W=⅓·𝟙ᵀ");
    assert_eq!(
        verifies("n : dim; x : n; tanh(x - mean(x)·𝟙)"),
        "affine k=Some(3) W=−(1/n)·𝟙·𝟙ᵀ + I"
    );
    assert_eq!(verifies("tanh(W1·x + b1)ᵀ·a"), "affine k=Some(4) W=aᵀ·W₁");
    assert_eq!(
        verifies("W2·tanh(W1·x + b1) + (𝟙ᵀ·W3·x)·𝟙"),
        "affine k=Some(3) W=W₂·W₁ + 𝟙·𝟙ᵀ·W₃"
    );
    assert_eq!(verifies("(xᵀ·W·x)·a + tanh(W1·x)"), "affine k=Some(3) W=W₁");
}

#[test]
fn softmax_expands_around_one_over_n() {
    // softmax(δ) = 𝟙/n + (I − 𝟙𝟙ᵀ/n)·δ/n + …, for symbolic n and n = 2, 3, 5.
    for (decl, n) in [
        ("n : dim; x : n", "n"),
        ("x : 2", "2"),
        ("x : 3", "3"),
        ("x : 5", "5"),
    ] {
        let r = verifies(&format!("{decl}; softmax(W1·x + b1)"));
        assert!(r.starts_with("affine k=Some(2)"), "{decl}: {r}");
        let mut s = Session::new();
        s.run(&format!("{decl}; W1 : {n}×{n}; softmax(W1·x + b1)"))
            .unwrap();
        let a = &s.last.as_ref().unwrap().report.main;
        if n == "n" {
            // n is a dimension, not a value the language can write: compare the text.
            let show = taylornet::render::unicode;
            assert_eq!(show(&a.decision.w), "(1/n)·W₁ − (1/n²)·𝟙·𝟙ᵀ·W₁");
            assert_eq!(show(&a.decision.b), "(1/n)·b₁ + (1/n)·𝟙 − (1/n²)·(𝟙ᵀ·b₁)·𝟙");
            continue;
        }
        if n == "2" {
            // At n = 2 the ε² term vanishes identically (softmax is a sigmoid of x₁ − x₂),
            // so k = 3 and W takes the ε² terms linear in x too (b₁-dependent ones).
            assert_eq!(a.decision.k, Some(3), "{decl}");
            continue;
        }
        let want_w = normal_form(&s, &format!("(1/{n})·W1 - (1/{n}^2)·𝟙·𝟙ᵀ·W1")).unwrap();
        let want_b =
            normal_form(&s, &format!("(1/{n})·𝟙 + (1/{n})·b1 - (1/{n}^2)·(𝟙ᵀ·b1)·𝟙")).unwrap();
        assert_eq!(a.decision.w, want_w, "{decl}");
        assert_eq!(a.decision.b, want_b, "{decl}");
    }
    // A user's own softmax, written with the operators, is the same normal form.
    let mut s = Session::new();
    s.run(":order 3; x : 3").unwrap();
    let mut expansion_of = |src: &str| {
        s.run(src)
            .unwrap_or_else(|e| panic!("{src}: {}", e.message));
        let last = s.last.as_ref().expect("an analysis");
        last.report
            .main
            .expansion_in_input_terms()
            .expect("an expansion")
    };
    let ours = expansion_of("softmax(x)");
    let theirs = expansion_of("exp(x) / (𝟙ᵀ·exp(x))");
    // 𝟙ᵀ·𝟙 = 3 where the product is formed, so the hand-written form is the built-in one.
    assert_eq!(theirs, ours);
    assert!(!ours.is_zero());
}

#[test]
fn norms_are_odd_with_slope_one_over_root_eta() {
    assert_eq!(
        verifies("n : dim; x : n; layernorm(x; eps = η)"),
        "affine k=Some(3) W=−(1/(n·√η))·𝟙·𝟙ᵀ + (1/√η)·I"
    );
    assert_eq!(
        verifies("x : 2; rmsnorm(x; eps = η)"),
        "affine k=Some(3) W=(1/√η)·I"
    );
    let r = verifies("x : 5; layernorm(x)");
    assert!(
        r.starts_with("affine k=Some(3) W=−20·√10·𝟙·𝟙ᵀ + 100·√10·I"),
        "{r}"
    );
    // η = 0: scale invariant, not analytic at 0.
    let err = |src: &str| {
        Session::new()
            .run(src)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(err("layernorm(x; eps = 0)").contains("not analytic at 0"));
    assert!(err("rmsnorm(W1·x; eps = 0)").contains("not analytic at 0"));
    assert!(err("softmax(xᵀ)").contains("column vector"));
    assert!(err("layernorm(x; p = 1)").contains("no parameter"));
}

#[test]
fn a_misspelt_vector_function_gets_a_suggestion() {
    for (typo, meant) in [
        ("softmx", "softmax"),
        ("layernrom", "layernorm"),
        ("rmsnrm", "rmsnorm"),
    ] {
        let mut s = Session::new();
        let err = match s.run(&format!("{typo}(x)")) {
            Err(d) => d,
            Ok(_) => panic!("{typo} was accepted"),
        };
        let text = err.render(&format!("{typo}(x)"), "input");
        assert!(text.contains(&format!("did you mean `{meant}`?")), "{text}");
    }
}
