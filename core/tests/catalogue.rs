//! Checks that published documents stay in step with the code:
//! the error catalogue in `docs/errors.md` and the JSON Schemas in `docs/schema/`.
//!
//! To regenerate the schemas after changing a request or response type:
//! `UPDATE_SCHEMAS=1 cargo test -p billable --test catalogue`.

use std::path::Path;

use billable::Code;
use billable::api::{OPERATIONS, SchemaKind, schema_of};

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn error_catalogue_lists_every_code_and_only_those() {
    let doc = std::fs::read_to_string(repo().join("docs/errors.md")).unwrap();
    // Table rows: | `code` | category | meaning | retry |
    let documented: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(code, _)| code))
        .collect();
    let actual: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for code in &actual {
        assert!(documented.contains(code), "docs/errors.md does not document `{code}`");
    }
    for code in &documented {
        assert!(actual.contains(code), "docs/errors.md documents `{code}`, which the Code enum lacks");
    }
    // Each row names the code's category as the code does.
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let code = Code::parse(cells[1].trim_matches('`')).unwrap();
        let category = serde_json::to_value(code.category()).unwrap();
        assert_eq!(cells[2], category.as_str().unwrap(), "category of {code} in docs/errors.md");
    }
}

#[test]
fn schemas_are_current() {
    let dir = repo().join("docs/schema");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for op in OPERATIONS {
        for (kind, suffix) in [(SchemaKind::Request, "request"), (SchemaKind::Response, "response")] {
            let schema = schema_of(op, kind).unwrap();
            let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let name = format!("{op}.{suffix}.json");
            let path = dir.join(&name);
            expected_files.push(name.clone());
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(name);
            }
        }
    }
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.ends_with(".json") && !expected_files.contains(f))
        .collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/schema is stale (run UPDATE_SCHEMAS=1 cargo test -p billable --test catalogue): stale {stale:?}, extra {extra:?}"
    );
}
