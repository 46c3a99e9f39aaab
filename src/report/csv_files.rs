//! `errors.csv`, `sent.csv`, `failed.csv` and `uncertain.csv`.
//!
//! All four are UTF-8 with a BOM, because that is what makes Excel on a Turkish
//! Windows open `ş`, `ğ` and `İ` correctly on a double click instead of reading the
//! bytes as Windows-1254. Every field goes through [`neutralize`]. The files are
//! written even when there is nothing to list: a header-only `failed.csv` says
//! "nothing failed", where a missing one could also mean "the run never got there".

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::atomic::{io_error, write_atomically};
use super::{FailedRow, RejectedRow, ReportError, SentRow, UncertainRow, file_label, neutralize};
use crate::problem::Lang;

const BOM: &[u8] = b"\xEF\xBB\xBF";

type CsvOut<'a> = csv::Writer<&'a mut BufWriter<File>>;

/// Writes `errors.csv`: one line per problem, rows in the order given. (A run streams
/// its rejected rows through [`super::Rejects`] instead, which writes the same lines.)
pub fn write_errors_csv(
    path: &Path,
    rejected: &[RejectedRow],
    lang: Lang,
) -> Result<(), ReportError> {
    let mut r = super::Rejects::create(path, lang)?;
    for (i, row) in rejected.iter().enumerate() {
        r.add((0, i as u64), row.clone())?;
    }
    r.finish().map(|_| ())
}

const SENT_HEADER: [&str; 5] = ["file", "row", "key", "http_status", "provider_ref"];

/// The rows of `sent.csv`, written to a scratch file beside the spill as they are
/// decided, in file order, so that a sending run's memory does not grow with the rows
/// it sends; [`write_sent_csv`] makes the report of them. The scratch file is removed
/// when the log is dropped.
#[derive(Default)]
pub struct SentLog {
    path: Option<std::path::PathBuf>,
    out: Option<csv::Writer<BufWriter<File>>>,
    rows: u64,
}

impl SentLog {
    /// A log kept in a hidden file of this process in `spill`'s folder.
    pub fn beside(spill: &Path) -> SentLog {
        let name = format!(".sent.{}", std::process::id());
        SentLog {
            path: Some(spill.with_file_name(name)),
            out: None,
            rows: 0,
        }
    }

