//! [`BlockStore`]: blocks striped over one partition per storage shard.

use std::path::Path;

use actor_core::partition::{Custom, Sharded};
use actor_core::{AskError, Handle};

use super::actor::{BlockActor, BlockMsg};
use super::slot::HEADER;
use super::{BlockError, BlockOptions};
use crate::join::join_all;

/// Routes a global address to its partition.
type Stripe = Custom<fn(&u64, usize) -> usize>;

fn stripe(addr: &u64, partitions: usize) -> usize {
    (*addr % partitions as u64) as usize
}

/// A partition's checksum error, naming the global address instead.
fn global_checksum(e: BlockError, addr: u64) -> BlockError {
    match e {
        BlockError::Checksum { offset, .. } => BlockError::Checksum { addr, offset },
        other => other,
    }
}

/// The file that records a block store's shape.
const LAYOUT: &str = "BLOCKS";

/// A block store over every shard of a runtime: address `a` lives in
/// partition `a % partitions`, block `a / partitions` of that partition's
/// file (`dir/partition-NNN.blocks`), owned by an actor pinned to its
/// shard. The handle is `Send + Sync + Clone`.
///
/// ```
/// use actor_storage::block::{BlockOptions, BlockStore};
///
/// let dir = tempfile::tempdir()?;
/// let rt = actor_core::Runtime::builder().shards(2).build()?;
/// rt.block_on(async {
///     let options = BlockOptions { blocks: 64, ..BlockOptions::default() };
///     let store = BlockStore::open(rt.handle(), dir.path(), options).await?;
///     let block = vec![7u8; store.block_size()];
///     store.write(5, &block, true).await?;
///     assert_eq!(store.read(5).await?, block);
///     assert_eq!(store.read(6).await?, vec![0u8; store.block_size()]);
///     Ok::<_, actor_storage::block::BlockError>(())
/// })?;
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct BlockStore {
    parts: Sharded<BlockActor, Stripe>,
    block_size: usize,
    blocks: u64,
}

impl std::fmt::Debug for BlockStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockStore")
            .field("partitions", &self.parts.len())
            .field("block_size", &self.block_size)
            .field("blocks", &self.blocks)
            .finish()
    }
}

fn asked<T>(r: Result<Result<T, BlockError>, AskError>) -> Result<T, BlockError> {
    r.unwrap_or_else(|e| Err(BlockError::Unavailable(e.to_string())))
}

impl BlockStore {
    /// Opens (or creates) the store in `dir`: `options.blocks` blocks in
    /// all, striped over one partition per storage shard. Fails with
    /// [`BlockError::Options`] when `dir` was made with another shape.
    pub async fn open(
        handle: &Handle,
        dir: impl AsRef<Path>,
        options: BlockOptions,
    ) -> Result<Self, BlockError> {
        let dir = dir.as_ref().to_path_buf();
        let n = crate::storage_shards(handle).len() as u64;
        let shape = format!(
            "partitions={n} slot_size={} blocks={} checksums={}",
            options.slot_size, options.blocks, options.checksums
        );
        if let Err(found) = crate::layout::ensure(&dir, LAYOUT, &shape)? {
            return Err(BlockError::Options(format!(
                "{dir:?} holds a store of {found}, not {shape}"
            )));
        }
        let per_part = options.blocks.div_ceil(n);
        let base = dir.clone();
        let part_options = BlockOptions {
            blocks: per_part,
            ..options.clone()
        };
        let parts = crate::placement::spawn_partitions(handle, move |i| BlockActor {
            path: base.join(format!("partition-{i:03}.blocks")),
            options: part_options.clone(),
            file: None,
            open_error: None,
        })
        .map_err(|e| BlockError::Unavailable(e.to_string()))?
        .with_partitioner(Custom::new::<u64>(stripe as fn(&u64, usize) -> usize));
        for member in parts.members() {
            if let Err(e) = asked(member.ask(BlockMsg::Ready).await) {
                // A store that did not open leaves no actor behind.
                parts.members().iter().for_each(|m| m.stop());
                return Err(e);
            }
        }
        let block_size = options.slot_size - if options.checksums { HEADER } else { 0 };
        Ok(BlockStore {
            parts,
            block_size,
            blocks: options.blocks,
        })
    }

