//! The night as people read it: plain text and HTML with the table of steps, the
//! problems per rule with a few examples each, and — in the mail — what accounting
//! should do. `index.html` in the night's folder is the same page with links to each
//! step's reports, readable offline (no scripts, no remote styles or images).
//!
//! The words are Turkish: the readers are the accountants the reports go back to.
//! Values and messages come from the reports as written (in the export's own column
//! names and values).

use std::fmt::Write as _;
use std::path::Path;

use super::night::{Counts, Example, Night, StepRecord};

/// What the page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    /// `index.html`: links to the reports beside it.
    Index,
    /// The mail: names of the attached files, or `None` when they were too large.
    Mail { attached: Option<&'a [String]> },
}

const COLUMNS: [&str; 9] = [
    "Satır",
    "Geçerli",
    "Reddedilen",
    "Gönderilen",
    "Değişmeyen",
    "Gönderilemeyen",
    "Belirsiz",
    "Bekletilen",
    "Atlanan",
];

fn values(c: Counts) -> [u64; 9] {
    [
        c.rows,
        c.valid,
        c.rejected,
        c.sent,
        c.unchanged,
        c.failed,
        c.uncertain,
        c.held,
        c.skipped,
    ]
}

/// What a step's outcome means, in a few words.
pub fn status(s: &StepRecord) -> String {
    if let Some(why) = &s.skipped {
        return format!("Çalışmadı: {why}");
    }
    match s.exit {
        Some(0) => "Tamam".into(),
        Some(1) => "Sorunlu satırlar var".into(),
        Some(2) => "Durdu: hiçbir şey gönderilmedi".into(),
        Some(3) => "Durdu: sağlayıcıya ulaşılamadı veya giriş reddedildi".into(),
        Some(4) => "Gönderildi, ama raporlar yazılamadı".into(),
        Some(130) => "Yarıda kesildi".into(),
        Some(n) => format!("Çıkış kodu {n}"),
        None => "Çalışmadı".into(),
    }
}

fn when(night: &Night) -> String {
    let local = night.started.with_timezone(&chrono::Local);
    local.format("%d.%m.%Y %H:%M (%:z)").to_string()
}

fn title(night: &Night) -> String {
    format!(
        "aktar — {}{} — {}",
        night.job,
        if night.dry_run { " (deneme)" } else { "" },
        when(night)
    )
}

