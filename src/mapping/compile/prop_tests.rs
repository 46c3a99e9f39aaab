//! Property tests of the mapping compiler on random TOML: never a panic, and a text
//! that does not compile gets errors whose line and column are inside it. The texts
//! are mappings built from lines a mapping may have (right and wrong), then cut and
//! spliced at random. Cases are few and small so the test suite stays fast;
//! `PROPTEST_CASES=100000 cargo test --release prop_` runs it longer.

use std::path::Path;

use proptest::prelude::*;

use super::*;

const LINES: &[&str] = &[
    "endpoint = \"oduyo.customer_update\"",
    "endpoint = \"oduyo.transaction_create\"",
    "endpoint = \"netahsilat.customer_update\"",
    "endpoint = 7",
    "key = \"{Cari Kodu}\"",
    "key = \"{Cari Kodu\"",
    "key = \"\"",
    "[source]",
    "[fields]",
    "[fields.id]",
    "[[fields]]",
    "decimal = \",\"",
    "delimiter = \"tab\"",
    "encoding = \"latin-5\"",
    "header_row = 0",
    "sheet = \"Cariler\"",
    "sheet = -1",
    "skip_if = { column = \"Cari Kodu\", matches = \"^BÖLÜM\" }",
    "skip_if = [{ column = \"A\", matches = \"(\" }]",
    "total_row = { column = \"Cari Kodu\", matches = \"^TOPLAM\", sum = [\"Bakiye\"] }",
    "total_row = { column = \"Cari Kodu\", matches = \"\", sum = [\"Bakiye\", \"BAKİYE\"] }",
    "total_row = { column = \"\", matches = \"^T\", sum = [] }",
    "id = { from = \"Ödüyo No\", type = \"integer\", required = true }",
    "id = { from = \"No\", type = \"date\" }",
    "name = { from = \"Ünvan\", max_len = 150 }",
    "name = { template = \"{Ad} {Soyad}\" }",
    "name = { from = [\"Ad\", \"Soyad\"], join = \" \" }",
    "balance = { from = \"Bakiye\", type = \"decimal\", scale = 4 }",
    "balance = { from = \"Bakiye\", scale = 99 }",
    "balance_current = { from = \"Bakiye\" }",
    "balance_paid = { value = \"0\" }",
    "balance_paid = { value = 0.5 }",
    "customer_type_1 = { from = \"Tip\", map = { \"Şahıs\" = \"1\", \"Kurum\" = \"2\" } }",
    "customer_type_1 = { from = \"Tip\", map = { \"Şirket\" = \"1\", \"ŞİRKET\" = \"2\" } }",
    "tax_number = { from = \"VKN\", check = \"vkn\", required_if = \"customer_type_1 == '2'\" }",
    "tax_number = { from = \"VKN\", required_if = \"x ==\" }",
    "telephone = { from = \"Tel\", transform = [\"phone_tr\", \"uper\"] }",
    "email = { from = \"E\", pattern = \"([a-z\" }",
    "date = { from = \"Tarih\", input_format = \"dd.MM.yyyy\" }",
    "hour = { from = \"Saat\", format = \"%H:%Q\" }",
    "amount = { debit_credit = [\"Borç\", \"Alacak\"], emit = \"amount\" }",
    "sign = { debit_credit = [\"Borç\"], emit = \"sign\" }",
    "nmae = { from = \"Ad\" }",
];

/// A mapping that compiles, for random lines to be added to.
const BASE: &str = "endpoint = \"oduyo.customer_update\"
key = \"{Cari Kodu}\"
[fields]
id = { from = \"No\", type = \"integer\" }
balance = { from = \"Bakiye\", type = \"decimal\", scale = 4 }
balance_current = { from = \"Bakiye\" }
balance_paid = { value = \"0\" }";

/// A mapping-like text: lines from [`LINES`] and random ones, after [`BASE`] or not,
/// and in half the cases cut and spliced at random, so that strings, tables and arrays
/// are left open in odd places.
fn text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => prop::sample::select(LINES).prop_map(str::to_string),
        1 => "[a-zçğıöşüİ_ ={}\\[\\]\",.0-9#'\\\\-]{0,30}",
    ];
    (
        any::<bool>(),
        prop::collection::vec(line, 0..14),
        prop::option::of((
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            "[\"'{}\\[\\]=\n\r\t ,.\\\\a-zİı0-9\u{0}-\u{1f}]{0,4}",
        )),
    )
        .prop_map(|(base, lines, mutation)| {
            let mut text = if base {
                BASE.to_string()
            } else {
                String::new()
            };
            for l in lines {
                text.push('\n');
                text.push_str(&l);
            }
            if let Some((cut, at, splice)) = mutation {
                let cut = floor_char(&text, cut.index(text.len() + 1));
                let at = floor_char(&text, at.index(text.len() + 1));
                let (a, b) = (cut.min(at), cut.max(at));
                // Every other case drops the text between the two places.
                if (a + b) % 2 == 0 {
                    text.replace_range(a..b, "");
                }
                text.insert_str(floor_char(&text, a), &splice);
            }
            text
        })
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

proptest! {
    #[test]
    fn prop_mapping_text_compiles_or_errs_inside_it(text in text()) {
        let Err(errors) = load_str(Path::new("m.toml"), &text) else {
            return Ok(());
        };
        prop_assert!(!errors.0.is_empty(), "an error without a mistake");
        let lines: Vec<&str> = text.split('\n').collect();
        for e in &errors.0 {
            prop_assert_eq!(e.file.as_str(), "m.toml");
            prop_assert!(
                e.line >= 1 && e.line <= lines.len(),
                "line {} of {}: {}", e.line, lines.len(), e.message
            );
            let width = lines[e.line - 1].chars().count();
            prop_assert!(
                e.column >= 1 && e.column <= width + 1,
                "column {} of a line {} wide: {}", e.column, width, e.message
            );
            prop_assert!(!e.message.trim().is_empty());
        }
    }
}
