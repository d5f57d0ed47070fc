//! Tasks on the GPU, as in wgpu's hello-compute: per task only a bind group
//! and a dispatch (pipelines are cached, buffers pooled); a batch of tasks
//! shares one encoder and one submit; readback through mapped staging
//! buffers whose callbacks wake the waiting task.

use std::num::NonZeroU64;

use actor_core::{Reply, oneshot};

use crate::device::GpuDevice;
use crate::task::{RanOn, Role, TaskOutput};
use crate::{ComputeTask, GpuError};

type Answer = Result<TaskOutput, GpuError>;

/// One task's buffers while its batch is in flight.
struct InFlight {
    slot: usize,
    /// The task's binding count.
    bindings: usize,
    /// The pooled buffers it took, returned after it ran (resident ones
    /// stay where they are).
    buffers: Vec<wgpu::Buffer>,
    /// (binding, staging buffer, bytes) for each buffer read back.
    staging: Vec<(usize, wgpu::Buffer, u64)>,
    /// The map of each staging buffer, answered by wgpu's callback.
    maps: Vec<Reply<Result<(), wgpu::BufferAsyncError>>>,
}

/// A batch encoded and submitted, not yet read back: what
/// [`finish`] needs once the submission has completed.
pub(crate) struct Started {
    /// Answers known already (tasks that failed before the submit).
    answers: Vec<Option<Answer>>,
    in_flight: Vec<InFlight>,
    /// The submit to wait for; `None` when no task reached the device.
    pub(crate) index: Option<wgpu::SubmissionIndex>,
}

impl Started {
    /// A batch of `n` tasks that all failed with `e`.
    pub(crate) fn failed(n: usize, e: GpuError) -> Started {
        Started {
            answers: vec![Some(Err(e)); n],
            in_flight: Vec::new(),
            index: None,
        }
    }

    /// Its task count.
    pub(crate) fn len(&self) -> usize {
        self.answers.len()
    }

    /// Fails every task still in flight with `e` (a loss when the device
    /// turns out to be lost).
    pub(crate) fn fail(mut self, dev: &GpuDevice, e: GpuError) -> Vec<Answer> {
        let e = loss_or(dev, e);
        for t in self.in_flight.drain(..) {
            self.answers[t.slot] = Some(Err(e.clone()));
        }
        collect(self.answers)
    }
}

/// Runs `tasks` on `dev` with one submit, answering each in order; awaits
/// completion without blocking the shard. A task that does not fit its
/// kernel fails alone; an error the device raises fails the whole batch,
/// and is reported as a loss when the device turns out to be lost.
pub(crate) async fn run_batch(dev: &mut GpuDevice, tasks: &[ComputeTask]) -> Vec<Answer> {
    let started = start(dev, tasks).await;
    if let Some(index) = started.index.clone()
        && let Err(e) = dev.wait_for(index).await
    {
        return started.fail(dev, e);
    }
    finish(dev, started).await
}

/// Checks, compiles (pipelines are cached), encodes and submits `tasks` as
/// one command buffer, and asks for their readbacks. Natively, every await
/// in it is ready at once.
pub(crate) async fn start(dev: &mut GpuDevice, tasks: &[ComputeTask]) -> Started {
    if let Some(why) = dev.lost() {
        return Started::failed(tasks.len(), GpuError::DeviceLost(why));
    }
    let mut answers: Vec<Option<Answer>> = vec![None; tasks.len()];
    let mut pipelines = Vec::with_capacity(tasks.len());
    for (slot, task) in tasks.iter().enumerate() {
        let checked = task
            .check(dev.limits.max_compute_workgroups_per_dimension)
            .and_then(|()| check_sizes(dev, task));
        let compiled = match checked {
            Ok(()) => dev
                .compiled(&task.kernel)
                .await
                .map(|c| (c.pipeline.clone(), c.layout.clone())),
            Err(e) => Err(e),
        };
        match compiled {
            Ok(c) => pipelines.push((slot, c)),
            Err(e) => answers[slot] = Some(Err(e)),
        }
    }
    if pipelines.is_empty() {
        return Started {
            answers,
            in_flight: Vec::new(),
            index: None,
        };
    }
    let oom = dev.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let invalid = dev.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let mut encoder = dev
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    let in_flight: Vec<InFlight> = pipelines
        .into_iter()
        .map(|(slot, (pipeline, layout))| {
            encode(dev, &mut encoder, slot, &tasks[slot], &pipeline, &layout)
        })
        .collect();
    let index = dev.queue.submit([encoder.finish()]);
    dev.submits += 1;
    let invalid = invalid.pop().await;
    let oom = oom.pop().await;
    let mut started = Started {
        answers,
        in_flight,
        index: None,
    };
    if let Some(e) = invalid.or(oom) {
        let failed = started.fail(dev, GpuError::from_wgpu(e));
        return Started {
            answers: failed.into_iter().map(Some).collect(),
            in_flight: Vec::new(),
            index: None,
        };
    }
    for t in &mut started.in_flight {
        t.maps = t
            .staging
            .iter()
            .map(|(_, s, bytes)| {
                let (done, reply) = oneshot();
                s.slice(..*bytes)
                    .map_async(wgpu::MapMode::Read, move |r| done.send(r));
                reply
            })
            .collect();
    }
    started.index = Some(index);
    started
}

/// Reads back a batch whose submission has completed, and answers each
/// task in order.
pub(crate) async fn finish(dev: &mut GpuDevice, mut started: Started) -> Vec<Answer> {
    for task in std::mem::take(&mut started.in_flight) {
        let slot = task.slot;
        let answer = read_back(dev, task).await.map_err(|e| loss_or(dev, e));
        started.answers[slot] = Some(answer);
    }
    collect(started.answers)
}

