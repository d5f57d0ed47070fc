//! Automatic placement: per side, a cost model fitted to what batches
//! took (a fixed part and a part per item), and the choice of the side
//! predicted to finish a batch soonest, with occasional exploration.
//!
//! A model is kept per side *and* per transfer case (where the input is,
//! where the next stage wants the output), so the time it learns includes
//! the uploads and downloads that side causes in that case. The first
//! batch on each model is a warm-up (a pipeline compiles, pools fill) and
//! is not learned from. Exploration is bounded by time: the other side is
//! tried again once the time spent since its last try reaches
//! `1 / EXPLORE_SHARE` times its predicted cost, so exploring costs at most
//! that share of the work.

use std::collections::HashMap;

use crate::pipeline::{Location, Side};

/// The share of a stage's time spent trying the side it did not choose.
pub(crate) const EXPLORE_SHARE: f64 = 0.05;

/// How fast old samples fade: each new one multiplies the old weights by
/// this.
const DECAY: f64 = 0.9;

/// Where the next stage wants a stage's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Want {
    Host,
    Device,
    /// The next stage chooses for itself: leave it where it was made.
    Either,
}

impl Want {
    pub(crate) fn location(self) -> Option<Location> {
        match self {
            Want::Host => Some(Location::Host),
            Want::Device => Some(Location::Device),
            Want::Either => None,
        }
    }
}

/// A least-squares line, seconds = fixed + per_item × items, over samples
/// whose weights fade by [`DECAY`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Fit {
    w: f64,
    x: f64,
    y: f64,
    xx: f64,
    xy: f64,
    pub(crate) samples: u64,
    warmed: bool,
}

impl Fit {
    /// Learns one batch of `items` that took `secs`; the first is a warm-up.
    pub(crate) fn observe(&mut self, items: f64, secs: f64) {
        if !self.warmed {
            self.warmed = true;
            return;
        }
        for s in [
            &mut self.w,
            &mut self.x,
            &mut self.y,
            &mut self.xx,
            &mut self.xy,
        ] {
            *s *= DECAY;
        }
        self.w += 1.0;
        self.x += items;
        self.y += secs;
        self.xx += items * items;
        self.xy += items * secs;
        self.samples += 1;
    }

    /// (fixed seconds, seconds per item); `None` before a sample.
    pub(crate) fn line(&self) -> Option<(f64, f64)> {
        if self.samples == 0 {
            return None;
        }
        let spread = self.w * self.xx - self.x * self.x;
        // One batch size so far (or nearly): all of the cost per item.
        if spread <= 1e-9 * self.w * self.xx {
            return Some((0.0, self.y / self.x.max(1.0)));
        }
        let per_item = (self.w * self.xy - self.x * self.y) / spread;
        if per_item <= 0.0 {
            return Some((self.y / self.w, 0.0));
        }
        let fixed = (self.y - per_item * self.x) / self.w;
        if fixed < 0.0 {
            // Through the origin instead.
            return Some((0.0, self.xy / self.xx.max(f64::MIN_POSITIVE)));
        }
        Some((fixed, per_item))
    }

    /// Predicted seconds for `items`.
    pub(crate) fn predict(&self, items: f64) -> Option<f64> {
        self.line().map(|(a, b)| a + b * items)
    }
}

type Key = (Side, Location, Want);

/// Chooses a side per batch for a stage that has both.
#[derive(Debug, Default)]
pub(crate) struct Placer {
    pub(crate) fits: HashMap<Key, Fit>,
    /// Seconds spent per transfer case since the side not chosen was last
    /// tried.
    since_explore: HashMap<(Location, Want), f64>,
}

