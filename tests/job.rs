//! `aktar job run` end to end: the real binary, the providers' sandbox and a real SMTP
//! server, both on `127.0.0.1:0`. Two steps (customers, then their transactions) from
//! dated exports: the newest export picked, an old one refused, the second step held
//! back when the first is stopped, inputs archived, one report folder with the
//! job-level `summary.json`, and one mail for the night whose subject decodes to the
//! Turkish text and whose attachment opens with calamine and holds the rejected rows.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use std::fs::{File, FileTimes};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aktar::sandbox::Options;
use calamine::{Reader, Xlsx};
use common::{Sandbox, aktar, root};
use serde_json::Value;
use smtp::Smtp;
use tempfile::TempDir;

const PASSWORD: &str = "doğru-parola";

struct Night {
    dir: TempDir,
    sandbox: Sandbox,
}

impl Night {
    fn exports(&self) -> PathBuf {
        self.dir.path().join("exports")
    }
    fn reports(&self) -> PathBuf {
        self.dir.path().join("gece")
    }
    fn job(&self) -> PathBuf {
        self.dir.path().join("jobs/gece.toml")
    }
}

/// A sandbox, an `aktar.toml` whose mail goes to `smtp_url`, two dated customer
/// exports (the older from yesterday) and a transaction export, and a job file.
fn night(smtp_url: &str, login: bool, archive: bool) -> Night {
    let sandbox = Sandbox::start(Options::default());
    let dir = TempDir::new().expect("temp dir");
    let config = common::config(&dir, &sandbox.base_url(), "");
    let login_keys = if login {
        "username = \"aktar\"\npassword = \"env:SMTP_PASSWORD\"\n"
    } else {
        ""
    };
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!(
        "\n[notify.email]\nsmtp = \"{smtp_url}\"\n{login_keys}from = \"aktar <aktar@firma.com.tr>\"\n\
         to = [\"muhasebe@firma.com.tr\"]\ncc = [\"bt@firma.com.tr\"]\nwhen = \"problems\"\ntimeout = \"5s\"\n"
    ));
    std::fs::write(&config, text).expect("config");

    let exports = dir.path().join("exports");
    std::fs::create_dir_all(&exports).expect("exports");
    let cari = root().join("samples/logo_cariler.csv");
    copy_aged(&cari, &exports.join("cari_20261127.csv"), 30);
    copy_aged(&cari, &exports.join("cari_20261128.csv"), 1);
    copy_aged(
        &root().join("samples/cari_hareket.xlsx"),
        &exports.join("hareket_20261128.xlsx"),
        1,
    );
    let jobs = dir.path().join("jobs");
    std::fs::create_dir_all(&jobs).expect("jobs");
    let archive = if archive {
        "archive = \"../exports/islenen/\"\n"
    } else {
        ""
    };
    std::fs::write(
        jobs.join("gece.toml"),
        format!(
            r#"name = "gece"
config = "../aktar.toml"

[[step]]
name = "cariler"
mapping = "{root}/mappings/oduyo/customer_update.toml"
input = {{ glob = "../exports/cari_*.csv", pick = "newest", max_age = "20h" }}
{archive}
[[step]]
name = "hareketler"
mapping = "{root}/mappings/oduyo/transaction_create.toml"
input = {{ glob = "../exports/hareket_*.xlsx", pick = "newest" }}
after = ["cariler"]
"#,
            root = root().display()
        ),
    )
    .expect("job file");
    Night { dir, sandbox }
}

fn copy_aged(from: &Path, to: &Path, hours: u64) {
    std::fs::copy(from, to).expect("copy sample");
    let t = SystemTime::now() - Duration::from_secs(hours * 3600);
    File::options()
        .write(true)
        .open(to)
        .and_then(|f| f.set_times(FileTimes::new().set_modified(t)))
        .expect("set mtime");
}

