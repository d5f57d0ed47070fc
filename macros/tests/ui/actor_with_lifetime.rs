use actor_core::prelude::*;

#[actor]
struct Borrower<'a> {
    name: &'a str,
}

fn main() {}
