//! Turkish domain knowledge, below both mapping and validation so that neither has to
//! import the other for it: case rules, numbers written `1.234,56`, date forms and
//! Excel serials, and the identity/bank/contact checks (VKN, TCKN, IBAN, phone…).

pub mod case;
pub mod checks;
mod codes;
pub mod date;
pub mod number;

/// `str::trim`, with the common case first: text that starts and ends on an ASCII
/// character other than a space or a control needs no look at what whitespace
/// Unicode knows.
pub fn trim(s: &str) -> &str {
    let plain = |b: u8| (0x21..0x7F).contains(&b);
    match s.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => s,
        [only] if plain(*only) => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod trim_tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn trim_is_str_trim(s in "[ a\t\u{a0}\u{85}\u{2000}\u{3000}\u{1}ş.\n\r]{0,8}") {
            prop_assert_eq!(super::trim(&s), s.trim());
        }
    }
}
