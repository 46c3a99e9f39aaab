use std::path::PathBuf;

use super::*;

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let p = dir.path().join("gece.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn errors(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    load(&write(&dir, text)).unwrap_err().to_string()
}

const TWO_STEPS: &str = r#"
name = "gece"

[[step]]
name = "hareketler"
mapping = "m/tx.toml"
inputs = ["hareket.xlsx"]
after = ["cariler"]

[[step]]
name = "cariler"
mapping = "m/cari.toml"
input = { glob = "exports/cari_*.csv", pick = "newest", max_age = "20h" }
archive = "islenen"
"#;

#[test]
fn steps_wait_for_the_steps_they_name_and_paths_are_the_job_files() {
    let dir = tempfile::tempdir().unwrap();
    let job = load(&write(&dir, TWO_STEPS)).unwrap();
    assert_eq!(job.name, "gece");
    let names: Vec<&str> = job
        .order
        .iter()
        .map(|&i| job.steps[i].name.as_str())
        .collect();
    assert_eq!(names, ["cariler", "hareketler"]);
    let cari = &job.steps[1];
    assert_eq!(cari.mapping, dir.path().join("m/cari.toml"));
    assert_eq!(cari.archive, Some(dir.path().join("islenen")));
    match &cari.inputs[0].source {
        Source::Glob { pattern, newest } => {
            assert!(*newest);
            assert!(pattern.ends_with("/exports/cari_*.csv"), "{pattern}");
            assert!(pattern.starts_with(&dir.path().display().to_string()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cari.inputs[0].max_age.map(|d| d.as_secs()), Some(72_000));
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let e = errors(
        "name = \"gece\"\n[[step]]\nname = \"a\"\nmapping = \"m.toml\"\ninput = \"a.csv\"\nretries = 3\n",
    );
    assert!(e.contains("gece.toml:6:1"), "{e}");
    assert!(e.contains("retries"), "{e}");
}

#[test]
fn a_cycle_in_after_is_refused() {
    let e = errors(
        r#"
name = "gece"
[[step]]
name = "a"
mapping = "m.toml"
input = "a.csv"
after = ["b"]
[[step]]
name = "b"
mapping = "m.toml"
input = "b.csv"
after = ["a"]
"#,
    );
    assert!(e.contains("cycle (a → b → a)"), "{e}");
    assert!(e.contains("gece.toml:7:"), "{e}");
}

#[test]
fn after_must_name_another_step() {
    let e = errors(
        "name = \"gece\"\n[[step]]\nname = \"a\"\nmapping = \"m.toml\"\ninput = \"a.csv\"\nafter = [\"cari\", \"a\"]\n",
    );
    assert!(e.contains("no step is named `cari`"), "{e}");
    assert!(e.contains("cannot wait for itself"), "{e}");
}

#[test]
fn inputs_and_names_are_checked() {
    let e = errors(
        r#"
name = "../gece"
[[step]]
name = "a"
mapping = "m.toml"
[[step]]
name = "a"
mapping = "m.toml"
input = { glob = "x_*.csv", pick = "latest", max_age = "1 week" }
[[step]]
name = "c"
mapping = "m.toml"
input = "c.csv"
inputs = ["d.csv"]
"#,
    );
    for needle in [
        "`../gece` cannot name a folder",
        "step `a` has no input",
        "two steps are named `a`",
        "pick = \"latest\"",
        "max_age",
        "has both input and inputs",
    ] {
        assert!(e.contains(needle), "{needle}: {e}");
    }
}

#[test]
fn a_missing_or_wrong_mapping_is_reported_at_the_step() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bozuk.toml"),
        "endpoint = \"oduyo.customer_update\"\nkey = \"{Kod}\"\n[fields]\nnope = { from = \"X\" }\n",
    )
    .unwrap();
    let path = write(
        &dir,
        "name = \"gece\"\n[[step]]\nname = \"a\"\nmapping = \"yok.toml\"\ninput = \"a.csv\"\n\
         [[step]]\nname = \"b\"\nmapping = \"bozuk.toml\"\ninput = \"b.csv\"\n",
    );
    let job = load(&path).unwrap();
    let e = job
        .check_mappings(crate::providers::Registry::builtin())
        .unwrap_err()
        .to_string();
    assert!(e.contains("gece.toml:4:11: step `a`: the mapping"), "{e}");
    assert!(e.contains("yok.toml does not exist"), "{e}");
    assert!(e.contains("step `b`: the mapping"), "{e}");
    assert!(e.contains("bozuk.toml:4:"), "{e}");
    assert!(e.contains("`nope` is not a field"), "{e}");
}

#[test]
fn the_job_files_own_mail_settings_are_checked() {
    let e = errors(
        "name = \"gece\"\n[notify.email]\nsmtp = \"mail.firma.com.tr\"\nfrom = \"a@b.com\"\nto = [\"c@d.com\"]\n\
         [[step]]\nname = \"a\"\nmapping = \"m.toml\"\ninput = \"a.csv\"\n",
    );
    assert!(e.contains("[notify.email]: smtp"), "{e}");
}
