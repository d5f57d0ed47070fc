//! The io_uring opcode probe of one ring, and the `RLIMIT_MEMLOCK` check
//! that must precede any buffer registration.
//!
//! Each ring probes its own opcodes when it is built; nothing is cached
//! process-wide, so two runtimes with different test switches never see
//! each other's answer.

use std::io;

use crate::config::TestHooks;

/// Opcodes the ring driver itself needs (its wake-up poll, readiness waits
/// and cancellation); a test switch cannot deny them.
const DRIVER_OPS: [u8; 3] = [
    io_uring::opcode::PollAdd::CODE,
    io_uring::opcode::PollRemove::CODE,
    io_uring::opcode::AsyncCancel::CODE,
];

/// The opcodes one ring supports, less those a test switch denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Opcodes([u64; 4]);

impl Opcodes {
    /// What `probe` reports, less what `hooks` deny
    /// ([`Builder::deny_uring_opcodes`](crate::config::Builder::deny_uring_opcodes)).
    pub(crate) fn from_probe(probe: &io_uring::Probe, hooks: &TestHooks) -> Self {
        Self::build(|code| probe.is_supported(code), hooks)
    }

    fn build(supported: impl Fn(u8) -> bool, hooks: &TestHooks) -> Self {
        let mut bits = [0u64; 4];
        for code in 0..=u8::MAX {
            let denied = hooks.denies(code) && !DRIVER_OPS.contains(&code);
            if supported(code) && !denied {
                bits[usize::from(code / 64)] |= 1 << (code % 64);
            }
        }
        Self(bits)
    }

    /// Whether `code` is supported and not denied.
    pub(crate) fn supports(&self, code: u8) -> bool {
        self.0[usize::from(code / 64)] & (1 << (code % 64)) != 0
    }
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
    use crate::config::{Builder, RuntimeConfig};

    fn hooks(b: Builder) -> TestHooks {
        b.into_config().test_hooks
    }

    #[test]
    fn denied_opcodes_keep_the_drivers_own() {
        let base = || Builder::from_config(RuntimeConfig::with_shards(1));
        let accept = io_uring::opcode::Accept::CODE;
        let none = Opcodes::build(|_| true, &hooks(base()));
        assert!(none.supports(accept) && none.supports(255));
        let all = Opcodes::build(|_| true, &hooks(base().deny_all_uring_opcodes()));
        assert!(!all.supports(accept));
        for code in DRIVER_OPS {
            assert!(all.supports(code));
        }
        let some = Opcodes::build(
            |_| true,
            &hooks(base().deny_uring_opcodes([accept, DRIVER_OPS[0]])),
        );
        assert!(!some.supports(accept) && some.supports(DRIVER_OPS[0]));
        assert_eq!((0..=255u8).filter(|c| !some.supports(*c)).count(), 1);
        let kernel = Opcodes::build(|c| c != accept, &hooks(base()));
        assert!(!kernel.supports(accept));
    }
}