fn run_job(n: &Night, password: &str) -> (i32, String) {
    let out = aktar()
        .env("SMTP_PASSWORD", password)
        .args(["job", "run", "--quiet", "--report-dir"])
        .arg(n.reports())
        .arg(n.job())
        .output()
        .expect("run aktar");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

fn summary(n: &Night) -> Value {
    let text = std::fs::read_to_string(n.reports().join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary json")
}

fn step<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["steps"]
        .as_array()
        .and_then(|a| a.iter().find(|st| st["name"] == name))
        .unwrap_or_else(|| panic!("no step {name} in {s}"))
}

/// Every record the sandbox holds was written exactly once.
fn each_written_once(n: &Night) -> usize {
    let ledger = n.sandbox.ledger();
    let mut records = 0;
    for (endpoint, entries) in &ledger.endpoints {
        for (key, e) in entries {
            assert_eq!(e.writes, 1, "{endpoint} {key} written {} times", e.writes);
            records += 1;
        }
    }
    records
}

#[test]
fn a_night_of_two_steps_sends_one_mail_with_the_rejected_rows() {
    let server = Smtp::start(Some(("aktar", PASSWORD)));
    let n = night(&server.url(), true, true);
    let (code, stderr) = run_job(&n, PASSWORD);
    assert_eq!(code, 1, "rows were rejected: {stderr}");

    let s = summary(&n);
    assert_eq!(s["job"], "gece");
    assert_eq!(s["exit"], 1);
    let names: Vec<&str> = s["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|st| st["name"].as_str())
        .collect();
    assert_eq!(names, ["cariler", "hareketler"]);
    let cariler = step(&s, "cariler");
    let inputs = cariler["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 1);
    assert!(
        inputs[0]
            .as_str()
            .is_some_and(|p| p.ends_with("cari_20261128.csv")),
        "the newest export: {inputs:?}"
    );
    assert_eq!(cariler["exit"], 1);
    let rejected = cariler["summary"]["rejected"].as_u64().expect("rejected");
    assert!(rejected > 0);
    assert!(cariler["summary"]["sent"].as_u64() > Some(0));
    assert_eq!(step(&s, "hareketler")["exit"], 1);
    assert_eq!(s["mail"]["status"], "sent");
    assert!(n.reports().join("index.html").is_file());
    assert!(n.reports().join("cariler/errors.xlsx").is_file());
    assert!(n.reports().join("mail.eml").is_file());

    // Archived: moved, the older export left in place.
    assert!(n.exports().join("islenen/cari_20261128.csv").is_file());
    assert!(!n.exports().join("cari_20261128.csv").exists());
    assert!(n.exports().join("cari_20261127.csv").is_file());
    assert!(each_written_once(&n) > 0);

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "one mail per job run");
    let m = &messages[0];
    let mut to = m.to.clone();
    to.sort();
    assert_eq!(to, ["bt@firma.com.tr", "muhasebe@firma.com.tr"]);
    let mail = smtp::parse(&m.data);
    let c = s["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|st| st["summary"]["rejected"].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(
        mail.subject,
        format!("aktar: {c} satır reddedildi — cari_20261128.csv, hareket_20261128.xlsx (gece)")
    );
    assert!(
        mail.text.contains("cariler — Sorunlu satırlar var"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("geri gönderin"), "{}", mail.text);
    assert!(mail.html.contains("<table>"), "{}", mail.html);

    let (name, bytes) = mail
        .attachments
        .iter()
        .find(|(name, _)| name == "cariler-errors.xlsx")
        .unwrap_or_else(|| {
            panic!(
                "attachments: {:?}",
                mail.attachments.iter().map(|a| &a.0).collect::<Vec<_>>()
            )
        });
    assert_eq!(name, "cariler-errors.xlsx");
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("attachment opens");
    let hatalar = wb.worksheet_range("Hatalar").expect("Hatalar");
    assert_eq!(
        hatalar.height() as u64,
        rejected + 1,
        "header and the rejected rows"
    );
}

#[test]
fn a_stopped_step_holds_back_the_steps_after_it() {
    let server = Smtp::start(None);
    let n = night(&server.url(), false, true);
    // Last night's export is all there is: too old.
    std::fs::remove_file(n.exports().join("cari_20261128.csv")).expect("remove");
    let (code, stderr) = run_job(&n, "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cari_20261127.csv"), "{stderr}");
    assert!(stderr.contains("max_age"), "{stderr}");

    let s = summary(&n);
    assert_eq!(s["exit"], 2);
    let cariler = step(&s, "cariler");
    assert_eq!(cariler["exit"], 2);
    let hareketler = step(&s, "hareketler");
    assert!(
        hareketler["skipped"]
            .as_str()
            .is_some_and(|w| w.contains("cariler")),
        "{s}"
    );
    assert!(hareketler.get("summary").is_none());
    // Nothing archived, nothing sent.
    assert!(n.exports().join("cari_20261127.csv").is_file());
    assert!(n.exports().join("hareket_20261128.xlsx").is_file());
    assert_eq!(each_written_once(&n), 0);

    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let mail = smtp::parse(&messages[0].data);
    assert_eq!(
        mail.subject,
        "aktar: cariler durdu, hareketler çalışmadı (gece)"
    );
    assert!(mail.attachments.is_empty());
}

#[test]
fn a_refused_login_changes_only_the_exit_code_and_nothing_is_sent_twice() {
    let server = Smtp::start(Some(("aktar", PASSWORD)));
    let n = night(&server.url(), true, false);
    let (code, stderr) = run_job(&n, "yanlış");
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains(&server.url()), "names the server: {stderr}");
    assert!(stderr.contains("refused the login"), "{stderr}");
    assert!(
        !stderr.contains("yanlış"),
        "no password in messages: {stderr}"
    );
    assert_eq!(server.refused_logins(), 1);
    assert!(server.messages().is_empty());
    assert!(n.reports().join("mail.eml").is_file(), "the mail is kept");
    let s = summary(&n);
    assert_eq!(s["exit"], 5);
    assert_eq!(s["mail"]["status"], "failed");
    let sent_first = each_written_once(&n);
    assert!(sent_first > 0, "the steps sent regardless of the mail");

    // The next night with the right password: one mail, and nothing sent again.
    std::fs::remove_dir_all(n.reports()).expect("clean");
    let (code, stderr) = run_job(&n, PASSWORD);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(server.messages().len(), 1);
    assert_eq!(each_written_once(&n), sent_first);
    let s = summary(&n);
    assert_eq!(step(&s, "cariler")["summary"]["sent"], 0);
    assert_eq!(step(&s, "hareketler")["summary"]["sent"], 0);
}

#[test]
fn a_mail_server_that_is_down_is_named_and_the_mail_kept() {
    let url = smtp::down_url();
    let n = night(&url, false, false);
    let (code, stderr) = run_job(&n, "");
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
    let eml = std::fs::read(n.reports().join("mail.eml")).expect("mail.eml");
    let mail = smtp::parse(&eml);
    assert!(mail.subject.starts_with("aktar: "), "{}", mail.subject);
    assert!(each_written_once(&n) > 0);
}

#[test]
fn bad_job_files_are_refused_before_anything_runs() {
    let dir = TempDir::new().expect("temp dir");
    let cases = [
        (
            "unknown.toml",
            "name = \"gece\"\nretry = 3\n[[step]]\nname = \"a\"\nmapping = \"m.toml\"\ninput = \"a.csv\"\n",
            "unknown.toml:2:1",
        ),
        (
            "missing.toml",
            "name = \"gece\"\n[[step]]\nname = \"a\"\nmapping = \"yok.toml\"\ninput = \"a.csv\"\n",
            "yok.toml does not exist",
        ),
        (
            "cycle.toml",
            "name = \"gece\"\n[[step]]\nname = \"a\"\nmapping = \"m.toml\"\ninput = \"a.csv\"\nafter = [\"b\"]\n\
             [[step]]\nname = \"b\"\nmapping = \"m.toml\"\ninput = \"b.csv\"\nafter = [\"a\"]\n",
            "cycle (a → b → a)",
        ),
    ];
    for (file, text, needle) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).expect("job file");
        for command in ["lint", "run"] {
            let out = aktar()
                .current_dir(dir.path())
                .args(["job", command])
                .arg(&path)
                .output()
                .expect("run aktar");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{file} {command}: {stderr}");
            assert!(stderr.contains(file), "{file}: {stderr}");
            assert!(stderr.contains(needle), "{file}: {stderr}");
        }
    }
    assert!(!dir.path().join("reports").exists(), "no night was started");
}

