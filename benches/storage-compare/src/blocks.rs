//! 4 KiB random `O_DIRECT` reads: through actor-storage's `File` on an
//! io_uring shard, and through fio on the same file.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Instant;

use actor_core::{Actor, Context, Runtime};
use actor_storage::{FileIo, OpenOptions};

use crate::stats::Outcome;

/// Writes `bytes` of data (not a sparse file: holes read without I/O).
pub fn fill(path: &Path, bytes: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0xA5u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        f.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    f.sync_all().unwrap();
}

struct Reader;

type Job = Box<dyn FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> + Send>;

impl Actor for Reader {
    type Msg = Job;

    async fn handle(&mut self, job: Job, _: &mut Context<Self>) {
        job().await;
    }
}

/// `reads` random 4 KiB reads, `depth` in flight at a time, on shard 0.
pub fn pinion_random_reads(path: &Path, size: u64, reads: u64, depth: usize) -> Outcome {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let reader = rt.handle().spawn_on(0, || Reader).unwrap();
    let (tx, rx) = mpsc::channel();
    let path = path.to_path_buf();
    let job: Job = Box::new(move || {
        Box::pin(async move {
            let f = OpenOptions::new()
                .read_only(true)
                .direct(true)
                .open(&path)
                .await
                .unwrap();
            assert!(
                f.is_direct(),
                "O_DIRECT refused here: the comparison would be meaningless"
            );
            let blocks = size / 4096;
            // `depth` readers, each with its next read issued as soon as
            // its last one completes, so `depth` reads stay in flight the
            // whole time (as fio's queue depth), not in lockstep batches.
            let latencies = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let per_reader = reads / depth as u64;
            let start = Instant::now();
            let readers: Vec<_> = (0..depth as u64)
                .map(|r| {
                    let (f, latencies) = (f.clone(), latencies.clone());
                    let mut seed =
                        0x9E37_79B9_7F4A_7C15u64 ^ (r + 1).wrapping_mul(0xA24B_AED4_963E_E407);
                    async move {
                        for _ in 0..per_reader {
                            seed ^= seed << 13;
                            seed ^= seed >> 7;
                            seed ^= seed << 17;
                            let at = (seed % blocks) * 4096;
                            let t = Instant::now();
                            let (res, _) = FileIo::read_at(&f, f.buffer(4096), at).await;
                            assert_eq!(res.unwrap(), 4096);
                            latencies.borrow_mut().push(t.elapsed());
                        }
                    }
                })
                .collect();
            join(readers).await;
            let elapsed = start.elapsed();
            let latencies = std::mem::take(&mut *latencies.borrow_mut());
            let _ = tx.send(Outcome {
                ops: per_reader * depth as u64,
                elapsed,
                latencies,
            });
        })
    });
    reader.tell_blocking(job).unwrap();
    let out = rx.recv().unwrap();
    rt.shutdown().unwrap();
    out
}

async fn join<F: std::future::Future<Output = ()>>(futs: Vec<F>) {
    let mut futs: Vec<_> = futs.into_iter().map(Box::pin).map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in &mut futs {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
}

/// fio's read IOPS for the same reads, or `None` without fio.
pub fn fio_random_reads(path: &Path, size: u64, depth: usize, seconds: u64) -> Option<f64> {
    let out = Command::new("fio")
        .args([
            "--name=randread",
            &format!("--filename={}", path.display()),
            &format!("--size={size}"),
            "--rw=randread",
            "--bs=4k",
            "--direct=1",
            "--ioengine=io_uring",
            &format!("--iodepth={depth}"),
            &format!("--runtime={seconds}"),
            "--time_based",
            "--output-format=terse",
            "--terse-version=3",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // Terse v3: field 8 (1-based) is the read IOPS.
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next()?.split(';').nth(7)?.parse().ok()
}
