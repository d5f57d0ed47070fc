//! Both ways of learning that GPU work finished (a completion thread, or
//! the shard polling without blocking) give the same answers, for single
//! tasks, batches and downloads.

mod common;

use actor_core::prelude::*;
use actor_gpu::kernels;
use actor_gpu::{BufferData, Completion, ComputeTask, GpuQueue, GpuQueueConfig, run_on_cpu};

fn queue_with(rt: &Runtime, completion: Completion) -> ActorRef<GpuQueue> {
    rt.spawn(move || {
        GpuQueue::new(GpuQueueConfig {
            completion,
            ..Default::default()
        })
    })
    .unwrap()
}

#[test]
fn thread_and_shard_polling_give_the_same_answers() {
    let gpu = common::has_gpu();
    let rt = Runtime::builder().shards(1).build().unwrap();
    let add = kernels::vector_add();
    let task = |i: u32| {
        let a: Vec<f32> = (0..300).map(|j| (i * 300 + j) as f32).collect();
        ComputeTask::new(&add)
            .input(&a)
            .input(&[0.5f32; 300])
            .output::<f32>(300)
            .workgroups_for(300)
    };
    for completion in [Completion::Thread, Completion::ShardPoll] {
        let q = queue_with(&rt, completion);
        let one = q.run_blocking(task(0)).unwrap().unwrap();
        assert_eq!(
            one.get::<f32>(2).unwrap(),
            run_on_cpu(task(0)).unwrap().get::<f32>(2).unwrap()
        );
        let batch = q.run_batch_blocking((1..20).map(task).collect()).unwrap();
        for (i, answer) in (1..20).zip(batch) {
            let want = run_on_cpu(task(i)).unwrap().get::<f32>(2).unwrap();
            assert_eq!(
                answer.unwrap().get::<f32>(2).unwrap(),
                want,
                "{completion:?}"
            );
        }
        let b = q
            .upload_blocking(BufferData::from_slice(&[7u32; 16]).unwrap())
            .unwrap()
            .unwrap();
        let back = q.download_blocking(b).unwrap().unwrap();
        assert_eq!(back.get::<u32>().unwrap(), [7; 16]);
        let status = q.status_blocking().unwrap();
        assert_eq!(status.gpu_tasks + status.cpu_tasks, 20);
        if gpu {
            assert_eq!(status.gpu_tasks, 20, "{completion:?}");
        }
    }
    rt.shutdown().unwrap();
}
