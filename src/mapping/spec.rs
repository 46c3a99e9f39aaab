//! The mapping file as written: parsed by serde with `deny_unknown_fields`, spans kept
//! so that the compiler can point at the line and column of every mistake.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub endpoint: Spanned<String>,
    pub key: Spanned<String>,
    #[serde(default)]
    pub source: SourceSpec,
    pub fields: Spanned<BTreeMap<String, Spanned<FieldSpec>>>,
    pub reconcile: Option<Spanned<ReconcileSpec>>,
}

/// `[reconcile]`: the columns of the provider's own statement export that `aktar
/// journal reconcile` matches uncertain posts on, and the statement's layout.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileSpec {
    pub customer: Option<Spanned<String>>,
    pub amount: Option<Spanned<String>>,
    pub debit_credit: Option<Spanned<Vec<String>>>,
    pub sign: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub hour: Option<Spanned<String>>,
    pub comment: Option<Spanned<String>>,
    pub reference: Option<Spanned<String>>,
    pub source: Option<Spanned<SourceSpec>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub encoding: Option<Spanned<String>>,
    pub delimiter: Option<Spanned<String>>,
    pub decimal: Option<Spanned<String>>,
    pub header_row: Option<Spanned<i64>>,
    pub sheet: Option<Spanned<SheetSpec>>,
    pub skip_if: Option<Spanned<OneOrMany<SkipIfSpec>>>,
    pub total_row: Option<Spanned<TotalRowSpec>>,
}

/// The export's own total line: skipped like `skip_if`, and its cells under `sum` must
/// equal the sums of those columns over the data rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalRowSpec {
    pub column: String,
    pub matches: String,
    pub sum: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SheetSpec {
    Name(String),
    Index(i64),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipIfSpec {
    pub column: String,
    pub matches: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub from: Option<Spanned<OneOrMany<String>>>,
    pub join: Option<String>,
    pub template: Option<Spanned<String>>,
    pub value: Option<Spanned<toml::Value>>,
    pub default: Option<Spanned<toml::Value>>,
    #[serde(rename = "type")]
    pub ty: Option<Spanned<String>>,
    pub format: Option<Spanned<String>>,
    pub scale: Option<Spanned<i64>>,
    pub input_format: Option<Spanned<OneOrMany<String>>>,
    /// Only the plain number and date forms, none of the ERP ones.
    pub strict: Option<Spanned<bool>>,
    /// A date field drops a time other than midnight instead of refusing it.
    pub drop_time: Option<Spanned<bool>>,
    pub required: Option<bool>,
    pub required_if: Option<Spanned<String>>,
    pub check: Option<Spanned<String>>,
    pub pattern: Option<Spanned<String>>,
    pub min_len: Option<Spanned<i64>>,
    pub max_len: Option<Spanned<i64>>,
    pub min: Option<Spanned<toml::Value>>,
    pub max: Option<Spanned<toml::Value>>,
    pub one_of: Option<Spanned<Vec<toml::Value>>>,
    /// Keys spanned: two keys that fold to the same text are named where they stand.
    pub map: Option<Spanned<BTreeMap<Spanned<String>, toml::Value>>>,
    pub map_default: Option<Spanned<toml::Value>>,
    pub transform: Option<Spanned<OneOrMany<String>>>,
    pub split: Option<Spanned<String>>,
    pub debit_credit: Option<Spanned<Vec<String>>>,
    pub emit: Option<Spanned<String>>,
    pub empty: Option<Spanned<String>>,
}
