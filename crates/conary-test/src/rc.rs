//! [`ConaryRc`]: a configuration file for one test.

use std::path::{Path, PathBuf};

/// The lines of a `conaryrc`, built up and written where a test wants it.
///
/// ```rust
/// let rc = conary_test::ConaryRc::new().install_label("a.example.com@ns:1").line("flavor is: x86_64");
/// assert_eq!(rc.text(), "installLabelPath a.example.com@ns:1\nflavor is: x86_64\n");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConaryRc {
    lines: Vec<String>,
}

impl ConaryRc {
    /// An empty configuration.
    pub fn new() -> ConaryRc {
        ConaryRc::default()
    }

    /// Adds `repositoryMap HOST URL`.
    pub fn repository_map(self, host: &str, url: &str) -> ConaryRc {
        self.line(&format!("repositoryMap {host} {url}"))
    }

    /// Adds `user HOST NAME PASSWORD`.
    pub fn user(self, host: &str, name: &str, password: &str) -> ConaryRc {
        self.line(&format!("user {host} {name} {password}"))
    }

    /// Adds `entitlement HOST CLASS KEY`.
    pub fn entitlement(self, host: &str, class: &str, key: &str) -> ConaryRc {
        self.line(&format!("entitlement {host} {class} {key}"))
    }

    /// Adds `installLabelPath LABEL`.
    pub fn install_label(self, label: &str) -> ConaryRc {
        self.line(&format!("installLabelPath {label}"))
    }

    /// Adds any line.
    pub fn line(mut self, line: &str) -> ConaryRc {
        self.lines.push(line.to_owned());
        self
    }

    /// The file's text.
    pub fn text(&self) -> String {
        self.lines.iter().map(|line| format!("{line}\n")).collect()
    }

    /// Writes the file as `dir/conaryrc`; returns its path.
    pub fn write_in(&self, dir: &Path) -> PathBuf {
        let path = dir.join("conaryrc");
        std::fs::write(&path, self.text()).expect("write the conaryrc");
        path
    }
}
