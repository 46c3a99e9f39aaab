//! The sandbox tested the way it is used: started on `127.0.0.1:0`, spoken to with
//! reqwest over loopback. Durations are short (sub-second TTLs, slow holds and
//! timeouts) so the whole set stays within a few seconds.

use std::time::Duration;

use reqwest::{Method, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::{Options, Running, creds, start};
use crate::providers::{self, Endpoint, ProviderId};

mod auth;
mod endpoints;
mod faults;
mod limits;

pub(super) struct Harness {
    pub sb: Running,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start(opts: Options) -> Harness {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let sb = start(listener, opts).await.expect("start sandbox");
        let http = crate::http::client_builder().build().expect("client");
        Harness { sb, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.base_url())
    }

    /// A request to an endpoint with the credentials issued at start.
    pub fn request(
        &self,
        ep_id: &str,
        path_value: Option<&str>,
        body: &Value,
    ) -> reqwest::RequestBuilder {
        let credential = match endpoint(ep_id).provider {
            ProviderId::NetTahsilat => self.sb.netahsilat_token(),
            ProviderId::Oduyo | ProviderId::FaturaEntegrator => creds::ODUYO_SESSION.to_owned(),
        };
        self.request_with(ep_id, path_value, body, &credential)
    }

    /// A request with `credential` as the Ödüyo session or the NetTahsilat token.
    pub fn request_with(
        &self,
        ep_id: &str,
        path_value: Option<&str>,
        body: &Value,
        credential: &str,
    ) -> reqwest::RequestBuilder {
        let ep = endpoint(ep_id);
        let mut path = ep.path.to_owned();
        if let (Some(field), Some(value)) = (&ep.path_field, path_value) {
            path = path.replace(&format!("{{{field}}}"), value);
        }
        let method = Method::from_bytes(ep.method.as_str().as_bytes()).expect("method");
        let rb = self.http.request(method, self.url(&path)).json(body);
        match ep.provider {
            ProviderId::Oduyo => rb
                .header("Apikey", creds::ODUYO_API_KEY)
                .header("Authorization", credential),
            ProviderId::FaturaEntegrator => rb.bearer_auth(creds::FE_API_KEY),
            ProviderId::NetTahsilat => rb.bearer_auth(credential),
        }
    }

    /// The NetTahsilat token call with a JSON body.
    pub async fn token_call(&self, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url("/token"))
            .json(body)
            .send()
            .await
            .expect("token call");
        read(resp).await
    }

    /// The NetTahsilat token call as a form, as OAuth clients send it.
    pub async fn token_form(&self) -> (u16, Value) {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", creds::NETAHSILAT_CLIENT_ID),
            ("client_secret", creds::NETAHSILAT_CLIENT_SECRET),
        ];
        let resp = self
            .http
            .post(self.url("/token"))
            .form(&form)
            .send()
            .await
            .expect("token call");
        read(resp).await
    }

    /// A fresh Ödüyo session from the login call.
    pub async fn login(&self) -> String {
        let form = [
            ("username", creds::ODUYO_USERNAME),
            ("oduyo_api_key", creds::ODUYO_API_KEY),
            ("password", creds::ODUYO_PASSWORD),
        ];
        let resp = self
            .http
            .post(self.url("/api/v1/ws/login"))
            .form(&form)
            .send()
            .await
            .expect("login call");
        let (status, body) = read(resp).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["session_id"]
            .as_str()
            .expect("session_id")
            .to_owned()
    }
}

/// Polls `ready` until it says yes. The bound only turns a broken sandbox into a
/// failed test instead of a hung one; nothing depends on how long the wait takes.
pub(super) async fn until<F, Fut>(what: &str, mut ready: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !ready().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

pub(super) fn endpoint(id: &str) -> &'static Endpoint {
    providers::find(id).expect("built-in endpoint")
}

pub(super) async fn read(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("answer body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// How a request ended, as a test compares it: the status, or what went wrong.
pub(super) fn outcome(r: &reqwest::Result<Response>) -> String {
    match r {
        Ok(resp) => resp.status().as_u16().to_string(),
        Err(e) if e.is_timeout() => "timeout".to_owned(),
        Err(_) => "dropped".to_owned(),
    }
}

pub(super) const VKN: &str = "4540536920";
pub(super) const TCKN: &str = "10000000146";

/// The provider's own example request for an endpoint, from its page (the same
/// files `tests/api_pages.rs` renders): the path value and the body.
pub(super) fn good(ep_id: &str) -> (Option<&'static str>, Value) {
    let text = match ep_id {
        "oduyo.customer_update" => {
            include_str!("../../../tests/fixtures/pages/oduyo_customer_update.json")
        }
        "oduyo.cash_update" => include_str!("../../../tests/fixtures/pages/oduyo_cash_update.json"),
        "oduyo.transaction_create" => {
            include_str!("../../../tests/fixtures/pages/oduyo_transaction_create.json")
        }
        "fatura_entegrator.customer_update" => {
            include_str!("../../../tests/fixtures/pages/fatura_entegrator_customer_update.json")
        }
        "netahsilat.customer_update" => {
            include_str!("../../../tests/fixtures/pages/netahsilat_customer_update.json")
        }
        other => panic!("no example request for {other}"),
    };
    let example: Value = serde_json::from_str(text).expect("example json");
    let path = example["path_value"]
        .as_str()
        .map(|s| &*Box::leak(s.to_owned().into_boxed_str()));
    (path, example["body"].clone())
}

pub(super) fn customer(id: i64, balance: &str) -> Value {
    json!({"column": {
        "id": id.to_string(), "name": "Ayşe Yılmaz", "customer_type_1": "1",
        "customer_type_2": "1", "tc_number": TCKN, "balance": balance,
        "balance_current": "0.0000", "balance_paid": "100.5000", "status": "1"
    }})
}

/// A transaction; `comment` tells one from another (the ledger keys a create by its
/// whole body).
pub(super) fn transaction(comment: Option<&str>) -> Value {
    json!({ "column": {
        "customer_id": "5", "amount": "1500.00", "sign": "-1", "date": "2026.03.01",
        "hour": "14:30", "comment": comment.unwrap_or("Satış faturası"), "currency": "TRY"
    }})
}

pub(super) fn options() -> Options {
    Options {
        slow: Duration::from_millis(400),
        ..Options::default()
    }
}
