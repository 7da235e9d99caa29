//! Shared by the golden-document tests: compare a response with its golden
//! file byte for byte, or rewrite the file under `UPDATE_GOLDEN=1`.

use std::path::Path;

/// Check `out` against `tests/golden/<file>` (or write it when `UPDATE_GOLDEN` is set).
pub fn check_golden(file: &str, out: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let path = dir.join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&path, format!("{out}\n")).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let golden = golden.strip_suffix('\n').unwrap_or(&golden);
    if golden != out {
        let at = golden.bytes().zip(out.bytes()).position(|(a, b)| a != b).unwrap_or(golden.len().min(out.len()));
        let from = at.saturating_sub(200);
        panic!(
            "{file}: the response differs from the golden file at byte {at}\n golden: …{}…\n now:    …{}…",
            &golden[from..(at + 200).min(golden.len())],
            &out[from..(at + 200).min(out.len())]
        );
    }
}
