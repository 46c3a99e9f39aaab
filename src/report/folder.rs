//! A report folder named with `--report-dir` is used again run after run (a cron line
//! with a fixed folder). Before a run writes into it, the reports an earlier run left
//! there are removed — only the names aktar writes, never anything else a person keeps
//! there — so the folder never shows one run's errors beside another's summary. An
//! input kept there under one of those names would be overwritten by this run's report:
//! it is refused before anything is removed or written. Without `--report-dir`, each
//! run gets a folder of its own ([`fresh`]).

use std::path::{Path, PathBuf};

/// What a run writes into its folder (`.requests.jsonl` is a sending run's spill).
pub const RUN_FILES: &[&str] = &[
    "errors.csv",
    "errors.xlsx",
    "failed.csv",
    "uncertain.csv",
    "sent.csv",
    "summary.json",
    "payloads.jsonl",
    "mail.eml",
    ".requests.jsonl",
];

/// What a job run writes at the top of its folder, beside a folder per step.
pub const NIGHT_FILES: &[&str] = &["summary.json", "index.html", "mail.eml"];

/// Makes `dir` ready for a run that writes `names` there: refuses when one of `inputs`
/// is one of those files, then removes those an earlier run left. A folder that does not
/// exist yet is left to be created.
pub fn reuse(dir: &Path, names: &[&str], inputs: &[PathBuf]) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    for name in names {
        let report = dir.join(name);
        if std::fs::symlink_metadata(&report).is_err() {
            continue;
        }
        if let Some(input) = inputs.iter().find(|i| same_file(i, &report)) {
            return Err(format!(
                "{}: this input is the report folder's {name}, which the run would overwrite; move or rename it, or choose another --report-dir",
                input.display()
            ));
        }
    }
    for name in names {
        let report = dir.join(name);
        match std::fs::symlink_metadata(&report) {
            // A folder is nothing aktar wrote: left alone, it makes the report that
            // goes there fail to write, with that report's name.
            Ok(m) if m.is_dir() => {}
            Ok(_) => std::fs::remove_file(&report).map_err(|e| {
                format!(
                    "{}: cannot remove the report an earlier run left: {e}",
                    report.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", report.display())),
        }
    }
    remove_orphaned_scratch(dir);
    Ok(())
}

/// The scratch files a run keeps beside its spill, named `.<what>.<pid>` or
/// `.<what>.<pid>.<n>`: key digests, rejected rows' keys, accepted rows.
const SCRATCH: &[&str] = &["digests", "rejected-keys", "sent"];

/// The scratch files a run keeps beside `errors.csv`, named `.errors.<pid>.<what>`:
/// its problems in file order, those found at the end, the rows `errors.xlsx` shows.
const ERRORS_SCRATCH: &[&str] = &["sorted", "late", "shown", "shown-merged"];

/// Removes the scratch files of runs that no longer run: a run ended by `kill -9` or a
/// power cut cannot remove its own. A process is known to run by `/proc/<pid>`; where
/// there is no `/proc`, nothing is removed. Removal is best effort: a file that cannot
/// be removed only takes room.
fn remove_orphaned_scratch(dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix('.') else {
            continue;
        };
        let mut parts = rest.split('.');
        let (Some(what), Some(pid)) = (parts.next(), parts.next()) else {
            continue;
        };
        let rest: Vec<&str> = parts.collect();
        let numbered = rest
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let ours = match (what, rest.as_slice()) {
            ("errors", [kind]) => ERRORS_SCRATCH.contains(kind),
            _ => SCRATCH.contains(&what) && numbered,
        };
        if !ours
            || pid.is_empty()
            || !pid.bytes().all(|b| b.is_ascii_digit())
            || proc.join(pid).exists()
        {
            continue;
        }
        let _ = std::fs::remove_file(entry.path());
    }
}

/// Whether `input` is the file at `report`: the same path once links and `..` are
/// resolved, the report's name given through a link, or (on Unix) a hard link.
fn same_file(input: &Path, report: &Path) -> bool {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(input), std::fs::canonicalize(report))
        && a == b
    {
        return true;
    }
    let spelled = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty())?;
        Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
    };
    if spelled(input).is_some_and(|a| Some(a) == spelled(report)) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(input), std::fs::metadata(report)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

/// A folder of its own for one run: `<base>/<name>-<UTC time>/`, with `-2`, `-3`, … when
/// a run of the same name started in the same second; created.
pub fn fresh(base: &Path, name: &str) -> Result<PathBuf, String> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let first = base.join(format!("{name}-{stamp}"));
    let mut dir = first.clone();
    let mut n = 2;
    while dir.exists() {
        dir = PathBuf::from(format!("{}-{n}", first.display()));
        n += 1;
    }
    create(&dir)?;
    Ok(dir)
}

