//! The journal (SQLite, WAL): per endpoint and key, the payload the provider last
//! accepted and the state of the last attempt; and one record per run.
//!
//! It makes the nightly job incremental (a row whose payload is unchanged is not
//! sent), resumable (a run killed at any moment is finished by the next), and
//! exactly-once for endpoints that must never be posted twice: such a request is
//! recorded `pending` — committed — before it leaves, and a `pending` left behind by a
//! dead run becomes `uncertain`, held until a person says what happened
//! (`aktar journal resolve`).
//!
//! Reads happen on the caller's connection; writes during a send go through
//! [`writer::Writer`], a thread of its own that batches them.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

pub mod gate;
mod schema;
pub mod settle;
pub mod writer;

pub use writer::{Outcome, Writer};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: cannot open the journal: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Sql {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "{path}: the journal was written by a newer aktar (schema {found}, this one knows {known})"
    )]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("no journal entry for key `{key}`")]
    NotFound { key: String },
    #[error(
        "key `{key}` is in the journal of several endpoints ({endpoints}); name one with --endpoint"
    )]
    Ambiguous { key: String, endpoints: String },
    #[error(
        "`{key}` ({endpoint}) is {status}, not uncertain; only an uncertain entry can be resolved"
    )]
    NotUncertain {
        key: String,
        endpoint: String,
        status: String,
    },
    #[error("the journal writer stopped: {0}")]
    Writer(String),
    #[error("{path}: another aktar run is sending with this journal; wait for it to finish")]
    Busy { path: String },
}

/// Held for as long as a run sends: two runs deciding from the same journal at once
/// could both post the same transaction. The operating system releases the lock when
/// the process ends, however it ends.
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    pub fn acquire(journal: &Path) -> Result<RunLock, JournalError> {
        let path = PathBuf::from(format!("{}.lock", journal.display()));
        let err = |e: std::io::Error| JournalError::Open {
            path: path.display().to_string(),
            source: rusqlite::Error::InvalidPath(PathBuf::from(e.to_string())),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(err)?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Busy {
                path: journal.display().to_string(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
        }
    }
}

/// One entry, as `aktar journal` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub endpoint: String,
    pub key: String,
    pub status: String,
    pub hash: Option<String>,
    pub pending_hash: Option<String>,
    pub attempts: i64,
    pub http_status: Option<i64>,
    pub message: Option<String>,
    pub first_at: String,
    pub last_at: String,
    pub run_id: Option<i64>,
    /// The provider's own number for the payload it accepted (transaction or document
    /// number), where its answer or its statement gave one.
    pub provider_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Sent,
    Failed,
    Uncertain,
    Pending,
}

impl Status {
    /// A status this aktar does not know (a newer one wrote it, or a person) reads as
    /// `uncertain`: for a transaction that means held, never posted again until
    /// `aktar journal resolve` says what happened. Reading it as `failed` would post it.
    pub fn parse(s: &str) -> Status {
        match s {
            "sent" => Status::Sent,
            "failed" => Status::Failed,
            "pending" => Status::Pending,
            _ => Status::Uncertain,
        }
    }
}

/// What the journal knows of one key, compactly, for the decisions of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub status: Status,
    /// Digest of the payload last accepted.
    pub hash: Option<u128>,
}

/// Every key of one endpoint, by key digest: a sorted array of 40 bytes a key (a hash
/// map took three times that, and twice again while it grew).
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Key digest (high, low), payload digest (high, low), and the status in the low
    /// byte of `tag` (`tag`'s bit 8 set when there is a payload digest).
    entries: Vec<([u64; 4], u16)>,
}

impl Snapshot {
    fn from_entries(mut known: Vec<(u128, Known)>) -> Snapshot {
        known.sort_unstable_by_key(|(k, _)| *k);
        known.dedup_by_key(|(k, _)| *k);
        let entries = known
            .into_iter()
            .map(|(k, v)| {
                let h = v.hash.unwrap_or(0);
                let tag = status_byte(v.status) | if v.hash.is_some() { 0x100 } else { 0 };
                (
                    [(k >> 64) as u64, k as u64, (h >> 64) as u64, h as u64],
                    tag,
                )
            })
            .collect();
        Snapshot { entries }
    }

