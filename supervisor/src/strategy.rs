//! Restart strategies: which children restart when one fails.

/// What a supervisor does when a child must be restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Restart only the child that failed.
    #[default]
    OneForOne,
    /// Stop all other children (in reverse start order), then restart them
    /// all in start order. OTP calls it `one_for_all`.
    AllForOne,
    /// Stop the children started after the failed one (in reverse order),
    /// then restart the failed one and those, in start order.
    RestForOne,
}

impl Strategy {
    /// The positions (in start order) affected when the child at `failed`
    /// must restart, among children where `live[i]` says whether child `i` is
    /// running or waiting to restart. `failed` is always included.
    #[must_use]
    pub fn affected(self, failed: usize, live: &[bool]) -> Vec<usize> {
        let pick = |i: usize| i == failed || live[i];
        match self {
            Strategy::OneForOne => vec![failed],
            Strategy::AllForOne => (0..live.len()).filter(|&i| pick(i)).collect(),
            Strategy::RestForOne => (failed..live.len()).filter(|&i| pick(i)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        let live = [true, false, true, true];
        assert_eq!(Strategy::OneForOne.affected(2, &live), [2]);
        assert_eq!(Strategy::AllForOne.affected(2, &live), [0, 2, 3]);
        assert_eq!(Strategy::RestForOne.affected(1, &live), [1, 2, 3]);
        assert_eq!(Strategy::RestForOne.affected(3, &live), [3]);
    }
}
