//! The `[source]` table: encoding, delimiter, decimal style, header row, sheet and
//! skipped rows, checked and turned into the reader's options.

use regex::Regex;

use super::Cx;
use crate::mapping::spec::{SheetSpec, SourceSpec};
use crate::read::{EncodingChoice, SheetSel, SkipIf, SourceOptions};
use crate::turkish::number::DecimalStyle;

impl Cx<'_> {
    pub(super) fn source(&mut self, s: &SourceSpec) -> (SourceOptions, DecimalStyle) {
        let mut o = SourceOptions::default();
        if let Some(e) = &s.encoding {
            o.encoding = match e.get_ref().to_ascii_lowercase().as_str() {
                "auto" => EncodingChoice::Auto,
                "utf-8" | "utf8" => EncodingChoice::Utf8,
                "windows-1254" | "cp1254" | "win1254" => EncodingChoice::Windows1254,
                "iso-8859-9" | "latin5" => EncodingChoice::Iso8859_9,
                "utf-16" | "utf16" => EncodingChoice::Utf16,
                other => {
                    self.err(
                        e.span(),
                        format!(
                            "unknown encoding `{other}`; use auto, utf-8, windows-1254, iso-8859-9 or utf-16"
                        ),
                    );
                    EncodingChoice::Auto
                }
            };
        }
        if let Some(d) = &s.delimiter {
            o.delimiter = match d.get_ref().as_str() {
                "auto" => None,
                ";" => Some(b';'),
                "," => Some(b','),
                "\t" | "tab" | "TAB" => Some(b'\t'),
                "|" => Some(b'|'),
                other => {
                    self.err(
                        d.span(),
                        format!(
                            "unknown delimiter `{other}`; use auto, \";\", \",\", \"tab\" or \"|\""
                        ),
                    );
                    None
                }
            };
        }
        let decimal = match s.decimal.as_ref().map(|d| (d.get_ref().as_str(), d.span())) {
            None | Some(("auto", _)) => DecimalStyle::Auto,
            Some((",", _)) => DecimalStyle::Comma,
            Some((".", _)) => DecimalStyle::Dot,
            Some((other, span)) => {
                self.err(
                    span,
                    format!("unknown decimal separator `{other}`; use auto, \",\" or \".\""),
                );
                DecimalStyle::Auto
            }
        };
        if let Some(h) = &s.header_row {
            match u64::try_from(*h.get_ref()) {
                Ok(n) if n >= 1 => o.header_row = Some(n),
                _ => self.err(h.span(), "header_row counts from 1".to_string()),
            }
        }
        if let Some(sh) = &s.sheet {
            o.sheet = match sh.get_ref() {
                SheetSpec::Name(n) => Some(SheetSel::Name(n.clone())),
                SheetSpec::Index(i) => match usize::try_from(*i) {
                    Ok(i) => Some(SheetSel::Index(i)),
                    Err(_) => {
                        self.err(sh.span(), "a sheet index counts from 0".to_string());
                        None
                    }
                },
            };
        }
        if let Some(sk) = &s.skip_if {
            for rule in sk.get_ref().to_vec() {
                match Regex::new(&rule.matches) {
                    Ok(re) => o.skip_if.push(SkipIf {
                        column: rule.column,
                        matches: re,
                    }),
                    Err(e) => self.err(sk.span(), format!("skip_if: bad regular expression: {e}")),
                }
            }
        }
        (o, decimal)
    }
}
