//! Doing independent file-system calls on a few threads, for the steps
//! whose time is spent waiting for the device (unlinking files on a file
//! system that discards freed blocks, syncing directories), not on the CPU.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::SystemError;

/// Threads used by [`try_for_each`]: the waits overlap; the CPU (two cores
/// on the machines measured) is not what limits them.
const THREADS: usize = 8;

/// Below this many items the calls are made on the calling thread.
const MIN_ITEMS: usize = 16;

/// Locks `mutex`, taking the data even when a thread panicked while holding
/// it (every user keeps its data valid between statements).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits on `condvar` with `guard`, as [`lock`] does about poisoning.
pub(crate) fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    condvar.wait(guard).unwrap_or_else(PoisonError::into_inner)
}

/// Calls `action` on every item, on up to [`THREADS`] threads, in no
/// particular order. Stops taking new items at the first error and returns
/// it (the first by position among those that failed).
pub(crate) fn try_for_each<T: Sync>(
    items: &[T],
    action: impl Fn(&T) -> Result<(), SystemError> + Sync,
) -> Result<(), SystemError> {
    if items.len() < MIN_ITEMS {
        return items.iter().try_for_each(action);
    }
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<(usize, SystemError)>> = Mutex::new(None);
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return;
            };
            if let Err(error) = action(item) {
                let mut failed = lock(&failed);
                if failed.as_ref().is_none_or(|(first, _)| index < *first) {
                    *failed = Some((index, error));
                }
                // No more items for anyone.
                next.store(items.len(), Ordering::Relaxed);
                return;
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..THREADS.min(items.len()) {
            // A thread that cannot start leaves its share to the others
            // (this one always works).
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    failed
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .map_or(Ok(()), |(_, error)| Err(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_every_item_once_and_returns_the_first_error() {
        let items: Vec<usize> = (0..100).collect();
        let seen = Mutex::new(Vec::new());
        try_for_each(&items, |item| {
            seen.lock().expect("lock").push(*item);
            Ok(())
        })
        .expect("no error");
        let mut seen = seen.into_inner().expect("lock");
        seen.sort_unstable();
        assert_eq!(seen, items);

        let error = try_for_each(&items, |item| {
            if *item >= 50 {
                Err(SystemError::job(format!("item {item}")))
            } else {
                Ok(())
            }
        })
        .expect_err("items from 50 fail");
        assert!(error.to_string().contains("item"), "{error}");
        let few: Vec<usize> = (0..3).collect();
        let error = try_for_each(&few, |item| Err(SystemError::job(format!("item {item}"))))
            .expect_err("fails");
        assert!(error.to_string().contains("item 0"), "{error}");
    }
}
