//! The resident buffers a pipeline's GPU stages write their outputs into:
//! a buffer the next stage has read is kept for reuse, by size, so steady
//! frames allocate none.

use std::collections::HashMap;

use actor_core::ActorRef;
use parking_lot::Mutex;

use crate::pipeline::PipelineError;
use crate::{BufferData, GpuBuffer, GpuQueue};

/// Buffers kept per size; more are freed on the queue.
const KEEP: usize = 8;

/// The pipeline's GPU queue and its spare resident buffers.
#[derive(Debug)]
pub(crate) struct ResidentPool {
    pub(crate) queue: ActorRef<GpuQueue>,
    spare: Mutex<HashMap<u64, Vec<GpuBuffer>>>,
}

impl ResidentPool {
    pub(crate) fn new(queue: ActorRef<GpuQueue>) -> ResidentPool {
        ResidentPool {
            queue,
            spare: Mutex::new(HashMap::new()),
        }
    }

    /// A resident buffer of `bytes` (a multiple of 4): a spare one, or a
    /// new one made on the queue. Its contents are whatever it held.
    pub(crate) async fn take(&self, stage: &str, bytes: u64) -> Result<GpuBuffer, PipelineError> {
        let spare = self.spare.lock().get_mut(&bytes).and_then(Vec::pop);
        if let Some(b) = spare {
            return Ok(b);
        }
        let zeroes = BufferData::zeroed::<u32>((bytes / 4) as usize).map_err(|error| {
            PipelineError::Gpu {
                stage: stage.to_owned(),
                error,
            }
        })?;
        match self.queue.upload(zeroes).await {
            Ok(Ok(b)) => Ok(b),
            Ok(Err(error)) => Err(PipelineError::Gpu {
                stage: stage.to_owned(),
                error,
            }),
            Err(_) => Err(PipelineError::Stopped),
        }
    }

    /// Frees every spare buffer on the queue (when the pipeline stops).
    pub(crate) async fn drain(&self) {
        let spare: Vec<GpuBuffer> = self.spare.lock().drain().flat_map(|(_, v)| v).collect();
        for b in spare {
            // A stopped queue has freed it already.
            let _ = self.queue.free(b).await;
        }
    }

    /// Keeps `buffer` for reuse, or frees it when enough of its size wait.
    pub(crate) async fn give(&self, buffer: GpuBuffer) {
        let extra = {
            let mut spare = self.spare.lock();
            let list = spare.entry(buffer.bytes()).or_default();
            if list.len() < KEEP {
                list.push(buffer);
                None
            } else {
                Some(buffer)
            }
        };
        if let Some(b) = extra {
            // A stopped queue has freed it already.
            let _ = self.queue.free(b).await;
        }
    }
}
