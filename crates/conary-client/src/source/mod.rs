//! [`NetworkSource`]: every configured repository as one
//! [`TroveSource`], the network counterpart of
//! `conary_repository::LocalSource`.
//!
//! Routing: a label's host names its repository (`repositoryMap HOST
//! URL`); a branch goes to the host of its trailing label; a trove to the
//! host of its version; a job to the host of its new trove (an erasure to
//! that of its old one).
//!
//! Repositories refer to each other: a shadow or branch on server B of a
//! trove on server A keeps A's file versions for the files it did not
//! change, and B holds only the contents that are new. B's changesets mark
//! the contents it does not hold as references; this source fetches them
//! from the hosts of their file versions and writes one changeset that
//! carries them ([`assemble`]).

mod assemble;
mod jobs;
mod receive;
mod work;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Cursor, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use conary_api::{Job, Location, SourceError, TroveQuery, TroveSource};
use conary_changeset::{ChangeSet, ChangeSetReader};
use conary_core::config::Config;
use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;

use crate::api::CommitResult;
use crate::error::ClientError;
use crate::options::Options;
use crate::progress::{NoProgress, Progress};
use crate::repositories::Repositories;
use crate::transport::RepositoryClient;
use jobs::host_key;
use work::{Recorder, WorkArea, local};

/// The most content hosts remembered for [`TroveSource::contents`].
const MAX_HINTS: usize = 1 << 20;

/// The repositories of a configuration as one [`TroveSource`]: each query
/// goes to the server of its label's host; changesets that span
/// repositories, or whose contents live on other hosts, come out as one
/// changeset carrying every content, verified.
///
/// Methods of [`TroveSource`] answer [`SourceError`]s; [`commit`] and
/// [`mark_removed`] answer [`ClientError`]s, which say more.
///
/// ```rust
/// use conary_api::TroveSource;
/// use conary_core::config::Config;
/// let mut config = Config::default();
/// config.apply_line("repositoryMap localhost http://127.0.0.1:9/", "--config")?;
/// let source = conary_client::NetworkSource::from_config(&config, Default::default())?
///     .with_parallelism(8);
/// assert_eq!(source.parallelism(), 8);
/// let query = conary_api::TroveQuery::on_label("elsewhere.example.com@rpl:2".parse()?);
/// let error = source.trove_versions(&query).expect_err("no server for that host");
/// assert!(error.to_string().contains("repositoryMap elsewhere.example.com URL"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`commit`]: NetworkSource::commit
/// [`mark_removed`]: NetworkSource::mark_removed
pub struct NetworkSource {
    repositories: Repositories,
    parallelism: usize,
    work_dir: Option<PathBuf>,
    progress: Arc<dyn Progress + Send>,
    /// The host of the file version of contents seen in changesets.
    hints: Mutex<BTreeMap<Digest, String>>,
}

impl std::fmt::Debug for NetworkSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkSource")
            .field("repositories", &self.repositories)
            .field("parallelism", &self.parallelism)
            .field("work_dir", &self.work_dir)
            .finish_non_exhaustive()
    }
}

impl NetworkSource {
    /// A source over `repositories`: four downloads at a time, work files
    /// in the system's temporary directory, no progress reports.
    pub fn new(repositories: Repositories) -> NetworkSource {
        NetworkSource {
            repositories,
            parallelism: 4,
            work_dir: None,
            progress: Arc::new(NoProgress),
            hints: Mutex::new(BTreeMap::new()),
        }
    }

    /// A source over the repositories of `config` (see
    /// [`Repositories::from_config`]).
    pub fn from_config(config: &Config, options: Options) -> Result<NetworkSource, ClientError> {
        Ok(NetworkSource::new(Repositories::from_config(
            config, options,
        )?))
    }

    /// Downloads at most `parallelism` contents at a time (at least one).
    pub fn with_parallelism(mut self, parallelism: usize) -> NetworkSource {
        self.parallelism = parallelism.max(1);
        self
    }

    /// Keeps work files (changesets received, contents fetched, removed
    /// when each request ends) under `dir`, which must exist.
    pub fn with_work_dir(mut self, dir: impl Into<PathBuf>) -> NetworkSource {
        self.work_dir = Some(dir.into());
        self
    }

    /// Reports content downloads to `progress`.
    pub fn with_progress(mut self, progress: Arc<dyn Progress + Send>) -> NetworkSource {
        self.progress = progress;
        self
    }

    /// The repositories asked.
    pub fn repositories(&self) -> &Repositories {
        &self.repositories
    }

    /// How many contents are downloaded at a time.
    pub fn parallelism(&self) -> usize {
        self.parallelism
    }

    pub(crate) fn work_dir(&self) -> Option<&Path> {
        self.work_dir.as_deref()
    }

    pub(crate) fn progress(&self) -> &dyn Progress {
        &*self.progress
    }

    /// The client of the repository for `host`.
    pub(crate) fn client(&self, host: &str) -> Result<RepositoryClient, ClientError> {
        self.repositories.for_host(host)
    }

