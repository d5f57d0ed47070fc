//! Bad input gets a typed error, never a panic or a hang: WGSL that does not
//! compile (with its line), tasks that do not fit their kernel, typed reads
//! that do not fit a buffer, CPU runs without a CPU implementation, and a
//! queue that must have a GPU but finds none.

mod common;

use actor_core::prelude::*;
use actor_gpu::kernels;
use actor_gpu::{
    AdapterChoice, ComputeTask, Fallback, GpuError, GpuQueue, GpuQueueConfig, Kernel, run_on_cpu,
};

#[test]
fn a_wgsl_syntax_error_names_its_line() {
    let wgsl = "@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n\
                @compute @workgroup_size(1)\n\
                fn main() {\n\
                    v[0] = 1u +;\n\
                }\n";
    match Kernel::new(wgsl, "main") {
        Err(GpuError::ShaderCompile { line, message, .. }) => {
            assert_eq!(line, 4, "{message}");
        }
        other => panic!("expected a compile error, got {other:?}"),
    }
}

#[test]
fn a_wgsl_type_error_names_its_line() {
    let wgsl = "@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n\
                @compute @workgroup_size(1)\n\
                fn main() {\n\
                    let x: u32 = 1.5;\n\
                    v[0] = x;\n\
                }\n";
    match Kernel::new(wgsl, "main") {
        Err(GpuError::ShaderCompile { line, message, .. }) => assert_eq!(line, 4, "{message}"),
        other => panic!("expected a compile error, got {other:?}"),
    }
}

#[test]
fn a_missing_entry_point_or_group_is_a_compile_error() {
    let wgsl = "@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n\
                @compute @workgroup_size(1) fn main() { v[0] = 1u; }";
    assert!(matches!(
        Kernel::new(wgsl, "other"),
        Err(GpuError::ShaderCompile { .. })
    ));
    let group1 = wgsl.replace("@group(0)", "@group(1)");
    assert!(matches!(
        Kernel::new(group1, "main"),
        Err(GpuError::ShaderCompile { .. })
    ));
}

#[test]
fn tasks_that_do_not_fit_their_kernel_are_refused_on_gpu_and_cpu() {
    common::has_gpu();
    let (rt, q) = common::queue();
    let add = kernels::vector_add();
    let bad = [
        // Too few bindings.
        ComputeTask::new(&add).input(&[1.0f32]).output::<f32>(1),
        // A uniform where the shader has storage.
        ComputeTask::new(&add)
            .input(&[1.0f32])
            .uniform(&1.0f32)
            .output::<f32>(1),
        // An output where the shader reads only.
        ComputeTask::new(&add)
            .output::<f32>(1)
            .input(&[1.0f32])
            .output::<f32>(1),
        // No workgroups.
        ComputeTask::new(&add)
            .input(&[1.0f32])
            .input(&[1.0f32])
            .output::<f32>(1)
            .workgroups(0, 1, 1),
        // More workgroups than any device allows.
        ComputeTask::new(&add)
            .input(&[1.0f32])
            .input(&[1.0f32])
            .output::<f32>(1)
            .workgroups(1 << 20, 1, 1),
        // An empty buffer, and one that is not whole words.
        ComputeTask::new(&add)
            .input::<f32>(&[])
            .input(&[1.0f32])
            .output::<f32>(1),
        ComputeTask::new(&add)
            .input(&[1u8, 2, 3])
            .input(&[1.0f32])
            .output::<f32>(1),
    ];
    for task in bad {
        let queued = common::run(&q, task.clone());
        assert!(
            matches!(queued, Err(GpuError::InvalidTask(_))),
            "{queued:?}"
        );
        let cpu = run_on_cpu(task);
        assert!(matches!(cpu, Err(GpuError::InvalidTask(_))), "{cpu:?}");
    }
    // The queue still works after refusing them.
    let ok = ComputeTask::new(&add)
        .input(&[1.0f32])
        .input(&[2.0f32])
        .output::<f32>(1);
    assert_eq!(common::run(&q, ok).unwrap().get::<f32>(2).unwrap(), [3.0]);
    rt.shutdown().unwrap();
}

#[test]
fn typed_reads_that_do_not_fit_are_errors() {
    let add = kernels::vector_add();
    let task = ComputeTask::new(&add)
        .input(&[1.0f32; 3])
        .input(&[2.0f32; 3])
        .output::<f32>(3);
    let out = run_on_cpu(task).unwrap();
    assert!(
        matches!(out.get::<f32>(0), Err(GpuError::InvalidTask(_))),
        "binding 0 is read-only"
    );
    assert!(
        matches!(out.get::<[f32; 2]>(2), Err(GpuError::InvalidTask(_))),
        "12 bytes are not pairs"
    );
    assert!(matches!(out.get::<f32>(9), Err(GpuError::InvalidTask(_))));
    assert_eq!(out.get::<f32>(2).unwrap(), [3.0; 3]);
}

#[test]
fn the_cpu_path_needs_a_cpu_implementation() {
    let gpu_only = Kernel::new(
        "@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n\
         @compute @workgroup_size(1) fn main() { v[0] = 7u; }",
        "main",
    )
    .unwrap();
    let task = ComputeTask::new(&gpu_only).input(&[0u32]);
    assert!(matches!(
        run_on_cpu(task.clone()),
        Err(GpuError::NoCpuImplementation(_))
    ));

    let rt = Runtime::builder().shards(1).build().unwrap();
    let cpu_queue = rt
        .spawn(|| {
            GpuQueue::new(GpuQueueConfig {
                fallback: Fallback::Always,
                ..Default::default()
            })
        })
        .unwrap();
    let answer = cpu_queue.run_blocking(task).unwrap();
    assert!(
        matches!(answer, Err(GpuError::NoCpuImplementation(_))),
        "{answer:?}"
    );
    rt.shutdown().unwrap();
}

#[test]
fn a_cpu_implementation_that_panics_is_an_error() {
    let k = Kernel::new(
        "@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n\
         @compute @workgroup_size(1) fn main() { v[0] = 7u; }",
        "main",
    )
    .unwrap()
    .with_cpu(|_| panic!("cpu twin broke"));
    let out = run_on_cpu(ComputeTask::new(&k).input(&[0u32]));
    assert!(
        matches!(&out, Err(GpuError::Cpu(m)) if m.contains("cpu twin broke")),
        "{out:?}"
    );
}

#[test]
fn a_queue_that_must_have_a_gpu_fails_to_start_without_one() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let q = rt
        .spawn(|| {
            GpuQueue::new(GpuQueueConfig {
                adapter: AdapterChoice::Name("no such adapter anywhere".into()),
                fallback: Fallback::Never,
                ..Default::default()
            })
        })
        .unwrap();
    let reason = q
        .wait_stopped_blocking(std::time::Duration::from_secs(10))
        .unwrap();
    assert!(
        matches!(&reason, ExitReason::StartFailed(m) if m.contains("no GPU adapter")),
        "{reason:?}"
    );
    rt.shutdown().unwrap();
}
