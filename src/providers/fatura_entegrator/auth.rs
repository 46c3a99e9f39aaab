//! Fatura Entegratör's credential: an API key sent as `Authorization: Bearer <key>`.

use crate::config::ProviderConfig;
use crate::send::settings::{AuthSettings, Resolver, SettingsError};

/// The credential of `[providers.fatura_entegrator]`: `token`.
pub(crate) fn settings(
    cfg: &ProviderConfig,
    r: &Resolver<'_>,
) -> Result<AuthSettings, SettingsError> {
    Ok(AuthSettings::Bearer(
        r.required_secret("token", cfg.token.as_ref())?,
    ))
}
