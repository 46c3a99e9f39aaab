//! One row's attempts: wait for a rate-limit slot, take the credential, record the
//! request `pending` when it may not be repeated, send, read the answer, and retry what
//! is safe to retry — every wait ending at a stop, and nothing leaving after one. A
//! request that may not be repeated is repeated only where it provably never reached
//! the provider.
//!
//! `pending` is written at the last moment, after both waits: a run killed while rows
//! wait for their slot leaves them unrecorded, so they are simply sent by the next run
//! instead of becoming `uncertain` transactions a person has to look up. For the same
//! reason a request that surely did not arrive (a 429, a refused connection) takes its
//! `pending` back before it waits to be tried again, and records it anew before the
//! retry leaves.

use std::sync::atomic::Ordering;
use std::time::Duration;

use backon::BackoffBuilder;

use super::{Item, Shared, Stop};
use crate::journal::{Outcome, Writer};
use crate::send::auth::Refusals;
use crate::send::classify::{Verdict, classify, classify_error, reference};

/// Retry-After is honoured, within reason.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// What is put on disk, committed, just before a request that may not be repeated
/// leaves for the first time.
pub(super) struct Pending<'a> {
    pub writer: &'a Writer,
    pub key: &'a str,
    pub hash: u128,
    pub body: &'a str,
}

/// One row: attempts until success, refusal, uncertainty or the end of the retries.
pub(super) async fn deliver(s: &Shared, item: &Item, pending: Option<Pending<'_>>) -> Outcome {
    let idempotent = s.endpoint.idempotent;
    let method =
        reqwest::Method::from_bytes(item.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut delays = backon::ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(30))
        .with_factor(2.0)
        .with_jitter()
        .with_max_times(s.settings.retries as usize)
        .build();
    let mut attempts = 0u32;
    let mut refusals = Refusals::default();
    let mut last_status = None;
    // Whether the journal holds this request `pending` now.
    let mut on_disk = false;
    loop {
        // The rate limit first, the credential second: waiting for a slot with a
        // credential in hand can let it expire before the request leaves. Both waits
        // end at a stop, and nothing leaves after one.
        tokio::select! {
            biased;
            _ = s.halt.cancelled() => return s.not_sent(attempts, last_status),
            _ = s.limiter.until_ready() => {}
        }
        let headers = tokio::select! {
            biased;
            _ = s.halt.cancelled() => return s.not_sent(attempts, last_status),
            headers = s.auth.headers() => headers,
        };
        if s.stopped() {
            return s.not_sent(attempts, last_status);
        }
        let auth = match headers {
            Ok(a) => a,
            Err(e) => {
                s.stop(Stop::Aborted(e.to_string()));
                return Outcome::Failed {
                    status: None,
                    attempts,
                    message: format!("not sent: {e}"),
                };
            }
        };
        if let Some(p) = pending.as_ref().filter(|_| !on_disk) {
            on_disk = true;
            if let Err(e) = p.writer.pending(p.key, p.hash, p.body).await {
                s.stop(Stop::Aborted(format!(
                    "the journal cannot record the send: {e}"
                )));
                return Outcome::Failed {
                    status: None,
                    attempts,
                    message: format!("not sent: the journal cannot record it: {e}"),
                };
            }
            // The outcome recorded for a row that does not leave clears its pending.
            if s.stopped() {
                return s.not_sent(attempts, last_status);
            }
        }
        attempts += 1;
        // The spill's text of the body, as `.json()` would serialise it again.
        let req = match s.url(&item.url) {
            Some(url) => s.client.request(method.clone(), url),
            None => s.client.request(method.clone(), &item.url),
        };
        let mut req = req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(item.body().to_owned());
        for (k, v) in &auth.headers {
            req = req.header(*k, v);
        }
        let mut answered = None;
        let verdict = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                match resp.bytes().await {
                    Ok(body) => {
                        let v = classify(&s.endpoint.answer, status, retry_after.as_deref(), &body);
                        answered = Some((status, body));
                        v
                    }
                    Err(e) => classify_error(&e),
                }
            }
            Err(e) => classify_error(&e),
        };
        match verdict {
            Verdict::Success => {
                s.consecutive.store(0, Ordering::SeqCst);
                s.auth.accepted(auth.generation);
                let (status, body) = answered.unwrap_or_default();
                return Outcome::Sent {
                    attempts,
                    status,
                    reference: reference(&s.endpoint.references, &body),
                };
            }
            Verdict::Refused { status, message } => {
                s.consecutive.store(0, Ordering::SeqCst);
                return Outcome::Failed {
                    status: Some(status),
                    attempts,
                    message,
                };
            }
            Verdict::Unclear { status, message } => {
                s.consecutive.store(0, Ordering::SeqCst);
                return if idempotent {
                    Outcome::Failed {
                        status: Some(status),
                        attempts,
                        message,
                    }
                } else {
                    Outcome::Uncertain {
                        attempts,
                        message: format!(
                            "{message}; whether it was posted is unknown, so it is not repeated"
                        ),
                    }
                };
            }
            Verdict::Unauthorized { message } => {
                // A 401 means the request was not processed: safe to repeat once the
                // credential is renewed, even for a non-idempotent endpoint.
                if let Err(e) = s
                    .auth
                    .refused(auth.generation, &mut refusals, &message)
                    .await
                {
                    s.stop(Stop::Aborted(e.to_string()));
                    return Outcome::Failed {
                        status: Some(401),
                        attempts,
                        message: e.to_string(),
                    };
                }
            }
            Verdict::Transient {
                status,
                retry_after,
                reached,
                message,
            } => {
                last_status = status.or(last_status);
                // A 429 is a provider that is up and pacing us, not one that is down.
                if status != Some(429) {
                    s.transient(&message);
                }
                if reached && !idempotent {
                    return Outcome::Uncertain {
                        attempts,
                        message: format!(
                            "{message}; the request may have reached the provider, so it is not repeated"
                        ),
                    };
                }
                let next = if s.stopped() { None } else { delays.next() };
                let Some(delay) = next else {
                    return Outcome::Failed {
                        status: last_status,
                        attempts,
                        message: if s.stopped() {
                            format!("{message}; not retried: the run stopped")
                        } else {
                            format!("{message}; gave up after {attempts} attempts")
                        },
                    };
                };
                let wait = retry_after.map_or(delay, |r| r.min(MAX_RETRY_AFTER).max(delay));
                if let Some(p) = pending.as_ref().filter(|_| on_disk && !reached) {
                    on_disk = false;
                    let why = format!("{message}; not sent yet, waiting to retry");
                    if let Err(e) = p.writer.not_left(p.key, &why).await {
                        s.stop(Stop::Aborted(format!(
                            "the journal cannot record the send: {e}"
                        )));
                        return Outcome::Failed {
                            status: last_status,
                            attempts,
                            message: format!(
                                "{message}; not retried: the journal cannot record it: {e}"
                            ),
                        };
                    }
                }
                tokio::select! {
                    biased;
                    _ = s.halt.cancelled() => {
                        return Outcome::Failed {
                            status: last_status,
                            attempts,
                            message: format!("{message}; not retried: the run stopped"),
                        };
                    }
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}
