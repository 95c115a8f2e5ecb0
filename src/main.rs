//! The `switchboard` command: serve, migrate, load demo data, manage users,
//! import clients.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use switchboard::config::{LogFormat, Overrides, Settings};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Contact-centre server with a CRM core"
)]
struct Cli {
    /// Config file (default: ./switchboard.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// HTTP listen address (API, web app).
    #[arg(long, global = true)]
    http: Option<SocketAddr>,
    /// SIP listen address.
    #[arg(long, global = true)]
    sip: Option<SocketAddr>,
    /// SIP over TLS listen address (off unless given here, in the config
    /// file or in SWITCHBOARD_SIP_TLS).
    #[arg(long, global = true)]
    sip_tls: Option<SocketAddr>,
    /// sqlite://FILE (default sqlite://switchboard.db) or postgres://...
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Load the demo data set from fixtures/demo and print the demo logins.
    Demo,
    /// Import records from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Run outbound pacing over simulated working days (virtual time) and
    /// compare it with a VICIdial-like adaptive baseline on the same calls.
    SimulateDialer(SimulateDialer),
    /// Write a self-signed certificate and key for SIP over TLS
    /// (development only: phones must be told to trust it).
    Cert {
        /// Folder for sip.crt and sip.key.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// A host name or address the certificate is for (repeatable);
        /// localhost and 127.0.0.1 are always included.
        #[arg(long = "name")]
        names: Vec<String>,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

/// `simulate-dialer`: the standard scenario unless told otherwise.
#[derive(clap::Args)]
struct SimulateDialer {
    #[arg(long, default_value_t = 20)]
    agents: u32,
    /// The share of calls a person answers.
    #[arg(long, default_value_t = 0.25)]
    answer_rate: f64,
    /// Mean talk time in seconds (exponential).
    #[arg(long, default_value_t = 180.0)]
    talk_mean: f64,
    /// Wrap-up after each call, in seconds.
    #[arg(long, default_value_t = 0.0)]
    wrap_up: f64,
    #[arg(long, default_value_t = 8.0)]
    hours: f64,
    /// The abandon limit, in percent of calls a person answered.
    #[arg(long, default_value_t = 3.0)]
    abandon_limit: f64,
    /// Calls in progress per agent, at most.
    #[arg(long, default_value_t = 3.0)]
    max_lines: f64,
    /// Days simulated, each with its own seed (seed, seed + 1, ...).
    #[arg(long, default_value_t = 1)]
    days: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Upsert clients from a CSV file with a header row (kind, name, phone,
    /// email, external_id, ..., attr.KEY); rejected rows are reported with
    /// their line numbers.
    Clients {
        file: PathBuf,
        /// What tells a stored client: external_id, tax_id, phone (E.164 of
        /// the first phone) or email (the first e-mail).
        #[arg(long = "match")]
        match_field: String,
        /// Write the rejected rows (CSV: line, column, reason) here instead of stdout.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Import as this user (default: the first admin).
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Needs no settings: a broken config file must not stop it.
    if let Command::Cert { out, names, force } = &cli.command {
        return cert(out, names, *force);
    }
    if let Command::SimulateDialer(args) = &cli.command {
        return simulate_dialer(args);
    }
    let overrides = Overrides {
        http: cli.http,
        sip: cli.sip,
        sip_tls: cli.sip_tls,
        database: cli.database.clone(),
    };
    let settings = Settings::load(cli.config.as_deref(), &overrides)?;
    init_logging(settings.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve => switchboard::app::run(settings).await,
            // Answered above, before the settings; kept whole here so the
            // match stays exhaustive without a panic.
            Command::Cert { out, names, force } => cert(&out, &names, force),
            Command::SimulateDialer(args) => simulate_dialer(&args),
            Command::Migrate => {
                let repo = switchboard::app::open_repository(&settings).await?;
                println!("database is up to date ({})", repo.backend());
                Ok(())
            }
            Command::Demo => {
                let repo = switchboard::app::open_repository(&settings).await?;
                let report = switchboard::demo::load(
                    repo.as_ref(),
                    settings.region()?,
                    &settings.sip_realm,
                    &demo_dir(),
                )
                .await?;
                // A closed pipe (`demo | head`) is not an error worth a panic.
                let _ = std::io::Write::write_all(
                    &mut std::io::stdout(),
                    report.to_string().as_bytes(),
                );
                Ok(())
            }
            Command::Import {
                command:
                    ImportCommand::Clients {
                        file,
                        match_field,
                        report,
                        user,
                    },
            } => {
                let field = match_field
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--match: {e}"))?;
                let mut options = switchboard::import::Options::new(field, settings.region()?);
                options.actor = user
                    .map(|u| switchboard::crm::users::Username::parse(&u))
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("--user: {e}"))?;
                let repo = switchboard::app::open_repository(&settings).await?;
                switchboard::import::cli::run(repo, &file, &options, report.as_deref())
                    .await
                    .with_context(|| format!("importing {}", file.display()))?;
                Ok(())
            }
            Command::User {
                command:
                    UserCommand::Add {
                        name,
                        role,
                        password,
                        display_name,
                    },
            } => {
                let repo = switchboard::app::open_repository(&settings).await?;
                let input = switchboard::api::users::UserInput {
                    username: Some(name.clone()),
                    password: Some(password),
                    role: Some(role),
                    display_name,
                    team_id: None,
                };
                let user = switchboard::api::users::parse_new_user(input).map_err(|e| match e {
                    switchboard::api::error::ApiError::Invalid(errors) => {
                        anyhow::anyhow!("{errors}")
                    }
                    other => anyhow::anyhow!("{other:?}"),
                })?;
                let id = repo
                    .create_user(user, switchboard::runtime::clock::now())
                    .await
                    .map_err(|e| match e {
                        switchboard::crm::RepoError::Conflict(_) => {
                            anyhow::anyhow!("a user named {name} exists already")
                        }
                        other => other.into(),
                    })?;
                println!("user {name} added with id {id}");
                Ok(())
            }
        }
    })
}

/// `switchboard cert`: writes the pair and says how to use it.
fn cert(out: &std::path::Path, names: &[String], force: bool) -> anyhow::Result<()> {
    use switchboard::runtime::sip::cert;
    let files = cert::write_self_signed(out, names, switchboard::runtime::clock::now(), force)?;
    let shown = |path: &std::path::Path| {
        std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.to_owned())
            .display()
            .to_string()
    };
    let (cert_path, key_path) = (shown(&files.cert), shown(&files.key));
    println!(
        "wrote {cert_path} (self-signed certificate for {}, valid until {})",
        files.names.join(", "),
        files.not_after.format("%Y-%m-%d")
    );
    println!("wrote {key_path} (private key, readable by its owner only)");
    println!();
    println!("To serve SIP over TLS with them, put in switchboard.toml:");
    println!("  sip_tls = \"0.0.0.0:5061\"");
    println!("  sip_tls_cert = \"{cert_path}\"");
    println!("  sip_tls_key = \"{key_path}\"");
    println!("or set SWITCHBOARD_SIP_TLS, SWITCHBOARD_SIP_TLS_CERT and SWITCHBOARD_SIP_TLS_KEY.");
    println!("Phones and browsers trust it only after you import {cert_path} into them.");
    Ok(())
}

