//! `aktar journal reconcile`: the posts whose outcome is unknown, settled against the
//! provider's own statement export.
//!
//! Each uncertain post of the mapping's endpoint is read back from the payload the
//! journal recorded when it was sent, the statement's lines are read with the
//! mapping's `[reconcile]` columns ([`statement`]), and [`matching`] decides: on the
//! statement (`sent`, with the line's document number), absent from a statement that
//! covers its date (`unsent`: the next run posts it), or left for a person. Nothing is
//! written until [`apply`] — the command shows the plan first.

use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value as Json;

use crate::journal::settle::Settlement;
use crate::journal::{Journal, JournalError};
use crate::mapping::Mapping;
use crate::providers::Envelope;
use crate::turkish::date::{parse_date_forms, parse_time};

pub mod matching;
pub mod statement;

pub use matching::{Coverage, Line, Parts, Side, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(
        "{mapping}: no [reconcile] table; name the statement's columns there (customer, amount or debit_credit, date, …)"
    )]
    NoTable { mapping: String },
    #[error(transparent)]
    Statement(#[from] statement::StatementError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// What the statement says of every unsettled post of one endpoint.
#[derive(Debug, Serialize)]
pub struct Reconciliation {
    pub endpoint: String,
    pub statement: String,
    pub coverage: Coverage,
    pub lines: Vec<Line>,
    pub items: Vec<Item>,
}

#[derive(Debug, Serialize)]
pub struct Item {
    pub key: String,
    /// Its status in the journal (`uncertain`, or `pending` left by a run that died).
    pub status: String,
    /// As read back from its payload; `None` when that cannot be read.
    pub parts: Option<Parts>,
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl Reconciliation {
    pub fn left(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i.verdict, Verdict::Left { .. }))
            .count()
    }

    /// The document number of the line a post was found on.
    pub fn reference(&self, item: &Item) -> Option<&str> {
        match item.verdict {
            Verdict::Sent { line } => self.lines.get(line)?.reference.as_deref(),
            _ => None,
        }
    }
}

/// Reads the statement and decides each unsettled post of `m`'s endpoint.
pub fn prepare(
    m: &Mapping,
    j: &Journal,
    statement_path: &Path,
) -> Result<Reconciliation, ReconcileError> {
    let r = m
        .reconcile
        .as_ref()
        .ok_or_else(|| ReconcileError::NoTable {
            mapping: m.path.display().to_string(),
        })?;
    let lines = statement::read(statement_path, r)?;
    let unsettled = j.unsettled(&m.endpoint.id)?;
    let accepted = j.accepted(&m.endpoint.id)?;
    let posts: Vec<matching::Post> = unsettled
        .iter()
        .map(|u| matching::Post {
            key: u.key.clone(),
            parts: u
                .body
                .as_deref()
                .ok_or_else(|| "the journal has no payload recorded for it".to_string())
                .and_then(|b| payload_parts(m, b)),
        })
        .collect();
    let known: Vec<matching::Known> = accepted
        .into_iter()
        .map(|a| matching::Known {
            parts: a.body.as_deref().and_then(|b| payload_parts(m, b).ok()),
            key: a.key,
            provider_ref: a.provider_ref,
        })
        .collect();
    let verdicts = matching::decide(&posts, &known, &lines);
    let items = unsettled
        .into_iter()
        .zip(posts)
        .zip(verdicts)
        .map(|((u, p), verdict)| Item {
            key: u.key,
            status: u.status,
            parts: p.parts.ok(),
            verdict,
        })
        .collect();
    Ok(Reconciliation {
        endpoint: m.endpoint.id.clone(),
        statement: statement_path.display().to_string(),
        coverage: Coverage::of(&lines),
        lines,
        items,
    })
}

/// Writes the `sent` and `unsent` verdicts to the journal, in one transaction; what is
/// left for a person stays uncertain. Returns how many were settled.
pub fn apply(j: &Journal, rec: &Reconciliation) -> Result<usize, JournalError> {
    let mut settled = Vec::new();
    for item in &rec.items {
        match &item.verdict {
            Verdict::Sent { line } => {
                let row = rec.lines.get(*line).map_or(0, |l| l.row);
                settled.push((
                    item.key.as_str(),
                    item.status.as_str(),
                    Settlement::Sent {
                        provider_ref: rec.reference(item).map(str::to_string),
                    },
                    format!("reconciled: on the statement {}, row {row}", rec.statement),
                ));
            }
            Verdict::Unsent => settled.push((
                item.key.as_str(),
                item.status.as_str(),
                Settlement::Unsent,
                format!(
                    "reconciled: not on the statement {}, which covers its date",
                    rec.statement
                ),
            )),
            Verdict::Left { .. } => {}
        }
    }
    j.settle_all(&rec.endpoint, &settled)
}

/// The parts of a post from the payload it was sent with, by the endpoint's
/// `statement` fields; the date and hour in the formats the mapping sends them in.
fn payload_parts(m: &Mapping, body: &str) -> Result<Parts, String> {
    let json: Json =
        serde_json::from_str(body).map_err(|_| "its recorded payload is not JSON".to_string())?;
    let fields = match &m.endpoint.envelope {
        Envelope::Key(k) => json.get(k),
        Envelope::Bare => Some(&json),
    }
    .and_then(Json::as_object)
    .ok_or_else(|| "its recorded payload has no fields".to_string())?;
    let st = &m.endpoint.statement;
    let get = |name: &Option<String>| -> Option<String> {
        match fields.get(name.as_deref()?)? {
            Json::String(s) => Some(s.trim().to_string()),
            Json::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let missing = |part: &str| format!("its recorded payload has no {part}");
    let format = |name: &Option<String>| -> Option<String> {
        let name = name.as_deref()?;
        m.field(name)
            .and_then(|f| f.format.clone())
            .or_else(|| m.endpoint.field(name)?.default_format().map(str::to_string))
    };
    let customer = get(&st.customer).ok_or_else(|| missing("customer"))?;
    let amount = get(&st.amount)
        .and_then(|a| Decimal::from_str(&a).ok())
        .ok_or_else(|| missing("amount"))?;
    let side = match get(&st.sign) {
        Some(s) => Some(Side::parse(&s).ok_or_else(|| format!("its sign \"{s}\" is unknown"))?),
        None => None,
    };
    let date = get(&st.date)
        .and_then(|d| {
            format(&st.date)
                .and_then(|f| NaiveDate::parse_from_str(&d, &f).ok())
                .or_else(|| parse_date_forms(&d).map(|t| t.date()))
        })
        .ok_or_else(|| missing("readable date"))?;
    let hour = match get(&st.hour) {
        Some(h) => Some(
            format(&st.hour)
                .and_then(|f| NaiveTime::parse_from_str(&h, &f).ok())
                .or_else(|| parse_time(&h))
                .ok_or_else(|| format!("its hour \"{h}\" cannot be read"))?,
        ),
        None => None,
    };
    Ok(Parts {
        customer,
        amount,
        side,
        date,
        hour,
        comment: get(&st.comment),
    })
}
