//! The validating half of a run, shared by the dry run and the sending run:
//! read every input → map → validate (rayon, in file order) → collect.
//!
//! Valid requests stream to a spill file in the report folder (payloads.jsonl's
//! format) so memory stays flat; only rejected rows, which go to `errors.xlsx` with
//! their cells, and 24 bytes per row (a digest of its key and its position) stay in
//! memory. Two rows with the same key are both rejected: the digests are sorted once
//! at the end, and the rows of a repeated key are taken out of the spill (their cells
//! fetched back from the file for the report) — before anything is sent.
//!
//! Each input is read on a thread of its own, one bounded channel ahead of validation.
//! That thread ending is not the end of the file unless it ended well: a reader that
//! panics stops the run like a read error, so a truncated export is never taken for a
//! complete one. A stop (Ctrl-C, SIGTERM) ends reading at the next batch; what was
//! read is still reported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

use crate::mapping::Mapping;
use crate::problem::{Problem, RowError};
use crate::read::{self, ReadError, Row, SourcePos, Table};
use crate::report::{PayloadWriter, RejectedRow, Rejects, RejectsDone, ReportError};
use crate::validate::{self, Plan};
#[cfg(test)]
use batches::BATCH;
use batches::{Bound, Window, read_ahead};
use controls::{add_to_totals, control_columns, number, quoted, total_column_missing};
use digests::{Digests, KeyLog, Seen};

/// An input opened and bound to the mapping.
pub struct Input {
    pub path: PathBuf,
    pub table: Table,
    pub binding: Vec<usize>,
    /// Control totals: the total row's column and the summed columns, as indexes.
    pub control: Option<(usize, Vec<usize>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{file} is given twice; each input is read once")]
    Repeated { file: String },
    #[error("{file}: missing column(s) {missing}; the file has: {available}")]
    MissingColumns {
        file: String,
        missing: String,
        available: String,
    },
    #[error(
        "{file}: the mapping's total_row reads {missing}, which the file lacks (the control totals cannot be checked); the file has: {available}"
    )]
    MissingTotalColumns {
        file: String,
        missing: String,
        available: String,
    },
}

/// Opens every input and checks its header before any row is read, so a wrong file
/// stops the run before anything is sent.
pub fn open_inputs(m: &Mapping, paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let canonical = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if !seen.insert(canonical) {
            return Err(InputError::Repeated {
                file: p.display().to_string(),
            });
        }
    }
    paths
        .iter()
        .map(|p| {
            let table = read::open(p, &m.source).map_err(|e| total_column_missing(m, e))?;
            let binding = m
                .bind(&table.headers)
                .map_err(|missing| InputError::MissingColumns {
                    file: table.file.to_string(),
                    missing: quoted(&missing),
                    available: quoted(table.headers.iter().filter(|h| !h.trim().is_empty())),
                })?;
            let control = control_columns(m, &table)?;
            Ok(Input {
                path: p.clone(),
                table,
                binding,
                control,
            })
        })
        .collect()
}

/// What the validating half produced.
pub struct Collected {
    pub rows: u64,
    pub skipped: u64,
    pub valid: u64,
    /// The rejected rows (`errors.csv` is written by now).
    pub rejected: RejectsDone,
    /// The header the rejected rows' cells are laid out in (all inputs' columns).
    pub headers: Vec<String>,
    /// JSON lines of the valid requests, in file order (payloads.jsonl's format).
    pub spill: PathBuf,
    /// Rows read through `skip_if` (e.g. a `TOPLAM` line), kept for control totals.
    pub skipped_rows: Vec<Row>,
    pub warnings: Vec<String>,
    /// True when `--limit` stopped the reading early.
    pub limited: bool,
    /// True when a stop (Ctrl-C, SIGTERM) ended the reading early.
    pub interrupted: bool,
    /// One per input, when the mapping names a total row.
    pub controls: Vec<ControlTotals>,
}

/// The sums of a file's control columns over its data rows, and what its total row says.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlTotals {
    pub file: String,
    /// Per summed column: name, sum of the readable cells, cells that were not numbers.
    pub sums: Vec<(String, Decimal, u64)>,
    /// The total row's values in the same order (`None`: no total row, or not a number).
    pub expected: Option<Vec<Option<Decimal>>>,
}

