//! The encoding primitives, exact bytes of small objects, and the decoder's
//! refusals.

use conary_core::encoding::{
    DecodeError, Format, Limits, Record, decode_object, encode_list, encode_object, encode_set,
    encode_uint, write_varint,
};
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::Trove;

use super::{VERSIONS, join_object, sample_file, sample_redirect, sample_trove, split_object};

const DEMO: Format = Format {
    object: "demo",
    magic: *b"DEMO",
    number: 1,
};

/// Writes fields in the order given (valid or not).
fn raw_fields(fields: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (tag, value) in fields {
        out.push(*tag);
        write_varint(&mut out, value.len() as u64);
        out.extend_from_slice(value);
    }
    out
}

fn file_object(fields: &[(u8, Vec<u8>)]) -> Vec<u8> {
    join_object(b"CNYF\x00\x01", &raw_fields(fields))
}

fn trove_object(fields: &[(u8, Vec<u8>)]) -> Vec<u8> {
    join_object(b"CNYT\x00\x01", &raw_fields(fields))
}

/// The fields of a directory `0755 root root`, mtime 0.
fn directory_fields() -> Vec<(u8, Vec<u8>)> {
    vec![
        (1, vec![1]),
        (2, vec![0xed, 0x03]),
        (3, b"root".to_vec()),
        (4, b"root".to_vec()),
        (5, vec![0]),
    ]
}

fn decode_file(bytes: &[u8]) -> Result<FileStream, DecodeError> {
    FileStream::decode(bytes)
}

