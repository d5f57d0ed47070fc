//! Blocking work: password stretching moved off the shard with
//! `Context::spawn_blocking`, so the shard keeps answering meanwhile.
//!
//! One shard runs a `PasswordHasher` and a `Health` actor. Stretching a
//! password keeps a CPU busy for 300 ms.
//!
//! 1. Done inline in the handler, it holds the shard thread: a health ping
//!    sent meanwhile is answered only after the job finished.
//! 2. Done on the blocking pool (`spawn_blocking`, awaited in a task from
//!    `Context::spawn_task` so the hasher takes its next message at once),
//!    four jobs run together while pings to both actors stay fast and are
//!    answered before any job is done.
//!
//! Run: `cargo run -p examples --example blocking_work`

use std::hash::{DefaultHasher, Hash, Hasher as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actor_core::BlockingError;
use actor_core::prelude::*;

const STRETCH: Duration = Duration::from_millis(300);
const JOBS: usize = 4;

/// Hashes `password` over and over for `budget`; returns the digest and the
/// rounds done. Pure CPU work that never yields.
fn stretch(password: &str, budget: Duration) -> (u64, u64) {
    let started = Instant::now();
    let mut digest = 0u64;
    let mut rounds = 0;
    while started.elapsed() < budget {
        for _ in 0..1_000 {
            let mut h = DefaultHasher::new();
            (digest, password).hash(&mut h);
            digest = h.finish();
        }
        rounds += 1_000;
    }
    (digest, rounds)
}

/// Jobs started and finished, inline or on the pool.
#[derive(Default)]
struct Progress {
    started: AtomicUsize,
    finished: AtomicUsize,
}

impl Progress {
    /// Runs `stretch`, counted.
    fn stretch(&self, password: &str) -> (u64, u64) {
        self.started.fetch_add(1, Ordering::SeqCst);
        let out = stretch(password, STRETCH);
        self.finished.fetch_add(1, Ordering::SeqCst);
        out
    }
}

struct PasswordHasher {
    progress: Arc<Progress>,
}

enum HasherMsg {
    /// Stretches in the handler itself, on the shard thread.
    Inline(String, ReplyTo<(u64, u64)>),
    /// Stretches on the blocking pool.
    Offload(String, ReplyTo<Result<(u64, u64), BlockingError>>),
    Ping(ReplyTo<()>),
}

impl Actor for PasswordHasher {
    type Msg = HasherMsg;

    async fn handle(&mut self, msg: HasherMsg, ctx: &mut Context<Self>) {
        match msg {
            HasherMsg::Inline(password, reply) => {
                reply.send(self.progress.stretch(&password));
            }
            HasherMsg::Offload(password, reply) => {
                let progress = self.progress.clone();
                let job = ctx.spawn_blocking(move || progress.stretch(&password));
                ctx.spawn_task(async move { reply.send(job.await) });
            }
            HasherMsg::Ping(reply) => reply.send(()),
        }
    }
}

/// Answers pings; shares the shard with the hasher.
struct Health;

impl Actor for Health {
    type Msg = ReplyTo<()>;

    async fn handle(&mut self, reply: ReplyTo<()>, _: &mut Context<Self>) {
        reply.send(());
    }
}

/// Times one ask; also says how many jobs had finished when it came back.
fn timed(
    ask: impl FnOnce() -> Result<(), AskError>,
    progress: &Progress,
) -> Result<(Duration, usize), AskError> {
    let started = Instant::now();
    ask()?;
    Ok((started.elapsed(), progress.finished.load(Ordering::SeqCst)))
}

/// Waits until `n` jobs have started.
fn wait_started(progress: &Progress, n: usize) {
    while progress.started.load(Ordering::SeqCst) < n {
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder()
        .shards(1)
        .blocking_threads(JOBS)
        .build()?;
    let progress = Arc::new(Progress::default());
    let hasher = rt.spawn_on(0, {
        let progress = progress.clone();
        move || PasswordHasher { progress }
    })?;
    let health = rt.spawn_on(0, || Health)?;

    // 1. Inline: the ping waits for the whole job.
    let (latency, done) = std::thread::scope(|scope| {
        let job = scope.spawn(|| hasher.ask_blocking(|r| HasherMsg::Inline("hunter2".into(), r)));
        wait_started(&progress, 1);
        let ping = timed(|| health.ask_blocking(|r| r), &progress);
        let _ = job.join().expect("the asking thread does not panic");
        ping
    })?;
    println!("inline: a health ping took {latency:?}, answered after {done} of 1 jobs finished");
    if done != 1 {
        return Err("the ping overtook a job that held the shard thread".into());
    }

    // 2. On the blocking pool: pings to both actors answer while jobs run.
    let started = Instant::now();
    let jobs: Vec<_> = (0..JOBS)
        .map(|i| hasher.try_ask(|r| HasherMsg::Offload(format!("password-{i}"), r)))
        .collect::<Result<_, _>>()?;
    wait_started(&progress, 1 + JOBS);
    let (mut pings, mut slowest) = (0, Duration::ZERO);
    while started.elapsed() < STRETCH / 2 {
        let (health_took, done_h) = timed(|| health.ask_blocking(|r| r), &progress)?;
        let (hasher_took, done_x) = timed(|| hasher.ask_blocking(HasherMsg::Ping), &progress)?;
        if done_h > 1 || done_x > 1 {
            return Err("a ping waited for a job on the blocking pool".into());
        }
        pings += 2;
        slowest = slowest.max(health_took).max(hasher_took);
        std::thread::sleep(Duration::from_millis(5));
    }
    println!("offloaded: {pings} pings answered while {JOBS} jobs ran, slowest {slowest:?}");
    for job in jobs {
        let (digest, rounds) = rt.block_on(job)??;
        println!("  digest {digest:016x} after {rounds} rounds");
    }
    let took = started.elapsed();
    println!("{JOBS} jobs of {STRETCH:?} each done in {took:?} on {JOBS} pool threads");
    if pings == 0 || progress.finished.load(Ordering::SeqCst) != 1 + JOBS {
        return Err("not every job finished".into());
    }
    rt.shutdown()?;
    Ok(())
}
