//! Delimited text split into records exactly as the `csv` crate splits it, at a
//! fraction of its work on the lines exports are made of.
//!
//! The rules are csv_core's, with the reader's settings: fields separated by the
//! delimiter; a field that starts with `"` quoted, with `""` inside for a quote; a
//! record ended by `\r`, `\n` or `\r\n`; empty lines skipped; a UTF-8 byte-order mark
//! at the start dropped. csv_core applies them with a state machine, a byte at a time.
//! A line without any `"` needs none of that: its fields are the bytes between its
//! delimiters, found with memchr. Every other line is handed to csv_core itself, so
//! quoted fields (spanning lines, with doubled quotes, with text after the closing
//! quote) read exactly as they always have.

use std::io::{self, Read};

use csv_core::{ReadRecordResult, Reader as Core, ReaderBuilder};

use super::lines::Lines;

/// Bytes read from the source at a time, as the `csv` reader's buffer.
const BUFFER: usize = 64 * 1024;

/// One record: its fields' bytes and where each field lies among them.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    bytes: Vec<u8>,
    /// `(start, end)` of each field in `bytes`.
    bounds: Vec<(usize, usize)>,
}

impl Fields {
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Every field's bytes, with whatever lies between them (a delimiter, or
    /// nothing): valid UTF-8 as a whole when each field is.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn bounds(&self) -> &[(usize, usize)] {
        &self.bounds
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.bounds.iter().map(|&(s, e)| &self.bytes[s..e])
    }

    /// `line`'s fields, split at `delimiter`, in the same pass that looks for a
    /// quote; false, with the fields left unset, when `line` holds one.
    fn split(&mut self, line: &[u8], delimiter: u8) -> bool {
        self.bounds.clear();
        let mut start = 0;
        for at in memchr::memchr2_iter(delimiter, b'"', line) {
            if line[at] == b'"' {
                return false;
            }
            self.bounds.push((start, at));
            start = at + 1;
        }
        self.bounds.push((start, line.len()));
        self.bytes.clear();
        self.bytes.extend_from_slice(line);
        true
    }
}

/// Where a record lies: the line it starts on, and the stream offset just past it, its
/// first terminating byte included (the position the `csv` reader reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: u64,
    pub end: u64,
}

