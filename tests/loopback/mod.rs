//! A stand-in provider for the tests that need one the sandbox cannot be: a server on
//! `127.0.0.1:0` in the test process that records every request and answers as the
//! test says (echoing the request back, serving under a path prefix).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Status, JSON body and extra headers of an answer.
pub type Reply = (u16, serde_json::Value, Vec<(&'static str, String)>);

type Answer = dyn Fn(&Seen) -> Reply + Send + Sync;

pub struct Loopback {
    rt: tokio::runtime::Runtime,
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Loopback {
    /// Serves every method and path with `answer`.
    pub fn start(
        answer: impl Fn(&Seen) -> (u16, serde_json::Value) + Send + Sync + 'static,
    ) -> Loopback {
        Loopback::start_with_headers(move |s| {
            let (status, json) = answer(s);
            (status, json, Vec::new())
        })
    }

    /// Serves every method and path with `answer`, which may add headers.
    pub fn start_with_headers(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Loopback {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let answer: Arc<Answer> = Arc::new(answer);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("address");
        let record = seen.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let record = record.clone();
                let answer = answer.clone();
                async move {
                    let s = Seen {
                        method: method.to_string(),
                        path: uri
                            .path_and_query()
                            .map_or_else(|| uri.path().to_string(), |p| p.to_string()),
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (
                                    k.to_string(),
                                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                )
                            })
                            .collect(),
                        body: body.to_vec(),
                    };
                    let (status, json, headers) = answer(&s);
                    record.lock().expect("requests").push(s);
                    let status = StatusCode::from_u16(status).expect("status");
                    let mut resp = (status, axum::Json(json)).into_response();
                    for (k, v) in headers {
                        resp.headers_mut()
                            .insert(k, v.parse().expect("header value"));
                    }
                    resp
                }
            },
        );
        rt.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Loopback {
            rt,
            addr,
            seen,
            stop: Some(stop),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests received so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("requests").clone()
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
