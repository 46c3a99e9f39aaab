//! Validation: a [`Row`] becomes either a request (method, URL path, JSON body) or the
//! list of everything wrong with it.
//!
//! [`check_batch`] runs rows in parallel with rayon and returns them in file order; it
//! needs no shared state, so the duplicate-key check, which does, happens afterwards in
//! [`crate::pipeline`]'s single-threaded collector.

use std::borrow::Cow;

use rayon::prelude::*;
use serde_json::Value as Json;

use crate::mapping::cond::{Cmp, Condition, Literal};
use crate::mapping::{Mapping, ValueSource};
use crate::problem::{Clause, Problem, RowError, Test};
use crate::providers::Lit;
use crate::read::{Row, SourcePos, TextBatch};
use crate::turkish::case::fold;

mod amount;
mod field;
mod rules;
pub mod value;
mod wire;

use field::{Cells, RowCx, RowView};
pub use value::Value;
use wire::FileLabel;
pub use wire::Plan;

/// A request ready to go: the URL path (the endpoint path with the path field filled
/// in) and the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub path: String,
    pub body: Json,
}

/// The result of validating one row.
#[derive(Debug)]
pub struct Checked {
    /// The row as read (its cells go into `errors.xlsx` if it is rejected).
    pub row: Row,
    pub key: String,
    /// A 128-bit digest of the key, so duplicate detection keeps 16 bytes per row.
    pub key_hash: u128,
    pub outcome: Result<Request, Vec<RowError>>,
}

/// A row read as the mapping's typed values, or everything wrong with it.
pub(crate) struct Verdict<'r, 'v> {
    /// Borrowed from the row when the key is one column, as it nearly always is.
    pub key: Cow<'r, str>,
    pub outcome: Result<&'v [Value<'r>], Vec<RowError>>,
}

/// Reads and checks rows against a mapping bound to their file's header, and gives
/// each row's verdict to `each` in order, with the row's place among `rows`.
///
/// The rows are read a field at a time, [`GROUP`] rows at once: the first field of
/// every row, then the second. Each field takes its own path through the reading (its
/// transforms, its type, its checks), and a run of rows down one path finds its
/// branches and tables as the row before left them.
pub(crate) fn verdicts<'r>(
    m: &'r Mapping,
    binding: &'r [usize],
    headers: &'r [String],
    rows: impl IntoIterator<Item = RowView<'r>>,
    mut each: impl FnMut(usize, RowView<'r>, Verdict<'r, '_>),
) {
    let mut rows = rows.into_iter();
    let width = m.fields.len();
    let mut cxs: Vec<RowCx<'r>> = Vec::with_capacity(GROUP);
    let mut keys: Vec<Cow<'r, str>> = Vec::with_capacity(GROUP);
    let mut values: Vec<Value<'r>> = Vec::with_capacity(GROUP * width);
    let mut done = 0;
    loop {
        cxs.extend(rows.by_ref().take(GROUP).map(|row| {
            let mut cx = RowCx {
                m,
                binding,
                headers,
                row,
                errors: Vec::new(),
                markers: Vec::new(),
            };
            if let Some((found, expected)) = row.ragged {
                cx.push("", "", Problem::Ragged { found, expected });
            }
            cx
        }));
        if cxs.is_empty() {
            return;
        }
        keys.extend(cxs.iter_mut().map(|cx| {
            let key = cx.render_key(&m.key);
            if key.is_empty() {
                cx.push("", "", Problem::EmptyKey);
            }
            key
        }));
        values.resize_with(cxs.len() * width, || Value::Null);
        for (i, f) in m.fields.iter().enumerate() {
            for (r, cx) in cxs.iter_mut().enumerate() {
                cx.field(f, &mut values[r * width + i]);
            }
        }
        let group = cxs.len();
        // Each row's context is used where it lies, and dropped with the group's.
        for (r, (cx, key)) in cxs.iter_mut().zip(keys.drain(..)).enumerate() {
            let values = &values[r * width..(r + 1) * width];
            conditions(cx, values);
            amount::check_markers(cx, values);
            let mut errors = std::mem::take(&mut cx.errors);
            let outcome = if errors.is_empty() {
                Ok(values)
            } else {
                dedup(&mut errors);
                Err(errors)
            };
            each(done + r, cx.row, Verdict { key, outcome });
        }
        cxs.clear();
        values.clear();
        done += group;
    }
}

