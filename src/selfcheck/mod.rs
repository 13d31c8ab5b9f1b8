//! The self-check: random networks, every claim of their analysis checked numerically.
//!
//! [`generate`] draws a network of a [`Class`] from a seed; [`run_case`] analyses it
//! as `taylornet analyze` would and checks the verdict and k, `W`, `b`, the first
//! non-affine term and every derivation equation against the true network
//! ([`check`]); [`run`] does this for many seeds and collects a [`Summary`]
//! whose disagreements each carry the source text, the claim and the measurement.
//!
//! ```
//! use taylornet::check::{Class, run};
//! let summary = run(&[Class::Smooth], 3, 1);
//! assert_eq!(summary.cases, 3);
//! assert!(summary.disagreements.is_empty(), "{summary}");
//! ```

pub(crate) mod check;
pub mod generate;

pub use check::{CheckKind, Finding};
pub use generate::{Case, Class, generate};

use crate::syntax::Name;
use std::collections::BTreeMap;
use std::fmt;

/// A claim of one case that the measurement contradicts (or could not measure).
#[derive(Clone, Debug)]
pub struct Disagreement {
    /// The generated network, reproducible from its class and seed.
    pub case: Case,
    /// The claim and what the true network does instead.
    pub finding: Finding,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(
            f,
            "[{} #{}] {}",
            self.case.class.name(),
            self.case.seed,
            self.case.command()
        )?;
        if !self.case.params.is_empty() {
            let ps: Vec<String> = self
                .case
                .params
                .iter()
                .map(|(n, v)| format!("{n} = {v}"))
                .collect();
            writeln!(f, "  parameters: {}", ps.join(", "))?;
        }
        writeln!(
            f,
            "  {} claimed: {}",
            self.finding.kind.name(),
            self.finding.claim
        )?;
        write!(f, "  measured: {}", self.finding.measurement)
    }
}

/// How many cases of a class were run, and how many had a disagreement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Cases run.
    pub cases: usize,
    /// Cases with at least one measured contradiction.
    pub disagreeing: usize,
    /// Cases with no measured contradiction but at least one claim that could not be measured.
    pub unchecked: usize,
}

/// The outcome of a run.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Cases run, over all classes.
    pub cases: usize,
    /// The counts of each class that was run.
    pub by_class: BTreeMap<Class, Tally>,
    /// Measured contradictions, in the order found.
    pub disagreements: Vec<Disagreement>,
    /// Claims that could not be evaluated numerically (an opaque value in them).
    pub unchecked: Vec<Disagreement>,
}

impl Summary {
    /// For each class and check, the disagreement with the shortest source, and how many there were.
    pub fn shortest(&self) -> Vec<(usize, &Disagreement)> {
        let mut best: BTreeMap<(Class, CheckKind), (usize, &Disagreement)> = BTreeMap::new();
        for d in self.disagreements.iter().chain(&self.unchecked) {
            let key = (d.case.class, d.finding.kind);
            let e = best.entry(key).or_insert((0, d));
            e.0 += 1;
            if d.case.source.len() < e.1.case.source.len() {
                e.1 = d;
            }
        }
        best.into_values().collect()
    }

