//! The delimited reader on files as exports write them: encodings, delimiters, quoted
//! fields, line ends, row numbers and cells.

use super::*;
use crate::read::batch::INLINE;
use crate::read::{EncodingChoice, Record, SkipIf, Table, open};

fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn read(name: &str, bytes: &[u8], opts: &SourceOptions) -> Table {
    let (_dir, path) = write(name, bytes);
    open(&path, opts).unwrap()
}

/// Row number and cell texts of every record (`!` marks a skipped one).
fn rows(table: Table) -> Vec<(u64, Vec<String>)> {
    table
        .records
        .map(|r| match r.unwrap() {
            Record::Data(row) => (row.pos.row, texts(&row.cells)),
            Record::Skipped(row) => {
                let mut t = texts(&row.cells);
                t.insert(0, "!".into());
                (row.pos.row, t)
            }
        })
        .collect()
}

fn texts(cells: &[Cell]) -> Vec<String> {
    cells
        .iter()
        .map(|c| match c {
            Cell::Text(s) => s.to_string(),
            Cell::Empty => String::new(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn default() -> SourceOptions {
    SourceOptions::default()
}

#[test]
fn utf8_with_and_without_bom() {
    for bytes in [
        "Cari Kodu;Ünvan\nC1;Şişli Ağaç\n".as_bytes().to_vec(),
        [
            b"\xEF\xBB\xBF".as_slice(),
            "Cari Kodu;Ünvan\nC1;Şişli Ağaç\n".as_bytes(),
        ]
        .concat(),
    ] {
        let t = read("a.csv", &bytes, &default());
        assert_eq!(t.headers, ["Cari Kodu", "Ünvan"]);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
        assert_eq!(
            rows(t),
            [(2, vec!["C1".to_owned(), "Şişli Ağaç".to_owned()])]
        );
    }
}

#[test]
fn utf16_le_with_bom() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        "Kod\tÜnvan\r\n1\tIĞDIR\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let t = read("a.txt", &bytes, &default());
    assert_eq!(t.headers, ["Kod", "Ünvan"]);
    assert!(t.warnings.iter().any(|w| w.contains("UTF-16LE")));
    assert_eq!(rows(t), [(2, vec!["1".to_owned(), "IĞDIR".to_owned()])]);
}

#[test]
fn windows_1254_detected_and_decoded() {
    let bytes = b"Kod;\xDCnvan\r\n1;\xDDSTANBUL \xDE\xDDRKET\xDD\r\n2;\xC7a\xF0r\xFD \xFEube\r\n";
    let t = read("a.csv", bytes, &default());
    assert_eq!(t.headers, ["Kod", "Ünvan"]);
    assert_eq!(t.warnings.len(), 1);
    assert!(t.warnings[0].contains("windows-1254"));
    let got = rows(t);
    assert_eq!(got[0].1[1], "İSTANBUL ŞİRKETİ");
    assert_eq!(got[1].1[1], "Çağrı şube");
}

#[test]
fn pinned_encodings() {
    let opts = SourceOptions {
        encoding: EncodingChoice::Windows1254,
        ..default()
    };
    let t = read("a.csv", b"Kod;Ad\n1;\xFEube\n", &opts);
    assert!(t.warnings.is_empty());
    assert_eq!(rows(t)[0].1[1], "şube");

    // Pinned UTF-8 does not guess: the bad row is an error item naming the row.
    let opts = SourceOptions {
        encoding: EncodingChoice::Utf8,
        ..default()
    };
    let (_dir, path) = write("a.csv", b"Kod;Ad\n1;ok\n2;\xFEube\n");
    let t = open(&path, &opts).unwrap();
    let items: Vec<_> = t.records.collect();
    assert_eq!(items.len(), 2);
    match &items[1] {
        Err(ReadError::Io { row, message, .. }) => {
            assert_eq!(*row, 3);
            assert!(message.contains("windows-1254"));
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn auto_utf8_falls_back_per_field_after_the_sniff_window() {
    let mut bytes = b"Kod;Ad\n".to_vec();
    while bytes.len() <= SNIFF_LEN {
        bytes.extend_from_slice(b"K;ascii only\n");
    }
    bytes.extend_from_slice(b"Z;\xDDzmir\n");
    let t = read("big.csv", &bytes, &default());
    let last = t.records.last().unwrap().unwrap();
    let Record::Data(row) = last else {
        panic!("data expected")
    };
    assert_eq!(row.cells[1], Cell::Text("İzmir".into()));
}

#[test]
fn each_delimiter_is_sniffed() {
    for (d, sep) in [(b';', ";"), (b',', ","), (b'\t', "\t"), (b'|', "|")] {
        let text = format!("a{sep}b{sep}c\n1{sep}2{sep}3\n4{sep}5{sep}6\n");
        assert_eq!(sniff_delimiter(&text, true), d, "{sep:?}");
        let t = read("x.csv", text.as_bytes(), &default());
        assert_eq!(t.headers, ["a", "b", "c"]);
    }
}

#[test]
fn tsv_defaults_to_tab_and_a_pinned_delimiter_wins() {
    let t = read("x.tsv", b"a;b\tc\n1;2\t3\n", &default());
    assert_eq!(t.headers, ["a;b", "c"]);
    let opts = SourceOptions {
        delimiter: Some(b'|'),
        ..default()
    };
    let t = read("x.csv", b"a|b;c\n1|2;3\n", &opts);
    assert_eq!(t.headers, ["a", "b;c"]);
}

#[test]
fn title_rows_above_the_header() {
    let text = "CARİ HESAP LİSTESİ\n01.01.2025 - 31.01.2025\n\nCari Kodu;Ünvan;Bakiye\nC1;Ali;10\n";
    let explicit = SourceOptions {
        header_row: Some(4),
        ..default()
    };
    let auto = SourceOptions {
        expected_columns: vec!["CARİ KODU".into(), "bakiye".into()],
        ..default()
    };
    for opts in [explicit, auto] {
        let t = read("t.csv", text.as_bytes(), &opts);
        assert_eq!(t.header_row, 4);
        assert_eq!(t.headers, ["Cari Kodu", "Ünvan", "Bakiye"]);
        assert_eq!(rows(t), [(5, vec!["C1".into(), "Ali".into(), "10".into()])]);
    }
}

#[test]
fn a_line_wider_than_a_spreadsheet_is_an_error_naming_its_row() {
    let wide = ";x".repeat(MAX_COLUMNS);
    let t = read(
        "a.csv",
        format!("Kod;Ad\n1;a\n2{wide}\n").as_bytes(),
        &default(),
    );
    let got: Vec<_> = t.records.collect();
    assert_eq!(got.len(), 2);
    match &got[1] {
        Err(ReadError::TooWide { row, fields, .. }) => {
            assert_eq!((*row, *fields), (3, MAX_COLUMNS + 1));
        }
        other => panic!("expected TooWide, got {other:?}"),
    }
    let (_dir, path) = write("b.csv", format!("Kod{wide}").as_bytes());
    assert!(matches!(
        open(&path, &default()),
        Err(ReadError::TooWide { row: 1, .. })
    ));
    // As wide as a spreadsheet is still a row.
    let fits = ";x".repeat(MAX_COLUMNS - 1);
    let t = read(
        "c.csv",
        format!("K{fits}\n1{fits}\n").as_bytes(),
        &default(),
    );
    assert_eq!(t.records.filter(Result::is_ok).count(), 1);
}

#[test]
fn a_line_longer_than_any_export_is_an_error_naming_its_line() {
    use crate::read::lines::MAX_LINE;
    // Measured as csv_core reads the line, a parser buffer (64 KiB) at a time.
    let long = "a".repeat(MAX_LINE as usize + (1 << 17));
    let t = read(
        "a.csv",
        format!("Kod;Ad\n1;b\n2;{long}\n3;c\n").as_bytes(),
        &default(),
    );
    let got: Vec<_> = t.records.collect();
    assert!(matches!(&got[0], Ok(Record::Data(r)) if r.pos.row == 2));
    match got.last() {
        Some(Err(ReadError::Io { message, .. })) => {
            assert!(
                message.contains("line 3 is longer than 16 MiB"),
                "{message}"
            );
        }
        other => panic!("expected a read error, got {other:?}"),
    }
    let (_dir, path) = write("b.csv", long.as_bytes());
    match open(&path, &default()) {
        Err(ReadError::Io { message, .. }) => {
            assert!(message.contains("line 1 is longer than"), "{message}");
        }
        other => panic!("expected a read error, got {:?}", other.map(|t| t.headers)),
    }
    // A long line that ends in time is a row like any other.
    let fits = "a".repeat(MAX_LINE as usize - 16);
    let t = read(
        "c.csv",
        format!("Kod;Ad\n1;{fits}\n").as_bytes(),
        &default(),
    );
    assert_eq!(t.records.filter(Result::is_ok).count(), 1);
}

#[test]
fn skip_if_total_rows() {
    let opts = SourceOptions {
        skip_if: vec![SkipIf {
            column: "Cari Kodu".into(),
            matches: regex::Regex::new("^TOPLAM").unwrap(),
        }],
        ..default()
    };
    let t = read("t.csv", b"Cari Kodu;Tutar\nC1;5\n TOPLAM ;5\n", &opts);
    let got = rows(t);
    assert_eq!(got[0], (2, vec!["C1".into(), "5".into()]));
    assert_eq!(got[1], (3, vec!["!".into(), " TOPLAM ".into(), "5".into()]));
}

#[test]
fn blank_rows_are_skipped_and_counted_in_row_numbers() {
    let t = read("t.csv", b"a;b\n\n1;2\n;\n  ;\t\n\r\n3;4\n", &default());
    let got = rows(t);
    assert_eq!(got.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 7]);
}

#[test]
fn a_quoted_field_spanning_lines_moves_later_row_numbers() {
    let t = read("t.csv", b"a;b\n1;\"two\nlines\"\n2;x\n", &default());
    let got = rows(t);
    assert_eq!(got[0], (2, vec!["1".into(), "two\nlines".into()]));
    assert_eq!(got[1], (4, vec!["2".into(), "x".into()]));

    // CRLF line ends, blank CRLF lines, a CRLF inside quotes, no final line end.
    let t = read("t.csv", b"a;b\r\n\r\n1;\"x\r\ny\"\r\n\r\n2;z", &default());
    let got = rows(t);
    assert_eq!(got[0], (3, vec!["1".into(), "x\r\ny".into()]));
    assert_eq!(got[1], (6, vec!["2".into(), "z".into()]));
}

#[test]
fn ragged_rows_keep_their_cells() {
    let t = read("t.csv", b"a;b;c\n1;2\n1;2;3;4\n1;;3\n", &default());
    let items: Vec<_> = t.records.map(|r| r.unwrap()).collect();
    let shape = |r: &Record| match r {
        Record::Data(row) | Record::Skipped(row) => (row.cells.len(), row.ragged),
    };
    assert_eq!(shape(&items[0]), (2, Some((2, 3))));
    assert_eq!(shape(&items[1]), (4, Some((4, 3))));
    assert_eq!(shape(&items[2]), (3, None));
    let Record::Data(row) = &items[2] else {
        panic!("data expected")
    };
    assert_eq!(row.cells[1], Cell::Empty);
}

#[test]
fn cells_of_every_length_around_the_inline_limit_keep_their_text() {
    let mut texts: Vec<String> = (0..=INLINE + 2).map(|n| "x".repeat(n)).collect();
    // Two-byte letters put a character across the limit.
    texts.push("ş".repeat(INLINE / 2));
    texts.push(format!("{}ş", "x".repeat(INLINE - 1)));
    let line = texts.join(";");
    let header: Vec<String> = (0..texts.len()).map(|i| format!("c{i}")).collect();
    let file = format!("{}\n{line}\n", header.join(";"));
    let got = rows(read("t.csv", file.as_bytes(), &default()));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, texts);
    let (_dir, path) = write("t.csv", file.as_bytes());
    let table = open(&path, &default()).unwrap();
    let mut records = table.records;
    let Some(Ok(Record::Data(row))) = records.next() else {
        panic!("a data row expected");
    };
    assert_eq!(row.cells[0], Cell::Empty);
    for (cell, text) in row.cells.iter().zip(&texts).skip(1) {
        assert_eq!(*cell, Cell::Text(text.as_str().into()));
    }
}

#[test]
fn cells_are_not_trimmed() {
    let t = read("t.csv", b"a;b\n x ;\" y \"\n", &default());
    assert_eq!(rows(t)[0].1, [" x ", " y "]);
}

#[test]
fn mojibake_in_a_utf8_file_is_warned() {
    let t = read(
        "t.csv",
        "Kod;Ünvan\n1;ÝSTANBUL\n2;MÜÞTERÝ\n".as_bytes(),
        &default(),
    );
    assert_eq!(t.warnings.len(), 1);
    assert!(
        t.warnings[0].contains("row 2, column `Ünvan`"),
        "{}",
        t.warnings[0]
    );
}

/// A disk, share or USB stick that fails part-way: the bytes up to `good`, then
/// an error from every read.
struct FailingAfter {
    bytes: std::io::Cursor<Vec<u8>>,
    good: u64,
}

impl Read for FailingAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.good.saturating_sub(self.bytes.position());
        if left == 0 {
            return Err(std::io::Error::other("Input/output error"));
        }
        let n = buf.len().min(left as usize);
        self.bytes.read(&mut buf[..n])
    }
}

#[test]
fn an_io_error_part_way_is_an_error_after_the_rows_read_not_the_end() {
    // Past the first MiB, which is read whole to sniff the encoding.
    let mut text = String::from("Kod;Ad\n");
    for i in 0..80_000 {
        text.push_str(&format!("{i};Müşteri {i}\n"));
    }
    assert!(text.len() > SNIFF_LEN + 100_000);
    let good = (SNIFF_LEN + 50_000) as u64;
    let source = FailingAfter {
        bytes: std::io::Cursor::new(text.into_bytes()),
        good,
    };
    let src = super::open(source, Arc::from("cariler.csv"), &default(), false).unwrap();
    let items: Vec<_> = src.rows.collect();
    let read = items.iter().take_while(|r| r.is_ok()).count();
    assert!(
        read > 50_000 && read < 80_000,
        "{read} rows before the failure"
    );
    match &items[read..] {
        [Err(ReadError::Io { file, message, .. })] => {
            assert_eq!(file, "cariler.csv");
            assert!(message.contains("Input/output error"), "{message}");
        }
        rest => panic!("expected one error after {read} rows, got {rest:?}"),
    }
}

#[test]
fn header_only_file_has_no_records() {
    let t = read("t.csv", b"Kod;Ad\n", &default());
    assert_eq!(t.headers, ["Kod", "Ad"]);
    assert_eq!(t.header_row, 1);
    assert_eq!(t.records.count(), 0);
}
