//! # Pinion supervision trees
//!
//! OTP's supervisors, with Akka's backoff, for the Pinion actor runtime.
//!
//! ## Semantics
//!
//! 1. **A supervisor is an actor.** It is built from a [`Builder`] of
//!    [`ChildSpec`]s. Each spec has an `id`; a factory (a `Send + Sync`
//!    closure that builds the actor on its shard, again at each restart); a
//!    [`Restart`] type; a [`Shutdown`]; a [`ChildKind`] (worker or
//!    supervisor); the shard to place it on (default: the supervisor's);
//!    and its mailbox capacity. [`Builder::child`] takes a [`Restart`], or
//!    [`ChildOptions`] to set the shutdown, shard and capacity as well.
//!    Children of any actor types live under one supervisor;
//!    [`SupervisorRef::child`] finds one by id and type.
//! 2. **Restart types.** `Permanent` children are always restarted.
//!    `Transient` ones only after an abnormal exit: `Normal` and `Shutdown`
//!    are final. `Temporary` ones never, not even when a sibling's failure
//!    restarts the others; they are removed when they exit. A child that is
//!    not restarted is closed (its mailbox too): permanent and transient
//!    specs stay listed as terminated, temporary ones are removed.
//! 3. **Strategies** ([`Strategy`]). `OneForOne` restarts the failed child.
//!    `AllForOne` stops all other children in reverse start order, then
//!    restarts them all in start order. `RestForOne` does the same for the
//!    children started after the failed one. Temporary siblings stopped this
//!    way are removed, not restarted.
//! 4. **Restart intensity** ([`Intensity`]). One window per supervisor,
//!    sliding over all its children's restarts; default 1 restart in 5 s, as
//!    in OTP ([`Builder::intensity`]). A group restart counts once. One
//!    restart too many and the supervisor stops all its children in reverse
//!    start order, publishes [`EventKind::Escalated`], and fails with
//!    [`ExitReason::Error`](actor_core::ExitReason::Error) (abnormal), so its
//!    own supervisor applies its strategy: escalation.
//! 5. **Backoff** ([`Backoff`], optional). The n-th restart waits
//!    `min(max, min·2ⁿ)·(1 + u·random_factor)`, `u` uniform in `[0, 1)`;
//!    after a child ran `reset_after` the count starts again. A child waiting
//!    out its backoff keeps its mailbox: messages queue for the next
//!    incarnation. A backoff restart still counts toward the intensity when
//!    the failure happens. Under backoff, `max_restarts` also bounds each
//!    child's run of restarts since its last backoff reset, as Akka's
//!    `maxNrOfRetries` does: a child restarted `max_restarts` times in a
//!    row, without ever running `reset_after`, that fails once more makes
//!    the supervisor escalate as in rule 4, however far apart the backoff
//!    spaced those restarts. So a restart storm ends even when the delays
//!    outgrow the intensity window. A restart that fails to start never
//!    ran, so it never resets the count.
//! 6. **Restart identity.** A restart re-runs the factory on the same shard,
//!    with the same mailbox and the same `ActorRef`; handles held anywhere stay
//!    valid. The message being handled when a handler panicked goes to dead
//!    letters; nothing else is lost.
//! 7. **Start order.** Children start in spec order, each after the previous
//!    one has finished `on_start`. A child whose start fails fails the start
//!    of the tree ([`StartError::ChildFailed`] names it); the children already
//!    started are stopped in reverse order. A restart that fails to start
//!    counts as another failure of that child.
//! 8. **Shutdown order.** Children stop in reverse start order, each within
//!    its [`Shutdown`]: `Timeout(d)` asks it to stop (`ExitReason::Shutdown`)
//!    and kills it after `d`; `Brutal` kills at once; `Infinity` waits (the
//!    default for child supervisors, which bound their own children). A
//!    supervisor that is killed or panics takes its children down with it.
//! 9. **Dynamic children.** [`SupervisorRef::start_child`],
//!    [`terminate_child`](SupervisorRef::terminate_child),
//!    [`restart_child`](SupervisorRef::restart_child),
//!    [`delete_child`](SupervisorRef::delete_child),
//!    [`which_children`](SupervisorRef::which_children) and
//!    [`count_children`](SupervisorRef::count_children) are asks to the
//!    supervisor, callable from any shard or thread (with `_blocking`
//!    variants). A [`Pool`] is OTP's `simple_one_for_one`: identical workers
//!    started and stopped at run time.
//! 10. **Lifecycle events** ([`SupervisorEvent`]): child started, stopped,
//!     restarted, backing off, and supervisor escalated. Each is a `tracing`
//!     event, bumps a named counter in the runtime's metrics
//!     (`supervisor.restarts`, ...), and goes to every
//!     [`subscribe`](SupervisorRef::subscribe)r of that supervisor or of any
//!     supervisor above it.
//!
//! When the runtime shuts down, supervisors do not fight it: a restart that
//! finds its shard stopping ends the supervisor quietly.
//!
//! ## Example
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//! use actor_supervisor::{Restart, Strategy, Supervisor};
//!
//! struct Counter { total: u64 }
//!
//! enum CounterMsg { Add(u64), Total(ReplyTo<u64>), Crash }
//!
//! impl Actor for Counter {
//!     type Msg = CounterMsg;
//!     async fn handle(&mut self, msg: CounterMsg, _: &mut Context<Self>) {
//!         match msg {
//!             CounterMsg::Add(n) => self.total += n,
//!             CounterMsg::Total(r) => r.send(self.total),
//!             CounterMsg::Crash => panic!("on purpose"),
//!         }
//!     }
//! }
//!
//! let rt = Runtime::builder().shards(2).build()?;
//! let tree = rt.block_on(
//!     Supervisor::builder()
//!         .strategy(Strategy::OneForOne)
//!         .intensity(3, Duration::from_secs(5))
//!         .child("counter", Restart::Permanent, || Counter { total: 0 })
//!         .spawn(rt.handle()),
//! )?;
//! let counter: ActorRef<Counter> = tree.child("counter")?;
//! counter.tell_blocking(CounterMsg::Add(5))?;
//! assert_eq!(counter.ask_blocking(CounterMsg::Total)?, 5);
//!
//! counter.tell_blocking(CounterMsg::Crash)?;       // the supervisor restarts it:
//! counter.tell_blocking(CounterMsg::Add(2))?;      // same handle, fresh state
//! assert_eq!(counter.ask_blocking(CounterMsg::Total)?, 2);
//!
//! tree.shutdown_blocking(Duration::from_secs(5))?; // children stop in reverse order
//! rt.shutdown()?;
//! # Ok::<(), actor_core::Error>(())
//! ```

/// The workspace README's examples, compiled and run as doc tests here,
/// where the core, the supervisor and (as a dev-dependency) the networking
/// crate are in scope.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod backoff;
mod builder;
mod child;
mod dynamic;
mod error;
mod events;
mod intensity;
mod pool;
mod relay;
mod restart;
mod spec;
mod start;
mod strategy;
mod supervisor;
mod tree;

pub use backoff::{Backoff, BackoffState, SplitMix64};
pub use builder::Builder;
pub use dynamic::{ChildCounts, ChildInfo, ChildState};
pub use error::{ChildError, StartError};
pub use events::{EventKind, SupervisorEvent};
pub use intensity::{DEFAULT_MAX_RESTARTS, DEFAULT_WINDOW, Intensity};
pub use pool::{Pool, PoolBuilder};
pub use spec::{ChildKind, ChildOptions, ChildSpec, DEFAULT_WORKER_SHUTDOWN, Restart, Shutdown};
pub use strategy::Strategy;
pub use supervisor::{Supervisor, SupervisorMsg};
pub use tree::SupervisorRef;
