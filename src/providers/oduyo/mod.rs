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
