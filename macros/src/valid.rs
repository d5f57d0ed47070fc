//! Checks: each mistake becomes one error at the span that shows it. An
//! invalid `#[message]` method is dropped from the mailbox but stays in the
//! `impl` block, so the rest expands and compiles and the error stands alone.

use std::collections::HashMap;

use syn::{Error, GenericArgument, GenericParam, Generics, Lifetime, Type};

use crate::ast::{MessageFn, MessagesBlock, Recv, is_context, type_ident};

/// Names `ActorRef` already has as inherent methods: a generated method of
/// the same name would never be called. Keep in step with `ActorRef`.
const ACTOR_REF_METHODS: &[&str] = &[
    "ask",
    "ask_blocking",
    "ask_blocking_timeout",
    "ask_timeout",
    "clone",
    "eq",
    "fmt",
    "id",
    "is_alive",
    "kill",
    "mailbox_capacity",
    "mailbox_len",
    "name",
    "ne",
    "shard",
    "stop",
    "stop_with",
    "tell",
    "tell_blocking",
    "try_ask",
    "try_tell",
    "wait_stopped",
    "wait_stopped_blocking",
];

/// Methods every `ActorRef` has through blanket impls of traits in the
/// prelude (`Into`, `ToOwned`, ...) or of `Deref` itself: found before the
/// handle's, so a message of the same name would never be sent.
const BLANKET_METHODS: &[&str] = &[
    "borrow",
    "borrow_mut",
    "clone_into",
    "deref",
    "into",
    "to_owned",
    "try_into",
    "type_id",
];

/// `MessageRef`'s methods, which an actor with `handles(...)` has.
const OPEN_MESSAGE_METHODS: &[&str] = &[
    "ask_message",
    "ask_message_blocking",
    "ask_message_timeout",
    "tell_message",
    "tell_message_blocking",
    "try_ask_message",
    "try_tell_message",
];

/// Field names the generated enum uses itself.
pub(crate) const REPLY_FIELD: &str = "reply_to";

