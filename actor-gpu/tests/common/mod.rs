//! What the GPU tests share: a runtime, a queue, and a line saying whether
//! this machine runs them on a GPU (llvmpipe counts) or the CPU fallback.

#![allow(dead_code)]

use actor_core::prelude::*;
use actor_gpu::{ComputeTask, GpuError, GpuQueue, RanOn, TaskOutput, adapters};

/// Whether this machine has a Vulkan adapter; says which path the tests take.
pub(crate) fn has_gpu() -> bool {
    let list = adapters();
    if list.is_empty() {
        println!("no Vulkan adapter on this machine: these tests exercise the CPU fallback");
    } else {
        for a in list {
            println!("Vulkan adapter: {a}");
        }
    }
    !list.is_empty()
}

/// A one-shard runtime and a default queue on it.
pub(crate) fn queue() -> (Runtime, ActorRef<GpuQueue>) {
    let rt = Runtime::builder().shards(1).build().expect("runtime");
    let q = rt.spawn(GpuQueue::default).expect("queue");
    (rt, q)
}

/// Runs `task` on `q`, failing the test if the queue is gone.
pub(crate) fn run(q: &ActorRef<GpuQueue>, task: ComputeTask) -> Result<TaskOutput, GpuError> {
    q.run_blocking(task).expect("queue alive")
}

/// Where tasks must run on this machine.
pub(crate) fn expected_place(gpu: bool) -> fn(&RanOn) -> bool {
    if gpu {
        |r| matches!(r, RanOn::Gpu(_))
    } else {
        |r| *r == RanOn::Cpu
    }
}
