//! `cvc import-deb`: Debian binary packages as Conary troves.
//!
//! [`import_deb`] reads a `.deb` once (with [`crate::deb::DebReader`]),
//! spools each regular file's contents into a [`ContentSink`] while hashing
//! them with BLAKE3, and returns an [`ImportedPackage`]: a package trove
//! `NAME` referencing its component troves `NAME:SUFFIX`, the
//! [`FileStream`](conary_core::files::FileStream) of every file, and the
//! digests of the contents. [`ImportedPackage::to_changeset`] makes the
//! absolute changeset that installs it. [`order_for_import`] and
//! [`check_import`] decide in which order a batch is committed and what is
//! refused. [`batch::import_batch`] is all of it for a batch of files:
//! plan, check against the branch, spool a changeset, commit.
//!
//! ```rust,no_run
//! use conary_build::import::{ImportOptions, MemorySink, check_import, import_deb, order_for_import};
//! let label = "deb.example.com@debian:bookworm".parse()?;
//! let mut sink = MemorySink::new();
//! for candidate in order_for_import(&["curl_7.88.1-10+deb12u5_amd64.deb", "curl_7.88.1-10+deb12u15_amd64.deb"])? {
//!     let file = std::io::BufReader::new(std::fs::File::open(&candidate.path)?);
//!     let imported = import_deb(file, &label, &ImportOptions::default(), &mut sink)?;
//!     let on_branch = []; // (version, flavor) of the package already on the branch
//!     if check_import(imported.deb_name(), imported.deb_version(), &imported.package().flavor, &on_branch, false)?.should_import() {
//!         // commit imported.troves() with imported.streams() and the contents in `sink`
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The rules
//!
//! **Troves.** Every file goes to the component [`component_for`](crate::deb::component_for) gives it
//! (`:runtime :lib :devel :doc :config :data :locale :python :perl
//! :debuginfo`, see [`crate::deb::component`]). Each component trove holds
//! its files and provides `trove: NAME:SUFFIX`. The package trove holds no
//! file; it references each component strongly and by default, except
//! `:debuginfo`, which is not installed by default. A package without data
//! files (a metapackage) is a package trove without components.
//!
//! **Versions.** All troves of an import have version
//! `/LABEL/UPSTREAM-1-1` ([`import_version`]): UPSTREAM is the whole Debian
//! version, epoch and revision included, through the reversible mapping of
//! [`crate::deb::version_map`] (`:` → `;`, `-` → `_`; `5:7.0.15-1~deb12u7`
//! → `5;7.0.15_1~deb12u7-1-1`); source and build counts are 1; there is no
//! timestamp, the repository assigns it on commit. Files carry the same
//! version as their file version; the repository keeps an older file
//! version where the fileId did not change.
//!
//! **Flavor.** From `Architecture` ([`flavor_for_architecture`]): `amd64`
//! → `is: x86_64`, `i386` → `is: x86`, `arm64` → `is: aarch64`, `armhf` →
//! `is: armv7hl`, `ppc64el` → `is: ppc64le`, `s390x` and `riscv64` → the
//! same name, `all` → the empty flavor; any other architecture is refused.
//! Every trove of the package has that flavor.
//!
//! **Files.** One stream per data entry, except the archive root `./`
//! (every package has it): type, mode (setuid, setgid and sticky bits
//! included), owner and group by name (an entry without names gets `root`
//! for id 0, else the decimal id), mtime, size and content digest, symlink
//! target as written, device numbers. A regular file listed in `conffiles`
//! gets the `config` flag, whatever its component. Tags are empty for now,
//! and no per-file dependencies are computed (ELF sonames are a later
//! step).
//!
//! **Hard links.** Every path of a hard-link group is a regular file with
//! the same contents digest and size, and the same link group,
//! [`link_group_for`] the package and the first path (the one the others
//! link to), so it is the same in every version. A group counts once in the
//! size.
//!
//! **Directories.** Debian lists its directories, shared ones such as
//! `/usr/bin` included, and they carry modes: every directory is kept as a
//! file of type directory. It goes to the component of the first file below
//! it, in path order, that is not a directory (so `/usr/lib/x86_64-linux-gnu`
//! of `libssl3` is in `libssl3:lib` and a component never holds only
//! directories); a directory with no such file (an empty `/var/lib/sudo`)
//! gets the component [`component_for`](crate::deb::component_for) gives it. Several packages thus
//! own `/usr/bin`: their streams are identical directories, which the
//! system shares as dpkg does.
//!
//! **pathIds.** Deterministic per package and path ([`path_id_for`]:
//! the first 16 bytes of BLAKE3 of `deb-pathid\0NAME\0PATH`), so every
//! version of a package gives a path the same pathId without asking the
//! repository, and importing twice gives identical troves.
//!
//! **Dependencies.** Debian relationships are between whole packages, so
//! the package trove carries them (components carry only their `trove:`
//! provides). It provides `deb: NAME(=VERSION)`; the same for `NAME:any`
//! when it is `Multi-Arch: allowed`; and each `Provides:` entry, with
//! `=VERSION` when versioned (alternatives, architecture qualifiers and
//! other operators are refused there, as dpkg refuses them). It requires
//! one `deb:` dependency per group of `Pre-Depends` and `Depends`: Conary
//! has no alternatives, so of `a | b` the **first alternative** is the
//! requirement (the one apt installs by default); the full fields stay in
//! the capsule. Constraints on one name merge (`libc6 (>= 2.34), libc6 (<<
//! 3)` is `deb: libc6(<<3 >=2.34)`); `:any` and other architecture
//! qualifiers stay in the name, `:native` is dropped; requirements the
//! package provides itself are dropped. `Recommends`, `Suggests`,
//! `Conflicts`, `Breaks` and `Replaces` are recorded, not enforced.
//!
//! **Trove info.** Every trove: source name `NAME:source`, build time
//! (the newest mtime of the data entries, the archive root included), size
//! (of its regular files), and metadata from the control file
//! ([`deb_metadata`]: short and long description from `Description`, url
//! from `Homepage`); components also get the path hash of each file. The
//! package trove is flagged a collection and holds a capsule of kind `deb`
//! ([`deb_capsule`]) with every control field and every member of
//! `control.tar` — `conffiles`, `md5sums`, and the maintainer scripts
//! `preinst`, `postinst`, `prerm`, `postrm`, `config`, `triggers`, ... —
//! recorded, **never run**: they are not trove scripts.
//!
//! **Order.** A repository orders a branch by commit time, so a batch is
//! committed oldest first ([`order_for_import`], [`sort_for_import`]), and
//! [`check_import`] refuses a package older than the newest on its branch
//! unless forced, and reports a package already there (same version as
//! dpkg compares, same flavor) so that re-importing is a no-op.

pub mod batch;
mod changeset;
mod error;
mod files;
mod info;
mod order;
mod package;
mod relations;
mod sink;
mod troves;

#[cfg(test)]
mod tests;

pub use error::ImportError;
pub use files::{ImportedFile, link_group_for, path_id_for};
pub use info::{
    CAPSULE_KIND, FIELD_PREFIX, MEMBER_HEX_PREFIX, MEMBER_PREFIX, capsule_member, deb_capsule,
    deb_metadata,
};
pub use order::{ImportCandidate, ImportCheck, check_import, order_for_import, sort_for_import};
pub use package::{ImportOptions, ImportedPackage, fuzz_import, import_deb, import_version};
pub use relations::{ARCHITECTURES, flavor_for_architecture};
pub use sink::{ContentSink, DigestOnlySink, MemorySink, StoreSink};