    /// Bytes of data in a block.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// Blocks in the store.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    fn local(&self, addr: u64) -> Result<u64, BlockError> {
        if addr >= self.blocks {
            return Err(BlockError::OutOfRange {
                addr,
                blocks: self.blocks,
            });
        }
        Ok(addr / self.parts.len() as u64)
    }

    /// Reads block `addr` (zeroes if never written). A checksum failure
    /// names the global address.
    pub async fn read(&self, addr: u64) -> Result<Vec<u8>, BlockError> {
        let local = self.local(addr)?;
        let out = asked(
            self.parts
                .route(&addr)
                .ask(|r| BlockMsg::Read(local, r))
                .await,
        );
        out.map_err(|e| global_checksum(e, addr))
    }

    /// Reads every block of `addrs`: one request per partition, whose
    /// reads are all in flight together (one kernel entry on io_uring).
    /// One result per address, in order.
    pub async fn read_many(&self, addrs: &[u64]) -> Vec<Result<Vec<u8>, BlockError>> {
        let n = self.parts.len();
        let mut out: Vec<Option<Result<Vec<u8>, BlockError>>> =
            addrs.iter().map(|_| None).collect();
        // Per partition: the positions in `addrs` and the local addresses.
        let mut per_part: Vec<(Vec<usize>, Vec<u64>)> = vec![(Vec::new(), Vec::new()); n];
        for (pos, &addr) in addrs.iter().enumerate() {
            match self.local(addr) {
                Ok(local) => {
                    let p = stripe(&addr, n);
                    per_part[p].0.push(pos);
                    per_part[p].1.push(local);
                }
                Err(e) => out[pos] = Some(Err(e)),
            }
        }
        let asks = per_part
            .iter()
            .zip(self.parts.members())
            .map(|((_, locals), member)| {
                let locals = locals.clone();
                member.ask(move |r| BlockMsg::ReadMany(locals, r))
            })
            .collect();
        for ((positions, _), answer) in per_part.iter().zip(join_all(asks).await) {
            match answer {
                Ok(results) => {
                    for (&pos, result) in positions.iter().zip(results) {
                        out[pos] = Some(result.map_err(|e| global_checksum(e, addrs[pos])));
                    }
                }
                Err(e) => {
                    for &pos in positions {
                        out[pos] = Some(Err(BlockError::Unavailable(e.to_string())));
                    }
                }
            }
        }
        out.into_iter()
            .map(|r| r.expect("every address answered"))
            .collect()
    }

    /// Writes block `addr`; with `durable`, on stable storage when this
    /// returns, otherwise after the next [`flush`](Self::flush).
    pub async fn write(&self, addr: u64, data: &[u8], durable: bool) -> Result<(), BlockError> {
        let local = self.local(addr)?;
        let data = data.to_vec();
        asked(
            self.parts
                .route(&addr)
                .ask(|r| BlockMsg::Write(local, data, durable, r))
                .await,
        )
    }

    /// Makes every write so far, in every partition, durable.
    pub async fn flush(&self) -> Result<(), BlockError> {
        for member in self.parts.members() {
            asked(member.ask(BlockMsg::Flush).await)?;
        }
        Ok(())
    }

    /// Discards blocks `start..end`: they read as zeroes afterwards.
    pub async fn trim(&self, start: u64, end: u64) -> Result<(), BlockError> {
        if start >= end {
            return Ok(());
        }
        self.local(end - 1)?;
        let n = self.parts.len() as u64;
        for (p, member) in self.parts.members().iter().enumerate() {
            let p = p as u64;
            // The first address at or after `start` in partition `p`.
            let first = start + (p + n - start % n) % n;
            if first >= end {
                continue;
            }
            let count = (end - 1 - first) / n + 1;
            asked(member.ask(|r| BlockMsg::Trim(first / n, count, r)).await)?;
        }
        Ok(())
    }
}
