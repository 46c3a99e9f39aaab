//! `aktar run` and `aktar check`: configuration and mapping first (exit 2 on any
//! mistake), then every input opened and its header checked, then validation, then —
//! unless it is a dry run — delivery, then the journal's record of the run, then the
//! reports. [`run_job`] is the same path for `aktar demo`, which passes its own
//! configuration and credentials. A stop (Ctrl-C, SIGTERM, SIGHUP) arrives as a
//! cancellation token: while reading it ends the reading, while sending it ends the
//! taking of rows; either way the reports are written and the exit is 130.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::{Exit, RunArgs};
use crate::config::Config;
use crate::report::Summary;
use crate::send::Stop;

mod stages;

use stages::{Hold, file_guards, record, send_phase, set_up, tally, tell, validate};

pub fn run(args: &RunArgs) -> Exit {
    let a = &args.common;
    let config = match Config::load(a.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("aktar: {e}");
            return Exit::Input;
        }
    };
    if let Some(Err(m)) = config.notify.email.as_ref().map(|e| e.check()) {
        eprintln!("aktar: [notify.email]: {m}");
        return Exit::Input;
    }
    let env = |name: &str| std::env::var(name).ok();
    let job = Job {
        config: &config,
        env: &env,
        mapping: &a.mapping,
        inputs: &a.inputs,
        dry_run: args.dry_run,
        full: args.full,
        accept_drift: args.accept_drift,
        no_journal: args.no_journal,
        limit: a.limit,
        report_dir: a.report_dir.clone(),
        quiet: a.quiet,
        json: a.json,
    };
    let (exit, message, dir) = match run_job(&job) {
        Ok(done) => (done.exit, None, Some(done.dir)),
        Err((exit, message)) => {
            eprintln!("aktar: {message}");
            (exit, Some(message), a.report_dir.clone())
        }
    };
    // With [notify.email], a sending run is a night of one step, mailed the same way.
    super::job::mail_run(&job, exit, message, dir.as_deref())
}

/// Everything one run needs, passed as values.
pub struct Job<'a> {
    pub config: &'a Config,
    /// Looks up environment variables (credentials are `env:NAME` in the config).
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub mapping: &'a Path,
    pub inputs: &'a [PathBuf],
    pub dry_run: bool,
    pub full: bool,
    pub accept_drift: bool,
    pub no_journal: bool,
    pub limit: Option<u64>,
    pub report_dir: Option<PathBuf>,
    pub quiet: bool,
    pub json: bool,
}

pub struct JobDone {
    pub summary: Summary,
    pub exit: Exit,
    pub dir: PathBuf,
    pub stop: Option<Stop>,
}

type Failure = (Exit, String);

fn input_error(e: impl std::fmt::Display) -> Failure {
    (Exit::Input, e.to_string())
}

/// Runs `job`, stopping as asked by Ctrl-C, SIGTERM or SIGHUP.
pub fn run_job(job: &Job<'_>) -> Result<JobDone, Failure> {
    run_job_until(job, &super::signals::stop_token())
}

/// Runs `job` until `stop` is cancelled (then: no more reading or sending, the reports
/// written, exit 130).
pub fn run_job_until(job: &Job<'_>, stop: &CancellationToken) -> Result<JobDone, Failure> {
    let started = Instant::now();
    let (setup, inputs) = set_up(job)?;
    let collected = validate(job, &setup, inputs, stop)?;
    let guard = file_guards(job, &setup, &collected)?;
    let hold = Hold::decide(job.dry_run, collected.interrupted, guard, stop);
    let sending = send_phase(job, &setup, &collected, hold.is_some(), stop)?;
    let mut summary = tally(job, &setup, &collected, &sending, hold.as_ref());
    summary.duration_ms = started.elapsed().as_millis() as u64;
    let stopped = match (&hold, &sending.sent.stop) {
        (Some(Hold::Interrupted), _) => Some(Stop::Interrupted),
        (_, Some(s)) => Some(s.clone()),
        _ if collected.interrupted => Some(Stop::Interrupted),
        _ => None,
    };
    let exit = match (&hold, &stopped) {
        (Some(Hold::Guard(_)), _) => Exit::Input,
        (_, Some(Stop::Aborted(_))) => Exit::Aborted,
        (_, Some(Stop::Interrupted)) => Exit::Interrupted,
        _ if summary.rejected + summary.failed + summary.uncertain > 0 => Exit::Rows,
        _ => Exit::Ok,
    };
    let unwritten = record(job, &setup, &collected, &sending, &summary, exit)?;
    if let Some(Hold::Guard(why)) = hold {
        return Err((
            Exit::Input,
            format!("nothing was sent: {why} (reports: {})", setup.dir.display()),
        ));
    }
    tell(job, &setup, &collected, &summary, hold.is_some(), &stopped)?;
    if !unwritten.is_empty() {
        return Err((
            Exit::ReportFailed,
            format!(
                "requests were sent, but not everything could be written: {}; the journal holds what was sent",
                unwritten.join("; ")
            ),
        ));
    }
    Ok(JobDone {
        summary,
        exit,
        dir: setup.dir,
        stop: stopped,
    })
}
