//! Small helpers every layer may use; they import nothing from the crate.

/// The text of a panic payload: the message of `panic!("...")`, or a
/// placeholder for a payload that is not a string.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

/// Slots an emptied queue keeps when [`give_back_excess`] trims it.
const KEEP_SLOTS: usize = 1024;

/// Once `queue` is empty, gives back the capacity a burst grew it to past
/// four times [`KEEP_SLOTS`] (a shard's run queue and inboxes after 100,000
/// spawns would otherwise keep a few megabytes for ever). A cheap check
/// when there is nothing to give back.
pub(crate) fn give_back_excess<T>(queue: &mut std::collections::VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > 4 * KEEP_SLOTS {
        queue.shrink_to(KEEP_SLOTS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emptied_queue_gives_back_a_burst_and_keeps_a_small_one() {
        let mut queue: std::collections::VecDeque<u64> = (0..100_000).collect();
        give_back_excess(&mut queue);
        assert_eq!(queue.len(), 100_000, "a queue in use is left alone");
        queue.clear();
        give_back_excess(&mut queue);
        assert!(queue.capacity() >= KEEP_SLOTS && queue.capacity() < 4 * KEEP_SLOTS);
        let mut small: std::collections::VecDeque<u64> = (0..100).collect();
        small.clear();
        let before = small.capacity();
        give_back_excess(&mut small);
        assert_eq!(small.capacity(), before);
    }
}
