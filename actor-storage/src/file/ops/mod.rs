//! The operations of [`File`](super::File), one file per family, each with
//! its ring and blocking-pool versions side by side.

mod read;
mod space;
mod sync;
mod write;
