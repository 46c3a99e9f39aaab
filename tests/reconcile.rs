//! `aktar journal reconcile` with the real binary: transactions made uncertain for real
//! by the sandbox's faults (some applied before the connection dropped or the answer
//! came too late, some never applied), a statement exported from what the sandbox's
//! ledger holds, the plan shown, `--apply`, and the next run posting exactly what was
//! not posted — once.

mod common;
mod exports;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aktar::sandbox::{Fault, Options};
use chrono::NaiveDate;
use common::*;
use exports::*;
use tempfile::TempDir;

const ENDPOINT: &str = "oduyo.transaction_create";
const ROWS: usize = 12;
const FAIL_RATE: f64 = 0.4;

/// The columns of a statement CSV as exported from the provider's panel.
const CSV_TABLE: &str = r#"
[reconcile]
customer  = "Cari No"
amount    = "Tutar"
sign      = "Yön"
date      = "Tarih"
hour      = "Saat"
comment   = "Açıklama"
reference = "Belge No"

[reconcile.source]
decimal = ","
"#;

/// The same statement saved as a workbook, borç and alacak in columns of their own.
const XLSX_TABLE: &str = r#"
[reconcile]
customer     = "Cari No"
debit_credit = ["Borç", "Alacak"]
date         = "Tarih"
hour         = "Saat"
comment      = "Açıklama"
reference    = "Belge No"

[reconcile.source]
sheet = "Hareketler"
"#;

struct Setup {
    sb: Sandbox,
    dir: TempDir,
    cfg: PathBuf,
    mapping: PathBuf,
    input: PathBuf,
    /// Uncertain after the first run, and applied by the provider.
    applied: BTreeSet<String>,
    /// Uncertain after the first run, and never applied.
    dropped: BTreeSet<String>,
}

/// A first run of `ROWS` transactions against a sandbox whose seed makes some of them
/// uncertain both ways — and none of those fault again when posted the next time.
fn uncertain_for_real(table: &str) -> Setup {
    let dir = TempDir::new().unwrap();
    let input = transactions(dir.path(), "hareket.csv", ROWS);
    let mut text = std::fs::read_to_string(root().join("tests/fixtures/hareket.toml")).unwrap();
    text.push_str(table);
    let mapping = dir.path().join("hareket.toml");
    std::fs::write(&mapping, text).unwrap();

    aktar()
        .arg("check")
        .arg("-m")
        .arg(&mapping)
        .arg("--report-dir")
        .arg(dir.path().join("dry"))
        .arg(&input)
        .assert()
        .code(0);
    let keys: Vec<(String, String)> = payloads(&dir.path().join("dry"))
        .iter()
        .map(|p| {
            let fis = p["key"].as_str().unwrap().to_string();
            (fis, ledger_key(ENDPOINT, p))
        })
        .collect();
    let fate = |seed: u64, key: &str, n: u64| Fault::draw(seed, ENDPOINT, key, n, FAIL_RATE);
    let seed = (1..20_000u64)
        .find(|&seed| {
            let first: Vec<Option<Fault>> = keys.iter().map(|(_, k)| fate(seed, k, 0)).collect();
            let applied = first
                .iter()
                .filter(|f| f.is_some_and(Fault::applies))
                .count();
            let dropped = first
                .iter()
                .filter(|f| f.is_some_and(|f| !f.applies() && f != Fault::Expired))
                .count();
            applied >= 2
                && dropped >= 2
                && !first.contains(&Some(Fault::Expired))
                && keys.iter().zip(&first).all(|((_, k), f)| {
                    f.is_none() || f.is_some_and(Fault::applies) || fate(seed, k, 1).is_none()
                })
        })
        .expect("a seed with both kinds of uncertain transactions");
    let mut applied = BTreeSet::new();
    let mut dropped = BTreeSet::new();
    for (fis, key) in &keys {
        match fate(seed, key, 0) {
            Some(f) if f.applies() => applied.insert(fis.clone()),
            Some(_) => dropped.insert(fis.clone()),
            None => false,
        };
    }

    let sb = Sandbox::start(Options {
        fail_rate: FAIL_RATE,
        seed,
        slow: Duration::from_secs(2),
        ..Options::default()
    });
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"200/s\"\ntimeout = \"1s\"\nmax_consecutive_failures = 100",
    );
    let s = Setup {
        sb,
        dir,
        cfg,
        mapping,
        input,
        applied,
        dropped,
    };
    assert_eq!(s.run("r1"), 1);
    let uncertain: BTreeSet<String> = csv_rows(&s.dir.path().join("r1/uncertain.csv"))
        .into_iter()
        .map(|r| r["key"].clone())
        .collect();
    let expected: BTreeSet<String> = s.applied.union(&s.dropped).cloned().collect();
    assert_eq!(uncertain, expected, "seed {seed}");
    let posted = transaction_writes(&s.sb);
    assert!(s.applied.iter().all(|k| posted.get(k) == Some(&1)));
    assert!(s.dropped.iter().all(|k| !posted.contains_key(k)));
    s
}

