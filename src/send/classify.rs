//! Reading a provider's answer: success, refusal (to `failed.csv`), an expired
//! credential, or a transient failure worth retrying — and, for a request that may not
//! be repeated, whether it provably never reached the provider.

use std::time::Duration;

use serde_json::Value as Json;

use crate::providers::Answer;

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Success,
    /// The provider said no; retrying will not change its mind.
    Refused {
        status: u16,
        message: String,
    },
    /// An answer that says neither yes nor no (a 2xx whose body cannot be read, a
    /// redirect, an unknown status): for a request that may not be repeated the outcome
    /// is unknown; for the others it is a failure.
    Unclear {
        status: u16,
        message: String,
    },
    /// 401: the session or token is not (or no longer) accepted.
    Unauthorized {
        message: String,
    },
    /// Worth another try after a pause.
    Transient {
        status: Option<u16>,
        retry_after: Option<Duration>,
        /// False only where the request provably never reached the provider
        /// (connection refused, 429): then even a non-idempotent request may be
        /// repeated.
        reached: bool,
        message: String,
    },
}

/// Classifies an HTTP answer by the endpoint's rule for a yes: the value at its status
/// field equal to its success value. A status value of another JSON type than the
/// success value says neither yes nor no.
pub fn classify(answer: &Answer, status: u16, retry_after: Option<&str>, body: &[u8]) -> Verdict {
    let json: Option<Json> = serde_json::from_slice(body).ok();
    match status {
        200..=299 => {
            let answer = match &answer.status_field {
                None => Some(true),
                Some(pointer) => json
                    .as_ref()
                    .and_then(|j| j.pointer(pointer))
                    .filter(|v| {
                        std::mem::discriminant(*v) == std::mem::discriminant(&answer.success)
                    })
                    .map(|v| *v == answer.success),
            };
            match answer {
                Some(true) => Verdict::Success,
                Some(false) => Verdict::Refused {
                    status,
                    message: format!(
                        "HTTP {status} but the answer says failure: {}",
                        message(json.as_ref(), body)
                    ),
                },
                None => Verdict::Unclear {
                    status,
                    message: format!(
                        "HTTP {status} with an answer that says neither success nor failure: {}",
                        message(json.as_ref(), body)
                    ),
                },
            }
        }
        401 => Verdict::Unauthorized {
            message: message(json.as_ref(), body),
        },
        429 => Verdict::Transient {
            status: Some(status),
            retry_after: retry_after.and_then(parse_retry_after),
            reached: false,
            message: "HTTP 429: rate limited".into(),
        },
        408 | 500 | 502 | 503 | 504 => Verdict::Transient {
            status: Some(status),
            retry_after: retry_after.and_then(parse_retry_after),
            reached: true,
            message: format!("HTTP {status}: {}", message(json.as_ref(), body)),
        },
        400..=499 => Verdict::Refused {
            status,
            message: format!("HTTP {status}: {}", message(json.as_ref(), body)),
        },
        // Other server errors (501, 505, a proxy's 520–524…): the request may have been
        // processed, so only an idempotent one is tried again.
        500..=599 => Verdict::Transient {
            status: Some(status),
            retry_after: None,
            reached: true,
            message: format!("HTTP {status}: {}", message(json.as_ref(), body)),
        },
        _ => Verdict::Unclear {
            status,
            message: format!("HTTP {status}: an unexpected answer (redirects are not followed)"),
        },
    }
}

/// The provider's own number for what it has just recorded: the first of the
/// endpoint's `references` (JSON pointers) at which the answer holds a text or a
/// number. A reference is a short identifier; anything longer is not one.
pub fn reference(pointers: &[String], body: &[u8]) -> Option<String> {
    const MAX_LEN: usize = 100;
    if pointers.is_empty() {
        return None;
    }
    let json: Json = serde_json::from_slice(body).ok()?;
    pointers.iter().find_map(|p| {
        let text = match json.pointer(p)? {
            Json::String(s) => s.trim().to_string(),
            Json::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty() && text.chars().count() <= MAX_LEN).then_some(text)
    })
}

/// Classifies a request that got no answer.
pub fn classify_error(e: &reqwest::Error) -> Verdict {
    Verdict::Transient {
        status: None,
        retry_after: None,
        reached: !e.is_connect(),
        message: describe_error(e),
    }
}

/// What went wrong, in words, without the URL (which reqwest's own message carries and
/// which may hold a customer code).
pub fn describe_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer within the timeout".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the connection broke before the answer".into()
    }
}

