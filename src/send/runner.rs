//! The sending loop: read the spill of valid requests in file order, deliver each under
//! the rate limit and the in-flight bound, and put every row in exactly one bucket
//! (sent, failed, uncertain).
//!
//! A run's memory does not follow its payloads: a request's method, URL and body live
//! only while it is in flight, and what is kept of a row until the reports is its
//! place in the file, its key and its outcome. The body is never parsed: it is sent,
//! hashed and journaled as the text the spill holds.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::value::RawValue;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::auth::Auth;
use super::redact::Redactor;
use super::settings::Settings;
use crate::journal::Outcome;
use crate::journal::gate::{Decision, Gate, payload_hash};
use crate::providers::Endpoint;
use crate::read::SourcePos;
use crate::report::{FailedRow, SentLog, SentRow, UncertainRow};

mod attempt;

use attempt::{Pending, deliver};

/// Why a run stopped taking rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Provider down, authentication refused: exit 3.
    Aborted(String),
    /// Ctrl-C, SIGTERM, SIGHUP: exit 130.
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
    /// The rows the provider accepted, in file order (`sent.csv`), kept on disk.
    pub accepted: SentLog,
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

/// One line of the spill (payloads.jsonl's format). The body is the text of the line,
/// unparsed: the spill is serde_json's compact serialisation of the body (keys in
/// their order), which is what serialising it again would give, so the text is what
/// goes on the wire and what the payload hash is taken of.
#[derive(Debug, serde::Deserialize)]
pub struct Item {
    pub file: String,
    pub row: u64,
    pub key: String,
    pub method: String,
    pub url: String,
    pub body: Box<RawValue>,
}

impl Item {
    /// The body as sent, hashed and journaled.
    pub fn body(&self) -> &str {
        self.body.get()
    }

    /// The digest the journal knows this payload by.
    pub fn hash(&self) -> u128 {
        payload_hash(&self.method, &self.url, self.body())
    }
}

/// What the reports need of a row besides its outcome.
struct Row {
    pos: SourcePos,
    key: String,
}

struct Shared {
    client: reqwest::Client,
    auth: Auth,
    limiter: DefaultDirectRateLimiter,
    endpoint: &'static Endpoint,
    settings: Settings,
    consecutive: AtomicU32,
    /// The caller's stop (a signal).
    outside: CancellationToken,
    /// Cancelled by any stop, the run's own or the caller's: every wait watches it.
    halt: CancellationToken,
    stop: Mutex<Option<Stop>>,
    redactor: Arc<Redactor>,
    /// The last URL parsed and its text: most endpoints send every row to one URL, and
    /// parsing it (its host through IDNA) cost each request more than its body.
    last_url: Mutex<Option<(String, reqwest::Url)>>,
}

impl Shared {
    /// A row's URL parsed, from the last one when it is the same text. `None` when it
    /// does not parse: the client then reports that as it always has.
    fn url(&self, text: &str) -> Option<reqwest::Url> {
        let mut last = self
            .last_url
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((t, url)) = last.as_ref()
            && t == text
        {
            return Some(url.clone());
        }
        let url = reqwest::Url::parse(text).ok()?;
        *last = Some((text.to_string(), url.clone()));
        Some(url)
    }

    fn stop(&self, why: Stop) {
        let why = match why {
            Stop::Aborted(message) => Stop::Aborted(self.redactor.clean(&message)),
            other => other,
        };
        if let Ok(mut s) = self.stop.lock()
            && s.is_none()
        {
            *s = Some(why);
        }
        self.halt.cancel();
    }

    fn stopped(&self) -> bool {
        self.halt.is_cancelled()
    }

    /// Why the run stopped, if it did. The caller's token is read too: it cancels
    /// `halt` at once, before the watcher task has written the reason down.
    fn why(&self) -> Option<Stop> {
        let recorded = self.stop.lock().ok().and_then(|s| s.clone());
        recorded.or_else(|| self.outside.is_cancelled().then_some(Stop::Interrupted))
    }

    fn reason(&self) -> String {
        match self.why() {
            Some(Stop::Aborted(why)) => format!("not sent: the run stopped ({why})"),
            Some(Stop::Interrupted) => "not sent: the run was interrupted".into(),
            None => "not sent".into(),
        }
    }

    /// A row the stop caught before its request left.
    fn not_sent(&self, attempts: u32, status: Option<u16>) -> Outcome {
        Outcome::Failed {
            status,
            attempts,
            message: self.reason(),
        }
    }

