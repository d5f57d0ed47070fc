//! A hybrid CPU/GPU pipeline for image processing: an image is generated on
//! the CPU, blurred and given Sobel edges on the GPU (the data stays on the
//! GPU between the two), and its edge histogram is counted on the CPU. The
//! last frame is written as a PNG: the image, its edges, and the histogram.
//!
//! The frames go through three times: with the two image stages placed on
//! the GPU, on the CPU (the kernels' Rust twins), and placed automatically;
//! the results must be the same bit for bit. On a machine with no Vulkan
//! the GPU queue runs the same kernels on its CPU fallback.
//!
//! `PINION_PNG_OUT=path` chooses where the PNG goes (a temporary directory
//! by default); the path is printed.

use std::path::PathBuf;
use std::time::Instant;

use actor_core::prelude::*;
use actor_gpu::kernels::{self, image_workgroups};
use actor_gpu::pipeline::Shape;
use actor_gpu::{Executor, Frame, Pipeline, Placement, Stage, adapters};

const WIDTH: u32 = 384;
const HEIGHT: u32 = 288;
const FRAMES: u32 = 6;
const BINS: usize = 256;

/// A gray test image: a gradient, rings, a rectangle and a little noise,
/// moved a few pixels per frame.
fn generate(frame: u32, w: u32, h: u32) -> Vec<u32> {
    let mut noise = 0x9e37_79b9u32 ^ frame;
    let (cx, cy) = ((w / 3 + frame * 7) as f32, (h / 2) as f32);
    (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            let r = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let ring = if (r as u32 / 24).is_multiple_of(2) {
                90
            } else {
                0
            };
            let rect = if (w * 3 / 5..w * 9 / 10).contains(&x) && (h / 5..h * 3 / 5).contains(&y) {
                120
            } else {
                0
            };
            let base = 20 + 60 * x / w.max(1);
            (base + ring + rect + (noise & 7)).min(255)
        })
        .collect()
}

/// The histogram stage's output: 256 bins of edge strength, then the edge
/// image itself (so the PNG can show it).
fn histogram(edges: &[u32], _shape: Shape) -> Result<Vec<u32>, String> {
    let mut out = vec![0u32; BINS];
    for &e in edges {
        *out.get_mut(e as usize)
            .ok_or(format!("edge value {e} is over 255"))? += 1;
    }
    out.extend_from_slice(edges);
    Ok(out)
}

fn pipeline(rt: &Runtime, placement: Placement) -> Result<Pipeline, actor_gpu::PipelineError> {
    let groups = |shape: Shape, _n: usize| image_workgroups(shape[0], shape[1]);
    Pipeline::builder()
        .stage(Stage::cpu("generate", |seed: &[u32], shape: Shape| {
            let frame = seed.first().copied().ok_or("no frame number")?;
            Ok::<_, &str>(generate(frame, shape[0], shape[1]))
        }))
        .stage(Stage::gpu::<u32, u32>("blur", &kernels::blur_u32()).workgroups(groups))
        .stage(Stage::gpu::<u32, u32>("sobel", &kernels::sobel_u32()).workgroups(groups))
        .stage(Stage::cpu("histogram", histogram))
        .placement(placement)
        .capacity(2)
        .spawn(rt.handle())
}

