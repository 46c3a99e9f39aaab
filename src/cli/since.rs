//! `journal list --since`: the value is read as a date (or a date and time, UTC) and
//! written as the journal writes its times, since the journal compares them as text —
//! where a value that is no date would quietly select nothing, or everything.

use chrono::{NaiveDate, NaiveDateTime};

/// `2026-11-20`, `20.11.2026`, `2026-11-20T08:30`, `2026-11-20 08:30:15` (an optional
/// trailing `Z`) as the journal's `2026-11-20T08:30:15.000Z`.
pub(super) fn since(value: &str) -> Result<String, String> {
    let v = value.trim();
    let v = v.strip_suffix('Z').unwrap_or(v);
    let at = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
    .or_else(|| {
        ["%Y-%m-%d", "%d.%m.%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    match at {
        Some(at) => Ok(at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        None => Err(format!(
            "--since `{value}` is not a date; write it as 2026-11-20 (or 20.11.2026), or with a UTC time as 2026-11-20T08:30"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::since;

    #[test]
    fn dates_and_times_are_written_as_the_journal_writes_its_own() {
        for (given, want) in [
            ("2026-11-20", "2026-11-20T00:00:00.000Z"),
            ("20.11.2026", "2026-11-20T00:00:00.000Z"),
            ("2026-11-20T08:30", "2026-11-20T08:30:00.000Z"),
            ("2026-11-20 08:30:15", "2026-11-20T08:30:15.000Z"),
            ("2026-11-20T08:30:15Z", "2026-11-20T08:30:15.000Z"),
        ] {
            assert_eq!(since(given).as_deref(), Ok(want), "{given}");
        }
    }

    #[test]
    fn a_value_that_is_no_date_is_refused_naming_it() {
        for bad in [
            "dün",
            "",
            "2026-02-30",
            "2026-11-20x",
            "20261120",
            "2026-11-20T25:00",
        ] {
            let e = since(bad).unwrap_err();
            assert!(e.contains(&format!("`{bad}` is not a date")), "{e}");
        }
    }
}
