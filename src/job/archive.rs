//! Archiving a step's inputs: moved into a folder once the step was not stopped, so
//! the next night's glob does not find them again. Never deleted: a file that cannot
//! be renamed across file systems is copied, synced, and only then removed, and a
//! name already in the folder gets a suffix instead of being overwritten.

use std::path::{Path, PathBuf};

/// Moves `file` into `folder` (created when missing); returns where it went.
pub fn archive(file: &Path, folder: &Path) -> Result<PathBuf, String> {
    let fail = |what: &str, e: std::io::Error| {
        format!(
            "{}: cannot archive into {}: {what}: {e}",
            file.display(),
            folder.display()
        )
    };
    std::fs::create_dir_all(folder).map_err(|e| fail("cannot create the folder", e))?;
    let name = file
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", file.display()))?;
    let dest = free_name(&folder.join(name));
    match std::fs::rename(file, &dest) {
        Ok(()) => Ok(dest),
        // Another file system: copy, make the copy durable, then remove the original.
        Err(_) => {
            std::fs::copy(file, &dest).map_err(|e| fail("copy", e))?;
            std::fs::File::open(&dest)
                .and_then(|f| f.sync_all())
                .map_err(|e| fail("sync", e))?;
            std::fs::remove_file(file).map_err(|e| fail("remove the original", e))?;
            Ok(dest)
        }
    }
}

/// `path`, or `stem-2.ext`, `stem-3.ext`, … when it is taken.
fn free_name(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| path.with_file_name(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("cari.csv");
        std::fs::write(&a, "1").unwrap();
        let folder = dir.path().join("islenen");
        let first = archive(&a, &folder).unwrap();
        assert_eq!(first, folder.join("cari.csv"));
        assert!(!a.exists());
        std::fs::write(&a, "2").unwrap();
        let second = archive(&a, &folder).unwrap();
        assert_eq!(second, folder.join("cari-2.csv"));
        assert_eq!(std::fs::read_to_string(first).unwrap(), "1");
        assert_eq!(std::fs::read_to_string(second).unwrap(), "2");
    }
}
