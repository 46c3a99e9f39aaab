//! What a job run leaves: one record per step, the job-level `summary.json`, and the
//! problems of each step read back from its own reports.
//!
//! A step's counts are its own `summary.json`, taken as written (so a key added to
//! it appears in the job's summary without a change here), and its problems per rule
//! with a few examples are read back from its `errors.csv`, `failed.csv` and
//! `uncertain.csv`: the mail and `index.html` show what the reports say, never a
//! second account of the run.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Examples shown per rule, and failed or uncertain rows shown per step.
pub const EXAMPLES: usize = 3;

/// One night: a job run, or a single `aktar run` reported the same way.
#[derive(Debug, Clone)]
pub struct Night {
    pub job: String,
    /// The night's report folder.
    pub dir: PathBuf,
    pub dry_run: bool,
    pub started: chrono::DateTime<chrono::Utc>,
    pub steps: Vec<StepRecord>,
}

/// One step of the night, as `summary.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub name: String,
    pub mapping: String,
    pub inputs: Vec<String>,
    /// `None` when the step did not run.
    pub exit: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Why a step stopped (exit 2, 3, 4 …), as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
    /// The step's report folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<PathBuf>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub archived: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub details: Details,
    /// Skipped because an input marked `missing = "skip"` found nothing: a quiet night
    /// for this step (no corrections came back), not a problem.
    #[serde(skip)]
    pub idle: bool,
}

/// The problems of a step, from its reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    /// Most frequent first.
    pub rules: Vec<RuleStat>,
    pub failed: Vec<Example>,
    pub uncertain: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleStat {
    pub rule: String,
    pub count: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// `file:row`.
    pub at: String,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// The counts of a step (or of the night), read from `summary.json` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub rows: u64,
    pub valid: u64,
    pub rejected: u64,
    pub sent: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub uncertain: u64,
    pub held: u64,
    pub skipped: u64,
}

impl Counts {
    fn of(v: &serde_json::Value) -> Counts {
        let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
        Counts {
            rows: n("rows"),
            valid: n("valid"),
            rejected: n("rejected"),
            sent: n("sent"),
            unchanged: n("unchanged"),
            failed: n("failed"),
            uncertain: n("uncertain"),
            held: n("held"),
            skipped: n("skipped"),
        }
    }

    fn add(&mut self, o: Counts) {
        self.rows += o.rows;
        self.valid += o.valid;
        self.rejected += o.rejected;
        self.sent += o.sent;
        self.unchanged += o.unchanged;
        self.failed += o.failed;
        self.uncertain += o.uncertain;
        self.held += o.held;
        self.skipped += o.skipped;
    }
}

impl StepRecord {
    /// A step that has not run (yet): `skipped` says why, when it will not.
    pub fn new(name: &str, mapping: &Path, skipped: Option<String>) -> StepRecord {
        StepRecord {
            name: name.to_string(),
            mapping: mapping.display().to_string(),
            inputs: Vec::new(),
            exit: None,
            skipped,
            message: None,
            summary: None,
            reports: None,
            archived: Vec::new(),
            warnings: Vec::new(),
            details: Details::default(),
            idle: false,
        }
    }

    /// Did not run, and accounting should hear about it.
    pub fn held_back(&self) -> bool {
        self.skipped.is_some() && !self.idle
    }

    /// Records how a run ended (its exit code and, when it stopped, why) and reads its
    /// counts and problems back from its report folder `dir`.
    pub fn finish(&mut self, exit: u8, message: Option<String>, dir: &Path) {
        self.exit = Some(exit);
        self.message = message;
        if dir.is_dir() {
            self.summary = read_summary(dir);
            self.details = read_details(dir);
            self.reports = Some(dir.to_path_buf());
        }
    }

    pub fn counts(&self) -> Counts {
        self.summary.as_ref().map(Counts::of).unwrap_or_default()
    }

    /// Stopped: exit 2 (nothing sent), 3 (aborted), 4 (reports not written) or 130.
    pub fn stopped(&self) -> bool {
        self.exit.is_some_and(|e| e >= 2)
    }

    /// Whether accounting should hear about this step.
    pub fn has_problems(&self) -> bool {
        let c = self.counts();
        self.stopped() || c.rejected + c.failed + c.uncertain + c.held > 0
    }
}

/// How bad an exit code is, for "the job's exit is the worst step's": an
/// interruption, then an abort, an input error, a report that could not be written, a
/// mail that could not be delivered, rows with problems, success.
pub fn severity(code: u8) -> u8 {
    match code {
        0 => 0,
        1 => 1,
        5 => 2,
        4 => 3,
        2 => 4,
        3 => 5,
        _ => 6,
    }
}

impl Night {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.steps {
            c.add(s.counts());
        }
        c
    }

    /// The worst exit code of the steps that ran.
    pub fn exit(&self) -> u8 {
        self.steps
            .iter()
            .filter_map(|s| s.exit)
            .max_by_key(|&e| severity(e))
            .unwrap_or(0)
    }

    pub fn has_problems(&self) -> bool {
        self.steps.iter().any(|s| s.has_problems() || s.held_back())
    }

    /// The names of the inputs, without their folders, in step order.
    pub fn input_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.steps {
            for i in &s.inputs {
                let name = Path::new(i)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| i.clone());
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        out
    }

    /// The job-level `summary.json`: `{"job", "dry_run", "started", "steps", "exit"}`
    /// plus `mail` when a mail was composed.
    pub fn summary_json(&self, exit: u8, mail: Option<&MailOutcome>) -> serde_json::Value {
        let mut v = serde_json::json!({
            "job": self.job,
            "dry_run": self.dry_run,
            "started": self.started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "steps": self.steps,
            "exit": exit,
        });
        if let (Some(m), Some(obj)) = (mail, v.as_object_mut()) {
            obj.insert(
                "mail".into(),
                serde_json::to_value(m).unwrap_or(serde_json::Value::Null),
            );
        }
        v
    }
}

