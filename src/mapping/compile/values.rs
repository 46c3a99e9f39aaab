//! Where a field's value comes from (`from`, `template`, `value`, `debit_credit`),
//! literal values in a mapping, and which types can go into which fields.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::Cx;
use crate::mapping::spec::{FieldSpec, OneOrMany};
use crate::mapping::{Bound, Emit, ValueMap, ValueSource, template};
use crate::providers::FieldType;
use crate::turkish::case::fold;
use crate::turkish::date;
use crate::turkish::number::{DecimalStyle, parse_decimal};

impl Cx<'_> {
    pub(super) fn value_source(
        &mut self,
        name: &str,
        s: &FieldSpec,
        ty: FieldType,
    ) -> Option<ValueSource> {
        if let Some(from) = &s.from {
            return match from.get_ref() {
                OneOrMany::One(c) if !c.trim().is_empty() => {
                    Some(ValueSource::Column(self.column(c)))
                }
                OneOrMany::Many(cs)
                    if !cs.is_empty() && cs.iter().all(|c| !c.trim().is_empty()) =>
                {
                    let cols = cs.iter().map(|c| self.column(c)).collect();
                    Some(ValueSource::Columns {
                        cols,
                        join: s.join.clone().unwrap_or_else(|| " ".to_string()),
                    })
                }
                _ => {
                    self.err(from.span(), format!("`{name}`: from needs a column name"));
                    None
                }
            };
        }
        if let Some(t) = &s.template {
            return match template::parse(t.get_ref(), |n| self.column(n)) {
                Ok(tpl) => Some(ValueSource::Template(tpl)),
                Err(m) => {
                    self.err(t.span(), format!("`{name}`: {m}"));
                    None
                }
            };
        }
        if let Some(v) = &s.value {
            return self.scalar(name, "value", v).map(ValueSource::Constant);
        }
        let dc = s.debit_credit.as_ref()?;
        let [debit, credit] = dc.get_ref().as_slice() else {
            self.err(
                dc.span(),
                format!("`{name}`: debit_credit takes two columns: [\"Borç\", \"Alacak\"]"),
            );
            return None;
        };
        let emit = match s.emit.as_ref().map(|e| e.get_ref().as_str()) {
            Some("amount") => Emit::Amount,
            Some("sign") => Emit::Sign,
            _ => {
                self.err(
                    dc.span(),
                    format!("`{name}`: debit_credit needs emit = \"amount\" or emit = \"sign\""),
                );
                return None;
            }
        };
        let fits = match emit {
            Emit::Amount => ty == FieldType::Decimal,
            Emit::Sign => matches!(ty, FieldType::Integer | FieldType::String),
        };
        if !fits {
            self.err(
                dc.span(),
                format!(
                    "`{name}`: emit = \"{}\" does not fit a {ty} field",
                    if emit == Emit::Amount {
                        "amount"
                    } else {
                        "sign"
                    }
                ),
            );
            return None;
        }
        Some(ValueSource::DebitCredit {
            debit: self.column(debit),
            credit: self.column(credit),
            emit,
        })
    }

    /// `strict` and `drop_time`: the number and date forms a field reads beyond the
    /// plain ones. Each is refused where it could change nothing, so that a mapping
    /// never seems to say more than it does.
    pub(super) fn forms(&mut self, name: &str, s: &FieldSpec, ty: FieldType) -> (bool, bool) {
        let strict = s.strict.as_ref().map(|v| (*v.get_ref(), v.span()));
        let drop_time = s.drop_time.as_ref().map(|v| (*v.get_ref(), v.span()));
        if let Some((_, span)) = &strict {
            let reads_forms = s.debit_credit.is_some()
                || matches!(
                    ty,
                    FieldType::Decimal | FieldType::Date | FieldType::DateTime
                );
            if !reads_forms {
                self.err(
                    span.clone(),
                    format!(
                        "`{name}`: strict is for decimal, date and datetime fields and debit_credit"
                    ),
                );
            } else if s.input_format.is_some() {
                self.err(
                    span.clone(),
                    format!("`{name}`: with input_format only those formats are read; strict adds nothing"),
                );
            }
        }
        if let Some((_, span)) = &drop_time {
            if ty != FieldType::Date {
                self.err(
                    span.clone(),
                    format!("`{name}`: drop_time is for date fields"),
                );
            } else if s.input_format.is_some() {
                self.err(
                    span.clone(),
                    format!("`{name}`: with input_format only those formats are read; drop_time goes with the default forms"),
                );
            } else if strict.as_ref().is_some_and(|(on, _)| *on) {
                self.err(
                    span.clone(),
                    format!(
                        "`{name}`: a strict date field reads no times, so there is none to drop"
                    ),
                );
            }
        }
        (
            strict.is_some_and(|(on, _)| on),
            drop_time.is_some_and(|(on, _)| on),
        )
    }

    /// The `map` table, its keys folded as values are compared. Two keys that fold to
    /// the same text but map to different values would leave the value sent to the
    /// order of the file: an error at the later one, naming both.
    pub(super) fn value_map(&mut self, name: &str, s: &FieldSpec) -> Option<ValueMap> {
        let m = s.map.as_ref()?;
        let mut in_file_order: Vec<_> = m.get_ref().iter().collect();
        in_file_order.sort_by_key(|(k, _)| k.span().start);
        let mut entries = HashMap::new();
        let mut exact = Vec::new();
        let mut first: HashMap<String, &str> = HashMap::new();
        for (k, v) in in_file_order {
            let Some(v) = self.scalar_at(name, "map", k.span(), v) else {
                continue;
            };
            let key = fold(k.get_ref());
            match entries.get(&key) {
                Some(earlier) if *earlier != v => {
                    let other = first.get(&key).copied().unwrap_or_default();
                    self.err(
                        k.span(),
                        format!(
                            "`{name}`: map keys `{other}` and `{}` are the same value to aktar (case, spacing and i/İ/ı/I are ignored) but map to `{earlier}` and `{v}`; keep one",
                            k.get_ref()
                        ),
                    );
                }
                Some(_) => exact.push((k.get_ref().clone(), v)),
                None => {
                    first.insert(key.clone(), k.get_ref().as_str());
                    exact.push((k.get_ref().clone(), v.clone()));
                    entries.insert(key, v);
                }
            }
        }
        // Past a few keys, one hash lookup of the folded text beats comparing each.
        if exact.len() > 8 {
            exact.clear();
        }
        let known: Vec<&str> = m.get_ref().keys().map(|k| k.get_ref().as_str()).collect();
        Some(ValueMap {
            entries,
            exact,
            default: s
                .map_default
                .as_ref()
                .and_then(|d| self.scalar(name, "map_default", d)),
            known: known.join(", "),
        })
    }

    pub(super) fn scalar(
        &mut self,
        name: &str,
        key: &str,
        v: &Spanned<toml::Value>,
    ) -> Option<String> {
        self.scalar_at(name, key, v.span(), v.get_ref())
    }

    pub(super) fn scalar_at(
        &mut self,
        name: &str,
        key: &str,
        span: Range<usize>,
        v: &toml::Value,
    ) -> Option<String> {
        match v {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            toml::Value::Float(_) => {
                self.err(
                    span,
                    format!("`{name}`: {key}: write decimal numbers in quotes (\"12.50\") so they stay exact"),
                );
                None
            }
            _ => {
                self.err(
                    span,
                    format!("`{name}`: {key} must be text, a whole number or true/false"),
                );
                None
            }
        }
    }

    pub(super) fn length(&mut self, name: &str, key: &str, v: &Spanned<i64>) -> Option<usize> {
        match usize::try_from(*v.get_ref()) {
            Ok(n) => Some(n),
            Err(_) => {
                self.err(v.span(), format!("`{name}`: {key} cannot be negative"));
                None
            }
        }
    }

    pub(super) fn bound(
        &mut self,
        name: &str,
        key: &str,
        ty: FieldType,
        v: &Spanned<toml::Value>,
    ) -> Option<Bound> {
        let text = self.scalar(name, key, v)?;
        match ty {
            FieldType::Integer | FieldType::Decimal => {
                match parse_decimal(&text, DecimalStyle::Dot) {
                    Ok(d) => Some(Bound::Number(d)),
                    Err(_) => {
                        self.err(v.span(), format!("`{name}`: {key} must be a number"));
                        None
                    }
                }
            }
            FieldType::Date | FieldType::DateTime => {
                match date::parse_date(&text, date::DEFAULT_DATE_FORMATS) {
                    Some(d) => Some(Bound::Date(d)),
                    None => {
                        self.err(
                            v.span(),
                            format!("`{name}`: {key} must be a date (dd.mm.yyyy)"),
                        );
                        None
                    }
                }
            }
            other => {
                self.err(
                    v.span(),
                    format!("`{name}`: {key} does not apply to a {other} field"),
                );
                None
            }
        }
    }
}

