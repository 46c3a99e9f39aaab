//! Regression tests for ways a nightly run could post twice or pass off a partial
//! export as complete: the journal found through the shell's folder, a new journal
//! created silently, a reader's failure taken for the end of the file, valid rows that
//! a guard stopped left in no bucket, and a journal status this aktar does not know.

mod common;
mod exports;

use std::path::{Path, PathBuf};

use aktar::sandbox::Options;
use common::*;
use exports::*;
use tempfile::TempDir;

/// An `aktar.toml` in `dir` whose journal and reports are relative paths.
fn relative_config(dir: &Path, base_url: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let text = format!(
        r#"
[providers.oduyo]
base_url = "{base_url}"
api_key = "env:ODUYO_APIKEY"
rate_limit = "200/s"
[providers.oduyo.login]
username = "{user}"
password = "env:ODUYO_PASSWORD"

[state]
path = "state/journal.db"

[report]
dir = "reports"
"#,
        user = aktar::sandbox::creds::ODUYO_USERNAME,
    );
    let p = dir.join("aktar.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn transactions_mapping() -> PathBuf {
    root().join("tests/fixtures/hareket.toml")
}

/// `aktar run` with `args`, started in `cwd`: exit code and stderr.
fn run_in(cwd: &Path, args: &[&std::ffi::OsStr]) -> (i32, String) {
    let o = aktar()
        .current_dir(cwd)
        .arg("run")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn one_configuration_run_from_two_folders_posts_each_transaction_once() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let etc = dir.path().join("etc/aktar");
    relative_config(&etc, &sb.base_url());
    let input = transactions(dir.path(), "hareket.csv", 10);
    let m = transactions_mapping();
    let (a, b) = (dir.path().join("a"), dir.path().join("b/c"));
    for cwd in [&a, &b] {
        std::fs::create_dir_all(cwd).unwrap();
    }

    let (code, stderr) = run_in(
        &a,
        &[
            "--config".as_ref(),
            "../etc/aktar/aktar.toml".as_ref(),
            "-m".as_ref(),
            m.as_os_str(),
            input.as_os_str(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run_in(
        &b,
        &[
            "--config".as_ref(),
            "../../etc/aktar/aktar.toml".as_ref(),
            "-m".as_ref(),
            m.as_os_str(),
            input.as_os_str(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("no journal"),
        "the second run found it: {stderr}"
    );

    let posted = transaction_writes(&sb);
    assert_eq!(posted.len(), 10, "{posted:?}");
    assert!(
        posted.values().all(|n| *n == 1),
        "posted once each: {posted:?}"
    );
    assert!(etc.join("state/journal.db").exists());
    assert!(!a.join("state").exists() && !b.join("state").exists());
    let mut runs: Vec<serde_json::Value> = std::fs::read_dir(etc.join("reports"))
        .unwrap()
        .map(|e| summary(&e.unwrap().path()))
        .collect();
    runs.sort_by_key(|s| s["unchanged"].as_u64());
    let counts: Vec<_> = runs
        .iter()
        .map(|s| (s["sent"].as_u64(), s["unchanged"].as_u64()))
        .collect();
    assert_eq!(counts, [(Some(10), Some(0)), (Some(0), Some(10))]);
}

#[test]
fn a_run_that_creates_a_journal_for_transactions_says_so_even_when_quiet() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = relative_config(dir.path(), &sb.base_url());
    let input = transactions(dir.path(), "hareket.csv", 3);
    let m = transactions_mapping();
    let run = |command: &str, out: &str| {
        let o = aktar()
            .args([command, "--quiet", "--config"])
            .arg(&cfg)
            .arg("-m")
            .arg(&m)
            .arg("--report-dir")
            .arg(dir.path().join(out))
            .arg(&input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        (o.status.code(), stderr)
    };
    let journal = dir.path().join("state/journal.db");

    // A dry run creates no journal and says nothing.
    let (code, stderr) = run("check", "dry");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("no journal"), "{stderr}");
    assert!(!journal.exists());

    let (code, stderr) = run("run", "r1");
    assert_eq!(code, Some(0), "{stderr}");
    let expected = format!(
        "aktar: warning: no journal at {}; creating a new one. oduyo.transaction_create must never be posted twice: if this configuration has sent before from another journal, stop now.",
        std::fs::canonicalize(&journal).unwrap().display()
    );
    assert!(stderr.contains(&expected), "{stderr}");

    let (code, stderr) = run("run", "r2");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("no journal"), "{stderr}");

    // Updates may be sent again safely: no warning for them.
    let other = TempDir::new().unwrap();
    let cfg = relative_config(other.path(), &sb.base_url());
    let customers = customers(other.path(), "cariler.csv", 3);
    let o = aktar()
        .arg("run")
        .arg("--config")
        .arg(&cfg)
        .arg("-m")
        .arg(root().join("tests/fixtures/customers.toml"))
        .arg(&customers)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("no journal"));
}

#[test]
fn a_read_error_deep_in_the_file_stops_the_run_before_anything_is_sent() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "");
    let mapping = dir.path().join("utf8.toml");
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/customers.toml")).unwrap();
    std::fs::write(
        &mapping,
        fixture.replace("[source]\n", "[source]\nencoding = \"utf-8\"\n"),
    )
    .unwrap();
    // Past the first batches the reader hands on, a byte that is not UTF-8.
    let mut bytes = std::fs::read(customers(dir.path(), "cariler.csv", 9_000)).unwrap();
    let at = bytes.len() - 20;
    bytes[at] = 0xFF;
    let input = dir.path().join("broken.csv");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out");
    let o = aktar()
        .arg("run")
        .arg("--config")
        .arg(&cfg)
        .arg("-m")
        .arg(&mapping)
        .arg("--report-dir")
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("read error near row 9001"), "{stderr}");
    assert_eq!(sb.stats().requests, 0, "nothing was sent");
    assert!(
        !out.join("summary.json").exists(),
        "no report passes for complete"
    );
}

