//! Records handed on a batch at a time.
//!
//! A delimited file's records travel as text: the fields of a whole batch in one
//! buffer, with no cell made for any of them, and validation reads each cell where it
//! lies. Only a row that is reported (rejected, or a skipped total row) is made into a
//! [`Row`] of its own. Spreadsheets give typed cells, so their records travel as they
//! are read.

use std::borrow::Cow;
use std::sync::Arc;

use compact_str::CompactString;

use super::records::{Records, SkipIf, skip_matches};
use super::{Cell, ReadError, Record, Row, SourcePos};

/// A batch of records in file order.
pub enum Batch {
    Records(Vec<Record>),
    Text(TextBatch),
}

/// Up to `max` of `records` as one batch; `None` when none is left. A read error ends
/// the batch and is given instead of it: the run stops there.
pub(crate) fn gather(
    records: &mut dyn Iterator<Item = Result<Record, ReadError>>,
    max: usize,
) -> Option<Result<Batch, ReadError>> {
    let mut batch = Vec::with_capacity(max.min(GATHERED));
    for rec in records.take(max) {
        match rec {
            Ok(rec) => batch.push(rec),
            Err(e) => return Some(Err(e)),
        }
    }
    (!batch.is_empty()).then_some(Ok(Batch::Records(batch)))
}

/// Room made at once for gathered records.
const GATHERED: usize = 4096;

/// A table's records as they stream; a batch at a time, see [`RecordStream::next_batch`].
pub struct RecordStream(Stream);

enum Stream {
    Shaped(Box<Records>),
    Any(Box<dyn Iterator<Item = Result<Record, ReadError>> + Send>),
}

impl RecordStream {
    pub fn new(records: impl Iterator<Item = Result<Record, ReadError>> + Send + 'static) -> Self {
        RecordStream(Stream::Any(Box::new(records)))
    }

    pub(crate) fn shaped(records: Records) -> Self {
        RecordStream(Stream::Shaped(Box::new(records)))
    }

    /// The next records, up to `max` of them, in file order.
    pub fn next_batch(&mut self, max: usize) -> Option<Result<Batch, ReadError>> {
        match &mut self.0 {
            Stream::Shaped(records) => records.next_batch(max),
            Stream::Any(records) => gather(records, max),
        }
    }
}

impl Iterator for RecordStream {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Stream::Shaped(records) => records.next(),
            Stream::Any(records) => records.next(),
        }
    }
}

/// Records of a delimited file as text. Blank lines are left out as they are read;
/// a record that `skip_if` matches is kept, marked, in its place.
pub struct TextBatch {
    file: Arc<str>,
    text: String,
    /// `(start, end)` of each field in `text`.
    bounds: Vec<(u32, u32)>,
    rows: Vec<TextRow>,
}

/// One record of a [`TextBatch`].
#[derive(Debug, Clone)]
pub struct TextRow {
    pub row: u64,
    /// Its fields' range in the batch's `bounds`.
    fields: (u32, u32),
    /// As [`Row::ragged`].
    pub ragged: Option<(usize, usize)>,
    /// `skip_if` matched it.
    pub skipped: bool,
}

/// The cells of one record of a [`TextBatch`], each the text of its field (an empty
/// text is an empty cell).
#[derive(Debug, Clone, Copy)]
pub struct TextCells<'a> {
    text: &'a str,
    bounds: &'a [(u32, u32)],
}

impl<'a> TextCells<'a> {
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let &(start, end) = self.bounds.get(i)?;
        self.text.get(start as usize..end as usize)
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The cells as a row of its own holds them.
    pub fn to_cells(&self) -> Vec<Cell> {
        let mut cells = Vec::with_capacity(self.len());
        for text in self.iter() {
            push_cell(&mut cells, text);
        }
        cells
    }

    /// Every cell is empty or white space.
    fn is_blank(&self) -> bool {
        self.iter().all(|t| crate::turkish::trim(t).is_empty())
    }
}

impl TextBatch {
    /// An empty batch with room for `room` (as [`Self::size`] gives it).
    pub(crate) fn with_room(file: Arc<str>, room: (usize, usize, usize)) -> TextBatch {
        TextBatch {
            file,
            text: String::with_capacity(room.0),
            bounds: Vec::with_capacity(room.1),
            rows: Vec::with_capacity(room.2),
        }
    }

    /// What the batch holds: bytes of text, fields, rows.
    pub(crate) fn size(&self) -> (usize, usize, usize) {
        (self.text.len(), self.bounds.len(), self.rows.len())
    }

    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    pub fn rows(&self) -> &[TextRow] {
        &self.rows
    }

