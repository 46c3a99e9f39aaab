//! Every mistake `mapping lint` reports, with its line and column.

use std::path::Path;

use super::*;
use crate::mapping::MappingError;

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

const HEAD: &str = r#"endpoint = "oduyo.customer_update"
key = "{Cari Kodu}"
[fields]
id = { from = "No", type = "integer" }
balance = { from = "Bakiye", type = "decimal", scale = 4 }
balance_current = { from = "Bakiye" }
balance_paid = { value = "0" }
"#;

fn with(extra: &str) -> String {
    format!("{HEAD}{extra}\n")
}

#[test]
fn a_good_mapping_compiles_in_endpoint_order() {
    let m = load_str(
        Path::new("x/customer_update.toml"),
        &with(r#"name = { from = "Ünvan", required = true, max_len = 150 }"#),
    )
    .unwrap();
    assert_eq!(m.name, "customer_update");
    assert_eq!(m.endpoint.id, "oduyo.customer_update");
    let names: Vec<_> = m.fields.iter().map(|f| f.def.name.as_str()).collect();
    assert_eq!(
        names,
        ["id", "name", "balance", "balance_current", "balance_paid"]
    );
    assert_eq!(m.columns, ["Cari Kodu", "Bakiye", "No", "Ünvan"]);
    assert_eq!(m.source.expected_columns, m.columns);
}

#[test]
fn toml_syntax_and_unknown_keys_have_positions() {
    let e = one("endpoint = \"oduyo.customer_update\"\nkey = \n");
    assert_eq!((e.line, e.file.as_str()), (2, "m.toml"));
    let e = one(&with(r#"name = { from = "Ünvan", requird = true }"#));
    assert_eq!(e.line, 8);
    assert!(e.message.contains("requird"), "{}", e.message);
    let e = one(&format!("{HEAD}[source]\nencodng = \"utf-8\"\n"));
    assert_eq!(e.line, 9);
}

#[test]
fn unknown_endpoint_lists_the_known_ones() {
    let e = one("endpoint = \"oduyo.nope\"\nkey = \"{A}\"\n[fields]\n");
    assert_eq!((e.line, e.column), (1, 12));
    assert!(e.message.contains("oduyo.transaction_create"));
}

#[test]
fn unknown_target_field() {
    let e = one(&with(r#"nmae = { from = "Ünvan" }"#));
    assert_eq!(e.line, 8);
    assert!(
        e.message
            .contains("`nmae` is not a field of oduyo.customer_update")
    );
}

#[test]
fn missing_required_field() {
    let text =
        "endpoint = \"oduyo.customer_update\"\nkey = \"{A}\"\n[fields]\nid = { from = \"No\" }\n";
    let e = errors(text);
    let msgs: Vec<_> = e.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(e.len(), 3, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("`balance_paid`")));
    assert!(e.iter().all(|e| e.line == 3));
}

#[test]
fn type_the_endpoint_cannot_take() {
    // A date can go into a string field: it is written with its format.
    load_str(
        Path::new("m.toml"),
        &with(r#"group_code = { from = "E", type = "date", format = "%d.%m.%Y" }"#),
    )
    .unwrap();
    let e = one(&HEAD.replace(
        r#"id = { from = "No", type = "integer" }"#,
        r#"id = { from = "No", type = "date" }"#,
    ));
    assert_eq!(e.line, 4);
    assert!(
        e.message.contains("type date cannot go into this field"),
        "{}",
        e.message
    );
    let e = one(&with(r#"name = { from = "E", type = "money" }"#));
    assert!(e.message.contains("unknown type `money`"));
}

#[test]
fn bad_regexes_formats_and_checks() {
    let e = one(&with(r#"name = { from = "E", pattern = "([a-z" }"#));
    assert!(e.message.contains("bad pattern"));
    let e = one(&format!(
        "{HEAD}[source]\nskip_if = {{ column = \"A\", matches = \"(\" }}\n"
    ));
    assert!(e.message.contains("skip_if"));
    let e = one(&with(r#"name = { from = "E", check = "vkm" }"#));
    assert!(e.message.contains("unknown check `vkm`"));
    let e = one(&with(r#"name = { from = "E", transform = ["uper"] }"#));
    assert!(e.message.contains("unknown transform `uper`"));
    let tx = r#"endpoint = "oduyo.transaction_create"
key = "{Fiş}"
[fields]
customer_id = { from = "Cari" }
amount = { debit_credit = ["Borç", "Alacak"], emit = "amount" }
sign = { debit_credit = ["Borç", "Alacak"], emit = "sign" }
date = { from = "Tarih", input_format = "dd.QQ.yyyy" }
hour = { from = "Saat", format = "%H:%Q" }
comment = { from = "Açıklama" }
currency = { value = "TRY" }
"#;
    let e = errors(tx);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].message.contains("input_format") && e[0].line == 7);
    assert!(e[1].message.contains("bad format") && e[1].line == 8);
    let e = errors(
        &tx.replace("%H:%Q", "%d.%m %H")
            .replace("dd.QQ.yyyy", "dd.MM.yyyy"),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].message.contains("asks for parts a time does not have"),
        "{}",
        e[0].message
    );
}

#[test]
fn source_options_are_checked() {
    let e = errors(&format!(
        "{HEAD}[source]\nencoding = \"latin-9\"\ndelimiter = \"#\"\ndecimal = \"x\"\nheader_row = 0\n"
    ));
    let lines: Vec<_> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, [9, 10, 11, 12]);
    assert!(e[0].message.contains("unknown encoding `latin-9`"));
}

#[test]
fn value_sources_must_be_exactly_one() {
    let e = one(&with(r#"name = { required = true }"#));
    assert!(
        e.message
            .contains("needs one of from, template, value or debit_credit")
    );
    let e = one(&with(r#"name = { from = "A", value = "x" }"#));
    assert!(e.message.contains("only one of"));
    let e = one(&with(r#"name = { template = "{Ad" }"#));
    assert!(e.message.contains("unclosed"));
    let e = one(&with(r#"name = { from = "A", emit = "sign" }"#));
    assert!(e.message.contains("emit goes with debit_credit"));
}

#[test]
fn misplaced_options() {
    let e = one(&with(r#"name = { from = "A", scale = 2 }"#));
    assert!(e.message.contains("scale is for decimal"));
    let e = one(&with(r#"name = { from = "A", split = ";" }"#));
    assert!(e.message.contains("split is for list"));
    let e = one(&with(r#"name = { from = "A", map_default = "x" }"#));
    assert!(e.message.contains("map_default goes with map"));
    let e = one(&with(r#"name = { from = "A", min = 3 }"#));
    assert!(e.message.contains("does not apply"));
    let e = one(&with(r#"risk = { value = 1.5 }"#));
    assert!(e.message.contains("in quotes"));
}

#[test]
fn required_if_is_parsed_and_its_fields_must_exist() {
    let e = one(&with(
        r#"tax_number = { from = "VKN", required_if = "customer_type_1 ==" }"#,
    ));
    assert!(e.message.contains("required_if"));
    let e = one(&with(
        r#"tax_number = { from = "VKN", required_if = "customer_type_1 == '2'" }"#,
    ));
    assert!(
        e.message
            .contains("`customer_type_1`, which this mapping does not set")
    );
    load_str(
        Path::new("m.toml"),
        &with("tax_number = { from = \"VKN\", required_if = \"customer_type_1 == '2'\" }\ncustomer_type_1 = { from = \"Tip\", map = { \"Şahıs\" = \"1\", \"Kurum\" = \"2\" } }"),
    )
    .unwrap();
}

#[test]
fn debit_credit_needs_emit_and_a_fitting_type() {
    let tx = r#"endpoint = "oduyo.transaction_create"
key = "{Fiş}"
[fields]
customer_id = { from = "Cari" }
amount = { debit_credit = ["Borç", "Alacak"], emit = "sign" }
sign = { debit_credit = ["Borç"], emit = "sign" }
date = { from = "Tarih" }
hour = { from = "Saat" }
comment = { from = "Açıklama" }
currency = { value = "TRY" }
"#;
    let e = errors(tx);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].message.contains("does not fit"));
    assert!(e[1].message.contains("takes two columns"));
}

#[test]
fn empty_is_omit_send_or_null_and_send_needs_a_json_string() {
    let e = one(&with(r#"name = { from = "A", empty = "skip" }"#));
    assert_eq!(e.line, 8);
    assert!(
        e.message.contains("`name`: empty is omit, send or null"),
        "{}",
        e.message
    );
    // The kasa card's id goes as a JSON number, which "" cannot be.
    let cash = "endpoint = \"oduyo.cash_update\"\nkey = \"{A}\"\n[fields]\nid = { from = \"No\", empty = \"send\" }\n";
    let e = one(cash);
    assert_eq!((e.line, e.column), (4, 29));
    assert!(
        e.message.contains("takes this field as a JSON number"),
        "{}",
        e.message
    );
    for ok in ["omit", "null"] {
        load_str(
            Path::new("m.toml"),
            &cash.replace("\"send\"", &format!("\"{ok}\"")),
        )
        .unwrap();
    }
}

#[test]
fn line_col_counts_characters() {
    assert_eq!(line_col("a\nbç = x", 5), (2, 3));
    assert_eq!(line_col("", 10), (1, 1));
}

#[test]
fn strict_and_drop_time_only_where_they_change_something() {
    let m = load_str(
        Path::new("m.toml"),
        &HEAD.replace(
            r#"balance = { from = "Bakiye", type = "decimal", scale = 4 }"#,
            r#"balance = { from = "Bakiye", type = "decimal", scale = 4, strict = true }"#,
        ),
    )
    .unwrap();
    assert!(m.field("balance").is_some_and(|f| f.strict && !f.drop_time));
    assert!(m.field("balance_current").is_some_and(|f| !f.strict));
    let e = one(&with(r#"name = { from = "E", strict = true }"#));
    assert!(e.message.contains("strict is for decimal"), "{}", e.message);
    assert_eq!(e.line, 8);
    let e = one(&with(r#"name = { from = "E", drop_time = true }"#));
    assert!(
        e.message.contains("drop_time is for date fields"),
        "{}",
        e.message
    );
    let date = |extra: &str| {
        with(&format!(
            r#"group_code = {{ from = "E", type = "date", format = "%d.%m.%Y"{extra} }}"#
        ))
    };
    load_str(Path::new("m.toml"), &date(", drop_time = true")).unwrap();
    load_str(Path::new("m.toml"), &date(", strict = true")).unwrap();
    let e = one(&date(", strict = true, drop_time = true"));
    assert!(e.message.contains("none to drop"), "{}", e.message);
    let e = one(&date(r#", input_format = "dd.MM.yy", drop_time = true"#));
    assert!(e.message.contains("input_format"), "{}", e.message);
    let e = one(&date(r#", input_format = "dd.MM.yy", strict = true"#));
    assert!(e.message.contains("strict adds nothing"), "{}", e.message);
    let e = one(&with(r#"name = { from = "E", strict = "yes" }"#));
    assert!(e.message.contains("bool"), "{}", e.message);
}
