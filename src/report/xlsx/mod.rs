//! `errors.xlsx`: the rejected rows as accounting knows them, to fix and re-export.
//!
//! Sheet `Hatalar` repeats each rejected row with its original columns and types,
//! adds `Satır` (and `Dosya` when the rows come from several files or sheets) in
//! front and `Hata` at the end, and marks each bad cell with a fill and a note, so
//! the person fixing the export sees the problem where it is. Sheet `Özet`
//! ([`overview`]) holds the counts. The sheet and column names are the contract and
//! stay Turkish whatever the message language. How one value becomes one cell lives
//! in [`cells`].
//!
//! Strings are written with `write_string`, which stores a shared string that no
//! spreadsheet evaluates, so values appear exactly as the file held them; formula
//! neutralising is only needed for the CSV reports.

mod cells;
mod overview;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rust_xlsxwriter::{Color, Format, FormatAlign, RowNum, Workbook, Worksheet, XlsxError};

use self::cells::{HeaderIndex, Look, MAX_CELL_TEXT, Widths, col, fit, note, write_cell};
use self::overview::overview_sheet;
pub use self::overview::rule_counts;
#[cfg(test)]
use super::RejectedRow;
use super::atomic::write_atomically;
use super::shown::{ShownRow, ShownRows, ShownStats};
use super::{ReportError, Summary};
use crate::problem::Lang;
use crate::read::Cell;

/// The most rejected rows `Hatalar` shows; `errors.csv` always has them all. A person
/// reads the first few thousand rows of a report, not the hundred-thousandth, and the
/// rows wait on disk until the workbook is written (module `shown`), while its notes
/// and column widths are held in memory until then.
pub const XLSX_ROW_CAP: usize = 25_000;

/// How much `Hatalar` holds. Rows past `notes` get the fill and the `Hata` text but
/// no note: each note is a drawing object, and a sheet with hundreds of thousands of
/// them takes minutes to open (100,000 rows with two notes each make a 125 MB
/// drawing part).
#[derive(Debug, Clone, Copy)]
struct Caps {
    rows: usize,
    notes: usize,
}

const CAPS: Caps = Caps {
    rows: XLSX_ROW_CAP,
    notes: 1_000,
};

const MAX_COLUMNS: usize = 16_384;
/// Autofit measures every cell it is given; the first rows are enough to size columns.
const AUTOFIT_ROWS: RowNum = 1_000;
const HEADER_FILL: u32 = 0xD9E1F2;
/// Characters a line of the `Hata` column holds before it wraps.
const HATA_CHARS: usize = 90;
const BAD_FILL: u32 = 0xFFC7CE;

