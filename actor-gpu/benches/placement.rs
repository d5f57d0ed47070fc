//! Automatic placement next to all-CPU and all-GPU, at several input
//! sizes: an image pipeline (blur and Sobel, each with a GPU kernel and a
//! CPU twin, then a histogram on the CPU) and a compute-heavy stage (an
//! iterated map). For each size and mode a fresh pipeline (on one GPU
//! queue shared by all) warms up, then the same number of frames streams
//! through it, several in flight, and frames per second are measured (the
//! best of `ROUNDS` runs). The target: automatic placement
//! within 10% of the better of the other two at every size.
//!
//! `cargo bench -p actor-gpu --bench placement`. On a machine with no
//! Vulkan the "GPU" side is the queue's CPU fallback, and it says so.

use std::time::Instant;

use actor_core::prelude::*;
use actor_gpu::kernels::{blur_u32, image_workgroups, sobel_u32};
use actor_gpu::pipeline::{PipelineBuilder, Shape};
use actor_gpu::{Frame, GpuQueue, Kernel, Pipeline, Placement, Stage, adapters};

const ROUNDS: usize = 5;
const WARM_UP: usize = 8;

fn histogram(edges: &[u32], _shape: Shape) -> Result<Vec<u32>, String> {
    let mut bins = vec![0u32; 256];
    for &e in edges {
        *bins.get_mut(e as usize).ok_or("edge over 255")? += 1;
    }
    Ok(bins)
}

fn image_pipeline() -> PipelineBuilder {
    let groups = |s: Shape, _| image_workgroups(s[0], s[1]);
    Pipeline::builder()
        .stage(Stage::gpu::<u32, u32>("blur", &blur_u32()).workgroups(groups))
        .stage(Stage::gpu::<u32, u32>("sobel", &sobel_u32()).workgroups(groups))
        .stage(Stage::cpu("histogram", histogram))
}

const STEPS: u32 = 256;

/// `STEPS` rounds of `v = v * 0.999 + sin(v)` per value: heavy per item.
fn iterate() -> Kernel {
    let wgsl = format!(
        "@group(0) @binding(0) var<storage, read> x: array<f32>;
         @group(0) @binding(1) var<storage, read_write> y: array<f32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {{
             if id.x >= arrayLength(&y) {{ return; }}
             var v = x[id.x];
             for (var i = 0u; i < {STEPS}u; i++) {{ v = v * 0.999 + sin(v); }}
             y[id.x] = v;
         }}"
    );
    Kernel::new(wgsl, "main")
        .expect("the bench's kernel compiles")
        .with_cpu(|b| {
            let y: Vec<f32> = b
                .read::<f32>(0)?
                .iter()
                .map(|&x| (0..STEPS).fold(x, |v, _| v * 0.999 + v.sin()))
                .collect();
            b.write(1, &y)
        })
}

fn iterate_pipeline() -> PipelineBuilder {
    Pipeline::builder().stage(Stage::gpu::<f32, f32>("iterate", &iterate()))
}

/// Frames per second through a fresh pipeline, and its batches per side.
fn measure(
    rt: &Runtime,
    queue: &ActorRef<GpuQueue>,
    builder: PipelineBuilder,
    make: &dyn Fn(usize) -> Frame,
    frames: usize,
) -> (f64, u64, u64) {
    let p = builder
        .capacity(2)
        .gpu_queue(queue.clone())
        .spawn(rt.handle())
        .expect("pipeline");
    let run = |frames: usize| {
        rt.block_on(async {
            let mut pending = std::collections::VecDeque::new();
            for i in 0..frames {
                pending.push_back(p.submit(make(i)).await.expect("submit"));
                if pending.len() > 4 {
                    pending.pop_front().expect("pending").await.expect("frame");
                }
            }
            for done in pending {
                done.await.expect("frame");
            }
        })
    };
    run(WARM_UP);
    let before = p.status();
    let started = Instant::now();
    run(frames);
    let fps = frames as f64 / started.elapsed().as_secs_f64();
    let after = p.status();
    p.stop();
    // Batches of the automatically placed stages only.
    let auto = |s: &actor_gpu::pipeline::PipelineStatus, gpu: bool| -> u64 {
        s.stages
            .iter()
            .filter(|s| s.placement == Placement::Auto)
            .map(|s| if gpu { s.gpu_batches } else { s.cpu_batches })
            .sum()
    };
    (
        fps,
        auto(&after, true) - auto(&before, true),
        auto(&after, false) - auto(&before, false),
    )
}

fn compare(
    rt: &Runtime,
    queue: &ActorRef<GpuQueue>,
    name: &str,
    size: &str,
    builder: &dyn Fn() -> PipelineBuilder,
    make: &dyn Fn(usize) -> Frame,
    frames: usize,
) -> f64 {
    let mut best = [0.0f64; 3];
    let mut sides = (0, 0);
    for _ in 0..ROUNDS {
        for (i, mode) in [Placement::Cpu, Placement::Gpu, Placement::Auto]
            .into_iter()
            .enumerate()
        {
            let (fps, g, c) = measure(rt, queue, builder().placement(mode), make, frames);
            if fps > best[i] {
                best[i] = fps;
                if mode == Placement::Auto {
                    sides = (g, c);
                }
            }
        }
    }
    let [cpu, gpu, auto] = best;
    let ratio = auto / cpu.max(gpu);
    println!(
        "{name:<8} {size:>10} {cpu:>10.1} {gpu:>10.1} {auto:>10.1} {:>9.2} {:>7}/{:<7}",
        ratio, sides.0, sides.1
    );
    ratio
}

fn main() {
    // `cargo bench` passes `--bench`; this program takes no options.
    match adapters().first() {
        Some(a) => println!("adapter: {a}"),
        None => println!("no Vulkan adapter: the GPU side is the queue's CPU fallback"),
    }
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    // One queue for every pipeline measured: a device opened (and
    // llvmpipe's threads started) per pipeline would weigh on whichever
    // mode runs next.
    let queue = rt.spawn(GpuQueue::default).expect("queue");
    queue.status_blocking().expect("queue started");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>9} {:>15}",
        "pipeline",
        "size",
        "CPU fps",
        "GPU fps",
        "auto fps",
        "auto/best",
        "auto stages' GPU/CPU batches"
    );
    let mut worst = f64::INFINITY;
    // (side, frames per timed run): the same count for every mode, so no
    // mode gets shorter (and luckier) windows on a busy machine.
    for (side, frames) in [(32u32, 400), (128, 150), (512, 40)] {
        let image: Vec<u32> = (0..side * side)
            .map(|i| (i * 2_654_435_761) >> 24)
            .collect();
        let make = |i: usize| {
            let img: Vec<u32> = image.iter().map(|v| (v + i as u32) & 255).collect();
            Frame::new([side, side, 0, 0], &img).expect("frame")
        };
        let r = compare(
            &rt,
            &queue,
            "image",
            &format!("{side}x{side}"),
            &image_pipeline,
            &make,
            frames,
        );
        worst = worst.min(r);
    }
    for (len, frames) in [(256usize, 300), (4096, 40), (65_536, 12)] {
        let data: Vec<f32> = (0..len).map(|i| (i % 1000) as f32 * 0.01).collect();
        let make = |_: usize| Frame::new([0; 4], &data).expect("frame");
        let r = compare(
            &rt,
            &queue,
            "iterate",
            &len.to_string(),
            &iterate_pipeline,
            &make,
            frames,
        );
        worst = worst.min(r);
    }
    println!("worst auto/best: {worst:.2} (target: at least 0.90)");
    rt.shutdown().expect("shutdown");
}