/// A mapping's `type`; a list takes the endpoint field's item type.
pub(super) fn parse_type(s: &str, endpoint: FieldType) -> Option<FieldType> {
    let item = match endpoint {
        FieldType::List(item) => item,
        _ => crate::providers::ItemType::String,
    };
    FieldType::from_name(s, item)
}

/// Whether a value read as `mapping` can be written into a field of type `endpoint`.
pub(super) fn compatible(mapping: FieldType, endpoint: FieldType) -> bool {
    use FieldType::*;
    mapping == endpoint
        || matches!(
            (mapping, endpoint),
            (_, String) | (Integer, Decimal) | (Date, DateTime)
        ) && !matches!(mapping, List(_))
}

/// Whether formatting a value of `ty` with `format` succeeds (a date has no hour, a
/// time has no day).
pub(crate) fn format_fits(format: &str, ty: FieldType) -> bool {
    use std::fmt::Write;
    let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default();
    let t = chrono::NaiveTime::from_hms_opt(13, 45, 30).unwrap_or_default();
    let mut out = String::new();
    match ty {
        FieldType::Date => write!(out, "{}", d.format(format)),
        FieldType::Time => write!(out, "{}", t.format(format)),
        _ => write!(out, "{}", d.and_time(t).format(format)),
    }
    .is_ok()
}
