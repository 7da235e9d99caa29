//! `docs/sync.md` shows the lifecycle as a Mermaid diagram generated from the
//! transition table; this test fails when the two differ.
//!
//! To rewrite the diagram after changing the table:
//! `UPDATE_DOCS=1 cargo test -p billable --test sync_docs`.

use std::path::Path;

const BEGIN: &str = "<!-- lifecycle diagram: generated from billable::sync::TRANSITIONS -->\n```mermaid\n";
const END: &str = "```\n<!-- end of lifecycle diagram -->";

#[test]
fn lifecycle_diagram_in_docs_matches_the_table() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sync.md"));
    let doc = std::fs::read_to_string(path).expect("docs/sync.md exists");
    let start = doc.find(BEGIN).expect("docs/sync.md has the diagram's begin marker") + BEGIN.len();
    let end = start + doc[start..].find(END).expect("docs/sync.md has the diagram's end marker");
    let generated = billable::sync::lifecycle_mermaid();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{generated}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, updated).unwrap();
    } else {
        assert_eq!(
            &doc[start..end],
            generated,
            "docs/sync.md's lifecycle diagram is stale (run UPDATE_DOCS=1 cargo test -p billable --test sync_docs)"
        );
    }
}
