//! Hybrid pipelines: misuse is a typed error, back-pressure holds across
//! stages (a GPU stage among them), data stays on the GPU between GPU
//! stages, and every placement gives the same results.

mod common;

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_gpu::kernels::{self, image_workgroups};
use actor_gpu::pipeline::{Shape, SubmitError};
use actor_gpu::{Frame, Kernel, Pipeline, PipelineError, Placement, Stage};

/// `y[i] = x[i] * 2 + 1`, with its CPU twin.
fn twice_plus_one() -> Kernel {
    Kernel::new(
        "@group(0) @binding(0) var<storage, read> x: array<u32>;
         @group(0) @binding(1) var<storage, read_write> y: array<u32>;
         @compute @workgroup_size(64)
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {
             if id.x < arrayLength(&y) { y[id.x] = x[id.x] * 2u + 1u; }
         }",
        "main",
    )
    .unwrap()
    .with_cpu(|b| {
        let y: Vec<u32> = b.read::<u32>(0)?.iter().map(|x| x * 2 + 1).collect();
        b.write(1, &y)
    })
}

fn rt() -> Runtime {
    Runtime::builder().shards(2).build().unwrap()
}

#[test]
fn misuse_is_a_typed_error() {
    let rt = rt();
    let h = rt.handle();
    let err = |b: actor_gpu::pipeline::PipelineBuilder| b.spawn(h).map(|_| ()).unwrap_err();
    assert_eq!(err(Pipeline::builder()), PipelineError::Empty);
    let floats = Stage::cpu("floats", |x: &[u32], _| {
        Ok::<_, String>(x.iter().map(|&v| v as f32).collect::<Vec<f32>>())
    });
    let mismatch = err(Pipeline::builder()
        .stage(floats)
        .stage(Stage::gpu::<u32, u32>("k", &twice_plus_one())));
    assert!(
        matches!(&mismatch, PipelineError::TypeMismatch { stage, expected: "u32", found: "f32" } if stage == "k"),
        "{mismatch:?}"
    );
    // vector_add's binding 1 is an input, not the output a stage needs.
    let layout =
        err(Pipeline::builder().stage(Stage::gpu::<f32, f32>("add", &kernels::vector_add())));
    assert!(
        matches!(layout, PipelineError::KernelLayout { .. }),
        "{layout:?}"
    );
    let bytes = err(Pipeline::builder().stage(Stage::gpu::<u8, u32>("k", &twice_plus_one())));
    assert!(
        matches!(bytes, PipelineError::KernelLayout { .. }),
        "{bytes:?}"
    );
    let gpu_only = Kernel::new(
        "@group(0) @binding(0) var<storage, read> x: array<u32>;
         @group(0) @binding(1) var<storage, read_write> y: array<u32>;
         @compute @workgroup_size(1) fn main() { y[0] = x[0]; }",
        "main",
    )
    .unwrap();
    let no_twin = err(Pipeline::builder()
        .stage(Stage::gpu::<u32, u32>("copy", &gpu_only).placement(Placement::Cpu)));
    assert_eq!(no_twin, PipelineError::NoCpuImplementation("copy".into()));
    let cpu_len = err(Pipeline::builder()
        .stage(Stage::cpu("c", |x: &[u32], _| Ok::<_, String>(x.to_vec())).output_len(|_, n| n)));
    assert!(
        matches!(cpu_len, PipelineError::Invalid { .. }),
        "{cpu_len:?}"
    );

    // A frame of the wrong type is handed back; a failing stage fails only
    // its frame.
    let p = Pipeline::builder()
        .stage(Stage::cpu("checked", |x: &[u32], _| {
            if x[0] == 0 {
                Err("zero")
            } else {
                Ok(x.to_vec())
            }
        }))
        .stage(Stage::gpu::<u32, u32>("k", &twice_plus_one()))
        .spawn(h)
        .unwrap();
    rt.block_on(async {
        let wrong = p.submit(Frame::new([0; 4], &[1.0f32]).unwrap()).await;
        let Err(SubmitError::WrongType {
            frame,
            expected: "u32",
        }) = wrong
        else {
            panic!("{wrong:?}")
        };
        assert_eq!(frame.get::<f32>().unwrap(), [1.0]);
        let failed = p.process(Frame::new([0; 4], &[0u32]).unwrap()).await;
        assert!(
            matches!(failed, Err(PipelineError::Stage { ref stage, .. }) if stage == "checked"),
            "{failed:?}"
        );
        let ok = p
            .process(Frame::new([0; 4], &[3u32, 4]).unwrap())
            .await
            .unwrap();
        assert_eq!(ok.get::<u32>().unwrap(), [7, 9]);
    });
    assert_eq!(p.status().stages[0].failed, 1);
    p.stop();
    rt.shutdown().unwrap();
}

/// A gate a CPU stage waits at (on the blocking pool) until the test opens it.
#[derive(Default)]
struct Gate(Mutex<bool>, Condvar);

impl Gate {
    fn wait(&self) {
        let mut open = self.0.lock().unwrap();
        while !*open {
            open = self.1.wait(open).unwrap();
        }
    }
    fn open(&self) {
        *self.0.lock().unwrap() = true;
        self.1.notify_all();
    }
}

