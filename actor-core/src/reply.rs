//! One-shot replies for `ask`, with no lock: the slot is a small state
//! machine on one atomic (see [`Slot`]). When the asker holds the last
//! reference (the usual end of an ask), its slot goes back to a small
//! per-thread pool for the next ask of the same reply type, so asks in
//! steady state allocate nothing.
//!
//! When a [`ReplyTo`] is dropped unanswered, the asker learns why from the
//! shard's current drop cause: the handler panicked (`ActorFailed`), the actor
//! stopped with the request still queued (`Closed`), or the handler simply
//! dropped it (`NoReply`).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::error::AskError;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU8, Ordering};

/// Why values are being dropped on this thread right now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DropCause {
    None,
    ActorFailed,
    ActorStopped,
}

thread_local! {
    static DROP_CAUSE: Cell<DropCause> = const { Cell::new(DropCause::None) };
    /// Failures of replies dropped while a shard task unwinds, held back
    /// until the shard has marked the failed actor stopped.
    static DEFERRED: std::cell::RefCell<Vec<Arc<dyn Fail>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

trait Fail {
    fn fail(&self);
}

impl<R> Fail for Slot<R> {
    fn fail(&self) {
        self.complete(Err(AskError::ActorFailed));
    }
}

/// Completes the replies held back by [`ReplyTo`]'s drop during a panic.
/// The shard calls it after every task poll (a panic a handler caught
/// itself leaves no other trace); with nothing held it is one borrow check.
#[inline]
pub(crate) fn flush_deferred() {
    let held = DEFERRED.with(|d| {
        let mut d = d.borrow_mut();
        (!d.is_empty()).then(|| std::mem::take(&mut *d))
    });
    if let Some(held) = held {
        held.into_iter().for_each(|s| s.fail());
    }
}

/// Runs `f` with `cause` as the reason for anything it drops. The previous
/// cause comes back when `f` returns or unwinds.
pub(crate) fn with_drop_cause<R>(cause: DropCause, f: impl FnOnce() -> R) -> R {
    let _restore = DropCauseGuard::set(cause);
    f()
}

/// Sets the drop cause until dropped, then puts the previous one back.
pub(crate) struct DropCauseGuard(DropCause);

impl DropCauseGuard {
    /// Makes `cause` the current drop cause.
    pub(crate) fn set(cause: DropCause) -> Self {
        DropCauseGuard(DROP_CAUSE.with(|c| c.replace(cause)))
    }
}

impl Drop for DropCauseGuard {
    fn drop(&mut self) {
        let prev = self.0;
        DROP_CAUSE.with(|c| c.set(prev));
    }
}

/// `waker` holds the asker's waker, and the answerer may read it.
const WAKER_SET: u8 = 0b01;
/// `value` holds the answer; the asker may take it.
const DONE: u8 = 0b10;

/// One reply's rendezvous. The answerer completes it once: it writes
/// `value`, then sets `DONE`; if `WAKER_SET` was up it wakes that waker
/// (reading it, never writing it). The asker reads `value` only after it
/// has seen `DONE`. It writes `waker` only while `WAKER_SET` is down: it
/// clears the bit first (and if `DONE` turned up meanwhile, takes the value
/// instead), writes, then raises the bit again, checking for `DONE` once
/// more. So each cell has one writer at a time, ordered by the atomic.
struct Slot<R> {
    state: AtomicU8,
    waker: UnsafeCell<Option<Waker>>,
    value: UnsafeCell<Option<Result<R, AskError>>>,
}

// SAFETY: the cells are handed between the two sides by the `state`
// protocol above; the value crosses threads, hence `R: Send`.
unsafe impl<R: Send> Sync for Slot<R> {}
// SAFETY: as above.
unsafe impl<R: Send> Send for Slot<R> {}

impl<R> Slot<R> {
    fn new() -> Self {
        Slot {
            state: AtomicU8::new(0),
            waker: UnsafeCell::new(None),
            value: UnsafeCell::new(None),
        }
    }

    /// Makes a slot nobody else can reach ready for another ask.
    fn reset(&mut self) {
        self.state.store(0, Ordering::Relaxed);
        // SAFETY: `&mut self`: no other access.
        self.waker.with_mut(|w| unsafe { *w = None });
        // SAFETY: as above.
        self.value.with_mut(|v| unsafe { *v = None });
    }

    /// The answerer's side; called at most once per slot (the `ReplyTo`
    /// that owns it is consumed).
    fn complete(&self, value: Result<R, AskError>) {
        // SAFETY: before `DONE` the answerer alone touches `value`.
        self.value.with_mut(|v| unsafe { *v = Some(value) });
        let prev = self.state.fetch_or(DONE, Ordering::AcqRel);
        debug_assert_eq!(prev & DONE, 0, "a reply slot completed twice");
        if prev & WAKER_SET != 0 {
            self.waker.with(|w| {
                // SAFETY: `WAKER_SET` was up when `DONE` went up: the asker
                // will not write the waker again, only read it; reading is
                // shared.
                let waker = unsafe { &*w };
                if let Some(w) = waker {
                    w.wake_by_ref();
                }
            });
        }
    }

    /// The asker's side, after it has seen `DONE`.
    fn take(&self) -> Result<R, AskError> {
        // SAFETY: `DONE` was seen (acquire): the answerer's write is done
        // and it never touches `value` again.
        self.value
            .with_mut(|v| unsafe { (*v).take() })
            .unwrap_or(Err(AskError::Closed))
    }

    fn poll(&self, cx: &Context<'_>) -> Poll<Result<R, AskError>> {
        let state = self.state.load(Ordering::Acquire);
        if state & DONE != 0 {
            return Poll::Ready(self.take());
        }
        if state & WAKER_SET != 0 {
            let same = self.waker.with(|w| {
                // SAFETY: a shared read; nobody writes the waker while the
                // bit is up.
                let waker = unsafe { &*w };
                waker.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
            });
            if same {
                return Poll::Pending;
            }
            let prev = self.state.fetch_and(!WAKER_SET, Ordering::AcqRel);
            if prev & DONE != 0 {
                return Poll::Ready(self.take());
            }
        }
        self.waker.with_mut(|w| {
            // SAFETY: `WAKER_SET` is down and `DONE` was not up when it went
            // down, so the answerer will not read the waker: this is the
            // only access.
            unsafe { *w = Some(cx.waker().clone()) }
        });
        let prev = self.state.fetch_or(WAKER_SET, Ordering::AcqRel);
        if prev & DONE != 0 {
            return Poll::Ready(self.take());
        }
        Poll::Pending
    }
}

/// The handle a handler answers an `ask` with. Dropping it unanswered tells
/// the asker why.
pub struct ReplyTo<R: 'static> {
    slot: Option<Arc<Slot<R>>>,
}

