//! Storage probe: NVMe block devices and DAX mounts.

use std::path::Path;

use super::{entries_with_prefix, read_parsed};

/// What is known about storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorageInfo {
    /// NVMe namespaces from `/sys/block/nvme*`.
    pub nvme: Vec<BlockDevice>,
    /// Mounts with the `dax` option (persistent memory, no page cache).
    pub dax_mounts: Vec<DaxMount>,
}

/// A block device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockDevice {
    /// Kernel name, e.g. `nvme0n1`.
    pub name: String,
    /// `queue/logical_block_size`: the alignment `O_DIRECT` needs.
    pub logical_block_size: Option<u32>,
    /// `queue/rotational`: `Some(false)` for flash.
    pub rotational: Option<bool>,
}

/// A filesystem mounted with DAX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaxMount {
    /// Source device, e.g. `/dev/pmem0`.
    pub device: String,
    /// Where it is mounted.
    pub mount_point: String,
    /// Filesystem type, e.g. `ext4` or `xfs`.
    pub fs_type: String,
}

impl StorageInfo {
    pub(super) fn probe_at(root: &Path) -> Self {
        let block = root.join("sys/block");
        let nvme = entries_with_prefix(&block, "nvme")
            .into_iter()
            .map(|name| {
                let queue = block.join(&name).join("queue");
                BlockDevice {
                    logical_block_size: read_parsed(&queue.join("logical_block_size")),
                    rotational: read_parsed::<u8>(&queue.join("rotational")).map(|r| r != 0),
                    name,
                }
            })
            .collect();
        let dax_mounts = std::fs::read_to_string(root.join("proc/mounts"))
            .map(|text| parse_dax_mounts(&text))
            .unwrap_or_default();
        Self { nvme, dax_mounts }
    }
}

/// `/proc/mounts` lines whose options include `dax` (or `dax=always`).
fn parse_dax_mounts(text: &str) -> Vec<DaxMount> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (device, mount_point, fs_type, options) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            options
                .split(',')
                .any(|o| o == "dax" || o == "dax=always")
                .then(|| DaxMount {
                    device: device.to_owned(),
                    mount_point: mount_point.to_owned(),
                    fs_type: fs_type.to_owned(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dax_options() {
        let text = "/dev/pmem0 /mnt/pm ext4 rw,relatime,dax 0 0\n\
                    /dev/pmem1 /mnt/pm1 xfs rw,dax=always 0 0\n\
                    /dev/pmem2 /mnt/pm2 xfs rw,dax=never 0 0\n\
                    /dev/sda1 / ext4 rw 0 0\nshort line\n";
        let mounts = parse_dax_mounts(text);
        assert_eq!(mounts.len(), 2);
        assert_eq!(mounts[0].mount_point, "/mnt/pm");
        assert_eq!(mounts[1].fs_type, "xfs");
    }
}
