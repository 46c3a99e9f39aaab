//! `aktar.toml`: providers, journal and reports. Parsed strictly (unknown keys are
//! errors naming the key). Secrets are written as `env:NAME` and only resolved when a
//! run actually sends, so that a dry run needs no credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::problem::Lang;
use crate::providers::{ProviderId, Registry};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    pub state: StateConfig,
    #[serde(default)]
    pub report: ReportConfig,
    #[serde(default)]
    pub endpoints: EndpointsConfig,
    /// Reports by e-mail (`[notify.email]`); a job file's own table wins.
    #[serde(default)]
    pub notify: crate::notify::NotifyConfig,
    /// The folder of the configuration file: relative paths in it are relative to this
    /// folder, never to the shell's current one. Empty when there is no file.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// Endpoint files of the user's own, for the same providers: paths or glob patterns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointsConfig {
    #[serde(default)]
    pub files: Vec<String>,
}

/// One provider's table. Which credential keys apply depends on the provider:
/// Ödüyo takes `api_key` plus `session` or a `[login]` table, Fatura Entegratör
/// `token`, NetTahsilat `token` or an `[auth]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub base_url: Option<String>,
    /// Ödüyo's `Apikey` header (`env:NAME`).
    pub api_key: Option<String>,
    /// Ödüyo's session id, when it is given rather than obtained by logging in.
    pub session: Option<String>,
    /// The bearer token (Fatura Entegratör's API key, NetTahsilat's access token).
    pub token: Option<String>,
    /// `n/s` or `n/min` (default 10/s).
    pub rate_limit: Option<String>,
    /// Requests in flight (default 4).
    pub concurrency: Option<u32>,
    /// Per request, e.g. `30s`, `500ms` (default 30s).
    pub timeout: Option<String>,
    /// Retries of a transient failure (default 5).
    pub retries: Option<u32>,
    /// Consecutive transient failures after which the run stops (default 10).
    pub max_consecutive_failures: Option<u32>,
    pub login: Option<LoginConfig>,
    pub auth: Option<TokenCallConfig>,
}

/// Ödüyo's login call: a form POST that answers with a session id.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginConfig {
    #[serde(default = "default_login_path")]
    pub path: String,
    pub username: String,
    /// `env:NAME`.
    pub password: String,
    #[serde(default = "default_username_field")]
    pub username_field: String,
    #[serde(default = "default_api_key_field")]
    pub api_key_field: String,
    #[serde(default = "default_password_field")]
    pub password_field: String,
}

fn default_login_path() -> String {
    "/api/v1/ws/login".into()
}
fn default_username_field() -> String {
    "username".into()
}
fn default_api_key_field() -> String {
    "oduyo_api_key".into()
}
fn default_password_field() -> String {
    "password".into()
}

/// NetTahsilat's token call (OAuth2 client credentials): answers with a JWT whose
/// `exp` claim says when to renew it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCallConfig {
    /// A path under `base_url`, or a full URL.
    #[serde(default = "default_token_path")]
    pub path: String,
    pub client_id: String,
    /// `env:NAME`.
    pub client_secret: String,
    #[serde(default = "default_grant_type")]
    pub grant_type: String,
    /// `form` (default) or `json`.
    #[serde(default = "default_token_format")]
    pub format: String,
}

fn default_token_path() -> String {
    "/token".into()
}
fn default_grant_type() -> String {
    "client_credentials".into()
}
fn default_token_format() -> String {
    "form".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateConfig {
    #[serde(default = "default_state_path")]
    pub path: PathBuf,
}

impl Default for StateConfig {
    fn default() -> Self {
        StateConfig {
            path: default_state_path(),
        }
    }
}

fn default_state_path() -> PathBuf {
    PathBuf::from(".aktar/state.db")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    #[serde(default = "default_report_dir")]
    pub dir: PathBuf,
    #[serde(default)]
    pub lang: Lang,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            dir: default_report_dir(),
            lang: Lang::Tr,
        }
    }
}

fn default_report_dir() -> PathBuf {
    PathBuf::from("reports")
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: unknown provider table [providers.{name}]; known: {known}")]
    UnknownProvider {
        path: String,
        name: String,
        known: String,
    },
    #[error("{0}")]
    Endpoints(#[from] crate::providers::EndpointErrors),
}

impl Config {
    /// `--config PATH` if given (it must exist), else `./aktar.toml` if it exists, else
    /// the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from("aktar.toml");
                if !p.exists() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let (line, column) =
                crate::mapping::compile::line_col(text, e.span().map(|s| s.start).unwrap_or(0));
            ConfigError::Parse {
                path: path.display().to_string(),
                line,
                column,
                message: e.message().trim_end().to_string(),
            }
        })?;
        let mut cfg = cfg;
        for name in cfg.providers.keys() {
            if ProviderId::from_name(name).is_none() {
                return Err(ConfigError::UnknownProvider {
                    path: path.display().to_string(),
                    name: name.clone(),
                    known: ProviderId::names(),
                });
            }
        }
        cfg.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        cfg.state.path = cfg.dir.join(&cfg.state.path);
        cfg.report.dir = cfg.dir.join(&cfg.report.dir);
        Ok(cfg)
    }

    /// The endpoints a run with this configuration knows: the built-in ones and those
    /// of `[endpoints] files`.
    pub fn registry(&self) -> Result<Registry, ConfigError> {
        if self.endpoints.files.is_empty() {
            return Ok(Registry::builtin().clone());
        }
        Ok(Registry::with_files(&self.endpoints.files, &self.dir)?)
    }

    pub fn provider(&self, id: ProviderId) -> Option<&ProviderConfig> {
        self.providers.get(id.config_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let text = r#"
[providers.oduyo]
base_url    = "https://www.siteadi.com"
api_key     = "env:ODUYO_APIKEY"
session     = "env:ODUYO_SESSION"
rate_limit  = "10/s"
concurrency = 4
timeout     = "30s"
retries     = 5

[providers.fatura_entegrator]
base_url = "https://app.faturaentegrator.com"
token    = "env:FE_API_KEY"

[state]
path = ".aktar/state.db"

[report]
dir  = "reports"
lang = "en"
"#;
        let c = Config::parse(Path::new("aktar.toml"), text).unwrap();
        assert_eq!(c.report.lang, Lang::En);
        assert_eq!(
            c.provider(crate::providers::ProviderId::Oduyo)
                .unwrap()
                .concurrency,
            Some(4)
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = Config::parse(Path::new("a.toml"), "[report]\ndirr = \"x\"\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("a.toml:2:1"), "{msg}");
        assert!(msg.contains("dirr"), "{msg}");
        let e = Config::parse(Path::new("a.toml"), "[providers.paypal]\n").unwrap_err();
        assert!(e.to_string().contains("paypal"));
    }
}
