//! Pinion side by side with kameo, ractor and actix (and channel baselines)
//! on identical workloads, in one run on one machine. See the README.
//!
//! Every variant runs every workload it supports once as a discarded
//! warm-up, then `--reps` times, interleaved (rep 1 of every variant, then
//! rep 2, ...). The table shows each variant's median and its ratio to the
//! best peer (kameo, ractor, actix) in the same run.
//!
//! Isolation: a variant is a [`Spec`] that builds its runtime (Pinion's
//! shards, a tokio runtime, an actix `System`) right before one workload and
//! shuts it down right after, so while one variant is measured no other
//! variant's threads exist in the process.

mod actix;
mod baselines;
mod kameo;
mod memory;
mod pinion;
mod ractor;
mod stats;
mod targets;
mod tokio_rt;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::stats::{Latency, median, mmsg_per_s, ns_per};
use crate::tokio_rt::Flavor;

/// What a variant is, for the ratio column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pinion,
    Peer,
    Baseline,
}

/// One framework configuration with its runtime up, built by a [`Spec`] for
/// one workload. Each workload returns `None` where the variant does not run
/// it.
pub trait Variant {
    /// Stops the runtime and joins its threads. The default drops the
    /// variant, which does that for tokio and actix; Pinion overrides it to
    /// call `Runtime::shutdown` and check the result.
    fn shutdown(self: Box<Self>) {}
    /// A: `n` sequential asks, reply = msg + 1; one latency sample (ns) each.
    fn ask(&mut self, _n: usize) -> Option<Vec<u64>> {
        None
    }
    /// B: `n` tells, then one ask to flush.
    fn tell(&mut self, _n: usize) -> Option<Duration> {
        None
    }
    /// C: `senders` × `per_sender` tells to one actor, then one ask to flush.
    fn fan_in(&mut self, _senders: usize, _per_sender: usize) -> Option<Duration> {
        None
    }
    /// D: spawn `n` actors, then stop them all and wait for every one.
    fn spawn_stop(&mut self, _n: usize) -> Option<Duration> {
        None
    }
    /// E: a ring of `size` actors passes one token `hops` times.
    fn ring(&mut self, _size: usize, _hops: usize) -> Option<Duration> {
        None
    }
    /// M: resident bytes per idle actor with `n` alive (see `memory`).
    fn idle_memory(&mut self, _n: usize) -> Option<f64> {
        None
    }
}

/// How to build one variant: its name and kind for the table, and a
/// constructor that starts its runtime. Every workload of every repetition
/// gets a fresh one.
pub struct Spec {
    name: String,
    kind: Kind,
    build: Box<dyn Fn() -> Box<dyn Variant>>,
}

impl Spec {
    fn new<V: Variant + 'static>(
        name: impl Into<String>,
        kind: Kind,
        build: impl Fn() -> V + 'static,
    ) -> Spec {
        Spec {
            name: name.into(),
            kind,
            build: Box::new(move || Box::new(build())),
        }
    }

    /// Builds the variant, runs one workload on it and shuts it down before
    /// returning, so nothing of it is left running for the next variant.
    fn measure(&self, w: Workload, c: &Counts) -> Vec<(Metric, f64)> {
        if w == Workload::M {
            // A fresh process per figure: nothing of this one counts.
            return memory::in_child(&self.name, c.scale)
                .map(|b| vec![(Metric::IdleBytes, b)])
                .unwrap_or_default();
        }
        let threads = thread_count();
        if threads > 1 {
            eprintln!(
                "warning: {threads} threads alive before {} runs {w:?}",
                self.name
            );
        }
        let mut v = (self.build)();
        let figures = measure(v.as_mut(), w, c);
        v.shutdown();
        figures
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    A,
    B,
    C,
    D,
    E,
    M,
}

const ALL: [Workload; 6] = [
    Workload::A,
    Workload::B,
    Workload::C,
    Workload::D,
    Workload::E,
    Workload::M,
];

/// One figure in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Metric {
    AskMean,
    AskP50,
    AskP99,
    Tell,
    FanIn,
    SpawnStop,
    Ring,
    IdleBytes,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::AskMean => "A ask mean",
            Metric::AskP50 => "A ask p50",
            Metric::AskP99 => "A ask p99",
            Metric::Tell => "B tell",
            Metric::FanIn => "C fan-in 4→1",
            Metric::SpawnStop => "D spawn+stop",
            Metric::Ring => "E ring hop",
            Metric::IdleBytes => "M idle actor",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Metric::Tell | Metric::FanIn => "M msg/s",
            Metric::SpawnStop => "ns/actor",
            Metric::Ring => "ns/hop",
            Metric::IdleBytes => "B/actor",
            _ => "ns",
        }
    }

    fn higher_is_better(self) -> bool {
        matches!(self, Metric::Tell | Metric::FanIn)
    }
}

