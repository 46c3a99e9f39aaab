//! `[notify.email]`: where the night's mail goes, and how to reach the server.
//!
//! The server is one URL: `smtp://host:587` is STARTTLS (required, never a silent
//! fall back to plain text), `smtps://host:465` implicit TLS, and `smtp://` to a
//! loopback address plain — a local relay is the only place a message and a password
//! may travel unencrypted. The user name and password are `env:NAME`, read only when
//! a mail is sent.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    pub email: Option<EmailConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://host[:port]` or `smtps://host[:port]`.
    pub smtp: String,
    /// Literal or `env:NAME`.
    pub username: Option<String>,
    /// `env:NAME` only.
    pub password: Option<String>,
    /// `aktar <aktar@firma.com.tr>` or a bare address.
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub when: When,
    /// The most the attached reports may weigh together: `10MB`, `500KB`.
    pub attach_limit: Option<String>,
    /// Per connection step; default 30s.
    pub timeout: Option<String>,
}

/// When a mail is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum When {
    /// Rejected, failed, uncertain or held rows, or a step that stopped or did not run.
    #[default]
    Problems,
    Always,
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    StartTls,
    Implicit,
    /// Loopback only.
    Plain,
}

/// The server, parsed from `smtp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match self.security {
            Security::Implicit => "smtps",
            _ => "smtp",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

const DEFAULT_ATTACH_LIMIT: u64 = 10 * 1024 * 1024;

impl EmailConfig {
    /// Every mistake that can be seen without the network or the environment.
    pub fn check(&self) -> Result<(), String> {
        self.server()?;
        self.attach_limit()?;
        self.timeout()?;
        if self.to.is_empty() {
            return Err("to is empty: name at least one address".into());
        }
        for a in std::iter::once(&self.from).chain(&self.to).chain(&self.cc) {
            a.parse::<lettre::message::Mailbox>()
                .map_err(|e| format!("`{a}` is not an e-mail address: {e}"))?;
        }
        if let Some(p) = &self.password
            && !p.starts_with("env:")
        {
            return Err(
                "password must be written env:NAME (read from the environment), never in the file"
                    .into(),
            );
        }
        Ok(())
    }

    pub fn server(&self) -> Result<Server, String> {
        let url = self.smtp.trim();
        let (security, rest) = if let Some(r) = url.strip_prefix("smtps://") {
            (Security::Implicit, r)
        } else if let Some(r) = url.strip_prefix("smtp://") {
            (Security::StartTls, r)
        } else {
            return Err(format!(
                "smtp = \"{url}\": write smtp://host:587 (STARTTLS), smtps://host:465 (TLS) or smtp://127.0.0.1:25 (a local relay)"
            ));
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains(['@', '/', '?']) {
            return Err(format!(
                "smtp = \"{url}\": only the host and port go in the URL; the user name and password are `username` and `password` (env:NAME)"
            ));
        }
        let (host, port) = split_host_port(rest)
            .ok_or_else(|| format!("smtp = \"{url}\": cannot read the host and port"))?;
        if host.is_empty() {
            return Err(format!("smtp = \"{url}\": no host"));
        }
        let loopback = is_loopback(&host);
        let security = match security {
            Security::StartTls if loopback => Security::Plain,
            s => s,
        };
        let port = port.unwrap_or(match security {
            Security::Implicit => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });
        Ok(Server {
            host,
            port,
            security,
        })
    }

    pub fn attach_limit(&self) -> Result<u64, String> {
        match &self.attach_limit {
            None => Ok(DEFAULT_ATTACH_LIMIT),
            Some(s) => parse_size(s),
        }
    }

    pub fn timeout(&self) -> Result<std::time::Duration, String> {
        match &self.timeout {
            None => Ok(std::time::Duration::from_secs(30)),
            Some(s) => {
                crate::send::settings::parse_duration(s).map_err(|e| format!("timeout: {e}"))
            }
        }
    }

    /// Everyone the mail goes to.
    pub fn recipients(&self) -> Vec<String> {
        self.to.iter().chain(&self.cc).cloned().collect()
    }
}

fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    if let Some(r) = s.strip_prefix('[') {
        let (host, after) = r.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h.to_string(), Some(p.parse().ok()?))),
        Some(_) => Some((s.to_string(), None)),
        None => Some((s.to_string(), None)),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `10MB`, `500KB`, `1GB`, or bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("attach_limit = \"{s}\": write e.g. 10MB"))?;
    let mult = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" => 1024,
        "MB" | "M" => 1024 * 1024,
        "GB" | "G" => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "attach_limit = \"{s}\": unknown unit `{other}`; use KB, MB or GB"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("attach_limit = \"{s}\" is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(smtp: &str) -> EmailConfig {
        EmailConfig {
            smtp: smtp.into(),
            username: None,
            password: None,
            from: "aktar <aktar@firma.com.tr>".into(),
            to: vec!["muhasebe@firma.com.tr".into()],
            cc: vec![],
            when: When::Problems,
            attach_limit: None,
            timeout: None,
        }
    }

    #[test]
    fn the_url_decides_the_security() {
        let s = cfg("smtp://mail.firma.com.tr").server().unwrap();
        assert_eq!((s.port, s.security), (587, Security::StartTls));
        let s = cfg("smtps://mail.firma.com.tr").server().unwrap();
        assert_eq!((s.port, s.security), (465, Security::Implicit));
        let s = cfg("smtp://127.0.0.1:2525").server().unwrap();
        assert_eq!((s.port, s.security), (2525, Security::Plain));
        let s = cfg("smtp://[::1]:25").server().unwrap();
        assert_eq!((s.host.as_str(), s.security), ("::1", Security::Plain));
        assert_eq!(s.to_string(), "smtp://[::1]:25");
        // A remote server on port 25 still gets STARTTLS, never plain text.
        let s = cfg("smtp://10.0.0.5:25").server().unwrap();
        assert_eq!(s.security, Security::StartTls);
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(
            cfg("mail.firma.com.tr")
                .server()
                .unwrap_err()
                .contains("smtps://")
        );
        assert!(
            cfg("smtp://user:pw@mail.firma.com.tr")
                .server()
                .unwrap_err()
                .contains("env:NAME")
        );
        let mut c = cfg("smtp://127.0.0.1");
        c.password = Some("hunter2".into());
        assert!(c.check().unwrap_err().contains("env:NAME"));
        let mut c = cfg("smtp://127.0.0.1");
        c.to = vec!["not an address".into()];
        assert!(c.check().unwrap_err().contains("not an address"));
        assert_eq!(parse_size("10MB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("500 kb"), Ok(500 * 1024));
        assert!(parse_size("10 parsec").is_err());
    }
}
