//! The journal's say over each request of a sending run: send it, skip it as
//! unchanged, hold it (an earlier post's outcome is unknown), or refuse it (a posted
//! transaction whose row has changed since).

use std::sync::Mutex;

use serde_json::Value as Json;

use super::{Journal, Known, Snapshot, Status, Writer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    Unchanged,
    /// Reported as uncertain again until `aktar journal resolve`.
    Held(String),
    /// Reported in `failed.csv` as `changed_after_posting`.
    Changed(String),
}

pub struct Gate {
    pub snapshot: Snapshot,
    pub writer: Writer,
    pub journal: Mutex<Journal>,
    pub endpoint: &'static str,
    pub idempotent: bool,
    /// `--full`: resend updates even when unchanged (never transactions).
    pub full: bool,
}

/// The digest a payload is known by: method, URL and body.
pub fn payload_hash(method: &str, url: &str, body: &str) -> u128 {
    let mut h = blake3::Hasher::new();
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(url.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.finalize().as_bytes()[..16]);
    u128::from_le_bytes(b)
}

/// The decision from what is known of a key.
pub fn decide(known: Option<&Known>, idempotent: bool, full: bool, hash: u128) -> Decision {
    let Some(k) = known else {
        return Decision::Send;
    };
    if idempotent {
        // Only a payload the provider is known to hold now is skipped: after a failed
        // (or unknown) update it may hold something else.
        return if !full && k.status == Status::Sent && k.hash == Some(hash) {
            Decision::Unchanged
        } else {
            Decision::Send
        };
    }
    match k.status {
        Status::Sent if k.hash == Some(hash) => Decision::Unchanged,
        Status::Sent => Decision::Changed(String::new()),
        Status::Uncertain | Status::Pending => Decision::Held(
            "held: an earlier post of this row has an unknown outcome; check the provider and run `aktar journal resolve KEY --as sent|unsent`"
                .into(),
        ),
        Status::Failed => Decision::Send,
    }
}

impl Gate {
    /// The decision for a payload known by `hash`; `body` (its JSON text) is read only
    /// to say what changed in a posted transaction.
    pub fn decide(&self, key: &str, hash: u128, body: &str) -> Decision {
        let known = self.snapshot.get(crate::validate::key_hash(key));
        match decide(known.as_ref(), self.idempotent, self.full, hash) {
            Decision::Changed(_) => {
                let old = self
                    .journal
                    .lock()
                    .ok()
                    .and_then(|j| j.accepted_body(self.endpoint, key).ok().flatten())
                    .and_then(|b| serde_json::from_str::<Json>(&b).ok());
                let new = serde_json::from_str::<Json>(body).unwrap_or(Json::Null);
                Decision::Changed(changed_message(old.as_ref(), &new))
            }
            d => d,
        }
    }
}

/// `changed_after_posting: amount 1500.50 → 1600.00; date 2026.11.03 → 2026.11.04`.
pub fn changed_message(old: Option<&Json>, new: &Json) -> String {
    let fields = |j: &Json| -> Vec<(String, String)> {
        let obj = j.get("column").unwrap_or(j);
        obj.as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_string),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut diffs = Vec::new();
    if let Some(old) = old {
        let (o, n) = (fields(old), fields(new));
        for (k, nv) in &n {
            let ov = o
                .iter()
                .find(|(ok, _)| ok == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if ov != nv {
                diffs.push(format!("{k} {ov} → {nv}"));
            }
        }
    }
    if diffs.is_empty() {
        "changed_after_posting: the row changed after it was posted; it is not posted again".into()
    } else {
        format!(
            "changed_after_posting: posted earlier, the row has changed since ({}); it is not posted again",
            diffs.join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(status: Status, hash: u128) -> Known {
        Known {
            status,
            hash: Some(hash),
        }
    }

    #[test]
    fn updates_skip_what_is_unchanged_unless_full() {
        assert_eq!(decide(None, true, false, 1), Decision::Send);
        assert_eq!(
            decide(Some(&known(Status::Sent, 1)), true, false, 1),
            Decision::Unchanged
        );
        assert_eq!(
            decide(Some(&known(Status::Sent, 1)), true, true, 1),
            Decision::Send
        );
        assert_eq!(
            decide(Some(&known(Status::Sent, 1)), true, false, 2),
            Decision::Send
        );
        // After a failed update the provider may hold something else: send again.
        assert_eq!(
            decide(Some(&known(Status::Failed, 1)), true, false, 1),
            Decision::Send
        );
    }

    #[test]
    fn transactions_are_posted_once_ever() {
        assert_eq!(
            decide(Some(&known(Status::Sent, 1)), false, true, 1),
            Decision::Unchanged
        );
        assert!(matches!(
            decide(Some(&known(Status::Sent, 1)), false, true, 2),
            Decision::Changed(_)
        ));
        assert!(matches!(
            decide(Some(&known(Status::Uncertain, 1)), false, false, 1),
            Decision::Held(_)
        ));
        assert!(matches!(
            decide(Some(&known(Status::Pending, 1)), false, false, 1),
            Decision::Held(_)
        ));
        assert_eq!(
            decide(Some(&known(Status::Failed, 1)), false, false, 1),
            Decision::Send
        );
    }

    #[test]
    fn a_status_this_aktar_does_not_know_holds_a_transaction() {
        let status = Status::parse("archived");
        assert_eq!(status, Status::Uncertain);
        assert!(matches!(
            decide(Some(&known(status, 1)), false, false, 1),
            Decision::Held(_)
        ));
        assert!(matches!(
            decide(Some(&known(status, 1)), false, true, 2),
            Decision::Held(_)
        ));
        assert_eq!(Status::parse("failed"), Status::Failed);
    }

    #[test]
    fn the_change_message_names_old_and_new_values() {
        let old =
            serde_json::json!({"column": {"amount": "1500.50", "sign": "1", "date": "2026.11.03"}});
        let new =
            serde_json::json!({"column": {"amount": "1600.00", "sign": "1", "date": "2026.11.03"}});
        assert_eq!(
            changed_message(Some(&old), &new),
            "changed_after_posting: posted earlier, the row has changed since (amount 1500.50 → 1600.00); it is not posted again"
        );
    }
}
