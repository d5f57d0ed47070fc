//! Pinion core runtime.

pub mod config;
mod loom;
pub mod partition;
