//! XLSX/XLSM/XLSB/XLS/ODS through calamine.
//!
//! XLSX and XLSB are streamed: calamine's cell readers (`worksheet_cells_reader`) walk
//! the sheet's XML or records without building the whole range, on a worker thread
//! (`stream`). Only the workbook's shared-strings table is held whole, as calamine
//! loads it on opening. XLS and ODS have no such reader in calamine: their sheet is
//! loaded with `worksheet_range` (XLS caps a sheet at 65,536 rows) and turned into
//! rows lazily. Formula cells come through their cached value
//! either way. Row numbers are Excel's: a used range that starts below row 1 keeps
//! its offset.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use calamine::{Data, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};

use super::records::{RawRow, RawRows, Source, Width};
use super::stream::{pump, send_error, streamed};
use super::{Cell, ReadError, SheetSel, SourceOptions};
use super::{cells, corrected};
use crate::turkish::case::fold;

/// The spreadsheet formats calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Book {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Book {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Book::Xlsx => "XLSX",
            Book::Xlsb => "XLSB",
            Book::Xls => "XLS",
            Book::Ods => "ODS",
        }
    }
}

/// XLSX and XLSB offer the same streaming API on two unrelated types.
macro_rules! stream_book {
    ($book:ty, $reader:expr, $name:expr, $opts:expr, $unreadable:expr) => {{
        let mut wb = <$book>::new($reader).map_err(|e| $unreadable(&e))?;
        if let Some(found) = corrected::detect(&mut wb) {
            let rows = RawRows::new(RangeRows::new(found.range));
            (corrected::SHEET.to_string(), rows, Some(found.source))
        } else {
            let sheet = select($name, wb.sheets_metadata(), $opts.sheet.as_ref())?;
            let worker_sheet = sheet.clone();
            let rows = streamed($name, move |file, tx| {
                let mut wb = wb;
                match wb.worksheet_cells_reader(&worker_sheet) {
                    Ok(mut cells) => pump(file, tx, || {
                        let cell = cells.next_cell().map_err(|e| e.to_string())?;
                        Ok(cell.map(|c| (c.get_position(), cells::from_ref(c.get_value()))))
                    }),
                    Err(e) => send_error(file, tx, 1, e.to_string()),
                }
            })?;
            (sheet, rows, None)
        }
    }};
}

/// Opens the selected sheet of `file` (positioned at its start) — or, when the
/// workbook is a corrected aktar report, its `Hatalar` sheet, with the export's file
/// name the report gives (module `corrected`).
pub(crate) fn open(
    file: File,
    name: Arc<str>,
    book: Book,
    opts: &SourceOptions,
) -> Result<(Source, Option<Option<String>>), ReadError> {
    let reader = BufReader::new(file);
    let unreadable = |e: &dyn std::fmt::Display| ReadError::NotReadable {
        file: name.to_string(),
        kind: book.kind(),
        message: e.to_string(),
    };
    let (sheet, rows, report): (String, RawRows, _) = match book {
        Book::Xlsx => stream_book!(Xlsx<_>, reader, &name, opts, unreadable),
        Book::Xlsb => stream_book!(Xlsb<_>, reader, &name, opts, unreadable),
        Book::Xls => loaded::<Xls<_>>(reader, &name, opts, unreadable)?,
        Book::Ods => loaded::<Ods<_>>(reader, &name, opts, unreadable)?,
    };
    let source = Source {
        file: name,
        sheet: Some(Arc::from(sheet)),
        rows,
        width: Width::PadShort,
        warnings: Vec::new(),
    };
    Ok((source, report))
}

