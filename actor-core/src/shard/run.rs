//! The shard thread's loop.

use std::collections::VecDeque;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::reactor::{DriverKind, Reaped};
use crate::shard::local::ShardLocal;
use crate::shard::shared::Remote;
use crate::util::give_back_excess;

/// Tasks polled between two looks at the inbox and the timers.
const BATCH: usize = 128;

/// Under epoll, busy turns between two non-blocking looks at readiness
/// events (each look is a syscall; io_uring's look is a memory read).
const EPOLL_POLL_EVERY: u32 = 8;

/// Runs the shard until its shutdown task sets `exit`, then tears it down.
/// The teardown is a guard: it runs even if the loop panics.
pub(crate) fn run_shard(local: Rc<ShardLocal>) {
    ShardLocal::set_current(&local);
    let teardown = Teardown(&local);
    run_loop(&local);
    drop(teardown);
}

fn run_loop(local: &Rc<ShardLocal>) {
    let mut spin = SpinWindow::new(local.spin_before_park);
    let uring = local.reactor.borrow().kind() == DriverKind::Uring;
    let mut inbox = VecDeque::new();
    let mut reaped = Reaped::default();
    let mut turn: u32 = 0;
    loop {
        turn = turn.wrapping_add(1);
        if (uring || turn.is_multiple_of(EPOLL_POLL_EVERY)) && poll_io(local, &mut reaped) {
            reaped.finish();
        }
        local.drain_inboxes(&mut inbox);
        local.shared.drain_inbox(&mut inbox);
        for item in inbox.drain(..) {
            local.handle_remote(item);
        }
        give_back_excess(&mut inbox);
        if !local.wheel.borrow().is_idle() {
            local.fire_timers(Instant::now());
        }
        for _ in 0..BATCH {
            let next = local.run_queue.borrow_mut().pop_front();
            match next {
                Some(task) => local.poll_task(task),
                None => break,
            }
        }
        local.linger_pass();
        if local.exit.get() {
            break;
        }
        if !local.run_queue.borrow().is_empty() {
            continue;
        }
        give_back_excess(&mut local.run_queue.borrow_mut());
        if !spin.now.is_zero() && spin_for_work(local, spin.now, uring, &mut reaped) {
            continue;
        }
        // Lingering tasks sleep like the rest while the shard is parked.
        if local.stop_all_lingering() || local.exit.get() {
            continue;
        }
        let timeout = local.wheel.borrow().next_timeout(Instant::now());
        let flag = local.shared.park_flag();
        if flag.prepare_park(|| !local.shared.inbox_is_empty() || local.inboxes_have_work()) {
            local.shared.counters.parks.bump();
            let parked_at = Instant::now();
            let parked = local.reactor.borrow_mut().park(
                &local.shared.eventfd,
                timeout.map(round_up_ms),
                &mut reaped,
            );
            match parked {
                Ok(true) => {
                    local.shared.counters.wakes.bump();
                    spin.after_wake(parked_at.elapsed());
                }
                Ok(false) => spin.after_wake(Duration::MAX),
                Err(e) => {
                    tracing::error!(shard = local.index(), error = %e, "reactor park failed");
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            flag.unparked();
            reaped.finish();
        }
    }
}

/// The shard's exit, in this order:
///
/// 1. `stopping` is set, and the thread stops being this shard's *owner*
///    for mailboxes ([`ShardLocal::release_ownership`]): from here on its
///    sends take each mailbox's lock, like any other thread's.
/// 2. The inbox closes: jobs and timers sent from now on are refused (their
///    senders run the fallback themselves). What was queued runs: spawns
///    end with `Shutdown`, timers move to a helper thread.
/// 3. Every task is dropped, repeatedly, until none is left: a destructor
///    may send, ask, wake or spawn.
/// 4. The reactor cancels and waits for what is still in the kernel.
/// 5. The thread stops being a shard.
struct Teardown<'a>(&'a Rc<ShardLocal>);

impl Drop for Teardown<'_> {
    fn drop(&mut self) {
        let local = self.0;
        if std::thread::panicking() {
            tracing::error!(shard = local.index(), "shard loop panicked; tearing down");
        }
        local.stopping.set(true);
        local.exit.set(true);
        ShardLocal::release_ownership();
        let mut leftovers = local.shared.close_inbox();
        local.drain_inboxes(&mut leftovers);
        for item in leftovers {
            match item {
                // Spawns that raced with shutdown: `start` sees `stopping`
                // and ends the actor with `Shutdown`.
                Remote::Run(job) => local.handle_remote(Remote::Run(job)),
                Remote::Timer(deadline, waker) => {
                    std::thread::spawn(move || {
                        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                        waker.wake();
                    });
                }
                Remote::Schedule(_) => {}
            }
        }
        local.drop_all_tasks();
        let mut reaped = Reaped::default();
        if let Ok(mut reactor) = local.reactor.try_borrow_mut() {
            reactor.shutdown(&local.shared.eventfd, &mut reaped);
        }
        reaped.finish();
        // Wakers fired by the reactor's last completions may have queued
        // tasks again.
        local.drop_all_tasks();
        ShardLocal::unset_current();
    }
}

