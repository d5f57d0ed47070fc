//! While a GPU queue waits for a long task, the other actors of its shard
//! keep answering: completion never blocks the shard (on the CPU fallback,
//! the task runs on the blocking pool, with the same effect).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actor_core::prelude::*;
use actor_gpu::{ComputeTask, GpuQueue, Kernel, run_on_cpu};

/// Under 65,536: Mesa's llvmpipe stops any loop after 65,535 iterations.
const ROUNDS: u32 = 50_000;
const INVOCATIONS: u32 = 1024;

/// Each invocation runs a linear congruential generator `ROUNDS` times.
fn long_kernel() -> Kernel {
    let wgsl = format!(
        "@group(0) @binding(0) var<storage, read_write> out: array<u32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {{
             var x = id.x;
             for (var i = 0u; i < {ROUNDS}u; i = i + 1u) {{
                 x = x * 1664525u + 1013904223u;
             }}
             if id.x < arrayLength(&out) {{ out[id.x] = x; }}
         }}"
    );
    Kernel::new(wgsl, "main").unwrap().with_cpu(|b| {
        for (i, out) in b.read_write::<u32>(0)?.iter_mut().enumerate() {
            let mut x = i as u32;
            for _ in 0..ROUNDS {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            }
            *out = x;
        }
        Ok(())
    })
}

struct Echo;

impl Actor for Echo {
    type Msg = ReplyTo<()>;

    async fn handle(&mut self, reply: ReplyTo<()>, _ctx: &mut Context<Self>) {
        reply.send(());
    }
}

#[test]
fn a_shard_answers_other_actors_while_its_gpu_queue_waits() {
    common::has_gpu();
    let rt = Runtime::builder().shards(1).build().unwrap();
    let queue = rt.spawn_on(0, GpuQueue::default).unwrap();
    let echo = rt.spawn_on(0, || Echo).unwrap();
    let kernel = long_kernel();
    // Compile the pipeline first (that part is synchronous).
    let warm = ComputeTask::new(&kernel).output::<u32>(1);
    queue.run_blocking(warm).unwrap().unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let runner = {
        let (queue, done) = (queue.clone(), done.clone());
        let task = ComputeTask::new(&kernel)
            .output::<u32>(INVOCATIONS as usize)
            .workgroups_for(INVOCATIONS);
        std::thread::spawn(move || {
            let out = queue.run_blocking(task).unwrap().unwrap();
            done.store(true, Ordering::Release);
            out
        })
    };
    std::thread::sleep(Duration::from_millis(5));
    let mut answered_while_running = 0;
    while !done.load(Ordering::Acquire) {
        echo.ask_blocking(|r| r).unwrap();
        if !done.load(Ordering::Acquire) {
            answered_while_running += 1;
        }
    }
    let out = runner.join().unwrap();
    let task = ComputeTask::new(&kernel)
        .output::<u32>(INVOCATIONS as usize)
        .workgroups_for(INVOCATIONS);
    let on_cpu = run_on_cpu(task).unwrap();
    assert_eq!(out.get::<u32>(0).unwrap(), on_cpu.get::<u32>(0).unwrap());
    println!("the shard answered {answered_while_running} asks while the task ran");
    assert!(
        answered_while_running > 0,
        "the shard was blocked while its queue waited"
    );
    rt.shutdown().unwrap();
}
