//! [`Report`]: detection, chosen configuration and reasons, and what each
//! shard of a running runtime really got, for humans.

use std::fmt;

use super::{Defaults, Detection, DriverKind, GpuInfo, Role, UringSupport};

/// One started shard: the driver it really runs, where it runs, its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardInfo {
    /// The shard's index.
    pub shard: usize,
    /// The reactor driver it parks in (with `Auto`, epoll where the kernel
    /// refused its ring).
    pub driver: DriverKind,
    /// Its NUMA node (index into [`Topology::nodes`](super::Topology::nodes)).
    pub node: usize,
    /// The CPU it is pinned to; `None` when it runs unpinned.
    pub cpu: Option<usize>,
    /// Its dedicated role, or [`Role::Compute`].
    pub role: Role,
}

/// A printable report of what was detected and what was chosen.
///
/// ```
/// use actor_core::config::{Detection, Report};
///
/// let report = Report::new(Detection::probe_at(std::path::Path::new("/nonexistent")));
/// let text = report.to_string();
/// assert!(text.contains("shards"));
/// assert!(text.contains("unknown"));
/// ```
#[derive(Debug, Clone)]
pub struct Report {
    /// What was detected.
    pub detection: Detection,
    /// What was chosen from it.
    pub defaults: Defaults,
    /// What each shard of a running runtime got; empty for a report of
    /// defaults only (see [`Handle::report`](crate::Handle::report)).
    pub shards: Vec<ShardInfo>,
}

impl Report {
    /// Probes this machine ([`Detection::cached`]) and computes defaults;
    /// lists the GPU adapters a GPU crate registered
    /// ([`GpuInfo::register_adapters`]), which leave the defaults as the
    /// runtime's builder computed them.
    pub fn detect() -> Self {
        let mut report = Self::new(Detection::cached().clone());
        let adapters = GpuInfo::registered_adapters();
        if !adapters.is_empty() {
            report.detection.gpu.adapters = adapters;
        }
        report
    }

    /// Computes defaults for `detection`.
    pub fn new(detection: Detection) -> Self {
        let defaults = Defaults::from_detection(&detection);
        Self {
            detection,
            defaults,
            shards: Vec::new(),
        }
    }
}

fn opt<T: fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
}

fn bytes(value: Option<u64>) -> String {
    match value {
        None => "unknown".to_owned(),
        Some(b) if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1 << 30)),
        Some(b) if b >= 1 << 20 => format!("{} MiB", b >> 20),
        Some(b) if b >= 1 << 10 => format!("{} KiB", b >> 10),
        Some(b) => format!("{b} B"),
    }
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.detection;
        let row = |f: &mut fmt::Formatter<'_>, key: &str, value: String| {
            writeln!(f, "  {key:<18} {value}")
        };
        writeln!(f, "Detected")?;
        row(f, "logical cores", opt(d.cpu.logical_cores))?;
        row(f, "allowed cores", opt(d.cpu.allowed_cores))?;
        let allowed = format!("{} cpus", d.cpu.allowed.len());
        row(
            f,
            "affinity mask",
            if d.cpu.allowed.is_empty() {
                "unknown".into()
            } else {
                allowed
            },
        )?;
        let nodes = d.cpu.numa_nodes.iter();
        row(
            f,
            "NUMA nodes",
            list(
                nodes
                    .map(|n| format!("node{}: {} cpus", n.id, n.cpus.len()))
                    .collect(),
            ),
        )?;
        row(f, "memory total", bytes(d.memory.total_bytes))?;
        row(f, "memory available", bytes(d.memory.available_bytes))?;
        let uring = match &d.uring {
            UringSupport::Supported(ops) if ops.is_complete() => "supported (all ops)".to_owned(),
            UringSupport::Supported(ops) => {
                let missing: Vec<_> = ops
                    .missing()
                    .iter()
                    .map(|op| op.name().to_owned())
                    .collect();
                format!("supported, missing: {}", list(missing))
            }
            UringSupport::Disabled(why) => format!("disabled: {why}"),
            UringSupport::Unknown => "unknown".to_owned(),
        };
        row(f, "io_uring", uring)?;
        row(f, "GPU devices", list(d.gpu.devices.clone()))?;
        // One adapter a row: each line lists limits, with commas of its own.
        let mut adapters = d.gpu.adapters.iter();
        row(
            f,
            "GPU adapters",
            adapters
                .next()
                .map_or_else(|| "none".to_owned(), Clone::clone),
        )?;
        for adapter in adapters {
            row(f, "", adapter.clone())?;
        }

        writeln!(f, "\nChosen")?;
        let width = self
            .defaults
            .choices
            .iter()
            .map(|c| c.value.len())
            .max()
            .unwrap_or(0);
        for c in &self.defaults.choices {
            writeln!(f, "  {:<18} {:<width$}  {}", c.setting, c.value, c.reason)?;
        }
        if !self.shards.is_empty() {
            writeln!(f, "\nRunning")?;
            for s in &self.shards {
                let cpu = s
                    .cpu
                    .map_or_else(|| "unpinned".to_owned(), |c| format!("cpu {c}"));
                writeln!(
                    f,
                    "  shard {:<4} {:<6} node {:<3} {:<9} {}",
                    s.shard, s.driver, s.node, cpu, s.role
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_adapters_are_listed_one_a_row() {
        let mut detection = Detection::default();
        let text = Report::new(detection.clone()).to_string();
        assert!(text.contains("GPU adapters       none\n"), "{text}");
        detection.gpu.adapters = vec!["#0 a (x, y)".into(), "#1 b (z)".into()];
        let text = Report::new(detection).to_string();
        assert!(
            text.contains("  GPU adapters       #0 a (x, y)\n"),
            "{text}"
        );
        assert!(text.contains("\n                     #1 b (z)\n"), "{text}");
    }

    #[test]
    fn a_report_lists_the_registered_adapters_and_keeps_its_defaults() {
        let before = Report::detect();
        GpuInfo::register_adapters(vec!["#0 test adapter (software, vulkan)".into()]);
        let after = Report::detect();
        assert_eq!(
            after.detection.gpu.adapters,
            ["#0 test adapter (software, vulkan)"]
        );
        assert_eq!(after.detection.gpu.devices, before.detection.gpu.devices);
        assert_eq!(after.defaults.config, before.defaults.config);
        assert!(after.to_string().contains("#0 test adapter"));
        GpuInfo::register_adapters(Vec::new());
        assert!(Report::detect().detection.gpu.adapters.is_empty());
    }
}
