//! NetTahsilat: vendor customer update (`PUT /vendor/customer/{updateCode}`). Typed JSON:
//! booleans are booleans, `districtCode` an integer, `customerRepresentativeIds` an
//! array; an individual needs a name and TCKN, a company a title, VKN and tax office.

use super::FieldType::*;
use super::{
    AnswerKind, CondRequired, Constraint, Endpoint, Envelope, FieldDef, ItemType, Lit, Method,
    ProviderId, Wire, field,
};
use crate::turkish::checks::Check;

const CUSTOMER_FIELDS: &[FieldDef] = &[
    field(
        "updateCode",
        String,
        true,
        "the customer's code to update (in the path)",
    ),
    field("code", String, true, "customer code"),
    field("erpCode", String, true, "the ERP's customer code"),
    field(
        "isCompany",
        Bool,
        true,
        "true = corporate, false = individual",
    ),
    field("firstName", String, false, "first name (individual)"),
    field("lastName", String, false, "last name (individual)"),
    field("tckn", String, false, "TCKN (individual)").with(Constraint::Check(Check::Tckn)),
    field("companyName", String, false, "company title (corporate)"),
    field("taxNumber", String, false, "VKN (corporate)").with(Constraint::Check(Check::Vkn)),
    field("taxOffice", String, false, "tax office (corporate)"),
    field("email", String, false, "e-mail").with(Constraint::Check(Check::Email)),
    field("phone", String, false, "phone"),
    field("address", String, false, "address"),
    field("cityCode", Integer, false, "city plate code"),
    field("districtCode", Integer, false, "district code"),
    field("isActive", Bool, false, "active"),
    field("allowSms", Bool, false, "SMS allowed"),
    field(
        "customerRepresentativeIds",
        List(ItemType::Integer),
        false,
        "representative ids",
    ),
];

pub static ENDPOINTS: &[Endpoint] = &[Endpoint {
    id: "netahsilat.customer_update",
    provider: ProviderId::NetTahsilat,
    method: Method::Put,
    path: "/vendor/customer/{updateCode}",
    path_field: Some("updateCode"),
    envelope: Envelope::Bare,
    wire: Wire::Native,
    omit_empty: false,
    idempotent: true,
    answer: AnswerKind::NetTahsilatStatus,
    fields: CUSTOMER_FIELDS,
    rules: &[
        CondRequired {
            field: "isCompany",
            equals: Lit::Bool(false),
            then: &["firstName", "lastName", "tckn"],
            label: "isCompany == false",
        },
        CondRequired {
            field: "isCompany",
            equals: Lit::Bool(true),
            then: &["companyName", "taxNumber", "taxOffice"],
            label: "isCompany == true",
        },
    ],
    description: "Update a customer (individual or corporate)",
}];
