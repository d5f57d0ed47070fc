//! Single tasks sent through `GpuQueueExt` that arrive together share
//! submits (at most `max_batch` each), are encoded highest priority first,
//! and a task that arrives alone waits at most `batch_wait`.

mod common;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_gpu::{
    BufferData, ComputeTask, GpuError, GpuQueue, GpuQueueConfig, GpuQueueExt, Kernel, Priority,
    TaskOutput, kernels, run_on_cpu,
};

fn small_add(i: usize) -> ComputeTask {
    static ADD: LazyLock<Kernel> = LazyLock::new(kernels::vector_add);
    let a: Vec<f32> = (0..16).map(|j| (i * 16 + j) as f32).collect();
    ComputeTask::new(&ADD)
        .input(&a)
        .input(&[1.5f32; 16])
        .output::<f32>(16)
}

/// Appends its tag to a log: slot 0 counts the entries, the tags follow.
static APPEND: LazyLock<Kernel> = LazyLock::new(|| {
    Kernel::new(
        "@group(0) @binding(0) var<storage, read> tag: array<u32>;
         @group(0) @binding(1) var<storage, read_write> log: array<u32>;
         @compute @workgroup_size(1)
         fn append() {
             let at = log[0];
             log[0] = at + 1u;
             log[at + 1u] = tag[0];
         }",
        "append",
    )
    .expect("kernel")
    .with_cpu(|b| {
        let tag = b.read::<u32>(0)?[0];
        let log = b.read_write::<u32>(1)?;
        let at = log[0] as usize;
        log[0] += 1;
        log[at + 1] = tag;
        Ok(())
    })
});

/// Sends all its tasks in one turn of its shard, so that they are all in
/// the queue's mailbox (same shard) before the queue takes the first.
#[actor]
struct Client {
    queue: ActorRef<GpuQueue>,
}

#[messages]
impl Client {
    #[message]
    async fn send_together(
        &mut self,
        tasks: Vec<(ComputeTask, Priority)>,
    ) -> Vec<Result<TaskOutput, GpuError>> {
        let replies: Vec<_> = tasks
            .into_iter()
            .map(|(task, priority)| self.queue.try_submit(task, priority).expect("room"))
            .collect();
        let mut answers = Vec::with_capacity(replies.len());
        for reply in replies {
            answers.push(reply.await.expect("answered"));
        }
        answers
    }
}

fn setup(config: GpuQueueConfig) -> (Runtime, ActorRef<GpuQueue>, ActorRef<Client>) {
    let rt = Runtime::builder()
        .shards(1)
        .mailbox_capacity(4096)
        .build()
        .expect("runtime");
    let queue = rt.spawn(move || GpuQueue::new(config)).expect("queue");
    let q = queue.clone();
    let client = rt.spawn(move || Client { queue: q }).expect("client");
    (rt, queue, client)
}

#[test]
fn a_thousand_single_sends_that_arrive_together_take_four_batches() {
    let gpu = common::has_gpu();
    let (rt, queue, client) = setup(GpuQueueConfig::default());
    let tasks: Vec<ComputeTask> = (0..1000).map(small_add).collect();
    let sends = tasks
        .iter()
        .map(|t| (t.clone(), Priority::Normal))
        .collect();
    let answers = client.send_together_blocking(sends).unwrap();
    assert_eq!(answers.len(), 1000);
    for (task, answer) in tasks.into_iter().zip(answers) {
        let got = answer.unwrap().get::<f32>(2).unwrap();
        assert_eq!(got, run_on_cpu(task).unwrap().get::<f32>(2).unwrap());
    }
    let status = queue.status_blocking().unwrap();
    assert_eq!(status.batches, 4, "1000 tasks, at most 256 a batch");
    assert_eq!(status.queued, 0);
    if gpu {
        assert_eq!(status.submits, 4);
        assert_eq!(status.gpu_tasks, 1000);
    } else {
        assert_eq!(status.cpu_tasks, 1000);
    }
    let named = rt.metrics().named;
    let batches = named.iter().find(|(n, _)| *n == "gpu_queue_batches");
    assert_eq!(batches.map(|(_, v)| *v), Some(4));
    rt.shutdown().unwrap();
}

