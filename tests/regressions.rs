//! One test per bug found in review, named after it, each running the real binary
//! against servers on loopback: the sandbox, or a stand-in provider that answers the
//! way the bug needed (a redirect, an answer that says neither yes nor no).

mod common;
mod exports;
mod loopback;

use std::path::Path;

use aktar::sandbox::Options;
use common::*;
use exports::*;
use loopback::{Loopback, Seen};
use serde_json::{Value, json};
use tempfile::TempDir;

const LOGIN: &str = "/api/v1/ws/login";

/// Ödüyo's login answer, granting a session.
fn session() -> Value {
    json!({"status": true, "data": {"session_id": "S-1"}})
}

/// The request body's `column` object.
fn column(s: &Seen) -> Value {
    serde_json::from_slice::<Value>(&s.body).unwrap_or_default()["column"].clone()
}

/// A sending run's exit code and stderr.
fn send(cfg: &Path, mapping: &Path, inputs: &[&Path], out: &Path) -> (i32, String) {
    let o = run_quietly(cfg, mapping, out, inputs);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The writes a stand-in provider received (everything but the login).
fn writes(p: &Loopback) -> Vec<Seen> {
    p.seen().into_iter().filter(|s| s.path != LOGIN).collect()
}

/// A redirect answering a write must not be followed: following it would send the
/// request again, with Ödüyo's `Apikey` and session, to wherever the `Location` points.
#[test]
fn regression_a_redirect_is_not_followed_and_credentials_stay_home() {
    let elsewhere = Loopback::start(|_| (200, json!({"status": true})));
    let target = elsewhere.base_url();
    // Customer i + 1 is answered with the i-th redirect status.
    let redirects = [301u16, 302, 303, 307, 308];
    let provider = Loopback::start_with_headers(move |s| {
        if s.path == LOGIN {
            return (200, session(), Vec::new());
        }
        let id: usize = column(s)["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or(1);
        let status = redirects[(id - 1) % redirects.len()];
        let location = format!("{target}{}", s.path);
        (
            status,
            json!({"status": true}),
            vec![("location", location)],
        )
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &provider.base_url(), "");
    let input = customers(dir.path(), "cariler.csv", redirects.len());
    let m = root().join("tests/fixtures/customers.toml");
    let out = dir.path().join("out");
    let (code, stderr) = send(&cfg, &m, &[&input], &out);

    assert_eq!(code, 1, "{stderr}");
    assert!(
        elsewhere.seen().is_empty(),
        "a redirect was followed: {:?}",
        elsewhere.seen()
    );
    let seen = writes(&provider);
    assert_eq!(seen.len(), redirects.len(), "one request per row: {seen:?}");
    let s = summary(&out);
    assert_adds_up(&s);
    assert_eq!(
        (s["sent"].as_u64(), s["failed"].as_u64()),
        (Some(0), Some(redirects.len() as u64)),
        "{s}"
    );
    let failed = csv_rows(&out.join("failed.csv"));
    let mut statuses: Vec<String> = failed.iter().map(|f| f["http_status"].clone()).collect();
    statuses.sort();
    let expected: Vec<String> = redirects.iter().map(u16::to_string).collect();
    assert_eq!(statuses, expected, "{failed:?}");
    assert!(
        failed
            .iter()
            .all(|f| f["message"].contains("redirects are not followed")),
        "{failed:?}"
    );
}

/// The same export given twice on one command line would read every row twice; the
/// run is refused before anything is read or sent, however the path is spelled.
#[test]
fn regression_the_same_input_twice_on_one_command_line_is_refused() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "");
    let m = root().join("tests/fixtures/hareket.toml");
    let input = transactions(dir.path(), "hareket.csv", 3);
    let spelled_otherwise = dir.path().join(".").join("hareket.csv");
    let linked = dir.path().join("bugun.csv");
    std::os::unix::fs::symlink(&input, &linked).unwrap();

    for (i, second) in [&input, &spelled_otherwise, &linked]
        .into_iter()
        .enumerate()
    {
        let out = dir.path().join(format!("out{i}"));
        let (code, stderr) = send(&cfg, &m, &[&input, second], &out);
        assert_eq!(code, 2, "{}: {stderr}", second.display());
        assert!(
            stderr.contains("hareket.csv") || stderr.contains("bugun.csv"),
            "the file is named: {stderr}"
        );
        assert!(stderr.contains("twice"), "{stderr}");
    }
    assert_eq!(sb.stats().requests, 0, "nothing reached the provider");
    assert!(
        !dir.path().join("state.db").exists() || statuses(&dir.path().join("state.db")).is_empty(),
        "nothing was recorded"
    );

    // Given once, the same file is a normal run.
    let out = dir.path().join("once");
    let (code, stderr) = send(&cfg, &m, &[&input], &out);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary(&out)["sent"], 3);
}

