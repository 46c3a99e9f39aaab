//! Settling uncertain posts. What `aktar journal reconcile` reads from the journal and
//! writes back: the posts of an endpoint whose outcome is unknown, with the payload
//! each was sent with, the posts the provider is known to hold, and the settling of one
//! uncertain post; and `aktar journal resolve`, a person's word on keys.

use rusqlite::params;

use super::{Entry, Journal, JournalError, Status, now};

/// An uncertain post (or one left `pending` by a run that died), with its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsettled {
    pub key: String,
    pub status: String,
    /// The body as it was sent; `None` when the journal has none for it.
    pub body: Option<String>,
    pub last_at: String,
}

/// A post the provider accepted: its payload and its number, if known.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub key: String,
    pub body: Option<String>,
    pub provider_ref: Option<String>,
}

/// What a statement says of an uncertain post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// On the statement: never post it again.
    Sent { provider_ref: Option<String> },
    /// Not on a statement that covers its date: the next run posts it.
    Unsent,
}

impl Journal {
    /// The posts of `endpoint` whose outcome is unknown: uncertain, a status this aktar
    /// does not know (which reads as uncertain), or pending. Only call it with no run
    /// sending ([`super::RunLock`] held): a run's pending is in flight.
    pub fn unsettled(&self, endpoint: &str) -> Result<Vec<Unsettled>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT key, status, pending_body, last_at FROM entries
                 WHERE endpoint = ?1 AND status <> 'sent' AND status <> 'failed' ORDER BY key",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![endpoint], |r| {
                Ok(Unsettled {
                    key: r.get(0)?,
                    status: r.get(1)?,
                    body: r.get(2)?,
                    last_at: r.get(3)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        let all = rows
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(all
            .into_iter()
            .filter(|u| {
                matches!(
                    Status::parse(&u.status),
                    Status::Uncertain | Status::Pending
                )
            })
            .collect())
    }

    /// Every post of `endpoint` the provider accepted.
    pub fn accepted(&self, endpoint: &str) -> Result<Vec<Accepted>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT key, body, provider_ref FROM entries
                 WHERE endpoint = ?1 AND status = 'sent' ORDER BY key",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![endpoint], |r| {
                Ok(Accepted {
                    key: r.get(0)?,
                    body: r.get(1)?,
                    provider_ref: r.get(2)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// Settles one post still in the state `status` it was read in; false when it has
    /// changed since (then nothing is written). `why` is kept as the entry's message.
    pub fn settle(
        &self,
        endpoint: &str,
        key: &str,
        status: &str,
        how: &Settlement,
        why: &str,
    ) -> Result<bool, JournalError> {
        let n = match how {
            Settlement::Sent { provider_ref } => self.conn.execute(
                "UPDATE entries SET status = 'sent', hash = COALESCE(pending_hash, hash),
                 body = COALESCE(pending_body, body), pending_hash = NULL, pending_body = NULL,
                 provider_ref = COALESCE(?4, provider_ref), message = ?5, last_at = ?6
                 WHERE endpoint = ?1 AND key = ?2 AND status = ?3",
                params![endpoint, key, status, provider_ref, why, now()],
            ),
            Settlement::Unsent => self.conn.execute(
                "UPDATE entries SET status = 'failed', pending_hash = NULL, pending_body = NULL,
                 message = ?4, last_at = ?5
                 WHERE endpoint = ?1 AND key = ?2 AND status = ?3",
                params![endpoint, key, status, why, now()],
            ),
        }
        .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Settles each `(key, status read, how, why)` in one transaction; returns how many
    /// were still in the status they were read in.
    pub fn settle_all(
        &self,
        endpoint: &str,
        items: &[(&str, &str, Settlement, String)],
    ) -> Result<usize, JournalError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        let mut n = 0;
        for (key, status, how, why) in items {
            if self.settle(endpoint, key, status, how, why)? {
                n += 1;
            }
        }
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(n)
    }
}

/// A person checked the provider and says how uncertain posts ended.
impl Journal {
    /// [`Journal::resolve`] for several keys with one outcome, in one transaction: the
    /// entries settled, and why each of the others could not be.
    pub fn resolve_many(
        &self,
        endpoint: Option<&str>,
        keys: &[String],
        sent: bool,
    ) -> Result<(Vec<Entry>, Vec<JournalError>), JournalError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        let mut settled = Vec::with_capacity(keys.len());
        let mut refused = Vec::new();
        for key in keys {
            match self.resolve(endpoint, key, sent) {
                Ok(e) => settled.push(e),
                Err(e @ JournalError::Sql { .. }) => return Err(e),
                Err(e) => refused.push(e),
            }
        }
        tx.commit().map_err(|e| self.sql(e))?;
        Ok((settled, refused))
    }

    /// A person checked the provider: an uncertain post did (`sent`) or did not
    /// (`unsent`, so the next run posts it) go through.
    pub fn resolve(
        &self,
        endpoint: Option<&str>,
        key: &str,
        sent: bool,
    ) -> Result<Entry, JournalError> {
        let found = self.entries(None, endpoint, Some(key), None)?;
        let entry = match found.as_slice() {
            [] => return Err(JournalError::NotFound { key: key.into() }),
            [one] => one.clone(),
            many => {
                return Err(JournalError::Ambiguous {
                    key: key.into(),
                    endpoints: many
                        .iter()
                        .map(|e| e.endpoint.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };
        if Status::parse(&entry.status) != Status::Uncertain {
            return Err(JournalError::NotUncertain {
                key: key.into(),
                endpoint: entry.endpoint,
                status: entry.status,
            });
        }
        let sql = if sent {
            "UPDATE entries SET status = 'sent', hash = COALESCE(pending_hash, hash),
             body = COALESCE(pending_body, body),
             pending_hash = NULL, pending_body = NULL, message = 'resolved: sent', last_at = ?3
             WHERE endpoint = ?1 AND key = ?2"
        } else {
            "UPDATE entries SET status = 'failed', pending_hash = NULL, pending_body = NULL,
             message = 'resolved: not sent', last_at = ?3
             WHERE endpoint = ?1 AND key = ?2"
        };
        self.conn
            .execute(sql, params![entry.endpoint, key, now()])
            .map_err(|e| self.sql(e))?;
        let mut after = self.entries(None, Some(&entry.endpoint), Some(key), None)?;
        after
            .pop()
            .ok_or(JournalError::NotFound { key: key.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Outcome;

    #[test]
    fn uncertain_and_pending_posts_are_listed_and_settled() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("state.db")).unwrap();
        let ep = "oduyo.transaction_create";
        let w = j.writer(ep, 1, true).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(w.pending("P", 3, "{\"p\":1}")).unwrap();
        let uncertain = |attempts| Outcome::Uncertain {
            attempts,
            message: "timeout".into(),
        };
        w.done("U1", 1, "{\"u\":1}", uncertain(1)).unwrap();
        w.done("U2", 2, "{\"u\":2}", uncertain(1)).unwrap();
        let sent = Outcome::Sent {
            attempts: 1,
            status: 200,
            reference: Some("000000007".into()),
        };
        w.done("S", 4, "{\"s\":1}", sent).unwrap();
        w.finish().unwrap();

        let open = j.unsettled(ep).unwrap();
        let keys: Vec<_> = open
            .iter()
            .map(|u| (u.key.as_str(), u.status.as_str()))
            .collect();
        assert_eq!(
            keys,
            [("P", "pending"), ("U1", "uncertain"), ("U2", "uncertain")]
        );
        assert_eq!(open[1].body.as_deref(), Some("{\"u\":1}"));
        let accepted = j.accepted(ep).unwrap();
        assert_eq!(accepted.len(), 1);
        assert_eq!(accepted[0].provider_ref.as_deref(), Some("000000007"));
        assert_eq!(accepted[0].body.as_deref(), Some("{\"s\":1}"));

        let found = Settlement::Sent {
            provider_ref: Some("000000009".into()),
        };
        assert!(
            j.settle(ep, "U1", "uncertain", &found, "on the statement")
                .unwrap()
        );
        assert!(
            j.settle(ep, "U2", "uncertain", &Settlement::Unsent, "absent")
                .unwrap()
        );
        // Read as uncertain, but it changed since: left alone.
        assert!(
            !j.settle(ep, "P", "uncertain", &Settlement::Unsent, "x")
                .unwrap()
        );

        let e = |key| {
            j.entries(None, Some(ep), Some(key), None)
                .unwrap()
                .remove(0)
        };
        let u1 = e("U1");
        assert_eq!(
            (
                u1.status.as_str(),
                u1.provider_ref.as_deref(),
                u1.message.as_deref()
            ),
            ("sent", Some("000000009"), Some("on the statement"))
        );
        assert_eq!(
            u1.hash,
            Some(crate::journal::hex(1)),
            "the payload that was sent"
        );
        assert_eq!(
            j.accepted_body(ep, "U1").unwrap().as_deref(),
            Some("{\"u\":1}")
        );
        let u2 = e("U2");
        assert_eq!((u2.status.as_str(), u2.pending_hash), ("failed", None));
        assert_eq!(e("P").status, "pending");
    }
}
