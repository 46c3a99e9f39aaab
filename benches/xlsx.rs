//! Dry-run time and peak memory on a generated transactions workbook, beside a bare
//! calamine read of the same workbook.
//!
//! `cargo bench --bench xlsx` — rows from `AKTAR_BENCH_XLSX_ROWS` (default 100,000).
//! The workbook is generated once with rust_xlsxwriter under `target/bench-data/` and
//! kept: `samples/cari_hareket.xlsx`'s shape at scale (a `Bilgi` sheet first, then
//! `Hareketler` with a title, a blank row, the header on row 3, typed cells — dates as
//! date cells, times as time cells, amounts and rates as numbers, strings in the shared
//! string table as Excel writes them — and a `GENEL TOPLAM` row of SUM formulas with
//! their cached results), every row valid for `mappings/oduyo/transaction_create.toml`.
//!
//! In one run, each as a child process, so both include a process start and their
//! figures are wall time and that child's own peak resident memory (`wait4`, through
//! the small launcher of `benches/child`: the workbook is generated in this process):
//! (a) the release binary's `aktar check --quiet -m mappings/oduyo/transaction_create.toml`
//! (exit 0 asserted: every row valid), and (b) a bare read — this bench binary started
//! again with `--bare-read FILE`: `calamine::open_workbook_auto`, the `Hareketler`
//! sheet's range, every cell visited. The two are run in turns `AKTAR_BENCH_REPEAT`
//! times (default 3); prints the fastest time and the largest peak of each and the dry
//! run's time ÷ the bare read's (target ≤ 1.3).

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader};
use chrono::{Days, NaiveDate, NaiveTime};
use rust_xlsxwriter::{Format, Formula, Workbook};

mod child;

const SHEET: &str = "Hareketler";
const BARE_READ: &str = "--bare-read";

const TITLES: &[&str] = &[
    "Yıldız Tekstil San. ve Tic. A.Ş.",
    "Ayşe Çelik",
    "Güneş Gıda Ltd. Şti.",
    "Çağlar Otomotiv Ltd. Şti.",
    "Şükrü Karagöz",
    "Ege Lojistik Taşımacılık A.Ş.",
    "Özlem Erdoğan",
];

/// Writes the workbook to `path` through a temporary name, so an interrupted run
/// leaves no half-written file to be taken for a whole one.
fn generate(path: &Path, rows: u32) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd.mm.yyyy");
    let time_fmt = Format::new().set_num_format("hh:mm");
    let money = Format::new().set_num_format("#,##0.00");
    let rate_fmt = Format::new().set_num_format("0.0000");

    let info = wb.add_worksheet().set_name("Bilgi")?;
    info.write_string_with_format(0, 0, "Cari hesap hareketleri", &bold)?;
    info.write_string(1, 0, "Dönem: 2026")?;

    let ws = wb.add_worksheet().set_name(SHEET)?;
    ws.write_string_with_format(0, 0, "CARİ HESAP HAREKETLERİ (2026)", &bold)?;
    let header = [
        "Tarih",
        "Saat",
        "Fiş No",
        "Ödüyo Cari No",
        "Cari Ünvanı",
        "Açıklama",
        "Borç",
        "Alacak",
        "Döviz",
        "Kur",
        "Vade",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    let first = 3u32;
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let (mut debit_total, mut credit_total) = (0i64, 0i64);
    let mut x: u64 = 0x2545F4914F6CDD1D;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let r = first + i;
        let date = start + Days::new(u64::from(i % 365));
        ws.write_datetime_with_format(r, 0, date, &date_fmt)?;
        if i % 10 != 3 {
            let t = NaiveTime::from_hms_opt(8 + (x >> 8) as u32 % 10, (x >> 16) as u32 % 60, 0)
                .expect("a time");
            ws.write_datetime_with_format(r, 1, t, &time_fmt)?;
        }
        ws.write_string(r, 2, format!("CH-2026-{:07}", i + 1))?;
        ws.write_number(r, 3, f64::from(1001 + i % 5000))?;
        ws.write_string(r, 4, TITLES[(x >> 24) as usize % TITLES.len()])?;
        let kurus = 1 + (x >> 32) as i64 % 5_000_000;
        let debit = x.is_multiple_of(2);
        if debit {
            ws.write_string(r, 5, format!("Satış faturası SF-{}", 10_000 + i))?;
            ws.write_number_with_format(r, 6, kurus as f64 / 100.0, &money)?;
            debit_total += kurus;
        } else {
            ws.write_string(r, 5, "Tahsilat")?;
            ws.write_number_with_format(r, 7, kurus as f64 / 100.0, &money)?;
            credit_total += kurus;
        }
        match (x >> 40) % 20 {
            0 => {
                ws.write_string(r, 8, "USD")?;
                ws.write_number_with_format(r, 9, 34.5125, &rate_fmt)?;
            }
            1 => {
                ws.write_string(r, 8, "EUR")?;
                ws.write_number_with_format(r, 9, 36.2048, &rate_fmt)?;
            }
            2..=4 => {}
            _ => {
                ws.write_string(r, 8, "TL")?;
            }
        }
        if debit && i % 3 == 0 {
            ws.write_datetime_with_format(r, 10, date + Days::new(30), &date_fmt)?;
        }
    }
    // The cached results make a reader that does not calculate (calamine, aktar) see
    // the totals Excel shows.
    let total = first + rows;
    ws.write_string_with_format(total, 0, "GENEL TOPLAM", &bold)?;
    for (col, letter, kurus) in [(6, 'G', debit_total), (7, 'H', credit_total)] {
        let formula = Formula::new(format!("=SUM({letter}{}:{letter}{total})", first + 1))
            .set_result((kurus as f64 / 100.0).to_string());
        ws.write_formula_with_format(total, col, formula, &money)?;
    }
    let partial = path.with_extension("partial");
    wb.save(&partial)?;
    std::fs::rename(&partial, path)?;
    Ok(())
}

