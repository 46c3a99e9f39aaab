//! `required_if` conditions: comparisons of other target fields with literals, joined
//! by `and`/`or` (`&&`/`||`), e.g. `customer_type_1 == '2'` or `isCompany == true`.
//! `and` binds tighter than `or`; a bare field name means "is not empty".

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Bool(bool),
    Num(rust_decimal::Decimal),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmp {
    Eq(Literal),
    Ne(Literal),
    Present,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub field: String,
    pub cmp: Cmp,
}

/// Disjunction of conjunctions.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub any: Vec<Vec<Term>>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(Literal),
    Eq,
    Ne,
    And,
    Or,
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '=' | '!' if cs.get(i + 1) == Some(&'=') => {
                out.push(if c == '=' { Tok::Eq } else { Tok::Ne });
                i += 2;
            }
            '&' if cs.get(i + 1) == Some(&'&') => {
                out.push(Tok::And);
                i += 2;
            }
            '|' if cs.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2;
            }
            '\'' | '"' => {
                let end = cs[i + 1..]
                    .iter()
                    .position(|&x| x == c)
                    .ok_or_else(|| format!("unclosed quote in `{s}`"))?;
                out.push(Tok::Lit(Literal::Str(
                    cs[i + 1..i + 1 + end].iter().collect(),
                )));
                i += end + 2;
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' => {
                let start = i;
                while i < cs.len()
                    && (cs[i].is_alphanumeric() || cs[i] == '_' || cs[i] == '-' || cs[i] == '.')
                {
                    i += 1;
                }
                let word: String = cs[start..i].iter().collect();
                out.push(match word.as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "true" => Tok::Lit(Literal::Bool(true)),
                    "false" => Tok::Lit(Literal::Bool(false)),
                    w if w.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
                        let n = w
                            .parse()
                            .map_err(|_| format!("`{w}` is not a number in `{s}`"))?;
                        Tok::Lit(Literal::Num(n))
                    }
                    _ => Tok::Ident(word),
                });
            }
            other => return Err(format!("unexpected `{other}` in `{s}`")),
        }
    }
    Ok(out)
}

pub fn parse(s: &str) -> Result<Condition, String> {
    let toks = lex(s)?;
    let mut any = vec![Vec::new()];
    let mut i = 0;
    loop {
        let Some(Tok::Ident(field)) = toks.get(i) else {
            return Err(format!(
                "expected a field name at position {} in `{s}`",
                i + 1
            ));
        };
        i += 1;
        let cmp = match (toks.get(i), toks.get(i + 1)) {
            (Some(Tok::Eq), Some(Tok::Lit(l))) => {
                i += 2;
                Cmp::Eq(l.clone())
            }
            (Some(Tok::Ne), Some(Tok::Lit(l))) => {
                i += 2;
                Cmp::Ne(l.clone())
            }
            (Some(Tok::Eq | Tok::Ne), _) => {
                return Err(format!(
                    "expected a value ('text', a number, true or false) after `{field} ==` in `{s}`"
                ));
            }
            _ => Cmp::Present,
        };
        if let Some(last) = any.last_mut() {
            last.push(Term {
                field: field.clone(),
                cmp,
            });
        }
        match toks.get(i) {
            None => break,
            Some(Tok::And) => i += 1,
            Some(Tok::Or) => {
                i += 1;
                any.push(Vec::new());
            }
            Some(_) => return Err(format!("expected `and`, `or` or the end in `{s}`")),
        }
    }
    Ok(Condition {
        any,
        text: s.trim().to_string(),
    })
}

impl Condition {
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.any.iter().flatten().map(|t| t.field.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comparisons() {
        let c = parse("customer_type_1 == '2'").unwrap();
        assert_eq!(
            c.any,
            vec![vec![Term {
                field: "customer_type_1".into(),
                cmp: Cmp::Eq(Literal::Str("2".into()))
            }]]
        );
        let c = parse("isCompany == true and x != 3 || y").unwrap();
        assert_eq!(c.any.len(), 2);
        assert_eq!(c.any[0].len(), 2);
        assert_eq!(c.any[0][1].cmp, Cmp::Ne(Literal::Num(3.into())));
        assert_eq!(c.any[1][0].cmp, Cmp::Present);
    }

    #[test]
    fn rejects_bad_conditions() {
        assert!(parse("").is_err());
        assert!(parse("a ==").is_err());
        assert!(parse("a == 'x").is_err());
        assert!(parse("a == 1 b").is_err());
        assert!(parse("== 1").is_err());
    }
}