/// XLS and ODS: the selected sheet loaded whole, handed out row by row.
fn loaded<B>(
    reader: BufReader<File>,
    name: &str,
    opts: &SourceOptions,
    unreadable: impl Fn(&dyn std::fmt::Display) -> ReadError,
) -> Result<(String, RawRows, Option<Option<String>>), ReadError>
where
    B: Reader<BufReader<File>>,
    B::Error: std::fmt::Display,
{
    let mut wb = B::new(reader).map_err(|e| unreadable(&e))?;
    if let Some(found) = corrected::detect(&mut wb) {
        let rows = RawRows::new(RangeRows::new(found.range));
        return Ok((corrected::SHEET.to_string(), rows, Some(found.source)));
    }
    let sheet = select(name, wb.sheets_metadata(), opts.sheet.as_ref())?;
    let range = wb.worksheet_range(&sheet).map_err(|e| unreadable(&e))?;
    Ok((sheet, RawRows::new(RangeRows::new(range)), None))
}

/// The sheet `sel` names: by exact name, then by a name that differs only in case,
/// spacing or Turkish i; by 0-based index in workbook order (hidden sheets count, as
/// calamine lists them); by default the first visible worksheet.
fn select(
    file: &str,
    sheets: &[calamine::Sheet],
    sel: Option<&SheetSel>,
) -> Result<String, ReadError> {
    let at = match sel {
        Some(SheetSel::Name(wanted)) => {
            sheets.iter().position(|s| s.name == *wanted).or_else(|| {
                let key = fold(wanted);
                sheets.iter().position(|s| fold(&s.name) == key)
            })
        }
        Some(SheetSel::Index(i)) => (*i < sheets.len()).then_some(*i),
        None => sheets
            .iter()
            .position(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
            .or_else(|| (!sheets.is_empty()).then_some(0)),
    };
    match at.and_then(|i| sheets.get(i)) {
        Some(s) => Ok(s.name.clone()),
        None => Err(ReadError::NoSheet {
            file: file.to_owned(),
            wanted: match sel {
                Some(SheetSel::Name(n)) => format!("`{n}`"),
                Some(SheetSel::Index(i)) => format!("at index {i} (counting from 0)"),
                None => "to read".to_owned(),
            },
            available: if sheets.is_empty() {
                "no sheets".to_owned()
            } else {
                sheets
                    .iter()
                    .map(|s| format!("`{}`", s.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            named_at: String::new(),
        }),
    }
}

/// Rows of a sheet loaded whole, converted one at a time.
struct RangeRows {
    range: Range<Data>,
    next: usize,
}

impl RangeRows {
    fn new(range: Range<Data>) -> Self {
        RangeRows { range, next: 0 }
    }
}

impl Iterator for RangeRows {
    type Item = Result<RawRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (first_row, first_col) = self.range.start()?;
        let (height, width) = self.range.get_size();
        if self.next >= height {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let mut cells = vec![Cell::Empty; first_col as usize];
        cells.extend(
            (0..width).map(|j| self.range.get((i, j)).map_or(Cell::Empty, cells::from_data)),
        );
        while cells.last() == Some(&Cell::Empty) {
            cells.pop();
        }
        Some(Ok(RawRow {
            row: u64::from(first_row) + i as u64 + 1,
            cells,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use rust_xlsxwriter::{Format, Formula, Workbook};

    use super::*;
    use crate::read::{Record, SkipIf, Table, open};

    /// Sheets: hidden `Gizli`; `Cariler` with a title row above its header on row 3;
    /// `Özet` whose used range starts at C5.
    fn workbook(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("dd.mm.yyyy");
        let datetime = Format::new().set_num_format("dd.mm.yyyy hh:mm");
        let day = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        let moment = NaiveDate::from_ymd_opt(2025, 2, 1)
            .and_then(|d| d.and_hms_opt(10, 30, 0))
            .unwrap();

        let hidden = wb.add_worksheet();
        hidden.set_name("Gizli").unwrap();
        hidden.write_string(0, 0, "gizli").unwrap();
        hidden.set_hidden(true);

        let ws = wb.add_worksheet();
        ws.set_name("Cariler").unwrap();
        ws.set_active(true);
        ws.write_string(0, 0, "CARİ LİSTESİ").unwrap();
        for (col, h) in ["Cari Kodu", "Tarih", "Toplam", "Tutar", "Durum", "Onay"]
            .into_iter()
            .enumerate()
        {
            ws.write_string(2, col as u16, h).unwrap();
        }
        ws.write_string(3, 0, "C1").unwrap();
        ws.write_datetime_with_format(3, 1, day, &date).unwrap();
        // What Excel itself caches for =0.1+0.2.
        ws.write_formula(
            3,
            2,
            Formula::new("=0.1+0.2").set_result("0.30000000000000004"),
        )
        .unwrap();
        ws.write_number(3, 3, 1234.56).unwrap();
        ws.write_formula(3, 4, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
        ws.write_boolean(3, 5, true).unwrap();
        ws.write_string(4, 0, "C2").unwrap();
        ws.write_datetime_with_format(4, 1, moment, &datetime)
            .unwrap();
        ws.write_number(4, 3, 42.0).unwrap();
        ws.write_string(6, 0, "TOPLAM").unwrap();
        ws.write_number(6, 3, 1276.56).unwrap();

        let summary = wb.add_worksheet();
        summary.set_name("Özet").unwrap();
        summary.write_string(4, 2, "Ad").unwrap();
        summary.write_string(5, 2, "Veli").unwrap();
        summary.write_string(5, 4, "başlıksız").unwrap();
        wb.save(&path).unwrap();
        path
    }

    /// Skipped?, row number, cells, ragged.
    type Got = (bool, u64, Vec<Cell>, Option<(usize, usize)>);

    fn data_rows(table: Table) -> Vec<Got> {
        table
            .records
            .map(|r| match r.unwrap() {
                Record::Data(row) => (false, row.pos.row, row.cells, row.ragged),
                Record::Skipped(row) => (true, row.pos.row, row.cells, row.ragged),
            })
            .collect()
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn xlsx_cells_header_detection_and_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = workbook(dir.path(), "cariler.xlsx");
        let auto = SourceOptions {
            expected_columns: vec!["cari kodu".into(), "TUTAR".into()],
            skip_if: vec![SkipIf {
                column: "Cari Kodu".into(),
                matches: regex::Regex::new("^TOPLAM").unwrap(),
            }],
            ..SourceOptions::default()
        };
        let explicit = SourceOptions {
            header_row: Some(3),
            ..auto.clone()
        };
        for opts in [auto, explicit] {
            let t = open(&path, &opts).unwrap();
            assert_eq!(t.sheet.as_deref(), Some("Cariler"));
            assert_eq!(t.header_row, 3);
            assert_eq!(
                t.headers,
                ["Cari Kodu", "Tarih", "Toplam", "Tutar", "Durum", "Onay"]
            );
            let rows = data_rows(t);
            assert_eq!(rows.len(), 3);

            let (skipped, row, cells, ragged) = &rows[0];
            assert_eq!((*skipped, *row, *ragged), (false, 4, None));
            let day = NaiveDate::from_ymd_opt(2025, 1, 31).and_then(|d| d.and_hms_opt(0, 0, 0));
            assert_eq!(
                cells,
                &[
                    text("C1"),
                    Cell::Date(day.unwrap()),
                    Cell::Number(Decimal::new(3, 1)),
                    Cell::Number(Decimal::new(123_456, 2)),
                    Cell::Error("#N/A".into()),
                    Cell::Bool(true),
                ]
            );

            let (_, row, cells, _) = &rows[1];
            assert_eq!(*row, 5);
            let moment = NaiveDate::from_ymd_opt(2025, 2, 1).and_then(|d| d.and_hms_opt(10, 30, 0));
            assert_eq!(cells[1], Cell::Date(moment.unwrap()));
            assert_eq!(cells[2], Cell::Empty);
            assert_eq!(cells[3], Cell::Number(Decimal::from(42)));
            assert_eq!(cells.len(), 6, "short rows are padded to the header");

            // Row 6 is blank; the total row is Excel's row 7.
            assert_eq!((rows[2].0, rows[2].1), (true, 7));
        }
    }

    #[test]
    fn sheet_selection() {
        let dir = tempfile::tempdir().unwrap();
        let path = workbook(dir.path(), "b.xlsx");
        let with = |sel: SheetSel| SourceOptions {
            sheet: Some(sel),
            ..SourceOptions::default()
        };

        let t = open(&path, &with(SheetSel::Index(0))).unwrap();
        assert_eq!(t.sheet.as_deref(), Some("Gizli"));
        assert_eq!(t.headers, ["gizli"]);

        let t = open(&path, &with(SheetSel::Name("  ÖZET ".into()))).unwrap();
        assert_eq!(t.sheet.as_deref(), Some("Özet"));
        // Columns are the sheet's own: the used range starts at C5.
        assert_eq!(t.headers, ["", "", "Ad"]);
        assert_eq!(t.header_row, 5);
        let rows = data_rows(t);
        assert_eq!(rows[0].1, 6);
        assert_eq!(
            rows[0].2,
            [
                Cell::Empty,
                Cell::Empty,
                text("Veli"),
                Cell::Empty,
                text("başlıksız")
            ]
        );
        assert_eq!(
            rows[0].3,
            Some((5, 3)),
            "a value right of the header is ragged"
        );

        for sel in [SheetSel::Name("Yok".into()), SheetSel::Index(3)] {
            match open(&path, &with(sel)) {
                Err(ReadError::NoSheet { available, .. }) => {
                    assert_eq!(available, "`Gizli`, `Cariler`, `Özet`");
                }
                _ => panic!("expected NoSheet"),
            }
        }
    }

    #[test]
    fn a_spreadsheet_is_recognised_by_content_and_streams_long_sheets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.dat");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "No").unwrap();
        for i in 1..=3000u32 {
            ws.write_number(i, 0, f64::from(i)).unwrap();
        }
        wb.save(&path).unwrap();

        let t = open(&path, &SourceOptions::default()).unwrap();
        assert_eq!(t.sheet.as_deref(), Some("Sheet1"));
        let rows = data_rows(t);
        assert_eq!(rows.len(), 3000);
        assert_eq!(rows[2999].1, 3001);
        assert_eq!(rows[2999].2, [Cell::Number(Decimal::from(3000))]);

        // Dropping a table half read stops its worker instead of blocking.
        let mut t = open(&path, &SourceOptions::default()).unwrap();
        assert!(t.records.next().is_some());
        drop(t);
    }

    #[test]
    fn a_damaged_workbook_is_not_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bozuk.xlsx");
        std::fs::write(&path, b"PK\x03\x04 not really a zip").unwrap();
        match open(&path, &SourceOptions::default()) {
            Err(ReadError::NotReadable { kind, file, .. }) => {
                assert_eq!(kind, "XLSX");
                assert!(file.ends_with("bozuk.xlsx"));
            }
            _ => panic!("expected NotReadable"),
        }
    }

    #[test]
    fn range_rows_keep_the_used_range_offset() {
        let mut range = Range::new((4, 2), (5, 3));
        range.set_value((4, 2), Data::String("Ad".into()));
        range.set_value((5, 3), Data::Float(2.5));
        let rows: Vec<RawRow> = RangeRows::new(range).map(|r| r.unwrap()).collect();
        assert_eq!(rows[0].row, 5);
        assert_eq!(rows[0].cells, [Cell::Empty, Cell::Empty, text("Ad")]);
        assert_eq!(rows[1].row, 6);
        assert_eq!(
            rows[1].cells,
            [
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Number(Decimal::new(25, 1))
            ]
        );
        assert_eq!(RangeRows::new(Range::empty()).count(), 0);
    }
}
