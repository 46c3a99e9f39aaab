//! Injected faults: which write requests misbehave, and how.
//!
//! The draw is a hash of (seed, endpoint id, ledger key, n), where n counts the
//! requests that key has had so far. Not a random generator advanced per request:
//! a sender works in parallel, so arrival order changes from run to run, and a fault
//! sequence tied to arrival order would make a failing test impossible to replay.
//! Tied to the key instead, the same seed gives every key the same fate in every
//! run, and a retry of that key (n + 1) gets a fresh draw.

use std::fmt;

/// A kind of injected fault, as counted in [`super::Stats::faults`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// 500, not applied.
    Error500,
    /// 503, not applied.
    Unavailable503,
    /// Applied, then the answer is held for `slow` (beyond a client's timeout).
    Slow,
    /// Not applied; the connection is closed without an answer.
    DropBefore,
    /// Applied; the connection is closed without an answer.
    DropAfter,
    /// 401 as if the session or token had expired, which it now has; not applied.
    Expired,
}

impl Fault {
    /// Every kind, in the order the draw indexes them.
    pub const ALL: [Fault; 6] = [
        Fault::Error500,
        Fault::Unavailable503,
        Fault::Slow,
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::Expired,
    ];

    /// The name in `/_stats`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Error500 => "error_500",
            Fault::Unavailable503 => "unavailable_503",
            Fault::Slow => "slow",
            Fault::DropBefore => "drop_before",
            Fault::DropAfter => "drop_after",
            Fault::Expired => "expired",
        }
    }

    /// Whether the write is applied before the fault shows.
    pub fn applies(self) -> bool {
        matches!(self, Fault::Slow | Fault::DropAfter)
    }

    /// The fault (if any) the `n`th request (from 0) for `key` on `endpoint` meets.
    pub fn draw(seed: u64, endpoint: &str, key: &str, n: u64, fail_rate: f64) -> Option<Fault> {
        let mut h = blake3::Hasher::new_derive_key("aktar sandbox faults v1");
        h.update(&seed.to_le_bytes());
        // Lengths first, so that ("a", "bc") and ("ab", "c") hash apart.
        for part in [endpoint, key] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(&n.to_le_bytes());
        let out = h.finalize();
        let bytes = out.as_bytes();
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        // 53 bits: exactly what an f64 holds, so the fraction is uniform in [0, 1).
        let fraction = (word(0) >> 11) as f64 / (1u64 << 53) as f64;
        if fraction >= fail_rate {
            return None;
        }
        // The kind from other bits of the same hash: independent of whether it
        // faulted, and equally likely (the modulo bias over 2^64 is negligible).
        let index = (word(1) % Fault::ALL.len() as u64) as usize;
        Fault::ALL.get(index).copied()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_zero_and_one_are_never_and_always() {
        for n in 0..200 {
            let key = n.to_string();
            assert_eq!(Fault::draw(1, "e", &key, 0, 0.0), None);
            assert!(Fault::draw(1, "e", &key, 0, 1.0).is_some());
        }
    }

    #[test]
    fn the_draw_depends_on_seed_key_and_attempt_only() {
        let a: Vec<_> = (0..50).map(|n| Fault::draw(7, "ep", "k", n, 0.5)).collect();
        let b: Vec<_> = (0..50).map(|n| Fault::draw(7, "ep", "k", n, 0.5)).collect();
        assert_eq!(a, b);
        let other_seed: Vec<_> = (0..50).map(|n| Fault::draw(8, "ep", "k", n, 0.5)).collect();
        assert_ne!(a, other_seed);
    }

    #[test]
    fn the_rate_is_roughly_honoured_and_every_kind_occurs() {
        let mut faulty = 0;
        let mut kinds = std::collections::BTreeMap::new();
        for i in 0..6000 {
            if let Some(f) = Fault::draw(1, "ep", &i.to_string(), 0, 0.25) {
                faulty += 1;
                *kinds.entry(f).or_insert(0) += 1;
            }
        }
        assert!((1300..1700).contains(&faulty), "{faulty}");
        assert_eq!(kinds.len(), 6);
        assert!(kinds.values().all(|&c| c > 150), "{kinds:?}");
    }
}
