//! aktar: a batch importer from ERP exports to payment and collection provider APIs.
//!
//! # Layout
//!
//! The folders are the pipeline, in the order a row travels through it:
//!
//! * [`read`] opens CSV/TXT/TSV and XLSX/XLS/ODS files and yields [`read::Row`]s that
//!   carry their source position (file, sheet, spreadsheet row).
//! * [`mapping`] parses a mapping file (TOML) and compiles it against an endpoint,
//!   so that every mistake in it is found before the first row is read.
//! * [`validate`] turns rows into typed payloads, in parallel batches that keep file
//!   order, or into [`problem::RowError`]s.
//! * [`report`] writes `errors.csv`, `errors.xlsx`, `summary.json` and `payloads.jsonl`.
//! * [`providers`] describes each provider endpoint once, as data.
//! * [`turkish`] holds the domain knowledge both mapping and validation rely on:
//!   VKN/TCKN/IBAN checks, phone numbers, Turkish case rules, `1.234,56` numbers, dates.
//! * [`reconcile`] settles uncertain posts against the provider's statement export.
//! * [`job`] runs the night from a job file (steps in order, one report folder), and
//!   [`notify`] mails its report to accounting.
//! * [`cli`] is the command line: argument parsing and one module per command.

pub mod cli;
pub mod config;
pub mod guards;
pub mod http;
pub mod job;
pub mod journal;
pub mod located;
pub mod mapping;
pub mod notify;
pub mod pipeline;
pub mod problem;
pub mod providers;
pub mod read;
pub mod reconcile;
pub mod report;
pub mod sandbox;
pub mod send;
pub mod turkish;
pub mod validate;
