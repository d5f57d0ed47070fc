//! # Pinion's actor macros
//!
//! Use them through `actor_core` (`use actor_core::prelude::*;`), never from
//! this crate directly. Three attributes:
//!
//! - [`macro@actor`] on a struct or enum declares an actor: its name, mailbox
//!   capacity and lifecycle hooks.
//! - [`macro@messages`] on the actor's `impl` block turns each `#[message]`
//!   method into a variant of one message enum, writes `impl Actor` with the
//!   `handle` dispatch, and typed methods reached on `ActorRef<Actor>`.
//! - [`macro@message`] on a struct or enum declares an *open* message that
//!   several actors accept through a hand-written `impl Handler<M>`.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Counter {
//!     total: u64,
//! }
//!
//! #[messages]
//! impl Counter {
//!     /// Adds to the total.
//!     #[message]
//!     pub fn add(&mut self, by: u64) {
//!         self.total += by;
//!     }
//!
//!     /// The total so far.
//!     #[message]
//!     pub fn total(&self) -> u64 {
//!         self.total
//!     }
//! }
//!
//! let rt = Runtime::builder().shards(2).build()?;
//! let counter = rt.spawn_on(1, || Counter { total: 0 })?;
//! counter.add_blocking(5)?; // a tell, from a plain thread
//! assert_eq!(counter.total_blocking()?, 5); // an ask, from a plain thread
//! let total = rt.block_on(async {
//!     counter.add(1).await?; // a tell in async code: waits for room
//!     counter.try_add(1)?; // never waits: `Full` hands the message back
//!     Ok::<_, actor_core::Error>(counter.total().await?) // an ask
//! })?;
//! assert_eq!(total, 7);
//! rt.shutdown()?;
//! # Ok::<(), actor_core::Error>(())
//! ```
//!
//! ## What it expands to
//!
//! The example above is, written by hand (this compiles and runs too; the
//! macros write exactly this, with absolute paths and
//! `#[automatically_derived]`):
//!
//! ```
//! use actor_core::prelude::*;
//! use actor_core::{Reply, Tell, __private, __private::ActorDecl, __private::TypedMailbox};
//! use std::future::Future;
//! use std::time::Duration;
//!
//! struct Counter {
//!     total: u64,
//! }
//!
//! // From `#[actor]`: the name of the mailbox enum, the declaration
//! // `#[messages]` reads, and default hooks. (`#[messages]` reaches the
//! // declaration and the hooks only through `ActorDecl`, so that a missing
//! // `#[actor]` is a single error.)
//! type CounterMsg = <Counter as Actor>::Msg;
//! impl ActorDecl for Counter {
//!     const NAME: &'static str = "Counter";
//!     const MAILBOX: Option<usize> = None;
//! }
//! impl ActorHooks for Counter {}
//!
//! // From `#[messages]`: the block itself, `#[message]` removed...
//! impl Counter {
//!     pub fn add(&mut self, by: u64) {
//!         self.total += by;
//!     }
//!     pub fn total(&self) -> u64 {
//!         self.total
//!     }
//! }
//!
//! // ...and the rest inside an anonymous `const`, so that nothing else is
//! // added to the module (a second `#[messages]` block is then one error,
//! // the conflicting `impl Actor`):
//! const _: () = {
//!     // One enum: the mailbox, no `Box<dyn>` per message...
//!     pub enum CounterMsg {
//!         Add { by: u64, reply_to: Option<ReplyTo<()>> },
//!         Total { reply_to: ReplyTo<u64> },
//!     }
//!
//!     // ...`impl Actor`: name, capacity and hooks from `#[actor]`, and `handle`...
//!     impl Actor for Counter {
//!         type Msg = CounterMsg;
//!         fn name() -> &'static str { __private::name::<Self>() } // `ActorDecl::NAME`
//!         fn mailbox_capacity() -> Option<usize> { __private::mailbox::<Self>() }
//!         async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
//!             __private::on_start(self, ctx).await // `ActorHooks::on_start`
//!         }
//!         // (on_notice and on_stop delegate the same way)
//!         async fn handle(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
//!             match msg {
//!                 CounterMsg::Add { by, reply_to } => {
//!                     Self::add(self, by);
//!                     if let Some(reply_to) = reply_to {
//!                         reply_to.send(());
//!                     }
//!                 }
//!                 CounterMsg::Total { reply_to } => reply_to.send(Self::total(self)),
//!             }
//!         }
//!     }
//!
//!     // ...and the typed handle: `ActorRef<Counter>` dereferences to it...
//!     #[repr(transparent)]
//!     pub struct CounterRef(ActorRef<Counter>);
//!
//!     // SAFETY: `CounterRef` is `#[repr(transparent)]` over `ActorRef<Counter>`.
//!     unsafe impl TypedMailbox<Counter> for CounterMsg {
//!         type Handle = CounterRef;
//!     }
//!
//!     // ...with four methods per message, as visible as the message method.
//!     impl CounterRef {
//!         pub fn add(&self, by: u64) -> Tell<'_, Counter> {
//!             self.0.tell(CounterMsg::Add { by, reply_to: None })
//!         }
//!         pub fn try_add(&self, by: u64) -> Result<(), SendError<CounterMsg>> {
//!             self.0.try_tell(CounterMsg::Add { by, reply_to: None })
//!         }
//!         pub fn add_blocking(&self, by: u64) -> Result<(), SendError<CounterMsg>> {
//!             self.0.tell_blocking(CounterMsg::Add { by, reply_to: None })
//!         }
//!         pub fn add_timeout(&self, timeout: Duration, by: u64)
//!             -> impl Future<Output = Result<(), AskError>> {
//!             self.0.ask_timeout(timeout, move |r| CounterMsg::Add { by, reply_to: Some(r) })
//!         }
//!         pub fn total(&self) -> impl Future<Output = Result<u64, AskError>> {
//!             self.0.ask(|reply_to| CounterMsg::Total { reply_to })
//!         }
//!         pub fn try_total(&self) -> Result<Reply<u64>, SendError<CounterMsg>> {
//!             self.0.try_ask(|reply_to| CounterMsg::Total { reply_to })
//!         }
//!         pub fn total_blocking(&self) -> Result<u64, AskError> {
//!             self.0.ask_blocking(|reply_to| CounterMsg::Total { reply_to })
//!         }
//!         pub fn total_timeout(&self, timeout: Duration)
//!             -> impl Future<Output = Result<u64, AskError>> {
//!             self.0.ask_timeout(timeout, |reply_to| CounterMsg::Total { reply_to })
//!         }
//!     }
//! };
//!
//! let rt = Runtime::builder().shards(1).build()?;
//! let counter = rt.spawn(|| Counter { total: 0 })?;
//! rt.block_on(counter.add(5))?; // `CounterRef::add`, through `Deref`
//! assert_eq!(counter.total_blocking()?, 5);
//! let sent: Result<(), SendError<CounterMsg>> = counter.try_add(1); // the alias names the enum
//! sent?;
//! rt.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The generated enum also gets a `Debug` impl that prints the variant name.

