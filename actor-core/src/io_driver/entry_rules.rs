//! What [`submit`](super::submit) accepts: one submission, one completion.
//!
//! The driver frees an operation's slot, and hands its resources back, at
//! the operation's first completion. So an entry that completes more than
//! once, or never, or only as part of a chain, breaks that bookkeeping:
//!
//! - **multishot** forms (accept, recv, recvmsg, poll, timeout, read) stay
//!   armed after their first completion: later completions would be
//!   ignored, accepted fds leaked, and buffers read after they are freed;
//! - **zero-copy sends** (`SEND_ZC`, `SENDMSG_ZC`) post a second
//!   notification completion when the kernel is done reading the buffer;
//! - `IOSQE_CQE_SKIP_SUCCESS` posts no completion on success: the slot and
//!   the shard's in-flight count would never drop;
//! - `IOSQE_IO_LINK`/`IOSQE_IO_HARDLINK` chain the entry to the next one
//!   pushed, which may belong to another task. (A chain of two is what
//!   [`submit_linked`](super::submit_linked) is for: it pushes both
//!   entries together and sets the flag itself.)
//!
//! Such entries are refused with `InvalidInput`, before anything is queued.
//! Fixed files, `IOSQE_ASYNC`, `IOSQE_IO_DRAIN` and buffer selection are
//! allowed (a selected buffer's group must outlive the shard, as any
//! memory not held in the resources must).

use std::io;

use io_uring::{opcode, squeue};

/// The kernel ABI's constants (`io_uring.h`) the rules need.
mod sys {
    pub(super) const IOSQE_IO_LINK_BIT: u8 = 2;
    pub(super) const IOSQE_IO_HARDLINK_BIT: u8 = 3;
    pub(super) const IOSQE_CQE_SKIP_SUCCESS_BIT: u8 = 6;
    pub(super) const IORING_ACCEPT_MULTISHOT: u32 = 1;
    pub(super) const IORING_RECV_MULTISHOT: u32 = 2;
    pub(super) const IORING_POLL_ADD_MULTI: u32 = 1;
    pub(super) const IORING_TIMEOUT_MULTISHOT: u32 = 64;
}

// The checks read the kernel's 64-byte `io_uring_sqe` that `Entry` wraps.
const _: () = assert!(std::mem::size_of::<squeue::Entry>() == 64);

/// `IOSQE_*` bits that break "one submission, one completion".
const REFUSED_FLAGS: u8 = (1 << sys::IOSQE_IO_LINK_BIT)
    | (1 << sys::IOSQE_IO_HARDLINK_BIT)
    | (1 << sys::IOSQE_CQE_SKIP_SUCCESS_BIT);

/// The fields of an entry the rules look at.
struct Fields {
    opcode: u8,
    flags: u8,
    ioprio: u16,
    len: u32,
    op_flags: u32,
}

/// Reads the fields from the entry's bytes. `Entry` is `#[repr(C)]` over
/// `io_uring_sqe` (64 bytes, checked above, no padding), built by io-uring
/// from zeroed memory; the offsets are the kernel ABI's: opcode 0, flags 1,
/// ioprio 2, len 24, the per-opcode flags 28.
fn fields(sqe: &squeue::Entry) -> Fields {
    let base = std::ptr::from_ref(sqe).cast::<u8>();
    // SAFETY: every read is inside the 64 initialised bytes of `*sqe`.
    unsafe {
        Fields {
            opcode: base.read(),
            flags: base.add(1).read(),
            ioprio: base.add(2).cast::<u16>().read_unaligned(),
            len: base.add(24).cast::<u32>().read_unaligned(),
            op_flags: base.add(28).cast::<u32>().read_unaligned(),
        }
    }
}

/// `Ok` when `sqe` completes exactly once on its own.
pub(crate) fn check(sqe: &squeue::Entry) -> io::Result<()> {
    let f = fields(sqe);
    let refuse = |what: &str| {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("io_driver::submit takes one-shot operations only: {what}"),
        ))
    };
    if f.flags & REFUSED_FLAGS != 0 {
        return refuse("linked or CQE_SKIP_SUCCESS entry");
    }
    let multishot = match f.opcode {
        opcode::Accept::CODE => u32::from(f.ioprio) & sys::IORING_ACCEPT_MULTISHOT != 0,
        opcode::Recv::CODE | opcode::RecvMsg::CODE => {
            u32::from(f.ioprio) & sys::IORING_RECV_MULTISHOT != 0
        }
        opcode::PollAdd::CODE => f.len & sys::IORING_POLL_ADD_MULTI != 0,
        opcode::Timeout::CODE => f.op_flags & sys::IORING_TIMEOUT_MULTISHOT != 0,
        opcode::ReadMulti::CODE => true,
        opcode::SendZc::CODE | opcode::SendMsgZc::CODE => {
            return refuse("zero-copy send (two completions)");
        }
        _ => false,
    };
    if multishot {
        return refuse("multishot entry");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use io_uring::types::{Fd, TimeoutFlags, Timespec};
    use io_uring::{opcode, squeue};

    use super::check;

    fn refused(sqe: squeue::Entry) -> bool {
        check(&sqe).is_err_and(|e| e.kind() == std::io::ErrorKind::InvalidInput)
    }

    #[test]
    fn one_shot_entries_pass() {
        let mut buf = [0u8; 8];
        let ts = Timespec::new();
        assert!(check(&opcode::Nop::new().build()).is_ok());
        assert!(check(&opcode::Read::new(Fd(0), buf.as_mut_ptr(), 8).build()).is_ok());
        assert!(
            check(&opcode::Accept::new(Fd(3), std::ptr::null_mut(), std::ptr::null_mut()).build())
                .is_ok()
        );
        assert!(check(&opcode::Recv::new(Fd(3), buf.as_mut_ptr(), 8).build()).is_ok());
        assert!(check(&opcode::PollAdd::new(Fd(3), 1).build()).is_ok());
        assert!(check(&opcode::Timeout::new(&ts).build()).is_ok());
        let fixed = opcode::Nop::new()
            .build()
            .flags(squeue::Flags::ASYNC | squeue::Flags::IO_DRAIN);
        assert!(check(&fixed).is_ok());
    }

    #[test]
    fn chains_and_skipped_completions_are_refused() {
        for flag in [
            squeue::Flags::IO_LINK,
            squeue::Flags::IO_HARDLINK,
            squeue::Flags::SKIP_SUCCESS,
        ] {
            assert!(refused(opcode::Nop::new().build().flags(flag)), "{flag:?}");
        }
    }

    #[test]
    fn multishot_and_zero_copy_entries_are_refused() {
        let mut buf = [0u8; 8];
        let ts = Timespec::new();
        assert!(refused(opcode::AcceptMulti::new(Fd(3)).build()));
        assert!(refused(opcode::RecvMulti::new(Fd(3), 0).build()));
        assert!(refused(opcode::PollAdd::new(Fd(3), 1).multi(true).build()));
        assert!(refused(
            opcode::Timeout::new(&ts)
                .flags(TimeoutFlags::MULTISHOT)
                .build()
        ));
        assert!(refused(opcode::ReadMulti::new(Fd(3), 8, 0).build()));
        assert!(refused(
            opcode::SendZc::new(Fd(3), buf.as_mut_ptr(), 8).build()
        ));
    }
}
