use actor_core::prelude::*;

#[actor]
struct Log;

#[messages]
impl Log {
    #[message]
    fn write<T: std::fmt::Display + Send + 'static>(&mut self, line: T) {
        println!("{line}");
    }
}

fn main() {}
