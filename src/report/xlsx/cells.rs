//! One source value into one worksheet cell: its type kept (text, number, boolean,
//! date), its look (ordinary or marked bad), and Excel's limits respected, so a
//! strange value in an export can never make the whole report fail.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::utility::cell_autofit_width;
use rust_xlsxwriter::{ColNum, Format, Note, RowNum, Worksheet, XlsxError};

use crate::read::Cell;

/// Excel's limit for the text of one cell, in UTF-16 units.
pub(super) const MAX_CELL_TEXT: usize = 32_767;
/// A note's limit: the cell limit less room rust_xlsxwriter keeps for an author prefix.
const MAX_NOTE_TEXT: usize = MAX_CELL_TEXT - 54;

/// The formats of an ordinary cell and of a bad one, kept side by side so a cell's
/// type picks the number format and its state picks the fill.
pub(super) struct Look {
    pub(super) text: Format,
    date: Format,
    datetime: Format,
    /// The text format is the workbook's default: cells are written without one, which
    /// spares the writer looking the format up cell by cell.
    plain: bool,
}

impl Look {
    pub(super) fn new(base: Format) -> Look {
        Look {
            date: base.clone().set_num_format("dd.mm.yyyy"),
            datetime: base.clone().set_num_format("dd.mm.yyyy hh:mm"),
            plain: base == Format::new(),
            text: base,
        }
    }
}

pub(super) fn write_cell(
    ws: &mut Worksheet,
    row: RowNum,
    c: ColNum,
    cell: &Cell,
    look: &Look,
) -> Result<(), XlsxError> {
    match cell {
        // A bad empty cell is filled by the caller; an ordinary one stays unwritten.
        Cell::Empty => {}
        Cell::Text(s) | Cell::Error(s) if look.plain => {
            ws.write_string(row, c, fit(s, MAX_CELL_TEXT))?;
        }
        Cell::Text(s) | Cell::Error(s) => {
            ws.write_string_with_format(row, c, fit(s, MAX_CELL_TEXT), &look.text)?;
        }
        // Excel stores numbers as doubles, so this is for display only: the exact
        // decimal is what was validated.
        Cell::Number(d) => match d.to_f64() {
            Some(x) if look.plain => {
                ws.write_number(row, c, x)?;
            }
            Some(x) => {
                ws.write_number_with_format(row, c, x, &look.text)?;
            }
            None => {
                ws.write_string_with_format(row, c, d.to_string(), &look.text)?;
            }
        },
        Cell::Bool(b) => {
            ws.write_boolean_with_format(row, c, *b, &look.text)?;
        }
        Cell::Date(dt) => write_date(ws, row, c, dt, look)?,
    }
    Ok(())
}

fn write_date(
    ws: &mut Worksheet,
    row: RowNum,
    c: ColNum,
    dt: &NaiveDateTime,
    look: &Look,
) -> Result<(), XlsxError> {
    let has_time = dt.num_seconds_from_midnight() != 0;
    // Excel has no dates before 1900 (or after 9999); such a value would show as
    // `####`, so it is written as text in the same shape instead.
    if !(1900..=9999).contains(&dt.year()) {
        let shape = if has_time {
            "%d.%m.%Y %H:%M"
        } else {
            "%d.%m.%Y"
        };
        ws.write_string_with_format(row, c, dt.format(shape).to_string(), &look.text)?;
    } else if has_time {
        ws.write_datetime_with_format(row, c, dt, &look.datetime)?;
    } else {
        ws.write_datetime_with_format(row, c, dt, &look.date)?;
    }
    Ok(())
}

/// The columns' widths as `Worksheet::autofit` measures them, taken as the cells are
/// written: a sheet written in constant memory keeps only its current row, so
/// autofit there would see one row.
pub(super) struct Widths {
    /// Rows from this one on are not measured (as `set_autofit_max_row`).
    until: RowNum,
    max: u32,
    px: BTreeMap<ColNum, u32>,
}

impl Widths {
    pub(super) fn new(until: RowNum, max: u32) -> Widths {
        Widths {
            until,
            max,
            px: BTreeMap::new(),
        }
    }

    pub(super) fn measures(&self, row: RowNum) -> bool {
        row < self.until
    }

    /// A text cell: its widest line. `filter` adds the autofilter arrow's room.
    pub(super) fn text(&mut self, row: RowNum, c: ColNum, text: &str, filter: bool) {
        let px = text
            .lines()
            .map(|l| cell_autofit_width(l) - 7)
            .max()
            .unwrap_or(0);
        self.add(row, c, px, filter);
    }

    pub(super) fn number(&mut self, row: RowNum, c: ColNum, n: f64) {
        self.add(row, c, 7 * n.to_string().len() as u32, false);
    }

    /// A cell as [`write_cell`] writes it.
    pub(super) fn cell(&mut self, row: RowNum, c: ColNum, cell: &Cell) {
        if !self.measures(row) {
            return;
        }
        match cell {
            Cell::Empty => {}
            Cell::Text(s) | Cell::Error(s) => self.text(row, c, &fit(s, MAX_CELL_TEXT), false),
            Cell::Number(d) => match d.to_f64() {
                Some(x) => self.number(row, c, x),
                None => self.text(row, c, &d.to_string(), false),
            },
            Cell::Bool(b) => self.add(row, c, if *b { 31 } else { 36 }, false),
            Cell::Date(dt) if !(1900..=9999).contains(&dt.year()) => {
                let shape = if dt.num_seconds_from_midnight() != 0 {
                    "%d.%m.%Y %H:%M"
                } else {
                    "%d.%m.%Y"
                };
                self.text(row, c, &dt.format(shape).to_string(), false);
            }
            Cell::Date(_) => self.add(row, c, 68, false),
        }
    }

