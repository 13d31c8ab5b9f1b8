//! Token matrices: single-head attention and a pre-LN residual block with a matrix input X.
//!
//! The linear map 𝓛(X) and the first non-affine term the analysis prints are checked against
//! an evaluation written here from scratch (plain f64 matrices, softmax and layernorm row by
//! row, nothing of the crate's evaluator): the finite-difference Jacobian at X = 0 against 𝓛
//! evaluated on each basis matrix, and the affine defect Y(εX) − 𝓛(εX) − B shrinking like ε³
//! (and faster once the first non-affine term is taken off too), on random weights.

use taylornet::eval::{Instance, Val, eval_expr, eval_ir};
use taylornet::{Expr, Kind, Name, Session, Symbol, VerifyOptions};

type M = Vec<Vec<f64>>;

const N: usize = 4;
const D: usize = 3;
const ETA: f64 = 0.7;

const DECLS: &str = ":input X\nX : 4×3\nW_Q, W_K, W_V : 3×3\n";
const ATTENTION: &str = "softmax(X·W_Q·(X·W_K)ᵀ/√3)·X·W_V";
const BLOCK: &str = "Z = layernorm(X; eps = η)\nX + softmax(Z·W_Q·(Z·W_K)ᵀ/√3)·Z·W_V";

fn matmul(a: &M, b: &M) -> M {
    a.iter()
        .map(|r| {
            (0..b[0].len())
                .map(|j| r.iter().zip(b).map(|(x, row)| x * row[j]).sum())
                .collect()
        })
        .collect()
}

fn transpose(a: &M) -> M {
    (0..a[0].len())
        .map(|j| a.iter().map(|r| r[j]).collect())
        .collect()
}

fn zip(a: &M, b: &M, f: impl Fn(f64, f64) -> f64) -> M {
    a.iter()
        .zip(b)
        .map(|(r, s)| r.iter().zip(s).map(|(x, y)| f(*x, *y)).collect())
        .collect()
}

fn scale(a: &M, s: f64) -> M {
    a.iter()
        .map(|r| r.iter().map(|x| s * x).collect())
        .collect()
}

fn softmax_rows(s: &M) -> M {
    s.iter()
        .map(|r| {
            let e: Vec<f64> = r.iter().map(|x| x.exp()).collect();
            let total: f64 = e.iter().sum();
            e.iter().map(|x| x / total).collect()
        })
        .collect()
}

fn layernorm_rows(x: &M) -> M {
    x.iter()
        .map(|r| {
            let m = r.iter().sum::<f64>() / r.len() as f64;
            let v = r.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / r.len() as f64;
            r.iter().map(|a| (a - m) / (v + ETA).sqrt()).collect()
        })
        .collect()
}

struct Weights {
    q: M,
    k: M,
    v: M,
}

fn attention(x: &M, w: &Weights) -> M {
    let scores = scale(
        &matmul(&matmul(x, &w.q), &transpose(&matmul(x, &w.k))),
        1.0 / 3f64.sqrt(),
    );
    matmul(&matmul(&softmax_rows(&scores), x), &w.v)
}

fn block(x: &M, w: &Weights) -> M {
    zip(x, &attention(&layernorm_rows(x), w), |a, b| a + b)
}

/// xorshift64*: the test's own draws, N(0, 1) by Box–Muller.
struct Draws(u64);

