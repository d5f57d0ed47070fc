//! The `Accelerator` trait: the wgpu and CPU implementations give the same
//! answers for every built-in kernel; `poll` never blocks and hands the
//! ticket back until the batch is done; misuse is a typed error per task.

mod common;

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_gpu::kernels::{self, SUM_WORKGROUP};
use actor_gpu::{
    Accelerator, AdapterChoice, BindingKind, BufferData, ComputeTask, CpuAccelerator, GpuError,
    GpuQueue, Polled, RanOn, TaskOutput, Ticket, WgpuAccelerator,
};

const SIZES: [usize; 4] = [1, 63, 1000, 65_537];

fn floats(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 10_000) as f32 / 7.0)
        .collect()
}

/// A batch of every built-in kernel on every size.
fn tasks() -> Vec<ComputeTask> {
    let (add, saxpy, sum) = (kernels::vector_add(), kernels::saxpy(), kernels::sum_u32());
    let mut tasks = Vec::new();
    for n in SIZES {
        tasks.push(
            ComputeTask::new(&add)
                .input(&floats(n, 1))
                .input(&floats(n, 2))
                .output::<f32>(n)
                .workgroups_for(n as u32),
        );
        tasks.push(
            ComputeTask::new(&saxpy)
                .input(&floats(n, 3))
                .input(&floats(n, 4))
                .uniform(&2.5f32)
                .workgroups_for(n as u32),
        );
        let ints: Vec<u32> = (0..n as u32).map(|i| i % 1000).collect();
        let groups = (n as u32).div_ceil(SUM_WORKGROUP);
        tasks.push(
            ComputeTask::new(&sum)
                .input(&ints)
                .output::<u32>(groups as usize)
                .workgroups(groups, 1, 1),
        );
    }
    tasks
}

/// Polls until done, failing the test after a minute.
fn poll_until_done(
    acc: &mut dyn Accelerator,
    mut ticket: Ticket,
) -> Vec<Result<TaskOutput, GpuError>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match acc.poll(ticket) {
            Polled::Done(answers) => return answers,
            Polled::Pending(t) => ticket = t,
        }
        assert!(Instant::now() < deadline, "the batch never finished");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The `read_write` binding of a task (each built-in kernel has one).
fn written(task: &ComputeTask) -> usize {
    let kinds = task.kernel().bindings();
    kinds
        .iter()
        .position(|k| *k == BindingKind::StorageReadWrite)
        .expect("a read_write binding")
}

#[test]
fn wgpu_and_cpu_accelerators_give_the_same_answers() {
    let gpu = common::has_gpu();
    let batch = tasks();
    let mut cpu = CpuAccelerator::new().unwrap();
    let ticket = cpu.submit(batch.clone());
    assert_eq!(ticket.tasks(), batch.len());
    let on_cpu = poll_until_done(&mut cpu, ticket);
    assert!(
        on_cpu
            .iter()
            .all(|a| *a.as_ref().unwrap().ran_on() == RanOn::Cpu)
    );

    let Ok(mut wgpu) = WgpuAccelerator::open(&AdapterChoice::Default) else {
        assert!(!gpu, "an adapter is listed, so one opens");
        return;
    };
    assert!(gpu);
    let ticket = wgpu.submit(batch.clone());
    let on_gpu = wgpu.wait(ticket);
    assert_eq!(wgpu.submits(), 1, "one batch, one submit");
    for ((task, g), c) in batch.iter().zip(&on_gpu).zip(&on_cpu) {
        let (g, c) = (g.as_ref().unwrap(), c.as_ref().unwrap());
        assert!(matches!(g.ran_on(), RanOn::Gpu(name) if *name == wgpu.adapter().name));
        if task.kernel().entry() == "saxpy" {
            // The GPU may fuse the multiply-add: one rounding apart.
            let b = written(task);
            let (g, c) = (g.get::<f32>(b).unwrap(), c.get::<f32>(b).unwrap());
            for (x, y) in g.iter().zip(&c) {
                assert!((x - y).abs() <= y.abs() * 1e-6, "{x} vs {y}");
            }
        } else {
            let b = written(task);
            let (g, c) = (g.get::<u32>(b).unwrap(), c.get::<u32>(b).unwrap());
            assert_eq!(g, c, "{}", task.kernel().entry());
        }
    }
}

