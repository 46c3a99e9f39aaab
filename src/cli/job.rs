//! `aktar job run JOB.toml` and `aktar job lint JOB.toml`.
//!
//! A job run checks the whole job file first (its shape, every mapping, the mail
//! settings: exit 2 before any step), takes the job's lock, then runs the steps in
//! order through [`run_job`] — the very path of `aktar run` — each into a subfolder
//! of the night's report folder. A step whose `after` names a step that was stopped
//! (exit 2 or 3 and worse) does not run. Then `index.html`, the mail (one for the
//! night), and the job-level `summary.json`. The exit code is the worst step's; a
//! mail that could not be delivered makes it 5 unless something worse happened.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::{Args, Subcommand};

use super::Exit;
use super::run::{Job as RunJob, run_job};
use crate::config::Config;
use crate::job::inputs::{self, Resolved};
use crate::job::night::{self, MailOutcome, Night, StepRecord, severity};
use crate::job::{self, Job, Step, render};
use crate::notify::{self, EmailConfig, When};

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Run the steps of a job file in order: one report folder, one mail.
    Run(JobRunArgs),
    /// Check a job file and its mappings without running anything.
    Lint {
        /// The job file (jobs/<name>.toml).
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct JobRunArgs {
    /// The job file (jobs/<name>.toml).
    pub file: PathBuf,
    /// Validate every step; send nothing, archive nothing, mail nothing (mail.eml is
    /// still written).
    #[arg(long)]
    pub dry_run: bool,
    /// The night's report folder (default: <report dir>/<job name>-<UTC time>/).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the job's summary.json on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The exit code: a job's is the worst of its steps', which may be any of them.
pub fn run(c: &JobCommand) -> u8 {
    match c {
        JobCommand::Lint { file } => match prepare(file) {
            Ok(p) => {
                println!(
                    "{}: ok — job `{}`, {} step(s): {}",
                    file.display(),
                    p.job.name,
                    p.job.steps.len(),
                    p.job
                        .order
                        .iter()
                        .map(|&i| p.job.steps[i].name.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                );
                Exit::Ok as u8
            }
            Err(message) => {
                eprintln!("{message}");
                Exit::Input as u8
            }
        },
        JobCommand::Run(args) => match prepare(&args.file) {
            Ok(p) => run_night(args, &p),
            Err(message) => {
                eprintln!("{message}");
                Exit::Input as u8
            }
        },
    }
}

/// A job file with everything it names checked.
struct Prepared {
    job: Job,
    config: Config,
    email: Option<EmailConfig>,
}

fn prepare(file: &Path) -> Result<Prepared, String> {
    let job = job::load(file).map_err(|e| e.to_string())?;
    let config = Config::load(job.config.as_deref()).map_err(|e| format!("aktar: {e}"))?;
    let registry = config.registry().map_err(|e| format!("aktar: {e}"))?;
    job.check_mappings(&registry).map_err(|e| e.to_string())?;
    let email = job.email.clone().or_else(|| config.notify.email.clone());
    if let Some(e) = &email
        && job.email.is_none()
        && let Err(m) = e.check()
    {
        return Err(format!("aktar: configuration [notify.email]: {m}"));
    }
    Ok(Prepared { job, config, email })
}

fn run_night(args: &JobRunArgs, p: &Prepared) -> u8 {
    let Prepared { job, config, email } = p;
    let state_dir = config
        .state
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let _lock = match job::lock::acquire(&job.path, &state_dir) {
        Ok(l) => l,
        Err(m) => {
            eprintln!("aktar: {m}");
            return Exit::Input as u8;
        }
    };
    let dir = match night_dir(args.report_dir.as_deref(), config, &job.name) {
        Ok(d) => d,
        Err(m) => {
            eprintln!("aktar: {m}");
            return Exit::Input as u8;
        }
    };
    let quiet = args.quiet || args.json;
    let mut night = Night {
        job: job.name.clone(),
        dir: dir.clone(),
        dry_run: args.dry_run,
        started: chrono::Utc::now(),
        steps: Vec::new(),
    };
    let env = |name: &str| std::env::var(name).ok();
    let mut records: Vec<Option<StepRecord>> = vec![None; job.steps.len()];
    let mut interrupted = false;
    for (n, &i) in job.order.iter().enumerate() {
        let step = &job.steps[i];
        if !quiet {
            println!("\n== {} ({}/{}) ==", step.name, n + 1, job.order.len());
        }
        let record = if interrupted {
            skipped(step, "the job was interrupted".into())
        } else if let Some(why) = held_back(step, job, &records) {
            skipped(step, why)
        } else {
            run_step(step, config, &env, &dir, args.dry_run, quiet)
        };
        report_step(&record, quiet);
        interrupted |= record.exit == Some(Exit::Interrupted as u8);
        records[i] = Some(record);
    }
    night.steps = job
        .order
        .iter()
        .filter_map(|&i| records[i].take())
        .collect();

    let mut exit = night.exit();
    if let Err(m) = night::write_file(
        &dir.join("index.html"),
        render::html(&night, render::Mode::Index).as_bytes(),
    ) {
        eprintln!("aktar: {m}");
    }
    let mail = email
        .as_ref()
        .filter(|e| e.when == When::Always || night.has_problems())
        .map(|e| mail_night(&night, e, &env, quiet, !night.dry_run));
    if mail.as_ref().is_some_and(|m| m.status == "failed")
        && severity(exit) < severity(Exit::MailFailed as u8)
    {
        exit = Exit::MailFailed as u8;
    }
    let summary = night.summary_json(exit, mail.as_ref());
    let text = serde_json::to_string_pretty(&summary).unwrap_or_default();
    if let Err(m) = night::write_file(&dir.join("summary.json"), text.as_bytes()) {
        eprintln!("aktar: {m}");
    }
    if args.json {
        println!("{text}");
    } else if !args.quiet {
        println!(
            "\njob {}: exit {exit}; reports: {}",
            job.name,
            dir.display()
        );
    }
    exit
}

/// Why a step must not run: a step it waits for was stopped or did not run.
fn held_back(step: &Step, job: &Job, records: &[Option<StepRecord>]) -> Option<String> {
    step.after.iter().find_map(|name| {
        let at = job.steps.iter().position(|s| s.name == *name)?;
        match &records[at] {
            Some(r) if r.held_back() => Some(format!("`{name}` did not run")),
            Some(r) if r.stopped() => Some(format!(
                "`{name}` was stopped (exit {})",
                r.exit.unwrap_or_default()
            )),
            Some(_) => None,
            None => Some(format!("`{name}` did not run")),
        }
    })
}

fn skipped(step: &Step, why: String) -> StepRecord {
    StepRecord::new(&step.name, &step.mapping, Some(why))
}

fn run_step(
    step: &Step,
    config: &Config,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    night_dir: &Path,
    dry_run: bool,
    quiet: bool,
) -> StepRecord {
    let mut record = StepRecord::new(&step.name, &step.mapping, None);
    let files = match inputs::resolve(&step.inputs, SystemTime::now()) {
        Ok(Resolved::Files(f)) => f,
        Ok(Resolved::Nothing(why)) => {
            record.skipped = Some(format!("no input: {why}"));
            record.idle = true;
            return record;
        }
        Err(why) => {
            record.exit = Some(Exit::Input as u8);
            record.message = Some(why);
            return record;
        }
    };
    record.inputs = files.iter().map(|p| p.display().to_string()).collect();
    let dir = night_dir.join(&step.name);
    let run = RunJob {
        config,
        env,
        mapping: &step.mapping,
        inputs: &files,
        dry_run,
        full: false,
        accept_drift: false,
        no_journal: false,
        limit: None,
        report_dir: Some(dir.clone()),
        quiet,
        json: false,
    };
    match run_job(&run) {
        Ok(done) => record.finish(done.exit as u8, None, &dir),
        Err((exit, message)) => record.finish(exit as u8, Some(message), &dir),
    }
    if let Some(folder) = &step.archive
        && !dry_run
        && !record.stopped()
    {
        for f in &files {
            match job::archive::archive(f, folder) {
                Ok(to) => record.archived.push(to.display().to_string()),
                Err(m) => record.warnings.push(m),
            }
        }
    }
    record
}

/// Errors and warnings always (stderr); the rest unless `quiet`.
fn report_step(r: &StepRecord, quiet: bool) {
    if let Some(m) = &r.message {
        eprintln!("aktar: {}: {m}", r.name);
    }
    for w in &r.warnings {
        eprintln!("aktar: {}: warning: {w}", r.name);
    }
    if quiet {
        return;
    }
    if let Some(why) = &r.skipped {
        println!("  not run: {why}");
    }
    for a in &r.archived {
        println!("  archived: {a}");
    }
}

/// `aktar run` with `[notify.email]`: mails the run as a night of one step (a dry run
/// mails nothing). Returns the exit code, 5 when the mail could not be delivered and
/// nothing worse happened.
pub(crate) fn mail_run(
    run: &RunJob<'_>,
    exit: Exit,
    message: Option<String>,
    dir: Option<&Path>,
) -> Exit {
    let Some(cfg) = run.config.notify.email.as_ref().filter(|_| !run.dry_run) else {
        return exit;
    };
    let name = crate::mapping::name_of(run.mapping);
    let dir = dir.map_or_else(|| run.config.report.dir.clone(), Path::to_path_buf);
    let mut step = StepRecord::new(&name, run.mapping, None);
    step.inputs = run.inputs.iter().map(|p| p.display().to_string()).collect();
    step.finish(exit as u8, message, &dir);
    let night = Night {
        job: name,
        dir: dir.clone(),
        dry_run: false,
        started: chrono::Utc::now(),
        steps: vec![step],
    };
    if cfg.when == When::Problems && !night.has_problems() {
        return exit;
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("aktar: {}: {e}", dir.display());
    }
    let outcome = mail_night(&night, cfg, run.env, run.quiet || run.json, true);
    if outcome.status == "failed" && severity(exit as u8) < severity(Exit::MailFailed as u8) {
        Exit::MailFailed
    } else {
        exit
    }
}

/// Composes the night's mail, keeps it as `mail.eml`, and — when `send` — sends it.
pub(crate) fn mail_night(
    night: &Night,
    cfg: &EmailConfig,
    env: &dyn Fn(&str) -> Option<String>,
    quiet: bool,
    send: bool,
) -> MailOutcome {
    let eml = night.dir.join("mail.eml");
    let mut outcome = MailOutcome {
        status: "failed",
        to: cfg.recipients(),
        subject: notify::subject(night),
        error: None,
        eml: eml.clone(),
    };
    let composed = match notify::compose(night, cfg) {
        Ok(c) => c,
        Err(m) => {
            eprintln!("aktar: the mail could not be composed: {m}");
            outcome.error = Some(m);
            return outcome;
        }
    };
    if let Err(m) = night::write_file(&eml, &composed.message.formatted()) {
        eprintln!("aktar: {m}");
    }
    if !send {
        outcome.status = "written";
        return outcome;
    }
    match notify::deliver(cfg, &composed.message, env) {
        Ok(()) => {
            outcome.status = "sent";
            if !quiet {
                println!(
                    "mail sent to {}: {}",
                    outcome.to.join(", "),
                    composed.subject
                );
            }
        }
        Err(m) => {
            eprintln!("aktar: {m}; the message is in {}", eml.display());
            outcome.error = Some(m);
        }
    }
    outcome
}

/// `--report-dir` (the last night's own files removed; each step's folder is cleared
/// when the step runs), else `<report dir>/<job>-<UTC time>/` (a suffix when taken).
fn night_dir(explicit: Option<&Path>, config: &Config, name: &str) -> Result<PathBuf, String> {
    let dir = match explicit {
        Some(d) => {
            crate::report::folder::reuse(d, crate::report::folder::NIGHT_FILES, &[])?;
            crate::report::folder::create(d)?;
            d.to_path_buf()
        }
        None => crate::report::folder::fresh(&config.report.dir, name)?,
    };
    Ok(job::clean(&dir))
}
