//! Unit tests of the plain number forms and of spreadsheet floats.

use super::*;
use std::str::FromStr;

#[test]
fn whole_spreadsheet_numbers_up_to_2_pow_53_stay_exact() {
    assert_eq!(
        super::decimal_from_f64(1234567890123456.0),
        Some(Decimal::from(1234567890123456i64))
    );
    assert_eq!(super::decimal_from_f64(0.1 + 0.2), Some(Decimal::new(3, 1)));
    assert_eq!(super::decimal_from_f64(-9440.0), Some(Decimal::from(-9440)));
}

fn dec(s: &str) -> Decimal {
    match Decimal::from_str(s) {
        Ok(d) => d,
        Err(e) => panic!("bad test literal {s}: {e}"),
    }
}

fn auto(s: &str) -> Result<Decimal, NumberError> {
    parse_decimal(s, DecimalStyle::Auto)
}

#[test]
fn auto_reads_both_conventions() {
    assert_eq!(auto("1.234,56"), Ok(dec("1234.56")));
    assert_eq!(auto("1,234.56"), Ok(dec("1234.56")));
    assert_eq!(auto("1234.56"), Ok(dec("1234.56")));
    assert_eq!(auto("1234,56"), Ok(dec("1234.56")));
    assert_eq!(auto(" 12 "), Ok(dec("12")));
    assert_eq!(auto("\u{a0}12,5\u{a0}"), Ok(dec("12.5")));
    assert_eq!(auto("1.234.567"), Ok(dec("1234567")));
    assert_eq!(auto("1,234,567.5"), Ok(dec("1234567.5")));
    assert_eq!(auto("0,5"), Ok(dec("0.5")));
    assert_eq!(auto(",5"), Ok(dec("0.5")));
    assert_eq!(auto(".5"), Ok(dec("0.5")));
    assert_eq!(auto("0.125"), Ok(dec("0.125")));
    assert_eq!(auto("1234.567"), Ok(dec("1234.567")));
    assert_eq!(auto("12,3"), Ok(dec("12.3")));
    assert_eq!(auto("+7"), Ok(dec("7")));
    assert_eq!(auto("007"), Ok(dec("7")));
}

#[test]
fn sign_and_scale_are_kept() {
    let d = auto("-9.440,00");
    assert_eq!(d, Ok(dec("-9440.00")));
    assert_eq!(d.map(|d| d.scale()), Ok(2));
    assert_eq!(d.map(|d| d.to_string()), Ok("-9440.00".to_string()));
    assert_eq!(auto("-,5"), Ok(dec("-0.5")));
}

#[test]
fn malformed_numbers_are_invalid() {
    for s in [
        "12,3,4",
        "1.2.3",
        "1,234,5",
        "abc",
        "",
        "   ",
        "1e5",
        "--1",
        "+-1",
        "-",
        "1.234,56.7",
        "1,234.567,8",
        ".",
        "5,",
        "1.",
        "12 345",
        "1..234",
        ".234,5",
        "01.234.567",
        "1.234,5,6",
    ] {
        assert_eq!(auto(s), Err(NumberError::Invalid), "{s:?}");
    }
}

#[test]
fn lone_separator_before_three_digits_is_ambiguous_in_auto() {
    assert_eq!(auto("1.234"), Err(NumberError::Ambiguous));
    assert_eq!(auto("12,345"), Err(NumberError::Ambiguous));
    assert_eq!(auto("-999.000"), Err(NumberError::Ambiguous));
}

#[test]
fn pinned_styles_resolve_ambiguity() {
    assert_eq!(parse_decimal("1.234", DecimalStyle::Comma), Ok(dec("1234")));
    assert_eq!(parse_decimal("1.234", DecimalStyle::Dot), Ok(dec("1.234")));
    assert_eq!(
        parse_decimal("12,345", DecimalStyle::Comma),
        Ok(dec("12.345"))
    );
    assert_eq!(parse_decimal("12,345", DecimalStyle::Dot), Ok(dec("12345")));
    assert_eq!(
        parse_decimal("1.234.567", DecimalStyle::Comma),
        Ok(dec("1234567"))
    );
}

#[test]
fn pinned_styles_reject_the_other_convention() {
    assert_eq!(
        parse_decimal("1,234.56", DecimalStyle::Comma),
        Err(NumberError::Invalid)
    );
    assert_eq!(
        parse_decimal("1.234,56", DecimalStyle::Dot),
        Err(NumberError::Invalid)
    );
    assert_eq!(
        parse_decimal("1.5", DecimalStyle::Comma),
        Err(NumberError::Invalid)
    );
    assert_eq!(
        parse_decimal("1,5", DecimalStyle::Dot),
        Err(NumberError::Invalid)
    );
    assert_eq!(
        parse_decimal("1,2,3", DecimalStyle::Comma),
        Err(NumberError::Invalid)
    );
    assert_eq!(
        parse_decimal("1.234,56", DecimalStyle::Comma),
        Ok(dec("1234.56"))
    );
    assert_eq!(
        parse_decimal("1,234.56", DecimalStyle::Dot),
        Ok(dec("1234.56"))
    );
}

