//! Writes the sample exports in `samples/`: one file per built-in endpoint, shaped the
//! way the ERPs and hand-kept sheets they stand for write them (Windows-1254 with a
//! title block, UTF-8 with a BOM, real Excel dates and booleans, a trailing total row).
//!
//! Each sample mixes good rows with a few bad ones that `aktar check` must reject, so
//! the samples are the fixtures of `tests/samples.rs` as well as a demo. The output is
//! deterministic (no randomness, no clock: the workbooks carry a fixed creation date)
//! so that regenerating them leaves git with nothing to commit.
//!
//! Run with `cargo run --example make_samples`.

use std::error::Error;
use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, Format, Formula, Workbook, Worksheet};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    fs::create_dir_all(&dir)?;
    logo_cariler(&dir.join("logo_cariler.csv"))?;
    cari_hareket(&dir.join("cari_hareket.xlsx"))?;
    kasa_fisleri(&dir.join("kasa_fisleri.csv"))?;
    netahsilat_musteriler(&dir.join("netahsilat_musteriler.xlsx"))?;
    fe_musteriler(&dir.join("fe_musteriler.csv"))?;
    println!("samples written to {}", dir.display());
    Ok(())
}

// ---------------------------------------------------------------------------------
// logo_cariler.csv — oduyo.customer_update
// ---------------------------------------------------------------------------------

