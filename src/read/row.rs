//! The row types every stage after reading works with.

use std::sync::Arc;

use chrono::NaiveDateTime;
use compact_str::CompactString;
use rust_decimal::Decimal;

/// Where a row came from: file, sheet (spreadsheets only) and 1-based row number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourcePos {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    pub row: u64,
}

/// One cell as the file holds it. CSV cells are always text; spreadsheets give typed cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    /// Short texts (most cells) are held inline, without an allocation of their own.
    Text(CompactString),
    /// An exact decimal (spreadsheet numbers are rounded to the 15 significant digits
    /// Excel shows, so 0.1+0.2 is 0.3).
    Number(Decimal),
    Bool(bool),
    /// A real date or date-time cell (the date part only matters for date fields).
    Date(NaiveDateTime),
    /// A spreadsheet error cell such as `#N/A` or `#DIV/0!`.
    Error(CompactString),
}

/// A data row: its position and its cells in header order.
#[derive(Debug, Clone)]
pub struct Row {
    pub pos: SourcePos,
    pub cells: Vec<Cell>,
    /// Set when the row has a different number of fields than the header
    /// (`(found, expected)`); such a row is rejected, never silently padded.
    pub ragged: Option<(usize, usize)>,
}
