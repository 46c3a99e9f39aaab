use std::path::Path;

use super::*;

#[test]
fn five_built_in_endpoints_with_the_pages_fields() {
    assert_eq!(
        Registry::builtin().ids(),
        [
            "oduyo.customer_update",
            "oduyo.cash_update",
            "oduyo.transaction_create",
            "fatura_entegrator.customer_update",
            "netahsilat.customer_update"
        ]
    );
    let names = |id: &str| find(id).expect("endpoint").field_names();
    assert_eq!(
        names("oduyo.customer_update"),
        "id, name, customer_type_1, customer_type_2, status, tax_department, tax_number, \
         tc_number, group_code, branch_key, branch_name, telephone, email, country, province, \
         district, risk, balance, balance_current, balance_paid"
    );
    assert_eq!(
        names("oduyo.cash_update"),
        "id, integration_id, status, key1, key2, note, price, price1, price2, balance, \
         balance1, balance2, description, space2, space3, space4, space5, kasafisi_created_in, \
         kasafisi_updated_in"
    );
    assert_eq!(
        names("oduyo.transaction_create"),
        "customer_id, amount, sign, date, hour, comment, currency"
    );
    assert_eq!(
        names("fatura_entegrator.customer_update"),
        "id, type, tax_number, tax_office, title, name, surname, phone, email, country, \
         postcode, city, district, address, iban"
    );
    assert_eq!(
        names("netahsilat.customer_update"),
        "updateCode, code, erpCode, firstName, lastName, companyName, isCompany, \
         isForeignNational, tckn, taxNumber, taxOffice, email, phone, mobile, countryCode, \
         cityCode, districtCode, currencyCode, address, paymentSetId, \
         customerRepresentativeIds, canUseMobile, sendMail, isActive, title"
    );
}

#[test]
fn wire_forms_required_fields_and_rules_follow_the_pages() {
    let tx = find("oduyo.transaction_create").unwrap();
    assert!(!tx.idempotent);
    assert!(tx.fields.iter().all(|f| f.required), "all seven required");
    assert_eq!(tx.field("sign").unwrap().one_of, ["1", "-1"]);
    assert_eq!(
        tx.field("date").unwrap().format.as_deref(),
        Some("%Y.%m.%d")
    );
    assert_eq!(tx.envelope, Envelope::Key("column".into()));

    let kasa = find("oduyo.cash_update").unwrap();
    assert_eq!(kasa.field("id").unwrap().json, Json::Number);
    assert_eq!(kasa.field("integration_id").unwrap().json, Json::String);
    assert_eq!(kasa.empty, Empty::Send);

    let fe = find("fatura_entegrator.customer_update").unwrap();
    assert_eq!(fe.path_field.as_deref(), Some("id"));
    assert_eq!(fe.empty, Empty::Omit);
    let tax = fe.field("tax_number").unwrap().pattern.as_ref().unwrap();
    assert!(tax.is_match("1234567890") && tax.is_match("12345678901"));
    assert!(!tax.is_match("123456789") && !tax.is_match("123456789012"));

    let nt = find("netahsilat.customer_update").unwrap();
    assert!(!nt.field("isCompany").unwrap().required);
    assert_eq!(nt.field("cityCode").unwrap().ty, FieldType::String);
    assert_eq!(nt.field("districtCode").unwrap().json, Json::Number);
    assert_eq!(
        nt.field("customerRepresentativeIds").unwrap().ty,
        FieldType::List(ItemType::String)
    );
    assert_eq!(nt.rules.len(), 2);
    assert_eq!(nt.rules[0].label, "isCompany == false");
}

fn load_user(text: &str) -> Result<Registry, EndpointErrors> {
    let mut r = Registry::builtin().clone();
    r.load_str(Path::new("endpoints/extra.toml"), text)?;
    Ok(r)
}