#[test]
fn too_large_is_invalid_not_a_panic() {
    assert_eq!(auto("79228162514264337593543950335"), Ok(Decimal::MAX));
    assert_eq!(
        auto("79228162514264337593543950336"),
        Err(NumberError::Invalid)
    );
    assert_eq!(auto(&"9".repeat(60)), Err(NumberError::Invalid));
    assert_eq!(
        auto(&format!("0,{}", "1".repeat(29))),
        Err(NumberError::Invalid)
    );
}

#[test]
fn odd_text_never_panics() {
    let tricky = "-1.234,5ş6 İ\u{a0}٣,.+-9 ₺";
    for (i, _) in tricky.char_indices() {
        for (j, _) in tricky[i..].char_indices() {
            let s = &tricky[i..i + j];
            for style in [DecimalStyle::Auto, DecimalStyle::Comma, DecimalStyle::Dot] {
                let _ = parse_decimal(s, style);
            }
            let _ = parse_integer(s);
        }
    }
}

#[test]
fn integers() {
    assert_eq!(parse_integer(" 42 "), Some(42));
    assert_eq!(parse_integer("-17"), Some(-17));
    assert_eq!(parse_integer("+5"), Some(5));
    assert_eq!(parse_integer("0012"), Some(12));
    assert_eq!(parse_integer("-9223372036854775808"), Some(i64::MIN));
    assert_eq!(parse_integer("9223372036854775807"), Some(i64::MAX));
    assert_eq!(parse_integer("9223372036854775808"), None);
    for s in ["", "-", "1.0", "1,000", "1 000", "--1", "12a", "١٢"] {
        assert_eq!(parse_integer(s), None, "{s:?}");
    }
}

#[test]
fn floats_from_spreadsheets_lose_their_noise() {
    assert_eq!(decimal_from_f64(0.1 + 0.2), Some(dec("0.3")));
    assert_eq!(decimal_from_f64(-9440.0), Some(dec("-9440")));
    assert_eq!(decimal_from_f64(0.0), Some(Decimal::ZERO));
    assert_eq!(decimal_from_f64(f64::NAN), None);
    assert_eq!(decimal_from_f64(f64::INFINITY), None);
}

mod spreadsheet_doubles {
    use proptest::prelude::*;

    use super::super::{decimal_from_f64, decimal_from_f64_text};

    #[test]
    fn amounts_read_as_the_text_of_the_double_reads_them() {
        for f in [
            0.5,
            -0.5,
            12.34,
            1234.56,
            -9440.25,
            0.07,
            1e-7,
            123456789.123456,
            0.1 + 0.2,
            1.0 / 3.0,
            2.0f64.sqrt(),
            99999999999999.9,
            1e300,
            -1e-300,
            0.30000000000000004,
        ] {
            assert_eq!(decimal_from_f64(f), decimal_from_f64_text(f), "{f}");
        }
    }

    proptest! {
        #[test]
        fn an_amount_with_decimals_is_read_as_the_text_reads_it(
            m in -10_000_000_000_000i64..10_000_000_000_000, s in 0u32..8,
        ) {
            let f = m as f64 / 10f64.powi(s as i32);
            prop_assert_eq!(decimal_from_f64(f), decimal_from_f64_text(f));
        }

        #[test]
        fn any_double_is_read_as_the_text_reads_it(
            f in prop_oneof![-1e15f64..1e15, -10.0f64..10.0, -1e-6f64..1e-6],
        ) {
            prop_assert_eq!(decimal_from_f64(f), decimal_from_f64_text(f));
        }
    }
}

mod written_amounts {
    use std::str::FromStr;

    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::super::{DecimalStyle, parse_decimal};

    proptest! {
        /// Up to 18 digits an amount is built from the digits read on the way; past
        /// that, digit by digit: both are the decimal its text writes.
        #[test]
        fn a_written_amount_is_the_decimal_its_digits_say(
            negative in any::<bool>(),
            int in "[1-9][0-9]{0,14}|0",
            frac in "[0-9]{1,12}",
        ) {
            let sign = if negative { "-" } else { "" };
            let read = parse_decimal(&format!("{sign}{int},{frac}"), DecimalStyle::Comma);
            let expected = Decimal::from_str(&format!("{sign}{int}.{frac}")).unwrap();
            prop_assert_eq!(read, Ok(expected));
            prop_assert_eq!(read.unwrap().scale(), expected.scale());
        }
    }
}
