//! One field of one row: take the raw value (a column, several columns, a template, a
//! constant), trim and transform it, map it, read it as its type, then apply the checks.
//! Problems are pushed to the row's list, so a row with several reports all of them.

use std::borrow::Cow;

use chrono::{NaiveDateTime, NaiveTime, Timelike};
use rust_decimal::Decimal;

use super::amount::Marker;
use super::value::Value;
use crate::mapping::{Field, Mapping, Transform, ValueSource};
use crate::problem::{DateForms, Problem, RowError};
use crate::providers::{FieldType, ItemType};
use crate::read::{Cell, Row, SourcePos, TextCells};
use crate::turkish::checks;
use crate::turkish::number::{DecimalStyle, parse_integer};
use crate::turkish::{case, date};

/// What a cell (or a text built from cells) holds before it is read as a type.
#[derive(Debug, Clone)]
pub(crate) enum Raw<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(Decimal),
    Bool(bool),
    Date(NaiveDateTime),
    Error(&'a str),
}

impl<'a> Raw<'a> {
    #[inline]
    pub(crate) fn of(cell: Option<&'a Cell>) -> Raw<'a> {
        match cell {
            None | Some(Cell::Empty) => Raw::Empty,
            Some(Cell::Text(s)) => Raw::of_text(s),
            Some(Cell::Number(d)) => Raw::Number(*d),
            Some(Cell::Bool(b)) => Raw::Bool(*b),
            Some(Cell::Date(d)) => Raw::Date(*d),
            Some(Cell::Error(e)) => Raw::Error(e),
        }
    }

    /// A text cell's value (an empty text is an empty cell).
    #[inline(always)]
    pub(crate) fn of_text(s: &'a str) -> Raw<'a> {
        let t = crate::turkish::trim(s);
        if t.is_empty() {
            Raw::Empty
        } else {
            Raw::Text(Cow::Borrowed(t))
        }
    }

    /// The value as a person reads it (numbers without float noise, dates `dd.mm.yyyy`).
    /// Inlined: it runs for every field of every row, nearly always on a cell's own
    /// text, which it only borrows again.
    #[inline(always)]
    pub(crate) fn text(&self) -> Cow<'a, str> {
        match self {
            Raw::Empty => Cow::Borrowed(""),
            Raw::Text(t) => t.clone(),
            Raw::Number(d) => Cow::Owned(d.normalize().to_string()),
            Raw::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Raw::Date(d) if d.time().num_seconds_from_midnight() == 0 => {
                Cow::Owned(d.format("%d.%m.%Y").to_string())
            }
            Raw::Date(d) => Cow::Owned(d.format("%d.%m.%Y %H:%M:%S").to_string()),
            Raw::Error(e) => Cow::Borrowed(e),
        }
    }
}

/// A row as validation reads it: its own cells, or its record's text in a batch.
#[derive(Clone, Copy)]
pub(crate) struct RowView<'r> {
    /// The row's file and sheet; its own number is `row`.
    pub file: &'r SourcePos,
    pub row: u64,
    pub cells: Cells<'r>,
    pub ragged: Option<(usize, usize)>,
}

#[derive(Clone, Copy)]
pub(crate) enum Cells<'r> {
    Owned(&'r [Cell]),
    Text(TextCells<'r>),
}

impl<'r> RowView<'r> {
    pub(crate) fn of(row: &'r Row) -> RowView<'r> {
        RowView {
            file: &row.pos,
            row: row.pos.row,
            cells: Cells::Owned(&row.cells),
            ragged: row.ragged,
        }
    }

    /// Where the row is.
    pub(crate) fn pos(&self) -> SourcePos {
        SourcePos {
            row: self.row,
            ..self.file.clone()
        }
    }

    /// Cell `i`'s value.
    #[inline(always)]
    fn raw(&self, i: usize) -> Raw<'r> {
        match self.cells {
            Cells::Owned(cells) => Raw::of(cells.get(i)),
            Cells::Text(cells) => cells.get(i).map_or(Raw::Empty, Raw::of_text),
        }
    }
}

/// Per-row context shared by the fields.
pub(crate) struct RowCx<'r> {
    pub m: &'r Mapping,
    pub binding: &'r [usize],
    pub headers: &'r [String],
    pub row: RowView<'r>,
    pub errors: Vec<RowError>,
    /// Currency markers read in amounts, checked against the row's currency once
    /// every field is known.
    pub markers: Vec<Marker>,
}

