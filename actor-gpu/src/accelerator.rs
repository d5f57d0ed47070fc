//! [`Accelerator`]: the device seam under the queue actor, for code that
//! drives a device itself (a plain thread, a test, an actor of its own):
//! submit a batch, poll it without blocking, or wait for it. Two
//! implementations give the same results: [`WgpuAccelerator`] on a GPU
//! adapter (the queue's own dispatch code) and [`CpuAccelerator`] through
//! the kernels' CPU implementations on a worker thread.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::adapter::{AdapterChoice, AdapterInfo};
use crate::device::GpuDevice;
use crate::dispatch::{self, Started};
use crate::{Completion, ComputeTask, GpuError, TaskOutput};

type Answer = Result<TaskOutput, GpuError>;

/// How long [`Accelerator::wait`] waits for one submission on a GPU before
/// it takes the device for hung.
const WAIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Something that runs batches of [`ComputeTask`]s: submit a batch, then
/// poll for it without blocking or wait for it. Answers come in task
/// order; a task that does not fit its kernel fails alone.
///
/// ```
/// use actor_gpu::{Accelerator, ComputeTask, CpuAccelerator, Polled, WgpuAccelerator, kernels};
///
/// let mut accelerators: Vec<Box<dyn Accelerator>> = vec![Box::new(CpuAccelerator::new()?)];
/// if let Ok(gpu) = WgpuAccelerator::open(&Default::default()) {
///     accelerators.push(Box::new(gpu)); // llvmpipe or a GPU, when there is one
/// }
/// let add = kernels::vector_add();
/// let task = ComputeTask::new(&add).input(&[1.0f32, 2.0]).input(&[3.0f32, 4.0]).output::<f32>(2);
/// for acc in &mut accelerators {
///     let ticket = acc.submit(vec![task.clone(); 3]);
///     let answers = match acc.poll(ticket) {
///         Polled::Done(answers) => answers,           // finished already
///         Polled::Pending(ticket) => acc.wait(ticket), // or block for it
///     };
///     for answer in answers {
///         assert_eq!(answer?.get::<f32>(2)?, [4.0, 6.0]);
///     }
/// }
/// # Ok::<(), actor_gpu::GpuError>(())
/// ```
pub trait Accelerator {
    /// Starts `tasks` as one batch (one submit on a GPU) and returns at
    /// once with its ticket.
    fn submit(&mut self, tasks: Vec<ComputeTask>) -> Ticket;

    /// Without blocking: the batch's answers if it has finished, or the
    /// ticket back.
    fn poll(&mut self, ticket: Ticket) -> Polled;

    /// Blocks the calling thread until the batch has finished; its answers.
    fn wait(&mut self, ticket: Ticket) -> Vec<Result<TaskOutput, GpuError>>;
}

/// A batch started by [`Accelerator::submit`], redeemed by
/// [`poll`](Accelerator::poll) or [`wait`](Accelerator::wait) on the same
/// accelerator (elsewhere, every task answers `InvalidTask`). A dropped
/// ticket leaves its batch's buffers with the accelerator until it is
/// dropped.
#[derive(Debug)]
#[must_use = "a batch's answers come only through its ticket"]
pub struct Ticket {
    owner: u64,
    id: u64,
    tasks: usize,
}

impl Ticket {
    /// Tasks in the batch.
    pub fn tasks(&self) -> usize {
        self.tasks
    }
}

/// What [`Accelerator::poll`] found.
#[derive(Debug)]
pub enum Polled {
    /// The batch finished: its answers, in task order.
    Done(Vec<Result<TaskOutput, GpuError>>),
    /// Still running: the ticket, to poll or wait on again.
    Pending(Ticket),
}

/// Tells accelerators apart, so that a ticket is redeemed only where it
/// was issued.
fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn not_ours(ticket: &Ticket) -> Vec<Answer> {
    let e = GpuError::InvalidTask(format!(
        "ticket {} was not issued by this accelerator",
        ticket.id
    ));
    vec![Err(e); ticket.tasks]
}

/// An [`Accelerator`] on one GPU adapter: the dispatch code of the queue
/// actor (cached pipelines, pooled buffers, one submit per batch), driven
/// by polling the device instead of by an actor.
pub struct WgpuAccelerator {
    dev: GpuDevice,
    owner: u64,
    next: u64,
    /// Batches in flight, with the flag wgpu sets when their work is done.
    in_flight: HashMap<u64, (Started, Arc<AtomicBool>)>,
}

impl std::fmt::Debug for WgpuAccelerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WgpuAccelerator")
            .field("adapter", &self.dev.info.name)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl WgpuAccelerator {
    /// Opens a device on the chosen adapter; `NoAdapter` when there is
    /// none (no Vulkan driver, or no match).
    pub fn open(choice: &AdapterChoice) -> Result<WgpuAccelerator, GpuError> {
        crate::adapter::adapters();
        let opened = crate::ready::now(GpuDevice::open(choice, Completion::Thread));
        let dev = opened.unwrap_or_else(|| {
            Err(GpuError::DeviceRequest(
                "the device did not open at once".into(),
            ))
        })?;
        Ok(WgpuAccelerator {
            dev,
            owner: next_owner(),
            next: 0,
            in_flight: HashMap::new(),
        })
    }

    /// The adapter it runs on.
    pub fn adapter(&self) -> &AdapterInfo {
        &self.dev.info
    }

    /// Command submits made so far.
    pub fn submits(&self) -> u64 {
        self.dev.submits
    }

    /// Reads back a batch whose work is done (or fails it on a lost device).
    fn finish(&mut self, started: Started) -> Vec<Answer> {
        if let Some(why) = self.dev.lost() {
            return started.fail(&self.dev, GpuError::DeviceLost(why));
        }
        let n = started.len();
        crate::ready::now(dispatch::finish(&mut self.dev, started)).unwrap_or_else(|| {
            vec![Err(GpuError::DeviceLost("a readback did not complete".into())); n]
        })
    }
}