/// Checks the `impl` block and its methods; drops invalid methods.
pub(crate) fn messages(block: &mut MessagesBlock, open: bool, errors: &mut Vec<Error>) {
    if let Some((_, path, _)) = &block.item.trait_ {
        errors.push(Error::new_spanned(
            path,
            "`#[messages]` goes on an inherent impl block (`impl Counter { ... }`), not on a trait impl",
        ));
    }
    if type_ident(block.self_ty()).is_none() {
        errors.push(Error::new_spanned(
            block.self_ty(),
            "`#[messages]` needs the actor's type by name, such as `impl Counter` or `impl<T> Echo<T>`",
        ));
    }
    no_lifetimes(block.generics(), errors);
    for span in &block.misplaced {
        errors.push(Error::new(
            *span,
            "`#[message]` marks a method; only methods can be messages",
        ));
    }
    block.methods.retain(|m| method(m, errors) == 0);
    let keep = clashes(&block.methods, open, errors);
    let mut i = 0;
    block.methods.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Actors live as long as they run, so they cannot borrow.
pub(crate) fn no_lifetimes(generics: &Generics, errors: &mut Vec<Error>) {
    for param in &generics.params {
        if let GenericParam::Lifetime(l) = param {
            errors.push(Error::new_spanned(
                &l.lifetime,
                "an actor cannot borrow: it lives as long as it runs, so it must be `'static`; \
                 remove this lifetime and own the data (e.g. `String`, `Arc<T>`)",
            ));
        }
    }
}

/// Checks one method; returns how many errors it found.
fn method(m: &MessageFn, errors: &mut Vec<Error>) -> usize {
    let before = errors.len();
    let sig = &m.func.sig;
    match m.recv {
        Recv::Value => errors.push(Error::new(
            m.recv_span,
            "a message handler cannot take `self` by value: the actor keeps its state between \
             messages; take `&self` or `&mut self`",
        )),
        Recv::None => errors.push(Error::new(
            sig.ident.span(),
            "a `#[message]` method needs `&self` or `&mut self`: it runs on the actor",
        )),
        Recv::Ref | Recv::Mut => {}
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(Error::new_spanned(
            &sig.generics,
            "a `#[message]` method cannot be generic: each message is one variant of a concrete \
             enum; use concrete types, or put the type parameter on the actor",
        ));
    }
    if let Some(unsafety) = sig.unsafety {
        errors.push(Error::new_spanned(
            unsafety,
            "a `#[message]` method cannot be `unsafe`",
        ));
    }
    let mut ctx_seen = false;
    for p in &m.params {
        if p.is_ctx {
            if ctx_seen {
                errors.push(Error::new_spanned(
                    &p.ty,
                    "only one `&mut Context<Self>` parameter",
                ));
            }
            ctx_seen = true;
        } else if is_context(&p.ty) || p.name == "ctx" || p.name == "_ctx" {
            errors.push(Error::new_spanned(
                &p.ty,
                "the context parameter must be `&mut Context<Self>`",
            ));
        } else if p.name == REPLY_FIELD {
            errors.push(Error::new_spanned(
                &p.name,
                "`reply_to` is the name of the reply field in the generated message; rename this argument",
            ));
        } else {
            arg_type(&p.ty, errors);
        }
    }
    if let syn::ReturnType::Type(_, ty) = &sig.output
        && let Type::ImplTrait(_) = &**ty
    {
        {
            errors.push(Error::new_spanned(
                ty,
                "a `#[message]` method must return a named type: the reply travels back in a \
                 typed slot; return a concrete type or a `Box<dyn ...>`",
            ));
        }
    }
    errors.len() - before
}

/// Arguments travel to the actor's shard and outlive the caller's borrow.
fn arg_type(ty: &Type, errors: &mut Vec<Error>) {
    let borrowed = |tokens: &dyn quote::ToTokens, what: &str| {
        Error::new_spanned(
            tokens,
            format!(
                "message arguments must be owned (`'static`): {what} borrows from the caller, who \
                 does not wait for the actor; take an owned type instead (`String` for `&str`, \
                 `Vec<T>` for `&[T]`, `Arc<T>` to share)"
            ),
        )
    };
    match ty {
        Type::Reference(r) if !is_static(r.lifetime.as_ref()) => {
            errors.push(borrowed(ty, "a reference"));
        }
        Type::ImplTrait(_) => errors.push(Error::new_spanned(
            ty,
            "a `#[message]` method cannot be generic: `impl Trait` arguments make it so; take a \
             concrete type or a `Box<dyn Trait + Send>`",
        )),
        Type::Path(p) => {
            for seg in &p.path.segments {
                if let syn::PathArguments::AngleBracketed(a) = &seg.arguments {
                    for arg in &a.args {
                        match arg {
                            GenericArgument::Lifetime(l) if !is_static(Some(l)) => {
                                errors.push(borrowed(l, "a type with a lifetime"));
                            }
                            GenericArgument::Type(t) => arg_type(t, errors),
                            _ => {}
                        }
                    }
                }
            }
        }
        Type::Tuple(t) => t.elems.iter().for_each(|t| arg_type(t, errors)),
        Type::Array(a) => arg_type(&a.elem, errors),
        Type::Paren(p) => arg_type(&p.elem, errors),
        Type::Group(g) => arg_type(&g.elem, errors),
        _ => {}
    }
}

fn is_static(l: Option<&Lifetime>) -> bool {
    l.is_some_and(|l| l.ident == "static")
}

/// Generated names must be unique and must not be hidden by `ActorRef`'s
/// own methods (`open`: the actor accepts open messages, so `MessageRef`'s
/// too). Returns which methods to keep: a clashing one is dropped, so that
/// the error stands alone.
fn clashes(methods: &[MessageFn], open: bool, errors: &mut Vec<Error>) -> Vec<bool> {
    let hidden = |name: &str| {
        ACTOR_REF_METHODS.contains(&name)
            || BLANKET_METHODS.contains(&name)
            || (open && OPEN_MESSAGE_METHODS.contains(&name))
    };
    let mut taken: HashMap<String, &syn::Ident> = HashMap::new();
    let mut variants: HashMap<String, &syn::Ident> = HashMap::new();
    let mut keep = Vec::new();
    for m in methods {
        let before = errors.len();
        let name = m.name();
        for generated in generated_names(name) {
            if hidden(&generated) {
                errors.push(Error::new_spanned(
                    name,
                    format!(
                        "`#[message] fn {name}` would generate `{generated}`, which `ActorRef` \
                         already has (its own method or a trait's); rename the method"
                    ),
                ));
            } else if let Some(other) = taken.insert(generated.clone(), name) {
                errors.push(Error::new_spanned(
                    name,
                    format!(
                        "`#[message] fn {name}` and `#[message] fn {other}` both generate \
                         `{generated}` on the actor's handle; rename one of them"
                    ),
                ));
            }
            if errors.len() > before {
                break; // one error per method
            }
        }
        let variant = crate::expand::variant_name(name).to_string();
        if let Some(other) = variants.insert(variant.clone(), name)
            && other != name
        {
            {
                errors.push(Error::new_spanned(
                    name,
                    format!("`{name}` and `{other}` both become the message variant `{variant}`"),
                ));
            }
        }
        keep.push(errors.len() == before);
    }
    keep
}

/// The handle methods generated for a message method `name`.
fn generated_names(name: &syn::Ident) -> [String; 4] {
    let n = name.to_string();
    let n = n.strip_prefix("r#").unwrap_or(&n);
    [
        n.to_owned(),
        format!("try_{n}"),
        format!("{n}_blocking"),
        format!("{n}_timeout"),
    ]
}
