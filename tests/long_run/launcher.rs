//! The launcher through which the soak starts aktar, so that a run's peak memory is
//! aktar's own.
//!
//! The peak is `wait4`'s `ru_maxrss` for the one child, but Linux starts a new
//! process's figure from its parent's: a child started by `std::process::Command`
//! (`posix_spawn`, a `vfork`) takes over its parent's own peak at `exec`. The soak's
//! process holds the sandbox, whose ledger keeps every body, and would read as every
//! later run's peak. So the soak starts this executable again as a small launcher —
//! with the result file and the command in its environment, and the arguments that
//! make it reach [`serve`] (none for the bench, which calls it first thing in `main`;
//! a test's name for a test binary) — which starts aktar, writes aktar's pid next to
//! the result file so that the soak can kill aktar itself with SIGKILL, reaps it
//! through `wait4` and writes how it ended and its peak to the result file. The
//! figures' floor is then the launcher's own resident set, a few MiB. The same scheme,
//! without the kill, is `benches/child`'s.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::reap::Ended;

/// The result file, in the launcher's environment.
const RESULT: &str = "AKTAR_SOAK_LAUNCH_RESULT";
/// The program and its arguments, a JSON array of strings.
const COMMAND: &str = "AKTAR_SOAK_LAUNCH_COMMAND";

fn pid_file(result: &Path) -> PathBuf {
    result.with_extension("pid")
}

/// In the launcher (this executable started by [`spawn`]): runs the command, writes
/// what it did to the result file and exits. Otherwise returns at once.
pub fn serve() {
    let Some(result) = std::env::var_os(RESULT).map(PathBuf::from) else {
        return;
    };
    let command: Vec<String> =
        serde_json::from_str(&std::env::var(COMMAND).expect("the command")).expect("its JSON");
    let (program, args) = command.split_first().expect("a program");
    let child = Command::new(program)
        .args(args)
        .env_remove(RESULT)
        .env_remove(COMMAND)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    let pid = child.id();
    // Written whole under another name and renamed, so that it is never read half.
    let pids = pid_file(&result);
    let part = pids.with_extension("pid.part");
    fs::write(&part, pid.to_string()).expect("write the pid");
    fs::rename(&part, &pids).expect("rename the pid file");
    let (ended, peak, _) = super::reap::reap(child);
    let how = match ended {
        Ended::Exit(code) => format!("exit {code}"),
        Ended::Signal(signal) => format!("signal {signal}"),
    };
    fs::write(&result, format!("{how} {peak}")).expect("write the result");
    std::process::exit(0);
}

/// A command started through the launcher.
pub struct Launched {
    launcher: Child,
    result: PathBuf,
    what: String,
}

/// Starts `cmd` (its program, arguments, environment and working folder; stdin and
/// stdout empty, stderr to `stderr`) through the launcher: this executable started
/// again with `relaunch` as its arguments. `result` is the file where the launcher
/// writes how it ended, with its pid next to it.
pub fn spawn(cmd: &Command, stderr: Stdio, relaunch: &[&str], result: PathBuf) -> Launched {
    let _ = fs::remove_file(&result);
    let _ = fs::remove_file(pid_file(&result));
    let mut words = vec![cmd.get_program().to_str().expect("a UTF-8 program")];
    words.extend(cmd.get_args().map(|a| a.to_str().expect("UTF-8 arguments")));
    let mut launcher = Command::new(std::env::current_exe().expect("this executable"));
    launcher
        .args(relaunch)
        .env(RESULT, &result)
        .env(COMMAND, serde_json::to_string(&words).expect("JSON"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => launcher.env(k, v),
            None => launcher.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        launcher.current_dir(dir);
    }
    Launched {
        launcher: launcher.spawn().expect("spawn the launcher"),
        result,
        what: words.join(" "),
    }
}

impl Launched {
    /// Its exit code (None: a signal ended it) and peak resident memory in KiB once it
    /// has ended; None while it runs.
    pub fn ended(&mut self) -> Option<(Option<i32>, u64)> {
        let status = self.launcher.try_wait().expect("the launcher")?;
        Some(self.outcome(status))
    }

    /// Waits for its end: the same figures as [`Launched::ended`].
    pub fn wait(&mut self) -> (Option<i32>, u64) {
        let status = self.launcher.wait().expect("wait for the launcher");
        self.outcome(status)
    }

    /// Kills the command itself (not the launcher) with SIGKILL, once the launcher
    /// has said which process it is; nothing when it has ended already.
    pub fn kill(&mut self) {
        let pids = pid_file(&self.result);
        let pid: libc::pid_t = loop {
            if let Ok(text) = fs::read_to_string(&pids) {
                break text.trim().parse().expect("a pid");
            }
            if self.launcher.try_wait().expect("the launcher").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        // The launcher reaps the command only when it ends, and exits right after:
        // while the launcher runs, the pid is the command's (or its zombie's).
        if self.launcher.try_wait().expect("the launcher").is_some() {
            return;
        }
        // SAFETY: a plain kill(2) of the process the launcher started.
        if unsafe { libc::kill(pid, libc::SIGKILL) } != 0 {
            let e = std::io::Error::last_os_error();
            // Reaped between the look and the kill: it ended by itself.
            assert_eq!(e.raw_os_error(), Some(libc::ESRCH), "kill {pid}: {e}");
        }
    }

    fn outcome(&self, status: std::process::ExitStatus) -> (Option<i32>, u64) {
        assert!(status.success(), "the launcher of {}: {status}", self.what);
        let text = fs::read_to_string(&self.result).expect("the launcher's result");
        let mut fields = text.split(' ');
        let mut next = || fields.next().expect("a result field");
        let how = next();
        let code: i32 = next().parse().expect("a code");
        let peak = next().parse().expect("a peak");
        let exit = match how {
            "exit" => Some(code),
            "signal" => None,
            _ => panic!("the launcher's result: {text}"),
        };
        (exit, peak)
    }
}
