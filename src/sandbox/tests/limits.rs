//! Latency and the rate limit: a burst past the rate gets 429 with `Retry-After` and
//! nothing applied, while a client pacing itself at the rate is never refused.
//!
//! Nothing here asserts that something was fast. A held answer is shown held by what
//! else answers meanwhile; the limiter is held to what it may allow in the time that
//! actually passed, measured around the requests.

use std::time::{Duration, Instant};

use super::{Harness, customer, options, read, until};
use crate::sandbox::Options;

const ODUYO: &str = "oduyo.customer_update";

#[tokio::test]
async fn latency_holds_every_answer_but_introspection() {
    let opts = Options {
        latency: Duration::from_millis(200),
        ..options()
    };
    let h = Harness::start(opts).await;
    let t = Instant::now();
    let resp = h
        .request(ODUYO, None, &customer(1, "1.00"))
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await.0, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
    h.sb.stop().await;

    // With a latency no test outlives, the introspection routes answer while a write
    // is held: they are not behind the latency.
    let opts = Options {
        latency: Duration::from_secs(3600),
        ..options()
    };
    let h = Harness::start(opts).await;
    let write = tokio::spawn(h.request(ODUYO, None, &customer(1, "1.00")).send());
    until("the write to be applied", || async {
        let resp = h.http.get(h.url("/_stats")).send().await.expect("stats");
        let (status, stats) = read(resp).await;
        assert_eq!(status, 200);
        stats["writes"] == 1
    })
    .await;
    let resp = h.http.get(h.url("/_ledger")).send().await.expect("ledger");
    assert_eq!(read(resp).await.0, 200);
    assert!(!write.is_finished(), "the write's answer is held");
    // Stopping cuts the hold short: the held answer is a success.
    h.sb.stop().await;
    let resp = write.await.expect("write task").expect("the held answer");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn a_burst_past_the_rate_gets_429_with_retry_after_and_applies_nothing() {
    let opts = Options {
        rate_limit: Some(5),
        ..options()
    };
    // Before the limiter exists, so that `window` covers all the time it has known.
    let started = Instant::now();
    let h = Harness::start(opts).await;
    let mut accepted = Vec::new();
    let mut refused = 0;
    for id in 1..=10 {
        let resp = h
            .request(ODUYO, None, &customer(id, "1.00"))
            .send()
            .await
            .expect("send");
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (status, answer) = read(resp).await;
        match status {
            200 => accepted.push(id),
            429 => {
                refused += 1;
                let secs: u64 = retry_after
                    .as_deref()
                    .and_then(|s| s.parse().ok())
                    .expect("Retry-After in whole seconds");
                assert!(secs >= 1);
                assert_eq!(answer["status"], serde_json::json!(false));
            }
            other => panic!("unexpected {other}: {answer}"),
        }
    }
    // 5/s allows one request plus a burst of one at once, and one more for each
    // fifth of a second that passed while the ten went out.
    let window = started.elapsed();
    let most = 2 + (window.as_millis() / 200) as usize;
    assert!(
        (2..=most).contains(&accepted.len()),
        "{accepted:?} accepted in {window:?}"
    );
    let ledger = h.sb.ledger().await;
    for id in 1..=10 {
        let expected = u64::from(accepted.contains(&id));
        assert_eq!(ledger.writes(ODUYO, &id.to_string()), expected, "id {id}");
    }
    let stats = h.sb.stats().await;
    assert_eq!(
        (stats.rate_limited, stats.writes),
        (refused, accepted.len() as u64)
    );
    h.sb.stop().await;
}

/// A client that never sends a request sooner than one interval after its previous
/// one. The sandbox sees a request when it arrives, not when it left, so a request
/// can arrive early against an earlier one only by as much as that earlier one was
/// late: the round trip bounds it. The burst allowance (a tenth of the rate) absorbs
/// that, so a refusal is a failure unless some earlier round trip took longer than
/// the allowance; such a round proves nothing and is run again.
#[tokio::test]
async fn a_client_pacing_itself_at_the_rate_is_never_refused() {
    let rate = 40;
    let interval = Duration::from_secs(1) / rate;
    let allowance = interval * (rate / 10);
    for round in 1.. {
        assert!(
            round <= 20,
            "every round met a round trip over {allowance:?}"
        );
        let opts = Options {
            rate_limit: Some(rate),
            ..options()
        };
        let h = Harness::start(opts).await;
        let mut slowest = Duration::ZERO;
        let mut refused = None;
        let mut next = tokio::time::Instant::now();
        for id in 1..=i64::from(rate) {
            tokio::time::sleep_until(next).await;
            let sent = tokio::time::Instant::now();
            next = sent + interval;
            let resp = h
                .request(ODUYO, None, &customer(id, "1.00"))
                .send()
                .await
                .expect("send");
            let status = read(resp).await.0;
            if status == 429 {
                refused = Some(id);
                break;
            }
            assert_eq!(status, 200, "request {id}");
            slowest = slowest.max(sent.elapsed());
        }
        let stats = h.sb.stats().await;
        h.sb.stop().await;
        match refused {
            None => {
                assert_eq!(stats.rate_limited, 0);
                return;
            }
            Some(id) => assert!(
                slowest > allowance,
                "request {id} refused, every earlier round trip within {allowance:?} (slowest {slowest:?})"
            ),
        }
    }
}
