//! The rules a typed value must pass beyond its type: checks, pattern, lengths,
//! bounds, `one_of` and the endpoint's own constraint.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::field::RowCx;
use super::value::Value;
use crate::mapping::{Bound, Field};
use crate::problem::Problem;

impl RowCx<'_> {
    /// Applies checks, pattern, lengths, bounds, `one_of` and the endpoint's own
    /// constraint. Returns whether the value passed them all.
    pub(super) fn constraints(
        &mut self,
        f: &Field,
        v: &Value,
        column: &str,
        original: &str,
    ) -> bool {
        let before = self.errors.len();
        // A list's rules are its items' rules: `check = "uuid"` on representative ids
        // checks each id, not the ids joined by commas.
        if let Value::List(items) = v {
            for item in items {
                self.constraints(f, item, column, original);
            }
            return self.errors.len() == before;
        }
        let needs_text = !f.checks.is_empty()
            || f.pattern.is_some()
            || f.min_len.is_some()
            || f.max_len.is_some()
            || !f.one_of.is_empty()
            || !f.def.one_of.is_empty()
            || f.def.pattern.is_some();
        // Rendering a number or a date as text costs an allocation a cell; most such
        // fields have no rule that reads the text.
        let text = if needs_text {
            v.text(f.format.as_deref())
        } else {
            Cow::Borrowed("")
        };
        for c in &f.checks {
            if !c.is_valid(&text) {
                self.push(column, original, Problem::Check { check: c.name() });
            }
        }
        // The mapping's pattern and the page's own, whatever the mapping says.
        for p in f.pattern.iter().chain(&f.def.pattern) {
            if !p.is_match(&text) {
                let pattern = p.text.clone();
                self.push(column, original, Problem::Pattern { pattern });
            }
        }
        // A text no longer in bytes than the most it may have in characters has no
        // more characters than that: only a minimum, or a longer text, needs a count.
        if f.min_len.is_some() || f.max_len.is_some_and(|max| text.len() > max) {
            let len = text.chars().count();
            if let Some(min) = f.min_len
                && len < min
            {
                self.push(column, original, Problem::MinLen { min });
            }
            if let Some(max) = f.max_len
                && len > max
            {
                self.push(column, original, Problem::MaxLen { max });
            }
        }
        if let Some(b) = &f.min
            && below(v, b)
        {
            self.push(column, original, Problem::Min { min: b.to_string() });
        }
        if let Some(b) = &f.max
            && above(v, b)
        {
            self.push(column, original, Problem::Max { max: b.to_string() });
        }
        for allowed in [&f.one_of, &f.def.one_of] {
            if !allowed.is_empty() && !allowed.iter().any(|o| *o == text) {
                let allowed = allowed.join(", ");
                self.push(column, original, Problem::OneOf { allowed });
            }
        }
        let def = f.def;
        if let Some(min) = def.min
            && below(v, &Bound::Number(min))
        {
            self.push(
                column,
                original,
                Problem::Min {
                    min: min.to_string(),
                },
            );
        }
        self.errors.len() == before
    }
}

fn below(v: &Value, b: &Bound) -> bool {
    match (v, b) {
        (Value::Int(i), Bound::Number(n)) => Decimal::from(*i) < *n,
        (Value::Dec(d), Bound::Number(n)) => d < n,
        (Value::Date(d), Bound::Date(n)) => d < n,
        (Value::DateTime(d), Bound::Date(n)) => d.date() < *n,
        _ => false,
    }
}

fn above(v: &Value, b: &Bound) -> bool {
    match (v, b) {
        (Value::Int(i), Bound::Number(n)) => Decimal::from(*i) > *n,
        (Value::Dec(d), Bound::Number(n)) => d > n,
        (Value::Date(d), Bound::Date(n)) => d > n,
        (Value::DateTime(d), Bound::Date(n)) => d.date() > *n,
        _ => false,
    }
}