    /// Bytes of text held.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    #[inline]
    pub fn cells(&self, r: &TextRow) -> TextCells<'_> {
        TextCells {
            text: &self.text,
            bounds: self
                .bounds
                .get(r.fields.0 as usize..r.fields.1 as usize)
                .unwrap_or_default(),
        }
    }

    /// Record `r` as a row of its own.
    pub fn row(&self, r: &TextRow) -> Row {
        Row {
            pos: SourcePos {
                file: Arc::clone(&self.file),
                sheet: None,
                row: r.row,
            },
            cells: self.cells(r).to_cells(),
            ragged: r.ragged,
        }
    }

    /// Keeps the records `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&TextRow, TextCells<'_>) -> bool) {
        let (text, bounds) = (&self.text, &self.bounds);
        self.rows.retain(|r| {
            let cells = TextCells {
                text,
                bounds: bounds
                    .get(r.fields.0 as usize..r.fields.1 as usize)
                    .unwrap_or_default(),
            };
            keep(r, cells)
        });
    }

    /// Adds record `row` from `fields`, shaped as [`super::records::Records`] shapes a
    /// delimited file's records: a blank one is left out, a record with another number
    /// of fields than the header's `width` is marked ragged, one that a `skips` pattern
    /// matches is marked skipped.
    pub(crate) fn push<'f>(
        &mut self,
        row: u64,
        fields: impl Iterator<Item = &'f str>,
        width: usize,
        skips: &[(usize, SkipIf)],
    ) {
        let (text_start, first) = (self.text.len(), self.bounds.len());
        for field in fields {
            let start = offset(self.text.len());
            self.text.push_str(field);
            self.bounds.push((start, offset(self.text.len())));
        }
        self.shape(row, text_start, first, width, skips);
    }

    /// Adds record `row` whose fields are `whole`'s ranges `bounds` (on character
    /// boundaries), as [`Self::push`] does.
    pub(crate) fn push_whole(
        &mut self,
        row: u64,
        whole: &str,
        bounds: &[(usize, usize)],
        width: usize,
        skips: &[(usize, SkipIf)],
    ) {
        let base = self.text.len();
        let first = self.bounds.len();
        self.text.push_str(whole);
        self.bounds.extend(
            bounds
                .iter()
                .map(|&(s, e)| (offset(base + s), offset(base + e))),
        );
        self.shape(row, base, first, width, skips);
    }

    /// Shapes the record just added (text from `text_start`, fields from `first`).
    fn shape(
        &mut self,
        row: u64,
        text_start: usize,
        first: usize,
        width: usize,
        skips: &[(usize, SkipIf)],
    ) {
        let r = TextRow {
            row,
            fields: (offset(first), offset(self.bounds.len())),
            ragged: None,
            skipped: false,
        };
        let cells = self.cells(&r);
        if cells.is_blank() {
            self.text.truncate(text_start);
            self.bounds.truncate(first);
            return;
        }
        let found = cells.len();
        let skipped = skip_matches(skips, |c| cells.get(c).map(Cow::Borrowed));
        self.rows.push(TextRow {
            ragged: (found != width).then_some((found, width)),
            skipped,
            ..r
        });
    }
}

/// The most text a batch holds: its offsets are 32 bits wide.
pub(crate) const MAX_TEXT: usize = u32::MAX as usize;

/// An offset into a batch, below [`MAX_TEXT`] (its reader sees to that).
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Appends `text` as a cell. A short text is copied straight into its cell's place:
/// built aside and moved in, it was written by a copy of its own length and then read
/// back whole, a read that had to wait for the copy's stores, once for every cell.
#[inline]
pub(crate) fn push_cell(cells: &mut Vec<Cell>, text: &str) {
    if text.is_empty() {
        cells.push(Cell::Empty);
    } else if text.len() <= INLINE {
        cells.push(Cell::Text(CompactString::default()));
        if let Some(Cell::Text(t)) = cells.last_mut() {
            t.push_str(text);
        }
    } else {
        cells.push(Cell::Text(text.into()));
    }
}

