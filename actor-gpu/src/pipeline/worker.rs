//! The actor that runs one stage: it takes a frame, runs it on the side
//! its placement picks, and hands the result to the next stage, waiting
//! for room there (so a slow stage holds back every stage before it).

use std::sync::Arc;
use std::time::Instant;

use actor_core::prelude::*;
use actor_core::{Handle, ReplyTo};
use parking_lot::Mutex;

use crate::pipeline::frame::FrameData;
use crate::pipeline::placement::{Placer, Want};
use crate::pipeline::pool::ResidentPool;
use crate::pipeline::stage::StageKind;
use crate::pipeline::{Frame, PipelineError, Placement, Shape, Side, Stage, StageStatus};
use crate::{BufferData, ComputeTask, Kernel, run_on_cpu};

/// A frame on its way, and where its result goes.
pub(crate) struct Item {
    pub(crate) frame: Frame,
    pub(crate) reply: ReplyTo<Result<Frame, PipelineError>>,
}

/// Uploads and downloads one batch made.
#[derive(Default)]
struct Transfers {
    uploads: u64,
    upload_bytes: u64,
    downloads: u64,
    download_bytes: u64,
}

/// One stage's actor.
pub(crate) struct StageActor {
    pub(crate) stage: Stage,
    pub(crate) placement: Placement,
    /// Where the next stage (or the caller, after the last) wants data.
    pub(crate) want: Want,
    pub(crate) next: Option<ActorRef<StageActor>>,
    pub(crate) gpu: Option<Arc<ResidentPool>>,
    pub(crate) placer: Placer,
    pub(crate) status: Arc<Mutex<StageStatus>>,
}

impl Actor for StageActor {
    type Msg = Item;

    fn name() -> &'static str {
        "pipeline-stage"
    }

    async fn handle(&mut self, item: Item, ctx: &mut Context<Self>) {
        let Item { frame, reply } = item;
        let out = match self.process(frame, ctx).await {
            Ok(out) => out,
            Err(e) => {
                self.status.lock().failed += 1;
                reply.send(Err(e));
                return;
            }
        };
        match &self.next {
            // Waits for room: back-pressure from every stage after this one.
            Some(next) => {
                if let Err(e) = next.tell(Item { frame: out, reply }).await {
                    let item = e.into_inner();
                    self.release(item.frame).await;
                    item.reply.send(Err(PipelineError::Stopped));
                }
            }
            None => reply.send(Ok(out)),
        }
    }

    /// Frees the spare resident buffers, so a queue shared with other
    /// work does not keep them after the pipeline stops.
    async fn on_stop(&mut self, _reason: &ExitReason, _ctx: &mut Context<Self>) {
        if let Some(pool) = &self.gpu {
            pool.drain().await;
        }
    }
}

impl StageActor {
    async fn process(&mut self, frame: Frame, ctx: &Context<Self>) -> Result<Frame, PipelineError> {
        let input = self.stage.input;
        if frame.elem != input {
            let found = frame.elem.name();
            self.release(frame).await;
            return Err(PipelineError::TypeMismatch {
                stage: self.stage.name.clone(),
                expected: input.name(),
                found,
            });
        }
        let items = frame.len();
        let at = frame.location();
        let (side, explored) = match self.placement {
            Placement::Cpu => (Side::Cpu, false),
            Placement::Gpu => (Side::Gpu, false),
            Placement::Auto => self.placer.choose(at, self.want, items as f64),
        };
        let mut moved = Transfers::default();
        let started = Instant::now();
        let result = match side {
            Side::Gpu => self.on_gpu(frame, &mut moved).await,
            Side::Cpu => self.on_cpu(frame, &mut moved, ctx).await,
        };
        let secs = started.elapsed().as_secs_f64();
        let mut status = self.status.lock();
        match side {
            Side::Gpu => status.gpu_batches += 1,
            Side::Cpu => status.cpu_batches += 1,
        }
        status.explored += u64::from(explored);
        status.uploads += moved.uploads;
        status.upload_bytes += moved.upload_bytes;
        status.downloads += moved.downloads;
        status.download_bytes += moved.download_bytes;
        if result.is_ok() && self.placement == Placement::Auto {
            self.placer.record(side, at, self.want, items as f64, secs);
            status.set_estimates(&self.placer);
        }
        drop(status);
        if let Some(h) = Handle::current() {
            let name = match side {
                Side::Gpu => "pipeline_gpu_batches",
                Side::Cpu => "pipeline_cpu_batches",
            };
            h.counter(name).add(1);
            h.counter("pipeline_explored_batches")
                .add(u64::from(explored));
            h.counter("pipeline_uploads").add(moved.uploads);
            h.counter("pipeline_downloads").add(moved.downloads);
        }
        result
    }

