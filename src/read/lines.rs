//! Physical line numbers for the records of a delimited file.
//!
//! The parser (`split`, as the `csv` reader) gives each record the position just past
//! its first terminating byte; the empty lines and the `\n` of a CRLF before it are
//! skipped when the next record is read, so counting lines from positions alone lags
//! behind what a text editor shows. This reader sits under the parser and
//! notes where the line breaks are; a record's first line is then the number of line
//! breaks before its end, less those inside its quoted fields and its own terminator.
//! Only line breaks the parser has been given but not yet reached are kept: at most a
//! parser buffer's worth.
//!
//! A line break is a `\n`, or a `\r` not followed by one: the parser ends a record at a
//! lone `\r` (old Mac exports), and so does an editor, so two records never share a
//! line number.

use std::collections::VecDeque;
use std::io::Read;

/// Passes bytes to the parser and remembers the offsets of the line breaks it has not
/// yet accounted for (at most a parser buffer's worth).
pub(crate) struct LineTracker {
    inner: Box<dyn Read + Send>,
    offset: u64,
    pending: VecDeque<u64>,
    /// Line breaks before the end of the last record.
    passed: u64,
    /// A `\r` that ended the last chunk: a line break unless the next byte is `\n`.
    cr_at_end: Option<u64>,
    /// The first line after the last record.
    next_line: u64,
    /// Offset just past the last line break seen.
    line_start: u64,
    /// Line breaks seen so far.
    breaks: u64,
}

/// The longest line a delimited file may have. A file without line breaks (a binary
/// file, a whole export on one line) would otherwise be read into memory as one record
/// before anything could be said about it.
pub(crate) const MAX_LINE: u64 = 16 << 20;

impl LineTracker {
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> Self {
        LineTracker {
            inner,
            offset: 0,
            pending: VecDeque::new(),
            passed: 0,
            cr_at_end: None,
            next_line: 1,
            line_start: 0,
            breaks: 0,
        }
    }

    /// The 1-based line a record starts on, given the offset just past it (its
    /// terminator included) and how many line breaks its fields hold.
    pub(crate) fn start_line(&mut self, end: u64, inside: u64) -> u64 {
        let mut last = None;
        while let Some(&at) = self.pending.front() {
            if at >= end {
                break;
            }
            self.passed += 1;
            last = Some(at);
            self.pending.pop_front();
        }
        let terminated = last.is_some_and(|at| at + 1 == end);
        // A quote left open at the end of the file makes its last line break look like
        // the terminator: the count comes out one short, but never onto the lines of
        // the record before.
        let line = (self.passed + 1)
            .saturating_sub(inside + u64::from(terminated))
            .max(self.next_line);
        self.next_line = line + inside + 1;
        line
    }
}

impl Read for LineTracker {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = buf.get(..n).unwrap_or_default();
        if let Some(at) = self.cr_at_end.take()
            && chunk.first() != Some(&b'\n')
        {
            self.pending.push_back(at);
        }
        // Line breaks are found with memchr; a per-byte loop here cost a sixth of the
        // whole read. Lone `\r`s are rare: found in a pass of their own, then merged in
        // order.
        let mut lone = Vec::new();
        for at in memchr::memchr_iter(b'\r', chunk) {
            let offset = self.offset + at as u64;
            match chunk.get(at + 1) {
                Some(b'\n') => {}
                Some(_) => lone.push(offset),
                None => self.cr_at_end = Some(offset),
            }
        }
        let mut lone = lone.into_iter().peekable();
        for at in memchr::memchr_iter(b'\n', chunk) {
            let offset = self.offset + at as u64;
            while let Some(cr) = lone.next_if(|&cr| cr < offset) {
                self.pending.push_back(cr);
            }
            self.pending.push_back(offset);
        }
        self.pending.extend(lone);
        if let Some(&last) = self.pending.back() {
            self.line_start = self.line_start.max(last + 1);
        }
        self.breaks = self.passed + self.pending.len() as u64;
        self.offset += n as u64;
        if self.offset - self.line_start > MAX_LINE {
            return Err(std::io::Error::other(format!(
                "line {} is longer than {} MiB without a line break; this does not look like \
                 a delimited text export (is it a binary file, or the wrong file?)",
                self.breaks + 1,
                MAX_LINE >> 20
            )));
        }
        Ok(n)
    }
}

/// The line breaks inside a field: each `\n`, and each `\r` not followed by one.
pub(crate) fn breaks_in(field: &[u8]) -> u64 {
    let mut n = 0;
    let mut after_cr = false;
    for &b in field {
        if after_cr && b != b'\n' {
            n += 1;
        }
        n += u64::from(b == b'\n');
        after_cr = b == b'\r';
    }
    n + u64::from(after_cr)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out one byte per read, so every line break falls on a chunk boundary
    /// at some point.
    struct Trickle(VecDeque<u8>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.pop_front(), buf.first_mut()) {
                (Some(b), Some(slot)) => {
                    *slot = b;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn start_lines(input: &[u8], trickle: bool) -> Vec<u64> {
        let inner: Box<dyn Read + Send> = if trickle {
            Box::new(Trickle(VecDeque::from(input.to_vec())))
        } else {
            Box::new(std::io::Cursor::new(input.to_vec()))
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(3)
            .from_reader(LineTracker::new(inner));
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let end = reader.position().byte();
            let inside = record.iter().map(breaks_in).sum();
            lines.push(reader.get_mut().start_line(end, inside));
        }
        lines
    }

    #[test]
    fn records_start_where_an_editor_shows_them() {
        let cases: [(&[u8], &[u64]); 10] = [
            (b"a\nb\nc\n", &[1, 2, 3]),
            (b"a\n\n\nb\nc", &[1, 4, 5]),
            (b"a\r\n\r\nb\r\nc\r\n", &[1, 3, 4]),
            (b"\n\na,\"x\ny\nz\"\nb\n", &[3, 6]),
            (b"a,\"1\r\n2\"\r\n\r\nb", &[1, 4]),
            // Lone carriage returns are line breaks too, inside quotes as well.
            (b"a\rb\rc", &[1, 2, 3]),
            (b"a\r\rb\r\nc\n\rd", &[1, 3, 4, 6]),
            (b"a,\"x\ry\"\rb", &[1, 3]),
            (b"a\r", &[1]),
            // A quote left open to the end: its line break is no terminator.
            (b"a\nb\n\"0\n", &[1, 2, 3]),
        ];
        for (input, want) in cases {
            for trickle in [false, true] {
                assert_eq!(
                    start_lines(input, trickle),
                    want,
                    "{:?}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }
}