impl<'r> RowCx<'r> {
    /// Inlined, so the value is built where its caller keeps it: returned from a call,
    /// it was written in words and read back whole, a store the load had to wait out.
    #[inline(always)]
    pub(crate) fn cell(&self, col: usize) -> Raw<'r> {
        match self.binding.get(col) {
            Some(&i) => self.row.raw(i),
            None => Raw::Empty,
        }
    }

    /// The file's own name for a mapping column (so reports match the header exactly).
    /// Borrowed: it is made for every field of every row, and needed only on a problem.
    pub(crate) fn column_name(&self, col: usize) -> Cow<'r, str> {
        let headers: &'r [String] = self.headers;
        let columns: &'r [String] = &self.m.columns;
        match self.binding.get(col).and_then(|&i| headers.get(i)) {
            Some(h) => Cow::Borrowed(h.as_str()),
            None => Cow::Borrowed(columns.get(col).map_or("", String::as_str)),
        }
    }

    pub(crate) fn push(&mut self, column: &str, value: &str, problem: Problem) {
        self.errors.push(RowError {
            pos: self.row.pos(),
            column: column.to_string(),
            value: value.to_string(),
            problem,
        });
    }

    /// The row's key: borrowed from its cell when the key is one column, else rendered.
    pub(crate) fn render_key(&self, t: &crate::mapping::Template) -> Cow<'r, str> {
        match t.parts.as_slice() {
            // Trimmed as `render` trims; a text cell's own text is trimmed already, so
            // this only looks at its ends.
            [crate::mapping::template::Part::Col(c)] => match self.cell(*c).text() {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
            },
            _ => Cow::Owned(self.render(t)),
        }
    }

    /// Renders a template from the row's cells.
    pub(crate) fn render(&self, t: &crate::mapping::Template) -> String {
        let mut out = String::new();
        for p in &t.parts {
            match p {
                crate::mapping::template::Part::Lit(s) => out.push_str(s),
                crate::mapping::template::Part::Col(c) => out.push_str(&self.cell(*c).text()),
            }
        }
        let end = out.trim_end().len();
        out.truncate(end);
        let start = out.len() - out.trim_start().len();
        out.drain(..start);
        out
    }

    /// Sets `out`, `Value::Null` on entry, to the field's value; leaves it null after
    /// pushing the field's problems. The value is made where it is kept: built aside
    /// and moved there, it was written in pieces and read back whole, a read that had
    /// to wait for those writes.
    pub(crate) fn field(&mut self, f: &'r Field, out: &mut Value<'r>) {
        let (mut raw, column): (Raw<'r>, Cow<'r, str>) = match &f.source {
            ValueSource::Column(c) => (self.cell(*c), self.column_name(*c)),
            ValueSource::Columns { cols, join } => {
                let parts: Vec<String> = cols
                    .iter()
                    .map(|c| self.cell(*c).text().into_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                let names: Vec<Cow<'r, str>> = cols.iter().map(|c| self.column_name(*c)).collect();
                (text_raw(parts.join(join)), Cow::Owned(names.join(" + ")))
            }
            ValueSource::Template(t) => (text_raw(self.render(t)), Cow::Borrowed(&f.def.name)),
            ValueSource::Constant(s) => (borrowed_raw(s), Cow::Borrowed(&f.def.name)),
            ValueSource::DebitCredit {
                debit,
                credit,
                emit,
            } => {
                *out = self.debit_credit(f, *debit, *credit, *emit);
                return;
            }
        };
        if let Raw::Error(e) = raw {
            self.push(&column, e, Problem::CellError);
            return;
        }
        // Borrowed from the row where it can be: most fields never need it.
        let original: Cow<'r, str> = raw.text();
        // Numbers written in the mapping, and numbers from numeric cells turned into
        // text, have a decimal point whatever the file's convention.
        let mut style = match f.source {
            ValueSource::Constant(_) => DecimalStyle::Dot,
            _ => self.m.decimal,
        };
        if let (Raw::Empty, Some(d)) = (&raw, &f.default) {
            style = DecimalStyle::Dot;
            raw = borrowed_raw(d);
        }
        let text_transforms = f.transforms.iter().any(|t| *t != Transform::Abs);
        if text_transforms && !matches!(raw, Raw::Empty) {
            if matches!(raw, Raw::Number(_)) {
                style = DecimalStyle::Dot;
            }
            // Borrowed until a transform changes the text.
            let mut t = raw.text();
            for tr in &f.transforms {
                t = match tr {
                    Transform::Upper => Cow::Owned(case::upper(&t)),
                    Transform::Lower => Cow::Owned(case::lower(&t)),
                    Transform::LowerAscii => Cow::Owned(t.to_ascii_lowercase()),
                    Transform::Title => Cow::Owned(case::title(&t)),
                    Transform::Digits => {
                        Cow::Owned(t.chars().filter(char::is_ascii_digit).collect())
                    }
                    Transform::CollapseSpaces => collapse_spaces(t),
                    Transform::PhoneTr => checks::phone_tr(&t).map_or(t, Cow::Owned),
                    Transform::Abs => t,
                };
            }
            raw = match t {
                Cow::Borrowed(b) => borrowed_raw(b),
                Cow::Owned(o) => text_raw(o),
            };
        }
        if let Some(map) = &f.map
            && !matches!(raw, Raw::Empty)
        {
            let text = raw.text();
            let exact = map.exact.iter().find(|(k, _)| *k == *text).map(|(_, v)| v);
            let found = exact.or_else(|| map.entries.get(&case::fold(&text)));
            match found.or(map.default.as_ref()) {
                Some(v) => raw = borrowed_raw(v),
                None => {
                    self.push(
                        &column,
                        &original,
                        Problem::Unmapped {
                            known: map.known.clone(),
                        },
                    );
                    return;
                }
            }
        }
        if matches!(raw, Raw::Empty) {
            if f.required {
                self.push(&column, "", Problem::Required);
            }
            return;
        }
        // A text is taken apart rather than moved whole, and each arm writes its own
        // value: the cell's text was just written a word at a time, and a move reads
        // it back in wider pieces, which have to wait for those writes.
        if f.ty == FieldType::String {
            match raw {
                Raw::Text(Cow::Borrowed(t)) => *out = Value::Str(Cow::Borrowed(t)),
                Raw::Text(Cow::Owned(t)) => *out = Value::Str(Cow::Owned(t)),
                other => *out = Value::Str(other.text()),
            }
        } else if !self.typed(f, &raw, &column, &original, style, out) {
            return;
        }
        // An amount already has its `abs` and its scale (`typed`).
        if let Value::Int(i) = out
            && f.transforms.contains(&Transform::Abs)
        {
            *i = i.saturating_abs();
        }
        if f.ruled && !self.constraints(f, out, &column, &original) {
            *out = Value::Null;
            return;
        }
        // A valid IBAN goes out in its electronic form, whatever spacing a person
        // typed it with.
        if let Value::Str(s) = out
            && f.checks.contains(&checks::Check::Iban)
        {
            *s = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase()
                .into();
        }
    }

    /// Sets `out` to the value of a field of any type but text (which `field` takes as
    /// it is); false, with its problem pushed, when the raw value is not of the type,
    /// or is an amount with digits past the field's scale.
    fn typed(
        &mut self,
        f: &Field,
        raw: &Raw<'r>,
        column: &str,
        original: &str,
        style: DecimalStyle,
        out: &mut Value<'r>,
    ) -> bool {
        let problem;
        match f.ty {
            FieldType::String => {
                *out = Value::Str(raw.text());
                return true;
            }
            FieldType::Integer => {
                let v = match &raw {
                    Raw::Number(d) if d.fract().is_zero() => i64::try_from(*d).ok(),
                    Raw::Text(t) => parse_integer(t),
                    _ => None,
                };
                if let Some(i) = v {
                    *out = Value::Int(i);
                    return true;
                }
                problem = Problem::Integer;
            }
            FieldType::Decimal => {
                let d = match &raw {
                    Raw::Number(d) => Ok(*d),
                    Raw::Text(t) => self.decimal_text(f, t, style, column, original),
                    _ => Err(Problem::Decimal),
                };
                match d {
                    // Made positive (`abs`) and scaled before it is written: an
                    // amount written and then read back to be scaled waited on its
                    // own writes.
                    Ok(d) => {
                        let d = if f.transforms.contains(&Transform::Abs) {
                            d.abs()
                        } else {
                            d
                        };
                        let Some(d) = self.scaled(f, d, column, original) else {
                            return false;
                        };
                        // The value is marked as an amount first and the amount then
                        // stored into it in one piece: `*out = Value::Dec(d)` built the
                        // value aside and copied it in with loads that straddled the
                        // writes that built it, and waited on them.
                        *out = Value::Dec(Decimal::ZERO);
                        if let Value::Dec(slot) = out {
                            *slot = d;
                        }
                        return true;
                    }
                    Err(p) => problem = p,
                }
            }
            FieldType::Bool => {
                let v = match &raw {
                    Raw::Bool(b) => Some(*b),
                    Raw::Number(d) if *d == Decimal::ONE => Some(true),
                    Raw::Number(d) if d.is_zero() => Some(false),
                    Raw::Text(t) => parse_bool(t),
                    _ => None,
                };
                if let Some(b) = v {
                    *out = Value::Bool(b);
                    return true;
                }
                problem = Problem::Bool;
            }
            FieldType::Date | FieldType::DateTime => {
                // A real date cell keeps its date whatever time it holds: the person
                // sees the date its format shows, not the time behind it.
                let dt = match &raw {
                    Raw::Date(d) => Ok(*d),
                    Raw::Number(n) => {
                        date::excel_serial_to_datetime(*n).ok_or_else(|| not_a_date(f))
                    }
                    Raw::Text(t) => datetime_text(f, t),
                    _ => Err(not_a_date(f)),
                };
                match dt {
                    Ok(d) if f.ty == FieldType::Date => {
                        *out = Value::Date(d.date());
                        return true;
                    }
                    Ok(d) => {
                        *out = Value::DateTime(d);
                        return true;
                    }
                    Err(p) => problem = p,
                }
            }
            FieldType::Time => {
                let t = match &raw {
                    Raw::Date(d) => Some(d.time()),
                    Raw::Number(n) => date::excel_time(*n),
                    Raw::Text(t) if f.input_formats.is_empty() => date::parse_time(t),
                    Raw::Text(t) => f
                        .input_formats
                        .iter()
                        .find_map(|fmt| chrono::NaiveTime::parse_from_str(t, fmt).ok()),
                    _ => None,
                };
                if let Some(t) = t {
                    *out = Value::Time(t);
                    return true;
                }
                problem = Problem::Time;
            }
            FieldType::List(item) => {
                let text = raw.text();
                let mut items = Vec::new();
                for part in text
                    .split(f.split.as_str())
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    match item {
                        ItemType::String => items.push(Value::Str(part.to_string().into())),
                        ItemType::Integer => match parse_integer(part) {
                            Some(i) => items.push(Value::Int(i)),
                            None => {
                                self.push(column, part, Problem::Integer);
                                return false;
                            }
                        },
                    }
                }
                *out = Value::List(items);
                return true;
            }
        }
        self.push(column, original, problem);
        false
    }
}

