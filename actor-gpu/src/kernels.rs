//! Ready-made kernels, each with its CPU twin: vector add, SAXPY and a sum
//! reduction. They serve as examples of writing kernels, and the tests
//! compare their GPU and CPU results on every input shape.

use crate::{GpuError, Kernel};

/// `c[i] = a[i] + b[i]` over `f32`: bindings `a` (read), `b` (read), `c`
/// (read_write).
pub fn vector_add() -> Kernel {
    const WGSL: &str = "
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(64)
fn vector_add(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i < arrayLength(&c) && i < arrayLength(&a) && i < arrayLength(&b) {
        c[i] = a[i] + b[i];
    }
}
";
    checked(WGSL, "vector_add").with_cpu(|b| {
        let sum: Vec<f32> = b
            .read::<f32>(0)?
            .iter()
            .zip(b.read::<f32>(1)?)
            .map(|(x, y)| x + y)
            .collect();
        let n = sum.len().min(b.read::<f32>(2)?.len());
        b.write(2, &sum[..n])
    })
}

/// SAXPY, `y[i] = a * x[i] + y[i]` over `f32`: bindings `x` (read), `y`
/// (read_write, updated in place), `a` (uniform `f32`). The GPU may fuse the
/// multiply-add, so results match the CPU's to within one rounding.
pub fn saxpy() -> Kernel {
    const WGSL: &str = "
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> a: f32;

@compute @workgroup_size(64)
fn saxpy(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i < arrayLength(&y) && i < arrayLength(&x) {
        y[i] = a * x[i] + y[i];
    }
}
";
    checked(WGSL, "saxpy").with_cpu(|b| {
        let a = *b
            .read::<f32>(2)?
            .first()
            .ok_or_else(|| GpuError::Cpu("no `a`".into()))?;
        let x = b.read::<f32>(0)?.to_vec();
        for (y, x) in b.read_write::<f32>(1)?.iter_mut().zip(x) {
            *y += a * x;
        }
        Ok(())
    })
}

/// Invocations per workgroup of [`sum_u32`]: each workgroup sums this many
/// inputs.
pub const SUM_WORKGROUP: u32 = 256;

/// A sum reduction over `u32` (wrapping): workgroup `w` writes the sum of
/// `input[w * 256 .. (w + 1) * 256]` to `partial[w]`. Bindings `input`
/// (read), `partial` (read_write, one per workgroup). Integer sums are
/// exact, so GPU and CPU agree bit for bit.
pub fn sum_u32() -> Kernel {
    const WGSL: &str = "
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> partial: array<u32>;

var<workgroup> scratch: array<u32, 256>;

@compute @workgroup_size(256)
fn sum_u32(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    var v = 0u;
    if gid.x < arrayLength(&input) {
        v = input[gid.x];
    }
    scratch[lid.x] = v;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride = stride / 2u) {
        if lid.x < stride {
            scratch[lid.x] = scratch[lid.x] + scratch[lid.x + stride];
        }
        workgroupBarrier();
    }
    if lid.x == 0u && wid.x < arrayLength(&partial) {
        partial[wid.x] = scratch[0];
    }
}
";
    checked(WGSL, "sum_u32").with_cpu(|b| {
        let groups = b.workgroups()[0] as usize;
        let sums: Vec<u32> = b
            .read::<u32>(0)?
            .chunks(SUM_WORKGROUP as usize)
            .take(groups)
            .map(|c| c.iter().fold(0u32, |s, v| s.wrapping_add(*v)))
            .collect();
        let out = b.read_write::<u32>(1)?;
        let n = sums.len().min(out.len());
        out[..n].copy_from_slice(&sums[..n]);
        Ok(())
    })
}

/// The built-in kernels compile; a failure here is a bug in this file,
/// caught by the unit tests below.
fn checked(wgsl: &str, entry: &str) -> Kernel {
    match Kernel::new(wgsl, entry) {
        Ok(k) => k,
        Err(e) => unreachable!("built-in kernel `{entry}` does not compile: {e}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn built_in_kernels_compile_with_their_layouts() {
        use crate::BindingKind::*;
        assert_eq!(
            super::vector_add().bindings(),
            [StorageRead, StorageRead, StorageReadWrite]
        );
        assert_eq!(
            super::saxpy().bindings(),
            [StorageRead, StorageReadWrite, Uniform]
        );
        assert_eq!(super::sum_u32().bindings(), [StorageRead, StorageReadWrite]);
        assert_eq!(
            super::sum_u32().workgroup_size(),
            [super::SUM_WORKGROUP, 1, 1]
        );
    }
}
