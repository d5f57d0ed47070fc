//! Where a store's partitions run: the runtime's storage shards.

use actor_core::config::Role;
use actor_core::partition::Sharded;
use actor_core::{Actor, Handle, SpawnError};

/// The shards a store opened on `handle` puts its partitions on, one
/// partition each, in partition order: the runtime's [`Role::Storage`]
/// shards. Those are the shards the runtime's configuration dedicates to
/// storage, else its I/O shards (storage shares them), else, when no shard
/// is dedicated (the default below four shards per NUMA node), every
/// shard. A supervisor that runs a store's partitions as children (see
/// [`KvStore::partition`](crate::kv::KvStore::partition)) places child `i`
/// on shard `storage_shards(handle)[i]`.
///
/// ```
/// use actor_core::Runtime;
/// use actor_core::config::ShardRoles;
///
/// let rt = Runtime::builder().shards(3).roles(ShardRoles::none().with_storage(1)).build()?;
/// assert_eq!(actor_storage::storage_shards(rt.handle()), [1]);
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn storage_shards(handle: &Handle) -> Vec<usize> {
    handle.shards_for(Role::Storage)
}

/// One actor per storage shard, member `i` built on shard
/// `storage_shards(handle)[i]` by `factory(i)`.
pub(crate) fn spawn_partitions<A: Actor>(
    handle: &Handle,
    factory: impl Fn(usize) -> A + Send + Sync + Clone + 'static,
) -> Result<Sharded<A>, SpawnError> {
    let members = storage_shards(handle)
        .into_iter()
        .enumerate()
        .map(|(i, shard)| {
            let f = factory.clone();
            handle.spawn_on(shard, move || f(i))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // `shards_for` never answers an empty list; should it, that is a
    // runtime with no shard to spawn on.
    Sharded::from_members(members).ok_or(SpawnError::NoSuchShard {
        shard: 0,
        shards: handle.shards(),
    })
}
