//! Unit and property tests of the forms reports print amounts in.

use std::str::FromStr;

use proptest::prelude::*;

use super::*;

fn dec(s: &str) -> Decimal {
    match Decimal::from_str(s) {
        Ok(d) => d,
        Err(e) => panic!("bad test literal {s}: {e}"),
    }
}

fn auto(s: &str) -> Result<Amount, NumberError> {
    parse_amount(s, DecimalStyle::Auto)
}

fn value(s: &str) -> Result<Decimal, NumberError> {
    auto(s).map(|a| a.value)
}

fn marker(s: &str) -> Option<String> {
    auto(s).ok()?.currency.map(|c| c.to_string())
}

#[test]
fn accounting_parentheses_trailing_and_unicode_minus_are_negative() {
    for s in [
        "(1.234,56)",
        "( 1.234,56 )",
        "1.234,56-",
        "1.234,56 -",
        "1.234,56\u{2212}",
        "\u{2212}1.234,56",
        "-1.234,56",
    ] {
        assert_eq!(value(s), Ok(dec("-1234.56")), "{s:?}");
    }
    assert_eq!(value("(0,50)"), Ok(dec("-0.50")));
    assert_eq!(value("(1,234.56)"), Ok(dec("-1234.56")));
    assert_eq!(value("12-"), Ok(dec("-12")));
    // The same number the plain form gives, scale included.
    assert_eq!(
        value("(9.440,00)").map(|d| d.to_string()),
        Ok("-9440.00".to_string())
    );
    assert_eq!(
        value("(0,00)").map(|d| d.to_string()),
        Ok("0.00".to_string())
    );
}

#[test]
fn thousands_grouped_with_spaces() {
    for s in [
        "1 234,56",
        "1\u{a0}234,56",
        "1\u{202f}234,56",
        "1 234.56",
        "\u{a0}1 234,56\u{a0}",
    ] {
        assert_eq!(value(s), Ok(dec("1234.56")), "{s:?}");
    }
    assert_eq!(value("1 234 567,89"), Ok(dec("1234567.89")));
    // A space is never a decimal separator, so these are not ambiguous.
    assert_eq!(value("1 234"), Ok(dec("1234")));
    assert_eq!(value("12 345"), Ok(dec("12345")));
    assert_eq!(value("1 234,567"), Ok(dec("1234.567")));
    assert_eq!(value("-1 234,5"), Ok(dec("-1234.5")));
    assert_eq!(value("(1 234,56 TL)"), Ok(dec("-1234.56")));
}

#[test]
fn currency_markers_are_read_and_returned() {
    for s in [
        "1.234,56 TL",
        "1.234,56TL",
        "1.234,56 tl",
        "₺1.234,56",
        "₺ 1.234,56",
        "1.234,56 ₺",
        "1.234,56 TRY",
        "TRY 1.234,56",
    ] {
        assert_eq!(value(s), Ok(dec("1234.56")), "{s:?}");
        assert_eq!(marker(s).as_deref(), Some("TRY"), "{s:?}");
    }
    assert_eq!(marker("1.234,56 USD").as_deref(), Some("USD"));
    assert_eq!(marker("$1,234.56").as_deref(), Some("USD"));
    assert_eq!(marker("€12,50").as_deref(), Some("EUR"));
    assert_eq!(marker("£12,50").as_deref(), Some("GBP"));
    assert_eq!(marker("12,50 eur").as_deref(), Some("EUR"));
    assert_eq!(marker("1.234,56"), None);
    // Sign and marker in any order; the marker inside or outside the parentheses.
    for s in [
        "-1.234,56 TL",
        "-₺1.234,56",
        "₺-1.234,56",
        "₺(1.234,56)",
        "(₺1.234,56)",
        "(1.234,56) TL",
        "1.234,56- TL",
        "1.234,56 TL-",
    ] {
        assert_eq!(value(s), Ok(dec("-1234.56")), "{s:?}");
        assert_eq!(marker(s).as_deref(), Some("TRY"), "{s:?}");
    }
}

#[test]
fn forms_with_more_than_one_meaning_or_none_are_refused() {
    for s in [
        "-(1.234,56)",
        "(-1.234,56)",
        "(1.234,56)-",
        "-1.234,56-",
        "+1.234,56-",
        "--1",
        "1.234,56+",
        "(1.234,56",
        "1.234,56)",
        "((1))",
        ")1(",
        "1.234,56 TL TRY",
        "₺1.234,56 TL",
        "1.234,56 adet",
        "1.234,56 TRL",
        "¥100",
        "1.234,56 T L",
        "TL",
        "()",
        "-",
        "₺",
        "12,3,4 TL",
        "1  234,56",
        "1 23,45",
        "12 3456",
        "0 123",
        "1 234 ,56",
        "1 234,",
        "1 234,5 6",
        "1.234 567",
        "1 234.567,89",
        "1 234,56.7",
        "5 - 3",
        "1,5 % ",
        "1e5 TL",
        "٣ TL",
    ] {
        assert_eq!(auto(s), Err(NumberError::Invalid), "{s:?}");
    }
}

