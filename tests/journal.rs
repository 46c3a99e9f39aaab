//! The journal across runs, with the real binary against the sandbox: delta sync,
//! file guards, exactly-once transactions, and resuming after SIGKILL.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use aktar::sandbox::Options;
use common::*;
use predicates::prelude::*;
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// `n` customers; `balance(i)` gives row i's balance.
fn customers(dir: &TempDir, name: &str, n: usize, balance: impl Fn(usize) -> String) -> PathBuf {
    let mut text = String::from("Cari Kodu;Ödüyo No;Ünvan;Bakiye\n");
    for i in 0..n {
        text.push_str(&format!("C{i:03};{};Müşteri {i};{}\n", i + 1, balance(i)));
    }
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `n` transactions; `amount(i)` gives row i's credit. Row i is Fiş No `F{i:03}`, and
/// its description (sent as `comment`) starts with the same number, which is how a
/// transaction is told apart in the sandbox's ledger (keyed by a hash of the body).
/// Every third row leaves Saat empty, so its hour is the mapping's default.
fn transactions(dir: &TempDir, name: &str, n: usize, amount: impl Fn(usize) -> String) -> PathBuf {
    let mut text = String::from("Fiş No;Cari;Borç;Alacak;Tarih;Saat;Açıklama\n");
    for i in 0..n {
        let hour = if i % 3 == 0 {
            String::new()
        } else {
            format!("{:02}:{:02}", 8 + i % 10, (i * 7) % 60)
        };
        text.push_str(&format!(
            "F{i:03};{};;{};0{}.11.2026;{hour};F{i:03} tahsilat\n",
            i % 7 + 1,
            amount(i),
            i % 9 + 1
        ));
    }
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `aktar run` of `input` with `mapping`, reports in `out`.
fn output(
    cfg: &Path,
    mapping: &Path,
    input: &Path,
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    aktar()
        .arg("run")
        .arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(mapping)
        .arg("--report-dir")
        .arg(out)
        .args(extra)
        .arg(input)
        .output()
        .unwrap()
}

fn run(cfg: &Path, mapping: &Path, input: &Path, out: &Path, extra: &[&str]) -> i32 {
    output(cfg, mapping, input, out, extra)
        .status
        .code()
        .unwrap_or(-1)
}

fn writes(sb: &Sandbox, endpoint: &str) -> std::collections::BTreeMap<String, u64> {
    sb.ledger()
        .endpoints
        .get(endpoint)
        .map(|m| m.iter().map(|(k, e)| (k.clone(), e.writes)).collect())
        .unwrap_or_default()
}

/// Applied transaction writes by Fiş No (the first word of the comment the fixture
/// writes), summed over every ledger key that carries it: a transaction posted twice
/// counts 2 here whether or not both bodies were the same. Also checks that every
/// ledger key is the hash of the canonical body it holds, as `ledger_key` computes it.
fn transaction_writes(sb: &Sandbox) -> std::collections::BTreeMap<String, u64> {
    let ledger = sb.ledger();
    let mut by_fis = std::collections::BTreeMap::new();
    for (key, e) in ledger
        .endpoints
        .get("oduyo.transaction_create")
        .into_iter()
        .flatten()
    {
        assert_eq!(*key, body_hash(&e.last), "the ledger key of {}", e.last);
        let comment = e.last["column"]["comment"]
            .as_str()
            .unwrap_or_else(|| panic!("a comment in {}", e.last));
        let fis = comment.split(' ').next().unwrap_or_default().to_string();
        *by_fis.entry(fis).or_insert(0) += e.writes;
    }
    by_fis
}

#[test]
fn only_what_changed_is_sent_again() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let m = fixture("customers.toml");
    let first = customers(&dir, "a.csv", 20, |i| format!("{i},50"));
    assert_eq!(run(&cfg, &m, &first, &dir.path().join("r1"), &[]), 0);
    assert_eq!(summary(&dir.path().join("r1"))["sent"], 20);

    // Unchanged: nothing is sent, every row is `unchanged`.
    assert_eq!(run(&cfg, &m, &first, &dir.path().join("r2"), &[]), 0);
    let s = summary(&dir.path().join("r2"));
    assert_eq!(
        (s["sent"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(20)),
        "{s}"
    );
    assert!(
        writes(&sb, "oduyo.customer_update")
            .values()
            .all(|w| *w == 1)
    );

    // Three rows change: exactly those three are sent.
    let changed = customers(&dir, "b.csv", 20, |i| {
        if [3, 7, 11].contains(&i) {
            "999,00".into()
        } else {
            format!("{i},50")
        }
    });
    // A dry run first: it reports what would be unchanged, and writes nothing.
    let before = std::fs::read(dir.path().join("state.db")).unwrap();
    let o = aktar()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg("-m")
        .arg(&m)
        .arg("--report-dir")
        .arg(dir.path().join("dry"))
        .arg(&changed)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(summary(&dir.path().join("dry"))["unchanged"], 17);
    assert_eq!(
        std::fs::read(dir.path().join("state.db")).unwrap(),
        before,
        "a dry run never writes the journal"
    );

    assert_eq!(run(&cfg, &m, &changed, &dir.path().join("r3"), &[]), 0);
    let s = summary(&dir.path().join("r3"));
    assert_eq!(
        (s["sent"].as_u64(), s["unchanged"].as_u64()),
        (Some(3), Some(17)),
        "{s}"
    );
    let w = writes(&sb, "oduyo.customer_update");
    for (k, n) in &w {
        let expected = if ["4", "8", "12"].contains(&k.as_str()) {
            2
        } else {
            1
        };
        assert_eq!(*n, expected, "id {k}");
    }

    // --full resends updates.
    assert_eq!(
        run(&cfg, &m, &changed, &dir.path().join("r4"), &["--full"]),
        0
    );
    assert_eq!(summary(&dir.path().join("r4"))["sent"], 20);
}

#[test]
fn a_truncated_file_or_a_changed_header_trips_the_drift_guard() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let m = fixture("customers.toml");
    let full = customers(&dir, "a.csv", 20, |i| format!("{i},50"));
    assert_eq!(run(&cfg, &m, &full, &dir.path().join("r1"), &[]), 0);

    let short = customers(&dir, "b.csv", 9, |i| format!("{i},99"));
    let o = output(&cfg, &m, &short, &dir.path().join("r2"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("the file has 9 rows, the last run had 20"),
        "{stderr}"
    );
    assert!(
        writes(&sb, "oduyo.customer_update")
            .values()
            .all(|w| *w == 1),
        "nothing was sent"
    );

    assert_eq!(
        run(
            &cfg,
            &m,
            &short,
            &dir.path().join("r3"),
            &["--accept-drift"]
        ),
        0
    );
    assert_eq!(summary(&dir.path().join("r3"))["sent"], 9);

    let renamed = dir.path().join("c.csv");
    let text = std::fs::read_to_string(&full).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut t = format!("{header};Şube\n");
    for l in lines {
        t.push_str(&format!("{l};Merkez\n"));
    }
    std::fs::write(&renamed, t).unwrap();
    let o = output(&cfg, &m, &renamed, &dir.path().join("r4"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("header changed since the last run (new: `Şube`)")
    );
}

#[test]
fn a_wrong_control_total_stops_the_run() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "");
    let sample = std::fs::read(root().join("samples/logo_cariler.csv")).unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1254.decode(&sample);
    let bad = text.replace(
        "TOPLAM;;;;;;;;;;;1.221.505,36",
        "TOPLAM;;;;;;;;;;;1.221.515,36",
    );
    assert_ne!(bad, text);
    let (bytes, _, _) = encoding_rs::WINDOWS_1254.encode(&bad);
    let input = dir.path().join("cariler.csv");
    std::fs::write(&input, &bytes).unwrap();
    let o = output(
        &cfg,
        &root().join("mappings/oduyo/customer_update.toml"),
        &input,
        &dir.path().join("r"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("`Bakiye` adds up to 1221505.36, the total row says 1221515.36"),
        "{stderr}"
    );
    assert!(
        writes(&sb, "oduyo.customer_update").is_empty(),
        "nothing was sent"
    );
    assert!(
        dir.path().join("r/errors.xlsx").exists(),
        "the validation reports are still written"
    );
}

#[test]
fn a_posted_transaction_that_changed_is_reported_not_posted() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let m = fixture("hareket.toml");
    let first = transactions(&dir, "a.csv", 10, |i| format!("{}00,00", i + 1));
    assert_eq!(run(&cfg, &m, &first, &dir.path().join("r1"), &[]), 0);
    let changed = transactions(&dir, "b.csv", 10, |i| {
        if i == 4 {
            "777,77".into()
        } else {
            format!("{}00,00", i + 1)
        }
    });
    assert_eq!(
        run(&cfg, &m, &changed, &dir.path().join("r2"), &["--full"]),
        1
    );
    let s = summary(&dir.path().join("r2"));
    assert_eq!(
        (
            s["sent"].as_u64(),
            s["unchanged"].as_u64(),
            s["failed"].as_u64()
        ),
        (Some(0), Some(9), Some(1)),
        "{s}"
    );
    let failed = csv_rows(&dir.path().join("r2/failed.csv"));
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["key"], "F004");
    assert!(
        failed[0]["message"].contains("changed_after_posting"),
        "{}",
        failed[0]["message"]
    );
    assert!(
        failed[0]["message"].contains("amount 500.00 → 777.77"),
        "{}",
        failed[0]["message"]
    );
    let w = transaction_writes(&sb);
    assert_eq!(w.len(), 10, "{w:?}");
    assert!(w.values().all(|w| *w == 1), "{w:?}");
    assert!(
        writes(&sb, "oduyo.transaction_create")
            .values()
            .all(|w| *w == 1)
    );
}

