//! The shipped samples through the real binary: each `samples/` file checked with its
//! mapping from `mappings/`, asserting exactly which rows are rejected and why, the
//! counts in `summary.json`, and what would be sent for a few good rows.
//!
//! The samples are also what users try first, so these tests keep them and their
//! mappings honest: a change in how aktar reads, maps or validates shows up here as a
//! row that is suddenly accepted, rejected for another rule, or sent differently.
//! Regenerate the samples with `cargo run --example make_samples`.

mod common;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Value, json};

use common::dry_run::{
    FE, NETAHSILAT, ODUYO, assert_counts, at, errors, pairs, payloads, reports, rows_of, run_check,
};
use common::root;

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

/// Every body of `payloads` holds only fields of the endpoint's page (none of them the
/// path's), and every field the page requires, not empty.
fn assert_page_fields(endpoint: &str, payloads: &[Value]) {
    let ep = aktar::providers::find(endpoint).expect("built-in endpoint");
    for p in payloads {
        let body = match &ep.envelope {
            aktar::providers::Envelope::Key(k) => &p["body"][k.as_str()],
            aktar::providers::Envelope::Bare => &p["body"],
        };
        let fields = body.as_object().expect("the fields are an object");
        for name in fields.keys() {
            assert!(
                ep.field(name).is_some_and(|f| !ep.is_path_field(&f.name)),
                "{endpoint}: `{name}` is not a body field of the page: {p}"
            );
        }
        for def in ep.fields.iter().filter(|d| d.required) {
            if ep.is_path_field(&def.name) {
                continue;
            }
            let v = &fields.get(&def.name);
            assert!(
                v.is_some_and(|v| !v.is_null() && *v != ""),
                "{endpoint}: the page requires `{}`: {p}",
                def.name
            );
        }
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
    assert_page_fields("oduyo.customer_update", &p);
    // A person: every page field the mapping sets, the empty ones as "" (as the page's
    // example sends them), every value a JSON string.
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
                "name": "Ayşe Çelik",
                "customer_type_1": "1",
                "customer_type_2": "1",
                "status": "1",
                "tax_department": "",
                "tax_number": "",
                "tc_number": "10000000146",
                "group_code": "PERAKENDE",
                "branch_key": "2",
                "branch_name": "Ankara Şube",
                "telephone": "5324182791",
                "email": "ayse.celik@gmail.com",
                "country": "Türkiye",
                "province": "Ankara",
                "district": "Çankaya",
                "risk": "",
                "balance": "-9440.0000",
                "balance_current": "-9440.0000",
                "balance_paid": "9440.0000"
            }}
        })
    );
    // A company that is both customer and supplier (Alıcı + Satıcı).
    let company = &at(&p, 6)["body"]["column"];
    assert_eq!(company["customer_type_1"], "2");
    assert_eq!(company["customer_type_2"], "3");
    assert_eq!(company["tax_number"], "0010213576", "leading zero kept");
    assert_eq!(company["tax_department"], "Karşıyaka");
    assert_eq!(company["tc_number"], "");
    assert_eq!(company["province"], "İzmir");
    assert_eq!(company["district"], "Karşıyaka");
    assert_eq!(company["group_code"], "TOPTAN");
    assert_eq!(company["branch_key"], "1");
    assert_eq!(company["branch_name"], "İzmir Şube");
    assert_eq!(company["telephone"], "2323654890");
    assert_eq!(company["risk"], "100000.00");
    assert_eq!(company["balance_current"], "18750.0000");
    let upper_case_mail = &at(&p, 7)["body"]["column"];
    assert_eq!(upper_case_mail["email"], "mehmet.ozturk@hotmail.com");
    assert_eq!(upper_case_mail["telephone"], "5052213344", "+90 dropped");
    let big = &at(&p, 11)["body"]["column"];
    assert_eq!(big["balance"], "987654.3200");
    assert_eq!(big["risk"], "1000000.00");
    // A supplier (Satıcı).
    let supplier = &at(&p, 15)["body"]["column"];
    assert_eq!(supplier["customer_type_2"], "2");
    assert_eq!(supplier["group_code"], "TEDARİKÇİ");
    assert_eq!(supplier["balance"], "-12345.6700");
    for line in &p {
        let body = &line["body"]["column"];
        assert!(
            body.as_object()
                .expect("column")
                .values()
                .all(Value::is_string),
            "every value a JSON string: {line}"
        );
        assert_eq!(body["status"], "1");
        assert_eq!(body["country"], "Türkiye");
    }
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
    assert_page_fields("oduyo.transaction_create", &p);
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
                "comment": "Satış faturası SF-10234",
                "currency": "TL"
            }}
        })
    );
    // Alacak (credit): sign 1. Exactly the page's seven fields, nothing else.
    assert_eq!(
        at(&p, 5)["body"],
        json!({"column": {
            "customer_id": "1002",
            "amount": "2750.50",
            "sign": "1",
            "date": "2026.11.04",
            "hour": "11:40",
            "comment": "Nakit tahsilat",
            "currency": "TL"
        }})
    );
    assert_eq!(
        at(&p, 6)["body"]["column"]["currency"],
        "TL",
        "default for an empty Döviz"
    );
    let no_time = &at(&p, 7)["body"]["column"];
    assert_eq!(no_time["hour"], "00:00", "default for an empty Saat");
    assert_eq!(no_time["comment"], "Açılış bakiyesi düzeltmesi");
    let dollars = &at(&p, 9)["body"]["column"];
    assert_eq!(dollars["currency"], "USD");
    assert_eq!(dollars["amount"], "4200.00");
    assert_eq!(dollars["comment"], "İhracat faturası EF-2026-77");
    assert_eq!(at(&p, 16)["body"]["column"]["currency"], "EUR");
}

