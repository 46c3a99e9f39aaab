//! Injected faults: each kind has its documented effect on the client and on the
//! ledger, drops are transport errors, and the same seed gives the same faults for
//! the same keys whatever order the requests arrive in.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::RequestBuilder;
use serde_json::json;

use super::{Harness, VKN, customer, good, outcome, read, until};
use crate::sandbox::{Fault, Options};

const ODUYO: &str = "oduyo.customer_update";
const NT: &str = "netahsilat.customer_update";
/// A `slow` answer is held longer than any test lasts (a stop cuts it short).
const SLOW: Duration = Duration::from_secs(3600);
/// How long a client waits for a held answer before it gives up.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(200);
/// Every other answer comes; this only turns a hang into a failure.
const ANSWER_BOUND: Duration = Duration::from_secs(60);

fn faulty(seed: u64) -> Options {
    Options {
        fail_rate: 1.0,
        seed,
        slow: SLOW,
        ..Options::default()
    }
}

#[tokio::test]
async fn every_fault_kind_has_its_documented_effect() {
    let seed = 3;
    let h = Harness::start(faulty(seed)).await;
    let mut seen = BTreeMap::new();
    let mut sent = 0;
    for id in 1..=40i64 {
        let key = id.to_string();
        let kind = Fault::draw(seed, ODUYO, &key, 0, 1.0).expect("fail rate 1 always faults");
        *seen.entry(kind).or_insert(0u64) += 1;
        // A fresh session each time: an `expired` fault really ends the one it meets.
        let session = h.login().await;
        let request = h.request_with(ODUYO, None, &customer(id, "1.00"), &session);
        // The answer itself is read below only for `expired`, which is never held.
        let (got, result) = if kind == Fault::Slow {
            (attempt(&h, request, Some(kind)).await, None)
        } else {
            let result = request.timeout(ANSWER_BOUND).send().await;
            (outcome(&result), Some(result))
        };
        sent += 1;
        let writes = h.sb.ledger().await.writes(ODUYO, &key);
        match kind {
            Fault::Error500 => assert_eq!((got.as_str(), writes), ("500", 0)),
            Fault::Unavailable503 => assert_eq!((got.as_str(), writes), ("503", 0)),
            Fault::Slow => assert_eq!((got.as_str(), writes), ("timeout", 1)),
            Fault::DropBefore => assert_eq!((got.as_str(), writes), ("dropped", 0)),
            Fault::DropAfter => assert_eq!((got.as_str(), writes), ("dropped", 1)),
            Fault::Expired => {
                let answer = result.expect("sent unheld").expect("an answer");
                let (status, answer) = read(answer).await;
                assert_eq!(
                    (status, answer, writes),
                    (
                        401,
                        json!({"status": false, "message": "session expired"}),
                        0
                    )
                );
                // The session really ended: refused at the door, before any draw.
                let again = h
                    .request_with(ODUYO, None, &customer(id, "1.00"), &session)
                    .send()
                    .await
                    .expect("send");
                sent += 1;
                assert_eq!(read(again).await.0, 401);
            }
        }
    }
    assert_eq!(
        seen.len(),
        Fault::ALL.len(),
        "not every kind drawn: {seen:?}"
    );
    let stats = h.sb.stats().await;
    let by_name: BTreeMap<String, u64> = seen
        .iter()
        .map(|(k, n)| (k.name().to_owned(), *n))
        .collect();
    assert_eq!(stats.faults, by_name);
    // Every request the client made reached the sandbox once: no hidden retries of
    // the dropped ones by the HTTP client.
    assert_eq!(stats.requests, sent + stats.logins);
    h.sb.stop().await;
}

/// Sends a request that will meet `fault` (None: no fault) and says how it ended for
/// the client, as `outcome` does. A `slow` one is sent, then waited for until the
/// sandbox has applied it and holds its answer; only from then does the client give
/// it CLIENT_TIMEOUT, which a held answer cannot beat. A client timeout running from
/// the start could end before the sandbox had even read the request.
async fn attempt(h: &Harness, request: RequestBuilder, fault: Option<Fault>) -> String {
    if fault != Some(Fault::Slow) {
        return outcome(&request.timeout(ANSWER_BOUND).send().await);
    }
    let held = |stats: &crate::sandbox::Stats| stats.faults.get("slow").copied().unwrap_or(0);
    let before = held(&h.sb.stats().await);
    let pending = tokio::spawn(request.send());
    until("the slow answer to be held", || async {
        held(&h.sb.stats().await) > before
    })
    .await;
    match tokio::time::timeout(CLIENT_TIMEOUT, pending).await {
        Err(_) => "timeout".to_owned(),
        Ok(answer) => outcome(&answer.expect("request task")),
    }
}

/// The first key (from `keys`) whose first request meets `kind`.
fn key_meeting(seed: u64, ep: &str, kind: Fault, keys: impl Iterator<Item = String>) -> String {
    keys.into_iter()
        .find(|k| Fault::draw(seed, ep, k, 0, 1.0) == Some(kind))
        .expect("some key meets every kind")
}

