//! Fatura Entegratör as the sandbox plays it: the bearer key check of a write and
//! Laravel-shaped answers.

use axum::http::HeaderMap;
use serde_json::{Map, Value, json};

use crate::config::ProviderConfig;
use crate::sandbox::auth::{AuthError, Presented, bearer, text};
use crate::sandbox::creds;

/// `Authorization: Bearer <the sandbox's API key>`.
pub(crate) fn authenticate(headers: &HeaderMap) -> Result<Presented, AuthError> {
    let value = text(headers, "authorization").ok_or(AuthError::MissingAuthorization)?;
    match bearer(value) {
        Some(key) if key == creds::FE_API_KEY => Ok(Presented::FeKey),
        Some(_) => Err(AuthError::BadApiKey),
        None => Err(AuthError::NotBearer),
    }
}

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

/// The `[providers.fatura_entegrator]` credential a person writes for the sandbox.
pub(crate) fn config() -> ProviderConfig {
    ProviderConfig {
        token: Some("env:FE_API_KEY".into()),
        ..ProviderConfig::default()
    }
}

/// The variable [`config`] names, with the sandbox's value.
pub(crate) const ENV: &[(&str, &str)] = &[("FE_API_KEY", creds::FE_API_KEY)];
