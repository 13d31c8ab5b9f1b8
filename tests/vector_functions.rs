//! softmax, logsumexp, layernorm and rmsnorm: their expansions against closed forms (exactly,
//! for n = 2, 3, 5, and as text for a symbolic n), the residual order of the truncated
//! expansion (numerically), and their expansions around an O(1) operating point.

use taylornet::{Session, VerifyOptions, normal_form};

fn show(e: &taylornet::Expr) -> String {
    taylornet::render::unicode(e)
}

/// Runs `src`, checks every claim of `verify` (the verdict's residual and the whole truncated
/// expansion's), and returns the session.
fn verified(src: &str) -> Session {
    let mut s = Session::new();
    s.run(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let opts = VerifyOptions {
        expansion: true,
        ..VerifyOptions::default()
    };
    let checks = s
        .verify_last(&opts)
        .unwrap_or_else(|e| panic!("{src}: {e}"));
    assert!(checks.len() >= 2, "{src}: {} checks", checks.len());
    for c in &checks {
        assert!(c.pass, "{src} ({}): {} — {:?}", c.label, c.note, c.rows);
    }
    s
}

/// The error `src` stops with ("" when it runs).
fn error_of(src: &str) -> String {
    Session::new()
        .run(src)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

fn main_of(s: &Session) -> &taylornet::Analysis {
    &s.last.as_ref().unwrap().report.main
}

/// The text of a report of `src`.
fn report(src: &str, format: taylornet::Format) -> String {
    let mut s = Session::new();
    let out = s.run(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    s.render(&out, format).unwrap()
}

const SIZES: [&str; 3] = ["2", "3", "5"];

#[test]
fn softmax_to_second_order_is_its_closed_form() {
    // softmax(x) = 𝟙/n + (x − (𝟙ᵀx/n)·𝟙)/n + x^∘2/(2n) − (𝟙ᵀx)·x/n² + (𝟙ᵀx)²·𝟙/n³
    //              − (𝟙ᵀx^∘2)·𝟙/(2n²) + O(x³)
    for n in SIZES {
        let s = verified(&format!(":order 2; x : {n}; softmax(x)"));
        let want = normal_form(
            &s,
            &format!(
                "𝟙/{n} + x/{n} - (𝟙ᵀ·x)·𝟙/{n}^2 + x^∘2/(2·{n}) - (𝟙ᵀ·x)·x/{n}^2 \
                 + (𝟙ᵀ·x)^2·𝟙/{n}^3 - (𝟙ᵀ·x^∘2)·𝟙/(2·{n}^2)"
            ),
        )
        .unwrap();
        // (Where the search went past order 2, the terms up to ε² are compared.)
        let a = main_of(&s);
        let t = a.trunc();
        let upto_2 = a
            .expansion_in_input_terms()
            .unwrap()
            .filter(|c, _| t.degree(c) <= 2);
        assert_eq!(upto_2, want, "n = {n}");
        // At n = 2 softmax is (sigmoid(x₁ − x₂), sigmoid(x₂ − x₁)): its ε² term vanishes for
        // every x, though not term by term, and the identity test finds it (k = 3).
        let k = if n == "2" { 3 } else { 2 };
        assert_eq!(main_of(&s).decision.k, Some(k), "n = {n}");
    }
    let s = verified(":order 2; n : dim; x : n; softmax(x)");
    assert_eq!(
        show(&main_of(&s).expansion_in_input_terms().unwrap()),
        "(1/n)·x + (1/n)·𝟙 + (1/(2·n))·x^∘2 − (1/n²)·(𝟙ᵀ·x)·x − (1/n²)·(𝟙ᵀ·x)·𝟙 \
         + (1/n³)·(𝟙ᵀ·x)·(𝟙ᵀ·x)·𝟙 − (1/(2·n²))·(𝟙ᵀ·x^∘2)·𝟙"
    );
}

#[test]
fn a_hand_written_softmax_is_the_built_in_one() {
    // 𝟙ᵀ·𝟙 = n, so the denominator's O(1) part is found and its inverse is a binomial series.
    for decl in ["x : 2", "x : 5", "n : dim; x : n", ""] {
        let full = |e: &str| {
            let mut s = Session::new();
            s.run(&format!(":order 3; {decl}\n{e}"))
                .unwrap_or_else(|d| panic!("{e}: {d}"));
            main_of(&s).expansion_in_input_terms().unwrap()
        };
        let built_in = full("softmax(W1·x + b1)");
        assert_eq!(
            full("exp(W1·x + b1) / (𝟙ᵀ·exp(W1·x + b1))"),
            built_in,
            "{decl}"
        );
        assert_eq!(
            full("exp(W1·x + b1) / sum(exp(W1·x + b1))"),
            built_in,
            "{decl}"
        );
    }
    let mut s = Session::new();
    s.run("x : 4").unwrap();
    assert_eq!(
        normal_form(&s, "𝟙ᵀ·(𝟙 + x)").unwrap(),
        normal_form(&s, "4 + 𝟙ᵀ·x").unwrap()
    );
}

#[test]
fn logsumexp_is_log_n_plus_the_mean_plus_half_the_variance() {
    // logsumexp(x) = log n + 𝟙ᵀx/n + (xᵀx/n − (𝟙ᵀx)²/n²)/2 + O(x³)
    for n in SIZES {
        let s = verified(&format!(":order 2; x : {n}; logsumexp(x)"));
        let want = normal_form(
            &s,
            &format!("log({n}) + (𝟙ᵀ·x)/{n} + ((xᵀ·x)/{n} - (𝟙ᵀ·x)^2/{n}^2)/2"),
        )
        .unwrap();
        assert_eq!(
            main_of(&s).expansion_in_input_terms().unwrap(),
            want,
            "n = {n}"
        );
    }
    let s = verified(":order 2; n : dim; x : n; logsumexp(x)");
    assert_eq!(
        show(&main_of(&s).expansion_in_input_terms().unwrap()),
        "log(n) + (1/n)·(𝟙ᵀ·x) − (1/(2·n²))·(𝟙ᵀ·x)·(𝟙ᵀ·x) + (1/(2·n))·(𝟙ᵀ·x^∘2)"
    );
    // A layer: affine with k = 2 and W = 𝟙ᵀ·W₁/n, the mean of the pre-activation.
    for (decl, w) in [
        ("x : 3; W1 : 3×3", "⅓·𝟙ᵀ·W₁"),
        ("n : dim; W1 : n×4", "(1/n)·𝟙ᵀ·W₁"),
    ] {
        let s = verified(&format!("{decl}; logsumexp(W1·x + b1)"));
        let a = main_of(&s);
        assert_eq!(a.decision.verdict.label(), "affine");
        assert_eq!(a.decision.k, Some(2), "{decl}");
        assert_eq!(show(&a.decision.w), w, "{decl}");
    }
}

#[test]
fn norms_to_third_order_are_their_closed_forms() {
    // rmsnorm(x; eps = η) = x/√η − (xᵀx)·x/(2n·η^(3/2)) + O(x⁵);
    // layernorm(x; eps = η) = c/√η − (cᵀc)·c/(2n·η^(3/2)) + O(x⁵), c = x − (𝟙ᵀx/n)·𝟙.
    for n in SIZES {
        let s = verified(&format!(":order 4; x : {n}; rmsnorm(x; eps = η)"));
        let want = normal_form(&s, &format!("η^(-1/2)·x - η^(-3/2)·(xᵀ·x)·x/(2·{n})")).unwrap();
        assert_eq!(
            main_of(&s).expansion_in_input_terms().unwrap(),
            want,
            "rmsnorm, n = {n}"
        );
        assert_eq!(main_of(&s).decision.k, Some(3));

        let s = verified(&format!(":order 4; x : {n}; layernorm(x; eps = η)"));
        let c = format!("(x - ((𝟙ᵀ·x)/{n})·𝟙)");
        let want = normal_form(
            &s,
            &format!("η^(-1/2)·{c} - η^(-3/2)·(({c})ᵀ·{c})·{c}/(2·{n})"),
        )
        .unwrap();
        assert_eq!(
            main_of(&s).expansion_in_input_terms().unwrap(),
            want,
            "layernorm, n = {n}"
        );
        assert_eq!(main_of(&s).decision.k, Some(3));
    }
    let s = verified(":order 3; n : dim; x : n; rmsnorm(x; eps = η)");
    assert_eq!(
        show(&main_of(&s).expansion_in_input_terms().unwrap()),
        "(1/√η)·x − (1/(2·n·η^(3/2)))·(𝟙ᵀ·x^∘2)·x"
    );
}

#[test]
fn the_expansions_have_the_residual_order_they_claim() {
    // `verified` checks the slope of the truncated expansion's residual (order + 1) and of
    // the verdict's (k), numerically, for each size.
    for f in [
        "softmax(W1·x + b1)",
        "logsumexp(W1·x + b1)",
        "layernorm(W1·x + b1; eps = η)",
        "rmsnorm(W1·x + b1; eps = η)",
        "layernorm(W1·x + b1; eps = 1/2, γ = g, β = c)",
    ] {
        for decl in ["x : 2", "x : 3", "x : 5", "n : dim; x : n"] {
            verified(&format!(":order 4; {decl}; {f}"));
        }
    }
}

#[test]
fn softmax_around_an_o1_operating_point_has_the_jacobian_diag_p_minus_p_pt() {
    // b₁ is not small: exp(W₁·x + b₁) is expanded around c₁ = b₁, and the denominator around
    // κ₁ = 𝟙ᵀ·exp(c₁); with p = exp(c₁)/κ₁, W = (diag(p) − p·pᵀ)·W₁.
    let s = verified(":small x; softmax(W1·x + b1)");
    let a = main_of(&s);
    assert_eq!(a.decision.k, Some(2));
    assert_eq!(
        show(&a.decision.w),
        "(1/κ₁)·diag(exp(c₁))·W₁ − (1/κ₁²)·exp(c₁)·exp(c₁)ᵀ·W₁"
    );
    assert_eq!(show(&a.decision.b), "(1/κ₁)·exp(c₁)");
    assert_eq!(a.expansion.constants.len(), 1);
    assert_eq!(show(&a.expansion.constants[0].value), "𝟙ᵀ·exp(c₁)");
    // logsumexp there: W = pᵀ·W₁, b = log κ₁.
    let s = verified(":small x; logsumexp(W1·x + b1)");
    let a = main_of(&s);
    assert_eq!(show(&a.decision.w), "(1/κ₁)·exp(c₁)ᵀ·W₁");
    assert_eq!(show(&a.decision.b), "log(κ₁)");
    // Nested, the second operating point uses the first constant.
    verified(":order 2; :small x; softmax(W2·softmax(W1·x + b1) + b2)");
    verified(":order 2; :small x; logsumexp(W2·tanh(W1·x + b1) + b2)");
}

#[test]
fn norms_with_an_o1_offset_are_analytic_even_at_eta_zero() {
    for f in ["layernorm", "rmsnorm"] {
        let s = verified(&format!(":small x; x : 3; {f}(W1·x + b1; eps = 0)"));
        let a = main_of(&s);
        assert_eq!(a.decision.verdict.label(), "affine", "{f}");
        assert_eq!(a.decision.k, Some(2), "{f}");
        assert_eq!(a.expansion.constants.len(), 1, "{f}");
        let text = report(
            &format!(":small x\n{f}(W1·x + b1; eps = 0)"),
            taylornet::Format::Text,
        );
        assert!(
            text.contains("analytic even where it is not at 0"),
            "{text}"
        );
    }
    // Without the offset: not analytic at 0.
    let err = error_of("layernorm(W1·x; eps = 0)");
    assert!(err.contains("not analytic at 0"), "{err}");
    // One entry: the variance κ₁ is 0 for every b₁, and the norm 0/0 (from a review: it was
    // `affine`, its W built on 1/√κ₁). A length left free stays generic.
    for f in ["layernorm", "rmsnorm"] {
        let src = format!(":small x; b1 : 1; {f}(W1·x + b1; eps = 0)");
        let err = error_of(&src);
        let rms = f == "rmsnorm";
        assert!(
            rms || err.contains("is 0 for every value of its symbols"),
            "{f}: {err}"
        );
        // rmsnorm's mean square of one entry is b₁², not 0.
        assert!(!rms || err.is_empty(), "{f}: {err}");
    }
    // The same constant under √ or log, and a layer norm written by hand (a second review).
    for src in [
        ":small x; b : 1; u : 2; sqrt(bᵀ·b - (𝟙ᵀ·b)^2 + uᵀ·x)·u",
        ":small x; b : 1; u : 2; log(bᵀ·b - (𝟙ᵀ·b)^2 + uᵀ·x)·u",
        ":small x; b1 : 1; v = W1·x + b1; (v - mean(v)·𝟙)/sqrt(mean(v^∘2) - mean(v)^2)",
    ] {
        let err = error_of(src);
        assert!(
            err.contains("is 0 for every value of its symbols"),
            "{src}: {err}"
        );
    }
    // Where the function is analytic at 0, or the length is 2, it analyses.
    for src in [
        ":small x; b : 1; u : 2; tanh(bᵀ·b - (𝟙ᵀ·b)^2 + uᵀ·x)·u",
        ":small x; b : 2; u : 2; sqrt(bᵀ·b - (𝟙ᵀ·b)^2 + uᵀ·x)·u",
    ] {
        Session::new()
            .run(src)
            .unwrap_or_else(|e| panic!("{src}: {e}"));
    }
}

#[test]
fn a_symbolic_eta_bounds_the_scale_of_the_input() {
    let src = "layernorm(W1·x; eps = η)";
    let text = report(src, taylornet::Format::Text);
    assert!(
        text.contains("assumption: the expansion, and the verdict, hold for σ ≪ √η"),
        "{text}"
    );
    let json = report(src, taylornet::Format::Json);
    assert!(json.contains("hold for σ ≪ √η"), "{json}");
    let latex = report(src, taylornet::Format::Latex);
    assert!(
        latex.contains("valid for $\\sigma \\ll \\sqrt{\\eta}$"),
        "{latex}"
    );
    // A numeric η or softmax's n bounds nothing that the report states.
    for src in ["layernorm(W1·x)", "softmax(W1·x)"] {
        assert!(!report(src, taylornet::Format::Text).contains('≪'), "{src}");
    }
}

#[test]
fn a_softmax_of_a_softmax_has_the_product_of_their_jacobians() {
    // The inner output's O(1) part is 𝟙/n, to which softmax is blind: W = (I − 𝟙𝟙ᵀ/n)²/n²·W₁
    // = (I − 𝟙𝟙ᵀ/n)/n²·W₁. Substituting the layer variables pairs 𝟙s, each of length n.
    let mut s = Session::new();
    s.run("n : dim; x : n; W1 : n×n; softmax(softmax(W1·x))")
        .unwrap();
    let a = main_of(&s);
    assert_eq!(show(&a.decision.w), "(1/n²)·W₁ − (1/n³)·𝟙·𝟙ᵀ·W₁");
    assert!(!show(&a.expansion_in_input_terms().unwrap()).contains("𝟙ᵀ·𝟙"));
    // (With no bias to absorb its O(1) part, `verify` checks it with biases.)
    verified(":order 2; x : 3; W1 : 3×3; W2 : 3×3; softmax(W2·softmax(W1·x + b1) + b2)");
}

#[test]
fn softmax_lists_its_exponential_once() {
    let s = verified("softmax(W1·x + b1)");
    assert_eq!(main_of(&s).expansion.layers.len(), 1);
    let text = report("softmax(W1·x + b1)", taylornet::Format::Text);
    assert_eq!(text.matches("exp(c + t)").count(), 1, "{text}");
}

#[test]
fn logsumexp_reports_in_json_and_latex() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _bound = settings.bind_to_scope();
    insta::assert_snapshot!(
        "vector_logsumexp_json",
        report(
            "x : 3; W1 : 3×3\nlogsumexp(W1·x + b1)",
            taylornet::Format::Json
        )
    );
    insta::assert_snapshot!(
        "vector_logsumexp_latex",
        report(
            "x : 3; W1 : 3×3\nlogsumexp(W1·x + b1)",
            taylornet::Format::Latex
        )
    );
    insta::assert_snapshot!(
        "vector_softmax_operating_point_text",
        report(
            ":small x\nx : 2; W1 : 2×2\nsoftmax(W1·x + b1)",
            taylornet::Format::Text
        )
    );
    insta::assert_snapshot!(
        "vector_softmax_operating_point_latex",
        report(
            ":small x\nx : 2; W1 : 2×2\nsoftmax(W1·x + b1)",
            taylornet::Format::Latex
        )
    );
    insta::assert_snapshot!(
        "vector_softmax_operating_point_json",
        report(
            ":small x\nx : 2; W1 : 2×2\nsoftmax(W1·x + b1)",
            taylornet::Format::Json
        )
    );
}