#[test]
fn waiting_tasks_are_encoded_highest_priority_first() {
    common::has_gpu();
    let (rt, queue, client) = setup(GpuQueueConfig {
        max_batch: 4,
        ..Default::default()
    });
    let log = queue
        .upload_blocking(BufferData::zeroed::<u32>(16).unwrap())
        .unwrap()
        .unwrap();
    let order = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Low,
        Priority::Normal,
        Priority::High,
    ];
    let sends = order
        .iter()
        .enumerate()
        .map(|(tag, p)| {
            let task = ComputeTask::new(&APPEND)
                .input(&[tag as u32])
                .resident(&log);
            (task, *p)
        })
        .collect();
    for answer in client.send_together_blocking(sends).unwrap() {
        answer.unwrap();
    }
    let logged = queue
        .download_blocking(log)
        .unwrap()
        .unwrap()
        .get::<u32>()
        .unwrap();
    assert_eq!(logged[0], 9);
    assert_eq!(
        logged[1..10],
        [2, 5, 8, 1, 4, 7, 0, 3, 6],
        "high, normal, low"
    );
    let status = queue.status_blocking().unwrap();
    assert_eq!(status.batches, 3, "9 tasks, at most 4 a batch");
    rt.shutdown().unwrap();
}

#[test]
fn a_lone_task_waits_at_most_batch_wait() {
    common::has_gpu();
    let wait = Duration::from_millis(2500);
    let (rt, queue, client) = setup(GpuQueueConfig {
        batch_wait: wait,
        max_batch: 4,
        ..Default::default()
    });
    // Warm: the kernel's pipeline compiled, the pool filled.
    common::run(&queue, small_add(0)).unwrap();

    let start = Instant::now();
    let out = queue
        .submit_blocking(small_add(1), Priority::Normal)
        .unwrap();
    let took = start.elapsed();
    assert_eq!(out.unwrap().get::<f32>(2).unwrap()[0], 17.5);
    assert!(took >= wait, "it waited for others to join: {took:?}");
    assert!(took < wait + Duration::from_secs(5), "then ran: {took:?}");

    // A batch that fills up goes at once, without waiting out the bound.
    let start = Instant::now();
    let sends = (0..4).map(|i| (small_add(i), Priority::Normal)).collect();
    for answer in client.send_together_blocking(sends).unwrap() {
        answer.unwrap();
    }
    assert!(start.elapsed() < wait, "full: {:?}", start.elapsed());
    rt.shutdown().unwrap();
}

#[test]
fn with_no_batch_wait_lone_tasks_go_one_batch_each() {
    common::has_gpu();
    let (rt, queue, _client) = setup(GpuQueueConfig::default());
    for i in 0..3 {
        let out = queue.submit_blocking(small_add(i), Priority::Low).unwrap();
        assert_eq!(
            out.unwrap().get::<f32>(2).unwrap()[0],
            (i * 16) as f32 + 1.5
        );
    }
    let out = rt.block_on(queue.submit(small_add(9), Priority::High));
    assert_eq!(out.unwrap().unwrap().get::<f32>(2).unwrap()[0], 145.5);
    let status = queue.status_blocking().unwrap();
    assert_eq!(status.batches, 4, "one batch each: none waited for another");
    assert_eq!(status.queued, 0);
    rt.shutdown().unwrap();
}

#[test]
fn a_task_nobody_waits_for_still_runs_and_flush_runs_what_waits() {
    common::has_gpu();
    let (rt, queue, _client) = setup(GpuQueueConfig {
        batch_wait: Duration::from_secs(600),
        ..Default::default()
    });
    let log = queue
        .upload_blocking(BufferData::zeroed::<u32>(4).unwrap())
        .unwrap()
        .unwrap();
    for tag in [7u32, 8] {
        let task = ComputeTask::new(&APPEND).input(&[tag]).resident(&log);
        drop(queue.try_submit(task, Priority::Normal).unwrap());
    }
    assert_eq!(
        queue.status_blocking().unwrap().queued,
        2,
        "waiting for the bound"
    );
    rt.block_on(queue.flush_timeout(Duration::from_secs(60)))
        .unwrap();
    let logged = queue.download_blocking(log).unwrap().unwrap();
    assert_eq!(logged.get::<u32>().unwrap()[..3], [2, 7, 8]);
    assert_eq!(queue.status_blocking().unwrap().queued, 0);
    rt.shutdown().unwrap();
}
