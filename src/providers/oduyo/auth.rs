//! Ödüyo's credentials, as a client holds them: the `Apikey` header plus a session id,
//! either given in `aktar.toml` or obtained from the login call (a form POST that
//! answers with the session and, sometimes, how long it lives).

use std::time::Duration;

use serde_json::Value as Json;

use crate::config::ProviderConfig;
use crate::send::auth::{post, provider_message};
use crate::send::settings::{AuthSettings, Login, Resolver, Secret, SettingsError};

/// A session lasts 60 minutes unless the login answer says otherwise.
pub(crate) const SESSION_LIFE: Duration = Duration::from_secs(60 * 60);

/// The credentials of `[providers.oduyo]`: `api_key`, and `session` or a `[login]`.
pub(crate) fn settings(
    cfg: &ProviderConfig,
    r: &Resolver<'_>,
) -> Result<AuthSettings, SettingsError> {
    let api_key = r.required_secret("api_key", cfg.api_key.as_ref())?;
    let session = r.secret("session", cfg.session.as_ref())?;
    let login = match &cfg.login {
        Some(l) => Some(Login {
            path: l.path.clone(),
            username: r.plain("login.username", &l.username)?,
            password: r.required_secret("login.password", Some(&l.password))?,
            username_field: l.username_field.clone(),
            api_key_field: l.api_key_field.clone(),
            password_field: l.password_field.clone(),
        }),
        None => None,
    };
    if session.is_none() && login.is_none() {
        return Err(SettingsError::Missing {
            provider: r.provider,
            key: "session (or a [providers.oduyo.login] table)".into(),
        });
    }
    Ok(AuthSettings::Oduyo {
        api_key,
        session,
        login,
    })
}

/// The login call: the session id and how long it lives, or why not.
pub(crate) async fn login(
    client: &reqwest::Client,
    base_url: &str,
    api_key: &Secret,
    l: &Login,
) -> Result<(Secret, Duration), String> {
    let url = format!("{base_url}{}", l.path);
    let form = [
        (l.username_field.as_str(), l.username.as_str()),
        (l.api_key_field.as_str(), api_key.expose()),
        (l.password_field.as_str(), l.password.expose()),
    ];
    let (status, json) = post(client.post(&url).form(&form)).await?;
    let session = json
        .as_ref()
        .filter(|j| j.get("status") != Some(&Json::Bool(false)))
        .and_then(|j| {
            [
                j.pointer("/data/session_id"),
                j.pointer("/session_id"),
                j.pointer("/data/session"),
                j.pointer("/session"),
                j.pointer("/data"),
            ]
            .into_iter()
            .flatten()
            .find_map(|v| v.as_str().map(str::to_string))
        });
    match session {
        Some(s) if (200..300).contains(&status) && !s.is_empty() => {
            let life = json
                .as_ref()
                .and_then(|j| {
                    j.pointer("/data/expires_in")
                        .or_else(|| j.pointer("/expires_in"))
                })
                .and_then(Json::as_u64)
                .map_or(SESSION_LIFE, Duration::from_secs);
            Ok((Secret::new(s), life))
        }
        _ => Err(format!(
            "HTTP {status}: {}",
            provider_message(json.as_ref())
        )),
    }
}
