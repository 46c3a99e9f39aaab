//! The sandbox's credentials. They are fixed (not drawn at start) so that a config
//! written once for rehearsals keeps working across restarts, and they are printed by
//! `aktar sandbox` and documented: they protect nothing but a local test server.

/// Ödüyo's `Apikey` header, also the `oduyo_api_key` login field.
pub const ODUYO_API_KEY: &str = "sandbox-oduyo-apikey";
/// The Ödüyo login's `username`.
pub const ODUYO_USERNAME: &str = "aktar";
/// The Ödüyo login's `password`.
pub const ODUYO_PASSWORD: &str = "sandbox-oduyo-password";
/// A session id issued at start, valid for `session_ttl` from then (for
/// configurations that give a session instead of a login table).
pub const ODUYO_SESSION: &str = "sandbox-oduyo-session";
/// Fatura Entegratör's API key (`Authorization: Bearer ...`).
pub const FE_API_KEY: &str = "sandbox-fe-api-key";
/// NetTahsilat's token call: `client_id`.
pub const NETAHSILAT_CLIENT_ID: &str = "aktar";
/// NetTahsilat's token call: `client_secret`.
pub const NETAHSILAT_CLIENT_SECRET: &str = "sandbox-netahsilat-secret";
