//! The loom seam: every concurrent piece of the crate imports its atomics,
//! locks and cells from here, so `RUSTFLAGS="--cfg loom"` swaps in loom's
//! model-checked versions.

// The seam re-exports the whole toolbox; not every build uses every item.
#![allow(unused_imports)]

#[cfg(loom)]
pub(crate) use loom::{cell, hint, thread};

#[cfg(loom)]
pub(crate) mod sync {
    pub(crate) use loom::sync::{Arc, MutexGuard, atomic};

    /// loom's mutex with parking_lot's panic-free `lock` signature.
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|poison| poison.into_inner())
        }
    }
}

#[cfg(not(loom))]
pub(crate) mod sync {
    pub(crate) use parking_lot::{Mutex, MutexGuard};
    #[allow(unused_imports)]
    pub(crate) use std::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
        };
    }
}

#[cfg(not(loom))]
#[allow(unused_imports)]
pub(crate) mod hint {
    pub(crate) use std::hint::spin_loop;
}

#[cfg(not(loom))]
#[allow(unused_imports)]
pub(crate) mod thread {
    pub(crate) use std::thread::{spawn, yield_now};
}

/// `UnsafeCell` with loom's closure-based access API, so the same code runs
/// under loom and in production.
#[cfg(not(loom))]
#[allow(dead_code)]
pub(crate) mod cell {
    /// A std `UnsafeCell` wearing loom's API.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}
