//! The command line as a user runs it: exit codes, formats, scripts on standard input.

use std::io::Write;
use std::process::{Command, Stdio};

fn taylornet(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taylornet"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn run_the_main_example() {
    let (code, out, _) = taylornet(&["run", "examples/linear_collapse.tn"], None);
    assert_eq!(code, 0);
    assert!(out.contains("W = λ²·W₂·W₁   [2×2 · 2×4 = 2×4]"));
    assert!(
        out.contains("W = λ¹⁰·W₁₀·W₉·W₈·W₇·W₆·W₅·W₄·W₃·W₂·W₁"),
        "{out}"
    );
}

#[test]
fn json_is_valid_and_complete() {
    let (code, out, _) = taylornet(
        &[
            "analyze",
            "--format",
            "json",
            "--order",
            "5",
            "tanh(W2·tanh(W1·x + b1) + b2)",
        ],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "affine");
    assert_eq!(v["k"], 3);
    assert_eq!(v["W"]["ascii"], "W2*W1");
    assert_eq!(v["W"]["tree"]["op"], "mul");
    for key in [
        "order",
        "input",
        "b",
        "remainder",
        "shapes",
        "assumptions",
        "conditions",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let (_, out, _) = taylornet(&["series", "sigmoid", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["coefficients"][9]["exact"], "31/1451520");
    let (_, out, _) = taylornet(&["classify", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let selu = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["activation"] == "selu")
        .unwrap();
    assert_eq!(selu["verdict"], "kink");
    // The lecture's claims, checked: sigmoid and selu wrong, tanh and relu right.
    let lecture: Vec<(String, bool)> = (v["lecture"].as_array().unwrap().iter())
        .map(|c| {
            (
                c["activation"].as_str().unwrap().to_string(),
                c["right"] == true,
            )
        })
        .collect();
    let expected = [
        ("sigmoid", false),
        ("tanh", true),
        ("relu", true),
        ("selu", false),
    ];
    assert_eq!(lecture, expected.map(|(a, r)| (a.to_string(), r)));
}

#[test]
fn errors_exit_nonzero_with_a_caret() {
    let (code, out, err) = taylornet(&["analyze", "tanh(W2··W1·x)"], None);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("expected an expression"), "{err}");
    assert!(err.contains("        ^"), "{err}");
    let (code, _, err) = taylornet(&["run", "no/such/file.tn"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"));
}

#[test]
fn scripts_on_standard_input() {
    let (code, out, _) = taylornet(&[], Some("W1 : 2x4\r\n:order 5\r\ntanh(W1·x)\r\n"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("affine up to O(ε³)"));
    let (code, _, err) = taylornet(&[], Some(""));
    assert_eq!(code, 0);
    assert!(err.contains("no expression"));
}

#[test]
fn latex_output_is_an_align_block() {
    let (code, out, _) = taylornet(
        &[
            "analyze",
            "--format",
            "latex",
            "tanh(W2·tanh(W1·x + b1) + b2)",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("\\begin{align*}"));
    assert!(out.contains("W &= W_{2} W_{1}"), "{out}");
    assert!(out.contains("\\mathcal{O}(\\varepsilon^{3})"));
    // The conditions and assumptions the text report states are in the block too (from a
    // review: it said "a kink" where the text said "conditional", with no condition).
    let (code, out, _) = taylornet(
        &[
            "analyze",
            "--format",
            "latex",
            "leaky_relu(W1·x + b1; a = α)",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("\ncondition: the first non-affine terms vanish iff $\\alpha= 1$"),
        "{out}"
    );
}

#[test]
fn verify_prints_a_verdict_and_plots() {
    let dir = std::env::temp_dir().join(format!("taylornet-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for ext in ["svg", "png"] {
        let path = dir.join(format!("residual.{ext}"));
        let (code, out, err) = taylornet(
            &[
                "verify",
                "--plot",
                path.to_str().unwrap(),
                "gelu(W2·gelu(W1·x + b1) + b2)",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("predicted 2") && out.contains("PASS"), "{out}");
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    }
    let (code, out, _) = taylornet(
        &[
            "verify",
            "--format",
            "json",
            "relu(W2·relu(W1·x + b1) + b2)",
        ],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["checks"][0]["predicted"], "kink");
    assert_eq!(v["checks"][0]["pass"], true);
    assert_eq!(v["checks"][0]["rows"].as_array().unwrap().len(), 7);
    let (code, _, err) = taylornet(&["verify", "--plot", "x.pdf", "tanh(W1·x)"], None);
    assert_eq!(code, 2);
    assert!(err.contains(".svg or .png"));
}

#[test]
fn a_failed_write_is_an_io_error_not_a_crash() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        return; // not a Linux-like system
    };
    let out = Command::new(env!("CARGO_BIN_EXE_taylornet"))
        .args(["analyze", "tanh(x)"])
        .stdout(full.try_clone().unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal failure"),
        "{err}"
    );
    // Help and the version are answers too (from a review: they ended with 0, nothing written).
    for args in [&["--help"][..], &["--version"], &["help", "analyze"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_taylornet"))
            .args(args)
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
    let (code, _, err) = taylornet(&["--no-such-option"], None);
    assert_eq!(code, 2, "{err}");
    // With standard error full too, the exit code still says what happened.
    let out = Command::new(env!("CARGO_BIN_EXE_taylornet"))
        .args(["analyze", "tanh(x)"])
        .stdout(full.try_clone().unwrap())
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A closed standard output is a failed write too (it ended with 0, the answer lost).
    let Ok(sh) = Command::new("sh")
        .args([
            "-c",
            "\"$0\" analyze 'tanh(x)' >&-",
            env!("CARGO_BIN_EXE_taylornet"),
        ])
        .output()
    else {
        return; // no POSIX shell
    };
    assert_eq!(sh.status.code(), Some(2));
    let err = String::from_utf8_lossy(&sh.stderr);
    assert!(err.contains("cannot write to standard output"), "{err}");
}

#[test]
fn a_script_keeps_the_results_before_a_failing_statement() {
    let dir = std::env::temp_dir().join(format!("taylornet-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("partial.tn");
    std::fs::write(&path, "tanh(W·x)\ntanhh(x)\n").unwrap();
    let (code, out, err) = taylornet(&["run", path.to_str().unwrap()], None);
    assert_eq!(code, 1);
    // The user's W beside the affine form's, which is named apart.
    assert!(out.contains("W_eff = W"), "{out}");
    assert!(err.contains("unknown function `tanhh`"), "{err}");
    let (code, _, err) = taylornet(&["run", "/dev/zero"], None);
    assert_eq!(code, 2);
    assert!(err.contains("larger than the limit"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn options_are_checked_and_negative_points_need_no_equals_sign() {
    let (code, out, _) = taylornet(&["series", "tanh", "--at", "-2", "-n", "2"], None);
    assert_eq!(code, 0);
    assert!(out.contains("tanh at −2"), "{out}");
    let (code, _, err) = taylornet(&["series", "tahn"], None);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `tanh`?"), "{err}");
    let (code, _, err) = taylornet(&["analyze", "--input", "", "tanh(x)"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--input needs a name"), "{err}");
    let (code, _, err) = taylornet(&["analyze", "--input", "λ", "tanh(λ·x)"], None);
    assert_eq!(code, 2);
    assert!(err.contains("must be a vector"), "{err}");
    let (code, _, err) = taylornet(&["classify", "--plot", "p.svg"], None);
    assert_eq!(code, 2);
    assert!(err.contains("add --verify"), "{err}");
    let (code, _, err) = taylornet(&["classify", "--verify", "--plot", "p.txt"], None);
    assert_eq!(code, 2);
    assert!(err.contains(".svg or .png"), "{err}");
}

#[test]
fn endless_standard_input_is_refused() {
    let big = "x".repeat((1 << 20) + 10);
    let mut child = Command::new(env!("CARGO_BIN_EXE_taylornet"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may stop reading once past the limit: a broken pipe here is expected.
    let _ = child.stdin.take().unwrap().write_all(big.as_bytes());
    let out = child.wait_with_output().unwrap();
    let (code, err) = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(code, 2);
    assert!(err.contains("longer than the limit"), "{err}");
}

#[test]
fn a_statement_past_its_memory_ceiling_or_time_budget_is_an_error_naming_the_limit() {
    // The expansion of this network to order 9 holds a few hundred MB at its peak. (It does
    // not read the input x: at the default order 3 it is decided there, affine by its form.)
    let net = "b - gelu_tanh(silu(y - ones))";
    let analyze_within = |limit: [&str; 2]| {
        taylornet(
            &[&limit[..], &["analyze", "--order", "9", "-f", "json", net]].concat(),
            None,
        )
    };
    let (code, out, err) = analyze_within(["--max-memory", "32"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("limit `max_memory`"), "{err}");
    assert!(out.is_empty(), "a result cut short is never printed: {out}");
    // Its expansion takes a good part of a second: a budget of 0.05 s stops it, and nothing is
    // printed. (That printing observes the budget too is tested on the session, where the
    // printing's budget can be set apart from the analysis's.)
    let (code, out, err) = analyze_within(["--time-budget", "0.05"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("limit `time_budget`"), "{err}");
    assert!(out.is_empty());
    for bad in [["--max-memory", "0"], ["--time-budget", "-1"]] {
        let (code, _, err) = taylornet(&[bad[0], bad[1], "analyze", "x"], None);
        assert_eq!(code, 2, "{err}");
    }
    // A budget past what the clock holds is no deadline (from a review: it panicked).
    let (code, out, err) = taylornet(&["--time-budget", "1e19", "analyze", "tanh(W·x)"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verdict: affine"), "{out}");
}

/// A series report observes the time budget as the expansion does: this one is computed in
/// a few tens of milliseconds and takes several times as long to write as MathML, so a budget
/// of 0.07 s stops it (while writing, on this machine) and nothing is printed.
#[test]
fn a_series_past_its_time_budget_prints_nothing() {
    // tanh composed 50 deep at order 1000 takes seconds (coefficients of thousands of digits),
    // far past the budget on any machine; sigmoid composed 4 deep at order 10, used before,
    // became fast enough to finish within it on a quick run.
    let s = format!("{}t{}", "tanh(".repeat(50), ")".repeat(50));
    let (code, out, err) = taylornet(
        &[
            "--time-budget",
            "0.07",
            "series",
            &s,
            "--order",
            "1000",
            "-f",
            "html",
        ],
        None,
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("limit `time_budget`"), "{err}");
    assert!(
        out.is_empty(),
        "a report cut short is never printed: {} bytes",
        out.len()
    );
}

#[test]
fn numbers_with_thousands_of_digits_print_by_their_leading_digits() {
    let (code, out, err) = taylornet(&["analyze", "silu(selu(v/1e4096))"], None);
    assert_eq!(code, 0, "{err}");
    // 10⁻⁴⁰⁹⁶ exactly; the ASCII form in JSON stays exact and reads back.
    assert!(out.contains("u₁ = 1·10⁻⁴⁰⁹⁶·v"), "{out}");
    assert!(out.contains("b = 7.02200082050…·10⁻⁴⁰⁹⁷·v"), "{out}");
}

#[test]
fn a_term_that_doubles_at_every_layer_is_measured_before_it_is_written() {
    // Written out in the input's symbols, the first non-affine term of 14 ReLU layers has
    // nested |·| whose size doubles per layer; the report says so instead of printing it.
    let (code, out, err) = taylornet(&["analyze", "net(relu, 14)"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "in the input's terms: 14 terms (more than 200000 factors written out: not printed)"
        ),
        "{out}"
    );
    let (code, out, err) = taylornet(&["analyze", "-f", "json", "net(relu, 14)"], None);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["first_nonaffine"]["expanded"].is_null());
    assert!(v["first_nonaffine"]["layered"]["ascii"].is_string());
    // A small network's term is printed in full.
    let (_, out, _) = taylornet(&["analyze", "-f", "json", "net(relu, 4)"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["first_nonaffine"]["expanded"]["ascii"].is_string());
}

#[test]
fn constants_that_nest_others_are_named_once_and_their_values_hold() {
    let value_after = |out: &str, prefix: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no line `{prefix}` in\n{out}"));
        line.rsplit(' ')
            .next()
            .and_then(|v| v.replace('−', "-").parse().ok())
            .unwrap_or_else(|| panic!("no value in `{line}`"))
    };
    // tanh(1 + tanh(1 + tanh(t))): the outer layer's value holds the inner one's.
    let (code, out, _) = taylornet(&["series", "tanh(1+tanh(1+tanh(t)))", "--order", "1"], None);
    assert_eq!(code, 0, "{out}");
    let (t1, k1) = (1f64.tanh(), (1.0 + 1f64.tanh()).tanh());
    assert!(out.contains("   0  κ₁ "), "{out}");
    assert!(
        out.contains("where\n  κ₁ = tanh(1 + tanh(1))  ≈ 0.942681\n"),
        "{out}"
    );
    assert!((value_after(&out, "κ₁ =") - k1).abs() < 1e-6);
    // c₁ is the chain rule's product of slopes, (1 − κ₁²)(1 − tanh(1)²).
    assert!(
        out.contains("   1  1 − tanh(1)² + tanh(1)²·κ₁² − κ₁² "),
        "{out}"
    );
    assert!((value_after(&out, "1  1 −") - (1.0 - k1 * k1) * (1.0 - t1 * t1)).abs() < 1e-6);

    // sigmoid∘3 at 0: κ₁ = e^(−σ(σ(0))) and κ₂ = 1 + κ₁, so c₀ = κ₂⁻¹ = σ(σ(σ(0))).
    let (code, out, _) = taylornet(
        &["series", "sigmoid(sigmoid(sigmoid(t)))", "--order", "1"],
        None,
    );
    assert_eq!(code, 0, "{out}");
    let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
    assert!(out.contains("  κ₁ = exp(−(1 + 1/√e)⁻¹)  ≈ "), "{out}");
    assert!(out.contains("  κ₂ = 1 + κ₁  ≈ "), "{out}");
    assert!((value_after(&out, "κ₁ =") - (-sigma(sigma(0.0))).exp()).abs() < 1e-6);
    assert!(out.contains("   0  κ₂⁻¹ "), "{out}");
    assert!((value_after(&out, "0  κ₂⁻¹") - sigma(sigma(sigma(0.0)))).abs() < 1e-6);

    // The class line of a kink names them too; a symbolic constant has no value to show.
    let (_, out, _) = taylornet(
        &[
            "series",
            "relu(sigmoid(sigmoid(sigmoid(t))) - sigmoid(sigmoid(sigmoid(0))))",
            "--order",
            "1",
        ],
        None,
    );
    assert!(
        out.contains("slopes 0 (left) and κ₁·(1 + 1/√e)⁻²·κ₂⁻²/(4√e) ≈ 0.013352"),
        "{out}"
    );
    let (_, out, _) = taylornet(&["series", "tanh(1+tanh(λ+tanh(t)))", "--order", "1"], None);
    assert!(out.ends_with("where\n  κ₁ = tanh(1 + tanh(λ))\n"), "{out}");

    // A constant that nests none is written out: no names.
    let (_, out, _) = taylornet(&["series", "sigmoid(sigmoid(t))", "--order", "1"], None);
    assert!(
        !out.contains("where") && out.contains("(1 + 1/√e)⁻¹"),
        "{out}"
    );
}

#[test]
fn a_series_of_an_expression_is_written_as_that_expression_in_its_own_variable() {
    let (code, out, _) = taylornet(
        &[
            "series",
            "tanh(tanh(x))",
            "--order",
            "3",
            "--format",
            "latex",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}");
    // tanh(tanh(x)) = x − (1/3 + 1/3)x³ + O(x⁴), and not `\operatorname{tanh(tanh(x))}(t)`.
    assert!(
        out.contains(r"&\tanh\bigl(\tanh(x)\bigr) = x - \tfrac{2}{3} x^{3} + \mathcal{O}(x^{4})"),
        "{out}"
    );
    // To order 0 the remainder is O(t), not O(t¹).
    let (_, out, _) = taylornet(&["series", "tanh", "--order", "0"], None);
    assert!(out.ends_with("s(a + t) = O(t)\n"), "{out}");
    let (_, out, _) = taylornet(
        &["series", "relu(x)", "--order", "2", "--format", "latex"],
        None,
    );
    assert!(
        out.contains("for $x < 0$") && out.contains(r"\operatorname{relu}(x) = x"),
        "{out}"
    );
}

#[test]
fn verify_refuses_a_format_it_does_not_write() {
    // From a review: `verify --format latex` printed the text table.
    let (code, out, err) = taylornet(&["verify", "--format", "latex", "tanh(W1·x)"], None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("`verify` writes text or json"), "{err}");
}

/// A line of standard input that is not UTF-8 loses its entry, not the session or the lines
/// after it (from a review: the rest of the input was dropped).
#[test]
fn a_line_that_is_not_utf8_loses_only_its_entry() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taylornet"))
        .arg("repl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"W1 : 2x4\nx + \xff\n:env\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stderr.contains("line 2 of standard input is not valid UTF-8 (byte 5)"),
        "{stderr}"
    );
    // `:env` ran after it, with the declaration of line 1.
    assert!(stdout.matches("W₁ : 2×4").count() >= 2, "{stdout}");
    assert_eq!(out.status.code(), Some(1));
}

/// Options that are not what they claim are refused, not read as something else (from a
/// review: `--input 3` analysed an input named ₃, and `--sigma …:0` was clamped to 2 rows).
#[test]
fn input_small_and_sigma_options_are_checked() {
    for args in [
        &["analyze", "--input", "3", "tanh(W1·x)"][..],
        &["analyze", "--input", "x y", "tanh(W1·x)"],
        &["analyze", "--input", "tanh", "tanh(W1·x)"],
        &["analyze", "--small", ",", "tanh(W1·x)"],
        &["analyze", "--small", "★", "tanh(W1·x)"],
        &["verify", "--sigma", "1e-1:1e-4:0", "tanh(W1·x)"],
        &["verify", "--sigma", "1e-1:1e-4:1000000", "tanh(W1·x)"],
        &["verify", "--sigma", "5,5,5", "tanh(W1·x)"],
    ] {
        let (code, out, err) = taylornet(args, None);
        assert!(
            code == 2 && out.is_empty() && err.starts_with("error: --"),
            "{args:?}: {err}"
        );
    }
}

/// An error in `series --at` is shown against that text.
#[test]
fn a_series_point_error_shows_the_point() {
    let (code, _, err) = taylornet(&["series", "tanh", "--at", "1+★"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("--at:line 1, column 3") && err.contains("1 | 1+★"),
        "{err}"
    );
}

/// `--epsilon NAME` where the source uses NAME would write two things as one (from a review:
/// `O(σ⁴)` beside a parameter σ).
#[test]
fn the_small_parameters_symbol_cannot_be_a_name_of_the_source() {
    let (code, out, err) = taylornet(
        &[
            "derive",
            "--format",
            "latex",
            "--epsilon",
            "σ",
            "tanh(σ·W1·x)",
        ],
        None,
    );
    assert!(
        code == 2 && out.is_empty() && err.contains("--epsilon σ"),
        "{err}"
    );
    let (code, out, _) = taylornet(
        &[
            "derive",
            "--format",
            "latex",
            "--epsilon",
            "σ",
            "tanh(λ·W1·x)",
        ],
        None,
    );
    assert!(code == 0 && out.contains("\\sigma^{"), "{out}");
    // What is no name at all broke the LaTeX (`O(_{\mathrm{}}}^{3})`; from a review).
    for bad in ["}", "", "1x", "a b"] {
        let (code, out, err) = taylornet(
            &[
                "derive",
                "--format",
                "latex",
                "--epsilon",
                bad,
                "tanh(W1·x)",
            ],
            None,
        );
        assert!(
            code == 2 && out.is_empty() && err.contains("is not a name"),
            "{bad:?}: {err}"
        );
    }
    // Nor a name the derivation writes for its own (from a review: O(u₁⁴) beside u₁).
    for own in ["u_1", "u₂", "c_2", "t", "k", "W", "κ₁"] {
        let (code, _, err) = taylornet(
            &[
                "derive",
                "--format",
                "latex",
                "--epsilon",
                own,
                "tanh(W1·x)",
            ],
            None,
        );
        assert!(
            code == 2 && err.contains("the derivation writes that name"),
            "{own}: {err}"
        );
    }
}

/// A file that is not there is that error, and `analyze` given a file says what takes one
/// (from a review: both were syntax errors at `.` and `/`).
#[test]
fn a_path_is_read_as_a_path() {
    let (code, out, err) = taylornet(&["derive", "nothere.tn"], None);
    assert!(
        code == 2 && out.is_empty() && err.contains("cannot read nothere.tn"),
        "{err}"
    );
    let (code, _, err) = taylornet(&["derive", "/tmp"], None);
    assert!(code == 2 && err.contains("cannot read /tmp"), "{err}");
    for cmd in ["analyze", "verify"] {
        let (code, _, err) = taylornet(&[cmd, "examples/linear_collapse.tn"], None);
        assert!(
            code == 2 && err.contains("names a file") && err.contains("taylornet run"),
            "{cmd}: {err}"
        );
    }
    // Statements with a division are statements.
    let (code, out, _) = taylornet(&["analyze", "W/2·x"], None);
    assert!(code == 0 && out.contains("verdict"), "{out}");
}

#[test]
fn a_plot_that_cannot_be_written_keeps_the_report_and_names_the_path() {
    // From a review: the report was lost and the error named no file.
    let (code, stdout, stderr) = taylornet(
        &["verify", "tanh(W1·x)", "--plot", "/nonexistent/dir/p.svg"],
        None,
    );
    assert_eq!(code, 2);
    assert!(stdout.contains("PASS"), "{stdout}");
    assert!(
        stderr.contains("cannot write the plot to /nonexistent/dir/p.svg"),
        "{stderr}"
    );
}

/// Errors a new user meets say what to write instead (from a review: "found `[`" alone,
/// "the point must be a scalar" alone, one message for two options).
#[test]
fn errors_say_what_to_write_instead() {
    let (code, _, err) = taylornet(&["analyze", "W1 : 2x4; tanh(W1·x + [1, 2])"], None);
    assert!(code != 0 && err.contains("given a name first"), "{err}");
    let (code, _, err) = taylornet(&["series", "tanh", "--at", "foo"], None);
    assert!(code != 0 && err.contains("a scalar parameter"), "{err}");
    let (code, _, err) = taylornet(&["classify", "--depth", "0"], None);
    assert!(
        code == 2 && err.contains("--depth must be between 1 and 16, not 0"),
        "{err}"
    );
    let (code, _, err) = taylornet(&["classify", "--order", "17"], None);
    assert!(
        code == 2 && err.contains("--order must be between 1 and"),
        "{err}"
    );
    let (code, _, err) = taylornet(&["analyze", "--at", "x0=[1,2", "tanh(W1·x)"], None);
    assert!(code != 0 && err.contains("never closed"), "{err}");
}
