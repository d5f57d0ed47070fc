//! The chaos thread: crashes, kills and stops workers, links and monitors
//! them, arms timers, sends slow, blocking and yielding work, and drives
//! every dynamic-child operation on random supervisors. Every supervisor
//! call is bounded.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_supervisor::{ChildError, ChildSpec, Restart, Supervisor, SupervisorRef};

use super::bounded::block_on_until;
use super::report::{Tag, World, rules};
use super::rng::Rng;
use super::scenario::{Scenario, random_shutdown};
use super::senders::{CALL_LIMIT, DEADLINE_SLACK, Status};
use super::worker::{ChaosWorker, FaultRates, Probe, WMsg};

/// How long a `CatchPanic` ask may wait: far more than the handler needs.
const CATCH_LIMIT: Duration = Duration::from_secs(2);

/// The chaos thread's state: the supervisors it knows and the ids under each.
pub struct Chaos {
    world: Arc<World>,
    rng: Rng,
    status: Status,
    rates: FaultRates,
    shards: usize,
    /// Child ids known under each supervisor of `world.sups`, by name.
    ids: Vec<(String, Vec<String>)>,
    next_dynamic: u32,
}

impl Chaos {
    /// The chaos thread of `scenario`.
    pub fn new(world: Arc<World>, scenario: &Scenario, rng: Rng, status: Status) -> Chaos {
        fn collect(s: &super::scenario::SupPlan, out: &mut Vec<(String, Vec<String>)>) {
            out.push((
                s.name.clone(),
                s.children.iter().map(|c| c.id.clone()).collect(),
            ));
            for c in &s.children {
                if let super::scenario::ChildKind::Sup(sub) = &c.kind {
                    collect(sub, out);
                }
            }
        }
        let mut ids = Vec::new();
        collect(&scenario.root, &mut ids);
        Chaos {
            world,
            rng,
            status,
            rates: scenario.dynamic_rates,
            shards: scenario.shards,
            ids,
            next_dynamic: 0,
        }
    }

    /// Runs `ops` operations, or until the world winds down.
    pub fn run(mut self, ops: usize) {
        for _ in 0..ops {
            if self.world.finished() {
                break;
            }
            self.one();
            std::thread::sleep(self.rng.micros(0, 3000));
        }
        *self.status.lock() = "chaos: done".into();
    }

    /// One random operation.
    fn one(&mut self) {
        let workers = self.world.worker_list();
        let op = self.rng.below(16);
        if op < 9 {
            if workers.is_empty() {
                return;
            }
            let w = workers[self.rng.index(workers.len())].clone();
            let other = workers[self.rng.index(workers.len())].clone();
            self.on_worker(op, &w, other);
        } else {
            let sups = self.world.sup_list();
            if sups.is_empty() {
                return;
            }
            let sup = sups[self.rng.index(sups.len())].clone();
            self.on_supervisor(op, &sup);
        }
    }

    /// A worker operation.
    fn on_worker(&mut self, op: u64, w: &ActorRef<ChaosWorker>, other: ActorRef<ChaosWorker>) {
        let msg = match op {
            0 => WMsg::Crash,
            1 => return self.catch_panic(w),
            2 => {
                *self.status.lock() = format!("chaos: kill {}", w.id());
                return w.kill();
            }
            3 => {
                let reason = self.reason();
                return w.stop_with(reason);
            }
            4 => WMsg::Exit(self.reason()),
            5 if self.rng.chance(50) => WMsg::Link(other),
            5 => WMsg::Monitor(other),
            6 if self.rng.chance(50) => WMsg::Timer {
                delay: self.rng.millis(0, 20),
                tag: Tag::new(&self.world.ledger),
            },
            6 => WMsg::Interval {
                period: self.rng.millis(1, 5),
                ticks: self.rng.range(1, 5) as u32,
            },
            7 if self.rng.chance(40) => WMsg::Forward {
                to: other,
                count: self.rng.range(1, 40) as u32,
            },
            7 => WMsg::Slow(self.rng.millis(1, 10)),
            _ if self.rng.chance(50) => WMsg::Block(self.rng.micros(100, 3000)),
            _ => WMsg::Yield(self.rng.range(1, 20) as u32),
        };
        *self.status.lock() = format!("chaos: worker op {op} to {}", w.id());
        // Never blocks for long: a full mailbox is fine to give up on.
        let _ = block_on_until(w.tell(msg), Instant::now() + Duration::from_millis(50));
    }

    /// Asks `w` to panic inside `catch_unwind` while holding the reply.
    fn catch_panic(&mut self, w: &ActorRef<ChaosWorker>) {
        *self.status.lock() = format!("chaos: CatchPanic ask to {}", w.id());
        let started = Instant::now();
        let r = w.ask_blocking_timeout(CATCH_LIMIT, WMsg::CatchPanic);
        let took = started.elapsed();
        match r {
            Err(AskError::NoReply | AskError::ActorFailed | AskError::Closed) => {}
            Err(AskError::Timeout) if !self.world.shutting_down_before(started + CATCH_LIMIT) => {
                self.world.violation(
                    rules::REPLY_STRANDED,
                    format!(
                        "an ask whose ReplyTo {} dropped while unwinding inside catch_unwind \
                         timed out after {took:?} (the runtime was not shutting down)",
                        w.id()
                    ),
                );
            }
            Err(AskError::Timeout) => {}
            other => self.world.violation(
                rules::ASK_RESULT,
                format!("CatchPanic ask to {} ended with {other:?}", w.id()),
            ),
        }
        if took > CATCH_LIMIT + DEADLINE_SLACK {
            self.world.violation(
                rules::ASK_DEADLINE,
                format!("ask_blocking_timeout({CATCH_LIMIT:?}) took {took:?}"),
            );
        }
    }

