//! [`PipelineBuilder`]: checks the stages fit one another, then spawns a
//! GPU queue (when a stage needs one) and an actor per stage, last first.

use std::sync::Arc;

use actor_core::config::Role;
use actor_core::{ActorRef, Handle, SpawnOptions};
use parking_lot::Mutex;

use crate::pipeline::placement::{Placer, Want};
use crate::pipeline::pool::ResidentPool;
use crate::pipeline::stage::StageKind;
use crate::pipeline::worker::StageActor;
use crate::pipeline::{Pipeline, PipelineError, Placement, Stage, StageStatus};
use crate::{GpuQueue, GpuQueueConfig};

/// Mailbox capacity of each stage unless set: frames waiting per stage.
pub const DEFAULT_CAPACITY: usize = 4;

/// Builds a [`Pipeline`]: stages in order, then [`spawn`](Self::spawn).
#[derive(Debug)]
pub struct PipelineBuilder {
    stages: Vec<Stage>,
    capacity: usize,
    placement: Option<Placement>,
    queue: Option<ActorRef<GpuQueue>>,
    queue_config: GpuQueueConfig,
}

impl Default for PipelineBuilder {
    fn default() -> PipelineBuilder {
        PipelineBuilder {
            stages: Vec::new(),
            capacity: DEFAULT_CAPACITY,
            placement: None,
            queue: None,
            queue_config: GpuQueueConfig::default(),
        }
    }
}

impl PipelineBuilder {
    /// Appends a stage; its input type must be the previous stage's output
    /// type.
    pub fn stage(mut self, stage: Stage) -> PipelineBuilder {
        self.stages.push(stage);
        self
    }

    /// Each stage's mailbox capacity ([`DEFAULT_CAPACITY`] unless set; at
    /// least 1). Frames in flight are bounded by about twice the capacity
    /// per stage (its mailbox, and the frame it is working on or waiting to
    /// hand on).
    pub fn capacity(mut self, capacity: usize) -> PipelineBuilder {
        self.capacity = capacity.max(1);
        self
    }

    /// Overrides every GPU stage's placement (all on the GPU, all on the
    /// CPU, or all automatic), as baselines to compare with.
    pub fn placement(mut self, placement: Placement) -> PipelineBuilder {
        self.placement = Some(placement);
        self
    }

    /// Runs the GPU stages on `queue` instead of a queue of the pipeline's
    /// own.
    pub fn gpu_queue(mut self, queue: ActorRef<GpuQueue>) -> PipelineBuilder {
        self.queue = Some(queue);
        self
    }

    /// The settings of the pipeline's own GPU queue.
    pub fn queue_config(mut self, config: GpuQueueConfig) -> PipelineBuilder {
        self.queue_config = config;
        self
    }

    /// Checks the stages and spawns the pipeline on `rt`: the GPU queue on
    /// the runtime's accelerator shard, the stages spread over the shards.
    pub fn spawn(self, rt: &Handle) -> Result<Pipeline, PipelineError> {
        let Some(first) = self.stages.first() else {
            return Err(PipelineError::Empty);
        };
        let input = first.input;
        for pair in self.stages.windows(2) {
            if pair[1].input != pair[0].output {
                return Err(PipelineError::TypeMismatch {
                    stage: pair[1].name.clone(),
                    expected: pair[1].input.name(),
                    found: pair[0].output.name(),
                });
            }
        }
        let placements = self
            .stages
            .iter()
            .map(|s| s.check(self.placement))
            .collect::<Result<Vec<Placement>, PipelineError>>()?;
        let needs_gpu = self
            .stages
            .iter()
            .any(|s| matches!(s.kind, StageKind::Gpu(_)));
        let mut owned = None;
        let pool = if needs_gpu {
            let queue = match self.queue {
                Some(q) => q,
                None => {
                    let config = self.queue_config;
                    let q = rt.spawn_on(rt.shard_for(Role::Accelerator), move || {
                        GpuQueue::new(config)
                    })?;
                    owned = Some(q.clone());
                    q
                }
            };
            Some(Arc::new(ResidentPool::new(queue)))
        } else {
            None
        };
        let mut next: Option<ActorRef<StageActor>> = None;
        let mut refs = Vec::with_capacity(self.stages.len());
        let mut statuses = Vec::with_capacity(self.stages.len());
        for (i, stage) in self.stages.into_iter().enumerate().rev() {
            let want = match (placements.get(i + 1), i + 1 == placements.len()) {
                (_, true) | (Some(Placement::Cpu), _) => Want::Host,
                (Some(Placement::Gpu), _) => Want::Device,
                _ => Want::Either,
            };
            let status = Arc::new(Mutex::new(StageStatus::new(&stage.name, placements[i])));
            let actor = StageActor {
                stage,
                placement: placements[i],
                want,
                next: next.clone(),
                gpu: pool.clone(),
                placer: Placer::default(),
                status: status.clone(),
            };
            let options = SpawnOptions::new().mailbox_capacity(self.capacity);
            let spawned = rt.spawn_with(options, move || actor);
            let r = match spawned {
                Ok(r) => r,
                Err(e) => {
                    refs.iter().for_each(ActorRef::<StageActor>::stop);
                    if let Some(q) = &owned {
                        q.stop();
                    }
                    return Err(e.into());
                }
            };
            next = Some(r.clone());
            refs.push(r);
            statuses.push(status);
        }
        refs.reverse();
        statuses.reverse();
        Ok(Pipeline {
            input,
            stages: refs,
            statuses,
            queue: pool.map(|p| p.queue.clone()),
            owned_queue: owned,
        })
    }
}
