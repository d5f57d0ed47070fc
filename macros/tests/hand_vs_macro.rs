//! A macro-built actor and a hand-written one over the same message enum
//! behave the same: the macros only write what a person would.
#![deny(warnings)]

use actor_core::prelude::*;

// The pair the criterion benchmark and the callgrind example drive, so
// what is measured is what is tested here.
#[path = "../../benches/macro_pair.rs"]
#[allow(dead_code)] // the benchmarks' driver, unused here
mod macro_pair;

use macro_pair::{HandCounter, MacroCounter, MacroCounterMsg};

/// The same workload through the raw `ActorRef` API, for either actor.
fn workload<A: Actor<Msg = MacroCounterMsg>>(actor: &ActorRef<A>) -> Vec<u64> {
    let mut seen = Vec::new();
    for by in 1..=100 {
        actor
            .tell_blocking(MacroCounterMsg::Add { by, reply_to: None })
            .unwrap();
        if by % 25 == 0 {
            seen.push(
                actor
                    .ask_blocking(|reply_to| MacroCounterMsg::Total { reply_to })
                    .unwrap(),
            );
        }
    }
    seen
}

#[test]
fn macro_and_hand_written_actors_agree() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let by_macro = rt.spawn_on(0, MacroCounter::default).unwrap();
    let by_hand = rt.spawn_on(1, HandCounter::default).unwrap();
    let expected = vec![325, 1275, 2850, 5050];
    assert_eq!(workload(&by_macro), expected);
    assert_eq!(workload(&by_hand), expected);
    // The generated handle methods send the same messages.
    by_macro.add_blocking(1).unwrap();
    assert_eq!(by_macro.total_blocking().unwrap(), 5051);
    assert_eq!(by_macro.mailbox_capacity(), by_hand.mailbox_capacity());
    rt.shutdown().unwrap();
}
