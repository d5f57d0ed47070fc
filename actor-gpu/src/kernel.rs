//! [`Kernel`]: a WGSL compute shader and its entry point, checked and
//! reflected once (bindings, workgroup size), with an optional CPU twin.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::GpuError;
use crate::cpu::{CpuBindings, CpuKernel};

/// What a binding of group 0 is, as the shader declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingKind {
    /// `var<storage, read>`: an input.
    StorageRead,
    /// `var<storage, read_write>`: an output, or an input the kernel updates;
    /// read back after the task.
    StorageReadWrite,
    /// `var<uniform>`: a small constant input.
    Uniform,
}

/// A compute kernel: WGSL source and entry point, parsed and validated when
/// made (so a compile error comes with its line, GPU or not), its bindings
/// read from the shader, and, optionally, a Rust implementation that gives
/// the same results on the CPU. Cheap to clone; `Send + Sync`.
///
/// Pipelines are cached per queue by [`Kernel::key`], a hash of the source,
/// the entry point and the binding layout.
#[derive(Clone)]
pub struct Kernel {
    inner: Arc<KernelInner>,
}

struct KernelInner {
    wgsl: String,
    entry: String,
    bindings: Vec<BindingKind>,
    workgroup_size: [u32; 3],
    key: u64,
    cpu: Option<CpuKernel>,
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel")
            .field("entry", &self.inner.entry)
            .field("bindings", &self.inner.bindings)
            .field("workgroup_size", &self.inner.workgroup_size)
            .field("cpu", &self.inner.cpu.is_some())
            .finish()
    }
}

impl Kernel {
    /// Parses and validates `wgsl`, and finds the compute entry point
    /// `entry`. Its bindings must all be in group 0, numbered 0, 1, 2...
    pub fn new(wgsl: impl Into<String>, entry: &str) -> Result<Kernel, GpuError> {
        let wgsl = wgsl.into();
        let module = naga::front::wgsl::parse_str(&wgsl).map_err(|e| {
            let at = e.location(&wgsl);
            GpuError::ShaderCompile {
                line: at.map_or(0, |l| l.line_number),
                column: at.map_or(0, |l| l.line_position),
                message: e.message().to_owned(),
            }
        })?;
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        );
        validator.validate(&module).map_err(|e| {
            let at = e.location(&wgsl);
            GpuError::ShaderCompile {
                line: at.map_or(0, |l| l.line_number),
                column: at.map_or(0, |l| l.line_position),
                message: e.as_inner().to_string(),
            }
        })?;
        let ep = module
            .entry_points
            .iter()
            .find(|ep| ep.name == entry && ep.stage == naga::ShaderStage::Compute)
            .ok_or_else(|| GpuError::ShaderCompile {
                line: 0,
                column: 0,
                message: format!("no compute entry point `{entry}`"),
            })?;
        let bindings = reflect_bindings(&module)?;
        let mut h = DefaultHasher::new();
        (&wgsl, entry, &bindings).hash(&mut h);
        Ok(Kernel {
            inner: Arc::new(KernelInner {
                workgroup_size: ep.workgroup_size,
                entry: entry.to_owned(),
                key: h.finish(),
                bindings,
                wgsl,
                cpu: None,
            }),
        })
    }

    /// Gives the kernel a CPU implementation: a Rust function over the same
    /// bindings that writes the same outputs. Tasks run it when the queue
    /// has no GPU, or when asked to run on the CPU.
    pub fn with_cpu(
        self,
        f: impl Fn(&mut CpuBindings<'_>) -> Result<(), GpuError> + Send + Sync + 'static,
    ) -> Kernel {
        let inner = KernelInner {
            wgsl: self.inner.wgsl.clone(),
            entry: self.inner.entry.clone(),
            bindings: self.inner.bindings.clone(),
            workgroup_size: self.inner.workgroup_size,
            key: self.inner.key,
            cpu: Some(Arc::new(f)),
        };
        Kernel {
            inner: Arc::new(inner),
        }
    }

    /// The WGSL source.
    pub fn wgsl(&self) -> &str {
        &self.inner.wgsl
    }

    /// The entry point's name.
    pub fn entry(&self) -> &str {
        &self.inner.entry
    }

    /// The bindings of group 0, in binding order.
    pub fn bindings(&self) -> &[BindingKind] {
        &self.inner.bindings
    }

    /// `@workgroup_size` of the entry point.
    pub fn workgroup_size(&self) -> [u32; 3] {
        self.inner.workgroup_size
    }

    /// The pipeline cache key: a hash of source, entry point and layout.
    pub fn key(&self) -> u64 {
        self.inner.key
    }

    /// Whether it has a CPU implementation.
    pub fn has_cpu(&self) -> bool {
        self.inner.cpu.is_some()
    }

    pub(crate) fn cpu(&self) -> Option<&CpuKernel> {
        self.inner.cpu.as_ref()
    }
}

fn reflect_bindings(module: &naga::Module) -> Result<Vec<BindingKind>, GpuError> {
    let mut found: Vec<(u32, BindingKind)> = Vec::new();
    for (_, var) in module.global_variables.iter() {
        let Some(rb) = &var.binding else { continue };
        let kind = match var.space {
            naga::AddressSpace::Storage { access }
                if access.contains(naga::StorageAccess::STORE) =>
            {
                BindingKind::StorageReadWrite
            }
            naga::AddressSpace::Storage { .. } => BindingKind::StorageRead,
            naga::AddressSpace::Uniform => BindingKind::Uniform,
            other => {
                return Err(unsupported(format!(
                    "binding {} is in address space {other:?}",
                    rb.binding
                )));
            }
        };
        if rb.group != 0 {
            return Err(unsupported(format!(
                "binding {} is in group {}; only group 0 is supported",
                rb.binding, rb.group
            )));
        }
        found.push((rb.binding, kind));
    }
    found.sort_by_key(|(b, _)| *b);
    for (i, (b, _)) in found.iter().enumerate() {
        if *b as usize != i {
            return Err(unsupported(format!(
                "bindings must be numbered 0, 1, 2...; found {b} at position {i}"
            )));
        }
    }
    Ok(found.into_iter().map(|(_, k)| k).collect())
}

fn unsupported(message: String) -> GpuError {
    GpuError::ShaderCompile {
        line: 0,
        column: 0,
        message,
    }
}
