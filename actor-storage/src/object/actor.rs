//! The actor that owns one object partition on its shard. Its operations
//! run one at a time, in mailbox order.

use std::collections::BTreeMap;
use std::path::PathBuf;

use actor_core::{Actor, BoxError, Context, ReplyTo};

use super::partition::Partition;
use super::{ObjectError, ObjectMeta};
use crate::file::Disk;

type Reply<T> = ReplyTo<Result<T, ObjectError>>;

/// What an object partition actor is asked.
pub(crate) enum ObjectMsg {
    Ready(Reply<()>),
    Begin(String, String, BTreeMap<String, String>, Reply<u64>),
    Append(u64, Vec<u8>, Reply<()>),
    Finish(u64, Reply<ObjectMeta>),
    Abort(u64),
    Head(String, Reply<ObjectMeta>),
    OpenRead(String, Reply<(u64, ObjectMeta)>),
    Read(u64, u64, usize, Reply<Vec<u8>>),
    CloseRead(u64),
    Delete(String, Reply<bool>),
    List(String, usize, Reply<Vec<ObjectMeta>>),
}

/// One partition's owner; the partition opens in `on_start`.
pub(crate) struct ObjectActor {
    pub(crate) dir: PathBuf,
    pub(crate) part: Option<Partition<Disk>>,
    pub(crate) open_error: Option<ObjectError>,
}

impl Actor for ObjectActor {
    type Msg = ObjectMsg;

    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        match Partition::open(Disk, &self.dir).await {
            Ok(p) => self.part = Some(p),
            Err(e) => self.open_error = Some(e),
        }
        Ok(())
    }

    async fn handle(&mut self, msg: ObjectMsg, _: &mut Context<Self>) {
        let Some(part) = &mut self.part else {
            let gone = || ObjectError::Unavailable(format!("{:?} did not open", self.dir));
            match msg {
                ObjectMsg::Ready(r) => r.send(Err(self.open_error.take().unwrap_or_else(gone))),
                ObjectMsg::Begin(.., r) => r.send(Err(gone())),
                ObjectMsg::Append(.., r) => r.send(Err(gone())),
                ObjectMsg::Finish(_, r) | ObjectMsg::Head(_, r) => r.send(Err(gone())),
                ObjectMsg::OpenRead(_, r) => r.send(Err(gone())),
                ObjectMsg::Read(.., r) => r.send(Err(gone())),
                ObjectMsg::Delete(_, r) => r.send(Err(gone())),
                ObjectMsg::List(.., r) => r.send(Err(gone())),
                ObjectMsg::Abort(_) | ObjectMsg::CloseRead(_) => {}
            }
            return;
        };
        match msg {
            ObjectMsg::Ready(r) => r.send(Ok(())),
            ObjectMsg::Begin(name, ty, user, r) => r.send(part.begin(name, ty, user).await),
            ObjectMsg::Append(id, chunk, r) => r.send(part.append(id, chunk).await),
            ObjectMsg::Finish(id, r) => r.send(part.finish(id).await),
            ObjectMsg::Abort(id) => part.abort(id).await,
            ObjectMsg::Head(name, r) => r.send(part.head(&name)),
            ObjectMsg::OpenRead(name, r) => r.send(part.open_read(&name).await),
            ObjectMsg::Read(id, at, len, r) => r.send(part.read(id, at, len).await),
            ObjectMsg::CloseRead(id) => part.close_read(id),
            ObjectMsg::Delete(name, r) => r.send(part.delete(&name).await),
            ObjectMsg::List(prefix, limit, r) => r.send(Ok(part.list(&prefix, limit))),
        }
    }
}
