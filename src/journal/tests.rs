//! The journal on a temporary file: migrations, recovery of pending posts, snapshots,
//! resolution, the runs table.

use super::*;

fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::TempDir::new().unwrap();
    let j = Journal::open(&dir.path().join("sub/state.db")).unwrap();
    (dir, j)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn opens_creates_and_migrates() {
    let (dir, j) = journal();
    assert_eq!(schema::version(&j.conn).unwrap(), schema::VERSION);
    drop(j);
    // Opening again is a no-op migration.
    let j = Journal::open(&dir.path().join("sub/state.db")).unwrap();
    assert_eq!(schema::version(&j.conn).unwrap(), schema::VERSION);
    assert!(
        Journal::open_read_only(&dir.path().join("missing.db"))
            .unwrap()
            .is_none()
    );
}

/// A journal as the first aktar wrote it, at `path`.
fn version_1_journal(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn
}

#[test]
fn a_version_1_journal_is_migrated() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("state.db");
    {
        let conn = version_1_journal(&path);
        conn.execute(
            "INSERT INTO runs (mapping, endpoint, inputs, header, rows, started_at, ended_at, exit_code)
             VALUES ('m', 'e', '[]', '[\"A\"]', 7, 'x', 'y', 0)",
            [],
        )
        .unwrap();
    }
    assert!(
        Journal::open_read_only(&path).unwrap().is_none(),
        "a dry run neither upgrades an old journal nor trusts it"
    );
    let j = Journal::open(&path).unwrap();
    assert_eq!(schema::version(&j.conn).unwrap(), schema::VERSION);
    assert_eq!(j.last_run("m").unwrap().map(|r| r.rows), Some(7));
}

/// The status index holds only the rows not sent: a sending run's `sent` rows do not
/// update it, and the queries by status still find it — in a new journal and in one
/// migrated from version 1.
#[test]
fn the_status_index_holds_only_what_is_not_sent_and_is_used() {
    let dir = tempfile::TempDir::new().unwrap();
    let old = dir.path().join("old.db");
    drop(version_1_journal(&old));
    let (_new_dir, new) = journal();
    for j in [Journal::open(&old).unwrap(), new] {
        let sql: String = j
            .conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'entries_status'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.ends_with("WHERE status <> 'sent'"), "{sql}");
        for query in [
            "UPDATE entries SET status = 'uncertain' WHERE status = 'pending' AND status <> 'sent'",
            "SELECT key FROM entries WHERE status <> 'sent' AND status <> 'failed'",
        ] {
            let plan: Vec<String> = j
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(
                plan.iter().any(|p| p.contains("entries_status")),
                "{query}: {plan:?}"
            );
        }
    }
}

#[test]
fn a_second_sending_run_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("state.db");
    let first = RunLock::acquire(&path).unwrap();
    assert!(matches!(
        RunLock::acquire(&path),
        Err(JournalError::Busy { .. })
    ));
    drop(first);
    assert!(RunLock::acquire(&path).is_ok());
}

#[test]
fn a_newer_journal_is_refused() {
    let (dir, j) = journal();
    j.conn.pragma_update(None, "user_version", 99).unwrap();
    drop(j);
    let e = Journal::open(&dir.path().join("sub/state.db"))
        .err()
        .unwrap();
    assert!(matches!(e, JournalError::Newer { found: 99, .. }), "{e}");
}

