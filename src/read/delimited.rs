//! CSV/TXT/TSV: encoding and delimiter sniffed from the first MiB, then one streaming
//! pass that splits records as the `csv` crate does (`split`).
//!
//! Records are read into one reused buffer, so the only allocations per row are the
//! cells themselves. Row numbers are the physical line where a record starts, as a
//! text editor shows it (`lines`); the delimiter is sniffed in `sniff`.

use std::io::Read;
use std::sync::Arc;

use super::batch::{Batch, MAX_TEXT, TextBatch, push_cell};
use super::cells::MAX_COLUMNS;
use super::encoding::{self, SNIFF_LEN};
use super::records::{RawRow, RawRows, SkipIf, Source, Width};
use super::sniff::sniff_delimiter;
use super::split::{Fields, Splitter};
use super::{Cell, ReadError, SourceOptions};

/// Opens `file` (positioned at its start) as delimited text. `tab_default` is set
/// for `.tsv` files, whose delimiter is not sniffed.
pub(crate) fn open<R: Read + Send + 'static>(
    mut file: R,
    name: Arc<str>,
    opts: &SourceOptions,
    tab_default: bool,
) -> Result<Source, ReadError> {
    // Failing before any row is read, at the first line.
    let io_error = |e: std::io::Error| ReadError::Io {
        file: name.to_string(),
        row: 1,
        message: e.to_string(),
    };
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    file.by_ref()
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut prefix)
        .map_err(io_error)?;
    let complete = prefix.len() < SNIFF_LEN;
    let detected = encoding::detect(opts.encoding, &prefix, complete);
    let delimiter = match opts.delimiter {
        Some(d) => d,
        None if tab_default => b'\t',
        None => sniff_delimiter(&encoding::decode_prefix(&detected, &prefix), complete),
    };
    let warnings = detected.warning.clone().into_iter().collect();
    let fallback_1254 = detected.fallback_1254;
    let stream = encoding::utf8_stream(&detected, prefix, file).map_err(io_error)?;
    let rows = DelimitedRows {
        reader: Splitter::new(stream, delimiter),
        record: Fields::default(),
        fallback_1254,
        file: Arc::clone(&name),
        line: 1,
        done: false,
        batch_room: (0, 0, 0),
    };
    Ok(Source {
        file: name,
        sheet: None,
        rows: RawRows::Delimited(Box::new(rows)),
        width: Width::Exact,
        warnings,
    })
}

pub(crate) struct DelimitedRows {
    reader: Splitter<Box<dyn Read + Send>>,
    record: Fields,
    fallback_1254: bool,
    file: Arc<str>,
    /// Line of the last record read, for errors that carry no position.
    line: u64,
    done: bool,
    /// Room for the largest text batch so far (`TextBatch::size`): a batch that grew
    /// past its room would copy all it holds.
    batch_room: (usize, usize, usize),
}

impl DelimitedRows {
    fn fail<T>(&mut self, row: u64, message: String) -> Option<Result<T, ReadError>> {
        self.done = true;
        Some(Err(ReadError::Io {
            file: self.file.to_string(),
            row,
            message,
        }))
    }

