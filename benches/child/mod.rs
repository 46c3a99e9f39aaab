//! Shared by the benchmarks that time a child process: its wall time, exit code and
//! its own peak resident memory.
//!
//! The peak is `wait4`'s `ru_maxrss` for that one child (`getrusage(RUSAGE_CHILDREN)`
//! gives the largest of all children so far). But Linux starts a new process's figure
//! from its parent's: a child made by `vfork` (as `posix_spawn`, and so
//! `std::process::Command`, make them) takes over the parent's own peak when it calls
//! `exec`, and one made by `fork` its parent's resident set at the fork. A bench process
//! that has grown — a workbook generated in memory, the sandbox's ledger after a
//! million requests — would read as every child's peak. So the bench does not start the
//! measured program itself: it starts itself again as a small launcher
//! (`--measure-child RESULT PROGRAM ARGS…`, handled by [`serve`] first thing in `main`),
//! which starts the program, reaps it through `wait4` and writes the program's wall
//! time, peak, exit code and CPU time to the file RESULT. The figures' floor is then the
//! launcher's own resident set at the start, a few MiB.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

#[path = "../../tests/long_run/reap.rs"]
mod reap;

const MEASURE: &str = "--measure-child";

/// What one child did.
pub struct Run {
    /// Wall time from spawn to reaping, in seconds.
    pub seconds: f64,
    /// Its peak resident set, in KiB.
    pub peak_kib: u64,
    /// The CPU time it used, user and system, in seconds: what it cost the machine,
    /// which a busy machine changes less than its wall time.
    // Not every bench that shares this module prints it.
    #[allow(dead_code)]
    pub cpu: f64,
    /// Its exit code; None when a signal ended it.
    pub exit: Option<i32>,
    /// What it wrote to stdout.
    pub stdout: String,
}

impl Run {
    pub fn peak_mib(&self) -> f64 {
        self.peak_kib as f64 / 1024.0
    }
}

/// In the launcher (this bench started with `--measure-child`): runs the program,
/// writes what it did to the result file and exits. Otherwise returns at once.
pub fn serve() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|a| a != MEASURE) {
        return;
    }
    let result = PathBuf::from(args.next().expect("the result file"));
    let program = args.next().expect("the program");
    let started = Instant::now();
    let child = Command::new(&program)
        .args(args)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    let (ended, peak, cpu) = reap::reap(child);
    let seconds = started.elapsed().as_secs_f64();
    let exit = match ended {
        reap::Ended::Exit(code) => code,
        // Negative: the signal that ended it.
        reap::Ended::Signal(signal) => -signal,
    };
    std::fs::write(&result, format!("{seconds} {peak} {exit} {cpu}")).expect("write the result");
    std::process::exit(0);
}

/// Runs the command to its end through the launcher (stdin empty, stdout captured,
/// stderr inherited). Its environment and working folder are the launcher's, which
/// passes them on.
pub fn run(cmd: &Command) -> Run {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let result = std::env::temp_dir().join(format!(
        "aktar-bench-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let mut launcher = Command::new(std::env::current_exe().expect("this bench's path"));
    launcher
        .arg(MEASURE)
        .arg(&result)
        .arg(cmd.get_program())
        .args(cmd.get_args().map(OsString::from))
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => launcher.env(k, v),
            None => launcher.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        launcher.current_dir(dir);
    }
    let mut child = launcher.spawn().expect("spawn the launcher");
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).expect("child's stdout");
    }
    let status = child.wait().expect("wait for the launcher");
    assert!(status.success(), "the launcher for {cmd:?}: {status}");
    let text = std::fs::read_to_string(&result).expect("the launcher's result");
    let _ = std::fs::remove_file(&result);
    let mut fields = text.split(' ');
    let mut next = || fields.next().expect("a result field");
    let seconds = next().parse().expect("seconds");
    let peak_kib = next().parse().expect("peak");
    let exit: i32 = next().parse().expect("exit");
    let cpu = next().parse().expect("cpu");
    Run {
        seconds,
        peak_kib,
        cpu,
        exit: (exit >= 0).then_some(exit),
        stdout,
    }
}

/// The number of times a timed pair is run: `AKTAR_BENCH_REPEAT`, default 3.
pub fn repeat() -> usize {
    std::env::var("AKTAR_BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1)
}

/// The fastest of the runs' times and the largest of their peaks (the runs are the same
/// program on the same input; the fastest is the one the machine disturbed least).
pub fn best(runs: Vec<Run>) -> Run {
    let peak_kib = runs.iter().map(|r| r.peak_kib).max().unwrap_or(0);
    let mut best = runs
        .into_iter()
        .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
        .expect("at least one run");
    best.peak_kib = peak_kib;
    best
}

/// `target/bench-data/<name>`, made by `make` unless an earlier run left it there.
// Not every bench that shares this module generates its input here.
#[allow(dead_code)]
pub fn data_file(
    name: &str,
    make: impl FnOnce(&std::path::Path) -> std::io::Result<()>,
) -> PathBuf {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&data).expect("bench dir");
    let file = data.join(name);
    if !file.exists() {
        let started = Instant::now();
        make(&file).expect("generate the bench's input");
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        println!(
            "generated {} ({:.0} MiB) in {:.1} s",
            file.display(),
            size as f64 / 1048576.0,
            started.elapsed().as_secs_f64()
        );
    }
    file
}
