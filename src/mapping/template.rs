//! `"{Ad} {Soyad}"`: literal text with source columns in braces (`{{` and `}}` for a
//! literal brace). Columns are stored as indexes into the mapping's column list.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// Index into [`super::Mapping::columns`].
    Col(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// Splits a template into literal text and column names, calling `column` for each name
/// so that the caller can intern it.
pub fn parse(text: &str, mut column: impl FnMut(&str) -> usize) -> Result<Template, String> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c);
                }
                if !closed {
                    return Err(format!("unclosed `{{` in template `{text}`"));
                }
                let name = name.trim();
                if name.is_empty() {
                    return Err(format!("empty column name `{{}}` in template `{text}`"));
                }
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(Part::Col(column(name)));
            }
            '}' => {
                return Err(format!(
                    "unmatched `}}` in template `{text}` (write `}}}}`)"
                ));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(Template { parts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_columns_and_literals() {
        let mut cols = Vec::new();
        let t = parse("{Ad} {{x}} {Soyad}", |n| {
            cols.push(n.to_string());
            cols.len() - 1
        })
        .unwrap();
        assert_eq!(cols, ["Ad", "Soyad"]);
        assert_eq!(
            t.parts,
            [Part::Col(0), Part::Lit(" {x} ".into()), Part::Col(1)]
        );
    }

    #[test]
    fn rejects_unclosed_and_empty() {
        assert!(parse("{Ad", |_| 0).is_err());
        assert!(parse("{} x", |_| 0).is_err());
        assert!(parse("a } b", |_| 0).is_err());
    }
}
