//! A field's typed value, and how it is written on the wire: as the JSON type the
//! endpoint's field is sent as (decimals always as exact strings).

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::providers::Json as Wire;

/// Text borrows from the row it was read from wherever the cell's own text is sent as
/// it is, which is most string fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Dec(Decimal),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Time(NaiveTime),
    List(Vec<Value<'a>>),
}

impl Value<'_> {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as text, for checks, `one_of`, conditions and path segments. Dates use
    /// `format` (strftime) when given.
    pub fn text(&self, format: Option<&str>) -> Cow<'_, str> {
        match self {
            Value::Null => Cow::Borrowed(""),
            Value::Str(s) => Cow::Borrowed(s),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Dec(d) => Cow::Owned(d.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Date(d) => Cow::Owned(render(d.format(format.unwrap_or("%Y-%m-%d")))),
            Value::DateTime(d) => {
                Cow::Owned(render(d.format(format.unwrap_or("%Y-%m-%d %H:%M:%S"))))
            }
            Value::Time(t) => Cow::Owned(render(t.format(format.unwrap_or("%H:%M")))),
            Value::List(items) => Cow::Owned(
                items
                    .iter()
                    .map(|i| i.text(format).into_owned())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        }
    }

    /// The JSON this value becomes in a request body, for a field sent as `wire`. An
    /// empty value never gets here: the field's `empty` rule decides what it becomes.
    pub fn to_json(&self, wire: Wire, format: Option<&str>) -> Json {
        match (self, wire) {
            (Value::Null, _) => Json::Null,
            (Value::Int(i), Wire::Number) => Json::from(*i),
            (Value::Bool(b), Wire::Boolean) => Json::Bool(*b),
            (Value::Bool(b), Wire::String) => Json::String(if *b { "1" } else { "0" }.into()),
            (Value::List(items), Wire::Array) => Json::Array(
                items
                    .iter()
                    .map(|i| match i {
                        Value::Int(n) => Json::from(*n),
                        other => Json::String(other.text(format).into_owned()),
                    })
                    .collect(),
            ),
            (v, _) => Json::String(v.text(format).into_owned()),
        }
    }
}

/// Formats without panicking: chrono's `to_string` panics when a format asks for what
/// the value lacks (an hour of a date). The mapping compiler rejects such formats, so
/// an empty string here is a last guard, not a path users meet.
fn render(f: impl std::fmt::Display) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if write!(s, "{f}").is_err() {
        s.clear();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_forms() {
        let d = Decimal::new(-94400000, 4);
        assert_eq!(
            Value::Dec(d).to_json(Wire::String, None),
            Json::from("-9440.0000")
        );
        assert_eq!(Value::Int(5).to_json(Wire::String, None), Json::from("5"));
        assert_eq!(Value::Int(2).to_json(Wire::Number, None), Json::from(2));
        assert_eq!(
            Value::Bool(true).to_json(Wire::Boolean, None),
            Json::Bool(true)
        );
        assert_eq!(
            Value::Bool(true).to_json(Wire::String, None),
            Json::from("1")
        );
        let date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(
            Value::Date(date).to_json(Wire::String, Some("%Y.%m.%d")),
            Json::from("2026.03.05")
        );
        let ids = Value::List(vec![Value::Str("a90b".into()), Value::Str("c3".into())]);
        assert_eq!(
            ids.to_json(Wire::Array, None),
            serde_json::json!(["a90b", "c3"])
        );
        let list = Value::List(vec![Value::Int(3), Value::Int(7)]);
        assert_eq!(list.to_json(Wire::Array, None), serde_json::json!([3, 7]));
    }
}
