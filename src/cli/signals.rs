//! SIGINT, SIGTERM and SIGHUP all mean "stop, and say what you did": a person presses
//! Ctrl-C, systemd, `timeout` and `docker stop` send SIGTERM, a closed terminal sends
//! SIGHUP. Each cancels one token, and the run hands that token down as a value to
//! every place that waits (the reader, retry sleeps, rate-limit waits), so a stop ends
//! with the reports written and the journal consistent, and tests can cancel it.
//!
//! Signal handlers belong to the process, so the listener is installed once, on a
//! thread of its own (reading and validating run no async runtime). A second signal
//! ends the process at once, as the default handler would have: someone who presses
//! Ctrl-C twice wants out, and the journal stays safe (a committed `pending` becomes
//! `uncertain` on the next run, never a second post).

use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

use super::Exit;

static STOP: OnceLock<CancellationToken> = OnceLock::new();

/// The token the signals cancel; the handlers are in place when this returns.
pub fn stop_token() -> CancellationToken {
    STOP.get_or_init(listen).clone()
}

fn listen() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    let (ready, is_ready) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("aktar-signals".to_owned())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let mut signals = match Signals::new() {
                    Ok(s) => {
                        let _ = ready.send(Ok(()));
                        s
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                signals.next().await;
                cancel.cancel();
                signals.next().await;
                std::process::exit(Exit::Interrupted as i32);
            });
        });
    let listening = match spawned {
        Ok(_) => is_ready
            .recv()
            .unwrap_or_else(|_| Err(std::io::Error::other("the listener stopped"))),
        Err(e) => Err(e),
    };
    if let Err(e) = listening {
        // The run still works; a signal then ends it the default way, without reports.
        eprintln!("aktar: warning: cannot listen for Ctrl-C and SIGTERM: {e}");
    }
    token
}

#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn next(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
