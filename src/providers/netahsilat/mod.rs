//! NetTahsilat: vendor customer update (`PUT /vendor/customer/{updateCode}`), described
//! in `endpoints.toml`.
//!
//! Authentication: `Authorization: Bearer <access token>`, a JWT either given or
//! obtained from a configurable token call, renewed before its `exp` passes. Success
//! is `{"status": "success", ...}`.
//!
//! Below: the answers the sandbox gives in NetTahsilat's shapes, as its page shows them.

use serde_json::{Value, json};

pub(crate) fn error_body(message: &str) -> Value {
    json!({ "status": "error", "message": message })
}

pub(crate) fn refused(messages: &[String]) -> (u16, Value) {
    (400, error_body(&messages.join("; ")))
}

pub(crate) fn not_found() -> Value {
    error_body("not found")
}

/// The page's successful response.
pub(crate) fn updated() -> Value {
    json!({ "status": "success", "message": "Customer updated successfully" })
}
