//! Rows through a compiled mapping: Ödüyo's payloads, transactions from debit/credit
//! columns, and the problems a row can have.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use super::test_support::{check, mapping, row, rules, t};
use super::*;
use crate::read::Cell;

const ODUYO: &str = r#"
endpoint = "oduyo.customer_update"
key = "{Cari Kodu}"
[source]
decimal = ","
[fields]
id = { from = "Ödüyo No", type = "integer", required = true }
name = { from = "Cari Ünvanı", required = true, max_len = 20, transform = ["title"] }
customer_type_1 = { from = "Cari Tipi", map = { "Şahıs" = "1", "Kurum" = "2" } }
tax_number = { from = "Vergi No", check = "vkn", required_if = "customer_type_1 == '2'" }
telephone = { from = "Telefon", transform = ["phone_tr"], check = "phone_tr" }
balance = { from = "Bakiye", type = "decimal", scale = 4, required = true }
balance_current = { from = "Bakiye", scale = 4 }
balance_paid = { value = "0", scale = 2 }
status = { value = "1" }
"#;
const ODUYO_HEAD: &[&str] = &[
    "CARİ KODU",
    "Ödüyo No",
    "Cari Ünvanı",
    "Cari Tipi",
    "Vergi No",
    "Telefon",
    "Bakiye",
];

#[test]
fn oduyo_body_is_all_strings_in_a_column_envelope() {
    let m = mapping(ODUYO);
    let c = check(
        &m,
        ODUYO_HEAD,
        &[
            "C-1",
            "42",
            "AYŞE YILMAZ",
            "kurum",
            "4540536920",
            "0 (532) 123 45 67",
            "-9.440,00",
        ],
    );
    assert_eq!(c.key, "C-1");
    let req = c.outcome.unwrap();
    assert_eq!(req.path, "/api/v1/customer/customer_update");
    assert_eq!(
        req.body,
        json!({"column": {
            "id": "42", "name": "Ayşe Yılmaz", "customer_type_1": "2",
            "tax_number": "4540536920", "telephone": "5321234567",
            "balance": "-9440.0000", "balance_current": "-9440.0000", "balance_paid": "0.00",
            "status": "1"
        }})
    );
    // An empty cell goes to Ödüyo as "", as its page's example sends it.
    let c = check(
        &m,
        ODUYO_HEAD,
        &["C-2", "43", "Ali Veli", "Şahıs", "", "", "0"],
    );
    let body = c.outcome.unwrap().body;
    assert_eq!(body["column"]["tax_number"], "");
    assert_eq!(body["column"]["telephone"], "");
}

#[test]
fn a_row_with_several_problems_reports_all_of_them() {
    let m = mapping(ODUYO);
    let c = check(
        &m,
        ODUYO_HEAD,
        &["C-2", "x1", "", "Kurum", "", "12", "12,3,4"],
    );
    assert_eq!(
        rules(&c),
        [
            ("Ödüyo No".to_string(), "integer"),
            ("Cari Ünvanı".to_string(), "required"),
            ("Telefon".to_string(), "phone_tr"),
            ("Bakiye".to_string(), "decimal"),
            ("Vergi No".to_string(), "required_if"),
        ]
    );
}

#[test]
fn required_if_speaks_in_the_exports_columns_and_values() {
    let m = mapping(ODUYO);
    let c = check(
        &m,
        ODUYO_HEAD,
        &["C-2", "1001", "ACME", "Kurum", "", "5321234567", "10"],
    );
    let errors = c.outcome.as_ref().expect_err("rejected");
    let e = errors
        .iter()
        .find(|e| e.problem.rule() == "required_if")
        .expect("required_if");
    assert_eq!(e.column, "Vergi No");
    assert_eq!(
        e.problem.message(crate::problem::Lang::Tr),
        "Cari Tipi \"Kurum\" olduğunda Vergi No zorunludur"
    );
    assert_eq!(
        e.problem.message(crate::problem::Lang::En),
        "Vergi No is required when Cari Tipi is \"Kurum\""
    );
}

#[test]
fn unmapped_values_checks_and_scale() {
    let m = mapping(ODUYO);
    let c = check(
        &m,
        ODUYO_HEAD,
        &[
            "C-3",
            "7",
            "Çok Uzun Bir Ünvan Adı Soyadı",
            "Dernek",
            "4540536921",
            "",
            "1,23456",
        ],
    );
    assert_eq!(
        rules(&c),
        [
            ("Cari Ünvanı".to_string(), "max_len"),
            ("Cari Tipi".to_string(), "map"),
            ("Vergi No".to_string(), "vkn"),
            ("Bakiye".to_string(), "scale"),
        ]
    );
    let Err(errs) = &c.outcome else {
        unreachable!()
    };
    assert_eq!(errs[3].value, "1,23456");
    assert_eq!(errs[0].pos.row, 2);
}

