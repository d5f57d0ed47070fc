//! The targets the project set itself, checked against this run's medians
//! (ratios from one run on one machine).

use crate::{Kind, Medians, Metric, Spec, best_peer};

/// Prints every target with its verdict.
pub fn print(medians: &Medians, variants: &[Spec]) {
    print_peer_targets(medians, variants);
    print_cross_shard_targets(medians, variants);
}

fn get(medians: &Medians, variants: &[Spec], m: Metric, name: &str) -> Option<f64> {
    variants
        .iter()
        .position(|v| v.name == name)
        .and_then(|i| medians.get(&(m, i)).copied())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// The first round's targets (issue 6 §3): Pinion against the fastest peer.
fn print_peer_targets(medians: &Medians, variants: &[Spec]) {
    let get = |m: Metric, name: &str| get(medians, variants, m, name);
    let same = "pinion same shard";
    let across = "pinion across shards";
    println!();
    println!("Targets (issue 6 §3), ratios from this run:");

    if let (Some(p), Some((best, peer)), Some(t1)) = (
        get(Metric::AskMean, same),
        best_peer(Metric::AskMean, medians, variants),
        get(Metric::AskMean, "tokio mpsc 1 thread"),
    ) {
        let (r, rt) = (p / best, p / t1);
        println!(
            "- A same shard: ≤ 0.5× fastest peer ({peer}) and ≤ 1× tokio mpsc 1 thread: {} ({r:.2}× peer, {rt:.2}× tokio mpsc)",
            verdict(r <= 0.5 && rt <= 1.0)
        );
    }
    if let (Some(p), Some(p99), Some(cb)) = (
        get(Metric::AskMean, across),
        get(Metric::AskP99, across),
        get(Metric::AskMean, "crossbeam 2 threads"),
    ) {
        let r = p / cb;
        println!(
            "- A across shards: ≤ 1× crossbeam ping-pong and p99 ≤ 2 µs: {} ({r:.2}× crossbeam, p99 {:.2} µs)",
            verdict(r <= 1.0 && p99 <= 2000.0),
            p99 / 1000.0
        );
    }
    let lines = [
        (Metric::Tell, "B", 3.0),
        (Metric::FanIn, "C", 2.0),
        (Metric::SpawnStop, "D", 0.5),
        (Metric::Ring, "E", 0.7),
    ];
    for (m, label, goal) in lines {
        let (Some(p), Some((best, peer))) = (get(m, same), best_peer(m, medians, variants)) else {
            continue;
        };
        let r = p / best;
        let (ok, want) = if m.higher_is_better() {
            (r >= goal, format!("≥ {goal}×"))
        } else {
            (r <= goal, format!("≤ {goal}×"))
        };
        let across_note = get(m, across)
            .map(|a| format!("; across shards {:.2}×", a / best))
            .unwrap_or_default();
        println!(
            "- {label}: {want} fastest peer ({peer}), judged on the same shard: {} (same shard {r:.2}×{across_note})",
            verdict(ok)
        );
    }
}

/// The second round's targets (issue 14 §5): messages across shards against
/// crossbeam between two threads, spawn + stop against actix, and the memory
/// of an idle actor.
fn print_cross_shard_targets(medians: &Medians, variants: &[Spec]) {
    let get = |m: Metric, name: &str| get(medians, variants, m, name);
    let across = "pinion across shards";
    let cb = "crossbeam 2 threads";
    println!();
    println!("Targets (issue 14 §5), ratios from this run:");
    if let (Some(p50), Some(p99), Some(cb50)) = (
        get(Metric::AskP50, across),
        get(Metric::AskP99, across),
        get(Metric::AskP50, cb),
    ) {
        let r = p50 / cb50;
        println!(
            "- A across shards: p50 ≤ 1.5× crossbeam ping-pong p50 and p99 ≤ 2 µs: {} ({r:.2}×, p99 {:.2} µs)",
            verdict(r <= 1.5 && p99 <= 2000.0),
            p99 / 1000.0
        );
    }
    for (m, label) in [(Metric::Tell, "B"), (Metric::FanIn, "C")] {
        if let (Some(p), Some(c)) = (get(m, across), get(m, cb)) {
            let r = p / c;
            println!(
                "- {label} across shards: ≥ 0.8× crossbeam's two threads: {} ({r:.2}×)",
                verdict(r >= 0.8)
            );
        }
    }
    if let Some(actix) = get(Metric::SpawnStop, "actix") {
        for name in ["pinion same shard", across] {
            if let Some(p) = get(Metric::SpawnStop, name) {
                let r = p / actix;
                println!("- D {name}: ≤ 0.5× actix: {} ({r:.2}×)", verdict(r <= 0.5));
            }
        }
    }
    for (i, v) in variants.iter().enumerate() {
        if v.kind == Kind::Pinion
            && let Some(b) = medians.get(&(Metric::IdleBytes, i))
        {
            println!(
                "- M {}: ≤ 512 B per idle actor: {} ({b:.0} B)",
                v.name,
                verdict(*b <= 512.0)
            );
        }
    }
}
