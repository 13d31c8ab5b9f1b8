//! Whole networks expanded in ε and decided (DESIGN §3.4), each verdict cross-checked numerically.

use std::collections::BTreeMap;
use taylornet::Name;
use taylornet::eval::{Instance, Val, eval_expr, eval_ir};
use taylornet::lower_expr;
use taylornet::{AnalyzeOptions, Report, Verdict, analyze_lowered as analyze};
use taylornet::{Expr, Kind, Symbol};
use taylornet::{Session, normal_form};

fn nf(src: &str) -> Expr {
    normal_form(&Session::new(), src).unwrap_or_else(|e| panic!("{e}"))
}

fn run(src: &str, order: u32) -> (Report, taylornet::Lowered, Session) {
    let mut s = Session::new();
    let stmts = taylornet::parse_script(src, &s.options.limits).unwrap();
    let (last, init) = stmts.split_last().unwrap();
    for st in init {
        s.run_statement(st, src).unwrap();
    }
    let taylornet::Stmt::Expr(e) = last else {
        panic!("the last statement must be an expression")
    };
    let l = lower_expr(e, &s.env).unwrap();
    let opts = AnalyzeOptions {
        order,
        ..AnalyzeOptions::default()
    };
    let r = analyze(&l, &opts).unwrap_or_else(|e| panic!("{e}"));
    (r, l, s)
}

/// ‖y − (W·x + b)‖∞ for seeded random weights and inputs/biases of scale σ, averaged over seeds.
fn residual(r: &taylornet::Analysis, l: &taylornet::Lowered, sigma: f64, compensate: bool) -> f64 {
    let mut total = 0.0;
    for seed in 0..8u64 {
        let mut inst = Instance::random(&l.symbols, &r.small, sigma, seed, &BTreeMap::new());
        // The symbolic W and b speak of the small biases; the true network gets the shifted ones.
        let mut truth = inst.clone();
        if compensate {
            // Realize "b = −c + O(ε)": move each compensated layer's bias by minus its O(1) part.
            for ly in r.expansion.layers.iter().filter(|ly| ly.compensated) {
                let bias = taylornet::bias_name(ly).expect("a bias to compensate");
                let sym = l
                    .symbols
                    .keys()
                    .find(|s| s.name.unicode() == bias)
                    .unwrap()
                    .clone();
                let rows = inst.symbols[&sym].as_vec().unwrap().len();
                let c = eval_expr(&ly.op_point, &mut inst, rows).unwrap();
                let b = inst.symbols[&sym].sub(&c).unwrap();
                truth.symbols.insert(sym, b);
            }
        }
        let y = eval_ir(&l.ir, &mut truth).unwrap();
        let rows = y.as_vec().unwrap().len();
        let x = inst.symbols[&Symbol::user(Name::new("x", ""), Kind::Vector)].clone();
        let wx = match eval_expr(&r.decision.w, &mut inst, rows).unwrap() {
            Val::M(m) => Val::V(
                m.iter()
                    .map(|row| {
                        row.iter()
                            .zip(x.as_vec().unwrap())
                            .map(|(a, b)| a * b)
                            .sum()
                    })
                    .collect(),
            ),
            Val::S(s) => Val::V(x.as_vec().unwrap().iter().map(|v| s * v).collect()),
            v => v,
        };
        let b = eval_expr(&r.decision.b, &mut inst, rows).unwrap();
        let approx = match (&wx, &b) {
            (Val::V(a), Val::V(c)) => Val::V(a.iter().zip(c).map(|(p, q)| p + q).collect()),
            _ => panic!("unexpected shapes"),
        };
        total += y.sub(&approx).unwrap().norm_inf();
    }
    total / 8.0
}

/// The observed order: log₁₀ of the residual ratio between σ = 10⁻² and σ = 10⁻³.
fn observed_order(r: &taylornet::Analysis, l: &taylornet::Lowered, compensate: bool) -> f64 {
    (residual(r, l, 1e-2, compensate) / residual(r, l, 1e-3, compensate)).log10()
}

fn assert_order(r: &taylornet::Analysis, l: &taylornet::Lowered, k: f64, compensate: bool) {
    let o = observed_order(r, l, compensate);
    assert!((o - k).abs() < 0.35, "observed order {o}, predicted {k}");
}