#[test]
fn a_user_file_adds_an_endpoint_with_its_providers_defaults() {
    let r = load_user(
        r#"
provider = "oduyo"

[[endpoint]]
id = "oduyo.customer_note"
method = "POST"
path = "/api/v1/customer/customer_note"
idempotent = true

[endpoint.fields]
id   = { type = "integer", required = true }
note = { type = "string" }
"#,
    )
    .unwrap();
    let e = r.find("oduyo.customer_note").unwrap();
    assert_eq!(e.origin, Origin::File("endpoints/extra.toml".into()));
    assert_eq!(e.envelope, Envelope::Key("column".into()));
    assert_eq!(e.empty, Empty::Send);
    assert_eq!(e.answer, find("oduyo.customer_update").unwrap().answer);
    assert_eq!(
        e.field("id").unwrap().json,
        Json::String,
        "Ödüyo sends strings"
    );
    assert_eq!(r.ids().len(), 6);
    assert!(find("oduyo.customer_note").is_none(), "built-ins unchanged");
}

#[test]
fn a_bad_user_file_names_every_mistake_with_line_and_column() {
    let err = load_user(
        r#"provider = "oduyo"

[[endpoint]]
id = "oduyo.customer_update"
method = "GET"
path = "/x/{code}"
idempotent = true

[endpoint.fields]
amount = { type = "decimal", json = "number" }
when   = { type = "date", format = "%H" }
code   = { type = "string" }
"#,
    )
    .unwrap_err()
    .to_string();
    for want in [
        "endpoints/extra.toml:4:6: endpoint `oduyo.customer_update` is already described (built-in)",
        "endpoints/extra.toml:5:10: unknown method `GET`",
        "endpoints/extra.toml:10:37: `amount`: a decimal field cannot be sent as a JSON number",
        "endpoints/extra.toml:11:36: `when`: format `%H` asks for parts a date does not have",
        "`code` goes into the path, so it must be required = true",
    ] {
        assert!(err.contains(want), "{want}\n---\n{err}");
    }

    let err = load_user("provider = \"oduyo\"\nfoo = 1\n").unwrap_err();
    assert!(err.to_string().contains("extra.toml:2:1"), "{err}");
    let err = load_user("provider = \"paypal\"\n").unwrap_err();
    assert!(
        err.to_string().contains("unknown provider `paypal`"),
        "{err}"
    );
}

#[test]
fn a_second_endpoint_on_the_same_request_is_refused() {
    let err = load_user(
        r#"provider = "fatura_entegrator"
[[endpoint]]
id = "fatura_entegrator.customer_patch"
method = "PATCH"
path = "/api/customers/{code}"
idempotent = true
[endpoint.fields]
code = { type = "string", required = true }
"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("is already the request of `fatura_entegrator.customer_update`"),
        "{err}"
    );
}

#[test]
fn the_registry_lists_each_provider_at_its_own_index() {
    assert_eq!(BUILTIN.len(), ProviderId::ALL.len());
    for (i, (id, _, _)) in BUILTIN.iter().enumerate() {
        assert_eq!(*id as usize, i, "{}", id.config_name());
        assert_eq!(ProviderId::ALL[i], *id);
    }
}

#[test]
fn references_and_statement_fields_are_data_checked_with_their_line() {
    let tx = find("oduyo.transaction_create").unwrap();
    assert_eq!(
        tx.references,
        ["/data/transaction_number", "/data/document_no"]
    );
    assert_eq!(tx.statement.customer.as_deref(), Some("customer_id"));
    assert!(find("oduyo.customer_update").unwrap().references.is_empty());

    let err = load_user(
        r#"provider = "oduyo"

[[endpoint]]
id = "oduyo.payment_create"
method = "POST"
path = "/api/v1/payment/create"
idempotent = false
references = ["data.number"]
statement = { customer = "customer", amount = "total" }

[endpoint.fields]
customer = { type = "integer", required = true }
amount   = { type = "decimal", required = true }
"#,
    )
    .unwrap_err()
    .to_string();
    for want in [
        "endpoints/extra.toml:8:14: references are JSON pointers",
        "endpoints/extra.toml:9:13: statement names `total`, which is not a field",
    ] {
        assert!(err.contains(want), "{want}\n---\n{err}");
    }
}
