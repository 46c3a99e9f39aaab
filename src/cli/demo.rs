//! `aktar demo`: the whole job, end to end, on the bundled samples — a sandbox of the
//! three providers started in-process on a free loopback port, every sample mapping
//! run against it for real (HTTP, rate limit, authentication), then a check that the
//! samples behaved as they should: their bad rows rejected, every other row delivered
//! exactly once (as the sandbox's ledger counts it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Exit;
use super::run::{Job, run_job};
use crate::config::{Config, ProviderConfig, ReportConfig, StateConfig};
use crate::providers::ProviderId;
use crate::sandbox;

/// The samples and the mapping each is read with.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "mappings/oduyo/customer_update.toml",
        "samples/logo_cariler.csv",
    ),
    (
        "mappings/oduyo/transaction_create.toml",
        "samples/cari_hareket.xlsx",
    ),
    (
        "mappings/oduyo/cash_update.toml",
        "samples/kasa_fisleri.csv",
    ),
    (
        "mappings/fatura_entegrator/customer_update.toml",
        "samples/fe_musteriler.csv",
    ),
    (
        "mappings/netahsilat/customer_update.toml",
        "samples/netahsilat_musteriler.xlsx",
    ),
];

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where to write the reports (default: reports/demo-<UTC time>/).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// The folder holding mappings/ and samples/ (default: the current folder, else the
    /// source tree aktar was built from).
    #[arg(long)]
    pub root: Option<PathBuf>,
}

pub fn run(args: &DemoArgs) -> Exit {
    match demo(args) {
        Ok(true) => Exit::Ok,
        Ok(false) => Exit::Rows,
        Err(message) => {
            eprintln!("aktar demo: {message}");
            Exit::Aborted
        }
    }
}

