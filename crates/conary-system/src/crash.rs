//! Crash points: named steps of a transaction where a test can kill the
//! process, to prove that the next start recovers.
//!
//! Built with the `crash-points` feature (only the crate's own tests turn
//! it on), each call to [`point`] counts how often its step was passed and:
//!
//! - appends `step:count` to the file named by `CONARY_CRASH_LOG`, so a
//!   test learns every step of a transaction from one clean run;
//! - aborts the process (as a kill would: no destructors, no unwinding)
//!   when `CONARY_CRASH_AT` is `step:count`, or `step` for its first pass.
//!
//! Without the feature, [`point`] is an empty inline function: release
//! builds carry no check and ignore the variables.

/// Passes the step `name`; see the module docs.
#[inline]
pub(crate) fn point(name: &'static str) {
    #[cfg(feature = "crash-points")]
    imp::point(name);
    #[cfg(not(feature = "crash-points"))]
    let _ = name;
}

#[cfg(feature = "crash-points")]
mod imp {
    use std::collections::BTreeMap;
    use std::io::Write as _;
    use std::sync::Mutex;

    static COUNTS: Mutex<BTreeMap<&'static str, u64>> = Mutex::new(BTreeMap::new());

    pub(super) fn point(name: &'static str) {
        let count = {
            let mut counts = crate::parallel::lock(&COUNTS);
            let count = counts.entry(name).or_insert(0);
            *count = count.saturating_add(1);
            *count
        };
        let here = format!("{name}:{count}");
        if let Some(log) = std::env::var_os("CONARY_CRASH_LOG")
            && let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
        {
            let _ = writeln!(file, "{here}");
        }
        if let Some(target) = std::env::var_os("CONARY_CRASH_AT") {
            let target = target.to_string_lossy();
            if *target == here || (*target == *name && count == 1) {
                std::process::abort();
            }
        }
    }
}
