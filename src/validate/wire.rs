//! A valid row's request as bytes: the URL path, the JSON body and its payloads.jsonl
//! line, written straight into a buffer the worker thread reuses.
//!
//! Strings go through serde_json's own escaping and numbers through the same integer
//! formatting, so the bytes are exactly what serialising the equivalent
//! `serde_json::Value` (with its keys in insertion order) gives: the spill, the
//! journal's payload hash and payloads.jsonl do not depend on which way a body was
//! built.

use super::value::Value;
use crate::mapping::Mapping;
use crate::providers::{Empty, Envelope, Json as Wire};
use crate::read::SourcePos;

/// Everything but RFC 3986's unreserved characters is escaped in a path segment.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Writes `s` as a JSON string.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if needs_escape(b) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(b.len() + 2);
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
    }
}

/// Whether `b` holds a byte serde_json escapes: below 0x20, `"` or `\\`. A string
/// without any (nearly every cell) is its own bytes between quotes. Eight bytes at a
/// time: cells are short, and a byte-wise scan spent most of its time on the bytes
/// left over after its vectorised part.
fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each test is exact for "some byte": a borrow can only start at a byte that
    // passes it.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let any = |x: u64| {
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let quote = zero(x ^ (ONES * u64::from(b'"')));
        let backslash = zero(x ^ (ONES * u64::from(b'\\')));
        (control | quote | backslash) & HIGH != 0
    };
    let Some(last) = b.last_chunk::<8>() else {
        return b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
    };
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        if any(u64::from_le_bytes(word)) {
            return true;
        }
    }
    // The last eight bytes, read whole: they cover the bytes left over. Copied into a
    // padded word instead, they were written a byte count at a time and read back at
    // once, a read that waited for those writes.
    !words.remainder().is_empty() && any(u64::from_le_bytes(*last))
}

/// What a mapping's requests share, resolved once: the path around its path field and
/// the payloads.jsonl line's constant parts.
pub struct Plan<'m> {
    m: &'m Mapping,
    /// The endpoint path before and after the `{field}` placeholder (the whole path
    /// when it has none).
    path: (String, Option<String>),
    /// The path field's index: it fills the path and is not in the body.
    path_field: Option<usize>,
    /// `,"method":"<method>","url":` and the base URL the path is appended to.
    method: Vec<u8>,
    base_url: String,
    /// The escaped URL when every request has the same one (no path field).
    url: Option<Vec<u8>>,
    /// Each field's escaped name and colon, `"name":`, in the mapping's order.
    keys: Vec<Vec<u8>>,
}

