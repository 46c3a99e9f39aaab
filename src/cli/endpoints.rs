//! `aktar endpoints [ID]`: every endpoint aktar knows (built in, or from the endpoint
//! files named in `aktar.toml`) and, for one, its fields as the provider's page names
//! them.

use std::fmt::Write;

use super::Exit;
use crate::providers::{Empty, Endpoint, Envelope, FieldType, Registry};

pub fn run(registry: &Registry, id: Option<&str>) -> Exit {
    match id {
        None => {
            for e in registry.all() {
                println!(
                    "{:<36} {:<6} {:<58} {}",
                    e.id,
                    e.method.as_str(),
                    e.path,
                    e.origin
                );
            }
            Exit::Ok
        }
        Some(id) => match registry.find(id) {
            Some(e) => {
                print!("{}", describe(e));
                Exit::Ok
            }
            None => {
                eprintln!(
                    "aktar: unknown endpoint `{id}`; known: {}",
                    registry.ids().join(", ")
                );
                Exit::Input
            }
        },
    }
}

/// The text `aktar endpoints ID` prints.
pub fn describe(e: &Endpoint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", e.id, e.description);
    if !e.page.is_empty() {
        let _ = writeln!(out, "  page:       {}", e.page);
    }
    let _ = writeln!(out, "  from:       {}", e.origin);
    let _ = writeln!(out, "  request:    {} {}", e.method.as_str(), e.path);
    let body = match &e.envelope {
        Envelope::Key(k) => format!("{{\"{k}\": {{...}}}}"),
        Envelope::Bare => "{...}".to_string(),
    };
    let _ = writeln!(out, "  body:       {body}");
    let empty = match e.empty {
        Empty::Omit => "left out of the body (a blank cell never erases a value)",
        Empty::Send => "sent as \"\"",
        Empty::Null => "sent as null",
    };
    let _ = writeln!(out, "  empty:      {empty}");
    let success = match &e.answer.status_field {
        Some(p) => format!("a 2xx answer whose {p} is {}", e.answer.success),
        None => "any 2xx answer".to_string(),
    };
    let _ = writeln!(out, "  success:    {success}");
    let idempotent = if e.idempotent {
        "yes"
    } else {
        "no — never sent twice"
    };
    let _ = writeln!(out, "  idempotent: {idempotent}");
    if !e.references.is_empty() {
        let _ = writeln!(out, "  reference:  {}", e.references.join(", then "));
    }
    let _ = writeln!(out, "  fields ({}):", e.fields.len());
    for f in &e.fields {
        let mut notes = Vec::new();
        if f.required {
            notes.push("required".to_string());
        }
        if e.is_path_field(&f.name) {
            notes.push("in the path".to_string());
        }
        if let Some(fmt) = &f.format {
            notes.push(format!("format {fmt}"));
        }
        if !f.one_of.is_empty() {
            notes.push(format!("one of {}", f.one_of.join(" / ")));
        }
        if let Some(p) = &f.pattern {
            notes.push(format!("pattern {}", p.text));
        }
        if let Some(min) = f.min {
            notes.push(format!(">= {min}"));
        }
        if let Some(c) = f.check {
            notes.push(format!("check {}", c.name()));
        }
        if let Some(x) = f.empty {
            notes.push(format!("empty = {}", x.name()));
        }
        let ty = match f.ty {
            FieldType::List(_) => f.ty.to_string(),
            other => other.name().to_string(),
        };
        let _ = writeln!(
            out,
            "    {:<26} {:<15} {:<13} {}{}",
            f.name,
            ty,
            format!("JSON {}", f.json.name()),
            f.doc,
            if notes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", notes.join(", "))
            }
        );
    }
    for r in &e.rules {
        let _ = writeln!(out, "  when {}: {} required", r.label, r.then.join(", "));
    }
    out
}