/// Rows read a field at a time: few enough that their values stay in the core's
/// nearest cache until their lines are written.
const GROUP: usize = 64;

/// Validates one row against a mapping bound to its file's header.
pub fn check_row(m: &Mapping, binding: &[usize], headers: &[String], row: Row) -> Checked {
    let mut found = None;
    verdicts(m, binding, headers, [RowView::of(&row)], |_, _, v| {
        let outcome = v.outcome.map(|values| {
            let plan = Plan::new(m, "");
            let mut body = Vec::new();
            plan.body(&mut body, values);
            Request {
                path: plan.path(values),
                body: serde_json::from_slice(&body).unwrap_or(Json::Null),
            }
        });
        found = Some((v.key.into_owned(), outcome));
    });
    let (key, outcome) = found.expect("one row gives one verdict");
    Checked {
        row,
        key_hash: key_hash(&key),
        key,
        outcome,
    }
}

/// What one slice of a batch came to, for the collector, which then only counts,
/// keeps key digests and writes bytes: the valid rows are already payloads lines and
/// dropped where they were validated.
#[derive(Default)]
pub struct Slice {
    /// The valid rows' payloads.jsonl lines, newline-terminated, in file order.
    pub lines: Vec<u8>,
    pub rows: u64,
    pub valid: u64,
    /// Row number and key digest of every row with a key, in file order.
    pub keys: Vec<(u64, u128)>,
    /// The rejected rows with their keys and problems, in file order.
    pub rejected: Vec<(Row, String, Vec<RowError>)>,
}

/// Rows a worker takes at a time: enough to make the hand-off cheap, few enough to
/// spread a batch over every core.
const SLICE: usize = 512;

/// Room a slice's payloads lines start with: a line is a few hundred bytes.
const SLICE_LINES: usize = SLICE * 512;

/// Payloads line buffers that have been written out, for the next slices to fill.
///
/// Each slice's lines are a quarter of a megabyte, made on a worker and written and
/// let go on the collector's thread. Taken afresh, every one is memory the allocator
/// has to find, and the kernel to fault in page by page, again; handed back, a run
/// cycles through the same few dozen, already in place.
#[derive(Default)]
pub struct Spare {
    lines: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl Spare {
    /// Buffers kept at most: more than the slices of the batches a run holds at once
    /// (the rest are let go).
    const KEPT: usize = 64;

    fn take(&self) -> Vec<u8> {
        let spare = self.lines.lock().unwrap_or_else(|p| p.into_inner()).pop();
        spare.unwrap_or_else(|| Vec::with_capacity(SLICE_LINES))
    }

    /// Hands back a slice's lines once they are written.
    pub fn give(&self, mut lines: Vec<u8>) {
        if lines.capacity() < SLICE_LINES {
            return;
        }
        lines.clear();
        let mut kept = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < Self::KEPT {
            kept.push(lines);
        }
    }
}

/// A batch's data rows, as the reader handed them on.
pub enum Rows {
    Owned(Vec<Row>),
    /// A delimited file's, read where they lie in the batch's text.
    Text(TextBatch),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Owned(rows) => rows.len(),
            Rows::Text(batch) => batch.rows().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Validates a batch in parallel, slice by slice; the slices come back in file order.
/// The rows are taken a slice at a time where they lie, not gathered into slices first.
pub fn check_batch(
    m: &Mapping,
    binding: &[usize],
    headers: &[String],
    rows: Rows,
    plan: &Plan<'_>,
    spare: &Spare,
) -> Vec<Slice> {
    let check = Checker {
        m,
        binding,
        headers,
        plan,
        spare,
    };
    match rows {
        Rows::Owned(mut rows) => rows
            .par_chunks_mut(SLICE)
            .map(|chunk| {
                let views = chunk.iter().map(RowView::of);
                let (mut out, rejected) = check.slice(views);
                out.rejected = rejected
                    .into_iter()
                    .map(|(i, key, errors)| {
                        let row = &mut chunk[i];
                        let cells = std::mem::take(&mut row.cells);
                        let row = Row {
                            pos: row.pos.clone(),
                            cells,
                            ragged: row.ragged,
                        };
                        (row, key, errors)
                    })
                    .collect();
                out
            })
            .collect(),
        Rows::Text(batch) => {
            let file = SourcePos {
                file: std::sync::Arc::clone(batch.file()),
                sheet: None,
                row: 0,
            };
            batch
                .rows()
                .par_chunks(SLICE)
                .map(|chunk| {
                    let views = chunk.iter().map(|r| RowView {
                        file: &file,
                        row: r.row,
                        cells: Cells::Text(batch.cells(r)),
                        ragged: r.ragged,
                    });
                    let (mut out, rejected) = check.slice(views);
                    out.rejected = rejected
                        .into_iter()
                        .map(|(i, key, errors)| (batch.row(&chunk[i]), key, errors))
                        .collect();
                    out
                })
                .collect()
        }
    }
}

/// What every row of a batch is checked with.
struct Checker<'a> {
    m: &'a Mapping,
    binding: &'a [usize],
    headers: &'a [String],
    plan: &'a Plan<'a>,
    spare: &'a Spare,
}

/// A rejected row's place in its slice, its key and its problems.
type Rejected = (usize, String, Vec<RowError>);

impl Checker<'_> {
    /// Checks a slice of rows: valid rows' payloads lines are written, rejected rows'
    /// places, keys and problems given back for their rows to be kept with them.
    fn slice<'r>(&self, rows: impl ExactSizeIterator<Item = RowView<'r>>) -> (Slice, Vec<Rejected>)
    where
        Self: 'r,
    {
        let mut out = Slice {
            lines: self.spare.take(),
            keys: Vec::with_capacity(rows.len()),
            ..Slice::default()
        };
        let mut rejected = Vec::new();
        let mut file = FileLabel::default();
        verdicts(
            self.m,
            self.binding,
            self.headers,
            rows,
            |i, row, verdict| {
                let Verdict { key, outcome } = verdict;
                out.rows += 1;
                if !key.is_empty() {
                    out.keys.push((row.row, key_hash(&key)));
                }
                match outcome {
                    Ok(values) => {
                        out.valid += 1;
                        self.plan
                            .line(&mut out.lines, &mut file, row.file, row.row, &key, values);
                    }
                    Err(errors) => rejected.push((i, key.into_owned(), errors)),
                }
            },
        );
        (out, rejected)
    }
}

