//! The way back from accounting: a sample's `errors.xlsx` with some cells fixed (the
//! workbook rebuilt by the test with rust_xlsxwriter, as a spreadsheet program would
//! save it) is run again with the same mapping. Exactly the fixed rows are sent, the
//! rows still wrong are reported against their original file and row, the mapping's
//! `[source]` (header row, encoding, sheet, total row) does not get in the way, the
//! drift guard does not take the few rows for a truncated export, and running the
//! file again sends nothing twice.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aktar::sandbox::Options;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Sandbox, aktar, csv_rows, root, summary};
use serde_json::Value;
use tempfile::TempDir;

fn run(config: &Path, mapping: &str, input: &Path, reports: &Path) -> (i32, String) {
    let out = aktar()
        .args(["run", "--quiet", "--config"])
        .arg(config)
        .args(["-m"])
        .arg(root().join(mapping))
        .arg("--report-dir")
        .arg(reports)
        .arg(input)
        .output()
        .expect("run aktar");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

type Sheet = Vec<Vec<Data>>;

fn sheet(path: &Path, name: &str) -> Sheet {
    let mut wb: Xlsx<_> = open_workbook(path).expect("errors.xlsx opens");
    let range = wb.worksheet_range(name).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn col(sheet: &Sheet, name: &str) -> usize {
    sheet[0]
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column {name}: {:?}", sheet[0]))
}

/// The report rebuilt with `fixes` applied: (Satır, column) → new text.
fn corrected(from: &Path, to: &Path, fixes: &BTreeMap<(u64, &str), &str>) {
    let ozet = sheet(from, "Özet");
    let mut hatalar = sheet(from, "Hatalar");
    let satir = col(&hatalar, "Satır");
    for ((row, column), value) in fixes {
        let c = col(&hatalar, column);
        let r = hatalar
            .iter()
            .position(|r| r[satir] == Data::Float(*row as f64))
            .unwrap_or_else(|| panic!("no Satır {row}"));
        hatalar[r][c] = Data::String(value.to_string());
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [("Özet", &ozet), ("Hatalar", &hatalar)] {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::Empty => {}
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).expect("number");
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).expect("number");
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).expect("bool");
                    }
                    Data::DateTime(d) => {
                        let fmt = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
                        ws.write_number_with_format(r, c, d.as_f64(), &fmt)
                            .expect("date");
                    }
                    other => {
                        ws.write_string(r, c, other.to_string()).expect("text");
                    }
                }
            }
        }
    }
    wb.save(to).expect("save corrected");
}

struct Setup {
    dir: TempDir,
    sandbox: Sandbox,
    config: PathBuf,
}

fn setup() -> Setup {
    let sandbox = Sandbox::start(Options::default());
    let dir = TempDir::new().expect("temp dir");
    let config = common::config(&dir, &sandbox.base_url(), "");
    Setup {
        dir,
        sandbox,
        config,
    }
}

fn writes(s: &Setup, endpoint: &str) -> BTreeMap<String, u64> {
    s.sandbox
        .ledger()
        .endpoints
        .get(endpoint)
        .map(|e| e.iter().map(|(k, v)| (k.clone(), v.writes)).collect())
        .unwrap_or_default()
}

fn rows_of(errors_csv: &Path) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = csv_rows(errors_csv)
        .into_iter()
        .map(|r| (r["file"].clone(), r["row"].clone()))
        .collect();
    rows.dedup();
    rows
}

