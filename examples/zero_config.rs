//! Prints what Pinion detected on this machine, the configuration it chose
//! with the reason for each choice, and what each shard of a runtime started
//! from it really got (driver, NUMA node, CPU, role).
//!
//! `Runtime::new()` reads the `PINION_*` variables (`PINION_DRIVER=epoll`,
//! `PINION_SHARDS=2`, `PINION_PROFILE=performance`), so they show here too.

fn main() -> Result<(), actor_core::Error> {
    let rt = actor_core::Runtime::new()?;
    println!("{}", rt.handle().report());
    rt.shutdown()?;
    Ok(())
}
