//! Tasks: a `Send + Sync` header that wakers point at, and the `!Send` future
//! that stays in its shard's slab.
//!
//! Scheduling handshake: a waker swaps `scheduled` to `true` and enqueues the
//! header only if it was `false`; the executor swaps it back to `false`
//! *before* polling. Both are read-modify-writes on one atomic, so a wake that
//! races with a poll is either seen by that poll or enqueues the task again.
//!
//! A header heads a [`TaskCell`], which may carry a payload in the same
//! allocation: an actor's cell is a `TaskCell<CellState<A>>`, so spawning an
//! actor allocates its cell and its task header at once. Queues, slabs and
//! wakers hold a [`TaskRef`]: a thin pointer to the header that counts
//! references on the cell's `Arc` through a vtable made for its payload type.

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};
use crate::shard::hooks::OnPanic;
use crate::shard::local::ShardLocal;
use crate::shard::registry::Resident;
use crate::shard::shared::ShardShared;

/// The key of a task not yet placed in its shard's slab.
pub(crate) const UNPLACED: u32 = u32::MAX;

/// What a task cell may carry: anything shareable.
pub(crate) trait TaskPayload: Send + Sync + 'static {}

impl<T: Send + Sync + 'static> TaskPayload for T {}

/// The operations that depend on the payload type, on the thin pointer to a
/// `TaskCell<T>` (which is also a pointer to its header).
struct TaskVtable {
    waker: RawWakerVTable,
    /// Takes one count of the cell's `Arc`.
    increment: unsafe fn(*const ()),
    /// Releases one count; the last frees the cell.
    decrement: unsafe fn(*const ()),
    strong_count: unsafe fn(*const ()) -> usize,
    /// The cell's panic hook, if its type has one (an actor's cell: see
    /// [`OnPanic`]). In the vtable rather than beside the task's future, so
    /// the shard's slab slot stays small.
    on_panic: Option<unsafe fn(*const (), &ShardLocal, String)>,
    /// The cell as a shard resident, if its type is one (an actor's cell):
    /// so a registry slot is a thin task reference, not a fat `Arc`.
    resident: Option<fn(*const ()) -> *const dyn Resident>,
}

/// What every task reference reaches: enough to find and schedule the task
/// from any thread.
pub(crate) struct TaskHeader {
    pub(crate) shard: Arc<ShardShared>,
    /// Its slot in the shard's slab (32 bits: the header is in every
    /// actor's cell, and no shard holds four billion tasks).
    key: AtomicU32,
    scheduled: AtomicBool,
    /// May linger when idle (actor tasks: see `shard::linger`). Set once,
    /// before the task is published.
    lingers: AtomicBool,
    /// The last wake-up came from another thread. Written and read on the
    /// owning shard only.
    woken_remotely: AtomicBool,
    vtable: &'static TaskVtable,
    /// The cell's own `Arc` pointer, with the whole allocation's
    /// provenance: `schedule(&self)` takes a count through it (a pointer
    /// made from `&self` may not reach the reference counts).
    this: AtomicPtr<()>,
}

/// A header and its payload in one `Arc` allocation. `repr(C)` puts the
/// header first, so a pointer to the cell is a pointer to its header.
#[repr(C)]
pub(crate) struct TaskCell<T> {
    header: TaskHeader,
    payload: T,
}

impl<T> Deref for TaskCell<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.payload
    }
}

impl std::fmt::Debug for TaskHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskHeader")
            .field("shard", &self.shard.index)
            .field("key", &self.key())
            .finish()
    }
}