    /// The outcome with the provider's words cleared of every secret.
    fn redact(&self, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Failed {
                status,
                attempts,
                message,
            } => Outcome::Failed {
                status,
                attempts,
                message: self.redactor.clean(&message),
            },
            Outcome::Uncertain { attempts, message } => Outcome::Uncertain {
                attempts,
                message: self.redactor.clean(&message),
            },
            Outcome::Sent {
                attempts,
                status,
                reference,
            } => Outcome::Sent {
                attempts,
                status,
                reference: reference.map(|r| self.redactor.clean(&r)),
            },
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
/// about each first. `stop` is cancelled on Ctrl-C or SIGTERM: no row is taken after
/// it, waits end at once, and requests in flight finish. `progress` is called after
/// each row with (done, sent, failed + uncertain).
pub async fn send_spill(
    spill: &Path,
    endpoint: &'static Endpoint,
    settings: &Settings,
    gate: Option<Arc<Gate>>,
    stop: CancellationToken,
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
    let redactor = Arc::new(Redactor::for_auth(&settings.auth));
    let shared = Arc::new(Shared {
        auth: Auth::new(
            settings.auth.clone(),
            &settings.base_url,
            client.clone(),
            redactor.clone(),
        ),
        client,
        limiter: RateLimiter::direct(quota),
        endpoint,
        settings: settings.clone(),
        consecutive: AtomicU32::new(0),
        halt: stop.child_token(),
        outside: stop.clone(),
        stop: Mutex::new(None),
        redactor,
        last_url: Mutex::new(None),
    });
    let watcher = {
        let shared = shared.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            shared.stop(Stop::Interrupted);
        })
    };

    let file = std::fs::File::open(spill).map_err(|e| spill_err(e.to_string()))?;
    let sem = Arc::new(Semaphore::new(settings.concurrency));
    let mut set: JoinSet<Delivery> = JoinSet::new();
    // Each task's row, so that a task that dies still leaves its row in a bucket.
    let mut in_flight: HashMap<tokio::task::Id, (usize, Row)> = HashMap::new();
    let idempotent = endpoint.idempotent;
    let mut counts = (0u64, 0u64, 0u64);
    // Outcomes come back in any order; they are taken in file order as soon as every
    // row before them is decided, so only the rows in flight wait in memory.
    let mut order = InOrder::new(SentLog::beside(spill));
    let mut on_result = |r: (usize, Row, Delivery), order: &mut InOrder| {
        counts.0 += 1;
        match &r.2 {
            Delivery::Done(Outcome::Sent { .. }) | Delivery::Unchanged => counts.1 += 1,
            _ => counts.2 += 1,
        }
        progress(counts.0, counts.1, counts.2);
        order.push(r);
    };
    // The spill's rows come file after file: one name shared by all the rows of each.
    let mut file_name: Arc<str> = Arc::from("");
    for (seq, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| spill_err(e.to_string()))?;
        let item: Item =
            serde_json::from_str(&line).map_err(|e| spill_err(format!("line {}: {e}", seq + 1)))?;
        drop(line);
        if *file_name != *item.file {
            file_name = Arc::from(item.file.as_str());
        }
        let row = Row {
            pos: SourcePos {
                file: file_name.clone(),
                sheet: None,
                row: item.row,
            },
            key: item.key.clone(),
        };
        let hash = item.hash();
        let decided = match gate
            .as_deref()
            .map(|g| g.decide(&item.key, hash, item.body()))
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
            on_result((seq, row, d), &mut order);
            continue;
        }
        // A stop must not wait for a slot to free up before it is noticed.
        let permit = tokio::select! {
            biased;
            _ = shared.halt.cancelled() => None,
            permit = sem.clone().acquire_owned() => permit.ok(),
        };
        match permit {
            Some(permit) if !shared.stopped() => {
                let shared = shared.clone();
                let gate = gate.clone();
                let task = set.spawn(async move {
                    let d = journaled(&shared, gate.as_deref(), &item, hash).await;
                    drop(permit);
                    Delivery::Done(d)
                });
                in_flight.insert(task.id(), (seq, row));
            }
            _ => {
                let d = Delivery::Done(Outcome::Failed {
                    status: None,
                    attempts: 0,
                    message: shared.reason(),
                });
                on_result((seq, row, d), &mut order);
            }
        }
        while let Some(done) = set.try_join_next_with_id() {
            on_result(joined(done, &mut in_flight, idempotent), &mut order);
        }
    }
    while let Some(done) = set.join_next_with_id().await {
        on_result(joined(done, &mut in_flight, idempotent), &mut order);
    }
    watcher.abort();

    let mut report = order.finish().map_err(|e| spill_err(e.to_string()))?;
    report.stop = shared.why();
    Ok(report)
}

/// Rows' outcomes taken in file order: each waits until every row before it is
/// decided, then goes into the report (a sent row to the log on disk).
struct InOrder {
    next: usize,
    waiting: BTreeMap<usize, (Row, Delivery)>,
    report: SendReport,
    /// The first row the sent log could not take.
    error: Option<crate::report::ReportError>,
}

impl InOrder {
    fn new(accepted: SentLog) -> InOrder {
        InOrder {
            next: 0,
            waiting: BTreeMap::new(),
            report: SendReport {
                accepted,
                ..SendReport::default()
            },
            error: None,
        }
    }

    fn push(&mut self, (seq, row, d): (usize, Row, Delivery)) {
        self.waiting.insert(seq, (row, d));
        while let Some((row, d)) = self.waiting.remove(&self.next) {
            self.next += 1;
            self.take(row, d);
        }
    }

