//! [`Stage`]: one step of a pipeline, a Rust function on the CPU or a
//! kernel on the GPU (with, when the kernel has a CPU twin, both sides to
//! choose from), and [`Placement`], which side runs it.

use std::sync::Arc;

use bytemuck::Pod;

use crate::pipeline::{ElemType, PipelineError, Shape};
use crate::{BindingKind, BufferData, Kernel};

/// Which side runs a stage that has both a GPU kernel and a CPU
/// implementation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// Measured: each batch goes to the side predicted to finish it
    /// soonest, transfers included, with occasional exploration of the
    /// other side. A stage whose kernel has no CPU twin runs on the GPU.
    #[default]
    Auto,
    /// Always the GPU queue (which itself runs on the CPU when it has no
    /// device).
    Gpu,
    /// Always the CPU, through the kernel's CPU implementation.
    Cpu,
}

/// A side a batch ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The pipeline's GPU queue.
    Gpu,
    /// The runtime's blocking pool.
    Cpu,
}

pub(crate) type CpuFn = Arc<dyn Fn(&BufferData, Shape) -> Result<BufferData, String> + Send + Sync>;
pub(crate) type SizeFn = Arc<dyn Fn(Shape, usize) -> usize + Send + Sync>;
pub(crate) type GroupsFn = Arc<dyn Fn(Shape, usize) -> [u32; 3] + Send + Sync>;

#[derive(Clone)]
pub(crate) enum StageKind {
    Cpu(CpuFn),
    Gpu(Kernel),
}

/// One step of a pipeline, run by an actor of its own.
///
/// - [`Stage::cpu`]: a Rust function from `&[In]` to `Vec<Out>`, run on the
///   blocking pool.
/// - [`Stage::gpu`]: a kernel whose binding 0 is the input, binding 1 the
///   `read_write` output, and binding 2, if any, a `vec4<u32>` uniform
///   holding the frame's [`Shape`]. The kernel must write every element of
///   its output (a reused buffer is not cleared). With a CPU twin
///   ([`Kernel::with_cpu`]) the stage can run on either side.
#[derive(Clone)]
pub struct Stage {
    pub(crate) name: String,
    pub(crate) input: ElemType,
    pub(crate) output: ElemType,
    pub(crate) kind: StageKind,
    pub(crate) placement: Option<Placement>,
    pub(crate) output_len: Option<SizeFn>,
    pub(crate) workgroups: Option<GroupsFn>,
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stage")
            .field("name", &self.name)
            .field("input", &self.input.name())
            .field("output", &self.output.name())
            .field("gpu", &matches!(self.kind, StageKind::Gpu(_)))
            .field("placement", &self.placement)
            .finish_non_exhaustive()
    }
}

impl Stage {
    /// A CPU stage: `f` maps a frame's data and shape to the next frame's
    /// data (the shape passes on unchanged). An error it returns fails the
    /// frame with [`PipelineError::Stage`].
    pub fn cpu<In: Pod, Out: Pod, E: std::fmt::Display>(
        name: impl Into<String>,
        f: impl Fn(&[In], Shape) -> Result<Vec<Out>, E> + Send + Sync + 'static,
    ) -> Stage {
        let run: CpuFn = Arc::new(move |data: &BufferData, shape: Shape| {
            let input = data.get::<In>().map_err(|e| e.to_string())?;
            let out = f(&input, shape).map_err(|e| e.to_string())?;
            BufferData::from_slice(&out).map_err(|e| e.to_string())
        });
        Stage {
            name: name.into(),
            input: ElemType::of::<In>(),
            output: ElemType::of::<Out>(),
            kind: StageKind::Cpu(run),
            placement: None,
            output_len: None,
            workgroups: None,
        }
    }

    /// A GPU stage running `kernel` once per frame. By default its output
    /// holds as many `Out`s as the input holds `In`s, and it dispatches
    /// enough workgroups along x for one invocation per output element.
    pub fn gpu<In: Pod, Out: Pod>(name: impl Into<String>, kernel: &Kernel) -> Stage {
        Stage {
            name: name.into(),
            input: ElemType::of::<In>(),
            output: ElemType::of::<Out>(),
            kind: StageKind::Gpu(kernel.clone()),
            placement: None,
            output_len: None,
            workgroups: None,
        }
    }

    /// Which side runs it (GPU stages only; [`Placement::Auto`] by default).
    pub fn placement(mut self, placement: Placement) -> Stage {
        self.placement = Some(placement);
        self
    }

    /// How many `Out`s the output holds, from the shape and the number of
    /// inputs (GPU stages only).
    pub fn output_len(
        mut self,
        f: impl Fn(Shape, usize) -> usize + Send + Sync + 'static,
    ) -> Stage {
        self.output_len = Some(Arc::new(f));
        self
    }

    /// The workgroup counts, from the shape and the output length (GPU
    /// stages only).
    pub fn workgroups(
        mut self,
        f: impl Fn(Shape, usize) -> [u32; 3] + Send + Sync + 'static,
    ) -> Stage {
        self.workgroups = Some(Arc::new(f));
        self
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The side(s) it may run on, after the builder's override; checks
    /// what does not fit the stage.
    pub(crate) fn check(&self, over: Option<Placement>) -> Result<Placement, PipelineError> {
        let invalid = |why: &str| PipelineError::Invalid {
            stage: self.name.clone(),
            why: why.into(),
        };
        let kernel = match &self.kind {
            StageKind::Cpu(_) => {
                if self.placement.is_some() {
                    return Err(invalid("a CPU stage has no placement to choose"));
                }
                if self.output_len.is_some() || self.workgroups.is_some() {
                    return Err(invalid("output length and workgroups are for GPU stages"));
                }
                return Ok(Placement::Cpu);
            }
            StageKind::Gpu(k) => k,
        };
        let layout = |why: String| PipelineError::KernelLayout {
            stage: self.name.clone(),
            why,
        };
        let b = kernel.bindings();
        let input_ok = matches!(
            b.first(),
            Some(BindingKind::StorageRead | BindingKind::StorageReadWrite)
        );
        let output_ok = b.get(1) == Some(&BindingKind::StorageReadWrite);
        let uniform_ok = b.len() == 2 || (b.len() == 3 && b[2] == BindingKind::Uniform);
        if !(input_ok && output_ok && uniform_ok) {
            return Err(layout(format!(
                "kernel `{}` has bindings {b:?}; a stage needs [input, read_write output] and optionally a uniform",
                kernel.entry()
            )));
        }
        for t in [self.input, self.output] {
            if t.size() == 0 || !t.size().is_multiple_of(4) {
                return Err(layout(format!(
                    "{} is {} bytes; GPU data is in whole 4-byte words",
                    t.name(),
                    t.size()
                )));
            }
        }
        let placement = over.or(self.placement).unwrap_or_default();
        match placement {
            Placement::Cpu if !kernel.has_cpu() => {
                Err(PipelineError::NoCpuImplementation(self.name.clone()))
            }
            Placement::Auto if !kernel.has_cpu() => Ok(Placement::Gpu),
            p => Ok(p),
        }
    }
}
