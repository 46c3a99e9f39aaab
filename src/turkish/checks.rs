//! Identity, bank and contact checks a mapping can ask for with `check = "..."`: VKN
//! and TCKN check digits, IBAN mod-97, e-mail, Turkish phone numbers, UUID, currency
//! and country codes.
//!
//! Each check is a plain function over `&str` so validation can call it per cell
//! without building anything: digits are checked in place, the IBAN remainder is
//! folded digit by digit instead of through a big integer, and code tables are sorted
//! statics (see `codes`). Values are trimmed here too, so a check never fails on the
//! padding some exports leave around a cell.

use super::codes;

/// A named check, as written in a mapping's `check` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Vkn,
    Tckn,
    VknOrTckn,
    Iban,
    Email,
    PhoneTr,
    Uuid,
    Currency,
    Country,
}

impl Check {
    /// Every check, in the order they are listed to users.
    pub const ALL: &[Check] = &[
        Check::Vkn,
        Check::Tckn,
        Check::VknOrTckn,
        Check::Iban,
        Check::Email,
        Check::PhoneTr,
        Check::Uuid,
        Check::Currency,
        Check::Country,
    ];

    /// The name used in mapping files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Check::Vkn => "vkn",
            Check::Tckn => "tckn",
            Check::VknOrTckn => "vkn_or_tckn",
            Check::Iban => "iban",
            Check::Email => "email",
            Check::PhoneTr => "phone_tr",
            Check::Uuid => "uuid",
            Check::Currency => "currency",
            Check::Country => "country",
        }
    }

    pub fn from_name(s: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.name() == s)
    }

    pub fn is_valid(self, s: &str) -> bool {
        match self {
            Check::Vkn => vkn(s),
            Check::Tckn => tckn(s),
            Check::VknOrTckn => vkn(s) || tckn(s),
            Check::Iban => iban(s),
            Check::Email => email(s),
            Check::PhoneTr => phone_digits(s).is_some(),
            Check::Uuid => uuid(s),
            Check::Currency => currency(s),
            Check::Country => country(s),
        }
    }
}

/// A Turkish tax number (vergi kimlik numarası): 10 digits, the last a check digit.
pub fn vkn(s: &str) -> bool {
    let Some(d) = digits::<10>(super::trim(s)) else {
        return false;
    };
    let mut sum: i32 = 0;
    for (k, &digit) in d[..9].iter().enumerate() {
        // Weights run from 9 on the first digit down to 1 on the ninth.
        let place = 9 - k as u32;
        let c1 = (i32::from(digit) + place as i32) % 10;
        if c1 != 0 {
            let c2 = (c1 * (1 << place)) % 9;
            sum += if c2 == 0 { 9 } else { c2 };
        }
    }
    (10 - sum).rem_euclid(10) == i32::from(d[9])
}

/// A Turkish identity number (T.C. kimlik numarası): 11 digits, not starting with 0,
/// the last two check digits.
pub fn tckn(s: &str) -> bool {
    let Some(d) = digits::<11>(super::trim(s)) else {
        return false;
    };
    if d[0] == 0 {
        return false;
    }
    let d: [i32; 11] = d.map(i32::from);
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let c10 = (odd * 7 - even).rem_euclid(10);
    let c11 = (odd + even + c10) % 10;
    c10 == d[9] && c11 == d[10]
}

/// An IBAN (ISO 13616): spaces ignored, any case, the country's registered length
/// (15–34 characters for a country not in the table), and mod-97 equal to 1.
pub fn iban(s: &str) -> bool {
    const MAX: usize = 34;
    let mut buf = [0u8; MAX];
    let mut n = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphanumeric() {
            if n == MAX {
                return false;
            }
            buf[n] = c.to_ascii_uppercase();
            n += 1;
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else {
            // A non-ASCII space (the NBSP of a PDF or web page) still separates groups.
            match s.get(i..).and_then(|rest| rest.chars().next()) {
                Some(ch) if ch.is_whitespace() => i += ch.len_utf8(),
                _ => return false,
            }
        }
    }
    let b = &buf[..n];
    if n < 15
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    // Check digits 00, 01 and 99 are never issued, though 97 and 98 leave the same
    // remainders as 00 and 01.
    let check = (b[2] - b'0') * 10 + (b[3] - b'0');
    if !(2..=98).contains(&check) {
        return false;
    }
    match codes::iban_length(&[b[0], b[1]]) {
        Some(len) if len != n => return false,
        _ => {}
    }
    // Digits are gathered into a u64 and reduced only when it grows large, which
    // gives the same remainder as reducing after every digit with a fraction of the
    // divisions.
    let mut acc: u64 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        if acc >= 1_000_000_000_000_000 {
            acc %= 97;
        }
        acc = if c.is_ascii_digit() {
            acc * 10 + u64::from(c - b'0')
        } else {
            acc * 100 + u64::from(c - b'A') + 10
        };
    }
    let rem = acc % 97;
    rem == 1
}

