//! A fixed workload for instruction counting under callgrind: `n` same-shard
//! tells or asks from a driver actor. Run it with two values of `n`; the
//! difference of the totals divided by the difference of `n` is the cost of
//! one message, free of start-up and shutdown.
//!
//! ```sh
//! cargo build --release -p benches --example per_message
//! valgrind --tool=callgrind target/release/examples/per_message tell 100000
//! ```

#![allow(missing_docs)]

use actor_core::prelude::*;

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
            TargetMsg::Get(r) => r.send(self.0 + 1),
        }
    }
}

struct Driver(ActorRef<Target>);

impl Actor for Driver {
    type Msg = (bool, u64, ReplyTo<u64>);
    async fn handle(&mut self, (ask, n, reply): Self::Msg, _ctx: &mut Context<Self>) {
        let mut sum = 0;
        for i in 0..n {
            if ask {
                sum += self.0.ask(TargetMsg::Get).await.expect("target alive");
            } else {
                self.0.tell(TargetMsg::Add(i)).await.expect("target alive");
            }
        }
        sum += self.0.ask(TargetMsg::Get).await.expect("target alive");
        reply.send(sum);
    }
}

fn main() -> Result<(), actor_core::Error> {
    let mut args = std::env::args().skip(1);
    let ask = args.next().as_deref() == Some("ask");
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let rt = Runtime::new()?;
    let target = rt.spawn_on(0, || Target(0))?;
    let driver = rt.spawn_on(0, move || Driver(target))?;
    let sum = driver.ask_blocking(|r| (ask, n, r))?;
    println!("{} x{n}: {sum}", if ask { "ask" } else { "tell" });
    rt.shutdown()?;
    Ok(())
}
