use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::*;
use crate::problem::{Problem, RowError};
use crate::read::SourcePos;
use crate::report::test_support::pos;

fn headers() -> Vec<String> {
    ["Cari Kod", "Tutar", "Tarih", "Aktif", "İl"]
        .map(String::from)
        .to_vec()
}

fn error(pos: &SourcePos, column: &str, problem: Problem) -> RowError {
    RowError {
        pos: pos.clone(),
        column: column.into(),
        value: String::new(),
        problem,
    }
}

fn date(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn sample(file: &str, sheet: Option<&str>, row: u64) -> RejectedRow {
    let p = pos(file, sheet, row);
    RejectedRow {
        pos: p.clone(),
        cells: vec![
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Number(Decimal::new(-944000, 2)),
            Cell::Date(date(2026, 1, 31, 0, 0)),
            Cell::Bool(true),
            Cell::Empty,
        ],
        errors: vec![
            error(&p, "Cari Kod", Problem::MaxLen { max: 10 }),
            error(&p, "tutar", Problem::Min { min: "0".into() }),
            error(&p, "il", Problem::Required),
            error(&p, "hesap_kodu", Problem::EmptyKey),
            error(&p, "", Problem::DebitCreditNone),
        ],
    }
}

fn write(rows: &[RejectedRow]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.xlsx");
    write_capped(
        &path,
        &headers(),
        rows,
        &rule_counts(rows),
        &Summary::default(),
        Lang::Tr,
        CAPS,
    )
    .unwrap();
    (dir, path)
}

/// The `Hatalar` sheet of the workbook at `path`.
fn hatalar(path: &Path) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range("Hatalar").unwrap()
}

fn text(range: &calamine::Range<Data>, r: u32, c: u32) -> String {
    range
        .get_value((r, c))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[test]
fn one_file_gives_satir_then_the_original_columns_then_hata() {
    let (_dir, path) = write(&[sample("cari.xlsx", Some("Ocak"), 7)]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["Özet", "Hatalar"]);
    let range = wb.worksheet_range("Hatalar").unwrap();
    let header: Vec<String> = (0..7).map(|c| text(&range, 0, c)).collect();
    assert_eq!(
        header,
        ["Satır", "Cari Kod", "Tutar", "Tarih", "Aktif", "İl", "Hata"]
    );

    assert_eq!(range.get_value((1, 0)), Some(&Data::Float(7.0)));
    assert_eq!(
        range.get_value((1, 1)),
        Some(&Data::String("=HYPERLINK(\"x\")".into()))
    );
    assert_eq!(range.get_value((1, 2)), Some(&Data::Float(-9440.0)));
    let tarih = range.get_value((1, 3)).unwrap();
    assert_eq!(tarih.as_datetime(), Some(date(2026, 1, 31, 0, 0)));
    assert_eq!(range.get_value((1, 4)), Some(&Data::Bool(true)));
    assert_eq!(range.get_value((1, 5)), Some(&Data::Empty));
    assert_eq!(
        text(&range, 1, 6),
        "Cari Kod: En fazla 10 karakter olabilir\n\
         tutar: En az 0 olmalı\n\
         il: Zorunlu alan boş\n\
         hesap_kodu: Satırın anahtarı boş; satır tanımlanamıyor\n\
         Borç ve alacak ikisi de boş veya sıfır; biri dolu olmalı"
    );
}

#[test]
fn several_files_add_a_dosya_column() {
    let rows = [
        sample("cari.csv", None, 2),
        sample("cari.xlsx", Some("Ocak"), 5),
    ];
    let (_dir, path) = write(&rows);
    let range = hatalar(&path);
    assert_eq!(text(&range, 0, 0), "Dosya");
    assert_eq!(text(&range, 0, 1), "Satır");
    assert_eq!(text(&range, 0, 7), "Hata");
    assert_eq!(text(&range, 1, 0), "cari.csv");
    assert_eq!(text(&range, 2, 0), "cari.xlsx#Ocak");
    assert_eq!(range.get_value((2, 1)), Some(&Data::Float(5.0)));
    assert_eq!(text(&range, 2, 2), "=HYPERLINK(\"x\")");
}

#[test]
fn two_sheets_of_one_file_also_count_as_several() {
    let rows = [
        sample("cari.xlsx", Some("Ocak"), 2),
        sample("cari.xlsx", Some("Şubat"), 2),
    ];
    let (_dir, path) = write(&rows);
    let range = hatalar(&path);
    assert_eq!(text(&range, 0, 0), "Dosya");
    assert_eq!(text(&range, 2, 0), "cari.xlsx#Şubat");
}

#[test]
fn bad_cells_are_filled_and_commented_and_the_header_is_bold() {
    let (_dir, path) = write(&[sample("cari.csv", None, 2)]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let styles = wb.worksheet_style("Hatalar").unwrap();
    let fill = |r, c| {
        styles
            .get((r, c))
            .and_then(|s| s.fill.as_ref())
            .filter(|f| f.is_visible())
            .and_then(|f| f.get_color())
            .map(|color| color.to_argb() & 0x00FF_FFFF)
    };
    for c in [1, 2, 5] {
        assert_eq!(fill(1, c), Some(BAD_FILL), "column {c}");
    }
    for c in [0, 3, 4, 6] {
        assert_eq!(fill(1, c), None, "column {c}");
    }
    let bold = styles
        .get((0, 0))
        .and_then(|s| s.font.as_ref())
        .is_some_and(|f| f.is_bold());
    assert!(bold);
    assert_eq!(fill(0, 0), Some(HEADER_FILL));

    let bytes = std::fs::read(&path).unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"xl/comments1.xml"));
}

