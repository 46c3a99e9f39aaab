//! The `[reconcile]` table: each part named must be one the endpoint's statement has
//! (`statement` in its endpoint file), the parts that tell lines apart must be there,
//! and the statement's own `[reconcile.source]` is checked like `[source]`.

use toml::Spanned;

use super::Cx;
use crate::mapping::reconcile::{Amount, Reconcile};
use crate::mapping::spec::ReconcileSpec;
use crate::providers::Endpoint;

impl Cx<'_> {
    pub(super) fn reconcile(
        &mut self,
        r: &Spanned<ReconcileSpec>,
        endpoint: &Endpoint,
    ) -> Option<Reconcile> {
        let before = self.out.errors.len();
        let spec = r.get_ref();
        if endpoint.idempotent {
            self.err(
                r.span(),
                format!(
                    "[reconcile] settles posts that must never be repeated; {} is sent again safely, so nothing of it is ever uncertain",
                    endpoint.id
                ),
            );
            return None;
        }
        if endpoint.statement.is_empty() {
            self.err(
                r.span(),
                format!(
                    "{} names no fields to match a statement on (`statement` in its endpoint file)",
                    endpoint.id
                ),
            );
            return None;
        }
        let st = &endpoint.statement;
        let parts = [
            (
                "customer",
                spec.customer.as_ref().map(Spanned::span),
                &st.customer,
            ),
            (
                "amount",
                spec.amount.as_ref().map(Spanned::span),
                &st.amount,
            ),
            (
                "debit_credit",
                spec.debit_credit.as_ref().map(Spanned::span),
                &st.amount,
            ),
            ("sign", spec.sign.as_ref().map(Spanned::span), &st.sign),
            ("date", spec.date.as_ref().map(Spanned::span), &st.date),
            ("hour", spec.hour.as_ref().map(Spanned::span), &st.hour),
            (
                "comment",
                spec.comment.as_ref().map(Spanned::span),
                &st.comment,
            ),
        ];
        for (name, span, field) in parts {
            if let (Some(span), None) = (span, field) {
                self.err(
                    span,
                    format!(
                        "{} has no field a statement's `{name}` could be matched with",
                        endpoint.id
                    ),
                );
            }
        }
        let amount = match (&spec.amount, &spec.debit_credit) {
            (Some(a), None) => Some(Amount::Column(a.get_ref().clone())),
            (None, Some(dc)) => match dc.get_ref().as_slice() {
                [debit, credit] => Some(Amount::DebitCredit {
                    debit: debit.clone(),
                    credit: credit.clone(),
                }),
                _ => {
                    self.err(
                        dc.span(),
                        "debit_credit names two columns: [\"Borç\", \"Alacak\"]".into(),
                    );
                    None
                }
            },
            (Some(_), Some(dc)) => {
                self.err(
                    dc.span(),
                    "a statement's amount is `amount` or `debit_credit`, not both".into(),
                );
                None
            }
            (None, None) => {
                self.err(
                    r.span(),
                    "[reconcile] needs the statement's amount: `amount = \"Tutar\"` or `debit_credit = [\"Borç\", \"Alacak\"]`".into(),
                );
                None
            }
        };
        if let (Some(sign), Some(_)) = (&spec.sign, &spec.debit_credit) {
            self.err(
                sign.span(),
                "debit_credit already says alacak or borç; leave `sign` out".into(),
            );
        }
        // A line is found by whom and when: without both every uncertain post would
        // match lines of other customers or other days.
        for (name, value) in [("customer", &spec.customer), ("date", &spec.date)] {
            if value.is_none() {
                self.err(
                    r.span(),
                    format!("[reconcile] needs the statement's `{name}` column"),
                );
            }
        }
        let (mut source, decimal) = match &spec.source {
            Some(s) => {
                if let Some(t) = &s.get_ref().total_row {
                    self.err(
                        t.span(),
                        "a statement has no control total; leave total_row out (skip_if leaves a total line out)".into(),
                    );
                }
                self.source(s.get_ref())
            }
            None => Default::default(),
        };
        let text = |s: &Option<Spanned<String>>| s.as_ref().map(|v| v.get_ref().trim().to_string());
        if self.out.errors.len() > before {
            return None;
        }
        let out = Reconcile {
            customer: text(&spec.customer)?,
            amount: amount?,
            sign: text(&spec.sign),
            date: text(&spec.date)?,
            hour: text(&spec.hour),
            comment: text(&spec.comment),
            reference: text(&spec.reference),
            source: Default::default(),
            decimal,
        };
        source.expected_columns = out.columns();
        Some(Reconcile { source, ..out })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::mapping::MappingError;
    use crate::mapping::load_str;
    use crate::mapping::reconcile::Amount;

    const TRANSACTIONS: &str = r#"endpoint = "oduyo.transaction_create"
key = "{Fiş No}"
[fields]
customer_id = { from = "Cari" }
amount = { debit_credit = ["Borç", "Alacak"], emit = "amount", scale = 2 }
sign = { debit_credit = ["Borç", "Alacak"], emit = "sign" }
date = { from = "Tarih" }
hour = { from = "Saat", default = "00:00" }
comment = { from = "Açıklama" }
currency = { value = "TL" }
"#;

    fn errors(text: &str) -> Vec<MappingError> {
        match load_str(Path::new("m.toml"), text) {
            Ok(_) => panic!("expected errors for:\n{text}"),
            Err(e) => e.0,
        }
    }

    fn with(table: &str) -> String {
        format!("{TRANSACTIONS}[reconcile]\n{table}\n")
    }

    #[test]
    fn a_statement_table_compiles_with_its_own_layout() {
        let text = with(
            r#"customer = "Cari No"
debit_credit = ["Borç", "Alacak"]
date = "Tarih"
hour = "Saat"
comment = "Açıklama"
reference = "Belge No"
[reconcile.source]
sheet = "Hareketler"
decimal = ","
skip_if = { column = "Tarih", matches = "^Toplam" }"#,
        );
        let m = load_str(Path::new("m.toml"), &text).unwrap();
        let r = m.reconcile.expect("[reconcile]");
        assert_eq!(
            r.amount,
            Amount::DebitCredit {
                debit: "Borç".into(),
                credit: "Alacak".into()
            }
        );
        assert_eq!(r.sign, None);
        assert_eq!(r.decimal, crate::turkish::number::DecimalStyle::Comma);
        assert_eq!(r.source.skip_if.len(), 1);
        assert_eq!(
            r.source.expected_columns,
            [
                "Cari No",
                "Borç",
                "Alacak",
                "Tarih",
                "Saat",
                "Açıklama",
                "Belge No"
            ]
        );
        // The export's own columns are not the statement's.
        assert!(!m.columns.iter().any(|c| c == "Cari No"));
    }

    #[test]
    fn mistakes_are_named_at_their_line() {
        let e = errors(&with(
            r#"customer = "Cari No"
amount = "Tutar"
debit_credit = ["Borç", "Alacak"]
date = "Tarih""#,
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].line, e[0].column), (14, 16));
        assert!(
            e[0].message
                .contains("`amount` or `debit_credit`, not both")
        );

        let e = errors(&with(r#"amount = "Tutar""#));
        let messages: Vec<_> = e.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("needs the statement's `customer`")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("needs the statement's `date`")),
            "{messages:?}"
        );

        let e = errors(&with(
            r#"customer = "Cari No"
debit_credit = ["Borç", "Alacak"]
sign = "Yön"
date = "Tarih""#,
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].message.contains("leave `sign` out"), "{e:?}");

        let e = errors(&with(
            r#"customer = "Cari No"
amount = "Tutar"
date = "Tarih"
[reconcile.source]
total_row = { column = "Tarih", matches = "^Toplam", sum = ["Tutar"] }"#,
        ));
        assert!(
            e.iter().any(|e| e.message.contains("no control total")),
            "{e:?}"
        );
    }

    #[test]
    fn only_endpoints_that_are_never_repeated_are_reconciled() {
        let text = r#"endpoint = "oduyo.customer_update"
key = "{Cari Kodu}"
[fields]
id = { from = "No", type = "integer" }
balance = { from = "Bakiye" }
balance_current = { from = "Bakiye" }
balance_paid = { value = "0" }
[reconcile]
customer = "Cari No"
amount = "Tutar"
date = "Tarih"
"#;
        let e = errors(text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].line, 8);
        assert!(
            e[0].message.contains("nothing of it is ever uncertain"),
            "{e:?}"
        );
    }
}
