//! The reports a run leaves behind in the report directory: `errors.csv`,
//! `errors.xlsx`, `sent.csv`, `failed.csv`, `uncertain.csv`, `summary.json` and, on a
//! dry run, `payloads.jsonl`.
//!
//! The writers take plain data ([`RejectedRow`], [`SentRow`], [`FailedRow`], [`UncertainRow`],
//! [`Summary`]) rather than pipeline types, so every other stage only has to collect
//! rows and the report formats can change without touching them. Each file is written
//! under a temporary name and renamed into place when complete (module `atomic`), so a
//! run killed mid-report never leaves a file that looks finished but is not. Anything
//! that a spreadsheet may open goes through [`neutralize`] first: these files go back
//! to accounting, and a value from an ERP export must never run as a formula there.

mod atomic;
mod csv_files;
pub mod folder;
mod payloads;
mod rejects;
mod shown;
mod summary;
mod xlsx;

use std::borrow::Cow;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::problem::RowError;
use crate::read::{Cell, SourcePos};

pub use csv_files::{
    SentLog, write_errors_csv, write_failed_csv, write_sent_csv, write_uncertain_csv,
};
pub use payloads::{PayloadWriter, line as payload_line};
pub use rejects::{Rejects, RejectsDone};
pub use shown::{ShownRow, ShownRows};
pub use summary::write_summary_json;
pub use xlsx::{Draft, XLSX_ROW_CAP, rule_counts, write_errors_xlsx};

/// A rejected row with its original cells (in header order) and every problem found on it.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    pub pos: SourcePos,
    pub cells: Vec<Cell>,
    pub errors: Vec<RowError>,
}

/// The counts of one run, written as `summary.json` with exactly these keys in this
/// order, and printed by `--json`. In a sending run every valid row is in one bucket:
/// `valid = sent + unchanged + failed + uncertain + held`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub rows: u64,
    pub valid: u64,
    pub rejected: u64,
    pub sent: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub uncertain: u64,
    /// Valid rows a sending run did not send because it stopped before sending: a file
    /// guard (drift, control totals) or an interruption while reading.
    #[serde(default)]
    pub held: u64,
    /// Why they were held (`None` when nothing was).
    #[serde(default)]
    pub held_reason: Option<String>,
    pub skipped: u64,
    pub duration_ms: u64,
    pub dry_run: bool,
}

/// A row the provider accepted (`sent.csv`), with its own number for it when the
/// answer gave one.
#[derive(Debug, Clone, PartialEq)]
pub struct SentRow {
    pub pos: SourcePos,
    pub key: String,
    pub http_status: u16,
    pub provider_ref: Option<String>,
}

/// A valid row the provider refused or could not be reached for (`failed.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct FailedRow {
    pub pos: SourcePos,
    pub key: String,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub message: String,
}

/// A non-idempotent send whose outcome is unknown (`uncertain.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainRow {
    pub pos: SourcePos,
    pub key: String,
    pub message: String,
}

/// A report that could not be written. Every variant names the file it was writing.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: cannot write: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot write CSV: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{}: cannot write XLSX: {source}", path.display())]
    Xlsx {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("{}: cannot write JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: the rows have {columns} columns; a worksheet holds at most 16384", path.display())]
    TooManyColumns { path: PathBuf, columns: usize },
    #[error("{}: not a file name", path.display())]
    NotAFile { path: PathBuf },
}

/// Text safe to put in a spreadsheet cell: a value starting with `=`, `+`, `-`, `@`
/// (or TAB/CR) gets a leading `'` so Excel/LibreOffice do not run it as a formula —
/// except a plain number such as `-9.440,00`, `-12.5` or `+5`, which stays as it is.
///
/// Negative amounts are everywhere in accounting exports; quoting them would make
/// every credit line in `errors.csv` read as text, while a bare signed number can
/// never be a formula.
pub fn neutralize(s: &str) -> Cow<'_, str> {
    let risky = match s.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(&s[1..]),
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Digits with `.`/`,` separators in either convention, nothing else.
fn is_plain_number(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

/// The `file` column of every report: the path, with `#Sheet` appended when the row
/// came from a spreadsheet sheet, so one column is enough to find the row again.
pub(crate) fn file_label(pos: &SourcePos) -> Cow<'_, str> {
    label(&pos.file, pos.sheet.as_deref())
}

/// [`file_label`] of a file and sheet held apart from a position.
pub(crate) fn label<'a>(file: &'a str, sheet: Option<&str>) -> Cow<'a, str> {
    match sheet {
        Some(sheet) => Cow::Owned(format!("{file}#{sheet}")),
        None => Cow::Borrowed(file),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use crate::read::SourcePos;

    pub(crate) fn pos(file: &str, sheet: Option<&str>, row: u64) -> SourcePos {
        SourcePos {
            file: Arc::from(file),
            sheet: sheet.map(Arc::from),
            row,
        }
    }

    /// The file's text without its UTF-8 BOM; fails the test when the BOM is missing.
    pub(crate) fn read_bom_text(path: &std::path::Path) -> String {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{} has no UTF-8 BOM",
            path.display()
        );
        String::from_utf8(bytes[3..].to_vec()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::pos;
    use super::*;

    #[test]
    fn formulas_and_commands_get_a_quote() {
        assert_eq!(neutralize("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralize("@cmd"), "'@cmd");
        assert_eq!(neutralize("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
        assert_eq!(neutralize("-2+3"), "'-2+3");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("\rx"), "'\rx");
        assert_eq!(neutralize("-"), "'-");
    }

    #[test]
    fn plain_numbers_and_ordinary_text_stay() {
        for s in [
            "-9.440,00",
            "-12.5",
            "+5",
            "1.234,56",
            "ACME A.Ş.",
            "",
            "a=b",
        ] {
            assert!(matches!(neutralize(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn file_label_appends_the_sheet() {
        assert_eq!(file_label(&pos("a.csv", None, 2)), "a.csv");
        assert_eq!(file_label(&pos("b.xlsx", Some("Ocak"), 2)), "b.xlsx#Ocak");
    }
}