    /// What the journal knows of the key with digest `key`.
    pub fn get(&self, key: u128) -> Option<Known> {
        let probe = [(key >> 64) as u64, key as u64];
        let i = self
            .entries
            .binary_search_by(|(e, _)| [e[0], e[1]].cmp(&probe))
            .ok()?;
        let (e, tag) = &self.entries[i];
        Some(Known {
            status: byte_status(*tag as u8),
            hash: (tag & 0x100 != 0).then(|| (u128::from(e[2]) << 64) | u128::from(e[3])),
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn status_byte(s: Status) -> u16 {
    match s {
        Status::Sent => 0,
        Status::Failed => 1,
        Status::Uncertain => 2,
        Status::Pending => 3,
    }
}

fn byte_status(b: u8) -> Status {
    match b {
        0 => Status::Sent,
        1 => Status::Failed,
        3 => Status::Pending,
        _ => Status::Uncertain,
    }
}

/// The last run of a mapping, for the drift guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastRun {
    pub rows: u64,
    pub header: Vec<String>,
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Payload digests are stored as hex, 32 lower-case digits; keys and payloads are
/// compared by them. Written digit by digit: `format!` with its padding cost a sending
/// run's writer a tenth of its time.
pub fn hex(h: u128) -> String {
    Hex::of(h).as_str().to_owned()
}

/// A digest's 32 hex digits on the stack, for binding without a `String` of its own.
pub(crate) struct Hex([u8; 32]);

impl Hex {
    pub(crate) fn of(h: u128) -> Hex {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 32];
        for (i, d) in out.iter_mut().enumerate() {
            *d = DIGITS[((h >> ((31 - i) * 4)) & 0xf) as usize];
        }
        Hex(out)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits and letters are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn unhex(s: &str) -> Option<u128> {
    u128::from_str_radix(s, 16).ok()
}

impl Journal {
    /// Opens (creating it and its folder if needed) and brings the schema up to date.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let open_err = |source| JournalError::Open {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                open_err(rusqlite::Error::InvalidPath(PathBuf::from(format!(
                    "{}: {e}",
                    dir.display()
                ))))
            })?;
        }
        let mut conn = Connection::open(path).map_err(open_err)?;
        configure(&conn).map_err(open_err)?;
        let found = schema::version(&conn).map_err(open_err)?;
        if found > schema::VERSION {
            return Err(JournalError::Newer {
                path: path.display().to_string(),
                found,
                known: schema::VERSION,
            });
        }
        schema::migrate(&mut conn).map_err(open_err)?;
        Ok(Journal {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing journal without writing to it (a dry run); `None` when there
    /// is none yet.
    pub fn open_read_only(path: &Path) -> Result<Option<Journal>, JournalError> {
        if !path.exists() {
            return Ok(None);
        }
        let open_err = |source| JournalError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        let found = schema::version(&conn).map_err(open_err)?;
        // An empty journal, or one that the next sending run will upgrade (a read-only
        // reader may not): nothing it says can be relied on here.
        if found < schema::VERSION {
            return Ok(None);
        }
        if found > schema::VERSION {
            return Err(JournalError::Newer {
                path: path.display().to_string(),
                found,
                known: schema::VERSION,
            });
        }
        Ok(Some(Journal {
            conn,
            path: path.to_path_buf(),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> JournalError {
        JournalError::Sql {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Requests left `pending` by a run that died: their outcome is unknown.
    /// (`status <> 'sent'` lets SQLite use the status index, which holds only the rows
    /// not sent.)
    pub fn recover_pending(&self) -> Result<u64, JournalError> {
        let n = self
            .conn
            .execute(
                "UPDATE entries SET status = 'uncertain', last_at = ?1,
                 message = 'the run that sent it stopped before the answer was recorded'
                 WHERE status = 'pending' AND status <> 'sent'",
                params![now()],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n as u64)
    }

    /// What the journal knows of every key of `endpoint`.
    pub fn snapshot(&self, endpoint: &str) -> Result<Snapshot, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, status, hash FROM entries WHERE endpoint = ?1")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![endpoint], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut keys = Vec::new();
        for row in rows {
            let (key, status, hash) = row.map_err(|e| self.sql(e))?;
            keys.push((
                crate::validate::key_hash(&key),
                Known {
                    status: Status::parse(&status),
                    hash: hash.as_deref().and_then(unhex),
                },
            ));
        }
        Ok(Snapshot::from_entries(keys))
    }

    /// The payload last accepted for a key (kept for endpoints never re-sent).
    pub fn accepted_body(&self, endpoint: &str, key: &str) -> Result<Option<String>, JournalError> {
        self.conn
            .query_row(
                "SELECT body FROM entries WHERE endpoint = ?1 AND key = ?2",
                params![endpoint, key],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sql(e))
    }

    /// The entries with `status` (all without one; `uncertain` takes in the statuses
    /// this aktar does not know, which it holds as uncertain), of `endpoint`, for
    /// `key`, last touched at `since` or later.
    pub fn entries(
        &self,
        status: Option<&str>,
        endpoint: Option<&str>,
        key: Option<&str>,
        since: Option<&str>,
    ) -> Result<Vec<Entry>, JournalError> {
        // A key without its endpoint is looked up endpoint by endpoint, so that each
        // lookup is a seek on the (endpoint, key) primary key, not a scan of the table.
        if let (Some(key), None) = (key, endpoint) {
            let mut found = Vec::new();
            for ep in self.endpoints()? {
                found.extend(self.entries(status, Some(&ep), Some(key), since)?);
            }
            found.sort_by(|a, b| {
                (&a.last_at, &a.endpoint, &a.key).cmp(&(&b.last_at, &b.endpoint, &b.key))
            });
            return Ok(found);
        }
        // Only the filters given are in the query, so SQLite can use the indexes for them.
        let mut filters = Vec::new();
        let mut values: Vec<&str> = Vec::new();
        if let Some(status) = status {
            values.push(status);
            filters.push(format!(
                "(status = ?{n} OR (?{n} = 'uncertain' AND status NOT IN ('sent', 'failed', 'pending')))",
                n = values.len()
            ));
        }
        for (column, value) in [("endpoint", endpoint), ("key", key)] {
            if let Some(v) = value {
                values.push(v);
                filters.push(format!("{column} = ?{}", values.len()));
            }
        }
        if let Some(since) = since {
            values.push(since);
            filters.push(format!("last_at >= ?{}", values.len()));
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", filters.join(" AND "))
        };
        let sql = format!(
            "SELECT endpoint, key, status, hash, pending_hash, attempts, http_status, message,
                    first_at, last_at, run_id, provider_ref
             FROM entries {filter}
             ORDER BY last_at, endpoint, key"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                Ok(Entry {
                    endpoint: r.get(0)?,
                    key: r.get(1)?,
                    status: r.get(2)?,
                    hash: r.get(3)?,
                    pending_hash: r.get(4)?,
                    attempts: r.get(5)?,
                    http_status: r.get(6)?,
                    message: r.get(7)?,
                    first_at: r.get(8)?,
                    last_at: r.get(9)?,
                    run_id: r.get(10)?,
                    provider_ref: r.get(11)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// The endpoints the journal holds entries for, each found with one seek on the
    /// primary key.
    fn endpoints(&self) -> Result<Vec<String>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT endpoint FROM entries WHERE endpoint > ?1 ORDER BY endpoint LIMIT 1")
            .map_err(|e| self.sql(e))?;
        let mut found: Vec<String> = Vec::new();
        loop {
            let after = found.last().map_or("", String::as_str);
            let next: Option<String> = stmt
                .query_row(params![after], |r| r.get(0))
                .optional()
                .map_err(|e| self.sql(e))?;
            match next {
                Some(ep) => found.push(ep),
                None => return Ok(found),
            }
        }
    }

    pub fn last_run(&self, mapping: &str) -> Result<Option<LastRun>, JournalError> {
        self.conn
            .query_row(
                "SELECT rows, header FROM runs WHERE mapping = ?1 AND ended_at IS NOT NULL
                 AND exit_code IN (0, 1) AND limited = 0 ORDER BY id DESC LIMIT 1",
                params![mapping],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))
            .map(|o| {
                o.map(|(rows, header)| LastRun {
                    rows: rows.max(0) as u64,
                    header: serde_json::from_str(&header).unwrap_or_default(),
                })
            })
    }

    pub fn start_run(
        &self,
        mapping: &str,
        endpoint: &str,
        inputs: &serde_json::Value,
        header: &[String],
    ) -> Result<i64, JournalError> {
        let header = serde_json::to_string(header).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO runs (mapping, endpoint, inputs, header, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![mapping, endpoint, inputs.to_string(), header, now()],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records how a run ended. A run cut short by `--limit` is no baseline for the
    /// drift guard.
    pub fn end_run(
        &self,
        id: i64,
        s: &crate::report::Summary,
        exit_code: i32,
        limited: bool,
    ) -> Result<(), JournalError> {
        let n = |v: u64| v as i64;
        self.conn
            .execute(
                "UPDATE runs SET rows = ?2, valid = ?3, rejected = ?4, sent = ?5, unchanged = ?6,
                 failed = ?7, uncertain = ?8, ended_at = ?9, exit_code = ?10, limited = ?11
                 WHERE id = ?1",
                params![
                    id,
                    n(s.rows),
                    n(s.valid),
                    n(s.rejected),
                    n(s.sent),
                    n(s.unchanged),
                    n(s.failed),
                    n(s.uncertain),
                    now(),
                    exit_code,
                    limited
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// A writer for one run's sends to `endpoint`, on a connection of its own.
    pub fn writer(
        &self,
        endpoint: &str,
        run_id: i64,
        keep_bodies: bool,
    ) -> Result<Writer, JournalError> {
        let conn = Connection::open(&self.path).map_err(|e| self.sql(e))?;
        configure(&conn).map_err(|e| self.sql(e))?;
        // The `status IN (…)` check builds a temporary index of its four values for
        // every row written (a third of the writer's time); the writer's statements
        // only ever write those values, as literals.
        conn.pragma_update(None, "ignore_check_constraints", true)
            .map_err(|e| self.sql(e))?;
        Ok(Writer::start(
            conn,
            self.path.clone(),
            endpoint.to_string(),
            run_id,
            keep_bodies,
        ))
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk before it returns, so a `pending` record survives even
    // a power cut before its request leaves. Commits are batched, so this is cheap.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // A sending run commits a batch of outcomes at a time; checkpointing the log into
    // the journal every 4 MiB (SQLite's default) wrote the same index pages to it again
    // and again. At 64 MiB a run of a million rows checkpoints a few times.
    conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
    Ok(())
}

#[cfg(test)]
mod tests;
