//! Exit codes that tell the truth, and `base_url` as a base URL: exit 2 promises that
//! nothing was sent, so a report that fails after requests left has a code of its own
//! (4); a `base_url` with a query string or a password is a configuration mistake
//! (exit 2, before any request), and one with a path prefix is joined with each
//! endpoint's path.

mod common;
mod exports;
mod loopback;

use std::path::Path;

use aktar::sandbox::{Options, creds};
use common::*;
use exports::*;
use loopback::Loopback;
use tempfile::TempDir;

fn customers_mapping() -> std::path::PathBuf {
    root().join("tests/fixtures/customers.toml")
}

/// `aktar run` (or `check`, with `dry`) of the customers mapping: exit code and stderr.
fn run(cfg: &Path, input: &Path, out: &Path, dry: bool) -> (Option<i32>, String) {
    let o = aktar()
        .arg(if dry { "check" } else { "run" })
        .arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(customers_mapping())
        .arg("--report-dir")
        .arg(out)
        .arg(input)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A report folder where `summary.json` cannot be written: a folder holds its name.
fn blocked_report_dir(dir: &Path, name: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    std::fs::create_dir_all(out.join("summary.json/in-the-way")).unwrap();
    out
}

#[test]
fn a_report_that_fails_after_rows_were_sent_exits_4_and_the_journal_has_the_run() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let input = customers(dir.path(), "cariler.csv", 5);
    let out = blocked_report_dir(dir.path(), "r1");
    let (code, stderr) = run(&cfg, &input, &out, false);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("requests were sent, but not everything could be written")
            && stderr.contains("summary.json"),
        "{stderr}"
    );
    assert_eq!(sb.stats().writes, 5, "the rows were sent");

    // The run's record was finished before the reports were tried.
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let (sent, ended, exit): (i64, Option<String>, Option<i64>) = conn
        .query_row(
            "SELECT sent, ended_at, exit_code FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((sent, ended.is_some(), exit), (5, true, Some(0)));
    assert_eq!(statuses(&dir.path().join("state.db")).get("sent"), Some(&5));

    // The journal knows: the next run sends nothing again.
    let (code, stderr) = run(&cfg, &input, &dir.path().join("r2"), false);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary(&dir.path().join("r2"))["unchanged"], 5);
    assert_eq!(sb.stats().writes, 5);
}

#[test]
fn a_report_that_fails_when_nothing_was_sent_is_still_exit_2() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let input = customers(dir.path(), "cariler.csv", 5);

    let (code, stderr) = run(&cfg, &input, &blocked_report_dir(dir.path(), "dry"), true);
    assert_eq!(code, Some(2), "a dry run sends nothing: {stderr}");

    assert_eq!(run(&cfg, &input, &dir.path().join("r1"), false).0, Some(0));
    // Every row unchanged: no request leaves, so 2 still tells the truth.
    let (code, stderr) = run(&cfg, &input, &blocked_report_dir(dir.path(), "r2"), false);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("summary.json"), "{stderr}");
    assert_eq!(sb.stats().writes, 5);
}

/// An `aktar.toml` whose Ödüyo `base_url` is `base_url`.
fn oduyo_config(dir: &Path, base_url: &str) -> std::path::PathBuf {
    let text = format!(
        r#"
[providers.oduyo]
base_url = "{base_url}"
api_key = "env:ODUYO_APIKEY"
[providers.oduyo.login]
username = "{user}"
password = "env:ODUYO_PASSWORD"

[state]
path = "state.db"
"#,
        user = creds::ODUYO_USERNAME,
    );
    let p = dir.join("aktar.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_base_url_with_a_query_or_a_password_is_refused_before_any_request() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let input = customers(dir.path(), "cariler.csv", 3);
    let host = sb.base_url().trim_start_matches("http://").to_string();
    for (base_url, says) in [
        (
            format!("http://{host}/?tenant=7"),
            "must not have a query string",
        ),
        (
            format!("http://entegrasyon:Gizli-Sifre-42@{host}"),
            "must not hold a user name or password",
        ),
        (format!("http://{host}/#x"), "must not have a fragment"),
    ] {
        let cfg = oduyo_config(dir.path(), &base_url);
        for dry in [false, true] {
            let (code, stderr) = run(&cfg, &input, &dir.path().join("out"), dry);
            assert_eq!(code, Some(2), "{base_url} (dry run: {dry}): {stderr}");
            assert!(
                stderr.contains("[providers.oduyo] `base_url`") && stderr.contains(says),
                "{stderr}"
            );
            assert!(!stderr.contains("Gizli-Sifre-42"), "{stderr}");
        }
    }
    assert_eq!(sb.stats().requests, 0, "nothing reached the provider");
}

#[test]
fn a_base_url_with_a_path_prefix_is_joined_with_each_path() {
    let provider = Loopback::start(|s| {
        if s.path.ends_with("/ws/login") {
            let session = serde_json::json!({"status": true, "data": {"session_id": "S-1"}});
            return (200, session);
        }
        (200, serde_json::json!({"status": true}))
    });
    let dir = TempDir::new().unwrap();
    let input = customers(dir.path(), "cariler.csv", 2);
    let cfg = oduyo_config(dir.path(), &format!("{}/api/v2/", provider.base_url()));

    let (code, stderr) = run(&cfg, &input, &dir.path().join("dry"), true);
    assert_eq!(code, Some(0), "{stderr}");
    let urls: Vec<String> = payloads(&dir.path().join("dry"))
        .iter()
        .map(|p| p["url"].as_str().unwrap_or_default().to_string())
        .collect();
    let expected = format!(
        "{}/api/v2/api/v1/customer/customer_update",
        provider.base_url()
    );
    assert_eq!(urls, [expected.clone(), expected]);

    let (code, stderr) = run(&cfg, &input, &dir.path().join("r"), false);
    assert_eq!(code, Some(0), "{stderr}");
    let paths: Vec<String> = provider.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v2/api/v1/ws/login",
            "/api/v2/api/v1/customer/customer_update",
            "/api/v2/api/v1/customer/customer_update",
        ]
    );
    let basic = |s: &loopback::Seen| {
        s.header("authorization")
            .is_some_and(|v| v.starts_with("Basic"))
    };
    assert!(
        !provider.seen().iter().any(basic),
        "no Basic authentication"
    );
}
