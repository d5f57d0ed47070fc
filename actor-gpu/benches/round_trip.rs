//! A small task's round trip (write 8 KiB, one dispatch, read 4 KiB back)
//! through a `GpuQueue` next to the same sequence in raw wgpu; and 1000
//! small tasks sent singly through `GpuQueueExt::try_submit` (automatic
//! batching), in one `run_batch`, and through the `WgpuAccelerator` in one
//! batch, next to one `run` (one submit) each. Before measuring it prints
//! how many submits each way of sending 1000 tasks makes.
//!
//! `cargo bench -p actor-gpu --bench round_trip`; on a machine with no
//! Vulkan adapter it says so and measures nothing.

// criterion_group! makes an undocumented public function.
#![allow(missing_docs)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use actor_core::prelude::*;
use actor_gpu::{
    Accelerator, Completion, ComputeTask, GpuQueue, GpuQueueConfig, GpuQueueExt, Kernel, Priority,
    WgpuAccelerator, adapters,
};
use criterion::{Criterion, criterion_group, criterion_main};

const DOUBLE_HALF: &str = "
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&output) {
        output[id.x] = input[2u * id.x] + input[2u * id.x + 1u];
    }
}
";
const IN_WORDS: usize = 2048; // 8 KiB
const OUT_WORDS: usize = 1024; // 4 KiB

fn ready<F: Future>(f: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(f).poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("wgpu's native futures are ready when made"),
    }
}

/// The same work in raw wgpu, as its hello-compute example does it:
/// everything built once, per round trip a write, a dispatch, a copy, a
/// submit, a map and a blocking poll.
struct Raw {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipeline: wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    input: wgpu::Buffer,
    output: wgpu::Buffer,
    staging: wgpu::Buffer,
}

impl Raw {
    fn new() -> Raw {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::VULKAN;
        let instance = wgpu::Instance::new(desc);
        let adapter = ready(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        }))
        .expect("adapter");
        let (device, queue) =
            ready(adapter.request_device(&wgpu::DeviceDescriptor::default())).expect("device");
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: None,
            source: wgpu::ShaderSource::Wgsl(DOUBLE_HALF.into()),
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: None,
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        let buffer = |size: usize, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: size as u64 * 4,
                usage,
                mapped_at_creation: false,
            })
        };
        use wgpu::BufferUsages as U;
        let input = buffer(IN_WORDS, U::STORAGE | U::COPY_DST);
        let output = buffer(OUT_WORDS, U::STORAGE | U::COPY_SRC);
        let staging = buffer(OUT_WORDS, U::MAP_READ | U::COPY_DST);
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: input.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: output.as_entire_binding(),
                },
            ],
        });
        Raw {
            device,
            queue,
            pipeline,
            bind_group,
            input,
            output,
            staging,
        }
    }

    fn round_trip(&self, data: &[u32]) -> Vec<u32> {
        self.queue
            .write_buffer(&self.input, 0, bytemuck::cast_slice(data));
        let mut encoder = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &self.bind_group, &[]);
            pass.dispatch_workgroups((OUT_WORDS as u32).div_ceil(64), 1, 1);
        }
        encoder.copy_buffer_to_buffer(&self.output, 0, &self.staging, 0, None);
        let index = self.queue.submit([encoder.finish()]);
        self.staging
            .slice(..)
            .map_async(wgpu::MapMode::Read, |_| {});
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: None,
            })
            .expect("poll");
        let out = bytemuck::cast_slice(&self.staging.slice(..).get_mapped_range().expect("mapped"))
            .to_vec();
        self.staging.unmap();
        out
    }
}

fn round_trip(c: &mut Criterion) {
    if adapters().is_empty() {
        println!("no Vulkan adapter on this machine: nothing to measure");
        return;
    }
    let data: Vec<u32> = (0..IN_WORDS as u32).collect();
    let raw = Raw::new();
    // Room for 1000 single sends in the queue's mailbox.
    let rt = Runtime::builder()
        .shards(1)
        .mailbox_capacity(2048)
        .build()
        .expect("runtime");
    let queue = rt.spawn(GpuQueue::default).expect("queue");
    let polling = rt
        .spawn(|| {
            GpuQueue::new(GpuQueueConfig {
                completion: Completion::ShardPoll,
                ..Default::default()
            })
        })
        .expect("queue");
    let kernel = Kernel::new(DOUBLE_HALF, "main").expect("kernel");
    let task = ComputeTask::new(&kernel)
        .input(&data)
        .output::<u32>(OUT_WORDS)
        .workgroups_for(OUT_WORDS as u32);
    let via_queue = queue.run_blocking(task.clone()).unwrap().unwrap();
    assert_eq!(via_queue.get::<u32>(1).unwrap(), raw.round_trip(&data));

    let mut g = c.benchmark_group("gpu round trip 8 KiB in, 4 KiB out");
    g.bench_function("raw wgpu", |b| b.iter(|| raw.round_trip(&data)));
    g.bench_function("GpuQueue::run", |b| {
        b.iter(|| queue.run_blocking(task.clone()).unwrap().unwrap())
    });
    g.bench_function("GpuQueue::run, shard polls", |b| {
        b.iter(|| polling.run_blocking(task.clone()).unwrap().unwrap())
    });
    g.finish();

    let tasks: Vec<ComputeTask> = vec![task; 1000];
    let one_run_each = || {
        for t in &tasks {
            queue.run_blocking(t.clone()).unwrap().unwrap();
        }
    };
    // Sent singly from this thread, all before the first answer is awaited:
    // the queue batches those that are in its mailbox together.
    let single_sends = || {
        let replies: Vec<_> = tasks
            .iter()
            .map(|t| queue.try_submit(t.clone(), Priority::Normal).unwrap())
            .collect();
        for r in replies {
            r.wait_blocking().unwrap().unwrap();
        }
    };
    let one_run_batch = || queue.run_batch_blocking(tasks.clone()).unwrap();
    let mut accelerator = WgpuAccelerator::open(&Default::default()).expect("accelerator");
    let accelerator_batch = |acc: &mut WgpuAccelerator| {
        let ticket = acc.submit(tasks.clone());
        for answer in acc.wait(ticket) {
            answer.unwrap();
        }
    };
    let submits = || queue.status_blocking().unwrap().submits;
    for (name, run) in [
        ("one run each", &one_run_each as &dyn Fn()),
        ("single sends, batched automatically", &single_sends),
        ("run_batch", &|| drop(one_run_batch())),
    ] {
        let before = submits();
        run();
        println!("1000 small tasks, {name}: {} submits", submits() - before);
    }
    let before = accelerator.submits();
    accelerator_batch(&mut accelerator);
    println!(
        "1000 small tasks, WgpuAccelerator batch: {} submits",
        accelerator.submits() - before
    );

    let mut g = c.benchmark_group("gpu 1000 small tasks");
    g.sample_size(10);
    g.bench_function("one run each (1000 submits)", |b| b.iter(one_run_each));
    g.bench_function("single sends, batched automatically", |b| {
        b.iter(single_sends)
    });
    g.bench_function("run_batch (4 submits)", |b| b.iter(one_run_batch));
    g.bench_function("WgpuAccelerator, one batch (1 submit)", |b| {
        b.iter(|| accelerator_batch(&mut accelerator))
    });
    g.finish();
    rt.shutdown().expect("shutdown");
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
