//! The sandbox's answers: statuses and headers here, each provider's shapes from the
//! provider (`crate::providers::<provider>::sandbox`). The sender reads these shapes
//! in production, so the sandbox must give exactly them, including the unhelpful ones
//! (Ödüyo refuses a body with a bare `{}`).
//!
//! Because such answers teach an integrator nothing, every refusal also carries an
//! `X-Sandbox-Reason` header listing the problems. Real providers send no such
//! header, so a client that depends on it would only be wrong in the sandbox.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::AuthError;
use super::ledger::Applied;
use super::validate::Problem;
use crate::providers::{Endpoint, ProviderId};

pub(crate) const REASON_HEADER: &str = "x-sandbox-reason";

/// A provider's generic error body for a message.
fn error_body(provider: ProviderId, message: &str) -> Value {
    provider.behaviour().error_body(message)
}

pub(crate) fn unauthorized(provider: ProviderId, err: &AuthError) -> Response {
    let body = error_body(provider, &err.to_string());
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// 401 for the `expired` fault: the message a real expiry gives.
pub(crate) fn expired(provider: ProviderId) -> Response {
    unauthorized(provider, &provider.behaviour().expired())
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
    let (status, body) = ep.provider.behaviour().refused(problems);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    with_reason((status, Json(body)).into_response(), &messages.join("; "))
}

/// A well-formed update of a record that does not exist.
pub(crate) fn not_found(ep: &Endpoint) -> Response {
    let body = ep.provider.behaviour().not_found();
    with_reason(
        (StatusCode::NOT_FOUND, Json(body)).into_response(),
        "no record with this id",
    )
}

pub(crate) fn success(ep: &Endpoint, applied: &Applied) -> Response {
    let body = ep.provider.behaviour().success(applied);
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
