//! Providers and their endpoints.
//!
//! What a provider *is* lives in data: each provider folder holds an `endpoints.toml`
//! transcribed from the provider's own API pages (method, path, envelope, and per field
//! its name, type, JSON wire form, whether it is required, the values it allows and the
//! page's description), embedded at build time. What a provider *does* lives in code
//! beside it: how it authenticates (`crate::send::auth`) and how the sandbox answers
//! like it ([`oduyo`], [`fatura_entegrator`], [`netahsilat`]). The mapping compiler, the
//! validator, the sender and the sandbox all read the same descriptions.
//!
//! A user can add endpoints of the same providers in files of their own
//! (`[endpoints] files = [...]` in `aktar.toml`); they inherit the provider's defaults
//! (envelope, empty values, how an answer says yes) and are loaded into a [`Registry`]
//! next to the built-in ones.
//!
//! Endpoint descriptions are read once and live for the whole process, so they are
//! handed out as `&'static Endpoint` and every stage can hold them without lifetimes.
//!
//! Adding a provider: a folder here with its `endpoints.toml` and an implementation of
//! [`Provider`], a variant of [`ProviderId`] and one line in [`BUILTIN`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::turkish::checks::Check;

pub mod fatura_entegrator;
mod file;
pub mod netahsilat;
pub mod oduyo;

pub use file::{EndpointError, EndpointErrors};

/// The built-in providers: each one's id, endpoint file and behaviour, in the order
/// `aktar endpoints` lists them.
const BUILTIN: &[(ProviderId, &str, &dyn Provider)] = &[
    (
        ProviderId::Oduyo,
        include_str!("oduyo/endpoints.toml"),
        &oduyo::Oduyo,
    ),
    (
        ProviderId::FaturaEntegrator,
        include_str!("fatura_entegrator/endpoints.toml"),
        &fatura_entegrator::FaturaEntegrator,
    ),
    (
        ProviderId::NetTahsilat,
        include_str!("netahsilat/endpoints.toml"),
        &netahsilat::NetTahsilat,
    ),
];

/// What a provider does, beside what its endpoint file says it is: its credentials,
/// and how the sandbox plays it.
pub(crate) trait Provider: Sync {
    /// Its credentials, from its `aktar.toml` table.
    fn auth_settings(
        &self,
        cfg: &crate::config::ProviderConfig,
        r: &crate::send::settings::Resolver<'_>,
        base_url: &str,
    ) -> Result<crate::send::settings::AuthSettings, crate::send::settings::SettingsError>;

    /// The sandbox: a write's headers, checked as the provider checks them.
    fn authenticate(
        &self,
        creds: &crate::sandbox::auth::Credentials,
        headers: &axum::http::HeaderMap,
    ) -> Result<crate::sandbox::auth::Presented, crate::sandbox::auth::AuthError>;

    /// The sandbox: the call that hands out a credential, if the provider has one.
    fn auth_call(
        &self,
    ) -> Option<(
        &'static str,
        axum::routing::MethodRouter<crate::sandbox::state::App>,
    )>;

    /// The sandbox: the error a credential that has lapsed gets.
    fn expired(&self) -> crate::sandbox::auth::AuthError;

    /// The sandbox: a generic error answer.
    fn error_body(&self, message: &str) -> serde_json::Value;

    /// The sandbox: the status and answer for a body the provider will not take.
    fn refused(&self, problems: &[crate::sandbox::validate::Problem]) -> (u16, serde_json::Value);

    /// The sandbox: the answer for an update of a record that does not exist.
    fn not_found(&self) -> serde_json::Value;

    /// The sandbox: whether an update is answered with the whole record as it now
    /// stands (the sandbox then keeps the records to merge partial updates into).
    fn answers_with_record(&self) -> bool {
        false
    }

    /// The sandbox: the answer for an applied write.
    fn success(&self, applied: &crate::sandbox::ledger::Applied) -> serde_json::Value;

    /// The `aktar.toml` table a person writes for the sandbox (credentials as
    /// `env:NAME`), and those variables with the sandbox's values: `aktar demo`.
    fn sandbox_config(&self) -> crate::config::ProviderConfig;
    fn sandbox_env(&self) -> &'static [(&'static str, &'static str)];
}

/// Every built-in endpoint, in the order `aktar endpoints` lists them.
pub fn all() -> impl Iterator<Item = &'static Endpoint> {
    Registry::builtin().all()
}

/// A built-in endpoint by id.
pub fn find(id: &str) -> Option<&'static Endpoint> {
    Registry::builtin().find(id)
}

/// The endpoints a run knows: the built-in ones, then those of the user's files.
#[derive(Debug, Clone)]
pub struct Registry {
    endpoints: Vec<&'static Endpoint>,
}

