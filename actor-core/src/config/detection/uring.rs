//! io_uring probe: the `io_uring_disabled` sysctl and, on the real machine,
//! an actual ring plus `IORING_REGISTER_PROBE`.
//!
//! The sysctl alone is not enough: seccomp filters (Docker's default profile,
//! gVisor, many CI sandboxes) block `io_uring_setup` without any sysctl
//! saying so. Only creating a ring tells the truth, so [`UringSupport::probe`]
//! does; [`UringSupport::probe_at`] (fixture trees) can only read the sysctl.

use std::path::Path;

use super::read_parsed;

/// The io_uring operations the runtime's driver relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UringOp {
    /// `IORING_OP_READ`.
    Read,
    /// `IORING_OP_WRITE`.
    Write,
    /// `IORING_OP_ACCEPT`.
    Accept,
    /// `IORING_OP_CONNECT`.
    Connect,
    /// `IORING_OP_RECVMSG`.
    RecvMsg,
    /// `IORING_OP_SENDMSG`.
    SendMsg,
    /// `IORING_OP_TIMEOUT`.
    Timeout,
    /// `IORING_OP_ASYNC_CANCEL`.
    AsyncCancel,
    /// `IORING_OP_FSYNC`.
    Fsync,
}

impl UringOp {
    /// Every operation the driver relies on.
    pub const ALL: [Self; 9] = [
        Self::Read,
        Self::Write,
        Self::Accept,
        Self::Connect,
        Self::RecvMsg,
        Self::SendMsg,
        Self::Timeout,
        Self::AsyncCancel,
        Self::Fsync,
    ];

    /// Short lowercase name, for reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Accept => "accept",
            Self::Connect => "connect",
            Self::RecvMsg => "recvmsg",
            Self::SendMsg => "sendmsg",
            Self::Timeout => "timeout",
            Self::AsyncCancel => "async_cancel",
            Self::Fsync => "fsync",
        }
    }

    fn code(self) -> u8 {
        use io_uring::opcode;
        match self {
            Self::Read => opcode::Read::CODE,
            Self::Write => opcode::Write::CODE,
            Self::Accept => opcode::Accept::CODE,
            Self::Connect => opcode::Connect::CODE,
            Self::RecvMsg => opcode::RecvMsg::CODE,
            Self::SendMsg => opcode::SendMsg::CODE,
            Self::Timeout => opcode::Timeout::CODE,
            Self::AsyncCancel => opcode::AsyncCancel::CODE,
            Self::Fsync => opcode::Fsync::CODE,
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of [`UringOp`]s the kernel supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UringOpcodes(u16);

impl UringOpcodes {
    /// The empty set.
    pub const fn none() -> Self {
        Self(0)
    }

    /// Every operation in [`UringOp::ALL`].
    pub fn all() -> Self {
        UringOp::ALL.into_iter().fold(Self::none(), Self::with)
    }

    /// This set plus `op`.
    #[must_use]
    pub const fn with(self, op: UringOp) -> Self {
        Self(self.0 | op.bit())
    }

    /// Whether `op` is in the set.
    pub const fn supports(&self, op: UringOp) -> bool {
        self.0 & op.bit() != 0
    }

    /// Whether every operation the driver relies on is in the set.
    pub fn is_complete(&self) -> bool {
        *self == Self::all()
    }

    /// The operations of [`UringOp::ALL`] not in the set.
    pub fn missing(&self) -> Vec<UringOp> {
        UringOp::ALL
            .into_iter()
            .filter(|op| !self.supports(*op))
            .collect()
    }
}

/// Whether io_uring can be used.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum UringSupport {
    /// A ring was created; these operations are supported. An empty set
    /// means the kernel predates `IORING_REGISTER_PROBE` (Linux 5.6).
    Supported(UringOpcodes),
    /// io_uring is switched off or blocked; the reason says by what.
    Disabled(String),
    /// Not probed, or the probe failed in a way that says nothing.
    #[default]
    Unknown,
}

impl UringSupport {
    /// Whether a ring can be created.
    pub fn is_supported(&self) -> bool {
        matches!(self, Self::Supported(_))
    }

    /// Reads the sysctl, then creates a ring and probes its opcodes.
    pub(super) fn probe() -> Self {
        let from_sysctl = Self::probe_at(Path::new("/"));
        // With `io_uring_disabled = 1` privileged processes may still create
        // rings, so only 2 settles the question without trying.
        if sysctl(Path::new("/")) == Some(2) {
            return from_sysctl;
        }
        let ring = match io_uring::IoUring::new(8) {
            Ok(ring) => ring,
            // Seccomp (containers, sandboxes) and the sysctl make
            // `io_uring_setup` fail with EPERM/EACCES; kernels built without
            // io_uring, or before 5.1, with ENOSYS.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EPERM | libc::EACCES | libc::ENOSYS)
                ) =>
            {
                return Self::Disabled(format!("io_uring_setup refused: {e}"));
            }
            Err(e) => {
                tracing::debug!(error = %e, "io_uring probe failed; support unknown");
                return Self::Unknown;
            }
        };
        let mut probe = io_uring::Probe::new();
        if let Err(e) = ring.submitter().register_probe(&mut probe) {
            tracing::debug!(error = %e, "IORING_REGISTER_PROBE failed; opcodes unknown");
            return Self::Supported(UringOpcodes::none());
        }
        let ops = UringOp::ALL
            .into_iter()
            .filter(|op| probe.is_supported(op.code()))
            .fold(UringOpcodes::none(), UringOpcodes::with);
        Self::Supported(ops)
    }

    /// `root/proc/sys/kernel/io_uring_disabled` only: 1 or 2 mean disabled,
    /// anything else is [`UringSupport::Unknown`] (a file tree cannot say
    /// whether the kernel would hand out a ring).
    pub(super) fn probe_at(root: &Path) -> Self {
        match sysctl(root) {
            Some(2) => Self::Disabled("kernel.io_uring_disabled = 2: disabled for all".into()),
            Some(1) => Self::Disabled(
                "kernel.io_uring_disabled = 1: only kernel.io_uring_group may create rings".into(),
            ),
            _ => Self::Unknown,
        }
    }
}

fn sysctl(root: &Path) -> Option<u8> {
    read_parsed(&root.join("proc/sys/kernel/io_uring_disabled"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcode_set() {
        let set = UringOpcodes::none()
            .with(UringOp::Read)
            .with(UringOp::Fsync);
        assert!(set.supports(UringOp::Read) && set.supports(UringOp::Fsync));
        assert!(!set.supports(UringOp::Accept));
        assert_eq!(set.missing().len(), UringOp::ALL.len() - 2);
        assert!(UringOpcodes::all().is_complete());
        assert!(UringOpcodes::all().missing().is_empty());
    }

    #[test]
    fn real_probe_never_panics() {
        let _ = UringSupport::probe();
    }
}
