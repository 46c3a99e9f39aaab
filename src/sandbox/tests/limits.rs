//! Latency and the rate limit: a burst past the rate gets 429 with `Retry-After` and
//! nothing applied, while a client pacing itself at the rate is never refused.

use std::time::{Duration, Instant};

use tokio::time::MissedTickBehavior;

use super::{Harness, customer, options, read};
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
    let t = Instant::now();
    let resp = h.http.get(h.url("/_stats")).send().await.expect("stats");
    assert_eq!(read(resp).await.0, 200);
    assert!(
        t.elapsed() < Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
    h.sb.stop().await;
}

#[tokio::test]
async fn a_burst_past_the_rate_gets_429_with_retry_after_and_applies_nothing() {
    let opts = Options {
        rate_limit: Some(5),
        ..options()
    };
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
    // 5/s allows one request plus a burst of one at once; a slow machine may see
    // one more slot open while the ten go out.
    assert!((2..=3).contains(&accepted.len()), "{accepted:?}");
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

#[tokio::test]
async fn a_client_pacing_itself_at_the_rate_is_never_refused() {
    let rate = 40;
    let opts = Options {
        rate_limit: Some(rate),
        ..options()
    };
    let h = Harness::start(opts).await;
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate);
    // A late tick fires at once and the next ones keep the schedule: the jittery
    // pattern a paced client really produces.
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    for id in 1..=i64::from(rate) {
        tick.tick().await;
        let resp = h
            .request(ODUYO, None, &customer(id, "1.00"))
            .send()
            .await
            .expect("send");
        assert_eq!(read(resp).await.0, 200, "request {id} refused");
    }
    assert_eq!(h.sb.stats().await.rate_limited, 0);
    h.sb.stop().await;
}
