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
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
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
                let user = switchboard::api::users::parse_new_user(input)
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let id = repo
                    .create_user(user, switchboard::runtime::clock::now())
                    .await?;
                println!("user {name} added with id {id}");
                Ok(())
            }
        }
    })
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
