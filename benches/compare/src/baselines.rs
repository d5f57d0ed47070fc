//! Baselines without an actor framework: crossbeam-channel between OS
//! threads, and tokio mpsc (with oneshot replies) on a current-thread and a
//! 2-worker runtime. They run workloads A, B and C.

use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use crate::Variant;
use crate::stats::Recorder;
use crate::tokio_rt::Flavor;

/// Bounded channel capacity for tells (near the actors' default mailboxes).
const CAPACITY: usize = 1024;

/// crossbeam-channel: a server thread (started and joined inside each
/// workload) and the calling thread.
#[derive(Debug)]
pub struct Crossbeam;

enum CbMsg {
    Add(u64),
    Inc(u64),
}

/// A server thread that sums `Add`s and answers `Inc(v)` with `v + 1`.
fn cb_server(
    capacity: usize,
) -> (
    crossbeam_channel::Sender<CbMsg>,
    crossbeam_channel::Receiver<u64>,
    thread::JoinHandle<()>,
) {
    let (req_tx, req_rx) = crossbeam_channel::bounded::<CbMsg>(capacity);
    let (rep_tx, rep_rx) = crossbeam_channel::bounded::<u64>(1);
    let server = thread::spawn(move || {
        let mut sum = 0u64;
        for msg in req_rx {
            match msg {
                CbMsg::Add(v) => sum = sum.wrapping_add(v),
                CbMsg::Inc(v) => rep_tx.send(v + 1).expect("reply"),
            }
        }
        std::hint::black_box(sum);
    });
    (req_tx, rep_rx, server)
}

impl Variant for Crossbeam {
    fn ask(&mut self, n: usize) -> Option<Vec<u64>> {
        let (tx, rx, server) = cb_server(1);
        let mut rec = Recorder::new(n);
        rec.start();
        for i in 0..n as u64 {
            tx.send(CbMsg::Inc(i)).expect("send");
            let v = rx.recv().expect("recv");
            debug_assert_eq!(v, i + 1);
            rec.lap();
        }
        drop(tx);
        server.join().expect("server thread");
        Some(rec.finish())
    }

    fn tell(&mut self, n: usize) -> Option<Duration> {
        let (tx, rx, server) = cb_server(CAPACITY);
        let start = Instant::now();
        for i in 0..n as u64 {
            tx.send(CbMsg::Add(i)).expect("send");
        }
        tx.send(CbMsg::Inc(0)).expect("flush");
        rx.recv().expect("flush reply");
        let took = start.elapsed();
        drop(tx);
        server.join().expect("server thread");
        Some(took)
    }

    fn fan_in(&mut self, senders: usize, per_sender: usize) -> Option<Duration> {
        let (tx, rx, server) = cb_server(CAPACITY);
        let start = Instant::now();
        let threads: Vec<_> = (0..senders)
            .map(|_| {
                let tx = tx.clone();
                thread::spawn(move || {
                    for i in 0..per_sender as u64 {
                        tx.send(CbMsg::Add(i)).expect("send");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("sender thread");
        }
        tx.send(CbMsg::Inc(0)).expect("flush");
        rx.recv().expect("flush reply");
        let took = start.elapsed();
        drop(tx);
        server.join().expect("server thread");
        Some(took)
    }
}

/// tokio mpsc + oneshot on its own tokio runtime, which drops with it.
pub struct TokioMpsc {
    rt: tokio::runtime::Runtime,
}

impl TokioMpsc {
    pub fn new(flavor: Flavor) -> TokioMpsc {
        TokioMpsc { rt: flavor.build() }
    }
}

enum TkMsg {
    Add(u64),
    Inc(u64, oneshot::Sender<u64>),
}

/// A server task that sums `Add`s and answers `Inc(v)` with `v + 1`.
fn tk_server(capacity: usize) -> (mpsc::Sender<TkMsg>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<TkMsg>(capacity);
    let server = tokio::spawn(async move {
        let mut sum = 0u64;
        while let Some(msg) = rx.recv().await {
            match msg {
                TkMsg::Add(v) => sum = sum.wrapping_add(v),
                TkMsg::Inc(v, reply) => {
                    let _ = reply.send(v + 1);
                }
            }
        }
        std::hint::black_box(sum);
    });
    (tx, server)
}

async fn tk_ask(tx: &mpsc::Sender<TkMsg>, v: u64) -> u64 {
    let (reply, answer) = oneshot::channel();
    if tx.send(TkMsg::Inc(v, reply)).await.is_err() {
        panic!("server stopped");
    }
    answer.await.expect("answer")
}

impl Variant for TokioMpsc {
    fn ask(&mut self, n: usize) -> Option<Vec<u64>> {
        Some(self.rt.block_on(async {
            let (tx, server) = tk_server(CAPACITY);
            let samples = tokio::spawn(async move {
                let mut rec = Recorder::new(n);
                rec.start();
                for i in 0..n as u64 {
                    let v = tk_ask(&tx, i).await;
                    debug_assert_eq!(v, i + 1);
                    rec.lap();
                }
                rec.finish()
            })
            .await
            .expect("driver task");
            server.await.expect("server task");
            samples
        }))
    }

    fn tell(&mut self, n: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let (tx, server) = tk_server(CAPACITY);
            let took = tokio::spawn(async move {
                let start = Instant::now();
                for i in 0..n as u64 {
                    if tx.send(TkMsg::Add(i)).await.is_err() {
                        panic!("server stopped");
                    }
                }
                tk_ask(&tx, 0).await;
                start.elapsed()
            })
            .await
            .expect("driver task");
            server.await.expect("server task");
            took
        }))
    }

    /// M: a bare task parked on its own channel, as the floor an actor on
    /// tokio builds on.
    fn idle_memory(&mut self, n: usize) -> Option<f64> {
        Some(self.rt.block_on(async {
            let before = crate::memory::resident_bytes();
            let senders: Vec<_> = (0..n)
                .map(|_| {
                    let (tx, mut rx) = mpsc::channel::<()>(1);
                    tokio::spawn(async move {
                        rx.recv().await;
                    });
                    tx
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let after = crate::memory::resident_bytes();
            drop(senders);
            crate::memory::per_item(before, after, n)
        }))
    }

    fn fan_in(&mut self, senders: usize, per_sender: usize) -> Option<Duration> {
        Some(self.rt.block_on(async {
            let (tx, server) = tk_server(CAPACITY);
            let took = tokio::spawn(async move {
                let start = Instant::now();
                let tasks: Vec<_> = (0..senders)
                    .map(|_| {
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            for i in 0..per_sender as u64 {
                                if tx.send(TkMsg::Add(i)).await.is_err() {
                                    panic!("server stopped");
                                }
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("sender task");
                }
                tk_ask(&tx, 0).await;
                start.elapsed()
            })
            .await
            .expect("driver task");
            server.await.expect("server task");
            took
        }))
    }
}
