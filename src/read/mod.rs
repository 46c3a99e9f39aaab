//! Readers: every input file becomes a header plus a stream of [`Row`]s.
//!
//! A row keeps the position a person would look for in Excel or a text editor
//! (the header is row 1 when it is the first line), so that every later message can
//! point at it. Readers stream: memory does not grow with the file.
//!
//! [`open`] decides the format from the extension, checked against the first bytes
//! (a text export renamed `.xlsx` is refused with its name rather than misread).
//! Each format yields raw rows (`delimited`, `sheet`); `header` finds the header and
//! `records` shapes the rows under it the same way for all of them.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

mod batch;
mod cells;
mod corrected;
mod delimited;
mod encoding;
mod header;
mod lines;
mod mojibake;
mod records;
mod row;
mod sheet;
mod sniff;
mod split;
mod stream;

pub use batch::{Batch, RecordStream, TextBatch, TextCells, TextRow};
pub use corrected::SOURCE_LABELS as CORRECTED_SOURCE_LABELS;
pub use header::find_column;
pub use row::{Cell, Row, SourcePos};

use sheet::Book;

/// What the mapping's `[source]` table asks of a reader.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    pub encoding: EncodingChoice,
    /// `None`: sniffed among `;` `,` TAB `|` (TAB for `.tsv`).
    pub delimiter: Option<u8>,
    /// 1-based row of the header (the first non-blank row from there on). `None`: the
    /// first of the first 50 non-blank rows that holds every one of
    /// `expected_columns`, else the first non-blank row.
    pub header_row: Option<u64>,
    pub sheet: Option<SheetSel>,
    /// Where the mapping names the sheet (`m.toml:7:9`), for the message when the
    /// workbook lacks it.
    pub sheet_at: Option<String>,
    pub skip_if: Vec<SkipIf>,
    /// The columns the mapping reads, as written in the mapping (used for header
    /// detection; the missing-column check is the caller's).
    pub expected_columns: Vec<String>,
}

/// The encoding of a delimited file. A byte-order mark always wins: it cannot be
/// mistaken for text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EncodingChoice {
    /// UTF-8 if the first MiB is valid UTF-8, else Windows-1254.
    #[default]
    Auto,
    Utf8,
    Windows1254,
    /// Read as Windows-1254, its superset (as `encoding_rs` does).
    Iso8859_9,
    /// Little-endian unless a byte-order mark says otherwise.
    Utf16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetSel {
    /// Exact name, else one that differs only in case, spacing or Turkish i.
    Name(String),
    /// 0-based, in workbook order (hidden sheets count). Without a `SheetSel` the
    /// first visible worksheet is read.
    Index(usize),
}

/// Rows whose `column` matches `matches` are skipped (e.g. a trailing `TOPLAM` row).
#[derive(Debug, Clone)]
pub struct SkipIf {
    pub column: String,
    pub matches: regex::Regex,
}

/// One item of a table's stream.
#[derive(Debug, Clone)]
pub enum Record {
    Data(Row),
    /// A row that `skip_if` matched. Kept so that control totals can read it.
    Skipped(Row),
}

/// An opened input: header and a stream of records. Blank rows never appear.
pub struct Table {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    pub headers: Vec<String>,
    pub header_row: u64,
    /// What a person should know about how the file was read (encoding guessed,
    /// text that looks like mojibake, …).
    pub warnings: Vec<String>,
    /// A corrected `errors.xlsx` read by its own layout (module `corrected`): its few
    /// rows are no measure for the drift guard, and it has no total row.
    pub corrected: bool,
    pub records: RecordStream,
}

/// A file that cannot be read. These stop the run before anything is sent (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}: cannot open: {source}")]
    Open {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: read error near row {row}: {message}")]
    Io {
        file: String,
        row: u64,
        message: String,
    },
    #[error("{file}: not a readable {kind} file: {message}")]
    NotReadable {
        file: String,
        kind: &'static str,
        message: String,
    },
    #[error("{file}: the file is empty (no header row)")]
    Empty { file: String },
    #[error("{file}: no sheet {wanted}; the workbook has: {available}{named_at}")]
    NoSheet {
        file: String,
        wanted: String,
        available: String,
        /// ` (the mapping's [source] sheet, at m.toml:7:9)`, or empty.
        named_at: String,
    },
    #[error(
        "{file}: row {row} has {fields} fields, more than the {max} columns a spreadsheet holds; is the file missing its line breaks, or is the delimiter wrong?"
    )]
    TooWide {
        file: String,
        row: u64,
        fields: usize,
        max: usize,
    },
    #[error("{file}: header row {row} is past the end of the file")]
    NoHeaderRow { file: String, row: u64 },
    #[error("{file}: skip_if column `{column}` is not in the header; the file has: {available}")]
    SkipColumn {
        file: String,
        column: String,
        available: String,
    },
}