    fn gpu_error(&self, error: crate::GpuError) -> PipelineError {
        PipelineError::Gpu {
            stage: self.stage.name.clone(),
            error,
        }
    }

    fn pool(&self) -> Result<Arc<ResidentPool>, PipelineError> {
        self.gpu.clone().ok_or_else(|| PipelineError::Invalid {
            stage: self.stage.name.clone(),
            why: "the pipeline has no GPU queue".into(),
        })
    }

    /// Output length in `Out`s, and in 4-byte words.
    fn output_size(&self, frame: &Frame) -> Result<(usize, usize), PipelineError> {
        let n = match &self.stage.output_len {
            Some(f) => f(frame.shape, frame.len()),
            None => frame.len(),
        };
        let bytes = n * self.stage.output.size();
        if n == 0 || !bytes.is_multiple_of(4) {
            return Err(PipelineError::Invalid {
                stage: self.stage.name.clone(),
                why: format!("an output of {n} values ({bytes} bytes)"),
            });
        }
        Ok((n, bytes / 4))
    }

    /// Adds the shape uniform (when the kernel has one) and the workgroups.
    fn task(
        &self,
        kernel: &Kernel,
        shape: Shape,
        out_len: usize,
        task: ComputeTask,
    ) -> ComputeTask {
        let task = if kernel.bindings().len() == 3 {
            task.uniform(&shape)
        } else {
            task
        };
        match &self.stage.workgroups {
            Some(f) => {
                let [x, y, z] = f(shape, out_len);
                task.workgroups(x, y, z)
            }
            None => task.workgroups_for(u32::try_from(out_len).unwrap_or(u32::MAX)),
        }
    }

    /// Runs the kernel on the GPU queue. Input on the device is bound in
    /// place; output the next stage may take on the device stays there.
    async fn on_gpu(
        &mut self,
        frame: Frame,
        moved: &mut Transfers,
    ) -> Result<Frame, PipelineError> {
        let pool = self.pool()?;
        let StageKind::Gpu(kernel) = &self.stage.kind else {
            return Err(PipelineError::Invalid {
                stage: self.stage.name.clone(),
                why: "a CPU stage cannot run on the GPU".into(),
            });
        };
        let kernel = kernel.clone();
        let (out_len, out_words) = match self.output_size(&frame) {
            Ok(s) => s,
            Err(e) => {
                self.release(frame).await;
                return Err(e);
            }
        };
        let mut task = ComputeTask::new(&kernel);
        let mut input = None;
        match &frame.data {
            FrameData::Host(d) => {
                task = task.input(&d.words);
                moved.uploads += 1;
                moved.upload_bytes += d.bytes();
            }
            FrameData::Device(b) => {
                task = task.resident(b);
                input = Some(b.clone());
            }
        }
        let keep = self.want != Want::Host;
        let output = if keep {
            match pool.take(&self.stage.name, out_words as u64 * 4).await {
                Ok(b) => Some(b),
                Err(e) => {
                    self.release(frame).await;
                    return Err(e);
                }
            }
        } else {
            None
        };
        task = match &output {
            Some(b) => task.resident(b),
            None => task.output::<u32>(out_words),
        };
        let task = self.task(&kernel, frame.shape, out_len, task);
        let answer = pool.queue.run(task).await;
        if let Some(b) = input {
            pool.give(b).await;
        }
        let done = match answer {
            Ok(Ok(done)) => done,
            failed => {
                if let Some(b) = output {
                    pool.give(b).await;
                }
                return Err(answer_error(failed, self));
            }
        };
        let data = match output {
            Some(b) => FrameData::Device(b),
            None => {
                let words = done.get::<u32>(1).map_err(|e| self.gpu_error(e))?;
                moved.downloads += 1;
                moved.download_bytes += words.len() as u64 * 4;
                FrameData::Host(BufferData { words })
            }
        };
        Ok(Frame {
            shape: frame.shape,
            elem: self.stage.output,
            data,
        })
    }