#[test]
fn outcomes_are_recorded_and_pending_becomes_uncertain() {
    let (_dir, j) = journal();
    let run = j
        .start_run(
            "m.toml",
            "oduyo.transaction_create",
            &serde_json::json!([]),
            &["A".into()],
        )
        .unwrap();
    let w = j.writer("oduyo.transaction_create", run, true).unwrap();
    rt().block_on(async {
        w.pending("K1", 11, "{\"a\":1}").await.unwrap();
        w.pending("K2", 22, "{\"a\":2}").await.unwrap();
        w.pending("K3", 33, "{\"a\":3}").await.unwrap();
        w.pending("K4", 44, "{\"a\":4}").await.unwrap();
        w.not_left("K4", "HTTP 429").await.unwrap();
    });
    w.done(
        "K5",
        55,
        "{\"a\":5}",
        Outcome::Uncertain {
            attempts: 1,
            message: "timed out".into(),
        },
    )
    .unwrap();
    w.settle(
        "K1",
        11,
        "{\"a\":1}",
        Outcome::Sent {
            attempts: 1,
            status: 200,
            reference: Some("000000023".into()),
        },
    )
    .unwrap();
    w.done(
        "K3",
        33,
        "{\"a\":3}",
        Outcome::Failed {
            status: Some(400),
            attempts: 1,
            message: "HTTP 400".into(),
        },
    )
    .unwrap();
    w.finish().unwrap();
    // The writer's connection skips the table's CHECK on `status`: every status it
    // wrote must still pass it.
    let check: String = j
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // K2 stays pending, as if the process had died with its request in flight.
    assert_eq!(j.recover_pending().unwrap(), 1);
    let snap = j.snapshot("oduyo.transaction_create").unwrap();
    let k = |key: &str| snap.get(crate::validate::key_hash(key)).unwrap();
    assert_eq!(
        k("K1"),
        Known {
            status: Status::Sent,
            hash: Some(11)
        }
    );
    assert_eq!(k("K2").status, Status::Uncertain);
    assert_eq!(k("K4").status, Status::Failed);
    assert_eq!(k("K5").status, Status::Uncertain);
    assert_eq!(
        k("K3"),
        Known {
            status: Status::Failed,
            hash: None
        }
    );
    assert_eq!(
        j.accepted_body("oduyo.transaction_create", "K1")
            .unwrap()
            .as_deref(),
        Some("{\"a\":1}")
    );
    let failed = j.entries(Some("failed"), None, None, None).unwrap();
    let e = failed.iter().find(|e| e.key == "K3").unwrap();
    assert_eq!((e.http_status, e.attempts), (Some(400), 1));
    let e = failed.iter().find(|e| e.key == "K4").unwrap();
    assert_eq!(e.message.as_deref(), Some("HTTP 429"));
    let e = &j.entries(Some("sent"), None, None, None).unwrap()[0];
    assert_eq!(
        (e.key.as_str(), e.http_status, e.provider_ref.as_deref()),
        ("K1", Some(200), Some("000000023"))
    );
}

