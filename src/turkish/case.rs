//! Turkish case rules: `i`↔`İ` and `ı`↔`I`, which std's Unicode case mapping gets wrong
//! for Turkish text (`"I".to_lowercase()` is `"i"`, `"İ".to_lowercase()` adds a
//! combining dot).

/// Upper case with Turkish rules.
pub fn upper(s: &str) -> String {
    // Nearly every cell this sees is ASCII without an `i`, or Turkish text: both are
    // answered without Unicode's case tables.
    if s.is_ascii() && !s.contains('i') {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'i' => out.push('İ'),
            'ı' => out.push('I'),
            c if c.is_ascii() => out.push(c.to_ascii_uppercase()),
            'ç' => out.push('Ç'),
            'ğ' => out.push('Ğ'),
            'ö' => out.push('Ö'),
            'ş' => out.push('Ş'),
            'ü' => out.push('Ü'),
            'Ç' | 'Ğ' | 'İ' | 'Ö' | 'Ş' | 'Ü' => out.push(c),
            c => out.extend(c.to_uppercase()),
        }
    }
    out
}

/// Lower case with Turkish rules.
pub fn lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_lower(&mut out, c);
    }
    out
}

fn push_lower(out: &mut String, c: char) {
    match c {
        'I' => out.push('ı'),
        'İ' => out.push('i'),
        c => out.extend(c.to_lowercase()),
    }
}

fn push_upper(out: &mut String, c: char) {
    match c {
        'i' => out.push('İ'),
        'ı' => out.push('I'),
        c => out.extend(c.to_uppercase()),
    }
}

/// Title case with Turkish rules: the first letter of every word upper, the rest lower.
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                push_upper(&mut out, c);
            } else {
                push_lower(&mut out, c);
            }
            start = false;
        } else {
            out.push(c);
            start = c.is_whitespace() || c == '-' || c == '(' || c == '/' || c == '.';
        }
    }
    out
}

/// A key for comparing names loosely: trimmed, inner whitespace collapsed, lower case,
/// and the four Turkish i's made one. `"  CARİ  Ünvanı"` and `"cari unvani"` differ
/// only in `ü`/`u`, which is a different letter and is kept apart.
///
/// ```
/// use aktar::turkish::case::fold;
///
/// assert_eq!(fold("  CARİ   KODU "), fold("Cari Kodu"));
/// assert_eq!(fold("IĞDIR"), "iğdir");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in super::trim(s).chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        match c {
            'I' | 'İ' | 'ı' | 'i' => out.push('i'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase().filter(|&c| c != '\u{307}')),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turkish_upper_and_lower() {
        assert_eq!(upper("istanbul ılıca"), "İSTANBUL ILICA");
        assert_eq!(lower("İSTANBUL ILICA"), "istanbul ılıca");
        assert_eq!(lower("İ"), "i");
    }

    proptest::proptest! {
        /// The shortcuts give what the Turkish rules and Unicode's tables give.
        #[test]
        fn upper_is_turkish_upper_case(s in "[a-zA-Z0-9 iIıİçÇğĞöÖşŞüÜâéßΣσ.-]{0,30}") {
            let mut expected = String::new();
            for c in s.chars() {
                match c {
                    'i' => expected.push('İ'),
                    'ı' => expected.push('I'),
                    c => expected.extend(c.to_uppercase()),
                }
            }
            proptest::prop_assert_eq!(upper(&s), expected);
        }
    }

    #[test]
    fn turkish_title() {
        assert_eq!(title("İSTANBUL ıĞDIR ışık"), "İstanbul Iğdır Işık");
        assert_eq!(title("ali veli-kırk dokuz"), "Ali Veli-Kırk Dokuz");
    }

    #[test]
    fn fold_ignores_case_spacing_and_i_forms() {
        assert_eq!(fold("  CARİ   KODU "), "cari kodu");
        assert_eq!(fold("Cari Kodu"), fold("CARI KODU"));
        assert_eq!(fold("Cari Ünvanı"), fold("CARİ ÜNVANI"));
        assert_ne!(fold("Ünvan"), fold("Unvan"));
    }
}
