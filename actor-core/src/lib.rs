//! Pinion core runtime.

mod loom;
