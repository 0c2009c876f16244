//! A STAND-IN network trove source, until `conary-client` has its own: the
//! HTTP API under `/api/v1/` as a [`TroveSource`], routed by label host
//! through `repositoryMap`, with commits. Replace this module with
//! `conary-client`'s source when it lands; the commands only see
//! [`crate::source::Repositories`].

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use conary_api::wire::{
    ChangesetRequest, CommitResult, DepRequest, DepSuggestions, TroveList, TroveListRequest,
    WireJob, WireTuple,
};
use conary_api::{Job, Location, SourceError, TroveQuery, TroveSource};
use conary_build::import::batch::TargetError;
use conary_client::{Authorization, ClientError, RepositoryClient};
use conary_core::config::Config;
use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;

use crate::source::Repositories;

/// The largest manifest accepted.
const MAX_MANIFEST: u64 = 256 << 20;

/// The configured repositories over HTTP.
pub struct Network {
    repositories: conary_client::Repositories,
    http: reqwest::blocking::Client,
}

impl Network {
    /// The repositories of `config`.
    pub fn from_config(config: &Config) -> Result<Network, ClientError> {
        let repositories = conary_client::Repositories::from_config(config, Default::default())?;
        let options = repositories.transport().options();
        let http = reqwest::blocking::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|error| ClientError::Setup {
                reason: error.to_string(),
            })?;
        Ok(Network { repositories, http })
    }

    fn client(&self, host: &str) -> Result<RepositoryClient, SourceError> {
        self.repositories.for_host(host).map_err(source_error)
    }

    /// `POST /api/v1/{path}` with a JSON body and a binary answer.
    fn post_for_bytes<B: serde::Serialize>(
        &self,
        host: &str,
        path: &str,
        body: &B,
    ) -> Result<reqwest::blocking::Response, SourceError> {
        let json = serde_json::to_vec(body)
            .map_err(|error| SourceError::Invalid(format!("cannot encode the request: {error}")))?;
        self.post_raw(host, path, "application/json", json)
    }

    /// `POST /api/v1/{path}` with `body`; a success answer, or the error.
    fn post_raw(
        &self,
        host: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<reqwest::blocking::Response, SourceError> {
        let client = self.client(host)?;
        let server = client.server();
        let url = server.endpoint(path);
        let mut request = self
            .http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        request = match server.credentials().authorization() {
            Authorization::None => request,
            Authorization::Basic { user, password } => request.basic_auth(user, Some(password)),
            Authorization::Bearer(key) => request.bearer_auth(key),
        };
        let response = request.send().map_err(|error| {
            SourceError::Unavailable(format!("cannot reach {host} at {url}: {error}"))
        })?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(response);
        }
        let message = error_message(response);
        Err(match status {
            401 => SourceError::Unauthorized(format!("{host} at {url}: {message}")),
            403 => SourceError::Denied(format!("{host} at {url}: {message}")),
            404 => SourceError::NotFound(format!("{url}: {message}")),
            _ => SourceError::Unavailable(format!("{url} answered {status}: {message}")),
        })
    }
}

/// The `error` field of an error answer, else its first line.
fn error_message(response: reqwest::blocking::Response) -> String {
    let mut body = Vec::new();
    let _ = response.take(4096).read_to_end(&mut body);
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: String,
    }
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(parsed) => parsed.error,
        Err(_) => String::from_utf8_lossy(&body)
            .lines()
            .next()
            .unwrap_or("no explanation")
            .to_owned(),
    }
}

/// A client error as a trove source error.
fn source_error(error: ClientError) -> SourceError {
    let text = error.to_string();
    match error {
        ClientError::CredentialsRequired { .. } | ClientError::AuthenticationFailed { .. } => {
            SourceError::Unauthorized(text)
        }
        ClientError::PermissionDenied { .. } => SourceError::Denied(text),
        ClientError::NotFound { .. } => SourceError::NotFound(text),
        ClientError::Corrupt { .. } | ClientError::BadResponse { .. } => SourceError::Invalid(text),
        _ => SourceError::Unavailable(text),
    }
}

fn tuples(list: &TroveList) -> Result<Vec<TroveTuple>, SourceError> {
    list.troves.iter().map(WireTuple::to_tuple).collect()
}

