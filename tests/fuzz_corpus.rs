//! The fuzz corpus and every past crash replay in the ordinary test suite (no panics, bounded time).

#[test]
fn corpus_and_regressions_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus/parse", "corpus/pipeline", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_none_or(|x| x != "md"))
            .collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let t = std::time::Instant::now();
            taylornet::fuzz::parse(&data);
            taylornet::fuzz::pipeline(&data);
            assert!(
                t.elapsed() < std::time::Duration::from_secs(30),
                "{} took {:?}",
                f.display(),
                t.elapsed()
            );
            n += 1;
        }
    }
    assert!(n >= 30, "only {n} corpus files");
}