/// Iteration counts at `--scale`.
#[derive(Debug)]
struct Counts {
    scale: f64,
    asks: usize,
    tells: usize,
    senders: usize,
    per_sender: usize,
    spawns: usize,
    ring: usize,
    hops: usize,
}

impl Counts {
    fn new(scale: f64) -> Counts {
        let s = |n: f64| ((n * scale) as usize).max(1);
        Counts {
            scale,
            asks: s(200_000.0),
            tells: s(2_000_000.0),
            senders: 4,
            per_sender: s(500_000.0),
            spawns: s(100_000.0),
            ring: 1000,
            hops: s(1_000_000.0),
        }
    }
}

fn measure(v: &mut dyn Variant, w: Workload, c: &Counts) -> Vec<(Metric, f64)> {
    match w {
        Workload::A => v.ask(c.asks).map_or_else(Vec::new, |mut samples| {
            let l = Latency::from_samples(&mut samples);
            vec![
                (Metric::AskMean, l.mean),
                (Metric::AskP50, l.p50),
                (Metric::AskP99, l.p99),
            ]
        }),
        Workload::B => v
            .tell(c.tells)
            .map(|d| (Metric::Tell, mmsg_per_s(d, c.tells)))
            .into_iter()
            .collect(),
        Workload::C => v
            .fan_in(c.senders, c.per_sender)
            .map(|d| (Metric::FanIn, mmsg_per_s(d, c.senders * c.per_sender)))
            .into_iter()
            .collect(),
        Workload::D => v
            .spawn_stop(c.spawns)
            .map(|d| (Metric::SpawnStop, ns_per(d, c.spawns)))
            .into_iter()
            .collect(),
        Workload::E => v
            .ring(c.ring, c.hops)
            .map(|d| (Metric::Ring, ns_per(d, c.hops)))
            .into_iter()
            .collect(),
        Workload::M => v
            .idle_memory(c.spawns)
            .map(|b| (Metric::IdleBytes, b))
            .into_iter()
            .collect(),
    }
}

struct Args {
    reps: usize,
    scale: f64,
    only: Vec<Workload>,
    /// Variants whose name contains one of these (all when empty).
    variants: Vec<String>,
    /// Internal: measure workload M for this one variant and print it.
    memory_child: Option<String>,
}