/// The plain-text body.
pub fn text(night: &Night, mode: Mode<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", title(night));
    for s in &night.steps {
        let c = s.counts();
        let _ = writeln!(out, "{} — {}", s.name, status(s));
        if !s.inputs.is_empty() {
            let _ = writeln!(out, "  dosya: {}", file_names(&s.inputs));
        }
        if s.summary.is_some() {
            let parts: Vec<String> = COLUMNS
                .iter()
                .zip(values(c))
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(out, "  {}", parts.join(", "));
        }
        if let Some(m) = &s.message {
            let _ = writeln!(out, "  neden: {m}");
        }
        for w in &s.warnings {
            let _ = writeln!(out, "  uyarı: {w}");
        }
        for r in &s.details.rules {
            let _ = writeln!(out, "  {} ({} sorun):", rule_label(&r.rule), r.count);
            for e in &r.examples {
                let _ = writeln!(out, "    - {}", example_text(e));
            }
        }
        if !s.details.failed.is_empty() {
            let _ = writeln!(out, "  Gönderilemeyen satırlar ({}):", c.failed);
            for e in &s.details.failed {
                let _ = writeln!(out, "    - {} {}: {}", e.at, e.column, e.message);
            }
        }
        if !s.details.uncertain.is_empty() {
            let _ = writeln!(out, "  Belirsiz gönderimler ({}):", c.uncertain);
            for e in &s.details.uncertain {
                let _ = writeln!(out, "    - {} {}: {}", e.at, e.column, e.message);
            }
        }
        out.push('\n');
    }
    if let Mode::Mail { attached } = mode {
        for line in advice(night, attached) {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "Rapor klasörü: {}", night.dir.display());
    out
}

/// The HTML page (the mail's HTML part, or `index.html`).
pub fn html(night: &Night, mode: Mode<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"tr\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;color:#222}}table{{border-collapse:collapse}}\
         th,td{{border:1px solid #bbb;padding:3px 8px}}td.n{{text-align:right}}\
         th{{background:#d9e1f2}}tr.bad td{{background:#ffc7ce}}li{{margin:2px 0}}</style>\
         </head><body>\n<h2>{t}</h2>\n",
        t = esc(&title(night))
    );
    out.push_str("<table>\n<tr><th>Adım</th><th>Dosya</th>");
    for c in COLUMNS {
        let _ = write!(out, "<th>{c}</th>");
    }
    out.push_str("<th>Durum</th></tr>\n");
    for s in &night.steps {
        let class = if s.has_problems() || s.held_back() {
            " class=\"bad\""
        } else {
            ""
        };
        let name = match (mode, &s.reports) {
            (Mode::Index, Some(dir)) => link(&night.dir, dir, &s.name),
            _ => esc(&s.name),
        };
        let _ = write!(
            out,
            "<tr{class}><td>{name}</td><td>{}</td>",
            esc(&file_names(&s.inputs))
        );
        for n in values(s.counts()) {
            let _ = write!(out, "<td class=\"n\">{n}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", esc(&status(s)));
    }
    out.push_str("</table>\n");

    for s in &night.steps {
        let details = &s.details;
        let files = match (mode, &s.reports) {
            (Mode::Index, Some(dir)) => report_links(&night.dir, dir),
            _ => String::new(),
        };
        let quiet = details.rules.is_empty()
            && details.failed.is_empty()
            && details.uncertain.is_empty()
            && s.message.is_none()
            && s.warnings.is_empty();
        if quiet && files.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{}</h3>", esc(&s.name));
        out.push_str(&files);
        if let Some(m) = &s.message {
            let _ = writeln!(out, "<p><b>Neden:</b> {}</p>", esc(m));
        }
        for w in &s.warnings {
            let _ = writeln!(out, "<p><b>Uyarı:</b> {}</p>", esc(w));
        }
        if !details.rules.is_empty() {
            out.push_str("<ul>\n");
            for r in &details.rules {
                let _ = write!(
                    out,
                    "<li><b>{}</b> — {} sorun<ul>",
                    esc(&rule_label(&r.rule)),
                    r.count
                );
                for e in &r.examples {
                    let _ = write!(out, "<li>{}</li>", esc(&example_text(e)));
                }
                out.push_str("</ul></li>\n");
            }
            out.push_str("</ul>\n");
        }
        for (label, list, n) in [
            (
                "Gönderilemeyen satırlar",
                &details.failed,
                s.counts().failed,
            ),
            (
                "Belirsiz gönderimler",
                &details.uncertain,
                s.counts().uncertain,
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(out, "<p><b>{label}</b> ({n}):</p><ul>");
            for e in list {
                let _ = write!(
                    out,
                    "<li>{} {}: {}</li>",
                    esc(&e.at),
                    esc(&e.column),
                    esc(&e.message)
                );
            }
            out.push_str("</ul>\n");
        }
    }
    if let Mode::Mail { attached } = mode {
        out.push_str("<h3>Ne yapmalı?</h3>\n<ol>\n");
        for line in advice(night, attached) {
            let _ = writeln!(out, "<li>{}</li>", esc(&line));
        }
        out.push_str("</ol>\n");
    }
    let _ = writeln!(
        out,
        "<p>Rapor klasörü: <code>{}</code></p>\n</body></html>",
        esc(&night.dir.display().to_string())
    );
    out
}

/// What accounting should do about the night.
fn advice(night: &Night, attached: Option<&[String]>) -> Vec<String> {
    let c = night.counts();
    let mut out = Vec::new();
    if c.rejected > 0 {
        match attached {
            Some(files) if !files.is_empty() => out.push(format!(
                "Ekteki {} dosyasını açın: Hatalar sayfasında kırmızı hücreler düzeltilecek yerlerdir; nedeni hücre notunda ve Hata sütununda yazar. Özet sayfası sorunları kurala göre sayar.",
                files.join(", ")
            )),
            _ => out.push(
                "Hata dosyaları (errors.xlsx) e-postaya eklenemeyecek kadar büyük; rapor klasöründen alın. Hatalar sayfasında kırmızı hücreler düzeltilecek yerlerdir."
                    .into(),
            ),
        }
        out.push(
            "Kırmızı hücreleri düzeltin. Satır ve Hata sütunlarını silmeyin, sayfanın adını değiştirmeyin; düzeltemediğiniz satırları silebilirsiniz."
                .into(),
        );
        out.push(
            "Dosyayı kaydedip bu e-postaya yanıt olarak geri gönderin. Yalnız düzeltilen satırlar gönderilir; hâlâ hatalı olanlar asıl dosyadaki satır numaralarıyla yeniden raporlanır. Hiçbir kayıt iki kez gönderilmez."
                .into(),
        );
    }
    if c.failed > 0 {
        out.push("Gönderilemeyen satırlar sağlayıcının cevabıyla listelendi (failed.csv): kayıt sağlayıcıda yoksa ya da reddedildiyse düzeltip bir sonraki dosyayla gönderin; bağlantı sorunlarını entegrasyon sorumlusu izler.".into());
    }
    if c.uncertain > 0 {
        out.push("Belirsiz gönderimlerin sağlayıcıya ulaşıp ulaşmadığı bilinmiyor: sağlayıcının panelinden kontrol edin ve sonucu entegrasyon sorumlusuna bildirin (bunlar kontrol edilene kadar yeniden gönderilmez).".into());
    }
    if night.steps.iter().any(|s| s.stopped() || s.held_back()) {
        out.push("Durdurulan veya çalışmayan adımlar için entegrasyon sorumlusuna haber verin; o adımların kayıtları bu gece gönderilmedi.".into());
    }
    if out.is_empty() {
        out.push("Yapılacak bir şey yok: bütün satırlar geçerliydi ve gönderildi.".into());
    }
    out
}

fn example_text(e: &Example) -> String {
    let value = if e.value.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", e.value)
    };
    // A message that names its own empty cell ("… Vergi No zorunludur") needs no
    // column in front of it.
    let column = if e.column.is_empty() || (e.value.is_empty() && e.message.contains(&e.column)) {
        String::new()
    } else {
        format!(" {}{value}", e.column)
    };
    format!("{}{column}: {}", e.at, e.message)
}

/// A rule's name as accounting knows it, with the stable name after it.
fn rule_label(rule: &str) -> String {
    match crate::problem::rule_title(rule) {
        Some(title) => format!("{title} ({rule})"),
        None => rule.to_string(),
    }
}

fn file_names(inputs: &[String]) -> String {
    inputs
        .iter()
        .map(|i| {
            Path::new(i)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| i.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A link from the night's folder to a step's folder (relative, so the folder can be
/// copied or zipped and still work).
fn link(base: &Path, dir: &Path, text: &str) -> String {
    let rel = dir.strip_prefix(base).unwrap_or(dir);
    format!(
        "<a href=\"{}/\">{}</a>",
        esc(&rel.display().to_string()),
        esc(text)
    )
}

fn report_links(base: &Path, dir: &Path) -> String {
    let rel = dir.strip_prefix(base).unwrap_or(dir);
    let files: Vec<String> = [
        "errors.xlsx",
        "errors.csv",
        "failed.csv",
        "uncertain.csv",
        "sent.csv",
        "summary.json",
        "payloads.jsonl",
    ]
    .iter()
    .filter(|f| dir.join(f).is_file())
    .map(|f| {
        format!(
            "<a href=\"{}/{f}\">{f}</a>",
            esc(&rel.display().to_string())
        )
    })
    .collect();
    if files.is_empty() {
        String::new()
    } else {
        format!("<p>Raporlar: {}</p>\n", files.join(" · "))
    }
}

/// Text safe inside HTML elements and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
