//! Unit and property tests of the date forms read by default.

use chrono::{Datelike, Timelike};
use proptest::prelude::*;

use super::*;
use crate::turkish::date::{
    DEFAULT_DATE_FORMATS, DEFAULT_DATETIME_FORMATS, parse_date, parse_datetime,
};

fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(h, mi, s)
}

fn p(s: &str) -> Option<NaiveDateTime> {
    parse_date_forms(s)
}

#[test]
fn erp_datetimes_at_midnight() {
    let midnight = dt(2026, 11, 28, 0, 0, 0);
    for s in [
        "28.11.2026 00:00:00",
        "28.11.2026 00:00",
        "28/11/2026 00:00:00",
        "2026-11-28T00:00:00",
        "2026-11-28T00:00",
        "2026-11-28 00:00",
        "2026-11-28 00:00:00.000",
        "2026.11.28 00:00:00",
        "28 Kasım 2026 00:00",
        " 28.11.2026\u{a0}00:00:00 ",
        "28.11.2026  0:00",
    ] {
        assert_eq!(p(s), midnight, "{s:?}");
    }
    assert_eq!(p("28.11.2026 14:30"), dt(2026, 11, 28, 14, 30, 0));
    assert_eq!(p("2026-11-28T14:30:05"), dt(2026, 11, 28, 14, 30, 5));
    assert_eq!(
        p("2026-11-28 14:30:05.250").map(|d| d.and_utc().timestamp_subsec_millis()),
        Some(250)
    );
}

#[test]
fn year_first_with_dots() {
    assert_eq!(p("2026.11.28"), dt(2026, 11, 28, 0, 0, 0));
    assert_eq!(p("2026.1.5"), dt(2026, 1, 5, 0, 0, 0));
    assert_eq!(p("2024.02.29"), dt(2024, 2, 29, 0, 0, 0));
}

#[test]
fn turkish_month_names_and_abbreviations() {
    let want = dt(2026, 11, 28, 0, 0, 0);
    for s in [
        "28 Kasım 2026",
        "28 Kas 2026",
        "28 KASIM 2026",
        "28 kasım 2026",
        "28 Kasim 2026",
        "28 KASİM 2026",
        "28.Kas.2026",
        "28-Kas-2026",
        "28\u{a0}Kasım\u{a0}2026",
    ] {
        assert_eq!(p(s), want, "{s:?}");
    }
    let months = [
        ("Ocak", "Oca"),
        ("Şubat", "Şub"),
        ("Mart", "Mar"),
        ("Nisan", "Nis"),
        ("Mayıs", "May"),
        ("Haziran", "Haz"),
        ("Temmuz", "Tem"),
        ("Ağustos", "Ağu"),
        ("Eylül", "Eyl"),
        ("Ekim", "Eki"),
        ("Kasım", "Kas"),
        ("Aralık", "Ara"),
    ];
    for (i, (full, short)) in (1..).zip(months) {
        assert_eq!(month_number(full), Some(i), "{full}");
        assert_eq!(month_number(short), Some(i), "{short}");
        assert_eq!(
            p(&format!("1 {full} 2026")),
            dt(2026, i, 1, 0, 0, 0),
            "{full}"
        );
    }
    for s in [
        "Subat", "SUBAT", "Agustos", "Agu", "Mayis", "Eylul", "Aralik", "ARALIK",
    ] {
        assert!(month_number(s).is_some(), "{s}");
    }
    for s in [
        "", "K", "Ka", "Kası", "Kasımm", "November", "Nov", "Ekm", "Şubatt",
    ] {
        assert_eq!(month_number(s), None, "{s}");
    }
}