/// Logo's cari list: Windows-1254, `;`, CRLF, a title and an empty line above the
/// header, amounts as `1.234,56`, and a `TOPLAM` line at the end. The card type
/// (Alıcı / Satıcı / Alıcı + Satıcı), group code, branch (işyeri) and risk limit come
/// after the balances, as extra columns added to the report.
///
/// Bad rows: 8 (VKN check digit), 10 (e-mail without a top-level domain), 12 (balance
/// `12,3,4`), 13 (a Kurum without a VKN), 16 (Cari Tipi `Bayi` is not in the map).
fn logo_cariler(path: &Path) -> Result<()> {
    const HEADER: &str = "Cari Kodu;Ödüyo No;Cari Ünvanı;Cari Tipi;Vergi Dairesi;Vergi No;\
                          TC Kimlik No;Telefon;E-Posta;İl;İlçe;Bakiye;Güncel Bakiye;Ödenen;\
                          Kart Tipi;Grup Kodu;Şube No;Şube Adı;Risk Limiti";
    #[rustfmt::skip]
    let rows: &[[&str; 19]] = &[
        ["120.01.001", "1001", "Yıldız Tekstil San. ve Tic. A.Ş.", "Kurum", "KOZYATAĞI", "4540536920", "", "0216 444 12 34", "muhasebe@yildiztekstil.com.tr", "İSTANBUL", "ATAŞEHİR", "1.234,56", "1.234,56", "0,00", "Alıcı", "TOPTAN", "0", "Merkez", "250.000,00"],
        ["120.01.002", "1002", "Ayşe Çelik", "Şahıs", "", "", "10000000146", "0532 418 27 91", "ayse.celik@gmail.com", "ANKARA", "ÇANKAYA", "-9.440,00", "-9.440,00", "9.440,00", "Alıcı", "PERAKENDE", "2", "Ankara Şube", ""],
        ["120.01.003", "1003", "Güneş Gıda Ltd. Şti.", "Kurum", "KARŞIYAKA", "0010213576", "", "(0232) 365 48 90", "info@gunesgida.com.tr", "İZMİR", "KARŞIYAKA", "25.000,00", "18.750,00", "6.250,00", "Alıcı + Satıcı", "TOPTAN", "1", "İzmir Şube", "100.000,00"],
        ["120.01.004", "1004", "Mehmet Öztürk", "Şahıs", "", "", "17291716060", "+90 505 221 33 44", "MEHMET.OZTURK@HOTMAIL.COM", "BURSA", "NİLÜFER", "0,00", "0,00", "0,00", "Alıcı", "PERAKENDE", "0", "Merkez", ""],
        ["120.01.005", "1005", "Doğan İnşaat A.Ş.", "Kurum", "ÇANKAYA", "1234567891", "", "0312 285 60 70", "satinalma@doganinsaat.com", "ANKARA", "ÇANKAYA", "148.520,75", "148.520,75", "0,00", "Alıcı", "PROJE", "2", "Ankara Şube", "500.000,00"],
        ["120.01.006", "1006", "Şükrü Karagöz", "Şahıs", "", "", "11111111110", "0542 600 71 72", "sukru.karagoz@yandex.com", "KONYA", "SELÇUKLU", "3.450,50", "1.200,00", "2.250,50", "Alıcı", "PERAKENDE", "0", "Merkez", "10.000,00"],
        ["120.01.007", "1007", "Gülşen Aydın", "Şahıs", "", "", "19090909018", "0533 777 88 99", "gulsen.aydin@gmail", "ANTALYA", "MURATPAŞA", "-1.500,00", "-1.500,00", "0,00", "Alıcı", "PERAKENDE", "0", "Merkez", ""],
        ["120.01.008", "1008", "Çağlar Otomotiv Ltd. Şti.", "Kurum", "İKİTELLİ", "1234567890", "", "0212 549 30 30", "cari@caglarotomotiv.com", "İSTANBUL", "BAŞAKŞEHİR", "987.654,32", "900.000,00", "87.654,32", "Alıcı + Satıcı", "TOPTAN", "0", "Merkez", "1.000.000,00"],
        ["120.01.009", "1009", "İlknur Şahin", "Şahıs", "", "", "25418763040", "0535 123 45 67", "ilknur.sahin@outlook.com", "ESKİŞEHİR", "ODUNPAZARI", "12,3,4", "12,30", "0,00", "Alıcı", "PERAKENDE", "0", "Merkez", ""],
        ["120.01.010", "1010", "Işık Elektrik San. Tic. A.Ş.", "Kurum", "GEBZE", "", "", "0262 751 00 10", "muhasebe@isikelektrik.com.tr", "KOCAELİ", "GEBZE", "56.300,00", "56.300,00", "0,00", "Satıcı", "TEDARİKÇİ", "0", "Merkez", ""],
        ["120.01.011", "1011", "Özlem Erdoğan", "Şahıs", "", "", "38120457718", "0544 987 65 43", "", "TRABZON", "ORTAHİSAR", "750,00", "750,00", "0,00", "Alıcı", "PERAKENDE", "0", "Merkez", ""],
        ["120.01.012", "1012", "Ege Lojistik Taşımacılık A.Ş.", "Kurum", "KORDON", "9990112519", "", "0232 441 22 33", "finans@egelojistik.com.tr", "İZMİR", "KONAK", "-12.345,67", "-10.000,00", "2.345,67", "Satıcı", "TEDARİKÇİ", "1", "İzmir Şube", ""],
        ["120.01.013", "1013", "Akdeniz Bayi Ağı", "Bayi", "MERSİN", "7320118450", "", "0324 238 11 22", "info@akdenizbayi.com", "MERSİN", "YENİŞEHİR", "4.100,00", "4.100,00", "0,00", "Alıcı", "BAYİ", "0", "Merkez", "75.000,00"],
        ["120.01.014", "1014", "Hüseyin Kılıç", "Şahıs", "", "", "46309218586", "0506 333 22 11", "huseyin.kilic@gmail.com", "GAZİANTEP", "ŞAHİNBEY", "2.000,00", "500,00", "1.500,00", "Alıcı", "PERAKENDE", "0", "Merkez", "5.000,00"],
        ["120.01.015", "1015", "Anadolu Tarım Ürünleri Ltd. Şti.", "Kurum", "ADAPAZARI", "3850071441", "", "0264 277 55 66", "muhasebe@anadolutarim.com.tr", "SAKARYA", "ADAPAZARI", "15.780,90", "15.780,90", "0,00", "Satıcı", "TEDARİKÇİ", "0", "Merkez", ""],
    ];
    let mut text = String::from("CARİ HESAP LİSTESİ - 22.11.2026\r\n\r\n");
    text.push_str(HEADER);
    text.push_str("\r\n");
    for row in rows {
        text.push_str(&row.join(";"));
        text.push_str("\r\n");
    }
    // Logo sums what it can read; the bad balance `12,3,4` is left out as it would be.
    let total = |col: usize| tr_amount(rows.iter().filter_map(|r| kurus(r[col])).sum());
    text.push_str(&format!(
        "TOPLAM;;;;;;;;;;;{};{};{};;;;;\r\n",
        total(11),
        total(12),
        total(13)
    ));
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1254.encode(&text);
    if unmappable {
        return Err("logo_cariler: text outside Windows-1254".into());
    }
    fs::write(path, bytes)?;
    Ok(())
}

