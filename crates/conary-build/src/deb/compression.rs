//! The compressions a `control.tar` or `data.tar` member may use, named by
//! the member's suffix, and their streaming decoders.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use super::error::DebError;

/// Memory the xz and lzma decoders may use: xz `-9e` needs 65 MiB, so this
/// admits every preset while refusing headers that ask for gigabytes.
const XZ_MEMORY_LIMIT: u64 = 256 * 1024 * 1024;

/// The compression of a tar member, from its name suffix.
///
/// ```rust
/// use conary_build::deb::Compression;
/// assert_eq!("xz".parse::<Compression>().unwrap(), Compression::Xz);
/// assert_eq!(Compression::Zstd.to_string(), "zst");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Compression {
    /// A plain `.tar`.
    None,
    /// `.gz` (gzip, several concatenated members allowed).
    Gzip,
    /// `.xz` (several concatenated streams allowed).
    Xz,
    /// `.zst` (Zstandard).
    Zstd,
    /// `.bz2` (bzip2; dpkg still reads it, no longer writes it).
    Bzip2,
    /// `.lzma` (the legacy LZMA-alone format).
    Lzma,
}

impl Compression {
    /// The compression of member `name` when it is `{stem}` or `{stem}.{suffix}`;
    /// `None` when the name has another stem or an unknown suffix.
    pub(crate) fn for_member(name: &str, stem: &str) -> Option<Compression> {
        let rest = name.strip_prefix(stem)?;
        if rest.is_empty() {
            return Some(Compression::None);
        }
        match rest.strip_prefix('.')? {
            "none" => None,
            suffix => suffix.parse().ok(),
        }
    }

    /// A streaming decoder over `reader`.
    pub(crate) fn decoder<'a, R: Read + 'a>(self, reader: R) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Compression::None => Box::new(reader),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Compression::Xz => {
                let stream = liblzma::stream::Stream::new_stream_decoder(
                    XZ_MEMORY_LIMIT,
                    liblzma::stream::CONCATENATED,
                )
                .map_err(io::Error::other)?;
                Box::new(liblzma::read::XzDecoder::new_stream(reader, stream))
            }
            Compression::Lzma => {
                let stream = liblzma::stream::Stream::new_lzma_decoder(XZ_MEMORY_LIMIT)
                    .map_err(io::Error::other)?;
                Box::new(liblzma::read::XzDecoder::new_stream(reader, stream))
            }
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        })
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Compression::None => "none",
            Compression::Gzip => "gz",
            Compression::Xz => "xz",
            Compression::Zstd => "zst",
            Compression::Bzip2 => "bz2",
            Compression::Lzma => "lzma",
        })
    }
}

impl FromStr for Compression {
    type Err = DebError;

    /// Parses a member suffix (`gz`, `xz`, `zst`, `bz2`, `lzma`) or `none`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "none" => Ok(Compression::None),
            "gz" => Ok(Compression::Gzip),
            "xz" => Ok(Compression::Xz),
            "zst" => Ok(Compression::Zstd),
            "bz2" => Ok(Compression::Bzip2),
            "lzma" => Ok(Compression::Lzma),
            other => Err(DebError::UnknownCompression {
                name: super::escape(other.as_bytes()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Compression;

    #[test]
    fn member_names() {
        let cases: &[(&str, &str, Option<Compression>)] = &[
            ("data.tar", "data.tar", Some(Compression::None)),
            ("data.tar.gz", "data.tar", Some(Compression::Gzip)),
            ("data.tar.xz", "data.tar", Some(Compression::Xz)),
            ("data.tar.zst", "data.tar", Some(Compression::Zstd)),
            ("data.tar.bz2", "data.tar", Some(Compression::Bzip2)),
            ("data.tar.lzma", "data.tar", Some(Compression::Lzma)),
            ("control.tar.zst", "control.tar", Some(Compression::Zstd)),
            ("data.tar.lz4", "data.tar", None),
            ("data.tarx", "data.tar", None),
            ("data.tar.none", "data.tar", None),
            ("control.tar.gz", "data.tar", None),
        ];
        for (name, stem, expected) in cases {
            assert_eq!(Compression::for_member(name, stem), *expected, "{name}");
        }
    }

    #[test]
    fn display_parse_round_trip() {
        for compression in [
            Compression::None,
            Compression::Gzip,
            Compression::Xz,
            Compression::Zstd,
            Compression::Bzip2,
            Compression::Lzma,
        ] {
            let parsed: Compression = compression
                .to_string()
                .parse()
                .expect("displayed compression parses");
            assert_eq!(parsed, compression);
        }
    }
}
