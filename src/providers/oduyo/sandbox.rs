//! Ödüyo as the sandbox plays it: the header check of a write, the login call, and
//! the answers in the shapes Ödüyo's pages show.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::config::{LoginConfig, ProviderConfig};
use crate::sandbox::auth::{
    AuthError, Credentials, FieldsError, Presented, bearer, parse_fields, text,
};
use crate::sandbox::creds;
use crate::sandbox::state::App;

/// Where the login call is served.
pub(crate) const LOGIN_PATH: &str = "/api/v1/ws/login";

/// `Apikey` must be the sandbox's key and `Authorization` a live session id issued by
/// the login call.
pub(crate) fn authenticate(
    creds_: &Credentials,
    headers: &HeaderMap,
) -> Result<Presented, AuthError> {
    let key = text(headers, "apikey").ok_or(AuthError::MissingApiKey)?;
    if key != creds::ODUYO_API_KEY {
        return Err(AuthError::BadApiKey);
    }
    let session = text(headers, "authorization").ok_or(AuthError::MissingAuthorization)?;
    if let Some(expires) = creds_.session_expiry(session) {
        return if Instant::now() < expires {
            Ok(Presented::OduyoSession(session.to_owned()))
        } else {
            Err(AuthError::SessionExpired)
        };
    }
    // The most likely mistake of a client written for the other two providers; worth
    // its own message.
    match bearer(session) {
        Some(_) => Err(AuthError::BearerSession),
        None => Err(AuthError::UnknownSession),
    }
}

/// `POST /api/v1/ws/login`: form fields `username`, `oduyo_api_key`, `password`.
pub(crate) async fn login(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match parse_fields(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oduyo_refusal(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let get = |name: &'static str| {
        fields
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or(FieldsError::Missing(name))
    };
    let (username, api_key, password) =
        match (get("username"), get("oduyo_api_key"), get("password")) {
            (Ok(u), Ok(k), Ok(p)) => (u, k, p),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                return oduyo_refusal(StatusCode::BAD_REQUEST, &e.to_string());
            }
        };
    let ttl = app.opts().session_ttl;
    let mut inner = app.lock();
    if username != creds::ODUYO_USERNAME
        || api_key != creds::ODUYO_API_KEY
        || password != creds::ODUYO_PASSWORD
    {
        inner.stats.unauthorized += 1;
        return oduyo_refusal(StatusCode::UNAUTHORIZED, "invalid credentials");
    }
    let session_id = inner.creds.issue_session(ttl);
    inner.stats.logins += 1;
    let answer = json!({
        "status": true,
        "data": { "session_id": session_id, "expires_in": ttl.as_secs() },
    });
    (StatusCode::OK, axum::Json(answer)).into_response()
}

fn oduyo_refusal(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(error_body(message))).into_response()
}

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

/// The `[providers.oduyo]` credentials a person writes for the sandbox: a login.
pub(crate) fn config() -> ProviderConfig {
    ProviderConfig {
        api_key: Some("env:ODUYO_APIKEY".into()),
        login: Some(LoginConfig {
            path: LOGIN_PATH.into(),
            username: creds::ODUYO_USERNAME.into(),
            password: "env:ODUYO_PASSWORD".into(),
            username_field: "username".into(),
            api_key_field: "oduyo_api_key".into(),
            password_field: "password".into(),
        }),
        ..ProviderConfig::default()
    }
}

/// The variables [`config`] names, with the sandbox's values.
pub(crate) const ENV: &[(&str, &str)] = &[
    ("ODUYO_APIKEY", creds::ODUYO_API_KEY),
    ("ODUYO_PASSWORD", creds::ODUYO_PASSWORD),
];
