//! Network probe: interfaces from `/sys/class/net`.

use std::path::Path;

use super::{entries_with_prefix, read_parsed, read_trimmed};

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInterface {
    /// Interface name, e.g. `eth0`.
    pub name: String,
    /// Link speed in Mbit/s; `None` when unreadable or reported as -1
    /// (link down, virtual devices).
    pub speed_mbps: Option<u32>,
    /// `operstate`: `up`, `down`, `unknown`, …
    pub operstate: Option<String>,
}

impl NetworkInterface {
    /// Whether the kernel reports the link as up.
    pub fn is_up(&self) -> bool {
        self.operstate.as_deref() == Some("up")
    }
}

pub(super) fn probe_at(root: &Path) -> Vec<NetworkInterface> {
    let net = root.join("sys/class/net");
    entries_with_prefix(&net, "")
        .into_iter()
        .map(|name| {
            let dir = net.join(&name);
            NetworkInterface {
                // Reading `speed` fails with EINVAL when the link is down;
                // virtual devices report -1. Both mean unknown.
                speed_mbps: read_parsed::<i64>(&dir.join("speed"))
                    .and_then(|s| u32::try_from(s).ok())
                    .filter(|s| *s > 0),
                operstate: read_trimmed(&dir.join("operstate")),
                name,
            }
        })
        .collect()
}
