//! Credentials shared by every request of a run: Ödüyo's session (given, or obtained by
//! logging in; renewed before it lapses and on a 401), Fatura Entegratör's key, and
//! NetTahsilat's bearer token (given, or fetched from the token call; renewed before
//! its JWT `exp` and on a 401). The calls that obtain a credential live with
//! their provider (`crate::providers::oduyo::auth`, `…::netahsilat::auth`); this
//! module keeps what they share.
//!
//! One mutex guards the credential, so a renewal happens once however many requests
//! are in flight: the others wait for it. Each credential has a generation number; a
//! 401 renews only if the credential that got it is still the current one.
//!
//! A credential is shared, so a 401 does not say whose doing it was: a session the
//! provider revokes (an expiry it noticed on one request) meets every request in
//! flight, and one that has just renewed meets it as well as the others, even on the
//! session its own renewal obtained. A 401 on a credential another request has
//! renewed since is simply tried again with the new one; a 401 on the current one
//! renews it. What shows that the provider refuses the credentials themselves is a run
//! of renewals none of which it accepts: the credential is renewed at most
//! [`MAX_UNPROVEN_RENEWALS`] times past the newest one the provider accepted a request
//! with, and a fixed key is tried once more, then stops the run unless the provider
//! has accepted it from another request. Whatever the 401s meant, one request meets at
//! most [`MAX_REFUSALS`] of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value as Json;
use tokio::sync::Mutex;

use super::redact::Redactor;
use super::settings::{AuthSettings, Login, Secret, TokenCall};
use crate::providers::{netahsilat, oduyo};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("login refused: {0}")]
    Login(String),
    #[error("token call refused: {0}")]
    Token(String),
    #[error("authentication refused ({0}) and no way to renew the credential is configured")]
    Refused(String),
    #[error("authentication refused again after renewing or retrying the credential: {0}")]
    StillRefused(String),
}

/// The most 401s one request meets before it stops the run, whatever they meant.
pub const MAX_REFUSALS: u32 = 10;

/// How many times in a row the credential may be renewed past the newest one the
/// provider accepted a request with; one more 401 then stops the run. Under faults a
/// fresh session is now and then revoked before any request has been accepted with
/// it, but not five times in a row; a provider that refuses every session it hands
/// out stops the run after as many logins.
pub const MAX_UNPROVEN_RENEWALS: u64 = 5;

/// One request's 401s so far.
#[derive(Debug, Default)]
pub struct Refusals {
    count: u32,
}

/// The headers one request carries, and the credential generation they came from.
pub struct AuthHeaders {
    pub headers: Vec<(&'static str, String)>,
    pub generation: u64,
}

struct Current {
    value: Secret,
    /// When to renew before using it again (None: never expires as far as we know).
    renew_at: Option<Instant>,
    generation: u64,
}

pub struct Auth {
    settings: AuthSettings,
    base_url: String,
    client: reqwest::Client,
    current: Mutex<Option<Current>>,
    /// The newest generation the provider accepted a request with (0: none yet).
    accepted: AtomicU64,
    /// Learns each credential obtained, so that a provider echoing it is masked.
    redactor: Arc<Redactor>,
}

impl Auth {
    pub fn new(
        settings: AuthSettings,
        base_url: &str,
        client: reqwest::Client,
        redactor: Arc<Redactor>,
    ) -> Auth {
        let now = Instant::now();
        let current = match &settings {
            AuthSettings::Oduyo {
                session: Some(s),
                login,
                ..
            } => Some(Current {
                value: s.clone(),
                // A given session is renewed only if a login is configured, and then
                // before an hour from now has passed.
                renew_at: login
                    .as_ref()
                    .map(|_| now + renew_after(oduyo::auth::SESSION_LIFE)),
                generation: 1,
            }),
            AuthSettings::Bearer(s) => Some(Current {
                value: s.clone(),
                renew_at: None,
                generation: 1,
            }),
            AuthSettings::NetTahsilat {
                token: Some(t),
                call,
            } => Some(Current {
                value: t.clone(),
                renew_at: call
                    .as_ref()
                    .and_then(|_| jwt_lifetime(t.expose()))
                    .map(|left| now + renew_after(left)),
                generation: 1,
            }),
            _ => None,
        };
        Auth {
            settings,
            base_url: base_url.to_string(),
            client,
            current: Mutex::new(current),
            accepted: AtomicU64::new(0),
            redactor,
        }
    }

    /// The headers for the next request, logging in or fetching a token first when
    /// there is no live credential.
    pub async fn headers(&self) -> Result<AuthHeaders, AuthError> {
        let mut cur = self.current.lock().await;
        let stale = match &*cur {
            None => true,
            Some(c) => c.renew_at.is_some_and(|t| Instant::now() >= t),
        };
        if stale {
            let generation = cur.as_ref().map_or(1, |c| c.generation + 1);
            *cur = Some(self.obtain(generation).await?);
        }
        let Some(c) = cur.as_ref() else {
            return Err(AuthError::Refused("no credential".into()));
        };
        Ok(AuthHeaders {
            headers: self.header_values(&c.value),
            generation: c.generation,
        })
    }

