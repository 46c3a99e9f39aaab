//! The provider's statement export (CSV or a workbook) read with aktar's own readers,
//! each line into the parts a post is matched on.
//!
//! A line that cannot be read stops reconciliation: a statement read in part could
//! make a post that is on it look absent, and an absent post is posted again.

use std::path::Path;

use chrono::{NaiveDate, NaiveTime, Timelike};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::matching::{Line, Parts, Side};
use crate::mapping::reconcile::{Amount, Reconcile};
use crate::read::{self, Cell, Record, Row};
use crate::turkish::date::{excel_serial_to_datetime, parse_date_forms, parse_time};
use crate::turkish::number::{DecimalStyle, parse_amount};

/// At most this many bad lines are named; the rest are counted.
const SHOWN: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error(transparent)]
    Read(#[from] read::ReadError),
    #[error("{file}: the statement has no column {missing}; its columns: {available}")]
    Columns {
        file: String,
        missing: String,
        available: String,
    },
    #[error("{file}: {} line(s) cannot be read, so nothing is decided:\n  {}{}", .count, .shown.join("\n  "), more(.count, .shown.len()))]
    Lines {
        file: String,
        count: usize,
        shown: Vec<String>,
    },
}

fn more(count: &usize, shown: usize) -> String {
    if *count > shown {
        format!("\n  … and {} more", count - shown)
    } else {
        String::new()
    }
}

/// Every line of the statement at `path`.
pub fn read(path: &Path, r: &Reconcile) -> Result<Vec<Line>, StatementError> {
    let table = read::open(path, &r.source)?;
    let file = match &table.sheet {
        Some(sheet) => format!("{}#{sheet}", table.file),
        None => table.file.to_string(),
    };
    let mut missing = Vec::new();
    let mut bind = |name: &'_ str| match read::find_column(&table.headers, name) {
        Some(at) => Some(Col {
            at,
            name: name.to_string(),
        }),
        None => {
            missing.push(format!("`{name}`"));
            None
        }
    };
    let customer = bind(&r.customer);
    let amount = match &r.amount {
        Amount::Column(c) => bind(c).map(AmountAt::Column),
        Amount::DebitCredit { debit, credit } => match (bind(debit), bind(credit)) {
            (Some(d), Some(c)) => Some(AmountAt::Pair(d, c)),
            _ => None,
        },
    };
    let date = bind(&r.date);
    let sign = r.sign.as_deref().and_then(&mut bind);
    let hour = r.hour.as_deref().and_then(&mut bind);
    let comment = r.comment.as_deref().and_then(&mut bind);
    let reference = r.reference.as_deref().and_then(&mut bind);
    let (Some(customer), Some(amount), Some(date), true) =
        (customer, amount, date, missing.is_empty())
    else {
        return Err(StatementError::Columns {
            file,
            missing: missing.join(", "),
            available: table.headers.join(", "),
        });
    };
    let cols = Columns {
        customer,
        amount,
        sign,
        date,
        hour,
        comment,
        reference,
        style: r.decimal,
    };
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for record in table.records {
        let row = match record? {
            Record::Data(row) => row,
            Record::Skipped(_) => continue,
        };
        match cols.line(&row) {
            Ok((parts, reference)) => lines.push(Line {
                row: row.pos.row,
                parts,
                reference,
            }),
            Err(why) => bad.push(format!("{file}:{}: {why}", row.pos.row)),
        }
    }
    if !bad.is_empty() {
        let count = bad.len();
        bad.truncate(SHOWN);
        return Err(StatementError::Lines {
            file,
            count,
            shown: bad,
        });
    }
    Ok(lines)
}

/// A column of the statement: where it is in the header, and its name for messages.
struct Col {
    at: usize,
    name: String,
}

enum AmountAt {
    Column(Col),
    Pair(Col, Col),
}

struct Columns {
    customer: Col,
    amount: AmountAt,
    sign: Option<Col>,
    date: Col,
    hour: Option<Col>,
    comment: Option<Col>,
    reference: Option<Col>,
    style: DecimalStyle,
}

