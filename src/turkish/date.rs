//! Dates as ERPs and spreadsheets write them: `15.03.2023`, `15/03/2023 14:30`,
//! `2023-03-15`, and Excel serial numbers (`45000`).
//!
//! Mapping files may spell input formats the way Excel users know them (`dd.MM.yyyy`)
//! or as strftime (`%d.%m.%Y`); both are compiled once, when the mapping is checked, to
//! strftime. Parsing runs per cell, so the plain numeric formats that make up nearly
//! every export (`%d %m %Y %y %H %M %S` and literal separators) are matched by hand
//! without allocating; anything richer falls back to chrono. The hand matcher is also
//! stricter where chrono is too lenient for an importer: `%Y` wants four digits, so
//! `15.03.23` is not read as the year 23.
//!
//! The default formats here are the plain forms (a field's `strict = true`);
//! [`parse_date_forms`] adds what reports and SQL-backed ERPs write by default:
//! `2026.11.28`, `28 Kasım 2026`, and a date followed by its time.

use chrono::format::{Item, StrftimeItems};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

mod forms;

pub use forms::{month_number, parse_date_forms};

/// Date formats tried when a mapping names none.
pub const DEFAULT_DATE_FORMATS: &[&str] = &["%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"];

/// Datetime formats tried when a mapping names none. A date alone is also accepted by
/// [`parse_datetime`], as midnight.
pub const DEFAULT_DATETIME_FORMATS: &[&str] = &[
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
];

/// Turns an input format from a mapping into strftime.
///
/// A format containing `%` is taken as strftime and only validated. Anything else is
/// read Excel/Java style: `yyyy yy M MM d dd H HH h hh m mm s ss SSS a`, other
/// letters are an error, literal text may be quoted (`yyyy-MM-dd'T'HH:mm`).
pub fn compile_input_format(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("empty date format".to_string());
    }
    let out = if s.contains('%') {
        s.to_string()
    } else {
        java_to_strftime(s)?
    };
    validate_strftime(&out, s)?;
    Ok(out)
}

/// Checks a strftime output format (`format` of a date, datetime or time field).
pub fn check_output_format(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("empty date format".to_string());
    }
    validate_strftime(s, s)
}

/// The first of `formats` that reads `s` as a date.
pub fn parse_date(s: &str, formats: &[impl AsRef<str>]) -> Option<NaiveDate> {
    let s = s.trim();
    formats.iter().find_map(|f| date_with(s, f.as_ref()))
}

/// The first of `formats` that reads `s` as a datetime. A value holding only the date
/// part of a format (or a format without time) is midnight of that day, since exports
/// often drop a zero time.
pub fn parse_datetime(s: &str, formats: &[impl AsRef<str>]) -> Option<NaiveDateTime> {
    let s = s.trim();
    formats
        .iter()
        .find_map(|f| datetime_with(s, f.as_ref()))
        .or_else(|| {
            formats.iter().find_map(|f| {
                let f = f.as_ref();
                let date_part = date_part(f)?;
                date_with(s, date_part).map(|d| d.and_time(NaiveTime::MIN))
            })
        })
}

