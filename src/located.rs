//! Mistakes in the files a person writes (mapping files, endpoint files), each at a
//! line and column, so an editor can jump to it. Checking goes on after the first, so
//! one pass shows every mistake of a file.

/// A mistake at a line and column of a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// All the mistakes found in one file.
#[derive(Debug, thiserror::Error)]
pub struct FileErrors(pub Vec<FileError>);

impl FileErrors {
    /// A mistake about the file as a whole (it cannot be read, or nothing matches).
    pub fn whole(file: impl Into<String>, message: impl Into<String>) -> FileErrors {
        FileErrors(vec![FileError {
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
        }])
    }
}

impl std::fmt::Display for FileErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    (line, col)
}

/// Collects the mistakes of one file, turning byte spans into lines and columns.
pub struct Collector<'a> {
    pub file: String,
    pub text: &'a str,
    pub errors: Vec<FileError>,
}

impl<'a> Collector<'a> {
    pub fn new(file: String, text: &'a str) -> Collector<'a> {
        Collector {
            file,
            text,
            errors: Vec::new(),
        }
    }

    pub fn err(&mut self, span: std::ops::Range<usize>, message: String) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(FileError {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }
}
