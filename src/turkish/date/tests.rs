//! Unit tests of date parsing, format compilation and Excel serials.

use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    ymd(y, m, d).and_time(NaiveTime::from_hms_opt(h, mi, s).unwrap_or(NaiveTime::MIN))
}

fn serial(s: &str) -> Option<NaiveDateTime> {
    s.parse::<Decimal>().ok().and_then(excel_serial_to_datetime)
}

#[test]
fn java_formats_compile_to_strftime() {
    let c = |s: &str| compile_input_format(s);
    assert_eq!(c("dd.MM.yyyy"), Ok("%d.%m.%Y".to_string()));
    assert_eq!(c("d.M.yyyy"), Ok("%d.%m.%Y".to_string()));
    assert_eq!(c("yyyy-MM-dd"), Ok("%Y-%m-%d".to_string()));
    assert_eq!(c("dd/MM/yyyy HH:mm"), Ok("%d/%m/%Y %H:%M".to_string()));
    assert_eq!(c("HH:mm:ss"), Ok("%H:%M:%S".to_string()));
    assert_eq!(c("dd.MM.yy"), Ok("%d.%m.%y".to_string()));
    assert_eq!(
        c("yyyy-MM-dd'T'HH:mm:ss.SSS"),
        Ok("%Y-%m-%dT%H:%M:%S.%3f".to_string())
    );
    assert_eq!(c("hh:mm a"), Ok("%I:%M %p".to_string()));
    assert_eq!(
        c("dd.MM.yyyy 'o''clock'"),
        Ok("%d.%m.%Y o'clock".to_string())
    );
    assert_eq!(c("%d.%m.%Y"), Ok("%d.%m.%Y".to_string()));
}

#[test]
fn bad_input_formats_say_what_is_wrong() {
    let err = |s: &str| compile_input_format(s).err().unwrap_or_default();
    assert!(err("").contains("empty"));
    assert!(err("  ").contains("empty"));
    assert!(err("dd.MM.yyyyTHH").contains("`T`"));
    assert!(err("dd.MMM.yyyy").contains("MMM"));
    assert!(err("dd.MM.yyyyy").contains("`yyyyy`"));
    assert!(err("dd.MM.'yyyy").contains("unclosed quote"));
    assert!(err("%d.%m.%Q").contains("specifier"));
    assert!(err("%d.%m.%").contains("specifier"));
    assert!(err("'text'").contains("no date or time field"));
}

#[test]
fn output_formats_are_validated() {
    assert_eq!(check_output_format("%Y-%m-%d %H:%M:%S"), Ok(()));
    assert_eq!(check_output_format("%Y.%m.%d"), Ok(()));
    assert!(check_output_format("%Y-%m-%Q").is_err());
    assert!(check_output_format("").is_err());
    assert!(check_output_format("plain").is_err());
}

#[test]
fn dates_in_default_forms() {
    let p = |s: &str| parse_date(s, DEFAULT_DATE_FORMATS);
    assert_eq!(p("15.03.2023"), Some(ymd(2023, 3, 15)));
    assert_eq!(p(" 5.3.2023 "), Some(ymd(2023, 3, 5)));
    assert_eq!(p("15/03/2023"), Some(ymd(2023, 3, 15)));
    assert_eq!(p("2023-03-15"), Some(ymd(2023, 3, 15)));
    assert_eq!(p("29.02.2024"), Some(ymd(2024, 2, 29)));
    for bad in [
        "29.02.2023",
        "32.01.2023",
        "15.13.2023",
        "15.03.23",
        "15.03.2023x",
        "",
    ] {
        assert_eq!(p(bad), None, "{bad:?}");
    }
}

#[test]
fn two_digit_years_pivot_like_chrono() {
    let f = ["%d.%m.%y"];
    assert_eq!(parse_date("15.03.23", &f), Some(ymd(2023, 3, 15)));
    assert_eq!(parse_date("15.03.69", &f), Some(ymd(2069, 3, 15)));
    assert_eq!(parse_date("15.03.70", &f), Some(ymd(1970, 3, 15)));
}

