//! A lost device: by default the queue goes on, on the CPU, with the same
//! results, and says so; with `Fallback::Never` it stops abnormally, a
//! failure its supervisor sees.

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use actor_gpu::kernels;
use actor_gpu::{
    BufferData, ComputeTask, Executor, Fallback, GpuError, GpuQueue, GpuQueueConfig, RanOn,
};

fn add_task() -> ComputeTask {
    ComputeTask::new(&kernels::vector_add())
        .input(&[1.0f32, 2.0, 3.0])
        .input(&[0.5f32; 3])
        .output::<f32>(3)
}

#[test]
fn after_a_device_loss_tasks_run_on_the_cpu_with_the_same_results() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    let before = common::run(&q, add_task()).unwrap();
    q.lose_device_blocking().unwrap();
    let after = common::run(&q, add_task()).unwrap();
    assert_eq!(after.ran_on(), &RanOn::Cpu);
    assert_eq!(before.get::<f32>(2).unwrap(), after.get::<f32>(2).unwrap());
    let status = q.status_blocking().unwrap();
    match status.executor {
        Executor::Cpu(why) if gpu => assert!(why.contains("device lost"), "{why}"),
        Executor::Cpu(_) => {}
        Executor::Gpu(a) => panic!("still on {a} after the loss"),
    }
    if gpu {
        assert_eq!((status.gpu_tasks, status.cpu_tasks), (1, 1));
        let named = rt.metrics().named;
        let lost = named.iter().find(|(n, _)| *n == "gpu_queue_device_lost");
        assert_eq!(lost.map(|(_, v)| *v), Some(1));
    }
    rt.shutdown().unwrap();
}

#[test]
fn with_no_fallback_a_device_loss_stops_the_queue_abnormally() {
    if !common::has_gpu() {
        // Without a device there is nothing to lose: such a queue never starts.
        return;
    }
    let rt = Runtime::builder().shards(1).build().unwrap();
    let q = rt
        .spawn(|| {
            GpuQueue::new(GpuQueueConfig {
                fallback: Fallback::Never,
                ..Default::default()
            })
        })
        .unwrap();
    assert!(common::run(&q, add_task()).is_ok());
    q.lose_device_blocking().unwrap();
    assert!(matches!(
        common::run(&q, add_task()),
        Err(GpuError::DeviceLost(_))
    ));
    let reason = q.wait_stopped_blocking(Duration::from_secs(10)).unwrap();
    assert!(reason.is_abnormal(), "{reason:?}");
    rt.shutdown().unwrap();
}

#[test]
fn after_a_device_loss_the_queue_gets_a_device_back_with_its_buffers() {
    let gpu = common::has_gpu();
    let rt = Runtime::builder().shards(1).build().unwrap();
    let q = rt
        .spawn(|| {
            GpuQueue::new(GpuQueueConfig {
                retry_gpu_after: Duration::ZERO,
                ..Default::default()
            })
        })
        .unwrap();
    q.lose_device_blocking().unwrap();
    // This task finds the loss and runs on the CPU (without Vulkan: there
    // never was a device).
    assert_eq!(common::run(&q, add_task()).unwrap().ran_on(), &RanOn::Cpu);
    // A buffer uploaded while on the CPU...
    let b = q
        .upload_blocking(BufferData::from_slice(&[3u32; 4]).unwrap())
        .unwrap()
        .unwrap();
    // ...is on the new device once the queue has one again.
    let sum = ComputeTask::new(&kernels::sum_u32())
        .resident(&b)
        .output::<u32>(1);
    let out = common::run(&q, sum).unwrap();
    assert_eq!(out.get::<u32>(1).unwrap(), [12]);
    let status = q.status_blocking().unwrap();
    if gpu {
        assert!(matches!(out.ran_on(), RanOn::Gpu(_)), "{:?}", out.ran_on());
        assert!(matches!(status.executor, Executor::Gpu(_)));
        let named = rt.metrics().named;
        let back = named
            .iter()
            .find(|(n, _)| *n == "gpu_queue_device_recovered");
        assert_eq!(back.map(|(_, v)| *v), Some(1));
    } else {
        assert_eq!(out.ran_on(), &RanOn::Cpu);
    }
    let data = q.download_blocking(b).unwrap().unwrap();
    assert_eq!(data.get::<u32>().unwrap(), [3; 4]);
    rt.shutdown().unwrap();
}
