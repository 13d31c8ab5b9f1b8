//! Every ```tn block in docs/ runs without error; every ```tn-error block fails with a diagnostic.

use taylornet::Session;

#[test]
fn language_reference_examples_run() {
    let mut checked = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Fenced blocks: a line that starts with ``` opens (with its language) or closes one.
        let mut blocks: Vec<(String, String)> = Vec::new();
        let mut open: Option<(String, String)> = None;
        for line in text.lines() {
            match (line.strip_prefix("```"), open.take()) {
                (Some(lang), None) => open = Some((lang.trim().to_string(), String::new())),
                (Some(_), Some(b)) => blocks.push(b),
                (None, Some((lang, mut body))) => {
                    body.push_str(line);
                    body.push('\n');
                    open = Some((lang, body));
                }
                (None, None) => {}
            }
        }
        for (i, (lang, body)) in blocks.iter().enumerate() {
            let mut s = Session::new();
            match lang.as_str() {
                "tn" => {
                    s.run(body).unwrap_or_else(|e| {
                        panic!("{} block {i}:\n{}", path.display(), e.render(body, ""))
                    });
                    checked += 1;
                }
                "tn-error" => {
                    let e = s
                        .run(body)
                        .expect_err(&format!("{} block {i} should fail", path.display()));
                    assert!(!e.render(body, "").is_empty());
                    checked += 1;
                }
                _ => {}
            }
        }
    }
    assert!(checked >= 6);
}