impl TaskHeader {
    /// Marks the task runnable; enqueues it if it was not already.
    pub(crate) fn schedule(&self) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            let this = self.this.load(Ordering::Relaxed).cast_const();
            // SAFETY: `this` is `Arc::as_ptr` of the cell this header heads
            // (see `TaskCell::new`), live while `self` is borrowed; the count
            // taken here is owned by the queued reference.
            let task = unsafe {
                (self.vtable.increment)(this);
                TaskRef::from_raw(this)
            };
            crate::shard::local::enqueue(task);
        }
    }

    /// Marks the task runnable after a push into its mailbox. The plain load
    /// first skips the read-modify-write when the task is already queued;
    /// that is sound here because the push and the actor's pop take the same
    /// mailbox lock: a poll whose `begin_poll` the load could miss has
    /// popped under the lock after our push, and so sees the message. A push
    /// that skips the lock comes from the actor's own shard thread, between
    /// its polls: there the flag it reads is the current one.
    #[inline]
    pub(crate) fn schedule_after_push(&self) {
        if !self.scheduled.load(Ordering::Acquire) {
            self.schedule();
        }
    }

    /// The slab key; only meaningful on the owning shard.
    pub(crate) fn key(&self) -> usize {
        self.key.load(Ordering::Relaxed) as usize
    }

    pub(crate) fn set_key(&self, key: usize) {
        let key = u32::try_from(key).expect("a shard's task slab outgrew u32 keys");
        self.key.store(key, Ordering::Relaxed);
    }

    /// Executor side: called right before each poll.
    pub(crate) fn begin_poll(&self) {
        self.scheduled.swap(false, Ordering::AcqRel);
    }

    /// Executor side, after a poll returned `Pending`: marks the task
    /// scheduled so wakers leave it alone while the shard keeps polling it
    /// itself. `false` when a wake-up already scheduled (and queued) it.
    pub(crate) fn claim_for_linger(&self) -> bool {
        !self.scheduled.swap(true, Ordering::AcqRel)
    }

    /// Lets this task linger when idle; call before it is first scheduled.
    pub(crate) fn allow_linger(&self) {
        self.lingers.store(true, Ordering::Relaxed);
    }

    pub(crate) fn lingers(&self) -> bool {
        self.lingers.load(Ordering::Relaxed)
    }

    /// Owning shard: the task was handed over by another thread.
    pub(crate) fn note_remote_wake(&self) {
        self.woken_remotely.store(true, Ordering::Relaxed);
    }

    /// Owning shard: whether the last wake-up came from another thread,
    /// clearing the mark.
    pub(crate) fn take_remote_wake(&self) -> bool {
        let woken = self.woken_remotely.load(Ordering::Relaxed);
        if woken {
            self.woken_remotely.store(false, Ordering::Relaxed);
        }
        woken
    }
}

impl<T: TaskPayload> TaskCell<T>
where
    TaskCell<T>: OnPanic + Resident,
{
    /// A cell carrying `payload` behind a fresh header, whose task tells
    /// the cell's [`OnPanic`] hook when a poll panics.
    pub(crate) fn new_hooked(shard: Arc<ShardShared>, payload: T) -> Arc<Self> {
        Self::with_vtable(shard, payload, hooked_vtable::<T>())
    }
}

impl<T: TaskPayload> TaskCell<T> {
    /// A cell carrying `payload` behind a fresh header.
    pub(crate) fn new(shard: Arc<ShardShared>, payload: T) -> Arc<Self> {
        Self::with_vtable(shard, payload, vtable::<T>())
    }

    fn with_vtable(shard: Arc<ShardShared>, payload: T, vtable: &'static TaskVtable) -> Arc<Self> {
        let cell = Arc::new(TaskCell {
            header: TaskHeader {
                shard,
                key: AtomicU32::new(UNPLACED),
                scheduled: AtomicBool::new(false),
                lingers: AtomicBool::new(false),
                woken_remotely: AtomicBool::new(false),
                vtable,
                this: AtomicPtr::new(std::ptr::null_mut()),
            },
            payload,
        });
        let this = Arc::as_ptr(&cell).cast_mut().cast::<()>();
        // Published to other threads with the `Arc` itself.
        cell.header.this.store(this, Ordering::Relaxed);
        cell
    }

    /// A counted task reference to this cell.
    pub(crate) fn task_ref(self: &Arc<Self>) -> TaskRef {
        let this = Arc::as_ptr(self).cast::<()>();
        // SAFETY: a live `Arc<TaskCell<T>>` pointer, whose vtable is `T`'s;
        // the count taken here is owned by the reference.
        unsafe {
            Arc::increment_strong_count(this.cast::<TaskCell<T>>());
            TaskRef::from_raw(this)
        }
    }

    pub(crate) fn header(&self) -> &TaskHeader {
        &self.header
    }

    /// Marks the task runnable; see [`TaskHeader::schedule`].
    pub(crate) fn schedule(&self) {
        self.header.schedule();
    }

    /// See [`TaskHeader::schedule_after_push`].
    #[inline]
    pub(crate) fn schedule_after_push(&self) {
        self.header.schedule_after_push();
    }
}