impl<R: 'static> std::fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyTo")
            .field("answered", &self.slot.is_none())
            .finish()
    }
}

impl<R: 'static> ReplyTo<R> {
    /// Sends the reply. If the asker has gone (timed out or dropped its
    /// future), the value is dropped.
    pub fn send(mut self, value: R) {
        if let Some(slot) = self.slot.take() {
            slot.complete(Ok(value));
        }
    }

    /// `true` while the asker still waits for the answer.
    pub fn is_waiting(&self) -> bool {
        self.slot.as_ref().is_some_and(|s| Arc::strong_count(s) > 1)
    }
}

impl<R: 'static> Drop for ReplyTo<R> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            if std::thread::panicking() && crate::shard::local::on_shard_thread() {
                DEFERRED.with(|d| d.borrow_mut().push(slot));
                return;
            }
            let err = match DROP_CAUSE.with(Cell::get) {
                DropCause::ActorFailed => AskError::ActorFailed,
                DropCause::ActorStopped => AskError::Closed,
                DropCause::None if std::thread::panicking() => AskError::ActorFailed,
                DropCause::None => AskError::NoReply,
            };
            slot.complete(Err(err));
        }
    }
}

/// The asker's side: resolves to the reply or the reason there is none.
#[must_use = "futures do nothing unless awaited"]
pub struct Reply<R: 'static> {
    /// `None` only while being dropped.
    slot: Option<Arc<Slot<R>>>,
}

impl<R: 'static> std::fmt::Debug for Reply<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").finish_non_exhaustive()
    }
}

/// A connected reply pair.
pub(crate) fn reply_pair<R: 'static>() -> (ReplyTo<R>, Reply<R>) {
    let slot = pool::take::<R>().unwrap_or_else(|| Arc::new(Slot::new()));
    (
        ReplyTo {
            slot: Some(slot.clone()),
        },
        Reply { slot: Some(slot) },
    )
}

impl<R: 'static> Future for Reply<R> {
    type Output = Result<R, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &self.slot {
            Some(slot) => slot.poll(cx),
            None => Poll::Ready(Err(AskError::Closed)),
        }
    }
}

impl<R: 'static> Drop for Reply<R> {
    fn drop(&mut self) {
        if let Some(mut slot) = self.slot.take()
            && let Some(unique) = Arc::get_mut(&mut slot)
        {
            // The answerer is gone: nobody else can reach the slot.
            unique.reset();
            pool::give(slot);
        }
    }
}

/// A few idle reply slots per thread, by type.
mod pool {
    use std::any::TypeId;
    use std::cell::RefCell;
    use std::sync::Arc;

    use super::Slot;

    /// Slots kept per thread, all types together.
    const MAX: usize = 8;

