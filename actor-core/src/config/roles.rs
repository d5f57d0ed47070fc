//! [`Role`] and [`ShardRoles`]: which shards take listeners, storage and
//! accelerator queues by default.

use super::Placement;

/// The kind of work a shard may be dedicated to. Crates place their actors
/// with [`Handle::shard_for`](crate::Handle::shard_for): `actor-io`'s
/// listeners go to [`Role::Io`] shards, storage shards to [`Role::Storage`],
/// GPU queues to [`Role::Accelerator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Application actors: every shard without a dedicated role.
    Compute,
    /// Listeners and connections.
    Io,
    /// Storage actors (file and block I/O).
    Storage,
    /// Accelerator queues (the GPU device and queue actor).
    Accelerator,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 4] = [Self::Compute, Self::Io, Self::Storage, Self::Accelerator];

    /// `"compute"`, `"io"`, `"storage"` or `"accelerator"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Compute => "compute",
            Self::Io => "io",
            Self::Storage => "storage",
            Self::Accelerator => "accelerator",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// Which shards are dedicated to I/O, storage and accelerators; every other
/// shard is a compute shard.
///
/// A role with no dedicated shard is served by every shard. A dedicated
/// shard still runs any actor spawned on it; the role only decides where
/// actors go *by default* (see [`Handle::shard_for`](crate::Handle::shard_for)).
///
/// ```
/// use actor_core::config::{Role, ShardRoles};
///
/// let roles = ShardRoles::none().with_io(3).with_accelerator(0);
/// assert_eq!(roles.role(3), Role::Io);
/// assert_eq!(roles.shards(Role::Storage), [3], "storage shares the I/O shards");
/// assert_eq!(roles.role(1), Role::Compute);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShardRoles {
    io: Vec<usize>,
    storage: Vec<usize>,
    accelerator: Vec<usize>,
}

impl ShardRoles {
    /// Shards a NUMA node must hold before its last one is dedicated to
    /// I/O: below it, giving up a whole shard costs more application
    /// capacity than it saves.
    pub const IO_SHARD_MIN_SHARDS: usize = 4;

    /// No dedicated shards: every shard serves every role.
    pub const fn none() -> Self {
        Self {
            io: Vec::new(),
            storage: Vec::new(),
            accelerator: Vec::new(),
        }
    }

    /// The default rule, spread across NUMA nodes as glommio spreads its
    /// placements: on each node holding at least
    /// [`Self::IO_SHARD_MIN_SHARDS`] shards, the node's last shard takes I/O
    /// (storage shares it), so connections and completions stay
    /// node-local; when an accelerator is present the first shard owns its
    /// queue.
    ///
    /// ```
    /// use actor_core::config::{Role, ShardRoles, Topology};
    ///
    /// let two_nodes = Topology::new(vec![(0..8).collect(), (8..16).collect()]);
    /// let roles = ShardRoles::derive(&two_nodes.place(16), true);
    /// assert_eq!(roles.shards(Role::Io), [7, 15], "one I/O shard per node");
    /// assert_eq!(roles.shards(Role::Accelerator), [0]);
    /// ```
    pub fn derive(placement: &Placement, accelerator: bool) -> Self {
        let mut roles = Self::none();
        for node in 0..placement.nodes_used() {
            let on_node = placement.shards_on(node);
            if on_node.len() >= Self::IO_SHARD_MIN_SHARDS {
                roles.io.extend(on_node.last());
            }
        }
        if accelerator && !placement.is_empty() {
            roles.accelerator.push(0);
        }
        roles
    }

    /// Adds `shard` to the I/O shards.
    #[must_use]
    pub fn with_io(mut self, shard: usize) -> Self {
        push(&mut self.io, shard);
        self
    }

    /// Adds `shard` to the storage shards (by default storage shares the
    /// I/O shards).
    #[must_use]
    pub fn with_storage(mut self, shard: usize) -> Self {
        push(&mut self.storage, shard);
        self
    }

    /// Adds `shard` to the accelerator shards.
    #[must_use]
    pub fn with_accelerator(mut self, shard: usize) -> Self {
        push(&mut self.accelerator, shard);
        self
    }

    /// The shards dedicated to `role`: storage falls back to the I/O shards
    /// when it has none of its own; [`Role::Compute`] lists the shards with
    /// no dedicated role among `0..shards` (see [`Self::compute`]). Empty
    /// means "no dedicated shard: every shard serves it".
    pub fn shards(&self, role: Role) -> &[usize] {
        match role {
            Role::Io => &self.io,
            Role::Storage if self.storage.is_empty() => &self.io,
            Role::Storage => &self.storage,
            Role::Accelerator => &self.accelerator,
            Role::Compute => &[],
        }
    }

    /// The compute shards among `0..shards`: those with no dedicated role,
    /// or every shard when all of them have one.
    pub fn compute(&self, shards: usize) -> Vec<usize> {
        let free: Vec<usize> = (0..shards)
            .filter(|s| self.role(*s) == Role::Compute)
            .collect();
        if free.is_empty() {
            (0..shards).collect()
        } else {
            free
        }
    }

    /// Every shard any role names, for validation.
    pub(crate) fn named(&self) -> impl Iterator<Item = (Role, usize)> + '_ {
        let tag = |role, v: &'_ Vec<usize>| v.iter().map(move |s| (role, *s)).collect::<Vec<_>>();
        tag(Role::Io, &self.io)
            .into_iter()
            .chain(tag(Role::Storage, &self.storage))
            .chain(tag(Role::Accelerator, &self.accelerator))
    }

    /// The role of `shard`: accelerator, then storage, then I/O win when
    /// several name it.
    pub fn role(&self, shard: usize) -> Role {
        if self.accelerator.contains(&shard) {
            Role::Accelerator
        } else if self.storage.contains(&shard) {
            Role::Storage
        } else if self.io.contains(&shard) {
            Role::Io
        } else {
            Role::Compute
        }
    }

    /// `true` when no role has a dedicated shard.
    pub fn is_none(&self) -> bool {
        self.io.is_empty() && self.storage.is_empty() && self.accelerator.is_empty()
    }
}

fn push(v: &mut Vec<usize>, shard: usize) {
    if !v.contains(&shard) {
        v.push(shard);
        v.sort_unstable();
    }
}

impl std::fmt::Display for ShardRoles {
    /// `io=[3] storage=[3] accelerator=[]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "io={:?} storage={:?} accelerator={:?}",
            self.io,
            self.shards(Role::Storage),
            self.accelerator
        )
    }
}
