//! Automatic placement picks the faster side: a stage whose CPU twin is
//! made slow runs on the GPU, one whose shader is made slow runs on the
//! CPU, and the choice shows in the pipeline's status and the runtime's
//! metrics. With no Vulkan the GPU queue runs the same twin, so neither
//! side is faster; the tests then check that both sides were measured.

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use actor_gpu::pipeline::{Side, StageStatus};
use actor_gpu::{Frame, Kernel, Pipeline, Placement, Stage};

const FRAMES: u32 = 24;

/// Runs `FRAMES` frames of `len` values through a one-stage pipeline
/// of `kernel`, checking each result with `want`; the stage's status.
fn run(
    kernel: &Kernel,
    len: u32,
    want: impl Fn(u32) -> u32,
) -> (StageStatus, Vec<(&'static str, u64)>) {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let p = Pipeline::builder()
        .stage(Stage::gpu::<u32, u32>("stage", kernel).placement(Placement::Auto))
        .spawn(rt.handle())
        .unwrap();
    for f in 0..FRAMES {
        let input: Vec<u32> = (0..len).map(|i| i + f).collect();
        let out = rt
            .block_on(p.process(Frame::new([0; 4], &input).unwrap()))
            .unwrap()
            .get::<u32>()
            .unwrap();
        assert!(
            out.iter().zip(&input).all(|(o, i)| *o == want(*i)),
            "frame {f}"
        );
    }
    let status = p.status().stages.remove(0);
    println!("{}", p.status());
    let named = rt.metrics().named;
    p.stop();
    rt.shutdown().unwrap();
    (status, named)
}

fn estimate(s: &StageStatus, side: Side) -> f64 {
    let e = s.estimates.iter().find(|e| e.side == side).unwrap();
    e.fixed.as_secs_f64() + e.per_item_ns * 1e-9 * 1024.0
}

#[test]
fn a_stage_whose_cpu_side_is_slow_runs_on_the_gpu() {
    let gpu = common::has_gpu();
    let add_one = Kernel::new(
        "@group(0) @binding(0) var<storage, read> x: array<u32>;
         @group(0) @binding(1) var<storage, read_write> y: array<u32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {
             if id.x < arrayLength(&y) { y[id.x] = x[id.x] + 1u; }
         }",
        "main",
    )
    .unwrap()
    .with_cpu(|b| {
        std::thread::sleep(Duration::from_millis(25));
        let y: Vec<u32> = b.read::<u32>(0)?.iter().map(|x| x + 1).collect();
        b.write(1, &y)
    });
    let (s, named) = run(&add_one, 1024, |x| x + 1);
    assert_eq!(s.gpu_batches + s.cpu_batches, u64::from(FRAMES));
    let counted = |name| {
        named
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| *v)
    };
    assert_eq!(counted("pipeline_gpu_batches"), s.gpu_batches);
    assert_eq!(counted("pipeline_cpu_batches"), s.cpu_batches);
    if gpu {
        // Two warm-up batches on the CPU side; the rest on the GPU.
        assert!(s.cpu_batches <= 3, "{s:?}");
        assert!(estimate(&s, Side::Gpu) < estimate(&s, Side::Cpu), "{s:?}");
    } else {
        assert!(s.gpu_batches >= 2 && s.cpu_batches >= 2, "{s:?}");
    }
}

/// `LCG_STEPS` steps of a linear congruential generator per value: a long
/// loop on the GPU, one multiply-add on the CPU (the steps composed once).
const LCG_STEPS: u32 = 50_000;
const LCG_A: u32 = 1_664_525;
const LCG_C: u32 = 1_013_904_223;

fn lcg_composed() -> (u32, u32) {
    (0..LCG_STEPS).fold((1u32, 0u32), |(a, c), _| {
        (
            a.wrapping_mul(LCG_A),
            c.wrapping_mul(LCG_A).wrapping_add(LCG_C),
        )
    })
}

#[test]
fn a_stage_whose_gpu_side_is_slow_runs_on_the_cpu() {
    let gpu = common::has_gpu();
    let wgsl = format!(
        "@group(0) @binding(0) var<storage, read> x: array<u32>;
         @group(0) @binding(1) var<storage, read_write> y: array<u32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {{
             if id.x >= arrayLength(&y) {{ return; }}
             var v = x[id.x];
             for (var i = 0u; i < {LCG_STEPS}u; i++) {{ v = v * {LCG_A}u + {LCG_C}u; }}
             y[id.x] = v;
         }}"
    );
    let lcg = Kernel::new(wgsl, "main").unwrap().with_cpu(|b| {
        let (a, c) = lcg_composed();
        let y: Vec<u32> = b
            .read::<u32>(0)?
            .iter()
            .map(|x| x.wrapping_mul(a).wrapping_add(c))
            .collect();
        b.write(1, &y)
    });
    let (a, c) = lcg_composed();
    let (s, _) = run(&lcg, 8192, |x| x.wrapping_mul(a).wrapping_add(c));
    assert_eq!(s.gpu_batches + s.cpu_batches, u64::from(FRAMES));
    if gpu {
        // Two warm-up batches on the GPU side; the rest on the CPU.
        assert!(s.gpu_batches <= 3, "{s:?}");
        assert!(estimate(&s, Side::Cpu) < estimate(&s, Side::Gpu), "{s:?}");
    } else {
        assert!(s.gpu_batches >= 2 && s.cpu_batches >= 2, "{s:?}");
    }
}
