//! The sandbox's shared state: credentials, the rate limiter, the ledger, the stats
//! and the per-key request counts, all behind one mutex.
//!
//! One mutex rather than one per part, because a write request reads and changes
//! several of them as one step (count the attempt, draw the fault, apply, count the
//! write) and must never be seen half done by `/_ledger`. Nothing awaits while
//! holding it, so a plain `std::sync::Mutex` is the right tool.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::watch;

use super::auth::Credentials;
use super::ratelimit::Gcra;
use super::{Ledger, Options, Stats, creds};

/// The handle every handler gets; cheap to clone.
#[derive(Clone)]
pub(crate) struct App(Arc<Shared>);

pub(crate) struct Shared {
    opts: Options,
    inner: Mutex<Inner>,
    /// Becomes `true` when the sandbox stops, so held answers end early.
    stopping: watch::Receiver<bool>,
    /// Open connections, counted by the listener outside the mutex.
    connections: Arc<AtomicU64>,
}

pub(crate) struct Inner {
    pub creds: Credentials,
    pub limiter: Option<Gcra>,
    pub ledger: Ledger,
    pub stats: Stats,
    /// Requests per (endpoint id, ledger key) that reached the fault draw: the `n` of
    /// the draw, so a retry gets a fresh one.
    pub attempts: HashMap<(&'static str, String), u64>,
    /// The next number a create hands out.
    pub next_id: u64,
    /// Records as partial updates left them, per endpoint and key, for providers that
    /// answer an update with the whole record (Fatura Entegratör).
    pub records: HashMap<(String, String), Map<String, Value>>,
}

impl App {
    pub fn new(opts: Options, stopping: watch::Receiver<bool>) -> App {
        let now = Instant::now();
        let limiter = opts.rate_limit.map(|rate| Gcra::new(rate, now));
        let inner = Inner {
            creds: Credentials::new(opts.seed),
            limiter,
            ledger: Ledger::default(),
            stats: Stats::default(),
            attempts: HashMap::new(),
            next_id: 100_001,
            records: HashMap::new(),
        };
        App(Arc::new(Shared {
            opts: sanitize(opts),
            inner: Mutex::new(inner),
            stopping,
            connections: Arc::default(),
        }))
    }

    pub fn opts(&self) -> &Options {
        &self.0.opts
    }

    /// The state, even after a handler panicked while holding it: the sandbox keeps
    /// serving, and every change is made in one step, so the data stays whole.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issues the credentials that exist from the start: the fixed Ödüyo session and a
    /// NetTahsilat token, which it returns.
    pub fn preissue(&self) -> String {
        let (session_ttl, token_ttl) = (self.opts().session_ttl, self.opts().token_ttl);
        let mut inner = self.lock();
        let now = Instant::now();
        inner
            .creds
            .insert_session(creds::ODUYO_SESSION.to_owned(), now + session_ttl);
        inner
            .creds
            .issue_token(creds::NETAHSILAT_CLIENT_ID, token_ttl)
            .0
    }

    pub fn ledger(&self) -> Ledger {
        self.lock().ledger.clone()
    }

    pub fn stats(&self) -> Stats {
        let mut stats = self.lock().stats.clone();
        stats.connections = self.0.connections.load(Ordering::SeqCst);
        stats
    }

    /// The count of open connections the listener keeps.
    pub fn connections(&self) -> Arc<AtomicU64> {
        self.0.connections.clone()
    }

    /// Sleeps `d`, or less if the sandbox stops meanwhile.
    pub async fn hold(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        let mut stopping = self.0.stopping.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            // Err: the sender is gone, which also means stopping.
            _ = stopping.wait_for(|stop| *stop) => {}
        }
    }
}

/// A fail rate outside 0..=1 (or NaN) from a caller is clamped rather than refused:
/// `start` has no error for it, and the nearest meaningful rate is what was meant.
fn sanitize(mut opts: Options) -> Options {
    opts.fail_rate = if opts.fail_rate.is_nan() {
        0.0
    } else {
        opts.fail_rate.clamp(0.0, 1.0)
    };
    opts
}
