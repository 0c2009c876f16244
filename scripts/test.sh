#!/usr/bin/env bash
# The test suite: every unit, property, snapshot and end-to-end test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-targets
cargo test --workspace --doc