impl Placer {
    /// The side for a batch of `items` whose input is at `at`; `true` when
    /// it is an exploration (or warm-up) of the side predicted slower.
    pub(crate) fn choose(&mut self, at: Location, want: Want, items: f64) -> (Side, bool) {
        let g = self.fit(Side::Gpu, at, want).predict(items);
        let c = self.fit(Side::Cpu, at, want).predict(items);
        let (best, other, other_cost) = match (g, c) {
            (None, _) => return (Side::Gpu, true),
            (_, None) => return (Side::Cpu, true),
            (Some(g), Some(c)) if g <= c => (Side::Gpu, Side::Cpu, c),
            (Some(g), Some(_)) => (Side::Cpu, Side::Gpu, g),
        };
        let spent = self.since_explore.entry((at, want)).or_default();
        if *spent * EXPLORE_SHARE >= other_cost {
            *spent = 0.0;
            return (other, true);
        }
        (best, false)
    }

    /// Learns that a batch of `items` took `secs` on `side`.
    pub(crate) fn record(&mut self, side: Side, at: Location, want: Want, items: f64, secs: f64) {
        self.fits
            .entry((side, at, want))
            .or_default()
            .observe(items, secs);
        *self.since_explore.entry((at, want)).or_default() += secs;
    }

    fn fit(&self, side: Side, at: Location, want: Want) -> Fit {
        self.fits
            .get(&(side, at, want))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_learns_a_fixed_cost_and_a_cost_per_item() {
        let mut f = Fit::default();
        f.observe(10.0, 99.0); // warm-up: ignored
        assert_eq!(f.line(), None);
        for items in [100.0, 1000.0, 100.0, 1000.0, 500.0] {
            f.observe(items, 2e-3 + 1e-6 * items);
        }
        let (a, b) = f.line().unwrap();
        assert!((a - 2e-3).abs() < 1e-9, "{a}");
        assert!((b - 1e-6).abs() < 1e-12, "{b}");
        let mut one = Fit::default();
        one.observe(64.0, 1.0);
        one.observe(64.0, 0.64);
        assert_eq!(one.line(), Some((0.0, 0.01)));
    }

    fn run(placer: &mut Placer, gpu: f64, cpu: f64, batches: usize) -> (usize, usize) {
        let (mut g, mut c) = (0, 0);
        for _ in 0..batches {
            let (side, _) = placer.choose(Location::Host, Want::Host, 100.0);
            let secs = match side {
                Side::Gpu => {
                    g += 1;
                    gpu
                }
                Side::Cpu => {
                    c += 1;
                    cpu
                }
            };
            placer.record(side, Location::Host, Want::Host, 100.0, secs);
        }
        (g, c)
    }

    #[test]
    fn the_faster_side_wins_and_exploring_costs_a_bounded_share() {
        let mut p = Placer::default();
        let (g, c) = run(&mut p, 1.0, 10.0, 1000);
        assert!(g > 950, "gpu {g} cpu {c}");
        let time = g as f64 * 1.0 + c as f64 * 10.0;
        assert!(
            time <= 1000.0 * (1.0 + 2.0 * EXPLORE_SHARE) + 20.0,
            "{time}"
        );
        let mut p = Placer::default();
        let (g, c) = run(&mut p, 3.0, 1.0, 1000);
        assert!(c > 950, "gpu {g} cpu {c}");
    }

    #[test]
    fn a_change_of_speed_is_noticed_by_exploring() {
        let mut p = Placer::default();
        run(&mut p, 1.0, 2.0, 200);
        // The GPU gets four times slower; the CPU is now the faster side.
        let (_, c) = run(&mut p, 8.0, 2.0, 400);
        assert!(c > 300, "cpu {c}");
    }

    #[test]
    fn each_transfer_case_has_its_own_models() {
        let mut p = Placer::default();
        for _ in 0..4 {
            let (side, _) = p.choose(Location::Device, Want::Device, 10.0);
            let secs = if side == Side::Gpu { 1.0 } else { 5.0 };
            p.record(side, Location::Device, Want::Device, 10.0, secs);
        }
        assert_eq!(p.fits.len(), 2);
        assert_eq!(
            p.choose(Location::Host, Want::Host, 10.0),
            (Side::Gpu, true)
        );
    }
}
