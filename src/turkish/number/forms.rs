//! Amounts as reports and spreadsheets print them, beyond the plain `1.234,56`:
//! accounting parentheses `(1.234,56)`, the trailing minus of SAP and some Logo/Netsis
//! reports `1.234,56-`, the Unicode minus `−1.234,56` of copied reports, thousands
//! grouped with spaces `1 234,56` (also U+00A0 and U+202F), and a currency marker
//! (`1.234,56 TL`, `₺1.234,56`, `USD 10,00`).
//!
//! Each of these has one meaning, so rejecting it only fills the report accounting
//! reads with non-errors. A marker is returned rather than dropped: only the row knows
//! whether `USD` on an amount is right. The plain parser runs first and nearly every
//! cell stops there; the rest is one more pass over the text, without allocating.

use std::fmt;

use rust_decimal::Decimal;

use super::{DecimalStyle, NumberError, build, parse_decimal, parse_unsigned};
use crate::turkish::codes;

/// A currency as an ISO 4217 code; `TL` and `₺` are `TRY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const TRY: Currency = Currency(*b"TRY");

    /// A currency as a cell or a row names it: an ISO 4217 code in either case, `TL`,
    /// or one of the symbols `₺` (TRY), `$` (USD), `€` (EUR), `£` (GBP). Symbols shared
    /// by several currencies (`¥`, `kr`) are not read.
    pub fn parse(s: &str) -> Option<Currency> {
        let s = s.trim();
        match s {
            "₺" => return Some(Currency::TRY),
            "$" => return Some(Currency(*b"USD")),
            "€" => return Some(Currency(*b"EUR")),
            "£" => return Some(Currency(*b"GBP")),
            _ => {}
        }
        if s.eq_ignore_ascii_case("TL") {
            return Some(Currency::TRY);
        }
        let b: &[u8; 3] = s.as_bytes().try_into().ok()?;
        if !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let code = b.map(|c| c.to_ascii_uppercase());
        codes::contains(codes::CURRENCIES, &code).then_some(Currency(code))
    }

    /// The ISO 4217 code.
    pub fn code(&self) -> &str {
        // Built only from ASCII letters, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A number read from a cell, with the currency the cell marked it with, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub value: Decimal,
    pub currency: Option<Currency>,
}

/// Reads a number in any of the forms ERPs and spreadsheets print amounts in: every
/// form [`parse_decimal`] reads, and
///
/// * one sign, written as a leading `-`, `+` or `−` (U+2212), a trailing `-` or `−`,
///   or parentheses around the number: `(1.234,56)` and `1.234,56-` are `-1234.56`;
/// * thousands grouped with a space, U+00A0 or U+202F (`1 234 567,89`); the one `.`
///   or `,` left is then the decimal separator, so `1 234` is never ambiguous;
/// * one currency marker before or after the number, inside or outside the
///   parentheses, with or without a space: `1.234,56 TL`, `₺1.234,56`, `(USD 5,00)`.
///
/// The column's decimal style still applies (`1 234.56` is refused under `Comma`),
/// and so does the ambiguity rule: `1.234 TL` is as ambiguous as `1.234`.
///
/// ```
/// use aktar::turkish::number::{Currency, DecimalStyle, parse_amount};
///
/// let a = parse_amount("(1.234,56 TL)", DecimalStyle::Auto).unwrap();
/// assert_eq!(a.value.to_string(), "-1234.56");
/// assert_eq!(a.currency, Some(Currency::TRY));
/// let b = parse_amount("1\u{a0}234,56-", DecimalStyle::Comma).unwrap();
/// assert_eq!(b.value.to_string(), "-1234.56");
/// assert_eq!(b.currency, None);
/// ```
pub fn parse_amount(s: &str, style: DecimalStyle) -> Result<Amount, NumberError> {
    match parse_decimal(s, style) {
        Ok(value) => {
            return Ok(Amount {
                value,
                currency: None,
            });
        }
        Err(NumberError::Ambiguous) => return Err(NumberError::Ambiguous),
        Err(NumberError::Invalid) => {}
    }
    let s = s.trim();
    let b = s.as_bytes();
    let start = b
        .iter()
        .position(|&c| is_core(c))
        .ok_or(NumberError::Invalid)?;
    let end = b.iter().rposition(|&c| is_core(c)).map_or(start, |p| p + 1);
    // Both ends sit on ASCII bytes, so they are char boundaries.
    let mut affixes = Affixes::default();
    affixes.read(&s[..start], true)?;
    affixes.read(&s[end..], false)?;
    if affixes.open != affixes.close {
        return Err(NumberError::Invalid);
    }
    let core = &s[start..end];
    let value = if core.contains(is_group_space) {
        parse_space_grouped(core, affixes.negative, style)?
    } else {
        parse_unsigned(core.as_bytes(), affixes.negative, style)?
    };
    Ok(Amount {
        value,
        currency: affixes.marker,
    })
}

