//! GPU probe: device nodes under `/dev`, and the adapters a GPU crate
//! registers.
//!
//! Device nodes say a GPU driver is loaded, not that a usable adapter exists;
//! the adapter list needs wgpu, so the GPU crate enumerates it and hands it
//! to [`GpuInfo::register_adapters`], which [`Report::detect`] reads.
//!
//! [`Report::detect`]: crate::config::Report::detect

use std::path::Path;
use std::sync::RwLock;

use super::entries_with_prefix;

/// What is known about GPUs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GpuInfo {
    /// Device nodes found: `/dev/nvidia0`, `/dev/dri/renderD128`, …
    /// (paths relative to the probed root, written as absolute).
    pub devices: Vec<String>,
    /// GPU adapters, one line each (name, backend, kind, limits). Empty from
    /// the probes, which cannot enumerate them; [`Report::detect`] fills it
    /// with what a GPU crate registered.
    ///
    /// [`Report::detect`]: crate::config::Report::detect
    pub adapters: Vec<String>,
}

/// The adapters a GPU crate registered for this process.
static REGISTERED: RwLock<Vec<String>> = RwLock::new(Vec::new());

impl GpuInfo {
    /// Whether any GPU device node or adapter was found.
    pub fn present(&self) -> bool {
        !self.devices.is_empty() || !self.adapters.is_empty()
    }

    /// Records this process's GPU adapters, one line each, for every
    /// [`Report::detect`](crate::config::Report::detect) made from now on
    /// (replacing any list registered before). A GPU crate calls it once it
    /// has enumerated them; defaults do not change with it.
    ///
    /// ```
    /// use actor_core::config::{GpuInfo, Report};
    ///
    /// GpuInfo::register_adapters(vec!["#0 llvmpipe (software, vulkan)".into()]);
    /// assert_eq!(GpuInfo::registered_adapters(), ["#0 llvmpipe (software, vulkan)"]);
    /// assert!(Report::detect().to_string().contains("#0 llvmpipe"));
    /// ```
    pub fn register_adapters(adapters: Vec<String>) {
        *REGISTERED.write().unwrap_or_else(|e| e.into_inner()) = adapters;
    }

    /// The adapters registered so far; empty when none were.
    pub fn registered_adapters() -> Vec<String> {
        REGISTERED.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn probe_at(root: &Path) -> Self {
        let nvidia = entries_with_prefix(&root.join("dev"), "nvidia")
            .into_iter()
            // `nvidia0`, not `nvidiactl` or `nvidia-uvm`.
            .filter(|n| n.len() > 6 && n[6..].bytes().all(|b| b.is_ascii_digit()))
            .map(|n| format!("/dev/{n}"));
        let render = entries_with_prefix(&root.join("dev/dri"), "renderD")
            .into_iter()
            .map(|n| format!("/dev/dri/{n}"));
        Self {
            devices: nvidia.chain(render).collect(),
            adapters: Vec::new(),
        }
    }
}
