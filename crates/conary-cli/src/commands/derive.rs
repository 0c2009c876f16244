//! `cvc derive` (a package shadowed and a checkout with a derived
//! recipe) and the cook of a derived recipe (`derived = True`), over
//! `conary_build::derive` and `conary_build::shadow`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;
use conary_api::{TroveQuery, TroveSource};
use conary_build::cook::{CookOptions, SourceTree};
use conary_build::derive::{
    DeriveRequest, cook_derived, derived_recipe, extract_parent, find_parent,
};
use conary_build::shadow::{ShadowOptions, Target, plan};
use conary_build::source::{checkout, new_package, resolve_source};
use conary_client::NetworkSource;
use conary_core::config::Config;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_core::version::{Label, Version};

/// Arguments of `cvc derive`.
#[derive(Debug, Clone, Args)]
pub struct DeriveArgs {
    /// The package to derive from: NAME[=VERSION][[FLAVOR]]
    #[arg(value_name = "NAME[=VERSION]")]
    pub trove: String,
    /// The label of the derived package (default: the buildLabel)
    #[arg(long, value_name = "LABEL")]
    pub target: Option<String>,
    /// The checkout directory to create (default: ./NAME)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Also write the parent's files under DIR/_ROOT_ (not tracked)
    #[arg(long)]
    pub extract: bool,
}

/// `cvc derive`: shadows the package (and its source) onto the target
/// label and checks the shadow out with a derived recipe.
pub fn run(
    args: &DeriveArgs,
    config: &Config,
    source: &NetworkSource,
    cwd: &Path,
) -> anyhow::Result<String> {
    let spec: TroveSpec = args
        .trove
        .parse()
        .with_context(|| format!("invalid trove spec '{}'", args.trove))?;
    if spec.name().is_component() {
        bail!("derive a package, not the component {}", spec.name());
    }
    let label: Label = match &args.target {
        Some(text) => text
            .parse()
            .with_context(|| format!("invalid target label '{text}'"))?,
        None => config
            .build_label
            .clone()
            .context("give --target LABEL or set buildLabel")?,
    };
    let label_path = super::search_labels(config, &[]);
    let target = Target::Shadow(label.clone());
    let planned = plan(
        source,
        &target,
        std::slice::from_ref(&spec),
        &label_path,
        ShadowOptions::default(),
    )?;
    let mut out = String::new();
    if !planned.is_noop() {
        let spool = tempfile::Builder::new()
            .prefix("cvc-derive-")
            .tempdir()
            .context("cannot create a temporary directory")?;
        let file = spool.path().join("shadow.ccs");
        planned.write_changeset(source, &file)?;
        let result = source
            .commit_file(&file)
            .context("cannot commit the shadow")?;
        out.push_str(&super::commit::lines(&result));
    }
    let package = planned
        .items
        .iter()
        .find(|item| &item.new.name == spec.name())
        .with_context(|| format!("{} has no binary package to derive from", spec.name()))?;
    let upstream = package
        .new
        .version
        .trailing_revision()
        .upstream()
        .to_owned();
    let name = spec.name().package_str().to_owned();
    let dir = args.dir.clone().unwrap_or_else(|| cwd.join(&name));
    let source_item = planned.items.iter().find(|item| item.new.name.is_source());
    let made = match source_item {
        Some(item) => {
            let tuple = resolve_source(
                source,
                &item.new.name,
                Some(&item.new.version.to_string()),
                None,
            )?;
            checkout(source, &tuple, &dir)?
        }
        None => new_package(&dir, &name, package.new.version.branch())?,
    };
    let recipe = made.recipe_file();
    let path = dir.join(&recipe);
    std::fs::write(&path, derived_recipe(&name, &upstream))
        .with_context(|| format!("cannot write {}", path.display()))?;
    made.save()?;
    if args.extract {
        let parent = source
            .troves(std::slice::from_ref(&package.parent))
            .context("cannot read the parent package")?
            .into_iter()
            .next()
            .context("the parent package is gone")?;
        extract_parent(source, &parent, &dir.join("_ROOT_"))?;
    }
    let _ = writeln!(
        out,
        "derived {}={} in {} (edit {recipe}, cvc commit, then cvc cook {name}={label})",
        name,
        package.new.version,
        dir.display()
    );
    Ok(out)
}

/// What the cook of a derived recipe needs from `cvc cook`.
pub struct DerivedCook<'a> {
    /// The configuration (builder).
    pub config: &'a Config,
    /// The committed derived source.
    pub source_tuple: &'a TroveTuple,
    /// Its files, extracted.
    pub tree: &'a SourceTree,
    /// The flavor the recipe is evaluated for.
    pub flavor: &'a Flavor,
    /// Cook settings.
    pub options: &'a CookOptions,
    /// Where to write the changeset instead of committing it.
    pub to_file: Option<&'a Path>,
}

/// Cooks a derived recipe onto the source's branch: the parent's files
/// changed by the recipe, committed with the next build count; returns
/// the lines to print.
pub fn cook(source: &NetworkSource, cook: &DerivedCook<'_>) -> anyhow::Result<String> {
    let recipe = conary_build::cook::evaluate_tree(cook.tree, cook.flavor, None)?;
    let name: TroveName = recipe
        .name
        .parse()
        .with_context(|| format!("invalid recipe name '{}'", recipe.name))?;
    let source_version = &cook.source_tuple.version;
    let parents = find_parent(source, &name, &recipe.version, source_version)?;
    let existing: Vec<Version> = source
        .trove_versions(
            &TroveQuery::on_branch(source_version.branch().binary_branch())
                .named([name.clone()])
                .all_versions(),
        )?
        .into_iter()
        .map(|tuple| tuple.version)
        .collect();
    let version = Version::next_build_version(source_version, &existing)
        .with_context(|| format!("no next build version for {}", cook.source_tuple))?;
    let work = tempfile::Builder::new()
        .prefix("cvc-derived-")
        .tempdir()
        .context("cannot create a build directory")?;
    let builder = super::cook::builder(cook.config);
    let request = DeriveRequest {
        tree: cook.tree,
        recipe: &recipe,
        source_version,
        version: &version,
        build_time: super::cook::now(),
        builder: &builder,
        options: cook.options,
        work: work.path(),
    };
    let file = match cook.to_file {
        Some(file) => file.to_path_buf(),
        None => work.path().join("derived.ccs"),
    };
    let (_, troves) = cook_derived(source, &parents, &request, &file)?;
    let mut out = String::new();
    if cook.to_file.is_some() {
        for tuple in &troves {
            let _ = writeln!(out, "built {tuple}");
        }
        let _ = writeln!(out, "wrote {}", file.display());
        return Ok(out);
    }
    let result = source
        .commit_file(&file)
        .with_context(|| format!("cannot commit the cook of {}", cook.source_tuple))?;
    out.push_str(&super::commit::lines(&result));
    Ok(out)
}
