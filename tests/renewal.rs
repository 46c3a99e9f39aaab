//! Renewing a credential that every request in flight shares. An injected `expired`
//! fault revokes the session of the request that meets it, and with it the session of
//! every other request in flight: those meet a 401 although their own renewal went
//! well, which is no reason to stop the run. A provider that refuses every session it
//! hands out, on the other hand, stops the run at once, and says why even with
//! `--quiet`.

mod long_run;
mod loopback;

use std::time::Duration;

use aktar::sandbox::Options;
use long_run::common::{self, Sandbox, config, root, run_fe_with_key, run_quietly, summary};
use loopback::Loopback;
use tempfile::TempDir;

fn run_transactions(
    cfg: &std::path::Path,
    input: &std::path::Path,
    out: &std::path::Path,
) -> (i32, String) {
    let m = root().join("tests/fixtures/hareket.toml");
    let o = run_quietly(cfg, &m, out, &[input]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn sessions_revoked_by_other_requests_faults_do_not_stop_the_run() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("hareket.csv");
    long_run::transactions(&input, 1_500);
    // 30% faults, a sixth of them `expired`: about one request in twenty revokes the
    // session the others in flight carry too.
    let sb = Sandbox::start(Options {
        fail_rate: 0.3,
        seed: 4242,
        slow: Duration::from_secs(2),
        ..Options::default()
    });
    let cfg = config(
        &dir,
        &sb.base_url(),
        "rate_limit = \"2000/s\"\nconcurrency = 8\ntimeout = \"1s\"\nretries = 5\nmax_consecutive_failures = 50",
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_transactions(&cfg, &input, &out);
    let s = summary(&out);
    // Faults leave some posts uncertain (exit 1); none of them is a reason to abort.
    assert_eq!(code, 1, "{stderr}\n{s}");
    assert!(!stderr.contains("authentication refused"), "{stderr}");
    long_run::assert_adds_up(&s);
    let n = |k: &str| s[k].as_u64().unwrap_or(0);
    assert_eq!(n("held"), 0, "{s}");
    assert_eq!(n("valid"), 1_500, "{s}");
    let failed = common::csv_rows(&out.join("failed.csv"));
    assert!(
        failed
            .iter()
            .all(|f| !f["message"].contains("authentication refused")),
        "{failed:?}"
    );
    let stats = sb.stats();
    let expired = stats.faults.get("expired").copied().unwrap_or(0);
    assert!(expired >= 30, "the run met revoked sessions: {stats:?}");
    assert!(stats.logins > expired / 2, "{stats:?}");
}

/// Ödüyo as far as sessions go, refusing every write: each login hands out a new
/// session, and every other request is answered 401.
fn refusing_provider() -> Loopback {
    let logins = std::sync::atomic::AtomicU64::new(0);
    Loopback::start(move |req| {
        if req.path == "/api/v1/ws/login" {
            let n = logins.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let answer =
                serde_json::json!({"status": true, "data": {"session_id": format!("sess-{n}")}});
            return (200, answer);
        }
        (
            401,
            serde_json::json!({"status": false, "message": "invalid session"}),
        )
    })
}

#[test]
fn a_provider_that_refuses_every_renewed_session_stops_the_run_at_once_even_quiet() {
    let provider = refusing_provider();
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("hareket.csv");
    long_run::transactions(&input, 200);
    let cfg = config(
        &dir,
        &provider.base_url(),
        "rate_limit = \"1000/s\"\nconcurrency = 8",
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_transactions(&cfg, &input, &out);
    assert_eq!(code, 3, "{stderr}");
    // `--quiet` silences progress and the summary, not the reason for exit 3 (nor the
    // warning about a new journal, which a first run of transactions always gets).
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("aktar: warning: no journal at "))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("aktar: run aborted: authentication refused again after renewing"),
        "{stderr}"
    );
    let s = summary(&out);
    long_run::assert_adds_up(&s);
    assert_eq!(s["sent"], 0, "{s}");
    let seen = provider.seen();
    let logins = seen.iter().filter(|r| r.path == "/api/v1/ws/login").count();
    let writes = seen.len() - logins;
    // Promptly: the first login and four renewals none of which the provider accepted,
    // with at most the requests in flight (8) tried on each session.
    assert!(logins <= 5, "{logins} logins");
    assert!(writes <= 8 * 5, "{writes} writes");
}

#[test]
fn a_refused_fixed_key_says_why_with_quiet() {
    let sb = Sandbox::start(Options::default());
    let dir = TempDir::new().unwrap();
    let cfg = config(&dir, &sb.base_url(), "");
    let out = dir.path().join("out");
    let o = run_fe_with_key(&cfg, &out, "not-the-key", true);
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("aktar: run aborted: authentication refused"),
        "{stderr}"
    );
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
