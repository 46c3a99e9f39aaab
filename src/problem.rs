//! Row problems as data: a [`RowError`] names the row, the column, the value and the
//! rule, and renders its message in Turkish or English only when a report is written.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::read::SourcePos;

/// Language of report messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Tr,
    En,
}

/// One problem with one cell (or with the row as a whole, when `column` is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub pos: SourcePos,
    /// The source column as the file names it, or the target field when the value did
    /// not come from one column.
    pub column: String,
    pub value: String,
    pub problem: Problem,
}

/// Which date forms a field reads, so that its message can list them.
#[derive(Debug, Clone, PartialEq)]
pub enum DateForms {
    /// The forms read by default, ERP ones included.
    Default,
    /// The plain forms of a `strict = true` field.
    Plain,
    /// The mapping's `input_format`s, as written there.
    Listed(String),
}

/// One comparison of a `required_if` condition in the export's own terms: the
/// column the compared field comes from, and the value as the export writes it
/// (`Cari Tipi` and `Kurum`, never `customer_type_1` and `2`).
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub column: String,
    pub test: Test,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Is(String),
    IsNot(String),
    Filled,
}

/// What is wrong. `rule()` is the stable machine name written to `errors.csv`.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Required,
    /// `column` is empty although `when` holds (any group, every clause of it).
    RequiredIf {
        column: String,
        when: Vec<Vec<Clause>>,
    },
    CellError,
    Ragged {
        found: usize,
        expected: usize,
    },
    Integer,
    /// Not a number in any form read by default.
    Decimal,
    /// Not a number in the plain forms a `strict` field reads.
    DecimalStrict,
    AmbiguousDecimal,
    /// A currency marker in an amount that is not the row's currency.
    CurrencyMismatch {
        found: String,
        expected: String,
    },
    Scale {
        scale: u32,
    },
    Bool,
    Date {
        formats: DateForms,
    },
    DateTime {
        formats: DateForms,
    },
    /// A date written with a time other than midnight, in a field that sends a date.
    DateHasTime,
    Time,
    Check {
        check: &'static str,
    },
    Pattern {
        pattern: String,
    },
    MinLen {
        min: usize,
    },
    MaxLen {
        max: usize,
    },
    Min {
        min: String,
    },
    Max {
        max: String,
    },
    OneOf {
        allowed: String,
    },
    Unmapped {
        known: String,
    },
    DebitCreditBoth,
    DebitCreditNone,
    DuplicateKey {
        other: String,
    },
    EmptyKey,
}

