//! A soak: one transaction export sent to the sandbox with faults injected and a rate
//! limit, the sending run killed with SIGKILL at chosen moments and started again,
//! then the uncertain posts settled as a person would (by the provider's ledger) until
//! a run finds everything sent. What it proves is read from the sandbox's ledger and
//! the journal: every transaction arrived exactly once, and the journal says `sent`
//! for exactly the keys the provider holds.
//!
//! Shared by `tests/soak.rs` (small, in CI) and `benches/soak.rs` (200,000 rows).
//! Each run's peak resident memory is the kernel's own figure for that process
//! (`wait4`'s `ru_maxrss`), so a killed run is measured as well as a finished one; aktar
//! is started through [`launcher`] so that the figure is aktar's and not the soak's
//! own process's, which holds the sandbox.

#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;
pub mod launcher;
pub mod reap;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aktar::sandbox::{Ledger, Options, Stats, creds};
use common::Sandbox;

pub const ENDPOINT: &str = "oduyo.transaction_create";

/// What to run.
pub struct Plan {
    pub rows: usize,
    /// When to kill a run: after this many transactions have reached the sandbox in
    /// all (one kill each, in order).
    pub kills: Vec<u64>,
    pub fail_rate: f64,
    pub seed: u64,
    /// Requests per second, the sandbox's limit and the client's.
    pub rate: u32,
    pub concurrency: usize,
    /// Where the export, the journal and the reports go.
    pub dir: PathBuf,
    /// The arguments with which this executable, started again, reaches
    /// [`launcher::serve`].
    pub relaunch: &'static [&'static str],
}

/// One run of the binary.
pub struct RunFigures {
    pub what: String,
    /// None when it was killed.
    pub exit: Option<i32>,
    pub peak_rss_kib: u64,
    pub seconds: f64,
    /// Its summary.json, when it finished.
    pub summary: Option<serde_json::Value>,
}

/// What a soak leaves behind.
pub struct Report {
    pub rows: usize,
    pub kills: usize,
    /// The peak resident memory of a dry run of the same export, in KiB: what reading
    /// and checking the rows costs, against which the sending runs' peaks are read.
    pub dry_run_peak_kib: u64,
    pub runs: Vec<RunFigures>,
    pub stats: Stats,
    /// Applied writes per ledger key.
    pub key_writes: BTreeMap<String, u64>,
    /// Applied writes per Fiş No (the first word of the comment): a transaction posted
    /// twice counts 2 here even if the two bodies differed.
    pub fis_writes: BTreeMap<String, u64>,
    /// Journal entries per status.
    pub journal: BTreeMap<String, u64>,
    /// Uncertain posts settled as sent and as unsent.
    pub resolved: (u64, u64),
}

impl Report {
    pub fn keys(&self) -> u64 {
        self.key_writes.len() as u64
    }

    pub fn writes(&self) -> u64 {
        self.key_writes.values().sum()
    }

    /// Keys (or Fiş Nos) written more than once.
    pub fn doubles(&self) -> u64 {
        let keys = self.key_writes.values().filter(|n| **n > 1).count();
        let fis = self.fis_writes.values().filter(|n| **n > 1).count();
        keys.max(fis) as u64
    }

    pub fn faults(&self) -> u64 {
        self.stats.faults.values().sum()
    }

    /// Every invariant of the soak; panics naming the first one broken.
    pub fn check(&self) {
        let rows = self.rows as u64;
        assert!(self.faults() > 0, "faults were injected: {:?}", self.stats);
        assert_eq!(
            self.runs.iter().filter(|r| r.exit.is_none()).count(),
            self.kills,
            "a run was killed at each mark"
        );
        assert_eq!(self.doubles(), 0, "no transaction is posted twice");
        assert_eq!(self.keys(), rows, "every transaction arrived");
        assert_eq!(self.fis_writes.len() as u64, rows, "one key per row");
        assert_eq!(
            self.stats.writes,
            self.writes(),
            "the ledger has every write"
        );
        let sent = self.journal.get("sent").copied().unwrap_or(0);
        assert_eq!(
            sent,
            self.keys(),
            "the journal's sent are the ledger's keys"
        );
        assert_eq!(
            self.journal.values().sum::<u64>(),
            sent,
            "nothing else is left in the journal: {:?}",
            self.journal
        );
        for r in &self.runs {
            if let Some(s) = &r.summary {
                assert_adds_up(s);
                assert_eq!(s["rows"].as_u64(), Some(rows), "{}: {s}", r.what);
                assert_eq!(s["held"].as_u64(), Some(0), "{}: {s}", r.what);
            }
        }
        let last = self.runs.last().expect("runs");
        assert_eq!(last.exit, Some(0), "the last run finds everything sent");
        let s = last.summary.as_ref().expect("the last run's summary");
        let n = |k: &str| s[k].as_u64().unwrap_or(0);
        assert_eq!(n("sent") + n("unchanged"), rows, "{s}");
    }