    /// `provider_ref` is empty when the answer gave no number.
    pub fn add(&mut self, sent: &SentRow) -> Result<(), ReportError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if self.out.is_none() {
            let file = File::create(path).map_err(|e| io_error(path, e))?;
            self.out = Some(csv::Writer::from_writer(BufWriter::new(file)));
        }
        let Some(w) = self.out.as_mut() else {
            return Ok(());
        };
        let row = sent.pos.row.to_string();
        let status = sent.http_status.to_string();
        let fields = [
            &*file_label(&sent.pos),
            &row,
            &sent.key,
            &status,
            sent.provider_ref.as_deref().unwrap_or(""),
        ];
        w.write_record(fields.iter().map(|f| neutralize(f).into_owned()))
            .map_err(|source| ReportError::Csv {
                path: path.clone(),
                source,
            })?;
        self.rows += 1;
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes what was written; the log is complete.
    pub fn finish(&mut self) -> Result<(), ReportError> {
        if let (Some(path), Some(mut w)) = (&self.path, self.out.take()) {
            w.flush().map_err(|e| io_error(path, e))?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for SentLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentLog")
            .field("path", &self.path)
            .field("rows", &self.rows)
            .finish()
    }
}

impl Drop for SentLog {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes `sent.csv` from the rows a [`SentLog`] holds.
pub fn write_sent_csv(path: &Path, log: &SentLog) -> Result<(), ReportError> {
    write_atomically(path, |out| {
        out.write_all(BOM).map_err(|e| io_error(path, e))?;
        let mut w = csv::Writer::from_writer(&mut *out);
        w.write_record(SENT_HEADER)
            .map_err(|source| ReportError::Csv {
                path: path.to_path_buf(),
                source,
            })?;
        w.flush().map_err(|e| io_error(path, e))?;
        drop(w);
        if let Some(scratch) = log.path.as_ref().filter(|_| log.rows > 0) {
            let mut rows = File::open(scratch).map_err(|e| io_error(scratch, e))?;
            std::io::copy(&mut rows, out).map_err(|e| io_error(path, e))?;
        }
        Ok(())
    })
}

/// Writes `failed.csv`; `http_status` is empty when no answer arrived.
pub fn write_failed_csv(path: &Path, rows: &[FailedRow]) -> Result<(), ReportError> {
    let header = ["file", "row", "key", "http_status", "attempts", "message"];
    write_csv(path, &header, |w| {
        for failed in rows {
            let row = failed.pos.row.to_string();
            let status = failed
                .http_status
                .map(|s| s.to_string())
                .unwrap_or_default();
            let attempts = failed.attempts.to_string();
            record(
                w,
                &[
                    &file_label(&failed.pos),
                    &row,
                    &failed.key,
                    &status,
                    &attempts,
                    &failed.message,
                ],
            )?;
        }
        Ok(())
    })
}

/// Writes `uncertain.csv`.
pub fn write_uncertain_csv(path: &Path, rows: &[UncertainRow]) -> Result<(), ReportError> {
    let header = ["file", "row", "key", "message"];
    write_csv(path, &header, |w| {
        for uncertain in rows {
            let row = uncertain.pos.row.to_string();
            record(
                w,
                &[
                    &file_label(&uncertain.pos),
                    &row,
                    &uncertain.key,
                    &uncertain.message,
                ],
            )?;
        }
        Ok(())
    })
}

fn write_csv<F>(path: &Path, header: &[&str], body: F) -> Result<(), ReportError>
where
    F: FnOnce(&mut CsvOut<'_>) -> Result<(), csv::Error>,
{
    let csv_error = |source| ReportError::Csv {
        path: path.to_path_buf(),
        source,
    };
    write_atomically(path, |out| {
        out.write_all(BOM).map_err(|e| io_error(path, e))?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header).map_err(csv_error)?;
        body(&mut w).map_err(csv_error)?;
        w.flush().map_err(|e| io_error(path, e))
    })
}

fn record(w: &mut CsvOut<'_>, fields: &[&str]) -> Result<(), csv::Error> {
    w.write_record(fields.iter().map(|f| neutralize(f).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Problem, RowError};
    use crate::read::{Cell, SourcePos};
    use crate::report::test_support::{pos, read_bom_text};

    fn error(pos: &SourcePos, column: &str, value: &str, problem: Problem) -> RowError {
        RowError {
            pos: pos.clone(),
            column: column.into(),
            value: value.into(),
            problem,
        }
    }

    fn parse(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn errors_csv_has_bom_header_and_one_line_per_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.csv");
        let p1 = pos("cari.csv", None, 2);
        let p2 = pos("ekstre.xlsx", Some("Ocak"), 7);
        let rejected = vec![
            RejectedRow {
                pos: p1.clone(),
                cells: vec![Cell::Text("=SUM(A1)".into())],
                errors: vec![
                    error(&p1, "Vergi No", "=SUM(A1)", Problem::Check { check: "vkn" }),
                    error(&p1, "Tutar", "-9.440,00", Problem::Scale { scale: 0 }),
                    error(&p1, "E-posta", "@cmd", Problem::Check { check: "email" }),
                ],
            },
            RejectedRow {
                pos: p2.clone(),
                cells: vec![],
                errors: vec![error(&p2, "Cari Kod", "", Problem::Required)],
            },
        ];
        write_errors_csv(&path, &rejected, Lang::Tr).unwrap();
        let lines = parse(&read_bom_text(&path));
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[0],
            ["file", "row", "column", "value", "rule", "message"]
        );
        assert_eq!(
            lines[1],
            [
                "cari.csv",
                "2",
                "Vergi No",
                "'=SUM(A1)",
                "vkn",
                "Geçersiz vergi kimlik numarası (VKN: 10 hane, kontrol hanesi tutmalı)"
            ]
        );
        assert_eq!(lines[2][3], "-9.440,00");
        assert_eq!(lines[2][4], "scale");
        assert_eq!(lines[3][3], "'@cmd");
        assert_eq!(
            lines[4][..5],
            ["ekstre.xlsx#Ocak", "7", "Cari Kod", "", "required"]
        );
        assert_eq!(lines[4][5], "Zorunlu alan boş");
    }

    #[test]
    fn errors_csv_messages_follow_the_language() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.csv");
        let p = pos("a.csv", None, 3);
        let rejected = vec![RejectedRow {
            pos: p.clone(),
            cells: vec![],
            errors: vec![error(&p, "Tutar", "x", Problem::Integer)],
        }];
        write_errors_csv(&path, &rejected, Lang::En).unwrap();
        let lines = parse(&read_bom_text(&path));
        assert_eq!(lines[1][5], "Not a whole number");
    }