/// A time of day: `HH:MM`, `H:MM`, `HH:MM:SS` or `H:MM:SS`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let b = s.trim().as_bytes();
    let mut pos = 0;
    let hour = read_digits(b, &mut pos, 1, 2)?;
    eat(b, &mut pos, b':')?;
    let minute = read_digits(b, &mut pos, 2, 2)?;
    let second = if pos < b.len() {
        eat(b, &mut pos, b':')?;
        read_digits(b, &mut pos, 2, 2)?
    } else {
        0
    };
    if pos != b.len() {
        return None;
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// The datetime an Excel serial number (1900 date system) stands for.
///
/// Serial 1 is 1900-01-01. Excel counts a 29 February 1900 that never was (serial 60),
/// so that day is `None` and later serials are one day ahead of a plain count. The
/// fraction is the time of day, rounded to the nearest second. Serials below 1 (bare
/// times) and past 9999-12-31 are `None`.
pub fn excel_serial_to_datetime(serial: Decimal) -> Option<NaiveDateTime> {
    const SECONDS_PER_DAY: i64 = 86_400;
    const FAKE_LEAP_DAY: i64 = 60;
    const LAST_DAY: i64 = 2_958_465;
    if serial < Decimal::ONE || serial >= Decimal::from(LAST_DAY + 1) {
        return None;
    }
    // Seconds from the serial's integer mantissa, rounded half up (the serial is
    // positive here); cheaper than Decimal arithmetic and exact. The mantissa is below
    // 2^96, so times 86,400 it stays far inside i128.
    let unit = 10i128.checked_pow(serial.scale())?;
    let scaled = serial.mantissa().checked_mul(i128::from(SECONDS_PER_DAY))?;
    let total = i64::try_from((scaled + unit / 2) / unit).ok()?;
    let day = total.div_euclid(SECONDS_PER_DAY);
    let second = total.rem_euclid(SECONDS_PER_DAY);
    if day == FAKE_LEAP_DAY || day > LAST_DAY {
        return None;
    }
    let epoch = if day < FAKE_LEAP_DAY {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let date = epoch.checked_add_days(Days::new(u64::try_from(day).ok()?))?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(second).ok()?, 0)?;
    Some(date.and_time(time))
}

/// The time of day an Excel number stands for, read as a time-formatted cell is: its
/// fraction to the millisecond, never rounded up into the next day's midnight, so
/// `0.99999537` (23:59:59.6) is 23:59:59 wherever it is shown to the second. A whole
/// serial gives its time (`46354.75` is 18:00). Negative numbers and serials past
/// 9999-12-31 are `None`.
pub fn excel_time(serial: Decimal) -> Option<NaiveTime> {
    const MS_PER_DAY: u32 = 86_400_000;
    if serial.is_sign_negative() || serial >= Decimal::from(2_958_466) {
        return None;
    }
    let ms = (serial.fract() * Decimal::from(MS_PER_DAY))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let ms = u32::try_from(ms).ok()?.min(MS_PER_DAY - 1);
    NaiveTime::from_num_seconds_from_midnight_opt(ms / 1000, (ms % 1000) * 1_000_000)
}

/// A CSV cell holding an Excel serial (`45000`, `45000.5`, `45000,5`) as its datetime.
/// Only plain digits with one optional fraction are taken, so ordinary numbers with
/// signs or thousands groups are never mistaken for dates.
pub fn parse_serial_text(s: &str) -> Option<NaiveDateTime> {
    // Beyond this many fraction digits the value is finer than a second anyway, and
    // keeping them all could overflow the 96-bit mantissa.
    const MAX_FRACTION_DIGITS: usize = 18;
    let b = s.trim().as_bytes();
    let split = b.iter().position(|&c| c == b'.' || c == b',');
    let (int, frac) = match split {
        Some(p) => (&b[..p], &b[p + 1..]),
        None => (b, &b[b.len()..]),
    };
    if int.is_empty() || (split.is_some() && frac.is_empty()) {
        return None;
    }
    if !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let frac = &frac[..frac.len().min(MAX_FRACTION_DIGITS)];
    let mut mantissa: i128 = 0;
    for &c in int.iter().chain(frac) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(c - b'0'))?;
    }
    let scale = u32::try_from(frac.len()).ok()?;
    let serial = Decimal::try_from_i128_with_scale(mantissa, scale).ok()?;
    excel_serial_to_datetime(serial)
}

fn validate_strftime(strftime: &str, original: &str) -> Result<(), String> {
    let mut has_field = false;
    for item in StrftimeItems::new(strftime) {
        match item {
            Item::Error => {
                return Err(format!(
                    "invalid date format `{original}`: unknown or incomplete `%` specifier"
                ));
            }
            Item::Numeric(..) | Item::Fixed(_) => has_field = true,
            _ => {}
        }
    }
    if has_field {
        Ok(())
    } else {
        Err(format!(
            "date format `{original}` has no date or time field"
        ))
    }
}

fn java_to_strftime(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len() * 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // `''` is a literal quote; otherwise everything up to the next quote is text.
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            let mut closed = false;
            while let Some(q) = chars.next() {
                if q == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        out.push('\'');
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    out.push(q);
                }
            }
            if !closed {
                return Err(format!("date format `{s}` has an unclosed quote"));
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            continue;
        }
        let mut run = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            run += 1;
        }
        let spec = match (c, run) {
            ('y', 2) => "%y",
            ('y', 1 | 3 | 4) => "%Y",
            ('M', 1 | 2) => "%m",
            ('M', _) => {
                return Err(format!(
                    "date format `{s}`: month names (`MMM`) are not supported, use `MM`"
                ));
            }
            ('d', 1 | 2) => "%d",
            ('H', 1 | 2) => "%H",
            ('h', 1 | 2) => "%I",
            ('m', 1 | 2) => "%M",
            ('s', 1 | 2) => "%S",
            ('S', 3) => "%3f",
            ('S', 6) => "%6f",
            ('S', 9) => "%9f",
            ('a', _) => "%p",
            _ => {
                let token: String = std::iter::repeat_n(c, run).collect();
                return Err(format!(
                    "date format `{s}`: unknown token `{token}` (known: yyyy yy MM M dd d \
                     HH H hh h mm m ss s SSS a; quote literal text, as in 'T')"
                ));
            }
        };
        out.push_str(spec);
    }
    Ok(out)
}

fn date_with(s: &str, format: &str) -> Option<NaiveDate> {
    match fast_parse(s, format) {
        Fast::Parsed(f) => {
            f.time()?;
            f.date()
        }
        Fast::NoMatch => None,
        Fast::Unsupported => NaiveDate::parse_from_str(s, format).ok(),
    }
}

