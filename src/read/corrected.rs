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
use super::{Cell, ReadError, Record, RecordStream, SourceOptions, Table};

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
        records: RecordStream::new(records),
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

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::Workbook;

    use super::*;
    use crate::read::{SheetSel, SkipIf, open};

    /// An aktar report: `Özet` first, naming the export, then `Hatalar`.
    fn report(
        dir: &std::path::Path,
        rows: &[(&str, &str, &str)],
        dosya: bool,
    ) -> std::path::PathBuf {
        let path = dir.join("cariler-errors.xlsx");
        let mut wb = Workbook::new();
        let o = wb.add_worksheet();
        o.set_name(OVERVIEW).unwrap();
        o.write_string(0, 0, "Toplam satır").unwrap();
        o.write_number(0, 1, 15.0).unwrap();
        o.write_string(3, 0, "Kaynak dosya").unwrap();
        o.write_string(3, 1, "/srv/exports/cari_20261128.csv")
            .unwrap();
        let h = wb.add_worksheet();
        h.set_name(SHEET).unwrap();
        let mut header = vec![ROW, "Cari Kodu", "Vergi No", ERRORS];
        if dosya {
            header.insert(0, FILE);
        }
        for (c, name) in header.iter().enumerate() {
            h.write_string(0, c as u16, *name).unwrap();
        }
        for (r, (satir, kod, vkn)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            let at = u16::from(dosya);
            if dosya {
                h.write_string(r, 0, "a.csv").unwrap();
            }
            if let Ok(n) = satir.parse::<f64>() {
                h.write_number(r, at, n).unwrap();
            } else if !satir.is_empty() {
                h.write_string(r, at, *satir).unwrap();
            }
            h.write_string(r, at + 1, *kod).unwrap();
            h.write_string(r, at + 2, *vkn).unwrap();
            h.write_string(r, at + 3, "Vergi No: Geçersiz").unwrap();
        }
        wb.save(&path).unwrap();
        path
    }

    /// What the export's mapping asks for, none of which fits the report.
    fn export_options() -> SourceOptions {
        SourceOptions {
            header_row: Some(3),
            sheet: Some(SheetSel::Name("Cariler".into())),
            skip_if: vec![SkipIf {
                column: "Cari Kodu".into(),
                matches: regex::Regex::new("^C-2").unwrap(),
            }],
            ..SourceOptions::default()
        }
    }

    fn data(t: Table) -> Vec<crate::read::Row> {
        t.records
            .map(|r| match r.unwrap() {
                Record::Data(row) | Record::Skipped(row) => row,
            })
            .collect()
    }

    #[test]
    fn rows_come_back_at_their_place_in_the_export_without_aktars_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = report(dir.path(), &[("8", "C-1", "123"), ("13", "C-2", "")], false);
        let t = open(&path, &export_options()).unwrap();
        assert!(t.corrected);
        assert_eq!(t.headers, ["Cari Kodu", "Vergi No"]);
        assert_eq!(&*t.file, "/srv/exports/cari_20261128.csv");
        assert_eq!(t.sheet, None);
        assert!(
            t.warnings[0].contains("corrected aktar report"),
            "{:?}",
            t.warnings
        );
        let rows = data(t);
        assert_eq!(rows.len(), 2, "skip_if is the export's, not the report's");
        assert_eq!(rows[0].pos.row, 8);
        assert_eq!(&*rows[1].pos.file, "/srv/exports/cari_20261128.csv");
        assert_eq!(rows[1].pos.row, 13);
        assert_eq!(
            rows[0].cells,
            [Cell::Text("C-1".into()), Cell::Text("123".into())]
        );
        assert_eq!(rows[0].ragged, None);
    }

    #[test]
    fn a_row_without_its_satir_is_an_error_naming_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = report(dir.path(), &[("", "C-1", "123")], false);
        let t = open(&path, &SourceOptions::default()).unwrap();
        let err = t.records.map(|r| r.err()).next().flatten().unwrap();
        let text = err.to_string();
        assert!(
            text.contains("cariler-errors.xlsx") && text.contains("Satır"),
            "{text}"
        );
    }

    #[test]
    fn a_report_over_several_files_keeps_its_own_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = report(dir.path(), &[("8", "C-1", "123")], true);
        let t = open(&path, &SourceOptions::default()).unwrap();
        assert_eq!(t.headers, ["Cari Kodu", "Vergi No"]);
        assert_eq!(t.sheet.as_deref(), Some(SHEET));
        let rows = data(t);
        assert_eq!(rows[0].pos.row, 2);
        assert!(rows[0].pos.file.ends_with("cariler-errors.xlsx"));
    }

    #[test]
    fn a_workbook_that_only_looks_alike_is_read_as_an_export() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        let mut wb = Workbook::new();
        let o = wb.add_worksheet();
        o.set_name(OVERVIEW).unwrap();
        o.write_string(0, 0, "Ad").unwrap();
        let h = wb.add_worksheet();
        h.set_name(SHEET).unwrap();
        h.write_string(0, 0, "Kod").unwrap();
        h.write_string(1, 0, "1").unwrap();
        wb.save(&path).unwrap();
        let t = open(&path, &SourceOptions::default()).unwrap();
        assert!(!t.corrected);
        assert_eq!(
            t.sheet.as_deref(),
            Some(OVERVIEW),
            "the first visible sheet"
        );
    }
}
