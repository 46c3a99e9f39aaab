//! Deciding each uncertain post from the statement's lines, as a person would with the
//! panel open: a post is `sent` only when exactly one line can be it and nothing else
//! the journal knows could be that line; `unsent` only when no line can be it and the
//! statement covers its date; anything else goes to a person with the lines shown.
//!
//! Leaving a post to a person costs a look at the panel; a wrong `sent` loses a
//! transaction and a wrong `unsent` posts it twice. So every doubt leaves it.

use chrono::{NaiveDate, NaiveTime, Timelike};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::turkish::case::fold;

/// Alacak or borç.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Alacak.
    Credit,
    /// Borç.
    Debit,
}

impl Side {
    /// `1` / `-1` as a transaction's sign is sent, the words of statements in Turkish
    /// and English, and their usual abbreviations.
    pub fn parse(s: &str) -> Option<Side> {
        match fold(s).as_str() {
            "1" | "+1" | "+" | "a" | "alacak" | "c" | "cr" | "credit" => Some(Side::Credit),
            "-1" | "-" | "b" | "borç" | "borc" | "d" | "dr" | "debit" => Some(Side::Debit),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Credit => "alacak",
            Side::Debit => "borç",
        }
    }
}

/// What a post and a statement line are compared on; a part that one side does not
/// give is not compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parts {
    pub customer: String,
    pub amount: Decimal,
    pub side: Option<Side>,
    pub date: NaiveDate,
    pub hour: Option<NaiveTime>,
    pub comment: Option<String>,
}

/// One line of the statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Its row in the statement, as a spreadsheet shows it.
    pub row: u64,
    pub parts: Parts,
    /// The provider's document number.
    pub reference: Option<String>,
}

/// A post whose outcome is unknown: its parts from the payload it was sent with, or
/// why they cannot be read.
#[derive(Debug, Clone)]
pub struct Post {
    pub key: String,
    pub parts: Result<Parts, String>,
}

/// A post the provider accepted.
#[derive(Debug, Clone)]
pub struct Known {
    pub key: String,
    pub parts: Option<Parts>,
    pub provider_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Verdict {
    /// The line (an index into the statement's lines) is this post.
    Sent { line: usize },
    /// No line is this post, and the statement covers its date.
    Unsent,
    /// For a person: why, and the lines that could be it.
    Left { why: String, lines: Vec<usize> },
}

/// The dates the statement's lines span, and the one customer it holds if it holds
/// only one (a customer's ledger says nothing about other customers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub only_customer: Option<String>,
}

impl Coverage {
    pub fn of(lines: &[Line]) -> Coverage {
        let first = lines.iter().map(|l| l.parts.date).min();
        let last = lines.iter().map(|l| l.parts.date).max();
        let mut customers = lines.iter().map(|l| code(&l.parts.customer));
        let only_customer = customers.next().filter(|c| customers.all(|o| o == *c));
        Coverage {
            first,
            last,
            only_customer,
        }
    }

    /// Why a post with `parts` that no line matches is not thereby unsent.
    fn gap(&self, parts: &Parts) -> Option<String> {
        let (Some(first), Some(last)) = (self.first, self.last) else {
            return Some("the statement has no lines".into());
        };
        if parts.date < first || parts.date > last {
            return Some(format!(
                "not on the statement, which covers {}–{}, not {}",
                first.format("%d.%m.%Y"),
                last.format("%d.%m.%Y"),
                parts.date.format("%d.%m.%Y")
            ));
        }
        match &self.only_customer {
            Some(c) if *c != code(&parts.customer) => Some(format!(
                "not on the statement, which holds only customer {c}'s lines"
            )),
            _ => None,
        }
    }
}

/// A customer or document code compared as a person reads it: a number whatever its
/// leading zeros (a spreadsheet drops them), other text ignoring case and spacing.
pub fn code(s: &str) -> String {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let digits = t.trim_start_matches('0');
        return if digits.is_empty() { "0" } else { digits }.to_string();
    }
    fold(t)
}

