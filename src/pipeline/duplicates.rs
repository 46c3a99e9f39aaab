//! Taking the rows of a repeated key out of the spill, once every key has been seen:
//! they were valid on their own, but which of two rows with one key is right is for
//! accounting to say, so both go to the report and neither is sent.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use super::digests::{Digests, KeyLog};
use super::{FileInfo, PipelineError, describe, duplicate_error, rejected_row};
use crate::mapping::Mapping;
use crate::read::{self, Record, SourcePos};
use crate::report::Rejects;

#[derive(serde::Deserialize)]
struct SpillPos {
    file: String,
    row: u64,
    key: String,
}

/// Removes the rows of duplicated keys from the spill and hands them to `rejected`,
/// with their cells read back from their files; returns how many. Runs only when
/// there are duplicates.
pub(super) fn filter_spill(
    m: &Mapping,
    spill: &Path,
    files: &[FileInfo],
    dups: &HashMap<(usize, u64), String>,
    rejected: &mut Rejects,
) -> Result<u64, PipelineError> {
    use std::io::Write;
    let spill_err = |source| PipelineError::Spill {
        path: spill.display().to_string(),
        source,
    };
    let tmp = spill.with_extension("filtering");
    let src = std::io::BufReader::new(std::fs::File::open(spill).map_err(spill_err)?);
    let mut dst = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(spill_err)?);
    let mut removed: HashMap<(usize, u64), String> = HashMap::new();
    for line in src.lines() {
        let line = line.map_err(spill_err)?;
        let hit = serde_json::from_str::<SpillPos>(&line).ok().and_then(|p| {
            let f = files
                .iter()
                .position(|fi| spill_file_name(&fi.pos) == p.file)?;
            dups.contains_key(&(f, p.row))
                .then_some(((f, p.row), p.key))
        });
        match hit {
            Some((at, key)) => {
                removed.insert(at, key);
            }
            None => writeln!(dst, "{line}").map_err(spill_err)?,
        }
    }
    dst.flush().map_err(spill_err)?;
    drop(dst);
    std::fs::rename(&tmp, spill).map_err(spill_err)?;

    let pulled = removed.len() as u64;
    for (idx, info) in files.iter().enumerate() {
        if !removed.keys().any(|(f, _)| *f == idx) {
            continue;
        }
        let table = read::open(&info.path, &m.source)?;
        for rec in table.records {
            if let Record::Data(row) = rec?
                && let Some(key) = removed.get(&(idx, row.pos.row))
            {
                let other = dups.get(&(idx, row.pos.row)).map_or("", String::as_str);
                let err = duplicate_error(&row.pos, &info.key_column, key, other);
                rejected.add_late_row(
                    (idx, row.pos.row),
                    rejected_row(row, vec![err], &info.column_map),
                );
            }
        }
    }
    Ok(pulled)
}

/// The `file` value the payload writer records for a position.
fn spill_file_name(pos: &SourcePos) -> String {
    crate::report::file_label(pos).into_owned()
}

/// The rows whose key another row has too, each with a description of that other row;
/// the rejected ones among them get their duplicate problem added to the report.
pub(super) fn found(
    files: &[FileInfo],
    seen: Digests,
    rejected_keys: KeyLog,
    rejected: &mut Rejects,
) -> std::io::Result<HashMap<(usize, u64), String>> {
    let mut dups: HashMap<(usize, u64), String> = HashMap::new();
    seen.repeated(|group| {
        for (i, s) in group.iter().enumerate() {
            let other = group[if i == 0 { 1 } else { 0 }];
            let pos = SourcePos {
                row: other.row(),
                ..files[other.file()].pos.clone()
            };
            dups.insert((s.file(), s.row()), describe(&pos));
        }
    })?;
    if !dups.is_empty() {
        rejected_keys.replay(|file_idx, row, key| {
            if let Some(other) = dups.get(&(file_idx, row)) {
                let pos = SourcePos {
                    row,
                    ..files[file_idx].pos.clone()
                };
                let column = &files[file_idx].key_column;
                let e = duplicate_error(&pos, column, &key, other);
                rejected.add_late((file_idx, row), e);
            }
        })?;
    }
    Ok(dups)
}
