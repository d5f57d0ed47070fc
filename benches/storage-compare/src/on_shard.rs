//! Runs a future on shard 0 of a Pinion runtime, where actors run, and
//! hands its output back to the calling thread.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;

use actor_core::{Actor, Context, Runtime};

type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

struct Runner;

impl Actor for Runner {
    type Msg = Job;

    async fn handle(&mut self, job: Job, _: &mut Context<Self>) {
        job().await;
    }
}

/// The output of the future `make()` builds, run on shard 0 of `rt`.
pub fn on_shard<F, Fut, R>(rt: &Runtime, make: F) -> R
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = R> + 'static,
    R: Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let runner = rt.handle().spawn_on(0, || Runner).expect("spawn");
    let job: Job = Box::new(move || {
        Box::pin(async move {
            let _ = tx.send(make().await);
        })
    });
    runner.tell_blocking(job).expect("tell");
    let out = rx.recv().expect("the job finished");
    runner.stop();
    out
}
