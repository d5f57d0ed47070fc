//! Pinion core runtime.

pub mod config;
mod loom;
