//! Inputs that are no export and report folders used again, through the real binary:
//! control-total columns the file lacks, a line of millions of columns, header names
//! given twice or left blank, a sheet the workbook lacks, value tables whose keys
//! collide, a reused `--report-dir` (never two runs mixed, never an input overwritten),
//! a time written as a plain number, and `journal list --since` with a value that is no
//! date.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use tempfile::TempDir;

const HEADER: &str = "Cari Kodu;Ödüyo No;Ünvan;Bakiye";

/// The bad-files mapping (customers, decimal comma) with `extra` added to `[source]`.
fn customers_mapping(dir: &TempDir, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/customers.toml"))
        .expect("fixture")
        .replace("decimal = \",\"", &format!("decimal = \",\"\n{extra}"));
    write(dir, "m.toml", text.as_bytes())
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

/// `aktar check` with `mapping` into `out`: exit code and stderr.
fn check(mapping: &Path, inputs: &[&Path], out: &Path) -> (i32, String) {
    let output = common::aktar()
        .args(["check", "--quiet", "-m"])
        .arg(mapping)
        .arg("--report-dir")
        .arg(out)
        .args(inputs)
        .output()
        .expect("run aktar");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().unwrap_or(-1), stderr)
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("errors.xlsx opens");
    let range = wb.worksheet_range(name).expect("sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn a_total_row_column_the_file_lacks_exits_2_naming_it_and_the_columns_there_are() {
    let dir = TempDir::new().unwrap();
    let m = customers_mapping(
        &dir,
        r#"total_row = { column = "Cari Kodu", matches = "^TOPLAM", sum = ["Bakiye", "Güncel Bakiye"] }"#,
    );
    let input = write(
        &dir,
        "c.csv",
        format!("{HEADER}\nC1;1;Ali;5,00\nTOPLAM;;;5,00\n").as_bytes(),
    );
    let (code, stderr) = check(&m, &[&input], &dir.path().join("out"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("c.csv")
            && stderr.contains("total_row reads `Güncel Bakiye`")
            && stderr.contains("the file has: `Cari Kodu`, `Ödüyo No`, `Ünvan`, `Bakiye`"),
        "{stderr}"
    );

    // The column that marks the total row, too.
    let m = customers_mapping(
        &dir,
        r#"total_row = { column = "Satır Tipi", matches = "^TOPLAM", sum = ["Bakiye"] }"#,
    );
    let (code, stderr) = check(&m, &[&input], &dir.path().join("out"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("total_row reads `Satır Tipi`") && stderr.contains("`Bakiye`"),
        "{stderr}"
    );
}

#[test]
fn mapping_lint_refuses_a_total_row_summing_a_column_twice_and_colliding_map_keys() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/customers.toml"))
        .unwrap()
        .replace(
            "decimal = \",\"",
            "decimal = \",\"\ntotal_row = { column = \"Cari Kodu\", matches = \"^TOPLAM\", sum = [\"Bakiye\", \"BAKİYE\"] }",
        )
        + "customer_type_1 = { from = \"Tip\", map = { \"Şirket\" = \"2\", \"ŞİRKET\" = \"1\" } }\n";
    let m = write(&dir, "m.toml", text.as_bytes());
    let out = common::aktar()
        .args(["mapping", "lint"])
        .arg(&m)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("m.toml:7:") && stderr.contains("sum names `Bakiye` twice"),
        "{stderr}"
    );
    assert!(
        stderr.contains("m.toml:15:") && stderr.contains("map keys `Şirket` and `ŞİRKET`"),
        "{stderr}"
    );
}

#[test]
fn a_sheet_the_workbook_lacks_names_the_mapping_line_and_column() {
    let dir = TempDir::new().unwrap();
    let m = customers_mapping(&dir, "sheet = \"Carilerr\"");
    let xlsx = dir.path().join("cariler.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Cariler").unwrap();
    for (i, h) in HEADER.split(';').enumerate() {
        ws.write_string(0, i as u16, h).unwrap();
    }
    wb.save(&xlsx).unwrap();
    let (code, stderr) = check(&m, &[&xlsx], &dir.path().join("out"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cariler.xlsx: no sheet `Carilerr`; the workbook has: `Cariler`")
            && stderr.contains("m.toml:7:9"),
        "{stderr}"
    );
}

#[test]
fn a_line_of_three_million_columns_is_an_input_error_not_a_report_failure() {
    let dir = TempDir::new().unwrap();
    let m = customers_mapping(&dir, "");
    let wide = ";x".repeat(3_000_000);
    // A data row that long, and a file that is one such line.
    let cases = [
        ("wide.csv", format!("{HEADER}\nC1;1;Ali;5\nC2{wide}\n"), 3),
        ("noline.csv", format!("Cari Kodu{wide}"), 1),
    ];
    for (name, content, row) in cases {
        let input = write(&dir, name, content.as_bytes());
        let out = dir.path().join(format!("out-{name}"));
        // A reader gone quadratic on such a line would take hours, not seconds: the
        // binary's own bound (`common::aktar`) fails the test long before, without a
        // clock here that a loaded machine could trip.
        let (code, stderr) = check(&m, &[&input], &out);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{name}: row {row} has 3000001 fields"))
                && stderr.contains("line breaks"),
            "{name}: {}",
            &stderr[..stderr.len().min(500)]
        );
        assert!(!stderr.contains("errors.xlsx"), "{name}: {stderr}");
        assert!(stderr.len() < 1000, "{name}: a message, not the line");
    }
}

#[test]
fn header_names_given_twice_or_left_blank_stay_distinct_columns_in_errors_xlsx() {
    let dir = TempDir::new().unwrap();
    let m = customers_mapping(&dir, "");
    let input = write(
        &dir,
        "c.csv",
        "Cari Kodu;Not;Ödüyo No;;Ünvan;Not;Bakiye;\nC1;ilk;x;boş1;Ali;ikinci;5;boş2\n".as_bytes(),
    );
    let out = dir.path().join("out");
    let (code, stderr) = check(&m, &[&input], &out);
    assert_eq!(code, 1, "{stderr}");
    let rows = sheet(&out.join("errors.xlsx"), "Hatalar");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    let row: Vec<String> = rows[1].iter().map(text).collect();
    let at = |name: &str, n: usize| {
        header
            .iter()
            .enumerate()
            .filter(|(_, h)| *h == name)
            .nth(n)
            .map(|(i, _)| row[i].clone())
            .unwrap_or_else(|| panic!("no {name} #{n} in {header:?}"))
    };
    assert_eq!(at("Not", 0), "ilk", "{header:?} {row:?}");
    assert_eq!(at("Not", 1), "ikinci", "{header:?} {row:?}");
    assert_eq!(at("", 0), "boş1", "{header:?} {row:?}");
    assert_eq!(at("", 1), "boş2", "{header:?} {row:?}");
    assert_eq!(at("Ödüyo No", 0), "x");
}

#[test]
fn a_reused_report_dir_holds_only_the_last_run_and_keeps_other_files() {
    let dir = TempDir::new().unwrap();
    let m = customers_mapping(&dir, "");
    let out = dir.path().join("out");
    let bad = write(
        &dir,
        "bad.csv",
        format!("{HEADER}\nC1;x;Ali;5\n").as_bytes(),
    );
    assert_eq!(check(&m, &[&bad], &out).0, 1);
    // What a sending run and a mail leave, and what a person keeps there.
    for name in [
        "failed.csv",
        "uncertain.csv",
        "sent.csv",
        "mail.eml",
        ".requests.jsonl",
    ] {
        std::fs::write(out.join(name), "old run\n").unwrap();
    }
    std::fs::write(out.join("notlar.txt"), "keep\n").unwrap();
    std::fs::write(out.join("cari.csv"), "keep\n").unwrap();

    let good = write(
        &dir,
        "good.csv",
        format!("{HEADER}\nC1;1;Ali;5\n").as_bytes(),
    );
    let (code, stderr) = check(&m, &[&good], &out);
    assert_eq!(code, 0, "{stderr}");
    for gone in [
        "failed.csv",
        "uncertain.csv",
        "sent.csv",
        "mail.eml",
        ".requests.jsonl",
    ] {
        assert!(
            !out.join(gone).exists(),
            "{gone} of the earlier run is left"
        );
    }
    let errors = std::fs::read_to_string(out.join("errors.csv")).unwrap();
    assert!(!errors.contains("bad.csv"), "{errors}");
    let payloads = common::payloads(&out);
    assert_eq!(payloads.len(), 1);
    assert_eq!(common::summary(&out)["rejected"], 0);
    for kept in ["notlar.txt", "cari.csv"] {
        assert_eq!(std::fs::read_to_string(out.join(kept)).unwrap(), "keep\n");
    }
}

#[test]
fn an_input_inside_the_report_dir_under_a_report_name_is_refused_never_overwritten() {
    let dir = TempDir::new().unwrap();
    let m = customers_mapping(&dir, "");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let content = format!("{HEADER}\nC1;x;Ali;5\n");
    let input = write(&dir, "out/errors.csv", content.as_bytes());
    // Named through another spelling of the same folder.
    let spelled = dir.path().join("out/../out/errors.csv");
    for given in [&input, &spelled] {
        let (code, stderr) = check(&m, &[given], &out);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("errors.csv") && stderr.contains("report folder"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(&input).unwrap(), content);
        assert!(!out.join("summary.json").exists());
    }
    // An export kept in the folder under a name of its own is read as usual.
    let kept = write(&dir, "out/cariler.csv", content.as_bytes());
    let (code, stderr) = check(&m, &[&kept], &out);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), content);
}

