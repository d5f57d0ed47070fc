//! [`GpuDevice`]: one opened device and queue, its pipeline cache, its
//! loss flag and its completion thread. Lives on one shard.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::Completion;
use crate::adapter::{self, AdapterChoice, AdapterInfo};
use crate::poller::Poller;
use crate::pool::BufferPool;
use crate::{GpuError, Kernel};

/// A compiled kernel: its pipeline and bind group layout.
pub(crate) struct Compiled {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
}

/// An open device.
pub(crate) struct GpuDevice {
    pub(crate) info: AdapterInfo,
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    pub(crate) limits: wgpu::Limits,
    poller: Poller,
    completion: Completion,
    pub(crate) pool: BufferPool,
    /// Resident buffers by id.
    pub(crate) resident: HashMap<u64, wgpu::Buffer>,
    /// Submits made so far.
    pub(crate) submits: u64,
    lost: Arc<Mutex<Option<String>>>,
    pipelines: HashMap<u64, Compiled>,
}

impl std::fmt::Debug for GpuDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuDevice")
            .field("adapter", &self.info.name)
            .field("pipelines", &self.pipelines.len())
            .finish_non_exhaustive()
    }
}

impl GpuDevice {
    /// Opens a device on the chosen adapter, from a fresh enumeration.
    pub(crate) async fn open(
        choice: &AdapterChoice,
        completion: Completion,
    ) -> Result<GpuDevice, GpuError> {
        let adapters = adapter::enumerate().await;
        let infos: Vec<AdapterInfo> = adapters
            .iter()
            .enumerate()
            .map(|(i, a)| adapter::describe(i, a))
            .collect();
        let index = choice.pick(&infos)?;
        let chosen = &adapters[index];
        let limits = chosen.limits();
        let (device, queue) = chosen
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("pinion-gpu"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::DeviceRequest(e.to_string()))?;
        let lost = Arc::new(Mutex::new(None));
        let flag = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            *flag.lock() = Some(format!("{reason:?}: {message}"));
        });
        // wgpu's default for an error outside every error scope is a panic;
        // here every operation runs inside scopes, and anything that still
        // escapes them is logged, never a panic on the shard.
        device.on_uncaptured_error(Arc::new(|e: wgpu::Error| {
            tracing::error!(error = %e, "GPU error outside an error scope");
        }));
        let poller = Poller::start(device.clone())
            .map_err(|e| GpuError::DeviceRequest(format!("completion thread: {e}")))?;
        Ok(GpuDevice {
            info: infos[index].clone(),
            device,
            queue,
            limits,
            poller,
            completion,
            pool: BufferPool::default(),
            resident: HashMap::new(),
            submits: 0,
            lost,
            pipelines: HashMap::new(),
        })
    }

    /// Resolves once submission `index` has completed and its callbacks
    /// ran; never blocks the shard.
    pub(crate) async fn wait_for(&self, index: wgpu::SubmissionIndex) -> Result<(), GpuError> {
        match self.completion {
            Completion::Thread => self.poller.wait(index).await.unwrap_or_else(|_| {
                Err(GpuError::DeviceLost("the completion thread stopped".into()))
            }),
            Completion::ShardPoll => loop {
                // One queue has one submission in flight at a time: an empty
                // queue means it is done, and this poll ran its callbacks.
                match self.device.poll(wgpu::PollType::Poll) {
                    Ok(status) if status.is_queue_empty() => return Ok(()),
                    Ok(_) => actor_core::yield_now().await,
                    Err(e) => return Err(GpuError::DeviceLost(e.to_string())),
                }
            },
        }
    }

    /// Why the device was lost, if it was.
    pub(crate) fn lost(&self) -> Option<String> {
        self.lost.lock().clone()
    }

    /// Destroys the device (its loss callback runs): what a driver reset does.
    pub(crate) fn destroy(&self) {
        self.device.destroy();
    }

    /// The kernel's pipeline, compiled on first use and cached by its key.
    pub(crate) async fn compiled(&mut self, kernel: &Kernel) -> Result<&Compiled, GpuError> {
        if !self.pipelines.contains_key(&kernel.key()) {
            let compiled = self.compile(kernel).await?;
            self.pipelines.insert(kernel.key(), compiled);
        }
        Ok(&self.pipelines[&kernel.key()])
    }

    /// Pipelines compiled so far.
    pub(crate) fn cached_pipelines(&self) -> usize {
        self.pipelines.len()
    }

    async fn compile(&self, kernel: &Kernel) -> Result<Compiled, GpuError> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(kernel.entry()),
                source: wgpu::ShaderSource::Wgsl(kernel.wgsl().into()),
            });
        let entries: Vec<wgpu::BindGroupLayoutEntry> = kernel
            .bindings()
            .iter()
            .enumerate()
            .map(|(i, kind)| wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: match kind {
                        crate::BindingKind::StorageRead => {
                            wgpu::BufferBindingType::Storage { read_only: true }
                        }
                        crate::BindingKind::StorageReadWrite => {
                            wgpu::BufferBindingType::Storage { read_only: false }
                        }
                        crate::BindingKind::Uniform => wgpu::BufferBindingType::Uniform,
                    },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            })
            .collect();
        let layout = self
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(kernel.entry()),
                entries: &entries,
            });
        let pipeline_layout = self
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(kernel.entry()),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(kernel.entry()),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(kernel.entry()),
                compilation_options: Default::default(),
                cache: None,
            });
        if let Some(e) = scope.pop().await {
            return Err(self.shader_error(&module, e).await);
        }
        Ok(Compiled { pipeline, layout })
    }

    /// A pipeline error, with the WGSL line when the compiler gave one.
    async fn shader_error(&self, module: &wgpu::ShaderModule, e: wgpu::Error) -> GpuError {
        let info = module.get_compilation_info().await;
        match info
            .messages
            .iter()
            .find(|m| m.message_type == wgpu::CompilationMessageType::Error)
        {
            Some(m) => GpuError::ShaderCompile {
                line: m.location.map_or(0, |l| l.line_number),
                column: m.location.map_or(0, |l| l.line_position),
                message: m.message.clone(),
            },
            None => GpuError::from_wgpu(e),
        }
    }
}