    /// A random exit reason, normal or not.
    fn reason(&mut self) -> ExitReason {
        match self.rng.below(3) {
            0 => ExitReason::Normal,
            1 => ExitReason::Shutdown,
            _ => ExitReason::Error(format!("{}: stop_with", super::worker::PANIC_MARK)),
        }
    }

    /// Child ids known under `sup`.
    fn known(&mut self, sup: &SupervisorRef) -> Vec<String> {
        self.ids
            .iter()
            .find(|(n, _)| n == sup.name())
            .map(|(_, ids)| ids.clone())
            .unwrap_or_default()
    }

    /// A supervisor operation, bounded.
    fn on_supervisor(&mut self, op: u64, sup: &SupervisorRef) {
        let known = self.known(sup);
        let id = if known.is_empty() {
            "none".to_owned()
        } else {
            known[self.rng.index(known.len())].clone()
        };
        match op {
            9 | 10 => self.start_child(sup),
            11 => {
                let _ = self.bounded(sup, "terminate_child", &id, sup.terminate_child(&id));
            }
            12 => {
                let _ = self.bounded(sup, "restart_child", &id, sup.restart_child(&id));
            }
            13 => {
                let _ = self.bounded(sup, "delete_child", &id, sup.delete_child(&id));
            }
            14 => {
                let _ = self.bounded(sup, "which_children", "", sup.which_children());
                let _ = self.bounded(sup, "count_children", "", sup.count_children());
            }
            _ => {
                if let Ok(nested) = sup.supervisor(&id) {
                    self.world.add_sup(&nested);
                }
                let _ = sup.child::<ChaosWorker>(&id);
                let _ = sup.child_ids();
            }
        }
    }

    /// Starts a new worker (or, now and then, a small nested supervisor)
    /// under `sup`.
    fn start_child(&mut self, sup: &SupervisorRef) {
        self.next_dynamic += 1;
        let id = format!("d{}", self.next_dynamic);
        let restart = self
            .rng
            .pick(&[Restart::Permanent, Restart::Transient, Restart::Temporary]);
        let shard = self.rng.index(self.shards);
        let probe = Probe::new(&self.world, &id, self.rates, self.rng.next_u64());
        // A nested supervisor around it fails to start exactly when it does.
        let must_fail = probe.first_start_fails();
        let mut spec = ChildSpec::new(id.clone(), probe.factory())
            .restart(restart)
            .shard(shard);
        if let Some(s) = random_shutdown(&mut self.rng) {
            spec = spec.shutdown(s);
        }
        if self.rng.chance(30) {
            spec = spec.mailbox_capacity(self.rng.pick(&[1, 2, 8]));
        }
        let started = Instant::now();
        let r = if self.rng.chance(15) {
            // A nested supervisor with this worker as its only child.
            let name = format!("{id}s");
            let sub = Supervisor::builder()
                .name(name.clone())
                .intensity(self.rng.range(0, 5) as u32, self.rng.millis(10, 500))
                .child_spec(spec);
            self.ids.push((name.clone(), vec![id.clone()]));
            self.bounded(sup, "start_child(supervisor)", &name, async {
                sup.start_child(sub.into_spec(name.clone()))
                    .await
                    .map(|_| ())
            })
        } else {
            self.bounded(sup, "start_child", &id, async {
                sup.start_child(spec).await.map(|_| ())
            })
        };
        if let Some(entry) = self.ids.iter_mut().find(|(n, _)| n == sup.name()) {
            entry.1.push(id.clone());
        }
        let calm = !self.world.shutting_down_before(Instant::now());
        match r {
            Some(Err(ChildError::StartFailed { .. })) if !must_fail && calm => {
                self.world.violation(
                    rules::START,
                    format!(
                        "start_child({id}) failed to start after {:?} with no fault planned",
                        started.elapsed()
                    ),
                );
            }
            Some(Ok(())) if must_fail => self.world.violation(
                rules::START,
                format!("start_child({id}) succeeded although its first start fails"),
            ),
            _ => {}
        }
    }

    /// Runs a supervisor call with a bound; a call that overruns it is a
    /// violation.
    fn bounded<T>(
        &mut self,
        sup: &SupervisorRef,
        call: &str,
        id: &str,
        fut: impl Future<Output = Result<T, ChildError>>,
    ) -> Option<Result<T, ChildError>> {
        *self.status.lock() = format!("chaos: {}.{call}({id})", sup.name());
        let started = Instant::now();
        let r = block_on_until(fut, started + CALL_LIMIT);
        if r.is_none() {
            let shutdown = self
                .world
                .shutdown_began
                .get()
                .map(|t| format!(" (Runtime::shutdown called at {:?})", *t - self.world.t0))
                .unwrap_or_default();
            self.world.violation(
                rules::SUP_BOUND,
                format!(
                    "{}.{call}({id}) did not return within {CALL_LIMIT:?}{shutdown}",
                    sup.name()
                ),
            );
        }
        r
    }
}