#[tokio::test]
async fn an_expired_fault_revokes_the_netahsilat_token_and_a_retry_draws_afresh() {
    let seed = 11;
    let h = Harness::start(faulty(seed)).await;
    let code = key_meeting(seed, NT, Fault::Expired, (1..).map(|i| format!("C-{i}")));
    let (_, mut body) = good(NT);
    body["code"] = json!(code);
    let resp = h
        .request(NT, Some(&code), &body)
        .send()
        .await
        .expect("send");
    assert_eq!(
        read(resp).await,
        (401, json!({"status": "error", "message": "token expired"}))
    );
    let resp = h
        .request(NT, Some(&code), &body)
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await.0, 401, "the token must stay revoked");
    assert_eq!(h.sb.ledger().await.writes(NT, &code), 0);

    // A new token; the retry is the key's second draw (the refused request above
    // never reached one).
    let (_, answer) = h.token_form().await;
    let token = answer["access_token"].as_str().expect("token").to_owned();
    let second = Fault::draw(seed, NT, &code, 1, 1.0).expect("fault");
    let request = h.request_with(NT, Some(&code), &body, &token);
    let got = attempt(&h, request, Some(second)).await;
    let expected = match second {
        Fault::Error500 => "500",
        Fault::Unavailable503 => "503",
        Fault::Slow => "timeout",
        Fault::DropBefore | Fault::DropAfter => "dropped",
        Fault::Expired => "401",
    };
    assert_eq!(got, expected, "second draw {second}");
    h.sb.stop().await;
}

#[tokio::test]
async fn a_dropped_connection_is_a_client_error_even_on_a_reused_connection() {
    let seed = 5;
    let h = Harness::start(faulty(seed)).await;
    let fe = "fatura_entegrator.customer_update";
    // Warm up a keep-alive connection with a refused (never faulted) request, so the
    // drop happens on a pooled connection, where a client could be tempted to retry.
    // A VKN one digit short fails the page's 10–11 digit tax number.
    let resp = h
        .request(fe, Some("x"), &json!({"tax_number": &VKN[..9]}))
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await.0, 422);
    for kind in [Fault::DropBefore, Fault::DropAfter] {
        let id = key_meeting(seed, fe, kind, (1..).map(|i: u32| i.to_string()));
        let result = h.request(fe, Some(&id), &json!({"name": "A"})).send().await;
        let err = result.expect_err("a drop gives no answer");
        assert!(!err.is_timeout(), "{err}");
        let writes = h.sb.ledger().await.writes(fe, &id);
        assert_eq!(writes, u64::from(kind == Fault::DropAfter), "{kind}");
    }
    assert_eq!(
        h.sb.stats().await.requests,
        3,
        "the client retried a dropped request"
    );
    h.sb.stop().await;
}

/// Sends two attempts for each key (one after the other), keys in the given order,
/// and returns each key's two outcomes.
async fn run_keys(h: &Harness, opts: &Options, ids: Vec<i64>) -> BTreeMap<i64, Vec<String>> {
    let mut out = BTreeMap::new();
    for id in ids {
        let mut outcomes = Vec::new();
        for n in 0..2 {
            let fault = Fault::draw(opts.seed, ODUYO, &id.to_string(), n, opts.fail_rate);
            let session = h.login().await;
            let request = h.request_with(ODUYO, None, &customer(id, "1.00"), &session);
            outcomes.push(attempt(h, request, fault).await);
        }
        out.insert(id, outcomes);
    }
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults_whatever_the_order() {
    let opts = Options {
        fail_rate: 0.5,
        seed: 42,
        slow: SLOW,
        ..Options::default()
    };
    let ids: Vec<i64> = (1..=16).collect();
    let a = Harness::start(opts.clone()).await;
    let in_order = run_keys(&a, &opts, ids.clone()).await;
    let b = Harness::start(opts.clone()).await;
    let reversed = run_keys(&b, &opts, ids.iter().rev().copied().collect()).await;
    assert_eq!(in_order, reversed);
    let (sa, sb) = (a.sb.stats().await, b.sb.stats().await);
    assert_eq!(sa.faults, sb.faults);
    assert!(!sa.faults.is_empty() && sa.writes > 0, "{sa:?}");
    assert_eq!(a.sb.ledger().await, b.sb.ledger().await);
    a.sb.stop().await;
    b.sb.stop().await;
}

#[tokio::test]
async fn stop_cuts_short_a_held_answer() {
    let seed = 8;
    let h = Harness::start(faulty(seed)).await;
    let id = key_meeting(seed, ODUYO, Fault::Slow, (1..).map(|i: i64| i.to_string()));
    let request = h.request(ODUYO, None, &customer(id.parse().unwrap_or(1), "1.00"));
    let pending = tokio::spawn(request.send());
    until("the answer to be held", || async {
        h.sb.stats().await.faults.get("slow") == Some(&1)
    })
    .await;
    let addr = h.sb.addr;
    h.sb.stop().await;
    // Held for an hour: only the stop can have let it go, and as an answer, not as a
    // connection cut.
    let answer = tokio::time::timeout(ANSWER_BOUND, pending)
        .await
        .expect("the held answer was let go")
        .expect("request task")
        .expect("the held answer");
    assert_eq!(answer.status().as_u16(), 200);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening after stop"
    );
}