/// The provider's own words: `message`, `error`, `errors` or a string `data`, else the
/// start of the body.
fn message(json: Option<&Json>, body: &[u8]) -> String {
    if let Some(j) = json {
        for k in ["message", "error", "errors", "data"] {
            match j.get(k) {
                Some(Json::String(s)) if !s.is_empty() => return s.clone(),
                Some(v @ (Json::Object(_) | Json::Array(_))) if k == "errors" => {
                    return v.to_string();
                }
                _ => {}
            }
        }
        if j.as_object().is_some_and(|o| o.is_empty()) {
            return "(empty answer)".into();
        }
    }
    let text = String::from_utf8_lossy(body);
    let t = text.trim();
    if t.is_empty() {
        "(empty answer)".into()
    } else {
        t.chars().take(300).collect()
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    delta.to_std().ok().or(Some(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_of(id: &str) -> &'static Answer {
        &crate::providers::find(id)
            .expect("built-in endpoint")
            .answer
    }

    #[test]
    fn oduyo_answers() {
        let k = answer_of("oduyo.customer_update");
        assert_eq!(
            classify(
                k,
                200,
                None,
                br#"{"status": true, "data": "1 successfully updated."}"#
            ),
            Verdict::Success
        );
        assert_eq!(
            classify(k, 200, None, br#"{"status": false}"#),
            Verdict::Refused {
                status: 200,
                message: "HTTP 200 but the answer says failure: {\"status\": false}".into()
            }
        );
        assert_eq!(
            classify(k, 400, None, b"{}"),
            Verdict::Refused {
                status: 400,
                message: "HTTP 400: (empty answer)".into()
            }
        );
        assert!(matches!(
            classify(k, 404, None, br#"{"status": false}"#),
            Verdict::Refused { status: 404, .. }
        ));
    }

    #[test]
    fn netahsilat_and_fatura_entegrator_answers() {
        assert_eq!(
            classify(
                answer_of("netahsilat.customer_update"),
                200,
                None,
                br#"{"status":"success"}"#
            ),
            Verdict::Success
        );
        assert!(matches!(
            classify(
                answer_of("netahsilat.customer_update"),
                200,
                None,
                br#"{"status":"error","message":"x"}"#
            ),
            Verdict::Refused { .. }
        ));
        assert_eq!(
            classify(
                answer_of("fatura_entegrator.customer_update"),
                204,
                None,
                b""
            ),
            Verdict::Success
        );
        assert_eq!(
            classify(
                answer_of("fatura_entegrator.customer_update"),
                422,
                None,
                br#"{"message":"The given data was invalid.","errors":{"tax_number":["bad"]}}"#
            ),
            Verdict::Refused {
                status: 422,
                message: "HTTP 422: The given data was invalid.".into()
            }
        );
    }

    #[test]
    fn the_first_reference_the_answer_holds() {
        let pointers = [
            "/data/transaction_number".to_string(),
            "/data/document_no".into(),
        ];
        let body = br#"{"status": true, "data": {"transaction_number": "000000023", "document_no": "D-9"}}"#;
        assert_eq!(reference(&pointers, body), Some("000000023".into()));
        let body = br#"{"status": true, "data": {"transaction_number": "", "document_no": 77}}"#;
        assert_eq!(reference(&pointers, body), Some("77".into()));
        let body = br#"{"status": true, "data": {"transaction_number": {"x": 1}}}"#;
        assert_eq!(reference(&pointers, body), None);
        assert_eq!(reference(&pointers, b"not json"), None);
        assert_eq!(reference(&[], br#"{"data": {"document_no": "1"}}"#), None);
        let long = format!(r#"{{"data": {{"document_no": "{}"}}}}"#, "9".repeat(101));
        assert_eq!(reference(&pointers, long.as_bytes()), None);
    }

    #[test]
    fn transient_and_auth() {
        let v = classify(
            answer_of("fatura_entegrator.customer_update"),
            429,
            Some("3"),
            b"",
        );
        assert_eq!(
            v,
            Verdict::Transient {
                status: Some(429),
                retry_after: Some(Duration::from_secs(3)),
                reached: false,
                message: "HTTP 429: rate limited".into()
            }
        );
        for s in [408, 500, 502, 503, 504] {
            assert!(
                matches!(
                    classify(answer_of("fatura_entegrator.customer_update"), s, None, b""),
                    Verdict::Transient { reached: true, .. }
                ),
                "{s}"
            );
        }
        assert!(matches!(
            classify(answer_of("oduyo.customer_update"), 401, None, b""),
            Verdict::Unauthorized { .. }
        ));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
    }
}
