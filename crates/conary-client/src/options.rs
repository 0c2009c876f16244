//! [`Options`]: the knobs of the transport, all with defaults.

use std::time::Duration;

/// How often and how patiently a failed request is tried again.
///
/// Requests are retried when the server cannot be reached, when a transfer
/// breaks off or times out, and on `408`, `429` and `5xx` answers; never
/// on other answers or on corrupt contents. The pause before retry `n`
/// (1-based) is `first_backoff × 2^(n-1)`, at most `max_backoff`.
///
/// ```rust
/// use std::time::Duration;
/// let retry = conary_client::RetryPolicy::default();
/// assert_eq!(retry.attempts, 4);
/// assert_eq!(retry.backoff(1), Duration::from_millis(250));
/// assert_eq!(retry.backoff(3), Duration::from_secs(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made at most for one operation, the first included (0 counts as 1).
    pub attempts: u32,
    /// The pause before the first retry.
    pub first_backoff: Duration,
    /// The longest pause between two attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (1 for the first retry).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The number of attempts, at least one.
    pub(crate) fn max_attempts(&self) -> u32 {
        self.attempts.max(1)
    }
}

/// Settings of a [`Transport`](crate::Transport).
///
/// ```rust
/// use std::time::Duration;
/// let options = conary_client::Options { timeout: Duration::from_secs(5), ..Default::default() };
/// assert_eq!(options.retry.attempts, 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The longest wait for a server: for an answer to begin, and then for
    /// each piece of its body (a long download that keeps moving never times
    /// out).
    pub timeout: Duration,
    /// The longest wait for a connection.
    pub connect_timeout: Duration,
    /// Retries of failed requests.
    pub retry: RetryPolicy,
    /// The largest JSON answer read.
    pub max_json_size: u64,
    /// The largest blob downloaded.
    pub max_blob_size: u64,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// PEM certificates (each entry may hold several) trusted as roots
    /// besides the system's, e.g. a private repository's own CA.
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_json_size: 64 * 1024 * 1024,
            max_blob_size: 1 << 40,
            user_agent: concat!("conary-client/", env!("CARGO_PKG_VERSION")).to_string(),
            extra_root_certificates: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let retry = RetryPolicy {
            attempts: 10,
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        };
        let pauses: Vec<u128> = (1..=5).map(|n| retry.backoff(n).as_millis()).collect();
        assert_eq!(pauses, [1, 2, 4, 5, 5]);
        assert_eq!(retry.backoff(0), Duration::from_millis(1));
        assert_eq!(retry.backoff(u32::MAX), Duration::from_millis(5));
        let none = RetryPolicy {
            attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(none.max_attempts(), 1);
    }
}
