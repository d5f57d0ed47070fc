//! [`ActorHooks`]: the lifecycle hooks of an actor built with `#[actor]`.

use crate::actor::context::Context;
use crate::actor::{Actor, BoxError, ExitReason, Notice};

/// Lifecycle hooks for an actor built with `#[actor]` and `#[messages]`.
///
/// `#[actor]` implements it with the defaults of [`Actor`]. Write
/// `#[actor(hooks)]` to implement it yourself, overriding only the hooks you
/// need:
///
/// ```
/// use actor_core::prelude::*;
///
/// #[actor(hooks)]
/// struct Greeter {
///     greeting: String,
/// }
///
/// impl ActorHooks for Greeter {
///     async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         self.greeting = "hello".into();
///         Ok(())
///     }
/// }
///
/// #[messages]
/// impl Greeter {
///     #[message]
///     fn greet(&self, name: String) -> String {
///         format!("{}, {name}", self.greeting)
///     }
/// }
///
/// let rt = Runtime::builder().shards(1).build()?;
/// let greeter = rt.spawn(|| Greeter { greeting: String::new() })?;
/// assert_eq!(greeter.greet_blocking("pinion".into())?, "hello, pinion");
/// rt.shutdown()?;
/// # Ok::<(), actor_core::Error>(())
/// ```
#[allow(async_fn_in_trait)] // actor futures are shard-local and never need `Send`
#[diagnostic::on_unimplemented(
    message = "`{Self}` asks for hand-written hooks but has no `impl ActorHooks for {Self}`",
    label = "`#[actor(hooks)]` needs `impl ActorHooks for {Self}`",
    note = "write `impl ActorHooks for {Self} {{}}` and override the hooks you need, or drop `hooks`"
)]
pub trait ActorHooks: Sized + 'static {
    /// See [`Actor::on_start`].
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError>
    where
        Self: Actor,
    {
        let _ = ctx;
        Ok(())
    }

    /// See [`Actor::on_notice`]; the default is the same: follow a linked
    /// actor that exits abnormally.
    async fn on_notice(&mut self, notice: Notice, ctx: &mut Context<Self>)
    where
        Self: Actor,
    {
        crate::actor::follow_linked_exit(&notice, ctx);
    }

    /// See [`Actor::on_stop`].
    async fn on_stop(&mut self, reason: &ExitReason, ctx: &mut Context<Self>)
    where
        Self: Actor,
    {
        let _ = (reason, ctx);
    }
}
