//! The long self-check run: random networks of every class, each claim checked numerically.
//!
//! ```console
//! cargo run --release --example selfcheck -- --cases 10000 --seed 1
//! cargo run --release --example selfcheck -- --cases 200 --class kink --all
//! ```
//!
//! `--cases N` is the total number of cases, shared evenly by the classes run;
//! `--class NAME` (repeatable) runs only those classes; `--all` prints every
//! disagreement, not only the shortest of each class and check.
//! The exit status is 1 when there is a disagreement.

use taylornet::check::{Class, run};

fn main() {
    let mut cases: u64 = 1200;
    let mut seed: u64 = 1;
    let mut classes: Vec<Class> = Vec::new();
    let mut all = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("error: {a} needs {what}");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--cases" => cases = number(&value("a number")),
            "--seed" => seed = number(&value("a number")),
            "--class" => {
                let name = value("a class name");
                match Class::from_name(&name) {
                    Some(c) => classes.push(c),
                    None => {
                        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
                        eprintln!(
                            "error: unknown class `{name}`; the classes are {}",
                            names.join(", ")
                        );
                        std::process::exit(2)
                    }
                }
            }
            "--all" => all = true,
            _ => {
                eprintln!("usage: selfcheck [--cases N] [--seed S] [--class NAME]… [--all]");
                std::process::exit(2)
            }
        }
    }
    if classes.is_empty() {
        classes = Class::ALL.to_vec();
    }
    let per_class = cases.div_ceil(classes.len() as u64);
    // A panic inside the engine is reported as a finding; its default message would interleave.
    std::panic::set_hook(Box::new(|_| {}));
    let summary = run(&classes, per_class, seed);
    print!("{summary}");
    if all {
        println!("\nevery finding:");
        for d in summary.disagreements.iter().chain(&summary.unchecked) {
            println!("{d}");
        }
    }
    if !summary.disagreements.is_empty() {
        std::process::exit(1);
    }
}

fn number(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| {
        eprintln!("error: `{s}` is not a whole number");
        std::process::exit(2)
    })
}
