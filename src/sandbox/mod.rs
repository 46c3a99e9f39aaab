//! `aktar sandbox`: a local copy of the three providers' APIs, so that integrators can
//! rehearse a nightly run, `aktar demo` can run the samples end to end, and the
//! integration tests can prove exactly-once and retry behaviour over real HTTP.
//!
//! # Why it is shaped so
//!
//! The five write routes are not written by hand: they are derived from the same
//! endpoint descriptions ([`crate::providers`]) that the mapping compiler, the
//! validator and the sender read, so the sandbox refuses exactly what the endpoint
//! data says a provider would refuse, and a new endpoint appears here without code.
//!
//! Everything a request can meet is decided in one fixed order, in
//! `handlers`: authentication, the rate limit, body validation, then the fault
//! draw, then the write. Faults are a pure function of the seed, the endpoint, the
//! ledger key and how many requests that key has had (`faults`), so a test run is
//! reproducible whatever order the client's parallel requests arrive in.
//!
//! A dropped connection has to be a real one (the client must see a transport
//! error, not an HTTP answer), which axum cannot do from a handler; `conn` wraps
//! each accepted socket with a kill switch that a handler can pull.
//!
//! # Layout
//!
//! * [`creds`]: the fixed sandbox credentials.
//! * `state`: the shared state behind one mutex (sessions, tokens, ledger, stats).
//! * `auth`: the sessions and JWTs issued, and reading the auth calls' fields; each
//!   provider's header check and auth call are the provider's own
//!   (`crate::providers::<provider>::sandbox`, reached through its `Provider`).
//! * `validate`: request bodies against the endpoint data.
//! * `ledger`: ledger keys and applying a write.
//! * `answers`: statuses and headers of the answers; their bodies come from the provider.
//! * `ratelimit`, `faults`, `conn`: the three ways the sandbox misbehaves on purpose.
//! * `cli`: `aktar sandbox` itself.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::{MethodFilter, get, on};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

mod answers;
pub(crate) mod auth;
mod cli;
mod conn;
pub mod creds;
mod faults;
mod handlers;
pub(crate) mod ledger;
mod ratelimit;
pub(crate) mod state;
pub(crate) mod validate;

#[cfg(test)]
mod tests;

pub use cli::{SandboxArgs, run_cli};
pub use faults::Fault;
pub use ledger::key as ledger_key;

use crate::providers::{self, Endpoint, Method};
use conn::{Conn, KillListener};
use state::App;

/// How the sandbox behaves. The defaults are a well-behaved provider.
#[derive(Debug, Clone)]
pub struct Options {
    /// Added to every answer (not to `/_ledger` and `/_stats`).
    pub latency: Duration,
    /// 0..=1: the fraction of write requests that get an injected fault.
    pub fail_rate: f64,
    /// Requests per second over all write endpoints; past it, 429 with `Retry-After`.
    pub rate_limit: Option<u32>,
    /// Makes the choice of faults (and the ids the sandbox hands out) deterministic.
    pub seed: u64,
    /// How long an Ödüyo session lives.
    pub session_ttl: Duration,
    /// How long a NetTahsilat access token lives.
    pub token_ttl: Duration,
    /// How long a `slow` fault holds its answer.
    pub slow: Duration,
    /// The endpoints served: the built-in ones, and those of a configuration's
    /// endpoint files.
    pub endpoints: providers::Registry,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit: None,
            seed: 1,
            session_ttl: Duration::from_secs(60 * 60),
            token_ttl: Duration::from_secs(60 * 60),
            slow: Duration::from_secs(60),
            endpoints: providers::Registry::builtin().clone(),
        }
    }
}

/// Per endpoint id, per ledger key: what was written.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    pub endpoints: BTreeMap<String, BTreeMap<String, LedgerEntry>>,
}

impl Ledger {
    /// The entry of one key, if it was ever written.
    pub fn entry(&self, endpoint: &str, key: &str) -> Option<&LedgerEntry> {
        self.endpoints.get(endpoint)?.get(key)
    }

