//! `aktar journal`: what was sent, from the journal at `[state] path` — `list` (with
//! filters), `show KEY`, and `resolve KEY… --as sent|unsent` for uncertain posts,
//! after a person has checked the provider's panel; `reconcile` settles them against
//! the provider's statement ([`super::reconcile`]). All take `--json`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::Exit;
use crate::config::Config;
use crate::journal::{Entry, Journal};

#[derive(Debug, Clone, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub command: Option<JournalCommand>,
    /// The configuration file (default: ./aktar.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum JournalCommand {
    /// List entries (default: all).
    List {
        #[arg(long)]
        status: Option<StatusArg>,
        #[arg(long)]
        endpoint: Option<String>,
        /// Entries touched since this date or time (UTC, e.g. 2026-11-20).
        #[arg(long)]
        since: Option<String>,
    },
    /// Show a key's entries.
    Show {
        key: String,
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Say what happened to uncertain posts (one key or several, the same outcome).
    Resolve {
        #[arg(required = true, num_args = 1..)]
        keys: Vec<String>,
        #[arg(long = "as")]
        outcome: ResolveAs,
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Settle the uncertain posts of a mapping's endpoint against the provider's own
    /// statement export (CSV or XLSX), with the mapping's [reconcile] columns.
    Reconcile {
        /// The mapping file, with its [reconcile] table.
        #[arg(short, long)]
        mapping: PathBuf,
        /// The statement: the transaction list exported from the provider's panel.
        statement: PathBuf,
        /// Write the decisions to the journal (without it, only show them).
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Sent,
    Failed,
    Uncertain,
    Pending,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ResolveAs {
    /// It reached the provider: never post it again.
    Sent,
    /// It did not: the next run posts it.
    Unsent,
}

pub fn run(args: &JournalArgs) -> Exit {
    match execute(args) {
        Ok(exit) => exit,
        Err(message) => {
            eprintln!("aktar: {message}");
            Exit::Input
        }
    }
}

fn execute(args: &JournalArgs) -> Result<Exit, String> {
    let config = Config::load(args.config.as_deref()).map_err(|e| e.to_string())?;
    let path = &config.state.path;
    let command = args.command.clone().unwrap_or(JournalCommand::List {
        status: None,
        endpoint: None,
        since: None,
    });
    // Checked before the journal is opened: a mistyped date is the same mistake with
    // a journal or without one.
    let since = match &command {
        JournalCommand::List { since: Some(s), .. } => Some(super::since::since(s)?),
        _ => None,
    };
    if let JournalCommand::Reconcile {
        mapping,
        statement,
        apply,
    } = &command
    {
        return super::reconcile::run(&config, mapping, statement, *apply, args.json);
    }
    if let JournalCommand::Resolve {
        keys,
        outcome,
        endpoint,
    } = &command
    {
        let j = Journal::open(path).map_err(|e| e.to_string())?;
        let sent = matches!(outcome, ResolveAs::Sent);
        // Each key is settled on its own: one that cannot be (not uncertain, unknown)
        // is named, and does not hold back the others.
        let (settled, refused) = j
            .resolve_many(endpoint.as_deref(), keys, sent)
            .map_err(|e| e.to_string())?;
        print(args.json, &settled);
        if !refused.is_empty() {
            let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
            return Err(refused.join("\n"));
        }
        return Ok(Exit::Ok);
    }
    let Some(j) = Journal::open_read_only(path).map_err(|e| e.to_string())? else {
        return Err(format!(
            "{}: there is no journal yet (no run has sent anything)",
            path.display()
        ));
    };
    let entries = match &command {
        JournalCommand::List {
            status,
            endpoint,
            since: _,
        } => {
            let status = status.map(|s| match s {
                StatusArg::Sent => "sent",
                StatusArg::Failed => "failed",
                StatusArg::Uncertain => "uncertain",
                StatusArg::Pending => "pending",
            });
            j.entries(status, endpoint.as_deref(), None, since.as_deref())
        }
        JournalCommand::Show { key, endpoint } => {
            j.entries(None, endpoint.as_deref(), Some(key), None)
        }
        JournalCommand::Resolve { .. } | JournalCommand::Reconcile { .. } => Ok(Vec::new()),
    }
    .map_err(|e| e.to_string())?;
    if let JournalCommand::Show { key, .. } = &command
        && entries.is_empty()
    {
        return Err(format!("no journal entry for key `{key}`"));
    }
    print(args.json, &entries);
    Ok(Exit::Ok)
}

fn print(json: bool, entries: &[Entry]) {
    if json {
        match serde_json::to_string_pretty(entries) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("aktar: {e}"),
        }
        return;
    }
    for e in entries {
        println!(
            "{:<34} {:<24} {:<9} attempts {:<3} {} {}{}{}",
            e.endpoint,
            e.key,
            e.status,
            e.attempts,
            e.last_at,
            e.http_status
                .map(|s| format!("HTTP {s} "))
                .unwrap_or_default(),
            e.provider_ref
                .as_deref()
                .map(|r| format!("ref {r} "))
                .unwrap_or_default(),
            e.message.as_deref().unwrap_or("")
        );
    }
}
