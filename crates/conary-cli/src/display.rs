//! How troves are shown: versions against the install label path, flavors
//! when asked for, trove info, dependencies and file lists. Pure
//! formatting of library types, shared by the query commands.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Label, Version};

/// How versions and flavors are printed.
#[derive(Clone, Debug, Default)]
pub struct DisplayOptions {
    /// The install label path versions are abbreviated against.
    pub label_path: Vec<Label>,
    /// Print whole versions (`/host@ns:tag/1.0-1-1`), never abbreviated.
    pub full_versions: bool,
    /// Print every flavor, not only where two troves differ by flavor alone.
    pub flavors: bool,
}

impl DisplayOptions {
    /// A version as the user reads it: whole, or against the label path.
    pub fn version(&self, version: &Version) -> String {
        if self.full_versions {
            version.to_string()
        } else {
            version.as_string_against_label_path(&self.label_path)
        }
    }

    /// One `NAME=VERSION[FLAVOR]` line per tuple. The flavor is shown with
    /// [`flavors`](Self::flavors), or when the same name and version is
    /// listed in several flavors; an empty flavor is never shown.
    pub fn tuple_lines(&self, tuples: &[TroveTuple]) -> String {
        let mut flavors_of: BTreeMap<(String, String), usize> = BTreeMap::new();
        for tuple in tuples {
            *flavors_of
                .entry((tuple.name.to_string(), tuple.version.to_string()))
                .or_default() += 1;
        }
        let mut out = String::new();
        for tuple in tuples {
            let key = (tuple.name.to_string(), tuple.version.to_string());
            let several = flavors_of.get(&key).is_some_and(|count| *count > 1);
            let _ = write!(out, "{}={}", tuple.name, self.version(&tuple.version));
            if (self.flavors || several) && !tuple.flavor.is_empty() {
                let _ = write!(out, "[{}]", tuple.flavor);
            }
            out.push('\n');
        }
        out
    }
}

/// `Key       : value` lines of what is known about a trove: identity,
/// size, build facts and lineage (source, build time, builder, build
/// requirements, cloned-from, capsule), and its description.
pub fn info(trove: &Trove, options: &DisplayOptions) -> String {
    let mut out = String::new();
    let mut field = |key: &str, value: &str| {
        let _ = writeln!(out, "{key:<13}: {value}");
    };
    let info = &trove.info;
    field("Name", trove.name.as_str());
    field("Version", &options.version(&trove.version));
    field("Full version", &trove.version.to_string());
    field("Label", &trove.version.trailing_label().to_string());
    field("Flavor", &trove.flavor.to_string());
    if trove.trove_type != conary_core::trove::TroveType::Normal {
        field("Type", &trove.trove_type.to_string());
    }
    for target in &trove.redirects {
        field(
            "Redirect to",
            &format!("{} on {}", target.name, target.branch),
        );
    }
    if let Some(size) = info.size {
        field("Size", &size.to_string());
    }
    if let Some(source) = &info.source_name {
        field("Source", source.as_str());
    }
    if let Some(source_version) = &info.source_version {
        field("Source ver.", &source_version.to_string());
    }
    if let Some(build_time) = info.build_time {
        let when = UNIX_EPOCH
            .checked_add(Duration::from_secs(build_time))
            .map(httpdate::fmt_http_date)
            .unwrap_or_else(|| build_time.to_string());
        field("Build time", &when);
    }
    if let Some(builder) = &info.builder {
        field("Builder", builder);
    }
    if let Some(flavor) = &info.build_flavor {
        field("Build flavor", &flavor.to_string());
    }
    for requirement in &info.build_requirements {
        field("Build req.", &requirement.to_string());
    }
    if let Some(factory) = &info.factory {
        field("Factory", factory);
    }
    for loaded in &info.loaded_troves {
        field("Loaded", &loaded.to_string());
    }
    if let Some(cloned_from) = &info.cloned_from {
        field("Cloned from", &cloned_from.to_string());
    }
    for derived in &info.derived_from {
        field("Derived from", &derived.to_string());
    }
    if let Some(capsule) = &info.capsule {
        field("Capsule", &capsule.kind);
    }
    if let Some(summary) = &info.metadata.short_desc {
        field("Summary", summary);
    }
    if let Some(url) = &info.metadata.url {
        field("URL", url);
    }
    for license in &info.metadata.licenses {
        field("License", license);
    }
    if let Some(description) = &info.metadata.long_desc {
        field(
            "Description",
            description.lines().next().unwrap_or_default(),
        );
        for line in description.lines().skip(1) {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "               {line}");
            }
        }
    }
    out
}

/// The troves a collection includes, one per line as `NAME=VERSION[FLAVOR]`:
/// strong references first, then weak ones indented by two spaces; a
/// reference not installed by default ends in ` (not by default)`.
///
/// ```rust
/// use conary_core::trove::Trove;
/// let mut group = Trove::new("group-dist".parse()?, "/a@b:c/1-1-1".parse()?, Default::default());
/// group.add_strong_ref("hello=/a@b:c/1.0-1-1[]".parse()?, true);
/// group.add_weak_ref("hello:doc=/a@b:c/1.0-1-1[]".parse()?, false);
/// let options = conary_cli::display::DisplayOptions { full_versions: true, flavors: true, ..Default::default() };
/// assert_eq!(
///     conary_cli::display::references(&group, &options),
///     "hello=/a@b:c/1.0-1-1\n  hello:doc=/a@b:c/1.0-1-1 (not by default)\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn references(trove: &Trove, options: &DisplayOptions) -> String {
    let mut out = String::new();
    for (indent, refs) in [
        ("", trove.iter_strong_refs().collect::<Vec<_>>()),
        ("  ", trove.iter_weak_refs().collect()),
    ] {
        for (tuple, by_default) in refs {
            let line = options.tuple_lines(std::slice::from_ref(tuple));
            let suffix = if by_default { "" } else { " (not by default)" };
            let _ = writeln!(out, "{indent}{}{suffix}", line.trim_end());
        }
    }
    out
}

