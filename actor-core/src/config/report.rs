//! [`Report`]: detection, chosen configuration and reasons, for humans.

use std::fmt;

use super::{CacheKind, Defaults, Detection, UringSupport};

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
}

impl Report {
    /// Probes this machine ([`Detection::cached`]) and computes defaults.
    pub fn detect() -> Self {
        Self::new(Detection::cached().clone())
    }

    /// Computes defaults for `detection`.
    pub fn new(detection: Detection) -> Self {
        let defaults = Defaults::from_detection(&detection);
        Self {
            detection,
            defaults,
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
        row(f, "physical cores", opt(d.cpu.physical_cores))?;
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
        let caches = d.cpu.caches.iter().map(|c| {
            let kind = match c.kind {
                CacheKind::Data => "d",
                CacheKind::Instruction => "i",
                CacheKind::Unified | CacheKind::Other => "",
            };
            format!("L{}{kind} {}", c.level, bytes(Some(c.size_bytes)))
        });
        row(f, "caches", list(caches.collect()))?;
        row(
            f,
            "SIMD",
            list(d.cpu.simd.iter().map(|s| (*s).to_owned()).collect()),
        )?;
        row(f, "memory total", bytes(d.memory.total_bytes))?;
        row(f, "memory available", bytes(d.memory.available_bytes))?;
        let huge = match (d.memory.huge_pages_total, d.memory.huge_page_size_bytes) {
            (Some(n), size) => format!("{n} × {}", bytes(size)),
            (None, _) => "unknown".to_owned(),
        };
        row(f, "huge pages", huge)?;
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
        let nvme = d
            .storage
            .nvme
            .iter()
            .map(|dev| format!("{} (block {})", dev.name, opt(dev.logical_block_size)));
        row(f, "NVMe", list(nvme.collect()))?;
        let dax = d
            .storage
            .dax_mounts
            .iter()
            .map(|m| format!("{} on {}", m.device, m.mount_point));
        row(f, "DAX mounts", list(dax.collect()))?;
        let nics = d.network.iter().map(|n| {
            let speed = n
                .speed_mbps
                .map_or_else(|| "?".to_owned(), |s| format!("{s} Mb/s"));
            format!(
                "{} {} {speed}",
                n.name,
                n.operstate.as_deref().unwrap_or("?")
            )
        });
        row(f, "network", list(nics.collect()))?;
        row(f, "GPU devices", list(d.gpu.devices.clone()))?;
        row(f, "GPU adapters", list(d.gpu.adapters.clone()))?;

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
        Ok(())
    }
}