/// A counted reference to a task: a thin pointer to its header.
pub(crate) struct TaskRef(NonNull<TaskHeader>);

// SAFETY: it points at a `TaskCell<T>` with `T: Send + Sync`, and its header
// is `Send + Sync`; the counts it holds are atomic.
unsafe impl Send for TaskRef {}
// SAFETY: as above.
unsafe impl Sync for TaskRef {}

impl TaskRef {
    /// A task with no payload, for a plain future.
    pub(crate) fn new(shard: Arc<ShardShared>) -> TaskRef {
        TaskCell::new(shard, ()).task_ref()
    }

    /// # Safety
    /// `p` points at a live `TaskCell<T>` inside an `Arc`, with the
    /// allocation's provenance, and carries one count for this reference.
    unsafe fn from_raw(p: *const ()) -> TaskRef {
        // SAFETY: per the contract, non-null.
        TaskRef(unsafe { NonNull::new_unchecked(p.cast_mut().cast()) })
    }

    fn as_raw(&self) -> *const () {
        self.0.as_ptr().cast_const().cast()
    }

    /// How many references the task's cell has (its `Arc`'s strong count).
    pub(crate) fn strong_count(&self) -> usize {
        // SAFETY: our pointer and its own vtable.
        unsafe { (self.vtable.strong_count)(self.as_raw()) }
    }

    /// The task's cell as a shard resident, if its type is one.
    pub(crate) fn resident(&self) -> Option<&dyn Resident> {
        let resident = self.vtable.resident?;
        // SAFETY: `as_raw` is the address of the live cell this counted
        // reference keeps alive while `self` is borrowed, and the vtable's
        // cast was made for the cell's own type.
        Some(unsafe { &*resident(self.as_raw()) })
    }

    /// A counted `Arc` of [`resident`](Self::resident).
    pub(crate) fn resident_arc(&self) -> Option<Arc<dyn Resident>> {
        let resident = self.vtable.resident?;
        // SAFETY: `Arc::as_ptr` of a live `Arc<TaskCell<T>>`, unsized to the
        // trait object (`from_raw` accepts that); the new `Arc` owns the count.
        unsafe {
            (self.vtable.increment)(self.as_raw());
            Some(Arc::from_raw(resident(self.as_raw())))
        }
    }

    /// Tells the cell's panic hook about a panic in the task's poll; the
    /// text back when the cell's type has no hook.
    pub(crate) fn on_panic(&self, local: &ShardLocal, text: String) -> Result<(), String> {
        let Some(hook) = self.vtable.on_panic else {
            return Err(text);
        };
        // SAFETY: our pointer (a counted reference, so the cell is live)
        // and its own vtable.
        unsafe { hook(self.as_raw(), local, text) };
        Ok(())
    }
}

impl Deref for TaskRef {
    type Target = TaskHeader;

    fn deref(&self) -> &TaskHeader {
        // SAFETY: the count we hold keeps the cell, and its header, alive.
        unsafe { self.0.as_ref() }
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> TaskRef {
        // SAFETY: our pointer and its own vtable; the new count is the
        // clone's.
        unsafe {
            (self.vtable.increment)(self.as_raw());
            TaskRef::from_raw(self.as_raw())
        }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        // SAFETY: releases the count this reference owns.
        unsafe { (self.vtable.decrement)(self.as_raw()) }
    }
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &TaskRef) -> bool {
        self.0 == other.0
    }
}

impl Eq for TaskRef {}

impl std::fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// Runs `f` with a waker for `task` that borrows the caller's reference
/// instead of owning a count: a poll costs no reference-count traffic. A
/// clone of it is an ordinary owning waker.
pub(crate) fn with_borrowed_waker<R>(task: &TaskRef, f: impl FnOnce(&Waker) -> R) -> R {
    // The data pointer is the cell's, and the vtable was made for its
    // payload type. `ManuallyDrop` keeps this borrowed waker from releasing
    // a count it does not own, and `task` outlives it: it is only lent to
    // `f`.
    let raw = RawWaker::new(task.as_raw(), &task.vtable.waker);
    // SAFETY: see above: a valid cell pointer with a matching vtable.
    let waker = unsafe { Waker::from_raw(raw) };
    let waker = std::mem::ManuallyDrop::new(waker);
    f(&waker)
}

