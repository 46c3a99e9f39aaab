//! Every endpoint takes a good body with its provider's answer and refuses a bad one
//! with its provider's refusal; the ledger records what was applied.

use serde_json::{Value, json};

use super::super::Ledger;
use super::{Harness, TCKN, customer, good, options, read, transaction};
use crate::providers;

#[tokio::test]
async fn every_endpoint_accepts_its_pages_example_with_its_providers_answer() {
    let h = Harness::start(options()).await;
    for ep in providers::all() {
        let id = ep.id.as_str();
        let (path, body) = good(id);
        let resp = h.request(id, path, &body).send().await.expect("send");
        let (status, answer) = read(resp).await;
        assert_eq!(status, 200, "{id}: {answer}");
        match id {
            "oduyo.customer_update" => {
                assert_eq!(
                    answer,
                    json!({"status": true, "data": "<1> successfully updated."})
                );
            }
            "oduyo.cash_update" => {
                assert_eq!(
                    answer,
                    json!({"status": true, "data": "<2> successfully updated."})
                );
            }
            "oduyo.transaction_create" => {
                // The page's answer: the fields, debt/credit, and the provider's numbers.
                assert_eq!(answer["status"], json!(true));
                let data = &answer["data"];
                assert_eq!(data["comment"], json!("pınartest"));
                assert_eq!(data["credit"], json!("50"), "sign 1 is alacak");
                assert_eq!(data["debt"], json!("0"));
                assert_eq!(data["transaction_type"], json!("alacak"));
                assert_eq!(data["transaction_number"], data["document_no"]);
                assert_eq!(data["transaction_number"].as_str().map(str::len), Some(9));
            }
            "fatura_entegrator.customer_update" => {
                assert_eq!(answer["id"], json!("1"));
                assert_eq!(answer["surname"], json!("DEMİR"));
            }
            "netahsilat.customer_update" => {
                assert_eq!(
                    answer,
                    json!({"status": "success", "message": "Customer updated successfully"})
                );
            }
            other => panic!("unexpected endpoint {other}"),
        }
    }
    let stats = h.sb.stats().await;
    assert_eq!(stats.writes, 5);
    assert_eq!(stats.refused, 0);
    h.sb.stop().await;
}

#[tokio::test]
async fn oduyo_refuses_a_bad_body_with_400_and_an_empty_object() {
    let h = Harness::start(options()).await;
    let ep = "oduyo.customer_update";
    let mut bad = customer(5, "1.234,56");
    bad["column"]["colour"] = json!("red");
    bad["column"]["id"] = json!(5);
    bad["column"]["balance_paid"] = json!("");
    let resp = h.request(ep, None, &bad).send().await.expect("send");
    let reason = resp
        .headers()
        .get("x-sandbox-reason")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (status, answer) = read(resp).await;
    assert_eq!((status, answer), (400, json!({})));
    for field in [
        "balance: must be a decimal",
        "colour: unknown field",
        "id: must be a JSON string",
        "balance_paid: required",
    ] {
        assert!(reason.contains(field), "{field} not in {reason}");
    }
    // No envelope, and a transaction date in the wrong format.
    let bare = json!({"id": "5", "balance": "1", "balance_current": "1", "balance_paid": "1"});
    let resp = h.request(ep, None, &bare).send().await.expect("send");
    assert_eq!(read(resp).await, (400, json!({})));
    let mut tx = transaction(Some("FT-9"));
    tx["column"]["date"] = json!("01.03.2026");
    let resp = h
        .request("oduyo.transaction_create", None, &tx)
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await, (400, json!({})));

    assert_eq!(h.sb.ledger().await, Ledger::default());
    assert_eq!(h.sb.stats().await.refused, 3);
    h.sb.stop().await;
}

#[tokio::test]
async fn oduyo_updates_of_records_that_do_not_exist_are_404_status_false() {
    let h = Harness::start(options()).await;
    let resp = h
        .request("oduyo.customer_update", None, &customer(900_001, "1.0000"))
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await, (404, json!({"status": false})));
    let (_, mut cash) = good("oduyo.cash_update");
    cash["column"]["id"] = json!(999_999);
    let resp = h
        .request("oduyo.cash_update", None, &cash)
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await, (404, json!({"status": false})));
    assert_eq!(h.sb.ledger().await, Ledger::default());
    h.sb.stop().await;
}

