//! One run at a time per job file, as the journal allows one sending run at a time:
//! a second `aktar job run` of the same file while the first is running stops at
//! once. The lock is an OS file lock (released when the process dies, so a killed run
//! never leaves the job locked), kept beside the journal rather than beside the job
//! file, whose folder may be read-only.

use std::path::{Path, PathBuf};

pub struct JobLock {
    _file: std::fs::File,
}

/// Takes the lock of the job file `job`, in the folder `state_dir`.
pub fn acquire(job: &Path, state_dir: &Path) -> Result<JobLock, String> {
    let canonical = std::fs::canonicalize(job).unwrap_or_else(|_| job.to_path_buf());
    let digest = blake3::hash(canonical.display().to_string().as_bytes()).to_hex();
    let stem = crate::mapping::name_of(job);
    let path: PathBuf = state_dir.join(format!("job-{stem}-{}.lock", &digest[..16]));
    let fail = |e: std::io::Error| {
        format!(
            "{}: cannot take the job's lock {}: {e}",
            job.display(),
            path.display()
        )
    };
    if !state_dir.as_os_str().is_empty() {
        std::fs::create_dir_all(state_dir).map_err(fail)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(fail)?;
    match file.try_lock() {
        Ok(()) => Ok(JobLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "{}: another run of this job is in progress; one at a time",
            job.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_of_the_same_job_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let job = dir.path().join("gece.toml");
        std::fs::write(&job, "").unwrap();
        let other = dir.path().join("hafta.toml");
        std::fs::write(&other, "").unwrap();
        let state = dir.path().join(".aktar");
        let first = acquire(&job, &state).unwrap();
        let e = acquire(&job, &state).err().unwrap();
        assert!(e.contains("gece.toml") && e.contains("in progress"), "{e}");
        let _other = acquire(&other, &state).unwrap();
        drop(first);
        assert!(acquire(&job, &state).is_ok());
    }
}
