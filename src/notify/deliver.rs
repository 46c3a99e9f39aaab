//! Handing a message to the SMTP server named in `[notify.email]`.
//!
//! The credentials are read from the environment here and nowhere else, and no error
//! message carries them: a failure names the server and what it answered.

use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use super::{EmailConfig, Security};

/// Sends `message` to every `to` and `cc`. `env` looks up environment variables.
pub fn deliver(
    cfg: &EmailConfig,
    message: &Message,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let server = cfg.server()?;
    let timeout = cfg.timeout()?;
    let credentials = match (&cfg.username, &cfg.password) {
        (Some(u), Some(p)) => Some(Credentials::new(
            secret("username", u, env)?,
            secret("password", p, env)?,
        )),
        (None, None) => None,
        _ => {
            return Err(
                "[notify.email]: username and password go together; give both or neither".into(),
            );
        }
    };
    let fail = |e: lettre::transport::smtp::Error| describe(&server, &e);
    let builder = match server.security {
        Security::Plain => SmtpTransport::builder_dangerous(&server.host),
        Security::StartTls => SmtpTransport::starttls_relay(&server.host).map_err(fail)?,
        Security::Implicit => SmtpTransport::relay(&server.host).map_err(fail)?,
    };
    let mut builder = builder.port(server.port).timeout(Some(timeout));
    if let Some(c) = credentials {
        builder = builder.credentials(c);
    }
    builder.build().send(message).map(|_| ()).map_err(fail)
}

/// A literal, or `env:NAME` read from the environment.
fn secret(key: &str, value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    match value.strip_prefix("env:") {
        Some(name) => env(name).ok_or_else(|| {
            format!("[notify.email] {key}: the environment variable {name} is not set")
        }),
        None => Ok(value.to_string()),
    }
}

/// What went wrong, in words an operator can act on.
fn describe(server: &super::Server, e: &lettre::transport::smtp::Error) -> String {
    let code = e.status().map(|c| c.to_string());
    let hint = match code.as_deref() {
        Some("535" | "534" | "530") => {
            " — the server refused the login; check [notify.email] username and password"
        }
        _ if e.is_permanent() => " — the server refused the message",
        _ if e.is_transient() => " — the server is busy or refused for now; try again later",
        _ => "",
    };
    format!("{server}: the mail could not be delivered: {e}{hint}")
}