    fn add(&mut self, case: &Case, findings: Vec<Finding>) {
        self.cases += 1;
        let t = self.by_class.entry(case.class).or_default();
        t.cases += 1;
        if findings.iter().any(|f| !f.unchecked) {
            t.disagreeing += 1;
        } else if !findings.is_empty() {
            t.unchecked += 1;
        }
        for finding in findings {
            let d = Disagreement {
                case: case.clone(),
                finding,
            };
            if d.finding.unchecked {
                self.unchecked.push(d);
            } else {
                self.disagreements.push(d);
            }
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        writeln!(
            f,
            "{}: {}, {} unchecked",
            count(self.cases, "case", "cases"),
            count(self.disagreements.len(), "disagreement", "disagreements"),
            count(self.unchecked.len(), "claim", "claims")
        )?;
        writeln!(
            f,
            "{:<20} {:>7} {:>12} {:>10}",
            "class", "cases", "disagreeing", "unchecked"
        )?;
        for (c, t) in &self.by_class {
            writeln!(
                f,
                "{:<20} {:>7} {:>12} {:>10}",
                c.name(),
                t.cases,
                t.disagreeing,
                t.unchecked
            )?;
        }
        let shortest = self.shortest();
        if !shortest.is_empty() {
            writeln!(
                f,
                "\nthe shortest case of each class and check (with the number of findings):"
            )?;
        }
        for (n, d) in shortest {
            writeln!(f, "({n}×) {d}")?;
        }
        Ok(())
    }
}

/// Analyses one case as `taylornet analyze` does, and checks every claim.
pub(crate) fn run_case(case: &Case) -> Vec<Finding> {
    let outcome = std::panic::catch_unwind(|| {
        let first = check_case(case, 0);
        if first
            .iter()
            .all(|f| f.unchecked || f.kind == CheckKind::Analysis)
        {
            return first;
        }
        // A disagreement must reproduce on a second, independent draw of the weights: a draw
        // that puts an operating point within σ of a breakpoint (which the report's stated
        // assumption excludes) is not one, while an error in the algebra shows on every draw.
        let second = check_case(case, 1);
        first
            .into_iter()
            .filter(|f| {
                f.unchecked
                    || f.kind == CheckKind::Analysis
                    || second
                        .iter()
                        .any(|g| g.kind == f.kind && g.claim == f.claim && !g.unchecked)
            })
            .collect()
    });
    match outcome {
        Ok(findings) => findings,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            vec![Finding {
                kind: CheckKind::Analysis,
                claim: "no panic on a well-formed network".into(),
                measurement: format!("panicked: {msg}"),
                unchecked: false,
            }]
        }
    }
}

/// The checks of one case with the `draw`-th independent set of weights.
fn check_case(case: &Case, draw: u64) -> Vec<Finding> {
    let mut s = crate::Session::new();
    if let Some(small) = &case.small {
        let names: Result<_, _> = small.iter().map(|n| Name::parse(n)).collect();
        match names {
            Ok(n) => s.options.small = Some(n),
            Err(e) => return vec![analysis_failed(e)],
        }
    }
    if let Err(e) = s.run(&case.source) {
        return vec![analysis_failed(e.message)];
    }
    let Some(last) = s.last.as_ref() else {
        return vec![analysis_failed("no expression was analysed".into())];
    };
    let functions = s.numeric_functions();
    let mut params = BTreeMap::new();
    for (n, v) in &case.params {
        if let Ok(name) = Name::parse(n) {
            params.insert(name, *v);
        }
    }
    let cx = check::Context {
        lowered: &last.lowered,
        analysis: &last.report.main,
        functions: &functions,
        params,
        seeds: vec![
            case.seed
                .wrapping_mul(3)
                .wrapping_add(1)
                .wrapping_add(draw << 32),
            case.seed
                .wrapping_mul(3)
                .wrapping_add(2)
                .wrapping_add(draw << 32),
        ],
    };
    check::check_report(&cx, &last.report)
}

fn analysis_failed(message: String) -> Finding {
    Finding {
        kind: CheckKind::Analysis,
        claim: "a well-formed network is analysed".into(),
        measurement: format!("failed: {message}"),
        unchecked: false,
    }
}

/// Runs `cases` cases of each class, seeds `seed`, `seed + 1`, ….
pub fn run(classes: &[Class], cases: u64, seed: u64) -> Summary {
    let mut summary = Summary::default();
    for &class in classes {
        for i in 0..cases {
            let case = generate(class, seed.wrapping_add(i));
            let findings = run_case(&case);
            summary.add(&case, findings);
        }
    }
    summary
}
