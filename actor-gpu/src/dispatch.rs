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
    /// The pooled buffers it took, returned after it ran (resident ones
    /// stay where they are).
    buffers: Vec<wgpu::Buffer>,
    /// (binding, staging buffer, bytes) for each buffer read back.
    staging: Vec<(usize, wgpu::Buffer, u64)>,
}

/// Runs `tasks` on `dev` with one submit, answering each in order; awaits
/// completion without blocking the shard. A task that does not fit its
/// kernel fails alone; an error the device raises fails the whole batch,
/// and is reported as a loss when the device turns out to be lost.
pub(crate) async fn run_batch(dev: &mut GpuDevice, tasks: &[ComputeTask]) -> Vec<Answer> {
    let mut answers: Vec<Option<Answer>> = vec![None; tasks.len()];
    if let Some(why) = dev.lost() {
        return vec![Err(GpuError::DeviceLost(why)); tasks.len()];
    }
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
    if !pipelines.is_empty() {
        let done = submit_and_read(dev, tasks, pipelines).await;
        for (slot, answer) in done {
            answers[slot] = Some(answer.map_err(|e| loss_or(dev, e)));
        }
    }
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

async fn submit_and_read(
    dev: &mut GpuDevice,
    tasks: &[ComputeTask],
    pipelines: Vec<(usize, (wgpu::ComputePipeline, wgpu::BindGroupLayout))>,
) -> Vec<(usize, Answer)> {
    let slots: Vec<usize> = pipelines.iter().map(|(s, _)| *s).collect();
    let fail_all = |e: GpuError| {
        slots
            .iter()
            .map(|&s| (s, Err(e.clone())))
            .collect::<Vec<_>>()
    };
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
    if let Some(e) = invalid.or(oom) {
        return fail_all(GpuError::from_wgpu(e));
    }

    let maps: Vec<Vec<Reply<Result<(), wgpu::BufferAsyncError>>>> = in_flight
        .iter()
        .map(|t| {
            t.staging
                .iter()
                .map(|(_, s, bytes)| {
                    let (done, reply) = oneshot();
                    s.slice(..*bytes)
                        .map_async(wgpu::MapMode::Read, move |r| done.send(r));
                    reply
                })
                .collect()
        })
        .collect();
    if let Err(e) = dev.wait_for(index).await {
        return fail_all(e);
    }
    let mut answers = Vec::with_capacity(in_flight.len());
    for (task, maps) in in_flight.into_iter().zip(maps) {
        answers.push((task.slot, read_back(dev, task, maps, tasks).await));
    }
    answers
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
        buffers: pooled,
        staging,
    }
}

/// Copies a finished task's staging buffers out and returns its buffers to
/// the pool.
async fn read_back(
    dev: &mut GpuDevice,
    task: InFlight,
    maps: Vec<Reply<Result<(), wgpu::BufferAsyncError>>>,
    tasks: &[ComputeTask],
) -> Answer {
    let lost = |dev: &GpuDevice| {
        GpuError::DeviceLost(dev.lost().unwrap_or_else(|| "readback failed".into()))
    };
    let mut out: Vec<Option<Vec<u32>>> = vec![None; tasks[task.slot].buffers.len()];
    for ((i, s, bytes), map) in task.staging.into_iter().zip(maps) {
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
