//! Time against output size, the lecture in the REPL, and peak memory:
//! `cargo run --release --example scaling` (writes `docs/performance-terms.svg`).
//!
//! 1. Network expansion `net(s, L)` at order n for tanh, gelu, sigmoid: terms of the
//!    expansion by layer, best-of-three time, and microseconds per term; a log–log plot of
//!    time against terms.
//! 2. Every statement of `examples/lecture.tn` entered in a session, as the REPL does,
//!    with its time.
//! 3. The process's peak resident memory (Linux: `VmHWM`).

use plotters::prelude::*;
use std::time::{Duration, Instant};
use taylornet::Outcome;
use taylornet::Session;

/// Runs `src` in a fresh session: the time and the term count of the expansion by layer (or the error).
fn network(src: &str) -> (Duration, Result<usize, String>) {
    let mut s = Session::new();
    let t0 = Instant::now();
    let out = s.run(src);
    let dt = t0.elapsed();
    let terms = match out {
        Ok(out) => out
            .into_iter()
            .rev()
            .find_map(|o| match o {
                Outcome::Analysis { report, .. } => Some(report.main.expansion.layered.len()),
                _ => None,
            })
            .ok_or_else(|| "no analysis".to_string()),
        Err(e) => Err(e.message),
    };
    (dt, terms)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("## Network expansion: time against terms\n");
    println!("| activation | L | order | terms | time | µs/term |");
    println!("|---|---|---|---|---|---|");
    let mut points: Vec<(String, f64, f64)> = Vec::new();
    for act in ["tanh", "gelu", "sigmoid"] {
        for layers in 2..=6u32 {
            for order in 3..=7u32 {
                let src = format!(":order {order}\nnet({act}, {layers})");
                let (mut best, terms) = network(&src);
                let Ok(terms) = terms else {
                    println!("| {act} | {layers} | {order} | over the limit | — | — |");
                    continue;
                };
                if best < Duration::from_millis(500) {
                    for _ in 0..2 {
                        best = best.min(network(&src).0);
                    }
                }
                let us = best.as_secs_f64() * 1e6;
                println!(
                    "| {act} | {layers} | {order} | {terms} | {:.2} ms | {:.2} |",
                    us / 1e3,
                    us / terms.max(1) as f64
                );
                points.push((act.to_string(), terms as f64, best.as_secs_f64()));
            }
        }
    }
    plot(&points, "docs/performance-terms.svg")?;
    println!("\n(plot: docs/performance-terms.svg)\n");

    println!("## The lecture in the REPL (examples/lecture.tn, one entry at a time)\n");
    println!("| entry | time |");
    println!("|---|---|");
    let script = std::fs::read_to_string("examples/lecture.tn")?;
    let mut session = Session::new();
    let mut worst = Duration::ZERO;
    for line in script.lines() {
        let entry = line.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let t0 = Instant::now();
        let ok = session.run(entry).is_ok();
        let dt = t0.elapsed();
        worst = worst.max(dt);
        println!(
            "| `{entry}` | {:.2} ms{} |",
            dt.as_secs_f64() * 1e3,
            if ok { "" } else { " (error)" }
        );
    }
    println!("\nslowest entry: {:.2} ms", worst.as_secs_f64() * 1e3);
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM"))
    {
        println!(
            "peak memory of this whole run: {}",
            hwm.trim_start_matches("VmHWM:").trim()
        );
    }
    Ok(())
}

/// Log–log scatter of time against terms, one series per activation, with a slope-1 guide.
fn plot(points: &[(String, f64, f64)], path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let fits: Vec<_> = points.iter().filter(|p| p.1 > 0.0 && p.2 > 0.0).collect();
    let (x0, x1) = fits
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (y0, y1) = fits
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), p| (a.min(p.2), b.max(p.2)));
    if fits.is_empty() {
        return Ok(());
    }
    // Text layout needs a font; the embedded one, so no system font is used.
    let _ =
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "network expansion: time against output terms",
            ("sans-serif", 22),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (x0 / 1.5..x1 * 1.5).log_scale(),
            (y0 / 1.5..y1 * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("terms of the expansion")
        .y_desc("time (s)")
        .draw()?;
    let colours = [RED, BLUE, GREEN];
    for (i, act) in ["tanh", "gelu", "sigmoid"].iter().enumerate() {
        let c = colours[i];
        chart
            .draw_series(
                fits.iter()
                    .filter(|p| p.0 == *act)
                    .map(|p| Circle::new((p.1, p.2), 4, c.filled())),
            )?
            .label(*act)
            .legend(move |(x, y)| Circle::new((x, y), 4, c.filled()));
    }
    // Time ∝ terms through the median µs/term.
    let mut per: Vec<f64> = fits.iter().map(|p| p.2 / p.1).collect();
    per.sort_by(|a, b| a.total_cmp(b));
    let m = per[per.len() / 2];
    chart
        .draw_series(LineSeries::new(
            [(x0, m * x0), (x1, m * x1)],
            BLACK.stroke_width(1),
        ))?
        .label("time ∝ terms")
        .legend(|(x, y)| PathElement::new([(x - 10, y), (x + 10, y)], BLACK));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    root.present()?;
    Ok(())
}