    #[test]
    fn fields_with_commas_quotes_and_newlines_survive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.csv");
        let p = pos("a.csv", None, 3);
        let value = "ACME, \"Ltd\"\nŞti.";
        let rejected = vec![RejectedRow {
            pos: p.clone(),
            cells: vec![],
            errors: vec![error(&p, "Unvan", value, Problem::MaxLen { max: 5 })],
        }];
        write_errors_csv(&path, &rejected, Lang::Tr).unwrap();
        let lines = parse(&read_bom_text(&path));
        assert_eq!(lines[1][3], value);
    }

    #[test]
    fn failed_csv_lists_rows_and_leaves_a_missing_status_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("failed.csv");
        let rows = vec![
            FailedRow {
                pos: pos("a.csv", None, 4),
                key: "C-001".into(),
                http_status: Some(422),
                attempts: 1,
                message: "=HYPERLINK(\"x\")".into(),
            },
            FailedRow {
                pos: pos("b.xlsx", Some("Sayfa1"), 9),
                key: "-42".into(),
                http_status: None,
                attempts: 5,
                message: "connection refused".into(),
            },
        ];
        write_failed_csv(&path, &rows).unwrap();
        let lines = parse(&read_bom_text(&path));
        assert_eq!(
            lines,
            [
                vec!["file", "row", "key", "http_status", "attempts", "message"],
                vec!["a.csv", "4", "C-001", "422", "1", "'=HYPERLINK(\"x\")"],
                vec!["b.xlsx#Sayfa1", "9", "-42", "", "5", "connection refused"],
            ]
        );
    }

    #[test]
    fn sent_csv_lists_rows_with_the_providers_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sent.csv");
        let rows = vec![
            SentRow {
                pos: pos("h.xlsx", Some("Hareketler"), 5),
                key: "CH-1".into(),
                http_status: 200,
                provider_ref: Some("000000023".into()),
            },
            SentRow {
                pos: pos("c.csv", None, 2),
                key: "=C1".into(),
                http_status: 204,
                provider_ref: None,
            },
        ];
        let mut log = SentLog::beside(&dir.path().join(".requests.jsonl"));
        for r in &rows {
            log.add(r).unwrap();
        }
        log.finish().unwrap();
        write_sent_csv(&path, &log).unwrap();
        drop(log);
        // The scratch file goes with the log.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let lines = parse(&read_bom_text(&path));
        assert_eq!(
            lines,
            [
                vec!["file", "row", "key", "http_status", "provider_ref"],
                vec!["h.xlsx#Hareketler", "5", "CH-1", "200", "000000023"],
                vec!["c.csv", "2", "'=C1", "204", ""],
            ]
        );
    }

    #[test]
    fn sent_csv_of_no_rows_is_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sent.csv");
        let mut log = SentLog::beside(&dir.path().join(".requests.jsonl"));
        log.finish().unwrap();
        write_sent_csv(&path, &log).unwrap();
        assert_eq!(
            parse(&read_bom_text(&path)),
            [vec!["file", "row", "key", "http_status", "provider_ref"]]
        );
    }

    #[test]
    fn uncertain_csv_lists_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uncertain.csv");
        let rows = vec![UncertainRow {
            pos: pos("a.csv", None, 12),
            key: "T-9".into(),
            message: "timeout after the request was sent".into(),
        }];
        write_uncertain_csv(&path, &rows).unwrap();
        let lines = parse(&read_bom_text(&path));
        assert_eq!(
            lines,
            [
                vec!["file", "row", "key", "message"],
                vec!["a.csv", "12", "T-9", "timeout after the request was sent"],
            ]
        );
    }

    #[test]
    fn empty_reports_still_have_their_header() {
        let dir = tempfile::tempdir().unwrap();
        let failed = dir.path().join("failed.csv");
        let uncertain = dir.path().join("uncertain.csv");
        let errors = dir.path().join("errors.csv");
        write_failed_csv(&failed, &[]).unwrap();
        write_uncertain_csv(&uncertain, &[]).unwrap();
        write_errors_csv(&errors, &[], Lang::Tr).unwrap();
        assert_eq!(
            read_bom_text(&failed),
            "file,row,key,http_status,attempts,message\n"
        );
        assert_eq!(read_bom_text(&uncertain), "file,row,key,message\n");
        assert_eq!(
            read_bom_text(&errors),
            "file,row,column,value,rule,message\n"
        );
    }
}
