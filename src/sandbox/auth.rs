//! Authentication as each provider does it: Ödüyo's `Apikey` header plus a session id
//! from its login call, Fatura Entegratör's static bearer key, NetTahsilat's bearer
//! JWT from an OAuth2 client-credentials token call. Each provider's header check and
//! auth call live with the provider (`crate::providers::<provider>::sandbox`); this
//! module keeps what they share: the credentials issued, and reading the calls' fields.
//!
//! The server remembers every session and token it issued, with its expiry, rather
//! than verifying signatures: that is all a sandbox needs, it lets an injected
//! `expired` fault revoke one credential for real, and it can tell "expired" from
//! "never issued" in its messages. Messages never repeat what the client presented.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::providers::ProviderId;

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
        provider.behaviour().authenticate(self, headers)
    }

    /// Until when a session issued here lives (None: never issued).
    pub fn session_expiry(&self, id: &str) -> Option<Instant> {
        self.sessions.get(id).copied()
    }

    /// Until when a token issued here lives (None: never issued).
    pub fn token_expiry(&self, token: &str) -> Option<Instant> {
        self.tokens.get(token).copied()
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

pub(crate) fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// The token of `Bearer <token>` (the scheme is case-insensitive, as in RFC 7235).
pub(crate) fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum FieldsError {
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
pub(crate) fn parse_fields(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, FieldsError> {
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
