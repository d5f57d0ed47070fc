//! Buffers that stay on the queue between tasks: consecutive tasks pass
//! data without a round trip through host memory, with the same results on
//! the GPU and the CPU; freed, foreign and lost buffers are typed errors.

mod common;

use actor_gpu::kernels;
use actor_gpu::{BufferData, ComputeTask, GpuError};

#[test]
fn saxpy_twice_on_resident_buffers_matches_the_cpu() {
    common::has_gpu();
    let (rt, q) = common::queue();
    let x: Vec<f32> = (0..1000).map(|i| i as f32 * 0.25).collect();
    let y: Vec<f32> = (0..1000).map(|i| 1000.0 - i as f32).collect();
    let xb = q
        .upload_blocking(BufferData::from_slice(&x).unwrap())
        .unwrap()
        .unwrap();
    let yb = q
        .upload_blocking(BufferData::from_slice(&y).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(yb.bytes(), 4000);
    let saxpy = kernels::saxpy();
    for _ in 0..2 {
        let task = ComputeTask::new(&saxpy)
            .resident(&xb)
            .resident(&yb)
            .uniform(&2.0f32)
            .workgroups_for(1000);
        let out = common::run(&q, task).unwrap();
        // Nothing was read back: the result stayed on the queue.
        assert!(matches!(out.get::<f32>(1), Err(GpuError::InvalidTask(_))));
    }
    let got = q
        .download_blocking(yb.clone())
        .unwrap()
        .unwrap()
        .get::<f32>()
        .unwrap();
    let want: Vec<f32> = x
        .iter()
        .zip(&y)
        .map(|(x, y)| y + 2.0 * x + 2.0 * x)
        .collect();
    for (g, w) in got.iter().zip(&want) {
        assert!(
            (g - w).abs() <= 4.0 * f32::EPSILON * w.abs().max(1.0),
            "{g} vs {w}"
        );
    }
    // The read-only input is unchanged.
    let x_back = q
        .download_blocking(xb)
        .unwrap()
        .unwrap()
        .get::<f32>()
        .unwrap();
    assert_eq!(x_back, x);
    rt.shutdown().unwrap();
}

#[test]
fn freed_and_foreign_buffers_are_refused() {
    common::has_gpu();
    let (rt, q) = common::queue();
    let other = rt.spawn(actor_gpu::GpuQueue::default).unwrap();
    let b = q
        .upload_blocking(BufferData::zeroed::<u32>(64).unwrap())
        .unwrap()
        .unwrap();
    let sum = kernels::sum_u32();
    let task = || ComputeTask::new(&sum).resident(&b).output::<u32>(1);
    assert_eq!(common::run(&q, task()).unwrap().get::<u32>(1).unwrap(), [0]);
    let foreign = other.run_blocking(task()).unwrap();
    assert!(
        matches!(foreign, Err(GpuError::InvalidTask(_))),
        "{foreign:?}"
    );
    assert!(!other.free_blocking(b.clone()).unwrap());
    assert!(q.free_blocking(b.clone()).unwrap());
    assert!(!q.free_blocking(b.clone()).unwrap());
    assert!(matches!(
        common::run(&q, task()),
        Err(GpuError::InvalidTask(_))
    ));
    assert!(matches!(
        q.download_blocking(b).unwrap(),
        Err(GpuError::InvalidTask(_))
    ));
    rt.shutdown().unwrap();
}

#[test]
fn buffer_data_checks_its_size() {
    assert!(matches!(
        BufferData::from_slice::<u8>(&[1, 2, 3]),
        Err(GpuError::InvalidTask(_))
    ));
    assert!(matches!(
        BufferData::from_slice::<u32>(&[]),
        Err(GpuError::InvalidTask(_))
    ));
    let d = BufferData::from_slice(&[1u32, 2, 3]).unwrap();
    assert_eq!(d.bytes(), 12);
    assert!(matches!(d.get::<[u32; 2]>(), Err(GpuError::InvalidTask(_))));
    assert_eq!(d.get::<u32>().unwrap(), [1, 2, 3]);
}

#[test]
fn a_resident_buffer_on_a_lost_device_is_reported_lost() {
    let gpu = common::has_gpu();
    let (rt, q) = common::queue();
    let b = q
        .upload_blocking(BufferData::from_slice(&[5u32; 8]).unwrap())
        .unwrap()
        .unwrap();
    q.lose_device_blocking().unwrap();
    let sum = kernels::sum_u32();
    let answer = common::run(&q, ComputeTask::new(&sum).resident(&b).output::<u32>(1));
    let downloaded = q.download_blocking(b).unwrap();
    if gpu {
        assert!(matches!(answer, Err(GpuError::DeviceLost(_))), "{answer:?}");
        assert!(
            matches!(downloaded, Err(GpuError::DeviceLost(_))),
            "{downloaded:?}"
        );
    } else {
        // A CPU queue has no device to lose: its host buffer is intact.
        assert_eq!(answer.unwrap().get::<u32>(1).unwrap(), [40]);
        assert_eq!(downloaded.unwrap().get::<u32>().unwrap(), [5; 8]);
    }
    rt.shutdown().unwrap();
}
