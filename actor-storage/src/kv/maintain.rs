//! Background upkeep of a partition: hint files for sealed segments, and
//! the routine the partition actor runs at each interval (compaction when
//! it pays, then missing hints).

use super::KvError;
use super::hint::{self, hint_path};
use crate::file::{FileIo, OpenOptions, Storage};

use super::shard::KvShard;

impl<S: Storage> KvShard<S> {
    /// Sealed segments without a hint file yet.
    pub fn unhinted_segments(&self) -> usize {
        let st = self.state();
        st.sealed
            .keys()
            .filter(|id| !st.hinted.contains(id))
            .count()
    }

    /// Writes the hint file of every sealed segment that lacks one (write
    /// elsewhere, sync, rename, sync the directory), so the next open reads
    /// the hints instead of those segments. Returns how many it wrote.
    /// Skipped (returns 0) while a compaction runs.
    pub async fn write_hints(&self) -> Result<usize, KvError> {
        let todo = {
            let mut st = self.state();
            if st.maintaining {
                return Ok(0);
            }
            st.maintaining = true;
            let todo: Vec<_> = st
                .sealed
                .iter()
                .filter(|(id, _)| !st.hinted.contains(id))
                .map(|(&id, &size)| (id, size, st.segments[&id].clone()))
                .collect();
            todo
        };
        let mut written = 0;
        let mut result = Ok(());
        for (id, size, file) in todo {
            match self.write_hint(id, size, &file).await {
                Ok(true) => {
                    self.state().hinted.insert(id);
                    written += 1;
                }
                Ok(false) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.state().maintaining = false;
        result.map(|()| written)
    }

    async fn write_hint(&self, id: u64, size: u64, file: &S::File) -> Result<bool, KvError> {
        let bytes = file.read_exact_at(size as usize, 0).await?;
        let Some(h) = hint::from_segment(&bytes) else {
            return Ok(false);
        };
        let dir = &self.inner.dir;
        let storage = &self.inner.storage;
        let path = hint_path(dir, id);
        let tmp = path.with_extension("hint.tmp");
        let out = storage
            .open(&tmp, &OpenOptions::new().create(true).truncate(true))
            .await?;
        let encoded = hint::encode(&h);
        let mut buf = out.buffer(encoded.len());
        buf.extend_from_slice(&encoded);
        out.write_durable_at(buf, 0).await.0?;
        storage.rename(&tmp, &path).await?;
        storage.sync_dir(dir).await?;
        Ok(true)
    }

    /// One round of upkeep: compaction when space amplification asks for
    /// it, then the missing hint files.
    pub async fn maintain(&self) -> Result<(), KvError> {
        if self.wants_compaction() {
            self.compact().await?;
        }
        if self.unhinted_segments() > 0 {
            self.write_hints().await?;
        }
        Ok(())
    }
}
