//! A shown row in its scratch file: its length in bytes (`u32`), then its place in the
//! run (input index and row number, `u64` each) and its fields in order: file; sheet
//! (a byte, 1 when a text follows); row; cells; errors (column, message, and a byte
//! for `names_itself`). Numbers are little-endian; a text is its byte length (`u32`)
//! and its bytes; a list is its length (`u32`) and its items; a cell is a tag byte
//! and its value. A row is read whole and then taken apart in memory.

use std::io::{self, BufRead, Read, Write};

use chrono::{DateTime, NaiveDateTime};
use compact_str::CompactString;
use rust_decimal::Decimal;

use super::{At, ShownError, ShownRow};
use crate::read::Cell;

const EMPTY: u8 = 0;
const TEXT: u8 = 1;
const NUMBER: u8 = 2;
const BOOL: u8 = 3;
const DATE: u8 = 4;
const ERROR: u8 = 5;

pub(super) fn write(file: &mut impl Write, at: At, row: &ShownRow) -> io::Result<()> {
    let mut out = Vec::with_capacity(512);
    fields(&mut out, at, row)?;
    length(file, out.len())?;
    file.write_all(&out)
}

fn fields(out: &mut Vec<u8>, at: At, row: &ShownRow) -> io::Result<()> {
    out.write_all(&(at.0 as u64).to_le_bytes())?;
    out.write_all(&at.1.to_le_bytes())?;
    text(out, &row.file)?;
    match &row.sheet {
        Some(sheet) => {
            out.write_all(&[1])?;
            text(out, sheet)?;
        }
        None => out.write_all(&[0])?,
    }
    out.write_all(&row.row.to_le_bytes())?;
    length(out, row.cells.len())?;
    for cell in &row.cells {
        match cell {
            Cell::Empty => out.write_all(&[EMPTY])?,
            Cell::Text(t) => {
                out.write_all(&[TEXT])?;
                text(out, t)?;
            }
            Cell::Number(d) => {
                out.write_all(&[NUMBER])?;
                out.write_all(&d.serialize())?;
            }
            Cell::Bool(b) => out.write_all(&[BOOL, u8::from(*b)])?,
            Cell::Date(d) => {
                let d = d.and_utc();
                out.write_all(&[DATE])?;
                out.write_all(&d.timestamp().to_le_bytes())?;
                out.write_all(&d.timestamp_subsec_nanos().to_le_bytes())?;
            }
            Cell::Error(e) => {
                out.write_all(&[ERROR])?;
                text(out, e)?;
            }
        }
    }
    length(out, row.errors.len())?;
    for e in &row.errors {
        text(out, &e.column)?;
        text(out, &e.message)?;
        out.write_all(&[u8::from(e.names_itself)])?;
    }
    Ok(())
}

/// The next row, or `None` at the end of the file.
pub(super) fn read(file: &mut impl BufRead) -> io::Result<Option<(At, ShownRow)>> {
    if file.fill_buf()?.is_empty() {
        return Ok(None);
    }
    let mut record = vec![0; count(file)?];
    file.read_exact(&mut record)?;
    let input = &mut &record[..];
    let row = parse(input)?;
    if !input.is_empty() {
        return Err(corrupt(format!(
            "{} bytes past the end of a row",
            input.len()
        )));
    }
    Ok(Some(row))
}

fn parse(input: &mut &[u8]) -> io::Result<(At, ShownRow)> {
    let at = (index(u64_of(input)?)?, u64_of(input)?);
    let file = string(input)?;
    let sheet = match byte(input)? {
        0 => None,
        _ => Some(string(input)?),
    };
    let row = u64_of(input)?;
    let n = count(input)?;
    let mut cells = Vec::with_capacity(n.min(1 << 10));
    for _ in 0..n {
        cells.push(match byte(input)? {
            EMPTY => Cell::Empty,
            TEXT => Cell::Text(CompactString::from(string(input)?)),
            NUMBER => Cell::Number(Decimal::deserialize(bytes(input)?)),
            BOOL => Cell::Bool(byte(input)? != 0),
            DATE => {
                let secs = i64::from_le_bytes(bytes(input)?);
                let nanos = u32::from_le_bytes(bytes(input)?);
                Cell::Date(date(secs, nanos)?)
            }
            ERROR => Cell::Error(CompactString::from(string(input)?)),
            tag => return Err(corrupt(format!("a cell of unknown kind {tag}"))),
        });
    }
    let n = count(input)?;
    let mut errors = Vec::with_capacity(n.min(1 << 10));
    for _ in 0..n {
        errors.push(ShownError {
            column: string(input)?,
            message: string(input)?,
            names_itself: byte(input)? != 0,
        });
    }
    let row = ShownRow {
        file,
        sheet,
        row,
        cells,
        errors,
    };
    Ok((at, row))
}

