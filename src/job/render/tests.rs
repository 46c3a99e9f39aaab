use std::path::PathBuf;

use super::*;
use crate::job::night::{Details, RuleStat, StepRecord};

fn night(dir: PathBuf) -> Night {
    let mut cari = StepRecord::new("cariler", std::path::Path::new("m.toml"), None);
    cari.exit = Some(1);
    cari.inputs = vec!["/srv/exports/cari_20261128.csv".into()];
    cari.summary = Some(serde_json::json!({"rows": 15, "valid": 10, "rejected": 5, "sent": 10}));
    cari.reports = Some(dir.join("cariler"));
    cari.details = Details {
        rules: vec![RuleStat {
            rule: "required_if".into(),
            count: 2,
            examples: vec![Example {
                at: "cari_20261128.csv:13".into(),
                column: "Vergi No".into(),
                value: String::new(),
                message: "Cari Tipi \"Kurum\" olduğunda Vergi No zorunludur".into(),
            }],
        }],
        failed: vec![],
        uncertain: vec![],
    };
    let tx = StepRecord::new(
        "hareketler",
        std::path::Path::new("t.toml"),
        Some("`cariler` <durdu>".into()),
    );
    Night {
        job: "gece".into(),
        dir,
        dry_run: false,
        started: chrono::Utc::now(),
        steps: vec![cari, tx],
    }
}

#[test]
fn the_text_says_what_happened_and_what_to_do() {
    let n = night(PathBuf::from("/srv/aktar/reports/gece-1"));
    let files = vec!["cariler-errors.xlsx".to_string()];
    let t = text(
        &n,
        Mode::Mail {
            attached: Some(&files),
        },
    );
    assert!(t.contains("cariler — Sorunlu satırlar var"), "{t}");
    assert!(t.contains("dosya: cari_20261128.csv"), "{t}");
    assert!(
        t.contains("Satır 15, Geçerli 10, Reddedilen 5, Gönderilen 10"),
        "{t}"
    );
    assert!(
        t.contains("- cari_20261128.csv:13: Cari Tipi \"Kurum\" olduğunda Vergi No zorunludur"),
        "{t}"
    );
    assert!(
        t.contains("hareketler — Çalışmadı: `cariler` <durdu>"),
        "{t}"
    );
    assert!(t.contains("Ekteki cariler-errors.xlsx"), "{t}");
    assert!(
        t.contains("Rapor klasörü: /srv/aktar/reports/gece-1"),
        "{t}"
    );
}

#[test]
fn html_is_escaped_and_the_index_links_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cariler")).unwrap();
    std::fs::write(dir.path().join("cariler/errors.xlsx"), b"x").unwrap();
    let n = night(dir.path().to_path_buf());
    let h = html(&n, Mode::Index);
    assert!(h.contains("&lt;durdu&gt;"), "{h}");
    assert!(!h.contains("<durdu>"), "{h}");
    assert!(
        h.contains("<a href=\"cariler/errors.xlsx\">errors.xlsx</a>"),
        "{h}"
    );
    assert!(h.contains("<a href=\"cariler/\">cariler</a>"), "{h}");
    assert!(!h.contains("Ne yapmalı"), "the index gives no instructions");
    let too_big = html(&n, Mode::Mail { attached: None });
    assert!(
        too_big.contains("e-postaya eklenemeyecek kadar büyük"),
        "{too_big}"
    );
}
