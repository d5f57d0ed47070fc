//! Automatic batching: tasks sent one by one through [`GpuQueueExt::submit`]
//! wait in a queue per [`Priority`] until the next flush, which encodes
//! them, highest priority first, into as few submits as `max_batch` allows.
//!
//! A flush comes at the latest `batch_wait` after the first task of a batch
//! arrived; with `batch_wait` zero (the default) it is a message the queue
//! sends itself, which lands behind every task already in its mailbox: the
//! tasks that arrived together share a submit, and a task that arrived
//! alone is not held back. A batch that reaches `max_batch` is flushed the
//! same way at once.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use actor_core::{ActorRef, AskError, Reply, ReplyTo, SendError, TimerHandle, oneshot};

use crate::queue::GpuQueueMsg;
use crate::{ComputeTask, GpuError, GpuQueue, TaskOutput};

type Answer = Result<TaskOutput, GpuError>;

/// How soon a queued task is encoded, next to the others waiting with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Encoded before every normal and low task waiting.
    High,
    /// Encoded after the high tasks waiting, before the low ones.
    #[default]
    Normal,
    /// Encoded after every other task waiting.
    Low,
}

impl Priority {
    fn lane(self) -> usize {
        match self {
            Priority::High => 0,
            Priority::Normal => 1,
            Priority::Low => 2,
        }
    }
}

/// What the queue should do after a task joined the waiting batch.
pub(crate) enum Trigger {
    /// Nothing: a flush is already on its way.
    None,
    /// Flush behind the messages already in the mailbox.
    Soon,
    /// Arm a timer for a flush after this long.
    After(Duration),
}

/// The tasks waiting for the next flush, one FIFO lane per priority.
#[derive(Debug, Default)]
pub(crate) struct Waiting {
    lanes: [VecDeque<(ComputeTask, ReplyTo<Answer>)>; 3],
    /// The timer of a `batch_wait` flush, while one is armed.
    pub(crate) timer: Option<TimerHandle>,
    /// A flush message is in the mailbox.
    pub(crate) flush_sent: bool,
}

impl Waiting {
    /// Adds a task, and says what would flush it in time.
    pub(crate) fn push(
        &mut self,
        task: ComputeTask,
        priority: Priority,
        reply: ReplyTo<Answer>,
        max_batch: usize,
        batch_wait: Duration,
    ) -> Trigger {
        self.lanes[priority.lane()].push_back((task, reply));
        if self.flush_sent {
            Trigger::None
        } else if self.len() >= max_batch.max(1) || batch_wait.is_zero() {
            Trigger::Soon
        } else if self.timer.is_some() {
            Trigger::None
        } else {
            Trigger::After(batch_wait)
        }
    }

    /// Tasks waiting.
    pub(crate) fn len(&self) -> usize {
        self.lanes.iter().map(VecDeque::len).sum()
    }

    /// Takes every waiting task, highest priority first and in arrival
    /// order within a priority, and cancels the timer. A task whose asker
    /// stopped waiting still runs: it may update a resident buffer.
    pub(crate) fn drain(&mut self) -> (Vec<ComputeTask>, Vec<ReplyTo<Answer>>) {
        if let Some(timer) = self.timer.take() {
            timer.cancel();
        }
        self.flush_sent = false;
        self.lanes.iter_mut().flat_map(std::mem::take).unzip()
    }
}

/// Sending single tasks to a [`GpuQueue`] for automatic batching: tasks that
/// arrive together share a command buffer and a submit, encoded in
/// [`Priority`] order (see [`GpuQueueConfig::max_batch`] and
/// [`GpuQueueConfig::batch_wait`]).
///
/// [`GpuQueueConfig::max_batch`]: crate::GpuQueueConfig::max_batch
/// [`GpuQueueConfig::batch_wait`]: crate::GpuQueueConfig::batch_wait
///
/// ```
/// use actor_core::prelude::*;
/// use actor_gpu::{ComputeTask, GpuQueue, GpuQueueExt, Priority, kernels};
///
/// let rt = Runtime::builder().shards(1).build()?;
/// let queue = rt.spawn(GpuQueue::default)?; // llvmpipe, a GPU, or the CPU
/// let add = kernels::vector_add();
/// let task = |x: f32| {
///     ComputeTask::new(&add).input(&[x; 4]).input(&[1.0f32; 4]).output::<f32>(4)
/// };
/// // Sent together, answered separately: few submits for many tasks.
/// let urgent = queue.try_submit(task(1.0), Priority::High)?;
/// let later = queue.try_submit(task(2.0), Priority::Low)?;
/// assert_eq!(urgent.wait_blocking()??.get::<f32>(2)?, [2.0; 4]);
/// assert_eq!(later.wait_blocking()??.get::<f32>(2)?, [3.0; 4]);
/// assert_eq!(queue.submit_blocking(task(3.0), Priority::Normal)??.get::<f32>(2)?, [4.0; 4]);
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait GpuQueueExt {
    /// Queues `task` for the next batch and waits for its answer (waiting
    /// for room in the mailbox first).
    fn submit(
        &self,
        task: ComputeTask,
        priority: Priority,
    ) -> impl Future<Output = Result<Answer, AskError>>;

    /// Queues `task` without waiting for room: `Full` or `Closed` hand the
    /// message back; otherwise await (or
    /// [`wait_blocking`](Reply::wait_blocking) for) the answer.
    fn try_submit(
        &self,
        task: ComputeTask,
        priority: Priority,
    ) -> Result<Reply<Answer>, SendError<GpuQueueMsg>>;

    /// [`submit`](GpuQueueExt::submit) from a plain thread; on a shard
    /// thread it sends nothing and answers `Err(WouldBlock)`.
    fn submit_blocking(&self, task: ComputeTask, priority: Priority) -> Result<Answer, AskError>;
}

impl GpuQueueExt for ActorRef<GpuQueue> {
    fn submit(
        &self,
        task: ComputeTask,
        priority: Priority,
    ) -> impl Future<Output = Result<Answer, AskError>> {
        self.ask(move |reply| GpuQueueMsg::Enqueue {
            task,
            priority,
            reply,
            reply_to: None,
        })
    }

    fn try_submit(
        &self,
        task: ComputeTask,
        priority: Priority,
    ) -> Result<Reply<Answer>, SendError<GpuQueueMsg>> {
        let (reply, answer) = oneshot();
        self.try_enqueue(task, priority, reply)?;
        Ok(answer)
    }

    fn submit_blocking(&self, task: ComputeTask, priority: Priority) -> Result<Answer, AskError> {
        let (reply, answer) = oneshot();
        match self.enqueue_blocking(task, priority, reply) {
            Ok(()) => answer.wait_blocking(),
            Err(SendError::WouldBlock(_)) => Err(AskError::WouldBlock),
            Err(_) => Err(AskError::Closed),
        }
    }
}