    /// Remembers where the contents of `changeset`'s files live.
    pub(crate) fn learn(&self, changeset: &ChangeSet) {
        let mut hints = self
            .hints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if hints.len() > MAX_HINTS {
            hints.clear();
        }
        for change in changeset.troves.values() {
            for file in change.new.files.values() {
                if let Some(digest) = changeset
                    .files
                    .get(&file.file_id)
                    .and_then(FileStream::content_digest)
                {
                    hints.insert(digest, host_key(file.file_version.host()));
                }
            }
        }
    }

    /// The hosts that may hold the contents `digest`: where a changeset
    /// said they live, then every host configured by name (not by glob).
    fn content_hosts(&self, digest: &Digest) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .hints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(digest)
            .cloned()
            .into_iter()
            .collect();
        for host in self.repositories.servers().hosts() {
            let host = host_key(host);
            if !host.contains(['*', '?', '[']) && !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        hosts
    }

    /// Writes the contents `digest` to `out` from the first of `hosts` that
    /// has them, verified (nothing reaches `out` before the digest is
    /// checked); returns their size.
    pub fn contents_from(
        &self,
        digest: &Digest,
        hosts: &[&str],
        out: &mut dyn Write,
    ) -> Result<u64, ClientError> {
        let work = WorkArea::new(self.work_dir())?;
        let mut last = None;
        let mut unmapped = None;
        for host in hosts {
            let fetched = self
                .client(host)
                .and_then(|client| client.fetch_into(digest, work.contents(), self.progress()));
            match fetched {
                Ok(_) => {
                    let mut reader = conary_changeset::ContentSource::open(work.contents(), digest)
                        .map_err(|error| local("read fetched contents", &error))?
                        .ok_or_else(|| ClientError::Local {
                            action: "read fetched contents".into(),
                            reason: format!("contents {digest} vanished"),
                        })?;
                    return io::copy(&mut reader, out)
                        .map_err(|error| local(format!("write contents {digest}"), &error));
                }
                Err(ClientError::NotFound { .. } | ClientError::PermissionDenied { .. }) => {}
                Err(error @ ClientError::NoServer { .. }) => {
                    unmapped.get_or_insert(error);
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last
            .or(unmapped)
            .unwrap_or_else(|| ClientError::ContentsNotFound {
                digest: *digest,
                hosts: if hosts.is_empty() {
                    "no configured host".into()
                } else {
                    hosts.join(", ")
                },
            }))
    }

    /// Commits the `.ccs` changeset read from `changeset` (`size` bytes,
    /// when known) to the repository of its troves. Its index is read first
    /// to find that repository; a changeset whose troves belong to several
    /// is refused before anything is sent (commit each repository's troves
    /// separately).
    pub fn commit<R: Read + Send + 'static>(
        &self,
        changeset: R,
        size: Option<u64>,
    ) -> Result<CommitResult, ClientError> {
        let mut recorder = Recorder {
            inner: changeset,
            seen: Vec::new(),
        };
        let index = ChangeSetReader::new(&mut recorder)
            .map_err(|error| ClientError::BadCommit {
                reason: crate::error::chain(&error),
            })?
            .changeset()
            .clone();
        let host = one_host(
            index.troves.keys().chain(&index.erased),
            "the changeset to commit",
            "commit the troves of each repository in a changeset of their own",
        )?
        .ok_or_else(|| ClientError::BadCommit {
            reason: "it holds no troves".into(),
        })?;
        let Recorder { inner, seen } = recorder;
        let start = seen.clone();
        let client = self.client(&host)?;
        match client.commit(Cursor::new(seen).chain(inner), size) {
            // The upload broke off: perhaps the server refused it early
            // and the refusal was lost; ask with the index alone.
            Err(error @ ClientError::Transfer { .. }) => match client.commit_refusal(start) {
                Ok(result) => Ok(result),
                Err(
                    refusal @ (ClientError::CredentialsRequired { .. }
                    | ClientError::AuthenticationFailed { .. }
                    | ClientError::PermissionDenied { .. }),
                ) => Err(refusal),
                Err(_) => Err(error),
            },
            answer => answer,
        }
    }

    /// Commits the changeset file at `path` (see [`NetworkSource::commit`]).
    pub fn commit_file(&self, path: &Path) -> Result<CommitResult, ClientError> {
        let read_error = |error: io::Error| local(format!("read {}", path.display()), &error);
        let mut file = std::fs::File::open(path).map_err(read_error)?;
        let size = file.seek(io::SeekFrom::End(0)).map_err(read_error)?;
        file.rewind().map_err(read_error)?;
        self.commit(file, Some(size))
    }

    /// Marks `tuples` removed in their repository (admin there; all or
    /// none); returns the troves newly marked. Troves of several
    /// repositories are refused before anything is sent.
    pub fn mark_removed(&self, tuples: &[TroveTuple]) -> Result<Vec<TroveTuple>, ClientError> {
        let Some(host) = one_host(
            tuples,
            "the troves to mark removed",
            "mark the troves of each repository removed separately",
        )?
        else {
            return Ok(Vec::new());
        };
        self.client(&host)?.mark_removed(tuples)
    }
}

/// The one host of `tuples`, `None` when there are none.
fn one_host<'t>(
    tuples: impl IntoIterator<Item = &'t TroveTuple>,
    what: &str,
    hint: &str,
) -> Result<Option<String>, ClientError> {
    let hosts: BTreeSet<String> = tuples.into_iter().map(jobs::host_of).collect();
    if hosts.len() > 1 {
        return Err(ClientError::SpansHosts {
            what: what.into(),
            hosts: hosts.into_iter().collect::<Vec<_>>().join(", "),
            hint: hint.into(),
        });
    }
    Ok(hosts.into_iter().next())
}

