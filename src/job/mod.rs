//! Job files: the night as one file — mappings in order, each with its inputs, the
//! steps that must have arrived first, what to archive, and where the mail goes.
//!
//! Like a mapping, a job file is read in two stages: [`spec`] is the file as written,
//! [`load`] checks its shape (names, inputs, `after`, the order the steps run in),
//! and [`Job::check_mappings`] compiles every step's mapping against the
//! configuration's endpoints. Every mistake is reported with the job file's line and
//! column before any step runs, so a broken job file never half-runs a night.
//! Relative paths in a job file are relative to the job file.
//!
//! [`inputs`] turns an input (a path or a glob, `pick = "newest"`, `max_age`) into
//! files at run time; [`night`] is what a job run leaves (its `summary.json`), and
//! [`render`] shows it as text and HTML (`index.html`, the mail to accounting).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::located::{Collector, FileError, FileErrors};
use crate::notify::EmailConfig;
use crate::providers::Registry;

pub mod archive;
pub mod inputs;
pub mod lock;
pub mod night;
pub mod render;
pub mod spec;

use spec::{InputSpec, JobSpec};

/// A checked job file.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    /// The job file, as given.
    pub path: PathBuf,
    /// `config`, resolved against the job file's folder.
    pub config: Option<PathBuf>,
    /// The job file's own `[notify.email]`, which wins over the configuration's.
    pub email: Option<EmailConfig>,
    /// In file order.
    pub steps: Vec<Step>,
    /// The order the steps run in: file order, except that a step waits for the
    /// steps its `after` names.
    pub order: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub mapping: PathBuf,
    pub inputs: Vec<Input>,
    pub archive: Option<PathBuf>,
    pub after: Vec<String>,
    /// Where `mapping` is written in the job file: its mistakes are reported there.
    mapping_at: (usize, usize),
}

/// One input of a step, paths resolved against the job file's folder.
#[derive(Debug, Clone)]
pub struct Input {
    pub source: Source,
    pub max_age: Option<Duration>,
    /// No matching file skips the step instead of stopping it.
    pub skip_if_missing: bool,
}

#[derive(Debug, Clone)]
pub enum Source {
    Path(PathBuf),
    Glob { pattern: String, newest: bool },
}

/// Reads and checks a job file (everything but its mappings: see
/// [`Job::check_mappings`]).
pub fn load(path: &Path) -> Result<Job, FileErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileErrors::whole(&file, format!("cannot read the job file: {e}")))?;
    let mut cx = Collector::new(file, &text);
    let spec: JobSpec = match toml::from_str(&text) {
        Ok(s) => s,
        Err(e) => {
            cx.err(e.span().unwrap_or(0..0), e.message().trim_end().to_string());
            return Err(FileErrors(cx.errors));
        }
    };
    let base = clean(
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    );
    let job = build(&mut cx, spec, &base, path);
    if cx.errors.is_empty() {
        Ok(job)
    } else {
        Err(FileErrors(cx.errors))
    }
}

