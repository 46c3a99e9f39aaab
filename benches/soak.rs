//! A long sending run under faults, kills and a rate limit, and what it leaves behind.
//!
//! `cargo bench --bench soak` — generates `AKTAR_BENCH_SOAK_ROWS` transactions
//! (default 200,000) under `target/bench-data/soak/`, starts the sandbox in this process
//! on `127.0.0.1:0` with 15% injected faults and a limit of `AKTAR_BENCH_SOAK_RATE`
//! requests a second (default 2,000, the client configured the same), and sends them
//! with the release binary: killed with SIGKILL when a third and when two thirds of
//! the rows have reached the sandbox, run again after every kill or abort, the
//! uncertain posts settled by the sandbox's ledger after each run that ended by itself,
//! until a run finds every row sent. Prints the rows, the faults injected (from the
//! sandbox's stats), the writes and keys in its ledger, the keys written twice (must
//! be 0), the journal's buckets, and each run's exit, time, peak resident memory and
//! buckets; then checks them (see `tests/long_run`). Each run of aktar is started
//! through `long_run::launcher` (this bench started again), so that its peak memory is
//! aktar's own and not this process's, which holds the sandbox.

use std::path::PathBuf;
use std::time::Instant;

#[path = "../tests/long_run/mod.rs"]
mod long_run;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    long_run::launcher::serve();
    let rows: usize = env_or("AKTAR_BENCH_SOAK_ROWS", 200_000);
    let rate: u32 = env_or("AKTAR_BENCH_SOAK_RATE", 2_000);
    let plan = long_run::Plan {
        rows,
        kills: vec![rows as u64 / 3, rows as u64 * 2 / 3],
        fail_rate: 0.15,
        seed: 2026,
        rate,
        concurrency: 8,
        dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/soak"),
        relaunch: &[],
    };
    println!(
        "soak: {rows} transactions, 15% faults, {rate}/s, concurrency {}, SIGKILL at {:?} rows arrived",
        plan.concurrency, plan.kills
    );
    let started = Instant::now();
    let report = long_run::soak(&plan);
    report.print();
    let peaks: Vec<u64> = report.runs.iter().map(|r| r.peak_rss_kib).collect();
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "peak RSS over {} runs: {:.1}–{:.1} MiB; soak took {:.0} s",
        peaks.len(),
        mib(peaks.iter().copied().min().unwrap_or(0)),
        mib(peaks.iter().copied().max().unwrap_or(0)),
        started.elapsed().as_secs_f64()
    );
    report.check();
    println!("checked: every row sent exactly once, sent = ledger keys, no doubles");
}
