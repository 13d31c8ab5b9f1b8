//! The README's tour is a test: every `$ taylornet …` block must print exactly what the README shows.

use std::process::Command;

/// Splits a command line the way a POSIX shell does for single-quoted words.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

#[test]
fn readme_tour_matches_the_program() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut checked = 0;
    let mut rest = readme.as_str();
    while let Some(i) = rest.find("```console\n") {
        let block = &rest[i + 11..];
        let end = block.find("```\n").expect("a closed block");
        let body = &block[..end];
        rest = &block[end..];
        let Some(cmd) = body
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("$ taylornet "))
        else {
            continue;
        };
        let expected: String = body.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_taylornet"))
            .args(words(cmd))
            .output()
            .unwrap();
        let got = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            got, expected,
            "README block `taylornet {cmd}` is out of date"
        );
        checked += 1;
    }
    assert!(checked >= 5, "the README tour should have its examples");
}