const USAGE: &str = "usage: compare [--reps N (default 5)] [--scale F (default 1.0)] [--only A,B,C,D,E,M] [--variants NAME,...]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        reps: 5,
        scale: 1.0,
        only: ALL.to_vec(),
        variants: Vec::new(),
        memory_child: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--reps" => args.reps = value()?.parse().map_err(|e| format!("--reps: {e}"))?,
            "--scale" => args.scale = value()?.parse().map_err(|e| format!("--scale: {e}"))?,
            "--only" => {
                args.only = value()?
                    .split(',')
                    .map(|w| match w.trim().to_ascii_uppercase().as_str() {
                        "A" => Ok(Workload::A),
                        "B" => Ok(Workload::B),
                        "C" => Ok(Workload::C),
                        "D" => Ok(Workload::D),
                        "E" => Ok(Workload::E),
                        "M" => Ok(Workload::M),
                        other => Err(format!("unknown workload {other:?}")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--memory-child" => args.memory_child = Some(value()?),
            "--variants" => {
                args.variants = value()?.split(',').map(|v| v.trim().to_string()).collect();
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.reps == 0 || args.scale.is_nan() || args.scale <= 0.0 {
        return Err("--reps must be ≥ 1 and --scale > 0".into());
    }
    Ok(args)
}

/// Threads in this process (1 when only `main` is left), from
/// `/proc/self/status`; 0 where that cannot be read.
fn thread_count() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:")?.trim().parse().ok())
        })
        .unwrap_or(0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Versions of the peers, from this crate's own lock file.
fn peer_versions() -> String {
    let lock = include_str!("../Cargo.lock");
    [
        "kameo",
        "ractor",
        "actix",
        "actix-rt",
        "tokio",
        "crossbeam-channel",
    ]
    .iter()
    .map(|name| {
        let needle = format!("name = \"{name}\"\nversion = \"");
        let version = lock
            .find(&needle)
            .map(|i| &lock[i + needle.len()..])
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("?");
        format!("{name} {version}")
    })
    .collect::<Vec<_>>()
    .join(", ")
}

fn fmt_value(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Medians per (metric, variant index).
type Medians = BTreeMap<(Metric, usize), f64>;

/// The best peer's median for `m`, and its name.
fn best_peer<'a>(m: Metric, medians: &Medians, variants: &'a [Spec]) -> Option<(f64, &'a str)> {
    medians
        .iter()
        .filter(|((metric, i), _)| *metric == m && variants[*i].kind == Kind::Peer)
        .map(|((_, i), v)| (*v, variants[*i].name.as_str()))
        .reduce(|a, b| {
            let b_better = if m.higher_is_better() {
                b.0 > a.0
            } else {
                b.0 < a.0
            };
            if b_better { b } else { a }
        })
}

fn print_table(medians: &Medians, variants: &[Spec]) {
    println!("| workload | variant | median | unit | ratio to best peer |");
    println!("|---|---|---:|---|---:|");
    for (&(m, i), &v) in medians {
        let ratio = best_peer(m, medians, variants)
            .map_or("n/a".to_string(), |(best, _)| format!("{:.2}×", v / best));
        let name = &variants[i].name;
        let name = if variants[i].kind == Kind::Pinion {
            format!("**{name}**")
        } else {
            name.clone()
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            m.label(),
            name,
            fmt_value(v),
            m.unit(),
            ratio
        );
    }
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("{e}\n{USAGE}");
        std::process::exit(2);
    });
    let counts = Counts::new(args.scale);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load_before = loadavg();

    // Probing starts and shuts down one runtime; no variant's runtime runs
    // until its first workload.
    let (shards, pinion_desc) = pinion::probe();
    let mut variants = specs(cores, shards);
    if let Some(name) = &args.memory_child {
        let spec = variants
            .iter()
            .find(|v| &v.name == name)
            .expect("a known variant");
        let mut v = (spec.build)();
        if let Some(bytes) = v.idle_memory(counts.spawns) {
            println!("{bytes:.0}");
        }
        v.shutdown();
        return;
    }
    if !args.variants.is_empty() {
        variants.retain(|v| {
            args.variants
                .iter()
                .any(|want| v.name.contains(want.as_str()))
        });
    }

    let mut samples: BTreeMap<(Metric, usize), Vec<f64>> = BTreeMap::new();
    let mut loads = Vec::new();
    let started = Instant::now();
    for rep in 0..=args.reps {
        let what = if rep == 0 {
            "warm-up".to_string()
        } else {
            format!("rep {rep}/{}", args.reps)
        };
        for &w in &args.only {
            eprintln!("{what}: workload {w:?} ({:.0?} so far)", started.elapsed());
            for (i, v) in variants.iter().enumerate() {
                for (m, value) in v.measure(w, &counts) {
                    if rep > 0 {
                        samples.entry((m, i)).or_default().push(value);
                    }
                }
            }
        }
        loads.push(loadavg());
    }
    eprintln!("done in {:.0?}", started.elapsed());
    let load_after = loadavg();

    let medians: Medians = samples.iter().map(|(k, v)| (*k, median(v))).collect();

    println!(
        "## Pinion vs peers: median of {} reps after a warm-up, --scale {}",
        args.reps, args.scale
    );
    println!();
    println!("- machine: {cores} cores, {}", std::env::consts::ARCH);
    println!("- {pinion_desc}");
    println!("- peers: {}", peer_versions());
    println!(
        "- counts: A {} asks, B {} tells, C {}×{} tells, D {} actors, E ring of {} × {} hops",
        counts.asks,
        counts.tells,
        counts.senders,
        counts.per_sender,
        counts.spawns,
        counts.ring,
        counts.hops
    );
    println!("- load (1/5/15 min) before: {load_before}; after: {load_after}");
    println!(
        "- load after each rep (warm-up first): {}",
        loads.join(" | ")
    );
    println!();
    print_table(&medians, &variants);
    targets::print(&medians, &variants);
}

/// Every variant, in table order.
fn specs(cores: usize, shards: usize) -> Vec<Spec> {
    let mut variants = vec![Spec::new("pinion same shard", Kind::Pinion, || {
        pinion::Pinion::new(0)
    })];
    if shards >= 2 {
        variants.push(Spec::new("pinion across shards", Kind::Pinion, || {
            pinion::Pinion::new(1)
        }));
    }
    for flavor in [Flavor::MultiThread(cores), Flavor::CurrentThread] {
        let name = format!("kameo {}", flavor.label());
        variants.push(Spec::new(name, Kind::Peer, move || {
            crate::kameo::Kameo::new(flavor)
        }));
    }
    for flavor in [Flavor::MultiThread(cores), Flavor::CurrentThread] {
        let name = format!("ractor {}", flavor.label());
        variants.push(Spec::new(name, Kind::Peer, move || {
            crate::ractor::Ractor::new(flavor)
        }));
    }
    variants.push(Spec::new("actix", Kind::Peer, crate::actix::Actix::new));
    variants.push(Spec::new("crossbeam 2 threads", Kind::Baseline, || {
        baselines::Crossbeam
    }));
    for (flavor, name) in [
        (Flavor::CurrentThread, "tokio mpsc 1 thread"),
        (Flavor::MultiThread(2), "tokio mpsc 2 workers"),
    ] {
        variants.push(Spec::new(name, Kind::Baseline, move || {
            baselines::TokioMpsc::new(flavor)
        }));
    }
    variants
}