impl<'m> Plan<'m> {
    pub fn new(m: &'m Mapping, base_url: &str) -> Plan<'m> {
        let ep = m.endpoint;
        let path_field = ep
            .path_field
            .as_deref()
            .and_then(|name| m.fields.iter().position(|f| f.def.name == name));
        let path = path_field
            .and_then(|i| ep.path.split_once(&format!("{{{}}}", m.fields[i].def.name)))
            .map(|(before, after)| (before.to_string(), Some(after.to_string())))
            .unwrap_or_else(|| (ep.path.clone(), None));
        let mut method = b",\"method\":".to_vec();
        write_str(&mut method, ep.method.as_str());
        method.extend_from_slice(b",\"url\":");
        let url = path_field.is_none().then(|| {
            let mut url = Vec::new();
            write_str(&mut url, &format!("{base_url}{}", path.0));
            url
        });
        let keys = m
            .fields
            .iter()
            .map(|f| {
                let mut key = Vec::with_capacity(f.def.name.len() + 3);
                write_str(&mut key, &f.def.name);
                key.push(b':');
                key
            })
            .collect();
        Plan {
            m,
            path,
            path_field,
            method,
            base_url: base_url.to_string(),
            url,
            keys,
        }
    }

    /// The URL path with the path field's value in its segment.
    pub fn path(&self, values: &[Value]) -> String {
        let (before, after) = &self.path;
        let mut out = before.clone();
        if let (Some(i), Some(after)) = (self.path_field, after) {
            let f = &self.m.fields[i];
            let seg = values[i].text(f.format.as_deref());
            out.extend(percent_encoding::utf8_percent_encode(&seg, PATH_SEGMENT));
            out.push_str(after);
        }
        out
    }

    /// The body: the fields in the mapping's order (an empty value left out, sent as
    /// `""` or as `null`, as the field says), wrapped in the endpoint's envelope.
    pub fn body(&self, out: &mut Vec<u8>, values: &[Value]) {
        let m = self.m;
        let enveloped = match &m.endpoint.envelope {
            Envelope::Key(k) => {
                out.push(b'{');
                write_str(out, k);
                out.push(b':');
                true
            }
            Envelope::Bare => false,
        };
        out.push(b'{');
        let mut first = true;
        for (i, ((f, v), key)) in m.fields.iter().zip(values).zip(&self.keys).enumerate() {
            if self.path_field == Some(i) {
                continue;
            }
            if v.is_null() && f.empty == Empty::Omit {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(key);
            match (v, f.empty) {
                (Value::Null, Empty::Send) => out.extend_from_slice(b"\"\""),
                (v, _) => value(out, v, f.def.json, f.format.as_deref()),
            }
        }
        out.push(b'}');
        if enveloped {
            out.push(b'}');
        }
    }

    /// One payloads.jsonl line with its newline:
    /// `{"file","row","key","method","url","body"}`, keys in that order. `file` keeps
    /// the escaped file name between the rows of one file; `file`'s own row number is
    /// not read, `row` is the row's.
    pub fn line(
        &self,
        out: &mut Vec<u8>,
        label: &mut FileLabel,
        file: &SourcePos,
        row: u64,
        key: &str,
        values: &[Value],
    ) {
        out.extend_from_slice(label.of(file));
        padded(out, row, 0);
        out.extend_from_slice(b",\"key\":");
        write_str(out, key);
        out.extend_from_slice(&self.method);
        match &self.url {
            Some(url) => out.extend_from_slice(url),
            None => {
                let mut url = String::with_capacity(self.base_url.len() + 32);
                url.push_str(&self.base_url);
                url.push_str(&self.path(values));
                write_str(out, &url);
            }
        }
        out.extend_from_slice(b",\"body\":");
        self.body(out, values);
        out.extend_from_slice(b"}\n");
    }
}

/// The start of a payloads line up to its row number, `{"file":"<label>","row":`,
/// made again only when the file changes.
#[derive(Default)]
pub struct FileLabel {
    of: Option<(std::sync::Arc<str>, Option<std::sync::Arc<str>>)>,
    bytes: Vec<u8>,
}

impl FileLabel {
    fn of(&mut self, pos: &SourcePos) -> &[u8] {
        // Compared by text (a shared allocation answers at once): rows of one file
        // share their name's allocation only in groups.
        let same = self
            .of
            .as_ref()
            .is_some_and(|(f, s)| *f == pos.file && *s == pos.sheet);
        if !same {
            self.bytes.clear();
            self.bytes.extend_from_slice(b"{\"file\":");
            match &pos.sheet {
                Some(sheet) => write_str(&mut self.bytes, &format!("{}#{}", pos.file, sheet)),
                None => write_str(&mut self.bytes, &pos.file),
            }
            self.bytes.extend_from_slice(b",\"row\":");
            self.of = Some((pos.file.clone(), pos.sheet.clone()));
        }
        &self.bytes
    }
}

/// An integer's digits, as `Display` (and serde_json, through the same crate) write
/// them.
fn integer(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    padded(out, n.unsigned_abs(), 0);
}

/// A decimal as `Decimal`'s `Display` writes it: every digit of its scale, a `-` on
/// any negative value (zero included), and a zero before the point.
fn decimal(out: &mut Vec<u8>, d: &rust_decimal::Decimal) {
    if d.is_sign_negative() {
        out.push(b'-');
    }
    let m = d.mantissa().unsigned_abs();
    let scale = d.scale() as usize;
    // A mantissa that fits 64 bits, as an amount's nearly always does, is written
    // from its last digit with the point in its place: no division to split it, and
    // no digits moved to make room for the point.
    if let Ok(m) = u64::try_from(m) {
        pointed(out, m, scale);
        return;
    }
    // Past 64 bits, split at the point in 128; 10^28, the largest scale, fits them.
    let p = 10u128.pow(scale as u32);
    wide(out, m / p, 0);
    if scale > 0 {
        out.push(b'.');
        wide(out, m % p, scale);
    }
}

/// [`padded`] for a number that may not fit 64 bits.
fn wide(out: &mut Vec<u8>, n: u128, width: usize) {
    match u64::try_from(n) {
        Ok(n) => padded(out, n, width),
        Err(_) => {
            let mut buf = itoa::Buffer::new();
            let digits = buf.format(n).as_bytes();
            out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
            out.extend_from_slice(digits);
        }
    }
}

/// "00" to "99", so that digits are found two at a time.
const PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    pairs
};

/// `n` in at least `width` digits, zeros before, written from the last digit back in
/// their places in `out`. Formatted aside and copied in, the digits were written two
/// at a time and read back four or eight at a time, a read that waited for those
/// writes.
fn padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let count = n.checked_ilog10().map_or(1, |l| l as usize + 1).max(width);
    let start = out.len();
    out.resize(start + count, b'0');
    digits_ending(&mut out[start..], count, n);
}

