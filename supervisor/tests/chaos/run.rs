//! Runs one seed: builds the runtime and the tree, lets the senders and the
//! chaos thread loose, shuts the runtime down at the scenario's moment, then
//! checks what must hold afterwards.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::{DeadLetterReason, ShutdownError};
use actor_supervisor::StartError;
use parking_lot::Mutex;

use super::bounded::{block_on_until, join_until, on_thread, proc_count};
use super::ops::Chaos;
use super::report::{Violation, World, rules};
use super::rng::Rng;
use super::scenario::Scenario;
use super::senders::{CALL_LIMIT, Status, run_sender};
use super::worker::{ChaosWorker, WMsg};
use crate::skips;

/// How long `Runtime::shutdown` may take (stragglers are killed after the
/// scenario's shutdown timeout, well inside this).
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(10);
/// How long the campaign's threads may take to finish after the shutdown.
const JOIN_LIMIT: Duration = Duration::from_secs(8);

/// What one seed found.
#[derive(Debug)]
pub struct Outcome {
    /// The scenario, described.
    pub summary: String,
    /// What ran, in numbers.
    pub stats: String,
    /// The broken rules.
    pub violations: Vec<Violation>,
}

/// Runs `seed`. `count_threads` compares `/proc/self/task` and
/// `/proc/self/fd` before and after (only meaningful when nothing else in
/// the process starts threads meanwhile).
pub fn run_seed(seed: u64, count_threads: bool) -> Outcome {
    let scenario = Scenario::generate(seed);
    let before = (proc_count("task"), proc_count("fd"));
    let world = World::new();
    let mut rng = Rng::new(seed).fork(1);
    let rt = match Runtime::builder()
        .shards(scenario.shards)
        .mailbox_capacity(scenario.mailbox)
        .shutdown_timeout(scenario.shutdown_timeout)
        .spin_before_park(scenario.spin)
        .pin_threads(false)
        .blocking_threads(1)
        .seed(seed)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("the runtime does not start: {e}"),
    };
    let handle = rt.handle().clone();
    start_tree(&world, &scenario, &handle);

    let statuses: Vec<Status> = (0..=scenario.senders.len())
        .map(|_| Arc::new(Mutex::new(String::from("not started"))))
        .collect();
    let mut threads = Vec::new();
    for (i, &ops) in scenario.senders.iter().enumerate() {
        let (w, r, s) = (world.clone(), rng.fork(10 + i as u64), statuses[i].clone());
        threads.push(spawn("chaos-sender", move || {
            run_sender(w, i as u32, ops, r, s)
        }));
    }
    let chaos = Chaos::new(
        world.clone(),
        &scenario,
        rng.fork(2),
        statuses[scenario.senders.len()].clone(),
    );
    let ops = scenario.chaos_ops;
    threads.push(spawn("chaos-ops", move || chaos.run(ops)));

    thread::sleep(scenario.shutdown_at);
    if scenario.tree_shutdown_first
        && let Some(root) = world.sup_list().first().cloned()
        && block_on_until(root.shutdown(), Instant::now() + CALL_LIMIT).is_none()
    {
        world.violation(
            rules::SUP_BOUND,
            format!("the root's shutdown did not return within {CALL_LIMIT:?}"),
        );
    }
    shut_down(&world, &scenario, rt);

    let deadline = Instant::now() + JOIN_LIMIT;
    for t in threads {
        if let Ok(Err(_)) = join_until(t, deadline) {
            world.violation(rules::STUCK, "a campaign thread panicked");
        }
    }
    for s in &statuses {
        let s = s.lock().clone();
        if !s.ends_with("done") && !s.starts_with("not started") {
            world.violation(
                rules::STUCK,
                format!("still blocked {JOIN_LIMIT:?} after shutdown: {s}"),
            );
        }
    }
    if world.shutdown_done.get().is_some() {
        check_after_shutdown(&world, &handle);
    }
    let (created, handled, dropped) = world.ledger.counts();
    let stats = format!(
        "{} workers, {} supervisors, messages {created} sent / {handled} handled / {dropped} \
         dropped, {} handler panics, {} hook panics, took {:?}",
        world.workers.lock().len(),
        world.sups.lock().len(),
        world
            .handler_panics
            .load(std::sync::atomic::Ordering::SeqCst),
        world.hook_panics.load(std::sync::atomic::Ordering::SeqCst),
        world.t0.elapsed()
    );
    let violations = world.violations();
    if count_threads && violations.is_empty() {
        drop(handle);
        world.workers.lock().clear();
        world.sups.lock().clear();
        check_threads(&world, before);
    }
    Outcome {
        stats,
        summary: scenario.summary(),
        violations: world.violations(),
    }
}

/// Spawns a named campaign thread.
fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .expect("spawn a campaign thread")
}

/// Starts the tree (bounded) and checks rule 7 against the planned faults.
fn start_tree(world: &Arc<World>, scenario: &Scenario, handle: &Handle) {
    let builder = scenario.root.builder(world);
    let started = Instant::now();
    let must_fail = scenario.start_must_fail();
    match block_on_until(builder.spawn(handle), started + CALL_LIMIT) {
        None => world.violation(
            rules::SUP_BOUND,
            format!(
                "the tree's start did not return within {CALL_LIMIT:?}{}",
                if must_fail {
                    " (a child's first start fails)"
                } else {
                    ""
                }
            ),
        ),
        Some(Ok(tree)) => {
            world.add_sup(&tree);
            for path in scenario.root.nested() {
                let mut at = tree.clone();
                for id in &path {
                    match at.supervisor(id) {
                        Ok(s) => at = s,
                        Err(_) => break,
                    }
                }
                world.add_sup(&at);
            }
            if must_fail {
                world.violation(
                    rules::START,
                    "the tree started although a child's first start fails",
                );
            }
        }
        Some(Err(StartError::ChildFailed { .. })) if must_fail => {}
        Some(Err(e)) => world.violation(
            rules::START,
            format!("the tree failed to start with no fault planned: {e}"),
        ),
    }
}

