//! Authentication: wrong and expired credentials are refused in each provider's
//! shape without repeating them; the login and token calls issue credentials that
//! work, and that stop working when their time is up.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{Harness, good, options, read};
use crate::sandbox::{Options, creds};

const ODUYO: &str = "oduyo.customer_update";
const FE: &str = "fatura_entegrator.customer_update";
const NT: &str = "netahsilat.customer_update";

#[tokio::test]
async fn oduyo_refuses_wrong_keys_and_sessions_without_repeating_them() {
    let h = Harness::start(options()).await;
    let (_, body) = good(ODUYO);
    let url = h.url(&super::endpoint(ODUYO).path);
    let cases = [
        (
            Some("wrong-apikey-123"),
            Some(creds::ODUYO_SESSION),
            "invalid api key",
        ),
        (None, Some(creds::ODUYO_SESSION), "missing Apikey header"),
        (
            Some(creds::ODUYO_API_KEY),
            None,
            "missing Authorization header",
        ),
        (
            Some(creds::ODUYO_API_KEY),
            Some("made-up-session-456"),
            "invalid session",
        ),
        (
            Some(creds::ODUYO_API_KEY),
            Some("Bearer sandbox-oduyo-session"),
            "without \"Bearer\"",
        ),
    ];
    for (apikey, session, message) in cases {
        let mut rb = h.http.post(&url).json(&body);
        if let Some(k) = apikey {
            rb = rb.header("Apikey", k);
        }
        if let Some(s) = session {
            rb = rb.header("Authorization", s);
        }
        let (status, answer) = read(rb.send().await.expect("send")).await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["status"], json!(false));
        let text = answer["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{text} lacks {message}");
        for secret in [
            "wrong-apikey-123",
            "made-up-session-456",
            creds::ODUYO_SESSION,
        ] {
            assert!(
                !answer.to_string().contains(secret),
                "{answer} echoes a secret"
            );
        }
    }
    assert_eq!(h.sb.stats().await.unauthorized, 5);
    assert_eq!(h.sb.stats().await.writes, 0);
    h.sb.stop().await;
}

#[tokio::test]
async fn oduyo_login_issues_sessions_that_expire() {
    let opts = Options {
        session_ttl: Duration::from_millis(1000),
        ..options()
    };
    let h = Harness::start(opts).await;
    let bad = [
        ("username", creds::ODUYO_USERNAME),
        ("oduyo_api_key", creds::ODUYO_API_KEY),
        ("password", "guess"),
    ];
    let resp = h
        .http
        .post(h.url("/api/v1/ws/login"))
        .form(&bad)
        .send()
        .await
        .expect("login");
    let (status, answer) = read(resp).await;
    assert_eq!(status, 401);
    assert_eq!(answer["status"], json!(false));
    assert!(!answer.to_string().contains("guess"));

    let resp = h
        .http
        .post(h.url("/api/v1/ws/login"))
        .form(&[("username", "aktar")])
        .send()
        .await
        .expect("login");
    let (status, answer) = read(resp).await;
    assert_eq!(status, 400);
    assert_eq!(answer["message"], json!("missing field: oduyo_api_key"));

    // A session issued by the login works until its second is up. The second is
    // measured around the login and the write: a write inside it must be accepted;
    // on a machine too slow to fit both in it, the refusal is right and the round is
    // run again with a fresh login.
    let (_, body) = good(ODUYO);
    let mut logins = 0;
    let mut late = 0;
    let session = loop {
        assert!(logins < 20, "no login and write fitted in a second");
        let window = Instant::now();
        let resp = h
            .http
            .post(h.url("/api/v1/ws/login"))
            .form(&[
                ("username", creds::ODUYO_USERNAME),
                ("oduyo_api_key", creds::ODUYO_API_KEY),
                ("password", creds::ODUYO_PASSWORD),
            ])
            .send()
            .await
            .expect("login");
        logins += 1;
        let (status, answer) = read(resp).await;
        assert_eq!(status, 200);
        assert_eq!(answer["status"], json!(true));
        assert_eq!(answer["data"]["expires_in"], json!(1));
        let session = answer["data"]["session_id"]
            .as_str()
            .expect("session id")
            .to_owned();
        let resp = h
            .request_with(ODUYO, None, &body, &session)
            .send()
            .await
            .expect("send");
        let (status, answer) = read(resp).await;
        if status == 200 {
            break session;
        }
        assert!(
            window.elapsed() >= Duration::from_millis(1000),
            "refused within the session's second: {answer}"
        );
        assert_eq!(
            answer,
            json!({"status": false, "message": "session expired"})
        );
        late += 1;
    };

    tokio::time::sleep(Duration::from_millis(1100)).await;
    for s in [session.as_str(), creds::ODUYO_SESSION] {
        let resp = h
            .request_with(ODUYO, None, &body, s)
            .send()
            .await
            .expect("send");
        assert_eq!(
            read(resp).await,
            (401, json!({"status": false, "message": "session expired"}))
        );
    }
    let stats = h.sb.stats().await;
    assert_eq!(
        (stats.logins, stats.writes, stats.unauthorized),
        (logins, 1, 3 + late)
    );
    h.sb.stop().await;
}

