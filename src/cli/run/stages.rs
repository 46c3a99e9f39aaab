//! The stages of a run, in the order `run_job_until` calls them: set-up, validation,
//! the file guards, the send phase, the tally, the journal's record, the reports.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::cli::Exit;
use crate::cli::progress::Progress;
use crate::config::Config;
use crate::journal::gate::{Decision, Gate};
use crate::journal::{Journal, RunLock};
use crate::mapping::{self, Mapping};
use crate::pipeline::{self, Collected};
use crate::report::{self, Summary};
use crate::send::{self, SendReport, Stop};

use super::{Failure, Job, input_error};

/// What a run settles before it reads a row: the mapping, the credentials, the
/// journal and its lock, the inputs opened and checked, where the reports go.
pub(super) struct SetUp {
    pub(super) m: Mapping,
    pub(super) settings: Option<send::Settings>,
    pub(super) journal: Option<Journal>,
    pub(super) _lock: Option<RunLock>,
    /// Corrected error reports among the inputs: no baseline, no control totals.
    pub(super) corrected: Vec<String>,
    pub(super) dir: PathBuf,
    pub(super) base_url: String,
    pub(super) mapping_id: String,
}

pub(super) fn set_up(job: &Job<'_>) -> Result<(SetUp, Vec<pipeline::Input>), Failure> {
    // Before anything can fail: a run stopped by a wrong mapping must not leave the
    // last run's reports looking like its own.
    if let Some(dir) = &job.report_dir {
        report::folder::reuse(dir, report::folder::RUN_FILES, job.inputs).map_err(input_error)?;
    }
    let registry = job.config.registry().map_err(input_error)?;
    let m = mapping::load_with(job.mapping, &registry).map_err(input_error)?;
    // Credentials are resolved before anything is read, so a missing variable stops
    // the run at once — and a dry run never asks for them.
    let settings = if job.dry_run {
        None
    } else {
        let provider = m.endpoint.provider;
        Some(send::resolve(provider, job.config.provider(provider), job.env).map_err(input_error)?)
    };
    if job.no_journal && !m.endpoint.idempotent {
        return Err((
            Exit::Input,
            format!(
                "{} must never be posted twice, which needs the journal: drop --no-journal",
                m.endpoint.id
            ),
        ));
    }
    let journal = if job.no_journal {
        None
    } else if job.dry_run {
        Journal::open_read_only(&job.config.state.path).map_err(input_error)?
    } else {
        warn_if_new_journal(&job.config.state.path, &m);
        Some(Journal::open(&job.config.state.path).map_err(input_error)?)
    };
    let lock = match &journal {
        Some(_) if !job.dry_run => {
            Some(RunLock::acquire(&job.config.state.path).map_err(input_error)?)
        }
        _ => None,
    };
    if let Some(j) = journal.as_ref().filter(|_| !job.dry_run) {
        let n = j.recover_pending().map_err(input_error)?;
        if n > 0 && !job.quiet {
            eprintln!(
                "aktar: {n} post(s) left pending by a run that stopped are now uncertain (see `aktar journal list --status uncertain`)"
            );
        }
    }
    let inputs = pipeline::open_inputs(&m, job.inputs).map_err(input_error)?;
    // Corrected error reports hold a few rows and no total row by nature: neither the
    // drift guard nor the control totals apply to them, and they are no baseline.
    let corrected: Vec<String> = inputs
        .iter()
        .filter(|i| i.table.corrected)
        .map(|i| i.table.file.to_string())
        .collect();
    let dir = report_dir(job.report_dir.as_deref(), job.config, &m).map_err(input_error)?;
    let base_url = match &settings {
        Some(s) => s.base_url.clone(),
        None => job
            .config
            .provider(m.endpoint.provider)
            .and_then(|p| p.base_url.as_deref())
            .filter(|u| !u.starts_with("env:"))
            .map(|u| send::settings::check_base_url(m.endpoint.provider.config_name(), u))
            .transpose()
            .map_err(input_error)?
            .unwrap_or_default(),
    };
    let mapping_id = journal_mapping_id(&m);
    let setup = SetUp {
        m,
        settings,
        journal,
        _lock: lock,
        corrected,
        dir,
        base_url,
        mapping_id,
    };
    Ok((setup, inputs))
}

/// Where the valid requests wait: payloads.jsonl in a dry run, a hidden spill that is
/// removed after sending otherwise.
pub(super) fn spill_path(job: &Job<'_>, dir: &Path) -> PathBuf {
    if job.dry_run {
        dir.join("payloads.jsonl")
    } else {
        dir.join(".requests.jsonl")
    }
}

