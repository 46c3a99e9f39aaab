//! Numbers as ERPs write them: `1.234,56`, `-9.440,00`, `1,234.56`, `1234.56`.
//!
//! `Decimal::from_str` reads `1.234` as one point two three four, which in a Turkish
//! export is a thousand two hundred thirty-four. So the decimal separator is decided
//! here first, from the column's pinned style or, in `Auto`, from the text itself, and
//! a value that could honestly be read both ways is reported as ambiguous rather than
//! guessed. Parsing is one pass over the bytes into an integer mantissa: no float, no
//! allocation, since it runs once per cell.
//!
//! [`parse_decimal`] reads only these plain forms (a field's `strict = true`);
//! [`parse_amount`], the default, adds the forms reports print amounts in, such as
//! `(1.234,56)`, `1.234,56-` and `1.234,56 TL`.

use rust_decimal::Decimal;

mod forms;

pub use forms::{Amount, Currency, parse_amount};

/// Which character a column uses as its decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalStyle {
    /// Decide from each value; a lone separator before exactly three digits is ambiguous.
    #[default]
    Auto,
    /// Decimal comma, `.` groups thousands: `1.234,56`.
    Comma,
    /// Decimal point, `,` groups thousands: `1,234.56`.
    Dot,
}

/// Why a text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number in any of the accepted forms, or too large for a decimal.
    Invalid,
    /// `1.234` or `12,345` under `Auto`: thousands or a decimal fraction, and nothing in
    /// the value says which. The column's `decimal` setting settles it.
    Ambiguous,
}

/// Parses a number written with decimal comma or point and optional thousands groups.
///
/// The scale is kept as written (`9.440,00` is `9440.00`) so that a value sent on
/// unchanged looks the way the accountant typed it.
///
/// ```
/// use aktar::turkish::number::{DecimalStyle, NumberError, parse_decimal};
///
/// assert_eq!(parse_decimal("-9.440,00", DecimalStyle::Auto).unwrap().to_string(), "-9440.00");
/// assert_eq!(parse_decimal("1,234.56", DecimalStyle::Auto).unwrap().to_string(), "1234.56");
/// // Thousands or a fraction? Only the file's convention can say.
/// assert_eq!(parse_decimal("1.234", DecimalStyle::Auto), Err(NumberError::Ambiguous));
/// assert_eq!(parse_decimal("1.234", DecimalStyle::Comma).unwrap().to_string(), "1234");
/// assert_eq!(parse_decimal("12,3,4", DecimalStyle::Comma), Err(NumberError::Invalid));
/// ```
pub fn parse_decimal(s: &str, style: DecimalStyle) -> Result<Decimal, NumberError> {
    let (negative, body) = split_sign(super::trim(s));
    parse_unsigned(body.as_bytes(), negative, style)
}

/// The digits and separators of a plain number, its sign already read.
fn parse_unsigned(b: &[u8], negative: bool, style: DecimalStyle) -> Result<Decimal, NumberError> {
    let mut dots = 0usize;
    let mut commas = 0usize;
    let mut last_sep = None;
    // The digits as one integer, read on the way while they fit in a u64 (18 digits
    // always do): nearly every amount is built from this without a second pass.
    let mut digits = 0u32;
    let mut mantissa = 0u64;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            }
            b'.' => {
                dots += 1;
                last_sep = Some(i);
            }
            b',' => {
                commas += 1;
                last_sep = Some(i);
            }
            _ => return Err(NumberError::Invalid),
        }
    }

    let decimal_at = match last_sep {
        None => None,
        Some(pos) => {
            let sep = b[pos];
            let (same, other) = if sep == b'.' {
                (dots, commas)
            } else {
                (commas, dots)
            };
            if other > 0 {
                // Both kinds present: the last one is the decimal separator, once.
                if same != 1 || !style.allows_decimal(sep) {
                    return Err(NumberError::Invalid);
                }
                Some(pos)
            } else {
                match style {
                    DecimalStyle::Comma | DecimalStyle::Dot => {
                        if !style.allows_decimal(sep) {
                            None
                        } else if same == 1 {
                            Some(pos)
                        } else {
                            return Err(NumberError::Invalid);
                        }
                    }
                    DecimalStyle::Auto if same > 1 => None,
                    DecimalStyle::Auto => {
                        if could_be_thousands(&b[..pos], &b[pos + 1..]) {
                            return Err(NumberError::Ambiguous);
                        }
                        Some(pos)
                    }
                }
            }
        }
    };

    let (int_part, frac_part) = match decimal_at {
        Some(pos) => {
            let frac = &b[pos + 1..];
            if frac.is_empty() {
                return Err(NumberError::Invalid);
            }
            (&b[..pos], frac)
        }
        None => (b, &b[b.len()..]),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(NumberError::Invalid);
    }
    if !well_grouped(int_part) {
        return Err(NumberError::Invalid);
    }
    if digits <= 18 {
        // Fits: at most 18 digits, so the scale is at most 18 too.
        let signed = if negative {
            -(mantissa as i64)
        } else {
            mantissa as i64
        };
        return Ok(Decimal::new(signed, frac_part.len() as u32));
    }
    build(negative, int_part, frac_part)
}

