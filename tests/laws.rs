//! Algebraic laws of the normal form, and the ASCII round trip, as property tests.

use proptest::prelude::*;
use taylornet::{Expr, Trunc};
use taylornet::{Session, normal_form};

/// Random well-formed vector expressions over W1, W2 (matrices), u, v (vectors), λ, μ (scalars).
fn vector_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("u".to_string()),
        Just("v".to_string()),
        Just("ones".to_string()),
        (1i32..4, 1i32..4).prop_map(|(a, b)| format!("(({a}/{b})·u)")),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} ∘ {b})")),
            inner.clone().prop_map(|a| format!("W1·{a}")),
            inner.clone().prop_map(|a| format!("W2·{a}")),
            inner.clone().prop_map(|a| format!("λ·{a}")),
            inner.clone().prop_map(|a| format!("μ^2·{a}")),
            inner.clone().prop_map(|a| format!("diag({a})·u")),
            inner.clone().prop_map(|a| format!("{a}.^2")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            inner.clone().prop_map(|a| format!("tanh({a})")),
            inner.clone().prop_map(|a| format!("sigmoid'({a})")),
        ]
    })
}

fn matrix_expr() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("W1"),
        Just("W2"),
        Just("W1·W2"),
        Just("(W1 + λ·W2)"),
        Just("diag(u)")
    ]
    .prop_map(str::to_string)
}

fn nf(s: &str) -> Expr {
    normal_form(&Session::new(), s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn mul(a: &Expr, b: &Expr) -> Expr {
    a.mul(b, &Trunc::exact()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn addition_is_commutative_and_associative(a in vector_expr(), b in vector_expr(), c in vector_expr()) {
        let (a, b, c) = (nf(&a), nf(&b), nf(&c));
        prop_assert_eq!(a.add(&b), b.add(&a));
        prop_assert_eq!(a.add(&b).add(&c), a.add(&b.add(&c)));
        prop_assert!(a.sub(&a).is_zero());
    }

    #[test]
    fn products_distribute_and_associate(m in matrix_expr(), n in matrix_expr(), a in vector_expr(), b in vector_expr()) {
        let (m, n, a, b) = (nf(&m), nf(&n), nf(&a), nf(&b));
        prop_assert_eq!(mul(&m, &a.add(&b)), mul(&m, &a).add(&mul(&m, &b)));
        prop_assert_eq!(mul(&mul(&m, &n), &a), mul(&m, &mul(&n, &a)));
    }

    #[test]
    fn hadamard_is_commutative_associative_and_distributive(a in vector_expr(), b in vector_expr(), c in vector_expr()) {
        let t = Trunc::exact();
        let (a, b, c) = (nf(&a), nf(&b), nf(&c));
        prop_assert_eq!(a.had(&b, &t).unwrap(), b.had(&a, &t).unwrap());
        prop_assert_eq!(a.had(&b, &t).unwrap().had(&c, &t).unwrap(), a.had(&b.had(&c, &t).unwrap(), &t).unwrap());
        prop_assert_eq!(a.had(&b.add(&c), &t).unwrap(), a.had(&b, &t).unwrap().add(&a.had(&c, &t).unwrap()));
    }

    /// Printing in ASCII and parsing again gives the same normal form; normalizing twice changes nothing.
    #[test]
    fn ascii_round_trip_and_idempotence(a in vector_expr()) {
        let e = nf(&a);
        let printed = taylornet::render::ascii(&e);
        prop_assert_eq!(&nf(&printed), &e, "printed: {}", printed);
        prop_assert_eq!(taylornet::render::ascii(&nf(&printed)), printed);
    }

    #[test]
    fn scalars_commute_to_the_front(a in vector_expr()) {
        prop_assert_eq!(nf(&format!("W1·(λ·({a}))")), nf(&format!("λ·W1·({a})")));
    }
}

#[test]
fn matrix_products_never_commute() {
    assert_ne!(nf("W1·W2·u"), nf("W2·W1·u"));
    assert_ne!(nf("W1·W2"), nf("W2·W1"));
    assert_eq!(nf("W1·W2 - W2·W1").len(), 2);
}

#[test]
fn diag_and_hadamard_agree() {
    assert_eq!(nf("diag(a)·W·x"), nf("a ∘ (W·x)"));
    assert_eq!(nf("diag(a)·diag(b)·x"), nf("a∘b∘x"));
    assert_eq!(nf("ones ∘ x"), nf("x"));
    assert_eq!(nf("abs(-3·x)"), nf("3·abs(x)"));
}

#[test]
fn exact_constants_stay_exact() {
    assert_eq!(nf("sqrt(2)·sqrt(2)·x"), nf("2·x"));
    assert_eq!(nf("sqrt(8)·x"), nf("2·sqrt(2)·x"));
    assert_eq!(nf("0.5·x"), nf("(1/2)·x"));
    assert_eq!(nf("1e-3·x"), nf("x/1000"));
    assert_eq!(
        taylornet::render::unicode(&nf("x/sqrt(2·π)")),
        "(1/√(2π))·x"
    );
}
