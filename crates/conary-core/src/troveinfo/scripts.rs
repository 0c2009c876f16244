//! Trove scripts: the eight slots run around install, update, erase and
//! rollback, each with its compatibility-class conversions.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use super::TroveInfoError;
use crate::encoding::{DecodeError, Record, UnknownFields, Value, encode_uint};

/// When a trove script runs. The encoded tag of each slot is the original's
/// `_TROVESCRIPTS_*` number.
///
/// ```rust
/// use conary_core::troveinfo::ScriptSlot;
/// let slot: ScriptSlot = "postRollback".parse().expect("slot");
/// assert_eq!(slot, ScriptSlot::PostRollback);
/// assert_eq!(slot.to_string(), "postRollback");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScriptSlot {
    /// Before the trove is first installed; failure aborts the update.
    PreInstall,
    /// After the trove is first installed.
    PostInstall,
    /// Before the trove is updated; failure aborts the update.
    PreUpdate,
    /// After the trove is updated.
    PostUpdate,
    /// Before the trove is erased.
    PreErase,
    /// After the trove is erased.
    PostErase,
    /// Before a rollback undoes the trove's update.
    PreRollback,
    /// After a rollback undoes the trove's update.
    PostRollback,
}

/// Every slot with its name and encoded tag.
const SLOTS: [(ScriptSlot, &str, u8); 8] = [
    (ScriptSlot::PreUpdate, "preUpdate", 0),
    (ScriptSlot::PostInstall, "postInstall", 1),
    (ScriptSlot::PostUpdate, "postUpdate", 2),
    (ScriptSlot::PostRollback, "postRollback", 3),
    (ScriptSlot::PreInstall, "preInstall", 4),
    (ScriptSlot::PreErase, "preErase", 5),
    (ScriptSlot::PostErase, "postErase", 6),
    (ScriptSlot::PreRollback, "preRollback", 7),
];

impl ScriptSlot {
    /// Every slot, in declaration order.
    pub const ALL: [ScriptSlot; 8] = [
        ScriptSlot::PreInstall,
        ScriptSlot::PostInstall,
        ScriptSlot::PreUpdate,
        ScriptSlot::PostUpdate,
        ScriptSlot::PreErase,
        ScriptSlot::PostErase,
        ScriptSlot::PreRollback,
        ScriptSlot::PostRollback,
    ];

    /// The tag of this slot in the scripts record.
    pub fn tag(self) -> u8 {
        SLOTS
            .iter()
            .find(|(slot, _, _)| *slot == self)
            .map_or(0, |(_, _, tag)| *tag)
    }

    /// The slot written under `tag`.
    pub fn from_tag(tag: u8) -> Option<ScriptSlot> {
        SLOTS
            .iter()
            .find(|(_, _, slot_tag)| *slot_tag == tag)
            .map(|(slot, _, _)| *slot)
    }
}

impl fmt::Display for ScriptSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = SLOTS
            .iter()
            .find(|(slot, _, _)| slot == self)
            .map_or("?", |(_, name, _)| name);
        f.write_str(name)
    }
}

impl FromStr for ScriptSlot {
    type Err = TroveInfoError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SLOTS
            .iter()
            .find(|(_, name, _)| *name == text)
            .map(|(slot, _, _)| *slot)
            .ok_or_else(|| TroveInfoError::InvalidScriptSlot {
                text: text.to_owned(),
            })
    }
}

/// One trove script.
///
/// ```rust
/// let mut script = conary_core::troveinfo::TroveScript::new("#!/bin/sh\n");
/// script.conversions.insert((2, 1));
/// assert_eq!(script.conversions.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TroveScript {
    /// The script text (usually starting with `#!`).
    pub script: String,
    /// Compatibility-class conversions `(from, to)` the script handles; a
    /// postRollback script that lists `(new, old)` keeps the rollback stack
    /// valid across a class change.
    pub conversions: BTreeSet<(u16, u16)>,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

impl TroveScript {
    /// A script with no conversions.
    pub fn new(script: &str) -> TroveScript {
        TroveScript {
            script: script.to_owned(),
            ..TroveScript::default()
        }
    }
}

