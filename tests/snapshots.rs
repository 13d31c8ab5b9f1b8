//! Snapshots: every example's text, LaTeX and JSON; the catalog; and the rendered errors of bad input.
//!
//! Review changes with `cargo insta review` (CONTRIBUTING.md). These tests fix the text;
//! the meaning is asserted by the other integration tests.

use std::path::Path;
use taylornet::Format;
use taylornet::Session;
use taylornet::render_outcomes;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tn"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().to_string()
}

#[test]
fn examples() {
    for path in files("examples") {
        let src = std::fs::read_to_string(&path).unwrap();
        for (fmt, label) in [
            (Format::Text, "text"),
            (Format::Latex, "latex"),
            (Format::Json, "json"),
        ] {
            let mut s = Session::new();
            let out = s
                .run(&src)
                .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render(&src, "")));
            let rendered = render_outcomes(&out, fmt, &s.options.limits);
            settings().bind(|| {
                insta::assert_snapshot!(format!("example_{}_{label}", stem(&path)), rendered)
            });
        }
    }
}

#[test]
fn example_derivations() {
    use taylornet::render::{to_latex, to_text};
    for path in files("examples") {
        let src = std::fs::read_to_string(&path).unwrap();
        let mut s = Session::new();
        let doc = taylornet::derive_source(&mut s, &src, &stem(&path)).unwrap();
        settings().bind(|| {
            insta::assert_snapshot!(format!("derive_{}_text", stem(&path)), to_text(&doc.lines))
        });
        settings().bind(|| {
            insta::assert_snapshot!(
                format!("derive_{}_latex", stem(&path)),
                to_latex(&doc.lines)
            )
        });
    }
}

#[test]
fn errors_per_phase() {
    for phase in ["parse", "name", "shape", "command", "limit"] {
        for path in files(&format!("tests/errors/{phase}")) {
            let src = std::fs::read_to_string(&path).unwrap();
            let mut s = Session::new();
            let before = format!("{:?}", s.env.bindings.keys().collect::<Vec<_>>());
            let err = s
                .run(&src)
                .expect_err(&format!("{} should fail", path.display()));
            let rendered = err.render(&src, &format!("{phase}/{}.tn", stem(&path)));
            assert!(!rendered.contains("panicked"));
            assert_eq!(
                before,
                format!("{:?}", s.env.bindings.keys().collect::<Vec<_>>())
            );
            settings().bind(|| {
                insta::assert_snapshot!(format!("error_{phase}_{}", stem(&path)), rendered)
            });
        }
    }
}

#[test]
fn catalog_table_and_series() {
    let mut s = Session::new();
    let out = s.run(":classify").unwrap();
    settings().bind(|| {
        insta::assert_snapshot!(
            "catalog_classify",
            render_outcomes(&out, Format::Text, &s.options.limits)
        )
    });
    let mut all = String::new();
    for name in s.catalog() {
        let r = s.series(&name.ascii(), None, 7).unwrap();
        all.push_str(&taylornet::render::report::series_text(&r));
        all.push('\n');
    }
    settings().bind(|| insta::assert_snapshot!("catalog_series", all));
}