/// `SWITCHBOARD_FIXTURES`, else `fixtures/demo` under the working folder,
/// else the one in the source tree this binary was built from.
fn demo_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SWITCHBOARD_FIXTURES") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("fixtures/demo");
    if local.exists() {
        return local;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo"))
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn simulate_dialer(args: &SimulateDialer) -> anyhow::Result<()> {
    use std::time::Duration;
    use switchboard::dialer::pacing::Limits;
    use switchboard::dialer::simulate::{self, Scenario};
    anyhow::ensure!(args.agents > 0, "--agents must be at least 1");
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.answer_rate),
        "--answer-rate is a share, from 0 to 1"
    );
    anyhow::ensure!(args.days > 0, "--days must be at least 1");
    let seconds = |s: f64, flag: &str| {
        Duration::try_from_secs_f64(s)
            .map_err(|_| anyhow::anyhow!("{flag} must be a duration in seconds"))
    };
    let base = Scenario {
        agents: args.agents,
        answer_rate: args.answer_rate,
        talk_mean: seconds(args.talk_mean, "--talk-mean")?,
        wrap_up: seconds(args.wrap_up, "--wrap-up")?,
        day: seconds(args.hours * 3600.0, "--hours")?,
        limits: Limits {
            abandon_rate: args.abandon_limit / 100.0,
            max_lines_per_agent: args.max_lines,
            ..Limits::default()
        },
        seed: args.seed,
    };
    println!(
        "{} agent(s), {:.0}% answered, talk {:.0} s mean (exponential), wrap-up {:.0} s, {} day(s) of {:.1} h, abandon limit {:.1}%, at most {:.1} lines per agent, seed {}",
        args.agents,
        100.0 * args.answer_rate,
        args.talk_mean,
        args.wrap_up,
        args.days,
        args.hours,
        args.abandon_limit,
        args.max_lines,
        args.seed
    );
    println!(
        "{:<54} {:>9} {:>9} {:>9} {:>9} {:>10} {:>11} {:>10}",
        "pacing",
        "dialled",
        "answered",
        "abandoned",
        "abandon",
        "occupancy",
        "wait/call",
        "max lines"
    );
    let rows = simulate::compare(&base, args.days);
    for row in &rows {
        let r = &row.report;
        println!(
            "{:<54} {:>9} {:>9} {:>9} {:>8.2}% {:>9.1}% {:>9.1} s {:>10.2}",
            row.pacer.name(),
            r.dialled,
            r.answered,
            r.abandoned,
            r.abandon_pct(),
            r.occupancy_pct,
            r.wait_between_calls_s,
            r.max_lines_per_agent
        );
    }
    let ours = rows[0].report;
    let verdict = if ours.abandon_pct() <= args.abandon_limit {
        "within"
    } else {
        "OVER"
    };
    match simulate::best_baseline(&rows, &base) {
        Some(baseline) => println!(
            "predictive: abandon {:.2}% ({verdict} the limit), occupancy {:+.1} points against the busiest baseline within the limit ({})",
            ours.abandon_pct(),
            ours.occupancy_pct - baseline.report.occupancy_pct,
            baseline.pacer.name()
        ),
        None => println!(
            "predictive: abandon {:.2}% ({verdict} the limit); no baseline stayed within the limit",
            ours.abandon_pct()
        ),
    }
    Ok(())
}
