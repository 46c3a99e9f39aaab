//! The shipped samples through the real binary: each `samples/` file checked with its
//! mapping from `mappings/`, asserting exactly which rows are rejected and why, the
//! counts in `summary.json`, and what would be sent for a few good rows.
//!
//! The samples are also what users try first, so these tests keep them and their
//! mappings honest: a change in how aktar reads, maps or validates shows up here as a
//! row that is suddenly accepted, rejected for another rule, or sent differently.
//! Regenerate the samples with `cargo run --example make_samples`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Value, json};
use tempfile::TempDir;

const ODUYO: &str = "https://oduyo.test";
const FE: &str = "https://fe.test";
const NETAHSILAT: &str = "https://netahsilat.test";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `aktar check -m MAPPING SAMPLE` from the crate root, with a configuration of its own
/// (so a developer's `aktar.toml` cannot change the URLs) and the reports in a fresh
/// folder. Returns the folder and the exit code.
fn run_check(mapping: &str, sample: &str) -> (TempDir, i32) {
    let dir = TempDir::new().expect("temp dir");
    let config = dir.path().join("aktar.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.oduyo]\nbase_url = \"{ODUYO}\"\n\
             [providers.fatura_entegrator]\nbase_url = \"{FE}\"\n\
             [providers.netahsilat]\nbase_url = \"{NETAHSILAT}\"\n"
        ),
    )
    .expect("write config");
    let out = Command::cargo_bin("aktar")
        .expect("binary")
        .current_dir(root())
        .args(["check", "--quiet", "--config"])
        .arg(&config)
        .args(["-m", mapping, "--report-dir"])
        .arg(reports(&dir))
        .arg(sample)
        .output()
        .expect("run aktar");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (dir, out.status.code().unwrap_or(-1))
}

fn reports(dir: &TempDir) -> PathBuf {
    dir.path().join("out")
}

fn summary(dir: &TempDir) -> Value {
    let text = std::fs::read_to_string(reports(dir).join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// Asserts the counts of a dry run: `[rows, valid, rejected, skipped]`.
fn assert_counts(dir: &TempDir, [rows, valid, rejected, skipped]: [u64; 4]) {
    let s = summary(dir);
    let got = ["rows", "valid", "rejected", "skipped"].map(|k| s[k].as_u64().unwrap_or(u64::MAX));
    assert_eq!(got, [rows, valid, rejected, skipped], "summary.json: {s}");
    assert_eq!(s["sent"], 0);
    assert_eq!(s["dry_run"], true);
}

/// `(row, rule)` of every line of `errors.csv`, in file order. The file must start with
/// a UTF-8 BOM (so Excel on a Turkish Windows reads it as UTF-8).
fn errors(dir: &TempDir) -> Vec<(u64, String)> {
    let bytes = std::fs::read(reports(dir).join("errors.csv")).expect("errors.csv");
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("errors.csv starts with a BOM");
    let mut rd = csv::Reader::from_reader(body);
    let headers = rd.headers().expect("header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["file", "row", "column", "value", "rule", "message"]
    );
    rd.records()
        .map(|r| {
            let r = r.expect("errors.csv record");
            assert!(!r[5].is_empty(), "a message for every problem: {r:?}");
            (r[1].parse().expect("row number"), r[4].to_string())
        })
        .collect()
}

fn pairs(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(r, rule)| (*r, rule.to_string()))
        .collect()
}

/// The lines of `payloads.jsonl`.
fn payloads(dir: &TempDir) -> Vec<Value> {
    let text =
        std::fs::read_to_string(reports(dir).join("payloads.jsonl")).expect("payloads.jsonl");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("payload line is JSON"))
        .collect()
}

fn rows_of(payloads: &[Value]) -> Vec<u64> {
    payloads
        .iter()
        .map(|p| p["row"].as_u64().expect("row"))
        .collect()
}

fn at(payloads: &[Value], row: u64) -> &Value {
    payloads
        .iter()
        .find(|p| p["row"] == row)
        .unwrap_or_else(|| panic!("no payload for row {row}"))
}

