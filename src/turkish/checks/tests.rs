//! Unit tests of the checks, with the public VKN, TCKN and IBAN vectors.

use super::*;

#[test]
fn vkn_vectors() {
    for ok in [
        "4540536920",
        "0010213576",
        "1234567890",
        "9990112519",
        " 4540536920 ",
    ] {
        assert!(vkn(ok), "{ok}");
    }
    for bad in [
        "4540536921",
        "1234567801",
        "454053692",
        "45405369200",
        "454053692a",
        "",
    ] {
        assert!(!vkn(bad), "{bad}");
    }
}

#[test]
fn tckn_vectors() {
    for ok in ["10000000146", "17291716060", "11111111110", "19090909018"] {
        assert!(tckn(ok), "{ok}");
    }
    for bad in [
        "17291716050",
        "12345678901",
        "07291716092",
        "38246970008",
        "1729171606",
        "1729171606a",
    ] {
        assert!(!tckn(bad), "{bad}");
    }
}

#[test]
fn vkn_or_tckn_takes_either() {
    assert!(Check::VknOrTckn.is_valid("4540536920"));
    assert!(Check::VknOrTckn.is_valid("10000000146"));
    assert!(!Check::VknOrTckn.is_valid("4540536921"));
    assert!(!Check::VknOrTckn.is_valid("17291716050"));
}

#[test]
fn iban_vectors() {
    for ok in [
        "TR330006100519786457841326",
        "TR320010009999901234567890",
        "TR33 0006 1005 1978 6457 8413 26",
        "tr33 0006 1005 1978 6457 8413 26",
        "TR33\u{a0}0006\u{a0}1005\u{a0}1978\u{a0}6457\u{a0}8413\u{a0}26",
        "DE89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
        "NL91 ABNA 0417 1643 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NO93 8601 1117 947",
    ] {
        assert!(iban(ok), "{ok}");
    }
    for bad in [
        "TR330006100519786457841327",
        "TR3300061005197864578413",
        "TR33000610051978645784132600",
        "DE89 3704 0044 0532 0130 0",
        "TR33-0006-1005-1978-6457-8413-26",
        "TR33 0006 1005 1978 6457 8413 2ö",
        "3300061005197864578413TR26",
        "",
        "TR",
    ] {
        assert!(!iban(bad), "{bad}");
    }
}

#[test]
fn iban_of_unlisted_country_uses_length_bounds_and_check_digits() {
    // A country code outside the table, with a correct mod-97 remainder, is
    // accepted on the generic 15–34 length bounds.
    assert!(iban("QQ29 1234 5678 9012 34"));
    assert!(!iban("QQ30 1234 5678 9012 34"));
    assert!(iban(&format!("QQ19{}", "1".repeat(30))));
    assert!(!iban(&format!("QQ52{}", "1".repeat(31))));
    assert!(!iban("QQ23 1234 5678 90"));
}

#[test]
fn emails() {
    for ok in [
        "ali@example.com",
        "ali.veli+fatura@sirket.com.tr",
        "A_B-c@mail-server.example.org",
        "info@şirket.com.tr",
        " ali@example.com ",
    ] {
        assert!(email(ok), "{ok}");
    }
    for bad in [
        "",
        "ali",
        "@example.com",
        "ali@",
        "ali@example",
        "ali@@example.com",
        "ali@veli@example.com",
        "ali veli@example.com",
        "ali@exa mple.com",
        ".ali@example.com",
        "ali.@example.com",
        "ali..veli@example.com",
        "ali@.example.com",
        "ali@example.com.",
        "ali@example..com",
        "ali@-example.com",
        "ali@example-.com",
        "ali@example.c",
        "ali@example.c0m",
        "ali@exam_ple.com",
        "a@x.com;b@y.com",
        "<ali@example.com>",
    ] {
        assert!(!email(bad), "{bad}");
    }
}

#[test]
fn turkish_phones() {
    let p = |s: &str| phone_tr(s);
    let mobile = Some("5321234567".to_string());
    assert_eq!(p("+90 (532) 123 45 67"), mobile);
    assert_eq!(p("+905321234567"), mobile);
    assert_eq!(p("0090 532 123 45 67"), mobile);
    assert_eq!(p("90 532 123 4567"), mobile);
    assert_eq!(p("0532-123-45-67"), mobile);
    assert_eq!(p("(0532) 123.45.67"), mobile);
    assert_eq!(p("5321234567"), mobile);
    assert_eq!(p("+90 (0532) 123 45 67"), mobile);
    assert_eq!(p("0212 555 12 12"), Some("2125551212".to_string()));
    assert_eq!(p("0850 222 0 850"), Some("8502220850".to_string()));
    for bad in [
        "",
        "532123456",
        "53212345678",
        "+1 212 555 1212",
        "+90 632 123 45 67",
        "0632 123 45 67",
        "1234567890",
        "0532 123 45 67 ext 2",
        "05321234567+",
        "++905321234567",
        "0000000000",
    ] {
        assert_eq!(p(bad), None, "{bad}");
    }
    assert!(Check::PhoneTr.is_valid("0532 123 45 67"));
    assert!(!Check::PhoneTr.is_valid("0632 123 45 67"));
}

