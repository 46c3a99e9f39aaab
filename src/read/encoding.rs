//! Which text encoding a delimited file is in, and a byte stream of it as UTF-8.
//!
//! Turkish ERPs export UTF-8 (with or without a byte-order mark), UTF-16 with a BOM
//! ("Unicode text" from Excel), or the Windows-1254 code page. A BOM is unambiguous,
//! so it decides even over an encoding the mapping pins (a Windows-1254 reading of a
//! UTF-8 BOM would only put `ï»¿` in front of the first header). Without one, `Auto`
//! takes UTF-8 when the first MiB is valid UTF-8 and Windows-1254 otherwise.
//!
//! BOMs are found and skipped here rather than by `encoding_rs_io`, which ignores a
//! BOM once an encoding is set (CRATES.md pitfall 1); the decoder is then built with
//! BOM sniffing off. UTF-8 input is passed through undecoded: the delimited reader
//! validates each field itself, which is the fast path for the common case.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1254};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::EncodingChoice;

/// How much of a file is looked at to decide its encoding and delimiter.
pub(crate) const SNIFF_LEN: usize = 1 << 20;

/// The outcome of looking at the start of a file.
#[derive(Debug, Clone)]
pub(crate) struct Detected {
    pub encoding: &'static Encoding,
    /// Bytes of byte-order mark to skip.
    pub bom_len: usize,
    /// `Auto` chose UTF-8 on the evidence of the first MiB only: a later field that is
    /// not valid UTF-8 is read as Windows-1254 rather than failing the whole file.
    pub fallback_1254: bool,
    /// Said to the user when the choice was a guess worth knowing about.
    pub warning: Option<String>,
}

/// Decides the encoding from the first bytes of a file. `complete` says whether
/// `prefix` is the whole file (so a multi-byte sequence cut at its end is an error).
pub(crate) fn detect(choice: EncodingChoice, prefix: &[u8], complete: bool) -> Detected {
    if let Some((bom_encoding, bom_len)) = bom(prefix) {
        let pinned = pinned(choice);
        let warning = match pinned {
            Some(p) if !same_family(p, bom_encoding) => Some(format!(
                "the mapping asks for {} but the file starts with a {} byte-order mark; \
                 read as {}",
                p.name(),
                bom_encoding.name(),
                bom_encoding.name()
            )),
            _ if choice == EncodingChoice::Auto && bom_encoding != UTF_8 => {
                Some(format!("encoding detected: {}", bom_encoding.name()))
            }
            _ => None,
        };
        return Detected {
            encoding: bom_encoding,
            bom_len,
            fallback_1254: false,
            warning,
        };
    }
    if let Some(p) = pinned(choice) {
        return Detected {
            encoding: p,
            bom_len: 0,
            fallback_1254: false,
            warning: None,
        };
    }
    if let Some(utf16) = utf16_without_bom(prefix) {
        return Detected {
            encoding: utf16,
            bom_len: 0,
            fallback_1254: false,
            warning: Some(format!(
                "encoding detected: {} (no byte-order mark)",
                utf16.name()
            )),
        };
    }
    if looks_utf8(prefix, complete) {
        Detected {
            encoding: UTF_8,
            bom_len: 0,
            fallback_1254: true,
            warning: None,
        }
    } else {
        Detected {
            encoding: WINDOWS_1254,
            bom_len: 0,
            fallback_1254: false,
            warning: Some(
                "encoding detected: windows-1254 (the file is not UTF-8); \
                 set `encoding` in [source] if that is wrong"
                    .to_owned(),
            ),
        }
    }
}

fn pinned(choice: EncodingChoice) -> Option<&'static Encoding> {
    match choice {
        EncodingChoice::Auto => None,
        EncodingChoice::Utf8 => Some(UTF_8),
        // encoding_rs maps the ISO-8859-9 label to windows-1254, its superset.
        EncodingChoice::Windows1254 | EncodingChoice::Iso8859_9 => Some(WINDOWS_1254),
        // Without a BOM, Windows' "Unicode" is little-endian.
        EncodingChoice::Utf16 => Some(UTF_16LE),
    }
}

fn same_family(a: &'static Encoding, b: &'static Encoding) -> bool {
    let utf16 = |e| e == UTF_16LE || e == UTF_16BE;
    a == b || (utf16(a) && utf16(b))
}

fn bom(prefix: &[u8]) -> Option<(&'static Encoding, usize)> {
    match prefix {
        [0xEF, 0xBB, 0xBF, ..] => Some((UTF_8, 3)),
        [0xFF, 0xFE, ..] => Some((UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => Some((UTF_16BE, 2)),
        _ => None,
    }
}

/// UTF-16 without a BOM shows as ASCII text with every other byte zero; no 8-bit
/// encoding of a text export puts NULs there.
fn utf16_without_bom(prefix: &[u8]) -> Option<&'static Encoding> {
    let sample = &prefix[..prefix.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 2 > pairs && even == 0 {
        Some(UTF_16LE)
    } else if even * 2 > pairs && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn looks_utf8(prefix: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // A sequence cut by the sniff window, not a bad byte.
        Err(e) => !complete && e.error_len().is_none(),
    }
}

/// The start of the file as text, for sniffing the delimiter. Lossy: a character cut
/// at the end of the window does not matter there.
pub(crate) fn decode_prefix<'a>(d: &Detected, prefix: &'a [u8]) -> Cow<'a, str> {
    let body = prefix.get(d.bom_len..).unwrap_or_default();
    if d.encoding == UTF_8 {
        String::from_utf8_lossy(body)
    } else {
        d.encoding.decode_without_bom_handling(body).0
    }
}

