//! Request bodies as each provider's page sends them: Fatura Entegratör's partial
//! update, NetTahsilat's typed JSON and rules, the kasa card's numeric id, empty
//! values left out, sent as "" or as null, and lists checked item by item.

use serde_json::json;

use super::test_support::{check, mapping, rules};

const FE: &str = r#"
endpoint = "fatura_entegrator.customer_update"
key = "{Kod}"
[fields]
id = { from = "Kod" }
name = { from = "Ad" }
surname = { from = "Soyad" }
type = { from = "Tip", map = { "Şahıs" = "person", "Şirket" = "company" } }
tax_number = { from = "VKN/TCKN", check = "vkn_or_tckn" }
iban = { from = "IBAN", check = "iban" }
email = { from = "E-Posta", check = "email" }
"#;

#[test]
fn fatura_entegrator_leaves_empty_cells_out_and_puts_id_in_the_path() {
    let m = mapping(FE);
    let head = &["Kod", "Ad", "Soyad", "Tip", "VKN/TCKN", "IBAN", "E-Posta"];
    let c = check(
        &m,
        head,
        &["15", "Ali", "Veli", "Şahıs", "10000000146", "", ""],
    );
    let req = c.outcome.unwrap();
    assert_eq!(req.path, "/api/customers/15");
    assert_eq!(
        req.body,
        json!({"name": "Ali", "surname": "Veli", "type": "person", "tax_number": "10000000146"})
    );
    let c = check(
        &m,
        head,
        &[
            "16",
            "A",
            "B",
            "Şirket",
            "123",
            "TR330006100519786457841327",
            "a@b",
        ],
    );
    assert_eq!(
        rules(&c),
        [
            ("VKN/TCKN".to_string(), "vkn_or_tckn"),
            ("VKN/TCKN".to_string(), "pattern"),
            ("E-Posta".to_string(), "email"),
            ("IBAN".to_string(), "iban"),
        ]
    );
    // Without the mapping's checks only the page's own rule applies: 10 or 11
    // digits, no checksum.
    let plain = mapping(
        &FE.replace(r#", check = "vkn_or_tckn""#, "")
            .replace(r#", check = "iban""#, "")
            .replace(r#", check = "email""#, ""),
    );
    let c = check(
        &plain,
        head,
        &["17", "A", "B", "Şirket", "4540536921", "TR00", "a@b"],
    );
    assert_eq!(
        c.outcome.unwrap().body,
        json!({"name": "A", "surname": "B", "type": "company", "tax_number": "4540536921",
               "email": "a@b", "iban": "TR00"})
    );
    let c = check(&plain, head, &["18", "A", "B", "Şirket", "123", "", ""]);
    assert_eq!(rules(&c), [("VKN/TCKN".to_string(), "pattern")]);
}

const NT: &str = r#"
endpoint = "netahsilat.customer_update"
key = "{Kod}"
[fields]
updateCode = { from = "Kod" }
code = { from = "Kod" }
erpCode = { template = "ERP-{Kod}" }
isCompany = { from = "Tür", map = { "Kurum" = "true", "Şahıs" = "false" } }
firstName = { from = "Ad" }
lastName = { from = "Soyad" }
tckn = { from = "TCKN" }
companyName = { from = "Ünvan" }
taxNumber = { from = "VKN" }
taxOffice = { from = "VD" }
districtCode = { from = "İlçe Kodu" }
isActive = { from = "Aktif" }
customerRepresentativeIds = { from = "Temsilci", split = ";" }
cityCode = { from = "İl Kodu" }
"#;
const NT_HEAD: &[&str] = &[
    "Kod",
    "Tür",
    "Ad",
    "Soyad",
    "TCKN",
    "Ünvan",
    "VKN",
    "VD",
    "İlçe Kodu",
    "Aktif",
    "Temsilci",
    "İl Kodu",
];

#[test]
fn netahsilat_types_are_native_json() {
    let m = mapping(NT);
    let c = check(
        &m,
        NT_HEAD,
        &[
            "K 1.0-A_b",
            "Şahıs",
            "Ali",
            "Veli",
            "10000000146",
            "",
            "",
            "",
            "1234",
            "Evet",
            "3; 7",
            "06",
        ],
    );
    let req = c.outcome.unwrap();
    assert_eq!(req.path, "/vendor/customer/K%201.0-A_b");
    // Empty cells are left out (the page sends only what is updated); cityCode is a
    // string, so its leading zero stays; representative ids are strings.
    assert_eq!(
        req.body,
        json!({
            "code": "K 1.0-A_b", "erpCode": "ERP-K 1.0-A_b", "isCompany": false, "firstName": "Ali",
            "lastName": "Veli", "tckn": "10000000146", "cityCode": "06", "districtCode": 1234,
            "isActive": true, "customerRepresentativeIds": ["3", "7"]
        })
    );
}

#[test]
fn a_mapping_can_send_an_empty_value_as_null_or_as_empty_text() {
    let m = mapping(
        &NT.replace(
            r#"companyName = { from = "Ünvan" }"#,
            r#"companyName = { from = "Ünvan", empty = "null" }"#,
        )
        .replace(
            r#"taxOffice = { from = "VD" }"#,
            r#"taxOffice = { from = "VD", empty = "send" }"#,
        ),
    );
    let c = check(
        &m,
        NT_HEAD,
        &[
            "K3",
            "Şahıs",
            "Ali",
            "Veli",
            "10000000146",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    );
    let body = c.outcome.unwrap().body;
    assert_eq!(body["companyName"], json!(null));
    assert_eq!(body["taxOffice"], json!(""));
    let obj = body.as_object().unwrap();
    assert!(!obj.contains_key("taxNumber"), "{body}");
    assert!(!obj.contains_key("districtCode"), "{body}");
}

#[test]
fn netahsilat_endpoint_rules_require_company_fields() {
    let m = mapping(NT);
    let c = check(
        &m,
        NT_HEAD,
        &[
            "K2",
            "Kurum",
            "",
            "",
            "",
            "ACME A.Ş.",
            "4540536920",
            "",
            "12a",
            "belki",
            "x",
            "",
        ],
    );
    // Representative ids are strings on the page (UUIDs), so "x" is one.
    assert_eq!(
        rules(&c),
        [
            ("İlçe Kodu".to_string(), "integer"),
            ("Aktif".to_string(), "bool"),
            ("VD".to_string(), "required_if"),
        ]
    );
}

const CASH: &str = r#"
endpoint = "oduyo.cash_update"
key = "{Kasa Kodu}"
[fields]
id = { from = "Ödüyo No" }
integration_id = { from = "Kasa Kodu" }
status = { from = "Durum", map = { "Aktif" = "1", "Pasif" = "0" } }
key1 = { from = "Kasa Kodu" }
note = { from = "Not" }
balance = { from = "Bakiye" }
kasafisi_updated_in = { from = "Güncelleme" }
"#;

#[test]
fn oduyo_cash_card_id_is_a_json_number_left_out_when_empty() {
    let m = mapping(CASH);
    let head = &[
        "Kasa Kodu",
        "Ödüyo No",
        "Durum",
        "Not",
        "Bakiye",
        "Güncelleme",
    ];
    let c = check(
        &m,
        head,
        &["21", "2", "Aktif", "", "1260", "23.05.2025 14:30"],
    );
    assert_eq!(
        c.outcome.unwrap().body,
        json!({"column": {
            "id": 2, "integration_id": "21", "status": "1", "key1": "21", "note": "",
            "balance": "1260", "kasafisi_updated_in": "2025-05-23 14:30:00"
        }})
    );
    // "" is no JSON number: an empty id is left out, the other empties still go as "".
    let c = check(&m, head, &["22", "", "Pasif", "", "0", ""]);
    assert_eq!(
        c.outcome.unwrap().body,
        json!({"column": {
            "integration_id": "22", "status": "0", "key1": "22", "note": "",
            "balance": "0", "kasafisi_updated_in": ""
        }})
    );
}

#[test]
fn a_lists_checks_apply_to_each_item() {
    let m = mapping(
        r#"
endpoint = "netahsilat.customer_update"
key = "{Kod}"
[fields]
updateCode = { from = "Kod" }
code = { from = "Kod" }
erpCode = { from = "Kod" }
customerRepresentativeIds = { from = "Temsilci", split = ";", check = "uuid", max_len = 36 }
"#,
    );
    let two = "a90b225c-fa6e-418d-8c03-93946a05e355;504978bf-bebd-40c5-89aa-b76f3a20341c";
    let c = check(&m, &["Kod", "Temsilci"], &["K1", two]);
    let body = c.outcome.expect("two valid ids").body;
    assert_eq!(
        body["customerRepresentativeIds"],
        serde_json::json!([
            "a90b225c-fa6e-418d-8c03-93946a05e355",
            "504978bf-bebd-40c5-89aa-b76f3a20341c"
        ])
    );
    let c = check(
        &m,
        &["Kod", "Temsilci"],
        &["K2", "a90b225c-fa6e-418d-8c03-93946a05e355;x"],
    );
    let rules: Vec<_> = c
        .outcome
        .expect_err("one bad id")
        .iter()
        .map(|e| e.problem.rule())
        .collect();
    assert_eq!(rules, ["uuid"]);
}
