//! What a pipeline reports: per stage, where its batches ran, what the
//! placement currently predicts, and the transfers between host and GPU.

use std::time::Duration;

use crate::pipeline::placement::Placer;
use crate::pipeline::{Location, Placement, Side};

/// One cost model of a stage with automatic placement.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The side it models.
    pub side: Side,
    /// Where the input was.
    pub input: Location,
    /// Where the next stage wanted the output (`None`: wherever it was
    /// made).
    pub output: Option<Location>,
    /// Predicted time of a batch, apart from its items.
    pub fixed: Duration,
    /// Predicted time per item (element of the stage's input), in
    /// nanoseconds.
    pub per_item_ns: f64,
    /// Batches learned from (the first on each model is a warm-up).
    pub samples: u64,
}

/// A stage's counters and estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct StageStatus {
    /// The stage's name.
    pub name: String,
    /// How the side is chosen.
    pub placement: Placement,
    /// Batches run on the GPU queue.
    pub gpu_batches: u64,
    /// Batches run on the CPU.
    pub cpu_batches: u64,
    /// Of those, batches sent to the side predicted slower (or not yet
    /// measured), to keep its estimate fresh.
    pub explored: u64,
    /// Frames that failed in this stage.
    pub failed: u64,
    /// Uploads to the GPU it made (each a frame's data).
    pub uploads: u64,
    /// Bytes uploaded.
    pub upload_bytes: u64,
    /// Downloads from the GPU it made.
    pub downloads: u64,
    /// Bytes downloaded.
    pub download_bytes: u64,
    /// The current cost models (automatic placement only).
    pub estimates: Vec<Estimate>,
}

impl StageStatus {
    pub(crate) fn new(name: &str, placement: Placement) -> StageStatus {
        StageStatus {
            name: name.to_owned(),
            placement,
            gpu_batches: 0,
            cpu_batches: 0,
            explored: 0,
            failed: 0,
            uploads: 0,
            upload_bytes: 0,
            downloads: 0,
            download_bytes: 0,
            estimates: Vec::new(),
        }
    }

    pub(crate) fn set_estimates(&mut self, placer: &Placer) {
        let mut list: Vec<Estimate> = placer
            .fits
            .iter()
            .filter_map(|(&(side, input, want), fit)| {
                let (fixed, per_item) = fit.line()?;
                Some(Estimate {
                    side,
                    input,
                    output: want.location(),
                    fixed: Duration::from_secs_f64(fixed),
                    per_item_ns: per_item * 1e9,
                    samples: fit.samples,
                })
            })
            .collect();
        list.sort_by_key(|e| (e.input as u8, e.output.map(|l| l as u8), e.side as u8));
        self.estimates = list;
    }
}

/// Every stage's status, in pipeline order.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineStatus {
    /// One per stage.
    pub stages: Vec<StageStatus>,
}

impl PipelineStatus {
    /// Batches run on the GPU, over all stages.
    pub fn gpu_batches(&self) -> u64 {
        self.stages.iter().map(|s| s.gpu_batches).sum()
    }

    /// Batches run on the CPU, over all stages.
    pub fn cpu_batches(&self) -> u64 {
        self.stages.iter().map(|s| s.cpu_batches).sum()
    }

    /// Uploads to the GPU, over all stages.
    pub fn uploads(&self) -> u64 {
        self.stages.iter().map(|s| s.uploads).sum()
    }

    /// Downloads from the GPU, over all stages.
    pub fn downloads(&self) -> u64 {
        self.stages.iter().map(|s| s.downloads).sum()
    }
}

impl std::fmt::Display for PipelineStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.stages {
            writeln!(
                f,
                "{:<12} {:?}: {} on the GPU, {} on the CPU ({} explored), {} uploads, {} downloads",
                s.name,
                s.placement,
                s.gpu_batches,
                s.cpu_batches,
                s.explored,
                s.uploads,
                s.downloads
            )?;
            for e in &s.estimates {
                let out = e.output.map_or("either".into(), |l| format!("{l:?}"));
                writeln!(
                    f,
                    "    {:?} from {:?} to {out}: {:?} + {:.2} ns/item ({} samples)",
                    e.side, e.input, e.fixed, e.per_item_ns, e.samples
                )?;
            }
        }
        Ok(())
    }
}
