//! [`PipelineError`]: building or running a pipeline failed; and
//! [`SubmitError`], a frame refused at the pipeline's entrance, handed back.

use actor_core::SpawnError;

use crate::GpuError;
use crate::pipeline::Frame;

/// Why a pipeline could not be built, or a frame could not go through it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The builder was given no stages.
    #[error("a pipeline needs at least one stage")]
    Empty,
    /// A stage's input type is not what the stage before it (or the
    /// caller) gives, or a typed read asked for another type.
    #[error("stage `{stage}` takes {expected}, but is given {found}")]
    TypeMismatch {
        /// The stage (or `"output"` for a read of a finished frame).
        stage: String,
        /// The type it takes.
        expected: &'static str,
        /// The type it was given.
        found: &'static str,
    },
    /// A GPU stage's kernel does not have the bindings a stage needs
    /// (0: input, 1: `read_write` output, optionally 2: a `vec4<u32>`
    /// uniform), or its types are not whole 4-byte words.
    #[error("stage `{stage}`: {why}")]
    KernelLayout {
        /// The stage.
        stage: String,
        /// What is wrong.
        why: String,
    },
    /// A stage was set to run on the CPU, but its kernel has no CPU
    /// implementation.
    #[error("stage `{0}` is placed on the CPU, but its kernel has no CPU implementation")]
    NoCpuImplementation(String),
    /// A setting that does not fit the stage (an output length on a CPU
    /// stage, a frame whose size is not a whole number of inputs).
    #[error("stage `{stage}`: {why}")]
    Invalid {
        /// The stage.
        stage: String,
        /// What is wrong.
        why: String,
    },
    /// A stage's actor (or the GPU queue) could not be spawned.
    #[error("spawning the pipeline failed: {0}")]
    Spawn(#[from] SpawnError),
    /// A GPU stage's task failed (on the GPU, or on its CPU twin).
    #[error("stage `{stage}`: {error}")]
    Gpu {
        /// The stage.
        stage: String,
        /// What the queue said.
        error: GpuError,
    },
    /// A CPU stage's function returned an error or panicked.
    #[error("stage `{stage}` failed: {why}")]
    Stage {
        /// The stage.
        stage: String,
        /// Its error, as text.
        why: String,
    },
    /// A stage or the GPU queue stopped before the frame came out.
    #[error("the pipeline stopped before the frame came out")]
    Stopped,
}

/// A frame the pipeline did not take, handed back with the reason.
#[derive(Debug)]
#[non_exhaustive]
pub enum SubmitError {
    /// The first stage's mailbox is full (only from
    /// [`try_submit`](crate::Pipeline::try_submit), which never waits).
    Full(Frame),
    /// The pipeline has stopped.
    Stopped(Frame),
    /// The frame's element type is not the first stage's input type.
    WrongType {
        /// The frame.
        frame: Frame,
        /// The type the first stage takes.
        expected: &'static str,
    },
}

impl SubmitError {
    /// Takes the frame back.
    pub fn into_frame(self) -> Frame {
        match self {
            SubmitError::Full(f) | SubmitError::Stopped(f) => f,
            SubmitError::WrongType { frame, .. } => frame,
        }
    }
}

impl std::fmt::Display for SubmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubmitError::Full(_) => f.write_str("the pipeline's first stage is full"),
            SubmitError::Stopped(_) => f.write_str("the pipeline has stopped"),
            SubmitError::WrongType { frame, expected } => write!(
                f,
                "the pipeline takes {expected}, but the frame holds {}",
                frame.elem().name()
            ),
        }
    }
}

impl std::error::Error for SubmitError {}
