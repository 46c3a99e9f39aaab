//! Rejected rows as they stream, with memory bounded whatever their number.
//!
//! Every problem is written at once to a temporary file as an `errors.csv` line
//! behind a sort key (input index, row); problems found only at the end of the run
//! (duplicate keys) go to a second such file. [`Rejects::finish`] merges the two, both
//! in file order, into `errors.csv`. The first [`XLSX_ROW_CAP`] rejected rows also go,
//! with their cells, to a third file for `errors.xlsx` (module `shown`); the rest are
//! counted.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::atomic::{AtomicFile, io_error};
pub use super::shown::At;
use super::shown::{ShownError, ShownRow, ShownRows, ShownSpill};
use super::xlsx::Draft;
use super::{RejectedRow, ReportError, XLSX_ROW_CAP, file_label, neutralize};
use crate::problem::{Lang, RowError};

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub struct Rejects {
    lang: Lang,
    dest: PathBuf,
    first: PathBuf,
    late: PathBuf,
    out: csv::Writer<BufWriter<File>>,
    late_rows: Vec<(At, RowError)>,
    /// The rows `errors.xlsx` shows, as they come.
    shown: ShownSpill,
    /// Rows rejected at the end of the run, and problems found then on rows already
    /// shown: merged into the shown rows by [`Rejects::finish`].
    late_shown: Vec<(At, ShownRow)>,
    late_errors: Vec<(At, ShownError)>,
    cap: usize,
    /// The first row that was not kept: rows after it are not shown either.
    dropped_from: Option<At>,
    rows: u64,
    rules: HashMap<&'static str, u64>,
}

/// What the rejected rows come to.
#[derive(Debug, Default)]
pub struct RejectsDone {
    /// The first rejected rows, in file order, with their cells.
    pub shown: ShownRows,
    /// How many rows were rejected in all.
    pub rows: u64,
    /// Problems per rule, most frequent first.
    pub rules: Vec<(&'static str, u64)>,
    /// `errors.xlsx` begun from the rows shown by the end of the reading.
    pub draft: std::sync::Mutex<Option<Draft>>,
}

impl Rejects {
    /// Collects for `errors_csv`; the temporary files live beside it.
    pub fn create(errors_csv: &Path, lang: Lang) -> Result<Rejects, ReportError> {
        Self::with_cap(errors_csv, lang, XLSX_ROW_CAP)
    }

