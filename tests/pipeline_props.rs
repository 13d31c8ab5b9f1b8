//! Random well-formed networks through the whole pipeline: no panics, exact round trips,
//! and the symbolic W equal to the Jacobian of the true network at the operating point.

use proptest::prelude::*;
use std::collections::BTreeMap;
use taylornet::Role;
use taylornet::Session;
use taylornet::eval::{Instance, Val, eval_expr, eval_ir};

const SMOOTH: &[&str] = &[
    "tanh",
    "sigmoid",
    "gelu",
    "silu",
    "softplus",
    "mish",
    "sin",
    "arctan",
    "erf",
    "exp",
    "identity",
    "gelu_tanh",
];
const ANY: &[&str] = &[
    "tanh",
    "sigmoid",
    "gelu",
    "relu",
    "selu",
    "elu",
    "softsign",
    "leaky_relu",
    "hard_tanh",
    "cos",
    "square",
    "linear",
    "swish",
    "celu",
];

/// A network `f_L(W_L·…f_1(W_1·x + b_1)… + b_L)` with random shapes.
fn network(acts: &'static [&'static str]) -> impl Strategy<Value = (String, usize)> {
    (
        prop::collection::vec(prop::sample::select(acts), 1..=3),
        prop::collection::vec(1u64..=3, 4),
        any::<bool>(),
    )
        .prop_map(|(layers, dims, declare)| {
            let mut src = String::new();
            if declare {
                src.push_str(&format!("x : {}\n", dims[0]));
                for i in 0..layers.len() {
                    src.push_str(&format!("W{} : {}x{}\n", i + 1, dims[i + 1], dims[i]));
                }
            }
            let mut e = "x".to_string();
            for (i, a) in layers.iter().enumerate() {
                e = format!("{a}(W{}·{e} + b{})", i + 1, i + 1);
            }
            src.push_str(&e);
            (src, layers.len())
        })
}

fn analyse(src: &str, order: u32) -> Option<Session> {
    let mut s = Session::new();
    s.options.order = order;
    s.run(src).ok().map(|_| s)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn networks_never_panic_and_round_trip((src, _) in network(ANY), order in 1u32..=4) {
        let Some(s) = analyse(&src, order) else { return Ok(()) };
        let last = s.last.as_ref().unwrap();
        let d = &last.report.main.decision;
        for e in [&d.w, &d.b] {
            let user_only = e.symbols().iter().all(|sym| sym.role == Role::User);
            if user_only {
                let printed = taylornet::render::ascii(e);
                let back = taylornet::normal_form(&s, &printed).unwrap_or_else(|err| panic!("{printed}: {err}"));
                prop_assert_eq!(&back, e, "printed: {}", printed);
            }
        }
        for f in [taylornet::Format::Text, taylornet::Format::Latex, taylornet::Format::Json] {
            let out = vec![taylornet::Outcome::Analysis { source: last.source.clone(), expr: last.expr.clone(), report: last.report.clone() }];
            let _ = taylornet::render_outcomes(&out, f, &s.options.limits);
        }
    }

    #[test]
    fn w_is_the_jacobian_at_the_operating_point((src, _) in network(SMOOTH), seed in 0u64..1000) {
        let Some(s) = analyse(&src, 2) else { return Ok(()) };
        let last = s.last.as_ref().unwrap();
        let a = &last.report.main;
        // The operating point: input and biases zero. W's atoms there are evaluated exactly.
        let mut inst = Instance::random(&last.lowered.symbols, &a.small, 0.0, seed, &BTreeMap::new());
        inst.functions = s.numeric_functions();
        for ly in &a.expansion.layers {
            if let Some(c) = &ly.op_symbol {
                let rows = match inst.symbols.values().next() { Some(Val::M(m)) => m.len(), _ => 3 };
                let v = eval_expr(&ly.op_point, &mut inst, rows).unwrap();
                inst.symbols.insert(c.clone(), v);
            }
        }
        let x_sym = a.input.clone();
        let n = match &inst.symbols[&x_sym] { Val::V(v) => v.len(), _ => unreachable!() };
        let y0 = eval_ir(&last.lowered.ir, &mut inst.clone()).unwrap();
        let rows = match &y0 { Val::V(v) => v.len(), _ => unreachable!() };
        let w = match eval_expr(&a.decision.w, &mut inst, rows).unwrap() {
            Val::M(m) => m,
            Val::S(c) => (0..rows).map(|i| (0..n).map(|j| if i == j { c } else { 0.0 }).collect()).collect(),
            other => panic!("W evaluated to {other:?}"),
        };
        let h = 1e-6;
        for j in 0..n {
            let mut plus = inst.clone();
            let mut minus = inst.clone();
            if let Some(Val::V(v)) = plus.symbols.get_mut(&x_sym) { v[j] = h; }
            if let Some(Val::V(v)) = minus.symbols.get_mut(&x_sym) { v[j] = -h; }
            let (Val::V(yp), Val::V(ym)) = (eval_ir(&last.lowered.ir, &mut plus).unwrap(), eval_ir(&last.lowered.ir, &mut minus).unwrap()) else { unreachable!() };
            for i in 0..rows {
                let fd = (yp[i] - ym[i]) / (2.0 * h);
                prop_assert!((fd - w[i][j]).abs() < 1e-5 * (1.0 + fd.abs()), "{src}: J[{i}][{j}] = {fd}, W = {}", w[i][j]);
            }
        }
    }
}