impl Setup {
    fn run(&self, out: &str) -> i32 {
        aktar()
            .arg("run")
            .arg("--quiet")
            .arg("--config")
            .arg(&self.cfg)
            .arg("-m")
            .arg(&self.mapping)
            .arg("--report-dir")
            .arg(self.dir.path().join(out))
            .arg(&self.input)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap_or(-1)
    }

    fn reconcile(&self, statement: &Path, extra: &[&str]) -> (i32, String) {
        let o = aktar()
            .args(["journal", "reconcile", "--config"])
            .arg(&self.cfg)
            .arg("-m")
            .arg(&self.mapping)
            .args(extra)
            .arg(statement)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code().unwrap_or(-1), text)
    }

    fn entries(&self) -> BTreeMap<String, serde_json::Value> {
        let o = aktar()
            .args(["journal", "list", "--json", "--config"])
            .arg(&self.cfg)
            .output()
            .unwrap();
        let list: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
        list.into_iter()
            .map(|e| (e["key"].as_str().unwrap().to_string(), e))
            .collect()
    }

    /// What the provider's panel would list: a line per applied write, with the number
    /// its answer gave, by Fiş No.
    fn ledger_lines(&self) -> Vec<(String, Statement)> {
        let ledger = self.sb.ledger();
        let mut out = Vec::new();
        for e in ledger
            .endpoints
            .get(ENDPOINT)
            .into_iter()
            .flat_map(|m| m.values())
        {
            let c = &e.last["column"];
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            for number in &e.numbers {
                let line = Statement {
                    customer: s("customer_id"),
                    amount: s("amount"),
                    credit: s("sign") == "1",
                    date: NaiveDate::parse_from_str(&s("date"), "%Y.%m.%d").unwrap(),
                    hour: s("hour"),
                    comment: s("comment"),
                    document: format!("{number:09}"),
                };
                let fis = line.comment.split(' ').next().unwrap().to_string();
                out.push((fis, line));
            }
        }
        out
    }
}

#[derive(Clone)]
struct Statement {
    customer: String,
    amount: String,
    credit: bool,
    date: NaiveDate,
    hour: String,
    comment: String,
    document: String,
}

