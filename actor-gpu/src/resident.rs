//! Device-resident buffers: data uploaded once that stays on the queue
//! between tasks ([`GpuBuffer`] is the handle the user keeps), so
//! consecutive GPU tasks pass data without a round trip through host
//! memory. On a CPU queue the same handles name host buffers.

use std::collections::{HashMap, HashSet};

use actor_core::{ActorId, Reply, oneshot};
use bytemuck::Pod;
use wgpu::util::DeviceExt;

use crate::device::GpuDevice;
use crate::dispatch::loss_or;
use crate::task::{Role, TaskBuffer};
use crate::{BindingKind, ComputeTask, GpuError, TaskOutput};

/// A buffer that lives on one [`GpuQueue`](crate::GpuQueue) between tasks.
/// Bind it with [`ComputeTask::resident`](crate::ComputeTask::resident);
/// read it with `download`, release it with `free`. A clone names the same
/// buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuBuffer {
    pub(crate) id: u64,
    pub(crate) bytes: u64,
    pub(crate) queue: ActorId,
}

impl GpuBuffer {
    /// Its size in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The queue that holds it.
    pub fn queue(&self) -> ActorId {
        self.queue
    }
}

/// Bytes to upload to, or downloaded from, a [`GpuBuffer`]; kept in 4-byte
/// words, typed on the way in and out through [`bytemuck::Pod`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferData {
    pub(crate) words: Vec<u32>,
}

impl BufferData {
    /// A copy of `data`; its size must be a non-zero multiple of 4 bytes.
    pub fn from_slice<T: Pod>(data: &[T]) -> Result<BufferData, GpuError> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
            return Err(GpuError::InvalidTask(format!(
                "a buffer of {} bytes: it must be a non-zero multiple of 4",
                bytes.len()
            )));
        }
        let mut words = vec![0u32; bytes.len() / 4];
        bytemuck::cast_slice_mut::<u32, u8>(&mut words).copy_from_slice(bytes);
        Ok(BufferData { words })
    }

    /// `count` zeroed `T`s.
    pub fn zeroed<T: Pod>(count: usize) -> Result<BufferData, GpuError> {
        BufferData::from_slice(&vec![T::zeroed(); count])
    }

    /// The contents as `T`s; fails when the size is not a whole number of `T`s.
    pub fn get<T: Pod>(&self) -> Result<Vec<T>, GpuError> {
        let bytes: &[u8] = bytemuck::cast_slice(&self.words);
        if size_of::<T>() == 0 || !bytes.len().is_multiple_of(size_of::<T>()) {
            return Err(GpuError::InvalidTask(format!(
                "{} bytes are not a whole number of {}-byte values",
                bytes.len(),
                size_of::<T>()
            )));
        }
        Ok(bytemuck::pod_collect_to_vec(bytes))
    }

    /// Its size in bytes.
    pub fn bytes(&self) -> u64 {
        self.words.len() as u64 * 4
    }
}

/// Creates a device buffer holding `data`.
pub(crate) async fn upload(dev: &GpuDevice, data: &BufferData) -> Result<wgpu::Buffer, GpuError> {
    let limit = dev
        .limits
        .max_storage_buffer_binding_size
        .min(dev.limits.max_buffer_size);
    if data.bytes() > limit {
        return Err(GpuError::OutOfMemory(format!(
            "a buffer of {} bytes; the device allows {limit}",
            data.bytes()
        )));
    }
    let oom = dev.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let invalid = dev.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let buffer = dev
        .device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("pinion-gpu resident"),
            contents: bytemuck::cast_slice(&data.words),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
        });
    let invalid = invalid.pop().await;
    match invalid.or(oom.pop().await) {
        Some(e) => Err(loss_or(dev, GpuError::from_wgpu(e))),
        None => Ok(buffer),
    }
}