impl Registry {
    /// The built-in endpoints only.
    pub fn builtin() -> &'static Registry {
        static BUILT: OnceLock<Registry> = OnceLock::new();
        BUILT.get_or_init(|| {
            let mut endpoints = Vec::new();
            for (id, text, _) in BUILTIN {
                let origin = Origin::BuiltIn;
                match file::parse(text, &origin, Some(*id), None) {
                    Ok(parsed) => endpoints.extend(parsed.endpoints.into_iter().map(leak)),
                    // The embedded files are checked by the unit tests below.
                    Err(e) => panic!("built-in endpoint file of {}: {e}", id.config_name()),
                }
            }
            Registry { endpoints }
        })
    }

    /// The built-in endpoints plus those of `files` (each a path or a glob pattern,
    /// relative to `base`). A pattern that matches nothing is an error: a typo must
    /// not silently leave an endpoint out.
    pub fn with_files(files: &[String], base: &Path) -> Result<Registry, EndpointErrors> {
        let mut registry = Registry::builtin().clone();
        for pattern in files {
            for path in file::expand(pattern, base)? {
                registry.load_file(&path)?;
            }
        }
        Ok(registry)
    }

    /// Adds the endpoints of one file.
    pub fn load_file(&mut self, path: &Path) -> Result<(), EndpointErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            EndpointErrors::whole(
                path.display().to_string(),
                format!("cannot read the endpoint file: {e}"),
            )
        })?;
        self.load_str(path, &text)
    }

    /// Adds the endpoints of a file's text; `path` names it in messages.
    pub fn load_str(&mut self, path: &Path, text: &str) -> Result<(), EndpointErrors> {
        let origin = Origin::File(path.to_path_buf());
        let parsed = file::parse(text, &origin, None, Some(self))?;
        self.endpoints
            .extend(parsed.endpoints.into_iter().map(leak));
        Ok(())
    }

    pub fn all(&self) -> impl Iterator<Item = &'static Endpoint> + '_ {
        self.endpoints.iter().copied()
    }

    pub fn find(&self, id: &str) -> Option<&'static Endpoint> {
        self.all().find(|e| e.id == id)
    }

    /// The ids, for "known endpoints: …" messages.
    pub fn ids(&self) -> Vec<&'static str> {
        self.all().map(|e| e.id.as_str()).collect()
    }
}

fn leak(e: Endpoint) -> &'static Endpoint {
    Box::leak(Box::new(e))
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

    fn parse(s: &str) -> Option<Method> {
        match s.to_ascii_uppercase().as_str() {
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            _ => None,
        }
    }
}

/// What a field's value means (the page's type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    Decimal,
    Bool,
    Date,
    DateTime,
    Time,
    /// A list whose items have the given type.
    List(ItemType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    String,
    Integer,
}

impl FieldType {
    /// The type a name means; `list` is a list of `item`.
    pub fn from_name(s: &str, item: ItemType) -> Option<FieldType> {
        Some(match s {
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "decimal" => FieldType::Decimal,
            "bool" => FieldType::Bool,
            "date" => FieldType::Date,
            "datetime" => FieldType::DateTime,
            "time" => FieldType::Time,
            "list" => FieldType::List(item),
            _ => return None,
        })
    }

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

/// The JSON type a field is sent as, as the page's example request sends it. Decimals
/// are always JSON strings, so money stays exact on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Json {
    String,
    Number,
    Boolean,
    Array,
}

impl Json {
    pub fn name(self) -> &'static str {
        match self {
            Json::String => "string",
            Json::Number => "number",
            Json::Boolean => "boolean",
            Json::Array => "array",
        }
    }
}

/// What an empty value becomes in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Left out of the body (a partial update keeps what the provider holds).
    Omit,
    /// Sent as `""`.
    Send,
    /// Sent as `null`.
    Null,
}

impl Empty {
    pub const NAMES: &'static str = "omit, send or null";

    pub fn parse(s: &str) -> Option<Empty> {
        match s {
            "omit" => Some(Empty::Omit),
            "send" => Some(Empty::Send),
            "null" => Some(Empty::Null),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Empty::Omit => "omit",
            Empty::Send => "send",
            Empty::Null => "null",
        }
    }
}

/// What wraps the fields in the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    /// The fields are the body.
    Bare,
    /// `{"<key>": {...}}` (Ödüyo's `column`).
    Key(String),
}

/// How a provider says yes in a 2xx answer: the JSON value at `status_field` (a JSON
/// pointer) equals `success`. Without a status field any 2xx is success.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status_field: Option<String>,
    pub success: serde_json::Value,
}

