//! The validating half over sources that fail: a reader that dies or errs half-way is
//! an error, never an end of input; a stop ends the reading early and says so.

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::batches::HELD;
use super::*;
use crate::problem::Lang;
use crate::read::RecordStream;

const ROWS: usize = 40_000;

fn mapping() -> Mapping {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/customers.toml");
    crate::mapping::load(&path).unwrap()
}

/// A customers export of `ROWS` rows.
fn export(dir: &tempfile::TempDir) -> PathBuf {
    let mut text = String::from("Cari Kodu;Ödüyo No;Ünvan;Bakiye\n");
    for i in 0..ROWS {
        text.push_str(&format!("C{i:05};{};Müşteri {i};{i},50\n", i + 1));
    }
    let path = dir.path().join("cariler.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// The export opened for `m`, its record stream passed through `wrap`.
fn input(m: &Mapping, path: &Path, wrap: impl FnOnce(RecordStream) -> RecordStream) -> Input {
    let mut table = read::open(path, &m.source).unwrap();
    table.records = wrap(table.records);
    let binding = m.bind(&table.headers).unwrap();
    Input {
        path: path.to_path_buf(),
        table,
        binding,
        control: None,
    }
}

fn run(
    m: &Mapping,
    dir: &tempfile::TempDir,
    input: Input,
    stop: &CancellationToken,
    progress: impl FnMut(u64, u64),
) -> Result<Collected, PipelineError> {
    run_all(m, dir, vec![input], None, stop, progress)
}

/// Collects `inputs` with their spill and errors.csv in `dir`.
fn run_all(
    m: &Mapping,
    dir: &tempfile::TempDir,
    inputs: Vec<Input>,
    limit: Option<u64>,
    stop: &CancellationToken,
    progress: impl FnMut(u64, u64),
) -> Result<Collected, PipelineError> {
    let spill = dir.path().join(".requests.jsonl");
    let errors = dir.path().join("errors.csv");
    let sinks = Sinks {
        spill: &spill,
        errors_csv: &errors,
        lang: Lang::En,
    };
    collect(
        m,
        inputs,
        "http://127.0.0.1:9",
        &sinks,
        limit,
        stop,
        progress,
    )
}

#[test]
fn the_whole_export_is_read_when_nothing_goes_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping();
    let path = export(&dir);
    let c = run(
        &m,
        &dir,
        input(&m, &path, |r| r),
        &CancellationToken::new(),
        |_, _| {},
    )
    .unwrap();
    assert_eq!(
        (c.rows, c.valid, c.interrupted),
        (ROWS as u64, ROWS as u64, false)
    );
}

#[test]
fn a_reader_that_panics_half_way_is_an_error_not_the_end_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping();
    let path = export(&dir);
    let dying = input(&m, &path, |records| {
        RecordStream::new(records.enumerate().map(|(i, r)| {
            assert!(i < 5_000, "the disk went away");
            r
        }))
    });
    match run(&m, &dir, dying, &CancellationToken::new(), |_, _| {}) {
        Err(e @ PipelineError::ReaderDied { .. }) => {
            let text = e.to_string();
            assert!(text.contains("cariler.csv"), "{text}");
            assert!(text.contains("the disk went away"), "{text}");
            assert!(text.contains("not read to its end"), "{text}");
        }
        Err(other) => panic!("expected ReaderDied, got {other}"),
        Ok(c) => panic!(
            "a dead reader passed for the end of the file: {} rows",
            c.rows
        ),
    }
}

#[test]
fn an_io_error_half_way_is_an_error_not_the_end_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping();
    let path = export(&dir);
    let failing = input(&m, &path, |records| {
        RecordStream::new(records.enumerate().map(|(i, r)| {
            if i == 5_000 {
                Err(ReadError::Io {
                    file: "cariler.csv".into(),
                    row: 5_002,
                    message: "Input/output error (os error 5)".into(),
                })
            } else {
                r
            }
        }))
    });
    match run(&m, &dir, failing, &CancellationToken::new(), |_, _| {}) {
        Err(PipelineError::Read(ReadError::Io { row, .. })) => assert_eq!(row, 5_002),
        Err(other) => panic!("expected the read error, got {other}"),
        Ok(c) => panic!(
            "an I/O error passed for the end of the file: {} rows",
            c.rows
        ),
    }
}

#[test]
fn a_stop_ends_the_reading_at_the_next_batch() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping();
    let path = export(&dir);
    let stop = CancellationToken::new();
    let c = run(&m, &dir, input(&m, &path, |r| r), &stop, |rows, _| {
        // The first batch is counted once it is kept, which happens while others are
        // validated: the stop arrives then.
        if rows > 0 {
            stop.cancel();
        }
    })
    .unwrap();
    assert!(c.interrupted);
    // The others taken by then, validated already, are reported; no batch more is.
    let read = c.rows as usize;
    assert!((BATCH..=HELD * BATCH).contains(&read), "{read} rows");
    const { assert!(HELD * BATCH < ROWS) };
    assert_eq!(read % BATCH, 0, "whole batches");
    assert_eq!(c.valid, c.rows);
    let spilled = std::fs::read_to_string(&c.spill).unwrap().lines().count();
    assert_eq!(spilled, read, "what was read is kept for the report");
}

