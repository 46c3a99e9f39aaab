//! SIGTERM (systemd, `timeout`, `docker stop`), SIGHUP and Ctrl-C all stop a run the
//! same way: no more rows are read or sent, requests in flight finish, the reports are
//! written, the journal is left consistent, and the exit is 130.
//!
//! Each test signals the real binary at an event it observes — the sandbox counting
//! requests, the run's temporary report files appearing — never after a fixed pause.

mod common;
mod exports;
mod loopback;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aktar::sandbox::{Options, creds};
use common::*;
use exports::*;
use loopback::Loopback;
use tempfile::TempDir;

/// The binary in the background with the sandbox's credentials.
fn spawn(args: &[&std::ffi::OsStr]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_aktar"))
        .env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
        .env("ODUYO_PASSWORD", creds::ODUYO_PASSWORD)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: sending a signal to our own child process.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "kill failed");
}

/// The exit code and stderr of a child that is expected to end by itself now.
fn finish(child: Child) -> (Option<i32>, String) {
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// True once the run has validated some rows: the valid requests it spills (to a
/// temporary file until the end) have reached the disk.
fn validating(out: &Path) -> bool {
    std::fs::read_dir(out).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.contains(".jsonl.")
                && name.ends_with(".part")
                && e.metadata().is_ok_and(|m| m.len() > 0)
        })
    })
}

