//! The provider's own number for what it accepted: read from its answer where the
//! endpoint's `references` say, written to `sent.csv`, kept in the journal and shown by
//! `aktar journal show` — with the real binary against the sandbox.

mod common;
mod exports;

use std::collections::BTreeMap;
use std::path::Path;

use aktar::sandbox::Options;
use common::*;
use exports::*;
use tempfile::TempDir;

fn run(cfg: &Path, mapping: &str, input: &Path, out: &Path) -> i32 {
    aktar()
        .arg("run")
        .arg("--quiet")
        .arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(root().join("tests/fixtures").join(mapping))
        .arg("--report-dir")
        .arg(out)
        .arg(input)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap_or(-1)
}

/// The numbers the sandbox handed out, by Fiş No (the first word of the comment).
fn numbers(sb: &Sandbox) -> BTreeMap<String, Vec<u64>> {
    let ledger = sb.ledger();
    ledger
        .endpoints
        .get("oduyo.transaction_create")
        .into_iter()
        .flat_map(|m| m.values())
        .map(|e| {
            let comment = e.last["column"]["comment"].as_str().unwrap_or_default();
            let fis = comment.split(' ').next().unwrap_or_default().to_string();
            (fis, e.numbers.clone())
        })
        .collect()
}

#[test]
fn sent_csv_and_the_journal_keep_the_transaction_number_of_the_answer() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let input = transactions(dir.path(), "hareket.csv", 5);
    assert_eq!(run(&cfg, "hareket.toml", &input, &dir.path().join("r1")), 0);

    let given = numbers(&sb);
    let sent = csv_rows(&dir.path().join("r1/sent.csv"));
    assert_eq!(sent.len(), 5, "{sent:?}");
    for (i, row) in sent.iter().enumerate() {
        let key = format!("F{i:03}");
        assert_eq!(row["file"], input.display().to_string());
        assert_eq!(row["row"], (i + 2).to_string(), "the header is row 1");
        assert_eq!(row["key"], key);
        assert_eq!(row["http_status"], "200");
        // The page's answer: "transaction_number": "000000023".
        let reference = &row["provider_ref"];
        assert_eq!(reference.len(), 9, "{reference}");
        assert_eq!(
            reference.parse::<u64>().ok(),
            given[&key].first().copied(),
            "{key}: the number the sandbox answered with"
        );
    }

    let reference = sent[2]["provider_ref"].clone();
    let show = aktar()
        .args(["journal", "show", "F002", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(show.status.code(), Some(0));
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains(&format!("ref {reference}")), "{text}");
    assert!(text.contains("HTTP 200"), "{text}");
    let json = aktar()
        .args(["journal", "show", "F002", "--json", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let entries: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(entries[0]["provider_ref"], reference.as_str());
    assert_eq!(entries[0]["status"], "sent");

    // Nothing is posted again, so the next run's sent.csv is its header alone.
    assert_eq!(run(&cfg, "hareket.toml", &input, &dir.path().join("r2")), 0);
    assert!(csv_rows(&dir.path().join("r2/sent.csv")).is_empty());
    let text = std::fs::read_to_string(dir.path().join("r2/sent.csv")).unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}'),
        "file,row,key,http_status,provider_ref\n"
    );
}

#[test]
fn an_answer_without_a_number_leaves_provider_ref_empty() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let input = customers(dir.path(), "cariler.csv", 3);
    assert_eq!(
        run(&cfg, "customers.toml", &input, &dir.path().join("r")),
        0
    );
    let sent = csv_rows(&dir.path().join("r/sent.csv"));
    let keys: Vec<_> = sent.iter().map(|r| r["key"].as_str()).collect();
    assert_eq!(keys, ["C000000", "C000001", "C000002"]);
    assert!(sent.iter().all(|r| r["http_status"] == "200"), "{sent:?}");
    assert!(
        sent.iter().all(|r| r["provider_ref"].is_empty()),
        "{sent:?}"
    );
}

#[test]
fn a_dry_run_writes_no_sent_csv() {
    let dir = TempDir::new().unwrap();
    let input = transactions(dir.path(), "hareket.csv", 2);
    aktar()
        .arg("check")
        .arg("-m")
        .arg(root().join("tests/fixtures/hareket.toml"))
        .arg("--report-dir")
        .arg(dir.path().join("r"))
        .arg(&input)
        .assert()
        .code(0);
    assert!(!dir.path().join("r/sent.csv").exists());
}
