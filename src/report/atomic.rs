//! Write-then-rename for every report file.
//!
//! A report is written under a hidden temporary name in the same directory (so the
//! rename stays on one file system and is atomic) and moved over the real name only
//! when it is complete and synced. A run killed half-way leaves the previous report
//! or none, never a truncated file that a script or a person would take as finished.
//! The guard and the writer are separate values so that a streaming writer
//! ([`super::PayloadWriter`]) can hold both, and dropping an uncommitted guard removes
//! the temporary file.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ReportError;

/// Owns the temporary file until [`AtomicFile::commit`] renames it into place.
pub(crate) struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file beside `dest` (and the directory, when missing).
    pub(crate) fn create(dest: &Path) -> Result<(AtomicFile, BufWriter<File>), ReportError> {
        let name = dest.file_name().ok_or_else(|| ReportError::NotAFile {
            path: dest.to_path_buf(),
        })?;
        // The process id keeps two runs writing into the same directory from
        // sharing a temporary file.
        let tmp_name = format!(".{}.{}.part", name.to_string_lossy(), std::process::id());
        let tmp = dest.with_file_name(tmp_name);
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| io_error(dest, e))?;
        }
        let file = File::create(&tmp).map_err(|e| io_error(dest, e))?;
        let guard = AtomicFile {
            dest: dest.to_path_buf(),
            tmp,
            committed: false,
        };
        Ok((guard, BufWriter::new(file)))
    }

    /// The path the report will have once committed; errors name this one.
    pub(crate) fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes and syncs the file, closes it, then renames it to its real name.
    pub(crate) fn commit(self, out: BufWriter<File>) -> Result<(), ReportError> {
        self.finish(out, true)
    }

    /// [`AtomicFile::commit`] without waiting for the disk: for a file as large as the
    /// requests of a whole export, whose sync would hold up every report written after
    /// it (one file system journal) and which a rerun makes again.
    pub(crate) fn commit_unsynced(self, out: BufWriter<File>) -> Result<(), ReportError> {
        self.finish(out, false)
    }

    fn finish(mut self, mut out: BufWriter<File>, sync: bool) -> Result<(), ReportError> {
        out.flush().map_err(|e| io_error(&self.dest, e))?;
        let file = out
            .into_inner()
            .map_err(|e| io_error(&self.dest, e.into_error()))?;
        if sync {
            file.sync_all().map_err(|e| io_error(&self.dest, e))?;
        }
        // Closed before the rename: Windows refuses to move a file that is open.
        drop(file);
        fs::rename(&self.tmp, &self.dest).map_err(|e| io_error(&self.dest, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover hidden `.part` file is harmless, and there is
            // no one to report a failure to from a destructor.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Runs `write` against a temporary file and commits it only when `write` succeeds.
pub(crate) fn write_atomically<F>(dest: &Path, write: F) -> Result<(), ReportError>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<(), ReportError>,
{
    let (guard, mut out) = AtomicFile::create(dest)?;
    write(&mut out)?;
    guard.commit(out)
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> ReportError {
    ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_moves_the_file_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        write_atomically(&dest, |w| {
            w.write_all(b"hello").map_err(|e| io_error(&dest, e))
        })
        .unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"hello");
        assert_eq!(entries(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        fs::write(&dest, b"previous").unwrap();
        let result = write_atomically(&dest, |w| {
            w.write_all(b"half").map_err(|e| io_error(&dest, e))?;
            Err(ReportError::NotAFile { path: dest.clone() })
        });
        assert!(result.is_err());
        assert_eq!(fs::read(&dest).unwrap(), b"previous");
        assert_eq!(entries(dir.path()), ["out.txt"]);
    }

    #[test]
    fn the_temporary_file_is_hidden_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        let (guard, out) = AtomicFile::create(&dest).unwrap();
        let names = entries(dir.path());
        assert_eq!(names.len(), 1);
        assert!(names[0].starts_with(".out.txt.") && names[0].ends_with(".part"));
        assert!(!dest.exists());
        guard.commit(out).unwrap();
        assert!(dest.exists());
    }

    #[test]
    fn missing_directories_are_created() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a/b/out.txt");
        write_atomically(&dest, |_| Ok(())).unwrap();
        assert!(dest.exists());
    }

    #[test]
    fn errors_name_the_report_not_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"").unwrap();
        let dest = blocker.join("out.txt");
        let err = write_atomically(&dest, |_| Ok(())).unwrap_err();
        assert!(
            err.to_string().contains(&dest.display().to_string()),
            "{err}"
        );
    }
}
