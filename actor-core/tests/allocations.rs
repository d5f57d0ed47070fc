//! Allocation counts on the hot path, with a counting global allocator: in
//! steady state a same-shard `tell` of a message with no heap data allocates
//! nothing, and neither does an `ask` (its reply slot comes from the
//! thread's pool).
#![allow(missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use actor_core::prelude::*;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: defers every operation to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs_on_this_thread() -> u64 {
    ALLOCS.with(Cell::get)
}

struct Target(u64);

enum TargetMsg {
    Add(u64),
    Get(ReplyTo<u64>),
}

impl Actor for Target {
    type Msg = TargetMsg;
    async fn handle(&mut self, msg: TargetMsg, _ctx: &mut Context<Self>) {
        match msg {
            TargetMsg::Add(n) => self.0 += n,
            TargetMsg::Get(r) => r.send(self.0),
        }
    }
}

/// Runs on the target's shard; every allocation of the exchange happens on
/// this thread.
struct Driver(ActorRef<Target>);

enum Measure {
    Tells(u64, ReplyTo<u64>),
    Asks(u64, ReplyTo<u64>),
}

impl Actor for Driver {
    type Msg = Measure;
    async fn handle(&mut self, msg: Measure, _ctx: &mut Context<Self>) {
        match msg {
            Measure::Tells(n, reply) => {
                let before = allocs_on_this_thread();
                for i in 0..n {
                    self.0.tell(TargetMsg::Add(i)).await.unwrap();
                    if i % 64 == 63 {
                        // Let the target drain, as a steady stream would.
                        actor_core::yield_now().await;
                    }
                }
                reply.send(allocs_on_this_thread() - before);
            }
            Measure::Asks(n, reply) => {
                let before = allocs_on_this_thread();
                for _ in 0..n {
                    self.0.ask(TargetMsg::Get).await.unwrap();
                }
                reply.send(allocs_on_this_thread() - before);
            }
        }
    }
}

#[test]
fn same_shard_tell_and_ask_allocate_nothing() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let target = rt
        .spawn_with(SpawnOptions::new().shard(0).mailbox_capacity(1024), || {
            Target(0)
        })
        .unwrap();
    let t = target.clone();
    let driver = rt.spawn_on(0, move || Driver(t)).unwrap();
    // Warm-up grows the queues to their steady-state size.
    driver.ask_blocking(|r| Measure::Tells(10_000, r)).unwrap();
    driver.ask_blocking(|r| Measure::Asks(1_000, r)).unwrap();

    let n = 10_000;
    let tell_allocs = driver.ask_blocking(|r| Measure::Tells(n, r)).unwrap();
    assert_eq!(tell_allocs, 0, "{tell_allocs} allocations for {n} tells");
    let ask_allocs = driver.ask_blocking(|r| Measure::Asks(n, r)).unwrap();
    assert_eq!(ask_allocs, 0, "{ask_allocs} allocations for {n} asks");
    rt.shutdown().unwrap();
}