    pub fn print(&self) {
        let s = &self.stats;
        println!("rows      {}", self.rows);
        println!(
            "requests  {} ({} 429s, {} logins)",
            s.requests, s.rate_limited, s.logins
        );
        println!("faults    {} {:?}", self.faults(), s.faults);
        println!("writes    {}", self.writes());
        println!("keys      {}", self.keys());
        println!("doubles   {}", self.doubles());
        println!(
            "resolved  {} sent, {} unsent (uncertain posts settled by the ledger)",
            self.resolved.0, self.resolved.1
        );
        println!("journal   {:?}", self.journal);
        let peak = self.runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0);
        println!(
            "memory    peak RSS {:.1} MiB at most over {} runs; a dry run of the same rows {:.1} MiB",
            peak as f64 / 1024.0,
            self.runs.len(),
            self.dry_run_peak_kib as f64 / 1024.0
        );
        println!("runs:");
        for r in &self.runs {
            let exit = r.exit.map_or("killed".to_owned(), |c| format!("exit {c}"));
            let buckets = r.summary.as_ref().map_or(String::new(), |s| {
                let n = |k: &str| s[k].as_u64().unwrap_or(0);
                format!(
                    "valid {} = sent {} + unchanged {} + failed {} + uncertain {} + held {}",
                    n("valid"),
                    n("sent"),
                    n("unchanged"),
                    n("failed"),
                    n("uncertain"),
                    n("held")
                )
            });
            println!(
                "  {:<22} {:>7}  {:>7.1} s  peak RSS {:>6.1} MiB  {buckets}",
                r.what,
                exit,
                r.seconds,
                r.peak_rss_kib as f64 / 1024.0
            );
        }
    }
}

/// Every row in one bucket.
pub fn assert_adds_up(s: &serde_json::Value) {
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k} in {s}"));
    assert_eq!(n("rows"), n("valid") + n("rejected"), "{s}");
    assert_eq!(
        n("valid"),
        n("sent") + n("unchanged") + n("failed") + n("uncertain") + n("held"),
        "{s}"
    );
}

/// `n` transactions for `tests/fixtures/hareket.toml`; row i is Fiş No `F{i:06}`, and
/// its description (sent as `comment`) starts with the same number.
pub fn transactions(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create export"));
    writeln!(f, "Fiş No;Cari;Borç;Alacak;Tarih;Saat;Açıklama").expect("write");
    for i in 0..n {
        writeln!(
            f,
            "F{i:06};{};;{},{:02};0{}.11.2026;{:02}:{:02};F{i:06} tahsilat",
            i % 97 + 1,
            100 + i % 900,
            i % 100,
            i % 9 + 1,
            8 + i % 10,
            i % 60
        )
        .expect("write");
    }
    f.flush().expect("flush");
}

