//! Test switches: builder methods for the test suites, hidden from the docs
//! and not part of the stable API. They replace environment variables that
//! production code used to read on every start.
//!
//! The test suites turn them on from their own code: `actor-io`'s helpers
//! read `PINION_URING_DENY_OPS` and call [`Builder::deny_uring_opcodes`], so
//! `scripts/test.sh` can still run the networking tests with every optional
//! opcode denied.

use super::Builder;

/// Test switches carried by a [`RuntimeConfig`](super::RuntimeConfig).
/// `Default` switches everything off.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestHooks {
    /// io_uring opcodes each ring reports as missing, as an older kernel or a
    /// seccomp profile would; the driver's own opcodes are never denied.
    pub(crate) deny_opcodes: Vec<u8>,
    /// Deny every optional opcode.
    pub(crate) deny_all_opcodes: bool,
    /// Reactor creation fails on this shard.
    pub(crate) fail_reactor_on: Option<usize>,
}

impl Builder {
    /// Test switch: each shard's ring reports these io_uring opcodes
    /// (`io_uring::opcode::*::CODE`) as missing, so the per-operation
    /// fallback (a readiness wait, then a non-blocking syscall) runs. The
    /// driver's own opcodes (poll add/remove, async cancel) stay.
    #[doc(hidden)]
    pub fn deny_uring_opcodes(mut self, opcodes: impl IntoIterator<Item = u8>) -> Self {
        self.config.test_hooks.deny_opcodes.extend(opcodes);
        self
    }

    /// Test switch: denies every optional io_uring opcode (see
    /// [`Builder::deny_uring_opcodes`]).
    #[doc(hidden)]
    pub fn deny_all_uring_opcodes(mut self) -> Self {
        self.config.test_hooks.deny_all_opcodes = true;
        self
    }

    /// Test switch: building the reactor of `shard` fails, so `build()`
    /// returns [`StartError::NoReactor`](crate::StartError::NoReactor).
    #[doc(hidden)]
    pub fn fail_reactor_on(mut self, shard: usize) -> Self {
        self.config.test_hooks.fail_reactor_on = Some(shard);
        self
    }
}

impl TestHooks {
    /// Whether `opcode` is denied.
    pub(crate) fn denies(&self, opcode: u8) -> bool {
        self.deny_all_opcodes || self.deny_opcodes.contains(&opcode)
    }
}