    fn add(&mut self, row: RowNum, c: ColNum, px: u32, filter: bool) {
        if !self.measures(row) || px == 0 {
            return;
        }
        let px = (px + if filter { 16 } else { 0 } + 7).min(self.max);
        let max = self.px.entry(c).or_default();
        *max = (*max).max(px);
    }

    /// Gives each measured column its width.
    pub(super) fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (&c, &px) in &self.px {
            ws.set_column_autofit_width(c, px)?;
        }
        Ok(())
    }
}

pub(super) fn note(messages: &[String]) -> Note {
    let text = messages.join("\n");
    // Roughly 45 characters fit on a line of a 320-pixel note.
    let lines: usize = messages.iter().map(|m| m.chars().count() / 45 + 1).sum();
    let height = u32::try_from(lines.saturating_mul(16).saturating_add(16))
        .unwrap_or(u32::MAX)
        .clamp(60, 400);
    Note::new(fit(&text, MAX_NOTE_TEXT))
        .set_author("aktar")
        .add_author_prefix(false)
        .set_width(320)
        .set_height(height)
}

pub(super) fn col(index: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// `s` cut to at most `max` UTF-16 units (the unit Excel counts), ending in `…` when cut.
pub(super) fn fit(s: &str, max: usize) -> Cow<'_, str> {
    // UTF-8 never takes fewer bytes than UTF-16 takes units, so short strings need
    // no counting.
    if s.len() <= max || s.encode_utf16().count() <= max {
        return Cow::Borrowed(s);
    }
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if used + c.len_utf16() > max.saturating_sub(1) {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}…", &s[..end]))
}

/// Finds the header a `RowError` names: exactly first, then ignoring case (with
/// Turkish i, İ, ı and I all alike), because a validator may report the column as
/// the mapping spells it rather than as the file does.
pub(super) struct HeaderIndex<'a> {
    exact: HashMap<&'a str, usize>,
    folded: HashMap<String, usize>,
}

impl<'a> HeaderIndex<'a> {
    pub(super) fn new(headers: &'a [String]) -> HeaderIndex<'a> {
        let mut exact = HashMap::new();
        let mut folded = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            exact.entry(h.as_str()).or_insert(i);
            folded.entry(fold(h)).or_insert(i);
        }
        HeaderIndex { exact, folded }
    }

    pub(super) fn find(&self, column: &str) -> Option<usize> {
        if column.is_empty() {
            return None;
        }
        self.exact
            .get(column)
            .or_else(|| self.folded.get(&fold(column)))
            .copied()
    }
}

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            'İ' | 'I' | 'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> Vec<String> {
        ["Cari Kod", "İL", "Tutar", "tutar"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn header_lookup_prefers_the_exact_name() {
        let headers = headers();
        let index = HeaderIndex::new(&headers);
        assert_eq!(index.find("tutar"), Some(3));
        assert_eq!(index.find("Tutar"), Some(2));
        assert_eq!(
            index.find("TUTAR"),
            Some(2),
            "first header wins when folded"
        );
    }

    #[test]
    fn header_lookup_ignores_case_the_turkish_way() {
        let headers = headers();
        let index = HeaderIndex::new(&headers);
        assert_eq!(index.find("il"), Some(1));
        assert_eq!(index.find("Il"), Some(1));
        assert_eq!(index.find("ıl"), Some(1));
        assert_eq!(index.find("cari kod"), Some(0));
        assert_eq!(index.find(" CARİ KOD "), Some(0));
        assert_eq!(index.find("hesap"), None);
        assert_eq!(index.find(""), None);
    }

    #[test]
    fn fit_keeps_short_text_and_cuts_long_text_within_the_limit() {
        assert!(matches!(fit("kısa", 10), Cow::Borrowed("kısa")));
        assert_eq!(fit("abcdefghij", 10), "abcdefghij");
        assert_eq!(fit("abcdefghijk", 10), "abcdefghi…");
        // Each 😀 takes two UTF-16 units, so only two of them fit before the `…`.
        let cut = fit("😀😀😀😀😀😀", 6);
        assert_eq!(cut, "😀😀…");
        assert!(cut.encode_utf16().count() <= 6);
        let long = "ş".repeat(MAX_CELL_TEXT + 10);
        assert_eq!(fit(&long, MAX_CELL_TEXT).chars().count(), MAX_CELL_TEXT);
    }

    #[test]
    fn overlong_values_and_notes_do_not_fail_the_sheet() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let ws = workbook.add_worksheet();
        let look = Look::new(Format::new());
        let long = "x".repeat(MAX_CELL_TEXT * 2);
        write_cell(ws, 0, 0, &Cell::Text(long.as_str().into()), &look).unwrap();
        ws.insert_note(0, 0, &note(&[long])).unwrap();
        workbook.save_to_buffer().unwrap();
    }

    #[test]
    fn column_numbers_past_the_type_are_an_error() {
        assert_eq!(col(3).unwrap(), 3);
        assert!(col(usize::from(ColNum::MAX) + 1).is_err());
    }
}