/// The soak itself.
pub fn soak(plan: &Plan) -> Report {
    std::fs::create_dir_all(&plan.dir).expect("soak dir");
    for old in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = std::fs::remove_file(plan.dir.join(old));
    }
    let input = plan.dir.join("hareket.csv");
    transactions(&input, plan.rows);
    let sb = Sandbox::start(Options {
        fail_rate: plan.fail_rate,
        seed: plan.seed,
        rate_limit: Some(plan.rate),
        slow: Duration::from_secs(2),
        ..Options::default()
    });
    let cfg = config(plan, &sb.base_url());
    let mapping = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hareket.toml");
    let aktar = Aktar {
        cfg: &cfg,
        dir: &plan.dir,
        relaunch: plan.relaunch,
    };
    // Long enough for any event of a soak this size; only a hang meets it.
    let patience = Duration::from_secs(120 + plan.rows as u64 / 20);

    // Runs follow one another until one finds every row sent. A run is killed when
    // the transactions that reached the sandbox pass the next kill mark; a run that
    // ends first (aborted, exit 3: the provider refused a renewed session) is simply
    // followed by the next, as the next night's run would; after each run that ended
    // by itself, the uncertain posts are settled.
    let dry_run_peak_kib = aktar.dry_run(&mapping, &input, patience);
    let mut runs: Vec<RunFigures> = Vec::new();
    let mut kills = plan.kills.iter().copied().peekable();
    let mut resolved = (0, 0);
    loop {
        assert!(
            runs.len() <= 50 + plan.rows / 100,
            "{} runs and not done",
            runs.len()
        );
        let what = format!("run {}", runs.len() + 1);
        let mut run = aktar.spawn_run(&mapping, &input, &what);
        let started = Instant::now();
        let kill_at = kills.peek().copied();
        let ended = loop {
            if let Some(ended) = run.ended() {
                break Some(ended);
            }
            if kill_at.is_some_and(|at| sb.stats().writes >= at) {
                break None;
            }
            assert!(started.elapsed() < patience, "{what}: {}", aktar.log(&what));
            std::thread::sleep(Duration::from_millis(5));
        };
        let (exit, peak) = match ended {
            Some(ended) => ended,
            None => {
                run.kill();
                kills.next();
                run.wait()
            }
        };
        let summary = aktar.summary(&what);
        runs.push(RunFigures {
            what: what.clone(),
            exit,
            peak_rss_kib: peak,
            seconds: started.elapsed().as_secs_f64(),
            summary: summary.clone(),
        });
        if ended.is_none() {
            continue;
        }
        assert!(
            matches!(exit, Some(0 | 1 | 3)) && summary.is_some(),
            "{what}: exit {exit:?}, {summary:?}: {}",
            aktar.log(&what)
        );
        if exit == Some(0) {
            break;
        }
        // As a person would with the provider's panel open: every uncertain post the
        // ledger holds was sent, every other one was not.
        let uncertain = aktar.uncertain();
        if !uncertain.is_empty() {
            let arrived = fis_writes(&sb.ledger());
            let (sent, unsent): (Vec<String>, Vec<String>) = uncertain
                .into_iter()
                .partition(|key| arrived.contains_key(key));
            resolved.0 += sent.len() as u64;
            resolved.1 += unsent.len() as u64;
            for (keys, as_sent) in [(sent, true), (unsent, false)] {
                for chunk in keys.chunks(2_000) {
                    aktar.resolve(chunk, as_sent);
                }
            }
        }
    }

    let ledger = sb.ledger();
    Report {
        rows: plan.rows,
        kills: plan.kills.len(),
        dry_run_peak_kib,
        runs,
        stats: sb.stats(),
        key_writes: ledger
            .endpoints
            .get(ENDPOINT)
            .map(|m| m.iter().map(|(k, e)| (k.clone(), e.writes)).collect())
            .unwrap_or_default(),
        fis_writes: fis_writes(&ledger),
        journal: statuses(&plan.dir.join("state.db")),
        resolved,
    }
}

fn config(plan: &Plan, base_url: &str) -> PathBuf {
    let text = format!(
        r#"[providers.oduyo]
base_url = "{base_url}"
api_key = "env:ODUYO_APIKEY"
rate_limit = "{rate}/s"
concurrency = {concurrency}
timeout = "1s"
retries = 5
max_consecutive_failures = 50
[providers.oduyo.login]
username = "{user}"
password = "env:ODUYO_PASSWORD"

[state]
path = "{state}"
"#,
        rate = plan.rate,
        concurrency = plan.concurrency,
        user = creds::ODUYO_USERNAME,
        state = plan.dir.join("state.db").display(),
    );
    let p = plan.dir.join("aktar.toml");
    std::fs::write(&p, text).expect("config");
    p
}

