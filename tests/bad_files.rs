//! Files that cannot be read, and mappings that are wrong: a clear message naming the
//! file (and row or column), the documented exit code, and never a panic.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn aktar() -> Command {
    let mut c = Command::cargo_bin("aktar").expect("binary");
    c.env_remove("RUST_BACKTRACE");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

fn check(dir: &TempDir, input: &Path) -> assert_cmd::assert::Assert {
    aktar()
        .current_dir(dir.path())
        .args(["check", "-m"])
        .arg(fixture("customers.toml"))
        .arg("--report-dir")
        .arg(dir.path().join("out"))
        .arg(input)
        .assert()
}

fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked").not()
}

#[test]
fn missing_file_exits_2_naming_it() {
    let dir = TempDir::new().unwrap();
    check(&dir, &dir.path().join("yok.csv"))
        .code(2)
        .stderr(predicate::str::contains("yok.csv").and(no_panic()));
    assert!(
        !dir.path().join("out").exists(),
        "no report for a run that never started"
    );
}

#[test]
fn empty_file_exits_2() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "bos.csv", b"");
    check(&dir, &p).code(2).stderr(
        predicate::str::contains("bos.csv")
            .and(predicate::str::contains("empty"))
            .and(no_panic()),
    );
}

#[test]
fn header_only_file_is_a_quiet_night() {
    let dir = TempDir::new().unwrap();
    let p = write(
        &dir,
        "h.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\r\n".as_bytes(),
    );
    check(&dir, &p).code(0);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(s["rows"], 0);
    assert_eq!(s["rejected"], 0);
}

#[test]
fn not_a_spreadsheet_exits_2() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "rapor.xlsx", b"this is plain text, not a workbook\n");
    check(&dir, &p)
        .code(2)
        .stderr(predicate::str::contains("rapor.xlsx").and(no_panic()));
}

#[test]
fn missing_column_names_what_the_file_has() {
    let dir = TempDir::new().unwrap();
    let p = write(
        &dir,
        "c.csv",
        "Cari Kodu;Ödüyo No;Unvan;Bakiye\n1;2;x;3\n".as_bytes(),
    );
    check(&dir, &p).code(2).stderr(
        predicate::str::contains("c.csv")
            .and(predicate::str::contains("`Ünvan`"))
            .and(predicate::str::contains(
                "the file has: `Cari Kodu`, `Ödüyo No`, `Unvan`, `Bakiye`",
            )),
    );
}

#[test]
fn ragged_rows_are_rejected_with_their_row() {
    let dir = TempDir::new().unwrap();
    let p = write(
        &dir,
        "r.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\nC1;1;Ali;5\nC2;2;Veli\nC3;3;Can;1;fazla\n".as_bytes(),
    );
    check(&dir, &p).code(1);
    let errors = std::fs::read_to_string(dir.path().join("out/errors.csv")).unwrap();
    assert!(errors.contains("r.csv,3,,,ragged_row,"), "{errors}");
    assert!(errors.contains("r.csv,4,,,ragged_row,"), "{errors}");
    assert_eq!(errors.matches("ragged_row").count(), 2, "{errors}");
}

#[test]
fn quoted_field_spanning_lines_keeps_row_numbers() {
    let dir = TempDir::new().unwrap();
    let p = write(
        &dir,
        "q.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\nC1;1;\"Ali\nVeli\";5\nC2;x;Can;1\n".as_bytes(),
    );
    check(&dir, &p).code(1);
    let errors = std::fs::read_to_string(dir.path().join("out/errors.csv")).unwrap();
    assert!(errors.contains("q.csv,4,Ödüyo No,x,integer,"), "{errors}");
}

#[test]
fn unknown_encoding_name_in_a_mapping_exits_2_with_its_line() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(fixture("customers.toml"))
        .unwrap()
        .replace("decimal = \",\"", "decimal = \",\"\nencoding = \"latin-5\"");
    let m = write(&dir, "m.toml", text.as_bytes());
    let input = write(&dir, "a.csv", b"Cari Kodu;x\n");
    aktar()
        .args(["check", "-m"])
        .arg(&m)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "m.toml:7:12: unknown encoding `latin-5`",
        ));
}

