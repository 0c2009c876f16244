//! The `ls -l`-style one-line display of a file stream.

use super::{FileKind, FileStream};

/// Formats one line; see [`FileStream::ls_line`].
pub(super) fn line(stream: &FileStream, path: &str) -> String {
    let size = match &stream.kind {
        FileKind::Regular { size, .. } => size.to_string(),
        FileKind::Symlink { target } => target.len().to_string(),
        FileKind::CharDevice { major, minor } | FileKind::BlockDevice { major, minor } => {
            format!("{major}, {minor}")
        }
        FileKind::Directory | FileKind::Fifo | FileKind::Socket => "0".to_owned(),
    };
    let mut line = format!(
        "{}{} {:<8} {:<8} {:>10} {} {}",
        stream.file_type().ls_char(),
        stream.mode.permissions_string(),
        stream.owner,
        stream.group,
        size,
        utc_minutes(stream.mtime),
        path,
    );
    if let FileKind::Symlink { target } = &stream.kind {
        line.push_str(" -> ");
        line.push_str(target);
    }
    line
}

/// `YYYY-MM-DD HH:MM` in UTC for seconds since the epoch.
fn utc_minutes(seconds: u64) -> String {
    // Both fit: u64::MAX / 86400 is far below i64::MAX.
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX / 2);
    let in_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        in_day / 3600,
        in_day % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`), for non-negative day counts.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days.saturating_add(719_468);
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era.saturating_mul(400) + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let cases = [
            (0, "1970-01-01 00:00"),
            (951_782_400, "2000-02-29 00:00"),
            (1_700_000_000, "2023-11-14 22:13"),
            (4_102_444_800, "2100-01-01 00:00"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(utc_minutes(seconds), expected, "{seconds}");
        }
        // Never panics at the extreme.
        assert!(!utc_minutes(u64::MAX).is_empty());
    }
}
