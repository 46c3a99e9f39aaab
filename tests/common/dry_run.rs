//! Dry runs of the shipped samples: `aktar check` from the crate root with a
//! configuration of its own, and readers for the reports it writes.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const ODUYO: &str = "https://oduyo.test";
pub const FE: &str = "https://fe.test";
pub const NETAHSILAT: &str = "https://netahsilat.test";

/// `aktar check -m MAPPING SAMPLE` from the crate root, with a configuration of its own
/// (so a developer's `aktar.toml` cannot change the URLs) and the reports in a fresh
/// folder. Returns the folder and the exit code.
pub fn run_check(mapping: &str, sample: &str) -> (TempDir, i32) {
    let dir = TempDir::new().expect("temp dir");
    let config = dir.path().join("aktar.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.oduyo]\nbase_url = \"{ODUYO}\"\n\
             [providers.fatura_entegrator]\nbase_url = \"{FE}\"\n\
             [providers.netahsilat]\nbase_url = \"{NETAHSILAT}\"\n"
        ),
    )
    .expect("write config");
    let out = Command::cargo_bin("aktar")
        .expect("binary")
        .current_dir(super::root())
        .args(["check", "--quiet", "--config"])
        .arg(&config)
        .args(["-m", mapping, "--report-dir"])
        .arg(reports(&dir))
        .arg(sample)
        .output()
        .expect("run aktar");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (dir, out.status.code().unwrap_or(-1))
}

pub fn reports(dir: &TempDir) -> PathBuf {
    dir.path().join("out")
}

pub fn summary(dir: &TempDir) -> Value {
    let text = std::fs::read_to_string(reports(dir).join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// Asserts the counts of a dry run: `[rows, valid, rejected, skipped]`.
pub fn assert_counts(dir: &TempDir, [rows, valid, rejected, skipped]: [u64; 4]) {
    let s = summary(dir);
    let got = ["rows", "valid", "rejected", "skipped"].map(|k| s[k].as_u64().unwrap_or(u64::MAX));
    assert_eq!(got, [rows, valid, rejected, skipped], "summary.json: {s}");
    assert_eq!(s["sent"], 0);
    assert_eq!(s["dry_run"], true);
}

/// `(row, rule)` of every line of `errors.csv`, in file order. The file must start with
/// a UTF-8 BOM (so Excel on a Turkish Windows reads it as UTF-8).
pub fn errors(dir: &TempDir) -> Vec<(u64, String)> {
    let bytes = std::fs::read(reports(dir).join("errors.csv")).expect("errors.csv");
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("errors.csv starts with a BOM");
    let mut rd = csv::Reader::from_reader(body);
    let headers = rd.headers().expect("header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["file", "row", "column", "value", "rule", "message"]
    );
    rd.records()
        .map(|r| {
            let r = r.expect("errors.csv record");
            assert!(!r[5].is_empty(), "a message for every problem: {r:?}");
            (r[1].parse().expect("row number"), r[4].to_string())
        })
        .collect()
}

pub fn pairs(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(r, rule)| (*r, rule.to_string()))
        .collect()
}

/// The lines of `payloads.jsonl`.
pub fn payloads(dir: &TempDir) -> Vec<Value> {
    let text =
        std::fs::read_to_string(reports(dir).join("payloads.jsonl")).expect("payloads.jsonl");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("payload line is JSON"))
        .collect()
}

pub fn rows_of(payloads: &[Value]) -> Vec<u64> {
    payloads
        .iter()
        .map(|p| p["row"].as_u64().expect("row"))
        .collect()
}

pub fn at(payloads: &[Value], row: u64) -> &Value {
    payloads
        .iter()
        .find(|p| p["row"] == row)
        .unwrap_or_else(|| panic!("no payload for row {row}"))
}
