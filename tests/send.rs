//! Delivery against the sandbox, over real HTTP on loopback: the real binary, the
//! samples, and the sandbox's ledger as the witness of what arrived.

mod common;
mod loopback;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aktar::sandbox::Options;
use common::*;
use loopback::Loopback;
use tempfile::TempDir;

const CUSTOMERS: (&str, &str) = (
    "mappings/oduyo/customer_update.toml",
    "samples/logo_cariler.csv",
);
const TRANSACTIONS: (&str, &str) = (
    "mappings/oduyo/transaction_create.toml",
    "samples/cari_hareket.xlsx",
);
const SAMPLES: &[(&str, &str, &str)] = &[
    ("oduyo.customer_update", CUSTOMERS.0, CUSTOMERS.1),
    ("oduyo.transaction_create", TRANSACTIONS.0, TRANSACTIONS.1),
    (
        "oduyo.cash_update",
        "mappings/oduyo/cash_update.toml",
        "samples/kasa_fisleri.csv",
    ),
    (
        "fatura_entegrator.customer_update",
        "mappings/fatura_entegrator/customer_update.toml",
        "samples/fe_musteriler.csv",
    ),
    (
        "netahsilat.customer_update",
        "mappings/netahsilat/customer_update.toml",
        "samples/netahsilat_musteriler.xlsx",
    ),
];

fn run(
    dir: &TempDir,
    cfg: &std::path::Path,
    mapping: &str,
    sample: &str,
    out: &str,
    dry: bool,
) -> (i32, std::path::PathBuf) {
    let out = dir.path().join(out);
    let mut c = aktar();
    c.arg("run")
        .arg("--config")
        .arg(cfg)
        .arg("-m")
        .arg(root().join(mapping))
        .arg("--report-dir")
        .arg(&out);
    if dry {
        c.arg("--dry-run");
    }
    c.arg(root().join(sample)).arg("--quiet");
    let o = c.output().expect("run");
    (o.status.code().unwrap_or(-1), out)
}

/// Rows in each bucket add up to the rows read.
fn adds_up(s: &serde_json::Value) {
    let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
    assert_eq!(n("rows"), n("valid") + n("rejected"), "{s}");
    assert_eq!(
        n("valid"),
        n("sent") + n("unchanged") + n("failed") + n("uncertain"),
        "{s}"
    );
}

#[test]
fn every_valid_row_arrives_once_with_the_dry_run_body() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "rate_limit = \"100/s\"");
    for (i, (endpoint, mapping, sample)) in SAMPLES.iter().enumerate() {
        let (code, dry) = run(&dir, &cfg, mapping, sample, &format!("dry{i}"), true);
        assert_eq!(code, 1, "{sample}: samples carry bad rows");
        let (code, out) = run(&dir, &cfg, mapping, sample, &format!("out{i}"), false);
        assert_eq!(code, 1, "{sample}");
        let s = summary(&out);
        adds_up(&s);
        assert_eq!(s["sent"], s["valid"], "{sample}: {s}");
        assert!(common::csv_rows(&out.join("failed.csv")).is_empty());
        let payloads = payloads(&dry);
        assert_eq!(payloads.len() as u64, s["sent"].as_u64().unwrap());
        let ledger = sb.ledger();
        let entries = &ledger.endpoints[*endpoint];
        assert_eq!(
            entries.len(),
            payloads.len(),
            "{endpoint}: one record per valid row"
        );
        for p in &payloads {
            let key = ledger_key(endpoint, p);
            let e = entries
                .get(&key)
                .unwrap_or_else(|| panic!("{endpoint}: {key} never arrived"));
            assert_eq!(e.writes, 1, "{endpoint}: {key} written {} times", e.writes);
            assert_eq!(
                e.last, p["body"],
                "{endpoint}: {key}: the body sent is the dry run's"
            );
        }
    }
}

