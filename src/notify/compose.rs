//! The mail itself: a Turkish subject with the counts and the input files, a text
//! and an HTML body ([`crate::job::render`]), and each step's `errors.xlsx` attached
//! as `<step>-errors.xlsx` — unless together they weigh more than `attach_limit`,
//! when the body says where the report folder is instead. lettre encodes the
//! non-ASCII subject (RFC 2047) and file names, and gives the message its `Date` and
//! `Message-ID`.

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};

use super::EmailConfig;
use crate::job::night::Night;
use crate::job::render::{self, Mode};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A composed mail.
pub struct Composed {
    pub message: Message,
    pub subject: String,
    /// The attached files' names (empty when none, or when over the limit).
    pub attached: Vec<String>,
}

/// `aktar: 12 satır reddedildi, 3 gönderilemedi — cari_20261128.csv (gece)`.
pub fn subject(night: &Night) -> String {
    let c = night.counts();
    let mut parts = Vec::new();
    if c.rejected > 0 {
        parts.push(format!("{} satır reddedildi", c.rejected));
    }
    if c.failed > 0 {
        parts.push(format!("{} gönderilemedi", c.failed));
    }
    if c.uncertain > 0 {
        parts.push(format!("{} belirsiz", c.uncertain));
    }
    if c.held > 0 {
        parts.push(format!("{} bekletildi", c.held));
    }
    let stopped: Vec<&str> = night
        .steps
        .iter()
        .filter(|s| s.stopped())
        .map(|s| s.name.as_str())
        .collect();
    if !stopped.is_empty() {
        parts.push(format!("{} durdu", stopped.join(", ")));
    }
    let skipped: Vec<&str> = night
        .steps
        .iter()
        .filter(|s| s.held_back())
        .map(|s| s.name.as_str())
        .collect();
    if !skipped.is_empty() {
        parts.push(format!("{} çalışmadı", skipped.join(", ")));
    }
    if parts.is_empty() {
        parts.push(if night.dry_run {
            format!("{} satır geçerli, sorun yok", c.valid)
        } else {
            format!("{} satır gönderildi, sorun yok", c.sent)
        });
    }
    let names = night.input_names();
    let files = match names.len() {
        0 => String::new(),
        1..=3 => format!(" — {}", names.join(", ")),
        n => format!(" — {} ve {} dosya daha", names[..2].join(", "), n - 2),
    };
    format!(
        "aktar{}: {}{files} ({})",
        if night.dry_run { " (deneme)" } else { "" },
        parts.join(", "),
        night.job
    )
}

/// Builds the night's mail.
pub fn compose(night: &Night, cfg: &EmailConfig) -> Result<Composed, String> {
    let limit = cfg.attach_limit()?;
    let mut files = Vec::new();
    let mut total: u64 = 0;
    for s in &night.steps {
        let Some(dir) = &s.reports else { continue };
        let path = dir.join("errors.xlsx");
        if s.counts().rejected == 0 || !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        total = total.saturating_add(bytes.len() as u64);
        files.push((format!("{}-errors.xlsx", s.name), bytes));
    }
    let too_big = total > limit;
    if too_big {
        files.clear();
    }
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let mode = Mode::Mail {
        attached: (!too_big).then_some(names.as_slice()),
    };
    let text = render::text(night, mode);
    let html = render::html(night, mode);
    let subject = subject(night);

    let alternative = MultiPart::alternative_plain_html(text, html);
    let body = if files.is_empty() {
        alternative
    } else {
        let content_type = ContentType::parse(XLSX).map_err(|e| format!("attachment type: {e}"))?;
        files.into_iter().fold(
            MultiPart::mixed().multipart(alternative),
            |m, (name, bytes)| {
                m.singlepart(Attachment::new(name).body(bytes, content_type.clone()))
            },
        )
    };
    let message = headers(cfg, &subject)?
        .multipart(body)
        .map_err(|e| format!("cannot build the mail: {e}"))?;
    Ok(Composed {
        message,
        subject,
        attached: names,
    })
}

/// `aktar notify test`: a short message that proves the settings work.
pub fn test_message(cfg: &EmailConfig) -> Result<Message, String> {
    let subject = "aktar: deneme e-postası — ayarlar çalışıyor";
    let host = hostname();
    let text = format!(
        "Bu bir deneme e-postasıdır. aktar ({host}) gece raporlarını bu adrese bu ayarlarla gönderecek.\n\
         This is a test message: aktar on {host} will send its nightly reports here.\n"
    );
    headers(cfg, subject)?
        .body(text)
        .map_err(|e| format!("cannot build the mail: {e}"))
}

fn headers(cfg: &EmailConfig, subject: &str) -> Result<lettre::message::MessageBuilder, String> {
    let parse = |a: &str| -> Result<Mailbox, String> {
        a.parse()
            .map_err(|e| format!("`{a}` is not an e-mail address: {e}"))
    };
    let mut b = Message::builder().from(parse(&cfg.from)?).subject(subject);
    for a in &cfg.to {
        b = b.to(parse(a)?);
    }
    for a in &cfg.cc {
        b = b.cc(parse(a)?);
    }
    Ok(b)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "bu sunucu".to_string())
}