/// Submits queued I/O and routes what is done, without blocking, when the
/// shard has I/O at all (a shard with none makes no syscall here). `true`
/// when something landed in `reaped`.
fn poll_io(local: &ShardLocal, reaped: &mut Reaped) -> bool {
    let mut reactor = local.reactor.borrow_mut();
    if !reactor.has_io() {
        return false;
    }
    if let Err(e) = reactor.poll_io(&local.shared.eventfd, reaped) {
        tracing::error!(shard = local.index(), error = %e, "reactor poll failed");
    }
    !reaped.wakers.is_empty() || !reaped.garbage.is_empty()
}

/// Spin turns between two looks at the clock: reading it costs more than a
/// turn, and every turn it is read is a turn later that new work is seen.
const SPIN_CLOCK_EVERY: u32 = 16;

/// Spin turns between two non-blocking epoll looks while spinning: a look
/// is a syscall (about as long as these turns), and a socket that became
/// readable waits for it, so it is made often enough that a request is seen
/// within a microsecond or so.
const EPOLL_SPIN_POLL_EVERY: u32 = 16;

/// Spins up to `spin`, polling the lingering tasks and watching the inbox
/// and the shard's I/O (io_uring's
/// completion queue on every turn, a non-blocking epoll look every
/// [`EPOLL_SPIN_POLL_EVERY`] turns). `true` if work arrived; completed I/O
/// has then woken its tasks.
fn spin_for_work(local: &ShardLocal, spin: Duration, uring: bool, reaped: &mut Reaped) -> bool {
    let until = Instant::now() + spin;
    let mut turn: u32 = 0;
    loop {
        if !local.shared.inbox_is_empty() || local.inboxes_have_work() {
            return true;
        }
        if local.linger_pass() || !local.run_queue.borrow().is_empty() || local.exit.get() {
            return true;
        }
        turn = turn.wrapping_add(1);
        if (uring || turn.is_multiple_of(EPOLL_SPIN_POLL_EVERY)) && poll_io(local, reaped) {
            reaped.finish();
            return true;
        }
        if turn.is_multiple_of(SPIN_CLOCK_EVERY) && Instant::now() >= until {
            return false;
        }
        std::hint::spin_loop();
    }
}

/// How far the spin window may grow, as a multiple of `spin_before_park`.
const SPIN_GROWTH: u32 = 10;

/// The spin window before parking, adapted to how soon work comes back.
///
/// A wake-up from a park costs tens of microseconds on some hosts, more
/// than the configured window. Two shards exchanging messages then fall
/// into a trap: each parks just before the other's answer, so every message
/// pays a wake-up. So a shard woken again within the largest window doubles
/// its window (up to [`SPIN_GROWTH`] × the configured one); a longer sleep
/// puts it back to the configured window, so an idle shard still costs
/// only that much CPU per burst.
struct SpinWindow {
    base: Duration,
    now: Duration,
}

impl SpinWindow {
    fn new(base: Duration) -> Self {
        SpinWindow { base, now: base }
    }

    fn max(&self) -> Duration {
        self.base.saturating_mul(SPIN_GROWTH)
    }

    /// After a park that lasted `slept` (`MAX` for one that timed out).
    fn after_wake(&mut self, slept: Duration) {
        self.now = if slept < self.max() {
            self.now.saturating_mul(2).min(self.max())
        } else {
            self.base
        };
    }
}

/// Timer deadlines are whole milliseconds; never wake before one is due.
fn round_up_ms(d: Duration) -> Duration {
    let ms = d.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod spin_window_tests {
    use std::time::Duration;

    use super::{SPIN_GROWTH, SpinWindow};

    #[test]
    fn the_window_grows_on_quick_wakes_and_resets_after_a_long_sleep() {
        let base = Duration::from_micros(20);
        let mut w = SpinWindow::new(base);
        w.after_wake(Duration::from_micros(30));
        assert_eq!(w.now, base * 2);
        for _ in 0..10 {
            w.after_wake(Duration::from_micros(30));
        }
        assert_eq!(w.now, base * SPIN_GROWTH, "capped");
        w.after_wake(Duration::from_millis(5));
        assert_eq!(w.now, base);
        w.after_wake(Duration::MAX);
        assert_eq!(w.now, base, "a timed-out park resets too");
    }

    #[test]
    fn a_zero_window_stays_zero() {
        let mut w = SpinWindow::new(Duration::ZERO);
        w.after_wake(Duration::from_micros(1));
        assert_eq!(w.now, Duration::ZERO);
    }
}