/// The decimal whose digits are those of `int_part` then `frac_part`, in order; any
/// other byte (a thousands separator) is skipped, so callers check the layout first.
fn build(negative: bool, int_part: &[u8], frac_part: &[u8]) -> Result<Decimal, NumberError> {
    let mut mantissa: u128 = 0;
    for &c in int_part.iter().chain(frac_part) {
        if c.is_ascii_digit() {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(c - b'0')))
                .ok_or(NumberError::Invalid)?;
        }
    }
    let mantissa = i128::try_from(mantissa).map_err(|_| NumberError::Invalid)?;
    let signed = if negative { -mantissa } else { mantissa };
    let scale = u32::try_from(frac_part.len()).map_err(|_| NumberError::Invalid)?;
    Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| NumberError::Invalid)
}

/// Parses a whole number: optional sign, ASCII digits only, no separators.
pub fn parse_integer(s: &str) -> Option<i64> {
    let (negative, body) = split_sign(super::trim(s));
    if body.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for c in body.bytes() {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = i64::from(c - b'0');
        // Accumulating on the negative side reaches i64::MIN, which has no positive twin.
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

impl DecimalStyle {
    fn allows_decimal(self, sep: u8) -> bool {
        match self {
            DecimalStyle::Auto => true,
            DecimalStyle::Comma => sep == b',',
            DecimalStyle::Dot => sep == b'.',
        }
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

/// Whether `int.frac` could be a thousands group: `1.234`, `12,345`, `999.000`, but not
/// `0.125` (no number is written with a leading zero group) nor `1234.567`.
fn could_be_thousands(int: &[u8], frac: &[u8]) -> bool {
    frac.len() == 3 && (1..=3).contains(&int.len()) && int[0] != b'0'
}

/// Checks thousands groups in an integer part that holds only digits and one kind of
/// separator: the first group 1–3 digits without a leading zero, every later one 3.
fn well_grouped(int: &[u8]) -> bool {
    let mut groups = int.split(|&c| c == b'.' || c == b',');
    let Some(first) = groups.next() else {
        return true;
    };
    if first.len() == int.len() {
        return true;
    }
    if !(1..=3).contains(&first.len()) || first[0] == b'0' {
        return false;
    }
    groups.all(|g| g.len() == 3)
}

/// An exact decimal from a spreadsheet's binary float, rounded to the 15 significant
/// digits Excel itself shows, so a cell holding `0.1+0.2` is `0.3`, not
/// `0.30000000000000004`. `None` for NaN and infinities.
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(Decimal::ZERO);
    }
    // A whole number a double holds exactly (up to 2^53) is taken as it is: rounding
    // it to 15 digits would change a 16-digit code or amount.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Some(Decimal::from(f as i64));
    }
    // The common case, an amount with a few decimals, without formatting: the
    // shortest m / 10^s that this double is the nearest one to, when m has at most 15
    // digits, is what rounding to 15 significant digits gives.
    let mut scale = 10.0f64;
    for s in 1..=15u32 {
        let m = (f * scale).round();
        if m.abs() >= 1e15 {
            break;
        }
        if m / scale == f {
            return Some(Decimal::new(m as i64, s).normalize());
        }
        scale *= 10.0;
    }
    decimal_from_f64_text(f)
}

/// Rounding to 15 significant digits through the text of the double.
fn decimal_from_f64_text(f: f64) -> Option<Decimal> {
    let text = format!("{f:.14e}");
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

#[cfg(test)]
mod tests;
