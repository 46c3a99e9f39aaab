//! Shared by the sending benchmarks: a generated customer file with its mapping, and
//! the sandbox on `127.0.0.1:0` in the benchmark's own process.

use std::io::Write;
use std::path::{Path, PathBuf};

use aktar::sandbox::{self, Options, Running};

/// `rows` customers in `dir/customers.csv` (keys `C0`, `C1`, …, all different) and the
/// mapping that reads them, at `dir/customers.toml`; returns (input, mapping).
pub fn customers(dir: &Path, rows: u64) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("bench dir");
    let input = dir.join("customers.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&input).expect("create"));
    writeln!(f, "Kod;No;Unvan;Bakiye").expect("write");
    for i in 0..rows {
        // Ids from 900,000 up are customers the sandbox does not have (404): past that,
        // the ids start again at 1, so that a million rows are all delivered.
        let id = i % 899_999 + 1;
        writeln!(f, "C{i};{id};Müşteri {i};{},{:02}", i * 7, i % 100).expect("write");
    }
    f.flush().expect("flush");
    let mapping = dir.join("customers.toml");
    std::fs::write(
        &mapping,
        r#"endpoint = "oduyo.customer_update"
key = "{Kod}"
[source]
decimal = ","
[fields]
id = { from = "No" }
name = { from = "Unvan" }
balance = { from = "Bakiye", scale = 4 }
balance_current = { from = "Bakiye", scale = 4 }
balance_paid = { value = "0", scale = 4 }
"#,
    )
    .expect("mapping");
    (input, mapping)
}

/// The sandbox on a free loopback port, with the runtime that serves it.
pub fn sandbox(opts: Options) -> (tokio::runtime::Runtime, Running) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sb = rt
        .block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            sandbox::start(l, opts).await
        })
        .expect("sandbox");
    (rt, sb)
}
