//! The number and date forms of ERP exports through a compiled mapping: what is sent,
//! what a `strict` field refuses, currency markers against the row's currency, and a
//! time in a date field.

use super::test_support::{check, mapping};
use super::*;
use crate::problem::{DateForms, Lang};

fn problems(c: &Checked) -> Vec<(String, String, Problem)> {
    match &c.outcome {
        Ok(_) => Vec::new(),
        Err(e) => e
            .iter()
            .map(|e| (e.column.clone(), e.value.clone(), e.problem.clone()))
            .collect(),
    }
}

fn body(c: Checked) -> serde_json::Value {
    match c.outcome {
        Ok(r) => r.body,
        Err(e) => panic!("rejected: {e:?}"),
    }
}

/// A customer card: `balance` takes a signed amount, and the endpoint has no
/// currency field, so the row's currency is TRY.
const CARD: &str = r#"
endpoint = "oduyo.customer_update"
key = "{No}"
[fields]
id = { from = "No", type = "integer" }
balance = { from = "Bakiye", scale = 2 }
balance_current = { from = "Güncel" }
balance_paid = { value = "0" }
"#;
const CARD_HEAD: &[&str] = &["No", "Bakiye", "Güncel"];

fn balance(m: &Mapping, cell: &str) -> Result<serde_json::Value, Vec<(String, String, Problem)>> {
    let c = check(m, CARD_HEAD, &["7", cell, "0"]);
    match &c.outcome {
        Ok(r) => Ok(r.body["column"]["balance"].clone()),
        Err(_) => Err(problems(&c)),
    }
}

#[test]
fn erp_number_forms_send_what_the_plain_form_sends() {
    let m = mapping(CARD);
    let plain = balance(&m, "-1.234,56");
    assert_eq!(plain, Ok("-1234.56".into()));
    for cell in [
        "(1.234,56)",
        "1.234,56-",
        "\u{2212}1.234,56",
        "-1 234,56",
        "-1\u{a0}234,56",
        "-1\u{202f}234,56",
        "(1.234,56 TL)",
        "-₺1.234,56",
        "1.234,56 TRY-",
    ] {
        assert_eq!(balance(&m, cell), plain, "{cell:?}");
    }
    for cell in [
        "1 234,56",
        "1.234,56 TL",
        "₺1.234,56",
        "1.234,56 TRY",
        "TL 1.234,56",
    ] {
        assert_eq!(balance(&m, cell), Ok("1234.56".into()), "{cell:?}");
    }
}

#[test]
fn a_strict_field_reads_only_the_plain_forms() {
    let m = mapping(&CARD.replace(
        r#"balance = { from = "Bakiye", scale = 2 }"#,
        r#"balance = { from = "Bakiye", scale = 2, strict = true }"#,
    ));
    assert_eq!(balance(&m, "-1.234,56"), Ok("-1234.56".into()));
    for cell in ["(1.234,56)", "1.234,56-", "1 234,56", "1.234,56 TL"] {
        assert_eq!(
            balance(&m, cell),
            Err(vec![("Bakiye".into(), cell.into(), Problem::DecimalStrict)]),
            "{cell:?}"
        );
    }
    // The other balance is not strict.
    let c = check(&m, CARD_HEAD, &["7", "1", "(5,00)"]);
    assert_eq!(body(c)["column"]["balance_current"], "-5.00");
}

