//! Nightly safety: checks on a whole file that stop a run before anything is sent.
//!
//! * Drift: the journal remembers each mapping's last header and row count; a changed
//!   header, or fewer than half of last time's rows, looks like a broken or truncated
//!   export rather than a quiet night, so the run stops unless `--accept-drift`.
//! * Control totals: the sum of an amount column must equal the export's own total
//!   row (or an expected sum written in the mapping).

use crate::journal::{Journal, JournalError};

/// What the drift check found: nothing, or the reason to stop.
pub fn drift(
    j: &Journal,
    mapping_id: &str,
    header: &[String],
    rows: u64,
    limited: bool,
) -> Result<Option<String>, JournalError> {
    let Some(last) = j.last_run(mapping_id)? else {
        return Ok(None);
    };
    if !last.header.is_empty() && last.header != header {
        let added: Vec<_> = header
            .iter()
            .filter(|h| !last.header.contains(h))
            .map(|h| format!("`{h}`"))
            .collect();
        let removed: Vec<_> = last
            .header
            .iter()
            .filter(|h| !header.contains(h))
            .map(|h| format!("`{h}`"))
            .collect();
        let what = match (added.is_empty(), removed.is_empty()) {
            (true, true) => "the columns are in a different order".to_string(),
            _ => format!(
                "{}{}{}",
                if added.is_empty() {
                    String::new()
                } else {
                    format!("new: {}", added.join(", "))
                },
                if !added.is_empty() && !removed.is_empty() {
                    "; "
                } else {
                    ""
                },
                if removed.is_empty() {
                    String::new()
                } else {
                    format!("gone: {}", removed.join(", "))
                }
            ),
        };
        return Ok(Some(format!(
            "the file's header changed since the last run ({what}); if the export changed on purpose, run again with --accept-drift"
        )));
    }
    if !limited && last.rows > 0 && rows.saturating_mul(2) < last.rows {
        return Ok(Some(format!(
            "the file has {rows} rows, the last run had {}: fewer than half, which looks like a truncated export; if it is right, run again with --accept-drift",
            last.rows
        )));
    }
    Ok(None)
}
