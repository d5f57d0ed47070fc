//! The adapters wgpu enumerates (name, backend, kind, limits) appear in the
//! runtime's zero-config report once a GPU queue has started.

mod common;

use actor_core::prelude::*;
use actor_gpu::{GpuQueue, adapters};

#[test]
fn the_report_lists_the_adapters_a_queue_saw() {
    let gpu = common::has_gpu();
    let rt = Runtime::builder().shards(1).build().unwrap();
    let queue = rt.spawn(GpuQueue::default).unwrap();
    queue.status_blocking().unwrap();
    let report = rt.handle().report();
    let text = report.to_string();
    assert_eq!(report.detection.gpu.adapters.len(), adapters().len());
    for (line, adapter) in report.detection.gpu.adapters.iter().zip(adapters()) {
        assert_eq!(*line, adapter.to_string());
        assert!(line.contains(&adapter.name) && line.contains(&adapter.backend));
        assert!(line.contains(&format!("{:?}", adapter.kind)), "{line}");
        let workgroups = adapter.max_compute_workgroups_per_dimension.to_string();
        assert!(line.contains(&workgroups), "{line}");
        assert!(text.contains(line.as_str()), "{text}");
    }
    if !gpu {
        assert!(text.contains("GPU adapters       none"), "{text}");
    }
    rt.shutdown().unwrap();
}
