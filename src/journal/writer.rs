//! The journal's writing side during a send: a thread with its own connection.
//!
//! A `pending` record is committed before its request leaves (the sender waits for
//! the acknowledgement); outcomes are batched — committed every 4,096 outcomes or every
//! 200 ms, whichever comes first — so the journal does not slow the send down. They
//! wait for the writer thread in a shared list rather than in its channel, so that
//! reporting one does not wake the thread. Losing
//! the last uncommitted outcomes in a crash is harmless: an idempotent row is sent
//! again, and a non-idempotent one still has its committed `pending`, which the next
//! run turns into `uncertain`, never into a second post.
//!
//! The outcome of a request that was recorded `pending` ([`Writer::settle`]) is
//! committed as soon as nothing else is waiting (a group commit) instead of lingering:
//! every such outcome lost in a crash is one more transaction a person has to check.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use tokio::sync::oneshot;

use super::{Hex, JournalError, hex, now};

/// How an attempted send ended: what the sender reports and the journal records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        attempts: u32,
        /// The HTTP status of the answer that said yes.
        status: u16,
        /// The provider's own number for the record, where its answer gives one.
        reference: Option<String>,
    },
    Failed {
        status: Option<u16>,
        attempts: u32,
        message: String,
    },
    Uncertain {
        attempts: u32,
        message: String,
    },
}

enum Msg {
    Pending {
        key: String,
        hash: u128,
        body: String,
        ack: oneshot::Sender<Result<(), String>>,
    },
    /// A pending request that surely did not arrive and waits to be tried again.
    NotLeft {
        key: String,
        message: String,
        ack: oneshot::Sender<Result<(), String>>,
    },
    /// An outcome to commit without lingering (the row has a `pending` on disk).
    Settled(Done),
    /// The outcomes waiting in [`Writer::waiting`] make a batch.
    Flush,
}

/// One outcome, as the journal records it.
struct Done {
    key: String,
    hash: u128,
    /// The payload, where the journal keeps it (see [`Writer::record`]).
    body: Option<String>,
    outcome: Outcome,
}

/// Outcomes reported but not yet taken by the writer thread. They wait here rather
/// than in the channel: a message wakes the thread, and a wake for every row cost a
/// sending run more than the journal's writes themselves.
type Waiting = Arc<Mutex<Vec<Done>>>;

pub struct Writer {
    tx: Option<Sender<Msg>>,
    /// Whether a `sent` outcome keeps its payload (endpoints never sent again).
    keep_bodies: bool,
    waiting: Waiting,
    thread: Option<JoinHandle<Result<(), String>>>,
    path: PathBuf,
}

const BATCH: usize = 4096;
const LINGER: Duration = Duration::from_millis(200);

impl Writer {
    pub(super) fn start(
        conn: Connection,
        path: PathBuf,
        endpoint: String,
        run_id: i64,
        keep_bodies: bool,
    ) -> Writer {
        let (tx, rx) = channel();
        let waiting = Waiting::default();
        let taken = Arc::clone(&waiting);
        let thread = std::thread::spawn(move || run(conn, rx, &taken, &endpoint, run_id));
        Writer {
            tx: Some(tx),
            keep_bodies,
            waiting,
            thread: Some(thread),
            path,
        }
    }

