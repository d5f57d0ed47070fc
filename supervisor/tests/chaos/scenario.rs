//! One seed's scenario: the runtime's settings, a random supervision tree
//! (depth 1 to 3), the senders' and the chaos thread's budgets, and when the
//! runtime is shut down. A pure function of the seed.

use std::sync::Arc;
use std::time::Duration;

use actor_supervisor::{Backoff, Builder, ChildSpec, Restart, Shutdown, Strategy, Supervisor};

use super::report::World;
use super::rng::Rng;
use super::worker::{FaultRates, Probe};

/// A supervisor of the generated tree.
#[derive(Debug, Clone)]
pub struct SupPlan {
    /// Its name (its child id when nested).
    pub name: String,
    /// Its strategy.
    pub strategy: Strategy,
    /// Its intensity: restarts allowed in the window.
    pub max_restarts: u32,
    /// Its intensity window.
    pub window: Duration,
    /// Its backoff, if any.
    pub backoff: Option<Backoff>,
    /// The seed of its backoff jitter.
    pub jitter_seed: u64,
    /// The shard it is placed on (`None`: the default).
    pub shard: Option<usize>,
    /// Its children, in start order.
    pub children: Vec<ChildPlan>,
}

/// One child of a generated supervisor.
#[derive(Debug, Clone)]
pub struct ChildPlan {
    /// Its id.
    pub id: String,
    /// Its restart type.
    pub restart: Restart,
    /// Its shutdown (`None`: the default for its kind).
    pub shutdown: Option<Shutdown>,
    /// Its shard (`None`: the supervisor's).
    pub shard: Option<usize>,
    /// Its own mailbox capacity (`None`: the runtime's).
    pub mailbox: Option<usize>,
    /// A worker or a nested supervisor.
    pub kind: ChildKind,
}

/// What a generated child is.
#[derive(Debug, Clone)]
pub enum ChildKind {
    /// A [`ChaosWorker`](super::worker::ChaosWorker) with these faults.
    Worker { rates: FaultRates, fault_seed: u64 },
    /// A nested supervisor.
    Sup(SupPlan),
}

/// Everything one seed runs.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Shards of the runtime (1 or 2).
    pub shards: usize,
    /// The runtime's default mailbox capacity (small ones included).
    pub mailbox: usize,
    /// The runtime's per-actor shutdown timeout.
    pub shutdown_timeout: Duration,
    /// How long an idle shard spins before it parks.
    pub spin: Duration,
    /// The root supervisor.
    pub root: SupPlan,
    /// Operations of each plain-thread sender.
    pub senders: Vec<usize>,
    /// Operations of the chaos thread.
    pub chaos_ops: usize,
    /// When the runtime is shut down, after the tree started.
    pub shutdown_at: Duration,
    /// Whether the tree is shut down on its own first.
    pub tree_shutdown_first: bool,
    /// How long senders go on sending after the shutdown returned.
    pub after_shutdown: Duration,
    /// Fault rates for children started at run time.
    pub dynamic_rates: FaultRates,
}

impl Scenario {
    /// The scenario of `seed`.
    pub fn generate(seed: u64) -> Scenario {
        let mut rng = Rng::new(seed);
        let shards = rng.range(1, 2) as usize;
        let mut mailbox = rng.pick(&[1, 1, 2, 2, 3, 4, 8, 16, 64, 256]);
        if crate::skips::AVOID_SMALL_SUPERVISOR_MAILBOX {
            mailbox = mailbox.max(4);
        }
        let faulty_start = rng.chance(15);
        let rates = fault_rates(&mut rng, faulty_start);
        let dynamic_first = rng.chance(30);
        let dynamic_rates = fault_rates(&mut rng, dynamic_first);
        let depth = rng.range(1, 3) as u32;
        let mut next_id = 0;
        let root = sup_plan(&mut rng, "root".into(), depth, shards, rates, &mut next_id);
        let senders = (0..rng.range(1, 3))
            .map(|_| rng.range(20, 300) as usize)
            .collect();
        Scenario {
            shards,
            mailbox,
            shutdown_timeout: rng.millis(50, 300),
            spin: rng.pick(&[Duration::ZERO, Duration::ZERO, Duration::from_micros(50)]),
            root,
            senders,
            chaos_ops: rng.range(5, 60) as usize,
            shutdown_at: rng.millis(0, 250),
            tree_shutdown_first: rng.chance(25),
            after_shutdown: rng.millis(1, 10),
            dynamic_rates,
        }
    }

    /// Whether the tree's first start must fail (rule 7): some static worker
    /// fails its first start.
    pub fn start_must_fail(&self) -> bool {
        fn any_fails(sup: &SupPlan) -> bool {
            sup.children.iter().any(|c| match &c.kind {
                ChildKind::Worker { rates, fault_seed } => rates.first_start_fails(*fault_seed),
                ChildKind::Sup(s) => any_fails(s),
            })
        }
        any_fails(&self.root)
    }

