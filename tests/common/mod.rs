//! Shared by the integration tests that deliver: a sandbox in the test process on
//! `127.0.0.1:0`, an `aktar.toml` pointing at it, and the real binary run against it
//! with the sandbox's credentials in its environment.

#![allow(dead_code)]

pub mod dry_run;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aktar::sandbox::{self, Ledger, Options, Running, Stats, creds};
use tempfile::TempDir;

pub struct Sandbox {
    pub rt: tokio::runtime::Runtime,
    pub running: Option<Running>,
}

impl Sandbox {
    pub fn start(opts: Options) -> Sandbox {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let running = rt
            .block_on(async {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                sandbox::start(l, opts).await
            })
            .expect("sandbox");
        Sandbox {
            rt,
            running: Some(running),
        }
    }

    pub fn base_url(&self) -> String {
        self.running.as_ref().expect("running").base_url()
    }

    pub fn ledger(&self) -> Ledger {
        self.rt
            .block_on(self.running.as_ref().expect("running").ledger())
    }

    pub fn stats(&self) -> Stats {
        self.rt
            .block_on(self.running.as_ref().expect("running").stats())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            self.rt.block_on(r.stop());
        }
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Provider tables for every provider at `base_url`; `extra` is appended to each
/// table (e.g. `timeout = "1s"`).
pub fn config(dir: &TempDir, base_url: &str, extra: &str) -> PathBuf {
    let text = format!(
        r#"
[providers.oduyo]
base_url = "{base_url}"
api_key = "env:ODUYO_APIKEY"
{extra}
[providers.oduyo.login]
username = "{user}"
password = "env:ODUYO_PASSWORD"

[providers.fatura_entegrator]
base_url = "{base_url}"
token = "env:FE_API_KEY"
{extra}

[providers.netahsilat]
base_url = "{base_url}"
{extra}
[providers.netahsilat.auth]
client_id = "{client}"
client_secret = "env:NETAHSILAT_CLIENT_SECRET"

[state]
path = "{state}"
"#,
        user = creds::ODUYO_USERNAME,
        client = creds::NETAHSILAT_CLIENT_ID,
        state = dir.path().join("state.db").display(),
    );
    let p = dir.path().join("aktar.toml");
    std::fs::write(&p, text).expect("write config");
    p
}

/// The binary with the sandbox's credentials in its environment.
fn with_credentials() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_aktar"));
    c.env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
        .env("ODUYO_PASSWORD", creds::ODUYO_PASSWORD)
        .env("ODUYO_SESSION", creds::ODUYO_SESSION)
        .env("FE_API_KEY", creds::FE_API_KEY)
        .env("NETAHSILAT_CLIENT_SECRET", creds::NETAHSILAT_CLIENT_SECRET)
        .env_remove("RUST_BACKTRACE");
    c
}

/// The binary with the sandbox's credentials in its environment, run to its end.
pub fn aktar() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::from_std(with_credentials());
    c.timeout(Duration::from_secs(120));
    c
}

/// `aktar run --quiet --config cfg -m mapping --report-dir report inputs…` with the
/// sandbox's credentials in its environment.
fn quiet_run(cfg: &Path, mapping: &Path, report: &Path, inputs: &[&Path]) -> std::process::Command {
    let mut c = with_credentials();
    c.arg("run")
        .arg("--quiet")
        .arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(mapping)
        .arg("--report-dir")
        .arg(report)
        .args(inputs);
    c
}

/// A quiet sending run, to its end.
pub fn run_quietly(
    cfg: &Path,
    mapping: &Path,
    report: &Path,
    inputs: &[&Path],
) -> std::process::Output {
    assert_cmd::Command::from_std(quiet_run(cfg, mapping, report, inputs))
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run aktar")
}

/// Fatura Entegratör's customer update of `samples/fe_musteriler.csv`, sent with
/// `api_key` as its key (`--quiet` when `quiet`), to its end.
// Not every test binary that shares this module sends with a key of its own.
#[allow(dead_code)]
pub fn run_fe_with_key(
    cfg: &Path,
    report: &Path,
    api_key: &str,
    quiet: bool,
) -> std::process::Output {
    let mut c = aktar();
    c.env("FE_API_KEY", api_key).arg("run");
    if quiet {
        c.arg("--quiet");
    }
    c.arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(root().join("mappings/fatura_entegrator/customer_update.toml"))
        .arg("--report-dir")
        .arg(report)
        .arg(root().join("samples/fe_musteriler.csv"))
        .output()
        .expect("run aktar")
}

/// A quiet sending run started in the background, its output discarded: for a test
/// that kills it part-way.
pub fn spawn_quiet_run(
    cfg: &Path,
    mapping: &Path,
    report: &Path,
    input: &Path,
) -> std::process::Child {
    quiet_run(cfg, mapping, report, &[input])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn aktar")
}

/// Polls until `ready()`. The bound is only there so that a broken run fails the test
/// instead of hanging it; nothing depends on how long the wait takes.
pub fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary json")
}

pub fn payloads(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("payloads.jsonl"))
        .expect("payloads.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// Rows of a report CSV (BOM stripped), as maps from column to value.
pub fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The sandbox ledger's key for a request in payloads.jsonl: the value in its path,
/// else the body's `id`, else (a create) the hash of the canonical body.
pub fn ledger_key(endpoint: &str, payload: &serde_json::Value) -> String {
    let ep = aktar::providers::find(endpoint)
        .unwrap_or_else(|| panic!("{endpoint}: not a built-in endpoint"));
    let path = ep.path_field.as_ref().map(|_| {
        let url = payload["url"].as_str().expect("payload url");
        path_value(&ep.path, url)
    });
    aktar::sandbox::ledger_key(ep, path.as_deref(), &payload["body"])
}

/// The ledger key of a transaction body: the hash of its canonical JSON.
pub fn body_hash(body: &serde_json::Value) -> String {
    let tx = aktar::providers::find("oduyo.transaction_create").expect("built-in endpoint");
    aktar::sandbox::ledger_key(tx, None, body)
}

/// The path field's value in `url`: the segment at the place of `{...}` in the
/// endpoint's path template, counted from the end, percent-decoded.
fn path_value(template: &str, url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let t: Vec<&str> = template.split('/').collect();
    let at = t
        .iter()
        .position(|s| s.starts_with('{'))
        .expect("a path field in the template");
    let after = t.len() - 1 - at;
    let segments: Vec<&str> = url.split('/').collect();
    let raw = segments[segments.len() - 1 - after];
    percent_decode(raw)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