/// The operations of cells carrying a `T`, with no panic hook and not a
/// resident.
const fn plain_vtable<T: TaskPayload>() -> TaskVtable {
    TaskVtable {
        waker: RawWakerVTable::new(
            clone_raw::<T>,
            wake_raw::<T>,
            wake_by_ref_raw::<T>,
            decrement::<T>,
        ),
        increment: increment::<T>,
        decrement: decrement::<T>,
        strong_count: strong_count::<T>,
        on_panic: None,
        resident: None,
    }
}

/// The vtable for cells carrying a `T`.
fn vtable<T: TaskPayload>() -> &'static TaskVtable {
    const { &plain_vtable::<T>() }
}

/// [`vtable`], with the cell's panic hook, and the cell as a resident.
fn hooked_vtable<T: TaskPayload>() -> &'static TaskVtable
where
    TaskCell<T>: OnPanic + Resident,
{
    const {
        &TaskVtable {
            on_panic: Some(on_panic_raw::<T>),
            resident: Some(as_resident::<T>),
            ..plain_vtable::<T>()
        }
    }
}

/// The cell at `p` (a `TaskCell<T>`) as a resident: a pointer cast, no
/// access.
fn as_resident<T: TaskPayload>(p: *const ()) -> *const dyn Resident
where
    TaskCell<T>: Resident,
{
    p.cast::<TaskCell<T>>() as *const dyn Resident
}

/// # Safety
/// As [`increment`].
unsafe fn on_panic_raw<T: TaskPayload>(p: *const (), local: &ShardLocal, text: String)
where
    TaskCell<T>: OnPanic,
{
    // SAFETY: per the contract, `p` points to a live `TaskCell<T>`.
    let cell = unsafe { &*p.cast::<TaskCell<T>>() };
    cell.on_panic(local, text);
}

/// # Safety
/// `p` is the address of a live `Arc<TaskCell<T>>` (from `as_ptr`), with the
/// allocation's provenance, for this very `T`.
unsafe fn increment<T: TaskPayload>(p: *const ()) {
    // SAFETY: per the contract.
    unsafe { Arc::increment_strong_count(p.cast::<TaskCell<T>>()) };
}

/// # Safety
/// As [`increment`], and the caller owns the count released here.
unsafe fn decrement<T: TaskPayload>(p: *const ()) {
    // SAFETY: per the contract.
    unsafe { Arc::decrement_strong_count(p.cast::<TaskCell<T>>()) };
}

/// # Safety
/// As [`increment`].
unsafe fn strong_count<T: TaskPayload>(p: *const ()) -> usize {
    // SAFETY: per the contract, a live `Arc`; the count is only borrowed.
    let arc = std::mem::ManuallyDrop::new(unsafe { Arc::from_raw(p.cast::<TaskCell<T>>()) });
    Arc::strong_count(&arc)
}

/// # Safety
/// As [`increment`].
unsafe fn clone_raw<T: TaskPayload>(p: *const ()) -> RawWaker {
    // SAFETY: per the contract; the new waker owns the count taken here.
    unsafe { increment::<T>(p) };
    RawWaker::new(p, &vtable::<T>().waker)
}

/// # Safety
/// As [`increment`], and the waker owns one count.
unsafe fn wake_raw<T: TaskPayload>(p: *const ()) {
    // SAFETY: this waker's count moves into the reference: queued, or
    // released when it drops.
    let task = unsafe { TaskRef::from_raw(p) };
    if !task.scheduled.swap(true, Ordering::AcqRel) {
        crate::shard::local::enqueue(task);
    }
}

