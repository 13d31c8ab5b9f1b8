//! Derivations: every formula taylornet emits is valid TeX math, documents compile, steps carry the results.

mod common;
use common::examples;
use taylornet::Session;
use taylornet::Step;
use taylornet::derive_source;
use taylornet::render::{Line, formulas, lines, standalone, to_latex};

/// Parses one formula with a real TeX-math parser (pulldown-latex); `Err` says why it is invalid.
fn check_tex(f: &str) -> Result<(), String> {
    let storage = pulldown_latex::Storage::new();
    let parser = pulldown_latex::Parser::new(f, &storage);
    parser
        .collect::<Result<Vec<_>, _>>()
        .map(|_| ())
        .map_err(|e| format!("{e}"))
}

fn check_all(what: &str, fs: &[String]) {
    assert!(!fs.is_empty(), "{what}: no formulas");
    for f in fs {
        if let Err(e) = check_tex(f) {
            panic!("{what}: invalid LaTeX `{f}`: {e}");
        }
    }
}

#[test]
fn the_parser_rejects_invalid_latex() {
    assert!(check_tex("\\frac{1}{").is_err());
    assert!(check_tex("a^b^c").is_err());
    assert!(check_tex("\\frac{1}{\\sqrt{2\\pi}} W_{1} x").is_ok());
}

#[test]
fn analysis_latex_rows_are_valid() {
    for src in [
        "tanh(W2·tanh(W1·x + b1) + b2)",
        "sigmoid(W2·sigmoid(W1·x + b1) + b2)",
        "selu(W1·x + b1)",
        "leaky_relu(W1·x + b1; a = α)",
        "gelu(W1·x)",
    ] {
        let r = taylornet::analyze(src).unwrap();
        let limits = taylornet::Limits::default();
        let expr = taylornet::parse_expr(src, &limits).unwrap();
        let tex =
            taylornet::render::report::latex(&taylornet::render::report::source_latex(&expr), &r);
        // The display, then the notes after its last equation as paragraphs.
        let (display, after) = (tex.trim().split_once("\\end{align*}")).unwrap_or((tex.trim(), ""));
        let body = display.trim_start_matches("\\begin{align*}");
        let mut rows: Vec<String> = (after.split('$').skip(1).step_by(2))
            .map(String::from)
            .collect();
        for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.strip_prefix("\\intertext{") {
                // A note: the formulas in it.
                Some(note) => rows.extend(note.split('$').skip(1).step_by(2).map(String::from)),
                None => rows.push(line.trim_end_matches("\\\\").replace('&', "")),
            }
        }
        check_all(src, &rows);
        if src.starts_with("sigmoid") {
            // The lecture's regime is there, with its verdict.
            assert!(tex.contains("cancelled by its bias"), "{tex}");
            assert!(
                tex.contains("verdict: affine, $y = W x + b + \\mathcal{O}(\\varepsilon^{3})$"),
                "{tex}"
            );
        }
    }
}

/// Every document the layout must hold without an overfull line: the examples, every catalog
/// activation at depth 2 and 3, and tanh/gelu/sigmoid networks at orders 5 and 9.
fn documents() -> Vec<(String, String)> {
    let mut v = examples();
    for act in Session::new().catalog() {
        for depth in [2, 3] {
            v.push((
                format!("{}-{depth}", act.ascii()),
                format!("net({}, {depth})", act.ascii()),
            ));
        }
    }
    for act in ["tanh", "gelu", "sigmoid"] {
        for order in [5, 9] {
            v.push((
                format!("{act}-order-{order}"),
                format!(":order {order}\n{act}(W2·{act}(W1·x + b1) + b2)"),
            ));
        }
    }
    v
}

