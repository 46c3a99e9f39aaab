//! The rejected rows `errors.xlsx` shows, kept on disk rather than in memory.
//!
//! A run keeps up to [`XLSX_ROW_CAP`](super::XLSX_ROW_CAP) rejected rows for the
//! workbook, with every cell. Held in memory they would make a run's peak grow with
//! the number of rejected rows (about 0.8 KB each); instead each one goes to a scratch
//! file beside `errors.csv`, its problems already worded, and the workbook reads them
//! back in file order. The scratch file is removed when the [`ShownRows`] that owns it
//! is dropped.
//!
//! A row is written as its fields in order, each text behind its length (module
//! `codec`): read back with no parsing, which as JSON lines took a quarter of the time
//! the workbook's rows took to write.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::atomic::io_error;
use super::{RejectedRow, ReportError};
use crate::problem::{Lang, Problem, RowError};
use crate::read::Cell;

mod codec;

/// Where a rejected row sits: input index and row number.
pub type At = (usize, u64);

/// A rejected row as `errors.xlsx` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownRow {
    pub file: String,
    pub sheet: Option<String>,
    pub row: u64,
    pub cells: Vec<Cell>,
    pub errors: Vec<ShownError>,
}

/// One problem of a shown row, worded in the report's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownError {
    /// The column as the file names it, or empty for the row as a whole.
    pub column: String,
    pub message: String,
    /// The message names its own column (`required_if`), so `Hata` shows it alone.
    pub names_itself: bool,
}

impl ShownRow {
    pub fn of(row: &RejectedRow, lang: Lang) -> ShownRow {
        ShownRow {
            file: row.pos.file.to_string(),
            sheet: row.pos.sheet.as_deref().map(str::to_owned),
            row: row.pos.row,
            cells: row.cells.clone(),
            errors: row.errors.iter().map(|e| ShownError::of(e, lang)).collect(),
        }
    }

    /// `file`, or `file#Sheet` for spreadsheets.
    pub fn label(&self) -> String {
        super::label(&self.file, self.sheet.as_deref()).into_owned()
    }
}

impl ShownError {
    pub fn of(e: &RowError, lang: Lang) -> ShownError {
        ShownError {
            column: e.column.clone(),
            message: e.problem.message(lang),
            names_itself: matches!(e.problem, Problem::RequiredIf { .. }),
        }
    }
}

/// What the workbook must know of its rows before it writes the first one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShownStats {
    pub rows: usize,
    /// File and sheet of the first row.
    pub first: Option<(String, Option<String>)>,
    /// The rows come from more than one file or sheet.
    pub multi_file: bool,
    /// The most cells a row has.
    pub widest: usize,
}

impl ShownStats {
    pub fn add(&mut self, row: &ShownRow) {
        self.rows += 1;
        self.widest = self.widest.max(row.cells.len());
        match &self.first {
            None => self.first = Some((row.file.clone(), row.sheet.clone())),
            Some((file, sheet)) => {
                self.multi_file |= *file != row.file || *sheet != row.sheet;
            }
        }
    }

    /// The label of the file every row comes from, when there is one such file.
    pub fn single_source(&self) -> Option<String> {
        let (file, sheet) = self.first.as_ref().filter(|_| !self.multi_file)?;
        Some(super::label(file, sheet.as_deref()).into_owned())
    }
}

/// Rows written to a scratch file as they come, each behind its place in the run.
pub struct ShownSpill {
    path: PathBuf,
    /// The report the rows are for, named in errors.
    report: PathBuf,
    out: BufWriter<File>,
    stats: ShownStats,
}

impl ShownSpill {
    pub fn create(path: PathBuf, report: &Path) -> Result<ShownSpill, ReportError> {
        let file = File::create(&path).map_err(|e| io_error(report, e))?;
        Ok(ShownSpill {
            path,
            report: report.to_path_buf(),
            out: BufWriter::new(file),
            stats: ShownStats::default(),
        })
    }

    pub fn rows(&self) -> usize {
        self.stats.rows
    }

    pub fn push(&mut self, at: At, row: &ShownRow) -> Result<(), ReportError> {
        self.stats.add(row);
        codec::write(&mut self.out, at, row).map_err(|e| io_error(&self.report, e))
    }

    /// The rows written, ready to be read back; the file is theirs from now on.
    pub fn finish(&mut self) -> Result<ShownRows, ReportError> {
        self.out.flush().map_err(|e| io_error(&self.report, e))?;
        Ok(ShownRows {
            stats: std::mem::take(&mut self.stats),
            path: Some(std::mem::take(&mut self.path)),
            report: std::mem::take(&mut self.report),
            memory: Vec::new(),
            owned: true,
        })
    }

    /// The rows written so far, to be read while this spill still owns the file (and
    /// writes no more to it).
    pub fn view(&mut self) -> Result<ShownRows, ReportError> {
        self.out.flush().map_err(|e| io_error(&self.report, e))?;
        Ok(ShownRows {
            stats: self.stats.clone(),
            path: Some(self.path.clone()),
            report: self.report.clone(),
            memory: Vec::new(),
            owned: false,
        })
    }
}

impl Drop for ShownSpill {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The rows `errors.xlsx` shows, in file order: in a scratch file for a run, or in
/// memory for rows given directly.
#[derive(Debug, Default)]
pub struct ShownRows {
    stats: ShownStats,
    path: Option<PathBuf>,
    report: PathBuf,
    memory: Vec<ShownRow>,
    /// The scratch file is removed with these rows (not with a [`ShownSpill::view`]).
    owned: bool,
}

impl ShownRows {
    /// Rows held in memory, worded in `lang`.
    pub fn from_rows(rows: &[RejectedRow], lang: Lang) -> ShownRows {
        let mut stats = ShownStats::default();
        let memory: Vec<ShownRow> = rows.iter().map(|r| ShownRow::of(r, lang)).collect();
        memory.iter().for_each(|r| stats.add(r));
        ShownRows {
            stats,
            memory,
            path: None,
            report: PathBuf::new(),
            owned: false,
        }
    }

    pub fn stats(&self) -> &ShownStats {
        &self.stats
    }

    /// The scratch file the rows are read from, if they are on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn len(&self) -> usize {
        self.stats.rows
    }

    pub fn is_empty(&self) -> bool {
        self.stats.rows == 0
    }

    /// Each row with its place in the run (`(0, 0)` for rows held in memory).
    pub fn iter(&self) -> Result<ShownIter<'_>, ReportError> {
        let file = match &self.path {
            Some(path) => {
                let file = File::open(path).map_err(|e| io_error(&self.report, e))?;
                Some(BufReader::new(file))
            }
            None => None,
        };
        Ok(ShownIter {
            rows: self,
            file,
            next: 0,
        })
    }
}

impl Drop for ShownRows {
    fn drop(&mut self) {
        if let Some(path) = self.path.as_ref().filter(|_| self.owned) {
            let _ = std::fs::remove_file(path);
        }
    }
}

pub struct ShownIter<'a> {
    rows: &'a ShownRows,
    file: Option<BufReader<File>>,
    next: usize,
}

impl Iterator for ShownIter<'_> {
    type Item = Result<(At, ShownRow), ReportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let Some(file) = &mut self.file else {
            let row = self.rows.memory.get(self.next)?;
            self.next += 1;
            return Some(Ok(((0, 0), row.clone())));
        };
        codec::read(file)
            .map_err(|e| io_error(&self.rows.report, e))
            .transpose()
    }
}
