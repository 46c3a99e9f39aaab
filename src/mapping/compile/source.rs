//! The `[source]` table: encoding, delimiter, decimal style, header row, sheet,
//! skipped rows and the total row, checked and turned into the reader's options.
//! What can be known of `total_row` without the file is checked here; whether the
//! file has its columns is the caller's to check when the file is opened.

use regex::Regex;

use super::Cx;
use crate::mapping::TotalRow;
use crate::mapping::spec::{SheetSpec, SourceSpec};
use crate::read::{EncodingChoice, SheetSel, SkipIf, SourceOptions};
use crate::turkish::case::fold;
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
            let (line, column) = super::line_col(self.out.text, sh.span().start);
            o.sheet_at = Some(format!("{}:{line}:{column}", self.out.file));
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

impl Cx<'_> {
    /// The control totals' total row: its column, its pattern and the columns it sums.
    pub(super) fn total_row(&mut self, s: &SourceSpec) -> Option<TotalRow> {
        let t = s.total_row.as_ref()?;
        let spec = t.get_ref();
        let before = self.out.errors.len();
        let column = spec.column.trim();
        if column.is_empty() {
            self.err(
                t.span(),
                "total_row: `column` names the column that marks the total row".into(),
            );
        }
        if spec.sum.is_empty() {
            self.err(
                t.span(),
                "total_row needs the columns it sums: sum = [\"Bakiye\"]".into(),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for c in &spec.sum {
            let name = c.get_ref().trim();
            if name.is_empty() {
                self.err(c.span(), "total_row: an empty column name in sum".into());
            } else if let Some(first) = seen.iter().find(|s| fold(s) == fold(name)) {
                self.err(
                    c.span(),
                    format!(
                        "total_row: sum names `{first}` twice{}; each column is summed once",
                        if *first == name {
                            String::new()
                        } else {
                            format!(" (as `{name}`)")
                        }
                    ),
                );
            } else if !column.is_empty() && fold(name) == fold(column) {
                self.err(
                    c.span(),
                    format!(
                        "total_row: `{name}` is the column that marks the total row (it holds the label, not a total); sum the amount columns"
                    ),
                );
            } else {
                seen.push(name);
            }
        }
        let matches = match Regex::new(&spec.matches) {
            Ok(re) if re.is_match("") => {
                self.err(
                    t.span(),
                    format!(
                        "total_row: matches = \"{}\" also matches an empty cell, so every row with an empty `{column}` would be taken for the total row; anchor it, as in \"^TOPLAM\"",
                        spec.matches
                    ),
                );
                None
            }
            Ok(re) => Some(re),
            Err(e) => {
                self.err(t.span(), format!("total_row: bad regular expression: {e}"));
                None
            }
        };
        if self.out.errors.len() > before {
            return None;
        }
        Some(TotalRow {
            column: column.to_string(),
            matches: matches?,
            sum: seen.iter().map(|s| s.to_string()).collect(),
        })
    }
}
