//! Dry-run throughput and peak memory on a generated Logo-style cari export
//! (Windows-1254, `;`, decimal commas, a title row, a TOPLAM row, ~1% bad rows).
//!
//! `cargo bench --bench dry_run` — rows from `AKTAR_BENCH_ROWS` (default 1,000,000);
//! the file is generated once under `target/bench-data/`. The release binary runs as a
//! child process, so the figures are what a user sees: wall time, rows/s, and the
//! child's peak resident memory; a run on a tenth of the rows shows whether memory
//! stays flat as the file grows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CITIES: &[&str] = &[
    "İstanbul",
    "Ankara",
    "İzmir",
    "Bursa",
    "Şanlıurfa",
    "Iğdır",
    "Muğla",
];
const NAMES: &[&str] = &[
    "Ayşe Yılmaz",
    "Mehmet Öztürk",
    "Çağrı Işık",
    "Gülşen Doğan",
    "İbrahim Şahin",
];
const COMPANIES: &[&str] = &[
    "Örnek Gıda A.Ş.",
    "Yıldız İnşaat Ltd. Şti.",
    "Ege Tekstil San. Tic.",
];
const VKNS: &[&str] = &["4540536920", "0010213576", "1234567890", "9990112519"];
const TCKNS: &[&str] = &["10000000146", "17291716060", "11111111110", "19090909018"];

fn money(cents: i64) -> String {
    let neg = cents < 0;
    let c = cents.unsigned_abs();
    let (int, frac) = (c / 100, c % 100);
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{}{grouped},{frac:02}", if neg { "-" } else { "" })
}

fn generate(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut text = String::with_capacity(256);
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let put = |s: &str, out: &mut std::io::BufWriter<std::fs::File>| -> std::io::Result<()> {
        let (bytes, _, _) = encoding_rs::WINDOWS_1254.encode(s);
        out.write_all(&bytes)
    };
    put("CARİ HESAP LİSTESİ;;;;;;;;;;;;\r\n\r\n", &mut out)?;
    put(
        "Cari Kodu;Ödüyo No;Cari Ünvanı;Cari Tipi;Vergi No;TC Kimlik No;Telefon;E-Posta;İl;Bakiye;Güncel Bakiye;Ödenen\r\n",
        &mut out,
    )?;
    let mut x: u64 = 0x2545F4914F6CDD1D;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let company = x.is_multiple_of(3);
        let bad = i % 100 == 57;
        let (name, kind, vkn, tckn) = if company {
            (
                COMPANIES[(x >> 8) as usize % COMPANIES.len()],
                "Kurum",
                VKNS[(x >> 12) as usize % 4],
                "",
            )
        } else {
            (
                NAMES[(x >> 8) as usize % NAMES.len()],
                "Şahıs",
                "",
                TCKNS[(x >> 12) as usize % 4],
            )
        };
        let balance = (x >> 20) as i64 % 50_000_000 - 10_000_000;
        let bal = if bad && i % 200 == 57 {
            "12,3,4".to_string()
        } else {
            money(balance)
        };
        let email = if bad && i % 200 != 57 {
            "muhasebe@".to_string()
        } else {
            format!("c{i}@ornek.com.tr")
        };
        text.clear();
        use std::fmt::Write as _;
        let _ = write!(
            text,
            "C{i:08};{};{name};{kind};{vkn};{tckn};0 (532) {:03} {:02} {:02};{email};{};{bal};{};{}\r\n",
            i + 1,
            (x >> 30) % 1000,
            (x >> 40) % 100,
            (x >> 48) % 100,
            CITIES[(x >> 52) as usize % CITIES.len()],
            money(balance / 2),
            money((balance / 3).abs()),
        );
        put(&text, &mut out)?;
    }
    put("TOPLAM;;;;;;;;;0,00;0,00;0,00\r\n", &mut out)?;
    out.flush()
}

struct Measured {
    seconds: f64,
    peak_kib: i64,
}

fn measure(bin: &Path, mapping: &Path, input: &Path, out: &Path) -> Measured {
    let start = Instant::now();
    let before = peak_children_kib();
    let status = Command::new(bin)
        .args(["check", "--quiet", "-m"])
        .arg(mapping)
        .arg("--report-dir")
        .arg(out)
        .arg(input)
        .status()
        .expect("run aktar");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(status.code(), Some(1), "the file carries bad rows");
    let peak = peak_children_kib();
    assert!(peak >= before);
    Measured {
        seconds,
        peak_kib: peak,
    }
}

/// The largest resident set of any waited-for child so far, in KiB.
fn peak_children_kib() -> i64 {
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u.ru_maxrss
    }
}

fn summary(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary json")
}

fn main() {
    let rows: u64 = std::env::var("AKTAR_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).expect("bench dir");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_aktar"));
    let mapping = root.join("benches/cari.toml");

    // Small first, so the peak-memory reading of the large run is its own.
    let small_rows = (rows / 10).max(1);
    let mut results = Vec::new();
    for n in [small_rows, rows] {
        let input = data.join(format!("cari-{n}.csv"));
        if !input.exists() {
            generate(&input, n).expect("generate");
        }
        let out = data.join(format!("out-{n}"));
        let _ = std::fs::remove_dir_all(&out);
        let m = measure(&bin, &mapping, &input, &out);
        let s = summary(&out);
        assert_eq!(s["rows"].as_u64(), Some(n));
        let size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
        println!(
            "dry run {n:>9} rows ({:.0} MiB): {:.2} s, {:.0} rows/s, peak RSS {:.1} MiB, rejected {}",
            size as f64 / 1048576.0,
            m.seconds,
            n as f64 / m.seconds,
            m.peak_kib as f64 / 1024.0,
            s["rejected"]
        );
        results.push(m);
    }
    println!(
        "peak memory ratio {}x rows / {}x: {:.2}",
        rows / small_rows,
        1,
        results[1].peak_kib as f64 / results[0].peak_kib as f64
    );
}
