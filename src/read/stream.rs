//! A worker thread that reads a sheet cell by cell and sends its rows.
//!
//! calamine's streaming cell readers borrow the workbook they read from, so they
//! cannot live inside the `'static` record stream of a table. The worker thread owns
//! the workbook instead and sends finished rows through a small bounded channel; the
//! table's stream is the receiving end. Dropping the table drops the receiver, and the
//! worker stops at its next send.
//!
//! The channel closing is the end of the sheet only if the worker returned: the stream
//! keeps the worker's handle and turns a worker that panicked (a malformed sheet can
//! make a parser do that) into a read error, never into a silently shorter sheet.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::cells::RowBuilder;
use super::records::{RawRow, RawRows};
use super::{Cell, ReadError};

/// Rows per message from the worker thread, and messages in flight: a few thousand
/// rows at most are ever held between the two threads.
const BATCH_ROWS: usize = 512;
const CHANNEL_BATCHES: usize = 4;

/// Rows travel in batches: one channel operation per row made the two threads spend
/// most of their time waking each other.
type Batch = Vec<Result<RawRow, ReadError>>;
pub(crate) type RowSender = SyncSender<Batch>;

/// Runs `work` on a worker thread that sends rows; the returned stream receives them.
pub(crate) fn streamed<F>(file: &Arc<str>, work: F) -> Result<RawRows, ReadError>
where
    F: FnOnce(&str, &RowSender) + Send + 'static,
{
    let (tx, rx) = sync_channel::<Batch>(CHANNEL_BATCHES);
    let worker_file = Arc::clone(file);
    let worker = std::thread::Builder::new()
        .name("aktar-sheet-reader".to_owned())
        .spawn(move || work(&worker_file, &tx))
        .map_err(|e| ReadError::Io {
            file: file.to_string(),
            row: 1,
            message: format!("cannot start the sheet reader: {e}"),
        })?;
    Ok(RawRows::new(Streamed {
        rx,
        batch: Vec::new().into_iter(),
        worker: Some(worker),
        file: Arc::clone(file),
        last_row: 1,
    }))
}

/// The receiving end, with the worker's handle to learn how it ended.
struct Streamed {
    rx: Receiver<Batch>,
    batch: std::vec::IntoIter<Result<RawRow, ReadError>>,
    worker: Option<JoinHandle<()>>,
    file: Arc<str>,
    /// The last row received, for the message when the worker dies.
    last_row: u64,
}

impl Iterator for Streamed {
    type Item = Result<RawRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.batch.next() {
                if let Ok(row) = &item {
                    self.last_row = row.row;
                }
                return Some(item);
            }
            match self.rx.recv() {
                Ok(batch) => self.batch = batch.into_iter(),
                Err(_) => {
                    // The worker is gone; after a panic, say so once.
                    let panic = self.worker.take()?.join().err()?;
                    let said = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned());
                    let message = match said {
                        Some(s) => format!("the sheet reader stopped unexpectedly: {s}"),
                        None => "the sheet reader stopped unexpectedly".to_owned(),
                    };
                    return Some(Err(io_error(&self.file, self.last_row, message)));
                }
            }
        }
    }
}

/// Reads cells with `next` until the sheet ends, an error, or the receiver is gone.
pub(crate) fn pump<N>(file: &str, tx: &RowSender, mut next: N)
where
    N: FnMut() -> Result<Option<((u32, u32), Cell)>, String>,
{
    let mut rows = RowBuilder::default();
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let failure = loop {
        let (pos, cell) = match next() {
            Ok(Some(cell)) => cell,
            Ok(None) => break None,
            Err(message) => break Some(message),
        };
        match rows.push(pos, cell) {
            Ok(None) => {}
            Ok(Some(done)) => {
                batch.push(Ok(done));
                if batch.len() == BATCH_ROWS {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                    if tx.send(full).is_err() {
                        return;
                    }
                }
            }
            Err(message) => break Some(message),
        }
    };
    let row = rows.current().unwrap_or(1);
    batch.extend(rows.finish().map(Ok));
    if let Some(message) = failure {
        batch.push(Err(io_error(file, row, message)));
    }
    // The receiver may be gone already; there is nobody left to tell.
    let _ = tx.send(batch);
}

pub(crate) fn send_error(file: &str, tx: &RowSender, row: u64, message: String) {
    // As in `pump`: a receiver that has gone does not need the error.
    let _ = tx.send(vec![Err(io_error(file, row, message))]);
}

fn io_error(file: &str, row: u64, message: String) -> ReadError {
    ReadError::Io {
        file: file.to_owned(),
        row,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_arrive_in_order_and_an_error_ends_the_stream() {
        let file: Arc<str> = Arc::from("t.xlsx");
        let rows = streamed(&file, |file, tx| {
            // 1,200 rows of one cell, then a cell that cannot be read.
            let mut cells = (0..1200u32).map(|r| Ok(Some(((r, 0), Cell::Bool(true)))));
            let mut broken = false;
            pump(file, tx, || {
                cells.next().unwrap_or_else(|| {
                    if broken {
                        Ok(None)
                    } else {
                        broken = true;
                        Err("bad cell".to_owned())
                    }
                })
            });
        })
        .unwrap();
        let items: Vec<_> = rows.collect();
        assert_eq!(items.len(), 1201);
        let numbers: Vec<u64> = items
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.row)
            .collect();
        assert_eq!(numbers, (1..=1200).collect::<Vec<_>>());
        match items.last() {
            Some(Err(ReadError::Io { row, message, .. })) => {
                assert_eq!(*row, 1200, "the last row reached");
                assert_eq!(message, "bad cell");
            }
            other => panic!("expected the error last, got {other:?}"),
        }
    }

    #[test]
    fn a_worker_that_panics_is_a_read_error_not_the_end_of_the_sheet() {
        let file: Arc<str> = Arc::from("t.xlsx");
        let rows = streamed(&file, |file, tx| {
            let mut cells = (0..700u32).map(|r| Ok(Some(((r, 0), Cell::Bool(true)))));
            pump(file, tx, || match cells.next() {
                Some(cell) => cell,
                None => panic!("parser bug"),
            });
        })
        .unwrap();
        let items: Vec<_> = rows.collect();
        let read: Vec<u64> = items
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.row)
            .collect();
        assert_eq!(
            read,
            (1..=512).collect::<Vec<_>>(),
            "the first batch arrived"
        );
        match items.last() {
            Some(Err(ReadError::Io { row, message, .. })) => {
                assert_eq!(*row, 512);
                assert!(
                    message.contains("stopped unexpectedly: parser bug"),
                    "{message}"
                );
            }
            other => panic!("expected an error after the rows, got {other:?}"),
        }
        assert_eq!(items.len(), 513, "one error, then the end");
    }
}