impl Problem {
    pub fn rule(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::RequiredIf { .. } => "required_if",
            Problem::CellError => "cell_error",
            Problem::Ragged { .. } => "ragged_row",
            Problem::Integer => "integer",
            Problem::Decimal | Problem::DecimalStrict => "decimal",
            Problem::AmbiguousDecimal => "ambiguous_decimal",
            Problem::CurrencyMismatch { .. } => "currency_mismatch",
            Problem::Scale { .. } => "scale",
            Problem::Bool => "bool",
            Problem::Date { .. } => "date",
            Problem::DateTime { .. } => "datetime",
            Problem::DateHasTime => "date_has_time",
            Problem::Time => "time",
            Problem::Check { check } => check,
            Problem::Pattern { .. } => "pattern",
            Problem::MinLen { .. } => "min_len",
            Problem::MaxLen { .. } => "max_len",
            Problem::Min { .. } => "min",
            Problem::Max { .. } => "max",
            Problem::OneOf { .. } => "one_of",
            Problem::Unmapped { .. } => "map",
            Problem::DebitCreditBoth | Problem::DebitCreditNone => "debit_credit",
            Problem::DuplicateKey { .. } => "duplicate_key",
            Problem::EmptyKey => "key",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let tr = lang == Lang::Tr;
        match self {
            Problem::Required => pick(tr, "Zorunlu alan boş", "Required value is empty"),
            Problem::RequiredIf { column, when } => required_if(column, when, tr),
            Problem::CellError => pick(
                tr,
                "Hücrede formül hatası var; değer okunamadı",
                "The cell holds a formula error; no value could be read",
            ),
            Problem::Ragged { found, expected } => {
                if tr {
                    format!("Satırda {found} alan var, başlıkta {expected} sütun var")
                } else {
                    format!("The row has {found} fields but the header has {expected} columns")
                }
            }
            Problem::Integer => pick(tr, "Tam sayı değil", "Not a whole number"),
            Problem::Decimal => pick(
                tr,
                "Sayı değil (kabul edilen biçimler: 1.234,56; 1234,56; 1,234.56; 1234.56; \
                 -1.234,56; (1.234,56); 1.234,56-; −1.234,56; 1 234,56; 1.234,56 TL; ₺1.234,56; \
                 1.234,56 TRY)",
                "Not a number (accepted forms: 1.234,56; 1234,56; 1,234.56; 1234.56; \
                 -1.234,56; (1.234,56); 1.234,56-; −1.234,56; 1 234,56; 1.234,56 TL; ₺1.234,56; \
                 1.234,56 TRY)",
            ),
            Problem::DecimalStrict => pick(
                tr,
                "Sayı değil (bu alan strict: yalnız 1.234,56; 1234,56; 1,234.56; 1234.56; \
                 -1.234,56 biçimleri kabul edilir)",
                "Not a number (this field is strict: only 1.234,56; 1234,56; 1,234.56; \
                 1234.56; -1.234,56 are accepted)",
            ),
            Problem::CurrencyMismatch { found, expected } => {
                if tr {
                    format!(
                        "Tutardaki para birimi ({found}) satırın para birimi ({expected}) değil; \
                         tutarda yalnız satırın para birimi yazabilir (TL, TRY ve ₺ aynıdır)"
                    )
                } else {
                    format!(
                        "The amount is marked {found} but the row's currency is {expected}; \
                         an amount may only name the row's currency (TL, TRY and ₺ are the same)"
                    )
                }
            }
            Problem::AmbiguousDecimal => pick(
                tr,
                "Sayı belirsiz: ayraç binlik mi ondalık mı anlaşılmıyor; eşlemede [source] decimal ayarlayın",
                "Ambiguous number: the separator could be thousands or decimal; set [source] decimal in the mapping",
            ),
            Problem::Scale { scale } => {
                if tr {
                    format!("En fazla {scale} ondalık basamak olabilir")
                } else {
                    format!("At most {scale} decimal places are allowed")
                }
            }
            Problem::Bool => pick(
                tr,
                "Evet/hayır değeri değil (1/0, evet/hayır, true/false)",
                "Not a yes/no value (1/0, yes/no, true/false)",
            ),
            Problem::Date { formats } => {
                let forms = date_forms(formats, false, tr);
                if tr {
                    format!("Geçerli bir tarih değil ({forms})")
                } else {
                    format!("Not a valid date ({forms})")
                }
            }
            Problem::DateTime { formats } => {
                let forms = date_forms(formats, true, tr);
                if tr {
                    format!("Geçerli bir tarih-saat değil ({forms})")
                } else {
                    format!("Not a valid date and time ({forms})")
                }
            }
            Problem::DateHasTime => pick(
                tr,
                "Tarih alanında gece yarısı olmayan bir saat var; saat gönderilemez. \
                 Saati dışa aktarımda kaldırın ya da eşlemede drop_time = true yazın",
                "A time other than midnight in a date field, which cannot send it. \
                 Remove the time in the export, or set drop_time = true in the mapping",
            ),
            Problem::Time => pick(
                tr,
                "Geçerli bir saat değil (beklenen: SS:DD)",
                "Not a valid time (expected HH:MM)",
            ),
            Problem::Check { check } => check_message(check, tr),
            Problem::Pattern { pattern } => {
                if tr {
                    format!("Beklenen biçime uymuyor ({pattern})")
                } else {
                    format!("Does not match the expected pattern ({pattern})")
                }
            }
            Problem::MinLen { min } => {
                if tr {
                    format!("En az {min} karakter olmalı")
                } else {
                    format!("Must be at least {min} characters")
                }
            }
            Problem::MaxLen { max } => {
                if tr {
                    format!("En fazla {max} karakter olabilir")
                } else {
                    format!("Must be at most {max} characters")
                }
            }
            Problem::Min { min } => {
                if tr {
                    format!("En az {min} olmalı")
                } else {
                    format!("Must be at least {min}")
                }
            }
            Problem::Max { max } => {
                if tr {
                    format!("En fazla {max} olabilir")
                } else {
                    format!("Must be at most {max}")
                }
            }
            Problem::OneOf { allowed } => {
                if tr {
                    format!("İzin verilen değerlerden biri değil: {allowed}")
                } else {
                    format!("Not one of the allowed values: {allowed}")
                }
            }
            Problem::Unmapped { known } => {
                if tr {
                    format!("Eşleme tablosunda yok; bilinen değerler: {known}")
                } else {
                    format!("Not in the value table; known values: {known}")
                }
            }
            Problem::DebitCreditBoth => pick(
                tr,
                "Borç ve alacak birlikte dolu; yalnız biri dolu olmalı",
                "Both debit and credit are set; exactly one must be",
            ),
            Problem::DebitCreditNone => pick(
                tr,
                "Borç ve alacak ikisi de boş veya sıfır; biri dolu olmalı",
                "Debit and credit are both empty or zero; exactly one must be set",
            ),
            Problem::DuplicateKey { other } => {
                if tr {
                    format!(
                        "Aynı anahtar başka satırda da var ({other}); hangisinin geçerli olduğuna muhasebe karar vermeli"
                    )
                } else {
                    format!(
                        "The same key appears on another row ({other}); accounting must decide which one is right"
                    )
                }
            }
            Problem::EmptyKey => pick(
                tr,
                "Satırın anahtarı boş; satır tanımlanamıyor",
                "The row's key is empty; the row cannot be identified",
            ),
        }
    }
}

