//! Reads arbitrary bytes as a `.ccs` changeset: index, every payload, the
//! end. Any input must give a clean error or a verified changeset; never a
//! panic, and never unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| conary_changeset::fuzz_read(data));