#[test]
fn the_demo_writes_the_mail_it_would_send() {
    let dir = TempDir::new().expect("temp dir");
    let out = aktar()
        .current_dir(root())
        .args(["demo", "--report-dir"])
        .arg(dir.path())
        .output()
        .expect("run aktar demo");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let eml = std::fs::read(dir.path().join("mail.eml")).expect("mail.eml");
    let mail = smtp::parse(&eml);
    assert!(
        mail.subject.starts_with("aktar: ") && mail.subject.contains("satır reddedildi"),
        "{}",
        mail.subject
    );
    assert_eq!(mail.attachments.len(), 5, "one errors.xlsx per sample");
}

#[test]
fn a_single_run_mails_too() {
    let server = Smtp::start(None);
    let n = night(&server.url(), false, false);
    let config = n.dir.path().join("aktar.toml");
    let export = n.exports().join("cari_20261128.csv");
    let out = aktar()
        .args(["run", "--quiet", "--config"])
        .arg(&config)
        .arg("-m")
        .arg(root().join("mappings/oduyo/customer_update.toml"))
        .arg("--report-dir")
        .arg(n.reports())
        .arg(&export)
        .output()
        .expect("run aktar");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let mail = smtp::parse(&messages[0].data);
    let rejected = common::summary(&n.reports())["rejected"].clone();
    assert_eq!(
        mail.subject,
        format!("aktar: {rejected} satır reddedildi — cari_20261128.csv (customer_update)")
    );
    assert_eq!(mail.attachments.len(), 1);
    assert!(n.reports().join("mail.eml").is_file());

    // A check (dry run) mails nothing.
    let out = aktar()
        .args(["check", "--quiet", "--config"])
        .arg(&config)
        .arg("-m")
        .arg(root().join("mappings/oduyo/customer_update.toml"))
        .arg("--report-dir")
        .arg(n.dir.path().join("check"))
        .arg(&export)
        .output()
        .expect("run aktar");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn corrections_sent_back_are_a_step_and_no_corrections_is_a_quiet_night() {
    let server = Smtp::start(None);
    let n = night(&server.url(), false, false);
    let back = n.dir.path().join("duzeltmeler");
    std::fs::create_dir_all(&back).expect("folder");
    std::fs::write(
        n.job(),
        format!(
            r#"name = "duzeltme"
config = "../aktar.toml"

[[step]]
name = "duzeltmeler"
mapping = "{root}/mappings/oduyo/customer_update.toml"
input = {{ glob = "../duzeltmeler/cariler-*.xlsx", pick = "newest", missing = "skip" }}
archive = "../duzeltmeler/islenen"
"#,
            root = root().display()
        ),
    )
    .expect("job file");
    let (code, stderr) = run_job(&n, "");
    assert_eq!(code, 0, "{stderr}");
    assert!(step(&summary(&n), "duzeltmeler")["skipped"].is_string());
    assert!(server.messages().is_empty(), "nothing came back: no mail");

    // A report comes back (here as it was: every row still wrong).
    let first = n.dir.path().join("ilk");
    let export = n.exports().join("cari_20261128.csv");
    let out = aktar()
        .args(["check", "--quiet", "--report-dir"])
        .arg(&first)
        .arg("-m")
        .arg(root().join("mappings/oduyo/customer_update.toml"))
        .arg(&export)
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1));
    std::fs::copy(first.join("errors.xlsx"), back.join("cariler-1.xlsx")).expect("copy");
    std::fs::remove_dir_all(n.reports()).expect("clean");
    let (code, stderr) = run_job(&n, "");
    assert_eq!(code, 1, "{stderr}");
    let s = summary(&n);
    let st = step(&s, "duzeltmeler");
    let rejected = common::summary(&first)["rejected"].clone();
    assert_eq!(st["summary"]["rows"], rejected);
    assert_eq!(st["summary"]["rejected"], rejected);
    assert!(back.join("islenen/cariler-1.xlsx").is_file(), "archived");
    let rows = common::csv_rows(&n.reports().join("duzeltmeler/errors.csv"));
    assert!(
        rows.iter()
            .all(|r| r["file"] == export.display().to_string()),
        "reported against the export: {rows:?}"
    );
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn a_dry_run_sends_archives_and_mails_nothing() {
    let server = Smtp::start(None);
    let n = night(&server.url(), false, true);
    let out = aktar()
        .args(["job", "run", "--dry-run", "--json", "--report-dir"])
        .arg(n.reports())
        .arg(n.job())
        .output()
        .expect("run aktar");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("--json prints summary.json");
    assert_eq!(printed, summary(&n));
    assert_eq!(printed["dry_run"], true);
    assert_eq!(printed["mail"]["status"], "written");
    assert!(n.reports().join("mail.eml").is_file());
    assert!(server.messages().is_empty());
    assert!(
        n.exports().join("cari_20261128.csv").is_file(),
        "not archived"
    );
    assert_eq!(each_written_once(&n), 0);
}

#[test]
fn notify_test_sends_one_short_message_or_names_the_server() {
    let server = Smtp::start(Some(("aktar", PASSWORD)));
    let n = night(&server.url(), true, false);
    let config = n.dir.path().join("aktar.toml");
    let out = aktar()
        .env("SMTP_PASSWORD", PASSWORD)
        .args(["notify", "test", "--config"])
        .arg(&config)
        .output()
        .expect("run aktar");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        smtp::parse(&messages[0].data).subject,
        "aktar: deneme e-postası — ayarlar çalışıyor"
    );
    let out = aktar()
        .env("SMTP_PASSWORD", "yanlış")
        .args(["notify", "test", "--job"])
        .arg(n.job())
        .output()
        .expect("run aktar");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(&server.url()) && stderr.contains("refused the login"),
        "{stderr}"
    );
}
