//! Endpoint files of the user's own (`[endpoints] files` in aktar.toml): loaded,
//! listed by `aktar endpoints`, used by a mapping, served by the sandbox and sent to it;
//! a bad one is an error with its line and column. Also: `mapping lint` refuses a field
//! the provider's page does not have and lists the page's fields.

mod common;

use std::path::{Path, PathBuf};

use aktar::config::Config;
use aktar::sandbox::Options;
use tempfile::TempDir;

use common::{Sandbox, aktar, summary};

/// A customer-group endpoint of Ödüyo that aktar does not ship: the user describes it.
const GROUP_ENDPOINT: &str = r#"
provider = "oduyo"

[[endpoint]]
id          = "oduyo.customer_group_update"
page        = "Cari Grup Güncelleme"
method      = "POST"
path        = "/api/v1/customer_group/update"
idempotent  = true
description = "Cari grup kartını günceller"

[endpoint.fields]
id         = { type = "integer", required = true, doc = "Grup id" }
group_code = { type = "string", required = true, doc = "ERP Grup Kodu" }
group_name = { type = "string", doc = "Grup adı" }
"#;

const GROUP_MAPPING: &str = r#"
endpoint = "oduyo.customer_group_update"
key      = "{Grup Kodu}"

[source]
delimiter = ";"

[fields]
id         = { from = "Grup ID" }
group_code = { from = "Grup Kodu" }
group_name = { from = "Grup Adı", transform = "upper" }
"#;

const GROUPS: &str =
    "Grup ID;Grup Kodu;Grup Adı\n7;120.01;toptancılar\n8;120.02;\nX;120.03;bayiler\n";

/// A folder with aktar.toml (providers at `base_url`, endpoint files under
/// endpoints/), the endpoint file, a mapping and an export.
fn setup(base_url: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("tmp");
    let root = dir.path();
    std::fs::create_dir_all(root.join("endpoints")).expect("mkdir");
    std::fs::write(root.join("endpoints/groups.toml"), GROUP_ENDPOINT).expect("endpoint");
    std::fs::write(root.join("groups.toml"), GROUP_MAPPING).expect("mapping");
    std::fs::write(root.join("gruplar.csv"), GROUPS).expect("export");
    let cfg_path = write_config(root, base_url);
    (dir, cfg_path)
}

