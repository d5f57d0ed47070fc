//! Options: the arguments inside `#[actor(...)]`, `#[messages(...)]` and
//! `#[message(...)]`. An unknown or malformed option is an error at its span;
//! the caller then expands with the defaults, so that it is the only error.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Expr, Lit, LitStr, Path, Type};

/// `#[actor(name = "...", mailbox = N, hooks)]`.
#[derive(Default)]
pub(crate) struct ActorOpts {
    pub(crate) name: Option<LitStr>,
    pub(crate) mailbox: Option<Expr>,
    pub(crate) hooks: bool,
}

/// `#[messages(handles(A, B))]`.
#[derive(Default)]
pub(crate) struct MessagesOpts {
    pub(crate) handles: Vec<Path>,
}

/// `#[message]` or `#[message(reply = T)]` on a type.
#[derive(Default)]
pub(crate) struct MessageOpts {
    pub(crate) reply: Option<Type>,
}

fn unknown(meta: &ParseNestedMeta, attr: &str, expected: &str) -> syn::Error {
    let name = meta
        .path
        .get_ident()
        .map_or_else(|| "this".to_owned(), |i| format!("`{i}`"));
    meta.error(format_args!(
        "unknown `#[{attr}]` option {name}; expected {expected}"
    ))
}

fn once<T>(slot: &Option<T>, meta: &ParseNestedMeta) -> syn::Result<()> {
    match slot {
        Some(_) => Err(meta.error("this option is given twice")),
        None => Ok(()),
    }
}

pub(crate) fn actor(args: TokenStream) -> syn::Result<ActorOpts> {
    let mut opts = ActorOpts::default();
    syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            once(&opts.name, &meta)?;
            opts.name = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("mailbox") {
            once(&opts.mailbox, &meta)?;
            let expr: Expr = meta.value()?.parse()?;
            if let Expr::Lit(lit) = &expr
                && let Lit::Int(n) = &lit.lit
                && n.base10_parse::<usize>()? == 0
            {
                return Err(syn::Error::new(
                    n.span(),
                    "`mailbox` must be at least 1: a mailbox of 0 could never take a message",
                ));
            }
            opts.mailbox = Some(expr);
        } else if meta.path.is_ident("hooks") {
            opts.hooks = true;
        } else {
            return Err(unknown(
                &meta,
                "actor",
                "`name = \"...\"`, `mailbox = N` or `hooks`",
            ));
        }
        Ok(())
    })
    .parse2(args)?;
    Ok(opts)
}

pub(crate) fn messages(args: TokenStream) -> syn::Result<MessagesOpts> {
    let mut opts = MessagesOpts::default();
    syn::meta::parser(|meta| {
        if meta.path.is_ident("handles") {
            meta.parse_nested_meta(|inner| {
                opts.handles.push(inner.path);
                Ok(())
            })
        } else {
            Err(unknown(&meta, "messages", "`handles(MessageType, ...)`"))
        }
    })
    .parse2(args)?;
    Ok(opts)
}

pub(crate) fn message(args: TokenStream) -> syn::Result<MessageOpts> {
    let mut opts = MessageOpts::default();
    syn::meta::parser(|meta| {
        if meta.path.is_ident("reply") {
            once(&opts.reply, &meta)?;
            opts.reply = Some(meta.value()?.parse()?);
            Ok(())
        } else {
            Err(unknown(&meta, "message", "`reply = Type`"))
        }
    })
    .parse2(args)?;
    Ok(opts)
}
