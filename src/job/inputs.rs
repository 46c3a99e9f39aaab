//! A step's inputs, turned into files when the step runs.
//!
//! ERP exports carry the date in their names (`cari_20261128.csv`), so an input may
//! be a glob, and `pick = "newest"` takes the match changed last. `max_age` refuses
//! a file older than the limit: an export that did not run last night leaves
//! yesterday's file in place, and sending it again must not look like a quiet night.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::{Input, Source};

/// What a step's inputs came to.
#[derive(Debug, PartialEq)]
pub enum Resolved {
    Files(Vec<PathBuf>),
    /// An input marked `missing = "skip"` matched nothing: the step is skipped.
    Nothing(String),
}

/// Resolves every input at `now`. `Err` stops the step (exit 2) with the reason.
pub fn resolve(inputs: &[Input], now: SystemTime) -> Result<Resolved, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    for input in inputs {
        let chosen = match &input.source {
            Source::Path(p) => {
                if p.exists() {
                    vec![p.clone()]
                } else if input.skip_if_missing {
                    return Ok(Resolved::Nothing(format!("{} does not exist", p.display())));
                } else {
                    return Err(format!("{}: the input file does not exist", p.display()));
                }
            }
            Source::Glob { pattern, newest } => {
                let mut found = matches(pattern)?;
                if found.is_empty() {
                    let why = format!("no file matches {pattern}");
                    if input.skip_if_missing {
                        return Ok(Resolved::Nothing(why));
                    }
                    return Err(why);
                }
                if *newest {
                    // Ties in modification time go to the later name, which for dated
                    // export names is the later date.
                    found.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
                    found = found.pop().into_iter().collect();
                }
                found.into_iter().map(|(p, _)| p).collect()
            }
        };
        if let Some(limit) = input.max_age {
            for p in &chosen {
                check_age(p, limit, now)?;
            }
        }
        for p in chosen {
            if !files.contains(&p) {
                files.push(p);
            }
        }
    }
    Ok(Resolved::Files(files))
}

/// The files matching `pattern` with their modification times, in name order.
fn matches(pattern: &str) -> Result<Vec<(PathBuf, SystemTime)>, String> {
    let paths = glob::glob(pattern).map_err(|e| format!("glob {pattern}: {e}"))?;
    let mut out = Vec::new();
    for p in paths {
        let p = p.map_err(|e| format!("glob {pattern}: {e}"))?;
        let meta = std::fs::metadata(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_file() {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.push((super::clean(&p), modified));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn check_age(path: &std::path::Path, limit: Duration, now: SystemTime) -> Result<(), String> {
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let age = now.duration_since(modified).unwrap_or_default();
    if age > limit {
        return Err(format!(
            "{} was last changed {} ago, longer than max_age ({}): the export may not have run; nothing of this step was sent",
            path.display(),
            human(age),
            human(limit)
        ));
    }
    Ok(())
}

/// `2d 3h`, `20h`, `45m`, `30s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, mins) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use std::fs::{File, FileTimes};

    use super::*;

    fn touch(dir: &std::path::Path, name: &str, age: Duration) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "x").unwrap();
        let t = SystemTime::now() - age;
        File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_times(FileTimes::new().set_modified(t))
            .unwrap();
        p
    }

    fn glob_input(dir: &std::path::Path, newest: bool, max_age: Option<u64>) -> Input {
        Input {
            source: Source::Glob {
                pattern: format!("{}/cari_*.csv", dir.display()),
                newest,
            },
            max_age: max_age.map(|h| Duration::from_secs(h * 3600)),
            skip_if_missing: false,
        }
    }

    #[test]
    fn newest_takes_the_last_changed_match() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            "cari_20261127.csv",
            Duration::from_secs(30 * 3600),
        );
        let new = touch(dir.path(), "cari_20261128.csv", Duration::from_secs(3600));
        touch(dir.path(), "hareket_20261128.csv", Duration::ZERO);
        let got = resolve(&[glob_input(dir.path(), true, Some(20))], SystemTime::now());
        assert_eq!(got, Ok(Resolved::Files(vec![new])));
        let all = resolve(&[glob_input(dir.path(), false, None)], SystemTime::now());
        assert!(matches!(all, Ok(Resolved::Files(f)) if f.len() == 2));
    }

    #[test]
    fn a_file_older_than_max_age_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            "cari_20261127.csv",
            Duration::from_secs(30 * 3600),
        );
        let e = resolve(&[glob_input(dir.path(), true, Some(20))], SystemTime::now()).unwrap_err();
        assert!(
            e.contains("cari_20261127.csv") && e.contains("max_age (20h)"),
            "{e}"
        );
        assert!(e.contains("1d 6h"), "{e}");
    }

    #[test]
    fn nothing_matching_is_an_error_or_a_skip() {
        let dir = tempfile::tempdir().unwrap();
        let e = resolve(&[glob_input(dir.path(), true, None)], SystemTime::now()).unwrap_err();
        assert!(e.contains("no file matches"), "{e}");
        let mut skip = glob_input(dir.path(), true, None);
        skip.skip_if_missing = true;
        assert!(matches!(
            resolve(&[skip], SystemTime::now()),
            Ok(Resolved::Nothing(_))
        ));
    }
}