#[test]
fn the_limit_counts_the_rows_of_every_input_together() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping();
    let first = export(&dir);
    let second = dir.path().join("ikinci.csv");
    let other_keys = std::fs::read_to_string(&first)
        .unwrap()
        .replace("\nC", "\nD");
    std::fs::write(&second, other_keys).unwrap();
    let inputs = vec![input(&m, &first, |r| r), input(&m, &second, |r| r)];
    let limit = ROWS as u64 + 7;
    let stop = CancellationToken::new();
    let c = run_all(&m, &dir, inputs, Some(limit), &stop, |_, _| {}).unwrap();
    assert_eq!((c.rows, c.valid, c.limited), (limit, limit, true));
    let lines = std::fs::read_to_string(&c.spill).unwrap();
    let from_second = lines.lines().filter(|l| l.contains("ikinci.csv")).count();
    assert_eq!(from_second, 7);
}

/// An export with every kind of row a reader shapes, past the first batch (which holds
/// the rows read while opening):
/// a byte-order mark, CRLF and LF line ends, blank lines, quoted fields over two lines,
/// rows with a field too many, rejected rows, repeated keys, a subtotal row that
/// `skip_if` skips and the total row at the end.
fn varied_export(dir: &tempfile::TempDir) -> PathBuf {
    let mut text = String::from("\u{feff}Cari Kodu;Ödüyo No;Ünvan;Bakiye\r\n");
    for i in 0..8_192u32 {
        let key = if i % 19 == 0 && i > 0 { i - 1 } else { i };
        let name = match i % 7 {
            0 => String::new(),
            1 => format!("\"Müşteri\n{i}\""),
            _ => format!("Müşteri {i}"),
        };
        let balance = if i % 11 == 0 {
            "1,2,3".into()
        } else {
            format!("{i},50")
        };
        let extra = if i % 13 == 0 { ";fazla" } else { "" };
        let end = if i % 3 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!("C{key:05};{};{name};{balance}{extra}{end}", i + 1));
        if i % 250 == 0 {
            text.push_str(";;;\n\n");
        }
        if i == 6_000 {
            text.push_str("TOPLAM ARA;;;100\n");
        }
    }
    text.push_str("TOPLAM;;;4497000,00\n");
    let path = dir.path().join("cariler.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Everything a run leaves that could tell the two ways of reading apart.
fn outcome(dir: &tempfile::TempDir, c: &Collected) -> String {
    let file = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let skipped: Vec<u64> = c.skipped_rows.iter().map(|r| r.pos.row).collect();
    format!(
        "rows {} valid {} rejected {} skipped {} {skipped:?} limited {} controls {:?}\n{}\n{}",
        c.rows,
        c.valid,
        c.rejected.rows,
        c.skipped,
        c.limited,
        c.controls,
        file(".requests.jsonl"),
        file("errors.csv"),
    )
    .replace(&dir.path().display().to_string(), "DIR")
}

#[test]
fn text_batches_and_records_make_the_same_run() {
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/customers.toml"),
    )
    .unwrap()
    .replace(
        "[source]",
        "[source]\ntotal_row = { column = \"Cari Kodu\", matches = \"^TOPLAM\", sum = [\"Bakiye\"] }",
    );
    for limit in [None, Some(7_000)] {
        let mut runs = Vec::new();
        for records in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let mapping = dir.path().join("m.toml");
            std::fs::write(&mapping, &toml).unwrap();
            let m = crate::mapping::load(&mapping).unwrap();
            let path = varied_export(&dir);
            let mut input = input(
                &m,
                &path,
                |r| {
                    if records { RecordStream::new(r) } else { r }
                },
            );
            input.control = control_columns(&m, &input.table).unwrap();
            let c = run_all(
                &m,
                &dir,
                vec![input],
                limit,
                &CancellationToken::new(),
                |_, _| {},
            )
            .unwrap();
            assert!(
                c.rejected.rows > 500 && c.valid > 1_000,
                "{} {}",
                c.rejected.rows,
                c.valid
            );
            assert_eq!(c.skipped, if limit.is_some() { 1 } else { 2 });
            assert_eq!(c.controls.len(), 1);
            runs.push(outcome(&dir, &c));
        }
        assert!(
            runs[0] == runs[1],
            "limit {limit:?}:\n{}\n---\n{}",
            runs[0],
            runs[1]
        );
    }
}
