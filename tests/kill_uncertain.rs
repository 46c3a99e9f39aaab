//! A transaction import killed with SIGKILL leaves as `uncertain` only what may have
//! been in flight: a row is recorded `pending` just before its request leaves (after
//! its rate-limit slot and its credential) and its answer is committed at once, so rows
//! still waiting for a slot are simply sent by the next run.
//!
//! The runs are slow on purpose (5 requests a second, many more allowed in flight,
//! answers held 150 ms), so that at any moment most of the requests the run has taken
//! on are waiting for the rate limit — each kill comes at an event the sandbox sees,
//! and the ledger is read once the sandbox has closed the killed run's connections.

mod common;
mod exports;

use std::process::{Command, Stdio};
use std::time::Duration;

use aktar::sandbox::{Options, creds};
use common::*;
use exports::*;
use tempfile::TempDir;

const CONCURRENCY: usize = 6;
const ROWS: usize = 30;

#[test]
fn after_sigkill_uncertain_never_exceeds_what_was_in_flight() {
    for (round, writes_before_kill) in [1u64, 3, 6].into_iter().enumerate() {
        let sb = Sandbox::start(Options {
            latency: Duration::from_millis(150),
            ..Options::default()
        });
        let dir = TempDir::new().unwrap();
        let slow = format!("rate_limit = \"5/s\"\nconcurrency = {CONCURRENCY}");
        let cfg = config(&dir, &sb.base_url(), &slow);
        let m = root().join("tests/fixtures/hareket.toml");
        let input = transactions(dir.path(), "hareket.csv", ROWS);

        let mut child = Command::new(env!("CARGO_BIN_EXE_aktar"))
            .env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
            .env("ODUYO_PASSWORD", creds::ODUYO_PASSWORD)
            .arg("run")
            .arg("--quiet")
            .arg("--config")
            .arg(&cfg)
            .arg("-m")
            .arg(&m)
            .arg("--report-dir")
            .arg(dir.path().join("killed"))
            .arg(&input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The last write's answer is still held (150 ms), the next rows wait for their
        // slots: the kill finds requests in flight and rows waiting.
        wait_for(
            &format!("round {round}: {writes_before_kill} writes"),
            || sb.stats().writes >= writes_before_kill,
        );
        child.kill().unwrap();
        child.wait().unwrap();
        // What the sandbox applied, once it has handled what the killed run had sent.
        wait_for("the sandbox to finish with the killed run", || {
            sb.stats().connections == 0
        });
        let reached = transaction_writes(&sb);

        let fast = format!("rate_limit = \"200/s\"\nconcurrency = {CONCURRENCY}");
        let cfg = config(&dir, &sb.base_url(), &fast);
        let again = dir.path().join("again");
        let code = aktar()
            .arg("run")
            .arg("--quiet")
            .arg("--config")
            .arg(&cfg)
            .arg("-m")
            .arg(&m)
            .arg("--report-dir")
            .arg(&again)
            .arg(&input)
            .output()
            .unwrap()
            .status
            .code();
        let uncertain: Vec<String> = csv_rows(&again.join("uncertain.csv"))
            .into_iter()
            .map(|r| r["key"].clone())
            .collect();
        let never_arrived: Vec<&String> = uncertain
            .iter()
            .filter(|k| !reached.contains_key(*k))
            .collect();
        eprintln!(
            "round {round}: killed after {} writes: {} reached the sandbox, {} uncertain ({} of them never arrived), concurrency {CONCURRENCY}",
            writes_before_kill,
            reached.len(),
            uncertain.len(),
            never_arrived.len()
        );
        assert!(
            uncertain.len() <= CONCURRENCY,
            "round {round}: {} uncertain, concurrency {CONCURRENCY}",
            uncertain.len()
        );
        // Only a request killed between its pending and its departure can be
        // uncertain without having reached the provider: one at most, at this rate.
        assert!(
            never_arrived.len() <= 1,
            "round {round}: uncertain although never sent: {never_arrived:?}"
        );
        assert_eq!(
            code,
            Some(if uncertain.is_empty() { 0 } else { 1 }),
            "round {round}"
        );

        let posted = transaction_writes(&sb);
        assert!(
            posted.values().all(|n| *n == 1),
            "round {round}: {posted:?}"
        );
        for i in 0..ROWS {
            let key = format!("F{i:03}");
            assert!(
                posted.contains_key(&key) || uncertain.contains(&key),
                "round {round}: {key} neither posted nor uncertain"
            );
        }
        let s = summary(&again);
        assert_eq!(s["uncertain"].as_u64(), Some(uncertain.len() as u64));
        assert_adds_up(&s);
    }
}
