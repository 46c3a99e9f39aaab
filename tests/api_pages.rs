//! The providers' own example requests, rendered by aktar.
//!
//! For each provider page, `tests/fixtures/pages/` holds the page's example request, a
//! one-row export holding the example's values and a mapping that names every field
//! of the page. A dry run must render exactly the example: method, path, and a body
//! equal to it as JSON values, types included (key order aside). Sent to the sandbox,
//! the same request must be taken as it stands.
//!
//! These tests are the reason aktar's endpoint descriptions can be trusted: a field
//! name, a JSON type or an empty value that differs from the provider's page fails
//! here first.

mod common;

use std::path::{Path, PathBuf};

use aktar::sandbox::Options;
use serde_json::Value;
use tempfile::TempDir;

use common::{Sandbox, aktar, config, payloads, root, summary};

const PAGES: &[&str] = &[
    "oduyo_customer_update",
    "oduyo_cash_update",
    "oduyo_transaction_create",
    "fatura_entegrator_customer_update",
    "netahsilat_customer_update",
];

fn page(name: &str) -> (PathBuf, PathBuf, Value) {
    let dir = root().join("tests/fixtures/pages");
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("example");
    let example: Value = serde_json::from_str(&text).expect("example json");
    (
        dir.join(format!("{name}.toml")),
        dir.join(format!("{name}.csv")),
        example,
    )
}

/// A dry run of the page's one-row export: the one payload it renders.
fn render(mapping: &Path, export: &Path) -> Value {
    let tmp = TempDir::new().expect("tmp");
    let out = tmp.path().join("report");
    let run = aktar()
        .current_dir(tmp.path())
        .arg("check")
        .arg("-m")
        .arg(mapping)
        .arg("--report-dir")
        .arg(&out)
        .arg(export)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}: {stderr}",
        mapping.display()
    );
    let mut p = payloads(&out);
    assert_eq!(p.len(), 1, "one payload for one row");
    p.remove(0)
}

fn assert_renders_the_example(name: &str) {
    let (mapping, export, example) = page(name);
    let got = render(&mapping, &export);
    assert_eq!(got["method"], example["method"], "{name}: method");
    let url = got["url"].as_str().expect("url");
    let path = example["path"].as_str().expect("path");
    assert!(url.ends_with(path), "{name}: {url} is not {path}");
    assert_eq!(
        got["body"], example["body"],
        "{name}: the body differs from the page's example"
    );
}

#[test]
fn oduyo_customer_update_renders_the_pages_example() {
    assert_renders_the_example("oduyo_customer_update");
}

#[test]
fn oduyo_cash_update_renders_the_pages_example() {
    assert_renders_the_example("oduyo_cash_update");
}

#[test]
fn oduyo_transaction_create_renders_the_pages_example() {
    assert_renders_the_example("oduyo_transaction_create");
}

#[test]
fn fatura_entegrator_customer_update_renders_the_pages_example() {
    assert_renders_the_example("fatura_entegrator_customer_update");
}

#[test]
fn netahsilat_customer_update_renders_the_pages_example() {
    assert_renders_the_example("netahsilat_customer_update");
}

/// The examples sent for real: the sandbox takes each as it stands, and what it
/// holds afterwards is the example body.
#[test]
fn the_examples_are_sent_and_taken_as_they_stand() {
    let sb = Sandbox::start(Options::default());
    let tmp = TempDir::new().expect("tmp");
    let cfg = config(&tmp, &sb.base_url(), "");
    for name in PAGES {
        let (mapping, export, example) = page(name);
        let out = tmp.path().join(name);
        let run = aktar()
            .current_dir(tmp.path())
            .arg("run")
            .arg("--config")
            .arg(&cfg)
            .arg("-m")
            .arg(&mapping)
            .arg("--report-dir")
            .arg(&out)
            .arg(&export)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(0), "{name}: {stderr}");
        assert_eq!(summary(&out)["sent"], 1, "{name}");
        let endpoint = example["endpoint"].as_str().expect("endpoint");
        let ledger = sb.ledger();
        let entries = ledger.endpoints.get(endpoint).expect("written");
        assert_eq!(entries.len(), 1, "{name}: one record");
        let entry = entries.values().next().expect("entry");
        assert_eq!(entry.writes, 1, "{name}");
        assert_eq!(
            entry.last, example["body"],
            "{name}: what the sandbox holds"
        );
    }
}

