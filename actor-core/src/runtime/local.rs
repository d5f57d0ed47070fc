//! Binding a shard's executor to its runtime. The executor
//! ([`ShardLocal`]) knows tasks and its sibling shards, not the runtime; it
//! carries the runtime as an opaque owner, which this module builds and
//! reads back for the layers that know its type.

use std::rc::Rc;
use std::sync::Arc;

use crate::channel::spsc;
use crate::reactor::Reactor;
use crate::runtime::RuntimeInner;
use crate::shard::local::{ShardLocal, ShardSettings};
use crate::shard::shared::{Remote, ShardShared};

impl ShardLocal {
    /// The executor of shard `shared` of `runtime`, told what it needs of
    /// the runtime's configuration.
    pub(crate) fn new(
        shared: Arc<ShardShared>,
        runtime: Arc<RuntimeInner>,
        outboxes: Vec<Option<spsc::Producer<Remote>>>,
        inboxes: Vec<spsc::Consumer<Remote>>,
        reactor: Reactor,
    ) -> Rc<Self> {
        let settings = ShardSettings {
            siblings: runtime.shards.clone(),
            origin: runtime.started,
            spin_before_park: runtime.config.spin_before_park,
            owner: Box::new(runtime),
        };
        ShardLocal::create(shared, settings, outboxes, inboxes, reactor)
    }

    /// The runtime this shard belongs to.
    pub(crate) fn runtime(&self) -> &Arc<RuntimeInner> {
        self.owner()
            .downcast_ref::<Arc<RuntimeInner>>()
            .expect("a shard's owner is the runtime that started it")
    }
}
