//! The journal's tables, created and upgraded by numbered migrations recorded in
//! SQLite's `user_version`, so a journal written by an older aktar is brought up to
//! date the first time a newer one opens it.

use rusqlite::Connection;

/// Each entry upgrades the schema from its index to index + 1.
pub(super) const MIGRATIONS: &[&str] = &[
    // 0 → 1
    r#"
    CREATE TABLE entries (
        endpoint     TEXT NOT NULL,
        key          TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'uncertain', 'pending')),
        hash         TEXT,            -- payload the provider last accepted
        body         TEXT,            -- that payload, kept for endpoints that are never re-sent
        pending_hash TEXT,            -- payload in flight, or whose outcome is unknown
        pending_body TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        http_status  INTEGER,
        message      TEXT,
        first_at     TEXT NOT NULL,
        last_at      TEXT NOT NULL,
        run_id       INTEGER,
        PRIMARY KEY (endpoint, key)
    ) WITHOUT ROWID;
    CREATE INDEX entries_status ON entries (status);
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        mapping     TEXT NOT NULL,
        endpoint    TEXT NOT NULL,
        inputs      TEXT NOT NULL,    -- JSON: [{"path", "blake3"}]
        header      TEXT NOT NULL,    -- JSON array of the first input's columns
        rows        INTEGER NOT NULL DEFAULT 0,
        valid       INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0,
        sent        INTEGER NOT NULL DEFAULT 0,
        unchanged   INTEGER NOT NULL DEFAULT 0,
        failed      INTEGER NOT NULL DEFAULT 0,
        uncertain   INTEGER NOT NULL DEFAULT 0,
        started_at  TEXT NOT NULL,
        ended_at    TEXT,
        exit_code   INTEGER
    );
    CREATE INDEX runs_mapping ON runs (mapping, id);
    "#,
    // 1 → 2: runs cut short by --limit are no baseline for the drift guard.
    r#"
    ALTER TABLE runs ADD COLUMN limited INTEGER NOT NULL DEFAULT 0;
    "#,
    // 2 → 3: the provider's own number for what it accepted (its answer's
    // transaction or document number), kept with the payload it belongs to.
    r#"
    ALTER TABLE entries ADD COLUMN provider_ref TEXT;
    "#,
    // 3 → 4: the status index holds only the rows not sent, the few that queries look
    // for by status; a sending run's `sent` rows, nearly all, no longer update it.
    r#"
    DROP INDEX entries_status;
    CREATE INDEX entries_status ON entries (status) WHERE status <> 'sent';
    "#,
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The version a journal file is at.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}
