//! The tokio runtime flavours the tokio-based peers and baselines run on.

/// A tokio runtime flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `new_current_thread()`: everything on one thread.
    CurrentThread,
    /// `new_multi_thread()` with this many workers.
    MultiThread(usize),
}

impl Flavor {
    pub fn build(self) -> tokio::runtime::Runtime {
        match self {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
            Flavor::MultiThread(workers) => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build(),
        }
        .expect("tokio runtime")
    }

    pub fn label(self) -> String {
        match self {
            Flavor::CurrentThread => "(tokio 1 thread)".into(),
            Flavor::MultiThread(w) => format!("(tokio {w} workers)"),
        }
    }
}