#[test]
fn uuids() {
    assert!(uuid("123e4567-e89b-12d3-a456-426614174000"));
    assert!(uuid("123E4567-E89B-12D3-A456-426614174000"));
    assert!(!uuid("123e4567e89b12d3a456426614174000"));
    assert!(!uuid("123e4567-e89b-12d3-a456-42661417400"));
    assert!(!uuid("123e4567-e89b-12d3-a456-42661417400g"));
    assert!(!uuid("123e4567-e89b-12d3a-456-426614174000"));
}

#[test]
fn currencies() {
    for ok in ["TRY", "usd", "EUR", "Gbp", "TL", "tl", "XAU"] {
        assert!(currency(ok), "{ok}");
    }
    for bad in ["XYZ", "TRL", "US", "USDT", "", "₺"] {
        assert!(!currency(bad), "{bad}");
    }
}

#[test]
fn countries() {
    for ok in ["TR", "tr", "DEU", "tur", "US", "GB"] {
        assert!(country(ok), "{ok}");
    }
    for bad in ["XX", "UK", "XXX", "T", "TURK", ""] {
        assert!(!country(bad), "{bad}");
    }
}

#[test]
fn names_round_trip() {
    for &c in Check::ALL {
        assert_eq!(Check::from_name(c.name()), Some(c));
    }
    assert_eq!(Check::from_name("vkn_or_tckn"), Some(Check::VknOrTckn));
    assert_eq!(Check::from_name("VKN"), None);
    assert_eq!(Check::from_name("phone"), None);
}

#[test]
fn odd_text_never_panics() {
    let tricky = "+90 (5ş2) İ\u{a0}TR33 ٣@ü.com.tr 0006-ı 123e4567-e89b";
    for (i, _) in tricky.char_indices() {
        for (j, _) in tricky[i..].char_indices() {
            let s = &tricky[i..i + j];
            for &check in Check::ALL {
                let _ = check.is_valid(s);
            }
            let _ = phone_tr(s);
        }
    }
}

/// The e-mail and phone checks as they read text one character at a time, to hold
/// their byte-wise forms to.
mod by_chars {
    pub(super) fn email(s: &str) -> bool {
        let s = crate::turkish::trim(s);
        let Some((local, domain)) = s.split_once('@') else {
            return false;
        };
        if s.len() > 254
            || local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
        {
            return false;
        }
        let mut prev = '\0';
        for c in local.chars() {
            if c.is_whitespace()
                || c.is_control()
                || (c == '.' && prev == '.')
                || "@\"(),:;<>[]\\".contains(c)
            {
                return false;
            }
            prev = c;
        }
        // The domain as labels split at dots, where `email` walks it once.
        let labels: Vec<&str> = domain.split('.').collect();
        labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.chars().count() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic))
    }

    /// Whether `phone_tr` may read the text at all: only digits, one leading `+`,
    /// separators and spaces.
    pub(super) fn phone_chars_ok(s: &str) -> bool {
        let mut digits = 0;
        let mut plus = false;
        for c in s.chars() {
            match c {
                '0'..='9' => digits += 1,
                '+' if digits == 0 && !plus => plus = true,
                '-' | '(' | ')' | '.' => {}
                c if c.is_whitespace() => {}
                _ => return false,
            }
        }
        digits <= 16
    }
}

proptest::proptest! {
    #[test]
    fn email_reads_bytes_as_a_char_by_char_walk_reads_characters(
        s in "[a-zA-Z0-9@.@.\\-+_ \"<>;:,()\\[\\]\\\\\t\u{b}\u{c}\r\u{1c}\u{7f}şİ\u{a0}\u{85}\u{2003}٣]{0,24}"
    ) {
        proptest::prop_assert_eq!(email(&s), by_chars::email(&s));
    }

    #[test]
    fn a_phone_number_takes_the_characters_a_char_by_char_walk_takes(
        s in "[0-9+\\-(). \t\u{b}\u{c}\r\u{1c}a\u{a0}\u{85}\u{2003}٣ş]{0,20}"
    ) {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let read = phone_tr(&s);
        if !by_chars::phone_chars_ok(&s) {
            proptest::prop_assert_eq!(read, None);
        } else {
            proptest::prop_assert_eq!(read, phone_tr(&digits_with_plus(&s, &digits)));
        }
    }
}

/// `s`'s digits, with its leading `+` if it has one.
fn digits_with_plus(s: &str, digits: &str) -> String {
    if s.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+')
        .starts_with('+')
    {
        format!("+{digits}")
    } else {
        digits.to_string()
    }
}
