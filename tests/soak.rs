//! The soak in small, for CI: 3,000 transactions to the sandbox with 15% faults and a
//! rate limit, one SIGKILL part-way, the uncertain settled by the ledger, and then:
//! every transaction arrived exactly once, the journal's `sent` are the ledger's keys,
//! every row of every finished run is in one bucket. `benches/soak.rs` is the same at
//! 200,000 rows with two kills. Each run of aktar is started through
//! `long_run::launcher` (this test binary started again to run only [`launcher`]), so
//! that its peak memory is aktar's own.

mod long_run;

use long_run::{Plan, soak};
use tempfile::TempDir;

#[test]
fn three_thousand_transactions_with_faults_and_a_kill_arrive_exactly_once() {
    let dir = TempDir::new().unwrap();
    let rows = 3_000;
    let report = soak(&Plan {
        rows,
        kills: vec![rows as u64 / 3],
        fail_rate: 0.15,
        seed: 2026,
        rate: 2_000,
        concurrency: 8,
        dir: dir.path().to_path_buf(),
        relaunch: &["launcher", "--exact", "--quiet", "--test-threads=1"],
    });
    report.print();
    report.check();
}

/// Not a test of its own: the launcher through which the soak starts aktar. Returns at
/// once unless this binary was started as one (see `long_run::launcher`).
#[test]
fn launcher() {
    long_run::launcher::serve();
}
