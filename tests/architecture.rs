//! The library's imports run one way along the pipeline, and this test keeps them so.
//!
//! It reads every `crate::module` path in `src/` (comments and `#[cfg(test)]`
//! modules aside; `src/bin/` is a separate crate) and builds the graph of
//! top-level modules. Two checks: the graph has no cycle, and every edge points
//! to a lower layer of [`LAYERS`], the order `docs/architecture.md` draws. A new
//! module must be placed in a layer here, which is the point: someone decides
//! where it belongs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may import only from layers below its own.
const LAYERS: &[&[&str]] = &[
    &["limits"],
    &["diagnostic"],
    &["syntax"],
    &["float"],
    &["algebra"],
    &["ir"],
    &["series"],
    &["print"],
    &["numeric"],
    &["analysis"],
    &["verify"],
    &["model"],
    &["derive"],
    &["report", "plot"],
    &["session"],
    &["selfcheck", "harness"],
];

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// The source without line comments and without a trailing `#[cfg(test)] mod tests`.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named by `crate::NAME` in `text`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        // `taylornet::crate::` cannot occur; skip `$crate::` in macros.
        if text[..i].ends_with('$') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// module → imported module → the files that import it.
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut g = Graph::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("a file under src/");
        let first = rel.components().next().expect("a path");
        let top = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "bin" || top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("a readable source file");
        let entry = g.entry(top.clone()).or_default();
        for m in imports(&code(&text)) {
            if m != top {
                entry
                    .entry(m)
                    .or_default()
                    .insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    g
}

fn layer(m: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&m))
}

#[test]
fn every_module_has_a_layer() {
    let g = graph();
    let missing: Vec<&String> = g.keys().filter(|m| layer(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules without a layer in tests/architecture.rs: {missing:?}"
    );
}

#[test]
fn imports_point_down_the_pipeline() {
    let g = graph();
    let mut wrong = Vec::new();
    for (from, tos) in &g {
        for (to, files) in tos {
            if let (Some(a), Some(b)) = (layer(from), layer(to))
                && b >= a
            {
                wrong.push(format!("{from} → {to} (in {files:?})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_cycle() {
    // Kahn's algorithm: repeatedly remove modules that import nothing left.
    let g = graph();
    let mut left: BTreeMap<&str, BTreeSet<&str>> = g
        .iter()
        .map(|(m, tos)| {
            let deps = tos
                .keys()
                .filter(|t| g.contains_key(*t))
                .map(String::as_str)
                .collect();
            (m.as_str(), deps)
        })
        .collect();
    loop {
        let free: Vec<&str> = left
            .iter()
            .filter(|(_, d)| d.is_empty())
            .map(|(m, _)| *m)
            .collect();
        if free.is_empty() {
            break;
        }
        for m in &free {
            left.remove(m);
        }
        for deps in left.values_mut() {
            for m in &free {
                deps.remove(m);
            }
        }
    }
    assert!(
        left.is_empty(),
        "modules in an import cycle: {:?}",
        left.keys().collect::<Vec<_>>()
    );
}

#[test]
fn the_checker_sees_imports() {
    let text = "use crate::algebra::Expr;\n// crate::session in a comment\nlet x = crate::print::unicode(e);\n#[cfg(test)]\nmod tests {\n use crate::session;\n}";
    let found: Vec<String> = imports(&code(text)).into_iter().collect();
    assert_eq!(found, ["algebra", "print"]);
    let g = graph();
    assert!(g["analysis"].contains_key("algebra"));
}
