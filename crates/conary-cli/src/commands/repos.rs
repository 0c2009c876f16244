//! `conary-repos`: create a repository and manage who may use it.
//!
//! Each subcommand opens the repository directory, calls one operation of
//! `conary-repository`, and prints the result; `serve` is in
//! [`super::repos_serve`].

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use conary_repository::{Acl, LabelPattern, Repository, TrovePattern};

use super::repos_serve::ServeArgs;

/// Create and serve Conary repositories, and manage who may use them.
#[derive(Debug, Parser)]
#[command(
    name = "conary-repos",
    version,
    after_help = "Example:\n  conary-repos init /srv/conary --name conary.example.com\n  \
                  echo 'secret' | conary-repos user add /srv/conary admin --admin\n  \
                  conary-repos serve /srv/conary --listen 127.0.0.1:8080"
)]
pub struct ReposCli {
    /// What to do.
    #[command(subcommand)]
    pub command: ReposCommand,
}

/// The subcommands of `conary-repos`.
#[derive(Debug, Subcommand)]
pub enum ReposCommand {
    /// Create a repository in DIR, named HOST (labels start with HOST@)
    #[command(after_help = "Example:\n  conary-repos init /srv/conary --name conary.example.com")]
    Init {
        /// Directory to create the repository in (created when missing)
        dir: PathBuf,
        /// The server name: labels of this repository are HOST@namespace:tag
        #[arg(long, value_name = "HOST")]
        name: String,
    },
    /// Add and list users
    #[command(subcommand)]
    User(UserCommand),
    /// Add roles, list them, and make users members
    #[command(subcommand)]
    Role(RoleCommand),
    /// Give roles access to labels and troves
    #[command(subcommand)]
    Acl(AclCommand),
    /// Issue entitlement keys (read access for whoever holds the key)
    #[command(subcommand)]
    Entitlement(EntitlementCommand),
    /// Let callers without credentials read (as the `anonymous` role allows), or not
    #[command(after_help = "Example:\n  conary-repos anonymous /srv/conary on")]
    Anonymous {
        /// The repository directory
        dir: PathBuf,
        /// on or off
        state: OnOff,
    },
    /// Serve the repository over HTTP (or HTTPS) until SIGTERM or Ctrl-C
    #[command(
        after_help = "Example:\n  conary-repos serve /srv/conary --listen 127.0.0.1:8080\n  \
                      conary-repos serve /srv/conary --listen 0.0.0.0:443 --tls-cert cert.pem --tls-key key.pem"
    )]
    Serve(ServeArgs),
}

/// `on` or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Allowed.
    On,
    /// Not allowed.
    Off,
}

/// `conary-repos user …`
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Example:\n  echo 'secret' | conary-repos user add /srv/conary alice\n  conary-repos user list /srv/conary"
)]
pub enum UserCommand {
    /// Add user NAME; the password is the first line of standard input
    #[command(
        after_help = "Example:\n  echo 'secret' | conary-repos user add /srv/conary alice\n  \
                      conary-repos user add /srv/conary admin --admin < password-file"
    )]
    Add {
        /// The repository directory
        dir: PathBuf,
        /// The user name
        name: String,
        /// Make the user an admin, who may do everything
        #[arg(long)]
        admin: bool,
    },
    /// List users, their admin flag and roles
    #[command(after_help = "Example:\n  conary-repos user list /srv/conary")]
    List {
        /// The repository directory
        dir: PathBuf,
    },
}

/// `conary-repos role …`
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Example:\n  conary-repos role add /srv/conary developers\n  conary-repos role grant /srv/conary developers alice"
)]
pub enum RoleCommand {
    /// Add role ROLE (no access until ACLs are added)
    #[command(after_help = "Example:\n  conary-repos role add /srv/conary developers")]
    Add {
        /// The repository directory
        dir: PathBuf,
        /// The role name
        role: String,
    },
    /// Make USER a member of ROLE
    #[command(after_help = "Example:\n  conary-repos role grant /srv/conary developers alice")]
    Grant {
        /// The repository directory
        dir: PathBuf,
        /// The role
        role: String,
        /// The user
        user: String,
    },
    /// List roles
    #[command(after_help = "Example:\n  conary-repos role list /srv/conary")]
    List {
        /// The repository directory
        dir: PathBuf,
    },
}

/// `conary-repos acl …`
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Example:\n  conary-repos acl add /srv/conary developers --label 'conary.example.com@rpl:*' --troves ALL --write"
)]
pub enum AclCommand {
    /// Let ROLE read (and with --write, commit; with --admin, administer)
    /// troves matching --troves on labels matching --label
    #[command(
        after_help = "Patterns: ALL, or for --label a glob over the label (* and ?), for --troves a\n\
                      regular expression matching the whole trove name.\n\n\
                      Example:\n  conary-repos acl add /srv/conary developers --label 'conary.example.com@rpl:*' --troves ALL --write"
    )]
    Add(AclAddArgs),
    /// List every role's ACLs
    #[command(after_help = "Example:\n  conary-repos acl list /srv/conary")]
    List {
        /// The repository directory
        dir: PathBuf,
    },
}