    /// The record just read as text.
    fn text(&self) -> Result<RecordText<'_>, String> {
        if let Ok(whole) = simdutf8::basic::from_utf8(self.record.as_slice()) {
            let bounds = self.record.bounds();
            if bounds
                .iter()
                .all(|&(s, e)| whole.is_char_boundary(s) && whole.is_char_boundary(e))
            {
                return Ok(RecordText::Whole(whole, bounds));
            }
        }
        let fallback = self.fallback_1254;
        self.record
            .iter()
            .enumerate()
            .map(|(i, field)| encoding::field_text(field, fallback).ok_or_else(|| not_utf8(i)))
            .collect::<Result<_, _>>()
            .map(RecordText::Fields)
    }

    /// The cells of the record just read.
    fn cells(&self) -> Result<Vec<Cell>, String> {
        let mut cells = Vec::with_capacity(self.record.len());
        match self.text()? {
            RecordText::Whole(whole, bounds) => {
                for &(start, end) in bounds {
                    push_cell(&mut cells, whole.get(start..end).unwrap_or_default());
                }
            }
            RecordText::Fields(fields) => {
                for field in &fields {
                    push_cell(&mut cells, field);
                }
            }
        }
        Ok(cells)
    }

    /// Reads the next record; gives the line it starts on.
    fn advance(&mut self) -> Option<Result<u64, ReadError>> {
        if self.done {
            return None;
        }
        match self.reader.read(&mut self.record) {
            Ok(None) => {
                self.done = true;
                None
            }
            Ok(Some(span)) => {
                let row = span.line;
                self.line = row;
                // Refused here, before a cell is made of it: a file without line
                // breaks would otherwise be one row of millions of cells, which no
                // report can show.
                if self.record.len() > MAX_COLUMNS {
                    self.done = true;
                    return Some(Err(ReadError::TooWide {
                        file: self.file.to_string(),
                        row,
                        fields: self.record.len(),
                        max: MAX_COLUMNS,
                    }));
                }
                Some(Ok(row))
            }
            Err(e) => {
                let line = self.line;
                self.fail(line, e.to_string())
            }
        }
    }

    /// The next records as text, up to `max` of them (fewer when their text grows
    /// past [`BATCH_TEXT`]), shaped for a header `width` wide with `skips`.
    pub(crate) fn text_batch(
        &mut self,
        max: usize,
        width: usize,
        skips: &[(usize, SkipIf)],
    ) -> Option<Result<Batch, ReadError>> {
        let mut batch = TextBatch::with_room(Arc::clone(&self.file), self.batch_room);
        while batch.rows().len() < max && batch.text_len() < BATCH_TEXT {
            let row = match self.advance() {
                None => break,
                Some(Ok(row)) => row,
                Some(Err(e)) => return Some(Err(e)),
            };
            if self.record.as_slice().len() > MAX_RECORD {
                return self.fail(row, "the record is longer than 1 GiB".to_owned());
            }
            match self.text() {
                Ok(RecordText::Whole(whole, bounds)) => {
                    batch.push_whole(row, whole, bounds, width, skips);
                }
                Ok(RecordText::Fields(fields)) => {
                    batch.push(row, fields.iter().map(String::as_str), width, skips);
                }
                Err(message) => return self.fail(row, message),
            }
        }
        let (text, fields, rows) = batch.size();
        let room = &mut self.batch_room;
        *room = (room.0.max(text), room.1.max(fields), room.2.max(rows));
        (!batch.rows().is_empty()).then_some(Ok(Batch::Text(batch)))
    }
}

/// A record's text: valid UTF-8 as a whole with each field on character boundaries
/// (nearly every record, checked in one pass rather than one a field), or field by
/// field, each read as Windows-1254 where it is not UTF-8 and the file allows it.
enum RecordText<'a> {
    Whole(&'a str, &'a [(usize, usize)]),
    Fields(Vec<String>),
}

/// A batch's text grows to about this many bytes at most (one record more).
const BATCH_TEXT: usize = 4 << 20;

/// The longest record read as text: with a batch's text before it, and each byte
/// read as up to three of UTF-8 (Windows-1254's `€`), still within [`MAX_TEXT`].
const MAX_RECORD: usize = 1 << 30;
const _: () = assert!(BATCH_TEXT + 3 * MAX_RECORD < MAX_TEXT);

fn not_utf8(i: usize) -> String {
    format!(
        "field {} is not valid UTF-8; if the file is in the Turkish code page, set \
         encoding = \"windows-1254\" in [source]",
        i + 1
    )
}

impl Iterator for DelimitedRows {
    type Item = Result<RawRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = match self.advance()? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        match self.cells() {
            Ok(cells) => Some(Ok(RawRow { row, cells })),
            Err(message) => self.fail(row, message),
        }
    }
}

#[cfg(test)]
mod tests;
