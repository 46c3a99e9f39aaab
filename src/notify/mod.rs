//! Reports by e-mail: one mail per run (a job run: one for the night) to accounting,
//! with the night's table, the problems per rule and the `errors.xlsx` files to fix
//! and send back.
//!
//! [`compose`] builds the message from a [`Night`](crate::job::night::Night) — the
//! same data `index.html` shows — and [`deliver`] hands it to an SMTP server with
//! `lettre` (rustls, no OpenSSL). The message is always written as `mail.eml` in the
//! night's folder first: when delivery fails, what accounting should have received
//! is still there to forward by hand. Delivery happens after every step has finished,
//! so a mail server that is down or refuses the login never changes what was sent to
//! a provider; it changes only the exit code (5, see `cli::Exit::MailFailed`).

mod compose;
mod config;
mod deliver;

pub use compose::{Composed, compose, subject, test_message};
pub use config::{EmailConfig, NotifyConfig, Security, Server, When};
pub use deliver::deliver;