#[test]
fn a_time_written_as_a_plain_number_is_the_time_a_time_cell_shows() {
    let dir = TempDir::new().unwrap();
    let xlsx = dir.path().join("hareket.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "Fiş No",
        "Cari",
        "Borç",
        "Alacak",
        "Tarih",
        "Saat",
        "Açıklama",
    ];
    for (i, h) in header.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    let time_format = rust_xlsxwriter::Format::new().set_num_format("hh:mm:ss");
    for (r, (key, saat, formatted)) in [
        ("F1", 0.999_995_37, false),
        ("F2", 0.999_995_37, true),
        ("F3", 0.5, false),
        ("F4", 46_354.75, false),
    ]
    .into_iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, 0, key).unwrap();
        ws.write_number(r, 1, 7).unwrap();
        ws.write_number(r, 3, 100).unwrap();
        ws.write_string(r, 4, "28.11.2026").unwrap();
        if formatted {
            ws.write_number_with_format(r, 5, saat, &time_format)
                .unwrap();
        } else {
            ws.write_number(r, 5, saat).unwrap();
        }
        ws.write_string(r, 6, format!("{key} tahsilat")).unwrap();
    }
    wb.save(&xlsx).unwrap();
    let m = common::root().join("tests/fixtures/hareket.toml");
    let out = dir.path().join("out");
    let (code, stderr) = check(&m, &[&xlsx], &out);
    assert_eq!(code, 0, "{stderr}");
    let hours: Vec<(String, String)> = common::payloads(&out)
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap_or_default().to_string(),
                p["body"]["column"]["hour"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        hours,
        [
            ("F1".to_string(), "23:59".to_string()),
            ("F2".to_string(), "23:59".to_string()),
            ("F3".to_string(), "12:00".to_string()),
            ("F4".to_string(), "18:00".to_string()),
        ]
    );
}

#[test]
fn journal_list_since_refuses_a_value_that_is_no_date() {
    let dir = TempDir::new().unwrap();
    let cfg = write(
        &dir,
        "aktar.toml",
        format!(
            "[state]\npath = \"{}\"\n",
            dir.path().join("state.db").display()
        )
        .as_bytes(),
    );
    for value in ["dün", "2026-02-30", "2026-11-20x", "20261120"] {
        let out = common::aktar()
            .args(["journal", "list", "--config"])
            .arg(&cfg)
            .args(["--since", value])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value}: {stderr}");
        assert!(
            stderr.contains(&format!("--since `{value}` is not a date")),
            "{value}: {stderr}"
        );
    }
}
