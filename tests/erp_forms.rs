//! Numbers and dates the way ERP reports and Excel exports write them, through a dry
//! run of the real binary: every form is read to the amount or date it means in
//! `payloads.jsonl`, a currency marker that is not the row's currency is a
//! `currency_mismatch`, and `strict = true` keeps a field to the plain forms.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

/// A folder with a mapping, an input file and a configuration of its own.
struct Case {
    dir: TempDir,
}

impl Case {
    fn new() -> Case {
        let dir = TempDir::new().expect("temp dir");
        std::fs::write(
            dir.path().join("aktar.toml"),
            "[providers.oduyo]\nbase_url = \"https://oduyo.test\"\n",
        )
        .expect("write config");
        Case { dir }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write file");
        p
    }

    /// `aktar check` of `input` with `mapping`; the reports folder and the exit code.
    fn check(&self, mapping: &str, input: &str, out: &str) -> (PathBuf, i32) {
        let reports = self.dir.path().join(out);
        let output = common::aktar()
            .current_dir(self.dir.path())
            .args(["check", "--quiet", "--config", "aktar.toml", "-m", mapping])
            .arg("--report-dir")
            .arg(&reports)
            .arg(input)
            .output()
            .expect("run aktar");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        (reports, output.status.code().unwrap_or(-1))
    }
}

/// The body's fields of each payload, by the key of its row.
fn bodies(reports: &Path) -> BTreeMap<String, Value> {
    common::payloads(reports)
        .into_iter()
        .map(|p| {
            let key = p["key"].as_str().unwrap_or_default().to_string();
            (key, p["body"]["column"].clone())
        })
        .collect()
}

/// `(row, column, value, rule)` of a line of `errors.csv`.
type Line = (String, String, String, String);

/// Every line of `errors.csv`, and the messages.
fn errors(reports: &Path) -> (Vec<Line>, Vec<String>) {
    let rows = common::csv_rows(&reports.join("errors.csv"));
    let found = rows
        .iter()
        .map(|r| {
            (
                r["row"].clone(),
                r["column"].clone(),
                r["value"].clone(),
                r["rule"].clone(),
            )
        })
        .collect();
    let messages = rows.iter().map(|r| r["message"].clone()).collect();
    (found, messages)
}

fn error(row: u32, column: &str, value: &str, rule: &str) -> Line {
    (row.to_string(), column.into(), value.into(), rule.into())
}

/// A customer card whose balance takes a signed amount; every row sends the same id,
/// so two rows that mean the same amount send the same body.
const CARDS: &str = r#"
endpoint = "oduyo.customer_update"
key      = "{Ref}"

[fields]
id              = { value = 1001 }
balance         = { from = "Bakiye", scale = 2 }
balance_current = { value = "0" }
balance_paid    = { value = "0" }
"#;

/// Amount cells from ERP and Excel exports, with the amount each means.
const AMOUNTS: &[(&str, Option<&str>)] = &[
    ("-1.234,56", Some("-1234.56")),
    ("(1.234,56)", Some("-1234.56")),
    ("1.234,56-", Some("-1234.56")),
    ("\u{2212}1.234,56", Some("-1234.56")),
    ("1 234,56", Some("1234.56")),
    ("1\u{a0}234,56", Some("1234.56")),
    ("1\u{202f}234,56", Some("1234.56")),
    ("1.234,56 TL", Some("1234.56")),
    ("₺1.234,56", Some("1234.56")),
    ("1.234,56 TRY", Some("1234.56")),
    ("1.234,56 USD", None),
    ("$1.234,56", None),
    ("€1.234,56", None),
    ("12,3,4", None),
    ("1.234", None),
];

fn cards_csv() -> String {
    let mut text = String::from("\u{feff}Ref;Bakiye\r\n");
    for (i, (cell, _)) in AMOUNTS.iter().enumerate() {
        text.push_str(&format!("R{};{cell}\r\n", i + 1));
    }
    text
}