/// Bytes a decoded file is read at a time. The decoder's own default, 8 KiB, made a
/// read call for every 8 KiB of the file: 16,000 of them for a 1,000,000-row export.
const DECODE_READ: usize = 256 * 1024;

/// The whole file as a stream of UTF-8 bytes (for UTF-8 input: the bytes as they are,
/// validated per field by the caller), BOM removed. `prefix` holds the bytes already
/// read from `rest`.
pub(crate) fn utf8_stream<R: Read + Send + 'static>(
    d: &Detected,
    prefix: Vec<u8>,
    rest: R,
) -> std::io::Result<Box<dyn Read + Send>> {
    let mut head = Cursor::new(prefix);
    head.set_position(d.bom_len as u64);
    let raw = head.chain(rest);
    Ok(if d.encoding == UTF_8 {
        Box::new(raw)
    } else {
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(d.encoding))
                .bom_sniffing(false)
                .build_with_buffer(raw, vec![0u8; DECODE_READ])?,
        )
    })
}

/// One field's text. UTF-8 that fails validation is read as Windows-1254 when `d`
/// allows it; otherwise the caller reports the row.
pub(crate) fn field_text(bytes: &[u8], fallback_1254: bool) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_owned()),
        Err(_) if fallback_1254 => Some(
            WINDOWS_1254
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        ),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_utf8_and_skipped() {
        let d = detect(EncodingChoice::Auto, b"\xEF\xBB\xBFKod;Ad", true);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.bom_len, 3);
        assert!(d.warning.is_none());
        assert_eq!(decode_prefix(&d, b"\xEF\xBB\xBFKod;Ad"), "Kod;Ad");
    }

    #[test]
    fn utf8_without_bom_and_a_sequence_cut_at_the_window_end() {
        let text = "Kod;Ünvan\n1;İSTANBUL".as_bytes();
        let d = detect(EncodingChoice::Auto, text, true);
        assert_eq!((d.encoding, d.bom_len, d.fallback_1254), (UTF_8, 0, true));
        // `İ` is two bytes; cut after the first one.
        let cut = &text[..text.len() - "STANBUL".len() - 1];
        assert_eq!(detect(EncodingChoice::Auto, cut, false).encoding, UTF_8);
        assert_eq!(
            detect(EncodingChoice::Auto, cut, true).encoding,
            WINDOWS_1254
        );
    }

    #[test]
    fn windows_1254_when_not_utf8_with_a_warning() {
        let d = detect(EncodingChoice::Auto, b"\xDDSTANBUL;\xDE\xDCKR\xDC", true);
        assert_eq!(d.encoding, WINDOWS_1254);
        assert!(
            d.warning
                .as_deref()
                .is_some_and(|w| w.contains("windows-1254"))
        );
        assert_eq!(
            decode_prefix(&d, b"\xDDSTANBUL;\xDE\xDCKR\xDC"),
            "İSTANBUL;ŞÜKRÜ"
        );
    }

    #[test]
    fn utf16_boms() {
        let le = detect(EncodingChoice::Auto, b"\xFF\xFEK\x00", true);
        assert_eq!((le.encoding, le.bom_len), (UTF_16LE, 2));
        assert!(
            le.warning
                .as_deref()
                .is_some_and(|w| w.contains("UTF-16LE"))
        );
        let be = detect(EncodingChoice::Auto, b"\xFE\xFF\x00K", true);
        assert_eq!((be.encoding, be.bom_len), (UTF_16BE, 2));
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        let le: Vec<u8> = "Kod;Ad\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(detect(EncodingChoice::Auto, &le, true).encoding, UTF_16LE);
        let be: Vec<u8> = "Kod;Ad\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(detect(EncodingChoice::Auto, &be, true).encoding, UTF_16BE);
    }

    #[test]
    fn pinned_choices() {
        let d = detect(EncodingChoice::Iso8859_9, b"plain ascii", true);
        assert_eq!(d.encoding, WINDOWS_1254);
        assert!(d.warning.is_none());
        let d = detect(EncodingChoice::Utf8, b"\xDD", true);
        assert_eq!((d.encoding, d.fallback_1254), (UTF_8, false));
        assert_eq!(
            detect(EncodingChoice::Utf16, b"K\x00", true).encoding,
            UTF_16LE
        );
        assert_eq!(
            detect(EncodingChoice::Utf16, b"\xFE\xFF\x00K", true).encoding,
            UTF_16BE
        );
    }

    #[test]
    fn a_bom_wins_over_a_pinned_encoding_with_a_warning() {
        let d = detect(EncodingChoice::Windows1254, b"\xEF\xBB\xBFKod", true);
        assert_eq!((d.encoding, d.bom_len), (UTF_8, 3));
        assert!(
            d.warning
                .as_deref()
                .is_some_and(|w| w.contains("byte-order mark"))
        );
    }

    #[test]
    fn stream_decodes_and_skips_the_bom() {
        let bytes = b"\xFF\xFEK\x00\x1F\x01".to_vec(); // "Kğ"
        let d = detect(EncodingChoice::Auto, &bytes, true);
        let mut out = String::new();
        utf8_stream(&d, bytes, std::io::empty())
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "Kğ");
    }

    #[test]
    fn field_fallback_only_when_allowed() {
        assert_eq!(field_text(b"\xFEirket", true).as_deref(), Some("şirket"));
        assert_eq!(field_text(b"\xFEirket", false), None);
        assert_eq!(field_text("ğ".as_bytes(), false).as_deref(), Some("ğ"));
    }
}
