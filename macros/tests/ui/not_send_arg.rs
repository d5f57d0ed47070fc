use std::rc::Rc;

use actor_core::prelude::*;

#[actor]
struct Cache;

#[messages]
impl Cache {
    #[message]
    fn put(&mut self, value: Rc<String>) {
        let _ = value;
    }
}

fn main() {}