/// `Cari Tipi "Kurum" olduğunda Vergi No zorunludur` /
/// `Vergi No is required when Cari Tipi is "Kurum"`.
fn required_if(column: &str, when: &[Vec<Clause>], tr: bool) -> String {
    let value = |v: &str| match (v, tr) {
        ("true", true) => "evet".to_string(),
        ("false", true) => "hayır".to_string(),
        ("true", false) => "yes".to_string(),
        ("false", false) => "no".to_string(),
        _ => v.to_string(),
    };
    let clause = |c: &Clause| match (&c.test, tr) {
        (Test::Is(v), true) => format!("{} \"{}\" olduğunda", c.column, value(v)),
        (Test::IsNot(v), true) => format!("{} \"{}\" olmadığında", c.column, value(v)),
        (Test::Filled, true) => format!("{} dolu olduğunda", c.column),
        (Test::Is(v), false) => format!("{} is \"{}\"", c.column, value(v)),
        (Test::IsNot(v), false) => format!("{} is not \"{}\"", c.column, value(v)),
        (Test::Filled, false) => format!("{} is filled", c.column),
    };
    let (and, or) = if tr {
        (" ve ", " ya da ")
    } else {
        (" and ", " or ")
    };
    let cond = when
        .iter()
        .map(|g| g.iter().map(clause).collect::<Vec<_>>().join(and))
        .collect::<Vec<_>>()
        .join(or);
    match (cond.is_empty(), tr) {
        (true, true) => format!("Bu satırda {column} zorunludur"),
        (true, false) => format!("{column} is required on this row"),
        (false, true) => format!("{cond} {column} zorunludur"),
        (false, false) => format!("{column} is required when {cond}"),
    }
}

/// The accepted date forms, as examples a person recognises in either language.
fn date_forms(forms: &DateForms, with_time: bool, tr: bool) -> String {
    let (head, excel) = if tr {
        ("kabul edilen biçimler", "Excel tarih sayısı")
    } else {
        ("accepted forms", "an Excel date number")
    };
    let list = match (forms, with_time) {
        (DateForms::Listed(l), _) => return format!("{head}: {l}"),
        (DateForms::Default, false) => {
            "28.11.2026; 28/11/2026; 2026-11-28; 2026.11.28; 28 Kasım 2026; 28 Kas 2026; \
             28.11.2026 00:00:00; 2026-11-28T00:00:00"
        }
        (DateForms::Plain, false) => "28.11.2026; 28/11/2026; 2026-11-28",
        (DateForms::Default, true) => {
            "28.11.2026 14:30; 28.11.2026 14:30:05; 28/11/2026 14:30; 2026-11-28 14:30:05; \
             2026-11-28T14:30:05; 2026.11.28 14:30; 28 Kasım 2026 14:30; 28.11.2026"
        }
        (DateForms::Plain, true) => {
            "28.11.2026 14:30; 28.11.2026 14:30:05; 28/11/2026 14:30; 2026-11-28 14:30:05; \
             2026-11-28T14:30:05; 28.11.2026"
        }
    };
    let strict = if *forms == DateForms::Plain {
        " (strict)"
    } else {
        ""
    };
    format!("{head}{strict}: {list}; {excel}")
}