impl Columns {
    fn line(&self, row: &Row) -> Result<(Parts, Option<String>), String> {
        if let Some((found, expected)) = row.ragged {
            return Err(format!("{found} fields where the header has {expected}"));
        }
        let cell = |c: &Col| row.cells.get(c.at).unwrap_or(&Cell::Empty);
        let customer = text(cell(&self.customer), &self.customer.name)?
            .ok_or_else(|| format!("`{}` is empty", self.customer.name))?;
        let (amount, side) = match &self.amount {
            AmountAt::Column(a) => {
                let amount = number(cell(a), &a.name, self.style)?
                    .ok_or_else(|| format!("`{}` is empty", a.name))?;
                let side = match &self.sign {
                    Some(s) => Some(side(cell(s), &s.name)?),
                    None => None,
                };
                (amount, side)
            }
            AmountAt::Pair(d, c) => debit_credit(
                number(cell(d), &d.name, self.style)?.unwrap_or_default(),
                number(cell(c), &c.name, self.style)?.unwrap_or_default(),
                (&d.name, &c.name),
            )?,
        };
        let date = date(cell(&self.date), &self.date.name)?;
        let hour = match &self.hour {
            Some(h) => Some(hour(cell(h), &h.name)?),
            None => None,
        };
        let comment = match &self.comment {
            Some(c) => Some(text(cell(c), &c.name)?.unwrap_or_default()),
            None => None,
        };
        let reference = match &self.reference {
            Some(r) => text(cell(r), &r.name)?,
            None => None,
        };
        let parts = Parts {
            customer,
            amount,
            side,
            date,
            hour,
            comment,
        };
        Ok((parts, reference))
    }
}

/// Exactly one side of a borç/alacak pair is filled, and not negative.
fn debit_credit(
    d: Decimal,
    c: Decimal,
    (debit, credit): (&str, &str),
) -> Result<(Decimal, Option<Side>), String> {
    if d.is_sign_negative() || c.is_sign_negative() {
        return Err(format!("`{debit}` / `{credit}`: a negative value"));
    }
    match (d.is_zero(), c.is_zero()) {
        (false, true) => Ok((d, Some(Side::Debit))),
        (true, false) => Ok((c, Some(Side::Credit))),
        (false, false) => Err(format!("`{debit}` and `{credit}` are both filled")),
        (true, true) => Err(format!("`{debit}` and `{credit}` are both empty or zero")),
    }
}

fn shown(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(t) | Cell::Error(t) => t.to_string(),
        Cell::Number(d) => d.normalize().to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Date(d) => d.format("%d.%m.%Y %H:%M").to_string(),
    }
}