fn build(cx: &mut Collector<'_>, spec: JobSpec, base: &Path, path: &Path) -> Job {
    check_name(cx, &spec.name, "the job's name");
    if spec.steps.is_empty() {
        cx.err(
            0..0,
            "the job has no steps; add [[step]] tables with a name, a mapping and an input".into(),
        );
    }
    let config = spec.config.as_ref().map(|c| clean(&base.join(c.get_ref())));
    if let (Some(c), Some(p)) = (&spec.config, &config)
        && !p.is_file()
    {
        cx.err(c.span(), format!("config: {} does not exist", p.display()));
    }
    let email = spec.notify.and_then(|n| n.email);
    if let Some(e) = &email
        && let Err(message) = e.check()
    {
        cx.err(0..0, format!("[notify.email]: {message}"));
    }

    let mut steps = Vec::new();
    let mut after_spans = Vec::new();
    for s in &spec.steps {
        let st = s.get_ref();
        check_name(cx, &st.name, "a step's name");
        if steps.iter().any(|o: &Step| o.name == *st.name.get_ref()) {
            cx.err(
                st.name.span(),
                format!("two steps are named `{}`", st.name.get_ref()),
            );
        }
        let mut inputs = Vec::new();
        match (&st.input, &st.inputs) {
            (Some(i), None) => inputs.extend(input(cx, i.get_ref(), i.span(), base)),
            (None, Some(list)) => {
                if list.get_ref().is_empty() {
                    cx.err(list.span(), "inputs is empty".into());
                }
                for i in list.get_ref() {
                    inputs.extend(input(cx, i.get_ref(), i.span(), base));
                }
            }
            (Some(_), Some(_)) => cx.err(
                s.span(),
                format!(
                    "step `{}` has both input and inputs; write one",
                    st.name.get_ref()
                ),
            ),
            (None, None) => cx.err(
                s.span(),
                format!(
                    "step `{}` has no input; write input = \"...\" or inputs = [...]",
                    st.name.get_ref()
                ),
            ),
        }
        let archive = st.archive.as_ref().and_then(|a| {
            if a.get_ref().trim().is_empty() {
                cx.err(a.span(), "archive is empty; name a folder".into());
                None
            } else {
                Some(clean(&base.join(a.get_ref())))
            }
        });
        after_spans.push(
            st.after
                .iter()
                .map(|a| (a.get_ref().clone(), a.span()))
                .collect::<Vec<_>>(),
        );
        let at = crate::located::line_col(cx.text, st.mapping.span().start);
        steps.push(Step {
            name: st.name.get_ref().clone(),
            mapping: clean(&base.join(st.mapping.get_ref())),
            inputs,
            archive,
            after: st.after.iter().map(|a| a.get_ref().clone()).collect(),
            mapping_at: at,
        });
    }
    for (i, spans) in after_spans.iter().enumerate() {
        for (name, span) in spans {
            if *name == steps[i].name {
                cx.err(
                    span.clone(),
                    format!("step `{name}` cannot wait for itself"),
                );
            } else if !steps.iter().any(|s| s.name == *name) {
                let known: Vec<_> = steps.iter().map(|s| format!("`{}`", s.name)).collect();
                cx.err(
                    span.clone(),
                    format!(
                        "after: no step is named `{name}`; the steps are {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }
    let order = match order(&steps) {
        Ok(o) => o,
        Err(cycle) => {
            let span = spec
                .steps
                .iter()
                .find(|s| s.get_ref().name.get_ref() == &cycle[0])
                .and_then(|s| s.get_ref().after.first().map(|a| a.span()))
                .unwrap_or(0..0);
            cx.err(
                span,
                format!(
                    "after: the steps wait for each other in a cycle ({}); one of them must run first",
                    cycle.join(" → ")
                ),
            );
            Vec::new()
        }
    };
    Job {
        name: spec.name.get_ref().clone(),
        path: path.to_path_buf(),
        config,
        email,
        steps,
        order,
    }
}

/// `path` made absolute with `.` and `..` taken out, without following links: the
/// paths a report and a mail show (`/srv/aktar/mappings/…`, not `jobs/../mappings/…`).
pub fn clean(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Names become folder names: no separators, nothing a shell or a file system reads
/// specially.
fn check_name(cx: &mut Collector<'_>, name: &toml::Spanned<String>, what: &str) {
    let n = name.get_ref();
    let ok = !n.trim().is_empty()
        && n != "."
        && n != ".."
        && !n.starts_with('.')
        && n.chars().all(|c| {
            !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        });
    if !ok {
        cx.err(
            name.span(),
            format!(
                "{what} `{n}` cannot name a folder; use letters, digits, `-` and `_` (e.g. \"cariler\")"
            ),
        );
    }
}

fn input(
    cx: &mut Collector<'_>,
    spec: &InputSpec,
    span: std::ops::Range<usize>,
    base: &Path,
) -> Option<Input> {
    let t = match spec {
        InputSpec::Path(p) => {
            return Some(Input {
                source: Source::Path(clean(&base.join(p))),
                max_age: None,
                skip_if_missing: false,
            });
        }
        InputSpec::Table(t) => t,
    };
    let mut ok = true;
    let mut bad = |cx: &mut Collector<'_>, message: String| {
        cx.err(span.clone(), message);
        ok = false;
    };
    let newest = match t.pick.as_deref() {
        None | Some("all") => false,
        Some("newest") => true,
        Some(other) => {
            bad(cx, format!("pick = \"{other}\": use \"newest\" or \"all\""));
            false
        }
    };
    let source = match (&t.path, &t.glob) {
        (Some(p), None) => {
            if t.pick.is_some() {
                bad(cx, "pick goes with glob, not with path".into());
            }
            Some(Source::Path(clean(&base.join(p))))
        }
        (None, Some(g)) => {
            let pattern = if Path::new(g).is_absolute() {
                g.clone()
            } else {
                // The folder is taken literally even when its name holds `[` or `*`.
                format!("{}/{g}", glob::Pattern::escape(&base.display().to_string()))
            };
            match glob::Pattern::new(&pattern) {
                Ok(_) => Some(Source::Glob { pattern, newest }),
                Err(e) => {
                    bad(cx, format!("glob `{g}`: {e}"));
                    None
                }
            }
        }
        (Some(_), Some(_)) => {
            bad(cx, "an input has path or glob, not both".into());
            None
        }
        (None, None) => {
            bad(
                cx,
                "an input table needs path = \"...\" or glob = \"...\"".into(),
            );
            None
        }
    };
    let max_age = t.max_age.as_deref().and_then(|a| match spec::parse_age(a) {
        Ok(d) => Some(d),
        Err(m) => {
            bad(cx, format!("max_age: {m}"));
            None
        }
    });
    let skip_if_missing = match t.missing.as_deref() {
        None | Some("error") => false,
        Some("skip") => true,
        Some(other) => {
            bad(
                cx,
                format!("missing = \"{other}\": use \"error\" or \"skip\""),
            );
            false
        }
    };
    let source = source?;
    ok.then_some(Input {
        source,
        max_age,
        skip_if_missing,
    })
}

/// The order the steps run in: file order, a step put off until every step it
/// waits for has run. `Err` holds the names around a cycle, its first name repeated
/// at the end.
fn order(steps: &[Step]) -> Result<Vec<usize>, Vec<String>> {
    let deps: Vec<Vec<usize>> = steps
        .iter()
        .map(|s| {
            s.after
                .iter()
                .filter_map(|a| steps.iter().position(|o| o.name == *a))
                .collect()
        })
        .collect();
    let mut done = vec![false; steps.len()];
    let mut out = Vec::with_capacity(steps.len());
    while out.len() < steps.len() {
        let next = (0..steps.len()).find(|&i| !done[i] && deps[i].iter().all(|&d| done[d]));
        match next {
            Some(i) => {
                done[i] = true;
                out.push(i);
            }
            None => return Err(cycle(steps, &deps, &done)),
        }
    }
    Ok(out)
}

/// Follows waits among the steps not yet placed until one repeats: a cycle.
fn cycle(steps: &[Step], deps: &[Vec<usize>], done: &[bool]) -> Vec<String> {
    let Some(mut at) = (0..steps.len()).find(|&i| !done[i]) else {
        return Vec::new();
    };
    let mut path = Vec::new();
    while !path.contains(&at) {
        path.push(at);
        match deps[at].iter().find(|&&d| !done[d]) {
            Some(&d) => at = d,
            None => break,
        }
    }
    let start = path.iter().position(|&p| p == at).unwrap_or(0);
    let mut names: Vec<String> = path[start..]
        .iter()
        .map(|&i| steps[i].name.clone())
        .collect();
    if let Some(first) = names.first().cloned() {
        names.push(first);
    }
    names
}

impl Job {
    /// Compiles every step's mapping against `registry`; a mapping that is missing or
    /// wrong is reported at the job file's `mapping` line, followed by the mapping's
    /// own mistakes.
    pub fn check_mappings(&self, registry: &Registry) -> Result<(), FileErrors> {
        let mut errors = Vec::new();
        for s in &self.steps {
            let at = |message: String| FileError {
                file: self.path.display().to_string(),
                line: s.mapping_at.0,
                column: s.mapping_at.1,
                message,
            };
            if !s.mapping.is_file() {
                errors.push(at(format!(
                    "step `{}`: the mapping {} does not exist",
                    s.name,
                    s.mapping.display()
                )));
                continue;
            }
            if let Err(e) = crate::mapping::load_with(&s.mapping, registry) {
                errors.push(at(format!(
                    "step `{}`: the mapping {} has mistakes:",
                    s.name,
                    s.mapping.display()
                )));
                errors.extend(e.0);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(FileErrors(errors))
        }
    }
}

#[cfg(test)]
mod tests;