fn collect(answers: Vec<Option<Answer>>) -> Vec<Answer> {
    answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(GpuError::Validation("task was not answered".into()))))
        .collect()
}

/// wgpu reports a loss through a callback that runs when the device is next
/// polled; this poll does not block.
pub(crate) fn loss_or(dev: &GpuDevice, e: GpuError) -> GpuError {
    if matches!(e, GpuError::DeviceLost(_) | GpuError::InvalidTask(_)) {
        return e;
    }
    let _ = dev.device.poll(wgpu::PollType::Poll);
    dev.lost().map_or(e, GpuError::DeviceLost)
}

/// Encodes one task: its buffers (pooled; inputs written, outputs
/// cleared), its bind group and dispatch, and the copies to staging.
fn encode(
    dev: &mut GpuDevice,
    encoder: &mut wgpu::CommandEncoder,
    slot: usize,
    task: &ComputeTask,
    pipeline: &wgpu::ComputePipeline,
    layout: &wgpu::BindGroupLayout,
) -> InFlight {
    let max = dev.limits.max_buffer_size;
    let mut pooled = Vec::with_capacity(task.buffers.len());
    let buffers: Vec<wgpu::Buffer> = task
        .buffers
        .iter()
        .map(|b| {
            let usage = match b.role {
                Role::Resident(id, _) => return dev.resident[&id].clone(),
                Role::Uniform => wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                Role::Input | Role::Output => {
                    wgpu::BufferUsages::STORAGE
                        | wgpu::BufferUsages::COPY_DST
                        | wgpu::BufferUsages::COPY_SRC
                }
            };
            let bytes = b.bytes();
            let buffer = dev.pool.take(&dev.device, bytes.len() as u64, usage, max);
            if b.role == Role::Output {
                encoder.clear_buffer(&buffer, 0, Some(bytes.len() as u64));
            } else {
                dev.queue.write_buffer(&buffer, 0, bytes);
            }
            pooled.push(buffer.clone());
            buffer
        })
        .collect();
    let entries: Vec<wgpu::BindGroupEntry<'_>> = buffers
        .iter()
        .zip(&task.buffers)
        .enumerate()
        .map(|(i, (buffer, b))| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: 0,
                // A resident buffer is bound whole; a pooled one may be
                // larger than the task's data.
                size: NonZeroU64::new(b.bytes().len() as u64),
            }),
        })
        .collect();
    let bind_group = dev.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(task.kernel.entry()),
        layout,
        entries: &entries,
    });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        let [x, y, z] = task.workgroups;
        pass.dispatch_workgroups(x, y, z);
    }
    let staging = task
        .read_back()
        .map(|i| {
            let bytes = task.buffers[i].bytes().len() as u64;
            let usage = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
            let s = dev.pool.take(&dev.device, bytes, usage, max);
            encoder.copy_buffer_to_buffer(&buffers[i], 0, &s, 0, bytes);
            (i, s, bytes)
        })
        .collect();
    InFlight {
        slot,
        bindings: task.buffers.len(),
        buffers: pooled,
        staging,
        maps: Vec::new(),
    }
}

/// Copies a finished task's staging buffers out and returns its buffers to
/// the pool.
async fn read_back(dev: &mut GpuDevice, task: InFlight) -> Answer {
    let lost = |dev: &GpuDevice| {
        GpuError::DeviceLost(dev.lost().unwrap_or_else(|| "readback failed".into()))
    };
    let mut out: Vec<Option<Vec<u32>>> = vec![None; task.bindings];
    for ((i, s, bytes), map) in task.staging.into_iter().zip(task.maps) {
        match map.await {
            Ok(Ok(())) => {}
            _ => return Err(lost(dev)),
        }
        let view = s
            .slice(..bytes)
            .get_mapped_range()
            .map_err(|e| GpuError::Validation(format!("readback: {e}")))?;
        let mut words = vec![0u32; view.len() / 4];
        bytemuck::cast_slice_mut::<u32, u8>(&mut words).copy_from_slice(&view);
        drop(view);
        s.unmap();
        dev.pool.give(s);
        out[i] = Some(words);
    }
    for b in task.buffers {
        dev.pool.give(b);
    }
    Ok(TaskOutput {
        buffers: out,
        ran_on: RanOn::Gpu(dev.info.name.clone()),
    })
}

/// A buffer past the device's limits is an out-of-memory error up front,
/// rather than a validation error from deep inside wgpu; a resident buffer
/// must be on this device.
fn check_sizes(dev: &GpuDevice, task: &ComputeTask) -> Result<(), GpuError> {
    for (binding, id, _) in task.residents() {
        if !dev.resident.contains_key(&id) {
            return Err(GpuError::InvalidTask(format!(
                "binding {binding}: buffer {id} is not on this queue (freed?)"
            )));
        }
    }
    for (i, b) in task.buffers.iter().enumerate() {
        let size = b.bytes().len() as u64;
        let limit = match b.role {
            Role::Uniform => dev.limits.max_uniform_buffer_binding_size,
            Role::Input | Role::Output | Role::Resident(..) => {
                dev.limits.max_storage_buffer_binding_size
            }
        }
        .min(dev.limits.max_buffer_size);
        if size > limit {
            return Err(GpuError::OutOfMemory(format!(
                "binding {i} is {size} bytes; the device allows {limit}"
            )));
        }
    }
    Ok(())
}