    /// An idle `Arc<Slot<R>>`, its type erased.
    struct Idle {
        ty: TypeId,
        ptr: *const (),
        drop: unsafe fn(*const ()),
    }

    impl Drop for Idle {
        fn drop(&mut self) {
            // SAFETY: `ptr` came from `Arc::into_raw` of an `Arc<Slot<R>>`
            // and `drop` is `release::<R>` for that same `R` (see `give`).
            unsafe { (self.drop)(self.ptr) }
        }
    }

    /// # Safety
    /// `p` is `Arc::into_raw` of an `Arc<Slot<R>>`, owned by the caller.
    unsafe fn release<R>(p: *const ()) {
        // SAFETY: per the contract.
        drop(unsafe { Arc::from_raw(p.cast::<Slot<R>>()) });
    }

    thread_local! {
        static IDLE: RefCell<Vec<Idle>> = const { RefCell::new(Vec::new()) };
    }

    /// An idle slot for replies of type `R`, if this thread has one. (Never
    /// under loom: a slot must not outlive the model run that made it.)
    pub(super) fn take<R: 'static>() -> Option<Arc<Slot<R>>> {
        if cfg!(loom) {
            return None;
        }
        let ty = TypeId::of::<Slot<R>>();
        IDLE.try_with(|idle| {
            let mut idle = idle.try_borrow_mut().ok()?;
            let i = idle.iter().rposition(|s| s.ty == ty)?;
            let slot = std::mem::ManuallyDrop::new(idle.swap_remove(i));
            // SAFETY: an `Idle` of this `TypeId` holds an owned
            // `Arc<Slot<R>>` pointer; `ManuallyDrop` hands its count over.
            Some(unsafe { Arc::from_raw(slot.ptr.cast::<Slot<R>>()) })
        })
        .ok()
        .flatten()
    }

    /// Keeps a reset, unshared slot for a later `take`, or frees it.
    pub(super) fn give<R: 'static>(slot: Arc<Slot<R>>) {
        if cfg!(loom) {
            return;
        }
        let idle = Idle {
            ty: TypeId::of::<Slot<R>>(),
            ptr: Arc::into_raw(slot).cast(),
            drop: release::<R>,
        };
        let _ = IDLE.try_with(|list| {
            if let Ok(mut list) = list.try_borrow_mut()
                && list.len() < MAX
            {
                list.push(idle);
            }
            // Otherwise `idle` drops here, freeing the slot.
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Every path of the slot's state machine on one thread: answer before
    /// the first poll, after it, a changed waker, and an asker gone before
    /// the answer. (Also run under miri:
    /// `cargo +nightly miri test -p actor-core --lib reply::tests`.)
    #[test]
    fn reply_slot_paths_wake_once_and_hand_the_value_over() {
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);

        let (to, mut reply) = reply_pair::<String>();
        to.send("early".into());
        assert_eq!(
            Pin::new(&mut reply).poll(&mut cx),
            Poll::Ready(Ok("early".into()))
        );
        assert_eq!(
            Pin::new(&mut reply).poll(&mut cx),
            Poll::Ready(Err(AskError::Closed))
        );

        let (to, mut reply) = reply_pair::<String>();
        assert!(Pin::new(&mut reply).poll(&mut cx).is_pending());
        assert!(
            Pin::new(&mut reply).poll(&mut cx).is_pending(),
            "same waker kept"
        );
        let other = Arc::new(Count(Default::default()));
        let other_waker = Waker::from(other.clone());
        let mut other_cx = Context::from_waker(&other_waker);
        assert!(
            Pin::new(&mut reply).poll(&mut other_cx).is_pending(),
            "waker replaced"
        );
        assert!(to.is_waiting());
        to.send("late".into());
        assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 0);
        assert_eq!(other.0.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(
            Pin::new(&mut reply).poll(&mut cx),
            Poll::Ready(Ok("late".into()))
        );

        let (to, reply) = reply_pair::<String>();
        drop(reply);
        assert!(!to.is_waiting());
        to.send("nobody".into());

        let (to, mut reply) = reply_pair::<String>();
        drop(to);
        assert_eq!(
            Pin::new(&mut reply).poll(&mut cx),
            Poll::Ready(Err(AskError::NoReply))
        );
    }

    fn slot_ptr<R: 'static>(reply: &Reply<R>) -> *const Slot<R> {
        Arc::as_ptr(reply.slot.as_ref().unwrap())
    }

    /// A finished ask's slot serves the next ask of the same type on this
    /// thread, reset; a slot the answerer still holds is not pooled, and
    /// types never share slots. (Also under miri, with the test above.)
    #[test]
    fn reply_slots_are_reused_per_thread_and_type() {
        let waker = Waker::from(Arc::new(Count(Default::default())));
        let mut cx = Context::from_waker(&waker);
        let (to, mut reply) = reply_pair::<String>();
        let first = slot_ptr(&reply);
        assert!(Pin::new(&mut reply).poll(&mut cx).is_pending());
        to.send("one".into());
        assert_eq!(
            Pin::new(&mut reply).poll(&mut cx),
            Poll::Ready(Ok("one".into()))
        );
        drop(reply);

        let (other_to, other) = reply_pair::<u64>();
        assert_ne!(
            slot_ptr(&other).cast::<()>(),
            first.cast::<()>(),
            "types never share"
        );
        let (to, mut reply) = reply_pair::<String>();
        assert_eq!(slot_ptr(&reply), first, "the slot came back");
        assert!(to.is_waiting());
        assert!(
            Pin::new(&mut reply).poll(&mut cx).is_pending(),
            "reset to waiting"
        );
        drop(reply);
        assert!(
            pool::take::<String>().is_none(),
            "the answerer still holds it"
        );
        to.send("lost".into());
        drop((other_to, other));
    }

    /// The answer and the asker's drop race on two threads, round after
    /// round, so slots go back to the pool and come out again: every value
    /// is dropped once and no slot is reused while the answerer holds it.
    /// (Also under miri: `cargo +nightly miri test -p actor-core --lib reply::tests`.)
    #[test]
    fn a_reply_dropped_while_send_runs_recycles_its_slot_safely() {
        for round in 0..12u32 {
            let (to, reply) = reply_pair::<Box<u32>>();
            let answerer = std::thread::spawn(move || to.send(Box::new(round)));
            if round % 3 == 0 {
                std::thread::yield_now();
            }
            drop(reply);
            answerer.join().unwrap();
        }
        let (to, reply) = reply_pair::<Box<u32>>();
        to.send(Box::new(99));
        let waker = Waker::noop();
        let mut reply = std::pin::pin!(reply);
        let got = reply.as_mut().poll(&mut Context::from_waker(waker));
        assert!(matches!(got, Poll::Ready(Ok(b)) if *b == 99));
    }

    /// Slots pooled by a thread are freed when it exits (miri reports a
    /// leak otherwise).
    #[test]
    fn the_reply_pool_is_freed_at_thread_exit() {
        std::thread::spawn(|| {
            for _ in 0..3 {
                let (to, reply) = reply_pair::<String>();
                to.send(String::from("pooled"));
                drop(reply);
            }
            let (_to, _reply) = reply_pair::<u8>();
        })
        .join()
        .unwrap();
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::sync::atomic::AtomicBool;
    use std::task::Wake;

    /// A waker that raises a flag.
    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::Release);
        }
    }

    /// The answerer on another thread races the asker's first poll (its
    /// waker registration): either that poll gets the value, or the waker
    /// is woken and the next poll gets it.
    #[test]
    fn reply_slot_answer_races_the_asker() {
        loom::model(|| {
            let (to, mut reply) = reply_pair::<u32>();
            let answerer = loom::thread::spawn(move || to.send(7));
            let flag = Arc::new(Flag(AtomicBool::new(false)));
            let waker = Waker::from(flag.clone());
            let mut cx = Context::from_waker(&waker);
            let first = Pin::new(&mut reply).poll(&mut cx);
            answerer.join().unwrap();
            match first {
                Poll::Ready(r) => assert_eq!(r, Ok(7)),
                Poll::Pending => {
                    assert!(flag.0.load(Ordering::Acquire), "the asker was not woken");
                    assert_eq!(Pin::new(&mut reply).poll(&mut cx), Poll::Ready(Ok(7)));
                }
            }
        });
    }

    /// A second registration with a new waker races the answer: whichever
    /// waker is current when the answer lands is woken, or the poll that
    /// replaced it sees the answer itself.
    #[test]
    fn reply_slot_waker_swap_races_the_answer() {
        loom::model(|| {
            let (to, mut reply) = reply_pair::<u32>();
            let a = Arc::new(Flag(AtomicBool::new(false)));
            let b = Arc::new(Flag(AtomicBool::new(false)));
            let (wa, wb) = (Waker::from(a.clone()), Waker::from(b.clone()));
            assert!(
                Pin::new(&mut reply)
                    .poll(&mut Context::from_waker(&wa))
                    .is_pending()
            );
            let answerer = loom::thread::spawn(move || to.send(7));
            let second = Pin::new(&mut reply).poll(&mut Context::from_waker(&wb));
            answerer.join().unwrap();
            if second.is_pending() {
                assert!(
                    b.0.load(Ordering::Acquire),
                    "the current waker was not woken"
                );
                let done = Pin::new(&mut reply).poll(&mut Context::from_waker(&wb));
                assert_eq!(done, Poll::Ready(Ok(7)));
            } else {
                assert_eq!(second, Poll::Ready(Ok(7)));
            }
        });
    }
}
