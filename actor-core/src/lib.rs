//! # Pinion
//!
//! A shared-nothing, thread-per-core actor runtime for **Linux** (the only
//! supported target: the reactor is io_uring or epoll, and detection reads
//! sysfs and procfs; the crate does not build elsewhere).
//!
//! - A [`Runtime`] runs one **shard** per core: a pinned OS thread with its own
//!   executor, reactor (io_uring, or epoll where io_uring is refused) and
//!   timer wheel.
//! - An [`Actor`] lives on one shard for its whole life. Its state never
//!   crosses threads, so it need not be `Send`. It has a typed, bounded
//!   mailbox and handles one message at a time.
//! - An [`ActorRef`] is `Send + Sync + Clone` and messages the actor from its
//!   own shard, another shard or any plain thread: `tell` (waits for room),
//!   `try_tell` (never waits, hands the message back), `ask` (awaits a reply),
//!   and blocking variants for plain threads.
//! - A panic in a handler fails that actor only; links and monitors deliver
//!   lifecycle notices; undeliverable messages go to [`DeadLetters`].
//!
//! ```
//! use actor_core::prelude::*;
//!
//! struct Greeter;
//!
//! enum Greet {
//!     Hello(String, ReplyTo<String>),
//! }
//!
//! impl Actor for Greeter {
//!     type Msg = Greet;
//!
//!     async fn handle(&mut self, msg: Greet, _ctx: &mut Context<Self>) {
//!         let Greet::Hello(name, reply) = msg;
//!         reply.send(format!("hello, {name}"));
//!     }
//! }
//!
//! let rt = Runtime::builder().shards(2).build()?;
//! let greeter = rt.spawn_on(1, || Greeter)?;
//! let text = greeter.ask_blocking(|r| Greet::Hello("pinion".into(), r))?;
//! assert_eq!(text, "hello, pinion");
//! rt.shutdown()?;
//! # Ok::<(), actor_core::Error>(())
//! ```
//!
//! The semantics (ordering, lanes, stop and kill, failure) are written down in
//! the [`semantics`] module; the crate's layers, and where each concept
//! lives, in `ARCHITECTURE.md` at the repository root.

#[cfg(not(target_os = "linux"))]
compile_error!(
    "Pinion supports Linux only: its reactor is io_uring or epoll and its detection reads sysfs"
);

mod actor;
mod blocking;
mod channel;
#[cfg(all(test, loom))]
#[path = "channel/loom_tests.rs"]
mod channel_loom_tests;
#[cfg(all(test, not(loom)))]
#[path = "channel/tests.rs"]
mod channel_tests;
pub mod config;
mod dead_letters;
mod error;
#[cfg(feature = "unstable")]
pub mod io_driver;
// Without `unstable` the seam is still built (and its unit tests run), but
// nothing outside the crate can name it.
#[cfg(not(feature = "unstable"))]
#[allow(dead_code, unreachable_pub, unused_imports)]
mod io_driver;
mod lifecycle;
mod loom;
mod mailbox;
mod metrics;
mod oneshot;
pub mod partition;
#[cfg(all(test, loom))]
mod protocol_loom_tests;
mod reactor;
mod reply;
mod runtime;
pub mod semantics;
mod shard;
pub mod supervision;
pub mod time;
#[cfg(feature = "tokio")]
mod tokio_bridge;
mod util;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use actor::actor_ref::{ActorRef, Tell, WaitError, WaitStopped};
pub use actor::context::{Context, TimerHandle};
pub use actor::hooks::ActorHooks;
pub use actor::message::{Accepts, Envelope, Handler, Message, MessageRef};
pub use actor::run::yield_now;
pub use actor::{Actor, ActorId, BoxError, ExitReason, LifecycleEvent, Notice, NoticeVia};
pub use blocking::{BlockingError, BlockingHandle};
pub use dead_letters::{DeadLetter, DeadLetterReason, DeadLetters};
pub use error::{Error, StartError};
pub use mailbox::SendError;
pub use metrics::{CounterKey, Metrics, NamedCounter, ShardMetrics};
pub use oneshot::oneshot;
pub use reactor::DriverKind;
pub use reply::{AskError, Reply, ReplyTo};
pub use runtime::shutdown::{ShutdownError, Straggler};
pub use runtime::spawn::SpawnError;
pub use runtime::{Handle, Runtime, SpawnOptions, SystemSample};
#[cfg(feature = "tokio")]
pub use tokio_bridge::{TokioError, TokioTask};

pub use actor_macros::{actor, message, messages};

/// The names most programs need.
pub mod prelude {
    pub use crate::{
        Actor, ActorId, ActorRef, AskError, Context, ExitReason, Handle, Notice, Reply, ReplyTo,
        Runtime, SendError, SpawnOptions, TimerHandle, WaitError,
    };
    pub use crate::{ActorHooks, BoxError, Handler, Message, MessageRef, actor, message, messages};
}

#[cfg(test)]
mod assertions {
    //! Compile-time checks of which types cross threads.
    use super::*;

    fn send_sync<T: Send + Sync>() {}

    struct Probe;
    impl Actor for Probe {
        type Msg = ();
        async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
    }

    #[test]
    fn handles_are_send_and_sync() {
        send_sync::<ActorRef<Probe>>();
        send_sync::<Handle>();
        send_sync::<ReplyTo<u32>>();
        send_sync::<Reply<u32>>();
        send_sync::<DeadLetters>();
        send_sync::<Runtime>();
    }

    /// `Context` and `TimerHandle` are shard-local: they must not be `Send`.
    #[allow(dead_code)]
    const _: () = {
        // If `Context<Probe>: Send`, this ambiguity check fails to compile.
        trait AmbiguousIfSend<A> {
            fn some_item() {}
        }
        impl<T: ?Sized> AmbiguousIfSend<()> for T {}
        impl<T: ?Sized + Send> AmbiguousIfSend<u8> for T {}
        fn context_is_not_send() {
            <Context<Probe> as AmbiguousIfSend<_>>::some_item();
        }
        fn timer_is_not_send() {
            <TimerHandle as AmbiguousIfSend<_>>::some_item();
        }
    };
}