/// The endpoint's fields that play each part of a line in the provider's statement
/// export (the transaction list of its panel), for `aktar journal reconcile`. A part
/// the endpoint has no field for is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementFields {
    pub customer: Option<String>,
    pub amount: Option<String>,
    /// `1` or `-1` style: read as alacak (credit) or borç (debit).
    pub sign: Option<String>,
    pub date: Option<String>,
    pub hour: Option<String>,
    pub comment: Option<String>,
}

impl StatementFields {
    pub fn is_empty(&self) -> bool {
        *self == StatementFields::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderId {
    Oduyo,
    FaturaEntegrator,
    NetTahsilat,
}

impl ProviderId {
    pub const ALL: &'static [ProviderId] = &[
        ProviderId::Oduyo,
        ProviderId::FaturaEntegrator,
        ProviderId::NetTahsilat,
    ];

    /// The name of the provider's table in `aktar.toml`, its mappings folder, and the
    /// first part of its endpoint ids.
    pub fn config_name(self) -> &'static str {
        match self {
            ProviderId::Oduyo => "oduyo",
            ProviderId::FaturaEntegrator => "fatura_entegrator",
            ProviderId::NetTahsilat => "netahsilat",
        }
    }

    pub fn from_name(s: &str) -> Option<ProviderId> {
        Self::ALL.iter().copied().find(|p| p.config_name() == s)
    }

    pub fn names() -> String {
        let names: Vec<_> = Self::ALL.iter().map(|p| p.config_name()).collect();
        names.join(", ")
    }

    /// What the provider does. [`BUILTIN`] lists the providers in the order of this
    /// enum (a unit test holds it to that).
    pub(crate) fn behaviour(self) -> &'static dyn Provider {
        BUILTIN[self as usize].2
    }
}

/// A regular expression a value must match whole.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    pub re: Regex,
}

impl Pattern {
    pub fn new(text: &str) -> Result<Pattern, regex::Error> {
        Ok(Pattern {
            text: text.to_string(),
            re: Regex::new(&format!("^(?:{text})$"))?,
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }
}

/// One field of an endpoint, with the rules the page itself imposes on it; stricter
/// rules are a mapping's choice.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub ty: FieldType,
    pub json: Json,
    pub required: bool,
    /// Output format (strftime) of a date, datetime or time field.
    pub format: Option<String>,
    pub one_of: Vec<String>,
    pub pattern: Option<Pattern>,
    /// The smallest value a number may have.
    pub min: Option<Decimal>,
    pub check: Option<Check>,
    /// What an empty value becomes, when this field differs from its endpoint.
    pub empty: Option<Empty>,
    pub doc: String,
}

impl FieldDef {
    /// The output format of a date or time field, with the defaults used when the
    /// page names none.
    pub fn default_format(&self) -> Option<&str> {
        match self.ty {
            FieldType::Date => Some(self.format.as_deref().unwrap_or("%Y-%m-%d")),
            FieldType::DateTime => Some(self.format.as_deref().unwrap_or("%Y-%m-%d %H:%M:%S")),
            FieldType::Time => Some(self.format.as_deref().unwrap_or("%H:%M")),
            _ => None,
        }
    }
}

/// When `field` equals `equals` (as the provider reads it), `then` are required.
#[derive(Debug, Clone)]
pub struct CondRequired {
    pub field: String,
    pub equals: Lit,
    pub then: Vec<String>,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lit {
    Bool(bool),
    Str(String),
}

/// Where an endpoint was described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

#[derive(Debug)]
pub struct Endpoint {
    pub id: String,
    pub provider: ProviderId,
    /// The title of the provider's page it was transcribed from.
    pub page: String,
    pub method: Method,
    /// With `{field}` where the path carries a field's value.
    pub path: String,
    /// The field that goes into the path (and not into the body).
    pub path_field: Option<String>,
    pub envelope: Envelope,
    /// What an empty value becomes, unless the field or the mapping says otherwise.
    pub empty: Empty,
    /// Sending it twice does no harm. Non-idempotent endpoints are never posted twice.
    pub idempotent: bool,
    pub answer: Answer,
    /// Where a success answer gives the provider's own number for the record (JSON
    /// pointers, the first present wins): `sent.csv`'s `provider_ref`.
    pub references: Vec<String>,
    /// Which fields a line of the provider's own statement is matched on.
    pub statement: StatementFields,
    pub fields: Vec<FieldDef>,
    pub rules: Vec<CondRequired>,
    pub description: String,
    pub origin: Origin,
}

impl Endpoint {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    pub fn is_path_field(&self, name: &str) -> bool {
        self.path_field.as_deref() == Some(name)
    }

    /// The names of the fields, for "its fields are: …" messages.
    pub fn field_names(&self) -> String {
        let names: Vec<_> = self.fields.iter().map(|f| f.name.as_str()).collect();
        names.join(", ")
    }
}

#[cfg(test)]
mod tests;
