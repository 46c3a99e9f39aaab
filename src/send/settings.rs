//! A provider's table from `aktar.toml` turned into what the sender needs, with the
//! secrets read from the environment. Only a sending run does this, so a dry run
//! needs no credentials; every mistake names the key (and the variable), never a value.

use std::fmt;
use std::time::Duration;

use crate::config::ProviderConfig;
use crate::providers::ProviderId;

/// A credential. Its `Debug` hides it, so it cannot leak through a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub provider: ProviderId,
    pub base_url: String,
    pub rate: Rate,
    pub concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub breaker: u32,
    pub auth: AuthSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub n: u32,
    pub per: Duration,
}

#[derive(Debug, Clone)]
pub enum AuthSettings {
    Oduyo {
        api_key: Secret,
        session: Option<Secret>,
        login: Option<Login>,
    },
    Bearer(Secret),
    NetTahsilat {
        token: Option<Secret>,
        call: Option<TokenCall>,
    },
}

#[derive(Debug, Clone)]
pub struct Login {
    pub path: String,
    pub username: String,
    pub password: Secret,
    pub username_field: String,
    pub api_key_field: String,
    pub password_field: String,
}

#[derive(Debug, Clone)]
pub struct TokenCall {
    pub url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub grant_type: String,
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "aktar.toml has no [providers.{provider}] table; sending needs its base_url and credentials"
    )]
    NoProvider { provider: &'static str },
    #[error("[providers.{provider}] needs `{key}`")]
    Missing { provider: &'static str, key: String },
    #[error(
        "[providers.{provider}] `{key}` must be read from the environment: write it as \"env:NAME\""
    )]
    NotEnv { provider: &'static str, key: String },
    #[error(
        "[providers.{provider}] `{key}` reads the environment variable {var}, which is not set"
    )]
    EnvUnset {
        provider: &'static str,
        key: String,
        var: String,
    },
    #[error("[providers.{provider}] `{key}`: {message}")]
    Bad {
        provider: &'static str,
        key: String,
        message: String,
    },
}

/// Reads a provider table's values: secrets only from the environment, every mistake
/// naming the key (never a value).
pub(crate) struct Resolver<'a> {
    pub provider: &'static str,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Resolver<'_> {
    /// A secret: must be `env:NAME`, and NAME must be set.
    pub(crate) fn secret(
        &self,
        key: &str,
        v: Option<&String>,
    ) -> Result<Option<Secret>, SettingsError> {
        let Some(v) = v else { return Ok(None) };
        let Some(var) = v.strip_prefix("env:") else {
            return Err(SettingsError::NotEnv {
                provider: self.provider,
                key: key.into(),
            });
        };
        match (self.env)(var.trim()) {
            Some(val) if !val.is_empty() => Ok(Some(Secret(val))),
            _ => Err(SettingsError::EnvUnset {
                provider: self.provider,
                key: key.into(),
                var: var.trim().into(),
            }),
        }
    }

    pub(crate) fn required_secret(
        &self,
        key: &str,
        v: Option<&String>,
    ) -> Result<Secret, SettingsError> {
        self.secret(key, v)?.ok_or_else(|| SettingsError::Missing {
            provider: self.provider,
            key: key.into(),
        })
    }

    /// A plain value, which may also come from the environment.
    pub(crate) fn plain(&self, key: &str, v: &str) -> Result<String, SettingsError> {
        match v.strip_prefix("env:") {
            Some(_) => Ok(self
                .secret(key, Some(&v.to_string()))?
                .map(|s| s.0)
                .unwrap_or_default()),
            None => Ok(v.to_string()),
        }
    }

    pub(crate) fn bad(&self, key: &str, message: String) -> SettingsError {
        SettingsError::Bad {
            provider: self.provider,
            key: key.into(),
            message,
        }
    }
}

