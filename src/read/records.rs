//! Raw rows as the format readers give them, and the record stream built on them.
//!
//! A format reader knows only row numbers and cells; the [`Records`] stream adds what
//! every format shares: blank rows dropped, rows measured against the header (ragged
//! or padded, by [`Width`]), `skip_if` applied, and each row stamped with its source
//! position.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;

use chrono::NaiveTime;
use regex::Regex;

use super::batch::Batch;
use super::delimited::DelimitedRows;
use super::{Cell, ReadError, Record, Row, SourcePos};

/// A row as a format reader sees it: its number as a person sees it, and its cells.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub row: u64,
    pub cells: Vec<Cell>,
}

pub(crate) enum RawRows {
    Cells(Box<dyn Iterator<Item = Result<RawRow, ReadError>> + Send>),
    /// A delimited file's, which can also be read as text batches.
    Delimited(Box<DelimitedRows>),
}

impl RawRows {
    pub(crate) fn new(
        rows: impl Iterator<Item = Result<RawRow, ReadError>> + Send + 'static,
    ) -> Self {
        RawRows::Cells(Box::new(rows))
    }
}

impl Iterator for RawRows {
    type Item = Result<RawRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            RawRows::Cells(rows) => rows.next(),
            RawRows::Delimited(rows) => rows.next(),
        }
    }
}

/// What a row with fewer cells than the header means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    /// Delimited text: any other field count is a broken line (ragged).
    Exact,
    /// Spreadsheets: cells past the last value are simply empty; only values to the
    /// right of the last header column make a row ragged.
    PadShort,
}

/// A format reader's output, before the header is known.
pub(crate) struct Source {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    pub rows: RawRows,
    pub width: Width,
    pub warnings: Vec<String>,
}

/// A cell as text, for header names and `skip_if` matching.
pub(crate) fn cell_text(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(s) | Cell::Error(s) => Cow::Borrowed(s),
        Cell::Number(d) => Cow::Owned(d.to_string()),
        Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        Cell::Date(dt) if dt.time() == NaiveTime::MIN => {
            Cow::Owned(dt.format("%Y-%m-%d").to_string())
        }
        Cell::Date(dt) => Cow::Owned(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
    }
}

/// Whether a `skips` pattern matches the trimmed text of its column (`text` gives a
/// column's; a row without that column is not skipped).
pub(crate) fn skip_matches<'a>(
    skips: &[(usize, SkipIf)],
    text: impl Fn(usize) -> Option<Cow<'a, str>>,
) -> bool {
    skips
        .iter()
        .any(|(col, re)| text(*col).is_some_and(|t| re.is_match(t.trim())))
}

pub(crate) fn is_blank(cells: &[Cell]) -> bool {
    cells.iter().all(|c| match c {
        Cell::Empty => true,
        Cell::Text(s) => crate::turkish::trim(s).is_empty(),
        _ => false,
    })
}

/// The stream of a [`Table`]: read-ahead rows first, then the rest of the source.
pub(crate) struct Records {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    /// Rows already read while opening; they come out first.
    pub ahead: VecDeque<Result<RawRow, ReadError>>,
    pub rows: RawRows,
    /// The header's width.
    pub width: usize,
    pub shape: Width,
    /// `skip_if` rules with their columns resolved.
    pub skips: Vec<(usize, SkipIf)>,
    /// Rows stamped with the current `file` and `sheet` names (see [`Records::record`]).
    pub stamped: usize,
}

/// Rows that share one allocation of their file's name: about a slice of a batch.
const STAMPS: usize = 512;

/// A `skip_if` pattern, tried on every row. The usual one, `^TOPLAM`, is a plain
/// prefix: compared as one, it costs a fraction of a regex search.
#[derive(Debug, Clone)]
pub(crate) enum SkipIf {
    Prefix(String),
    Regex(Regex),
}

impl SkipIf {
    pub(crate) fn new(re: &Regex) -> SkipIf {
        match re.as_str().strip_prefix('^') {
            // Letters, digits and spaces mean themselves in a pattern without flags.
            Some(rest)
                if !rest.is_empty() && rest.chars().all(|c| c.is_alphanumeric() || c == ' ') =>
            {
                SkipIf::Prefix(rest.to_string())
            }
            _ => SkipIf::Regex(re.clone()),
        }
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        match self {
            SkipIf::Prefix(p) => text.starts_with(p.as_str()),
            SkipIf::Regex(re) => re.is_match(text),
        }
    }
}