fn write_config(root: &Path, base_url: &str) -> PathBuf {
    let cfg = format!(
        r#"
[endpoints]
files = ["endpoints/*.toml"]

[providers.oduyo]
base_url = "{base_url}"
api_key  = "env:ODUYO_APIKEY"
session  = "env:ODUYO_SESSION"

[state]
path = "state.db"
"#
    );
    let cfg_path = root.join("aktar.toml");
    std::fs::write(&cfg_path, cfg).expect("config");
    cfg_path
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = aktar().current_dir(dir).args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_user_endpoint_is_listed_linted_served_and_sent() {
    // The sandbox serves the same configuration's endpoints.
    let (dir, cfg_path) = setup("http://127.0.0.1:1");
    let registry = Config::load(Some(&cfg_path))
        .and_then(|c| c.registry())
        .expect("registry");
    let sb = Sandbox::start(Options {
        endpoints: registry,
        ..Options::default()
    });
    let root = dir.path();
    let cfg_path = write_config(root, &sb.base_url());
    // From another folder: the endpoint files are found next to aktar.toml.
    let elsewhere = TempDir::new().expect("tmp");
    let cfg = cfg_path.to_str().expect("utf-8 path");

    let (code, out, err) = run_in(elsewhere.path(), &["endpoints", "--config", cfg]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("oduyo.customer_group_update"))
        .unwrap_or_else(|| panic!("not listed:\n{out}"));
    assert!(line.contains("/api/v1/customer_group/update"), "{line}");
    assert!(line.contains("groups.toml"), "where it comes from: {line}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("oduyo.customer_update") && l.contains("built-in")),
        "{out}"
    );

    let (code, out, err) = run_in(
        elsewhere.path(),
        &["endpoints", "--config", cfg, "oduyo.customer_group_update"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("{\"column\": {...}}"),
        "inherits Ödüyo's envelope: {out}"
    );
    assert!(out.contains("group_code"), "{out}");

    let mapping = root.join("groups.toml");
    let mapping = mapping.to_str().expect("utf-8 path");
    let (code, out, err) = run_in(
        elsewhere.path(),
        &["mapping", "lint", "--config", cfg, mapping],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ok (oduyo.customer_group_update"), "{out}");
    // Without the configuration, the endpoint is unknown.
    let (code, _, err) = run_in(elsewhere.path(), &["mapping", "lint", mapping]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown endpoint `oduyo.customer_group_update`"),
        "{err}"
    );

    let report = root.join("report");
    let export = root.join("gruplar.csv");
    let (code, _, err) = run_in(
        elsewhere.path(),
        &[
            "run",
            "--config",
            cfg,
            "-m",
            mapping,
            "--report-dir",
            report.to_str().expect("utf-8"),
            export.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 1, "one row rejected: {err}");
    let s = summary(&report);
    assert_eq!(
        (s["rows"].as_u64(), s["sent"].as_u64()),
        (Some(3), Some(2)),
        "{s}"
    );
    assert_eq!(s["rejected"], 1);
    let ledger = sb.ledger();
    let entry = ledger
        .entry("oduyo.customer_group_update", "7")
        .expect("group 7 written");
    assert_eq!(entry.writes, 1);
    assert_eq!(
        entry.last,
        serde_json::json!({"column": {"id": "7", "group_code": "120.01", "group_name": "TOPTANCILAR"}})
    );
    // Ödüyo sends an empty value as "".
    let entry = ledger
        .entry("oduyo.customer_group_update", "8")
        .expect("group 8 written");
    assert_eq!(entry.last["column"]["group_name"], "");
    assert!(
        root.join("state.db").exists(),
        "the journal lives next to aktar.toml"
    );
}

#[test]
fn a_bad_endpoint_file_stops_with_its_line_and_column() {
    let (dir, cfg_path) = setup("http://127.0.0.1:1");
    std::fs::write(
        dir.path().join("endpoints/groups.toml"),
        GROUP_ENDPOINT.replace("type = \"integer\"", "type = \"number\""),
    )
    .expect("write");
    let cfg = cfg_path.to_str().expect("utf-8");
    let (code, _, err) = run_in(dir.path(), &["endpoints", "--config", cfg]);
    assert_eq!(code, 2);
    assert!(
        err.contains("groups.toml:13:23: `id`: unknown type `number`"),
        "{err}"
    );
    let (code, _, err) = run_in(
        dir.path(),
        &["check", "--config", cfg, "-m", "groups.toml", "gruplar.csv"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("groups.toml:13:23"), "{err}");

    // A pattern that matches no file is an error too, not a silent omission.
    std::fs::remove_file(dir.path().join("endpoints/groups.toml")).expect("rm");
    let (code, _, err) = run_in(dir.path(), &["endpoints", "--config", cfg]);
    assert_eq!(code, 2);
    assert!(err.contains("no endpoint file matches"), "{err}");
}

#[test]
fn mapping_lint_refuses_a_field_the_page_does_not_have_and_lists_the_pages_fields() {
    let dir = TempDir::new().expect("tmp");
    let mapping = dir.path().join("cari.toml");
    std::fs::write(
        &mapping,
        r#"endpoint = "oduyo.customer_update"
key = "{Kod}"

[fields]
id              = { from = "No" }
tax_office      = { from = "Vergi Dairesi" }
balance         = { from = "Bakiye" }
balance_current = { from = "Bakiye" }
balance_paid    = { from = "Bakiye" }
"#,
    )
    .expect("write");
    let (code, _, err) = run_in(dir.path(), &["mapping", "lint", "cari.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "cari.toml:6:19: `tax_office` is not a field of oduyo.customer_update; its fields are: \
             id, name, customer_type_1, customer_type_2, status, tax_department, tax_number, \
             tc_number, group_code, branch_key, branch_name, telephone, email, country, province, \
             district, risk, balance, balance_current, balance_paid"
        ),
        "{err}"
    );
}
