//! [`GpuQueue`]: the actor that owns one device and queue on its shard and
//! runs [`ComputeTask`]s sent to it as messages, on the GPU or, through the
//! kernels' CPU implementations, on the blocking pool.

use actor_core::prelude::*;
use actor_core::{ActorHooks, Handle};

use crate::adapter::{AdapterChoice, AdapterInfo};
use crate::device::GpuDevice;
use crate::dispatch::run_batch;
use crate::{ComputeTask, GpuError, TaskOutput};

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

/// How a [`GpuQueue`] chooses its device and batches its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuQueueConfig {
    /// Which adapter to open.
    pub adapter: AdapterChoice,
    /// When to run on the CPU instead.
    pub fallback: Fallback,
    /// The most tasks of a [`run_batch`](GpuQueue::run_batch) encoded into
    /// one submit; a larger batch takes several.
    pub max_batch: usize,
}

impl Default for GpuQueueConfig {
    fn default() -> GpuQueueConfig {
        GpuQueueConfig {
            adapter: AdapterChoice::Default,
            fallback: Fallback::WhenNoGpu,
            max_batch: 256,
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
    /// Pipelines compiled and cached on the device.
    pub cached_pipelines: usize,
    /// Command submits made to the device.
    pub submits: u64,
    /// Device buffers allocated (storage and staging).
    pub buffers_created: u64,
    /// Device buffers handed out again from the pool.
    pub buffers_reused: u64,
}

enum Backend {
    Gpu(Box<GpuDevice>),
    Cpu(String),
}

/// A GPU queue actor: one wgpu device and queue, opened on its shard when
/// it starts. Send it tasks with the generated `run` (an ask answering
/// `Result<TaskOutput, GpuError>`); its state never leaves its shard.
///
/// ```
/// use actor_core::prelude::*;
/// use actor_gpu::{ComputeTask, GpuQueue, Kernel};
///
/// const DOUBLE: &str = "
/// @group(0) @binding(0) var<storage, read_write> v: array<u32>;
/// @compute @workgroup_size(64)
/// fn main(@builtin(global_invocation_id) id: vec3<u32>) {
///     if id.x < arrayLength(&v) { v[id.x] = v[id.x] * 2u; }
/// }";
///
/// let kernel = Kernel::new(DOUBLE, "main")?.with_cpu(|b| {
///     b.read_write::<u32>(0)?.iter_mut().for_each(|x| *x *= 2);
///     Ok(())
/// });
/// let rt = Runtime::builder().shards(1).build()?;
/// let queue = rt.spawn(GpuQueue::default)?; // llvmpipe, a GPU, or the CPU
/// let task = ComputeTask::new(&kernel).input(&[1u32, 2, 3]).workgroups_for(3);
/// let out = queue.run_blocking(task)??;
/// assert_eq!(out.get::<u32>(0)?, [2, 4, 6]);
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[actor(name = "gpu-queue", hooks)]
pub struct GpuQueue {
    config: GpuQueueConfig,
    backend: Backend,
    gpu_tasks: u64,
    cpu_tasks: u64,
}

impl std::fmt::Debug for GpuQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuQueue")
            .field("config", &self.config)
            .field("gpu_tasks", &self.gpu_tasks)
            .field("cpu_tasks", &self.cpu_tasks)
            .finish_non_exhaustive()
    }
}

impl Default for GpuQueue {
    fn default() -> GpuQueue {
        GpuQueue::new(GpuQueueConfig::default())
    }
}

impl GpuQueue {
    /// A queue that opens its device, per `config`, when it starts.
    pub fn new(config: GpuQueueConfig) -> GpuQueue {
        GpuQueue {
            config,
            backend: Backend::Cpu("not started".into()),
            gpu_tasks: 0,
            cpu_tasks: 0,
        }
    }

    fn count(name: &'static str, n: usize) {
        if let Some(h) = Handle::current() {
            h.counter(name).add(n as u64);
        }
    }

    /// Runs `tasks` on the blocking pool, one job for them all.
    async fn on_cpu(
        &mut self,
        tasks: Vec<ComputeTask>,
        ctx: &Context<Self>,
    ) -> Vec<Result<TaskOutput, GpuError>> {
        let n = tasks.len();
        self.cpu_tasks += n as u64;
        Self::count("gpu_queue_cpu_tasks", n);
        let job = move || tasks.into_iter().map(crate::cpu::run_on_cpu).collect();
        match ctx.spawn_blocking(job).await {
            Ok(answers) => answers,
            Err(e) => vec![Err(GpuError::Cpu(e.to_string())); n],
        }
    }