pub(crate) struct Splitter<R> {
    src: R,
    buf: Vec<u8>,
    /// The next byte to look at, and the end of what `buf` holds.
    pos: usize,
    len: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    eof: bool,
    started: bool,
    delimiter: u8,
    /// The delimiter is not a byte with a meaning of its own to csv_core (a quote, a
    /// line end, which it reads as a delimiter first): lines without quotes can be
    /// split without it.
    plain: bool,
    core: Core,
    /// The line breaks passed.
    lines: Lines,
    /// csv_core's output for the record it is reading, and its field ends.
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> Splitter<R> {
    pub(crate) fn new(src: R, delimiter: u8) -> Splitter<R> {
        let mut core = ReaderBuilder::new().delimiter(delimiter).build();
        // csv_core drops a byte-order mark at the start of the first input it is given,
        // whichever record that is; this reader drops the file's own (`start`). Given a
        // line break first, csv_core skips it as an empty line and never looks for one.
        let (res, ..) = core.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
        debug_assert_eq!(res, ReadRecordResult::InputEmpty);
        Splitter {
            src,
            buf: vec![0; BUFFER],
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            started: false,
            delimiter,
            plain: !matches!(delimiter, b'"' | b'\r' | b'\n'),
            core,
            lines: Lines::default(),
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// Reads the next record into `fields`; `None` at the end.
    pub(crate) fn read(&mut self, fields: &mut Fields) -> io::Result<Option<Span>> {
        if !self.started {
            self.start()?;
        }
        // Line ends before the record: the `\n` of a `\r\n`, empty lines.
        loop {
            let rest = &self.buf[self.pos..self.len];
            let skip = rest.iter().position(|&b| b != b'\r' && b != b'\n');
            let to = skip.map_or(self.len, |skip| self.pos + skip);
            self.pass(to);
            if skip.is_some() {
                break;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
        let line = self.lines.begin(self.offset());
        let end = if self.plain {
            self.plain(fields)?
        } else {
            self.quoted(fields)?
        };
        Ok(end.map(|end| Span { line, end }))
    }

    /// Passes the bytes from `pos` to `to` and moves `pos` there.
    fn pass(&mut self, to: usize) {
        let offset = self.offset();
        self.lines.pass(&self.buf[self.pos..to], offset);
        self.pos = to;
    }

    /// The record at `pos`, split without csv_core when its line holds no quote.
    fn plain(&mut self, fields: &mut Fields) -> io::Result<Option<u64>> {
        loop {
            let rest = &self.buf[self.pos..self.len];
            let (line, next) = match memchr::memchr2(b'\r', b'\n', rest) {
                Some(end) => (&rest[..end], self.pos + end + 1),
                None if self.eof => (rest, self.len),
                None if self.pos == 0 && self.len == self.buf.len() => {
                    // A line longer than the buffer: csv_core reads it in pieces.
                    return self.quoted(fields);
                }
                None => {
                    self.fill()?;
                    continue;
                }
            };
            if !fields.split(line, self.delimiter) {
                return self.quoted(fields);
            }
            self.pos += line.len();
            self.pass(next);
            return Ok(Some(self.offset()));
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Drops a UTF-8 byte-order mark at the start of the stream.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        while self.len < 3 && self.fill()? {}
        if self.buf[..self.len].starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        Ok(())
    }

    /// Keeps the bytes not yet looked at and reads more after them; false at the end
    /// of the stream.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.base += self.pos as u64;
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len == self.buf.len() {
            return Ok(true);
        }
        loop {
            match self.src.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The record at `pos` through csv_core, as the `csv` reader reads it.
    fn quoted(&mut self, fields: &mut Fields) -> io::Result<Option<u64>> {
        let (mut nout, mut nend) = (0, 0);
        loop {
            let input = &self.buf[self.pos..self.len];
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.pass(self.pos + nin);
            self.lines.check_length(self.offset())?;
            nout += o;
            nend += e;
            match res {
                ReadRecordResult::InputEmpty => {
                    // At the end of the stream an empty input ends the record.
                    self.fill()?;
                }
                ReadRecordResult::OutputFull => {
                    let more = self.out.len();
                    self.out.resize(more * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let more = self.ends.len();
                    self.ends.resize(more * 2, 0);
                }
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(None),
            }
        }
        fields.bytes.clear();
        fields.bytes.extend_from_slice(&self.out[..nout]);
        fields.bounds.clear();
        let mut start = 0;
        for &end in &self.ends[..nend] {
            fields.bounds.push((start, end));
            start = end;
        }
        Ok(Some(self.offset()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes a read, so records and line ends fall across
    /// reads.
    struct Chunks<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Chunks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.bytes.len().min(self.step).min(buf.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    type Split = Vec<(Vec<Vec<u8>>, u64)>;

    fn split(bytes: &[u8], step: usize) -> Split {
        let mut s = Splitter::new(Chunks { bytes, step }, b';');
        let mut fields = Fields::default();
        let mut out = Vec::new();
        while let Some(span) = s.read(&mut fields).unwrap() {
            out.push((fields.iter().map(<[u8]>::to_vec).collect(), span.end));
        }
        out
    }

    /// The line each record starts on, read `step` bytes at a time.
    fn start_lines(bytes: &[u8], step: usize) -> Vec<u64> {
        let mut s = Splitter::new(Chunks { bytes, step }, b',');
        let mut fields = Fields::default();
        let mut lines = Vec::new();
        while let Some(span) = s.read(&mut fields).unwrap() {
            lines.push(span.line);
        }
        lines
    }

    #[test]
    fn records_start_where_an_editor_shows_them() {
        let cases: [(&[u8], &[u64]); 11] = [
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
            (b"\"x\"\"\r\ny\"\r\"z\n\"\n\nq", &[1, 3, 6]),
        ];
        for (input, want) in cases {
            for step in [1, 2, 3, 64 * 1024] {
                assert_eq!(
                    start_lines(input, step),
                    want,
                    "{:?} by {step}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    /// The `csv` reader's records and positions, as the delimited reader had them.
    fn by_csv(bytes: &[u8]) -> Split {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(b';')
            .from_reader(bytes);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            out.push((
                rec.iter().map(<[u8]>::to_vec).collect(),
                r.position().byte(),
            ));
        }
        out
    }

    #[test]
    fn fields_and_positions_match_the_csv_reader() {
        for text in [
            &b"a;b\nc;d\n"[..],
            b"a;b\r\nc;d\r\n",
            b"\xEF\xBB\xBFa;b\n1;2",
            b"a;\"x\ny\";z\r\n\r\n\n2;\"q\"\"q\"\n",
            b"a\rb\r\rc",
            b"\"open;quote\nnever closed",
            b";;\n;\n\"\"\n",
            b"x\"y;z\n\"a\"b;c\n",
            b"\n\n\r\n",
            b"",
            b"\xEF\xBB",
            b"\"\xEF\xBB\xBF\";x\n",
        ] {
            for step in [1, 2, 3, 7, 64 * 1024] {
                assert_eq!(split(text, step), by_csv(text), "{text:?} by {step}");
            }
        }
    }

    #[test]
    fn a_delimiter_that_is_a_quote_or_a_line_end_leaves_every_line_to_csv_core() {
        for delimiter in [b'"', b'\n'] {
            let text = b"x\ny\nz\r\na\"b\nc;d\r\n\"x\"\"\"\n";
            let mut s = Splitter::new(
                Chunks {
                    bytes: text,
                    step: 3,
                },
                delimiter,
            );
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(&text[..]);
            let (mut fields, mut rec) = (Fields::default(), csv::ByteRecord::new());
            while r.read_byte_record(&mut rec).unwrap() {
                let span = s.read(&mut fields).unwrap();
                assert_eq!(span.map(|s| s.end), Some(r.position().byte()));
                assert!(fields.iter().eq(rec.iter()));
            }
            assert_eq!(s.read(&mut fields).unwrap(), None);
        }
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_one_record() {
        let long = "a".repeat(3 * BUFFER);
        let text = format!("1;{long};2\n3;4\n\"{long}\";5");
        assert_eq!(split(text.as_bytes(), 4096), by_csv(text.as_bytes()));
    }

    proptest::proptest! {
        #[test]
        fn any_text_splits_as_the_csv_reader_splits_it(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab;;\"\r\n \xC3\xBC".to_vec()), 0..400),
            step in 1usize..40,
        ) {
            proptest::prop_assert_eq!(split(&text, step), by_csv(&text));
        }

        /// Lines of export length, some with quotes, under every kind of line end.
        #[test]
        fn any_lines_split_as_the_csv_reader_splits_them(
            lines in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        proptest::sample::select(b"abc;;;  \"\xC4\xB0".to_vec()), 0..60),
                    proptest::sample::select(vec![&b"\n"[..], b"\r\n", b"\r", b"\n\n"]),
                ),
                0..30,
            ),
            step in proptest::sample::select(vec![1usize, 5, 8, 13, 64, 4096]),
        ) {
            let text: Vec<u8> = lines.iter().flat_map(|(l, end)| l.iter().chain(end.iter())).copied().collect();
            proptest::prop_assert_eq!(split(&text, step), by_csv(&text));
        }

        /// Without quotes, every line an editor shows that is not empty is a record,
        /// and starts on that line.
        #[test]
        fn a_record_starts_on_its_line(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab,\r\n\r\n \xC3\xBC".to_vec()), 0..300),
            step in proptest::sample::select(vec![1usize, 2, 7, 64, 4096]),
        ) {
            let mut want = Vec::new();
            let (mut line, mut at) = (1, 0);
            let mut empty = true;
            while at < text.len() {
                match text[at] {
                    b'\r' | b'\n' => {
                        if !empty {
                            want.push(line);
                        }
                        at += usize::from(text[at] == b'\r' && text.get(at + 1) == Some(&b'\n'));
                        line += 1;
                        empty = true;
                    }
                    _ => empty = false,
                }
                at += 1;
            }
            if !empty {
                want.push(line);
            }
            proptest::prop_assert_eq!(start_lines(&text, step), want);
        }
    }
}