/// How many leading bytes decide what a file really is.
const MAGIC_LEN: u64 = 128;

/// Opens `path` as the table `opts` describes: header found, records streaming.
pub fn open(path: &Path, opts: &SourceOptions) -> Result<Table, ReadError> {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let mut file = File::open(path).map_err(|source| ReadError::Open {
        file: name.to_string(),
        source,
    })?;
    // A directory opens but cannot be read: that is still "cannot open".
    let io_error = |source: std::io::Error| ReadError::Open {
        file: name.to_string(),
        source,
    };
    let mut head = Vec::with_capacity(MAGIC_LEN as usize);
    file.by_ref()
        .take(MAGIC_LEN)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    if head.is_empty() {
        return Err(ReadError::Empty {
            file: name.to_string(),
        });
    }
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let source = match route(ext.as_deref(), &head) {
        Route::Delimited { tab } => delimited::open(file, name, opts, tab)?,
        Route::Sheet(book) => {
            match sheet::open(file, name, book, opts).map_err(|e| sheet_named_at(e, opts))? {
                (source, None) => source,
                (source, Some(report)) => return corrected::assemble(source, report),
            }
        }
        Route::Mismatch { kind, message } => {
            return Err(ReadError::NotReadable {
                file: name.to_string(),
                kind,
                message,
            });
        }
    };
    header::assemble(source, opts)
}

