//! Every row's key digest and position, kept until the last row is read to find the
//! keys that repeat, in memory that does not grow with the file.
//!
//! Up to [`RUN`] entries (24 bytes each) are kept in memory; past that they are sorted
//! and written to a run file beside the spill, and at the end the runs are merged, at
//! most [`FAN_IN`] at a time.
//! The rejected rows' keys, needed only to word a duplicate's message, go to a log
//! file the same way and are read back only when there are duplicates.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Entries kept in memory before a sorted run goes to disk (3 MiB; twice that while
/// one run is written and the next fills).
const RUN: usize = 1 << 17;

/// A row's key digest and position, packed: 24 bytes a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Seen {
    hash: [u64; 2],
    /// Input index in the top 16 bits, row number in the rest.
    at: u64,
}

impl Seen {
    pub(super) fn new(hash: u128, file: usize, row: u64) -> Seen {
        Seen {
            hash: [(hash >> 64) as u64, hash as u64],
            at: ((file as u64) << 48) | (row & ((1 << 48) - 1)),
        }
    }

    pub(super) fn file(self) -> usize {
        (self.at >> 48) as usize
    }

    pub(super) fn row(self) -> u64 {
        self.at & ((1 << 48) - 1)
    }

    fn bytes(self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[..8].copy_from_slice(&self.hash[0].to_le_bytes());
        b[8..16].copy_from_slice(&self.hash[1].to_le_bytes());
        b[16..].copy_from_slice(&self.at.to_le_bytes());
        b
    }

    fn from_bytes(b: &[u8; 24]) -> Seen {
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[i..i + 8]);
            u64::from_le_bytes(w)
        };
        Seen {
            hash: [word(0), word(8)],
            at: word(16),
        }
    }
}

/// Sorts a run on every core: the order of `Seen`'s `Ord`, compared as plain integers.
fn sort(run: &mut [Seen]) {
    use rayon::slice::ParallelSliceMut;
    run.par_sort_unstable_by_key(|s| (s.hash[0], s.hash[1], s.at));
}

/// A hidden name in the spill's folder, this process's own.
fn scratch_name(spill: &Path, what: &str) -> PathBuf {
    let name = format!(".{what}.{}", std::process::id());
    match spill.parent() {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    }
}

/// A file beside the spill that is removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A run on disk, and the memory it was sorted in.
type Written = std::io::Result<(Scratch, Vec<Seen>)>;

/// The digests of a run's keys.
pub(super) struct Digests {
    /// Where run files go: beside the spill, with this stem.
    stem: PathBuf,
    run: Vec<Seen>,
    cap: usize,
    runs: Vec<Scratch>,
    /// The run being sorted and written on a thread of its own: the rows keep coming
    /// meanwhile, and a collector that sorted them itself left the workers waiting for
    /// it. Its memory comes back with it, for the run after next: two runs' worth
    /// serve the whole file, rather than fresh pages for every run.
    writing: Option<std::thread::JoinHandle<Written>>,
    /// A written run's memory, emptied.
    spare: Vec<Seen>,
    /// Run files named so far: the next one's number.
    named: usize,
    /// Runs merged at once, [`FAN_IN`].
    fan_in: usize,
}

impl Digests {
    pub(super) fn beside(spill: &Path) -> Digests {
        Digests::with_run(spill, RUN)
    }

    fn with_run(spill: &Path, cap: usize) -> Digests {
        Digests {
            stem: scratch_name(spill, "digests"),
            // Room the pages of which are touched only as rows come: a run that grew
            // by doubling copied itself into fresh memory each time.
            run: Vec::with_capacity(cap.min(RUN)),
            cap,
            runs: Vec::new(),
            writing: None,
            spare: Vec::new(),
            named: 0,
            fan_in: FAN_IN,
        }
    }

    pub(super) fn push(&mut self, s: Seen) -> std::io::Result<()> {
        self.run.push(s);
        if self.run.len() >= self.cap {
            self.spill()?;
        }
        Ok(())
    }