/// A pragmatic e-mail check: what a provider will accept as an address, not the full
/// RFC 5322 grammar. One `@`; a local part without spaces, quotes-only characters or
/// stray dots; a domain of dot-separated labels (letters, digits, inner hyphens) whose
/// last label is at least two letters.
pub fn email(s: &str) -> bool {
    let s = super::trim(s);
    if s.len() > 254 {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    email_local(local) && email_domain(domain)
}

fn email_local(local: &str) -> bool {
    if local.is_empty() || local.len() > 64 || local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    // ASCII bytes by table; a byte of a longer character is never `.`, so `prev`
    // still sees two dots only when they are neighbours.
    let mut prev = 0u8;
    for &b in local.as_bytes() {
        if b < 0x80 && (!LOCAL_ASCII[usize::from(b)] || (b == b'.' && prev == b'.')) {
            return false;
        }
        prev = b;
    }
    local.is_ascii()
        || local
            .chars()
            .all(|c| c.is_ascii() || !(c.is_whitespace() || c.is_control()))
}

/// The ASCII characters an address's local part may hold: no space or control
/// character, none of the characters only a quoted local part may hold.
const LOCAL_ASCII: [bool; 128] = {
    let mut ok = [false; 128];
    let mut b = 0x21;
    while b < 0x7f {
        ok[b] = !matches!(
            b as u8,
            b'@' | b'"' | b'(' | b')' | b',' | b':' | b';' | b'<' | b'>' | b'[' | b']' | b'\\'
        );
        b += 1;
    }
    ok
};

/// Walks the domain once, label by label, instead of splitting it, since this runs on
/// every e-mail cell.
fn email_domain(domain: &str) -> bool {
    let mut labels = 0;
    let mut len = 0;
    let mut prev = '.';
    let mut tld_letters = true;
    let bytes = domain.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // ASCII without decoding, as nearly every domain is.
        let c = if b < 0x80 {
            i += 1;
            char::from(b)
        } else {
            let Some(c) = domain.get(i..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            i += c.len_utf8();
            c
        };
        if c == '.' {
            if len == 0 || prev == '-' {
                return false;
            }
            labels += 1;
            len = 0;
            tld_letters = true;
        } else if c.is_alphanumeric() || c == '-' {
            if c == '-' && len == 0 {
                return false;
            }
            len += 1;
            if len > 63 {
                return false;
            }
            tld_letters &= c.is_alphabetic();
        } else {
            return false;
        }
        prev = c;
    }
    // The last label is the top-level domain: at least two letters, no digits.
    labels >= 1 && len >= 2 && prev != '-' && tld_letters
}

/// A Turkish phone number as its 10-digit national number (`5321234567`).
///
/// Spaces, `-`, `(`, `)` and `.` are ignored. The number may carry `+90`, `0090`, `90`
/// (when 12 digits in all) or the trunk `0`, and `+90 (0532) …` is taken as well since
/// people write it. The national number must start with 2–5 (land lines, mobiles) or 8
/// (`850` and other non-geographic numbers).
pub fn phone_tr(s: &str) -> Option<String> {
    let d = phone_digits(s)?;
    // Ten ASCII digits.
    std::str::from_utf8(&d).ok().map(str::to_owned)
}

fn phone_digits(s: &str) -> Option<[u8; 10]> {
    const MAX: usize = 16;
    let mut buf = [0u8; MAX];
    let mut n = 0;
    let mut plus = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'0'..=b'9' => {
                if n == MAX {
                    return None;
                }
                buf[n] = b;
                n += 1;
            }
            b'+' if n == 0 && !plus => plus = true,
            b'-' | b'(' | b')' | b'.' | b' ' | b'\t'..=b'\r' => {}
            // A non-ASCII space (NBSP) between groups; any other character fails.
            0x80.. => {
                let c = s.get(i - 1..).and_then(|rest| rest.chars().next())?;
                if !c.is_whitespace() {
                    return None;
                }
                i += c.len_utf8() - 1;
            }
            _ => return None,
        }
    }
    let all = &buf[..n];
    let rest = if plus {
        all.strip_prefix(b"90")?
    } else if let Some(rest) = all.strip_prefix(b"0090") {
        rest
    } else if n == 12 && all.starts_with(b"90") {
        &all[2..]
    } else {
        all
    };
    let national = match rest {
        [b'0', tail @ ..] if tail.len() == 10 => tail,
        _ if rest.len() == 10 => rest,
        _ => return None,
    };
    if !matches!(national[0], b'2'..=b'5' | b'8') {
        return None;
    }
    national.try_into().ok()
}

/// A UUID in the 8-4-4-4-12 hex form, any case.
pub fn uuid(s: &str) -> bool {
    let b = super::trim(s).as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An ISO 4217 currency code in either case, or `TL`, which Turkish exports use for
/// the lira.
pub fn currency(s: &str) -> bool {
    let s = super::trim(s);
    if s.eq_ignore_ascii_case("TL") {
        return true;
    }
    upper::<3>(s).is_some_and(|code| codes::contains(codes::CURRENCIES, &code))
}

/// An ISO 3166-1 country code, alpha-2 (`TR`) or alpha-3 (`TUR`), in either case.
pub fn country(s: &str) -> bool {
    let s = super::trim(s);
    if let Some(code) = upper::<2>(s) {
        return codes::contains(codes::COUNTRIES_ALPHA2, &code);
    }
    upper::<3>(s).is_some_and(|code| codes::contains(codes::COUNTRIES_ALPHA3, &code))
}

/// The `N` digit values of `s` when it is exactly `N` ASCII digits.
fn digits<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b: &[u8; N] = s.as_bytes().try_into().ok()?;
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.map(|c| c - b'0'))
}

/// `s` upper-cased when it is exactly `N` ASCII letters.
fn upper<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b: &[u8; N] = s.as_bytes().try_into().ok()?;
    if !b.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    Some(b.map(|c| c.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests;