#[test]
fn every_mapping_lints_clean() {
    let mappings = [
        "mappings/oduyo/customer_update.toml",
        "mappings/oduyo/transaction_create.toml",
        "mappings/oduyo/cash_update.toml",
        "mappings/netahsilat/customer_update.toml",
        "mappings/fatura_entegrator/customer_update.toml",
    ];
    let out = Command::cargo_bin("aktar")
        .expect("binary")
        .current_dir(root())
        .args(["mapping", "lint"])
        .args(mappings)
        .output()
        .expect("run aktar");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for m in mappings {
        assert!(
            stdout.contains(&format!("{m}: ok")),
            "{m} not ok:\n{stdout}"
        );
    }
}

#[test]
fn logo_cariler_windows_1254_with_title_and_total_row() {
    let bytes = std::fs::read(root().join("samples/logo_cariler.csv")).expect("sample");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the sample must stay Windows-1254"
    );

    let (dir, code) = run_check(
        "mappings/oduyo/customer_update.toml",
        "samples/logo_cariler.csv",
    );
    assert_eq!(code, 1);
    assert_counts(&dir, [15, 10, 5, 1]);
    assert_eq!(
        errors(&dir),
        pairs(&[
            (8, "vkn"),
            (10, "email"),
            (12, "decimal"),
            (13, "required_if"),
            (16, "map"),
        ])
    );
    let p = payloads(&dir);
    assert_eq!(rows_of(&p), [4, 5, 6, 7, 9, 11, 14, 15, 17, 18]);
    assert_eq!(
        *at(&p, 5),
        json!({
            "file": "samples/logo_cariler.csv",
            "row": 5,
            "key": "120.01.002",
            "method": "POST",
            "url": format!("{ODUYO}/api/v1/customer/customer_update"),
            "body": {"column": {
                "id": "1002",
                "code": "120.01.002",
                "name": "Ayşe Çelik",
                "customer_type_1": "1",
                "tax_number": "",
                "tax_office": "",
                "tc_number": "10000000146",
                "telephone": "5324182791",
                "email": "ayse.celik@gmail.com",
                "district": "Çankaya",
                "city": "Ankara",
                "country": "TR",
                "currency": "TRY",
                "balance": "-9440.0000",
                "balance_current": "-9440.0000",
                "balance_paid": "9440.0000",
                "description": "Logo cari 120.01.002",
                "status": "1"
            }}
        })
    );
    let company = &at(&p, 6)["body"]["column"];
    assert_eq!(company["customer_type_1"], "2");
    assert_eq!(company["tax_number"], "0010213576", "leading zero kept");
    assert_eq!(company["tax_office"], "Karşıyaka");
    assert_eq!(company["city"], "İzmir");
    assert_eq!(company["telephone"], "2323654890");
    assert_eq!(company["balance_current"], "18750.0000");
    assert_eq!(at(&p, 11)["body"]["column"]["balance"], "987654.3200");
}

#[test]
fn logo_cariler_errors_xlsx_lists_the_rejected_rows() {
    let (dir, code) = run_check(
        "mappings/oduyo/customer_update.toml",
        "samples/logo_cariler.csv",
    );
    assert_eq!(code, 1);
    let mut wb: Xlsx<_> = open_workbook(reports(&dir).join("errors.xlsx")).expect("errors.xlsx");
    let names = wb.sheet_names();
    assert!(names.iter().any(|n| n == "Hatalar"), "{names:?}");
    assert!(names.iter().any(|n| n == "Özet"), "{names:?}");

    let sheet = wb.worksheet_range("Hatalar").expect("Hatalar");
    let mut rows = sheet.rows();
    let header: Vec<String> = rows
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no `{name}` column in {header:?}"))
    };
    let (satir, hata, unvan) = (col("Satır"), col("Hata"), col("Cari Ünvanı"));
    let mut numbers = Vec::new();
    let mut titles = Vec::new();
    for r in rows {
        numbers.push(match &r[satir] {
            Data::Int(i) => *i,
            Data::Float(f) => *f as i64,
            other => panic!("Satır is not a number: {other:?}"),
        });
        assert!(
            !r[hata].to_string().trim().is_empty(),
            "empty Hata in {r:?}"
        );
        titles.push(r[unvan].to_string());
    }
    assert_eq!(numbers, [8, 10, 12, 13, 16]);
    assert_eq!(
        titles[0], "Doğan İnşaat A.Ş.",
        "original cells, decoded from Windows-1254"
    );

    let overview = wb.worksheet_range("Özet").expect("Özet");
    let rejected = overview
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Reddedilen"))
        .expect("a Reddedilen line in Özet");
    assert_eq!(rejected.get(1).map(|c| c.to_string()).as_deref(), Some("5"));
}

