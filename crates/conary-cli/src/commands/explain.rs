//! `conary explain`: how Conary reads a version, a label or a flavor.
//!
//! A teaching and debugging aid over `conary-core`: it prints the parts of a
//! version string, what shadowing or changing it would produce, and how a
//! system flavor scores a set of trove flavors.

use std::fmt::Write as _;

use clap::{Args, Subcommand};
use conary_core::flavor::Flavor;
use conary_core::version::{Label, Version};

/// Explain how Conary reads versions and flavors.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  conary explain version /conary.rpath.com@rpl:devel//shadow/1.2.3-3.1-1.1
  conary explain shadow /linux26@rpl:1/2.6.5-1 example.com@rpl:mypatch
  conary explain flavor 'is: x86_64' 'is: x86' 'is: x86_64' 'ssl is: x86_64'")]
pub struct ExplainArgs {
    #[command(subcommand)]
    what: ExplainWhat,
}

#[derive(Debug, Subcommand)]
enum ExplainWhat {
    /// Show the parts of a full version and its lineage
    Version {
        /// A full version, e.g. /conary.example.com@plat:1/2.2.3-4-2
        version: String,
    },
    /// Shadow a version onto a label and show the counts a change and a build get there
    Shadow {
        /// The version to shadow
        version: String,
        /// The shadow's label, e.g. example.com@rpl:mypatch
        label: String,
    },
    /// Score trove flavors against a system flavor (higher is better; '-' does not fit)
    Flavor {
        /// The system flavor, e.g. 'ssl is: x86_64'
        system: String,
        /// Trove flavors to score
        #[arg(required = true)]
        troves: Vec<String>,
    },
}

/// Runs `conary explain` and returns the text to print.
pub fn run(args: &ExplainArgs) -> anyhow::Result<String> {
    match &args.what {
        ExplainWhat::Version { version } => explain_version(&version.parse()?),
        ExplainWhat::Shadow { version, label } => {
            explain_shadow(&version.parse()?, &label.parse()?)
        }
        ExplainWhat::Flavor { system, troves } => {
            let system: Flavor = system.parse()?;
            let troves = troves
                .iter()
                .map(|text| text.parse::<Flavor>())
                .collect::<Result<Vec<_>, _>>()?;
            Ok(explain_flavors(&system, &troves))
        }
    }
}

fn explain_version(version: &Version) -> anyhow::Result<String> {
    let mut out = String::new();
    let revision = version.trailing_revision();
    writeln!(out, "version:        {version}")?;
    writeln!(out, "branch:         {}", version.branch())?;
    writeln!(out, "label:          {}", version.trailing_label())?;
    writeln!(out, "host:           {}", version.host())?;
    writeln!(out, "revision:       {revision}")?;
    writeln!(out, "  upstream:     {}", revision.upstream())?;
    writeln!(out, "  source count: {}", revision.source_count())?;
    match revision.build_count() {
        Some(build) => writeln!(out, "  build count:  {build}")?,
        None => writeln!(out, "  build count:  (none: a :source version)")?,
    }
    writeln!(out, "shadow depth:   {}", version.shadow_depth())?;
    let state = if !version.is_shadow() {
        "not a shadow"
    } else if version.is_modified_shadow() {
        "changed on its shadow"
    } else {
        "unchanged from its parent"
    };
    writeln!(out, "shadow state:   {state}")?;
    match version.parent_version() {
        Some(parent) => writeln!(out, "parent version: {parent}")?,
        None => writeln!(out, "parent version: (none)")?,
    }
    writeln!(out, "canonical:      {}", version.canonical_version())?;
    if version.is_source_version() {
        writeln!(out, "next source:    {}", version.increment_source_count()?)?;
    } else {
        writeln!(out, "next build:     {}", version.increment_build_count()?)?;
    }
    Ok(out)
}

fn explain_shadow(version: &Version, label: &Label) -> anyhow::Result<String> {
    let mut out = String::new();
    let shadowed = version.create_shadow(label.clone())?;
    writeln!(out, "shadowed:           {shadowed}")?;
    if shadowed.is_source_version() {
        let changed = shadowed.increment_source_count()?;
        writeln!(out, "after a change:     {changed}")?;
        writeln!(
            out,
            "built from it:      {}",
            changed.increment_build_count()?
        )?;
        writeln!(
            out,
            "built unchanged:    {}",
            shadowed.increment_build_count()?
        )?;
    } else {
        writeln!(
            out,
            "rebuilt on shadow:  {}",
            shadowed.increment_build_count()?
        )?;
    }
    Ok(out)
}

fn explain_flavors(system: &Flavor, troves: &[Flavor]) -> String {
    let mut out = String::new();
    let shown = |flavor: &Flavor| {
        let text = flavor.to_string();
        if text.is_empty() {
            "(empty)".to_string()
        } else {
            text
        }
    };
    let _ = writeln!(out, "system flavor: {}", shown(system));
    let mut best: Option<(i32, usize)> = None;
    for (index, trove) in troves.iter().enumerate() {
        let score = system.score(trove);
        if let Some(score) = score
            && best.is_none_or(|(best_score, _)| score > best_score)
        {
            best = Some((score, index));
        }
        let score = score.map_or_else(|| "-".to_string(), |score| score.to_string());
        let _ = writeln!(out, "  {score:>3}  {}", shown(trove));
    }
    match best {
        Some((_, index)) => {
            let _ = writeln!(out, "best: {}", shown(&troves[index]));
        }
        None => {
            let _ = writeln!(out, "best: none fits this system");
        }
    }
    out
}