/// A rule's name in Turkish, as accounting knows it (`required` → "Zorunlu alan boş").
pub fn rule_title(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "required" => "Zorunlu alan boş",
        "required_if" => "Koşula bağlı zorunlu alan boş",
        "integer" => "Tam sayı değil",
        "decimal" => "Sayı değil",
        "ambiguous_decimal" => "Sayı belirsiz",
        "currency_mismatch" => "Para birimi tutmuyor",
        "scale" => "Fazla ondalık basamak",
        "bool" => "Evet/hayır değeri değil",
        "date" | "datetime" => "Tarih okunamadı",
        "date_has_time" => "Tarihte saat var",
        "time" => "Saat okunamadı",
        "vkn" => "Geçersiz VKN",
        "tckn" => "Geçersiz TCKN",
        "vkn_or_tckn" => "Geçersiz VKN/TCKN",
        "iban" => "Geçersiz IBAN",
        "email" => "Geçersiz e-posta",
        "phone_tr" => "Geçersiz telefon",
        "uuid" => "Geçersiz UUID",
        "currency" => "Geçersiz para birimi",
        "country" => "Geçersiz ülke kodu",
        "pattern" => "Biçime uymuyor",
        "min_len" | "max_len" => "Uzunluk uygun değil",
        "min" | "max" => "Değer sınır dışında",
        "one_of" | "map" => "Bilinmeyen değer",
        "debit_credit" => "Borç/alacak hatalı",
        "duplicate_key" => "Aynı kayıt iki kez",
        "key" => "Anahtar boş",
        "cell_error" => "Hücrede formül hatası",
        "ragged_row" => "Sütun sayısı tutmuyor",
        _ => return None,
    })
}

fn pick(tr: bool, turkish: &str, english: &str) -> String {
    if tr { turkish } else { english }.to_string()
}

fn check_message(check: &str, tr: bool) -> String {
    let (t, e) = match check {
        "vkn" => (
            "Geçersiz vergi kimlik numarası (VKN: 10 hane, kontrol hanesi tutmalı)",
            "Invalid tax number (VKN: 10 digits with a valid check digit)",
        ),
        "tckn" => (
            "Geçersiz T.C. kimlik numarası (11 hane, kontrol haneleri tutmalı)",
            "Invalid Turkish ID number (TCKN: 11 digits with valid check digits)",
        ),
        "vkn_or_tckn" => (
            "Geçersiz VKN/TCKN (10 haneli VKN veya 11 haneli TCKN olmalı)",
            "Invalid VKN/TCKN (a 10-digit VKN or an 11-digit TCKN)",
        ),
        "iban" => (
            "Geçersiz IBAN (TR IBAN 26 karakter; kontrol basamakları tutmalı)",
            "Invalid IBAN (a TR IBAN has 26 characters and valid check digits)",
        ),
        "email" => ("Geçersiz e-posta adresi", "Invalid e-mail address"),
        "phone_tr" => (
            "Geçersiz telefon numarası (10 hane; +90, 0090 veya 0 ile başlayabilir)",
            "Invalid phone number (10 digits, optionally after +90, 0090 or 0)",
        ),
        "uuid" => ("Geçersiz UUID", "Invalid UUID"),
        "currency" => (
            "Geçersiz para birimi kodu (ISO 4217, örn. TRY, USD, EUR veya TL)",
            "Invalid currency code (ISO 4217, e.g. TRY, USD, EUR, or TL)",
        ),
        "country" => (
            "Geçersiz ülke kodu (ISO 3166, örn. TR)",
            "Invalid country code (ISO 3166, e.g. TR)",
        ),
        other => {
            let mut s = String::new();
            let _ = write!(s, "{other}");
            return s;
        }
    };
    pick(tr, t, e)
}