#[test]
fn the_decimal_style_and_ambiguity_still_apply() {
    assert_eq!(auto("1.234 TL"), Err(NumberError::Ambiguous));
    assert_eq!(auto("(12,345)"), Err(NumberError::Ambiguous));
    assert_eq!(auto("1.234-"), Err(NumberError::Ambiguous));
    assert_eq!(auto("12,3,4"), Err(NumberError::Invalid));
    let comma = |s| parse_amount(s, DecimalStyle::Comma).map(|a| a.value);
    let dot = |s| parse_amount(s, DecimalStyle::Dot).map(|a| a.value);
    assert_eq!(comma("1.234 TL"), Ok(dec("1234")));
    assert_eq!(comma("1 234,5"), Ok(dec("1234.5")));
    assert_eq!(comma("1 234.5"), Err(NumberError::Invalid));
    assert_eq!(comma("(1,234.56)"), Err(NumberError::Invalid));
    assert_eq!(dot("1 234.5"), Ok(dec("1234.5")));
    assert_eq!(dot("1 234,5"), Err(NumberError::Invalid));
    assert_eq!(dot("(1.250,00)"), Err(NumberError::Invalid));
}

#[test]
fn currencies_by_code_and_symbol() {
    let c = |s: &str| Currency::parse(s).map(|c| c.to_string());
    assert_eq!(c("TL").as_deref(), Some("TRY"));
    assert_eq!(c(" try ").as_deref(), Some("TRY"));
    assert_eq!(c("₺").as_deref(), Some("TRY"));
    assert_eq!(c("usd").as_deref(), Some("USD"));
    assert_eq!(c("$").as_deref(), Some("USD"));
    for bad in ["", "T", "TRL", "XXX", "US D", "Türk Lirası", "¥", "TLL"] {
        assert_eq!(c(bad), None, "{bad:?}");
    }
}

#[test]
fn odd_text_never_panics() {
    let tricky = "(−1 234,5ş6 İ\u{a0}٣,.+-9 ₺TL$)\u{202f}";
    for (i, _) in tricky.char_indices() {
        for (j, _) in tricky[i..].char_indices() {
            let s = &tricky[i..i + j];
            for style in [DecimalStyle::Auto, DecimalStyle::Comma, DecimalStyle::Dot] {
                let _ = parse_amount(s, style);
            }
        }
    }
}

/// Prints `v` as an ERP would in `style` (which must be pinned), with thousands
/// grouped by `group` when given, the sign in form `sign` and `marker` after or
/// before the number.
fn print(
    v: Decimal,
    style: DecimalStyle,
    group: Option<&str>,
    sign: usize,
    marker: &str,
) -> String {
    let (dec_sep, thousands) = match style {
        DecimalStyle::Dot => (".", ","),
        _ => (",", "."),
    };
    let digits = v.abs().to_string();
    let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0
            && (int.len() - i).is_multiple_of(3)
            && let Some(g) = group
        {
            grouped.push_str(if g.is_empty() { thousands } else { g });
        }
        grouped.push(c);
    }
    let mut body = grouped;
    if !frac.is_empty() {
        body.push_str(dec_sep);
        body.push_str(frac);
    }
    let body = match marker {
        "" => body,
        m if m.starts_with('₺') || m.starts_with('$') => format!("{m}{body}"),
        m => format!("{body} {m}"),
    };
    if !v.is_sign_negative() {
        return if sign == 1 { format!("+{body}") } else { body };
    }
    match sign {
        0 | 1 => format!("-{body}"),
        2 => format!("\u{2212}{body}"),
        3 => format!("{body}-"),
        _ => format!("({body})"),
    }
}

fn decimals() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..=6).prop_map(|(m, scale)| Decimal::new(m, scale))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_printed_form_reads_back_as_itself(
        v in decimals(),
        dot in any::<bool>(),
        group in prop::sample::select(vec![None, Some(""), Some(" "), Some("\u{a0}"), Some("\u{202f}")]),
        sign in 0usize..5,
        marker in prop::sample::select(vec!["", "TL", "TRY", "₺", "USD", "$"]),
    ) {
        let style = if dot { DecimalStyle::Dot } else { DecimalStyle::Comma };
        let text = print(v, style, group, sign, marker);
        let read = parse_amount(&text, style);
        prop_assert_eq!(read.map(|a| a.value), Ok(v), "{:?}", text);
        prop_assert_eq!(read.map(|a| a.value.to_string()), Ok(v.to_string()), "{:?}", text);
        prop_assert_eq!(read.map(|a| a.currency), Ok(Currency::parse(marker)), "{:?}", text);
        // Unpinned, a form reads as itself or is called ambiguous, never misread.
        match parse_amount(&text, DecimalStyle::Auto) {
            Ok(a) => prop_assert_eq!(a.value, v, "{:?}", text),
            Err(e) => prop_assert_eq!(e, NumberError::Ambiguous, "{:?}", text),
        }
    }

    #[test]
    fn every_plain_form_reads_the_same(s in "[ (+−-]{0,2}[0-9.,]{1,12}[ )-]{0,2}") {
        for style in [DecimalStyle::Auto, DecimalStyle::Comma, DecimalStyle::Dot] {
            if let Ok(plain) = parse_decimal(&s, style) {
                let a = parse_amount(&s, style);
                prop_assert_eq!(a, Ok(Amount { value: plain, currency: None }));
            }
        }
    }
}
