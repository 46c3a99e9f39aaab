//! NetTahsilat: vendor customer update (`PUT /vendor/customer/{updateCode}`), described
//! in `endpoints.toml`.
//!
//! Authentication: `Authorization: Bearer <access token>`, a JWT either given or
//! obtained from a configurable token call, renewed before its `exp` passes. Success
//! is `{"status": "success", ...}`.

pub(crate) mod auth;
pub(crate) mod sandbox;
