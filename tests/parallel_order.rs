//! Rows are validated in parallel, slice by slice, and collected in file order: the
//! reports of a dry run are the same bytes whether one thread does the work or many,
//! on a file with everything that moves row numbers around.

use std::path::Path;

use tempfile::TempDir;

const MAPPING: &str = r#"
endpoint = "oduyo.customer_update"
key = "{Cari Kodu}"

[source]
delimiter = ";"
decimal = ","
skip_if = { column = "Cari Kodu", matches = "^TOPLAM" }
total_row = { column = "Cari Kodu", matches = "^TOPLAM", sum = ["Bakiye"] }

[fields]
id = { from = "Ödüyo No", type = "integer", required = true }
name = { from = "Cari Ünvanı", required = true, transform = ["collapse_spaces"] }
email = { from = "E-Posta", check = "email" }
balance = { from = "Bakiye", type = "decimal", scale = 2, required = true }
balance_current = { from = "Bakiye", scale = 2 }
balance_paid = { value = "0" }
status = { value = "1" }
"#;

/// A UTF-8 export with a BOM, CRLF and LF line ends mixed, quoted names spanning two
/// lines, bad e-mails and amounts, repeated keys, blank lines and a TOPLAM row.
fn export(rows: u32) -> Vec<u8> {
    let mut text = String::from("\u{feff}Cari Kodu;Ödüyo No;Cari Ünvanı;E-Posta;Bakiye\r\n");
    let mut total = 0i64;
    for i in 0..rows {
        let code = if i % 997 == 5 { 3 } else { i };
        let name = if i % 13 == 0 {
            format!("\"Şirket {i}\r\nİkinci satır\"")
        } else if i % 17 == 0 {
            format!("\"Ayşe \"\"{i}\"\" Yılmaz\"")
        } else {
            format!("Müşteri   {i}")
        };
        let email = if i % 101 == 7 {
            "eksik@".to_string()
        } else {
            format!("c{i}@ornek.com.tr")
        };
        let amount = if i % 211 == 9 {
            "12,3,4".to_string()
        } else {
            total += i64::from(i);
            format!("{},{:02}", i / 100, i % 100)
        };
        let end = if i % 3 == 0 { "\n" } else { "\r\n" };
        text.push_str(&format!("C{code};{};{name};{email};{amount}{end}", i + 1));
        if i % 1000 == 999 {
            text.push_str("\r\n");
        }
    }
    text.push_str(&format!("TOPLAM;;;;{},{:02}\r\n", total / 100, total % 100));
    text.into_bytes()
}

fn dry_run(dir: &Path, input: &Path, mapping: &Path, threads: &str) -> std::path::PathBuf {
    let out = dir.join(format!("out-{threads}"));
    let status = assert_cmd::Command::cargo_bin("aktar")
        .expect("binary")
        .env("RAYON_NUM_THREADS", threads)
        .args(["check", "--quiet", "-m"])
        .arg(mapping)
        .arg("--report-dir")
        .arg(&out)
        .arg(input)
        .output()
        .expect("run aktar");
    assert_eq!(status.status.code(), Some(1), "{status:?}");
    out
}

#[test]
fn one_thread_and_many_write_the_same_reports() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("cariler.csv");
    std::fs::write(&input, export(20_000)).unwrap();
    let mapping = dir.path().join("cari.toml");
    std::fs::write(&mapping, MAPPING).unwrap();

    let one = dry_run(dir.path(), &input, &mapping, "1");
    let many = dry_run(dir.path(), &input, &mapping, "4");
    for report in ["payloads.jsonl", "errors.csv"] {
        let a = std::fs::read(one.join(report)).unwrap();
        let b = std::fs::read(many.join(report)).unwrap();
        assert!(a == b, "{report} differs between one thread and four");
    }

    // And the reports are right, not only alike: every row is in one place, with the
    // line it starts on.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(many.join("summary.json")).unwrap()).unwrap();
    let lines = std::fs::read_to_string(many.join("payloads.jsonl")).unwrap();
    let payloads: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(summary["rows"], 20_000);
    assert_eq!(summary["valid"].as_u64(), Some(payloads.len() as u64));
    let rejected = summary["rejected"].as_u64().unwrap();
    assert_eq!(payloads.len() as u64 + rejected, 20_000);
    let bad = |i: u32| i % 101 == 7 || i % 211 == 9 || i % 997 == 5 || i == 3;
    assert_eq!(rejected, (0..20_000).filter(|&i| bad(i)).count() as u64);
    // Row numbers strictly increase, and a quoted two-line name pushes the next row
    // down by one.
    let rows: Vec<u64> = payloads
        .iter()
        .map(|p| p["row"].as_u64().unwrap())
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]));
    let first = &payloads[0];
    assert_eq!(first["row"], 2);
    assert_eq!(first["body"]["column"]["name"], "Şirket 0 İkinci satır");
    let row_of = |key: &str| {
        payloads
            .iter()
            .find(|p| p["key"] == key)
            .map(|p| p["row"].as_u64().unwrap())
    };
    assert_eq!(row_of("C1"), Some(4));
    assert_eq!(row_of("C13"), Some(16));
    assert_eq!(row_of("C14"), Some(18));
    // C3 is also the key of every 997th row from the sixth: all of them rejected.
    assert_eq!(row_of("C3"), None);
    let errors = std::fs::read_to_string(many.join("errors.csv")).unwrap();
    let c3 = errors.lines().filter(|l| l.contains("C3")).count();
    assert_eq!(
        c3,
        1 + (0..20_000).filter(|i| i % 997 == 5).count(),
        "{errors:.2000}"
    );
}
