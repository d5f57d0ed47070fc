//! The alignment `O_DIRECT` needs on a file: from `statx(STATX_DIOALIGN)`
//! (Linux 6.1+), else the device's logical block size from sysfs, else
//! 4096 (a multiple of every common sector size). Never below 512.

use std::fs;
use std::os::fd::AsRawFd;
use std::path::Path;

/// The smallest alignment ever used.
pub(crate) const MIN_ALIGN: usize = 512;
/// The alignment used when the kernel and sysfs say nothing.
const FALLBACK_ALIGN: usize = 4096;

/// What `statx` tells about a file.
pub(crate) struct Stat {
    /// Size in bytes.
    pub(crate) size: u64,
    /// Alignment for `O_DIRECT` memory and offsets, when reported.
    pub(crate) dio_align: Option<usize>,
    /// The device the file lives on.
    pub(crate) dev: (u32, u32),
}

/// `statx` on an open file.
pub(crate) fn stat(file: &fs::File) -> std::io::Result<Stat> {
    // SAFETY: an all-zero `statx` is a valid value of the plain C struct.
    let mut st: libc::statx = unsafe { std::mem::zeroed() };
    let empty = c"";
    // SAFETY: a valid fd, a NUL-terminated empty path with AT_EMPTY_PATH,
    // and `st` is writable storage of the right type.
    let rc = unsafe {
        libc::statx(
            file.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_EMPTY_PATH,
            libc::STATX_SIZE | libc::STATX_DIOALIGN,
            &mut st,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let reported = st.stx_mask & libc::STATX_DIOALIGN != 0
        && st.stx_dio_mem_align > 0
        && st.stx_dio_offset_align > 0;
    let dio_align = reported.then(|| st.stx_dio_mem_align.max(st.stx_dio_offset_align) as usize);
    Ok(Stat {
        size: st.stx_size,
        dio_align,
        dev: (st.stx_dev_major, st.stx_dev_minor),
    })
}

/// The size of `file` in bytes: `statx`'s for files, the device's
/// (`BLKGETSIZE64`) for block devices, whose `statx` size is 0.
pub(crate) fn size(file: &fs::File) -> std::io::Result<u64> {
    use std::os::unix::fs::FileTypeExt;
    if !file.metadata()?.file_type().is_block_device() {
        return stat(file).map(|st| st.size);
    }
    let mut bytes: u64 = 0;
    // SAFETY: BLKGETSIZE64 writes one u64 into the live `bytes`.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), BLKGETSIZE64, &mut bytes) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(bytes)
}

/// `_IOR(0x12, 114, size_t)`: the size of a block device in bytes.
const BLKGETSIZE64: libc::c_ulong = 0x8008_1272;

/// The device's logical block size, from sysfs: the device's own queue, or
/// its parent's for a partition.
fn logical_block_size((major, minor): (u32, u32)) -> Option<usize> {
    let dev = format!("/sys/dev/block/{major}:{minor}");
    ["queue/logical_block_size", "../queue/logical_block_size"]
        .iter()
        .find_map(|rel| fs::read_to_string(Path::new(&dev).join(rel)).ok())
        .and_then(|s| s.trim().parse().ok())
}

/// The alignment for `O_DIRECT` on `file`.
pub(crate) fn direct_alignment(stat: &Stat) -> usize {
    stat.dio_align
        .or_else(|| logical_block_size(stat.dev))
        .unwrap_or(FALLBACK_ALIGN)
        .max(MIN_ALIGN)
        .next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_is_a_power_of_two_of_at_least_512() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"hello").unwrap();
        let file = fs::File::open(&path).unwrap();
        let st = stat(&file).unwrap();
        assert_eq!(st.size, 5);
        let a = direct_alignment(&st);
        assert!(a >= MIN_ALIGN && a.is_power_of_two(), "{a}");
    }
}