/// # Safety
/// As [`increment`].
unsafe fn wake_by_ref_raw<T: TaskPayload>(p: *const ()) {
    // SAFETY: per the contract, a live header; `schedule` takes its own count.
    unsafe { &*p.cast::<TaskHeader>() }.schedule();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::shard::shared::ShardShared;

    /// Every path of the borrowed waker's vtable keeps the count exact.
    /// (Also run under miri: `cargo +nightly miri test -p actor-core --lib borrowed_waker`.)
    #[test]
    fn borrowed_waker_keeps_reference_counts_exact() {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let header = TaskRef::new(shard.clone());
        // Queue it once: the shard's inbox now holds one count.
        header.schedule();
        assert_eq!(header.strong_count(), 2);
        let owned = with_borrowed_waker(&header, |w| {
            assert_eq!(header.strong_count(), 2, "borrowing takes no count");
            w.wake_by_ref(); // already queued: no new count
            let a = w.clone();
            let b = a.clone();
            assert_eq!(header.strong_count(), 4);
            drop(a);
            b
        });
        assert_eq!(header.strong_count(), 3);
        owned.wake(); // already queued; releases its count
        assert_eq!(header.strong_count(), 2);
        let mut inbox = std::collections::VecDeque::new();
        shard.drain_inbox(&mut inbox);
        assert_eq!(inbox.len(), 1);
        drop(inbox);
        assert_eq!(header.strong_count(), 1);
    }

    /// A header with a payload: the typed `schedule` and an owned waker's
    /// `wake` hand exactly one count to the queue, and the erased `Arc`
    /// still reaches the payload. (Also under miri, with the test above.)
    #[test]
    fn borrowed_waker_of_a_payload_header_keeps_counts_exact() {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let typed = TaskCell::new(shard.clone(), String::from("cell"));
        let erased: TaskRef = typed.task_ref();
        assert_eq!(Arc::strong_count(&typed), 2);
        let owned = with_borrowed_waker(&erased, Waker::clone);
        assert_eq!(Arc::strong_count(&typed), 3);
        owned.wake(); // not queued yet: its count moves into the inbox
        assert_eq!(Arc::strong_count(&typed), 3);
        typed.schedule(); // already queued: no new count
        assert_eq!(Arc::strong_count(&typed), 3);
        erased.begin_poll();
        typed.schedule_after_push(); // queued again: one more count
        assert_eq!(Arc::strong_count(&typed), 4);
        let mut inbox = std::collections::VecDeque::new();
        shard.drain_inbox(&mut inbox);
        assert_eq!(inbox.len(), 2);
        drop(inbox);
        assert_eq!(Arc::strong_count(&typed), 2);
        assert_eq!(typed.as_str(), "cell");
    }

    /// A task reference scheduled and dropped on another thread while the
    /// owner drops its own: counts stay exact and the cell is freed once.
    /// (Also under miri, with the tests above.)
    #[test]
    fn borrowed_waker_refs_scheduled_and_dropped_on_a_foreign_thread() {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        for round in 0..8 {
            let typed = TaskCell::new(shard.clone(), vec![round; 4]);
            let foreign = typed.task_ref();
            let waker = with_borrowed_waker(&foreign, Waker::clone);
            let t = std::thread::spawn(move || {
                foreign.schedule();
                waker.wake();
                drop(foreign);
            });
            if round % 2 == 0 {
                typed.header().begin_poll();
            }
            drop(typed);
            t.join().unwrap();
            let mut inbox = std::collections::VecDeque::new();
            shard.drain_inbox(&mut inbox);
            assert!(inbox.len() <= 2);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use crate::loom::sync::{Arc, Mutex};
    use crate::loom::thread;

    /// The mailbox push/schedule handshake, modelled with the same orderings
    /// as `TaskHeader::schedule_after_push`/`begin_poll` and the mailbox's
    /// lock: after both sides finish, every pushed message was either handled
    /// or the task is scheduled to run again.
    #[test]
    fn push_schedule_handshake_loses_no_message() {
        loom::model(|| {
            let queue = Arc::new(Mutex::new(Vec::<u32>::new()));
            let scheduled = Arc::new(AtomicBool::new(true)); // already queued once
            let enqueued = Arc::new(AtomicUsize::new(0));
            let producer = {
                let (queue, scheduled, enqueued) =
                    (queue.clone(), scheduled.clone(), enqueued.clone());
                thread::spawn(move || {
                    queue.lock().push(1);
                    if !scheduled.load(Ordering::Acquire) && !scheduled.swap(true, Ordering::AcqRel)
                    {
                        enqueued.fetch_add(1, Ordering::Relaxed);
                    }
                })
            };
            // One poll of the actor task.
            scheduled.swap(false, Ordering::AcqRel);
            let handled = queue.lock().drain(..).count();
            producer.join().unwrap();
            if handled == 0 {
                assert_eq!(enqueued.load(Ordering::Relaxed), 1, "message stranded");
            }
        });
    }
}
