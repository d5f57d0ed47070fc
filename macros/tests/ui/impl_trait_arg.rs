use actor_core::prelude::*;

#[actor]
struct Log;

#[messages]
impl Log {
    #[message]
    fn write(&mut self, line: impl std::fmt::Display + Send + 'static) {
        println!("{line}");
    }
}

fn main() {}