#[test]
fn a_corrected_customer_report_sends_exactly_the_fixed_rows() {
    let s = setup();
    let export = s.dir.path().join("cari_20261128.csv");
    std::fs::copy(root().join("samples/logo_cariler.csv"), &export).expect("copy");
    let mapping = "mappings/oduyo/customer_update.toml";

    let first = s.dir.path().join("r1");
    let (code, stderr) = run(&s.config, mapping, &export, &first);
    assert_eq!(code, 1, "{stderr}");
    let before = writes(&s, "oduyo.customer_update");
    let s1 = summary(&first);
    assert_eq!(before.len() as u64, s1["sent"].as_u64().expect("sent"));
    let label = export.display().to_string();
    let rejected = rows_of(&first.join("errors.csv"));
    assert!(rejected.len() >= 3, "{rejected:?}");

    // Accounting fixes the e-mail address and the balance, and leaves the rest.
    let fixed = s.dir.path().join("cariler-errors.xlsx");
    let fixes = BTreeMap::from([
        ((10, "E-Posta"), "gulsen.aydin@gmail.com"),
        ((12, "Bakiye"), "12,34"),
    ]);
    corrected(&first.join("errors.xlsx"), &fixed, &fixes);

    let second = s.dir.path().join("r2");
    let (code, stderr) = run(&s.config, mapping, &fixed, &second);
    assert_eq!(code, 1, "the rows still wrong: {stderr}");
    let s2 = summary(&second);
    assert_eq!(s2["rows"], rejected.len() as u64);
    assert_eq!(s2["sent"], 2, "{s2}");
    assert_eq!(s2["rejected"], rejected.len() as u64 - 2);
    assert_eq!(s2["skipped"], 0);
    let after = writes(&s, "oduyo.customer_update");
    assert_eq!(
        after.len(),
        before.len() + 2,
        "the two fixed rows, new keys"
    );
    assert!(after.values().all(|&w| w == 1), "nothing twice: {after:?}");

    // Still wrong: reported as rows of the original export, at their original rows.
    let again = rows_of(&second.join("errors.csv"));
    let expected: Vec<(String, String)> = rejected
        .iter()
        .filter(|(_, row)| row != "10" && row != "12")
        .cloned()
        .collect();
    assert_eq!(again, expected);
    assert!(again.iter().all(|(f, _)| *f == label), "{again:?}");
    let hatalar = sheet(&second.join("errors.xlsx"), "Hatalar");
    let header: Vec<String> = hatalar[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(
        header.iter().filter(|h| *h == "Satır").count(),
        1,
        "{header:?}"
    );
    assert_eq!(
        header.iter().filter(|h| *h == "Hata").count(),
        1,
        "{header:?}"
    );

    // The same corrected file again: nothing is sent twice.
    let third = s.dir.path().join("r3");
    let (code, stderr) = run(&s.config, mapping, &fixed, &third);
    assert_eq!(code, 1, "{stderr}");
    let s3 = summary(&third);
    assert_eq!(s3["sent"], 0, "{s3}");
    assert_eq!(s3["unchanged"], 2);
    assert_eq!(writes(&s, "oduyo.customer_update"), after);

    // The next night's full export is no truncated file after the corrected one.
    let fourth = s.dir.path().join("r4");
    let (code, stderr) = run(&s.config, mapping, &export, &fourth);
    assert_eq!(code, 1, "no drift stop: {stderr}");
    assert!(!stderr.contains("accept-drift"), "{stderr}");
}

#[test]
fn a_corrected_transaction_is_posted_once() {
    let s = setup();
    let export = s.dir.path().join("hareket.xlsx");
    std::fs::copy(root().join("samples/cari_hareket.xlsx"), &export).expect("copy");
    let mapping = "mappings/oduyo/transaction_create.toml";
    let first = s.dir.path().join("r1");
    let (code, stderr) = run(&s.config, mapping, &export, &first);
    assert_eq!(code, 1, "{stderr}");
    let before = writes(&s, "oduyo.transaction_create");

    let errors = csv_rows(&first.join("errors.csv"));
    let bad_date = errors
        .iter()
        .find(|r| r["rule"] == "date")
        .expect("the sample's impossible date");
    let row: u64 = bad_date["row"].parse().expect("row number");
    assert_eq!(bad_date["file"], format!("{}#Hareketler", export.display()));

    let fixed = s.dir.path().join("hareketler-errors.xlsx");
    corrected(
        &first.join("errors.xlsx"),
        &fixed,
        &BTreeMap::from([((row, "Tarih"), "30.11.2026")]),
    );
    for n in ["r2", "r3"] {
        let dir = s.dir.path().join(n);
        let (code, stderr) = run(&s.config, mapping, &fixed, &dir);
        assert_eq!(code, 1, "{stderr}");
        let v: Value = summary(&dir);
        assert_eq!(v["sent"], if n == "r2" { 1 } else { 0 }, "{n}: {v}");
        let still = csv_rows(&dir.join("errors.csv"));
        assert!(
            still
                .iter()
                .all(|r| r["file"] == format!("{}#Hareketler", export.display())),
            "{still:?}"
        );
    }
    let after = writes(&s, "oduyo.transaction_create");
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.values().all(|&w| w == 1), "posted once: {after:?}");
}
