//! [`GpuQueue`]: the actor that owns one device and queue on its shard and
//! runs [`ComputeTask`]s sent to it as messages, on the GPU or, through the
//! kernels' CPU implementations, on the blocking pool; single tasks sent
//! through [`GpuQueueExt`](crate::GpuQueueExt) are batched automatically.

use std::time::Instant;

use actor_core::prelude::*;
use actor_core::{ActorHooks, Handle};

use crate::batching::{Priority, Trigger, Waiting};
use crate::config::{Executor, Fallback, GpuQueueConfig, QueueStatus};
use crate::device::GpuDevice;
use crate::dispatch::run_batch;
use crate::resident::{self, BufferData, GpuBuffer, HostBuffers};
use crate::{ComputeTask, GpuError, TaskOutput};

type Answer = Result<TaskOutput, GpuError>;

enum Backend {
    Gpu(Box<GpuDevice>),
    Cpu(String),
}

/// A GPU queue actor: one wgpu device and queue, opened on its shard when
/// it starts; its state never leaves its shard. Send it tasks with
/// [`GpuQueueExt::submit`](crate::GpuQueueExt::submit) (batched with the
/// tasks that arrive with it, in [`Priority`] order), the generated `run`
/// (an ask answering `Result<TaskOutput, GpuError>`, one task, one submit)
/// or `run_batch` (an explicit batch).
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
    next_buffer: u64,
    host: HostBuffers,
    /// When the device was lost, while the queue runs on the CPU for it.
    lost_at: Option<Instant>,
    /// Single tasks waiting for the next automatic batch.
    waiting: Waiting,
    /// Batches run, on either path.
    batches: u64,
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
            next_buffer: 0,
            host: HostBuffers::default(),
            lost_at: None,
            waiting: Waiting::default(),
            batches: 0,
        }
    }

    fn count(name: &'static str, n: usize) {
        if let Some(h) = Handle::current() {
            h.counter(name).add(n as u64);
        }
    }

    /// Runs `tasks` on the blocking pool, one job for them all; resident
    /// buffers are host buffers here.
    async fn on_cpu(&mut self, tasks: Vec<ComputeTask>, ctx: &Context<Self>) -> Vec<Answer> {
        let n = tasks.len();
        self.cpu_tasks += n as u64;
        self.batches += 1;
        Self::count("gpu_queue_cpu_tasks", n);
        Self::count("gpu_queue_batches", 1);
        // The job runs the tasks in order on the resident buffers they bind,
        // so each sees what the ones before it wrote, as on a GPU.
        let mut lent = self.host.lend(&tasks);
        let backup = lent.buffers.clone();
        let job = move || {
            let answers = lent.run_in_order(tasks);
            (answers, lent)
        };
        match ctx.spawn_blocking(job).await {
            Ok((answers, lent)) => {
                self.host.buffers.extend(lent.buffers);
                answers
            }
            Err(e) => {
                self.host.buffers.extend(backup);
                vec![Err(GpuError::Cpu(e.to_string())); n]
            }
        }
    }

    /// Runs one batch on the device; after a device loss, on the CPU (or
    /// stops, with `Fallback::Never`).
    async fn on_device(&mut self, chunk: Vec<ComputeTask>, ctx: &mut Context<Self>) -> Vec<Answer> {
        let Backend::Gpu(dev) = &mut self.backend else {
            return self.on_cpu(chunk, ctx).await;
        };
        let done = run_batch(dev, &chunk).await;
        let lost = done.iter().find_map(|a| match a {
            Err(GpuError::DeviceLost(why)) => Some(why.clone()),
            _ => None,
        });
        let Some(why) = lost else {
            self.gpu_tasks += chunk.len() as u64;
            self.batches += 1;
            Self::count("gpu_queue_gpu_tasks", chunk.len());
            Self::count("gpu_queue_batches", 1);
            return done;
        };
        tracing::error!(reason = %why, "GPU device lost");
        Self::count("gpu_queue_device_lost", 1);
        self.host.lost.extend(dev.resident.keys().copied());
        if self.config.fallback == Fallback::Never {
            ctx.stop_with(ExitReason::Error(format!("GPU device lost: {why}")));
            return done;
        }
        tracing::warn!("the GPU queue goes on on the CPU");
        self.backend = Backend::Cpu(format!("device lost: {why}"));
        self.lost_at = Some(Instant::now());
        self.on_cpu(chunk, ctx).await
    }

    /// After a device loss, once `retry_gpu_after` has passed, opens a
    /// device again and moves the host copies of resident buffers onto it.
    async fn try_recover(&mut self) {
        let Some(at) = self.lost_at else { return };
        if at.elapsed() < self.config.retry_gpu_after {
            return;
        }
        let dev = match GpuDevice::open(&self.config.adapter, self.config.completion).await {
            Ok(dev) => dev,
            Err(e) => {
                tracing::debug!(error = %e, "no GPU device yet; staying on the CPU");
                self.lost_at = Some(Instant::now());
                return;
            }
        };
        let mut dev = Box::new(dev);
        for (id, words) in &self.host.buffers {
            let data = BufferData {
                words: words.clone(),
            };
            match resident::upload(&dev, &data).await {
                Ok(b) => {
                    dev.resident.insert(*id, b);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "resident buffers do not fit the new device; staying on the CPU");
                    self.lost_at = Some(Instant::now());
                    return;
                }
            }
        }
        tracing::info!(adapter = %dev.info, "GPU queue has a device again");
        Self::count("gpu_queue_device_recovered", 1);
        self.host.buffers.clear();
        self.lost_at = None;
        self.backend = Backend::Gpu(dev);
    }

    /// Runs `tasks` in batches of at most `max_batch`, one submit each.
    async fn run_all(&mut self, tasks: Vec<ComputeTask>, ctx: &mut Context<Self>) -> Vec<Answer> {
        let me = ctx.id();
        let mut answers: Vec<Option<Answer>> = tasks
            .iter()
            .map(|t| {
                let foreign = t.residents().find(|(_, _, queue)| *queue != me);
                foreign.map(|(binding, id, _)| {
                    Err(GpuError::InvalidTask(format!(
                        "binding {binding}: buffer {id} belongs to another queue"
                    )))
                })
            })
            .collect();
        let runnable: Vec<(usize, ComputeTask)> = tasks
            .into_iter()
            .enumerate()
            .filter(|(i, _)| answers[*i].is_none())
            .collect();
        let mut rest = runnable.into_iter().peekable();
        while rest.peek().is_some() {
            self.try_recover().await;
            let (slots, chunk): (Vec<usize>, Vec<ComputeTask>) =
                rest.by_ref().take(self.config.max_batch.max(1)).unzip();
            let done = self.on_device(chunk, ctx).await;
            for (slot, answer) in slots.into_iter().zip(done) {
                answers[slot] = Some(answer);
            }
        }
        answers
            .into_iter()
            .map(|a| a.unwrap_or(Err(GpuError::QueueStopped)))
            .collect()
    }

    /// Runs every task waiting for an automatic batch and answers each.
    async fn flush_waiting(&mut self, ctx: &mut Context<Self>) {
        let (tasks, replies) = self.waiting.drain();
        if tasks.is_empty() {
            return;
        }
        let answers = self.run_all(tasks, ctx).await;
        for (reply, answer) in replies.into_iter().zip(answers) {
            reply.send(answer);
        }
    }
}