/// A moment of a run, named, and how the sandbox's counters show it has come.
type Moment = (&'static str, fn(&aktar::sandbox::Stats) -> bool);

/// Kills a transaction import at several moments and runs it again: no key is ever
/// posted twice, every row is either sent once or reported uncertain, and after a
/// person resolves the uncertain ones a last run finishes the job.
#[test]
fn sigkill_at_any_moment_never_posts_twice() {
    // Each kill comes at an event the sandbox sees: before anything reached it, at
    // the login, after a few posts, and late in the run.
    let moments: [Moment; 4] = [
        ("at once", |_| true),
        ("after the login", |s| s.logins >= 1),
        ("after 5 posts", |s| s.writes >= 5),
        ("after 25 posts", |s| s.writes >= 25),
    ];
    for (round, (moment, reached)) in moments.into_iter().enumerate() {
        let sb = Sandbox::start(Options {
            latency: Duration::from_millis(40),
            ..Options::default()
        });
        let dir = TempDir::new().unwrap();
        let cfg = config(
            &dir,
            &sb.base_url(),
            "rate_limit = \"25/s\"\nconcurrency = 2",
        );
        let m = fixture("hareket.toml");
        let input = transactions(&dir, "h.csv", 40, |i| format!("{},{:02}", 100 + i, i));

        let mut child = spawn_quiet_run(&cfg, &m, &dir.path().join("killed"), &input);
        wait_for(moment, || reached(&sb.stats()));
        let _ = child.kill();
        let _ = child.wait();
        // What the killed run had sent is handled once its connections are closed.
        wait_for("the sandbox to finish with the killed run", || {
            sb.stats().connections == 0
        });
        let posted_before = transaction_writes(&sb);

        let code = run(&cfg, &m, &input, &dir.path().join("again"), &["--quiet"]);
        let s = summary(&dir.path().join("again"));
        assert!(code == 0 || code == 1, "round {round}: exit {code} {s}");
        let uncertain: Vec<String> = csv_rows(&dir.path().join("again/uncertain.csv"))
            .into_iter()
            .map(|r| r["key"].clone())
            .collect();
        let w = transaction_writes(&sb);
        for i in 0..40 {
            let key = format!("F{i:03}");
            let n = w.get(&key).copied().unwrap_or(0);
            assert!(n <= 1, "round {round}: {key} posted {n} times");
            assert!(
                n == 1 || uncertain.contains(&key),
                "round {round}: {key} neither sent nor uncertain"
            );
        }
        for key in &uncertain {
            assert!(
                posted_before.contains_key(key) || !w.contains_key(key),
                "round {round}: {key} was posted by the second run although uncertain"
            );
        }

        eprintln!(
            "round {round}: killed {moment}: {} posted before, {} uncertain after the second run",
            posted_before.len(),
            uncertain.len()
        );
        // A person checks the provider (here: the ledger) and resolves each.
        for key in &uncertain {
            let how = if w.contains_key(key) {
                "sent"
            } else {
                "unsent"
            };
            aktar()
                .args(["journal", "resolve", key, "--as", how, "--config"])
                .arg(&cfg)
                .assert()
                .success();
        }
        assert_eq!(
            run(&cfg, &m, &input, &dir.path().join("last"), &["--quiet"]),
            0,
            "round {round}"
        );
        let w = transaction_writes(&sb);
        assert_eq!(w.len(), 40, "round {round}");
        assert!(w.values().all(|n| *n == 1), "round {round}: {w:?}");
        let raw = writes(&sb, "oduyo.transaction_create");
        assert_eq!(raw.len(), 40, "round {round}: one ledger key per row");
        assert!(raw.values().all(|n| *n == 1), "round {round}: {raw:?}");
    }
}

#[test]
fn journal_list_show_and_resolve() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"200/s\"");
    let m = fixture("hareket.toml");
    let input = transactions(&dir, "a.csv", 3, |i| format!("{}0,00", i + 1));
    assert_eq!(run(&cfg, &m, &input, &dir.path().join("r"), &[]), 0);
    let o = aktar()
        .args(["journal", "list", "--json", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "sent")
    );
    aktar()
        .args(["journal", "show", "F001", "--config"])
        .arg(&cfg)
        .assert()
        .success()
        .stdout(
            predicates::str::contains("oduyo.transaction_create")
                .and(predicates::str::contains("sent")),
        );
    aktar()
        .args(["journal", "resolve", "F001", "--as", "unsent", "--config"])
        .arg(&cfg)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is sent, not uncertain"));
    aktar()
        .args(["journal", "show", "NOPE", "--config"])
        .arg(&cfg)
        .assert()
        .code(2);
}