/// Applied transaction writes by Fiş No (the first word of the comment).
pub fn fis_writes(ledger: &Ledger) -> BTreeMap<String, u64> {
    let mut by_fis = BTreeMap::new();
    for e in ledger
        .endpoints
        .get(ENDPOINT)
        .into_iter()
        .flat_map(|m| m.values())
    {
        let comment = e.last["column"]["comment"].as_str().unwrap_or_default();
        let fis = comment.split(' ').next().unwrap_or_default().to_owned();
        *by_fis.entry(fis).or_insert(0) += e.writes;
    }
    by_fis
}

/// Journal entries per status.
pub fn statuses(journal: &Path) -> BTreeMap<String, u64> {
    let conn = rusqlite::Connection::open(journal).expect("journal");
    let mut stmt = conn
        .prepare("SELECT status, COUNT(*) FROM entries GROUP BY status")
        .expect("query");
    stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })
    .expect("statuses")
    .map(|r| r.expect("row"))
    .collect()
}

/// The binary, configured for the soak.
struct Aktar<'a> {
    cfg: &'a Path,
    dir: &'a Path,
    relaunch: &'a [&'a str],
}

impl Aktar<'_> {
    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_aktar"));
        c.env("ODUYO_APIKEY", creds::ODUYO_API_KEY)
            .env("ODUYO_PASSWORD", creds::ODUYO_PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        c
    }

    fn out(&self, what: &str) -> PathBuf {
        self.dir.join("reports").join(what.replace([' ', ','], "_"))
    }

    /// Starts `cmd` through the launcher, its result file (and pid) beside `what`'s
    /// reports.
    fn launch(&self, cmd: &Command, stderr: Stdio, what: &str) -> launcher::Launched {
        std::fs::create_dir_all(self.dir.join("reports")).expect("reports dir");
        let result = self.out(what).with_extension("result");
        launcher::spawn(cmd, stderr, self.relaunch, result)
    }

    fn spawn_run(&self, mapping: &Path, input: &Path, what: &str) -> launcher::Launched {
        let out = self.out(what);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(self.dir.join("reports")).expect("reports dir");
        let log = std::fs::File::create(out.with_extension("log")).expect("log file");
        let mut cmd = self.command();
        cmd.args(["run", "--quiet", "--config"])
            .arg(self.cfg)
            .arg("-m")
            .arg(mapping)
            .arg("--report-dir")
            .arg(&out)
            .arg(input);
        self.launch(&cmd, log.into(), what)
    }

    /// The peak resident memory of `aktar check` on the export, in KiB.
    fn dry_run(&self, mapping: &Path, input: &Path, patience: Duration) -> u64 {
        let mut cmd = self.command();
        cmd.args(["check", "--quiet", "--config"])
            .arg(self.cfg)
            .arg("-m")
            .arg(mapping)
            .arg("--report-dir")
            .arg(self.out("dry run"))
            .arg(input);
        let mut child = self.launch(&cmd, Stdio::null(), "dry run");
        let started = Instant::now();
        loop {
            if let Some((exit, peak)) = child.ended() {
                assert_eq!(exit, Some(0), "the dry run");
                return peak;
            }
            assert!(started.elapsed() < patience, "the dry run: still running");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// A run's summary.json, when it wrote one.
    fn summary(&self, what: &str) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.out(what).join("summary.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// What a run printed on stderr.
    fn log(&self, what: &str) -> String {
        std::fs::read_to_string(self.out(what).with_extension("log")).unwrap_or_default()
    }

    /// The keys the journal holds uncertain, as `aktar journal list` gives them.
    fn uncertain(&self) -> Vec<String> {
        let o = self
            .command()
            .args([
                "journal",
                "list",
                "--status",
                "uncertain",
                "--json",
                "--config",
            ])
            .arg(self.cfg)
            .stdout(Stdio::piped())
            .output()
            .expect("journal list");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let list: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("list json");
        list.iter()
            .map(|e| e["key"].as_str().expect("key").to_owned())
            .collect()
    }

    fn resolve(&self, keys: &[String], sent: bool) {
        let o = self
            .command()
            .args(["journal", "resolve"])
            .args(keys)
            .arg("--as")
            .arg(if sent { "sent" } else { "unsent" })
            // Named, the endpoint lets each key be found through the journal's index.
            .args(["--endpoint", ENDPOINT])
            .arg("--config")
            .arg(self.cfg)
            .output()
            .expect("journal resolve");
        assert!(
            o.status.success(),
            "resolve {} keys: {}",
            keys.len(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
