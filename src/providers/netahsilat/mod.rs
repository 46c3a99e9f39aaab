//! NetTahsilat: vendor customer update (`PUT /vendor/customer/{updateCode}`), described
//! in `endpoints.toml`.
//!
//! Authentication: `Authorization: Bearer <access token>`, a JWT either given or
//! obtained from a configurable token call, renewed before its `exp` passes. Success
//! is `{"status": "success", ...}`.

pub(crate) mod auth;
pub(crate) mod sandbox;

use axum::http::HeaderMap;
use axum::routing::{MethodRouter, post};
use serde_json::Value;

use super::Provider;
use crate::config::ProviderConfig;
use crate::sandbox::auth::{AuthError, Credentials, Presented};
use crate::sandbox::ledger::Applied;
use crate::sandbox::state::App;
use crate::sandbox::validate::Problem;
use crate::send::settings::{AuthSettings, Resolver, SettingsError};

/// NetTahsilat's behaviour.
pub(crate) struct NetTahsilat;

impl Provider for NetTahsilat {
    fn auth_settings(
        &self,
        cfg: &ProviderConfig,
        r: &Resolver<'_>,
        base_url: &str,
    ) -> Result<AuthSettings, SettingsError> {
        auth::settings(cfg, r, base_url)
    }

    fn authenticate(
        &self,
        creds: &Credentials,
        headers: &HeaderMap,
    ) -> Result<Presented, AuthError> {
        sandbox::authenticate(creds, headers)
    }

    fn auth_call(&self) -> Option<(&'static str, MethodRouter<App>)> {
        Some((sandbox::TOKEN_PATH, post(sandbox::token)))
    }

    fn expired(&self) -> AuthError {
        AuthError::TokenExpired
    }

    fn error_body(&self, message: &str) -> Value {
        sandbox::error_body(message)
    }

    fn refused(&self, problems: &[Problem]) -> (u16, Value) {
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        sandbox::refused(&messages)
    }

    fn not_found(&self) -> Value {
        sandbox::not_found()
    }

    fn success(&self, applied: &Applied) -> Value {
        match applied {
            Applied::Record(record) => record.clone(),
            Applied::Updated(_) | Applied::Created { .. } => sandbox::updated(),
        }
    }

    fn sandbox_config(&self) -> ProviderConfig {
        sandbox::config()
    }

    fn sandbox_env(&self) -> &'static [(&'static str, &'static str)] {
        sandbox::ENV
    }
}