#[test]
fn cari_hareket_debit_credit_dates_and_duplicate_vouchers() {
    let (dir, code) = run_check(
        "mappings/oduyo/transaction_create.toml",
        "samples/cari_hareket.xlsx",
    );
    assert_eq!(code, 1);
    assert_counts(&dir, [13, 8, 5, 1]);
    assert_eq!(
        errors(&dir),
        pairs(&[
            (8, "debit_credit"),
            (10, "debit_credit"),
            (11, "date"),
            (13, "duplicate_key"),
            (15, "duplicate_key"),
        ])
    );
    let p = payloads(&dir);
    assert_eq!(rows_of(&p), [4, 5, 6, 7, 9, 12, 14, 16]);
    assert_eq!(
        *at(&p, 4),
        json!({
            "file": "samples/cari_hareket.xlsx#Hareketler",
            "row": 4,
            "key": "CH-2026-0001",
            "method": "POST",
            "url": format!("{ODUYO}/api/v1/customer_transaction/customer_transaction_create"),
            "body": {"column": {
                "customer_id": "1001",
                "amount": "12500.00",
                "sign": "-1",
                "date": "2026.11.03",
                "hour": "09:15",
                "document_no": "CH-2026-0001",
                "description": "Satış faturası SF-10234",
                "currency": "TRY",
                "exchange_rate": "1.0000",
                "due_date": "2026.12.03"
            }}
        })
    );
    // Alacak (credit): sign 1; no Vade: an empty string, as Ödüyo's examples send it.
    assert_eq!(
        at(&p, 5)["body"],
        json!({"column": {
            "customer_id": "1002",
            "amount": "2750.50",
            "sign": "1",
            "date": "2026.11.04",
            "hour": "11:40",
            "document_no": "CH-2026-0002",
            "description": "Nakit tahsilat",
            "currency": "TRY",
            "exchange_rate": "1.0000",
            "due_date": ""
        }})
    );
    let no_time = &at(&p, 7)["body"]["column"];
    assert_eq!(no_time["hour"], "00:00", "default for an empty Saat");
    let dollars = &at(&p, 9)["body"]["column"];
    assert_eq!(dollars["currency"], "USD");
    assert_eq!(dollars["exchange_rate"], "34.5125");
    assert_eq!(dollars["due_date"], "2027.01.10");
}

#[test]
fn kasa_fisleri_utf8_bom_comma_separated() {
    let (dir, code) = run_check(
        "mappings/oduyo/cash_update.toml",
        "samples/kasa_fisleri.csv",
    );
    assert_eq!(code, 1);
    assert_counts(&dir, [10, 7, 3, 0]);
    assert_eq!(
        errors(&dir),
        pairs(&[(5, "integer"), (7, "datetime"), (9, "currency")])
    );
    let p = payloads(&dir);
    assert_eq!(rows_of(&p), [2, 3, 4, 6, 8, 10, 11]);
    assert_eq!(
        *at(&p, 3),
        json!({
            "file": "samples/kasa_fisleri.csv",
            "row": 3,
            "key": "5002",
            "method": "POST",
            "url": format!("{ODUYO}/api/v1/erp/erp_kasa_fisi/update"),
            "body": {"column": {
                "id": "5002",
                "code": "K01",
                "receipt_no": "KF-2026-0102",
                "date": "2026-11-15 11:05:00",
                "type": "2",
                "customer_id": "",
                "amount": "1250.00",
                "currency": "TL",
                "description": "Kırtasiye, toner ve kağıt",
                "updated_at": "2026-11-15 11:06:40"
            }}
        })
    );
    let usd = &at(&p, 6)["body"]["column"];
    assert_eq!(usd["currency"], "USD", "upper-cased from `usd`");
    assert_eq!(usd["type"], "1");
    let lower_case_type = &at(&p, 8)["body"]["column"];
    assert_eq!(
        lower_case_type["type"], "1",
        "`tahsil` matches the map's `Tahsil`"
    );
    assert_eq!(at(&p, 11)["body"]["column"]["currency"], "TRY", "default");
}