#[test]
fn forms_without_one_meaning_or_with_a_zone_are_refused() {
    for s in [
        "28.11.26",
        "28.11.26 00:00",
        "28 Kas 26",
        "2026-11-28T00:00:00Z",
        "2026-11-28T00:00:00+03:00",
        "2026.11.28T00:00",
        "28.11.2026T00:00",
        "28-11-2026",
        "28/Kas/2026",
        "28 Kas.2026",
        "28 11 2026",
        "28.11/2026",
        "2026/11/28",
        "2026.11-28",
        "11.28.2026 ",
        "31.11.2026",
        "28.11.2026 24:00",
        "28.11.2026 14:5",
        "28.11.2026 14",
        "28.11.2026 14:30:05.1234567890",
        "28.11.202600:00",
        "28.11.20265",
        "128.11.2026",
        "2026.11.288",
        "28 Kasım 2026 Cumartesi",
        "Kasım 2026",
        "28 Kasım",
        "",
    ] {
        assert_eq!(p(s), None, "{s:?}");
    }
}

#[test]
fn odd_text_never_panics() {
    let tricky = "28 Kasım.2026T 0:00:00.5 İ\u{a0}٣ ş-/Z";
    for (i, _) in tricky.char_indices() {
        for (j, _) in tricky[i..].char_indices() {
            let _ = p(&tricky[i..i + j]);
            let _ = month_number(&tricky[i..i + j]);
        }
    }
}

const FULL: [&str; 12] = [
    "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim",
    "Kasım", "Aralık",
];

/// `d` printed in form `form`, with `time` after it when given.
fn print(d: NaiveDate, form: usize, time: Option<NaiveTime>) -> String {
    let name = FULL[d.month0() as usize];
    let date = match form {
        0 => d.format("%d.%m.%Y").to_string(),
        1 => d.format("%-d.%-m.%Y").to_string(),
        2 => d.format("%d/%m/%Y").to_string(),
        3 => d.format("%Y-%m-%d").to_string(),
        4 => d.format("%Y.%m.%d").to_string(),
        5 => format!("{} {name} {}", d.format("%-d"), d.format("%Y")),
        6 => format!(
            "{} {} {}",
            d.format("%d"),
            name.to_uppercase(),
            d.format("%Y")
        ),
        _ => {
            let short: String = name.chars().take(3).collect();
            format!("{}.{short}.{}", d.format("%d"), d.format("%Y"))
        }
    };
    match time {
        None => date,
        Some(t) if form == 3 => format!("{date}T{}", t.format("%H:%M:%S%.3f")),
        Some(t) => format!("{date} {}", t.format("%H:%M:%S")),
    }
}

fn dates() -> impl Strategy<Value = NaiveDate> {
    (1000i32..=9999, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn times() -> impl Strategy<Value = NaiveTime> {
    (0u32..24, 0u32..60, 0u32..60, 0u32..1000).prop_filter_map("a time", |(h, m, s, ms)| {
        NaiveTime::from_hms_milli_opt(h, m, s, ms)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_printed_form_reads_back_as_itself(
        d in dates(),
        form in 0usize..8,
        time in prop::option::of(times()),
    ) {
        let text = print(d, form, time);
        // Only the ISO form here carries milliseconds.
        let time = time.map(|t| if form == 3 { t } else { t.with_nanosecond(0).unwrap_or(t) });
        let want = d.and_time(time.unwrap_or(NaiveTime::MIN));
        prop_assert_eq!(parse_date_forms(&text), Some(want), "{:?}", text);
    }

    #[test]
    fn every_plain_form_reads_the_same(d in dates(), t in times(), form in 0usize..4) {
        let t = t.with_nanosecond(0).unwrap_or(t);
        let text = match form {
            0 => d.format("%d.%m.%Y").to_string(),
            1 => d.format("%d/%m/%Y").to_string(),
            2 => d.format("%Y-%m-%d").to_string(),
            _ => format!("{} {}", d.format("%d.%m.%Y"), t.format("%H:%M:%S")),
        };
        if let Some(plain) = parse_date(&text, DEFAULT_DATE_FORMATS) {
            prop_assert_eq!(parse_date_forms(&text), Some(plain.and_time(NaiveTime::MIN)));
        }
        if let Some(plain) = parse_datetime(&text, DEFAULT_DATETIME_FORMATS) {
            prop_assert_eq!(parse_date_forms(&text), Some(plain));
        }
    }
}
