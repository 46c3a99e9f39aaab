//! What the journal costs a sending run.
//!
//! `cargo bench --bench journal_cost` — the sandbox in this process on `127.0.0.1:0`
//! with no latency and no rate limit, a customer file of `AKTAR_BENCH_JOURNAL_ROWS`
//! rows (default 100,000), and the release binary configured without a practical
//! rate limit. Three runs: a full send without the journal (`--no-journal`), the same
//! send with a fresh journal, and a delta run with the journal on the unchanged file
//! (nothing to send). Prints their times and the ratios.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use aktar::sandbox::{Options, creds};

mod common;

fn run(
    config: &Path,
    mapping: &Path,
    input: &Path,
    out: &Path,
    extra: &[&str],
) -> (Duration, serde_json::Value) {
    let _ = std::fs::remove_dir_all(out);
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_aktar"))
        .env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
        .env("ODUYO_SESSION", creds::ODUYO_SESSION)
        .args(["run", "--quiet", "--config"])
        .arg(config)
        .arg("-m")
        .arg(mapping)
        .arg("--report-dir")
        .arg(out)
        .args(extra)
        .arg(input)
        .status()
        .expect("run aktar");
    let took = started.elapsed();
    assert_eq!(status.code(), Some(0), "every row should be delivered");
    let summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    (took, summary)
}

fn main() {
    let rows: u64 = std::env::var("AKTAR_BENCH_JOURNAL_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/journal");
    let (input, mapping) = common::customers(&data, rows);
    let (rt, sb) = common::sandbox(Options::default());
    let state = data.join("state.db");
    let config = data.join("aktar.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.oduyo]\nbase_url = \"{}\"\napi_key = \"env:ODUYO_APIKEY\"\nsession = \"env:ODUYO_SESSION\"\nrate_limit = \"1000000/s\"\nconcurrency = 16\n\n[state]\npath = \"{}\"\n",
            sb.base_url(),
            state.display()
        ),
    )
    .expect("config");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", state.display()));
    }

    let (bare, s) = run(
        &config,
        &mapping,
        &input,
        &data.join("bare"),
        &["--no-journal"],
    );
    assert_eq!(s["sent"].as_u64(), Some(rows));
    let (journaled, s) = run(&config, &mapping, &input, &data.join("journaled"), &[]);
    assert_eq!(s["sent"].as_u64(), Some(rows));
    let (delta, s) = run(&config, &mapping, &input, &data.join("delta"), &[]);
    assert_eq!(s["unchanged"].as_u64(), Some(rows));
    rt.block_on(sb.stop());

    let secs = |d: Duration| d.as_secs_f64();
    println!("{rows} rows, sandbox without latency:");
    println!(
        "  full send, no journal:    {:.2} s ({:.0} rows/s)",
        secs(bare),
        rows as f64 / secs(bare)
    );
    println!(
        "  full send, journal:       {:.2} s ({:.0} rows/s) → {:.2}x the time without",
        secs(journaled),
        rows as f64 / secs(journaled),
        secs(journaled) / secs(bare)
    );
    println!(
        "  delta run, all unchanged: {:.2} s ({:.0} rows/s) → {:.2}x the full send's time",
        secs(delta),
        rows as f64 / secs(delta),
        secs(delta) / secs(journaled)
    );
}