impl ActorHooks for GpuQueue {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // Enumerated once per process; lists them in the zero-config report.
        crate::adapter::adapters();
        if self.config.fallback == Fallback::Always {
            self.backend = Backend::Cpu("asked to run on the CPU".into());
            return Ok(());
        }
        match GpuDevice::open(&self.config.adapter, self.config.completion).await {
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

    /// Queues `task` for the next automatic batch and answers it through
    /// `reply` once it ran; [`GpuQueueExt`](crate::GpuQueueExt) makes the
    /// reply pair. The batch is flushed behind the messages already in the
    /// mailbox, after at most `batch_wait`, or as soon as it holds
    /// `max_batch` tasks.
    #[message]
    pub async fn enqueue(
        &mut self,
        task: ComputeTask,
        priority: Priority,
        reply: ReplyTo<Result<TaskOutput, GpuError>>,
        ctx: &mut Context<Self>,
    ) {
        let (max, wait) = (self.config.max_batch, self.config.batch_wait);
        match self.waiting.push(task, priority, reply, max, wait) {
            Trigger::None => {}
            Trigger::Soon => {
                let flush = GpuQueueMsg::Flush { reply_to: None };
                match ctx.myself().try_tell(flush) {
                    Ok(()) => self.waiting.flush_sent = true,
                    // A full mailbox: the batch is as large as it gets.
                    Err(_) => self.flush_waiting(ctx).await,
                }
            }
            Trigger::After(wait) => {
                let flush = GpuQueueMsg::Flush { reply_to: None };
                self.waiting.timer = Some(ctx.tell_after(wait, flush));
            }
        }
    }

    /// Runs the tasks waiting for an automatic batch now, highest priority
    /// first, in as few submits as `max_batch` allows.
    #[message]
    pub async fn flush(&mut self, ctx: &mut Context<Self>) {
        self.flush_waiting(ctx).await;
    }

    /// Uploads `data` into a buffer that stays on the queue between tasks
    /// (on the device, or in host memory on a CPU queue).
    #[message]
    pub async fn upload(
        &mut self,
        data: BufferData,
        ctx: &mut Context<Self>,
    ) -> Result<GpuBuffer, GpuError> {
        let id = self.next_buffer;
        self.next_buffer += 1;
        let bytes = data.bytes();
        match &mut self.backend {
            Backend::Gpu(dev) => {
                let buffer = resident::upload(dev, &data).await?;
                dev.resident.insert(id, buffer);
            }
            Backend::Cpu(_) => {
                self.host.buffers.insert(id, data.words);
            }
        }
        Ok(GpuBuffer {
            id,
            bytes,
            queue: ctx.id(),
        })
    }

    /// The current contents of a resident buffer.
    #[message]
    pub async fn download(
        &mut self,
        buffer: GpuBuffer,
        ctx: &mut Context<Self>,
    ) -> Result<BufferData, GpuError> {
        if buffer.queue != ctx.id() {
            return Err(GpuError::InvalidTask(format!(
                "buffer {} belongs to another queue",
                buffer.id
            )));
        }
        if let Backend::Gpu(dev) = &mut self.backend
            && let Some(b) = dev.resident.get(&buffer.id).cloned()
        {
            return resident::download(dev, &b).await;
        }
        match self.host.buffers.get(&buffer.id) {
            Some(words) => Ok(BufferData {
                words: words.clone(),
            }),
            None if self.host.lost.contains(&buffer.id) => Err(GpuError::DeviceLost(format!(
                "buffer {} was on the lost device",
                buffer.id
            ))),
            None => Err(GpuError::InvalidTask(format!(
                "buffer {} is not on this queue (freed?)",
                buffer.id
            ))),
        }
    }

    /// Releases a resident buffer; answers whether it was there.
    #[message]
    pub fn free(&mut self, buffer: GpuBuffer, ctx: &mut Context<Self>) -> bool {
        if buffer.queue != ctx.id() {
            return false;
        }
        let on_device = match &mut self.backend {
            Backend::Gpu(dev) => dev.resident.remove(&buffer.id).is_some(),
            Backend::Cpu(_) => false,
        };
        let on_host = self.host.buffers.remove(&buffer.id).is_some();
        self.host.lost.remove(&buffer.id);
        on_device || on_host
    }

    /// Where tasks run now, and how many ran where.
    #[message]
    pub fn status(&self) -> QueueStatus {
        let mut status = QueueStatus {
            executor: Executor::Cpu(String::new()),
            gpu_tasks: self.gpu_tasks,
            cpu_tasks: self.cpu_tasks,
            batches: self.batches,
            queued: self.waiting.len(),
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