#[test]
fn varints() {
    let cases: [(u64, &[u8]); 7] = [
        (0, &[0x00]),
        (1, &[0x01]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (300, &[0xac, 0x02]),
        (16_384, &[0x80, 0x80, 0x01]),
        (
            u64::MAX,
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(encode_uint(value), expected, "encoding {value}");
        let mut record = Record::new();
        record.put_uint(1, value);
        let bytes = encode_object(&DEMO, record);
        let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid object");
        let field = reader.next_field().expect("valid").expect("a field");
        assert_eq!(
            field.value.uint("demo.value"),
            Ok(value),
            "decoding {value}"
        );
    }
}

#[test]
fn bad_varints_are_refused() {
    let cases: [(&[u8], &str); 4] = [
        (&[0x80, 0x00], "overlong encoding"),
        (&[0x81, 0x80, 0x00], "overlong encoding"),
        (
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            "value does not fit in 64 bits",
        ),
        (
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00,
            ],
            "more than 10 bytes",
        ),
    ];
    for (varint, expected) in cases {
        let bytes = join_object(b"DEMO\x00\x01", &raw_fields(&[(1, varint.to_vec())]));
        let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid object");
        let field = reader.next_field().expect("valid").expect("a field");
        match field.value.uint("demo.value") {
            Err(DecodeError::BadVarint { offset, reason, .. }) => {
                assert_eq!(offset, 9, "{varint:02x?}");
                assert_eq!(reason, expected, "{varint:02x?}");
            }
            other => panic!("{varint:02x?}: expected a bad varint, got {other:?}"),
        }
    }
}

#[test]
fn records_lists_and_sets() {
    let mut record = Record::new();
    record.put_str(3, "c");
    record.put_uint(1, 1);
    record.put_list(2, &[]);
    record.put_record(4, Record::new());
    assert_eq!(record.into_bytes(), [0x01, 0x01, 0x01, 0x03, 0x01, b'c']);
    let list = encode_list(&[b"b".to_vec(), b"a".to_vec()]);
    assert_eq!(list, [0x02, 0x01, b'b', 0x01, b'a']);
    let set = encode_set(vec![
        b"b".to_vec(),
        b"a".to_vec(),
        b"ab".to_vec(),
        b"a".to_vec(),
    ]);
    assert_eq!(set, [0x03, 0x01, b'a', 0x02, b'a', b'b', 0x01, b'b']);
}

#[test]
fn exact_bytes_of_a_directory() {
    let stream = FileStream::new(FileKind::Directory, super::mode(0o755), "root", "root");
    let expected: &[u8] = b"CNYF\x00\x01\x16\
        \x01\x01\x01\
        \x02\x02\xed\x03\
        \x03\x04root\
        \x04\x04root\
        \x05\x01\x00";
    assert_eq!(stream.encode(), expected);
    assert_eq!(decode_file(expected), Ok(stream.clone()));
    // The fileId hashes the same bytes without the mtime field.
    let without_mtime: &[u8] = b"CNYF\x00\x01\x13\
        \x01\x01\x01\
        \x02\x02\xed\x03\
        \x03\x04root\
        \x04\x04root";
    assert_eq!(
        stream.file_id().as_bytes(),
        conary_core::digest::Digest::of(without_mtime).as_bytes()
    );
}

#[test]
fn exact_bytes_of_a_symlink() {
    let kind = FileKind::Symlink {
        target: "libfoo.so.1".to_owned(),
    };
    let mut stream = FileStream::new(kind, super::mode(0o777), "root", "root");
    stream.mtime = 1_700_000_000;
    stream.tags.insert("shlib".to_owned());
    let expected: &[u8] = b"CNYF\x00\x01\x30\
        \x01\x01\x02\
        \x02\x02\xff\x03\
        \x03\x04root\
        \x04\x04root\
        \x05\x05\x80\xe2\xcf\xaa\x06\
        \x09\x0blibfoo.so.1\
        \x0d\x07\x01\x05shlib";
    assert_eq!(stream.encode(), expected);
    assert_eq!(decode_file(expected), Ok(stream));
}

#[test]
fn exact_bytes_of_a_minimal_trove() {
    let trove = Trove::new(
        super::name("foo:runtime"),
        super::version(VERSIONS[0]),
        super::flavor(""),
    );
    let version = VERSIONS[0].as_bytes();
    let mut body = vec![0x01, 11];
    body.extend_from_slice(b"foo:runtime");
    body.push(0x02);
    body.push(version.len() as u8);
    body.extend_from_slice(version);
    let expected = join_object(b"CNYT\x00\x01", &body);
    assert_eq!(&expected[..7], b"CNYT\x00\x01\x42");
    assert_eq!(trove.encode(), expected);
    assert_eq!(Trove::decode(&expected), Ok(trove));
}

#[test]
fn truncation_at_every_offset_is_an_error() {
    let encodings = [
        ("file", sample_file().encode()),
        ("trove", sample_trove().encode()),
        ("redirect", sample_redirect().encode()),
    ];
    for (what, bytes) in encodings {
        for len in 0..bytes.len() {
            let prefix = &bytes[..len];
            let result = if what == "file" {
                FileStream::decode(prefix).map(|_| ())
            } else {
                Trove::decode(prefix).map(|_| ())
            };
            assert!(
                matches!(result, Err(DecodeError::Truncated { .. })),
                "{what} cut at {len} of {}: {result:?}",
                bytes.len()
            );
        }
    }
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = sample_trove().encode();
    let len = bytes.len();
    bytes.push(0);
    assert_eq!(
        Trove::decode(&bytes),
        Err(DecodeError::TrailingBytes {
            offset: len,
            field: "body",
            count: 1
        })
    );
}

#[test]
fn magic_and_format_are_checked() {
    let trove = sample_trove().encode();
    assert!(matches!(
        FileStream::decode(&trove),
        Err(DecodeError::BadMagic {
            object: "file stream",
            ..
        })
    ));
    let file = sample_file().encode();
    assert!(matches!(
        Trove::decode(&file),
        Err(DecodeError::BadMagic {
            object: "trove",
            ..
        })
    ));
    assert!(matches!(
        Trove::decode(b"CX"),
        Err(DecodeError::BadMagic { .. })
    ));
    let mut newer = trove.clone();
    newer[5] = 2;
    let error = Trove::decode(&newer).expect_err("format 2 is unknown");
    assert_eq!(
        error,
        DecodeError::UnsupportedFormat {
            object: "trove",
            expected: 1,
            found: 2
        }
    );
    assert_eq!(
        error.to_string(),
        "unsupported trove format 2 at byte 4: this reader knows format 1"
    );
}

#[test]
fn tags_must_strictly_ascend() {
    let mut fields = directory_fields();
    fields.insert(4, (4, b"root".to_vec()));
    assert_eq!(
        decode_file(&file_object(&fields)),
        Err(DecodeError::DuplicateTag {
            offset: 7 + 3 + 4 + 6 + 6,
            record: "file stream",
            tag: 4
        })
    );
    let mut fields = directory_fields();
    fields.swap(2, 3);
    let error = decode_file(&file_object(&fields)).expect_err("out of order");
    assert!(
        matches!(
            error,
            DecodeError::TagOrder {
                tag: 3,
                previous: 4,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn limits_are_enforced() {
    let bytes = sample_file().encode();
    let small = |change: &dyn Fn(&mut Limits)| {
        let mut limits = Limits::default();
        change(&mut limits);
        FileStream::decode_with_limits(&bytes, &limits).expect_err("over a limit")
    };
    assert!(matches!(
        small(&|limits| limits.max_input_len = 10),
        DecodeError::InputTooLarge { limit: 10, .. }
    ));
    assert!(matches!(
        small(&|limits| limits.max_field_len = 3),
        DecodeError::LengthLimit { limit: 3, .. }
    ));
    assert!(matches!(
        small(&|limits| limits.max_list_len = 1),
        DecodeError::CountLimit {
            count: 2,
            limit: 1,
            ..
        }
    ));
    assert!(matches!(
        small(&|limits| limits.max_depth = 0),
        DecodeError::DepthLimit { limit: 0, .. }
    ));
    // A length past the end of the input, and a count the bytes cannot hold.
    let mut fields = directory_fields();
    fields.push((13, vec![0x64, 0x01, b'a']));
    let error = decode_file(&file_object(&fields)).expect_err("count too large");
    assert!(
        matches!(
            error,
            DecodeError::CountLimit {
                count: 100,
                limit: 2,
                ..
            }
        ),
        "{error:?}"
    );
    let mut body = raw_fields(&directory_fields());
    body.extend_from_slice(&[0x10, 0xff, 0xff, 0x03, b'x']);
    let error = decode_file(&join_object(b"CNYF\x00\x01", &body)).expect_err("too long");
    assert!(
        matches!(error, DecodeError::Truncated { needed: 65_534, .. }),
        "{error:?}"
    );
    let error = decode_file(b"CNYF\x00\x01\xff\xff\xff\xff\x0f").expect_err("huge body");
    assert!(matches!(
        error,
        DecodeError::Truncated { .. } | DecodeError::LengthLimit { .. }
    ));
}

#[test]
fn malformed_file_streams_are_refused() {
    type Change = fn(&mut Vec<(u8, Vec<u8>)>);
    let cases: [(&str, Change, &str); 12] = [
        (
            "bad utf-8 owner",
            |f| f[2].1 = vec![b'r', 0xff],
            "invalid utf-8 at byte 17 in filestream.owner",
        ),
        (
            "missing mtime",
            |f| {
                f.pop();
            },
            "missing field filestream.mtime in the record at byte 7",
        ),
        (
            "unknown type",
            |f| f[0].1 = vec![9],
            "invalid filestream.type at byte 9: unknown file type 9",
        ),
        (
            "mode too large",
            |f| f[1].1 = vec![0x80, 0x80, 0x01],
            "invalid filestream.mode at byte 12: invalid mode '40000'",
        ),
        (
            "overlong mode",
            |f| f[1].1 = vec![0xed, 0x83, 0x00],
            "bad varint at byte 12 in filestream.mode: overlong encoding",
        ),
        (
            "size on a directory",
            |f| f.push((6, vec![1])),
            "invalid filestream.size at byte 31: not allowed for a directory",
        ),
        (
            "regular without digest",
            |f| {
                f[0].1 = vec![0];
                f.push((6, vec![1]));
            },
            "invalid filestream.digest at byte 9: required for a regular but missing",
        ),
        (
            "short digest",
            |f| {
                f[0].1 = vec![0];
                f.push((6, vec![1]));
                f.push((7, vec![0; 31]));
            },
            "invalid filestream.digest at byte 34: expected 32 bytes, found 31",
        ),
        (
            "zero flags",
            |f| f.push((12, vec![0])),
            "non-canonical filestream.flags at byte 31: zero flags must be omitted",
        ),
        (
            "empty tag list",
            |f| f.push((13, vec![0])),
            "non-canonical filestream.tags at byte 31: an empty list must be omitted",
        ),
        (
            "tags out of order",
            |f| f.push((13, vec![2, 1, b'b', 1, b'a'])),
            "non-canonical filestream.tags at byte 35: items are not in ascending byte order",
        ),
        (
            "repeated tag",
            |f| f.push((13, vec![2, 1, b'a', 1, b'a'])),
            "duplicate entry at byte 35 in filestream.tags",
        ),
    ];
    for (what, change, message) in cases {
        let mut fields = directory_fields();
        change(&mut fields);
        let error = decode_file(&file_object(&fields)).expect_err(what);
        assert!(
            error.to_string().starts_with(message),
            "{what}: {error} (expected {message})"
        );
    }
}

#[test]
fn malformed_troves_are_refused() {
    let name = (1, b"foo".to_vec());
    let version = (2, VERSIONS[0].as_bytes().to_vec());
    let tuple_ref = |extra: &[(u8, Vec<u8>)]| {
        let mut fields = vec![name.clone(), version.clone()];
        fields.extend_from_slice(extra);
        let entry = raw_fields(&fields);
        let mut list = vec![1, entry.len() as u8];
        list.extend_from_slice(&entry);
        list
    };
    type Case = (&'static str, Vec<(u8, Vec<u8>)>, &'static str);
    let cases: Vec<Case> = vec![
        (
            "missing version",
            vec![name.clone()],
            "missing field trove.version",
        ),
        (
            "normal type written",
            vec![name.clone(), version.clone(), (4, vec![0])],
            "non-canonical trove.trove_type",
        ),
        (
            "unknown type",
            vec![name.clone(), version.clone(), (4, vec![7])],
            "invalid trove.trove_type",
        ),
        (
            "empty info",
            vec![name.clone(), version.clone(), (11, vec![])],
            "non-canonical trove.info",
        ),
        (
            "byDefault 2",
            vec![
                name.clone(),
                version.clone(),
                (8, tuple_ref(&[(4, vec![2])])),
            ],
            "invalid trove.strong_refs",
        ),
        (
            "byDefault missing",
            vec![name.clone(), version.clone(), (8, tuple_ref(&[]))],
            "missing field trove.strong_refs",
        ),
        (
            "unknown tag in a tuple",
            vec![
                name.clone(),
                version.clone(),
                (11, raw_fields(&[(4, tuple_ref(&[(9, vec![])]))])),
            ],
            "unknown tag 9",
        ),
        (
            "empty name",
            vec![(1, vec![]), version.clone()],
            "invalid trove.name",
        ),
    ];
    for (what, fields, message) in cases {
        let error = Trove::decode(&trove_object(&fields)).expect_err(what);
        assert!(
            error.to_string().starts_with(message),
            "{what}: {error} (expected {message})"
        );
    }
}

#[test]
fn unknown_top_level_fields_survive() {
    let mut fields = directory_fields();
    fields.push((200, b"future".to_vec()));
    let bytes = file_object(&fields);
    let stream = decode_file(&bytes).expect("unknown fields are kept");
    assert_eq!(stream.unknown.get(200), Some(&b"future"[..]));
    assert_eq!(stream.encode(), bytes);

    let (header, mut body) = split_object(&sample_trove().encode());
    body.extend_from_slice(&[250, 3, b'n', b'e', b'w']);
    let bytes = join_object(&header, &body);
    let trove = Trove::decode(&bytes).expect("unknown fields are kept");
    assert_eq!(trove.unknown.get(250), Some(&b"new"[..]));
    assert_eq!(trove.encode(), bytes);
    assert_eq!(trove.digest(), conary_core::digest::Digest::of(&bytes));
}

#[test]
fn unknown_nested_fields_survive() {
    let mut trove = sample_trove();
    trove.info.unknown.insert(60, b"troveinfo".to_vec());
    trove.info.metadata.unknown.insert(12, b"notes".to_vec());
    trove.info.scripts.unknown.insert(9, b"slot".to_vec());
    if let Some(capsule) = trove.info.capsule.as_mut() {
        capsule.unknown.insert(3, b"capsule".to_vec());
    }
    if let Some(file) = trove.files.values_mut().next() {
        file.unknown.insert(5, b"file".to_vec());
    }
    if let Some(reference) = trove.strong_refs.values_mut().next() {
        reference.unknown.insert(5, b"ref".to_vec());
    }
    let bytes = trove.encode();
    let decoded = Trove::decode(&bytes).expect("valid");
    assert_eq!(decoded, trove);
    assert_eq!(decoded.encode(), bytes);
    assert_ne!(decoded.digest(), sample_trove().digest());
}

#[test]
fn known_tags_in_unknown_fields_are_ignored() {
    let mut stream = sample_file();
    let bytes = stream.encode();
    stream.unknown.insert(3, b"intruder".to_vec());
    assert_eq!(stream.encode(), bytes);
}

#[test]
fn errors_name_offset_and_field() {
    let mut fields = directory_fields();
    fields[3].1 = vec![0xc3, 0x28];
    let error = decode_file(&file_object(&fields)).expect_err("bad utf-8");
    assert_eq!(
        error,
        DecodeError::BadUtf8 {
            offset: 22,
            field: "filestream.group"
        }
    );
    assert_eq!(error.offset(), 22);
}

/// Bytes from a hex dump such as `43 4e 59`.
fn unhex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|pair| u8::from_str_radix(pair, 16).expect("test hex is valid"))
        .collect()
}

/// The hex of the frozen version `VERSIONS[0]`, preceded by its length.
const VERSION_HEX: &str = "33 2f 63 6f 6e 61 72 79 2e 65 78 61 6d 70 6c 65 2e 63 6f 6d 40 70 6c 61 74 3a 31 2f 31 37 30 30 30 30 30 30 30 30 2e 30 30 30 3a 32 2e 32 2e 33 2d 34 2d 32";

/// The config file `/etc/foo.conf` of `docs/FORMATS.md`.
fn config_file() -> FileStream {
    let kind = FileKind::Regular {
        size: 6,
        digest: conary_core::digest::Digest::of(b"hello\n"),
        link_group: None,
    };
    let mut file = FileStream::new(kind, super::mode(0o644), "root", "root");
    file.mtime = 1_700_000_000;
    file.flags.set(conary_core::files::FileFlags::CONFIG, true);
    file
}

#[test]
fn exact_bytes_of_a_config_file() {
    let expected = unhex(
        "43 4e 59 46 00 01 42 01 01 00 02 02 a4 03 03 04 72 6f 6f 74 04 04 72 6f 6f 74 \
         05 05 80 e2 cf aa 06 06 01 06 07 20 8e 4c 7c 1b 99 db fd 50 e7 a9 51 85 fe ad 5e \
         e1 44 8f a9 04 a2 fd d7 78 ea f5 f2 db fd 62 9a 99 0c 01 01",
    );
    let file = config_file();
    assert_eq!(file.encode(), expected);
    assert_eq!(
        file.file_id().to_string(),
        "4f26e1bc3065aba32b4f150c1838bdcf9149c073b660e4fdbc4bb82af8a2531e"
    );
}

#[test]
fn exact_bytes_of_a_component_and_a_package() {
    let config_version = super::version(VERSIONS[0]);
    let mut component = Trove::new(
        super::name("foo:config"),
        config_version.clone(),
        super::flavor(""),
    );
    component.add_file(
        conary_core::digest::PathId::from_bytes([0x11; 16]),
        "/etc/foo.conf",
        config_file().file_id(),
        config_version.clone(),
    );
    component.info.size = Some(6);
    let expected = unhex(&format!(
        "43 4e 59 54 00 01 c2 01 01 0a 66 6f 6f 3a 63 6f 6e 66 69 67 02 {VERSION_HEX} \
         07 7a 01 78 01 10 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 \
         02 0d 2f 65 74 63 2f 66 6f 6f 2e 63 6f 6e 66 \
         03 20 4f 26 e1 bc 30 65 ab a3 2b 4f 15 0c 18 38 bd cf 91 49 c0 73 b6 60 e4 fd bc 4b \
         b8 2a f8 a2 53 1e 04 {VERSION_HEX} 0b 03 00 01 06"
    ));
    assert_eq!(component.encode(), expected);
    assert_eq!(Trove::decode(&expected), Ok(component.clone()));

    let mut package = Trove::new(super::name("foo"), config_version, super::flavor(""));
    package.add_strong_ref(component.tuple(), true);
    let expected = unhex(&format!(
        "43 4e 59 54 00 01 82 01 01 03 66 6f 6f 02 {VERSION_HEX} \
         08 46 01 44 01 0a 66 6f 6f 3a 63 6f 6e 66 69 67 02 {VERSION_HEX} 04 01 01"
    ));
    assert_eq!(package.encode(), expected);
    assert_eq!(Trove::decode(&expected), Ok(package));
}

#[test]
fn deepest_value_sits_at_depth_five() {
    let bytes = sample_trove().encode();
    let limits = |max_depth| Limits {
        max_depth,
        ..Limits::default()
    };
    assert!(Trove::decode_with_limits(&bytes, &limits(5)).is_ok());
    let error = Trove::decode_with_limits(&bytes, &limits(4)).expect_err("too deep");
    assert!(
        matches!(
            error,
            DecodeError::DepthLimit {
                field: "troveinfo.scripts.conversions",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn single_byte_corruption_never_panics_and_stays_canonical() {
    let encodings = [
        sample_file().encode(),
        sample_trove().encode(),
        sample_redirect().encode(),
    ];
    for original in encodings {
        for position in 0..original.len() {
            let byte = original[position];
            for replacement in [
                0x00,
                0x01,
                0x7f,
                0x80,
                0xff,
                byte ^ 0x01,
                byte.wrapping_add(1),
            ] {
                let mut bytes = original.clone();
                bytes[position] = replacement;
                if let Ok(stream) = FileStream::decode(&bytes) {
                    assert_eq!(stream.encode(), bytes, "file stream, byte {position}");
                }
                if let Ok(trove) = Trove::decode(&bytes) {
                    assert_eq!(trove.encode(), bytes, "trove, byte {position}");
                }
            }
        }
    }
}
