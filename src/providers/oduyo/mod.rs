//! Ödüyo: customer (cari) update, kasa card update and customer transaction (cari
//! hareket) create, described in `endpoints.toml`.
//!
//! Authentication: the `Apikey` header and an `Authorization` header holding a session
//! id from the login call (`POST /api/v1/ws/login`, form fields `username`,
//! `oduyo_api_key`, `password`), which lasts 60 minutes (`crate::send::auth` renews it,
//! the sandbox issues it). Answers: `{"status": true, "data": ...}` on success,
//! `{"status": false}` or `{}` on refusal.
//!
//! Below: the answers the sandbox gives in Ödüyo's shapes, as its pages show them.

use serde_json::{Map, Value, json};

/// A generic error answer.
pub(crate) fn error_body(message: &str) -> Value {
    json!({ "status": false, "message": message })
}

/// A body Ödüyo will not take: 400 with an empty object, as the pages show.
pub(crate) fn refused() -> (u16, Value) {
    (400, json!({}))
}

/// An update of a record that does not exist (the kasa page's 404).
pub(crate) fn not_found() -> Value {
    json!({ "status": false })
}

/// An applied update: `"<1> successfully updated."` as on the customer page.
pub(crate) fn updated(key: &str) -> Value {
    json!({ "status": true, "data": format!("<{key}> successfully updated.") })
}

/// A posted transaction: the fields as received, with the provider's transaction and
/// document numbers, as on the transaction page.
pub(crate) fn created(fields: &Map<String, Value>, number: u64) -> Value {
    let mut data = fields.clone();
    let number = format!("{number:09}");
    let alacak = fields.get("sign").and_then(Value::as_str) == Some("1");
    let amount = fields.get("amount").cloned().unwrap_or(Value::Null);
    data.remove("sign");
    data.insert(
        "debt".into(),
        if alacak { "0".into() } else { amount.clone() },
    );
    data.insert("credit".into(), if alacak { amount } else { "0".into() });
    data.insert("transaction_number".into(), Value::from(number.clone()));
    data.insert("document_no".into(), Value::from(number));
    data.insert(
        "transaction_type".into(),
        Value::from(if alacak { "alacak" } else { "borç" }),
    );
    json!({ "status": true, "data": data })
}
