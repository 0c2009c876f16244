//! `cvc cook`: build a recipe into a changeset file, or a committed
//! `:source` into the repository with the next build count.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use clap::Args;
use conary_api::find::Finder;
use conary_api::{TroveQuery, TroveSource};
use conary_build::cook::{
    self, Assembled, BuiltFlavor, CookOptions, FactoryRecipe, SourceTree, assemble_groups,
    assemble_packages, extract_source, local_version,
};
use conary_build::group::{GroupContext, cook_group};
use conary_build::recipe::model::{Recipe, RecipeKind};
use conary_client::NetworkSource;
use conary_core::config::Config;
use conary_core::flavor::{Flavor, FlavorPreferences, MergeMode};
use conary_core::name::TroveName;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_core::troveinfo::TroveInfo;
use conary_core::version::{Label, Version, VersionSpec};

/// Arguments of `cvc cook`.
#[derive(Debug, Clone, Args)]
pub struct CookArgs {
    /// What to cook: a recipe file or a checkout directory (built into a
    /// changeset file), or NAME[=VERSION-OR-LABEL][[FLAVOR]] (the committed
    /// source, built into the repository); several flavors of one name
    /// cook together into one version
    #[arg(value_name = "RECIPE|DIR|NAME[=LABEL][[FLAVOR]]", required = true)]
    pub targets: Vec<String>,
    /// Write the changeset here instead of committing it (or, for a local
    /// recipe, instead of NAME-VERSION.ccs)
    #[arg(long, value_name = "FILE.ccs")]
    pub to_file: Option<PathBuf>,
    /// Cook for this flavor (merged over the build flavor); repeatable
    #[arg(long, value_name = "FLAVOR")]
    pub flavor: Vec<String>,
    /// Set a macro, 'NAME VALUE'; repeatable
    #[arg(long = "macro", value_name = "'NAME VALUE'")]
    pub macros: Vec<String>,
    /// Cook even when build requirements are not installed (they are then
    /// not recorded)
    #[arg(long)]
    pub ignore_buildreqs: bool,
    /// Directory of downloaded sources: a URL source is taken from
    /// DIR/<file name> (default: config `lookaside`)
    #[arg(long, value_name = "DIR")]
    pub source_cache: Option<PathBuf>,
    /// Print the build log after a successful cook too
    #[arg(long)]
    pub show_log: bool,
}

/// Everything a cook needs from the command line around it.
pub struct CookEnv<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The repositories (absent when none is configured and only local
    /// package recipes are cooked).
    pub source: Option<&'a NetworkSource>,
    /// The system root whose installed troves are the build requirements.
    pub root: &'a Path,
    /// Told each step as it starts (`building hello[is: x86_64]`).
    pub step: &'a dyn Fn(&str),
}

/// Runs `cvc cook`; returns the lines to print.
pub fn run(args: &CookArgs, env: &CookEnv<'_>) -> anyhow::Result<String> {
    let options = CookOptions {
        cache: args
            .source_cache
            .clone()
            .or_else(|| env.config.lookaside.as_ref().map(PathBuf::from)),
        macros: parse_macros(&args.macros)?,
        mtime: 0,
        // Policy tags files by the tag descriptions installed there too.
        build_root: Some(env.root.to_path_buf()),
    };
    let base = base_flavor(env.config)?;
    let extra: Vec<Flavor> = args
        .flavor
        .iter()
        .map(|text| {
            text.parse()
                .with_context(|| format!("invalid --flavor '{text}'"))
        })
        .collect::<anyhow::Result<_>>()?;

    // Local targets (paths) each cook alone; repository targets group by
    // name and version so that their flavors share one build.
    let mut out = String::new();
    let mut remote: BTreeMap<(String, Option<String>), Vec<Option<Flavor>>> = BTreeMap::new();
    for target in &args.targets {
        let path = Path::new(target);
        if path.exists() {
            out.push_str(&cook_local(args, env, path, &options, &base, &extra)?);
            continue;
        }
        let spec: TroveSpec = target.parse().with_context(|| {
            format!("'{target}' is neither a recipe, a directory nor a trove spec")
        })?;
        let key = (
            spec.name().to_string(),
            spec.version().map(ToString::to_string),
        );
        remote.entry(key).or_default().push(spec.flavor().cloned());
    }
    for ((name, version), flavors) in remote {
        let source = env.source.context(
            "cooking from a repository needs a repositoryMap for its label in the configuration",
        )?;
        let mut cook_flavors = Vec::new();
        for flavor in flavors {
            cook_flavors.extend(flavors_for(&base, flavor.as_ref(), &extra)?);
        }
        out.push_str(&cook_remote(
            args,
            env,
            source,
            &name,
            version.as_deref(),
            &cook_flavors,
            &options,
        )?);
    }
    Ok(out)
}

