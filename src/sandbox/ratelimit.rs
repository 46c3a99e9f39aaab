//! The sandbox's rate limit: GCRA (the generic cell rate algorithm, the same family as
//! the sender's `governor`), over all write endpoints together.
//!
//! GCRA keeps one instant (the theoretical arrival time of the next request) instead
//! of a counter per window, so there is no window edge where twice the rate gets
//! through. The burst allowance (a tenth of the rate, at least one request) exists
//! because a client that paces itself at exactly the rate still sends some requests a
//! little early: timer jitter and the network shift arrivals, and a limiter with no
//! slack would punish a correct client.

use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct Gcra {
    /// The time one request "costs": 1 / rate.
    interval: Duration,
    /// How far ahead of now the theoretical arrival time may run: the burst.
    tolerance: Duration,
    tat: Instant,
}

impl Gcra {
    /// `per_second` of 0 is taken as 1: a limit that lets nothing through would only
    /// hang a client, and no provider has one.
    pub fn new(per_second: u32, now: Instant) -> Gcra {
        let rate = per_second.max(1);
        let interval = Duration::from_secs(1) / rate;
        let burst = (rate / 10).max(1);
        Gcra {
            interval,
            tolerance: interval * burst,
            tat: now,
        }
    }

    /// Takes one request's place, or says how long to wait before one would fit.
    pub fn check(&mut self, now: Instant) -> Result<(), Duration> {
        let tat = self.tat.max(now);
        let ahead = tat - now;
        if ahead > self.tolerance {
            return Err(ahead - self.tolerance);
        }
        self.tat = tat + self.interval;
        Ok(())
    }

    /// `Retry-After` in whole seconds: rounded up, and at least 1, since 0 would invite
    /// an immediate retry that is refused again.
    pub fn retry_after_secs(wait: Duration) -> u64 {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        secs.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refuses_until_time_passes() {
        let t0 = Instant::now();
        let mut g = Gcra::new(20, t0);
        // Burst 2 (20/10) plus the request the rate itself allows.
        for _ in 0..3 {
            assert!(g.check(t0).is_ok());
        }
        let wait = g.check(t0).expect_err("fourth at once is over the limit");
        assert_eq!(wait, Duration::from_millis(50));
        assert!(g.check(t0 + wait).is_ok());
    }

    #[test]
    fn a_client_at_exactly_the_rate_with_jitter_is_never_refused() {
        let t0 = Instant::now();
        let mut g = Gcra::new(10, t0);
        for i in 0..100u32 {
            // ±20 ms around the ideal 100 ms spacing.
            let jitter = if i % 2 == 0 { 20 } else { 0 };
            let at =
                t0 + Duration::from_millis(u64::from(i) * 100 + 20) - Duration::from_millis(jitter);
            assert!(g.check(at).is_ok(), "request {i} refused");
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(Gcra::retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(Gcra::retry_after_secs(Duration::ZERO), 1);
        assert_eq!(Gcra::retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(Gcra::retry_after_secs(Duration::from_secs(3)), 3);
    }
}