#[test]
fn empty_key_is_rejected() {
    let m = mapping(ODUYO);
    let c = check(&m, ODUYO_HEAD, &["", "7", "Ali", "Şahıs", "", "", "1"]);
    assert_eq!(rules(&c), [(String::new(), "key")]);
}

const TX: &str = r#"
endpoint = "oduyo.transaction_create"
key = "{Fiş No}"
[fields]
customer_id = { from = "Cari" }
amount = { debit_credit = ["Borç", "Alacak"], emit = "amount", scale = 2 }
sign = { debit_credit = ["Borç", "Alacak"], emit = "sign" }
date = { from = "Tarih" }
hour = { from = "Saat" }
comment = { template = "Fiş {Fiş No}" }
currency = { value = "TRY" }
"#;

#[test]
fn debit_credit_gives_amount_and_sign() {
    let m = mapping(TX);
    let head: Vec<String> = ["Fiş No", "Cari", "Borç", "Alacak", "Tarih", "Saat"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let b = m.bind(&head).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 11, 3)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let r = row(
        5,
        &[
            t("F1"),
            Cell::Number(Decimal::from(7)),
            Cell::Empty,
            Cell::Number(Decimal::new(15005, 1)),
            Cell::Date(date),
            t("9:05"),
        ],
    );
    let req = check_row(&m, &b, &head, r).outcome.unwrap();
    assert_eq!(
        req.body,
        json!({"column": {
            "customer_id": "7", "amount": "1500.50", "sign": "1", "date": "2026.11.03",
            "hour": "09:05", "comment": "Fiş F1", "currency": "TRY"
        }})
    );
    let r = row(
        6,
        &[t("F2"), t("7"), t("250,00"), t("0"), t("45000"), t("8:00")],
    );
    let req = check_row(&m, &b, &head, r).outcome.unwrap();
    assert_eq!(req.body["column"]["sign"], "-1");
    assert_eq!(req.body["column"]["amount"], "250.00");
    assert_eq!(req.body["column"]["date"], "2023.03.15");
    assert_eq!(req.body["column"]["hour"], "08:00");
    assert_eq!(req.body["column"]["comment"], "Fiş F2");
    // The page requires the hour: an empty one is a problem, not a "".
    let no_hour = check_row(
        &m,
        &b,
        &head,
        row(
            9,
            &[t("F6"), t("7"), t("250,00"), t("0"), t("45000"), t("")],
        ),
    );
    assert_eq!(rules(&no_hour), [("Saat".to_string(), "required")]);

    let both = check_row(
        &m,
        &b,
        &head,
        row(
            7,
            &[t("F3"), t("7"), t("1"), t("2"), t("01.01.2026"), t("10:00")],
        ),
    );
    assert_eq!(
        rules(&both),
        [("Borç / Alacak".to_string(), "debit_credit")]
    );
    let none = check_row(
        &m,
        &b,
        &head,
        row(
            8,
            &[
                t("F4"),
                t("7"),
                t(""),
                t("0,00"),
                t("31.02.2026"),
                t("10:00"),
            ],
        ),
    );
    assert_eq!(
        rules(&none),
        [
            ("Borç / Alacak".to_string(), "debit_credit"),
            ("Tarih".to_string(), "date")
        ]
    );
}