/// Writes `errors.xlsx` with the sheets `Hatalar` and `Özet`.
///
/// `shown` are the rows to show (at most [`XLSX_ROW_CAP`] are), as a run keeps them
/// ([`ShownRows`]); `rules` counts the problems of every rejected row, shown or not
/// (see [`rule_counts`]), and `summary.rejected` says how many there were. A `draft`
/// begun from these very rows is finished rather than written again.
pub fn write_errors_xlsx(
    draft: Option<Draft>,
    path: &Path,
    headers: &[String],
    shown: &ShownRows,
    rules: &[(&'static str, u64)],
    summary: &Summary,
    lang: Lang,
) -> Result<(), ReportError> {
    match draft.and_then(|d| d.take(shown)) {
        Some(workbook) => save(workbook?, path, shown, rules, summary, lang, CAPS),
        None => write_rows(path, headers, shown, rules, summary, lang, CAPS),
    }
}

/// The workbook of `rejected`, under `caps`.
#[cfg(test)]
fn write_capped(
    path: &Path,
    headers: &[String],
    rejected: &[RejectedRow],
    rules: &[(&'static str, u64)],
    summary: &Summary,
    lang: Lang,
    caps: Caps,
) -> Result<(), ReportError> {
    let shown = ShownRows::from_rows(&rejected[..rejected.len().min(caps.rows)], lang);
    write_rows(path, headers, &shown, rules, summary, lang, caps)
}

fn write_rows(
    path: &Path,
    headers: &[String],
    shown: &ShownRows,
    rules: &[(&'static str, u64)],
    summary: &Summary,
    lang: Lang,
    caps: Caps,
) -> Result<(), ReportError> {
    let workbook = errors_workbook(path, headers, shown, caps, &AtomicBool::new(false))?;
    save(workbook, path, shown, rules, summary, lang, caps)
}

/// A workbook with `Hatalar` written and `Özet` still empty (the counts come last). It
/// stops at the row it is on once `cancel` is set: its caller wants it no more.
fn errors_workbook(
    path: &Path,
    headers: &[String],
    shown: &ShownRows,
    caps: Caps,
    cancel: &AtomicBool,
) -> Result<Workbook, ReportError> {
    let layout = Layout::new(headers, shown.stats());
    if layout.width > MAX_COLUMNS {
        return Err(ReportError::TooManyColumns {
            path: path.to_path_buf(),
            columns: layout.width,
        });
    }
    let xlsx_error = xlsx_error(path);
    let mut workbook = Workbook::new();
    // The report is mostly repeated text: the fastest deflate level is a fifth of the
    // default's time for a file a little larger.
    workbook.set_zip_compression_level(1);
    // `Özet` first: the counts are what a person opening the file looks at first.
    workbook.add_worksheet();
    let ws = workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?;
    let rows = shown
        .iter()?
        .take(caps.rows)
        .take_while(|_| !cancel.load(Ordering::Relaxed))
        .map(|r| r.map(|(_, row)| row));
    errors_sheet(ws, headers, rows, &layout, caps).map_err(|e| match e {
        SheetError::Xlsx(source) => xlsx_error(source),
        SheetError::Rows(e) => e,
    })?;
    Ok(workbook)
}

/// The report error for a workbook failure on `path`.
fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> ReportError + Copy + '_ {
    move |source| ReportError::Xlsx {
        path: path.to_path_buf(),
        source,
    }
}

/// Fills `Özet` and writes the workbook to `path`.
fn save(
    mut workbook: Workbook,
    path: &Path,
    shown: &ShownRows,
    rules: &[(&'static str, u64)],
    summary: &Summary,
    lang: Lang,
    caps: Caps,
) -> Result<(), ReportError> {
    let xlsx_error = xlsx_error(path);
    let total = summary.rejected.max(shown.len() as u64);
    let source = shown.stats().single_source();
    overview_sheet(
        workbook.worksheet_from_index(0).map_err(xlsx_error)?,
        summary,
        total,
        rules,
        caps,
        source.as_deref(),
        lang,
    )
    .map_err(xlsx_error)?;
    write_atomically(path, |out| workbook.save_to_writer(out).map_err(xlsx_error))
}

/// `Hatalar` written on a thread of its own from the rows a run showed by the end of
/// its reading, while the run's last steps (the duplicate-key check, `errors.csv`) go
/// on: it is most of the workbook's time, and those steps keep one core only.
/// Duplicate keys found then add rows or problems; the draft is then of other rows
/// and is dropped (see [`write_errors_xlsx`]).
pub struct Draft {
    /// The scratch file the drafted rows come from.
    source: PathBuf,
    cancel: Arc<AtomicBool>,
    /// Taken by [`Draft::take`]; a draft dropped without it is cancelled.
    work: Option<std::thread::JoinHandle<Result<Workbook, ReportError>>>,
}

impl Drop for Draft {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("source", &self.source)
            .finish()
    }
}

impl Draft {
    /// Starts `Hatalar` for `path` from `view` (rows a spill has written so far).
    pub fn start(path: PathBuf, headers: Vec<String>, view: ShownRows) -> Option<Draft> {
        let source = view.path()?.to_path_buf();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        let work = std::thread::Builder::new()
            .name("aktar-errors-xlsx".into())
            .spawn(move || errors_workbook(&path, &headers, &view, CAPS, &stop))
            .ok()?;
        Some(Draft {
            source,
            cancel,
            work: Some(work),
        })
    }

    /// The workbook, if it was drafted from `shown`'s own rows; else the draft is
    /// stopped and waited for.
    fn take(mut self, shown: &ShownRows) -> Option<Result<Workbook, ReportError>> {
        let same = shown.path() == Some(self.source.as_path());
        if !same {
            self.cancel.store(true, Ordering::Relaxed);
        }
        let done = self
            .work
            .take()?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        same.then_some(done)
    }
}

/// Where each kind of column goes. Cells beyond the header (a ragged row) go after
/// `Hata`, so the contract columns keep their place and no value is dropped.
struct Layout {
    multi_file: bool,
    row_col: usize,
    first_cell_col: usize,
    hata_col: usize,
    width: usize,
}

impl Layout {
    fn new(headers: &[String], rows: &ShownStats) -> Layout {
        let multi_file = rows.multi_file;
        let row_col = usize::from(multi_file);
        let first_cell_col = row_col + 1;
        let hata_col = first_cell_col + headers.len();
        let extra = rows.widest.saturating_sub(headers.len());
        Layout {
            multi_file,
            row_col,
            first_cell_col,
            hata_col,
            width: hata_col + 1 + extra,
        }
    }

    fn cell_col(&self, index: usize, header_count: usize) -> usize {
        if index < header_count {
            self.first_cell_col + index
        } else {
            self.hata_col + 1 + (index - header_count)
        }
    }
}

/// Why `Hatalar` could not be written: the workbook, or the rows read back for it.
enum SheetError {
    Xlsx(XlsxError),
    Rows(ReportError),
}

impl From<XlsxError> for SheetError {
    fn from(e: XlsxError) -> SheetError {
        SheetError::Xlsx(e)
    }
}

pub(super) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
}

fn errors_sheet(
    ws: &mut Worksheet,
    headers: &[String],
    rows: impl Iterator<Item = Result<ShownRow, ReportError>>,
    layout: &Layout,
    caps: Caps,
) -> Result<(), SheetError> {
    ws.set_name("Hatalar")?;
    let header = header_format();
    let mut widths = Widths::new(AUTOFIT_ROWS, 320);
    let mut title = |ws: &mut Worksheet, c: usize, text: &str| -> Result<(), SheetError> {
        let c = col(c)?;
        // The header row carries the autofilter's arrows.
        widths.text(0, c, text, true);
        ws.write_string_with_format(0, c, text, &header)?;
        Ok(())
    };
    if layout.multi_file {
        title(ws, 0, "Dosya")?;
    }
    title(ws, layout.row_col, "Satır")?;
    for (j, name) in headers.iter().enumerate() {
        title(ws, layout.first_cell_col + j, &fit(name, MAX_CELL_TEXT))?;
    }
    title(ws, layout.hata_col, "Hata")?;

    let normal = Look::new(Format::new());
    let bad = Look::new(Format::new().set_background_color(Color::RGB(BAD_FILL)));
    let hata = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let index = HeaderIndex::new(headers);
    let mut last_row: RowNum = 0;
    for (i, rejected) in rows.enumerate() {
        let rejected = rejected.map_err(SheetError::Rows)?;
        let row = RowNum::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        last_row = row;
        if layout.multi_file {
            let label = rejected.label();
            widths.text(row, 0, &label, false);
            ws.write_string(row, 0, label)?;
        }
        // Excel's row numbers stay far below 2^53, so the conversion is exact.
        widths.number(row, col(layout.row_col)?, rejected.row as f64);
        ws.write_number(row, col(layout.row_col)?, rejected.row as f64)?;

        let mut lines = Vec::with_capacity(rejected.errors.len());
        let mut bad_cells: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for error in rejected.errors {
            // A required_if message names its own column ("… Vergi No zorunludur").
            lines.push(if error.column.is_empty() || error.names_itself {
                error.message.clone()
            } else {
                format!("{}: {}", error.column, error.message)
            });
            if let Some(j) = index.find(&error.column) {
                bad_cells.entry(j).or_default().push(error.message);
            }
        }

        for (j, cell) in rejected.cells.iter().enumerate() {
            let look = if bad_cells.contains_key(&j) {
                &bad
            } else {
                &normal
            };
            let c = col(layout.cell_col(j, headers.len()))?;
            widths.cell(row, c, cell);
            write_cell(ws, row, c, cell, look)?;
        }
        for (&j, messages) in &bad_cells {
            let c = col(layout.cell_col(j, headers.len()))?;
            // An empty or missing cell still gets the fill: "required" is the most
            // common problem, and an unmarked blank is easy to miss.
            if matches!(rejected.cells.get(j), None | Some(Cell::Empty)) {
                ws.write_blank(row, c, &bad.text)?;
            }
            if i < caps.notes {
                ws.insert_note(row, c, &note(messages))?;
            }
        }
        // Neither Excel nor LibreOffice grows a row for wrapped text written by a
        // program, so the row is given the height of its lines.
        let visual_lines: usize = lines
            .iter()
            .map(|l| l.chars().count().div_ceil(HATA_CHARS).max(1))
            .sum();
        if visual_lines > 1 {
            ws.set_row_height(row, 15.0 * visual_lines as f64)?;
        }
        let text = lines.join("\n");
        let text = fit(&text, MAX_CELL_TEXT);
        widths.text(row, col(layout.hata_col)?, &text, false);
        ws.write_string_with_format(row, col(layout.hata_col)?, text, &hata)?;
    }

    ws.set_freeze_panes(1, col(layout.first_cell_col)?)?;
    // On paper: landscape, one page wide, the header on every page.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.autofilter(0, 0, last_row, col(layout.width.saturating_sub(1))?)?;
    widths.apply(ws)?;
    ws.set_column_width(col(layout.hata_col)?, HATA_CHARS as f64 + 5.0)?;
    Ok(())
}

#[cfg(test)]
mod tests;
