//! Fatura Entegratör: customer partial update (`PATCH /api/customers/{id}`), described
//! in `endpoints.toml`.
//!
//! Authentication: `Authorization: Bearer <api key>`. Any 2xx is success; a refusal is
//! Laravel's validation answer (422 with `message` and `errors` per field).

pub(crate) mod auth;
pub(crate) mod sandbox;

use axum::http::HeaderMap;
use axum::routing::MethodRouter;
use serde_json::Value;

use super::Provider;
use crate::config::ProviderConfig;
use crate::sandbox::auth::{AuthError, Credentials, Presented};
use crate::sandbox::ledger::Applied;
use crate::sandbox::state::App;
use crate::sandbox::validate::Problem;
use crate::send::settings::{AuthSettings, Resolver, SettingsError};

/// Fatura Entegratör's behaviour.
pub(crate) struct FaturaEntegrator;

impl Provider for FaturaEntegrator {
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
        _creds: &Credentials,
        headers: &HeaderMap,
    ) -> Result<Presented, AuthError> {
        sandbox::authenticate(headers)
    }

    fn auth_call(&self) -> Option<(&'static str, MethodRouter<App>)> {
        None
    }

    fn expired(&self) -> AuthError {
        AuthError::TokenExpired
    }

    fn error_body(&self, message: &str) -> Value {
        sandbox::error_body(message)
    }

    fn refused(&self, problems: &[Problem]) -> (u16, Value) {
        let by_field: Vec<(String, String)> = problems
            .iter()
            .map(|p| (p.field().to_owned(), p.to_string()))
            .collect();
        sandbox::refused(&by_field)
    }

    fn not_found(&self) -> Value {
        sandbox::not_found()
    }

    fn answers_with_record(&self) -> bool {
        true
    }

    /// A PATCH is answered with the whole record.
    fn success(&self, applied: &Applied) -> Value {
        match applied {
            Applied::Record(record) => record.clone(),
            Applied::Updated(key) => serde_json::json!({ "id": key }),
            Applied::Created { fields, .. } => Value::Object(fields.clone()),
        }
    }

    fn sandbox_config(&self) -> ProviderConfig {
        sandbox::config()
    }

    fn sandbox_env(&self) -> &'static [(&'static str, &'static str)] {
        sandbox::ENV
    }
}
