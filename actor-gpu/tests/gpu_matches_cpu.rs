//! Every built-in kernel gives the same results through the queue (on the
//! GPU where there is one, llvmpipe included) as on the CPU, on every input
//! shape: one element, a partial workgroup, whole workgroups, many.

mod common;

use actor_gpu::kernels::{self, SUM_WORKGROUP};
use actor_gpu::{ComputeTask, run_on_cpu};

const SIZES: [usize; 5] = [1, 63, 64, 1000, 65_537];

fn floats(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 10_000) as f32 / 7.0
                - 500.0
        })
        .collect()
}

#[test]
fn vector_add_matches_cpu_on_every_shape() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    let k = kernels::vector_add();
    for n in SIZES {
        let (a, b) = (floats(n, 1), floats(n, 2));
        let task = ComputeTask::new(&k)
            .input(&a)
            .input(&b)
            .output::<f32>(n)
            .workgroups_for(n as u32);
        let on_queue = common::run(&q, task.clone()).expect("queue run");
        assert!(
            common::expected_place(gpu)(on_queue.ran_on()),
            "{:?}",
            on_queue.ran_on()
        );
        let on_cpu = run_on_cpu(task).expect("cpu run");
        let (g, c) = (
            on_queue.get::<f32>(2).unwrap(),
            on_cpu.get::<f32>(2).unwrap(),
        );
        assert_eq!(g, c, "n = {n}");
        assert_eq!(c[n - 1], a[n - 1] + b[n - 1]);
    }
    rt.shutdown().unwrap();
}

#[test]
fn saxpy_matches_cpu_within_one_rounding() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    let k = kernels::saxpy();
    for n in SIZES {
        let (x, y) = (floats(n, 3), floats(n, 4));
        let task = ComputeTask::new(&k)
            .input(&x)
            .input(&y)
            .uniform(&2.5f32)
            .workgroups_for(n as u32);
        let on_queue = common::run(&q, task.clone()).expect("queue run");
        assert!(common::expected_place(gpu)(on_queue.ran_on()));
        let on_cpu = run_on_cpu(task).expect("cpu run");
        let (g, c) = (
            on_queue.get::<f32>(1).unwrap(),
            on_cpu.get::<f32>(1).unwrap(),
        );
        assert_eq!(g.len(), n);
        for i in 0..n {
            let tolerance = 2.0 * f32::EPSILON * (2.5 * x[i].abs() + y[i].abs()).max(1.0);
            assert!(
                (g[i] - c[i]).abs() <= tolerance,
                "n = {n}, i = {i}: {} vs {}",
                g[i],
                c[i]
            );
            assert!((c[i] - (2.5 * x[i] + y[i])).abs() <= tolerance);
        }
    }
    rt.shutdown().unwrap();
}

#[test]
fn sum_matches_cpu_bit_for_bit() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    let k = kernels::sum_u32();
    for n in SIZES {
        let input: Vec<u32> = (0..n as u32).map(|i| i.wrapping_mul(0x9E37_79B9)).collect();
        let groups = (n as u32).div_ceil(SUM_WORKGROUP);
        let task = ComputeTask::new(&k)
            .input(&input)
            .output::<u32>(groups as usize)
            .workgroups(groups, 1, 1);
        let on_queue = common::run(&q, task.clone()).expect("queue run");
        assert!(common::expected_place(gpu)(on_queue.ran_on()));
        let on_cpu = run_on_cpu(task).expect("cpu run");
        let (g, c) = (
            on_queue.get::<u32>(1).unwrap(),
            on_cpu.get::<u32>(1).unwrap(),
        );
        assert_eq!(g, c, "n = {n}");
        let total = g.iter().fold(0u32, |s, v| s.wrapping_add(*v));
        assert_eq!(total, input.iter().fold(0u32, |s, v| s.wrapping_add(*v)));
    }
    rt.shutdown().unwrap();
}

#[test]
fn pipelines_are_cached_per_kernel() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    let add = kernels::vector_add();
    let task = || {
        ComputeTask::new(&add)
            .input(&[1.0f32])
            .input(&[2.0f32])
            .output::<f32>(1)
    };
    common::run(&q, task()).unwrap();
    common::run(&q, task()).unwrap();
    let status = q.status_blocking().unwrap();
    let expected = usize::from(gpu);
    assert_eq!(status.cached_pipelines, expected);
    common::run(
        &q,
        ComputeTask::new(&kernels::sum_u32())
            .input(&[1u32])
            .output::<u32>(1),
    )
    .unwrap();
    assert_eq!(q.status_blocking().unwrap().cached_pipelines, 2 * expected);
    assert_eq!(status.gpu_tasks + status.cpu_tasks, 2);
    rt.shutdown().unwrap();
}
