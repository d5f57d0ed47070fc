//! GPU probe: device nodes under `/dev`.
//!
//! Device nodes say a GPU driver is loaded, not that a usable adapter exists;
//! the wgpu adapter list comes from the GPU crate and fills
//! [`GpuInfo::adapters`].

use std::path::Path;

use super::entries_with_prefix;

/// What is known about GPUs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GpuInfo {
    /// Device nodes found: `/dev/nvidia0`, `/dev/dri/renderD128`, …
    /// (paths relative to the probed root, written as absolute).
    pub devices: Vec<String>,
    /// wgpu adapter names. Always empty here: the GPU crate enumerates
    /// adapters (which needs wgpu) and fills this in.
    pub adapters: Vec<String>,
}

impl GpuInfo {
    /// Whether any GPU device node or adapter was found.
    pub fn present(&self) -> bool {
        !self.devices.is_empty() || !self.adapters.is_empty()
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
