//! The typed handle: a `#[repr(transparent)]` struct over `ActorRef<Actor>`
//! with four inherent methods per message, reached through `ActorRef`'s
//! `Deref`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::{Names, variant_name};
use crate::ast::{MessageFn, MessagesBlock};

/// One generated method: its docs, visibility, signature and body.
struct Method {
    docs: TokenStream,
    sig: TokenStream,
    body: TokenStream,
}

fn methods(m: &MessageFn, msg: &Ident, msg_ty: &TokenStream, self_ty: &syn::Type) -> [Method; 4] {
    let name = m.name();
    let variant = variant_name(name);
    let docs: Vec<_> = m.docs().collect();
    let args: Vec<_> = m.args().map(|p| (&p.name, &p.outer_ty)).collect();
    let params = args.iter().map(|(n, t)| quote!(#n: #t));
    let params = quote!(#(#params),*);
    let fields = args.iter().map(|(n, _)| n);
    let fields = quote!(#(#fields,)*);
    let timeout = if args.iter().any(|(n, _)| *n == "timeout") {
        format_ident!("__timeout")
    } else {
        format_ident!("timeout")
    };
    let (try_name, blocking, timed) = (
        format_ident!("try_{}", name),
        format_ident!("{}_blocking", name),
        format_ident!("{}_timeout", name),
    );
    let send_error = quote!(::core::result::Result<(), ::actor_core::SendError<#msg_ty>>);
    let r = quote!(::actor_core::ActorRef);
    let dur = quote!(::core::time::Duration);
    let shown = format!("`{msg}::{variant}`");
    let doc = |text: String| quote!(#[doc = #text]);
    let ask_future = |out: &TokenStream| quote!(impl ::core::future::Future<Output = ::core::result::Result<#out, ::actor_core::AskError>>);

    let Some(out) = &m.output else {
        let tell = quote!(#msg::#variant { #fields reply_to: ::core::option::Option::None });
        let until_done = ask_future(&quote!(()));
        let lead = if docs.is_empty() {
            quote!()
        } else {
            quote!(#(#docs)* #[doc = ""])
        };
        return [
            Method {
                docs: quote!(#lead #[doc = concat!("Tells: sends ", #shown, ", waiting for room in the mailbox (back-pressure). Await it; it fails only with `SendError::Closed`, which hands the message back.")]),
                sig: quote!(fn #name(&self, #params) -> ::actor_core::Tell<'_, #self_ty>),
                body: quote!(#r::tell(&self.0, #tell)),
            },
            Method {
                docs: doc(format!(
                    "Sends {shown} without waiting: a full mailbox hands it back as `SendError::Full`, a stopped actor as `SendError::Closed`."
                )),
                sig: quote!(fn #try_name(&self, #params) -> #send_error),
                body: quote!(#r::try_tell(&self.0, #tell)),
            },
            Method {
                docs: doc(format!(
                    "Sends {shown} from a plain thread, blocking while the mailbox is full. On a shard thread, which must never block, it sends nothing and hands the message back as `SendError::WouldBlock`: await `{name}` or call `{try_name}` there."
                )),
                sig: quote!(fn #blocking(&self, #params) -> #send_error),
                body: quote!(#r::tell_blocking(&self.0, #tell)),
            },
            Method {
                docs: doc(format!(
                    "Sends {shown} and waits until the actor has handled it, for at most `{timeout}`."
                )),
                sig: quote!(fn #timed(&self, #timeout: #dur, #params) -> #until_done),
                body: quote!(#r::ask_timeout(&self.0, #timeout, move |reply_to| #msg::#variant { #fields reply_to: ::core::option::Option::Some(reply_to) })),
            },
        ];
    };
    let out = quote!(#out);
    let ask = quote!(move |reply_to| #msg::#variant { #fields reply_to });
    let answer = ask_future(&out);
    let lead = if docs.is_empty() {
        quote!()
    } else {
        quote!(#(#docs)* #[doc = ""])
    };
    [
        Method {
            docs: quote!(#lead #[doc = concat!("Asks: sends ", #shown, ", waiting for room in the mailbox, and resolves to the answer.")]),
            sig: quote!(fn #name(&self, #params) -> #answer),
            body: quote!(#r::ask(&self.0, #ask)),
        },
        Method {
            docs: doc(format!(
                "Sends {shown} without waiting for room; await the answer from the `Reply`. The message comes back on `Full` or `Closed`."
            )),
            sig: quote!(fn #try_name(&self, #params) -> ::core::result::Result<::actor_core::Reply<#out>, ::actor_core::SendError<#msg_ty>>),
            body: quote!(#r::try_ask(&self.0, #ask)),
        },
        Method {
            docs: doc(format!(
                "Asks with {shown} from a plain thread, blocking until the answer; `AskError::WouldBlock` on a shard thread."
            )),
            sig: quote!(fn #blocking(&self, #params) -> ::core::result::Result<#out, ::actor_core::AskError>),
            body: quote!(#r::ask_blocking(&self.0, #ask)),
        },
        Method {
            docs: doc(format!(
                "Asks with {shown} and a deadline: `AskError::Timeout` when no answer comes within `{timeout}`."
            )),
            sig: quote!(fn #timed(&self, #timeout: #dur, #params) -> #answer),
            body: quote!(#r::ask_timeout(&self.0, #timeout, #ask)),
        },
    ]
}

pub(super) fn expand(block: &MessagesBlock, names: &Names) -> TokenStream {
    let Names {
        actor, msg, handle, ..
    } = names;
    let self_ty = block.self_ty();
    let generics = block.generics();
    let (_, ty_g, _) = generics.split_for_impl();
    let statics = super::declared(block);
    let (s_impl_g, _, s_where) = statics.split_for_impl();
    let msg_ty = quote!(#msg #ty_g);
    let defs = block.methods.iter().flat_map(|m| {
        let vis = m.vis();
        methods(m, msg, &msg_ty, self_ty)
            .map(|Method { docs, sig, body }| quote!(#docs #[inline] #vis #sig { #body }))
    });
    let doc = format!(
        "The typed messages of `{actor}`: `ActorRef<{actor}>` dereferences to this \
         handle, so they are called on the `ActorRef` itself; generated by `#[messages]`."
    );
    quote! {
        #[doc = #doc]
        #[repr(transparent)]
        #[allow(unreachable_pub)]
        pub struct #handle #s_impl_g (::actor_core::ActorRef<#self_ty>) #s_where;

        // SAFETY: `#handle` is `#[repr(transparent)]` over `ActorRef<#self_ty>`.
        #[automatically_derived]
        unsafe impl #s_impl_g ::actor_core::__private::TypedMailbox<#self_ty> for #msg_ty #s_where {
            type Handle = #handle #ty_g;
        }

        #[automatically_derived]
        #[allow(dead_code)] // a caller uses the variants it needs
        impl #s_impl_g #handle #ty_g #s_where {
            #(#defs)*
        }
    }
}
