//! Provider endpoints as data: each endpoint is described once (method, path, body
//! envelope, fields with their types, idempotency, how to read the answer), and the
//! mapping compiler, the validator, the sender and the sandbox all read the same
//! description. Adding a provider is a new file here and a line in [`all`].

use std::fmt;

use crate::turkish::checks::Check;

pub mod fatura_entegrator;
pub mod netahsilat;
pub mod oduyo;

/// Every built-in endpoint, in the order `aktar endpoints` lists them.
pub fn all() -> impl Iterator<Item = &'static Endpoint> {
    oduyo::ENDPOINTS
        .iter()
        .chain(fatura_entegrator::ENDPOINTS)
        .chain(netahsilat::ENDPOINTS)
}

pub fn find(id: &str) -> Option<&'static Endpoint> {
    all().find(|e| e.id == id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }
}

/// The type a field has on the wire's side (what the provider expects it to mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    Decimal,
    Bool,
    Date,
    DateTime,
    Time,
    /// A JSON array whose items have the given type.
    List(ItemType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    String,
    Integer,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Time => "time",
            FieldType::List(_) => "list",
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::List(ItemType::String) => f.write_str("list of string"),
            FieldType::List(ItemType::Integer) => f.write_str("list of integer"),
            other => f.write_str(other.name()),
        }
    }
}

/// How values are written into the JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// Every value is a JSON string (`"5"`, `"-9440.0000"`), as Ödüyo's examples show;
    /// an empty value is `""`.
    Text,
    /// JSON types follow the field type: integers and booleans native, decimals as
    /// strings (exact), lists as arrays; an empty value is `null`.
    Native,
}

/// What wraps the fields in the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{"column": {...}}` (Ödüyo).
    Column,
    /// The fields are the body.
    Bare,
}

/// How a provider says yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// 2xx and `{"status": true}`.
    OduyoStatus,
    /// 2xx and `{"status": "success"}`.
    NetTahsilatStatus,
    /// Any 2xx.
    Http2xx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderId {
    Oduyo,
    FaturaEntegrator,
    NetTahsilat,
}

impl ProviderId {
    /// The name of the provider's table in `aktar.toml` and its mappings folder.
    pub fn config_name(self) -> &'static str {
        match self {
            ProviderId::Oduyo => "oduyo",
            ProviderId::FaturaEntegrator => "fatura_entegrator",
            ProviderId::NetTahsilat => "netahsilat",
        }
    }
}

/// A rule on a field's value that the endpoint itself imposes, whatever the mapping says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    None,
    OneOf(&'static [&'static str]),
    Check(Check),
    NonNegative,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Default output format (strftime) of a date, datetime or time field.
    pub format: Option<&'static str>,
    pub constraint: Constraint,
    pub doc: &'static str,
}

/// When `field` equals `equals` (as the provider reads it), `then` are required.
#[derive(Debug, Clone, Copy)]
pub struct CondRequired {
    pub field: &'static str,
    pub equals: Lit,
    pub then: &'static [&'static str],
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lit {
    Bool(bool),
    Str(&'static str),
}

#[derive(Debug)]
pub struct Endpoint {
    pub id: &'static str,
    pub provider: ProviderId,
    pub method: Method,
    /// With `{field}` where the path carries a field's value.
    pub path: &'static str,
    /// The field that goes into the path (and not into the body).
    pub path_field: Option<&'static str>,
    pub envelope: Envelope,
    pub wire: Wire,
    /// Partial update: empty values are left out of the body.
    pub omit_empty: bool,
    /// Sending it twice does no harm. Non-idempotent endpoints are never posted twice.
    pub idempotent: bool,
    pub answer: AnswerKind,
    pub fields: &'static [FieldDef],
    pub rules: &'static [CondRequired],
    pub description: &'static str,
}

impl Endpoint {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// A shorthand for the field tables in the provider files.
pub(crate) const fn field(
    name: &'static str,
    ty: FieldType,
    required: bool,
    doc: &'static str,
) -> FieldDef {
    FieldDef {
        name,
        ty,
        required,
        format: None,
        constraint: Constraint::None,
        doc,
    }
}

impl FieldDef {
    pub(crate) const fn with(mut self, constraint: Constraint) -> Self {
        self.constraint = constraint;
        self
    }

    pub(crate) const fn formatted(mut self, format: &'static str) -> Self {
        self.format = Some(format);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_endpoints_with_unique_ids_and_consistent_tables() {
        let ids: Vec<_> = all().map(|e| e.id).collect();
        assert_eq!(
            ids,
            [
                "oduyo.customer_update",
                "oduyo.cash_update",
                "oduyo.transaction_create",
                "fatura_entegrator.customer_update",
                "netahsilat.customer_update"
            ]
        );
        for e in all() {
            if let Some(p) = e.path_field {
                let f = e.field(p).expect("path field is a field");
                assert!(f.required, "{}: path field must be required", e.id);
                assert!(e.path.contains(&format!("{{{p}}}")));
            }
            for r in e.rules {
                assert!(e.field(r.field).is_some());
                assert!(r.then.iter().all(|t| e.field(t).is_some()));
            }
        }
        assert!(!find("oduyo.transaction_create").unwrap().idempotent);
    }
}
