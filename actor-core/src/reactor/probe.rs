//! The io_uring opcode probe, taken once per process and cached, and the
//! `RLIMIT_MEMLOCK` check that must precede any buffer registration.

use std::io;
use std::sync::OnceLock;

static OPCODES: OnceLock<[bool; 256]> = OnceLock::new();

/// Records what the first ring built in this process supports.
pub(crate) fn record(probe: &io_uring::Probe) {
    OPCODES.get_or_init(|| std::array::from_fn(|i| probe.is_supported(i as u8)));
}

/// `true` when io_uring was probed and supports `code`.
pub(crate) fn opcode_supported(code: u8) -> bool {
    OPCODES.get().is_some_and(|ops| ops[usize::from(code)])
}

/// The soft `RLIMIT_MEMLOCK` in bytes; `None` when unlimited.
pub(crate) fn memlock_limit() -> io::Result<Option<u64>> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` into a live local.
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur))
}
