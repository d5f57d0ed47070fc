//! Many small tasks sent together take few submits, each answered in order
//! with the CPU's result; a task that does not fit fails alone; and tasks
//! of a steady shape allocate no device buffers once the pool is warm.

mod common;

use std::sync::LazyLock;

use actor_core::prelude::*;
use actor_gpu::kernels;
use actor_gpu::{ComputeTask, GpuError, GpuQueue, GpuQueueConfig, Kernel, run_on_cpu};

fn small_add(i: usize) -> ComputeTask {
    static ADD: LazyLock<Kernel> = LazyLock::new(kernels::vector_add);
    let a: Vec<f32> = (0..16).map(|j| (i * 16 + j) as f32).collect();
    ComputeTask::new(&ADD)
        .input(&a)
        .input(&[1.5f32; 16])
        .output::<f32>(16)
}

#[test]
fn a_thousand_small_tasks_take_four_submits_and_match_the_cpu() {
    let gpu = common::has_gpu();
    let rt = Runtime::builder().shards(1).build().unwrap();
    let q = rt
        .spawn(|| {
            GpuQueue::new(GpuQueueConfig {
                max_batch: 256,
                ..Default::default()
            })
        })
        .unwrap();
    let tasks: Vec<ComputeTask> = (0..1000).map(small_add).collect();
    let answers = q.run_batch_blocking(tasks.clone()).unwrap();
    assert_eq!(answers.len(), 1000);
    for (task, answer) in tasks.into_iter().zip(answers) {
        let got = answer.unwrap().get::<f32>(2).unwrap();
        assert_eq!(got, run_on_cpu(task).unwrap().get::<f32>(2).unwrap());
    }
    let status = q.status_blocking().unwrap();
    if gpu {
        assert_eq!(status.submits, 4, "1000 tasks in batches of 256");
        assert_eq!(status.gpu_tasks, 1000);
    } else {
        assert_eq!(status.cpu_tasks, 1000);
    }
    rt.shutdown().unwrap();
}

#[test]
fn a_task_that_does_not_fit_fails_alone_in_its_batch() {
    common::has_gpu();
    let (rt, q) = common::queue();
    let bad = ComputeTask::new(&kernels::vector_add()).input(&[1.0f32]);
    let answers = q
        .run_batch_blocking(vec![small_add(0), bad, small_add(2)])
        .unwrap();
    assert!(answers[0].is_ok());
    assert!(matches!(answers[1], Err(GpuError::InvalidTask(_))));
    assert_eq!(answers[2].as_ref().unwrap().get::<f32>(2).unwrap()[0], 33.5);
    assert!(q.run_batch_blocking(Vec::new()).unwrap().is_empty());
    rt.shutdown().unwrap();
}

#[test]
fn steady_tasks_reuse_pooled_buffers() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    common::run(&q, small_add(0)).unwrap();
    let warm = q.status_blocking().unwrap();
    for i in 1..5 {
        // Each result is this task's, not the last user's of the buffers.
        let out = common::run(&q, small_add(i))
            .unwrap()
            .get::<f32>(2)
            .unwrap();
        assert_eq!(out[0], (i * 16) as f32 + 1.5);
    }
    let after = q.status_blocking().unwrap();
    assert_eq!(
        after.buffers_created, warm.buffers_created,
        "no new buffers once warm"
    );
    if gpu {
        // Three bindings and one staging buffer per task.
        assert_eq!(warm.buffers_created, 4);
        assert_eq!(after.buffers_reused, 16);
    }
    rt.shutdown().unwrap();
}
