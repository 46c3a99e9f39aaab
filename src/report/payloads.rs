//! `payloads.jsonl` for dry runs: one JSON object per valid row showing exactly what
//! would have been sent, so a mapping can be checked against the provider's
//! documentation before anything goes out.
//!
//! It streams (a night's export can hold hundreds of thousands of rows) through the
//! same write-then-rename guard as the other reports: until [`PayloadWriter::finish`]
//! the lines go to a hidden temporary file, and a writer dropped without finishing
//! removes it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use super::atomic::{AtomicFile, io_error};
use super::{ReportError, file_label};
use crate::read::SourcePos;

/// Streams payloads.jsonl: one line per valid row `{"file","row","key","method","url","body"}`
/// (keys in that order; `body` is a JSON value).
pub struct PayloadWriter {
    guard: AtomicFile,
    out: BufWriter<File>,
}

/// One line; the struct's field order is the key order of the line.
#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    row: u64,
    key: &'a str,
    method: &'a str,
    url: &'a str,
    body: &'a serde_json::Value,
}

/// One payloads.jsonl line, without its newline.
pub fn line(
    pos: &SourcePos,
    key: &str,
    method: &str,
    url: &str,
    body: &serde_json::Value,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Line {
        file: &file_label(pos),
        row: pos.row,
        key,
        method,
        url,
        body,
    })
}

impl PayloadWriter {
    pub fn create(path: &Path) -> Result<Self, ReportError> {
        let (guard, out) = AtomicFile::create(path)?;
        Ok(PayloadWriter { guard, out })
    }

    pub fn write(
        &mut self,
        pos: &SourcePos,
        key: &str,
        method: &str,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<(), ReportError> {
        let line = line(pos, key, method, url, body).map_err(|source| ReportError::Json {
            path: self.guard.dest().to_path_buf(),
            source,
        })?;
        self.write_line(&line)
    }

    /// Writes a line made by [`line`] (which callers may build in parallel).
    pub fn write_line(&mut self, line: &str) -> Result<(), ReportError> {
        self.out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| io_error(self.guard.dest(), e))
    }

    /// Writes whole lines, each ending in its newline.
    pub fn write_bytes(&mut self, lines: &[u8]) -> Result<(), ReportError> {
        self.out
            .write_all(lines)
            .map_err(|e| io_error(self.guard.dest(), e))
    }

    /// Completes the file and moves it to its real name. It is not synced to disk:
    /// it can be several times the size of the export, it is made again by a rerun,
    /// and a sending run reads it back and removes it.
    pub fn finish(self) -> Result<(), ReportError> {
        self.guard.commit_unsynced(self.out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::report::test_support::pos;

    #[test]
    fn lines_parse_back_with_keys_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payloads.jsonl");
        let mut w = PayloadWriter::create(&path).unwrap();
        let body = json!({"amount": "1234.56", "name": "Şirket A.Ş.", "tags": [1, 2]});
        w.write(
            &pos("cari.csv", None, 2),
            "C-1",
            "POST",
            "https://api.example/v1/customers",
            &body,
        )
        .unwrap();
        w.write(
            &pos("ekstre.xlsx", Some("Ocak"), 5),
            "C-2",
            "PUT",
            "https://api.example/v1/customers/C-2",
            &json!(null),
        )
        .unwrap();
        assert!(!path.exists(), "visible before finish");
        w.finish().unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for line in &lines {
            let keys = [
                "\"file\":",
                "\"row\":",
                "\"key\":",
                "\"method\":",
                "\"url\":",
                "\"body\":",
            ];
            let at: Vec<usize> = keys.iter().map(|k| line.find(k).unwrap()).collect();
            assert_eq!(at[0], 1, "{line}");
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
        }
        let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(
            first,
            json!({"file": "cari.csv", "row": 2, "key": "C-1", "method": "POST",
                   "url": "https://api.example/v1/customers", "body": body})
        );
        let second: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second["file"], "ekstre.xlsx#Ocak");
        assert_eq!(second["row"], 5);
        assert_eq!(second["body"], json!(null));
    }

    #[test]
    fn a_writer_dropped_without_finish_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payloads.jsonl");
        let mut w = PayloadWriter::create(&path).unwrap();
        w.write(&pos("a.csv", None, 2), "k", "POST", "u", &json!({}))
            .unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_empty_run_gives_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payloads.jsonl");
        PayloadWriter::create(&path).unwrap().finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    }
}
