//! Mapping files: how the columns of an ERP export become an endpoint's fields.
//!
//! A mapping is read in two stages, as ripgrep treats its flags: [`spec`] is the file as
//! written (serde, unknown keys refused), and [`compile`] checks it against its
//! endpoint and builds what validation runs on — regexes compiled, formats checked,
//! columns interned — so that every mistake is reported, with its line and column,
//! before the first row is read.

use std::path::{Path, PathBuf};

use regex::Regex;
use rust_decimal::Decimal;

use crate::providers::{Empty, Endpoint, FieldDef, FieldType, Pattern};
use crate::read::SourceOptions;
use crate::turkish::checks::Check;
use crate::turkish::number::DecimalStyle;

pub mod compile;
pub mod cond;
pub mod reconcile;
pub mod spec;
pub mod template;

pub use compile::{load, load_str, load_str_with, load_with};
pub use template::Template;

/// A compiled mapping, ready to validate rows.
#[derive(Debug)]
pub struct Mapping {
    /// The file's stem (`customer_update` for `mappings/oduyo/customer_update.toml`).
    pub name: String,
    pub path: PathBuf,
    pub endpoint: &'static Endpoint,
    pub key: Template,
    pub source: SourceOptions,
    pub decimal: DecimalStyle,
    /// Every source column the mapping reads, as written in the mapping.
    pub columns: Vec<String>,
    /// In the endpoint's field order.
    pub fields: Vec<Field>,
    /// Control totals: the total row and the columns it sums.
    pub total_row: Option<TotalRow>,
    /// Where the provider's statement export has what uncertain posts are matched on.
    pub reconcile: Option<reconcile::Reconcile>,
}

#[derive(Debug, Clone)]
pub struct TotalRow {
    pub column: String,
    pub matches: Regex,
    pub sum: Vec<String>,
}

#[derive(Debug)]
pub struct Field {
    pub def: &'static FieldDef,
    /// What an empty value becomes in the body.
    pub empty: Empty,
    pub source: ValueSource,
    /// The type the value is read as (the mapping's `type`, else the endpoint's).
    pub ty: FieldType,
    pub default: Option<String>,
    /// Output format (strftime) of dates and times.
    pub format: Option<String>,
    pub scale: Option<u32>,
    /// strftime formats accepted on input (dates/times); empty means the defaults.
    pub input_formats: Vec<String>,
    /// The same formats as the mapping wrote them, for messages.
    pub input_labels: Vec<String>,
    /// Numbers and dates in their plain forms only (`1.234,56`, `28.11.2026`), for
    /// integrators who would rather have an export fixed at the source.
    pub strict: bool,
    /// A date written with a time keeps only its date; otherwise a time other than
    /// midnight in a date field is a problem.
    pub drop_time: bool,
    pub required: bool,
    pub required_if: Option<cond::Condition>,
    pub checks: Vec<Check>,
    pub pattern: Option<Pattern>,
    pub min_len: Option<usize>,
    pub max_len: Option<usize>,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    pub one_of: Vec<String>,
    pub map: Option<ValueMap>,
    pub transforms: Vec<Transform>,
    pub split: String,
    /// Whether any rule beyond the type applies: a check, a pattern, a length, a
    /// bound or `one_of`, the mapping's or the page's own.
    pub ruled: bool,
}

#[derive(Debug, Clone)]
pub enum ValueSource {
    /// One column (index into [`Mapping::columns`]).
    Column(usize),
    /// Several columns joined by `join` (empty parts left out).
    Columns {
        cols: Vec<usize>,
        join: String,
    },
    Template(Template),
    Constant(String),
    DebitCredit {
        debit: usize,
        credit: usize,
        emit: Emit,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    Amount,
    Sign,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Number(Decimal),
    Date(chrono::NaiveDate),
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Number(d) => write!(f, "{d}"),
            Bound::Date(d) => write!(f, "{}", d.format("%d.%m.%Y")),
        }
    }
}

/// A value table; keys are compared folded (case, spacing and Turkish i forms ignored).
#[derive(Debug, Clone)]
pub struct ValueMap {
    pub entries: std::collections::HashMap<String, String>,
    /// A small table's keys as written, with their values: a cell spelled as the
    /// mapping spells it (nearly every one) is found without being folded first.
    pub exact: Vec<(String, String)>,
    pub default: Option<String>,
    /// The keys as written, for messages.
    pub known: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    Upper,
    Lower,
    LowerAscii,
    Title,
    Digits,
    CollapseSpaces,
    PhoneTr,
    Abs,
}

impl Transform {
    pub const NAMES: &'static [&'static str] = &[
        "trim",
        "upper",
        "lower",
        "lower_ascii",
        "title",
        "digits",
        "collapse_spaces",
        "phone_tr",
        "abs",
    ];

    /// `None` for an unknown name; `Some(None)` for `trim`, which is always on.
    pub fn from_name(s: &str) -> Option<Option<Transform>> {
        Some(Some(match s {
            "trim" => return Some(None),
            "upper" => Transform::Upper,
            "lower" => Transform::Lower,
            "lower_ascii" => Transform::LowerAscii,
            "title" => Transform::Title,
            "digits" => Transform::Digits,
            "collapse_spaces" => Transform::CollapseSpaces,
            "phone_tr" => Transform::PhoneTr,
            "abs" => Transform::Abs,
            _ => return None,
        }))
    }
}

/// A mistake in a mapping file, at a line and column of it; all the mistakes of one
/// file (compilation goes on after the first).
pub use crate::located::{FileError as MappingError, FileErrors as MappingErrors};

impl Mapping {
    /// Resolves the mapping's columns against a file's header: the index of each
    /// column, or the names that are missing.
    pub fn bind(&self, headers: &[String]) -> Result<Vec<usize>, Vec<String>> {
        let mut idx = Vec::with_capacity(self.columns.len());
        let mut missing = Vec::new();
        for c in &self.columns {
            match crate::read::find_column(headers, c) {
                Some(i) => idx.push(i),
                None => missing.push(c.clone()),
            }
        }
        if missing.is_empty() {
            Ok(idx)
        } else {
            Err(missing)
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.def.name == name)
    }
}

/// The mapping name used for report folders: the file stem.
pub fn name_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mapping".to_string())
}