#[test]
fn with_faults_idempotent_rows_arrive_and_transactions_are_never_doubled() {
    let sb = Sandbox::start(Options {
        fail_rate: 0.15,
        seed: 7,
        slow: Duration::from_secs(3),
        ..Options::default()
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"100/s\"\ntimeout = \"1s\"\nretries = 8",
    );
    for (i, (endpoint, mapping, sample)) in SAMPLES.iter().enumerate() {
        let (code, dry) = run(&dir, &cfg, mapping, sample, &format!("dry{i}"), true);
        assert_eq!(code, 1);
        let (code, out) = run(&dir, &cfg, mapping, sample, &format!("out{i}"), false);
        let s = summary(&out);
        adds_up(&s);
        assert!(code == 1, "{sample}: exit {code}, {s}");
        let ledger = sb.ledger();
        let entries = ledger.endpoints.get(*endpoint).cloned().unwrap_or_default();
        let failed = csv_rows(&out.join("failed.csv"));
        let uncertain = csv_rows(&out.join("uncertain.csv"));
        for p in payloads(&dry) {
            let key = ledger_key(endpoint, &p);
            let writes = entries.get(&key).map_or(0, |e| e.writes);
            let row = p["row"].to_string();
            let in_failed = failed.iter().any(|f| f["row"] == row);
            let in_uncertain = uncertain.iter().any(|f| f["row"] == row);
            if *endpoint == "oduyo.transaction_create" {
                assert!(writes <= 1, "{key} posted {writes} times");
                if !in_failed && !in_uncertain {
                    assert_eq!(writes, 1, "{key}: reported sent but never arrived");
                }
                if in_failed {
                    assert_eq!(writes, 0, "{key}: reported failed but it arrived");
                }
            } else {
                assert!(
                    !in_failed && !in_uncertain,
                    "{key}: an idempotent row must get through"
                );
                assert!(writes >= 1, "{key} never arrived");
                assert_eq!(entries[&key].last, p["body"]);
            }
        }
        if *endpoint != "oduyo.transaction_create" {
            assert_eq!(s["sent"], s["valid"], "{s}");
        }
    }
    let stats = sb.stats();
    assert!(
        stats.faults.values().sum::<u64>() > 0,
        "faults were injected: {stats:?}"
    );
}

#[test]
fn retry_after_is_honoured() {
    // The provider allows 2 requests a second; the client is configured for 50.
    let sb = Sandbox::start(Options {
        rate_limit: Some(2),
        ..Options::default()
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"50/s\"\nconcurrency = 1",
    );
    let (code, out) = run(&dir, &cfg, CUSTOMERS.0, CUSTOMERS.1, "out", false);
    assert_eq!(code, 1);
    let s = summary(&out);
    assert_eq!(s["sent"], s["valid"], "{s}");
    let stats = sb.stats();
    let sent = s["sent"].as_u64().unwrap();
    assert!(stats.rate_limited > 0, "the limit was reached: {stats:?}");
    // After a 429 the client waits Retry-After (1 s), by which time the provider has
    // room again: at most one 429 per row. A client that retried on its own shorter
    // backoff would collect several.
    assert!(
        stats.rate_limited <= sent,
        "{} 429s for {sent} rows",
        stats.rate_limited
    );
}

#[test]
fn a_provider_that_is_down_aborts_with_exit_3_quickly() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = TempDir::new().unwrap();
    let (breaker, concurrency, retries) = (4, 2, 2);
    let cfg = config(
        &dir,
        &format!("http://127.0.0.1:{port}"),
        &format!(
            "max_consecutive_failures = {breaker}\nconcurrency = {concurrency}\nretries = {retries}"
        ),
    );
    let (code, out) = run(
        &dir,
        &cfg,
        "mappings/fatura_entegrator/customer_update.toml",
        "samples/fe_musteriler.csv",
        "out",
        false,
    );
    assert_eq!(code, 3);
    let s = summary(&out);
    adds_up(&s);
    assert_eq!(s["sent"], 0);
    let failed = csv_rows(&out.join("failed.csv"));
    assert_eq!(failed.len() as u64, s["failed"].as_u64().unwrap());
    assert!(s["failed"].as_u64().unwrap() > 0);
    // Quickly: counted in attempts, not in seconds. The breaker stops the run after
    // `breaker` failures in a row, with at most the requests then in flight still
    // to fail; a run that tried every row through its retries would make
    // valid × (retries + 1) attempts.
    let attempts: u64 = failed
        .iter()
        .map(|f| f["attempts"].parse::<u64>().expect("attempts"))
        .sum();
    assert!(
        attempts <= breaker + concurrency,
        "{attempts} attempts: {failed:?}"
    );
    let never_tried = failed.iter().filter(|f| f["attempts"] == "0").count() as u64;
    assert!(
        never_tried >= s["failed"].as_u64().unwrap() - (breaker + concurrency),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .filter(|f| f["attempts"] == "0")
            .all(|f| f["message"].contains("consecutive failures")),
        "{failed:?}"
    );
}

/// True once the sandbox refuses the Ödüyo session it issued at start as expired. The
/// probe's body is empty, so a session still alive gets a refusal and writes nothing.
fn configured_session_expired(sb: &Sandbox) -> bool {
    let ep = aktar::providers::find("oduyo.customer_update").expect("built-in endpoint");
    let url = format!("{}{}", sb.base_url(), ep.path);
    sb.rt.block_on(async {
        let client = aktar::http::client_builder().build().expect("client");
        let resp = client
            .post(&url)
            .header("Apikey", aktar::sandbox::creds::ODUYO_API_KEY)
            .header("Authorization", aktar::sandbox::creds::ODUYO_SESSION)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("probe");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        status == 401 && text.contains("session expired")
    })
}

#[test]
fn an_expired_session_is_renewed_once_and_the_run_goes_on() {
    let sb = Sandbox::start(Options {
        session_ttl: Duration::from_secs(1),
        ..Options::default()
    });
    // The session given in the configuration dies a second after the sandbox starts.
    wait_for("the configured session to expire", || {
        configured_session_expired(&sb)
    });
    let before = sb.stats();
    let dir = TempDir::new().unwrap();
    let cfg = config(
        &dir,
        &sb.base_url(),
        "session = \"env:ODUYO_SESSION\"\nrate_limit = \"200/s\"",
    );
    let (code, out) = run(&dir, &cfg, CUSTOMERS.0, CUSTOMERS.1, "out", false);
    assert_eq!(code, 1);
    let s = summary(&out);
    assert_eq!(s["sent"], s["valid"], "{s}");
    let stats = sb.stats();
    assert_eq!(
        stats.logins - before.logins,
        1,
        "one login for the whole run: {stats:?}"
    );
    assert!(stats.unauthorized > before.unauthorized, "{stats:?}");
}

#[test]
fn bad_credentials_exit_3_without_showing_the_secret() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "");
    let out = dir.path().join("out");
    let o = run_fe_with_key(&cfg, &out, "wrong-secret-value-123", false);
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("authentication refused"), "{stderr}");
    let mut everything = format!("{stderr}{}", String::from_utf8_lossy(&o.stdout));
    for f in std::fs::read_dir(&out).unwrap() {
        everything.push_str(&String::from_utf8_lossy(
            &std::fs::read(f.unwrap().path()).unwrap(),
        ));
    }
    assert!(
        !everything.contains("wrong-secret-value-123"),
        "the secret leaked"
    );
    let s = summary(&out);
    adds_up(&s);
    assert_eq!(s["sent"], 0);
}

