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
