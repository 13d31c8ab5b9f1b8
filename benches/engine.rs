//! Benchmarks of the engine (`cargo bench --bench engine`; divan prints a table).
//!
//! * `series_composition`: the exact series of `s(s(…s(t)))`, depth × order, for tanh, sigmoid, gelu;
//! * `network`: `net(s, L)` analysed at order n (symbolic shapes); the throughput column counts
//!   the terms of the expansion, so terms are reported next to the time;
//! * `wide`: n distinct activations summed, multiplied element-wise or as diagonal matrices,
//!   n = 500 … 4 000;
//! * `classify_catalog`: the whole catalog table at order 9.
//!
//! `cargo run --release --example scaling` prints time against output terms (docs/performance.md).

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use taylornet::Session;

fn main() {
    divan::main();
}

fn composed(act: &str, depth: usize) -> String {
    format!("{}t{}", format!("{act}(").repeat(depth), ")".repeat(depth))
}

const DEPTHS: &[usize] = &[1, 5, 10, 20];

#[divan::bench_group(sample_count = 10)]
mod series_composition {
    use super::*;

    fn run(b: Bencher, act: &str, depth: usize, order: usize) {
        let s = Session::new();
        let spec = composed(act, depth);
        b.bench_local(|| s.series(black_box(&spec), None, order).map(|r| r.order));
    }

    #[divan::bench(args = DEPTHS, consts = [5, 20, 50])]
    fn tanh<const N: usize>(b: Bencher, depth: usize) {
        run(b, "tanh", depth, N);
    }

    /// sigmoid moves the point off 0 at every layer, so each layer brings a new exact
    /// constant (σ(½), σ(σ(½)), …) and the exact answer grows exponentially with depth:
    /// depth 4 at order 10 is 2 MB of output. Depths 1–4, orders 5 and 10.
    #[divan::bench(args = [1, 2, 3, 4], consts = [5, 10])]
    fn sigmoid<const N: usize>(b: Bencher, depth: usize) {
        run(b, "sigmoid", depth, N);
    }

    /// gelu's coefficients are polynomials in 1/√(2π) whose degree grows with the order.
    #[divan::bench(args = DEPTHS, consts = [5, 20])]
    fn gelu<const N: usize>(b: Bencher, depth: usize) {
        run(b, "gelu", depth, N);
    }
}

/// One exact multiplication of two coefficients of the size the composition works with
/// (tanh composed 20 deep, order 50): the unit of the depth × order² operation bound.
#[divan::bench(sample_count = 100)]
fn coefficient_multiplication(b: Bencher) {
    let s = Session::new();
    let r = s
        .series(&composed("tanh", 20), None, 50)
        .map(|r| r.series)
        .ok();
    let c: Vec<taylornet::Q> = match r {
        Some(taylornet::PointSeries::Analytic(s)) => s
            .coeffs()
            .iter()
            .filter_map(|c| c.as_q().cloned())
            .filter(|q| *q != 0u32)
            .collect(),
        _ => Vec::new(),
    };
    let pairs: Vec<(usize, usize)> = (0..c.len()).map(|i| (i, c.len() - 1 - i)).collect();
    b.counter(ItemsCount::new(pairs.len())).bench_local(|| {
        for (i, j) in &pairs {
            black_box(&c[*i] * &c[*j]);
        }
    });
}

#[divan::bench_group(sample_count = 5)]
mod network {
    use super::*;

    /// `:order n` then `net(act, L)`; the counter is the number of terms of the expansion by
    /// layer shown.
    fn run(b: Bencher, act: &str, layers: u32, order: u32) {
        let src = format!(":order {order}\nnet({act}, {layers})");
        let terms = analyse(&src)
            .map(|r| r.main.expansion.layered.len())
            .unwrap_or(0);
        b.counter(ItemsCount::new(terms))
            .bench_local(|| analyse(black_box(&src)).is_some());
    }

    fn analyse(src: &str) -> Option<std::rc::Rc<taylornet::Report>> {
        let mut s = Session::new();
        let out = s.run(src).ok()?;
        out.into_iter().rev().find_map(|o| match o {
            taylornet::Outcome::Analysis { report, .. } => Some(report),
            _ => None,
        })
    }

    const LAYERS: &[u32] = &[2, 3, 4, 5, 6];

    #[divan::bench(args = LAYERS, consts = [3, 5, 7])]
    fn tanh<const N: u32>(b: Bencher, layers: u32) {
        run(b, "tanh", layers, N);
    }

    #[divan::bench(args = LAYERS, consts = [3, 5, 7])]
    fn gelu<const N: u32>(b: Bencher, layers: u32) {
        run(b, "gelu", layers, N);
    }

    #[divan::bench(args = LAYERS, consts = [3, 5, 7])]
    fn sigmoid<const N: u32>(b: Bencher, layers: u32) {
        run(b, "sigmoid", layers, N);
    }

    /// Deep networks (issue 17, target 3): decided from the lowest orders, the expansion by
    /// layer shown as far as `max_shown_terms` allows.
    #[divan::bench(args = [8, 12, 20], consts = [7, 9])]
    fn deep_tanh<const N: u32>(b: Bencher, layers: u32) {
        run(b, "tanh", layers, N);
    }

    #[divan::bench(args = [8, 12, 20], consts = [7, 9])]
    fn deep_gelu<const N: u32>(b: Bencher, layers: u32) {
        run(b, "gelu", layers, N);
    }
}

/// Wide networks (engineering rule 6, near-linear stages): n distinct activations side by side,
/// summed (`tanh(W0·x) + … `), multiplied element-wise (`tanh(w0) ∘ … ∘ x`) or as diagonal
/// matrices (`diag(tanh(w0))·…·x`). Time per activation should stay flat as n grows.
#[divan::bench_group(sample_count = 3)]
mod wide {
    use super::*;

    /// The counter is n, so divan's throughput column is activations per second.
    fn run(b: Bencher, n: usize, src: String) {
        b.counter(ItemsCount::new(n))
            .bench_local(|| Session::new().run(black_box(&src)).is_ok());
    }

    #[divan::bench(args = [500, 1000, 2000, 4000])]
    fn sum_of_layers(b: Bencher, n: usize) {
        let terms: Vec<String> = (0..n).map(|i| format!("tanh(W{i}·x)")).collect();
        run(b, n, terms.join(" + "));
    }

    #[divan::bench(args = [500, 1000, 2000, 4000])]
    fn diagonal_chain(b: Bencher, n: usize) {
        let factors: Vec<String> = (0..n).map(|i| format!("diag(tanh(w{i}))")).collect();
        run(b, n, format!("{}·x", factors.join("·")));
    }

    #[divan::bench(args = [500, 1000, 2000, 4000])]
    fn hadamard_chain(b: Bencher, n: usize) {
        let factors: Vec<String> = (0..n).map(|i| format!("tanh(w{i})")).collect();
        run(b, n, format!("{} ∘ x", factors.join(" ∘ ")));
    }
}

#[divan::bench(sample_count = 3)]
fn classify_catalog(b: Bencher) {
    let mut s = Session::new();
    b.bench_local(|| {
        s.run(":order 9").ok();
        s.classify(2).map(|rows| rows.len())
    });
}

/// A new session: the catalog parsed and lowered (every command pays this once).
#[divan::bench(sample_count = 20)]
fn session_new() -> Session {
    Session::new()
}
