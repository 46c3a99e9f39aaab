//! An endpoint file as written: parsed by serde with unknown keys refused, spans kept
//! so that every mistake can be pointed at.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSpec {
    pub(super) provider: Spanned<String>,
    #[serde(default)]
    pub(super) defaults: DefaultsSpec,
    #[serde(default)]
    pub(super) endpoint: Vec<Spanned<EndpointSpec>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DefaultsSpec {
    pub(super) envelope: Option<Spanned<String>>,
    pub(super) empty: Option<Spanned<String>>,
    pub(super) json: Option<Spanned<String>>,
    pub(super) answer: Option<Spanned<AnswerSpec>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswerSpec {
    pub(super) status_field: Option<String>,
    pub(super) success: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EndpointSpec {
    pub(super) id: Spanned<String>,
    pub(super) page: Option<String>,
    pub(super) method: Spanned<String>,
    pub(super) path: Spanned<String>,
    pub(super) idempotent: bool,
    pub(super) description: Option<String>,
    pub(super) envelope: Option<Spanned<String>>,
    pub(super) empty: Option<Spanned<String>>,
    pub(super) json: Option<Spanned<String>>,
    pub(super) answer: Option<Spanned<AnswerSpec>>,
    pub(super) references: Option<Spanned<Vec<String>>>,
    pub(super) statement: Option<Spanned<StatementSpec>>,
    pub(super) fields: Spanned<IndexMap<String, Spanned<FieldSpec>>>,
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RuleSpec>>,
}

/// The endpoint's field for each part of a statement line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatementSpec {
    pub(super) customer: Option<String>,
    pub(super) amount: Option<String>,
    pub(super) sign: Option<String>,
    pub(super) date: Option<String>,
    pub(super) hour: Option<String>,
    pub(super) comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldSpec {
    #[serde(rename = "type")]
    pub(super) ty: Spanned<String>,
    pub(super) items: Option<Spanned<String>>,
    pub(super) json: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) required: bool,
    pub(super) format: Option<Spanned<String>>,
    pub(super) one_of: Option<Vec<String>>,
    pub(super) pattern: Option<Spanned<String>>,
    pub(super) min: Option<Spanned<String>>,
    pub(super) check: Option<Spanned<String>>,
    pub(super) empty: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) doc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleSpec {
    pub(super) when: WhenSpec,
    pub(super) require: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WhenSpec {
    pub(super) field: String,
    pub(super) equals: toml::Value,
}
