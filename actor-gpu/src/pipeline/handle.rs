//! [`Pipeline`]: the running chain of stage actors; frames go in at the
//! first stage, waiting for room, and come back through a [`Pending`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actor_core::{ActorRef, Reply, SendError, oneshot};
use parking_lot::Mutex;

use crate::GpuQueue;
use crate::pipeline::worker::{Item, StageActor};
use crate::pipeline::{
    ElemType, Frame, PipelineBuilder, PipelineError, PipelineStatus, StageStatus, SubmitError,
};

/// A running pipeline: one actor per stage, linked by bounded mailboxes.
/// A frame submitted goes through every stage in order and comes back on
/// the host; frames come out in the order they went in. Cheap to share by
/// reference; dropping it leaves the stages running until
/// [`stop`](Pipeline::stop) or the runtime's shutdown.
#[derive(Debug)]
pub struct Pipeline {
    pub(crate) input: ElemType,
    pub(crate) stages: Vec<ActorRef<StageActor>>,
    pub(crate) statuses: Vec<Arc<Mutex<StageStatus>>>,
    pub(crate) queue: Option<ActorRef<GpuQueue>>,
    pub(crate) owned_queue: Option<ActorRef<GpuQueue>>,
}

impl Pipeline {
    /// A builder with no stages yet.
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder::default()
    }

    fn item(&self, frame: Frame) -> Result<(Item, Pending), SubmitError> {
        if frame.elem != self.input {
            return Err(SubmitError::WrongType {
                frame,
                expected: self.input.name(),
            });
        }
        let (reply, pending) = oneshot();
        Ok((Item { frame, reply }, Pending(pending)))
    }

    fn first(&self) -> &ActorRef<StageActor> {
        // A pipeline is built with at least one stage.
        &self.stages[0]
    }

    /// Hands `frame` to the first stage, waiting while its mailbox is full
    /// (back-pressure from the whole pipeline); the [`Pending`] resolves to
    /// the result.
    pub async fn submit(&self, frame: Frame) -> Result<Pending, SubmitError> {
        let (item, pending) = self.item(frame)?;
        match self.first().tell(item).await {
            Ok(()) => Ok(pending),
            Err(e) => Err(SubmitError::Stopped(e.into_inner().frame)),
        }
    }

    /// Hands `frame` to the first stage if it has room now; gives it back
    /// with [`SubmitError::Full`] if not.
    pub fn try_submit(&self, frame: Frame) -> Result<Pending, SubmitError> {
        let (item, pending) = self.item(frame)?;
        match self.first().try_tell(item) {
            Ok(()) => Ok(pending),
            Err(SendError::Full(item)) => Err(SubmitError::Full(item.frame)),
            Err(e) => Err(SubmitError::Stopped(e.into_inner().frame)),
        }
    }

    /// Submits `frame` and waits for its result.
    pub async fn process(&self, frame: Frame) -> Result<Frame, PipelineError> {
        match self.submit(frame).await {
            Ok(pending) => pending.await,
            Err(SubmitError::WrongType { frame, expected }) => Err(PipelineError::TypeMismatch {
                stage: "input".into(),
                expected,
                found: frame.elem.name(),
            }),
            Err(_) => Err(PipelineError::Stopped),
        }
    }

    /// Every stage's counters and placement estimates, now.
    pub fn status(&self) -> PipelineStatus {
        PipelineStatus {
            stages: self.statuses.iter().map(|s| s.lock().clone()).collect(),
        }
    }

    /// The GPU queue its GPU stages use, if any stage is a GPU stage.
    pub fn gpu_queue(&self) -> Option<&ActorRef<GpuQueue>> {
        self.queue.as_ref()
    }

    /// Frames waiting in each stage's mailbox.
    pub fn queued(&self) -> Vec<usize> {
        self.stages.iter().map(ActorRef::mailbox_len).collect()
    }

    /// Stops every stage (frames still inside fail with
    /// [`PipelineError::Stopped`]) and the pipeline's own GPU queue.
    pub fn stop(&self) {
        for s in &self.stages {
            s.stop();
        }
        if let Some(q) = &self.owned_queue {
            q.stop();
        }
    }
}

/// A submitted frame's result, to await.
#[derive(Debug)]
#[must_use = "the result comes only when awaited"]
pub struct Pending(Reply<Result<Frame, PipelineError>>);

impl Future for Pending {
    type Output = Result<Frame, PipelineError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.unwrap_or(Err(PipelineError::Stopped)))
    }
}