    /// Hands the run to a thread that sorts it and writes it out; the one before is
    /// waited for first, so one run at most is in flight.
    fn spill(&mut self) -> std::io::Result<()> {
        self.written()?;
        let room = self.run.len();
        let mut next = std::mem::take(&mut self.spare);
        next.reserve_exact(room);
        let mut run = std::mem::replace(&mut self.run, next);
        let scratch = self.next_scratch();
        let write = move || -> Written {
            sort(&mut run);
            let mut out = BufWriter::with_capacity(1 << 16, File::create(&scratch.path)?);
            for s in &run {
                out.write_all(&s.bytes())?;
            }
            out.flush()?;
            run.clear();
            Ok((scratch, run))
        };
        self.writing = Some(
            std::thread::Builder::new()
                .name("aktar-digests".into())
                .spawn(write)?,
        );
        Ok(())
    }

    /// Waits for the run in flight, if any, to be on disk.
    fn written(&mut self) -> std::io::Result<()> {
        if let Some(writing) = self.writing.take() {
            let (scratch, spare) = writing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            self.runs.push(scratch);
            self.spare = spare;
        }
        Ok(())
    }

    /// Calls `group` with the rows of each digest that more than one row has, each
    /// group in row order.
    pub(super) fn repeated(mut self, mut group: impl FnMut(&[Seen])) -> std::io::Result<()> {
        self.written()?;
        if self.runs.is_empty() {
            sort(&mut self.run);
            for g in self.run.chunk_by(|a, b| a.hash == b.hash) {
                if g.len() > 1 {
                    group(g);
                }
            }
            return Ok(());
        }
        // Runs past what one merge reads at once are merged into longer ones first,
        // the oldest first, so that every run is read again the fewest times.
        while self.runs.len() > self.fan_in {
            let rest = self.runs.split_off(self.fan_in);
            let oldest = std::mem::replace(&mut self.runs, rest);
            let scratch = self.next_scratch();
            let mut out = BufWriter::with_capacity(1 << 16, File::create(&scratch.path)?);
            merge(open_runs(&oldest)?, |s| out.write_all(&s.bytes()))?;
            out.flush()?;
            drop(oldest);
            self.runs.push(scratch);
        }
        // The last run is merged from memory, sorted, rather than written out and read
        // back.
        sort(&mut self.run);
        let mut sources = open_runs(&self.runs)?;
        sources.push(Source::Memory(std::mem::take(&mut self.run).into_iter()));
        let mut current: Vec<Seen> = Vec::new();
        merge(sources, |s| {
            if current.first().is_some_and(|c| c.hash != s.hash) {
                if current.len() > 1 {
                    group(&current);
                }
                current.clear();
            }
            current.push(s);
            Ok(())
        })?;
        if current.len() > 1 {
            group(&current);
        }
        Ok(())
    }

    /// The name of the next run file.
    fn next_scratch(&mut self) -> Scratch {
        let mut path = self.stem.clone().into_os_string();
        path.push(format!(".{}", self.named));
        self.named += 1;
        Scratch {
            path: PathBuf::from(path),
        }
    }
}

/// Runs read at once by a merge: their read buffers together stay within
/// [`MERGE_BUFFERS`], and a file of several hundred million rows opens no more files
/// than the system allows a process.
const FAN_IN: usize = 128;

/// Bytes of read buffer a merge shares out among its runs.
const MERGE_BUFFERS: usize = 4 << 20;

/// Run files opened for a merge, each with its share of [`MERGE_BUFFERS`].
fn open_runs(runs: &[Scratch]) -> std::io::Result<Vec<Source>> {
    let buffer = (MERGE_BUFFERS / runs.len().max(1)).clamp(16 << 10, 1 << 16);
    runs.iter()
        .map(|r| {
            Ok(Source::File(BufReader::with_capacity(
                buffer,
                File::open(&r.path)?,
            )))
        })
        .collect()
}

