//! The runtime's semantics, written down.
#![doc = include_str!("semantics.md")]