#[tokio::test]
async fn fatura_entegrator_needs_its_bearer_key() {
    let h = Harness::start(options()).await;
    let (path, body) = good(FE);
    let url = h.url("/api/customers/77");
    for auth in ["Bearer not-the-key", creds::FE_API_KEY, "Basic abc"] {
        let resp = h
            .http
            .patch(&url)
            .header("Authorization", auth)
            .json(&body)
            .send()
            .await
            .expect("send");
        let (status, answer) = read(resp).await;
        assert_eq!(status, 401, "{auth}: {answer}");
        assert!(answer["message"].is_string());
        assert!(!answer.to_string().contains("not-the-key"));
    }
    let resp = h.request(FE, path, &body).send().await.expect("send");
    assert_eq!(read(resp).await.0, 200);
    h.sb.stop().await;
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The claims of a JWT, read the way a client reads them (no signature check).
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("three parts");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test]
async fn netahsilat_token_call_gives_a_jwt_whose_exp_is_readable_and_kept() {
    let opts = Options {
        token_ttl: Duration::from_secs(1),
        ..options()
    };
    let h = Harness::start(opts).await;
    let (path, body) = good(NT);
    // A token works until its second is up; measured as the session's is in the test
    // above, a round too slow to fit the token call and the write in it is run again.
    let mut tokens = 0;
    let mut late = 0;
    let (token, exp) = loop {
        assert!(tokens < 20, "no token call and write fitted in a second");
        let window = Instant::now();
        let before = unix_now();
        let (status, answer) = h.token_form().await;
        tokens += 1;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["token_type"], json!("Bearer"));
        assert_eq!(answer["expires_in"], json!(1));
        let token = answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        assert_eq!(token.split('.').count(), 3);
        let c = claims(&token);
        let exp = c["exp"].as_u64().expect("exp claim");
        assert!(
            (before + 1..=unix_now() + 1).contains(&exp),
            "exp {exp}, now {before}"
        );
        assert_eq!(c["sub"], json!(creds::NETAHSILAT_CLIENT_ID));
        let resp = h
            .request_with(NT, path, &body, &token)
            .send()
            .await
            .expect("send");
        let (status, refusal) = read(resp).await;
        if status == 200 {
            break (token, exp);
        }
        assert!(
            window.elapsed() >= Duration::from_millis(1000),
            "refused within the token's second: {refusal}"
        );
        assert_eq!(
            refusal,
            json!({"status": "error", "message": "token expired"})
        );
        late += 1;
    };

    // The same call as JSON, and refusals.
    let as_json = json!({
        "grant_type": "client_credentials",
        "client_id": creds::NETAHSILAT_CLIENT_ID,
        "client_secret": creds::NETAHSILAT_CLIENT_SECRET,
    });
    let (status, second) = h.token_call(&as_json).await;
    assert_eq!(status, 200);
    assert_ne!(second["access_token"], json!(token));
    let mut wrong = as_json.clone();
    wrong["client_secret"] = json!("not-the-secret");
    let (status, refusal) = h.token_call(&wrong).await;
    assert_eq!(
        (status, refusal["error"].clone()),
        (401, json!("invalid_client"))
    );
    assert!(!refusal.to_string().contains("not-the-secret"));
    let mut grant = as_json.clone();
    grant["grant_type"] = json!("password");
    let (status, refusal) = h.token_call(&grant).await;
    assert_eq!(
        (status, refusal["error"].clone()),
        (400, json!("unsupported_grant_type"))
    );

    let resp = h
        .request_with(NT, path, &body, "a.b.c")
        .send()
        .await
        .expect("send");
    assert_eq!(
        read(resp).await,
        (401, json!({"status": "error", "message": "invalid token"}))
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let resp = h
        .request_with(NT, path, &body, &token)
        .send()
        .await
        .expect("send");
    assert_eq!(
        read(resp).await,
        (401, json!({"status": "error", "message": "token expired"}))
    );
    assert!(
        unix_now() >= exp,
        "the server expired the token before its exp"
    );
    let stats = h.sb.stats().await;
    assert_eq!(
        (stats.tokens, stats.writes, stats.unauthorized),
        (tokens + 1, 1, 3 + late)
    );
    h.sb.stop().await;
}

#[tokio::test]
async fn the_preissued_netahsilat_token_is_a_valid_jwt() {
    let before = unix_now();
    let h = Harness::start(options()).await;
    let token = h.sb.netahsilat_token();
    let exp = claims(&token)["exp"].as_u64().expect("exp");
    assert!(
        (before + 3600..=unix_now() + 3600).contains(&exp),
        "exp {exp} is not an hour after the start ({before})"
    );
    let (path, body) = good(NT);
    let resp = h.request(NT, path, &body).send().await.expect("send");
    assert_eq!(read(resp).await.0, 200);
    assert_eq!(h.sb.stats().await.tokens, 0);
    h.sb.stop().await;
}