/// A sheet the workbook lacks is a mistake in the mapping as much as in the file: the
/// message says where the mapping names it.
fn sheet_named_at(e: ReadError, opts: &SourceOptions) -> ReadError {
    match (e, &opts.sheet_at) {
        (
            ReadError::NoSheet {
                file,
                wanted,
                available,
                ..
            },
            Some(at),
        ) => ReadError::NoSheet {
            file,
            wanted,
            available,
            named_at: format!(" (the mapping's [source] sheet, at {at})"),
        },
        (e, _) => e,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Route {
    Delimited { tab: bool },
    Sheet(Book),
    Mismatch { kind: &'static str, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    /// A zip container: XLSX, XLSM, XLSB or ODS.
    Zip,
    /// An OLE compound file: XLS.
    Ole,
    Other,
}

impl Magic {
    fn of(head: &[u8]) -> Magic {
        if head.starts_with(b"PK\x03\x04") {
            Magic::Zip
        } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            Magic::Ole
        } else {
            Magic::Other
        }
    }
}

/// The extension says what the user expects; the first bytes say what the file is.
/// Among spreadsheet formats the content decides (an XLSX saved as `.xls` still
/// reads); a spreadsheet named as text, or text named as a spreadsheet, is refused.
fn route(ext: Option<&str>, head: &[u8]) -> Route {
    let magic = Magic::of(head);
    let zip_book = |ext: Option<&str>| {
        // An ODS zip stores its uncompressed `mimetype` entry first.
        if head.get(30..).is_some_and(|h| {
            h.starts_with(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet")
        }) {
            Book::Ods
        } else if ext == Some("xlsb") {
            Book::Xlsb
        } else {
            Book::Xlsx
        }
    };
    match ext {
        Some(e @ ("csv" | "txt" | "tsv")) => match magic {
            Magic::Other => Route::Delimited { tab: e == "tsv" },
            Magic::Zip | Magic::Ole => Route::Mismatch {
                kind: "text",
                message: format!(
                    "the file is a spreadsheet, not .{e} text; rename it to its real \
                     extension (.xlsx, .xls or .ods)"
                ),
            },
        },
        Some(e @ ("xlsx" | "xlsm" | "xlsb" | "xls" | "ods")) => match magic {
            Magic::Zip => Route::Sheet(zip_book(Some(e))),
            Magic::Ole => Route::Sheet(Book::Xls),
            Magic::Other => Route::Mismatch {
                kind: match e {
                    "xls" => "XLS",
                    "ods" => "ODS",
                    "xlsb" => "XLSB",
                    _ => "XLSX",
                },
                message: not_a_spreadsheet(head),
            },
        },
        _ => match magic {
            Magic::Zip => Route::Sheet(zip_book(ext)),
            Magic::Ole => Route::Sheet(Book::Xls),
            Magic::Other => Route::Delimited { tab: false },
        },
    }
}

fn not_a_spreadsheet(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(head);
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let start = start.to_ascii_lowercase();
    if ["<!doctype html", "<html", "<table"]
        .iter()
        .any(|tag| start.starts_with(tag))
    {
        "the content is an HTML page, not a spreadsheet (some ERPs export HTML under a \
         spreadsheet name); open it in Excel and save it as .xlsx, or export CSV"
            .to_owned()
    } else if start.starts_with("<?xml") {
        "the content is XML (perhaps an Excel 2003 XML spreadsheet), which cannot be read; \
         open it in Excel and save it as .xlsx"
            .to_owned()
    } else {
        "the content is not a spreadsheet; if it is a CSV or text export, rename it .csv".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_missing_file_cannot_be_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("yok.csv");
        match open(&path, &SourceOptions::default()) {
            Err(ReadError::Open { file, source }) => {
                assert_eq!(file, path.display().to_string());
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            _ => panic!("expected Open"),
        }
    }

    #[test]
    fn empty_and_blank_files_are_empty() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("bos.csv", &b""[..]),
            ("bos.xlsx", b""),
            ("bosluk.csv", b"\n ; \r\n;;\n"),
            ("bom.csv", b"\xEF\xBB\xBF"),
        ] {
            let path = write(&dir, name, bytes);
            assert!(
                matches!(
                    open(&path, &SourceOptions::default()),
                    Err(ReadError::Empty { .. })
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn the_table_names_the_file_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "a.csv", b"Kod\n1\n");
        let mut t = open(&path, &SourceOptions::default()).unwrap();
        assert_eq!(&*t.file, path.display().to_string());
        assert_eq!(t.sheet, None);
        let Some(Ok(Record::Data(row))) = t.records.next() else {
            panic!("one data row expected");
        };
        assert_eq!(row.pos.file, t.file);
    }

    #[test]
    fn content_that_contradicts_the_extension_is_not_readable() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str, &str); 3] = [
            ("cariler.xlsx", b"Kod;Ad\n1;Ali\n", "XLSX", "rename it .csv"),
            (
                "cariler.xls",
                b"<html><table><tr><td>1</td></tr></table></html>",
                "XLS",
                "HTML",
            ),
            (
                "cariler.csv",
                b"PK\x03\x04rest of a zip",
                "text",
                "spreadsheet",
            ),
        ];
        for (name, bytes, want_kind, hint) in cases {
            let path = write(&dir, name, bytes);
            match open(&path, &SourceOptions::default()) {
                Err(e @ ReadError::NotReadable { kind, .. }) => {
                    assert_eq!(kind, want_kind);
                    let text = e.to_string();
                    assert!(text.contains(name) && text.contains(hint), "{text}");
                }
                other => panic!("{name}: expected NotReadable, got {:?}", other.err()),
            }
        }
    }

    #[test]
    fn a_directory_cannot_be_opened() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(dir.path(), &SourceOptions::default()).err();
        assert!(matches!(err, Some(ReadError::Open { .. })), "{err:?}");
    }

    #[test]
    fn xml_named_xls_is_explained() {
        let message = not_a_spreadsheet(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><Workbook>");
        assert!(message.contains("XML"), "{message}");
        assert!(not_a_spreadsheet(b"  <HTML><body>").contains("HTML"));
    }

    #[test]
    fn routes_by_extension_checked_against_content() {
        let zip = b"PK\x03\x04";
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        let mut ods = b"PK\x03\x04".to_vec();
        ods.resize(30, 0);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");

        assert_eq!(route(Some("csv"), b"a;b"), Route::Delimited { tab: false });
        assert_eq!(route(Some("tsv"), b"a\tb"), Route::Delimited { tab: true });
        assert_eq!(route(Some("xlsx"), zip), Route::Sheet(Book::Xlsx));
        assert_eq!(route(Some("xlsm"), zip), Route::Sheet(Book::Xlsx));
        assert_eq!(route(Some("xlsb"), zip), Route::Sheet(Book::Xlsb));
        assert_eq!(route(Some("ods"), &ods), Route::Sheet(Book::Ods));
        assert_eq!(route(Some("xls"), &ole), Route::Sheet(Book::Xls));
        // Among spreadsheets the content decides.
        assert_eq!(route(Some("xls"), zip), Route::Sheet(Book::Xlsx));
        assert_eq!(route(Some("xlsx"), &ods), Route::Sheet(Book::Ods));
        // Unknown extensions are sniffed.
        assert_eq!(route(None, zip), Route::Sheet(Book::Xlsx));
        assert_eq!(route(Some("dat"), &ods), Route::Sheet(Book::Ods));
        assert_eq!(route(Some("dat"), &ole), Route::Sheet(Book::Xls));
        assert_eq!(route(Some("dat"), b"a;b"), Route::Delimited { tab: false });
        assert!(matches!(
            route(Some("ods"), b"a;b"),
            Route::Mismatch { kind: "ODS", .. }
        ));
    }

    #[test]
    fn extensions_are_case_insensitive() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "A.CSV", b"x,y\n1,2\n");
        let t = open(&path, &SourceOptions::default()).unwrap();
        assert_eq!(t.headers, ["x", "y"]);
    }
}
