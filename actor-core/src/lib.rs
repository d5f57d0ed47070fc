//! Pinion core runtime.

pub mod channel;
mod loom;
