//! The reference: `dpkg --unpack` of the same packages into a root of its
//! own, timed around the whole command. When GNU `time` is installed it
//! wraps dpkg to report dpkg's CPU time and peak memory as well.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::measure::BenchResult;

/// GNU time, for dpkg's CPU time and peak memory.
const GNU_TIME: &str = "/usr/bin/time";

/// What one `dpkg --unpack` measured (times in seconds).
#[derive(Clone, Copy, Debug, Default)]
pub struct Unpack {
    pub wall: f64,
    pub user: f64,
    pub system: f64,
    /// Peak resident memory in KiB (0 when unknown).
    pub peak_kb: u64,
}

/// An empty dpkg root: `R/var/lib/dpkg/{status,available}` created empty.
pub fn prepare_root(root: &Path) -> BenchResult<()> {
    let admin = root.join("var/lib/dpkg");
    fs::create_dir_all(&admin)?;
    fs::write(admin.join("status"), "")?;
    fs::write(admin.join("available"), "")?;
    Ok(())
}

/// The dpkg arguments of the corpus README (fsync stays on: no
/// `--force-unsafe-io`).
fn dpkg_args(root: &Path, debs: &[&Path]) -> Vec<String> {
    let mut args = vec![
        format!("--root={}", root.display()),
        "--force-not-root".to_owned(),
        "--force-script-chrootless".to_owned(),
        "--force-depends".to_owned(),
        "--no-triggers".to_owned(),
        "--force-confdef".to_owned(),
        "--force-confold".to_owned(),
        "--unpack".to_owned(),
    ];
    args.extend(debs.iter().map(|deb| deb.display().to_string()));
    args
}

/// The command line, as printed in the report.
pub fn command_line(root: &str, debs: &str) -> String {
    let mut args = dpkg_args(Path::new(root), &[]);
    args.push(debs.to_owned());
    format!("dpkg {}", args.join(" "))
}

/// `dpkg --unpack` of `debs` into `root`.
pub fn unpack(root: &Path, debs: &[&Path]) -> BenchResult<Unpack> {
    let timed = Path::new(GNU_TIME).is_file();
    let report = root.with_extension("time");
    let mut command = if timed {
        let mut command = Command::new(GNU_TIME);
        command
            .arg("-o")
            .arg(&report)
            .arg("-f")
            .arg("%U %S %M")
            .arg("dpkg");
        command
    } else {
        Command::new("dpkg")
    };
    command.args(dpkg_args(root, debs));
    let start = Instant::now();
    let output = command.output()?;
    let wall = start.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "dpkg --unpack failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let mut unpack = Unpack {
        wall,
        ..Unpack::default()
    };
    if timed {
        let text = fs::read_to_string(&report)?;
        fs::remove_file(&report)?;
        let fields: Vec<&str> = text
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        if let [user, system, peak] = fields[..] {
            unpack.user = user.parse()?;
            unpack.system = system.parse()?;
            unpack.peak_kb = peak.parse()?;
        }
    }
    Ok(unpack)
}
