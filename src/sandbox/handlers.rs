//! The write handler every endpoint route shares, the latency wrapper, and the two
//! introspection routes.
//!
//! A write meets its checks in a fixed order: authentication, the rate limit, body
//! validation, the fault draw, then the write itself. Faults come after validation
//! so that a refused body is refused the same way on every run (a test about a
//! refusal never meets a 503), and after the rate limit so that a 429 never costs a
//! key one of its draws.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::conn::Conn;
use super::faults::Fault;
use super::ratelimit::Gcra;
use super::state::App;
use super::{answers, ledger, validate};
use crate::providers::Endpoint;

pub(crate) async fn write(
    app: App,
    conn: Conn,
    ep: &'static Endpoint,
    path: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = {
        let mut inner = app.lock();
        let presented = match inner.creds.authenticate(ep.provider, &headers) {
            Ok(p) => p,
            Err(e) => {
                inner.stats.unauthorized += 1;
                return answers::unauthorized(ep.provider, &e);
            }
        };
        if let Some(limiter) = inner.limiter.as_mut()
            && let Err(wait) = limiter.check(Instant::now())
        {
            inner.stats.rate_limited += 1;
            return answers::rate_limited(ep.provider, Gcra::retry_after_secs(wait));
        }
        presented
    };

    // Parsing happens outside the lock: it is the one step whose cost grows with
    // the request, and it needs no shared state.
    let body = match validate::check(ep, path.as_deref(), &body) {
        Ok(body) => body,
        Err(problems) => {
            app.lock().stats.refused += 1;
            return answers::refused(ep, &problems);
        }
    };
    if validate::names_missing_record(ep, &body) {
        app.lock().stats.refused += 1;
        return answers::not_found(ep);
    }
    let key = ledger::key(ep, path.as_deref(), &body);

    let (fault, applied) = {
        let mut inner = app.lock();
        let attempts = inner
            .attempts
            .entry((ep.id.as_str(), key.clone()))
            .or_insert(0);
        let n = *attempts;
        *attempts += 1;
        let opts = app.opts();
        let fault = Fault::draw(opts.seed, &ep.id, &key, n, opts.fail_rate);
        if let Some(f) = fault {
            *inner.stats.faults.entry(f.name().to_owned()).or_insert(0) += 1;
        }
        let applied = match fault {
            None => Some(inner.apply(ep, &key, &body)),
            Some(f) if f.applies() => Some(inner.apply(ep, &key, &body)),
            Some(Fault::Expired) => {
                inner.creds.expire(&presented);
                None
            }
            Some(_) => None,
        };
        (fault, applied)
    };

    match (fault, applied) {
        (None, Some(applied)) => answers::success(ep, &applied),
        (Some(Fault::Slow), Some(applied)) => {
            app.hold(app.opts().slow).await;
            answers::success(ep, &applied)
        }
        (Some(Fault::DropBefore | Fault::DropAfter), _) => {
            conn.kill();
            // Never sent: the connection refuses hyper's write of it.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        (Some(Fault::Expired), _) => answers::expired(ep.provider),
        (Some(Fault::Unavailable503), _) => {
            answers::server_error(ep.provider, StatusCode::SERVICE_UNAVAILABLE)
        }
        // Error500, and the cases the table above makes impossible (a fault that
        // applies always has its `Applied`).
        _ => answers::server_error(ep.provider, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Counts the request and holds its answer for `latency`. Latency comes after the
/// work, as a provider's does: a write can be applied and its answer still be late,
/// which is what a client timeout has to cope with.
pub(crate) async fn pace(State(app): State<App>, req: Request, next: Next) -> Response {
    app.lock().stats.requests += 1;
    let response = next.run(req).await;
    app.hold(app.opts().latency).await;
    response
}

pub(crate) async fn ledger(State(app): State<App>) -> Response {
    Json(app.ledger()).into_response()
}

pub(crate) async fn stats(State(app): State<App>) -> Response {
    Json(app.stats()).into_response()
}
