//! Dry-run throughput and peak memory on a generated Logo-style cari export
//! (Windows-1254, `;`, decimal commas, a title row, a TOPLAM row, ~1% bad rows), beside
//! a bare read of the same file.
//!
//! `cargo bench --bench dry_run` — rows from `AKTAR_BENCH_ROWS` (default 1,000,000);
//! each file is generated once (streaming) under `target/bench-data/` and kept. The
//! release binary runs `aktar check --quiet -m benches/cari.toml` as a child process,
//! so the figures are what a user sees: wall time, rows/s, and that child's own peak
//! resident memory (`wait4`, through the small launcher of `benches/child`). In one
//! run:
//!
//! * **memory flat**: dry runs on a tenth of the rows, on the rows, and — with
//!   `AKTAR_BENCH_HUGE=1` — on ten times the rows (10,000,000 by default, a ~1.2 GB
//!   file); each one's peak RSS and its ratio to the smallest's;
//! * **dry run vs bare read**: the `csv` crate reading the same file in a child process
//!   too (this bench binary started again with `--bare-read FILE`, so both figures
//!   include a process start): `;`, no header, flexible, every record into one reused
//!   `ByteRecord`, counted — no decoding, no work. The two are run in turns
//!   `AKTAR_BENCH_REPEAT` times (default 3); prints the fastest time of each, both
//!   rows/s, the CPU time of those runs and the dry run's time ÷ the bare read's
//!   (target ≤ 2). Each file is read
//!   through once before it is first timed, so neither run pays for the disk. In the
//!   same turns, as many bytes as the dry run's own `payloads.jsonl` (its first MiB
//!   over and over) are written to a new file beside the reports: what taking in that
//!   output alone costs, with no record read and no JSON made, beside the bare read;
//! * **worst case**: the dry run of the same file with `benches/cari_reject_all.toml`,
//!   `benches/cari.toml` with `max = 0` on `id`, which every row fails: every row
//!   rejected and reported; its time and peak RSS (target ≤ 150 MB).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

mod child;

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

/// Writes the export to `path` (through a temporary name, so an interrupted run leaves
/// no short file to be taken for a whole one).
fn generate(path: &Path, rows: u64) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    write_export(&partial, rows)?;
    std::fs::rename(&partial, path)
}

fn write_export(path: &Path, rows: u64) -> std::io::Result<()> {
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

/// A run's summary and the size of its `errors.csv`; the report folder is removed
/// then (a 10,000,000-row run's `payloads.jsonl` alone is over 4 GB).
fn take_reports(out: &Path) -> (serde_json::Value, u64) {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    let errors = std::fs::metadata(out.join("errors.csv"))
        .map(|m| m.len())
        .unwrap_or(0);
    let _ = std::fs::remove_dir_all(out);
    (serde_json::from_str(&text).expect("summary json"), errors)
}

const BARE_READ: &str = "--bare-read";

/// The bare read, in the child: every record of the file into one reused `ByteRecord`;
/// prints how many.
fn bare_read(path: &Path) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .expect("open the export");
    let mut record = csv::ByteRecord::new();
    let mut records = 0u64;
    while reader.read_byte_record(&mut record).expect("read") {
        records += 1;
    }
    println!("{records}");
}

