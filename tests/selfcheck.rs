//! The self-check in CI: seeded random networks, every claim checked against the true network.
//!
//! Every class must agree: zero disagreements.
//! The long run is `cargo run --release --example selfcheck -- --cases 10000 --seed 1`.

use taylornet::check::{Case, CheckKind, Class, Disagreement, Finding, Summary, generate, run};

/// Cases per class in CI.
const CASES: u64 = 25;

fn assert_agrees(summary: &Summary) {
    assert!(
        summary.disagreements.is_empty() && summary.unchecked.is_empty(),
        "{summary}"
    );
}

#[test]
fn smooth_networks_at_zero_agree() {
    assert_agrees(&run(&[Class::Smooth], CASES, 1));
}

#[test]
fn symbolic_operating_points_agree() {
    assert_agrees(&run(&[Class::Offset], CASES, 1));
}

#[test]
fn constant_biases_agree() {
    assert_agrees(&run(&[Class::Bias], CASES, 1));
}

#[test]
fn a_small_input_with_large_biases_agrees() {
    assert_agrees(&run(&[Class::SmallInput], CASES, 1));
}

#[test]
fn sums_products_and_residual_connections_agree() {
    assert_agrees(&run(&[Class::Branches], CASES, 1));
}

#[test]
fn kinks_agree() {
    assert_agrees(&run(&[Class::Kink], CASES, 1));
}

#[test]
fn parametric_polynomials_agree() {
    assert_agrees(&run(&[Class::Params], CASES, 1));
}

#[test]
fn piecewise_away_from_breakpoints_agrees() {
    assert_agrees(&run(&[Class::PiecewiseAway], CASES, 1));
}

#[test]
fn piecewise_at_a_symbolic_operating_point_agrees() {
    assert_agrees(&run(&[Class::PiecewiseSymbolic], CASES, 1));
}

#[test]
fn a_kink_after_an_offset_agrees() {
    assert_agrees(&run(&[Class::KinkAfterOffset], CASES, 1));
}

#[test]
fn known_values_at_multiples_of_pi_agree() {
    assert_agrees(&run(&[Class::KnownValues], CASES, 1));
}

#[test]
fn zeros_hidden_inside_function_arguments_agree() {
    assert_agrees(&run(&[Class::HiddenZeros], CASES, 1));
}

#[test]
fn repeated_branches_agree() {
    assert_agrees(&run(&[Class::Repeated], CASES, 1));
}

#[test]
fn vector_functions_and_reductions_agree() {
    assert_agrees(&run(&[Class::VectorFunctions], CASES, 1));
}

#[test]
fn token_matrices_attention_and_row_wise_functions_agree() {
    assert_agrees(&run(&[Class::TokenMatrices], CASES, 1));
}

#[test]
fn networks_affine_in_the_input_by_their_form_agree() {
    assert_agrees(&run(&[Class::InputLinear], CASES, 1));
}

#[test]
fn a_run_is_deterministic() {
    let classes = [Class::Smooth, Class::Kink];
    let a = run(&classes, 5, 42).to_string();
    let b = run(&classes, 5, 42).to_string();
    assert_eq!(a, b);
    assert_eq!(generate(Class::Branches, 9), generate(Class::Branches, 9));
}

#[test]
fn a_disagreement_names_the_source_the_claim_and_the_measurement() {
    let case = Case {
        class: Class::PiecewiseSymbolic,
        seed: 8,
        source: "relu(W1·x + b1)".into(),
        small: Some(vec!["x".into()]),
        params: vec![],
    };
    assert_eq!(
        case.command(),
        "taylornet analyze --small x 'relu(W1·x + b1)'"
    );
    let d = Disagreement {
        case,
        finding: Finding {
            kind: CheckKind::Verdict,
            claim: "affine, k = 2".into(),
            measurement: "every residual at rounding level".into(),
            unchecked: false,
        },
    };
    let text = d.to_string();
    assert!(text.contains("--small x 'relu(W1·x + b1)'"), "{text}");
    assert!(text.contains("verdict claimed: affine, k = 2"), "{text}");
    assert!(
        text.contains("measured: every residual at rounding level"),
        "{text}"
    );
}