impl Records {
    fn record(&mut self, raw: RawRow) -> Record {
        // Every row holds its file's name. With one `Arc` for the whole file, this
        // thread would count it up and the workers count it down for every row,
        // passing its cache line between the cores all run long; a fresh copy every
        // `STAMPS` rows gives each group of rows a count of its own.
        if self.stamped == STAMPS {
            self.stamped = 0;
            self.file = Arc::from(&*self.file);
            self.sheet = self.sheet.as_deref().map(Arc::from);
        }
        self.stamped += 1;
        let mut cells = raw.cells;
        let found = cells.len();
        let ragged = match self.shape {
            Width::Exact => (found != self.width).then_some((found, self.width)),
            Width::PadShort if found > self.width => Some((found, self.width)),
            Width::PadShort => {
                cells.resize(self.width, Cell::Empty);
                None
            }
        };
        let skipped = skip_matches(&self.skips, |c| cells.get(c).map(cell_text));
        let row = Row {
            pos: SourcePos {
                file: Arc::clone(&self.file),
                sheet: self.sheet.clone(),
                row: raw.row,
            },
            cells,
            ragged,
        };
        if skipped {
            Record::Skipped(row)
        } else {
            Record::Data(row)
        }
    }
}

impl Records {
    /// The next records, up to `max` of them: a delimited file's as text once the rows
    /// read while opening are taken.
    pub(crate) fn next_batch(&mut self, max: usize) -> Option<Result<Batch, ReadError>> {
        if self.ahead.is_empty()
            && self.shape == Width::Exact
            && let RawRows::Delimited(rows) = &mut self.rows
        {
            return rows.text_batch(max, self.width, &self.skips);
        }
        super::batch::gather(self, max)
    }
}

impl Iterator for Records {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let item = match self.ahead.pop_front() {
                Some(item) => item,
                None => self.rows.next()?,
            };
            match item {
                Err(e) => return Some(Err(e)),
                Ok(raw) if is_blank(&raw.cells) => {}
                Ok(raw) => return Some(Ok(self.record(raw))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_as_text() {
        use chrono::NaiveDate;
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(
            cell_text(&Cell::Date(d.and_hms_opt(0, 0, 0).unwrap())),
            "2024-03-01"
        );
        assert_eq!(
            cell_text(&Cell::Date(d.and_hms_opt(9, 5, 0).unwrap())),
            "2024-03-01 09:05:00"
        );
        assert_eq!(
            cell_text(&Cell::Number(rust_decimal::Decimal::new(2024, 0))),
            "2024"
        );
    }

    #[test]
    fn blank_means_empty_or_whitespace_only() {
        assert!(is_blank(&[]));
        assert!(is_blank(&[Cell::Empty, Cell::Text(" \t".into())]));
        assert!(!is_blank(&[Cell::Empty, Cell::Bool(false)]));
        assert!(!is_blank(&[Cell::Error("#N/A".into())]));
    }

    #[test]
    fn a_plain_prefix_pattern_is_compared_as_a_prefix() {
        let prefix = |p: &str| matches!(SkipIf::new(&Regex::new(p).unwrap()), SkipIf::Prefix(_));
        assert!(prefix("^TOPLAM"));
        assert!(prefix("^Genel Toplam"));
        assert!(prefix("^BÖLÜM 2"));
        for p in [
            "TOPLAM",
            "^",
            "^TOPLAM$",
            "^(?i)toplam",
            "^TOP.AM",
            "^T+",
            "^A|B",
        ] {
            assert!(!prefix(p), "{p}");
        }
    }

    proptest::proptest! {
        #[test]
        fn a_skip_pattern_matches_what_its_regex_matches(
            p in "\\^?[TAöÖ .$|+()?]{0,4}",
            text in "[TAöÖ .]{0,6}",
        ) {
            if let Ok(re) = Regex::new(&p) {
                proptest::prop_assert_eq!(SkipIf::new(&re).is_match(&text), re.is_match(&text));
            }
        }
    }
}
