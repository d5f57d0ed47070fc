//! Adapter enumeration and choice: which GPUs the machine has, and which one
//! a queue opens (by index, name or kind, or discrete > integrated >
//! software by default).

use std::sync::OnceLock;

use crate::GpuError;

/// What kind of device an adapter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeviceKind {
    /// A GPU with its own memory.
    Discrete,
    /// A GPU sharing memory with the CPU.
    Integrated,
    /// A software rasteriser on the CPU (Mesa's llvmpipe, for one).
    Software,
    /// A virtual GPU (a VM's).
    Virtual,
    /// Anything else the driver reports.
    Other,
}

impl DeviceKind {
    fn from_wgpu(t: wgpu::DeviceType) -> DeviceKind {
        match t {
            wgpu::DeviceType::DiscreteGpu => DeviceKind::Discrete,
            wgpu::DeviceType::IntegratedGpu => DeviceKind::Integrated,
            wgpu::DeviceType::Cpu => DeviceKind::Software,
            wgpu::DeviceType::VirtualGpu => DeviceKind::Virtual,
            wgpu::DeviceType::Other => DeviceKind::Other,
        }
    }

    /// Lower is preferred by [`AdapterChoice::Default`].
    fn rank(self) -> u8 {
        match self {
            DeviceKind::Discrete => 0,
            DeviceKind::Integrated => 1,
            DeviceKind::Software => 2,
            DeviceKind::Virtual => 3,
            DeviceKind::Other => 4,
        }
    }
}

/// One adapter the machine offers, as enumerated at first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterInfo {
    /// Its position in [`adapters`].
    pub index: usize,
    /// The driver's name for it ("llvmpipe (LLVM 15.0.6, 256 bits)").
    pub name: String,
    /// The API wgpu reaches it through ("vulkan").
    pub backend: String,
    /// Discrete, integrated, software...
    pub kind: DeviceKind,
    /// The driver and its version.
    pub driver: String,
    /// The largest buffer it allocates, in bytes.
    pub max_buffer_size: u64,
    /// The largest storage buffer one binding may see, in bytes.
    pub max_storage_buffer_binding_size: u64,
    /// The most workgroups one dispatch may have per dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// The most invocations one workgroup may have.
    pub max_compute_invocations_per_workgroup: u32,
}

impl std::fmt::Display for AdapterInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{} {} ({:?}, {}; max buffer {} MiB, storage binding {} MiB, \
             {} workgroups a dimension, {} invocations a workgroup)",
            self.index,
            self.name,
            self.kind,
            self.backend,
            self.max_buffer_size >> 20,
            self.max_storage_buffer_binding_size >> 20,
            self.max_compute_workgroups_per_dimension,
            self.max_compute_invocations_per_workgroup,
        )
    }
}

/// Which adapter a GPU queue opens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdapterChoice {
    /// The best one: discrete, then integrated, then software, then the rest;
    /// the first enumerated among equals.
    #[default]
    Default,
    /// The adapter at this index of [`adapters`].
    Index(usize),
    /// The first adapter whose name contains this text (case-insensitive).
    Name(String),
    /// The first adapter of this kind.
    Kind(DeviceKind),
}

impl AdapterChoice {
    /// The index of the chosen adapter among `adapters`.
    pub fn pick(&self, adapters: &[AdapterInfo]) -> Result<usize, GpuError> {
        let found = match self {
            AdapterChoice::Default => adapters
                .iter()
                .min_by_key(|a| (a.kind.rank(), a.index))
                .map(|a| a.index),
            AdapterChoice::Index(i) => adapters.iter().find(|a| a.index == *i).map(|a| a.index),
            AdapterChoice::Name(n) => {
                let n = n.to_lowercase();
                adapters
                    .iter()
                    .find(|a| a.name.to_lowercase().contains(&n))
                    .map(|a| a.index)
            }
            AdapterChoice::Kind(k) => adapters.iter().find(|a| a.kind == *k).map(|a| a.index),
        };
        found.ok_or_else(|| {
            GpuError::NoAdapter(format!("{self:?} among {} adapters", adapters.len()))
        })
    }
}

