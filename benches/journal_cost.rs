//! What the journal costs a sending run.
//!
//! `cargo bench --bench journal_cost` — the sandbox in this process on `127.0.0.1:0`
//! with no latency and no rate limit, a customer file of `AKTAR_BENCH_JOURNAL_ROWS`
//! rows (default 100,000; `AKTAR_BENCH_JOURNAL_ROWS=1000000` for the delta run over a
//! million rows, best with `AKTAR_BENCH_REPEAT=1`), and the release binary configured
//! without a practical rate limit (16 requests in flight). Three runs, each a child
//! process measured for wall time and its own peak resident memory (`wait4`, through
//! the small launcher of `benches/child`, so that the sandbox's growth in this process
//! is not counted as theirs): a full send without the journal (`--no-journal`), the
//! same send with a fresh journal, and a delta run with the journal on the unchanged
//! file (nothing to send). They are run in turns, each round with a fresh journal,
//! `AKTAR_BENCH_REPEAT` times (default 3), the send without the journal first in the
//! first, third, … rounds and last in the others. Prints each run's time, rows/s and peak RSS,
//! then each one's fastest time and largest peak, the ratio with journal ÷ without —
//! of the fastest runs, and each round's own with their median (target ≤ 1.1: one
//! outlier fast run without the journal moves the first, not the second), for the wall
//! time and for the CPU time aktar used — and the delta run's time (target at
//! 1,000,000 rows: under 5 s).

use std::path::{Path, PathBuf};
use std::process::Command;

use aktar::sandbox::{Options, creds};

mod child;
mod common;

fn run(
    config: &Path,
    mapping: &Path,
    input: &Path,
    out: &Path,
    extra: &[&str],
) -> (child::Run, serde_json::Value) {
    let _ = std::fs::remove_dir_all(out);
    let r = child::run(
        Command::new(env!("CARGO_BIN_EXE_aktar"))
            .env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
            .env("ODUYO_SESSION", creds::ODUYO_SESSION)
            .args(["run", "--quiet", "--config"])
            .arg(config)
            .arg("-m")
            .arg(mapping)
            .arg("--report-dir")
            .arg(out)
            .args(extra)
            .arg(input),
    );
    // Passed on, as an inherited stdout would.
    print!("{}", r.stdout);
    assert_eq!(r.exit, Some(0), "every row should be delivered");
    let summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    (r, summary)
}

fn main() {
    child::serve();
    let rows: u64 = std::env::var("AKTAR_BENCH_JOURNAL_ROWS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
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
    let fresh_journal = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", state.display()));
        }
    };

    let line = |what: &str, r: &child::Run| {
        println!(
            "  {what:<26}{:>7.2} s, {:>7.0} rows/s, CPU {:>6.2} s, peak RSS {:>7.1} MiB",
            r.seconds,
            rows as f64 / r.seconds,
            r.cpu,
            r.peak_mib()
        )
    };
    // Taken in turns, so that a busy moment of the machine falls on all three.
    let repeat = child::repeat();
    println!("{rows} rows, sandbox without latency, {repeat} rounds:");
    let (mut bares, mut journaleds, mut deltas) = (Vec::new(), Vec::new(), Vec::new());
    // Each round's journaled send ÷ its send without the journal: the two ran within
    // seconds of each other, so a busy spell of the machine weighs on both.
    let mut ratios: Vec<f64> = Vec::new();
    // The same for the CPU time aktar used: its own cost, which the machine's other
    // work (the sandbox in this process among it) moves far less than its wall time.
    let mut cpu_ratios: Vec<f64> = Vec::new();
    for round in 0..repeat {
        fresh_journal();
        let bare_run = || {
            let (bare, s) = run(
                &config,
                &mapping,
                &input,
                &data.join("bare"),
                &["--no-journal"],
            );
            assert_eq!(s["sent"].as_u64(), Some(rows));
            line("full send, no journal:", &bare);
            bare
        };
        // Every other round sends without the journal last, so that neither send is
        // always the first on a fresh sandbox.
        if round % 2 == 0 {
            bares.push(bare_run());
        }
        let (journaled, s) = run(&config, &mapping, &input, &data.join("journaled"), &[]);
        assert_eq!(s["sent"].as_u64(), Some(rows));
        line("full send, journal:", &journaled);
        let (delta, s) = run(&config, &mapping, &input, &data.join("delta"), &[]);
        assert_eq!(s["unchanged"].as_u64(), Some(rows));
        line("delta run, all unchanged:", &delta);
        if round % 2 == 1 {
            bares.push(bare_run());
        }
        ratios.push(journaled.seconds / bares[round].seconds);
        cpu_ratios.push(journaled.cpu / bares[round].cpu);
        journaleds.push(journaled);
        deltas.push(delta);
    }
    rt.block_on(sb.stop());

    let bare = child::best(bares);
    let journaled = child::best(journaleds);
    let delta = child::best(deltas);
    println!("best of {repeat}:");
    line("full send, no journal:", &bare);
    line("full send, journal:", &journaled);
    line("delta run, all unchanged:", &delta);
    println!(
        "  journal ÷ no journal, best ÷ best: {:.2}",
        journaled.seconds / bare.seconds
    );
    for (what, ratios) in [("time", &mut ratios), ("CPU", &mut cpu_ratios)] {
        let rounds: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  journal ÷ no journal, {what}, round by round: {}; median {:.2} (target ≤ 1.1)",
            rounds.join(", "),
            ratios[ratios.len() / 2]
        );
    }
    println!(
        "  delta run: {:.2} s, {:.2}x the journaled send's time (target at 1,000,000 rows: under 5 s)",
        delta.seconds,
        delta.seconds / journaled.seconds
    );
}
