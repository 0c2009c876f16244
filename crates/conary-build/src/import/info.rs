//! Trove info of imported troves: descriptive metadata from the control
//! file, and the capsule that keeps the whole of `control.tar`.

use conary_core::troveinfo::{Capsule, Metadata};

use crate::deb::DebMetadata;

/// The kind of the capsule of an imported package.
pub const CAPSULE_KIND: &str = "deb";

/// Prefix of a capsule key holding a control field: `field:Depends`.
pub const FIELD_PREFIX: &str = "field:";

/// Prefix of a capsule key holding a `control.tar` member as text:
/// `member:postinst`.
pub const MEMBER_PREFIX: &str = "member:";

/// Prefix of a capsule key holding a `control.tar` member that is not
/// UTF-8, as lowercase hex: `member-hex:templates`.
pub const MEMBER_HEX_PREFIX: &str = "member-hex:";

/// The capsule of an imported package: every control field under
/// `field:NAME` (the value as parsed, continuation lines included) and every
/// member of `control.tar` (`control`, `conffiles`, `md5sums`, the
/// maintainer scripts `preinst`, `postinst`, `prerm`, `postrm`, `config`,
/// and `triggers`, `templates`, `shlibs`, `symbols`, ...) exactly as stored,
/// under `member:NAME`, or `member-hex:NAME` when it is not UTF-8.
///
/// ```rust
/// use std::collections::BTreeMap;
/// use conary_build::deb::DebMetadata;
/// let members = BTreeMap::from([
///     ("control".to_owned(), b"Package: hello\nVersion: 1.0\n".to_vec()),
///     ("postinst".to_owned(), b"#!/bin/sh\n".to_vec()),
/// ]);
/// let capsule = conary_build::import::deb_capsule(&DebMetadata::from_members(members).expect("valid"));
/// assert_eq!(capsule.kind, "deb");
/// assert_eq!(capsule.entries.get("field:Package").map(String::as_str), Some("hello"));
/// assert_eq!(capsule.entries.get("member:postinst").map(String::as_str), Some("#!/bin/sh\n"));
/// ```
pub fn deb_capsule(metadata: &DebMetadata) -> Capsule {
    let mut capsule = Capsule::new(CAPSULE_KIND);
    for (name, value) in metadata.control().fields() {
        capsule
            .entries
            .insert(format!("{FIELD_PREFIX}{name}"), value.to_owned());
    }
    for (name, contents) in metadata.members() {
        match std::str::from_utf8(contents) {
            Ok(text) => capsule
                .entries
                .insert(format!("{MEMBER_PREFIX}{name}"), text.to_owned()),
            Err(_) => capsule
                .entries
                .insert(format!("{MEMBER_HEX_PREFIX}{name}"), hex(contents)),
        };
    }
    capsule
}

/// The contents of `control.tar` member `name` recorded in `capsule` by
/// [`deb_capsule`].
///
/// ```rust
/// let mut capsule = conary_core::troveinfo::Capsule::new("deb");
/// capsule.entries.insert("member-hex:templates".to_owned(), "ff00".to_owned());
/// assert_eq!(conary_build::import::capsule_member(&capsule, "templates"), Some(vec![0xff, 0]));
/// ```
pub fn capsule_member(capsule: &Capsule, name: &str) -> Option<Vec<u8>> {
    if let Some(text) = capsule.entries.get(&format!("{MEMBER_PREFIX}{name}")) {
        return Some(text.as_bytes().to_vec());
    }
    let text = capsule.entries.get(&format!("{MEMBER_HEX_PREFIX}{name}"))?;
    unhex(text)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| {
            let pair = text.get(index..index.checked_add(2)?)?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

/// Descriptive metadata from the control file: the short description is the
/// first line of `Description`, the long description the rest in Debian's
/// layout (`deb-control(5)`): one leading space removed from each line, and
/// a line holding only `.` an empty line. The url is `Homepage`.
///
/// ```rust
/// let control: conary_build::deb::DebControl =
///     "Package: a\nDescription: the a tool\n It does a.\n .\n  verbatim\nHomepage: https://a.example\n".parse().unwrap();
/// let metadata = conary_build::import::deb_metadata(&control);
/// assert_eq!(metadata.short_desc.as_deref(), Some("the a tool"));
/// assert_eq!(metadata.long_desc.as_deref(), Some("It does a.\n\n verbatim"));
/// assert_eq!(metadata.url.as_deref(), Some("https://a.example"));
/// ```
pub fn deb_metadata(control: &crate::deb::DebControl) -> Metadata {
    let mut metadata = Metadata::default();
    if let Some(description) = control.get("Description") {
        let mut lines = description.split('\n');
        let short = lines.next().unwrap_or_default().trim();
        if !short.is_empty() {
            metadata.short_desc = Some(short.to_owned());
        }
        let long: Vec<&str> = lines
            .map(|line| {
                let line = line
                    .strip_prefix(' ')
                    .or_else(|| line.strip_prefix('\t'))
                    .unwrap_or(line);
                if line.trim() == "." { "" } else { line }
            })
            .collect();
        if !long.is_empty() {
            metadata.long_desc = Some(long.join("\n"));
        }
    }
    if let Some(homepage) = control.get("Homepage").map(str::trim)
        && !homepage.is_empty()
    {
        metadata.url = Some(homepage.to_owned());
    }
    metadata
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn hex_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        }

        #[test]
        fn unhex_never_panics(text in "\\PC{0,20}") {
            let _ = unhex(&text);
        }
    }
}
