//! Instructions per message for the macro-built counter against the
//! hand-written one over the same enum, for callgrind: criterion's timings
//! of the pair (`benches/macros.rs`) move a few percent from run to run,
//! instruction counts do not. Run each mode with two values of `n`; the
//! difference of the totals divided by the difference of `n` is the cost of
//! one message.
//!
//! ```sh
//! cargo build --release -p benches --example macro_instructions
//! PINION_DRIVER=epoll valgrind --tool=callgrind target/release/examples/macro_instructions tell-macro 100000
//! ```
//!
//! Modes: `tell-macro`, `tell-hand`, `ask-macro`, `ask-hand`.

#![allow(missing_docs)]

#[path = "macro_pair.rs"]
mod macro_pair;

use actor_core::prelude::*;
use macro_pair::{Driver, HandCounter, MacroCounter, Run};

fn main() -> Result<(), actor_core::Error> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "tell-macro".to_owned());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let make: fn(u64, ReplyTo<std::time::Duration>) -> Run = match mode.as_str() {
        "tell-macro" => Run::MacroTells,
        "tell-hand" => Run::HandTells,
        "ask-macro" => Run::MacroAsks,
        "ask-hand" => Run::HandAsks,
        other => {
            eprintln!("unknown mode {other:?}: tell-macro, tell-hand, ask-macro or ask-hand");
            std::process::exit(2);
        }
    };
    let rt = Runtime::builder().shards(1).build()?;
    let by_macro = rt.spawn_on(0, MacroCounter::default)?;
    let by_hand = rt.spawn_on(0, HandCounter::default)?;
    let driver = rt.spawn_on(0, move || Driver { by_macro, by_hand })?;
    let took = driver.ask_blocking(|r| make(n, r))?;
    println!("{mode} x{n}: {took:?}");
    rt.shutdown()?;
    Ok(())
}
