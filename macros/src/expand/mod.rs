//! Code generation. Generated items name everything through absolute paths
//! (`::actor_core::...`, `::core::...`) and carry `#[automatically_derived]`.

mod handle;
mod mailbox;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{DeriveInput, Error, GenericParam, Generics, Ident};

use crate::ast::{MessagesBlock, type_ident};
use crate::attr::{ActorOpts, MessageOpts, MessagesOpts};

/// The enum variant for a method: `add_item` becomes `AddItem`.
pub(crate) fn variant_name(method: &Ident) -> Ident {
    let raw = method.to_string();
    let raw = raw.strip_prefix("r#").unwrap_or(&raw);
    let mut out = String::new();
    for part in raw.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("Message");
    }
    Ident::new(&out, method.span())
}

/// `generics` with `T: 'static` added for every type parameter: actors and
/// their messages live as long as they run.
pub(crate) fn with_static(generics: &Generics) -> Generics {
    let mut g = generics.clone();
    let params: Vec<Ident> = type_params(generics).cloned().collect();
    if !params.is_empty() {
        let wc = g.make_where_clause();
        for p in params {
            wc.predicates.push(syn::parse_quote!(#p: 'static));
        }
    }
    g
}

/// The generics of the generated impls: `'static` type parameters, the
/// actor declared by `#[actor]`, and argument and reply types `Sendable`.
/// Stated as bounds, each failure is one error at the span of what is wrong
/// (a missing `#[actor]`, a type that is not `Send`), instead of one per use;
/// for generic actors they bound the impls as a derive would.
///
/// A type that names the actor itself (`ActorRef<Counter>` in a message of
/// `Counter`) cannot be a bound of the actor's own impls: proving it `Send`
/// needs that very impl. Those are checked in a function body instead
/// ([`sendable_checks`]).
pub(crate) fn declared(block: &MessagesBlock) -> Generics {
    let self_ty = block.self_ty();
    let mut g = with_static(block.generics());
    let wc = g.make_where_clause();
    wc.predicates
        .push(syn::parse_quote_spanned!(self_ty.span()=>
            #self_ty: ::actor_core::__private::ActorDecl
        ));
    for ty in message_types(block).filter(|ty| !names_actor(block, ty)) {
        wc.predicates.push(syn::parse_quote_spanned!(ty.span()=>
            #ty: ::actor_core::__private::Sendable
        ));
    }
    g
}

fn message_types(block: &MessagesBlock) -> impl Iterator<Item = &syn::Type> {
    block
        .methods
        .iter()
        .flat_map(|m| m.args().map(|p| &p.outer_ty).chain(m.output.as_ref()))
}

/// `true` when `ty` mentions the actor's type name or `Self`.
fn names_actor(block: &MessagesBlock, ty: &syn::Type) -> bool {
    let actor = type_ident(block.self_ty()).map(ToString::to_string);
    fn walk(ts: TokenStream, actor: &Option<String>) -> bool {
        ts.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => {
                i == "Self" || actor.as_deref().is_some_and(|a| i == a)
            }
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), actor),
            _ => false,
        })
    }
    walk(quote!(#ty), &actor)
}

/// Checks, in a function body, that message types naming the actor itself
/// are `Send + 'static`: one error at the span of each that is not.
pub(crate) fn sendable_checks(block: &MessagesBlock) -> TokenStream {
    let g = with_static(block.generics());
    let (impl_g, _, where_c) = g.split_for_impl();
    let checks: Vec<_> = message_types(block)
        .filter(|ty| names_actor(block, ty))
        .map(|ty| {
            quote::quote_spanned!(ty.span()=>
                __pinion_is_sendable::<#ty>();
            )
        })
        .collect();
    if checks.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = {
            fn __pinion_is_sendable<T: ::actor_core::__private::Sendable>() {}
            #[allow(dead_code, clippy::extra_unused_type_parameters)]
            fn __pinion_check_message_types #impl_g () #where_c {
                #(#checks)*
            }
        };
    }
}

pub(crate) fn type_params(generics: &Generics) -> impl Iterator<Item = &Ident> {
    generics.params.iter().filter_map(|p| match p {
        GenericParam::Type(t) => Some(&t.ident),
        _ => None,
    })
}

