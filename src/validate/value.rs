//! A field's typed value, and how it is written on the wire (JSON strings for Ödüyo,
//! native JSON types for the others; decimals always as exact strings).

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::providers::Wire;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Str(String),
    Int(i64),
    Dec(Decimal),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Time(NaiveTime),
    List(Vec<Value>),
}

impl Value {
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

    /// The JSON this value becomes in a request body.
    pub fn to_json(&self, wire: Wire, format: Option<&str>) -> Json {
        match (self, wire) {
            (Value::Null, Wire::Text) => Json::String(String::new()),
            (Value::Null, Wire::Native) => Json::Null,
            (Value::Int(i), Wire::Native) => Json::from(*i),
            (Value::Bool(b), Wire::Native) => Json::Bool(*b),
            (Value::Bool(b), Wire::Text) => Json::String(if *b { "1" } else { "0" }.into()),
            (Value::List(items), Wire::Native) => {
                Json::Array(items.iter().map(|i| i.to_json(wire, format)).collect())
            }
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
            Value::Dec(d).to_json(Wire::Text, None),
            Json::from("-9440.0000")
        );
        assert_eq!(
            Value::Dec(d).to_json(Wire::Native, None),
            Json::from("-9440.0000")
        );
        assert_eq!(Value::Int(5).to_json(Wire::Text, None), Json::from("5"));
        assert_eq!(Value::Int(5).to_json(Wire::Native, None), Json::from(5));
        assert_eq!(
            Value::Bool(true).to_json(Wire::Native, None),
            Json::Bool(true)
        );
        assert_eq!(Value::Null.to_json(Wire::Native, None), Json::Null);
        assert_eq!(Value::Null.to_json(Wire::Text, None), Json::from(""));
        let date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(
            Value::Date(date).to_json(Wire::Text, Some("%Y.%m.%d")),
            Json::from("2026.03.05")
        );
        let list = Value::List(vec![Value::Int(3), Value::Int(7)]);
        assert_eq!(list.to_json(Wire::Native, None), serde_json::json!([3, 7]));
    }
}