/// Creates a report folder (and its parents), naming it when it cannot.
pub fn create(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("{}: cannot create the report folder: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        (dir, out)
    }

    #[test]
    fn scratch_files_of_runs_that_no_longer_run_are_removed() {
        let (_dir, out) = folder();
        // A process that has ended: its pid no longer runs (unless the system has
        // given it to another process since, which this test then skips).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        if Path::new("/proc").join(gone.to_string()).exists() {
            return;
        }
        let mine = std::process::id();
        let names = [
            format!(".digests.{gone}.0"),
            format!(".digests.{gone}.12"),
            format!(".rejected-keys.{gone}"),
            format!(".sent.{gone}"),
            format!(".sent.{mine}"),
            format!(".digests.{mine}.0"),
            format!(".notes.{gone}"),
            format!(".sent.{gone}.bak"),
            "sent.123".to_string(),
            format!(".errors.{gone}.sorted"),
            format!(".errors.{gone}.late"),
            format!(".errors.{gone}.shown"),
            format!(".errors.{gone}.shown-merged"),
            format!(".errors.{mine}.shown"),
            format!(".errors.{gone}.notes"),
            format!(".errors.{gone}"),
        ];
        for name in &names {
            std::fs::write(out.join(name), "x").unwrap();
        }
        reuse(&out, RUN_FILES, &[]).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let on_linux = Path::new("/proc/self").exists();
        let mut expected: Vec<String> = if on_linux {
            vec![
                format!(".digests.{mine}.0"),
                format!(".errors.{gone}"),
                format!(".errors.{gone}.notes"),
                format!(".errors.{mine}.shown"),
                format!(".notes.{gone}"),
                format!(".sent.{gone}.bak"),
                format!(".sent.{mine}"),
                "sent.123".to_string(),
            ]
        } else {
            names.to_vec()
        };
        expected.sort();
        assert_eq!(left, expected);
    }

    #[test]
    fn only_the_reports_of_an_earlier_run_are_removed() {
        let (_dir, out) = folder();
        for name in [
            "errors.csv",
            "failed.csv",
            ".requests.jsonl",
            "notlar.txt",
            "a.csv",
        ] {
            std::fs::write(out.join(name), "x").unwrap();
        }
        std::fs::create_dir_all(out.join("summary.json/x")).unwrap();
        reuse(&out, RUN_FILES, &[]).unwrap();
        std::fs::remove_dir_all(out.join("summary.json")).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.csv", "notlar.txt"]);
        // A folder that is not there yet is no error.
        reuse(&out.join("yeni"), RUN_FILES, &[]).unwrap();
    }

    #[test]
    fn an_input_under_a_report_name_is_refused_and_kept() {
        let (dir, out) = folder();
        let input = out.join("errors.csv");
        std::fs::write(&input, "Kod\n1\n").unwrap();
        std::fs::write(out.join("summary.json"), "{}").unwrap();
        let through = dir.path().join("out/../out/errors.csv");
        for given in [&input, &through] {
            let e = reuse(&out, RUN_FILES, std::slice::from_ref(given)).unwrap_err();
            assert!(
                e.contains("errors.csv, which the run would overwrite"),
                "{e}"
            );
        }
        assert!(input.exists() && out.join("summary.json").exists());
        // Under a name of its own an input is kept like any other file.
        let other = out.join("cariler.csv");
        std::fs::write(&other, "Kod\n1\n").unwrap();
        reuse(&out, RUN_FILES, std::slice::from_ref(&other)).unwrap();
        assert!(other.exists() && !out.join("summary.json").exists());
    }

    #[cfg(unix)]
    #[test]
    fn an_input_linked_in_under_a_report_name_is_refused() {
        let (dir, out) = folder();
        let export = dir.path().join("cariler.csv");
        std::fs::write(&export, "Kod\n1\n").unwrap();
        std::os::unix::fs::symlink(&export, out.join("errors.csv")).unwrap();
        assert!(reuse(&out, RUN_FILES, std::slice::from_ref(&export)).is_err());
        std::fs::remove_file(out.join("errors.csv")).unwrap();
        std::fs::hard_link(&export, out.join("errors.xlsx")).unwrap();
        assert!(reuse(&out, RUN_FILES, std::slice::from_ref(&export)).is_err());
        assert!(export.exists());
    }
}