/// Reads and validates every input.
pub(super) fn validate(
    job: &Job<'_>,
    setup: &SetUp,
    inputs: Vec<pipeline::Input>,
    stop: &CancellationToken,
) -> Result<pipeline::Collected, Failure> {
    let m = &setup.m;
    let mut progress = Progress::new(job.quiet || job.json, &m.name);
    let spill = spill_path(job, &setup.dir);
    let errors_csv = setup.dir.join("errors.csv");
    let sinks = pipeline::Sinks {
        spill: &spill,
        errors_csv: &errors_csv,
        lang: job.config.report.lang,
    };
    let collected = pipeline::collect(
        m,
        inputs,
        &setup.base_url,
        &sinks,
        job.limit,
        stop,
        |rows, rejected| progress.update(|| format!("{rows} rows read, {rejected} rejected")),
    )
    .map_err(input_error)?;
    progress.finish();
    Ok(collected)
}
/// The file guards: a dry run warns, a sending run stops before anything is sent
/// (the validation reports are still written). A file read only in part (a stop came
/// while reading) is no measure of either.
pub(super) fn file_guards(
    job: &Job<'_>,
    setup: &SetUp,
    collected: &pipeline::Collected,
) -> Result<Option<String>, Failure> {
    let mut guard = None;
    if let Some(j) = &setup.journal
        && !job.accept_drift
        && !collected.interrupted
        && setup.corrected.is_empty()
    {
        guard = crate::guards::drift(
            j,
            &setup.mapping_id,
            &collected.headers,
            collected.rows,
            collected.limited,
        )
        .map_err(input_error)?;
    }
    if guard.is_none() && !collected.limited && !collected.interrupted {
        let controls: Vec<_> = collected
            .controls
            .iter()
            .filter(|c| !setup.corrected.contains(&c.file))
            .cloned()
            .collect();
        guard = crate::guards::control_totals(&controls);
    }
    if let Some(why) = &guard
        && job.dry_run
        && !job.quiet
    {
        eprintln!("aktar: warning: {why}");
    }
    Ok(guard)
}

/// What the sending half did: the rows' outcomes, the journal's run record, and in a
/// dry run how many rows the journal already holds unchanged.
#[derive(Default)]
pub(super) struct Sending {
    pub(super) sent: SendReport,
    pub(super) run_id: Option<i64>,
    pub(super) would_be_unchanged: u64,
}

/// Sends the spill (unless the run is held), through the journal when there is one.
pub(super) fn send_phase(
    job: &Job<'_>,
    setup: &SetUp,
    collected: &pipeline::Collected,
    held: bool,
    stop: &CancellationToken,
) -> Result<Sending, Failure> {
    let m = &setup.m;
    let spill = spill_path(job, &setup.dir);
    let quiet = job.quiet || job.json;
    let mut out = Sending::default();
    match (&setup.settings, &setup.journal) {
        _ if held => {}
        (Some(settings), Some(j)) => {
            let id = j
                .start_run(
                    &setup.mapping_id,
                    &m.endpoint.id,
                    &input_hashes(job.inputs),
                    &collected.headers,
                )
                .map_err(input_error)?;
            out.run_id = Some(id);
            let gate = Gate {
                snapshot: j.snapshot(&m.endpoint.id).map_err(input_error)?,
                writer: j
                    .writer(&m.endpoint.id, id, !m.endpoint.idempotent)
                    .map_err(input_error)?,
                journal: std::sync::Mutex::new(
                    Journal::open(&job.config.state.path).map_err(input_error)?,
                ),
                endpoint: &m.endpoint.id,
                idempotent: m.endpoint.idempotent,
                full: job.full,
            };
            let gate = Arc::new(gate);
            let result = deliver(
                m,
                &spill,
                settings,
                Some(gate.clone()),
                quiet,
                collected.valid,
                stop,
            );
            let journal_end = match Arc::try_unwrap(gate) {
                Ok(g) => g.writer.finish(),
                Err(_) => Ok(()),
            };
            out.sent = result?;
            if let Err(e) = journal_end {
                out.sent.stop = Some(Stop::Aborted(e.to_string()));
            }
        }
        (Some(settings), None) => {
            out.sent = deliver(m, &spill, settings, None, quiet, collected.valid, stop)?;
        }
        (None, Some(j)) => {
            out.would_be_unchanged = would_be_unchanged(j, m, &spill).map_err(input_error)?;
        }
        (None, None) => {}
    }
    if setup.settings.is_some() {
        let _ = std::fs::remove_file(&spill);
    }
    Ok(out)
}

