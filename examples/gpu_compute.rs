//! GPU compute through a queue actor: vector add, SAXPY and a sum
//! reduction, each checked against the kernel's CPU implementation.
//!
//! The queue opens the best Vulkan adapter (a GPU, or Mesa's software
//! "llvmpipe" where there is none); on a machine with no Vulkan at all the
//! same tasks run on the CPU fallback, and the example says so.

use std::time::Instant;

use actor_core::prelude::*;
use actor_gpu::kernels::{self, SUM_WORKGROUP};
use actor_gpu::{ComputeTask, Executor, GpuQueue, TaskOutput, adapters, run_on_cpu};

const N: usize = 1 << 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("Vulkan adapters:");
    if adapters().is_empty() {
        println!("  none: tasks run on the CPU fallback");
    }
    for a in adapters() {
        println!("  {a}");
    }

    let rt = Runtime::builder().shards(2).build()?;
    let queue = rt.spawn_on(1, GpuQueue::default)?;
    match queue.status_blocking()?.executor {
        Executor::Gpu(a) => println!("GPU queue on shard 1 uses {}", a.name),
        Executor::Cpu(why) => println!("GPU queue on shard 1 runs on the CPU: {why}"),
    }

    let a: Vec<f32> = (0..N).map(|i| i as f32 * 0.5).collect();
    let b: Vec<f32> = (0..N).map(|i| (N - i) as f32 * 0.25).collect();

    // Vector add: c = a + b.
    let add = kernels::vector_add();
    let task = ComputeTask::new(&add)
        .input(&a)
        .input(&b)
        .output::<f32>(N)
        .workgroups_for(N as u32);
    let (gpu, cpu) = both(&queue, task, "vector add")?;
    let (c, expected) = (gpu.get::<f32>(2)?, cpu.get::<f32>(2)?);
    assert_eq!(c, expected, "vector add: GPU and CPU differ");
    assert_eq!(c[12_345], a[12_345] + b[12_345]);

    // SAXPY: y = 3 x + y, in place.
    let saxpy = kernels::saxpy();
    let task = ComputeTask::new(&saxpy)
        .input(&a)
        .input(&b)
        .uniform(&3.0f32)
        .workgroups_for(N as u32);
    let (gpu, cpu) = both(&queue, task, "SAXPY")?;
    let (y, expected) = (gpu.get::<f32>(1)?, cpu.get::<f32>(1)?);
    let worst = y
        .iter()
        .zip(&expected)
        .map(|(g, c)| ((g - c) / c.abs().max(1.0)).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 2.0 * f32::EPSILON,
        "SAXPY: relative difference {worst}"
    );
    println!("  SAXPY: largest relative GPU/CPU difference {worst:e} (at most one rounding apart)");

    // Sum: one partial sum per workgroup on the queue, then the partials
    // summed again the same way until one value is left.
    let sum = kernels::sum_u32();
    let mut values: Vec<u32> = (0..N as u32).collect();
    let started = Instant::now();
    while values.len() > 1 {
        let groups = (values.len() as u32).div_ceil(SUM_WORKGROUP);
        let task = ComputeTask::new(&sum)
            .input(&values)
            .output::<u32>(groups as usize)
            .workgroups(groups, 1, 1);
        let (gpu, cpu) = both_quiet(&queue, task)?;
        values = gpu.get::<u32>(1)?;
        assert_eq!(values, cpu.get::<u32>(1)?, "sum: GPU and CPU differ");
    }
    let expected = (0..N as u64).sum::<u64>() as u32; // wrapping, as the kernel sums
    assert_eq!(values[0], expected);
    println!(
        "  sum of 0..{N}: {} (mod 2^32) in {:?}, every pass equal on GPU and CPU",
        values[0],
        started.elapsed()
    );

    let status = queue.status_blocking()?;
    println!(
        "queue ran {} tasks on the GPU and {} on the CPU; {} pipelines cached",
        status.gpu_tasks, status.cpu_tasks, status.cached_pipelines
    );
    rt.shutdown()?;
    println!("all results verified against the CPU");
    Ok(())
}

/// Runs `task` on the queue and on the CPU, timing both.
fn both(
    queue: &ActorRef<GpuQueue>,
    task: ComputeTask,
    name: &str,
) -> Result<(TaskOutput, TaskOutput), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let gpu = queue.run_blocking(task.clone())??;
    let queued = started.elapsed();
    let started = Instant::now();
    let cpu = run_on_cpu(task)?;
    let on_cpu = started.elapsed();
    println!(
        "  {name}: queue ({:?}) {queued:?}, CPU {on_cpu:?}",
        gpu.ran_on()
    );
    Ok((gpu, cpu))
}

fn both_quiet(
    queue: &ActorRef<GpuQueue>,
    task: ComputeTask,
) -> Result<(TaskOutput, TaskOutput), Box<dyn std::error::Error>> {
    let gpu = queue.run_blocking(task.clone())??;
    let cpu = run_on_cpu(task)?;
    Ok((gpu, cpu))
}