#[test]
fn tanh_two_layers_affine_up_to_cubic() {
    let (r, l, _) = run("W1 : 2x4; W2 : 2x2; tanh(W2·tanh(W1·x + b1) + b2)", 5);
    let a = &r.main;
    assert_eq!(a.decision.verdict, Verdict::Affine { k: Some(3) });
    assert_eq!(a.decision.w, nf("W2·W1"));
    assert_eq!(a.decision.b, nf("W2·b1 + b2"));
    assert_eq!(
        taylornet::render::unicode(&a.decision.leading_layered),
        "−⅓·W₂·u₁^∘3 − ⅓·u₂^∘3"
    );
    // The ε⁵ part is left over, by layer.
    assert!(!a.decision.remainder.is_zero());
    assert_order(a, &l, 3.0, false);
}

#[test]
fn tanh_three_layers() {
    let (r, l, _) = run("tanh(W3·tanh(W2·tanh(W1·x + b1) + b2) + b3)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Affine { k: Some(3) });
    assert_eq!(r.main.decision.w, nf("W3·W2·W1"));
    assert_order(&r.main, &l, 3.0, false);
}

#[test]
fn sigmoid_offset_is_reported_and_both_answers_given() {
    let (r, l, _) = run("sigmoid(W2·sigmoid(W1·x + b1) + b2)", 3);
    let layer2 = &r.main.expansion.layers[1];
    assert_eq!(layer2.op_point, nf("(1/2)·W2·ones"));
    // As it stands: around the operating point, affine to O(ε²).
    assert_eq!(r.main.decision.verdict, Verdict::Affine { k: Some(2) });
    // Compensated (b₂ = −½·W₂·𝟙 + O(ε)): W = (1/16)·W₂·W₁, affine to O(ε³).
    let c = r.compensated.as_ref().expect("a compensated analysis");
    assert_eq!(c.decision.verdict, Verdict::Affine { k: Some(3) });
    assert_eq!(c.decision.w, nf("(1/16)·W2·W1"));
    assert_order(c, &l, 3.0, true);
}

#[test]
fn sigmoid_three_layers_compensated() {
    let (r, l, _) = run("net(sigmoid, 3)", 3);
    let c = r.compensated.as_ref().unwrap();
    assert_eq!(c.decision.w, nf("(1/64)·W3·W2·W1"));
    assert_order(c, &l, 3.0, true);
}

#[test]
fn gelu_is_affine_to_second_order() {
    let (r, l, _) = run("gelu(W2·gelu(W1·x + b1) + b2)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Affine { k: Some(2) });
    assert_eq!(r.main.decision.w, nf("(1/4)·W2·W1"));
    assert_order(&r.main, &l, 2.0, false);
    let (r3, l3, _) = run("net(gelu, 3)", 2);
    assert_eq!(r3.main.decision.verdict, Verdict::Affine { k: Some(2) });
    assert_order(&r3.main, &l3, 2.0, false);
}

#[test]
fn elu_is_c1_and_affine_to_second_order() {
    let (r, l, _) = run("elu(W2·elu(W1·x + b1; α=1) + b2; α=1)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Affine { k: Some(2) });
    assert_eq!(r.main.decision.w, nf("W2·W1"));
    assert_order(&r.main, &l, 2.0, false);
}

#[test]
fn softsign_is_c1_and_affine_to_second_order() {
    let (r, l, _) = run("net(softsign, 2)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Affine { k: Some(2) });
    assert_order(&r.main, &l, 2.0, false);
}

#[test]
fn relu_is_a_kink_at_any_depth() {
    for net in ["relu(W2·relu(W1·x + b1) + b2)", "net(relu, 3)"] {
        let (r, l, _) = run(net, 3);
        let d = &r.main.decision;
        assert_eq!(d.verdict, Verdict::Kink);
        assert!(d.kinks.iter().all(|k| k.left.is_zero() && k.right.is_one()));
        // A kink: the error of the best affine guess does not shrink faster than the signal (order 1).
        assert_order(&r.main, &l, 1.0, false);
    }
}

#[test]
fn selu_is_a_kink_with_slopes_lambda_alpha_and_lambda() {
    let (r, l, _) = run("selu(W1·x + b1)", 3);
    let k = &r.main.decision.kinks[0];
    let (left, right) = (
        k.left.to_f64(&|_| None).unwrap(),
        k.right.to_f64(&|_| None).unwrap(),
    );
    assert!((left - 1.0507009873554805 * 1.6732632423543772).abs() < 1e-12);
    assert!((right - 1.0507009873554805).abs() < 1e-12);
    assert_eq!(r.main.decision.verdict, Verdict::Kink);
    assert_order(&r.main, &l, 1.0, false);
}

#[test]
fn leaky_relu_with_symbolic_slope_is_conditional() {
    let (r, _, _) = run("leaky_relu(W1·x + b1; a=α)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Kink);
    assert_eq!(r.verdict_label(), "conditional");
    let c = &r.conditions[0];
    assert_eq!(c.param.unicode(), "α");
    assert!(c.value.is_one());
    assert_eq!(
        c.then.as_ref().unwrap().decision.verdict,
        Verdict::ExactAffine
    );
    let (r2, _, _) = run("leaky_relu(W2·leaky_relu(W1·x + b1; a=α) + b2; a=α)", 3);
    assert_eq!(r2.verdict_label(), "conditional");
}

#[test]
fn cos_is_degenerate() {
    let (r, _, _) = run("cos(W1·x)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Degenerate { k: 2 });
    assert!(r.main.decision.w.is_zero());
    assert_eq!(r.main.decision.leading_full, nf("-(1/2)·(W1·x).^2"));
}

#[test]
fn the_first_non_affine_order_is_searched_past_the_request() {
    let (r, _, _) = run("tanh(W1·x)", 1);
    assert_eq!(r.main.decision.verdict, Verdict::Affine { k: Some(3) });
    assert_eq!(r.main.order, 3);
}

#[test]
fn a_hadamard_with_the_input_gives_a_diag_in_w() {
    let (r, _, _) = run("a ∘ (W1·x) + b", 1);
    assert_eq!(r.main.decision.verdict, Verdict::ExactAffine);
    assert_eq!(r.main.decision.w, nf("diag(a)·W1"));
}

#[test]
fn small_symbols_can_be_changed() {
    let mut s = Session::new();
    s.run(":small x").unwrap();
    let out = s.run("tanh(W1·x + b1)").unwrap();
    let taylornet::Outcome::Analysis { report, .. } = &out[0] else {
        panic!()
    };
    // b₁ is O(1): tanh is expanded around it with tanh′(b₁).
    assert_eq!(
        taylornet::render::unicode(&report.main.decision.w),
        "diag(tanh′(c₁))·W₁"
    );
}

#[test]
fn three_layer_networks_of_every_class() {
    // (network, expected verdict, order checked numerically)
    let cases: [(&str, Verdict, Option<f64>); 5] = [
        ("net(elu, 3)", Verdict::Affine { k: Some(2) }, Some(2.0)),
        (
            "net(softsign, 3)",
            Verdict::Affine { k: Some(2) },
            Some(2.0),
        ),
        ("net(selu, 3)", Verdict::Kink, Some(1.0)),
        ("net(relu, 3)", Verdict::Kink, Some(1.0)),
        ("net(gelu, 3)", Verdict::Affine { k: Some(2) }, Some(2.0)),
    ];
    for (src, verdict, order) in cases {
        let (r, l, _) = run(src, 3);
        assert_eq!(r.main.decision.verdict, verdict, "{src}");
        if let Some(k) = order {
            assert_order(&r.main, &l, k, false);
        }
    }
    let (r, _, _) = run("net(leaky_relu, 3)", 3);
    assert_eq!(r.main.decision.verdict, Verdict::Kink);
    let (r, _, _) = run(
        "leaky_relu(W3·leaky_relu(W2·leaky_relu(W1·x + b1; a=α) + b2; a=α) + b3; a=α)",
        3,
    );
    assert_eq!(r.verdict_label(), "conditional");
    assert!(r.conditions[0].value.is_one());
}
