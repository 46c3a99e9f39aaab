//! Turkish domain knowledge, below both mapping and validation so that neither has to
//! import the other for it: case rules, numbers written `1.234,56`, date forms and
//! Excel serials, and the identity/bank/contact checks (VKN, TCKN, IBAN, phone…).

pub mod case;
pub mod checks;
mod codes;
pub mod date;
pub mod number;

/// `str::trim`, with the common case first: text that starts and ends on a character
/// that cannot be whitespace needs no look at what whitespace Unicode knows. Those are
/// ASCII other than a space or a control, and the two-byte characters led by `C3` to
/// `DF` (Turkish letters among them): the only whitespace of two bytes, U+0085 and
/// U+00A0, is led by `C2`.
pub fn trim(s: &str) -> &str {
    let plain = |b: u8| (0x21..0x7F).contains(&b);
    let lead = |b: u8| (0xC3..=0xDF).contains(&b);
    let b = s.as_bytes();
    let starts = b.first().is_some_and(|&c| plain(c) || lead(c));
    let ends = match b {
        [.., c] if plain(*c) => true,
        [.., l, _] => lead(*l),
        _ => false,
    };
    if starts && ends { s } else { s.trim() }
}

#[cfg(test)]
mod trim_tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn trim_is_str_trim(s in "[ a\t\u{a0}\u{85}\u{2000}\u{3000}\u{1}şÖİ\u{7ff}\u{800}.\n\r]{0,8}") {
            prop_assert_eq!(super::trim(&s), s.trim());
        }
    }
}