/// The process's wgpu instance (Vulkan), made at first use.
pub(crate) fn instance() -> &'static wgpu::Instance {
    static INSTANCE: OnceLock<wgpu::Instance> = OnceLock::new();
    INSTANCE.get_or_init(|| {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::VULKAN;
        wgpu::Instance::new(desc)
    })
}

/// Enumerates the adapters afresh: a device is opened from a new adapter
/// object each time (a restarted queue gets a new device).
pub(crate) async fn enumerate() -> Vec<wgpu::Adapter> {
    instance().enumerate_adapters(wgpu::Backends::VULKAN).await
}

pub(crate) fn describe(index: usize, adapter: &wgpu::Adapter) -> AdapterInfo {
    let info = adapter.get_info();
    let limits = adapter.limits();
    AdapterInfo {
        index,
        name: info.name,
        backend: info.backend.to_string(),
        kind: DeviceKind::from_wgpu(info.device_type),
        driver: format!("{} {}", info.driver, info.driver_info)
            .trim()
            .to_owned(),
        max_buffer_size: limits.max_buffer_size,
        max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
        max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
        max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
    }
}

/// The machine's adapters, enumerated once per process (empty when there is
/// no Vulkan driver). Never blocks: wgpu's native enumeration is immediate.
///
/// The first call also registers them, one line each (name, backend, kind,
/// limits), with actor-core's zero-config report
/// ([`GpuInfo::register_adapters`](actor_core::config::GpuInfo::register_adapters));
/// a [`GpuQueue`](crate::GpuQueue) calls it when it starts.
///
/// ```
/// let adapters = actor_gpu::adapters();
/// let report = actor_core::config::Report::detect();
/// assert_eq!(report.detection.gpu.adapters.len(), adapters.len());
/// for adapter in adapters {
///     assert!(report.to_string().contains(&adapter.name));
/// }
/// ```
pub fn adapters() -> &'static [AdapterInfo] {
    static ADAPTERS: OnceLock<Vec<AdapterInfo>> = OnceLock::new();
    ADAPTERS.get_or_init(|| {
        let list: Vec<AdapterInfo> = crate::ready::now(enumerate())
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, a)| describe(i, a))
            .collect();
        actor_core::config::GpuInfo::register_adapters(
            list.iter().map(ToString::to_string).collect(),
        );
        list
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(index: usize, name: &str, kind: DeviceKind) -> AdapterInfo {
        AdapterInfo {
            index,
            name: name.into(),
            backend: "vulkan".into(),
            kind,
            driver: String::new(),
            max_buffer_size: 1 << 30,
            max_storage_buffer_binding_size: 1 << 27,
            max_compute_workgroups_per_dimension: 65535,
            max_compute_invocations_per_workgroup: 256,
        }
    }

    #[test]
    fn default_prefers_discrete_then_integrated_then_software() {
        let list = vec![
            info(0, "llvmpipe", DeviceKind::Software),
            info(1, "iGPU", DeviceKind::Integrated),
            info(2, "H200", DeviceKind::Discrete),
        ];
        assert_eq!(AdapterChoice::Default.pick(&list), Ok(2));
        assert_eq!(AdapterChoice::Default.pick(&list[..2]), Ok(1));
        assert_eq!(AdapterChoice::Default.pick(&list[..1]), Ok(0));
    }

    #[test]
    fn choice_by_index_name_and_kind() {
        let list = vec![
            info(0, "llvmpipe (LLVM 15)", DeviceKind::Software),
            info(1, "NVIDIA H200", DeviceKind::Discrete),
        ];
        assert_eq!(AdapterChoice::Index(1).pick(&list), Ok(1));
        assert_eq!(AdapterChoice::Name("LLVMPIPE".into()).pick(&list), Ok(0));
        assert_eq!(AdapterChoice::Kind(DeviceKind::Discrete).pick(&list), Ok(1));
        assert!(matches!(
            AdapterChoice::Index(5).pick(&list),
            Err(GpuError::NoAdapter(_))
        ));
        assert!(matches!(
            AdapterChoice::Kind(DeviceKind::Virtual).pick(&list),
            Err(GpuError::NoAdapter(_))
        ));
        assert!(matches!(
            AdapterChoice::Default.pick(&[]),
            Err(GpuError::NoAdapter(_))
        ));
    }
}
