//! Each provider's answer shapes, in one place: the sender reads these shapes in
//! production, so the sandbox must give exactly them, including the unhelpful ones
//! (Ödüyo refuses a body with a bare `{}`).
//!
//! Because such answers teach an integrator nothing, every refusal also carries an
//! `X-Sandbox-Reason` header listing the problems. Real providers send no such
//! header, so a client that depends on it would only be wrong in the sandbox.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::AuthError;
use super::ledger::Applied;
use super::validate::Problem;
use crate::providers::{Endpoint, ProviderId};

pub(crate) const REASON_HEADER: &str = "x-sandbox-reason";

/// A provider's generic error body for a message.
fn error_body(provider: ProviderId, message: &str) -> Value {
    match provider {
        ProviderId::Oduyo => json!({ "status": false, "message": message }),
        ProviderId::FaturaEntegrator => json!({ "message": message }),
        ProviderId::NetTahsilat => json!({ "status": "error", "message": message }),
    }
}

pub(crate) fn unauthorized(provider: ProviderId, err: &AuthError) -> Response {
    let body = error_body(provider, &err.to_string());
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// 401 for the `expired` fault: the message a real expiry gives.
pub(crate) fn expired(provider: ProviderId) -> Response {
    let err = match provider {
        ProviderId::Oduyo => AuthError::SessionExpired,
        ProviderId::NetTahsilat | ProviderId::FaturaEntegrator => AuthError::TokenExpired,
    };
    unauthorized(provider, &err)
}

pub(crate) fn rate_limited(provider: ProviderId, retry_after_secs: u64) -> Response {
    let body = error_body(provider, "too many requests");
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// 500 or 503 from an injected fault.
pub(crate) fn server_error(provider: ProviderId, status: StatusCode) -> Response {
    let message = if status == StatusCode::SERVICE_UNAVAILABLE {
        "service unavailable"
    } else {
        "internal server error"
    };
    (status, Json(error_body(provider, message))).into_response()
}

/// A body the endpoint would not take.
pub(crate) fn refused(ep: &Endpoint, problems: &[Problem]) -> Response {
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let (status, body) = match ep.provider {
        ProviderId::Oduyo => (StatusCode::BAD_REQUEST, json!({})),
        ProviderId::FaturaEntegrator => {
            // Laravel's validation answer: a summary plus messages grouped by field.
            let mut errors = Map::new();
            for p in problems {
                let list = errors
                    .entry(p.field().to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    items.push(Value::from(p.to_string()));
                }
            }
            let summary = match messages.len() {
                0 | 1 => messages.first().cloned().unwrap_or_default(),
                n => format!("{} (and {} more errors)", messages[0], n - 1),
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "message": summary, "errors": errors }),
            )
        }
        ProviderId::NetTahsilat => (
            StatusCode::BAD_REQUEST,
            json!({ "status": "error", "message": messages.join("; ") }),
        ),
    };
    with_reason((status, Json(body)).into_response(), &messages.join("; "))
}

/// A well-formed update of a record that does not exist.
pub(crate) fn not_found(ep: &Endpoint) -> Response {
    let body = match ep.provider {
        ProviderId::Oduyo => json!({ "status": false }),
        other => error_body(other, "not found"),
    };
    with_reason(
        (StatusCode::NOT_FOUND, Json(body)).into_response(),
        "no record with this id",
    )
}

pub(crate) fn success(ep: &Endpoint, applied: &Applied) -> Response {
    let body = match (ep.provider, applied) {
        (_, Applied::Record(record)) => record.clone(),
        (ProviderId::Oduyo, Applied::Created(id)) => {
            json!({ "status": true, "data": { "id": id } })
        }
        (ProviderId::Oduyo, Applied::Updated(id)) => {
            json!({ "status": true, "data": format!("{id} successfully updated.") })
        }
        (_, Applied::Created(id)) => json!({ "status": "success", "id": id }),
        (_, Applied::Updated(_)) => json!({ "status": "success", "message": "Customer updated" }),
    };
    (StatusCode::OK, Json(body)).into_response()
}

/// Header values must be visible ASCII; a reason that is not (it never holds user
/// values, but field names could in principle) is left out rather than mangled.
fn with_reason(mut response: Response, reason: &str) -> Response {
    let printable: String = reason
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .collect();
    if let Ok(v) = HeaderValue::from_str(&printable) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REASON_HEADER), v);
    }
    response
}
