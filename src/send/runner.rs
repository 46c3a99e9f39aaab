//! The sending loop: read the spill of valid requests in file order, deliver each under
//! the rate limit and the in-flight bound, and put every row in exactly one bucket
//! (sent, failed, uncertain).

use std::collections::HashMap;
use std::io::BufRead;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::BackoffBuilder;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::Value as Json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::auth::Auth;
use super::classify::{Verdict, classify, classify_error};
use super::settings::Settings;
use crate::journal::Outcome;
use crate::journal::gate::{Decision, Gate, payload_hash};
use crate::providers::Endpoint;
use crate::read::SourcePos;
use crate::report::{FailedRow, UncertainRow};

/// Why a run stopped taking rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Provider down, authentication refused: exit 3.
    Aborted(String),
    /// Ctrl-C: exit 130.
    Interrupted,
}

/// What became of a row: the journal said it was already there, or it was tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The journal says the provider already holds this payload.
    Unchanged,
    Done(Outcome),
}

/// What happened to the rows of one spill.
#[derive(Debug, Default)]
pub struct SendReport {
    pub sent: u64,
    pub unchanged: u64,
    /// In file order.
    pub failed: Vec<FailedRow>,
    /// In file order.
    pub uncertain: Vec<UncertainRow>,
    pub stop: Option<Stop>,
    /// HTTP requests made (retries included).
    pub attempts: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{path}: {message}")]
    Spill { path: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// One line of the spill (payloads.jsonl's format).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Item {
    pub file: String,
    pub row: u64,
    pub key: String,
    pub method: String,
    pub url: String,
    pub body: Json,
}

struct Shared {
    client: reqwest::Client,
    auth: Auth,
    limiter: DefaultDirectRateLimiter,
    endpoint: &'static Endpoint,
    settings: Settings,
    consecutive: AtomicU32,
    stopped: AtomicBool,
    stop: Mutex<Option<Stop>>,
}

impl Shared {
    fn stop(&self, why: Stop) {
        if let Ok(mut s) = self.stop.lock()
            && s.is_none()
        {
            *s = Some(why);
        }
        self.stopped.store(true, Ordering::SeqCst);
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn reason(&self) -> String {
        match self.stop.lock().ok().and_then(|s| s.clone()) {
            Some(Stop::Aborted(why)) => format!("not sent: the run stopped ({why})"),
            Some(Stop::Interrupted) => "not sent: the run was interrupted".into(),
            None => "not sent".into(),
        }
    }

    /// Counts a transient failure; trips the breaker at the configured run length.
    fn transient(&self, message: &str) {
        let n = self.consecutive.fetch_add(1, Ordering::SeqCst) + 1;
        if n >= self.settings.breaker {
            self.stop(Stop::Aborted(format!(
                "{n} consecutive failures, the provider looks down; last: {message}"
            )));
        }
    }
}

/// Sends every request in `spill`, asking the journal's `gate` (when there is one)
/// about each first. `interrupt` resolves on Ctrl-C; `progress` is called after each
/// row with (done, sent, failed + uncertain).
pub async fn send_spill(
    spill: &Path,
    endpoint: &'static Endpoint,
    settings: &Settings,
    gate: Option<Arc<Gate>>,
    interrupt: impl std::future::Future<Output = ()> + Send + 'static,
    mut progress: impl FnMut(u64, u64, u64),
) -> Result<SendReport, SendError> {
    let spill_err = |message: String| SendError::Spill {
        path: spill.display().to_string(),
        message,
    };
    let client = crate::http::client_builder()
        .timeout(settings.timeout)
        .build()
        .map_err(|e| SendError::Client(e.to_string()))?;
    let period = settings.rate.per / settings.rate.n;
    let quota = Quota::with_period(period.max(Duration::from_micros(1)))
        .ok_or_else(|| SendError::Client("rate limit too high".into()))?
        .allow_burst(burst(settings.rate));
    let shared = Arc::new(Shared {
        auth: Auth::new(settings.auth.clone(), &settings.base_url, client.clone()),
        client,
        limiter: RateLimiter::direct(quota),
        endpoint,
        settings: settings.clone(),
        consecutive: AtomicU32::new(0),
        stopped: AtomicBool::new(false),
        stop: Mutex::new(None),
    });
    let watcher = {
        let shared = shared.clone();
        tokio::spawn(async move {
            interrupt.await;
            shared.stop(Stop::Interrupted);
        })
    };

    let file = std::fs::File::open(spill).map_err(|e| spill_err(e.to_string()))?;
    let sem = Arc::new(Semaphore::new(settings.concurrency));
    let mut set: JoinSet<(usize, Item, Delivery)> = JoinSet::new();
    // What each task carries, so that a task that dies still leaves its row in a bucket.
    let mut in_flight: HashMap<tokio::task::Id, (usize, Item)> = HashMap::new();
    let idempotent = endpoint.idempotent;
    let mut results: Vec<(usize, Item, Delivery)> = Vec::new();
    let mut counts = (0u64, 0u64, 0u64);
    let mut on_result = |r: (usize, Item, Delivery), results: &mut Vec<_>| {
        counts.0 += 1;
        match &r.2 {
            Delivery::Done(Outcome::Sent { .. }) | Delivery::Unchanged => counts.1 += 1,
            _ => counts.2 += 1,
        }
        progress(counts.0, counts.1, counts.2);
        results.push(r);
    };
    for (seq, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| spill_err(e.to_string()))?;
        let item: Item =
            serde_json::from_str(&line).map_err(|e| spill_err(format!("line {}: {e}", seq + 1)))?;
        let body = item.body.to_string();
        let hash = payload_hash(&item.method, &item.url, &body);
        let decided = match gate
            .as_deref()
            .map(|g| g.decide(&item.key, hash, &item.body))
        {
            None | Some(Decision::Send) => None,
            Some(Decision::Unchanged) => Some(Delivery::Unchanged),
            Some(Decision::Held(message)) => Some(Delivery::Done(Outcome::Uncertain {
                attempts: 0,
                message,
            })),
            Some(Decision::Changed(message)) => Some(Delivery::Done(Outcome::Failed {
                status: None,
                attempts: 0,
                message,
            })),
        };
        if let Some(d) = decided {
            on_result((seq, item, d), &mut results);
            continue;
        }
        let permit = if shared.stopped() {
            None
        } else {
            sem.clone().acquire_owned().await.ok()
        };
        match permit {
            Some(permit) if !shared.stopped() => {
                let shared = shared.clone();
                let gate = gate.clone();
                let copy = item.clone();
                let task = set.spawn(async move {
                    let d = journaled(&shared, gate.as_deref(), &item, hash, &body).await;
                    drop(permit);
                    (seq, item, Delivery::Done(d))
                });
                in_flight.insert(task.id(), (seq, copy));
            }
            _ => {
                let d = Delivery::Done(Outcome::Failed {
                    status: None,
                    attempts: 0,
                    message: shared.reason(),
                });
                on_result((seq, item, d), &mut results);
            }
        }
        while let Some(done) = set.try_join_next_with_id() {
            on_result(joined(done, &mut in_flight, idempotent), &mut results);
        }
    }
    while let Some(done) = set.join_next_with_id().await {
        on_result(joined(done, &mut in_flight, idempotent), &mut results);
    }
    watcher.abort();