    fn with_cap(errors_csv: &Path, lang: Lang, cap: usize) -> Result<Rejects, ReportError> {
        let first = errors_csv.with_file_name(format!(".errors.{}.sorted", std::process::id()));
        if let Some(dir) = errors_csv.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_error(errors_csv, e))?;
        }
        let file = File::create(&first).map_err(|e| io_error(errors_csv, e))?;
        Ok(Rejects {
            lang,
            dest: errors_csv.to_path_buf(),
            late: first.with_extension("late"),
            shown: ShownSpill::create(first.with_extension("shown"), errors_csv)?,
            first,
            out: csv::Writer::from_writer(BufWriter::new(file)),
            late_rows: Vec::new(),
            late_shown: Vec::new(),
            late_errors: Vec::new(),
            cap,
            dropped_from: None,
            rows: 0,
            rules: HashMap::new(),
        })
    }

    fn csv_error(&self, source: csv::Error) -> ReportError {
        ReportError::Csv {
            path: self.dest.clone(),
            source,
        }
    }

    /// A rejected row, in file order.
    pub fn add(&mut self, at: At, row: RejectedRow) -> Result<(), ReportError> {
        self.rows += 1;
        for e in &row.errors {
            *self.rules.entry(e.problem.rule()).or_default() += 1;
            let rec = record(at, e, self.lang);
            self.out.write_record(&rec).map_err(|e| self.csv_error(e))?;
        }
        if self.shown.rows() < self.cap && self.dropped_from.is_none() {
            self.shown.push(at, &ShownRow::of(&row, self.lang))?;
        } else if self.dropped_from.is_none() {
            self.dropped_from = Some(at);
        }
        Ok(())
    }

    /// A problem found at the end of the run on a row already added.
    pub fn add_late(&mut self, at: At, error: RowError) {
        *self.rules.entry(error.problem.rule()).or_default() += 1;
        if self.dropped_from.is_none_or(|d| at < d) {
            self.late_errors
                .push((at, ShownError::of(&error, self.lang)));
        }
        self.late_rows.push((at, error));
    }

    /// A row rejected at the end of the run (it had looked valid until then).
    pub fn add_late_row(&mut self, at: At, row: RejectedRow) {
        self.rows += 1;
        for e in &row.errors {
            *self.rules.entry(e.problem.rule()).or_default() += 1;
            self.late_rows.push((at, e.clone()));
        }
        if self.dropped_from.is_none_or(|d| at < d) {
            self.late_shown.push((at, ShownRow::of(&row, self.lang)));
            // Late rows come in any order; keep memory bounded by trimming to the
            // earliest rows now and then: past the cap-th late row, none is shown.
            if self.late_shown.len() >= 2 * self.cap.max(1) {
                self.late_shown.sort_by_key(|(a, _)| *a);
                self.late_shown.truncate(self.cap);
                if let Some(&((input, row), _)) = self.late_shown.last() {
                    let after = (input, row + 1);
                    self.dropped_from = Some(self.dropped_from.map_or(after, |d| d.min(after)));
                }
            }
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Starts `errors.xlsx`'s `Hatalar` from the rows shown so far (none may be added
    /// after this, late ones aside), beside `errors.csv`. `None` when there is nothing
    /// to draft or no thread to draft it on: the workbook is then written at the end.
    pub fn draft_xlsx(&mut self, headers: &[String]) -> Option<Draft> {
        let view = self.shown.view().ok().filter(|v| !v.is_empty())?;
        Draft::start(
            self.dest.with_file_name("errors.xlsx"),
            headers.to_vec(),
            view,
        )
    }

    /// Writes `errors.csv` and hands back what `errors.xlsx` needs.
    pub fn finish(mut self) -> Result<RejectsDone, ReportError> {
        self.out.flush().map_err(|e| io_error(&self.dest, e))?;
        self.late_rows.sort_by_key(|(at, _)| *at);
        {
            let file = File::create(&self.late).map_err(|e| io_error(&self.dest, e))?;
            let mut late = csv::Writer::from_writer(BufWriter::new(file));
            for (at, e) in &self.late_rows {
                late.write_record(record(*at, e, self.lang))
                    .map_err(|e| self.csv_error(e))?;
            }
            late.flush().map_err(|e| io_error(&self.dest, e))?;
        }
        let merged = merge(&self.first, &self.late, &self.dest);
        let _ = std::fs::remove_file(&self.first);
        let _ = std::fs::remove_file(&self.late);
        merged?;

        let shown = self.merge_shown()?;
        let mut rules: Vec<_> = self.rules.into_iter().collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        Ok(RejectsDone {
            shown,
            rows: self.rows,
            rules,
            draft: std::sync::Mutex::new(None),
        })
    }

    /// The rows `errors.xlsx` shows: the first `cap` of the rows shown during the run
    /// and those rejected at its end, in file order, each with its late problems.
    fn merge_shown(&mut self) -> Result<ShownRows, ReportError> {
        let during = self.shown.finish()?;
        if self.late_shown.is_empty() && self.late_errors.is_empty() {
            return Ok(during);
        }
        self.late_shown.sort_by_key(|(at, _)| *at);
        self.late_errors.sort_by_key(|(at, _)| *at);
        let mut a = during.iter()?.peekable();
        let mut b = std::mem::take(&mut self.late_shown).into_iter().peekable();
        let mut errors = std::mem::take(&mut self.late_errors).into_iter().peekable();
        let mut merged = ShownSpill::create(self.first.with_extension("shown-merged"), &self.dest)?;
        while merged.rows() < self.cap {
            let from_run = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(Ok((x, _))), Some((y, _))) => x < y,
                (Some(_), _) => true,
                (None, Some(_)) => false,
            };
            let (at, mut row) = match from_run {
                true => a.next().expect("peeked")?,
                false => b.next().expect("peeked"),
            };
            if self.dropped_from.is_some_and(|d| at >= d) {
                break;
            }
            while let Some((e_at, _)) = errors.peek()
                && *e_at <= at
            {
                let (e_at, e) = errors.next().expect("peeked");
                if e_at == at {
                    row.errors.push(e);
                }
            }
            merged.push(at, &row)?;
        }
        merged.finish()
    }
}

/// An `errors.csv` record behind its sort key.
fn record(at: At, e: &RowError, lang: Lang) -> [String; 7] {
    [
        format!("{:06}{:016}", at.0, at.1),
        neutralize(&file_label(&e.pos)).into_owned(),
        e.pos.row.to_string(),
        neutralize(&e.column).into_owned(),
        neutralize(&e.value).into_owned(),
        e.problem.rule().to_string(),
        neutralize(&e.problem.message(lang)).into_owned(),
    ]
}

