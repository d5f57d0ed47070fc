//! CPU time per request: the server's (user and kernel, from `/proc`) and
//! wrk's (from `getrusage` over waited-for children). Both share the
//! machine's cores, so together they bound the requests per second.

use std::time::Duration;

/// CPU time spent so far: user, kernel.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CpuTime {
    pub(crate) user: Duration,
    pub(crate) system: Duration,
}

impl CpuTime {
    /// What was spent between `earlier` and `self`.
    pub(crate) fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }

    /// Both together.
    pub(crate) fn total(self) -> Duration {
        self.user + self.system
    }
}

/// The CPU time of process `pid` (all its threads), from `/proc/<pid>/stat`.
pub(crate) fn of_process(pid: u32) -> Option<CpuTime> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after its `)` do not.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13
    // after the name.
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // SAFETY: sysconf has no memory effects.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).ok().filter(|&h| h > 0)?;
    let to_duration = |t: u64| Duration::from_nanos(t * 1_000_000_000 / hz);
    Some(CpuTime {
        user: to_duration(ticks(11)?),
        system: to_duration(ticks(12)?),
    })
}

/// The CPU time of every child process this one has waited for.
pub(crate) fn of_waited_children() -> CpuTime {
    // SAFETY: an all-zero rusage is a valid value for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid and writable for the call.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return CpuTime::default();
    }
    let to_duration = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    CpuTime {
        user: to_duration(usage.ru_utime),
        system: to_duration(usage.ru_stime),
    }
}