mod ast;
mod attr;
mod expand;
mod valid;
#[cfg(test)]
mod valid_tests;

use proc_macro::TokenStream;
use quote::quote;
use syn::{DeriveInput, Error, Item};

fn finish(out: proc_macro2::TokenStream, errors: Vec<Error>) -> TokenStream {
    let errors = errors.iter().map(Error::to_compile_error);
    quote!(#out #(#errors)*).into()
}

#[doc = include_str!("docs/actor.md")]
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let opts = attr::actor(args.into()).unwrap_or_else(|e| {
        errors.push(e);
        attr::ActorOpts::default()
    });
    let tokens = proc_macro2::TokenStream::from(input.clone());
    let derive = match syn::parse::<Item>(input) {
        Ok(Item::Struct(_) | Item::Enum(_)) => syn::parse2::<DeriveInput>(tokens.clone()).ok(),
        _ => None,
    };
    let Some(derive) = derive else {
        errors.push(Error::new(
            proc_macro2::Span::call_site(),
            "`#[actor]` goes on a struct or an enum: the actor's state",
        ));
        return finish(tokens, errors);
    };
    let before = errors.len();
    valid::no_lifetimes(&derive.generics, &mut errors);
    let out = (errors.len() == before).then(|| expand::actor(opts, &derive));
    finish(quote!(#tokens #out), errors)
}

#[doc = include_str!("docs/messages.md")]
#[proc_macro_attribute]
pub fn messages(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let opts = attr::messages(args.into()).unwrap_or_else(|e| {
        errors.push(e);
        attr::MessagesOpts::default()
    });
    let item = match syn::parse::<syn::ItemImpl>(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            errors.push(Error::new(
                proc_macro2::Span::call_site(),
                "`#[messages]` goes on the actor's `impl` block: `#[messages] impl Counter { ... }`",
            ));
            return finish(input.into(), errors);
        }
    };
    let mut block = ast::parse_messages(item);
    valid::messages(&mut block, !opts.handles.is_empty(), &mut errors);
    let out = if block.item.trait_.is_some() {
        let item = &block.item;
        quote!(#item)
    } else {
        expand::messages(&opts, &block, &mut errors)
    };
    finish(out, errors)
}

#[doc = include_str!("docs/message.md")]
#[proc_macro_attribute]
pub fn message(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let tokens = proc_macro2::TokenStream::from(input.clone());
    match syn::parse::<Item>(input) {
        Ok(Item::Struct(_) | Item::Enum(_)) => {
            let opts = attr::message(args.into()).unwrap_or_else(|e| {
                errors.push(e);
                attr::MessageOpts::default()
            });
            let out = syn::parse2::<DeriveInput>(tokens.clone())
                .map(|d| expand::message_type(opts, &d))
                .unwrap_or_default();
            finish(quote!(#tokens #out), errors)
        }
        Ok(Item::Fn(_)) | Err(_) => {
            errors.push(Error::new(
                proc_macro2::Span::call_site(),
                "`#[message]` on a method only works inside a `#[messages]` impl block; \
                 add `#[messages]` above the `impl`",
            ));
            finish(tokens, errors)
        }
        Ok(_) => {
            errors.push(Error::new(
                proc_macro2::Span::call_site(),
                "`#[message]` goes on a method in a `#[messages]` impl block, or on a struct or \
                 enum to declare an open message",
            ));
            finish(tokens, errors)
        }
    }
}