impl Draws {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((r >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn matrix(&mut self, r: usize, c: usize, s: f64) -> M {
        (0..r)
            .map(|_| (0..c).map(|_| s * self.normal()).collect())
            .collect()
    }
}

fn sym(name: &str) -> Symbol {
    Symbol::user(Name::parse(name).unwrap(), Kind::Matrix)
}

/// The crate's evaluator, fed the same weights and X: only to evaluate the printed normal
/// forms (𝓛, B, the first non-affine term).
fn instance(w: &Weights, x: &M) -> Instance {
    let mut inst = Instance::default();
    for (n, v) in [("W_Q", &w.q), ("W_K", &w.k), ("W_V", &w.v), ("X", x)] {
        inst.symbols.insert(sym(n), Val::M(v.clone()));
    }
    inst.params.insert(Name::parse("η").unwrap(), ETA);
    inst
}

fn value(e: &Expr, w: &Weights, x: &M) -> M {
    if e.is_zero() {
        return vec![vec![0.0; D]; N];
    }
    match eval_expr(e, &mut instance(w, x), N).unwrap() {
        Val::M(m) => m,
        v => panic!("{}: not a matrix: {v:?}", taylornet::render::unicode(e)),
    }
}

fn max_abs(a: &M) -> f64 {
    a.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()))
}

fn analysed(body: &str) -> Session {
    let mut s = Session::new();
    s.run(&format!("{DECLS}{body}"))
        .unwrap_or_else(|e| panic!("{body}: {e}"));
    s
}

/// Checks the printed 𝓛, B and first non-affine term of `body` against `net` on random weights:
/// the Jacobian at 0 and the slopes of the affine defect (`≈ 3`) and of what is left after
/// the first non-affine term (`≥ rest`).
fn check_against(body: &str, net: fn(&M, &Weights) -> M, rest: f64) {
    let s = analysed(body);
    let last = s.last.as_ref().unwrap();
    let d = &last.report.main.decision;
    assert_eq!(d.k, Some(3), "{body}");
    for seed in [1u64, 7, 42] {
        let mut r = Draws(0x9E37_79B9_7F4A_7C15 ^ seed);
        let w = Weights {
            q: r.matrix(D, D, 1.0 / (D as f64).sqrt()),
            k: r.matrix(D, D, 1.0 / (D as f64).sqrt()),
            v: r.matrix(D, D, 1.0 / (D as f64).sqrt()),
        };
        // The network as the crate evaluates it (softmax and norms directly) is the one here.
        let x1 = r.matrix(N, D, 0.5);
        let mut inst = instance(&w, &x1);
        inst.functions = s.numeric_functions();
        let Val::M(ours) = eval_ir(&last.lowered.ir, &mut inst).unwrap() else {
            panic!("not a matrix");
        };
        assert!(max_abs(&zip(&ours, &net(&x1, &w), |a, b| a - b)) < 1e-12);
        // B = Y(0), and the Jacobian at 0 by central differences, entry by entry of X.
        let zero = vec![vec![0.0; D]; N];
        assert!(max_abs(&zip(&net(&zero, &w), &value(&d.b, &w, &zero), |a, b| a - b)) < 1e-14);
        let h = 1e-5;
        for i in 0..N {
            for j in 0..D {
                let mut e = zero.clone();
                e[i][j] = 1.0;
                let fd = scale(
                    &zip(&net(&scale(&e, h), &w), &net(&scale(&e, -h), &w), |a, b| {
                        a - b
                    }),
                    0.5 / h,
                );
                let printed = value(&d.w, &w, &e);
                let gap = max_abs(&zip(&fd, &printed, |a, b| a - b));
                assert!(gap < 1e-8, "{body}: ∂Y/∂X[{i}][{j}] differs by {gap}");
            }
        }
        // The affine defect scales like ε³, and like ε^rest once the first term is taken off.
        let x0 = r.matrix(N, D, 1.0);
        let defects = |with_first: bool| -> Vec<f64> {
            [1e-1, 1e-2, 1e-3]
                .iter()
                .map(|eps| {
                    let x = scale(&x0, *eps);
                    let mut approx = zip(&value(&d.w, &w, &x), &value(&d.b, &w, &x), |a, b| a + b);
                    if with_first {
                        approx = zip(&approx, &value(&d.leading_full, &w, &x), |a, b| a + b);
                    }
                    max_abs(&zip(&net(&x, &w), &approx, |a, b| a - b))
                })
                .collect()
        };
        let slope = |v: &[f64], i: usize| (v[i] / v[i + 1]).log10();
        let affine = defects(false);
        for i in 0..2 {
            assert!((slope(&affine, i) - 3.0).abs() < 0.05, "{body}: {affine:?}");
        }
        let beyond = defects(true);
        assert!(slope(&beyond, 0) > rest, "{body}: {beyond:?}");
    }
}

