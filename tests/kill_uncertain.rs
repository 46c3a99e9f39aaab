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
mod loopback;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aktar::sandbox::Options;
use common::*;
use exports::*;
use loopback::Loopback;
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

        let mut child = spawn_quiet_run(&cfg, &m, &dir.path().join("killed"), &input);
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
        let code = run_quietly(&cfg, &m, &again, &[&input]).status.code();
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

/// A journal entry's status, read as another process would while the run goes on.
fn journal_status(journal: &std::path::Path, key: &str) -> Option<String> {
    let conn =
        rusqlite::Connection::open_with_flags(journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    conn.query_row("SELECT status FROM entries WHERE key = ?1", [key], |r| {
        r.get::<_, String>(0)
    })
    .ok()
}

/// A transaction answered 429 waits out the provider's Retry-After before it is tried
/// again. It surely did not arrive, so a run killed during that wait must not leave it
/// `pending` — which the next run would hold as uncertain for a person to look up —
/// but as not sent: the next run sends it.
#[test]
fn a_transaction_killed_while_waiting_out_a_429_is_sent_by_the_next_run() {
    const LOGIN: &str = "/api/v1/ws/login";
    let accept = Arc::new(AtomicBool::new(false));
    let open = accept.clone();
    let provider = Loopback::start_with_headers(move |req| {
        if req.path == LOGIN {
            let session = serde_json::json!({"status": true, "data": {"session_id": "sess-1"}});
            return (200, session, Vec::new());
        }
        if open.load(Ordering::SeqCst) {
            return (200, serde_json::json!({"status": true}), Vec::new());
        }
        let busy = serde_json::json!({"status": false, "message": "too many requests"});
        (429, busy, vec![("retry-after", "60".to_string())])
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &provider.base_url(), "concurrency = 1");
    let m = root().join("tests/fixtures/hareket.toml");
    let input = transactions(dir.path(), "hareket.csv", 1);
    let journal = dir.path().join("state.db");

    let mut child = spawn_quiet_run(&cfg, &m, &dir.path().join("killed"), &input);
    wait_for("the first 429", || {
        provider.seen().iter().any(|r| r.path != LOGIN)
    });
    // The wait is a minute long; the pending is taken back at its start.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let status = journal_status(&journal, "F000");
        if status.as_deref() != Some("pending") || Instant::now() > deadline {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status.as_deref(), Some("failed"), "while waiting to retry");
    assert_eq!(
        journal_status(&journal, "F000").as_deref(),
        Some("failed"),
        "after the kill"
    );

    accept.store(true, Ordering::SeqCst);
    let again = dir.path().join("again");
    let o = run_quietly(&cfg, &m, &again, &[&input]);
    let s = summary(&again);
    assert_eq!(o.status.code(), Some(0), "{s}");
    assert_eq!(s["sent"].as_u64(), Some(1), "{s}");
    assert_eq!(s["uncertain"].as_u64(), Some(0), "{s}");
    let writes = provider.seen().iter().filter(|r| r.path != LOGIN).count();
    assert_eq!(writes, 2, "one 429, then one post");
    assert_eq!(journal_status(&journal, "F000").as_deref(), Some("sent"));
}