/// Whether `line` can be the post with `post`'s parts.
pub fn matches(post: &Parts, line: &Parts) -> bool {
    fn minute(t: NaiveTime) -> (u32, u32) {
        (t.hour(), t.minute())
    }
    code(&post.customer) == code(&line.customer)
        && post.amount.abs() == line.amount.abs()
        && post.date == line.date
        && line.side.is_none_or(|s| post.side == Some(s))
        && line
            .hour
            .is_none_or(|h| post.hour.map(minute) == Some(minute(h)))
        && line
            .comment
            .as_ref()
            .is_none_or(|c| post.comment.as_ref().map(|p| fold(p)) == Some(fold(c)))
}

/// The verdict on each post, in order.
pub fn decide(posts: &[Post], known: &[Known], lines: &[Line]) -> Vec<Verdict> {
    let coverage = Coverage::of(lines);
    // A line carrying the number of a post the provider accepted is that post.
    let refs: std::collections::HashSet<String> = known
        .iter()
        .filter_map(|k| k.provider_ref.as_deref().map(code))
        .collect();
    let claimed: Vec<bool> = lines
        .iter()
        .map(|l| {
            l.reference
                .as_deref()
                .is_some_and(|r| refs.contains(&code(r)))
        })
        .collect();
    let on_statement: std::collections::HashSet<String> = lines
        .iter()
        .filter_map(|l| l.reference.as_deref().map(code))
        .collect();
    // Accepted posts not found by their number could be any line like them.
    let unplaced: Vec<&Known> = known
        .iter()
        .filter(|k| {
            k.provider_ref
                .as_deref()
                .is_none_or(|r| !on_statement.contains(&code(r)))
        })
        .collect();
    let candidates: Vec<Option<Vec<usize>>> = posts
        .iter()
        .map(|p| {
            p.parts.as_ref().ok().map(|parts| {
                (0..lines.len())
                    .filter(|&i| !claimed[i] && matches(parts, &lines[i].parts))
                    .collect()
            })
        })
        .collect();
    posts
        .iter()
        .zip(&candidates)
        .enumerate()
        .map(|(n, (post, found))| {
            let (Ok(parts), Some(found)) = (&post.parts, found) else {
                return Verdict::Left {
                    why: post.parts.as_ref().err().cloned().unwrap_or_default(),
                    lines: Vec::new(),
                };
            };
            match found.as_slice() {
                [] => match coverage.gap(parts) {
                    None => Verdict::Unsent,
                    Some(why) => Verdict::Left {
                        why,
                        lines: Vec::new(),
                    },
                },
                [line] => {
                    let mut rivals: Vec<String> = posts
                        .iter()
                        .zip(&candidates)
                        .enumerate()
                        .filter(|(m, (_, c))| {
                            *m != n && c.as_ref().is_some_and(|c| c.contains(line))
                        })
                        .map(|(_, (p, _))| format!("{} (uncertain)", p.key))
                        .collect();
                    rivals.extend(
                        unplaced
                            .iter()
                            .filter(|k| {
                                k.parts
                                    .as_ref()
                                    .is_some_and(|kp| matches(kp, &lines[*line].parts))
                            })
                            .map(|k| format!("{} (sent)", k.key)),
                    );
                    if rivals.is_empty() {
                        Verdict::Sent { line: *line }
                    } else {
                        Verdict::Left {
                            why: format!(
                                "the one line that matches could also be {}",
                                rivals.join(", ")
                            ),
                            lines: vec![*line],
                        }
                    }
                }
                many => Verdict::Left {
                    why: format!("{} lines of the statement match", many.len()),
                    lines: many.to_vec(),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(customer: &str, amount: &str, day: u32, comment: &str) -> Parts {
        Parts {
            customer: customer.into(),
            amount: amount.parse().unwrap(),
            side: Some(Side::Credit),
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            hour: NaiveTime::from_hms_opt(10, 30, 0),
            comment: Some(comment.into()),
        }
    }

    fn line(p: Parts, reference: &str) -> Line {
        Line {
            row: 2,
            parts: p,
            reference: Some(reference.into()),
        }
    }

    fn post(key: &str, p: Parts) -> Post {
        Post {
            key: key.into(),
            parts: Ok(p),
        }
    }

    #[test]
    fn signs_are_read_in_every_usual_spelling() {
        for s in ["1", "A", "Alacak", "ALACAK", "credit", "+"] {
            assert_eq!(Side::parse(s), Some(Side::Credit), "{s}");
        }
        for s in ["-1", "B", "Borç", "BORÇ", "borc", "Debit", "DR"] {
            assert_eq!(Side::parse(s), Some(Side::Debit), "{s}");
        }
        assert_eq!(Side::parse("2"), None);
    }

    #[test]
    fn parts_match_as_a_person_reads_them() {
        let p = parts("1001", "150.50", 5, "F001 tahsilat");
        let mut l = parts("01001", "150.5", 5, "  f001   TAHSİLAT ");
        l.hour = NaiveTime::from_hms_opt(10, 30, 59);
        assert!(matches(&p, &l));
        // A part the statement does not give is not compared.
        l.side = None;
        l.comment = None;
        l.hour = None;
        assert!(matches(&p, &l));
        for other in [
            parts("1002", "150.50", 5, "F001 tahsilat"),
            parts("1001", "150.51", 5, "F001 tahsilat"),
            parts("1001", "150.50", 6, "F001 tahsilat"),
            parts("1001", "150.50", 5, "F002 tahsilat"),
            Parts {
                side: Some(Side::Debit),
                ..p.clone()
            },
        ] {
            assert!(!matches(&p, &other), "{other:?}");
        }
    }

    #[test]
    fn one_line_is_sent_none_is_unsent_two_go_to_a_person() {
        let lines = vec![
            line(parts("1", "10", 1, "a"), "7"),
            line(parts("1", "20", 3, "b"), "8"),
            line(parts("1", "20", 3, "b"), "9"),
            line(parts("2", "99", 9, "z"), "10"),
        ];
        let posts = vec![
            post("A", parts("1", "10", 1, "a")),
            post("B", parts("1", "20", 3, "b")),
            post("C", parts("1", "30", 4, "c")),
            post("D", parts("1", "30", 10, "d")),
            Post {
                key: "E".into(),
                parts: Err("its payload cannot be read".into()),
            },
        ];
        let v = decide(&posts, &[], &lines);
        assert_eq!(v[0], Verdict::Sent { line: 0 });
        assert_eq!(
            v[1],
            Verdict::Left {
                why: "2 lines of the statement match".into(),
                lines: vec![1, 2]
            }
        );
        assert_eq!(v[2], Verdict::Unsent);
        assert!(
            matches!(&v[3], Verdict::Left { why, .. } if why.contains("covers 01.11.2026–09.11.2026, not 10.11.2026")),
            "{:?}",
            v[3]
        );
        assert!(matches!(&v[4], Verdict::Left { why, .. } if why.contains("cannot be read")));
    }

    #[test]
    fn a_line_another_post_could_be_is_not_taken() {
        let same = parts("1", "10", 1, "a");
        let lines = vec![
            line(same.clone(), "000000007"),
            line(parts("2", "5", 2, "x"), "8"),
        ];
        // Two uncertain posts alike, one line: which one reached the provider?
        let v = decide(
            &[post("A", same.clone()), post("B", same.clone())],
            &[],
            &lines,
        );
        assert!(
            matches!(&v[0], Verdict::Left { why, lines } if why.contains("B (uncertain)") && lines == &[0])
        );
        // A sent post alike, known by its number on the statement: the line is its.
        let sent = Known {
            key: "S".into(),
            parts: Some(same.clone()),
            provider_ref: Some("7".into()),
        };
        let v = decide(
            &[post("A", same.clone())],
            std::slice::from_ref(&sent),
            &lines,
        );
        assert_eq!(v[0], Verdict::Unsent);
        // Its number unknown: it could be the line as well.
        let unknown = Known {
            provider_ref: None,
            ..sent
        };
        let v = decide(&[post("A", same)], &[unknown], &lines);
        assert!(matches!(&v[0], Verdict::Left { why, .. } if why.contains("S (sent)")));
    }

    #[test]
    fn a_customers_ledger_says_nothing_of_other_customers() {
        let lines = vec![
            line(parts("1", "10", 1, "a"), "7"),
            line(parts("1", "20", 9, "b"), "8"),
        ];
        let v = decide(&[post("A", parts("2", "10", 5, "x"))], &[], &lines);
        assert!(
            matches!(&v[0], Verdict::Left { why, .. } if why.contains("only customer 1")),
            "{:?}",
            v[0]
        );
        let v = decide(&[post("B", parts("1", "10", 5, "x"))], &[], &lines);
        assert_eq!(v[0], Verdict::Unsent);
    }
}