#[test]
fn kasa_fisleri_cash_cards_utf8_bom_comma_separated() {
    let bytes = std::fs::read(root().join("samples/kasa_fisleri.csv")).expect("sample");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "the sample keeps its BOM"
    );

    let (dir, code) = run_check(
        "mappings/oduyo/cash_update.toml",
        "samples/kasa_fisleri.csv",
    );
    assert_eq!(code, 1);
    assert_counts(&dir, [10, 7, 3, 0]);
    assert_eq!(
        errors(&dir),
        pairs(&[(5, "integer"), (7, "map"), (9, "decimal")])
    );
    let p = payloads(&dir);
    assert_eq!(rows_of(&p), [2, 3, 4, 6, 8, 10, 11]);
    assert_page_fields("oduyo.cash_update", &p);
    // The card of the page's own example request, sent as the page sends it: the id a
    // JSON number, amounts as written, an empty amount as "", the ERP's
    // 23.05.2025 00:00:00 as 2025-05-23 00:00:00.
    assert_eq!(
        *at(&p, 2),
        json!({
            "file": "samples/kasa_fisleri.csv",
            "row": 2,
            "key": "2",
            "method": "POST",
            "url": format!("{ODUYO}/api/v1/erp/erp_kasa_fisi/update"),
            "body": {"column": {
                "id": 2,
                "integration_id": "2",
                "status": "1",
                "key1": "21",
                "key2": "1",
                "note": "--",
                "price": "100",
                "price1": "120",
                "price2": "0",
                "balance": "1260",
                "balance1": "1566",
                "balance2": "",
                "description": "MERKEZ KASA",
                "kasafisi_created_in": "2025-05-23 00:00:00",
                "kasafisi_updated_in": "2025-05-23 00:00:00"
            }}
        })
    );
    let branch = &at(&p, 3)["body"]["column"];
    assert_eq!(branch["id"], 3);
    assert_eq!(branch["integration_id"], "7");
    assert_eq!(
        branch["note"], "Günlük devir, 18:00'de sayılır",
        "a quoted cell keeps its comma"
    );
    assert_eq!(branch["price"], "2750.50");
    assert_eq!(branch["description"], "ŞUBE KASA İZMİR");
    assert_eq!(branch["kasafisi_updated_in"], "2026-11-21 18:05:12");
    let passive = &at(&p, 6)["body"]["column"];
    assert_eq!(passive["status"], "0", "`Pasif`");
    assert_eq!(passive["kasafisi_created_in"], "2024-01-12 08:30:00");
    assert_eq!(
        at(&p, 10)["body"]["column"]["status"],
        "1",
        "`aktif` matches the map's `Aktif`"
    );
    let pos = &at(&p, 11)["body"]["column"];
    assert_eq!(pos["price"], "12000.00");
    assert_eq!(pos["price1"], "", "an empty cell is sent as \"\"");
    assert_eq!(pos["balance1"], "");
    assert_eq!(pos["note"], "");
    for line in &p {
        assert!(
            line["body"]["column"]["id"].is_u64(),
            "id as a number: {line}"
        );
    }
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
    assert_page_fields("netahsilat.customer_update", &p);
    // A company: the person's fields, empty, are left out of the body.
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
                "companyName": "Yıldız Tekstil San. ve Tic. A.Ş.",
                "isCompany": true,
                "taxNumber": "4540536920",
                "taxOffice": "Kozyatağı",
                "email": "muhasebe@yildiztekstil.com.tr",
                "phone": "2164441234",
                "mobile": "5325551001",
                "countryCode": "TR",
                "cityCode": "34",
                "districtCode": 1421,
                "currencyCode": "TRY",
                "customerRepresentativeIds": [
                    "a90b225c-fa6e-418d-8c03-93946a05e355",
                    "3f6c1e2a-8b4d-4c7e-9a15-2d8e7b9c0f41"
                ],
                "canUseMobile": true,
                "sendMail": false,
                "isActive": true
            }
        })
    );
    // An individual: names cased the Turkish way, the TCKN read exactly from a number
    // cell, the plate code with its leading zero, a lone representative still an array.
    let person = &at(&p, 3)["body"];
    assert_eq!(person["isCompany"], false);
    assert_eq!(person["firstName"], "Ayşe");
    assert_eq!(person["lastName"], "ÇELİK");
    assert_eq!(person["tckn"], "10000000146");
    assert_eq!(person["cityCode"], "06");
    assert_eq!(person["mobile"], "5324182791");
    assert_eq!(
        person["customerRepresentativeIds"],
        json!(["c71d4b09-5e2a-4f3b-b8c6-0a9e1d2f3b57"])
    );
    assert_eq!(person["canUseMobile"], false);
    for absent in ["companyName", "taxNumber", "taxOffice", "phone"] {
        assert!(
            person.get(absent).is_none(),
            "`{absent}` is empty: left out"
        );
    }
    let passive = &at(&p, 6)["body"];
    assert_eq!(passive["isActive"], false, "`Hayır`");
    assert_eq!(passive["lastName"], "KARAGÖZ");
    assert_eq!(passive["phone"], "3323507172");
    assert!(
        passive.get("customerRepresentativeIds").is_none(),
        "no representatives: left out"
    );
    assert_eq!(
        at(&p, 10)["body"]["customerRepresentativeIds"],
        json!([
            "3f6c1e2a-8b4d-4c7e-9a15-2d8e7b9c0f41",
            "e2b8a6f4-1c3d-4e5f-a7b9-8c0d2e4f6a13"
        ]),
        "split on `;`, the space after it trimmed"
    );
    for line in &p {
        let body = line["body"].as_object().expect("body is an object");
        assert!(
            !body.contains_key("updateCode"),
            "updateCode goes into the path: {line}"
        );
        assert!(
            body.values().all(|v| !v.is_null() && v != ""),
            "an empty cell must be left out: {line}"
        );
        assert_eq!(body["countryCode"], "TR");
        assert_eq!(body["currencyCode"], "TRY");
        assert_eq!(body["sendMail"], false);
        assert!(body["cityCode"].is_string(), "cityCode is a string: {line}");
        assert!(
            body["districtCode"].is_i64(),
            "districtCode a number: {line}"
        );
    }
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
    assert_page_fields("fatura_entegrator.customer_update", &p);
    assert_eq!(
        *at(&p, 10),
        json!({
            "file": "samples/fe_musteriler.csv",
            "row": 10,
            "key": "2009",
            "method": "PATCH",
            "url": format!("{FE}/api/customers/2009"),
            "body": {
                "type": "person",
                "tax_number": "46309218586",
                "name": "Hüseyin",
                "surname": "Kılıç",
                "phone": "5063332211",
                "district": "Şahinbey",
                "city": "Gaziantep",
                "country": "Türkiye"
            }
        })
    );
    // A company: its title, no name/surname, no phone (the cell is empty).
    assert_eq!(
        at(&p, 4)["body"],
        json!({
            "type": "company",
            "tax_number": "0010213576",
            "tax_office": "Karşıyaka",
            "title": "Güneş Gıda Ltd. Şti.",
            "email": "info@gunesgida.com.tr",
            "address": "Cemal Gürsel Cad. No:301",
            "district": "Karşıyaka",
            "city": "İzmir",
            "postcode": "35540",
            "country": "Türkiye"
        })
    );
    let person = &at(&p, 3)["body"];
    assert_eq!(person["name"], "Ayşe");
    assert_eq!(person["surname"], "Çelik");
    assert_eq!(person["postcode"], "06420", "leading zero kept");
    assert!(
        person.get("title").is_none(),
        "a person has no company title"
    );
    assert_eq!(
        at(&p, 8)["body"]["country"],
        "TÜRKİYE",
        "free text, as written"
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
    // IBANs written in groups of four, or in lower case, pass their check and go out
    // in their electronic form.
    assert_eq!(at(&p, 2)["body"]["iban"], "TR330006100519786457841326");
    assert_eq!(at(&p, 6)["body"]["iban"], "TR080004600000012345678901");
}