fn datetime_with(s: &str, format: &str) -> Option<NaiveDateTime> {
    match fast_parse(s, format) {
        Fast::Parsed(f) => Some(f.date()?.and_time(f.time()?)),
        Fast::NoMatch => None,
        Fast::Unsupported => NaiveDateTime::parse_from_str(s, format).ok().or_else(|| {
            NaiveDate::parse_from_str(s, format)
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        }),
    }
}

/// The date half of a datetime format (`%d.%m.%Y` of `%d.%m.%Y %H:%M`), or `None`
/// when the format has no time part to drop.
fn date_part(format: &str) -> Option<&str> {
    let b = format.as_bytes();
    let mut i = 0;
    let mut cut = None;
    while i + 1 < b.len() {
        if b[i] == b'%' {
            if matches!(
                b[i + 1],
                b'H' | b'I' | b'k' | b'l' | b'T' | b'R' | b'X' | b'r'
            ) {
                cut = Some(i);
                break;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    let mut end = cut?;
    while end > 0 {
        let c = b[end - 1];
        let escaped = end >= 2 && b[end - 2] == b'%';
        if !escaped && (c.is_ascii_whitespace() || matches!(c, b'T' | b',' | b'-' | b'/' | b'@')) {
            end -= 1;
        } else {
            break;
        }
    }
    let part = &format[..end];
    part.contains('%').then_some(part)
}

#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
}

impl Fields {
    fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year?, self.month?, self.day?)
    }

    /// The time of day, midnight when the format had none; `None` when out of range or
    /// incomplete (minutes without an hour, an hour without minutes).
    fn time(&self) -> Option<NaiveTime> {
        match (self.hour, self.minute, self.second) {
            (None, None, None) => Some(NaiveTime::MIN),
            (Some(h), Some(m), s) => NaiveTime::from_hms_opt(h, m, s.unwrap_or(0)),
            _ => None,
        }
    }
}

enum Fast {
    Parsed(Fields),
    NoMatch,
    /// The format uses something the hand matcher does not know; chrono decides.
    Unsupported,
}

fn fast_parse(s: &str, format: &str) -> Fast {
    let (sb, fb) = (s.as_bytes(), format.as_bytes());
    let mut fields = Fields::default();
    let (mut i, mut j) = (0, 0);
    while i < fb.len() {
        let c = fb[i];
        if c == b'%' {
            let Some(&spec) = fb.get(i + 1) else {
                return Fast::Unsupported;
            };
            i += 2;
            let (slot, min, max) = match spec {
                b'd' => (&mut fields.day, 1, 2),
                b'm' => (&mut fields.month, 1, 2),
                b'H' => (&mut fields.hour, 1, 2),
                b'M' => (&mut fields.minute, 1, 2),
                b'S' => (&mut fields.second, 1, 2),
                b'Y' | b'y' => {
                    if fields.year.is_some() {
                        return Fast::Unsupported;
                    }
                    let width = if spec == b'Y' { 4 } else { 2 };
                    let Some(v) = read_digits(sb, &mut j, width, width) else {
                        return Fast::NoMatch;
                    };
                    // Same pivot as chrono's %y: 70–99 are the 1900s.
                    let year = match (spec, v) {
                        (b'Y', v) => v,
                        (_, v) if v < 70 => 2000 + v,
                        (_, v) => 1900 + v,
                    };
                    fields.year = i32::try_from(year).ok();
                    continue;
                }
                b'%' => {
                    if sb.get(j) != Some(&b'%') {
                        return Fast::NoMatch;
                    }
                    j += 1;
                    continue;
                }
                _ => return Fast::Unsupported,
            };
            if slot.is_some() {
                return Fast::Unsupported;
            }
            match read_digits(sb, &mut j, min, max) {
                Some(v) => *slot = Some(v),
                None => return Fast::NoMatch,
            }
        } else if c.is_ascii_whitespace() {
            // As in chrono, whitespace in a format matches any run of it, even none.
            i += 1;
            while j < sb.len() && sb[j].is_ascii_whitespace() {
                j += 1;
            }
        } else {
            if sb.get(j) != Some(&c) {
                return Fast::NoMatch;
            }
            i += 1;
            j += 1;
        }
    }
    if j == sb.len() {
        Fast::Parsed(fields)
    } else {
        Fast::NoMatch
    }
}

/// Reads `min..=max` ASCII digits at `*pos`, greedily.
fn read_digits(b: &[u8], pos: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *pos;
    let mut v: u32 = 0;
    while *pos < b.len() && *pos - start < max && b[*pos].is_ascii_digit() {
        v = v * 10 + u32::from(b[*pos] - b'0');
        *pos += 1;
    }
    (*pos - start >= min).then_some(v)
}

/// Consumes the byte `c` at `*pos`.
fn eat(b: &[u8], pos: &mut usize, c: u8) -> Option<()> {
    (b.get(*pos) == Some(&c)).then(|| *pos += 1)
}

#[cfg(test)]
mod tests;
