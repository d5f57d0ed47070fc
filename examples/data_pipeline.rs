//! A hybrid CPU/GPU data transformation pipeline: raw sensor packets are
//! decoded on the CPU, calibrated and bucketed on the GPU (the readings stay
//! on the GPU between the two stages), and counted per bucket on the CPU.
//!
//! Integer arithmetic throughout, so the GPU kernels and their Rust twins
//! agree bit for bit. The batches go through with the two middle stages on
//! the GPU, on the CPU, and placed automatically, and each result is checked
//! against a plain Rust loop over the same packets. On a machine with no
//! Vulkan the GPU queue runs the same kernels on its CPU fallback.

use actor_core::prelude::*;
use actor_gpu::pipeline::Shape;
use actor_gpu::{Frame, Kernel, Pipeline, Placement, Stage, adapters};

/// Readings per batch.
const READINGS: u32 = 16_384;
const BATCHES: u32 = 8;
/// Histogram buckets of calibrated readings.
const BUCKETS: u32 = 32;

/// A raw packet: a 12-bit sensor code under 4 bits of channel and flags.
fn packets(batch: u32) -> Vec<u32> {
    let mut x = 0x2545_f491u32 ^ batch.wrapping_mul(0x9e37_79b9);
    (0..READINGS)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            // A slow wave plus noise, as a sensor would give.
            let wave = 2048 + (i % 1024) * 2 - 1024;
            let code = (wave + (x & 0xff)).min(4095);
            ((x >> 28) << 12) | code
        })
        .collect()
}

/// Gain 1.021 and offset -40 in fixed point, clamped at 0: a calibration.
fn calibrate(code: u32) -> u32 {
    (code * 1021 / 1000).saturating_sub(40)
}

fn bucket(reading: u32) -> u32 {
    (reading / 128).min(BUCKETS - 1)
}

fn calibrate_kernel() -> Result<Kernel, actor_gpu::GpuError> {
    Ok(Kernel::new(
        "@group(0) @binding(0) var<storage, read> codes: array<u32>;
         @group(0) @binding(1) var<storage, read_write> out: array<u32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {
             if id.x < arrayLength(&out) {
                 let scaled = codes[id.x] * 1021u / 1000u;
                 out[id.x] = select(0u, scaled - 40u, scaled > 40u);
             }
         }",
        "main",
    )?
    .with_cpu(|b| {
        let out: Vec<u32> = b.read::<u32>(0)?.iter().map(|&c| calibrate(c)).collect();
        b.write(1, &out)
    }))
}

fn bucket_kernel() -> Result<Kernel, actor_gpu::GpuError> {
    Ok(Kernel::new(
        "@group(0) @binding(0) var<storage, read> readings: array<u32>;
         @group(0) @binding(1) var<storage, read_write> out: array<u32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {
             if id.x < arrayLength(&out) { out[id.x] = min(readings[id.x] / 128u, 31u); }
         }",
        "main",
    )?
    .with_cpu(|b| {
        let out: Vec<u32> = b.read::<u32>(0)?.iter().map(|&r| bucket(r)).collect();
        b.write(1, &out)
    }))
}

fn pipeline(rt: &Runtime, placement: Placement) -> Result<Pipeline, Box<dyn std::error::Error>> {
    let (calibrate_gpu, bucket_gpu) = (calibrate_kernel()?, bucket_kernel()?);
    Ok(Pipeline::builder()
        .stage(Stage::cpu("decode", |raw: &[u32], _: Shape| {
            Ok::<_, String>(raw.iter().map(|p| p & 0xfff).collect::<Vec<u32>>())
        }))
        .stage(Stage::gpu::<u32, u32>("calibrate", &calibrate_gpu))
        .stage(Stage::gpu::<u32, u32>("bucket", &bucket_gpu))
        .stage(Stage::cpu("count", |buckets: &[u32], _: Shape| {
            let mut counts = vec![0u32; BUCKETS as usize];
            for &b in buckets {
                *counts
                    .get_mut(b as usize)
                    .ok_or(format!("bucket {b} out of range"))? += 1;
            }
            Ok::<_, String>(counts)
        }))
        .placement(placement)
        .capacity(2)
        .spawn(rt.handle())?)
}

/// The same transformation as a plain loop: what every run must match.
fn expected(batch: u32) -> Vec<u32> {
    let mut counts = vec![0u32; BUCKETS as usize];
    for p in packets(batch) {
        counts[bucket(calibrate(p & 0xfff)) as usize] += 1;
    }
    counts
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match adapters().first() {
        Some(a) => println!("Vulkan adapter: {a}"),
        None => println!("no Vulkan adapter: the GPU stages run on the queue's CPU fallback"),
    }
    let rt = Runtime::builder().shards(2).build()?;
    for placement in [Placement::Gpu, Placement::Cpu, Placement::Auto] {
        let p = pipeline(&rt, placement)?;
        let counts = rt.block_on(async {
            // Submitted ahead of their answers: the stages overlap, and the
            // bounded mailboxes hold the submitter back when they are full.
            let mut pending = Vec::new();
            for batch in 0..BATCHES {
                let frame = Frame::new([READINGS, 0, 0, 0], &packets(batch))?;
                pending.push(p.submit(frame).await?);
            }
            let mut out = Vec::new();
            for done in pending {
                out.push(done.await?.get::<u32>()?);
            }
            Ok::<_, Box<dyn std::error::Error>>(out)
        })?;
        for (batch, got) in counts.iter().enumerate() {
            assert_eq!(*got, expected(batch as u32), "{placement:?}, batch {batch}");
        }
        println!("\n{placement:?}: {BATCHES} batches of {READINGS} readings match the plain loop");
        print!("{}", p.status());
        p.stop();
    }
    let busiest = expected(0)
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .map(|(b, n)| (b, *n))
        .ok_or("no buckets")?;
    println!(
        "\nbatch 0: the busiest bucket is {} ({} of {READINGS} readings)",
        busiest.0, busiest.1
    );
    rt.shutdown()?;
    Ok(())
}
