//! [`Repositories`]: the client of every configured repository, chosen by
//! label.

use conary_core::config::Config;
use conary_core::version::Label;

use crate::error::ClientError;
use crate::options::Options;
use crate::server_map::ServerMap;
use crate::transport::{RepositoryClient, Transport};

/// Every repository of a configuration, behind one [`Transport`].
///
/// ```rust
/// use conary_core::config::Config;
/// let mut config = Config::default();
/// config.apply_line("repositoryMap localhost http://127.0.0.1:8000/", "--config")?;
/// let repositories = conary_client::Repositories::from_config(&config, Default::default())?;
/// let client = repositories.for_label(&"localhost@local:1".parse()?)?;
/// assert_eq!(client.server().url(), "http://127.0.0.1:8000/");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Repositories {
    servers: ServerMap,
    transport: Transport,
}

impl Repositories {
    /// The repositories of `servers`, reached through `transport`.
    pub fn new(servers: ServerMap, transport: Transport) -> Repositories {
        Repositories { servers, transport }
    }

    /// The repositories of `config` (see [`ServerMap::from_config`]).
    pub fn from_config(config: &Config, options: Options) -> Result<Repositories, ClientError> {
        Ok(Repositories {
            servers: ServerMap::from_config(config)?,
            transport: Transport::new(options)?,
        })
    }

    /// The client of the server holding `label`.
    pub fn for_label(&self, label: &Label) -> Result<RepositoryClient, ClientError> {
        self.for_host(label.host())
    }

    /// The client of the server for `host`.
    pub fn for_host(&self, host: &str) -> Result<RepositoryClient, ClientError> {
        Ok(self.transport.client(self.servers.server(host)?))
    }

    /// The configured servers.
    pub fn servers(&self) -> &ServerMap {
        &self.servers
    }

    /// The shared transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }
}