    fn take(&mut self, Row { pos, key }: Row, d: Delivery) {
        let report = &mut self.report;
        match d {
            Delivery::Done(Outcome::Sent {
                attempts,
                status,
                reference,
            }) => {
                report.sent += 1;
                report.attempts += u64::from(attempts);
                let row = SentRow {
                    pos,
                    key,
                    http_status: status,
                    provider_ref: reference,
                };
                if let Err(e) = report.accepted.add(&row)
                    && self.error.is_none()
                {
                    self.error = Some(e);
                }
            }
            // Counted, and kept no further.
            Delivery::Unchanged => report.unchanged += 1,
            Delivery::Done(Outcome::Failed {
                status,
                attempts,
                message,
            }) => {
                report.attempts += u64::from(attempts);
                report.failed.push(FailedRow {
                    pos,
                    key,
                    http_status: status,
                    attempts,
                    message,
                });
            }
            Delivery::Done(Outcome::Uncertain { attempts, message }) => {
                report.attempts += u64::from(attempts);
                report.uncertain.push(UncertainRow { pos, key, message });
            }
        }
    }

    /// The report, once every row is decided. A row whose place is unknown (a task
    /// that died without one) comes last.
    fn finish(mut self) -> Result<SendReport, crate::report::ReportError> {
        for (_, (row, d)) in std::mem::take(&mut self.waiting) {
            self.take(row, d);
        }
        if let Some(e) = self.error {
            return Err(e);
        }
        self.report.accepted.finish()?;
        Ok(self.report)
    }
}

/// A finished task's row; a task that died (a bug) leaves its row failed, or uncertain
/// when the request may have left and must not be repeated.
fn joined(
    done: Result<(tokio::task::Id, Delivery), tokio::task::JoinError>,
    in_flight: &mut HashMap<tokio::task::Id, (usize, Row)>,
    idempotent: bool,
) -> (usize, Row, Delivery) {
    let (id, d) = match done {
        Ok((id, d)) => (id, d),
        Err(e) => {
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
            (e.id(), Delivery::Done(d))
        }
    };
    let (seq, row) = in_flight.remove(&id).unwrap_or_else(|| {
        (
            usize::MAX,
            Row {
                pos: SourcePos {
                    file: Arc::from(""),
                    sheet: None,
                    row: 0,
                },
                key: String::new(),
            },
        )
    });
    (seq, row, d)
}

/// Delivers one row with the journal around it: a request that may not be repeated is
/// recorded `pending` (on disk) just before it leaves, and every outcome is recorded —
/// the one that settles a pending without delay.
async fn journaled(s: &Shared, gate: Option<&Gate>, item: &Item, hash: u128) -> Outcome {
    let body = item.body();
    if s.stopped() {
        return s.not_sent(0, None);
    }
    let Some(g) = gate else {
        return s.redact(deliver(s, item, None).await);
    };
    let exactly_once = !s.endpoint.idempotent;
    let pending = exactly_once.then_some(Pending {
        writer: &g.writer,
        key: &item.key,
        hash,
        body,
    });
    let d = s.redact(deliver(s, item, pending).await);
    let recorded = if exactly_once {
        g.writer.settle(&item.key, hash, body, d.clone())
    } else {
        g.writer.done(&item.key, hash, body, d.clone())
    };
    if let Err(e) = recorded {
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

#[cfg(test)]
mod tests {
    use serde_json::Value as Json;

    use super::*;

    /// The spill's text of a body is what serialising the parsed body gives, so the
    /// bytes sent and the payload hash are those of the body as a value.
    #[test]
    fn the_spill_text_of_a_body_is_its_serialisation() {
        let body = serde_json::json!({
            "column": {
                "customer_id": "120.01.005",
                "comment": "Şükrü Ağaç \"İĞÜŞÖÇ ığüşöç\" \\ yol\n\tsekme \u{1} /",
                "amount": "1.234,56",
                "lines": [
                    {"qty": 2, "price": 10.5, "zero": -0.0, "big": 12_345_678_901_234_567u64},
                    {"none": null, "ok": true, "list": [], "empty": {}},
                ],
                "symbols": "€ 😀 \u{2028} <&>",
            },
            "id": "C-0001",
        });
        let pos = SourcePos {
            file: Arc::from("cari_hareket.xlsx"),
            sheet: Some(Arc::from("Sayfa1")),
            row: 7,
        };
        let url = "http://127.0.0.1:1/api/v1/ws/transaction?şube=1";
        let line = crate::report::payload_line(&pos, "F/1 ş", "POST", url, &body).unwrap();
        let item: Item = serde_json::from_str(&line).unwrap();
        assert_eq!(item.body(), body.to_string());
        assert_eq!(item.hash(), payload_hash("POST", url, &body.to_string()));
        // The line read as a whole, as the sender once did, gives the same text.
        let whole: Json = serde_json::from_str(&line).unwrap();
        assert_eq!(whole["body"].to_string(), item.body());
        assert_eq!(whole["body"], body);
    }
}