#[test]
fn back_pressure_holds_across_every_stage() {
    common::has_gpu();
    let rt = rt();
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let p = Pipeline::builder()
        .stage(Stage::cpu("first", |x: &[u32], _| {
            Ok::<_, String>(x.to_vec())
        }))
        .stage(Stage::gpu::<u32, u32>("gpu", &twice_plus_one()).placement(Placement::Gpu))
        .stage(Stage::cpu("gated", move |x: &[u32], _| {
            g.wait();
            Ok::<_, String>(x.to_vec())
        }))
        .capacity(1)
        .spawn(rt.handle())
        .unwrap();
    // Fill the pipeline until every mailbox is full and stays so (a slow
    // machine may take a while to compile the shader: wait for the
    // steady state, not for a fixed time).
    let mut pending = Vec::new();
    let mut settled = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while settled < 10 && Instant::now() < deadline {
        let frame = Frame::new([0; 4], &[pending.len() as u32]).unwrap();
        match p.try_submit(frame) {
            Ok(done) => {
                pending.push(done);
                settled = 0;
            }
            Err(SubmitError::Full(_)) if p.queued() == [1, 1, 1] => settled += 1,
            Err(SubmitError::Full(_)) => settled = 0,
            Err(e) => panic!("{e}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Each stage holds one frame in its mailbox and one in hand (working,
    // or waiting for room in the next): nothing more got in.
    assert_eq!(
        pending.len(),
        6,
        "frames taken while the last stage was stuck"
    );
    assert_eq!(p.queued(), [1, 1, 1]);
    gate.open();
    rt.block_on(async {
        for (i, done) in pending.into_iter().enumerate() {
            assert_eq!(
                done.await.unwrap().get::<u32>().unwrap(),
                [i as u32 * 2 + 1]
            );
        }
    });
    p.stop();
    rt.shutdown().unwrap();
}

#[test]
fn data_stays_on_the_gpu_between_gpu_stages() {
    let gpu = common::has_gpu();
    let rt = rt();
    let k = twice_plus_one();
    let build = |placement| {
        Pipeline::builder()
            .stage(Stage::cpu("source", |x: &[u32], _| {
                Ok::<_, String>(x.to_vec())
            }))
            .stage(Stage::gpu::<u32, u32>("a", &k))
            .stage(Stage::gpu::<u32, u32>("b", &k))
            .stage(Stage::gpu::<u32, u32>("c", &k))
            .stage(Stage::cpu("sink", |x: &[u32], _| {
                Ok::<_, String>(x.to_vec())
            }))
            .placement(placement)
            .spawn(rt.handle())
            .unwrap()
    };
    const FRAMES: u32 = 5;
    let input: Vec<u32> = (0..1000).collect();
    for placement in [Placement::Gpu, Placement::Cpu] {
        let p = build(placement);
        for f in 0..FRAMES {
            let data: Vec<u32> = input.iter().map(|x| x + f).collect();
            let out = rt
                .block_on(p.process(Frame::new([0; 4], &data).unwrap()))
                .unwrap();
            let want: Vec<u32> = data.iter().map(|x| ((x * 2 + 1) * 2 + 1) * 2 + 1).collect();
            assert_eq!(out.get::<u32>().unwrap(), want);
        }
        let s = p.status();
        let moved: Vec<(u64, u64)> = s.stages.iter().map(|s| (s.uploads, s.downloads)).collect();
        if placement == Placement::Gpu {
            let n = u64::from(FRAMES);
            // Up once (`source` hands `a` a resident buffer), down once out
            // of `c`; `a`, `b` and `c` pass resident buffers to each other.
            assert_eq!(moved, [(n, 0), (0, 0), (0, 0), (0, n), (0, 0)]);
            assert_eq!(s.gpu_batches(), 3 * n);
            let q = p.gpu_queue().unwrap().status_blocking().unwrap();
            if gpu {
                assert_eq!(q.gpu_tasks, 3 * n);
            }
        } else {
            assert_eq!(moved, [(0, 0); 5]);
            assert_eq!(s.gpu_batches(), 0);
        }
        p.stop();
    }
    rt.shutdown().unwrap();
}

#[test]
fn every_placement_gives_the_same_image() {
    common::has_gpu();
    let rt = rt();
    let (w, h) = (97u32, 61u32);
    let image: Vec<u32> = (0..w * h).map(|i| (i * 7919 + i / w * 31) % 256).collect();
    let groups = |s: Shape, _| image_workgroups(s[0], s[1]);
    let mut outs = Vec::new();
    for placement in [Placement::Gpu, Placement::Cpu, Placement::Auto] {
        let p = Pipeline::builder()
            .stage(Stage::gpu::<u32, u32>("blur", &kernels::blur_u32()).workgroups(groups))
            .stage(Stage::gpu::<u32, u32>("sobel", &kernels::sobel_u32()).workgroups(groups))
            .placement(placement)
            .spawn(rt.handle())
            .unwrap();
        let frames: Vec<Vec<u32>> = (0..6)
            .map(|f| {
                let img: Vec<u32> = image.iter().map(|v| (v + f * 13) % 256).collect();
                let frame = Frame::new([w, h, 0, 0], &img).unwrap();
                rt.block_on(p.process(frame)).unwrap().get::<u32>().unwrap()
            })
            .collect();
        let s = p.status();
        if placement == Placement::Auto {
            // Both sides were tried, and their estimates are there.
            assert!(
                s.stages[0].gpu_batches > 0 && s.stages[0].cpu_batches > 0,
                "{s}"
            );
            assert!(!s.stages[0].estimates.is_empty(), "{s}");
        }
        outs.push(frames);
        p.stop();
    }
    assert_eq!(outs[0], outs[1], "GPU and CPU differ");
    assert_eq!(outs[0], outs[2], "automatic placement differs");
    assert!(outs[0][0].iter().any(|&e| e > 0) && outs[0][0].iter().all(|&e| e <= 255));
    rt.shutdown().unwrap();
}