/// Resolves a provider's settings; `env` looks up environment variables.
pub fn resolve(
    id: ProviderId,
    cfg: Option<&ProviderConfig>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, SettingsError> {
    let provider = id.config_name();
    let cfg = cfg.ok_or(SettingsError::NoProvider { provider })?;
    let r = Resolver { provider, env };
    let base_url = cfg
        .base_url
        .as_deref()
        .ok_or_else(|| SettingsError::Missing {
            provider,
            key: "base_url".into(),
        })
        .and_then(|u| r.plain("base_url", u))?;
    let base_url = check_base_url(provider, &base_url)?;
    let rate = match &cfg.rate_limit {
        Some(s) => parse_rate(s).map_err(|m| r.bad("rate_limit", m))?,
        None => Rate {
            n: 10,
            per: Duration::from_secs(1),
        },
    };
    let timeout = match &cfg.timeout {
        Some(s) => parse_duration(s).map_err(|m| r.bad("timeout", m))?,
        None => Duration::from_secs(30),
    };
    let concurrency = cfg.concurrency.unwrap_or(4);
    if concurrency == 0 {
        return Err(r.bad("concurrency", "must be at least 1".into()));
    }
    let auth = id.behaviour().auth_settings(cfg, &r, &base_url)?;
    Ok(Settings {
        provider: id,
        base_url,
        rate,
        concurrency: concurrency as usize,
        timeout,
        retries: cfg.retries.unwrap_or(5),
        breaker: cfg.max_consecutive_failures.unwrap_or(10).max(1),
        auth,
    })
}

/// A provider's `base_url`, ready to have an endpoint's path appended: a scheme, a
/// host and perhaps a path prefix (`https://host/api/v2`), without a trailing `/`.
/// A query string or a fragment would end up in the middle of every request's URL,
/// and `user:password@` would be sent as Basic authentication to the provider: both
/// are mistakes, named without repeating the value (it may hold a password).
pub fn check_base_url(provider: &'static str, raw: &str) -> Result<String, SettingsError> {
    let bad = |message: &str| SettingsError::Bad {
        provider,
        key: "base_url".into(),
        message: message.into(),
    };
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| bad("not a URL; write e.g. https://host or https://host/api/v2"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not hold a user name or password (`user:password@`); credentials go in the provider's own keys",
        ));
    }
    if url.query().is_some() {
        return Err(bad(
            "must not have a query string (`?…`): the endpoint's path is appended to base_url",
        ));
    }
    if url.fragment().is_some() {
        return Err(bad("must not have a fragment (`#…`)"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `10/s`, `600/min`, `2/sec`, `100/m`.
pub fn parse_rate(s: &str) -> Result<Rate, String> {
    let (n, unit) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}`: write n/s or n/min"))?;
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{s}`: the count must be a whole number above 0"))?;
    let per = match unit.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        other => return Err(format!("`{s}`: unknown unit `{other}`; use s or min")),
    };
    Ok(Rate { n, per })
}

/// `30s`, `500ms`, `2m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}`: write e.g. 30s or 500ms"))?;
    let d = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" | "min" => Duration::from_secs(n * 60),
        other => return Err(format!("`{s}`: unknown unit `{other}`; use ms, s or m")),
    };
    if d.is_zero() {
        return Err(format!("`{s}` must be above zero"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "ODUYO_APIKEY" => Some("k-123".into()),
            "ODUYO_SESSION" => Some("s-456".into()),
            _ => None,
        }
    }

    fn cfg(text: &str) -> ProviderConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn resolves_oduyo_with_defaults() {
        let c = cfg(
            "base_url = \"http://127.0.0.1:1/\"\napi_key = \"env:ODUYO_APIKEY\"\nsession = \"env:ODUYO_SESSION\"\nrate_limit = \"600/min\"\n",
        );
        let s = resolve(ProviderId::Oduyo, Some(&c), &env).unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:1");
        assert_eq!(
            s.rate,
            Rate {
                n: 600,
                per: Duration::from_secs(60)
            }
        );
        assert_eq!((s.concurrency, s.retries, s.breaker), (4, 5, 10));
        assert_eq!(s.timeout, Duration::from_secs(30));
        let AuthSettings::Oduyo {
            api_key, session, ..
        } = &s.auth
        else {
            panic!()
        };
        assert_eq!(api_key.expose(), "k-123");
        assert_eq!(session.as_ref().unwrap().expose(), "s-456");
        assert!(
            !format!("{s:?}").contains("k-123"),
            "secrets never show in Debug"
        );
    }

    #[test]
    fn errors_name_the_key_and_variable_but_no_value() {
        let c = cfg(
            "base_url = \"http://x\"\napi_key = \"k-literal\"\nsession = \"env:ODUYO_SESSION\"\n",
        );
        let e = resolve(ProviderId::Oduyo, Some(&c), &env).unwrap_err();
        assert_eq!(
            e.to_string(),
            "[providers.oduyo] `api_key` must be read from the environment: write it as \"env:NAME\""
        );
        assert!(!e.to_string().contains("k-literal"));
        let c = cfg(
            "base_url = \"http://x\"\napi_key = \"env:NOPE\"\nsession = \"env:ODUYO_SESSION\"\n",
        );
        let e = resolve(ProviderId::Oduyo, Some(&c), &env).unwrap_err();
        assert!(
            e.to_string()
                .contains("environment variable NOPE, which is not set")
        );
        let c = cfg("base_url = \"http://x\"\napi_key = \"env:ODUYO_APIKEY\"\n");
        let e = resolve(ProviderId::Oduyo, Some(&c), &env).unwrap_err();
        assert!(
            e.to_string()
                .contains("session (or a [providers.oduyo.login] table)")
        );
        assert!(matches!(
            resolve(ProviderId::NetTahsilat, None, &env),
            Err(SettingsError::NoProvider { .. })
        ));
    }

    #[test]
    fn base_url_takes_a_path_prefix_and_refuses_queries_and_passwords() {
        let ok = |raw: &str| check_base_url("oduyo", raw).unwrap();
        assert_eq!(ok("https://host.example"), "https://host.example");
        assert_eq!(ok("https://host.example/"), "https://host.example");
        assert_eq!(
            ok("https://host.example/api/v2"),
            "https://host.example/api/v2"
        );
        assert_eq!(
            ok(" https://host.example/api/v2// "),
            "https://host.example/api/v2"
        );
        assert_eq!(ok("http://127.0.0.1:8080/x"), "http://127.0.0.1:8080/x");
        for (raw, says) in [
            ("https://host.example/api?key=1", "query string"),
            ("https://host.example/?", "query string"),
            (
                "https://entegrasyon:S3cr3t@host.example",
                "user name or password",
            ),
            ("https://entegrasyon@host.example", "user name or password"),
            ("https://host.example/#x", "fragment"),
            ("ftp://host.example", "http:// or https://"),
            ("host.example/api", "not a URL"),
        ] {
            let e = check_base_url("oduyo", raw).unwrap_err().to_string();
            assert!(e.contains("`base_url`") && e.contains(says), "{raw}: {e}");
            assert!(!e.contains("S3cr3t") && !e.contains("key=1"), "{e}");
        }
    }

    #[test]
    fn rates_and_durations() {
        assert_eq!(
            parse_rate("10/s").unwrap(),
            Rate {
                n: 10,
                per: Duration::from_secs(1)
            }
        );
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("10/h").is_err());
        assert!(parse_rate("10").is_err());
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("fast").is_err());
    }
}