impl TroveSource for Network {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        let (host, label, branch) = match &query.location {
            Location::Label(label) => (label.host().to_owned(), Some(label.to_string()), None),
            Location::Branch(branch) => (branch.host().to_owned(), None, Some(branch.freeze())),
        };
        let request = TroveListRequest {
            label,
            branch,
            names: query
                .names
                .as_ref()
                .map(|names| names.iter().map(ToString::to_string).collect()),
            all_versions: query.all_versions,
        };
        let list: TroveList = self
            .client(&host)?
            .post_json("troves", &request)
            .map_err(source_error)?;
        tuples(&list)
    }

    fn troves(&self, wanted: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        let mut by_host: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, tuple) in wanted.iter().enumerate() {
            by_host.entry(tuple.version.host()).or_default().push(index);
        }
        let mut found: Vec<Option<Trove>> = vec![None; wanted.len()];
        for (host, indexes) in by_host {
            let list = TroveList {
                troves: indexes
                    .iter()
                    .map(|i| WireTuple::from(&wanted[*i]))
                    .collect(),
            };
            let mut response = self.post_for_bytes(host, "manifests", &list)?;
            for index in indexes {
                let mut length = [0u8; 8];
                response.read_exact(&mut length)?;
                let length = u64::from_be_bytes(length);
                if length > MAX_MANIFEST {
                    return Err(SourceError::Invalid(format!(
                        "a manifest of {length} bytes"
                    )));
                }
                let mut bytes = Vec::new();
                (&mut response).take(length).read_to_end(&mut bytes)?;
                let trove = conary_core::trove::decode_untrusted(&bytes)
                    .map_err(|error| SourceError::Invalid(format!("manifest: {error}")))?;
                found[index] = Some(trove);
            }
        }
        found
            .into_iter()
            .zip(wanted)
            .map(|(trove, tuple)| trove.ok_or_else(|| SourceError::NotFound(tuple.to_string())))
            .collect()
    }

    fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        let mut hosts: Vec<&str> = jobs
            .iter()
            .filter_map(|job| job.new.as_ref().or(job.old.as_ref()))
            .map(|(version, _)| version.host())
            .collect();
        hosts.sort_unstable();
        hosts.dedup();
        let [host] = hosts.as_slice() else {
            return Err(SourceError::Invalid(format!(
                "the jobs span {} repositories; ask for one changeset per repository",
                hosts.len()
            )));
        };
        let request = ChangesetRequest {
            jobs: jobs.iter().map(WireJob::from).collect(),
            recurse,
        };
        let mut response = self.post_for_bytes(host, "changeset", &request)?;
        Ok(std::io::copy(&mut response, out)?)
    }

    fn contents(&self, digest: &Digest, out: &mut dyn Write) -> Result<u64, SourceError> {
        let Some(host) = self
            .repositories
            .servers()
            .hosts()
            .next()
            .map(str::to_owned)
        else {
            return Err(SourceError::NotFound(format!("contents {digest}")));
        };
        self.client(&host)?
            .fetch_blob(digest, out)
            .map_err(source_error)
    }

    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        let Some(first) = labels.first() else {
            return Ok(BTreeMap::new());
        };
        let request = DepRequest {
            labels: labels.iter().map(ToString::to_string).collect(),
            requires: requires.to_string(),
        };
        let answer: DepSuggestions = self
            .client(first.host())?
            .post_json("deps", &request)
            .map_err(source_error)?;
        let mut suggestions = BTreeMap::new();
        for (dependency, providers) in answer.suggestions {
            let dependency: Dependency = dependency
                .parse()
                .map_err(|error| SourceError::Invalid(format!("dependency: {error}")))?;
            let providers = providers
                .iter()
                .map(WireTuple::to_tuple)
                .collect::<Result<_, _>>()?;
            suggestions.insert(dependency, providers);
        }
        Ok(suggestions)
    }
}

impl Repositories for Network {
    fn source(&self) -> &dyn TroveSource {
        self
    }

    fn commit(&self, label: &Label, changeset: &Path) -> Result<bool, TargetError> {
        // Sent from memory: a server that refuses the commit answers before
        // reading the body, and only a body sent whole lets that answer
        // (401, 403) through instead of a broken pipe.
        let bytes = std::fs::read(changeset)?;
        let mut response =
            self.post_raw(label.host(), "commit", "application/octet-stream", bytes)?;
        let mut answer = Vec::new();
        response.read_to_end(&mut answer)?;
        let result: CommitResult = serde_json::from_slice(&answer)
            .map_err(|error| SourceError::Invalid(format!("commit answer: {error}")))?;
        Ok(!result.committed.is_empty())
    }
}