/// Runs every frame through `p`, several in flight; the outputs in order.
fn run(rt: &Runtime, p: &Pipeline) -> Result<Vec<Vec<u32>>, Box<dyn std::error::Error>> {
    rt.block_on(async {
        let mut pending = Vec::new();
        for i in 0..FRAMES {
            let frame = Frame::new([WIDTH, HEIGHT, 0, 0], &[i])?;
            pending.push(p.submit(frame).await?);
        }
        let mut out = Vec::new();
        for done in pending {
            out.push(done.await?.get::<u32>()?);
        }
        Ok(out)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match adapters().first() {
        Some(a) => println!("Vulkan adapter: {a}"),
        None => println!("no Vulkan adapter: the GPU stages run on the queue's CPU fallback"),
    }
    let rt = Runtime::builder().shards(2).build()?;
    let mut results = Vec::new();
    for placement in [Placement::Gpu, Placement::Cpu, Placement::Auto] {
        let p = pipeline(&rt, placement)?;
        if let (Placement::Gpu, Some(q)) = (placement, p.gpu_queue()) {
            match q.status_blocking()?.executor {
                Executor::Gpu(a) => println!("GPU queue: {}", a.name),
                Executor::Cpu(why) => println!("GPU queue runs on the CPU: {why}"),
            }
        }
        let started = Instant::now();
        let out = run(&rt, &p)?;
        let status = p.status();
        println!(
            "\n{placement:?}: {FRAMES} frames of {WIDTH} x {HEIGHT} in {:.1?}",
            started.elapsed()
        );
        print!("{status}");
        if placement == Placement::Gpu {
            // Host to GPU once (`generate` hands `blur` a resident buffer),
            // GPU to host once (out of `sobel`): blur's output stayed on
            // the GPU for sobel.
            let n = u64::from(FRAMES);
            let moved: Vec<(u64, u64)> = status
                .stages
                .iter()
                .map(|s| (s.uploads, s.downloads))
                .collect();
            assert_eq!(moved, [(n, 0), (0, 0), (0, n), (0, 0)]);
        }
        p.stop();
        results.push(out);
    }
    assert_eq!(results[0], results[1], "GPU and CPU results differ");
    assert_eq!(
        results[0], results[2],
        "automatic placement changed the results"
    );
    println!("\nGPU, CPU and automatic placement agree on all {FRAMES} frames, bit for bit");

    let last = results[0].last().ok_or("no frames")?;
    let (bins, edges) = last.split_at(BINS);
    assert_eq!(bins.iter().sum::<u32>(), WIDTH * HEIGHT);
    let strong = bins[64..].iter().sum::<u32>();
    println!(
        "edge pixels (strength >= 64): {strong} of {}",
        WIDTH * HEIGHT
    );
    let image = generate(FRAMES - 1, WIDTH, HEIGHT);
    let path = std::env::var_os("PINION_PNG_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("pinion-hybrid-pipeline.png"));
    std::fs::write(
        &path,
        png::gray(&picture(&image, edges, bins), WIDTH * 2, HEIGHT + 128),
    )?;
    println!("wrote {}", path.display());
    rt.shutdown()?;
    Ok(())
}

/// The image and its edges side by side, the histogram (log scale) below.
fn picture(image: &[u32], edges: &[u32], bins: &[u32]) -> Vec<u8> {
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    let mut px = vec![255u8; 2 * w * (h + 128)];
    for y in 0..h {
        for x in 0..w {
            px[y * 2 * w + x] = image[y * w + x] as u8;
            px[y * 2 * w + w + x] = 255 - edges[y * w + x] as u8;
        }
    }
    let top = bins
        .iter()
        .map(|&b| f64::from(b).ln_1p())
        .fold(0.0, f64::max);
    for x in 0..2 * w {
        let bar = (f64::from(bins[x * BINS / (2 * w)]).ln_1p() / top.max(1.0) * 120.0) as usize;
        for y in h + 128 - bar..h + 128 {
            px[y * 2 * w + x] = 40;
        }
    }
    px
}

/// A minimal PNG writer: 8-bit gray, zlib "stored" (uncompressed) blocks,
/// so no compression library is needed.
mod png {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
            }
        }
        !crc
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// `pixels`, `width` × `height` gray bytes, as a PNG file.
    pub(super) fn gray(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
        let mut raw = Vec::with_capacity(pixels.len() + height as usize);
        for row in pixels.chunks(width as usize) {
            raw.push(0); // filter: none
            raw.extend_from_slice(row);
        }
        let mut z = vec![0x78, 0x01];
        let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
        for (i, block) in blocks.iter().enumerate() {
            z.push(u8::from(i + 1 == blocks.len()));
            let len = block.len() as u16;
            z.extend_from_slice(&len.to_le_bytes());
            z.extend_from_slice(&(!len).to_le_bytes());
            z.extend_from_slice(block);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in &raw {
            a = (a + u32::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        z.extend_from_slice(&((b << 16) | a).to_be_bytes());
        let mut ihdr = Vec::with_capacity(13);
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8 bits, gray, deflate, adaptive, no interlace
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(&mut png, b"IDAT", &z);
        chunk(&mut png, b"IEND", &[]);
        png
    }
}
