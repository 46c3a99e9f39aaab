//! `summary.json`: the run's counts, pretty-printed so a person can read it and a
//! script can parse it. The key order is the field order of [`Summary`].

use std::io::Write;
use std::path::Path;

use super::atomic::{io_error, write_atomically};
use super::{ReportError, Summary};

/// Writes `summary.json`.
pub fn write_summary_json(path: &Path, summary: &Summary) -> Result<(), ReportError> {
    write_atomically(path, |out| {
        serde_json::to_writer_pretty(&mut *out, summary).map_err(|source| ReportError::Json {
            path: path.to_path_buf(),
            source,
        })?;
        out.write_all(b"\n").map_err(|e| io_error(path, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_json_round_trips_with_keys_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.json");
        let summary = Summary {
            rows: 10,
            valid: 7,
            rejected: 3,
            sent: 5,
            unchanged: 1,
            failed: 1,
            uncertain: 0,
            held: 0,
            held_reason: None,
            skipped: 2,
            duration_ms: 1234,
            dry_run: false,
        };
        write_summary_json(&path, &summary).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let back: Summary = serde_json::from_str(&text).unwrap();
        assert_eq!(back, summary);
        let keys = [
            "rows",
            "valid",
            "rejected",
            "sent",
            "unchanged",
            "failed",
            "uncertain",
            "held",
            "held_reason",
            "skipped",
            "duration_ms",
            "dry_run",
        ];
        let at: Vec<usize> = keys
            .iter()
            .map(|k| text.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.ends_with("}\n"));
    }
}