#[test]
fn unusual_formats_fall_back_to_chrono() {
    let f = ["%Y%m%d", "%e %B %Y"];
    assert_eq!(parse_date("20230315", &f), Some(ymd(2023, 3, 15)));
    assert_eq!(parse_date("15 March 2023", &f), Some(ymd(2023, 3, 15)));
    let f = ["%Y-%m-%dT%H:%M:%S%.f"];
    assert_eq!(
        parse_datetime("2023-03-15T10:30:05.250", &f)
            .map(|d| d.and_utc().timestamp_subsec_millis()),
        Some(250)
    );
    assert_eq!(
        parse_datetime("2023-03-15", &["%Y-%m-%dT%H:%M:%S%.f"]),
        Some(dt(2023, 3, 15, 0, 0, 0))
    );
}

#[test]
fn datetimes_and_date_only_midnight() {
    let p = |s: &str| parse_datetime(s, DEFAULT_DATETIME_FORMATS);
    assert_eq!(p("15.03.2023 14:30:05"), Some(dt(2023, 3, 15, 14, 30, 5)));
    assert_eq!(p("15.03.2023 14:30"), Some(dt(2023, 3, 15, 14, 30, 0)));
    assert_eq!(p("15/03/2023 9:05"), Some(dt(2023, 3, 15, 9, 5, 0)));
    assert_eq!(p("2023-03-15T14:30:05"), Some(dt(2023, 3, 15, 14, 30, 5)));
    assert_eq!(p("2023-03-15 14:30:05"), Some(dt(2023, 3, 15, 14, 30, 5)));
    assert_eq!(p("15.03.2023"), Some(dt(2023, 3, 15, 0, 0, 0)));
    assert_eq!(p("2023-03-15"), Some(dt(2023, 3, 15, 0, 0, 0)));
    assert_eq!(p("15.03.2023 24:00"), None);
    assert_eq!(p("15.03.2023 14:60"), None);
    assert_eq!(p("15.03.2023 14"), None);
    let date_only = ["%d.%m.%Y"];
    assert_eq!(
        parse_datetime("15.03.2023", &date_only),
        Some(dt(2023, 3, 15, 0, 0, 0))
    );
    let owned = vec!["%d.%m.%Y %H:%M".to_string()];
    assert_eq!(
        parse_datetime("01.01.2024", &owned),
        Some(dt(2024, 1, 1, 0, 0, 0))
    );
}

#[test]
fn date_part_of_a_datetime_format() {
    assert_eq!(date_part("%d.%m.%Y %H:%M"), Some("%d.%m.%Y"));
    assert_eq!(date_part("%Y-%m-%dT%H:%M:%S"), Some("%Y-%m-%d"));
    assert_eq!(date_part("%d.%m.%Y, %T"), Some("%d.%m.%Y"));
    assert_eq!(date_part("%d.%m.%Y"), None);
    assert_eq!(date_part("%H:%M"), None);
}

#[test]
fn times() {
    assert_eq!(parse_time("14:30"), NaiveTime::from_hms_opt(14, 30, 0));
    assert_eq!(parse_time("9:05"), NaiveTime::from_hms_opt(9, 5, 0));
    assert_eq!(parse_time(" 09:05:07 "), NaiveTime::from_hms_opt(9, 5, 7));
    assert_eq!(parse_time("0:00"), Some(NaiveTime::MIN));
    for bad in [
        "24:00", "12:60", "12:00:60", "12:5", "123:00", "12:00:", "12", "", "12.30",
    ] {
        assert_eq!(parse_time(bad), None, "{bad:?}");
    }
}

