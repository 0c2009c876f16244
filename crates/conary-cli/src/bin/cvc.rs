//! The `cvc` command: build, branch and import software into repositories.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conary_build::import::batch::TargetError;
use conary_cli::commands;
use conary_cli::commands::import_deb::SourceTarget;
use conary_cli::commands::source_control;
use conary_cli::global::GlobalArgs;
use conary_cli::progress::ImportReporter;

/// cvc: put software into repositories.
#[derive(Parser)]
#[command(
    name = "cvc",
    version,
    after_help = "Example:
  cvc import-deb ./debs/*.deb --label conary.example.com@deb:12 --config-file ./conaryrc
  cvc newpkg hello --config 'buildLabel conary.example.com@rpl:2'; cd hello; cvc commit -m 'first'"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    /// Print a line on standard error as each package starts (when not on a terminal)
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import Debian packages onto a label, oldest first; re-importing is a no-op
    #[command(after_help = "Examples:
  cvc import-deb sudo_1.9.13p3-1+deb12u2_amd64.deb sudo_1.9.13p3-1+deb12u4_amd64.deb \\
      --label conary.example.com@deb:12 \\
      --config 'repositoryMap conary.example.com http://127.0.0.1:8080/' \\
      --config 'user conary.example.com admin secret'
prints one line per package: 'imported NAME=VERSION' or 'already present NAME=VERSION'")]
    ImportDeb(commands::import_deb::ImportDebArgs),
    /// Create a checkout of a new package: NAME/NAME.recipe and NAME/CONARY
    #[command(after_help = "Example:
  cvc newpkg hello --config 'buildLabel conary.example.com@rpl:2'
creates ./hello with hello.recipe (fill in version) tracked; commits go to the buildLabel")]
    Newpkg(source_control::NewpkgArgs),
    /// Check out a source trove (NAME:source) into a directory
    #[command(
        visible_alias = "co",
        after_help = "Examples:
  cvc checkout hello                 (the newest on the buildLabel, into ./hello)
  cvc checkout hello=1.0-1 --dir old (that revision on the buildLabel)
  cvc checkout hello=conary.example.com@rpl:devel"
    )]
    Checkout(source_control::CheckoutArgs),
    /// Track files of the checkout in the current directory
    #[command(after_help = "Example (in a checkout):
  cvc add fix-build.patch hello.conf")]
    Add(source_control::FilesArgs),
    /// Stop tracking files of the checkout and delete them
    #[command(
        visible_alias = "rm",
        after_help = "Example (in a checkout):
  cvc remove old.patch"
    )]
    Remove(source_control::FilesArgs),
    /// Commit the checkout in the current directory as a new source version
    #[command(
        visible_alias = "ci",
        after_help = "Example (in a checkout):
  cvc commit -m 'update to 1.1'
prints 'committed NAME:source=VERSION'; the version comes from the recipe's
version and the branch's source counts (1.1-1, then 1.1-2, ...)"
    )]
    Commit(source_control::CommitArgs),
    /// Show the checkout's changes against the version it holds
    #[command(after_help = "Example (in a checkout):
  cvc diff
prints a unified diff per changed, added or removed file")]
    Diff,
    /// Show the versions of a source trove, newest first, with their messages
    #[command(after_help = "Examples:
  cvc log hello      (on the buildLabel)
  cvc log            (in a checkout: its package, on its branch's label)")]
    Log(source_control::LogArgs),
    /// Show the differences between two versions of a source trove
    #[command(after_help = "Example:
  cvc rdiff hello 1.0-1 1.0-2
OLD and NEW are revisions on the buildLabel (1.0-2, or 1.0 for its newest) or full versions")]
    Rdiff(source_control::RdiffArgs),
    /// Build a recipe: into a changeset file, or from the repository into it
    #[command(after_help = "Examples:
  cvc cook hello.recipe                 (a local recipe: writes hello-1.0.ccs)
  cvc cook .                            (the checkout in the current directory)
  cvc cook hello=conary.example.com@rpl:devel
                                        (the committed hello:source, cooked and committed
                                         with the next build count)
  cvc cook 'hello=:devel[ssl]' 'hello=:devel[!ssl]'
                                        (two flavors of one source, one version)
  cvc cook group-dist=conary.example.com@rpl:devel
                                        (a group: every member bound to an exact version)
prints 'committed NAME=VERSION[FLAVOR]' for each trove (or 'built ...' and 'wrote FILE');
a failure names the recipe line and shows the end of the build log")]
    Cook(commands::cook::CookArgs),
    /// Shadow troves onto a label (same or another server): /parent//label
    #[command(after_help = "Examples:
  cvc shadow b.example.com@rpl:mypatch kernel
                       (kernel:source and kernel with its components, every flavor of its
                        newest build, as /PARENT-BRANCH//b.example.com@rpl:mypatch/REVISION)
  cvc shadow :mypatch kernel=2.6.5-1 --source-only --info
prints 'committed NAME=VERSION[FLAVOR]' per new trove, 'already shadowed ...' for the others;
file contents are not copied: the shadow's troves reference the parent's files")]
    Shadow(commands::shadow::ShadowArgs),
    /// Branch source troves off a source version: /label/1.2-3/child
    #[command(after_help = "Example:
  cvc branch conary.example.com@rpl:stable hello=1.2-3
creates hello:source=/conary.example.com@rpl:devel/1.2-3/stable/1.2-3; check it out with
hello=conary.example.com@rpl:stable, commits count on (1.2-4). Use a branch only for divergent
development; a shadow follows its parent (cvc merge)")]
    Branch(commands::shadow::BranchArgs),
    /// In a shadow's checkout: merge the parent branch's newer source version
    #[command(after_help = "Example (in a checkout of kernel on /linux26//mypatch):
  cvc merge
prints 'merged kernel:source=/…/linux26/2.6.6-1', 'M FILE' per merged file and 'C FILE' per
conflict (text files hold <<<<<<< ours / ||||||| original / ======= / >>>>>>> theirs markers;
binary files keep the local version); cvc commit then numbers the shadow after the merged
parent (2.6.6-1.1)")]
    Merge,
    /// Shadow a binary package and check out a derived recipe that changes its files
    #[command(after_help = "Example:
  cvc derive foo=conary.example.com@rpl:devel --target conary.example.com@rpl:custom
shadows foo (with its source) onto the target and checks it out in ./foo with a recipe
saying `derived = True`; its setup(r) changes the parent's files (r.Create('/etc/foo.conf',
contents = ...), r.Remove(...)); cvc commit, then cvc cook foo=conary.example.com@rpl:custom
commits the derived package (derivedFrom the parent; unchanged files by reference)")]
    Derive(commands::derive::DeriveArgs),
    /// Copy troves to a related branch (a sibling shadow, the parent), recording clonedFrom
    #[command(after_help = "Examples:
  cvc clone /conary.example.com@rpl:qa hello=conary.example.com@rpl:dev --with-sources
  cvc clone /conary.example.com@rpl:1//qa 'hello=:dev[ssl]' --info
prints 'committed NAME=VERSION[FLAVOR]' per new trove, 'already cloned ...' for troves
cloned before (from the same version)")]
    Clone(commands::promote::CloneArgs),
    /// Promote groups (and what they hold) from one label to another
    #[command(after_help = "Examples:
  cvc promote group-dist :dev--:qa          (labels relative to the buildLabel)
  cvc promote group-dist @rpl:qa--@rpl:prod --info
  cvc promote group-dist conary.example.com@rpl:qa--conary.example.com@rpl:prod
clones every trove of the group on FROM (with its source and every flavor of its cook)
to TO in one commit; promoting again says 'nothing to promote'")]
    Promote(commands::promote::PromoteArgs),
    /// Redirect a trove to another name or branch: updates follow it
    #[command(after_help = "Examples:
  cvc redirect oldname=conary.example.com@rpl:1 newname=conary.example.com@rpl:1
  cvc redirect foo=/conary.example.com@rpl:1 foo=/other.example.com@rpl:1
  cvc redirect big=conary.example.com@rpl:1 big-a=conary.example.com@rpl:1 big-b=conary.example.com@rpl:1
commits a redirect (the next build count) on the old branch for every flavor of the
newest trove there; 'conary update NAME' then erases it and installs the target")]
    Redirect(commands::redirect::RedirectArgs),
    /// Mark troves removed in the repository (admin): a stub stays, contents go
    #[command(after_help = "Example:
  cvc markremoved foo=/conary.example.com@rpl:1/1.0-1-2
prints 'removed NAME=VERSION[FLAVOR]' for each trove (a package takes its components);
updates and queries step around removed troves")]
    Markremoved(commands::markremoved::MarkRemovedArgs),
}

fn main() -> ExitCode {
    let cli = match conary_cli::exit::parse::<Cli>("cvc") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    conary_cli::exit::finish("cvc", run(&cli))
}

fn run(cli: &Cli) -> anyhow::Result<String> {
    match &cli.command {
        Command::ImportDeb(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            let commit =
                |path: &std::path::Path| conary_cli::source::commit_for_import(&source, path);
            let target = SourceTarget {
                source: &source,
                commit: &commit,
            };
            let reporter = ImportReporter::stderr(cli.verbose);
            let result = commands::import_deb::run(args, &target, &reporter);
            reporter.finish();
            result
        }
        Command::Newpkg(args) => {
            let config = cli.global.load_config()?;
            source_control::newpkg(args, &config, &current_dir()?)
        }
        Command::Add(args) => source_control::add(args, &current_dir()?),
        Command::Remove(args) => source_control::remove(args, &current_dir()?),
        Command::Checkout(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            source_control::checkout_command(args, &config, &source, &current_dir()?)
        }
        Command::Commit(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            let commit = |path: &std::path::Path| -> Result<(), TargetError> {
                source.commit_file(path)?;
                Ok(())
            };
            source_control::commit(args, &config, &source, &commit, &current_dir()?)
        }
        Command::Diff => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            source_control::diff(&source, &current_dir()?)
        }
        Command::Log(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            source_control::log(args, &config, &source, &current_dir()?)
        }
        Command::Cook(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            let root = cli.global.root();
            let reporter = conary_cli::progress::StepReporter::stderr(cli.verbose);
            let step = |what: &str| reporter.step(what);
            let env = commands::cook::CookEnv {
                config: &config,
                source: Some(&source),
                root: &root,
                step: &step,
            };
            let result = commands::cook::run(args, &env);
            reporter.finish();
            result
        }
        Command::Shadow(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::shadow::shadow(args, &config, &source)
        }
        Command::Branch(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::shadow::branch(args, &config, &source)
        }
        Command::Merge => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::merge::run(&source, &current_dir()?)
        }
        Command::Derive(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::derive::run(args, &config, &source, &current_dir()?)
        }
        Command::Clone(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::promote::clone_command(args, &config, &source)
        }
        Command::Promote(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::promote::promote_command(args, &config, &source)
        }
        Command::Redirect(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::redirect::run(args, &source)
        }
        Command::Markremoved(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::markremoved::run(args, &config, &source)
        }
        Command::Rdiff(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            source_control::rdiff(args, &config, &source)
        }
    }
}

/// The current directory (the checkout for add, remove, commit, diff, log).
fn current_dir() -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context as _;
    std::env::current_dir().context("cannot read the current directory")
}