fn latex_document(name: &str, src: &str) -> String {
    let mut s = Session::new();
    let doc = derive_source(&mut s, src, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    standalone(&doc.title, &to_latex(&doc.lines))
}

#[test]
fn every_document_is_valid_latex() {
    for (name, src) in documents() {
        let mut s = Session::new();
        let doc = derive_source(&mut s, &src, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_all(&name, &formulas(&doc.lines));
    }
}

/// The significant digits of every number in `tex`.
fn numbers(tex: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in tex.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            let n = cur.trim_end_matches('.').to_string();
            let sig = n
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect::<String>()
                .trim_start_matches('0')
                .len();
            out.push((n, sig));
            cur.clear();
        }
    }
    out
}

#[test]
fn no_number_typeset_has_more_than_fifteen_digits() {
    assert_eq!(numbers("1.75809934084\\ldots t + \\tfrac{1}{48}")[0].1, 12);
    for (name, src) in documents() {
        let tex = latex_document(&name, &src);
        for (n, sig) in numbers(&tex) {
            assert!(sig <= 15, "{name}: `{n}` has {sig} significant digits");
        }
    }
}

#[test]
fn long_sums_are_broken_across_lines() {
    let tex = latex_document("selu", "selu(W2·selu(W1·x + b1) + b2)");
    let continued = tex.lines().filter(|l| l.starts_with("&\\qquad {}")).count();
    assert!(continued > 5, "{tex}");
    // The SELU constants are cut to twelve digits, truthfully: 1.0507009873554804934… → 1.05070098735….
    assert!(tex.contains("1.05070098735\\ldots"), "{tex}");
}

#[test]
fn prose_mathematics_is_in_math_mode() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/lecture.tn"))
        .unwrap();
    let tex = latex_document("lecture", &src);
    for good in [
        "$y = W\\cdot x + b$",
        "$z \\sim N(0, \\sigma^{2})$",
        "$\\lambda\\alpha(e^{x} - 1)$",
        "``linear for all $x$''",
    ] {
        assert!(tex.contains(good), "missing `{good}`");
    }
    for bad in [
        "(e?",
        "\\textasciitilde",
        "\\textasciicircum",
        "\\left(",
        "?k?",
    ] {
        assert!(!tex.contains(bad), "`{bad}` in the document");
    }
}

