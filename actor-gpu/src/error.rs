//! [`GpuError`]: everything a GPU queue, a kernel or a task can fail with.

/// Why a kernel, a task or a GPU queue failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GpuError {
    /// No adapter matches the choice (or the machine has none); the text
    /// says which choice.
    #[error("no GPU adapter matches {0}")]
    NoAdapter(String),
    /// An adapter was found but refused to open a device.
    #[error("the GPU device could not be opened: {0}")]
    DeviceRequest(String),
    /// The device was lost (driver reset, removal, or destroyed).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// The device ran out of memory, or a buffer exceeds its limits.
    #[error("the GPU is out of memory: {0}")]
    OutOfMemory(String),
    /// The WGSL does not compile. `line` and `column` are 1-based; both are
    /// 0 when the compiler gave no location.
    #[error("WGSL does not compile (line {line}, column {column}): {message}")]
    ShaderCompile {
        /// 1-based line of the error in the WGSL source (0 if unknown).
        line: u32,
        /// 1-based column in bytes (0 if unknown).
        column: u32,
        /// What the compiler said.
        message: String,
    },
    /// The device rejected a command (wgpu's validation).
    #[error("GPU validation error: {0}")]
    Validation(String),
    /// The task does not fit its kernel (binding count, kind, size or
    /// workgroup counts), or a typed read does not fit a buffer.
    #[error("invalid task: {0}")]
    InvalidTask(String),
    /// The task would run on the CPU, but its kernel has no CPU implementation.
    #[error("kernel `{0}` has no CPU implementation")]
    NoCpuImplementation(String),
    /// The kernel's CPU implementation returned an error or panicked.
    #[error("the CPU implementation failed: {0}")]
    Cpu(String),
    /// The GPU queue stopped before it answered.
    #[error("the GPU queue stopped before it answered")]
    QueueStopped,
}

impl GpuError {
    /// Maps an error wgpu captured in an error scope.
    pub(crate) fn from_wgpu(e: wgpu::Error) -> GpuError {
        match e {
            wgpu::Error::OutOfMemory { source } => GpuError::OutOfMemory(source.to_string()),
            wgpu::Error::Validation { description, .. } => GpuError::Validation(description),
            wgpu::Error::Internal { description, .. } => {
                GpuError::Validation(format!("internal: {description}"))
            }
        }
    }
}
