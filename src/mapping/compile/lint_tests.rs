//! What `mapping lint` can tell about `total_row` and value tables without any file:
//! each mistake at the line and column of the entry that makes it.

use std::path::Path;

use super::*;
use crate::mapping::MappingError;

const HEAD: &str = r#"endpoint = "oduyo.customer_update"
key = "{Cari Kodu}"
[fields]
id = { from = "No", type = "integer" }
balance = { from = "Bakiye", type = "decimal", scale = 4 }
balance_current = { from = "Bakiye" }
balance_paid = { value = "0" }
"#;

/// The mapping with `source` as its `[source]` table and `field` as one more field.
fn mapping(source: &str, field: &str) -> String {
    format!("{HEAD}{field}\n[source]\n{source}\n")
}

fn errors(text: &str) -> Vec<MappingError> {
    match load_str(Path::new("m.toml"), text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e.0,
    }
}

fn one(text: &str) -> MappingError {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:?}");
    e.into_iter().next().unwrap()
}

fn total_row(rest: &str) -> String {
    mapping(
        &format!(r#"total_row = {{ column = "Cari Kodu", matches = "^TOPLAM"{rest} }}"#),
        "",
    )
}

#[test]
fn a_total_row_may_sum_a_column_no_field_reads() {
    let m = load_str(
        Path::new("m.toml"),
        &total_row(r#", sum = ["Bakiye", "Güncel Bakiye"]"#),
    )
    .unwrap();
    let t = m.total_row.unwrap();
    assert_eq!(t.sum, ["Bakiye", "Güncel Bakiye"]);
    assert_eq!(t.column, "Cari Kodu");
}

#[test]
fn a_total_row_summing_nothing_is_an_error() {
    let e = one(&total_row(", sum = []"));
    assert_eq!(e.line, 10);
    assert!(e.message.contains("needs the columns it sums"), "{e}");
    let e = one(&total_row(r#", sum = ["Bakiye", " "]"#));
    assert_eq!((e.line, e.column), (10, 75));
    assert!(e.message.contains("empty column name"), "{e}");
}

#[test]
fn a_column_summed_twice_is_an_error_at_the_second() {
    let e = one(&total_row(r#", sum = ["Bakiye", "Ödenen", "BAKİYE"]"#));
    assert_eq!((e.line, e.column), (10, 85));
    assert!(
        e.message.contains("sum names `Bakiye` twice (as `BAKİYE`)"),
        "{e}"
    );
    let e = one(&total_row(r#", sum = ["Bakiye", "Bakiye"]"#));
    assert!(e.message.contains("sum names `Bakiye` twice;"), "{e}");
}

#[test]
fn the_label_column_is_no_sum() {
    let e = one(&total_row(r#", sum = ["cari kodu"]"#));
    assert!(
        e.message
            .contains("`cari kodu` is the column that marks the total row"),
        "{e}"
    );
}

#[test]
fn a_pattern_matching_an_empty_cell_is_an_error() {
    for pattern in ["", ".*", "^(TOPLAM)?$"] {
        let text = mapping(
            &format!(
                r#"total_row = {{ column = "Cari Kodu", matches = "{pattern}", sum = ["Bakiye"] }}"#
            ),
            "",
        );
        let e = one(&text);
        assert_eq!(e.line, 10, "{pattern}");
        assert!(e.message.contains("also matches an empty cell"), "{e}");
    }
    let e = one(&mapping(
        r#"total_row = { column = "", matches = "^T", sum = ["Bakiye"] }"#,
        "",
    ));
    assert!(e.message.contains("`column` names the column"), "{e}");
}

#[test]
fn map_keys_that_compare_equal_with_different_values_are_an_error_naming_both() {
    let e = one(&mapping(
        "",
        r#"customer_type_1 = { from = "Tip", map = { "Şirket" = "2", "Şahıs" = "1", "ŞİRKET" = "1" } }"#,
    ));
    assert_eq!((e.line, e.column), (8, 74));
    assert!(
        e.message.contains("map keys `Şirket` and `ŞİRKET`")
            && e.message.contains("map to `2` and `1`"),
        "{e}"
    );
    // Spacing and the dotless ı fold too.
    let e = one(&mapping(
        "",
        r#"customer_type_1 = { from = "Tip", map = { "Kurum  Tipi" = "2", "kurum tıpı" = "1" } }"#,
    ));
    assert!(e.message.contains("`Kurum  Tipi` and `kurum tıpı`"), "{e}");
}

#[test]
fn map_keys_that_compare_equal_with_the_same_value_are_harmless() {
    let m = load_str(
        Path::new("m.toml"),
        &mapping(
            "",
            r#"customer_type_1 = { from = "Tip", map = { "Şirket" = "2", "ŞİRKET" = "2", "Şahıs" = "1" } }"#,
        ),
    )
    .unwrap();
    let map = m.field("customer_type_1").unwrap().map.as_ref().unwrap();
    assert_eq!(map.entries.len(), 2);
    assert_eq!(map.known, "Şahıs, Şirket, ŞİRKET");
}

#[test]
fn the_sheet_remembers_where_the_mapping_names_it() {
    let m = load_str(Path::new("m.toml"), &mapping(r#"sheet = "Cariler""#, "")).unwrap();
    assert_eq!(m.source.sheet_at.as_deref(), Some("m.toml:10:9"));
    let m = load_str(Path::new("m.toml"), &mapping("", "")).unwrap();
    assert_eq!(m.source.sheet_at, None);
}
