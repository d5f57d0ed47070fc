//! The actor that owns one block partition on its shard.

use std::path::PathBuf;

use actor_core::{Actor, BoxError, Context, ReplyTo};

use super::{BlockError, BlockFile, BlockOptions};

/// What a block partition actor is asked (addresses are the partition's).
pub(crate) enum BlockMsg {
    /// The outcome of the open.
    Ready(ReplyTo<Result<(), BlockError>>),
    /// Read a block.
    Read(u64, ReplyTo<Result<Vec<u8>, BlockError>>),
    /// Read several blocks, all in flight together.
    ReadMany(Vec<u64>, ReplyTo<Vec<Result<Vec<u8>, BlockError>>>),
    /// Write a block, durably or not.
    Write(u64, Vec<u8>, bool, ReplyTo<Result<(), BlockError>>),
    /// `fdatasync`.
    Flush(ReplyTo<Result<(), BlockError>>),
    /// Discard blocks.
    Trim(u64, u64, ReplyTo<Result<(), BlockError>>),
}

/// One partition's owner. Operations run one at a time, in mailbox order,
/// so a read after a write of the same block sees it.
pub(crate) struct BlockActor {
    pub(crate) path: PathBuf,
    pub(crate) options: BlockOptions,
    pub(crate) file: Option<BlockFile>,
    pub(crate) open_error: Option<BlockError>,
}

impl Actor for BlockActor {
    type Msg = BlockMsg;

    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        match BlockFile::open(&self.path, self.options.clone()).await {
            Ok(f) => self.file = Some(f),
            Err(e) => self.open_error = Some(e),
        }
        Ok(())
    }

    async fn handle(&mut self, msg: BlockMsg, _: &mut Context<Self>) {
        let Some(file) = &self.file else {
            let gone = || BlockError::Unavailable(format!("{:?} did not open", self.path));
            match msg {
                BlockMsg::Ready(r) => r.send(Err(self.open_error.take().unwrap_or_else(gone))),
                BlockMsg::Read(_, r) => r.send(Err(gone())),
                BlockMsg::ReadMany(addrs, r) => r.send(addrs.iter().map(|_| Err(gone())).collect()),
                BlockMsg::Write(.., r) | BlockMsg::Flush(r) | BlockMsg::Trim(.., r) => {
                    r.send(Err(gone()))
                }
            }
            return;
        };
        match msg {
            BlockMsg::Ready(r) => r.send(Ok(())),
            BlockMsg::Read(addr, r) => r.send(file.read(addr).await),
            BlockMsg::ReadMany(addrs, r) => r.send(file.read_many(&addrs).await),
            BlockMsg::Write(addr, data, true, r) => r.send(file.write_durable(addr, &data).await),
            BlockMsg::Write(addr, data, false, r) => r.send(file.write(addr, &data).await),
            BlockMsg::Flush(r) => r.send(file.flush().await),
            BlockMsg::Trim(addr, count, r) => r.send(file.trim(addr, count).await),
        }
    }
}
