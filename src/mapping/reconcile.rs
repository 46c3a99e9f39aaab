//! A mapping's `[reconcile]` table, compiled: where each part of a line is in the
//! provider's own statement export (the transaction list of its panel), and how that
//! file is laid out. `aktar journal reconcile` reads the statement with it.

use crate::read::SourceOptions;
use crate::turkish::number::DecimalStyle;

#[derive(Debug, Clone)]
pub struct Reconcile {
    pub customer: String,
    pub amount: Amount,
    /// A column saying alacak or borç; `None` with a debit/credit pair (which says it)
    /// or when the statement does not tell.
    pub sign: Option<String>,
    pub date: String,
    pub hour: Option<String>,
    pub comment: Option<String>,
    /// The provider's document number, recorded for what is found on the statement.
    pub reference: Option<String>,
    pub source: SourceOptions,
    pub decimal: DecimalStyle,
}

/// Where a statement line's amount is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    /// One column; its sign, if any, is not read as alacak or borç.
    Column(String),
    /// Borç and alacak columns, exactly one of them non-zero.
    DebitCredit { debit: String, credit: String },
}

impl Reconcile {
    /// Every column the statement must have.
    pub fn columns(&self) -> Vec<String> {
        let mut out = vec![self.customer.clone()];
        match &self.amount {
            Amount::Column(c) => out.push(c.clone()),
            Amount::DebitCredit { debit, credit } => {
                out.push(debit.clone());
                out.push(credit.clone());
            }
        }
        out.push(self.date.clone());
        out.extend(
            [&self.sign, &self.hour, &self.comment, &self.reference]
                .into_iter()
                .flatten()
                .cloned(),
        );
        out
    }
}
