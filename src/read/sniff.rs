//! Which of `;` `,` TAB `|` separates the fields of a text export.
//!
//! Each candidate is counted per line over the first 50 non-blank lines, outside
//! quotes; the one with the most lines sharing the same non-zero count wins. Voting on
//! the most common count, rather than demanding one count everywhere, keeps title
//! lines above the header (which hold no delimiter) from spoiling the vote; a decimal
//! comma in a `;` file loses because the header line holds none. Ties go to `;`, the
//! Turkish ERPs' usual choice.

/// Delimiters tried, in the order ties are broken.
const CANDIDATES: [u8; 4] = [b';', b',', b'\t', b'|'];
/// How many non-blank lines the delimiter is sniffed on.
const SNIFF_LINES: usize = 50;

/// The candidate with the most lines sharing one non-zero count. Quotes are followed
/// so that a delimiter inside `"..."` is not counted; a line cut by the end of the
/// sniff window is left out.
pub(crate) fn sniff_delimiter(text: &str, complete: bool) -> u8 {
    let mut counts: Vec<[u32; 4]> = Vec::with_capacity(SNIFF_LINES);
    let mut line = [0u32; 4];
    let mut in_quotes = false;
    let mut blank = true;
    for b in text.bytes() {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                blank = false;
            }
            b'\n' if !in_quotes => {
                if !blank {
                    counts.push(line);
                    if counts.len() == SNIFF_LINES {
                        break;
                    }
                }
                line = [0; 4];
                blank = true;
            }
            _ if in_quotes => {}
            c => {
                if let Some(i) = CANDIDATES.iter().position(|&d| d == c) {
                    line[i] += 1;
                }
                if !c.is_ascii_whitespace() {
                    blank = false;
                }
            }
        }
    }
    if complete && !blank && counts.len() < SNIFF_LINES {
        counts.push(line);
    }
    let mut best = (0usize, CANDIDATES[0]);
    for (i, &candidate) in CANDIDATES.iter().enumerate() {
        let score = modal_frequency(counts.iter().map(|c| c[i]));
        if score > best.0 {
            best = (score, candidate);
        }
    }
    best.1
}

/// How many lines have the most common non-zero count.
fn modal_frequency(counts: impl Iterator<Item = u32>) -> usize {
    let mut seen: Vec<(u32, usize)> = Vec::new();
    for c in counts.filter(|&c| c > 0) {
        match seen.iter_mut().find(|(v, _)| *v == c) {
            Some((_, n)) => *n += 1,
            None => seen.push((c, 1)),
        }
    }
    seen.iter().map(|&(_, n)| n).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_details() {
        // Commas inside quotes do not count.
        let text = "a;b\n\"1,5\";\"x, y, z\"\n\"2,5\";q\n";
        assert_eq!(sniff_delimiter(text, true), b';');
        // Decimal commas in every data row still lose to the consistent `;`.
        assert_eq!(
            sniff_delimiter("Kod;Ad;Tutar\nA;B;1,5\nC;D;2,5\n", true),
            b';'
        );
        // A title line above the header does not break the vote.
        assert_eq!(
            sniff_delimiter("Cari Listesi\nKod,Ad\n1,a\n2,b\n", true),
            b','
        );
        // Ties go to `;`; no delimiter at all also gives `;`.
        assert_eq!(sniff_delimiter("a;b,c\n", true), b';');
        assert_eq!(sniff_delimiter("tek\nsutun\n", true), b';');
        // A line cut by the sniff window is not counted.
        assert_eq!(sniff_delimiter("a,b\n1,2\n3;4;5;6", false), b',');
    }
}
