//! Fatura Entegratör: customer partial update (`PATCH /api/customers/{id}`), described
//! in `endpoints.toml`.
//!
//! Authentication: `Authorization: Bearer <api key>`. Any 2xx is success; a refusal is
//! Laravel's validation answer (422 with `message` and `errors` per field).
//!
//! Below: the answers the sandbox gives in Fatura Entegratör's shapes.

use serde_json::{Map, Value, json};

pub(crate) fn error_body(message: &str) -> Value {
    json!({ "message": message })
}

/// 422 with a summary and the messages grouped by field.
pub(crate) fn refused(problems: &[(String, String)]) -> (u16, Value) {
    let mut errors = Map::new();
    for (field, message) in problems {
        let list = errors
            .entry(field.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            items.push(Value::from(message.clone()));
        }
    }
    let summary = match problems.len() {
        0 | 1 => problems.first().map(|p| p.1.clone()).unwrap_or_default(),
        n => format!("{} (and {} more errors)", problems[0].1, n - 1),
    };
    (422, json!({ "message": summary, "errors": errors }))
}

pub(crate) fn not_found() -> Value {
    error_body("not found")
}