    /// Runs the stage's Rust function, or the kernel's CPU twin, on the
    /// blocking pool; brings the input to the host first, and takes the
    /// output to the GPU when the next stage runs there.
    async fn on_cpu(
        &mut self,
        frame: Frame,
        moved: &mut Transfers,
        ctx: &Context<Self>,
    ) -> Result<Frame, PipelineError> {
        let sizes = match &self.stage.kind {
            StageKind::Gpu(_) => Some(self.output_size(&frame)),
            StageKind::Cpu(_) => None,
        };
        let shape = frame.shape;
        let data = self.to_host(frame, moved).await?;
        let name = self.stage.name.clone();
        let failed = |why: String| PipelineError::Stage {
            stage: name.clone(),
            why,
        };
        let out = match &self.stage.kind {
            StageKind::Cpu(f) => {
                let f = f.clone();
                match ctx.spawn_blocking(move || f(&data, shape)).await {
                    Ok(Ok(out)) => out,
                    Ok(Err(why)) => return Err(failed(why)),
                    Err(e) => return Err(failed(e.to_string())),
                }
            }
            StageKind::Gpu(kernel) => {
                let (out_len, out_words) = sizes.unwrap_or(Ok((0, 0)))?;
                let task = ComputeTask::new(kernel)
                    .input(&data.words)
                    .output::<u32>(out_words);
                let task = self.task(kernel, shape, out_len, task);
                let ran = ctx
                    .spawn_blocking(move || run_on_cpu(task).and_then(|o| o.get::<u32>(1)))
                    .await;
                match ran {
                    Ok(Ok(words)) => BufferData { words },
                    Ok(Err(e)) => return Err(self.gpu_error(e)),
                    Err(e) => return Err(failed(e.to_string())),
                }
            }
        };
        let mut frame = Frame {
            shape,
            elem: self.stage.output,
            data: FrameData::Host(out),
        };
        if self.want == Want::Device
            && let FrameData::Host(d) = &frame.data
        {
            let pool = self.pool()?;
            let bytes = d.bytes();
            let buffer = match pool.queue.upload(d.clone()).await {
                Ok(Ok(b)) => b,
                Ok(Err(e)) => return Err(self.gpu_error(e)),
                Err(_) => return Err(PipelineError::Stopped),
            };
            moved.uploads += 1;
            moved.upload_bytes += bytes;
            frame.data = FrameData::Device(buffer);
        }
        Ok(frame)
    }

    /// The frame's data on the host, downloading (and releasing) a
    /// resident buffer.
    async fn to_host(
        &self,
        frame: Frame,
        moved: &mut Transfers,
    ) -> Result<BufferData, PipelineError> {
        let buffer = match frame.data {
            FrameData::Host(d) => return Ok(d),
            FrameData::Device(b) => b,
        };
        let pool = self.pool()?;
        let answer = pool.queue.download(buffer.clone()).await;
        pool.give(buffer).await;
        match answer {
            Ok(Ok(d)) => {
                moved.downloads += 1;
                moved.download_bytes += d.bytes();
                Ok(d)
            }
            Ok(Err(e)) => Err(self.gpu_error(e)),
            Err(_) => Err(PipelineError::Stopped),
        }
    }

    /// Gives a frame's resident buffer back, when it will not go on.
    async fn release(&self, frame: Frame) {
        if let (FrameData::Device(b), Some(pool)) = (frame.data, &self.gpu) {
            pool.give(b).await;
        }
    }
}

fn answer_error(
    answer: Result<Result<crate::TaskOutput, crate::GpuError>, actor_core::AskError>,
    stage: &StageActor,
) -> PipelineError {
    match answer {
        Ok(Err(e)) => stage.gpu_error(e),
        Ok(Ok(_)) | Err(_) => PipelineError::Stopped,
    }
}
