//! Reading the canonical encoding: bounded, offset-tracking, panic-free.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::str::FromStr;

use super::{DecodeError, Format, Limits};
use crate::version::Version;

/// A position in a slice of the input that knows its absolute offset.
#[derive(Debug, Clone, Copy)]
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8], base: usize) -> Cursor<'a> {
        Cursor {
            bytes,
            pos: 0,
            base,
        }
    }

    /// The absolute offset of the next byte.
    fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn byte(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        let byte = self
            .bytes
            .get(self.pos)
            .copied()
            .ok_or(DecodeError::Truncated {
                offset: self.offset(),
                field,
                needed: 1,
            })?;
        self.pos += 1;
        Ok(byte)
    }

    fn take(&mut self, len: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let start = self.offset();
        let end = self.pos.checked_add(len);
        match end.and_then(|end| self.bytes.get(self.pos..end)) {
            Some(slice) => {
                self.pos += len;
                Ok(slice)
            }
            None => Err(DecodeError::Truncated {
                offset: start,
                field,
                needed: len.saturating_sub(self.remaining()),
            }),
        }
    }

    /// Reads a minimal unsigned LEB128 varint of at most 64 bits.
    fn varint(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        let start = self.offset();
        let mut value = 0u64;
        for index in 0..10u32 {
            let byte = self.byte(field).map_err(|_| DecodeError::Truncated {
                offset: start,
                field,
                needed: 1,
            })?;
            let group = u64::from(byte & 0x7f);
            if index == 9 && group > 1 {
                return Err(DecodeError::BadVarint {
                    offset: start,
                    field,
                    reason: "value does not fit in 64 bits",
                });
            }
            value |= group << (7 * index);
            if byte & 0x80 == 0 {
                if byte == 0 && index > 0 {
                    return Err(DecodeError::BadVarint {
                        offset: start,
                        field,
                        reason: "overlong encoding",
                    });
                }
                return Ok(value);
            }
        }
        Err(DecodeError::BadVarint {
            offset: start,
            field,
            reason: "more than 10 bytes",
        })
    }

    /// Reads a varint length and checks it against `limit`.
    fn length(&mut self, field: &'static str, limit: usize) -> Result<usize, DecodeError> {
        let offset = self.offset();
        let len = self.varint(field)?;
        match usize::try_from(len) {
            Ok(len) if len <= limit => Ok(len),
            _ => Err(DecodeError::LengthLimit {
                offset,
                field,
                len,
                limit,
            }),
        }
    }
}

/// Checks the header of a top-level object and returns a reader over its
/// body record. The header is the format's magic, its big-endian `u16`
/// number and the varint length of the body, which must end the input.
pub fn decode_object<'a>(
    input: &'a [u8],
    format: &Format,
    limits: &Limits,
) -> Result<RecordReader<'a>, DecodeError> {
    if input.len() > limits.max_input_len {
        return Err(DecodeError::InputTooLarge {
            len: input.len(),
            limit: limits.max_input_len,
        });
    }
    let prefix = input.get(..4).unwrap_or(input);
    if format.magic.get(..prefix.len()) != Some(prefix) {
        return Err(DecodeError::BadMagic {
            object: format.object,
            expected: String::from_utf8_lossy(&format.magic).into_owned(),
            found: prefix.to_vec(),
        });
    }
    let mut cursor = Cursor::new(input, 0);
    cursor.take(4, "magic")?;
    let number = cursor.take(2, "format number")?;
    let found = u16::from_be_bytes([
        number.first().copied().unwrap_or(0),
        number.get(1).copied().unwrap_or(0),
    ]);
    if found != format.number {
        return Err(DecodeError::UnsupportedFormat {
            object: format.object,
            expected: format.number,
            found,
        });
    }
    let len = cursor.length("body length", limits.max_input_len)?;
    let body_offset = cursor.offset();
    let body = cursor.take(len, "body")?;
    if !cursor.is_empty() {
        return Err(DecodeError::TrailingBytes {
            offset: cursor.offset(),
            field: "body",
            count: cursor.remaining(),
        });
    }
    Ok(RecordReader::new(
        body,
        body_offset,
        0,
        *limits,
        format.object,
    ))
}

/// Reads the fields of one record in order, checking that tags ascend.
///
/// ```rust
/// use conary_core::encoding::{decode_object, encode_object, Format, Limits, Record};
/// const DEMO: Format = Format { object: "demo", magic: *b"DEMO", number: 1 };
/// let mut record = Record::new();
/// record.put_uint(1, 7);
/// record.put_str(2, "seven");
/// let bytes = encode_object(&DEMO, record);
/// let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid");
/// let mut tags = Vec::new();
/// while let Some(field) = reader.next_field().expect("valid") {
///     tags.push(field.tag);
/// }
/// assert_eq!(tags, [1, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct RecordReader<'a> {
    cursor: Cursor<'a>,
    depth: usize,
    limits: Limits,
    record: &'static str,
    previous: Option<u8>,
}

