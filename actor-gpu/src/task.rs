//! [`ComputeTask`]: a kernel, its buffers in binding order and its workgroup
//! counts; and [`TaskOutput`], the buffers it wrote, typed on the way out.

use actor_core::ActorId;
use bytemuck::Pod;

use crate::{BindingKind, GpuBuffer, GpuError, Kernel};

/// What one buffer of a task is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Input,
    Output,
    Uniform,
    /// A buffer that stays on the queue between tasks (no upload, no
    /// readback): its id, and the queue that holds it.
    Resident(u64, ActorId),
}

/// One buffer of a task, kept in 4-byte words so the CPU path can view it as
/// any `Pod` type of alignment up to 4 (every WGSL scalar and vector).
#[derive(Debug, Clone)]
pub(crate) struct TaskBuffer {
    pub(crate) role: Role,
    pub(crate) words: Vec<u32>,
}

impl TaskBuffer {
    pub(crate) fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(&self.words)
    }
}

/// One dispatch of a kernel: its buffers, given in binding order with
/// [`input`](ComputeTask::input), [`output`](ComputeTask::output) and
/// [`uniform`](ComputeTask::uniform), and its workgroup counts. A task that
/// does not fit its kernel fails with [`GpuError::InvalidTask`] when run.
#[derive(Debug, Clone)]
pub struct ComputeTask {
    pub(crate) kernel: Kernel,
    pub(crate) buffers: Vec<TaskBuffer>,
    pub(crate) workgroups: [u32; 3],
    invalid: Option<String>,
}

impl ComputeTask {
    /// A task of `kernel`, with no buffers yet and one workgroup.
    pub fn new(kernel: &Kernel) -> ComputeTask {
        ComputeTask {
            kernel: kernel.clone(),
            buffers: Vec::new(),
            workgroups: [1, 1, 1],
            invalid: None,
        }
    }

    /// The next binding: a storage buffer holding `data`. For a
    /// `read_write` binding the kernel may update it, and it is read back.
    pub fn input<T: Pod>(self, data: &[T]) -> ComputeTask {
        self.push(Role::Input, bytemuck::cast_slice(data))
    }

    /// The next binding: a `read_write` storage buffer of `count` zeroed
    /// `T`s, read back after the task.
    pub fn output<T: Pod>(self, count: usize) -> ComputeTask {
        let zeroes = vec![0u8; count * size_of::<T>()];
        self.push(Role::Output, &zeroes)
    }

    /// The next binding: a uniform buffer holding `value`.
    pub fn uniform<T: Pod>(self, value: &T) -> ComputeTask {
        self.push(Role::Uniform, bytemuck::bytes_of(value))
    }

    /// The next binding: a buffer that stays on the queue (see
    /// [`GpuQueue::upload`](crate::GpuQueue::upload)). Nothing is uploaded
    /// or read back; a `read_write` binding updates it in place, for the
    /// next task or a [`download`](crate::GpuQueue::download).
    pub fn resident(mut self, buffer: &GpuBuffer) -> ComputeTask {
        self.buffers.push(TaskBuffer {
            role: Role::Resident(buffer.id, buffer.queue),
            words: Vec::new(),
        });
        self
    }

    /// Dispatches `x * y * z` workgroups.
    pub fn workgroups(mut self, x: u32, y: u32, z: u32) -> ComputeTask {
        self.workgroups = [x, y, z];
        self
    }

    /// Dispatches enough workgroups along x to give `items` invocations
    /// (at least one workgroup).
    pub fn workgroups_for(self, items: u32) -> ComputeTask {
        let size = self.kernel.workgroup_size()[0].max(1);
        self.workgroups(items.div_ceil(size).max(1), 1, 1)
    }

    /// The kernel.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// Bytes this task uploads.
    pub fn upload_bytes(&self) -> usize {
        self.buffers.iter().map(|b| b.words.len() * 4).sum()
    }

