//! Finding the header row, the part of opening every format shares.
//!
//! Each format only yields raw rows (a row number and its cells). The header is the
//! row `header_row` names, or else the first of the early rows that holds every
//! column the mapping reads, so title rows above it need no configuration; `skip_if`
//! columns are resolved against it here, before any record is read, so a wrong name
//! stops the run at once. Up to [`LOOKAHEAD`] rows after the header are read while
//! opening so that warnings about the content (mojibake) come with the table; that
//! window is the only buffering, so memory stays flat.

use std::collections::VecDeque;
use std::sync::Arc;

use super::mojibake;
use super::records::{RawRow, RawRows, Records, SkipIf, Source, cell_text, is_blank};
use super::{Cell, ReadError, RecordStream, SourceOptions, Table};
use crate::turkish::case::fold;

/// How many non-blank rows auto-detection looks at for the header.
const HEADER_SEARCH: usize = 50;
/// How many rows after the header are read ahead for content warnings.
const LOOKAHEAD: usize = 1000;

/// The index of the header `name`: an exact match first, then one that differs only
/// in case, spacing or the Turkish dotted/dotless i.
pub fn find_column(headers: &[String], name: &str) -> Option<usize> {
    if let Some(i) = headers.iter().position(|h| h == name) {
        return Some(i);
    }
    let key = fold(name);
    headers.iter().position(|h| fold(h) == key)
}

fn holds_all(cells: &[Cell], expected: &[String]) -> bool {
    if expected.is_empty() {
        return true;
    }
    let names: Vec<String> = cells.iter().map(|c| cell_text(c).into_owned()).collect();
    expected.iter().all(|e| find_column(&names, e).is_some())
}

