//! Reads arbitrary bytes as a Debian package (`ar`, control and data tars,
//! every compression): a clean error or a fully read package, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| conary_build::deb::fuzz_read(data));