    /// Runs `tasks` in batches of at most `max_batch`, one submit each;
    /// after a device loss, on the CPU (or stops, with `Fallback::Never`).
    async fn run_all(
        &mut self,
        tasks: Vec<ComputeTask>,
        ctx: &mut Context<Self>,
    ) -> Vec<Result<TaskOutput, GpuError>> {
        let mut answers = Vec::with_capacity(tasks.len());
        let mut rest = tasks.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<ComputeTask> =
                rest.by_ref().take(self.config.max_batch.max(1)).collect();
            let Backend::Gpu(dev) = &mut self.backend else {
                answers.extend(self.on_cpu(chunk, ctx).await);
                continue;
            };
            let done = run_batch(dev, &chunk).await;
            let lost = done.iter().find_map(|a| match a {
                Err(GpuError::DeviceLost(why)) => Some(why.clone()),
                _ => None,
            });
            let Some(why) = lost else {
                self.gpu_tasks += chunk.len() as u64;
                Self::count("gpu_queue_gpu_tasks", chunk.len());
                answers.extend(done);
                continue;
            };
            tracing::error!(reason = %why, "GPU device lost");
            Self::count("gpu_queue_device_lost", 1);
            if self.config.fallback == Fallback::Never {
                ctx.stop_with(ExitReason::Error(format!("GPU device lost: {why}")));
                answers.extend(done);
                let left = rest.by_ref().count();
                answers.extend((0..left).map(|_| Err(GpuError::DeviceLost(why.clone()))));
                break;
            }
            tracing::warn!("the GPU queue goes on on the CPU");
            self.backend = Backend::Cpu(format!("device lost: {why}"));
            answers.extend(self.on_cpu(chunk, ctx).await);
        }
        answers
    }
}

impl ActorHooks for GpuQueue {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.config.fallback == Fallback::Always {
            self.backend = Backend::Cpu("asked to run on the CPU".into());
            return Ok(());
        }
        match GpuDevice::open(&self.config.adapter).await {
            Ok(dev) => {
                tracing::info!(adapter = %dev.info, "GPU queue opened a device");
                self.backend = Backend::Gpu(Box::new(dev));
            }
            Err(e) if self.config.fallback == Fallback::WhenNoGpu => {
                tracing::warn!(error = %e, "no GPU device; tasks run on the CPU");
                self.backend = Backend::Cpu(e.to_string());
            }
            Err(e) => return Err(Box::new(e)),
        }
        Ok(())
    }
}

#[messages]
impl GpuQueue {
    /// Runs `task`: on the GPU, or on the CPU (the blocking pool) when the
    /// queue has no device. Never blocks the shard while the GPU works.
    #[message]
    pub async fn run(
        &mut self,
        task: ComputeTask,
        ctx: &mut Context<Self>,
    ) -> Result<TaskOutput, GpuError> {
        let mut answers = self.run_all(vec![task], ctx).await;
        answers.pop().unwrap_or(Err(GpuError::QueueStopped))
    }

    /// Runs `tasks` together: encoded into one command buffer and one
    /// submit per `max_batch` tasks (many small tasks cost few submits).
    /// Answers each task, in order. A task that does not fit its kernel
    /// fails alone; an error the device raises fails its whole submit.
    #[message]
    pub async fn run_batch(
        &mut self,
        tasks: Vec<ComputeTask>,
        ctx: &mut Context<Self>,
    ) -> Vec<Result<TaskOutput, GpuError>> {
        self.run_all(tasks, ctx).await
    }

    /// Where tasks run now, and how many ran where.
    #[message]
    pub fn status(&self) -> QueueStatus {
        let mut status = QueueStatus {
            executor: Executor::Cpu(String::new()),
            gpu_tasks: self.gpu_tasks,
            cpu_tasks: self.cpu_tasks,
            cached_pipelines: 0,
            submits: 0,
            buffers_created: 0,
            buffers_reused: 0,
        };
        match &self.backend {
            Backend::Gpu(dev) => {
                status.executor = Executor::Gpu(dev.info.clone());
                status.cached_pipelines = dev.cached_pipelines();
                status.submits = dev.submits;
                status.buffers_created = dev.pool.created();
                status.buffers_reused = dev.pool.reused();
            }
            Backend::Cpu(why) => status.executor = Executor::Cpu(why.clone()),
        }
        status
    }

    /// Destroys the device, as a driver reset or a removed GPU would: the
    /// next task sees the loss. For testing recovery; a no-op on the CPU.
    #[message]
    pub fn lose_device(&mut self) {
        if let Backend::Gpu(dev) = &self.backend {
            dev.destroy();
        }
    }
}
