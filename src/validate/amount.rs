//! Amounts: numbers written as text in the forms the field reads, the debit/credit
//! pair of columns, and the currency markers found on the way.
//!
//! A marker (`1.234,56 TL`, `$12,00`) cannot be judged where it is read: the row's
//! currency may be a field that comes later. So it is kept with the row and checked
//! once every field is known, as `required_if` is. A row has no marker nearly always,
//! and then this costs nothing.

use rust_decimal::Decimal;

use super::field::{Raw, RowCx};
use super::value::Value;
use crate::mapping::Field;
use crate::problem::Problem;
use crate::providers::FieldType;
use crate::turkish::number::{
    Amount, Currency, DecimalStyle, NumberError, parse_amount, parse_decimal,
};

/// Target fields that hold a row's currency: Ödüyo transactions' `currency`,
/// NetTahsilat's `currencyCode`.
const CURRENCY_FIELDS: &[&str] = &["currency", "currencyCode"];

/// A currency marker read in an amount cell.
#[derive(Debug)]
pub(crate) struct Marker {
    column: String,
    value: String,
    currency: Currency,
}

impl<'r> RowCx<'r> {
    /// A decimal written as text: the plain forms only on a `strict` field, else every
    /// form reports print amounts in, keeping any currency marker for [`check_markers`].
    pub(super) fn decimal_text(
        &mut self,
        f: &Field,
        t: &str,
        style: DecimalStyle,
        column: &str,
        original: &str,
    ) -> Result<Decimal, Problem> {
        // The amount is taken as it comes back: turned into a pair first, it was moved
        // in pieces and read back across them, a read that waited for the writes.
        let read = if f.strict {
            parse_decimal(t, style).map(|value| Amount {
                value,
                currency: None,
            })
        } else {
            parse_amount(t, style)
        };
        match read {
            Ok(Amount {
                value,
                currency: None,
            }) => Ok(value),
            Ok(Amount {
                value,
                currency: Some(currency),
            }) => {
                self.markers.push(Marker {
                    column: column.to_string(),
                    value: original.to_string(),
                    currency,
                });
                Ok(value)
            }
            Err(NumberError::Ambiguous) => Err(Problem::AmbiguousDecimal),
            Err(NumberError::Invalid) => Err(not_a_number(f)),
        }
    }

    /// A debit/credit pair of columns as the amount (the non-zero side) or the sign
    /// (`-1` debit, `1` credit) of one transaction.
    pub(super) fn debit_credit(
        &mut self,
        f: &Field,
        debit: usize,
        credit: usize,
        emit: crate::mapping::Emit,
    ) -> Value<'r> {
        let side = |cx: &mut Self, col: usize| -> Option<Decimal> {
            let raw = cx.cell(col);
            let name = cx.column_name(col);
            let v = match &raw {
                Raw::Empty => Some(Decimal::ZERO),
                Raw::Number(d) => Some(*d),
                Raw::Text(t) => match cx.decimal_text(f, t, cx.m.decimal, &name, t) {
                    Ok(d) => Some(d),
                    Err(p) => {
                        cx.push(&name, t, p);
                        None
                    }
                },
                Raw::Error(e) => {
                    cx.push(&name, e, Problem::CellError);
                    None
                }
                other => {
                    cx.push(&name, &other.text(), not_a_number(f));
                    None
                }
            };
            match v {
                Some(d) if d.is_sign_negative() && !d.is_zero() => {
                    cx.push(&name, &raw.text(), Problem::Min { min: "0".into() });
                    None
                }
                v => v,
            }
        };
        let (Some(d), Some(c)) = (side(self, debit), side(self, credit)) else {
            return Value::Null;
        };
        let names = format!("{} / {}", self.column_name(debit), self.column_name(credit));
        let shown = format!("{} / {}", self.cell(debit).text(), self.cell(credit).text());
        let (amount, sign) = match (d.is_zero(), c.is_zero()) {
            (false, true) => (d, -1),
            (true, false) => (c, 1),
            (false, false) => {
                self.push(&names, &shown, Problem::DebitCreditBoth);
                return Value::Null;
            }
            (true, true) => {
                self.push(&names, &shown, Problem::DebitCreditNone);
                return Value::Null;
            }
        };
        match emit {
            crate::mapping::Emit::Sign if f.ty == FieldType::String => {
                Value::Str(sign.to_string().into())
            }
            crate::mapping::Emit::Sign => Value::Int(sign),
            crate::mapping::Emit::Amount => match self.scaled(f, amount, &names, &shown) {
                Some(a) => Value::Dec(a),
                None => Value::Null,
            },
        }
    }

    /// An amount at the field's `scale`: padded with zeros, or with zeros it has past
    /// the scale dropped; a digit past it is the field's problem (`None`).
    #[inline(always)]
    pub(super) fn scaled(
        &mut self,
        f: &Field,
        d: Decimal,
        column: &str,
        original: &str,
    ) -> Option<Decimal> {
        let Some(scale) = f.scale else {
            return Some(d);
        };
        // Already within the scale: padding with zeros gives what trimming them first
        // would (zero is left to the general path, which drops a minus sign).
        if d.scale() <= scale && !d.is_zero() {
            return Some(pad_scale(d, scale));
        }
        let n = d.normalize();
        if n.scale() > scale {
            self.push(column, original, Problem::Scale { scale });
            return None;
        }
        let mut out = n;
        out.rescale(scale);
        Some(out)
    }
}