/// Shuts the runtime down on a helper thread, bounded.
fn shut_down(world: &Arc<World>, scenario: &Scenario, rt: Runtime) {
    let _ = world.shutdown_began.set(Instant::now());
    let result = on_thread("chaos-shutdown", SHUTDOWN_LIMIT, move || rt.shutdown());
    let now = Instant::now();
    let _ = world.finish_at.set(now + scenario.after_shutdown);
    match result {
        None => world.violation(
            rules::SHUTDOWN,
            format!("Runtime::shutdown did not return within {SHUTDOWN_LIMIT:?}"),
        ),
        Some(Err(ShutdownError::ShardsStuck(shards))) => world.violation(
            rules::SHUTDOWN,
            format!("Runtime::shutdown left shards {shards:?} stuck"),
        ),
        Some(r) => {
            let _ = world.shutdown_done.set(now);
            if let Err(e) = r
                && !skips::SKIP_STRAGGLERS
            {
                world.violation(
                    rules::SHUTDOWN,
                    format!(
                        "Runtime::shutdown had to kill actors that overran {:?} (no handler \
                         or hook of the scenario runs that long): {e}",
                        scenario.shutdown_timeout
                    ),
                );
            }
        }
    }
}

/// After shutdown: nothing alive, sends fail `Closed`, no leaked message,
/// dead letters that can apply and are counted exactly.
fn check_after_shutdown(world: &World, handle: &Handle) {
    for w in world.worker_list() {
        if w.is_alive() {
            world.violation(
                rules::AFTER_SHUTDOWN,
                format!("worker {} is still alive after Runtime::shutdown", w.id()),
            );
        }
        match w.try_tell(WMsg::Crash) {
            Err(SendError::Closed(_)) => {}
            other => world.violation(
                rules::AFTER_SHUTDOWN,
                format!(
                    "try_tell to worker {} after Runtime::shutdown gave {other:?}, not Closed",
                    w.id()
                ),
            ),
        }
    }
    for s in world.sup_list() {
        if s.actor().is_alive() {
            world.violation(
                rules::AFTER_SHUTDOWN,
                format!(
                    "supervisor `{}` is still alive after Runtime::shutdown",
                    s.name()
                ),
            );
        }
    }
    if !skips::SKIP_LEAK_CHECK {
        let (created, handled, dropped) = world.ledger.counts();
        if created != handled + dropped {
            world.violation(
                rules::LEAK,
                format!(
                    "{} of {created} sequenced messages neither handled nor dropped \
                     ({handled} handled, {dropped} dropped)",
                    created - handled - dropped
                ),
            );
        }
    }
    check_dead_letters(world, handle);
}

/// `HandlerPanicked` dead letters: exactly one per injected handler panic,
/// and only for workers.
fn check_dead_letters(world: &World, handle: &Handle) {
    let letters = handle.dead_letters();
    let recent = letters.recent();
    if letters.count() as usize != recent.len() {
        return; // More than the kept records: the count cannot be split by reason.
    }
    let panicked = recent
        .iter()
        .filter(|d| d.reason == DeadLetterReason::HandlerPanicked)
        .collect::<Vec<_>>();
    let ours = panicked
        .iter()
        .filter(|d| d.recipient_name == ChaosWorker::name())
        .count() as u64;
    if let Some(other) = panicked
        .iter()
        .find(|d| d.recipient_name != ChaosWorker::name())
    {
        world.violation(
            rules::DEAD_LETTER,
            format!("HandlerPanicked dead letter for {other:?}, whose handler never panics"),
        );
    }
    let injected = world
        .handler_panics
        .load(std::sync::atomic::Ordering::SeqCst);
    if ours > injected && !skips::SKIP_SPURIOUS_HANDLER_PANICKED {
        world.violation(
            rules::DEAD_LETTER,
            format!(
                "{ours} HandlerPanicked dead letters for {injected} handler panics \
                 ({} hook panics injected)",
                world.hook_panics.load(std::sync::atomic::Ordering::SeqCst)
            ),
        );
    } else if ours < injected {
        world.violation(
            rules::DEAD_LETTER,
            format!("{injected} handler panics left only {ours} HandlerPanicked dead letters"),
        );
    }
}

/// Threads and fds back to where they were before the seed.
fn check_threads(world: &World, before: (Option<usize>, Option<usize>)) {
    let (Some(threads), Some(fds)) = before else {
        return;
    };
    // Joined threads may take a moment to leave /proc.
    let end = Instant::now() + Duration::from_secs(2);
    loop {
        let now = (proc_count("task"), proc_count("fd"));
        if now == (Some(threads), Some(fds)) {
            return;
        }
        if Instant::now() >= end {
            world.violation(
                rules::THREADS,
                format!("threads/fds {threads}/{fds} before the seed, {now:?} after"),
            );
            return;
        }
        thread::sleep(Duration::from_millis(5));
    }
}
