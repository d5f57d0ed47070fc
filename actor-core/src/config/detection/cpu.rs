//! CPU probe: online cores, physical cores, NUMA nodes, caches, SIMD.

use std::collections::BTreeSet;
use std::path::Path;

use super::{entries_with_prefix, parse_cpu_list, read_parsed, read_trimmed};

/// What is known about the CPUs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CpuInfo {
    /// Online logical CPUs (`/sys/devices/system/cpu/online`; the real probe
    /// falls back to `available_parallelism`).
    pub logical_cores: Option<usize>,
    /// Ids of the online logical CPUs; empty when unknown.
    pub online: Vec<usize>,
    /// CPUs this process may run on (`available_parallelism`: affinity mask
    /// and cgroup quota). Real probe only.
    pub allowed_cores: Option<usize>,
    /// Unique (package, core id) pairs from `cpu*/topology/`.
    pub physical_cores: Option<usize>,
    /// NUMA nodes; empty when the kernel exposes none.
    pub numa_nodes: Vec<NumaNode>,
    /// Caches seen by CPU 0.
    pub caches: Vec<CacheInfo>,
    /// SIMD extensions the CPU supports (`sse4.2`, `avx2`, `avx512f`). Real
    /// probe only; empty on non-x86 hosts.
    pub simd: Vec<&'static str>,
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
        info.simd = simd_features();
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
            physical_cores: physical_cores(&cpu_dir),
            numa_nodes: numa_nodes(&root.join("sys/devices/system/node")),
            caches: caches(&cpu_dir.join("cpu0/cache")),
            simd: Vec::new(),
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

/// What a cache holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    /// Data only.
    Data,
    /// Instructions only.
    Instruction,
    /// Both.
    Unified,
    /// A type string the probe does not know.
    Other,
}

/// One CPU cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheInfo {
    /// 1 for L1, 2 for L2, …
    pub level: u8,
    /// Data, instruction or unified.
    pub kind: CacheKind,
    /// Size in bytes.
    pub size_bytes: u64,
}

fn physical_cores(cpu_dir: &Path) -> Option<usize> {
    let cores: BTreeSet<(u64, u64)> = entries_with_prefix(cpu_dir, "cpu")
        .into_iter()
        .filter(|name| name.len() > 3 && name[3..].bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|name| {
            let topo = cpu_dir.join(name).join("topology");
            let package = read_parsed(&topo.join("physical_package_id"))?;
            let core = read_parsed(&topo.join("core_id"))?;
            Some((package, core))
        })
        .collect();
    (!cores.is_empty()).then_some(cores.len())
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

fn caches(cache_dir: &Path) -> Vec<CacheInfo> {
    entries_with_prefix(cache_dir, "index")
        .into_iter()
        .filter_map(|name| {
            let dir = cache_dir.join(name);
            let kind = match read_trimmed(&dir.join("type"))?.as_str() {
                "Data" => CacheKind::Data,
                "Instruction" => CacheKind::Instruction,
                "Unified" => CacheKind::Unified,
                _ => CacheKind::Other,
            };
            Some(CacheInfo {
                level: read_parsed(&dir.join("level"))?,
                kind,
                size_bytes: parse_size(&read_trimmed(&dir.join("size"))?)?,
            })
        })
        .collect()
}

/// Parses sysfs sizes such as `32K`, `1024K`, `32M` or `512`.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let shift = match unit.trim() {
        "" => 0,
        "K" | "k" => 10,
        "M" => 20,
        "G" => 30,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(target_arch = "x86_64")]
fn simd_features() -> Vec<&'static str> {
    let mut found = Vec::new();
    if std::arch::is_x86_feature_detected!("sse4.2") {
        found.push("sse4.2");
    }
    if std::arch::is_x86_feature_detected!("avx2") {
        found.push("avx2");
    }
    if std::arch::is_x86_feature_detected!("avx512f") {
        found.push("avx512f");
    }
    found
}

#[cfg(not(target_arch = "x86_64"))]
fn simd_features() -> Vec<&'static str> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("32K"), Some(32 * 1024));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size("K"), None);
    }
}