#[test]
fn valid_rows_a_guard_stops_are_held_with_the_reason() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let m = root().join("tests/fixtures/customers.toml");
    let run = |input: &Path, out: &str| {
        aktar()
            .arg("run")
            .arg("--config")
            .arg(&cfg)
            .arg("-m")
            .arg(&m)
            .arg("--report-dir")
            .arg(dir.path().join(out))
            .arg(input)
            .output()
            .unwrap()
    };
    let full = customers(dir.path(), "a.csv", 20);
    assert_eq!(run(&full, "r1").status.code(), Some(0));
    let short = customers(dir.path(), "b.csv", 8);
    let o = run(&short, "r2");
    assert_eq!(o.status.code(), Some(2));
    let s = summary(&dir.path().join("r2"));
    assert_adds_up(&s);
    assert_eq!(
        (s["valid"].as_u64(), s["held"].as_u64()),
        (Some(8), Some(8)),
        "{s}"
    );
    let why = s["held_reason"].as_str().unwrap_or_default();
    assert!(
        why.contains("the file has 8 rows, the last run had 20"),
        "{s}"
    );

    // The Özet sheet of errors.xlsx says so too.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("r2/errors.xlsx")).unwrap();
    let sheet = wb.worksheet_range("Özet").unwrap();
    let rows: Vec<(String, String)> = sheet
        .rows()
        .map(|r| {
            let cell = |i: usize| r.get(i).map(|c| c.to_string()).unwrap_or_default();
            (cell(0), cell(1))
        })
        .collect();
    assert!(
        rows.contains(&("Bekletilen".into(), "8".into())),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|(k, v)| k == "Bekletme nedeni" && v == why),
        "{rows:?}"
    );
}

#[test]
fn a_journal_status_this_aktar_does_not_know_is_held_never_posted() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let m = transactions_mapping();
    let input = transactions(dir.path(), "hareket.csv", 5);
    let run = |out: &str, extra: &[&str]| {
        aktar()
            .arg("run")
            .arg("--config")
            .arg(&cfg)
            .arg("-m")
            .arg(&m)
            .arg("--report-dir")
            .arg(dir.path().join(out))
            .args(extra)
            .arg(&input)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run("r1", &[]), Some(0));
    // As a newer aktar, or a person with a SQLite shell, might leave it.
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    conn.pragma_update(None, "ignore_check_constraints", true)
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE entries SET status = 'archived' WHERE key IN ('F001', 'F003')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 2);
    drop(conn);

    assert_eq!(run("r2", &["--full"]), Some(1));
    let s = summary(&dir.path().join("r2"));
    assert_adds_up(&s);
    assert_eq!(
        (s["unchanged"].as_u64(), s["uncertain"].as_u64()),
        (Some(3), Some(2)),
        "{s}"
    );
    let held: Vec<String> = csv_rows(&dir.path().join("r2/uncertain.csv"))
        .into_iter()
        .map(|r| r["key"].clone())
        .collect();
    assert_eq!(held, ["F001", "F003"]);
    // Listed with the uncertain, as they are held as such, under the status they have.
    let listed = aktar()
        .args([
            "journal",
            "list",
            "--status",
            "uncertain",
            "--json",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(listed.status.success());
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    let mut keys: Vec<(&str, &str)> = listed
        .iter()
        .map(|e| (e["key"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    keys.sort();
    assert_eq!(keys, [("F001", "archived"), ("F003", "archived")]);
    let posted = transaction_writes(&sb);
    assert!(
        posted.values().all(|n| *n == 1),
        "nothing posted twice: {posted:?}"
    );

    // A person settles them as for any uncertain post.
    for key in ["F001", "F003"] {
        aktar()
            .args(["journal", "resolve", key, "--as", "sent", "--config"])
            .arg(&cfg)
            .assert()
            .success();
    }
    assert_eq!(run("r3", &[]), Some(0));
    assert_eq!(summary(&dir.path().join("r3"))["unchanged"], 5);
    assert!(transaction_writes(&sb).values().all(|n| *n == 1));
}
