//! # actor-gpu
//!
//! GPU queues as Pinion actors, over wgpu (Vulkan).
//!
//! - A [`GpuQueue`] is an actor that owns one device and queue on its
//!   shard. Tasks are messages; results come back as replies. Completion
//!   never blocks the shard: a completion thread waits for each submission
//!   and wgpu's map callbacks wake the queue.
//! - A [`Kernel`] is WGSL source and an entry point, parsed and validated
//!   when made (a compile error carries its line), its bindings read from
//!   the shader. Its pipeline is compiled once per device and cached by a
//!   hash of source, entry point and layout.
//! - A [`ComputeTask`] gives a kernel its buffers (typed through
//!   [`bytemuck::Pod`]) and workgroup counts; [`TaskOutput`] hands the
//!   `read_write` buffers back, typed.
//! - Single tasks sent through [`GpuQueueExt::submit`] are batched
//!   automatically: those that arrive together are encoded into one command
//!   buffer and one submit, [`Priority`] first, within the bounds
//!   [`GpuQueueConfig::max_batch`] and [`GpuQueueConfig::batch_wait`].
//!   [`GpuQueue::run_batch`] does the same for an explicit batch. Device
//!   buffers come from a pool, so tasks of a steady shape allocate none.
//! - A [`GpuBuffer`] stays on the queue between tasks
//!   ([`ComputeTask::resident`]): consecutive GPU tasks pass data without a
//!   round trip through host memory.
//! - A kernel may carry a CPU implementation. With no adapter, after a lost
//!   device, or when asked ([`Fallback`]), tasks run on the CPU through it,
//!   with the same API and the same results.
//! - A [`Pipeline`] chains [`Stage`]s, CPU or GPU, each an actor, linked
//!   by bounded mailboxes; data stays on the GPU between GPU stages, and a
//!   stage with both a kernel and a CPU twin is placed per batch on the
//!   side that finishes it soonest ([`pipeline`]).
//! - [`adapters`] lists the machine's adapters (and lists them in
//!   actor-core's zero-config report); [`AdapterChoice`] picks one by
//!   index, name or kind, or discrete > integrated > software.
//! - Under the actor, the [`Accelerator`] trait (`submit`, `poll`, `wait`)
//!   drives a device directly: [`WgpuAccelerator`] on a GPU adapter and
//!   [`CpuAccelerator`] through the CPU implementations give the same
//!   results.
//!
//! ```
//! use actor_gpu::{ComputeTask, Kernel, run_on_cpu};
//!
//! let add = Kernel::new(
//!     "@group(0) @binding(0) var<storage, read> a: array<f32>;
//!      @group(0) @binding(1) var<storage, read> b: array<f32>;
//!      @group(0) @binding(2) var<storage, read_write> c: array<f32>;
//!      @compute @workgroup_size(64)
//!      fn add(@builtin(global_invocation_id) id: vec3<u32>) {
//!          if id.x < arrayLength(&c) { c[id.x] = a[id.x] + b[id.x]; }
//!      }",
//!     "add",
//! )?
//! .with_cpu(|b| {
//!     let sum: Vec<f32> = b.read::<f32>(0)?.iter().zip(b.read::<f32>(1)?).map(|(x, y)| x + y).collect();
//!     b.write(2, &sum)
//! });
//! let task = ComputeTask::new(&add)
//!     .input(&[1.0f32, 2.0])
//!     .input(&[10.0f32, 20.0])
//!     .output::<f32>(2)
//!     .workgroups_for(2);
//! assert_eq!(run_on_cpu(task)?.get::<f32>(2)?, [11.0, 22.0]);
//! # Ok::<(), actor_gpu::GpuError>(())
//! ```

mod accelerator;
mod adapter;
mod batching;
mod config;
mod cpu;
mod device;
mod dispatch;
mod error;
mod kernel;
pub mod kernels;
pub mod pipeline;
mod poller;
mod pool;
mod queue;
mod ready;
mod resident;
mod task;

pub use accelerator::{Accelerator, CpuAccelerator, Polled, Ticket, WgpuAccelerator};
pub use adapter::{AdapterChoice, AdapterInfo, DeviceKind, adapters};
pub use batching::{GpuQueueExt, Priority};
pub use config::{Completion, Executor, Fallback, GpuQueueConfig, QueueStatus};
pub use cpu::{CpuBindings, run_on_cpu};
pub use error::GpuError;
pub use kernel::{BindingKind, Kernel};
pub use queue::{GpuQueue, GpuQueueMsg};
pub use resident::{BufferData, GpuBuffer};
pub use task::{ComputeTask, RanOn, TaskOutput};

pub use pipeline::{Frame, Pipeline, PipelineError, Placement, Stage};

pub use bytemuck;
