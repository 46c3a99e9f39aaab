//! The ledger: what each write did, per endpoint and key. It is the sandbox's proof
//! of exactly-once: a test (or an integrator) reads `writes` to see whether a key was
//! posted once, never, or twice, and `last` to see what the provider would now hold.
//!
//! Keys are what the provider itself would call the record: the id in the path, else
//! the body's `id`, else (for a create, which has no id yet) a hash of the canonical
//! body, so that two identical creates land on one key and show up as a double post.

use serde_json::{Map, Value};

use super::LedgerEntry;
use super::state::Inner;
use super::validate::fields_of;
use crate::providers::{Endpoint, FieldType};

/// What an applied write gives its answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Applied {
    /// An update of the record with this id.
    Updated(String),
    /// A create: the fields as received and the number the new record got.
    Created {
        fields: Map<String, Value>,
        number: u64,
    },
    /// The whole record after the update (answers that return the record).
    Record(Value),
}

/// The ledger key of a body that passed validation (`path`: the value in the path).
pub fn key(ep: &Endpoint, path: Option<&str>, body: &Value) -> String {
    if let (Some(name), Some(value)) = (ep.path_field.as_deref(), path) {
        return normal(ep, name, value);
    }
    let fields = fields_of(ep, body);
    let text = |name: &str| match fields.and_then(|m| m.get(name)) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(id) = text("id") {
        return normal(ep, "id", &id);
    }
    blake3::hash(canonical(body).as_bytes())
        .to_hex()
        .to_string()
}

/// An integer key written as the number it is, so `"05"` and `"5"` are one record.
fn normal(ep: &Endpoint, field: &str, value: &str) -> String {
    match ep.field(field).map(|f| f.ty) {
        Some(FieldType::Integer) => value
            .parse::<i64>()
            .map_or_else(|_| value.to_owned(), |n| n.to_string()),
        _ => value.to_owned(),
    }
}

/// JSON with object keys sorted at every level: the same body, whatever order its
/// fields were written in, hashes the same. (serde_json here keeps insertion order.)
pub(crate) fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    if let Some(inner) = m.get(k) {
                        out.insert(k.clone(), sorted(inner));
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

impl Inner {
    /// Applies a write: the ledger, the stats, and what the answer needs.
    pub fn apply(&mut self, ep: &Endpoint, key: &str, body: &Value) -> Applied {
        let entry = self
            .ledger
            .endpoints
            .entry(ep.id.to_owned())
            .or_default()
            .entry(key.to_owned())
            .or_insert_with(|| LedgerEntry {
                writes: 0,
                last: Value::Null,
                numbers: Vec::new(),
            });
        entry.writes += 1;
        entry.last = body.clone();
        self.stats.writes += 1;
        if !ep.idempotent {
            let number = self.next_id;
            self.next_id += 1;
            entry.numbers.push(number);
            let fields = fields_of(ep, body).cloned().unwrap_or_default();
            return Applied::Created { fields, number };
        }
        if ep.provider.behaviour().answers_with_record() {
            Applied::Record(self.merge_record(ep, key, body))
        } else {
            Applied::Updated(key.to_owned())
        }
    }

    /// A partial update: the body's fields over what the record held.
    fn merge_record(&mut self, ep: &Endpoint, key: &str, body: &Value) -> Value {
        let record = self
            .records
            .entry((ep.id.clone(), key.to_owned()))
            .or_default();
        if let Some(fields) = fields_of(ep, body) {
            for (k, v) in fields {
                record.insert(k.clone(), v.clone());
            }
        }
        let mut out = Map::new();
        if let Some(name) = &ep.path_field {
            out.insert(name.to_owned(), Value::from(key));
        }
        out.extend(record.iter().map(|(k, v)| (k.clone(), v.clone())));
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::find;
    use serde_json::json;

    #[test]
    fn keys_follow_the_record_each_provider_names() {
        let e = |id| find(id).expect("endpoint");
        let body = json!({"column": {"id": "0042"}});
        assert_eq!(key(e("oduyo.customer_update"), None, &body), "42");
        assert_eq!(
            key(
                e("fatura_entegrator.customer_update"),
                Some("7"),
                &json!({})
            ),
            "7"
        );
        assert_eq!(
            key(e("netahsilat.customer_update"), Some("C-1"), &json!({})),
            "C-1"
        );
        let tx = e("oduyo.transaction_create");
        let a = json!({"column": {"amount": "1", "date": "2026.01.02"}});
        let b = json!({"column": {"date": "2026.01.02", "amount": "1"}});
        assert_eq!(key(tx, None, &a), key(tx, None, &b));
        assert_eq!(key(tx, None, &a).len(), 64);
    }
}
