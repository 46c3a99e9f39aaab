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
    pub fn new(quiet: bool, label: &str) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
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
