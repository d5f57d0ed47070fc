//! CPU probe: online cores, the affinity mask, NUMA nodes.

use std::path::Path;

use super::{entries_with_prefix, parse_cpu_list, read_trimmed};

/// What is known about the CPUs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CpuInfo {
    /// Online logical CPUs (`/sys/devices/system/cpu/online`; the real probe
    /// falls back to `available_parallelism`).
    pub logical_cores: Option<usize>,
    /// Ids of the online logical CPUs; empty when unknown.
    pub online: Vec<usize>,
    /// How many CPUs this process may run on (`available_parallelism`:
    /// affinity mask and cgroup quota). Real probe only.
    pub allowed_cores: Option<usize>,
    /// Ids of the CPUs in this process's affinity mask; empty when unknown.
    /// Real probe only.
    pub allowed: Vec<usize>,
    /// NUMA nodes; empty when the kernel exposes none.
    pub numa_nodes: Vec<NumaNode>,
}

impl CpuInfo {
    /// Cores the runtime can actually use: the smaller of online and allowed
    /// cores when both are known (a container may see 64 CPUs but be allowed 2).
    pub fn usable_cores(&self) -> Option<usize> {
        match (self.logical_cores, self.allowed_cores) {
            (Some(l), Some(a)) => Some(l.min(a)),
            (l, a) => l.or(a),
        }
    }

    pub(super) fn probe() -> Self {
        let mut info = Self::probe_at(Path::new("/"));
        let allowed = std::thread::available_parallelism().ok().map(usize::from);
        info.allowed_cores = allowed;
        if info.logical_cores.is_none() {
            info.logical_cores = allowed;
        }
        info.allowed = core_affinity::get_core_ids()
            .map(|ids| ids.into_iter().map(|c| c.id).collect())
            .unwrap_or_default();
        info
    }

    pub(super) fn probe_at(root: &Path) -> Self {
        let cpu_dir = root.join("sys/devices/system/cpu");
        let online = read_trimmed(&cpu_dir.join("online"))
            .and_then(|text| parse_cpu_list(&text))
            .unwrap_or_default();
        Self {
            logical_cores: (!online.is_empty()).then_some(online.len()),
            online,
            allowed_cores: None,
            allowed: Vec::new(),
            numa_nodes: numa_nodes(&root.join("sys/devices/system/node")),
        }
    }
}

/// A NUMA node and the CPUs on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumaNode {
    /// Node id (`nodeN`).
    pub id: usize,
    /// Logical CPUs on this node.
    pub cpus: Vec<usize>,
}

fn numa_nodes(node_dir: &Path) -> Vec<NumaNode> {
    entries_with_prefix(node_dir, "node")
        .into_iter()
        .filter_map(|name| {
            let id = name.strip_prefix("node")?.parse().ok()?;
            let cpus = parse_cpu_list(&read_trimmed(&node_dir.join(&name).join("cpulist"))?)?;
            Some(NumaNode { id, cpus })
        })
        .collect()
}