#[test]
fn missing_credentials_stop_before_anything_is_read() {
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, "http://127.0.0.1:9", "");
    aktar()
        .env_remove("FE_API_KEY")
        .arg("run")
        .arg("--config")
        .arg(&cfg)
        .arg("-m")
        .arg(root().join("mappings/fatura_entegrator/customer_update.toml"))
        .arg(root().join("samples/fe_musteriler.csv"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("FE_API_KEY, which is not set"));
}

#[test]
fn ctrl_c_finishes_what_is_in_flight_writes_the_reports_and_exits_130() {
    let sb = Sandbox::start(Options {
        latency: Duration::from_millis(200),
        ..Options::default()
    });
    let dir = TempDir::new().unwrap();
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"5/s\"\nconcurrency = 1",
    );
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aktar"))
        .env("FE_API_KEY", aktar::sandbox::creds::FE_API_KEY)
        .arg("run")
        .arg("--quiet")
        .arg("--config")
        .arg(&cfg)
        .arg("-m")
        .arg(root().join("mappings/fatura_entegrator/customer_update.toml"))
        .arg("--report-dir")
        .arg(&out)
        .arg(root().join("samples/fe_musteriler.csv"))
        .spawn()
        .unwrap();
    // The first row has arrived; the others wait for their rate-limit slots.
    wait_for("the first row to arrive", || sb.stats().writes >= 1);
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let s = summary(&out);
    adds_up(&s);
    let sent = s["sent"].as_u64().unwrap();
    assert!(
        sent < s["valid"].as_u64().unwrap(),
        "interrupted before the end: {s}"
    );
    let failed = csv_rows(&out.join("failed.csv"));
    assert!(
        failed.iter().all(|f| f["message"].contains("interrupted")),
        "{failed:?}"
    );
    // What was sent arrived, exactly once.
    let ledger = sb.ledger();
    let entries = &ledger.endpoints["fatura_entegrator.customer_update"];
    assert_eq!(entries.len() as u64, sent);
    assert!(entries.values().all(|e| e.writes == 1));
}