#[test]
fn a_marker_of_another_currency_is_a_mismatch_never_a_silent_strip() {
    let m = mapping(CARD);
    for cell in ["1.234,56 USD", "$1,234.56", "€1.234,56", "(1.234,56 EUR)"] {
        let p = balance(&m, cell).err().unwrap_or_default();
        assert_eq!(p.len(), 1, "{cell:?}: {p:?}");
        assert_eq!((p[0].0.as_str(), p[0].1.as_str()), ("Bakiye", cell));
        assert!(
            matches!(&p[0].2, Problem::CurrencyMismatch { expected, .. } if expected == "TRY"),
            "{cell:?}: {p:?}"
        );
        assert_eq!(p[0].2.rule(), "currency_mismatch");
    }
    // Not a currency at all: not a number.
    assert_eq!(
        balance(&m, "12 adet"),
        Err(vec![("Bakiye".into(), "12 adet".into(), Problem::Decimal)])
    );
    let msg = Problem::CurrencyMismatch {
        found: "USD".into(),
        expected: "TRY".into(),
    }
    .message(Lang::Tr);
    assert!(msg.contains("USD") && msg.contains("TRY"), "{msg}");
}

/// Transactions: the row's currency is the `currency` field, after its value table.
const TX: &str = r#"
endpoint = "oduyo.transaction_create"
key = "{Fiş No}"
[fields]
customer_id = { from = "Cari" }
amount = { debit_credit = ["Borç", "Alacak"], emit = "amount", scale = 2 }
sign = { debit_credit = ["Borç", "Alacak"], emit = "sign" }
date = { from = "Tarih" }
hour = { value = "09:00" }
comment = { template = "Fiş {Fiş No}" }
currency = { from = "Döviz", default = "TL", map = { "TL" = "TRY", "USD" = "USD", "EUR" = "EUR" } }
"#;
const TX_HEAD: &[&str] = &["Fiş No", "Cari", "Borç", "Alacak", "Tarih", "Döviz"];

#[test]
fn debit_credit_cells_read_the_same_forms_and_markers_follow_the_row_currency() {
    let m = mapping(TX);
    let c = check(
        &m,
        TX_HEAD,
        &["F1", "7", "1 234,56 TL", "", "28.11.2026", ""],
    );
    let b = body(c);
    assert_eq!(b["column"]["amount"], "1234.56");
    assert_eq!(b["column"]["sign"], "-1");
    assert_eq!(b["column"]["currency"], "TRY");
    let c = check(
        &m,
        TX_HEAD,
        &["F2", "7", "", "$250.00", "28.11.2026", "USD"],
    );
    assert_eq!(body(c)["column"]["sign"], "1");
    // A USD marker on a lira row: reported once, although two fields read the cell.
    let c = check(
        &m,
        TX_HEAD,
        &["F3", "7", "250,00 USD", "", "28.11.2026", "TL"],
    );
    let p = problems(&c);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(
        p[0],
        (
            "Borç".to_string(),
            "250,00 USD".to_string(),
            Problem::CurrencyMismatch {
                found: "USD".into(),
                expected: "TRY".into()
            }
        )
    );
    let c = check(
        &m,
        TX_HEAD,
        &["F4", "7", "₺250,00", "", "28.11.2026", "EUR"],
    );
    assert!(
        matches!(&problems(&c)[..], [(_, _, Problem::CurrencyMismatch { found, expected })] if found == "TRY" && expected == "EUR")
    );
    // A currency the value table does not know is its own problem, not also a mismatch.
    let c = check(
        &m,
        TX_HEAD,
        &["F5", "7", "250,00 USD", "", "28.11.2026", "GBP"],
    );
    let rules: Vec<_> = problems(&c).iter().map(|p| p.2.rule()).collect();
    assert_eq!(rules, ["map"]);
    // Negative amounts are still refused on either side, in any form.
    let c = check(&m, TX_HEAD, &["F6", "7", "(250,00)", "", "28.11.2026", ""]);
    let rules: Vec<_> = problems(&c).iter().map(|p| p.2.rule()).collect();
    assert_eq!(rules, ["min"]);
}

