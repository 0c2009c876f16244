//! [`Server`]: binding, serving and stopping.

use std::future::{Future, IntoFuture as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use conary_repository::Repository;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;

use crate::app::{Limits, router};
use crate::error::ServerError;
use crate::log::Peer;
use crate::tls::TlsListener;

/// A PEM certificate chain and its private key.
///
/// ```rust
/// let files = conary_server::TlsFiles { cert: "cert.pem".into(), key: "key.pem".into() };
/// assert_eq!(files.cert.to_str(), Some("cert.pem"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, server certificate first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// How to serve (the knobs; the repository is the context).
///
/// ```rust
/// let options = conary_server::ServerOptions::new("127.0.0.1:0".parse()?);
/// assert!(options.tls.is_none());
/// assert_eq!(options.limits, conary_server::Limits::default());
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerOptions {
    /// Where to listen; port 0 picks a free port (see [`Server::local_addr`]).
    pub listen: SocketAddr,
    /// Serve HTTPS with these files instead of HTTP.
    pub tls: Option<TlsFiles>,
    /// Request size limits.
    pub limits: Limits,
    /// After a shutdown signal, how long open connections may take to
    /// finish before the server stops anyway.
    pub shutdown_grace: Duration,
}

impl ServerOptions {
    /// Options to serve plain HTTP on `listen` with default limits.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            tls: None,
            limits: Limits::default(),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A server bound to its address, ready to [`run`](Server::run).
///
/// Binding and running are separate so a caller can say where it listens
/// (with port 0, the port picked) before serving.
///
/// ```rust,no_run
/// # async fn example(repository: std::sync::Arc<conary_repository::Repository>) -> Result<(), conary_server::ServerError> {
/// let options = conary_server::ServerOptions::new("127.0.0.1:0".parse().expect("address"));
/// let server = conary_server::Server::bind(repository, options).await?;
/// let addr = server.local_addr();
/// server.run(conary_server::shutdown_signal()).await?;
/// # let _ = addr; Ok(()) }
/// ```
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    tls: Option<TlsAcceptor>,
    router: Router,
    shutdown_grace: Duration,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Loads the TLS files (when given) and binds the listening socket.
    pub async fn bind(
        repository: Arc<Repository>,
        options: ServerOptions,
    ) -> Result<Self, ServerError> {
        let tls = options
            .tls
            .as_ref()
            .map(|files| crate::tls::acceptor(&files.cert, &files.key))
            .transpose()?;
        let bind_error = |source| ServerError::Bind {
            addr: options.listen,
            source,
        };
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        Ok(Self {
            listener,
            local_addr,
            tls,
            router: router(repository, options.limits),
            shutdown_grace: options.shutdown_grace,
        })
    }

    /// The address bound (with the port picked when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Whether this server speaks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `shutdown` completes, then stops accepting, lets open
    /// requests finish for up to the shutdown grace, and returns.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        match self.tls {
            None => serve(self.listener, self.router, shutdown, self.shutdown_grace).await,
            Some(acceptor) => {
                let listener = TlsListener::new(self.listener, acceptor)
                    .map_err(|source| ServerError::Serve { source })?;
                serve(listener, self.router, shutdown, self.shutdown_grace).await
            }
        }
    }
}

async fn serve<L>(
    listener: L,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Result<(), ServerError>
where
    L: Listener<Addr = SocketAddr>,
    Peer: for<'a> Connected<IncomingStream<'a, L>>,
{
    let signalled = Arc::new(Notify::new());
    let notify = Arc::clone(&signalled);
    let serving = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<Peer>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down");
        notify.notify_one();
    })
    .into_future();
    tokio::select! {
        result = serving => result.map_err(|source| ServerError::Serve { source }),
        () = async {
            signalled.notified().await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!("connections still open after {} s: stopping anyway", grace.as_secs());
            Ok(())
        }
    }
}

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

/// A future that completes on SIGTERM or SIGINT (Ctrl-C): the usual way
/// to stop a server. The signals are caught from the moment this is
/// called (inside the runtime), not from the first poll, so a signal sent
/// right after the server says where it listens is not lost.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Outside a runtime there is no reactor to register with (tokio
        // would panic): fall back to Ctrl-C, which registers when polled.
        let signals = tokio::runtime::Handle::try_current()
            .map_err(std::io::Error::other)
            .and_then(|_| signal(SignalKind::terminate()))
            .and_then(|terminate| {
                signal(SignalKind::interrupt()).map(|interrupt| (terminate, interrupt))
            });
        async move {
            match signals {
                Ok((mut terminate, mut interrupt)) => {
                    tokio::select! {
                        _ = terminate.recv() => {}
                        _ = interrupt.recv() => {}
                    }
                }
                Err(error) => {
                    tracing::warn!("cannot catch SIGTERM ({error}): stop with Ctrl-C");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