/// Compiles `tex` with pdflatex in `dir`; the log's complaints about the layout, if any.
fn pdflatex_complaints(dir: &std::path::Path, name: &str, tex: &str) -> Vec<String> {
    let file = dir.join(format!("{name}.tex"));
    std::fs::write(&file, tex).unwrap();
    let run = std::process::Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error"])
        .arg(&file)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{name} does not compile:\n{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
    log.lines()
        .filter(|l| {
            l.starts_with("Overfull \\hbox")
                || l.starts_with("Underfull \\hbox")
                || l.contains("Missing character")
        })
        .map(|l| format!("{name}: {l}"))
        .collect()
}

#[test]
fn every_document_compiles_without_an_overfull_line_when_pdflatex_is_installed() {
    if !common::installed(
        "pdflatex",
        "the compile check (formulas are still validated)",
    ) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("taylornet-tex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut complaints = Vec::new();
    for (name, src) in documents() {
        let tex = latex_document(&name, &src);
        let file = name.replace(".tn", "").replace(['(', ')', ',', ' '], "_");
        complaints.extend(pdflatex_complaints(&dir, &file, &tex));
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

#[test]
fn the_steps_carry_the_computation() {
    let r = taylornet::analyze("W1 : 2x4; W2 : 2x2; tanh(W2·tanh(W1·x + b1) + b2)").unwrap();
    let a = &r.main;
    let steps = &a.steps;
    let count = |f: &dyn Fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
    assert_eq!(count(&|s| matches!(s, Step::Layer { .. })), 2);
    assert_eq!(count(&|s| matches!(s, Step::Series { .. })), 2);
    assert_eq!(count(&|s| matches!(s, Step::Output { .. })), 2);
    // Each layer's output step is the expander's own layer output.
    for (l, s) in a
        .expansion
        .layers
        .iter()
        .zip(steps.iter().filter(|s| matches!(s, Step::Output { .. })))
    {
        let Step::Output { output, .. } = s else {
            unreachable!()
        };
        assert_eq!(output, &l.output);
    }
    let Some(Step::Identified { w, w_shape, .. }) =
        steps.iter().find(|s| matches!(s, Step::Identified { .. }))
    else {
        panic!()
    };
    assert_eq!(w, &a.decision.w);
    assert_eq!(w_shape.as_deref(), Some("2×2 · 2×4 = 2×4"));
    let text = taylornet::render::to_text(&lines(steps));
    assert!(text.contains("tanh(t) = t − ⅓·t³ + O(t⁴)"), "{text}");
    assert!(
        text.contains("y = W₂·W₁·x + (W₂·b₁ + b₂) + (−⅓·W₂·u₁^∘3 − ⅓·u₂^∘3) + O(ε⁴)"),
        "{text}"
    );
}

#[test]
fn the_lecture_shows_its_corrections() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/lecture.tn"))
        .unwrap();
    let mut s = Session::new();
    let doc = derive_source(&mut s, &src, "lecture").unwrap();
    let text = taylornet::render::to_text(&doc.lines);
    assert!(text.contains("sigmoid: the notes say"), "{text}");
    assert!(text.contains("wrong; the expansion gives affine up to O(σ³)"));
    assert!(text.contains(
        "selu: the notes say \"linear for all x\" — wrong; the expansion gives a kink at 0"
    ));
    assert!(text.contains("the small-signal assumption fails here"));
    assert!(doc.lines.iter().any(|l| matches!(l, Line::Table(_))));
}

#[test]
fn latex_in_a_script_is_typeset_not_escaped() {
    let src = "sigmoid(W2·sigmoid(W1·x + b1) + b2)\n:latex";
    let mut s = Session::new();
    let doc = derive_source(&mut s, src, "t").unwrap();
    let tex = to_latex(&doc.lines);
    // The summary is equations and notes, never LaTeX source shown as text.
    assert!(!tex.contains("\\textbackslash"), "{tex}");
    assert!(tex.contains("In short, as it stands:"), "{tex}");
    assert!(tex.contains("With the compensation"), "{tex}");
    assert!(
        tex.matches("verdict: affine up to").count() >= 4,
        "the verdicts of the derivation and of the summary: {tex}"
    );
    check_all("script with :latex", &formulas(&doc.lines));
}

/// The derivation's text of `src` (with `prefix` statements run first).
fn derivation_text(src: &str) -> String {
    let mut s = Session::new();
    let doc = derive_source(&mut s, src, "t").unwrap_or_else(|e| panic!("{src}: {e}"));
    taylornet::render::to_text(&doc.lines)
}

/// What reviews found false in derivations, each now said as it is.
#[test]
fn derivations_state_what_they_cut_and_assume() {
    // A binding through an activation is a truncated series: it carries its O(·).
    let text = derivation_text("h = tanh(W1·x + b1); W2·h + sigmoid(h)");
    let line = text
        .lines()
        .skip_while(|l| !l.contains("substitute the binding"))
        .nth(1)
        .unwrap_or_default();
    assert!(line.contains("h = ") && line.ends_with("+ O(ε⁴)"), "{line}");
    // A bias that is not small is taken to cancel the O(1) part exactly, and says so.
    let text = derivation_text(":small x\ntanh(W2·tanh(W1·x + b1) + b2)");
    assert!(!text.contains("stands for its"), "{text}");
    assert!(
        text.contains("assume it is cancelled by the bias, b₁ = 0 exactly"),
        "{text}"
    );
    // Around a data point, x is the deviation.
    let text = derivation_text("W1 = [[1, 2]]; b1 = [1]; x0 = [1, 1]; :at x0\ntanh(W1·x + b1)");
    assert!(text.contains("x below is the deviation from x₀"), "{text}");
    // An operating point on a breakpoint at the bound values: the assumption that fails is
    // in the derivation, not only in the last line.
    let text = derivation_text("W1 = [[1,2],[3,4]]; b1 = [0, 1]; relu(W1·x + b1)");
    assert!(
        text.contains("no entry of the operating point sits on a breakpoint")
            && text.contains("(it fails at the bound values"),
        "{text}"
    );
}

/// A `:load` in a derived script is written in place: the file's comments, definitions and
/// analyses, each analysis derived as if it stood in the script; its failures name the file.
#[test]
fn a_loaded_file_is_derived_in_place() {
    let dir = std::env::temp_dir().join(format!("taylornet-derive-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let net = dir.join("net_1.tn");
    std::fs::write(
        &net,
        "# The scaled network.\ns(t) = λ·t\ns(W2·s(W1·x + b1) + b2)\n",
    )
    .unwrap();
    let script = format!(":load {}\ntanh(W1·x)", net.display());
    let doc = derive_source(&mut Session::new(), &script, "t").unwrap();
    let text = taylornet::render::to_text(&doc.lines);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in\n{text}"))
    };
    // In order: the file, its comment, its definition, its network, then the script's own.
    assert!(
        at("From ") < at("The scaled network.") && at("The scaled network.") < at("s(t) = λ·t")
    );
    assert!(at("y = s(W₂·s(W₁·x + b₁) + b₂)") < at("y = tanh(W₁·x)"));
    assert!(
        matches!(doc.lines.iter().find(|l| matches!(l, Line::File(_))), Some(Line::File(p)) if *p == net.display().to_string())
    );
    // Both analyses carry their results, the loaded one first.
    assert_eq!(doc.results.len(), 2);
    assert_eq!(doc.results[0]["verdict"], "exact-affine");
    // The first analysis alone is the loaded file's, with its definition.
    let only = taylornet::derive_source_for(&mut Session::new(), &script, "t", Some(0)).unwrap();
    let text = taylornet::render::to_text(&only.lines);
    assert!(
        text.contains("s(t) = λ·t") && !text.contains("tanh"),
        "{text}"
    );
    // The LaTeX of the file's line escapes its name.
    let tex = to_latex(&doc.lines);
    assert!(tex.contains("net\\_1.tn"), "{tex}");
    // A file that loads itself, and a missing file, fail as `:load` does.
    let cycle = dir.join("cycle.tn");
    std::fs::write(&cycle, format!(":load {}\n", cycle.display())).unwrap();
    let e = derive_source(
        &mut Session::new(),
        &format!(":load {}", cycle.display()),
        "t",
    )
    .unwrap_err();
    assert!(e.message.contains("a cycle of `:load`s"), "{}", e.message);
    let e = derive_source(&mut Session::new(), ":load no/such/file.tn", "t").unwrap_err();
    assert!(
        e.message.contains("cannot read no/such/file.tn"),
        "{}",
        e.message
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn condition_values_and_exponents_are_typeset_as_they_are() {
    // From a review: `\sqrt15` (√1 followed by 5), `?` for ⅔ and ⅐, a value set outside math,
    // and every exponent but a plain number shown as 1 (`3^(−2)` as 3¹).
    for (src, good, bad) in [
        ("(λ^2 - 15)·(x∘x) + W·x", "\\sqrt{15}", "\\sqrt15"),
        ("(λ^2 - 4/9)·(x∘x) + W·x", "$\\lambda= \\tfrac{2}{3}$", "?"),
        (
            "(λ^2 - 10/7)·(x∘x) + W·x",
            "\\tfrac{1}{7}\\cdot\\sqrt{70}",
            "?",
        ),
        ("W·x + (x∘x)·3^(-2)", "3^{-2}", "3^{1}"),
        ("(λ - 15^(1/2))·(x∘x) + W·x", "15^{1/2}", "15^{1}"),
    ] {
        let tex = latex_document("condition", src);
        assert!(tex.contains(good), "{src}: no `{good}` in\n{tex}");
        assert!(!tex.contains(bad), "{src}: `{bad}` in\n{tex}");
    }
    // In text, an exponent written with a name is shown as written.
    assert!(derivation_text("k = 2; λ^k·x").contains("pow(λ, k)"));
}

#[test]
fn a_point_certified_on_one_piece_is_said_in_the_derivation() {
    let src = ":small x\nrelu(-(b^∘2) - (W1·x)^∘2) + x";
    let mut s = Session::new();
    let doc = derive_source(&mut s, src, "piece").unwrap();
    let text = taylornet::render::to_text(&doc.lines);
    assert!(
        text.contains(
            "every entry of c₁ lies on one piece of relu, certified: −b^∘2 ≤ 0 (not 0: no entry sits on a breakpoint)"
        ),
        "{text}"
    );
    // relu is 0 on that piece: the layer's output is 0, the network x.
    assert!(text.contains("relu(c₁ − (W₁·x)^∘2) = 0"), "{text}");
    check_all("piece", &formulas(&doc.lines));
    let tex = latex_document("piece", src);
    assert!(
        tex.contains("every entry of $c_{1}$ lies on one piece"),
        "{tex}"
    );
}

/// From a review of derivations: an order raised to find the first non-affine term was raised
/// silently; a definition's default parameter was not said (`s(t) = t + a·t²`, a never
/// given); 101/200 was typeset 0.505 beside 99/200 as a fraction; `s″(0)` in a comment was `s?`.
#[test]
fn a_derivation_says_what_its_equations_leave_out() {
    let text = |src: &str| {
        let mut s = Session::new();
        let doc = derive_source(&mut s, src, "t").unwrap_or_else(|e| panic!("{src}: {e}"));
        taylornet::render::to_text(&doc.lines)
    };
    let latex = |src: &str| {
        let mut s = Session::new();
        let doc = derive_source(&mut s, src, "t").unwrap_or_else(|e| panic!("{src}: {e}"));
        to_latex(&doc.lines)
    };
    let raised = text(":order 1\ntanh(W1·x)");
    assert!(
        raised
            .contains("expanded to order 3 to find the first non-affine term (order 1 was asked)"),
        "{raised}"
    );
    assert!(!text("tanh(W1·x)").contains("was asked"));
    let defaults = text("s(t; a = 2, b = 1/3) = t + a·t^2 + b·t^3\ns(W1·x)");
    assert!(
        defaults.contains(
            "define the activation s, with the defaults of its parameters\n      s(t) = t + a·t² + b·t³\n      a = 2\n      b = 1/3\n"
        ),
        "{defaults}"
    );
    // Values that change the verdict are said before the generic steps, not only after.
    let on_kink = text(
        "x0 = [1, 1]\n:at x0\nW1 = [[1, 0], [0, 1]]; b1 = [0, 0]; W2 = [[1, -1]]\nrelu(W2·relu(W1·x + b1))",
    );
    let generic = on_kink
        .find("The steps below hold for generic values")
        .unwrap_or_else(|| panic!("{on_kink}"));
    let series = on_kink
        .find("relu′(c₂)")
        .unwrap_or_else(|| panic!("{on_kink}"));
    assert!(generic < series, "{on_kink}");
    assert!(
        on_kink.contains("With the bound values the verdict is kink"),
        "{on_kink}"
    );
    let leaky = latex("leaky_relu(W1·x)");
    assert!(leaky.contains("\\tfrac{101}{200} u_{1}"), "{leaky}");
    assert!(!leaky.contains("0.505"), "{leaky}");
    let prime = latex("# Smooth with s″(0) ≠ 0.\ntanh(W1·x)");
    assert!(prime.contains("$s''(0) \\neq 0$"), "{prime}");
}

/// From a review: a keyword parameter was dropped from the function on the series and output
/// lines (`elu(t) = 2·t + …` for α = 2, beside `elu(t) = t + …` of the default): each line
/// names the function it states, in every notation and in the JSON steps.
#[test]
fn a_keyword_parameter_stays_with_its_function() {
    let src = "elu(W2·elu(W1·x + b1; α = 2) + b2)";
    let text = derivation_text(src);
    assert!(
        text.contains("elu(t; α = 2) = 2·t + t² + ⅓·t³ + O(t⁴)"),
        "{text}"
    );
    assert!(text.contains("elu(t) = t + ½·t² + ⅙·t³ + O(t⁴)"), "{text}");
    assert!(text.contains("elu(u₁; α = 2) = "), "{text}");
    let tex = latex_document("elu", src);
    assert!(
        tex.contains(r"\operatorname{elu}(t;\ \alpha = 2) = 2 t"),
        "{tex}"
    );
    let text = derivation_text("elu(W2·sigmoid(W1·x + b1) + b2; α = 2)");
    assert!(text.contains("elu⁽ᵏ⁾(c₂; α = 2)/k!"), "{text}");
    let mut s = Session::new();
    let doc = derive_source(&mut s, src, "elu").expect("a derivation");
    let steps = &doc.results[0]["derivation"];
    let series: Vec<&serde_json::Value> = (steps.as_array().expect("steps").iter())
        .filter(|s| s["step"] == "series")
        .collect();
    assert_eq!(series[0]["params"], serde_json::json!({ "alpha": "2" }));
    assert_eq!(series[1]["params"], serde_json::json!({}));
}

/// From a review: a binding's name was used again for a layer's variable (`u₁ = W₁·x`
/// substituted, then `u₁ = W₁·x + b₁`), and a layer without a bias was "cancelled by the bias"
/// before `y = W₁·x` of hard_tanh(W₁·x + 𝟙), a network whose output holds |W₁·x|.
#[test]
fn derivations_name_each_thing_once_and_say_when_a_bias_is_absent() {
    let text = derivation_text("u1 = W1·x; tanh(W2·tanh(u1 + b1) + b2)");
    assert!(text.contains("u₁ = W₁·x\n"), "{text}");
    assert!(!text.contains("u₁ = W₁·x + b₁"), "{text}");
    assert!(text.contains("v₁ = W₁·x + b₁"), "{text}");
    let text = derivation_text("hard_tanh(W1·x + 𝟙)");
    assert!(
        text.contains("layer 1 has no bias: assume its O(1) part cancelled as a bias −𝟙 + O(ε) added to the layer would cancel it, which this network does not have"),
        "{text}"
    );
    assert!(!text.contains("cancelled by the bias, its bias"), "{text}");
}

/// The derivation writes the input by its name, and the affine form apart from the user's
/// names (from a review: `--input z` gave `y = W₁·x + b₁`, an equation about another x).
#[test]
fn the_derivation_writes_the_input_and_names_of_its_own() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_taylornet"))
            .args(args)
            .output()
            .expect("the binary runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let text = run(&["derive", "--input", "z", "tanh(W1·z + b1)"]);
    assert!(
        text.contains("y = W₁·z + b₁ + (−⅓·u₁^∘3) + O(ε⁴)"),
        "{text}"
    );
    assert!(text.contains("the single layer y = W·z + b with"), "{text}");
    assert!(!text.contains("·x"), "{text}");
    let tex = run(&["derive", "--format", "latex", "tanh(W·x + b)"]);
    assert!(tex.contains("&W_{\\mathrm{eff}} = W \\\\"), "{tex}");
    assert!(
        tex.contains("y = W_{\\mathrm{eff}}\\cdot x + b_{\\mathrm{eff}}"),
        "{tex}"
    );
    // One-sided series each under its condition, never two bare equations.
    let text = run(&["derive", "elu(W1·x + b1; α = 2)"]);
    assert!(
        text.contains("for t < 0\n      elu(t; α = 2) = 2·t + t² + ⅓·t³ + O(t⁴)\n  for t > 0\n      elu(t; α = 2) = t\n"),
        "{text}"
    );
}
