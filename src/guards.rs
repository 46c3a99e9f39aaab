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
    // Each name counts once: older journals hold a header whose repeated names were
    // merged, and the same export must not look changed against them.
    let (header, last_header) = (first_of_each(header), first_of_each(&last.header));
    if !last_header.is_empty() && last_header != header {
        let added: Vec<_> = header
            .iter()
            .filter(|h| !last_header.contains(h))
            .map(|h| format!("`{h}`"))
            .collect();
        let removed: Vec<_> = last_header
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

/// The names of `header` in order, each once.
fn first_of_each(header: &[String]) -> Vec<&String> {
    let mut seen = std::collections::HashSet::new();
    header.iter().filter(|h| seen.insert(h.as_str())).collect()
}

/// What the control totals found: nothing, or the reason to stop.
pub fn control_totals(controls: &[crate::pipeline::ControlTotals]) -> Option<String> {
    let mut problems = Vec::new();
    for c in controls {
        let Some(expected) = &c.expected else {
            problems.push(format!(
                "{}: the total row is missing (a truncated export?)",
                c.file
            ));
            continue;
        };
        for ((column, sum, unreadable), want) in c.sums.iter().zip(expected) {
            match want {
                None => problems.push(format!(
                    "{}: the total row's `{column}` is not a number",
                    c.file
                )),
                Some(w) if w != sum => problems.push(format!(
                    "{}: `{column}` adds up to {sum}, the total row says {w} (difference {}){}",
                    c.file,
                    w.checked_sub(*sum)
                        .map_or_else(|| "too large to show".to_string(), |d| d.to_string()),
                    if *unreadable > 0 {
                        format!("; {unreadable} row(s) hold no readable number there")
                    } else {
                        String::new()
                    }
                )),
                Some(_) => {}
            }
        }
    }
    (!problems.is_empty()).then(|| format!("control totals do not match: {}", problems.join("; ")))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::pipeline::ControlTotals;

    fn c(sum: i64, want: Option<Option<i64>>, unreadable: u64) -> ControlTotals {
        ControlTotals {
            file: "a.csv".into(),
            sums: vec![("Bakiye".into(), Decimal::new(sum, 2), unreadable)],
            expected: want.map(|w| vec![w.map(|w| Decimal::new(w, 2))]),
        }
    }

    #[test]
    fn totals_that_match_pass() {
        assert_eq!(control_totals(&[c(123456, Some(Some(123456)), 0)]), None);
        assert_eq!(control_totals(&[]), None);
    }

    #[test]
    fn a_mismatch_or_a_missing_total_row_stops_the_run() {
        let m = control_totals(&[c(123456, Some(Some(123400)), 1)]).unwrap();
        assert_eq!(
            m,
            "control totals do not match: a.csv: `Bakiye` adds up to 1234.56, the total row says 1234.00 (difference -0.56); 1 row(s) hold no readable number there"
        );
        assert!(
            control_totals(&[c(1, None, 0)])
                .unwrap()
                .contains("the total row is missing")
        );
        assert!(
            control_totals(&[c(1, Some(None), 0)])
                .unwrap()
                .contains("is not a number")
        );
    }
}
