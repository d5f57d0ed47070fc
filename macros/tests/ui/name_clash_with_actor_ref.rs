use actor_core::prelude::*;

#[actor]
struct Worker;

#[messages]
impl Worker {
    /// `ActorRef::stop` already exists: `worker.stop()` would never send this.
    #[message]
    fn stop(&mut self) {}
}

fn main() {}