/// Arguments of `conary-repos acl add`.
#[derive(Debug, Args)]
pub struct AclAddArgs {
    /// The repository directory
    pub dir: PathBuf,
    /// The role given access
    pub role: String,
    /// Labels covered: ALL or a glob such as 'conary.example.com@rpl:*'
    #[arg(long, value_name = "PATTERN")]
    pub label: String,
    /// Trove names covered: ALL or a regular expression such as 'group-.*'
    #[arg(long, value_name = "PATTERN")]
    pub troves: String,
    /// Also allow committing
    #[arg(long)]
    pub write: bool,
    /// Also allow administering (marking troves removed)
    #[arg(long)]
    pub admin: bool,
}

/// `conary-repos entitlement …`
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Example:\n  conary-repos entitlement add /srv/conary customers --role readers"
)]
pub enum EntitlementCommand {
    /// Print a new key of entitlement class CLASS, which grants read access
    /// as ROLE allows (the class is created when missing)
    #[command(
        after_help = "Clients send the key as 'Authorization: Bearer KEY'. It is shown only once.\n\n\
                      Example:\n  conary-repos entitlement add /srv/conary customers --role readers"
    )]
    Add {
        /// The repository directory
        dir: PathBuf,
        /// The entitlement class
        class: String,
        /// The role whose ACLs the key's holders read with
        #[arg(long)]
        role: String,
    },
    /// List entitlement classes, their roles and how many keys each has
    #[command(after_help = "Example:\n  conary-repos entitlement list /srv/conary")]
    List {
        /// The repository directory
        dir: PathBuf,
    },
}

fn open(dir: &PathBuf) -> anyhow::Result<Repository> {
    Repository::open(dir).with_context(|| format!("cannot open repository '{}'", dir.display()))
}

/// Writes `lines` to standard output.
fn print_lines<T: std::fmt::Display>(lines: impl IntoIterator<Item = T>) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        writeln!(stdout, "{line}")?;
    }
    stdout.flush()?;
    Ok(())
}

/// Reads a password: the first line of standard input, without its line
/// ending.
fn read_password(user: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        // Echo is not turned off: pipe the password in to keep it off screen.
        let mut stderr = std::io::stderr().lock();
        write!(stderr, "password for user {user} (shown as typed): ")?;
        stderr.flush()?;
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        anyhow::bail!("no password for user '{user}': give it as the first line of standard input");
    }
    Ok(password.to_owned())
}

/// Runs one `conary-repos` command.
pub fn run(command: ReposCommand) -> anyhow::Result<()> {
    match command {
        ReposCommand::Init { dir, name } => {
            let repository = Repository::init(&dir, &name)
                .with_context(|| format!("cannot create repository '{}'", dir.display()))?;
            print_lines([
                format!(
                    "created repository {} in {}",
                    repository.name(),
                    dir.display()
                ),
                format!(
                    "next: add the first admin (password on standard input): conary-repos user add {} admin --admin",
                    dir.display()
                ),
            ])
        }
        ReposCommand::User(UserCommand::Add { dir, name, admin }) => {
            let repository = open(&dir)?;
            let password = read_password(&name)?;
            repository.add_user(&name, &password, admin)?;
            print_lines([format!(
                "added {}user {name}",
                if admin { "admin " } else { "" }
            )])
        }
        ReposCommand::User(UserCommand::List { dir }) => print_lines(open(&dir)?.users()?),
        ReposCommand::Role(RoleCommand::Add { dir, role }) => {
            open(&dir)?.add_role(&role)?;
            print_lines([format!("added role {role}")])
        }
        ReposCommand::Role(RoleCommand::Grant { dir, role, user }) => {
            open(&dir)?.grant_role(&role, &user)?;
            print_lines([format!("user {user} is a member of role {role}")])
        }
        ReposCommand::Role(RoleCommand::List { dir }) => print_lines(open(&dir)?.roles()?),
        ReposCommand::Acl(AclCommand::Add(args)) => {
            let repository = open(&args.dir)?;
            let label: LabelPattern = args.label.parse()?;
            let troves: TrovePattern = args.troves.parse()?;
            let mut acl = Acl::new(label, troves);
            acl.write = args.write;
            acl.admin = args.admin;
            repository.add_acl(&args.role, &acl)?;
            print_lines([format!("{} {acl}", args.role)])
        }
        ReposCommand::Acl(AclCommand::List { dir }) => print_lines(open(&dir)?.acls()?),
        ReposCommand::Entitlement(EntitlementCommand::Add { dir, class, role }) => {
            let key = open(&dir)?.add_entitlement(&class, &role)?;
            print_lines([key])
        }
        ReposCommand::Entitlement(EntitlementCommand::List { dir }) => {
            print_lines(open(&dir)?.entitlement_classes()?)
        }
        ReposCommand::Anonymous { dir, state } => {
            let on = state == OnOff::On;
            open(&dir)?.set_anonymous(on)?;
            print_lines([format!(
                "anonymous access is {}",
                if on { "on" } else { "off" }
            )])
        }
        ReposCommand::Serve(args) => super::repos_serve::serve(&args),
    }
}
