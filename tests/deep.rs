//! Deep networks are decided from the expansion by layer, order by order: the verdict, W, b and
//! the first non-affine term come from the lowest orders, whatever the order asked for and
//! whatever `max_terms` allows to be written out in the input's terms.

use taylornet::{Analysis, Expr, Session, Unexpanded, Verdict, VerifyOptions, normal_form};

fn nf(src: &str) -> Expr {
    normal_form(&Session::new(), src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// A session at this order and `max_terms`, having analysed `src`.
fn analysed(src: &str, order: u32, max_terms: usize) -> Session {
    let mut s = Session::new();
    s.options.order = order;
    s.options.limits.max_terms = max_terms;
    s.run(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    s
}

fn main_analysis(s: &Session) -> &Analysis {
    &s.last.as_ref().expect("an analysis").report.main
}

/// `W_L·…·W_(j+1)` as written, for `j < L` (empty for `j = L`).
fn product(from: usize, to: usize) -> String {
    (from..=to)
        .rev()
        .map(|i| format!("W{i}"))
        .collect::<Vec<_>>()
        .join("·")
}

/// `b = Σⱼ W_L·…·W_(j+1)·bⱼ` for a plain `net(s, L)` with `s(0) = 0`, `s′(0) = 1`.
fn bias(layers: usize) -> String {
    (1..=layers)
        .map(|j| {
            if j == layers {
                format!("b{j}")
            } else {
                format!("{}·b{j}", product(j + 1, layers))
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

#[test]
fn tanh_twenty_layers_deep_at_order_seven() {
    let s = analysed("net(tanh, 20)", 7, 100_000);
    let a = main_analysis(&s);
    let d = &a.decision;
    assert_eq!(d.verdict, Verdict::Affine { k: Some(3) });
    assert_eq!(d.w, nf(&product(1, 20)));
    assert_eq!(d.b, nf(&bias(20)));
    // By layer: −⅓·Σₗ W₂₀·…·W₍ₗ₊₁₎·uₗ^∘3, one term per layer.
    assert_eq!(d.leading_layered.len(), 20);
    let t = a.trunc();
    assert_eq!(t.min_degree(&d.leading_layered), Some(3));
    assert!(
        d.leading_layered
            .terms()
            .all(|(_, c)| *c == taylornet::Scalar::from_q(taylornet::Q::from_signeds(-1, 3)))
    );
    // In the input's terms: (W·x)^∘3 and one (W·x)^∘2∘(·bⱼ) per bias, per layer.
    assert_eq!(d.leading_full.len(), (2..=21).sum::<usize>());
    assert!(
        a.unexpanded
            .iter()
            .all(|x| !matches!(x, Unexpanded::InputTerms { .. }))
    );
}

#[test]
fn the_first_non_affine_term_of_two_layers_is_the_closed_form() {
    let s = analysed("net(tanh, 2)", 7, 100_000);
    let d = &main_analysis(&s).decision;
    // tanh(t) = t − t³/3 + …: −⅓·W₂·u₁^∘3 − ⅓·u₂^∘3 with u₁ = W₁·x + b₁, u₂ = W₂·u₁ + b₂,
    // of which the terms at least quadratic in x.
    let closed = nf(
        "−W2·((W1·x)^∘2∘b1) − (1/3)·W2·(W1·x)^∘3 − (W2·W1·x)^∘2∘(W2·b1) − (W2·W1·x)^∘2∘b2 − (1/3)·(W2·W1·x)^∘3",
    );
    assert_eq!(d.leading_full, closed);
}

#[test]
fn the_first_non_affine_term_is_the_part_of_the_whole_expansion() {
    // Formed order by order and without the affine terms of its own order, it is still the
    // non-affine order-3 part of the whole expansion in the input's terms.
    for act in ["tanh", "sin", "arctan"] {
        let s = analysed(&format!("net({act}, 5)"), 3, 100_000);
        let a = main_analysis(&s);
        let whole = a.expansion_in_input_terms().unwrap();
        let t = a.trunc();
        let x = a.input.clone();
        let expected =
            whole.filter(|c, _| t.degree(c) == 3 && !taylornet::input_degree(c, &x).is_affine());
        assert_eq!(a.decision.leading_full, expected, "{act}");
    }
}

#[test]
fn deep_results_verify_numerically() {
    for src in ["net(tanh, 12)", "net(gelu, 12)", "net(sin, 8)"] {
        let s = analysed(src, 7, 100_000);
        for c in s.verify_last(&VerifyOptions::default()).unwrap() {
            assert!(c.pass, "{src} ({}): {} — {:?}", c.label, c.note, c.rows);
        }
    }
}

#[test]
fn the_decision_does_not_depend_on_max_terms() {
    let full = analysed("net(tanh, 20)", 7, 100_000);
    let small = analysed("net(tanh, 20)", 7, 100);
    let (a, b) = (main_analysis(&full), main_analysis(&small));
    assert_eq!(a.decision.verdict, b.decision.verdict);
    assert_eq!(a.decision.w, b.decision.w);
    assert_eq!(a.decision.b, b.decision.b);
    assert_eq!(a.decision.leading_layered, b.decision.leading_layered);
    // What could not be written out is said, not guessed.
    assert!(b.decision.leading_full.is_zero());
    assert!(
        b.unexpanded
            .contains(&Unexpanded::InputTerms { limit: 100 })
    );
    let last = small.last.as_ref().unwrap();
    let text = taylornet::render::report::text(&last.source, &last.report);
    assert!(text.contains("left unexpanded: the first non-affine term in the input's terms has more than 100 terms"), "{text}");
    assert!(!text.contains("in the input's terms:"), "{text}");
}

#[test]
fn the_decision_does_not_depend_on_the_order_asked() {
    for (src, k) in [
        ("net(gelu, 10)", 2),
        ("net(tanh, 10)", 3),
        ("net(silu, 6)", 2),
    ] {
        let low = analysed(src, k, 100_000);
        let high = analysed(src, 9, 100_000);
        let (a, b) = (main_analysis(&low), main_analysis(&high));
        assert_eq!(a.decision.verdict, b.decision.verdict, "{src}");
        assert_eq!(a.decision.w, b.decision.w, "{src}");
        assert_eq!(a.decision.b, b.decision.b, "{src}");
        assert_eq!(
            a.decision.leading_layered, b.decision.leading_layered,
            "{src}"
        );
        assert_eq!(a.decision.leading_full, b.decision.leading_full, "{src}");
    }
}

#[test]
fn an_expansion_too_large_to_show_is_shown_to_a_lower_order_exactly() {
    let s = analysed("net(gelu, 12)", 7, 100_000);
    let a = main_analysis(&s);
    let Some(Unexpanded::Expansion {
        shown,
        asked,
        limit,
        limit_name,
    }) = a.unexpanded.first().cloned()
    else {
        panic!("{:?}", a.unexpanded)
    };
    assert_eq!(asked, 7);
    assert_eq!(limit, Some(s.options.limits.max_shown_terms));
    assert_eq!(limit_name, "max_shown_terms");
    assert!((2..7).contains(&shown), "{shown}");
    assert_eq!(a.order, shown);
    // What is shown is the expansion to that order, term for term.
    let there = analysed("net(gelu, 12)", shown, 100_000);
    assert_eq!(a.expansion.layered, main_analysis(&there).expansion.layered);
    assert!(main_analysis(&there).unexpanded.is_empty());
    // And the text says so.
    let last = s.last.as_ref().unwrap();
    let text = taylornet::render::report::text(&last.source, &last.report);
    assert!(
        text.contains("left unexpanded: the expansion by layer is shown to O(ε"),
        "{text}"
    );
    assert!(text.contains("(limit `max_shown_terms`)"), "{text}");
}

#[test]
fn the_limit_that_stopped_the_shown_expansion_is_the_one_named() {
    // A `max_terms` below `max_shown_terms` is what stops the orders shown.
    let s = analysed("net(gelu, 12)", 7, 500);
    let a = main_analysis(&s);
    let Some(Unexpanded::Expansion {
        limit, limit_name, ..
    }) = a.unexpanded.first().cloned()
    else {
        panic!("{:?}", a.unexpanded)
    };
    assert_eq!((limit, limit_name), (Some(500), "max_terms"));
    let last = s.last.as_ref().unwrap();
    let text = taylornet::render::report::text(&last.source, &last.report);
    assert!(text.contains("more than 500 terms"), "{text}");
    assert!(text.contains("(limit `max_terms`)"), "{text}");
    assert!(!text.contains("max_shown_terms"), "{text}");
}

#[test]
fn a_condition_on_the_first_non_affine_term_is_found_when_it_is_left_by_layer() {
    // tanh(u) + α·u^∘3 = u + (α − 1/3)·u^∘3 + …: at α = 1/3 the cubic term vanishes, whether or
    // not the term is written out in the input's terms (a sum of six makes its cube long).
    let u = "W1·x + b1 + W2·x + b2 + W3·x + b3";
    let src = format!("tanh({u}) + α·identity({u})^∘3");
    for max_terms in [100_000, 20] {
        let s = analysed(&src, 3, max_terms);
        let a = main_analysis(&s);
        assert_eq!(
            a.decision.leading_full.is_zero(),
            max_terms == 20,
            "{:?}",
            a.unexpanded
        );
        let report = &s.last.as_ref().expect("an analysis").report;
        let c = report
            .conditions
            .first()
            .unwrap_or_else(|| panic!("no condition at max_terms {max_terms}"));
        assert_eq!(c.param.unicode(), "α");
        assert_eq!(
            c.value.as_q().map(|q| q.to_string()).as_deref(),
            Some("1/3")
        );
        assert_eq!(c.what, taylornet::Vanishing::NonAffineTerms);
    }
}
