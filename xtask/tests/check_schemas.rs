//! `cargo xtask check-schemas` on small fixtures with the traps real APIs set: a boolean as
//! `"1"`, an integer as `"12"`, a number as a string, a string as a number, an object where a
//! string is expected, a missing required field, a duplicate key. Runs the real binary, which
//! builds a scratch workspace (the first run compiles the runtime there: minutes).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check_schemas")
}

fn check(schemas: &str, work_dir: &str) -> (bool, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("check-schemas")
        .arg(fixtures().join(schemas))
        .arg("--responses")
        .arg(fixtures().join("responses/shop"))
        .arg("--work-dir")
        .arg(root.join("target/check-schemas").join(work_dir))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (output.status.success(), format!("{stdout}\n{stderr}"))
}

#[test]
fn every_trap_decodes_and_is_counted_per_resource_and_field() {
    let (ok, out) = check("shop/schemas", "ws-test-shop");
    assert!(ok, "{out}");
    for line in [
        "| shop | customers | 1 | 2 | 2 | 1 | 0 |",
        "| shop | orders | 1 | 4 | 2 | 1 | 0 |",
        "- shop/customers: `/email` kept raw 1; `/id` coerced 1; `/vip` coerced 2",
        "- shop/orders: `/note` kept raw 1; `/paid` coerced 1; `/quantity` coerced 1; \
         `/reference` coerced 1; `/total` coerced 2",
        "GET_v1_refunds.json",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn a_schema_that_does_not_generate_fails_the_check_and_is_named() {
    let (ok, out) = check("broken/schemas", "ws-test-broken");
    assert!(!ok, "{out}");
    assert!(
        out.contains("| broken | widgets (does not compile) |"),
        "{out}"
    );
    assert!(out.contains("parts.json"), "{out}");
}
