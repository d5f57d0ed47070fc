//! A few idle reply slots per thread, by type.

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
