//! The backend's top-level modules import each other one way (parser →
//! analyze → optimizer → executor, never back): runs `scripts/check-layers`,
//! which fails on a cycle or on a module holding more than 30% of the
//! crate's lines.

use std::path::Path;
use std::process::Command;

#[test]
fn backend_layers_form_a_dag() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/check-layers");
    let out = Command::new("python3")
        .arg(&script)
        .output()
        .expect("python3 runs scripts/check-layers");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("acyclic"), "{text}");
}