/// Finds the header of `src` and turns the rest of it into a [`Table`].
pub(crate) fn assemble(src: Source, opts: &SourceOptions) -> Result<Table, ReadError> {
    let Source {
        file,
        sheet,
        mut rows,
        width: shape,
        mut warnings,
    } = src;
    let mut ahead = VecDeque::new();
    let header = match opts.header_row {
        Some(n) => explicit_header(&file, &mut rows, n)?,
        None => {
            let (header, after) = detect_header(&file, &mut rows, &opts.expected_columns)?;
            ahead.extend(after);
            header
        }
    };
    let headers: Vec<String> = header
        .cells
        .iter()
        .map(|c| cell_text(c).into_owned())
        .collect();

    let mut skips = Vec::with_capacity(opts.skip_if.len());
    for skip in &opts.skip_if {
        let Some(col) = find_column(&headers, &skip.column) else {
            return Err(ReadError::SkipColumn {
                file: file.to_string(),
                column: skip.column.clone(),
                available: headers
                    .iter()
                    .filter(|h| !h.trim().is_empty())
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        skips.push((col, SkipIf::new(&skip.matches)));
    }

    let mut stopped = ahead.back().is_some_and(Result::is_err);
    while !stopped && ahead.len() < LOOKAHEAD {
        match rows.next() {
            None => break,
            Some(item) => {
                stopped = item.is_err();
                ahead.push_back(item);
            }
        }
    }
    let rows_seen = std::iter::once(&header).chain(ahead.iter().filter_map(|r| r.as_ref().ok()));
    if let Some(warning) = mojibake_warning(rows_seen, &headers) {
        warnings.push(warning);
    }

    let records = Records {
        file: Arc::clone(&file),
        sheet: sheet.clone(),
        ahead,
        rows,
        width: headers.len(),
        shape,
        skips,
        stamped: 0,
    };
    Ok(Table {
        file,
        sheet,
        headers,
        header_row: header.row,
        warnings,
        corrected: false,
        records: RecordStream::shaped(records),
    })
}

/// The first non-blank row at or after row `n` (a title block may end in blank rows,
/// and `n` may name one of them).
fn explicit_header(file: &str, rows: &mut RawRows, n: u64) -> Result<RawRow, ReadError> {
    let mut seen_any = false;
    loop {
        match rows.next() {
            None if seen_any => {
                return Err(ReadError::NoHeaderRow {
                    file: file.to_owned(),
                    row: n,
                });
            }
            None => {
                return Err(ReadError::Empty {
                    file: file.to_owned(),
                });
            }
            Some(Err(e)) => return Err(e),
            Some(Ok(r)) if is_blank(&r.cells) => {}
            Some(Ok(r)) if r.row >= n => return Ok(r),
            Some(Ok(_)) => seen_any = true,
        }
    }
}

/// The first of the first [`HEADER_SEARCH`] non-blank rows that holds every expected
/// column, else the first non-blank row; returns it with the items read after it. An
/// error after the first row ends the search and is kept, in order, for the stream.
fn detect_header(
    file: &str,
    rows: &mut RawRows,
    expected: &[String],
) -> Result<(RawRow, Vec<Result<RawRow, ReadError>>), ReadError> {
    let mut candidates = Vec::new();
    let mut failed = None;
    while candidates.len() < HEADER_SEARCH {
        match rows.next() {
            None => break,
            Some(Err(e)) if candidates.is_empty() => return Err(e),
            Some(Err(e)) => {
                failed = Some(e);
                break;
            }
            Some(Ok(r)) if is_blank(&r.cells) => {}
            Some(Ok(r)) => candidates.push(r),
        }
    }
    let at = candidates
        .iter()
        .position(|r| holds_all(&r.cells, expected))
        .unwrap_or(0);
    let mut from_header = candidates.into_iter().skip(at);
    match from_header.next() {
        Some(header) => {
            let after = from_header.map(Ok).chain(failed.map(Err)).collect();
            Ok((header, after))
        }
        None => Err(ReadError::Empty {
            file: file.to_owned(),
        }),
    }
}

fn mojibake_warning<'a>(
    mut rows: impl Iterator<Item = &'a RawRow>,
    headers: &[String],
) -> Option<String> {
    rows.find_map(|r| {
        r.cells.iter().enumerate().find_map(|(i, c)| match c {
            Cell::Text(s) if mojibake::suspicious(s) => {
                let column = match headers.get(i) {
                    Some(h) if !h.trim().is_empty() => format!("`{h}`"),
                    _ => format!("{}", i + 1),
                };
                Some(format!(
                    "row {}, column {column}: `{s}` looks like Turkish text that was read \
                     as Latin-1 and saved again (probably `{}`); check how the file was \
                     exported",
                    r.row,
                    mojibake::repaired(s)
                ))
            }
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::records::Width;
    use crate::read::{Record, SkipIf};
    use regex::Regex;

    fn text_row(row: u64, fields: &[&str]) -> RawRow {
        let cells = fields
            .iter()
            .map(|f| {
                if f.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text((*f).into())
                }
            })
            .collect();
        RawRow { row, cells }
    }

    fn source(rows: Vec<RawRow>, width: Width) -> Source {
        Source {
            file: Arc::from("t.csv"),
            sheet: None,
            rows: RawRows::new(rows.into_iter().map(Ok)),
            width,
            warnings: Vec::new(),
        }
    }

    /// Skipped?, row number, cells, ragged.
    type Got = (bool, u64, Vec<Cell>, Option<(usize, usize)>);

    fn rows_of(table: Table) -> Vec<Got> {
        table
            .records
            .map(|r| match r.unwrap() {
                Record::Data(row) => (false, row.pos.row, row.cells, row.ragged),
                Record::Skipped(row) => (true, row.pos.row, row.cells, row.ragged),
            })
            .collect()
    }

    fn titled() -> Vec<RawRow> {
        vec![
            text_row(1, &["CARİ LİSTESİ", "", ""]),
            text_row(2, &["", "", ""]),
            text_row(3, &["Cari Kodu", "Cari Ünvanı", "Bakiye"]),
            text_row(4, &["C1", "Ali", "10"]),
        ]
    }

    #[test]
    fn find_column_exact_then_folded() {
        let headers = vec![
            "Cari Kodu".to_owned(),
            "CARİ  ÜNVANI ".to_owned(),
            "cari kodu".to_owned(),
        ];
        assert_eq!(find_column(&headers, "cari kodu"), Some(2));
        assert_eq!(find_column(&headers, "CARI KODU"), Some(0));
        assert_eq!(find_column(&headers, "Cari Ünvanı"), Some(1));
        assert_eq!(find_column(&headers, "Cari Unvani"), None);
    }

    #[test]
    fn header_detected_below_title_rows() {
        let opts = SourceOptions {
            expected_columns: vec!["cari kodu".into(), "BAKİYE".into()],
            ..SourceOptions::default()
        };
        let t = assemble(source(titled(), Width::Exact), &opts).unwrap();
        assert_eq!(t.header_row, 3);
        assert_eq!(t.headers, ["Cari Kodu", "Cari Ünvanı", "Bakiye"]);
        let rows = rows_of(t);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].1, 4);
    }

    #[test]
    fn without_a_matching_row_the_first_non_blank_row_is_the_header() {
        let opts = SourceOptions {
            expected_columns: vec!["Yok".into()],
            ..SourceOptions::default()
        };
        let t = assemble(source(titled(), Width::Exact), &opts).unwrap();
        assert_eq!(t.header_row, 1);
        assert_eq!(t.headers[0], "CARİ LİSTESİ");
        assert_eq!(rows_of(t).len(), 2);
    }

    #[test]
    fn explicit_header_row_and_past_the_end() {
        let opts = SourceOptions {
            header_row: Some(2),
            ..SourceOptions::default()
        };
        // Row 2 is blank: the header is the next non-blank row.
        let t = assemble(source(titled(), Width::Exact), &opts).unwrap();
        assert_eq!(t.header_row, 3);
        let opts = SourceOptions {
            header_row: Some(9),
            ..SourceOptions::default()
        };
        let err = assemble(source(titled(), Width::Exact), &opts).err();
        assert!(matches!(err, Some(ReadError::NoHeaderRow { row: 9, .. })));
    }

    #[test]
    fn no_non_blank_row_is_empty() {
        let blank = vec![text_row(1, &["", " "]), text_row(2, &["\t"])];
        let err = assemble(source(blank, Width::Exact), &SourceOptions::default()).err();
        assert!(matches!(err, Some(ReadError::Empty { .. })));
    }

    #[test]
    fn skip_if_marks_rows_skipped_and_needs_its_column() {
        let rows = vec![
            text_row(1, &["Cari Kodu", "Tutar"]),
            text_row(2, &["C1", "5"]),
            text_row(3, &["  TOPLAM", "5"]),
        ];
        let skip = SkipIf {
            column: "CARİ KODU".into(),
            matches: Regex::new("^TOPLAM").unwrap(),
        };
        let opts = SourceOptions {
            skip_if: vec![skip.clone()],
            ..SourceOptions::default()
        };
        let got = rows_of(assemble(source(rows.clone(), Width::Exact), &opts).unwrap());
        assert_eq!(
            got.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(),
            [(false, 2), (true, 3)]
        );

        let missing = SkipIf {
            column: "Yok".into(),
            ..skip
        };
        let opts = SourceOptions {
            skip_if: vec![missing],
            ..SourceOptions::default()
        };
        match assemble(source(rows, Width::Exact), &opts) {
            Err(ReadError::SkipColumn {
                column, available, ..
            }) => {
                assert_eq!(column, "Yok");
                assert_eq!(available, "`Cari Kodu`, `Tutar`");
            }
            _ => panic!("expected SkipColumn"),
        }
    }

    #[test]
    fn ragged_rows_by_shape() {
        let rows = || {
            vec![
                text_row(1, &["a", "b", "c"]),
                text_row(2, &["1", "2"]),
                text_row(3, &["1", "2", "3", "4"]),
                text_row(4, &["1", "2", "3"]),
            ]
        };
        let exact =
            rows_of(assemble(source(rows(), Width::Exact), &SourceOptions::default()).unwrap());
        assert_eq!(exact[0].3, Some((2, 3)));
        assert_eq!(exact[0].2.len(), 2);
        assert_eq!(exact[1].3, Some((4, 3)));
        assert_eq!(exact[1].2.len(), 4);
        assert_eq!(exact[2].3, None);

        let padded =
            rows_of(assemble(source(rows(), Width::PadShort), &SourceOptions::default()).unwrap());
        assert_eq!(padded[0].3, None);
        assert_eq!(
            padded[0].2,
            vec![Cell::Text("1".into()), Cell::Text("2".into()), Cell::Empty]
        );
        assert_eq!(padded[1].3, Some((4, 3)));
    }

    #[test]
    fn blank_rows_never_appear() {
        let rows = vec![
            text_row(1, &["a", "b"]),
            text_row(2, &["", ""]),
            text_row(3, &["  ", "\t"]),
            text_row(5, &["x", ""]),
        ];
        let got = rows_of(assemble(source(rows, Width::Exact), &SourceOptions::default()).unwrap());
        assert_eq!(got.iter().map(|r| r.1).collect::<Vec<_>>(), [5]);
    }

    #[test]
    fn mojibake_is_warned_once_with_row_and_column() {
        let rows = vec![
            text_row(1, &["Kod", "Ünvan"]),
            text_row(2, &["1", "Ali"]),
            text_row(3, &["2", "ÝSTANBUL DAÐITIM"]),
            text_row(4, &["3", "MÜÞTERÝ"]),
        ];
        let t = assemble(source(rows, Width::Exact), &SourceOptions::default()).unwrap();
        assert_eq!(t.warnings.len(), 1);
        let w = &t.warnings[0];
        assert!(w.contains("row 3, column `Ünvan`"), "{w}");
        assert!(w.contains("İSTANBUL DAĞITIM"), "{w}");
    }

    #[test]
    fn an_error_before_the_header_stops_the_open() {
        let src = Source {
            file: Arc::from("t.csv"),
            sheet: None,
            rows: RawRows::new(std::iter::once(Err(ReadError::Io {
                file: "t.csv".into(),
                row: 1,
                message: "boom".into(),
            }))),
            width: Width::Exact,
            warnings: Vec::new(),
        };
        assert!(matches!(
            assemble(src, &SourceOptions::default()),
            Err(ReadError::Io { .. })
        ));
    }
}
