//! Hybrid CPU/GPU pipelines: a chain of [`Stage`]s, each run by an actor of
//! its own, linked by bounded mailboxes.
//!
//! - **Back-pressure end to end**: a stage hands its result on with a
//!   waiting `tell`, so while the next stage is full it takes no new frame,
//!   its own mailbox fills, and so on back to [`Pipeline::submit`].
//! - **Data stays on the GPU** between consecutive GPU stages: a GPU
//!   stage's output goes into a resident buffer ([`GpuBuffer`]) on the
//!   pipeline's [`GpuQueue`] and the next GPU stage binds it in place; data
//!   crosses to or from the host only where a CPU stage (or the caller)
//!   needs it. Resident buffers are reused by size.
//! - **Automatic placement** ([`Placement::Auto`]): a GPU stage whose
//!   kernel has a CPU twin learns, per side, the time a batch takes (a
//!   fixed part and a part per item, transfers included) and sends each
//!   batch to the side predicted to finish it soonest, trying the other
//!   side now and then (about 5% of the stage's time). [`Pipeline::status`]
//!   shows the batches per side and the current estimates; the runtime's
//!   metrics count `pipeline_gpu_batches`, `pipeline_cpu_batches`,
//!   `pipeline_explored_batches`, `pipeline_uploads` and
//!   `pipeline_downloads`.
//! - **Typed errors**: an empty pipeline, stages whose types do not chain,
//!   a kernel whose bindings do not fit a stage, a CPU placement without a
//!   CPU twin ([`PipelineError`]); a frame of the wrong type is handed back
//!   ([`SubmitError`]).
//!
//! ```
//! use actor_core::prelude::*;
//! use actor_gpu::{Frame, Kernel, Pipeline, Stage};
//!
//! let square = Kernel::new(
//!     "@group(0) @binding(0) var<storage, read> x: array<u32>;
//!      @group(0) @binding(1) var<storage, read_write> y: array<u32>;
//!      @compute @workgroup_size(64)
//!      fn main(@builtin(global_invocation_id) id: vec3<u32>) {
//!          if id.x < arrayLength(&y) { y[id.x] = x[id.x] * x[id.x]; }
//!      }",
//!     "main",
//! )?
//! .with_cpu(|b| {
//!     let y: Vec<u32> = b.read::<u32>(0)?.iter().map(|x| x * x).collect();
//!     b.write(1, &y)
//! });
//! let rt = Runtime::builder().shards(1).build()?;
//! let pipeline = Pipeline::builder()
//!     .stage(Stage::gpu::<u32, u32>("square", &square)) // GPU or CPU, measured
//!     .stage(Stage::cpu("sum", |x: &[u32], _shape| {
//!         Ok::<_, String>(vec![x.iter().sum::<u32>()])
//!     }))
//!     .spawn(rt.handle())?;
//! let out = rt.block_on(pipeline.process(Frame::new([0; 4], &[1u32, 2, 3])?))?;
//! assert_eq!(out.get::<u32>()?, [14]);
//! println!("{}", pipeline.status());
//! pipeline.stop();
//! rt.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`GpuBuffer`]: crate::GpuBuffer
//! [`GpuQueue`]: crate::GpuQueue

mod build;
mod error;
mod frame;
mod handle;
mod placement;
mod pool;
mod stage;
mod status;
mod worker;

pub use build::{DEFAULT_CAPACITY, PipelineBuilder};
pub use error::{PipelineError, SubmitError};
pub use frame::{ElemType, Frame, Location, Shape};
pub use handle::{Pending, Pipeline};
pub use stage::{Placement, Side, Stage};
pub use status::{Estimate, PipelineStatus, StageStatus};
