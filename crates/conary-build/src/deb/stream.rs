//! The reader pipeline of one archive member and the classification of its errors.
//!
//! A compressed tar member is read through a chain of readers:
//! [`ArMember`](super::ar::ArMember) (exact member size) → decoder →
//! [`Decoded`] (notes decoder failures) → [`Budgeted`] (byte budget) →
//! `tar::Archive` → [`ExactEntry`] (exact entry size). Errors coming out of
//! the tar crate are plain `io::Error`s; each reader of the chain records in
//! the shared [`StreamState`] what failed, so [`StreamState::classify`] can
//! turn the error into the right [`DebError`] variant.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use super::error::DebError;

/// What the readers of one member's pipeline have observed.
#[derive(Default)]
pub(crate) struct StreamState {
    /// The underlying package stream failed (not a decoding problem).
    io_failed: Cell<bool>,
    /// The member or a tar entry ended before its declared size.
    truncated: Cell<bool>,
    /// The decompressor reported corrupt data.
    decode_failed: Cell<bool>,
    /// A [`Budgeted`] reader refused to read more.
    over_budget: Cell<bool>,
    /// Bytes the [`Budgeted`] reader may still pass on.
    budget: Cell<u64>,
    /// What the budget measures, for the error message.
    budget_what: Cell<&'static str>,
    /// The budget as it was set, for the error message.
    budget_limit: Cell<u64>,
    /// A copy of the first error seen while an entry's contents were read,
    /// kept because the visitor may swallow the original.
    first_error: Cell<Option<io::Error>>,
}

impl StreamState {
    /// A new state with an unlimited budget, shared by one pipeline.
    pub(crate) fn new_shared() -> Rc<StreamState> {
        let state = StreamState::default();
        state.budget.set(u64::MAX);
        Rc::new(state)
    }

    /// Sets how many more bytes the [`Budgeted`] reader may pass on.
    pub(crate) fn set_budget(&self, what: &'static str, limit: u64) {
        self.budget.set(limit);
        self.budget_what.set(what);
        self.budget_limit.set(limit);
    }

    /// Lifts the budget.
    pub(crate) fn unlimited(&self) {
        self.budget.set(u64::MAX);
    }

    pub(crate) fn note_io_failure(&self) {
        self.io_failed.set(true);
    }

    pub(crate) fn note_truncation(&self) {
        self.truncated.set(true);
    }

    /// Whether any reader of the pipeline has failed.
    pub(crate) fn failed(&self) -> bool {
        self.io_failed.get()
            || self.truncated.get()
            || self.decode_failed.get()
            || self.over_budget.get()
    }

    /// The error recorded while an entry's contents were read, if any.
    pub(crate) fn take_first_error(&self) -> Option<io::Error> {
        self.first_error.take()
    }

    /// Turns an error that came out of the pipeline of `member` into a [`DebError`].
    pub(crate) fn classify(&self, member: &str, error: io::Error) -> DebError {
        let member = member.to_owned();
        if self.io_failed.get() {
            DebError::Io {
                member,
                source: error,
            }
        } else if self.truncated.get() {
            DebError::Truncated { member }
        } else if self.decode_failed.get() {
            DebError::Decompress {
                member,
                source: error,
            }
        } else if self.over_budget.get() {
            DebError::LimitExceeded {
                member,
                what: self.budget_what.get(),
                limit: self.budget_limit.get(),
            }
        } else {
            DebError::Tar {
                member,
                source: error,
            }
        }
    }
}

/// Wraps a decoder and notes in the state when it fails on its own account
/// (an error that does not come from the member below it).
pub(crate) struct Decoded<R> {
    inner: R,
    state: Rc<StreamState>,
}

impl<R> Decoded<R> {
    pub(crate) fn new(inner: R, state: Rc<StreamState>) -> Self {
        Decoded { inner, state }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|err| {
            if err.kind() != io::ErrorKind::Interrupted && !self.state.failed() {
                self.state.decode_failed.set(true);
            }
        })
    }
}

/// Passes on at most the state's budget of bytes, then fails.
pub(crate) struct Budgeted<R> {
    inner: R,
    state: Rc<StreamState>,
}

impl<R> Budgeted<R> {
    pub(crate) fn new(inner: R, state: Rc<StreamState>) -> Self {
        Budgeted { inner, state }
    }
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let budget = self.state.budget.get();
        if budget == 0 {
            // Distinguish "the stream ended exactly at the budget" from "it goes on".
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.state.over_budget.set(true);
            return Err(io::Error::other("size limit exceeded"));
        }
        let allowed = usize::try_from(budget).unwrap_or(usize::MAX).min(buf.len());
        let read = self
            .inner
            .read(buf.get_mut(..allowed).unwrap_or_default())?;
        self.state.budget.set(budget.saturating_sub(read as u64));
        Ok(read)
    }
}

/// A tar entry's contents, failing if they end before the declared size
/// (the tar crate itself reports a short entry as a quiet end of file).
pub(crate) struct ExactEntry<'a, R> {
    inner: &'a mut R,
    remaining: u64,
    state: Rc<StreamState>,
}

impl<'a, R: Read> ExactEntry<'a, R> {
    pub(crate) fn new(inner: &'a mut R, size: u64, state: Rc<StreamState>) -> Self {
        ExactEntry {
            inner,
            remaining: size,
            state,
        }
    }

    /// Reads and discards what the visitor left unread.
    pub(crate) fn drain(&mut self) -> io::Result<u64> {
        io::copy(self, &mut io::sink())
    }
}

impl<R: Read> Read for ExactEntry<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let allowed = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        match self.inner.read(buf.get_mut(..allowed).unwrap_or_default()) {
            Ok(0) => {
                self.state.note_truncation();
                let err = io::Error::new(io::ErrorKind::UnexpectedEof, "entry is truncated");
                self.remember(&err);
                Err(err)
            }
            Ok(read) => {
                self.remaining = self.remaining.saturating_sub(read as u64);
                Ok(read)
            }
            Err(err) => {
                if err.kind() != io::ErrorKind::Interrupted {
                    self.remember(&err);
                }
                Err(err)
            }
        }
    }
}

impl<R> ExactEntry<'_, R> {
    fn remember(&self, err: &io::Error) {
        let previous = self.state.first_error.take();
        self.state.first_error.set(Some(
            previous.unwrap_or_else(|| io::Error::new(err.kind(), err.to_string())),
        ));
    }
}