/// `#[actor]`: the declaration `#[messages]` reads, and default hooks.
pub(crate) fn actor(opts: ActorOpts, input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let generics = with_static(&input.generics);
    let (impl_g, ty_g, where_c) = generics.split_for_impl();
    let name = match &opts.name {
        Some(lit) => quote!(#lit),
        None => {
            let s = ident.to_string();
            quote!(#s)
        }
    };
    let mailbox = match &opts.mailbox {
        Some(expr) => quote!(::core::option::Option::Some(#expr)),
        None => quote!(::core::option::Option::None),
    };
    let hooks = (!opts.hooks).then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_g ::actor_core::ActorHooks for #ident #ty_g #where_c {}
        }
    });
    let alias = msg_alias(input);
    quote! {
        #alias

        #[automatically_derived]
        impl #impl_g ::actor_core::__private::ActorDecl for #ident #ty_g #where_c {
            const NAME: &'static str = #name;
            const MAILBOX: ::core::option::Option<usize> = #mailbox;
        }
        #hooks
    }
}

/// The `#[actor]` alias `type CounterMsg = <Counter as Actor>::Msg;`: the
/// name of the mailbox enum, which `#[messages]` declares out of sight.
fn msg_alias(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let alias = format_ident!("{}Msg", ident);
    let params: Vec<TokenStream> = input
        .generics
        .params
        .iter()
        .map(|p| match p {
            GenericParam::Type(t) => {
                let i = &t.ident;
                quote!(#i)
            }
            GenericParam::Const(c) => {
                let (i, ty) = (&c.ident, &c.ty);
                quote!(const #i: #ty)
            }
            GenericParam::Lifetime(l) => {
                let l = &l.lifetime;
                quote!(#l)
            }
        })
        .collect();
    let (_, ty_g, _) = input.generics.split_for_impl();
    let params = (!params.is_empty()).then(|| quote!(<#(#params),*>));
    let doc = format!(
        "The mailbox message enum of [`{ident}`], generated by `#[messages]`: one variant per `#[message]` method."
    );
    quote! {
        #[doc = #doc]
        #vis type #alias #params = <#ident #ty_g as ::actor_core::Actor>::Msg;
    }
}

/// The names `#[messages]` gives its enum and handle.
pub(crate) struct Names {
    pub(crate) actor: Ident,
    pub(crate) msg: Ident,
    pub(crate) handle: Ident,
}

/// `#[messages]`: the block itself, then, inside an anonymous `const`, the
/// mailbox enum, `impl Actor`, and the typed handle.
///
/// Only the user's block lands in the enclosing scope: a second
/// `#[messages]` block for the same actor is then one error (the conflicting
/// `impl Actor`) wherever it is, and the generated items see every name the
/// block sees, inside a function body too. Users name the enum through the
/// alias `#[actor]` declares and reach the handle through `ActorRef`'s
/// `Deref`.
pub(crate) fn messages(
    opts: &MessagesOpts,
    block: &MessagesBlock,
    errors: &mut Vec<Error>,
) -> TokenStream {
    let item = &block.item;
    let Some(actor) = type_ident(block.self_ty()).cloned() else {
        return quote!(#item);
    };
    let names = Names {
        msg: format_ident!("{}Msg", actor),
        handle: format_ident!("{}Ref", actor),
        actor,
    };
    let open = mailbox::open_variants(opts, block, errors);
    let mailbox = mailbox::expand(block, &names, &open);
    let handle = handle::expand(block, &names);
    let checks = sendable_checks(block);
    quote! {
        #item
        const _: () = {
            #mailbox
            #handle
            #checks
        };
    }
}

/// `#[message]` / `#[message(reply = T)]` on a struct or enum.
pub(crate) fn message_type(opts: MessageOpts, input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let generics = with_static(&input.generics);
    let (impl_g, ty_g, where_c) = generics.split_for_impl();
    let reply = opts.reply.map_or_else(|| quote!(()), |t| quote!(#t));
    quote! {
        #[automatically_derived]
        impl #impl_g ::actor_core::Message for #ident #ty_g #where_c {
            type Reply = #reply;
        }
    }
}