/// The outcome of a pending post does not wait for the batch's linger: a crash right
/// after it must not leave the post uncertain. A writer that lingered could not show
/// it committed sooner than 200 ms after the settle, so a sighting sooner proves it;
/// a round on a machine too slow to look in time proves nothing and is run again.
#[test]
fn a_settled_pending_is_committed_without_lingering() {
    const LINGER: std::time::Duration = std::time::Duration::from_millis(200);
    for _round in 0..20 {
        let (_dir, j) = journal();
        let w = j.writer("oduyo.transaction_create", 1, true).unwrap();
        rt().block_on(w.pending("K1", 11, "{}")).unwrap();
        let sent = Outcome::Sent {
            attempts: 1,
            status: 200,
            reference: None,
        };
        let settled = std::time::Instant::now();
        w.settle("K1", 11, "{}", sent).unwrap();
        let hang = settled + std::time::Duration::from_secs(60);
        let seen = loop {
            let status = j.entries(None, None, Some("K1"), None).unwrap()[0]
                .status
                .clone();
            if status == "sent" {
                break settled.elapsed();
            }
            assert!(std::time::Instant::now() < hang, "never committed");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        w.finish().unwrap();
        if seen < LINGER {
            return;
        }
    }
    panic!("never seen committed before the {LINGER:?} linger could have ended");
}

/// Plain outcomes wait for the writer in a shared list, without waking it: they must
/// still be committed after the linger while the run goes on, not only at its end.
#[test]
fn outcomes_are_committed_after_the_linger_while_the_writer_runs() {
    let (_dir, j) = journal();
    let w = j.writer("oduyo.customer_update", 1, false).unwrap();
    for i in 0..10 {
        let sent = Outcome::Sent {
            attempts: 1,
            status: 200,
            reference: None,
        };
        w.done(&format!("C{i}"), i, "{}", sent).unwrap();
    }
    let reported = std::time::Instant::now();
    loop {
        let sent = j.entries(None, None, None, None).unwrap().len();
        if sent == 10 {
            break;
        }
        assert!(
            reported.elapsed() < std::time::Duration::from_secs(30),
            "{sent} of 10 outcomes committed while the writer ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    w.finish().unwrap();
}

/// A writer whose journal fails stops taking outcomes: the next one reported is an
/// error at once (the run then stops), not an outcome left in a list nobody reads.
#[test]
fn an_outcome_for_a_writer_that_has_stopped_is_an_error() {
    let (_dir, j) = journal();
    let w = j.writer("oduyo.customer_update", 1, false).unwrap();
    j.conn.execute_batch("DROP TABLE entries").unwrap();
    let sent = || Outcome::Sent {
        attempts: 1,
        status: 200,
        reference: None,
    };
    w.done("C1", 1, "{}", sent()).unwrap();
    let hang = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if w.done("C2", 2, "{}", sent()).is_err() {
            break;
        }
        assert!(std::time::Instant::now() < hang, "outcomes still taken");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(w.finish().is_err());
}

#[test]
fn resolving_an_uncertain_post() {
    let (_dir, j) = journal();
    let w = j.writer("oduyo.transaction_create", 1, true).unwrap();
    w.done(
        "K1",
        11,
        "{}",
        Outcome::Uncertain {
            attempts: 1,
            message: "timeout".into(),
        },
    )
    .unwrap();
    w.done(
        "K2",
        22,
        "{}",
        Outcome::Uncertain {
            attempts: 1,
            message: "timeout".into(),
        },
    )
    .unwrap();
    w.finish().unwrap();
    let sent = j.resolve(None, "K1", true).unwrap();
    assert_eq!(
        (sent.status.as_str(), sent.hash.as_deref()),
        ("sent", Some(hex(11).as_str()))
    );
    let unsent = j
        .resolve(Some("oduyo.transaction_create"), "K2", false)
        .unwrap();
    assert_eq!(unsent.status, "failed");
    assert!(matches!(
        j.resolve(None, "K1", false),
        Err(JournalError::NotUncertain { .. })
    ));
    assert!(matches!(
        j.resolve(None, "nope", false),
        Err(JournalError::NotFound { .. })
    ));
}

#[test]
fn the_same_key_on_two_endpoints_needs_an_endpoint() {
    let (_dir, j) = journal();
    for ep in ["oduyo.cash_update", "oduyo.transaction_create"] {
        let w = j.writer(ep, 1, false).unwrap();
        w.done(
            "K",
            1,
            "{}",
            Outcome::Uncertain {
                attempts: 1,
                message: String::new(),
            },
        )
        .unwrap();
        w.finish().unwrap();
    }
    assert!(matches!(
        j.resolve(None, "K", true),
        Err(JournalError::Ambiguous { .. })
    ));
    assert!(j.resolve(Some("oduyo.cash_update"), "K", true).is_ok());
}

#[test]
fn several_keys_are_settled_at_once_and_a_key_is_found_on_any_endpoint() {
    let (_dir, j) = journal();
    let uncertain = || Outcome::Uncertain {
        attempts: 1,
        message: String::new(),
    };
    for (ep, keys) in [
        ("fatura_entegrator.customer_update", &["A"][..]),
        ("oduyo.transaction_create", &["T1", "T2", "T3"][..]),
        ("zz.user_endpoint", &["Z"][..]),
    ] {
        let w = j.writer(ep, 1, false).unwrap();
        for k in keys {
            w.done(k, 1, "{}", uncertain()).unwrap();
        }
        w.finish().unwrap();
    }
    let keys: Vec<String> = ["T1", "T3", "nope", "Z"].map(String::from).to_vec();
    let (settled, refused) = j.resolve_many(None, &keys, true).unwrap();
    let got: Vec<(&str, &str)> = settled
        .iter()
        .map(|e| (e.endpoint.as_str(), e.key.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("oduyo.transaction_create", "T1"),
            ("oduyo.transaction_create", "T3"),
            ("zz.user_endpoint", "Z")
        ]
    );
    assert!(settled.iter().all(|e| e.status == "sent"));
    assert!(matches!(refused.as_slice(), [JournalError::NotFound { key }] if key == "nope"));
    let left = j.entries(Some("uncertain"), None, None, None).unwrap();
    let left: Vec<&str> = left.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(left, ["A", "T2"]);
    assert_eq!(j.entries(None, None, Some("A"), None).unwrap().len(), 1);
}

#[test]
fn runs_remember_rows_and_header_of_finished_runs_only() {
    let (_dir, j) = journal();
    let header = vec!["A".to_string(), "B".to_string()];
    let id = j
        .start_run("m", "e", &serde_json::json!([]), &header)
        .unwrap();
    assert_eq!(
        j.last_run("m").unwrap(),
        None,
        "an unfinished run is no baseline"
    );
    let s = crate::report::Summary {
        rows: 42,
        ..Default::default()
    };
    j.end_run(id, &s, 1, false).unwrap();
    assert_eq!(j.last_run("m").unwrap(), Some(LastRun { rows: 42, header }));
    let id = j.start_run("m", "e", &serde_json::json!([]), &[]).unwrap();
    j.end_run(id, &s, 3, false).unwrap();
    assert_eq!(
        j.last_run("m").unwrap().map(|r| r.rows),
        Some(42),
        "an aborted run is no baseline"
    );
    let id = j.start_run("m", "e", &serde_json::json!([]), &[]).unwrap();
    let few = crate::report::Summary {
        rows: 5,
        ..Default::default()
    };
    j.end_run(id, &few, 0, true).unwrap();
    assert_eq!(
        j.last_run("m").unwrap().map(|r| r.rows),
        Some(42),
        "a --limit run is no baseline"
    );
}

#[test]
fn a_snapshot_finds_every_key_and_no_other() {
    let statuses = [
        Status::Sent,
        Status::Failed,
        Status::Uncertain,
        Status::Pending,
    ];
    let known: Vec<(u128, Known)> = (0..5000u128)
        .map(|i| {
            let key = i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
            let hash = (i % 3 != 0).then_some(u128::MAX - i);
            (
                key,
                Known {
                    status: statuses[(i % 4) as usize],
                    hash,
                },
            )
        })
        .collect();
    let snap = super::Snapshot::from_entries(known.clone());
    assert_eq!(snap.len(), 5000);
    for (key, k) in &known {
        assert_eq!(snap.get(*key), Some(*k));
        assert_eq!(snap.get(key.wrapping_add(1)), None);
    }
}

#[test]
fn a_hash_is_written_as_32_hex_digits_and_read_back() {
    for h in [
        0u128,
        1,
        0xabc,
        u128::MAX,
        0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
    ] {
        assert_eq!(hex(h), format!("{h:032x}"));
        assert_eq!(unhex(&hex(h)), Some(h));
    }
}

#[test]
fn a_sent_payload_is_kept_only_for_endpoints_never_sent_again() {
    let (_dir, j) = journal();
    for (endpoint, keep) in [
        ("oduyo.customer_update", false),
        ("oduyo.transaction_create", true),
    ] {
        let w = j.writer(endpoint, 1, keep).unwrap();
        let sent = Outcome::Sent {
            attempts: 1,
            status: 200,
            reference: None,
        };
        w.done("S", 1, "{\"s\":1}", sent).unwrap();
        let uncertain = Outcome::Uncertain {
            attempts: 1,
            message: "timed out".into(),
        };
        w.done("U", 2, "{\"u\":2}", uncertain).unwrap();
        w.finish().unwrap();
        let kept = j.accepted_body(endpoint, "S").unwrap();
        assert_eq!(kept.as_deref(), keep.then_some("{\"s\":1}"), "{endpoint}");
        // An uncertain post keeps its payload whatever the endpoint: a person checks it.
        let pending: Option<String> = j
            .conn
            .query_row(
                "SELECT pending_body FROM entries WHERE endpoint = ?1 AND key = 'U'",
                [endpoint],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(pending.as_deref(), Some("{\"u\":2}"), "{endpoint}");
    }
}

#[test]
fn a_batch_is_written_in_key_order_with_each_keys_outcomes_in_the_order_they_came() {
    let (_dir, j) = journal();
    let w = j.writer("oduyo.customer_update", 1, false).unwrap();
    let sent = |attempts| Outcome::Sent {
        attempts,
        status: 200,
        reference: None,
    };
    let failed = Outcome::Failed {
        status: Some(500),
        attempts: 2,
        message: "down".into(),
    };
    // One batch: keys out of order, and "B" first failed, then sent on a later try.
    w.done("C", 3, "{}", sent(1)).unwrap();
    w.done("B", 2, "{}", failed).unwrap();
    w.done("A", 1, "{}", sent(1)).unwrap();
    w.done("B", 2, "{}", sent(1)).unwrap();
    w.finish().unwrap();
    let rows: Vec<(String, String, i64)> = j
        .conn
        .prepare("SELECT key, status, attempts FROM entries ORDER BY key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let want = [("A", "sent", 1), ("B", "sent", 3), ("C", "sent", 1)];
    let want: Vec<(String, String, i64)> = want
        .iter()
        .map(|&(k, s, a)| (k.to_string(), s.to_string(), a))
        .collect();
    assert_eq!(rows, want);
}
