//! `aktar.toml`: providers, journal and reports. Parsed strictly (unknown keys are
//! errors naming the key). Secrets are written as `env:NAME` and only resolved when a
//! run actually sends, so that a dry run needs no credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::problem::Lang;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    pub state: StateConfig,
    #[serde(default)]
    pub report: ReportConfig,
}

/// One provider's table. Which credential keys apply depends on the provider.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub session: Option<String>,
    pub token: Option<String>,
    pub rate_limit: Option<String>,
    pub concurrency: Option<u32>,
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub login: Option<toml::Table>,
    pub auth: Option<toml::Table>,
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
    #[error(
        "{path}: unknown provider table [providers.{name}]; known: oduyo, fatura_entegrator, netahsilat"
    )]
    UnknownProvider { path: String, name: String },
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
        for name in cfg.providers.keys() {
            if !crate::providers::all().any(|e| e.provider.config_name() == name) {
                return Err(ConfigError::UnknownProvider {
                    path: path.display().to_string(),
                    name: name.clone(),
                });
            }
        }
        Ok(cfg)
    }

    pub fn provider(&self, id: crate::providers::ProviderId) -> Option<&ProviderConfig> {
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
