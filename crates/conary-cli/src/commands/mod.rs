//! One module per command.

pub mod changeset;
pub mod commit;
pub mod config;
pub mod cook;
pub mod derive;
pub mod explain;
pub mod import_deb;
pub mod local;
pub mod markremoved;
pub mod merge;
pub mod migrate;
pub mod pin;
pub mod promote;
pub mod query;
pub mod redirect;
pub mod repos;
pub mod repos_serve;
pub mod rollback;
pub mod rq;
pub mod shadow;
pub mod showcs;
pub mod source_control;
pub mod sync;
pub mod update;
pub mod verify;

/// The labels `cvc` looks troves up on: `first`, then the `buildLabel`,
/// then the `installLabelPath`, each once.
pub(crate) fn search_labels(
    config: &conary_core::config::Config,
    first: &[conary_core::version::Label],
) -> Vec<conary_core::version::Label> {
    let mut labels = Vec::new();
    for label in first
        .iter()
        .chain(config.build_label.iter())
        .chain(config.install_label_path.iter())
    {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }
    labels
}
