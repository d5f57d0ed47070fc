use actor_core::prelude::*;

#[actor]
struct Log;

#[messages]
impl Log {
    #[message]
    fn write(&mut self, line: &str) {
        println!("{line}");
    }
}

fn main() {}
