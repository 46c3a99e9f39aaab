//! Ödüyo: customer (cari) update, cash voucher (kasa fişi) update and customer
//! transaction (cari hareket) create. Bodies are `{"column": {...}}` with every value a
//! string, as in the provider's own examples; success is `{"status": true}`.

use super::FieldType::*;
use super::{
    AnswerKind, Constraint, Endpoint, Envelope, FieldDef, Method, ProviderId, Wire, field,
};
use crate::turkish::checks::Check;

const CUSTOMER_FIELDS: &[FieldDef] = &[
    field("id", Integer, true, "Ödüyo customer id"),
    field("code", String, false, "customer (cari) code"),
    field("name", String, false, "title / full name"),
    field(
        "customer_type_1",
        String,
        false,
        "1 = individual (şahıs), 2 = company (kurum)",
    )
    .with(Constraint::OneOf(&["1", "2"])),
    field("tax_number", String, false, "VKN").with(Constraint::Check(Check::Vkn)),
    field("tax_office", String, false, "tax office (vergi dairesi)"),
    field("tc_number", String, false, "TCKN").with(Constraint::Check(Check::Tckn)),
    field("telephone", String, false, "telephone"),
    field("gsm", String, false, "mobile phone"),
    field("email", String, false, "e-mail").with(Constraint::Check(Check::Email)),
    field("address", String, false, "address"),
    field("district", String, false, "district (ilçe)"),
    field("city", String, false, "city (il)"),
    field("country", String, false, "country"),
    field("currency", String, false, "currency").with(Constraint::Check(Check::Currency)),
    field("balance", Decimal, true, "balance"),
    field("balance_current", Decimal, true, "current balance"),
    field("balance_paid", Decimal, true, "paid balance"),
    field("description", String, false, "note"),
    field("status", String, false, "1 = active, 0 = passive").with(Constraint::OneOf(&["0", "1"])),
];

const CASH_FIELDS: &[FieldDef] = &[
    field("id", Integer, true, "cash voucher id"),
    field("code", String, false, "cash card (kasa) code"),
    field("receipt_no", String, false, "voucher number (fiş no)"),
    field("date", DateTime, true, "voucher date and time").formatted("%Y-%m-%d %H:%M:%S"),
    field(
        "type",
        String,
        false,
        "1 = collection (tahsil), 2 = payment (tediye)",
    )
    .with(Constraint::OneOf(&["1", "2"])),
    field("customer_id", Integer, false, "Ödüyo customer id"),
    field("amount", Decimal, true, "amount"),
    field("currency", String, false, "currency").with(Constraint::Check(Check::Currency)),
    field("description", String, false, "description"),
    field("updated_at", DateTime, false, "last change in the ERP").formatted("%Y-%m-%d %H:%M:%S"),
];

const TRANSACTION_FIELDS: &[FieldDef] = &[
    field("customer_id", Integer, true, "Ödüyo customer id"),
    field("amount", Decimal, true, "absolute amount").with(Constraint::NonNegative),
    field(
        "sign",
        Integer,
        true,
        "1 = credit (alacak), -1 = debit (borç)",
    )
    .with(Constraint::OneOf(&["1", "-1"])),
    field("date", Date, true, "transaction date").formatted("%Y.%m.%d"),
    field("hour", Time, false, "transaction time").formatted("%H:%M"),
    field("document_no", String, false, "document (belge) number"),
    field("description", String, false, "description"),
    field("currency", String, false, "currency").with(Constraint::Check(Check::Currency)),
    field("exchange_rate", Decimal, false, "exchange rate"),
    field("due_date", Date, false, "due date (vade)").formatted("%Y.%m.%d"),
];

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        id: "oduyo.customer_update",
        provider: ProviderId::Oduyo,
        method: Method::Post,
        path: "/api/v1/customer/customer_update",
        path_field: None,
        envelope: Envelope::Column,
        wire: Wire::Text,
        omit_empty: false,
        idempotent: true,
        answer: AnswerKind::OduyoStatus,
        fields: CUSTOMER_FIELDS,
        rules: &[],
        description: "Update a customer (cari) card",
    },
    Endpoint {
        id: "oduyo.cash_update",
        provider: ProviderId::Oduyo,
        method: Method::Post,
        path: "/api/v1/erp/erp_kasa_fisi/update",
        path_field: None,
        envelope: Envelope::Column,
        wire: Wire::Text,
        omit_empty: false,
        idempotent: true,
        answer: AnswerKind::OduyoStatus,
        fields: CASH_FIELDS,
        rules: &[],
        description: "Update a cash (kasa) voucher",
    },
    Endpoint {
        id: "oduyo.transaction_create",
        provider: ProviderId::Oduyo,
        method: Method::Post,
        path: "/api/v1/customer_transaction/customer_transaction_create",
        path_field: None,
        envelope: Envelope::Column,
        wire: Wire::Text,
        omit_empty: false,
        idempotent: false,
        answer: AnswerKind::OduyoStatus,
        fields: TRANSACTION_FIELDS,
        rules: &[],
        description: "Create a customer transaction (cari hareket); never posted twice",
    },
];