#[test]
fn erp_amount_forms_give_the_amount_they_mean() {
    let case = Case::new();
    case.write("cari.toml", CARDS);
    case.write("cari.csv", &cards_csv());
    let (reports, code) = case.check("cari.toml", "cari.csv", "out");
    assert_eq!(code, 1, "the bad rows are rejected");
    let sent = bodies(&reports);
    for (i, (cell, want)) in AMOUNTS.iter().enumerate() {
        let key = format!("R{}", i + 1);
        let got = sent.get(&key).map(|b| b["balance"].clone());
        assert_eq!(got, want.map(Value::from), "{cell:?}");
    }
    // `(1.234,56)` and `1.234,56-` send exactly what `-1.234,56` sends.
    assert_eq!(sent.get("R2"), sent.get("R1"));
    assert_eq!(sent.get("R3"), sent.get("R1"));

    let (found, messages) = errors(&reports);
    assert_eq!(
        found,
        [
            error(12, "Bakiye", "1.234,56 USD", "currency_mismatch"),
            error(13, "Bakiye", "$1.234,56", "currency_mismatch"),
            error(14, "Bakiye", "€1.234,56", "currency_mismatch"),
            error(15, "Bakiye", "12,3,4", "decimal"),
            error(16, "Bakiye", "1.234", "ambiguous_decimal"),
        ]
    );
    assert!(messages[0].contains("USD") && messages[0].contains("TRY"));
    // The message names the forms that would have been read.
    for form in ["(1.234,56)", "1.234,56-", "1 234,56", "1.234,56 TL"] {
        assert!(messages[3].contains(form), "{form}: {}", messages[3]);
    }
}

#[test]
fn a_strict_amount_takes_only_the_plain_forms() {
    let case = Case::new();
    case.write(
        "cari.toml",
        &CARDS.replace(
            r#"balance         = { from = "Bakiye", scale = 2 }"#,
            r#"balance         = { from = "Bakiye", scale = 2, strict = true }"#,
        ),
    );
    case.write("cari.csv", &cards_csv());
    let (reports, code) = case.check("cari.toml", "cari.csv", "out");
    assert_eq!(code, 1);
    let sent = bodies(&reports);
    assert_eq!(sent.keys().collect::<Vec<_>>(), ["R1"]);
    let (found, messages) = errors(&reports);
    let rules: Vec<&str> = found.iter().map(|e| e.3.as_str()).collect();
    let mut want = vec!["decimal"; 13];
    want.push("ambiguous_decimal");
    assert_eq!(rules, want);
    assert!(messages[0].contains("strict"), "{}", messages[0]);
}

/// Customer transactions, with the dates and currency markers of ERP reports.
const TRANSACTIONS: &str = r#"
endpoint = "oduyo.transaction_create"
key      = "{Fiş No}"

[source]
decimal = ","

[fields]
customer_id = { from = "Cari", type = "integer" }
amount      = { debit_credit = ["Borç", "Alacak"], emit = "amount", scale = 2 }
sign        = { debit_credit = ["Borç", "Alacak"], emit = "sign" }
date        = { from = "Tarih", type = "date" }
hour        = { value = "09:00" }
comment     = { template = "Fiş {Fiş No}" }
currency    = { from = "Döviz", default = "TL", map = { "TL" = "TRY", "USD" = "USD" } }
"#;

/// Date cells with the date each means (`YYYY.MM.DD`, as the endpoint sends it), and
/// an amount with the row's currency.
const MOVEMENTS: &[(&str, &str, &str, Option<&str>)] = &[
    ("28.11.2026", "100,00", "", Some("2026.11.28")),
    ("28.11.2026 00:00:00", "100,00", "", Some("2026.11.28")),
    ("2026-11-28T00:00:00", "100,00", "", Some("2026.11.28")),
    ("2026-11-28 00:00", "100,00", "", Some("2026.11.28")),
    ("2026.11.28", "100,00", "", Some("2026.11.28")),
    ("28 Kasım 2026", "100,00", "", Some("2026.11.28")),
    ("28 Kas 2026", "100,00", "", Some("2026.11.28")),
    ("3 Ocak 2026", "100,00", "", Some("2026.01.03")),
    ("28 Subat 2026", "100,00", "", Some("2026.02.28")),
    ("28 Şubat 2026", "100,00", "", Some("2026.02.28")),
    ("28 Agustos 2026", "100,00", "", Some("2026.08.28")),
    ("31 Aralık 2026", "100,00", "", Some("2026.12.31")),
    ("28.11.2026", "1.234,56 TL", "", Some("2026.11.28")),
    ("28.11.2026", "₺1.234,56", "", Some("2026.11.28")),
    ("28.11.2026", "1.234,56 USD", "USD", Some("2026.11.28")),
    ("28.11.2026", "250,00 USD", "", None),
    ("28.11.2026 14:30", "100,00", "", None),
    ("28.11.26", "100,00", "", None),
];

