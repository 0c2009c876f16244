//! `conary-repos serve`: run the HTTP server in the foreground.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use conary_repository::Repository;
use conary_server::{Limits, Server, ServerOptions, TlsFiles};

/// Arguments of `conary-repos serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The repository directory
    pub dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (printed)
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key)
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Largest upload accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body)]
    pub max_body: u64,
    /// Worker threads of the server (blocking work has its own pool)
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub threads: usize,
}

/// Serves until SIGTERM or SIGINT. Prints `listening on ADDR` (the address
/// bound) on standard output once connections are accepted.
pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let repository = Repository::open(&args.dir)
        .with_context(|| format!("cannot open repository '{}'", args.dir.display()))?;
    let mut options = ServerOptions::new(args.listen);
    options.limits.max_body = args.max_body;
    options.tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .thread_name("conary-repos")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // Signals are caught from here on, before anyone learns the address.
        let shutdown = conary_server::shutdown_signal();
        let server = Server::bind(Arc::new(repository), options).await?;
        let scheme = if server.is_tls() { "https" } else { "http" };
        tracing::info!(
            "serving {} on {scheme}://{}",
            args.dir.display(),
            server.local_addr()
        );
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {}", server.local_addr())?;
        stdout.flush()?;
        drop(stdout);
        server.run(shutdown).await?;
        Ok(())
    })
}