impl<'a> RecordReader<'a> {
    fn new(
        bytes: &'a [u8],
        offset: usize,
        depth: usize,
        limits: Limits,
        record: &'static str,
    ) -> RecordReader<'a> {
        RecordReader {
            cursor: Cursor::new(bytes, offset),
            depth,
            limits,
            record,
            previous: None,
        }
    }

    /// The absolute offset where this record starts.
    pub fn offset(&self) -> usize {
        self.cursor.base
    }

    /// The next field, or `None` at the end of the record.
    pub fn next_field(&mut self) -> Result<Option<Field<'a>>, DecodeError> {
        if self.cursor.is_empty() {
            return Ok(None);
        }
        let offset = self.cursor.offset();
        let tag = self.cursor.byte(self.record)?;
        match self.previous {
            Some(previous) if previous == tag => {
                return Err(DecodeError::DuplicateTag {
                    offset,
                    record: self.record,
                    tag,
                });
            }
            Some(previous) if previous > tag => {
                return Err(DecodeError::TagOrder {
                    offset,
                    record: self.record,
                    tag,
                    previous,
                });
            }
            _ => {}
        }
        self.previous = Some(tag);
        let len = self.cursor.length(self.record, self.limits.max_field_len)?;
        let value_offset = self.cursor.offset();
        let bytes = self.cursor.take(len, self.record)?;
        Ok(Some(Field {
            tag,
            offset,
            value: Value {
                bytes,
                offset: value_offset,
                depth: self.depth,
                limits: self.limits,
            },
        }))
    }

    /// An error for a tag this record defines none of (for closed records).
    pub fn unknown_tag(&self, field: &Field<'_>) -> DecodeError {
        DecodeError::UnknownTag {
            offset: field.offset,
            record: self.record,
            tag: field.tag,
        }
    }

    /// Unwraps a required field, or names it as missing.
    pub fn require<T>(&self, value: Option<T>, field: &'static str) -> Result<T, DecodeError> {
        value.ok_or(DecodeError::MissingField {
            offset: self.offset(),
            field,
        })
    }
}

/// One field of a record: its tag and its value.
///
/// ```rust
/// use conary_core::encoding::{decode_object, encode_object, Format, Limits, Record};
/// const DEMO: Format = Format { object: "demo", magic: *b"DEMO", number: 1 };
/// let mut record = Record::new();
/// record.put_uint(3, 300);
/// let bytes = encode_object(&DEMO, record);
/// let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid");
/// let field = reader.next_field().expect("valid").expect("one field");
/// assert_eq!((field.tag, field.offset), (3, 7));
/// assert_eq!(field.value.uint("demo.count"), Ok(300));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// The field's tag.
    pub tag: u8,
    /// The absolute offset of the tag byte.
    pub offset: usize,
    /// The field's value.
    pub value: Value<'a>,
}

/// The bytes of a field value or list item, with where they sit in the input.
///
/// ```rust
/// use conary_core::encoding::{decode_object, encode_object, DecodeError, Format, Limits, Record};
/// const DEMO: Format = Format { object: "demo", magic: *b"DEMO", number: 1 };
/// let mut record = Record::new();
/// record.put_str(1, "is: x86_64");
/// let bytes = encode_object(&DEMO, record);
/// let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid");
/// let value = reader.next_field().expect("valid").expect("one field").value;
/// let flavor: conary_core::flavor::Flavor = value.parse("demo.flavor").expect("a flavor");
/// assert_eq!(flavor.to_string(), "is: x86_64");
/// assert!(matches!(value.uint("demo.flavor"), Err(DecodeError::TrailingBytes { .. })));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Value<'a> {
    bytes: &'a [u8],
    offset: usize,
    depth: usize,
    limits: Limits,
}

impl<'a> Value<'a> {
    /// The raw bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The absolute offset of the first byte.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// An [`DecodeError::InvalidValue`] pointing at this value.
    pub fn invalid(&self, field: &'static str, reason: impl Into<String>) -> DecodeError {
        DecodeError::InvalidValue {
            offset: self.offset,
            field,
            reason: reason.into(),
        }
    }

    /// A [`DecodeError::NonCanonical`] pointing at this value.
    pub fn non_canonical(&self, field: &'static str, reason: impl Into<String>) -> DecodeError {
        DecodeError::NonCanonical {
            offset: self.offset,
            field,
            reason: reason.into(),
        }
    }

