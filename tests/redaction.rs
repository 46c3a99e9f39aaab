//! A provider that echoes the request in its error answer — as some do, and as proxies
//! do — must not put a credential into stderr, the reports or the journal. The real
//! binary runs against an echoing server on loopback; afterwards every byte it wrote
//! (stdout, stderr, every file under the run's folder, the SQLite journal included) is
//! searched for every secret, as it is, URL- and form-encoded, and inside base64.

mod common;
mod loopback;

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use common::root;
use loopback::{Loopback, Seen};
use serde_json::json;
use tempfile::TempDir;

// Header values must be visible ASCII; the form fields may hold anything.
const API_KEY: &str = "Ak-9f#x y/z+1=!K3y*~";
const PASSWORD: &str = "P@ss w0rd/ü+Gizli*~'";
const SESSION: &str = "SESS-4f9a/b+c=d-77";
const CLIENT_SECRET: &str = "cl!ent s3cret/+=ÇÖ(1)";
const TOKEN: &str = "opaque-Token/991+xyz=";
const FE_KEY: &str = "fe-T0ken/with+chars==Q";
const SECRETS: [&str; 6] = [API_KEY, PASSWORD, SESSION, CLIENT_SECRET, TOKEN, FE_KEY];

/// Everything about the request, as an echoing server would give it back.
fn echo(s: &Seen) -> String {
    let mut out = format!("{} {} |", s.method, s.path);
    for (k, v) in &s.headers {
        out.push_str(&format!(" {k}: {v} [{}] |", STANDARD.encode(v)));
    }
    let body = String::from_utf8_lossy(&s.body);
    out.push_str(&format!(" body: {body} [{}]", STANDARD.encode(&s.body)));
    out
}

