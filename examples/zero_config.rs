//! Prints what Pinion detected on this machine and the configuration it
//! chose, with the reason for each choice.

fn main() {
    println!("{}", actor_core::config::Report::detect());
}
