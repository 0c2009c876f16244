//! `include SPEC`: a model held by a trove. The trove (a component, or a
//! package or group whose components are searched) carries the model text
//! in files under [`CML_DIR`]; its lines are evaluated in place of the
//! `include` line.
//!
//! Scoping, as the original: the `search` lines of an included model are
//! searched first by the lines of that model (and the models it includes)
//! and put after the including model's own labels on the path the sync
//! uses, so an include never reorders the search of the model that reads
//! it. An include of a trove already being included is a cycle, refused
//! with the chain.
//!
//! Where to start: [`ModelLoader`] (how a trove's model text is read; the
//! repository one is [`SourceLoader`]) and
//! [`SystemModel::evaluate_with`](super::SystemModel::evaluate_with).

use std::collections::BTreeMap;

use conary_api::find::Finder;
use conary_api::{Job, TroveSource};
use conary_changeset::ChangeSetReader;
use conary_core::flavor::{Flavor, FlavorPreferences};
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_core::version::Label;

/// Where a trove keeps the model lines `include` reads.
pub const CML_DIR: &str = "/usr/share/conary/cml/";

/// How deep includes may nest (a guard; a cycle is found before).
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// The model a trove holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludedModel {
    /// The trove found for the spec.
    pub trove: TroveTuple,
    /// The model text (the files under [`CML_DIR`], in path order).
    pub text: String,
}

/// Reads the model a trove holds.
pub trait ModelLoader {
    /// The model held by the trove `spec` names, looked up on
    /// `label_path`; the error is a one-line reason (no trove, no model
    /// file in it, not UTF-8).
    fn load(&self, spec: &TroveSpec, label_path: &[Label]) -> Result<IncludedModel, String>;

    /// The trove `spec` names, looked up on `label_path`, and the troves
    /// it holds (a group's members, strong and weak): what `search SPEC`
    /// makes available. Without a repository, an error.
    fn members(
        &self,
        spec: &TroveSpec,
        label_path: &[Label],
    ) -> Result<(TroveTuple, Vec<TroveTuple>), String> {
        let _ = (spec, label_path);
        Err("searching a trove needs a repository".to_owned())
    }
}

/// The loader of [`SystemModel::evaluate`](super::SystemModel::evaluate):
/// there is no repository to read a trove from.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLoader;

impl ModelLoader for NoLoader {
    fn load(&self, _spec: &TroveSpec, _label_path: &[Label]) -> Result<IncludedModel, String> {
        Err("reading the model a trove holds needs a repository".to_owned())
    }
}

/// Reads included models from a [`TroveSource`]: the spec is found on
/// the label path with the configured flavors, then the model files of
/// that trove (or, for a package or group, of the components it holds)
/// are fetched.
pub struct SourceLoader<'s> {
    source: &'s dyn TroveSource,
    flavor_path: Vec<Flavor>,
    preferences: FlavorPreferences,
}

impl std::fmt::Debug for SourceLoader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceLoader")
            .field("flavor_path", &self.flavor_path)
            .finish_non_exhaustive()
    }
}

impl<'s> SourceLoader<'s> {
    /// A loader over `source` choosing flavors as `flavor_path` and
    /// `preferences` say (an empty flavor path means any flavor).
    pub fn new(
        source: &'s dyn TroveSource,
        mut flavor_path: Vec<Flavor>,
        preferences: FlavorPreferences,
    ) -> SourceLoader<'s> {
        if flavor_path.is_empty() {
            flavor_path.push(Flavor::default());
        }
        SourceLoader {
            source,
            flavor_path,
            preferences,
        }
    }
}

impl SourceLoader<'_> {
    /// The trove `spec` names on `label_path`, as the finder picks it.
    fn find(&self, spec: &TroveSpec, label_path: &[Label]) -> Result<TroveTuple, String> {
        Finder::new(
            self.source,
            label_path.to_vec(),
            self.flavor_path.clone(),
            self.preferences.clone(),
        )
        .find_one(spec)
        .map_err(|error| error.to_string())
    }
}

impl ModelLoader for SourceLoader<'_> {
    fn members(
        &self,
        spec: &TroveSpec,
        label_path: &[Label],
    ) -> Result<(TroveTuple, Vec<TroveTuple>), String> {
        let found = self.find(spec, label_path)?;
        let troves = self
            .source
            .troves(std::slice::from_ref(&found))
            .map_err(|error| format!("cannot read {found}: {error}"))?;
        let members = troves
            .iter()
            .flat_map(|trove| trove.iter_refs().map(|(tuple, _, _)| tuple.clone()))
            .collect();
        Ok((found, members))
    }

    fn load(&self, spec: &TroveSpec, label_path: &[Label]) -> Result<IncludedModel, String> {
        let found = self.find(spec, label_path)?;
        let shown = format!("{}={}[{}]", found.name, found.version, found.flavor);
        let top = self
            .source
            .troves(std::slice::from_ref(&found))
            .map_err(|error| format!("cannot read {shown}: {error}"))?;
        let mut troves = top;
        let members: Vec<TroveTuple> = troves
            .iter()
            .flat_map(|trove| trove.iter_strong_refs().map(|(tuple, _)| tuple.clone()))
            .filter(|tuple| tuple.name.is_component())
            .collect();
        if !members.is_empty() {
            let more = self
                .source
                .troves(&members)
                .map_err(|error| format!("cannot read the components of {shown}: {error}"))?;
            troves.extend(more);
        }
        // path → (trove holding it, file id)
        let mut files = BTreeMap::new();
        for trove in &troves {
            for (_, file) in trove.iter_files() {
                if file.path.starts_with(CML_DIR) {
                    files.insert(file.path.clone(), (trove.tuple(), file.file_id));
                }
            }
        }
        if files.is_empty() {
            return Err(format!("{shown} holds no model file under {CML_DIR}"));
        }
        let jobs: Vec<Job> = files
            .values()
            .map(|(tuple, _)| tuple.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|tuple| Job::install(tuple.name, tuple.version, tuple.flavor))
            .collect();
        let mut bytes = Vec::new();
        self.source
            .changeset(&jobs, false, &mut bytes)
            .map_err(|error| format!("cannot fetch {shown}: {error}"))?;
        let reader = ChangeSetReader::new(&bytes[..])
            .map_err(|error| format!("cannot read the changeset of {shown}: {error}"))?;
        let streams = &reader.changeset().files;
        let mut text = String::new();
        for (path, (_, file_id)) in &files {
            let digest = streams
                .get(file_id)
                .and_then(conary_core::files::FileStream::content_digest)
                .ok_or_else(|| format!("{path} of {shown} is not a regular file"))?;
            let mut contents = Vec::new();
            self.source
                .contents(&digest, &mut contents)
                .map_err(|error| format!("cannot fetch {path} of {shown}: {error}"))?;
            let piece = String::from_utf8(contents)
                .map_err(|_| format!("{path} of {shown} is not UTF-8 text"))?;
            text.push_str(&piece);
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
        }
        Ok(IncludedModel { trove: found, text })
    }
}