/// The bare read, in the child: the sheet's range, every cell visited; prints how many
/// cells hold something.
fn bare_read(path: &Path) {
    let mut wb = calamine::open_workbook_auto(path).expect("open the workbook");
    let range = wb.worksheet_range(SHEET).expect("the sheet");
    let mut filled = 0u64;
    for row in range.rows() {
        for cell in row {
            if !matches!(cell, Data::Empty) {
                filled += 1;
            }
        }
    }
    println!("{filled}");
}

fn main() {
    child::serve();
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == BARE_READ) {
        bare_read(Path::new(&args.next().expect("the file to read")));
        return;
    }

    let rows: u32 = std::env::var("AKTAR_BENCH_XLSX_ROWS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).expect("bench dir");
    let input = child::data_file(&format!("hareket-{rows}.xlsx"), |f| {
        generate(f, rows).map_err(std::io::Error::other)
    });
    let size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
    let mapping = root.join("mappings/oduyo/transaction_create.toml");
    let out = data.join(format!("out-xlsx-{rows}"));
    let _ = std::fs::remove_dir_all(&out);

    let dry_run = || {
        let _ = std::fs::remove_dir_all(&out);
        let dry = child::run(
            Command::new(env!("CARGO_BIN_EXE_aktar"))
                .args(["check", "--quiet", "-m"])
                .arg(&mapping)
                .arg("--report-dir")
                .arg(&out)
                .arg(&input),
        );
        assert_eq!(dry.exit, Some(0), "every row of the workbook is valid");
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
        )
        .expect("summary json");
        assert_eq!(summary["rows"].as_u64(), Some(u64::from(rows)));
        assert_eq!(summary["rejected"].as_u64(), Some(0));
        dry
    };
    let bare_read = || {
        let bare = child::run(
            Command::new(std::env::current_exe().expect("this bench's path"))
                .arg(BARE_READ)
                .arg(&input),
        );
        assert_eq!(bare.exit, Some(0), "the bare read");
        bare
    };
    // Taken in turns, so that a busy moment of the machine falls on both.
    let repeat = child::repeat();
    let (mut drys, mut bares) = (Vec::new(), Vec::new());
    for _ in 0..repeat {
        drys.push(dry_run());
        bares.push(bare_read());
    }
    let (dry, bare) = (child::best(drys), child::best(bares));
    let cells: u64 = bare.stdout.trim().parse().expect("the bare read's count");

    let rows = f64::from(rows);
    println!(
        "xlsx, {rows} transactions ({:.1} MiB, sheet {SHEET}), best of {repeat}:",
        size as f64 / 1048576.0
    );
    println!(
        "  dry run (aktar check):   {:>6.2} s, {:>8.0} rows/s, peak RSS {:>6.1} MiB",
        dry.seconds,
        rows / dry.seconds,
        dry.peak_mib()
    );
    println!(
        "  bare read (calamine):    {:>6.2} s, {:>8.0} rows/s, peak RSS {:>6.1} MiB ({cells} cells)",
        bare.seconds,
        rows / bare.seconds,
        bare.peak_mib()
    );
    println!(
        "  dry run ÷ bare read: {:.2} (target ≤ 1.3)",
        dry.seconds / bare.seconds
    );
}
