//! How close the sender comes to a provider's rate limit without going over it.
//!
//! `cargo bench --bench send_rate` — starts the sandbox in this process on
//! `127.0.0.1:0` with 20 ms latency and a 200/s limit, generates a customer file of
//! `AKTAR_BENCH_SEND_ROWS` rows (default 2,000), sends it with the release binary
//! configured for 200/s, and prints the achieved rate ÷ the configured rate and the
//! number of 429s the sandbox had to give.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use aktar::sandbox::{Options, creds};

mod common;

const RATE: u32 = 200;

fn main() {
    let rows: u64 = std::env::var("AKTAR_BENCH_SEND_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data/send");

    let (input, mapping) = common::customers(&data, rows);
    let (rt, sb) = common::sandbox(Options {
        latency: Duration::from_millis(20),
        rate_limit: Some(RATE),
        ..Options::default()
    });
    let config = data.join("aktar.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.oduyo]\nbase_url = \"{}\"\napi_key = \"env:ODUYO_APIKEY\"\nsession = \"env:ODUYO_SESSION\"\nrate_limit = \"{RATE}/s\"\nconcurrency = 8\n\n[state]\npath = \"{}\"\n",
            sb.base_url(),
            data.join("state.db").display()
        ),
    )
    .expect("config");

    // The same file through a dry run: what a run costs besides sending, subtracted
    // from the sending run to get the rate of the sending phase itself.
    let dry_out = data.join("dry");
    let _ = std::fs::remove_dir_all(&dry_out);
    let dry_started = Instant::now();
    let dry = Command::new(env!("CARGO_BIN_EXE_aktar"))
        .args(["check", "--quiet", "--config"])
        .arg(&config)
        .arg("-m")
        .arg(&mapping)
        .arg("--report-dir")
        .arg(&dry_out)
        .arg(&input)
        .status()
        .expect("dry run");
    let dry_wall = dry_started.elapsed();
    assert_eq!(dry.code(), Some(0));

    let out = data.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(data.join("state.db"));
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_aktar"))
        .env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
        .env("ODUYO_SESSION", creds::ODUYO_SESSION)
        .args(["run", "--quiet", "--config"])
        .arg(&config)
        .arg("-m")
        .arg(&mapping)
        .arg("--report-dir")
        .arg(&out)
        .arg(&input)
        .status()
        .expect("run aktar");
    let wall = started.elapsed();
    assert_eq!(status.code(), Some(0), "every row should be delivered");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    let stats = rt.block_on(sb.stats());
    rt.block_on(sb.stop());
    let sent = summary["sent"].as_u64().unwrap_or(0);
    let sending = (wall - dry_wall.min(wall)).as_secs_f64();
    let achieved = sent as f64 / sending;
    println!(
        "sent {sent} rows: run {:.2} s − dry run {:.2} s = {sending:.2} s sending: {achieved:.1} req/s against {RATE}/s configured → ratio {:.3}; 429s: {}",
        wall.as_secs_f64(),
        dry_wall.as_secs_f64(),
        achieved / f64::from(RATE),
        stats.rate_limited
    );
}