#[test]
fn error_cells_and_ragged_rows_are_problems() {
    let m = mapping(TX);
    let head: Vec<String> = ["Fiş No", "Cari", "Borç", "Alacak", "Tarih", "Saat"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let b = m.bind(&head).unwrap();
    let mut r = row(
        9,
        &[
            t("F5"),
            Cell::Error("#N/A".into()),
            t("1"),
            t(""),
            t("01.01.2026"),
        ],
    );
    r.ragged = Some((5, 6));
    let c = check_row(&m, &b, &head, r);
    // The missing last cell is the hour, which the page requires.
    assert_eq!(
        rules(&c),
        [
            (String::new(), "ragged_row"),
            ("Cari".to_string(), "cell_error"),
            ("Saat".to_string(), "required"),
        ]
    );
}

#[test]
fn batches_keep_file_order() {
    let m = mapping(ODUYO);
    let headers: Vec<String> = ODUYO_HEAD.iter().map(|s| s.to_string()).collect();
    let b = m.bind(&headers).unwrap();
    // Every seventh row has no key: rejected, and without a digest.
    let code = |i: u64| {
        if i % 7 == 3 {
            String::new()
        } else {
            format!("C{i}")
        }
    };
    let rows: Vec<Row> = (0..5000)
        .map(|i| {
            row(
                i + 2,
                &[
                    t(&code(i)),
                    t("1"),
                    t("Ad"),
                    t("Şahıs"),
                    t(""),
                    t(""),
                    t("1"),
                ],
            )
        })
        .collect();
    let plan = Plan::new(&m, "http://x");
    let out = check_batch(
        &m,
        &b,
        &headers,
        super::Rows::Owned(rows),
        &plan,
        &super::Spare::default(),
    );
    assert!(out.len() > 1, "a batch is spread over slices");
    let lines: Vec<serde_json::Value> = out
        .iter()
        .flat_map(|s| s.lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()))
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    let valid: Vec<u64> = (0..5000).filter(|i| i % 7 != 3).collect();
    assert_eq!(lines.len(), valid.len());
    for (line, i) in lines.iter().zip(&valid) {
        assert_eq!(line["row"], i + 2);
        assert_eq!(line["key"], code(*i));
    }
    let keys: Vec<u64> = out
        .iter()
        .flat_map(|s| s.keys.iter().map(|k| k.0))
        .collect();
    assert_eq!(keys, valid.iter().map(|i| i + 2).collect::<Vec<_>>());
    let rejected: Vec<u64> = out
        .iter()
        .flat_map(|s| s.rejected.iter().map(|r| r.0.pos.row))
        .collect();
    assert_eq!(
        rejected,
        (0..5000)
            .filter(|i| i % 7 == 3)
            .map(|i| i + 2)
            .collect::<Vec<_>>()
    );
    assert_eq!(out.iter().map(|s| s.rows).sum::<u64>(), 5000);
    assert_eq!(out.iter().map(|s| s.valid).sum::<u64>(), valid.len() as u64);
}

#[test]
fn numbers_written_in_the_mapping_use_a_decimal_point_whatever_the_file_uses() {
    let text = r#"
endpoint = "oduyo.transaction_create"
key = "{Fiş No}"
[source]
decimal = ","
[fields]
customer_id = { from = "Cari" }
amount = { from = "Tutar", default = "1.500", scale = 4 }
sign = { value = "1" }
date = { value = "01.11.2026" }
hour = { value = "09:00" }
comment = { value = "Devir" }
currency = { value = "TRY" }
"#;
    let m = mapping(text);
    let head = &["Fiş No", "Cari", "Tutar"];
    let c = check(&m, head, &["F1", "7", ""]);
    assert_eq!(c.outcome.unwrap().body["column"]["amount"], "1.5000");
    let c = check(&m, head, &["F2", "7", "2,25"]);
    assert_eq!(c.outcome.unwrap().body["column"]["amount"], "2.2500");
    // An amount read as a whole number is still never negative.
    let m = mapping(&text.replace(
        r#"amount = { from = "Tutar", default = "1.500", scale = 4 }"#,
        r#"amount = { from = "Tutar", type = "integer" }"#,
    ));
    let c = check(&m, head, &["F3", "7", "-500"]);
    assert_eq!(rules(&c), [("Tutar".to_string(), "min")]);
    let c = check(&m, head, &["F4", "7", "2,25"]);
    assert_eq!(rules(&c), [("Tutar".to_string(), "integer")]);
}

#[test]
fn written_line_buffers_are_taken_again_empty_and_at_most_so_many_kept() {
    let spare = super::Spare::default();
    let mut lines = spare.take();
    assert!(lines.capacity() >= super::SLICE_LINES);
    lines.extend_from_slice(b"{\"row\":4}\n");
    let at = lines.as_ptr();
    spare.give(lines);
    let again = spare.take();
    assert_eq!(again.as_ptr(), at, "the same allocation");
    assert!(again.is_empty());
    // One too small to be worth keeping is let go.
    spare.give(Vec::with_capacity(16));
    assert!(spare.take().capacity() >= super::SLICE_LINES);
    for _ in 0..super::Spare::KEPT + 5 {
        spare.give(Vec::with_capacity(super::SLICE_LINES));
    }
    let kept = spare.lines.lock().unwrap().len();
    assert_eq!(kept, super::Spare::KEPT);
}