/// The longest text a cell holds without an allocation of its own.
pub(crate) const INLINE: usize = std::mem::size_of::<CompactString>();

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::read::{EncodingChoice, SkipIf as SkipRule, SourceOptions, open};

    /// Skipped?, row number, cells, ragged — or the error that ended the read.
    type Got = Result<(bool, u64, Vec<Cell>, Option<(usize, usize)>), String>;

    fn record(rec: Record) -> (bool, u64, Vec<Cell>, Option<(usize, usize)>) {
        match rec {
            Record::Data(row) => (false, row.pos.row, row.cells, row.ragged),
            Record::Skipped(row) => (true, row.pos.row, row.cells, row.ragged),
        }
    }

    /// The records one at a time, as every reader of a table sees them.
    fn one_by_one(records: RecordStream) -> Vec<Got> {
        let mut got = Vec::new();
        for rec in records {
            match rec {
                Ok(rec) => got.push(Ok(record(rec))),
                Err(e) => {
                    got.push(Err(e.to_string()));
                    break;
                }
            }
        }
        got
    }

    /// The records in batches of `max`, as the pipeline takes them.
    fn batched(mut records: RecordStream, max: usize) -> Vec<Got> {
        let mut got = Vec::new();
        while let Some(batch) = records.next_batch(max) {
            match batch {
                Ok(Batch::Records(recs)) => got.extend(recs.into_iter().map(|r| Ok(record(r)))),
                Ok(Batch::Text(text)) => {
                    assert!(text.rows().len() <= max, "a batch past its size");
                    got.extend(text.rows().iter().map(|r| {
                        let row = text.row(r);
                        Ok((r.skipped, row.pos.row, row.cells, row.ragged))
                    }));
                }
                Err(e) => {
                    got.push(Err(e.to_string()));
                    break;
                }
            }
        }
        got
    }

    /// A header, `rows` plain rows, then `tail`.
    fn export(rows: usize, tail: &[u8]) -> Vec<u8> {
        let mut bytes = b"Kod;No;Ad;Bakiye\n".to_vec();
        for i in 0..rows {
            bytes.extend(format!("C{i};{i};Ad {i};1,5\n").into_bytes());
        }
        bytes.extend_from_slice(tail);
        bytes
    }

    fn tail() -> impl Strategy<Value = Vec<u8>> {
        let text = prop::collection::vec(
            prop::sample::select(
                "C;;;\"\"\n\n\r 01,x TOPLAMŞıİ\t\u{a0}"
                    .chars()
                    .collect::<Vec<_>>(),
            ),
            0..600,
        )
        .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes());
        let bytes = prop::collection::vec(
            prop::sample::select(b";;\"\n\r C0TOPLAM\xC3\x96\xDD\xFE\xBF".to_vec()),
            0..600,
        );
        prop_oneof![text, bytes]
    }

    fn options(encoding: EncodingChoice) -> SourceOptions {
        SourceOptions {
            encoding,
            delimiter: Some(b';'),
            skip_if: vec![SkipRule {
                column: "Kod".into(),
                matches: regex::Regex::new("^TOPLAM").unwrap(),
            }],
            ..SourceOptions::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Read as text batches, a delimited file gives the records, row numbers,
        /// shapes and errors it gives read one record at a time.
        #[test]
        fn text_batches_hold_the_records_read_one_by_one(
            tail in tail(),
            max in 1usize..40,
            encoding in prop::sample::select(vec![EncodingChoice::Auto, EncodingChoice::Utf8]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("cariler.csv");
            // Past the rows read while opening, which come as records.
            std::fs::write(&path, export(1_010, &tail)).unwrap();
            let opts = options(encoding);
            let (Ok(a), Ok(b)) = (open(&path, &opts), open(&path, &opts)) else {
                return Ok(());
            };
            let one = one_by_one(a.records);
            let batched = batched(b.records, max);
            prop_assert!(one.len() >= 1_010);
            // A read error is given in place of the batch it ends: the rows before it
            // in that batch are not validated, as the run stops there.
            let whole = match one.last() {
                Some(Err(_)) => {
                    prop_assert_eq!(one.last(), batched.last());
                    batched.len() - 1
                }
                _ => one.len().max(batched.len()),
            };
            let differ = (0..whole).find(|&i| one.get(i) != batched.get(i));
            prop_assert!(
                differ.is_none(),
                "record {:?}: {:?} one by one, {:?} in batches",
                differ,
                differ.and_then(|i| one.get(i)),
                differ.and_then(|i| batched.get(i))
            );
        }
    }

    #[test]
    fn a_batch_is_text_once_the_rows_read_while_opening_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cariler.csv");
        std::fs::write(&path, export(3_000, b"TOPLAM;;;4500\n")).unwrap();
        let mut records = open(&path, &options(EncodingChoice::Auto)).unwrap().records;
        let mut kinds = Vec::new();
        while let Some(batch) = records.next_batch(600) {
            kinds.push(match batch.unwrap() {
                Batch::Records(r) => ("records", r.len()),
                Batch::Text(t) => ("text", t.rows().len()),
            });
        }
        // The first thousand rows are read while opening.
        assert_eq!(
            kinds,
            [
                ("records", 600),
                ("records", 600),
                ("text", 600),
                ("text", 600),
                ("text", 600),
                ("text", 1)
            ]
        );
    }
}
