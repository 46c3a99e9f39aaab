//! Control totals: which of a file's columns the mapping's total row reads, and the
//! sums its data rows add up to, compared with its total row by `guards`.

use rust_decimal::Decimal;

use super::{ControlTotals, InputError};
use crate::mapping::Mapping;
use crate::read::{self, ReadError, Table};
use crate::turkish::number::{DecimalStyle, parse_amount};

/// The total row's column and the columns it sums, as indexes into `table`'s header.
/// A column the file lacks stops the run: control totals that quietly check less than
/// the mapping says are no control. A corrected report has no total row to check.
pub(super) fn control_columns(
    m: &Mapping,
    table: &Table,
) -> Result<Option<(usize, Vec<usize>)>, InputError> {
    let Some(t) = m.total_row.as_ref().filter(|_| !table.corrected) else {
        return Ok(None);
    };
    let found = |c| read::find_column(&table.headers, c).ok_or(c);
    let col = found(t.column.as_str());
    let sums: Vec<_> = t.sum.iter().map(|c| found(c.as_str())).collect();
    let missing: Vec<&str> = std::iter::once(&col)
        .chain(&sums)
        .filter_map(|r| r.err())
        .collect();
    if !missing.is_empty() {
        return Err(InputError::MissingTotalColumns {
            file: table.file.to_string(),
            missing: quoted(missing),
            available: quoted(table.headers.iter().filter(|h| !h.trim().is_empty())),
        });
    }
    Ok(col
        .ok()
        .map(|c| (c, sums.into_iter().filter_map(Result::ok).collect())))
}

/// The reader resolves the total row's column as a row to skip; a file without it is
/// the control totals' problem, and said so.
pub(super) fn total_column_missing(m: &Mapping, e: ReadError) -> InputError {
    match (e, &m.total_row) {
        (
            ReadError::SkipColumn {
                file,
                column,
                available,
            },
            Some(t),
        ) if column == t.column => InputError::MissingTotalColumns {
            file,
            missing: quoted([&column]),
            available,
        },
        (e, _) => InputError::Read(e),
    }
}

pub(super) fn quoted<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    names
        .into_iter()
        .map(|c| format!("`{}`", c.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell as an exact number: empty is zero, text is read in the mapping's decimal
/// style and in any form a field reads by default (a total row is printed the way its
/// data rows are), anything else is `None`.
pub(super) fn number(cell: Option<&read::Cell>, style: DecimalStyle) -> Option<Decimal> {
    match cell {
        None | Some(read::Cell::Empty) => Some(Decimal::ZERO),
        Some(read::Cell::Number(d)) => Some(*d),
        Some(read::Cell::Text(t)) => text_number(t, style),
        Some(_) => None,
    }
}

/// A text cell as [`number`] reads it.
pub(super) fn text_number(text: &str, style: DecimalStyle) -> Option<Decimal> {
    if text.trim().is_empty() {
        Some(Decimal::ZERO)
    } else {
        parse_amount(text, style).ok().map(|a| a.value)
    }
}

/// Adds a data row's `cols` to the sums, each read by `number_at`.
pub(super) fn add_to_totals(
    t: &mut ControlTotals,
    cols: &[usize],
    number_at: impl Fn(usize) -> Option<Decimal>,
) {
    for (slot, &c) in t.sums.iter_mut().zip(cols) {
        // A sum past Decimal's range (28 digits) counts as unreadable, not as a crash.
        match number_at(c).and_then(|d| slot.1.checked_add(d)) {
            Some(sum) => slot.1 = sum,
            None => slot.2 += 1,
        }
    }
}