#[test]
fn excel_serials_and_the_1900_leap_bug() {
    assert_eq!(serial("1"), Some(dt(1900, 1, 1, 0, 0, 0)));
    assert_eq!(serial("59"), Some(dt(1900, 2, 28, 0, 0, 0)));
    assert_eq!(serial("60"), None);
    assert_eq!(serial("60.5"), None);
    assert_eq!(serial("61"), Some(dt(1900, 3, 1, 0, 0, 0)));
    assert_eq!(serial("45000"), Some(dt(2023, 3, 15, 0, 0, 0)));
    assert_eq!(serial("45000.5"), Some(dt(2023, 3, 15, 12, 0, 0)));
    assert_eq!(serial("2958465"), Some(dt(9999, 12, 31, 0, 0, 0)));
    assert_eq!(serial("2958466"), None);
    assert_eq!(serial("0.5"), None);
    assert_eq!(serial("0"), None);
    assert_eq!(serial("-1"), None);
}

#[test]
fn serial_fractions_round_to_the_second() {
    // 14:30:00 is 0.604166666...; Excel stores it to 15 digits.
    assert_eq!(
        serial("45000.604166666667"),
        Some(dt(2023, 3, 15, 14, 30, 0))
    );
    assert_eq!(serial("45000.60416"), Some(dt(2023, 3, 15, 14, 29, 59)));
    // Rounding up past the last second moves to the next day.
    assert_eq!(serial("45000.999999"), Some(dt(2023, 3, 16, 0, 0, 0)));
    assert_eq!(serial("59.9999999"), None);
    assert_eq!(serial("2958465.9999999"), None);
}

#[test]
fn serials_written_as_text() {
    assert_eq!(parse_serial_text("45000"), Some(dt(2023, 3, 15, 0, 0, 0)));
    assert_eq!(
        parse_serial_text(" 45000,5 "),
        Some(dt(2023, 3, 15, 12, 0, 0))
    );
    assert_eq!(
        parse_serial_text("45000.5"),
        Some(dt(2023, 3, 15, 12, 0, 0))
    );
    assert_eq!(
        parse_serial_text("45000.6041666666666666666666666667"),
        Some(dt(2023, 3, 15, 14, 30, 0))
    );
    for bad in [
        "",
        "-45000",
        "+45000",
        "45.000,5",
        "45000.",
        ".5",
        "4e4",
        "15.03.2023",
        "20230315",
    ] {
        assert_eq!(parse_serial_text(bad), None, "{bad:?}");
    }
}

#[test]
fn odd_text_never_panics() {
    let tricky = "15.03.2023 ş 14:30 İ\u{a0}٣ 45000,5 %Y 'x'";
    let formats = [
        "%d.%m.%Y ş %H:%M",
        "%d.%m.%Y",
        "%e %B %Y",
        "%Y-%m-%dT%H:%M:%S%.f",
    ];
    for (i, _) in tricky.char_indices() {
        for (j, _) in tricky[i..].char_indices() {
            let s = &tricky[i..i + j];
            let _ = parse_date(s, &formats);
            let _ = parse_datetime(s, &formats);
            let _ = parse_datetime(s, DEFAULT_DATETIME_FORMATS);
            let _ = parse_time(s);
            let _ = parse_serial_text(s);
            let _ = compile_input_format(s);
            let _ = check_output_format(s);
        }
    }
    assert_eq!(
        parse_datetime("15.03.2023 ş 14:30", &formats),
        Some(dt(2023, 3, 15, 14, 30, 0))
    );
}

#[test]
fn excel_times_are_read_to_the_millisecond_and_stay_in_their_day() {
    let t = |s: &str| {
        s.parse::<Decimal>()
            .ok()
            .and_then(excel_time)
            .map(|t| t.format("%H:%M:%S%.3f").to_string())
    };
    assert_eq!(t("0.99999537").as_deref(), Some("23:59:59.600"));
    assert_eq!(t("0.5").as_deref(), Some("12:00:00.000"));
    assert_eq!(t("0").as_deref(), Some("00:00:00.000"));
    assert_eq!(t("46354.75").as_deref(), Some("18:00:00.000"));
    // So close to the next day that a millisecond rounds up to it: the day's last.
    assert_eq!(t("0.9999999999").as_deref(), Some("23:59:59.999"));
    assert_eq!(t("-0.5"), None);
    assert_eq!(t("2958466"), None);
}