#[test]
fn attention_is_the_mean_token_up_to_order_three() {
    let s = analysed(ATTENTION);
    let d = &s.last.as_ref().unwrap().report.main.decision;
    assert_eq!(d.verdict.label(), "affine");
    assert_eq!(taylornet::render::unicode(&d.w), "¼·𝟙·𝟙ᵀ·X·W_V");
    assert!(d.b.is_zero());
    // (1/n)·(S − S·𝟙·𝟙ᵀ/n)·X·W_V with S = X·W_Q·W_Kᵀ·Xᵀ/√3 and n = 4.
    assert_eq!(
        taylornet::render::unicode(&d.leading_full),
        "(1/12)·√3·X·W_Q·W_Kᵀ·Xᵀ·X·W_V − (1/48)·√3·X·W_Q·W_Kᵀ·Xᵀ·𝟙·𝟙ᵀ·X·W_V"
    );
    // The next order is ε⁵ (attention is odd in X).
    check_against(ATTENTION, attention, 4.8);
}

#[test]
fn the_pre_ln_block_is_the_identity_plus_the_centred_mean_token() {
    let s = analysed(BLOCK);
    let d = &s.last.as_ref().unwrap().report.main.decision;
    assert_eq!(
        taylornet::render::unicode(&d.w),
        "X + (1/(4·√η))·𝟙·𝟙ᵀ·X·W_V − (1/(12·√η))·(𝟙ᵀ·X·𝟙)·𝟙·𝟙ᵀ·W_V"
    );
    assert!(d.b.is_zero());
    check_against(BLOCK, block, 4.8);
}

#[test]
fn matrix_inputs_verify() {
    // A bias matrix B₀ puts tanh at an O(1) operating point: checked as it stands and with B₀
    // compensated, as a bias vector would be.
    for body in [
        ATTENTION,
        BLOCK,
        "rmsnorm(X·W_V; eps = η)",
        "tanh(X·W_V)·W_Q",
        "tanh(X·W_V + B0)",
        "layernorm(X; eps = η, γ = g, β = c)",
        // 𝓛 and B end in a row 𝟙ᵀ as long as the output is wide (¼·𝟙·𝟙ᵀ).
        "softmax(X·W_V + 𝟙·bᵀ)",
        "layernorm(X·W_V; eps = η)",
    ] {
        let s = analysed(body);
        let checks = s.verify_last(&VerifyOptions::default()).unwrap();
        assert_eq!(checks.len(), if body.contains("B0") { 2 } else { 1 });
        for c in &checks {
            assert!(c.pass, "{body}: {} {:?}", c.note, c.rows);
            assert_eq!(c.approximation, "𝓛(X) + B");
        }
    }
}

