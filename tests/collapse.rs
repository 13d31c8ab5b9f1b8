//! Linear networks collapse exactly to one affine layer (the first half of the lecture).

use taylornet::Expr;
use taylornet::{Session, Verdict, analyze, normal_form};

fn nf(src: &str) -> Expr {
    normal_form(&Session::new(), src).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn lecture_two_layers_with_lambda() {
    let r = analyze("W1 : 2x4; W2 : 2x2; s(t) = λ·t; s(W2·s(W1·x + b1) + b2)").unwrap();
    let d = &r.main.decision;
    assert_eq!(d.verdict, Verdict::ExactAffine);
    assert_eq!(d.w, nf("λ^2·W2·W1"));
    assert_eq!(d.b, nf("λ^2·W2·b1 + λ·b2"));
    let eq = taylornet::shape_equation(&d.w, &r.main.symbols, 8).unwrap();
    assert_eq!(eq, "2×2 · 2×4 = 2×4");
    let eq = taylornet::shape_equation(&d.b, &r.main.symbols, 8).unwrap();
    assert_eq!(eq, "2×2 · 2×1 + 2×1 = 2×1");
}

#[test]
fn identity_activation() {
    let r = analyze("s(t) = t; s(W2·s(W1·x + b1) + b2)").unwrap();
    assert_eq!(r.main.decision.verdict, Verdict::ExactAffine);
    assert_eq!(r.main.decision.w, nf("W2·W1"));
    assert_eq!(r.main.decision.b, nf("W2·b1 + b2"));
}

/// Builds `s(W_L·s(…s(W_1·x + b_1)…) + b_L)` as text.
fn deep(act: &[&str]) -> String {
    let mut e = "x".to_string();
    for (i, a) in act.iter().enumerate() {
        e = format!("{a}(W{}·{e} + b{})", i + 1, i + 1);
    }
    e
}

#[test]
fn ten_layers_collapse_to_lambda_to_the_tenth() {
    let src = format!("s(t) = λ·t; {}", deep(&["s"; 10]));
    let r = analyze(&src).unwrap();
    let d = &r.main.decision;
    assert_eq!(d.verdict, Verdict::ExactAffine);
    let product: Vec<String> = (1..=10).rev().map(|i| format!("W{i}")).collect();
    assert_eq!(d.w, nf(&format!("λ^10·{}", product.join("·"))));
    // b = Σᵢ λ^(11−i) · W₁₀⋯W_{i+1} · bᵢ
    let mut terms = Vec::new();
    for i in 1..=10 {
        let ws: Vec<String> = ((i + 1)..=10).rev().map(|j| format!("W{j}")).collect();
        let chain = if ws.is_empty() {
            format!("b{i}")
        } else {
            format!("{}·b{i}", ws.join("·"))
        };
        terms.push(format!("λ^{}·{chain}", 11 - i));
    }
    assert_eq!(d.b, nf(&terms.join(" + ")));
}

#[test]
fn mixed_linear_activations_per_layer() {
    let r =
        analyze("f(t) = 2·t; g(t) = λ·t; h(t) = t/3; h(W3·g(W2·f(W1·x + b1) + b2) + b3)").unwrap();
    let d = &r.main.decision;
    assert_eq!(d.verdict, Verdict::ExactAffine);
    assert_eq!(d.w, nf("(2/3)·λ·W3·W2·W1"));
    assert_eq!(d.b, nf("(2/3)·λ·W3·W2·b1 + (1/3)·λ·W3·b2 + (1/3)·b3"));
}

#[test]
fn net_shorthand_matches_the_written_network() {
    let a = analyze("s(t) = λ·t; net(s, 3)").unwrap();
    let b = analyze(&format!("s(t) = λ·t; {}", deep(&["s"; 3]))).unwrap();
    assert_eq!(a.main.decision.w, b.main.decision.w);
    assert_eq!(a.main.decision.b, b.main.decision.b);
}

#[test]
fn lambda_zero_is_reported_as_a_condition() {
    let r = analyze("s(t) = λ·t; s(W2·s(W1·x + b1) + b2)").unwrap();
    let c = r.conditions.first().expect("a condition on λ");
    assert_eq!(c.param.unicode(), "λ");
    assert!(c.value.is_zero());
}

#[test]
fn a_quadratic_term_is_not_affine() {
    let r = analyze("s(t) = t + t^2; s(W1·x)").unwrap();
    let d = &r.main.decision;
    assert_eq!(d.verdict, Verdict::Affine { k: Some(2) });
    assert_eq!(d.leading_full, nf("(W1·x).^2"));
}

#[test]
fn bindings_are_substituted() {
    let r = analyze("z1 = W1·x + b1; s(t) = λ·t; s(W2·s(z1) + b2)").unwrap();
    assert_eq!(r.main.decision.w, nf("λ^2·W2·W1"));
}