impl ControlTotals {
    /// Nothing summed yet over `cols` of `table`.
    fn new(table: &Table, cols: &[usize]) -> ControlTotals {
        ControlTotals {
            file: table.file.to_string(),
            sums: cols
                .iter()
                .map(|&c| {
                    let name = table.headers.get(c).cloned().unwrap_or_default();
                    (name, Decimal::ZERO, 0)
                })
                .collect(),
            expected: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{path}: {source}")]
    Spill {
        path: String,
        source: std::io::Error,
    },
    #[error("{file}: reading stopped unexpectedly ({message}); the file was not read to its end")]
    ReaderDied { file: String, message: String },
}

/// What is remembered of each input while its rows stream.
struct FileInfo {
    path: PathBuf,
    pos: SourcePos,
    column_map: Vec<usize>,
    /// The header of the key's column when the key is one column (duplicates are
    /// marked on it), else empty: the problem is the row's.
    key_column: String,
}

/// Where a run's files go and how it speaks.
pub struct Sinks<'a> {
    /// Valid requests, in payloads.jsonl's format.
    pub spill: &'a Path,
    pub errors_csv: &'a Path,
    pub lang: crate::problem::Lang,
}

/// Reads, validates and collects every input. `base_url` prefixes request paths;
/// reading ends early at `limit` rows or when `stop` is cancelled; `progress` is
/// called after each batch with (rows, rejected).
pub fn collect(
    m: &Mapping,
    inputs: Vec<Input>,
    base_url: &str,
    sinks: &Sinks<'_>,
    limit: Option<u64>,
    stop: &CancellationToken,
    mut progress: impl FnMut(u64, u64),
) -> Result<Collected, PipelineError> {
    let headers = union_headers(&inputs);
    let mut c = Collector::new(m, sinks, headers)?;
    let plan = Plan::new(m, base_url);
    // Rows taken so far, over all inputs (`--limit` counts them all).
    let mut taken = 0u64;
    for (file_idx, input) in inputs.into_iter().enumerate() {
        if stop.is_cancelled() {
            c.out.interrupted = true;
            break;
        }
        let Input {
            path,
            table,
            binding,
            control,
        } = input;
        let mut totals = control
            .as_ref()
            .map(|(_, cols)| ControlTotals::new(&table, cols));
        c.out.warnings.extend(table.warnings.iter().cloned());
        let column_map = remap(&table.headers, &c.out.headers);
        let headers = table.headers.clone();
        c.files.push(FileInfo {
            path,
            pos: SourcePos {
                file: table.file.clone(),
                sheet: table.sheet.clone(),
                row: 0,
            },
            column_map: column_map.clone(),
            key_column: key_column(m, &binding, &headers),
        });
        let file_name = table.file.to_string();
        let (rx, reader) = read_ahead(table.records, &file_name)?;
        let bound = Bound {
            file_idx,
            binding: &binding,
            headers: &headers,
            column_map: &column_map,
            control: control.as_ref(),
            totals: totals.as_mut(),
        };
        let window = Window {
            limit,
            taken: &mut taken,
            stop,
            progress: &mut progress,
        };
        c.stream(m, &plan, bound, rx, window)?;
        // Stopped early, the reader ends at its next send now that the receiver is
        // gone, and how it ends no longer matters. Otherwise the channel closed because
        // the reader ended: only one that returned has read the whole file; one that
        // panicked left a truncated file looking complete.
        let early = c.out.limited || c.out.interrupted;
        if !early && let Err(panic) = reader.join() {
            return Err(PipelineError::ReaderDied {
                file: file_name,
                message: panic_message(panic.as_ref()),
            });
        }
        c.out.controls.extend(totals);
        if early {
            break;
        }
    }
    c.finish(m)
}

/// The single-threaded end of the pipeline: counts, key digests, the spill and the
/// rejected rows.
struct Collector<'s> {
    out: Collected,
    spill: &'s Path,
    writer: PayloadWriter,
    seen: Digests,
    /// The keys of rejected rows, for the message should they also be duplicates.
    rejected_keys: KeyLog,
    rejected: Rejects,
    files: Vec<FileInfo>,
    decimal: crate::turkish::number::DecimalStyle,
    total_row: Option<regex::Regex>,
}

