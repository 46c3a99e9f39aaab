//! Fatura Entegratör: customer partial update (`PATCH /api/customers/{id}`). Empty cells
//! are left out of the body, so a blank cell never erases what the provider holds.

use super::FieldType::*;
use super::{
    AnswerKind, Constraint, Endpoint, Envelope, FieldDef, Method, ProviderId, Wire, field,
};
use crate::turkish::checks::Check;

const CUSTOMER_FIELDS: &[FieldDef] = &[
    field("id", Integer, true, "customer id (in the path)"),
    field("name", String, false, "title / full name"),
    field("type", String, false, "person or company")
        .with(Constraint::OneOf(&["person", "company"])),
    field(
        "tax_number",
        String,
        false,
        "VKN (10 digits) or TCKN (11 digits)",
    )
    .with(Constraint::Check(Check::VknOrTckn)),
    field("tax_office", String, false, "tax office"),
    field("first_name", String, false, "first name (person)"),
    field("last_name", String, false, "last name (person)"),
    field("email", String, false, "e-mail").with(Constraint::Check(Check::Email)),
    field("phone", String, false, "phone"),
    field("address", String, false, "address"),
    field("district", String, false, "district"),
    field("city", String, false, "city"),
    field("postal_code", String, false, "postal code"),
    field("country", String, false, "country code").with(Constraint::Check(Check::Country)),
    field("iban", String, false, "IBAN").with(Constraint::Check(Check::Iban)),
    field("note", String, false, "note"),
];

pub static ENDPOINTS: &[Endpoint] = &[Endpoint {
    id: "fatura_entegrator.customer_update",
    provider: ProviderId::FaturaEntegrator,
    method: Method::Patch,
    path: "/api/customers/{id}",
    path_field: Some("id"),
    envelope: Envelope::Bare,
    wire: Wire::Native,
    omit_empty: true,
    idempotent: true,
    answer: AnswerKind::Http2xx,
    fields: CUSTOMER_FIELDS,
    rules: &[],
    description: "Partially update a customer; empty cells are left out",
}];