fn movements_csv() -> String {
    let mut text = String::from("\u{feff}Fiş No;Cari;Borç;Alacak;Tarih;Döviz\r\n");
    for (i, (date, amount, currency, _)) in MOVEMENTS.iter().enumerate() {
        text.push_str(&format!("F{};7;;{amount};{date};{currency}\r\n", i + 1));
    }
    text
}

#[test]
fn erp_date_forms_and_currency_markers_on_transactions() {
    let case = Case::new();
    case.write("hareket.toml", TRANSACTIONS);
    case.write("hareket.csv", &movements_csv());
    let (reports, code) = case.check("hareket.toml", "hareket.csv", "out");
    assert_eq!(code, 1);
    let sent = bodies(&reports);
    for (i, (date, amount, _, want)) in MOVEMENTS.iter().enumerate() {
        let got = sent.get(&format!("F{}", i + 1)).map(|b| b["date"].clone());
        assert_eq!(got, want.map(Value::from), "{date:?} {amount:?}");
    }
    let body = &sent["F13"];
    assert_eq!(
        (&body["amount"], &body["sign"], &body["currency"]),
        (
            &Value::from("1234.56"),
            &Value::from("1"),
            &Value::from("TRY")
        )
    );
    assert_eq!(sent["F14"]["amount"], "1234.56");
    assert_eq!(
        (&sent["F15"]["amount"], &sent["F15"]["currency"]),
        (&Value::from("1234.56"), &Value::from("USD"))
    );

    let (found, messages) = errors(&reports);
    assert_eq!(
        found,
        [
            error(17, "Alacak", "250,00 USD", "currency_mismatch"),
            error(18, "Tarih", "28.11.2026 14:30", "date_has_time"),
            error(19, "Tarih", "28.11.26", "date"),
        ]
    );
    assert!(messages[1].contains("drop_time"), "{}", messages[1]);
    for form in ["2026.11.28", "28 Kasım 2026", "28.11.2026 00:00:00"] {
        assert!(messages[2].contains(form), "{form}: {}", messages[2]);
    }
}

#[test]
fn drop_time_sends_the_date_of_a_datetime() {
    let case = Case::new();
    case.write(
        "hareket.toml",
        &TRANSACTIONS.replace(
            r#"date        = { from = "Tarih", type = "date" }"#,
            r#"date        = { from = "Tarih", type = "date", drop_time = true }"#,
        ),
    );
    case.write(
        "hareket.csv",
        "Fiş No;Cari;Borç;Alacak;Tarih;Döviz\r\n\
         F1;7;;100,00;28.11.2026 14:30;\r\n\
         F2;7;;100,00;2026-11-28T23:59:59;\r\n",
    );
    let (reports, code) = case.check("hareket.toml", "hareket.csv", "out");
    assert_eq!(code, 0);
    let sent = bodies(&reports);
    assert_eq!(sent["F1"]["date"], "2026.11.28");
    assert_eq!(sent["F2"]["date"], "2026.11.28");
}

#[test]
fn a_mapping_with_strict_where_it_changes_nothing_is_refused_before_reading() {
    let case = Case::new();
    case.write(
        "hareket.toml",
        &TRANSACTIONS.replace(
            r#"comment     = { template = "Fiş {Fiş No}" }"#,
            r#"comment     = { template = "Fiş {Fiş No}", strict = true }"#,
        ),
    );
    case.write("hareket.csv", &movements_csv());
    let (_, code) = case.check("hareket.toml", "hareket.csv", "out");
    assert_eq!(code, 2);
}
