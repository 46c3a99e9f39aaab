//! Progress: a bar on a terminal, a plain log line every few seconds otherwise (cron
//! mails stay readable), nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    log_every: Option<Duration>,
    last_log: Instant,
    label: String,
}

impl Progress {
    /// A spinner with counts (reading, where the total is unknown).
    pub fn new(quiet: bool, label: &str) -> Progress {
        Self::make(quiet, label, None)
    }

    /// A bar with rate and ETA over `total` items (sending).
    pub fn with_total(quiet: bool, label: &str, total: u64) -> Progress {
        Self::make(quiet, label, Some(total))
    }

    fn make(quiet: bool, label: &str, total: Option<u64>) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let (b, template) = match total {
                Some(n) => (
                    ProgressBar::new(n),
                    "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} {per_sec} ETA {eta} {msg}",
                ),
                None => (
                    ProgressBar::new_spinner(),
                    "{spinner} {elapsed_precise} {msg}",
                ),
            };
            b.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress {
            bar,
            log_every: (!quiet && !terminal).then_some(Duration::from_secs(5)),
            last_log: Instant::now(),
            label: label.to_string(),
        }
    }

    /// Moves a bar made `with_total` to `done`.
    pub fn position(&self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }

    /// Reports counts; cheap to call often.
    pub fn update(&mut self, message: impl FnOnce() -> String) {
        if let Some(b) = &self.bar {
            b.set_message(message());
        } else if let Some(every) = self.log_every
            && self.last_log.elapsed() >= every
        {
            self.last_log = Instant::now();
            eprintln!("aktar: {}: {}", self.label, message());
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
