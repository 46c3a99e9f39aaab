//! Request bodies checked against the endpoint data, as strictly as the wire format
//! in [`crate::providers`] describes them: the envelope, unknown fields, required
//! fields, each value's JSON type (every value a string on a `Text` wire, native
//! types on a `Native` one), the text of integers, decimals, dates and times in the
//! endpoint's default format, the endpoint's own constraints and conditional rules.
//!
//! Stricter than some real providers on purpose: a rehearsal should fail on anything
//! that might be misread in production, since a lenient sandbox only moves the
//! surprise to the first night. Every problem is collected, not just the first, so a
//! refusal tells the integrator everything at once.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value};

use crate::providers::{Endpoint, Envelope, FieldDef, FieldType, ItemType, Json, Lit};

/// Ids from here up name records that "do not exist" (404), so that tests can make a
/// provider refuse a well-formed update.
pub(crate) const MISSING_FROM: i64 = 900_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Problem {
    #[error("the body is not valid JSON")]
    NotJson,
    #[error("the body must be a JSON object")]
    NotObject,
    #[error("the body must be {{\"{0}\": {{...}}}}")]
    NoEnvelope(String),
    #[error("{0}: unknown field")]
    Unknown(String),
    #[error("{0}: goes in the path, not in the body")]
    InBody(&'static str),
    #[error("{0}: required")]
    Missing(&'static str),
    #[error("{field}: must be {expected}")]
    Type {
        field: &'static str,
        expected: String,
    },
    #[error("{field}: must be one of {allowed}")]
    OneOf {
        field: &'static str,
        allowed: String,
    },
    #[error("{field}: fails the {check} check")]
    Check {
        field: &'static str,
        check: &'static str,
    },
    #[error("{field}: must match {pattern}")]
    Pattern {
        field: &'static str,
        pattern: &'static str,
    },
    #[error("{field}: must be at least {min}")]
    Min {
        field: &'static str,
        min: rust_decimal::Decimal,
    },
    #[error("{field}: required when {label}")]
    Rule {
        field: &'static str,
        label: &'static str,
    },
}

impl Problem {
    /// The field a problem is about (`body` for the body as a whole), for answers that
    /// group problems by field.
    pub fn field(&self) -> &str {
        match self {
            Problem::NotJson | Problem::NotObject | Problem::NoEnvelope(_) => "body",
            Problem::Unknown(f) => f,
            Problem::InBody(f)
            | Problem::Missing(f)
            | Problem::Min { field: f, .. }
            | Problem::Pattern { field: f, .. }
            | Problem::Type { field: f, .. }
            | Problem::OneOf { field: f, .. }
            | Problem::Check { field: f, .. }
            | Problem::Rule { field: f, .. } => f,
        }
    }
}

/// The body if `ep` would accept it, else every problem found.
pub(crate) fn check(
    ep: &'static Endpoint,
    path: Option<&str>,
    raw: &[u8],
) -> Result<Value, Vec<Problem>> {
    let body: Value = serde_json::from_slice(raw).map_err(|_| vec![Problem::NotJson])?;
    let mut problems = Vec::new();
    let Some(map) = fields_of(ep, &body) else {
        let whole = match (&ep.envelope, body.is_object()) {
            (Envelope::Key(k), true) => Problem::NoEnvelope(k.clone()),
            _ => Problem::NotObject,
        };
        return Err(vec![whole]);
    };
    if let Envelope::Key(k) = &ep.envelope
        && let Some(obj) = body.as_object()
    {
        problems.extend(
            obj.keys()
                .filter(|key| *key != k)
                .map(|key| Problem::Unknown(key.clone())),
        );
    }
    if let (Some(name), Some(value)) = (&ep.path_field, path)
        && let Some(def) = ep.field(name)
    {
        check_text(def, value, &mut problems);
    }
    for key in map.keys() {
        match ep.field(key) {
            None => problems.push(Problem::Unknown(key.clone())),
            Some(def) if ep.is_path_field(&def.name) => problems.push(Problem::InBody(&def.name)),
            Some(_) => {}
        }
    }
    for def in ep.fields.iter().filter(|d| !ep.is_path_field(&d.name)) {
        let value = map.get(&def.name);
        if is_empty(value) {
            if def.required {
                problems.push(Problem::Missing(&def.name));
            }
        } else if let Some(v) = value {
            check_value(def, v, &mut problems);
        }
    }
    for rule in &ep.rules {
        if matches(map.get(&rule.field), &rule.equals) {
            for then in &rule.then {
                if is_empty(map.get(then)) {
                    problems.push(Problem::Rule {
                        field: then,
                        label: &rule.label,
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(problems)
    }
}

/// The object that holds the fields: `column` inside the envelope, or the body itself.
pub(crate) fn fields_of<'b>(ep: &Endpoint, body: &'b Value) -> Option<&'b Map<String, Value>> {
    match &ep.envelope {
        Envelope::Key(k) => body.get(k)?.as_object(),
        Envelope::Bare => body.as_object(),
    }
}

/// Whether a valid body names a record that does not exist: an update (an endpoint
/// with an `id` field in its body) whose id is at or past [`MISSING_FROM`].
pub(crate) fn names_missing_record(ep: &Endpoint, body: &Value) -> bool {
    if ep.path_field.is_some() || !ep.idempotent {
        return false;
    }
    fields_of(ep, body)
        .and_then(|m| m.get("id"))
        .and_then(|v| match v {
            Value::String(s) => s.parse::<i64>().ok(),
            other => other.as_i64(),
        })
        .is_some_and(|id| id >= MISSING_FROM)
}

/// Absent, `null` and `""` all mean "no value" on every wire.
fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

fn matches(v: Option<&Value>, lit: &Lit) -> bool {
    match (v, lit) {
        (Some(Value::Bool(b)), Lit::Bool(want)) => b == want,
        (Some(Value::String(s)), Lit::Bool(want)) => s == if *want { "true" } else { "false" },
        (Some(Value::String(s)), Lit::Str(want)) => s == want,
        _ => false,
    }
}

/// A value's JSON type as the field's wire form says, then its text or items.
fn check_value(def: &'static FieldDef, v: &Value, problems: &mut Vec<Problem>) {
    let wrong = |expected: &str| Problem::Type {
        field: &def.name,
        expected: expected.to_owned(),
    };
    match (def.json, v) {
        (Json::String, Value::String(s)) => check_text(def, s, problems),
        (Json::String, _) => problems.push(wrong("a JSON string")),
        (Json::Number, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            check_text(def, &n.to_string(), problems);
        }
        (Json::Number, _) => problems.push(wrong("a JSON integer")),
        (Json::Boolean, Value::Bool(_)) => {}
        (Json::Boolean, _) => problems.push(wrong("a JSON boolean")),
        (Json::Array, Value::Array(items)) => {
            let item = match def.ty {
                FieldType::List(item) => item,
                _ => ItemType::String,
            };
            let ok = items.iter().all(|i| match item {
                ItemType::Integer => i.is_i64() || i.is_u64(),
                ItemType::String => i.is_string(),
            });
            if !ok {
                problems.push(wrong(&format!("a JSON array of {}", item_name(item))));
            }
        }
        (Json::Array, _) => problems.push(wrong("a JSON array")),
    }
}

fn item_name(item: ItemType) -> &'static str {
    match item {
        ItemType::Integer => "integers",
        ItemType::String => "strings",
    }
}

/// A value written as text: its form by type, then the page's own rules.
fn check_text(def: &'static FieldDef, s: &str, problems: &mut Vec<Problem>) {
    let format = def.default_format().unwrap_or("");
    let ok = match def.ty {
        FieldType::String | FieldType::List(_) => true,
        FieldType::Integer => is_integer_text(s),
        FieldType::Decimal => is_decimal_text(s),
        FieldType::Bool => matches!(s, "true" | "false" | "1" | "0"),
        FieldType::Date => NaiveDate::parse_from_str(s, format).is_ok(),
        FieldType::DateTime => NaiveDateTime::parse_from_str(s, format).is_ok(),
        FieldType::Time => NaiveTime::parse_from_str(s, format).is_ok(),
    };
    if !ok {
        let expected = match def.ty {
            FieldType::Integer => "an integer (digits, optional minus sign)".to_owned(),
            FieldType::Decimal => "a decimal like -9440.0000 (dot, no thousands)".to_owned(),
            FieldType::Bool => "true or false".to_owned(),
            FieldType::Date => format!("a date in the format {format}"),
            FieldType::DateTime => format!("a date and time in the format {format}"),
            FieldType::Time => format!("a time in the format {format}"),
            FieldType::String | FieldType::List(_) => "text".to_owned(),
        };
        problems.push(Problem::Type {
            field: &def.name,
            expected,
        });
        return;
    }
    if !def.one_of.is_empty() && !def.one_of.iter().any(|o| o == s) {
        problems.push(Problem::OneOf {
            field: &def.name,
            allowed: def.one_of.join(", "),
        });
    }
    if let Some(p) = &def.pattern
        && !p.is_match(s)
    {
        problems.push(Problem::Pattern {
            field: &def.name,
            pattern: &p.text,
        });
    }
    if let Some(check) = def.check
        && !check.is_valid(s)
    {
        problems.push(Problem::Check {
            field: &def.name,
            check: check.name(),
        });
    }
    if let Some(min) = def.min
        && s.parse::<rust_decimal::Decimal>().is_ok_and(|d| d < min)
    {
        problems.push(Problem::Min {
            field: &def.name,
            min,
        });
    }
}

/// `-?[0-9]+`: what a provider's integer parser surely reads the same way.
fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `-?[0-9]+(\.[0-9]+)?`: no thousands separators, no decimal comma, no exponent.
fn is_decimal_text(s: &str) -> bool {
    match s.split_once('.') {
        Some((int, frac)) => {
            is_integer_text(int) && !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => is_integer_text(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::find;

    fn ep(id: &str) -> &'static Endpoint {
        find(id).expect("built-in endpoint")
    }

    #[test]
    fn number_texts() {
        for good in ["0", "-5", "12"] {
            assert!(is_integer_text(good), "{good}");
        }
        for bad in ["", "-", "+5", "1.0", " 5", "1_000"] {
            assert!(!is_integer_text(bad), "{bad}");
        }
        for good in ["-9440.0000", "0.5", "12"] {
            assert!(is_decimal_text(good), "{good}");
        }
        for bad in ["1,5", "1.", ".5", "1.234,56", "1e5", "-"] {
            assert!(!is_decimal_text(bad), "{bad}");
        }
    }

    #[test]
    fn transaction_dates_use_the_endpoint_format() {
        let body = |date: &str| {
            serde_json::json!({"column": {
                "customer_id": "5", "amount": "10.00", "sign": "-1", "date": date, "hour": "14:30",
                "comment": "Satış faturası", "currency": "TRY"
            }})
            .to_string()
        };
        let e = ep("oduyo.transaction_create");
        assert!(check(e, None, body("2026.03.01").as_bytes()).is_ok());
        let err = check(e, None, body("2026-03-01").as_bytes()).unwrap_err();
        assert_eq!(err[0].field(), "date");
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let e = ep("netahsilat.customer_update");
        let body = serde_json::json!({
            "code": "C1", "isCompany": "no", "districtCode": "12", "colour": "red"
        });
        let err = check(e, Some("C1"), body.to_string().as_bytes()).unwrap_err();
        let fields: Vec<_> = err.iter().map(Problem::field).collect();
        for f in ["colour", "erpCode", "isCompany", "districtCode"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }
}