fn is_core(c: u8) -> bool {
    c.is_ascii_digit() || c == b'.' || c == b','
}

/// The spaces Excel and reports group thousands with: a plain space, a no-break
/// space and a narrow no-break space.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// What surrounds the digits: at most one sign (parentheses count as one) and at most
/// one currency marker.
#[derive(Default)]
struct Affixes {
    signed: bool,
    negative: bool,
    open: bool,
    close: bool,
    marker: Option<Currency>,
}

impl Affixes {
    fn read(&mut self, text: &str, before: bool) -> Result<(), NumberError> {
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c.is_whitespace() => {}
                '(' if before && !self.open => {
                    self.open = true;
                    self.sign(true)?;
                }
                ')' if !before && !self.close => self.close = true,
                '-' | '\u{2212}' => self.sign(true)?,
                '+' if before => self.sign(false)?,
                '₺' | '$' | '€' | '£' => self.mark(&text[i..i + c.len_utf8()])?,
                c if c.is_ascii_alphabetic() => {
                    let mut end = i + 1;
                    while let Some(&(j, d)) = chars.peek() {
                        if !d.is_ascii_alphabetic() {
                            break;
                        }
                        end = j + 1;
                        chars.next();
                    }
                    self.mark(&text[i..end])?;
                }
                _ => return Err(NumberError::Invalid),
            }
        }
        Ok(())
    }

    fn sign(&mut self, negative: bool) -> Result<(), NumberError> {
        if self.signed {
            return Err(NumberError::Invalid);
        }
        self.signed = true;
        self.negative = negative;
        Ok(())
    }

    fn mark(&mut self, text: &str) -> Result<(), NumberError> {
        if self.marker.is_some() {
            return Err(NumberError::Invalid);
        }
        self.marker = Some(Currency::parse(text).ok_or(NumberError::Invalid)?);
        Ok(())
    }
}

/// `1 234 567,89`: groups of three after a first group of one to three digits (no
/// leading zero), then at most one decimal separator and its digits.
fn parse_space_grouped(
    core: &str,
    negative: bool,
    style: DecimalStyle,
) -> Result<Decimal, NumberError> {
    let (int, frac) = match core.find(['.', ',']) {
        Some(p) => {
            let frac = &core[p + 1..];
            let sep = core.as_bytes()[p];
            if frac.is_empty()
                || !frac.bytes().all(|c| c.is_ascii_digit())
                || !style.allows_decimal(sep)
            {
                return Err(NumberError::Invalid);
            }
            (&core[..p], frac)
        }
        None => (core, ""),
    };
    let mut groups = int.split(is_group_space);
    let first = groups.next().unwrap_or_default();
    let digits = |g: &str| g.bytes().all(|c| c.is_ascii_digit());
    if !(1..=3).contains(&first.len()) || first.starts_with('0') || !digits(first) {
        return Err(NumberError::Invalid);
    }
    if !groups.all(|g| g.len() == 3 && digits(g)) {
        return Err(NumberError::Invalid);
    }
    build(negative, int.as_bytes(), frac.as_bytes())
}

#[cfg(test)]
mod tests;
