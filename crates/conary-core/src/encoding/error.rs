//! The one error type of every decoder of the canonical encoding.

/// Why bytes are not a valid canonical encoding. Every variant names the
/// byte offset (from the start of the whole input) and the field at fault,
/// written as `record.field` (for example `trove.files`).
///
/// ```rust
/// use conary_core::encoding::DecodeError;
/// let error = conary_core::trove::decode_untrusted(b"CNYT\x00\x01\x05").expect_err("truncated");
/// assert_eq!(error, DecodeError::Truncated { offset: 7, field: "body", needed: 5 });
/// assert_eq!(error.to_string(), "truncated input at byte 7: body needs 5 more bytes");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The whole input is larger than the decoder accepts.
    #[error("input of {len} bytes exceeds the limit of {limit} bytes")]
    InputTooLarge {
        /// The length of the input.
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The input ended in the middle of a value.
    #[error("truncated input at byte {offset}: {field} needs {needed} more bytes")]
    Truncated {
        /// Where the incomplete value starts.
        offset: usize,
        /// The value being read.
        field: &'static str,
        /// How many bytes are missing.
        needed: usize,
    },
    /// The input does not start with the magic of the expected object.
    #[error("bad magic at byte 0: expected {expected:?} for a {object}, found {found:02x?}")]
    BadMagic {
        /// The object being decoded.
        object: &'static str,
        /// The magic it must start with.
        expected: String,
        /// The bytes found instead.
        found: Vec<u8>,
    },
    /// The format number is not one this code reads.
    #[error("unsupported {object} format {found} at byte 4: this reader knows format {expected}")]
    UnsupportedFormat {
        /// The object being decoded.
        object: &'static str,
        /// The only format number understood.
        expected: u16,
        /// The format number found.
        found: u16,
    },
    /// Bytes remain after a complete value.
    #[error("{count} trailing bytes at byte {offset} after {field}")]
    TrailingBytes {
        /// Where the extra bytes start.
        offset: usize,
        /// The value they follow.
        field: &'static str,
        /// How many extra bytes there are.
        count: usize,
    },
    /// A field tag repeats the previous one.
    #[error("duplicate tag {tag} at byte {offset} in {record}")]
    DuplicateTag {
        /// Where the field starts.
        offset: usize,
        /// The record holding it.
        record: &'static str,
        /// The repeated tag.
        tag: u8,
    },
    /// A field tag is smaller than the previous one.
    #[error("tag {tag} at byte {offset} in {record} follows tag {previous}: tags must ascend")]
    TagOrder {
        /// Where the field starts.
        offset: usize,
        /// The record holding it.
        record: &'static str,
        /// The tag found.
        tag: u8,
        /// The tag before it.
        previous: u8,
    },
    /// A closed record (one that keeps no unknown fields) has a tag it does
    /// not define.
    #[error("unknown tag {tag} at byte {offset} in {record}")]
    UnknownTag {
        /// Where the field starts.
        offset: usize,
        /// The record holding it.
        record: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// A required field is absent.
    #[error("missing field {field} in the record at byte {offset}")]
    MissingField {
        /// Where the record starts.
        offset: usize,
        /// The missing field.
        field: &'static str,
    },
    /// A length exceeds the configured limit.
    #[error("length {len} at byte {offset} in {field} exceeds the limit of {limit}")]
    LengthLimit {
        /// Where the length starts.
        offset: usize,
        /// The value being read.
        field: &'static str,
        /// The length found.
        len: u64,
        /// The configured limit.
        limit: usize,
    },
    /// A list claims more items than allowed or than its bytes can hold.
    #[error("count {count} at byte {offset} in {field} exceeds the limit of {limit}")]
    CountLimit {
        /// Where the count starts.
        offset: usize,
        /// The list being read.
        field: &'static str,
        /// The count found.
        count: u64,
        /// The largest count accepted here.
        limit: usize,
    },
    /// Records and lists are nested too deeply.
    #[error("nesting deeper than {limit} at byte {offset} in {field}")]
    DepthLimit {
        /// Where the nested value starts.
        offset: usize,
        /// The nested value.
        field: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// A varint is longer than needed or does not fit in 64 bits.
    #[error("bad varint at byte {offset} in {field}: {reason}")]
    BadVarint {
        /// Where the varint starts.
        offset: usize,
        /// The value being read.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A string is not valid UTF-8.
    #[error("invalid utf-8 at byte {offset} in {field}")]
    BadUtf8 {
        /// Where the bad byte is.
        offset: usize,
        /// The string being read.
        field: &'static str,
    },
    /// A value is well formed but not allowed (an unknown file type, a
    /// version that does not parse, a field that does not belong).
    #[error("invalid {field} at byte {offset}: {reason}")]
    InvalidValue {
        /// Where the value starts.
        offset: usize,
        /// The value at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A value is readable but not in the one form the encoder writes (an
    /// empty list that should be omitted, a set out of order, a flavor not in
    /// its canonical text), so re-encoding would change the bytes.
    #[error("non-canonical {field} at byte {offset}: {reason}")]
    NonCanonical {
        /// Where the value starts.
        offset: usize,
        /// The value at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Two entries of a set or map have the same key.
    #[error("duplicate entry at byte {offset} in {field}: {key}")]
    DuplicateEntry {
        /// Where the second entry starts.
        offset: usize,
        /// The set or map.
        field: &'static str,
        /// The repeated key, as text.
        key: String,
    },
}

impl DecodeError {
    /// The byte offset the error points at (0 for whole-input errors).
    pub fn offset(&self) -> usize {
        match self {
            DecodeError::InputTooLarge { .. } | DecodeError::BadMagic { .. } => 0,
            DecodeError::UnsupportedFormat { .. } => 4,
            DecodeError::Truncated { offset, .. }
            | DecodeError::TrailingBytes { offset, .. }
            | DecodeError::DuplicateTag { offset, .. }
            | DecodeError::TagOrder { offset, .. }
            | DecodeError::UnknownTag { offset, .. }
            | DecodeError::MissingField { offset, .. }
            | DecodeError::LengthLimit { offset, .. }
            | DecodeError::CountLimit { offset, .. }
            | DecodeError::DepthLimit { offset, .. }
            | DecodeError::BadVarint { offset, .. }
            | DecodeError::BadUtf8 { offset, .. }
            | DecodeError::InvalidValue { offset, .. }
            | DecodeError::NonCanonical { offset, .. }
            | DecodeError::DuplicateEntry { offset, .. } => *offset,
        }
    }
}
