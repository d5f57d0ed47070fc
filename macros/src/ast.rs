//! Parsing: the input items, read into the shapes the later stages use.
//! Nothing here rejects input that `syn` accepts; `valid` does that.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, FnArg, Generics, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, ReturnType, Type,
    Visibility,
};

/// How a `#[message]` method takes `self`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recv {
    Ref,
    Mut,
    /// By value, or with an explicit type such as `self: Box<Self>`.
    Value,
    /// No receiver at all: an associated function.
    None,
}

/// One parameter of a `#[message]` method, after the receiver.
pub(crate) struct Param {
    /// The binding; `argN` when the pattern is not a plain identifier.
    pub(crate) name: Ident,
    /// The type as written (may name `Self`).
    pub(crate) ty: Type,
    /// The type with `Self` replaced by the actor type, for items outside the
    /// impl block.
    pub(crate) outer_ty: Type,
    /// Whether this is the `ctx: &mut Context<Self>` parameter.
    pub(crate) is_ctx: bool,
}

/// One `#[message]` method.
pub(crate) struct MessageFn {
    pub(crate) func: ImplItemFn,
    pub(crate) recv: Recv,
    pub(crate) recv_span: Span,
    pub(crate) params: Vec<Param>,
    /// The return type with `Self` replaced; `None` for `()`.
    pub(crate) output: Option<Type>,
}

impl MessageFn {
    pub(crate) fn name(&self) -> &Ident {
        &self.func.sig.ident
    }

    pub(crate) fn vis(&self) -> &Visibility {
        &self.func.vis
    }

    pub(crate) fn docs(&self) -> impl Iterator<Item = &Attribute> {
        self.func.attrs.iter().filter(|a| a.path().is_ident("doc"))
    }

    pub(crate) fn args(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| !p.is_ctx)
    }

    pub(crate) fn is_ask(&self) -> bool {
        self.output.is_some()
    }
}

/// An `impl` block under `#[messages]`.
pub(crate) struct MessagesBlock {
    /// The block as the user wrote it, `#[message]` attributes removed.
    pub(crate) item: ItemImpl,
    pub(crate) methods: Vec<MessageFn>,
    /// Items other than methods that carried `#[message]`.
    pub(crate) misplaced: Vec<Span>,
}

impl MessagesBlock {
    pub(crate) fn self_ty(&self) -> &Type {
        &self.item.self_ty
    }

    pub(crate) fn generics(&self) -> &Generics {
        &self.item.generics
    }
}

pub(crate) fn is_message_attr(a: &Attribute) -> bool {
    let segments = &a.path().segments;
    segments.last().is_some_and(|s| s.ident == "message")
}

fn take_message_attr(attrs: &mut Vec<Attribute>) -> Option<Attribute> {
    let pos = attrs.iter().position(is_message_attr)?;
    Some(attrs.remove(pos))
}

pub(crate) fn parse_messages(mut item: ItemImpl) -> MessagesBlock {
    let self_ty = (*item.self_ty).clone();
    let mut methods = Vec::new();
    let mut misplaced = Vec::new();
    for impl_item in &mut item.items {
        match impl_item {
            ImplItem::Fn(f) => {
                let marked = take_message_attr(&mut f.attrs).is_some();
                methods.extend(marked.then(|| parse_fn(f.clone(), &self_ty)));
            }
            ImplItem::Const(c) => misplaced.extend(take_message_attr(&mut c.attrs).map(span)),
            ImplItem::Type(t) => misplaced.extend(take_message_attr(&mut t.attrs).map(span)),
            ImplItem::Macro(m) => misplaced.extend(take_message_attr(&mut m.attrs).map(span)),
            _ => {}
        }
    }
    MessagesBlock {
        item,
        methods,
        misplaced,
    }
}

fn span(a: Attribute) -> Span {
    syn::spanned::Spanned::span(&a)
}

fn parse_fn(func: ImplItemFn, self_ty: &Type) -> MessageFn {
    let mut recv = Recv::None;
    let mut recv_span = func.sig.ident.span();
    let mut params = Vec::new();
    for (i, input) in func.sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(r) => {
                recv_span = syn::spanned::Spanned::span(r);
                recv = match (&r.reference, r.colon_token, r.mutability) {
                    (Some(_), None, Some(_)) => Recv::Mut,
                    (Some(_), None, None) => Recv::Ref,
                    _ => Recv::Value,
                };
            }
            FnArg::Typed(t) => {
                let name = match &*t.pat {
                    Pat::Ident(p) => p.ident.clone(),
                    _ => Ident::new(&format!("arg{i}"), Span::call_site()),
                };
                let ty = (*t.ty).clone();
                params.push(Param {
                    is_ctx: is_context(&ty) && is_mut_ref(&ty),
                    outer_ty: replace_self(&ty, self_ty),
                    name,
                    ty,
                });
            }
        }
    }
    let output = match &func.sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) if is_unit(ty) => None,
        ReturnType::Type(_, ty) => Some(replace_self(ty, self_ty)),
    };
    MessageFn {
        func,
        recv,
        recv_span,
        params,
        output,
    }
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

fn is_mut_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(r) if r.mutability.is_some())
}

/// `Context<..>`, `&Context<..>` or `&mut Context<..>`, under any path.
pub(crate) fn is_context(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_context(&r.elem),
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Context")
        }
        _ => false,
    }
}

/// `ty` with every `Self` replaced by `self_ty`.
pub(crate) fn replace_self(ty: &Type, self_ty: &Type) -> Type {
    struct Replace<'a>(&'a Type);
    impl VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(p) = ty
                && p.qself.is_none()
                && p.path.segments.first().is_some_and(|s| s.ident == "Self")
            {
                {
                    let self_ty = self.0;
                    let rest = p.path.segments.iter().skip(1);
                    *ty = if p.path.segments.len() == 1 {
                        self_ty.clone()
                    } else {
                        syn::parse_quote!(<#self_ty> #(:: #rest)*)
                    };
                    return;
                }
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = ty.clone();
    Replace(self_ty).visit_type_mut(&mut ty);
    ty
}

/// The actor's identifier: the last segment of the `impl` block's type.
pub(crate) fn type_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| &s.ident),
        Type::Group(g) => type_ident(&g.elem),
        Type::Paren(p) => type_ident(&p.elem),
        _ => None,
    }
}
