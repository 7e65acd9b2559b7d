//! Acceptance test support.