/// Reads the file through once, so that the timed runs find it in the page cache.
fn warm(path: &Path) {
    use std::io::Read;
    let mut f = std::fs::File::open(path).expect("open the export");
    let mut buf = vec![0u8; 1 << 20];
    while f.read(&mut buf).expect("read") > 0 {}
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// `aktar check` of `input` with `mapping`; reports in `out`.
fn dry_run(mapping: &Path, input: &Path, out: &Path) -> child::Run {
    let _ = std::fs::remove_dir_all(out);
    child::run(
        Command::new(env!("CARGO_BIN_EXE_aktar"))
            .args(["check", "--quiet", "-m"])
            .arg(mapping)
            .arg("--report-dir")
            .arg(out)
            .arg(input),
    )
}

/// A file's first MiB and its length.
fn sample(path: &Path) -> (Vec<u8>, u64) {
    use std::io::Read;
    let mut head = Vec::new();
    let file = std::fs::File::open(path).expect("open the payloads");
    let len = file.metadata().expect("the payloads' size").len();
    file.take(1 << 20)
        .read_to_end(&mut head)
        .expect("read the payloads");
    (head, len)
}

/// Seconds taken to write `len` bytes, `chunk` over and over, to a new file at
/// `path`; the faster of two writes: on a virtual machine the first write into memory
/// the host has taken back can cost several times the second.
fn write_alone((chunk, len): &(Vec<u8>, u64), path: &Path) -> f64 {
    let once = || {
        let _ = std::fs::remove_file(path);
        let start = std::time::Instant::now();
        let mut file = std::fs::File::create(path).expect("create");
        let mut left = *len;
        while left > 0 {
            let n = left.min(chunk.len() as u64);
            file.write_all(&chunk[..n as usize]).expect("write");
            left -= n;
        }
        drop(file);
        let seconds = start.elapsed().as_secs_f64();
        let _ = std::fs::remove_file(path);
        seconds
    };
    once().min(once())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

fn main() {
    child::serve();
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == BARE_READ) {
        bare_read(Path::new(&args.next().expect("the file to read")));
        return;
    }

    let rows: u64 = env_or("AKTAR_BENCH_ROWS", 1_000_000);
    let huge = std::env::var("AKTAR_BENCH_HUGE").is_ok_and(|v| v == "1");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).expect("bench dir");
    let mapping = root.join("benches/cari.toml");
    let reject_all = root.join("benches/cari_reject_all.toml");
    let input_of = |n: u64| child::data_file(&format!("cari-{n}.csv"), |f| generate(f, n));

    let mut sizes = vec![(rows / 10).max(1), rows];
    if huge {
        sizes.push(rows * 10);
    }
    println!("dry run (aktar check --quiet -m benches/cari.toml), release binary:");
    let mut peaks = Vec::new();
    let mut main_run = None;
    let mut payloads = (Vec::new(), 0);
    for &n in &sizes {
        let input = input_of(n);
        warm(&input);
        let out = data.join(format!("out-{n}"));
        let m = dry_run(&mapping, &input, &out);
        assert_eq!(m.exit, Some(1), "the file carries bad rows");
        if n == rows {
            payloads = sample(&out.join("payloads.jsonl"));
        }
        let (s, _) = take_reports(&out);
        assert_eq!(s["rows"].as_u64(), Some(n));
        let size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
        println!(
            "  {n:>10} rows ({:>5.0} MiB): {:>7.2} s, {:>9.0} rows/s, peak RSS {:>7.1} MiB, rejected {}",
            mib(size),
            m.seconds,
            n as f64 / m.seconds,
            m.peak_mib(),
            s["rejected"]
        );
        peaks.push((n, m.peak_kib));
        if n == rows {
            main_run = Some((input, m));
        }
    }
    let (smallest, base) = peaks[0];
    println!("memory flat: peak RSS ÷ the {smallest}-row run's:");
    for &(n, peak) in &peaks {
        println!(
            "  {n:>10} rows: {:>7.1} MiB, {:.2}x",
            peak as f64 / 1024.0,
            peak as f64 / base as f64
        );
    }

    // The main size's run above is the first dry run; the rest are taken in turns with
    // the bare reads, so that a busy moment of the machine falls on both.
    let (input, first) = main_run.expect("the main run");
    warm(&input);
    let repeat = child::repeat();
    let mut drys = vec![first];
    let mut bares = Vec::new();
    let mut writes = Vec::new();
    for i in 0..repeat {
        if i > 0 {
            let out = data.join(format!("out-{rows}"));
            let run = dry_run(&mapping, &input, &out);
            let _ = std::fs::remove_dir_all(&out);
            assert_eq!(run.exit, Some(1), "the file carries bad rows");
            drys.push(run);
        }
        let bare = child::run(
            Command::new(std::env::current_exe().expect("this bench's path"))
                .arg(BARE_READ)
                .arg(&input),
        );
        assert_eq!(bare.exit, Some(0), "the bare read");
        bares.push(bare);
        writes.push(write_alone(&payloads, &data.join("payloads-written.jsonl")));
    }
    let (dry, bare) = (child::best(drys), child::best(bares));
    let records: u64 = bare.stdout.trim().parse().expect("the bare read's count");
    println!(
        "dry run vs bare read (csv crate, ByteRecord, in a child process), {rows} rows, best of {repeat}:"
    );
    println!(
        "  dry run:   {:>7.2} s, {:>9.0} rows/s, CPU {:>5.2} s, peak RSS {:>7.1} MiB",
        dry.seconds,
        rows as f64 / dry.seconds,
        dry.cpu,
        dry.peak_mib()
    );
    println!(
        "  bare read: {:>7.2} s, {:>9.0} rows/s, CPU {:>5.2} s, peak RSS {:>7.1} MiB ({records} records)",
        bare.seconds,
        rows as f64 / bare.seconds,
        bare.cpu,
        bare.peak_mib()
    );
    println!(
        "  dry run ÷ bare read: {:.2} (target ≤ 2)",
        dry.seconds / bare.seconds
    );
    let written = writes.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "  writing as many bytes as the dry run's payloads.jsonl alone ({:.0} MiB): {written:.2} s, {:.2}x the bare read",
        mib(payloads.1),
        written / bare.seconds
    );

    let out = data.join(format!("out-reject-all-{rows}"));
    let worst = dry_run(&reject_all, &input, &out);
    assert_eq!(worst.exit, Some(1), "every row is rejected");
    let (s, errors) = take_reports(&out);
    assert_eq!(s["rows"].as_u64(), Some(rows));
    assert_eq!(s["rejected"].as_u64(), Some(rows), "every row is rejected");
    println!("worst case (benches/cari_reject_all.toml: every row rejected), {rows} rows:");
    println!(
        "  {:.2} s, {:.0} rows/s, peak RSS {:.1} MiB (target ≤ 150 MB), errors.csv {:.0} MiB",
        worst.seconds,
        rows as f64 / worst.seconds,
        worst.peak_mib(),
        mib(errors)
    );
}
