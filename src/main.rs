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
    let overrides = Overrides {
        http: cli.http,
        sip: cli.sip,
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