/// Merges two files of keyed records, each in key order, into `errors.csv` (the first
/// file wins ties, so a row's own problems come before its duplicate-key one).
fn merge(first: &Path, late: &Path, dest: &Path) -> Result<(), ReportError> {
    let open = |p: &Path| -> Result<csv::Reader<BufReader<File>>, ReportError> {
        let f = File::open(p).map_err(|e| io_error(dest, e))?;
        Ok(csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(BufReader::new(f)))
    };
    let csv_error = |source| ReportError::Csv {
        path: dest.to_path_buf(),
        source,
    };
    let mut a = open(first)?.into_records();
    let mut b = open(late)?.into_records();
    let (guard, mut out) = AtomicFile::create(dest)?;
    out.write_all(BOM).map_err(|e| io_error(dest, e))?;
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(["file", "row", "column", "value", "rule", "message"])
            .map_err(csv_error)?;
        let mut next_a = a.next().transpose().map_err(csv_error)?;
        let mut next_b = b.next().transpose().map_err(csv_error)?;
        loop {
            let take_a = match (&next_a, &next_b) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(x), Some(y)) => x.get(0) <= y.get(0),
            };
            let rec = if take_a {
                std::mem::replace(&mut next_a, a.next().transpose().map_err(csv_error)?)
            } else {
                std::mem::replace(&mut next_b, b.next().transpose().map_err(csv_error)?)
            };
            if let Some(r) = rec {
                w.write_record(r.iter().skip(1)).map_err(csv_error)?;
            }
        }
        w.flush().map_err(|e| io_error(dest, e))?;
    }
    guard.commit(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::read::Cell;
    use crate::report::test_support::pos;

    fn rejected(row: u64, problem: Problem) -> RejectedRow {
        let p = pos("a.csv", None, row);
        RejectedRow {
            pos: p.clone(),
            cells: vec![Cell::Text(format!("r{row}").into())],
            errors: vec![RowError {
                pos: p,
                column: "A".into(),
                value: "v".into(),
                problem,
            }],
        }
    }

    fn dup(row: u64) -> RowError {
        RowError {
            pos: pos("a.csv", None, row),
            column: "K".into(),
            value: "k".into(),
            problem: Problem::DuplicateKey {
                other: "a.csv:9".into(),
            },
        }
    }

    #[test]
    fn late_problems_are_merged_into_file_order_and_rows_are_capped() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("errors.csv");
        let mut r = Rejects::with_cap(&path, Lang::En, 2).unwrap();
        r.add((0, 2), rejected(2, Problem::Integer)).unwrap();
        r.add((0, 5), rejected(5, Problem::Decimal)).unwrap();
        r.add((0, 7), rejected(7, Problem::Required)).unwrap();
        r.add_late((0, 5), dup(5));
        let mut late_row = rejected(3, Problem::Integer);
        late_row.errors = vec![dup(3)];
        r.add_late_row((0, 3), late_row);
        let done = r.finish().unwrap();
        assert_eq!(done.rows, 4);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let rows: Vec<(String, String)> =
            csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes())
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    (r[1].to_string(), r[4].to_string())
                })
                .collect();
        let expected = [
            ("2", "integer"),
            ("3", "duplicate_key"),
            ("5", "decimal"),
            ("5", "duplicate_key"),
            ("7", "required"),
        ];
        assert_eq!(rows, expected.map(|(a, b)| (a.to_string(), b.to_string())));
        let shown: Vec<u64> = done
            .shown
            .iter()
            .unwrap()
            .map(|r| r.unwrap().1.row)
            .collect();
        assert_eq!(
            shown,
            [2, 3],
            "the first rows in file order, within the cap"
        );
        assert_eq!(done.rules[0], ("duplicate_key", 2));
        drop(done);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["errors.csv"]);
    }

    /// Rows and problems of the workbook: row number and each problem's column.
    fn shown(done: &RejectsDone) -> Vec<(u64, Vec<String>)> {
        done.shown
            .iter()
            .unwrap()
            .map(|r| {
                let (_, row) = r.unwrap();
                (row.row, row.errors.into_iter().map(|e| e.column).collect())
            })
            .collect()
    }

    #[test]
    fn shown_rows_wait_on_disk_and_take_their_late_problems_in_file_order() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("errors.csv");
        let mut r = Rejects::with_cap(&path, Lang::En, 4).unwrap();
        for row in [2, 5, 7] {
            r.add((0, row), rejected(row, Problem::Integer)).unwrap();
        }
        r.add((1, 2), rejected(2, Problem::Integer)).unwrap();
        // Past the cap: counted, written to errors.csv, not shown.
        r.add((1, 9), rejected(9, Problem::Integer)).unwrap();
        let files = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
        assert_eq!(files(dir.path()), 2, "errors.csv's rows and the shown rows");
        r.add_late((0, 5), dup(5));
        r.add_late((1, 9), dup(9));
        let mut late_row = rejected(6, Problem::Integer);
        late_row.errors = vec![dup(6)];
        r.add_late_row((0, 6), late_row);
        let done = r.finish().unwrap();
        assert_eq!(done.rows, 6);
        assert_eq!(done.shown.len(), 4);
        assert_eq!(
            shown(&done),
            [
                (2, vec!["A".to_owned()]),
                (5, vec!["A".to_owned(), "K".to_owned()]),
                (6, vec!["K".to_owned()]),
                (7, vec!["A".to_owned()]),
            ]
        );
        assert!(!done.shown.stats().multi_file);
        drop(done);
        assert_eq!(files(dir.path()), 1, "only errors.csv is left");

        // Nothing late: the rows written during the run are the ones shown.
        let mut r = Rejects::with_cap(&path, Lang::En, 2).unwrap();
        r.add((0, 3), rejected(3, Problem::Integer)).unwrap();
        r.add((1, 4), rejected(4, Problem::Integer)).unwrap();
        let done = r.finish().unwrap();
        assert_eq!(
            shown(&done),
            [(3, vec!["A".to_owned()]), (4, vec!["A".to_owned()])]
        );
    }
}