fn stop_while_sending(sig: libc::c_int) {
    let sb = Sandbox::start(Options {
        latency: Duration::from_millis(100),
        ..Options::default()
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"20/s\"\nconcurrency = 2",
    );
    let m = root().join("tests/fixtures/hareket.toml");
    let input = transactions(dir.path(), "hareket.csv", 40);
    let out = dir.path().join("stopped");
    let child = spawn(&[
        "run".as_ref(),
        "--config".as_ref(),
        cfg.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--report-dir".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    // The login and a few posts have reached the provider.
    wait_for("requests to start", || sb.stats().requests >= 4);
    signal(&child, sig);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; requests in flight were finished"),
        "{stderr}"
    );

    let s = summary(&out);
    assert_adds_up(&s);
    let sent = s["sent"].as_u64().unwrap();
    assert!(sent > 0 && sent < 40, "stopped part-way: {s}");
    assert_eq!(s["held"], 0, "{s}");
    for report in ["errors.csv", "errors.xlsx", "failed.csv", "uncertain.csv"] {
        assert!(out.join(report).exists(), "{report}");
    }
    let failed = csv_rows(&out.join("failed.csv"));
    assert!(!failed.is_empty());
    assert!(
        failed.iter().all(|f| f["message"].contains("interrupted")),
        "{failed:?}"
    );

    let journal = dir.path().join("state.db");
    let st = statuses(&journal);
    assert_eq!(st.get("pending"), None, "no post is left pending: {st:?}");
    assert_eq!(st.get("sent").copied(), Some(sent), "{st:?}");
    let posted = transaction_writes(&sb);
    assert_eq!(posted.len() as u64, sent, "{posted:?}");

    // The next run posts the rest, and nothing twice.
    let code = run_quietly(&cfg, &m, &dir.path().join("again"), &[&input])
        .status
        .code();
    assert_eq!(code, Some(0));
    let again = summary(&dir.path().join("again"));
    assert_eq!(again["unchanged"].as_u64(), Some(sent), "{again}");
    let posted = transaction_writes(&sb);
    assert_eq!(posted.len(), 40, "{posted:?}");
    assert!(posted.values().all(|n| *n == 1), "{posted:?}");
}

#[test]
fn sigterm_while_sending_finishes_in_flight_writes_reports_and_leaves_no_pending() {
    stop_while_sending(libc::SIGTERM);
}

#[test]
fn sighup_while_sending_is_handled_like_ctrl_c() {
    stop_while_sending(libc::SIGHUP);
}

/// Enough rows that reading them takes seconds, not the milliseconds a signal needs.
const BIG: usize = 300_000;

#[test]
fn ctrl_c_while_reading_writes_the_reports_of_what_was_read() {
    let dir = TempDir::new().unwrap();
    let input = customers(dir.path(), "cariler.csv", BIG);
    let out = dir.path().join("out");
    let m = root().join("tests/fixtures/customers.toml");
    let child = spawn(&[
        "check".as_ref(),
        "-m".as_ref(),
        m.as_os_str(),
        "--report-dir".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    wait_for("rows to be validated", || validating(&out));
    signal(&child, libc::SIGINT);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted after"), "{stderr}");
    let s = summary(&out);
    let rows = s["rows"].as_u64().unwrap();
    assert!(
        rows > 0 && rows < BIG as u64,
        "the reading stopped part-way: {s}"
    );
    assert_eq!(s["valid"].as_u64(), Some(rows), "{s}");
    assert_eq!(
        payloads(&out).len() as u64,
        rows,
        "payloads.jsonl has what was read"
    );
    assert!(out.join("errors.xlsx").exists());
}

#[test]
fn sigterm_while_reading_a_sending_run_holds_every_row_and_sends_nothing() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "");
    let input = customers(dir.path(), "cariler.csv", BIG);
    let out = dir.path().join("out");
    let m = root().join("tests/fixtures/customers.toml");
    let child = spawn(&[
        "run".as_ref(),
        "--config".as_ref(),
        cfg.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--report-dir".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    wait_for("rows to be validated", || validating(&out));
    signal(&child, libc::SIGTERM);
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    let s = summary(&out);
    assert_adds_up(&s);
    let rows = s["rows"].as_u64().unwrap();
    assert!(
        rows > 0 && rows < BIG as u64,
        "the reading stopped part-way: {s}"
    );
    assert_eq!(s["held"], s["valid"], "{s}");
    assert_eq!(s["held_reason"], "interrupted before sending", "{s}");
    assert_eq!(s["sent"], 0, "{s}");
    assert_eq!(sb.stats().requests, 0, "nothing reached the provider");
    assert!(statuses(&dir.path().join("state.db")).is_empty());
}

/// The Retry-After the provider below asks for: a retry sleeping on it that the stop
/// did not wake would keep the run alive this long after the first answer.
const LONG_WAIT: Duration = Duration::from_secs(120);

/// The exit code and stderr of a child that a stop should have ended, waiting no later
/// than `by`: the moment the wait it was stopped in would have ended by itself. An end
/// before then is the proof that the stop woke the wait, however long noticing the
/// stop took; a child still running then is killed and the test fails.
fn finish_before(mut child: Child, by: Instant) -> (Option<i32>, String) {
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= by {
            let _ = child.kill();
            let (_, stderr) = finish(child);
            panic!("still running when its wait would have ended by itself: {stderr}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    finish(child)
}

#[test]
fn a_stop_wakes_a_run_waiting_for_its_rate_limit() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    // One request a minute: the second row waits a minute for its slot.
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"1/min\"\nconcurrency = 1",
    );
    let input = customers(dir.path(), "cariler.csv", 3);
    let out = dir.path().join("out");
    let m = root().join("tests/fixtures/customers.toml");
    // The first slot is taken after the start, so the second opens a minute after it.
    let slot_opens = Instant::now() + Duration::from_secs(60);
    let child = spawn(&[
        "run".as_ref(),
        "--config".as_ref(),
        cfg.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--report-dir".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    wait_for("the first row to arrive", || sb.stats().writes >= 1);
    signal(&child, libc::SIGTERM);
    let (code, stderr) = finish_before(child, slot_opens);
    assert_eq!(code, Some(130), "{stderr}");
    let s = summary(&out);
    assert_adds_up(&s);
    assert_eq!(
        (s["sent"].as_u64(), s["failed"].as_u64()),
        (Some(1), Some(2)),
        "{s}"
    );
    assert_eq!(sb.stats().writes, 1, "the woken row was not sent");
}

#[test]
fn a_stop_wakes_a_retry_sleeping_on_retry_after() {
    // Logs in, then answers every write "503, try again in two minutes".
    let provider = Loopback::start_with_headers(|s| {
        if s.path == "/api/v1/ws/login" {
            let session = serde_json::json!({"status": true, "data": {"session_id": "S-1"}});
            return (200, session, Vec::new());
        }
        let retry = vec![("retry-after", LONG_WAIT.as_secs().to_string())];
        (503, serde_json::json!({"status": false}), retry)
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &provider.base_url(), "concurrency = 1");
    let input = customers(dir.path(), "cariler.csv", 2);
    let out = dir.path().join("out");
    let m = root().join("tests/fixtures/customers.toml");
    // The first answer comes after the start, so its retry is due LONG_WAIT after it.
    let retry_due = Instant::now() + LONG_WAIT;
    let child = spawn(&[
        "run".as_ref(),
        "--config".as_ref(),
        cfg.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--report-dir".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    let writes = || {
        provider
            .seen()
            .iter()
            .filter(|s| s.path.ends_with("customer_update"))
            .count()
    };
    wait_for("the first answer", || writes() >= 1);
    signal(&child, libc::SIGTERM);
    let (code, stderr) = finish_before(child, retry_due);
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(writes(), 1, "not retried after the stop");
    let failed = csv_rows(&out.join("failed.csv"));
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed[0]["message"].contains("HTTP 503")
            && failed[0]["message"].contains("not retried: the run stopped"),
        "{failed:?}"
    );
}