#[test]
fn netahsilat_musteriler_typed_json_and_company_rules() {
    let (dir, code) = run_check(
        "mappings/netahsilat/customer_update.toml",
        "samples/netahsilat_musteriler.xlsx",
    );
    assert_eq!(code, 1);
    assert_counts(&dir, [10, 7, 3, 0]);
    assert_eq!(
        errors(&dir),
        pairs(&[(5, "tckn"), (7, "required_if"), (9, "integer")])
    );
    let p = payloads(&dir);
    assert_eq!(rows_of(&p), [2, 3, 4, 6, 8, 10, 11]);
    assert_eq!(
        *at(&p, 2),
        json!({
            "file": "samples/netahsilat_musteriler.xlsx#Müşteriler",
            "row": 2,
            "key": "NT1001",
            "method": "PUT",
            "url": format!("{NETAHSILAT}/vendor/customer/NT1001"),
            "body": {
                "code": "NT1001",
                "erpCode": "120.01.001",
                "isCompany": true,
                "firstName": null,
                "lastName": null,
                "tckn": null,
                "companyName": "Yıldız Tekstil San. ve Tic. A.Ş.",
                "taxNumber": "4540536920",
                "taxOffice": "Kozyatağı",
                "email": "muhasebe@yildiztekstil.com.tr",
                "phone": "2164441234",
                "cityCode": 34,
                "districtCode": 1421,
                "isActive": true,
                "allowSms": true,
                "customerRepresentativeIds": [3, 7]
            }
        })
    );
    // An individual: names cased the Turkish way, the TCKN read exactly from a number
    // cell, a lone representative id in a number cell still an array.
    let person = &at(&p, 3)["body"];
    assert_eq!(person["isCompany"], false);
    assert_eq!(person["firstName"], "Ayşe");
    assert_eq!(person["lastName"], "ÇELİK");
    assert_eq!(person["tckn"], "10000000146");
    assert_eq!(person["customerRepresentativeIds"], json!([5]));
    assert_eq!(person["allowSms"], false);
    let passive = &at(&p, 6)["body"];
    assert_eq!(passive["isActive"], false, "`Hayır`");
    assert_eq!(passive["lastName"], "KARAGÖZ");
    assert_eq!(passive["customerRepresentativeIds"], Value::Null);
    assert_eq!(
        at(&p, 10)["body"]["customerRepresentativeIds"],
        json!([5, 12])
    );
}

#[test]
fn fe_musteriler_partial_update_leaves_empty_cells_out() {
    let (dir, code) = run_check(
        "mappings/fatura_entegrator/customer_update.toml",
        "samples/fe_musteriler.csv",
    );
    assert_eq!(code, 1);
    assert_counts(&dir, [10, 7, 3, 0]);
    assert_eq!(
        errors(&dir),
        pairs(&[(5, "iban"), (7, "vkn_or_tckn"), (9, "email")])
    );
    let p = payloads(&dir);
    assert_eq!(rows_of(&p), [2, 3, 4, 6, 8, 10, 11]);
    assert_eq!(
        *at(&p, 10),
        json!({
            "file": "samples/fe_musteriler.csv",
            "row": 10,
            "key": "2009",
            "method": "PATCH",
            "url": format!("{FE}/api/customers/2009"),
            "body": {
                "name": "Hüseyin Kılıç",
                "type": "person",
                "tax_number": "46309218586",
                "first_name": "Hüseyin",
                "last_name": "Kılıç",
                "phone": "5063332211",
                "district": "Şahinbey",
                "city": "Gaziantep",
                "country": "TR"
            }
        })
    );
    assert_eq!(
        at(&p, 4)["body"],
        json!({
            "name": "Güneş Gıda Ltd. Şti.",
            "type": "company",
            "tax_number": "0010213576",
            "tax_office": "Karşıyaka",
            "email": "info@gunesgida.com.tr",
            "address": "Cemal Gürsel Cad. No:301",
            "district": "Karşıyaka",
            "city": "İzmir",
            "postal_code": "35540",
            "country": "TR"
        })
    );
    for line in &p {
        let body = line["body"].as_object().expect("body is an object");
        assert!(
            !body.contains_key("id"),
            "the id goes into the path: {line}"
        );
        assert!(
            body.values().all(|v| !v.is_null() && v != ""),
            "an empty cell must be left out: {line}"
        );
    }
    // IBANs written in groups of four pass their check.
    let iban = at(&p, 2)["body"]["iban"].as_str().expect("iban");
    assert_eq!(iban.replace(' ', ""), "TR330006100519786457841326");
    let lower = at(&p, 6)["body"]["iban"].as_str().expect("iban");
    assert_eq!(lower.replace(' ', ""), "TR080004600000012345678901");
}