    /// How many times a key was written (0 when never).
    pub fn writes(&self, endpoint: &str, key: &str) -> u64 {
        self.entry(endpoint, key).map_or(0, |e| e.writes)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LedgerEntry {
    /// Applied writes: a refused request, or one faulted before it was applied, is not one.
    pub writes: u64,
    /// The last applied request body, as received.
    pub last: serde_json::Value,
    /// The numbers a create handed out in its answers, one per applied write (none for
    /// an update): what the provider's statement would show as the document number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<u64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Every request except `/_ledger` and `/_stats`.
    pub requests: u64,
    /// Applied writes.
    pub writes: u64,
    /// 429 answers.
    pub rate_limited: u64,
    /// Bodies refused (400, 404, 422).
    pub refused: u64,
    /// 401 answers to bad credentials (an injected `expired` counts under `faults`).
    pub unauthorized: u64,
    /// Injected faults by kind (`error_500`, `unavailable_503`, `slow`, `drop_before`,
    /// `drop_after`, `expired`).
    pub faults: BTreeMap<String, u64>,
    /// Successful Ödüyo logins.
    pub logins: u64,
    /// NetTahsilat tokens issued by the token call.
    pub tokens: u64,
    /// Client connections open now. A client that is gone, even one killed mid-request,
    /// is gone from here once the sandbox has handled what it had sent.
    #[serde(default)]
    pub connections: u64,
}

/// A sandbox serving in the background.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
    app: App,
    token: String,
}

/// Serves the sandbox on `listener` until [`Running::stop`] (or until it is dropped).
pub async fn start(listener: TcpListener, opts: Options) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let (shutdown, stopping) = watch::channel(false);
    let opts_endpoints = opts.endpoints.clone();
    let app = App::new(opts, stopping.clone());
    let token = app.preissue();
    let router = router(app.clone(), &opts_endpoints).into_make_service_with_connect_info::<Conn>();
    let mut stopping = stopping;
    let serve = axum::serve(KillListener::new(listener, app.connections()), router)
        .with_graceful_shutdown(async move {
            // An Err means the sender is gone, which is a stop too.
            let _ = stopping.wait_for(|stop| *stop).await;
        });
    let task = tokio::spawn(async move { serve.await });
    Ok(Running {
        addr,
        shutdown,
        task,
        app,
        token,
    })
}

impl Running {
    /// The base URL clients should use, e.g. `http://127.0.0.1:8787`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A NetTahsilat access token issued at start, valid for `token_ttl` (for
    /// configurations that give a token instead of a token call).
    pub fn netahsilat_token(&self) -> String {
        self.token.clone()
    }

    /// The same data as `GET /_ledger`.
    pub async fn ledger(&self) -> Ledger {
        self.app.ledger()
    }

    /// The same data as `GET /_stats`.
    pub async fn stats(&self) -> Stats {
        self.app.stats()
    }

    /// Stops taking connections, cuts short held (`slow`) answers, and waits for the
    /// connections in flight to finish.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        // A client that keeps a request open cannot hold the caller hostage.
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A forgotten `stop` must not leave a server running for the rest of the process.
        let _ = self.shutdown.send(true);
    }
}

/// The write routes come from the endpoint data; the auth calls and the two
/// introspection routes are added by hand. Latency (and the request count) wraps
/// everything but introspection, which must answer at once even on a slow sandbox.
fn router(app: App, endpoints: &providers::Registry) -> Router {
    let mut provider_routes = Router::new();
    for id in providers::ProviderId::ALL {
        if let Some((path, route)) = id.behaviour().auth_call() {
            provider_routes = provider_routes.route(path, route);
        }
    }
    for ep in endpoints.all() {
        provider_routes = provider_routes.route(&ep.path, write_route(ep));
    }
    provider_routes
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            handlers::pace,
        ))
        .route("/_ledger", get(handlers::ledger))
        .route("/_stats", get(handlers::stats))
        .with_state(app)
}

/// One endpoint's route. The endpoint's path syntax (`/api/customers/{id}`) is
/// axum's own, so the path is used as it is; only the extraction differs between
/// endpoints with and without a path field.
fn write_route(ep: &'static Endpoint) -> axum::routing::MethodRouter<App> {
    let filter = match ep.method {
        Method::Post => MethodFilter::POST,
        Method::Put => MethodFilter::PUT,
        Method::Patch => MethodFilter::PATCH,
    };
    if ep.path_field.is_some() {
        on(
            filter,
            move |app: axum::extract::State<App>,
                  conn: axum::extract::ConnectInfo<Conn>,
                  axum::extract::Path(value): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap,
                  body: axum::body::Bytes| {
                handlers::write(app.0, conn.0, ep, Some(value), headers, body)
            },
        )
    } else {
        on(
            filter,
            move |app: axum::extract::State<App>,
                  conn: axum::extract::ConnectInfo<Conn>,
                  headers: axum::http::HeaderMap,
                  body: axum::body::Bytes| {
                handlers::write(app.0, conn.0, ep, None, headers, body)
            },
        )
    }
}