    /// The value as an unsigned integer: one varint filling it exactly.
    pub fn uint(&self, field: &'static str) -> Result<u64, DecodeError> {
        let mut cursor = Cursor::new(self.bytes, self.offset);
        let value = cursor.varint(field)?;
        if !cursor.is_empty() {
            return Err(DecodeError::TrailingBytes {
                offset: cursor.offset(),
                field,
                count: cursor.remaining(),
            });
        }
        Ok(value)
    }

    /// The value as an unsigned integer that must fit in `T`.
    pub fn uint_as<T: TryFrom<u64>>(&self, field: &'static str) -> Result<T, DecodeError> {
        let value = self.uint(field)?;
        T::try_from(value).map_err(|_| self.invalid(field, format!("{value} is out of range")))
    }

    /// The value as exactly `N` bytes.
    pub fn fixed<const N: usize>(&self, field: &'static str) -> Result<[u8; N], DecodeError> {
        <[u8; N]>::try_from(self.bytes).map_err(|_| {
            self.invalid(
                field,
                format!("expected {N} bytes, found {}", self.bytes.len()),
            )
        })
    }

    /// The value as a UTF-8 string.
    pub fn str(&self, field: &'static str) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(self.bytes).map_err(|error| DecodeError::BadUtf8 {
            offset: self.offset.saturating_add(error.valid_up_to()),
            field,
        })
    }

    /// The value as the text of a `T`, which must be `T`'s canonical text
    /// (the one its `Display` writes), so that re-encoding gives the same bytes.
    pub fn parse<T>(&self, field: &'static str) -> Result<T, DecodeError>
    where
        T: FromStr + Display,
        T::Err: Display,
    {
        self.parse_with(field, T::from_str)
    }

    /// Like [`Value::parse`], with `parse` in place of `T::from_str` (for a
    /// stored form more lenient than user input, such as
    /// [`DependencySet::parse_stored`](crate::deps::DependencySet::parse_stored)).
    pub fn parse_with<T, E>(
        &self,
        field: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, DecodeError>
    where
        T: Display,
        E: Display,
    {
        let text = self.str(field)?;
        let value = parse(text).map_err(|error| self.invalid(field, error.to_string()))?;
        let canonical = value.to_string();
        if canonical != text {
            return Err(self.non_canonical(
                field,
                format!("'{text}' is written '{canonical}' canonically"),
            ));
        }
        Ok(value)
    }

    /// The value as a text form whose empty (default) value is never written:
    /// like [`Value::parse`], and the value must not be `T::default()`.
    pub fn parse_non_default<T>(&self, field: &'static str) -> Result<T, DecodeError>
    where
        T: FromStr + Display + Default + PartialEq,
        T::Err: Display,
    {
        self.parse_non_default_with(field, T::from_str)
    }

    /// Like [`Value::parse_non_default`], with `parse` in place of
    /// `T::from_str` (see [`Value::parse_with`]).
    pub fn parse_non_default_with<T, E>(
        &self,
        field: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, DecodeError>
    where
        T: Display + Default + PartialEq,
        E: Display,
    {
        let value = self.parse_with(field, parse)?;
        if value == T::default() {
            return Err(self.non_canonical(field, "an empty value must be omitted"));
        }
        Ok(value)
    }

    /// The value as a version in its frozen form (timestamps included), which
    /// must be the form [`Version::freeze`] writes.
    pub fn version(&self, field: &'static str) -> Result<Version, DecodeError> {
        let text = self.str(field)?;
        let version =
            Version::thaw(text).map_err(|error| self.invalid(field, error.to_string()))?;
        let canonical = version.freeze();
        if canonical != text {
            return Err(self.non_canonical(
                field,
                format!("'{text}' is frozen '{canonical}' canonically"),
            ));
        }
        Ok(version)
    }

    /// The value as a set of UTF-8 strings (see [`Value::set`]).
    pub fn string_set(&self, field: &'static str) -> Result<BTreeSet<String>, DecodeError> {
        let mut strings = BTreeSet::new();
        for item in self.set(field)? {
            strings.insert(item?.str(field)?.to_owned());
        }
        Ok(strings)
    }

    /// The value as an ordered list of UTF-8 strings (see [`Value::list`]).
    pub fn string_list(&self, field: &'static str) -> Result<Vec<String>, DecodeError> {
        let mut strings = Vec::new();
        for item in self.list(field)? {
            strings.push(item?.str(field)?.to_owned());
        }
        Ok(strings)
    }

    /// Checks that one more level of nesting is allowed.
    fn nested_depth(&self, field: &'static str) -> Result<usize, DecodeError> {
        let depth = self.depth.saturating_add(1);
        if depth > self.limits.max_depth {
            return Err(DecodeError::DepthLimit {
                offset: self.offset,
                field,
                limit: self.limits.max_depth,
            });
        }
        Ok(depth)
    }

    /// The value as a nested record, which must not be empty (empty records
    /// are omitted by the encoder).
    pub fn record(&self, field: &'static str) -> Result<RecordReader<'a>, DecodeError> {
        let depth = self.nested_depth(field)?;
        if self.bytes.is_empty() {
            return Err(self.non_canonical(field, "an empty record must be omitted"));
        }
        Ok(RecordReader::new(
            self.bytes,
            self.offset,
            depth,
            self.limits,
            field,
        ))
    }

    /// The value as a list whose order is kept.
    pub fn list(&self, field: &'static str) -> Result<ListReader<'a>, DecodeError> {
        self.list_reader(field, false)
    }

    /// The value as a set (or map): a list whose items must be in strictly
    /// ascending byte order.
    pub fn set(&self, field: &'static str) -> Result<ListReader<'a>, DecodeError> {
        self.list_reader(field, true)
    }

    fn list_reader(
        &self,
        field: &'static str,
        sorted: bool,
    ) -> Result<ListReader<'a>, DecodeError> {
        let depth = self.nested_depth(field)?;
        let mut cursor = Cursor::new(self.bytes, self.offset);
        let count = cursor.varint(field)?;
        if count == 0 {
            return Err(self.non_canonical(field, "an empty list must be omitted"));
        }
        // Each item takes at least its one-byte length, which bounds the count
        // by the bytes left before anything is allocated.
        let limit = self.limits.max_list_len.min(cursor.remaining());
        let remaining = match usize::try_from(count) {
            Ok(count) if count <= limit => count,
            _ => {
                return Err(DecodeError::CountLimit {
                    offset: self.offset,
                    field,
                    count,
                    limit,
                });
            }
        };
        Ok(ListReader {
            cursor,
            remaining,
            sorted,
            previous: None,
            field,
            depth,
            limits: self.limits,
            finished: false,
        })
    }
}

/// The items of a counted list, in order.
///
/// ```rust
/// use conary_core::encoding::{decode_object, encode_object, Format, Limits, Record};
/// const DEMO: Format = Format { object: "demo", magic: *b"DEMO", number: 1 };
/// let mut record = Record::new();
/// record.put_string_list(1, &["b".to_owned(), "a".to_owned()]);
/// let bytes = encode_object(&DEMO, record);
/// let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid");
/// let value = reader.next_field().expect("valid").expect("one field").value;
/// let items = value.list("demo.names").expect("a list");
/// assert_eq!(items.remaining(), 2);
/// let names: Vec<&str> = items.map(|item| item.and_then(|v| v.str("demo.names")).expect("utf-8")).collect();
/// assert_eq!(names, ["b", "a"]);
/// ```
#[derive(Debug, Clone)]
pub struct ListReader<'a> {
    cursor: Cursor<'a>,
    remaining: usize,
    sorted: bool,
    previous: Option<&'a [u8]>,
    field: &'static str,
    depth: usize,
    limits: Limits,
    finished: bool,
}

impl<'a> ListReader<'a> {
    /// The number of items not yet read.
    pub fn remaining(&self) -> usize {
        self.remaining
    }

    fn item(&mut self) -> Result<Option<Value<'a>>, DecodeError> {
        if self.remaining == 0 {
            if !self.cursor.is_empty() {
                return Err(DecodeError::TrailingBytes {
                    offset: self.cursor.offset(),
                    field: self.field,
                    count: self.cursor.remaining(),
                });
            }
            return Ok(None);
        }
        self.remaining -= 1;
        let len = self.cursor.length(self.field, self.limits.max_field_len)?;
        let offset = self.cursor.offset();
        let bytes = self.cursor.take(len, self.field)?;
        if self.sorted {
            if let Some(previous) = self.previous {
                if previous == bytes {
                    return Err(DecodeError::DuplicateEntry {
                        offset,
                        field: self.field,
                        key: "the item repeats the previous one".to_owned(),
                    });
                }
                if previous > bytes {
                    return Err(DecodeError::NonCanonical {
                        offset,
                        field: self.field,
                        reason: "items are not in ascending byte order".to_owned(),
                    });
                }
            }
            self.previous = Some(bytes);
        }
        Ok(Some(Value {
            bytes,
            offset,
            depth: self.depth,
            limits: self.limits,
        }))
    }
}

impl<'a> Iterator for ListReader<'a> {
    type Item = Result<Value<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = self.item();
        if !matches!(item, Ok(Some(_))) {
            self.finished = true;
        }
        item.transpose()
    }
}
