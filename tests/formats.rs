//! Derivations in Typst, HTML with MathML and JSON: every formula parses, the notation options
//! apply, and the lecture's document is kept as a snapshot in every format.

mod common;
use common::examples;
use taylornet::Document;
use taylornet::Session;
use taylornet::derive_source;
use taylornet::render::{DocFormat, to_typst, typst_formulas, write};
use taylornet::render::{Hadamard, Notation};

/// The examples, every catalog activation at depth 2, and tanh/gelu/sigmoid at order 9.
fn documents() -> Vec<(String, Document)> {
    let mut sources = examples();
    for act in Session::new().catalog() {
        sources.push((act.ascii(), format!("net({}, 2)", act.ascii())));
    }
    for act in ["tanh", "gelu", "sigmoid"] {
        sources.push((
            format!("{act}-9"),
            format!(":order 9\n{act}(W2·{act}(W1·x + b1) + b2)"),
        ));
    }
    sources
        .into_iter()
        .map(|(name, src)| {
            let mut s = Session::new();
            let doc = derive_source(&mut s, &src, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, doc)
        })
        .collect()
}

fn lecture() -> Document {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/lecture.tn"))
        .unwrap();
    derive_source(&mut Session::new(), &src, "Derivation: lecture.tn").unwrap()
}

#[test]
fn the_typst_parser_rejects_invalid_math() {
    assert!(!typst_syntax::parse_math("frac(1, ").errors().is_empty());
    assert!(
        typst_syntax::parse_math("1/48 W_2 u_1^(∘ 3)")
            .errors()
            .is_empty()
    );
}

#[test]
fn every_typst_formula_and_document_parses() {
    let notation = Notation::default();
    for (name, doc) in documents() {
        let formulas = typst_formulas(&doc.lines, &notation);
        assert!(!formulas.is_empty(), "{name}: no formulas");
        for f in &formulas {
            let errors = typst_syntax::parse_math(f).errors();
            assert!(
                errors.is_empty(),
                "{name}: invalid Typst math `{f}`: {errors:?}"
            );
        }
        let whole = write(&doc, DocFormat::Typst, true, &notation);
        let errors = typst_syntax::parse(&whole).errors();
        assert!(
            errors.is_empty(),
            "{name}: invalid Typst document: {errors:?}"
        );
        // A word of several letters in math is a variable to Typst unless quoted.
        for f in &formulas {
            assert!(!f.contains("sigmoid("), "{name}: unquoted name in `{f}`");
        }
    }
}

/// Where the Typst compiler is installed, every document compiles with nothing said: no error,
/// no warning (an unknown font, a variable Typst would read in a word of letters).
#[test]
fn every_typst_document_compiles_when_typst_is_installed() {
    if !common::installed("typst", "the compile check (the Typst still parses)") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("taylornet-typst-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let notation = Notation::default();
    let mut complaints = Vec::new();
    for (name, doc) in documents() {
        let file = dir.join(format!(
            "{}.typ",
            name.replace(['(', ')', ',', ' ', '.'], "_")
        ));
        std::fs::write(&file, write(&doc, DocFormat::Typst, true, &notation)).unwrap();
        let run = std::process::Command::new("typst")
            .arg("compile")
            .arg(&file)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&run.stderr).trim().to_string();
        if !run.status.success() || !said.is_empty() {
            complaints.push(format!("{name}: {said}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

#[test]
fn every_html_formula_is_mathml() {
    let notation = Notation::default();
    for (name, doc) in documents() {
        let html = write(&doc, DocFormat::Html, true, &notation);
        assert!(html.contains("<math"), "{name}");
        assert!(
            !html.contains("<merror"),
            "{name}: a formula MathML could not hold"
        );
        assert!(
            !html.contains("<code>"),
            "{name}: a formula fell back to source"
        );
        assert!(html.starts_with("<!DOCTYPE html>"));
    }
}

#[test]
fn the_json_document_carries_the_lines_and_the_steps() {
    let doc = lecture();
    let v: serde_json::Value =
        serde_json::from_str(&write(&doc, DocFormat::Json, false, &Notation::default())).unwrap();
    let lines = v["lines"].as_array().unwrap();
    assert!(
        lines.iter().any(|l| l["line"] == "equation"
            && l["text"].as_str().unwrap().contains("tanh(t) = t − ⅓·t³"))
    );
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 6, "one result per analysed network");
    assert!(
        results
            .iter()
            .all(|r| r["derivation"].as_array().is_some_and(|s| !s.is_empty()))
    );
}

#[test]
fn the_notation_options_apply() {
    let src = "tanh(W2·tanh(W1·x + b1) + b2)";
    let doc = derive_source(&mut Session::new(), src, "t").unwrap();
    let notation = Notation {
        hadamard: Hadamard::Odot,
        small: taylornet::Name::parse("σ").unwrap(),
    };
    let tex = write(&doc, DocFormat::Latex, false, &notation);
    assert!(
        tex.contains("u_{1}^{\\odot 3}") && !tex.contains("\\circ"),
        "{tex}"
    );
    assert!(
        tex.contains("\\mathcal{O}(\\sigma^{4})") && !tex.contains("varepsilon"),
        "{tex}"
    );
    let typ = to_typst(&doc.lines, &notation);
    assert!(
        typ.contains("u_1^(⊙ 3)") && typ.contains("cal(O)(σ^(4))"),
        "{typ}"
    );
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn the_lecture_in_every_format() {
    let doc = lecture();
    let notation = Notation::default();
    settings().bind(|| {
        insta::assert_snapshot!(
            "derive_lecture_typst",
            write(&doc, DocFormat::Typst, true, &notation)
        );
        insta::assert_snapshot!(
            "derive_lecture_html",
            write(&doc, DocFormat::Html, true, &notation)
        );
        // The document's lines; its results are the `run` results, kept in example_*_json.
        let json: serde_json::Value =
            serde_json::from_str(&write(&doc, DocFormat::Json, false, &notation)).unwrap();
        insta::assert_snapshot!(
            "derive_lecture_json",
            serde_json::to_string_pretty(&json["lines"]).unwrap()
        );
        insta::assert_snapshot!(
            "derive_lecture_latex_standalone",
            write(&doc, DocFormat::Latex, true, &notation)
        );
    });
}