/// Copies a device buffer back to host memory; awaits without blocking the
/// shard.
pub(crate) async fn download(
    dev: &mut GpuDevice,
    buffer: &wgpu::Buffer,
) -> Result<BufferData, GpuError> {
    let bytes = buffer.size();
    let usage = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
    let staging = dev
        .pool
        .take(&dev.device, bytes, usage, dev.limits.max_buffer_size);
    let mut encoder = dev
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    let index = dev.queue.submit([encoder.finish()]);
    dev.submits += 1;
    let (done, mapped): (_, Reply<Result<(), wgpu::BufferAsyncError>>) = oneshot();
    staging
        .slice(..bytes)
        .map_async(wgpu::MapMode::Read, move |r| done.send(r));
    let lost = |dev: &GpuDevice| {
        GpuError::DeviceLost(dev.lost().unwrap_or_else(|| "download failed".into()))
    };
    dev.wait_for(index).await?;
    match mapped.await {
        Ok(Ok(())) => {}
        _ => return Err(lost(dev)),
    }
    let view = staging
        .slice(..bytes)
        .get_mapped_range()
        .map_err(|e| GpuError::Validation(format!("download: {e}")))?;
    let mut words = vec![0u32; view.len() / 4];
    bytemuck::cast_slice_mut::<u32, u8>(&mut words).copy_from_slice(&view);
    drop(view);
    staging.unmap();
    dev.pool.give(staging);
    Ok(BufferData { words })
}

/// Resident buffers of a queue that runs on the CPU, and the ids of those
/// that were on a device that was lost.
#[derive(Debug, Default)]
pub(crate) struct HostBuffers {
    pub(crate) buffers: HashMap<u64, Vec<u32>>,
    pub(crate) lost: HashSet<u64>,
}

impl HostBuffers {
    /// Replaces `task`'s resident bindings by copies of their contents, for
    /// the CPU path; answers the (binding, id) pairs to write back.
    fn bind(&self, task: &mut ComputeTask) -> Result<Vec<(usize, u64)>, GpuError> {
        let residents: Vec<(usize, u64, ActorId)> = task.residents().collect();
        let mut writes = Vec::new();
        for (binding, id, _) in residents {
            let Some(words) = self.buffers.get(&id) else {
                return Err(if self.lost.contains(&id) {
                    GpuError::DeviceLost(format!("buffer {id} was on the lost device"))
                } else {
                    GpuError::InvalidTask(format!(
                        "binding {binding}: buffer {id} is not on this queue (freed?)"
                    ))
                });
            };
            task.buffers[binding] = TaskBuffer {
                role: Role::Input,
                words: words.clone(),
            };
            if task.kernel.bindings()[binding] == BindingKind::StorageReadWrite {
                writes.push((binding, id));
            }
        }
        Ok(writes)
    }

    /// Moves what the task wrote to its resident bindings back into them.
    fn write_back(&mut self, out: &mut TaskOutput, writes: &[(usize, u64)]) {
        for &(binding, id) in writes {
            if let Some(words) = out.buffers.get_mut(binding).and_then(Option::take) {
                self.buffers.insert(id, words);
            }
        }
    }

    /// Moves out the buffers `tasks` bind (with the list of lost ones), for
    /// a job on the blocking pool; the queue puts them back after it.
    pub(crate) fn lend(&mut self, tasks: &[ComputeTask]) -> HostBuffers {
        let mut lent = HostBuffers {
            buffers: HashMap::new(),
            lost: self.lost.clone(),
        };
        for (_, id, _) in tasks.iter().flat_map(ComputeTask::residents) {
            if let Some(words) = self.buffers.remove(&id) {
                lent.buffers.insert(id, words);
            }
        }
        lent
    }

    /// Runs `tasks` in order through their CPU implementations, each seeing
    /// what the tasks before it wrote to the resident buffers, as a GPU's
    /// command buffer does.
    pub(crate) fn run_in_order(
        &mut self,
        tasks: Vec<ComputeTask>,
    ) -> Vec<Result<TaskOutput, GpuError>> {
        tasks
            .into_iter()
            .map(|mut task| {
                let writes = self.bind(&mut task)?;
                let mut out = crate::cpu::run_on_cpu(task)?;
                self.write_back(&mut out, &writes);
                Ok(out)
            })
            .collect()
    }
}
