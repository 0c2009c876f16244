//! The `conary` command: manage the software on one machine and query
//! repositories.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conary_cli::commands;
use conary_cli::commands::update::Verb;
use conary_cli::global::GlobalArgs;

/// conary: keep a machine in the state its system model describes.
#[derive(Parser)]
#[command(
    name = "conary",
    version,
    after_help = "Examples:
  conary rq --config 'installLabelPath conary.example.com@deb:12' --config-file ./conaryrc
  conary changeset sudo=1.9.13p3_1+deb12u2-1-1--1.9.13p3_1+deb12u4-1-1 sudo.ccs
  conary showcs sudo.ccs
  conary commit sudo-shadow.ccs --config-file ./conaryrc"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the effective configuration
    #[command(after_help = "Example:\n  conary config --config-file ./conaryrc --show-passwords")]
    Config {
        /// Show passwords instead of hiding them
        #[arg(long)]
        show_passwords: bool,
    },
    /// Explain how Conary reads versions, shadows and flavors
    Explain(commands::explain::ExplainArgs),
    /// Query the repositories: one NAME=VERSION per line, or details
    #[command(
        visible_alias = "rq",
        after_help = "Examples:
  conary rq                                   every trove on the install label path
  conary rq sudo --all-versions --flavors
  conary rq sudo=conary.example.com@deb:12 --info
  conary rq sudo --files          (or --ls; --lsl for ls -l lines)
  conary rq sudo --deps"
    )]
    Repquery(commands::rq::RqArgs),
    /// Fetch a changeset (relative NAME=OLD--NEW, absolute NAME=VERSION) into a file
    #[command(
        visible_alias = "cs",
        after_help = "Examples:
  conary changeset sudo=1.9.13p3_1+deb12u2-1-1--1.9.13p3_1+deb12u4-1-1 sudo.ccs
  conary changeset curl=7.88.1_10+deb12u15-1-1 curl.ccs"
    )]
    Changeset(commands::changeset::ChangesetArgs),
    /// Show a changeset file: troves, files, sizes, deltas (checked first)
    #[command(
        visible_alias = "scs",
        after_help = "Example:\n  conary showcs sudo.ccs"
    )]
    Showcs(commands::showcs::ShowcsArgs),
    /// Commit a changeset file to the repository of its troves' label
    #[command(after_help = "Example:
  conary commit sudo-shadow.ccs --config-file ./conaryrc
prints one line per trove: 'committed NAME=VERSION[FLAVOR]' or 'already present NAME=VERSION[FLAVOR]';
a changeset whose troves belong to several repositories is refused (commit each repository's troves separately)")]
    Commit(commands::commit::CommitArgs),
    /// Install or update troves (and their components) on the root
    #[command(after_help = "Examples:
  conary update sudo tzdata --root /srv/root      install, or update what is installed
  conary update sudo=1.9.13p3_1+deb12u4-1-1 --info
  conary update ./sudo.ccs                        a changeset file (or --from-file)
  conary update nginx-common --root /srv/root -- -tzdata   erase: '-NAME' after '--'
prints the job (Install NAME=VERSION, Update NAME (OLD -> NEW), Erase NAME=VERSION)
first; --info and --test stop there without changing anything.
With a system model (<root>/etc/conary/system-model), update, install, erase, patch
and updateall edit the model and sync to it; --model prints it (see conary sync --help)")]
    Update(commands::update::UpdateArgs),
    /// Install troves beside what is installed (update --keep-existing)
    #[command(
        after_help = "Example:\n  conary install libssl3=3.0.17_1~deb12u2-1-1 --root /srv/root"
    )]
    Install(commands::update::UpdateArgs),
    /// Erase installed troves
    #[command(after_help = "Examples:
  conary erase sudo --root /srv/root
  conary erase libssl3 --keep-required --test")]
    Erase(commands::update::UpdateArgs),
    /// Update only troves already installed (with a system model: a patch line)
    #[command(after_help = "Example:\n  conary patch sudo=1.9.13p3_1+deb12u4-1-1 --root /srv/root")]
    Patch(commands::update::UpdateArgs),
    /// Bring the root to its system model (<root>/etc/conary/system-model)
    #[command(after_help = "Examples:
  conary sync --root /srv/root              install, update and erase until the root is its model
  conary sync --root /srv/root --info       what it would do
A model is a text file, one statement a line:
  search conary.example.com@deb:12
  install sudo tzdata nginx-common==1.22.1_9-1-1
