//! Memory probe: `/proc/meminfo` totals.

use std::path::Path;

/// What is known about memory. Sizes are in bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemoryInfo {
    /// `MemTotal`.
    pub total_bytes: Option<u64>,
    /// `MemAvailable`: what can be allocated without swapping.
    pub available_bytes: Option<u64>,
}

impl MemoryInfo {
    /// Bytes the runtime may plan with: available, else total.
    pub fn usable_bytes(&self) -> Option<u64> {
        self.available_bytes.or(self.total_bytes)
    }

    /// `/proc/meminfo` now.
    pub(crate) fn probe() -> Self {
        Self::probe_at(Path::new("/"))
    }

    pub(super) fn probe_at(root: &Path) -> Self {
        match std::fs::read_to_string(root.join("proc/meminfo")) {
            Ok(text) => parse_meminfo(&text),
            Err(_) => Self::default(),
        }
    }
}

fn parse_meminfo(text: &str) -> MemoryInfo {
    let mut info = MemoryInfo::default();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let Some(value) = words.next().and_then(|v| v.parse::<u64>().ok()) else {
            continue;
        };
        let bytes = match words.next() {
            Some("kB") => value.checked_mul(1024),
            None => Some(value),
            Some(_) => None,
        };
        match key.trim() {
            "MemTotal" => info.total_bytes = bytes,
            "MemAvailable" => info.available_bytes = bytes,
            _ => {}
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo() {
        let text = "MemTotal:       16384 kB\nMemFree: 1 kB\nMemAvailable:    8192 kB\n\
                    HugePages_Total:       4\nHugepagesize:       2048 kB\ngarbage\n";
        let info = parse_meminfo(text);
        assert_eq!(info.total_bytes, Some(16 << 20));
        assert_eq!(info.available_bytes, Some(8 << 20));
    }
}
