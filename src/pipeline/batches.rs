//! A file's rows in batches: read on a thread of its own, a bounded channel ahead;
//! sorted into data and skipped rows; validated on the workers, [`IN_FLIGHT`] batches
//! at a time; and kept in file order.

use std::sync::mpsc::sync_channel;

use tokio_util::sync::CancellationToken;

use super::controls::text_number;
use super::{Collector, ControlTotals, PipelineError, add_to_totals, number};
use crate::mapping::Mapping;
use crate::read::{self, Batch, ReadError, Record, RecordStream, Row};
use crate::validate::{self, Plan};

/// Records a batch holds at most.
pub(super) const BATCH: usize = 2048;

/// Batches validated at once (see [`Collector::stream`]). This thread, the reader and
/// the workers share the cores: when a batch is done, this thread may wait its turn
/// before it keeps the batch and hands the workers the next, and the workers must
/// have enough to go on with meanwhile. With two batches of 4,096 rows, the cores
/// stood idle for a sixth of a second of a 1,000,000-row dry run; with six of 2,048,
/// for about half as long, for some 10 MiB more.
pub(super) const IN_FLIGHT: usize = 6;

/// Batches held at once, validated or not: a batch that finishes early waits for
/// those before it to be kept, while the next ones are already validated.
pub(super) const HELD: usize = IN_FLIGHT + 2;

/// A validated batch, or the panic that stopped its validation.
type Validated = std::thread::Result<Vec<validate::Slice>>;

/// One input as its batches are validated and kept.
pub(super) struct Bound<'a> {
    pub(super) file_idx: usize,
    pub(super) binding: &'a [usize],
    pub(super) headers: &'a [String],
    pub(super) column_map: &'a [usize],
    pub(super) control: Option<&'a (usize, Vec<usize>)>,
    /// The control totals of the input, summed as its rows pass.
    pub(super) totals: Option<&'a mut ControlTotals>,
}

/// When reading stops early, and whom to tell how far it got.
pub(super) struct Window<'a, P> {
    pub(super) limit: Option<u64>,
    /// Rows taken so far, over all inputs (`--limit` counts them all).
    pub(super) taken: &'a mut u64,
    pub(super) stop: &'a CancellationToken,
    pub(super) progress: &'a mut P,
}

/// Batches spawned, validated and kept so far; those validated out of turn wait here.
#[derive(Default)]
struct Order {
    spawned: usize,
    validated: usize,
    kept: usize,
    waiting: std::collections::BTreeMap<usize, Vec<validate::Slice>>,
}

impl Order {
    /// No batch more may be spawned: [`IN_FLIGHT`] are being validated (one must be
    /// validated first), or [`HELD`] are held (one must be kept first).
    fn busy(&self) -> bool {
        self.spawned - self.validated >= IN_FLIGHT || self.spawned - self.kept >= HELD
    }

    fn all_kept(&self) -> bool {
        self.kept == self.spawned
    }
}

type Batches = std::sync::mpsc::Receiver<Result<Batch, ReadError>>;

/// Reads `records` on a thread of its own, in batches, a bounded channel ahead of
/// validation.
pub(super) fn read_ahead(
    mut records: RecordStream,
    file: &str,
) -> Result<(Batches, std::thread::JoinHandle<()>), PipelineError> {
    let (tx, rx) = sync_channel::<Result<Batch, ReadError>>(4);
    let spawned = std::thread::Builder::new().name("aktar-reader".to_owned());
    let reader = spawned.spawn(move || {
        while let Some(batch) = records.next_batch(BATCH) {
            let failed = batch.is_err();
            if tx.send(batch).is_err() || failed {
                return;
            }
        }
    });
    let reader = reader.map_err(|e| PipelineError::ReaderDied {
        file: file.to_string(),
        message: format!("cannot start the reader: {e}"),
    })?;
    Ok((rx, reader))
}