/// Hands `each` the entries of sorted `sources` in order.
fn merge(
    mut sources: Vec<Source>,
    mut each: impl FnMut(Seen) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (i, source) in sources.iter_mut().enumerate() {
        if let Some(s) = source.next()? {
            heap.push(Reverse((s, i)));
        }
    }
    // The smallest head is replaced in place by the next of its source: one sift
    // instead of a pop and a push.
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((s, i)) = *top;
        each(s)?;
        match sources[i].next()? {
            Some(n) => *top = Reverse((n, i)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
    }
    Ok(())
}

impl Drop for Digests {
    /// A run still being written is waited for, so that its file is removed with the
    /// others.
    fn drop(&mut self) {
        if let Some(writing) = self.writing.take() {
            let _ = writing.join();
        }
    }
}

/// Where a merge takes digests from: a run file, or the last run, still in memory.
enum Source {
    File(BufReader<File>),
    Memory(std::vec::IntoIter<Seen>),
}

impl Source {
    fn next(&mut self) -> std::io::Result<Option<Seen>> {
        match self {
            Source::File(r) => {
                let mut b = [0u8; 24];
                match r.read_exact(&mut b) {
                    Ok(()) => Ok(Some(Seen::from_bytes(&b))),
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Source::Memory(run) => Ok(run.next()),
        }
    }
}

/// The keys of rejected rows, logged as they come, read back only to word the
/// message of a rejected row whose key another row also has.
pub(super) struct KeyLog {
    file: Option<(Scratch, BufWriter<File>)>,
    path: PathBuf,
}

impl KeyLog {
    pub(super) fn beside(spill: &Path) -> KeyLog {
        KeyLog {
            file: None,
            path: scratch_name(spill, "rejected-keys"),
        }
    }

    pub(super) fn add(&mut self, file: usize, row: u64, key: &str) -> std::io::Result<()> {
        if self.file.is_none() {
            let out = BufWriter::with_capacity(1 << 16, File::create(&self.path)?);
            let scratch = Scratch {
                path: self.path.clone(),
            };
            self.file = Some((scratch, out));
        }
        if let Some((_, out)) = self.file.as_mut() {
            out.write_all(&(file as u64).to_le_bytes())?;
            out.write_all(&row.to_le_bytes())?;
            out.write_all(&(key.len() as u64).to_le_bytes())?;
            out.write_all(key.as_bytes())?;
        }
        Ok(())
    }

    /// Calls `each` with every logged (file, row, key), in the order they came.
    pub(super) fn replay(self, mut each: impl FnMut(usize, u64, String)) -> std::io::Result<()> {
        let Some((scratch, mut out)) = self.file else {
            return Ok(());
        };
        out.flush()?;
        drop(out);
        let mut r = BufReader::with_capacity(1 << 16, File::open(&scratch.path)?);
        let mut word = [0u8; 8];
        loop {
            match r.read_exact(&mut word) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
            let file = u64::from_le_bytes(word) as usize;
            r.read_exact(&mut word)?;
            let row = u64::from_le_bytes(word);
            r.read_exact(&mut word)?;
            let mut key = vec![0u8; u64::from_le_bytes(word) as usize];
            r.read_exact(&mut key)?;
            each(file, row, String::from_utf8_lossy(&key).into_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(d: Digests) -> Vec<Vec<(usize, u64)>> {
        let mut out = Vec::new();
        d.repeated(|g| out.push(g.iter().map(|s| (s.file(), s.row())).collect()))
            .unwrap();
        out
    }

    #[test]
    fn runs_on_disk_find_the_same_groups_as_one_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let spill = dir.path().join("spill.jsonl");
        // 10,000 rows over 3,000 keys: most keys twice or more, across runs.
        let rows: Vec<Seen> = (0..10_000u64)
            .map(|i| Seen::new(u128::from(i * 7919 % 3000) << 70, (i % 3) as usize, i + 2))
            .collect();
        let mut small = Digests::with_run(&spill, 777);
        let mut whole = Digests::with_run(&spill, usize::MAX);
        for s in &rows {
            small.push(*s).unwrap();
            whole.push(*s).unwrap();
        }
        assert!(small.runs.len() > 10);
        // Merged three at a time: runs of runs first.
        small.fan_in = 3;
        let got = groups(small);
        assert_eq!(got, groups(whole));
        assert_eq!(got.len(), 3000);
        assert!(got.iter().all(|g| g.windows(2).all(|w| w[0] < w[1])));
        // Run files are gone once read.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn rejected_keys_come_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = KeyLog::beside(&dir.path().join("spill.jsonl"));
        log.add(0, 5, "C1").unwrap();
        log.add(1, 9, "Şirket\n2").unwrap();
        log.add(1, 10, "").unwrap();
        let mut got = Vec::new();
        log.replay(|f, r, k| got.push((f, r, k))).unwrap();
        assert_eq!(
            got,
            [
                (0, 5, "C1".to_string()),
                (1, 9, "Şirket\n2".to_string()),
                (1, 10, String::new())
            ]
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
