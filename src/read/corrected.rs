//! A corrected `errors.xlsx` as an input: accounting fixes the red cells of the
//! `Hatalar` sheet and sends the file back, and it is read with the same mapping as
//! the export it came from.
//!
//! Such a workbook is recognised by its own shape — sheets `Hatalar` and `Özet`, and
//! a `Hatalar` header holding `Satır` and `Hata` — and read by that shape whatever
//! the mapping's `[source]` says about the original export (its sheet, header row,
//! skipped and total rows belong to the export, not to the report). `Satır`, `Hata`
//! and `Dosya` are aktar's columns, not the export's: they are taken out, and each
//! row gets back its original position — the export's file (named on `Özet`) and the
//! `Satır` number — so a row still wrong is reported where accounting first saw it.
//! A report that covered several files (it has a `Dosya` column) is read against its
//! own rows instead: one input must keep one file name for all its rows.

use std::io::{Read, Seek};
use std::sync::Arc;

use calamine::{Data, Range, Reader};
use rust_decimal::prelude::ToPrimitive;

use super::records::{Source, cell_text};
use super::{Cell, ReadError, Record, SourceOptions, Table};

/// The sheet the rejected rows are in, and the sheet of counts beside it.
pub(crate) const SHEET: &str = "Hatalar";
pub(crate) const OVERVIEW: &str = "Özet";
pub(crate) const ROW: &str = "Satır";
pub(crate) const ERRORS: &str = "Hata";
pub(crate) const FILE: &str = "Dosya";
/// The `Özet` label in front of the export's file name, in either report language.
pub const SOURCE_LABELS: [&str; 2] = ["Kaynak dosya", "Source file"];

/// A workbook found to be an aktar error report.
pub(crate) struct Found {
    pub range: Range<Data>,
    /// The export's file as `Özet` names it (`file` or `file#Sheet`).
    pub source: Option<String>,
}

/// Whether the opened workbook is an aktar error report; its `Hatalar` sheet if so.
/// Only workbooks with both sheets are looked into, so an ordinary export costs one
/// look at its sheet names.
pub(crate) fn detect<RS, R>(wb: &mut R) -> Option<Found>
where
    RS: Read + Seek,
    R: Reader<RS>,
{
    let names = wb.sheet_names();
    if !names.iter().any(|n| n == SHEET) || !names.iter().any(|n| n == OVERVIEW) {
        return None;
    }
    let range = wb.worksheet_range(SHEET).ok()?;
    let (top, _) = range.start()?;
    let width = range.width();
    let header: Vec<String> = (0..width)
        .map(|c| {
            range
                .get((0, c))
                .map(|d| cell_text(&super::cells::from_data(d)).trim().to_string())
                .unwrap_or_default()
        })
        .collect();
    if top != 0 || !header.iter().any(|h| h == ROW) || !header.iter().any(|h| h == ERRORS) {
        return None;
    }
    let source = wb.worksheet_range(OVERVIEW).ok().and_then(|o| {
        o.rows().find_map(|r| {
            let label = r.first()?.to_string();
            SOURCE_LABELS
                .contains(&label.trim())
                .then(|| r.get(1).map(|v| v.to_string()))
                .flatten()
                .filter(|v| !v.trim().is_empty())
        })
    });
    Some(Found { range, source })
}

/// Reads the report's rows under its own header, without aktar's columns, at their
/// original positions.
pub(crate) fn assemble(source: Source, label: Option<String>) -> Result<Table, ReadError> {
    let report = source.file.clone();
    let opts = SourceOptions {
        header_row: Some(1),
        ..SourceOptions::default()
    };
    let table = super::header::assemble(source, &opts)?;
    let find = |name: &str| table.headers.iter().position(|h| h.trim() == name);
    let (Some(row_col), Some(errors_col)) = (find(ROW), find(ERRORS)) else {
        return Err(ReadError::NotReadable {
            file: report.to_string(),
            kind: "XLSX",
            message: format!("the {SHEET} sheet has lost its {ROW} or {ERRORS} column"),
        });
    };
    let file_col = find(FILE);
    // aktar's `Hata` is the last named column; an export column of the same name
    // comes before it.
    let errors_col = table
        .headers
        .iter()
        .rposition(|h| h.trim() == ERRORS)
        .unwrap_or(errors_col);
    let mut drop: Vec<usize> = [Some(row_col), Some(errors_col), file_col]
        .into_iter()
        .flatten()
        .collect();
    drop.sort_unstable_by(|a, b| b.cmp(a));
    let headers: Vec<String> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, h)| h.clone())
        .collect();
    // One input, one file name: rows of a report over several files stay at their
    // places in the report.
    let original: Option<Arc<str>> = match (file_col, label) {
        (None, Some(l)) => Some(Arc::from(l)),
        _ => None,
    };
    let mut warnings = table.warnings;
    warnings.push(match &original {
        Some(o) => format!(
            "{report} is a corrected aktar report: read from its {SHEET} sheet (the mapping's [source] is for the export); rows are reported as rows of {o}"
        ),
        None => format!(
            "{report} is a corrected aktar report: read from its {SHEET} sheet (the mapping's [source] is for the export)"
        ),
    });
    let file = original.clone().unwrap_or_else(|| table.file.clone());
    let sheet = if original.is_some() {
        None
    } else {
        table.sheet
    };
    let (row_file, row_sheet) = (file.clone(), sheet.clone());
    let records = table.records.map(move |r| {
        let mut row = match r? {
            Record::Data(row) | Record::Skipped(row) => row,
        };
        if original.is_some() {
            let at = row.cells.get(row_col).and_then(row_number).ok_or_else(|| {
                ReadError::Io {
                    file: report.to_string(),
                    row: row.pos.row,
                    message: format!(
                        "the {ROW} cell is empty or not a row number; a corrected report keeps the {ROW} of every row it sends back"
                    ),
                }
            })?;
            row.pos.row = at;
        }
        row.pos.file = row_file.clone();
        row.pos.sheet = row_sheet.clone();
        for &i in &drop {
            if i < row.cells.len() {
                row.cells.remove(i);
            }
        }
        row.ragged = row
            .ragged
            .map(|(found, expected)| {
                (found.saturating_sub(drop.len()), expected.saturating_sub(drop.len()))
            });
        Ok(Record::Data(row))
    });
    Ok(Table {
        file,
        sheet,
        headers,
        header_row: 1,
        warnings,
        corrected: true,
        records: Box::new(records),
    })
}

fn row_number(cell: &Cell) -> Option<u64> {
    match cell {
        Cell::Number(d) if d.fract().is_zero() => d.to_u64(),
        Cell::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
    .filter(|&n| n > 0)
}