/// The provides and requires of a trove, one dependency per indented line.
pub fn deps(trove: &Trove) -> String {
    let mut out = String::new();
    for (title, set) in [("Provides", &trove.provides), ("Requires", &trove.requires)] {
        let _ = writeln!(out, "  {title}:");
        if set.is_empty() {
            let _ = writeln!(out, "    (none)");
        }
        for dependency in set.iter() {
            let _ = writeln!(out, "    {dependency}");
        }
    }
    out
}

/// The paths of troves' files, sorted.
pub fn paths<'t>(troves: impl IntoIterator<Item = &'t Trove>) -> String {
    let mut paths: Vec<&str> = troves
        .into_iter()
        .flat_map(|trove| trove.files.values().map(|file| file.path.as_str()))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths.iter().map(|path| format!("{path}\n")).collect()
}

/// `ls -l` lines of troves' files, sorted by path; a file whose stream is
/// missing from `streams` is shown by path alone.
pub fn ls_lines<'t>(
    troves: impl IntoIterator<Item = &'t Trove>,
    streams: &BTreeMap<conary_core::digest::FileId, FileStream>,
) -> String {
    let mut lines: BTreeMap<&str, String> = BTreeMap::new();
    for trove in troves {
        for file in trove.files.values() {
            let line = match streams.get(&file.file_id) {
                Some(stream) => stream.ls_line(&file.path),
                None => file.path.clone(),
            };
            lines.insert(&file.path, line);
        }
    }
    lines.into_values().map(|line| line + "\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuples(texts: &[&str]) -> Vec<TroveTuple> {
        texts.iter().map(|t| t.parse().expect("tuple")).collect()
    }

    #[test]
    fn tuple_lines_abbreviate_and_show_flavors_where_needed() {
        let path = vec!["a.example.com@rpl:2".parse().expect("label")];
        let listed = tuples(&[
            "sudo=/a.example.com@rpl:2/1.9-1-1[is: x86_64]",
            "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86]",
            "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]",
            "curl=/b.example.com@rpl:2/7.0-1-1[is: x86_64]",
            "tzdata=/a.example.com@rpl:2/2025b-1-1[]",
        ]);
        let cases: &[(bool, bool, &str)] = &[
            (
                false,
                false,
                "sudo=1.9-1-1\nzlib=1.3-1-1[is: x86]\nzlib=1.3-1-1[is: x86_64]\n\
                 curl=b.example.com@rpl:2/7.0-1-1\ntzdata=2025b-1-1\n",
            ),
            (
                true,
                false,
                "sudo=/a.example.com@rpl:2/1.9-1-1\nzlib=/a.example.com@rpl:2/1.3-1-1[is: x86]\n\
                 zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]\ncurl=/b.example.com@rpl:2/7.0-1-1\n\
                 tzdata=/a.example.com@rpl:2/2025b-1-1\n",
            ),
            (
                false,
                true,
                "sudo=1.9-1-1[is: x86_64]\nzlib=1.3-1-1[is: x86]\nzlib=1.3-1-1[is: x86_64]\n\
                 curl=b.example.com@rpl:2/7.0-1-1[is: x86_64]\ntzdata=2025b-1-1\n",
            ),
        ];
        for (full_versions, flavors, expected) in cases {
            let options = DisplayOptions {
                label_path: path.clone(),
                full_versions: *full_versions,
                flavors: *flavors,
            };
            assert_eq!(options.tuple_lines(&listed), *expected);
        }
    }

    #[test]
    fn info_shows_lineage_fields() {
        let version = Version::thaw("/a.example.com@rpl:2/1700000000.000:1.9-1-1").expect("v");
        let mut trove = Trove::new("sudo".parse().expect("name"), version, Default::default());
        trove.info.source_name = Some("sudo:source".parse().expect("name"));
        trove.info.build_time = Some(1_700_000_000);
        trove.info.builder = Some("builder@example.com".to_owned());
        trove.info.cloned_from = Some("/a.example.com@rpl:1/1.9-1-1".parse().expect("v"));
        trove.info.capsule = Some(conary_core::troveinfo::Capsule::new("deb"));
        trove
            .info
            .build_requirements
            .insert("gcc=/a.example.com@rpl:2/13-1-1[]".parse().expect("tuple"));
        let shown = info(&trove, &DisplayOptions::default());
        for line in [
            "Name         : sudo",
            "Full version : /a.example.com@rpl:2/1.9-1-1",
            "Source       : sudo:source",
            "Build time   : Tue, 14 Nov 2023 22:13:20 GMT",
            "Builder      : builder@example.com",
            "Build req.   : gcc=/a.example.com@rpl:2/13-1-1[]",
            "Cloned from  : /a.example.com@rpl:1/1.9-1-1",
            "Capsule      : deb",
        ] {
            assert!(shown.lines().any(|l| l == line), "{line:?} in\n{shown}");
        }
    }
}
