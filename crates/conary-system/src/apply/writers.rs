//! Staging's writer threads: the files whose contents are already in
//! memory (and symlinks) are created, written and given their attributes
//! on other threads, while the staging thread decodes the next payloads.
//!
//! Creating a file costs the kernel more than decoding its contents costs
//! us (an update decodes 720 deltas; ext4 allocates 792 inodes), and the
//! two overlap once they run on different threads. The staging thread
//! still decides everything in changeset order (config contents, merges,
//! conflicts, hard links, progress, crash points); a writer only performs
//! one [`Job`] on one temporary name, which nothing else touches until
//! staging is over (see [`Pool::close`]). Memory stays bounded: the
//! contents queued at any time total at most [`BUDGET`] bytes (one larger
//! file may go alone).

use std::collections::VecDeque;
use std::io::Write as _;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::attrs::{Attrs, set_attrs, set_file_attrs};
use super::stage::create_temp;
use crate::error::SystemError;
use crate::parallel::{lock, wait};

/// How many writer threads staging starts.
pub(crate) const WRITERS: usize = 2;

/// The most bytes of contents queued at once.
const BUDGET: u64 = 16 << 20;

/// What a writer makes.
#[derive(Debug)]
pub(crate) enum Make {
    /// A regular file with these contents.
    Regular(Arc<Vec<u8>>),
    /// A symlink to this target.
    Symlink(String),
}

/// One file to make under its temporary name.
#[derive(Debug)]
pub(crate) struct Job {
    /// The temporary name (full path); it must not exist.
    pub temp: PathBuf,
    /// What to make there.
    pub make: Make,
    /// The attributes to set on it.
    pub attrs: Attrs,
}

impl Job {
    fn bytes(&self) -> u64 {
        match &self.make {
            Make::Regular(bytes) => bytes.len() as u64,
            Make::Symlink(_) => 0,
        }
    }

    fn run(&self, privileged: bool) -> Result<(), SystemError> {
        let temp = &self.temp;
        match &self.make {
            Make::Regular(bytes) => {
                let mut file = create_temp(temp)?;
                file.write_all(bytes)
                    .map_err(SystemError::io_with("write", temp))?;
                set_file_attrs(&file, &self.attrs, privileged)
                    .map_err(SystemError::io_with("set attributes of", temp))
            }
            Make::Symlink(target) => {
                symlink(target, temp).map_err(SystemError::io_with("create symlink", temp))?;
                set_attrs(temp, &self.attrs, privileged)
            }
        }
    }
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Job>,
    /// Bytes of contents queued or being written.
    in_flight: u64,
    /// No more jobs will come.
    closed: bool,
    /// The first error a writer met; later jobs are dropped.
    error: Option<SystemError>,
}

/// The queue between the staging thread and its writers.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    state: Mutex<State>,
    /// Signalled when a job is queued or the pool closes.
    work: Condvar,
    /// Signalled when a job is done (budget freed).
    done: Condvar,
    privileged: bool,
}

impl Pool {
    /// A pool whose writers set owners when `privileged`.
    pub(crate) fn new(privileged: bool) -> Pool {
        Pool {
            privileged,
            ..Pool::default()
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Queues `job`, waiting while the queue holds too many bytes.
    /// Returns false (dropping the job) when a writer has failed: staging
    /// should stop, and [`Pool::close`] gives the error.
    pub(crate) fn submit(&self, job: Job) -> bool {
        let bytes = job.bytes();
        let mut state = self.lock();
        while state.error.is_none()
            && state.in_flight > 0
            && state.in_flight.saturating_add(bytes) > BUDGET
        {
            state = wait(&self.done, state);
        }
        if state.error.is_some() {
            return false;
        }
        state.in_flight = state.in_flight.saturating_add(bytes);
        state.queue.push_back(job);
        drop(state);
        self.work.notify_one();
        true
    }

    /// A writer's loop: runs jobs until the pool is closed and empty.
    pub(crate) fn work(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                let skip = state.error.is_some();
                drop(state);
                let result = if skip {
                    Ok(())
                } else {
                    job.run(self.privileged)
                };
                state = self.lock();
                state.in_flight = state.in_flight.saturating_sub(job.bytes());
                if let Err(error) = result
                    && state.error.is_none()
                {
                    state.error = Some(error);
                }
                self.done.notify_all();
                continue;
            }
            if state.closed {
                return;
            }
            state = wait(&self.work, state);
        }
    }

    /// No more jobs: the writers finish the queue and return.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.work.notify_all();
    }

    /// The first error of a writer, taken (after the writers returned).
    pub(crate) fn take_error(&self) -> Option<SystemError> {
        self.lock().error.take()
    }
}

/// Closes the pool when dropped (see [`Pool::close`]).
pub(crate) struct CloseOnDrop<'p>(pub &'p Pool);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_after(dir: &std::path::Path) -> Job {
        Job {
            temp: dir.join("after"),
            make: Make::Symlink("x".to_owned()),
            attrs: attrs(),
        }
    }

    fn attrs() -> Attrs {
        Attrs {
            mode: Some(0o640),
            uid: None,
            gid: None,
            mtime: Some(1_600_000_000),
        }
    }

    #[test]
    fn writers_make_every_file_with_its_attributes() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = Pool::new(false);
        std::thread::scope(|scope| {
            for _ in 0..WRITERS {
                scope.spawn(|| pool.work());
            }
            for index in 0..50 {
                let job = Job {
                    temp: dir.path().join(format!("f{index}")),
                    make: Make::Regular(Arc::new(vec![b'x'; index])),
                    attrs: attrs(),
                };
                assert!(pool.submit(job));
            }
            let link = Job {
                temp: dir.path().join("link"),
                make: Make::Symlink("f3".to_owned()),
                attrs: Attrs {
                    mode: None,
                    ..attrs()
                },
            };
            assert!(pool.submit(link));
            pool.close();
        });
        assert!(pool.take_error().is_none());
        for index in 0..50 {
            let path = dir.path().join(format!("f{index}"));
            let metadata = std::fs::metadata(&path).expect("written");
            assert_eq!(metadata.len(), index as u64);
            assert_eq!(metadata.mode() & 0o7777, 0o640);
            assert_eq!(metadata.mtime(), 1_600_000_000);
        }
        let target = std::fs::read_link(dir.path().join("link")).expect("symlink");
        assert_eq!(target, std::path::Path::new("f3"));
    }

    #[test]
    fn a_failed_write_is_reported_and_stops_the_queue() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("taken"), b"there").expect("write");
        let pool = Pool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| pool.work());
            let job = |name: &str| Job {
                temp: dir.path().join(name),
                make: Make::Regular(Arc::new(b"new".to_vec())),
                attrs: attrs(),
            };
            // The temporary name exists: create_new fails.
            let _ = pool.submit(job("taken"));
            pool.close();
        });
        // Once a writer failed, nothing more is queued.
        assert!(!pool.submit(job_after(dir.path())));
        let error = pool.take_error().expect("the write failed");
        assert!(error.to_string().contains("taken"), "{error}");
    }
}
