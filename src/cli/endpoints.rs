//! `aktar endpoints [ID]`: the built-in endpoints and, for one, its fields.

use super::Exit;
use crate::providers::{self, Constraint, Endpoint};

pub fn run(id: Option<&str>) -> Exit {
    match id {
        None => {
            for e in providers::all() {
                println!(
                    "{:<36} {:<6} {:<58} {}",
                    e.id,
                    e.method.as_str(),
                    e.path,
                    e.description
                );
            }
            Exit::Ok
        }
        Some(id) => match providers::find(id) {
            Some(e) => {
                print!("{}", describe(e));
                Exit::Ok
            }
            None => {
                let known: Vec<_> = providers::all().map(|e| e.id).collect();
                eprintln!(
                    "aktar: unknown endpoint `{id}`; known: {}",
                    known.join(", ")
                );
                Exit::Input
            }
        },
    }
}

/// The text `aktar endpoints ID` prints.
pub fn describe(e: &Endpoint) -> String {
    let mut out = String::new();
    out.push_str(&format!("{} — {}\n", e.id, e.description));
    out.push_str(&format!("  request:    {} {}\n", e.method.as_str(), e.path));
    out.push_str(&format!(
        "  body:       {}\n",
        match e.envelope {
            providers::Envelope::Column => "{\"column\": {...}}",
            providers::Envelope::Bare => "{...}",
        }
    ));
    out.push_str(&format!(
        "  values:     {}\n",
        match (e.wire, e.omit_empty) {
            (providers::Wire::Text, _) => "every value a JSON string; empty values as \"\"",
            (providers::Wire::Native, true) =>
                "JSON types; decimals as exact strings; empty cells left out (partial update)",
            (providers::Wire::Native, false) =>
                "JSON types; decimals as exact strings; empty values as null",
        }
    ));
    out.push_str(&format!(
        "  idempotent: {}\n",
        if e.idempotent {
            "yes"
        } else {
            "no — never sent twice"
        }
    ));
    out.push_str("  fields:\n");
    for f in e.fields {
        let mut notes = Vec::new();
        if f.required {
            notes.push("required".to_string());
        }
        if Some(f.name) == e.path_field {
            notes.push("in the path".to_string());
        }
        if let Some(fmt) = f.format {
            notes.push(format!("format {fmt}"));
        }
        match f.constraint {
            Constraint::None => {}
            Constraint::OneOf(v) => notes.push(format!("one of {}", v.join("/"))),
            Constraint::Check(c) => notes.push(format!("check {}", c.name())),
            Constraint::NonNegative => notes.push(">= 0".to_string()),
        }
        out.push_str(&format!(
            "    {:<26} {:<16} {}{}\n",
            f.name,
            f.ty.to_string(),
            f.doc,
            if notes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", notes.join(", "))
            }
        ));
    }
    for r in e.rules {
        out.push_str(&format!(
            "  when {}: {} required\n",
            r.label,
            r.then.join(", ")
        ));
    }
    out
}
