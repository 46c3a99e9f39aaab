//! NetTahsilat's credential, as a client holds it: a bearer access token, either given
//! in `aktar.toml` or fetched from a token call (OAuth2 client credentials, as a form
//! or as JSON) whose JWT `exp` says when to renew it.

use std::time::Duration;

use serde_json::Value as Json;

use crate::config::ProviderConfig;
use crate::send::auth::{jwt_lifetime, post, provider_message};
use crate::send::settings::{AuthSettings, Resolver, Secret, SettingsError, TokenCall};

/// The credentials of `[providers.netahsilat]`: `token`, or an `[auth]` token call.
pub(crate) fn settings(
    cfg: &ProviderConfig,
    r: &Resolver<'_>,
    base_url: &str,
) -> Result<AuthSettings, SettingsError> {
    let token = r.secret("token", cfg.token.as_ref())?;
    let call = match &cfg.auth {
        Some(a) => Some(TokenCall {
            url: if a.path.starts_with("http://") || a.path.starts_with("https://") {
                // As for base_url: reqwest would send `user:password@` as Basic auth.
                if reqwest::Url::parse(&a.path)
                    .is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
                {
                    return Err(r.bad(
                        "auth.path",
                        "must not hold a user name or password (`user:password@`)".into(),
                    ));
                }
                a.path.clone()
            } else {
                format!("{base_url}{}", a.path)
            },
            client_id: r.plain("auth.client_id", &a.client_id)?,
            client_secret: r.required_secret("auth.client_secret", Some(&a.client_secret))?,
            grant_type: a.grant_type.clone(),
            json: match a.format.as_str() {
                "form" => false,
                "json" => true,
                other => {
                    return Err(r.bad("auth.format", format!("`{other}`: use form or json")));
                }
            },
        }),
        None => None,
    };
    if token.is_none() && call.is_none() {
        return Err(SettingsError::Missing {
            provider: r.provider,
            key: "token (or a [providers.netahsilat.auth] table)".into(),
        });
    }
    Ok(AuthSettings::NetTahsilat { token, call })
}

/// The token call: the access token and how long it lives (from its JWT `exp`, else
/// the answer's `expires_in`), or why not.
pub(crate) async fn token(
    client: &reqwest::Client,
    c: &TokenCall,
) -> Result<(Secret, Option<Duration>), String> {
    let fields = [
        ("grant_type", c.grant_type.as_str()),
        ("client_id", c.client_id.as_str()),
        ("client_secret", c.client_secret.expose()),
    ];
    let req = client.post(&c.url);
    let req = if c.json {
        let body: serde_json::Map<String, Json> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), Json::from(*v)))
            .collect();
        req.json(&body)
    } else {
        req.form(&fields)
    };
    let (status, json) = post(req).await?;
    let token = json
        .as_ref()
        .and_then(|j| {
            j.get("access_token")
                .or_else(|| j.pointer("/data/access_token"))
        })
        .and_then(Json::as_str)
        .filter(|t| !t.is_empty());
    match token {
        Some(t) if (200..300).contains(&status) => {
            let life = jwt_lifetime(t).or_else(|| {
                json.as_ref()
                    .and_then(|j| j.get("expires_in"))
                    .and_then(Json::as_u64)
                    .map(Duration::from_secs)
            });
            Ok((Secret::new(t), life))
        }
        _ => Err(format!(
            "HTTP {status}: {}",
            provider_message(json.as_ref())
        )),
    }
}