#[test]
fn row_wise_functions_normalise_each_token() {
    // softmax of a token matrix is the softmax of each row: every row of the O(1) part is
    // ¼·𝟙ᵀ, and a row-constant shift of the scores changes nothing.
    let s = analysed("softmax(X·W_V·Xᵀ)");
    let d = &s.last.as_ref().unwrap().report.main.decision;
    assert_eq!(taylornet::render::unicode(&d.b), "¼·𝟙·𝟙ᵀ");
    assert_eq!(
        taylornet::render::unicode(&d.leading_full),
        "¼·X·W_V·Xᵀ − (1/16)·X·W_V·Xᵀ·𝟙·𝟙ᵀ"
    );
    let shifted = analysed("softmax(X·W_V·Xᵀ + (X·W_Q·𝟙)·𝟙ᵀ)");
    let e = &shifted.last.as_ref().unwrap().report.main.decision;
    assert_eq!(e.verdict, d.verdict);
    assert_eq!(e.leading_full, d.leading_full);
    assert_eq!(e.b, d.b);
    // layernorm and rmsnorm of a token matrix: each row centred (or not) and scaled by 1/√η.
    let ln = analysed("layernorm(X; eps = η)");
    let w = &ln.last.as_ref().unwrap().report.main.decision.w;
    assert_eq!(
        taylornet::render::unicode(w),
        "(1/√η)·X − (1/(3·√η))·X·𝟙·𝟙ᵀ"
    );
    let rms = analysed("rmsnorm(X; eps = η, γ = g)");
    let w = &rms.last.as_ref().unwrap().report.main.decision.w;
    assert_eq!(taylornet::render::unicode(w), "(1/√η)·X·diag(g)");
}

/// The error of a statement, rendered, and the text its main label points at.
fn error(body: &str) -> (String, String) {
    let src = format!("{DECLS}{body}");
    let e = Session::new().run(&src).unwrap_err();
    let span = e.labels[0].span;
    (
        e.render(&src, "attention.tn"),
        src[span.start..span.end].to_string(),
    )
}

#[test]
fn errors_point_at_the_cause() {
    // An offset β that is not small: the scores have an O(1) part, the softmax runs around an
    // operating point that is not a number, and the expansion refuses rather than guess.
    let (msg, at) =
        error(":small X\nZ = layernorm(X; eps = η, β = c)\nX + softmax(Z·W_Q·(Z·W_K)ᵀ/√3)·Z·W_V");
    assert!(msg.contains("is not a number times 𝟙"), "{msg}");
    assert_eq!(at, "softmax(Z·W_Q·(Z·W_K)ᵀ/√3)");
    // A row is not a token matrix.
    let (msg, at) = error("softmax((X·W_V·𝟙)ᵀ)");
    assert!(
        msg.contains("takes a column vector or a matrix of rows"),
        "{msg}"
    );
    assert_eq!(at, "(X·W_V·𝟙)ᵀ");
    // A matrix output needs a matrix input: with a vector input there is no matrix W.
    let (msg, at) = error(":input x\nx·(W_V·x)ᵀ");
    assert!(msg.contains("the output is a matrix"), "{msg}");
    assert_eq!(at, "x·(W_V·x)ᵀ");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let (offset, _) = error(":small X\nZ = layernorm(X; β = c)\nsoftmax(Z·W_Q·Zᵀ)");
    settings.bind(|| insta::assert_snapshot!("error_expand_attention_offset", offset));
}

#[test]
fn numeric_weights_leave_the_map_symbolic() {
    let s = analysed("W_V = [[1, 0, 0], [0, 1, 0], [0, 0, 2]]\nsoftmax(X·W_Q·Xᵀ)·X·W_V");
    let r = &s.last.as_ref().unwrap().report;
    let n = r.numeric.as_ref().unwrap();
    assert!(n.w.is_none());
    assert!(
        n.notes[0].contains("whose linear part is the map 𝓛(X)"),
        "{:?}",
        n.notes
    );
}

/// From a review: scores that lie wholly past the order (`diag(g)` small twice: O(ε⁴) at
/// order 3) left the row sums 𝟙·𝟙, and the error blamed weights or an offset that are not
/// there; it says what it is and how to go on, and at order 5 the analysis goes through.
#[test]
fn scores_past_the_order_say_so() {
    let src = ":input X; X : 3×2; softmax(X·diag(g)·W·diag(g)·Xᵀ)";
    let err = Session::new()
        .run(src)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("every score of the softmax is 0 to the expansion order"),
        "{err}"
    );
    assert!(!err.contains("an offset"), "{err}");
    let mut s = Session::new();
    s.run(&format!(":order 5; {src}"))
        .expect("analysed at order 5");
}
