//! NetTahsilat as the sandbox plays it: the bearer check of a write, the token call
//! (OAuth2 client credentials), and the answers in the shapes its page shows.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::config::{ProviderConfig, TokenCallConfig};
use crate::sandbox::auth::{
    AuthError, Credentials, FieldsError, Presented, bearer, parse_fields, text,
};
use crate::sandbox::creds;
use crate::sandbox::state::App;

/// Where the token call is served.
pub(crate) const TOKEN_PATH: &str = "/token";

/// `Authorization: Bearer <token>` with a live token issued by the token call.
pub(crate) fn authenticate(
    creds_: &Credentials,
    headers: &HeaderMap,
) -> Result<Presented, AuthError> {
    let value = text(headers, "authorization").ok_or(AuthError::MissingAuthorization)?;
    let token = bearer(value).ok_or(AuthError::NotBearer)?;
    match creds_.token_expiry(token) {
        Some(expires) if Instant::now() < expires => {
            Ok(Presented::NetTahsilatToken(token.to_owned()))
        }
        Some(_) => Err(AuthError::TokenExpired),
        None => Err(AuthError::UnknownToken),
    }
}

/// `POST /token`: OAuth2 client credentials, as a form or as JSON.
pub(crate) async fn token(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        let body = json!({ "error": error, "error_description": description });
        (status, axum::Json(body)).into_response()
    };
    let fields = match parse_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string());
        }
    };
    for name in ["grant_type", "client_id", "client_secret"] {
        if fields.get(name).is_none_or(|v| v.is_empty()) {
            let message = FieldsError::Missing(name).to_string();
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &message);
        }
    }
    if fields.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let ttl = app.opts().token_ttl;
    let mut inner = app.lock();
    let id = fields.get("client_id").map(String::as_str).unwrap_or("");
    let secret = fields
        .get("client_secret")
        .map(String::as_str)
        .unwrap_or("");
    if id != creds::NETAHSILAT_CLIENT_ID || secret != creds::NETAHSILAT_CLIENT_SECRET {
        inner.stats.unauthorized += 1;
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let (access_token, _) = inner.creds.issue_token(id, ttl);
    inner.stats.tokens += 1;
    let answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
    });
    (StatusCode::OK, axum::Json(answer)).into_response()
}

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

/// The `[providers.netahsilat]` credentials a person writes for the sandbox: a token
/// call.
pub(crate) fn config() -> ProviderConfig {
    ProviderConfig {
        auth: Some(TokenCallConfig {
            path: TOKEN_PATH.into(),
            client_id: creds::NETAHSILAT_CLIENT_ID.into(),
            client_secret: "env:NETAHSILAT_CLIENT_SECRET".into(),
            grant_type: "client_credentials".into(),
            format: "form".into(),
        }),
        ..ProviderConfig::default()
    }
}

/// The variable [`config`] names, with the sandbox's value.
pub(crate) const ENV: &[(&str, &str)] =
    &[("NETAHSILAT_CLIENT_SECRET", creds::NETAHSILAT_CLIENT_SECRET)];
