//! Every example's JSON follows docs/json.md: required fields, types, and well-formed expression trees.

use serde_json::Value;
use taylornet::Format;
use taylornet::Session;
use taylornet::render_outcomes;

const OPS: &[&str] = &[
    "num",
    "const",
    "sym",
    "ones",
    "identity",
    "add",
    "neg",
    "mul",
    "div",
    "pow",
    "had",
    "hpow",
    "abs",
    "diag",
    "call",
    "order",
    "transpose",
];

fn tree(v: &Value, at: &str) {
    let op = v["op"]
        .as_str()
        .unwrap_or_else(|| panic!("{at}: tree without op: {v}"));
    assert!(OPS.contains(&op), "{at}: unknown op {op}");
    match op {
        "num" => assert!(v["value"].is_string(), "{at}"),
        "const" => assert!(matches!(v["name"].as_str(), Some("pi" | "e")), "{at}"),
        "sym" => {
            assert!(v["name"].is_string(), "{at}");
            assert!(
                matches!(
                    v["kind"].as_str(),
                    Some("scalar" | "matrix" | "vector" | "layer" | "operating-point")
                ),
                "{at}"
            );
        }
        "ones" | "identity" => {}
        _ => {
            let args = v["args"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}: {op} without args"));
            assert!(!args.is_empty(), "{at}");
            for (i, a) in args.iter().enumerate() {
                tree(a, &format!("{at}/{op}[{i}]"));
            }
            if op == "pow" {
                assert!(v["exp"].is_string(), "{at}");
            }
            if op == "hpow" {
                assert!(v["exp"].is_u64(), "{at}");
            }
            if op == "call" {
                assert!(v["fn"].is_string() && v["deriv"].is_u64(), "{at}");
            }
        }
    }
}

fn expression(v: &Value, at: &str) {
    assert!(v["ascii"].is_string(), "{at}: no ascii in {v}");
    assert!(v["unicode"].is_string(), "{at}: no unicode");
    tree(&v["tree"], at);
}

fn analysis(v: &Value, at: &str) {
    for k in ["verdict", "input"] {
        assert!(v[k].is_string(), "{at}: {k}");
    }
    assert!(v["k"].is_u64() || v["k"].is_null(), "{at}: k");
    assert!(
        v["order"].is_u64() && v["requested_order"].is_u64(),
        "{at}: order"
    );
    for k in ["W", "b", "remainder"] {
        expression(&v[k], &format!("{at}/{k}"));
    }
    // A matrix input: W is the map 𝓛(X), written with the input in it.
    if let Some(x) = v.get("W_map") {
        assert_eq!(x, &v["input"], "{at}: W_map");
        assert!(
            v["W"]["ascii"]
                .as_str()
                .unwrap()
                .contains(v["input"].as_str().unwrap())
        );
    }
    expression(&v["first_nonaffine"]["layered"], at);
    expression(&v["first_nonaffine"]["expanded"], at);
    for (_, e) in v["expansion"].as_object().unwrap() {
        expression(e, at);
    }
    assert!(v["truncated"].is_boolean());
    assert!(
        v["small"].is_array()
            && v["assumptions"].is_array()
            && v["layers"].is_array()
            && v["kinks"].is_array()
    );
    for k in ["W", "b", "W_equation", "b_equation"] {
        assert!(
            v["shapes"][k].is_string() || v["shapes"][k].is_null(),
            "{at}: shapes.{k}"
        );
    }
    let steps = v["derivation"]
        .as_array()
        .unwrap_or_else(|| panic!("{at}: no derivation"));
    assert!(steps.iter().all(|s| s["step"].is_string()), "{at}");
    assert!(steps.iter().any(|s| s["step"] == "verdict"), "{at}");
}

#[test]
fn every_example_follows_the_documented_schema() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "tn") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let mut s = Session::new();
        let out = s.run(&src).unwrap();
        let json: Value =
            serde_json::from_str(&render_outcomes(&out, Format::Json, &s.options.limits)).unwrap();
        for (i, item) in json.as_array().unwrap().iter().enumerate() {
            let at = format!("{}[{i}]", path.display());
            if item.get("expression").is_some() {
                analysis(item, &at);
                assert!(matches!(
                    item["verdict"].as_str(),
                    Some("exact-affine" | "affine" | "kink" | "degenerate" | "conditional")
                ));
                assert!(item["generic_verdict"].is_string() && item["conditions"].is_array());
                if !item["compensated"].is_null() {
                    analysis(&item["compensated"], &format!("{at}/compensated"));
                }
                checked += 1;
            } else if item.get("rows").is_some() {
                for r in item["rows"].as_array().unwrap() {
                    for k in ["s0", "slope_left", "slope_right", "first_nonaffine"] {
                        expression(&r[k], &at);
                    }
                    assert!(r["activation"].is_string() && r["verdict"].is_string());
                }
            }
        }
    }
    assert!(checked >= 8, "only {checked} analyses checked");
}