#[tokio::test]
async fn fatura_entegrator_refuses_with_422_and_errors_by_field() {
    let h = Harness::start(options()).await;
    let ep = "fatura_entegrator.customer_update";
    let bad = json!({"id": 5, "type": "robot", "tax_number": "123", "name": 42});
    let resp = h.request(ep, Some("abc"), &bad).send().await.expect("send");
    let (status, answer) = read(resp).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    let errors = answer["errors"].as_object().expect("errors object");
    for field in ["id", "type", "tax_number", "name"] {
        let list = errors.get(field).and_then(Value::as_array);
        assert!(list.is_some_and(|l| !l.is_empty()), "{field}: {answer}");
    }
    assert_eq!(h.sb.ledger().await, Ledger::default());
    h.sb.stop().await;
}

#[tokio::test]
async fn netahsilat_refuses_wrong_types_and_broken_rules_with_400_status_error() {
    let h = Harness::start(options()).await;
    let ep = "netahsilat.customer_update";
    let (path, mut body) = good(ep);
    body["districtCode"] = json!("1421");
    body["customerRepresentativeIds"] = json!("3,7");
    body["isActive"] = json!("true");
    let resp = h.request(ep, path, &body).send().await.expect("send");
    let (status, answer) = read(resp).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["status"], json!("error"));
    let message = answer["message"].as_str().unwrap_or_default();
    for field in ["districtCode", "customerRepresentativeIds", "isActive"] {
        assert!(message.contains(field), "{field} not in {message}");
    }

    // An individual needs a first name, a last name and a TCKN.
    let individual = json!({
        "code": "C-7", "erpCode": "120.07", "isCompany": false,
        "firstName": "Ayşe", "lastName": "", "tckn": null
    });
    let resp = h
        .request(ep, Some("C-7"), &individual)
        .send()
        .await
        .expect("send");
    let (status, answer) = read(resp).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("lastName: required when isCompany == false"),
        "{message}"
    );
    assert!(message.contains("tckn: required"), "{message}");
    let mut fixed = individual.clone();
    fixed["lastName"] = json!("Yılmaz");
    fixed["tckn"] = json!(TCKN);
    let resp = h
        .request(ep, Some("C-7"), &fixed)
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await.0, 200);
    h.sb.stop().await;
}

#[tokio::test]
async fn the_ledger_counts_applied_writes_and_keeps_the_last_body() {
    let h = Harness::start(options()).await;
    let ep = "oduyo.customer_update";
    for balance in ["1.0000", "2.0000"] {
        let resp = h
            .request(ep, None, &customer(5, balance))
            .send()
            .await
            .expect("send");
        assert_eq!(read(resp).await.0, 200);
    }
    // Refused: not a write.
    let resp = h
        .request(ep, None, &customer(5, "x"))
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await.0, 400);

    // A create is keyed by its whole body: the same body twice is one key written
    // twice (a double post), another body another key.
    let tx = "oduyo.transaction_create";
    for body in [
        transaction(Some("FT-1")),
        transaction(Some("FT-1")),
        transaction(None),
    ] {
        let resp = h.request(tx, None, &body).send().await.expect("send");
        assert_eq!(read(resp).await.0, 200);
    }
    let fe = "fatura_entegrator.customer_update";
    let resp = h
        .request(fe, Some("9"), &json!({"name": "A"}))
        .send()
        .await
        .expect("send");
    assert_eq!(read(resp).await.0, 200);
    let resp = h
        .request(fe, Some("9"), &json!({"city": "İzmir"}))
        .send()
        .await
        .expect("send");
    let (_, merged) = read(resp).await;
    assert_eq!(merged, json!({"id": "9", "name": "A", "city": "İzmir"}));

    let ledger = h.sb.ledger().await;
    let entry = ledger.entry(ep, "5").expect("customer 5 written");
    assert_eq!(entry.writes, 2);
    assert_eq!(entry.last, customer(5, "2.0000"));
    let mut writes: Vec<u64> = ledger.endpoints[tx].values().map(|e| e.writes).collect();
    writes.sort();
    assert_eq!(writes, [1, 2], "{ledger:?}");
    assert!(ledger.endpoints[tx].keys().all(|k| k.len() == 64));
    assert_eq!(ledger.writes(fe, "9"), 2);
    assert_eq!(
        ledger.entry(fe, "9").map(|e| e.last.clone()),
        Some(json!({"city": "İzmir"}))
    );

    // The HTTP view is the same data.
    let over_http: Ledger = h
        .http
        .get(h.url("/_ledger"))
        .send()
        .await
        .expect("ledger")
        .json()
        .await
        .expect("ledger json");
    assert_eq!(over_http, ledger);
    let stats: super::super::Stats = h
        .http
        .get(h.url("/_stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json");
    assert_eq!(stats, h.sb.stats().await);
    assert_eq!((stats.writes, stats.refused, stats.requests), (7, 1, 8));
    h.sb.stop().await;
}
