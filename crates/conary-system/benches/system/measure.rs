//! Clocks and memory of this process, and medians.

use std::time::Duration;

/// What the benchmark's steps return.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// CPU time of this process so far: (user, system), from
/// `/proc/self/stat` in ticks of 10 ms.
fn cpu_time() -> (Duration, Duration) {
    let ticks = || -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which ends at the last ')':
        // state is field 3, utime field 14, stime field 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some((fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?))
    };
    // Linux reports these in USER_HZ, 100 per second on every platform.
    let (user, system) = ticks().unwrap_or((0, 0));
    (
        Duration::from_millis(user.saturating_mul(10)),
        Duration::from_millis(system.saturating_mul(10)),
    )
}

/// CPU time of a stretch of work.
pub struct CpuClock {
    start: (Duration, Duration),
}

impl CpuClock {
    pub fn start() -> CpuClock {
        CpuClock { start: cpu_time() }
    }

    /// (user, system) since the start.
    pub fn stop(&self) -> (Duration, Duration) {
        let (user, system) = cpu_time();
        (
            user.saturating_sub(self.start.0),
            system.saturating_sub(self.start.1),
        )
    }
}

/// The peak resident memory of this process (`VmHWM` of
/// `/proc/self/status`), in KiB.
pub fn peak_memory_kb() -> BenchResult<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    let kb = line
        .trim()
        .strip_suffix("kB")
        .ok_or_else(|| format!("VmHWM in an unknown unit: {line}"))?;
    Ok(kb.trim().parse()?)
}

/// Starts the peak resident memory of this process over from the
/// present use (Linux: `5` written to `/proc/self/clear_refs`).
pub fn reset_peak_memory() -> BenchResult<()> {
    std::fs::write("/proc/self/clear_refs", "5")?;
    Ok(())
}

/// The median of some values (the lower middle one for an even count);
/// zero for none.
pub fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.into_iter().collect();
    values.sort_by(f64::total_cmp);
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0.0)
}
