//! `aktar notify test`: sends a short message with the `[notify.email]` settings, so a
//! wrong server, port or password shows up when it is set up — not at 02:30.

use std::path::PathBuf;

use clap::Subcommand;

use super::Exit;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message with [notify.email] (from aktar.toml, or from a job file).
    Test {
        /// The configuration file (default: ./aktar.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// A job file whose own [notify.email] (or configuration) to use.
        #[arg(long)]
        job: Option<PathBuf>,
    },
}

pub fn run(c: &NotifyCommand) -> Exit {
    let NotifyCommand::Test { config, job } = c;
    let (email, source) = match settings(config.as_ref(), job.as_ref()) {
        Ok(found) => found,
        Err(m) => {
            eprintln!("aktar: {m}");
            return Exit::Input;
        }
    };
    let message = match email
        .check()
        .and_then(|()| crate::notify::test_message(&email))
    {
        Ok(m) => m,
        Err(m) => {
            eprintln!("aktar: {source} [notify.email]: {m}");
            return Exit::Input;
        }
    };
    let env = |name: &str| std::env::var(name).ok();
    match crate::notify::deliver(&email, &message, &env) {
        Ok(()) => {
            println!(
                "test message sent to {} through {}",
                email.recipients().join(", "),
                email.smtp
            );
            Exit::Ok
        }
        Err(m) => {
            eprintln!("aktar: {m}");
            Exit::MailFailed
        }
    }
}

/// The settings to test and the file they come from.
fn settings(
    config: Option<&PathBuf>,
    job: Option<&PathBuf>,
) -> Result<(crate::notify::EmailConfig, String), String> {
    let mut config_path = config.cloned();
    if let Some(j) = job {
        let job = crate::job::load(j).map_err(|e| e.to_string())?;
        if let Some(e) = job.email {
            return Ok((e, j.display().to_string()));
        }
        config_path = config_path.or(job.config);
    }
    let cfg = Config::load(config_path.as_deref()).map_err(|e| e.to_string())?;
    let source = config_path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "aktar.toml".into());
    cfg.notify
        .email
        .map(|e| (e, source.clone()))
        .ok_or_else(|| format!("{source}: there is no [notify.email] table"))
}
