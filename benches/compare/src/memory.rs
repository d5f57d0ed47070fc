//! Workload M: the resident memory an idle actor costs, measured the same
//! way for every variant, each in a fresh process.
//!
//! The parent runs `compare --memory-child <variant> --scale S` once per
//! variant and repetition. The child builds only that variant, reads its
//! resident set after `malloc_trim(0)` (so freed heap pages the allocator
//! kept do not count), spawns the actors and lets them all start, reads it
//! again the same way, and prints the difference per actor.

use std::process::Command;

/// Resident bytes of this process, after giving freed heap back.
pub fn resident_bytes() -> u64 {
    // SAFETY: `malloc_trim` only releases free memory the allocator holds.
    unsafe {
        libc::malloc_trim(0);
    }
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .expect("resident pages in /proc/self/statm");
    // SAFETY: `sysconf` reads a constant of the system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    pages * page
}

/// Bytes per item between two readings.
pub fn per_item(before: u64, after: u64, n: usize) -> f64 {
    after.saturating_sub(before) as f64 / n as f64
}

/// Runs this program again as `--memory-child` for `variant`: its figure, or
/// `None` when the variant has none (or the child failed, which is said).
pub fn in_child(variant: &str, scale: f64) -> Option<f64> {
    let exe = std::env::current_exe().expect("the compare program's path");
    let out = Command::new(exe)
        .args(["--memory-child", variant, "--scale", &scale.to_string()])
        .output()
        .expect("start a memory child");
    if !out.status.success() {
        eprintln!(
            "memory child for {variant} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse().ok()
}