#[test]
fn notes_stop_at_the_note_cap_but_fills_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.xlsx");
    let rows = [sample("a.csv", None, 2), sample("a.csv", None, 3)];
    let caps = Caps { rows: 10, notes: 0 };
    write_capped(
        &path,
        &headers(),
        &rows,
        &rule_counts(&rows),
        &Summary::default(),
        Lang::Tr,
        caps,
    )
    .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let needle = b"xl/comments1.xml";
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let styles = wb.worksheet_style("Hatalar").unwrap();
    let filled = styles
        .get((2, 1))
        .and_then(|s| s.fill.as_ref())
        .and_then(|f| f.get_color())
        .map(|c| c.to_argb() & 0x00FF_FFFF);
    assert_eq!(filled, Some(BAD_FILL));
}

#[test]
fn dates_with_a_time_keep_it_and_dates_before_1900_become_text() {
    let p = pos("a.xlsx", Some("S"), 2);
    let row = RejectedRow {
        pos: p.clone(),
        cells: vec![
            Cell::Date(date(2026, 3, 1, 14, 30)),
            Cell::Date(date(1899, 12, 1, 0, 0)),
            Cell::Error("#N/A".into()),
        ],
        errors: vec![error(&p, "Cari Kod", Problem::CellError)],
    };
    let (_dir, path) = write(&[row]);
    let range = hatalar(&path);
    let stamp = range.get_value((1, 1)).unwrap();
    assert_eq!(stamp.as_datetime(), Some(date(2026, 3, 1, 14, 30)));
    assert_eq!(text(&range, 1, 2), "01.12.1899");
    assert_eq!(text(&range, 1, 3), "#N/A");
}

#[test]
fn cells_beyond_the_header_go_after_hata() {
    let p = pos("a.csv", None, 4);
    let mut row = sample("a.csv", None, 4);
    row.cells.push(Cell::Text("fazla".into()));
    row.errors = vec![error(
        &p,
        "",
        Problem::Ragged {
            found: 6,
            expected: 5,
        },
    )];
    let (_dir, path) = write(&[row]);
    let range = hatalar(&path);
    assert_eq!(text(&range, 0, 6), "Hata");
    assert_eq!(text(&range, 1, 7), "fazla");
}

#[test]
fn no_rejected_rows_still_gives_both_sheets() {
    let (_dir, path) = write(&[]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["Özet", "Hatalar"]);
    let range = wb.worksheet_range("Hatalar").unwrap();
    assert_eq!(range.height(), 1);
    assert_eq!(text(&range, 0, 0), "Satır");
}

#[test]
fn too_many_columns_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.xlsx");
    let headers: Vec<String> = (0..MAX_COLUMNS).map(|i| format!("c{i}")).collect();
    let err = write_capped(
        &path,
        &headers,
        &[],
        &[],
        &Summary::default(),
        Lang::Tr,
        CAPS,
    )
    .unwrap_err();
    assert!(matches!(err, ReportError::TooManyColumns { .. }));
    assert!(err.to_string().contains("errors.xlsx"));
    assert!(!path.exists());
}

/// Every cell of both sheets but `Özet`'s duration, as text.
fn sheets(path: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = Vec::new();
    for name in ["Özet", "Hatalar"] {
        let range = wb.worksheet_range(name).unwrap();
        for row in range.rows() {
            out.push(row.iter().map(|c| c.to_string()).collect());
        }
    }
    out
}

#[test]
fn a_draft_begun_before_the_key_check_is_the_workbook_unless_the_check_adds_rows() {
    use crate::report::Rejects;
    let dir = tempfile::tempdir().unwrap();
    let summary = Summary {
        rows: 9,
        rejected: 3,
        ..Summary::default()
    };
    for late in [false, true] {
        let errors_csv = dir.path().join("errors.csv");
        let mut r = Rejects::create(&errors_csv, Lang::Tr).unwrap();
        for row in [2, 5, 7] {
            r.add((0, row), sample("cari.csv", None, row)).unwrap();
        }
        let draft = r.draft_xlsx(&headers());
        assert!(draft.is_some());
        if late {
            let mut row = sample("cari.csv", None, 3);
            row.errors = vec![error(
                &row.pos,
                "Cari Kod",
                Problem::DuplicateKey {
                    other: "cari.csv:9".into(),
                },
            )];
            r.add_late_row((0, 3), row);
        }
        let done = r.finish().unwrap();
        let (drafted, plain) = (
            dir.path().join("errors.xlsx"),
            dir.path().join("plain.xlsx"),
        );
        for (draft, path) in [(draft, &drafted), (None, &plain)] {
            let (shown, rules) = (&done.shown, &done.rules);
            write_errors_xlsx(draft, path, &headers(), shown, rules, &summary, Lang::Tr).unwrap();
        }
        assert_eq!(sheets(&drafted), sheets(&plain), "late rows: {late}");
        let rows: Vec<String> = hatalar(&drafted)
            .rows()
            .skip(1)
            .map(|r| r[0].to_string())
            .collect();
        let expected: &[&str] = if late {
            &["2", "3", "5", "7"]
        } else {
            &["2", "5", "7"]
        };
        assert_eq!(rows, expected, "late rows: {late}");
        drop(done);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["errors.csv", "errors.xlsx", "plain.xlsx"]);
    }
}