fn form_field(s: &Seen, name: &str) -> Option<String> {
    String::from_utf8_lossy(&s.body).split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// The provider's answers: a login or token call refused for the user `kapali`,
/// otherwise granted; every write refused (a transaction: answered unclearly), each
/// answer echoing the request.
fn provider() -> Loopback {
    Loopback::start(|s| {
        let e = echo(s);
        let path = s.path.as_str();
        if path == "/api/v1/ws/login" {
            if form_field(s, "username").as_deref() == Some("kapali") {
                return (401, json!({"status": false, "message": e}));
            }
            return (
                200,
                json!({"status": true, "data": {"session_id": SESSION}}),
            );
        }
        if path == "/token" {
            if form_field(s, "client_id").as_deref() == Some("kapali") {
                return (400, json!({"error": e}));
            }
            return (200, json!({"access_token": TOKEN, "expires_in": 3600}));
        }
        if path.ends_with("customer_transaction_create") {
            return (200, json!({"message": e}));
        }
        if path.starts_with("/vendor/customer/") {
            return (400, json!({"status": "error", "message": e}));
        }
        if path.starts_with("/api/customers/") {
            return (422, json!({"message": e}));
        }
        (400, json!({"status": false, "message": e}))
    })
}

fn config(dir: &Path, base_url: &str, user: &str) -> PathBuf {
    let text = format!(
        r#"
[providers.oduyo]
base_url = "{base_url}"
api_key = "env:ODUYO_APIKEY"
retries = 0
[providers.oduyo.login]
username = "{user}"
password = "env:ODUYO_PASSWORD"

[providers.fatura_entegrator]
base_url = "{base_url}"
token = "env:FE_API_KEY"

[providers.netahsilat]
base_url = "{base_url}"
[providers.netahsilat.auth]
client_id = "{user}"
client_secret = "env:NETAHSILAT_CLIENT_SECRET"

[state]
path = "state.db"
"#
    );
    let p = dir.join("aktar.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs a sending job; its exit code and everything it printed.
fn run(cfg: &Path, mapping: &Path, input: &Path, out: &Path) -> (i32, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_aktar"))
        .env("ODUYO_APIKEY", API_KEY)
        .env("ODUYO_PASSWORD", PASSWORD)
        .env("FE_API_KEY", FE_KEY)
        .env("NETAHSILAT_CLIENT_SECRET", CLIENT_SECRET)
        .arg("run")
        .arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(mapping)
        .arg("--report-dir")
        .arg(out)
        .arg(input)
        .output()
        .unwrap();
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code().unwrap_or(-1), printed)
}

/// Form encoding as reqwest writes it.
fn form_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes any run of base64 letters, wherever it was cut.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// True when some run of base64 letters in `text`, read from any of its first four
/// letters, decodes to bytes that hold `secret`.
fn in_base64(text: &str, secret: &str) -> bool {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || "+/-_".contains(c);
    text.split(|c: char| !is_b64(c))
        .filter(|run| run.len() >= 8)
        .any(|run| {
            let run: String = run
                .chars()
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    c => c,
                })
                .collect();
            (0..4).any(|skip| {
                let part = &run[skip.min(run.len())..];
                // A last letter that makes no whole byte is dropped.
                let part = &part[..part.len() - usize::from(part.len() % 4 == 1)];
                LENIENT
                    .decode(part)
                    .is_ok_and(|bytes| bytes.windows(secret.len()).any(|w| w == secret.as_bytes()))
            })
        })
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Fails naming the secret and where it was found.
fn assert_no_secret(dir: &Path, printed: &str) {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let mut texts: Vec<(String, String)> = vec![("the output".into(), printed.to_string())];
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        texts.push((
            f.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for (place, text) in &texts {
        for secret in SECRETS {
            for form in [secret.to_string(), form_encoded(secret)] {
                assert!(!text.contains(&form), "{form:?} in {place}:\n{text}");
                assert!(
                    !in_base64(text, &form),
                    "{form:?} in base64 in {place}:\n{text}"
                );
            }
        }
    }
}

fn csv(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn customers(dir: &Path) -> PathBuf {
    csv(
        dir,
        "cariler.csv",
        "Cari Kodu;Ödüyo No;Ünvan;Bakiye\nC1;1;Bir;10,00\nC2;2;İki;20,00\n",
    )
}

#[test]
fn an_echoed_oduyo_login_shows_no_secret() {
    let p = provider();
    let dir = TempDir::new().unwrap();
    let cfg = config(dir.path(), &p.base_url(), "kapali");
    let m = root().join("tests/fixtures/customers.toml");
    let (code, printed) = run(&cfg, &m, &customers(dir.path()), &dir.path().join("r"));
    assert_eq!(code, 3, "{printed}");
    assert!(printed.contains("login refused: HTTP 401"), "{printed}");
    assert!(
        printed.contains("***"),
        "the echo was there, masked: {printed}"
    );
    let login = p.seen().into_iter().find(|s| s.path == "/api/v1/ws/login");
    let login = login.expect("a login call");
    assert!(
        String::from_utf8_lossy(&login.body).contains(&form_encoded(PASSWORD)),
        "the provider did see the password"
    );
    assert_no_secret(dir.path(), &printed);
}

#[test]
fn an_echoed_oduyo_write_shows_neither_the_api_key_nor_the_session() {
    let p = provider();
    let dir = TempDir::new().unwrap();
    let cfg = config(dir.path(), &p.base_url(), "entegrasyon");
    let m = root().join("tests/fixtures/customers.toml");
    let (code, printed) = run(&cfg, &m, &customers(dir.path()), &dir.path().join("r"));
    assert_eq!(code, 1, "{printed}");
    let failed = std::fs::read_to_string(dir.path().join("r/failed.csv")).unwrap();
    assert!(
        failed.contains("HTTP 400: POST /api/v1/customer/customer_update"),
        "{failed}"
    );
    assert!(failed.contains("apikey: ***"), "{failed}");
    assert!(failed.contains("authorization: ***"), "{failed}");

    // A transaction answered with an unclear echo: uncertain.csv and the journal.
    let m = root().join("tests/fixtures/hareket.toml");
    let input = csv(
        dir.path(),
        "hareket.csv",
        "Fiş No;Cari;Borç;Alacak;Tarih;Saat;Açıklama\nF1;1;;10,00;01.11.2026;10:00;F1 tahsilat\n",
    );
    let (code, more) = run(&cfg, &m, &input, &dir.path().join("t"));
    assert_eq!(code, 1, "{more}");
    let uncertain = std::fs::read_to_string(dir.path().join("t/uncertain.csv")).unwrap();
    assert!(uncertain.contains("apikey: ***"), "{uncertain}");
    assert_no_secret(dir.path(), &format!("{printed}\n{more}"));
}

#[test]
fn an_echoed_netahsilat_token_call_and_write_show_no_secret() {
    let p = provider();
    let m = root().join("mappings/netahsilat/customer_update.toml");
    let input = root().join("samples/netahsilat_musteriler.xlsx");

    let refused = TempDir::new().unwrap();
    let cfg = config(refused.path(), &p.base_url(), "kapali");
    let (code, printed) = run(&cfg, &m, &input, &refused.path().join("r"));
    assert_eq!(code, 3, "{printed}");
    assert!(
        printed.contains("token call refused: HTTP 400"),
        "{printed}"
    );
    assert!(printed.contains("client_secret=***"), "{printed}");
    assert_no_secret(refused.path(), &printed);

    let granted = TempDir::new().unwrap();
    let cfg = config(granted.path(), &p.base_url(), "entegrasyon");
    let (code, printed) = run(&cfg, &m, &input, &granted.path().join("r"));
    assert_eq!(code, 1, "{printed}");
    let failed = std::fs::read_to_string(granted.path().join("r/failed.csv")).unwrap();
    assert!(failed.contains("authorization: Bearer ***"), "{failed}");
    assert_no_secret(granted.path(), &printed);
}

#[test]
fn an_echoed_fatura_entegrator_write_shows_no_api_key() {
    let p = provider();
    let dir = TempDir::new().unwrap();
    let cfg = config(dir.path(), &p.base_url(), "entegrasyon");
    let (code, printed) = run(
        &cfg,
        &root().join("mappings/fatura_entegrator/customer_update.toml"),
        &root().join("samples/fe_musteriler.csv"),
        &dir.path().join("r"),
    );
    assert_eq!(code, 1, "{printed}");
    let failed = std::fs::read_to_string(dir.path().join("r/failed.csv")).unwrap();
    assert!(failed.contains("HTTP 422"), "{failed}");
    assert!(failed.contains("authorization: Bearer ***"), "{failed}");
    assert_no_secret(dir.path(), &printed);
}