With a model, conary install, update and erase append a line to it and sync;
conary updateall moves NAME=VERSION specs (not NAME==VERSION) and syncs;
--model prints the new model instead. A system-model.next left by an
interrupted sync is finished by the next conary sync.")]
    Sync(commands::update::UpdateArgs),
    /// Update every installed trove to the latest on its branch
    #[command(after_help = "Example:\n  conary updateall --root /srv/root --info")]
    Updateall(commands::update::UpdateArgs),
    /// Query the installed system: one NAME=VERSION per line, or details
    #[command(
        visible_alias = "q",
        after_help = "Examples:
  conary q --root /srv/root                  every installed trove
  conary q sudo --info                        details and lineage
  conary q sudo --lsl                         files as ls -l shows them (or --ls, --tags)
  conary q --path /usr/bin/sudo               which trove owns a file
  conary q --what-provides 'deb: libssl3'     (or --what-requires)"
    )]
    Query(commands::query::QueryArgs),
    /// Show what on disk differs from what was installed (nothing: no output)
    #[command(after_help = "Examples:
  conary verify --all --root /srv/root
  conary verify sudo --diff")]
    Verify(commands::verify::VerifyArgs),
    /// List the rollback stack, newest first
    #[command(after_help = "Example:\n  conary rblist --root /srv/root")]
    Rblist,
    /// Undo the newest transactions (N of them, or back to r.N)
    #[command(
        visible_alias = "rb",
        after_help = "Examples:
  conary rollback 1 --root /srv/root          undo the last update
  conary rollback r.3 --info                  what undoing back to r.3 would do"
    )]
    Rollback(commands::rollback::RollbackArgs),
    /// Remove old rollbacks (the N oldest, or every one up to r.N)
    #[command(
        visible_alias = "rmrb",
        after_help = "Example:\n  conary rmrollback r.2 --root /srv/root"
    )]
    Rmrollback(commands::rollback::RmRollbackArgs),
    /// Complete or undo a transaction a crash interrupted
    #[command(after_help = "Example:\n  conary revert --root /srv/root")]
    Revert(commands::rollback::RevertArgs),
    /// Pin installed troves: never replaced nor erased; updates go beside them
    #[command(after_help = "Example:\n  conary pin libssl3 --root /srv/root")]
    Pin(commands::pin::PinArgs),
    /// Write the local changes of an installed trove as a changeset
    #[command(after_help = "Example:\n  conary localcs sudo:config sudo-local.ccs")]
    Localcs(commands::local::LocalcsArgs),
    /// Re-create the files of installed troves that were removed from disk
    Restore(commands::local::RestoreArgs),
    /// Stop managing installed files (the database forgets them; they stay)
    Remove(commands::local::RemoveArgs),
    /// Make the machine exactly GROUP: show the local changes, then install
    /// or update it overwriting them and erase everything else
    Migrate(commands::migrate::MigrateArgs),
    /// Unpin installed troves
    #[command(after_help = "Example:\n  conary unpin libssl3 --root /srv/root")]
    Unpin(commands::pin::PinArgs),
}

fn main() -> ExitCode {
    let cli = match conary_cli::exit::parse::<Cli>("conary") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    conary_cli::exit::finish("conary", run(&cli))
}

fn run(cli: &Cli) -> anyhow::Result<String> {
    match &cli.command {
        Command::Config { show_passwords } => {
            let config = cli.global.load_config()?;
            Ok(commands::config::render(&config, *show_passwords))
        }
        Command::Explain(args) => commands::explain::run(args),
        Command::Repquery(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::rq::run(args, &config, &source)
        }
        Command::Changeset(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            let written = commands::changeset::run(args, &config, &source)?;
            Ok(format!(
                "wrote {} ({} jobs, {} bytes)\n",
                written.path.display(),
                written.jobs.len(),
                written.bytes
            ))
        }
        Command::Showcs(args) => commands::showcs::run(args),
        Command::Commit(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::commit::run(args, &source)
        }
        Command::Update(args) => update(cli, Verb::Update, args),
        Command::Install(args) => update(cli, Verb::Install, args),
        Command::Erase(args) => update(cli, Verb::Erase, args),
        Command::Updateall(args) => update(cli, Verb::UpdateAll, args),
        Command::Patch(args) => update(cli, Verb::Patch, args),
        Command::Sync(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::sync::run(
                args,
                &cli.global.root(),
                &config,
                &source,
                &mut std::io::stdout(),
            )
        }
        Command::Query(args) => {
            let config = cli.global.load_config()?;
            let db = conary_cli::system::open_readonly(&cli.global.root())?;
            commands::query::run(args, &config, &db)
        }
        Command::Verify(args) => {
            let config = cli.global.load_config()?;
            let db = conary_cli::system::open_readonly(&cli.global.root())?;
            let source = args
                .diff
                .then(|| conary_cli::source::open(&config).ok())
                .flatten();
            let source = source.as_ref().map(|s| s as &dyn conary_api::TroveSource);
            commands::verify::run(args, &db, source)
        }
        Command::Rblist => {
            let db = conary_cli::system::open_readonly(&cli.global.root())?;
            commands::rollback::list(&db)
        }
        Command::Rollback(args) => {
            let config = cli.global.load_config()?;
            // Contents the rollback refers to come from the repositories;
            // a rollback that carries them all needs none.
            let source = conary_cli::source::open(&config).ok();
            commands::rollback::run(
                args,
                &cli.global.root(),
                &config,
                source.as_ref().map(|s| s as &dyn conary_api::TroveSource),
                &mut std::io::stdout(),
            )
        }
        Command::Rmrollback(args) => commands::rollback::remove(args, &cli.global.root()),
        Command::Revert(args) => commands::rollback::revert(args, &cli.global.root()),
        Command::Pin(args) => commands::pin::run(args, &cli.global.root(), true),
        Command::Unpin(args) => commands::pin::run(args, &cli.global.root(), false),
        Command::Localcs(args) => commands::local::localcs(args, &cli.global.root()),
        Command::Restore(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config).ok();
            let source = source.as_ref().map(|s| s as &dyn conary_api::TroveSource);
            commands::local::restore_files(args, &cli.global.root(), source)
        }
        Command::Remove(args) => commands::local::remove(args, &cli.global.root()),
        Command::Migrate(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::migrate::run(
                args,
                &cli.global.root(),
                &config,
                &source,
                &mut std::io::stdout(),
            )
        }
    }
}

/// `conary update`, `install`, `erase` and `updateall`.
fn update(cli: &Cli, verb: Verb, args: &commands::update::UpdateArgs) -> anyhow::Result<String> {
    let config = cli.global.load_config()?;
    let source = conary_cli::source::open(&config)?;
    commands::update::run(
        verb,
        args,
        &cli.global.root(),
        &config,
        &source,
        &mut std::io::stdout(),
    )
}
