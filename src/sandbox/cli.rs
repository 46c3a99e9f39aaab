//! `aktar sandbox`: binds, prints what a client needs (address, credentials, an
//! `aktar.toml` to paste), and serves until Ctrl-C.
//!
//! The banner is built by a pure function so that what users are told to paste is
//! tested against the server that tells them.

use std::fmt::Write as _;
use std::time::Duration;

use tokio::net::TcpListener;

use super::{Options, Running, creds, start};

/// Flags of `aktar sandbox`.
#[derive(clap::Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: String,
    /// Added to every answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Fraction (0 to 1) of write requests that get an injected fault.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_fail_rate)]
    pub fail_rate: f64,
    /// Write requests per second over all endpoints (`200/s` or `200`); past it, 429.
    #[arg(long, value_name = "N/s", value_parser = parse_rate)]
    pub rate_limit: Option<u32>,
    /// Seed of the fault choice: the same seed gives the same faults for the same keys.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Lifetime of an Ödüyo session, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub session_ttl: u64,
    /// Lifetime of a NetTahsilat access token, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub token_ttl: u64,
    /// How long a `slow` fault holds its answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 60_000)]
    pub slow: u64,
    /// Serve the endpoints of this configuration's [endpoints] files too.
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
}

impl SandboxArgs {
    /// The options, with the endpoints of `--config` (its mistakes as the error).
    pub fn options(&self) -> Result<Options, String> {
        let endpoints = match &self.config {
            None => crate::providers::Registry::builtin().clone(),
            Some(path) => crate::config::Config::load(Some(path))
                .and_then(|c| c.registry())
                .map_err(|e| e.to_string())?,
        };
        Ok(Options {
            endpoints,
            latency: Duration::from_millis(self.latency),
            fail_rate: self.fail_rate,
            rate_limit: self.rate_limit,
            seed: self.seed,
            session_ttl: Duration::from_secs(self.session_ttl),
            token_ttl: Duration::from_secs(self.token_ttl),
            slow: Duration::from_millis(self.slow),
        })
    }
}

fn parse_fail_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "`{s}` is not a fraction between 0 and 1 (e.g. 0.1)"
        )),
    }
}

/// `200/s` or `200`: a positive whole number of requests per second.
fn parse_rate(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let n = t.strip_suffix("/s").unwrap_or(t).trim();
    match n.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "`{s}` is not a rate in requests per second (e.g. 200/s)"
        )),
    }
}

/// Runs `aktar sandbox`; the exit code is 0 after Ctrl-C, 2 when the address cannot
/// be bound (or the runtime cannot start).
pub fn run_cli(args: &SandboxArgs) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("aktar sandbox: cannot start the async runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: &SandboxArgs) -> u8 {
    let opts = match args.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("aktar sandbox: {e}");
            return 2;
        }
    };
    let listener = match TcpListener::bind(args.addr.as_str()).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "aktar sandbox: cannot listen on {}: {e} (is another sandbox running? try --addr 127.0.0.1:0)",
                args.addr
            );
            return 2;
        }
    };
    let running = match start(listener, opts.clone()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("aktar sandbox: cannot listen on {}: {e}", args.addr);
            return 2;
        }
    };
    print!("{}", banner(&running, &opts));
    if let Err(e) = tokio::signal::ctrl_c().await {
        // Without a signal handler there is no way to be told to stop; say so and stop.
        eprintln!("aktar sandbox: cannot wait for Ctrl-C: {e}");
    }
    running.stop().await;
    eprintln!("aktar sandbox: stopped");
    0
}

/// What `aktar sandbox` prints at start.
pub(crate) fn banner(running: &Running, opts: &Options) -> String {
    let base = running.base_url();
    let rate = opts
        .rate_limit
        .map_or_else(|| "none".to_owned(), |r| format!("{r}/s"));
    let mut out = String::new();
    // Writing into a String cannot fail; the results are discarded for that reason.
    let _ = writeln!(out, "aktar sandbox listening on {base}");
    let _ = writeln!(
        out,
        "  latency {} ms, fail rate {}, rate limit {rate}, seed {}, slow {} ms",
        opts.latency.as_millis(),
        opts.fail_rate,
        opts.seed,
        opts.slow.as_millis()
    );
    let _ = writeln!(
        out,
        "  ledger: GET {base}/_ledger   stats: GET {base}/_stats   stop: Ctrl-C"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# Sandbox credentials (they protect nothing; not for production):"
    );
    let exports = [
        ("ODUYO_APIKEY", creds::ODUYO_API_KEY.to_owned()),
        ("ODUYO_PASSWORD", creds::ODUYO_PASSWORD.to_owned()),
        ("ODUYO_SESSION", creds::ODUYO_SESSION.to_owned()),
        ("FE_API_KEY", creds::FE_API_KEY.to_owned()),
        (
            "NETAHSILAT_CLIENT_SECRET",
            creds::NETAHSILAT_CLIENT_SECRET.to_owned(),
        ),
        ("NETAHSILAT_TOKEN", running.netahsilat_token()),
    ];
    for (name, value) in exports {
        let _ = writeln!(out, "export {name}={value}");
    }
    let _ = writeln!(
        out,
        "# ODUYO_SESSION and NETAHSILAT_TOKEN are valid for {} s and {} s from now.",
        opts.session_ttl.as_secs(),
        opts.token_ttl.as_secs()
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "# aktar.toml");
    let _ = write!(
        out,
        r#"[providers.oduyo]
base_url = "{base}"
api_key  = "env:ODUYO_APIKEY"

[providers.oduyo.login]
username = "{user}"
password = "env:ODUYO_PASSWORD"

[providers.fatura_entegrator]
base_url = "{base}"
token    = "env:FE_API_KEY"

[providers.netahsilat]
base_url = "{base}"

[providers.netahsilat.auth]
client_id     = "{client}"
client_secret = "env:NETAHSILAT_CLIENT_SECRET"
"#,
        user = creds::ODUYO_USERNAME,
        client = creds::NETAHSILAT_CLIENT_ID,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_fail_rates_parse_as_documented() {
        assert_eq!(parse_rate("200/s"), Ok(200));
        assert_eq!(parse_rate("200"), Ok(200));
        assert_eq!(parse_rate(" 15 /s"), Ok(15));
        for bad in ["0", "0/s", "10/min", "-1", "ten", ""] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_fail_rate("0.25"), Ok(0.25));
        assert_eq!(parse_fail_rate("1"), Ok(1.0));
        for bad in ["1.5", "-0.1", "NaN", "x"] {
            assert!(parse_fail_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_address_in_use_exits_2() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = taken.local_addr().expect("local address").to_string();
        let args = SandboxArgs {
            addr,
            latency: 0,
            fail_rate: 0.0,
            rate_limit: None,
            seed: 1,
            session_ttl: 60,
            token_ttl: 60,
            slow: 1000,
            config: None,
        };
        assert_eq!(run_cli(&args), 2);
    }
}