fn text(out: &mut impl Write, s: &str) -> io::Result<()> {
    length(out, s.len())?;
    out.write_all(s.as_bytes())
}

fn length(out: &mut impl Write, n: usize) -> io::Result<()> {
    let n = u32::try_from(n).map_err(|_| corrupt(format!("{n} is too long to keep")))?;
    out.write_all(&n.to_le_bytes())
}

fn bytes<const N: usize>(input: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0; N];
    input.read_exact(&mut b)?;
    Ok(b)
}

fn byte(input: &mut impl Read) -> io::Result<u8> {
    Ok(bytes::<1>(input)?[0])
}

fn u64_of(input: &mut impl Read) -> io::Result<u64> {
    Ok(u64::from_le_bytes(bytes(input)?))
}

fn count(input: &mut impl Read) -> io::Result<usize> {
    index(u64::from(u32::from_le_bytes(bytes(input)?)))
}

fn index(n: u64) -> io::Result<usize> {
    usize::try_from(n).map_err(|_| corrupt(format!("{n} is out of range")))
}

fn string(input: &mut impl Read) -> io::Result<String> {
    let mut b = vec![0; count(input)?];
    input.read_exact(&mut b)?;
    String::from_utf8(b).map_err(|_| corrupt("a text that is not UTF-8".into()))
}

fn date(secs: i64, nanos: u32) -> io::Result<NaiveDateTime> {
    DateTime::from_timestamp(secs, nanos)
        .map(|d| d.naive_utc())
        .ok_or_else(|| corrupt(format!("a date out of range ({secs} s)")))
}

fn corrupt(what: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the rejected rows kept for errors.xlsx hold {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, sheet: Option<&str>, cells: Vec<Cell>) -> ShownRow {
        ShownRow {
            file: file.into(),
            sheet: sheet.map(str::to_owned),
            row: 7,
            cells,
            errors: vec![
                ShownError {
                    column: "Vergi No".into(),
                    message: "geçersiz VKN: \"12\"\n".into(),
                    names_itself: false,
                },
                ShownError {
                    column: String::new(),
                    message: "ödeme tipi zorunlu".into(),
                    names_itself: true,
                },
            ],
        }
    }

    #[test]
    fn rows_read_back_as_they_were_written() {
        let date = NaiveDateTime::parse_from_str("2026-03-01 09:05:07.250", "%Y-%m-%d %H:%M:%S%.f")
            .unwrap();
        let rows = [
            row(
                "cari ağustos.csv",
                None,
                vec![
                    Cell::Empty,
                    Cell::Text("Şişli Ağaç Ltd. Şti.".into()),
                    Cell::Text("x".repeat(300).into()),
                    Cell::Number("-1234.5600".parse().unwrap()),
                    Cell::Number(Decimal::MAX),
                    Cell::Bool(true),
                    Cell::Bool(false),
                    Cell::Date(date),
                    Cell::Error("#N/A".into()),
                ],
            ),
            row("hareket.xlsx", Some("Ocak"), Vec::new()),
            ShownRow {
                errors: Vec::new(),
                ..row("", Some(""), vec![Cell::Text(String::new().into())])
            },
        ];
        let mut out = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            write(&mut out, (i, 1 << 40), r).unwrap();
        }
        let mut input = &out[..];
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(read(&mut input).unwrap(), Some(((i, 1 << 40), r.clone())));
        }
        assert_eq!(read(&mut input).unwrap(), None);
    }

    #[test]
    fn a_cut_or_damaged_file_is_an_error_not_a_row() {
        let mut out = Vec::new();
        let r = row("a.csv", None, vec![Cell::Text("abc".into())]);
        write(&mut out, (0, 3), &r).unwrap();
        for cut in [1, 4, 8, 20, out.len() - 1] {
            let err = read(&mut &out[..cut]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
        }
        // The cell's tag follows length, place, file, sheet flag, row and cell count.
        let tag = 4 + 16 + 4 + "a.csv".len() + 1 + 8 + 4;
        let mut longer = out.clone();
        out[tag] = 9;
        let err = read(&mut &out[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("unknown kind 9"), "{err}");
        // A row whose length says more than its fields hold.
        let len = u32::from_le_bytes(longer[..4].try_into().unwrap()) + 2;
        longer[..4].copy_from_slice(&len.to_le_bytes());
        longer.extend_from_slice(&[0, 0]);
        let err = read(&mut &longer[..]).unwrap_err();
        assert!(err.to_string().contains("2 bytes past the end"), "{err}");
    }
}