/// Sends `body` to the sandbox as the page's request; the status and the sandbox's
/// reason for a refusal.
fn send_raw(sb: &Sandbox, example: &Value, body: &Value) -> (u16, String) {
    use aktar::sandbox::creds;
    let running = sb.running.as_ref().expect("running");
    let url = format!(
        "{}{}",
        sb.base_url(),
        example["path"].as_str().expect("path")
    );
    let method = example["method"].as_str().expect("method");
    let token = running.netahsilat_token();
    sb.rt.block_on(async {
        let client = aktar::http::client_builder().build().expect("client");
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let rb = client.request(method, url).json(body);
        let rb = match example["endpoint"].as_str().unwrap_or_default() {
            id if id.starts_with("oduyo.") => rb
                .header("Apikey", creds::ODUYO_API_KEY)
                .header("Authorization", creds::ODUYO_SESSION),
            id if id.starts_with("fatura_entegrator.") => rb.bearer_auth(creds::FE_API_KEY),
            _ => rb.bearer_auth(token),
        };
        let resp = rb.send().await.expect("send");
        let reason = resp
            .headers()
            .get("x-sandbox-reason")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (resp.status().as_u16(), reason)
    })
}

/// The fields object of a body (inside Ödüyo's `column`).
fn fields_mut(body: &mut Value) -> &mut serde_json::Map<String, Value> {
    let inner = if body.get("column").is_some() {
        &mut body["column"]
    } else {
        body
    };
    inner.as_object_mut().expect("object")
}

/// The sandbox refuses what the provider would: an unknown field, a missing required
/// field and a wrong JSON type, each named in its answer, for every page's request.
#[test]
fn the_sandbox_refuses_an_unknown_field_a_missing_required_one_and_a_wrong_json_type() {
    let sb = Sandbox::start(Options::default());
    // (page, a required body field, a field and a value of the wrong JSON type)
    let cases: &[(&str, Option<&str>, &str, Value)] = &[
        (
            "oduyo_customer_update",
            Some("balance"),
            "id",
            Value::from(1),
        ),
        ("oduyo_cash_update", None, "id", Value::from("2")),
        (
            "oduyo_transaction_create",
            Some("comment"),
            "amount",
            Value::from(50),
        ),
        (
            "fatura_entegrator_customer_update",
            None,
            "phone",
            Value::from(5321234567_u64),
        ),
        (
            "netahsilat_customer_update",
            Some("erpCode"),
            "districtCode",
            Value::from("494"),
        ),
    ];
    for (name, required, typed, wrong) in cases {
        let (_, _, example) = page(name);
        assert_eq!(
            send_raw(&sb, &example, &example["body"]).0,
            200,
            "{name}: the example"
        );

        let mut unknown = example["body"].clone();
        fields_mut(&mut unknown).insert("document_no".into(), Value::from("X-1"));
        let (status, reason) = send_raw(&sb, &example, &unknown);
        assert!(status >= 400, "{name}: unknown field taken");
        assert!(
            reason.contains("document_no: unknown field"),
            "{name}: {reason}"
        );

        if let Some(field) = required {
            let mut missing = example["body"].clone();
            fields_mut(&mut missing).remove(*field);
            let (status, reason) = send_raw(&sb, &example, &missing);
            assert!(status >= 400, "{name}: missing {field} taken");
            assert!(
                reason.contains(&format!("{field}: required")),
                "{name}: {reason}"
            );
        }

        let mut mistyped = example["body"].clone();
        fields_mut(&mut mistyped).insert((*typed).into(), wrong.clone());
        let (status, reason) = send_raw(&sb, &example, &mistyped);
        assert!(status >= 400, "{name}: {typed} as {wrong} taken");
        assert!(
            reason.contains(&format!("{typed}: must be a JSON")),
            "{name}: {reason}"
        );
    }
    // Only the five examples were written.
    assert_eq!(sb.stats().writes, 5);
}