impl Collector<'_> {
    /// A batch's data rows, at most `room` of them (then the run is limited); skipped
    /// rows are counted and kept, and both feed the control totals.
    pub(super) fn sort_batch(
        &mut self,
        batch: Batch,
        room: Option<u64>,
        control: Option<&(usize, Vec<usize>)>,
        mut totals: Option<&mut ControlTotals>,
    ) -> validate::Rows {
        let style = self.decimal;
        let full = |taken: usize| room.is_some_and(|r| taken as u64 >= r);
        match batch {
            Batch::Records(records) => {
                let mut data = Vec::with_capacity(records.len());
                for rec in records {
                    match rec {
                        Record::Data(row) => {
                            if full(data.len()) {
                                self.out.limited = true;
                                break;
                            }
                            if let (Some(t), Some((_, cols))) = (totals.as_deref_mut(), control) {
                                add_to_totals(t, cols, |c| number(row.cells.get(c), style));
                            }
                            data.push(row);
                        }
                        Record::Skipped(row) => self.skipped(row, control, totals.as_deref_mut()),
                    }
                }
                validate::Rows::Owned(data)
            }
            Batch::Text(mut text) => {
                let mut taken = 0;
                let mut skipped = Vec::new();
                text.retain(|r, cells| {
                    if self.out.limited {
                        return false;
                    }
                    if r.skipped {
                        skipped.push(r.clone());
                        return false;
                    }
                    if full(taken) {
                        self.out.limited = true;
                        return false;
                    }
                    if let (Some(t), Some((_, cols))) = (totals.as_deref_mut(), control) {
                        // A column the record lacks reads as an empty cell: zero.
                        add_to_totals(t, cols, |c| text_number(cells.get(c).unwrap_or(""), style));
                    }
                    taken += 1;
                    true
                });
                for r in &skipped {
                    self.skipped(text.row(r), control, totals.as_deref_mut());
                }
                validate::Rows::Text(text)
            }
        }
    }

    /// A row `skip_if` matched: counted and kept; when it is the total row, its
    /// figures are what the control totals must come to.
    fn skipped(
        &mut self,
        row: Row,
        control: Option<&(usize, Vec<usize>)>,
        totals: Option<&mut ControlTotals>,
    ) {
        self.out.skipped += 1;
        if let (Some(t), Some((col, cols)), Some(matches)) = (totals, control, &self.total_row)
            && let Some(read::Cell::Text(s)) = row.cells.get(*col)
            && matches.is_match(s.trim())
        {
            t.expected = Some(
                cols.iter()
                    .map(|&c| number(row.cells.get(c), self.decimal))
                    .collect(),
            );
        }
        self.out.skipped_rows.push(row);
    }

    /// Validates a file's batches as they arrive, [`IN_FLIGHT`] at a time, and keeps
    /// their results in file order. While the last slices of one batch finish, the
    /// workers already take up the next, so no core waits at a batch's end; and a
    /// batch whose worker was set aside for a moment holds up no other.
    pub(super) fn stream(
        &mut self,
        m: &Mapping,
        plan: &Plan<'_>,
        mut file: Bound<'_>,
        rx: Batches,
        window: Window<'_, impl FnMut(u64, u64)>,
    ) -> Result<(), PipelineError> {
        let Window {
            limit,
            taken,
            stop,
            progress,
        } = window;
        let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, Validated)>();
        let (binding, headers) = (file.binding, file.headers);
        let spare = &validate::Spare::default();
        rayon::in_place_scope(|scope| {
            let mut order = Order::default();
            for batch in rx {
                if stop.is_cancelled() {
                    self.out.interrupted = true;
                    break;
                }
                let room = limit.map(|l| l.saturating_sub(*taken));
                let data = self.sort_batch(batch?, room, file.control, file.totals.as_deref_mut());
                *taken += data.len() as u64;
                let tx = done_tx.clone();
                let seq = order.spawned;
                order.spawned += 1;
                // Validation and each valid row's payloads line are made on the workers;
                // this thread only counts, keeps key digests and writes bytes. A panic is
                // carried back, so that waiting for the batch never hangs.
                scope.spawn(move |_| {
                    let slices = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        validate::check_batch(m, binding, headers, data, plan, spare)
                    }));
                    let _ = tx.send((seq, slices));
                });
                self.keep_while(&mut order, &done_rx, Order::busy, &file, spare, progress)?;
                if self.out.limited {
                    break;
                }
            }
            let left = |o: &Order| !o.all_kept();
            self.keep_while(&mut order, &done_rx, left, &file, spare, progress)
        })
    }

    /// Keeps validated batches in file order as they come, waiting for more while
    /// `wait` says so.
    fn keep_while(
        &mut self,
        order: &mut Order,
        done: &std::sync::mpsc::Receiver<(usize, Validated)>,
        wait: impl Fn(&Order) -> bool,
        file: &Bound<'_>,
        spare: &validate::Spare,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<(), PipelineError> {
        loop {
            while let Some(next) = order.waiting.remove(&order.kept) {
                self.keep(file.file_idx, next, file.column_map, spare)?;
                order.kept += 1;
                progress(self.out.rows, self.rejected.rows());
            }
            // Every spawned batch sends once, panicking or not.
            let (seq, slices) = if wait(order) {
                done.recv().expect("a validated batch was lost")
            } else {
                match done.try_recv() {
                    Ok(validated) => validated,
                    Err(_) => return Ok(()),
                }
            };
            let slices = slices.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            order.validated += 1;
            order.waiting.insert(seq, slices);
        }
    }
}