/// Runs `work` for each group of `items` (keyed by host, in the order the
/// hosts first appear) on its own thread; returns the answers in group
/// order.
fn per_host<T: Sync, A: Send>(
    items: &[T],
    host: impl Fn(&T) -> String,
    work: impl Fn(&str, Vec<&T>) -> Result<A, ClientError> + Sync,
) -> Result<Vec<(Vec<usize>, A)>, ClientError> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        let key = host(item);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(index);
    }
    let work = &work;
    let results: Vec<Result<(Vec<usize>, A), ClientError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = order
            .iter()
            .filter_map(|key| groups.get(key).map(|indices| (key, indices)))
            .map(|(key, indices)| {
                scope.spawn(move || {
                    let members = indices.iter().filter_map(|&i| items.get(i)).collect();
                    work(key, members).map(|answer| (indices.clone(), answer))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(ClientError::Local {
                        action: "ask a repository".into(),
                        reason: "a request thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    results.into_iter().collect()
}

impl TroveSource for NetworkSource {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        let host = match &query.location {
            Location::Label(label) => label.host(),
            Location::Branch(branch) => branch.host(),
        };
        Ok(self.client(host)?.trove_versions(query)?)
    }

    fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        let answers = per_host(tuples, jobs::host_of, |host, members| {
            let members: Vec<TroveTuple> = members.into_iter().cloned().collect();
            self.client(host)?.manifests(&members)
        })?;
        let mut troves: Vec<Option<Trove>> = vec![None; tuples.len()];
        for (indices, manifests) in answers {
            for (index, trove) in indices.into_iter().zip(manifests) {
                if let Some(slot) = troves.get_mut(index) {
                    *slot = Some(trove);
                }
            }
        }
        troves
            .into_iter()
            .zip(tuples)
            .map(|(trove, tuple)| {
                trove.ok_or_else(|| {
                    SourceError::Invalid(format!("no manifest came back for {tuple}"))
                })
            })
            .collect()
    }

    fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        Ok(assemble::assemble(self, jobs, recurse, out)?)
    }

    /// Asks the one repository of `jobs` for the troves and streams alone
    /// (no contents); jobs spanning repositories, or recursing, take the
    /// whole changeset ([`TroveSource::changeset`]).
    fn streams_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        let routed = jobs
            .iter()
            .map(jobs::route)
            .collect::<Result<Vec<_>, _>>()?;
        let hosts: BTreeSet<&str> = routed.iter().map(|job| job.host.as_str()).collect();
        match hosts.iter().next() {
            Some(host)
                if hosts.len() == 1
                    && !recurse
                    && routed.iter().all(|job| job.replaces.is_none()) =>
            {
                let mut body = self.client(host)?.streams_changeset_stream(jobs, false)?;
                Ok(io::copy(&mut body, out)?)
            }
            _ => self.changeset(jobs, recurse, out),
        }
    }

    fn contents(&self, digest: &Digest, out: &mut dyn Write) -> Result<u64, SourceError> {
        let hosts = self.content_hosts(digest);
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        Ok(self.contents_from(digest, &hosts, out)?)
    }

    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        let answers = per_host(
            labels,
            |label| host_key(label.host()),
            |host, members| {
                let members: Vec<Label> = members.into_iter().cloned().collect();
                self.client(host)?.dep_suggestions(&members, requires)
            },
        )?;
        // Each repository answered with its first label that provides a
        // requirement; across repositories the first label in `labels` wins.
        let rank = |tuples: &[TroveTuple]| {
            tuples
                .iter()
                .filter_map(|tuple| {
                    labels
                        .iter()
                        .position(|label| label == tuple.version.trailing_label())
                })
                .min()
                .unwrap_or(usize::MAX)
        };
        let mut suggestions: BTreeMap<Dependency, Vec<TroveTuple>> = BTreeMap::new();
        for (_, answer) in answers {
            for (dependency, providers) in answer {
                match suggestions.get_mut(&dependency) {
                    Some(best) if rank(best) <= rank(&providers) => {}
                    Some(best) => *best = providers,
                    None => {
                        suggestions.insert(dependency, providers);
                    }
                }
            }
        }
        Ok(suggestions)
    }
}
