//! Spotting Turkish text that was once read as Latin-1 and saved again.
//!
//! Windows-1254 puts `İ Ş Ğ ğ ı ş` where Latin-1 has `Ý Þ Ð ð ý þ`; a file that went
//! through that mistake shows `ÝSTANBUL` or `MÜÞTERÝ`. Those six letters do not occur
//! in Turkish, so seeing one next to another letter is a strong sign. The damage is
//! already in the file, so this only warns; it never rewrites cells. Only cells with
//! a non-ASCII byte are looked at, which keeps the check off the common path.

/// Whether `s` holds one of those letters inside a word.
pub(crate) fn suspicious(s: &str) -> bool {
    if s.is_ascii() {
        return false;
    }
    let mut prev_letter = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, 'Ý' | 'Þ' | 'Ð' | 'ð' | 'ý' | 'þ') {
            let next_letter = chars.peek().is_some_and(|n| n.is_alphabetic());
            if prev_letter || next_letter {
                return true;
            }
        }
        prev_letter = c.is_alphabetic();
    }
    false
}

/// What the text probably said before it was damaged.
pub(crate) fn repaired(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'Ý' => 'İ',
            'Þ' => 'Ş',
            'Ð' => 'Ğ',
            'ð' => 'ğ',
            'ý' => 'ı',
            'þ' => 'ş',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_turkish_is_suspicious() {
        assert!(suspicious("ÝSTANBUL"));
        assert!(suspicious("MÜÞTERÝ"));
        assert!(suspicious("Ýzmir Daðýtým"));
        assert!(suspicious("ÐIDA"));
        assert_eq!(repaired("MÜÞTERÝ Daðýtým"), "MÜŞTERİ Dağıtım");
    }

    #[test]
    fn clean_text_is_not() {
        assert!(!suspicious("İSTANBUL"));
        assert!(!suspicious("Müşteri Çağrı"));
        assert!(!suspicious("plain ascii"));
        // A lone symbol-like use, not inside a word.
        assert!(!suspicious("x ý 2"));
    }
}
