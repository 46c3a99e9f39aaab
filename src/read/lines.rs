//! Physical line numbers for the records of a delimited file.
//!
//! A record's row number is the line it starts on, as a text editor shows it. The
//! splitter (`split`) hands every byte it passes over to a [`Lines`]: the line ends
//! and empty lines it skips before a record, each record's terminator, and the whole
//! of a record that csv_core reads (whose quoted fields may hold line breaks). A
//! record then starts on the line after the breaks counted before it, so a plain line
//! costs no pass of its own.
//!
//! A line break is a `\n`, or a `\r` not followed by one: the parser ends a record at a
//! lone `\r` (old Mac exports), and so does an editor, so two records never share a
//! line number.

/// The longest line a delimited file may have. A file without line breaks (a binary
/// file, a whole export on one line) would otherwise be read into memory as one record
/// before anything could be said about it.
pub(crate) const MAX_LINE: u64 = 16 << 20;

/// The line breaks in the bytes passed so far.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    breaks: u64,
    /// The last byte passed is a `\r`, not yet counted: a break unless a `\n` follows.
    cr: bool,
    /// Stream offset just past the last line break passed.
    line_start: u64,
}

impl Lines {
    /// Passes `bytes`, which start at stream offset `offset`.
    pub(crate) fn pass(&mut self, bytes: &[u8], offset: u64) {
        let Some(&last) = bytes.last() else {
            return;
        };
        if self.cr && bytes[0] != b'\n' {
            self.breaks += 1;
            self.line_start = offset;
        }
        let mut end = None;
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[at] == b'\n' || bytes.get(at + 1).is_some_and(|&b| b != b'\n') {
                self.breaks += 1;
                end = Some(at);
            }
        }
        if let Some(at) = end {
            self.line_start = offset + at as u64 + 1;
        }
        self.cr = last == b'\r';
    }

    /// The 1-based line of a record whose first byte, at stream offset `offset`, is
    /// the next to be passed (and is no line end).
    pub(crate) fn begin(&mut self, offset: u64) -> u64 {
        if std::mem::take(&mut self.cr) {
            self.breaks += 1;
            self.line_start = offset;
        }
        self.breaks + 1
    }

    /// Fails when the line that runs to stream offset `offset` (the bytes passed so
    /// far, less a `\r` that may end it) is longer than [`MAX_LINE`].
    pub(crate) fn check_length(&self, offset: u64) -> std::io::Result<()> {
        let end = offset.saturating_sub(u64::from(self.cr));
        if end.saturating_sub(self.line_start) <= MAX_LINE {
            return Ok(());
        }
        Err(std::io::Error::other(format!(
            "line {} is longer than {} MiB without a line break; this does not look like \
             a delimited text export (is it a binary file, or the wrong file?)",
            self.breaks + 1,
            MAX_LINE >> 20
        )))
    }
}