impl Accelerator for WgpuAccelerator {
    fn submit(&mut self, tasks: Vec<ComputeTask>) -> Ticket {
        let n = tasks.len();
        let started =
            crate::ready::now(dispatch::start(&mut self.dev, &tasks)).unwrap_or_else(|| {
                Started::failed(n, GpuError::Validation("encoding did not complete".into()))
            });
        let done = Arc::new(AtomicBool::new(started.index.is_none()));
        if started.index.is_some() {
            let flag = done.clone();
            // Runs in the device poll that retires the submission, after
            // the map callbacks of that submission.
            self.dev
                .queue
                .on_submitted_work_done(move || flag.store(true, Ordering::Release));
        }
        let id = self.next;
        self.next += 1;
        self.in_flight.insert(id, (started, done));
        Ticket {
            owner: self.owner,
            id,
            tasks: n,
        }
    }

    fn poll(&mut self, ticket: Ticket) -> Polled {
        let Some((_, done)) = self
            .in_flight
            .get(&ticket.id)
            .filter(|_| ticket.owner == self.owner)
        else {
            return Polled::Done(not_ours(&ticket));
        };
        let done = done.clone();
        if !done.load(Ordering::Acquire) {
            let _ = self.dev.device.poll(wgpu::PollType::Poll);
        }
        if !done.load(Ordering::Acquire) && self.dev.lost().is_none() {
            return Polled::Pending(ticket);
        }
        match self.in_flight.remove(&ticket.id) {
            Some((started, _)) => Polled::Done(self.finish(started)),
            None => Polled::Done(not_ours(&ticket)),
        }
    }

    fn wait(&mut self, ticket: Ticket) -> Vec<Answer> {
        if ticket.owner != self.owner {
            return not_ours(&ticket);
        }
        let Some((started, _)) = self.in_flight.remove(&ticket.id) else {
            return not_ours(&ticket);
        };
        if let Some(index) = started.index.clone() {
            let waited = self.dev.device.poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: Some(WAIT_TIMEOUT),
            });
            if let Err(e) = waited {
                return started.fail(&self.dev, GpuError::DeviceLost(e.to_string()));
            }
        }
        self.finish(started)
    }
}

type Job = (Vec<ComputeTask>, mpsc::Sender<Vec<Answer>>);

/// An [`Accelerator`] on the CPU: each batch runs on a worker thread of its
/// own, through the kernels' CPU implementations, giving the results the
/// GPU gives.
#[derive(Debug)]
pub struct CpuAccelerator {
    owner: u64,
    next: u64,
    jobs: Option<mpsc::Sender<Job>>,
    worker: Option<JoinHandle<()>>,
    in_flight: HashMap<u64, mpsc::Receiver<Vec<Answer>>>,
}

impl CpuAccelerator {
    /// Starts its worker thread.
    pub fn new() -> Result<CpuAccelerator, GpuError> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let worker = std::thread::Builder::new()
            .name("pinion-cpu-accel".into())
            .spawn(move || {
                while let Ok((tasks, done)) = rx.recv() {
                    let _ = done.send(tasks.into_iter().map(run_one).collect());
                }
            })
            .map_err(|e| GpuError::Cpu(format!("worker thread: {e}")))?;
        Ok(CpuAccelerator {
            owner: next_owner(),
            next: 0,
            jobs: Some(jobs),
            worker: Some(worker),
            in_flight: HashMap::new(),
        })
    }
}

/// One task on the CPU; resident buffers belong to a queue, not here.
fn run_one(task: ComputeTask) -> Answer {
    if let Some((binding, id, _)) = task.residents().next() {
        return Err(GpuError::InvalidTask(format!(
            "binding {binding}: buffer {id} lives on a GPU queue, not on an accelerator"
        )));
    }
    crate::cpu::run_on_cpu(task)
}

fn worker_gone(n: usize) -> Vec<Answer> {
    vec![Err(GpuError::Cpu("the worker thread stopped".into())); n]
}

impl Accelerator for CpuAccelerator {
    fn submit(&mut self, tasks: Vec<ComputeTask>) -> Ticket {
        let n = tasks.len();
        let (done, answers) = mpsc::channel();
        if let Some(jobs) = &self.jobs
            && let Err(mpsc::SendError((_, done))) = jobs.send((tasks, done))
        {
            let _ = done.send(worker_gone(n));
        }
        let id = self.next;
        self.next += 1;
        self.in_flight.insert(id, answers);
        Ticket {
            owner: self.owner,
            id,
            tasks: n,
        }
    }

    fn poll(&mut self, ticket: Ticket) -> Polled {
        if ticket.owner != self.owner {
            return Polled::Done(not_ours(&ticket));
        }
        let Some(answers) = self.in_flight.get(&ticket.id) else {
            return Polled::Done(not_ours(&ticket));
        };
        let polled = match answers.try_recv() {
            Ok(answers) => answers,
            Err(mpsc::TryRecvError::Empty) => return Polled::Pending(ticket),
            Err(mpsc::TryRecvError::Disconnected) => worker_gone(ticket.tasks),
        };
        self.in_flight.remove(&ticket.id);
        Polled::Done(polled)
    }

    fn wait(&mut self, ticket: Ticket) -> Vec<Answer> {
        if ticket.owner != self.owner {
            return not_ours(&ticket);
        }
        match self.in_flight.remove(&ticket.id) {
            Some(answers) => answers.recv().unwrap_or_else(|_| worker_gone(ticket.tasks)),
            None => not_ours(&ticket),
        }
    }
}

impl Drop for CpuAccelerator {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