/// A transaction answered with something that says neither yes nor no — a 2xx without
/// Ödüyo's `status`, or with a `status` that is no boolean, or a redirect — may have
/// been posted: it is `uncertain`, never `sent` and never posted again.
#[test]
fn regression_an_unclear_answer_makes_a_transaction_uncertain_never_resent() {
    let elsewhere = Loopback::start(|_| (200, json!({"status": true})));
    let target = elsewhere.base_url();
    let provider = Loopback::start_with_headers(move |s| {
        if s.path == LOGIN {
            return (200, session(), Vec::new());
        }
        let comment = column(s)["comment"].as_str().unwrap_or_default().to_owned();
        let none = Vec::new();
        match comment.split(' ').next().unwrap_or_default() {
            "F000" => (200, json!({"message": "kaydedildi"}), none),
            "F001" => (200, json!({"status": "ok", "data": {"id": 7}}), none),
            "F002" => {
                let location = vec![("location", format!("{target}{}", s.path))];
                (302, json!({"message": "taşındı"}), location)
            }
            "F003" => (200, json!({"status": true, "data": {"id": 8}}), none),
            _ => (200, json!({"status": false, "message": "cari yok"}), none),
        }
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &provider.base_url(), "");
    let m = root().join("tests/fixtures/hareket.toml");
    let input = transactions(dir.path(), "hareket.csv", 5);
    let out = dir.path().join("first");
    let (code, stderr) = send(&cfg, &m, &[&input], &out);

    assert_eq!(code, 1, "{stderr}");
    let s = summary(&out);
    assert_adds_up(&s);
    assert_eq!(
        (
            s["sent"].as_u64(),
            s["uncertain"].as_u64(),
            s["failed"].as_u64()
        ),
        (Some(1), Some(3), Some(1)),
        "{s}"
    );
    let mut uncertain: Vec<String> = csv_rows(&out.join("uncertain.csv"))
        .into_iter()
        .map(|r| r["key"].clone())
        .collect();
    uncertain.sort();
    assert_eq!(uncertain, ["F000", "F001", "F002"]);
    let failed = csv_rows(&out.join("failed.csv"));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["key"], "F004");
    assert!(elsewhere.seen().is_empty(), "a redirect was followed");
    let st = statuses(&dir.path().join("state.db"));
    assert_eq!(st.get("uncertain"), Some(&3), "{st:?}");
    assert_eq!(st.get("sent"), Some(&1), "{st:?}");

    // The next run posts none of them again: only the refused one is tried anew.
    let again = dir.path().join("again");
    let (code, stderr) = send(&cfg, &m, &[&input], &again);
    assert_eq!(code, 1, "{stderr}");
    let mut by_fis = std::collections::BTreeMap::new();
    for w in writes(&provider) {
        let comment = column(&w)["comment"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let fis = comment.split(' ').next().unwrap_or_default().to_owned();
        *by_fis.entry(fis).or_insert(0u64) += 1;
    }
    let expected: std::collections::BTreeMap<String, u64> = [
        ("F000", 1),
        ("F001", 1),
        ("F002", 1),
        ("F003", 1),
        ("F004", 2),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_owned(), n))
    .collect();
    assert_eq!(by_fis, expected);
    let s = summary(&again);
    assert_eq!(
        (s["unchanged"].as_u64(), s["uncertain"].as_u64()),
        (Some(1), Some(3)),
        "{s}"
    );
}