    /// Records that a request is about to leave; returns once that is on disk.
    pub async fn pending(&self, key: &str, hash: u128, body: &str) -> Result<(), JournalError> {
        let (ack, wait) = oneshot::channel();
        let msg = Msg::Pending {
            key: key.to_string(),
            hash,
            body: body.to_string(),
            ack,
        };
        self.send(msg)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(JournalError::Writer(e)),
            Err(_) => Err(self.stopped()),
        }
    }

    /// Takes back a [`pending`](Writer::pending) whose request surely did not arrive (a
    /// 429, a refused connection) before the wait for its retry: a run killed during
    /// that wait leaves the row `failed`, sent again by the next run, not `uncertain`.
    /// Returns once that is on disk; the retry records `pending` again.
    pub async fn not_left(&self, key: &str, message: &str) -> Result<(), JournalError> {
        let (ack, wait) = oneshot::channel();
        self.send(Msg::NotLeft {
            key: key.to_string(),
            message: message.to_string(),
            ack,
        })?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(JournalError::Writer(e)),
            Err(_) => Err(self.stopped()),
        }
    }

    /// Records how a send ended (batched).
    pub fn done(
        &self,
        key: &str,
        hash: u128,
        body: &str,
        outcome: Outcome,
    ) -> Result<(), JournalError> {
        // A writer that has stopped (its journal failed) must stop the run now, not
        // at the next batch: nothing takes the list any more.
        if self.tx.is_none() || self.thread.as_ref().is_none_or(JoinHandle::is_finished) {
            return Err(self.stopped());
        }
        let done = self.record(key, hash, body, outcome);
        let full = {
            let mut waiting = lock(&self.waiting);
            waiting.push(done);
            waiting.len() == BATCH
        };
        if full { self.send(Msg::Flush) } else { Ok(()) }
    }

    /// Records how a send recorded [`pending`](Writer::pending) ended, committed as
    /// soon as the writer has nothing else waiting.
    pub fn settle(
        &self,
        key: &str,
        hash: u128,
        body: &str,
        outcome: Outcome,
    ) -> Result<(), JournalError> {
        self.send(Msg::Settled(self.record(key, hash, body, outcome)))
    }

    /// An outcome as the writer takes it, with its payload only where the journal
    /// keeps it: a `sent` one for endpoints never sent again, an `uncertain` one always.
    fn record(&self, key: &str, hash: u128, body: &str, outcome: Outcome) -> Done {
        let kept = match outcome {
            Outcome::Sent { .. } => self.keep_bodies,
            Outcome::Uncertain { .. } => true,
            Outcome::Failed { .. } => false,
        };
        Done {
            key: key.to_string(),
            hash,
            body: kept.then(|| body.to_string()),
            outcome,
        }
    }

    fn send(&self, msg: Msg) -> Result<(), JournalError> {
        self.tx
            .as_ref()
            .and_then(|tx| tx.send(msg).ok())
            .ok_or_else(|| self.stopped())
    }

    fn stopped(&self) -> JournalError {
        JournalError::Writer(format!(
            "{}: the writer is no longer running",
            self.path.display()
        ))
    }

    /// Commits what is left and stops the thread.
    pub fn finish(mut self) -> Result<(), JournalError> {
        self.close()
    }

    fn close(&mut self) -> Result<(), JournalError> {
        drop(self.tx.take());
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(JournalError::Writer(e)),
            Some(Err(_)) => Err(JournalError::Writer("the writer thread panicked".into())),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn run(
    mut conn: Connection,
    rx: Receiver<Msg>,
    waiting: &Mutex<Vec<Done>>,
    endpoint: &str,
    run_id: i64,
) -> Result<(), String> {
    let mut batch: Vec<Done> = Vec::new();
    // When the oldest outcome in `batch` was taken.
    let mut since: Option<Instant> = None;
    let mut prompt = false;
    loop {
        if batch.is_empty() {
            since = None;
        }
        let wait = if prompt {
            Duration::ZERO
        } else {
            since.map_or(LINGER, |t| LINGER.saturating_sub(t.elapsed()))
        };
        let msg = rx.recv_timeout(wait);
        // Whatever message this is, the outcomes reported before it come first.
        batch.append(&mut lock(waiting));
        if batch.is_empty() {
            since = None;
        } else {
            since.get_or_insert_with(Instant::now);
        }
        match msg {
            Ok(Msg::Settled(done)) => {
                batch.push(done);
                prompt = true;
                if batch.len() >= BATCH {
                    flush(&mut conn, &mut batch, endpoint, run_id)?;
                    prompt = false;
                }
            }
            Ok(Msg::Flush) => {
                if batch.len() >= BATCH {
                    flush(&mut conn, &mut batch, endpoint, run_id)?;
                    prompt = false;
                }
            }
            Ok(Msg::Pending {
                key,
                hash,
                body,
                ack,
            }) => {
                let r = flush(&mut conn, &mut batch, endpoint, run_id).and_then(|()| {
                    pending(&conn, endpoint, run_id, &key, hash, &body).map_err(|e| e.to_string())
                });
                prompt = false;
                acknowledge(ack, r)?;
            }
            Ok(Msg::NotLeft { key, message, ack }) => {
                let r = flush(&mut conn, &mut batch, endpoint, run_id).and_then(|()| {
                    not_left(&conn, endpoint, run_id, &key, &message).map_err(|e| e.to_string())
                });
                prompt = false;
                acknowledge(ack, r)?;
            }
            // Nothing came for a while (or a settled outcome waits): what is
            // waiting is committed, so no outcome lingers past `LINGER`.
            Err(RecvTimeoutError::Timeout) => {
                flush(&mut conn, &mut batch, endpoint, run_id)?;
                prompt = false;
            }
            Err(RecvTimeoutError::Disconnected) => {
                return flush(&mut conn, &mut batch, endpoint, run_id);
            }
        }
    }
}

/// The waiting outcomes, whatever a panicking holder left.
fn lock(waiting: &Mutex<Vec<Done>>) -> std::sync::MutexGuard<'_, Vec<Done>> {
    waiting
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn acknowledge(
    ack: oneshot::Sender<Result<(), String>>,
    r: Result<(), String>,
) -> Result<(), String> {
    let _ = ack.send(r.clone());
    r
}

fn pending(
    conn: &Connection,
    endpoint: &str,
    run_id: i64,
    key: &str,
    hash: u128,
    body: &str,
) -> rusqlite::Result<()> {
    let t = now();
    conn.execute(
        "INSERT INTO entries (endpoint, key, status, pending_hash, pending_body, attempts, first_at, last_at, run_id)
         VALUES (?1, ?2, 'pending', ?3, ?4, 0, ?5, ?5, ?6)
         ON CONFLICT (endpoint, key) DO UPDATE SET status = 'pending', pending_hash = ?3,
             pending_body = ?4, last_at = ?5, run_id = ?6",
        params![endpoint, key, hex(hash), body, t, run_id],
    )?;
    Ok(())
}

/// A pending taken back: `failed` (to be sent again) until the retry records it
/// pending once more. Only a pending entry is touched.
fn not_left(
    conn: &Connection,
    endpoint: &str,
    run_id: i64,
    key: &str,
    message: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE entries SET status = 'failed', pending_hash = NULL, pending_body = NULL,
             message = ?3, last_at = ?4, run_id = ?5
         WHERE endpoint = ?1 AND key = ?2 AND status = 'pending'",
        params![endpoint, key, message, now(), run_id],
    )?;
    Ok(())
}

