//! Options every command accepts, before or after the command name, and the
//! configuration they select.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use conary_core::config::Config;

/// Global options of `conary`, `cvc` and `conary-repos`.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Operate on the system under DIR (config, database and files all live under it)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Set a configuration value, e.g. --config 'installLabelPath conary.example.com@plat:1' (repeatable)
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        value_name = "'KEY VALUE'"
    )]
    pub config: Vec<String>,

    /// Read configuration from PATH after the default files (repeatable)
    #[arg(long = "config-file", global = true, value_name = "PATH")]
    pub config_file: Vec<PathBuf>,

    /// Do not read <root>/etc/conaryrc and ~/.conaryrc
    #[arg(long, global = true)]
    pub skip_default_config: bool,

    /// Search LABEL instead of installLabelPath (repeatable)
    #[arg(long = "install-label", global = true, value_name = "LABEL")]
    pub install_label: Vec<String>,
}

impl GlobalArgs {
    /// The root directory operated on (`/` unless `--root`).
    pub fn root(&self) -> PathBuf {
        self.root.clone().unwrap_or_else(|| PathBuf::from("/"))
    }

    /// Reads the configuration: `<root>/etc/conaryrc`, `~/.conaryrc`, each
    /// `--config-file`, then each `--config` line, following `includeConfigFile`.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        let mut config = Config::default();
        if !self.skip_default_config {
            let system_rc = self.root().join("etc/conaryrc");
            if system_rc.exists() {
                read_config_file(&mut config, &system_rc, 0)?;
            }
            if let Some(home) = std::env::var_os("HOME") {
                let user_rc = Path::new(&home).join(".conaryrc");
                if user_rc.exists() {
                    read_config_file(&mut config, &user_rc, 0)?;
                }
            }
        }
        for path in &self.config_file {
            read_config_file(&mut config, path, 0)?;
        }
        for line in &self.config {
            config.apply_line(line, "--config")?;
        }
        if !self.install_label.is_empty() {
            config.install_label_path = self
                .install_label
                .iter()
                .map(|label| label.parse())
                .collect::<Result<_, _>>()
                .context("--install-label")?;
        }
        Ok(config)
    }
}

/// Reads one configuration file and the files it includes.
fn read_config_file(config: &mut Config, path: &Path, depth: usize) -> anyhow::Result<()> {
    if depth > 16 {
        anyhow::bail!("{}: includeConfigFile nested too deeply", path.display());
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file '{}'", path.display()))?;
    let before = config.include_config_files.len();
    config.apply_text(&text, &path.display().to_string())?;
    let includes: Vec<String> = config.include_config_files[before..].to_vec();
    for include in includes {
        let include_path = path
            .parent()
            .map_or_else(|| PathBuf::from(&include), |dir| dir.join(&include));
        read_config_file(config, &include_path, depth + 1)?;
    }
    Ok(())
}
