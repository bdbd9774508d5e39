//! The command line: `serve` (the default), `migrate`, `user` account tools, `audit`,
//! `retention`, `documents`, `backup` and `demo`.

use std::io::{BufRead, IsTerminal};

use clap::{Args, Parser, Subcommand};

use crate::clock::Clock;
use crate::config::{Environment, Settings};
use crate::db::Backend;
use crate::demo;
use crate::domain::role::Role;
use crate::services::users::{self, NewAccount};
use crate::startup::{Application, open_database};

mod audit;
mod documents;
mod retention;

#[derive(Debug, Parser)]
#[command(
    name = "candour",
    version,
    about = "Complaints case management for NHS providers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check records for tampering.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Synthetic data for demonstrations and benchmarks (refused in production).
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Anonymise the cases past their retention period.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Look after the document store.
    #[command(subcommand)]
    Documents(DocumentsCommand),
    /// Copy a running SQLite database to a file, consistently (PostgreSQL: use pg_dump).
    Backup {
        /// Where to write the copy (must not exist yet).
        #[arg(long = "to", value_name = "FILE")]
        to: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Anonymise the people and free text of cases that ended more than `retention.years` ago,
    /// keeping every coded fact (so every statistic stays the same).
    Run {
        /// List what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Remove files from the store that no document names (left by a crash between storing a
    /// file and recording it), once they are older than the grace period.
    Sweep {
        /// Count what would be removed and remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Leave files written less than this many hours ago (an upload may be on its way).
        #[arg(long, default_value_t = 24)]
        grace_hours: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Add realistic synthetic concerns and complaints (and demo staff and wards).
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many cases to add.
    #[arg(long, default_value_t = 1000)]
    pub cases: u64,
    /// The random seed: the same seed and count give the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Spread receipt dates over this many days up to today.
    #[arg(long, default_value_t = 1095)]
    pub span_days: u64,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every case timeline and the system audit log against their seals and heads;
    /// exits non-zero naming each broken chain.
    Verify {
        /// Also check that every chain still holds the heads an anchor file recorded.
        #[arg(long, value_name = "FILE")]
        anchor: Option<std::path::PathBuf>,
    },
    /// Write a signed checkpoint of every chain's head to FILE (keep it outside the database).
    Anchor {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Create(CreateArgs),
    /// Set an account's password (ends its sessions and lifts any lockout).
    SetPassword(SetPasswordArgs),
    /// List every account.
    List,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// admin, complaints_manager, pals_officer, investigator or board.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct SetPasswordArgs {
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// Run the chosen command.
pub async fn run(cli: Cli, settings: Settings, env: Environment) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings, env).await,
        Command::Migrate => {
            open_database(&settings).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::User(cmd) => user(cmd, settings).await,
        Command::Audit(cmd) => audit::run(cmd, settings).await,
        Command::Retention(RetentionCommand::Run { dry_run }) => {
            retention::run(settings, dry_run).await
        }
        Command::Documents(DocumentsCommand::Sweep {
            dry_run,
            grace_hours,
        }) => documents::sweep(settings, dry_run, grace_hours).await,
        Command::Backup { to } => backup(settings, to).await,
        Command::Demo(DemoCommand::Seed(args)) => demo_seed(settings, env, args).await,
    }
}

async fn serve(settings: Settings, env: Environment) -> anyhow::Result<()> {
    let admin_email = settings.bootstrap.admin_email.clone();
    let data_dir = settings.data.dir.clone();
    let host = settings.server.host.clone();
    let app = Application::build(settings, env).await?;
    let state = app.state();
    let first = users::bootstrap_admin(&state.db, &state.clock, &admin_email, &data_dir)
        .await
        .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
    let shown_host = if host == "0.0.0.0" {
        "127.0.0.1"
    } else {
        host.as_str()
    };
    let url = format!("http://{shown_host}:{}", app.port());
    let engine = match app.state().db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!(
        "Candour {} is listening on {url}",
        env!("CARGO_PKG_VERSION")
    );
    println!("  API docs:  {url}/docs/");
    println!("  Database:  {engine} ({} mode)", env.as_str());
    if let Some(first) = first {
        // The password never goes to stdout, where the logs go (and may be kept): only to the
        // terminal, when there is one, and to the 0600 file.
        let file = data_dir.join("initial-admin-password");
        println!();
        println!("First start: an administrator account was created. Sign in with");
        println!("  email:     {}", first.email);
        if show_on_terminal(&format!("  password:  {}\n", first.password)) {
            println!(
                "  password:  shown on your terminal, and in {}",
                file.display()
            );
        } else {
            println!(
                "  password:  in {} (readable by this user only)",
                file.display()
            );
        }
        println!("  (change it after signing in)");
    }
    println!();
    app.run_until_stopped().await?;
    Ok(())
}

/// Write `text` to the controlling terminal, if there is one (not to stdout or stderr, which
/// may be captured with the logs); whether it was written.
fn show_on_terminal(text: &str) -> bool {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .and_then(|mut tty| tty.write_all(text.as_bytes()))
        .is_ok()
}

async fn user(cmd: UserCommand, settings: Settings) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    let clock = Clock::system();
    match cmd {
        UserCommand::Create(args) => {
            let password = read_password(args.password_stdin)?;
            let input = NewAccount {
                email: args.email,
                name: args.name,
                role: args.role,
                password: Some(password),
            };
            let (user, _) = users::create_account(&db, &clock, input)
                .await
                .map_err(describe)?;
            println!("Created {} ({}) with id {}", user.email, user.role, user.id);
        }
        UserCommand::SetPassword(args) => {
            let password = read_password(args.password_stdin)?;
            let user = users::set_password(&db, &clock, args.email, password)
                .await
                .map_err(describe)?;
            println!(
                "Password set for {}; their sessions were ended.",
                user.email
            );
        }
        UserCommand::List => {
            let all = users::list_all(&db).await.map_err(describe)?;
            println!("{:<36}  {:<18}  {:<8}  EMAIL", "ID", "ROLE", "ACTIVE");
            for u in all {
                println!(
                    "{:<36}  {:<18}  {:<8}  {}",
                    u.id,
                    u.role.as_str(),
                    if u.active { "yes" } else { "no" },
                    u.email
                );
            }
        }
    }
    Ok(())
}

async fn demo_seed(settings: Settings, env: Environment, args: SeedArgs) -> anyhow::Result<()> {
    if env == Environment::Production {
        anyhow::bail!("demo data is refused in production");
    }
    let db = open_database(&settings).await?;
    let started = std::time::Instant::now();
    let opts = demo::SeedOptions {
        cases: args.cases,
        seed: args.seed,
        span_days: args.span_days,
        clock: Clock::system(),
        progress: std::io::stderr().is_terminal() || std::env::var_os("CANDOUR_PROGRESS").is_some(),
    };
    let report = demo::seed(&db, &settings.cases, &opts)
        .await
        .map_err(describe)?;
    println!(
        "Seeded {} complaints and {} PALS concerns in {:.1} s ({} demo staff and {} services created).",
        report.complaints,
        report.pals_concerns,
        started.elapsed().as_secs_f64(),
        report.staff_created,
        report.services_created
    );
    println!(
        "Demo staff sign in as demo.complaints-manager.1@candour.invalid (and similar) with password {}",
        demo::DEMO_PASSWORD
    );
    Ok(())
}

async fn backup(settings: Settings, to: std::path::PathBuf) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    let target = to.clone();
    tokio::task::spawn_blocking(move || crate::db::backup::sqlite_copy(&db, &target)).await??;
    let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
    println!("Backed up to {} ({size} bytes).", to.display());
    Ok(())
}

/// A readable message for a failed command, listing invalid fields.
pub(crate) fn describe(e: crate::error::AppError) -> anyhow::Error {
    let p = e.problem();
    let fields: Vec<String> = p
        .errors
        .iter()
        .map(|f| format!("{} {}", f.field, f.message))
        .collect();
    if fields.is_empty() {
        anyhow::anyhow!(p.detail)
    } else {
        anyhow::anyhow!(fields.join("; "))
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to prompt for a password; use --password-stdin");
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let again = rpassword::prompt_password("Repeat password: ")?;
    if first != again {
        anyhow::bail!("the passwords do not match");
    }
    Ok(first)
}