/// The run's summary: every row in one bucket.
pub(super) fn tally(
    job: &Job<'_>,
    setup: &SetUp,
    collected: &pipeline::Collected,
    sending: &Sending,
    hold: Option<&Hold>,
) -> Summary {
    let mut summary = Summary {
        rows: collected.rows,
        valid: collected.valid,
        rejected: collected.rejected.rows,
        skipped: collected.skipped,
        dry_run: job.dry_run,
        unchanged: sending.would_be_unchanged,
        ..Summary::default()
    };
    if setup.settings.is_some() {
        let sent = &sending.sent;
        summary.sent = sent.sent;
        summary.unchanged = sent.unchanged;
        summary.failed = sent.failed.len() as u64;
        summary.uncertain = sent.uncertain.len() as u64;
    }
    if let Some(h) = hold {
        summary.held = collected.valid;
        summary.held_reason = Some(h.reason().to_string());
    }
    summary
}

/// Finishes the journal's record of the run, then writes the reports. What could not
/// be written is returned once requests have gone out (exit 4 then); before that, it
/// is exit 2, which promises that nothing was sent.
pub(super) fn record(
    job: &Job<'_>,
    setup: &SetUp,
    collected: &pipeline::Collected,
    sending: &Sending,
    summary: &Summary,
    exit: Exit,
) -> Result<Vec<String>, Failure> {
    // The run's record is finished before the reports: what was sent is settled by
    // now, and a report that cannot be written must not leave the run open.
    let mut unwritten = Vec::new();
    if let (Some(j), Some(id)) = (&setup.journal, sending.run_id)
        && let Err(e) = j.end_run(
            id,
            summary,
            exit as i32,
            collected.limited || !setup.corrected.is_empty(),
        )
    {
        unwritten.push(format!("the journal's record of the run: {e}"));
    }
    let lang = job.config.report.lang;
    if let Err(e) = write_reports(&setup.dir, collected, summary, &sending.sent, lang) {
        unwritten.push(e.to_string());
    }
    if !unwritten.is_empty() && sending.sent.attempts == 0 {
        return Err((Exit::Input, unwritten.join("; ")));
    }
    Ok(unwritten)
}

/// What the person at the terminal is told: warnings, why the run stopped, the
/// summary (or the summary as JSON).
pub(super) fn tell(
    job: &Job<'_>,
    setup: &SetUp,
    collected: &pipeline::Collected,
    summary: &Summary,
    held: bool,
    stopped: &Option<Stop>,
) -> Result<(), Failure> {
    if !job.quiet {
        for w in &collected.warnings {
            eprintln!("aktar: warning: {w}");
        }
        if collected.limited {
            eprintln!("aktar: stopped after {} rows (--limit)", collected.rows);
        }
    }
    match stopped {
        // Said even with --quiet: exit 3 alone does not say what to fix.
        Some(Stop::Aborted(why)) => eprintln!("aktar: run aborted: {why}"),
        _ if job.quiet => {}
        Some(Stop::Interrupted) if collected.interrupted || held => eprintln!(
            "aktar: interrupted after {} rows were read; nothing was sent",
            collected.rows
        ),
        Some(Stop::Interrupted) => {
            eprintln!("aktar: interrupted; requests in flight were finished")
        }
        None => {}
    }
    if job.json {
        match serde_json::to_string_pretty(summary) {
            Ok(s) => println!("{s}"),
            Err(e) => return Err((Exit::Input, e.to_string())),
        }
    } else if !job.quiet {
        print_summary(&setup.m, summary, &setup.dir);
    }
    Ok(())
}

/// Why a sending run sends nothing although it has valid rows; they are counted `held`.
pub(super) enum Hold {
    /// A file guard (drift, control totals) stopped the run.
    Guard(String),
    /// A stop came before sending began.
    Interrupted,
}

impl Hold {
    pub(super) fn decide(
        dry_run: bool,
        read_in_part: bool,
        guard: Option<String>,
        stop: &CancellationToken,
    ) -> Option<Hold> {
        if dry_run {
            None
        } else if read_in_part {
            Some(Hold::Interrupted)
        } else if let Some(why) = guard {
            Some(Hold::Guard(why))
        } else if stop.is_cancelled() {
            Some(Hold::Interrupted)
        } else {
            None
        }
    }

    fn reason(&self) -> &str {
        match self {
            Hold::Guard(why) => why,
            Hold::Interrupted => "interrupted before sending",
        }
    }
}

/// A transaction posted from a new journal is posted again if this configuration sent
/// it before from another one (a state file moved or lost, or — before paths followed
/// aktar.toml — a run started from another folder). Said loudly, even with --quiet.
pub(super) fn warn_if_new_journal(path: &Path, m: &Mapping) {
    if m.endpoint.idempotent || path.exists() {
        return;
    }
    let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    eprintln!(
        "aktar: warning: no journal at {}; creating a new one. {} must never be posted twice: if this configuration has sent before from another journal, stop now.",
        shown.display(),
        m.endpoint.id
    );
}