fn root(args: &DemoArgs) -> Result<PathBuf, String> {
    let candidates = [
        args.root.clone(),
        Some(PathBuf::from(".")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|r| {
            SAMPLES
                .iter()
                .all(|(m, s)| r.join(m).exists() && r.join(s).exists())
        })
        .ok_or_else(|| {
            "cannot find mappings/ and samples/; run it from the aktar folder or give --root".into()
        })
}

/// The configuration a person would write for the sandbox, with credentials named as
/// environment variables (answered from the sandbox's own keys, not the real
/// environment). Each provider's table comes from the provider.
fn config(base_url: &str, report_dir: &Path) -> Config {
    let providers = ProviderId::ALL
        .iter()
        .map(|&id| {
            let table = ProviderConfig {
                base_url: Some(base_url.to_string()),
                rate_limit: Some("40/s".into()),
                concurrency: Some(4),
                timeout: Some("10s".into()),
                ..id.behaviour().sandbox_config()
            };
            (id.config_name().to_string(), table)
        })
        .collect::<BTreeMap<_, _>>();
    Config {
        providers,
        report: ReportConfig {
            dir: report_dir.to_path_buf(),
            ..ReportConfig::default()
        },
        // A journal of its own, so that every demo starts from a clean slate.
        state: StateConfig {
            path: report_dir.join("state.db"),
        },
        ..Config::default()
    }
}

/// Where the demo's mail would go: nowhere it is sent, only written as `mail.eml`.
fn demo_mail() -> crate::notify::EmailConfig {
    crate::notify::EmailConfig {
        smtp: "smtp://127.0.0.1:25".into(),
        username: None,
        password: None,
        from: "aktar <aktar@example.com>".into(),
        to: vec!["muhasebe@example.com".into()],
        cc: Vec::new(),
        when: crate::notify::When::Always,
        attach_limit: None,
        timeout: None,
    }
}

/// The sandbox's credentials under the variable names the providers' tables use.
fn sandbox_env(name: &str) -> Option<String> {
    ProviderId::ALL
        .iter()
        .flat_map(|id| id.behaviour().sandbox_env())
        .find(|(var, _)| *var == name)
        .map(|(_, value)| value.to_string())
}

fn demo(args: &DemoArgs) -> Result<bool, String> {
    let root = root(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let sandbox = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        sandbox::start(
            listener,
            sandbox::Options {
                latency: Duration::from_millis(20),
                rate_limit: Some(50),
                ..sandbox::Options::default()
            },
        )
        .await
    });
    let sandbox = sandbox.map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let base_url = format!("http://{}", sandbox.addr);
    println!("aktar demo: provider sandbox on {base_url}");

    let report_root = args.report_dir.clone().unwrap_or_else(|| {
        PathBuf::from("reports").join(format!(
            "demo-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    let cfg = config(&base_url, &report_root);
    let mut problems = Vec::new();
    let mut expected_writes: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut night = crate::job::night::Night {
        job: "demo".into(),
        dir: report_root.clone(),
        dry_run: false,
        started: chrono::Utc::now(),
        steps: Vec::new(),
    };
    for (mapping, sample) in SAMPLES {
        let mapping_path = root.join(mapping);
        let inputs = [root.join(sample)];
        let name = Path::new(mapping)
            .parent()
            .and_then(|p| p.file_name())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = crate::mapping::name_of(&mapping_path);
        let step_dir = report_root.join(format!("{name}-{stem}"));
        let mut step =
            crate::job::night::StepRecord::new(&format!("{name}-{stem}"), &mapping_path, None);
        step.inputs = vec![sample.to_string()];
        let job = Job {
            config: &cfg,
            env: &sandbox_env,
            mapping: &mapping_path,
            inputs: &inputs,
            dry_run: false,
            full: false,
            accept_drift: false,
            no_journal: false,
            limit: None,
            report_dir: Some(step_dir.clone()),
            quiet: false,
            json: false,
        };
        println!();
        let result = run_job(&job);
        match &result {
            Ok(done) => step.finish(done.exit as u8, None, &step_dir),
            Err((exit, message)) => step.finish(*exit as u8, Some(message.clone()), &step_dir),
        }
        night.steps.push(step);
        match result {
            Ok(done) => {
                let s = &done.summary;
                if s.rejected == 0 {
                    problems.push(format!(
                        "{sample}: its deliberately bad rows were not rejected"
                    ));
                }
                if s.sent != s.valid || s.failed > 0 || s.uncertain > 0 {
                    problems.push(format!(
                        "{sample}: {} valid rows but {} sent, {} failed, {} uncertain",
                        s.valid, s.sent, s.failed, s.uncertain
                    ));
                }
                if let Ok(m) = crate::mapping::load(&mapping_path) {
                    *expected_writes.entry(m.endpoint.id.as_str()).or_default() += s.sent;
                }
            }
            Err((_, message)) => problems.push(format!("{sample}: {message}")),
        }
    }

    let ledger = rt.block_on(sandbox.ledger());
    for (endpoint, expected) in &expected_writes {
        let entries = ledger.endpoints.get(*endpoint);
        let keys = entries.map_or(0, |e| e.len() as u64);
        let twice = entries.map_or(0, |e| e.values().filter(|v| v.writes > 1).count());
        if keys != *expected || twice > 0 {
            problems.push(format!(
                "{endpoint}: the sandbox holds {keys} records ({twice} written more than once); expected {expected}, each once"
            ));
        }
    }
    rt.block_on(sandbox.stop());
    // The mail accounting would get for this night, written but not sent.
    let outcome = super::job::mail_night(&night, &demo_mail(), &|_| None, true, false);
    if let Some(e) = outcome.error {
        problems.push(format!("the mail could not be composed: {e}"));
    } else {
        println!(
            "aktar demo: the mail to accounting: {}",
            outcome.eml.display()
        );
    }

    println!();
    if problems.is_empty() {
        println!(
            "aktar demo: every sample behaved as expected — bad rows rejected (see errors.xlsx), every other row delivered exactly once."
        );
        println!("  reports: {}", report_root.display());
        Ok(true)
    } else {
        for p in &problems {
            eprintln!("aktar demo: {p}");
        }
        Ok(false)
    }
}
