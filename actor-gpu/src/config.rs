//! A [`GpuQueue`](crate::GpuQueue)'s settings and what it reports.

use std::time::Duration;

use crate::adapter::{AdapterChoice, AdapterInfo};

/// When a queue runs tasks on the CPU instead of a GPU.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// On the GPU when one opens; on the CPU when none does, and after the
    /// device is lost.
    #[default]
    WhenNoGpu,
    /// Never: no GPU fails the queue's start, a lost device stops the queue
    /// (a failure its supervisor sees; the restarted queue opens a new one).
    Never,
    /// Always on the CPU, even with a GPU present.
    Always,
}

/// How a queue learns that work it submitted has finished. Either way the
/// shard never blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Completion {
    /// A completion thread per device waits for each submission and wgpu's
    /// callbacks wake the queue; the shard sleeps while the GPU works.
    #[default]
    Thread,
    /// The shard polls the device without blocking, between its other
    /// tasks, while work is in flight: no thread hop, but the shard spins
    /// while the GPU works (worth it for short tasks on a real GPU).
    ShardPoll,
}

/// How a [`GpuQueue`](crate::GpuQueue) chooses its device and batches its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuQueueConfig {
    /// Which adapter to open.
    pub adapter: AdapterChoice,
    /// When to run on the CPU instead.
    pub fallback: Fallback,
    /// The most tasks encoded into one submit, for an automatic batch (see
    /// [`GpuQueueExt`](crate::GpuQueueExt)) as for a
    /// [`run_batch`](crate::GpuQueue::run_batch); a larger batch takes several.
    pub max_batch: usize,
    /// The longest a task sent through [`GpuQueueExt`](crate::GpuQueueExt)
    /// waits for others to join its batch. Zero (the default): its batch is
    /// flushed once the queue has taken in the messages already in its
    /// mailbox, so tasks that arrive together share a submit and a task
    /// that arrives alone is not held back.
    pub batch_wait: Duration,
    /// After a device loss (with [`Fallback::WhenNoGpu`]), how long the
    /// queue runs on the CPU before it tries to open a device again, at the
    /// next task; resident buffers move back onto the new device.
    pub retry_gpu_after: Duration,
    /// How completion is detected.
    pub completion: Completion,
}

impl Default for GpuQueueConfig {
    fn default() -> GpuQueueConfig {
        GpuQueueConfig {
            adapter: AdapterChoice::Default,
            fallback: Fallback::WhenNoGpu,
            max_batch: 256,
            batch_wait: Duration::ZERO,
            retry_gpu_after: Duration::from_secs(5),
            completion: Completion::Thread,
        }
    }
}

/// Where a queue runs its tasks now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Executor {
    /// On this GPU adapter.
    Gpu(AdapterInfo),
    /// On the CPU, for this reason.
    Cpu(String),
}

/// What a queue reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStatus {
    /// Where tasks run now.
    pub executor: Executor,
    /// Tasks run on the GPU so far.
    pub gpu_tasks: u64,
    /// Tasks run on the CPU so far.
    pub cpu_tasks: u64,
    /// Batches run so far, on either path: one submit each on the GPU, one
    /// blocking-pool job each on the CPU (also the `gpu_queue_batches`
    /// counter of the runtime's metrics).
    pub batches: u64,
    /// Tasks waiting for the next automatic batch.
    pub queued: usize,
    /// Pipelines compiled and cached on the device.
    pub cached_pipelines: usize,
    /// Command submits made to the current device.
    pub submits: u64,
    /// Device buffers allocated (storage and staging).
    pub buffers_created: u64,
    /// Device buffers handed out again from the pool.
    pub buffers_reused: u64,
}