fn flush(
    conn: &mut Connection,
    batch: &mut Vec<Done>,
    endpoint: &str,
    run_id: i64,
) -> Result<(), String> {
    if batch.is_empty() {
        return Ok(());
    }
    // In key order, each page of the entries' B-tree is found and written once per
    // batch rather than once per outcome landing on it. The sort is stable: a key's
    // outcomes keep the order they came in.
    batch.sort_by(|a, b| a.key.cmp(&b.key));
    let t = now();
    let write = |conn: &mut Connection| -> rusqlite::Result<()> {
        let tx = conn.transaction()?;
        {
            let mut sent = tx.prepare_cached(
                "INSERT INTO entries (endpoint, key, status, hash, body, attempts, http_status, provider_ref, first_at, last_at, run_id)
                 VALUES (?1, ?2, 'sent', ?3, ?4, ?5, ?8, ?9, ?6, ?6, ?7)
                 ON CONFLICT (endpoint, key) DO UPDATE SET status = 'sent', hash = ?3, body = ?4,
                     pending_hash = NULL, pending_body = NULL, attempts = attempts + ?5,
                     http_status = ?8, message = NULL, provider_ref = ?9, last_at = ?6, run_id = ?7",
            )?;
            // What every row of the batch shares is bound once (SQLite keeps a binding
            // until it is replaced); nearly every outcome is a `sent`.
            sent.raw_bind_parameter(1, endpoint)?;
            sent.raw_bind_parameter(6, &t)?;
            sent.raw_bind_parameter(7, run_id)?;
            let mut failed = tx.prepare_cached(
                "INSERT INTO entries (endpoint, key, status, attempts, http_status, message, first_at, last_at, run_id)
                 VALUES (?1, ?2, 'failed', ?3, ?4, ?5, ?6, ?6, ?7)
                 ON CONFLICT (endpoint, key) DO UPDATE SET status = 'failed', pending_hash = NULL,
                     pending_body = NULL, attempts = attempts + ?3, http_status = ?4, message = ?5,
                     last_at = ?6, run_id = ?7",
            )?;
            let mut uncertain = tx.prepare_cached(
                "INSERT INTO entries (endpoint, key, status, pending_hash, pending_body, attempts, message, first_at, last_at, run_id)
                 VALUES (?1, ?2, 'uncertain', ?3, ?4, ?5, ?6, ?7, ?7, ?8)
                 ON CONFLICT (endpoint, key) DO UPDATE SET status = 'uncertain', pending_hash = ?3,
                     pending_body = ?4, attempts = attempts + ?5, message = ?6, last_at = ?7, run_id = ?8",
            )?;
            for Done {
                key,
                hash,
                body,
                outcome,
            } in batch.iter()
            {
                match outcome {
                    Outcome::Sent {
                        attempts,
                        status,
                        reference,
                    } => {
                        sent.raw_bind_parameter(2, key)?;
                        sent.raw_bind_parameter(3, Hex::of(*hash).as_str())?;
                        sent.raw_bind_parameter(4, body)?;
                        sent.raw_bind_parameter(5, attempts)?;
                        sent.raw_bind_parameter(8, status)?;
                        sent.raw_bind_parameter(9, reference)?;
                        sent.raw_execute()?;
                    }
                    Outcome::Failed {
                        status,
                        attempts,
                        message,
                    } => {
                        failed.execute(params![
                            endpoint, key, attempts, status, message, t, run_id
                        ])?;
                    }
                    Outcome::Uncertain { attempts, message } => {
                        uncertain.execute(params![
                            endpoint,
                            key,
                            hex(*hash),
                            body,
                            attempts,
                            message,
                            t,
                            run_id
                        ])?;
                    }
                }
            }
        }
        tx.commit()
    };
    let r = write(conn).map_err(|e| e.to_string());
    batch.clear();
    r
}
