//! Machine detection: what the runtime can learn about the host, limited to
//! what drives a default (see [`config`](crate::config)).
//!
//! Every probe degrades to "unknown" (`None`, an empty `Vec`,
//! [`UringSupport::Unknown`]) instead of failing or panicking: a container
//! without `/sys`, a seccomp filter or a non-Linux host yields a detection
//! with gaps, never an error. [`Detection::probe_at`] reads sysfs/procfs under
//! a root path so tests can point it at fixture trees; [`Detection::probe`]
//! reads the real machine and adds what no file tree can tell (available
//! parallelism, the affinity mask, an actual io_uring ring).

use std::path::Path;
use std::sync::OnceLock;

mod cpu;
mod gpu;
mod memory;
mod uring;

pub use cpu::{CpuInfo, NumaNode};
pub use gpu::GpuInfo;
pub use memory::MemoryInfo;
pub use uring::{UringOp, UringOpcodes, UringSupport};

/// Everything detected about a machine. `Default` is "nothing known".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Detection {
    /// Cores, the affinity mask and NUMA nodes: the shard count and the
    /// [`Topology`](super::Topology).
    pub cpu: CpuInfo,
    /// Memory: the mailbox capacity.
    pub memory: MemoryInfo,
    /// Whether io_uring can be used: the driver and the blocking pool.
    pub uring: UringSupport,
    /// GPU device nodes (the accelerator role), and the adapters a GPU
    /// crate registered (in reports only).
    pub gpu: GpuInfo,
}

impl Detection {
    /// Probes the real machine (`/sys`, `/proc`, `/dev`, the affinity mask,
    /// an io_uring ring). Never fails; unknowns stay unknown.
    ///
    /// ```
    /// let detection = actor_core::config::Detection::probe();
    /// assert!(detection.cpu.usable_cores().unwrap_or(1) >= 1);
    /// ```
    pub fn probe() -> Self {
        let root = Path::new("/");
        Self {
            cpu: CpuInfo::probe(),
            memory: MemoryInfo::probe(),
            uring: UringSupport::probe(),
            gpu: GpuInfo::probe_at(root),
        }
    }

    /// [`Detection::probe`] run once per process and cached: probing opens
    /// files and an io_uring ring, which is worth doing only once. It only
    /// feeds defaults ([`Builder::new`](super::Builder::new)); no explicit
    /// setting is ever replaced by it, and the runtime probes io_uring again
    /// on each shard it starts.
    pub fn cached() -> &'static Self {
        static CACHE: OnceLock<Detection> = OnceLock::new();
        CACHE.get_or_init(Self::probe)
    }

    /// Reads `root/sys`, `root/proc` and `root/dev` only: no affinity mask,
    /// no `available_parallelism`, no io_uring ring. For fixture trees in
    /// tests.
    ///
    /// ```
    /// // A root with nothing under it: everything is unknown, nothing panics.
    /// let d = actor_core::config::Detection::probe_at(std::path::Path::new("/nonexistent"));
    /// assert_eq!(d.cpu.logical_cores, None);
    /// ```
    pub fn probe_at(root: &Path) -> Self {
        Self {
            cpu: CpuInfo::probe_at(root),
            memory: MemoryInfo::probe_at(root),
            uring: UringSupport::probe_at(root),
            gpu: GpuInfo::probe_at(root),
        }
    }
}

/// Reads a small text file and trims it; `None` when unreadable or empty.
fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Reads and parses a small file holding one value.
fn read_parsed<T: std::str::FromStr>(path: &Path) -> Option<T> {
    read_trimmed(path)?.parse().ok()
}

/// Names of the entries in `dir` starting with `prefix`, sorted; empty when
/// the directory is unreadable.
fn entries_with_prefix(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort_by_cached_key(|name| natural_key(name));
    names
}

/// Sort key that orders `cpu2` before `cpu10`.
fn natural_key(name: &str) -> (String, usize) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = name.split_at(name.len() - digits);
    (stem.to_owned(), num.parse().unwrap_or(0))
}

/// Parses the kernel's CPU list syntax (`0-3,8,10-11`); `None` if malformed.
pub(crate) fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.trim().is_empty()) {
        match part.trim().split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi): (usize, usize) = (lo.parse().ok()?, hi.parse().ok()?);
                // Guard against absurd ranges in corrupt files.
                if hi < lo || hi - lo > 1 << 16 {
                    return None;
                }
                cpus.extend(lo..=hi);
            }
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    cpus.sort_unstable();
    cpus.dedup();
    Some(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_list_syntax() {
        assert_eq!(parse_cpu_list("0-3,8\n"), Some(vec![0, 1, 2, 3, 8]));
        assert_eq!(parse_cpu_list("0"), Some(vec![0]));
        assert_eq!(parse_cpu_list(""), Some(vec![]));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list("a-b"), None);
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["cpu10", "cpu2", "cpu1"];
        v.sort_by_key(|name| natural_key(name));
        assert_eq!(v, ["cpu1", "cpu2", "cpu10"]);
    }
}
