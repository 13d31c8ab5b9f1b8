//! Helpers shared by the integration tests.

/// The `.tn` examples, by file name, sorted.
pub fn examples() -> Vec<(String, String)> {
    let mut v: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tn"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Whether `tool` runs (`tool --version`); when it does not, says on stderr which check is
/// skipped (`skipped`), so a machine without it passes the suite and the log tells why.
pub fn installed(tool: &str, skipped: &str) -> bool {
    let ok = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("{tool} is not installed: skipping {skipped}");
    }
    ok
}