fn write_csv(path: &Path, lines: &[Statement]) {
    let mut text = String::from("Tarih;Saat;Cari No;Açıklama;Tutar;Yön;Belge No\n");
    for l in lines {
        text.push_str(&format!(
            "{};{};{};{};{};{};{}\n",
            l.date.format("%d.%m.%Y"),
            l.hour,
            l.customer,
            l.comment,
            l.amount.replace('.', ","),
            if l.credit { "Alacak" } else { "Borç" },
            l.document
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// A workbook as a panel exports it: a title row, real date cells, numbers as numbers
/// (the document numbers lose their leading zeros).
fn write_xlsx(path: &Path, lines: &[Statement]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Hareketler").unwrap();
    ws.write_string(0, 0, "Cari Hareket Listesi").unwrap();
    let header = [
        "Tarih",
        "Saat",
        "Cari No",
        "Açıklama",
        "Borç",
        "Alacak",
        "Belge No",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 3;
        let number = |s: &str| s.parse::<f64>().unwrap();
        ws.write_datetime_with_format(r, 0, l.date, &date).unwrap();
        ws.write_string(r, 1, &l.hour).unwrap();
        ws.write_number(r, 2, number(&l.customer)).unwrap();
        ws.write_string(r, 3, &l.comment).unwrap();
        let (debit, credit) = if l.credit { (4, 5) } else { (5, 4) };
        ws.write_number(r, credit, number(&l.amount)).unwrap();
        ws.write_number(r, debit, 0.0).unwrap();
        ws.write_number(r, 6, number(&l.document)).unwrap();
    }
    wb.save(path).unwrap();
}

/// Lines of another customer on the first and last day of the month: the statement
/// covers the month, as a panel's export for a period does.
fn framing() -> Vec<Statement> {
    [1, 30]
        .into_iter()
        .map(|day| Statement {
            customer: "99".into(),
            amount: "5.00".into(),
            credit: false,
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            hour: "09:00".into(),
            comment: "Devir".into(),
            document: format!("80000000{day}"),
        })
        .collect()
}

#[test]
fn a_statement_settles_what_is_uncertain_and_the_next_run_posts_only_the_unsent() {
    let s = uncertain_for_real(CSV_TABLE);
    let mut lines: Vec<(String, Statement)> = s.ledger_lines();
    // A second line just like one applied transaction: which one is it?
    let twin = s.applied.iter().next().unwrap().clone();
    let copy = lines.iter().find(|(f, _)| *f == twin).unwrap().1.clone();
    lines.push((
        twin.clone(),
        Statement {
            document: "900000001".into(),
            ..copy
        },
    ));
    let mut statement: Vec<Statement> = lines.iter().map(|(_, l)| l.clone()).collect();
    statement.extend(framing());
    let path = s.dir.path().join("ekstre.csv");
    write_csv(&path, &statement);
    let document = |fis: &str| {
        lines
            .iter()
            .find(|(f, _)| f == fis)
            .map(|(_, l)| l.document.clone())
            .unwrap()
    };

    // The plan: shown, nothing written, exit 1 (one is left for a person).
    let before = s.entries();
    let (code, text) = s.reconcile(&path, &[]);
    assert_eq!(code, 1, "{text}");
    for fis in s.applied.iter().filter(|f| **f != twin) {
        let row = text
            .lines()
            .find(|l| l.starts_with(fis.as_str()))
            .unwrap_or_else(|| panic!("{fis} in {text}"));
        assert!(row.contains("sent: on the statement, row "), "{row}");
        assert!(
            row.contains(&format!("document {}", document(fis))),
            "{row}"
        );
    }
    for fis in &s.dropped {
        let row = text.lines().find(|l| l.starts_with(fis.as_str())).unwrap();
        assert!(row.contains("unsent: not on the statement"), "{row}");
    }
    let row = text.lines().find(|l| l.starts_with(twin.as_str())).unwrap();
    assert!(
        row.contains("for a person: 2 lines of the statement match"),
        "{row}"
    );
    assert!(
        text.contains(&format!("(document {})", document(&twin))),
        "{text}"
    );
    assert!(
        text.contains("(document 900000001)"),
        "both candidates shown: {text}"
    );
    assert!(text.contains("Nothing was written"), "{text}");
    assert_eq!(
        s.entries(),
        before,
        "without --apply the journal is unchanged"
    );

    let (code, text) = s.reconcile(&path, &["--apply"]);
    assert_eq!(code, 1, "{text}");
    let after = s.entries();
    for fis in s.applied.iter().filter(|f| **f != twin) {
        assert_eq!(after[fis]["status"], "sent", "{fis}");
        assert_eq!(after[fis]["provider_ref"], document(fis).as_str(), "{fis}");
    }
    for fis in &s.dropped {
        assert_eq!(after[fis]["status"], "failed", "{fis}");
    }
    assert_eq!(after[&twin]["status"], "uncertain");

    // The next run: the unsent are posted once, the found never again, the twin held.
    assert_eq!(s.run("r2"), 1);
    let sum = summary(&s.dir.path().join("r2"));
    assert_eq!(sum["sent"].as_u64(), Some(s.dropped.len() as u64), "{sum}");
    assert_eq!(sum["uncertain"], 1, "{sum}");
    assert_eq!(
        sum["unchanged"].as_u64(),
        Some((ROWS - s.dropped.len() - 1) as u64),
        "{sum}"
    );
    let posted = transaction_writes(&s.sb);
    assert_eq!(posted.len(), ROWS, "{posted:?}");
    assert!(posted.values().all(|n| *n == 1), "{posted:?}");

    // A person settles the twin; nothing is left.
    aktar()
        .args(["journal", "resolve", &twin, "--as", "sent", "--config"])
        .arg(&s.cfg)
        .assert()
        .success();
    let (code, text) = s.reconcile(&path, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("nothing to settle"), "{text}");
    assert_eq!(s.run("r3"), 0);
    assert!(transaction_writes(&s.sb).values().all(|n| *n == 1));
}

#[test]
fn a_workbook_statement_settles_everything_and_exits_0() {
    let s = uncertain_for_real(XLSX_TABLE);
    let mut statement: Vec<Statement> = s.ledger_lines().into_iter().map(|(_, l)| l).collect();
    statement.extend(framing());
    let path = s.dir.path().join("ekstre.xlsx");
    write_xlsx(&path, &statement);

    let o = aktar()
        .args(["journal", "reconcile", "--apply", "--json", "--config"])
        .arg(&s.cfg)
        .arg("-m")
        .arg(&s.mapping)
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(plan["applied"], true);
    let settled = s.applied.len() + s.dropped.len();
    assert_eq!(plan["settled"].as_u64(), Some(settled as u64), "{plan}");
    for item in plan["items"].as_array().unwrap() {
        let fis = item["key"].as_str().unwrap();
        let want = if s.applied.contains(fis) {
            "sent"
        } else {
            "unsent"
        };
        assert_eq!(item["decision"], want, "{item}");
    }
    let entries = s.entries();
    for fis in &s.applied {
        // The workbook holds the number as a number: 000000012 is 12 there.
        let reference = entries[fis]["provider_ref"].as_str().unwrap();
        assert!(!reference.starts_with('0'), "{reference}");
    }

    assert_eq!(s.run("r2"), 0);
    let sum = summary(&s.dir.path().join("r2"));
    assert_eq!(sum["sent"].as_u64(), Some(s.dropped.len() as u64), "{sum}");
    let posted = transaction_writes(&s.sb);
    assert_eq!(posted.len(), ROWS, "{posted:?}");
    assert!(posted.values().all(|n| *n == 1), "{posted:?}");
}

#[test]
fn what_cannot_be_read_decides_nothing() {
    let s = uncertain_for_real(CSV_TABLE);
    let before = s.entries();
    let mut statement: Vec<Statement> = s.ledger_lines().into_iter().map(|(_, l)| l).collect();
    statement.extend(framing());

    // A line whose amount is not an amount: exit 2, named, nothing written.
    let mut bad = statement.clone();
    bad[0].amount = "yüz".into();
    let path = s.dir.path().join("bozuk.csv");
    write_csv(&path, &bad);
    let (code, text) = s.reconcile(&path, &["--apply"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("bozuk.csv:2: `Tutar` \"yüz\" is not an amount"),
        "{text}"
    );
    assert_eq!(s.entries(), before);

    // A statement without a column the mapping names.
    let path = s.dir.path().join("eksik.csv");
    std::fs::write(&path, "Tarih;Cari No;Tutar\n01.11.2026;1;5,00\n").unwrap();
    let (code, text) = s.reconcile(&path, &["--apply"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("the statement has no column `Yön`"), "{text}");

    // A mapping without [reconcile].
    let (code, text) = {
        let o = aktar()
            .args(["journal", "reconcile", "--config"])
            .arg(&s.cfg)
            .arg("-m")
            .arg(root().join("tests/fixtures/hareket.toml"))
            .arg(&path)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(code, Some(2));
    assert!(text.contains("no [reconcile] table"), "{text}");

    // An unknown key in [reconcile]: the mapping's line and column.
    let mapping = s.dir.path().join("yanlis.toml");
    let mut text = std::fs::read_to_string(&s.mapping).unwrap();
    text = text.replace("hour      = \"Saat\"", "saat = \"Saat\"");
    std::fs::write(&mapping, &text).unwrap();
    let line = text.lines().position(|l| l.starts_with("saat")).unwrap() + 1;
    let o = aktar()
        .args(["mapping", "lint"])
        .arg(&mapping)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("yanlis.toml:{line}:1: unknown field `saat`")),
        "{err}"
    );
    assert_eq!(s.entries(), before);
}