/// `1.234,56` → 123456 kuruş; `None` for anything else.
fn kurus(s: &str) -> Option<i64> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = body.split_once(',')?;
    if frac.len() != 2 || int.split('.').any(|g| g.is_empty()) {
        return None;
    }
    let lira: i64 = int.replace('.', "").parse().ok()?;
    let value = lira * 100 + frac.parse::<i64>().ok()?;
    Some(if negative { -value } else { value })
}

/// 123456 kuruş → `1.234,56`.
fn tr_amount(kurus: i64) -> String {
    let digits = (kurus.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if kurus < 0 { "-" } else { "" };
    format!("{sign}{grouped},{:02}", kurus.abs() % 100)
}

// ---------------------------------------------------------------------------------
// cari_hareket.xlsx — oduyo.transaction_create
// ---------------------------------------------------------------------------------

/// One line of the customer transactions sheet. Amounts are in kuruş so the total
/// row is exact.
struct Movement {
    date: DateCell,
    time: &'static str,
    voucher: &'static str,
    customer: u32,
    title: &'static str,
    text: &'static str,
    debit: Option<i64>,
    credit: Option<i64>,
    currency: &'static str,
    rate: Option<f64>,
    due: Option<(i32, u32, u32)>,
}

/// A date as the sheet holds it: a real date cell or, on the row that must fail, text.
enum DateCell {
    Real(i32, u32, u32),
    Typed(&'static str),
}

/// Sheet `Hareketler` (after a `Bilgi` sheet, so the mapping must name it): a title,
/// a blank row, the header on row 3, real date cells, and a `GENEL TOPLAM` row with
/// SUM formulas. The sheet keeps columns Ödüyo's transaction has no field for (Cari
/// Ünvanı, Kur, Vade), as a real sheet does; the mapping just does not read them.
///
/// Bad rows: 8 (Borç and Alacak both set), 10 (neither set), 11 (`31.11.2026` typed
/// as text), 13 and 15 (the same Fiş No twice: both rejected).
fn cari_hareket(path: &Path) -> Result<()> {
    use DateCell::{Real, Typed};
    #[rustfmt::skip]
    let movements = [
        Movement { date: Real(2026, 11, 3), time: "09:15", voucher: "CH-2026-0001", customer: 1001, title: "Yıldız Tekstil San. ve Tic. A.Ş.", text: "Satış faturası SF-10234", debit: Some(1_250_000), credit: None, currency: "TL", rate: None, due: Some((2026, 12, 3)) },
        Movement { date: Real(2026, 11, 4), time: "11:40", voucher: "CH-2026-0002", customer: 1002, title: "Ayşe Çelik", text: "Nakit tahsilat", debit: None, credit: Some(275_050), currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 5), time: "14:30", voucher: "CH-2026-0003", customer: 1003, title: "Güneş Gıda Ltd. Şti.", text: "Satış faturası SF-10241", debit: Some(842_075), credit: None, currency: "", rate: None, due: Some((2026, 12, 5)) },
        Movement { date: Real(2026, 11, 6), time: "", voucher: "CH-2026-0004", customer: 1008, title: "Çağlar Otomotiv Ltd. Şti.", text: "Açılış bakiyesi düzeltmesi", debit: Some(100_000), credit: None, currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 7), time: "10:05", voucher: "CH-2026-0005", customer: 1006, title: "Şükrü Karagöz", text: "Mahsup fişi", debit: Some(50_000), credit: Some(50_000), currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 10), time: "16:20", voucher: "CH-2026-0006", customer: 1012, title: "Ege Lojistik Taşımacılık A.Ş.", text: "İhracat faturası EF-2026-77", debit: Some(420_000), credit: None, currency: "USD", rate: Some(34.5125), due: Some((2027, 1, 10)) },
        Movement { date: Real(2026, 11, 11), time: "13:00", voucher: "CH-2026-0007", customer: 1004, title: "Mehmet Öztürk", text: "İade (tutar girilmemiş)", debit: Some(0), credit: None, currency: "TL", rate: None, due: None },
        Movement { date: Typed("31.11.2026"), time: "09:00", voucher: "CH-2026-0008", customer: 1011, title: "Özlem Erdoğan", text: "Havale ile tahsilat", debit: None, credit: Some(75_000), currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 14), time: "15:45", voucher: "CH-2026-0009", customer: 1014, title: "Hüseyin Kılıç", text: "Kredi kartı tahsilatı", debit: None, credit: Some(150_000), currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 17), time: "10:10", voucher: "CH-2026-0010", customer: 1015, title: "Anadolu Tarım Ürünleri Ltd. Şti.", text: "Satış faturası SF-10288", debit: Some(1_578_090), credit: None, currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 18), time: "11:11", voucher: "CH-2026-0011", customer: 1001, title: "Yıldız Tekstil San. ve Tic. A.Ş.", text: "Çek tahsilatı", debit: None, credit: Some(500_000), currency: "TL", rate: None, due: Some((2027, 2, 18)) },
        Movement { date: Real(2026, 11, 20), time: "17:05", voucher: "CH-2026-0010", customer: 1015, title: "Anadolu Tarım Ürünleri Ltd. Şti.", text: "Satış faturası SF-10288 (tekrar)", debit: Some(1_578_090), credit: None, currency: "TL", rate: None, due: None },
        Movement { date: Real(2026, 11, 21), time: "08:30", voucher: "CH-2026-0012", customer: 1002, title: "Ayşe Çelik", text: "Satış faturası SF-10302", debit: Some(944_000), credit: None, currency: "EUR", rate: Some(36.2048), due: None },
    ];

    let mut wb = new_workbook()?;
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd.mm.yyyy");
    let money = Format::new().set_num_format("#,##0.00");
    let rate_fmt = Format::new().set_num_format("0.0000");

    let info = wb.add_worksheet().set_name("Bilgi")?;
    info.write_string_with_format(0, 0, "Cari hesap hareketleri", &bold)?;
    info.write_string(1, 0, "Dönem: 01.11.2026 - 22.11.2026")?;
    info.write_string(
        2,
        0,
        "Hareketler sayfasındaki satırlar Ödüyo'ya cari hareket olarak aktarılır.",
    )?;

    let ws = wb.add_worksheet().set_name("Hareketler")?;
    ws.write_string_with_format(
        0,
        0,
        "CARİ HESAP HAREKETLERİ (01.11.2026 - 22.11.2026)",
        &bold,
    )?;
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
    write_header(ws, 2, &header, &bold)?;
    let first = 3u32;
    for (i, mv) in movements.iter().enumerate() {
        let r = first + i as u32;
        match mv.date {
            Real(y, mo, d) => ws.write_datetime_with_format(r, 0, ymd(y, mo, d)?, &date_fmt)?,
            Typed(t) => ws.write_string(r, 0, t)?,
        };
        if !mv.time.is_empty() {
            ws.write_string(r, 1, mv.time)?;
        }
        ws.write_string(r, 2, mv.voucher)?;
        ws.write_number(r, 3, mv.customer)?;
        ws.write_string(r, 4, mv.title)?;
        ws.write_string(r, 5, mv.text)?;
        if let Some(k) = mv.debit {
            ws.write_number_with_format(r, 6, lira(k), &money)?;
        }
        if let Some(k) = mv.credit {
            ws.write_number_with_format(r, 7, lira(k), &money)?;
        }
        if !mv.currency.is_empty() {
            ws.write_string(r, 8, mv.currency)?;
        }
        if let Some(rate) = mv.rate {
            ws.write_number_with_format(r, 9, rate, &rate_fmt)?;
        }
        if let Some((y, mo, d)) = mv.due {
            ws.write_datetime_with_format(r, 10, ymd(y, mo, d)?, &date_fmt)?;
        }
    }
    // The cached results make a reader that does not calculate (calamine, aktar) see
    // the same totals Excel shows.
    let total = first + movements.len() as u32;
    let last = total; // 1-based number of the last data row
    let sum = |f: fn(&Movement) -> Option<i64>| movements.iter().filter_map(f).sum::<i64>();
    let money_bold = Format::new().set_num_format("#,##0.00").set_bold();
    ws.write_string_with_format(total, 0, "GENEL TOPLAM", &bold)?;
    for (col, letter, kurus) in [(6, 'G', sum(|m| m.debit)), (7, 'H', sum(|m| m.credit))] {
        let formula = Formula::new(format!("=SUM({letter}{}:{letter}{last})", first + 1))
            .set_result(lira(kurus).to_string());
        ws.write_formula_with_format(total, col, formula, &money_bold)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(4, 32)?;
    ws.set_column_width(5, 34)?;
    ws.set_column_width(6, 12)?;
    ws.set_column_width(7, 12)?;
    ws.set_column_width(10, 12)?;
    wb.save(path)?;
    Ok(())
}

