//! What the validation tests share: a mapping compiled from text, and one row of
//! text cells checked against it.

use std::path::Path;
use std::sync::Arc;

use super::{Checked, Mapping, check_row};
use crate::mapping::load_str;
use crate::read::{Cell, Row, SourcePos};

pub(super) fn mapping(text: &str) -> Mapping {
    load_str(Path::new("t.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn row(n: u64, cells: &[Cell]) -> Row {
    Row {
        pos: SourcePos {
            file: Arc::from("f.csv"),
            sheet: None,
            row: n,
        },
        cells: cells.to_vec(),
        ragged: None,
    }
}

pub(super) fn t(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.into())
    }
}

/// Validates text cells laid out under `headers`.
pub(super) fn check(m: &Mapping, headers: &[&str], cells: &[&str]) -> Checked {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let binding = m
        .bind(&headers)
        .unwrap_or_else(|miss| panic!("missing {miss:?}"));
    let cells: Vec<Cell> = cells.iter().map(|c| t(c)).collect();
    check_row(m, &binding, &headers, row(2, &cells))
}

pub(super) fn rules(c: &Checked) -> Vec<(String, &'static str)> {
    match &c.outcome {
        Ok(_) => Vec::new(),
        Err(e) => e
            .iter()
            .map(|e| (e.column.clone(), e.problem.rule()))
            .collect(),
    }
}
