//! Fatura Entegratör: customer partial update (`PATCH /api/customers/{id}`), described
//! in `endpoints.toml`.
//!
//! Authentication: `Authorization: Bearer <api key>`. Any 2xx is success; a refusal is
//! Laravel's validation answer (422 with `message` and `errors` per field).

pub(crate) mod auth;
pub(crate) mod sandbox;
