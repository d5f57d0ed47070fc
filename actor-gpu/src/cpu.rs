//! The CPU path: a kernel's Rust implementation over the same bindings the
//! shader sees, giving the same [`TaskOutput`](crate::TaskOutput).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use bytemuck::Pod;

use crate::task::{RanOn, TaskBuffer, TaskOutput};
use crate::{BindingKind, ComputeTask, GpuError};

/// A kernel's CPU implementation.
pub(crate) type CpuKernel = Arc<dyn Fn(&mut CpuBindings<'_>) -> Result<(), GpuError> + Send + Sync>;

/// The workgroup limit the CPU path enforces, WebGPU's default, so a task
/// that runs on the CPU also fits any GPU.
const MAX_WORKGROUPS: u32 = 65_535;

/// A task's bindings as a CPU implementation sees them: read any binding,
/// write the `read_write` ones.
#[derive(Debug)]
pub struct CpuBindings<'a> {
    buffers: &'a mut [TaskBuffer],
    kinds: &'a [BindingKind],
    workgroups: [u32; 3],
    workgroup_size: [u32; 3],
}

impl CpuBindings<'_> {
    /// Binding `binding` as a slice of `T` (alignment up to 4).
    pub fn read<T: Pod>(&self, binding: usize) -> Result<&[T], GpuError> {
        let buf = self
            .buffers
            .get(binding)
            .ok_or_else(|| no_binding(binding))?;
        bytemuck::try_cast_slice(&buf.words).map_err(|e| cast_error(binding, e))
    }

    /// Binding `binding`, a `read_write` one, as a mutable slice of `T`.
    pub fn read_write<T: Pod>(&mut self, binding: usize) -> Result<&mut [T], GpuError> {
        if self.kinds.get(binding) != Some(&BindingKind::StorageReadWrite) {
            return Err(GpuError::Cpu(format!(
                "binding {binding} is not read_write"
            )));
        }
        let buf = self
            .buffers
            .get_mut(binding)
            .ok_or_else(|| no_binding(binding))?;
        bytemuck::try_cast_slice_mut(&mut buf.words).map_err(|e| cast_error(binding, e))
    }

    /// Copies `data` to the start of binding `binding`, a `read_write` one.
    pub fn write<T: Pod>(&mut self, binding: usize, data: &[T]) -> Result<(), GpuError> {
        let out = self.read_write::<T>(binding)?;
        if data.len() > out.len() {
            return Err(GpuError::Cpu(format!(
                "{} values do not fit binding {binding} of {}",
                data.len(),
                out.len()
            )));
        }
        out[..data.len()].copy_from_slice(data);
        Ok(())
    }

    /// The task's workgroup counts.
    pub fn workgroups(&self) -> [u32; 3] {
        self.workgroups
    }

    /// The kernel's `@workgroup_size`.
    pub fn workgroup_size(&self) -> [u32; 3] {
        self.workgroup_size
    }

    /// Invocations along x: workgroups times workgroup size (the range of
    /// `global_invocation_id.x`).
    pub fn invocations_x(&self) -> u32 {
        self.workgroups[0].saturating_mul(self.workgroup_size[0])
    }
}

fn no_binding(binding: usize) -> GpuError {
    GpuError::Cpu(format!("no binding {binding}"))
}

fn cast_error(binding: usize, e: bytemuck::PodCastError) -> GpuError {
    GpuError::Cpu(format!(
        "binding {binding} cannot be viewed as that type: {e:?}"
    ))
}

/// Runs `task` through its kernel's CPU implementation, here and now.
pub fn run_on_cpu(mut task: ComputeTask) -> Result<TaskOutput, GpuError> {
    task.check(MAX_WORKGROUPS)?;
    let kernel = task.kernel.clone();
    let f = kernel
        .cpu()
        .ok_or_else(|| GpuError::NoCpuImplementation(kernel.entry().to_owned()))?;
    let read_back: Vec<usize> = task.read_back().collect();
    let mut bindings = CpuBindings {
        buffers: &mut task.buffers,
        kinds: kernel.bindings(),
        workgroups: task.workgroups,
        workgroup_size: kernel.workgroup_size(),
    };
    catch_unwind(AssertUnwindSafe(|| f(&mut bindings))).map_err(|p| {
        let text = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        GpuError::Cpu(format!("panicked: {text}"))
    })??;
    let mut buffers: Vec<Option<Vec<u32>>> = vec![None; task.buffers.len()];
    for i in read_back {
        buffers[i] = Some(std::mem::take(&mut task.buffers[i].words));
    }
    Ok(TaskOutput {
        buffers,
        ran_on: RanOn::Cpu,
    })
}
