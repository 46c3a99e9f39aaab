//! The command line: clap parses raw arguments here, and each command lives in a
//! module of its own exposing one `run` function that returns an [`Exit`] code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub mod demo;
pub mod endpoints;
pub mod job;
pub mod journal;
pub mod lint;
pub mod notify;
pub mod progress;
pub mod reconcile;
pub mod run;
pub mod signals;
mod since;

/// The exit codes of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every row valid (and delivered).
    Ok = 0,
    /// Finished, but some rows were rejected, failed or are uncertain.
    Rows = 1,
    /// Usage, configuration, mapping or input-file error; nothing was sent.
    Input = 2,
    /// Aborted (provider unreachable, authentication refused, too many failures).
    Aborted = 3,
    /// Requests were made, but a report (or the journal's record of the run) could not
    /// be written: not 2, which promises that nothing was sent.
    ReportFailed = 4,
    /// The run finished and its reports were written, but the mail to accounting could
    /// not be delivered (it is kept as `mail.eml` in the report folder).
    MailFailed = 5,
    /// Ctrl-C, SIGTERM or SIGHUP: reports written.
    Interrupted = 130,
}

#[derive(Debug, Parser)]
#[command(
    name = "aktar",
    version,
    about = "Import ERP exports (CSV, XLSX, XLS, ODS) into payment and collection provider APIs",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read, map and validate the inputs, then send the valid rows (or, with --dry-run, only validate).
    Run(RunArgs),
    /// Validate only: the same as `run --dry-run`.
    Check(CheckArgs),
    /// Mapping files.
    #[command(subcommand)]
    Mapping(MappingCommand),
    /// Serve a local copy of the providers' APIs to rehearse against.
    Sandbox(crate::sandbox::SandboxArgs),
    /// The night from a job file: mappings in order, one report folder, one mail.
    #[command(subcommand)]
    Job(job::JobCommand),
    /// Reports by e-mail ([notify.email]).
    #[command(subcommand)]
    Notify(notify::NotifyCommand),
    /// Run every bundled sample end to end against an in-process sandbox.
    Demo(demo::DemoArgs),
    /// What was sent: list entries, show a key, resolve an uncertain post, reconcile with a statement.
    Journal(journal::JournalArgs),
    /// List the endpoints (built in, and from the files named in aktar.toml), or show one with its fields.
    Endpoints {
        /// An endpoint id such as oduyo.customer_update.
        id: Option<String>,
        /// The configuration file whose [endpoints] files are listed too (default: ./aktar.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Check mapping files against their endpoints.
    Lint {
        #[arg(required = true)]
        mappings: Vec<PathBuf>,
        /// The configuration file whose [endpoints] files the mappings may use (default: ./aktar.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The mapping file (mappings/<provider>/<name>.toml).
    #[arg(short, long)]
    pub mapping: PathBuf,
    /// The configuration file (default: ./aktar.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where to write the reports (default: <report dir>/<mapping>-<UTC time>/).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Read at most N data rows (over all inputs).
    #[arg(long)]
    pub limit: Option<u64>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Input files: CSV, TXT, TSV, XLSX, XLS, ODS.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: CheckArgs,
    /// Validate only; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Resend updates even when the journal says they are unchanged (never transactions).
    #[arg(long)]
    pub full: bool,
    /// Send even though the file's header changed or it has far fewer rows than last time.
    #[arg(long)]
    pub accept_drift: bool,
    /// Send without the journal: no delta, no resume, no drift guard. Refused for
    /// endpoints that must never be posted twice.
    #[arg(long)]
    pub no_journal: bool,
}

/// The endpoints of a configuration (built in, plus its endpoint files), or exit 2
/// with the configuration's mistake printed.
fn load_registry(config: Option<&std::path::Path>) -> Result<crate::providers::Registry, Exit> {
    crate::config::Config::load(config)
        .and_then(|c| c.registry())
        .map_err(|e| {
            eprintln!("aktar: {e}");
            Exit::Input
        })
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Input as u8 } else { 0 });
        }
    };
    let exit = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check(common) => run::run(&RunArgs {
            common,
            dry_run: true,
            full: false,
            accept_drift: false,
            no_journal: false,
        }),
        Command::Mapping(MappingCommand::Lint { mappings, config }) => {
            match load_registry(config.as_deref()) {
                Ok(r) => lint::run(&r, &mappings),
                Err(exit) => exit,
            }
        }
        Command::Endpoints { id, config } => match load_registry(config.as_deref()) {
            Ok(r) => endpoints::run(&r, id.as_deref()),
            Err(exit) => exit,
        },
        Command::Demo(args) => demo::run(&args),
        Command::Job(c) => return ExitCode::from(job::run(&c)),
        Command::Notify(c) => notify::run(&c),
        Command::Journal(args) => journal::run(&args),
        Command::Sandbox(args) => return ExitCode::from(crate::sandbox::run_cli(&args)),
    };
    ExitCode::from(exit as u8)
}