/// A date or datetime written as text, in the field's `input_format`s, else in the
/// plain forms and, unless the field is strict, the forms ERPs write.
fn datetime_text(f: &Field, t: &str) -> Result<NaiveDateTime, Problem> {
    let midnight = |d: chrono::NaiveDate| d.and_time(NaiveTime::MIN);
    let is_date = f.ty == FieldType::Date;
    if !f.input_formats.is_empty() {
        let read = if is_date {
            date::parse_date(t, &f.input_formats).map(midnight)
        } else {
            date::parse_datetime(t, &f.input_formats)
        };
        return read.ok_or_else(|| not_a_date(f));
    }
    // The plain forms first: nearly every cell is one, and they cost least.
    let plain = if is_date {
        date::parse_date(t, date::DEFAULT_DATE_FORMATS).map(midnight)
    } else {
        date::parse_datetime(t, date::DEFAULT_DATETIME_FORMATS)
    };
    if let Some(d) = plain.or_else(|| date::parse_serial_text(t)) {
        return Ok(d);
    }
    if f.strict {
        return Err(not_a_date(f));
    }
    match date::parse_date_forms(t) {
        Some(d) if !is_date || f.drop_time || d.time() == NaiveTime::MIN => Ok(d),
        Some(_) => Err(Problem::DateHasTime),
        None => Err(not_a_date(f)),
    }
}

