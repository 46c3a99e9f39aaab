//! Sheet `Özet` of `errors.xlsx`: the run's counts, then how often each rule failed,
//! most frequent first — the first thing to fix in the export is the rule at the top.
//! The labels follow the message language; the sheet name is the contract.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, RowNum, Worksheet, XlsxError};

use super::{Caps, header_format};
use crate::problem::Lang;
use crate::report::{RejectedRow, Summary};

/// Fills `ws` as `Özet`, saying so when `caps` kept rows or notes out of `Hatalar`.
/// `source` is the export the rejected rows come from when they all come from one
/// (with several, `Hatalar` has a `Dosya` column): a corrected report sent back is
/// read against it.
pub(super) fn overview_sheet(
    ws: &mut Worksheet,
    summary: &Summary,
    total: u64,
    rules: &[(&'static str, u64)],
    caps: Caps,
    source: Option<&str>,
    lang: Lang,
) -> Result<(), XlsxError> {
    ws.set_name("Özet")?;
    let tr = lang == Lang::Tr;
    let label = Format::new().set_bold();
    let counts = [
        ("Toplam satır", "Rows", summary.rows),
        ("Geçerli", "Valid", summary.valid),
        ("Reddedilen", "Rejected", summary.rejected),
        ("Gönderilen", "Sent", summary.sent),
        ("Değişmeyen", "Unchanged", summary.unchanged),
        ("Başarısız", "Failed", summary.failed),
        ("Belirsiz", "Uncertain", summary.uncertain),
        ("Atlanan", "Skipped", summary.skipped),
        ("Süre (ms)", "Duration (ms)", summary.duration_ms),
    ];
    let mut row: RowNum = 0;
    for (turkish, english, n) in counts {
        ws.write_string_with_format(row, 0, if tr { turkish } else { english }, &label)?;
        // Counts stay far below 2^53, so the conversion is exact.
        ws.write_number(row, 1, n as f64)?;
        row += 1;
    }
    // Only a run that stopped before sending has held rows; the others keep the
    // sheet as it always was.
    if summary.held > 0 {
        let held = if tr { "Bekletilen" } else { "Held" };
        ws.write_string_with_format(row, 0, held, &label)?;
        ws.write_number(row, 1, summary.held as f64)?;
        row += 1;
        let why = if tr {
            "Bekletme nedeni"
        } else {
            "Held because"
        };
        ws.write_string_with_format(row, 0, why, &label)?;
        ws.write_string(row, 1, summary.held_reason.as_deref().unwrap_or_default())?;
        row += 1;
    }
    let (dry_label, yes, no) = if tr {
        ("Deneme (dry run)", "Evet", "Hayır")
    } else {
        ("Dry run", "Yes", "No")
    };
    ws.write_string_with_format(row, 0, dry_label, &label)?;
    ws.write_string(row, 1, if summary.dry_run { yes } else { no })?;
    row += 2;

    let shown = total.min(caps.rows as u64);
    if shown < total {
        let text = if tr {
            format!(
                "Hatalar sayfası reddedilen {total} satırın yalnız ilk {shown} satırını gösteriyor; tümü errors.csv dosyasında."
            )
        } else {
            format!(
                "The Hatalar sheet shows only the first {shown} of {total} rejected rows; errors.csv lists them all."
            )
        };
        ws.write_string(row, 0, text)?;
        row += 2;
    }
    if shown > caps.notes as u64 {
        let notes = caps.notes;
        let text = if tr {
            format!(
                "İlk {notes} satırdan sonra hatalı hücrelerde not yok; hata açıklaması Hata sütununda."
            )
        } else {
            format!(
                "Past the first {notes} rows bad cells carry no note; the Hata column explains them."
            )
        };
        ws.write_string(row, 0, text)?;
        row += 2;
    }

    let header = header_format();
    let (rule_title, count_title) = if tr {
        ("Kural", "Sorun sayısı")
    } else {
        ("Rule", "Problems")
    };
    ws.write_string_with_format(row, 0, rule_title, &header)?;
    ws.write_string_with_format(row, 1, count_title, &header)?;
    if tr {
        ws.write_string_with_format(row, 2, "Açıklama", &header)?;
    }
    for (rule, n) in rules {
        row += 1;
        ws.write_string(row, 0, *rule)?;
        ws.write_number(row, 1, *n as f64)?;
        if let Some(title) = crate::problem::rule_title(rule).filter(|_| tr) {
            ws.write_string(row, 2, title)?;
        }
    }
    if let Some(source) = source {
        row += 2;
        let at = crate::read::CORRECTED_SOURCE_LABELS[usize::from(!tr)];
        ws.write_string_with_format(row, 0, at, &label)?;
        ws.write_string(row, 1, source)?;
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(2, 34)?;
    Ok(())
}

/// Problems per rule over `rejected`, most frequent first, ties by rule name so the
/// order is the same on every run.
pub fn rule_counts(rejected: &[RejectedRow]) -> Vec<(&'static str, u64)> {
    let mut counts: HashMap<&'static str, u64> = HashMap::new();
    for error in rejected.iter().flat_map(|r| &r.errors) {
        *counts.entry(error.problem.rule()).or_default() += 1;
    }
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    sorted
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx, open_workbook};

    use super::*;
    use crate::problem::{Problem, RowError};
    use crate::report::test_support::pos;

    fn rejected(problems: Vec<Problem>) -> RejectedRow {
        let p = pos("a.csv", None, 2);
        RejectedRow {
            pos: p.clone(),
            cells: vec![],
            errors: problems
                .into_iter()
                .map(|problem| RowError {
                    pos: p.clone(),
                    column: "X".into(),
                    value: String::new(),
                    problem,
                })
                .collect(),
        }
    }

    fn column(range: &calamine::Range<Data>, c: u32) -> Vec<String> {
        (0..range.height() as u32)
            .map(|r| {
                range
                    .get_value((r, c))
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn summary() -> Summary {
        Summary {
            rows: 12,
            valid: 9,
            rejected: 3,
            sent: 7,
            unchanged: 1,
            failed: 1,
            uncertain: 0,
            held: 0,
            held_reason: None,
            skipped: 0,
            duration_ms: 845,
            dry_run: true,
        }
    }

    #[test]
    fn counts_and_rules_in_turkish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.xlsx");
        let rows = vec![
            rejected(vec![Problem::Required, Problem::Integer]),
            rejected(vec![Problem::Integer]),
            rejected(vec![Problem::Integer, Problem::Required, Problem::Bool]),
        ];
        super::super::write_capped(
            &path,
            &["X".into()],
            &rows,
            &rule_counts(&rows),
            &summary(),
            Lang::Tr,
            super::super::CAPS,
        )
        .unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let range = wb.worksheet_range("Özet").unwrap();
        let labels = column(&range, 0);
        let values = column(&range, 1);
        assert_eq!(
            labels[..10],
            [
                "Toplam satır",
                "Geçerli",
                "Reddedilen",
                "Gönderilen",
                "Değişmeyen",
                "Başarısız",
                "Belirsiz",
                "Atlanan",
                "Süre (ms)",
                "Deneme (dry run)"
            ]
        );
        assert_eq!(
            values[..10],
            ["12", "9", "3", "7", "1", "1", "0", "0", "845", "Evet"]
        );
        assert_eq!(
            labels[11..],
            ["Kural", "integer", "required", "bool", "", "Kaynak dosya"]
        );
        assert_eq!(
            values[11..],
            ["Sorun sayısı", "3", "2", "1", "", "a.csv"],
            "the export the rows came from last"
        );
        assert_eq!(column(&range, 2)[12], "Tam sayı değil");
    }

    #[test]
    fn english_labels_and_the_cap_notice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.xlsx");
        let rows = vec![
            rejected(vec![Problem::Required]),
            rejected(vec![Problem::Required]),
            rejected(vec![Problem::Required]),
        ];
        let summary = Summary {
            dry_run: false,
            ..summary()
        };
        let caps = Caps { rows: 2, notes: 1 };
        super::super::write_capped(
            &path,
            &["X".into()],
            &rows,
            &rule_counts(&rows),
            &summary,
            Lang::En,
            caps,
        )
        .unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(wb.sheet_names(), ["Özet", "Hatalar"]);
        let hatalar = wb.worksheet_range("Hatalar").unwrap();
        assert_eq!(hatalar.height(), 3, "header and the first two rows");
        let range = wb.worksheet_range("Özet").unwrap();
        let labels = column(&range, 0);
        assert_eq!(labels[0], "Rows");
        assert_eq!(labels[9], "Dry run");
        assert_eq!(column(&range, 1)[9], "No");
        assert_eq!(
            labels[11],
            "The Hatalar sheet shows only the first 2 of 3 rejected rows; errors.csv lists them all."
        );
        assert_eq!(
            labels[13],
            "Past the first 1 rows bad cells carry no note; the Hata column explains them."
        );
        assert_eq!(labels[15..], ["Rule", "required", "", "Source file"]);
        assert_eq!(
            column(&range, 1)[16],
            "3",
            "counts cover the rows not shown"
        );
    }

    #[test]
    fn no_notice_when_nothing_was_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("errors.xlsx");
        let rows = vec![rejected(vec![Problem::Required])];
        let caps = Caps { rows: 1, notes: 1 };
        super::super::write_capped(
            &path,
            &["X".into()],
            &rows,
            &rule_counts(&rows),
            &Summary {
                rejected: 1,
                ..summary()
            },
            Lang::Tr,
            caps,
        )
        .unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let range = wb.worksheet_range("Özet").unwrap();
        assert_eq!(
            column(&range, 0)[11..],
            ["Kural", "required", "", "Kaynak dosya"]
        );
    }
}