    results.sort_by_key(|r| r.0);
    let mut report = SendReport {
        stop: shared.stop.lock().ok().and_then(|s| s.clone()),
        ..SendReport::default()
    };
    for (_, item, d) in results {
        let pos = SourcePos {
            file: Arc::from(item.file.as_str()),
            sheet: None,
            row: item.row,
        };
        match d {
            Delivery::Done(Outcome::Sent { attempts }) => {
                report.sent += 1;
                report.attempts += u64::from(attempts);
            }
            Delivery::Unchanged => report.unchanged += 1,
            Delivery::Done(Outcome::Failed {
                status,
                attempts,
                message,
            }) => {
                report.attempts += u64::from(attempts);
                report.failed.push(FailedRow {
                    pos,
                    key: item.key,
                    http_status: status,
                    attempts,
                    message,
                });
            }
            Delivery::Done(Outcome::Uncertain { attempts, message }) => {
                report.attempts += u64::from(attempts);
                report.uncertain.push(UncertainRow {
                    pos,
                    key: item.key,
                    message,
                });
            }
        }
    }
    Ok(report)
}

/// A finished task's row; a task that died (a bug) leaves its row failed, or uncertain
/// when the request may have left and must not be repeated.
fn joined(
    done: Result<(tokio::task::Id, (usize, Item, Delivery)), tokio::task::JoinError>,
    in_flight: &mut HashMap<tokio::task::Id, (usize, Item)>,
    idempotent: bool,
) -> (usize, Item, Delivery) {
    match done {
        Ok((id, r)) => {
            in_flight.remove(&id);
            r
        }
        Err(e) => {
            let (seq, item) = in_flight.remove(&e.id()).unwrap_or_else(|| {
                (
                    usize::MAX,
                    Item {
                        file: String::new(),
                        row: 0,
                        key: String::new(),
                        method: String::new(),
                        url: String::new(),
                        body: Json::Null,
                    },
                )
            });
            let message = format!("internal error while sending: {e}");
            let d = if idempotent {
                Outcome::Failed {
                    status: None,
                    attempts: 0,
                    message,
                }
            } else {
                Outcome::Uncertain {
                    attempts: 0,
                    message,
                }
            };
            (seq, item, Delivery::Done(d))
        }
    }
}

/// Delivers one row with the journal around it: a request that may not be repeated is
/// recorded `pending` (on disk) before it leaves, and every outcome is recorded.
async fn journaled(
    s: &Shared,
    gate: Option<&Gate>,
    item: &Item,
    hash: u128,
    body: &str,
) -> Outcome {
    let Some(g) = gate else {
        return deliver(s, item).await;
    };
    if !s.endpoint.idempotent
        && let Err(e) = g.writer.pending(&item.key, hash, body).await
    {
        s.stop(Stop::Aborted(format!(
            "the journal cannot record the send: {e}"
        )));
        return Outcome::Failed {
            status: None,
            attempts: 0,
            message: format!("not sent: the journal cannot record it: {e}"),
        };
    }
    let d = deliver(s, item).await;
    if let Err(e) = g.writer.done(&item.key, hash, body, d.clone()) {
        s.stop(Stop::Aborted(format!(
            "the journal cannot record outcomes: {e}"
        )));
    }
    d
}

/// A small burst — a twentieth of a second's quota, at most 10 — lets the limiter make
/// up for timer wake-ups that come a little late, which would otherwise lose a few
/// percent of the rate; governor's default (a whole second's quota at once) would let
/// the first second run at twice the rate.
fn burst(rate: super::settings::Rate) -> NonZeroU32 {
    let per_second = u64::from(rate.n) * 1000 / (rate.per.as_millis().max(1) as u64);
    NonZeroU32::new((per_second / 20).clamp(1, 10) as u32).unwrap_or(NonZeroU32::MIN)
}

/// Retry-After is honoured, within reason.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// One row: attempts until success, refusal, uncertainty or the end of the retries.
async fn deliver(s: &Shared, item: &Item) -> Outcome {
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
    let mut renewed = false;
    let mut last_status = None;
    loop {
        // The rate limit first, the credential second: waiting for a slot with a
        // credential in hand can let it expire before the request leaves.
        s.limiter.until_ready().await;
        let auth = match s.auth.headers().await {
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
        attempts += 1;
        let mut req = s.client.request(method.clone(), &item.url).json(&item.body);
        for (k, v) in &auth.headers {
            req = req.header(*k, v);
        }
        let verdict = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                match resp.bytes().await {
                    Ok(body) => classify(&s.endpoint.answer, status, retry_after.as_deref(), &body),
                    Err(e) => classify_error(&e),
                }
            }
            Err(e) => classify_error(&e),
        };
        match verdict {
            Verdict::Success => {
                s.consecutive.store(0, Ordering::SeqCst);
                return Outcome::Sent { attempts };
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
                let renewal = if renewed {
                    Err(super::auth::AuthError::StillRefused(message.clone()))
                } else {
                    s.auth.renew(auth.generation).await
                };
                if let Err(e) = renewal {
                    s.stop(Stop::Aborted(e.to_string()));
                    return Outcome::Failed {
                        status: Some(401),
                        attempts,
                        message: e.to_string(),
                    };
                }
                renewed = true;
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
                tokio::time::sleep(wait).await;
            }
        }
    }
}
