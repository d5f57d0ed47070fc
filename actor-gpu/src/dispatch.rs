//! One task on the GPU, as in wgpu's hello-compute: per task only buffers,
//! a bind group, an encoder and a submit (the pipeline is cached); readback
//! through mapped staging buffers whose callbacks wake the waiting task.

use actor_core::{Reply, oneshot};

use crate::device::GpuDevice;
use crate::task::{RanOn, Role, TaskOutput};
use crate::{ComputeTask, GpuError};

/// Runs `task` on `dev`; awaits its completion without blocking the shard.
/// An error from a device that turns out to be lost is reported as the loss.
pub(crate) async fn run_on_gpu(
    dev: &mut GpuDevice,
    task: &ComputeTask,
) -> Result<TaskOutput, GpuError> {
    match submit_and_read(dev, task).await {
        Err(
            e @ (GpuError::Validation(_)
            | GpuError::OutOfMemory(_)
            | GpuError::ShaderCompile { .. }),
        ) => {
            // wgpu reports a loss through a callback that runs when the
            // device is next polled; this poll does not block.
            let _ = dev.device.poll(wgpu::PollType::Poll);
            Err(dev.lost().map_or(e, GpuError::DeviceLost))
        }
        other => other,
    }
}

async fn submit_and_read(dev: &mut GpuDevice, task: &ComputeTask) -> Result<TaskOutput, GpuError> {
    if let Some(why) = dev.lost() {
        return Err(GpuError::DeviceLost(why));
    }
    task.check(dev.limits.max_compute_workgroups_per_dimension)?;
    check_sizes(dev, task)?;
    let adapter = dev.info.name.clone();
    let compiled = dev.compiled(&task.kernel).await?;
    let (pipeline, layout) = (compiled.pipeline.clone(), compiled.layout.clone());
    let device = &dev.device;

    let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let invalid = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let buffers: Vec<wgpu::Buffer> = task
        .buffers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let usage = match b.role {
                Role::Uniform => wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                Role::Input | Role::Output => {
                    wgpu::BufferUsages::STORAGE
                        | wgpu::BufferUsages::COPY_DST
                        | wgpu::BufferUsages::COPY_SRC
                }
            };
            let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(&format!("binding {i}")),
                size: b.bytes().len() as u64,
                usage,
                mapped_at_creation: false,
            });
            // Outputs start zeroed: a new buffer is zero-filled.
            if b.role != Role::Output {
                dev.queue.write_buffer(&buffer, 0, b.bytes());
            }
            buffer
        })
        .collect();
    let read_back: Vec<usize> = task.read_back().collect();
    let staging: Vec<wgpu::Buffer> = read_back
        .iter()
        .map(|&i| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("staging"),
                size: buffers[i].size(),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })
        .collect();
    let entries: Vec<wgpu::BindGroupEntry<'_>> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: b.as_entire_binding(),
        })
        .collect();
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(task.kernel.entry()),
        layout: &layout,
        entries: &entries,
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        let [x, y, z] = task.workgroups;
        pass.dispatch_workgroups(x, y, z);
    }
    for (&i, s) in read_back.iter().zip(&staging) {
        encoder.copy_buffer_to_buffer(&buffers[i], 0, s, 0, s.size());
    }
    let index = dev.queue.submit([encoder.finish()]);
    let invalid = invalid.pop().await;
    let oom = oom.pop().await;
    if let Some(why) = dev.lost() {
        return Err(GpuError::DeviceLost(why));
    }
    if let Some(e) = invalid.or(oom) {
        return Err(GpuError::from_wgpu(e));
    }

    let maps: Vec<Reply<Result<(), wgpu::BufferAsyncError>>> = staging
        .iter()
        .map(|s| {
            let (done, reply) = oneshot();
            s.slice(..)
                .map_async(wgpu::MapMode::Read, move |r| done.send(r));
            reply
        })
        .collect();
    dev.poller
        .wait(index)
        .await
        .map_err(|_| GpuError::DeviceLost("the completion thread stopped".into()))??;
    let mut out: Vec<Option<Vec<u32>>> = vec![None; task.buffers.len()];
    for ((&i, s), map) in read_back.iter().zip(&staging).zip(maps) {
        let lost = || GpuError::DeviceLost(dev.lost().unwrap_or_else(|| "readback failed".into()));
        map.await.map_err(|_| lost())?.map_err(|_| lost())?;
        let bytes = s
            .slice(..)
            .get_mapped_range()
            .map_err(|e| GpuError::Validation(format!("readback: {e}")))?;
        let mut words = vec![0u32; bytes.len() / 4];
        bytemuck::cast_slice_mut::<u32, u8>(&mut words).copy_from_slice(&bytes);
        drop(bytes);
        s.unmap();
        out[i] = Some(words);
    }
    Ok(TaskOutput {
        buffers: out,
        ran_on: RanOn::Gpu(adapter),
    })
}

/// A buffer past the device's limits is an out-of-memory error up front,
/// rather than a validation error from deep inside wgpu.
fn check_sizes(dev: &GpuDevice, task: &ComputeTask) -> Result<(), GpuError> {
    for (i, b) in task.buffers.iter().enumerate() {
        let size = b.bytes().len() as u64;
        let limit = match b.role {
            Role::Uniform => dev.limits.max_uniform_buffer_binding_size,
            Role::Input | Role::Output => dev.limits.max_storage_buffer_binding_size,
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