    /// A short description for reports.
    pub fn summary(&self) -> String {
        fn tree(s: &SupPlan) -> String {
            let kids: Vec<String> = s
                .children
                .iter()
                .map(|c| match &c.kind {
                    ChildKind::Worker { rates, fault_seed } => format!(
                        "{}:{:?}{}",
                        c.id,
                        c.restart,
                        if rates.first_start_fails(*fault_seed) {
                            "!"
                        } else {
                            ""
                        }
                    ),
                    ChildKind::Sup(sub) => tree(sub),
                })
                .collect();
            format!(
                "{}[{:?} {}/{:?}{}: {}]",
                s.name,
                s.strategy,
                s.max_restarts,
                s.window,
                if s.backoff.is_some() { " backoff" } else { "" },
                kids.join(", ")
            )
        }
        format!(
            "shards={} mailbox={} senders={:?} chaos_ops={} shutdown_at={:?} tree={}",
            self.shards,
            self.mailbox,
            self.senders,
            self.chaos_ops,
            self.shutdown_at,
            tree(&self.root)
        )
    }
}

/// Fault rates for a scenario; `first_start` lets first starts fail too.
fn fault_rates(rng: &mut Rng, first_start: bool) -> FaultRates {
    if rng.chance(20) {
        return FaultRates::NONE;
    }
    FaultRates {
        first_start,
        factory: rng.pick(&[0, 3, 10]),
        start_err: rng.pick(&[0, 3, 10]),
        start_panic: rng.pick(&[0, 3, 10]),
        stop_panic: rng.pick(&[0, 5, 15]),
        stop_slow: rng.pick(&[0, 10, 30]),
    }
}

/// A random supervisor with up to `depth - 1` levels below it.
fn sup_plan(
    rng: &mut Rng,
    name: String,
    depth: u32,
    shards: usize,
    rates: FaultRates,
    next_id: &mut u32,
) -> SupPlan {
    let n = rng.range(1, 4);
    let children = (0..n)
        .map(|_| {
            *next_id += 1;
            let nested = depth > 1 && rng.chance(35);
            let id = format!("{}{}", if nested { "s" } else { "w" }, *next_id);
            let kind = if nested {
                ChildKind::Sup(sup_plan(rng, id.clone(), depth - 1, shards, rates, next_id))
            } else {
                ChildKind::Worker {
                    rates,
                    fault_seed: rng.next_u64(),
                }
            };
            ChildPlan {
                id,
                restart: rng.pick(&[Restart::Permanent, Restart::Transient, Restart::Temporary]),
                shutdown: random_shutdown(rng),
                shard: rng.chance(50).then(|| rng.index(shards)),
                mailbox: rng.chance(25).then(|| rng.pick(&[1, 2, 4, 32])),
                kind,
            }
        })
        .collect();
    SupPlan {
        name,
        strategy: rng.pick(&[
            Strategy::OneForOne,
            Strategy::AllForOne,
            Strategy::RestForOne,
        ]),
        max_restarts: rng.pick(&[0, 1, 3, 10, 100]) as u32,
        window: rng.millis(10, 1000),
        backoff: rng.chance(40).then(|| {
            Backoff::new(rng.millis(1, 5), rng.millis(5, 40))
                .random_factor(rng.pick(&[0.0, 0.2, 1.0]))
                .reset_after(rng.millis(1, 50))
        }),
        jitter_seed: rng.next_u64(),
        shard: rng.chance(50).then(|| rng.index(shards)),
        children,
    }
}

/// A random shutdown for a child (`None`: the default).
pub fn random_shutdown(rng: &mut Rng) -> Option<Shutdown> {
    match rng.below(4) {
        0 => None,
        1 => Some(Shutdown::Brutal),
        2 => Some(Shutdown::Infinity),
        _ => Some(Shutdown::Timeout(rng.millis(1, 30))),
    }
}

impl SupPlan {
    /// The supervisor's builder, with a [`Probe`] made for each worker.
    pub fn builder(&self, world: &Arc<World>) -> Builder {
        let mut b = Supervisor::builder()
            .name(self.name.clone())
            .strategy(self.strategy)
            .intensity(self.max_restarts, self.window)
            .seed(self.jitter_seed);
        if let Some(backoff) = self.backoff {
            b = b.backoff(backoff);
        }
        if let Some(shard) = self.shard {
            b = b.shard(shard);
        }
        for c in &self.children {
            b = match &c.kind {
                ChildKind::Worker { rates, fault_seed } => {
                    let probe = Probe::new(world, &c.id, *rates, *fault_seed);
                    b.child_spec(c.apply(ChildSpec::new(c.id.clone(), probe.factory())))
                }
                ChildKind::Sup(sub) => {
                    let mut plan = c.clone();
                    if crate::skips::AVOID_SMALL_SUPERVISOR_MAILBOX {
                        plan.mailbox = plan.mailbox.filter(|&m| m >= 4);
                    }
                    b.child_spec(plan.apply(sub.builder(world).into_spec(&c.id)))
                }
            };
        }
        b
    }

    /// Ids of all nested supervisors below this one, as paths from it.
    pub fn nested(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for c in &self.children {
            if let ChildKind::Sup(sub) = &c.kind {
                out.push(vec![c.id.clone()]);
                for mut path in sub.nested() {
                    path.insert(0, c.id.clone());
                    out.push(path);
                }
            }
        }
        out
    }
}

impl ChildPlan {
    /// Applies the plan's restart, shutdown, shard and mailbox to `spec`.
    fn apply<A: actor_core::Actor>(&self, mut spec: ChildSpec<A>) -> ChildSpec<A> {
        spec = spec.restart(self.restart);
        if let Some(s) = self.shutdown {
            spec = spec.shutdown(s);
        }
        if let Some(s) = self.shard {
            spec = spec.shard(s);
        }
        if let Some(m) = self.mailbox {
            spec = spec.mailbox_capacity(m);
        }
        spec
    }
}