    fn push(mut self, role: Role, bytes: &[u8]) -> ComputeTask {
        let at = self.buffers.len();
        if bytes.is_empty() {
            self.invalid.get_or_insert(format!("binding {at} is empty"));
        } else if !bytes.len().is_multiple_of(4) {
            self.invalid.get_or_insert(format!(
                "binding {at} is {} bytes, not a multiple of 4",
                bytes.len()
            ));
        }
        let mut words = vec![0u32; bytes.len().div_ceil(4)];
        bytemuck::cast_slice_mut::<u32, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        self.buffers.push(TaskBuffer { role, words });
        self
    }

    /// Checks the task against its kernel and a device's workgroup limit.
    pub(crate) fn check(&self, max_workgroups: u32) -> Result<(), GpuError> {
        if let Some(why) = &self.invalid {
            return Err(GpuError::InvalidTask(why.clone()));
        }
        let kinds = self.kernel.bindings();
        if kinds.len() != self.buffers.len() {
            return Err(GpuError::InvalidTask(format!(
                "kernel `{}` has {} bindings, the task gives {}",
                self.kernel.entry(),
                kinds.len(),
                self.buffers.len()
            )));
        }
        for (i, (kind, buf)) in kinds.iter().zip(&self.buffers).enumerate() {
            let fits = matches!(
                (buf.role, kind),
                (
                    Role::Input | Role::Resident(..),
                    BindingKind::StorageRead | BindingKind::StorageReadWrite
                ) | (Role::Output, BindingKind::StorageReadWrite)
                    | (Role::Uniform, BindingKind::Uniform)
            );
            if !fits {
                return Err(GpuError::InvalidTask(format!(
                    "binding {i} is {kind:?} in the shader, but the task gives {:?}",
                    buf.role
                )));
            }
        }
        if let Some(w) = self
            .workgroups
            .iter()
            .find(|&&w| w == 0 || w > max_workgroups)
        {
            return Err(GpuError::InvalidTask(format!(
                "workgroup count {w} is outside 1..={max_workgroups}"
            )));
        }
        Ok(())
    }

    /// The buffers read back: every `read_write` binding but resident ones.
    pub(crate) fn read_back(&self) -> impl Iterator<Item = usize> + '_ {
        self.kernel
            .bindings()
            .iter()
            .zip(&self.buffers)
            .enumerate()
            .filter(|(_, (k, b))| {
                **k == BindingKind::StorageReadWrite && !matches!(b.role, Role::Resident(..))
            })
            .map(|(i, _)| i)
    }

    /// The resident buffers it binds: (binding, id, queue).
    pub(crate) fn residents(&self) -> impl Iterator<Item = (usize, u64, ActorId)> + '_ {
        self.buffers
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b.role {
                Role::Resident(id, queue) => Some((i, id, queue)),
                _ => None,
            })
    }
}

/// Where a task ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RanOn {
    /// On the GPU adapter of this name.
    Gpu(String),
    /// On the CPU, through the kernel's CPU implementation.
    Cpu,
}

/// What a task wrote: the contents of its `read_write` bindings after it ran.
#[derive(Debug, Clone)]
pub struct TaskOutput {
    pub(crate) buffers: Vec<Option<Vec<u32>>>,
    pub(crate) ran_on: RanOn,
}

impl TaskOutput {
    /// The binding's contents as `T`s. Fails for a binding that is not
    /// `read_write`, or whose size is not a whole number of `T`s.
    pub fn get<T: Pod>(&self, binding: usize) -> Result<Vec<T>, GpuError> {
        let words = self
            .buffers
            .get(binding)
            .and_then(Option::as_ref)
            .ok_or_else(|| {
                GpuError::InvalidTask(format!("binding {binding} is not a read_write binding"))
            })?;
        let bytes: &[u8] = bytemuck::cast_slice(words);
        if size_of::<T>() == 0 || !bytes.len().is_multiple_of(size_of::<T>()) {
            return Err(GpuError::InvalidTask(format!(
                "binding {binding} holds {} bytes, not a whole number of {}-byte values",
                bytes.len(),
                size_of::<T>()
            )));
        }
        Ok(bytemuck::pod_collect_to_vec(bytes))
    }

    /// Where the task ran.
    pub fn ran_on(&self) -> &RanOn {
        &self.ran_on
    }
}
