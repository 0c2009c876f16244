//! Deltas made in the background after each commit: the committed troves
//! go to one worker thread, which runs
//! [`conary_repository::Repository::prepare_deltas`] on them, so that the
//! first client to ask for an update to them is served from the
//! repository's delta store.
//!
//! The commit's answer never waits: the handler only queues the troves.
//! Commits are prepared one after the other, in order, on the one thread
//! (a burst of commits queues up; a later commit may pair with deltas an
//! earlier one stored). A failure is logged and forgotten: the deltas are
//! then made by the first request instead. The thread ends when the last
//! router holding the queue is dropped, after the work already queued.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use conary_core::trove::TroveTuple;
use conary_repository::Repository;
use conary_repository::deltas::PrepareOptions;

/// The queue of the background worker.
#[derive(Clone, Debug)]
pub(crate) struct DeltaWorker {
    queue: Sender<Vec<TroveTuple>>,
}

impl DeltaWorker {
    /// Starts the worker for `repository`. When no thread can be started,
    /// the worker only drops what it is given (requests make the deltas).
    pub(crate) fn start(repository: Arc<Repository>) -> DeltaWorker {
        let (queue, work) = channel();
        let started = std::thread::Builder::new()
            .name("conary-deltas".into())
            .spawn(move || run(&repository, &work));
        if let Err(error) = started {
            tracing::warn!("cannot start the delta worker, deltas are made on request: {error}");
        }
        DeltaWorker { queue }
    }

    /// Queues the troves of a commit.
    pub(crate) fn prepare(&self, tuples: Vec<TroveTuple>) {
        if !tuples.is_empty() && self.queue.send(tuples).is_err() {
            tracing::warn!("the delta worker has stopped: deltas are made on request");
        }
    }
}

/// The worker: one commit's troves after the other.
fn run(repository: &Repository, work: &Receiver<Vec<TroveTuple>>) {
    let options = PrepareOptions::default();
    while let Ok(tuples) = work.recv() {
        let started = std::time::Instant::now();
        match repository.prepare_deltas(&tuples, &options) {
            Ok(report) => {
                tracing::info!(
                    "deltas for {} committed troves: {} pairs, {} made ({} B), {} already stored, {} damaged removed, {} ms",
                    tuples.len(),
                    report.pairs,
                    report.kept,
                    report.bytes,
                    report.found,
                    report.damaged,
                    started.elapsed().as_millis()
                );
                for failure in &report.failed {
                    tracing::warn!("deltas not prepared for {failure}");
                }
            }
            Err(error) => tracing::warn!("deltas not prepared: {error}"),
        }
    }
}
