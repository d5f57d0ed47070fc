//! [`Sharded`]: a group of identical actors, one per shard by default, with a
//! partitioner that routes each key to the actor that owns it.

use std::sync::Arc;

use crate::mailbox::SendError;
use crate::partition::{HashPartitioner, Partitioner};
use crate::runtime::Handle;
use crate::runtime::spawn::SpawnError;
use crate::supervision::{Factory, spawn_supervised};
use crate::{Actor, ActorRef};

/// A group of actors of one type, each owning a slice of the key space.
///
/// The handle is `Send + Sync + Clone` and routes from any thread. With
/// [`HashPartitioner`] (the default) a key always reaches the same member.
///
/// ```
/// use actor_core::partition::Sharded;
/// use actor_core::prelude::*;
///
/// struct Store(Vec<String>);
/// enum StoreMsg {
///     Put(String),
///     Len(ReplyTo<usize>),
/// }
/// impl Actor for Store {
///     type Msg = StoreMsg;
///     async fn handle(&mut self, msg: StoreMsg, _: &mut Context<Self>) {
///         match msg {
///             StoreMsg::Put(k) => self.0.push(k),
///             StoreMsg::Len(r) => r.send(self.0.len()),
///         }
///     }
/// }
///
/// let rt = Runtime::builder().shards(2).build()?;
/// let stores = Sharded::spawn(rt.handle(), |_shard| Store(Vec::new()))?;
/// for key in ["a", "b", "c", "a"] {
///     stores.route(key).tell_blocking(StoreMsg::Put(key.to_owned()))?;
/// }
/// let owner_of_a = stores.route("a");
/// assert!(owner_of_a.ask_blocking(StoreMsg::Len)? >= 2);
/// rt.shutdown()?;
/// # Ok::<(), actor_core::Error>(())
/// ```
pub struct Sharded<A: Actor, P = HashPartitioner> {
    members: Arc<[ActorRef<A>]>,
    partitioner: Arc<P>,
}

impl<A: Actor, P> Clone for Sharded<A, P> {
    fn clone(&self) -> Self {
        Sharded {
            members: self.members.clone(),
            partitioner: self.partitioner.clone(),
        }
    }
}

impl<A: Actor, P> std::fmt::Debug for Sharded<A, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sharded")
            .field("actor", &A::name())
            .field("members", &self.members.len())
            .finish()
    }
}

impl<A: Actor> Sharded<A> {
    /// One actor per shard, built on its shard by `factory(shard)`.
    pub fn spawn(
        handle: &Handle,
        factory: impl Fn(usize) -> A + Send + Sync + 'static,
    ) -> Result<Self, SpawnError> {
        Self::spawn_n(handle, handle.shards(), factory)
    }

    /// `n` actors placed round-robin across shards (member `i` on shard
    /// `i % shards`), built by `factory(i)`.
    pub fn spawn_n(
        handle: &Handle,
        n: usize,
        factory: impl Fn(usize) -> A + Send + Sync + 'static,
    ) -> Result<Self, SpawnError> {
        let factory = Arc::new(factory);
        let members = (0..n.max(1))
            .map(|i| {
                let f = factory.clone();
                handle.spawn_on(i % handle.shards(), move || f(i))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_spawned(members))
    }

    /// One *supervised* actor per shard: each member's failure ends only its
    /// incarnation, for a supervisor to restart (see
    /// [`supervision`](crate::supervision)). The factory builds member `i`
    /// again at every restart.
    pub fn spawn_supervised(
        handle: &Handle,
        factory: impl Fn(usize) -> A + Send + Sync + 'static,
    ) -> Result<(Self, Vec<Factory<A>>), SpawnError> {
        let factory = Arc::new(factory);
        let mut members = Vec::new();
        let mut factories: Vec<Factory<A>> = Vec::new();
        for i in 0..handle.shards() {
            let f = factory.clone();
            let member_factory: Factory<A> = Arc::new(move || f(i));
            members.push(spawn_supervised(handle, i, None, member_factory.clone())?);
            factories.push(member_factory);
        }
        Ok((Self::from_spawned(members), factories))
    }

    /// A group over actors that already exist (children of a supervisor,
    /// say), routed by [`HashPartitioner`]. `None` when `members` is empty.
    pub fn from_members(members: Vec<ActorRef<A>>) -> Option<Self> {
        (!members.is_empty()).then(|| Sharded {
            members: members.into(),
            partitioner: Arc::new(HashPartitioner),
        })
    }

    fn from_spawned(members: Vec<ActorRef<A>>) -> Self {
        Sharded {
            members: members.into(),
            partitioner: Arc::new(HashPartitioner),
        }
    }
}

impl<A: Actor, P> Sharded<A, P> {
    /// The same members, routed by `partitioner`.
    pub fn with_partitioner<Q>(self, partitioner: Q) -> Sharded<A, Q> {
        Sharded {
            members: self.members,
            partitioner: Arc::new(partitioner),
        }
    }

    /// The member that owns `key`.
    pub fn route<K: ?Sized>(&self, key: &K) -> &ActorRef<A>
    where
        P: Partitioner<K>,
    {
        let last = self.members.len().saturating_sub(1);
        let i = self.partitioner.partition(key, self.members.len());
        &self.members[i.min(last)]
    }

    /// Tells `make()` to every member without waiting (`try_tell`); one
    /// result per member, in member order, each handing the message back on
    /// failure.
    pub fn try_tell_all(&self, make: impl Fn() -> A::Msg) -> Vec<Result<(), SendError<A::Msg>>> {
        self.members.iter().map(|m| m.try_tell(make())).collect()
    }

    /// Tells `make()` to every member, waiting for room in each mailbox in
    /// turn (`tell`); one result per member, in member order.
    pub async fn tell_all(&self, make: impl Fn() -> A::Msg) -> Vec<Result<(), SendError<A::Msg>>> {
        let mut out = Vec::with_capacity(self.members.len());
        for m in self.members.iter() {
            out.push(m.tell(make()).await);
        }
        out
    }

    /// Every member, in order.
    pub fn members(&self) -> &[ActorRef<A>] {
        &self.members
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always `false`: a group has at least one member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}
