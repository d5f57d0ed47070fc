//! [`Topology`]: the CPUs shards may run on, grouped by NUMA node, and the
//! [`Placement`] of shards over them.
//!
//! Shards are numbered node by node: with two nodes and eight shards, shards
//! 0–3 run on node 0 and 4–7 on node 1, so neighbouring shard indices share a
//! memory controller. Shards are spread evenly over the nodes (as glommio's
//! `MaxSpread`), so a runtime with fewer shards than CPUs still uses every
//! node's memory bandwidth. Roles are then spread across nodes too (see
//! [`ShardRoles::derive`](super::ShardRoles::derive)).

use super::CpuInfo;

/// The CPUs shards may run on, grouped by NUMA node. An input of the
/// runtime: detected by default ([`Topology::from_cpu`]), or built by hand
/// ([`Topology::new`]) to test placement for a machine one does not have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Topology {
    nodes: Vec<Vec<usize>>,
}

/// Where one shard runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlace {
    /// Index of the NUMA node (in [`Topology::nodes`] order).
    pub node: usize,
    /// The CPU the shard is pinned to when pinning is on; `None` when the
    /// topology knows no CPUs.
    pub cpu: Option<usize>,
}

/// One [`ShardPlace`] per shard, in shard order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    places: Vec<ShardPlace>,
}

impl Topology {
    /// A topology of `nodes`, each the list of CPU ids on that node. Empty
    /// nodes are dropped; an empty list means "unknown": one node, no CPUs.
    ///
    /// ```
    /// use actor_core::config::Topology;
    ///
    /// let two_nodes = Topology::new(vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
    /// let placement = two_nodes.place(4);
    /// let nodes: Vec<_> = placement.iter().map(|p| p.node).collect();
    /// assert_eq!(nodes, [0, 0, 1, 1]);
    /// assert_eq!(placement.get(2).unwrap().cpu, Some(4));
    /// ```
    pub fn new(nodes: Vec<Vec<usize>>) -> Self {
        Self {
            nodes: nodes.into_iter().filter(|n| !n.is_empty()).collect(),
        }
    }

    /// One node holding `cpus`.
    pub fn flat(cpus: Vec<usize>) -> Self {
        Self::new(vec![cpus])
    }

    /// The detected topology: NUMA nodes when the kernel lists them, else one
    /// node of the online CPUs; CPUs outside the process's affinity mask
    /// ([`CpuInfo::allowed`], when known) are left out.
    pub fn from_cpu(cpu: &CpuInfo) -> Self {
        let allowed = &cpu.allowed;
        let keep = |c: &usize| allowed.is_empty() || allowed.contains(c);
        let nodes: Vec<Vec<usize>> = if cpu.numa_nodes.is_empty() {
            vec![cpu.online.iter().copied().filter(keep).collect()]
        } else {
            cpu.numa_nodes
                .iter()
                .map(|n| n.cpus.iter().copied().filter(keep).collect())
                .collect()
        };
        let topology = Self::new(nodes);
        if topology.cpus() == 0 && !allowed.is_empty() {
            // Affinity names CPUs sysfs did not list: trust the affinity mask.
            return Self::flat(allowed.clone());
        }
        topology
    }

    /// The nodes, each a list of CPU ids.
    pub fn nodes(&self) -> &[Vec<usize>] {
        &self.nodes
    }

    /// Number of NUMA nodes (at least 1).
    pub fn node_count(&self) -> usize {
        self.nodes.len().max(1)
    }

    /// Number of CPUs known.
    pub fn cpus(&self) -> usize {
        self.nodes.iter().map(Vec::len).sum()
    }

    /// Places `shards` shards: an even share per node (the first nodes take
    /// one more when it does not divide), numbered node by node, each on its
    /// own CPU of its node. A node with fewer CPUs than its share passes the
    /// rest on; more shards than CPUs wrap around and share CPUs.
    pub fn place(&self, shards: usize) -> Placement {
        if self.nodes.is_empty() {
            let unknown = ShardPlace { node: 0, cpu: None };
            return Placement {
                places: vec![unknown; shards],
            };
        }
        let n = self.nodes.len();
        let total = self.cpus();
        let mut share: Vec<usize> = (0..n)
            .map(|i| shards / n + usize::from(i < shards % n))
            .collect();
        if shards <= total {
            // Move what a small node cannot hold to nodes with room.
            let mut spill = 0;
            for (i, s) in share.iter_mut().enumerate() {
                let room = self.nodes[i].len();
                if *s > room {
                    spill += *s - room;
                    *s = room;
                }
            }
            for (i, s) in share.iter_mut().enumerate() {
                let more = spill.min(self.nodes[i].len() - *s);
                *s += more;
                spill -= more;
            }
        }
        let places = share
            .iter()
            .enumerate()
            .flat_map(|(node, &count)| {
                let cpus = &self.nodes[node];
                (0..count).map(move |k| ShardPlace {
                    node,
                    cpu: Some(cpus[k % cpus.len()]),
                })
            })
            .collect();
        Placement { places }
    }
}

impl Placement {
    /// The place of `shard`.
    pub fn get(&self, shard: usize) -> Option<&ShardPlace> {
        self.places.get(shard)
    }

    /// Every shard's place, in shard order.
    pub fn iter(&self) -> impl Iterator<Item = &ShardPlace> {
        self.places.iter()
    }

    /// The shards on `node`, in order.
    pub fn shards_on(&self, node: usize) -> Vec<usize> {
        (0..self.places.len())
            .filter(|s| self.places[*s].node == node)
            .collect()
    }

    /// Number of nodes that hold at least one shard.
    pub fn nodes_used(&self) -> usize {
        self.places.iter().map(|p| p.node + 1).max().unwrap_or(1)
    }

    /// Number of shards placed.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// `true` when no shard is placed.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_share_and_spill() {
        let t = Topology::new(vec![vec![0, 1], vec![2, 3, 4, 5, 6, 7]]);
        let nodes: Vec<_> = t.place(6).iter().map(|p| p.node).collect();
        assert_eq!(nodes, [0, 0, 1, 1, 1, 1], "node 0 holds 2, the rest spill");
        let cpus: Vec<_> = t.place(3).iter().map(|p| p.cpu.unwrap()).collect();
        assert_eq!(cpus, [0, 1, 2]);
        let wrap: Vec<_> = t.place(10).iter().map(|p| p.cpu.unwrap()).collect();
        assert_eq!(wrap, [0, 1, 0, 1, 0, 2, 3, 4, 5, 6]);
        assert_eq!(Topology::default().place(2).get(1).unwrap().cpu, None);
    }
}
