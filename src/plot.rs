//! A log–log plot of the residual against σ, with the predicted slope as a reference line
//! (behind the `plot` feature; the command line's `--plot` and the Python package use it).

use crate::verify::{Predicted, Verification};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Text layout needs a font; one is embedded, so no system font is used.
fn register_font() {
    let _ =
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
}

/// The plot as an SVG document.
pub fn svg(title: &str, checks: &[Verification]) -> Result<String, String> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (900, 600)).into_drawing_area();
        draw(&root, title, checks)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Draws with `$draw(&root)` on an `.svg` or `.png` file, with the embedded font.
macro_rules! to_file {
    ($path:expr, $option:expr, $draw:expr) => {{
        // Text layout needs a font; one is embedded, so no system font is used.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let path: &str = $path;
        if path.ends_with(".svg") {
            let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
            $draw(&root)?;
            root.present().map_err(|e| e.to_string())
        } else if path.ends_with(".png") {
            let root = BitMapBackend::new(path, (900, 600)).into_drawing_area();
            $draw(&root)?;
            root.present().map_err(|e| e.to_string())
        } else {
            Err(format!(
                "{} writes .svg or .png files, not `{path}`",
                $option
            ))
        }
    }};
}

/// Writes the plot to `path` (`.svg` or `.png`).
pub fn write(path: &str, title: &str, checks: &[Verification]) -> Result<(), String> {
    to_file!(path, "--plot", |root| draw(root, title, checks))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    checks: &[Verification],
) -> Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let pts: Vec<(f64, f64)> = checks
        .iter()
        .flat_map(|v| {
            v.rows
                .iter()
                .filter(|r| r.residual > 0.0)
                .map(|r| (r.sigma, r.residual))
        })
        .collect();
    if pts.is_empty() {
        return Err("nothing to plot: every residual is zero".into());
    }
    let (xmin, xmax) = pts.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
        (a.min(p.0), b.max(p.0))
    });
    let (ymin, ymax) = pts.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
        (a.min(p.1), b.max(p.1))
    });
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(
            (xmin / 1.5..xmax * 1.5).log_scale(),
            (ymin / 10.0..ymax * 10.0).log_scale(),
        )
        .map_err(e)?;
    log_mesh(&mut chart, "‖y − (W·x + b)‖∞")?;
    let palette = [BLUE, RED, GREEN, MAGENTA];
    for (i, v) in checks.iter().enumerate() {
        let colour = palette[i % palette.len()];
        let data: Vec<(f64, f64)> = v
            .rows
            .iter()
            .filter(|r| r.residual > 0.0)
            .map(|r| (r.sigma, r.residual))
            .collect();
        let label = match v.slope {
            Some(s) => format!("{} residual (fitted slope {s:.2})", v.label),
            None => format!("{} residual", v.label),
        };
        chart
            .draw_series(LineSeries::new(data.clone(), colour.stroke_width(2)))
            .map_err(e)?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(data.iter().map(|p| Circle::new(*p, 4, colour.filled())))
            .map_err(e)?;
        // The prediction, through the fitted points' geometric middle.
        let k = match v.predicted {
            Predicted::Order(k) | Predicted::AtLeast(k) => k as f64,
            Predicted::Kink | Predicted::KinkOnBreakpoint => 1.0,
            Predicted::Exact | Predicted::NotAnalytic => continue,
        };
        let fit: Vec<&(f64, f64)> = data.iter().collect();
        if let Some(mid) = fit.get(fit.len() / 2) {
            // Dashed and drawn 4× above the data, so the slopes can be compared by eye.
            let line: Vec<(f64, f64)> = [xmin, xmax]
                .iter()
                .map(|s| (*s, 4.0 * mid.1 * libm::pow(s / mid.0, k)))
                .collect();
            chart
                .draw_series(DashedLineSeries::new(
                    line,
                    8,
                    6,
                    colour.mix(0.6).stroke_width(1),
                ))
                .map_err(e)?
                .label(format!(
                    "{} predicted slope {} (reference, offset ×4)",
                    v.label,
                    v.predicted.label()
                ))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.mix(0.6)));
        }
    }
    legend(&mut chart)
}

/// The relative deviation ρ(σ) against σ, with τ and σ* marked (`.svg` or `.png`).
pub fn sigma(
    path: &str,
    title: &str,
    s: &crate::analysis::instance::SigmaStar,
) -> Result<(), String> {
    to_file!(path, "--sigma-plot", |root| draw_sigma(root, title, s))
}

fn draw_sigma<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    s: &crate::analysis::instance::SigmaStar,
) -> Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let pts: Vec<(f64, f64)> = s
        .curve
        .iter()
        .copied()
        .filter(|p| p.1 > 0.0 && p.1.is_finite())
        .collect();
    if pts.is_empty() {
        return Err("nothing to plot: the deviation is zero on the whole grid".into());
    }
    let (xmin, xmax) = (pts[0].0, pts[pts.len() - 1].0);
    let (ymin, ymax) = pts
        .iter()
        .fold((s.tau, s.tau), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(
            (xmin..xmax).log_scale(),
            (ymin / 3.0..ymax * 3.0).log_scale(),
        )
        .map_err(e)?;
    log_mesh(&mut chart, "‖y − (W·x + b)‖₂ / ‖W·x‖₂ (worst direction)")?;
    chart
        .draw_series(LineSeries::new(pts.clone(), BLUE.stroke_width(2)))
        .map_err(e)?
        .label("relative deviation ρ(σ), measured")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    chart
        .draw_series(DashedLineSeries::new(
            vec![(xmin, s.tau), (xmax, s.tau)],
            8,
            6,
            BLACK.stroke_width(1),
        ))
        .map_err(e)?
        .label(format!("τ = {}", s.tau))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    for (value, colour, label) in [
        (s.measured, RED, "σ* measured"),
        (
            s.estimate,
            GREEN,
            "σ* estimated from the first non-affine term",
        ),
    ] {
        if let Some(v) = value.filter(|v| *v >= xmin && *v <= xmax) {
            chart
                .draw_series(LineSeries::new(
                    vec![(v, ymin / 3.0), (v, ymax * 3.0)],
                    colour.stroke_width(2),
                ))
                .map_err(e)?
                .label(format!("{label}: {v:.3e}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
    }
    legend(&mut chart)
}

/// The grid and labels of a log–log plot against σ.
fn log_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>,
    y: &str,
) -> Result<(), String> {
    chart
        .configure_mesh()
        .x_desc("σ")
        .y_desc(y)
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(|x| x.to_string())
}

/// The legend, upper left.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|x| x.to_string())
}