fn lira(kurus: i64) -> f64 {
    kurus as f64 / 100.0
}

// ---------------------------------------------------------------------------------
// kasa_fisleri.csv — oduyo.cash_update
// ---------------------------------------------------------------------------------

/// The ERP's cash cards (kasa kartları) saved as "CSV UTF-8": a BOM, `,` between
/// fields, CRLF, a decimal point, created/updated times as `dd.MM.yyyy HH:mm:ss`, a
/// quoted note that holds a comma, and empty amount cells. Row 2 is the card of
/// Ödüyo's own example request (id 2, MERKEZ KASA, 23.05.2025).
///
/// Bad rows: 5 (Ödüyo Kasa ID `KS-05`, the kasa code typed into the id column, is not
/// a whole number), 7 (Durum `Kapalı` is neither Aktif nor Pasif), 9 (Tutar `1.250,00`
/// written the Turkish way in a file whose decimal separator is the point).
fn kasa_fisleri(path: &Path) -> Result<()> {
    const HEADER: &str = "Ödüyo Kasa ID,ERP Kasa ID,Durum,Kasa Kodu,Alt Kod,Not,Tutar,Tutar 1,\
                          Tutar 2,Bakiye,Bakiye 1,Bakiye 2,Açıklama,Oluşturma,Güncelleme";
    #[rustfmt::skip]
    let rows: &[[&str; 15]] = &[
        ["2", "2", "Aktif", "21", "1", "--", "100", "120", "0", "1260", "1566", "", "MERKEZ KASA", "23.05.2025 00:00:00", "23.05.2025 00:00:00"],
        ["3", "7", "Aktif", "22", "1", "Günlük devir, 18:00'de sayılır", "2750.50", "0", "0", "18450.75", "18450.75", "0", "ŞUBE KASA İZMİR", "02.01.2026 09:00:00", "21.11.2026 18:05:12"],
        ["4", "8", "Aktif", "23", "1", "", "480.00", "0", "0", "9720.00", "9720.00", "0", "ŞUBE KASA ANKARA", "02.01.2026 09:05:00", "21.11.2026 17:48:30"],
        ["KS-05", "9", "Aktif", "24", "1", "", "0", "0", "0", "3150.00", "3150.00", "0", "ŞUBE KASA BURSA", "15.03.2026 10:20:00", "20.11.2026 16:10:00"],
        ["6", "3", "Pasif", "25", "2", "Kapatıldı 30.06.2026", "0", "0", "0", "0", "0", "0", "ESKİ MERKEZ KASA", "12.01.2024 08:30:00", "30.06.2026 17:00:00"],
        ["7", "11", "Kapalı", "26", "1", "", "0", "0", "0", "0", "0", "0", "FUAR KASASI", "01.09.2025 09:00:00", "15.10.2025 12:00:00"],
        ["8", "12", "Aktif", "31", "2", "USD", "1500.00", "0", "0", "12400.00", "12400.00", "0", "DÖVİZ KASA USD", "02.01.2026 09:10:00", "21.11.2026 15:22:41"],
        ["9", "13", "Aktif", "32", "2", "EUR", "1.250,00", "0", "0", "8300.00", "8300.00", "0", "DÖVİZ KASA EUR", "02.01.2026 09:12:00", "21.11.2026 15:25:03"],
        ["10", "14", "aktif", "27", "1", "Personel avansları", "500.00", "250.00", "0", "2250.00", "2250.00", "0", "AVANS KASASI", "05.02.2026 11:45:00", "19.11.2026 13:21:47"],
        ["11", "15", "Aktif", "28", "1", "", "12000.00", "", "", "45890.10", "", "", "POS KASA", "02.01.2026 09:15:00", "21.11.2026 23:59:59"],
    ];
    let mut text = String::from("\u{feff}");
    text.push_str(HEADER);
    text.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f, ',')).collect();
        text.push_str(&fields.join(","));
        text.push_str("\r\n");
    }
    fs::write(path, text)?;
    Ok(())
}

