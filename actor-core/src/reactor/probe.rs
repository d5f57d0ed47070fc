//! The io_uring opcode probe, taken once per process and cached, and the
//! `RLIMIT_MEMLOCK` check that must precede any buffer registration.

use std::io;
use std::sync::OnceLock;

static OPCODES: OnceLock<[bool; 256]> = OnceLock::new();

/// Opcodes the ring driver itself needs (its wake-up poll, readiness waits
/// and cancellation); `PINION_URING_DENY_OPS` cannot turn them off.
const DRIVER_OPS: [u8; 3] = [
    io_uring::opcode::PollAdd::CODE,
    io_uring::opcode::PollRemove::CODE,
    io_uring::opcode::AsyncCancel::CODE,
];

/// Records what the first ring built in this process supports, less what
/// `PINION_URING_DENY_OPS` denies.
///
/// `PINION_URING_DENY_OPS` (`all`, or a comma-separated list of opcode
/// numbers) makes the probe report opcodes as missing, the way an older
/// kernel or a seccomp profile would, so the per-operation fallback (a
/// readiness wait on the ring, then a non-blocking syscall) runs under test.
pub(crate) fn record(probe: &io_uring::Probe) {
    OPCODES.get_or_init(|| {
        let denied = denied_ops(std::env::var("PINION_URING_DENY_OPS").ok().as_deref());
        std::array::from_fn(|i| probe.is_supported(i as u8) && !denied[i])
    });
}

/// Which opcodes a `PINION_URING_DENY_OPS` value denies; entries that are
/// not opcode numbers are ignored with a warning.
fn denied_ops(value: Option<&str>) -> [bool; 256] {
    let mut denied = [false; 256];
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return denied;
    };
    if value.eq_ignore_ascii_case("all") {
        denied = [true; 256];
    } else {
        for item in value.split(',') {
            match item.trim().parse::<u8>() {
                Ok(code) => denied[usize::from(code)] = true,
                Err(_) => tracing::warn!(item, "PINION_URING_DENY_OPS: not an opcode number"),
            }
        }
    }
    for code in DRIVER_OPS {
        denied[usize::from(code)] = false;
    }
    denied
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_list_parsing_keeps_the_drivers_own_opcodes() {
        let none = denied_ops(None);
        assert!(none.iter().all(|d| !d));
        let all = denied_ops(Some("all"));
        let accept = usize::from(io_uring::opcode::Accept::CODE);
        assert!(all[accept]);
        for code in DRIVER_OPS {
            assert!(!all[usize::from(code)]);
        }
        let some = denied_ops(Some(&format!(
            " {accept}, x ,{}",
            io_uring::opcode::PollAdd::CODE
        )));
        assert!(some[accept]);
        assert_eq!(some.iter().filter(|d| **d).count(), 1);
    }
}