#[test]
fn several_batches_in_flight_are_polled_to_completion() {
    common::has_gpu();
    let mut accelerators: Vec<Box<dyn Accelerator>> =
        vec![Box::new(CpuAccelerator::new().unwrap())];
    if let Ok(gpu) = WgpuAccelerator::open(&AdapterChoice::Default) {
        accelerators.push(Box::new(gpu));
    }
    let add = kernels::vector_add();
    for acc in &mut accelerators {
        let tickets: Vec<Ticket> = (0..4)
            .map(|i| {
                let task = ComputeTask::new(&add)
                    .input(&[i as f32; 64])
                    .input(&[0.5f32; 64])
                    .output::<f32>(64);
                acc.submit(vec![task; 2])
            })
            .collect();
        for (i, ticket) in tickets.into_iter().enumerate().rev() {
            for answer in poll_until_done(acc.as_mut(), ticket) {
                assert_eq!(answer.unwrap().get::<f32>(2).unwrap(), [i as f32 + 0.5; 64]);
            }
        }
        let empty = acc.submit(Vec::new());
        assert!(acc.wait(empty).is_empty());
    }
}

#[test]
fn misuse_is_a_typed_error_for_each_task() {
    common::has_gpu();
    let mut accelerators: Vec<Box<dyn Accelerator>> =
        vec![Box::new(CpuAccelerator::new().unwrap())];
    if let Ok(gpu) = WgpuAccelerator::open(&AdapterChoice::Default) {
        accelerators.push(Box::new(gpu));
    }
    let mut other = CpuAccelerator::new().unwrap();
    // A resident buffer belongs to a queue.
    let rt = Runtime::builder().shards(1).build().unwrap();
    let q = rt.spawn(GpuQueue::default).unwrap();
    let resident = q
        .upload_blocking(BufferData::zeroed::<f32>(4).unwrap())
        .unwrap()
        .unwrap();
    let add = kernels::vector_add();
    let good = ComputeTask::new(&add)
        .input(&[1.0f32; 4])
        .input(&[2.0f32; 4])
        .output::<f32>(4);
    let wrong_bindings = ComputeTask::new(&add).input(&[1.0f32; 4]);
    let on_queue = ComputeTask::new(&add)
        .input(&[1.0f32; 4])
        .input(&[2.0f32; 4])
        .resident(&resident);
    for acc in &mut accelerators {
        let ticket = acc.submit(vec![wrong_bindings.clone(), good.clone(), on_queue.clone()]);
        let answers = acc.wait(ticket);
        assert!(
            matches!(answers[0], Err(GpuError::InvalidTask(_))),
            "{:?}",
            answers[0]
        );
        assert_eq!(
            answers[1].as_ref().unwrap().get::<f32>(2).unwrap(),
            [3.0; 4]
        );
        assert!(
            matches!(answers[2], Err(GpuError::InvalidTask(_))),
            "{:?}",
            answers[2]
        );

        // A ticket redeemed on another accelerator: every task says so.
        let foreign = other.submit(vec![good.clone(), good.clone()]);
        match acc.poll(foreign) {
            Polled::Done(answers) => {
                assert_eq!(answers.len(), 2);
                assert!(
                    answers
                        .iter()
                        .all(|a| matches!(a, Err(GpuError::InvalidTask(_))))
                );
            }
            Polled::Pending(_) => panic!("a foreign ticket is never pending"),
        }
        let foreign = other.submit(vec![good.clone()]);
        assert!(matches!(
            acc.wait(foreign)[..],
            [Err(GpuError::InvalidTask(_))]
        ));
    }
    rt.shutdown().unwrap();
}

#[test]
fn without_a_matching_adapter_opening_fails_typed() {
    common::has_gpu();
    let none = WgpuAccelerator::open(&AdapterChoice::Name("no adapter has this name".into()));
    assert!(matches!(none, Err(GpuError::NoAdapter(_))), "{none:?}");
    if actor_gpu::adapters().is_empty() {
        let any = WgpuAccelerator::open(&AdapterChoice::Default);
        assert!(matches!(any, Err(GpuError::NoAdapter(_))), "{any:?}");
    }
}
