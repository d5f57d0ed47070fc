//! Ready-made kernels, each with its CPU twin: vector add, SAXPY, a sum
//! reduction, and an image blur and Sobel edges. They serve as examples of
//! writing kernels, and the tests compare their GPU and CPU results on
//! every input shape.

use crate::{CpuBindings, GpuError, Kernel};

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

/// The workgroup size of [`blur_u32`] and [`sobel_u32`]: 8 × 8 pixels.
pub const IMAGE_WORKGROUP: u32 = 8;

/// Workgroup counts covering a `width` × `height` image with
/// [`IMAGE_WORKGROUP`]-square workgroups.
pub fn image_workgroups(width: u32, height: u32) -> [u32; 3] {
    [
        width.div_ceil(IMAGE_WORKGROUP).max(1),
        height.div_ceil(IMAGE_WORKGROUP).max(1),
        1,
    ]
}

/// The pixel at (`x`, `y`) of a `w` × `h` image, edges repeated outward.
fn pixel(src: &[u32], w: usize, h: usize, x: isize, y: isize) -> u32 {
    let x = x.clamp(0, w as isize - 1) as usize;
    let y = y.clamp(0, h as isize - 1) as usize;
    src.get(y * w + x).copied().unwrap_or(0)
}

/// The image's size from a stage's shape uniform, checked against its data.
fn image_size(b: &CpuBindings<'_>) -> Result<(usize, usize), GpuError> {
    let shape = b.read::<u32>(2)?;
    let (w, h) = match shape {
        [w, h, ..] => (*w as usize, *h as usize),
        _ => (0, 0),
    };
    if w == 0 || h == 0 || b.read::<u32>(0)?.len() < w * h || b.read::<u32>(1)?.len() < w * h {
        return Err(GpuError::Cpu(format!(
            "a {w} x {h} image does not fit its buffers"
        )));
    }
    Ok((w, h))
}

const IMAGE_PRELUDE: &str = "
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> shape: vec4<u32>;

fn at(x: i32, y: i32) -> u32 {
    let cx = clamp(x, 0, i32(shape.x) - 1);
    let cy = clamp(y, 0, i32(shape.y) - 1);
    return src[u32(cy) * shape.x + u32(cx)];
}
";

/// A 3 × 3 binomial blur of a gray image, one `u32` (0..=255) per pixel,
/// edges repeated: `(4 c + 2 (n + s + e + w) + corners + 8) / 16`. Bindings
/// `src` (read), `dst` (read_write), `shape` (uniform `vec4<u32>`: width,
/// height); dispatch [`image_workgroups`]. Integer arithmetic: GPU and CPU
/// agree bit for bit.
pub fn blur_u32() -> Kernel {
    let wgsl = format!(
        "{IMAGE_PRELUDE}
@compute @workgroup_size(8, 8)
fn blur(@builtin(global_invocation_id) id: vec3<u32>) {{
    if id.x >= shape.x || id.y >= shape.y {{ return; }}
    let x = i32(id.x);
    let y = i32(id.y);
    let edges = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1);
    let corners = at(x - 1, y - 1) + at(x + 1, y - 1) + at(x - 1, y + 1) + at(x + 1, y + 1);
    dst[id.y * shape.x + id.x] = (4u * at(x, y) + 2u * edges + corners + 8u) / 16u;
}}
"
    );
    checked(&wgsl, "blur").with_cpu(|b| {
        let (w, h) = image_size(b)?;
        let src = b.read::<u32>(0)?.to_vec();
        let dst = b.read_write::<u32>(1)?;
        for y in 0..h as isize {
            for x in 0..w as isize {
                let p = |dx: isize, dy: isize| pixel(&src, w, h, x + dx, y + dy);
                let edges = p(-1, 0) + p(1, 0) + p(0, -1) + p(0, 1);
                let corners = p(-1, -1) + p(1, -1) + p(-1, 1) + p(1, 1);
                dst[y as usize * w + x as usize] = (4 * p(0, 0) + 2 * edges + corners + 8) / 16;
            }
        }
        Ok(())
    })
}

/// Sobel edge strength of a gray image, one `u32` per pixel:
/// `min(|gx| + |gy|, 255)`, edges repeated. Bindings and dispatch as
/// [`blur_u32`]; GPU and CPU agree bit for bit.
pub fn sobel_u32() -> Kernel {
    let wgsl = format!(
        "{IMAGE_PRELUDE}
fn v(x: i32, y: i32) -> i32 {{ return i32(at(x, y)); }}

@compute @workgroup_size(8, 8)
fn sobel(@builtin(global_invocation_id) id: vec3<u32>) {{
    if id.x >= shape.x || id.y >= shape.y {{ return; }}
    let x = i32(id.x);
    let y = i32(id.y);
    let gx = v(x + 1, y - 1) + 2 * v(x + 1, y) + v(x + 1, y + 1)
           - v(x - 1, y - 1) - 2 * v(x - 1, y) - v(x - 1, y + 1);
    let gy = v(x - 1, y + 1) + 2 * v(x, y + 1) + v(x + 1, y + 1)
           - v(x - 1, y - 1) - 2 * v(x, y - 1) - v(x + 1, y - 1);
    dst[id.y * shape.x + id.x] = u32(min(abs(gx) + abs(gy), 255));
}}
"
    );
    checked(&wgsl, "sobel").with_cpu(|b| {
        let (w, h) = image_size(b)?;
        let src = b.read::<u32>(0)?.to_vec();
        let dst = b.read_write::<u32>(1)?;
        for y in 0..h as isize {
            for x in 0..w as isize {
                let v = |dx: isize, dy: isize| i64::from(pixel(&src, w, h, x + dx, y + dy));
                let gx = v(1, -1) + 2 * v(1, 0) + v(1, 1) - v(-1, -1) - 2 * v(-1, 0) - v(-1, 1);
                let gy = v(-1, 1) + 2 * v(0, 1) + v(1, 1) - v(-1, -1) - 2 * v(0, -1) - v(1, -1);
                dst[y as usize * w + x as usize] = (gx.abs() + gy.abs()).min(255) as u32;
            }
        }
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
        for image in [super::blur_u32(), super::sobel_u32()] {
            assert_eq!(image.bindings(), [StorageRead, StorageReadWrite, Uniform]);
            assert_eq!(image.workgroup_size(), [8, 8, 1]);
        }
        assert_eq!(
            super::sum_u32().workgroup_size(),
            [super::SUM_WORKGROUP, 1, 1]
        );
    }
}