/// Quotes a field the way Excel does when it holds the delimiter or a quote.
fn csv_field(f: &str, delimiter: char) -> String {
    if f.contains(delimiter) || f.contains('"') || f.contains('\n') {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

// ---------------------------------------------------------------------------------
// netahsilat_musteriler.xlsx — netahsilat.customer_update
// ---------------------------------------------------------------------------------

/// A cell of the NetTahsilat customer sheet, written with its Excel type.
#[derive(Clone, Copy)]
enum C<'a> {
    S(&'a str),
    N(f64),
    B(bool),
    E,
}

/// Sheet `Müşteriler` (header on row 1) and a `Notlar` sheet. TCKNs are number cells
/// as Excel makes them when typed; VKNs are text, since a number cell would drop the
/// leading zero of `0010213576`, and so are the plate codes (`06`). `Mobil Uygulama`
/// holds real booleans, `Aktif` Evet/Hayır. Representatives are NetTahsilat user ids
/// (UUIDs), several in a cell separated by `;`.
///
/// Bad rows: 5 (TCKN check digits), 7 (a Kurum without a tax office: the endpoint's
/// own rule), 9 (İlçe Kodu `1821.5`).
fn netahsilat_musteriler(path: &Path) -> Result<()> {
    use C::{B, E, N, S};
    // Customer representatives as NetTahsilat lists them (the first is the one in
    // NetTahsilat's own example request).
    const R1: &str = "a90b225c-fa6e-418d-8c03-93946a05e355";
    const R2: &str = "3f6c1e2a-8b4d-4c7e-9a15-2d8e7b9c0f41";
    const R3: &str = "c71d4b09-5e2a-4f3b-b8c6-0a9e1d2f3b57";
    const R4: &str = "e2b8a6f4-1c3d-4e5f-a7b9-8c0d2e4f6a13";
    let header = [
        "Müşteri Kodu",
        "ERP Kodu",
        "Tip",
        "Ad",
        "Soyad",
        "TCKN",
        "Firma Ünvanı",
        "VKN",
        "Vergi Dairesi",
        "E-Posta",
        "Telefon",
        "Cep Telefonu",
        "İl Kodu",
        "İlçe Kodu",
        "Aktif",
        "Mobil Uygulama",
        "Temsilci ID'leri",
    ];
    let r1_r2 = format!("{R1};{R2}");
    let r2_r4 = format!("{R2}; {R4}");
    let r1_r3_r4 = format!("{R1};{R3};{R4}");
    let (r1_r2, r2_r4, r1_r3_r4) = (r1_r2.as_str(), r2_r4.as_str(), r1_r3_r4.as_str());
    #[rustfmt::skip]
    let rows: &[[C; 17]] = &[
        [S("NT1001"), S("120.01.001"), S("Kurum"), E, E, E, S("Yıldız Tekstil San. ve Tic. A.Ş."), S("4540536920"), S("Kozyatağı"), S("muhasebe@yildiztekstil.com.tr"), S("0216 444 12 34"), S("0532 555 10 01"), S("34"), N(1421.0), S("Evet"), B(true), S(r1_r2)],
        [S("NT1002"), S("120.01.002"), S("Şahıs"), S("ayşe"), S("çelik"), N(10000000146.0), E, E, E, S("Ayse.Celik@gmail.com"), E, S("05324182791"), S("06"), N(1231.0), S("Evet"), B(false), S(R3)],
        [S("NT1003"), S("120.01.003"), S("Kurum"), E, E, E, S("Güneş Gıda Ltd. Şti."), S("0010213576"), S("Karşıyaka"), S("info@gunesgida.com.tr"), S("0232 365 48 90"), E, S("35"), N(1859.0), S("Evet"), B(true), S(R2)],
        [S("NT1004"), S("120.01.004"), S("Şahıs"), S("Mehmet"), S("Öztürk"), N(12345678901.0), E, E, E, S("mehmet.ozturk@hotmail.com"), E, S("0505 221 33 44"), S("16"), N(1832.0), S("Evet"), B(false), S(R1)],
        [S("NT1005"), S("120.01.006"), S("Bireysel"), S("şükrü"), S("karagöz"), N(11111111110.0), E, E, E, S("sukru.karagoz@yandex.com"), S("0332 350 71 72"), S("0542 600 71 72"), S("42"), N(1922.0), S("Hayır"), B(false), E],
        [S("NT1006"), S("120.01.008"), S("Kurum"), E, E, E, S("Çağlar Otomotiv Ltd. Şti."), S("1234567890"), E, S("cari@caglarotomotiv.com"), S("0212 549 30 30"), E, S("34"), N(2004.0), S("Evet"), B(true), S(r2_r4)],
        [S("NT1007"), S("120.01.011"), S("Şahıs"), S("özlem"), S("erdoğan"), N(38120457718.0), E, E, E, S("ozlem.erdogan@gmail.com"), E, S("0544 987 65 43"), S("61"), N(2030.0), S("Evet"), B(true), S(R4)],
        [S("NT1008"), S("120.01.012"), S("Kurumsal"), E, E, E, S("Ege Lojistik Taşımacılık A.Ş."), S("9990112519"), S("Kordon"), S("finans@egelojistik.com.tr"), S("0232 441 22 33"), E, S("35"), N(1821.5), S("Evet"), B(true), S(r1_r3_r4)],
        [S("NT1009"), S("120.01.014"), S("Şahıs"), S("hüseyin"), S("kılıç"), N(46309218586.0), E, E, E, S("huseyin.kilic@gmail.com"), E, S("0506 333 22 11"), S("27"), N(1548.0), S("Evet"), B(false), S(r2_r4)],
        [S("NT1010"), S("120.01.015"), S("Kurum"), E, E, E, S("Anadolu Tarım Ürünleri Ltd. Şti."), S("3850071441"), S("Adapazarı"), S("muhasebe@anadolutarim.com.tr"), S("0264 277 55 66"), S("0533 412 90 90"), S("54"), N(1823.0), S("Hayır"), B(false), S(r1_r2)],
    ];
    let mut wb = new_workbook()?;
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet().set_name("Müşteriler")?;
    write_header(ws, 0, &header, &bold)?;
    for (i, row) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match *cell {
                S(s) => ws.write_string(r, c, s)?,
                N(n) => ws.write_number(r, c, n)?,
                B(b) => ws.write_boolean(r, c, b)?,
                E => continue,
            };
        }
    }
    ws.set_column_width(6, 32)?;
    ws.set_column_width(9, 30)?;
    ws.set_column_width(16, 80)?;
    let notes = wb.add_worksheet().set_name("Notlar")?;
    notes.write_string(0, 0, "Tip: Şahıs/Bireysel veya Kurum/Kurumsal")?;
    notes.write_string(1, 0, "İl Kodu plaka kodudur, iki hane ve metin olarak: 06")?;
    notes.write_string(
        2,
        0,
        "Temsilci ID'leri NetTahsilat kullanıcı kimlikleridir (UUID), noktalı virgülle ayrılır",
    )?;
    wb.save(path)?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// fe_musteriler.csv — fatura_entegrator.customer_update
// ---------------------------------------------------------------------------------

/// Customers for Fatura Entegratör: UTF-8 without a BOM, `;`, LF line ends, VKN or
/// TCKN in one column, the company title (Ünvan) only on companies and first/last
/// names only on people, the country as free text, IBANs with and without spaces, and
/// many empty cells, which the partial update leaves out.
///
/// Bad rows: 5 (IBAN check digits), 7 (`2345678901` is neither a VKN nor a TCKN), 9
/// (e-mail `finans@` has no domain).
fn fe_musteriler(path: &Path) -> Result<()> {
    const HEADER: &str = "FE ID;Ünvan;Tür;VKN/TCKN;Vergi Dairesi;Ad;Soyad;E-Posta;Telefon;\
                          Adres;İlçe;İl;Posta Kodu;Ülke;IBAN;Not";
    #[rustfmt::skip]
    let rows: &[[&str; 16]] = &[
        ["2001", "Yıldız Tekstil San. ve Tic. A.Ş.", "Şirket", "4540536920", "Kozyatağı", "", "", "muhasebe@yildiztekstil.com.tr", "0216 444 12 34", "Kayışdağı Cad. No:12", "Ataşehir", "İstanbul", "34750", "Türkiye", "TR33 0006 1005 1978 6457 8413 26", ""],
        ["2002", "", "Şahıs", "10000000146", "", "Ayşe", "Çelik", "ayse.celik@gmail.com", "0532 418 27 91", "Kızılay Mah. Atatürk Blv. No:45/7", "Çankaya", "Ankara", "06420", "", "TR320010009999901234567890", "Kapıda ödeme tercih ediyor"],
        ["2003", "Güneş Gıda Ltd. Şti.", "Şirket", "0010213576", "Karşıyaka", "", "", "info@gunesgida.com.tr", "", "Cemal Gürsel Cad. No:301", "Karşıyaka", "İzmir", "35540", "Türkiye", "", ""],
        ["2004", "", "Şahıs", "17291716060", "", "Mehmet", "Öztürk", "mehmet.ozturk@hotmail.com", "0505 221 33 44", "Fatih Sultan Mehmet Blv. No:8", "Nilüfer", "Bursa", "16110", "Türkiye", "TR12 0006 4000 0001 1122 2333 45", ""],
        ["2005", "Çağlar Otomotiv Ltd. Şti.", "Tüzel Kişi", "1234567890", "İkitelli", "", "", "cari@caglarotomotiv.com", "0212 549 30 30", "İkitelli OSB Çevre Yolu Cad. No:5", "Başakşehir", "İstanbul", "34490", "Türkiye", "tr08 0004 6000 0001 2345 6789 01", "Yeni IBAN 11/2026"],
        ["2006", "", "Şahıs", "2345678901", "", "Şükrü", "Karagöz", "sukru.karagoz@yandex.com", "0542 600 71 72", "", "Selçuklu", "Konya", "42050", "Türkiye", "", ""],
        ["2007", "", "Gerçek Kişi", "38120457718", "", "Özlem", "Erdoğan", "ozlem.erdogan@gmail.com", "0544 987 65 43", "", "Ortahisar", "Trabzon", "61030", "TÜRKİYE", "TR46 0006 7000 0009 8765 4321 01", ""],
        ["2008", "Ege Lojistik Taşımacılık A.Ş.", "Şirket", "9990112519", "Kordon", "", "", "finans@", "0232 441 22 33", "Atatürk Cad. No:140", "Konak", "İzmir", "35210", "Türkiye", "TR070011100000055544433322", ""],
        ["2009", "", "Şahıs", "46309218586", "", "Hüseyin", "Kılıç", "", "0506 333 22 11", "", "Şahinbey", "Gaziantep", "", "", "", ""],
        ["2010", "Anadolu Tarım Ürünleri Ltd. Şti.", "Şirket", "3850071441", "Adapazarı", "", "", "muhasebe@anadolutarim.com.tr", "0264 277 55 66", "Çark Cad. No:77", "Adapazarı", "Sakarya", "54100", "Türkiye", "TR90 0020 5000 0004 4433 3222 11", ""],
    ];
    let mut text = String::from(HEADER);
    text.push('\n');
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f, ';')).collect();
        text.push_str(&fields.join(";"));
        text.push('\n');
    }
    fs::write(path, text)?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------

/// A workbook whose metadata carries a fixed creation time instead of the clock's, so
/// the same rows give the same bytes.
fn new_workbook() -> Result<Workbook> {
    let mut wb = Workbook::new();
    let created = NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(6, 0, 0))
        .ok_or("bad creation date")?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("aktar"),
    );
    Ok(wb)
}

fn write_header(ws: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> Result<()> {
    for (c, name) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *name, bold)?;
    }
    Ok(())
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("no such date {d}.{m}.{y}").into())
}
