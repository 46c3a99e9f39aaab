//! Authentication as each provider does it: Ödüyo's `Apikey` header plus a session id
//! from its login call, Fatura Entegratör's static bearer key, NetTahsilat's bearer
//! JWT from an OAuth2 client-credentials token call.
//!
//! The server remembers every session and token it issued, with its expiry, rather
//! than verifying signatures: that is all a sandbox needs, it lets an injected
//! `expired` fault revoke one credential for real, and it can tell "expired" from
//! "never issued" in its messages. Messages never repeat what the client presented.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::creds;
use super::state::App;
use crate::providers::ProviderId;

pub(crate) const ODUYO_LOGIN_PATH: &str = "/api/v1/ws/login";
pub(crate) const TOKEN_PATH: &str = "/token";

/// Past this many remembered credentials, expired ones are forgotten, so a client
/// that logs in for every request cannot grow the sandbox without bound.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AuthError {
    #[error("missing Apikey header")]
    MissingApiKey,
    #[error("invalid api key")]
    BadApiKey,
    #[error("missing Authorization header")]
    MissingAuthorization,
    #[error("the Authorization header must be the session id alone, without \"Bearer\"")]
    BearerSession,
    #[error("invalid session")]
    UnknownSession,
    #[error("session expired")]
    SessionExpired,
    #[error("the Authorization header must be \"Bearer <token>\"")]
    NotBearer,
    #[error("invalid token")]
    UnknownToken,
    #[error("token expired")]
    TokenExpired,
}

/// The credential a request was let in with: what an `expired` fault revokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presented {
    OduyoSession(String),
    /// A static key cannot expire; the fault only answers as if it had.
    FeKey,
    NetTahsilatToken(String),
}

pub(crate) struct Credentials {
    sessions: HashMap<String, Instant>,
    tokens: HashMap<String, Instant>,
    issued: u64,
    /// Derived from the seed: ids and signatures are reproducible per seed.
    key: [u8; 32],
}

impl Credentials {
    pub fn new(seed: u64) -> Credentials {
        Credentials {
            sessions: HashMap::new(),
            tokens: HashMap::new(),
            issued: 0,
            key: blake3::derive_key("aktar sandbox credentials v1", &seed.to_le_bytes()),
        }
    }

    pub fn insert_session(&mut self, id: String, expires: Instant) {
        prune(&mut self.sessions);
        self.sessions.insert(id, expires);
    }

    pub fn issue_session(&mut self, ttl: Duration) -> String {
        let id = format!("sess-{}", self.fresh("session"));
        self.insert_session(id.clone(), Instant::now() + ttl);
        id
    }

    /// A JWT for `sub` and its `exp` claim (unix seconds, rounded down, so a client
    /// that renews before `exp` never holds a token the server thinks is expired).
    pub fn issue_token(&mut self, sub: &str, ttl: Duration) -> (String, u64) {
        let exp = unix_now() + ttl.as_secs();
        let jti = self.fresh("token");
        // `alg` says HS256 because JWT decoders know it; the signature is a keyed
        // blake3 of the same length, which no client can check anyway (it never holds
        // the provider's key), so the difference is invisible to one.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = json!({ "sub": sub, "iat": unix_now(), "exp": exp, "jti": jti });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = blake3::keyed_hash(&self.key, signing_input.as_bytes());
        let token = format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_bytes())
        );
        prune(&mut self.tokens);
        self.tokens.insert(token.clone(), Instant::now() + ttl);
        (token, exp)
    }

    /// Makes a credential expire now (the `expired` fault).
    pub fn expire(&mut self, presented: &Presented) {
        let now = Instant::now();
        match presented {
            Presented::OduyoSession(id) => {
                if let Some(exp) = self.sessions.get_mut(id) {
                    *exp = now;
                }
            }
            Presented::NetTahsilatToken(t) => {
                if let Some(exp) = self.tokens.get_mut(t) {
                    *exp = now;
                }
            }
            Presented::FeKey => {}
        }
    }

    /// Checks a write request's headers as `provider` would.
    pub fn authenticate(
        &self,
        provider: ProviderId,
        headers: &HeaderMap,
    ) -> Result<Presented, AuthError> {
        let now = Instant::now();
        match provider {
            ProviderId::Oduyo => {
                let key = text(headers, "apikey").ok_or(AuthError::MissingApiKey)?;
                if key != creds::ODUYO_API_KEY {
                    return Err(AuthError::BadApiKey);
                }
                let session =
                    text(headers, "authorization").ok_or(AuthError::MissingAuthorization)?;
                if let Some(expires) = self.sessions.get(session) {
                    return if now < *expires {
                        Ok(Presented::OduyoSession(session.to_owned()))
                    } else {
                        Err(AuthError::SessionExpired)
                    };
                }
                // The most likely mistake of a client written for the other two
                // providers; worth its own message.
                match bearer(session) {
                    Some(_) => Err(AuthError::BearerSession),
                    None => Err(AuthError::UnknownSession),
                }
            }
            ProviderId::FaturaEntegrator => {
                let value =
                    text(headers, "authorization").ok_or(AuthError::MissingAuthorization)?;
                match bearer(value) {
                    Some(key) if key == creds::FE_API_KEY => Ok(Presented::FeKey),
                    Some(_) => Err(AuthError::BadApiKey),
                    None => Err(AuthError::NotBearer),
                }
            }
            ProviderId::NetTahsilat => {
                let value =
                    text(headers, "authorization").ok_or(AuthError::MissingAuthorization)?;
                let token = bearer(value).ok_or(AuthError::NotBearer)?;
                match self.tokens.get(token) {
                    Some(expires) if now < *expires => {
                        Ok(Presented::NetTahsilatToken(token.to_owned()))
                    }
                    Some(_) => Err(AuthError::TokenExpired),
                    None => Err(AuthError::UnknownToken),
                }
            }
        }
    }

    fn fresh(&mut self, label: &str) -> String {
        self.issued += 1;
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(label.as_bytes());
        h.update(&self.issued.to_le_bytes());
        h.finalize().to_hex()[..32].to_owned()
    }
}

fn prune(map: &mut HashMap<String, Instant>) {
    if map.len() >= PRUNE_AT {
        let now = Instant::now();
        map.retain(|_, expires| *expires > now);
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// The token of `Bearer <token>` (the scheme is case-insensitive, as in RFC 7235).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
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
    let body = json!({ "status": false, "message": message });
    (status, axum::Json(body)).into_response()
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

#[derive(Debug, thiserror::Error)]
enum FieldsError {
    #[error("the body is not valid JSON")]
    Json,
    #[error("the body is not a valid form")]
    Form,
    #[error("field {0} must be a string")]
    NotString(String),
    #[error("missing field: {0}")]
    Missing(&'static str),
}

/// A form body, or a JSON object of strings when the request says it is JSON.
fn parse_fields(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, FieldsError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if is_json {
        let value: Value = serde_json::from_slice(body).map_err(|_| FieldsError::Json)?;
        let Value::Object(map) = value else {
            return Err(FieldsError::Json);
        };
        map.into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                _ => Err(FieldsError::NotString(k)),
            })
            .collect()
    } else {
        let text = std::str::from_utf8(body).map_err(|_| FieldsError::Form)?;
        text.split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                Ok((form_decode(k)?, form_decode(v)?))
            })
            .collect()
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, then percent escapes.
fn form_decode(s: &str) -> Result<String, FieldsError> {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| FieldsError::Form)
}