#[test]
fn mapping_lint_reports_every_mistake_with_positions() {
    let dir = TempDir::new().unwrap();
    let m = write(
        &dir,
        "bad.toml",
        br#"endpoint = "oduyo.customer_update"
key = "{Kod}"
[fields]
id = { from = "No", type = "date" }
nmae = { from = "Ad" }
balance = { from = "B", pattern = "(" }
"#,
    );
    aktar()
        .args(["mapping", "lint"])
        .arg(&m)
        .arg(fixture("customers.toml"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("customers.toml: ok"))
        .stderr(
            predicate::str::contains("bad.toml:4:")
                .and(predicate::str::contains("bad.toml:5:"))
                .and(predicate::str::contains("bad.toml:6:"))
                .and(predicate::str::contains("`balance_current`")),
        );
}

#[test]
fn unknown_config_key_exits_2_naming_it() {
    let dir = TempDir::new().unwrap();
    let cfg = write(
        &dir,
        "aktar.toml",
        b"[report]\nlang = \"en\"\ndir_name = \"x\"\n",
    );
    let input = write(
        &dir,
        "a.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\n".as_bytes(),
    );
    aktar()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg("-m")
        .arg(fixture("customers.toml"))
        .arg(&input)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("aktar.toml:3:1").and(predicate::str::contains("dir_name")),
        );
}

#[test]
fn usage_errors_exit_2() {
    aktar().args(["check"]).assert().code(2);
    aktar().args(["frobnicate"]).assert().code(2);
}

#[test]
fn endpoints_lists_and_describes() {
    aktar().arg("endpoints").assert().success().stdout(
        predicate::str::contains("netahsilat.customer_update")
            .and(predicate::str::contains("PATCH")),
    );
    aktar()
        .args(["endpoints", "oduyo.transaction_create"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("never sent twice")
                .and(predicate::str::contains("format %Y.%m.%d")),
        );
    aktar().args(["endpoints", "nope"]).assert().code(2);
}

#[test]
fn duplicate_keys_across_files_reject_every_row_of_the_key() {
    let dir = TempDir::new().unwrap();
    let a = write(
        &dir,
        "a.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\nC1;1;Ali;5\nC2;x;Veli;3\nC3;3;Can;1\n".as_bytes(),
    );
    let b = write(
        &dir,
        "b.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\nC2;2;Veli;3\nC1;1;Ali;6\nC4;4;Ece;2\n".as_bytes(),
    );
    aktar()
        .args(["check", "-m"])
        .arg(fixture("customers.toml"))
        .arg("--report-dir")
        .arg(dir.path().join("out"))
        .arg(&a)
        .arg(&b)
        .assert()
        .code(1);
    let errors = std::fs::read_to_string(dir.path().join("out/errors.csv")).unwrap();
    let lines: Vec<&str> = errors.lines().skip(1).collect();
    let a = a.display().to_string();
    let b = b.display().to_string();
    assert_eq!(
        lines,
        [
            format!(
                "{a},2,Cari Kodu,C1,duplicate_key,Aynı anahtar başka satırda da var ({b}:3); hangisinin geçerli olduğuna muhasebe karar vermeli"
            ),
            format!("{a},3,Ödüyo No,x,integer,Tam sayı değil"),
            format!(
                "{a},3,Cari Kodu,C2,duplicate_key,Aynı anahtar başka satırda da var ({b}:2); hangisinin geçerli olduğuna muhasebe karar vermeli"
            ),
            format!(
                "{b},2,Cari Kodu,C2,duplicate_key,Aynı anahtar başka satırda da var ({a}:3); hangisinin geçerli olduğuna muhasebe karar vermeli"
            ),
            format!(
                "{b},3,Cari Kodu,C1,duplicate_key,Aynı anahtar başka satırda da var ({a}:2); hangisinin geçerli olduğuna muhasebe karar vermeli"
            ),
        ]
    );
    let payloads = std::fs::read_to_string(dir.path().join("out/payloads.jsonl")).unwrap();
    let keys: Vec<String> = payloads
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(keys, ["C3", "C4"]);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        (
            s["rows"].as_u64(),
            s["valid"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(6), Some(2), Some(4))
    );
}
