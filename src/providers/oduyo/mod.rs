//! Ödüyo: customer (cari) update, kasa card update and customer transaction (cari
//! hareket) create, described in `endpoints.toml`.
//!
//! Authentication: the `Apikey` header and an `Authorization` header holding a session
//! id from the login call (`POST /api/v1/ws/login`, form fields `username`,
//! `oduyo_api_key`, `password`), which lasts 60 minutes (`crate::send::auth` renews it,
//! the sandbox issues it). Answers: `{"status": true, "data": ...}` on success,
//! `{"status": false}` or `{}` on refusal.

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

/// Ödüyo's behaviour.
pub(crate) struct Oduyo;

impl Provider for Oduyo {
    fn auth_settings(
        &self,
        cfg: &ProviderConfig,
        r: &Resolver<'_>,
        _base_url: &str,
    ) -> Result<AuthSettings, SettingsError> {
        auth::settings(cfg, r)
    }

    fn authenticate(
        &self,
        creds: &Credentials,
        headers: &HeaderMap,
    ) -> Result<Presented, AuthError> {
        sandbox::authenticate(creds, headers)
    }

    fn auth_call(&self) -> Option<(&'static str, MethodRouter<App>)> {
        Some((sandbox::LOGIN_PATH, post(sandbox::login)))
    }

    fn expired(&self) -> AuthError {
        AuthError::SessionExpired
    }

    fn error_body(&self, message: &str) -> Value {
        sandbox::error_body(message)
    }

    fn refused(&self, _problems: &[Problem]) -> (u16, Value) {
        sandbox::refused()
    }

    fn not_found(&self) -> Value {
        sandbox::not_found()
    }

    fn success(&self, applied: &Applied) -> Value {
        match applied {
            Applied::Updated(key) => sandbox::updated(key),
            Applied::Created { fields, number } => sandbox::created(fields, *number),
            Applied::Record(record) => record.clone(),
        }
    }

    fn sandbox_config(&self) -> ProviderConfig {
        sandbox::config()
    }

    fn sandbox_env(&self) -> &'static [(&'static str, &'static str)] {
        sandbox::ENV
    }
}