    /// After a 401 on `generation`: renew the credential that got it (once, however
    /// many requests saw the same 401), or take the one another request has renewed
    /// since; an error when the provider refuses the credentials themselves (see the
    /// module's documentation), `message` being its words.
    pub async fn refused(
        &self,
        generation: u64,
        seen: &mut Refusals,
        message: &str,
    ) -> Result<(), AuthError> {
        let refused = || AuthError::StillRefused(message.to_string());
        seen.count += 1;
        if seen.count > MAX_REFUSALS {
            return Err(refused());
        }
        let mut cur = self.current.lock().await;
        if cur.as_ref().is_some_and(|c| c.generation != generation) {
            // Another request has renewed since: this one is tried with that credential.
            return Ok(());
        }
        let accepted = self.accepted.load(Ordering::SeqCst);
        if !self.renewable() {
            // A fixed key cannot be renewed: the request is tried once more with it (a
            // provider may refuse a good key once), and a second 401 stops the run
            // unless the provider has accepted the key from another request.
            return if seen.count > 1 && accepted < generation {
                Err(refused())
            } else {
                Ok(())
            };
        }
        if generation.saturating_sub(accepted) >= MAX_UNPROVEN_RENEWALS {
            return Err(refused());
        }
        *cur = Some(self.obtain(generation + 1).await?);
        Ok(())
    }

    /// The provider accepted a request carrying the credential of `generation`.
    pub fn accepted(&self, generation: u64) {
        self.accepted.fetch_max(generation, Ordering::SeqCst);
    }

    fn renewable(&self) -> bool {
        matches!(
            &self.settings,
            AuthSettings::Oduyo { login: Some(_), .. }
                | AuthSettings::NetTahsilat { call: Some(_), .. }
        )
    }

    fn header_values(&self, value: &Secret) -> Vec<(&'static str, String)> {
        match &self.settings {
            AuthSettings::Oduyo { api_key, .. } => vec![
                ("Apikey", api_key.expose().to_string()),
                ("Authorization", value.expose().to_string()),
            ],
            AuthSettings::Bearer(_) | AuthSettings::NetTahsilat { .. } => vec![
                ("Authorization", format!("Bearer {}", value.expose())),
                ("Accept", "application/json".to_string()),
            ],
        }
    }

    async fn obtain(&self, generation: u64) -> Result<Current, AuthError> {
        match &self.settings {
            AuthSettings::Oduyo {
                api_key,
                login: Some(l),
                ..
            } => self.login(api_key, l, generation).await,
            AuthSettings::NetTahsilat { call: Some(c), .. } => self.token(c, generation).await,
            _ => Err(AuthError::Refused(
                "the given credential was not accepted".into(),
            )),
        }
    }

    async fn login(
        &self,
        api_key: &Secret,
        l: &Login,
        generation: u64,
    ) -> Result<Current, AuthError> {
        let (value, life) = oduyo::auth::login(&self.client, &self.base_url, api_key, l)
            .await
            .map_err(AuthError::Login)?;
        self.redactor.add(&value);
        Ok(Current {
            value,
            renew_at: Some(Instant::now() + renew_after(life)),
            generation,
        })
    }

    async fn token(&self, c: &TokenCall, generation: u64) -> Result<Current, AuthError> {
        let (value, life) = netahsilat::auth::token(&self.client, c)
            .await
            .map_err(AuthError::Token)?;
        self.redactor.add(&value);
        Ok(Current {
            value,
            renew_at: life.map(|l| Instant::now() + renew_after(l)),
            generation,
        })
    }
}

/// Sends a credential call; its status and JSON answer, or what went wrong in words.
pub(crate) async fn post(req: reqwest::RequestBuilder) -> Result<(u16, Option<Json>), String> {
    let resp = req
        .send()
        .await
        .map_err(|e| super::classify::describe_error(&e))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| super::classify::describe_error(&e))?;
    Ok((status, serde_json::from_slice(&body).ok()))
}

/// The reason a provider gives in a refusal.
pub(crate) fn provider_message(json: Option<&Json>) -> String {
    json.and_then(|j| j.get("message").or_else(|| j.get("error")))
        .and_then(Json::as_str)
        .unwrap_or("no reason given")
        .to_string()
}

/// Renew a little before the end: a tenth of the lifetime early, at most a minute.
fn renew_after(life: Duration) -> Duration {
    life.saturating_sub((life / 10).min(Duration::from_secs(60)))
}

/// Time left until a JWT's `exp` claim (zero if it has passed), or None if the token
/// is not a JWT with an `exp`.
pub fn jwt_lifetime(token: &str) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let exp = serde_json::from_slice::<Json>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()?;
    // In milliseconds: `exp` is whole seconds, and counting from a whole second would
    // make a short-lived token look up to a second younger than it is.
    let left = exp.saturating_mul(1000) - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(left.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(exp: i64) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            e.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            e.encode(format!(r#"{{"exp":{exp},"sub":"x"}}"#)),
            e.encode(b"sig")
        )
    }

    #[test]
    fn reads_the_exp_claim() {
        let now = chrono::Utc::now().timestamp();
        let exp_ms = (now + 600) * 1000;
        let token = jwt(now + 600);
        let before = chrono::Utc::now().timestamp_millis();
        let left = jwt_lifetime(&token).unwrap().as_millis() as i64;
        let after = chrono::Utc::now().timestamp_millis();
        // To the millisecond, as the clock read it between the two readings around.
        assert!(
            (exp_ms - after..=exp_ms - before).contains(&left),
            "{left} ms left, between {} and {}",
            exp_ms - after,
            exp_ms - before
        );
        assert_eq!(jwt_lifetime(&jwt(now - 5)), Some(Duration::ZERO));
        assert_eq!(jwt_lifetime("opaque-token"), None);
    }

    #[test]
    fn renews_before_the_end() {
        assert_eq!(
            renew_after(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(renew_after(Duration::from_secs(10)), Duration::from_secs(9));
    }
}
