//! `aktar run` and `aktar check`: configuration and mapping first (exit 2 on any
//! mistake), then every input opened and its header checked, then the pipeline, then
//! the reports. A dry run writes `payloads.jsonl`; sending is the sender's part.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::progress::Progress;
use super::{Exit, RunArgs};
use crate::config::Config;
use crate::mapping::{self, Mapping};
use crate::pipeline::{self, Collected};
use crate::report::{self, Summary};

pub fn run(args: &RunArgs) -> Exit {
    match execute(args) {
        Ok(exit) => exit,
        Err((exit, message)) => {
            eprintln!("aktar: {message}");
            exit
        }
    }
}

type Failure = (Exit, String);

fn input_error(e: impl std::fmt::Display) -> Failure {
    (Exit::Input, e.to_string())
}

fn execute(args: &RunArgs) -> Result<Exit, Failure> {
    let started = Instant::now();
    let a = &args.common;
    let config = Config::load(a.config.as_deref()).map_err(input_error)?;
    let m = mapping::load(&a.mapping).map_err(input_error)?;
    if !args.dry_run {
        return Err((
            Exit::Input,
            "sending is not available in this build; use --dry-run (or `aktar check`)".into(),
        ));
    }
    let inputs = pipeline::open_inputs(&m, &a.inputs).map_err(input_error)?;
    let dir = report_dir(a.report_dir.as_deref(), &config, &m).map_err(input_error)?;
    let base_url = config
        .provider(m.endpoint.provider)
        .and_then(|p| p.base_url.as_deref())
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();

    let mut progress = Progress::new(a.quiet || a.json, &m.name);
    let spill = dir.join("payloads.jsonl");
    let collected = pipeline::collect(&m, inputs, &base_url, &spill, a.limit, |rows, rejected| {
        progress.update(|| format!("{rows} rows read, {rejected} rejected"))
    })
    .map_err(input_error)?;
    progress.finish();

    let summary = Summary {
        rows: collected.rows,
        valid: collected.valid,
        rejected: collected.rejected.len() as u64,
        skipped: collected.skipped,
        duration_ms: started.elapsed().as_millis() as u64,
        dry_run: args.dry_run,
        ..Summary::default()
    };
    write_reports(&dir, &collected, &summary, config.report.lang).map_err(input_error)?;

    if !a.quiet {
        for w in &collected.warnings {
            eprintln!("aktar: warning: {w}");
        }
        if collected.limited {
            eprintln!("aktar: stopped after {} rows (--limit)", collected.rows);
        }
    }
    if a.json {
        match serde_json::to_string_pretty(&summary) {
            Ok(s) => println!("{s}"),
            Err(e) => return Err((Exit::Input, e.to_string())),
        }
    } else if !a.quiet {
        print_summary(&m, &summary, &dir);
    }
    Ok(if summary.rejected > 0 {
        Exit::Rows
    } else {
        Exit::Ok
    })
}

fn write_reports(
    dir: &Path,
    c: &Collected,
    summary: &Summary,
    lang: crate::problem::Lang,
) -> Result<(), report::ReportError> {
    report::write_errors_csv(&dir.join("errors.csv"), &c.rejected, lang)?;
    report::write_errors_xlsx(
        &dir.join("errors.xlsx"),
        &c.headers,
        &c.rejected,
        summary,
        lang,
    )?;
    report::write_summary_json(&dir.join("summary.json"), summary)?;
    Ok(())
}

fn print_summary(m: &Mapping, s: &Summary, dir: &Path) {
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
    println!("  reports: {}", dir.display());
}

/// `--report-dir`, else `<report dir>/<mapping>-<UTC time>/` (with a suffix if two
/// runs start in the same second).
fn report_dir(explicit: Option<&Path>, config: &Config, m: &Mapping) -> Result<PathBuf, String> {
    let dir = match explicit {
        Some(d) => d.to_path_buf(),
        None => {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let base = config.report.dir.join(format!("{}-{stamp}", m.name));
            let mut dir = base.clone();
            let mut n = 2;
            while dir.exists() {
                dir = PathBuf::from(format!("{}-{n}", base.display()));
                n += 1;
            }
            dir
        }
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("{}: cannot create the report folder: {e}", dir.display()))?;
    Ok(dir)
}
