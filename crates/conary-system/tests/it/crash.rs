//! Crash tests (placeholder).