/// A key's 128-bit digest, as the duplicate-key check and the journal's snapshot know
/// it. It lives only for a run (the journal stores keys, not digests), so it needs no
/// stability across versions, only spread: XXH3's 128 bits, a collision among ten
/// million keys about 10^-25 likely, at a tenth of a cryptographic hash's cost on the
/// short texts keys are.
pub fn key_hash(key: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(key.as_bytes())
}

/// The same problem on the same column is reported once (an amount and a sign read
/// from the same debit/credit pair would otherwise say it twice).
fn dedup(errors: &mut Vec<RowError>) {
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert((e.column.clone(), e.problem.rule(), e.value.clone())));
}

fn conditions<'v>(cx: &mut RowCx<'_>, values: &'v [Value<'v>]) {
    let m = cx.m;
    let lookup = |name: &str| -> Option<&'v Value<'v>> {
        m.fields
            .iter()
            .position(|f| f.def.name == name)
            .map(|i| &values[i])
    };
    for (f, v) in m.fields.iter().zip(values) {
        if let Some(c) = &f.required_if
            && v.is_null()
            && holds(c, &lookup)
            && !failed(cx, f)
        {
            let column = source_column(cx, f);
            let when = c
                .any
                .iter()
                .map(|all| all.iter().map(|t| clause(cx, &t.field, &t.cmp)).collect())
                .collect();
            cx.push(
                &column,
                "",
                Problem::RequiredIf {
                    column: column.clone(),
                    when,
                },
            );
        }
    }
    for rule in &m.endpoint.rules {
        let Some(v) = lookup(&rule.field) else {
            continue;
        };
        let hit = match &rule.equals {
            Lit::Bool(b) => *v == Value::Bool(*b),
            Lit::Str(s) => !v.is_null() && v.text(None) == s.as_str(),
        };
        if !hit {
            continue;
        }
        for then in &rule.then {
            let missing = lookup(then).is_none_or(Value::is_null);
            let field = m.fields.iter().find(|f| f.def.name == *then);
            if missing && !field.is_some_and(|f| failed(cx, f)) {
                let column = field
                    .map(|f| source_column(cx, f))
                    .unwrap_or_else(|| then.to_string());
                let literal = match &rule.equals {
                    Lit::Bool(b) => Literal::Bool(*b),
                    Lit::Str(s) => Literal::Str(s.clone()),
                };
                let when = vec![vec![clause(cx, &rule.field, &Cmp::Eq(literal))]];
                cx.push(
                    &column,
                    "",
                    Problem::RequiredIf {
                        column: column.clone(),
                        when,
                    },
                );
            }
        }
    }
}