#[test]
fn erp_dates_in_a_date_field() {
    let m = mapping(TX);
    for cell in [
        "28.11.2026",
        "28.11.2026 00:00:00",
        "2026-11-28T00:00:00",
        "2026-11-28 00:00",
        "2026.11.28",
        "28 Kasım 2026",
        "28 Kas 2026",
        "28 KASIM 2026",
        "28 Kasim 2026",
        "2026-11-28 00:00:00.000",
    ] {
        let c = check(&m, TX_HEAD, &["F1", "7", "1", "", cell, ""]);
        assert_eq!(body(c)["column"]["date"], "2026.11.28", "{cell:?}");
    }
    let c = check(&m, TX_HEAD, &["F1", "7", "1", "", "28.11.2026 14:30", ""]);
    assert_eq!(
        problems(&c),
        [(
            "Tarih".to_string(),
            "28.11.2026 14:30".to_string(),
            Problem::DateHasTime
        )]
    );
    let c = check(&m, TX_HEAD, &["F1", "7", "1", "", "28.11.26", ""]);
    assert_eq!(
        problems(&c),
        [(
            "Tarih".to_string(),
            "28.11.26".to_string(),
            Problem::Date {
                formats: DateForms::Default
            }
        )]
    );
    let msg = Problem::Date {
        formats: DateForms::Default,
    }
    .message(Lang::Tr);
    assert!(
        msg.contains("2026.11.28") && msg.contains("28 Kasım 2026"),
        "{msg}"
    );
}

#[test]
fn drop_time_keeps_the_date_and_strict_refuses_the_erp_forms() {
    let m = mapping(&TX.replace(
        r#"date = { from = "Tarih" }"#,
        r#"date = { from = "Tarih", drop_time = true }"#,
    ));
    let c = check(
        &m,
        TX_HEAD,
        &["F1", "7", "1", "", "28.11.2026 14:30:05", ""],
    );
    assert_eq!(body(c)["column"]["date"], "2026.11.28");

    let m = mapping(&TX.replace(
        r#"date = { from = "Tarih" }"#,
        r#"date = { from = "Tarih", strict = true }"#,
    ));
    let c = check(&m, TX_HEAD, &["F1", "7", "1", "", "28.11.2026", ""]);
    assert_eq!(body(c)["column"]["date"], "2026.11.28");
    for cell in ["2026.11.28", "28 Kasım 2026", "28.11.2026 00:00:00"] {
        let c = check(&m, TX_HEAD, &["F1", "7", "1", "", cell, ""]);
        assert_eq!(
            problems(&c),
            [(
                "Tarih".to_string(),
                cell.to_string(),
                Problem::Date {
                    formats: DateForms::Plain
                }
            )],
            "{cell:?}"
        );
    }
    let m = mapping(&TX.replace(
        r#"amount = { debit_credit = ["Borç", "Alacak"], emit = "amount", scale = 2 }"#,
        r#"amount = { debit_credit = ["Borç", "Alacak"], emit = "amount", scale = 2, strict = true }"#,
    ));
    let c = check(&m, TX_HEAD, &["F1", "7", "1 234,56", "", "28.11.2026", ""]);
    let rules: Vec<_> = problems(&c).iter().map(|p| p.2.clone()).collect();
    // The sign field is not strict and reads the cell; the amount field refuses it.
    assert_eq!(rules, [Problem::DecimalStrict]);
}

#[test]
fn datetime_fields_read_the_erp_forms_with_their_time() {
    let text = r#"
endpoint = "oduyo.cash_update"
key = "{No}"
[fields]
id = { from = "No", type = "integer" }
kasafisi_updated_in = { from = "Güncelleme" }
"#;
    let m = mapping(text);
    for (cell, sent) in [
        ("28 Kasım 2026 14:30", "2026-11-28 14:30:00"),
        ("2026.11.28 14:30:05", "2026-11-28 14:30:05"),
        ("2026-11-28T14:30", "2026-11-28 14:30:00"),
        ("2026-11-28 14:30:05.000", "2026-11-28 14:30:05"),
        ("21.11.2026 18:05:12", "2026-11-21 18:05:12"),
    ] {
        let c = check(&m, &["No", "Güncelleme"], &["2", cell]);
        assert_eq!(body(c)["column"]["kasafisi_updated_in"], sent, "{cell:?}");
    }
}
