//! The checks of `valid.rs` on parsed input: each mistake gives its one
//! error, with the words that tell the user what to do; a valid block gives
//! none and keeps every method. (The trybuild UI tests show the same errors
//! through the compiler; these run in-process, so coverage sees them.)

use syn::parse_quote;

use crate::ast::parse_messages;
use crate::valid;

/// The errors `#[messages]` reports for `item`, and the methods it keeps.
fn check(item: syn::ItemImpl, open: bool) -> (Vec<String>, Vec<String>) {
    let mut block = parse_messages(item);
    let mut errors = Vec::new();
    valid::messages(&mut block, open, &mut errors);
    let kept = block.methods.iter().map(|m| m.name().to_string()).collect();
    (errors.iter().map(ToString::to_string).collect(), kept)
}

fn one_error(item: syn::ItemImpl, expected: &str) {
    let (errors, _) = check(item, false);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains(expected),
        "{:?} lacks {expected:?}",
        errors[0]
    );
}

#[test]
fn a_valid_block_has_no_error_and_keeps_every_method() {
    let (errors, kept) = check(
        parse_quote! {
            impl Counter {
                #[message]
                fn add(&mut self, by: u64, tag: &'static str, list: Vec<(u8, [u16; 2])>) {}
                #[message]
                fn total(&self, ctx: &mut Context<Self>) -> u64 { 0 }
                fn helper(&self) {}
            }
        },
        false,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(kept, ["add", "total"]);
}

#[test]
fn the_block_itself_must_be_an_inherent_impl_of_a_named_type_without_lifetimes() {
    one_error(
        parse_quote! { impl Trait for Counter {} },
        "goes on an inherent impl block",
    );
    one_error(
        parse_quote! { impl [u8; 4] {} },
        "needs the actor's type by name",
    );
    one_error(
        parse_quote! { impl<'a> Counter<'a> {} },
        "an actor cannot borrow",
    );
    one_error(
        parse_quote! { impl Counter { #[message] const N: u8 = 1; } },
        "only methods can be messages",
    );
}

#[test]
fn receivers_generics_and_unsafety_are_explained() {
    one_error(
        parse_quote! { impl A { #[message] fn f(self) {} } },
        "cannot take `self` by value",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f(x: u8) {} } },
        "needs `&self` or `&mut self`",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f<T>(&self, t: T) {} } },
        "cannot be generic",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f(&self) where u8: Copy {} } },
        "cannot be generic",
    );
    one_error(
        parse_quote! { impl A { #[message] unsafe fn f(&self) {} } },
        "cannot be `unsafe`",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f(&self) -> impl Send { 1 } } },
        "must return a named type",
    );
}

#[test]
fn the_context_and_the_reply_field_have_their_rules() {
    one_error(
        parse_quote! {
            impl A { #[message] fn f(&self, a: &mut Context<Self>, b: &mut Context<Self>) {} }
        },
        "only one `&mut Context<Self>`",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f(&self, ctx: &Context<Self>) {} } },
        "must be `&mut Context<Self>`",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f(&self, ctx: u8) {} } },
        "must be `&mut Context<Self>`",
    );
    one_error(
        parse_quote! { impl A { #[message] fn f(&self, reply_to: u8) {} } },
        "rename this argument",
    );
}

#[test]
fn arguments_must_be_owned_wherever_the_borrow_hides() {
    for item in [
        parse_quote! { impl A { #[message] fn f(&self, s: &str) {} } },
        parse_quote! { impl A { #[message] fn f(&self, s: Cow<'a, str>) {} } },
        parse_quote! { impl A { #[message] fn f(&self, s: Vec<&[u8]>) {} } },
        parse_quote! { impl A { #[message] fn f(&self, s: (u8, &u8)) {} } },
        parse_quote! { impl A { #[message] fn f(&self, s: [&u8; 2]) {} } },
        parse_quote! { impl A { #[message] fn f(&self, s: (&u8)) {} } },
    ] {
        one_error(item, "must be owned (`'static`)");
    }
    one_error(
        parse_quote! { impl A { #[message] fn f(&self, s: impl Send) {} } },
        "`impl Trait` arguments",
    );
}

#[test]
fn generated_names_that_would_be_hidden_or_taken_twice_are_refused() {
    // `ActorRef`'s own method, a blanket trait method, a raw identifier.
    for item in [
        parse_quote! { impl A { #[message] fn tell(&self) {} } },
        parse_quote! { impl A { #[message] fn into(&self) {} } },
        parse_quote! { impl A { #[message] fn r#to_owned(&self) {} } },
        parse_quote! { impl A { #[message] fn stop(&self) {} } },
    ] {
        let (errors, kept) = check(item, false);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].contains("which `ActorRef`"), "{errors:#?}");
        assert!(kept.is_empty(), "a clashing method is dropped");
    }
    // `MessageRef`'s methods only clash when the actor takes open messages.
    let item: syn::ItemImpl = parse_quote! { impl A { #[message] fn tell_message(&self) {} } };
    assert!(check(item.clone(), false).0.is_empty());
    assert_eq!(check(item, true).0.len(), 1);
    // `total` and `try_total`'s generated names overlap.
    let (errors, kept) = check(
        parse_quote! {
            impl A {
                #[message] fn total(&self) {}
                #[message] fn try_total(&self) {}
            }
        },
        false,
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("both generate `try_total`"));
    assert_eq!(kept, ["total"]);
    // Two methods that become one variant.
    let (errors, _) = check(
        parse_quote! {
            impl A {
                #[message] fn get_x(&self) {}
                #[message] fn get__x(&self) {}
            }
        },
        false,
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("both become the message variant `GetX`")),
        "{errors:#?}"
    );
}