/// The problem of a field that could not be read as its date type, listing the forms
/// that field reads.
fn not_a_date(f: &Field) -> Problem {
    let formats = if !f.input_labels.is_empty() {
        DateForms::Listed(f.input_labels.join(", "))
    } else if f.strict {
        DateForms::Plain
    } else {
        DateForms::Default
    };
    if f.ty == FieldType::Date {
        Problem::Date { formats }
    } else {
        Problem::DateTime { formats }
    }
}

/// Text the mapping holds (a constant, a default, a mapped value), trimmed.
fn borrowed_raw(s: &str) -> Raw<'_> {
    let t = crate::turkish::trim(s);
    if t.is_empty() {
        Raw::Empty
    } else {
        Raw::Text(Cow::Borrowed(t))
    }
}

fn text_raw<'a>(s: String) -> Raw<'a> {
    let t = crate::turkish::trim(&s);
    if t.is_empty() {
        Raw::Empty
    } else if t.len() == s.len() {
        Raw::Text(Cow::Owned(s))
    } else {
        Raw::Text(Cow::Owned(t.to_string()))
    }
}

/// Runs of whitespace as one space, none at the ends; text that has no such run is
/// kept as it is.
fn collapse_spaces(t: Cow<'_, str>) -> Cow<'_, str> {
    let mut prev_space = true;
    let clean = t.bytes().all(|b| {
        let space = b == b' ';
        // Control characters (tabs, line breaks among them) take the slow path.
        let ok = b >= 0x20 && !(space && prev_space);
        prev_space = space;
        ok
    }) && !prev_space;
    if clean && !t.contains(|c: char| !c.is_ascii() && c.is_whitespace()) {
        return t;
    }
    let mut out = String::with_capacity(t.len());
    for word in t.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

fn parse_bool(t: &str) -> Option<bool> {
    match case::fold(t).as_str() {
        "1" | "true" | "evet" | "e" | "yes" | "y" | "doğru" | "var" | "x" => Some(true),
        "0" | "false" | "hayır" | "hayir" | "h" | "no" | "n" | "yanlış" | "yok" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn collapse_spaces_is_split_and_join(s in "[ a\t\u{a0}\u{b}\u{1f}\n\r\u{3000}ş]{0,12}") {
            let expected = s.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(super::collapse_spaces(s.as_str().into()), expected);
        }
    }
}