/// `d` with zeros added to `scale` digits after the point (`d` has no more), as
/// `rescale` gives it; an amount's mantissa nearly always fits 64 bits with its zeros
/// added, and is then multiplied out there.
fn pad_scale(d: Decimal, scale: u32) -> Decimal {
    i64::try_from(d.mantissa())
        .ok()
        .zip(10i64.checked_pow(scale - d.scale()))
        .and_then(|(m, p)| m.checked_mul(p))
        .and_then(|m| Decimal::try_new(m, scale).ok())
        .unwrap_or_else(|| {
            let mut out = d;
            out.rescale(scale);
            out
        })
}

/// A number no form of the field reads.
pub(super) fn not_a_number(f: &Field) -> Problem {
    if f.strict {
        Problem::DecimalStrict
    } else {
        Problem::Decimal
    }
}

/// Checks the currency markers read in a row's amounts against the row's currency:
/// the mapping's currency field, or TRY when the mapping sets none or the row leaves
/// it empty. A row whose currency field already has a problem is not judged again.
pub(super) fn check_markers(cx: &mut RowCx<'_>, values: &[Value]) {
    if cx.markers.is_empty() {
        return;
    }
    let m = cx.m;
    let field = m
        .fields
        .iter()
        .position(|f| CURRENCY_FIELDS.contains(&f.def.name.as_str()));
    let (expected, label) = match field.map(|i| (&m.fields[i], &values[i])) {
        Some((f, Value::Null)) if super::failed(cx, f) => return,
        None | Some((_, Value::Null)) => (Some(Currency::TRY), Currency::TRY.to_string()),
        Some((_, v)) => {
            let text = v.text(None);
            (Currency::parse(&text), text.into_owned())
        }
    };
    for marker in std::mem::take(&mut cx.markers) {
        if Some(marker.currency) != expected {
            cx.push(
                &marker.column,
                &marker.value,
                Problem::CurrencyMismatch {
                    found: marker.currency.to_string(),
                    expected: label.clone(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pad_scale_is_rescale(
            lo in any::<u32>(), mid in any::<u32>(), hi in prop_oneof![Just(0u32), any::<u32>()],
            negative in any::<bool>(), scale in 0u32..=28, more in 0u32..=28,
        ) {
            let d = rust_decimal::Decimal::from_parts(lo, mid, hi, negative, scale);
            let target = (scale + more).min(28);
            let mut expected = d;
            expected.rescale(target);
            let got = super::pad_scale(d, target);
            prop_assert_eq!(got, expected);
            prop_assert_eq!(got.to_string(), expected.to_string());
        }
    }
}
