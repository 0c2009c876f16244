//! The change log of a source trove commit: who committed it and why.

use crate::encoding::{DecodeError, Record, UnknownFields, Value};

/// Who committed a source trove and the message they gave (`cvc commit
/// -m`). Encoded as a nested record `{1: name, 2: contact, 3: message}`;
/// all three are always written, empty or not.
///
/// ```rust
/// use conary_core::troveinfo::ChangeLog;
/// let log = ChangeLog::new("Jane Doe", "jane@example.com", "first import");
/// assert_eq!(log.message, "first import");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeLog {
    /// The committer's name (config key `name`).
    pub name: String,
    /// How to reach the committer (config key `contact`).
    pub contact: String,
    /// The commit message.
    pub message: String,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

const TAG_NAME: u8 = 1;
const TAG_CONTACT: u8 = 2;
const TAG_MESSAGE: u8 = 3;
/// Every tag the change log record defines.
const KNOWN_TAGS: &[u8] = &[TAG_NAME, TAG_CONTACT, TAG_MESSAGE];

impl ChangeLog {
    /// A change log entry with no unknown fields.
    pub fn new(name: &str, contact: &str, message: &str) -> ChangeLog {
        ChangeLog {
            name: name.to_owned(),
            contact: contact.to_owned(),
            message: message.to_owned(),
            unknown: UnknownFields::default(),
        }
    }

    pub(super) fn to_record(&self) -> Record {
        let mut record = Record::new();
        record.put_str(TAG_NAME, &self.name);
        record.put_str(TAG_CONTACT, &self.contact);
        record.put_str(TAG_MESSAGE, &self.message);
        record.put_unknown(&self.unknown, KNOWN_TAGS);
        record
    }

    pub(super) fn from_value(value: Value<'_>) -> Result<ChangeLog, DecodeError> {
        let mut reader = value.record("troveinfo.changelog")?;
        let (mut name, mut contact, mut message) = (None, None, None);
        let mut unknown = UnknownFields::default();
        while let Some(field) = reader.next_field()? {
            match field.tag {
                TAG_NAME => name = Some(field.value.str("changelog.name")?.to_owned()),
                TAG_CONTACT => contact = Some(field.value.str("changelog.contact")?.to_owned()),
                TAG_MESSAGE => message = Some(field.value.str("changelog.message")?.to_owned()),
                tag => unknown.insert(tag, field.value.bytes().to_vec()),
            }
        }
        Ok(ChangeLog {
            name: reader.require(name, "changelog.name")?,
            contact: reader.require(contact, "changelog.contact")?,
            message: reader.require(message, "changelog.message")?,
            unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::trove::Trove;
    use crate::troveinfo::{ChangeLog, TroveInfo};

    fn trove_with(log: Option<ChangeLog>) -> Trove {
        let mut trove = Trove::new(
            "foo:source".parse().expect("name"),
            "/a@b:c/1.0-1".parse().expect("version"),
            Default::default(),
        );
        trove.info = TroveInfo {
            changelog: log,
            ..TroveInfo::default()
        };
        trove
    }

    #[test]
    fn round_trips_through_a_trove() {
        let trove = trove_with(Some(ChangeLog::new(
            "Jane",
            "jane@example.com",
            "fix\nbuild",
        )));
        let decoded = Trove::decode(&trove.encode()).expect("decodes");
        assert_eq!(decoded, trove);
        assert_eq!(
            decoded.info.changelog.map(|log| log.message),
            Some("fix\nbuild".to_owned())
        );
    }

    #[test]
    fn empty_strings_are_kept() {
        let trove = trove_with(Some(ChangeLog::new("", "", "")));
        assert_eq!(Trove::decode(&trove.encode()).expect("decodes"), trove);
        assert_ne!(trove.encode(), trove_with(None).encode());
    }

    #[test]
    fn unknown_fields_of_the_entry_survive() {
        let mut log = ChangeLog::new("a", "b", "c");
        log.unknown.insert(9, b"later".to_vec());
        let trove = trove_with(Some(log));
        let decoded = Trove::decode(&trove.encode()).expect("decodes");
        assert_eq!(
            decoded
                .info
                .changelog
                .and_then(|l| l.unknown.get(9).map(<[u8]>::to_vec)),
            Some(b"later".to_vec())
        );
    }
}