/// The scripts of a trove, by slot.
///
/// ```rust
/// use conary_core::troveinfo::{ScriptSlot, TroveScript, TroveScripts};
/// let mut scripts = TroveScripts::default();
/// scripts.set(ScriptSlot::PostInstall, TroveScript::new("#!/bin/sh\nldconfig\n"));
/// assert!(scripts.get(ScriptSlot::PostInstall).is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TroveScripts {
    /// The scripts present.
    pub scripts: BTreeMap<ScriptSlot, TroveScript>,
    /// Slots from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

const TAG_SCRIPT: u8 = 1;
const TAG_CONVERSIONS: u8 = 2;
/// Every tag a script slot record defines.
const SCRIPT_TAGS: &[u8] = &[TAG_SCRIPT, TAG_CONVERSIONS];
/// Every tag the scripts record defines: one per slot.
const SLOT_TAGS: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 7];
const TAG_CONVERSION_FROM: u8 = 1;
const TAG_CONVERSION_TO: u8 = 2;

impl TroveScripts {
    /// The script in `slot`.
    pub fn get(&self, slot: ScriptSlot) -> Option<&TroveScript> {
        self.scripts.get(&slot)
    }

    /// Sets the script in `slot`, returning what it replaced.
    pub fn set(&mut self, slot: ScriptSlot, script: TroveScript) -> Option<TroveScript> {
        self.scripts.insert(slot, script)
    }

    pub(super) fn to_record(&self) -> Record {
        let mut record = Record::new();
        for (slot, script) in &self.scripts {
            let mut slot_record = Record::new();
            slot_record.put_str(TAG_SCRIPT, &script.script);
            let conversions = script.conversions.iter().map(|(from, to)| {
                let mut conversion = Record::new();
                conversion.put_bytes(TAG_CONVERSION_FROM, encode_uint(u64::from(*from)));
                conversion.put_bytes(TAG_CONVERSION_TO, encode_uint(u64::from(*to)));
                conversion.into_bytes()
            });
            slot_record.put_set(TAG_CONVERSIONS, conversions.collect());
            slot_record.put_unknown(&script.unknown, SCRIPT_TAGS);
            record.put_bytes(slot.tag(), slot_record.into_bytes());
        }
        record.put_unknown(&self.unknown, SLOT_TAGS);
        record
    }

    pub(super) fn from_value(value: Value<'_>) -> Result<TroveScripts, DecodeError> {
        let mut reader = value.record("troveinfo.scripts")?;
        let mut scripts = TroveScripts::default();
        while let Some(field) = reader.next_field()? {
            match ScriptSlot::from_tag(field.tag) {
                Some(slot) => {
                    scripts.scripts.insert(slot, decode_script(field.value)?);
                }
                None => scripts
                    .unknown
                    .insert(field.tag, field.value.bytes().to_vec()),
            }
        }
        Ok(scripts)
    }
}

fn decode_script(value: Value<'_>) -> Result<TroveScript, DecodeError> {
    const FIELD: &str = "troveinfo.scripts.script";
    let mut reader = value.record(FIELD)?;
    let mut script = None;
    let mut conversions = BTreeSet::new();
    let mut unknown = UnknownFields::default();
    while let Some(field) = reader.next_field()? {
        match field.tag {
            TAG_SCRIPT => script = Some(field.value.str(FIELD)?.to_owned()),
            TAG_CONVERSIONS => conversions = decode_conversions(field.value)?,
            tag => unknown.insert(tag, field.value.bytes().to_vec()),
        }
    }
    Ok(TroveScript {
        script: reader.require(script, FIELD)?,
        conversions,
        unknown,
    })
}

fn decode_conversions(value: Value<'_>) -> Result<BTreeSet<(u16, u16)>, DecodeError> {
    const FIELD: &str = "troveinfo.scripts.conversions";
    let mut conversions = BTreeSet::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let mut reader = item.record(FIELD)?;
        let mut from = None;
        let mut to = None;
        while let Some(field) = reader.next_field()? {
            match field.tag {
                TAG_CONVERSION_FROM => from = Some(field.value.uint_as::<u16>(FIELD)?),
                TAG_CONVERSION_TO => to = Some(field.value.uint_as::<u16>(FIELD)?),
                _ => return Err(reader.unknown_tag(&field)),
            }
        }
        let conversion = (reader.require(from, FIELD)?, reader.require(to, FIELD)?);
        if !conversions.insert(conversion) {
            return Err(DecodeError::DuplicateEntry {
                offset: item.offset(),
                field: FIELD,
                key: format!("{}->{}", conversion.0, conversion.1),
            });
        }
    }
    Ok(conversions)
}