/// What became of the night's mail, for `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct MailOutcome {
    /// `sent`, `failed`, or `written` (a dry run or the demo: only `mail.eml`).
    pub status: &'static str,
    pub to: Vec<String>,
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub eml: PathBuf,
}

/// Reads a step's `summary.json`, if it was written.
pub fn read_summary(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Reads the problems of a step back from its reports. Missing files are no problems.
pub fn read_details(dir: &Path) -> Details {
    let mut rules: Vec<RuleStat> = Vec::new();
    for row in records(&dir.join("errors.csv")) {
        let get = |k: &str| row.get(k).cloned().unwrap_or_default();
        let example = Example {
            at: format!("{}:{}", get("file"), get("row")),
            column: get("column"),
            value: get("value"),
            message: get("message"),
        };
        let rule = get("rule");
        match rules.iter_mut().find(|r| r.rule == rule) {
            Some(r) => {
                r.count += 1;
                if r.examples.len() < EXAMPLES {
                    r.examples.push(example);
                }
            }
            None => rules.push(RuleStat {
                rule,
                count: 1,
                examples: vec![example],
            }),
        }
    }
    // Most frequent first; ties keep the order the rules first appeared in.
    rules.sort_by_key(|r| std::cmp::Reverse(r.count));
    let short = |name: &str| -> Vec<Example> {
        records(&dir.join(name))
            .take(EXAMPLES)
            .map(|row| {
                let get = |k: &str| row.get(k).cloned().unwrap_or_default();
                Example {
                    at: format!("{}:{}", get("file"), get("row")),
                    column: get("key"),
                    value: get("http_status"),
                    message: get("message"),
                }
            })
            .collect()
    };
    Details {
        rules,
        failed: short("failed.csv"),
        uncertain: short("uncertain.csv"),
    }
}

/// The rows of a report CSV as maps from column to value; nothing when unreadable.
fn records(path: &Path) -> impl Iterator<Item = std::collections::HashMap<String, String>> {
    let reader = std::fs::File::open(path).ok().map(|f| {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(std::io::BufReader::new(f));
        let headers: Vec<String> = r
            .headers()
            .map(|h| {
                h.iter()
                    .map(|s| s.trim_start_matches('\u{feff}').to_string())
                    .collect()
            })
            .unwrap_or_default();
        (r, headers)
    });
    reader.into_iter().flat_map(|(r, headers)| {
        r.into_records().filter_map(Result::ok).map(move |rec| {
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(|v| unquote(v).to_string()))
                .collect()
        })
    })
}

/// The CSV reports put a `'` before text a spreadsheet would run as a formula; a
/// mail shows the value as the export held it.
fn unquote(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => v,
    }
}

/// Writes `text` to `path` through a temporary file, so a half-written file never
/// looks complete.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_file_name(format!(
        ".{}.{}.part",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("{}: cannot write: {e}", path.display())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_come_from_the_reports() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("errors.csv"),
            "\u{feff}file,row,column,value,rule,message\n\
             a.csv,3,Vergi No,,required_if,Cari Tipi \"Kurum\" olduğunda Vergi No zorunludur\n\
             a.csv,4,Telefon,12,phone_tr,Geçersiz telefon numarası\n\
             a.csv,5,Vergi No,,required_if,x\n\
             a.csv,6,Vergi No,,required_if,x\n\
             a.csv,7,Vergi No,,required_if,x\n\
             a.csv,8,Tutar,'-1+2,decimal,Sayı değil\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("failed.csv"),
            "\u{feff}file,row,key,http_status,attempts,message\na.csv,9,C9,404,1,Müşteri bulunamadı\n",
        )
        .unwrap();
        let d = read_details(dir.path());
        assert_eq!(d.rules[0].rule, "required_if");
        assert_eq!(d.rules[0].count, 4);
        assert_eq!(d.rules[0].examples.len(), EXAMPLES);
        assert_eq!(d.rules[0].examples[0].at, "a.csv:3");
        assert_eq!(d.rules[2].examples[0].value, "-1+2");
        assert_eq!(d.failed[0].message, "Müşteri bulunamadı");
        assert!(d.uncertain.is_empty());
    }

    #[test]
    fn the_worst_exit_wins() {
        let step = |exit| StepRecord {
            name: "s".into(),
            mapping: "m".into(),
            inputs: vec![],
            exit,
            skipped: None,
            message: None,
            summary: None,
            reports: None,
            archived: vec![],
            warnings: vec![],
            details: Details::default(),
            idle: false,
        };
        let night = |exits: &[Option<u8>]| Night {
            job: "j".into(),
            dir: PathBuf::new(),
            dry_run: false,
            started: chrono::Utc::now(),
            steps: exits.iter().map(|&e| step(e)).collect(),
        };
        assert_eq!(night(&[Some(0), Some(1), None]).exit(), 1);
        assert_eq!(night(&[Some(1), Some(2), Some(3)]).exit(), 3);
        assert_eq!(night(&[Some(3), Some(130)]).exit(), 130);
        assert_eq!(night(&[Some(1), Some(5), Some(4)]).exit(), 4);
        assert_eq!(night(&[]).exit(), 0);
    }
}
