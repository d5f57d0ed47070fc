//! Pinion core runtime.

mod loom;
pub mod partition;
