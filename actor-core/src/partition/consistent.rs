//! Placement that survives a change in the partition count.
//!
//! [`ConsistentHash`] is Lamping and Veach's jump consistent hash ("A Fast,
//! Minimal Memory, Consistent Hash Algorithm", 2014) over [`stable_hash`]:
//! no state, `O(ln n)` time. Growing from `n` to `n + 1` partitions moves
//! about `1/(n + 1)` of the keys, and every moved key moves to the new
//! partition `n`. It can only shrink by dropping the *last* partition; the
//! keys of that partition spread over the others, nothing else moves.
//!
//! [`Rendezvous`] (highest random weight) works over a list of named nodes
//! and lets any node leave: only that node's keys move. It costs `O(nodes)`
//! per lookup.

use std::hash::Hash;

use super::Partitioner;
use super::hash::stable_hash;

/// Jump consistent hash over [`stable_hash`].
///
/// `partition(key, n)` for a fixed key is the same in every run; moving from
/// `n` to `n + 1` only ever moves keys into partition `n`. Removing any
/// partition but the last renumbers the rest, so use [`Rendezvous`] for
/// arbitrary removal.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsistentHash;

impl ConsistentHash {
    /// The jump hash itself: the bucket in `0..buckets` for a 64-bit key.
    ///
    /// Returns 0 when `buckets` is 0. The float steps are IEEE-754 divisions,
    /// multiplications and conversions, exact on every Rust target, so the
    /// result is stable across platforms.
    #[must_use]
    pub fn jump(mut key: u64, buckets: usize) -> usize {
        let buckets = buckets as u64;
        let mut b = 0;
        let mut j = 0;
        while j < buckets {
            b = j;
            key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
            // `as u64` saturates, so a huge jump simply ends the loop.
            j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as u64;
        }
        b as usize
    }
}

impl<K: Hash + ?Sized> Partitioner<K> for ConsistentHash {
    fn partition(&self, key: &K, partitions: usize) -> usize {
        Self::jump(stable_hash(key), partitions)
    }
}

/// Rendezvous (highest random weight) hashing over a list of nodes.
///
/// A key belongs to the node with the largest `stable_hash((node, key))`
/// weight; ties, which need equal nodes, go to the lower index. Adding a node
/// moves keys only onto it; removing one moves only its own keys.
///
/// As a [`Partitioner`], the result is an index into [`nodes`](Self::nodes),
/// choosing among the first `min(partitions, nodes.len())` nodes; indices
/// after a removed node shift down, so hold on to [`owner`](Self::owner)'s
/// node rather than the index when the list changes. With no nodes the index
/// is 0.
#[derive(Debug, Clone)]
pub struct Rendezvous<N> {
    nodes: Vec<N>,
    node_hashes: Vec<u64>,
}

impl<N: Hash + PartialEq> Rendezvous<N> {
    /// A ring over `nodes`, in that order.
    pub fn new(nodes: Vec<N>) -> Self {
        let node_hashes = nodes.iter().map(stable_hash).collect();
        Self { nodes, node_hashes }
    }

    /// The nodes, in index order.
    #[must_use]
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// Appends `node`; only keys it now wins move, and all move to it.
    pub fn add(&mut self, node: N) {
        self.node_hashes.push(stable_hash(&node));
        self.nodes.push(node);
    }

    /// Removes the first node equal to `node` and hands it back; only its keys
    /// move. Later nodes' indices shift down by one.
    pub fn remove(&mut self, node: &N) -> Option<N> {
        let index = self.nodes.iter().position(|n| n == node)?;
        self.node_hashes.remove(index);
        Some(self.nodes.remove(index))
    }

    /// The node that owns `key`, or `None` when there are no nodes.
    #[must_use]
    pub fn owner<K: Hash + ?Sized>(&self, key: &K) -> Option<&N> {
        let index = self.winner(stable_hash(key), self.nodes.len())?;
        self.nodes.get(index)
    }

    fn winner(&self, key_hash: u64, among: usize) -> Option<usize> {
        let mut best: Option<(u64, usize)> = None;
        for (index, node_hash) in self.node_hashes.iter().take(among).enumerate() {
            let weight = stable_hash(&(*node_hash, key_hash));
            if best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, index));
            }
        }
        best.map(|(_, index)| index)
    }
}

impl<N, K> Partitioner<K> for Rendezvous<N>
where
    N: Hash + PartialEq + Send + Sync,
    K: Hash + ?Sized,
{
    fn partition(&self, key: &K, partitions: usize) -> usize {
        self.winner(stable_hash(key), partitions).unwrap_or(0)
    }
}