fn text(c: &Cell, name: &str) -> Result<Option<String>, String> {
    match c {
        Cell::Error(e) => Err(format!("`{name}` holds the error {e}")),
        Cell::Date(d) => Ok(Some(d.format("%d.%m.%Y").to_string())),
        other => {
            let t = shown(other);
            let t = t.trim();
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
    }
}

fn number(c: &Cell, name: &str, style: DecimalStyle) -> Result<Option<Decimal>, String> {
    match c {
        Cell::Empty => Ok(None),
        Cell::Number(d) => Ok(Some(*d)),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => parse_amount(t, style)
            .map(|a| Some(a.value))
            .map_err(|_| format!("`{name}` \"{t}\" is not an amount")),
        other => Err(format!("`{name}` \"{}\" is not an amount", shown(other))),
    }
}

fn side(c: &Cell, name: &str) -> Result<Side, String> {
    Side::parse(&shown(c)).ok_or_else(|| {
        format!(
            "`{name}` \"{}\" is neither alacak nor borç (A/B, Alacak/Borç, 1/-1)",
            shown(c)
        )
    })
}

fn date(c: &Cell, name: &str) -> Result<NaiveDate, String> {
    let read = match c {
        Cell::Date(d) => Some(d.date()),
        Cell::Number(n) => excel_serial_to_datetime(*n).map(|d| d.date()),
        Cell::Text(t) => parse_date_forms(t).map(|d| d.date()),
        _ => None,
    };
    read.ok_or_else(|| format!("`{name}` \"{}\" is not a date", shown(c)))
}

fn hour(c: &Cell, name: &str) -> Result<NaiveTime, String> {
    let read = match c {
        Cell::Date(d) => Some(d.time()),
        // A time cell is a fraction of a day.
        Cell::Number(n) if *n >= Decimal::ZERO && *n < Decimal::ONE => (*n * Decimal::from(86_400))
            .round()
            .to_u32()
            .and_then(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0)),
        Cell::Text(t) => parse_time(t).or_else(|| parse_date_forms(t).map(|d| d.time())),
        _ => None,
    };
    read.map(|t| t.with_second(0).unwrap_or(t))
        .ok_or_else(|| format!("`{name}` \"{}\" is not a time of day", shown(c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::reconcile::Amount;

    fn table(amount: Amount, sign: Option<&str>) -> Reconcile {
        let mut r = Reconcile {
            customer: "Cari No".into(),
            amount,
            sign: sign.map(str::to_string),
            date: "Tarih".into(),
            hour: Some("Saat".into()),
            comment: None,
            reference: Some("Belge No".into()),
            source: Default::default(),
            decimal: DecimalStyle::Comma,
        };
        r.source.expected_columns = r.columns();
        r
    }

    fn lines(text: &str, r: &Reconcile) -> Result<Vec<Line>, StatementError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ekstre.csv");
        std::fs::write(&path, text).unwrap();
        read(&path, r)
    }

    #[test]
    fn a_debit_credit_pair_says_the_side() {
        let r = table(
            Amount::DebitCredit {
                debit: "Borç".into(),
                credit: "Alacak".into(),
            },
            None,
        );
        let text = "Başlık\n\nTarih;Saat;Cari No;Borç;Alacak;Belge No\n\
                    05.11.2026;14:30:45;0042;1.250,50;;000000023\n\
                    2026-11-06;09:05;42;0;7,5;\n";
        let l = lines(text, &r).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].row, 4);
        assert_eq!(l[0].parts.amount, Decimal::new(125050, 2));
        assert_eq!(l[0].parts.side, Some(Side::Debit));
        assert_eq!(l[0].parts.hour, NaiveTime::from_hms_opt(14, 30, 0));
        assert_eq!(l[0].reference.as_deref(), Some("000000023"));
        assert_eq!(l[1].parts.side, Some(Side::Credit));
        assert_eq!(
            l[1].parts.date,
            NaiveDate::from_ymd_opt(2026, 11, 6).unwrap()
        );
        assert_eq!(l[1].reference, None);
    }

    #[test]
    fn every_line_that_cannot_be_read_is_named() {
        let r = table(Amount::Column("Tutar".into()), Some("Yön"));
        let text = "Tarih;Saat;Cari No;Tutar;Yön;Belge No\n\
                    05.11.2026;10:00;1;5,00;Alacak;1\n\
                    31.11.2026;10:00;1;5,00;Alacak;2\n\
                    05.11.2026;10:00;1;beş;Alacak;3\n\
                    05.11.2026;10:00;1;5,00;Bilinmez;4\n\
                    05.11.2026;25:00;;5,00;B;5\n";
        let e = lines(text, &r).unwrap_err().to_string();
        assert!(e.contains("4 line(s) cannot be read"), "{e}");
        assert!(
            e.contains("ekstre.csv:3: `Tarih` \"31.11.2026\" is not a date"),
            "{e}"
        );
        assert!(e.contains(":4: `Tutar` \"beş\" is not an amount"), "{e}");
        assert!(
            e.contains(":5: `Yön` \"Bilinmez\" is neither alacak nor borç"),
            "{e}"
        );
        assert!(e.contains(":6: `Cari No` is empty"), "{e}");
    }

    #[test]
    fn a_pair_with_both_sides_or_neither_is_refused() {
        let r = table(
            Amount::DebitCredit {
                debit: "Borç".into(),
                credit: "Alacak".into(),
            },
            None,
        );
        let text = "Tarih;Saat;Cari No;Borç;Alacak;Belge No\n\
                    05.11.2026;10:00;1;5;5;1\n\
                    05.11.2026;10:00;1;;0;2\n\
                    05.11.2026;10:00;1;-5;;3\n";
        let e = lines(text, &r).unwrap_err().to_string();
        assert!(e.contains(":2: `Borç` and `Alacak` are both filled"), "{e}");
        assert!(
            e.contains(":3: `Borç` and `Alacak` are both empty or zero"),
            "{e}"
        );
        assert!(e.contains(":4: `Borç` / `Alacak`: a negative value"), "{e}");
    }

    #[test]
    fn a_missing_column_lists_those_there_are() {
        let r = table(Amount::Column("Tutar".into()), Some("Yön"));
        let e = lines(
            "Tarih;Saat;Cari No;Tutar;Belge No\n05.11.2026;10:00;1;5;1\n",
            &r,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no column `Yön`; its columns: Tarih, Saat, Cari No, Tutar, Belge No"),
            "{e}"
        );
    }
}