/// Writes `n`'s digits into `slots` so that they end at `end`, two at a time; the
/// slots before them, and zero's own, hold zeros already.
#[inline]
fn digits_ending(slots: &mut [u8], end: usize, mut n: u64) {
    let mut i = end;
    while n >= 100 {
        i -= 2;
        slots[i..i + 2].copy_from_slice(&PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if n >= 10 {
        slots[i - 2..i].copy_from_slice(&PAIRS[n as usize]);
    } else if n > 0 {
        slots[i - 1] = b'0' + n as u8;
    }
}

/// `n` as the digits of a decimal with `scale` of them after the point (none when it is
/// 0): at least one before it, zeros filled in.
fn pointed(out: &mut Vec<u8>, mut n: u64, scale: usize) {
    let digits = n
        .checked_ilog10()
        .map_or(1, |l| l as usize + 1)
        .max(scale + 1);
    let count = digits + usize::from(scale > 0);
    let start = out.len();
    out.resize(start + count, b'0');
    let slots = &mut out[start..];
    let mut i = count;
    let mut after = scale;
    while after >= 2 {
        i -= 2;
        slots[i..i + 2].copy_from_slice(&PAIRS[(n % 100) as usize]);
        n /= 100;
        after -= 2;
    }
    if after == 1 {
        i -= 1;
        slots[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    if scale > 0 {
        i -= 1;
        slots[i] = b'.';
    }
    digits_ending(slots, i, n);
}

/// The JSON a value becomes for a field sent as `wire`; decimals always as exact
/// strings.
fn value(out: &mut Vec<u8>, v: &Value, wire: Wire, format: Option<&str>) {
    match (v, wire) {
        (Value::Null, _) => out.extend_from_slice(b"null"),
        (Value::Int(i), Wire::Number) => integer(out, *i),
        (Value::Int(i), _) => {
            out.push(b'"');
            integer(out, *i);
            out.push(b'"');
        }
        (Value::Bool(b), Wire::Boolean) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" });
        }
        (Value::Bool(b), Wire::String) => {
            out.extend_from_slice(if *b { b"\"1\"" } else { b"\"0\"" });
        }
        (Value::Dec(d), _) => {
            out.push(b'"');
            decimal(out, d);
            out.push(b'"');
        }
        (Value::Str(s), _) => write_str(out, s),
        (Value::List(items), Wire::Array) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                match item {
                    Value::Int(i) => integer(out, *i),
                    other => write_str(out, &other.text(format)),
                }
            }
            out.push(b']');
        }
        (v, _) => write_str(out, &v.text(format)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn written(d: Decimal) -> String {
        let mut out = Vec::new();
        super::decimal(&mut out, &d);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for text in [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "0.0001",
            "-0.5",
            "1",
            "10",
            "100.10",
            "-9440.0000",
            "10000000000000000000",
            "9999999999999999999",
            "12345678901234567890.12",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(written(d), d.to_string(), "{text}");
        }
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        for i in [0, 1, -1, 9, 10, -10, 1234567890, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            super::integer(&mut out, i);
            assert_eq!(String::from_utf8(out).unwrap(), i.to_string());
        }
    }

    proptest! {
        #[test]
        fn needs_escape_finds_what_a_byte_wise_scan_finds(
            b in proptest::collection::vec(prop_oneof![40 => 0x20u8..=0xff, 1 => 0u8..0x20], 0..40)
        ) {
            let expected = b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
            prop_assert_eq!(super::needs_escape(&b), expected);
        }

        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in "[a\"\\\\\u{0}\u{1f}\u{7f}\n\tşİ€ ]{0,40}") {
            let mut out = Vec::new();
            super::write_str(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn any_integer_is_written_as_display_writes_it(i in any::<i64>()) {
            let mut out = Vec::new();
            super::integer(&mut out, i);
            prop_assert_eq!(String::from_utf8(out).unwrap(), i.to_string());
        }

        #[test]
        fn any_row_number_is_written_as_display_writes_it(n in any::<u64>()) {
            let mut out = b"x".to_vec();
            super::padded(&mut out, n, 0);
            prop_assert_eq!(String::from_utf8(out).unwrap(), format!("x{n}"));
        }

        #[test]
        fn any_amount_is_written_as_display_writes_it(
            m in prop_oneof![0i64..1_000_000, any::<i64>()], scale in 0u32..=22,
        ) {
            let d = Decimal::new(m, scale);
            prop_assert_eq!(written(d), d.to_string());
        }

        #[test]
        fn any_decimal_is_written_as_display_writes_it(
            lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
            negative in any::<bool>(), scale in 0u32..=28,
        ) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(written(d), d.to_string());
        }
    }
}
