//! Property tests of reading and collecting a CSV export made of random bytes: never a
//! panic, and when the run goes through, every data row the reader gives ends in
//! exactly one bucket — a valid request in the spill or a rejected row in
//! `errors.csv` — with the counts adding up and `errors.xlsx` written. Cases are few
//! and small so the test suite stays fast; `PROPTEST_CASES=100000 cargo test --release
//! prop_` runs it longer.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::problem::Lang;
use crate::read::Record;
use crate::report::Summary;

const HEADER: &str = "Cari Kodu;Ödüyo No;Ünvan;Bakiye\n";

/// Bytes that make CSV interesting: delimiters, quotes, line ends, digits, a Turkish
/// letter's UTF-8 and Windows-1254 bytes, a byte-order mark's, and anything at all.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b";;;,\t|\"\n\r\n 0123456789,.-CxyTOPLAM".to_vec()),
        1 => prop::sample::select(vec![0xC3, 0x96, 0xC5, 0x9E, 0xDD, 0xFE, 0xEF, 0xBB, 0xBF, 0x00]),
        1 => any::<u8>(),
    ]
}

/// Text as an export has it (valid UTF-8, so the header reads as written), or bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let text = prop::collection::vec(
        prop::sample::select(
            "Cari;;;;\"\n\n\r 0123456789,.-xTOPLAMŞıİ€\t|="
                .chars()
                .collect::<Vec<_>>(),
        ),
        0..400,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes());
    prop_oneof![text, prop::collection::vec(byte(), 0..400)]
}

fn export() -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), body()).prop_map(|(header, body)| {
        let mut bytes = if header {
            HEADER.as_bytes().to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(body);
        bytes
    })
}

fn mapping() -> Mapping {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/customers.toml");
    match crate::mapping::load(&path) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

/// The row numbers of the data rows the reader gives, or `None` when it fails.
fn data_rows(m: &Mapping, path: &Path) -> Option<Vec<u64>> {
    let table = read::open(path, &m.source).ok()?;
    let mut rows = Vec::new();
    for r in table.records {
        match r.ok()? {
            Record::Data(row) => rows.push(row.pos.row),
            Record::Skipped(_) => {}
        }
    }
    Some(rows)
}

/// The distinct rows `errors.csv` names.
fn rejected_rows(path: &Path) -> BTreeSet<u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .filter_map(Result::ok)
        .filter_map(|rec| rec.get(1).and_then(|n| n.parse().ok()))
        .collect()
}

/// The rows of the valid requests, one per line of the spill.
fn valid_rows(path: &Path) -> Vec<u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["row"].as_u64())
        .collect()
}

proptest! {
    #[test]
    fn prop_csv_rows_end_in_exactly_one_bucket(bytes in export()) {
        let m = mapping();
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.path().join("cariler.csv");
        std::fs::write(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Ok(inputs) = open_inputs(&m, std::slice::from_ref(&path)) else {
            return Ok(());
        };
        let spill = dir.path().join(".requests.jsonl");
        let errors = dir.path().join("errors.csv");
        let sinks = Sinks { spill: &spill, errors_csv: &errors, lang: Lang::Tr };
        let stop = CancellationToken::new();
        let collected = collect(&m, inputs, "http://127.0.0.1:9", &sinks, None, &stop, |_, _| {});
        let read = data_rows(&m, &path);
        let Ok(c) = collected else {
            // A run that stops is a file the reader could not read to its end.
            prop_assert!(read.is_none(), "collect failed on a file that reads");
            return Ok(());
        };
        let read = read.ok_or_else(|| TestCaseError::fail("collected a file that fails"))?;
        let valid = valid_rows(&spill);
        let rejected = rejected_rows(&errors);
        prop_assert_eq!(c.rows, read.len() as u64);
        prop_assert_eq!(c.rows, c.valid + c.rejected.rows);
        prop_assert_eq!(valid.len() as u64, c.valid);
        prop_assert_eq!(rejected.len() as u64, c.rejected.rows);
        let valid: BTreeSet<u64> = valid.into_iter().collect();
        prop_assert!(valid.is_disjoint(&rejected), "a row both valid and rejected");
        let all: BTreeSet<u64> = read.into_iter().collect();
        let buckets: BTreeSet<u64> = valid.union(&rejected).copied().collect();
        prop_assert_eq!(all, buckets);
        let summary = Summary {
            rows: c.rows,
            valid: c.valid,
            rejected: c.rejected.rows,
            skipped: c.skipped,
            dry_run: true,
            ..Summary::default()
        };
        let written = crate::report::write_errors_xlsx(
            None,
            &dir.path().join("errors.xlsx"),
            &c.headers,
            &c.rejected.shown,
            &c.rejected.rules,
            &summary,
            Lang::Tr,
        );
        prop_assert!(written.is_ok(), "{:?}", written.err());
    }
}
