//! Spreadsheet cells into [`Cell`]s, and cells into rows.
//!
//! Numbers become exact decimals at the 15 significant digits Excel shows (a cached
//! `0.1+0.2` is `0.3`); date-formatted cells become dates; error cells keep Excel's
//! spelling (`#N/A`) so the report shows what the user sees. Cell indexes are absolute
//! spreadsheet columns (A is 0), whatever the used range, so every format agrees.

use calamine::{CellErrorType, Data, DataRef, ExcelDateTime};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::Cell;
use super::records::RawRow;
use crate::turkish::number::decimal_from_f64;

/// Excel's last column is XFD; a cell reference past it is a damaged file, and a text
/// line with more fields than that is no export's row.
pub(crate) const MAX_COLUMNS: usize = 16_384;

pub(crate) fn from_data(d: &Data) -> Cell {
    match d {
        Data::Int(i) => Cell::Number((*i).into()),
        Data::Float(f) => float(*f),
        Data::String(s) => text(s),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => date(dt),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => text(s),
        Data::Error(e) => error(e),
        Data::Empty => Cell::Empty,
    }
}

pub(crate) fn from_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Int(i) => Cell::Number((*i).into()),
        DataRef::Float(f) => float(*f),
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => date(dt),
        DataRef::DateTimeIso(s) => iso_date(s),
        DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => error(e),
        DataRef::Empty => Cell::Empty,
    }
}

fn float(f: f64) -> Cell {
    decimal_from_f64(f).map_or_else(|| Cell::Error("#NUM!".into()), Cell::Number)
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.into())
    }
}

fn date(dt: &ExcelDateTime) -> Cell {
    dt.as_datetime().map_or_else(
        || Cell::Error(format!("invalid date serial {}", dt.as_f64()).into()),
        Cell::Date,
    )
}

/// ODS stores dates as ISO text; anything that is not a date or date-time stays text.
fn iso_date(s: &str) -> Cell {
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Cell::Date(dt);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Cell::Date(d.and_time(NaiveTime::MIN));
    }
    text(s)
}

fn error(e: &CellErrorType) -> Cell {
    Cell::Error(e.to_string().into())
}

/// Gathers cells that arrive one by one in sheet order into rows.
#[derive(Debug, Default)]
pub(crate) struct RowBuilder {
    row: Option<u32>,
    cells: Vec<Cell>,
}

impl RowBuilder {
    /// Adds the cell at 0-based `(row, col)`; returns the previous row when `row`
    /// starts a new one.
    pub(crate) fn push(
        &mut self,
        (row, col): (u32, u32),
        cell: Cell,
    ) -> Result<Option<RawRow>, String> {
        let done = if self.row == Some(row) {
            None
        } else {
            let done = self.finish();
            self.row = Some(row);
            done
        };
        if cell != Cell::Empty {
            let col = col as usize;
            if col >= MAX_COLUMNS {
                return Err(format!(
                    "a cell in row {} is past the last spreadsheet column",
                    u64::from(row) + 1
                ));
            }
            if col >= self.cells.len() {
                self.cells.resize(col + 1, Cell::Empty);
            }
            if let Some(slot) = self.cells.get_mut(col) {
                *slot = cell;
            }
        }
        Ok(done)
    }

    /// The row being built, numbered as Excel shows it.
    pub(crate) fn finish(&mut self) -> Option<RawRow> {
        let row = self.row.take()?;
        Some(RawRow {
            row: u64::from(row) + 1,
            cells: std::mem::take(&mut self.cells),
        })
    }

    /// The 1-based number of the row being built, if any.
    pub(crate) fn current(&self) -> Option<u64> {
        self.row.map(|r| u64::from(r) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn numbers_are_exact_decimals() {
        assert_eq!(from_data(&Data::Int(42)), Cell::Number(Decimal::from(42)));
        assert_eq!(
            from_data(&Data::Float(0.1 + 0.2)),
            Cell::Number(Decimal::new(3, 1))
        );
        assert_eq!(
            from_ref(&DataRef::Float(1234.56)),
            Cell::Number(Decimal::new(123_456, 2))
        );
        assert_eq!(
            from_data(&Data::Float(f64::NAN)),
            Cell::Error("#NUM!".into())
        );
        assert_eq!(
            from_data(&Data::Float(f64::INFINITY)),
            Cell::Error("#NUM!".into())
        );
    }

    #[test]
    fn text_errors_and_bools() {
        assert_eq!(from_data(&Data::String(String::new())), Cell::Empty);
        assert_eq!(
            from_ref(&DataRef::SharedString(" a ")),
            Cell::Text(" a ".into())
        );
        assert_eq!(
            from_data(&Data::Error(CellErrorType::NA)),
            Cell::Error("#N/A".into())
        );
        assert_eq!(
            from_ref(&DataRef::Error(CellErrorType::Div0)),
            Cell::Error("#DIV/0!".into())
        );
        assert_eq!(from_data(&Data::Bool(true)), Cell::Bool(true));
    }

    #[test]
    fn iso_dates_from_ods() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 15).and_then(|d| d.and_hms_opt(0, 0, 0));
        assert_eq!(
            from_data(&Data::DateTimeIso("2024-01-15".into())),
            Cell::Date(d.unwrap())
        );
        let dt = NaiveDate::from_ymd_opt(2024, 1, 15).and_then(|d| d.and_hms_opt(10, 30, 0));
        assert_eq!(
            from_data(&Data::DateTimeIso("2024-01-15T10:30:00".into())),
            Cell::Date(dt.unwrap())
        );
        assert_eq!(
            from_data(&Data::DurationIso("PT10H30M".into())),
            Cell::Text("PT10H30M".into())
        );
    }

    #[test]
    fn row_builder_places_cells_by_column_and_splits_rows() {
        let mut b = RowBuilder::default();
        assert!(matches!(b.push((2, 1), Cell::Text("b".into())), Ok(None)));
        assert!(matches!(b.push((2, 3), Cell::Empty), Ok(None)));
        let Ok(Some(done)) = b.push((4, 0), Cell::Bool(true)) else {
            panic!("row 3 should be finished");
        };
        assert_eq!(done.row, 3);
        assert_eq!(done.cells, vec![Cell::Empty, Cell::Text("b".into())]);
        assert_eq!(b.current(), Some(5));
        let last = b.finish().map(|r| (r.row, r.cells));
        assert_eq!(last, Some((5, vec![Cell::Bool(true)])));
        assert!(b.push((0, 20_000), Cell::Bool(true)).is_err());
    }
}