/// A comparison of target field `field` in the export's terms: the column it is read
/// from, and the literal as the export writes it (through the field's value table
/// backwards when it has one: `customer_type_1 == '2'` is `Cari Tipi` `Kurum`).
fn clause(cx: &RowCx<'_>, field: &str, cmp: &Cmp) -> Clause {
    let f = cx.m.field(field);
    let column = f.map_or_else(|| field.to_string(), |f| source_column(cx, f));
    let shown = |l: &Literal| {
        let text = match l {
            Literal::Str(s) => s.clone(),
            Literal::Num(n) => n.to_string(),
            Literal::Bool(b) => b.to_string(),
        };
        f.and_then(|f| f.map.as_ref())
            .and_then(|m| {
                m.known
                    .split(", ")
                    .find(|k| m.entries.get(&fold(k)).is_some_and(|v| *v == text))
                    .map(str::to_string)
            })
            .unwrap_or(text)
    };
    let test = match cmp {
        Cmp::Eq(l) => Test::Is(shown(l)),
        Cmp::Ne(l) => Test::IsNot(shown(l)),
        Cmp::Present => Test::Filled,
    };
    Clause { column, test }
}

/// Whether the field already has a problem reported (then it is not also "missing").
fn failed(cx: &RowCx<'_>, f: &crate::mapping::Field) -> bool {
    let column = source_column(cx, f);
    cx.errors.iter().any(|e| e.column == column)
}

/// The export's column(s) a field is read from, as the file names them: messages
/// speak of what accounting sees, not of the endpoint's field names. Only a constant
/// (the mapping's, not the export's) is named by its field.
fn source_column(cx: &RowCx<'_>, f: &crate::mapping::Field) -> String {
    let join = |cols: &mut dyn Iterator<Item = usize>| {
        let mut names: Vec<String> = Vec::new();
        for c in cols {
            let name = cx.column_name(c).into_owned();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(" + ")
    };
    let named = match &f.source {
        ValueSource::Column(c) => cx.column_name(*c).into_owned(),
        ValueSource::Columns { cols, .. } => join(&mut cols.iter().copied()),
        ValueSource::Template(t) => join(&mut t.parts.iter().filter_map(|p| match p {
            crate::mapping::template::Part::Col(c) => Some(*c),
            crate::mapping::template::Part::Lit(_) => None,
        })),
        ValueSource::DebitCredit { debit, credit, .. } => {
            format!("{} / {}", cx.column_name(*debit), cx.column_name(*credit))
        }
        ValueSource::Constant(_) => String::new(),
    };
    if named.is_empty() {
        f.def.name.clone()
    } else {
        named
    }
}

fn holds<'v>(c: &Condition, lookup: &impl Fn(&str) -> Option<&'v Value<'v>>) -> bool {
    c.any.iter().any(|all| {
        all.iter().all(|t| {
            let v = lookup(&t.field).unwrap_or(&Value::Null);
            match &t.cmp {
                Cmp::Present => !v.is_null(),
                Cmp::Eq(l) => equals(v, l),
                Cmp::Ne(l) => !equals(v, l),
            }
        })
    })
}

fn equals(v: &Value, l: &Literal) -> bool {
    match (v, l) {
        (Value::Null, _) => false,
        (Value::Bool(b), Literal::Bool(x)) => b == x,
        (Value::Int(i), Literal::Num(n)) => rust_decimal::Decimal::from(*i) == *n,
        (Value::Dec(d), Literal::Num(n)) => d == n,
        (v, Literal::Str(s)) => v.text(None) == s.as_str(),
        (v, Literal::Num(n)) => v.text(None) == n.to_string(),
        (v, Literal::Bool(b)) => v.text(None) == if *b { "true" } else { "false" },
    }
}

#[cfg(test)]
mod forms_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wire_tests;
