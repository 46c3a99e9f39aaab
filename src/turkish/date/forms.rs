//! The date forms read by default beyond the plain formats: `2026.11.28` (Ödüyo's own
//! form and some ERPs'), Turkish month names (`28 Kasım 2026`, `28 Kas 2026`, with or
//! without Turkish letters), and any date followed by the time SQL-backed ERPs and web
//! exports add to it (`28.11.2026 00:00:00`, `2026-11-28T00:00:00`,
//! `2026-11-28 00:00:00.000`).
//!
//! Every form has a four-digit year and one order of its parts, so none has two
//! meanings; `28.11.26` is left to an `input_format` that says which century. Nothing
//! is dropped here: the time comes back with the date, and the caller decides whether
//! a date field may lose it. Hand-matched, without allocating, like the plain formats.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::{eat, read_digits};

/// A date in one of the forms below, with the time written after it (midnight when
/// none):
///
/// | date | | time, after a space (or `T` after `yyyy-MM-dd`) |
/// | --- | --- | --- |
/// | `28.11.2026`, `28/11/2026`, `2026-11-28`, `2026.11.28` | | `14:30`, `14:30:05`, `14:30:05.250` |
/// | `28 Kasım 2026`, `28 Kas 2026`, `28.Kas.2026`, `28-Kas-2026` | | |
///
/// Days and months may have one digit (`1.3.2026`). No time zone is read: which day
/// `2026-11-28T00:00:00Z` is in Turkey is not a question to answer silently.
///
/// ```
/// use aktar::turkish::date::parse_date_forms;
///
/// let d = parse_date_forms("28 Kasım 2026 00:00").unwrap();
/// assert_eq!(d.to_string(), "2026-11-28 00:00:00");
/// assert_eq!(parse_date_forms("2026.11.28").unwrap().to_string(), "2026-11-28 00:00:00");
/// assert_eq!(parse_date_forms("28.11.26"), None);
/// ```
pub fn parse_date_forms(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let mut c = Cursor { s, pos: 0 };
    let (date, iso) = c.date()?;
    let rest = &s[c.pos..];
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    let time = match rest.strip_prefix('T') {
        Some(t) if iso => t,
        _ => {
            let t = rest.trim_start();
            if t.len() == rest.len() {
                return None;
            }
            t
        }
    };
    Some(date.and_time(time_of_day(time)?))
}

/// The number of the month a Turkish month name or its three-letter abbreviation
/// stands for, in any case, with or without Turkish letters (`Şubat`, `SUBAT`, `Ağu`).
pub fn month_number(name: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "ocak", "subat", "mart", "nisan", "mayis", "haziran", "temmuz", "agustos", "eylul", "ekim",
        "kasim", "aralik",
    ];
    // Longest name is seven letters; anything longer is no month.
    let mut buf = [0u8; 7];
    let mut n = 0;
    for ch in name.chars() {
        let slot = buf.get_mut(n)?;
        *slot = fold(ch)?;
        n += 1;
    }
    let folded = &buf[..n];
    let at = NAMES
        .iter()
        .position(|m| m.as_bytes() == folded || (n == 3 && m.as_bytes().starts_with(folded)))?;
    u32::try_from(at + 1).ok()
}

/// A letter of a month name as lower-case ASCII: the Turkish letters fold to the
/// ASCII ones people type when the keyboard has none, `I` and `İ` both to `i`.
fn fold(c: char) -> Option<u8> {
    Some(match c {
        'a'..='z' => c as u8,
        'A'..='Z' => c.to_ascii_lowercase() as u8,
        'ı' | 'İ' => b'i',
        'ş' | 'Ş' => b's',
        'ğ' | 'Ğ' => b'g',
        'ü' | 'Ü' => b'u',
        'ö' | 'Ö' => b'o',
        'ç' | 'Ç' => b'c',
        _ => return None,
    })
}

/// `H:MM`, `H:MM:SS` or `H:MM:SS.f` (up to nine fraction digits).
fn time_of_day(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    let mut pos = 0;
    let hour = read_digits(b, &mut pos, 1, 2)?;
    eat(b, &mut pos, b':')?;
    let minute = read_digits(b, &mut pos, 2, 2)?;
    let mut second = 0;
    let mut nano = 0;
    if eat(b, &mut pos, b':').is_some() {
        second = read_digits(b, &mut pos, 2, 2)?;
        if eat(b, &mut pos, b'.').is_some() {
            let start = pos;
            let digits = read_digits(b, &mut pos, 1, 9)?;
            let width = u32::try_from(pos - start).ok()?;
            nano = digits * 10u32.pow(9 - width);
        }
    }
    if pos != b.len() {
        return None;
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nano)
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

/// How the parts of a date are separated.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Sep {
    Space,
    Char(u8),
}

impl Cursor<'_> {
    /// The date at the start, and whether it was ISO (`yyyy-MM-dd`, which alone may
    /// be followed by `T` and a time).
    fn date(&mut self) -> Option<(NaiveDate, bool)> {
        let b = self.s.as_bytes();
        let start = self.pos;
        let first = read_digits(b, &mut self.pos, 1, 4)?;
        let year_first = self.pos - start == 4;
        if year_first {
            let sep = self.byte_in(b"-.")?;
            let month = read_digits(b, &mut self.pos, 1, 2)?;
            self.expect(sep)?;
            let day = self.two_digits()?;
            let date = NaiveDate::from_ymd_opt(i32::try_from(first).ok()?, month, day)?;
            return Some((date, sep == b'-'));
        }
        if self.pos - start > 2 {
            return None;
        }
        let day = first;
        let month;
        match self.sep()? {
            Sep::Char(sep @ (b'.' | b'/')) if self.at_digit() => {
                month = read_digits(b, &mut self.pos, 1, 2)?;
                self.expect(sep)?;
            }
            sep => {
                if sep == Sep::Char(b'/') {
                    return None;
                }
                month = month_number(self.letters())?;
                if self.sep()? != sep {
                    return None;
                }
            }
        }
        let year = self.year()?;
        Some((NaiveDate::from_ymd_opt(year, month, day)?, false))
    }

    fn at_digit(&self) -> bool {
        self.s
            .as_bytes()
            .get(self.pos)
            .is_some_and(u8::is_ascii_digit)
    }

    fn byte_in(&mut self, set: &[u8]) -> Option<u8> {
        let c = *self.s.as_bytes().get(self.pos)?;
        set.contains(&c).then(|| {
            self.pos += 1;
            c
        })
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        eat(self.s.as_bytes(), &mut self.pos, c)
    }

    /// One or two digits, and no third.
    fn two_digits(&mut self) -> Option<u32> {
        let v = read_digits(self.s.as_bytes(), &mut self.pos, 1, 2)?;
        (!self.at_digit()).then_some(v)
    }

    /// Exactly four digits.
    fn year(&mut self) -> Option<i32> {
        let v = read_digits(self.s.as_bytes(), &mut self.pos, 4, 4)?;
        if self.at_digit() {
            return None;
        }
        i32::try_from(v).ok()
    }

    /// A run of whitespace, or one of `.` `-` `/`.
    fn sep(&mut self) -> Option<Sep> {
        let rest = &self.s[self.pos..];
        let trimmed = rest.trim_start();
        if trimmed.len() < rest.len() {
            self.pos += rest.len() - trimmed.len();
            return Some(Sep::Space);
        }
        self.byte_in(b".-/").map(Sep::Char)
    }

    fn letters(&mut self) -> &str {
        let rest = &self.s[self.pos..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        &rest[..len]
    }
}

#[cfg(test)]
mod tests;
