//! `aktar journal reconcile -m MAPPING STATEMENT [--apply]`: the plan as a table a
//! person reads before anything is written, then, with `--apply`, the journal settled.
//!
//! Exit 0 when every unsettled post is (or would be) settled, 1 when some are left
//! for a person, 2 when the mapping, the statement or the journal cannot be read.

use std::path::Path;

use serde::Serialize;

use super::Exit;
use crate::config::Config;
use crate::journal::{Journal, RunLock};
use crate::mapping;
use crate::reconcile::{self, Item, Line, Parts, Reconciliation, Verdict};

/// Longest comment shown in the table; the JSON has them whole.
const COMMENT_WIDTH: usize = 32;

pub fn run(
    config: &Config,
    mapping_path: &Path,
    statement: &Path,
    apply: bool,
    json: bool,
) -> Result<Exit, String> {
    let registry = config.registry().map_err(|e| e.to_string())?;
    let m = mapping::load_with(mapping_path, &registry).map_err(|e| e.to_string())?;
    let path = &config.state.path;
    if !path.exists() {
        return Err(format!(
            "{}: there is no journal yet (no run has sent anything)",
            path.display()
        ));
    }
    // A run sending now has pendings in flight: they are not for a statement to settle.
    let _lock = RunLock::acquire(path).map_err(|e| e.to_string())?;
    let journal = if apply {
        let j = Journal::open(path).map_err(|e| e.to_string())?;
        j.recover_pending().map_err(|e| e.to_string())?;
        j
    } else {
        match Journal::open_read_only(path).map_err(|e| e.to_string())? {
            Some(j) => j,
            // Written by an older aktar: brought up to date, as any run would.
            None => Journal::open(path).map_err(|e| e.to_string())?,
        }
    };
    let rec = reconcile::prepare(&m, &journal, statement).map_err(|e| e.to_string())?;
    let settled = if apply {
        Some(reconcile::apply(&journal, &rec).map_err(|e| e.to_string())?)
    } else {
        None
    };
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            applied: bool,
            settled: Option<usize>,
            #[serde(flatten)]
            rec: &'a Reconciliation,
        }
        let out = Out {
            applied: apply,
            settled,
            rec: &rec,
        };
        let text = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print_plan(&rec, settled);
    }
    Ok(if rec.left() > 0 { Exit::Rows } else { Exit::Ok })
}

fn print_plan(rec: &Reconciliation, settled: Option<usize>) {
    let c = &rec.coverage;
    let span = match (c.first, c.last) {
        (Some(a), Some(b)) => format!("{}–{}", a.format("%d.%m.%Y"), b.format("%d.%m.%Y")),
        _ => "no dates".into(),
    };
    println!(
        "{}: {} unsettled; statement {}: {} lines, {span}",
        rec.endpoint,
        rec.items.len(),
        rec.statement,
        rec.lines.len()
    );
    if rec.items.is_empty() {
        println!("nothing to settle");
        return;
    }
    let mut table = vec![[
        "KEY".to_string(),
        "DATE".into(),
        "HOUR".into(),
        "CUSTOMER".into(),
        "AMOUNT".into(),
        "COMMENT".into(),
        "DECISION".into(),
    ]];
    for item in &rec.items {
        let [date, hour, customer, amount, comment] = cells(item.parts.as_ref());
        table.push([
            item.key.clone(),
            date,
            hour,
            customer,
            amount,
            comment,
            decision(rec, item),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    println!();
    for (n, row) in table.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
        if let Some(Verdict::Left { lines, .. }) = n.checked_sub(1).map(|i| &rec.items[i].verdict) {
            for l in lines.iter().filter_map(|i| rec.lines.get(*i)) {
                println!("    could be {}", describe(l));
            }
        }
    }
    let count = |f: fn(&Verdict) -> bool| rec.items.iter().filter(|i| f(&i.verdict)).count();
    let sent = count(|v| matches!(v, Verdict::Sent { .. }));
    let unsent = count(|v| matches!(v, Verdict::Unsent));
    let left = rec.left();
    println!();
    match settled {
        None => println!(
            "would settle: {sent} sent, {unsent} unsent; {left} left for a person. Nothing was written: add --apply to write it to the journal."
        ),
        Some(n) => {
            println!("settled: {n} ({sent} sent, {unsent} unsent); {left} left for a person");
            if left > 0 {
                println!(
                    "  check those in the provider's panel, then: aktar journal resolve KEY --as sent|unsent"
                );
            }
        }
    }
}

fn cells(parts: Option<&Parts>) -> [String; 5] {
    let Some(p) = parts else {
        return ["?".into(), "?".into(), "?".into(), "?".into(), "?".into()];
    };
    let side = p
        .side
        .map(|s| format!(" {}", s.label()))
        .unwrap_or_default();
    [
        p.date.format("%d.%m.%Y").to_string(),
        p.hour
            .map(|h| h.format("%H:%M").to_string())
            .unwrap_or_default(),
        p.customer.clone(),
        format!("{}{side}", p.amount),
        short(p.comment.as_deref().unwrap_or("")),
    ]
}

fn short(s: &str) -> String {
    if s.chars().count() <= COMMENT_WIDTH {
        s.to_string()
    } else {
        let cut: String = s.chars().take(COMMENT_WIDTH - 1).collect();
        format!("{cut}…")
    }
}

fn decision(rec: &Reconciliation, item: &Item) -> String {
    match &item.verdict {
        Verdict::Sent { line } => {
            let row = rec.lines.get(*line).map_or(0, |l| l.row);
            match rec.reference(item) {
                Some(r) => format!("sent: on the statement, row {row}, document {r}"),
                None => format!("sent: on the statement, row {row}"),
            }
        }
        Verdict::Unsent => "unsent: not on the statement; the next run posts it".into(),
        Verdict::Left { why, .. } => format!("for a person: {why}"),
    }
}

fn describe(l: &Line) -> String {
    let [date, hour, customer, amount, comment] = cells(Some(&l.parts));
    let mut out = format!("row {}: {customer} {amount} {date} {hour} {comment}", l.row);
    if let Some(r) = &l.reference {
        out.push_str(&format!(" (document {r})"));
    }
    out
}
