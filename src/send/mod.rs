//! Delivery: the valid requests of a run go to the provider in parallel, under its
//! rate limit, with retries where they are safe.
//!
//! Layered as Vector's HTTP sink is: a rate limiter (governor; inside the retry loop,
//! so a retry spends quota like any request) → a bound on requests in flight (a
//! semaphore) → retry with exponential backoff and jitter, driven by [`classify`] →
//! a per-request timeout → the client. A run of consecutive transient failures, a
//! refused authentication or a stop from outside (Ctrl-C, SIGTERM: a cancellation
//! token) stops the taking of new rows and wakes every wait; requests in flight
//! finish and every row still ends in a bucket. What a provider says passes through
//! [`redact`] before it is stored or shown.

pub mod auth;
pub mod classify;
pub mod redact;
pub mod runner;
pub mod settings;

pub use runner::{Delivery, SendReport, Stop, send_spill};
pub use settings::{Settings, resolve};
