//! The completion thread of a device: it waits for each submission without
//! blocking the shard, and wgpu runs the map callbacks (which wake the
//! shard's waiting task) from inside that wait.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use actor_core::{Reply, ReplyTo, oneshot};

use crate::GpuError;

/// How long one submission may run before the device is taken for hung.
const SUBMISSION_TIMEOUT: Duration = Duration::from_secs(30);

type Wait = (wgpu::SubmissionIndex, ReplyTo<Result<(), GpuError>>);

/// One thread per device, fed submission indices.
pub(crate) struct Poller {
    tx: Option<mpsc::Sender<Wait>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Poller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller").finish_non_exhaustive()
    }
}

impl Poller {
    pub(crate) fn start(device: wgpu::Device) -> std::io::Result<Poller> {
        let (tx, rx) = mpsc::channel::<Wait>();
        let thread = std::thread::Builder::new()
            .name("pinion-gpu-poll".into())
            .spawn(move || {
                while let Ok((index, done)) = rx.recv() {
                    let waited = device.poll(wgpu::PollType::Wait {
                        submission_index: Some(index),
                        timeout: Some(SUBMISSION_TIMEOUT),
                    });
                    done.send(
                        waited
                            .map(|_| ())
                            .map_err(|e| GpuError::DeviceLost(e.to_string())),
                    );
                }
            })?;
        Ok(Poller {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Resolves once submission `index` has completed and its callbacks ran.
    pub(crate) fn wait(&self, index: wgpu::SubmissionIndex) -> Reply<Result<(), GpuError>> {
        let (done, reply) = oneshot();
        if let Some(tx) = &self.tx
            && let Err(mpsc::SendError((_, done))) = tx.send((index, done))
        {
            done.send(Err(GpuError::DeviceLost(
                "the completion thread stopped".into(),
            )));
        }
        reply
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