pub(super) fn deliver(
    m: &Mapping,
    spill: &Path,
    settings: &send::Settings,
    gate: Option<Arc<Gate>>,
    quiet: bool,
    total: u64,
    stop: &CancellationToken,
) -> Result<SendReport, Failure> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| (Exit::Aborted, format!("cannot start the sender: {e}")))?;
    let mut progress = Progress::with_total(quiet, &m.name, total);
    let report = rt.block_on(send::send_spill(
        spill,
        m.endpoint,
        settings,
        gate,
        stop.clone(),
        |done, sent, failed| {
            progress.position(done);
            progress.update(|| {
                format!(
                    "{done}/{total} rows: {sent} sent or unchanged, {failed} failed or uncertain"
                )
            })
        },
    ));
    progress.finish();
    report.map_err(|e| (Exit::Aborted, e.to_string()))
}

pub(super) fn write_reports(
    dir: &Path,
    c: &Collected,
    summary: &Summary,
    sent: &SendReport,
    lang: crate::problem::Lang,
) -> Result<(), report::ReportError> {
    let draft = c.rejected.draft.lock().map_or(None, |mut d| d.take());
    report::write_errors_xlsx(
        draft,
        &dir.join("errors.xlsx"),
        &c.headers,
        &c.rejected.shown,
        &c.rejected.rules,
        summary,
        lang,
    )?;
    if !summary.dry_run {
        report::write_sent_csv(&dir.join("sent.csv"), &sent.accepted)?;
        report::write_failed_csv(&dir.join("failed.csv"), &sent.failed)?;
        report::write_uncertain_csv(&dir.join("uncertain.csv"), &sent.uncertain)?;
    }
    report::write_summary_json(&dir.join("summary.json"), summary)?;
    Ok(())
}

pub(super) fn print_summary(m: &Mapping, s: &Summary, dir: &Path) {
    println!(
        "{} → {}{}",
        m.name,
        m.endpoint.id,
        if s.dry_run { " (dry run)" } else { "" }
    );
    println!(
        "  rows {}  valid {}  rejected {}  skipped {}",
        s.rows, s.valid, s.rejected, s.skipped
    );
    if !s.dry_run {
        println!(
            "  sent {}  unchanged {}  failed {}  uncertain {}",
            s.sent, s.unchanged, s.failed, s.uncertain
        );
    }
    if s.held > 0 {
        println!(
            "  held {} ({})",
            s.held,
            s.held_reason.as_deref().unwrap_or_default()
        );
    }
    println!("  reports: {}", dir.display());
}

/// `--report-dir`, else `<report dir>/<mapping>-<UTC time>/` (with a suffix if two
/// runs start in the same second).
pub(super) fn report_dir(
    explicit: Option<&Path>,
    config: &Config,
    m: &Mapping,
) -> Result<PathBuf, String> {
    match explicit {
        Some(d) => {
            crate::report::folder::create(d)?;
            Ok(d.to_path_buf())
        }
        None => crate::report::folder::fresh(&config.report.dir, &m.name),
    }
}

/// How the journal knows a mapping across runs: its path, made absolute.
pub(super) fn journal_mapping_id(m: &Mapping) -> String {
    std::fs::canonicalize(&m.path)
        .unwrap_or_else(|_| m.path.clone())
        .display()
        .to_string()
}

/// The inputs with their digests, for the runs table.
pub(super) fn input_hashes(inputs: &[PathBuf]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = inputs
        .iter()
        .map(|p| {
            let digest = std::fs::File::open(p)
                .ok()
                .and_then(|f| {
                    let mut h = blake3::Hasher::new();
                    h.update_reader(f)
                        .ok()
                        .map(|h| h.finalize().to_hex().to_string())
                })
                .unwrap_or_default();
            serde_json::json!({"path": p.display().to_string(), "blake3": digest})
        })
        .collect();
    serde_json::Value::Array(list)
}

/// A dry run's answer to "what would be skipped": valid rows the provider already
/// holds, by the journal.
pub(super) fn would_be_unchanged(j: &Journal, m: &Mapping, spill: &Path) -> Result<u64, String> {
    let snapshot = j.snapshot(&m.endpoint.id).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(spill).map_err(|e| format!("{}: {e}", spill.display()))?;
    let mut n = 0;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| format!("{}: {e}", spill.display()))?;
        let Ok(item) = serde_json::from_str::<send::runner::Item>(&line) else {
            continue;
        };
        let hash = item.hash();
        let known = snapshot.get(crate::validate::key_hash(&item.key));
        if crate::journal::gate::decide(known.as_ref(), m.endpoint.idempotent, false, hash)
            == Decision::Unchanged
        {
            n += 1;
        }
    }
    Ok(n)
}