/// `NAME VALUE` pairs of `--macro`.
fn parse_macros(lines: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    lines
        .iter()
        .map(|line| {
            let (name, value) = line
                .trim()
                .split_once(char::is_whitespace)
                .with_context(|| format!("invalid --macro '{line}': expected 'NAME VALUE'"))?;
            Ok((name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// The flavor cooks start from: `buildFlavor`, else the first `flavor`
/// line, else the machine's instruction set.
fn base_flavor(config: &Config) -> anyhow::Result<Flavor> {
    if let Some(flavor) = &config.build_flavor {
        return Ok(flavor.clone());
    }
    if let Some(flavor) = config.flavor.first() {
        return Ok(flavor.clone());
    }
    let arch = std::env::consts::ARCH;
    format!("is: {arch}")
        .parse()
        .with_context(|| format!("no flavor for this machine's architecture '{arch}'"))
}

/// The flavors to cook: the target's own (or each `--flavor`, or none)
/// merged over the base flavor.
fn flavors_for(
    base: &Flavor,
    own: Option<&Flavor>,
    extra: &[Flavor],
) -> anyhow::Result<Vec<Flavor>> {
    let asked: Vec<Option<&Flavor>> = match own {
        Some(flavor) => vec![Some(flavor)],
        None if !extra.is_empty() => extra.iter().map(Some).collect(),
        None => vec![None],
    };
    asked
        .into_iter()
        .map(|flavor| {
            let mut cook = base.clone();
            if let Some(flavor) = flavor {
                cook.union(flavor, MergeMode::Override)
                    .with_context(|| format!("cannot cook for [{flavor}] over [{base}]"))?;
            }
            Ok(cook)
        })
        .collect()
}

/// Seconds since the epoch, now.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// Who cooks: config `name` <`contact`>, else $USER.
pub(crate) fn builder(config: &Config) -> String {
    match (&config.name, &config.contact) {
        (Some(name), Some(contact)) => format!("{name} <{contact}>"),
        (Some(name), None) => name.clone(),
        (None, Some(contact)) => contact.clone(),
        (None, None) => std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()),
    }
}

/// The lineage every trove of a cook carries.
fn lineage(
    args: &CookArgs,
    env: &CookEnv<'_>,
    recipe: &Recipe,
    source_version: Option<&Version>,
    factory: Option<&TroveTuple>,
) -> anyhow::Result<TroveInfo> {
    let mut info = TroveInfo {
        source_name: Some(
            format!("{}:source", recipe.name)
                .parse()
                .with_context(|| format!("invalid recipe name '{}'", recipe.name))?,
        ),
        source_version: source_version.cloned(),
        build_time: Some(now()),
        builder: Some(builder(env.config)),
        conary_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        build_requirements: build_requirements(args, env, recipe)?,
        ..TroveInfo::default()
    };
    if let Some(factory) = factory {
        info.factory = Some(
            factory
                .name
                .to_string()
                .trim_end_matches(":source")
                .to_owned(),
        );
        info.loaded_troves.insert(factory.clone());
    } else if let Some(name) = &recipe.factory {
        info.factory = Some(name.clone());
    }
    Ok(info)
}

/// The recipe's build requirements bound to the exact troves installed in
/// the root; a missing one stops the cook unless `--ignore-buildreqs`.
fn build_requirements(
    args: &CookArgs,
    env: &CookEnv<'_>,
    recipe: &Recipe,
) -> anyhow::Result<BTreeSet<TroveTuple>> {
    let mut bound = BTreeSet::new();
    if recipe.build_requires.is_empty() {
        return Ok(bound);
    }
    let has_db = env.root.join("var/lib/conarydb").exists();
    let db = if has_db {
        Some(
            conary_system::db::Database::open_readonly(env.root).with_context(|| {
                format!("cannot read the installed troves of {}", env.root.display())
            })?,
        )
    } else {
        None
    };
    let mut missing = Vec::new();
    for text in &recipe.build_requires {
        let spec: TroveSpec = text
            .parse()
            .with_context(|| format!("{}: invalid build requirement '{text}'", recipe.file))?;
        let installed: Vec<TroveTuple> = match &db {
            Some(db) => db
                .installed_named(spec.name())?
                .into_iter()
                .filter(|tuple| spec.version().is_none_or(|v| v.matches(&tuple.version)))
                .collect(),
            None => Vec::new(),
        };
        if installed.is_empty() {
            missing.push(text.clone());
        }
        bound.extend(installed);
    }
    if !missing.is_empty() && !args.ignore_buildreqs {
        bail!(
            "{}: build requirements not installed in {}: {} (install them, or cook with --ignore-buildreqs)",
            recipe.file,
            env.root.display(),
            missing.join(", ")
        );
    }
    Ok(bound)
}

/// A working directory for builds, removed afterwards.
fn work_dir(config: &Config) -> anyhow::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("cvc-cook-");
    match &config.build_path {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create buildPath {dir}"))?;
            builder.tempdir_in(dir)
        }
        None => builder.tempdir(),
    }
    .context("cannot create a build directory")
}

/// Builds every flavor of a package recipe, or binds a group recipe.
#[allow(clippy::too_many_arguments)]
fn build_all(
    env: &CookEnv<'_>,
    tree: &SourceTree,
    factory: Option<&FactoryRecipe>,
    flavors: &[Flavor],
    options: &CookOptions,
    work: &Path,
    show_log: bool,
    log_out: &mut String,
) -> anyhow::Result<(Recipe, Vec<BuiltFlavor>)> {
    let mut built = Vec::new();
    let mut first: Option<Recipe> = None;
    for flavor in flavors {
        let recipe = cook::evaluate_tree(tree, flavor, factory)?;
        if recipe.kind == RecipeKind::Group {
            return Ok((recipe, Vec::new()));
        }
        if recipe.kind == RecipeKind::Factory {
            bail!(
                "{}: '{}' is a factory: commit it as source, then name it in a package's `factory`",
                recipe.file,
                recipe.name
            );
        }
        (env.step)(&format!("building {}[{flavor}]", recipe.name));
        let mut log = Vec::new();
        let flavor_built =
            cook::build_flavor(tree, recipe.clone(), flavor, options, work, &mut log).map_err(
                |error| {
                    let text = String::from_utf8_lossy(&log);
                    let tail: Vec<&str> = text.lines().rev().take(20).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    anyhow::anyhow!(error.to_string()).context(if tail.is_empty() {
                        "cook failed".to_owned()
                    } else {
                        format!("cook failed; the build log ends:\n{}", tail.join("\n"))
                    })
                },
            )?;
        if show_log {
            log_out.push_str(&String::from_utf8_lossy(&flavor_built.log));
        }
        first.get_or_insert(recipe);
        built.push(flavor_built);
    }
    let recipe = first.context("no flavor to cook")?;
    Ok((recipe, built))
}

/// The changeset of a cook: the built package flavors with `version` and
/// `info`, or, for a group recipe, its groups bound on the search labels
/// (`first`, then the configuration's).
fn assemble(
    env: &CookEnv<'_>,
    recipe: &Recipe,
    built: &[BuiltFlavor],
    flavors: &[Flavor],
    version: Version,
    info: TroveInfo,
    first: Option<&Label>,
) -> anyhow::Result<Assembled> {
    if recipe.kind != RecipeKind::Group {
        return Ok(assemble_packages(built, &version, &info)?);
    }
    let source = env
        .source
        .context("a group recipe binds troves from a repository: configure one")?;
    let groups = cook_group(
        recipe,
        &GroupContext {
            source,
            label_path: super::search_labels(
                env.config,
                first.map(std::slice::from_ref).unwrap_or_default(),
            ),
            flavor: flavors.first().cloned().unwrap_or_default(),
            version,
            info,
            auto_resolve: env.config.auto_resolve,
        },
    )?;
    Ok(assemble_groups(groups.groups)?)
}

/// The result lines of a cook.
fn report(word: &str, assembled: &Assembled) -> String {
    let mut out = String::new();
    for tuple in &assembled.troves {
        let _ = writeln!(out, "{word} {tuple}");
    }
    out
}

/// `cvc cook FILE.recipe|DIR`: a changeset file.
fn cook_local(
    args: &CookArgs,
    env: &CookEnv<'_>,
    path: &Path,
    options: &CookOptions,
    base: &Flavor,
    extra: &[Flavor],
) -> anyhow::Result<String> {
    let tree = if path.is_dir() {
        SourceTree::from_dir(path)?
    } else {
        SourceTree::from_recipe(path)?
    };
    let mut options = options.clone();
    options.mtime = std::fs::metadata(tree.dir.join(&tree.recipe_file))
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |elapsed| elapsed.as_secs());
    let flavors = flavors_for(base, None, extra)?;
    let metadata =
        conary_build::recipe::evaluate_metadata(&tree.recipe_file, &tree.recipe_text()?)?;
    if metadata.derived {
        bail!(
            "{}: a derived recipe cooks from its parent in the repository: cvc commit, then cvc cook {}=LABEL",
            tree.recipe_file,
            metadata.name
        );
    }
    let factory = match &metadata.factory {
        Some(name) => {
            let source = env
                .source
                .context("the recipe names a factory: configure the repository that holds it")?;
            Some(fetch_factory(env, source, name, &[])?)
        }
        None => None,
    };
    let work = work_dir(env.config)?;
    let mut out = String::new();
    let (recipe, built) = build_all(
        env,
        &tree,
        factory.as_ref().map(|(recipe, _)| recipe),
        &flavors,
        &options,
        work.path(),
        args.show_log,
        &mut out,
    )?;
    let version = local_version(&recipe.version)?;
    let info = lineage(
        args,
        env,
        &recipe,
        None,
        factory.as_ref().map(|(_, tuple)| tuple),
    )?;
    let assembled = assemble(env, &recipe, &built, &flavors, version, info, None)?;
    let file = args
        .to_file
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.ccs", recipe.name, recipe.version)));
    assembled.write(&file)?;
    out.push_str(&report("built", &assembled));
    let _ = writeln!(out, "wrote {}", file.display());
    Ok(out)
}

/// The factory's recipe from its `:source` trove on the search path.
fn fetch_factory(
    env: &CookEnv<'_>,
    source: &NetworkSource,
    name: &str,
    first: &[Label],
) -> anyhow::Result<(FactoryRecipe, TroveTuple)> {
    let spec: TroveSpec = format!("{name}:source")
        .parse()
        .with_context(|| format!("invalid factory name '{name}'"))?;
    let labels = super::search_labels(env.config, first);
    let finder = Finder::new(source, labels, Vec::new(), FlavorPreferences::default());
    let tuple = finder
        .find_one(&spec)
        .with_context(|| format!("factory '{name}' not found"))?;
    let dir = tempfile::Builder::new()
        .prefix("cvc-factory-")
        .tempdir()
        .context("cannot create a directory for the factory")?;
    extract_source(source, &tuple, dir.path())?;
    let file = format!("{name}.recipe");
    let text = std::fs::read_to_string(dir.path().join(&file))
        .with_context(|| format!("factory {tuple} has no {file}"))?;
    Ok((FactoryRecipe { file, text }, tuple))
}

/// `cvc cook NAME=LABEL[FLAVOR]…`: the committed source, cooked and
/// committed with the next build count.
fn cook_remote(
    args: &CookArgs,
    env: &CookEnv<'_>,
    source: &NetworkSource,
    name: &str,
    version: Option<&str>,
    flavors: &[Flavor],
    options: &CookOptions,
) -> anyhow::Result<String> {
    let base_name = name.split(':').next().unwrap_or(name);
    let spec_text = match version {
        Some(version) => format!("{base_name}:source={version}"),
        None => format!("{base_name}:source"),
    };
    let spec: TroveSpec = spec_text
        .parse()
        .with_context(|| format!("invalid trove spec '{spec_text}'"))?;
    let labels = super::search_labels(env.config, &[]);
    if labels.is_empty() && version.is_none() {
        bail!("cannot find {spec_text}: set buildLabel or name a label ({base_name}=LABEL)");
    }
    let finder = Finder::new(source, labels, Vec::new(), FlavorPreferences::default());
    let source_tuple = finder
        .find_one(&spec)
        .with_context(|| format!("cannot cook {name}"))?;
    let label = source_tuple.version.trailing_label().clone();
    if !matches!(
        spec.version(),
        Some(VersionSpec::Version(_) | VersionSpec::Branch(_))
    ) {
        // A label branched twice names two branches: say so rather than
        // cook whichever committed last.
        let mut branches: Vec<String> =
            conary_build::source::source_versions(source, spec.name(), &label)?
                .iter()
                .map(|tuple| tuple.version.without_timestamps().branch().to_string())
                .collect();
        branches.sort();
        branches.dedup();
        if branches.len() > 1 {
            bail!(
                "{spec_text}: {label} names several branches ({}); name one whole, e.g. {base_name}={}",
                branches.join(", "),
                branches[0]
            );
        }
    }

    (env.step)(&format!("fetching {source_tuple}"));
    let checkout = tempfile::Builder::new()
        .prefix("cvc-source-")
        .tempdir()
        .context("cannot create a directory for the source")?;
    extract_source(source, &source_tuple, checkout.path())?;
    let tree = SourceTree::from_dir(checkout.path())?;
    let mut options = options.clone();
    options.mtime = source_tuple
        .version
        .timestamp()
        .map_or(0, |timestamp| timestamp.as_millis() / 1000);
    let metadata =
        conary_build::recipe::evaluate_metadata(&tree.recipe_file, &tree.recipe_text()?)?;
    if metadata.derived {
        let flavor = flavors.first().cloned().unwrap_or_default();
        return super::derive::cook(
            source,
            &super::derive::DerivedCook {
                config: env.config,
                source_tuple: &source_tuple,
                tree: &tree,
                flavor: &flavor,
                options: &options,
                to_file: args.to_file.as_deref(),
            },
        );
    }
    let factory = match &metadata.factory {
        Some(factory) => Some(fetch_factory(
            env,
            source,
            factory,
            std::slice::from_ref(&label),
        )?),
        None => None,
    };
    let work = work_dir(env.config)?;
    let mut out = String::new();
    let (recipe, built) = build_all(
        env,
        &tree,
        factory.as_ref().map(|(recipe, _)| recipe),
        flavors,
        &options,
        work.path(),
        args.show_log,
        &mut out,
    )?;
    let trove_name: TroveName = recipe
        .name
        .parse()
        .with_context(|| format!("invalid recipe name '{}'", recipe.name))?;
    let existing: Vec<Version> = source
        .trove_versions(
            &TroveQuery::on_branch(source_tuple.version.branch().binary_branch())
                .named([trove_name])
                .all_versions(),
        )?
        .into_iter()
        .map(|tuple| tuple.version)
        .collect();
    let version = Version::next_build_version(&source_tuple.version, &existing)
        .with_context(|| format!("no next build version for {source_tuple}"))?;
    let info = lineage(
        args,
        env,
        &recipe,
        Some(&source_tuple.version),
        factory.as_ref().map(|(_, tuple)| tuple),
    )?;
    let assembled = assemble(env, &recipe, &built, flavors, version, info, Some(&label))?;
    if let Some(file) = &args.to_file {
        assembled.write(file)?;
        out.push_str(&report("built", &assembled));
        let _ = writeln!(out, "wrote {}", file.display());
        return Ok(out);
    }
    (env.step)(&format!(
        "committing {} troves of {}",
        assembled.troves.len(),
        recipe.name
    ));
    let spool = work.path().join("cook.ccs");
    assembled.write(&spool)?;
    let result = source
        .commit_file(&spool)
        .with_context(|| format!("cannot commit the cook of {source_tuple}"))?;
    out.push_str(&super::commit::lines(&result));
    Ok(out)
}
