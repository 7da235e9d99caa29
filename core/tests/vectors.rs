//! Runs every shared golden vector in `tests/vectors/` through the Rust JSON
//! document form. The Python, Node and Swift suites read the same files.
//!
//! A vector file holds `{"cases": [...]}`; each case has `name`, `operation`,
//! `source` (where the expected value comes from), `request` (or `request_text`,
//! the request's exact JSON text, for what an object cannot hold), and `expect`
//! holding either `response` (matched as a subset: every key given must be
//! present and equal, arrays must have the same length) or `error` (`code`,
//! and `path` when given).

use std::path::{Path, PathBuf};

use serde_json::Value;

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("tests/vectors exists").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            vector_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// `expected` is a subset of `actual`: the rule every language's runner applies.
fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).ok_or_else(|| format!("{path}.{k}: missing"))?;
                subset(ev, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: {} items expected, {} found", e.len(), a.len()));
            }
            e.iter().zip(a).enumerate().try_for_each(|(i, (ev, av))| subset(ev, av, &format!("{path}[{i}]")))
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, found {actual}")),
    }
}

#[test]
fn shared_vectors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files = Vec::new();
    vector_files(&root, &mut files);
    assert!(!files.is_empty(), "no vectors found under {}", root.display());
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in doc["cases"].as_array().unwrap_or_else(|| panic!("{}: no cases", file.display())) {
            count += 1;
            let name =
                format!("{}: {}", file.strip_prefix(&root).unwrap().display(), case["name"].as_str().unwrap_or("?"));
            assert!(
                case["source"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: every case says where its numbers come from"
            );
            let op = case["operation"].as_str().expect("operation");
            // `request_text`: the request as exact text, for what an object cannot hold (a key twice).
            let request = match case["request_text"].as_str() {
                Some(text) => text.to_string(),
                None => serde_json::to_string(&case["request"]).unwrap(),
            };
            let result = billable::api::call_json(op, &request);
            let outcome = match (&case["expect"]["response"], &case["expect"]["error"], result) {
                (Value::Null, Value::Null, _) => Err("expect has neither response nor error".to_string()),
                (expected, Value::Null, Ok(out)) => subset(expected, &serde_json::from_str(&out).unwrap(), "response"),
                (_, expected, Err(e)) if !expected.is_null() => {
                    let actual = serde_json::to_value(&e).unwrap();
                    subset(expected, &actual, "error")
                }
                (_, _, Ok(out)) => Err(format!("expected an error, got {out}")),
                (_, _, Err(e)) => Err(format!("expected a response, got error {e}")),
            };
            if let Err(why) = outcome {
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} vectors failed:\n{}", failures.len(), failures.join("\n"));
}