impl<'s> Collector<'s> {
    fn new(
        m: &Mapping,
        sinks: &Sinks<'s>,
        headers: Vec<String>,
    ) -> Result<Collector<'s>, PipelineError> {
        let spill = sinks.spill;
        Ok(Collector {
            out: Collected {
                rows: 0,
                skipped: 0,
                valid: 0,
                rejected: RejectsDone::default(),
                headers,
                spill: spill.to_path_buf(),
                skipped_rows: Vec::new(),
                warnings: Vec::new(),
                limited: false,
                interrupted: false,
                controls: Vec::new(),
            },
            spill,
            writer: PayloadWriter::create(spill)?,
            seen: Digests::beside(spill),
            rejected_keys: KeyLog::beside(spill),
            rejected: Rejects::create(sinks.errors_csv, sinks.lang)?,
            files: Vec::new(),
            decimal: m.decimal,
            total_row: m.total_row.as_ref().map(|t| t.matches.clone()),
        })
    }

    /// Takes a validated batch: valid rows' lines to the spill, rejected rows to the
    /// report, every key's digest kept.
    fn keep(
        &mut self,
        file_idx: usize,
        slices: Vec<validate::Slice>,
        column_map: &[usize],
        spare: &validate::Spare,
    ) -> Result<(), PipelineError> {
        let spill = self.spill;
        for slice in slices {
            self.out.rows += slice.rows;
            self.out.valid += slice.valid;
            for &(row, hash) in &slice.keys {
                self.seen
                    .push(Seen::new(hash, file_idx, row))
                    .map_err(|e| scratch_error(spill, e))?;
            }
            self.writer.write_bytes(&slice.lines)?;
            spare.give(slice.lines);
            for (row, key, errors) in slice.rejected {
                let at = (file_idx, row.pos.row);
                self.rejected_keys
                    .add(file_idx, row.pos.row, &key)
                    .map_err(|e| scratch_error(spill, e))?;
                self.rejected
                    .add(at, rejected_row(row, errors, column_map))?;
            }
        }
        Ok(())
    }

    /// Rejects the rows whose key another row also has (each names the first of the
    /// others), taking them out of the spill, and closes the reports.
    fn finish(self, m: &Mapping) -> Result<Collected, PipelineError> {
        let Collector {
            mut out,
            spill,
            writer,
            seen,
            rejected_keys,
            mut rejected,
            files,
            ..
        } = self;
        writer.finish()?;
        // `errors.xlsx` is begun on another core while the keys are checked: unless a
        // duplicate adds to its rows, it is the workbook the run writes.
        let draft = rejected.draft_xlsx(&out.headers);
        let dups = duplicates::found(&files, seen, rejected_keys, &mut rejected)
            .map_err(|e| scratch_error(spill, e))?;
        if !dups.is_empty() {
            out.valid -= duplicates::filter_spill(m, spill, &files, &dups, &mut rejected)?;
        }
        out.rejected = rejected.finish()?;
        out.rejected.draft = std::sync::Mutex::new(draft);
        Ok(out)
    }
}

/// A scratch file beside the spill that cannot be written or read back.
fn scratch_error(spill: &Path, source: std::io::Error) -> PipelineError {
    PipelineError::Spill {
        path: spill
            .parent()
            .map_or_else(|| ".".into(), |d| d.display().to_string()),
        source,
    }
}

/// What a panicking thread said, as far as it can be read.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .map_or_else(
            || "the reader panicked".into(),
            |s| format!("the reader panicked: {s}"),
        )
}

fn duplicate_error(pos: &SourcePos, column: &str, key: &str, other: &str) -> RowError {
    RowError {
        pos: pos.clone(),
        column: column.to_string(),
        value: key.to_string(),
        problem: Problem::DuplicateKey {
            other: other.to_string(),
        },
    }
}

fn key_column(m: &Mapping, binding: &[usize], headers: &[String]) -> String {
    match m.key.parts.as_slice() {
        [crate::mapping::template::Part::Col(c)] => binding
            .get(*c)
            .and_then(|&i| headers.get(i))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// `file:row`, or `file#Sheet:row` for spreadsheets.
pub fn describe(pos: &SourcePos) -> String {
    format!("{}:{}", crate::report::file_label(pos), pos.row)
}

fn rejected_row(row: Row, errors: Vec<RowError>, column_map: &[usize]) -> RejectedRow {
    let Row { pos, cells, .. } = row;
    let identity = column_map.iter().enumerate().all(|(i, &j)| i == j);
    let cells = if identity {
        cells
    } else {
        let width = column_map.iter().copied().max().map_or(0, |m| m + 1);
        let mut out = vec![read::Cell::Empty; width];
        for (i, c) in cells.into_iter().enumerate() {
            if let Some(&j) = column_map.get(i) {
                out[j] = c;
            }
        }
        out
    };
    RejectedRow { pos, cells, errors }
}

/// All inputs' header names in order of first appearance. A name a file gives twice,
/// or a blank one, is as many columns as the file that has it most: each keeps its own
/// cells in `errors.xlsx`.
fn union_headers(inputs: &[Input]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut have: HashMap<String, usize> = HashMap::new();
    for i in inputs {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for h in &i.table.headers {
            let nth = seen.entry(h).or_default();
            *nth += 1;
            let known = have.entry(h.clone()).or_default();
            if *known < *nth {
                *known += 1;
                out.push(h.clone());
            }
        }
    }
    out
}

/// For each of a file's columns, its index in the union header: the n-th column of a
/// name goes to the n-th column of that name there.
fn remap(file: &[String], union: &[String]) -> Vec<usize> {
    let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in union.iter().enumerate() {
        at.entry(u).or_default().push(i);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    file.iter()
        .map(|h| {
            let nth = seen.entry(h).or_default();
            *nth += 1;
            at.get(h.as_str())
                .and_then(|places| places.get(*nth - 1))
                .copied()
                .unwrap_or(0)
        })
        .collect()
}

mod batches;
mod controls;
mod digests;
mod duplicates;

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