/// What the NetTahsilat stand-in below saw: tokens issued, and for every write the
/// `exp` of the token it carried and when it arrived, both in milliseconds since the
/// epoch.
#[derive(Default)]
struct TokenLog {
    exp_of: std::collections::HashMap<String, i64>,
    writes: Vec<(i64, i64)>,
}

/// NetTahsilat as far as tokens go: each token call gives a JWT whose `exp` is `life`
/// seconds away (whole seconds, rounded down, as the sandbox issues them); a write
/// whose token's `exp` has passed on arrival is refused as expired.
fn token_provider(life: i64) -> (Loopback, Arc<Mutex<TokenLog>>) {
    use base64::Engine;
    let log = Arc::new(Mutex::new(TokenLog::default()));
    let seen = log.clone();
    let provider = Loopback::start(move |req| {
        let now = chrono::Utc::now().timestamp_millis();
        let mut log = seen.lock().unwrap();
        if req.path == "/token" {
            let exp = now / 1000 + life;
            let part = |v: serde_json::Value| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
            };
            let n = log.exp_of.len();
            let jwt = format!(
                "{}.{}.c2ln",
                part(serde_json::json!({"alg": "HS256", "typ": "JWT"})),
                part(serde_json::json!({"sub": "aktar", "exp": exp, "jti": n}))
            );
            log.exp_of.insert(jwt.clone(), exp * 1000);
            let answer = serde_json::json!({"access_token": jwt, "token_type": "Bearer", "expires_in": life});
            return (200, answer);
        }
        let token = req
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default();
        let exp = log.exp_of.get(token).copied().unwrap_or(0);
        log.writes.push((exp, now));
        if now >= exp {
            let expired = serde_json::json!({"status": "error", "message": "token expired"});
            return (401, expired);
        }
        (200, serde_json::json!({"status": "success"}))
    });
    (provider, log)
}

/// Tokens live two seconds; the run takes longer than that at 3 requests a second. A
/// write's token is renewed a tenth of its life before its `exp`, so a write can reach
/// the provider after that `exp` only by a transit longer than that tenth: such a
/// round proves nothing and is run again; a client that let its tokens run out would
/// meet it in every round.
#[test]
fn a_netahsilat_token_is_renewed_before_its_exp_passes() {
    for round in 1..=5 {
        let (provider, log) = token_provider(2);
        let dir = TempDir::new().unwrap();
        let cfg = config(
            &dir,
            &provider.base_url(),
            "rate_limit = \"3/s\"\nconcurrency = 1",
        );
        let (code, out) = run(
            &dir,
            &cfg,
            "mappings/netahsilat/customer_update.toml",
            "samples/netahsilat_musteriler.xlsx",
            "out",
            false,
        );
        assert_eq!(code, 1, "the sample carries bad rows");
        let s = summary(&out);
        assert_eq!(s["sent"], s["valid"], "{s}");
        let log = log.lock().unwrap();
        assert!(
            log.exp_of.len() >= 2,
            "renewed before it expired: {} token(s)",
            log.exp_of.len()
        );
        let late = log.writes.iter().filter(|(exp, at)| at >= exp).count();
        if late == 0 {
            return;
        }
        eprintln!("round {round}: {late} write(s) arrived after their token's exp; again");
    }
    panic!("every round sent a write whose token's exp had passed");
}
