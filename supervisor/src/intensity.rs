//! Restart intensity: at most `max` restarts within any sliding `window`, over
//! all of a supervisor's children (OTP's `intensity` and `period`).
//!
//! Pure: the clock is passed in, so tests drive it by hand.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// OTP's default: 1 restart in 5 seconds.
pub const DEFAULT_MAX_RESTARTS: u32 = 1;
/// OTP's default window: 5 seconds.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5);

/// One supervisor's sliding restart window.
#[derive(Debug, Clone)]
pub struct Intensity {
    max: u32,
    window: Duration,
    restarts: VecDeque<Instant>,
}

impl Default for Intensity {
    fn default() -> Self {
        Intensity::new(DEFAULT_MAX_RESTARTS, DEFAULT_WINDOW)
    }
}

impl Intensity {
    /// Allows `max` restarts within any `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Intensity {
            max,
            window,
            restarts: VecDeque::new(),
        }
    }

    /// The most restarts allowed in one window.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// The window's length.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Records a restart at `now`. `false` when this restart exceeds the
    /// limit: the supervisor must give up and fail.
    pub fn record(&mut self, now: Instant) -> bool {
        self.restarts.push_back(now);
        while let Some(&oldest) = self.restarts.front() {
            if now.saturating_duration_since(oldest) > self.window {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        self.restarts.len() <= self.max as usize
    }

    /// Restarts inside the window ending at the latest record.
    pub fn in_window(&self) -> usize {
        self.restarts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_default_allows_one_restart_in_five_seconds() {
        let t0 = Instant::now();
        let mut i = Intensity::default();
        assert!(i.record(t0));
        assert!(!i.record(t0 + Duration::from_secs(4)));
        let mut i = Intensity::default();
        assert!(i.record(t0));
        assert!(i.record(t0 + Duration::from_millis(5001)));
    }
}
