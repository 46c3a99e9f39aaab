//! Exports made for one test each, and ways to read the sandbox's ledger and the
//! journal back, for the tests of stops, guards and exit codes.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::Sandbox;

/// `n` customers for `tests/fixtures/customers.toml`: row i is `C{i}`, Ödüyo id i + 1.
pub fn customers(dir: &Path, name: &str, n: usize) -> PathBuf {
    let mut text = String::from("Cari Kodu;Ödüyo No;Ünvan;Bakiye\n");
    for i in 0..n {
        text.push_str(&format!("C{i:06};{};Müşteri {i};{i},50\n", i + 1));
    }
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `n` transactions for `tests/fixtures/hareket.toml`: row i is Fiş No `F{i}`, and its
/// description (sent as `comment`) starts with the same number, which tells the
/// transactions apart in the sandbox's ledger.
pub fn transactions(dir: &Path, name: &str, n: usize) -> PathBuf {
    let mut text = String::from("Fiş No;Cari;Borç;Alacak;Tarih;Saat;Açıklama\n");
    for i in 0..n {
        text.push_str(&format!(
            "F{i:03};{};;{},{:02};0{}.11.2026;10:{:02};F{i:03} tahsilat\n",
            i % 7 + 1,
            100 + i,
            i % 100,
            i % 9 + 1,
            i % 60
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Applied transaction writes by Fiş No (the first word of the comment).
pub fn transaction_writes(sb: &Sandbox) -> BTreeMap<String, u64> {
    let mut by_fis = BTreeMap::new();
    let ledger = sb.ledger();
    for e in ledger
        .endpoints
        .get("oduyo.transaction_create")
        .into_iter()
        .flat_map(|m| m.values())
    {
        let comment = e.last["column"]["comment"].as_str().unwrap_or_default();
        let fis = comment.split(' ').next().unwrap_or_default().to_string();
        *by_fis.entry(fis).or_insert(0) += e.writes;
    }
    by_fis
}

/// How many journal entries have each status.
pub fn statuses(journal: &Path) -> BTreeMap<String, u64> {
    let conn = rusqlite::Connection::open(journal).unwrap();
    let mut stmt = conn
        .prepare("SELECT status, COUNT(*) FROM entries GROUP BY status")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Every valid row in one bucket, and every row valid or rejected.
pub fn assert_adds_up(s: &serde_json::Value) {
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k} in {s}"));
    assert_eq!(n("rows"), n("valid") + n("rejected"), "{s}");
    assert_eq!(
        n("valid"),
        n("sent") + n("unchanged") + n("failed") + n("uncertain") + n("held"),
        "{s}"
    );
}
